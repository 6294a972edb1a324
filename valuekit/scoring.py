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
   ``destroyed`` below.

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

import math
import os
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import _check
from .codebook import Codebook, NoSacrificesError, Scale, no_sacrifices_message, read_codebook
from ._args import (_align, _bare, _codebook_arg, _columns_arg, _expected, _frame_arg, _grouping_arg,
    _optional_frame, _shown)
from .errors import ParameterError, SurveyError

__all__ = [
    "ValueScorer",
    "construct_scores",
    "item_matrix",
    "item_maps",
    "wilson_interval",
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

#: The three verdicts, from worst to best.
VERDICTS = ("destroyed", "neutral", "created")


# -- the answers the scorer can use ------------------------------------------------------------

_AUDIT_HINT = ("Such answers are what the audit handles: load the survey with valuekit.load_survey (or pass "
               "the raw table through valuekit.audit_survey), which sets answers outside an item's scale, "
               "missing codes and text missing and lists each such cell in survey.audit.cells")


def _answers(series: pd.Series, col: str, scale: Scale, out: np.ndarray) -> str | None:
    """Fill ``out`` with a rated column's answers as floats; what is wrong with them, or None
    (see :func:`_answer_values`)."""
    values, problem = _answer_values(series, col, scale)
    if values is not None:
        out[:] = values
    return problem


def _answer_values(series: pd.Series, col: str, scale: Scale) -> tuple[np.ndarray | None, str | None]:
    """A rated column's answers as floats (a view when the column already holds floats),
    or what is wrong with them.

    Refused: a column that is not numeric (text, True/False), infinite values, and answers
    outside the item's scale (the audit's ``out_of_range`` cells). Two reductions decide
    the usual, clean case; the cells are only located when something is wrong.
    """
    dtype = series.dtype
    if dtype == object and series.isna().all():  # nobody answered (e.g. a column of None): all missing
        return np.full(len(series), np.nan), None
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        shown = "True/False" if pd.api.types.is_bool_dtype(dtype) else str(dtype)
        return None, f"item column '{col}' holds {shown} values, not numbers"
    out = series.to_numpy(dtype=float, na_value=np.nan)
    if not len(out):
        return out, None
    lo, hi = np.fmin.reduce(out), np.fmax.reduce(out)
    if not (lo < scale.min or hi > scale.max or np.isinf(lo) or np.isinf(hi)):
        return out, None
    bad = (out < scale.min) | (out > scale.max) | np.isinf(out)
    values = np.unique(out[bad])
    n_bad = int(bad.sum())
    rows = ", ".join(map(str, series.index[bad][:5])) + (", ..." if n_bad > 5 else "")
    shown = ", ".join(f"{v:g}" for v in values[:8]) + (", ..." if len(values) > 8 else "")
    infinite = " or infinite" if np.isinf(values).any() else ""
    return None, (f"item column '{col}' has {n_bad} answer(s) outside its scale {scale}{infinite}: value(s) "
                  f"{shown} (first rows: {rows})")


def _refuse(problems: list[str]) -> None:
    if problems:
        raise SurveyError("; ".join(problems) + f". {_AUDIT_HINT}")


def common_scale(codebook: Codebook) -> Scale:
    """The scale every score is reported on: the codebook's, shifted to start at 1 if needed.

    >>> from valuekit import Codebook
    >>> cb = Codebook.from_dict({"id": "id", "scale": {"min": 0, "max": 10},
    ...     "benefits": {"functional": ["a"]}, "sacrifices": {"money": ["b"]}})
    >>> common_scale(cb)
    Scale(min=1.0, max=11.0)
    """
    s = _codebook_arg("codebook", codebook).scale
    return s if s.min > 0 else Scale(1.0, s.max - s.min + 1.0)


def item_maps(codebook: Codebook, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The linear map ``x -> a + b x`` of each item's answers onto :func:`common_scale`.

    Reverse-coding is folded in (``b < 0`` for a reverse-keyed item), so ``a + b x`` is the
    answer in the direction of what the item measures, on the common scale.
    """
    items = _item_names(codebook, items)
    target = common_scale(codebook)
    a, b = np.empty(len(items)), np.empty(len(items))
    for j, col in enumerate(items):
        s = codebook.items[col].scale
        b[j] = (target.max - target.min) / (s.max - s.min)
        a[j] = target.min - s.min * b[j]
        if codebook.items[col].reverse:
            a[j], b[j] = a[j] + (s.min + s.max) * b[j], -b[j]
    return a, b


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
    data = _frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    items = codebook.value_items if items is None and isinstance(codebook, Codebook) else items
    items = _item_names(codebook, items)
    columns = _item_columns(data, codebook, items)
    return _mapped(columns, *item_maps(codebook, items), 0, len(data))


def _item_columns(data: pd.DataFrame, codebook: Codebook, items: list[str]) -> list[np.ndarray]:
    """The answers of each item as floats (views where the columns hold floats), every
    column checked as :func:`item_matrix` checks them (SurveyError naming each refused one)."""
    _require_items(data, items)
    columns, problems = [], []
    for col in items:
        values, problem = _answer_values(data[col], col, codebook.items[col].scale)
        columns.append(values)
        if problem:
            problems.append(problem)
    _refuse(problems)
    return columns


def _mapped(columns: list[np.ndarray], a: np.ndarray, b: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the item matrix: each answer mapped by ``x -> a + b x``
    (reverse-coding, then onto the common scale), one contiguous column per item."""
    M = np.empty((stop - start, len(columns)), dtype=float, order="F")
    for j, values in enumerate(columns):
        out = M[:, j]
        out[:] = values[start:stop]
        if b[j] != 1:
            out *= b[j]
        if a[j] != 0:
            out += a[j]
    return M


def _item_names(codebook, items) -> list[str]:
    """``items``: rated columns of the codebook."""
    codebook = _codebook_arg("codebook", codebook)
    items = _check.names("items", items)
    unknown = [c for c in items if c not in codebook.items]
    if unknown:
        raise ParameterError(f"items: {unknown} are not rated items of the codebook; expected some of "
                             f"{list(codebook.items)}", name="items")
    return items


def _require_items(data: pd.DataFrame, items: list[str]) -> None:
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise SurveyError(f"item column(s) {missing} not found in data; available: {list(data.columns)}")


def construct_scores(data: pd.DataFrame, codebook: Codebook, *, min_answered: float = 0.5) -> pd.DataFrame:
    """Scores of the multi-item outcomes and constructs (:attr:`Codebook.scales`).

    Each is the mean of the respondent's answered items, reverse-keyed items flipped on
    their own scale, on the scale of the construct's first item (other items mapped onto it
    linearly); missing when fewer than ``min_answered`` of its items (at least one) were
    answered, the rule the scorer applies to a block. :func:`valuekit.load_survey` adds these
    columns to the data, named as the outcome or construct.

    >>> from valuekit import Codebook
    >>> cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f"]},
    ...     "constructs": {"trust": ["t1", "t2", "t3"]}, "items": {"t3": {"reverse": True}}})
    >>> frame = pd.DataFrame({"f": [3, 4], "t1": [4, 5], "t2": [5, None], "t3": [2, None]})
    >>> construct_scores(frame, cb)["trust"].tolist()   # (4 + 5 + 4) / 3; then 5 alone: 1 of 3
    [4.333333333333333, nan]
    """
    data = _frame_arg("data", data, "a DataFrame of survey answers")
    codebook = _codebook_arg("codebook", codebook)
    min_answered = _check.number("min_answered", min_answered, min=0, max=1, min_open=True)
    _require_items(data, [c for cols in codebook.scales.values() for c in cols])
    out, problems = {}, []
    for name, cols in codebook.scales.items():
        target = codebook.items[cols[0]].scale
        X = np.empty((len(data), len(cols)))
        for j, col in enumerate(cols):
            item = codebook.items[col]
            x = np.empty(len(data))
            problem = _answers(data[col], col, item.scale, x)
            if problem:
                problems.append(problem)
                continue
            if item.reverse:
                x = item.scale.min + item.scale.max - x
            X[:, j] = target.min + (x - item.scale.min) * (target.max - target.min) / (item.scale.max - item.scale.min)
        answered = (~np.isnan(X)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nansum(X, axis=1) / answered
        mean[answered < max(1, math.ceil(min_answered * len(cols) - 1e-9))] = np.nan
        out[name] = mean
    _refuse(problems)
    return pd.DataFrame(out, index=data.index)


def wilson_interval(p, n_eff, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a share ``p`` on an (effective) sample size ``n_eff``.

    With survey weights pass Kish's effective n. The interval always contains ``p``.

    >>> low, high = wilson_interval(0.2, 100)   # R: prop.test(20, 100, correct=FALSE)$conf.int
    >>> round(float(low), 6), round(float(high), 6)
    (0.133367, 0.288829)
    """
    from scipy import stats

    confidence = _check.fraction("confidence", confidence)
    p, n_eff = _numbers_arg("p", p), _numbers_arg("n_eff", n_eff)
    if np.any(p < 0) or np.any(p > 1):
        raise _expected("p", "shares from 0 to 1 (or NaN)", p.tolist() if p.size <= 5 else p)
    if np.any(n_eff <= 0):
        raise _expected("n_eff", "sample sizes > 0 (or NaN)", n_eff.tolist() if n_eff.size <= 5 else n_eff)
    z = stats.norm.ppf(0.5 + confidence / 2)
    centre = (p + z ** 2 / (2 * n_eff)) / (1 + z ** 2 / n_eff)
    half = z * np.sqrt(p * (1 - p) / n_eff + z ** 2 / (4 * n_eff ** 2)) / (1 + z ** 2 / n_eff)
    return np.minimum(p, np.maximum(0.0, centre - half)), np.maximum(p, np.minimum(1.0, centre + half))


def survey_weights(weights, n: int, *, index: pd.Index | None = None, name: str = "weights") -> np.ndarray:
    """Survey weights as a validated float array of length ``n`` (ones when ``None``).

    A Series is matched to ``index`` when given, by label, not position: every label of
    ``index`` must be in its index. Anything else is taken by position. Raises
    :class:`~valuekit.errors.ParameterError` (named ``name``) for weights of the wrong
    length or index, not numbers, negative, infinite or missing, or all zero.
    """
    n = _check.integer("n", n, min=0)
    if index is not None and not isinstance(index, pd.Index):
        raise _expected("index", "None or a pandas Index", index)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, (str, bytes, dict, set)) or np.ndim(weights) != 1:
        raise _expected(name, f"None or one weight per respondent ({n} numbers)", weights)
    if isinstance(weights, pd.Series):
        if index is not None:
            weights = _align(name, weights, index)
        if pd.api.types.is_bool_dtype(weights.dtype) or not pd.api.types.is_numeric_dtype(weights.dtype):
            raise _expected(name, "numbers", f"a Series of {weights.dtype}")
        w = weights.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            w = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise _expected(name, "numbers (one weight per respondent)", weights) from None
    if w.shape != (n,):
        raise ParameterError(f"{name}: {len(w)} weight(s) for {n} respondent(s); expected one per respondent",
                             name=_bare(name))
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        where = f"respondent {index[first]!r}" if index is not None else f"position {first}"
        raise ParameterError(f"{name}: weights must be finite and >= 0; {int(bad.sum())} are not "
                             f"(first: {w[first]:g} at {where})", name=_bare(name))
    if n and not w.any():
        raise ParameterError(f"{name}: all weights are zero ({n} respondent(s)); expected at least one "
                             "positive weight", name=_bare(name))
    return w


def _numbers_arg(name: str, value) -> np.ndarray:
    """Numbers (a scalar or an array) as a float array."""
    if isinstance(value, (str, bytes, dict, set)) or isinstance(value, bool):
        raise _expected(name, "a number or an array of numbers", value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _expected(name, "a number or an array of numbers", value) from None


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


def group_order(levels) -> list:
    """Group labels in a natural order: numbers numerically (2 before 10), then text."""
    if isinstance(levels, (str, bytes, dict)) or not hasattr(levels, "__iter__"):
        raise _expected("levels", "an iterable of group labels", levels)
    levels = [v for v in dict.fromkeys(levels) if not pd.isna(v)]
    return sorted(levels, key=lambda v: (0, float(v), "") if isinstance(v, (int, float, np.number))
                  and not isinstance(v, bool) else (1, 0.0, str(v)))


def group_masks(index: pd.Index, by, *, include_all: bool = True) -> list[tuple[object, np.ndarray]]:
    """``[("all", mask), (level, mask), ...]`` for a grouping aligned on ``index``.

    ``by`` is a Series (aligned by label) or an array (by position). Respondents whose group
    is missing form a group ``"(missing)"`` rather than vanishing. A Series must hold every
    label of ``index``, an array one value per respondent.
    """
    if not isinstance(index, pd.Index):
        raise _expected("index", "a pandas Index", index)
    include_all = _check.flag("include_all", include_all)
    groups = [("all", np.ones(len(index), bool))] if include_all else []
    if by is None:
        return groups
    key = _grouping_arg("by", by, index)
    missing = pd.isna(key).to_numpy()
    values = np.where(missing, None, key.astype(object).to_numpy())  # no pd.NA in comparisons
    for level in group_order(values[~missing]):
        groups.append((level, (values == level) & ~missing))
    if missing.any():
        groups.append(("(missing)", missing))
    return groups


def _check_weights(weights, names: list[str], key: str) -> np.ndarray:
    unknown = [k for k in weights if k not in names]
    if unknown:
        raise ParameterError(f"weights: unknown {key} {unknown}; this codebook has {names}", name="weights")
    absent = [k for k in names if k not in weights]
    if absent:
        raise ParameterError(f"weights: no weight for {key} {absent}; give one for each of {names}", name="weights")
    values = []
    for name in names:
        w = weights[name]
        if isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(w) or w < 0:
            raise ParameterError(f"weights['{name}'] must be a finite number >= 0, got {w!r}", name="weights")
        values.append(float(w))
    values = np.array(values)
    if values.sum() <= 0:
        raise ParameterError(f"weights for the {key} sum to zero; at least one must be positive", name="weights")
    return values / values.sum()


#: Respondents scored at a time by :meth:`ValueScorer.transform` (memory, not results:
#: every respondent's score is computed the same way in any chunk).
SCORE_CHUNK_ROWS = 1 << 16


class ValueScorer(TransformerMixin, BaseEstimator):
    """Score each respondent's benefits, sacrifices, value ratio and verdict.

    Parameters
    ----------
    codebook : Codebook or path
        The survey's codebook.
    weights : {"equal", "stated"} or dict, default "equal"
        How dimension scores combine into the benefits index and sacrifice scores into the
        sacrifices index. ``"equal"``: the plain mean. ``"stated"``: the (survey-weighted)
        mean stated importance of each block, learned in ``fit`` from the codebook's
        ``importance`` columns. A dict gives a weight >= 0 per dimension and per sacrifice
        present in the codebook; weights are normalised within each index.
    min_answered : float, default 0.5
        Share of a block's items a respondent must have answered for the block to be
        scored (always at least one item).
    min_blocks : float, default 0.5
        Share of an index's blocks (those with a weight above zero) that must be scored
        for the benefits or sacrifices index to be computed (always at least one block);
        the index is then the weighted mean of the scored blocks. ``1.0``: every block.
    neutral_band : float, default 0.05
        Tolerance around a ratio of 1 within which the verdict is ``neutral``.

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

    def __init__(self, codebook, *, weights="equal", min_answered=0.5, min_blocks=0.5, neutral_band=0.05):
        self.codebook = codebook
        self.weights = weights
        self.min_answered = min_answered
        self.min_blocks = min_blocks
        self.neutral_band = neutral_band

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
            A parameter (``weights``, ``min_answered``, ``min_blocks``, ``neutral_band``,
            ``codebook``), ``X`` or ``sample_weight`` of the wrong type or out of range,
            checked here as scikit-learn does, before any work.
        SurveyError
            No respondents, an item column missing, or (``weights="stated"``) importance
            answers off their scale or missing.
        """
        if not isinstance(self.codebook, (Codebook, dict, str, os.PathLike)):
            raise _expected("codebook", "a Codebook, a parsed codebook (dict) or the path of a YAML codebook",
                            self.codebook)
        cb = read_codebook(self.codebook)
        for name in ("min_answered", "min_blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
                raise ParameterError(f"{name} must be a share in (0, 1], got {_shown(value)}", name=name)
        if isinstance(self.neutral_band, bool) or not isinstance(self.neutral_band, Real) \
                or not 0 <= self.neutral_band < 1:
            raise ParameterError(f"neutral_band must be in [0, 1), got {_shown(self.neutral_band)}",
                                 name="neutral_band")
        if not (isinstance(self.weights, dict) or (isinstance(self.weights, str)
                                                   and self.weights in ("equal", "stated"))):
            raise ParameterError("weights must be 'equal', 'stated' or a dict of a weight per dimension and "
                                 f"sacrifice, got {_shown(self.weights)}", name="weights")
        X = _frame_arg("X", X, "a DataFrame with the codebook's columns (Survey.data)")
        if len(X) == 0:
            raise SurveyError("ValueScorer.fit got no respondents (0 rows)")
        if sample_weight is not None:
            survey_weights(sample_weight, len(X), index=X.index, name="sample_weight")
        items = cb.value_items
        _require_items(X, items)

        self.codebook_ = cb
        self.scale_ = common_scale(cb)
        self.feature_names_in_ = np.array(items, dtype=object)
        self.n_features_in_ = len(items)
        dims, sacs = cb.dimensions, cb.sacrifices

        if isinstance(self.weights, str) and self.weights == "equal":
            bw, sw = np.full(len(dims), 1 / len(dims)), np.full(len(sacs), 1 / max(len(sacs), 1))
        elif isinstance(self.weights, str) and self.weights == "stated":
            absent = [b for b in dims + sacs if b not in cb.importance]
            if absent:
                raise ParameterError(f"weights='stated' needs an importance column for every dimension and "
                                     f"sacrifice; codebook key 'importance' lacks {absent}", name="weights")
            sw_survey = self._sample_weight(X, sample_weight, cb)
            columns = [cb.importance[block] for block in dims + sacs]
            _require_items(X, columns)
            importance = np.empty((len(X), len(columns)))
            _refuse([p for j, col in enumerate(columns)
                     if (p := _answers(X[col], col, cb.items[col].scale, importance[:, j]))])
            means = {}
            for j, block in enumerate(dims + sacs):
                col = columns[j]
                x = importance[:, j]
                ok = np.isfinite(x) & np.isfinite(sw_survey)
                if not ok.any():
                    raise SurveyError(f"importance column '{col}' ({block}) has no answers")
                means[block] = float(np.average(x[ok], weights=sw_survey[ok])) - cb.items[col].scale.min
            for group in (dims, sacs):
                if group and not any(means[b] > 0 for b in group):
                    raise SurveyError(f"stated importance of {group} is at the bottom of the scale "
                                     "for all of them; cannot weight by it")
            bw = _check_weights({d: means[d] for d in dims}, dims, "dimensions")
            sw = _check_weights({s: means[s] for s in sacs}, sacs, "sacrifices") if sacs else np.empty(0)
        elif isinstance(self.weights, dict):
            extra = [k for k in self.weights if k not in dims + sacs]
            if extra:
                raise ParameterError(f"weights: unknown dimension or sacrifice {extra}; this codebook has "
                                     f"{dims + sacs}", name="weights")
            bw = _check_weights({k: v for k, v in self.weights.items() if k in dims}, dims, "dimensions")
            sw = (_check_weights({k: v for k, v in self.weights.items() if k in sacs}, sacs, "sacrifices")
                  if sacs else np.empty(0))
        else:  # checked above
            raise _expected("weights", "'equal', 'stated' or a dict of weights", self.weights)
        self.benefit_weights_ = pd.Series(bw, index=dims, name="weight")
        self.sacrifice_weights_ = pd.Series(sw, index=sacs, name="weight")

        # block membership: columns of a 0/1 matrix, one per score
        blocks: dict[str, list[int]] = {}
        for j, col in enumerate(items):
            item = cb.items[col]
            blocks.setdefault(item.block, []).append(j)
        facets: dict[str, list[int]] = {}
        for j, col in enumerate(items):
            item = cb.items[col]
            if item.facet is not None:
                facets.setdefault(f"{item.block}__{item.facet}", []).append(j)
        self._score_names = [*dims, *sacs, *(f for f in facets)]
        groups = [blocks[b] for b in dims + sacs] + list(facets.values())
        self._membership = np.zeros((len(items), len(groups)))
        for g, idx in enumerate(groups):
            self._membership[idx, g] = 1.0
        sizes = self._membership.sum(axis=0)
        self._min_count = np.maximum(1, np.ceil(self.min_answered * sizes - 1e-9))
        self._sizes = sizes
        # blocks each index needs: a share of the blocks that carry weight, at least one
        self._min_blocks = tuple(max(1, math.ceil(self.min_blocks * int((w > 0).sum()) - 1e-9))
                                 for w in (bw, sw))
        return self

    @staticmethod
    def _sample_weight(X, sample_weight, cb) -> np.ndarray:
        if sample_weight is None and cb.weight and cb.weight in X.columns:
            return survey_weights(X[cb.weight], len(X), index=X.index, name=f"sample_weight (column '{cb.weight}')")
        return survey_weights(sample_weight, len(X), index=X.index, name="sample_weight")

    # -- output ---------------------------------------------------------------------
    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "codebook_")
        ratio = ["sacrifices", "value_ratio", "log_value_ratio", "verdict"] if self.codebook_.has_sacrifices else []
        return np.array([*self._score_names, "benefits", *ratio, "unscored_reason"], dtype=object)

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
        X = _frame_arg("X", X, "a DataFrame with the codebook's columns (Survey.data)")
        cb = self.codebook_
        items = list(self.feature_names_in_)
        columns = _item_columns(X, cb, items)
        a, b = item_maps(cb, items)
        nd, ns = len(cb.dimensions), len(cb.sacrifices)
        bw, sw = self.benefit_weights_.to_numpy(), self.sacrifice_weights_.to_numpy()
        names = list(self.get_feature_names_out())
        floats = [c for c in names if c not in ("verdict", "unscored_reason")]
        k = len(self._score_names)
        n = len(X)
        # every float column in one block, filled a chunk of rows at a time: the item matrix
        # and its temporaries stay a few MB whatever the survey's size, and each
        # respondent's arithmetic is the same as on the whole
        F = np.empty((n, len(floats)), order="F")
        code = np.empty(n, np.int8)
        unscored, needed = [], []
        for start in range(0, n, SCORE_CHUNK_ROWS):
            stop = min(start + SCORE_CHUNK_ROWS, n)
            scores, benefits, sacrifices, ratio, log_ratio, verdict, counts = self.score_items(
                _mapped(columns, a, b, start, stop))
            F[start:stop, :k] = scores
            F[start:stop, k] = benefits
            if cb.has_sacrifices:
                F[start:stop, k + 1:k + 4] = np.column_stack([sacrifices, ratio, log_ratio])
            code[start:stop] = verdict
            missing = np.flatnonzero(np.isnan(ratio if cb.has_sacrifices else benefits))
            unscored.append(missing + start)
            needed.append(counts[missing, :nd + ns])
        out = pd.DataFrame(F, index=X.index, columns=floats, copy=False)
        if cb.has_sacrifices:
            out["verdict"] = pd.Categorical.from_codes(code, categories=list(VERDICTS), ordered=True)
        unscored = np.concatenate(unscored) if unscored else np.zeros(0, np.intp)
        which = np.zeros(n, np.int64)  # 0: scored (""), else 1 + the pattern of answered counts
        texts = [""]
        if unscored.size:  # one text per distinct pattern of answered counts, not per respondent
            needed = np.concatenate(needed)
            needed[:, ~np.concatenate([bw > 0, sw > 0])] = np.inf  # weight 0: never the reason
            patterns, inverse = np.unique(needed, axis=0, return_inverse=True)
            texts += [self._reason(p) for p in patterns]
            which[unscored] = 1 + inverse.ravel()
        out["unscored_reason"] = _check.str_take(texts, which)
        return out

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
        cb = self.codebook_
        k = len(self.feature_names_in_)
        if not isinstance(M, np.ndarray) or M.ndim != 2 or M.shape[1] != k or M.dtype.kind != "f":
            raise _expected("M", f"a float array with {k} columns (item_matrix's output)",
                            f"{type(M).__name__} of shape {getattr(M, 'shape', '?')}")
        if base is None:
            cols, items = slice(None), slice(None)
            counts, scores = None, None
        else:
            if not isinstance(base, tuple) or len(base) != 7 or np.shape(base[0])[0] != len(M):
                raise _expected("base", "this method's result on an item matrix of the same respondents", base)
            changed = np.asarray(changed if changed is not None else [], dtype=float)
            if changed.ndim != 1 or not changed.size or np.any(changed != np.round(changed)) \
                    or np.any(changed < 0) or np.any(changed >= k):
                raise _expected("changed", f"positions of item columns (0 to {k - 1}) with base", changed.tolist())
            counts, scores = base[6], base[0].copy()
            cols = np.flatnonzero(self._membership[changed.astype(np.intp)].any(axis=0))
            items = np.flatnonzero(self._membership[:, cols].any(axis=1))
        sub = M[:, items]
        answered = ~np.isnan(sub)
        membership = self._membership[items][:, cols]
        if counts is None:
            counts = answered.astype(float) @ membership
        sums = np.where(answered, sub, 0.0) @ membership
        with np.errstate(invalid="ignore", divide="ignore"):
            part = sums / counts[:, cols]
        part[counts[:, cols] < self._min_count[cols]] = np.nan
        if scores is None:
            scores = part
        else:
            scores[:, cols] = part

        nd, ns = len(cb.dimensions), len(cb.sacrifices)
        bw, sw = self.benefit_weights_.to_numpy(), self.sacrifice_weights_.to_numpy()
        # an index needs min_blocks of the blocks that carry weight; a block weighted 0
        # neither counts nor stops a respondent from being scored
        benefits = _index(scores[:, :nd], bw, self._min_blocks[0])
        sacrifices = (_index(scores[:, nd:nd + ns], sw, self._min_blocks[1]) if ns
                      else np.full(len(M), np.nan))  # benefits-only: no sacrifices, no ratio
        # on the common scale (min >= 1 when the codebook's starts at 0 or below) both indices
        # are positive: the ratio is finite for every scored respondent. An item matrix off
        # that scale would give a ratio far off it, infinite or negative: refused.
        self._check_on_scale(benefits, sacrifices)
        ratio = benefits / sacrifices
        log_ratio = np.log(ratio)
        band = math.log1p(self.neutral_band)
        code = np.where(log_ratio > band, 2, np.where(log_ratio < -band, 0, 1))
        code = np.where(np.isnan(log_ratio), -1, code)
        return scores, benefits, sacrifices, ratio, log_ratio, code, counts

    def _check_on_scale(self, *indices: np.ndarray) -> None:
        lo, hi = self.scale_.min, self.scale_.max
        tol = 1e-9 * (hi - lo)
        for x in indices:
            if not len(x):
                continue
            low, high = np.fmin.reduce(x), np.fmax.reduce(x)
            if low < lo - tol or high > hi + tol:  # an infinite index is off the scale too
                raise ParameterError(f"M: answers off the common scale {self.scale_} (an index from "
                                     f"{low:g} to {high:g}); an item matrix from item_matrix holds every "
                                     "answer on it", name="M")

    def _reason(self, counts: np.ndarray) -> str:
        cb = self.codebook_
        blocks = cb.dimensions + cb.sacrifices
        nd = len(cb.dimensions)
        ns = len(blocks) - nd
        if counts[:nd].sum() == 0 and ns and counts[nd:].sum() == 0:
            return "no benefit or sacrifice item answered"
        if counts[:nd].sum() == 0:
            return "no benefit item answered"
        if ns and counts[nd:].sum() == 0:
            return "no sacrifice item answered"
        parts = []
        for (lo, hi), need, what in zip(((0, nd), (nd, len(blocks))), self._min_blocks,
                                        ("dimensions", "sacrifices")):
            weighted = [g for g in range(lo, hi) if np.isfinite(counts[g])]  # inf: weight 0
            failing = [f"{blocks[g]}: {int(counts[g])} of {int(self._sizes[g])} items answered, "
                       f"{int(self._min_count[g])} needed" for g in weighted if counts[g] < self._min_count[g]]
            scored = len(weighted) - len(failing)
            if not weighted or scored >= need:
                continue
            if need == len(weighted):  # every block needed: the blocks that failed say it all
                parts += failing
            else:
                parts.append(f"{scored} of {len(weighted)} {what} scored, {need} needed ({'; '.join(failing)})")
        return "; ".join(parts)


def require_ratio(scores: pd.DataFrame, what: str) -> None:
    """Raise :class:`~valuekit.codebook.NoSacrificesError` when ``scores`` (ValueScorer
    output) come from a benefits-only survey, saying that ``what`` needs the value ratio."""
    scores = _frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    what = _check.text("what", what)
    if "value_ratio" not in scores.columns:
        raise NoSacrificesError(no_sacrifices_message(what))


def scored_mask(scores: pd.DataFrame) -> np.ndarray:
    """Which respondents the scorer scored: a value ratio, or (benefits-only) a benefits index."""
    _scores_arg("scores", scores, ["benefits"])
    return scores["value_ratio" if "value_ratio" in scores.columns else "benefits"].notna().to_numpy()


def _index(scores: np.ndarray, weights: np.ndarray, need: int) -> np.ndarray:
    """Weighted mean of the block scores that carry weight, over those scored; NaN for a
    respondent with fewer than ``need`` of them scored."""
    used = weights > 0
    S, w = scores[:, used], weights[used]
    ok = ~np.isnan(S)
    complete = S @ w  # the usual case, exactly as with every block (NaN where one is missing)
    n_ok = ok.sum(axis=1)
    partial = np.flatnonzero((n_ok < used.sum()) & (n_ok >= need))
    if partial.size:
        sub_ok = ok[partial]
        complete[partial] = (np.where(sub_ok, S[partial], 0.0) @ w) / (sub_ok @ w)
    return complete


def _scores_arg(name: str, value, columns: list[str] = ()) -> pd.DataFrame:
    """ValueScorer output (a DataFrame) holding ``columns``."""
    value = _frame_arg(name, value, "a DataFrame of scores (ValueScorer output)")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ParameterError(f"{name}: column(s) {missing} not found; expected the ValueScorer output "
                             f"(available: {list(value.columns)})", name=name)
    return value


def _weights_arg(value, scores: pd.DataFrame, data: pd.DataFrame | None = None, name: str = "weights") -> np.ndarray:
    """Survey weights for the rows of ``scores``: a column name (of ``scores`` or ``data``) or values."""
    if isinstance(value, str):
        value = _grouping_arg(name, value, scores.index, {"scores": scores, "data": data})
    return survey_weights(value, len(scores), index=scores.index, name=name)


def _resolve(scores, data, by, weights):
    """The checked arguments of mean_scores and summarize_value: group masks, weights, the grouping's name."""
    scores = _frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    data = _optional_frame("data", data)
    w = _weights_arg(weights, scores, data)
    groups = _grouping_arg("by", by, scores.index, {"scores": scores, "data": data})
    name = getattr(groups, "name", None) or "group"
    masks = group_masks(scores.index, groups, include_all=groups is None)
    return masks, w, name


def mean_scores(scores: pd.DataFrame, *, columns: list[str] | None = None,
                by: str | pd.Series | None = None, weights=None,
                data: pd.DataFrame | None = None) -> pd.DataFrame:
    """(Weighted) mean of score columns, overall or per group; missing scores are skipped.

    Parameters
    ----------
    scores : DataFrame
        Output of :meth:`ValueScorer.transform`.
    columns : list of str, optional
        Default: every numeric score column except the log ratio.
    by, weights, data
        As in :func:`summarize_value`.

    Returns
    -------
    DataFrame
        One row per group, one column per score.
    """
    masks, w, key_name = _resolve(scores, data, by, weights)
    if columns is None:
        columns = [c for c in scores.select_dtypes("number").columns if c != "log_value_ratio"]
    else:
        columns = _columns_arg("columns", columns, {"scores": scores}, numeric=True)
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


def summarize_value(scores: pd.DataFrame, *, by: str | pd.Series | None = None,
                    weights: str | pd.Series | np.ndarray | None = None,
                    data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of customers for whom value is created, neutral or destroyed; mean scores.

    Parameters
    ----------
    scores : DataFrame
        Output of :meth:`ValueScorer.transform`.
    by : str or Series, optional
        Grouping: a column of ``scores`` or ``data``, or a Series aligned on ``scores``'
        index by label. Respondents with a missing group form the group ``"(missing)"``.
    weights : str, Series or array, optional
        Survey weights: a column name (of ``scores`` or ``data``) or values. Unscored
        respondents are counted in ``n`` and ``n_unscored`` but not in the shares.
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
    _scores_arg("scores", scores, ["verdict", "benefits", "sacrifices", "log_value_ratio"])
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
