"""Read survey exports the way an analyst receives them.

CSV (comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM,
Windows-1252 / Latin-1), Excel, SPSS ``.sav`` (value labels and user-missing values),
Qualtrics CSV exports (three header rows) and Parquet. :func:`read_survey_file` returns
the raw table and a :class:`SourceInfo` describing what was read; it changes no values.
Recoding and flagging happen in :mod:`valuekit.survey.audit`.

Only a truly empty cell is read as blank: ``N/A``, ``NA``, ``nan``, ``null`` or ``#N/A``
typed into a cell stay text (the audit lists them), and a column holding text the CSV
reader would take for a number (``0x1F`` as 31, ``nan``, ``inf``, ``1e999``) is read as
text, so the audit sees what was written. An Excel error cell (``#DIV/0!``, ``#N/A``, ...)
or a formula saved without its value is read as blank and recorded in
:attr:`SourceInfo.cell_marks`, for the audit to list.

Exports that would hang or exhaust memory are refused before their cells are read: caps
on the number of columns, the size of a CSV header line and, for ``.xlsx``, the size the
workbook expands to and its rows (``valuekit/survey/limits.yaml``, or ``limits=``).
"""

from __future__ import annotations

import codecs
import copy
import csv
import functools
import io as _io
import json
import mmap
import re
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._validate import check as _check
from .._validate import yamlfile as _yaml
from ..errors import FileError, ParameterError, SurveyFileError

__all__ = ["SourceInfo", "SurveyFileError", "read_survey_file", "read_limits", "FORMATS", "LIMITS_FILE"]

#: Formats :func:`read_survey_file` understands, and the file suffixes that imply them.
FORMATS = {
    "csv": (".csv", ".txt", ".tsv"),
    "qualtrics": (),
    "excel": (".xlsx", ".xlsm"),
    "spss": (".sav", ".zsav"),
    "parquet": (".parquet", ".pq"),
}


@dataclass
class SourceInfo:
    """What was read, and how.

    Attributes
    ----------
    path : str
        File name (without directories, so it can be shown in a report).
    format : str
        One of :data:`FORMATS`.
    encoding, delimiter, decimal : str or None
        For text formats, what was used (detected or given).
    question_text : dict
        Column to question wording, where the file carries it (Qualtrics, SPSS).
    user_missing : dict
        Column to the ``(low, high)`` spans of values the file itself declares missing
        (SPSS user-missing values and ranges).
    value_labels : dict
        Column to ``{code: label}`` (SPSS value labels).
    sheet, sheets
        Excel: the sheet read and every sheet of the workbook.
    sep_line : str or None
        A CSV file's first line when it names the delimiter (Excel's ``sep=;``): the
        file was read with that delimiter, from the line after it.
    cell_marks : dict
        Excel: column to ``[(position, problem, content), ...]``, the cells read as blank
        that were not: an error (``excel_error``, content ``#DIV/0!``) or a formula saved
        without its value (``formula_without_value``, content ``=B2/C2``); position is
        the 0-based data row. The audit lists them (:data:`valuekit.survey.audit.CELL_PROBLEMS`).
    """

    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    question_text: dict[str, str] = field(default_factory=dict)
    user_missing: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    sep_line: str | None = None
    cell_marks: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)

    def describe(self) -> str:
        """The file as an error message should name it (with the sheet, for Excel; with
        the delimiter, when its first line named it)."""
        if self.format == "excel" and self.sheet is not None:
            others = [s for s in self.sheets if s != self.sheet]
            more = f"; other sheets: {others} (choose with sheet=)" if others else ""
            return f"{self.path} (sheet '{self.sheet}'{more})"
        if self.sep_line is not None:
            return f"{self.path} (delimiter {self.delimiter!r}, as its first line {self.sep_line!r} says)"
        return self.path


#: The shipped caps (see :func:`read_limits`).
LIMITS_FILE = Path(__file__).with_name("limits.yaml")
_LIMIT_KEYS = ("columns", "header_bytes", "xlsx_uncompressed_bytes", "xlsx_rows")


def read_limits(limits=None) -> dict[str, int]:
    """The caps on what is read: :data:`LIMITS_FILE` with ``limits`` overriding some of them.

    Parameters
    ----------
    limits : dict, optional
        Some of ``columns``, ``header_bytes``, ``xlsx_uncompressed_bytes`` and
        ``xlsx_rows``, each a whole number >= 1.

    Returns
    -------
    dict
        Every cap.

    Raises
    ------
    ParameterError
        ``limits`` is not a mapping, names an unknown cap or gives a value that is not a
        whole number >= 1.
    FileError
        ``limits.yaml`` itself is broken (named).

    Examples
    --------
    >>> read_limits({"columns": 50000})["columns"]
    50000
    """
    if limits is not None and not isinstance(limits, dict):
        raise _check._fail("limits", f"a dict of caps (some of {list(_LIMIT_KEYS)}) or None", limits)
    unknown = [k for k in (limits or {}) if k not in _LIMIT_KEYS]
    if unknown:
        raise ParameterError(f"limits: unknown cap(s) {unknown}; expected some of {list(_LIMIT_KEYS)}",
                             name="limits")
    shipped = _shipped_limits()
    if not isinstance(shipped, dict) or sorted(shipped) != sorted(_LIMIT_KEYS):
        raise FileError(f"{LIMITS_FILE}: expected exactly the caps {list(_LIMIT_KEYS)}", path=str(LIMITS_FILE))
    out = {}
    for key in _LIMIT_KEYS:
        value = shipped[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FileError(f"{LIMITS_FILE}: {key}: expected a whole number >= 1, got {value!r}",
                            path=str(LIMITS_FILE))
        out[key] = _check.integer(f"limits['{key}']", limits[key], min=1) if key in (limits or {}) else value
    return out


_SHIPPED: dict = {}


def _shipped_limits():
    """``limits.yaml`` as parsed, read again only when the file changes (its size or time):
    parsing it took a fifth of loading a 10,000-row survey."""
    try:
        on_disk = LIMITS_FILE.stat()
        key = (str(LIMITS_FILE), on_disk.st_mtime_ns, on_disk.st_size)
    except OSError:  # read_file names the file and what is wrong
        key = None
    if key is None or key not in _SHIPPED:
        shipped = _yaml.read_file(LIMITS_FILE, what="limits file", error=FileError)
        if key is None:
            return shipped
        _SHIPPED.clear()
        _SHIPPED[key] = shipped
    return copy.deepcopy(_SHIPPED[key])


def _over_cap(name: str, found: str, key: str, cap: int, need: int) -> SurveyFileError:
    """A file refused by a cap: what was found, the cap and how to raise it."""
    return SurveyFileError(f"{name}: refused: {found}, over the cap {key}={cap:,}. If the file is trusted, "
                           f"raise the cap with limits={{'{key}': {need}}} (on the command line --limit {key}={need}) "
                           f"or in valuekit/survey/{LIMITS_FILE.name}",
                           path=name)


def _file_kind(path: Path) -> str | None:
    """What a path that exists but is no regular file is ("a named pipe (FIFO)", ...); None
    for a regular file or a path that is not there."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    for test, kind in ((stat.S_ISREG, None), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def _guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    raise SurveyFileError(
        f"{path.name}: cannot tell the format from the suffix '{suffix}'; pass format= one of "
        f"{sorted(FORMATS)}"
    )


def _decode(raw: bytes, name: str, encoding: str) -> tuple[str, str]:
    """Decode text, trying UTF-32 and UTF-16 (by their byte-order mark, or by the NUL bytes
    of ASCII text without one), UTF-8 (with or without BOM) then Windows-1252 when 'auto'."""
    if encoding != "auto":
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SurveyFileError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as err:
            raise SurveyFileError(_decode_message(raw, name, encoding, err)) from None
    wide = _wide_encoding(raw)
    if wide:
        codec, told = wide
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError as err:  # e.g. cut off mid-character
            raise SurveyFileError(_decode_message(raw, name, f"{codec.upper()} ({told})", err)) from None
    try:
        text = raw.decode("utf-8-sig")
        return text, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as first:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise SurveyFileError(_decode_message(raw, name, "UTF-8 or Windows-1252", first)) from None


def _wide_encoding(raw: bytes) -> tuple[str, str] | None:
    """``(codec, how it was told)`` for UTF-32 or UTF-16 text, by its byte-order mark or,
    without one, by the NUL bytes of mostly-ASCII text; None for any other file."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        return "utf-32", "its byte-order mark says so"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "its byte-order mark says so"
    sample = raw[:4096 - 4096 % 4]
    sample = sample[:len(sample) - len(sample) % 4]
    if len(sample) >= 8:
        lanes = [sample[i::4].count(0) / (len(sample) // 4) for i in range(4)]
        if lanes[0] < 0.1 and min(lanes[2], lanes[3]) > 0.9:
            return "utf-32-le", "it looks like UTF-32 without a byte-order mark"
        if lanes[3] < 0.1 and min(lanes[0], lanes[1]) > 0.9:
            return "utf-32-be", "it looks like UTF-32 without a byte-order mark"
    guess = _utf16_without_bom(raw)
    return (guess, "it looks like UTF-16 without a byte-order mark") if guess else None


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the head of a file without a byte-order mark has a NUL
    in (nearly) every other byte, as ASCII text in UTF-16 has; else None."""
    sample = raw[:4096]
    if len(sample) < 4 or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_message(raw: bytes, name: str, tried: str, err: UnicodeDecodeError) -> str:
    line = raw.count(b"\n", 0, err.start) + 1
    return (f"{name}: cannot decode the file as {tried}: byte 0x{raw[err.start]:02x} at line {line} "
            f"(byte offset {err.start}). Pass encoding= with the file's real encoding, e.g. "
            "encoding='latin-1' or 'utf-16'.")


_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
#: Excel's hint on a CSV file's first line: ``sep=;`` (the delimiter), maybe quoted.
_SEP_HINT = re.compile(r'"?sep=([^"\r\n])"?(?:\1)*')
#: Rows, after the header, that the delimiter must split like the header.
_SNIFF_ROWS = 20


def _sniff_delimiter(text: str, suffix: str = "") -> str:
    """The delimiter of delimited text starting at its header: of comma, semicolon, tab and
    bar, the one that splits the header and the next rows (up to 20) into the same number
    (> 1) of cells, the most cells if several do (a tab first in a ``.tsv`` file); else the
    one the header holds most of (a comma when none)."""
    # the header as a record, not its first physical line: a quoted name may hold a line break
    counts = {sep: len(rows[0]) - 1 if rows else 0
              for sep in _DELIMITERS for rows in [_records(text, sep, 1)]}
    present = [sep for sep in counts if counts[sep]]
    if len(present) <= 1:
        return present[0] if present else ","
    fits = {}
    for sep in present:
        widths = {len(r) for r in _records(text, sep, _SNIFF_ROWS + 1)}
        if len(widths) == 1:
            fits[sep] = widths.pop()
    if fits:
        first = "\t" if suffix == ".tsv" else ""
        return max(fits, key=lambda sep: (fits[sep], sep == first))
    return max(counts, key=counts.get)


def _read_head(path: Path, header_bytes: int) -> bytes:
    """The first bytes of a text file: up to the end of its header line (the first line
    with more than spaces, after an Excel ``sep=`` line) and 1 MiB more. A header that
    ends more than ``header_bytes`` into the file is refused, without reading further."""
    buffer = bytearray()
    start = 0
    with path.open("rb") as fh:
        while True:
            end = buffer.find(b"\n", start)
            while end >= 0:
                line = bytes(buffer[start:end]).replace(b"\x00", b"").strip(b" \t\r\xef\xbb\xbf\xff\xfe")
                if line and not (start == 0 and line.startswith((b"sep=", b'"sep='))):
                    if end > header_bytes:
                        raise _over_cap(path.name, f"its header ends {end:,} bytes into the file", "header_bytes",
                                        header_bytes, end)
                    return bytes(buffer) + fh.read(max(0, end + 1 + _HEAD - len(buffer)))
                start = end + 1
                end = buffer.find(b"\n", start)
            if len(buffer) > header_bytes:
                raise _over_cap(path.name, f"its header does not end in the first {header_bytes:,} bytes (no line "
                                "break there)", "header_bytes", header_bytes, 4 * header_bytes)
            chunk = fh.read(_HEAD)
            if not chunk:
                return bytes(buffer)
            buffer += chunk


def _layout(head_text: str, name: str, sep: str | None, suffix: str) -> tuple[str, int, str | None, str]:
    """How a delimited text is laid out: ``(delimiter, lines to skip, sep= line, text from
    the header on)``. An Excel ``sep=;`` first line gives the delimiter (a different
    ``sep=`` is refused) and is skipped; empty lines above the header are skipped (as the
    table readers do); a line of spaces there is refused, naming it."""
    lines = head_text.split("\n")  # not splitlines(): U+2028 or \x1c in a cell breaks no line
    skip, hint = 0, None
    match = _SEP_HINT.fullmatch(lines[0].rstrip("\r"))
    if match:
        hint = lines[0].rstrip("\r")
        if sep is not None and sep != match.group(1):
            raise SurveyFileError(f"{name}: its first line {hint!r} says the delimiter is {match.group(1)!r}, but "
                                  f"sep={sep!r} was given; leave sep= out (or pass sep={match.group(1)!r})")
        sep, skip = match.group(1), 1
    start = sum(len(line) + 1 for line in lines[:skip])
    for number, line in enumerate(lines[skip:], start=skip + 1):
        if line.rstrip("\r"):
            if not line.strip():
                raise SurveyFileError(f"{name}: line {number}, above the header, holds only spaces; expected the "
                                      "column names on the first line that is not empty: delete that line")
            break
        start += len(line) + 1
    text = head_text[start:]
    return sep or _sniff_delimiter(text, suffix), skip, hint, text


def _check_header(names: list[str], name: str, sep: str, columns_cap: int) -> None:
    """Refuse a header with too many columns, none named, or a name twice (linear)."""
    if len(names) > columns_cap:
        raise _over_cap(name, f"its header has {len(names):,} columns", "columns", columns_cap, len(names))
    if len(names) > 1 and not any(names):
        raise SurveyFileError(f"{name}: the header has no column names, only {len(names) - 1} "
                              f"{_DELIMITERS.get(sep, repr(sep))} delimiter(s) {sep!r}; expected the column names "
                              "on the first line that is not empty: delete the line(s) above them")
    repeated = sorted(c for c, k in Counter(names).items() if k > 1)
    if repeated:  # pandas would silently rename the second one 'name.1'
        raise SurveyFileError(f"{name}: column name(s) {repeated} appear more than once in the header")


def _read_as(info: "SourceInfo", sniffed: bool) -> str:
    """How a text file was read, for a message: its delimiter and encoding."""
    how = "as its first line says" if info.sep_line else "sniffed from the header" if sniffed else "as given"
    return (f"read as {info.encoding} with the {_DELIMITERS.get(info.delimiter, 'delimiter')} "
            f"{info.delimiter!r} ({how}); pass sep= or encoding= if the file has others")


#: A plain decimal number: optional sign, digits with an optional decimal mark, optional
#: exponent (ASCII digits only). What a survey analyst reads as a number.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _arrow_csv(source, sep: str, text_columns: list[str], skip: int = 0) -> pd.DataFrame:
    """Parse with Arrow's multithreaded reader, as ``pd.read_csv(engine="pyarrow")`` does,
    with some columns forced to text (pandas' ``dtype=`` is unreliable with that engine).

    Only empty cells are null (Arrow's default also nulls ``N/A``, ``NA``, ``nan``,
    ``null``, ``#N/A``, ...), and no column is boolean (by default a column of ``1`` and
    ``True`` would be, and its ``1`` no longer a number). Arrow reads ``nan``, ``inf`` and
    ``1e999`` as floats and ``0x1F`` as the integer 31: a float column with a value that
    is not finite, or an integer column with a hexadecimal cell, is read again as text (a
    second pass over those columns only, on files that have such cells). ``skip``: lines
    above the header (an Excel ``sep=`` line).
    """
    import pyarrow.csv as pacsv  # deferred: pyarrow

    def read(as_text: list[str], include: list[str] | None = None, newlines: bool = False) -> pa.Table:
        if hasattr(source, "seek"):
            source.seek(0)
        return pacsv.read_csv(
            source, read_options=pacsv.ReadOptions(skip_rows=skip),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=newlines),
            convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                 true_values=[], false_values=[],
                                                 column_types={c: pa.string() for c in as_text},
                                                 include_columns=include or []))

    newlines = False
    try:
        table = read(list(text_columns))
    except pa.ArrowInvalid as err:
        if not _split_in_quotes(err):
            raise
        # the slower reader that follows quotes across lines; a truly ragged row fails again
        newlines = True
        table = read(list(text_columns), newlines=True)
    redo = [f.name for f in table.schema
            if pa.types.is_floating(f.type) and pc.all(pc.is_finite(table[f.name])).as_py() is False]
    ints = {f.name for f in table.schema if pa.types.is_integer(f.type)}
    if ints and _may_hold_hex(source):
        redo += [f.name for f in table.schema if f.name in ints]
    if redo:
        again = read(redo, include=redo, newlines=newlines)
        replace = {name: again[name] for name in redo
                   if name not in ints or pc.any(pc.match_substring_regex(again[name], r"^\s*0[xX]")).as_py()}
        if replace:  # else no hexadecimal cell in those: their numbers stand
            table = pa.table([replace.get(name, column) for name, column in zip(table.column_names, table.columns)],
                             names=table.column_names)
    return _to_pandas(table)


def _split_in_quotes(err: Exception) -> bool:
    """Whether Arrow's parse, splitting the file at line breaks for its threads, may have cut
    a quoted cell that holds one (a comment over two lines): it then says "Expected n
    columns" or "out of sync with chunker", and the file is to be parsed following quotes."""
    return "Expected" in str(err) or "chunker" in str(err)


def _to_pandas(table) -> pd.DataFrame:
    """An Arrow table as a DataFrame, column by column, freeing each Arrow column once
    converted: the file is held in memory once, not twice (the table must not be used
    afterwards)."""
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _arrow_text(source, sep: str, header: list[str], skip: int = 0) -> pd.DataFrame:
    """Every cell as text (only an empty one is null), quoted line breaks followed; a row
    with too few or too many cells raises ArrowInvalid (pandas would pad it with blanks)."""
    import pyarrow.csv as pacsv  # deferred: pyarrow

    if hasattr(source, "seek"):
        source.seek(0)
    table = pacsv.read_csv(
        source, read_options=pacsv.ReadOptions(skip_rows=skip),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                             column_types={c: pa.string() for c in header}))
    return _to_pandas(table)


def _ragged_row(source, sep: str, width: int, skip: int = 0) -> str | None:
    """Which row has a number of cells other than the header's (rows counted as the
    table readers do: empty lines skipped, and the first ``skip`` records), for the error
    message; None if not found."""
    if hasattr(source, "seek"):
        source.seek(0)
        fh = _io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace", newline="")
    else:
        fh = open(source, encoding="utf-8-sig", errors="replace", newline="")
    try:
        reader = csv.reader(fh, delimiter=sep)
        row = -skip
        for record in reader:
            if not record:
                continue
            row += 1
            if row < 1:
                continue
            if len(record) != width:
                return (f"row {row} of the file (line {reader.line_num}) has {len(record)} cell(s) "
                        f"where the header has {width}")
    except csv.Error:
        return None
    finally:
        if hasattr(source, "seek"):
            fh.detach()
        else:
            fh.close()
    return None


def _may_hold_hex(source) -> bool:
    """Whether the raw file has ``0x`` or ``0X`` anywhere (a cheap scan for the letter first:
    a numeric export usually has none)."""
    if isinstance(source, _io.BytesIO):
        with source.getbuffer() as view:
            return re.search(rb"0[xX]", view) is not None
    with open(source, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
        if view.find(b"x") < 0 and view.find(b"X") < 0:
            return False
        return re.search(rb"0[xX]", view) is not None


def _records(text: str, sep: str, n: int) -> list[list[str]]:
    """The first ``n`` records of delimited text (quoted newlines inside a cell and all),
    skipping empty lines as the table readers do."""
    found: list[list[str]] = []
    try:
        for record in csv.reader(_io.StringIO(text), delimiter=sep):
            if record:
                found.append(record)
                if len(found) == n:
                    break
    except csv.Error:  # a cut-off or malformed record: judge by what was read
        pass
    return found


def _is_import_id(cell: str) -> bool:
    cell = cell.strip()
    if not cell.startswith("{"):
        return False
    try:
        entry = json.loads(cell)
    except ValueError:
        return False
    return isinstance(entry, dict) and "ImportId" in entry


def _qualtrics_misfit(records: list[list[str]]) -> str | None:
    """Why the first records are not a Qualtrics export's three header rows (column names,
    question text, ``{"ImportId": ...}`` entries), or None when they are."""
    if len(records) < 3:
        return (f"the file has {len(records)} row(s); a Qualtrics export starts with three header rows "
                "(column names, question text, ImportId entries)")
    names, questions, ids = records[:3]
    if len(ids) != len(names):
        return f"row 3 of the file has {len(ids)} cell(s) where the header has {len(names)}"
    filled = [(name.strip(), cell) for name, cell in zip(names, ids) if cell.strip()]
    if not filled:
        return 'row 3 of the file is empty where a Qualtrics export has its {"ImportId": ...} entries'
    for name, cell in filled:
        if not _is_import_id(cell):
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            return f'row 3 of the file, column \'{name}\', holds {shown!r}, not a JSON {{"ImportId": ...}} entry'
    texts = [c.strip() for c in questions if c.strip()]
    if texts and all(_NUMBER.fullmatch(c) for c in texts):
        return "row 2 of the file holds numbers (a response?) where a Qualtrics export has its question text"
    return None


def _is_binary(column: pd.Series) -> bool:
    first = column.first_valid_index()
    return first is not None and isinstance(column[first], bytes)


_HEAD = 1 << 20  # the first MiB: enough for the header rows and to sniff the encoding


def _text_source(path: Path, head: bytes, encoding: str, whole: bool):
    """What the parser reads (the file itself when its start is UTF-8, else the decoded text
    as UTF-8 bytes), the encoding used, and the decoded start of the file."""
    if not whole and encoding == "auto" and not _wide_encoding(head):
        try:
            head_text = codecs.getincrementaldecoder("utf-8")().decode(head, final=path.stat().st_size <= len(head))
            return path, ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), head_text
        except UnicodeDecodeError:
            pass
    raw = path.read_bytes()
    text, used = _decode(raw, path.name, encoding)
    return _io.BytesIO(raw if used == "utf-8" else text.encode("utf-8")), used, text[:len(head)]


def _is_qualtrics(records: list, qualtrics: bool | None, name: str) -> bool:
    """Whether the file is a Qualtrics export (its second and third rows are question text and
    ImportId entries); refused when that contradicts what was asked for."""
    misfit = _qualtrics_misfit(records)
    if qualtrics and misfit:
        raise SurveyFileError(f"{name}: format='qualtrics', but this is not a Qualtrics export: {misfit}. "
                              "Read it with format='csv' (or leave format= out), which keeps every row")
    if qualtrics is False and not misfit:
        raise SurveyFileError(f"{name}: rows 2 and 3 of the file are a Qualtrics export's question text and "
                              "ImportId entries, not respondents; read it with format='qualtrics' "
                              "(or leave format= out)")
    return not misfit


def _parse_text(source, info: SourceInfo, records: list, skip: int, as_text: list, whole: bool,
                name: str) -> pd.DataFrame | None:
    """Parse the table of :func:`_read_text` (``info.format`` says which kind); None when
    the file must be decoded whole first (Arrow kept text that is not UTF-8 as bytes)."""
    if info.format == "qualtrics":  # every cell as text: only an empty one is blank; a ragged row is refused
        frame = _arrow_text(source, info.delimiter, records[0], skip)
        if len(frame) < 2 or not all(_is_import_id(v) for v in frame.iloc[1].dropna()):
            raise RuntimeError(f"{name}: the Qualtrics header rows were found by one reader "
                               "and not by the other; this is a bug in valuekit")
        info.question_text = {str(k).strip(): "" if pd.isna(v) else str(v) for k, v in frame.iloc[0].items()}
        return frame.iloc[2:]
    frame = _arrow_csv(source, info.delimiter, as_text, skip)
    if not whole and any(_is_binary(frame[c]) for c in frame.columns[frame.dtypes == object]):
        return None
    return frame


def _unreadable(err: Exception, source, info: SourceInfo, has_header: bool, width: int, skip: int,
                sniffed: bool) -> SurveyFileError:
    """The error for a table the parser refused: which row is ragged, if that is why, and
    how to read the file instead."""
    if "Empty CSV file" in str(err) and has_header:  # a header alone, without a final line break
        return SurveyFileError(f"{info.describe()}: the file has a header but no data rows")
    ragged = _ragged_row(source, info.delimiter, width, skip) if "columns, got" in str(err) else None
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return SurveyFileError(f"{info.path}: not a readable {info.format.upper()} table"
                           f"{': ' + ragged if ragged else ''}; {_read_as(info, sniffed)} ({first})")


def _read_text(path: Path, *, qualtrics: bool | None, encoding: str, sep: str | None,
               decimal: str | None, text_columns=(), whole: bool = False,
               limits: dict | None = None) -> tuple[pd.DataFrame, SourceInfo]:
    """Read a delimited text export.

    The common case, UTF-8, is handed to the parser straight from the file (which checks
    every byte); any other encoding, or UTF-8 that turns out to be invalid further in, is
    decoded in full first (``whole=True``).

    ``qualtrics``: True when asked for (the file must have the three header rows), False
    for a plain CSV (a Qualtrics export is then refused rather than read with its header
    rows as respondents), None to tell from the file. ``limits``: :func:`read_limits`.
    """
    limits = limits or read_limits()
    head = _read_head(path, limits["header_bytes"])
    if not head.strip() and path.stat().st_size <= len(head):
        raise SurveyFileError(f"{path.name}: the file is empty; expected a header row and data rows")
    source, used, head_text = _text_source(path, head, encoding, whole)
    given = sep
    sep, skip, hint, head_text = _layout(head_text.lstrip("\ufeff"), path.name, sep, path.suffix.lower())
    decimal = decimal or ("," if sep == ";" else ".")
    if head_text.split("\n", 1)[0].count(sep) >= limits["columns"]:  # too many, unless quoted: count exactly
        _check_header(_records(head_text, sep, 1)[0], path.name, sep, limits["columns"])
    records = _records(head_text, sep, 3)  # parsed as records: question text may hold newlines
    qualtrics = _is_qualtrics(records, qualtrics, path.name)
    names = [c.strip() for c in (records[0] if records else [])]
    _check_header(names, path.name, sep, limits["columns"])
    info = SourceInfo(path=path.name, format="qualtrics" if qualtrics else "csv",
                      encoding=used, delimiter=sep, decimal=decimal, sep_line=hint)
    as_text = [c for c in text_columns if c in names]  # e.g. ids: keep "007" as it is

    try:
        frame = _parse_text(source, info, records, skip, as_text, whole, path.name)
    except UnicodeDecodeError:
        if whole:
            raise
        frame = None
    except SurveyFileError:
        raise
    except (pd.errors.ParserError, ValueError) as err:  # pyarrow raises ArrowInvalid (a ValueError)
        if whole or "UTF8" not in str(err):  # else valid UTF-8 at the top, not further down
            raise _unreadable(err, source, info, bool(records), len(names), skip, given is None) from None
        frame = None
    if frame is None:  # decode the whole file first
        return _read_text(path, qualtrics=qualtrics, encoding=encoding, sep=given, decimal=decimal,
                          text_columns=text_columns, whole=True, limits=limits)
    return frame, info


#: A CSV file at least this large is audited block by block as it is parsed
#: (:func:`stream_csv`), so the raw table is never held whole; smaller files are read at once.
STREAM_MIN_BYTES = 32 * 2**20
#: Bytes of CSV text parsed per block when streaming.
STREAM_BLOCK_BYTES = 4 * 2**20


class StreamMisfit(Exception):
    """A block of a streamed CSV file does not fit the column types of the first block (a
    column of numbers that later holds text, say): the file must be read whole instead."""


#: Rows handed on at a time when the whole file was parsed at once (see :class:`CsvStream`).
STREAM_SLICE_ROWS = 1 << 17


@dataclass
class CsvStream:
    """A plain CSV file to be parsed block by block (see :func:`stream_csv`).

    :meth:`row_bound` is an upper bound on the number of data rows (the rows of the whole
    file parsed at once, else its line breaks); ``columns`` the header's names, stripped
    (``raw_columns`` as written). Iterating yields
    DataFrames of consecutive rows, each read as :func:`read_survey_file` would read it, or
    raises :class:`StreamMisfit` when the file cannot be read that way block by block.

    ``integer_columns`` (rated items, say) are first tried as 16-bit integers: when every
    cell of those columns is blank or a whole number from -32768 to 32767, the whole file
    is parsed at once on Arrow's threads (about three times faster than block by block)
    and still held compactly, 2 bytes a cell instead of 8, then handed on in slices of
    :data:`STREAM_SLICE_ROWS` rows. The numbers are the same as the 64-bit integers the
    block-by-block parse infers. A cell that does not fit (text, a decimal, a larger
    number) makes that parse fail at once, and the file is parsed block by block instead.
    """

    path: Path
    info: SourceInfo
    columns: list[str]
    text_columns: list[str]
    raw_columns: list[str] = field(default_factory=list)
    integer_columns: list[str] = field(default_factory=list)
    skip: int = 0  # lines above the header (an Excel ``sep=`` line)

    def _options(self, integers: bool, newlines: bool = True):
        import pyarrow.csv as pacsv  # deferred: pyarrow

        raw = dict(zip(self.columns, self.raw_columns or self.columns))
        types = {raw[c]: pa.string() for c in self.text_columns}
        if integers:
            types.update({raw[c]: pa.int16() for c in self.integer_columns if c in raw and c not in self.text_columns})
        return {"read_options": pacsv.ReadOptions(skip_rows=self.skip),
                "parse_options": pacsv.ParseOptions(delimiter=self.info.delimiter, newlines_in_values=newlines),
                "convert_options": pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                        true_values=[], false_values=[], column_types=types)}

    @staticmethod
    def _misfit(batch) -> str | None:
        """What the whole-file reader would read again as text: non-finite floats, bytes."""

        for f, column in zip(batch.schema, batch.columns):
            if pa.types.is_floating(f.type) and pc.all(pc.is_finite(column)).as_py() is False or \
                    pa.types.is_binary(f.type):
                return f"column '{f.name}': {f.type}"
        return None

    def _compact(self):
        """The whole file parsed at once with the integer columns as int16, or None.

        Arrow's threads first split the file at its line breaks (a third faster); a line
        break inside a quoted cell then fails that parse (Arrow reports the split, it does
        not misread it), and the file is parsed again following quotes across lines."""
        import pyarrow.csv as pacsv  # deferred: pyarrow

        if not self.integer_columns:
            return None
        for newlines in (False, True):
            try:
                table = pacsv.read_csv(self.path, **self._options(integers=True, newlines=newlines))
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as err:  # a cell that does not fit, a ragged row, ...
                if newlines or not _split_in_quotes(err):
                    return None
        return None if self._misfit(table) else table

    @functools.cached_property
    def _whole(self):
        """:meth:`_compact`'s table, parsed once."""
        return self._compact()

    def take_whole(self):
        """The whole file parsed at once with the integer columns as int16 (:meth:`_compact`),
        handed over: the stream keeps no reference to it. None when it does not parse that way
        (iterate the stream instead)."""
        table = self._whole
        self.__dict__.pop("_whole", None)
        return table

    def row_bound(self) -> int:
        """An upper bound on the number of data rows: the rows of the whole file when it
        parses at once, else the file's line breaks (a quoted cell may hold some) plus one."""
        table = self._whole
        if table is not None:
            return table.num_rows
        with self.path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return sum(view[i:i + 2**24].count(b"\n") for i in range(0, len(view), 2**24)) + 1

    def __iter__(self):
        import pyarrow.csv as pacsv  # deferred: pyarrow

        table = self.take_whole()  # held by this loop alone: freed with it
        if table is not None:
            for start in range(0, table.num_rows, STREAM_SLICE_ROWS):
                frame = table.slice(start, STREAM_SLICE_ROWS).to_pandas(split_blocks=True)
                frame.columns = self.columns
                yield frame
            return
        options = self._options(integers=False)
        options["read_options"].block_size = STREAM_BLOCK_BYTES
        reader = pacsv.open_csv(self.path, **options)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, UnicodeDecodeError) as err:  # a type that does not hold, a ragged row, ...
                raise StreamMisfit(str(err)) from None
            misfit = self._misfit(batch)
            if misfit:
                raise StreamMisfit(f"{misfit} in a block")
            frame = batch.to_pandas(split_blocks=True, self_destruct=True)
            del batch
            frame.columns = self.columns
            yield frame


def _utf8_layout(path: Path, sep: str | None, limits: dict) -> tuple | None:
    """The encoding (with or without BOM), delimiter, lines to skip, ``sep=`` hint and header
    text of a UTF-8 CSV file; None when its head is not UTF-8 or its layout is refused (the
    whole-file reader then says why)."""
    head = _read_head(path, limits["header_bytes"])
    if _wide_encoding(head):
        return None
    try:
        head_text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    used = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        sep, skip, hint, head_text = _layout(head_text.lstrip("\ufeff"), path.name, sep, path.suffix.lower())
    except SurveyFileError:
        return None
    return used, sep, skip, hint, head_text


def _large_csv(path: Path, format: str | None, encoding: str) -> bool:
    """Whether a file may be streamed: a plain CSV file (asked for, or by its suffix) of at
    least :data:`STREAM_MIN_BYTES`, in UTF-8 or with the encoding left to be told."""
    return format in (None, "csv") and encoding in ("auto", "utf-8", "utf-8-sig") and path.is_file() and \
        (format is not None or _guess_format(path) == "csv") and path.stat().st_size >= STREAM_MIN_BYTES


def stream_csv(path: str | Path, *, format: str | None = None, encoding: str = "auto", sep: str | None = None,
               decimal: str | None = None, text_columns=(), integer_columns=(),
               limits: dict | None = None) -> CsvStream | None:
    """A large plain CSV export, ready to be parsed block by block; None when the file is
    small or must be read whole (:func:`read_survey_file`): not UTF-8, a Qualtrics export,
    a repeated column name, or cells that might be hexadecimal.

    ``integer_columns`` (the rated items) are first tried as 16-bit integers, the whole
    file at once (:class:`CsvStream`). Otherwise the first block decides each column's
    type; a later block that does not fit raises :class:`StreamMisfit` while iterating,
    and the caller reads the file whole instead. ``limits``: :func:`read_limits`; a file
    over a cap raises :class:`SurveyFileError`.
    """
    path = Path(path)
    if not _large_csv(path, format, encoding):
        return None
    limits = limits or read_limits()
    layout = _utf8_layout(path, sep, limits)
    if layout is None:
        return None
    used, sep, skip, hint, head_text = layout
    decimal = decimal or ("," if sep == ";" else ".")
    if head_text.split("\n", 1)[0].count(sep) >= limits["columns"]:
        _check_header(_records(head_text, sep, 1)[0], path.name, sep, limits["columns"])
    records = _records(head_text, sep, 3)
    if not records or not _qualtrics_misfit(records):
        return None
    names = [c.strip() for c in records[0]]
    if len(set(names)) != len(names) or not any(names) or _may_hold_hex(path):
        return None
    info = SourceInfo(path=path.name, format="csv", encoding=used, delimiter=sep, decimal=decimal, sep_line=hint)
    present = set(names)
    return CsvStream(path=path, info=info, columns=names,
                     text_columns=[c for c in text_columns if c in present], raw_columns=list(records[0]),
                     integer_columns=[c for c in integer_columns if c in present], skip=skip)


def read_survey_file(path: str | Path, *, format: str | None = None, encoding: str = "auto",
                     sep: str | None = None, decimal: str | None = None,
                     sheet: str | int | None = None, text_columns=(),
                     limits: dict | None = None) -> tuple[pd.DataFrame, SourceInfo]:
    """Read a survey export into a DataFrame, unchanged, with a description of the source.

    Parameters
    ----------
    path : str or Path
        The export.
    format : {"csv", "qualtrics", "excel", "spss", "parquet"}, optional
        Taken from the suffix when omitted; a CSV export is read as a Qualtrics export
        when its third row holds a JSON ``{"ImportId": ...}`` entry in every non-empty
        cell. ``"qualtrics"`` on a file without those header rows, and ``"csv"`` on a file
        with them, raise :class:`SurveyFileError` rather than drop or misread rows.
    encoding : str, default "auto"
        Text formats only. ``"auto"`` tries UTF-32 and UTF-16 (by their BOM, or by the
        NUL bytes of text without one), UTF-8 (with or without BOM), then Windows-1252,
        which covers Latin-1 exports.
    sep, decimal : str, optional
        Text formats only. The delimiter (one character) is taken from an Excel
        ``sep=;`` first line (that line is skipped; :meth:`SourceInfo.describe` says so),
        else sniffed: of comma, semicolon, tab and bar, the one splitting the header and
        the next rows alike. The decimal mark (``"."`` or ``","``) defaults to a comma for
        semicolon files. Empty lines above the header are skipped.
    sheet : str or int, optional
        Excel only: the sheet, default the first. A name is looked up first; digits that
        are not a sheet's name are its position (0 = the first).
    text_columns : list of str, optional
        Columns read as text whatever they look like (the respondent id: ``007`` stays
        ``007``). CSV and Excel; SPSS and Parquet carry their own types.
    limits : dict, optional
        Caps overriding ``valuekit/survey/limits.yaml`` (:func:`read_limits`): ``columns``,
        ``header_bytes`` (CSV), ``xlsx_uncompressed_bytes`` and ``xlsx_rows``. A file
        over a cap is refused before its cells are read.

    Returns
    -------
    frame : DataFrame
        One row per data row of the file, columns named by the header (stripped of
        surrounding spaces). Only empty cells are missing; any text is kept as written.
    info : SourceInfo

    Raises
    ------
    ParameterError
        An argument of the wrong type or value (named), or an option that does not apply
        to the file's format (``sheet=`` for a CSV file, ``sep=`` for Excel, ...).
    SurveyFileError
        The file is missing, not a regular file (a pipe, a device such as ``/dev/null``),
        empty, over a cap of ``limits``, or cannot be read as the format says.
    """
    path, text_columns = check_read_options(path, format=format, encoding=encoding, sep=sep,
                                            decimal=decimal, sheet=sheet, text_columns=text_columns)
    limits = read_limits(limits)
    fmt = _check_file(path, format, encoding=encoding, sep=sep, decimal=decimal, sheet=sheet)
    text_format = fmt in ("csv", "qualtrics")
    if text_format:  # asked for Qualtrics: must be one; asked for CSV: must not be; else: told by the file
        frame, info = _read_text(path, qualtrics={"qualtrics": True, "csv": False}.get(format),
                                 encoding=encoding, sep=sep, decimal=decimal, text_columns=text_columns,
                                 limits=limits)
    elif fmt == "excel":
        frame, info = _read_excel(path, sheet, text_columns, limits)
    elif fmt == "spss":
        frame, info = _read_spss(path, limits)
    else:
        frame, info = _read_parquet(path, limits)

    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise SurveyFileError(f"{path.name}: column name(s) {duplicated} appear more than once in the header")
    if len(frame) == 0:
        raise SurveyFileError(f"{info.describe()}: the file has a header but no data rows")
    return frame.reset_index(drop=True), info


def _check_file(path: Path, format: str | None, *, encoding: str, sep: str | None, decimal: str | None,
                sheet) -> str:
    """The format a survey file is read as, once it is known to be a regular, non-empty file
    and the options given apply to it."""
    kind = _file_kind(path)
    if kind == "a folder":
        raise SurveyFileError(f"survey file '{path}' is a folder; expected an export file", path=str(path))
    if kind:
        raise SurveyFileError(f"survey file '{path}' is {kind}, not a regular file; expected an export file "
                              "saved on disk (CSV, Excel, SPSS or Parquet)", path=str(path))
    if not path.is_file():
        raise SurveyFileError(f"survey file '{path}' not found", path=str(path))
    fmt = format or _guess_format(path)
    text_format = fmt in ("csv", "qualtrics")
    for name, value, default in (("encoding", encoding, "auto"), ("sep", sep, None), ("decimal", decimal, None)):
        if value != default and not text_format:
            raise ParameterError(f"{name}: applies to CSV and Qualtrics files only, but {path.name} is read "
                                 f"as {fmt}; leave {name}= out", name=name)
    if sheet is not None and fmt != "excel":
        raise ParameterError(f"sheet: applies to Excel files only, but {path.name} is read as {fmt}; "
                             "leave sheet= out", name="sheet")
    if path.stat().st_size == 0:
        raise SurveyFileError(f"{path.name}: the file is empty; expected a header row and data rows")
    return fmt


def _read_parquet(path: Path, limits: dict) -> tuple[pd.DataFrame, SourceInfo]:
    """Read a Parquet file, its schema checked against the columns cap and for repeated names
    before any cell is read."""
    import pyarrow.parquet as pq  # deferred: pyarrow

    info = SourceInfo(path=path.name, format="parquet")
    try:
        names = pq.read_schema(path).names  # the footer only: names and count before any cell
    except Exception as err:  # pyarrow.ArrowInvalid and friends
        raise SurveyFileError(f"{path.name}: not a readable Parquet file ({_first_line(err)})") from None
    if len(names) > limits["columns"]:
        raise _over_cap(path.name, f"its schema has {len(names):,} columns", "columns", limits["columns"],
                        len(names))
    repeated = sorted(c for c, k in Counter(str(c).strip() for c in names).items() if k > 1)
    if repeated:  # pyarrow would dump the whole schema
        raise SurveyFileError(f"{path.name}: column name(s) {repeated} appear more than once in the schema")
    try:
        frame = pd.read_parquet(path, to_pandas_kwargs={"split_blocks": True, "self_destruct": True})
    except Exception as err:  # pyarrow.ArrowInvalid and friends
        raise SurveyFileError(f"{path.name}: not a readable Parquet file ({_first_line(err)})") from None
    return frame, info


_EXCEL_MARKS = {"e": "excel_error", "f": "formula_without_value"}


@functools.cache
def _cell_parser():
    """openpyxl's sheet parser, reading cached values (as ``data_only=True`` does) but
    telling a formula saved without its value (``data_type`` ``"f"``, the formula as its
    value) from a blank cell. A formula's empty text result (``t="str"``) stays blank."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser  # deferred: openpyxl

    class CellParser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if element.find(FORMULA_TAG) is not None:
                formula = self.parse_formula(element)  # also registers a shared formula's first cell
                if cell["value"] is None and element.get("t") != "str":
                    cell["value"], cell["data_type"] = str(getattr(formula, "text", formula)), "f"
            return cell

    return CellParser


def _sheet_list(sheets: list[str], chosen: str) -> str:
    others = [s for s in sheets if s != chosen]
    example = f" (e.g. sheet={others[0]!r})" if len(others) == 1 else ""
    return f"sheets in the file: {sheets}; choose the survey's sheet with sheet={example}"


def _read_excel(path: Path, sheet, text_columns, limits: dict) -> tuple[pd.DataFrame, SourceInfo]:
    """Read one sheet of an .xlsx workbook in a single pass over its XML (openpyxl's
    read-only parser): every cell as openpyxl gives it (pandas would make "N/A" blank and
    turn booleans beside a blank into 1.0 / 0.0), then each column's own type.

    Error cells and formulas saved without a value are read as blank and listed in
    :attr:`SourceInfo.cell_marks`. Entirely blank rows are skipped (as in a CSV file);
    the header is the first row that is not. The caps of ``limits`` on the size the
    workbook expands to, its rows and columns are checked from the archive's metadata and
    the sheet's ``<dimension>`` before any cell is read (and counted while reading).
    """
    import openpyxl  # deferred: openpyxl

    name = path.name
    info = SourceInfo(path=name, format="excel")
    _check_xlsx_size(path, limits)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as err:  # zipfile.BadZipFile, KeyError (a part missing), openpyxl errors
        raise SurveyFileError(f"{name}: not a readable Excel workbook ({_first_line(err)})") from None
    try:
        ws, title, sheets = _excel_sheet(book, name, sheet, limits)
        info.sheets, info.sheet = sheets, title
        rows, numbers, marks = _excel_rows(book, ws, name, f"sheet {title!r}", limits)
    except SurveyFileError:
        raise
    except Exception as err:  # a damaged sheet (XML errors), openpyxl errors
        raise SurveyFileError(f"{name}: not a readable Excel workbook ({_first_line(err)})") from None
    finally:
        book.close()
    if not rows:
        if len(sheets) > 1:
            raise SurveyFileError(f"{name}: sheet {title!r} is empty, expected a header row and data rows; "
                                  f"{_sheet_list(sheets, title)}")
        raise SurveyFileError(f"{name}: the workbook's only sheet, {title!r}, is empty; expected a header row and "
                              "data rows")
    frame, info.cell_marks = _excel_frame(rows, numbers, marks, name, f"sheet {title!r}", text_columns)
    return frame, info


def _check_xlsx_size(path: Path, limits: dict) -> None:
    """Refuse a workbook whose zip archive declares it expands beyond the cap, before reading it."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise SurveyFileError(f"{name}: not a readable Excel workbook ({err})") from None
    expands = sum(p.file_size for p in parts)
    if expands > limits["xlsx_uncompressed_bytes"]:
        biggest = max(parts, key=lambda p: p.file_size)
        raise _over_cap(name, f"the workbook expands to {expands:,} bytes (its largest part, {biggest.filename}, to "
                        f"{biggest.file_size:,}), as its zip archive declares", "xlsx_uncompressed_bytes",
                        limits["xlsx_uncompressed_bytes"], expands)


def _excel_sheet(book, name: str, sheet, limits: dict):
    """The sheet asked for (a name, or a position given as a number or digits), its title and
    every sheet's name; refused when missing, a chart, or wider or longer than the caps
    according to its ``<dimension>``."""
    sheets = list(book.sheetnames)
    chosen = 0 if sheet is None else sheet
    if isinstance(chosen, str) and chosen not in sheets and chosen.strip().isascii() and chosen.strip().isdigit():
        chosen = int(chosen)  # not a sheet's name: a position
    if isinstance(chosen, str) and chosen not in sheets or \
            not isinstance(chosen, str) and not 0 <= chosen < len(sheets):
        raise SurveyFileError(f"{name}: no sheet {chosen!r}; sheets in the file: {sheets}")
    title = chosen if isinstance(chosen, str) else sheets[int(chosen)]
    ws = book[title]
    if not hasattr(ws, "_get_source"):
        raise SurveyFileError(f"{name}: sheet {title!r} is a chart, not a table; {_sheet_list(sheets, title)}")
    where = f"sheet {title!r}"
    if ws.max_row is not None and ws.max_row > limits["xlsx_rows"]:
        raise _over_cap(name, f"{where} spans {ws.max_row:,} rows (its dimension "
                        f"{ws.calculate_dimension()}; a sheet formatted down to its last row counts them all: "
                        "delete the empty rows)", "xlsx_rows", limits["xlsx_rows"], ws.max_row)
    if ws.max_column is not None and ws.max_column > limits["columns"]:
        raise _over_cap(name, f"{where} spans {ws.max_column:,} columns (its dimension "
                        f"{ws.calculate_dimension()})", "columns", limits["columns"], ws.max_column)
    return ws, title, sheets


def _excel_rows(book, ws, name: str, where: str, limits: dict) -> tuple[list, list, list]:
    """The sheet's non-blank rows as lists of cell values (whole-number floats as ints), their
    row numbers, and the marked cells: ``(row index, column, problem, content)``."""
    rows, numbers, marks = [], [], []
    with ws._get_source() as source:
        parser = _cell_parser()(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                                date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            if number > limits["xlsx_rows"]:  # a sheet without a dimension, or a wrong one
                raise _over_cap(name, f"{where} has a row {number:,}", "xlsx_rows", limits["xlsx_rows"], number)
            if not cells:
                continue
            if cells[-1]["column"] > limits["columns"]:
                raise _over_cap(name, f"{where} has a cell in column {cells[-1]['column']:,}", "columns",
                                limits["columns"], cells[-1]["column"])
            row = _excel_row(cells, len(rows), marks)
            if row is not None:
                rows.append(row)
                numbers.append(number)
    return rows, numbers, marks


def _excel_row(cells: list, index: int, marks: list) -> list | None:
    """One parsed row's values by column (None when every cell is blank); marked cells
    (errors, formulas without a value) are left blank and appended to ``marks``."""
    row, filled = [np.nan] * cells[-1]["column"], False
    for cell in cells:
        value = cell["value"]
        if value is None or isinstance(value, str) and value == "":
            continue
        kind, filled = cell["data_type"], True
        if kind in _EXCEL_MARKS:
            marks.append((index, cell["column"] - 1, _EXCEL_MARKS[kind], str(value)))
        elif kind == "n" and type(value) is float and value.is_integer():
            row[cell["column"] - 1] = int(value)
        else:
            row[cell["column"] - 1] = value
    return row if filled else None


def _excel_frame(rows: list, numbers: list, marks: list, name: str, where: str,
                 text_columns) -> tuple[pd.DataFrame, dict]:
    """The first row as the header, the rest as the data (the used columns only), and the
    marked cells by column name; refused when a header cell is marked or a name repeats."""
    from openpyxl.utils import get_column_letter  # deferred: openpyxl

    used = {i for r in rows for i, v in enumerate(r) if not (isinstance(v, float) and np.isnan(v))}
    used |= {m[1] for m in marks}
    first, width = min(used), max(used) + 1

    def span(row: list) -> list:  # the used columns, blank-padded to the widest row
        cut = row[first:width]
        return cut + [np.nan] * (width - first - len(cut))

    header = span(rows[0])
    for row_index, column, problem, content in marks:
        if row_index == 0:
            raise SurveyFileError(f"{name}: {where}, header cell {get_column_letter(column + 1)}{numbers[0]} holds "
                                  f"{content!r} ({CELL_MARK_MEANING[problem]}); expected a column name")
    names = [f"Unnamed: {i}" if isinstance(v, float) and np.isnan(v) else str(v).strip() for i, v in enumerate(header)]
    repeated = sorted(c for c, k in Counter(names).items() if k > 1)
    if repeated:  # pandas would silently rename the second one 'name.1'
        raise SurveyFileError(f"{name}: column name(s) {repeated} appear more than once in the header")
    frame = pd.DataFrame([span(r) for r in rows[1:]], columns=names, dtype=object)
    for c in frame.columns:
        if c in text_columns:
            frame[c] = frame[c].astype("str")
    cell_marks = {}
    for row_index, column, problem, content in marks:
        cell_marks.setdefault(names[column - first], []).append((row_index - 1, problem, content))
    return frame.infer_objects(), cell_marks


#: What an Excel cell read as blank was (the audit's cell problems say the same).
CELL_MARK_MEANING = {"excel_error": "an Excel error value",
                     "formula_without_value": "a formula saved without its calculated value"}


def _first_line(err: Exception) -> str:
    """An exception's message, its first line only (pyarrow's can run to a schema dump)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def check_read_options(path, *, format=None, encoding="auto", sep=None, decimal=None, sheet=None,
                       text_columns=()) -> tuple[Path, list[str]]:
    """Check :func:`read_survey_file`'s arguments before any work; the path and text columns.

    Raises :class:`ParameterError` naming the first wrong argument.
    """
    path = _check.path("path", path)
    if format is not None:
        _check.choice("format", format, list(FORMATS))
    _check.text("encoding", encoding)
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParameterError(f"encoding: unknown encoding {encoding!r}; expected 'auto' or a codec "
                                 "name such as 'utf-8', 'cp1252' or 'latin-1'", name="encoding") from None
    if sep is not None:
        _check.text("sep", sep, length=1)
        if sep in "\"\r\n":  # a quote or a line break cannot separate cells
            raise ParameterError(f"sep: expected a delimiter character such as ',', ';', '\\t' or '|', "
                                 f"got {sep!r}", name="sep")
    if decimal is not None:
        _check.choice("decimal", decimal, [".", ","])
        if decimal == sep:
            raise ParameterError(f"decimal: {decimal!r} is also the delimiter (sep={sep!r}); expected the "
                                 "other decimal mark", name="decimal")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, Integral))
                              or isinstance(sheet, Integral) and sheet < 0 or isinstance(sheet, str) and not sheet):
        raise ParameterError(f"sheet: expected a sheet name (text) or position (a whole number from 0), "
                             f"got {sheet!r}", name="sheet")
    return path, _check.names("text_columns", text_columns)


def _read_spss(path: Path, limits: dict) -> tuple[pd.DataFrame, SourceInfo]:
    import pyreadstat  # deferred: pyreadstat

    try:
        _, meta = pyreadstat.read_sav(path, metadataonly=True)  # the dictionary only: the columns cap first
        if meta.number_columns > limits["columns"]:
            raise _over_cap(path.name, f"its dictionary declares {meta.number_columns:,} variables", "columns",
                            limits["columns"], meta.number_columns)
        frame, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)
    except SurveyFileError:
        raise
    except Exception as err:  # pyreadstat.ReadstatError and friends
        raise SurveyFileError(f"{path.name}: not a readable SPSS file ({_first_line(err)})") from None
    user_missing: dict[str, tuple[tuple[float, float], ...]] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        spans = tuple((float(r["lo"]), float(r["hi"])) for r in ranges
                      if isinstance(r["lo"], (int, float)) and isinstance(r["hi"], (int, float)))
        if spans:
            user_missing[col] = spans
    info = SourceInfo(
        path=path.name, format="spss",
        encoding=getattr(meta, "file_encoding", None),
        question_text={k: v for k, v in (meta.column_names_to_labels or {}).items() if v},
        user_missing=user_missing,
        value_labels=dict(meta.variable_value_labels or {}),
    )
    return frame, info
