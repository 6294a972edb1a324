"""Findings of the new-user trial: each test failed before its fix."""

import warnings

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.errors import CodebookError, ParameterError, ScenarioError, SurveyError
from valuekit.segments import ValueSegmenter, choose_k


@pytest.fixture(scope="module")
def demo():
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    return survey, scores


# 1. context columns: pandas 3 gives read-only masks
@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_segmenter_with_context_column(demo, method):
    survey, scores = demo
    X = scores.join(survey.data[["channel"]])
    seg = ValueSegmenter(survey.codebook, n_segments=3, method=method, context=["channel"],
                         random_state=0, n_init=2).fit(X)
    assert seg.labels_.notna().sum() > 0


def test_choose_k_with_context_column(demo):
    survey, scores = demo
    X = scores.join(survey.data[["channel"]])
    table = choose_k(X, survey.codebook, k_range=[2, 3], context=["channel"], random_state=0, n_init=2)
    assert list(table["k"]) == [2, 3]


# 2. a survey too small for the driver model
@pytest.fixture(scope="module")
def small(demo):
    survey, scores = demo
    cb = survey.codebook
    rows = scores.index[:40]
    data = scores.loc[rows].join(survey.data.loc[rows, list(cb.outcomes.values())])
    return cb, scores.loc[rows], data


def test_importance_performance_plot_all_withheld(small):
    import matplotlib.pyplot as plt

    from valuekit import plots
    from valuekit.drivers import importance_performance, key_drivers

    cb, scores, data = small
    outcome = next(iter(cb.outcomes.values()))
    drivers = cb.dimensions + cb.sacrifices
    kd = key_drivers(data, outcome, drivers, codebook=cb, n_boot=0)
    assert kd["share"].isna().all()
    ipa = importance_performance(kd, scores, codebook=cb)
    assert (ipa["quadrant"] == "no estimate").all()
    assert ipa.attrs["notes"] and "too few respondents" in ipa.attrs["notes"][0]
    ax = plots.plot_importance_performance(ipa)
    assert isinstance(ax, plt.Axes)
    text = " ".join(t.get_text() for t in ax.texts)
    assert "no driver estimate" in text and "too few respondents" in text
    assert isinstance(plots.plot_drivers(kd), plt.Axes)


def test_importance_performance_no_respondents(small):
    from valuekit.drivers import importance_performance

    cb, scores, _ = small
    kd = pd.DataFrame({"driver": cb.dimensions, "share": 1.0})
    with pytest.raises(SurveyError, match="scores: no respondents"):
        importance_performance(kd, scores.iloc[:0], codebook=cb)


# 3. survey weights that are all zero
def test_all_zero_weights_are_refused(demo):
    from valuekit import plots
    from valuekit.scoring import mean_scores, summarize_value
    from valuekit.segments import share_destroyed

    _, scores = demo
    zero = np.zeros(len(scores))
    seg = pd.Series(np.arange(len(scores)) % 2, index=scores.index, dtype="Int64")
    for call in (lambda: summarize_value(scores, weights=zero), lambda: mean_scores(scores, weights=zero),
                 lambda: share_destroyed(scores, seg, weights=zero), lambda: plots.plot_value_ratio(scores, weights=zero)):
        with pytest.raises(ParameterError, match="weights: all weights are zero"):
            call()


def test_a_segment_weighted_zero_gets_a_note_not_a_warning(demo):
    import matplotlib.pyplot as plt

    from valuekit import plots
    from valuekit.segments import segment_profiles, share_destroyed

    survey, scores = demo
    seg = pd.Series(np.arange(len(scores)) % 3, index=scores.index, dtype="Int64")
    w = np.where(seg.to_numpy() == 2, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        table = share_destroyed(scores, seg, weights=w).set_index("segment")
        profiles = segment_profiles(scores, seg, codebook=survey.codebook, data=survey.data, weights=w)
        ax = plots.plot_share_destroyed(table.reset_index(), ax=plt.figure().gca())
    assert np.isnan(table.loc[2, "share_destroyed"]) and "weights are zero" in table.loc[2, "note"]
    assert table.loc[0, "note"] == "" and np.isfinite(table.loc[0, "share_destroyed"])
    assert "weights are zero" in profiles.loc[2, "note"] and profiles.loc[0, "note"] == ""
    assert any("weights are zero" in t.get_text() for t in ax.texts)


# 4. Likert answers between scale points
def test_likert_says_how_many_answers_are_not_shown(codebook_dict):
    from valuekit import Codebook
    from valuekit.plots import plot_likert

    codebook_dict["benefits"]["experiential"] = ["x1"]
    codebook_dict["benefits"]["symbolic"] = ["s1"]
    cb = Codebook.from_dict(codebook_dict)
    frame = pd.DataFrame({"f1": [1, 3.5, 3.5, 4, 7], "f2": [2, 2, 2, 2, 2]})
    ax = plot_likert(frame, codebook=cb, block="functional")
    assert "2 answers between scale points" in ax.get_title()
    clean = plot_likert(frame.assign(f1=[1, 3, 3, 4, 7]), codebook=cb, block="functional")
    assert "not shown" not in clean.get_title()


# 5. unknown evidence settings
def test_unknown_settings_are_parameter_errors(demo):
    from valuekit.significance import compare_groups, evidence_settings

    _, scores = demo
    with pytest.raises(ParameterError, match=r"unknown setting\(s\) \['alpah'\]") as err:
        evidence_settings({"alpah": .1})
    assert err.value.name == "alpah"
    with pytest.raises(ParameterError, match="min_grp_n"):
        compare_groups(scores, scores["functional"] > 4, measures=["benefits"], settings={"min_grp_n": 3})


# 6. non-mapping levers; labels and competitor names that are not text
@pytest.mark.parametrize("levers", [0, [], ""])
def test_scenario_levers_must_be_a_mapping(levers):
    from valuekit.scenario import Scenario

    with pytest.raises(ScenarioError, match="'levers'"):
        Scenario.from_dict({"name": "x", "levers": levers})
    assert Scenario.from_dict({"name": "x", "levers": {}}).levers == {}


@pytest.mark.parametrize("change, key", [
    (lambda d: d["labels"].update(functional={"en": None}), "labels.functional.en"),
    (lambda d: d.update(comparisons={"competitor": ["A", "B"], "items": {"f1": "c_f1"}}), "comparisons.competitor"),
])
def test_codebook_refuses_labels_and_competitors_that_are_not_text(codebook_dict, change, key):
    from valuekit import Codebook

    codebook_dict.setdefault("labels", {})
    change(codebook_dict)
    with pytest.raises(CodebookError, match=key.replace(".", r"\.")):
        Codebook.from_dict(codebook_dict)
