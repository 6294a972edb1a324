"""How far `valuekit init`'s "sure" can be trusted, measured on questionnaires with known placements.

The questionnaires (``tests/data/questionnaires``, README.md there) are answered by simulated
respondents and exported as SPSS or Qualtrics files (``draft_questionnaires.py``); the draft
of each export is scored against the questionnaire's right placements by
:func:`valuekit.survey.draft.calibration`. The ``heldout`` questionnaires were written before the
vocabulary and the confidence were tuned (on the ``tuning`` ones) and were measured once;
the floors sit just under what was measured (README, "Drafting a codebook from the export").
"""

import math

import pytest
import yaml
from draft_questionnaires import QUESTIONNAIRES, drafts, load, questionnaire_paths, truth, write_export

from valuekit import Codebook, load_survey
from valuekit.survey.draft import SURE, Draft, Guess, calibration, draft_codebook


def _draft(blocks: dict, context=(), columns=None) -> Draft:
    columns = columns or [*blocks, *context]
    return Draft(source="x.csv", columns=columns, id=None, completion_time=None, weight=None, scale=(1.0, 5.0),
                 scale_reason="", missing_codes=[], missing_reason="",
                 blocks={c: Guess(v, conf, "why") for c, (v, conf) in blocks.items()},
                 context={c: Guess("situation", 0.7, "why") for c in context})


def test_calibration_counts_what_it_says():
    draft = _draft({"a": (("benefit", "economic"), 0.9), "b": (("sacrifice", "money"), 0.95),
                    "c": (("benefit", "functional"), 0.6), "d": (("outcome", "satisfaction"), 0.3),
                    "e": (("sacrifice", "risk"), 0.85)}, context=["g"], columns=list("abcdefgh"))
    figures = calibration([(draft, {
        "a": "benefit.economic",                          # sure, right
        "b": "benefit.economic",                          # sure, wrong
        "c": ["benefit.functional", "benefit.symbolic"],  # likely, right (either is right)
        "d": "none",                                      # guess, wrong: no block is right
        "e": ["sacrifice.risk", "none"],                  # sure, right
        "f": "benefit.symbolic",                          # not placed
        "g": "context", "h": "context"})])                # one of two found
    assert figures["columns"] == 8 and figures["items"] == 5 and figures["placements"] == 5
    assert figures["right"] == 3 and figures["sure"] == 3 and figures["sure_right"] == 2
    assert math.isclose(figures["sure_precision"], 2 / 3) and math.isclose(figures["coverage"], 3 / 5)
    assert math.isclose(figures["precision"], 3 / 5) and math.isclose(figures["sure_coverage"], 2 / 5)
    assert figures["by_level"] == {"sure": (3, 2), "likely": (1, 1), "guess": (1, 0)}
    assert figures["context"] == (1, 2) and figures["context_wrong"] == 0
    assert [w[:3] for w in figures["wrong_sure"]] == [("x.csv", "b", "sacrifice.money")]
    with pytest.raises(ValueError, match="truth for x.csv:a: expected 'none', 'context' or a block"):
        calibration([(draft, {"a": "benefit.price"})])
    with pytest.raises(ValueError, match="truth for zz: no such column in x.csv"):
        calibration([(draft, {"zz": "none"})])
    assert SURE == 0.8 and Guess(1, SURE, "").sure == "sure" and Guess(1, SURE - 0.01, "").sure == "likely"


def test_the_questionnaires_are_well_formed_and_the_splits_apart():
    names = {}
    for split in ("tuning", "heldout"):
        for path in questionnaire_paths(split):
            q = load(path)
            cols = [i["column"] for i in q["items"]]
            assert len(cols) == len(set(cols)), path.name
            assert q["language"] in ("en", "es", "it")
            calibration([(_draft({}, columns=cols), truth(q))])  # every truth is one calibration reads
            names.setdefault(q["name"], []).append(split)
    assert all(len(v) == 1 for v in names.values()), names
    held = [load(p)["language"] for p in questionnaire_paths("heldout")]
    assert {lang: held.count(lang) for lang in ("en", "es", "it")} == {"en": 5, "es": 5, "it": 5}
    assert (QUESTIONNAIRES / "README.md").exists()


# Measured on the held-out questionnaires (334 columns, 280 with a right block): 277
# placements, 255 right (precision 0.921, coverage 0.911); 191 written "sure", 187 right
# (sure precision 0.979, sure coverage 0.668); "likely" 64 of 76 right, "guess" 4 of 10; 29
# of 29 grouping columns drafted as context, no other column. The first measurement gave
# 188 of 192 sure and 26 of 29 context; two fixes that are not about wording followed it
# (the don't-know pattern took a label ending in "na", "Femmina", for "n/a"; ties between
# vocabulary entries were broken in hash order, so the figures changed from run to run).
SURE_PRECISION_FLOOR = 0.97
SURE_FLOOR = 185
COVERAGE_FLOOR = 0.90
PRECISION_FLOOR = 0.91
CONTEXT_FLOOR = 1.0


@pytest.fixture(scope="module")
def held_out_drafts(tmp_path_factory):
    return list(drafts("heldout", tmp_path_factory.mktemp("heldout")))


@pytest.fixture(scope="module")
def held_out(held_out_drafts):
    return calibration(held_out_drafts)


def test_no_questionnaire_is_drafted_with_pricing_or_kano_questions(held_out_drafts):
    """None of the 15 held-out questionnaires asks a price or a Kano pair: none is drafted
    (their price items are ratings: 'the price is fair')."""
    assert len(held_out_drafts) == 15
    assert {d.source: [f.section for f in d.instruments] for d, _ in held_out_drafts if d.instruments} == {}


def test_sure_placements_are_right_on_the_held_out_questionnaires(held_out):
    """The measured figures (README): see the floors below."""
    shown = {k: v for k, v in held_out.items() if k != "wrong_sure"}
    assert held_out["columns"] == 334 and held_out["items"] == 280, shown
    assert held_out["sure_precision"] >= SURE_PRECISION_FLOOR, (shown, held_out["wrong_sure"])
    assert held_out["sure"] >= SURE_FLOOR, shown
    assert held_out["coverage"] >= COVERAGE_FLOOR, shown
    assert held_out["precision"] >= PRECISION_FLOOR, shown
    # "sure" means more than "likely", which means more than "guess"
    levels = {k: right / n for k, (n, right) in held_out["by_level"].items() if n}
    assert levels["sure"] > levels["likely"] > levels["guess"], held_out["by_level"]
    found, total = held_out["context"]
    assert found >= CONTEXT_FLOOR * total and held_out["context_wrong"] == 0, shown


def test_the_tuning_questionnaires_keep_their_figures(tmp_path):
    results = list(drafts("tuning", tmp_path))
    assert not any(d.instruments for d, _ in results)  # no pricing or Kano questions in these either
    figures = calibration(results)
    shown = {k: v for k, v in figures.items() if k != "wrong_sure"}
    assert figures["sure_precision"] >= 0.98 and figures["coverage"] >= 0.88, (shown, figures["wrong_sure"])


@pytest.mark.parametrize("name", ["en_bank", "es_telefonia", "it_sanita"])
def test_a_held_out_draft_loads_and_audits_its_export(tmp_path, name):
    q = load(QUESTIONNAIRES / "heldout" / f"{name}.yaml")
    path = write_export(q, tmp_path)
    draft = draft_codebook(path)
    assert draft.problems() == []
    cb = Codebook.from_dict(yaml.safe_load(draft.to_yaml()))
    survey = load_survey(path, codebook=cb)
    assert survey.audit.rows_in == q["respondents"]
    grouping = [i["column"] for i in q["items"] if i["truth"] == "context"]
    assert set(grouping) <= set(draft.context), (grouping, draft.context)
