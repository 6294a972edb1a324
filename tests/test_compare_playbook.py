"""The customer value map and the playbook's rules, each on a constructed case."""

import numpy as np
import pandas as pd
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, Codebook, load_survey
from valuekit.compare import attribute_comparison, value_map
from valuekit.playbook import RULES, THRESHOLDS, build_evidence, manager_summary, recommend


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


# -- the playbook: one constructed case per lever ---------------------------------------

def _evidence(**changes):
    """A neutral evidence row: important, average, not destroyed; then the case's changes."""
    row = {"segment": 0, "block": "functional", "label": "Functional", "kind": "benefit",
           "importance": 20.0, "mean_importance": 10.0, "score": 5.0, "sample_score": 5.0, "z": 0.0,
           "scale_mid": 4.0, "vs_competitor": 1.0, "share_destroyed": 0.1, "heaviest_sacrifice": False}
    row.update(changes)
    return pd.DataFrame([row])


CASES = {
    "perception": dict(z=-0.8, score=4.4),
    "unlock": dict(block="time", kind="sacrifice", z=0.9, share_destroyed=0.4),
    "offer": dict(score=3.6, z=-0.2),
    "offer_price": dict(block="money", kind="sacrifice", z=0.7),
    "partner": dict(vs_competitor=0.8),
    "networks": dict(block="symbolic", z=-0.4, score=4.5),
    "new_customers": dict(block="money", kind="sacrifice", heaviest_sacrifice=True, share_destroyed=0.7,
                          importance=1.0),
}


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_each_rule_fires_on_its_case(rule_id):
    recs = recommend(_evidence(**CASES[rule_id]))
    assert rule_id in set(recs["rule"])
    rec = recs[recs["rule"] == rule_id].iloc[0]
    rule = next(r for r in RULES if r.id == rule_id)
    assert rec["lever"] == rule.lever and rec["source"] == rule.source and rec["why"] == rule.when


def test_a_neutral_case_fires_nothing():
    assert recommend(_evidence()).empty


def test_unimportant_gaps_are_left_alone():
    assert "perception" not in set(recommend(_evidence(z=-0.8, importance=5.0))["rule"])
    assert "partner" not in set(recommend(_evidence(vs_competitor=np.nan))["rule"])  # no competitor data


def test_every_lever_of_seed_000_has_a_rule():
    levers = " ".join(r.lever for r in RULES)
    for word in ("perception", "unlock", "change the offer", "partner", "value networks", "new customers"):
        assert word in levers
    assert {r.source.split(" (")[0] for r in RULES} == {"marketing mix", "operational excellence",
                                                        "product leadership", "customer intimacy"}
    assert set(THRESHOLDS) >= {"important", "perception_gap", "lost_segment"}


def test_evidence_and_summary_on_demo():
    from valuekit.drivers import key_drivers
    from valuekit.scoring import ValueScorer, summarize_value
    from valuekit.segments import ValueSegmenter, segment_profiles

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    scores = ValueScorer(cb).fit_transform(survey.data)
    segments = ValueSegmenter(cb, n_segments=4, random_state=0).fit(scores).labels_
    data = scores.join(survey.data[list(cb.outcomes.values())])
    drivers = key_drivers(data, cb.outcomes["overall_value"], cb.dimensions + cb.sacrifices, n_boot=0)
    evidence = build_evidence(scores, segments, codebook=cb, drivers=drivers, data=survey.data,
                              weights=survey.weights)
    assert len(evidence) == 4 * 9 and evidence["vs_competitor"].notna().all()
    assert evidence.groupby("segment")["heaviest_sacrifice"].sum().eq(1).all()
    recs = recommend(evidence)
    profiles = segment_profiles(scores, segments, codebook=cb, weights=survey.weights)
    lost = profiles.drop(index="unassigned")["share_destroyed"].idxmax()
    assert "new_customers" in set(recs.loc[recs["segment"] == lost, "rule"])
    assert "unlock" in set(recs.loc[recs["segment"] == lost, "rule"])  # the hassled segment
    text = manager_summary(recs, profiles, overall=summarize_value(scores, weights=survey.weights).loc["all"],
                           outcome_label="Overall perceived value")
    assert text.startswith("VALUE MANAGEMENT SUMMARY") and f"Segment {lost}," in text
    assert len(text.splitlines()) < 60  # one page


def test_group_without_competitor_ratings_says_so():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    data = survey.data.copy()
    group = pd.Series(np.where(np.arange(len(data)) < 50, "never heard of them", "rest"), index=data.index)
    data.loc[group == "never heard of them", cb.comparison_items] = np.nan
    vm = value_map(data, cb, by=group)
    assert vm.loc["never heard of them", "n"] == 0
    assert vm.loc["never heard of them", "position"] == "no competitor ratings"
