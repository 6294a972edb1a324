"""The table and column arguments (valuekit._validate.args): frames, columns, groupings and
weights matched to respondents by label, each refusal naming the argument."""

import numpy as np
import pandas as pd
import pytest

from valuekit._validate.args import (align_arg, bare_name, columns_arg, covers_arg, frame_arg, grouping_arg,
                                     optional_frame, seed_arg, series_arg)
from valuekit.errors import ParameterError

SCORES = pd.DataFrame({"a": [1.0, 2.0, 3.0], "label": ["x", "y", "z"]}, index=[10, 20, 30])
DATA = pd.DataFrame({"channel": ["web", "shop", "web"]}, index=[10, 20, 30])


def test_the_bare_name_of_a_labelled_argument():
    assert bare_name("by (column 'x' of data)") == "by" and bare_name("rules[2]") == "rules"


def test_frames_and_seeds():
    assert frame_arg("scores", SCORES) is SCORES and optional_frame("data", None) is None
    assert seed_arg("random_state", None) is None and seed_arg("random_state", 7) == 7
    rng = np.random.default_rng(1)
    assert seed_arg("random_state", rng, also=(np.random.Generator,)) is rng


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("call, match", [
    (lambda: frame_arg("scores", [[1]]), r"scores: expected a DataFrame, got \[\[1\]\]"),
    (lambda: seed_arg("random_state", -1), r"random_state: expected None, a whole number from 0 to 4294967295"),
    (lambda: columns_arg("measures", ["a", "nope"], {"scores": SCORES}), "nope"),
    (lambda: columns_arg("measures", ["a", "a"], {"scores": SCORES}), "a"),
    (lambda: columns_arg("measures", ["label"], {"scores": SCORES}, numeric=True), "label"),
    (lambda: series_arg("segments", [0, 1, 2], SCORES.index), "segments: expected a Series"),
    (lambda: grouping_arg("by", "region", SCORES.index, {"scores": SCORES, "data": DATA}),
     "by column 'region' not found in"),
    (lambda: grouping_arg("by", [1, 2], SCORES.index), r"by: 2 value\(s\) given by position"),
])
def test_refusals_name_the_argument(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_series_are_matched_by_label():
    s = pd.Series(["c", "b", "a"], index=[30, 20, 10])
    assert align_arg("by", s, SCORES.index).tolist() == ["a", "b", "c"]
    assert grouping_arg("by", "channel", SCORES.index, {"scores": SCORES, "data": DATA}).tolist() == \
        ["web", "shop", "web"]
    with pytest.raises(ParameterError, match="by index label, but 1 of"):
        align_arg("by", pd.Series(["a", "b"], index=[10, 99]), pd.Index([10, 20]))
    with pytest.raises(ParameterError, match="duplicate labels"):
        align_arg("by", pd.Series(["a", "b"], index=[10, 10]), pd.Index([10]))


def test_data_must_cover_the_scored_respondents():
    assert covers_arg("data", DATA, pd.Index([10, 30])) is DATA
    with pytest.raises(ParameterError, match="1 of the 2 scored respondents have no row"):
        covers_arg("data", DATA, pd.Index([10, 40]))
