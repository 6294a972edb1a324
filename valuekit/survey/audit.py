"""Audit a survey export against its codebook: nothing lost, nothing silent.

:func:`load_survey` reads a file (:mod:`valuekit.survey.io`), and :func:`audit_survey` recodes
and flags it:

* **cells**: missing / "don't know" codes (numbers such as 9, or text tokens such as
  ``N/A`` when the codebook declares them) and the file's own user-missing values become
  missing values and are counted; out-of-range and non-numeric answers become missing
  values and are listed with row, column and the original value. Only a plain decimal
  number (optional sign, decimal mark and exponent, surrounding spaces aside) is a
  number: any other text (``N/A``, ``0x1F``, ``1_000``, full-width digits), a boolean, or
  a number too large for a float (``inf``, ``1e999``) is non-numeric; an Excel error
  (``#DIV/0!``) or a formula saved without its value is listed as such, in any column;
* **rows**: a blank or repeated respondent id (text ids compared in their Unicode NFC
  form, shown as written), no benefit or sacrifice item answered, straight-lining,
  speeding and an unusable survey weight are flagged.

Every input row is then either **kept** or **excluded** with its reasons, so
``rows_in == rows_kept + rows_excluded`` always holds and :attr:`Audit.rows` says which
row went where and why. Which flags exclude a row is the analyst's choice (``exclude=``);
by default all of them do, and :meth:`Survey.with_exclusions` re-decides without
re-reading the file.

Row numbers are 1-based data rows: row 1 is the first respondent after the header
row(s), as a spreadsheet shows it one line below the header.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Hashable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._docstrings import share_docs
from .._validate import check as _check
from ..errors import ParameterError, SurveyError
from .answers import construct_scores, survey_weights
from .codebook import Codebook, CodebookError, read_codebook
from .design import SurveyDesign
from .instruments import read_prices
from .io import _NUMBER, SourceInfo, StreamMisfit, check_read_options, read_limits, read_survey_file, stream_csv

__all__ = [
    "Audit",
    "Survey",
    "audit_survey",
    "load_survey",
    "ROW_REASONS",
    "CELL_PROBLEMS",
    "DEFAULT_EXCLUDE",
]

#: Row-level flags and what they mean. Each can exclude a row (see ``exclude=``).
ROW_REASONS = {
    "missing_id": "the respondent id is blank",
    "duplicate_id": "another row has the same respondent id (the first row without other flags is kept)",
    "no_answers": "no benefit or sacrifice item was answered",
    "straightliner": "the same answer to every benefit and sacrifice item, in a grid whose items point both ways "
                     "(sacrifice or reverse-keyed items beside benefits), where no attentive answer is uniform",
    "uniform_answers": "the same answer to every item, in a grid whose items all point one way (benefits only, "
                       "none reverse-keyed): reported and kept by default, as a delighted (or a disgruntled) "
                       "customer may answer so",
    "speeder": "completed faster than the speeder threshold (a share of the median time)",
    "invalid_weight": "the survey weight is blank, zero, negative, not a number, or so small that its square "
                      "underflows (below 1.5e-154)",
}
#: The smallest usable survey weight: the square root of the smallest normal float, so
#: that a weight's square (the design effect and the effective sample size need it) does
#: not underflow to 0 or lose its digits. Mirrors the overflow check on the weights' sum.
TINY_WEIGHT = float(np.sqrt(np.finfo(float).tiny))
#: Cell-level problems. Each cell so flagged becomes a missing value.
CELL_PROBLEMS = {
    "missing_code": "a missing / don't-know code of the codebook",
    "user_missing": "a value the file itself declares missing (SPSS user-missing)",
    "out_of_range": "a number outside the item's scale",
    "non_numeric": "text, a boolean or an infinite number where a number was expected",
    "formula_without_value": "an Excel formula saved without its calculated value (the workbook was written by a "
                             "program that does not calculate, and never opened and saved in Excel): no answer",
    "excel_error": "an Excel error value (#DIV/0!, #N/A, #VALUE!, #REF!, #NAME?, #NUM!, #NULL!) instead of an answer",
}
#: By default every flagged row is excluded but ``uniform_answers`` (reported, kept); pass
#: ``exclude=`` to choose.
DEFAULT_EXCLUDE = tuple(r for r in ROW_REASONS if r != "uniform_answers")


@dataclass
class Audit:
    """What happened to every row and every flagged cell of one survey file.

    Attributes
    ----------
    info : SourceInfo
        The file, its format and how it was decoded.
    rows : DataFrame
        One row per input row: ``row`` (1-based), ``respondent``, ``status``
        (``"kept"`` or ``"excluded"``), ``reason`` (the excluding flags, ``"; "``-joined,
        empty when kept) and one boolean column per flag of :data:`ROW_REASONS`.
    cells : DataFrame
        One row per flagged cell: ``row``, ``respondent``, ``column``, ``value`` (the
        original entry, as text: for an Excel error its code, for a formula without a value
        the formula) and ``problem`` (a key of :data:`CELL_PROBLEMS`), column by column in
        the file's order, then by row. Every flagged cell was set to missing. Excel errors
        and formulas without a value are listed in every column; the other problems in the
        rated columns (items, weight, completion time).
    columns : DataFrame
        Per rated column, in the file's order: ``answered``, ``blank`` and one count per
        cell problem.
    exclude : tuple of str
        The flags that exclude a row.
    settings : dict
        The thresholds used (speeder fraction and threshold in seconds, straight-line
        minimum number of items).
    notes : list of str
        Checks skipped and why (no completion-time column, no weight column, ...).
    """

    info: SourceInfo
    rows: pd.DataFrame
    cells: pd.DataFrame
    columns: pd.DataFrame
    exclude: tuple[str, ...]
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        """Data rows read from the file."""
        return len(self.rows)

    @property
    def rows_kept(self) -> int:
        """Rows kept for the analysis."""
        return int((self.rows["status"] == "kept").sum())

    @property
    def rows_excluded(self) -> int:
        """Rows excluded, each with its reason in :attr:`rows`."""
        return int((self.rows["status"] == "excluded").sum())

    def summary(self) -> dict:
        """The audit in numbers, ready for JSON.

        ``excluded`` counts rows per excluding reason (a row excluded for two reasons is
        counted under both, so these may sum to more than ``rows_excluded``); ``flagged``
        counts every flag whether or not it excludes; ``cells`` counts flagged cells.
        """
        flags = self.rows[list(ROW_REASONS)]
        excluded = flags[self.rows["status"] == "excluded"]
        return {
            "file": self.info.path,
            "format": self.info.format,
            "encoding": self.info.encoding,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "excluded": {r: int(excluded[r].sum()) for r in self.exclude},
            "flagged": {r: int(flags[r].sum()) for r in ROW_REASONS},
            "cells": {p: int(self.columns[p].sum()) for p in CELL_PROBLEMS},
            "exclude": list(self.exclude),
            "settings": self.settings,
            "notes": self.notes,
        }

    def to_json(self, **kwargs) -> str:
        """The :meth:`summary` as JSON (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.summary(), **kwargs)

    def summary_table(self) -> pd.DataFrame:
        """Flags as a table: what each means, whether it could be checked on this survey (no
        completion-time column: no speeder check), how many rows carry it, whether it
        excludes."""
        summary = self.summary()
        table = pd.DataFrame({
            "reason": list(ROW_REASONS),
            "meaning": list(ROW_REASONS.values()),
            "rows_flagged": [summary["flagged"][r] for r in ROW_REASONS],
            "excludes": [r in self.exclude for r in ROW_REASONS],
        })
        table["rows_excluded"] = [summary["excluded"].get(r, 0) for r in ROW_REASONS]
        skipped = {"speeder": self.settings.get("speeder_threshold_seconds") is None,
                   "invalid_weight": not self.settings.get("weight_checked", True),
                   "missing_id": not self.settings.get("id_checked", True),
                   "duplicate_id": not self.settings.get("id_checked", True)}
        table.insert(2, "checked", [not skipped.get(r, False) for r in ROW_REASONS])
        return table

    def check(self) -> None:
        """Raise if any row is unaccounted for (kept + excluded must equal rows in)."""
        if self.rows_kept + self.rows_excluded != self.rows_in:
            raise RuntimeError("audit lost track of a row; this is a bug in valuekit")

    def __repr__(self) -> str:
        return (f"<Audit {self.info.path}: {self.rows_in} rows in, {self.rows_kept} kept, "
                f"{self.rows_excluded} excluded>")


class Survey:
    """A loaded survey: the kept rows, recoded, with the codebook and the audit.

    Attributes
    ----------
    data : DataFrame
        Kept rows. Rated items, weight and completion time are floats with flagged cells
        set to missing (items are *not* reverse-coded here; scoring does that). Indexed by
        the 1-based input row number ``row``, which links back to :attr:`Audit.rows`. The
        codebook's multi-item outcomes and constructs are added as columns named after
        them (:func:`valuekit.measure.scoring.construct_scores`).
    codebook : Codebook
        The survey's codebook.
    audit : Audit
        What the audit found in every row and cell, and which rows it excluded and why.
    recoded : DataFrame
        Every input row, recoded, kept or not.
    """

    def __init__(self, codebook: Codebook, audit: Audit, recoded: pd.DataFrame):
        self.codebook = codebook
        self.audit = audit
        self.recoded = recoded

    @cached_property
    def data(self) -> pd.DataFrame:
        """The kept rows, recoded (missing codes blank, reverse-keyed items turned)."""
        kept = (self.audit.rows["status"] == "kept").to_numpy()
        return self.recoded[kept]

    def with_exclusions(self, exclude: Iterable[str]) -> "Survey":
        """The same survey with another choice of which flags exclude a row.

        >>> from valuekit import load_survey, DEMO_DATA, DEMO_CODEBOOK
        >>> survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
        >>> lenient = survey.with_exclusions(["missing_id", "duplicate_id", "no_answers"])
        >>> lenient.audit.rows_kept >= survey.audit.rows_kept
        True
        """
        exclude = _check_exclude(exclude)
        rows = self.audit.rows.copy()
        _decide(rows, exclude)
        audit = replace(self.audit, rows=rows, exclude=exclude)
        audit.check()
        return Survey(self.codebook, audit, self.recoded)

    @property
    def weights(self) -> pd.Series | None:
        """Survey weights of the kept respondents, or None when the codebook names none."""
        col = self.codebook.weight
        return None if col is None else self.data[col]

    @cached_property
    def instrument_exclusions(self) -> pd.DataFrame:
        """The kept respondents the pricing and Kano analyses leave out, and why.

        One row per respondent and instrument (per attribute for Kano): ``row``,
        ``respondent``, ``instrument`` (``pricing``, ``pricing trial``, ``gabor_granger``,
        ``kano``), ``attribute`` (the Kano attribute, else empty) and ``reason`` (prices not
        rising from too cheap to too expensive, half a Kano pair, ...). They stay in every
        other analysis. Empty when the codebook has none of these sections.
        """
        cb, data = self.codebook, self.data
        w = survey_weights(self.weights, len(data), index=data.index) if cb.weight else np.ones(len(data))
        parts = []
        if cb.pricing is not None:
            excluded = cb.pricing.screen(data, w)[3]
            parts.append(excluded.assign(instrument=np.where(excluded["analysis"] == "trial", "pricing trial",
                                                             "pricing"), attribute=""))
        if cb.gabor_granger is not None:
            parts.append(cb.gabor_granger.screen(data, w)[2].assign(instrument="gabor_granger", attribute=""))
        if cb.kano is not None:
            parts.append(cb.kano.screen(data)[1].assign(instrument="kano"))
        columns = ["row", "respondent", "instrument", "attribute", "reason"]
        if not parts:
            return pd.DataFrame(columns=columns)
        table = pd.concat(parts, ignore_index=True)
        respondent = self.audit.rows.set_index("row")["respondent"]
        table["respondent"] = respondent.reindex(table["row"]).to_numpy()
        return table[columns]

    @property
    def design(self) -> SurveyDesign | None:
        """The sampling design of the kept respondents (the codebook's ``strata:``, ``cluster:``
        and ``fpc:``), or None when the codebook names none of them."""
        cb = self.codebook
        if cb.strata is None and cb.cluster is None and cb.fpc is None:
            return None
        return SurveyDesign.from_frame(self.data, strata=cb.strata, cluster=cb.cluster, fpc=cb.fpc,
                                       where=self.audit.info.describe())

    @property
    def excluded(self) -> pd.DataFrame:
        """The excluded rows, recoded, with their reasons in a ``reason`` column."""
        mask = (self.audit.rows["status"] == "excluded").to_numpy()
        out = self.recoded[mask].copy()
        out.insert(0, "reason", self.audit.rows.loc[mask, "reason"].to_numpy())
        return out

    def __repr__(self) -> str:
        return f"<Survey {self.audit.info.path}: {self.audit.rows_kept} respondents kept of {self.audit.rows_in}>"

    def survey_part(self, name: str):
        """What the survey stands for as an analysis function's ``name`` argument (see
        :func:`survey_first`): ``data``, ``codebook``, ``weights`` or ``design``."""
        return {"data": lambda: self.data, "codebook": lambda: self.codebook, "weights": lambda: self.weights,
                "design": lambda: self.design}[name]()


#: What a survey given first stands for: the parameters :meth:`Survey.survey_part` fills.
SURVEY_PARTS = ("data", "codebook", "weights", "design")


def survey_first(*fills: str):
    """Let an analysis function take a :class:`Survey` first, in place of what it carries.

    ``f(survey, *rest, **kw)`` runs ``f(*rest, **kw)`` with each of ``fills`` (``data``:
    the kept answers, ``codebook``, ``weights``: the survey weights or None, ``design``: the
    sampling design or None) taken from
    the survey, unless ``kw`` gives it: a keyword given explicitly wins, so
    ``f(survey, weights=None)`` is the unweighted analysis. Called without a survey first,
    the function is unchanged. The docstring gains a paragraph saying which are filled.

    Anything with a ``survey_part(name)`` method stands for a survey here, as the waves of
    a tracking study (:class:`valuekit.analyse.waves.Waves`, stacked) do.
    """
    unknown = [name for name in fills if name not in SURVEY_PARTS]
    if unknown:
        raise ValueError(f"survey_first: a survey gives {list(SURVEY_PARTS)}, not {unknown}")

    def decorate(func):
        params = inspect.signature(func).parameters
        missing = [name for name in fills if name not in params]
        if missing:
            raise ValueError(f"survey_first: {func.__name__} has no parameter {missing}")
        positional = [n for n, p in params.items()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and n not in fills]

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if not args or not callable(getattr(type(args[0]), "survey_part", None)):
                return func(*args, **kwargs)
            survey, rest = args[0], args[1:]
            if len(rest) > len(positional):
                raise ParameterError(
                    f"{func.__name__}(survey, ...): after the survey (which gives {', '.join(fills)}) it takes at "
                    f"most {len(positional)} positional argument(s) ({', '.join(positional) or 'none'}), "
                    f"got {len(rest)}", name=func.__name__)
            bound = dict(zip(positional, rest))
            twice = sorted(set(bound) & set(kwargs))
            if twice:
                raise ParameterError(f"{func.__name__}: {twice[0]!r} given twice (by position and by name)",
                                     name=twice[0])
            filled = {name: survey.survey_part(name) for name in fills if name not in kwargs}
            return func(**bound, **filled, **kwargs)

        wrapper.__doc__ = _with_survey_paragraph(func.__doc__ or "", func.__name__, fills)
        return wrapper

    return decorate


def _with_survey_paragraph(doc: str, name: str, fills: tuple[str, ...]) -> str:
    """The docstring with a paragraph on the survey-first call, placed before Parameters."""
    gives = ", ".join(f"``{f}``" for f in fills)
    text = (f"A :class:`~valuekit.Survey` may come first: ``{name}(survey, ...)`` takes {gives} "
            f"from it, unless given by keyword.")
    match = re.search(r"\n([ \t]*)Parameters\n[ \t]*-{3,}\n", doc)
    if match is None:
        return doc.rstrip() + "\n\n" + text + "\n"
    indent = match.group(1)
    return doc[:match.start()] + "\n" + indent + text + "\n" + doc[match.start():]


def read_codebook_arg(codebook) -> Codebook:
    """read_codebook, with a wrong argument named ``codebook`` (not read_codebook's ``path``)."""
    if not isinstance(codebook, (Codebook, dict)) and \
            not (isinstance(codebook, (str, os.PathLike)) and str(codebook).strip()):
        raise _check._fail("codebook", "a Codebook, a mapping or a path to a YAML codebook file", codebook)
    return read_codebook(codebook)


def _check_exclude(exclude: Iterable[str]) -> tuple[str, ...]:
    exclude = tuple(dict.fromkeys(_check.names("exclude", exclude)))
    unknown = [r for r in exclude if r not in ROW_REASONS]
    if unknown:
        raise ParameterError(f"exclude: unknown exclusion reason(s) {unknown}; expected some of "
                             f"{list(ROW_REASONS)}", name="exclude")
    return exclude


def check_audit_options(exclude, speeder_fraction, straightline_min_items) -> tuple[tuple[str, ...], float, int]:
    """:func:`audit_survey`'s options, checked (ParameterError naming the first wrong one)."""
    return (_check_exclude(exclude), _check.fraction("speeder_fraction", speeder_fraction),
            _check.integer("straightline_min_items", straightline_min_items, min=2))


def _decide(rows: pd.DataFrame, exclude: tuple[str, ...]) -> None:
    """Set ``status`` and ``reason`` from the flag columns (in place)."""
    flags = rows[list(exclude)].to_numpy(dtype=bool) if exclude else np.zeros((len(rows), 0), bool)
    # one reason text per combination of flags (at most 2**6), not per row
    combo = flags.astype(np.int64) @ (np.int64(1) << np.arange(flags.shape[1], dtype=np.int64))
    present = np.flatnonzero(np.bincount(combo, minlength=1))
    lookup = np.zeros(int(combo.max(initial=0)) + 1, np.int64)
    lookup[present] = np.arange(present.size)
    texts = ["; ".join(r for i, r in enumerate(exclude) if (int(u) >> i) & 1) for u in present]
    rows["status"] = _check.str_take(["kept", "excluded"], flags.any(axis=1))
    rows["reason"] = _check.str_take(texts, lookup[combo])


def _to_float_into(out: np.ndarray, series: pd.Series, decimal: str | None) -> np.ndarray | None:
    """Write a column as float64 into ``out``; return the mask of cells that are not a
    usable number (set to NaN in ``out``), or None.

    Numeric columns are copied as they are (an infinite value is caught by the caller).
    Booleans are no answer on a scale: every one is flagged. Text is a number only when it
    is a plain decimal number (:data:`valuekit.survey.io._NUMBER`, surrounding spaces aside, the
    file's decimal mark) that fits a float: ``0x1F``, ``1_000``, ``inf``, ``1e999`` and
    full-width digits are flagged. Only blank text is blank.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        out[:] = np.nan
        bad = series.notna().to_numpy()
        return bad if bad.any() else None
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":
        out[:] = series.to_numpy()  # cast while copying: no temporary array
        return None
    if pd.api.types.is_numeric_dtype(series.dtype):  # nullable Int64, Float64, ...
        out[:] = series.to_numpy(dtype=float, na_value=np.nan)
        return None
    text = series.astype("str").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    number = text.str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool, na_value=False)
    out[:] = pd.to_numeric(text.where(number), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~blank & ~np.isfinite(out)
    if not bad.any():
        return None
    out[bad] = np.nan
    return bad


def _tidy_ids(series: pd.Series) -> pd.Series:
    """Ids as integers when they are plain whole numbers, else as text ("007" stays "007").

    Whole-number ids read as floats (because of a blank) go back to integers when every
    one is exact as a float (|id| < 2**53); otherwise (1e20, 1.5, inf) the floats are kept
    as they are. NaN is a missing id; inf or -inf is an id like any other (not missing,
    and two of them are a duplicate). Blank text is missing.
    """
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        present = values[~np.isnan(values)]
        if np.all(np.isfinite(present)) and np.all(np.abs(present) < 2.0 ** 53) \
                and np.all(present == np.round(present)):
            return series.astype("Int64")
        return series
    if not pd.api.types.is_numeric_dtype(series.dtype):
        text = series.astype("str").str.strip()
        text = text.where(text != "")
        if _plain_integers(text):
            return text.astype("Int64")  # canonical integers, nothing a number would lose
        return text
    return series


def _plain_integers(text: pd.Series) -> bool:
    """Whether some text is present and every one is ``0|[1-9][0-9]{0,17}`` (nulls aside);
    on Arrow's strings by its kernels (a tenth of the regular expression's time)."""
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"):
        present = text.dropna()
        return bool(len(present)) and bool(present.str.fullmatch(r"0|[1-9][0-9]{0,17}").all())
    values = pa.array(text.array)  # Arrow's own strings, not a copy
    if values.null_count == len(values):
        return False
    length = pc.binary_length(values)
    return pc.all(pc.ascii_is_decimal(values)).as_py() and pc.max(length).as_py() <= 18 and \
        not pc.any(pc.and_(pc.starts_with(values, "0"), pc.greater(length, 1))).as_py()


@share_docs
def audit_survey(frame: pd.DataFrame, codebook: Codebook | str | Path, *,
                 info: SourceInfo | None = None, exclude: Iterable[str] = DEFAULT_EXCLUDE,
                 speeder_fraction: float = 0.3, straightline_min_items: int = 5,
                 row_numbers=None) -> Survey:
    """Recode and flag a raw survey table; decide which rows to keep.

    Parameters
    ----------
    frame : DataFrame
        The raw export, one row per input row (see :func:`valuekit.survey.io.read_survey_file`).
    {codebook}
    info : SourceInfo, optional
        Where the frame came from; carries the decimal mark, SPSS user-missing values and
        value labels.
    exclude : iterable of str, default all of :data:`ROW_REASONS`
        The flags that exclude a row. Flags not listed are still reported.
    speeder_fraction : float, default 0.3
        A respondent whose completion time is below this share of the median completion
        time is a speeder (needs the codebook's ``completion_time``). 0.3 is a common,
        conservative choice; 0.5 is stricter.
    straightline_min_items : int, default 5
        A straight-liner gave the same answer to every benefit and sacrifice item they
        answered, having answered at least this many.
    row_numbers : array-like of int, optional
        The input row number of each row of ``frame`` (1-based data rows of the file), when
        ``frame`` is part of a file (one wave of several in one export); default 1 to n.
        Every table of the audit and the index of the data use them.

    Returns
    -------
    Survey

    Raises
    ------
    ParameterError
        An argument of the wrong type or out of its range (named).
    SurveyError
        No data rows, or survey weights so large that their sum (or its square, for the
        effective sample size) overflows a float: the message names the weight column
        and its largest value. They are not rescaled silently; divide them by a constant
        (e.g. their mean) and load again.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"frame: expected a pandas DataFrame (e.g. from valuekit.survey.io.read_survey_file), "
                             f"got {type(frame).__name__}", name="frame")
    if info is not None and not isinstance(info, SourceInfo):
        raise ParameterError(f"info: expected a SourceInfo or None, got {type(info).__name__}", name="info")
    exclude, speeder_fraction, straightline_min_items = check_audit_options(
        exclude, speeder_fraction, straightline_min_items)
    codebook = read_codebook_arg(codebook)
    info = info or SourceInfo(path="<DataFrame>", format="dataframe")
    _check_frame(frame, codebook, info)
    n = len(frame)
    if row_numbers is None:
        row_numbers = np.arange(1, n + 1)
    else:
        try:
            row_numbers = np.asarray(row_numbers, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError("row_numbers: expected whole numbers, one per row of frame", name="row_numbers") from None
        if row_numbers.shape != (n,) or (row_numbers < 1).any() or len(np.unique(row_numbers)) != n:
            raise ParameterError(f"row_numbers: expected {n} distinct whole numbers >= 1, one per row of frame",
                                 name="row_numbers")

    recoder = _Recoder(codebook, info, list(frame.columns), n, straightline_min_items)
    recoder.add(frame)
    return recoder.finish(exclude, speeder_fraction, row_numbers)


def _check_frame(frame: pd.DataFrame, codebook: Codebook, info: SourceInfo) -> None:
    """A raw table the audit can take: each column name once, the codebook's columns, rows."""
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:  # frame[name] would be a table, not a column
        raise SurveyError(f"{info.describe()}: column name(s) {repeated} appear more than once; "
                          "expected each column name once")
    codebook.check_columns(frame.columns, source=info.describe())
    if len(frame) == 0:
        raise SurveyError(f"{info.describe()}: no data rows")


#: Not given: decided from the rows of this audit (see :meth:`_Recoder.finish`).
_FROM_ROWS = object()


class _Recoder:
    """Recode and flag a survey one block of rows at a time, into one column-major matrix.

    :func:`audit_survey` gives it the whole table as one block; :func:`load_survey` gives
    it a large CSV file block by block as the file is parsed, so the raw table is never
    held whole. The row flags that need every row (the speeder threshold from the median
    time, repeated ids) are decided in :meth:`finish`, or given to it by an engine that
    audits the blocks apart (:mod:`valuekit.engines.dask`).
    """

    def __init__(self, codebook: Codebook, info: SourceInfo, columns: list, rows: int,
                 straightline_min_items: int):
        self.codebook, self.info, self.columns = codebook, info, columns
        self.straightline_min_items = straightline_min_items
        self.rated = set(codebook.items) | {c for c in (codebook.weight, codebook.completion_time) if c}
        self.numeric_cols = [c for c in columns if c in self.rated]  # in the file's order
        self.value_items = set(codebook.value_items)
        m = len(self.numeric_cols)
        self.X = _float_matrix(rows, m)  # rows: an upper bound; pages past the last row are never touched
        self.n = 0
        self.parts: list[_ColumnPass] = []
        self.offsets: list[int] = []
        self.others: list[pd.DataFrame] = []
        self._ids: pd.Series | None = None

    def add(self, frame: pd.DataFrame) -> None:
        """Recode and flag the next block of rows (the same columns as every block)."""
        if list(frame.columns) != self.columns:
            raise RuntimeError("a block of the survey has other columns than the first; this is a bug in valuekit")
        start, stop = self.n, self.n + len(frame)
        if stop > self.X.shape[0]:
            raise RuntimeError("more rows than the file was counted to hold; this is a bug in valuekit")
        X = self.X[start:stop]
        m = len(self.numeric_cols)
        # one column at a time (each contiguous in X); a large block splits its columns
        # between threads (NumPy releases the GIL)
        chunks = np.array_split(np.arange(m), _workers(len(frame) * m))
        parts = [_ColumnPass(len(frame), m) for _ in chunks]
        _run([lambda part=part, idx=idx: part.run(idx, X, frame, self.numeric_cols, self.codebook, self.info,
                                                  self.value_items, start)
              for part, idx in zip(parts, chunks)])
        self._added(parts, frame, start, stop)

    def _added(self, parts: list, frame: pd.DataFrame, start: int, stop: int) -> None:
        """Keep the tallies of the passes over rows ``start`` to ``stop`` and their other columns."""
        self.parts.append(_ColumnPass.merge(parts, stop - start, len(self.numeric_cols)))
        self.offsets.append(start)
        self.others.append(frame[[c for c in frame.columns if c not in self.rated]])
        self.n = stop

    def add_table(self, table: pa.Table) -> None:
        """Recode and flag a whole parsed file, an Arrow table of this recoder's columns in
        their order, as :meth:`add` would its DataFrame: the items Arrow parsed as 16-bit
        integers straight from their arrays (:class:`_Int16Pass`), without a pandas copy;
        the other columns through pandas."""
        if self.n or table.num_columns != len(self.columns):
            raise RuntimeError("add_table takes the whole file's table, once; this is a bug in valuekit")
        n, m = table.num_rows, len(self.numeric_cols)
        position = {c: i for i, c in enumerate(self.columns)}
        direct = [j for j, col in enumerate(self.numeric_cols)
                  if _int16_direct(table.schema.field(position[col]).type, col, self.codebook, self.info,
                                   col in self.value_items)]
        direct_set = set(direct)
        rest = [c for c in self.columns if c not in {self.numeric_cols[j] for j in direct_set}]
        frame = (table.select([position[c] for c in rest]).to_pandas(split_blocks=True) if rest
                 else pd.DataFrame(index=pd.RangeIndex(n)))
        frame.columns = rest
        arrays = {j: table.column(position[self.numeric_cols[j]]) for j in direct}
        del table
        X = self.X[:n]
        generic = np.array([j for j in range(m) if j not in direct_set], np.int64)
        parts = [_ColumnPass(n, m)]
        work = [lambda: parts[0].run(generic, X, frame, self.numeric_cols, self.codebook, self.info,
                                     self.value_items)]
        for idx in np.array_split(np.array(direct, np.int64), _workers(n * len(direct))):
            part = _Int16Pass(n, m)
            parts.append(part)
            work.append(lambda part=part, idx=idx: part.run(idx, X, arrays, self.numeric_cols, self.codebook,
                                                            self.value_items))
        _run(work)
        self._added(parts, frame, 0, n)

    def times(self) -> np.ndarray:
        """The positive completion times (the speeder threshold is a share of their median)."""
        t = self.X[:self.n, self.numeric_cols.index(self.codebook.completion_time)]
        with np.errstate(invalid="ignore"):
            return t[(t > 0) & np.isfinite(t)]

    def other_columns(self) -> pd.DataFrame:
        """The columns that are not rated (id, context, ...), every row so far."""
        if len(self.others) > 1:
            self.others = [pd.concat(self.others, ignore_index=True)]
        return self.others[0]

    def ids(self) -> pd.Series:
        """The respondent ids, tidied (:func:`_tidy_ids`); the row numbers 1 to n without an id column."""
        if self._ids is None or len(self._ids) != self.n:
            self._ids = (_tidy_ids(self.other_columns()[self.codebook.id]) if self.codebook.id
                         else pd.Series(np.arange(1, self.n + 1), dtype="Int64"))
        return self._ids

    def row_flags(self, speeder_fraction: float, speeder_threshold=_FROM_ROWS) -> tuple[dict, dict, list]:
        """Every row flag but ``duplicate_id``, the settings used and the notes.

        ``speeder_threshold`` (seconds, or None when no time is positive) replaces the
        threshold taken from these rows' median time."""
        codebook, info, n = self.codebook, self.info, self.n
        numeric_cols = self.numeric_cols
        X = self.X[:n]
        one = len(self.parts) == 1
        answered = self.parts[0].answered if one else np.concatenate([part.answered for part in self.parts])
        vmax = self.parts[0].vmax if one else np.concatenate([part.vmax for part in self.parts])
        vmin = self.parts[0].vmin if one else np.concatenate([part.vmin for part in self.parts])
        flags: dict[str, np.ndarray] = {}
        flags["missing_id"] = self.ids().isna().to_numpy()
        flags["no_answers"] = answered == 0
        same = (vmax == vmin) & (answered >= int(self.straightline_min_items))
        # one answer to every item is evidence of carelessness only where the items point
        # both ways; on a grid of benefits alone it is what a delighted customer gives
        one_way = self.one_way_grid()
        flags["straightliner"] = np.zeros(n, bool) if one_way else same
        flags["uniform_answers"] = same if one_way else np.zeros(n, bool)
        settings = {"speeder_fraction": speeder_fraction, "straightline_min_items": int(self.straightline_min_items),
                    "straightline_rule": "uniform_answers" if one_way else "straightliner"}
        notes: list[str] = []
        if one_way:
            notes.append(f"straight-line check: every benefit item points one way (no sacrifice or reverse-keyed "
                         f"item), so the same answer to every item is reported as uniform_answers "
                         f"({int(same.sum())} row(s)) and kept unless excluded")
        if codebook.completion_time:
            t = X[:, numeric_cols.index(codebook.completion_time)]
            if speeder_threshold is _FROM_ROWS:
                positive = self.times()
                speeder_threshold = _median(positive) * speeder_fraction if positive.size else None
            if speeder_threshold is not None and np.isfinite(speeder_threshold):
                flags["speeder"] = speeder_flags(t, speeder_threshold)
                settings["speeder_threshold_seconds"] = round(float(speeder_threshold), 3)
            else:  # no median to take a share of: no row can be judged a speeder
                flags["speeder"] = np.zeros(n, bool)
                settings["speeder_threshold_seconds"] = None
                notes.append(f"speeder check skipped: column '{codebook.completion_time}' has no positive "
                             "completion time (every cell blank, not a number, or <= 0)")
        else:
            flags["speeder"] = np.zeros(n, bool)
            settings["speeder_threshold_seconds"] = None
            notes.append("speeder check skipped: the codebook names no completion_time column")
        settings["weight_checked"] = codebook.weight is not None
        if codebook.weight:
            w = X[:, numeric_cols.index(codebook.weight)]
            with np.errstate(invalid="ignore"):
                usable = np.isfinite(w) & (w > 0)
                tiny = usable & (w < TINY_WEIGHT)
            usable &= ~tiny
            if tiny.any():
                row = int(np.flatnonzero(tiny)[0])
                notes.append(f"survey weight column '{codebook.weight}': {int(tiny.sum())} weight(s) below "
                             f"{TINY_WEIGHT:.3g} (first {w[row]:g}, row {row + 1}) flagged invalid_weight: their "
                             "square underflows a floating-point number, so weighted results (the effective "
                             "sample size) would be 0 / 0. Rescale the column (e.g. divide it by its mean)")
            flags["invalid_weight"] = ~usable
            _check_weight_sum(w, usable, codebook.weight, info)
        else:
            flags["invalid_weight"] = np.zeros(n, bool)
            notes.append("weight check skipped: the codebook names no weight column; every "
                         "respondent counts once")
        return flags, settings, notes

    def one_way_grid(self) -> bool:
        """Whether the benefit and sacrifice items all point one way: no sacrifice item and no
        reverse-keyed item (where the same answer to every item contradicts nothing)."""
        cb = self.codebook
        return not cb.sacrifices and not any(cb.items[c].reverse for c in cb.value_items)

    @staticmethod
    def flagged_otherwise(flags: dict) -> np.ndarray:
        """Rows with a flag other than the id's (the first of a repeated id without one is kept)."""
        return flags["no_answers"] | flags["straightliner"] | flags["speeder"] | flags["invalid_weight"]

    def finish(self, exclude: tuple[str, ...], speeder_fraction: float, row_numbers=None, *,
               speeder_threshold=_FROM_ROWS, duplicate_id=None) -> Survey:
        """The audit and the recoded data of every row added.

        ``speeder_threshold`` (see :meth:`row_flags`) and ``duplicate_id`` (the duplicate
        mask, decided over more rows than these) replace the decisions taken from these
        rows alone.
        """
        codebook, info, n = self.codebook, self.info, self.n
        if n == 0:
            raise SurveyError(f"{info.describe()}: no data rows")
        row_numbers = np.arange(1, n + 1) if row_numbers is None else row_numbers
        if not codebook.id:  # a respondent is their row number: nothing can be blank or repeated
            self._ids = pd.Series(row_numbers, dtype="Int64")
        ids = self.ids()
        others = self.other_columns()
        self.others = []
        numeric_cols = self.numeric_cols
        X = self.X[:n]
        counts = {p: sum(part.counts[p] for part in self.parts) for p in CELL_PROBLEMS}
        blank = sum(part.blank for part in self.parts)
        answered_per_column = sum(part.answered_per_column for part in self.parts)
        found = [(f[0] + offset, *f[1:]) for part, offset in zip(self.parts, self.offsets) for f in part.found]
        if len(self.parts) > 1:  # column by column (the file's order), then by row, as from one block
            found.sort(key=lambda f: f[1])

        flags, settings, notes = self.row_flags(speeder_fraction, speeder_threshold)
        if duplicate_id is None:
            flags["duplicate_id"] = duplicate_id_flags(ids, self.flagged_otherwise(flags))
        else:
            flags["duplicate_id"] = np.asarray(duplicate_id, dtype=bool)
        settings["id_checked"] = codebook.id is not None
        if not codebook.id:
            notes.append("missing-id and duplicate-id checks off: the codebook names no id column, so "
                         "respondents are identified by their row number")
        if not codebook.comparison_items:
            notes.append("no competitor ratings (comparisons) in the codebook")
        notes.extend(_label_mismatches(codebook, info))

        rows = pd.DataFrame({"row": row_numbers, "respondent": ids.array})
        for reason in ROW_REASONS:
            rows[reason] = flags[reason]
        _decide(rows, exclude)
        rows = rows[["row", "respondent", "status", "reason", *ROW_REASONS]]

        cells = self._cells(found, row_numbers, ids, notes)
        columns = pd.DataFrame({"column": numeric_cols, "answered": answered_per_column, "blank": blank, **counts})
        recoded = self._recoded(X, ids, others, row_numbers)
        audit = Audit(info=info, rows=rows, cells=cells, columns=columns, exclude=exclude,
                      settings=settings, notes=notes)
        audit.check()
        return Survey(codebook, audit, recoded)


    def _cells(self, found: list, row_numbers, ids: pd.Series, notes: list[str]) -> pd.DataFrame:
        """The cell table: every answer set to missing, then the marked cells (errors, formulas)
        outside the rated columns, in the file's order, with a note counting those."""
        cells = _cell_table(found, self.numeric_cols, row_numbers, ids)
        outside = _marked_outside(self.info, self.columns, self.rated, row_numbers, ids)
        if len(outside):  # errors / formulas in the id or context columns: listed too, in the file's order
            position = {c: i for i, c in enumerate(self.columns)}
            cells = pd.concat([cells, outside], ignore_index=True)
            order = np.lexsort((cells["row"].to_numpy(), cells["column"].map(position).to_numpy()))
            cells = cells.iloc[order].reset_index(drop=True)
            kinds = outside["problem"].value_counts()
            notes.append(f"{len(outside)} cell(s) outside the rated columns ("
                         f"{', '.join(f'{k} {p}' for p, k in kinds.items())}) were read as blank; listed in cells")
        return cells

    def _recoded(self, X: np.ndarray, ids: pd.Series, others: dict, row_numbers) -> pd.DataFrame:
        """Every row recoded: the numeric columns are one block viewing ``X``, the others are put
        back in place (context value labels applied), then the multi-item scores are added."""
        codebook, info, n, numeric_cols = self.codebook, self.info, self.n, self.numeric_cols
        index = pd.RangeIndex(1, n + 1, name="row") if row_numbers[-1] == n and row_numbers[0] == 1 and \
            (np.diff(row_numbers) == 1).all() else pd.Index(row_numbers, name="row")

        def values(col):
            if col == codebook.id:
                return ids.array
            labels = info.value_labels.get(col) if col in codebook.context_columns else None
            return (others[col].map(lambda v, lab=labels: lab.get(v, v)) if labels else others[col]).array

        if len(self.columns) - len(numeric_cols) <= _INSERT_MAX:
            recoded = pd.DataFrame(X, columns=numeric_cols, index=index, copy=False)
            for position, col in enumerate(self.columns):
                if col not in self.rated:
                    recoded.insert(position, col, values(col))
        else:  # a wide file: inserting one column at a time would take time quadratic in the columns
            where = {c: j for j, c in enumerate(numeric_cols)}
            recoded = pd.DataFrame({c: X[:, where[c]] if c in where else values(c) for c in self.columns},
                                   index=index, copy=False)
        if codebook.scales:  # multi-item outcomes and constructs: their scores join the data
            clash = [name for name in codebook.scales if name in recoded.columns]
            if clash:
                raise CodebookError(f"{codebook.source}: the scores of {clash} are added to the data under "
                                    f"their names, but {info.describe()} already has column(s) {clash}; "
                                    "rename the outcome or construct in the codebook")
            recoded = pd.concat([recoded, construct_scores(recoded, codebook)], axis=1)
        return recoded


def _label_mismatches(codebook: Codebook, info: SourceInfo) -> list[str]:
    """A note per item whose file's value labels (an SPSS or Stata export) name a code
    otherwise than the codebook's ``values:`` in every language: a scale coded the other way
    round, or a codebook written for another wave."""
    notes = []
    for col, item in codebook.items.items():
        given = info.value_labels.get(col)
        if not item.values or not given:
            continue
        differ = [(float(code), str(text), item.values[float(code)]) for code, text in given.items()
                  if isinstance(code, (int, float)) and float(code) in item.values
                  and " ".join(str(text).split()).casefold()
                  not in {" ".join(t.split()).casefold() for t in item.values[float(code)].values()}]
        if differ:
            code, text, ours = differ[0]
            notes.append(f"column '{col}': the file labels {len(differ)} code(s) otherwise than the codebook's "
                         f"values (code {code:g}: the file says {text!r}, the codebook {next(iter(ours.values()))!r});"
                         " check the coding (a reversed scale?) before reading its results")
    return notes


#: Up to this many columns besides the rated ones, the recoded table is the rated columns'
#: one block (viewing the audit's matrix) with the others inserted; above it (where pandas
#: would warn of a fragmented table), one column per block, built at once.
_INSERT_MAX = 100


def _marked_outside(info: SourceInfo, columns: list, rated: set, row_numbers, ids: pd.Series) -> pd.DataFrame:
    """The cells the reader marked (Excel errors, formulas without a value) in columns the
    audit does not rate, as rows of :attr:`Audit.cells`."""
    found = [(pos, col, problem, content) for col in columns if col not in rated
             for pos, problem, content in info.cell_marks.get(col, ()) if 0 <= pos < len(ids)]
    pos = np.array([f[0] for f in found], np.int64)
    return pd.DataFrame({
        "row": np.asarray(row_numbers)[pos],
        "respondent": ids.array[pos],
        "column": pd.array([f[1] for f in found], dtype="str"),
        "value": pd.array([f[3] for f in found], dtype="str"),
        "problem": pd.array([f[2] for f in found], dtype="str"),
    })


def speeder_flags(times: np.ndarray, threshold) -> np.ndarray:
    """The speeder flag: a completion time below the threshold (None or NaN: nobody)."""
    if threshold is None or not np.isfinite(threshold):
        return np.zeros(len(times), bool)
    with np.errstate(invalid="ignore"):
        return times < threshold


def _id_keys(ids: pd.Series) -> pd.Series:
    """Ids as compared for repeats: text in its Unicode NFC form (``'José'`` typed with one
    composed ``é`` or with ``e`` and a combining accent is one id); anything else as it is.
    Only the comparison uses them: every output keeps the id as written."""
    if pd.api.types.is_numeric_dtype(ids.dtype):
        return ids
    if pd.api.types.is_string_dtype(ids.dtype) and not isinstance(ids.dtype, np.dtype):
        if ids.str.isascii().all():  # nothing to compose (the common case, vectorised)
            return ids
        return ids.str.normalize("NFC")
    return ids.map(lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v)


def duplicate_id_flags(ids: pd.Series, flagged_otherwise: np.ndarray) -> np.ndarray:
    """The duplicate-id flag: of the rows sharing an id (text compared in its NFC form,
    :func:`_id_keys`), the first one without another flag is kept (else the first); the
    others are duplicates. A missing id is never one."""
    n = len(ids)
    order = np.lexsort((np.arange(n), flagged_otherwise))
    in_order = _id_keys(ids).iloc[order]
    duplicate = np.zeros(n, bool)
    duplicate[order] = (in_order.duplicated(keep="first") & in_order.notna()).to_numpy()
    return duplicate


def _check_weight_sum(w: np.ndarray, usable: np.ndarray, column: str, info: SourceInfo) -> None:
    """Raise :class:`SurveyError` when the usable weights' sum, or its square (the effective
    sample size needs it), overflows a float: weighted counts would be infinite.

    Weights that large are refused, not rescaled: rescaling would change every weighted
    count without a word, and weights near 1e154 are more likely a wrong column or a
    misread file than a design.
    """
    with np.errstate(over="ignore"):
        total = float(np.sum(w, where=usable))
        if np.isfinite(total * total):
            return
    row = int(np.argmax(np.where(usable, w, -np.inf)))
    raise SurveyError(
        f"{info.describe()}: survey weight column '{column}': the weights are too large to add up "
        f"(largest {w[row]:g}, row {row + 1}; their sum is {total:g}, and it or its square overflows "
        "a floating-point number), so weighted counts would be infinite. Rescale the column (e.g. "
        "divide it by its mean) before loading; valuekit does not rescale weights")


def _median(x: np.ndarray) -> float:
    """The median, halving before adding the two middle values (np.median overflows on two
    times near the largest float)."""
    k = (x.size - 1) // 2
    part = np.partition(x, [k, x.size // 2])
    return float(part[k] / 2 + part[x.size // 2] / 2)


def _float_matrix(n: int, m: int) -> np.ndarray:
    """An uninitialised column-major float64 array from Arrow's memory pool.

    The pool that just held the parsed file hands its memory back out, where a fresh
    NumPy allocation of this size would page-fault in every page (measured: up to a
    second for 300 MB on a shared virtual machine).
    """
    buffer = pa.allocate_buffer(n * m * 8)
    return np.frombuffer(buffer, dtype=np.float64).reshape((n, m), order="F")


def _workers(cells: int) -> int:
    return min(2, os.cpu_count() or 1) if cells > 4_000_000 else 1


def _run(work: list) -> None:
    """Call each function, on threads when there are several (NumPy releases the GIL)."""
    if len(work) > 1:
        with ThreadPoolExecutor(len(work)) as pool:
            list(pool.map(lambda f: f(), work))
    else:
        work[0]()


class _ColumnPass:
    """Recode and flag a set of columns of X; keep per-row tallies for the row flags."""

    def __init__(self, n: int, m: int):
        self.n = n
        self.counts = {p: np.zeros(m, np.int64) for p in CELL_PROBLEMS}  # per column
        self.blank = np.zeros(m, np.int64)
        self.answered_per_column = np.zeros(m, np.int64)
        # per row, over the benefit and sacrifice items: how many answered, the highest and
        # lowest answer (NaN: none); made by the first such item (a pass without one holds none)
        self.answered = self.vmax = self.vmin = None
        self.found = []                                 # per column: rows, problems, value codes, texts

    def tally(self) -> "_ColumnPass":
        """The row tallies, made (nothing answered yet) when no pass has made them."""
        if self.answered is None:
            self.answered = np.zeros(self.n, np.int64)
            self.vmax, self.vmin = np.full(self.n, np.nan), np.full(self.n, np.nan)
        return self

    @staticmethod
    def merge(parts: list["_ColumnPass"], n: int, m: int) -> "_ColumnPass":
        """One tally of passes over different columns of the same rows."""
        if len(parts) == 1:
            return parts[0].tally()
        out = _ColumnPass(n, m)
        out.counts = {p: sum(part.counts[p] for part in parts) for p in CELL_PROBLEMS}
        out.blank = sum(part.blank for part in parts)
        out.answered_per_column = sum(part.answered_per_column for part in parts)
        tallied = [part for part in parts if part.answered is not None] or [out.tally()]
        if len(tallied) == 1:
            out.answered, out.vmax, out.vmin = tallied[0].answered, tallied[0].vmax, tallied[0].vmin
        else:
            out.answered = sum(part.answered for part in tallied)
            out.vmax = np.fmax.reduce([part.vmax for part in tallied])
            out.vmin = np.fmin.reduce([part.vmin for part in tallied])
        out.found = sorted((f for part in parts for f in part.found), key=lambda f: f[1])
        return out

    def run(self, columns, X, frame, numeric_cols, codebook, info, value_items, start: int = 0) -> None:
        n = X.shape[0]
        for j in columns:
            col = numeric_cols[j]
            x = X[:, j]
            series = frame[col]  # looked up once: a column look-up costs more than a small column's flags
            problem = _flag_column(x, series, codebook.items.get(col), info)
            marked = _marks(info, col, start, n)  # Excel errors, formulas without a value: read as blank
            if marked is not None:
                problem[marked[0]] = marked[1]
            missing = np.isnan(x)  # blank, or a flagged cell that is not a number (text, boolean)
            rows_hit = np.flatnonzero(problem)
            self.blank[j] = int(missing.sum())
            if rows_hit.size:
                kinds = problem[rows_hit] - 1
                for p, c in zip(CELL_PROBLEMS, np.bincount(kinds, minlength=len(CELL_PROBLEMS))):
                    self.counts[p][j] = c
                values = series.to_numpy()[rows_hit]
                if marked is not None:  # their original content, not the blank they were read as
                    values = values.astype(object)
                    values[np.searchsorted(rows_hit, marked[0])] = marked[2]
                try:
                    codes, uniques = pd.factorize(values, use_na_sentinel=False)
                except TypeError:  # unhashable cells (a list or array in a Parquet column): by their text
                    values = np.array([v if isinstance(v, Hashable) else _show(v) for v in values], dtype=object)
                    codes, uniques = pd.factorize(values, use_na_sentinel=False)
                self.found.append((rows_hit, j, kinds, codes, [_show(u) for u in uniques]))
                self.blank[j] -= int(np.isnan(x[rows_hit]).sum())  # flagged, so not blank
                x[rows_hit] = np.nan
                missing[rows_hit] = True
            self.answered_per_column[j] = n - int(missing.sum())
            if col in value_items:
                self.tally().answered += ~missing
                np.fmax(self.vmax, x, out=self.vmax)
                np.fmin(self.vmin, x, out=self.vmin)


_PROBLEM_CODE = {p: i + 1 for i, p in enumerate(CELL_PROBLEMS)}  # 0 = no problem
_NON_NUMERIC = _PROBLEM_CODE["non_numeric"]

_INT16_LOW, _INT16_HIGH = -32768, 32767


def _int16_direct(kind, column: str, codebook: Codebook, info: SourceInfo, value_item: bool) -> bool:
    """Whether :class:`_Int16Pass` takes a column of the parsed table: an item Arrow parsed as
    16-bit integers, without values the file declares missing or cells the reader marked; a
    benefit or sacrifice item needs a scale inside the 16-bit range, whose two ends stand
    for "no answer" in the row tallies."""
    item = codebook.items.get(column)
    if item is None or not pa.types.is_int16(kind) or info.user_missing.get(column) or info.cell_marks.get(column):
        return False
    return not value_item or (item.scale.min > _INT16_LOW and item.scale.max < _INT16_HIGH)


def _int16_problems(item) -> np.ndarray:
    """The problem code of each 16-bit integer in ``item``'s column, indexed by its bits read
    as an unsigned number: :func:`_flag_column` run once on all 65,536 of them, so the two
    cannot disagree. Checked against :func:`_int16_hits`, which finds the same cells by
    comparisons. Kept per missing codes and scale."""
    key = (tuple(item.missing_codes), item.scale)
    table = _INT16_TABLES.get(key)
    if table is None:
        values = np.arange(65536, dtype=np.uint16).view(np.int16)
        table = _flag_column(np.empty(values.size), pd.Series(values), item, _NO_SOURCE)
        if not np.array_equal(table != 0, _int16_hits(values, item.missing_codes, item.scale.min, item.scale.max)):
            raise RuntimeError(f"column '{item.name}': the 16-bit checks disagree with the audit's; this is a bug "
                               "in valuekit")
        table.flags.writeable = False
        if len(_INT16_TABLES) >= 64:
            _INT16_TABLES.clear()
        _INT16_TABLES[key] = table
    return table


#: :func:`_int16_problems`' tables, by (missing codes, scale).
_INT16_TABLES: dict = {}
#: A source with nothing of its own to say about a cell (no user-missing values, no marks).
_NO_SOURCE = SourceInfo(path="", format="csv")


def _int16_values(chunked: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray | None]:
    """A 16-bit integer column's values (read-only; undefined where blank) and its blank
    cells as a mask (None when there are none)."""
    array = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    n = len(array)
    values = np.frombuffer(array.buffers()[1], np.int16, count=n, offset=array.offset * 2)
    if array.null_count == 0:
        return values, None
    bits = np.frombuffer(array.buffers()[0], np.uint8)
    return values, np.unpackbits(bits, count=array.offset + n, bitorder="little")[array.offset:] == 0


def _int16_hits(values: np.ndarray, missing_codes, low: float, high: float) -> np.ndarray:
    """Where a 16-bit integer is a missing code or out of the scale ``[low, high]``: the
    entries of :func:`_int16_problems`' table that are not 0 (it checks so), found by
    comparing 16-bit integers (faster than looking each one up)."""
    lo, hi = math.ceil(max(low, _INT16_LOW)), math.floor(min(high, _INT16_HIGH))
    hit = (values < lo) | (values > hi)
    for code in missing_codes:
        if float(code).is_integer() and lo <= code <= hi:
            hit |= values == int(code)
    return hit


class _Int16Pass(_ColumnPass):
    """:class:`_ColumnPass` over items Arrow parsed as 16-bit integers (:func:`_int16_direct`),
    from their arrays: comparisons of 16-bit integers find the cells with a problem
    (:func:`_int16_hits`), a look-up table per item names it (:func:`_int16_problems`,
    :func:`_flag_column`'s own verdict on every 16-bit integer), and the row tallies of the benefit and
    sacrifice items are kept as 16-bit integers, "no answer" standing at either end of the
    range, until they are handed on as floats."""

    def run(self, columns, X, arrays: dict, numeric_cols, codebook, value_items) -> None:
        n = X.shape[0]
        high, low = np.full(n, _INT16_LOW, np.int16), np.full(n, _INT16_HIGH, np.int16)
        unanswered = np.zeros(n, np.int32)
        items = 0
        for j in columns:
            col = numeric_cols[j]
            item = codebook.items[col]
            values, blank = _int16_values(arrays[j])
            table = _int16_problems(item)  # checked once against the comparisons below
            hit = _int16_hits(values, item.missing_codes, item.scale.min, item.scale.max)
            if blank is not None:
                hit &= ~blank  # a blank cell's bits hold no value
            missing = hit if blank is None else hit | blank
            rows_missing = np.flatnonzero(missing)  # masks cost more than row lists at a few percent
            rows_hit = rows_missing if blank is None else rows_missing[hit[rows_missing]]
            x = X[:, j]
            np.copyto(x, values)
            x[rows_missing] = np.nan
            self.blank[j] = rows_missing.size - rows_hit.size
            self.answered_per_column[j] = n - rows_missing.size
            if rows_hit.size:
                found = values[rows_hit]
                kinds = table[found.view(np.uint16)] - 1
                for p, c in zip(CELL_PROBLEMS, np.bincount(kinds, minlength=len(CELL_PROBLEMS))):
                    self.counts[p][j] = c
                codes, uniques = pd.factorize(found, use_na_sentinel=False)
                self.found.append((rows_hit, j, kinds, codes, [_show(u) for u in uniques]))
            if col in value_items:
                items += 1
                unanswered[rows_missing] += 1  # each row once
                answer = values.copy()
                answer[rows_missing] = _INT16_LOW
                np.maximum(high, answer, out=high)
                answer[rows_missing] = _INT16_HIGH
                np.minimum(low, answer, out=low)
        if items:
            self.answered = items - unanswered.astype(np.int64)
            some = self.answered > 0
            self.vmax = np.where(some, high, np.nan)
            self.vmin = np.where(some, low, np.nan)


def _marks(info: SourceInfo, column: str, start: int, n: int):
    """The cells of ``column`` the reader marked (:attr:`SourceInfo.cell_marks`) among rows
    ``start`` to ``start + n``: ``(positions in the block, problem codes, contents)``, by
    position; None when there are none."""
    marks = [m for m in info.cell_marks.get(column, ()) if start <= m[0] < start + n]
    if not marks:
        return None
    marks.sort(key=lambda m: m[0])
    return (np.array([m[0] - start for m in marks], np.int64),
            np.array([_PROBLEM_CODE[m[1]] for m in marks], np.uint8),
            np.array([m[2] for m in marks], dtype=object))


def _flag_column(x: np.ndarray, series: pd.Series, item, info: SourceInfo) -> np.ndarray:
    """Fill ``x`` with the column as floats; return a per-row problem code (0 = fine)."""
    problem = np.zeros(len(x), np.uint8)
    if item is not None and item.role == "price" and not pd.api.types.is_numeric_dtype(series.dtype) \
            and not pd.api.types.is_bool_dtype(series.dtype):  # "€1.234,50": an amount, not text
        x[:], non_numeric = read_prices(series, str(series.name), info.path, info.decimal)
        non_numeric = non_numeric if non_numeric.any() else None
    else:
        non_numeric = _to_float_into(x, series, info.decimal)
    if non_numeric is not None:
        problem[non_numeric] = _NON_NUMERIC
        if item is not None and item.missing_tokens:  # text the codebook declares missing ("N/A")
            rows = np.flatnonzero(non_numeric)
            text = series.iloc[rows].astype("str").str.strip()
            problem[rows[text.isin(item.missing_tokens).to_numpy(dtype=bool)]] = _PROBLEM_CODE["missing_code"]
    coded = np.zeros(len(x), bool)
    if item is not None:
        for code in item.missing_codes:
            coded |= x == code
        problem[coded] = _PROBLEM_CODE["missing_code"]
    for lo, hi in info.user_missing.get(series.name, ()):
        hit = (x >= lo) & (x <= hi) & ~coded
        problem[hit] = _PROBLEM_CODE["user_missing"]
        coded |= hit
    # a number too large for a float (inf) is no answer: non-numeric, wherever it came from
    if item is not None and np.isfinite(item.scale.min) and np.isfinite(item.scale.max):
        outside = np.flatnonzero(((x < item.scale.min) | (x > item.scale.max)) & ~coded)
        problem[outside] = _PROBLEM_CODE["out_of_range"]
        problem[outside[np.isinf(x[outside])]] = _NON_NUMERIC  # inf is outside any finite scale
    else:
        if item is not None:
            problem[((x < item.scale.min) | (x > item.scale.max)) & ~coded] = _PROBLEM_CODE["out_of_range"]
        problem[np.isinf(x)] = _NON_NUMERIC
    return problem


def _cell_table(found, numeric_cols, row_numbers, ids) -> pd.DataFrame:
    """The flagged cells, column by column (the file's order), then by row.

    The value text is built once per distinct value, not once per cell.
    """
    if found:
        r_idx = np.concatenate([f[0] for f in found])
        c_idx = np.concatenate([np.full(f[0].size, f[1]) for f in found])
        k_idx = np.concatenate([f[2] for f in found])
        offsets = np.cumsum([0] + [len(f[4]) for f in found[:-1]])
        v_idx = np.concatenate([f[3] + o for f, o in zip(found, offsets)])
        shown = [v for f in found for v in f[4]]
    else:
        r_idx = c_idx = k_idx = v_idx = np.zeros(0, np.int64)
        shown = []
    return pd.DataFrame({
        "row": row_numbers[r_idx],
        "respondent": ids.array[r_idx],
        "column": _check.str_take(numeric_cols, c_idx),
        "value": _check.str_take(shown, v_idx),
        "problem": _check.str_take(list(CELL_PROBLEMS), k_idx),
    })


def _show(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))  # 9.0 -> "9"; not 1e308 -> 309 digits
    return str(value)


@share_docs
def load_survey(path: str | Path, codebook: Codebook | str | Path, *, format: str | None = None,
                encoding: str = "auto", sep: str | None = None, decimal: str | None = None,
                sheet: str | int | None = None, limits: dict | None = None, **audit_options) -> Survey:
    """Load a survey export with its codebook: the kept data plus a full audit.

    Parameters
    ----------
    path : str or Path
        CSV, Qualtrics CSV, Excel, SPSS ``.sav`` or Parquet export.
    {codebook}
    format, encoding, sep, decimal, sheet
        Passed to :func:`valuekit.survey.io.read_survey_file`.
    limits : dict, optional
        Caps on what is read, overriding ``valuekit/survey/limits.yaml`` (``columns``,
        ``header_bytes``, ``xlsx_uncompressed_bytes``, ``xlsx_rows``): see
        :func:`valuekit.survey.io.read_survey_file`.
    **audit_options
        ``exclude``, ``speeder_fraction``, ``straightline_min_items``: see
        :func:`audit_survey`.

    Returns
    -------
    Survey

    Raises
    ------
    ParameterError
        A wrong argument, named, before anything is read.
    SurveyFileError, CodebookError, SurveyError
        See :func:`valuekit.survey.io.read_survey_file`, :func:`valuekit.survey.codebook.read_codebook`
        and :func:`audit_survey`.

    Examples
    --------
    >>> from valuekit import load_survey, DEMO_DATA, DEMO_CODEBOOK
    >>> survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    >>> a = survey.audit
    >>> a.rows_in == a.rows_kept + a.rows_excluded
    True
    """
    unknown = sorted(set(audit_options) - {"exclude", "speeder_fraction", "straightline_min_items"})
    if unknown:
        raise ParameterError(f"{unknown[0]}: not an option of load_survey; expected exclude, "
                             "speeder_fraction or straightline_min_items", name=unknown[0])
    check_read_options(path, format=format, encoding=encoding, sep=sep, decimal=decimal, sheet=sheet)
    limits = read_limits(limits)
    exclude, speeder_fraction, straightline_min_items = check_audit_options(
        audit_options.get("exclude", DEFAULT_EXCLUDE), audit_options.get("speeder_fraction", 0.3),
        audit_options.get("straightline_min_items", 5))
    codebook = read_codebook_arg(codebook)
    recoder = recode_file(path, codebook, straightline_min_items, format=format, encoding=encoding, sep=sep,
                          decimal=decimal, sheet=sheet, limits=limits)
    return recoder.finish(exclude, speeder_fraction)


def recode_file(path, codebook: Codebook, straightline_min_items: int, **read_options) -> _Recoder:
    """Read and recode one export: a large CSV file block by block as it is parsed (the
    raw table is never held whole), anything else read whole first. The same recoding and
    flags either way; the row flags that need every row are left to :meth:`_Recoder.finish`."""
    text_columns = [codebook.id] if codebook.id else []
    options = {k: v for k, v in read_options.items() if k != "sheet"}
    stream = (stream_csv(path, text_columns=text_columns, integer_columns=list(codebook.items), **options)
              if read_options.get("sheet") is None else None)
    if stream is not None:
        codebook.check_columns(stream.columns, source=stream.info.describe())
        table = stream.take_whole()
        if table is not None and table.num_rows:  # parsed at once: recoded from Arrow's arrays
            recoder = _Recoder(codebook, stream.info, stream.columns, table.num_rows, straightline_min_items)
            recoder.add_table(table)
            return recoder
        recoder = _Recoder(codebook, stream.info, stream.columns, stream.row_bound(), straightline_min_items)
        try:
            for frame in stream:
                recoder.add(frame)
                del frame
            if recoder.n:
                return recoder
        except StreamMisfit:
            pass  # a block that does not fit the first one's types: read the file whole
        del recoder
    frame, info = read_survey_file(path, text_columns=text_columns, **read_options)
    _check_frame(frame, codebook, info)
    recoder = _Recoder(codebook, info, list(frame.columns), len(frame), straightline_min_items)
    recoder.add(frame)
    return recoder
