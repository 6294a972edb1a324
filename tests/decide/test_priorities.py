"""Kano categories beside the importance–performance quadrants, ranked by data (kano_priorities.yaml)."""

from __future__ import annotations

import pandas as pd
import pytest

import valuekit as vk
from valuekit._validate import yamlfile as _yaml
from valuekit.analyse.drivers import importance_performance, key_drivers
from valuekit.analyse.kano import kano
from valuekit.decide.priorities import RULES_FILE, kano_priorities, kano_rules
from valuekit.errors import CodebookError, ParameterError
from valuekit.measure.scoring import ValueScorer


def _drivers(survey):
    cb = survey.codebook
    scores = ValueScorer(cb).fit_transform(survey.data)
    table = key_drivers(survey, survey.data.join(scores), "out_value", cb.dimensions + cb.sacrifices, n_boot=0)
    return table, scores


@pytest.fixture(scope="module")
def demo():
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    return survey, kano(survey, draws=100, random_state=0), *_drivers(survey)


def test_a_must_be_on_a_weak_block_comes_before_an_attractive_one(demo):
    """The demo: delivery (must-be) serves time and assembly (attractive) energy, both below
    the other blocks' performance; the warranty (one-dimensional) serves risk, above it."""
    survey, result, drivers, scores = demo
    out = kano_priorities(survey, result, drivers, scores)
    ranked = out.dropna(subset=["priority"])
    assert ranked[["attribute", "kano_category", "block", "level"]].to_numpy().tolist() == [
        ["delivery", "M", "time", "low"], ["assembly", "A", "energy", "low"], ["warranty", "O", "risk", "high"]]
    assert ranked["priority"].tolist() == [1, 2, 3]
    ipa = importance_performance(survey, drivers, scores)
    quadrant = ipa.set_index("driver")["quadrant"]
    assert (ranked["quadrant"].to_numpy() == quadrant[ranked["block"]].to_numpy()).all()
    rest = out[out["priority"].isna()].set_index("attribute")
    assert rest.loc["app", "action"].startswith("no priority") and rest.loc["calls", "action"].startswith("reconsider")
    assert (out["note"] == "").all() and out["n"].min() > 1900
    es = kano_priorities(survey, result, drivers, scores, lang="es")
    assert es.loc[0, "action"].startswith("corregir primero") and es.loc[0, "label"] == "Entrega a domicilio gratuita"


def test_the_order_is_data_the_analyst_can_change(demo):
    survey, result, drivers, scores = demo
    rules = _yaml.read_file(RULES_FILE, what="rules", error=ParameterError)
    rules["order"] = [rules["order"][2], *rules["order"][:2], *rules["order"][3:]]  # attractive first
    out = kano_priorities(survey, result, drivers, scores, rules=rules)
    assert out["attribute"].tolist()[:3] == ["assembly", "delivery", "warranty"]
    moved = kano_priorities(survey, result, drivers, scores, serves={"delivery": "risk"})
    assert moved.set_index("attribute").loc["delivery", "level"] == "high"
    assert moved.set_index("attribute").loc["warranty", "note"].startswith("it serves no block")


def test_silent_where_the_drivers_are_not_estimated(tmp_path):
    """The null survey: outcomes drawn apart from everything, so the blocks' driver model does
    not pass its gate (p = 0.59), and no attribute is ranked, though Kano's categories are clear."""
    from valuekit.datasets.demo import make_null_survey

    make_null_survey(2000, random_state=3).to_csv(tmp_path / "null.csv", index=False)
    survey = vk.load_survey(tmp_path / "null.csv", codebook=vk.DEMO_CODEBOOK)
    drivers, scores = _drivers(survey)
    out = kano_priorities(survey, kano(survey, draws=50, random_state=0), drivers, scores)
    assert out["priority"].isna().all()
    ranked_kinds = out[out["kano_category"].isin(["A", "O", "M"])]
    assert len(ranked_kinds) == 3 and ranked_kinds["note"].str.contains(
        "driver model names no drivers: the model does not explain the outcome beyond chance").all()
    assert ranked_kinds["action"].isna().all()


def test_no_rank_without_a_clear_category_or_enough_answers(demo):
    survey, result, drivers, scores = demo
    table = result.table.copy()
    table.loc["delivery", "apart"] = False
    table.loc["assembly", "n_eff"] = 29.999999999999982  # thirty equal weights of 0.7: enough, by the last bit
    table.loc["warranty", "n_eff"] = 12.0
    out = kano_priorities(type(result)(table, *[getattr(result, f) for f in ("categories", "excluded", "questions",
                                                                             "draws", "level")]),
                          drivers, scores, codebook=survey.codebook, weights=survey.weights).set_index("attribute")
    assert "do not stand apart" in out.loc["delivery", "note"] and pd.isna(out.loc["delivery", "priority"])
    assert out.loc["assembly", "priority"] == 1
    assert "fewer than 30 effective" in out.loc["warranty", "note"]


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("rules, match", [
    ({"order": []}, "rules: expected a mapping with 'order'"),
    ({"order": [{"category": "X", "performance": "low", "action": "a"}]}, r"rules.order\[0\]: expected"),
    ({"order": [{"category": "M", "performance": "low", "action": "a"}] * 2}, "ranked twice"),
    ({"order": [{"category": "M", "performance": "low", "action": "a"}]}, "no rank for"),
    ({"order": [{"category": c, "performance": p, "action": {"es": "x"}} for c in "MOA" for p in ("low", "high")]},
     r"action: expected a text, or a mapping of language to text with at least 'en'"),
    ({"order": [{"category": c, "performance": p, "action": "x"} for c in "MOA" for p in ("low", "high")],
      "not_ranked": {"I": "x"}}, "rules.not_ranked: expected a mapping of I, R and Q"),
])
def test_a_wrong_order_names_its_key(rules, match):
    with pytest.raises(ParameterError, match=match):
        kano_rules(rules)


@pytest.mark.adversarial("error")
def test_a_codebook_naming_a_block_it_has_not_is_refused():
    spec = {"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1"]},
            "kano": {"answers": {1: "like", 2: "expect", 3: "neutral", 4: "tolerate", 5: "dislike"},
                     "attributes": {"delivery": ["k_f", "k_d"]}, "serves": {"delivery": "time"}}}
    with pytest.raises(CodebookError, match=r"kano.serves.delivery.*'time' is no block of this codebook; expected "
                                            r"one of \['functional'\]"):
        vk.Codebook.from_dict(spec)
    spec["kano"]["serves"] = {"parking": "functional"}
    with pytest.raises(CodebookError, match=r"serves\['parking'\]: no such attribute"):
        vk.Codebook.from_dict(spec)
    assert kano_rules()["order"][0][0] == ("M", "low")
