"""Kano's questionnaire (valuekit.analyse.kano).

The published table: the README of the R package stp25kano (W. Peter, 2024-05-11),
"Kano Analyse", five attributes of a cleaning-equipment maker's survey (296 answers each):
counts M, O, A, I, R, Q; the most frequent category; the M > O > A > I category; total and
category strength; CS+ (better) and CS- (worse) to three decimals; the Fong test. The
counts are rebuilt here as answer pairs; every figure printed there is checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from valuekit.analyse import kano as kano_module
from valuekit.analyse.kano import EVALUATION, KanoQuestions, compare_kano, kano
from valuekit.errors import ParameterError, SurveyError

CODING = {1: "like", 2: "expect", 3: "neutral", 4: "tolerate", 5: "dislike"}
#: one (functional, dysfunctional) answer pair that falls in each category
PAIR = {"A": (1, 3), "O": (1, 5), "M": (3, 5), "I": (3, 3), "R": (5, 1), "Q": (1, 1)}

PUBLISHED = pd.DataFrame(
    # counts M, O, A, I, R, Q | max category, M>O>A>I, total strength %, category strength %, CS+, CS-, Fong sig.
    [("service_app", 95, 123, 45, 33, 0, 0, "O", "O", 89, 9, 0.568, -0.736, True),
     ("excellent_service", 101, 54, 54, 81, 3, 3, "M", "M", 71, 7, 0.372, -0.534, True),
     ("hotline", 15, 24, 121, 124, 6, 6, "I", "A", 54, 1, 0.511, -0.137, False),
     ("loan_machine", 65, 87, 93, 51, 0, 0, "A", "O", 83, 2, 0.608, -0.514, False),
     ("ready_to_use_return", 9, 18, 83, 177, 6, 3, "I", "I", 37, 32, 0.352, -0.094, True)],
    columns=["attribute", "M", "O", "A", "I", "R", "Q", "category", "decided", "total_strength", "strength",
             "better", "worse", "apart"]).set_index("attribute")


def _answers(counts: pd.DataFrame) -> tuple[pd.DataFrame, KanoQuestions]:
    cols = {}
    for attribute, row in counts.iterrows():
        pairs = [PAIR[c] for c in "MOAIRQ" for _ in range(int(row[c]))]
        cols[f"{attribute}_f"] = [p[0] for p in pairs]
        cols[f"{attribute}_d"] = [p[1] for p in pairs]
    q = KanoQuestions(pairs={a: (f"{a}_f", f"{a}_d") for a in counts.index}, answers=CODING)
    return pd.DataFrame(cols), q


def test_the_evaluation_table_is_berger_et_als():
    assert EVALUATION.to_numpy().tolist() == [list("QAAAO"), list("RIIIM"), list("RIIIM"), list("RIIIM"),
                                              list("RRRRQ")]
    data = pd.DataFrame({"f": [f for f in range(1, 6) for _ in range(5)], "d": list(range(1, 6)) * 5})
    result = kano(data.iloc[[0]], KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING), draws=0)
    assert result.table.loc["x", "category"] == "Q"
    categories = kano(data, KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING), draws=0).categories["x"]
    assert "".join(categories) == "QAAAO" + "RIIIM" * 3 + "RRRRQ"


def test_the_published_table_is_reproduced():
    data, q = _answers(PUBLISHED)
    t = kano(data, q, draws=0).table
    for c in "MOAIRQ":
        np.testing.assert_allclose(t[c] * t["n"], PUBLISHED[c], atol=1e-9)
    assert (t["n"] == 296).all()
    assert t["category"].tolist() == PUBLISHED["category"].tolist()
    assert t["decided"].tolist() == PUBLISHED["decided"].tolist()
    assert t["apart"].tolist() == PUBLISHED["apart"].tolist()
    np.testing.assert_array_equal((t["total_strength"] * 100).round(), PUBLISHED["total_strength"])
    np.testing.assert_array_equal((t["strength"] * 100).round(), PUBLISHED["strength"])
    np.testing.assert_array_equal(t["better"].round(3), PUBLISHED["better"])
    np.testing.assert_array_equal(t["worse"].round(3), PUBLISHED["worse"])


def test_fongs_margin_is_the_published_one():
    """"28 < 19.4 sig.", "3 < 19.8 ns": the margin 1.65 sqrt((m1 + m2)(2n - m1 - m2) / 2n)."""
    margin = 1.65 * np.sqrt((123 + 95) * (2 * 296 - 123 - 95) / (2 * 296))
    assert round(margin, 1) == 19.4
    assert kano_module._fong(123, 95, 296) and not kano_module._fong(124, 121, 296)
    assert round(1.65 * np.sqrt((124 + 121) * (2 * 296 - 245) / (2 * 296)), 1) == 19.8


def test_the_coefficients_and_coordinates_by_their_formulas():
    # 2 attractive (like/neutral), 1 must-be (neutral/dislike), 1 indifferent, 1 questionable
    data = pd.DataFrame({"f": [1, 1, 3, 3, 1], "d": [3, 3, 5, 3, 1], "w": [1.0, 1.0, 2.0, 1.0, 1.0]})
    t = kano(data, KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING), weights="w", draws=0).table.loc["x"]
    a, m, i = 2 / 6, 2 / 6, 1 / 6
    assert t["better"] == pytest.approx(a / (a + m + i)) and t["worse"] == pytest.approx(-m / (a + m + i))
    # DuBouchet: functional like 4, neutral 0; dysfunctional neutral 0, dislike 4 (Q left out)
    assert t["functional"] == pytest.approx((4 + 4 + 0 * 2 + 0) / 5)
    assert t["dysfunctional"] == pytest.approx((0 + 0 + 4 * 2 + 0) / 5)


def test_weights_that_are_all_equal_change_nothing():
    data, q = _answers(PUBLISHED)
    plain = kano(data, q, draws=50, random_state=2).table
    doubled = kano(data.assign(w=2.0), q, weights="w", draws=50, random_state=2).table
    pd.testing.assert_frame_equal(plain, doubled)


@pytest.mark.adversarial("result")
def test_half_a_pair_is_left_out_with_the_reason():
    data = pd.DataFrame({"f": [1, np.nan, 1, np.nan, 8], "d": [3, 5, np.nan, np.nan, 3]}, index=list("abcde"))
    result = kano(data, KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING), draws=0)
    reasons = result.excluded.set_index("row")["reason"].to_dict()
    assert reasons == {"b": "the functional answer missing (half a pair)",
                       "c": "the dysfunctional answer missing (half a pair)", "d": "neither question answered",
                       "e": "an answer outside the coding in 'f' (8.0)"}
    assert result.table.loc["x", "n"] == 1 and result.categories["x"].isna().sum() == 4


def test_the_intervals_hold_the_estimates_and_groups_are_analysed_alone():
    data, q = _answers(PUBLISHED)
    data["segment"] = np.arange(len(data)) % 2
    result = kano(data, q, by="segment", draws=200, random_state=0)
    t = result.table
    for name in ("better", "worse", "functional", "dysfunctional"):
        assert (t[f"{name}_low"] <= t[name]).all() and (t[name] <= t[f"{name}_high"]).all()
    alone = kano(data[data["segment"] == 1], q, draws=0).table
    one = t[t["group"] == 1].drop(columns="group")
    pd.testing.assert_series_equal(one["better"], alone["better"])


@pytest.mark.adversarial("error")
def test_nobody_with_both_answers_is_a_clear_error_and_bad_questions_are_refused():
    with pytest.raises(SurveyError, match="no respondent answered both"):
        kano(pd.DataFrame({"f": [1.0, np.nan], "d": [np.nan, 2.0]}),
             KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING))
    with pytest.raises(ParameterError, match="answers"):
        KanoQuestions(pairs={"x": ("f", "d")}, answers={1: "like", 2: "love"})
    with pytest.raises(ParameterError, match="two different column names"):
        KanoQuestions(pairs={"x": ("f", "f")}, answers=CODING)
    with pytest.raises(ParameterError, match="not found"):
        kano(pd.DataFrame({"f": [1]}), KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING))


def test_the_demos_planted_categories_are_recovered():
    import yaml

    import valuekit as vk

    with open(vk.DEMO_TRUTH_META, encoding="utf-8") as f:
        truth = yaml.safe_load(f)["instruments"]["kano"]
    t = kano(vk.load_demo(), weights=None, draws=1000, random_state=0).table
    for attribute, planted in truth.items():
        row = t.loc[attribute]
        assert row["decided"] == row["category"] == planted["category"] and row["apart"], attribute
        for coef in ("better", "worse"):
            assert row[f"{coef}_low"] <= planted[coef] <= row[f"{coef}_high"], (attribute, coef)


# -- groups against the rest ---------------------------------------------------------------------------

def test_no_group_differs_where_the_demo_planted_one_mix_for_everyone():
    """The demo draws every respondent's Kano category from one mix per attribute, whatever
    their segment or world view: nothing to find."""
    import valuekit as vk

    table = compare_kano(vk.load_demo(), by="world_view", random_state=0)
    assert not table["finding"].any(), table[table["finding"]]
    assert table["p"].notna().all() and len(table) == 5 * 4 * 2


def test_a_group_that_sees_an_attribute_otherwise_is_found():
    rng = np.random.default_rng(4)
    n = 600
    group = np.where(np.arange(n) < 300, "young", "old")
    # the young find it attractive (like / neutral), the old take it for granted (neutral / dislike)
    young = rng.random(n) < 0.7
    f = np.where(group == "young", np.where(young, 1, 3), np.where(young, 3, 1))
    d = np.where(group == "young", np.where(young, 3, 3), np.where(young, 5, 3))
    data = pd.DataFrame({"f": f, "d": d, "age": group})
    table = compare_kano(data, KanoQuestions(pairs={"x": ("f", "d")}, answers=CODING), by="age", random_state=1)
    young_rows = table[table["group"] == "young"].set_index("coefficient")
    assert young_rows.loc["better", "finding"] and young_rows.loc["better", "direction"] == "higher"
    assert young_rows.loc["worse", "finding"] and young_rows.loc["worse", "direction"] == "higher"  # less negative
    assert young_rows.loc["better", "category"] == "A"


@pytest.mark.adversarial("error")
def test_a_kano_comparison_needs_a_grouping_and_enough_draws():
    data, q = _answers(PUBLISHED)
    with pytest.raises(ParameterError, match="by"):
        compare_kano(data, q, by=None)
    with pytest.raises(ParameterError, match="at least 100 draws"):
        compare_kano(data.assign(g=1), q, by="g", draws=10)
