"""Bad input files: nothing lost, nothing silent.

Every data row of a file reaches the audit (no header guessed from a respondent's text);
every cell that is not a plain number is listed with its original text (pyarrow, pandas
and openpyxl would make ``N/A`` blank, ``0x1F`` 31, ``inf`` infinite, ``True`` 1);
weights too large to add up are refused; wrong arguments are named before any work.
"""

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from instruments import BENEFITS_ONLY_CODEBOOK, benefits_only

from valuekit import DEMO_CODEBOOK, Codebook, CodebookError, audit_survey, load_survey, read_survey_file
from valuekit.errors import ParameterError, SurveyError, SurveyFileError


def _write_csv(path, frame):
    frame.to_csv(path, index=False)
    return path


def _cells(survey):
    """The audit's cell list as (row, column, value, problem) tuples."""
    return [tuple(r) for r in survey.audit.cells[["row", "column", "value", "problem"]].itertuples(index=False)]


def _qualtrics(frame: pd.DataFrame, questions: dict, import_ids: dict | None = None) -> pd.DataFrame:
    """The frame under Qualtrics' two extra header rows (question text, ImportId JSON)."""
    import_ids = import_ids or {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(frame.columns)}
    return pd.concat([pd.DataFrame([questions, import_ids]), frame.astype(str)], ignore_index=True)


# -- 1. rows lost before the audit: the Qualtrics header ---------------------------------------


@pytest.mark.adversarial("result")
def test_importid_in_a_respondents_text_is_not_a_qualtrics_header(tmp_path, codebook_dict, small_frame):
    """The third line mentioning ImportId (respondent 2's comment) made the first two
    respondents disappear as 'header rows'."""
    codebook_dict["context"]["situation"].append("comment")
    frame = small_frame.copy()
    frame["comment"] = ""
    frame.loc[1, "comment"] = 'the page said {"ImportId":"QID7"} and froze'
    frame.loc[0, "comment"] = "ImportId?"
    path = _write_csv(tmp_path / "export.csv", frame)
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.info.format == "csv"
    assert survey.audit.rows_in == len(frame) == survey.audit.rows_kept + survey.audit.rows_excluded
    assert survey.recoded["rid"].tolist()[:2] == [101, 102]  # the first two respondents are there
    assert survey.recoded.loc[2, "comment"] == 'the page said {"ImportId":"QID7"} and froze'


@pytest.mark.adversarial("error")
def test_format_qualtrics_on_a_plain_csv_is_refused_naming_the_row_and_column(tmp_path, codebook_dict, small_frame):
    path = _write_csv(tmp_path / "plain.csv", small_frame)
    with pytest.raises(SurveyFileError, match=r"plain.csv: format='qualtrics', but this is not a Qualtrics export: "
                                              r"row 3 of the file, column 'rid', holds '102', not a JSON "
                                              r"\{\"ImportId\": ...\} entry\. Read it with format='csv'"):
        load_survey(path, codebook=codebook_dict, format="qualtrics")
    # without format= (or with format='csv') every row is read
    assert load_survey(path, codebook=codebook_dict).audit.rows_in == len(small_frame)
    assert load_survey(path, codebook=codebook_dict, format="csv").audit.rows_in == len(small_frame)


@pytest.mark.adversarial("error")
def test_format_qualtrics_needs_all_three_header_rows(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("rid,f1\n1,3\n")
    with pytest.raises(SurveyFileError, match=r"short.csv: .*the file has 2 row\(s\); a Qualtrics export starts "
                                              r"with three header rows"):
        read_survey_file(path, format="qualtrics")
    path.write_text('rid,f1\nRespondent,How easy?\n"{""ImportId"":""_recordId""}",4\n1,3\n')
    with pytest.raises(SurveyFileError, match=r"row 3 of the file, column 'f1', holds '4'"):
        read_survey_file(path, format="qualtrics")
    frame, info = read_survey_file(path)  # one ImportId cell is no Qualtrics header: nothing dropped
    assert info.format == "csv" and len(frame) == 3


@pytest.mark.adversarial("result")
def test_numbers_in_row_two_are_a_response_not_question_text(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text('rid,f1\n1,3\n"{""ImportId"":""a""}","{""ImportId"":""b""}"\n')
    frame, info = read_survey_file(path)
    assert info.format == "csv" and len(frame) == 2
    with pytest.raises(SurveyFileError, match=r"row 2 of the file holds numbers \(a response\?\)"):
        read_survey_file(path, format="qualtrics")


@pytest.mark.adversarial("result")
def test_qualtrics_question_text_with_line_breaks(tmp_path, codebook_dict, small_frame):
    """Question text (and answers) with quoted line breaks: detected from records, not lines;
    metadata ImportIds with more keys and a blank ImportId cell are fine."""
    questions = {c: f"Question for {c}:\nhow, really?" for c in small_frame.columns}
    import_ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(small_frame.columns)}
    import_ids["rid"] = '{"ImportId":"_recordId","timeZone":"Europe/Madrid"}'
    import_ids["channel"] = ""
    frame = _qualtrics(small_frame, questions, import_ids)
    frame.loc[2 + 4, "channel"] = "store\n(the big one)"
    path = tmp_path / "qualtrics.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.info.format == "qualtrics"
    assert survey.audit.rows_in == len(small_frame)
    assert survey.audit.info.question_text["f1"] == "Question for f1:\nhow, really?"
    assert survey.recoded["rid"].tolist() == small_frame["rid"].tolist()
    assert survey.recoded.loc[5, "channel"] == "store\n(the big one)"
    assert survey.audit.cells.empty
    # asked for explicitly, the same
    assert load_survey(path, codebook=codebook_dict, format="qualtrics").audit.rows_in == len(small_frame)


@pytest.mark.adversarial("result")
def test_line_breaks_in_comments_of_a_large_plain_csv(tmp_path):
    """Arrow's fast reader splits a large file into blocks at line breaks, even inside a
    quoted cell; such a file is read again following quotes: every row arrives."""
    n = 120_000
    path = tmp_path / "comments.csv"
    path.write_bytes(b"rid,f1,comment\n" + b"".join(b'%d,%d,"good\nbut slow"\n' % (i, i % 7 + 1) for i in range(n)))
    assert path.stat().st_size > 2 << 20  # more than one block
    frame, info = read_survey_file(path)
    assert len(frame) == n and info.format == "csv"
    assert frame["rid"].iloc[-1] == n - 1 and frame["comment"].iloc[-1] == "good\nbut slow"
    path.write_text("rid,f1\n1,2\n3,4,5\n")  # a truly ragged row is still refused
    with pytest.raises(SurveyFileError, match=r"comments.csv: not a readable CSV table"):
        read_survey_file(path)


@pytest.mark.adversarial("error")
def test_format_csv_on_a_qualtrics_export_is_refused(tmp_path, small_frame):
    frame = _qualtrics(small_frame, {c: f"Question for {c}" for c in small_frame.columns})
    path = tmp_path / "qualtrics.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SurveyFileError, match=r"qualtrics.csv: rows 2 and 3 of the file are a Qualtrics export's "
                                              r"question text and ImportId entries, not respondents; read it "
                                              r"with format='qualtrics'"):
        read_survey_file(path, format="csv")


@pytest.mark.adversarial("result")
def test_qualtrics_export_audits_like_the_plain_csv(tmp_path):
    """The benefits-only fixture as a Qualtrics export: the same rows, the same flagged
    cells, text typed into an item listed (not blank)."""
    data, codebook = benefits_only(tmp_path)
    plain = pd.read_csv(data)
    plain["qual_1"] = plain["qual_1"].astype(object)
    plain.loc[[3, 7], "qual_1"] = ["N/A", "#N/A"]
    _write_csv(data, plain)
    export = tmp_path / "mobile_qualtrics.csv"
    _qualtrics(plain, {c: f"{c}\nOn a scale of 1 to 10" for c in plain.columns}).to_csv(export, index=False)
    a, b = load_survey(data, codebook=codebook), load_survey(export, codebook=codebook)
    assert b.audit.info.format == "qualtrics" and a.audit.info.format == "csv"
    assert a.audit.rows_in == b.audit.rows_in == len(plain) == 250
    pd.testing.assert_frame_equal(a.audit.cells, b.audit.cells)
    assert [(4, "qual_1", "N/A", "non_numeric"), (8, "qual_1", "#N/A", "non_numeric")] == \
        [c for c in _cells(b) if c[1] == "qual_1"]
    assert b.audit.summary()["cells"] == a.audit.summary()["cells"]


# -- 2. text in numeric cells: listed with its text, never blank --------------------------------

NOT_NUMBERS = ["N/A", "NA", "n/a", "nan", "NaN", "-nan", "null", "NULL", "None", "#N/A", "0x1F", "0X1f", "inf",
               "-inf", "Infinity", "1e999", "-1e999", "1_000", "３", "٣", "3 4", "1,5", "3.5.1", "e5", "- 3", "0b11"]


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("token", NOT_NUMBERS)
def test_text_in_a_numeric_cell_is_listed_with_its_text(tmp_path, codebook_dict, small_frame, token):
    frame = small_frame.astype({"f1": object})
    frame.loc[2, "f1"] = token
    path = _write_csv(tmp_path / "export.csv", frame)
    survey = load_survey(path, codebook=codebook_dict)
    assert _cells(survey) == [(3, "f1", token, "non_numeric")]
    assert np.isnan(survey.recoded.loc[3, "f1"])
    columns = survey.audit.columns.set_index("column")
    assert columns.loc["f1", "blank"] == 0 and columns.loc["f1", "non_numeric"] == 1
    assert columns.loc["f1", "answered"] == len(frame) - 1
    assert survey.audit.rows_in == len(frame)


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("text, value", [(" 3 ", 3.0), ("+3", 3.0), ("3.", 3.0), (".3e1", 3.0), ("3E0", 3.0),
                                         ("003", 3.0), ("+2.5e-0", 2.5), ("\u00a03", 3.0)])
def test_plain_decimal_numbers_are_numbers(tmp_path, codebook_dict, small_frame, text, value):
    """In a column the CSV reader parses (w) and in one the audit parses (f1, text because
    of an 'N/A'), the same numbers."""
    frame = small_frame.astype({"w": object, "f1": object})
    frame.loc[2, "w"] = text
    frame.loc[4, "f1"] = "N/A"
    frame.loc[3, "f1"] = text
    survey = load_survey(_write_csv(tmp_path / "export.csv", frame), codebook=codebook_dict)
    assert survey.recoded.loc[3, "w"] == value and survey.recoded.loc[4, "f1"] == value
    assert _cells(survey) == [(5, "f1", "N/A", "non_numeric")]


@pytest.mark.adversarial("result")
def test_only_the_columns_with_such_text_are_read_as_text(tmp_path, small_frame):
    """Hex in one integer column, 'nan' in one float column: the other columns keep their
    numeric types (the audit's fast path)."""
    frame = small_frame.astype({"f1": object, "w": object})
    frame.loc[0, "f1"] = "0x1F"
    frame.loc[1, "w"] = "nan"
    path = _write_csv(tmp_path / "export.csv", frame)
    read, _ = read_survey_file(path)
    assert read.loc[0, "f1"] == "0x1F" and read.loc[1, "w"] == "nan"
    assert read["f2"].dtype == np.int64 and read["dur"].dtype == np.int64 and read["nps"].dtype == np.int64
    # a file with '0x' only in free text: nothing re-read
    frame = small_frame.copy()
    frame["channel"] = "box 0x12"
    read, _ = read_survey_file(_write_csv(tmp_path / "text.csv", frame))
    assert read["f1"].dtype == np.int64 and read["channel"].tolist() == ["box 0x12"] * len(frame)


@pytest.mark.adversarial("result")
def test_true_and_false_in_a_csv_are_text_not_booleans(tmp_path, codebook_dict, small_frame):
    """Arrow would read a column of 1 and True as booleans (1 -> True, listed as 'True');
    only the words are flagged, and a yes/no context column keeps its text."""
    frame = small_frame.astype({"f1": object, "f2": object, "channel": object})
    frame["f1"] = np.where(np.arange(len(frame)) % 2 == 0, "1", "2")
    frame.loc[3, "f1"] = "True"
    frame["f2"] = "1"
    frame.loc[5, "f2"] = "false"
    frame["channel"] = np.where(np.arange(len(frame)) % 2 == 0, "true", "False")
    survey = load_survey(_write_csv(tmp_path / "export.csv", frame), codebook=codebook_dict)
    assert [c for c in _cells(survey) if c[1] in ("f1", "f2")] == [(4, "f1", "True", "non_numeric"),
                                                                  (6, "f2", "false", "non_numeric")]
    assert survey.recoded.loc[1, "f2"] == 1.0 and survey.recoded.loc[2, "f1"] == 2.0
    assert survey.recoded["channel"].tolist()[:2] == ["true", "False"]


@pytest.mark.adversarial("result")
def test_weight_and_time_that_are_not_finite_are_listed(tmp_path, codebook_dict, small_frame):
    frame = small_frame.astype({"w": object, "dur": object})
    frame.loc[0, "dur"] = "1e999"
    frame.loc[1, "dur"] = "inf"
    frame.loc[2, "w"] = "1e999"
    frame.loc[3, "w"] = "NaN"
    survey = load_survey(_write_csv(tmp_path / "export.csv", frame), codebook=codebook_dict)
    assert sorted(_cells(survey)) == [(1, "dur", "1e999", "non_numeric"), (2, "dur", "inf", "non_numeric"),
                                      (3, "w", "1e999", "non_numeric"), (4, "w", "NaN", "non_numeric")]
    assert np.isfinite(survey.audit.settings["speeder_threshold_seconds"])
    assert not np.isinf(survey.recoded[["w", "dur"]].to_numpy()).any()
    rows = survey.audit.rows.set_index("row")
    assert rows.loc[3, "invalid_weight"] and rows.loc[4, "invalid_weight"] and not rows.loc[1, "invalid_weight"]
    assert not rows.loc[1, "speeder"] and not rows.loc[2, "speeder"]


@pytest.mark.adversarial("result")
def test_excel_text_and_booleans_are_listed(tmp_path, codebook_dict, small_frame):
    frame = small_frame.astype({"f1": object, "f2": object, "e1": object})
    frame.loc[0, "f1"] = "N/A"
    frame.loc[1, "f1"] = "#N/A"
    frame.loc[2, "f1"] = "null"
    frame.loc[3, "f1"] = "nan"
    frame.loc[4, "f1"] = None  # a truly empty cell: blank
    frame.loc[5, "f2"] = True
    frame.loc[6, "f2"] = None   # booleans beside a blank: pandas would make them 1.0 / 0.0
    frame.loc[7, "f2"] = False
    frame.loc[8, "e1"] = "1e999"
    frame.loc[9, "e1"] = "inf"
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    survey = load_survey(path, codebook=codebook_dict)
    assert _cells(survey) == [(1, "f1", "N/A", "non_numeric"), (2, "f1", "#N/A", "non_numeric"),
                              (3, "f1", "null", "non_numeric"), (4, "f1", "nan", "non_numeric"),
                              (6, "f2", "True", "non_numeric"), (8, "f2", "False", "non_numeric"),
                              (9, "e1", "1e999", "non_numeric"), (10, "e1", "inf", "non_numeric")]
    columns = survey.audit.columns.set_index("column")
    assert columns.loc["f1", "blank"] == 1 and columns.loc["f2", "blank"] == 1 and columns.loc["e1", "blank"] == 0
    assert survey.audit.rows_in == len(frame)
    assert survey.recoded["rid"].tolist() == small_frame["rid"].tolist()


@pytest.mark.adversarial("result")
def test_parquet_booleans_and_infinities_are_listed(tmp_path, codebook_dict, small_frame):
    frame = small_frame.astype({"e1": float, "dur": float})
    frame["f1"] = pd.array([True, False, None] + [True] * (len(frame) - 3), dtype="boolean")
    frame["f2"] = np.arange(len(frame)) % 2 == 0  # a plain numpy boolean column
    frame.loc[4, "e1"] = np.inf
    frame.loc[5, "dur"] = -np.inf
    path = tmp_path / "export.parquet"
    frame.to_parquet(path)
    survey = load_survey(path, codebook=codebook_dict)
    cells = survey.audit.cells
    f1 = cells[cells["column"] == "f1"]
    assert f1["row"].tolist() == [1, 2] + list(range(4, len(frame) + 1))  # row 3 is blank
    assert f1["value"].tolist()[:3] == ["True", "False", "True"] and set(f1["problem"]) == {"non_numeric"}
    assert (cells["column"] == "f2").sum() == len(frame) and cells.loc[cells["column"] == "f2", "value"].iloc[0] == "True"
    assert _cells(survey)[-2:] == [(5, "e1", "inf", "non_numeric"), (6, "dur", "-inf", "non_numeric")]
    assert survey.recoded[["f1", "f2"]].isna().all().all()  # never 1 / 0
    columns = survey.audit.columns.set_index("column")
    assert columns.loc["f1", "blank"] == 1 and columns.loc["e1", "blank"] == 0 and columns.loc["e1", "out_of_range"] == 0


@pytest.mark.adversarial("result")
def test_codebook_text_missing_codes(tmp_path, codebook_dict, small_frame):
    """missing_codes: [9, "N/A"]: 'N/A' is a missing code; an item's own list replaces the
    common one (numbers and text alike); a comparison item follows its counterpart."""
    codebook_dict["missing_codes"] = [9, "N/A", " dk "]
    codebook_dict["items"]["e1"] = {"missing_codes": ["no sabe", 99]}
    cb = Codebook.from_dict(codebook_dict)
    assert cb.missing_codes == (9.0,)
    assert (cb.items["f1"].missing_codes, cb.items["f1"].missing_tokens) == ((9.0,), ("N/A", "dk"))
    assert (cb.items["e1"].missing_codes, cb.items["e1"].missing_tokens) == ((99.0,), ("no sabe",))
    assert cb.items["c_f1"].missing_tokens == ("N/A", "dk")
    assert cb.items["nps"].missing_tokens == ()  # its own missing_codes: [99]

    frame = small_frame.astype({"f1": object, "e1": object, "c_f1": object, "nps": object})
    frame.loc[0, "f1"] = "N/A"
    frame.loc[1, "f1"] = " dk"
    frame.loc[2, "f1"] = "NA"        # not declared: non-numeric
    frame.loc[3, "f1"] = 9
    frame.loc[4, "e1"] = "no sabe"
    frame.loc[5, "e1"] = "N/A"       # e1's own list has no 'N/A'
    frame.loc[6, "c_f1"] = "dk"
    frame.loc[7, "nps"] = "N/A"
    survey = load_survey(_write_csv(tmp_path / "export.csv", frame), codebook=cb)
    assert _cells(survey) == [(1, "f1", "N/A", "missing_code"), (2, "f1", " dk", "missing_code"),
                              (3, "f1", "NA", "non_numeric"), (4, "f1", "9", "missing_code"),
                              (5, "e1", "no sabe", "missing_code"), (6, "e1", "N/A", "non_numeric"),
                              (7, "c_f1", "dk", "missing_code"), (8, "nps", "N/A", "non_numeric")]
    columns = survey.audit.columns.set_index("column")
    assert columns.loc["f1", "missing_code"] == 3 and columns.loc["f1", "blank"] == 0
    assert survey.audit.summary()["cells"]["missing_code"] == 5


def test_codebook_text_missing_codes_from_yaml(tmp_path):
    text = yaml.safe_dump(BENEFITS_ONLY_CODEBOOK, sort_keys=False).replace("- -99", "- -99\n- N/A\n- '9999'")
    assert text.count("- N/A") == 1
    item = Codebook.from_dict(yaml.safe_load(text)).items["qual_1"]
    assert item.missing_codes == (-99.0, 9999.0) and item.missing_tokens == ("N/A",)


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("codes, match", [
    ([9, None], r"'missing_codes\[1\]': expected a numeric code such as 9 or 99, or a text token such as 'N/A', got None"),
    ([9, False], r"'missing_codes\[1\]': .*got False \(YAML reads yes/no/true/false/on/off unquoted"),
    ([""], r"'missing_codes\[0\]': expected a numeric code"),
    (["4"], r"'missing_codes': code\(s\) \['4'\] lie inside the scale 1-7"),  # a number, even quoted
    ([float("inf")], r"'missing_codes\[0\]': expected a numeric code"),
])
def test_bad_missing_codes(codebook_dict, codes, match):
    codebook_dict["missing_codes"] = codes
    with pytest.raises(CodebookError, match=match):
        Codebook.from_dict(codebook_dict)


# -- 3. numbers that overflow ---------------------------------------------------------------------


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("big", [1e308, 1e200])
def test_weights_too_large_to_add_up_are_refused(tmp_path, codebook_dict, small_frame, big):
    """1e308 each: the sum is infinite; 1e200 each: the sum is finite, its square (for the
    effective sample size) is not."""
    frame = small_frame.copy()
    frame["w"] = big
    frame.loc[6, "w"] = big * 1.5
    frame.loc[2, "w"] = 0.0  # unusable anyway: flagged, not counted
    path = _write_csv(tmp_path / "export.csv", frame)
    with pytest.raises(SurveyError, match=rf"export.csv: survey weight column 'w': the weights are too large to "
                                          rf"add up \(largest {re.escape(f'{big * 1.5:g}')}, row 7; .*Rescale the "
                                          "column"):
        load_survey(path, codebook=codebook_dict)


@pytest.mark.adversarial("result")
def test_large_weights_that_add_up_are_kept(tmp_path, codebook_dict, small_frame):
    frame = small_frame.copy()
    frame["w"] = 1e150  # 40 of them: sum 4e151, square 1.6e303
    survey = load_survey(_write_csv(tmp_path / "export.csv", frame), codebook=codebook_dict)
    assert survey.audit.rows_excluded == 0 and np.isfinite(survey.weights.sum() ** 2)


@pytest.mark.adversarial("result")
def test_an_item_value_too_large_is_out_of_range_and_inf_non_numeric(small_frame, codebook_dict):
    frame = small_frame.astype({"f1": float, "nps": float})
    frame.loc[0, "f1"] = 1e308
    frame.loc[1, "f1"] = np.inf
    frame.loc[2, "nps"] = -np.inf
    survey = audit_survey(frame, codebook_dict)
    assert _cells(survey) == [(1, "f1", "1e+308", "out_of_range"), (2, "f1", "inf", "non_numeric"),
                              (3, "nps", "-inf", "non_numeric")]


# -- 4. arguments, checked up front -----------------------------------------------------------------


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, name", [
    ({"path": None}, "path"),
    ({"path": 3}, "path"),
    ({"format": "xls"}, "format"),
    ({"format": 1}, "format"),
    ({"encoding": 5}, "encoding"),
    ({"encoding": None}, "encoding"),
    ({"encoding": "klingon"}, "encoding"),
    ({"sep": "::"}, "sep"),
    ({"sep": ""}, "sep"),
    ({"sep": '"'}, "sep"),
    ({"sep": 44}, "sep"),
    ({"decimal": ";"}, "decimal"),
    ({"sep": ",", "decimal": ","}, "decimal"),
    ({"sheet": 1.5}, "sheet"),
    ({"sheet": True}, "sheet"),
    ({"sheet": -1}, "sheet"),
    ({"sheet": ["a"]}, "sheet"),
    ({"speeder_fraction": 1}, "speeder_fraction"),
    ({"speeder_fraction": "0.3"}, "speeder_fraction"),
    ({"straightline_min_items": "x"}, "straightline_min_items"),
    ({"straightline_min_items": 1}, "straightline_min_items"),
    ({"exclude": ["speeder", "slow"]}, "exclude"),
    ({"exclude": 5}, "exclude"),
    ({"exclude": [None]}, "exclude"),
    ({"speeder": 0.3}, "speeder"),
])
def test_load_survey_names_a_wrong_argument_before_reading(tmp_path, kwargs, name):
    """Checked before the codebook or the file is opened: neither exists here."""
    kwargs = {"path": tmp_path / "nope.csv", **kwargs}
    with pytest.raises(ParameterError) as err:
        load_survey(kwargs.pop("path"), codebook=tmp_path / "nope.yaml", **kwargs)
    assert err.value.name == name and str(err.value).startswith(f"{name}: ")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, name", [
    ({"path": None}, "path"), ({"format": "xlsx"}, "format"), ({"sep": "::"}, "sep"), ({"decimal": ""}, "decimal"),
    ({"sheet": 2.5}, "sheet"), ({"encoding": 8}, "encoding"), ({"text_columns": [3]}, "text_columns"),
])
def test_read_survey_file_names_a_wrong_argument(tmp_path, kwargs, name):
    kwargs = {"path": tmp_path / "nope.csv", **kwargs}
    with pytest.raises(ParameterError) as err:
        read_survey_file(kwargs.pop("path"), **kwargs)
    assert err.value.name == name


@pytest.mark.adversarial("error")
def test_options_that_do_not_apply_to_the_format_are_named(tmp_path, small_frame):
    csv_path = _write_csv(tmp_path / "export.csv", small_frame)
    with pytest.raises(ParameterError, match=r"sheet: applies to Excel files only, but export.csv is read as csv"):
        read_survey_file(csv_path, sheet="Responses")
    parquet = tmp_path / "export.parquet"
    small_frame.to_parquet(parquet)
    for option in ({"sep": ";"}, {"decimal": ","}, {"encoding": "latin-1"}):
        with pytest.raises(ParameterError, match=rf"{next(iter(option))}: applies to CSV and Qualtrics files only"):
            read_survey_file(parquet, **option)
    assert len(read_survey_file(csv_path, sep=",", decimal=".", encoding="utf-8")[0]) == len(small_frame)


@pytest.mark.adversarial("error")
def test_audit_survey_names_a_wrong_argument(small_frame, codebook_dict):
    for kwargs, name in [({"exclude": "slow"}, "exclude"), ({"speeder_fraction": 0}, "speeder_fraction"),
                         ({"straightline_min_items": 2.5}, "straightline_min_items"), ({"info": "x.csv"}, "info")]:
        with pytest.raises(ParameterError) as err:
            audit_survey(small_frame, codebook_dict, **kwargs)
        assert err.value.name == name
    with pytest.raises(ParameterError, match=r"frame: expected a pandas DataFrame"):
        audit_survey(small_frame.to_dict(), codebook_dict)
    with pytest.raises(SurveyError, match=r"<DataFrame>: no data rows"):
        audit_survey(small_frame.head(0), codebook_dict)


@pytest.mark.adversarial("error")
def test_a_folder_is_not_a_survey_file(tmp_path):
    with pytest.raises(SurveyFileError, match=r"is a folder; expected an export file"):
        load_survey(tmp_path, codebook=DEMO_CODEBOOK)


# -- new-user trial: headers, ragged rows, speeders, ids -----------------------------------------


@pytest.mark.adversarial("error")
def test_excel_duplicate_column_headers_are_refused_as_in_csv(tmp_path):
    """pandas renamed the second 'f1' to 'f1.1' without a word."""
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["rid", "f1", "f1", "f2"], [1, 3, 4, 5], [2, 5, 6, 7]):
        sheet.append(row)
    path = tmp_path / "dup.xlsx"
    book.save(path)
    with pytest.raises(SurveyFileError, match=r"dup.xlsx: column name\(s\) \['f1'\] appear more than once in the header"):
        read_survey_file(path)


@pytest.mark.adversarial("result")
def test_excel_distinct_headers_that_look_mangled_are_kept(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["rid", "f1", "f1.1", None], [1, 3, 4, 9], [2, 5, 6, 9]):
        sheet.append(row)
    path = tmp_path / "fine.xlsx"
    book.save(path)
    frame, _ = read_survey_file(path)
    assert frame.columns.tolist()[:3] == ["rid", "f1", "f1.1"] and len(frame) == 2


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("row, cells", [("7,3", 2), ("7,3,4,5,6", 5)])
def test_qualtrics_row_with_too_few_or_too_many_cells_is_refused_naming_it(tmp_path, row, cells):
    """pandas padded a truncated row with blanks (and the plain CSV reader refused it)."""
    path = tmp_path / "q.csv"
    path.write_text('rid,f1,f2,f3\n"Respondent","How\neasy?",b,c\n'
                    + ",".join(['"{""ImportId"":""q%d""}"' % i for i in range(4)])
                    + f"\n1,2,3,4\n{row}\n8,1,2,3\n")
    with pytest.raises(SurveyFileError, match=rf"q.csv: not a readable QUALTRICS table: row 5 of the file "
                                              rf"\(line 6\) has {cells} cell\(s\) where the header has 4"):
        read_survey_file(path)
    path.write_text(path.read_text().replace(f"{row}\n", "7,3,,\n"))  # blanks written out are fine
    frame, info = read_survey_file(path)
    assert info.format == "qualtrics" and frame["rid"].tolist() == ["1", "7", "8"]
    assert frame["f2"].isna().tolist() == [False, True, False]
    assert info.question_text["f1"] == "How\neasy?"


@pytest.mark.adversarial("error")
def test_plain_csv_ragged_row_is_named(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("rid,f1\n1,2\n\n3,4,5\n")
    with pytest.raises(SurveyFileError, match=r"r.csv: not a readable CSV table: row 3 of the file \(line 4\) "
                                              r"has 3 cell\(s\) where the header has 2"):
        read_survey_file(path)


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("times", [[np.nan], [0, -5], [0, np.nan]])
def test_completion_time_with_no_positive_time_skips_the_speeder_check_openly(small_frame, codebook_dict, times):
    """The threshold was NaN: no row flagged, summary_table said 'checked', the JSON had NaN."""
    import json
    frame = small_frame.copy()
    frame["dur"] = np.resize(np.array(times, dtype=float), len(frame))
    survey = audit_survey(frame, codebook_dict)
    audit = survey.audit
    assert not audit.rows["speeder"].any()
    assert audit.settings["speeder_threshold_seconds"] is None
    assert any("speeder check skipped" in n and "'dur'" in n and "no positive completion time" in n
               for n in audit.notes)
    table = audit.summary_table().set_index("reason")
    assert not table.loc["speeder", "checked"]
    json.loads(audit.to_json(), parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("big", [1e20, np.inf, -np.inf, 2.0 ** 53, 1.5])
def test_float_ids_that_do_not_fit_an_integer_are_kept_as_they_are(tmp_path, small_frame, codebook_dict, big):
    """astype('Int64') crashed on 1e20 (SPSS: TypeError) and inf (Parquet: OverflowError)."""
    frame = small_frame.copy()
    frame["rid"] = frame["rid"].astype(float)
    frame.loc[3, "rid"] = big
    frame.loc[5, "rid"] = np.nan
    path = tmp_path / "ids.parquet"
    frame.to_parquet(path)
    survey = load_survey(path, codebook=codebook_dict)
    rows = survey.audit.rows
    assert survey.audit.rows_in == len(frame) == survey.audit.rows_kept + survey.audit.rows_excluded
    assert rows["missing_id"].tolist() == [i == 5 for i in range(len(frame))]  # only nan is a missing id
    assert not rows["duplicate_id"].any()
    assert rows["respondent"].iloc[3] == big and np.isnan(rows["respondent"].iloc[5])


def test_whole_float_ids_still_become_integers(small_frame, codebook_dict):
    frame = small_frame.copy()
    frame["rid"] = frame["rid"].astype(float)
    frame.loc[5, "rid"] = np.nan
    survey = audit_survey(frame, codebook_dict)
    assert str(survey.recoded["rid"].dtype) == "Int64"


@pytest.mark.adversarial("error")
def test_audit_survey_refuses_a_frame_with_repeated_column_names(small_frame, codebook_dict):
    frame = pd.concat([small_frame, small_frame[["f1", "rid"]]], axis=1)
    with pytest.raises(SurveyError, match=r"<DataFrame>: column name\(s\) \['f1', 'rid'\] appear more than once"):
        audit_survey(frame, codebook_dict)


@pytest.mark.adversarial("result")
def test_list_cells_in_a_rated_parquet_column_are_listed_as_non_numeric(tmp_path, small_frame, codebook_dict):
    """A cell holding an array raised TypeError (unhashable numpy.ndarray)."""
    frame = small_frame.copy()
    frame["f1"] = [[int(v)] for v in frame["f1"]]
    frame.loc[2, "f1"] = None
    frame.loc[4, "f1"] = [3, 4]
    path = tmp_path / "lists.parquet"
    frame.to_parquet(path)
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.rows_in == len(frame) == survey.audit.rows_kept + survey.audit.rows_excluded
    cells = [c for c in _cells(survey) if c[1] == "f1"]
    assert len(cells) == len(frame) - 1 and all(c[3] == "non_numeric" for c in cells)
    assert (5, "f1", "[3 4]", "non_numeric") in cells


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("codebook", [None, 5, ""])
def test_a_wrong_codebook_argument_is_named_codebook(small_frame, codebook):
    """load_survey('base.csv', None) blamed 'path'."""
    with pytest.raises(ParameterError, match=r"^codebook: expected a Codebook, a mapping or a path") as err:
        load_survey("base.csv", codebook)
    assert err.value.name == "codebook"
    with pytest.raises(ParameterError, match=r"^codebook: ") as err:
        audit_survey(small_frame, codebook)
    assert err.value.name == "codebook"


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("text", ["rid,f1,f2", "rid,f1,f2\n", "rid,f1,f2\r\n",
                                  'rid,f1\nRespondent,How easy?\n"{""ImportId"":""a""}","{""ImportId"":""b""}"',
                                  'rid,f1\nRespondent,How easy?\n"{""ImportId"":""a""}","{""ImportId"":""b""}"\n'])
def test_a_header_without_data_rows_is_said_so_with_or_without_a_final_newline(tmp_path, text):
    path = tmp_path / "head.csv"
    path.write_bytes(text.encode())
    with pytest.raises(SurveyFileError, match=r"^head.csv: the file has a header but no data rows"):
        read_survey_file(path)


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, small_frame, codec):
    """It was read as UTF-8 with a NUL byte in every other place: 'Expected 8 columns, got 1'."""
    path = tmp_path / "wide.csv"
    frame = small_frame.copy()
    frame["channel"] = "tienda pequeña"
    path.write_bytes(frame.to_csv(index=False).encode(codec))
    read, info = read_survey_file(path)
    assert info.encoding == codec and len(read) == len(frame)
    assert read["rid"].tolist() == frame["rid"].tolist() and read["channel"].iloc[0] == "tienda pequeña"
    path.write_bytes(path.read_bytes()[:-1])  # cut off mid-character: said so, with the encoding to pass
    with pytest.raises(SurveyFileError, match=rf"wide.csv: cannot decode the file as {codec.upper()} "
                                              rf"\(it looks like UTF-16 without a byte-order mark\)"):
        read_survey_file(path)
