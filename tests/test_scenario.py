"""The scenario engine on constructed customers; scenario files; the dashboard without a browser."""

import numpy as np
import pandas as pd
import pytest

from valuekit import Codebook
from valuekit.scenario import LEVERS, Scenario, ScenarioEngine, ScenarioError, compare_scenarios
from valuekit.scoring import ValueScorer
from valuekit.widgets import WhatIfDashboard, format_share_destroyed


@pytest.fixture
def cb_full(codebook_dict):
    codebook_dict["benefits"] = {"functional": ["f1"], "economic": ["e1"], "experiential": ["x1"], "symbolic": ["s1"]}
    codebook_dict["sacrifices"] = {"time": ["t1"], "money": ["m1"], "energy": ["g1"], "emotional": ["o1"], "risk": ["r1"]}
    codebook_dict["items"] = {}
    codebook_dict["comparisons"]["items"] = {"f1": "c_f1"}
    return Codebook.from_dict(codebook_dict)


@pytest.fixture
def engine(cb_full):
    rng = np.random.default_rng(7)
    n = 300
    cols = ["f1", "e1", "x1", "s1", "t1", "m1", "g1", "o1", "r1"]
    frame = pd.DataFrame(rng.integers(1, 8, size=(n, len(cols))).astype(float), columns=cols)
    scorer = ValueScorer(cb_full).fit(frame)
    scores = scorer.transform(frame)
    segments = pd.Series(np.repeat([0, 1, 2], n // 3), index=frame.index, dtype="Int64")
    slopes = {"overall_value": pd.Series(0.5, index=cb_full.dimensions).reindex(
        cb_full.dimensions + cb_full.sacrifices).fillna(-0.25)}
    return ScenarioEngine(scores, scorer, segments=segments, outcome_slopes=slopes)


def test_zero_scenario_changes_nothing(engine):
    result = engine.apply(Scenario(), customers=True)
    s = result["summary"]
    assert (s["share_destroyed_before"] == s["share_destroyed_after"]).all()
    assert (s["moved_up"] == 0).all() and (s["moved_down"] == 0).all()
    assert (s["overall_value_change"] == 0).all()
    np.testing.assert_array_equal(result["customers"][engine.blocks].to_numpy(), engine.base)


def test_a_price_cut_never_lowers_a_value_ratio(engine):
    for cut in (-1, -10, -50):
        result = engine.apply(Scenario.from_dict({"levers": {"price_change_pct": cut}}), customers=True)
        assert (result["customers"]["value_ratio"].to_numpy() >= engine.base_ratio - 1e-12).all()
        assert result["summary"].loc["all", "moved_down"] == 0
    rise = engine.apply(Scenario.from_dict({"levers": {"price_change_pct": 10}}), customers=True)
    assert (rise["customers"]["value_ratio"].to_numpy() <= engine.base_ratio + 1e-12).all()


def test_lever_arithmetic(engine, cb_full):
    j = {b: i for i, b in enumerate(engine.blocks)}
    base = engine.base
    S = engine.scores_after(Scenario.from_dict({"levers": {"price_change_pct": -20}}))
    np.testing.assert_allclose(S[:, j["money"]], 1 + (base[:, j["money"]] - 1) * 0.8)  # distance above the floor
    S = engine.scores_after(Scenario.from_dict({"levers": {"waiting_time_change_pct": -100}}))
    np.testing.assert_allclose(S[:, j["time"]], 1 + (base[:, j["time"]] - 1) * 0.5)  # waiting is half of time
    S = engine.scores_after(Scenario.from_dict({"levers": {"staff": 2}}))
    np.testing.assert_allclose(S[:, j["experiential"]], np.minimum(base[:, j["experiential"]] + 1, 7))
    np.testing.assert_allclose(S[:, j["emotional"]], np.maximum(base[:, j["emotional"]] - 1, 1))
    S = engine.scores_after(Scenario.from_dict({"communication": {"symbolic": 1}}))
    np.testing.assert_allclose(S[:, j["symbolic"]], np.minimum(base[:, j["symbolic"]] + 1, 7))
    assert S.min() >= 1 and S.max() <= 7  # always on the scale
    vat = engine.scores_after(Scenario.from_dict({"levers": {"vat_change_pts": 10}}))
    np.testing.assert_allclose(vat[:, j["money"]], np.minimum(1 + (base[:, j["money"]] - 1) * (1 + 10 / 121), 7))


def test_targeted_scenario_leaves_other_segments_alone(engine):
    result = engine.apply(Scenario.from_dict({"levers": {"effort_change_pct": -50}, "segments": [1]}))
    s = result["summary"]
    assert s.loc[0, "mean_value_ratio_after"] == s.loc[0, "mean_value_ratio_before"]
    assert s.loc[1, "mean_value_ratio_after"] > s.loc[1, "mean_value_ratio_before"]
    with pytest.raises(ScenarioError, match=r"scenario key 'segments': segment\(s\) \[7\] do not exist; segments are \[0, 1, 2\]"):
        engine.apply(Scenario.from_dict({"levers": {"staff": 1}, "segments": [7]}))


def test_outcome_change_through_slopes(engine):
    result = engine.apply(Scenario.from_dict({"levers": {"loyalty": 2}}), customers=True)
    j = engine.blocks.index("symbolic")
    expected = 0.5 * np.mean(result["customers"]["symbolic"].to_numpy() - engine.base[:, j])
    assert result["summary"].loc["all", "overall_value_change"] == pytest.approx(expected)


def test_transitions_account_for_everyone(engine):
    t = engine.apply(Scenario.from_dict({"levers": {"price_change_pct": -30}}))["transitions"]
    assert t.to_numpy().sum() == pytest.approx(len(engine.index))
    assert np.triu(t.to_numpy(), 0).sum() == pytest.approx(t.to_numpy().sum())  # nobody moves down


def test_compare_scenarios(engine):
    table = compare_scenarios(engine, [Scenario(name="a"), Scenario.from_dict({"name": "b", "levers": {"staff": 1}})])
    assert list(table.columns) == ["a", "b"]
    assert table.loc["share_destroyed_after", "b"] <= table.loc["share_destroyed_after", "a"]


@pytest.mark.parametrize("spec, match", [
    ({"levers": {"price": 5}}, r"scenario key 'levers.price': unknown lever 'price'"),
    ({"levers": {"price_change_pct": 80}}, r"scenario key 'levers.price_change_pct': 80 % is out of range \[-50, 50\]"),
    ({"levers": {"staff": "lots"}}, r"scenario key 'levers.staff': expected a number, got 'lots'"),
    ({"levers": {"staff": True}}, r"expected a number"),
    ({"communication": {"spiritual": 0.5}}, r"unknown benefit dimension 'spiritual'"),
    ({"communication": {"symbolic": 3}}, r"out of range \[0, 1\]"),
    ({"colour": "red"}, r"scenario key 'colour': unknown key"),
    ({"segments": 2}, r"scenario key 'segments': expected a non-empty list"),
    ({"levers": [1, 2]}, r"scenario key 'levers': expected a mapping"),
])
def test_bad_scenarios_name_the_key(spec, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario.from_dict(spec)


def test_scenario_files_round_trip_and_are_loaded_safely(tmp_path):
    s = Scenario.from_dict({"name": "mix", "levers": {"price_change_pct": -5, "staff": 0.5},
                            "communication": {"functional": 0.25}, "segments": [1]})
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
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlevers:\n  waiting: -10\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml: scenario key 'levers.waiting': unknown lever"):
        Scenario.load(bad)
    with pytest.raises(ScenarioError, match="not found"):
        Scenario.load(tmp_path / "nope.yaml")


def test_every_lever_moves_something_in_a_full_codebook(engine):
    for name, lever in LEVERS.items():
        value = lever.high if lever.high > 0 else lever.low
        assert not np.array_equal(engine.scores_after(Scenario.from_dict({"levers": {name: value}})), engine.base), name


def test_dashboard_shows_what_the_engine_computes(engine, tmp_path):
    dash = WhatIfDashboard(engine, save_dir=tmp_path, figure=False)
    assert dash.share.value == format_share_destroyed(engine.apply(Scenario())["summary"])
    dash.sliders["price_change_pct"].value = 20
    expected = engine.apply(Scenario.from_dict({"levers": {"price_change_pct": 20}}))["summary"]
    assert dash.share.value == format_share_destroyed(expected)
    assert "overall_value" in dash.outcomes.value and "vk-summary" in dash.table.value
    dash.segment.value = 2
    assert dash.scenario().segments == (2,)
    path = dash.save()
    assert path.name == "my_scenario.yaml" and Scenario.load(path).levers == {"price_change_pct": 20.0}
    dash.reset()
    assert dash.scenario() == Scenario(name="my scenario")
    assert dash.share.value == format_share_destroyed(engine.apply(Scenario())["summary"])


def test_ratio_on_the_neutral_edge_does_not_move_without_a_lever(cb_full):
    """A ratio of exactly 1/1.05 (common on short scales) must not flip when nothing changes."""
    cols = ["f1", "e1", "x1", "s1", "t1", "m1", "g1", "o1", "r1"]
    # benefits 4.0, sacrifices 4.2: ratio 1/1.05 exactly on paper
    row = dict(zip(cols, [4.0, 4.0, 4.0, 4.0, 4.2, 4.2, 4.2, 4.2, 4.2]))
    frame = pd.DataFrame([row] * 5 + [dict(zip(cols, [5.0] * 4 + [3.0] * 5))])
    scorer = ValueScorer(cb_full).fit(frame)
    scores = scorer.transform(frame)
    engine = ScenarioEngine(scores, scorer)
    s = engine.apply(Scenario())["summary"].loc["all"]
    before = (scores["verdict"] == "destroyed").mean()
    assert s["share_destroyed_before"] == before == s["share_destroyed_after"]
    assert s["moved_up"] == 0 and s["moved_down"] == 0
