"""`valuekit report` runs the notebook sequence on any survey, not only the demo."""

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from valuekit import DATA_DIR, CodebookError, read_survey_file
from valuekit.cli import main
from valuekit.errors import ParameterError
from valuekit.report import notebook_sequence, run_report

CLINIC = DATA_DIR / "clinic_survey.csv"
CLINIC_CODEBOOK = DATA_DIR / "clinic_codebook.yaml"


def _outputs(nb, kind="stream"):
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o["output_type"] == kind)


def test_notebooks_are_numbered_in_order():
    names = [p.name for p in notebook_sequence()]
    assert names == sorted(names) and names[:2] == ["00_overview.ipynb", "01_load_and_audit.ipynb"]


def test_clinic_csv_audits_as_planted(capsys):
    """Semicolons, decimal commas, Latin-1, a 0-10 scale: the second survey reads cleanly."""
    assert main(["audit", str(CLINIC), "--codebook", str(CLINIC_CODEBOOK), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["encoding"] == "cp1252" and summary["rows_in"] == 301
    assert summary["excluded"]["duplicate_id"] == 1 and summary["rows_kept"] == 300
    assert summary["cells"] == {"missing_code": 97, "user_missing": 0, "out_of_range": 1, "non_numeric": 0,
                                "formula_without_value": 0, "excel_error": 0}


@pytest.fixture(scope="module")
def clinic_xlsx(tmp_path_factory):
    """The clinic survey as an analyst might get it: an Excel workbook, data on sheet 2."""
    frame, _ = read_survey_file(CLINIC)
    path = tmp_path_factory.mktemp("xlsx") / "clinica.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"nota": ["Encuesta de pacientes 2026"]}).to_excel(writer, sheet_name="Portada", index=False)
        frame.to_excel(writer, sheet_name="Respuestas", index=False)
    return path


def test_wrong_sheet_says_which_sheets_exist(clinic_xlsx):
    from valuekit import load_survey

    with pytest.raises(CodebookError, match=r"not found in clinica.xlsx \(sheet 'Portada'; other sheets: "
                                            r"\['Respuestas'\] \(choose with sheet=\)\)"):
        load_survey(clinic_xlsx, codebook=CLINIC_CODEBOOK)


@pytest.mark.slow
def test_report_on_a_second_survey(tmp_path, capsys, clinic_xlsx):
    out = tmp_path / "clinic"
    assert main(["report", str(clinic_xlsx), "--codebook", str(CLINIC_CODEBOOK), "--sheet", "Respuestas",
                 "--out", str(out)]) == 0
    htmls = sorted(h for h in out.glob("*.html") if h.name != "index.html")
    assert [h.stem for h in htmls] == [p.stem for p in notebook_sequence()]
    index = (out / "index.html").read_text()
    assert all(f"href='{h.name}'" in index for h in htmls)
    executed = nbformat.read(out / "01_load_and_audit.ipynb", as_version=4)
    params = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "clinica.xlsx" in params.source and 'read_options = {"sheet": "Respuestas"}' in params.source
    text = _outputs(executed)
    assert "clinica.xlsx: 301 rows = 300 kept + 1 excluded" in text
    assert "note: speeder check skipped: the codebook names no completion_time column" in text
    assert "no competitor ratings" in text
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    drivers = _outputs(nbformat.read(out / "05_drivers_and_comparisons.ipynb", as_version=4))
    assert "no competitor ratings in the codebook (no 'comparisons' section): the value map is skipped" in drivers
    assert "outcome: Satisfaction" in drivers  # no overall_value here: the first outcome is used
    playbook = _outputs(nbformat.read(out / "06_value_playbook.ipynb", as_version=4))
    assert "the partner rule, which compares us with the competitor, cannot fire" in playbook
    assert "VALUE MANAGEMENT SUMMARY" in playbook
    prices = _outputs(nbformat.read(out / "11_price_and_attributes.ipynb", as_version=4))
    assert any(f"Kano: {words}" in prices for words in ("not measured in this survey", "no se midió en esta encuesta"))
    assert "Wrote" in capsys.readouterr().out


def test_report_checks_inputs_before_running(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nscale: {min: 1, max: 7}\nbenefits: {functional: [a]}\nsacrifices: {money: [b]}\n")
    with pytest.raises(CodebookError, match=r"column\(s\) \['x', 'a', 'b'\] named in the codebook not found in clinic_survey.csv"):
        run_report(CLINIC, bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_dashboard_needs_data_and_codebook_together(capsys):
    assert main(["dashboard", str(CLINIC)]) == 2
    assert "give both DATA and --codebook, or neither" in capsys.readouterr().err


def test_dashboard_serves_on_loopback_with_a_preheated_kernel(monkeypatch):
    """The default keeps one kernel that has run the page waiting; --no-preheat turns it off."""
    from valuekit import report

    command = report.dashboard_command("page.ipynb", 8866)
    assert "--Voila.ip=127.0.0.1" in command and "--preheat_kernel=True" in command
    assert "--pool_size=1" in command and "--MappingKernelManager.cull_connected=False" in command
    cold = report.dashboard_command("page.ipynb", 8866, preheat=False)
    assert not any("preheat" in c or "pool_size" in c for c in cold)
    seen = {}
    monkeypatch.setattr(report, "serve_dashboard", lambda *a, **k: seen.update(k) or 0)
    assert main(["dashboard", "--no-preheat", "--port", "9999"]) == 0
    assert seen["preheat"] is False and seen["port"] == 9999
    assert main(["dashboard"]) == 0 and seen["preheat"] is True


@pytest.mark.slow
def test_report_with_several_waves_runs_the_tracking_notebook(tmp_path, capsys):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_WAVE3

    tracking = [p for p in notebook_sequence() if p.name == "08_tracking.ipynb"]
    assert tracking, "valuekit/notebooks/08_tracking.ipynb is missing"
    html = run_report([DEMO_DATA, DEMO_WAVE3], DEMO_CODEBOOK, tmp_path / "api", notebooks=tracking,
                      wave_column="wave")
    executed = nbformat.read(tmp_path / "api" / "08_tracking.ipynb", as_version=4)
    params = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "demo_wave3.csv" in params.source and "wave_column = \"wave\"" in params.source
    text = _outputs(executed, "display_data") + "".join(
        o.get("data", {}).get("text/markdown", "") for c in executed.cells for o in c.get("outputs", []))
    assert "5 change(s) pass the evidence bar, nothing else: 250 comparisons" in text
    assert list(html) == [tmp_path / "api" / "08_tracking.html"]
    assert [p.status for p in html.pages] == ["written"] and html.ok


def test_one_survey_skips_the_tracking_notebook_saying_why(tmp_path):
    tracking = [p for p in notebook_sequence() if p.name == "08_tracking.ipynb"]
    html = run_report(CLINIC, CLINIC_CODEBOOK, tmp_path, notebooks=tracking)  # no wave column
    assert "compares survey waves; the report was given one survey without a wave column" in html[0].read_text()
    assert not (tmp_path / "08_tracking.ipynb").exists()


@pytest.mark.slow
def test_one_survey_with_a_wave_column_is_tracked(tmp_path):
    """The demo has the column the tracking notebook's ``wave_column`` names ("wave"), with
    two waves: the report compares them without being told."""
    from valuekit import DEMO_CODEBOOK, DEMO_DATA

    tracking = [p for p in notebook_sequence() if p.name == "08_tracking.ipynb"]
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path, notebooks=tracking, parameters={"n_boot": 20})
    assert [p.status for p in report.pages] == ["written"]
    executed = nbformat.read(tmp_path / "08_tracking.ipynb", as_version=4)
    params = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'wave_column = "wave"' in params.source and "demo_survey.csv" in params.source


def test_report_checks_the_waves_before_running(tmp_path, capsys):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_WAVE3, SurveyError

    with pytest.raises(SurveyError, match="wave column 'round' not found"):
        run_report([DEMO_DATA, DEMO_DATA], DEMO_CODEBOOK, tmp_path / "out", wave_column="round")
    assert not (tmp_path / "out").exists()
    # the command line: several exports after the report command, one line and exit 2 on a wrong wave
    assert main(["report", str(DEMO_DATA), str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK),
                 "--wave-column", "wave", "--out", str(tmp_path / "cli")]) == 2
    assert "valuekit report: wave '1' appears in both demo_survey.csv and demo_survey.csv" in capsys.readouterr().err
    assert main(["report", str(DEMO_WAVE3), "--codebook", str(DEMO_CODEBOOK), "--wave-column", "wave",
                 "--out", str(tmp_path / "cli")]) == 2
    assert "demo_wave3.csv holds one wave only" in capsys.readouterr().err
    assert not (tmp_path / "cli").exists()


# -- a notebook that fails does not stop the report ------------------------------------------


@pytest.fixture
def tiny_sequence(tmp_path, tiny_notebook):
    """Three notebooks: one that runs, one that raises a SurveyError whose message carries
    markup (labels come from other people's exports), one that runs after it."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return [tiny_notebook(folder / "01_fine.ipynb", "print('fine')"),
            tiny_notebook(folder / "02_broken.ipynb", "from valuekit.errors import SurveyError\n"
                                                       "raise SurveyError('block <b>Trust & co</b>: no answers')"),
            tiny_notebook(folder / "03_after.ipynb", "print('after')")]


def test_a_failing_notebook_gets_a_page_and_the_others_run(tmp_path, tiny_sequence):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA
    from valuekit.errors import NotebookError

    out, lines = tmp_path / "out", []
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=tiny_sequence, progress=lines.append)
    assert [p.status for p in report.pages] == ["written", "failed", "written"] and not report.ok
    failed = report.page("02_broken")
    assert failed.reason == "cell 4 raised SurveyError: block <b>Trust & co</b>: no answers"
    assert failed.executed == out / "02_broken.ipynb" and failed.executed.exists()  # kept for the analyst
    page = (out / "02_broken.html").read_text()
    assert "could not finish on this survey: cell 4 raised SurveyError: block &lt;b&gt;Trust &amp; co&lt;/b&gt;" in page
    assert "<b>Trust" not in page and "href='02_broken.ipynb'" in page
    assert _outputs(nbformat.read(out / "03_after.ipynb", as_version=4)) == "after\n"  # the notebook after it ran
    assert (out / "03_after.html").exists()
    # one progress line per notebook, with its status and elapsed time
    assert [p.notebook for p in lines] == ["01_fine", "02_broken", "03_after"]
    assert re.fullmatch(r"\[2/3\] 02_broken +failed +\d+\.\d s  cell 4 raised SurveyError: .*", str(lines[1]))
    assert all(p.seconds > 0 for p in lines)
    # the index links every page, with its status
    index = (out / "index.html").read_text()
    rows = re.findall(r"<tr><td><a href='([^']+)'>[^<]+</a></td><td class='([a-z-]+)'>", index)
    assert rows == [("01_fine.html", "written"), ("02_broken.html", "failed"), ("03_after.html", "written")]
    assert "3 page(s): 2 written, 1 failed" in index and "<b>Trust" not in index
    with pytest.raises(NotebookError, match=r"notebook 02_broken.ipynb failed at cell 4: SurveyError: block"):
        report.raise_for_failures()


@pytest.mark.slow
def test_the_cli_exits_1_with_the_index_when_a_notebook_fails(tmp_path, tiny_sequence, capsys, monkeypatch):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA
    from valuekit import report as report_module

    monkeypatch.setattr(report_module, "notebook_sequence", lambda: tiny_sequence)
    args = ["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK)]
    assert main([*args, "--out", str(tmp_path / "a")]) == 1
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert [line.split()[1] for line in out if line.startswith("[")] == ["01_fine", "02_broken", "03_after"]
    assert "  written  01_fine, 03_after" in out
    assert any(line.startswith("  FAILED   02_broken: cell 4 raised SurveyError") for line in out)
    assert f"index: {tmp_path / 'a' / 'index.html'} (3 page(s): 2 written, 1 failed" in captured.out
    err = captured.err.strip().splitlines()
    assert err[0].startswith("valuekit report: notebook 02_broken.ipynb failed at cell 4: SurveyError")
    assert err[-1].startswith("valuekit report: 1 of 3 notebook(s) failed; the other pages and the index")
    # skipping the failing notebook: every page written or skipped for a stated reason, exit 0
    assert main([*args, "--out", str(tmp_path / "b"), "--skip", "02"]) == 0
    captured = capsys.readouterr()
    assert "  skipped  02_broken: Not run: the report was asked to skip this notebook" in captured.out
    assert captured.err == "" and not (tmp_path / "b" / "02_broken.ipynb").exists()
    assert "asked to skip this notebook" in (tmp_path / "b" / "02_broken.html").read_text()


@pytest.mark.parametrize("skip", [["10_nowhere"], ["02_broken", "7"], ["broken"]])
def test_skip_names_a_notebook_of_the_sequence(tmp_path, tiny_sequence, capsys, monkeypatch, skip):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, ParameterError
    from valuekit import report as report_module

    wrong = next(s for s in skip if s != "02_broken")
    with pytest.raises(ParameterError, match=rf"skip: no notebook '{wrong}' in the report's sequence; the "
                                             r"notebooks are \['01_fine', '02_broken', '03_after'\]"):
        run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "api", notebooks=tiny_sequence, skip=skip)
    monkeypatch.setattr(report_module, "notebook_sequence", lambda: tiny_sequence)
    assert main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(tmp_path / "cli"),
                 *[a for s in skip for a in ("--skip", s)]]) == 2
    assert f"valuekit report: --skip: no notebook '{wrong}'" in capsys.readouterr().err
    assert not (tmp_path / "api").exists() and not (tmp_path / "cli").exists()  # checked before anything ran


def test_skip_takes_names_file_names_and_numbers(tiny_sequence):
    from valuekit.report import resolve_skip

    assert resolve_skip(["01", "02_broken.ipynb", "03_after"], tiny_sequence) == {"01_fine", "02_broken", "03_after"}
    assert resolve_skip(None, tiny_sequence) == set() and resolve_skip("02", tiny_sequence) == {"02_broken"}
    assert resolve_skip([3, "2"], tiny_sequence) == {"02_broken", "03_after"}


def test_an_interrupted_report_still_writes_its_index(tmp_path, tiny_sequence):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA

    def interrupt(page):
        if page.notebook == "01_fine":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path, notebooks=tiny_sequence, progress=interrupt)
    index = (tmp_path / "index.html").read_text()
    assert "<td class='written'>written</td>" in index and index.count("<td class='not-run'>not run</td>") == 2
    assert not (tmp_path / "02_broken.html").exists()


def test_a_skipped_page_is_escaped_and_drops_an_earlier_run(tmp_path):
    from valuekit.report import _skipped_page

    page = _skipped_page("<script>x</script>", "codebook 'a<b>.yaml' & more")
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "codebook &#x27;a&lt;b&gt;.yaml&#x27; &amp; more." in page
    tracking = [p for p in notebook_sequence() if p.name == "08_tracking.ipynb"]
    (tmp_path / "08_tracking.ipynb").write_text("{}")  # an earlier run's executed notebook
    report = run_report(CLINIC, CLINIC_CODEBOOK, tmp_path, notebooks=tracking, progress=None)  # no waves
    assert [p.status for p in report.pages] == ["skipped"] and report.ok
    assert not (tmp_path / "08_tracking.ipynb").exists()


def test_a_notebook_papermill_cannot_read_is_refused_before_anything_runs(tmp_path):
    """A notebook naming no kernel stops papermill: refused, named, before any notebook runs."""
    from valuekit.errors import ParameterError

    bare = nbformat.v4.new_notebook(cells=[  # a parameters cell but no kernelspec: papermill cannot read it
        nbformat.v4.new_code_cell("data_path = None", metadata={"tags": ["parameters"]})])
    path = tmp_path / "01_bare.ipynb"
    nbformat.write(bare, path)
    with pytest.raises(ParameterError, match=r"notebooks: papermill cannot read 01_bare.ipynb: ValueError: No kernel"):
        run_report(CLINIC, CLINIC_CODEBOOK, tmp_path / "out", notebooks=[path], progress=None)
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_report_is_a_sequence_of_its_pages(tmp_path):
    report = run_report(CLINIC, CLINIC_CODEBOOK, tmp_path / "out", notebooks=notebook_sequence()[8:9], progress=None)
    assert list(report) == [p.html for p in report.pages] == report[:1] and report[0] == report.pages[0].html


@pytest.mark.slow
def test_pages_are_the_reader_edition_and_with_code_adds_the_analysts(tmp_path, tiny_sequence):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA

    fine, after = tiny_sequence[0], tiny_sequence[2]
    out = tmp_path / "out"
    run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=[fine, after], progress=None)
    page = (out / "01_fine.html").read_text()
    assert "fine" in page and "print(" not in page and "data_path" not in page and str(DEMO_DATA) not in page
    assert "href=\"03_after.html\"" in page and not list(out.glob("*.code.html"))
    index = (out / "index.html").read_text()
    assert "Casa Aurora customer value survey" in index and "1,962 respondents analysed of 2,008" in index
    assert "with code" not in index

    run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=[fine, after], progress=None, with_code=True)
    code = (out / "01_fine.code.html").read_text()
    assert "print" in code and str(DEMO_DATA) in code  # the analyst's edition: the notebook as it ran
    assert "href='01_fine.code.html'>with code</a>" in (out / "index.html").read_text()
    with pytest.raises(ParameterError, match="with_code"):
        run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=[fine], progress=None, with_code="yes")


def test_the_command_writes_the_analyst_edition_when_asked(tmp_path, tiny_sequence, monkeypatch):
    from valuekit import report as report_module

    monkeypatch.setattr(report_module, "notebook_sequence", lambda: tiny_sequence[:1])
    assert main(["report", "--out", str(tmp_path / "o"), "--with-code"]) == 0
    assert (tmp_path / "o" / "01_fine.code.html").exists() and (tmp_path / "o" / "01_fine.html").exists()


@pytest.mark.slow
def test_the_report_prints_into_one_pdf(tmp_path, tiny_sequence, monkeypatch, chromium):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA
    from valuekit import report as report_module

    fine, after = tiny_sequence[0], tiny_sequence[2]
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "a", notebooks=[fine, after], progress=None)
    assert report.pdf == tmp_path / "a" / "report.pdf" and report.pdf.read_bytes()[:5] == b"%PDF-"
    assert re.search(rb"/Type\s*/Page[^s]", report.pdf.read_bytes())  # at least one page
    assert "href='report.pdf'" in report.index.read_text() and not list((tmp_path / "a").glob(".report-print*"))

    assert run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "b", notebooks=[fine], progress=None, pdf=False).pdf is None
    assert not (tmp_path / "b" / "report.pdf").exists()

    monkeypatch.setattr(report_module, "browser_path", lambda: None)
    quiet = run_report(DEMO_DATA, DEMO_CODEBOOK, tmp_path / "c", notebooks=[fine], progress=None)
    assert quiet.pdf is None and "no Chromium on this machine" in quiet.pdf_note
    assert "no PDF: no Chromium on this machine" in quiet.index.read_text()


@pytest.mark.slow
def test_the_index_opens_with_each_pages_headline_findings(tmp_path):
    import nbformat

    from valuekit import DEMO_CODEBOOK, DEMO_DATA
    from valuekit.report import headlines

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · Found"),
                nbformat.v4.new_code_cell("data_path = None\ncodebook_path = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(
                    "from valuekit.present.findings import Findings\nfrom valuekit.survey.labels import md_text\n"
                    "Findings(('first, adjusted p < 0.001', 'second ' + md_text('<img src=x> *a*'), 'third'))",
                    metadata={"tags": ["findings"]})]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_found.ipynb")
    out = tmp_path / "out"
    report = run_report(DEMO_DATA, DEMO_CODEBOOK, out, notebooks=[folder / "01_found.ipynb"], progress=None, pdf=False)
    assert headlines(out / "01_found.ipynb") == ["First, adjusted p < 0.001", "Second &lt;img src=x&gt; \\*a\\*"]
    index = report.index.read_text()
    assert "<h2>Headline findings</h2><h3><a href='01_found.html'>" in index
    assert "<li>First, adjusted p &lt; 0.001</li>" in index and "<li>Second &lt;img src=x&gt; *a*</li>" in index
    assert "Third" not in index and "<img" not in index  # two sentences a page; file text stays text


def test_the_report_command_writes_the_findings_in_the_language_asked(tmp_path, tiny_notebook, monkeypatch, capsys):
    import nbformat

    from valuekit import DEMO_CODEBOOK, DEMO_DATA
    from valuekit import report as report_module

    folder = tmp_path / "notebooks"
    folder.mkdir()
    said = tiny_notebook(folder / "01_lang.ipynb", "lang = globals().get('lang', 'en')\nprint('language:', lang)")
    monkeypatch.setattr(report_module, "notebook_sequence", lambda: [said])
    # the tiny notebook's parameters cell does not declare lang: the notebook that does gets it
    nb = nbformat.read(said, as_version=4)
    nb.cells[0].source += "\nlang = 'en'"
    nbformat.write(nb, said)
    assert main(["report", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(tmp_path / "o"),
                 "--no-pdf", "--lang", "es"]) == 0
    assert "language: es" in (tmp_path / "o" / "01_lang.html").read_text()
    with pytest.raises(SystemExit):
        main(["report", "--out", str(tmp_path / "p"), "--lang", "fr"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_the_dashboard_prepares_the_survey_before_it_says_it_is_serving(tmp_path, monkeypatch, capsys):
    import socket

    import nbformat

    from valuekit import report
    from valuekit.decide.engine_cache import load_engine_state

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    served = {}

    def voila(command, cwd):
        served["command"] = command
        page = nbformat.read(Path(cwd) / "dashboard.ipynb", as_version=4)
        served["injected"] = next(c.source for c in page.cells if "injected-parameters" in c.metadata.get("tags", []))
        served["words"] = page.metadata["valuekit"]
        return 0

    monkeypatch.setattr(report, "_run_voila", voila)
    cache = tmp_path / "cache"
    assert report.serve_dashboard(port=port, save_dir=tmp_path / "s", cache_dir=cache, timeout=300) == 0
    out = capsys.readouterr().out
    assert out.index("preparing the survey for the dashboard") < out.index("serving the what-if dashboard")
    assert f"engine state computed; kept in {cache}" in out
    (state,) = [p for p in cache.iterdir() if p.is_dir()]
    assert load_engine_state(cache, state.name) is not None
    assert f"cache_dir = \"{cache}\"" in served["injected"] or f"cache_dir = '{cache}'" in served["injected"]
    assert "--VoilaExecutor.timeout=300" in served["command"] and "--template=valuekit" in served["command"]
    # the page's template says these words while the page is built, or when it could not be in time
    assert served["words"]["loading_title"] == "Preparing the survey…"
    assert served["words"]["timeout_title"] == "The dashboard could not be prepared within 300 seconds."
    # the next start finds it; --no-cache keeps nothing and passes none
    assert report.serve_dashboard(port=port, save_dir=tmp_path / "s", cache_dir=cache) == 0
    assert f"engine state read from {cache}" in capsys.readouterr().out
    assert report.serve_dashboard(port=port, save_dir=tmp_path / "s", cache=False) == 0
    assert "preparing" not in capsys.readouterr().out and "cache_dir" not in served["injected"]
    seen = {}
    monkeypatch.setattr(report, "serve_dashboard", lambda *a, **k: seen.update(k) or 0)
    assert main(["dashboard", "--cache", str(cache), "--timeout", "240"]) == 0
    assert seen["cache_dir"] == str(cache) and seen["timeout"] == 240 and seen["cache"] is True
    assert main(["dashboard", "--no-cache"]) == 0 and seen["cache"] is False
