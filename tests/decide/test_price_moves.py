"""Moving the price: the value ratio's change beside the Newton–Miller–Smith trial share's."""

from __future__ import annotations

import numpy as np
import pytest

import valuekit as vk
from valuekit.analyse.price_value import demand_at
from valuekit.decide.price_moves import price_move_gap, price_moves
from valuekit.decide.scenario import Scenario
from valuekit.errors import ParameterError, SurveyError


@pytest.fixture(scope="module")
def demo(scenario_engine):
    return vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK), scenario_engine


def test_a_cheaper_drill_raises_value_and_trial_and_a_dearer_one_lowers_both(demo):
    survey, engine = demo
    out = price_moves(survey, engine, [-10, 10, 40], draws=300, random_state=0)
    assert out.attrs["current"] == 69 and out.attrs["lever"] == "price"
    assert np.allclose(out["price"], [62.1, 75.9, 96.6])
    cheaper, dearer, far = (out.iloc[k] for k in range(3))
    assert cheaper["value_ratio_change"] > 0 and cheaper["trial_change_low"] > 0
    assert 0 < cheaper["value_ratio_change_low"] < cheaper["value_ratio_change"] < cheaper["value_ratio_change_high"]
    assert dearer["value_ratio_change_high"] < 0
    assert np.isclose(cheaper["value_ratio_relative"] * cheaper["mean_value_ratio_before"], cheaper["value_ratio_change"])
    assert dearer["value_ratio_change"] < 0 and dearer["trial_change_high"] < 0
    assert cheaper["share_destroyed_change_high"] < 0 < dearer["share_destroyed_change_low"]
    # 96.60 lies beyond the highest acceptable price (about 90): said, not hidden
    assert out["acceptable"].tolist() == [True, True, False]
    assert far["price"] > out.attrs["acceptable_range"][1]
    # the two sides are the engine's and the trial curve's own figures
    direct = engine.apply(Scenario(levers={"price": -10}))["summary"].loc["all"]
    assert cheaper["mean_value_ratio_after"] == direct["mean_value_ratio_after"]
    curve = demand_at(survey, [69, 62.1], draws=0)
    assert np.isclose(cheaper["trial"], curve["trial"].iloc[1], rtol=0, atol=1e-12)
    assert np.isclose(cheaper["revenue_now"], curve["revenue"].iloc[0], rtol=0, atol=1e-12)


def test_the_trial_curve_read_at_a_price_is_the_curve_itself(demo):
    """demand_at at the grid prices equals price_sensitivity's trial curve, and its intervals
    are the same whatever the thread count (one seed, one stream)."""
    from valuekit.analyse.pricing import price_sensitivity

    survey, _ = demo
    curves = price_sensitivity(survey, draws=0).curves.set_index("price")
    grid = curves.index.to_numpy()[10:400:37]
    read = demand_at(survey, grid, draws=0)
    assert np.abs(read["trial"].to_numpy() - curves.loc[grid, "trial"].to_numpy()).max() < 1e-12
    a = demand_at(survey, [60, 70], draws=200, random_state=5)
    b = demand_at(survey, [60, 70], draws=200, random_state=5)
    assert a.equals(b) and (a["trial_low"] < a["trial"]).all() and (a["trial"] < a["trial_high"]).all()


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, error, match", [
    ({"changes": [-60]}, ParameterError, r"changes\[0\]: expected a finite number >= -50 and <= 50, got -60"),
    ({"changes": []}, ParameterError, "changes: expected at least one price change"),
    ({"lever": "rebate"}, ParameterError, "lever: 'rebate' is not a lever of demo_levers.yaml"),
    ({"lever": "staff"}, ParameterError, "lever: 'staff' moves its items by 'points'; a price lever moves them by"),
    ({"current": 0}, ParameterError, "current: expected a finite number > 0, got 0"),
])
def test_a_wrong_move_is_named(demo, kwargs, error, match):
    survey, engine = demo
    with pytest.raises(error, match=match):
        price_moves(survey, engine, **{"changes": [5], "draws": 0, **kwargs})


@pytest.mark.adversarial("error")
def test_a_survey_without_the_trial_questions_says_so(demo):
    survey, _ = demo
    q = survey.codebook.pricing
    from dataclasses import replace

    with pytest.raises(SurveyError, match="did not ask the Newton–Miller–Smith questions"):
        demand_at(survey, [60], replace(q, buy_cheap=None, buy_expensive=None, likelihood=None))


def test_the_gap_says_why_a_price_cannot_be_moved(demo):
    from dataclasses import replace

    survey, engine = demo
    cb, levers = survey.codebook, engine.levers
    assert price_move_gap(cb, levers) == ""
    q = cb.pricing
    assert "does not say today's price" in price_move_gap(replace(cb, pricing=replace(q, current=None)), levers)
    assert "'rebate' is not in demo_levers.yaml" in price_move_gap(replace(cb, pricing=replace(q, lever="rebate")),
                                                                    levers)
    assert "moves its items by 'points'" in price_move_gap(replace(cb, pricing=replace(q, lever="staff")), levers)
    assert "no Newton–Miller–Smith questions" in price_move_gap(
        replace(cb, pricing=replace(q, buy_cheap=None, buy_expensive=None, likelihood=None)), levers)
    assert price_move_gap(replace(cb, pricing=None), levers) == "the codebook has no pricing: section"
