"""The score model's pieces (valuekit.measure.model): the common scale, each item's map onto
it, the verdict, the group order and the weights argument."""

import numpy as np
import pandas as pd
import pytest

from valuekit import Codebook
from valuekit.errors import ParameterError
from valuekit.measure.model import common_scale, group_order, item_maps, require_ratio, verdict_codes, weights_arg
from valuekit.survey.codebook import NoSacrificesError, Scale

CB = Codebook.from_dict({"scale": {"min": 0, "max": 10}, "benefits": {"functional": ["a", "r"]},
                         "sacrifices": {"money": ["m"]},
                         "items": {"r": {"reverse": True}, "m": {"scale": {"min": 1, "max": 5}}}})


def test_the_common_scale_starts_at_1():
    assert common_scale(CB) == Scale(1.0, 11.0)  # 0-10 shifted: a ratio needs a positive scale
    one_to_seven = Codebook.from_dict({"scale": {"min": 1, "max": 7}, "benefits": {"functional": ["a"]}})
    assert common_scale(one_to_seven) == Scale(1.0, 7.0)


def test_item_maps_put_every_item_on_the_common_scale_the_right_way_round():
    a, b = item_maps(CB, ["a", "r", "m"])
    on_common = lambda j, x: a[j] + b[j] * x  # noqa: E731
    assert (on_common(0, 0), on_common(0, 10)) == (1.0, 11.0)
    assert (on_common(1, 0), on_common(1, 10)) == (11.0, 1.0)  # reverse-keyed: flipped
    assert (on_common(2, 1), on_common(2, 5)) == pytest.approx((1.0, 11.0))  # its own 1-5 scale stretched


def test_verdicts_at_and_beside_the_band():
    b = np.array([4.2, 4.21, 4.0, 4.0, np.nan])
    s = np.array([4.0, 4.0, 4.21, 4.2, 3.0])
    assert verdict_codes(b, s, 0.05).tolist() == [1, 2, 0, 1, -1]  # a ratio of exactly 1.05 is neutral


def test_group_order_is_natural():
    assert group_order([10, 2, "b", "a", np.nan, 2]) == [2, 10, "a", "b"]
    with pytest.raises(ParameterError, match="levels"):
        group_order("ab")


def test_weights_arg_takes_a_column_of_either_frame():
    scores = pd.DataFrame({"x": [1.0, 2.0], "w": [1.0, 3.0]}, index=[5, 6])
    data = pd.DataFrame({"weight": [2.0, 2.0]}, index=[5, 6])
    np.testing.assert_array_equal(weights_arg("w", scores, data), [1.0, 3.0])
    np.testing.assert_array_equal(weights_arg("weight", scores, data), [2.0, 2.0])
    np.testing.assert_array_equal(weights_arg(None, scores), [1.0, 1.0])
    with pytest.raises(ParameterError, match="weights"):
        weights_arg("wt", scores, data)


def test_a_benefits_only_survey_has_no_ratio():
    with pytest.raises(NoSacrificesError, match="the value map"):
        require_ratio(pd.DataFrame({"functional": [3.0]}), "the value map")
    require_ratio(pd.DataFrame({"value_ratio": [1.0]}), "the value map")  # no error
