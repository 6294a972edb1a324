"""Large files on one machine: a CSV audited block by block as it is parsed gives the same
survey as the whole-file read; the scorer's chunks change no score; `valuekit score`
writes CSV or Parquet through Arrow with every number exact."""

import numpy as np
import pandas as pd
import pytest

import valuekit.io as vio
import valuekit._scorecore as scorecore
from valuekit import DEMO_CODEBOOK, DEMO_DATA, ValueScorer, load_survey
from valuekit.cli import main


def _same(a, b):
    pd.testing.assert_frame_equal(a.recoded, b.recoded)
    pd.testing.assert_frame_equal(a.audit.rows, b.audit.rows)
    pd.testing.assert_frame_equal(a.audit.cells, b.audit.cells)
    pd.testing.assert_frame_equal(a.audit.columns, b.audit.columns)
    assert a.audit.summary() == b.audit.summary()


@pytest.fixture
def whole(monkeypatch):
    """load_survey reading every file whole."""
    def load(path, **kw):
        monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 2 ** 62)
        try:
            return load_survey(path, codebook=DEMO_CODEBOOK, **kw)
        finally:
            monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(vio, "STREAM_BLOCK_BYTES", 8192)  # the demo file in dozens of blocks
    return load


def _blocks(path) -> int:
    stream = vio.stream_csv(path, text_columns=["respondent_id"])
    return None if stream is None else sum(1 for _ in stream)


@pytest.fixture
def front_loaded(tmp_path):
    """The demo export (text, codes, blanks, repeated ids and all) with the rows holding
    anything but whole numbers first, so the first block has every column's type."""
    frame = pd.read_csv(DEMO_DATA, dtype=str, keep_default_na=False)
    odd = np.zeros(len(frame), bool)
    for col in frame.columns:
        if col not in ("respondent_id", "weight", "start_date", "world_view", "purchase_reason", "stage", "channel"):
            odd |= ~frame[col].str.fullmatch(r"-?[0-9]*").to_numpy()
    path = tmp_path / "front.csv"
    pd.concat([frame[odd], frame[~odd]]).to_csv(path, index=False)
    return path


def test_streamed_audit_is_the_whole_file_audit(whole, front_loaded):
    assert _blocks(front_loaded) > 10
    survey = load_survey(front_loaded, codebook=DEMO_CODEBOOK)
    assert survey.audit.cells["problem"].nunique() >= 3 and survey.audit.rows_excluded > 0
    _same(survey, whole(front_loaded))
    lenient = {"exclude": ["missing_id"], "speeder_fraction": 0.5, "straightline_min_items": 3}
    _same(load_survey(front_loaded, codebook=DEMO_CODEBOOK, **lenient), whole(front_loaded, **lenient))


def _with_row(tmp_path, name, edit, source=DEMO_DATA):
    """The export with a cell of its last rows changed (past the first block)."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name, edit, streams", [
    ("text.csv", lambda f: f.loc.__setitem__((len(f) - 3, "sac_risk_1"), "N/A"), False),
    ("real.csv", lambda f: f.loc.__setitem__((len(f) - 2, "sac_money_1"), "3.5"), False),
    ("inf.csv", lambda f: f.loc.__setitem__((len(f) - 2, "duration_s"), "inf"), False),
    ("comment.csv", lambda f: f.__setitem__("channel", f["channel"].where(f.index < 40, "shop,\nthen online")), True),
    ("clean.csv", lambda f: None, True),
])
def test_a_later_block_that_does_not_fit_is_read_whole(tmp_path, whole, front_loaded, name, edit, streams):
    """Text, a decimal or an infinite number in a column of whole numbers past the first
    block: the file is read whole, and the audit is the same. Quoted line breaks (in every
    block, so some straddle a block's end) are followed block by block."""
    path = _with_row(tmp_path, name, edit, front_loaded)
    stream = vio.stream_csv(path, text_columns=["respondent_id"])
    assert stream is not None
    if streams:
        assert len(list(stream)) > 10
    else:
        with pytest.raises(vio.StreamMisfit):
            list(stream)
    _same(load_survey(path, codebook=DEMO_CODEBOOK), whole(path))


@pytest.fixture
def whole_numbers(tmp_path):
    """The demo export with every item cell blank or a whole number: the codes (9, 99),
    answers off the scale and blanks stay, text and decimals become blanks."""
    frame = pd.read_csv(DEMO_DATA, dtype=str, keep_default_na=False)
    items = [c for c in frame.columns if c.startswith(("fun_", "eco_", "exp_", "sym_", "sac_"))]
    for col in items:
        frame[col] = frame[col].where(frame[col].str.fullmatch(r"-?[0-9]*"), "")
    frame.loc[5, items[0]] = "300"      # off the scale
    frame.loc[7, items[1]] = "-32768"   # the smallest 16-bit integer
    path = tmp_path / "whole_numbers.csv"
    frame.to_csv(path, index=False)
    return path, items


def test_whole_numbers_are_parsed_at_once_with_the_same_audit(whole, whole_numbers, monkeypatch):
    """Items that are all blank or whole numbers: the file is parsed at once with them as
    16-bit integers and handed on in slices; the audit is the whole-file audit."""
    path, items = whole_numbers
    monkeypatch.setattr(vio, "STREAM_SLICE_ROWS", 97)
    stream = vio.stream_csv(path, text_columns=["respondent_id"], integer_columns=items)
    table = stream._compact()
    assert table is not None and {str(table.schema.field(c).type) for c in items} == {"int16"}
    assert len(list(stream)) > 5
    survey = load_survey(path, codebook=DEMO_CODEBOOK)
    cells = survey.audit.cells
    assert {"300", "-32768"} <= set(cells["value"]) and survey.audit.rows_excluded > 0
    _same(survey, whole(path))


@pytest.mark.parametrize("cell, flagged", [("32768", True), ("N/A", True), ("3.5", False), ("3.0", False)])
def test_an_item_cell_that_is_no_16_bit_integer_is_parsed_block_by_block(whole, whole_numbers, tmp_path, cell,
                                                                         flagged):
    """A number too large for 16 bits, text or a decimal: the at-once parse gives way to
    blocks (or the whole file), and the audit is the same; a decimal on the scale is an answer."""
    path, items = whole_numbers
    edited = _with_row(tmp_path, "edited.csv", lambda f: f.loc.__setitem__((len(f) - 1, items[3]), cell), path)
    stream = vio.stream_csv(edited, text_columns=["respondent_id"], integer_columns=items)
    assert stream._compact() is None
    survey = load_survey(edited, codebook=DEMO_CODEBOOK)
    assert (cell in set(survey.audit.cells["value"])) is flagged
    _same(survey, whole(edited))


def test_files_that_are_never_streamed(tmp_path, whole):
    hexed = _with_row(tmp_path, "hex.csv", lambda f: f.loc.__setitem__((len(f) - 2, "sac_money_1"), "0x1F"))
    assert vio.stream_csv(hexed) is None  # Arrow would read 0x1F as 31: read whole, as text
    _same(load_survey(hexed, codebook=DEMO_CODEBOOK), whole(hexed))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(DEMO_DATA.read_bytes().replace(b"online", "tiend\u00e1".encode("cp1252")))
    assert vio.stream_csv(latin) is None  # not UTF-8
    assert vio.stream_csv(DEMO_DATA, format="qualtrics") is None


def test_scoring_in_chunks_changes_nothing(monkeypatch):
    data = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK).data.copy()
    sacrifices = [c for c in data.columns if c.startswith("sac_")]
    data.loc[data.index[[3, 4, 40]], sacrifices] = np.nan  # three respondents cannot be scored
    data.loc[data.index[[50]], sacrifices[:3]] = np.nan
    whole_scores = ValueScorer(DEMO_CODEBOOK).fit_transform(data)
    monkeypatch.setattr(scorecore, "SCORE_CHUNK_ROWS", 7)
    chunked = ValueScorer(DEMO_CODEBOOK).fit_transform(data)
    pd.testing.assert_frame_equal(chunked, whole_scores)
    assert (chunked["unscored_reason"] != "").any()  # the reasons survive the chunks


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_scores_through_arrow_exactly(tmp_path, capsys, suffix):
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 0
    if suffix == ".parquet":
        got = pd.read_parquet(out)
    else:  # every cell as written; an empty one is a missing value
        got = pd.read_csv(out, dtype=str, keep_default_na=False)
        got = got.apply(lambda c: c.mask(c == "")).fillna({"unscored_reason": ""})
        got["row"] = got["row"].astype(int)
        got["respondent_id"] = got["respondent_id"].astype(int)
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    want = ValueScorer(DEMO_CODEBOOK).fit_transform(survey.data)
    assert got["row"].tolist() == want.index.tolist()
    assert got["respondent_id"].tolist() == survey.data["respondent_id"].tolist()
    for col in ["functional", "time", "benefits", "sacrifices", "value_ratio"]:
        np.testing.assert_array_equal(got[col].to_numpy(float), want[col].to_numpy(float), err_msg=col)
    assert got["verdict"].tolist() == want["verdict"].astype("str").tolist()
    assert got["unscored_reason"].tolist() == want["unscored_reason"].tolist()
    assert list(got.columns)[:2] == ["row", "respondent_id"] and "log_value_ratio" not in got
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_refuses_other_suffixes(tmp_path, capsys):
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(tmp_path / "s.json")]) == 2
    assert "CSV (.csv) or Parquet (.parquet)" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
