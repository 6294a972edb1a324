"""The lever grammar (valuekit.survey.leverspec): what a lever may say, checked against a
codebook already read, every refusal naming the lever key."""

import pytest

from valuekit import DEMO_CODEBOOK, read_codebook
from valuekit.errors import LeverError, ParameterError
from valuekit.survey.leverspec import HOW, LeverSet, positions_arg

DEMO = read_codebook(DEMO_CODEBOOK)
GOOD = {"how": "points", "moves": ["experiential"], "range": [-2, 2], "step": 0.25, "value_lever": "offer"}


def levers_with(**changes):
    lever = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    return {"levers": {"staff": lever}}


def test_a_good_lever_reads_as_written():
    levers = LeverSet.from_dict(levers_with(), DEMO, source="mine.yaml")
    staff = levers["staff"]
    assert (staff.how, staff.low, staff.high, staff.step) == ("points", -2, 2, 0.25) and staff.how in HOW
    assert levers.source == "mine.yaml" and list(levers.levers) == ["staff"]


def test_refusals_name_the_source():
    with pytest.raises(LeverError, match=r"^mine.yaml: lever key 'levers.staff.how': is required"):
        LeverSet.from_dict(levers_with(how=None), DEMO, source="mine.yaml")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("codebook", [None, "demo_codebook.yaml", {"scale": [1, 7]}])
def test_the_grammar_needs_a_codebook_already_read(codebook):
    with pytest.raises(ParameterError, match="codebook: expected a Codebook"):
        LeverSet.from_dict(levers_with(), codebook)


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("value", [0, -3, 2.5, "many", True])
def test_positions_must_be_a_whole_number_above_0(value):
    with pytest.raises(ParameterError, match="max_positions"):
        positions_arg(value)


@pytest.mark.parametrize("changes, match", [
    ({"moves": ["ambiance"]}, r"'levers.staff.moves.ambiance': 'ambiance' is not a benefit or sacrifice item, "
                              r"block or facet of codebook demo_codebook.yaml \(did you mean 'experiential.ambience'"),
    ({"moves": ["out_sat"]}, r"'levers.staff.moves.out_sat': 'out_sat' is not a benefit or sacrifice item"),
    ({"range": [1, 3]}, r"'levers.staff.range': \[1, 3\] excludes 0; a lever's range must include 0"),
    ({"range": [2, -2]}, r"'levers.staff.range': low must be smaller than high"),
    ({"range": [-9, 9]}, r"'levers.staff.range': at its end the lever moves 'exp_amb_1' by 9 points, beyond the "
                         r"limit of less than the width 6 of its scale 1-7"),
    ({"range": [-6, 6]}, r"'levers.staff.range': at its end the lever moves 'exp_amb_1' by 6 points, beyond"),
    ({"how": "percent", "range": [0, 50], "moves": {"experiential": 3}},
     r"'levers.staff.range': at 50 % the lever would add 150 % to the distance of 'exp_amb_1' above the bottom of "
     r"its scale, more than the \+100 % allowed"),
    ({"how": "percent", "range": [-150, 0]}, r"'levers.staff.range': at -150 % the lever would take 'exp_amb_1' "
                                              r"150 % of its distance"),
    ({"how": "shift"}, r"'levers.staff.how': expected one of \['points', 'percent', 'lift_lowest'\]"),
    ({"value_lever": "marketing"}, r"'levers.staff.value_lever': expected one of the value-management levers"),
    ({"how": None}, r"'levers.staff.how': is required"),
    ({"step": 0}, r"'levers.staff.step': expected a number above 0"),
    ({"step": "fine"}, r"'levers.staff.step': expected a number, got 'fine'"),
    ({"colour": "red"}, r"'levers.staff.colour': unknown key"),
    ({"moves": {"experiential": 0}}, r"'levers.staff.moves.experiential': a weight of 0 moves nothing"),
    ({"moves": ["experiential", "exp_amb_1"]}, r"item 'exp_amb_1' is already moved by another entry"),
    ({"label": {"de": "Personal"}}, r"'levers.staff.label': expected text or a mapping of languages"),
    ({"unit": {"fr": "points"}}, r"'levers.staff.unit': expected text or a mapping of languages"),
    ({"unit": 3}, r"'levers.staff.unit': expected text or a mapping of languages"),
    ({"unit": ""}, r"'levers.staff.unit': expected text or a mapping of languages"),
    ({"target": 5}, r"'levers.staff.target': only a lift_lowest lever has a target"),
    ({"how": "lift_lowest", "range": [0, 50]}, r"'levers.staff.target': is required for a lift_lowest lever"),
    ({"how": "lift_lowest", "range": [0, 50], "target": 9}, r"'levers.staff.target': 9 lies outside the scale 1-7"),
    ({"how": "lift_lowest", "range": [0, 150], "target": 5}, r"must lie within \[0, 100\]"),
    ({"how": "lift_lowest", "range": [0, 50], "target": 5, "moves": ["experiential", "money"]},
     r"moves benefit items or sacrifice items, not both"),
])
def test_bad_levers_name_the_key(changes, match):
    with pytest.raises(LeverError, match=match):
        LeverSet.from_dict(levers_with(**changes), DEMO)


def test_the_ends_of_the_allowed_reach_still_load():
    """Just inside the limits (valuekit/survey/levers.yaml): 5.75 points on a 1-7 scale, +100 %, -100 %."""
    assert LeverSet.from_dict(levers_with(range=[-5.75, 5.75], step=0.25), DEMO)["staff"].high == 5.75
    percent = LeverSet.from_dict(levers_with(how="percent", range=[-100, 100], step=5, moves=["money"]), DEMO)
    assert (percent["staff"].low, percent["staff"].high) == (-100, 100)
