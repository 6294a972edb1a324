"""Van Westendorp, Newton–Miller–Smith and Gabor–Granger (valuekit.analyse.pricing).

The known answers come from R's pricesensitivitymeter 1.3.3 (``psm_analysis``,
``psm_analysis_weighted``), run by ``tests/data/pricing/make_fixtures.R`` on the data sets
it wrote beside itself; the values below are what it printed (``sprintf("%.15g")``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from valuekit.analyse import pricing
from valuekit.analyse.pricing import (GaborGrangerLadder, PriceQuestions, compare_price_points, gabor_granger,
                                      price_sensitivity)
from valuekit.config import PROJ_ROOT
from valuekit.errors import ParameterError, SurveyError

HERE = PROJ_ROOT / "tests" / "data" / "pricing"
FIVE = {5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0.0}  # R's default calibration (pi_scale 5:1)
NMS = PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex", buy_cheap="pint_ch",
                     buy_expensive="pint_ex", likelihood=FIVE)
VW = PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex")

# R: pricerange_lower, pricerange_upper, idp, opp, invalid_cases, total_sample
#    [, price_optimal_reach, price_optimal_revenue, max(data_nms$reach), max(data_nms$revenue)]
R = {
    # psm_analysis(..., pi_cheap = "pint_ch", pi_expensive = "pint_ex", data = a): ?psm_analysis's example
    "A": (6.35, 14.53, 9.98, 6.35, 0, 250, 8.8, 9.4, 0.412532225347329, 3.71856381674483),
    # psm_analysis(..., data = a, acceptable_range = "narrower")
    "A narrower": (6.35, 9.98, 9.98, 6.35, 0, 250),
    "B": (9.245, 12.54, 11.08, 10.24, 87, 250, 10.56, 10.72, 0.373038768044435, 3.97235217808782),
    "B narrower": (10.24, 11.65, 11.08, 10.24, 87, 250),
    # pi_calibrated = c(0.9, 0.6, 0.4, 0.2, 0.05), pi_calibrated_toocheap = 0.05, pi_calibrated_tooexpensive = 0.01
    "B calibrated": (9.245, 12.54, 11.08, 10.24, 87, 250, 10.56, 10.73, 0.487416623075504, 5.19308151729464),
    # toocheap = a column of NA
    "B no too cheap": (np.nan, 12.515, 11.07, np.nan, 60, 250, 7.73, 9.9, 0.441578947368421, 4.16794655158825),
    # psm_analysis_weighted(..., design = svydesign(ids = ~1, strata = gender, fpc = gender_pop))
    "C": (11.90388, 15.6176543209877, 13.6887654320988, 13.62, 22, 250, 12.16, 18.13, 0.210407120520172,
          3.15109467104978),
    "C unweighted": (11.65, 14.86, 12.9433333333333, 13.62, 22, 250),
}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"{name}.csv")


def _as_r(result) -> tuple:
    p = result.points["price"]
    out = (p["pmc"], p["pme"], p["ipp"], p["opp"], result.total - result.n, result.total)
    if "max_trial" in p:
        out += (p["max_trial"], p["max_revenue"], result.points.loc["max_trial", "value"],
                result.points.loc["max_revenue", "value"])
    return out


@pytest.mark.parametrize("case, file, questions, kwargs", [
    ("A", "psm_help_example", NMS, {}),
    ("A narrower", "psm_help_example", VW, {"acceptable": "narrower"}),
    ("B", "psm_overlapping", NMS, {}),
    ("B narrower", "psm_overlapping", VW, {"acceptable": "narrower"}),
    ("B calibrated", "psm_overlapping",
     PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex", buy_cheap="pint_ch",
                    buy_expensive="pint_ex", likelihood={5: 0.9, 4: 0.6, 3: 0.4, 2: 0.2, 1: 0.05},
                    at_too_cheap=0.05, at_too_expensive=0.01), {}),
    ("B no too cheap", "psm_overlapping",
     PriceQuestions(cheap="ch", expensive="ex", too_expensive="tex", buy_cheap="pint_ch", buy_expensive="pint_ex",
                    likelihood=FIVE), {}),
    ("C", "psm_weighted", NMS, {"weights": "weight"}),
    ("C unweighted", "psm_weighted", VW, {}),
])
def test_the_price_points_are_rs_pricesensitivitymeters(case, file, questions, kwargs):
    result = price_sensitivity(_data(file), questions, draws=0, **kwargs)
    np.testing.assert_allclose(_as_r(result), R[case], rtol=1e-12, atol=1e-12, equal_nan=True)


def test_a_point_that_is_not_defined_says_why():
    result = price_sensitivity(_data("psm_overlapping"), PriceQuestions(cheap="ch", expensive="ex",
                                                                        too_expensive="tex"), draws=0)
    assert result.points.loc[["pmc", "opp"], "note"].tolist() == ["too cheap was not asked"] * 2
    assert result.points.loc[["ipp", "pme"], "note"].tolist() == ["", ""]
    assert "too_cheap" not in result.curves


def test_the_curves_are_the_shares_of_respondents_at_each_price_given():
    """Each curve, recomputed respondent by respondent with the weights, at every price given."""
    data = _data("psm_weighted")
    result = price_sensitivity(data, NMS, weights="weight", draws=0)
    kept = data.drop(index=result.excluded["row"])
    w = kept["weight"].to_numpy()
    c = result.curves
    assert sorted(c["price"]) == sorted(set(kept[["tch", "ch", "ex", "tex"]].to_numpy().ravel()))

    def share(col, below_or_at):
        x = kept[col].to_numpy()
        return np.array([w[x <= p].sum() if below_or_at else w[x > p].sum() for p in c["price"]]) / w.sum()

    lowest = {col: c["price"] <= kept[col].min() for col in ("tch", "ch", "ex", "tex")}
    # R's ends: nobody's answer counts at the lowest price given to a question
    np.testing.assert_allclose(c["too_cheap"], np.where(lowest["tch"], 1.0, share("tch", False)), atol=1e-14)
    np.testing.assert_allclose(c["not_cheap"], np.where(lowest["ch"], 0.0, share("ch", True)), atol=1e-14)
    np.testing.assert_allclose(c["expensive"], np.where(lowest["ex"], 0.0, share("ex", True)), atol=1e-14)
    np.testing.assert_allclose(c["too_expensive"], np.where(lowest["tex"], 0.0, share("tex", True)), atol=1e-14)
    np.testing.assert_allclose(c["cheap"] + c["not_cheap"], 1.0)
    np.testing.assert_allclose(c["expensive"] + c["not_expensive"], 1.0)


def test_the_trial_curve_is_each_respondents_line_through_their_four_prices_averaged():
    """The sparse slope sums against np.interp respondent by respondent."""
    q = PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex", buy_cheap="pint_ch",
                       buy_expensive="pint_ex", likelihood={5: 0.9, 4: 0.6, 3: 0.4, 2: 0.2, 1: 0.05},
                       at_too_cheap=0.05, at_too_expensive=0.01)
    data = _data("psm_weighted")
    result = price_sensitivity(data, q, weights="weight", draws=0)
    kept = data.drop(index=result.excluded["row"])
    grid = result.curves["price"].to_numpy()
    lines = [np.interp(grid, [r.tch, r.ch, r.ex, r.tex], [0.05, q.likelihood[r.pint_ch], q.likelihood[r.pint_ex],
                                                          0.01]) for r in kept.itertuples()]
    expected = np.average(np.array(lines), axis=0, weights=kept["weight"])
    np.testing.assert_allclose(result.curves["trial"], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(result.curves["revenue"], expected * grid, rtol=1e-12)


@pytest.mark.adversarial("result")
def test_every_respondent_left_out_is_listed_with_the_reason():
    data = pd.DataFrame({"tch": [5, 5, np.nan, -1, 5, 5, 4], "ch": [8, 8, 8, 8, 9, 8, 8],
                         "ex": [12, 12, 12, 12, 8, 12, 12], "tex": [15, 15, 15, 15, 15, 15, 16],
                         "b1": [5, 4, 5, 5, 5, 9, 3], "b2": [2, 2, 2, 2, 2, 2, 1], "w": [1, 1, 1, 1, 1, 1, 0]},
                        index=list("abcdefg"))
    q = PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex", buy_cheap="b1",
                       buy_expensive="b2", likelihood=FIVE)
    result = price_sensitivity(data, q, weights="w", draws=0)
    reasons = result.excluded.set_index("row")
    assert reasons.loc["c", "reason"] == "a price question left unanswered"
    assert reasons.loc["d", "reason"] == "a price below zero"
    assert reasons.loc["e", "reason"] == "prices do not rise from too cheap to too expensive"
    assert reasons.loc["g", "reason"] == "weight zero"
    assert (reasons.loc["f", "reason"], reasons.loc["f", "analysis"]) == (
        "a purchase-likelihood question unanswered or off its scale", "trial")
    assert (result.n, result.n_trial, result.total) == (3, 2, 7)
    assert result.points.loc["max_trial", "n"] == 2 and result.points.loc["pmc", "n"] == 3


def test_r_leaves_out_the_same_respondents():
    data = _data("psm_overlapping")
    result = price_sensitivity(data, VW, draws=0)
    p = data[["tch", "ch", "ex", "tex"]].to_numpy()
    rising = (np.diff(p, axis=1) > 0).all(axis=1)
    assert sorted(result.excluded["row"]) == sorted(data.index[~rising])
    assert (result.excluded["reason"] == "prices do not rise from too cheap to too expensive").all()


@pytest.mark.adversarial("error")
def test_nobody_analysable_is_a_clear_error():
    data = pd.DataFrame({"tch": [9.0, 9], "ch": [8.0, 8], "ex": [12.0, 12], "tex": [15.0, np.nan]})
    with pytest.raises(SurveyError, match="none of the 2 respondents.*prices do not rise.*: 1.*left unanswered: 1"):
        price_sensitivity(data, VW)


@pytest.mark.adversarial("error")
def test_a_price_given_as_text_is_refused_naming_the_column():
    data = _data("psm_help_example").astype({"ex": str})
    with pytest.raises(ParameterError, match="'ex' holds"):
        price_sensitivity(data, VW)


def test_the_intervals_hold_the_estimate_and_do_not_depend_on_the_threads(monkeypatch):
    data = _data("psm_overlapping")
    one = price_sensitivity(data, NMS, draws=200, random_state=7)
    monkeypatch.setattr(pricing, "_workers", lambda: 3)
    three = price_sensitivity(data, NMS, draws=200, random_state=7)
    pd.testing.assert_frame_equal(one.points, three.points)
    p = one.points
    assert (p["low"] <= p["price"]).all() and (p["price"] <= p["high"]).all(), p
    assert (p["defined"] == 1).all()
    other = price_sensitivity(data, NMS, draws=200, random_state=8).points
    assert not np.allclose(other["low"], p["low"])


def test_the_intervals_narrow_as_the_sample_grows():
    rng = np.random.default_rng(3)

    def survey(n):
        base = rng.normal(10, 1.5, n)
        return pd.DataFrame({"tch": base * 0.6, "ch": base * 0.85, "ex": base * 1.15, "tex": base * 1.4}).round(1)

    width = [(lambda p: (p["high"] - p["low"]).to_numpy())(price_sensitivity(survey(n), VW, draws=200,
                                                                            random_state=1).points)
             for n in (200, 5000)]
    assert (width[1] < width[0] / 2).all(), width


def test_a_group_is_analysed_as_if_alone():
    data = _data("psm_weighted")
    by = price_sensitivity(data, NMS, weights="weight", by="gender", draws=0)
    alone = price_sensitivity(data[data["gender"] == "female"], NMS, weights="weight", draws=0)
    female = by.points[by.points["group"] == "female"].drop(columns="group")
    pd.testing.assert_frame_equal(female, alone.points)
    assert set(by.points["group"]) == {"all", "male", "female"}


def test_curves_that_touch_by_the_last_bit_cross_there_on_every_machine():
    price = np.array([1.0, 2.0, 3.0])
    above = np.array([0.5, 0.3, 0.5])
    for noise in (0.0, 1e-17, -1e-17):
        assert pricing._crossing(price, above, np.array([0.2, 0.3 + noise, 0.2])) == 2.0
    assert np.isnan(pricing._crossing(price, above, np.array([0.2, 0.29, 0.2])))


@pytest.mark.adversarial("error")
def test_the_questions_are_checked():
    with pytest.raises(ParameterError, match="pair"):
        PriceQuestions(cheap="a", expensive="b", too_expensive="c", buy_cheap="d")
    with pytest.raises(ParameterError, match="likelihood"):
        PriceQuestions(cheap="a", expensive="b", too_expensive="c", buy_cheap="d", buy_expensive="e")
    with pytest.raises(ParameterError, match="likelihood"):
        PriceQuestions(cheap="a", expensive="b", too_expensive="c", buy_cheap="d", buy_expensive="e",
                       likelihood={5: 1.5})
    with pytest.raises(ParameterError, match="two questions"):
        PriceQuestions(cheap="a", expensive="a", too_expensive="c")


# -- Gabor–Granger ------------------------------------------------------------------------------------

LADDER = {10: "p10", 20: "p20", 30: "p30"}


def test_gabor_granger_demand_and_revenue_by_hand():
    data = pd.DataFrame({"p10": [1, 1, 1, 1, 0], "p20": [1, 1, 0, 0, 0], "p30": [1, 0, 0, 0, 0],
                         "w": [1.0, 2.0, 1.0, 1.0, 1.0]})
    result = gabor_granger(data, {30: "p30", 10: "p10", 20: "p20"}, weights="w", draws=0)
    t = result.table
    assert t["price"].tolist() == [10, 20, 30] and t["column"].tolist() == ["p10", "p20", "p30"]
    np.testing.assert_allclose(t["demand"], [5 / 6, 3 / 6, 1 / 6])
    np.testing.assert_allclose(t["revenue"], [50 / 6, 60 / 6, 30 / 6])
    assert result.best.loc[0, "price"] == 20 and result.best.loc[0, "revenue"] == pytest.approx(10)


@pytest.mark.adversarial("result")
def test_gabor_granger_fills_an_adaptive_ladder_and_lists_who_it_leaves_out():
    data = pd.DataFrame({"p10": [np.nan, 1, 0, 1, np.nan, 1], "p20": [1, np.nan, np.nan, 0, np.nan, 7],
                         "p30": [0, 0, np.nan, 1, 0, 0]}, index=list("abcdef"))
    result = gabor_granger(data, LADDER, draws=0)
    reasons = result.excluded.set_index("row")["reason"].to_dict()
    assert reasons == {"b": "a price of the ladder left unanswered",
                       "d": "would buy at a higher price but not at a lower one",
                       "e": "a price of the ladder left unanswered", "f": "an answer outside the coding"}
    assert result.n == 2 and sorted(set(data.index) - set(reasons)) == ["a", "c"]
    # a: yes at 20, so yes at 10; c: no at 10, so no at 20 and 30
    np.testing.assert_allclose(result.table["demand"], [0.5, 0.5, 0.0])
    # the same with yes and no coded 1 and 2
    coded = gabor_granger(data.replace({0: 2}), GaborGrangerLadder(LADDER, buy={1: 1, 2: 0}), draws=0)
    assert coded.excluded.equals(result.excluded) and coded.table["demand"].equals(result.table["demand"])


def test_gabor_granger_reads_a_coded_answer_and_gives_the_best_price_an_interval():
    rng = np.random.default_rng(0)
    wtp = rng.lognormal(np.log(22), 0.3, 3000)
    data = pd.DataFrame({c: np.where(wtp >= p, "yes", "no") for p, c in LADDER.items()})
    result = gabor_granger(data, GaborGrangerLadder(LADDER, buy={"yes": 1, "no": 0}), draws=300, random_state=1)
    best = result.best.iloc[0]
    assert best["price"] == 20 and best["low"] <= 20 <= best["high"] and best["share"] > 0.9
    t = result.table
    assert (t["demand_low"] <= t["demand"]).all() and (t["demand"] <= t["demand_high"]).all()
    assert t["best_share"].sum() == pytest.approx(1)


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("ladder, match", [
    ({10: "p10"}, "at least two"), ("p10", "at least two"), ({0: "p10", 20: "p20"}, "above zero"),
    ({10: "p10", 20: "p10"}, "two prices"), ({10: "p10", 20: "nope"}, "not found"),
])
def test_gabor_granger_refuses_a_bad_ladder(ladder, match):
    data = pd.DataFrame({"p10": [1, 0], "p20": [0, 0], "p30": [0, 0]})
    with pytest.raises(ParameterError, match=match):
        gabor_granger(data, ladder)


# -- the demo's planted truth ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    import yaml

    import valuekit as vk

    with open(vk.DEMO_TRUTH_META, encoding="utf-8") as f:
        return vk.load_demo(), yaml.safe_load(f)["instruments"]


def test_the_demos_planted_price_points_are_recovered(demo):
    """Unweighted: the planted points are the model's at the segments' planned shares."""
    survey, truth = demo
    points = price_sensitivity(survey, weights=None, draws=1000, random_state=0).points
    for key, planted in truth["price_points"].items():
        assert points.loc[key, "low"] <= planted <= points.loc[key, "high"], (key, planted, points.loc[key])


def test_the_demos_planted_ladder_is_recovered(demo):
    survey, truth = demo
    result = gabor_granger(survey, weights=None, draws=1000, random_state=0)
    t = result.table.set_index("price")
    for price, planted in truth["gabor_granger"]["demand"].items():
        assert t.loc[price, "demand_low"] <= planted <= t.loc[price, "demand_high"], price
    assert result.best.loc[0, "price"] == truth["gabor_granger"]["best_price"]


def test_the_demo_lists_every_planted_slip(demo):
    survey, _ = demo
    reasons = set(map(tuple, survey.instrument_exclusions[["instrument", "reason"]].to_numpy()))
    assert reasons == {("pricing", "prices do not rise from too cheap to too expensive"),
                       ("pricing", "a price question left unanswered"),
                       ("gabor_granger", "would buy at a higher price but not at a lower one"),
                       ("kano", "the functional answer missing (half a pair)"),
                       ("kano", "the dysfunctional answer missing (half a pair)")}
    # the euro-signed prices were read as amounts, not flagged
    assert not survey.audit.cells["column"].str.startswith("price_").any()


# -- groups against the rest --------------------------------------------------------------------------

def test_groups_that_pay_differently_are_found_and_named(demo):
    """The demo's 'price first' customers are mostly bargain hunters (planted willingness to pay
    55 euros), 'style and status' mostly status buyers (95): every point lower, and higher."""
    survey, _ = demo
    table = compare_price_points(survey, by="world_view", random_state=0)
    found = table[table["finding"]]
    assert set(found.loc[found["group"] == "price first", "direction"]) == {"lower"}
    assert set(found.loc[found["group"] == "style and status", "direction"]) == {"higher"}
    assert (found.groupby("group").size() == 6).all()
    assert (found["p_adj"] < 0.05).all() and (found["relative"].abs() >= 0.05).all()
    assert ((found["ci_low"] <= found["diff"]) & (found["diff"] <= found["ci_high"])).all()


@pytest.mark.parametrize("seed", [3, 11])
def test_nothing_is_found_where_every_group_pays_alike(seed, tmp_path):
    """The null survey: one willingness to pay for everyone, so no group differs."""
    import valuekit as vk
    from valuekit.datasets.demo import make_null_survey

    make_null_survey(2000, random_state=seed).to_csv(tmp_path / "null.csv", index=False)
    survey = vk.load_survey(tmp_path / "null.csv", codebook=vk.DEMO_CODEBOOK)
    for by in ("channel", "world_view"):
        table = compare_price_points(survey, by=by, random_state=seed)
        assert not table["finding"].any(), table[table["finding"]]
        assert table["p"].notna().all()


def test_a_group_too_small_is_not_compared(demo):
    survey, _ = demo
    tiny = pd.Series(np.where(np.arange(len(survey.data)) < 20, "tiny", "big"), index=survey.data.index)
    table = compare_price_points(survey, by=tiny, draws=200, random_state=0)
    assert table["p"].isna().all() and not table["finding"].any()
    assert table["note"].str.contains("fewer than 30 effective respondents").all()


@pytest.mark.adversarial("error")
def test_a_comparison_needs_a_grouping_and_enough_draws(demo):
    survey, _ = demo
    with pytest.raises(ParameterError, match="by"):
        compare_price_points(survey, by=None)
    with pytest.raises(ParameterError, match="at least 100 draws"):
        compare_price_points(survey, by="channel", draws=50)


def test_a_group_nobody_in_can_be_analysed_says_so(demo):
    from valuekit.analyse.kano import kano

    survey, _ = demo
    data = survey.data.copy()
    group = pd.Series(np.where(np.arange(len(data)) % 2, "odd", "even"), index=data.index, dtype=object)
    lost = data.index[:40]
    group[lost] = "lost"
    data.loc[lost, ["price_cheap", "gg_49", "gg_59", "gg_69", "gg_79", "gg_89"]] = np.nan
    data.loc[lost, ["kano_app_f"]] = np.nan
    points = price_sensitivity(data, survey.codebook.pricing, by=group, draws=0).points
    assert (points.loc[points["group"] == "lost", "note"] == pricing.NOBODY).all()
    assert (points.loc[points["group"] == "lost", "n"] == 0).all()
    ladder = gabor_granger(data, survey.codebook.gabor_granger, by=group, draws=0)
    assert ladder.best.set_index("group").loc["lost", "note"] == pricing.NOBODY
    services = kano(data, survey.codebook.kano, by=group, draws=0).table
    app = services[(services.index == "app") & (services["group"] == "lost")]
    assert app["note"].tolist() == [pricing.NOBODY] and app["n"].tolist() == [0]


def test_a_group_of_exactly_the_minimum_is_compared_whatever_the_last_bit():
    """Kish's n of thirty weights of 0.7 is 29.999999999999982: still thirty."""
    data = pd.read_csv(HERE / "psm_help_example.csv").iloc[:90].assign(w=0.7)
    group = np.where(np.arange(90) < 30, "thirty", "sixty")
    table = compare_price_points(data, VW, by=group, weights="w", draws=100, random_state=0)
    assert table.loc[table["group"] == "thirty", "p"].notna().all()
