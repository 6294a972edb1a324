"""Tables for readers: the one presentation layer of the reports, the dashboard and the deck.

An analysis returns a full frame for analysts (ids as columns, proportions, floats, NaN);
:func:`reader_table` turns it into what a reader can take in: headings and names from the
codebook's labels in the survey's language, percentages as percentages, counts as whole
numbers, intervals in one style (``0.95 [0.94, 0.95]``), p-values as ``< 0.001``, a dash
for a missing value, nothing truncated. The full frame stays one attribute away
(``table.source``).

How each result column is written (its kind and heading per language) is data, in
``valuekit/present/reader.yaml``; numbers are written by Babel, in the conventions of the
language (``1,962`` and ``66.8%`` in English, ``1.962`` and ``66,8 %`` in Spanish).

Why pandas' Styler and Babel: the Styler renders in every notebook front end, in
nbconvert's HTML and in Voilà without another dependency, and leaves a frame of strings
for the deck; Babel holds the CLDR number conventions of each language (separators, the
space before a Spanish percent sign), which hand-written rules would each have to repeat.
"""

from __future__ import annotations

import hashlib
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate.args import expected_error
from .._validate.yamlfile import loads
from ..survey.codebook import Codebook
from ..survey.labels import DEFAULT_LABELS, KINDS, MISSING, format_number, lang_arg

__all__ = ["READER_COLUMNS", "READER_VALUES", "ReaderTable", "reader_table", "format_number", "KINDS", "MISSING"]

#: How result columns are written for readers, by column id (``reader.yaml``).
_READER = loads(Path(__file__).with_name("reader.yaml").read_text(encoding="utf-8"))
READER_COLUMNS: dict[str, dict] = _READER["columns"]
#: Reader words for values that are codes (``benefit``, ``destroyed``, ``all``), by language.
READER_VALUES: dict[str, dict] = _READER["values"]


@dataclass(frozen=True)
class ReaderTable:
    """A table written for readers (:func:`reader_table`).

    Attributes
    ----------
    frame : DataFrame
        The table as shown: reader headings, every cell text.
    source : DataFrame
        The analysis result it was written from, whole.
    caption : str
        Shown above the table; empty for none.
    notes : list of str
        Shown under the table (what a dash means, say).
    """

    frame: pd.DataFrame
    source: pd.DataFrame = field(repr=False)
    caption: str = ""
    notes: tuple[str, ...] = ()

    def to_html(self) -> str:
        """The table as HTML (pandas' Styler, no index, numbers right-aligned), with its notes."""
        numeric = [c for c in self.frame.columns if self.frame[c].map(_looks_numeric).all()]
        words = [c for c in self.frame.columns if c not in numeric]
        # an id of its own (styles are scoped by it), the same on every run: from the content
        uuid = "vk" + hashlib.sha1((self.caption + self.frame.to_json()).encode("utf-8")).hexdigest()[:10]
        # every cell, heading and the caption as text: labels come from other people's files
        styler = (self.frame.style.format(escape="html").format_index(escape="html", axis=1)
                  .hide(axis="index").set_uuid(uuid).set_table_attributes('class="vk-table"')
                  .set_table_styles([{"selector": "td, th", "props": "white-space: normal; text-align: left"}])
                  .set_table_styles({c: [{"selector": "td, th", "props": "text-align: right"}] for c in numeric},
                                    overwrite=False)
                  .set_table_styles({c: [{"selector": "td", "props": "min-width: 7em"}] for c in words},
                                    overwrite=False))
        if self.caption:
            styler = styler.set_caption(html.escape(self.caption))
        notes = "".join(f"<p class='vk-table-note'><small>{html.escape(n)}</small></p>" for n in self.notes)
        return styler.to_html(cell_ids=False) + notes

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False) if len(self.frame.columns) else "(no columns)"
        head = f"{self.caption}\n" if self.caption else ""
        tail = "".join(f"\n{n}" for n in self.notes)
        return head + text + tail


def _looks_numeric(text: str) -> bool:
    head = text.split(" [")[0].replace("< ", "").replace("\xa0", "").replace("%", "").replace(",", "")
    head = head.replace(".", "").replace("−", "-").lstrip("+-")
    return head.isdigit() or text == MISSING


@share_docs
def reader_table(frame: pd.DataFrame, *, codebook: Codebook | None = None, lang: str = "en",
                 columns: list[str] | None = None, kinds: dict | None = None, level: float = 0.95,
                 caption: str = "", notes=()) -> ReaderTable:
    """A result frame written for readers.

    Parameters
    ----------
    frame : DataFrame
        Any valuekit result (or any frame). A default (0, 1, 2 ...) index is dropped; any
        other index becomes the first column(s).
    {codebook}
        Optional: with it, names of blocks, items, facets and outcomes, in headings and in
        text cells, take its labels (whole, never shortened).
    {lang}
    columns : list of str, optional
        The columns to show, in this order (after the index); default all. A column's
        interval bounds come with it.
    kinds : dict, optional
        Column to kind (one of :data:`KINDS`), over ``reader.yaml`` and the kind told from
        the values: ``{"share": "pct"}`` for a share given from 0 to 100.
    level : float, default 0.95
        The level of the intervals, for their headings (``[95 % CI]``).
    caption : str, optional
        Shown above the table.
    notes : list of str, optional
        Shown under the table.

    Returns
    -------
    ReaderTable
        ``.frame`` the table as shown, ``.source`` the frame given.

    Examples
    --------
    >>> import pandas as pd
    >>> t = reader_table(pd.DataFrame({"block": ["money"], "n": [1962.0], "share_destroyed": [0.198]}))
    >>> print(t)
    Block     n Value destroyed
    Money 1,962           19.8%
    """
    lang = _check_table_args(frame, codebook, lang, kinds)
    source, frame = frame, _shown_frame(frame, columns)
    shown = {}
    owners = _interval_owners(frame)
    joined = {b for pair in owners.values() for b in pair}
    for col in frame.columns:
        if col in joined:
            continue
        spec = READER_COLUMNS.get(str(col)) or _affixed(str(col), codebook, lang)
        kind = (kinds or {}).get(col) or spec.get("kind") or _kind_of(frame[col])
        row_kinds = _row_kinds(source, frame, col, kind)
        cells = [_cell(v, k, codebook, lang) for v, k in zip(frame[col], row_kinds)]
        heading = _heading(col, spec, codebook, lang)
        if col in owners:
            cells = _with_intervals(cells, [frame[b] for b in owners[col]], row_kinds, lang)
            heading += " " + _interval_words(level, lang)
        while heading in shown:  # two columns with one label (an index and a column): keep both
            heading += "\u2009"
        shown[heading] = cells
    out = pd.DataFrame(shown, index=pd.RangeIndex(len(frame)), dtype=object)
    return ReaderTable(out, source, caption, tuple(notes))


def _check_table_args(frame, codebook, lang: str, kinds) -> str:
    """Refuse a wrong argument of :func:`reader_table`, naming it; the language, checked."""
    if not isinstance(frame, pd.DataFrame):
        raise expected_error("frame", "a DataFrame (a valuekit result)", frame)
    if codebook is not None and not isinstance(codebook, Codebook):
        raise expected_error("codebook", "None or a Codebook", codebook)
    if kinds is not None and (not isinstance(kinds, dict) or any(k not in KINDS for k in kinds.values())):
        raise expected_error("kinds", f"None or a mapping of column to one of {list(KINDS)}", kinds)
    return lang_arg(lang)


def _shown_frame(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """The columns asked for (with their interval bounds), the index as first column(s):
    none for row numbers, a blank heading for an unnamed one."""
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise expected_error("columns", f"columns of the frame ({list(map(str, frame.columns))})", missing)
        bounds = [b for c in columns for b in READER_COLUMNS.get(str(c), {}).get("interval", ())
                  if b in frame.columns]
        frame = frame[list(dict.fromkeys([*columns, *bounds]))]
    positions = frame.index.name is None and pd.api.types.is_integer_dtype(frame.index.dtype)
    if positions and not isinstance(frame.index, pd.MultiIndex):  # row numbers of a filtered frame: not shown
        frame = frame.reset_index(drop=True)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        # an unnamed index gets a blank heading; one named as a column shown too keeps both
        names = [n if n is not None else " " * (i + 1) for i, n in enumerate(frame.index.names)]
        names = [f"{n} " if n in frame.columns else n for n in names]
        frame = frame.rename_axis(names).reset_index()
    return frame


def _with_intervals(cells: list, bounds: list, row_kinds: list, lang: str) -> list:
    """Each value with its interval, ``0.95 [0.94, 0.95]``: the bounds written as the value is,
    kept together so a narrow column breaks before the bracket, not inside it."""
    low, high = ([format_number(v, k, lang) for v, k in zip(b, row_kinds)] for b in bounds)
    between = _READER["words"]["between"][lang].replace(" ", "\u00a0")
    return [c if c == MISSING else f"{c} [{lo}{between}{hi}]" for c, lo, hi in zip(cells, low, high)]


def _interval_words(level: float, lang: str) -> str:
    """The heading's note on an interval's level: ``[95% CI]``."""
    words = _READER["words"]["interval"]
    shown = format_number(level, "percent", lang).replace(".0", "").replace(",0", "")
    return (words.get(lang) or words["en"]).format(level=shown)


def _interval_owners(frame: pd.DataFrame) -> dict:
    """The columns that take their interval bounds (``interval:`` in ``reader.yaml``): of two
    claiming the same bounds, the last one before them (``alpha, ci_low, ci_high``)."""
    cols = list(frame.columns)
    claims: dict[tuple, list] = {}
    for col in cols:
        pair = tuple(READER_COLUMNS.get(str(col), {}).get("interval", ()))
        if pair and all(b in cols for b in pair):
            claims.setdefault(pair, []).append(col)
    owners = {}
    for pair, claimants in claims.items():
        first = cols.index(pair[0])
        before = [c for c in claimants if cols.index(c) < first]
        owners[before[-1] if before else claimants[0]] = pair
    return owners


def _row_kinds(source: pd.DataFrame, frame: pd.DataFrame, col, kind: str) -> list[str]:
    """Each row's kind in one column: the column's, but a percentage in the rows of a share
    where the table says which rows are shares (``share_rows`` in ``reader.yaml``)."""
    rule = _READER["share_rows"]
    if kind != "decimal" or col not in rule["columns"] or rule["by"] not in source.columns \
            or len(source) != len(frame):
        return [kind] * len(frame)
    return ["percent" if v == rule["value"] else kind for v in source[rule["by"]].to_numpy()]


def _affixed(col: str, codebook: Codebook | None, lang: str) -> dict:
    """The spec of a column named with a prefix or suffix of ``reader.yaml`` (``z_money``),
    its heading filled with the label of the name it carries; empty when none fits."""
    for affix, spec in _READER["prefixes"].items():
        if col.startswith(affix) and len(col) > len(affix):
            name = col[len(affix):]
            break
    else:
        for affix, spec in _READER["suffixes"].items():
            if col.endswith(affix) and len(col) > len(affix):
                name = col[:-len(affix)]
                break
        else:
            return {}
    label = _heading(name, READER_COLUMNS.get(name, {}), codebook, lang)
    return {"kind": spec["kind"], **{lg: spec[lg].format(label=label) for lg in ("en", "es", "it")}}


def _kind_of(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column.dtype):
        return "flag"
    if not pd.api.types.is_numeric_dtype(column.dtype):
        return "text"
    values = column.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    return "count" if finite.size and np.all(finite == np.round(finite)) else "decimal"


def _label(name, codebook: Codebook | None, lang: str) -> str:
    """The label of a name: the codebook's (whole), the built-in one, or the name itself."""
    key = str(name)
    if key in READER_VALUES:
        return READER_VALUES[key].get(lang) or READER_VALUES[key]["en"]
    if codebook is not None:
        return codebook.label(key, lang, shorten=False)
    table = DEFAULT_LABELS.get(key, {})
    return table.get(lang) or table.get("en") or key


def _heading(col, spec: dict, codebook: Codebook | None, lang: str) -> str:
    if spec:
        return spec.get(lang) or spec.get("en") or str(col)
    label = _label(str(col).strip(), codebook, lang)
    if label != str(col).strip():
        return label
    text = str(col).strip().replace("_", " ")
    return text[:1].upper() + text[1:]  # "NPS (points)" keeps its capitals


def _cell(value, kind: str, codebook: Codebook | None, lang: str) -> str:
    if kind == "text":
        if value is None or value is pd.NA or isinstance(value, float) and math.isnan(value):
            return MISSING
        if not isinstance(value, str):
            return str(value)
        parts = value.split("; ")  # several codes in one cell ("duplicate_id; speeder"): each in words
        if len(parts) > 1 and all(p in READER_VALUES for p in parts):
            return "; ".join(_label(p, codebook, lang) for p in parts)
        return _label(value, codebook, lang)
    return format_number(value, kind, lang)
