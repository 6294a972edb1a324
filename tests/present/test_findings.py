"""What we found (valuekit.present.findings): the planted truths of the demo are stated with
their evidence; a null survey gets no finding, and says so."""

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
    assert value.sentences[0].startswith("Value is destroyed for 19.8% [18.1%, 21.6%] of the 1,962 customers scored")
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
    assert drivers.sentences[0].startswith("The driver model explains too little of out value to rank its drivers")
    assert not any(" moves " in s for s in drivers.sentences)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_sentence_is_written_in_every_language(demo, null, lang):
    cb = read_codebook(vk.DEMO_CODEBOOK)
    for results in (demo, null):
        for findings in _all(results, lang, codebook=cb):
            assert findings.heading == FINDINGS_TEXT["heading"][lang]
            assert all(s and "{" not in s and "nan" not in s.lower() for s in findings.sentences)
    for key, words in FINDINGS_TEXT.items():
        if key != "effect_names" and key != "measure_names":
            assert set(words) == set(LANGUAGES), key


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
