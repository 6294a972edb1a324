"""`valuekit report` runs the notebook sequence on any survey, not only the demo."""

import nbformat
import pytest

from valuekit import CodebookError, DATA_DIR
from valuekit.cli import main
from valuekit.report import notebook_sequence, run_report

CLINIC = DATA_DIR / "clinic_survey.csv"
CLINIC_CODEBOOK = DATA_DIR / "clinic_codebook.yaml"


def _outputs(nb, kind="stream"):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o["output_type"] == kind)


def test_notebooks_are_numbered_in_order():
    names = [p.name for p in notebook_sequence()]
    assert names == sorted(names) and names[0] == "01_load_and_audit.ipynb"


def test_report_on_a_second_survey(tmp_path, capsys):
    out = tmp_path / "clinic"
    assert main(["report", str(CLINIC), "--codebook", str(CLINIC_CODEBOOK), "--out", str(out)]) == 0
    htmls = sorted(out.glob("*.html"))
    assert [h.stem for h in htmls] == [p.stem for p in notebook_sequence()]
    executed = nbformat.read(out / "01_load_and_audit.ipynb", as_version=4)
    params = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "clinic_survey.csv" in params.source
    text = _outputs(executed)
    assert "clinic_survey.csv" in text
    assert "note: speeder check skipped: the codebook names no completion_time column" in text
    assert "no competitor ratings" in text
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert "Wrote" in capsys.readouterr().out


def test_report_checks_inputs_before_running(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nscale: {min: 1, max: 7}\nbenefits: {functional: [a]}\nsacrifices: {money: [b]}\n")
    with pytest.raises(CodebookError, match=r"column\(s\) \['x', 'a', 'b'\] named in the codebook not found in clinic_survey.csv"):
        run_report(CLINIC, bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
