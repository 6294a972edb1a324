"""Read survey exports the way an analyst receives them.

CSV (comma, semicolon or tab; decimal point or comma; UTF-8 with or without BOM,
Windows-1252 / Latin-1), Excel, SPSS ``.sav`` (value labels and user-missing values),
Qualtrics CSV exports (three header rows) and Parquet. :func:`read_survey_file` returns
the raw table and a :class:`SourceInfo` describing what was read; it changes no values.
Recoding and flagging happen in :mod:`valuekit.audit`.
"""

from __future__ import annotations

import codecs
import csv
import io as _io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import SurveyFileError

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
        return raw.decode("utf-16"), "utf-16"
    try:
        text = raw.decode("utf-8-sig")
        return text, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as first:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise SurveyFileError(_decode_message(raw, name, "UTF-8 or Windows-1252", first)) from None


def _decode_message(raw: bytes, name: str, tried: str, err: UnicodeDecodeError) -> str:
    line = raw.count(b"\n", 0, err.start) + 1
    return (f"{name}: cannot decode the file as {tried}: byte 0x{raw[err.start]:02x} at line {line} "
            f"(byte offset {err.start}). Pass encoding= with the file's real encoding, e.g. "
            "encoding='latin-1' or 'utf-16'.")


def _sniff_delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ","


def _arrow_csv(source, sep: str, text_columns: list[str]) -> pd.DataFrame:
    """Parse with Arrow's multithreaded reader, as ``pd.read_csv(engine="pyarrow")`` does,
    with some columns forced to text (pandas' ``dtype=`` is unreliable with that engine)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(
        source, parse_options=pacsv.ParseOptions(delimiter=sep),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True,
                                             column_types={c: pa.string() for c in text_columns}))
    return table.to_pandas()


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
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if not head.strip() and path.stat().st_size <= _HEAD:
        raise SurveyFileError(f"{path.name}: the file is empty; expected a header row and data rows")
    used = None
    if not whole and encoding == "auto" and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
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
    lines = head_text.lstrip("\ufeff").splitlines()[:4]
    header = lines[0] if lines else ""
    sep = sep or _sniff_delimiter(header)
    decimal = decimal or ("," if sep == ";" else ".")
    if qualtrics is None:  # Qualtrics' third header row holds {"ImportId": ...} entries
        qualtrics = len(lines) >= 3 and "ImportId" in lines[2]
    names = [c.strip() for c in next(csv.reader([header], delimiter=sep))]
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
        if qualtrics:
            frame = pd.read_csv(source, sep=sep, header=0, skiprows=[1, 2], encoding="utf-8-sig",
                                dtype=str, keep_default_na=False, na_values=[""])
            if hasattr(source, "seek"):
                source.seek(0)
            questions = pd.read_csv(source, sep=sep, header=0, nrows=1, encoding="utf-8-sig",
                                    dtype=str, keep_default_na=False)
            info.question_text = {str(k).strip(): str(v) for k, v in questions.iloc[0].items()}
        else:
            frame = _arrow_csv(source, sep, as_text)
            if not whole and any(_is_binary(frame[c]) for c in frame.columns[frame.dtypes == object]):
                return decode_whole()  # Arrow keeps text that is not UTF-8 as bytes
    except UnicodeDecodeError:
        if whole:
            raise
        return decode_whole()
    except (pd.errors.ParserError, ValueError) as err:  # pyarrow raises ArrowInvalid (a ValueError)
        if not whole and "UTF8" in str(err):  # valid UTF-8 at the top, not further down
            return decode_whole()
        raise SurveyFileError(f"{path.name}: not a readable {info.format.upper()} table ({err})") from None
    return frame, info


def read_survey_file(path: str | Path, *, format: str | None = None, encoding: str = "auto",
                     sep: str | None = None, decimal: str | None = None,
                     sheet: str | int | None = None, text_columns=()) -> tuple[pd.DataFrame, SourceInfo]:
    """Read a survey export into a DataFrame, unchanged, with a description of the source.

    Parameters
    ----------
    path : str or Path
        The export.
    format : {"csv", "qualtrics", "excel", "spss", "parquet"}, optional
        Taken from the suffix when omitted; a CSV whose third row holds Qualtrics
        ``ImportId`` entries is read as a Qualtrics export.
    encoding : str, default "auto"
        Text formats only. ``"auto"`` tries UTF-8 (with or without BOM), UTF-16 (by its
        BOM), then Windows-1252, which covers Latin-1 exports.
    sep, decimal : str, optional
        Text formats only. The delimiter is sniffed from the header (comma, semicolon,
        tab or bar); the decimal mark defaults to a comma for semicolon files.
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
        surrounding spaces).
    info : SourceInfo
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyFileError(f"survey file '{path}' not found")
    fmt = format or _guess_format(path)
    if fmt not in FORMATS:
        raise SurveyFileError(f"{path.name}: unknown format {fmt!r}; expected one of {sorted(FORMATS)}")
    if path.stat().st_size == 0:
        raise SurveyFileError(f"{path.name}: the file is empty; expected a header row and data rows")

    if fmt in ("csv", "qualtrics"):
        frame, info = _read_text(path, qualtrics=True if fmt == "qualtrics" else None,
                                 encoding=encoding, sep=sep, decimal=decimal, text_columns=text_columns)
    elif fmt == "excel":
        info = SourceInfo(path=path.name, format="excel")
        try:
            with pd.ExcelFile(path, engine="openpyxl") as book:
                sheets = book.sheet_names
                chosen = 0 if sheet is None else sheet
                if isinstance(chosen, str) and chosen not in sheets and chosen.strip().isdigit():
                    chosen = int(chosen)  # not a sheet's name: a position
                if isinstance(chosen, str) and chosen not in sheets or \
                        isinstance(chosen, int) and not 0 <= chosen < len(sheets):
                    raise SurveyFileError(f"{path.name}: no sheet {chosen!r}; sheets in the file: {sheets}")
                frame = pd.read_excel(book, sheet_name=chosen, dtype={c: str for c in text_columns} or None)
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
            frame = pd.read_parquet(path)
        except Exception as err:  # pyarrow.ArrowInvalid and friends
            raise SurveyFileError(f"{path.name}: not a readable Parquet file ({err})") from None

    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise SurveyFileError(f"{path.name}: column name(s) {duplicated} appear more than once in the header")
    if len(frame) == 0:
        raise SurveyFileError(f"{path.name}: the file has a header but no data rows")
    return frame.reset_index(drop=True), info


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
