"""Price points beside the money sacrifice and the economic dimension, per segment and group."""

from __future__ import annotations

import numpy as np
import pytest

import valuekit as vk
from valuekit.analyse.price_value import price_beside_value
from valuekit.analyse.segments import ValueSegmenter
from valuekit.errors import ParameterError
from valuekit.measure.scoring import ValueScorer


@pytest.fixture(scope="module")
def demo():
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    return survey, scores


def test_the_money_sensitive_segment_accepts_lower_prices(demo):
    """The demo plants bargain hunters (a heavy money sacrifice, low willingness to pay) and
    style-and-status customers (a high one): the segment whose money sacrifice is found
    heavier is the one found to accept lower prices, and the segments found to accept
    higher prices do not feel money more than the rest."""
    survey, scores = demo
    segments = ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
    out = price_beside_value(survey, scores, by=segments, draws=200, random_state=1)
    assert len(out) == 4 and out["n"].sum() > 1800
    heavy = out[out["money_vs_rest"] == "higher"]
    assert len(heavy) == 1 and heavy["price_vs_rest"].tolist() == ["lower"]
    assert heavy["relative"].iloc[0] < -0.2 and heavy["money_g"].iloc[0] > 0.8
    higher = out[out["price_vs_rest"] == "higher"]
    assert len(higher) >= 1 and (higher["money_vs_rest"] != "higher").all()
    # each figure carries its interval
    assert (out["low"] <= out["price"]).all() and (out["price"] <= out["high"]).all()
    assert (out["money_score_low"] < out["money_score"]).all()
    assert (out["economic_score"] < out["economic_score_high"]).all()


def test_silent_on_the_null_survey(tmp_path):
    from valuekit.datasets.demo import make_null_survey

    make_null_survey(2000, random_state=11).to_csv(tmp_path / "null.csv", index=False)
    survey = vk.load_survey(tmp_path / "null.csv", codebook=vk.DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    out = price_beside_value(survey, scores, by="channel", draws=200, random_state=0)
    assert len(out) >= 2
    assert (out[["price_vs_rest", "money_vs_rest", "economic_vs_rest"]] == "").all().all()
    assert np.isfinite(out["price_p_adj"]).all()


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, match", [
    ({"point": "cheapest"}, "point: expected one of"),
    ({"by": None}, "by: expected a grouping"),
])
def test_a_wrong_argument_is_named(demo, kwargs, match):
    survey, scores = demo
    with pytest.raises(ParameterError, match=match):
        price_beside_value(survey, scores, **{"by": "channel", "draws": 100, **kwargs})


@pytest.mark.adversarial("error")
def test_scores_without_money_or_economic_are_refused(demo):
    survey, scores = demo
    with pytest.raises(ParameterError, match="neither the money sacrifice nor the economic dimension is scored"):
        price_beside_value(survey, scores[["functional"]], by="channel", draws=100)
