"""One error model: every input problem is a ValuekitError, one line from the CLI (exit 2),
checked before any work; a failing report notebook is named; anything else is a bug (exit 1)."""

import inspect
import os

import pytest

import valuekit
from valuekit import DEMO_CODEBOOK, DEMO_DATA, errors
from valuekit.cli import main
from valuekit.errors import FileError, NotebookError, ParameterError, ValuekitError
from valuekit.report import run_report


def test_every_error_is_a_valuekit_error_and_a_value_error():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    assert len(classes) >= 9
    for cls in classes:
        assert issubclass(cls, ValuekitError) and issubclass(cls, ValueError)
    # the modules raise the same classes the package exports
    assert valuekit.CodebookError is errors.CodebookError
    assert valuekit.SurveyFileError is errors.SurveyFileError
    assert valuekit.ScenarioError is errors.ScenarioError
    assert issubclass(valuekit.LeverError, valuekit.ScenarioError)


def _one_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"valuekit {command}: "), err
    return lines[0]


@pytest.mark.adversarial("error")
def test_an_input_error_is_one_line_with_exit_2(capsys, tmp_path):
    assert main(["audit", str(tmp_path / "nope.csv"), "--codebook", str(DEMO_CODEBOOK)]) == 2
    line = _one_line(capsys, "audit")
    assert "nope.csv" in line and "not found" in line and "Traceback" not in line


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(capsys, tmp_path, where):
    args = ["audit", str(tmp_path / "nope.csv"), "--codebook", str(DEMO_CODEBOOK)]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("valuekit audit: ")


@pytest.mark.adversarial("error")
def test_a_wrong_flag_is_one_line_with_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", "x", "--segments", "two"])
    assert exit_.value.code == 2
    line = _one_line(capsys, "report")
    assert "--segments" in line and "'two'" in line


def test_a_bug_is_called_a_bug_with_exit_1(capsys, monkeypatch):
    from valuekit import cli

    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "_audit", broken)
    assert main(["audit", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK)]) == 1
    line = _one_line(capsys, "audit")
    assert "internal error" in line and "ZeroDivisionError" in line and "--debug" in line


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("segments", ["0", "1", "1000"])
def test_report_checks_segments_before_any_notebook_runs(capsys, tmp_path, segments):
    out = tmp_path / "out"
    assert main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(out),
                 "--segments", segments]) == 2
    assert "--segments" in _one_line(capsys, "report")
    assert not out.exists()  # nothing ran, nothing written


@pytest.mark.adversarial("error")
def test_report_segments_message_names_the_parameter(capsys, tmp_path):
    assert main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(tmp_path / "o"),
                 "--segments", "0"]) == 2
    line = _one_line(capsys, "report")
    assert "--segments" in line and "from 2 to 20" in line and "got 0" in line


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("params, name", [
    ({"n_boot": -1}, "n_boot"),
    ({"lang": "fr"}, "lang"),
    ({"outcome": "loyalty"}, "outcome"),
    ({"exclude": ["speeders"]}, "speeders"),
    ({"read_options": {"sheets": 1}}, "read_options"),
    ({"colour": "red"}, "colour"),
    ({"method": "shapley"}, "method"),
])
def test_report_parameters_are_checked_up_front(tmp_path, params, name):
    out = tmp_path / "out"
    with pytest.raises(ValuekitError, match=name):
        run_report(DEMO_DATA, DEMO_CODEBOOK, out, parameters=params)
    assert not out.exists()


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("bad", [None, 3, ""])
def test_report_paths_must_be_paths(tmp_path, bad):
    with pytest.raises(ParameterError, match="data: expected a file path"):
        run_report(bad, DEMO_CODEBOOK, tmp_path / "out")


@pytest.mark.adversarial("error")
def test_report_out_that_is_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(FileError, match="is a file; expected the report folder"):
        run_report(DEMO_DATA, DEMO_CODEBOOK, target)


@pytest.mark.adversarial("error")
def test_a_failing_notebook_is_named_with_its_cell_and_error(tmp_path, tiny_notebook):
    good = tiny_notebook(tmp_path / "01_fine.ipynb", "print('ok')")
    bad = tiny_notebook(tmp_path / "02_broken.ipynb",
                         "from valuekit.errors import SurveyError\nraise SurveyError('column q9: no answers')")
    out = tmp_path / "out"
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=[good, bad], progress=lambda page: None)
    assert [p.status for p in report.pages] == ["written", "failed"]  # a failed page, not an exception
    with pytest.raises(NotebookError) as caught:
        report.raise_for_failures()
    message = str(caught.value)
    assert "02_broken.ipynb" in message and "SurveyError: column q9: no answers" in message
    assert caught.value.notebook == "02_broken.ipynb" and caught.value.cell is not None
    assert (out / "01_fine.html").exists() and (out / "02_broken.ipynb").exists()
    assert "could not finish on this survey" in (out / "02_broken.html").read_text()


@pytest.mark.adversarial("error")
def test_a_dead_kernel_is_named_not_a_traceback(tmp_path, tiny_notebook):
    dead = tiny_notebook(tmp_path / "03_dies.ipynb", "import os\nos._exit(1)")
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "out", notebooks=[dead], progress=None)
    with pytest.raises(NotebookError, match=r"notebook 03_dies.ipynb: the Python kernel running it died"):
        report.raise_for_failures()


@pytest.mark.adversarial("error")
def test_a_cell_over_the_timeout_is_named(tmp_path, tiny_notebook):
    slow = tiny_notebook(tmp_path / "04_slow.ipynb", "import time\ntime.sleep(6)")
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "out", notebooks=[slow], timeout=1, progress=None)
    with pytest.raises(NotebookError, match=r"notebook 04_slow.ipynb: a cell ran longer than the 1 s allowed"):
        report.raise_for_failures()


@pytest.mark.adversarial("error")
def test_the_cli_names_the_failing_notebook(tmp_path, capsys, monkeypatch, tiny_notebook):
    from valuekit import report

    bad = tiny_notebook(tmp_path / "05_broken.ipynb", "1 / 0")
    monkeypatch.setattr(report, "notebook_sequence", lambda: [bad])
    assert main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("valuekit report: notebook 05_broken.ipynb failed at cell")
    assert "ZeroDivisionError" in err[0]
    assert err[-1].startswith("valuekit report: 1 of 1 notebook(s) failed")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("target, expected", [
    ("missing/scores.csv", "folder '{tmp}/missing' does not exist"),
    (".", "is a folder"),
])
def test_score_output_is_checked_before_scoring(capsys, tmp_path, target, expected):
    out = tmp_path / target if target != "." else tmp_path
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 2
    line = _one_line(capsys, "score")
    assert "--output" in line and expected.format(tmp=tmp_path) in line
    assert "rows in" not in capsys.readouterr().out  # nothing was loaded or scored


@pytest.mark.adversarial("error")
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs a read-only folder (/proc)")
def test_score_output_in_an_unwritable_folder(capsys):
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", "/proc/scores.csv"]) == 2
    assert "cannot write the scores file '/proc/scores.csv'" in _one_line(capsys, "score")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("flags, name", [(["--port", "0"], "--port"), (["--port", "70000"], "--port"),
                                         (["--segments", "1"], "--segments"),
                                         (["--scenarios", __file__], "--scenarios")])
def test_dashboard_flags_are_checked_under_their_names(capsys, flags, name):
    assert main(["dashboard", *flags]) == 2
    assert name in _one_line(capsys, "dashboard")


@pytest.mark.adversarial("error")
def test_report_segments_above_the_respondents_kept(tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("".join(DEMO_DATA.read_text(encoding="utf-8").splitlines(keepends=True)[:11]), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"n_segments: 12 segments asked for, but the audit kept 10 respondents of small.csv; at most 10"):
        run_report(small, DEMO_CODEBOOK, tmp_path / "out", parameters={"n_segments": 12})


@pytest.mark.adversarial("error")
def test_score_never_overwrites_the_export_and_asks_before_overwriting(capsys, tmp_path):
    import shutil

    export = tmp_path / "survey.csv"
    shutil.copy(DEMO_DATA, export)
    before = export.read_bytes()
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(export), "--force"]) == 2
    assert "is DATA, an input of this run; valuekit never writes over an input" in _one_line(capsys, "score")
    assert export.read_bytes() == before
    out = tmp_path / "scores.csv"
    out.write_text("keep me")
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 2
    assert "exists; pass --force" in _one_line(capsys, "score") and out.read_text() == "keep me"
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(out), "--force"]) == 0
    assert out.read_text().startswith("row,respondent_id,weight,overall_value")
    capsys.readouterr()
    assert main(["score", str(export), "--codebook", str(DEMO_CODEBOOK), "-o", str(tmp_path / "s.xlsx")]) == 2
    assert "ending in .csv" in _one_line(capsys, "score")
