"""Argument checks for the analysis API (tables, codebooks, columns, groupings and weights
matched to the respondents, seeds, languages, settings, Axes), each raising
:class:`~valuekit.errors.ParameterError` with the parameter's name. The scalar checks are
:mod:`valuekit._validate.check`'s; these are the analysis modules' own.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..errors import ParameterError
from . import check as _check

MAX_SEED = 2**32 - 1


shown_value = _check.shown


def bare_name(name: str) -> str:
    """The parameter's own name in a label such as ``"by (column 'x' of data)"`` or ``"rules[2]"``."""
    return name.split(" ", 1)[0].split("[", 1)[0]


def expected_error(name: str, expected: str, value) -> ParameterError:
    """The ParameterError for argument ``name``: expected ``expected``, got ``value`` (shown briefly)."""
    return ParameterError(f"{name}: expected {expected}, got {shown_value(value)}", name=bare_name(name))


@contextmanager
def named_as(name: str):
    """Within it, a ParameterError from a check of one part of an argument (``questions.cheap``,
    ``ladder[10]``) is named after the argument itself."""
    try:
        yield
    except ParameterError as err:
        err.name = name
        raise


def frame_arg(name: str, value, what: str = "a DataFrame") -> pd.DataFrame:
    """``value`` when it is a DataFrame; else a ParameterError naming ``name`` and ``what`` was expected."""
    if not isinstance(value, pd.DataFrame):
        raise expected_error(name, what, value)
    return value


def optional_frame(name: str, value, what: str = "a DataFrame") -> pd.DataFrame | None:
    """None, or ``value`` checked as :func:`frame_arg` does."""
    return None if value is None else frame_arg(name, value, f"None or {what}")


def seed_arg(name: str, value, *, also: tuple[type, ...] = ()):
    """None, a whole number from 0 to 2**32 - 1, or an instance of one of ``also`` (e.g. a
    numpy ``Generator`` where the seed goes to ``numpy.random.default_rng``)."""
    if value is None or (also and isinstance(value, also)):
        return value
    try:
        return _check.integer(name, value, min=0, max=MAX_SEED)
    except ParameterError:
        kinds = "".join(f" or a numpy {t.__name__}" for t in also)
        raise expected_error(name, f"None, a whole number from 0 to {MAX_SEED}{kinds}", value) from None


def columns_arg(name: str, value, frames: dict, *, numeric: bool = False, allow_empty: bool = False,
                unique: bool = True) -> list[str]:
    """Column names (a name or a list of them) each found in one of ``frames``
    (``{"scores": frame, ...}``; None frames skipped); numeric columns if asked."""
    cols = _check.names(name, value)
    if not cols and not allow_empty:
        raise expected_error(name, "at least one column name", value)
    if unique:
        twice = sorted({c for c in cols if cols.count(c) > 1})
        if twice:
            raise ParameterError(f"{name}: column(s) {twice} given more than once", name=bare_name(name))
    present = {k: f for k, f in frames.items() if f is not None}
    missing = [c for c in cols if not any(c in f.columns for f in present.values())]
    if missing:
        available = list(dict.fromkeys(c for f in present.values() for c in f.columns))
        raise ParameterError(f"{name}: column(s) {missing} not found in {' or '.join(present) or 'the data'}; "
                             f"available: {available}", name=bare_name(name))
    if numeric:
        _check_numeric(name, cols, present)
    return cols


def _check_numeric(name: str, cols: list[str], present: dict) -> None:
    """Each column (looked up in the first of the ``present`` frames holding it) is numeric
    and not boolean."""
    dtypes = {c: next(f[c] for f in present.values() if c in f.columns).dtype for c in cols}
    text = [c for c in cols if pd.api.types.is_bool_dtype(dtypes[c]) or not pd.api.types.is_numeric_dtype(dtypes[c])]
    if text:
        raise ParameterError(f"{name}: column(s) {text} are not numeric "
                             f"({', '.join(str(dtypes[c]) for c in text)}); expected scores or ratings",
                             name=bare_name(name))


def column_arg(name: str, value, frames: dict, *, numeric: bool = False) -> str:
    """One column name (text) found in one of ``frames``, as :func:`columns_arg` checks it."""
    if not isinstance(value, str) or not value:
        raise expected_error(name, "a column name (text)", value)
    return columns_arg(name, value, frames, numeric=numeric)[0]


def align_arg(name: str, series: pd.Series, index: pd.Index, what: str = "the respondents") -> pd.Series:
    """``series`` matched to ``index`` by label; every label of ``index`` must be in it."""
    if series.index.equals(index):
        return series
    if not series.index.is_unique:
        twice = series.index[series.index.duplicated()].unique()[:5].tolist()
        raise ParameterError(f"{name}: its index has duplicate labels (e.g. {twice}); expected one value per "
                             "respondent, matched by index label", name=bare_name(name))
    absent = ~index.isin(series.index)
    if absent.any():
        first = ", ".join(map(str, index[absent][:5])) + (", ..." if absent.sum() > 5 else "")
        raise ParameterError(f"{name}: a Series is matched to {what} by index label, but {int(absent.sum())} of "
                             f"the {len(index)} labels are not in its index (first: {first}); it has "
                             f"{len(series)} value(s). Expected a Series on the same index (missing values "
                             "for respondents without one)", name=bare_name(name))
    return series.reindex(index)


def covers_arg(name: str, frame: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """``frame`` holds a row for every label of ``index`` (e.g. the survey data behind the scores)."""
    if frame.index.equals(index):
        return frame
    absent = ~index.isin(frame.index)
    if absent.any():
        first = ", ".join(map(str, index[absent][:5])) + (", ..." if absent.sum() > 5 else "")
        raise ParameterError(f"{name}: {int(absent.sum())} of the {len(index)} scored respondents have no row in "
                             f"it (first: {first}); expected the survey data the scores were computed from",
                             name=bare_name(name))
    return frame


def series_arg(name: str, value, index: pd.Index, what: str = "a Series on the scores' index") -> pd.Series:
    """``value`` when it is a Series, aligned to ``index`` (:func:`align_arg`)."""
    if not isinstance(value, pd.Series):
        raise expected_error(name, what, value)
    return align_arg(name, value, index)


def grouping_arg(name: str, value, index: pd.Index, frames: dict | None = None, *,
                 allow_none: bool = True) -> pd.Series | None:
    """A grouping matched to ``index``: a column name (looked up in ``frames``), a Series
    (by label) or an array of one value per respondent (by position)."""
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value:
        for where, frame in (frames or {}).items():
            if frame is not None and value in frame.columns:
                return align_arg(f"{name} (column '{value}' of {where})", frame[value], index)
        where = " or ".join(k for k, f in (frames or {}).items() if f is not None) or "the data"
        raise ParameterError(f"{name} column '{value}' not found in {where}", name=bare_name(name))
    if isinstance(value, pd.Series):
        return align_arg(name, value, index)
    if isinstance(value, (np.ndarray, list, tuple, pd.Categorical, pd.api.extensions.ExtensionArray)):
        if np.ndim(value) != 1 or len(value) != len(index):
            raise ParameterError(f"{name}: {len(value) if np.ndim(value) else 0} value(s) given by position for "
                                 f"{len(index)} respondents; expected one per respondent (or a Series "
                                 "matched by index label)", name=bare_name(name))
        return pd.Series(np.asarray(value, dtype=object), index=index)
    kinds = "None, " if allow_none else ""
    raise expected_error(name, f"{kinds}a column name, a Series on the respondents' index or one value per "
                         "respondent", value)


def axes_arg(value, name: str = "ax"):
    """None or a matplotlib Axes; else a ParameterError naming ``name``."""

    from matplotlib.axes import Axes  # deferred: matplotlib

    if value is not None and not isinstance(value, Axes):
        raise expected_error(name, "None or a matplotlib Axes", value)
    return value
