"""Tracking waves: loading and accounting per wave, wave-over-wave comparisons, trends, drivers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import valuekit as vk
from valuekit.analyse.significance import compare_groups
from valuekit.analyse.waves import compare_waves, drivers_by_wave, load_waves, wave_trends
from valuekit.errors import ParameterError, SurveyError
from valuekit.present.plots import plot_trend
from valuekit.survey.design import SurveyDesign
from valuekit.survey.io import read_survey_file


@pytest.fixture(scope="module")
def demo_waves():
    return load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")


@pytest.fixture(scope="module")
def demo_scores(demo_waves):
    return demo_waves.scores()


# -- loading ------------------------------------------------------------------------------------


def test_each_wave_is_audited_on_its_own_and_every_row_is_counted(demo_waves):
    raw, _ = read_survey_file(vk.DEMO_DATA)
    acc = demo_waves.accounting()
    per_wave = acc[acc["wave"] != "all"]
    assert per_wave["wave"].tolist() == ["1", "2"]
    assert per_wave["rows_in"].tolist() == raw["wave"].astype(str).value_counts().sort_index().tolist()
    assert (per_wave["rows_in"] == per_wave["rows_kept"] + per_wave["rows_excluded"]).all()
    total = acc[acc["wave"] == "all"].iloc[0]
    assert total["rows_in"] == len(raw)
    reasons = [c for c in acc.columns if c.startswith("excluded_")]
    assert (per_wave[reasons].sum(axis=1) == per_wave["rows_excluded"]).all()


def test_row_numbers_point_back_into_the_file(demo_waves):
    raw, _ = read_survey_file(vk.DEMO_DATA)
    wave2 = demo_waves["2"]
    rows = wave2.data.index.to_numpy()
    assert (raw["wave"].astype(str).iloc[rows - 1] == "2").all()
    ids = raw["respondent_id"].iloc[rows - 1].astype(int).to_numpy()
    assert (ids == wave2.data["respondent_id"].astype(int).to_numpy()).all()
    # the audit's row table uses the same numbers
    assert set(wave2.audit.rows["row"]) == set(np.flatnonzero(raw["wave"].astype(str).to_numpy() == "2") + 1)


def test_several_files_and_labels(tmp_path):
    raw, _ = read_survey_file(vk.DEMO_DATA)
    a, b = tmp_path / "spring.csv", tmp_path / "autumn.csv"
    raw[raw["wave"] == 1].to_csv(a, index=False)
    raw[raw["wave"] == 2].to_csv(b, index=False)
    by_name = load_waves([a, b], vk.DEMO_CODEBOOK)
    assert by_name.labels == ["spring", "autumn"]
    labelled = load_waves({"2025 Q1": a, "2025 Q3": b}, vk.DEMO_CODEBOOK)
    assert labelled.labels == ["2025 Q1", "2025 Q3"]
    assert labelled.sources == {"2025 Q1": "spring.csv", "2025 Q3": "autumn.csv"}
    split = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    # the same respondents, audited the same way, whichever way the waves arrive
    for label, other in zip(["1", "2"], ["2025 Q1", "2025 Q3"]):
        assert split[label].audit.rows_kept == labelled[other].audit.rows_kept
    # a file of one wave under a wave column keeps its dict label
    mixed = load_waves({"first": a, "second": b}, vk.DEMO_CODEBOOK, wave_column="wave")
    assert mixed.labels == ["first", "second"]


def test_wave_input_errors(tmp_path):
    raw, _ = read_survey_file(vk.DEMO_DATA)
    with pytest.raises(ParameterError, match="wave_column: one file is one wave"):
        load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK)
    with pytest.raises(SurveyError, match="wave column 'round' not found"):
        load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="round")
    blank = raw.astype({"wave": str})
    blank.loc[[4, 9], "wave"] = ""
    path = tmp_path / "blank.csv"
    blank.to_csv(path, index=False)
    with pytest.raises(SurveyError, match=r"blank.csv.*wave column 'wave' is blank in 2 row\(s\) \(data rows 5, 10\)"):
        load_waves(path, vk.DEMO_CODEBOOK, wave_column="wave")
    with pytest.raises(SurveyError, match="wave '1' appears in both"):
        load_waves([vk.DEMO_DATA, vk.DEMO_DATA], vk.DEMO_CODEBOOK, wave_column="wave")
    with pytest.raises(ParameterError, match="speeder: not an option of load_waves"):
        load_waves([vk.DEMO_DATA], vk.DEMO_CODEBOOK, speeder=0.2)
    with pytest.raises(ParameterError, match="sources: expected a file"):
        load_waves(42, vk.DEMO_CODEBOOK)
    with pytest.raises(ParameterError, match="wave_column: 'fun_ease_1' is a rated item"):
        load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="fun_ease_1")


def test_later_waves_are_typed_into_the_first_waves_segments(demo_waves, demo_scores):
    segments = demo_waves.segments(demo_scores, n_segments=4, random_state=0)
    segmenter = segments.attrs["segmenter"]
    first = demo_scores[demo_scores["wave"] == "1"].drop(columns="wave")
    # fitted on the first wave only: its labels are the fit's own
    assert segmenter.labels_.index.equals(first.index)
    assert segments.loc["1"].dropna().astype(int).equals(segmenter.labels_.loc[first.index].dropna().astype(int)
                                                         .set_axis(segments.loc["1"].dropna().index))
    later = demo_scores[demo_scores["wave"] == "2"].drop(columns="wave")
    assert segments.loc["2"].equals(segmenter.predict(later).set_axis(segments.loc["2"].index))


def test_segments_fitted_on_the_first_file_are_numbered_as_the_single_survey_notebooks_number_them(tmp_path):
    exclude = ["missing_id", "duplicate_id", "no_answers", "straightliner", "speeder", "invalid_weight"]
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK, exclude=exclude)
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    alone = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
    waves = load_waves([vk.DEMO_DATA, vk.DEMO_WAVE3], vk.DEMO_CODEBOOK, wave_column="wave", exclude=exclude)
    assert waves.labels == ["1", "2", "3"]
    stacked = waves.scores()
    segments = waves.segments(stacked, n_segments=4, random_state=2026, fit_on="first_file")
    fitted = segments.attrs["segmenter"].labels_
    assert len(fitted) == len(alone)  # waves 1 and 2: the first file's respondents
    # the same respondents get the same segment numbers as in the single-survey fit
    both = segments.drop(index="3", level="wave").droplevel("wave")
    assert both.reindex(alone.index).equals(alone)
    listed = waves.segments(stacked, n_segments=4, random_state=2026, fit_on=["1", "2"])
    assert listed.equals(segments)
    with pytest.raises(ParameterError, match="fit_on: expected 'first', 'first_file' or a list of wave labels"):
        waves.segments(stacked, fit_on=["9"])


# -- comparisons --------------------------------------------------------------------------------


def test_two_waves_equal_compare_groups_on_the_later_wave(demo_waves, demo_scores):
    """With two waves, "wave 2 against wave 1" is compare_groups' "wave 2 against the rest"."""
    w = demo_waves.weights()
    waves = compare_waves(demo_scores, codebook=demo_waves.codebook, weights=w, adjust="none")
    # independent samples: each wave its own stratum, as compare_waves has them
    by_wave = SurveyDesign.from_frame(demo_scores.assign(stratum=demo_scores["wave"].astype(str)), strata="stratum")
    groups = compare_groups(demo_scores, demo_scores["wave"].astype(str).rename("wave"),
                            codebook=demo_waves.codebook, weights=w.to_numpy(), design=by_wave, adjust="none")
    groups = groups[groups["group"] == "2"].set_index("measure")
    waves = waves.set_index("measure")
    for a, b in [("diff", "diff"), ("ci_low", "ci_low"), ("ci_high", "ci_high"), ("effect", "effect"),
                 ("p", "p"), ("value", "group_value"), ("baseline_value", "rest_value"), ("n_eff", "n_eff")]:
        np.testing.assert_allclose(waves[a], groups.loc[waves.index, b], rtol=1e-12, atol=1e-14)


def test_unweighted_mean_change_is_welch(demo_scores):
    # reference: scipy.stats.ttest_ind(wave2, wave1, equal_var=False)
    table = compare_waves(demo_scores, measures=["money", "value_ratio"], adjust="none")
    for m in ("money", "value_ratio"):
        x2 = demo_scores.loc[demo_scores["wave"] == "2", m].dropna()
        x1 = demo_scores.loc[demo_scores["wave"] == "1", m].dropna()
        ref = stats.ttest_ind(x2, x1, equal_var=False)
        row = table[table["measure"] == m].iloc[0]
        assert row["diff"] == pytest.approx(x2.mean() - x1.mean(), rel=1e-12)
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["p"] == pytest.approx(ref.pvalue, rel=1e-9)
        assert row["n"] == len(x2) and row["n_baseline"] == len(x1)


def test_each_wave_keeps_its_own_weights(demo_scores):
    w = np.where(demo_scores["wave"] == "2", 3.0, 1.0) * np.linspace(0.5, 1.5, len(demo_scores))
    row = compare_waves(demo_scores, measures=["money"], weights=w).iloc[0]
    m2 = (demo_scores["wave"] == "2").to_numpy()
    x = demo_scores["money"].to_numpy()
    ok = np.isfinite(x)
    assert row["value"] == pytest.approx(np.average(x[m2 & ok], weights=w[m2 & ok]), rel=1e-12)
    assert row["baseline_value"] == pytest.approx(np.average(x[~m2 & ok], weights=w[~m2 & ok]), rel=1e-12)
    ww = w[m2 & ok]
    assert row["n_eff"] == pytest.approx(ww.sum() ** 2 / (ww ** 2).sum(), rel=1e-12)
    assert row["n_eff"] < row["n"]


def test_no_change_between_the_demos_two_waves(demo_waves, demo_scores):
    """Waves 1 and 2 of the demo come from one model: nothing may be called a change."""
    segments = demo_waves.segments(demo_scores, random_state=0)
    table = compare_waves(demo_scores, codebook=demo_waves.codebook, weights=demo_waves.weights(),
                          by=segments.rename("segment"))
    assert table.attrs["n_tests"] > 100
    assert not table["finding"].any()
    assert not table["significant"].any()


def test_the_waves_may_come_first(demo_waves, demo_scores):
    """``compare_waves(waves, scores)`` takes the codebook, the stacked answers and weights
    from the waves, as the survey-first analysis functions do; a keyword given wins."""
    cb, data, w = demo_waves.codebook, demo_waves.data(), demo_waves.weights()
    segments = demo_waves.segments(demo_scores, random_state=0).rename("segment")
    assert w is not None  # else the weighted and unweighted calls below would not differ
    pd.testing.assert_frame_equal(compare_waves(demo_waves, demo_scores, by=segments),
                                  compare_waves(demo_scores, codebook=cb, data=data, weights=w, by=segments))
    pd.testing.assert_frame_equal(compare_waves(demo_waves, demo_scores, weights=None),
                                  compare_waves(demo_scores, codebook=cb, data=data))
    pd.testing.assert_frame_equal(wave_trends(demo_waves, demo_scores),
                                  wave_trends(demo_scores, codebook=cb, data=data, weights=w))
    assert drivers_by_wave(demo_waves, "out_value", ["fun_ease_1", "eco_sav_1"], n_boot=10, random_state=0).equals(
        drivers_by_wave(data, "out_value", ["fun_ease_1", "eco_sav_1"], codebook=cb, weights=w, n_boot=10,
                        random_state=0))
    with pytest.raises(ParameterError, match="compare_waves"):
        compare_waves(demo_waves, demo_scores, "wave")


def test_a_planted_change_is_found_and_nothing_else():
    rng = np.random.default_rng(3)
    n = 600
    wave = np.repeat(["A", "B", "C"], n)
    group = np.tile(np.repeat(["x", "y"], n // 2), 3)
    scores = pd.DataFrame({"wave": pd.Categorical(wave, ["A", "B", "C"], ordered=True),
                           "money": rng.normal(4, 1, 3 * n), "time": rng.normal(4, 1, 3 * n)})
    planted = (wave == "C") & (group == "x")
    scores.loc[planted, "money"] += 0.8
    table = compare_waves(scores, measures=["money", "time"], by=pd.Series(group, name="segment"))
    found = table[table["finding"]]
    assert {(r.scope, r.group, r.measure, r.wave) for r in found.itertuples()} <= {
        ("segment", "x", "money", "C"), ("all", "all", "money", "C")}
    assert ("segment", "x", "money", "C") in {(r.scope, r.group, r.measure, r.wave) for r in found.itertuples()}
    assert (found["direction"] == "up").all()
    first = compare_waves(scores, measures=["money"], baseline="first")
    assert first[["wave", "baseline"]].values.tolist() == [["B", "A"], ["C", "A"]]


def test_small_groups_are_not_compared():
    scores = pd.DataFrame({"wave": ["1"] * 40 + ["2"] * 12, "money": np.arange(52.0) % 7})
    row = compare_waves(scores, measures=["money"]).iloc[0]
    assert np.isnan(row["p"]) and not row["finding"]
    assert row["note"].startswith("too few respondents: 12")


def test_compare_waves_argument_errors(demo_scores):
    with pytest.raises(ParameterError, match="tracking needs at least two waves"):
        compare_waves(demo_scores[demo_scores["wave"] == "1"])
    with pytest.raises(ParameterError, match="baseline"):
        compare_waves(demo_scores, baseline="last")
    with pytest.raises(ParameterError, match="wave: column 'round' not found"):
        compare_waves(demo_scores, wave="round")
    with pytest.raises(ParameterError, match=r"measures: measure\(s\) \['nope'\] not found"):
        compare_waves(demo_scores, measures=["nope"])


# -- trends, chart, drivers ------------------------------------------------------------------------


def test_trends_are_the_weighted_wave_means_with_intervals(demo_waves, demo_scores):
    w = demo_waves.weights()
    t = wave_trends(demo_scores, measures=["money", "share_destroyed"], weights=w)
    assert list(t["wave"].cat.categories) == ["1", "2"]
    for wave in ("1", "2"):
        m = (demo_scores["wave"] == wave).to_numpy() & demo_scores["money"].notna().to_numpy()
        row = t[(t["measure"] == "money") & (t["wave"] == wave)].iloc[0]
        assert row["value"] == pytest.approx(np.average(demo_scores["money"][m], weights=w[m]), rel=1e-12)
        assert row["ci_low"] < row["value"] < row["ci_high"]
        share = t[(t["measure"] == "share_destroyed") & (t["wave"] == wave)].iloc[0]
        assert 0 < share["ci_low"] < share["value"] < share["ci_high"] < 1


def test_plot_trend_draws_a_band_per_group_and_marks_only_findings():
    rng = np.random.default_rng(5)
    n = 400
    wave = np.repeat(["A", "B", "C"], n)
    group = np.tile(np.repeat(["x", "y"], n // 2), 3)
    scores = pd.DataFrame({"wave": wave, "money": rng.normal(4, 1, 3 * n)})
    scores.loc[(wave == "C") & (group == "x"), "money"] += 1.0
    by = pd.Series(group, name="segment")
    trends = wave_trends(scores, measures=["money"], by=by)
    table = compare_waves(scores, measures=["money"], by=by)
    fig, ax = plt.subplots()
    plot_trend(trends, "money", comparisons=table, scope="segment", names={"x": "Bargain"}, ax=ax)
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "C"]
    marks = [t.get_text() for t in ax.texts]
    assert len(marks) == int(table.loc[table["scope"] == "segment", "finding"].sum()) == 1
    assert marks[0].startswith("▲ +")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x: Bargain", "y"]
    plt.close(fig)
    fig, ax = plt.subplots()
    plot_trend(trends, "money", ax=ax)
    assert len(ax.lines) == 1 and not ax.texts
    plt.close(fig)
    with pytest.raises(ParameterError, match="measure: 'time' is not in the trends table"):
        plot_trend(trends, "time")


def test_drivers_side_by_side(demo_waves, demo_scores):
    data = demo_scores.join(demo_waves.data()[["out_value"]])
    wide = drivers_by_wave(data, "out_value", ["functional", "economic", "money"], weights=demo_waves.weights(),
                           n_boot=20, random_state=0)
    assert wide.attrs["waves"] == ["1", "2"]
    for wave in ("1", "2"):
        assert wide[f"share {wave}"].sum() == pytest.approx(100)
        assert (wide[f"ci_low {wave}"] <= wide[f"share {wave}"]).all()


def test_tracking_summary_states_findings_with_evidence_and_nothing_else():
    from valuekit.analyse.waves import tracking_summary

    rng = np.random.default_rng(3)
    n = 600
    wave = np.repeat(["A", "B"], n)
    group = np.tile(np.repeat(["x", "y"], n // 2), 2)
    scores = pd.DataFrame({"wave": wave, "money": rng.normal(4, 1, 2 * n), "time": rng.normal(4, 1, 2 * n)})
    scores.loc[(wave == "B") & (group == "x"), "money"] += 0.9
    table = compare_waves(scores, measures=["money", "time"], by=pd.Series(group, name="segment"))
    text = tracking_summary(table, names={"x": "Bargain hunters"})
    lines = text.splitlines()
    assert any(line.startswith("- Money (score), segment x (Bargain hunters): rose from 4.05 in wave A") for line in lines)
    assert all("Time" not in line for line in lines[:-1])
    assert "n = 300 (wave A) and 300 (wave B); strong." in text
    assert "Hedges' g +" in text and "adjusted p" in text and lines[-1].startswith(f"{int(table['finding'].sum())} change(s)")
    quiet = compare_waves(scores.assign(money=rng.normal(4, 1, 2 * n)), measures=["money", "time"])
    assert tracking_summary(quiet).startswith("No change between waves passes the evidence bar: 2 comparisons")


def test_the_tracking_notebooks_demo_finds_the_planted_changes_and_nothing_else():
    """Wave 3 of the demo has two planted changes (valuekit/datasets/data/demo_wave3_truth.yaml); waves 1 and 2
    none. Segments are fitted on wave 1 as notebook 08 does, and each is matched to the
    planted segment most of its wave-1 members belong to."""
    import yaml

    planted = yaml.safe_load(vk.DEMO_WAVE3_TRUTH_META.read_text())["planted_changes"]
    waves = load_waves([vk.DEMO_DATA, vk.DEMO_WAVE3], vk.DEMO_CODEBOOK, wave_column="wave")
    assert waves.labels == ["1", "2", "3"]
    scores = waves.scores()
    segments = waves.segments(scores, n_segments=4, random_state=2026).rename("segment")
    truth = pd.concat([pd.read_csv(vk.DEMO_TRUTH), pd.read_csv(vk.DEMO_WAVE3_TRUTH)])
    truth = truth[truth["planted_dirt"].isna()].drop_duplicates("respondent_id").set_index("respondent_id")["segment"]
    ids = waves.data()["respondent_id"].astype(int)
    first = (scores["wave"] == "1").to_numpy() & segments.notna().to_numpy()
    majority = pd.crosstab(segments[first], truth.reindex(ids[first]).to_numpy()).idxmax(axis=1).to_dict()

    table = compare_waves(scores, codebook=waves.codebook, by=segments, weights=waves.weights())
    found = table[table["finding"]]
    assert not found["wave"].eq("2").any()  # waves 1 and 2 come from one model
    moved = {(c["segment"], c["block"]) for c in planted}
    assert {b for _, b in moved} <= set(waves.codebook.dimensions) | set(waves.codebook.sacrifices)
    consequences = {"benefits", "sacrifices", "value_ratio", "share_destroyed"}
    for r in found.itertuples():
        block = r.measure.split("__")[0]
        who = None if r.scope == "all" else majority[r.group]
        assert r.wave == "3"
        assert (who, block) in moved or (r.scope == "all" and block in {b for _, b in moved}) or \
            (block in consequences and (r.scope == "all" or who in {s for s, _ in moved})), r
    for segment, block in moved:
        hits = found[(found["scope"] == "segment") & (found["measure"] == block)
                     & found["group"].map(majority).eq(segment)]
        assert len(hits) == 1 and hits["direction"].iloc[0] == "up", (segment, block)


def test_moved_measures_and_driver_fits(demo_waves, demo_scores):
    from valuekit.analyse.waves import moved_measures

    quiet = compare_waves(demo_scores, measures=["money", "time"])
    assert moved_measures(quiet) == []  # nothing passed the bar: nothing named
    with pytest.raises(ParameterError, match=r"scope: expected one of the table's scopes \['all'\], got 'segmnt'"):
        moved_measures(quiet, scope="segmnt")
    for function in (compare_waves, wave_trends):
        with pytest.raises(ParameterError, match="measures: expected at least one measure"):
            function(demo_scores, measures=[])
    data = demo_scores.join(demo_waves.data()[["out_value"]])
    fits = drivers_by_wave(data, "out_value", ["functional", "money"], n_boot=10, random_state=0).attrs["fits"]
    assert fits["wave"].tolist() == ["1", "2"] and (fits["r2_ci_low"] <= fits["r2"]).all()
    assert fits["n"].sum() == data[["functional", "money", "out_value"]].notna().all(axis=1).sum()
