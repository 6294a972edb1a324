"""Every public entry point of the analysis checks its arguments before any work, and the
scorer refuses answers it cannot use as given.

A wrong argument raises :class:`valuekit.errors.ParameterError` naming the parameter (in the
message and as ``.name``), never a numpy, scikit-learn or statsmodels message, and never runs
silently. Answers outside an item's scale, infinite or not numbers raise a
:class:`valuekit.errors.SurveyError` that names the item and the values and points to the audit.
"""


import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.analyse import competitor as compare
from valuekit.analyse import drivers, kano, price_value, pricing, segments, significance, tables, waves
from valuekit.config import PROJ_ROOT
from valuekit.decide import nulltest, playbook, price_moves, priorities
from valuekit.engines import dask as bigdata
from valuekit.errors import ParameterError, SurveyError
from valuekit.measure import reliability, scoring
from valuekit.measure import sem as measurement
from valuekit.present import plots
from valuekit.present import tables as ptables
from valuekit.present import tablespec
from valuekit.survey import weighting
from valuekit.survey.codebook import Codebook

TARGETS = vk.DATA_DIR / "demo_targets.yaml"

MTCARS = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
DRIVERS = ["cyl", "disp", "hp", "wt"]
PSM = pd.read_csv(PROJ_ROOT / "tests" / "data" / "pricing" / "psm_help_example.csv")
PSM_Q = pricing.PriceQuestions(too_cheap="tch", cheap="ch", expensive="ex", too_expensive="tex")
KANO_Q = kano.KanoQuestions(pairs={"x": ("pint_ch", "pint_ex")},
                            answers={1: "like", 2: "expect", 3: "neutral", 4: "tolerate", 5: "dislike"})


@pytest.fixture(scope="module")
def ctx():
    """The demo survey (the first 400 kept respondents) and the results the checks are fed."""
    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    cb = survey.codebook
    data = survey.data.iloc[:400]
    scores = vk.ValueScorer(cb).fit_transform(data)
    seg = segments.ValueSegmenter(cb, n_segments=3, random_state=0, n_init=2).fit(scores)
    labels = seg.labels_
    table = significance.compare_groups(scores, {"segment": labels}, codebook=cb, weights=data["weight"])
    key = drivers.key_drivers(scores.join(data[["out_value"]]), "out_value", cb.dimensions + cb.sacrifices,
                              codebook=cb, n_boot=0)
    evidence = playbook.build_evidence(scores, labels, codebook=cb, drivers=key, comparisons=table)
    items = reliability.reliability(data, cb, items=True)
    blocks = reliability.reliability(data, cb)
    stacked = scores.assign(wave=np.where(np.arange(len(scores)) % 2, "2", "1"))
    tracked = waves.load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    return dict(survey=survey, cb=cb, data=data, scores=scores, seg=seg, labels=labels, table=table,
                key=key, evidence=evidence, items=items, blocks=blocks, stacked=stacked, waves=tracked,
                wave_table=waves.compare_waves(stacked, measures=["money"]),
                trends=waves.wave_trends(stacked, measures=["money"]),
                wrong_index=pd.Series(1.0, index=scores.index + 10**6),  # other labels than the respondents'
                short=pd.Series(1.0, index=scores.index[:-1]))


def _ax():
    return plt.figure().gca()


# (parameter named in the error, the call with one bad argument)
CASES = [
    # -- scoring ------------------------------------------------------------------------
    ("codebook", lambda c: vk.ValueScorer(5).fit(c["data"])),
    ("index_weights", lambda c: vk.ValueScorer(c["cb"], index_weights="bogus").fit(c["data"])),
    ("z", lambda c: scoring.wilson_bounds(np.array([0.5]), np.array([10.0]), -1.96)),
    ("index_weights", lambda c: vk.ValueScorer(c["cb"], index_weights={"functional": -1}).fit(c["data"])),
    ("index_weights", lambda c: vk.ValueScorer(c["cb"], index_weights=3).fit(c["data"])),
    ("min_answered", lambda c: vk.ValueScorer(c["cb"], min_answered="x").fit(c["data"])),
    ("min_answered", lambda c: vk.ValueScorer(c["cb"], min_answered=0).fit(c["data"])),
    ("min_blocks", lambda c: vk.ValueScorer(c["cb"], min_blocks=1.5).fit(c["data"])),
    ("neutral_band", lambda c: vk.ValueScorer(c["cb"], neutral_band=1.5).fit(c["data"])),
    ("neutral_band", lambda c: vk.ValueScorer(c["cb"], neutral_band=True).fit(c["data"])),
    ("X", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"].to_numpy())),
    ("X", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"]).transform("data")),
    ("sample_weight", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"], sample_weight=np.ones(3))),
    ("sample_weight", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"], sample_weight=c["wrong_index"])),
    ("M", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"]).score_items(np.ones(3))),
    ("M", lambda c: vk.ValueScorer(c["cb"]).fit(c["data"]).score_items(np.zeros((2, 1)))),
    ("by", lambda c: scoring.summarize_value(c["scores"], by="nope")),
    ("by", lambda c: scoring.summarize_value(c["scores"], by=[1, 2])),
    ("by", lambda c: scoring.summarize_value(c["scores"], by=c["short"])),
    ("weights", lambda c: scoring.summarize_value(c["scores"], weights=np.ones(5))),
    ("weights", lambda c: scoring.summarize_value(c["scores"], weights=c["wrong_index"])),
    ("weights", lambda c: scoring.summarize_value(c["scores"], weights="nope")),
    ("weights", lambda c: scoring.summarize_value(c["scores"], weights=-c["scores"]["benefits"])),
    ("scores", lambda c: scoring.summarize_value("scores")),
    ("data", lambda c: scoring.summarize_value(c["scores"], data=5)),
    ("columns", lambda c: scoring.mean_scores(c["scores"], columns=["nope"])),
    ("columns", lambda c: scoring.mean_scores(c["scores"], columns=["verdict"])),
    ("confidence", lambda c: scoring.wilson_interval(0.2, 100, confidence=1.5)),
    ("p", lambda c: scoring.wilson_interval(1.2, 100)),
    ("n_eff", lambda c: scoring.wilson_interval(0.2, -1)),
    ("weights", lambda c: scoring.survey_weights([1.0, -1.0], 2)),
    ("weights", lambda c: scoring.survey_weights(np.ones(3), 2)),
    ("weights", lambda c: scoring.survey_weights("w", 2)),
    ("n", lambda c: scoring.survey_weights(None, -1)),
    ("weights", lambda c: scoring.weighted_sd([1.0, 2.0, 3.0], [1.0, 1.0])),
    ("levels", lambda c: scoring.group_order(5)),
    ("by", lambda c: scoring.group_masks(c["scores"].index, [1, 2])),
    ("include_all", lambda c: scoring.group_masks(c["scores"].index, None, include_all="yes")),
    ("min_answered", lambda c: scoring.construct_scores(c["data"], c["cb"], min_answered=0)),
    ("items", lambda c: scoring.item_matrix(c["data"], c["cb"], ["nope"])),
    ("codebook", lambda c: scoring.item_matrix(c["data"], "codebook.yaml")),
    ("data", lambda c: scoring.item_matrix(c["data"].to_numpy(), c["cb"])),
    ("items", lambda c: scoring.item_maps(c["cb"], ["nope"])),
    ("codebook", lambda c: scoring.common_scale({"scale": 1})),
    ("what", lambda c: scoring.require_ratio(c["scores"], 5)),
    ("scores", lambda c: scoring.scored_mask(pd.DataFrame())),
    # -- segments -----------------------------------------------------------------------
    ("n_segments", lambda c: segments.ValueSegmenter(c["cb"], n_segments=0).fit(c["scores"])),
    ("n_segments", lambda c: segments.ValueSegmenter(c["cb"], n_segments=1000).fit(c["scores"])),
    ("n_segments", lambda c: segments.ValueSegmenter(c["cb"], n_segments=segments.MAX_SEGMENTS + 1)
     .fit(c["scores"])),
    ("n_segments", lambda c: segments.ValueSegmenter(c["cb"], n_segments=2.5).fit(c["scores"])),
    ("n_segments", lambda c: segments.ValueSegmenter(c["cb"], n_segments=5).fit(c["scores"].iloc[:4])),
    ("method", lambda c: segments.ValueSegmenter(c["cb"], method="foo").fit(c["scores"])),
    ("random_state", lambda c: segments.ValueSegmenter(c["cb"], random_state="a").fit(c["scores"])),
    ("random_state", lambda c: segments.ValueSegmenter(c["cb"], random_state=-1).fit(c["scores"])),
    ("n_init", lambda c: segments.ValueSegmenter(c["cb"], n_init=0).fit(c["scores"])),
    ("context", lambda c: segments.ValueSegmenter(c["cb"], context=5).fit(c["scores"])),
    ("context", lambda c: segments.ValueSegmenter(c["cb"], context=["nope"]).fit(c["scores"])),
    ("codebook", lambda c: segments.ValueSegmenter("codebook.yaml").fit(c["scores"])),
    ("X", lambda c: segments.ValueSegmenter(c["cb"]).fit("scores")),
    ("X", lambda c: c["seg"].predict(c["scores"].drop(columns="time"))),
    ("k_range", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[1, 2])),
    ("k_range", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[2, 1000])),
    ("k_range", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[])),
    ("k_range", lambda c: segments.choose_k(c["scores"], c["cb"], k_range="23")),
    ("k_range", lambda c: segments.choose_k(c["scores"].iloc[:5], c["cb"], k_range=[2, 9])),
    ("method", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[2], method="foo")),
    ("random_state", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[2], random_state="a")),
    ("silhouette_sample", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[2], silhouette_sample=1)),
    ("n_init", lambda c: segments.choose_k(c["scores"], c["cb"], k_range=[2], n_init=0)),
    ("codebook", lambda c: segments.choose_k(c["scores"], None, k_range=[2])),
    ("k_range", lambda c: segments.suggest_n_segments(c["scores"], c["cb"], k_range=[1])),
    ("n_boot", lambda c: segments.bootstrap_stability(c["seg"], c["scores"], n_boot=-1)),
    ("n_boot", lambda c: segments.bootstrap_stability(c["seg"], c["scores"], n_boot=1)),
    ("random_state", lambda c: segments.bootstrap_stability(c["seg"], c["scores"], n_boot=2, random_state="a")),
    ("progress", lambda c: segments.bootstrap_stability(c["seg"], c["scores"], n_boot=2, progress="yes")),
    ("segmenter", lambda c: segments.bootstrap_stability(segments.ValueSegmenter(c["cb"]), c["scores"])),
    ("segmenter", lambda c: segments.bootstrap_stability("seg", c["scores"])),
    ("scores", lambda c: segments.bootstrap_stability(c["seg"], c["scores"].iloc[:10])),
    ("confidence", lambda c: segments.share_destroyed(c["scores"], c["labels"], confidence=1.5)),
    ("segments", lambda c: segments.share_destroyed(c["scores"], c["labels"].iloc[:10])),
    ("segments", lambda c: segments.share_destroyed(c["scores"], c["labels"].to_numpy())),
    ("weights", lambda c: segments.share_destroyed(c["scores"], c["labels"], weights=np.ones(3))),
    ("lang", lambda c: segments.segment_name(c["table"][c["table"]["group"] == 0], c["cb"], lang="fr")),
    ("max_traits", lambda c: segments.segment_name(c["table"][c["table"]["group"] == 0], c["cb"], max_traits=0)),
    ("findings", lambda c: segments.segment_name(5, c["cb"])),
    ("n_sim", lambda c: segments.segment_structure(c["seg"], c["scores"], n_sim=1)),
    ("alpha", lambda c: segments.segment_structure(c["seg"], c["scores"], alpha=2)),
    ("random_state", lambda c: segments.segment_structure(c["seg"], c["scores"], random_state="a")),
    ("lang", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], lang="fr")),
    ("settings", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], settings=5)),
    ("alpha", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"],
                                                  settings={"alpha": 2})),
    ("comparisons", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], comparisons=5)),
    ("structure", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], structure=5)),
    ("structure", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"],
                                                      structure={"distinct": "no", "p": 0.5})),
    ("data", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], data=5)),
    ("data", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"],
                                                 data=c["data"].iloc[:10])),
    ("segments", lambda c: segments.segment_profiles(c["scores"], c["labels"].set_axis(c["scores"].index + 10**6),
                                                     codebook=c["cb"])),
    ("weights", lambda c: segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], weights=[1.0])),
    ("reference", lambda c: segments.align_segments(c["labels"], "labels")),
    ("labels", lambda c: segments.align_segments(c["labels"] - 5, c["labels"])),
    ("reference", lambda c: segments.align_segments(c["labels"], c["labels"].set_axis(c["labels"].index + 10**6))),
    ("max_depth", lambda c: segments.explain_segments(c["scores"], c["labels"], codebook=c["cb"], max_depth=0)),
    ("lang", lambda c: segments.explain_segments(c["scores"], c["labels"], codebook=c["cb"], lang="fr")),
    ("random_state", lambda c: segments.explain_segments(c["scores"], c["labels"], codebook=c["cb"],
                                                         random_state="a")),
    ("segments", lambda c: segments.explain_segments(c["scores"], c["labels"].iloc[::2], codebook=c["cb"])),
    ("segments", lambda c: segments.where_value_is_destroyed(c["scores"], c["labels"].iloc[:3], codebook=c["cb"])),
    ("weights", lambda c: segments.where_value_is_destroyed(c["scores"], c["labels"], codebook=c["cb"],
                                                            weights=c["wrong_index"])),
    ("codebook", lambda c: segments.where_value_is_destroyed(c["scores"], c["labels"], codebook="cb")),
    ("jaccard", lambda c: segments.stability_verdict("0.7")),
    ("jaccard", lambda c: segments.stability_verdict(1.5)),
    # -- drivers ------------------------------------------------------------------------
    ("outcome", lambda c: drivers.relative_weights(MTCARS, "nope", DRIVERS)),
    ("outcome", lambda c: drivers.relative_weights(MTCARS, 5, DRIVERS)),
    ("drivers", lambda c: drivers.relative_weights(MTCARS, "mpg", ["nope"])),
    ("drivers", lambda c: drivers.relative_weights(MTCARS, "mpg", [])),
    ("drivers", lambda c: drivers.relative_weights(MTCARS, "mpg", ["mpg", "wt"])),
    ("drivers", lambda c: drivers.relative_weights(MTCARS, "mpg", ["wt", "wt"])),
    ("drivers", lambda c: drivers.relative_weights(MTCARS.assign(city="x"), "mpg", ["wt", "city"])),
    ("weights", lambda c: drivers.relative_weights(MTCARS, "mpg", DRIVERS, weights=np.ones(3))),
    ("data", lambda c: drivers.relative_weights("mtcars.csv", "mpg", DRIVERS)),
    ("drivers", lambda c: drivers.shapley_r2(pd.DataFrame(np.random.default_rng(0).normal(size=(50, 17)),
                                                          columns=[f"d{i}" for i in range(17)]).assign(y=1.0),
                                             "y", [f"d{i}" for i in range(17)])),
    ("ci", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, ci=1.5)),
    ("ci", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, ci="95%")),
    ("n_boot", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, n_boot=-1)),
    ("method", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, method="foo")),
    ("random_state", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, random_state="a")),
    ("lang", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, lang="fr")),
    ("min_n_per_driver", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, min_n_per_driver=-1)),
    ("by", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, by=[1, 2, 3])),
    ("by", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, by=pd.Series(1, index=range(100, 132)))),
    ("codebook", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, codebook=5)),
    ("group", lambda c: drivers.driver_summary(c["key"], "nope")),
    ("table", lambda c: drivers.driver_summary(5)),
    ("importance", lambda c: drivers.importance_performance(c["key"], c["scores"], codebook=c["cb"],
                                                            importance="nope")),
    ("lang", lambda c: drivers.importance_performance(c["key"], c["scores"], codebook=c["cb"], lang="fr")),
    ("weights", lambda c: drivers.importance_performance(c["key"], c["scores"], codebook=c["cb"],
                                                         weights=np.ones(2))),
    ("drivers", lambda c: drivers.importance_performance(5, c["scores"], codebook=c["cb"])),
    ("outcome", lambda c: drivers.outcome_slopes(MTCARS, "nope", DRIVERS)),
    ("n_boot", lambda c: drivers.bootstrap_slopes(MTCARS, "mpg", DRIVERS, n_boot=1)),
    ("random_state", lambda c: drivers.bootstrap_slopes(MTCARS, "mpg", DRIVERS, random_state="a")),
    # -- compare ------------------------------------------------------------------------
    ("importance", lambda c: compare.value_map(c["data"], c["cb"], importance={"nope": 1.0})),
    ("importance", lambda c: compare.value_map(c["data"], c["cb"], importance={"functional": "x"})),
    ("importance", lambda c: compare.value_map(c["data"], c["cb"], importance=[1, 2])),
    ("importance", lambda c: compare.value_map(c["data"], c["cb"], importance={"functional": 2.0})),
    ("by", lambda c: compare.value_map(c["data"], c["cb"], by=[1, 2])),
    ("weights", lambda c: compare.value_map(c["data"], c["cb"], weights=np.ones(2))),
    ("data", lambda c: compare.value_map(5, c["cb"])),
    ("codebook", lambda c: compare.value_map(c["data"], 5)),
    ("weights", lambda c: compare.attribute_comparison(c["data"], c["cb"], weights=c["wrong_index"])),
    ("codebook", lambda c: compare.has_comparisons("codebook.yaml")),
    # -- reliability --------------------------------------------------------------------
    ("ci", lambda c: reliability.cronbach_alpha(c["data"][["sac_time_1", "sac_time_2"]], ci=1.5)),
    ("nan_policy", lambda c: reliability.cronbach_alpha(c["data"][["sac_time_1", "sac_time_2"]], nan_policy="x")),
    ("std_alpha_from", lambda c: reliability.cronbach_alpha(c["data"][["sac_time_1", "sac_time_2"]],
                                                            std_alpha_from="x")),
    ("data", lambda c: reliability.cronbach_alpha("data")),
    ("data", lambda c: reliability.cronbach_alpha(c["data"][["sac_time_1", "channel"]])),
    ("nan_policy", lambda c: reliability.mcdonald_omega(c["data"][["sac_time_1", "sac_time_2"]], nan_policy="x")),
    ("nan_policy", lambda c: reliability.item_statistics(c["data"][["sac_time_1"]], nan_policy="x")),
    ("items", lambda c: reliability.reliability(c["data"], c["cb"], items="yes")),
    ("facets", lambda c: reliability.reliability(c["data"], c["cb"], facets=1)),
    ("ci", lambda c: reliability.reliability(c["data"], c["cb"], ci=0)),
    ("codebook", lambda c: reliability.reliability(c["data"], 5)),
    ("data", lambda c: reliability.reliability(None, c["cb"])),
    ("min_item_rest", lambda c: reliability.weak_items(c["items"], c["blocks"], min_item_rest=2)),
    ("alpha_gain", lambda c: reliability.weak_items(c["items"], c["blocks"], alpha_gain=-1)),
    ("items", lambda c: reliability.weak_items(5, c["blocks"])),
    ("blocks", lambda c: reliability.weak_items(c["items"], c["items"])),
    # -- significance -------------------------------------------------------------------
    ("alpha", lambda c: significance.compare_groups(c["scores"], c["labels"], alpha=2)),
    ("confidence", lambda c: significance.compare_groups(c["scores"], c["labels"], confidence=1.5)),
    ("adjust", lambda c: significance.compare_groups(c["scores"], c["labels"], adjust="foo")),
    ("lang", lambda c: significance.compare_groups(c["scores"], c["labels"], lang="fr")),
    ("measures", lambda c: significance.compare_groups(c["scores"], c["labels"], measures=["nope"])),
    ("measures", lambda c: significance.compare_groups(c["scores"], c["labels"], measures="benefits")),
    ("by", lambda c: significance.compare_groups(c["scores"], "nope")),
    ("by", lambda c: significance.compare_groups(c["scores"], c["labels"].iloc[:10])),
    ("by", lambda c: significance.compare_groups(c["scores"], 5)),
    ("design", lambda c: significance.compare_groups(c["scores"], c["labels"], design="stype")),
    ("weights", lambda c: significance.compare_groups(c["scores"], c["labels"], weights=c["wrong_index"])),
    ("settings", lambda c: significance.compare_groups(c["scores"], c["labels"], settings=5)),
    ("alpha", lambda c: significance.compare_groups(c["scores"], c["labels"], settings={"alpha": 2})),
    ("codebook", lambda c: significance.compare_groups(c["scores"], c["labels"], codebook=5)),
    ("scores", lambda c: significance.compare_groups(5, c["labels"])),
    ("data", lambda c: significance.compare_groups(c["scores"], c["labels"], data=5)),
    ("grouping", lambda c: significance.style_comparisons(c["table"], grouping="nope")),
    ("value", lambda c: significance.style_comparisons(c["table"], value="nope")),
    ("decimals", lambda c: significance.style_comparisons(c["table"], decimals=-1)),
    ("table", lambda c: significance.style_comparisons(5)),
    ("settings", lambda c: significance.grade([0.01], [0.5], settings=5)),
    ("effect", lambda c: significance.grade([0.01], [0.5, 0.6])),
    ("alpha", lambda c: significance.evidence_settings(alpha=2)),
    ("adjust", lambda c: significance.evidence_settings(adjust=["holm"])),
    ("overrides", lambda c: significance.evidence_settings(5)),
    # -- playbook -----------------------------------------------------------------------
    ("n_segments", lambda c: playbook.analyse(c["survey"], n_segments=0)),
    ("n_segments", lambda c: playbook.analyse(c["survey"], n_segments=1000)),
    ("n_segments", lambda c: playbook.analyse(c["survey"], n_segments="4")),
    ("n_boot", lambda c: playbook.analyse(c["survey"], n_boot=-1)),
    ("n_sim", lambda c: playbook.analyse(c["survey"], n_sim=1)),
    ("n_init", lambda c: playbook.analyse(c["survey"], n_init=0)),
    ("method", lambda c: playbook.analyse(c["survey"], method="foo")),
    ("lang", lambda c: playbook.analyse(c["survey"], lang="fr")),
    ("random_state", lambda c: playbook.analyse(c["survey"], random_state="a")),
    ("outcome", lambda c: playbook.analyse(c["survey"], outcome="nope")),
    ("settings", lambda c: playbook.analyse(c["survey"], settings=5)),
    ("survey", lambda c: playbook.analyse(c["data"])),
    ("segments", lambda c: playbook.build_evidence(c["scores"], c["labels"].iloc[:5], codebook=c["cb"],
                                                   drivers=c["key"])),
    ("drivers", lambda c: playbook.build_evidence(c["scores"], c["labels"], codebook=c["cb"], drivers=5)),
    ("structure", lambda c: playbook.build_evidence(c["scores"], c["labels"], codebook=c["cb"], drivers=c["key"],
                                                    structure=5)),
    ("data", lambda c: playbook.build_evidence(c["scores"], c["labels"], codebook=c["cb"], drivers=c["key"],
                                               data=c["data"].iloc[:10])),
    ("settings", lambda c: playbook.build_evidence(c["scores"], c["labels"], codebook=c["cb"], drivers=c["key"],
                                                   settings="strict")),
    ("rules", lambda c: playbook.recommend(c["evidence"], rules=[5])),
    ("rules", lambda c: playbook.recommend(c["evidence"], rules=[playbook.Rule("x", "y", "z", "w", lambda e, s: True,
                                                                                ("nope",))])),
    ("evidence", lambda c: playbook.recommend(5)),
    ("evidence", lambda c: playbook.recommend(c["evidence"].drop(columns="importance"))),
    ("alpha", lambda c: playbook.to_investigate(c["evidence"], settings={"alpha": 5})),
    ("max_per_segment", lambda c: playbook.manager_summary(playbook.recommend(c["evidence"]), _profiles(c),
                                                           overall=_overall(c), outcome_label="x",
                                                           max_per_segment=0)),
    ("overall", lambda c: playbook.manager_summary(playbook.recommend(c["evidence"]), _profiles(c), overall=5,
                                                   outcome_label="x")),
    ("outcome_label", lambda c: playbook.manager_summary(playbook.recommend(c["evidence"]), _profiles(c),
                                                         overall=_overall(c), outcome_label=5)),
    ("applies", lambda c: playbook.Rule("x", "y", "z", "w", applies=5)),
    # -- plots --------------------------------------------------------------------------
    ("bins", lambda c: plots.plot_value_ratio(c["scores"], bins=0)),
    ("neutral_band", lambda c: plots.plot_value_ratio(c["scores"], neutral_band=-1)),
    ("lang", lambda c: plots.plot_value_ratio(c["scores"], lang="fr")),
    ("ax", lambda c: plots.plot_value_ratio(c["scores"], ax="axes")),
    ("weights", lambda c: plots.plot_value_ratio(c["scores"], weights=np.ones(2))),
    ("weights", lambda c: plots.plot_value_ratio(c["scores"], weights="nope")),
    ("by", lambda c: plots.plot_value_radar(c["scores"], codebook=c["cb"], by="nope")),
    ("ax", lambda c: plots.plot_value_radar(c["scores"], codebook=c["cb"], ax=_ax())),
    ("lang", lambda c: plots.plot_value_radar(c["scores"], codebook=c["cb"], lang="fr")),
    ("block", lambda c: plots.plot_likert(c["data"], codebook=c["cb"], block="nope")),
    ("kind", lambda c: plots.plot_benefits_sacrifices(c["scores"], kind="foo")),
    ("limits", lambda c: plots.plot_benefits_sacrifices(c["scores"], limits=(5, 1))),
    ("limits", lambda c: plots.plot_benefits_sacrifices(c["scores"], limits=5)),
    ("segments", lambda c: plots.plot_benefits_sacrifices(c["scores"], segments=c["labels"].iloc[:3])),
    ("names", lambda c: plots.plot_benefits_sacrifices(c["scores"], names=["a"])),
    ("chosen", lambda c: plots.plot_k_selection(pd.DataFrame({"k": [2, 3], "silhouette": [0.3, 0.2]}), chosen="x")),
    ("table", lambda c: plots.plot_k_selection(5)),
    ("profiles", lambda c: plots.plot_sacrifice_heatmap(5, codebook=c["cb"])),
    ("names", lambda c: plots.plot_share_destroyed(segments.share_destroyed(c["scores"], c["labels"]), names=5)),
    ("ncols", lambda c: plots.plot_segment_radars(c["scores"], c["labels"], codebook=c["cb"], ncols=0)),
    ("segments", lambda c: plots.plot_segment_radars(c["scores"], c["labels"].iloc[:3], codebook=c["cb"])),
    ("group", lambda c: plots.plot_drivers(c["key"], group="nope")),
    ("ipa", lambda c: plots.plot_importance_performance(5)),
    ("table", lambda c: plots.plot_value_map(5)),
    ("summary", lambda c: plots.plot_scenario_shares(5)),
    ("table", lambda c: plots.plot_scenario_comparison(pd.DataFrame({"a": [1.0]}))),
    ("measure", lambda c: plots.plot_group_means(c["table"], measure="nope")),
    ("grouping", lambda c: plots.plot_group_means(c["table"], grouping="nope", measure="time")),
    ("audit", lambda c: plots.plot_audit_flags(5)),
    ("top", lambda c: plots.plot_cell_problems(c["survey"].audit, top=0)),
    ("survey", lambda c: plots.plot_completion_times(5)),
    ("bins", lambda c: plots.plot_completion_times(c["survey"], bins=0)),
    # -- nulltest -----------------------------------------------------------------------
    ("seed", lambda c: nulltest.null_run(-1)),
    ("seed", lambda c: nulltest.null_run("a")),
    ("n", lambda c: nulltest.null_run(0, n=10)),
    ("settings", lambda c: nulltest.null_run(0, settings=5)),
    ("n_runs", lambda c: nulltest.null_recommendation_rate(0)),
    ("n_jobs", lambda c: nulltest.null_recommendation_rate(2, n_jobs=0)),
    ("first_seed", lambda c: nulltest.null_recommendation_rate(2, first_seed=-1)),
    # -- waves --------------------------------------------------------------------------
    ("sources", lambda c: waves.load_waves(5, c["cb"])),
    ("wave_column", lambda c: waves.load_waves(vk.DEMO_DATA, c["cb"])),
    ("wave_column", lambda c: waves.load_waves(vk.DEMO_DATA, c["cb"], wave_column=5)),
    ("exclude", lambda c: waves.load_waves(vk.DEMO_DATA, c["cb"], wave_column="wave", exclude=["bogus"])),
    ("codebook", lambda c: waves.Waves(codebook=5, surveys={}, sources={})),
    ("surveys", lambda c: waves.Waves(codebook=c["cb"], surveys=[5], sources={})),
    ("wave", lambda c: c["waves"]["9"]),
    ("scorer", lambda c: c["waves"].scores(scorer=5)),
    ("segmenter", lambda c: c["waves"].segments(c["stacked"], segmenter=5)),
    ("scores", lambda c: c["waves"].segments(c["scores"])),
    ("wave", lambda c: waves.compare_waves(c["stacked"], wave="nope")),
    ("wave", lambda c: waves.compare_waves(c["stacked"], wave=5)),
    ("wave", lambda c: waves.compare_waves(c["stacked"].assign(wave="1"))),
    ("baseline", lambda c: waves.compare_waves(c["stacked"], baseline="last")),
    ("adjust", lambda c: waves.compare_waves(c["stacked"], adjust="foo")),
    ("alpha", lambda c: waves.compare_waves(c["stacked"], alpha=2)),
    ("lang", lambda c: waves.compare_waves(c["stacked"], lang="fr")),
    ("settings", lambda c: waves.compare_waves(c["stacked"], settings=5)),
    ("scores", lambda c: waves.compare_waves(5)),
    ("measures", lambda c: waves.wave_trends(c["stacked"], measures=["nope"])),
    ("measures", lambda c: waves.wave_trends(c["stacked"], measures="money")),
    ("confidence", lambda c: waves.wave_trends(c["stacked"], confidence=1.5)),
    ("by", lambda c: waves.wave_trends(c["stacked"], by="nope")),
    ("data", lambda c: waves.drivers_by_wave(5, "out_value", ["money"])),
    ("table", lambda c: waves.tracking_summary(5)),
    ("table", lambda c: waves.tracking_summary(c["table"])),
    ("names", lambda c: waves.tracking_summary(c["wave_table"], names=5)),
    ("table", lambda c: waves.moved_measures(5)),
    ("scope", lambda c: waves.moved_measures(c["wave_table"], scope=5)),
    ("trends", lambda c: plots.plot_trend(5, "money")),
    ("measure", lambda c: plots.plot_trend(c["trends"], "nope")),
    ("scope", lambda c: plots.plot_trend(c["trends"], "money", scope="segment")),
    ("comparisons", lambda c: plots.plot_trend(c["trends"], "money", comparisons=5)),
    ("ax", lambda c: plots.plot_trend(c["trends"], "money", ax=5)),
    ("result", lambda c: plots.plot_path_diagram(5)),
    # -- weighting ----------------------------------------------------------------------
    ("data", lambda c: weighting.rake(5, TARGETS)),
    ("targets", lambda c: weighting.rake(c["data"], 5)),
    ("weight", lambda c: weighting.rake(c["data"], TARGETS, weight="nope")),
    ("weight", lambda c: weighting.rake(c["data"], TARGETS, weight=[1.0])),
    ("max_iter", lambda c: weighting.rake(c["data"], TARGETS, max_iter=0)),
    ("tol", lambda c: weighting.rake(c["data"], TARGETS, tol=-1)),
    ("trim", lambda c: weighting.rake(c["data"], TARGETS, trim=5)),
    ("strict", lambda c: weighting.rake(c["data"], TARGETS, strict="x")),
    ("name", lambda c: weighting.rake(c["data"], TARGETS, name="")),
    ("survey", lambda c: weighting.weight_survey(5, TARGETS)),
    ("name", lambda c: weighting.weight_survey(c["survey"], TARGETS, name=5)),
    ("targets", lambda c: weighting.read_targets(5)),
    # -- measurement --------------------------------------------------------------------
    ("codebook", lambda c: measurement.structures(5)),
    ("data", lambda c: measurement.fit_cfa(5, c["cb"])),
    ("codebook", lambda c: measurement.fit_cfa(c["data"], 5)),
    ("structure", lambda c: measurement.fit_cfa(c["data"], c["cb"], structure="nine")),
    ("structure", lambda c: measurement.fit_cfa(c["data"], c["cb"], structure={"a": "functional"})),
    ("missing", lambda c: measurement.fit_cfa(c["data"], c["cb"], missing="fiml")),
    ("ci", lambda c: measurement.fit_cfa(c["data"], c["cb"], ci=1.5)),
    ("n_boot", lambda c: measurement.fit_cfa(c["data"], c["cb"], n_boot=-1)),
    ("max_iter", lambda c: measurement.fit_cfa(c["data"], c["cb"], max_iter=0)),
    ("random_state", lambda c: measurement.fit_cfa(c["data"], c["cb"], random_state="x")),
    ("weights", lambda c: measurement.fit_cfa(c["data"], c["cb"], weights="nope")),
    ("settings", lambda c: measurement.fit_cfa(c["data"], c["cb"], settings=5)),
    ("method", lambda c: measurement.htmt(c["data"], c["cb"], method="hmm")),
    ("data", lambda c: measurement.compare_structures(5, c["cb"])),
    ("missing", lambda c: measurement.compare_structures(c["data"], c["cb"], missing=5)),
    ("table", lambda c: measurement.structure_verdict(5)),
    ("restricted", lambda c: measurement.chi2_difference(5, {"chi2": 1.0, "df": 1})),
    ("restricted", lambda c: measurement.chi2_difference({"chi2": 1.0, "df": 1}, {"chi2": 0.5, "df": 2})),
    ("mediator", lambda c: measurement.value_path(c["data"], c["cb"], mediator="loyalty")),
    ("outcomes", lambda c: measurement.value_path(c["data"], c["cb"], outcomes=["nope"])),
    ("direct", lambda c: measurement.value_path(c["data"], c["cb"], direct="yes")),
    ("full", lambda c: measurement.mediation_verdict(5, None)),
    # -- bigdata (nothing here starts a cluster: every argument is checked first) --------
    ("source", lambda c: bigdata.source_files([])),
    ("source", lambda c: bigdata.source_files(5)),
    ("scheduler", lambda c: bigdata.connect(scheduler="  ").__enter__()),
    ("n_workers", lambda c: bigdata.connect(n_workers=0).__enter__()),
    ("score", lambda c: bigdata.audit_files(vk.DEMO_DATA, c["cb"], score="yes")),
    ("exclude", lambda c: bigdata.audit_files(vk.DEMO_DATA, c["cb"], exclude=["bogus"])),
    ("speeder_fraction", lambda c: bigdata.audit_files(vk.DEMO_DATA, c["cb"], speeder_fraction=2)),
    ("out", lambda c: bigdata.read_scores(5)),
    ("scores", lambda c: bigdata.sample_scores([1, 2])),
    ("n", lambda c: bigdata.sample_scores(_big(c), 0)),
    ("random_state", lambda c: bigdata.sample_scores(_big(c), random_state="x")),
    ("segmenter", lambda c: bigdata.predict_segments(segments.ValueSegmenter(c["cb"]), _big(c))),
    ("confidence", lambda c: bigdata.share_destroyed(_big(c), confidence=1.5)),
    ("by", lambda c: bigdata.share_destroyed(_big(c), by="nope")),
    ("columns", lambda c: bigdata.weighted_correlation(_big(c), ["nope"])),
    ("n_boot", lambda c: bigdata.key_drivers(_big(c), "out_value", ["functional"], n_boot=-1)),
    ("ci", lambda c: bigdata.key_drivers(_big(c), "out_value", ["functional"], ci=1.5)),
    ("method", lambda c: bigdata.key_drivers(_big(c), "out_value", ["functional"], method="x")),
    ("drivers", lambda c: bigdata.key_drivers(_big(c), "out_value", [f"d{i}" for i in range(16)], method="shapley")),
    ("outcome", lambda c: bigdata.key_drivers(_big(c), "functional", ["functional"])),
    ("random_state", lambda c: bigdata.key_drivers(_big(c), "out_value", ["functional"], random_state=-1)),
    # -- the playbook on the groups the survey defines ----------------------------------------
    ("groups", lambda c: playbook.group_playbook(c["survey"], groups="channel")),
    ("groups", lambda c: playbook.group_playbook(c["survey"], groups=["no_such_column"])),
    ("survey", lambda c: playbook.group_playbook(c["data"])),
    ("recs", lambda c: playbook.whole_sample_findings(5)),
    ("design", lambda c: drivers.key_drivers(MTCARS, "mpg", DRIVERS, design=5)),
    # -- banner tables --------------------------------------------------------------------------
    ("data", lambda c: tables.banner(5, ["money"], ["channel"])),
    ("rows", lambda c: tables.banner(c["data"], [], ["channel"])),
    ("columns", lambda c: tables.banner(c["data"], ["channel"], 5)),
    ("min_base", lambda c: tables.banner(c["data"], ["channel"], ["world_view"], min_base=-1)),
    ("total", lambda c: tables.banner(c["data"], ["channel"], ["world_view"], total="yes")),
    ("lang", lambda c: tables.banner(c["data"], ["channel"], ["world_view"], lang="xx")),
    ("weights", lambda c: tables.banner(c["data"], ["channel"], ["world_view"], weights="no_such")),
    ("table", lambda c: ptables.style_banner(5)),
    ("tables", lambda c: ptables.write_tables([], "t.xlsx")),
    ("path", lambda c: ptables.write_tables(tables.banner(c["data"], ["channel"], ["world_view"]), "t.csv")),
    ("confidence", lambda c: tables.banner(c["data"], ["channel"], ["world_view"], confidence=1.5)),
    ("spec", lambda c: tablespec.read_tables_spec(5)),
    ("codebook", lambda c: tablespec.default_tables_spec(5)),
    ("survey", lambda c: tablespec.make_tables(c["data"])),
    ("lang", lambda c: tablespec.make_tables(c["survey"], lang="xx")),
    ("spec", lambda c: tablespec.tables_spec_yaml(5)),
    ("table", lambda c: ptables.BannerExplorer(5)),
    ("item", lambda c: tables.nps_groups(c["data"], "no_such_column")),
    ("item", lambda c: tables.nps_groups(c["data"])),
    ("order", lambda c: ptables.BannerExplorer(tables.banner(c["data"], ["channel"], ["world_view"])).view(
        order="x")),
    ("rows", lambda c: tables.banner(c["data"], ["channel"], ["world_view"]).select(rows=["nope"])),
    ("banners", lambda c: tables.banner(c["data"], ["channel"], ["world_view"]).select(banners="nope")),
    # -- pricing and Kano -----------------------------------------------------------------------
    ("questions", lambda c: pricing.PriceQuestions(cheap="a", expensive="b", too_expensive=3)),
    ("questions", lambda c: pricing.price_sensitivity(PSM, "tch")),
    ("questions", lambda c: pricing.price_sensitivity(PSM, pricing.PriceQuestions(cheap="ch", expensive="ex",
                                                                                  too_expensive="nope"))),
    ("data", lambda c: pricing.price_sensitivity(PSM.to_numpy(), PSM_Q)),
    ("acceptable", lambda c: pricing.price_sensitivity(PSM, PSM_Q, acceptable="wide")),
    ("draws", lambda c: pricing.price_sensitivity(PSM, PSM_Q, draws=-1)),
    ("level", lambda c: pricing.price_sensitivity(PSM, PSM_Q, level=1.5)),
    ("random_state", lambda c: pricing.price_sensitivity(PSM, PSM_Q, random_state="x")),
    ("weights", lambda c: pricing.price_sensitivity(PSM, PSM_Q, weights=-np.ones(len(PSM)))),
    ("by", lambda c: pricing.price_sensitivity(PSM, PSM_Q, by="nope")),
    ("ladder", lambda c: pricing.gabor_granger(PSM, {10: "tch"})),
    ("buy", lambda c: pricing.gabor_granger(PSM, pricing.GaborGrangerLadder({10: "tch", 12: "ch"}, buy={1: 2.0}))),
    ("codebook", lambda c: pricing.price_sensitivity(PSM)),
    ("by", lambda c: pricing.compare_price_points(PSM, PSM_Q, by="nope")),
    ("settings", lambda c: pricing.compare_price_points(PSM, PSM_Q, by=PSM["pint_ch"], settings=5)),
    ("codebook", lambda c: kano.kano(PSM, codebook=5)),
    ("draws", lambda c: pricing.gabor_granger(PSM, {10: "tch", 12: "ch"}, draws=1.5)),
    ("questions", lambda c: kano.KanoQuestions(pairs={}, answers={})),
    ("questions", lambda c: kano.kano(PSM, "pairs")),
    ("level", lambda c: kano.kano(PSM, KANO_Q, level=0)),
    ("by", lambda c: kano.kano(PSM, KANO_Q, by=[1, 2])),
    ("by", lambda c: kano.compare_kano(PSM, KANO_Q, by="nope")),
    ("settings", lambda c: kano.compare_kano(PSM, KANO_Q, by=PSM["pint_ch"], settings=5)),
    ("result", lambda c: priorities.kano_priorities("x", c["key"], c["scores"], codebook=c["cb"])),
    ("drivers", lambda c: priorities.kano_priorities(_kano(), c["key"].drop(columns="model_p"), c["scores"],
                                                     codebook=c["cb"])),
    ("serves", lambda c: priorities.kano_priorities(_kano(), c["key"], c["scores"], codebook=c["cb"],
                                                    serves={"nope": "time"})),
    ("rules", lambda c: priorities.kano_priorities(_kano(), c["key"], c["scores"], codebook=c["cb"], rules=[1])),
    ("settings", lambda c: priorities.kano_priorities(_kano(), c["key"], c["scores"], codebook=c["cb"],
                                                      settings=5)),
    ("lang", lambda c: priorities.kano_priorities(_kano(), c["key"], c["scores"], codebook=c["cb"], lang="fr")),
    ("rules", lambda c: priorities.kano_rules({"order": [{"category": "M"}]})),
    ("point", lambda c: price_value.price_beside_value(c["survey"], c["scores"], by="channel", point="x")),
    ("scores", lambda c: price_value.price_beside_value(c["survey"], 5, by="channel")),
    ("by", lambda c: price_value.price_beside_value(c["survey"], c["scores"], by=None, draws=100)),
    ("prices", lambda c: price_value.demand_at(c["survey"], [])),
    ("prices", lambda c: price_value.demand_at(c["survey"], [60, -1])),
    ("questions", lambda c: price_value.demand_at(c["survey"], [60], "x")),
    ("draws", lambda c: price_value.demand_at(c["survey"], [60], draws=-1)),
    ("engine", lambda c: price_moves.price_moves(c["survey"], "engine", [5])),
    ("engine", lambda c: price_moves.price_grid(c["survey"], "engine")),
    ("codebook", lambda c: price_moves.price_move_gap(5, None)),
]


def _kano():
    return kano.kano(PSM, KANO_Q, draws=5, random_state=0)


def _big(c):
    """The scores with the outcome and weight, as a Dask DataFrame of two partitions."""
    import dask.dataframe as dd

    return dd.from_pandas(c["scores"].join(c["data"][["out_value", "weight"]]), npartitions=2)


def _profiles(c):
    return segments.segment_profiles(c["scores"], c["labels"], codebook=c["cb"], comparisons=c["table"])


def _overall(c):
    return scoring.summarize_value(c["scores"]).loc["all"]


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("name, call", CASES, ids=[f"{i:03d}-{c[0]}" for i, c in enumerate(CASES)])
def test_a_bad_argument_is_a_parameter_error_naming_it(ctx, name, call):
    with pytest.raises(ParameterError) as err:
        call(ctx)
    assert name in str(err.value), str(err.value)
    assert err.value.name == name


def test_every_public_function_has_a_case():
    """Each public function and class of the modules checked here is called in this file."""
    import inspect

    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    records = ("PlaybookResult", "GroupPlaybook", "RakeResult", "Targets", "TargetsError",  # plain records, an error class
               "CFAResult", "PathResult", "BigAudit", "Banner", "PriceSensitivity", "GaborGranger", "KanoResult")
    for module in (scoring, segments, drivers, compare, reliability, playbook, plots, nulltest, significance, waves,
                   tables, ptables, tablespec, weighting, measurement, bigdata, pricing, kano, priorities,
                   price_value, price_moves):
        for name in module.__all__:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and name not in records:
                assert f"{name}(" in source, f"{module.__name__}.{name} has no argument case"


# -- the defaults still run ------------------------------------------------------------------

def test_valid_defaults_still_run(ctx):
    c = ctx
    scores = vk.ValueScorer(c["cb"]).fit_transform(c["data"])
    assert np.isfinite(scores["value_ratio"].dropna()).all()
    assert scoring.summarize_value(scores, by="channel", data=c["data"], weights="weight").index.size >= 2
    assert len(scoring.mean_scores(scores, by=c["labels"])) >= 3  # and "(missing)"
    assert segments.choose_k(scores, c["cb"], k_range=range(2, 4), random_state=0, n_init=1)["k"].tolist() == [2, 3]
    seg = segments.ValueSegmenter(c["cb"], n_segments=segments.MAX_SEGMENTS, random_state=0, n_init=1).fit(scores)
    assert seg.labels_.max() == segments.MAX_SEGMENTS - 1
    assert len(segments.bootstrap_stability(c["seg"], scores, n_boot=2, random_state=np.random.default_rng(0))) == 3
    assert len(segments.share_destroyed(scores, c["labels"], weights=c["data"]["weight"])) == 3
    assert len(drivers.key_drivers(MTCARS, "mpg", DRIVERS, n_boot=10, random_state=1)) == 4
    importance = dict.fromkeys(c["cb"].dimensions + c["cb"].sacrifices, 1.0) | {"functional": 2.0}
    assert len(compare.value_map(c["data"], c["cb"], by=c["labels"], importance=importance)) == 5  # all, 3, missing
    assert np.isfinite(reliability.cronbach_alpha(c["data"][["sac_time_1", "sac_time_2"]])["alpha"].iloc[0])
    assert len(significance.compare_groups(scores, "channel", data=c["data"], measures=["benefits"])) >= 2
    assert isinstance(playbook.recommend(c["evidence"]), pd.DataFrame)
    assert isinstance(playbook.to_investigate(c["evidence"].iloc[:0]), pd.DataFrame)
    assert plots.plot_value_ratio(scores.join(c["data"]["weight"]), weights="weight") is not None
    assert segments.stability_verdict(float("nan")) == "unknown"


def test_max_segments_is_exported_for_the_command_line():
    assert segments.MAX_SEGMENTS == 20 and "MAX_SEGMENTS" in segments.__all__


# -- the scorer on un-audited data -----------------------------------------------------------

@pytest.fixture
def small():
    cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1", "f2"]},
                             "sacrifices": {"money": ["m1"], "time": ["t1"]}})
    frame = pd.DataFrame({"f1": [5.0, 4, 3, 2, 4], "f2": [4.0, 4, 3, 1, 5], "m1": [2.0, 3, 1, 4, 2],
                          "t1": [1.0, 2, 3, 4, 5]}, index=pd.Index([11, 12, 13, 14, 15], name="row"))
    return cb, frame


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("column, values, shown", [
    ("m1", [0.0, 3, 1, 4, 2], "0"),                  # a sacrifice of 0 on a 1-5 scale: was an infinite ratio
    ("t1", [1.0, 99, 3, 99, 5], "99"),               # a missing code left in
    ("f1", [5.0, 4, 6, 2, 4], "6"),
    ("m1", [np.inf, 3, 1, 4, 2], "inf"),
    ("f2", [4.0, -np.inf, 3, 1, 5], "-inf"),
])
def test_the_scorer_refuses_answers_off_the_scale(small, column, values, shown):
    cb, frame = small
    scorer = vk.ValueScorer(cb).fit(frame)
    bad = frame.assign(**{column: values})
    with pytest.raises(SurveyError) as err:
        scorer.transform(bad)
    message = str(err.value)
    n_bad = int(np.sum(~np.isin(values, [1, 2, 3, 4, 5])))
    assert f"item column '{column}'" in message and shown in message and "scale 1-5" in message
    assert f"{n_bad} answer(s)" in message
    first_row = bad.index[~np.isin(values, [1, 2, 3, 4, 5])][0]
    assert f"first rows: {first_row}" in message
    assert "load_survey" in message and "audit" in message
    with pytest.raises(SurveyError):  # fit_transform too: no score can come out of such data
        vk.ValueScorer(cb).fit_transform(bad)


@pytest.mark.adversarial("error")
def test_the_refusal_names_every_bad_item_and_few_rows(small):
    cb, frame = small
    big = pd.concat([frame] * 4, ignore_index=True).assign(m1=0.0, t1=[1.0, 2.0, 7.0, 3.0, 4.0] * 4)
    with pytest.raises(SurveyError) as err:
        vk.ValueScorer(cb).fit(frame).transform(big)
    message = str(err.value)
    assert "'m1' has 20 answer(s)" in message and "'t1' has 4 answer(s)" in message
    assert "first rows: 0, 1, 2, 3, 4, ..." in message  # the first five, not all twenty


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("values, kind", [
    (["5", "4", "3", "2", "4"], "str"),
    ([True, False, True, True, False], "True/False"),
    (pd.Categorical([5, 4, 3, 2, 4]), "category"),
])
def test_the_scorer_refuses_columns_that_are_not_numbers(small, values, kind):
    cb, frame = small
    with pytest.raises(SurveyError, match=rf"item column 'f1' holds {kind} values, not numbers.*load_survey"):
        vk.ValueScorer(cb).fit(frame).transform(frame.assign(f1=values))


@pytest.mark.adversarial("result")
def test_a_column_nobody_answered_is_missing_not_text(small):
    cb, frame = small
    scores = vk.ValueScorer(cb).fit(frame).transform(frame.assign(t1=[None] * 5))  # object dtype, all None
    assert scores["time"].isna().all() and scores["value_ratio"].notna().all()  # money alone: half the blocks


@pytest.mark.adversarial("error")
def test_a_missing_column_is_named(small):
    cb, frame = small
    scorer = vk.ValueScorer(cb).fit(frame)
    with pytest.raises(SurveyError, match=r"item column\(s\) \['t1'\] not found in data"):
        scorer.transform(frame.drop(columns="t1"))
    with pytest.raises(SurveyError, match=r"\['m1'\] not found"):
        vk.ValueScorer(cb).fit(frame.drop(columns="m1"))


@pytest.mark.adversarial("error")
def test_stated_importance_off_the_scale_is_refused(small):
    cb, frame = small
    cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1", "f2"]},
                             "sacrifices": {"money": ["m1"], "time": ["t1"]},
                             "importance": {"functional": "i_f", "money": "i_m", "time": "i_t"}})
    frame = frame.assign(i_f=[5.0] * 5, i_m=[4.0] * 5, i_t=[3.0, 3, 3, 3, 9])
    with pytest.raises(SurveyError, match=r"'i_t' has 1 answer\(s\) outside its scale 1-5: value\(s\) 9"):
        vk.ValueScorer(cb, index_weights="stated").fit(frame)


@pytest.mark.adversarial("result")
def test_in_scale_data_never_gives_an_infinite_score(small):
    cb, frame = small
    extreme = pd.DataFrame({"f1": [1.0, 5, 1, 5], "f2": [1.0, 5, np.nan, 5], "m1": [5.0, 1, 1, 5],
                            "t1": [5.0, 1, 1, np.nan]})
    scores = vk.ValueScorer(cb).fit_transform(extreme)
    numeric = scores.select_dtypes("number").to_numpy()
    assert not np.isinf(numeric).any()
    assert scores["value_ratio"].min() == pytest.approx(1 / 5) and scores["value_ratio"].max() == pytest.approx(5)


@pytest.mark.adversarial("result")
def test_a_sacrifice_scale_starting_at_zero_counts_zero_as_the_bottom_of_the_common_scale():
    """0-10 ("no effort at all" = 0): the common scale starts at 1, so a sacrifice of 0 is 1 on
    it and the ratio is the benefits over 1, never infinite (documented in valuekit.measure.scoring)."""
    cb = Codebook.from_dict({"scale": {"min": 0, "max": 10}, "benefits": {"functional": ["f"]},
                             "sacrifices": {"money": ["m"]}})
    scores = vk.ValueScorer(cb).fit_transform(pd.DataFrame({"f": [10.0, 0, 5], "m": [0.0, 10, 0]}))
    assert scoring.common_scale(cb) == vk.Scale(1.0, 11.0)
    assert scores["sacrifices"].tolist() == [1.0, 11.0, 1.0]
    assert scores["value_ratio"].tolist() == pytest.approx([11.0, 1 / 11, 6.0])
    assert scores["verdict"].tolist() == ["created", "destroyed", "created"]
    # an item alone on 0-10 in a 1-5 codebook: its 0 is the codebook's 1
    mixed = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f"]},
                                "sacrifices": {"money": ["m"]}, "items": {"m": {"scale": {"min": 0, "max": 10}}}})
    scores = vk.ValueScorer(mixed).fit_transform(pd.DataFrame({"f": [5.0, 1], "m": [0.0, 10]}))
    assert scores["sacrifices"].tolist() == [1.0, 5.0] and scores["value_ratio"].tolist() == [5.0, 0.2]


@pytest.mark.adversarial("error")
def test_score_items_refuses_an_item_matrix_off_the_common_scale(small):
    cb, frame = small
    scorer = vk.ValueScorer(cb).fit(frame)
    M = scoring.item_matrix(frame, cb, list(scorer.feature_names_in_))
    assert np.isfinite(scorer.score_items(M)[3]).all()
    M[0, 2] = 0.0  # a sacrifice of 0 slipped past item_matrix
    with pytest.raises(ParameterError, match="M: answers off the common scale 1-5") as err:
        scorer.score_items(M)
    assert err.value.name == "M"


@pytest.mark.adversarial("error")
def test_construct_scores_refuses_answers_off_the_scale():
    cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f"]},
                             "constructs": {"trust": ["t1", "t2"]}})
    with pytest.raises(SurveyError, match=r"'t2' has 1 answer\(s\) outside its scale 1-5: value\(s\) 0"):
        scoring.construct_scores(pd.DataFrame({"f": [3.0], "t1": [4.0], "t2": [0.0]}), cb)


@pytest.mark.adversarial("result")
def test_the_audit_hands_the_scorer_what_it_accepts(tmp_path, small):
    """What the error points to works: the same answers through audit_survey score, with the
    off-scale cell set missing and listed."""
    cb, frame = small
    raw = frame.reset_index(drop=True).assign(m1=[0.0, 3, 1, 4, 2])
    survey = vk.audit_survey(raw, cb)
    cells = survey.audit.cells
    assert ((cells["column"] == "m1") & (cells["problem"] == "out_of_range")).sum() == 1
    scores = vk.ValueScorer(cb).fit_transform(survey.data)
    assert not np.isinf(scores.select_dtypes("number").to_numpy()).any()
