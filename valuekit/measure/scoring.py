"""The value equation per customer: Value = Benefits / Sacrifices.

:class:`ValueScorer` is a scikit-learn transformer built from a codebook. For every
respondent it returns a score for each benefit dimension (functional, economic,
experiential, symbolic) and facet, each sacrifice (time, money, energy, emotional, risk)
and risk type, a benefits index, a sacrifices index, ``value_ratio = benefits /
sacrifices``, its natural log, and a verdict: value **created**, **neutral** or
**destroyed**.

How a score is made
-------------------
1. Reverse-coded items are flipped on their own scale: ``x' = min + max - x``.
2. Items on another scale than the codebook's (e.g. 0-10) are mapped linearly onto it.
3. The *common scale* is the codebook's scale when it starts above zero; otherwise it is
   shifted to start at 1 (0-10 becomes 1-11), so every score is positive and the ratio is
   defined for every scored respondent. A sacrifice item on a scale starting at 0 (0-10:
   "no effort at all" = 0) is no exception: its 0 is the bottom of the common scale, 1
   (on a 1-11 common scale, or on the codebook's 1-5 when the item alone is 0-10), so the
   ratio of a respondent who reports no sacrifice at all is their benefits over that
   bottom (at most max / min of the common scale), never infinite. The sacrifices index
   is at least the common scale's minimum, so ``value_ratio`` lies between min / max and
   max / min.
4. A block score (dimension, facet, sacrifice) is the mean of the respondent's answered
   items. A respondent who answered fewer than ``min_answered`` (a share of the block's
   items, at least one item) gets a missing score, and ``unscored_reason`` says why.
5. The benefits index is the weighted mean of the dimension scores, the sacrifices index
   that of the sacrifice scores. An index needs at least ``min_blocks`` (a share of its
   blocks that carry weight, at least one) scored; when a block is missing, the index is
   the weighted mean of the scored blocks, their weights renormalised to sum to one. The
   default, half, is the rule of step 4 one level up: a single don't-know on a one-item
   sacrifice no longer costs the respondent the verdict. ``min_blocks=1`` asks for every
   block.
6. ``verdict`` is ``neutral`` when ``value_ratio`` lies within ``neutral_band`` of 1 on
   the log scale (``1 / (1 + band) <= ratio <= 1 + band``), ``created`` above, and
   ``destroyed`` below. The comparison is made on the indices (benefits against
   ``1 + band`` times the sacrifices, and the reverse) at a precision of ``1e-9`` scale
   points, and the indices are sums added in a fixed order, so a customer exactly on a
   boundary is ``neutral`` on every machine, whatever its CPU or BLAS thread count.

What the scorer accepts
-----------------------
Audited answers (:func:`valuekit.load_survey`, :func:`valuekit.audit_survey`): numbers on
each item's scale, missing as NaN. Data that has not been through the audit is refused
with a :class:`~valuekit.errors.SurveyError` naming the column, the values, how many cells
and the first rows: answers outside the item's scale (a sacrifice of 0 on a 1-5 scale, a
missing code such as 99), infinite values, and columns that are not numbers (text,
True/False). Scoring them would put a respondent off the scale, or give an infinite ratio
with the verdict "created"; the audit sets such cells missing and lists them. Every
argument is checked before any work (:class:`~valuekit.errors.ParameterError`, naming it).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import columns_arg, expected_error, frame_arg, grouping_arg, optional_frame
from ..errors import ParameterError
from ..survey.answers import construct_scores, survey_weights
from ..survey.audit import survey_first
from ..survey.codebook import Codebook
from .model import (VERDICTS, ScoreModel, _item_columns, _item_names, _mapped, common_scale, group_order, item_maps,
                    require_ratio, weights_arg)

__all__ = [
    "ValueScorer",
    "construct_scores",
    "item_matrix",
    "item_maps",
    "wilson_interval",
    "wilson_bounds",
    "common_scale",
    "summarize_value",
    "mean_scores",
    "survey_weights",
    "weighted_sd",
    "group_order",
    "group_masks",
    "VERDICTS",
    "require_ratio",
    "scored_mask",
]


def item_matrix(data: pd.DataFrame, codebook: Codebook, items: list[str] | None = None) -> np.ndarray:
    """Items as a float array, reverse-coded and mapped onto :func:`common_scale`.

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``): missing answers are NaN.
    codebook : Codebook
    items : list of str, optional
        Default: the benefit and sacrifice items.

    Returns
    -------
    ndarray of shape (n_respondents, n_items)

    Raises
    ------
    SurveyError
        An item column missing from ``data``, not numeric (text, True/False), or holding
        infinite values or answers outside the item's scale (data that has not been through
        the audit: :func:`valuekit.load_survey` sets such answers missing and lists them).
    """
    data = frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    items = codebook.value_items if items is None and isinstance(codebook, Codebook) else items
    items = _item_names(codebook, items)
    columns = _item_columns(data, codebook, items)
    return _mapped(columns, *item_maps(codebook, items), 0, len(data))



def wilson_interval(p, n_eff, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share ``p`` on an (effective) sample size ``n_eff``.

    With survey weights pass Kish's effective n. The interval always contains ``p``.

    >>> low, high = wilson_interval(0.2, 100)   # R: prop.test(20, 100, correct=FALSE)$conf.int
    >>> round(float(low), 6), round(float(high), 6)
    (0.133367, 0.288829)
    """

    confidence = _check.fraction("confidence", confidence)
    p, n_eff = _numbers_arg("p", p), _numbers_arg("n_eff", n_eff)
    if np.any(p < 0) or np.any(p > 1):
        raise expected_error("p", "shares from 0 to 1 (or NaN)", p.tolist() if p.size <= 5 else p)
    if np.any(n_eff <= 0):
        raise expected_error("n_eff", "sample sizes > 0 (or NaN)", n_eff.tolist() if n_eff.size <= 5 else n_eff)
    return wilson_bounds(p, n_eff, stats.norm.ppf(0.5 + confidence / 2))


def wilson_bounds(p, n_eff, z: float) -> tuple[np.ndarray, np.ndarray]:
    """The arithmetic of :func:`wilson_interval` for arrays that may hold NaN or empty groups
    (the comparison engine's; ``p`` and ``n_eff`` are not checked): the interval at the
    normal quantile ``z`` (> 0), clipped to [0, 1] and always containing ``p``."""
    z = _check.number("z", z, min=0, min_open=True)
    centre = (p + z ** 2 / (2 * n_eff)) / (1 + z ** 2 / n_eff)
    half = z * np.sqrt(p * (1 - p) / n_eff + z ** 2 / (4 * n_eff ** 2)) / (1 + z ** 2 / n_eff)
    return np.minimum(p, np.maximum(0.0, centre - half)), np.maximum(p, np.minimum(1.0, centre + half))


def _numbers_arg(name: str, value) -> np.ndarray:
    """Numbers (a scalar or an array) as a float array."""
    if isinstance(value, (str, bytes, dict, set)) or isinstance(value, bool):
        raise expected_error(name, "a number or an array of numbers", value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise expected_error(name, "a number or an array of numbers", value) from None


def weighted_sd(values: pd.Series, weights) -> float:
    """Survey-weighted standard deviation of the non-missing values (0 when constant)."""
    x = _numbers_arg("values", values)
    w = _numbers_arg("weights", weights)
    if x.ndim != 1 or w.shape != x.shape:
        raise ParameterError(f"weights: {w.size} weight(s) for {x.size} value(s); expected one per value "
                             "(both one-dimensional)", name="weights")
    ok = np.isfinite(x) & (w > 0)
    if ok.sum() < 2:
        return 0.0
    mean = np.average(x[ok], weights=w[ok])
    return float(np.sqrt(np.average((x[ok] - mean) ** 2, weights=w[ok])))


def group_masks(index: pd.Index, by, *, include_all: bool = True) -> list[tuple[object, np.ndarray]]:
    """``[("all", mask), (level, mask), ...]`` for a grouping aligned on ``index``.

    ``by`` is a Series (aligned by label) or an array (by position). Respondents whose group
    is missing form a group ``"(missing)"`` rather than vanishing. A Series must hold every
    label of ``index``, an array one value per respondent.
    """
    if not isinstance(index, pd.Index):
        raise expected_error("index", "a pandas Index", index)
    include_all = _check.flag("include_all", include_all)
    groups = [("all", np.ones(len(index), bool))] if include_all else []
    if by is None:
        return groups
    key = grouping_arg("by", by, index)
    missing = pd.isna(key).to_numpy()
    values = np.where(missing, None, key.astype(object).to_numpy())  # no pd.NA in comparisons
    for level in group_order(values[~missing]):
        groups.append((level, (values == level) & ~missing))
    if missing.any():
        groups.append(("(missing)", missing))
    return groups


@share_docs
class ValueScorer(TransformerMixin, BaseEstimator):
    """Score each respondent's benefits, sacrifices, value ratio and verdict.

    Parameters
    ----------
    {codebook}
    index_weights : {"equal", "stated"} or dict, default "equal"
        How dimension scores combine into the benefits index and sacrifice scores into the
        sacrifices index. ``"equal"``: the plain mean. ``"stated"``: the (survey-weighted)
        mean stated importance of each block, learned in ``fit`` from the codebook's
        ``importance`` columns. A dict gives a weight >= 0 per dimension and per sacrifice
        present in the codebook; weights are normalised within each index. (Survey weights,
        the weight of each respondent, are ``fit``'s ``sample_weight``.)
    min_answered : float, default 0.5
        Share of a block's items a respondent must have answered for the block to be
        scored (always at least one item).
    min_blocks : float, default 0.5
        Share of an index's blocks (those with a weight above zero) that must be scored
        for the benefits or sacrifices index to be computed (always at least one block);
        the index is then the weighted mean of the scored blocks. ``1.0``: every block.
    neutral_band : float, default 0.05
        Tolerance around a ratio of 1 within which the verdict is ``neutral``.
    {weights}

    Attributes
    ----------
    codebook_ : Codebook
    scale_ : Scale
        The common scale of every score.
    benefit_weights_, sacrifice_weights_ : Series
        The normalised weights of the two indices.
    feature_names_in_ : ndarray of str
        The item columns scored.

    Examples
    --------
    >>> from valuekit import load_survey, DEMO_DATA, DEMO_CODEBOOK
    >>> survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    >>> scores = ValueScorer(DEMO_CODEBOOK).fit_transform(survey.data)
    >>> list(scores.columns[-6:])
    ['benefits', 'sacrifices', 'value_ratio', 'log_value_ratio', 'verdict', 'unscored_reason']
    """

    def __init__(self, codebook, *, index_weights="equal", min_answered=0.5, min_blocks=0.5, neutral_band=0.05,
                 weights=None):
        self.codebook = codebook
        self.index_weights = index_weights
        self.min_answered = min_answered
        self.min_blocks = min_blocks
        self.neutral_band = neutral_band
        self.weights = weights

    # -- fitting ----------------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None):
        """Validate the data and parameters; learn stated-importance weights if asked.

        Parameters
        ----------
        X : DataFrame
            Recoded survey data with the codebook's item columns.
        y : ignored
        sample_weight : array-like, optional
            Survey weights. Default: the codebook's weight column when present in ``X``.

        Raises
        ------
        ParameterError
            A parameter (``index_weights``, ``min_answered``, ``min_blocks``, ``neutral_band``,
            ``codebook``), ``X`` or ``sample_weight`` of the wrong type or out of range,
            checked here as scikit-learn does, before any work.
        SurveyError
            No respondents, an item column missing, or (``index_weights="stated"``) importance
            answers off their scale or missing.
        """
        index_weights = self.index_weights
        if self.weights is not None:  # the 0.1 name, kept for one release
            warnings.warn("ValueScorer(weights=...) is now index_weights=... (how the blocks combine into the "
                          "indices; survey weights are fit's sample_weight); weights= goes in the next release",
                          FutureWarning, stacklevel=2)
            index_weights = self.weights
        model = ScoreModel.fit(self.codebook, X, index_weights=index_weights, min_answered=self.min_answered,
                               min_blocks=self.min_blocks, neutral_band=self.neutral_band,
                               sample_weight=sample_weight)
        self._model = model
        for name in ("codebook_", "scale_", "feature_names_in_", "n_features_in_", "benefit_weights_",
                     "sacrifice_weights_"):
            setattr(self, name, getattr(model, name))
        return self

    # -- output ---------------------------------------------------------------------
    def get_feature_names_out(self, input_features=None):
        """The names of the score columns :meth:`transform` returns, in order."""
        check_is_fitted(self, "codebook_")
        return self._model.get_feature_names_out()

    def transform(self, X):
        """Scores per respondent, as a DataFrame on ``X``'s index.

        Columns: one per dimension and sacrifice, one per facet (``dimension__facet``),
        ``benefits``, ``sacrifices``, ``value_ratio``, ``log_value_ratio``, ``verdict``
        (categorical: destroyed < neutral < created) and ``unscored_reason`` (empty when
        the respondent was scored). A benefits-only codebook (no ``sacrifices:``) has no
        ``sacrifices``, ``value_ratio``, ``log_value_ratio`` or ``verdict`` columns, and a
        respondent is scored when the benefits index is.

        Raises
        ------
        SurveyError
            Answers the scorer cannot use as given: an item column missing, not numeric
            (text, True/False), or holding infinite values or answers outside the item's
            scale, naming the columns, values, number of cells and first rows. Such data has
            not been through the audit (:func:`valuekit.load_survey`), which sets those
            answers missing and lists them; scoring them would give ratios far off the
            scale, or infinite (a sacrifice of 0 on a 1-5 scale).
        """
        check_is_fitted(self, "codebook_")
        return self._model.transform(X)

    def score_items(self, M: np.ndarray, *, base: tuple | None = None, changed=None):
        """The value equation on an item matrix (:func:`item_matrix`'s output).

        The one computation behind :meth:`transform`, exposed so a what-if scenario that
        changes answers is rescored by exactly the same arithmetic.

        ``base`` (this method's result on an item matrix with the same answers missing)
        and ``changed`` (positions of the item columns in which ``M`` differs from it) let
        only the blocks and facets holding those items be averaged again; the others are
        taken from ``base``, and the indices, ratio and verdict are computed as always.

        Returns
        -------
        tuple
            ``(scores, benefits, sacrifices, ratio, log_ratio, code, counts)``: block and
            facet scores (columns as ``get_feature_names_out()[:k]``), the two indices,
            the ratio and its log, the verdict code (0 destroyed, 1 neutral, 2 created,
            -1 unscored) and the answered-item counts per block.
        """
        check_is_fitted(self, "codebook_")
        return self._model.score_items(M, base=base, changed=changed)


def scored_mask(scores: pd.DataFrame) -> np.ndarray:
    """Which respondents the scorer scored: a value ratio, or (benefits-only) a benefits index."""
    scores_arg("scores", scores, ["benefits"])
    return scores["value_ratio" if "value_ratio" in scores.columns else "benefits"].notna().to_numpy()


def scores_arg(name: str, value, columns: list[str] = ()) -> pd.DataFrame:
    """ValueScorer output (a DataFrame) holding ``columns``."""
    value = frame_arg(name, value, "a DataFrame of scores (ValueScorer output)")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ParameterError(f"{name}: column(s) {missing} not found; expected the ValueScorer output "
                             f"(available: {list(value.columns)})", name=name)
    return value


def _resolve(scores, data, by, weights):
    """The checked arguments of mean_scores and summarize_value: group masks, weights, the grouping's name."""
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    data = optional_frame("data", data)
    w = weights_arg(weights, scores, data)
    groups = grouping_arg("by", by, scores.index, {"scores": scores, "data": data})
    name = getattr(groups, "name", None) or "group"
    masks = group_masks(scores.index, groups, include_all=groups is None)
    return masks, w, name


@survey_first("data", "weights")
@share_docs
def mean_scores(scores: pd.DataFrame, *, columns: list[str] | None = None,
                by: str | pd.Series | None = None, weights=None,
                data: pd.DataFrame | None = None) -> pd.DataFrame:
    """(Weighted) mean of score columns, overall or per group; missing scores are skipped.

    Parameters
    ----------
    {scores}
    columns : list of str, optional
        Default: every numeric score column except the log ratio.
    by, data
        As in :func:`summarize_value`.
    {weights}

    Returns
    -------
    DataFrame
        One row per group, one column per score.
    """
    masks, w, key_name = _resolve(scores, data, by, weights)
    if columns is None:
        columns = [c for c in scores.select_dtypes("number").columns if c != "log_value_ratio"]
    else:
        columns = columns_arg("columns", columns, {"scores": scores}, numeric=True)
    rows = {}
    values = scores[columns].to_numpy(float)
    for name, mask in masks:
        X = values[mask]
        ww = w[mask][:, None] * np.isfinite(X)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows[name] = np.nansum(np.nan_to_num(X) * ww, axis=0) / ww.sum(axis=0)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out.index.name = key_name
    return out


@survey_first("data", "weights")
@share_docs
def summarize_value(scores: pd.DataFrame, *, by: str | pd.Series | None = None,
                    weights: str | pd.Series | np.ndarray | None = None,
                    data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of customers for whom value is created, neutral or destroyed; mean scores.

    Parameters
    ----------
    {scores}
    by : str or Series, optional
        Grouping: a column of ``scores`` or ``data``, or a Series aligned on ``scores``'
        index by label. Respondents with a missing group form the group ``"(missing)"``.
    {weights}
        Unscored respondents are counted in ``n`` and ``n_unscored`` but not in the shares.
    data : DataFrame, optional
        Where ``by`` and ``weights`` columns are looked up when not in ``scores``.

    Returns
    -------
    DataFrame
        One row per group (or one row ``all``): ``n``, ``n_scored``, ``n_unscored``,
        ``weighted_n``, ``share_created``, ``share_neutral``, ``share_destroyed``,
        ``mean_benefits``, ``mean_sacrifices``, ``mean_value_ratio``,
        ``median_value_ratio`` (the lower weighted median: the smallest ratio at which the
        cumulative weight reaches half) and ``geometric_mean_ratio`` (exp of the mean log
        ratio).
    """
    masks, w, key_name = _resolve(scores, data, by, weights)
    require_ratio(scores, "summarize_value")
    scores_arg("scores", scores, ["verdict", "benefits", "sacrifices", "log_value_ratio"])
    rows = []
    for name, mask in masks:
        s = scores[mask]
        ww = w[mask]
        scored = s["value_ratio"].notna().to_numpy()
        wsum = ww[scored].sum()
        row = {"group": name, "n": len(s), "n_scored": int(scored.sum()),
               "n_unscored": int((~scored).sum()), "weighted_n": float(wsum)}
        for v in VERDICTS:
            hit = (s["verdict"] == v).to_numpy()
            row[f"share_{v}"] = float(ww[hit].sum() / wsum) if wsum > 0 else np.nan
        for col in ("benefits", "sacrifices", "value_ratio"):
            x = s[col].to_numpy()[scored]
            row[f"mean_{col}"] = float(np.average(x, weights=ww[scored])) if wsum > 0 else np.nan
        row["median_value_ratio"] = _weighted_median(s["value_ratio"].to_numpy()[scored], ww[scored])
        lr = s["log_value_ratio"].to_numpy()[scored]
        row["geometric_mean_ratio"] = float(np.exp(np.average(lr, weights=ww[scored]))) if wsum > 0 else np.nan
        rows.append(row)
    out = pd.DataFrame(rows).set_index("group")
    out.index.name = key_name
    return out


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """The smallest x at which the cumulative weight reaches half the total."""
    if x.size == 0 or w.sum() <= 0:
        return np.nan
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2)])
