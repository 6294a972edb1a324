"""Plots inspect artists, not pixels."""

import io
import warnings

import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np

from valuekit import Codebook, audit_survey
from valuekit.present.plots import plot_audit_flags, plot_cell_problems, plot_completion_times


def _survey(frame, codebook_dict, **kw):
    f = frame.astype({"f1": float, "dur": float})
    f.loc[0, "f1"] = 9
    f.loc[1, "f1"] = 12
    f.loc[2, "dur"] = 5
    f.loc[3, "rid"] = f.loc[4, "rid"]
    return audit_survey(f, codebook_dict, **kw)


def test_audit_flags_bars_match_the_audit(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict, exclude=["duplicate_id"])
    ax = plot_audit_flags(survey.audit)
    assert isinstance(ax, plt.Axes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = [p.get_width() for p in ax.patches]
    n = len(labels)
    excluded, kept = dict(zip(labels, widths[:n])), dict(zip(labels, widths[n:]))
    assert excluded["duplicate id"] == 1 and kept["duplicate id"] == 0
    assert excluded["speeder"] == 0 and kept["speeder"] == 1  # flagged but the analyst kept it
    assert "40 rows in: 39 kept, 1 excluded" == ax.get_title()


def test_cell_problems_uses_labels(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict)
    codebook_dict["items"]["f1"] = {"label": {"en": "Easy", "es": "Fácil", "it": "Facile"}}
    cb = Codebook.from_dict(codebook_dict)
    ax = plot_cell_problems(survey.audit, codebook=cb, lang="es")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Fácil"]
    assert sorted(p.get_width() for p in ax.patches) == [1, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["missing code", "out of range"]


def test_cell_problems_when_clean(small_frame, codebook_dict):
    ax = plot_cell_problems(audit_survey(small_frame, codebook_dict).audit)
    assert ax.texts[0].get_text() == "no flagged cells"


def test_completion_times_marks_threshold(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict)
    ax = plot_completion_times(survey)
    threshold = survey.audit.settings["speeder_threshold_seconds"] / 60
    assert np.isclose(ax.lines[0].get_xdata()[0], threshold)
    assert sum(p.get_height() for p in ax.patches) == 40
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels(which="both") if t.get_text()]
    assert shown and all("$" not in t and "mathdefault" not in t for t in shown)  # plain numbers, not mathtext
    del codebook_dict["completion_time"]
    ax2 = plot_completion_times(audit_survey(small_frame.drop(columns="dur"), codebook_dict), ax=plt.figure().gca())
    assert "no completion-time column" in ax2.texts[0].get_text()


# -- the value equation ---------------------------------------------------------------
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from valuekit.measure.scoring import ValueScorer  # noqa: E402
from valuekit.present.plots import plot_likert, plot_value_radar, plot_value_ratio  # noqa: E402


@pytest.fixture
def four_dims(codebook_dict):
    codebook_dict["benefits"]["experiential"] = ["x1"]
    codebook_dict["benefits"]["symbolic"] = ["s1"]
    return Codebook.from_dict(codebook_dict)


@pytest.fixture
def scored(small_frame, four_dims):
    frame = small_frame.assign(x1=np.tile([2, 6], 20), s1=np.tile([3, 5], 20))
    frame["group"] = np.tile(["a", "b"], 20)
    scores = ValueScorer(four_dims).fit_transform(frame)
    scores["group"] = frame["group"]
    return frame, scores


def test_radar_plots_group_means(scored, four_dims):
    frame, scores = scored
    ax = plot_value_radar(scores, codebook=four_dims, by="group", lang="it",
                          ax=plt.figure().add_subplot(projection="polar"))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Funzionale", "Economica", "Esperienziale", "Simbolica"]
    a_line = ax.lines[0].get_ydata()
    assert a_line[2] == 2 and a_line[3] == 3 and a_line[-1] == a_line[0]   # closed polygon
    assert ax.lines[1].get_ydata()[2] == 6
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="needs a polar Axes"):
        plot_value_radar(scores, codebook=four_dims, ax=plt.figure().gca())


def test_radar_weighted(scored, four_dims):
    frame, scores = scored
    w = np.where(frame["group"] == "a", 3.0, 1.0)  # x1: a=2 (w 3), b=6 (w 1) -> 3
    ax = plot_value_radar(scores, codebook=four_dims, weights=w)
    assert ax.lines[0].get_ydata()[2] == pytest.approx(3.0)


def test_likert_bars_are_shares_centred_on_neutral(four_dims):
    frame = pd.DataFrame({"f1": [1, 7, 7, 4], "f2": [2, 2, 2, 2]})
    ax = plot_likert(frame, codebook=four_dims, block="functional")
    widths = np.array([p.get_width() for p in ax.patches]).reshape(7, 2)  # 7 answers x 2 items
    np.testing.assert_allclose(widths[:, 0], [0.25, 0, 0, 0.25, 0, 0, 0.5])
    np.testing.assert_allclose(widths.sum(axis=0), 1)
    lefts = np.array([p.get_x() for p in ax.patches]).reshape(7, 2)
    assert lefts[0, 0] == pytest.approx(-0.375)  # 1s and half the 4s left of zero
    np.testing.assert_allclose(widths[:, 1], [0, 0, 0, 0, 0, 1, 0])  # f2 is reverse-keyed: its 2s drawn as 6s
    assert [t.get_text() for t in ax.get_yticklabels()] == ["f1", "Hard to use (reversed)"]


def test_value_ratio_share_destroyed_in_title(scored, four_dims):
    frame, scores = scored
    ax = plot_value_ratio(scores)
    share = (scores["verdict"] == "destroyed").sum() / scores["value_ratio"].notna().sum()
    assert ax.get_title() == f"Value destroyed: {share:.1%} (n = 40)"
    spanish = plot_value_ratio(scores, codebook=four_dims, lang="es", ax=plt.figure().gca())
    assert spanish.get_title().startswith("Valor destruido: ")
    assert any(np.allclose(line.get_xdata(), 1) for line in ax.lines)
    assert sum(p.get_height() for p in ax.containers[0]) == scores["value_ratio"].notna().sum()
    with pytest.raises(ValueError, match="no scored respondents"):
        plot_value_ratio(scores.assign(value_ratio=np.nan))


# -- segments, drivers, value map -------------------------------------------------------
from valuekit.present import plots  # noqa: E402


def test_segment_and_driver_plots_draw_their_data(scored, four_dims):
    frame, scores = scored
    seg = pd.Series(np.tile([0, 1], 20), index=scores.index, dtype="Int64")
    ax = plots.plot_benefits_sacrifices(scores, segments=seg, names={0: "a", 1: "b"}, kind="scatter")
    from matplotlib.collections import PathCollection

    offsets = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    assert len(offsets) == scores["value_ratio"].notna().sum()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0: a", "1: b"]
    ax = plots.plot_benefits_sacrifices(scores, kind="hexbin", ax=plt.figure().gca())
    assert ax.collections[-1].get_array().sum() == scores["value_ratio"].notna().sum()

    table = pd.DataFrame({"segment": [0, 1], "share_destroyed": [0.2, 0.5], "ci_low": [0.1, 0.4],
                          "ci_high": [0.3, 0.6]})
    ax = plots.plot_share_destroyed(table, names={0: "a"}, ax=plt.figure().gca())
    assert [p.get_width() for p in ax.patches] == [0.2, 0.5]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0: a", "1"]

    drivers = pd.DataFrame({"group": "all", "driver": ["a", "b"], "label": ["A", "B"], "share": [-30.0, 70.0],
                            "ci_low": [-35.0, 60.0], "ci_high": [-25.0, 80.0], "r2": 0.5, "n": 100})
    ax = plots.plot_drivers(drivers, ax=plt.figure().gca())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A"]  # by absolute share
    assert [p.get_width() for p in ax.patches] == [70.0, -30.0]


def test_value_map_and_ipa_plots(four_dims):
    vm = pd.DataFrame({"relative_benefits": [1.1, 0.9, 1.0, 1.2], "relative_sacrifices": [0.95, 1.05, 1.0, 0.9],
                       "n": [300, 200, 90, 10]}, index=pd.Index(["all", 0, 1, "(missing)"], name="group"))
    ax = plots.plot_value_map(vm, names={0: "zero", 1: "a long name that would collide with the others"},
                              competitor="Rival")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Rival", "all customers", "0: zero",
                                                           "1: a long name that would collide with the others"]
    assert legend.get_title().get_text() == "not drawn: 10 customers without a segment (incomplete profile)"
    points = [tuple(c.get_offsets()[0]) for c in ax.collections if len(c.get_offsets()) == 1]
    assert (0.95, 1.1) in points and (1.0, 1.0) in points and (0.9, 1.2) not in points  # no segment: not drawn
    assert "fair value" in [t.get_text() for t in ax.texts]
    ax.figure.savefig(io.BytesIO(), bbox_inches="tight")
    assert _collisions(ax.figure) == []
    ipa = pd.DataFrame({"driver": ["a", "b"], "label": ["A", "B"], "kind": ["benefit", "sacrifice"],
                        "importance": [10.0, 30.0], "performance": [5.0, 3.0], "quadrant": ["", ""]})
    ipa.attrs.update(importance_mean=20.0, performance_mean=4.0)
    ax = plots.plot_importance_performance(ipa, ax=plt.figure().gca())
    points = np.vstack([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    assert np.allclose(points, [[5.0, 10.0], [3.0, 30.0]])
    assert {"concentrate here", "keep up the good work", "low priority", "possible overkill"} <= {t.get_text() for t in ax.texts}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["benefit", "sacrifice (turned round)"]


def test_importance_performance_labels_never_collide():
    """Drivers of nearly the same importance and performance (three sacrifices near zero, as
    on the demo) keep their labels apart and inside the frame."""
    ipa = pd.DataFrame({"driver": list("abcdef"), "label": ["Energy", "Risk", "Emotional cost", "Economic", "Money",
                                                             "Functional"],
                        "kind": ["sacrifice"] * 3 + ["benefit", "sacrifice", "benefit"],
                        "importance": [0.8, 0.2, 1.8, 47.2, 22.7, 15.2], "performance": [4.1, 4.2, 4.15, 4.3, 3.7, 4.9],
                        "quadrant": [""] * 6})
    ipa.attrs.update(importance_mean=14.6, performance_mean=4.2)
    fig, ax = plt.subplots(figsize=(7, 5))
    plots.plot_importance_performance(ipa, ax=ax)
    fig.savefig(io.BytesIO(), bbox_inches="tight")
    assert _collisions(fig) == []
    markers = ax.collections[0].get_offsets()
    assert all(ax.get_ylim()[0] < y < ax.get_ylim()[1] for _, y in np.vstack([c.get_offsets() for c in ax.collections]))
    assert len(markers)


# -- comparisons: each group against the rest ---------------------------------------------

def test_group_means_draw_the_comparison_table():
    from valuekit.analyse.significance import compare_groups

    rng = np.random.default_rng(5)
    groups = pd.Series(np.repeat(["x", "y", "z", "tiny"], [100, 100, 90, 10]), name="grp")
    df = pd.DataFrame({"a": rng.normal(4, 1, 300) + np.where(groups == "x", 1.0, 0.0),
                       "value_ratio": rng.uniform(0.5, 1.6, 300)})
    df["verdict"] = np.where(df["value_ratio"] < 1 / 1.05, "destroyed", "created")
    table = compare_groups(df, groups, measures=["a", "share_destroyed"])
    rows = table[table["measure"] == "a"].set_index("group")
    assert rows.loc["x", "finding"] and not rows.loc["y", "finding"] and rows.loc["tiny", "note"]

    ax = plots.plot_group_means(table, measure="a", names={"x": "ex"})
    containers = ax.containers
    assert len(containers) == 4  # one point and interval per group, in the table's order
    for xi, (group, row), c in zip(range(4), rows.iterrows(), containers):
        assert c.lines[0].get_xdata()[0] == xi
        assert c.lines[0].get_ydata()[0] == pytest.approx(row["group_value"])
        (x0, low), (x1, high) = c.lines[2][0].get_segments()[0]  # the vertical error bar
        assert x0 == x1 == xi
        assert (low, high) == pytest.approx((row["group_ci_low"], row["group_ci_high"]))
    at = {group: c.lines[0] for group, c in zip(rows.index, containers)}
    finding, plain, grey = at["x"], at["y"], at["tiny"]
    assert finding.get_marker() == "^" and finding.get_markerfacecolor() == finding.get_markeredgecolor()
    assert plain.get_marker() == "o" and plain.get_markerfacecolor() == "white"
    assert rows.loc["z", "direction"] == "lower" and at["z"].get_marker() == "v"
    assert at["z"].get_color() != finding.get_color()  # coloured as style_comparisons: good vs bad
    assert grey.get_markeredgecolor() != plain.get_markeredgecolor()  # not compared: greyed
    rest = [c for c in ax.collections if c.get_label() == "rest of the sample"][0]
    np.testing.assert_allclose([seg[0][1] for seg in rest.get_segments()], rows["rest_value"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{g}: ex\nn = {n}" if g == "x" else f"{g}\nn = {n}" for g, n in zip(rows.index, rows["n"])]
    assert set(rows["n"].items()) == {("x", 100), ("y", 100), ("z", 90), ("tiny", 10)}
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"finding: good for customers", "not compared",
                                                                  "rest of the sample"}

    ax = plots.plot_group_means(table, grouping="grp", measure="share_destroyed", ax=plt.figure().gca())
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "25%"
    shares = table[table["measure"] == "share_destroyed"]["group_value"].to_numpy()
    np.testing.assert_allclose([c.lines[0].get_ydata()[0] for c in ax.containers], shares)
    with pytest.raises(ValueError, match="'b'.*available: \\['a', 'share_destroyed'\\]"):
        plots.plot_group_means(table, measure="b")
    with pytest.raises(ValueError, match="grouping 'segment'"):
        plots.plot_group_means(table, grouping="segment", measure="a")


# -- the value path model ----------------------------------------------------------------
import dataclasses  # noqa: E402

from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle  # noqa: E402

from valuekit.errors import ParameterError  # noqa: E402


@pytest.fixture(scope="module")
def partial_path():
    """The demo's value path with direct paths (partial mediation): overall value -> outcome
    is then not significant while most other paths are."""
    import valuekit as vk
    from valuekit.measure.sem import value_path

    s = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    res = value_path(s.data, s.codebook, weights=s.codebook.weight, direct=True, n_boot=20, random_state=1)
    return res, s.codebook


def _arrows(ax):
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch)]


def _decimals(value, sign=True):
    return (f"{value:+.2f}" if sign else f"{value:.2f}").replace("0.", ".", 1)


def test_path_diagram_draws_every_path_as_its_table(partial_path):
    res, cb = partial_path
    paths = res.paths
    assert paths["significant"].any() and not paths["significant"].all()
    given = plt.figure(figsize=(10, 7)).gca()
    ax = plots.plot_path_diagram(res, ax=given, codebook=cb, lang="es")
    assert ax is given and isinstance(ax, plt.Axes) and not ax.axison
    arrows = _arrows(ax)
    assert len(arrows) == len(paths)  # one per path, in the table's order
    for arrow, significant in zip(arrows, paths["significant"]):
        assert arrow.get_linestyle() == ("-" if significant else "--")
    dashed = [a for a, sig in zip(arrows, paths["significant"]) if not sig]
    assert {a.get_edgecolor() for a in dashed} != {a.get_edgecolor() for a in arrows if a not in dashed}
    to_value = paths["kind"] == "to value"  # wider for a stronger path
    widths = np.array([a.get_linewidth() for a, tv in zip(arrows, to_value) if tv])
    order = np.argsort(paths.loc[to_value, "std_estimate"].abs().to_numpy())
    assert np.all(np.diff(widths[order]) > 0)
    texts = [t.get_text() for t in ax.texts]
    flat = {t.replace("\n", " ") for t in texts}
    for factor in cb.dimensions + cb.sacrifices:
        assert cb.label(factor, "es") in flat
    assert "Valor percibido global" in flat
    strongest = paths.loc[paths["std_estimate"].abs().idxmax(), "std_estimate"]
    assert _decimals(strongest) in texts and _decimals(strongest).startswith(("+.", "-."))
    r2 = [t for t in texts if t.startswith("R² ")]
    assert sorted(r2) == sorted(f"R² {_decimals(v, sign=False)}" for v in res.r2["r2"])
    assert len(r2) == 1 + len(res.outcomes)


def test_path_diagram_layout_and_names_without_a_codebook(partial_path):
    res, cb = partial_path
    ax = plots.plot_path_diagram(res, show_direct=False)
    shown = res.paths[res.paths["kind"] != "direct"]
    assert len(_arrows(ax)) == len(shown)
    at = {t.get_text().replace("\n", " "): t.get_position() for t in ax.texts}
    assert "overall value" in at and "emotional" in at  # names, underscores as spaces
    benefits = [at[d][1] for d in cb.dimensions]
    sacrifices = [at[s][1] for s in cb.sacrifices]
    assert max(sacrifices) < min(benefits)  # the sacrifices below the benefits
    assert at["functional"][0] < at["overall value"][0] < at["satisfaction"][0]  # left, middle, right
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == len(cb.dimensions + cb.sacrifices)  # the single-item outcomes are boxes
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 1 + len(res.outcomes)
    assert {e.get_facecolor() for e in ellipses if e.center[1] in sacrifices} != \
           {e.get_facecolor() for e in ellipses if e.center[1] in benefits}


def test_path_diagram_without_a_mediator(partial_path):
    res, cb = partial_path
    paths = res.paths[res.paths["kind"] != "value to outcome"].assign(kind="direct")
    bare = dataclasses.replace(res, mediator=None, direct=False, outcomes=["overall_value"] + res.outcomes,
                               paths=paths.reset_index(drop=True))
    ax = plots.plot_path_diagram(bare, codebook=cb)
    arrows = _arrows(ax)
    assert len(arrows) == len(paths)
    assert all(a.get_linestyle() == ("-" if sig else "--") for a, sig in zip(arrows, paths["significant"]))
    assert len([t for t in ax.texts if t.get_text().startswith("R² ")]) == 4


def test_path_diagram_checks_its_arguments(partial_path):
    res, _ = partial_path
    with pytest.raises(ParameterError, match="result") as err:
        plots.plot_path_diagram(res.paths)
    assert err.value.name == "result"
    for name, kw in (("ax", {"ax": "axes"}), ("lang", {"lang": "fr"}), ("codebook", {"codebook": 5}),
                     ("show_direct", {"show_direct": "yes"})):
        with pytest.raises(ParameterError) as err:
            plots.plot_path_diagram(res, **kw)
        assert err.value.name == name


# -- percentage axes: a tick's label is its value ------------------------------------------

def _percent_ticks(ax, axis="x"):
    """The drawn tick labels of a percentage axis, read as numbers, and the tick values in %."""
    ax.figure.canvas.draw()
    which = ax.xaxis if axis == "x" else ax.yaxis
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    ticks = [t for t in which.get_major_ticks() if low - 1e-12 <= t.get_loc() <= high + 1e-12]
    texts = [t.label1.get_text() for t in ticks]
    assert all(text.endswith("%") for text in texts), texts
    return texts, [float(t.replace("\u2212", "-")[:-1]) for t in texts], [100 * t.get_loc() for t in ticks]


@pytest.mark.parametrize("high", [0.041, 0.13, 0.21, 0.6, 0.0093])
def test_percentage_ticks_are_labelled_with_their_own_values(high):
    """Ticks on half or quarter percents read 2.5%, 7.5%, ..., never 2%, 8% (nor '0%, 0%')."""
    from valuekit.present.plots import plot_scenario_comparison, plot_scenario_shares, plot_share_destroyed

    table = pd.DataFrame({"a": [high / 2, high / 3, high / 4, high / 2], "b": [high / 2, high / 1.5, high / 2, high]},
                         index=["share_destroyed_before", "share_destroyed_after", "share_destroyed_after_low",
                                "share_destroyed_after_high"])
    summary = pd.DataFrame({"share_destroyed_before": [high / 2, high / 1.2],
                            "share_destroyed_after": [high / 3, high / 1.5]}, index=["all", 0])
    shares = pd.DataFrame({"segment": [0, 1], "share_destroyed": [high / 2, high / 3],
                           "ci_low": [high / 4, high / 5], "ci_high": [high * 0.8, high / 2]})
    for draw in (lambda ax: plot_scenario_comparison(table, ax=ax), lambda ax: plot_scenario_shares(summary, ax=ax),
                 lambda ax: plot_share_destroyed(shares, ax=ax)):
        fig, ax = plt.subplots()
        draw(ax)
        texts, shown, values = _percent_ticks(ax)
        assert len(set(texts)) == len(texts) >= 3, texts
        np.testing.assert_allclose(shown, values, atol=1e-9)
        plt.close(fig)


def test_likert_percent_ticks_are_distances_from_the_middle(four_dims):
    frame = pd.DataFrame({"f1": [1, 7, 7, 4], "f2": [2, 2, 2, 2]})
    ax = plot_likert(frame, codebook=four_dims, block="functional")
    ax.set_xlim(-0.3, 0.3)  # ticks every 10 % (or 5 %): as labelled
    texts, shown, values = _percent_ticks(ax)
    np.testing.assert_allclose(shown, np.abs(values), atol=1e-9)
    assert "0%" in texts and all("\u2212" not in t for t in texts)


def test_importance_performance_plot_all_withheld(demo_small):
    import matplotlib.pyplot as plt

    from valuekit.analyse.drivers import importance_performance, key_drivers
    from valuekit.present import plots

    cb, scores, data = demo_small
    outcome = next(iter(cb.outcomes.values()))
    drivers = cb.dimensions + cb.sacrifices
    kd = key_drivers(data, outcome, drivers, codebook=cb, n_boot=0)
    assert kd["share"].isna().all()
    ipa = importance_performance(kd, scores, codebook=cb)
    assert (ipa["quadrant"] == "no estimate").all()
    assert ipa.attrs["notes"] and "too few respondents" in ipa.attrs["notes"][0]
    ax = plots.plot_importance_performance(ipa)
    assert isinstance(ax, plt.Axes)
    text = " ".join(t.get_text() for t in ax.texts)
    assert "no driver estimate" in text and "too few respondents" in text
    assert isinstance(plots.plot_drivers(kd), plt.Axes)


# 3. survey weights that are all zero
def test_all_zero_weights_are_refused(demo_scores):
    from valuekit.analyse.segments import share_destroyed
    from valuekit.measure.scoring import mean_scores, summarize_value
    from valuekit.present import plots

    _, scores = demo_scores
    zero = np.zeros(len(scores))
    seg = pd.Series(np.arange(len(scores)) % 2, index=scores.index, dtype="Int64")
    for call in (lambda: summarize_value(scores, weights=zero), lambda: mean_scores(scores, weights=zero),
                 lambda: share_destroyed(scores, seg, weights=zero), lambda: plots.plot_value_ratio(scores, weights=zero)):
        with pytest.raises(ParameterError, match="weights: all weights are zero"):
            call()


def test_a_segment_weighted_zero_gets_a_note_not_a_warning(demo_scores):
    import matplotlib.pyplot as plt

    from valuekit.analyse.segments import segment_profiles, share_destroyed
    from valuekit.present import plots

    survey, scores = demo_scores
    seg = pd.Series(np.arange(len(scores)) % 3, index=scores.index, dtype="Int64")
    w = np.where(seg.to_numpy() == 2, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        table = share_destroyed(scores, seg, weights=w).set_index("segment")
        profiles = segment_profiles(scores, seg, codebook=survey.codebook, data=survey.data, weights=w)
        ax = plots.plot_share_destroyed(table.reset_index(), ax=plt.figure().gca())
    assert np.isnan(table.loc[2, "share_destroyed"]) and "weights are zero" in table.loc[2, "note"]
    assert table.loc[0, "note"] == "" and np.isfinite(table.loc[0, "share_destroyed"])
    assert "weights are zero" in profiles.loc[2, "note"] and profiles.loc[0, "note"] == ""
    assert any("weights are zero" in t.get_text() for t in ax.texts)


# 4. Likert answers between scale points
def test_likert_says_how_many_answers_are_not_shown(codebook_dict):
    from valuekit import Codebook
    from valuekit.present.plots import plot_likert

    codebook_dict["benefits"]["experiential"] = ["x1"]
    codebook_dict["benefits"]["symbolic"] = ["s1"]
    cb = Codebook.from_dict(codebook_dict)
    frame = pd.DataFrame({"f1": [1, 3.5, 3.5, 4, 7], "f2": [2, 2, 2, 2, 2]})
    ax = plot_likert(frame, codebook=cb, block="functional")
    assert "2 answers between scale points" in ax.get_title()
    clean = plot_likert(frame.assign(f1=[1, 3, 3, 4, 7]), codebook=cb, block="functional")
    assert "not shown" not in clean.get_title()


def _text_boxes(fig):
    """The drawn extents of every visible text of a figure (tick labels, labels, titles,
    annotations, legend entries), in display pixels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    undrawn = _undrawn_tick_labels(fig)
    out = []
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_visible() and text.get_text().strip() and text.figure is fig and id(text) not in undrawn:
            out.append((text.get_text(), text.get_window_extent(renderer)))
    return out


def _undrawn_tick_labels(fig) -> set:
    """The tick labels matplotlib keeps for ticks beyond an axis' limits (a locator's tick
    below 0 % or above the last value), and those of a hidden axis (a twin's shared x): they
    stay "visible" but are never drawn."""
    out = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():  # a twin's shared axis: its labels are the other axes' own
                out.update(id(t) for t in axis.get_ticklabels(which="both") + [axis.label])
                continue
            low, high = sorted(axis.get_view_interval())
            tolerance = 1e-9 * max(abs(low), abs(high), 1.0)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - tolerance <= tick.get_loc() <= high + tolerance:
                    out.update({id(tick.label1), id(tick.label2)})
    return out


def _collisions(fig) -> list:
    """Pairs of texts that overlap (by more than a pixel each way), and texts drawn in an
    axes (annotations, counts) that leave it. Labels, ticks, titles and legends live outside
    the axes; the notebooks save figures with a tight box, so none is cut."""
    boxes = _text_boxes(fig)
    out = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            both = box_a.intersection(box_a, box_b)
            if both is not None and both.width > 1 and both.height > 1:
                out.append((a, b))
    for ax in fig.axes:
        frame = ax.get_window_extent()
        out += [(t.get_text(), "outside its axes") for t in ax.texts
                if t.get_visible() and t.get_text().strip() and t.get_transform() is not ax.transAxes
                and (t.get_window_extent().x1 > frame.x1 + 1 or t.get_window_extent().x0 < frame.x0 - 1
                     or t.get_window_extent().y1 > frame.y1 + 1 or t.get_window_extent().y0 < frame.y0 - 1)]
    return out


def test_the_audit_chart_keeps_its_counts_and_legend_clear(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    plot_audit_flags(survey.audit, ax=ax)
    fig.savefig(io.BytesIO(), bbox_inches="tight")  # as the notebooks show it
    assert _collisions(fig) == []
    bars = [p.get_window_extent() for p in ax.patches if p.get_width() > 0]
    legend = ax.get_legend().get_window_extent()
    assert not any(legend.overlaps(b) for b in bars)
    counts = [t for t in ax.texts if t.get_text().strip().isdigit()]
    right = ax.get_window_extent().x1
    assert counts and all(t.get_window_extent().x1 <= right for t in counts)  # every count inside the axes


# -- readable for a manager: the four charts at the notebooks' sizes ------------------------
import valuekit as vk  # noqa: E402
from valuekit.analyse.segments import ValueSegmenter, segment_profiles  # noqa: E402

_CHART_SURVEYS = {"demo": (vk.DEMO_DATA, vk.DEMO_CODEBOOK, "en"),
                  "clinic": (vk.DATA_DIR / "clinic_survey.csv", vk.DATA_DIR / "clinic_codebook.yaml", "es")}


@pytest.fixture(scope="module", params=list(_CHART_SURVEYS))
def bundled(request):
    """A bundled survey (the demo, the Spanish clinic) scored and segmented, with its language."""
    data, codebook, lang = _CHART_SURVEYS[request.param]
    survey = vk.load_survey(data, codebook=codebook)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    segments = ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
    names = segment_profiles(scores, segments, codebook=survey.codebook, weights=survey.weights,
                             lang=lang)["name"].to_dict()
    return request.param, survey, scores, segments, names, lang


def _drawn_clear(fig):
    fig.savefig(io.BytesIO(), bbox_inches="tight")  # as the notebooks show it
    return _collisions(fig)


def _title(ax):
    return " ".join(ax.get_title().split())


def test_segment_radars_one_readable_panel_per_segment(bundled):
    _, survey, scores, segments, names, lang = bundled
    fig = plots.plot_segment_radars(scores, segments, codebook=survey.codebook, names=names, lang=lang,
                                    weights=survey.weights)
    assert _drawn_clear(fig) == []
    levels = sorted(segments.dropna().unique())
    assert [_title(ax) for ax in fig.axes] == [" ".join(f"{s}: {names[s]}".split()) for s in levels]
    assert all(ax.name == "polar" for ax in fig.axes)
    fills = []
    for ax in fig.axes:  # one outline with one light fill, and the thin grey sample average
        polygons = [p for p in ax.patches if isinstance(p, matplotlib.patches.Polygon)]
        assert len(polygons) == 1 and polygons[0].get_alpha() < 0.5
        sample, segment = ax.lines
        assert sample.get_linewidth() < segment.get_linewidth()
        assert matplotlib.colors.to_rgb(polygons[0].get_facecolor()) == matplotlib.colors.to_rgb(segment.get_color())
        fills.append(matplotlib.colors.to_rgb(segment.get_color()))
        labels = [t.get_text() for t in ax.get_xticklabels()]
        dims = survey.codebook.dimensions
        assert [" ".join(t.split()) for t in labels] == [survey.codebook.label(d, lang) for d in dims]
    assert len(set(fills)) == len(levels)  # each segment its own colour
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 2 and legend[0] == plots._chart_text("radar_sample", lang)  # said once, for all panels
    plt.close(fig)


def test_segment_radars_become_bars_beyond_four_segments(bundled):
    _, survey, scores, _, _, lang = bundled
    segments = pd.Series(np.arange(len(scores)) % 8, index=scores.index, dtype="Int64")
    names = {k: (f"segment {k} whose name is long, " * 3)[:60] for k in range(8)}
    fig = plots.plot_segment_radars(scores, segments, codebook=survey.codebook, names=names, lang=lang)
    assert _drawn_clear(fig) == []
    assert len(fig.axes) == 8 and not any(ax.name == "polar" for ax in fig.axes)
    assert [_title(ax) for ax in fig.axes] == [f"{k}: {names[k]}".strip() for k in range(8)]  # never cut
    measures = survey.codebook.dimensions + survey.codebook.sacrifices
    first = fig.axes[0]
    assert [t.get_text() for t in first.get_yticklabels()] == [survey.codebook.label(m, lang) for m in measures]
    at = (segments == 0).to_numpy()
    means = [np.nanmean(scores.loc[at, m]) for m in measures]
    np.testing.assert_allclose([p.get_x() + p.get_width() for p in first.patches], means)
    plt.close(fig)


def test_likert_charts_of_every_block_stay_clear(bundled):
    _, survey, _, _, _, lang = bundled
    blocks = survey.codebook.dimensions + survey.codebook.sacrifices
    fig, axes = plt.subplots(len(blocks), 1, figsize=(8, 2.6 * len(blocks)))
    for ax, block in zip(fig.axes, blocks):
        plot_likert(survey.data, codebook=survey.codebook, block=block, lang=lang, ax=ax)
    fig.tight_layout()
    assert _drawn_clear(fig) == []
    scale, cb = survey.codebook.scale, survey.codebook  # both codebooks name their scale's ends
    ends = [t.get_text() for t in fig.axes[0].texts]
    assert ends == [f"← {cb.label(f'scale_{scale.min:g}', lang)}", f"{cb.label(f'scale_{scale.max:g}', lang)} →"]
    assert ends[0] in ("← Strongly disagree", "← Nada de acuerdo")
    plt.close(fig)


def test_likert_turns_reverse_keyed_items_round(bundled):
    _, survey, _, _, _, lang = bundled
    cb = survey.codebook
    block = next(b for b in cb.dimensions + cb.sacrifices if any(cb.items[c].reverse for c in cb.block_items(b)))
    items = cb.block_items(block)
    ax = plot_likert(survey.data, codebook=cb, block=block, lang=lang, ax=plt.figure(figsize=(8, 3)).gca())
    points = np.arange(cb.scale.min, cb.scale.max + 1)
    widths = np.array([p.get_width() for p in ax.patches]).reshape(len(points), len(items))
    for k, item in enumerate(items):
        answers = survey.data[item].dropna().to_numpy()
        shares = np.array([np.mean(answers == v) for v in points])
        np.testing.assert_allclose(widths[:, k], shares[::-1] if cb.items[item].reverse else shares)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    reversed_label = plots._chart_text("likert_reversed", lang, label="")
    assert [label.endswith(reversed_label.strip()) for label in labels] == [cb.items[c].reverse for c in items]
    assert not any("(rev.)" in label or "(inv.)" in label for label in labels)  # the codebook's mark replaced
    plt.close(ax.figure)


def test_likert_ends_are_the_codebook_scale_labels(codebook_dict):
    codebook_dict["labels"] = {"scale_1": {"en": "Strongly disagree", "es": "Totalmente en desacuerdo"},
                               "scale_7": {"en": "Strongly agree", "es": "Totalmente de acuerdo"}}
    cb = Codebook.from_dict(codebook_dict)
    frame = pd.DataFrame({"f1": [1, 7, 7, 4], "f2": [2, 2, 2, 2]})
    for lang in ("en", "es"):
        ax = plot_likert(frame, codebook=cb, block="functional", lang=lang, ax=plt.figure(figsize=(8, 2.6)).gca())
        left, right = ax.texts
        assert left.get_text() == f"← {cb.label('scale_1', lang)}"
        assert right.get_text() == f"{cb.label('scale_7', lang)} →"
        assert left.get_position()[0] == 0 and left.get_ha() == "left"  # at the ends
        assert right.get_position()[0] == 1 and right.get_ha() == "right"
        ax.figure.savefig(io.BytesIO(), bbox_inches="tight")
        assert _collisions(ax.figure) == []
        xlabel = ax.xaxis.label.get_window_extent()
        assert not any(xlabel.overlaps(t.get_window_extent()) for t in ax.get_xticklabels() if t.get_text())
        plt.close(ax.figure)


@pytest.fixture(scope="module")
def demo_tracking():
    from valuekit.analyse.waves import compare_waves, load_waves, wave_trends

    waves = load_waves([vk.DEMO_DATA, vk.DEMO_WAVE3], vk.DEMO_CODEBOOK, wave_column="wave")
    scores = waves.scores()
    segments = waves.segments(scores, n_segments=4, random_state=2026).rename("segment")
    return (waves, compare_waves(waves, scores, by=segments), wave_trends(waves, scores, by=segments))


def _tracking_page(trends, table, codebook, lang="en", names=None):
    """The notebook's 2 x 2 page of trends."""
    from valuekit.analyse.waves import moved_measures

    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    plots.plot_trend(trends, "share_destroyed", comparisons=table, ax=axes[0, 0], codebook=codebook, lang=lang)
    plots.plot_trend(trends, "value_ratio", comparisons=table, ax=axes[0, 1], codebook=codebook, lang=lang)
    shown = moved_measures(table, scope="segment") + [codebook.sacrifices[0], codebook.dimensions[0]]
    for ax, measure in zip(axes[1], shown):
        plots.plot_trend(trends, measure, comparisons=table, scope="segment", names=names, ax=ax, codebook=codebook,
                         lang=lang)
    fig.tight_layout()
    return fig


def _marks(ax):
    return {t.get_text(): matplotlib.colors.to_hex(t.get_color()) for t in ax.texts}


def test_trend_page_of_the_demo_names_its_waves_and_colours_its_findings(demo_tracking):
    waves, table, trends = demo_tracking
    fig = _tracking_page(trends, table, waves.codebook)
    assert _drawn_clear(fig) == []
    for ax in fig.axes:  # the demo's codebook names its waves (labels: wave_1: March 2025, ...)
        assert [t.get_text() for t in ax.get_xticklabels()] == ["March 2025", "September 2025", "March 2026"]
    groups = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert "No segment (incomplete profile)" in groups and "(missing)" not in groups  # never a segment's name
    plain, ax = plt.subplots()
    plots.plot_trend(trends, "value_ratio", ax=ax)  # no codebook: bare numbers are written as waves
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"Wave {w}" for w in waves.labels]
    plt.close(plain)
    findings = table[table["finding"]]
    marked = [m for ax in fig.axes for m in _marks(ax).values()]
    assert marked and set(marked) <= {matplotlib.colors.to_hex(plots._HIGHER_GOOD),
                                      matplotlib.colors.to_hex(plots._LOWER_GOOD)}
    assert len(findings)
    plt.close(fig)


def test_trend_marks_a_sacrifice_rise_as_bad_and_names_text_waves(bundled):
    from valuekit.analyse.waves import compare_waves, wave_trends

    _, survey, scores, segments, names, lang = bundled
    cb = survey.codebook
    labels = ["2025-03", "2025-09", "2026-03"]
    wave = pd.Series(np.array(labels)[np.arange(len(scores)) % 3], index=scores.index)
    sacrifice, benefit = cb.sacrifices[0], cb.dimensions[0]
    moved = scores.copy()
    span = cb.scale.max - cb.scale.min
    moved.loc[wave == labels[-1], sacrifice] += 0.3 * span  # customers sacrifice more: bad
    moved.loc[wave == labels[-1], benefit] += 0.3 * span  # and get more: good
    table = compare_waves(moved, wave=wave, codebook=cb, by=segments.rename("segment"))
    trends = wave_trends(moved, wave=wave, codebook=cb, by=segments.rename("segment"))
    fig = _tracking_page(trends, table, cb, lang=lang, names=names)
    assert _drawn_clear(fig) == []
    plt.close(fig)
    colours = {}
    for measure in (sacrifice, benefit):
        fig, ax = plt.subplots(figsize=(6, 4))
        plots.plot_trend(trends, measure, comparisons=table, ax=ax, codebook=cb, lang=lang)
        assert [t.get_text() for t in ax.get_xticklabels()] == labels
        (text, colour), = _marks(ax).items()
        assert text.startswith("▲ +")
        key = [t.get_text() for t in ax.artists[0].get_texts()]  # the colours' key, apart from the groups' legend
        colours[measure] = colour, key
        plt.close(fig)
    assert colours[sacrifice][0] == matplotlib.colors.to_hex(plots._LOWER_GOOD)
    assert colours[benefit][0] == matplotlib.colors.to_hex(plots._HIGHER_GOOD)
    assert colours[sacrifice][1] == [plots._chart_text("trend_bad", lang)]
    assert colours[benefit][1] == [plots._chart_text("trend_good", lang)]


@pytest.fixture(scope="module")
def bundled_path(bundled):
    from valuekit.measure.sem import value_path

    name, survey, *_, lang = bundled
    cb = survey.codebook
    mediator = "overall_value" if "overall_value" in cb.outcomes else None
    return value_path(survey.data, cb, mediator=mediator, weights=cb.weight, direct=True, n_boot=20,
                      random_state=1), cb, lang


def _path_labels(ax, res):
    """Each arrow with the text of its estimate (in the paths' order)."""
    shown = [t for t in ax.texts if t.get_text().startswith(("+", "-", "n/a"))]
    assert len(shown) == len(_arrows(ax)) == len(res.paths)
    return list(zip(_arrows(ax), shown))


def test_path_diagram_writes_each_estimate_on_its_path(bundled_path):
    res, cb, lang = bundled_path
    fig, ax = plt.subplots(figsize=(10, 6.5))
    plots.plot_path_diagram(res, ax=ax, codebook=cb, lang=lang)
    assert _drawn_clear(fig) == []
    significant = res.paths["significant"].to_numpy()
    widths = np.array([a.get_linewidth() for a in _arrows(ax)])
    assert significant.any() and (~significant).any()
    assert widths[significant].min() > widths[~significant].max()  # the significant paths stand out
    for (arrow, text), kind in zip(_path_labels(ax, res), res.paths["kind"]):
        path = arrow.get_path()  # the arrow as drawn, from its source's edge to its head
        drawn = path.vertices[path.codes != path.CLOSEPOLY]
        start, end = drawn[0], drawn[np.argmax(np.linalg.norm(drawn - drawn[0], axis=1))]
        at = np.asarray(text.get_position())
        along = np.dot(at - start, end - start) / np.dot(end - start, end - start)
        (dx, dy), (ax_, ay) = end - start, at - start
        off = abs(dx * ay - dy * ax_) / np.hypot(dx, dy)
        assert off < 0.05, text.get_text()  # on its own line
        middle = (0.3, 0.7) if kind != "direct" or res.mediator is None else (0.15, 0.85)
        assert middle[0] <= along <= middle[1], (text.get_text(), along)  # about the middle, not at the head
        assert text.get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


# -- every other chart, on both bundled surveys and on eight long-named segments --------------------

def _every_chart(survey, scores, segments, names, lang):
    """Each remaining chart function as the notebooks draw it: (name, size, draw(fig))."""
    from valuekit.analyse.competitor import has_comparisons, value_map
    from valuekit.analyse.drivers import importance_performance
    from valuekit.analyse.segments import choose_k, share_destroyed
    from valuekit.analyse.significance import compare_groups

    cb = survey.codebook
    outcome = list(cb.outcomes.values())[0]
    drivers = vk.key_drivers(survey, scores.join(survey.data[[outcome]]), outcome, cb.dimensions + cb.sacrifices,
                             n_boot=20, random_state=1)
    profiles = segment_profiles(survey, scores, segments, lang=lang)
    versus = compare_groups(survey, scores, {"segment": segments})

    def radars(fig):
        plot_value_radar(scores, codebook=cb, weights=survey.weights, lang=lang,
                         ax=fig.add_subplot(1, 2, 1, projection="polar"))
        plot_value_radar(scores, codebook=cb, by=segments, weights=survey.weights, lang=lang,
                         ax=fig.add_subplot(1, 2, 2, projection="polar"))

    charts = [
        ("benefits_sacrifices", (7, 7), lambda ax: plots.plot_benefits_sacrifices(
            scores, segments=segments, names=names, codebook=cb, lang=lang, ax=ax)),
        ("share_destroyed", (7, 3), lambda ax: plots.plot_share_destroyed(
            share_destroyed(survey, scores, segments), names=names, ax=ax)),
        ("sacrifice_heatmap", (8, 3.5), lambda ax: plots.plot_sacrifice_heatmap(profiles, codebook=cb, lang=lang,
                                                                                ax=ax)),
        ("drivers", (7, 4), lambda ax: plots.plot_drivers(drivers, ax=ax)),
        ("importance_performance", (7, 5), lambda ax: plots.plot_importance_performance(
            importance_performance(survey, drivers, scores), ax=ax)),
        ("value_ratio", (8, 3.8), lambda ax: plots.plot_value_ratio(scores, weights=survey.weights, codebook=cb,
                                                                    lang=lang, ax=ax)),
        ("cell_problems", (7, 5), lambda ax: plots.plot_cell_problems(survey.audit, codebook=cb, lang=lang, top=15,
                                                                      ax=ax)),
        ("completion_times", (7, 3.2), lambda ax: plots.plot_completion_times(survey, ax=ax)),
        ("audit_flags", (7, 3.2), lambda ax: plots.plot_audit_flags(survey.audit, ax=ax)),
        ("k_selection", (7, 3.5), lambda ax: plots.plot_k_selection(
            choose_k(survey, scores, k_range=[2, 3, 4], random_state=1, n_init=1), chosen=3, ax=ax)),
        ("group_means", (7, 4), lambda ax: plots.plot_group_means(versus, grouping="segment",
                                                                  measure=cb.sacrifices[0], names=names, ax=ax)),
        ("value_radar", (12, 4.5), radars),
    ]
    if has_comparisons(cb):
        vmap = value_map(survey, by=segments, importance=drivers.set_index("driver")["share"])
        charts.append(("value_map", (6.5, 6.5), lambda ax: plots.plot_value_map(
            vmap, names=names, competitor=cb.competitor, ax=ax)))
    return charts


@pytest.fixture(scope="module")
def eight_long():
    """The demo cut into eight segments, each with a 60-character name."""
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    segments = ValueSegmenter(survey.codebook, n_segments=8, random_state=2026, n_init=2).fit(scores).labels_
    names = {k: f"customers of kind {k} who are " + "rather " * 5 + "long to name here" for k in range(8)}
    assert all(len(n) >= 60 for n in names.values())
    return "eight", survey, scores, segments, names, "en"


def _all_clear(name, survey, scores, segments, names, lang):
    drawn = []
    for chart, size, draw in _every_chart(survey, scores, segments, names, lang):
        fig = plt.figure(figsize=size)
        draw(fig) if chart == "value_radar" else draw(fig.add_subplot())
        drawn.append(chart)
        assert _drawn_clear(fig) == [], (name, chart)
        plt.close(fig)
    return drawn


def test_every_chart_keeps_its_labels_apart_and_inside(bundled):
    assert len(_all_clear(*bundled)) >= 12


def test_every_chart_keeps_eight_long_segment_names_apart_and_inside(eight_long):
    assert len(_all_clear(*eight_long)) == 13  # the demo has a competitor: the value map too


# -- the price and Kano charts ------------------------------------------------------------------------
from valuekit.analyse.kano import kano  # noqa: E402
from valuekit.analyse.pricing import gabor_granger, price_sensitivity  # noqa: E402
from valuekit.present import pricing_plots  # noqa: E402

PRICE_CHART_SIZES = [(7, 5), (7, 5), (7, 4.5), (7, 7)]


@pytest.fixture(scope="module")
def priced():
    survey = vk.load_demo()
    return (survey, price_sensitivity(survey, draws=200, random_state=0),
            gabor_granger(survey, draws=200, random_state=0), kano(survey, draws=200, random_state=0))


@pytest.mark.parametrize("lang", ["en", "es", "it"])
def test_the_price_charts_draw_their_results_and_stay_clear(priced, lang):
    survey, psm, ladder, attributes = priced
    cb = survey.codebook
    figures = [plt.figure(figsize=size) for size in PRICE_CHART_SIZES]  # as notebook 11 draws them
    axes = [f.add_subplot() for f in figures]
    ax = pricing_plots.plot_price_sensitivity(psm, lang=lang, codebook=cb, ax=axes[0])
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert len(ax.get_lines()) == 6  # four curves, the optimal and indifference points
    not_cheap = next(line for line in ax.get_lines() if line.get_linestyle() == "-" and line.get_color() == "#009E73")
    np.testing.assert_allclose(not_cheap.get_ydata(), psm.curves["not_cheap"])
    span = ax.patches[0].get_path().get_extents().transformed(ax.patches[0].get_patch_transform()) \
        if ax.patches else None
    low, high = psm.acceptable_range
    assert span is None or np.allclose([span.x0, span.x1], [low, high])
    ipp = [line for line in ax.get_lines() if line.get_marker() == "D"][0]
    assert ipp.get_xdata()[0] == pytest.approx(psm.points.loc["ipp", "price"])
    assert lines  # labelled
    pricing_plots.plot_trial_revenue(psm, lang=lang, codebook=cb, ax=axes[1])
    bars = pricing_plots.plot_price_ladder(ladder, lang=lang, codebook=cb, ax=axes[2])
    np.testing.assert_allclose([p.get_height() for p in bars.patches], ladder.table["revenue"])
    k = pricing_plots.plot_kano(attributes, lang=lang, codebook=cb, ax=axes[3])
    names = {t.get_text().replace("\n", " ") for t in k.texts}
    assert {cb.label(a, lang) for a in attributes.table.index} <= names
    for fig in figures:
        assert _drawn_clear(fig) == []
        texts = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
        assert "nan" not in texts.lower() and "—" not in texts
        plt.close(fig)


def test_the_ladder_says_when_the_best_price_is_at_its_edge(priced):
    _, _, ladder, _ = priced
    assert ladder.best.loc[0, "price"] == 49
    assert ladder.best.loc[0, "note"] == "the lowest price asked: the price earning most may lie below the ladder"


def test_the_price_charts_refuse_other_results(priced):
    _, psm, ladder, attributes = priced
    with pytest.raises(ParameterError, match="result"):
        pricing_plots.plot_price_sensitivity(ladder)
    with pytest.raises(ParameterError, match="group"):
        pricing_plots.plot_kano(attributes, group="nope")
