"""The dashboard in a real browser: `valuekit dashboard` serves its page with Voilà, headless
Chromium moves levers, switches the language, saves and compares scenarios and downloads
the deck; a second survey (the clinic's) gets levers derived from its own codebook.

The page must show exactly the numbers the engine computes for each scenario. A second test serves a one-cell notebook with the comparison explorer, changes
the grouping and checks the page's table against :func:`compare_groups`. Chromium comes
from the system (Debian's ``chromium``) or Playwright's own download; without one the
test is skipped with instructions, unless
``VALUEKIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``), when a missing browser fails it.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
from valuekit.config import DATA_DIR, PROJ_ROOT
from valuekit.decide.scenario import Scenario, build_engine, format_comparison, format_tiles
from valuekit.present.widgets import format_comparisons
from valuekit.survey.labels import DEFAULT_LABELS, format_number

pytestmark = pytest.mark.slow  # see the marker in pyproject.toml: CI runs it (make test-slow)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = PROJ_ROOT / "reports" / "screenshots" / "what_if_dashboard.png"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serve(command: list[str], port: int, cwd: Path):
    """Start a server, wait until ``port`` accepts connections, yield its URL; always stop it.

    The server keeps the survey's engine state in a cache folder of its own (removed after),
    and prepares it before it listens."""
    cache = tempfile.mkdtemp(prefix="valuekit-cache-")
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, "VALUEKIT_CACHE": cache})
    try:
        deadline = time.time() + 300
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("the dashboard server did not start") from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()  # valuekit and Voila stop their kernels
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("scenarios")


@pytest.fixture(scope="module")
def voila_url(scenario_dir):
    """`valuekit dashboard` (what `make dashboard` runs) on a free loopback port."""
    port = _free_port()
    cli = Path(sys.executable).with_name("valuekit")
    with _serve([str(cli), "dashboard", "--port", str(port), "--scenarios", str(scenario_dir)], port,
                PROJ_ROOT) as url:
        yield url


@pytest.fixture(scope="module")
def demo_engine():
    # the page's defaults: the demo's lever file, n_segments=None (the silhouette's choice), random_state=2026
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    engine, _, _ = build_engine(survey, DATA_DIR / "demo_levers.yaml", n_segments=None, random_state=2026)
    return engine


def _tiles(engine, scenario, lang="en") -> list[str]:
    """The key numbers the page's tiles must show for ``scenario``: the engine's, formatted."""
    return [t["value"] for t in format_tiles(engine.apply(scenario), lang=lang)]


def _english_only_words() -> set[str]:
    """Words of the label file's English interface texts that none of its Spanish texts uses."""
    def words(lang):
        return {w.lower() for k, v in DEFAULT_LABELS.items() if k.startswith(("ui_", "vm_")) and lang in v
                for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[a-z_]+\}", " ", v[lang]))}

    return words("en") - words("es")


def _press(page, lever: str, key: str, times: int) -> None:
    handle = page.locator(f".vk-lever-{lever} .noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)


def test_the_page_shows_what_the_engine_computes(chromium, voila_url, demo_engine, scenario_dir):
    """Move levers, switch language, save two scenarios, compare them, download the deck."""
    from playwright.sync_api import expect, sync_playwright
    from pptx import Presentation

    engine = demo_engine
    cheaper = Scenario(name="cheaper", levers={"price": -10.0})
    both = Scenario(name="staff too", levers={"price": -10.0, "staff": 1.0})
    before, after = _tiles(engine, Scenario()), _tiles(engine, cheaper)
    assert before != after

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
            page.goto(voila_url, timeout=120_000)
            tiles = page.locator(".vk-tile-value")
            expect(tiles).to_have_text(before, timeout=120_000)
            expect(page.locator("img:visible")).to_have_count(1)  # the map; no empty comparison image (a broken icon)
            assert page.evaluate("[...document.images].filter(i => i.offsetParent && !i.naturalWidth).length") == 0
            _press(page, "price", "ArrowLeft", 10)  # step 1 %: ten presses = a 10 % price cut
            expect(tiles).to_have_text(after, timeout=30_000)
            expect(page.locator(".vk-lever-price .widget-readout")).to_have_text("\u221210")  # "−10"
            expect(page.locator(".vk-lever-unit").first).to_have_text("%")
            details = page.locator(".vk-tile-detail")
            expect(details).to_have_text([t["detail"] for t in format_tiles(engine.apply(cheaper))])
            assert "vk-good" in page.locator(".vk-tile-value").first.get_attribute("class")  # fewer destroyed: good
            page.locator(".vk-name input").fill("cheaper")
            page.locator(".vk-save").click()
            expect(page.locator(".vk-message")).to_have_text("saved cheaper.yaml", timeout=30_000)
            _press(page, "staff", "ArrowRight", 4)  # step 0.25: four presses = one point
            page.locator(".vk-name input").fill("staff too")
            expect(tiles).to_have_text(_tiles(engine, both), timeout=30_000)
            page.locator(".vk-save").click()
            expect(page.locator(".vk-message")).to_have_text("saved staff_too.yaml", timeout=30_000)
            assert Scenario.load(scenario_dir / "staff_too.yaml") == engine.stamp(both)  # with what it was built on

            page.locator(".vk-language select").select_option(label="Español")
            expect(tiles).to_have_text(_tiles(engine, both, "es"), timeout=30_000)
            expect(page.get_by_text("Precio", exact=True)).to_be_visible()
            expect(page.locator(".vk-title")).to_contain_text("1.962 clientes puntuados")  # the header too

            page.get_by_role("tab", name="Comparar escenarios").click()
            page.locator(".vk-saved select").select_option(label=["cheaper", "staff too"])  # the names inside the files
            page.locator(".vk-compare").click()
            table = format_comparison(engine, [cheaper, both], lang="es")
            cells = page.locator(".vk-comparison-table tbody td")  # a column per scenario
            expect(cells).to_have_text([v for row in table.T.to_numpy().tolist() for v in row], timeout=30_000)
            box = page.locator(".vk-comparison-table").bounding_box()
            assert box["y"] + 40 < page.viewport_size["height"]  # the comparison is in view when it appears
            english = _english_only_words()
            shown = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", page.inner_text("body"))}
            names = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", "cheaper staff too demo_levers.yaml Casa Aurora "
                                                                    "customer value survey")}  # data, not interface
            assert not (shown & english) - names, sorted((shown & english) - names)

            page.locator(".vk-deck").click()
            with page.expect_download(timeout=60_000) as download:
                page.locator(".vk-deck-link").click()
            deck = Presentation(download.value.path())
            with page.expect_download(timeout=60_000) as download:
                page.locator(".vk-png-link").last.click()
            png = Path(download.value.path()).read_bytes()
            png_name = download.value.suggested_filename
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "Escenario: staff too" and len(set(titles)) == len(titles)  # every slide says its own thing
    r = engine.apply(both)["summary"].loc["all"]
    (headline,) = [sh.text_frame.text for sh in deck.slides[1].shapes if sh.name == "Headline"]
    assert headline.splitlines()[1] == (f"{format_number(r['share_destroyed_before'], 'percent', 'es')} → "
                                        f"{format_number(r['share_destroyed_after'], 'percent', 'es')}")
    assert png_name == "staff_too_comparison.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert SCREENSHOT.stat().st_size > 10_000


def test_a_survey_of_another_kind_gets_its_own_levers(chromium, tmp_path):
    """The clinic survey has no lever file: one lever per dimension and sacrifice, from its codebook."""
    from playwright.sync_api import expect, sync_playwright

    from valuekit.survey.levers import default_levers

    data, codebook = DATA_DIR / "clinic_survey.csv", DATA_DIR / "clinic_codebook.yaml"
    engine, _, _ = build_engine(load_survey(data, codebook=codebook), None, n_segments=None, random_state=2026)
    assert [lv.name for lv in engine.levers] == [lv.name for lv in default_levers(codebook)]
    wait = Scenario(levers={"time": -25.0})
    port = _free_port()
    cli = Path(sys.executable).with_name("valuekit")
    command = [str(cli), "dashboard", str(data), "--codebook", str(codebook), "--port", str(port),
               "--scenarios", str(tmp_path), "--lang", "es"]
    with _serve(command, port, PROJ_ROOT) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(url, timeout=120_000)
            tiles = page.locator(".vk-tile-value")
            expect(tiles).to_have_text(_tiles(engine, Scenario(), "es"), timeout=120_000)
            expect(page.locator(".vk-name input")).to_have_value("mi escenario")  # the default name, in Spanish
            page.get_by_text("Desbloquear valor").click()  # the sacrifices' section of levers
            expect(page.get_by_text("Tiempo", exact=True)).to_be_visible()
            _press(page, "time", "ArrowLeft", 5)  # step 5 %
            expect(tiles).to_have_text(_tiles(engine, wait, "es"), timeout=30_000)
            expect(page.locator(".vk-lever-price")).to_have_count(0)  # no retailer levers here
        finally:
            browser.close()


# -- the comparison explorer ---------------------------------------------------------------

EXPLORER_SETUP = """\
import valuekit as vk
survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
segments = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
groupings = {"segment": segments, "world_view": "world_view", "channel": "channel"}
"""
EXPLORER_CELL = EXPLORER_SETUP + """\
from valuekit.present.widgets import ComparisonExplorer
ComparisonExplorer(scores, groupings, codebook=survey.codebook, data=survey.data,
                   weights=survey.weights).display()
"""


@pytest.fixture
def explorer_url(tmp_path):
    """Voilà, as `valuekit dashboard` runs it, on a one-cell notebook showing the explorer."""
    import nbformat

    from valuekit.report import _this_python_kernel

    notebook = tmp_path / "explorer.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EXPLORER_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    port = _free_port()
    voila = Path(sys.executable).with_name("voila")
    command = [str(voila), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", "--VoilaExecutor.timeout=120",
               "--MappingKernelManager.cull_idle_timeout=900", "--MappingKernelManager.cull_interval=60",
               str(notebook)]
    with _this_python_kernel(), _serve(command, port, tmp_path) as url:  # kernel: this interpreter
        yield url


def test_changing_the_grouping_shows_what_compare_groups_computes(chromium, explorer_url):
    from playwright.sync_api import expect, sync_playwright

    from valuekit.analyse.significance import compare_groups

    namespace = {}
    exec(EXPLORER_SETUP, namespace)  # the notebook's own survey, scores and segments
    table = compare_groups(namespace["scores"], namespace["groupings"], codebook=namespace["survey"].codebook,
                           data=namespace["survey"].data, weights=namespace["survey"].weights)

    def expected(grouping):  # the explorer's default measure: the value ratio
        rows = table[(table["grouping"] == grouping) & (table["measure"] == "value_ratio")]
        text = format_comparisons(rows)
        assert text["group"].tolist() == [str(g) for g in rows["group"]]
        assert [v.split(" [")[0] for v in text["value [95% CI]"]] == [
            f"{v:.2f}" if np.isfinite(v) else "–" for v in rows["group_value"]]
        return text.to_numpy().ravel().tolist()

    before, after = expected("segment"), expected("channel")
    assert table.loc[table["grouping"] == "channel", "group"].unique().tolist() == ["both", "online", "store"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(explorer_url, timeout=120_000)
            cells = page.locator(".vk-comparisons .vk-comparison-detail tbody td")
            expect(cells).to_have_text(before, timeout=120_000)
            page.locator(".vk-grouping select").select_option(label="channel")
            expect(cells).to_have_text(after, timeout=30_000)
            expect(page.locator(".vk-comparisons .vk-comparison-detail tbody tr")).to_have_count(3)
        finally:
            browser.close()


def test_a_page_that_cannot_start_says_why_on_the_page(chromium, tmp_path):
    """The survey file is broken after the server checked it: the page says so in words
    (not Voilà's "There was an error when executing cell"), naming the file and the column."""
    from playwright.sync_api import expect, sync_playwright

    data, codebook = tmp_path / "clinic.csv", tmp_path / "clinic_codebook.yaml"
    shutil.copy(DATA_DIR / "clinic_survey.csv", data)
    shutil.copy(DATA_DIR / "clinic_codebook.yaml", codebook)
    port = _free_port()
    cli = Path(sys.executable).with_name("valuekit")
    command = [str(cli), "dashboard", str(data), "--codebook", str(codebook), "--port", str(port),
               "--scenarios", str(tmp_path / "scenarios"), "--no-preheat"]
    with _serve(command, port, PROJ_ROOT) as url, sync_playwright() as p:
        # after the server's checks, the export loses its id column (header renamed)
        text = data.read_bytes()
        header, rest = text.split(b"\n", 1)
        data.write_bytes(header.replace(b"id_paciente", b"patient", 1) + b"\n" + rest)
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(url, timeout=120_000)
            alert = page.locator(".vk-startup-error")
            expect(alert).to_be_visible(timeout=120_000)
            expect(alert).to_contain_text("The dashboard could not start")
            expect(alert).to_contain_text("CodebookError")
            expect(alert).to_contain_text("id_paciente")
            expect(alert).to_contain_text("clinic.csv")
            expect(page.get_by_text("There was an error when executing cell")).to_have_count(0)
        finally:
            browser.close()


def test_a_page_still_being_prepared_says_so_and_a_late_one_says_what_to_do(chromium, tmp_path):
    """While the kernel builds the page the visitor reads "preparing the survey" in the
    page's language (valuekit's Voilà template, not Voilà's spinner and cell counter); a page
    not built within --timeout says so in one line, never Voilà's developer instructions."""
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    cli = Path(sys.executable).with_name("valuekit")
    command = [str(cli), "dashboard", "--port", str(port), "--scenarios", str(tmp_path / "scenarios"),
               "--no-preheat", "--no-cache", "--timeout", "2", "--lang", "es"]
    with _serve(command, port, PROJ_ROOT) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(url, wait_until="commit", timeout=120_000)
            expect(page.locator(".vk-loading-title")).to_have_text("Preparando la encuesta…", timeout=60_000)
            alert = page.locator(".vk-page-error")
            expect(alert).to_be_visible(timeout=120_000)
            expect(alert).to_contain_text("El panel no pudo prepararse en 2 segundos.")
            expect(alert).to_contain_text("--timeout")
            body = page.inner_text("body")
            assert "Voil" not in body and "interrupt_on_timeout" not in body and "Executing" not in body
        finally:
            browser.close()
