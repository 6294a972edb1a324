"""The playbook: each rule on a constructed case, its grades, and the manager summary."""

import numpy as np
import pandas as pd
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
from valuekit.analyse.competitor import value_map
from valuekit.decide.playbook import RULES, build_evidence, manager_summary, recommend, to_investigate

# -- the playbook: one constructed case per lever ---------------------------------------

def _evidence(**changes):
    """A neutral evidence row: important, average, not destroyed, strong evidence; then the case's changes."""
    row = {"segment": 0, "block": "functional", "label": "Functional", "kind": "benefit", "n": 400, "n_eff": 380.0,
           "score": 5.0, "score_ci_low": 4.9, "score_ci_high": 5.1, "rest_score": 5.0, "diff": 0.0, "effect": 0.0,
           "p_adj": 1e-6, "comparison_note": "", "scale_mid": 4.0,
           "importance": 20.0, "importance_ci_low": 15.0, "importance_ci_high": 25.0, "mean_importance": 10.0,
           "direction": "positive", "expected_direction": "positive", "distinguishable": True, "sign_stability": 1.0,
           "driver_r2": 0.5, "driver_n": 400, "driver_source": "segment", "driver_note": "", "driver_usable": True,
           "vs_competitor": 1.0, "competitor_effect": 0.0, "competitor_p_adj": 1e-6, "score_se": 0.05,
           "share_destroyed": 0.1, "destroyed_ci_low": 0.07, "destroyed_ci_high": 0.13, "destroyed_n_eff": 380.0,
           "heaviest_sacrifice": False, "segments_distinct": True, "structure_p": 1e-6}
    row.update(changes)
    return pd.DataFrame([row])


CASES = {
    "perception": dict(effect=-0.8, score=4.4, score_ci_low=4.3, score_ci_high=4.5),
    "unlock": dict(block="time", kind="sacrifice", expected_direction="negative", direction="negative", effect=0.9,
                   share_destroyed=0.4, destroyed_ci_low=0.35, destroyed_ci_high=0.45),
    "offer": dict(score=3.6, score_ci_low=3.5, score_ci_high=3.7, effect=-0.2),
    "offer_price": dict(block="money", kind="sacrifice", expected_direction="negative", direction="negative",
                        effect=0.7),
    "partner": dict(vs_competitor=0.8, competitor_effect=-0.6),
    "networks": dict(block="symbolic", effect=-0.4, score=4.5),
    "new_customers": dict(block="money", kind="sacrifice", heaviest_sacrifice=True, share_destroyed=0.7,
                          destroyed_ci_low=0.62, destroyed_ci_high=0.77, importance=1.0),
}
#: For each rule, a change that keeps its condition but breaks its evidence, and the reason expected.
WEAK = {
    "perception": (dict(p_adj=0.2), "not significant after adjustment"),
    "unlock": (dict(destroyed_ci_low=0.2), "not clearly above 25%"),
    "offer": (dict(score_ci_high=4.3), "not clearly at or below the midpoint"),
    "offer_price": (dict(distinguishable=False), "not distinguishable from zero"),
    "partner": (dict(competitor_p_adj=0.3), "gap to the competitor not established"),
    "networks": (dict(segments_distinct=False, structure_p=0.4), "no more distinct than one population"),
    "new_customers": (dict(n_eff=12.0), "segment too small"),
}


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_each_rule_fires_on_its_case(rule_id):
    recs = recommend(_evidence(**CASES[rule_id]))
    assert rule_id in set(recs["rule"])
    rec = recs[recs["rule"] == rule_id].iloc[0]
    rule = next(r for r in RULES if r.id == rule_id)
    assert rec["lever"] == rule.lever and rec["source"] == rule.source and rec["why"] == rule.when
    assert rec["grade"] in ("strong", "moderate") and "n = 400" in rec["evidence"]


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_each_rule_stays_silent_on_weak_evidence(rule_id):
    change, reason = WEAK[rule_id]
    evidence = _evidence(**{**CASES[rule_id], **change})
    assert rule_id not in set(recommend(evidence)["rule"])
    later = to_investigate(evidence)
    assert reason in " ".join(later.loc[later["rule"] == rule_id, "why_not"])


def test_a_neutral_case_fires_nothing():
    assert recommend(_evidence()).empty and to_investigate(_evidence()).empty


def test_unimportant_gaps_are_left_alone():
    assert "perception" not in set(recommend(_evidence(effect=-0.8, importance=5.0))["rule"])
    assert "partner" not in set(recommend(_evidence(vs_competitor=np.nan))["rule"])  # no competitor data


def test_a_benefit_with_a_negative_effect_is_an_anomaly_not_an_important_benefit():
    # the rail survey's case: a benefit whose driver share is negative must not trigger benefit rules
    evidence = _evidence(**CASES["perception"], direction="negative", importance=24.4)
    assert recommend(evidence).empty
    later = to_investigate(evidence)
    assert "anomaly" in set(later["rule"])
    assert "benefit with a negative effect" in later.loc[later["rule"] == "anomaly", "why_not"].iloc[0]


def test_grades():
    strong = recommend(_evidence(**CASES["perception"]))
    assert strong["grade"].iloc[0] == "strong"
    moderate = recommend(_evidence(**{**CASES["perception"], "p_adj": 0.01}))
    assert moderate["grade"].iloc[0] == "moderate"


@pytest.mark.parametrize("change", [
    dict(driver_source="all", driver_note="pooled whole-sample model: the segment is too small for its own"),
    dict(driver_r2=0.15),                       # above min_r2, below strong_r2
    dict(importance_ci_low=8.0),                # important at the estimate only (bar: 1.0 x mean 10)
    dict(importance_ci_low=np.nan),             # no bootstrap interval
    dict(structure_p=np.nan),                   # segments not tested
])
def test_a_grade_uses_every_piece_of_evidence_of_the_rule(change):
    # offer has no difference test: its grade rests on the driver, the midpoint test and the structure
    strong = recommend(_evidence(**CASES["offer"]))
    assert strong["grade"].iloc[0] == "strong" and strong["evidence_p"].iloc[0] < 1e-3
    assert recommend(_evidence(**{**CASES["offer"], **change}))["grade"].iloc[0] == "moderate"


def test_a_destroyed_share_barely_over_its_threshold_is_moderate():
    # new_customers: 55 % destroyed [51 %, 59 %] on 600 clears the 50 % bar, but not at p < .001
    case = {**CASES["new_customers"], "share_destroyed": 0.55, "destroyed_ci_low": 0.51, "destroyed_ci_high": 0.59,
            "destroyed_n_eff": 600.0}
    rec = recommend(_evidence(**case)).set_index("rule").loc["new_customers"]
    assert rec["grade"] == "moderate" and 1e-3 < rec["evidence_p"] < 0.05
    assert "above 50%: one-sided p 0.007" in rec["evidence"]
    assert recommend(_evidence(**CASES["new_customers"])).set_index("rule").loc["new_customers", "grade"] == "strong"


def test_summary_leads_with_the_rule_whose_own_evidence_is_strongest():
    from valuekit.decide.playbook import manager_summary

    # partner rests on the competitor test (p 1e-20), not on the segment difference (p_adj .5);
    # perception on the difference (p 1e-8): partner is the strongest evidence
    partner = _evidence(**{**CASES["partner"], "p_adj": 0.5, "competitor_p_adj": 1e-20})
    perception = _evidence(**{**CASES["perception"], "segment": 1, "p_adj": 1e-8})
    recs = recommend(pd.concat([perception, partner], ignore_index=True))
    assert set(recs["grade"]) == {"strong"}
    profiles = pd.DataFrame({"name": ["a", "b"], "n": [400, 400], "share": [0.5, 0.5], "share_destroyed": [0.1, 0.1]})
    overall = pd.Series({"share_created": 0.6, "share_neutral": 0.2, "share_destroyed": 0.2, "n_scored": 800})
    text = manager_summary(recs, profiles, overall=overall, outcome_label="Value")
    assert "Strongest evidence: segment 0 (a): partner" in text


@pytest.mark.parametrize("weak, why", [
    ({"model_p_adj": 0.3}, r"the model does not explain the outcome beyond chance \(Rao-Scott likelihood ratio, "
                           r"adjusted p = 0.3"),
    ({"adj_r2": 0.015}, r"the model explains too little: adjusted R² 0.015 < 0.02"),
])
def test_a_segment_model_failing_its_own_test_carries_no_driver_recommendation(weak, why):
    from valuekit.decide.playbook import analyse

    # the auditor's construction: segment 2's own driver model explains (almost) nothing
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    result = analyse(survey, random_state=1, n_boot=100)
    drivers = result.drivers.copy()
    for column, value in weak.items():
        drivers.loc[drivers["group"] == 2, column] = value

    def rules_for(table):
        evidence = build_evidence(result.scores, result.segments, codebook=survey.codebook, drivers=table,
                                  comparisons=result.comparisons, structure=result.structure, data=survey.data,
                                  weights=survey.weights)
        return recommend(evidence), to_investigate(evidence)

    recs, later = rules_for(drivers)
    driven = {r.id for r in RULES if "driver" in r.checks}
    before = result.recommendations
    assert driven & set(before.loc[before["segment"] == 2, "rule"])  # it had driver-based recommendations
    assert not driven & set(recs.loc[recs["segment"] == 2, "rule"])  # ... now none
    assert set(recs.loc[recs["segment"] != 2, "rule"]) == set(before.loc[before["segment"] != 2, "rule"])
    why_not = later.loc[(later["segment"] == 2) & later["rule"].isin(driven), "why_not"]
    assert len(why_not) and why_not.str.contains("driver model not usable: the segment's own model: " + why).all()
    # a segment too small for a model of its own reads the pooled model: at most moderate, and says so
    recs, _ = rules_for(result.drivers[result.drivers["group"] != 2])
    pooled = recs[(recs["segment"] == 2) & recs["rule"].isin(driven)]
    assert len(pooled) and (pooled["grade"] == "moderate").all() and (pooled["driver_source"] == "all").all()
    assert pooled["evidence"].str.contains("pooled whole-sample model: no model of the segment's own").all()


def test_evidence_and_summary_on_demo_find_the_planted_gaps():
    from valuekit.decide.playbook import analyse
    from valuekit.measure.scoring import summarize_value

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    result = analyse(survey, n_segments=4, random_state=0)
    evidence, recs = result.evidence, result.recommendations
    assert len(evidence) == 4 * 9 and evidence["vs_competitor"].notna().all()
    assert evidence.groupby("segment")["heaviest_sacrifice"].sum().eq(1).all()
    assert bool(result.structure["distinct"])
    truth = pd.read_csv(DEMO_DATA.with_name("demo_truth.csv")).set_index("row").loc[result.scores.index, "segment"]
    planted = pd.crosstab(result.segments, truth).idxmax(axis=1)  # our segment -> the planted one
    rules = {planted[seg]: set(g["rule"]) for seg, g in recs.groupby("segment")}
    # hassled pragmatists: value destroyed for most, through time and energy
    assert {"unlock", "new_customers"} <= rules["hassled_pragmatists"]
    # bargain hunters: the money sacrifice, which matters for overall value
    assert "offer_price" in rules["bargain_hunters"]
    # status buyers rate the economic dimension low
    assert "economic" in set(recs.loc[recs["segment"].map(planted) == "status_buyers", "block"])
    text = manager_summary(recs, result.profiles,
                           overall=summarize_value(result.scores, weights=survey.weights).loc["all"],
                           outcome_label="Overall perceived value", structure=result.structure,
                           investigate=result.investigate)
    assert text.startswith("VALUE MANAGEMENT SUMMARY") and "Strongest evidence: segment" in text
    assert len(text.splitlines()) < 60  # one page


def test_summary_says_plainly_when_there_is_no_evidence():
    from valuekit.measure.scoring import summarize_value

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    from valuekit import ValueScorer
    from valuekit.analyse.segments import ValueSegmenter, segment_profiles

    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    segments = ValueSegmenter(survey.codebook, n_segments=3, random_state=0).fit(scores).labels_
    profiles = segment_profiles(scores, segments, codebook=survey.codebook)
    empty = recommend(_evidence())
    text = manager_summary(empty, profiles, overall=summarize_value(scores).loc["all"], outcome_label="Value",
                           structure={"distinct": False, "p": 0.4})
    assert "No recommendation passes the evidence bar" in text
    assert "no segment-level action is supported" in text
    assert text.count("no evidence strong enough for a recommendation") == 3
    assert "see the list to investigate" not in text  # there is no such list: nothing to point at


def test_group_without_competitor_ratings_says_so():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    data = survey.data.copy()
    group = pd.Series(np.where(np.arange(len(data)) < 50, "never heard of them", "rest"), index=data.index)
    data.loc[group == "never heard of them", cb.comparison_items] = np.nan
    vm = value_map(data, cb, by=group)
    assert vm.loc["never heard of them", "n"] == 0
    assert vm.loc["never heard of them", "position"] == "no competitor ratings"
