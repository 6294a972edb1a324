"""What we found (valuekit.present.findings): the planted truths of the demo are stated with
their evidence; a null survey gets no finding, and says so."""

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.analyse.competitor import value_map
from valuekit.analyse.segments import segment_structure
from valuekit.analyse.significance import compare_groups
from valuekit.datasets.demo import make_null_survey
from valuekit.errors import ParameterError
from valuekit.present.findings import FINDINGS_TEXT, Findings, destroyed_findings, driver_findings, value_findings
from valuekit.survey.audit import audit_survey
from valuekit.survey.codebook import read_codebook
from valuekit.survey.labels import LANGUAGES


def _results(survey, n_segments: int):
    cb = survey.codebook
    scores = vk.ValueScorer(cb).fit_transform(survey.data)
    everyone = pd.Series("all", index=scores.index)
    segmenter = vk.ValueSegmenter(cb, n_segments=n_segments, random_state=2026).fit(scores)
    segments = segmenter.labels_
    data = scores.join(survey.data[["out_value"]])
    drivers = vk.key_drivers(survey, data, "out_value", cb.dimensions + cb.sacrifices, n_boot=50, random_state=1)
    return {
        "summary": vk.summarize_value(survey, scores),
        "destroyed": vk.share_destroyed(survey, scores, everyone),
        "reliability": vk.reliability(survey),
        "context": compare_groups(survey, scores, {c: c for c in cb.context_columns}, measures=["share_destroyed"]),
        "versus_rest": compare_groups(survey, scores, {"segment": segments},
                                      measures=["share_destroyed", "sacrifices"] + cb.sacrifices),
        "structure": segment_structure(segmenter, scores, random_state=2026),
        "drivers": drivers,
        "value_map": value_map(survey, by=segments, importance=drivers.set_index("driver")["share"], n_boot=200,
                               random_state=1),
    }


@pytest.fixture(scope="module")
def demo():
    return _results(vk.load_demo("demo"), 4)


@pytest.fixture(scope="module", params=[0, 1])
def null(request):
    cb = read_codebook(vk.DEMO_CODEBOOK)
    return _results(audit_survey(make_null_survey(1500, random_state=request.param), cb), 3)


def _all(results, lang="en", codebook=None):
    return (value_findings(results["summary"], results["destroyed"], reliability=results["reliability"],
                           comparisons=results["context"], codebook=codebook, lang=lang),
            destroyed_findings(results["versus_rest"], structure=results["structure"], lang=lang),
            driver_findings(results["drivers"], value_map=results["value_map"], codebook=codebook, lang=lang))


def test_the_demo_findings_state_the_planted_truths_with_their_evidence(demo):
    value, destroyed, drivers = _all(demo)
    whole = demo["destroyed"].iloc[0]  # the demo is weighted: Korn-Graubard on the linearized variance
    assert demo["destroyed"].attrs["variance"].startswith("Korn-Graubard intervals")
    assert value.sentences[0].startswith(f"Value is destroyed for 19.8% [{whole['ci_low']:.1%}, {whole['ci_high']:.1%}] "
                                         "of the 1,962 customers scored")
    assert value.sentences[1].startswith("Every dimension and sacrifice is measured reliably")
    # the segment with the most destruction was planted as energy- and emotional-cost-sensitive
    assert destroyed.sentences[0].startswith("Segment 2 loses value most: destroyed for 62.9% of its 471")
    assert "Cohen's h +1.33, adjusted p < 0.001" in destroyed.sentences[0]
    assert destroyed.sentences[1].startswith("Its heaviest sacrifice against the rest is Energy")
    # economic, then money, drive overall value (demo.OUTCOME_WEIGHTS); Verdalia is better value everywhere
    assert drivers.sentences[0].startswith("Economic moves out value most: 47.2%")
    assert drivers.sentences[1].startswith("Money moves out value next: 22.7%")
    assert "(R² 0.76 [0.75, 0.78], n = 1,892)" in drivers.sentences[0]
    assert drivers.sentences[2].startswith("Customers get worse value from us than from Verdalia overall "
                                           "(value advantage -0.23 [")
    assert drivers.sentences[2].endswith("and in every segment.")
    for f in (value, destroyed, drivers):
        assert 1 <= len(f.sentences) <= 6 and f._repr_markdown_().startswith("### What we found\n\n- ")


def test_a_null_survey_finds_nothing_and_says_so(null):
    value, destroyed, drivers = _all(null)
    assert value.sentences[-1].startswith("No group of world view or purchase reason or stage or channel differs")
    assert len(value.sentences) == 3  # the share destroyed (a description), reliability, and nothing else
    assert destroyed.sentences == (destroyed.sentences[0],) and "no segment is singled out" in destroyed.sentences[0]
    assert drivers.sentences[0].startswith("The driver model does not establish what drives out value, so no driver is ranked")
    assert not any(" moves " in s for s in drivers.sentences)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_sentence_is_written_in_every_language(demo, null, lang):
    cb = read_codebook(vk.DEMO_CODEBOOK)
    for results in (demo, null):
        for findings in _all(results, lang, codebook=cb):
            assert findings.heading == FINDINGS_TEXT["heading"][lang]
            assert all(s and "{" not in s and "nan" not in s.lower() for s in findings.sentences)
    for key, words in FINDINGS_TEXT.items():
        nested = not set(words) & set(LANGUAGES)  # a map of codes (levers, grades, ...) to their words
        for code, said in (words.items() if nested else [(None, words)]):
            assert set(said) == set(LANGUAGES), (key, code)


def test_a_label_from_a_file_is_text_in_the_sentences(demo):
    table = demo["versus_rest"].copy()
    table["label"] = table["label"] + " [x](javascript:alert(1)) <img src=x>"
    text = repr(destroyed_findings(table, structure=demo["structure"], names={2: "*bold* <script>"}))
    assert "[x](javascript" not in text and "<img" not in text and "<script>" not in text and "*bold*" not in text


def test_wrong_results_are_named():
    with pytest.raises(ParameterError, match="versus_rest"):
        destroyed_findings("table")
    with pytest.raises(ParameterError, match="value_map: expected a value_map table with intervals"):
        driver_findings(pd.DataFrame({"group": ["all"], "driver": ["money"], "share": [1.0], "ci_low": [0.5],
                                      "ci_high": [2.0], "distinguishable": [True], "r2": [0.5], "r2_ci_low": [0.4],
                                      "r2_ci_high": [0.6], "n": [100]}),
                        value_map=pd.DataFrame({"n": [1]}, index=["all"]))
    assert isinstance(Findings(("a",)), Findings)


# -- notebooks 01, 03, 06 and 08 ------------------------------------------------------------------

def test_the_audit_findings_account_for_the_planted_dirt():
    import yaml

    from valuekit.config import DEMO_TRUTH_META
    from valuekit.present.findings import audit_findings

    survey = vk.load_demo("demo")
    truth = yaml.safe_load(DEMO_TRUTH_META.read_text(encoding="utf-8"))["dirt"]
    found = audit_findings(survey.audit)
    excluded = truth["speeders"] + truth["straight_liners"] + truth["duplicate_ids"] + truth["all_blank_rows"] \
        + truth["blank_ids"]
    assert found.sentences[0].startswith(f"{2008 - excluded:,} of the 2,008 rows of demo\\_survey.csv are analysed; "
                                         f"rows left out, each for a stated reason: {excluded} (")
    assert (f"too fast: {truth['speeders']}; same answer throughout: {truth['straight_liners']}; repeated respondent "
            f"id: {truth['duplicate_ids']}; no answers: {truth['all_blank_rows']}; no respondent id: "
            f"{truth['blank_ids']}") in found.sentences[0]
    assert f"outside the scale: {truth['out_of_range_cells']}; text where a number belongs: " \
           f"{truth['non_numeric_cells']}" in found.sentences[1]
    # a clean file says so, and a flag that does not exclude is reported as kept
    clean = audit_findings(audit_survey(survey.data.reset_index(drop=True).iloc[:50], survey.codebook,
                                        exclude=["missing_id"]), lang="es")
    assert clean.sentences[0].startswith("Se analizan las 50 filas")


def test_the_segment_findings_describe_distinct_segments_only(demo, null):
    from valuekit.analyse.segments import bootstrap_stability, segment_profiles
    from valuekit.present.findings import segment_findings

    survey = vk.load_demo("demo")
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    segmenter = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores)
    profiles = segment_profiles(survey, scores, segmenter.labels_, structure=demo["structure"])
    stability = bootstrap_stability(segmenter, scores, n_boot=5, random_state=0, progress=False)
    found = segment_findings(profiles, structure=demo["structure"], stability=stability)
    assert found.sentences[0].startswith("The 1,944 customers with a complete profile fall into 4 distinct segments")
    # the largest segment is the planted bargain hunters: economic-driven and money-sensitive
    assert found.sentences[1].startswith("Segment 0, economic-driven, money-sensitive: 583 customers (")
    assert "found again in resamples with Jaccard" in found.sentences[1]
    assert found.sentences[-1] == "18 customers without a complete profile have no segment and are counted apart."
    assert len(found.sentences) == 6
    quiet = segment_findings(profiles, structure=null["structure"], lang="it")
    assert quiet.sentences == (quiet.sentences[0],) and "nessun segmento viene evidenziato" in quiet.sentences[0]


def test_the_playbook_findings_state_one_lever_per_segment_or_none():
    from valuekit.present.findings import playbook_findings

    profiles = pd.DataFrame({"name": ["money-sensitive", "close to average"], "n": [300, 200]}, index=[0, 1])
    recs = pd.DataFrame({
        "segment": [0, 0], "rule": ["offer_price", "partner"], "lever": ["x", "y"], "label": ["Money", "Economic"],
        "grade": ["strong", "moderate"], "evidence_p": [1e-5, 1e-3], "n": [300, 300], "score": [5.1, np.nan],
        "score_ci_low": [5.0, np.nan], "score_ci_high": [5.2, np.nan], "rest_score": [3.9, np.nan],
        "effect": [1.08, np.nan], "p_adj": [1e-5, np.nan], "vs_competitor": [np.nan, 0.9],
        "competitor_p_adj": [np.nan, 1e-3]})
    found = playbook_findings(recs, profiles)
    assert found.sentences == ("Segment 0 (money-sensitive, n = 300): change the offer: its price and what it "
                               "includes, on money (strong evidence; 5.10 against 3.90 in the rest, "
                               "Hedges' g +1.08, adjusted p < 0.001); 1 more lever(s) in the table.",)
    # each lever is stated with the numbers its own rule tested, not another rule's
    partner = playbook_findings(recs.iloc[[1]], profiles).sentences[0]
    assert partner.endswith("(moderate evidence; ours against the competitor's 0.90, adjusted p = 0.001).")
    offer = recs.iloc[[0]].assign(rule="offer", importance=36.0, importance_ci_low=31.0, importance_ci_high=42.0)
    assert playbook_findings(offer, profiles).sentences[0].endswith(
        "(strong evidence; mean 5.10; 36.0% [31.0%, 42.0%] of the outcome's explained variance).")
    none = playbook_findings(recs.iloc[:0], profiles, investigate=recs, lang="es")
    assert none.sentences[0].startswith("Ninguna palanca supera el umbral de evidencia en ningún segmento")
    assert "2 segmentos, 2 señales" in none.sentences[0]


def test_the_tracking_findings_state_the_planted_changes_and_nothing_on_equal_waves():
    from valuekit.analyse.waves import compare_waves, load_waves
    from valuekit.present.findings import tracking_findings

    exclude = ["missing_id", "duplicate_id", "no_answers", "straightliner", "speeder", "invalid_weight"]
    waves = load_waves([vk.DEMO_DATA, vk.DEMO_WAVE3], vk.DEMO_CODEBOOK, wave_column="wave", exclude=exclude)
    scores = waves.scores()
    segments = waves.segments(scores, n_segments=4, random_state=2026, fit_on="first_file").rename("segment")
    table = compare_waves(waves, scores, by=segments)
    found = tracking_findings(table, names={0: "economic-driven, money-sensitive"})
    # wave 3 plants a price rise for the bargain hunters (segment 0) and a better experience for segment 1
    assert found.sentences[0].startswith("Segment 0 (economic-driven, money-sensitive), money: 5.02 in wave 2 to "
                                         "5.78 in wave 3 (+0.76 [")
    assert "Hedges' g +0.72, adjusted p < 0.001, n = 296 and 297" in found.sentences[0]
    assert all("wave 3" in s for s in found.sentences[:-1])
    # with the codebook, the waves go by their fieldwork month (labels: wave_3: March 2026)
    named = tracking_findings(table, names={0: "economic-driven, money-sensitive"}, codebook=waves.codebook, lang="es")
    assert "de 5,02 en Septiembre 2025 a 5,78 en Marzo 2026 (+0,76 [" in named.sentences[0]
    assert found.sentences[-1].startswith(f"{int(table['finding'].sum())} changes pass the evidence bar")
    # waves 1 and 2 come from one model: nothing passes, and it says so
    same = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave", exclude=exclude)
    quiet = tracking_findings(compare_waves(same, same.scores()), lang="es")
    assert quiet.sentences == (quiet.sentences[0],)
    assert quiet.sentences[0].startswith("Ningún cambio entre oleadas supera el umbral de evidencia")


def test_the_model_findings_hold_the_planted_model_to_the_published_bars():
    import dataclasses

    from valuekit.measure.sem import compare_structures, fit_cfa, value_path
    from valuekit.present.findings import model_findings

    survey = vk.load_demo("demo")
    cfa = fit_cfa(survey, n_boot=20, random_state=1)
    rivals = compare_structures(survey)
    path = value_path(survey, mediator="overall_value", n_boot=20, random_state=1)
    found = model_findings(cfa, rivals=rivals, path=path, codebook=survey.codebook)
    # nine latent blocks planted, one per block of the codebook, and none merged
    assert found.sentences[0].startswith("The measurement model of 9 factors fits well on every index (n = 1,914): "
                                         "CFI 0.994, RMSEA 0.018 [")
    assert found.sentences[1].startswith("Customers tell every pair of blocks apart: the largest heterotrait–"
                                         "monotrait ratio is symbolic and money, 0.06 [")
    assert found.sentences[2].startswith("Merging blocks costs fit: every rival structure fits significantly worse")
    # economic, then money, then functional carry overall value (demo.OUTCOME_WEIGHTS)
    assert found.sentences[3].startswith("Overall perceived value rests most on economic +0.62 [")
    assert ", money -0.44 [" in found.sentences[3] and ", functional +0.33 [" in found.sentences[3]
    # stricter bars than the data meet are said to be missed; an HTMT bar below the largest ratio names the pair
    strict = vk.evidence_settings().replace(min_cfi=0.999, max_htmt=0.05)
    harsh = model_findings(cfa, settings=strict, codebook=survey.codebook, lang="it")
    assert harsh.sentences[0].startswith("Leggere con cautela: il modello di misura a 9 fattori non raggiunge la "
                                         "soglia su CFI (n = 1.914)")
    pair = f"{survey.codebook.label('symbolic', 'it').lower()} e {survey.codebook.label('money', 'it').lower()}"
    assert harsh.sentences[1].startswith(f"I clienti non distinguono {pair} (0,06), ")
    # a simpler structure preferred by the data is said so
    simpler = rivals.assign(preferred=rivals["label"] == "one general factor")
    assert model_findings(cfa, rivals=simpler).sentences[2].startswith(
        "The data prefer a simpler structure than the codebook's: one general factor (lowest BIC")
    # nothing is read off an inadmissible solution
    broken = dataclasses.replace(cfa, fit={**cfa.fit, "converged": False})
    assert model_findings(broken, rivals=rivals).sentences == (
        "The measurement model's solution is not admissible (see its notes): none of its numbers is stated here.",)
    with pytest.raises(ParameterError, match="cfa: expected a fit_cfa result"):
        model_findings("cfa")


def test_the_scenario_findings_state_the_prediction_with_its_intervals_and_its_caveat():
    from valuekit.decide.scenario import Scenario, build_engine, lever_scenarios
    from valuekit.present.findings import scenario_findings
    from valuekit.survey.levers import read_levers

    survey = vk.load_demo("demo")
    levers = read_levers(vk.DATA_DIR / "demo_levers.yaml", survey.codebook)
    engine, names, _ = build_engine(survey, levers, n_segments=4, random_state=2026)
    effort = next(s for s in lever_scenarios(levers) if s.name.startswith("Carrying and assembling effort"))
    result = engine.apply(effort)
    whole = result["summary"].loc["all"]
    found = scenario_findings(result, names=names)
    assert found.sentences[0].startswith(f"{effort.name}: value destroyed from 19.8% "
                                         f"[{whole['share_destroyed_before_low']:.1%}, "
                                         f"{whole['share_destroyed_before_high']:.1%}] to "
                                         f"{100 * whole['share_destroyed_after']:.1f}% [")
    # the energy-sensitive segment (planted) gains most from less effort
    assert found.sentences[1].startswith(f"It changes most for segment 2 ({names[2]}): from 62.9% to ")
    assert found.sentences[2].startswith("Predicted change in overall value: +0.14 [")
    nps = whole[["nps_change", "nps_change_low", "nps_change_high"]]  # the recommend question's NPS, in points
    assert found.sentences[3] == (f"Predicted change in the NPS: +{nps.iloc[0]:.2f} [{nps.iloc[1]:.2f}, "
                                  f"{nps.iloc[2]:.2f}] points (its model of promoters less detractors: R² 0.63, "
                                  f"adjusted 0.63, model test adjusted p < 0.001, n = 1,905).")
    assert found.sentences[-1].startswith("These are predictions under the assumptions of the lever file")
    # a scenario that moves nothing says the share is unchanged within its interval, and names no segment
    still = scenario_findings(engine.apply(Scenario(name="nothing", levers={})), lang="es")
    assert still.sentences[0].startswith("Nothing deja sin cambio, dentro de su intervalo")
    assert not any("Cambia sobre todo" in s for s in still.sentences)
    with pytest.raises(ParameterError, match="result: expected a ScenarioEngine.apply"):
        scenario_findings({"summary": 1})


def test_the_new_findings_name_a_wrong_argument():
    from valuekit.present.findings import (audit_findings, playbook_findings, scenario_findings, segment_findings,
                                           tracking_findings)

    profiles = pd.DataFrame({"name": ["a"], "n": [10]}, index=[0])
    with pytest.raises(ParameterError, match="audit: expected a Survey or its Audit"):
        audit_findings(pd.DataFrame())
    with pytest.raises(ParameterError, match="structure: expected the Series"):
        segment_findings(profiles, structure=None)
    with pytest.raises(ParameterError, match=r"structure: \['cluster_index', 'null_mean', 'n'\] not found"):
        segment_findings(profiles, structure={"distinct": True, "p": 0.01})
    with pytest.raises(ParameterError, match="structure"):
        playbook_findings(profiles.iloc[:0], profiles, structure="distinct")
    with pytest.raises(ParameterError, match="names: expected None or a dict"):
        tracking_findings(pd.DataFrame({"finding": [False], "p_adj": [0.5]}), names=["a"])
    with pytest.raises(ParameterError, match="table: expected"):
        tracking_findings("table")
    with pytest.raises(ParameterError, match="result: expected a ScenarioEngine.apply"):
        scenario_findings(None)
