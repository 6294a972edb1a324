"""The dashboard in a real browser: `valuekit dashboard` serves notebook 07 with Voilà,
headless Chromium moves a lever.

The page must then show exactly the share destroyed the engine computes for that
scenario. A second test serves a one-cell notebook with the comparison explorer, changes
the grouping and checks the page's table against :func:`compare_groups`. Chromium comes
from the system (Debian's ``chromium``) or Playwright's own download; without one the
test is skipped with instructions, unless
``VALUEKIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``), when a missing browser fails it.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
from valuekit.config import PROJ_ROOT
from valuekit.scenario import Scenario, build_engine
from valuekit.widgets import format_comparisons, format_share_destroyed

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = PROJ_ROOT / "reports" / "screenshots" / "what_if_dashboard.png"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
        return path if Path(path).exists() else None
    except Exception:  # playwright missing or its browser not downloaded
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if path is None:
        message = ("no Chromium found: install Debian's (apt-get install chromium) or Playwright's "
                   "(.venv/bin/playwright install chromium) to run the dashboard test")
        if os.environ.get("VALUEKIT_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextlib.contextmanager
def _serve(command: list[str], port: int, cwd: Path):
    """Start a server, wait until ``port`` accepts connections, yield its URL; always stop it."""
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 90
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


@pytest.fixture(scope="module")
def voila_url():
    """`valuekit dashboard` (what `make dashboard` runs) on a free loopback port."""
    port = _free_port()
    cli = Path(sys.executable).with_name("valuekit")
    with _serve([str(cli), "dashboard", "--port", str(port)], port, PROJ_ROOT) as url:
        yield url


def test_moving_a_lever_shows_what_the_engine_computes(chromium, voila_url):
    from playwright.sync_api import expect, sync_playwright

    # the notebook's defaults: n_segments=None (the silhouette's choice), random_state=2026
    engine, _, _ = build_engine(load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK), n_segments=None, random_state=2026)
    before = format_share_destroyed(engine.apply(Scenario())["summary"])
    presses = 10  # price lever: step 1 %, so ten presses of ArrowLeft = a 10 % price cut
    after = format_share_destroyed(engine.apply(
        Scenario.from_dict({"levers": {"price_change_pct": -presses}}))["summary"])
    assert before != after

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(voila_url, timeout=120_000)
            share = page.locator(".vk-share-destroyed")
            expect(share).to_have_text(before, timeout=120_000)
            handle = page.locator(".vk-lever-price_change_pct .noUi-handle")
            handle.focus()
            for _ in range(presses):
                handle.press("ArrowLeft")
            expect(share).to_have_text(after, timeout=30_000)
            expect(page.locator(".vk-lever-price_change_pct .widget-readout")).to_have_text("\u221210")  # "−10"
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


# -- the comparison explorer ---------------------------------------------------------------

EXPLORER_SETUP = """\
import valuekit as vk
survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
segments = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
groupings = {"segment": segments, "world_view": "world_view", "channel": "channel"}
"""
EXPLORER_CELL = EXPLORER_SETUP + """\
from valuekit.widgets import ComparisonExplorer
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

    from valuekit.significance import compare_groups

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
