"""Hostile exports (issue 28, "Nothing lost, nothing injected"): what the readers used to
drop silently, misread, dump or hang on, and now list, read right, or refuse in one line.

Excel errors and formulas without a value are listed cells, not blanks; UTF-32, a TSV
with commas in its names, Excel's ``sep=;`` line, blank lines above the header, a survey
on the second sheet and a device as input are read right or named; a repeated Parquet
name is one line; NFC and NFD spellings of one id are one id; a huge header or a small
.xlsx that expands to a million rows is refused by a cap (``valuekit/survey/limits.yaml``) fast.
"""

import csv
import os
import re
import time
import unicodedata
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import valuekit.survey.io as vio
from valuekit import audit_survey, load_survey, read_survey_file
from valuekit.errors import ParameterError, SurveyFileError
from valuekit.survey.audit import CELL_PROBLEMS
from valuekit.survey.io import LIMITS_FILE, read_limits

ERROR_CODES = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _cells(survey):
    return [tuple(r) for r in survey.audit.cells[["row", "column", "value", "problem"]].itertuples(index=False)]


def _workbook(path, frame, edit=None, sheet_title=None):
    """Write ``frame`` with openpyxl (a formula written so has no cached value); ``edit``
    gets the sheet to change cells first."""
    book = openpyxl.Workbook()
    sheet = book.active
    if sheet_title:
        sheet.title = sheet_title
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    if edit:
        edit(sheet)
    book.save(path)
    return path


def _rewrite_sheet(path, change):
    """Rewrite the first sheet's XML of an .xlsx file with ``change(xml) -> xml``."""
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


# -- 1. Excel: formulas without a value and error cells ------------------------------------------


@pytest.mark.adversarial("result")
def test_excel_error_cells_and_formulas_without_value_are_listed_not_blank(tmp_path, codebook_dict, small_frame):
    """They were read as blank answers (pandas makes an error cell NaN; a formula that
    openpyxl wrote has no cached value), with nothing flagged."""
    def edit(sheet):
        for i, code in enumerate(ERROR_CODES):  # column B = f1, data rows 1..7
            sheet.cell(row=2 + i, column=2, value=code)
        sheet["C2"] = "=B2*2"      # f2, row 1
        sheet["C3"] = "=SUM(D2:D9)"
    path = _workbook(tmp_path / "calc.xlsx", small_frame, edit)
    assert openpyxl.load_workbook(path)["Sheet"]["B2"].data_type == "e"  # real error cells, not text
    survey = load_survey(path, codebook=codebook_dict)
    f1 = [(i + 1, "f1", code, "excel_error") for i, code in enumerate(ERROR_CODES)]
    f2 = [(1, "f2", "=B2*2", "formula_without_value"), (2, "f2", "=SUM(D2:D9)", "formula_without_value")]
    assert _cells(survey) == f1 + f2
    assert survey.recoded.loc[1:7, "f1"].isna().all() and survey.recoded.loc[1:2, "f2"].isna().all()
    columns = survey.audit.columns.set_index("column")
    assert columns.loc["f1", "excel_error"] == 7 and columns.loc["f1", "blank"] == 0
    assert columns.loc["f2", "formula_without_value"] == 2 and columns.loc["f2", "blank"] == 0
    assert survey.audit.summary()["cells"]["excel_error"] == 7
    assert survey.audit.summary()["cells"]["formula_without_value"] == 2
    assert {"excel_error", "formula_without_value"} <= set(CELL_PROBLEMS)
    assert survey.audit.rows_in == len(small_frame) == survey.audit.rows_kept + survey.audit.rows_excluded
    from valuekit.present.plots import plot_cell_problems  # and the audit's chart shows them, each in its colour

    ax = plot_cell_problems(survey.audit)
    box = ax.get_legend()
    legend = {t.get_text(): h.get_facecolor() for t, h in zip(box.get_texts(), box.legend_handles)}
    assert {"excel error", "formula without value"} <= set(legend)
    assert legend["excel error"] != legend["formula without value"]


@pytest.mark.adversarial("result")
def test_a_formula_with_its_saved_value_is_read_as_that_value(tmp_path):
    """A workbook saved by Excel keeps each formula's value: that is the answer."""
    frame = pd.DataFrame({"rid": [1, 2], "f1": [3, 4]})
    path = _workbook(tmp_path / "saved.xlsx", frame, lambda s: s.__setitem__("B2", "=1+4"))
    _rewrite_sheet(path, lambda xml: re.sub(rb"<f>1\+4</f><v\s*/>|<f>1\+4</f><v></v>", b"<f>1+4</f><v>5</v>", xml))
    read, info = read_survey_file(path)
    assert read["f1"].tolist() == [5, 4] and info.cell_marks == {}


@pytest.mark.adversarial("result")
def test_excel_errors_in_the_id_and_context_columns_are_listed(tmp_path, codebook_dict, small_frame):
    def edit(sheet):
        sheet["A3"] = "=A2+1"        # rid of row 2: unknown, so a missing id
        sheet["L5"] = "#N/A"         # channel of row 4
    frame = small_frame[["rid", "f1", "f2", "e1", "e2", "m1", "r1", "c_f1", "nps", "dur", "w", "channel"]]
    survey = load_survey(_workbook(tmp_path / "ids.xlsx", frame, edit), codebook=codebook_dict)
    assert _cells(survey) == [(2, "rid", "=A2+1", "formula_without_value"), (4, "channel", "#N/A", "excel_error")]
    rows = survey.audit.rows.set_index("row")
    assert rows.loc[2, "missing_id"] and rows.loc[2, "status"] == "excluded"
    assert pd.isna(survey.recoded.loc[4, "channel"])
    assert any("2 cell(s) outside the rated columns" in n for n in survey.audit.notes)


@pytest.mark.adversarial("error")
def test_an_error_in_the_excel_header_is_refused_naming_the_cell(tmp_path):
    frame = pd.DataFrame({"rid": [1, 2], "f1": [3, 4]})
    path = _workbook(tmp_path / "head.xlsx", frame, lambda s: s.__setitem__("B1", "#REF!"))
    with pytest.raises(SurveyFileError, match=r"^head.xlsx: sheet 'Sheet', header cell B1 holds '#REF!' \(an Excel "
                                              r"error value\); expected a column name"):
        read_survey_file(path)


def test_excel_reading_keeps_types_and_skips_blank_rows(tmp_path):
    """The single-pass reader gives what pandas gave: whole numbers as integers, text as
    written ("N/A" stays text), booleans kept, blank rows and columns left out."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in ([None, None, None], [None, "rid", "f1", "note"], [None, 1, 2.0, "N/A"], [None, None, None, None],
                [None, 2, 3.5, True]):
        sheet.append(row)
    book.save(tmp_path / "shape.xlsx")
    read, info = read_survey_file(tmp_path / "shape.xlsx", text_columns=["rid"])
    assert read.columns.tolist() == ["rid", "f1", "note"] and len(read) == 2
    assert read["rid"].tolist() == ["1", "2"] and read["f1"].tolist() == [2.0, 3.5]
    assert read["note"].tolist() == ["N/A", True]


# -- 2. messages that name what was found ------------------------------------------------------


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_or_without_a_byte_order_mark_is_read(tmp_path, small_frame, codec):
    """It was read as UTF-16 (garbage, then 'row 4 has 1 cell') or as UTF-8 with NULs in every name."""
    frame = small_frame.assign(channel="tienda pequeña")
    path = tmp_path / "wide32.csv"
    path.write_bytes(frame.to_csv(index=False).encode(codec))
    read, info = read_survey_file(path)
    assert info.encoding == codec and read.columns.tolist() == frame.columns.tolist()
    assert read["rid"].tolist() == frame["rid"].tolist() and read["channel"].iloc[0] == "tienda pequeña"


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("codec, told", [("utf-32", r"UTF-32 \(its byte-order mark says so\)"),
                                         ("utf-32-le", r"UTF-32-LE \(it looks like UTF-32 without a byte-order mark\)")])
def test_cut_off_utf32_is_named_with_its_encoding(tmp_path, small_frame, codec, told):
    path = tmp_path / "cut.csv"
    path.write_bytes(small_frame.to_csv(index=False).encode(codec)[:-1])
    with pytest.raises(SurveyFileError, match=rf"^cut.csv: cannot decode the file as {told}: .* Pass encoding="):
        read_survey_file(path)


@pytest.mark.adversarial("result")
def test_a_tsv_whose_names_hold_commas_is_read_with_tabs(tmp_path):
    """The header held as many commas as tabs: it was read with commas, and refused."""
    path = tmp_path / "export.tsv"
    path.write_text("rid\tf1, how easy\tf2, how fast\n1\t2\t3\n2\t4\t5\n")
    read, info = read_survey_file(path)
    assert info.delimiter == "\t" and read.columns.tolist() == ["rid", "f1, how easy", "f2, how fast"]
    path = tmp_path / "export.txt"  # fewer commas than tabs in the names: the same, whatever the suffix
    path.write_text("rid\tq1, easy\tq2\tq3\n1\t2\t3\t4\n")
    assert read_survey_file(path)[1].delimiter == "\t"


@pytest.mark.adversarial("error")
def test_an_unreadable_table_names_the_delimiter_and_encoding_it_was_read_with(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("rid;f1\n1;2\n3;4;5\n")
    with pytest.raises(SurveyFileError, match=r"^odd.csv: not a readable CSV table: row 3 of the file \(line 3\) "
                                              r"has 3 cell\(s\) where the header has 2; read as utf-8 with the "
                                              r"semicolon ';' \(sniffed from the header\); pass sep= or encoding="):
        read_survey_file(path)


@pytest.mark.adversarial("result")
def test_excels_sep_line_is_honoured_and_said(tmp_path, codebook_dict, small_frame):
    """Excel's 'sep=;' first line was read as the header ('2 columns, got 3')."""
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\n" + small_frame.to_csv(index=False, sep=";", decimal=","))
    read, info = read_survey_file(path)
    assert info.delimiter == ";" and info.decimal == "," and info.sep_line == "sep=;"
    assert read.columns.tolist() == small_frame.columns.tolist() and len(read) == len(small_frame)
    assert info.describe() == "excel.csv (delimiter ';', as its first line 'sep=;' says)"
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.rows_in == len(small_frame) and survey.audit.cells.empty
    assert survey.recoded["w"].tolist() == small_frame["w"].tolist()  # decimal commas, read as numbers
    codebook_dict["context"]["situation"].append("region")
    with pytest.raises(Exception, match=r"not found in excel.csv \(delimiter ';', as its first line 'sep=;' says\)"):
        load_survey(path, codebook=codebook_dict)


@pytest.mark.adversarial("result")
def test_excels_sep_line_in_a_file_read_block_by_block(tmp_path, monkeypatch, codebook_dict, small_frame):
    monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 0)  # stream even this small file
    path = tmp_path / "stream.csv"
    path.write_text('"sep=,"\n' + small_frame.to_csv(index=False))
    assert vio.stream_csv(path).skip == 1
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.info.sep_line == '"sep=,"' and survey.audit.rows_in == len(small_frame)
    assert survey.recoded["rid"].tolist() == small_frame["rid"].tolist()


@pytest.mark.adversarial("error")
def test_a_sep_argument_against_the_sep_line_is_refused(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text("sep=;\nrid;f1\n1;2\n")
    with pytest.raises(SurveyFileError, match=r"^both.csv: its first line 'sep=;' says the delimiter is ';', but "
                                              r"sep=',' was given; leave sep= out"):
        read_survey_file(path, sep=",")
    assert read_survey_file(path, sep=";")[0]["f1"].tolist() == [2]


@pytest.mark.adversarial("result")
def test_empty_lines_above_the_header_are_skipped_and_the_delimiter_sniffed_below_them(tmp_path):
    """The delimiter was sniffed from the empty first line: a comma, and a one-column table."""
    path = tmp_path / "blank.csv"
    path.write_text("\n\r\nrid;f1;f2\n1;2;3\n2;4;5\n")
    read, info = read_survey_file(path)
    assert info.delimiter == ";" and read.columns.tolist() == ["rid", "f1", "f2"] and read["f2"].tolist() == [3, 5]


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("text, match", [
    ("\n   \nrid,f1\n1,2\n", r"^blank.csv: line 2, above the header, holds only spaces; expected the column names"),
    (",,\nrid,f1,f2\n1,2,3\n", r"^blank.csv: the header has no column names, only 2 comma delimiter\(s\) ','"),
])
def test_a_header_below_spaces_or_delimiters_is_refused_naming_the_line(tmp_path, text, match):
    path = tmp_path / "blank.csv"
    path.write_text(text)
    with pytest.raises(SurveyFileError, match=match):
        read_survey_file(path)


@pytest.mark.adversarial("error")
def test_a_survey_on_the_second_sheet_behind_an_empty_one_is_pointed_to(tmp_path):
    """The message was 'the file has a header but no data rows'."""
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    data = book.create_sheet("Data")
    for row in (["rid", "f1"], [1, 2], [2, 3]):
        data.append(row)
    book.save(tmp_path / "two.xlsx")
    with pytest.raises(SurveyFileError, match=r"^two.xlsx: sheet 'Cover' is empty, expected a header row and data "
                                              r"rows; sheets in the file: \['Cover', 'Data'\]; choose the survey's "
                                              r"sheet with sheet= \(e.g. sheet='Data'\)"):
        read_survey_file(tmp_path / "two.xlsx")
    assert read_survey_file(tmp_path / "two.xlsx", sheet="Data")[0]["f1"].tolist() == [2, 3]
    assert read_survey_file(tmp_path / "two.xlsx", sheet=1)[1].sheet == "Data"


@pytest.mark.adversarial("error")
def test_a_cover_sheet_before_the_survey_is_named_with_the_other_sheets(tmp_path, codebook_dict, small_frame):
    book = openpyxl.Workbook()
    book.active.title = "About"
    book.active["A1"] = "Customer survey, wave 3"
    book.active["A3"] = "Prepared by the insights team"
    data = book.create_sheet("Data")
    data.append(list(small_frame.columns))
    for row in small_frame.itertuples(index=False):
        data.append([v.item() if hasattr(v, "item") else v for v in row])
    book.save(tmp_path / "cover.xlsx")
    with pytest.raises(Exception, match=r"not found in cover.xlsx \(sheet 'About'; other sheets: \['Data'\] "
                                        r"\(choose with sheet=\)\)"):
        load_survey(tmp_path / "cover.xlsx", codebook=codebook_dict)
    header_only = openpyxl.Workbook()
    header_only.active.append(["rid", "f1"])
    header_only.create_sheet("Data").append(["rid"])
    header_only.save(tmp_path / "header.xlsx")
    with pytest.raises(SurveyFileError, match=r"^header.xlsx \(sheet 'Sheet'; other sheets: \['Data'\] \(choose with "
                                              r"sheet=\)\): the file has a header but no data rows"):
        read_survey_file(tmp_path / "header.xlsx")
    assert load_survey(tmp_path / "cover.xlsx", codebook=codebook_dict, sheet="Data").audit.rows_in == len(small_frame)


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind", ["character device", "named pipe (FIFO)"])
def test_a_device_or_pipe_is_named_for_what_it_is(tmp_path, kind):
    """'/dev/null' was 'not found'; a FIFO would have blocked a reader."""
    if kind == "character device":
        path = "/dev/null"
    else:
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    with pytest.raises(SurveyFileError, match=rf"^survey file '{re.escape(str(path))}' is an? {re.escape(kind)}, "
                                              r"not a regular file; expected an export file saved on disk"):
        read_survey_file(path, format="csv")
    with pytest.raises(SurveyFileError, match=rf"is an? {re.escape(kind)}, not a regular file"):
        load_survey(path, codebook={"id": "rid", "scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1"]}})


# -- 3. a repeated Parquet name ----------------------------------------------------------------


@pytest.mark.adversarial("error")
def test_repeated_parquet_names_are_one_line(tmp_path):
    """pyarrow's message was a 7-line (60 on wide files) schema dump."""
    table = pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4]), pa.array([5, 6]), pa.array([7, 8])],
                                 names=["rid", "f1", "f1", "rid"])
    pq.write_table(table, tmp_path / "dup.parquet")
    with pytest.raises(SurveyFileError) as err:
        read_survey_file(tmp_path / "dup.parquet")
    assert str(err.value) == "dup.parquet: column name(s) ['f1', 'rid'] appear more than once in the schema"


# -- 4. one id in two Unicode spellings ------------------------------------------------------------


@pytest.mark.adversarial("result")
def test_nfc_and_nfd_spellings_of_an_id_are_one_id_shown_as_written(tmp_path, codebook_dict, small_frame):
    nfc, nfd = "Jos\u00e9-7", unicodedata.normalize("NFD", "Jos\u00e9-7")
    assert nfc != nfd
    frame = small_frame.astype({"rid": object})
    frame.loc[0, "rid"], frame.loc[1, "rid"] = nfc, nfd
    frame.to_csv(tmp_path / "ids.csv", index=False)
    for survey in (load_survey(tmp_path / "ids.csv", codebook=codebook_dict), audit_survey(frame, codebook_dict)):
        rows = survey.audit.rows
        assert rows["duplicate_id"].tolist() == [False, True] + [False] * (len(frame) - 2)
        assert rows["respondent"].iloc[0] == nfc and rows["respondent"].iloc[1] == nfd  # as written
        assert survey.excluded["rid"].tolist() == [nfd]
        assert survey.data["rid"].iloc[0] == nfc


# -- 5. caps: columns, header size, .xlsx size and rows ----------------------------------------------


def test_the_shipped_caps_are_the_yaml_file(tmp_path):
    shipped = yaml.safe_load(LIMITS_FILE.read_text())
    assert read_limits() == shipped
    assert shipped["columns"] == 20000 and shipped["header_bytes"] == 16 * 2**20
    assert shipped["xlsx_uncompressed_bytes"] == 2**30 and shipped["xlsx_rows"] < 1_048_576
    assert read_limits({"columns": 5}) == {**shipped, "columns": 5}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("limits, match", [
    ({"colums": 5}, r"^limits: unknown cap\(s\) \['colums'\]; expected some of \['columns', 'header_bytes'"),
    ({"columns": 0}, r"^limits\['columns'\]: expected a whole number >= 1, got 0"),
    ({"xlsx_rows": "many"}, r"^limits\['xlsx_rows'\]: expected a whole number >= 1, got 'many'"),
    ([("columns", 5)], r"^limits: expected a dict of caps"),
])
def test_wrong_limits_are_named_before_reading(limits, match):
    with pytest.raises(ParameterError, match=match):
        read_survey_file("never-read.csv", limits=limits)
    with pytest.raises(ParameterError, match=match):
        load_survey("never-read.csv", codebook={"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1"]}},
                    limits=limits)


def _wide_csv(path, columns: int, rows: int = 3) -> None:
    names = ["rid", "f1", "f2", "e1", "e2", "m1", "r1"] + [f"x{i}" for i in range(columns - 7)]
    line = ",".join(["1"] * columns)
    path.write_text(",".join(names) + "\n" + "\n".join(f"{i}," + line[2:] for i in range(1, rows + 1)) + "\n")


WIDE_CODEBOOK = {"id": "rid", "scale": {"min": 1, "max": 7}, "benefits": {"functional": ["f1", "f2"],
                                                                          "economic": ["e1", "e2"]},
                 "sacrifices": {"money": ["m1"], "risk": ["r1"]}}


@pytest.mark.adversarial("error")
def test_a_60000_column_header_is_refused_by_the_cap_at_once(tmp_path):
    path = tmp_path / "wide.csv"
    _wide_csv(path, 60_000)
    start = time.perf_counter()
    with pytest.raises(SurveyFileError, match=r"^wide.csv: refused: its header has 60,000 columns, over the cap "
                                              r"columns=20,000. If the file is trusted, raise the cap with "
                                              r"limits=\{'columns': 60000\} \(on the command line --limit "
                                              r"columns=60000\) or in valuekit/survey/limits.yaml"):
        load_survey(path, codebook=WIDE_CODEBOOK)
    assert time.perf_counter() - start < 5


@pytest.mark.adversarial("error")
def test_the_command_line_raises_a_cap_with_limit(tmp_path, capsys):
    from valuekit.cli import main

    path = tmp_path / "wide.csv"
    _wide_csv(path, 60_000)
    codebook = tmp_path / "wide.yaml"
    codebook.write_text(yaml.safe_dump(WIDE_CODEBOOK), encoding="utf-8")
    assert main(["audit", str(path), "--codebook", str(codebook)]) == 2
    assert "--limit columns=60000" in capsys.readouterr().err
    assert main(["audit", str(path), "--codebook", str(codebook), "--limit", "columns=50000"]) == 2
    assert "over the cap columns=50,000" in capsys.readouterr().err
    assert main(["audit", str(path), "--codebook", str(codebook), "--limit", "colums=70000"]) == 2
    assert "--limit: limits: unknown cap(s) ['colums']" in capsys.readouterr().err


@pytest.mark.adversarial("result")
def test_a_30000_column_file_audits_in_seconds_when_the_cap_is_raised(tmp_path):
    """Repeated-name checks counted every name against every other, and the audit put
    the other columns back one at a time (both quadratic: minutes at this width)."""
    path = tmp_path / "wide.csv"
    _wide_csv(path, 30_000)
    start = time.perf_counter()
    survey = load_survey(path, codebook=WIDE_CODEBOOK, limits={"columns": 30_000})
    assert time.perf_counter() - start < 15
    assert survey.audit.rows_in == 3 and survey.recoded.shape == (3, 30_000)
    assert survey.recoded.columns.tolist()[:8] == ["rid", "f1", "f2", "e1", "e2", "m1", "r1", "x0"]
    assert survey.recoded.columns[-1] == "x29992" and survey.recoded["rid"].tolist() == [1, 2, 3]


@pytest.mark.adversarial("error")
def test_a_million_column_header_is_refused_quickly(tmp_path):
    path = tmp_path / "million.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999 + "1\n")
    start = time.perf_counter()
    with pytest.raises(SurveyFileError, match=r"^million.csv: refused: its header has 1,000,000 columns, over the "
                                              r"cap columns=20,000"):
        read_survey_file(path)
    assert time.perf_counter() - start < 5


@pytest.mark.adversarial("error")
def test_a_header_over_the_byte_cap_is_refused_without_reading_on(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("rid," + "x" * 5000 + "\n1,2\n")
    with pytest.raises(SurveyFileError, match=r"^long.csv: refused: its header ends 5,004 bytes into the file, over "
                                              r"the cap header_bytes=1,000\. If the file is trusted, raise the cap "
                                              r"with limits=\{'header_bytes': 5004\}"):
        read_survey_file(path, limits={"header_bytes": 1000})
    path.write_bytes(b"rid," + b"x" * 50_000)  # no line break at all
    with pytest.raises(SurveyFileError, match=r"^long.csv: refused: its header does not end in the first 1,000 bytes"):
        read_survey_file(path, limits={"header_bytes": 1000})


@pytest.fixture(scope="module")
def million_row_xlsx(tmp_path_factory):
    """A 3 MB .xlsx whose one sheet holds a 1 in each of Excel's 1,048,576 rows."""
    path = tmp_path_factory.mktemp("bomb") / "rows.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["rid"])
    book.save(path)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1_048_577))

    def grow(xml):
        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1048576"/>', xml)
        return xml.replace(b"</row></sheetData>", b"</row>" + rows + b"</sheetData>")
    return _rewrite_sheet(path, grow)


@pytest.mark.adversarial("error")
def test_an_xlsx_that_expands_to_a_million_rows_is_refused_in_well_under_a_second(million_row_xlsx):
    assert million_row_xlsx.stat().st_size < 8 * 2**20
    start = time.perf_counter()
    with pytest.raises(SurveyFileError, match=r"^rows.xlsx: refused: sheet 'Sheet' spans 1,048,576 rows \(its "
                                              r"dimension A1:A1048576; .*\), over the cap xlsx_rows=1,000,000\. If the "
                                              r"file is trusted, raise the cap with limits=\{'xlsx_rows': 1048576\}"):
        read_survey_file(million_row_xlsx)
    assert time.perf_counter() - start < 1


@pytest.mark.adversarial("error")
def test_an_xlsx_over_the_uncompressed_cap_is_refused_from_its_zip_directory(million_row_xlsx):
    start = time.perf_counter()
    with pytest.raises(SurveyFileError, match=r"^rows.xlsx: refused: the workbook expands to [0-9,]+ bytes \(its "
                                              r"largest part, xl/worksheets/sheet1.xml, to [0-9,]+\), as its zip "
                                              r"archive declares, over the cap xlsx_uncompressed_bytes=10,000,000"):
        read_survey_file(million_row_xlsx, limits={"xlsx_uncompressed_bytes": 10_000_000})
    assert time.perf_counter() - start < 1


@pytest.mark.adversarial("error")
def test_xlsx_rows_are_counted_while_reading_when_the_dimension_is_missing(tmp_path):
    path = _workbook(tmp_path / "nodim.xlsx", pd.DataFrame({"rid": range(1, 11), "f1": range(10)}))
    _rewrite_sheet(path, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml))
    with pytest.raises(SurveyFileError, match=r"^nodim.xlsx: refused: sheet 'Sheet' has a row 6, over the cap "
                                              r"xlsx_rows=5"):
        read_survey_file(path, limits={"xlsx_rows": 5})
    assert len(read_survey_file(path, limits={"xlsx_rows": 11})[0]) == 10


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("fmt", ["parquet", "spss", "excel"])
def test_the_column_cap_holds_for_every_format(tmp_path, fmt):
    frame = pd.DataFrame({f"c{i}": [1.0, 2.0] for i in range(30)})
    if fmt == "parquet":
        path = tmp_path / "wide.parquet"
        frame.to_parquet(path)
        found = "its schema has 30 columns"
    elif fmt == "spss":
        import pyreadstat
        path = tmp_path / "wide.sav"
        pyreadstat.write_sav(frame, str(path))
        found = "its dictionary declares 30 variables"
    else:
        path = _workbook(tmp_path / "wide.xlsx", frame)
        found = r"sheet 'Sheet' spans 30 columns \(its dimension A1:AD3\)"
    with pytest.raises(SurveyFileError, match=rf"^{path.name}: refused: {found}, over the cap columns=10"):
        read_survey_file(path, limits={"columns": 10})
    assert read_survey_file(path, limits={"columns": 30})[0].shape == (2, 30)


# -- ids a respondent (or an attacker) typed -----------------------------------------------------------

_ODD = ["\x00", "\x07", "\x1b", "\x1c", "\x7f", "\u202e", "\u202d", "\u200f", "\u2028", "\u2029", "\ufeff",
        "<script>alert(1)</script>", "\"", ",", ";", "\t", "\n", "=cmd|' /C calc'!A0", "e\u0301", "\u00e9",
        "\U0001F600", "NaN", "null", " "]
_IDS = st.lists(st.builds(lambda a, b, c: f"{a}{b}{c}", st.sampled_from("abcXYZ"),
                          st.lists(st.sampled_from(_ODD + list("0123456789")), max_size=4).map("".join),
                          st.sampled_from("0129z")), min_size=2, max_size=12)


def _check_ids(survey, ids):
    audit = survey.audit
    assert audit.rows_in == len(ids) == audit.rows_kept + audit.rows_excluded
    rows = audit.rows
    assert rows["respondent"].tolist() == ids  # every id as written
    assert ((rows["status"] == "kept") == (rows["reason"] == "")).all()
    keys = [unicodedata.normalize("NFC", i) for i in ids]
    assert rows["duplicate_id"].tolist() == [k in keys[:i] for i, k in enumerate(keys)]
    assert survey.data["rid"].tolist() == [i for i, kept in zip(ids, rows["status"] == "kept") if kept]


@pytest.mark.adversarial("property")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=_IDS)
def test_any_typed_id_is_kept_or_excluded_with_a_reason_and_survives(ids, small_frame, codebook_dict):
    frame = small_frame.iloc[:len(ids)].copy()
    frame["rid"] = ids
    _check_ids(audit_survey(frame, codebook_dict), ids)


@pytest.mark.adversarial("property")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=_IDS)
def test_any_typed_id_survives_a_csv_file(ids, small_frame, codebook_dict, tmp_path_factory):
    frame = small_frame.iloc[:len(ids)].copy()
    frame["rid"] = ids
    path = tmp_path_factory.mktemp("ids") / "ids.csv"
    frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
    _check_ids(load_survey(path, codebook=codebook_dict), ids)


@pytest.mark.adversarial("result")
def test_a_line_break_inside_the_first_quoted_name_does_not_fool_the_delimiter(tmp_path):
    """The delimiter is judged on the header as a record: a quoted name holding a line break
    and a bar ('|\\n id') was read as one bar-separated column."""
    path = tmp_path / "q.csv"
    path.write_text('"|\n id",b,c\n1,2,3\n4,5,6\n', encoding="utf-8")
    frame, info = read_survey_file(path)
    assert list(frame.columns) == ["|\n id", "b", "c"] and frame.shape == (2, 3) and info.delimiter == ","


@pytest.mark.adversarial("error")
def test_a_cap_reaches_the_report_and_the_waves(tmp_path, capsys):
    """--limit and limits= travel with the other read options: the report refuses before any
    notebook runs, and load_waves reads every wave under the same caps."""
    import valuekit as vk
    from valuekit.analyse.waves import load_waves
    from valuekit.cli import main

    out = tmp_path / "report"
    assert main(["report", str(vk.DEMO_DATA), "--codebook", str(vk.DEMO_CODEBOOK), "--out", str(out),
                 "--limit", "columns=10"]) == 2
    assert "header has 77 columns, over the cap columns=10" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
    assert load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave", limits={"columns": 77}).labels == ["1", "2"]
    with pytest.raises(SurveyFileError, match="over the cap columns=76"):
        load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave", limits={"columns": 76})
