"""Read survey exports the way an analyst receives them.

CSV (comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM,
Windows-1252 / Latin-1), Excel, SPSS ``.sav`` (value labels and user-missing values),
Qualtrics CSV exports (three header rows) and Parquet. :func:`read_survey_file` returns
the raw table and a :class:`SourceInfo` describing what was read; it changes no values.
Recoding and flagging happen in :mod:`valuekit.audit`.

Only a truly empty cell is read as blank: ``N/A``, ``NA``, ``nan``, ``null`` or ``#N/A``
typed into a cell stay text (the audit lists them), and a column holding text the CSV
reader would take for a number (``0x1F`` as 31, ``nan``, ``inf``, ``1e999``) is read as
text, so the audit sees what was written.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
import json
import mmap
import re
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import pandas as pd

from . import _check
from .errors import ParameterError, SurveyFileError

__all__ = ["SourceInfo", "SurveyFileError", "read_survey_file", "FORMATS"]

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

    def describe(self) -> str:
        """The file as an error message should name it (with the sheet, for Excel)."""
        if self.format == "excel" and self.sheet is not None:
            others = [s for s in self.sheets if s != self.sheet]
            more = f"; other sheets: {others} (choose with sheet=)" if others else ""
            return f"{self.path} (sheet '{self.sheet}'{more})"
        return self.path


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
    """Decode text, trying UTF-8 (with or without BOM) then Windows-1252 when 'auto'."""
    if encoding != "auto":
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise SurveyFileError(f"{name}: unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as err:
            raise SurveyFileError(_decode_message(raw, name, encoding, err)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:  # e.g. cut off mid-character
            raise SurveyFileError(_decode_message(raw, name, "UTF-16 (its byte-order mark says so)", err)) from None
    guess = _utf16_without_bom(raw)
    if guess:
        try:
            return raw.decode(guess), guess
        except UnicodeDecodeError as err:
            raise SurveyFileError(_decode_message(
                raw, name, f"{guess.upper()} (it looks like UTF-16 without a byte-order mark)", err)) from None
    try:
        text = raw.decode("utf-8-sig")
        return text, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as first:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise SurveyFileError(_decode_message(raw, name, "UTF-8 or Windows-1252", first)) from None


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


def _sniff_delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ","


#: A plain decimal number: optional sign, digits with an optional decimal mark, optional
#: exponent (ASCII digits only). What a survey analyst reads as a number.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _arrow_csv(source, sep: str, text_columns: list[str]) -> pd.DataFrame:
    """Parse with Arrow's multithreaded reader, as ``pd.read_csv(engine="pyarrow")`` does,
    with some columns forced to text (pandas' ``dtype=`` is unreliable with that engine).

    Only empty cells are null (Arrow's default also nulls ``N/A``, ``NA``, ``nan``,
    ``null``, ``#N/A``, ...), and no column is boolean (by default a column of ``1`` and
    ``True`` would be, and its ``1`` no longer a number). Arrow reads ``nan``, ``inf`` and
    ``1e999`` as floats and ``0x1F`` as the integer 31: a float column with a value that
    is not finite, or an integer column with a hexadecimal cell, is read again as text (a
    second pass over those columns only, on files that have such cells).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    def read(as_text: list[str], include: list[str] | None = None, newlines: bool = False) -> pa.Table:
        if hasattr(source, "seek"):
            source.seek(0)
        return pacsv.read_csv(
            source, parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=newlines),
            convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                 true_values=[], false_values=[],
                                                 column_types={c: pa.string() for c in as_text},
                                                 include_columns=include or []))

    newlines = False
    try:
        table = read(list(text_columns))
    except pa.ArrowInvalid as err:
        if "Expected" not in str(err):
            raise
        # a line break inside a quoted cell (a comment) split a block of a large file: the
        # slower reader that follows quotes across lines; a truly ragged row fails again
        newlines = True
        table = read(list(text_columns), newlines=True)
    redo = [f.name for f in table.schema
            if pa.types.is_floating(f.type) and pc.all(pc.is_finite(table[f.name])).as_py() is False]
    ints = [f.name for f in table.schema if pa.types.is_integer(f.type)]
    if ints and _may_hold_hex(source):
        redo += ints
    if redo:
        again = read(redo, include=redo, newlines=newlines)
        for name in redo:
            if name in ints and not pc.any(pc.match_substring_regex(again[name], r"^\s*0[xX]")).as_py():
                continue  # no hexadecimal cell in this one: its numbers stand
            table = table.set_column(table.schema.get_field_index(name), name, again[name])
    return _to_pandas(table)


def _to_pandas(table) -> pd.DataFrame:
    """An Arrow table as a DataFrame, column by column, freeing each Arrow column once
    converted: the file is held in memory once, not twice (the table must not be used
    afterwards)."""
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _arrow_text(source, sep: str, header: list[str]) -> pd.DataFrame:
    """Every cell as text (only an empty one is null), quoted line breaks followed; a row
    with too few or too many cells raises ArrowInvalid (pandas would pad it with blanks)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if hasattr(source, "seek"):
        source.seek(0)
    table = pacsv.read_csv(
        source, parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                             column_types={c: pa.string() for c in header}))
    return _to_pandas(table)


def _ragged_row(source, sep: str, width: int) -> str | None:
    """Which row has a number of cells other than the header's (rows counted as the
    table readers do: empty lines skipped), for the error message; None if not found."""
    if hasattr(source, "seek"):
        source.seek(0)
        fh = _io.TextIOWrapper(source, encoding="utf-8-sig", errors="replace", newline="")
    else:
        fh = open(source, encoding="utf-8-sig", errors="replace", newline="")
    try:
        reader = csv.reader(fh, delimiter=sep)
        row = 0
        for record in reader:
            if not record:
                continue
            row += 1
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


def _read_text(path: Path, *, qualtrics: bool | None, encoding: str, sep: str | None,
               decimal: str | None, text_columns=(), whole: bool = False) -> tuple[pd.DataFrame, SourceInfo]:
    """Read a delimited text export.

    The common case, UTF-8, is handed to the parser straight from the file (which checks
    every byte); any other encoding, or UTF-8 that turns out to be invalid further in, is
    decoded in full first (``whole=True``).

    ``qualtrics``: True when asked for (the file must have the three header rows), False
    for a plain CSV (a Qualtrics export is then refused rather than read with its header
    rows as respondents), None to tell from the file.
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if not head.strip() and path.stat().st_size <= _HEAD:
        raise SurveyFileError(f"{path.name}: the file is empty; expected a header row and data rows")
    used = None
    if not whole and encoding == "auto" and not head.startswith((b"\xff\xfe", b"\xfe\xff")) \
            and not _utf16_without_bom(head):
        try:
            head_text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _HEAD)
            used = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
            source = path
        except UnicodeDecodeError:
            pass
    if used is None:
        raw = path.read_bytes()
        text, used = _decode(raw, path.name, encoding)
        head_text = text[:_HEAD]
        source = _io.BytesIO(raw if used == "utf-8" else text.encode("utf-8"))
        del text
    head_text = head_text.lstrip("\ufeff")
    sep = sep or _sniff_delimiter(next(iter(head_text.splitlines()), ""))
    decimal = decimal or ("," if sep == ";" else ".")
    records = _records(head_text, sep, 3)  # parsed as records: question text may hold newlines
    misfit = _qualtrics_misfit(records)
    if qualtrics and misfit:
        raise SurveyFileError(f"{path.name}: format='qualtrics', but this is not a Qualtrics export: {misfit}. "
                              "Read it with format='csv' (or leave format= out), which keeps every row")
    if qualtrics is False and not misfit:
        raise SurveyFileError(f"{path.name}: rows 2 and 3 of the file are a Qualtrics export's question text and "
                              "ImportId entries, not respondents; read it with format='qualtrics' "
                              "(or leave format= out)")
    qualtrics = not misfit
    names = [c.strip() for c in (records[0] if records else [])]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:  # pandas would silently rename the second one 'name.1'
        raise SurveyFileError(f"{path.name}: column name(s) {repeated} appear more than once in the header")
    info = SourceInfo(path=path.name, format="qualtrics" if qualtrics else "csv",
                      encoding=used, delimiter=sep, decimal=decimal)
    as_text = [c for c in text_columns if c in names]  # e.g. ids: keep "007" as it is

    def decode_whole():
        return _read_text(path, qualtrics=qualtrics, encoding=encoding, sep=sep, decimal=decimal,
                          text_columns=text_columns, whole=True)

    try:
        if qualtrics:  # every cell as text: only an empty one is blank; a ragged row is refused
            frame = _arrow_text(source, sep, records[0])
            if len(frame) < 2 or not all(_is_import_id(v) for v in frame.iloc[1].dropna()):
                raise RuntimeError(f"{path.name}: the Qualtrics header rows were found by one reader "
                                   "and not by the other; this is a bug in valuekit")
            info.question_text = {str(k).strip(): "" if pd.isna(v) else str(v) for k, v in frame.iloc[0].items()}
            frame = frame.iloc[2:]
        else:
            frame = _arrow_csv(source, sep, as_text)
            if not whole and any(_is_binary(frame[c]) for c in frame.columns[frame.dtypes == object]):
                return decode_whole()  # Arrow keeps text that is not UTF-8 as bytes
    except UnicodeDecodeError:
        if whole:
            raise
        return decode_whole()
    except SurveyFileError:
        raise
    except (pd.errors.ParserError, ValueError) as err:  # pyarrow raises ArrowInvalid (a ValueError)
        if not whole and "UTF8" in str(err):  # valid UTF-8 at the top, not further down
            return decode_whole()
        if "Empty CSV file" in str(err) and records:  # a header alone, without a final line break
            raise SurveyFileError(f"{path.name}: the file has a header but no data rows") from None
        ragged = _ragged_row(source, sep, len(names)) if "columns, got" in str(err) else None
        raise SurveyFileError(f"{path.name}: not a readable {info.format.upper()} table"
                              f"{': ' + ragged if ragged else ''} ({err})") from None
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

    ``rows`` is an upper bound on the number of data rows (the line breaks of the file);
    ``columns`` the header's names, stripped (``raw_columns`` as written). Iterating yields
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
    rows: int
    text_columns: list[str]
    raw_columns: list[str] = field(default_factory=list)
    integer_columns: list[str] = field(default_factory=list)

    def _options(self, integers: bool):
        import pyarrow as pa
        import pyarrow.csv as pacsv

        raw = dict(zip(self.columns, self.raw_columns or self.columns))
        types = {raw[c]: pa.string() for c in self.text_columns}
        if integers:
            types.update({raw[c]: pa.int16() for c in self.integer_columns if c in raw and c not in self.text_columns})
        return {"parse_options": pacsv.ParseOptions(delimiter=self.info.delimiter, newlines_in_values=True),
                "convert_options": pacsv.ConvertOptions(null_values=[""], strings_can_be_null=True,
                                                        true_values=[], false_values=[], column_types=types)}

    @staticmethod
    def _misfit(batch) -> str | None:
        """What the whole-file reader would read again as text: non-finite floats, bytes."""
        import pyarrow as pa
        import pyarrow.compute as pc

        for f, column in zip(batch.schema, batch.columns):
            if pa.types.is_floating(f.type) and pc.all(pc.is_finite(column)).as_py() is False or \
                    pa.types.is_binary(f.type):
                return f"column '{f.name}': {f.type}"
        return None

    def _compact(self):
        """The whole file parsed at once with the integer columns as int16, or None."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        if not self.integer_columns:
            return None
        try:
            table = pacsv.read_csv(self.path, **self._options(integers=True))
        except (pa.ArrowInvalid, UnicodeDecodeError):  # a cell that does not fit, a ragged row, ...
            return None
        return None if self._misfit(table) else table

    def __iter__(self):
        import pyarrow as pa
        import pyarrow.csv as pacsv

        table = self._compact()
        if table is not None:
            for start in range(0, table.num_rows, STREAM_SLICE_ROWS):
                frame = table.slice(start, STREAM_SLICE_ROWS).to_pandas(split_blocks=True)
                frame.columns = self.columns
                yield frame
            return
        reader = pacsv.open_csv(self.path, read_options=pacsv.ReadOptions(block_size=STREAM_BLOCK_BYTES),
                                **self._options(integers=False))
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


def stream_csv(path: str | Path, *, format: str | None = None, encoding: str = "auto", sep: str | None = None,
               decimal: str | None = None, text_columns=(), integer_columns=()) -> CsvStream | None:
    """A large plain CSV export, ready to be parsed block by block; None when the file is
    small or must be read whole (:func:`read_survey_file`): not UTF-8, a Qualtrics export,
    a repeated column name, or cells that might be hexadecimal.

    ``integer_columns`` (the rated items) are first tried as 16-bit integers, the whole
    file at once (:class:`CsvStream`). Otherwise the first block decides each column's
    type; a later block that does not fit raises :class:`StreamMisfit` while iterating,
    and the caller reads the file whole instead.
    """
    path = Path(path)
    if format not in (None, "csv") or encoding not in ("auto", "utf-8", "utf-8-sig") or \
            not path.is_file() or (format is None and _guess_format(path) != "csv") or \
            path.stat().st_size < STREAM_MIN_BYTES:
        return None
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return None
    try:
        head_text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    used = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    head_text = head_text.lstrip("\ufeff")
    sep = sep or _sniff_delimiter(next(iter(head_text.splitlines()), ""))
    decimal = decimal or ("," if sep == ";" else ".")
    records = _records(head_text, sep, 3)
    if not records or not _qualtrics_misfit(records):
        return None
    names = [c.strip() for c in records[0]]
    if len(set(names)) != len(names) or _may_hold_hex(path):
        return None
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
        lines = sum(view[i:i + 2**24].count(b"\n") for i in range(0, len(view), 2**24))
    info = SourceInfo(path=path.name, format="csv", encoding=used, delimiter=sep, decimal=decimal)
    return CsvStream(path=path, info=info, columns=names, rows=lines + 1,
                     text_columns=[c for c in text_columns if c in names], raw_columns=list(records[0]),
                     integer_columns=[c for c in integer_columns if c in names])


def read_survey_file(path: str | Path, *, format: str | None = None, encoding: str = "auto",
                     sep: str | None = None, decimal: str | None = None,
                     sheet: str | int | None = None, text_columns=()) -> tuple[pd.DataFrame, SourceInfo]:
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
        Text formats only. ``"auto"`` tries UTF-8 (with or without BOM), UTF-16 (by its
        BOM), then Windows-1252, which covers Latin-1 exports.
    sep, decimal : str, optional
        Text formats only. The delimiter (one character) is sniffed from the header
        (comma, semicolon, tab or bar); the decimal mark (``"."`` or ``","``) defaults to
        a comma for semicolon files.
    sheet : str or int, optional
        Excel only: the sheet, default the first. A name is looked up first; digits that
        are not a sheet's name are its position (0 = the first).
    text_columns : list of str, optional
        Columns read as text whatever they look like (the respondent id: ``007`` stays
        ``007``). CSV and Excel; SPSS and Parquet carry their own types.

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
        The file is missing, empty or cannot be read as the format says.
    """
    path, text_columns = check_read_options(path, format=format, encoding=encoding, sep=sep,
                                            decimal=decimal, sheet=sheet, text_columns=text_columns)
    if path.is_dir():
        raise SurveyFileError(f"survey file '{path}' is a folder; expected an export file", path=str(path))
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

    if text_format:  # asked for Qualtrics: must be one; asked for CSV: must not be; else: told by the file
        frame, info = _read_text(path, qualtrics={"qualtrics": True, "csv": False}.get(format),
                                 encoding=encoding, sep=sep, decimal=decimal, text_columns=text_columns)
    elif fmt == "excel":
        info = SourceInfo(path=path.name, format="excel")
        try:
            with pd.ExcelFile(path, engine="openpyxl") as book:
                sheets = book.sheet_names
                chosen = 0 if sheet is None else sheet
                if isinstance(chosen, str) and chosen not in sheets and chosen.strip().isascii() \
                        and chosen.strip().isdigit():
                    chosen = int(chosen)  # not a sheet's name: a position
                if isinstance(chosen, str) and chosen not in sheets or \
                        not isinstance(chosen, str) and not 0 <= chosen < len(sheets):
                    raise SurveyFileError(f"{path.name}: no sheet {chosen!r}; sheets in the file: {sheets}")
                chosen = chosen if isinstance(chosen, str) else int(chosen)
                # every cell as openpyxl gives it (pandas would make "N/A" blank and turn
                # booleans beside a blank into 1.0 / 0.0); then each column's own type
                frame = pd.read_excel(book, sheet_name=chosen, dtype=object, keep_default_na=False,
                                      na_values=[""])
                # the header as written: pandas renames a repeated 'f1' to 'f1.1' silently
                header = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1, dtype=object)
                names = [str(c).strip() for c in header.iloc[0].tolist() if not pd.isna(c)] if len(header) else []
                repeated = sorted({c for c in names if names.count(c) > 1})
                if repeated:
                    raise SurveyFileError(f"{path.name}: column name(s) {repeated} appear more than once "
                                          "in the header")
                for c in frame.columns:
                    if str(c).strip() in text_columns:
                        frame[c] = frame[c].astype("str")
                frame = frame.infer_objects()
                info.sheets = list(sheets)
                info.sheet = chosen if isinstance(chosen, str) else sheets[chosen]
        except SurveyFileError:
            raise
        except Exception as err:  # zipfile.BadZipFile, openpyxl errors
            raise SurveyFileError(f"{path.name}: not a readable Excel workbook ({err})") from None
    elif fmt == "spss":
        frame, info = _read_spss(path)
    else:
        info = SourceInfo(path=path.name, format="parquet")
        try:
            frame = pd.read_parquet(path, to_pandas_kwargs={"split_blocks": True, "self_destruct": True})
        except Exception as err:  # pyarrow.ArrowInvalid and friends
            raise SurveyFileError(f"{path.name}: not a readable Parquet file ({err})") from None

    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise SurveyFileError(f"{path.name}: column name(s) {duplicated} appear more than once in the header")
    if len(frame) == 0:
        raise SurveyFileError(f"{path.name}: the file has a header but no data rows")
    return frame.reset_index(drop=True), info


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


def _read_spss(path: Path) -> tuple[pd.DataFrame, SourceInfo]:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)
    except Exception as err:  # pyreadstat.ReadstatError and friends
        raise SurveyFileError(f"{path.name}: not a readable SPSS file ({err})") from None
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
