"""Answers as numbers: what the scorer, the audit and the raking can take from a rated column.

The checks every stage above shares: a rated column's answers as floats on the item's
scale (or why they cannot be used), the survey weights as a validated array, and the
scores of the multi-item outcomes and constructs the codebook declares, which
:func:`valuekit.load_survey` adds to the data.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validate import check as _check
from .._validate.args import align_arg, bare_name, expected_error, frame_arg
from ..errors import ParameterError, SurveyError
from .codebook import Codebook, Scale, codebook_arg

__all__ = ["answer_values", "read_answers", "refuse_answers", "require_items", "survey_weights", "kish_n",
           "weighted_cov",
           "construct_scores", "AUDIT_HINT"]

AUDIT_HINT = ("Such answers are what the audit handles: load the survey with valuekit.load_survey (or pass "
               "the raw table through valuekit.audit_survey), which sets answers outside an item's scale, "
               "missing codes and text missing and lists each such cell in survey.audit.cells")


def read_answers(series: pd.Series, col: str, scale: Scale, out: np.ndarray) -> str | None:
    """Fill ``out`` with a rated column's answers as floats; what is wrong with them, or None
    (see :func:`answer_values`)."""
    values, problem = answer_values(series, col, scale)
    if values is not None:
        out[:] = values
    return problem


def answer_values(series: pd.Series, col: str, scale: Scale) -> tuple[np.ndarray | None, str | None]:
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


def refuse_answers(problems: list[str]) -> None:
    """Raise one SurveyError listing every problem found in the answers (none: nothing)."""
    if problems:
        raise SurveyError("; ".join(problems) + f". {AUDIT_HINT}")

def require_items(data: pd.DataFrame, items: list[str]) -> None:
    """Refuse data without every one of ``items``, naming the missing columns."""
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise SurveyError(f"item column(s) {missing} not found in data; available: {list(data.columns)}")

def kish_n(sum_w, sum_w2):
    """Kish's effective sample size, ``(sum w)^2 / sum w^2``, from the sum of the weights and
    the sum of their squares (scalars, or arrays such as one sum per group): the number of
    equally weighted respondents a weighted estimate is as precise as. Equal weights give n.
    Every weighted interval and test in valuekit takes its n from here.

    >>> import numpy as np
    >>> w = np.array([1.0, 1.0, 2.0, 4.0])
    >>> float(kish_n(w.sum(), (w ** 2).sum()))   # 64 / 22
    2.909090909090909
    """
    return sum_w ** 2 / sum_w2


#: The relative precision at which an effective n is held against a minimum base.
BASE_TOLERANCE = 1e-9


def meets_base(n_eff, base):
    """Whether an effective sample size reaches a minimum base (``n_eff >= base``), judged at
    a relative precision of 1e-9: Kish's n of thirty equal weights of 0.7 comes out as
    29.999999999999982, and a group of thirty must not be "too small" by the last bit (nor
    on one machine and not another). Scalars or arrays.

    >>> import numpy as np
    >>> w = np.full(30, 0.7)
    >>> n = kish_n(w.sum(), (w ** 2).sum())
    >>> bool(n >= 30), bool(meets_base(n, 30)), bool(meets_base(29.99, 30))
    (False, True, False)
    """
    return n_eff >= base * (1 - BASE_TOLERANCE)


def below_base(n_eff, base):
    """Whether an effective sample size is below a minimum base, at the precision of
    :func:`meets_base` (an n that is not a number is not below it)."""
    return n_eff < base * (1 - BASE_TOLERANCE)


def weighted_cov(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The survey-weighted covariance matrix of the columns of ``X``, the weights' sum as
    divisor (the maximum-likelihood form): each column's mean over its answered rows, each
    cross-product over the rows answering both (missing answers are NaN). With unit weights
    it is ``numpy.ma.cov(bias=True)``; every weighted covariance and correlation in valuekit
    (the measurement model, the driver models) comes from here.

    >>> X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, np.nan]])
    >>> weighted_cov(X, np.ones(3)).round(4).tolist()
    [[0.6667, 0.5], [0.5, 1.0]]
    """
    obs = ~np.isnan(X)
    wo = obs * w[:, None]
    mean = np.where(obs, X, 0.0).T @ w / wo.sum(axis=0)
    D = np.where(obs, X - mean, 0.0)
    return ((D * w[:, None]).T @ D) / (wo.T @ obs)


def survey_weights(weights, n: int, *, index: pd.Index | None = None, name: str = "weights") -> np.ndarray:
    """Survey weights as a validated float array of length ``n`` (ones when ``None``).

    A Series is matched to ``index`` when given, by label, not position: every label of
    ``index`` must be in its index. Anything else is taken by position. Raises
    :class:`~valuekit.errors.ParameterError` (named ``name``) for weights of the wrong
    length or index, not numbers, negative, infinite or missing, or all zero.
    """
    n = _check.integer("n", n, min=0)
    if index is not None and not isinstance(index, pd.Index):
        raise expected_error("index", "None or a pandas Index", index)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, (str, bytes, dict, set)) or np.ndim(weights) != 1:
        raise expected_error(name, f"None or one weight per respondent ({n} numbers)", weights)
    if isinstance(weights, pd.Series):
        if index is not None:
            weights = align_arg(name, weights, index)
        if pd.api.types.is_bool_dtype(weights.dtype) or not pd.api.types.is_numeric_dtype(weights.dtype):
            raise expected_error(name, "numbers", f"a Series of {weights.dtype}")
        w = weights.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            w = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise expected_error(name, "numbers (one weight per respondent)", weights) from None
    if w.shape != (n,):
        raise ParameterError(f"{name}: {len(w)} weight(s) for {n} respondent(s); expected one per respondent",
                             name=bare_name(name))
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        where = f"respondent {index[first]!r}" if index is not None else f"position {first}"
        raise ParameterError(f"{name}: weights must be finite and >= 0; {int(bad.sum())} are not "
                             f"(first: {w[first]:g} at {where})", name=bare_name(name))
    if n and not w.any():
        raise ParameterError(f"{name}: all weights are zero ({n} respondent(s)); expected at least one "
                             "positive weight", name=bare_name(name))
    return w


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
    data = frame_arg("data", data, "a DataFrame of survey answers")
    codebook = codebook_arg("codebook", codebook)
    min_answered = _check.number("min_answered", min_answered, min=0, max=1, min_open=True)
    require_items(data, [c for cols in codebook.scales.values() for c in cols])
    out, problems = {}, []
    for name, cols in codebook.scales.items():
        target = codebook.items[cols[0]].scale
        X = np.empty((len(data), len(cols)))
        for j, col in enumerate(cols):
            item = codebook.items[col]
            x = np.empty(len(data))
            problem = read_answers(data[col], col, item.scale, x)
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
    refuse_answers(problems)
    return pd.DataFrame(out, index=data.index)
