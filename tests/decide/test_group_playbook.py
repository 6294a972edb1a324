"""The playbook on the groups the survey defines: context columns and analyst groupings."""

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.decide.playbook import analyse, group_playbook, manager_summary, whole_sample_findings
from valuekit.measure.scoring import summarize_value
from valuekit.present.findings import playbook_findings


@pytest.fixture(scope="module")
def demo():
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    return survey, analyse(survey, random_state=1, n_boot=100)


def test_every_context_column_is_a_grouping_and_each_recommendation_names_it(demo):
    survey, result = demo
    assert list(dict.fromkeys(result.group_comparisons["grouping"])) == survey.codebook.context_columns
    recs = result.group_recommendations
    assert set(recs["grouping"]) <= set(survey.codebook.context_columns) and len(recs)
    # the demo's price-first world view carries the money burden planted in its bargain hunters
    price = recs[(recs["grouping"] == "world_view") & (recs["segment"] == "price first")]
    assert "offer_price" in set(price["rule"])
    assert price["evidence"].str.contains("a group the survey defines").all()
    # each grouping's models were tested, adjusted across every model of the playbook
    for table in result.group_drivers.values():
        assert table["model_p_adj"].notna().all() and (table["model_p_adj"] >= table["model_p"]).all()


def test_a_rule_firing_in_every_group_is_a_whole_sample_finding(demo):
    _, result = demo
    recs = result.group_recommendations.reset_index(drop=True)
    whole = whole_sample_findings(recs)
    for grouping, table in recs.groupby("grouping"):
        for (block, rule), rows in table.groupby(["block", "rule"]):
            assert whole[rows.index].all() == (rows["segment"].nunique() == table["segment"].nunique() > 1)
    assert set(recs.loc[whole, "rule"]) == {"partner"}  # the competitor's lead on economic value is everyone's


def test_the_summary_says_which_grouping_and_never_leads_with_a_whole_sample_finding(demo):
    survey, result = demo
    overall = summarize_value(survey, result.scores).loc["all"]
    text = manager_summary(result.recommendations, result.profiles, overall=overall, outcome_label="Value",
                           group_recommendations=result.group_recommendations)
    assert "Groups the survey defines (the same rules and evidence):" in text
    assert "  world view = price first:" in text
    assert "channel: in every group, so a whole-sample finding rather than a group's: partner" in text
    strongest = next(line for line in text.splitlines() if line.startswith("Strongest evidence"))
    assert "stage = repeat" not in strongest and "channel = " not in strongest


@pytest.mark.parametrize("lang, group, everywhere", [
    ("en", "World view price first (n = 619): change the offer: its price",
     "passes the evidence bar in every group of world view, purchase reason, stage, channel"),
    ("es", "Visión del mundo price first (n = 619): cambiar la oferta: su precio",
     "supera el umbral de evidencia en todos los grupos de visión del mundo"),
])
def test_the_reader_finds_each_groups_own_lever_and_the_whole_sample_once(demo, lang, group, everywhere):
    survey, result = demo
    names = {g: survey.codebook.label(g, lang) for g in survey.codebook.context_columns}
    found = playbook_findings(result.recommendations, result.profiles, structure=result.structure,
                              groups=result.group_recommendations, grouping_names=names, lang=lang)
    text = "\n".join(found.sentences)
    assert group in text and everywhere in text
    assert sum("partner" in s or "aliarse" in s for s in found.sentences if s.startswith(("World", "Visión"))) == 0


def test_an_analyst_grouping_and_none(demo):
    survey, result = demo
    assert analyse(survey, random_state=1, n_boot=0, groups=[]).group_recommendations is None
    # an analyst's grouping with nothing in it: random halves get no recommendation of their own
    halves = pd.Series(np.where(np.random.default_rng(0).random(len(survey.data)) < 0.5, "a", "b"),
                       index=survey.data.index)
    mine = group_playbook(survey, {"halves": halves}, n_boot=50, random_state=0)
    assert set(mine.comparisons["grouping"]) == {"halves"}
    own = mine.recommendations[~whole_sample_findings(mine.recommendations)] if len(mine.recommendations) else []
    assert len(own) == 0
