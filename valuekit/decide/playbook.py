"""The value-management playbook: from graded evidence to a lever, or to nothing.

The levers are those of seed 000 (DOMAIN.md): when the gap is known, a firm can

1. improve the **perception** of value through communication,
2. **unlock** value by helping customers access it,
3. **change the offer**,
4. **partner** to offer value it cannot deliver alone,
5. build **value networks**,
6. or look for **new customers** whose needs it can serve;

each draws on a source of value (seed 002): operational excellence, product leadership,
customer intimacy, or the marketing mix.

A manager acts on what this module says, so it says nothing the data do not support.
Every rule in :data:`RULES` has two parts: a *condition* on the point estimates (the
segment's gap, the driver's importance, the share destroyed; thresholds in
``valuekit/evidence.yaml``) and the *checks* its evidence must pass:

* ``segments``: the segments are more distinct than one population would give
  (:func:`valuekit.analyse.segments.segment_structure`); otherwise a "segment" is a slice of a
  continuum and no segment gets a recommendation;
* ``group_size``: the segment's effective size reaches ``min_group_n``;
* ``difference``: the segment differs from the rest significantly after adjustment across
  the comparison table, with an effect size (Hedges' g) at or above ``min_effect``;
* ``driver``: the block drives the outcome in a model whose overall test is significant
  (the F test, or the design-based Wald F when weighted, p < ``alpha``) with an adjusted R²
  of at least ``min_adj_r2`` and enough respondents per driver; its effect is
  distinguishable from zero (the standardised coefficient's interval, Bonferroni-adjusted
  across the model's drivers, excludes 0), in the expected direction (a benefit raises the
  outcome, a sacrifice lowers it) in at least ``min_sign_stability`` of bootstrap samples.
  The model is the segment's own; when it was fitted but fails its test the check fails
  with that reason, whatever the whole sample's model says. Only
  a segment too small for a model of its own is read from the pooled whole-sample model,
  and says so;
* ``destroyed``: the lower end of the interval of the share destroyed (Wilson's; Korn and
  Graubard's with unequal weights or a design) reaches the
  rule's threshold; ``below_mid``: the upper end of the segment's interval is at or below
  the scale's midpoint; ``competitor``: the paired difference from the competitor is
  significant after adjustment and at least ``min_effect`` (paired d).

:func:`recommend` keeps what passes every check, graded ``strong`` only when *every* piece
of evidence the rule relies on is strong, else ``moderate``:

* each test of the rule has p below ``strong_p`` and, where it has an effect size, one at
  or above ``strong_effect``: the difference from the rest (adjusted p, g), the gap to the
  competitor (adjusted p, paired d), the share destroyed above the rule's threshold
  (one-sided, dual to that interval's bound at ``1 - 2 strong_p``: the score test on the
  Kish n, or the exact tail on Korn and Graubard's effective size), the score below the
  midpoint (one-sided t on the Kish n, or on the linearized variance and the design's df);
* ``segments``: the structure test's p below ``strong_p`` (segments not tested: moderate);
* ``driver``: the segment's own model (the pooled one caps the grade at moderate) with R² at
  or above ``strong_r2``, and the lower end of the importance interval at or above the
  ``important`` bar (important across the bootstrap, not only at the point estimate);
  without bootstrap intervals, moderate.

The thresholds are in ``valuekit/evidence.yaml``; :func:`to_investigate` lists what met a
condition but failed a check (with the check that failed), and every driver whose effect
runs the wrong way (a benefit that lowers the outcome: usually a wording or coding
problem). :func:`analyse` runs the whole chain on a survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import columns_arg, covers_arg, expected_error, frame_arg, optional_frame, seed_arg, series_arg
from ..analyse.competitor import has_comparisons, paired_items
from ..analyse.drivers import adjust_model_tests, key_drivers, model_gate
from ..analyse.segments import (MAX_SEGMENTS, ValueSegmenter, segment_profiles, segment_structure, share_destroyed,
                                structure_arg, suggest_n_segments)
from ..analyse.significance import compare_groups, domain_means, unequal_weights
from ..errors import ParameterError
from ..evidence import DEFAULT_EVIDENCE, Evidence, settings_arg
from ..measure.model import weights_arg
from ..measure.scoring import ValueScorer, common_scale, group_masks
from ..survey.answers import kish_n, meets_base
from ..survey.audit import Survey, survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import lang_arg

__all__ = ["Rule", "RULES", "THRESHOLDS", "CHECKS", "build_evidence", "recommend", "to_investigate",
           "manager_summary", "analyse", "PlaybookResult", "group_playbook", "GroupPlaybook", "whole_sample_findings"]

#: The thresholds the rules' conditions use (defaults from ``valuekit/evidence.yaml``).
THRESHOLDS = {k: DEFAULT_EVIDENCE[k] for k in ("important", "perception_gap", "access_burden", "destroyed_share",
                                               "underperforms", "price_burden", "competitor_gap", "belonging_gap",
                                               "lost_segment")}


@dataclass(frozen=True)
class Rule:
    """One rule of the playbook: a condition on point estimates, and the checks its evidence must pass."""

    id: str
    lever: str
    source: str
    when: str
    applies: Callable[[pd.Series, dict], bool]
    checks: tuple[str, ...] = ()
    threshold: str | None = None  # the share-destroyed threshold the "destroyed" check uses

    def __post_init__(self):
        for name in ("id", "lever", "source", "when"):
            _check.text(name, getattr(self, name))
        if not callable(self.applies):
            raise expected_error("applies", "a function (evidence row, settings) -> bool", self.applies)
        if isinstance(self.checks, str) or not isinstance(self.checks, (tuple, list)) \
                or not all(isinstance(c, str) for c in self.checks):
            raise expected_error("checks", "a tuple of check names (keys of CHECKS)", self.checks)
        object.__setattr__(self, "checks", tuple(self.checks))
        if self.threshold is not None and self.threshold not in DEFAULT_EVIDENCE:
            raise ParameterError(f"threshold: {self.threshold!r} is not an evidence setting; expected one of "
                                 f"{sorted(DEFAULT_EVIDENCE)}", name="threshold")


def _important(e: pd.Series, s: dict) -> bool:
    return bool(np.isfinite(e["importance"]) and e["importance"] >= s["important"] * e["mean_importance"])


#: The rules, in the order of the levers in seed 000.
RULES = [
    Rule("perception", "improve the perception of value through communication",
         "marketing mix (promotion)",
         "an important benefit dimension that this segment rates well below the rest of the "
         "sample, although the offer is the same for everyone",
         lambda e, s: e["kind"] == "benefit" and _important(e, s) and e["effect"] <= s["perception_gap"],
         ("segments", "group_size", "difference", "driver")),
    Rule("unlock", "unlock value: help customers access it (save them time and effort)",
         "operational excellence (process, place)",
         "a time or energy sacrifice well above the rest of the sample in a segment where value is "
         "destroyed for many customers",
         lambda e, s: e["block"] in ("time", "energy") and e["effect"] >= s["access_burden"]
         and e["share_destroyed"] >= s["destroyed_share"],
         ("segments", "group_size", "difference", "destroyed"), "destroyed_share"),
    Rule("offer", "change the offer to meet needs",
         "product leadership (product)",
         "an important benefit dimension that the segment rates at or below the middle of the scale",
         lambda e, s: e["kind"] == "benefit" and _important(e, s) and e["score"] <= e["scale_mid"] + s["underperforms"],
         ("segments", "group_size", "driver", "below_mid")),
    Rule("offer_price", "change the offer: its price and what it includes",
         "marketing mix (price)",
         "the money sacrifice well above the rest of the sample, where money matters for the outcome",
         lambda e, s: e["block"] == "money" and _important(e, s) and e["effect"] >= s["price_burden"],
         ("segments", "group_size", "difference", "driver")),
    Rule("partner", "partner to offer the value the firm cannot deliver alone",
         "product leadership (alliances)",
         "an important benefit dimension on which the competitor is rated clearly better",
         lambda e, s: e["kind"] == "benefit" and _important(e, s) and e["vs_competitor"] <= s["competitor_gap"],
         ("segments", "group_size", "driver", "competitor")),
    Rule("networks", "build value networks: a community around the brand",
         "customer intimacy",
         "the symbolic dimension (belonging, status) rated well below the rest of the sample where it matters",
         lambda e, s: e["block"] == "symbolic" and _important(e, s) and e["effect"] <= s["belonging_gap"],
         ("segments", "group_size", "difference", "driver")),
    Rule("new_customers", "look for new customers whose value needs the firm can serve",
         "marketing mix (segmentation and targeting)",
         "value destroyed for most of the segment (judged once per segment, on its heaviest sacrifice)",
         lambda e, s: bool(e["heaviest_sacrifice"]) and e["share_destroyed"] >= s["lost_segment"],
         ("segments", "group_size", "destroyed"), "lost_segment"),
]


def _check_segments(e, s, rule):
    if e.get("defined", False):
        return None  # groups the survey defines need no structure test
    if not e["segments_distinct"]:
        return f"segments no more distinct than one population (p = {_check.p_text(e['structure_p'])})"


def _check_group_size(e, s, rule):
    if not meets_base(e["n_eff"], s["min_group_n"]):
        return f"segment too small: effective n {e['n_eff']:.0f} < {s['min_group_n']}"


def _check_difference(e, s, rule):
    if not np.isfinite(e["p_adj"]):
        return f"difference not tested ({e['comparison_note'] or 'no test'})"
    if e["p_adj"] >= s["alpha"]:
        return f"difference not significant after adjustment (p_adj = {_check.p_text(e['p_adj'])})"
    if abs(e["effect"]) < s["min_effect"]:
        return f"difference too small (|g| = {abs(e['effect']):.2f} < {s['min_effect']})"


def _check_driver(e, s, rule):
    if not np.isfinite(e["importance"]):
        return f"no usable driver model ({e['driver_note']})"
    if not e["driver_usable"]:
        return f"driver model not usable: {e['driver_note']}"
    if e["distinguishable"] is not True:
        return "driver effect not distinguishable from zero"
    if e["direction"] != e["expected_direction"]:
        return f"driver effect runs the unexpected way ({e['direction']})"
    if not e["sign_stability"] >= s["min_sign_stability"]:
        return f"driver direction unstable ({e['sign_stability']:.0%} of bootstrap samples)"


def _check_destroyed(e, s, rule):
    floor = s[rule.threshold]
    if not e["destroyed_ci_low"] >= floor:
        return (f"share destroyed {e['share_destroyed']:.0%} [{e['destroyed_ci_low']:.0%}, "
                f"{e['destroyed_ci_high']:.0%}] not clearly above {floor:.0%}")


def _check_below_mid(e, s, rule):
    if not e["score_ci_high"] <= e["scale_mid"] + s["underperforms"]:
        return f"score {e['score']:.2f} [{e['score_ci_low']:.2f}, {e['score_ci_high']:.2f}] not clearly at or below the midpoint"


def _check_competitor(e, s, rule):
    if not np.isfinite(e["competitor_p_adj"]):
        return "no competitor ratings to test"
    if e["competitor_p_adj"] >= s["alpha"] or abs(e["competitor_effect"]) < s["min_effect"]:
        return (f"gap to the competitor not established (p_adj = {_check.p_text(e['competitor_p_adj'])}, "
                f"d = {e['competitor_effect']:.2f})")


#: The checks a rule's evidence can be held to: name -> function(evidence row, settings, rule)
#: returning ``None`` when it passes, else the reason in words.
CHECKS = {"segments": _check_segments, "group_size": _check_group_size, "difference": _check_difference,
          "driver": _check_driver, "destroyed": _check_destroyed, "below_mid": _check_below_mid,
          "competitor": _check_competitor}


def _competitor_tests(data, codebook, segments, w, blocks, s, design: SurveyDesign | None):
    """Per segment and compared block: the paired difference ours - theirs (weighted), the
    ratio of the means, d (the mean difference over its weighted SD) and p: the paired t-test
    (``design`` None: equal weights), or under the design the linearized mean of the
    differences on the domain's degrees of freedom (R's ``svyttest(I(ours - theirs) ~ 0,
    subset(design, segment == k))``)."""
    if data is None or not has_comparisons(codebook):
        return {}
    pairs, ours, theirs = paired_items(data, codebook)
    item_blocks = [codebook.items[p[0]].block for p in pairs]
    out = {}
    seg = segments.reindex(data.index)
    compared = [(b, cols) for b in blocks if (cols := [j for j, ib in enumerate(item_blocks) if ib == b])]
    if not compared:
        return {}
    O = np.column_stack([_row_means(ours[:, cols]) for _, cols in compared])
    T = np.column_stack([_row_means(theirs[:, cols]) for _, cols in compared])
    for name in pd.unique(seg.dropna()):
        mask = (seg == name).fillna(False).to_numpy(dtype=bool)
        est = None if design is None else domain_means(np.where(mask[:, None], O - T, np.nan), w, [mask], design)
        for j, (block, _) in enumerate(compared):
            test = _paired_test(O[mask, j], T[mask, j], w[mask], est, j, s)
            if test is not None:
                out[(name, block)] = test
    return _adjusted_tests(out, s["adjust"])


def _adjusted_tests(out: dict, method: str) -> dict:
    """The ``(ratio, d, p)`` tests with their p adjusted together (``method``; NaN p untouched)."""
    tested = [k for k, v in out.items() if np.isfinite(v[2])]
    if tested and method != "none":
        from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

        adjusted = multipletests([out[k][2] for k in tested], method=method)[1]
        for k, p in zip(tested, adjusted):
            out[k] = (out[k][0], out[k][1], float(p))
    return out


def _row_means(a: np.ndarray) -> np.ndarray:
    """Each row's mean over its answered columns (NaN when none is answered)."""
    ok = np.isfinite(a)
    count = ok.sum(axis=1)
    return np.where(count > 0, np.where(ok, a, 0.0).sum(axis=1) / np.maximum(count, 1), np.nan)


def _paired_test(o, th, ww, est: dict | None, j: int, s: dict) -> tuple | None:
    """One segment's paired comparison on one block (:func:`_competitor_tests`): ``(ratio, d,
    p)``, NaN d and p when it cannot be tested, None with fewer than two respondents. ``est``:
    the design's :func:`~valuekit.analyse.significance.domain_means` of the differences (column
    ``j``), or None for the paired t-test on equal weights."""
    ok = np.isfinite(o) & np.isfinite(th) & (ww > 0)
    if ok.sum() < 2:
        return None
    d, ww = (o - th)[ok], ww[ok]
    mean = np.average(d, weights=ww)
    neff = kish_n(ww.sum(), (ww ** 2).sum())
    sd = np.sqrt(np.average((d - mean) ** 2, weights=ww) * neff / (neff - 1)) if neff > 1 else 0.0
    ratio = np.average(o[ok], weights=ww) / np.average(th[ok], weights=ww)
    # svyttest's one-sample df under a design: the domain's less one
    se, df = (sd / np.sqrt(neff), neff - 1) if est is None else (np.sqrt(est["var"][0, j]), est["df"][0, j] - 1)
    if sd > 0 and se > 0 and df >= 1 and neff >= s["min_group_n"]:
        return ratio, mean / sd, float(2 * stats.t.sf(abs(mean / se), df))
    return ratio, np.nan, np.nan


def _driver_model(drivers: pd.DataFrame, group, s: dict) -> tuple[pd.DataFrame | None, str, str, bool]:
    """The driver table a segment's rules read: ``(table, source, note, usable)``.

    The segment's own model when it was fitted: ``usable`` when it passes
    :func:`valuekit.analyse.drivers.model_gate` (its overall test significant, its adjusted
    R² at or above ``min_adj_r2``), else its importances are kept (a rule's condition can still be met) but ``note`` says why
    the model cannot carry a recommendation, and the rule goes to investigate. The pooled
    whole-sample model (``source`` "all") only when the segment is too small for its own
    model (fewer than ``min_n_per_driver`` complete respondents per driver, or no row of its
    own); ``note`` then says so, and such a recommendation is graded at most moderate.
    """
    def floor_of(rows):
        return s["min_n_per_driver"] * len(rows)

    def note_of(rows):
        return str(rows["note"].iloc[0]) if "note" in rows and isinstance(rows["note"].iloc[0], str) else ""

    own = drivers[drivers["group"] == group]
    n_own = int(own["n"].iloc[0]) if not own.empty and "n" in own and np.isfinite(own["n"].iloc[0]) else 0
    if not own.empty and ("n" not in own or n_own >= floor_of(own)):  # its own model was fitted (or tried)
        why_not = model_gate(own.iloc[0], s)
        if why_not:
            return own.set_index("driver"), "segment", f"the segment's own model: {why_not}", False
        return own.set_index("driver"), "segment", "", True
    why = (f"the segment is too small for its own model ({n_own} complete respondents, at least "
           f"{floor_of(own):.0f} needed)" if not own.empty else "no model of the segment's own")
    pooled = drivers[drivers["group"] == "all"]
    if pooled.empty:
        return None, "none", f"{why}; no whole-sample model", False
    note = note_of(pooled)
    if note:
        return None, "none", f"{why}; whole-sample model: {note}", False
    why_not = model_gate(pooled.iloc[0], s)
    if why_not:
        return pooled.set_index("driver"), "all", f"{why}; whole-sample model: {why_not}", False
    return pooled.set_index("driver"), "all", f"pooled whole-sample model: {why}", True


def _se_of(c, confidence: float) -> float:
    """The standard error of a segment's mean, from its own t interval in a compare_groups row."""

    if c is None or not np.isfinite(c["n_eff"]) or c["n_eff"] <= 1:
        return np.nan
    return float((c["group_ci_high"] - c["group_ci_low"]) / (2 * stats.t.ppf(0.5 + confidence / 2, c["n_eff"] - 1)))


@survey_first("codebook", "data", "weights", "design")
@share_docs
def build_evidence(scores: pd.DataFrame, segments: pd.Series, *, codebook: Codebook, drivers: pd.DataFrame,
                   comparisons: pd.DataFrame | None = None, structure: pd.Series | dict | None = None,
                   data: pd.DataFrame | None = None, weights=None, design: SurveyDesign | None = None,
                   settings: Evidence | dict | None = None, defined: bool = False) -> pd.DataFrame:
    """One row per segment and dimension or sacrifice, with everything the rules and checks read.

    Parameters
    ----------
    {scores}
    {segments}
        Customers without one get no segment's recommendation.
    {codebook}
    drivers : DataFrame
        :func:`valuekit.analyse.drivers.key_drivers` output, ideally ``by=segments`` with bootstrap
        intervals. Importance is read from the segment's own model whenever it was fitted;
        when that model does not pass :func:`valuekit.analyse.drivers.model_gate` (its overall
        test, adjusted R² at least ``min_adj_r2``) or was degenerate, ``driver_usable`` is
        False and ``driver_note`` says why: rules that need a driver go to
        :func:`to_investigate`. Only a segment too small for its own model (fewer than
        ``min_n_per_driver`` respondents per driver) reads the pooled whole-sample model
        (``driver_source`` "all", usable when it passes the same gate; ``driver_note`` says
        it was pooled and why; graded at most moderate).
    comparisons : DataFrame, optional
        :func:`valuekit.analyse.significance.compare_groups` table with the segments (the grouping
        named like ``segments``, or the only one); computed when not given.
    structure : Series or dict, optional
        :func:`valuekit.analyse.segments.segment_structure` result (``distinct``, ``p``). Without it
        the segments are taken as distinct (say so when presenting).
    data : DataFrame, optional
        Survey data for the paired comparison with the competitor within each segment.
    {weights}
    {design}
        With unequal weights or a design, the segment's share destroyed, its competitor
        tests and its mean's standard error are design-based (Taylor linearization; each
        respondent its own cluster when only weights are given), as the comparison table's.
    {settings}
        The rules' thresholds are among them.
    defined : bool, default False
        The groups are defined by the survey (a world view, a situation, a channel, or an
        analyst's grouping), not found by clustering: they need no structure test, so the
        ``segments`` check passes and does not cap the grade (``structure`` is ignored).

    Returns
    -------
    DataFrame
        ``grouping`` (the name of ``segments``, "segment" when it has none), ``defined``,
        ``segment`` (the group), ``block``, ``label``, ``kind``, ``n``, ``n_eff``, ``score`` (group mean),
        ``score_ci_low``, ``score_ci_high``, ``rest_score``, ``diff``, ``effect`` (Hedges' g
        against the rest; for sacrifices higher is a bigger burden), ``p_adj``,
        ``comparison_note``, ``scale_mid``, ``importance`` (unsigned % of R², NaN without a
        usable model), ``importance_ci_low``, ``importance_ci_high``, ``mean_importance``,
        ``direction``, ``expected_direction``, ``distinguishable``, ``sign_stability``,
        ``driver_r2``, ``driver_n``, ``driver_source`` ("segment", "all" for the pooled
        model, "none"), ``driver_note``, ``driver_usable``, ``score_se`` (of the segment mean:
        from its interval without a design, else linearized) and ``score_df`` (the degrees
        of freedom of its one-sample test: Kish's n less one, or the design's less one, as
        ``svyttest``), ``vs_competitor``
        (our mean over theirs), ``competitor_effect`` (paired d), ``competitor_p_adj``,
        ``share_destroyed`` with ``destroyed_ci_low``/``destroyed_ci_high`` (Wilson on Kish's
        n, or Korn-Graubard under a design: :func:`valuekit.analyse.segments.share_destroyed`),
        ``destroyed_n_eff`` (Kish's n), ``destroyed_interval`` ("wilson" or "korn-graubard")
        and ``destroyed_interval_n`` (the size that interval rests on),
        ``heaviest_sacrifice`` (the segment's sacrifice with the largest effect),
        ``segments_distinct`` and ``structure_p``.
    """

    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)
    codebook = codebook_arg("codebook", codebook)
    drivers = frame_arg("drivers", drivers, "a key_drivers table")
    columns_arg("drivers", ["group", "driver", "share", "r2"], {"drivers": drivers})
    comparisons = optional_frame("comparisons", comparisons, "a compare_groups table")
    if comparisons is not None:
        columns_arg("comparisons", ["grouping", "group", "measure", "n", "n_eff", "group_value", "group_ci_low",
                                     "group_ci_high", "rest_value", "diff", "effect", "p_adj", "note"],
                     {"comparisons": comparisons})
    structure = structure_arg(structure)
    data = optional_frame("data", data, "a DataFrame of survey data (Survey.data)")
    if data is not None and not data.index.equals(scores.index):
        data = covers_arg("data", data, scores.index).reindex(scores.index)  # the scored respondents' rows
    s = settings_arg(settings)
    w = weights_arg(weights, scores, data)
    design = design_arg(design, scores.index)
    blocks = codebook.dimensions + codebook.sacrifices
    columns_arg("scores", blocks + ["benefits", "sacrifices", "value_ratio", "verdict"], {"scores": scores})
    key = segments.name or "segment"
    if comparisons is None:
        comparisons = compare_groups(scores, {key: segments}, codebook=codebook, weights=w, design=design,
                                     measures=blocks + ["benefits", "sacrifices", "share_destroyed"], settings=s)
    elif comparisons["grouping"].nunique() > 1:
        comparisons = comparisons[comparisons["grouping"] == key]
    confidence = float(comparisons.attrs.get("confidence", 0.95))
    comp = comparisons.set_index(["group", "measure"])
    if design is None and unequal_weights(w):
        design = SurveyDesign(scores.index)
    destroyed = share_destroyed(scores, segments, weights=w, design=design)
    kind = "wilson" if design is None else "korn-graubard"
    destroyed = destroyed.set_index("segment")
    structure = structure if structure is not None and not defined else {"distinct": True, "p": np.nan}
    scale = common_scale(codebook)
    mid = (scale.min + scale.max) / 2
    data_design = None if design is None or data is None else design.aligned(data.index)
    versus = _competitor_tests(data, codebook, segments, w, blocks, s, data_design)
    spread = _mean_errors(scores, segments, w, blocks, design)
    rows = [{"grouping": key, "defined": bool(defined), **row} for name in destroyed.index
            for row in _segment_evidence(name, codebook, comp, drivers, destroyed.loc[name], versus, structure, mid,
                                         confidence, s)]
    for row in rows:
        row["destroyed_interval"] = kind
        if design is not None:
            row["score_se"], row["score_df"] = spread.get((row["segment"], row["block"]), (np.nan, np.nan))
    return pd.DataFrame(rows)


def _mean_errors(scores, segments, w, blocks, design: SurveyDesign | None) -> dict:
    """Under a design: each segment's block means' linearized standard errors and the degrees
    of freedom of their one-sample tests (the domain's less one, as ``svyttest``),
    ``{(segment, block): (se, df)}`` (empty without a design)."""
    if design is None:
        return {}
    masks = group_masks(scores.index, segments, include_all=False)
    est = domain_means(scores[blocks].to_numpy(float), w, [m for _, m in masks], design)
    return {(name, b): (float(np.sqrt(est["var"][g, j])), float(est["df"][g, j] - 1))
            for g, (name, _) in enumerate(masks) for j, b in enumerate(blocks)}


def _segment_evidence(name, codebook: Codebook, comp: pd.DataFrame, drivers: pd.DataFrame, destroyed: pd.Series,
                      versus: dict, structure: dict, mid: float, confidence: float, s: dict) -> list[dict]:
    """The rows of :func:`build_evidence` for one segment: one per dimension and sacrifice,
    from its comparison with the rest (``comp``), its driver model, its competitor tests
    (``versus``) and its share destroyed (``destroyed``, the segment's row)."""
    blocks = codebook.dimensions + codebook.sacrifices
    model, source, driver_note, usable = _driver_model(drivers, name, s)
    present = [b for b in blocks if model is not None and b in model.index]
    mean_imp = float(model.loc[present, "share"].mean()) if present else np.nan
    block_rows = []
    for b in blocks:
        c = comp.loc[(name, b)] if (name, b) in comp.index else None
        d = model.loc[b] if model is not None and b in model.index else None
        kind = "benefit" if b in codebook.dimensions else "sacrifice"
        ratio, c_eff, c_p = versus.get((name, b), (np.nan, np.nan, np.nan))
        row = {
            "segment": name, "block": b, "label": codebook.label(b), "kind": kind,
            **_comparison_fields(c, confidence), "scale_mid": mid,
            **_driver_fields(d), "mean_importance": mean_imp,
            "expected_direction": "positive" if kind == "benefit" else "negative",
            "driver_source": source, "driver_note": driver_note, "driver_usable": usable,
            "vs_competitor": ratio, "competitor_effect": c_eff, "competitor_p_adj": c_p,
            "share_destroyed": float(destroyed["share_destroyed"]),
            "destroyed_ci_low": float(destroyed["ci_low"]),
            "destroyed_ci_high": float(destroyed["ci_high"]),
            "destroyed_n_eff": float(destroyed["n_effective"]),
            "destroyed_interval": "", "destroyed_interval_n": float(destroyed["interval_n"]),
            "segments_distinct": structure["distinct"],
            "structure_p": structure["p"],
        }
        block_rows.append({key: row[key] for key in _EVIDENCE_COLUMNS})  # in the table's order
    sac = {r["block"]: r["effect"] for r in block_rows if r["kind"] == "sacrifice" and np.isfinite(r["effect"])}
    heaviest = max(sac, key=sac.get) if sac else None
    for r in block_rows:
        r["heaviest_sacrifice"] = r["block"] == heaviest
    return block_rows


#: The columns of one evidence row, in the order of :func:`build_evidence`'s table.
_EVIDENCE_COLUMNS = ("segment", "block", "label", "kind", "n", "n_eff", "score", "score_ci_low", "score_ci_high",
                     "score_se", "score_df", "rest_score", "diff", "effect", "p_adj", "comparison_note", "scale_mid",
                     "importance", "importance_ci_low", "importance_ci_high", "mean_importance", "direction",
                     "expected_direction", "distinguishable", "sign_stability", "driver_r2", "driver_n",
                     "driver_source", "driver_note", "driver_usable", "vs_competitor", "competitor_effect",
                     "competitor_p_adj", "share_destroyed", "destroyed_ci_low", "destroyed_ci_high",
                     "destroyed_n_eff", "destroyed_interval", "destroyed_interval_n", "segments_distinct",
                     "structure_p")


def _comparison_fields(c: pd.Series | None, confidence: float) -> dict:
    """A block's comparison of the segment with the rest (``c``, a compare_groups row, or None
    when it was not compared), as evidence columns."""
    if c is None:
        return {"n": 0, "n_eff": 0.0, "score": np.nan, "score_ci_low": np.nan, "score_ci_high": np.nan,
                "score_se": _se_of(None, confidence), "score_df": np.nan, "rest_score": np.nan, "diff": np.nan, "effect": np.nan,
                "p_adj": np.nan, "comparison_note": "not compared"}
    return {"n": int(c["n"]), "n_eff": float(c["n_eff"]), "score": float(c["group_value"]),
            "score_ci_low": float(c["group_ci_low"]), "score_ci_high": float(c["group_ci_high"]),
            "score_se": _se_of(c, confidence), "score_df": float(c["n_eff"]) - 1, "rest_score": float(c["rest_value"]), "diff": float(c["diff"]),
            "effect": float(c["effect"]), "p_adj": float(c["p_adj"]), "comparison_note": str(c["note"])}


def _driver_fields(d: pd.Series | None) -> dict:
    """A block's row of the segment's driver model (or None without one), as evidence columns."""
    if d is None:
        return {"importance": np.nan, "importance_ci_low": np.nan, "importance_ci_high": np.nan, "direction": "",
                "distinguishable": None, "sign_stability": np.nan, "driver_r2": np.nan, "driver_n": 0}
    dist = d.get("distinguishable", pd.NA)
    return {"importance": float(d["share"]), "importance_ci_low": float(d.get("ci_low", np.nan)),
            "importance_ci_high": float(d.get("ci_high", np.nan)), "direction": str(d.get("direction", "")),
            "distinguishable": bool(dist) if not pd.isna(dist) else None,
            "sign_stability": float(d.get("sign_stability", np.nan)), "driver_r2": float(d["r2"]),
            "driver_n": int(d["n"])}


def _p_destroyed(e, s, rule) -> float:
    """One-sided p that the segment's share destroyed exceeds the rule's threshold, dual to
    the lower bound the ``destroyed`` check reads: the score test on Kish's n for Wilson's
    interval; under a design, the exact (beta) tail on Korn and Graubard's effective size."""

    floor, p = s[rule.threshold], e["share_destroyed"]
    if e.get("destroyed_interval", "wilson") == "korn-graubard":
        n = e["destroyed_interval_n"]
        if not (np.isfinite(p) and n > 0):
            return np.nan
        return float(stats.beta.cdf(floor, n * p, n * (1 - p) + 1)) if p > 0 else 1.0
    n = e["destroyed_n_eff"]
    if not (np.isfinite(p) and n > 0):
        return np.nan
    return float(stats.norm.sf((p - floor) / np.sqrt(floor * (1 - floor) / n)))


def _p_below_mid(e, s, rule) -> float:
    """One-sided t p that the segment's mean is below the midpoint (+ ``underperforms``)."""

    df = e.get("score_df", e["n_eff"] - 1)
    if not (e["score_se"] > 0 and df >= 1):
        return np.nan
    return float(stats.t.sf((e["scale_mid"] + s["underperforms"] - e["score"]) / e["score_se"], df))


def _rule_tests(e, rule, s) -> list[tuple[float, float]]:
    """``(p, |effect|)`` of each test the rule's evidence rests on (effect NaN where it has none):
    the difference from the rest, the gap to the competitor, the share destroyed above the
    rule's threshold, the score below the midpoint."""
    tests = []
    if "difference" in rule.checks:
        tests.append((e["p_adj"], abs(e["effect"])))
    if "competitor" in rule.checks:
        tests.append((e["competitor_p_adj"], abs(e["competitor_effect"])))
    if "destroyed" in rule.checks:
        tests.append((_p_destroyed(e, s, rule), np.nan))
    if "below_mid" in rule.checks:
        tests.append((_p_below_mid(e, s, rule), np.nan))
    return tests


def _evidence_p(e, rule, s) -> float:
    """The weakest (largest) p among the rule's own tests; NaN when it has none."""
    ps = [p for p, _ in _rule_tests(e, rule, s)]
    return float(max(ps)) if ps else np.nan


def _strong(e: pd.Series, rule: Rule, s: dict) -> bool:
    """Strong only when every piece of evidence the rule relies on is strong (module docstring)."""
    for p, effect in _rule_tests(e, rule, s):
        if not p < s["strong_p"] or (np.isfinite(effect) and effect < s["strong_effect"]):
            return False
    if "segments" in rule.checks and not e.get("defined", False) and not e["structure_p"] < s["strong_p"]:
        return False  # unknown structure (not tested) is not strong evidence
    if "driver" in rule.checks:
        if e["driver_source"] != "segment" or not e["driver_r2"] >= s["strong_r2"]:
            return False  # the pooled model, or a model explaining little, caps the grade
        if not e["importance_ci_low"] >= s["important"] * e["mean_importance"]:
            return False  # important only at the point estimate, not across the bootstrap
    return True


def _evidence_text(e: pd.Series, rule: Rule, s: dict) -> str:
    parts = [f"n = {e['n']} (effective {e['n_eff']:.0f})"]
    if "difference" in rule.checks or "below_mid" in rule.checks:
        parts.append(f"mean {e['score']:.2f} [{e['score_ci_low']:.2f}, {e['score_ci_high']:.2f}] vs rest "
                     f"{e['rest_score']:.2f}, g = {e['effect']:+.2f}, p_adj {_check.p_text(e['p_adj'])}")
    if "below_mid" in rule.checks:
        parts.append(f"at or below the midpoint {e['scale_mid'] + s['underperforms']:.2f}: one-sided "
                     f"p {_check.p_text(_p_below_mid(e, s, rule))}")
    if "driver" in rule.checks:
        own = "group" if e.get("defined", False) else "segment"
        model = (f"{own} model, R² {e['driver_r2']:.2f}, n {e['driver_n']}" if e["driver_source"] == "segment"
                 else f"{e['driver_note']}; R² {e['driver_r2']:.2f}, n {e['driver_n']}"
                 if e["driver_source"] == "all" else f"no model: {e['driver_note']}")
        if e["driver_source"] == "segment" and e["driver_note"]:
            model += f"; {e['driver_note']}"
        parts.append(f"{e['importance']:.0f}% of R² [{e['importance_ci_low']:.0f}, {e['importance_ci_high']:.0f}] "
                     f"({model}), {e['direction']} in {e['sign_stability']:.0%} of bootstrap samples")
    if "destroyed" in rule.checks:
        parts.append(f"value destroyed for {e['share_destroyed']:.0%} [{e['destroyed_ci_low']:.0%}, "
                     f"{e['destroyed_ci_high']:.0%}] (above {s[rule.threshold]:.0%}: one-sided "
                     f"p {_check.p_text(_p_destroyed(e, s, rule))})")
    if "competitor" in rule.checks:
        parts.append(f"ours / competitor {e['vs_competitor']:.2f}, d = {e['competitor_effect']:+.2f}, "
                     f"p_adj {_check.p_text(e['competitor_p_adj'])}")
    if "segments" in rule.checks and e.get("defined", False):
        parts.append(f"a group the survey defines ({str(e['grouping']).replace('_', ' ')})")
    elif "segments" in rule.checks:
        parts.append(f"segments distinct: p {_check.p_text(e['structure_p'])}" if np.isfinite(e["structure_p"])
                     else "segments not tested for distinctness")
    return "; ".join(parts)


_COLUMNS = ["grouping", "segment", "block", "label", "rule", "lever", "source", "why", "grade", "evidence", "evidence_p", "n",
            "n_eff", "score", "rest_score", "effect", "p_adj", "importance", "importance_ci_low", "importance_ci_high",
            "driver_r2", "driver_n", "driver_source", "sign_stability", "vs_competitor", "competitor_p_adj", "share_destroyed",
            "destroyed_ci_low", "destroyed_ci_high"]


#: The columns of :func:`build_evidence` the rules, checks and texts read.
_EVIDENCE = ["segment", "block", "label", "kind", "n", "n_eff", "score", "score_ci_low", "score_ci_high",
             "rest_score", "effect", "p_adj", "comparison_note", "scale_mid", "importance", "importance_ci_low",
             "importance_ci_high", "mean_importance", "direction", "expected_direction", "distinguishable",
             "sign_stability", "driver_r2", "driver_n", "driver_source", "driver_note", "driver_usable",
             "vs_competitor", "competitor_effect", "competitor_p_adj", "share_destroyed", "destroyed_ci_low",
             "destroyed_ci_high", "destroyed_n_eff", "score_se", "heaviest_sacrifice", "segments_distinct",
             "structure_p"]


def _rules_arg(rules, s: dict) -> list[Rule]:
    if rules is None:
        return RULES
    if isinstance(rules, (str, dict)) or not hasattr(rules, "__iter__"):
        raise expected_error("rules", "None or a list of Rule", rules)
    rules = list(rules)
    for i, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise expected_error(f"rules[{i}]", "a Rule", rule)  # named "rules"
        unknown = [c for c in rule.checks if c not in CHECKS]
        if unknown:
            raise ParameterError(f"rules[{i}] ('{rule.id}'): unknown check(s) {unknown}; expected some of "
                                 f"{list(CHECKS)}", name="rules")
        if "destroyed" in rule.checks and rule.threshold not in s:
            raise ParameterError(f"rules[{i}] ('{rule.id}'): the 'destroyed' check needs a threshold (an evidence "
                                 f"setting such as 'destroyed_share'), got {rule.threshold!r}", name="rules")
    return rules


def _apply(evidence: pd.DataFrame, rules, settings):
    """The checked arguments of recommend and to_investigate, and the rules applied to the evidence."""
    evidence = frame_arg("evidence", evidence, "a build_evidence table")
    s = settings_arg(settings)
    rules = _rules_arg(rules, s)
    if len(evidence):
        columns_arg("evidence", _EVIDENCE, {"evidence": evidence})
    passed, failed = [], []
    for _, e in evidence.iterrows():
        for order, rule in enumerate(rules):
            if not rule.applies(e, s):
                continue
            reasons = [r for r in (CHECKS[c](e, s, rule) for c in rule.checks) if r]
            row = {"grouping": e.get("grouping", "segment"), "segment": e["segment"], "block": e["block"],
                   "label": e["label"], "rule": rule.id,
                   "lever": rule.lever, "source": rule.source, "why": rule.when, "_order": order,
                   **{c: e[c] for c in _COLUMNS if c in e.index and c not in ("grouping", "segment", "block",
                                                                                 "label")}}
            row["evidence"] = _evidence_text(e, rule, s)
            row["evidence_p"] = _evidence_p(e, rule, s)
            if reasons:
                row["why_not"] = "; ".join(reasons)
                failed.append(row)
            else:
                row["grade"] = "strong" if _strong(e, rule, s) else "moderate"
                passed.append(row)
    return passed, failed


@share_docs
def recommend(evidence: pd.DataFrame, *, rules: list[Rule] | None = None, settings: Evidence | dict | None = None) -> pd.DataFrame:
    """The recommendations whose evidence passes every check, graded.

    Returns one row per recommendation: ``grouping`` (the grouping it comes from: "segment", or
    a context or analyst grouping), ``segment`` (the group), ``block``, ``label``, ``rule``,
    ``lever``, ``source`` (of value), ``why`` (the condition in words), ``grade`` (strong /
    moderate; see the module docstring), ``evidence`` (the numbers in words: n, interval,
    adjusted p, effect size, R², the driver model used and why), ``evidence_p`` (the weakest
    p among the rule's own tests: difference, competitor, share destroyed, below the
    midpoint; NaN for a rule with none) and the evidence columns. Ordered by segment, strong before moderate, then by the rules'
    order. Empty (with these columns) when nothing passes: the playbook then says nothing.

    Parameters
    ----------
    evidence : DataFrame
        :func:`build_evidence` output.
    rules : list of Rule, optional
        The rules to apply; None: the playbook's :data:`RULES`.
    {settings}
    """
    passed, _ = _apply(evidence, rules, settings)
    if not passed:
        return pd.DataFrame(columns=_COLUMNS)
    out = pd.DataFrame(passed)
    out["_g"] = (out["grade"] != "strong").astype(int)
    out["_k"] = pd.factorize(out["grouping"])[0]
    out = out.sort_values(["_k", "segment", "_g", "_order"], kind="stable")
    return out[_COLUMNS].reset_index(drop=True)


def to_investigate(evidence: pd.DataFrame, *, rules: list[Rule] | None = None,
                   settings: Evidence | dict | None = None) -> pd.DataFrame:
    """What met a rule's condition but not its evidence bar, and drivers that run the wrong way.

    Returns ``grouping``, ``segment``, ``block``, ``label``, ``rule`` (or ``"anomaly"``), ``lever``,
    ``why_not`` (the checks that failed, in words) and ``evidence``. An anomaly is a
    benefit whose effect on the outcome is negative (or a sacrifice whose effect is
    positive), distinguishable from zero: not an "important benefit" but a question for the
    questionnaire (wording, reverse coding) or the data.
    """
    _, failed = _apply(evidence, rules, settings)
    columns = ["grouping", "segment", "block", "label", "rule", "lever", "why_not", "evidence"]
    if not len(evidence):
        return pd.DataFrame(columns=columns)
    rows = [{k: r.get(k, "") for k in columns} for r in failed]
    # running the wrong way: only in a model that passes its own test, and only when the driver's
    # multiplicity-adjusted interval excludes zero (noise in a null model runs every way)
    odd = evidence[(evidence["distinguishable"] == True) & (evidence["direction"] != "")  # noqa: E712
                   & (evidence["driver_usable"] == True)  # noqa: E712
                   & (evidence["direction"] != evidence["expected_direction"])]
    grouping = odd["grouping"].astype(str) if "grouping" in odd else pd.Series("segment", index=odd.index)
    odd = odd.assign(_who=np.where(odd["driver_source"] == "segment", grouping + ": " + odd["segment"].astype(str),
                                   "all"))
    for _, e in odd.drop_duplicates(["_who", "block"]).iterrows():
        rows.append({"grouping": e.get("grouping", "segment"),
                     "segment": e["segment"] if e["driver_source"] == "segment" else "all", "block": e["block"],
                     "label": e["label"], "rule": "anomaly", "lever": "check the question and its coding",
                     "why_not": f"a {e['kind']} with a {e['direction']} effect on the outcome "
                                f"({e['importance']:.0f}% of R², {e['sign_stability']:.0%} of bootstrap samples)",
                     "evidence": f"{e['driver_source']} model, R² {e['driver_r2']:.2f}, n {e['driver_n']}"})
    return pd.DataFrame(rows, columns=columns)


def manager_summary(recommendations: pd.DataFrame, profiles: pd.DataFrame, *, overall: pd.Series,
                    outcome_label: str, value_map: pd.DataFrame | None = None, competitor: str | None = None,
                    structure: pd.Series | dict | None = None, investigate: pd.DataFrame | None = None,
                    drivers_note: str = "", max_per_segment: int = 4,
                    group_recommendations: pd.DataFrame | None = None) -> str:
    """A one-page plain-text summary: the situation, the strongest evidence first, each segment.

    Parameters
    ----------
    recommendations : DataFrame
        :func:`recommend` output. The "strongest evidence" line is the recommendation with
        the best grade, then the smallest ``evidence_p`` (the weakest p among that rule's own
        tests: the competitor test for ``partner``, the share destroyed for
        ``new_customers``, ...).
    profiles : DataFrame
        :func:`valuekit.analyse.segments.segment_profiles` output (``name``, ``n``, ``share``,
        ``share_destroyed``).
    overall : Series
        The ``all`` row of :func:`valuekit.measure.scoring.summarize_value`.
    outcome_label : str
        The outcome the drivers explain (for the wording).
    value_map : DataFrame, optional
        :func:`valuekit.analyse.competitor.value_map` output.
    competitor : str, optional
        The competitor's name (``codebook.competitor``), for the value-map line.
    structure : Series or dict, optional
        :func:`valuekit.analyse.segments.segment_structure` result: when the segments are not
        distinct, the summary says so first.
    investigate : DataFrame, optional
        :func:`to_investigate` output (counted, with the anomalies named).
    drivers_note : str, optional
        One line on the driver model (e.g. its R² and n).
    max_per_segment : int, default 4
        Recommendations listed per segment; the rest are counted.
    group_recommendations : DataFrame, optional
        :func:`recommend` output on the groups the survey defines
        (``PlaybookResult.group_recommendations``): listed by grouping and group after the
        segments, each naming its grouping. A rule that fires in every group of a grouping
        is said once, as a whole-sample finding rather than a group's. The strongest
        evidence is chosen among both tables.
    """
    recommendations, profiles, outcome_label, value_map, structure, investigate = _summary_args(
        recommendations, profiles, overall, outcome_label, value_map, competitor, structure, investigate)
    drivers_note = _check.text("drivers_note", drivers_note, allow_empty=True)
    max_per_segment = _check.integer("max_per_segment", max_per_segment, min=1)
    lines = ["VALUE MANAGEMENT SUMMARY", ""]
    lines.append(f"Value is created for {overall['share_created']:.0%} of scored customers, neutral for "
                 f"{overall['share_neutral']:.0%} and destroyed for {overall['share_destroyed']:.0%} "
                 f"(their sacrifices outweigh their benefits; n = {int(overall['n_scored'])}).")
    if value_map is not None and "all" in value_map.index:
        vm = value_map.loc["all"]
        lines.append(f"Against {competitor or 'the competitor'}: relative benefits {vm['relative_benefits']:.2f}, "
                     f"relative sacrifices {vm['relative_sacrifices']:.2f}, so {vm['position']} "
                     f"(advantage {vm['value_advantage']:+.2f}).")
    if drivers_note:
        lines.append(f"Drivers of {outcome_label.lower()}: {drivers_note}.")
    if structure is not None and not structure["distinct"]:
        lines.append("The segments are no more distinct than slices of one population would be "
                     f"(p = {_check.p_text(structure['p'])}): no segment-level action is supported.")
    lines.append("")
    groups = group_recommendations if group_recommendations is not None else recommendations.iloc[:0]
    if len(groups):  # a whole-sample finding is no group's evidence
        groups = groups[~whole_sample_findings(groups)]
    every = pd.concat([recommendations.assign(_defined=False), groups.assign(_defined=True)], ignore_index=True)
    if every.empty:
        lines.append("No recommendation passes the evidence bar: the data do not single out an action. "
                     + ("Keep monitoring; see the list to investigate." if investigate is not None and len(investigate)
                        else "Keep monitoring."))
    else:
        lines.append(_strongest_line(every, profiles))
    lines.append("")
    for seg, p in profiles.drop(index="unassigned", errors="ignore").iterrows():
        recs = recommendations[recommendations["segment"] == seg]
        lines.append(f"Segment {seg}, {p['name']} (n = {int(p['n'])}, {p['share']:.0%} of customers; value "
                     f"destroyed for {p['share_destroyed']:.0%}):")
        if recs.empty:
            lines.append("  - no evidence strong enough for a recommendation.")
        for _, r in recs.head(max_per_segment).iterrows():
            lines.append(f"  - [{r['grade']}] {r['lever'][0].upper() + r['lever'][1:]} ({r['label'].lower()}; "
                         f"source: {r['source']}).")
        if len(recs) > max_per_segment:
            lines.append(f"  - and {len(recs) - max_per_segment} more in the table.")
    if group_recommendations is not None:
        lines += _group_lines(group_recommendations, max_per_segment)
    if investigate is not None and len(investigate):
        anomalies = investigate[investigate["rule"] == "anomaly"]
        lines.append("")
        lines.append(f"To investigate (not recommendations): {len(investigate) - len(anomalies)} signal(s) below the "
                     "evidence bar" + (f"; {len(anomalies)} driver(s) running the wrong way: "
                                       + ", ".join(sorted(set(anomalies["label"]))) if len(anomalies) else "") + ".")
    return "\n".join(lines)


def _strongest_line(every: pd.DataFrame, profiles: pd.DataFrame) -> str:
    """The summary's "Strongest evidence" line: by the rule's own evidence, its grade, then the
    weakest p among its own tests (the competitor test for partner, the share destroyed for
    new customers, ...); a group the survey defines is named by its grouping."""
    order = every.assign(_g=every["grade"].map({"strong": 0, "moderate": 1}).fillna(2),
                         _p=pd.to_numeric(every["evidence_p"], errors="coerce"))
    strongest = order.sort_values(["_g", "_p"], kind="stable", na_position="last").iloc[0]
    who = (f"{str(strongest['grouping']).replace('_', ' ')} = {strongest['segment']}" if strongest["_defined"]
           else f"segment {strongest['segment']} ({profiles['name'].get(strongest['segment'], '')})")
    return (f"Strongest evidence: {who}: {strongest['lever']} ({strongest['label'].lower()}), "
            f"{strongest['grade']}: {strongest['evidence']}.")


def whole_sample_findings(recs: pd.DataFrame) -> np.ndarray:
    """Which recommendations on the groups the survey defines fire in every group of their
    grouping: a whole-sample finding rather than a group's (the same rule on the same block
    for each of the grouping's groups that has any recommendation, when there are at least
    two).

    Parameters
    ----------
    recs : DataFrame
        :func:`recommend` output with ``grouping`` (``PlaybookResult.group_recommendations``).

    Returns
    -------
    ndarray of bool
        One per row of ``recs``.
    """
    recs = frame_arg("recs", recs, "a recommend() table")
    out = np.zeros(len(recs), bool)
    for _, table in recs.groupby("grouping", sort=False):
        n = table["segment"].nunique()
        if n < 2:
            continue
        count = table.groupby(["block", "rule"])["segment"].transform("nunique")
        out[recs.index.get_indexer(table.index)] = (count == n).to_numpy()
    return out


def _group_lines(recs: pd.DataFrame, most: int) -> list[str]:
    """The summary's lines on the groups the survey defines: by grouping and group, with a rule
    that fires in every group of its grouping said once, as a whole-sample finding."""
    recs = frame_arg("group_recommendations", recs, "a recommend() table").reset_index(drop=True)
    lines = ["", "Groups the survey defines (the same rules and evidence):"]
    if recs.empty:
        return lines + ["  - no group carries a recommendation."]
    everywhere = whole_sample_findings(recs)
    for grouping, table in recs.groupby("grouping", sort=False):
        name = str(grouping).replace("_", " ")
        whole = table[everywhere[table.index]]
        if len(whole):
            said = sorted({f"{r['lever']} ({r['label'].lower()})" for _, r in whole.iterrows()})
            lines.append(f"  {name}: in every group, so a whole-sample finding rather than a group's: "
                         f"{'; '.join(said)}.")
        own = table[~everywhere[table.index]]
        for group, rows in own.groupby("segment", sort=False):
            lines.append(f"  {name} = {group}:")
            for _, r in rows.head(most).iterrows():
                lines.append(f"  - [{r['grade']}] {r['lever'][0].upper() + r['lever'][1:]} ({r['label'].lower()}; "
                             f"source: {r['source']}).")
            if len(rows) > most:
                lines.append(f"  - and {len(rows) - most} more in the table.")
    return lines


def _summary_args(recommendations, profiles, overall, outcome_label, value_map, competitor, structure,
                  investigate) -> tuple:
    """:func:`manager_summary`'s tables and texts, checked; each refusal names the argument."""
    recommendations = frame_arg("recommendations", recommendations, "a recommend() table")
    if len(recommendations):
        columns_arg("recommendations", ["segment", "grade", "evidence_p", "label", "lever", "evidence", "source"],
                    {"recommendations": recommendations})
    profiles = frame_arg("profiles", profiles, "a segment_profiles table")
    columns_arg("profiles", ["name", "n", "share", "share_destroyed"], {"profiles": profiles})
    if not isinstance(overall, (pd.Series, dict)):
        raise expected_error("overall", "the 'all' row of summarize_value (a Series)", overall)
    missing = [k for k in ("share_created", "share_neutral", "share_destroyed", "n_scored") if k not in overall]
    if missing:
        raise ParameterError(f"overall: {missing} not found; expected the 'all' row of summarize_value",
                             name="overall")
    outcome_label = _check.text("outcome_label", outcome_label)
    value_map = optional_frame("value_map", value_map, "a value_map table")
    if competitor is not None:
        _check.text("competitor", competitor)
    structure = structure_arg(structure)
    investigate = optional_frame("investigate", investigate, "a to_investigate table")
    if investigate is not None and len(investigate):
        columns_arg("investigate", ["rule", "label"], {"investigate": investigate})
    return recommendations, profiles, outcome_label, value_map, structure, investigate


@dataclass
class PlaybookResult:
    """Everything :func:`analyse` computed, for display or further checks."""

    scores: pd.DataFrame
    segments: pd.Series
    structure: pd.Series
    profiles: pd.DataFrame
    comparisons: pd.DataFrame
    drivers: pd.DataFrame | None
    evidence: pd.DataFrame
    recommendations: pd.DataFrame
    investigate: pd.DataFrame
    outcome: str | None = None
    settings: Evidence = DEFAULT_EVIDENCE
    #: The same rules on the groups the survey defines (context columns, analyst groupings):
    #: their comparisons (one table, adjusted across it), driver models by grouping, evidence,
    #: recommendations and what to investigate; each row names its ``grouping``.
    group_comparisons: pd.DataFrame | None = None
    group_drivers: dict | None = None
    group_evidence: pd.DataFrame | None = None
    group_recommendations: pd.DataFrame | None = None
    group_investigate: pd.DataFrame | None = None


def _groupings_arg(groups, survey, scores: pd.DataFrame) -> dict[str, pd.Series]:
    """The groupings the playbook also runs on: ``groups`` (names of columns of the data, or
    a dict of name to column name or Series), default every context column of the codebook."""
    cb = survey.codebook
    if groups is None:
        groups = list(cb.context_columns)
    if isinstance(groups, (str, pd.Series)) or not isinstance(groups, (list, tuple, dict)):
        raise expected_error("groups", "None, a list of column names, or a dict of name: column name or Series",
                             groups)
    items = groups.items() if isinstance(groups, dict) else ((g, g) for g in groups)
    out = {}
    for name, value in items:
        if not isinstance(name, str) or not name:
            raise expected_error("groups", "groupings named by text", name)
        if isinstance(value, str):
            if value not in survey.data.columns:
                raise ParameterError(f"groups: '{value}' is not a column of the survey; columns: "
                                     f"{list(survey.data.columns)[:20]}", name="groups")
            value = survey.data[value]
        out[name] = series_arg("groups", value, scores.index).rename(name)
    return out


@dataclass
class GroupPlaybook:
    """What :func:`group_playbook` computed; every row names its ``grouping``.

    Attributes
    ----------
    comparisons : DataFrame
        :func:`~valuekit.analyse.significance.compare_groups` over every grouping at once
        (adjusted across the table).
    drivers : dict
        Grouping name to its :func:`~valuekit.analyse.drivers.key_drivers` table (``by`` the
        grouping), with ``model_p_adj``; empty without an outcome.
    evidence : DataFrame
        :func:`build_evidence` rows of every grouping (``defined`` True).
    recommendations : DataFrame
        :func:`recommend` on that evidence.
    investigate : DataFrame
        :func:`to_investigate` on that evidence.
    """

    comparisons: pd.DataFrame
    drivers: dict
    evidence: pd.DataFrame
    recommendations: pd.DataFrame
    investigate: pd.DataFrame


@share_docs
def group_playbook(survey, groups=None, *, scores: pd.DataFrame | None = None, outcome: str | None = None,
                   method: str = "johnson", n_boot: int = 200, random_state=None,
                   settings: Evidence | dict | None = None, lang: str = "en",
                   drivers: dict | None = None) -> GroupPlaybook:
    """The playbook's rules on the groups the survey defines, with the same evidence as segments.

    Every group of every grouping (a context column such as a world view, a purchase
    situation or a channel, or an analyst's grouping) against the rest of the sample, in
    one comparison table adjusted across it
    (:func:`~valuekit.analyse.significance.compare_groups`, with the survey's weights and
    design); each grouping's driver models (:func:`~valuekit.analyse.drivers.key_drivers`,
    ``by`` the grouping), their overall tests adjusted across every model
    (:func:`~valuekit.analyse.drivers.adjust_model_tests`, with the settings' ``adjust``);
    then :func:`build_evidence` (``defined=True``: no structure test), :func:`recommend` and
    :func:`to_investigate`.

    Parameters
    ----------
    survey : Survey
        :func:`valuekit.load_survey` output.
    groups : list or dict, optional
        Column names of the data, or a dict of name to column name or Series on the kept
        respondents; default every context column of the codebook.
    {scores}
        Computed (``ValueScorer(codebook).fit_transform(survey.data)``) when not given.
    outcome : str, optional
        An outcome of the codebook; default ``overall_value`` when present, else the first.
    method : {"johnson", "shapley"}
        Of the driver analysis.
    n_boot : int, default 200
        Bootstrap samples of the driver analysis.
    {random_state}
    {settings}
        The rules' thresholds are among them.
    {lang}
    drivers : dict, optional
        The groupings' driver tables, already fitted and adjusted (as :func:`analyse` does,
        adjusting them together with the segments' models); fitted here when not given.
    """
    if not isinstance(survey, Survey):
        raise expected_error("survey", "a Survey (valuekit.load_survey or valuekit.audit_survey)", survey)
    cb = survey.codebook
    s = settings_arg(settings)
    if outcome is not None:
        _check.choice("outcome", outcome, list(cb.outcomes))
    outcome = outcome or ("overall_value" if "overall_value" in cb.outcomes else next(iter(cb.outcomes), None))
    scores = ValueScorer(cb).fit_transform(survey.data) if scores is None else \
        frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    groupings = _groupings_arg(groups, survey, scores)
    blocks = cb.dimensions + cb.sacrifices
    comparisons = compare_groups(scores, groupings, codebook=cb, weights=survey.weights, design=survey.design,
                                 measures=blocks + ["benefits", "sacrifices", "share_destroyed"], settings=s,
                                 lang=lang)
    if drivers is None:
        drivers = _group_drivers(survey, scores, groupings, outcome, method=method, n_boot=n_boot,
                                 random_state=random_state, lang=lang)
        drivers = dict(zip(drivers, adjust_model_tests(list(drivers.values()), s["adjust"])))
    frames = []
    for name, series in groupings.items():
        table = drivers.get(name, _no_outcome_table(blocks))
        frames.append(build_evidence(scores, series, codebook=cb, drivers=table, comparisons=comparisons,
                                     data=survey.data, weights=survey.weights, design=survey.design, settings=s,
                                     defined=True))
    evidence = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return GroupPlaybook(comparisons, drivers, evidence, recommend(evidence, settings=s),
                         to_investigate(evidence, settings=s))


def _group_drivers(survey, scores, groupings, outcome, **options) -> dict:
    """Each grouping's driver models of ``outcome`` (none without an outcome)."""
    if outcome is None:
        return {}
    cb = survey.codebook
    column = cb.outcomes[outcome]
    data = scores.join(survey.data[[column]])
    return {name: key_drivers(data, column, cb.dimensions + cb.sacrifices, codebook=cb, by=series,
                              weights=survey.weights, design=survey.design, **options)
            for name, series in groupings.items()}


def _no_outcome_table(blocks) -> pd.DataFrame:
    return pd.DataFrame({"group": "all", "driver": blocks, "share": np.nan, "r2": np.nan,
                         "note": "no outcome columns in the codebook"})


def analyse(survey, *, outcome: str | None = None, n_segments: int | None = None, method: str = "johnson",
            n_boot: int = 200, n_sim: int = 19, n_init: int = 10, settings: Evidence | dict | None = None,
            random_state=None, lang: str = "en", groups=None) -> PlaybookResult:
    """The playbook's whole chain on an audited survey: score, segment, test, drive, recommend.

    Scores every kept respondent (:class:`~valuekit.measure.scoring.ValueScorer`), segments them
    (the number of segments with the highest silhouette unless ``n_segments`` is given),
    tests the segments against one population (:func:`~valuekit.analyse.segments.segment_structure`),
    compares each segment with the rest (:func:`~valuekit.analyse.significance.compare_groups`),
    splits the outcome's R² among the dimensions and sacrifices overall and per segment with
    ``n_boot`` bootstrap samples (:func:`~valuekit.analyse.drivers.key_drivers`), and applies the
    rules (:func:`recommend`, :func:`to_investigate`).

    Parameters
    ----------
    survey : Survey
        :func:`valuekit.load_survey` (or :func:`valuekit.audit_survey`) output.
    outcome : str, optional
        An outcome of the codebook; default ``overall_value`` when present, else the first.
        Without outcomes no driver is known and only the rules without one can fire.
    n_segments : int, optional
        Default: the number with the highest silhouette (:func:`~valuekit.analyse.segments.suggest_n_segments`).
    method : {"johnson", "shapley"}
        Of the driver analysis.
    n_boot, n_sim, n_init : int
        Bootstrap samples of the driver analysis, simulated populations of the structure test,
        k-means starts of the segmentation.
    settings : dict, optional
        Evidence floors and rule thresholds (:func:`valuekit.evidence.evidence_settings`).
    random_state : int, optional
        Seed of the segmentation, the structure test and the bootstrap.
    lang : {"en", "es", "it"}, default "en"
        Language of labels, names and sentences.
    groups : list or dict, optional
        Groupings the survey defines, on which the same rules run with the same evidence
        (``PlaybookResult.group_recommendations``): column names of the data, or a dict of
        name to column name or Series (an analyst's grouping). Default: every context column
        of the codebook (world view, situation, channel, ...); ``[]``: none. They are
        compared in one table of their own, adjusted across it, and need no structure test.
    """

    if not isinstance(survey, Survey):
        raise expected_error("survey", "a Survey (valuekit.load_survey or valuekit.audit_survey)", survey)
    cb = survey.codebook
    if outcome is not None and not cb.outcomes:
        raise ParameterError(f"outcome: {outcome!r} given, but the codebook has no outcomes", name="outcome")
    if outcome is not None:
        _check.choice("outcome", outcome, list(cb.outcomes))
    if n_segments is not None:
        most = min(MAX_SEGMENTS, len(survey.data))
        if isinstance(n_segments, bool) or not isinstance(n_segments, (int, np.integer)) \
                or not 2 <= n_segments <= most:
            raise ParameterError(f"n_segments: expected None or a whole number from 2 to {most} (at most "
                                 f"MAX_SEGMENTS = {MAX_SEGMENTS}, and no more than the {len(survey.data)} "
                                 f"respondents kept), got {n_segments!r}", name="n_segments")
    _check.choice("method", method, ("johnson", "shapley"))
    n_boot = _check.integer("n_boot", n_boot, min=0)
    n_sim = _check.integer("n_sim", n_sim, min=3)
    n_init = _check.integer("n_init", n_init, min=1)
    s = settings_arg(settings)
    random_state = seed_arg("random_state", random_state)  # to numpy and scikit-learn alike: a number
    lang = lang_arg(lang)
    cb.require_sacrifices("the value playbook")
    scores = ValueScorer(cb).fit_transform(survey.data)
    groupings = _groupings_arg(groups, survey, scores)
    k = n_segments or suggest_n_segments(scores, cb, random_state=random_state)
    segmenter = ValueSegmenter(cb, n_segments=k, random_state=random_state, n_init=n_init).fit(scores)
    segments = segmenter.labels_
    structure = segment_structure(segmenter, scores, n_sim=n_sim, alpha=s["alpha"], random_state=random_state)
    blocks = cb.dimensions + cb.sacrifices
    comparisons = compare_groups(scores, {"segment": segments}, codebook=cb, weights=survey.weights,
                                 design=survey.design, settings=s, lang=lang)
    profiles = segment_profiles(scores, segments, codebook=cb, data=survey.data, weights=survey.weights,
                                comparisons=comparisons, structure=structure, settings=s, lang=lang)
    drivers = None
    if cb.outcomes:
        outcome = outcome or ("overall_value" if "overall_value" in cb.outcomes else next(iter(cb.outcomes)))
        data = scores.join(survey.data[[cb.outcomes[outcome]]])
        drivers = key_drivers(data, cb.outcomes[outcome], blocks, codebook=cb, by=segments, weights=survey.weights,
                              design=survey.design, method=method,
                              n_boot=n_boot, random_state=random_state, lang=lang)
        # every model of the playbook (the segments' and each grouping's) adjusted together
        fitted = _group_drivers(survey, scores, groupings, outcome, method=method, n_boot=n_boot,
                                random_state=random_state, lang=lang)
        drivers, *adjusted = adjust_model_tests([drivers, *fitted.values()], s["adjust"])
        group_drivers = dict(zip(fitted, adjusted))
        table = drivers
    else:
        outcome, group_drivers = None, {}
        table = _no_outcome_table(blocks)
    evidence = build_evidence(scores, segments, codebook=cb, drivers=table, comparisons=comparisons,
                              structure=structure, data=survey.data, weights=survey.weights, design=survey.design,
                              settings=s)
    by_group = group_playbook(survey, groupings, scores=scores, outcome=outcome, method=method, n_boot=n_boot,
                              random_state=random_state, settings=s, lang=lang,
                              drivers=group_drivers) if groupings else None
    return PlaybookResult(scores=scores, segments=segments, structure=structure, profiles=profiles,
                          comparisons=comparisons, drivers=drivers, evidence=evidence,
                          recommendations=recommend(evidence, settings=s),
                          investigate=to_investigate(evidence, settings=s), outcome=outcome, settings=s,
                          **({} if by_group is None else {
                              "group_comparisons": by_group.comparisons, "group_drivers": by_group.drivers,
                              "group_evidence": by_group.evidence, "group_recommendations": by_group.recommendations,
                              "group_investigate": by_group.investigate}))
