"""Is a group really different? Every group against the rest, with the strength of the evidence.

The Stats iQ / Displayr habit, done on survey weights: each group of a grouping (a
segment, a world view, a purchase situation, a channel) is compared with the rest of the
sample on every score (dimensions, facets, sacrifices, the two indices, the value ratio)
and on the share of customers whose value is destroyed. For every comparison:

* the difference (group minus rest) with its confidence interval;
* a standardised effect size: **Hedges' g** for means (the difference over the pooled
  SD, with the small-sample correction J = 1 - 3 / (4 (n1 + n2) - 9)), **Cohen's h** for
  shares (2 asin sqrt p1 - 2 asin sqrt p2, :func:`statsmodels.stats.proportion.proportion_effectsize`);
* a test honouring the survey's weights and design. Without weights (or with equal
  weights) and without a design: Welch's t-test for means, and for shares the **score
  test** (the z-test whose variance uses the pooled share under the null,
  Miettinen-Nurminen) with the **Newcombe** (hybrid score) interval of the difference,
  exactly :func:`scipy.stats.ttest_ind` (``equal_var=False``) and statsmodels'
  ``test_proportions_2indep(method="score")`` and
  ``confint_proportions_2indep(method="newcomb")``. The score test stays valid when a
  group is at 0 % or 100 %, where the Wald test's own-variance error is zero and its p far
  too small (0 of 68 against 9 of 232: Wald p = .002, score p = .10, Fisher's exact p =
  .22). With unequal weights, or strata and clusters in the codebook
  (:class:`valuekit.survey.design.SurveyDesign`), variances are **Taylor-linearized** over
  the design: R survey's ``svyttest`` for means, the **Rao-Scott F** of the 2 x 2 table
  (``svychisq(statistic = "F")``) for shares, a group's own share interval by **Korn and
  Graubard** (``svyciprop(method = "beta")``), each on the design's degrees of freedom
  (:func:`linearized`). Kish's effective sample size n_eff = (sum w)^2 / sum w^2 stays
  the reported base and the minimum-size floor, not the variance;
* p-values adjusted across the whole table (Benjamini-Hochberg by default, Holm or
  Bonferroni on request; :func:`statsmodels.stats.multitest.multipletests`).

A comparison that cannot be made honestly (a group below the minimum effective size, a
score with no variance, all weights zero in the group) is kept in the table with a
``note`` and no p-value, and never counts as a finding. The floors (significance level,
effect-size floor, minimum group size) are data: ``valuekit/evidence.yaml``, which an
analyst can override (:func:`evidence_settings`).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import align_arg, columns_arg, expected_error, frame_arg, optional_frame
from ..errors import ParameterError
from ..evidence import ADJUST_METHODS, DEFAULT_EVIDENCE, Evidence, evidence_settings, settings_arg
from ..measure.model import weights_arg
from ..measure.scoring import group_masks, require_ratio, wilson_bounds
from ..survey.answers import below_base, kish_n
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import DEFAULT_LABELS, lang_arg

__all__ = ["compare_groups", "style_comparisons", "evidence_settings", "grade", "ADJUST_METHODS",
           "DEFAULT_EVIDENCE"]

_SHARES = {"share_destroyed": ("verdict", "destroyed")}


def grade(p_adj, effect, *, settings: Evidence | dict | None = None) -> np.ndarray:
    """``"strong"`` when the adjusted p is below ``strong_p`` and the absolute effect size
    reaches ``strong_effect``; ``"moderate"`` otherwise (for findings that passed the bar).

    >>> grade([0.0001, 0.02], [0.8, 0.8]).tolist()
    ['strong', 'moderate']
    """
    s = settings_arg(settings)
    try:
        p, e = np.asarray(p_adj, float), np.abs(np.asarray(effect, float))
    except (TypeError, ValueError):
        raise expected_error("p_adj, effect", "numbers (arrays of p-values and effect sizes)", (p_adj, effect)) from None
    if p.shape != e.shape:
        raise ParameterError(f"effect: {e.size} effect size(s) for {p.size} p-value(s); expected one each",
                             name="effect")
    return np.where((p < s["strong_p"]) & (e >= s["strong_effect"]), "strong", "moderate")


def _default_measures(scores: pd.DataFrame, codebook: Codebook | None) -> list[str]:
    if codebook is None:
        numeric = [c for c in scores.select_dtypes("number").columns if c != "log_value_ratio"]
        return numeric + (["share_destroyed"] if "verdict" in scores else [])
    out = []
    for blocks in (codebook.dimensions, codebook.sacrifices):
        for b in blocks:
            out.append(b)
            out += [c for c in scores.columns if c.startswith(f"{b}__")]
    out += ["benefits", "sacrifices", "value_ratio", "share_destroyed"]
    return [m for m in out if m in scores.columns or (m in _SHARES and _SHARES[m][0] in scores.columns)]


def _kind(measure: str, codebook: Codebook | None) -> str:
    if measure in _SHARES:
        return "share"
    if codebook is not None:
        block = measure.split("__")[0]
        if block in codebook.dimensions:
            return "benefit"
        if block in codebook.sacrifices:
            return "sacrifice"
    return "index" if measure in ("benefits", "sacrifices", "value_ratio") else "score"


def _label(measure: str, codebook: Codebook | None, lang: str) -> str:
    """The codebook's label (built-in labels in ``labels.yaml`` for the indices and the share)."""
    if codebook is None:
        labels = DEFAULT_LABELS.get(measure, {})
        return labels.get(lang) or labels.get("en") or measure
    return codebook.label(measure.split("__")[-1], lang)


def _groupings(by, scores: pd.DataFrame, data: pd.DataFrame | None) -> dict[str, pd.Series]:
    """``{name: Series aligned on scores.index}`` from a Series, a column name, or a dict/list of them."""
    def lookup(value, name=None):
        if isinstance(value, pd.Series):
            label = name or value.name or "group"
            return label, align_arg(f"by ('{label}')", value, scores.index)
        if isinstance(value, str):
            for where, frame in (("scores", scores), ("data", data)):
                if frame is not None and value in frame.columns:
                    return value, align_arg(f"by (column '{value}' of {where})", frame[value], scores.index)
            raise ParameterError(f"by: grouping column '{value}' not found in scores or data", name="by")
        if isinstance(value, (np.ndarray, list)) and np.ndim(value) == 1 and len(value) == len(scores):
            return name or "group", pd.Series(np.asarray(value, dtype=object), index=scores.index)
        raise expected_error("by", f"a grouping: a Series, a column name or an array of length {len(scores)} "
                             "(or a dict / list of them)", value)

    if isinstance(by, dict):
        pairs = [lookup(v, str(k)) for k, v in by.items()]
    elif isinstance(by, (list, tuple)) and all(isinstance(b, (str, pd.Series)) for b in by):
        pairs = [lookup(v) for v in by]
    else:
        pairs = [lookup(by)]
    out = {}
    for name, series in pairs:
        if name in out:
            raise ParameterError(f"by: grouping '{name}' is given twice", name="by")
        out[name] = series
    return out


def _sums(values: np.ndarray, ok: np.ndarray, w: np.ndarray, masks: list[np.ndarray]):
    """Per group: sum of weights, of squared weights, weighted mean and centred sum of squares.

    ``values`` (n x m) are centred on their overall mean first so the one-pass sums do
    not lose precision. Returns arrays of shape (groups + 1, m), the last row the total.
    """
    G = np.column_stack(masks + [np.ones(len(w), bool)]).astype(float)  # n x (g + 1)
    wv = np.where(ok, w[:, None], 0.0)
    x = np.where(ok, values, 0.0)
    W = G.T @ wv
    W2 = G.T @ (wv * wv)
    S1 = G.T @ (wv * x)
    S2 = G.T @ (wv * x * x)
    return W, W2, S1, S2


def _own_interval(m, a, ne, p_share, is_share, confidence, shift):
    """A group's own interval: t on its effective size for means, Wilson for shares."""

    share = np.broadcast_to(is_share, np.shape(m))
    with np.errstate(invalid="ignore", divide="ignore"):
        own_t = stats.t.ppf(0.5 + confidence / 2, ne - 1) * np.sqrt(a)
        wilson_low, wilson_high = wilson_bounds(p_share, ne, stats.norm.ppf(0.5 + confidence / 2))
        low = np.where(share, wilson_low, m - own_t) + shift
        high = np.where(share, wilson_high, m + own_t) + shift
    return low, high


def _classic_tests(diff, share, first, second, se_0, se_t, df, confidence):
    """The tests of :func:`contrast` without a design: Welch for means (``se_t``, ``df``), the
    score test and Newcombe interval for shares (``first``, ``second``: each side's share and
    effective n; ``se_0`` the pooled standard error). Returns ``(se, statistic, df, p, low, high)``."""
    z, p_z, z_low, z_high = _share_tests(*first, *second, share & (se_0 > 0), confidence)
    se = np.where(share, se_0, se_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.where(share, z, diff / np.where(se_t > 0, se_t, np.nan))
        df = np.where(share, np.inf, df)
        p = np.where(share, p_z, 2 * stats.t.sf(np.abs(stat), df))
        crit = stats.t.ppf(0.5 + confidence / 2, df)
    return se, stat, df, p, np.where(share, z_low, diff - crit * se_t), np.where(share, z_high, diff + crit * se_t)


def _design_tests(diff, share, design: dict, confidence: float):
    """The linearized tests of :func:`contrast`: svyttest for means, the Rao-Scott F for shares,
    the difference's interval on the design's df. Returns ``(se, statistic, df, p, low, high)``."""
    se = np.sqrt(design["var_diff"])
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stat = diff / np.where(se > 0, se, np.nan)
        crit = stats.t.ppf(0.5 + confidence / 2, design["df_diff"])
        rs = design["rs_f"]
        stat = np.where(share, np.sign(diff) * np.sqrt(rs), t_stat)
        df = np.where(share, design["rs_df"], design["df_diff"])
        p = np.where(share, stats.f.sf(rs, 1, design["rs_df"]), 2 * stats.t.sf(np.abs(t_stat), df))
    return se, stat, df, p, diff - crit * se, diff + crit * se


def _design_interval(m, var, n, df, share, confidence, shift):
    """A side's own interval under the design: t on the design's df for a mean, Korn-Graubard for a share."""
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + confidence / 2, df) * np.sqrt(var)
        low_s, high_s = korn_graubard(np.clip(m, 0, 1), var, n, df, confidence)
    return np.where(share, low_s, m - half) + shift, np.where(share, high_s, m + half) + shift


def _nobody(who: str, count: float | None) -> str:
    """The note of a side with no weight: nobody has the score, or everyone who has it weighs zero
    (``count``: respondents with the score whatever their weight; None when unknown)."""
    if count is None:
        return f"no respondent {who} has this score with a weight above zero"
    if count > 0:
        return f"all weights are zero for the {int(count)} respondent(s) {who} with this score: nothing to compare"
    return f"no respondent {who} has this score"


def _share_tests(p1, n1, p2, n2, valid, confidence):
    """Two shares on effective sizes: the score z-test of equal shares and the Newcombe interval
    of their difference, where ``valid``; NaN elsewhere.

    Counts are the weighted shares times Kish's effective sizes (not whole numbers under
    weights). The score test's variance uses the pooled share, so a group at 0 % or 100 %
    is tested honestly (the Wald test's own-variance error is zero there, and its p tiny).
    """
    # deferred: statsmodels
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    shape = np.shape(valid)
    out = [np.full(shape, np.nan) for _ in range(4)]
    if not np.any(valid):
        return out
    c1, m1 = (np.broadcast_to(p1, shape) * np.broadcast_to(n1, shape))[valid], np.broadcast_to(n1, shape)[valid]
    c2, m2 = (np.broadcast_to(p2, shape) * np.broadcast_to(n2, shape))[valid], np.broadcast_to(n2, shape)[valid]
    with np.errstate(invalid="ignore", divide="ignore"):
        test = test_proportions_2indep(c1, m1, c2, m2, method="score", compare="diff")
        low, high = confint_proportions_2indep(c1, m1, c2, m2, method="newcomb", compare="diff",
                                               alpha=1 - confidence)
    for arr, values in zip(out, (test.statistic, test.pvalue, low, high)):
        arr[valid] = values
    return out


def linearized(x: np.ndarray, ok: np.ndarray, w: np.ndarray, masks: list[np.ndarray], is_share: np.ndarray,
               design: SurveyDesign, others: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Design-based (Taylor-linearized) variances of each group's mean, the other side's, and
    their difference, on every measure; and the Rao-Scott test of each share.

    ``x`` (n x m) are the measures (centred means, 0/1 shares), ``ok`` where each is present
    with a positive weight, ``masks`` the groups; ``others`` the respondents each group is
    compared with (default: everyone else). Returns arrays (groups x m): ``var_first``,
    ``var_second``, ``var_diff``, their degrees of freedom ``df_first``, ``df_second``
    (clusters less strata among the side's respondents with the measure, for their own
    intervals) and ``df_diff`` (the design's df among respondents with the measure, less one:
    ``svyttest``'s), and for shares ``rs_f`` and ``rs_df`` (the Rao-Scott F of the 2 x 2 table
    group x share, ``svychisq(statistic = "F")``, and its denominator df; NaN for means).
    """
    x0 = np.where(ok, x, 0.0)
    wok = np.where(ok, w[:, None], 0.0)
    others = [~mask for mask in masks] if others is None else others
    out = _variances(_moments(x0, ok, wok, masks, design), _moments(x0, ok, wok, others, design), design)
    out["rs_f"], out["rs_df"] = (np.full((len(masks), x.shape[1]), np.nan) for _ in range(2))
    for g, mask in enumerate(masks):
        both = mask | others[g]
        for j in np.flatnonzero(is_share):
            out["rs_f"][g, j] = _rao_scott(x0[:, j], wok[:, j] * both, mask, both, design)
            out["rs_df"][g, j] = design.df(both)
    return out


def _moments(x0: np.ndarray, ok: np.ndarray, wok: np.ndarray, masks: list[np.ndarray], design: SurveyDesign) -> dict:
    """What the linearized variance of each group's weighted mean is made of, from one sparse
    product per part: with z_i = w_i (x_i - m) / W in the group (its influence values),
    without clusters each stratum's sums of z and z² (``zsum``, ``zsq``: from the sums of w,
    w x, w² x², w² x and w², not a pass per group), with clusters each cluster's total of z
    (``t``: (sum w x - m sum w) / W); and the counts of respondents with the measure
    (``count``), per stratum or cluster. ``x0``, ``wok``: the measures and weights, zero
    where ``ok`` is False. Arrays (groups, strata or clusters, measures)."""
    if design.cluster is None:
        w2 = wok * wok
        s0, s1, s2, s3, s4, count = design.stratum_sums([wok, wok * x0, w2 * x0 * x0, w2 * x0, w2,
                                                         ok.astype(float)], masks)
        return _moments_of(s0, s1, count, (s2, s3, s4))
    s0, s1, count = design.cluster_sums([wok, wok * x0, ok.astype(float)], masks)
    return _moments_of(s0, s1, count)


def _moments_of(s0: np.ndarray, s1: np.ndarray, count: np.ndarray, squares: tuple | None = None) -> dict:
    """:func:`_moments` from the sums per group and stratum (or cluster), arrays (groups,
    strata or clusters, measures): ``s0`` of the weights, ``s1`` of the weighted values,
    ``count`` of the respondents; and, for a design without clusters, ``squares``: the sums
    of w² x², w² x and w². Each stratum's ``zsum`` and ``zsq`` when ``squares`` are given,
    else each cluster's total ``t``."""
    total = s0.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1.sum(axis=1, keepdims=True) / total
        zsum = np.where(total > 0, (s1 - mean * s0) / total, 0.0)
        if squares is None:
            return {"t": zsum, "count": count}
        s2, s3, s4 = squares
        zsq = np.where(total > 0, (s2 - 2 * mean * s3 + mean * mean * s4) / (total * total), 0.0)
    return {"zsum": zsum, "zsq": zsq, "count": count}


def _variances(first: dict, second: dict, design: SurveyDesign) -> dict:
    """The linearized variances of two sets of groups' means and of their differences, first
    minus second, from their :func:`_moments` (arrays of the same shape; the two sides of a
    difference share no respondent), with degrees of freedom: ``df_first``/``df_second``
    clusters less strata among each side's respondents with the measure, ``df_diff`` those
    of both sides less one (``svyttest``'s)."""
    if "t" in first:
        tf, ts = first["t"], second["t"]
        var = [design.totals_variance(tf), design.totals_variance(ts), design.totals_variance(tf - ts)]
        df = [design.df_of_counts(c) for c in (first["count"], second["count"], first["count"] + second["count"])]
    else:
        scale, size = design.stratum_scale[None, :, None], np.maximum(design.stratum_size, 1)[None, :, None]
        (ga, gb), (ra, rb) = (first["zsum"], first["zsq"]), (second["zsum"], second["zsq"])
        var = [(scale * (gb - ga * ga / size)).sum(axis=1), (scale * (rb - ra * ra / size)).sum(axis=1),
               (scale * (gb + rb - (ga - ra) ** 2 / size)).sum(axis=1)]
        df = [c.sum(axis=1) - (c > 0).sum(axis=1)
              for c in (first["count"], second["count"], first["count"] + second["count"])]
    return {"var_first": var[0], "var_second": var[1], "var_diff": var[2], "df_first": np.asarray(df[0], float),
            "df_second": np.asarray(df[1], float), "df_diff": np.asarray(df[2], float) - 1}


def _rao_scott(y: np.ndarray, w: np.ndarray, mask: np.ndarray, rows: np.ndarray, design: SurveyDesign) -> float:
    """The Rao-Scott F of the 2 x 2 table (in ``mask`` or not) x (``y`` 1 or 0), as R's
    ``svychisq(~group + y, design, statistic = "F")`` on the design's ``rows``: Pearson's X²
    on the weighted shares, over the design effect of the table's interaction contrast (one
    df: first and second order agree). ``w`` is zero for respondents without ``y`` and
    outside ``rows``. NaN when a margin is empty."""
    n = int(rows.sum())  # R: the design's rows
    total = w.sum()
    cells = [(mask & (y == 1), 1.0), (mask & (y == 0), -1.0), (~mask & (y == 1), -1.0), (~mask & (y == 0), 1.0)]
    p = np.array([w[c].sum() for c, _ in cells]) / total
    in_group, ones = p[0] + p[1], p[0] + p[2]
    if min(in_group, 1 - in_group, ones, 1 - ones) <= 0:
        return np.nan
    x2 = n * (p[0] * p[3] - p[1] * p[2]) ** 2 / (in_group * (1 - in_group) * ones * (1 - ones))
    a = np.array([s / pc if pc > 0 else 0.0 for (_, s), pc in zip(cells, p)])
    k = float(a @ p)
    each = np.zeros(len(y))
    for (c, _), ac in zip(cells, a):
        each[c] = ac
    z = w * (each - k) / total
    delta = n * design.variance(z) / np.sum(1 / p[p > 0])
    return x2 / delta if delta > 0 else np.nan


def korn_graubard(p, var, n, df, confidence: float, *, size: bool = False):
    """Korn and Graubard's interval of a share under a design (R's ``svyciprop(method = "beta")``):
    Clopper-Pearson on the design's effective size p (1 - p) / var, scaled by
    (t(n - 1) / t(df))². Where the share is 0 or 1 (no variance), ``n`` itself is used.
    Returns ``(low, high)``, and that effective size too with ``size=True`` (what a one-sided
    test dual to the bound reads: the share is above q at level a / 2 exactly when
    ``scipy.stats.beta.cdf(q, size p, size (1 - p) + 1)`` < a / 2)."""
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(var > 0, p * (1 - p) / var, n) * (stats.t.ppf(alpha / 2, n - 1) /
                                                          stats.t.ppf(alpha / 2, df)) ** 2
        low = np.where(p > 0, stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1), 0.0)
        high = np.where(p < 1, stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)), 1.0)
    return (low, high, n_eff) if size else (low, high)


def domain_means(x: np.ndarray, w: np.ndarray, masks: list[np.ndarray], design: SurveyDesign) -> dict:
    """Weighted means of each column of ``x`` in each group, with their design-based variances.

    ``x`` (n, or n x k; NaN where a respondent has no value), ``w`` the weights, ``masks``
    the groups (domains: a group keeps the design's strata and clusters, as R's
    ``svyby``/``subset``). Returns arrays (groups x k, or groups for a vector): ``value``
    (the weighted mean over respondents with a value and a positive weight), ``var`` (its
    Taylor-linearized variance, R's ``svymean``), ``df`` (clusters less strata among those
    respondents: R's ``degf`` of the domain, the df of ``svyttest`` and ``svyciprop``) and
    ``n`` (those respondents). A group without weight has NaN.
    """
    x = np.asarray(x, float)
    vector = x.ndim == 1
    x = x[:, None] if vector else x
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(x) & (w[:, None] > 0)
    x0, wok = np.where(ok, x, 0.0), np.where(ok, w[:, None], 0.0)
    lin = linearized(x0, ok, w, masks, np.zeros(x.shape[1], bool), design)
    G = np.column_stack(masks).astype(float).T if masks else np.zeros((0, len(w)))
    total = G @ wok
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(total > 0, (G @ (wok * x0)) / total, np.nan)
    out = {"value": value, "var": np.where(total > 0, lin["var_first"], np.nan),
           "df": lin["df_first"], "n": G @ ok.astype(float)}
    return {key: v[:, 0] for key, v in out.items()} if vector else out


def contrast(first: tuple, second: tuple, *, is_share: np.ndarray, centre: np.ndarray, confidence: float,
             min_n: float, group: str = "in the group", other: str = "outside the group",
             rest: str = "the rest", present: tuple | None = None,
             design: dict | None = None, own: bool = True) -> dict[str, np.ndarray]:
    """Compare two sets of respondents on every measure: the engine of every comparison table.

    ``first`` and ``second`` are the weighted sums ``(W, W2, S1, S2, N)`` of each side
    (arrays of shape (groups, measures): sum of weights, of squared weights, of weighted
    centred values and their squares, and the respondent count; see :func:`_sums`).
    Returns arrays of the same shape: each side's value and own interval, the difference
    (first minus second) with its interval, the effect size (Hedges' g or Cohen's h),
    the statistic, its df (NaN for shares) and p, and a ``note`` where the comparison
    cannot be made (then the test columns are NaN). Used by :func:`compare_groups` (a
    group against the rest) and :func:`valuekit.analyse.waves.compare_waves` (a wave against an
    earlier one). ``group``, ``other`` and ``rest`` word the notes ("no respondent
    *in the group* ...", "too few respondents *outside the group*", "no variance in the
    group or *the rest*"). ``present``, optional: each side's count of respondents with the
    measure whatever their weight, so that a side whose weights are all zero is told apart
    from a side without the score. ``own=False`` skips each side's own interval (NaN): a
    banner tests pairs of columns and shows no side's interval.
    """
    from statsmodels.stats.proportion import proportion_effectsize  # deferred: statsmodels

    Wg, W2g, S1g, S2g, Ng = first
    Wr, W2r, S1r, S2r, Nr = second
    with np.errstate(invalid="ignore", divide="ignore"):
        mg, mr = S1g / Wg, S1r / Wr
        ssg = np.maximum(S2g - S1g * mg, 0.0)  # sum w (x - mean)^2
        ssr = np.maximum(S2r - S1r * mr, 0.0)
        neg, ner = kish_n(Wg, W2g), kish_n(Wr, W2r)
        # weighted variance, unbiased on the effective size
        vg = ssg / Wg * neg / (neg - 1)
        vr = ssr / Wr * ner / (ner - 1)
        diff = mg - mr
        # means: Welch on effective sizes
        a, b = vg / neg, vr / ner
        se_t = np.sqrt(a + b)
        df = (a + b) ** 2 / (a ** 2 / (neg - 1) + b ** 2 / (ner - 1))
        pooled = np.sqrt(((neg - 1) * vg + (ner - 1) * vr) / (neg + ner - 2))
        g = diff / pooled * (1 - 3 / (4 * (neg + ner) - 9))
        # shares: the score test (pooled share under H0), valid at 0 % and 100 %, on effective counts
        pg, pr = np.clip(mg, 0.0, 1.0), np.clip(mr, 0.0, 1.0)
        p0 = (pg * neg + pr * ner) / (neg + ner)
        se_0 = np.sqrt(p0 * (1 - p0) * (1 / neg + 1 / ner))
    share = np.broadcast_to(is_share, diff.shape)
    shift = np.where(is_share, 0.0, centre)
    if design is None:
        se, stat, df, p, ci_low, ci_high = _classic_tests(diff, share, (pg, neg), (pr, ner), se_0, se_t, df,
                                                          confidence)
    else:
        se, stat, df, p, ci_low, ci_high = _design_tests(diff, share, design, confidence)
    g_low, g_high, r_low, r_high = _sides_intervals(((mg, a, neg, pg, Ng), (mr, b, ner, pr, Nr)), is_share, share,
                                                    confidence, shift, design, own)
    with np.errstate(invalid="ignore"):
        h = proportion_effectsize(np.clip(pg, 0, 1), np.clip(pr, 0, 1))
    effect = np.where(share, h, g)

    # what cannot be compared, and why (first reason wins)
    note = np.full(diff.shape, "", dtype=object)
    conditions = [
        (Wg <= 0, lambda i, j: _nobody(group, None if present is None else present[0][i, j])),
        (Wr <= 0, lambda i, j: _nobody(other, None if present is None else present[1][i, j])),
        (below_base(neg, min_n), lambda i, j: f"too few respondents: {int(Ng[i, j])} (effective n "
                                   f"{neg[i, j]:.1f}); at least {min_n} needed"),
        (below_base(ner, min_n), lambda i, j: f"too few respondents {other}: {int(Nr[i, j])} "
                                   f"(effective n {ner[i, j]:.1f}); at least {min_n} needed"),
        (~(se > 0), lambda i, j: f"no variance in the group or {rest}: nothing to test"),
    ]
    if design is not None:
        conditions.append((~(design["df_diff"] >= 1), lambda i, j: "too few clusters in the design to test "
                                                                    f"(degrees of freedom {design['df_diff'][i, j]:g})"))
        conditions.append((share & ~np.isfinite(design["rs_f"]),
                           lambda i, j: f"no variance in the group or {rest}: nothing to test"))
    for cond, text_of in conditions:
        for i, j in zip(*np.nonzero(cond & (note == ""))):
            note[i, j] = text_of(i, j)
    bad = note != ""
    return {
        "n": Ng, "n_other": Nr, "n_eff": neg, "n_eff_other": ner,
        "value": mg + shift, "other_value": mr + shift,
        "value_ci_low": np.where(Wg > 0, g_low, np.nan), "value_ci_high": np.where(Wg > 0, g_high, np.nan),
        "other_ci_low": np.where(Wr > 0, r_low, np.nan), "other_ci_high": np.where(Wr > 0, r_high, np.nan),
        "diff": diff,
        "ci_low": np.where(bad, np.nan, ci_low), "ci_high": np.where(bad, np.nan, ci_high),
        "effect": np.where(bad, np.nan, effect), "statistic": np.where(bad, np.nan, stat),
        "df": np.where(bad | (share & (design is None)), np.nan, df), "p": np.where(bad, np.nan, p), "note": note,
    }


def _sides_intervals(sides: tuple, is_share, share, confidence: float, shift, design: dict | None,
                     own: bool) -> tuple:
    """Each side's own interval for :func:`contrast` (``sides``: per side its centred mean,
    its variance of the mean, effective n, share and count): Wilson / t without a design, the
    design's otherwise; NaN when not asked (``own=False``)."""
    if not own:
        return tuple(np.full(np.shape(sides[0][0]), np.nan) for _ in range(4))
    if design is None:
        return tuple(x for m, var, ne, p, _ in sides
                     for x in _own_interval(m, var, ne, p, is_share, confidence, shift))
    out = []
    for (m, _, _, _, n), key in zip(sides, ("first", "second")):
        out += _design_interval(m, design[f"var_{key}"], n, design[f"df_{key}"], share, confidence, shift)
    return tuple(out)


def _table_options(settings, adjust, alpha, confidence) -> tuple[dict, str, float, float]:
    """The evidence settings and a comparison table's adjust, alpha and confidence, checked."""
    s = settings_arg(settings)
    adjust = s["adjust"] if adjust is None else adjust
    alpha = s["alpha"] if alpha is None else alpha
    if not isinstance(adjust, str) or adjust not in ADJUST_METHODS:
        raise ParameterError(f"adjust must be one of {list(ADJUST_METHODS)}, got {adjust!r}", name="adjust")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)) or not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1, got {alpha!r}", name="alpha")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.number)) \
            or not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1, got {confidence!r}", name="confidence")
    return s, adjust, alpha, confidence


def _check_measures(scores: pd.DataFrame, measures, codebook: Codebook | None) -> list[str]:
    """The measures compared: the ones given (numeric score columns, or shares such as
    ``share_destroyed``), or by default :func:`_default_measures`."""
    if measures is not None and (isinstance(measures, (str, dict)) or not hasattr(measures, "__iter__")):
        raise expected_error("measures", "None or a list of score columns", measures)
    given = measures is not None
    measures = _default_measures(scores, codebook) if measures is None else list(measures)
    if not measures:
        raise (expected_error("measures", "at least one measure (a score column, or 'share_destroyed')", measures)
               if given else ParameterError("measures: the scores have no numeric score column to compare; "
                                            f"columns: {list(scores.columns)}", name="measures"))
    unknown = [m for m in measures if not isinstance(m, str) or (m not in scores.columns and m not in _SHARES)]
    if unknown:
        raise ParameterError(f"measures: measure(s) {unknown} not found in scores; available: "
                             f"{list(scores.columns)}", name="measures")
    text = [m for m in measures if m not in _SHARES and (not pd.api.types.is_numeric_dtype(scores[m].dtype)
                                                         or pd.api.types.is_bool_dtype(scores[m].dtype))]
    if text:
        raise ParameterError(f"measures: measure(s) {text} are not numeric scores", name="measures")
    return measures


def _measure_matrix(scores: pd.DataFrame, measures, codebook: Codebook | None, w: np.ndarray):
    """The measures (checked; default :func:`_default_measures`) as one centred matrix.

    Means as they are, shares as 0/1 among the scored. Returns ``(measures, x, ok,
    is_share, centre)``: ``x`` is the values minus each measure's weighted mean (shares
    are not centred), ``ok`` marks finite values with a positive weight.
    """
    measures = _check_measures(scores, measures, codebook)
    values = np.empty((len(scores), len(measures)))
    for j, m in enumerate(measures):
        if m in _SHARES:
            col, level = _SHARES[m]
            require_ratio(scores, f"the measure '{m}'")
            scored = scores["value_ratio"].notna().to_numpy()
            values[:, j] = np.where(scored, (scores[col] == level).to_numpy(dtype=float), np.nan)
        else:
            values[:, j] = scores[m].to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(values) & (w > 0)[:, None]
    centre = np.array([np.average(values[ok[:, j], j], weights=w[ok[:, j]]) if ok[:, j].any() else 0.0
                       for j in range(len(measures))])
    is_share = np.array([m in _SHARES for m in measures])
    centre[is_share] = 0.0  # shares stay 0/1
    return measures, values - centre, ok, is_share, centre


def _conclude(out: pd.DataFrame, *, adjust: str, alpha: float, settings: dict,
              words: tuple[str, str] = ("higher", "lower")) -> int:
    """Adjust the table's p-values across it and decide each row (in place): ``p_adj``,
    ``significant``, ``meaningful``, ``finding`` (both), ``direction`` (``words`` for a
    positive / negative finding) and ``grade``. Returns the number of tests."""
    from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

    tested = out["p"].notna().to_numpy()
    out["p_adj"] = np.nan
    if tested.any():
        out.loc[tested, "p_adj"] = (out.loc[tested, "p"].to_numpy() if adjust == "none" else
                                    multipletests(out.loc[tested, "p"].to_numpy(), method=adjust)[1])
    out["significant"] = (out["p_adj"] < alpha).to_numpy()
    out["meaningful"] = (out["effect"].abs() >= settings["min_effect"]).to_numpy()
    out["finding"] = out["significant"] & out["meaningful"]
    out["direction"] = np.where(out["finding"], np.where(out["diff"] > 0, *words), "")
    out["grade"] = np.where(out["finding"], grade(out["p_adj"], out["effect"], settings=settings), "")
    return int(tested.sum())


@survey_first("codebook", "data", "weights", "design")
@share_docs
def compare_groups(scores: pd.DataFrame, by, *, codebook: Codebook | None = None,
                   measures: list[str] | None = None, weights=None, design: SurveyDesign | None = None,
                   data: pd.DataFrame | None = None,
                   adjust: str | None = None, alpha: float | None = None, confidence: float = 0.95,
                   settings: Evidence | dict | None = None, lang: str = "en") -> pd.DataFrame:
    """Every group against the rest of the sample, on every score, with adjusted p-values.

    Parameters
    ----------
    {scores}
    by : Series, str, or a dict / list of them
        The grouping(s): segments (a Series on ``scores``' index), a context column name
        (looked up in ``scores``, then ``data``), or several at once, e.g.
        ``{"segment": segments, "channel": "channel"}``. Respondents with a missing group
        form a group ``"(missing)"``. The adjustment runs across every grouping's rows.
    {codebook}
        It gives the default measures (every dimension, facet, sacrifice, the indices, the value ratio
        and the share destroyed), their labels (in ``lang``) and kinds.
    measures : list of str, optional
        Score columns to compare; ``"share_destroyed"`` is the share of scored customers
        whose verdict is ``destroyed``.
    {weights}
    {design}
    data : DataFrame, optional
        Where grouping and weight columns are looked up.
    adjust : {"fdr_bh", "holm", "bonferroni", "none"}, optional
        Multiple-testing adjustment across the table; default from the settings (fdr_bh).
    alpha : float, optional
        Significance level for the adjusted p; default from the settings (0.05).
    confidence : float, default 0.95
        Of the interval of each difference.
    {settings}
        The floors used here: ``min_group_n`` (effective size a
        group needs to be compared), ``min_effect`` (the effect-size floor of a finding),
        ``max_levels``.
    {lang}

    Returns
    -------
    DataFrame
        One row per grouping, group and measure: ``grouping``, ``group``, ``measure``,
        ``label``, ``kind`` (benefit, sacrifice, index or share), ``statistic_type``
        (mean or share), ``n`` and ``n_rest`` (respondents with the measure),
        ``n_eff`` and ``n_eff_rest`` (Kish), ``group_value``, ``rest_value``, ``diff``
        (group minus rest), ``ci_low``, ``ci_high`` (of the difference), ``group_ci_low``,
        ``group_ci_high`` (the group's own interval: t for a mean, Wilson for a share, both on
        the effective size; for charts), ``effect``,
        ``effect_size`` ("hedges_g" or "cohen_h"), ``statistic`` (t or z), ``df``, ``p``,
        ``p_adj``, ``significant`` (p_adj < alpha), ``meaningful`` (``|effect| >= min_effect``),
        ``finding`` (both), ``direction`` ("higher" / "lower" for a finding, else ""),
        ``grade`` ("strong" / "moderate" for a finding) and ``note`` (why a comparison was
        not made). ``.attrs`` records ``adjust``, ``alpha``, ``min_effect``, ``min_group_n``
        and ``n_tests``.

    Examples
    --------
    >>> import valuekit as vk
    >>> survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    >>> scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    >>> table = compare_groups(scores, "channel", data=survey.data, codebook=survey.codebook,
    ...                        weights=survey.weights)
    >>> table.loc[(table["group"] == "online") & (table["measure"] == "time"),
    ...           ["n", "diff", "effect", "finding"]].round(2).to_dict("records")
    [{'n': 511, 'diff': -0.21, 'effect': -0.16, 'finding': False}]
    """
    s, adjust, alpha, confidence = _table_options(settings, adjust, alpha, confidence)
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    codebook = None if codebook is None else codebook_arg("codebook", codebook)
    data = optional_frame("data", data)
    lang = lang_arg(lang)
    w = weights_arg(weights, scores, data)
    design = design_arg(design, scores.index)
    measures, x, ok, is_share, centre = _measure_matrix(scores, measures, codebook, w)
    if design is None and unequal_weights(w):
        design = SurveyDesign(scores.index)
    groupings = _groupings(by, scores, data)
    count = ok.astype(float)
    has = np.isfinite(x).astype(float)  # with the measure, whatever the weight

    frames = []
    for gname, series in groupings.items():
        masks = group_masks(scores.index, series, include_all=False)
        if len(masks) > s["max_levels"]:
            raise ParameterError(f"by: grouping '{gname}' has {len(masks)} levels; comparisons are limited to "
                                 f"max_levels={s['max_levels']} groups (merge rare levels first, or raise "
                                 "max_levels in the evidence settings)", name="by")
        if not masks:
            continue
        names = [m[0] for m in masks]
        W, W2, S1, S2 = _sums(x, ok, w, [m[1] for m in masks])
        G = np.column_stack([m[1] for m in masks] + [np.ones(len(w), bool)]).astype(float).T
        N, H = G @ count, G @ has
        k = len(masks)
        Wt, W2t, S1t, S2t, Nt = W[k], W2[k], S1[k], S2[k], N[k]
        Wg, W2g, S1g, S2g, Ng = W[:k], W2[:k], S1[:k], S2[:k], N[:k]
        lin = None if design is None else linearized(x, ok, w, [m[1] for m in masks], is_share, design)
        c = contrast((Wg, W2g, S1g, S2g, Ng), (Wt - Wg, W2t - W2g, S1t - S1g, S2t - S2g, Nt - Ng),
                     is_share=is_share, centre=centre, confidence=confidence, min_n=s["min_group_n"],
                     other="outside the group", present=(H[:k], H[k] - H[:k]), design=lin)
        rows = pd.DataFrame({
            "grouping": gname,
            "group": np.repeat(np.array(names, dtype=object), len(measures)),
            "measure": np.tile(measures, k),
            "label": np.tile([_label(m, codebook, lang) for m in measures], k),
            "kind": np.tile([_kind(m, codebook) for m in measures], k),
            "statistic_type": np.tile(np.where(is_share, "share", "mean"), k),
            "n": c["n"].ravel().astype(int), "n_rest": c["n_other"].ravel().astype(int),
            "n_eff": c["n_eff"].ravel(), "n_eff_rest": c["n_eff_other"].ravel(),
            "group_value": c["value"].ravel(), "rest_value": c["other_value"].ravel(),
            "group_ci_low": c["value_ci_low"].ravel(), "group_ci_high": c["value_ci_high"].ravel(),
            **{key: c[key].ravel() for key in ("diff", "ci_low", "ci_high", "effect")},
            "effect_size": np.tile(np.where(is_share, "cohen_h", "hedges_g"), k),
            **{key: c[key].ravel() for key in ("statistic", "df", "p", "note")},
        })
        frames.append(rows)
    columns = ["grouping", "group", "measure", "label", "kind", "statistic_type", "n", "n_rest", "n_eff",
               "n_eff_rest", "group_value", "rest_value", "group_ci_low", "group_ci_high", "diff", "ci_low", "ci_high", "effect",
               "effect_size", "statistic", "df", "p", "p_adj", "significant", "meaningful", "finding",
               "direction", "grade", "note"]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    n_tests = _conclude(out, adjust=adjust, alpha=alpha, settings=s)
    out = out[columns]
    out.attrs.update(adjust=adjust, alpha=alpha, min_effect=s["min_effect"], min_group_n=s["min_group_n"],
                     n_tests=n_tests, confidence=confidence, variance=variance_note(design))
    return out


def unequal_weights(w: np.ndarray) -> bool:
    """Whether the respondents with a positive weight weigh differently (then variances are linearized)."""
    positive = w[w > 0]
    return bool(positive.size) and bool(np.any(positive != positive[0]))


def variance_note(design: SurveyDesign | None) -> str:
    """How a table's variances were estimated, in one line (its ``attrs["variance"]``)."""
    if design is None:
        return "unweighted: Welch's t-test for means, the score test for shares"
    return (f"design-based (Taylor linearization; {design.describe}): svyttest for means, the Rao-Scott F for "
            "shares; Kish's effective n is the reported base")


def style_comparisons(table: pd.DataFrame, *, grouping: str | None = None, value: str = "group_value",
                      decimals: int = 2):
    """A styled group x measure view of :func:`compare_groups`, with the usual markers.

    Each cell shows the group's value; a finding (significant after adjustment *and* above
    the effect-size floor) gets an arrow (▲ higher / ▼ lower than the rest) and a colour:
    green where it is good for the customer (a higher benefit, a lower sacrifice or share
    destroyed), red where it is bad. Comparisons that could not be made show ``·``.

    Returns a pandas ``Styler`` (with a fixed uuid, so notebook output is deterministic)
    whose every text is HTML-escaped: its cells, the group and measure labels, the
    grouping's name and the caption (labels come from the survey's files, so they are shown
    as text, never run as markup).

    Parameters
    ----------
    table : DataFrame
        :func:`compare_groups` output.
    grouping : str, optional
        The grouping to show (e.g. ``"segment"``); None: the table's only grouping.
    value : str, default "group_value"
        The column shown in each cell.
    decimals : int, default 2
        Decimals of the values shown.
    """

    table = frame_arg("table", table, "a compare_groups table")
    value = _check.text("value", value)
    columns_arg("table", ["grouping", "group", "measure", "label", "kind", "statistic_type", "finding",
                           "direction", "note"], {"table": table})
    if value not in table.columns or not pd.api.types.is_numeric_dtype(table[value].dtype):
        raise ParameterError(f"value: {value!r} is not a numeric column of the table; expected e.g. "
                             "'group_value', 'diff' or 'effect'", name="value")
    groupings = list(dict.fromkeys(table["grouping"]))
    if grouping is not None and grouping not in groupings:
        raise ParameterError(f"grouping: {grouping!r} is not in the table; its groupings: {groupings}",
                             name="grouping")
    decimals = _check.integer("decimals", decimals, min=0, max=15)
    if grouping is None:
        grouping = table["grouping"].iloc[0] if len(table) else ""
    t = table[table["grouping"] == grouping]
    groups = list(dict.fromkeys(t["group"]))
    measures = list(dict.fromkeys(t["measure"]))
    labels = dict(zip(t["measure"], t["label"]))
    cells = t.set_index(["group", "measure"])
    text = pd.DataFrame("", index=pd.Index(groups, name=grouping), columns=[labels[m] for m in measures])
    css = pd.DataFrame("", index=text.index, columns=text.columns)
    for (g, m), r in cells.iterrows():
        col = labels[m]
        v = r[value]
        fmt = f"{v:.0%}" if r["statistic_type"] == "share" and value.endswith("value") else f"{v:.{decimals}f}"
        if r["note"]:
            text.loc[g, col] = f"{fmt} ·" if np.isfinite(v) else "·"
            css.loc[g, col] = "color: #888888"
            continue
        if r["finding"]:
            up = r["direction"] == "higher"
            good = up if r["kind"] in ("benefit", "index") and m != "sacrifices" else not up
            text.loc[g, col] = f"{fmt} {'▲' if up else '▼'}"
            css.loc[g, col] = ("background-color: #d9f0d3; color: #1b7837" if good
                               else "background-color: #fddbc7; color: #b2182b")
        else:
            text.loc[g, col] = fmt
    caption = (f"{grouping}: each group against the rest. ▲/▼ significant after {table.attrs.get('adjust', '')} "
               f"adjustment (p < {table.attrs.get('alpha', '')}) with |effect| ≥ {table.attrs.get('min_effect', '')}; "
               "green good for the customer, red bad; · not compared (see the note)")
    return (text.style.set_uuid("valuekit").apply(lambda _: css, axis=None).set_caption(html.escape(caption))
            .format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
            .format_index_names(escape="html", axis=0))
