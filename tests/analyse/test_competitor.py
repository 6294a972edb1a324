"""The competitor: attribute by attribute against a competitor, and the customer value map."""

import numpy as np
import pandas as pd
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, Codebook, load_survey
from valuekit.analyse.competitor import attribute_comparison, value_map


def test_attribute_comparison_by_hand(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)  # c_f1 rates the competitor on f1
    data = pd.DataFrame({"f1": [6.0, 4.0, 5.0], "c_f1": [3.0, 2.0, np.nan],
                         "f2": 1.0, "e1": 1.0, "e2": 1.0, "m1": 1.0, "r1": 1.0})
    row = attribute_comparison(data, cb).iloc[0]
    assert row["n"] == 2 and row["ours"] == 5 and row["theirs"] == 2.5  # the third row rated only us
    assert row["ratio"] == 2 and row["advantage"] == 1


def test_value_map_on_demo_matches_the_planted_competitor():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    table = attribute_comparison(survey.data, cb, weights=survey.weights).set_index("block")
    # Verdalia was generated cheaper, better on economic, worse on experiential
    assert (table.loc["money", "ratio"] > 1.1) and (table.loc["economic", "ratio"] < 0.9).all()
    assert (table.loc["experiential", "ratio"] > 1.15).all()
    vm = value_map(survey.data, cb, weights=survey.weights)
    assert vm.loc["all", "value_advantage"] == pytest.approx(
        vm.loc["all", "relative_benefits"] - vm.loc["all", "relative_sacrifices"])
    # weighting economic alone: we lose on benefits
    econ = value_map(survey.data, cb, importance={"economic": 1, "money": 1}, weights=survey.weights)
    assert econ.loc["all", "relative_benefits"] < 1 and econ.loc["all", "position"] == "worse value"


def test_no_competitor_ratings_is_a_clear_error(codebook_dict):
    del codebook_dict["comparisons"]
    with pytest.raises(ValueError, match="no competitor ratings"):
        value_map(pd.DataFrame(), Codebook.from_dict(codebook_dict))


def test_the_value_advantage_has_a_bootstrap_interval():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    plain = value_map(survey)
    boot = value_map(survey, n_boot=200, random_state=7)
    pd.testing.assert_frame_equal(plain, boot[plain.columns])  # the estimate does not move
    row = boot.loc["all"]
    assert row["advantage_ci_low"] < row["value_advantage"] < row["advantage_ci_high"]
    assert row["advantage_ci_high"] - row["advantage_ci_low"] < 0.1  # 1,668 customers: a narrow interval
    pd.testing.assert_frame_equal(boot, value_map(survey, n_boot=200, random_state=7))
    assert "advantage_ci_low" not in plain


def test_the_interval_covers_zero_when_both_firms_are_rated_alike(codebook_dict):
    """Our ratings and the competitor's drawn from one distribution: no advantage either way."""
    codebook_dict["comparisons"]["items"] = {"f1": "c_f1", "e1": "c_e1", "m1": "c_m1"}
    cb = Codebook.from_dict(codebook_dict)
    rng = np.random.default_rng(0)
    columns = ("f1", "f2", "e1", "e2", "m1", "r1", "c_f1", "c_e1", "c_m1")
    data = pd.DataFrame({c: rng.integers(1, 8, 600).astype(float) for c in columns})
    table = value_map(data, cb, n_boot=300, random_state=1)
    assert table.loc["all", "n"] == 600 and np.isfinite(table.loc["all", "value_advantage"])
    assert table.loc["all", "advantage_ci_low"] < 0 < table.loc["all", "advantage_ci_high"]
