"""Analysis functions take the survey first: ``f(survey, ...)`` is ``f(..., codebook=,
data=, weights=)`` with what the survey carries, and an explicit keyword wins."""

import inspect

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.analyse.significance import compare_groups
from valuekit.errors import ParameterError
from valuekit.survey.audit import survey_first

#: Public functions with a codebook, data or weights parameter that do not take a survey
#: first, and why.
NOT_SURVEY_FIRST = {
    "audit_survey": "builds the survey",
    "load_survey": "builds the survey",
    "rake": "computes the weights the survey will carry (weight_survey takes the survey)",
    "cronbach_alpha": "one block of items, no codebook",
    "mcdonald_omega": "one block of items, no codebook",
    "reader_table": "writes any result table for readers; the codebook only labels it",
}


def _public_functions():
    for name in vk.__all__:
        obj = getattr(vk, name)
        if inspect.isfunction(obj):
            yield name, obj
    yield "compare_groups", compare_groups


def test_every_function_that_takes_what_a_survey_carries_takes_the_survey():
    """A public function with ``codebook``, ``data`` or ``weights`` either takes a survey first
    or is listed above with its reason, so the next function cannot forget."""
    undecided = []
    for name, func in _public_functions():
        params = set(inspect.signature(func).parameters)
        if params & {"codebook", "data", "weights"} and name not in NOT_SURVEY_FIRST:
            if not getattr(func, "__wrapped__", None) or "may come first" not in (func.__doc__ or ""):
                undecided.append(name)
    assert undecided == []


@pytest.fixture(scope="module")
def demo(demo_scores):
    survey, scores = demo_scores
    segments = vk.ValueSegmenter(survey.codebook, n_segments=3, random_state=1).fit(scores).labels_
    return survey, scores, segments


def test_same_result_as_the_keywords(demo):
    survey, scores, segments = demo
    cb, data, w = survey.codebook, survey.data, survey.weights
    pd.testing.assert_frame_equal(vk.reliability(survey), vk.reliability(data, cb))
    pd.testing.assert_frame_equal(vk.share_destroyed(survey, scores, segments),
                                  vk.share_destroyed(scores, segments, weights=w))
    pd.testing.assert_frame_equal(vk.segment_profiles(survey, scores, segments),
                                  vk.segment_profiles(scores, segments, codebook=cb, data=data, weights=w))
    pd.testing.assert_frame_equal(compare_groups(survey, scores, {"segment": segments, "channel": "channel"}),
                                  compare_groups(scores, {"segment": segments, "channel": "channel"},
                                                 codebook=cb, data=data, weights=w))
    pd.testing.assert_frame_equal(vk.attribute_comparison(survey), vk.attribute_comparison(data, cb, weights=w))
    table = scores.join(data[["out_sat"]])
    drivers = list(cb.dimensions)
    pd.testing.assert_frame_equal(vk.key_drivers(survey, table, "out_sat", drivers, n_boot=0),
                                  vk.key_drivers(table, "out_sat", drivers, codebook=cb, weights=w, n_boot=0))


def test_the_survey_weights_are_used_and_an_explicit_keyword_wins(demo):
    survey, scores, segments = demo
    assert survey.weights is not None and survey.weights.std() > 0
    weighted = vk.share_destroyed(survey, scores, segments)
    unweighted = vk.share_destroyed(survey, scores, segments, weights=None)
    pd.testing.assert_frame_equal(unweighted, vk.share_destroyed(scores, segments))
    assert not np.allclose(weighted["share_destroyed"], unweighted["share_destroyed"])  # the weights change the shares


@pytest.mark.adversarial("error")
def test_too_many_positional_arguments_are_named(demo):
    survey, scores, segments = demo
    with pytest.raises(ParameterError, match=r"reliability\(survey, \.\.\.\): after the survey .* at most 0"):
        vk.reliability(survey, survey.codebook)


@pytest.mark.adversarial("error")
def test_an_argument_given_twice_is_named(demo):
    survey, scores, segments = demo
    with pytest.raises(ParameterError, match="'segments' given twice") as err:
        vk.share_destroyed(survey, scores, segments, segments=segments)
    assert err.value.name == "segments"


def test_signature_and_docstring():
    sig = inspect.signature(vk.segment_profiles)
    assert list(sig.parameters)[:3] == ["scores", "segments", "codebook"]  # unchanged for keyword callers
    doc = vk.segment_profiles.__doc__
    assert doc.index("may come first") < doc.index("Parameters\n")
    assert "``codebook``, ``data``, ``weights``" in doc


def test_a_decorator_naming_what_a_survey_does_not_carry_is_refused():
    with pytest.raises(ValueError, match="not \\['segments'\\]"):
        survey_first("segments")
    with pytest.raises(ValueError, match="has no parameter \\['codebook'\\]"):
        survey_first("codebook")(lambda data, weights=None: None)
