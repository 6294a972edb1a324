"""What every stage reads answers and weights with (valuekit.survey.answers): rated answers
as floats or what is wrong with them, survey weights checked, Kish's effective n, and the
scores of multi-item outcomes and constructs."""

import numpy as np
import pandas as pd
import pytest

from valuekit import Codebook
from valuekit.errors import ParameterError, SurveyError
from valuekit.survey.answers import answer_values, construct_scores, kish_n, require_items, survey_weights, weighted_cov
from valuekit.survey.codebook import Scale

SCALE = Scale(1.0, 5.0)


def test_kish_n_known_answers():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_n(w.sum(), (w ** 2).sum()) == pytest.approx(64 / 22)
    assert kish_n(7.0, 7.0) == 7.0  # equal weights: n
    np.testing.assert_allclose(kish_n(np.array([4.0, 8.0]), np.array([4.0, 22.0])), [4.0, 64 / 22])  # per group


def test_survey_weights_none_and_values():
    np.testing.assert_array_equal(survey_weights(None, 3), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(survey_weights([1, 2, 0], 3), [1.0, 2.0, 0.0])


def test_a_series_of_weights_is_matched_by_label_not_position():
    index = pd.Index([10, 20, 30])
    w = pd.Series([3.0, 2.0, 1.0], index=[30, 20, 10])
    np.testing.assert_array_equal(survey_weights(w, 3, index=index), [1.0, 2.0, 3.0])


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("weights, match", [
    ([1, -1, 1], r"w: weights must be finite and >= 0; 1 are not \(first: -1 at position 1\)"),
    ([1, np.nan, 1], r"w: weights must be finite and >= 0"),
    ([0, 0, 0], r"w: all weights are zero \(3 respondent\(s\)\)"),
    ([1, 1], r"w: 2 weight\(s\) for 3 respondent\(s\)"),
    ("weight", r"w: expected None or one weight per respondent \(3 numbers\)"),
    (["a", "b", "c"], r"w: expected numbers"),
    (pd.Series([True, False, True]), r"w: expected numbers"),
])
def test_bad_weights_are_named(weights, match):
    with pytest.raises(ParameterError, match=match) as err:
        survey_weights(weights, 3, name="w")
    assert err.value.name == "w"


def test_answer_values_are_floats_or_a_reason():
    values, problem = answer_values(pd.Series([1.0, 5.0, np.nan]), "q1", SCALE)
    assert problem is None and np.isnan(values[2]) and values[:2].tolist() == [1.0, 5.0]
    values, problem = answer_values(pd.Series([None, None], dtype=object), "q1", SCALE)
    assert problem is None and np.isnan(values).all()  # nobody answered
    _, problem = answer_values(pd.Series(["agree", "no"]), "q1", SCALE)
    assert problem.startswith("item column 'q1' holds") and "not numbers" in problem
    _, problem = answer_values(pd.Series([1, 9, 0, 3], index=[11, 12, 13, 14]), "q1", SCALE)
    assert problem == ("item column 'q1' has 2 answer(s) outside its scale 1-5: value(s) 0, 9 "
                       "(first rows: 12, 13)")
    _, problem = answer_values(pd.Series([1.0, np.inf]), "q1", SCALE)
    assert "outside its scale 1-5 or infinite" in problem


@pytest.mark.adversarial("error")
def test_missing_item_columns_are_named():
    with pytest.raises(SurveyError, match=r"item column\(s\) \['q2'\] not found in data; available: \['q1'\]"):
        require_items(pd.DataFrame({"q1": [1]}), ["q1", "q2"])


def test_construct_scores_need_half_their_items():
    cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f"]},
                             "constructs": {"trust": ["t1", "t2", "t3", "t4"]}})
    frame = pd.DataFrame({"f": [1, 1, 1], "t1": [2, 2, None], "t2": [4, None, None], "t3": [None, None, None],
                          "t4": [None, None, 5]})
    assert construct_scores(frame, cb)["trust"].tolist()[:1] == [3.0]
    assert np.isnan(construct_scores(frame, cb)["trust"].iloc[1])  # 1 of 4 answered, 2 needed
    assert construct_scores(frame, cb, min_answered=0.25)["trust"].tolist() == [3.0, 2.0, 5.0]


def test_weighted_cov_is_numpys_with_weights_and_pairwise_gaps():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 3))
    w = rng.integers(1, 4, size=50).astype(float)
    np.testing.assert_allclose(weighted_cov(X, w), np.cov(X.T, aweights=w, bias=True), rtol=1e-12)
    np.testing.assert_allclose(weighted_cov(X, w), np.cov(np.repeat(X, w.astype(int), axis=0).T, bias=True),
                               rtol=1e-12)  # a weight of 2 is a respondent counted twice
    X[[3, 7], 1] = np.nan
    masked = np.ma.cov(np.ma.masked_invalid(X).T, bias=True).filled()
    np.testing.assert_allclose(weighted_cov(X, np.ones(50)), masked, rtol=1e-12)


def test_the_pairwise_covariance_is_semopys_own():
    """The measurement model's covariance (valuekit.measure.sem) is this one: with unit weights,
    numpy.ma.cov(bias=True), which semopy computes from the same data."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 4))
    X[rng.random(X.shape) < 0.2] = np.nan
    ref = np.ma.cov(np.ma.masked_invalid(X), rowvar=False, bias=True).data
    np.testing.assert_allclose(weighted_cov(X, np.ones(200)), ref, atol=1e-12)
