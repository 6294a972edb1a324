"""Every export format gives the same recoded survey; bad files get clear errors."""

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from valuekit import SurveyFileError, load_survey, read_survey_file


def _same_survey(survey, frame):
    """The recoded kept data equals the clean frame it was written from."""
    got = survey.data.reset_index(drop=True)
    for col in ["f1", "f2", "e1", "m1", "nps", "w"]:
        np.testing.assert_allclose(got[col].to_numpy(float), frame[col].to_numpy(float), err_msg=col)
    assert got["rid"].astype(int).tolist() == frame["rid"].tolist()
    assert got["channel"].tolist() == frame["channel"].tolist()


@pytest.mark.parametrize("sep, decimal, encoding", [
    (",", ".", "utf-8"),
    (",", ".", "utf-8-sig"),
    (";", ",", "utf-8"),
    (";", ",", "cp1252"),
    ("\t", ".", "latin-1"),
])
def test_csv_dialects(tmp_path, codebook_dict, small_frame, sep, decimal, encoding):
    small_frame["channel"] = np.where(small_frame["channel"] == "store", "tienda física", "teléfono")
    path = tmp_path / "export.csv"
    small_frame.to_csv(path, sep=sep, decimal=decimal, index=False, encoding=encoding)
    survey = load_survey(path, codebook=codebook_dict)
    _same_survey(survey, small_frame)
    assert survey.audit.info.delimiter == sep and survey.audit.info.decimal == decimal
    assert survey.audit.info.encoding == {"latin-1": "cp1252"}.get(encoding, encoding)


def test_excel(tmp_path, codebook_dict, small_frame):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"notes": ["cover sheet"]}).to_excel(writer, sheet_name="About", index=False)
        small_frame.to_excel(writer, sheet_name="Responses", index=False)
    _same_survey(load_survey(path, codebook=codebook_dict, sheet="Responses"), small_frame)
    with pytest.raises(SurveyFileError, match=r"export.xlsx: no sheet 'Answers'; sheets in the file: \['About', 'Responses'\]"):
        load_survey(path, codebook=codebook_dict, sheet="Answers")


def test_parquet(tmp_path, codebook_dict, small_frame):
    path = tmp_path / "export.parquet"
    small_frame.to_parquet(path)
    _same_survey(load_survey(path, codebook=codebook_dict), small_frame)


def test_spss_value_labels_and_user_missing(tmp_path, codebook_dict, small_frame):
    frame = small_frame.copy()
    frame["channel"] = np.where(frame["channel"] == "store", 1, 2)
    frame.loc[0, "e1"] = 8  # declared user-missing in the file, not in the codebook
    frame.loc[1, "f1"] = 9  # the codebook's don't-know code
    path = tmp_path / "export.sav"
    pyreadstat.write_sav(frame, path,
                         column_labels={"f1": "The shop is easy to find my way around"},
                         variable_value_labels={"channel": {1: "store", 2: "online"}},
                         missing_ranges={"e1": [8], "f1": [9]})
    survey = load_survey(path, codebook=codebook_dict)
    info = survey.audit.info
    assert info.format == "spss"
    assert info.question_text["f1"] == "The shop is easy to find my way around"
    assert survey.data["channel"].tolist() == small_frame["channel"].tolist()  # labels applied
    cells = survey.audit.cells.set_index("column")
    assert cells.loc["e1", "problem"] == "user_missing" and cells.loc["e1", "row"] == 1
    assert cells.loc["f1", "problem"] == "missing_code" and cells.loc["f1", "row"] == 2
    assert np.isnan(survey.data.loc[1, "e1"]) and np.isnan(survey.data.loc[2, "f1"])


def test_qualtrics_export(tmp_path, codebook_dict, small_frame):
    questions = {c: f"Question text for {c}" for c in small_frame.columns}
    import_ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(small_frame.columns)}
    frame = pd.concat([pd.DataFrame([questions, import_ids]), small_frame.astype(str)], ignore_index=True)
    path = tmp_path / "qualtrics.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.info.format == "qualtrics"
    assert survey.audit.rows_in == len(small_frame)  # the two extra header rows are not respondents
    assert survey.audit.info.question_text["f1"] == "Question text for f1"
    _same_survey(survey, small_frame)


def test_empty_file(tmp_path, codebook_dict):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SurveyFileError, match=r"empty.csv: the file is empty"):
        load_survey(path, codebook=codebook_dict)
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(SurveyFileError, match=r"the file is empty"):
        load_survey(path, codebook=codebook_dict)


def test_header_only(tmp_path, codebook_dict, small_frame):
    path = tmp_path / "header.csv"
    small_frame.head(0).to_csv(path, index=False)
    with pytest.raises(SurveyFileError, match=r"header.csv: the file has a header but no data rows"):
        load_survey(path, codebook=codebook_dict)


def test_undecodable_bytes(tmp_path, codebook_dict, small_frame):
    path = tmp_path / "garbled.csv"
    text = small_frame.to_csv(index=False).encode("utf-8")
    path.write_bytes(text.replace(b"store", b"st\x81\x8dre", 1))  # not UTF-8, not Windows-1252
    line = text[:text.index(b"store")].count(b"\n") + 1
    with pytest.raises(SurveyFileError, match=rf"garbled.csv: cannot decode the file as UTF-8 or Windows-1252: byte 0x81 at line {line} "):
        load_survey(path, codebook=codebook_dict)
    # naming the encoding reads it
    survey = load_survey(path, codebook=codebook_dict, encoding="latin-1")
    assert survey.audit.rows_in == len(small_frame)


def test_missing_column_lists_available(tmp_path, codebook_dict, small_frame):
    path = tmp_path / "export.csv"
    small_frame.rename(columns={"m1": "M_1"}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column\(s\) \['m1'\] named in the codebook not found in export.csv; available: \[.*'M_1'"):
        load_survey(path, codebook=codebook_dict)


def test_unknown_suffix_and_missing_file(tmp_path, codebook_dict):
    path = tmp_path / "export.dat"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(SurveyFileError, match=r"cannot tell the format from the suffix '.dat'"):
        read_survey_file(path)
    assert read_survey_file(path, format="csv")[0].shape == (1, 2)
    with pytest.raises(SurveyFileError, match="not found"):
        read_survey_file(tmp_path / "nope.csv")


def test_duplicate_header_and_ragged_rows(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("rid,f1,f1\n1,2,3\n")
    with pytest.raises(SurveyFileError, match=r"column name\(s\) \['f1'\] appear more than once"):
        read_survey_file(path)
    path.write_text("rid,f1\n1,2\n3,4,5\n")
    with pytest.raises(SurveyFileError, match=r"dup.csv: not a readable CSV table"):
        read_survey_file(path)


def test_not_really_excel(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("rid,f1\n1,2\n")
    with pytest.raises(SurveyFileError, match="fake.xlsx: not a readable Excel workbook"):
        read_survey_file(path)


def test_latin1_beyond_the_first_megabyte(tmp_path):
    """UTF-8-looking at the top, Windows-1252 further down: still decoded right."""
    n = 120_000
    frame = pd.DataFrame({"rid": range(n), "city": ["Madrid"] * n})
    frame.loc[n - 1, "city"] = "Málaga"
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False, encoding="cp1252")
    assert path.stat().st_size > 1 << 20
    read, info = read_survey_file(path)
    assert info.encoding == "cp1252" and read["city"].iloc[-1] == "Málaga" and len(read) == n
