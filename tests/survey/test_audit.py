"""The audit: every row kept or excluded with a reason, every flagged cell listed."""

import json
import os

import numpy as np
import pandas as pd
import pytest

import valuekit.survey.io as vio
from valuekit import DEFAULT_EXCLUDE, DEMO_CODEBOOK, DEMO_DATA, ROW_REASONS, audit_survey, load_survey
from valuekit.cli import main


@pytest.fixture
def dirty_frame(small_frame):
    f = small_frame.astype({c: float for c in ["f1", "f2", "e2", "m1", "r1", "nps", "dur"]})
    f = f.astype({"e1": object, "rid": object})
    f.loc[0, "f1"] = 9          # don't know
    f.loc[1, "nps"] = 99        # don't know on the 0-10 item
    f.loc[1, "nps"] = 99
    f.loc[2, "e1"] = "seven"    # text in a numeric item
    f.loc[3, "m1"] = 8          # out of range
    f.loc[4, "nps"] = 9         # a real answer on 0-10, not a missing code
    f.loc[5, "rid"] = None      # blank id
    f.loc[6, "rid"] = f.loc[7, "rid"]  # repeated id: row 8 is the second occurrence
    f.loc[[7, 6]] = f.loc[[7, 6]].to_numpy()  # keep both, swap so row 7 comes first
    f.loc[9, ["f1", "f2", "e1", "e2", "m1", "r1"]] = np.nan  # answered nothing of the value battery
    f.loc[10, ["f1", "f2", "e1", "e2", "m1", "r1"]] = 4      # straight-liner
    f.loc[11, "dur"] = 30       # speeder: far below 0.3 x median
    f.loc[12, "w"] = 0          # unusable weight
    return f


def test_flags_and_reasons(dirty_frame, codebook_dict):
    survey = audit_survey(dirty_frame, codebook_dict)
    a = survey.audit
    rows = a.rows.set_index("row")
    assert a.rows_in == 40 and a.rows_in == a.rows_kept + a.rows_excluded
    assert rows.loc[6, "missing_id"] and rows.loc[6, "reason"] == "missing_id"
    assert rows.loc[8, "duplicate_id"] and not rows.loc[7, "duplicate_id"]
    assert rows.loc[10, "no_answers"]
    assert rows.loc[11, "straightliner"]
    assert rows.loc[12, "speeder"]
    assert rows.loc[13, "invalid_weight"]
    assert set(rows.index[rows["status"] == "excluded"]) == {6, 8, 10, 11, 12, 13}
    assert a.summary()["excluded"] == {"missing_id": 1, "duplicate_id": 1, "no_answers": 1,
                                       "straightliner": 1, "speeder": 1, "invalid_weight": 1}
    cells = a.cells[["row", "column", "value", "problem"]].to_numpy().tolist()
    assert cells == [[1, "f1", "9", "missing_code"], [3, "e1", "seven", "non_numeric"],
                     [4, "m1", "8", "out_of_range"], [2, "nps", "99", "missing_code"]]  # by column, then row
    data = survey.recoded
    assert np.isnan(data.loc[1, "f1"]) and np.isnan(data.loc[2, "nps"])
    assert np.isnan(data.loc[3, "e1"]) and np.isnan(data.loc[4, "m1"])
    assert data.loc[5, "nps"] == 9  # 9 is a real answer on the 0-10 item
    assert data["e1"].dtype == float
    # kept data are exactly the kept rows, indexed by input row
    assert survey.data.index.tolist() == rows.index[rows["status"] == "kept"].tolist()
    by_col = a.columns.set_index("column")
    assert by_col.loc["e1", "non_numeric"] == 1 and by_col.loc["f1", "missing_code"] == 1
    assert by_col.loc["f1", "answered"] == 38  # 40 less the don't-know and row 10's blank


def test_excluding_is_the_analysts_choice(dirty_frame, codebook_dict):
    survey = audit_survey(dirty_frame, codebook_dict, exclude=["missing_id", "duplicate_id"])
    assert survey.audit.rows_excluded == 2
    flagged = survey.audit.rows.set_index("row")
    assert flagged.loc[12, "speeder"] and flagged.loc[12, "status"] == "kept"  # flagged, still kept
    strict = survey.with_exclusions(DEFAULT_EXCLUDE)
    assert strict.audit.rows_excluded == 6 and len(strict.data) == 34
    assert strict.excluded["reason"].tolist() == ["missing_id", "duplicate_id", "no_answers",
                                                  "straightliner", "speeder", "invalid_weight"]
    with pytest.raises(ValueError, match=r"unknown exclusion reason\(s\) \['slow'\]; expected some of"):
        survey.with_exclusions(["slow"])


def test_multiple_reasons_are_all_named(small_frame, codebook_dict):
    f = small_frame.copy()
    f.loc[3, "rid"] = f.loc[2, "rid"]
    f.loc[3, "dur"] = 10
    rows = audit_survey(f, codebook_dict).audit.rows
    assert rows.loc[3, "reason"] == "duplicate_id; speeder"


def test_all_answers_missing_is_flagged_not_lost(small_frame, codebook_dict):
    f = small_frame.copy()
    f[["f1", "f2", "e1", "e2", "m1", "r1"]] = np.nan
    survey = audit_survey(f, codebook_dict)
    assert survey.audit.rows_in == 40 and survey.audit.rows_excluded == 40
    assert survey.audit.rows["no_answers"].all() and len(survey.data) == 0


def test_no_completion_time_means_no_speeders(small_frame, codebook_dict):
    del codebook_dict["completion_time"]
    survey = audit_survey(small_frame.drop(columns="dur"), codebook_dict)
    assert not survey.audit.rows["speeder"].any()
    assert survey.audit.settings["speeder_threshold_seconds"] is None


def test_blank_ids_in_a_numeric_column_stay_integers(tmp_path, small_frame, codebook_dict):
    small_frame["rid"] = small_frame["rid"].astype("Int64")
    small_frame.loc[[4, 20], "rid"] = pd.NA
    path = tmp_path / "ids.csv"
    small_frame.to_csv(path, index=False)
    survey = load_survey(path, codebook=codebook_dict)
    assert str(survey.data["rid"].dtype) == "Int64"
    assert survey.audit.rows.loc[survey.audit.rows["missing_id"], "row"].tolist() == [5, 21]


@pytest.mark.parametrize("seed", range(5))
def test_every_row_accounted_for(seed, small_frame, codebook_dict):
    rng = np.random.default_rng(seed)
    f = small_frame.astype({"rid": float})
    items = ["f1", "f2", "e1", "e2", "m1", "r1", "nps", "dur", "w"]
    values = f[items].to_numpy(float)
    mess = rng.random(values.shape)
    values[mess < 0.1] = np.nan
    values[(mess > 0.9) & (mess < 0.95)] = 9
    values[mess > 0.97] = -1
    f[items] = values
    f.loc[rng.random(40) < 0.1, "rid"] = np.nan
    f.loc[rng.random(40) < 0.1, "rid"] = 101.0
    exclude = [r for r in ROW_REASONS if rng.random() < 0.5]
    a = audit_survey(f, codebook_dict, exclude=exclude).audit
    assert a.rows_in == a.rows_kept + a.rows_excluded == 40
    assert sorted(a.rows["row"]) == list(range(1, 41))
    excluded = a.rows[a.rows["status"] == "excluded"]
    assert (excluded["reason"] != "").all()
    assert (a.rows.loc[a.rows["status"] == "kept", "reason"] == "").all()


def test_bad_options(small_frame, codebook_dict):
    from valuekit.errors import ParameterError

    with pytest.raises(ParameterError, match=r"speeder_fraction: expected a finite number > 0 and < 1, got 2"):
        audit_survey(small_frame, codebook_dict, speeder_fraction=2)
    with pytest.raises(ParameterError, match=r"straightline_min_items: expected a whole number >= 2, got 1"):
        audit_survey(small_frame, codebook_dict, straightline_min_items=1)


def test_cli_audit_json(tmp_path, dirty_frame, codebook_dict, capsys):
    import yaml

    data, cb = tmp_path / "s.csv", tmp_path / "cb.yaml"
    dirty_frame.to_csv(data, index=False)
    cb.write_text(yaml.safe_dump(codebook_dict))
    assert main(["audit", str(data), "--codebook", str(cb), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows_in"] == 40 and out["rows_kept"] == 34 and out["rows_excluded"] == 6
    assert out["excluded"]["speeder"] == 1 and out["cells"]["non_numeric"] == 1
    assert main(["audit", str(data), "--codebook", str(cb), "--keep", "speeder"]) == 0
    text = capsys.readouterr().out
    assert "rows kept:           35" in text and "speeder" in text
    assert main(["audit", str(tmp_path / "nope.csv"), "--codebook", str(cb)]) == 2
    assert "valuekit audit: survey file" in capsys.readouterr().err


def test_threaded_audit_matches_the_sequential_one(monkeypatch, codebook_dict):
    """Large surveys split columns between threads; the result must not change."""
    import valuekit.survey.audit as audit_module

    rng = np.random.default_rng(3)
    n = 20_000
    frame = pd.DataFrame({c: rng.integers(0, 10, n).astype(float) for c in ["f1", "f2", "e1", "e2", "m1", "r1", "c_f1"]})
    frame["nps"] = rng.integers(0, 12, n).astype(float)
    frame["rid"] = rng.integers(0, n, n)
    frame["dur"] = rng.uniform(10, 900, n)
    frame["w"] = rng.uniform(-0.1, 2, n)
    frame["channel"] = "store"
    frame.loc[::997, "e1"] = np.nan
    codebook_dict["items"]["nps"]["missing_codes"] = [11]
    assert audit_module._workers(5_000_000) == min(2, os.cpu_count() or 1)  # large surveys use threads
    monkeypatch.setattr(audit_module, "_workers", lambda cells: 2)
    threaded = audit_survey(frame, codebook_dict)
    monkeypatch.setattr(audit_module, "_workers", lambda cells: 1)
    sequential = audit_survey(frame, codebook_dict)
    pd.testing.assert_frame_equal(threaded.audit.rows, sequential.audit.rows)
    pd.testing.assert_frame_equal(threaded.audit.cells, sequential.audit.cells)
    pd.testing.assert_frame_equal(threaded.audit.columns, sequential.audit.columns)
    pd.testing.assert_frame_equal(threaded.recoded, sequential.recoded)


def test_duplicate_keeps_the_usable_row(small_frame, codebook_dict):
    """If the first row with an id is empty, the later complete row is the one kept."""
    f = small_frame.astype({c: float for c in ["f1", "f2", "e1", "e2", "m1", "r1"]})
    f.loc[5, "rid"] = f.loc[2, "rid"]
    f.loc[2, ["f1", "f2", "e1", "e2", "m1", "r1"]] = np.nan   # the first occurrence answered nothing
    rows = audit_survey(f, codebook_dict).audit.rows.set_index("row")
    assert rows.loc[3, "reason"] == "duplicate_id; no_answers"
    assert rows.loc[6, "status"] == "kept" and not rows.loc[6, "duplicate_id"]


def test_text_ids_keep_leading_zeros(tmp_path, small_frame, codebook_dict):
    f = small_frame.astype({"rid": str})
    f.loc[0, "rid"], f.loc[1, "rid"] = "007", "7"
    path = tmp_path / "ids.csv"
    f.to_csv(path, index=False)
    survey = load_survey(path, codebook=codebook_dict)
    assert survey.audit.rows_excluded == 0  # "007" and "7" are different respondents
    assert survey.data["rid"].iloc[:2].tolist() == ["007", "7"]
    plain = tmp_path / "plain.csv"
    small_frame.to_csv(plain, index=False)
    assert str(load_survey(plain, codebook=codebook_dict).data["rid"].dtype) == "Int64"


@pytest.mark.parametrize("tiny", [1e-170, 1e-300, 1e-320])
def test_weights_whose_square_underflows_are_invalid(small_frame, codebook_dict, tiny):
    # the mirror of the overflow check: a weight this small squares to 0 (or to a subnormal
    # with a few digits), so the effective sample size would be 0 / 0
    f = small_frame.astype({"w": float})
    f.loc[[3, 4], "w"] = tiny
    f.loc[5, "w"] = 1e-150   # small, but its square is a normal float: kept
    survey = audit_survey(f, codebook_dict)
    rows = survey.audit.rows.set_index("row")
    assert rows.loc[4, "invalid_weight"] and rows.loc[5, "invalid_weight"] and not rows.loc[6, "invalid_weight"]
    assert rows.loc[4, "reason"] == "invalid_weight"
    assert "square underflows" in ROW_REASONS["invalid_weight"]
    note = next(n for n in survey.audit.notes if "square underflows" in n)
    assert "'w': 2 weight(s) below 1.49e-154" in note and "row 4" in note
    assert np.isfinite(survey.weights).all() and (survey.weights > 0).all()
    # every weight that small: every row excluded, nothing divided by zero
    f["w"] = tiny
    survey = audit_survey(f, codebook_dict)
    assert survey.data.empty and survey.audit.summary()["excluded"]["invalid_weight"] == len(f)


def test_cli_weight_on_underflowing_weights_is_an_input_error(tmp_path, capsys, small_frame, codebook_dict):
    import yaml
    f = small_frame.astype({"w": float})
    f["w"] = 1e-300
    export, codebook, targets = tmp_path / "e.csv", tmp_path / "cb.yaml", tmp_path / "t.yaml"
    f.to_csv(export, index=False)
    codebook.write_text(yaml.safe_dump(codebook_dict), encoding="utf-8")
    targets.write_text("margins:\n  channel: {store: 0.5, online: 0.5}\n", encoding="utf-8")
    rc = main(["weight", str(export), "--codebook", str(codebook), "--targets", str(targets),
               "-o", str(tmp_path / "w.csv")])
    err = capsys.readouterr().err
    assert rc == 2 and "no respondents kept after the audit" in err and "internal error" not in err


def _one_way(frame: pd.DataFrame, codebook_dict: dict, *, reverse: bool = False) -> tuple[pd.DataFrame, dict]:
    """The small survey with its benefits only (no sacrifice items); one item reverse-keyed if asked."""
    cb = {k: v for k, v in codebook_dict.items() if k != "sacrifices"}
    cb["items"] = {**cb["items"], "f2": {**cb["items"]["f2"], "reverse": reverse}}
    return frame.drop(columns=["m1", "r1"]), cb


def test_a_uniform_benefits_only_grid_is_reported_and_kept(small_frame, codebook_dict):
    frame, cb = _one_way(small_frame, codebook_dict)
    frame.loc[[3, 4], ["f1", "f2", "e1", "e2"]] = 7  # delighted customers: the top answer to every benefit item
    codebook = cb
    survey = audit_survey(frame, codebook, straightline_min_items=4)
    rows = survey.audit.rows.set_index("row")
    assert rows.loc[[4, 5], "uniform_answers"].all() and not rows["straightliner"].any()
    assert (rows.loc[[4, 5], "status"] == "kept").all()
    assert survey.audit.settings["straightline_rule"] == "uniform_answers"
    assert any("uniform_answers (2 row(s))" in note for note in survey.audit.notes)
    # the analyst may still exclude them
    strict = audit_survey(frame, codebook, straightline_min_items=4, exclude=[*DEFAULT_EXCLUDE, "uniform_answers"])
    assert (strict.audit.rows.set_index("row").loc[[4, 5], "reason"] == "uniform_answers").all()


def test_a_uniform_grid_with_a_reversed_item_is_a_straightliner(small_frame, codebook_dict):
    frame, cb = _one_way(small_frame, codebook_dict, reverse=True)
    frame.loc[[3, 4], ["f1", "f2", "e1", "e2"]] = 7  # agreeing with an item and with its opposite
    survey = audit_survey(frame, cb, straightline_min_items=4)
    rows = survey.audit.rows.set_index("row")
    assert rows.loc[[4, 5], "straightliner"].all() and not rows["uniform_answers"].any()
    assert (rows.loc[[4, 5], "status"] == "excluded").all()
    assert "uniform_answers" not in DEFAULT_EXCLUDE and "straightliner" in DEFAULT_EXCLUDE


def test_the_cli_drops_uniform_answers_only_when_asked(small_frame, codebook_dict, tmp_path, capsys):
    import yaml

    frame, cb = _one_way(small_frame, codebook_dict)
    frame["e3"] = frame["e1"]  # a fifth benefit item: the straight-line check needs 5 answered
    cb["benefits"]["economic"] = ["e1", "e2", "e3"]
    frame.loc[[3, 4], ["f1", "f2", "e1", "e2", "e3"]] = 7
    data, codebook = tmp_path / "one_way.csv", tmp_path / "one_way.yaml"
    frame.to_csv(data, index=False)
    codebook.write_text(yaml.safe_dump(cb))
    base = ["audit", str(data), "--codebook", str(codebook), "--json"]
    assert main(base) == 0
    kept = json.loads(capsys.readouterr().out)
    assert main([*base, "--drop", "uniform_answers"]) == 0
    dropped = json.loads(capsys.readouterr().out)
    assert dropped["rows_excluded"] == kept["rows_excluded"] + 2, (kept, dropped)
    assert main([*base, "--drop", "uniform_answers", "--keep", "uniform_answers"]) == 2
    assert "--keep and --drop both name ['uniform_answers']" in capsys.readouterr().err


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


def test_a_line_break_in_a_quoted_cell_of_a_large_file_is_followed_not_split(whole, whole_numbers, tmp_path,
                                                                               monkeypatch):
    """Several of Arrow's 1 MB blocks with a comment over two lines in every row: the parse
    split at line breaks fails (Arrow reports the split) and the file is parsed at once again
    following quotes; every row and comment as the whole-file read gives them."""
    import pyarrow.csv as pacsv

    path, items = whole_numbers
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.concat([frame] * 8, ignore_index=True)
    frame["comment"] = "first line, then\nthe second"
    big = tmp_path / "comments.csv"
    frame.to_csv(big, index=False)
    assert big.stat().st_size > 2 * 2 ** 20
    tried = []
    read_csv = pacsv.read_csv
    monkeypatch.setattr(pacsv, "read_csv", lambda *a, **k: tried.append(k["parse_options"].newlines_in_values)
                        or read_csv(*a, **k))
    stream = vio.stream_csv(big, text_columns=["respondent_id"], integer_columns=items)
    assert stream.row_bound() == len(frame) and tried == [False, True]
    survey = load_survey(big, codebook=DEMO_CODEBOOK)
    assert (survey.data["comment"] == "first line, then\nthe second").all()
    _same(survey, whole(big))


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


def _with_row(tmp_path, name, edit, source=DEMO_DATA):
    """The export with a cell of its last rows changed (past the first block)."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    edit(frame)
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_a_files_value_labels_unlike_the_codebooks_are_noted(tmp_path, small_frame, codebook_dict):
    """An SPSS export labelling its codes the other way round from the codebook's ``values:``
    gets a note naming the column and the first code; agreeing labels (any case, any of the
    codebook's languages) get none."""
    import pyreadstat

    frame = small_frame.astype({c: float for c in small_frame.columns if c != "channel"})
    labels = {"f1": {1.0: "Strongly agree", 7.0: "Strongly disagree"}, "f2": {1.0: "nada", 7.0: "TOTALMENTE"}}
    path = tmp_path / "waves.sav"
    pyreadstat.write_sav(frame, path, variable_value_labels=labels)
    codebook_dict.setdefault("items", {})
    for col in ("f1", "f2"):
        codebook_dict["items"].setdefault(col, {})["values"] = {1: {"en": "Strongly disagree", "es": "Nada"},
                                                               7: {"en": "Strongly agree", "es": "Totalmente"}}
    notes = load_survey(path, codebook_dict).audit.summary()["notes"]
    said = [n for n in notes if "otherwise than the codebook" in n]
    assert said == ["column 'f1': the file labels 2 code(s) otherwise than the codebook's values (code 1: the file "
                    "says 'Strongly agree', the codebook 'Strongly disagree'); check the coding (a reversed scale?) "
                    "before reading its results"]


def _dirty_whole_numbers(codebook: dict, n: int = 600, seed: int = 7) -> pd.DataFrame:
    """Answers of ``codebook``'s items as whole numbers or blanks: codes, answers off the
    scale, straight-liners, rows with no answer."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"rid": np.arange(1, n + 1)}) if codebook.get("id") else pd.DataFrame(index=range(n))
    items = ["f1", "f2", "e1", "e2", "m1", "r1", "c_f1", "nps"]
    for col in items:
        values = rng.integers(1, 8, n).astype(object) if col != "nps" else rng.integers(0, 11, n).astype(object)
        dirt = rng.random(n)
        values[dirt < 0.05] = ""
        values[(dirt >= 0.05) & (dirt < 0.08)] = 9 if col != "nps" else 99
        odd = (dirt >= 0.08) & (dirt < 0.1)
        values[odd] = rng.choice([0, 8, 11, -5, 300, -32768, 32767], odd.sum())
        frame[col] = values
    for i, col in enumerate(items):  # each item with each of them
        frame.loc[30 + 4 * i:33 + 4 * i, col] = [-5, 300, -32768, 32767]
    frame.loc[10:14, items] = ""                       # nothing answered
    frame.loc[20:24, ["f1", "f2", "e1", "e2", "m1", "r1"]] = 4  # straight-liners, the last three with
    frame.loc[22:24, "e2"] = [9, 300, 0]                            # an answer missing or off the scale
    if "completion_time" in codebook:
        frame["dur"] = rng.integers(30, 900, n)
        frame["w"] = rng.uniform(0.5, 1.5, n).round(3)
        frame["channel"] = rng.choice(["store", "online"], n)
    return frame


@pytest.mark.parametrize("case", ["small", "value_item_at_the_16_bit_end", "unusual_missing_codes", "items_only"])
def test_items_recoded_from_arrows_arrays_are_recoded_as_from_pandas(tmp_path, monkeypatch, codebook_dict, case):
    """A large file whose items are all blank or whole numbers is recoded straight from
    Arrow's 16-bit arrays (``_Int16Pass``); the survey is the one read whole through pandas,
    cell for cell, flag for flag, whatever the scale and the codes."""
    import yaml

    import valuekit.survey.audit as va

    cb = codebook_dict
    if case == "value_item_at_the_16_bit_end":  # no room for "no answer" beside its answers: read through pandas
        cb["items"]["f1"] = {"scale": {"min": -32768, "max": 7}}
    elif case == "unusual_missing_codes":  # -5 is a code, 9 is not, and no 16-bit integer is 9.5 or 70000
        cb["items"]["e1"] = {"missing_codes": [-5, 9.5, 70000]}
        cb["items"]["nps"] = {"scale": {"min": 0, "max": 10}, "missing_codes": [-1, 99]}
    elif case == "items_only":
        for key in ("id", "weight", "completion_time", "context"):
            cb.pop(key)
    frame = _dirty_whole_numbers(cb)
    path, cb_path = tmp_path / "answers.csv", tmp_path / "codebook.yaml"
    frame.to_csv(path, index=False)
    cb_path.write_text(yaml.safe_dump(cb))
    direct = []
    run = va._Int16Pass.run
    monkeypatch.setattr(va._Int16Pass, "run",
                        lambda self, columns, *a: direct.extend(columns) or run(self, columns, *a))
    monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 0)
    streamed = load_survey(path, codebook=cb_path)
    assert len(direct) == (7 if case == "value_item_at_the_16_bit_end" else 8)
    monkeypatch.setattr(vio, "STREAM_MIN_BYTES", 2 ** 62)
    whole = load_survey(path, codebook=cb_path)
    _same(streamed, whole)
    cells = streamed.audit.cells
    assert set(cells["problem"]) == {"missing_code", "out_of_range"}
    assert {"-32768", "32767", "300"} <= set(cells["value"])
    rows = streamed.audit.rows.set_index("row")
    assert rows["no_answers"].sum() == 5 and rows.loc[21:25, "straightliner"].all()
    if case == "unusual_missing_codes":
        e1 = cells[cells["column"] == "e1"].groupby("value")["problem"].first()
        assert e1["-5"] == "missing_code" and e1["9"] == "out_of_range"


@pytest.mark.parametrize("ids", [["1", "2", None], ["01", "2"], ["0", "12"], ["1" * 18], ["1" * 19], ["1 2"],
                                 ["\u0661\u0662"], [None, None], ["-1"], ["+1"], ["1.0"], ["", "3"], ["\uff11"]])
@pytest.mark.parametrize("storage", ["pyarrow", "python"])
def test_plain_integer_ids_are_told_by_arrows_kernels_as_by_the_pattern(ids, storage):
    """Ids become integers only when every present one is 0 or has no leading zero and at
    most 18 digits: Arrow's kernels decide as the regular expression does."""
    from valuekit.survey.audit import _plain_integers

    text = pd.Series(ids, dtype=pd.StringDtype(storage))
    text = text.where(text != "")
    present = text.dropna()
    expected = bool(len(present)) and bool(present.str.fullmatch(r"0|[1-9][0-9]{0,17}").all())
    assert _plain_integers(text) is expected
