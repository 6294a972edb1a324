"""The scenario engine on constructed customers: levers act on item answers, and a what-if
result is exactly what the scorer gives on those answers."""

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from valuekit import Codebook
from valuekit.decide.scenario import (OutcomeModel, Scenario, ScenarioEngine, ScenarioError, compare_scenarios,
                                      format_comparison, format_headline, format_outcome_changes, format_summary,
                                      scenario_names, segment_label)
from valuekit.measure.scoring import ValueScorer, wilson_interval
from valuekit.survey.levers import read_levers

COLS = ["f1", "f2", "e1", "x1", "s1", "t1", "m1", "m2", "g1", "o1", "r1"]

LEVERS = {"levers": {
    "price": {"how": "percent", "moves": ["money"], "range": [-50, 50], "step": 1, "value_lever": "offer"},
    "vat": {"how": "percent", "moves": {"money": 0.8264}, "range": [-10, 10], "step": 1, "value_lever": "offer"},
    "waiting": {"how": "percent", "moves": ["t1"], "range": [-100, 100], "step": 5, "value_lever": "unlock"},
    "staff": {"how": "points", "moves": {"experiential": 1, "emotional": -0.5}, "range": [-2, 2], "step": 0.25,
              "value_lever": "offer"},
    "ease": {"how": "points", "moves": ["functional"], "range": [-2, 2], "step": 0.25, "value_lever": "offer"},
    "comm": {"how": "points", "moves": ["symbolic"], "range": [0, 1], "step": 0.05, "value_lever": "perception"},
    "fix_worst": {"how": "lift_lowest", "moves": ["e1"], "target": 5, "range": [0, 50], "step": 5,
                  "value_lever": "offer"},
    "calm_worst": {"how": "lift_lowest", "moves": ["o1"], "target": 2, "range": [0, 50], "step": 5,
                   "value_lever": "unlock"},
}}


@pytest.fixture
def cb_full(codebook_dict):
    codebook_dict["benefits"] = {"functional": {"ease_of_use": ["f1", "f2"]}, "economic": ["e1"],
                                 "experiential": ["x1"], "symbolic": ["s1"]}
    codebook_dict["sacrifices"] = {"time": ["t1"], "money": ["m1", "m2"], "energy": ["g1"], "emotional": ["o1"],
                                   "risk": ["r1"]}
    # f2 is reverse-keyed; m2 is asked on 1-5 in a 1-7 survey
    codebook_dict["items"] = {"f2": {"reverse": True}, "m2": {"scale": {"min": 1, "max": 5}},
                              "nps": {"scale": {"min": 0, "max": 10}, "missing_codes": [99]}}
    codebook_dict["comparisons"]["items"] = {"f1": "c_f1"}
    return Codebook.from_dict(codebook_dict)


@pytest.fixture
def frame():
    rng = np.random.default_rng(7)
    n = 300
    out = pd.DataFrame(rng.integers(1, 8, size=(n, len(COLS))).astype(float), columns=COLS)
    out["m2"] = rng.integers(1, 6, n).astype(float)
    out.loc[::17, "x1"] = np.nan  # unanswered items stay unanswered
    out["w"] = rng.uniform(0.5, 2.0, n)
    return out


@pytest.fixture
def engine(cb_full, frame):
    scorer = ValueScorer(cb_full).fit(frame)
    segments = pd.Series(np.repeat([0, 1, 2], len(frame) // 3), index=frame.index, dtype="Int64")
    blocks = cb_full.dimensions + cb_full.sacrifices
    slopes = pd.Series(0.5, index=cb_full.dimensions).reindex(blocks).fillna(-0.25)
    boot = pd.DataFrame(np.random.default_rng(1).normal(slopes.to_numpy(), 0.05, size=(200, len(blocks))),
                        columns=blocks)
    model = OutcomeModel("recommend", "Likelihood to recommend", slopes, boot, r2=0.4, n=300, adj_r2=0.39, p=1e-20,
                         test="F")
    return ScenarioEngine(frame, scorer, read_levers(LEVERS, cb_full), segments=segments, outcomes=[model],
                          weights=frame["w"])


def rescored(engine, frame, answers):
    """What the survey's own scorer gives on the edited answers (the identity to hold)."""
    edited = frame.loc[answers.index].copy()
    edited[answers.columns] = answers
    return ValueScorer(engine.codebook).fit(frame).transform(edited)


def test_zero_scenario_changes_nothing_and_matches_the_scorer(engine, frame):
    scores = ValueScorer(engine.codebook).fit(frame).transform(frame).loc[engine.index]
    np.testing.assert_allclose(engine.base, scores[engine.blocks].to_numpy(), rtol=0, atol=1e-12)
    result = engine.apply(Scenario(), customers=True)
    s = result["summary"]
    assert (s["share_destroyed_before"] == s["share_destroyed_after"]).all()
    assert (s["moved_up"] == 0).all() and (s["moved_down"] == 0).all()
    assert (s["recommend_change"] == 0).all()
    assert (result["customers"]["verdict"].to_numpy() == scores["verdict"].to_numpy()).all()


@pytest.mark.parametrize("levers", [
    {"price": -20}, {"vat": 10}, {"waiting": -100}, {"staff": 2}, {"ease": 1.5}, {"ease": -2}, {"comm": 1},
    {"fix_worst": 30}, {"calm_worst": 50}, {"price": 30, "staff": -1.25, "fix_worst": 10, "waiting": 40},
])
def test_a_what_if_is_what_the_scorer_gives_on_the_new_answers(engine, frame, levers):
    scenario = Scenario.from_dict({"levers": levers})
    answers = engine.answers_after(scenario)
    expected = rescored(engine, frame, answers)
    got = engine.apply(scenario, customers=True)["customers"]
    for col in [*engine.blocks, "benefits", "sacrifices", "value_ratio"]:
        np.testing.assert_allclose(got[col].to_numpy(), expected[col].to_numpy(), rtol=0, atol=1e-12, err_msg=col)
    assert (got["verdict"].to_numpy() == expected["verdict"].to_numpy()).all()
    # answers stay on each item's own scale, and unanswered items stay unanswered
    for col in engine.items:
        s = engine.codebook.items[col].scale
        vals = answers[col].dropna()
        assert vals.between(s.min, s.max).all(), col
        assert answers[col].isna().equals(frame.loc[answers.index, col].isna()), col


def test_lever_arithmetic_on_item_answers(engine, frame):
    base = frame.loc[engine.index]
    a = engine.answers_after(Scenario.from_dict({"levers": {"price": -20}}))
    np.testing.assert_allclose(a["m1"], 1 + (base["m1"] - 1) * 0.8)  # distance above the bottom, 1-7
    np.testing.assert_allclose(a["m2"], 1 + (base["m2"] - 1) * 0.8)  # ... and on its own 1-5 scale
    a = engine.answers_after(Scenario.from_dict({"levers": {"vat": 10}}))
    np.testing.assert_allclose(a["m1"], np.minimum(1 + (base["m1"] - 1) * (1 + 0.08264), 7))
    a = engine.answers_after(Scenario.from_dict({"levers": {"ease": 1}}))
    np.testing.assert_allclose(a["f1"], np.minimum(base["f1"] + 1, 7))
    np.testing.assert_allclose(a["f2"], np.maximum(base["f2"] - 1, 1))  # reverse-keyed: the answer goes down
    a = engine.answers_after(Scenario.from_dict({"levers": {"staff": 2}}))
    np.testing.assert_allclose(a["x1"].dropna(), np.minimum(base["x1"] + 2, 7).dropna())
    np.testing.assert_allclose(a["o1"], np.maximum(base["o1"] - 1, 1))
    untouched = [c for c in engine.items if c not in ("x1", "o1")]
    pd.testing.assert_frame_equal(a[untouched], base[untouched].astype(float), check_dtype=False)


def test_points_are_on_each_items_own_scale(cb_full, frame):
    levers = read_levers({"levers": {"m": {"how": "points", "moves": ["money"], "range": [-2, 2],
                                           "value_lever": "offer"}}}, cb_full)
    engine = ScenarioEngine(frame, ValueScorer(cb_full).fit(frame), levers)
    a = engine.answers_after(Scenario.from_dict({"levers": {"m": -1}}))
    base = frame.loc[engine.index]
    np.testing.assert_allclose(a["m2"], np.maximum(base["m2"] - 1, 1))  # one point of 1-5, not of 1-7


def test_lift_lowest_brings_exactly_the_worst_share_to_the_target(engine, frame):
    base = frame.loc[engine.index]
    w = frame.loc[engine.index, "w"].to_numpy()
    a = engine.answers_after(Scenario.from_dict({"levers": {"fix_worst": 30}}))
    changed = a["e1"] != base["e1"]
    assert (a.loc[changed, "e1"] == 5).all() and (base.loc[changed, "e1"] < 5).all()
    # the lifted are the lowest: everyone lifted answered at most what anyone not selected did
    order = np.argsort(base["e1"].to_numpy(), kind="stable")
    cum = np.cumsum(w[order])
    chosen = order[np.concatenate([[0], cum[:-1]]) < 0.3 * cum[-1]]
    expected = base["e1"].to_numpy().copy()
    expected[chosen] = np.maximum(expected[chosen], 5)
    np.testing.assert_array_equal(a["e1"].to_numpy(), expected)
    assert w[chosen].sum() / w.sum() == pytest.approx(0.3, abs=w.max() / w.sum())
    # a sacrifice: the highest are brought down to the target
    a = engine.answers_after(Scenario.from_dict({"levers": {"calm_worst": 50}}))
    lowered = a["o1"] != base["o1"]
    assert (a.loc[lowered, "o1"] == 2).all() and base.loc[lowered, "o1"].min() > 2
    assert base.loc[lowered, "o1"].min() >= base.loc[~lowered, "o1"].median()


def test_a_price_cut_never_lowers_a_value_ratio(engine):
    for cut in (-1, -10, -50):
        result = engine.apply(Scenario.from_dict({"levers": {"price": cut}}), customers=True)
        assert (result["customers"]["value_ratio"].to_numpy() >= engine.base_ratio - 1e-12).all()
        assert result["summary"].loc["all", "moved_down"] == 0
    rise = engine.apply(Scenario.from_dict({"levers": {"price": 10}}), customers=True)
    assert (rise["customers"]["value_ratio"].to_numpy() <= engine.base_ratio + 1e-12).all()


def test_targeted_scenario_leaves_other_segments_alone(engine, frame):
    scenario = Scenario.from_dict({"levers": {"waiting": -50, "fix_worst": 50}, "segments": [1]})
    result = engine.apply(scenario)
    s = result["summary"]
    assert s.loc[0, "mean_value_ratio_after"] == s.loc[0, "mean_value_ratio_before"]
    assert s.loc[1, "mean_value_ratio_after"] > s.loc[1, "mean_value_ratio_before"]
    a = engine.answers_after(scenario)
    others = engine.segments != 1
    pd.testing.assert_frame_equal(a[others], frame.loc[engine.index[others], engine.items].astype(float))


def test_a_scenario_that_does_not_apply_lists_every_problem(engine):
    spec = {"name": "other survey", "levers": {"price": 80, "ambience": 1, "staff": 1}, "segments": [7]}
    with pytest.raises(ScenarioError) as err:
        engine.apply(Scenario.from_dict(spec))
    message = str(err.value)
    assert message.startswith("scenario 'other survey' does not apply to this survey: ")
    assert "lever 'price': 80 % is out of its range [-50, 50]" in message
    assert "lever 'ambience' is not a lever of this survey (<levers>: price, vat, waiting" in message
    assert "segment(s) [7] do not exist; segments are [0, 1, 2]" in message
    assert "'staff'" not in message


def test_shares_carry_wilson_and_paired_intervals_without_weights(cb_full, frame):
    engine = ScenarioEngine(frame, ValueScorer(cb_full).fit(frame), read_levers(LEVERS, cb_full),
                            segments=pd.Series(np.repeat([0, 1, 2], len(frame) // 3), index=frame.index))
    assert engine.design is None
    s = engine.apply(Scenario.from_dict({"levers": {"price": -30}}))["summary"]
    for seg, r in s.iterrows():
        for key in ("before", "after"):
            low, high = wilson_interval(r[f"share_destroyed_{key}"], r["n_eff"])
            assert r[f"share_destroyed_{key}_low"] == pytest.approx(float(low))
            assert r[f"share_destroyed_{key}_high"] == pytest.approx(float(high))
        assert r["share_destroyed_change_low"] <= r["share_destroyed_change"] <= r["share_destroyed_change_high"]
        assert r["share_destroyed_change"] == pytest.approx(r["share_destroyed_after"] - r["share_destroyed_before"])
    assert s.loc["all", "n_eff"] == s.loc["all", "customers"]


def test_weighted_shares_carry_linearized_intervals(engine, frame):
    """Unequal weights: each customer their own cluster (R: svydesign(ids = ~1, weights = ~w)),
    so a group's share has the variance n / (n - 1) sum w² (y - p)² / W² over its members
    (n: every customer of the design), Korn and Graubard's interval on df = members - 1
    (Clopper-Pearson at the effective size p (1 - p) / var), and the change a t interval."""
    from statsmodels.stats.proportion import proportion_confint

    result = engine.apply(Scenario.from_dict({"levers": {"price": -30}}), customers=True)
    s = result["summary"]
    before = engine.base_code == 0
    after = (result["customers"]["verdict"] == "destroyed").to_numpy()
    n, w = len(frame), engine.w
    for seg, r in s.iterrows():
        g = np.ones(len(w), bool) if seg == "all" else engine.segments == seg
        ww, m = w[g], g.sum()
        for key, y in (("before", before[g]), ("after", after[g])):
            p = np.average(y, weights=ww)
            var = n / (n - 1) * np.sum(ww ** 2 * (y - p) ** 2) / ww.sum() ** 2
            size = p * (1 - p) / var
            low, high = proportion_confint(size * p, size, alpha=0.05, method="beta")
            assert r[f"share_destroyed_{key}"] == pytest.approx(p)
            assert r[f"share_destroyed_{key}_low"] == pytest.approx(low, abs=1e-9)
            assert r[f"share_destroyed_{key}_high"] == pytest.approx(high, abs=1e-9)
        d = after[g].astype(float) - before[g]
        change = np.average(d, weights=ww)
        half = stats.t.ppf(0.975, m - 1) * np.sqrt(n / (n - 1) * np.sum(ww ** 2 * (d - change) ** 2) / ww.sum() ** 2)
        assert r["share_destroyed_change"] == pytest.approx(change)
        assert r["share_destroyed_change_low"] == pytest.approx(change - half, abs=1e-12)
        assert r["share_destroyed_change_high"] == pytest.approx(change + half, abs=1e-12)
    assert s.loc["all", "n_eff"] == pytest.approx(w.sum() ** 2 / (w ** 2).sum())


def test_outcome_change_through_slopes_with_a_bootstrap_interval(engine):
    result = engine.apply(Scenario.from_dict({"levers": {"comm": 1}}), customers=True)
    j = engine.blocks.index("symbolic")
    delta = np.average(result["customers"]["symbolic"].to_numpy() - engine.base[:, j], weights=engine.w)
    r = result["summary"].loc["all"]
    assert r["recommend_change"] == pytest.approx(0.5 * delta)
    boot = engine.outcomes[0].boot["symbolic"].to_numpy() * delta
    assert r["recommend_change_low"] == pytest.approx(np.quantile(boot, 0.025))
    assert r["recommend_change_high"] == pytest.approx(np.quantile(boot, 0.975))
    assert format_outcome_changes(result) == [
        f"Likelihood to recommend +{r['recommend_change']:.2f} [+{r['recommend_change_low']:.2f}, "
        f"+{r['recommend_change_high']:.2f}]"]


def test_outcome_changes_are_withheld_when_the_model_explains_too_little(cb_full, frame):
    """On an outcome with no relation to the scores the engine says nothing about it."""
    from valuekit.decide.scenario import build_engine

    class Survey:  # the two attributes build_engine reads
        codebook = cb_full
        data = frame.assign(nps=np.random.default_rng(3).integers(0, 11, len(frame)).astype(float))
        weights = frame["w"]

    engine, _, _ = build_engine(Survey, LEVERS, n_segments=2, random_state=0, n_boot=50)
    result = engine.apply(Scenario.from_dict({"levers": {"staff": 2}}))
    info = result["outcomes"].loc["recommend"]
    assert info["r2"] < 0.10 and not info["shown"] and "withheld" in info["note"]
    assert result["summary"]["recommend_change"].isna().all()
    assert format_outcome_changes(result)[0].startswith("Likelihood to recommend: not shown")
    nps = result["outcomes"].loc["nps"]  # the 0-10 recommend question's NPS: silent too
    assert not nps["shown"] and "withheld" in nps["note"] and result["summary"]["nps_change"].isna().all()
    assert format_outcome_changes(result)[-1].startswith("NPS (points): not shown")


def test_every_row_of_the_summary_is_the_weighted_arithmetic_on_its_customers(engine, frame):
    """The summary is aggregated in one pass per measure; recompute each row by masks."""
    scenario = Scenario.from_dict({"levers": {"price": -30, "staff": 1, "fix_worst": 20}, "segments": [1]})
    result = engine.apply(scenario, customers=True)
    new, s = result["customers"], result["summary"]
    base = engine.apply(Scenario(), customers=True)["customers"]
    for level in ["all", *engine.segment_levels]:
        m = np.ones(len(new), bool) if level == "all" else engine.segments == level
        w = engine.w[m]
        before, after = base["verdict"].to_numpy()[m], new["verdict"].to_numpy()[m]
        r = s.loc[level]
        assert r["customers"] == m.sum()
        assert r["weighted_customers"] == pytest.approx(w.sum(), rel=1e-12)
        assert r["share_destroyed_before"] == pytest.approx(w[before == "destroyed"].sum() / w.sum(), rel=1e-12)
        assert r["share_destroyed_after"] == pytest.approx(w[after == "destroyed"].sum() / w.sum(), rel=1e-12)
        d = (after == "destroyed").astype(float) - (before == "destroyed")
        n = len(frame)  # unequal weights: each customer of the design their own cluster
        se = np.sqrt(n / (n - 1) * np.sum(w ** 2 * (d - d @ w / w.sum()) ** 2) / w.sum() ** 2)
        half = stats.t.ppf(0.975, m.sum() - 1) * se
        assert r["share_destroyed_change_high"] - r["share_destroyed_change"] == pytest.approx(half, rel=1e-9)
        assert r["mean_value_ratio_after"] == pytest.approx(np.average(new["value_ratio"][m], weights=w), rel=1e-12)
        rank = {"destroyed": 0, "neutral": 1, "created": 2}
        up = np.array([rank[a] > rank[b] for a, b in zip(after, before)])
        assert r["moved_up"] == pytest.approx(w[up].sum(), rel=1e-12)
    assert s.loc[0, "share_destroyed_change"] == 0 and s.loc[2, "moved_up"] == 0  # not targeted
    expected = pd.crosstab(base["verdict"], new["verdict"], values=engine.w, aggfunc="sum", dropna=False).fillna(0)
    np.testing.assert_allclose(result["transitions"].to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert list(result["transitions"].index) == ["destroyed", "neutral", "created"]


def test_transitions_account_for_everyone(engine):
    t = engine.apply(Scenario.from_dict({"levers": {"price": -30}}))["transitions"]
    assert t.to_numpy().sum() == pytest.approx(engine.w.sum())
    assert np.triu(t.to_numpy(), 0).sum() == pytest.approx(t.to_numpy().sum())  # nobody moves down


def test_compare_scenarios(engine):
    table = compare_scenarios(engine, [Scenario(name="a"), Scenario.from_dict({"name": "b", "levers": {"staff": 1}})])
    assert list(table.columns) == ["a", "b"]
    assert table.loc["share_destroyed_after", "b"] <= table.loc["share_destroyed_after", "a"]


def test_formatted_results_are_the_engines_numbers(engine):
    result = engine.apply(Scenario.from_dict({"levers": {"price": -30}}))
    r = result["summary"].loc["all"]
    headline = format_headline(result["summary"])
    assert headline.startswith(f"Value destroyed: {100 * r['share_destroyed_before']:.1f}% "
                               f"[{100 * r['share_destroyed_before_low']:.1f}, ")
    assert f"→ {100 * r['share_destroyed_after']:.1f}%" in headline
    assert format_headline(result["summary"], lang="es").startswith("Valor destruido: ")
    assert headline.endswith(f"({100 * r['share_destroyed_change']:+.1f} points ".replace("-", "\u2212")
                             + f"[{100 * r['share_destroyed_change_low']:+.1f}, ".replace("-", "\u2212")
                             + f"{100 * r['share_destroyed_change_high']:+.1f}])".replace("-", "\u2212"))
    untouched = engine.apply(Scenario())["summary"]
    assert format_headline(untouched).endswith("(no change)")  # not '±0.0 points [±0.0, ±0.0]'
    assert format_headline(untouched, lang="it").endswith("(nessuna variazione)")
    table = format_summary(result, names={0: "price-sensitive"}, lang="it")
    assert table.index.name == "Segmento" and table.index[0] == "Tutti i clienti"
    assert table.index[1] == "0: price-sensitive"
    # numbers in Italian conventions (CLDR, through Babel): a decimal comma, a thousands point
    assert table.iloc[0]["Clienti"] == f"{int(r['customers']):,}".replace(",", ".")
    assert table.iloc[0]["Valore distrutto prima"] == f"{100 * r['share_destroyed_before']:.1f}%".replace(".", ",")
    change = table.iloc[0]["Variazione (punti)"]
    assert re.fullmatch(r"[+\u2212]\d+,\d \[[+\u2212]\d+,\d; [+\u2212]\d+,\d\]", change), change  # '; ' between ends
    assert format_headline(result["summary"], lang="es").count(",") >= 4  # 39,2 % [..., ...] in Spanish too


@pytest.mark.parametrize("spec, match", [
    ({"levers": {"staff": "lots"}}, r"scenario key 'levers.staff': expected a number, got 'lots'"),
    ({"levers": {"staff": True}}, r"expected a number"),
    ({"communication": {"symbolic": 0.5}}, r"scenario key 'communication': unknown key.*listed under 'levers:'"),
    ({"colour": "red"}, r"scenario key 'colour': unknown key"),
    ({"segments": 2}, r"scenario key 'segments': expected a non-empty list"),
    ({"levers": [1, 2]}, r"scenario key 'levers': expected a mapping"),
])
def test_bad_scenarios_name_the_key(spec, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_dict(spec)


def test_scenario_files_round_trip_and_are_loaded_safely(tmp_path):
    s = Scenario.from_dict({"name": "mix", "levers": {"price": -5, "staff": 0.5}, "segments": [1]})
    for suffix in (".yaml", ".json"):
        assert Scenario.load(s.save(tmp_path / f"s{suffix}")) == s
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match=r"evil.yaml: not a valid YAML file"):
        Scenario.load(evil)
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", "levers": {')
    with pytest.raises(ScenarioError, match=r"broken.json: not a valid JSON file"):
        Scenario.load(broken)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: reducción\n".encode("latin-1"))  # read as Windows-1252
    assert Scenario.load(latin).name == "reducción"
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.load(tmp_path / "nope.yaml")


def test_every_lever_moves_something(engine):
    for lever in engine.levers:
        value = lever.high if lever.high > 0 else lever.low
        assert not np.array_equal(engine.scores_after(Scenario.from_dict({"levers": {lever.name: value}})),
                                  engine.base), lever.name


def test_ratio_on_the_neutral_edge_does_not_move_without_a_lever(cb_full):
    """A ratio of exactly 1/1.05 (common on short scales) must not flip when nothing changes."""
    row = dict(zip(COLS, [4.0, 4.0, 4.0, 4.0, 4.0, 4.2, 4.2, 4.2, 4.2, 4.2, 4.2]))
    frame = pd.DataFrame([row] * 5 + [dict(zip(COLS, [5.0, 3.0] + [5.0] * 3 + [3.0] * 6))])
    frame["m2"] = 3.0
    scorer = ValueScorer(cb_full).fit(frame)
    scores = scorer.transform(frame)
    engine = ScenarioEngine(frame, scorer, LEVERS)
    s = engine.apply(Scenario())["summary"].loc["all"]
    before = (scores["verdict"] == "destroyed").mean()
    assert s["share_destroyed_before"] == before == s["share_destroyed_after"]
    assert s["moved_up"] == 0 and s["moved_down"] == 0


# -- what the audit of the what-if found -----------------------------------------------------

def _summary_row(change, low, high, **more):
    row = {"share_destroyed_before": 0.2, "share_destroyed_before_low": 0.18, "share_destroyed_before_high": 0.22,
           "share_destroyed_after": 0.2 + change, "share_destroyed_after_low": 0.17,
           "share_destroyed_after_high": 0.21, "share_destroyed_change": change,
           "share_destroyed_change_low": low, "share_destroyed_change_high": high, **more}
    return pd.DataFrame([row], index=pd.Index(["all"], name="segment"))


def test_a_bound_that_is_not_zero_is_not_printed_as_zero():
    headline = format_headline(_summary_row(-0.013, -0.026, -0.00038))
    assert headline.endswith("(\u22121.30 points [\u22122.60, \u22120.04])"), headline
    assert "±0.0" not in headline
    assert format_headline(_summary_row(0.013, 0.0, 0.026)).endswith("(+1.3 points [±0.0, +2.6])")


def test_an_interval_whose_ends_differ_is_printed_apart():
    summary = _summary_row(-0.01, -0.02, 0.0, recommend_change=-0.081, recommend_change_low=-0.0849,
                           recommend_change_high=-0.0751)
    outcomes = pd.DataFrame({"label_en": ["Would recommend"], "shown": [True], "r2": [0.3]},
                            index=pd.Index(["recommend"], name="outcome"))
    line, = format_outcome_changes({"summary": summary, "outcomes": outcomes})
    assert line == "Would recommend \u22120.081 [\u22120.085, \u22120.075]", line


def test_customers_without_a_segment_are_labelled_in_every_language(cb_full, frame):
    scorer = ValueScorer(cb_full).fit(frame)
    segments = pd.Series(np.repeat([0, 1, 2], len(frame) // 3), index=frame.index, dtype="Int64")
    segments.iloc[:7] = pd.NA  # the segmenter left these without a segment
    engine = ScenarioEngine(frame, scorer, read_levers(LEVERS, cb_full), segments=segments)
    assert "none" in engine.segment_levels
    result = engine.apply(Scenario(levers={"price": -10.0}))
    for lang, text in (("en", "No segment (incomplete profile)"), ("es", "Sin segmento (perfil incompleto)"),
                       ("it", "Nessun segmento (profilo incompleto)")):
        table = format_summary(result, names={0: "zero"}, lang=lang)
        assert text in table.index and "none" not in table.index
        assert segment_label("none", {}, lang) == text


def test_scenarios_sharing_a_name_are_all_compared_apart(engine):
    import matplotlib.pyplot as plt

    from valuekit.present.plots import plot_scenario_comparison

    a1, b, a2 = (Scenario(name="a", levers={"price": -10.0}), Scenario(name="b"),
                 Scenario(name="a", levers={"staff": 1.0}))
    assert scenario_names([a1, b, a2, a1]) == ["a", "b", "a (2)", "a (3)"]
    table = compare_scenarios(engine, [a1, b, a2])
    assert list(table.columns) == ["a", "b", "a (2)"]
    assert table.loc["share_destroyed_after", "a"] != table.loc["share_destroyed_after", "a (2)"]
    assert list(format_comparison(engine, [a1, b, a2]).index) == ["a", "b", "a (2)"]
    fig, ax = plt.subplots()
    plot_scenario_comparison(table, ax=ax)
    assert len(ax.patches) == 3 and [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "a (2)"]
    plt.close(fig)


def test_a_scenario_records_what_it_was_built_on_and_is_refused_elsewhere(engine, cb_full, frame, tmp_path):
    stamped = engine.stamp(Scenario(name="cheaper", levers={"price": -10.0}))
    assert stamped.built_on == {"survey": cb_full.source, "items": engine.built_on()["items"],
                                "levers": engine.built_on()["levers"]}
    path = stamped.save(tmp_path / "cheaper.yaml")
    text = path.read_text(encoding="utf-8")
    assert "built_on:\n  survey:" in text and "!!" not in text  # plain, readable YAML
    assert Scenario.load(path) == stamped and Scenario.load(stamped.save(tmp_path / "c.json")) == stamped
    engine.apply(Scenario.load(path))  # where it was made, it applies
    # the same lever names defined differently: 'price' moves the money items by another amount
    other = {"levers": {**LEVERS["levers"], "price": {**LEVERS["levers"]["price"], "moves": {"money": 2}}}}
    elsewhere = ScenarioEngine(frame, engine.scorer, read_levers(other, cb_full))
    with pytest.raises(ScenarioError, match=r"scenario 'cheaper' does not apply to this survey: its levers were "
                                            r"defined differently .*remove its 'built_on' record"):
        elsewhere.apply(Scenario.load(path))
    # another survey: other items behind the same block names
    spec = yaml.safe_load(text)
    spec["built_on"]["items"], spec["built_on"]["survey"] = "0badc0de", "clinic_codebook.yaml"
    with pytest.raises(ScenarioError, match=r"made on the items of survey clinic_codebook.yaml \(fingerprint "
                                            r"0badc0de\), this survey is"):
        engine.check(Scenario.from_dict(spec))
    # a segment that is another segment now
    engine.segment_names = {"en": {0: "bargain hunters", 1: "fans", 2: "critics"}}
    saved = engine.stamp(Scenario(name="fans only", levers={"staff": 1.0}, segments=[1]))
    assert saved.to_dict()["built_on"]["segment_names"] == ["fans"]
    engine.segment_names = {"en": {0: "bargain hunters", 1: "critics", 2: "fans"}}
    with pytest.raises(ScenarioError, match=r"segment 1 was 'fans' when saved but is 'critics' here \('fans' is "
                                            r"now segment 2\)"):
        engine.apply(saved)


@pytest.mark.parametrize("built_on, match", [
    ("clinic", r"scenario key 'built_on': expected a mapping"),
    ({"colour": "red"}, r"scenario key 'built_on.colour': unknown key"),
    ({"levers": 3}, r"scenario key 'built_on.levers': expected text"),
    ({"segment_names": ["a", "b"]}, r"scenario key 'built_on.segment_names': expected a list of text, one name "
                                    r"for each of the scenario's segments \[1\]"),
])
def test_a_bad_built_on_record_names_the_key(built_on, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_dict({"levers": {}, "segments": [1], "built_on": built_on})


def test_outcomes_carry_the_codebooks_own_labels(scenario_engine):
    """The demo's recommend item is labelled 'Would recommend' in its codebook: that is what shows."""
    labels = {m.name: m.label for m in scenario_engine.outcomes}
    assert labels["recommend"] == {"en": "Would recommend", "es": "Recomendaría", "it": "Raccomanderei"}
    result = scenario_engine.apply(Scenario(levers={"price": -10.0}))
    assert result["outcomes"].loc["recommend", "label_es"] == "Recomendaría"


# 6. non-mapping levers; labels and competitor names that are not text
@pytest.mark.parametrize("levers", [0, [], ""])
def test_scenario_levers_must_be_a_mapping(levers):
    from valuekit.decide.scenario import Scenario

    with pytest.raises(ScenarioError, match="'levers'"):
        Scenario.from_dict({"name": "x", "levers": levers})
    assert Scenario.from_dict({"name": "x", "levers": {}}).levers == {}


def test_the_nps_is_an_outcome_of_the_what_if(scenario_engine):
    """The demo's recommend question is asked on 0-10: the engine predicts the NPS change in
    points, from a driver model of each respondent's -100 / 0 / 100. By the linearity of least
    squares its slopes are 100 x (the promoter model's less the detractor model's), the
    models of ``nps_groups``, and its R² is below the mean's (a coarser outcome)."""
    from valuekit import load_demo
    from valuekit.analyse.drivers import outcome_slopes
    from valuekit.analyse.tables import nps_groups

    survey = load_demo("demo")
    model = {m.name: m for m in scenario_engine.outcomes}["nps"]
    blocks = scenario_engine.blocks
    data = scenario_engine.scorer.transform(survey.data).join(nps_groups(survey))
    promoter, detractor = (outcome_slopes(data, g, blocks, weights=survey.weights) for g in ("promoter", "detractor"))
    np.testing.assert_allclose(model.slopes.reindex(blocks), 100 * (promoter - detractor).reindex(blocks), atol=1e-9)
    assert model.label["en"] == "NPS (points)" and model.n == promoter.attrs["n"]
    result = scenario_engine.apply(Scenario(levers={"price": -10.0}))
    info = result["outcomes"].loc["nps"]
    assert info["shown"] and info["r2"] < result["outcomes"].loc["recommend", "r2"]
    row = result["summary"].loc["all"]
    assert row["nps_change_low"] < row["nps_change"] < row["nps_change_high"] and row["nps_change"] > 0


def test_no_nps_without_a_0_to_10_recommend_question(cb_full, frame, codebook_dict):
    """A recommend outcome on 1-7 has no NPS: nothing is invented."""
    from valuekit.decide.scenario import _nps_outcome

    nps = _nps_outcome(frame.assign(nps=[0.0, 7.0, 10.0] * 100), cb_full)  # on 0-10: there is one
    assert nps.name == "nps" and nps.iloc[:3].tolist() == [-100.0, 0.0, 100.0]
    codebook_dict["items"] = {"nps": {"scale": {"min": 1, "max": 7}, "missing_codes": [99]}}
    assert _nps_outcome(frame.assign(nps=5.0), Codebook.from_dict(codebook_dict)) is None


def test_a_prediction_that_leaves_the_outcomes_scale_is_withheld(scenario_engine):
    """Every lever at its end moves the demo's value far beyond what was observed: a straight
    line would predict a mean recommendation above 10 and an NPS above 100. Those cells are
    withheld (NaN, said so), each group judged by its own mean now; a modest scenario is not."""
    from valuekit import load_demo
    from valuekit.decide.scenario import _nps_outcome, format_tiles
    from valuekit.present.findings import scenario_findings

    engine = scenario_engine
    helps = {lv.name: lv.low if lv.how == "percent" else lv.high for lv in engine.levers}
    result = engine.apply(Scenario(levers=helps))
    survey = load_demo("demo")
    data = survey.data.loc[engine.index]
    w = engine.w
    for name, y, lo, hi in (("recommend", data["out_nps"], 0, 10), ("nps", _nps_outcome(data, engine.codebook),
                                                                      -100, 100)):
        y = y.to_numpy(dtype=float)
        seen = np.isfinite(y)
        now = np.average(y[seen], weights=w[seen])
        model = {m.name: m for m in engine.outcomes}[name]
        row = result["summary"].loc["all"]
        assert np.isnan(row[f"{name}_change"]) and np.isnan(row[f"{name}_change_low"])
        linear = engine.apply(Scenario(levers=helps), customers=True)["customers"][engine.blocks].to_numpy()
        predicted = now + np.average(linear - engine.base, axis=0, weights=w) @ model.slopes.reindex(engine.blocks)
        assert not lo <= predicted <= hi  # the straight line's answer, which is not shown
    assert format_outcome_changes(result)[2] == "Would recommend: not shown, the prediction leaves the scale it is " \
                                                "measured on"
    tile = next(t for t in format_tiles(result) if t["title"] == "NPS (points)")
    assert tile["value"] == "—" and "leaves the scale" in tile["detail"]
    found = scenario_findings(result)
    assert any(s.startswith("Not predicted, because the prediction would leave the scale") and "nps (points)" in s
               for s in found.sentences)
    modest = engine.apply(Scenario(levers={"price": -10.0}))["summary"]
    assert np.isfinite(modest[["recommend_change", "nps_change"]].to_numpy()).all()


def test_an_outcome_at_its_scale_end_is_not_beyond_it_by_a_last_bit(cb_full, frame):
    """Every customer answering 10 of 10: the weighted mean may come out one ulp above 10
    (these weights: 10 + 1.8e-15). A scenario that moves nothing predicts no change, shown as
    such, never withheld as leaving the scale."""
    w = np.random.default_rng(6).uniform(0.5, 2.0, len(frame))
    data = frame.assign(nps=10.0, w=w)
    assert np.average(data["nps"], weights=w) > 10  # the last bit this test is about
    scorer = ValueScorer(cb_full).fit(data)
    blocks = cb_full.dimensions + cb_full.sacrifices
    slopes = pd.Series(0.5, index=blocks)
    boot = pd.DataFrame(np.random.default_rng(1).normal(0.5, 0.05, size=(50, len(blocks))), columns=blocks)
    model = OutcomeModel("recommend", "Likelihood to recommend", slopes, boot, r2=0.4, n=300, adj_r2=0.39, p=1e-20,
                         test="F")
    engine = ScenarioEngine(data, scorer, read_levers(LEVERS, cb_full), outcomes=[model], weights=data["w"])
    row = engine.apply(Scenario(name="nothing", levers={}))["summary"].loc["all"]
    assert row["recommend_change"] == 0.0
    assert format_outcome_changes(engine.apply(Scenario(name="nothing", levers={})))[0] != \
        "Likelihood to recommend: not shown, the prediction leaves the scale it is measured on"
