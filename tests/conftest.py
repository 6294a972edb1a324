"""Shared fixtures: a small codebook and survey frames built in code, written to any format."""

import copy
import os
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

#: The outcomes an adversarial case may have (see the marker in pyproject.toml).
ADVERSARIAL_OUTCOMES = ("error", "result", "property")


def adversarial_tally(items) -> dict[str, int]:
    """How many collected cases of the adversarial campaign end in each outcome."""
    tally = dict.fromkeys(ADVERSARIAL_OUTCOMES, 0)
    for item in items:
        marker = item.get_closest_marker("adversarial")
        if marker is None:
            continue
        outcome = marker.args[0] if marker.args else None
        if outcome not in tally:
            raise pytest.UsageError(f"{item.nodeid}: adversarial({outcome!r}); expected one of {ADVERSARIAL_OUTCOMES}")
        tally[outcome] += 1
    return tally


def pytest_collection_finish(session):
    session.config.stash[_TALLY] = adversarial_tally(session.items)  # after -m and -k deselect


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    tally = config.stash.get(_TALLY, None)
    if tally and sum(tally.values()):
        terminalreporter.write_line(
            f"adversarial campaign: {sum(tally.values())} cases collected: {tally['error']} end in a clear error, "
            f"{tally['result']} in the right result, {tally['property']} generated properties")


_TALLY = pytest.StashKey[dict]()


def pytest_configure(config):
    # parallel workers (pytest-xdist's -n): one BLAS thread each, set before they start. Two
    # workers' BLAS thread pools spinning against each other on two cores turned a 2 s test into
    # 120 s. Results do not depend on it (`make test-blas` runs the notebooks on two threads).
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")

SMALL_CODEBOOK = {
    "name": "Small test survey",
    "id": "rid",
    "scale": {"min": 1, "max": 7},
    "missing_codes": [9],
    "weight": "w",
    "completion_time": "dur",
    "benefits": {
        "functional": {"ease_of_use": ["f1", "f2"]},
        "economic": ["e1", "e2"],
    },
    "sacrifices": {"money": ["m1"], "risk": {"financial": ["r1"]}},
    "comparisons": {"competitor": "Rival", "items": {"f1": "c_f1"}},
    "outcomes": {"recommend": "nps"},
    "context": {"situation": ["channel"]},
    "items": {
        "f2": {"reverse": True, "label": {"en": "Hard to use", "es": "Difícil de usar", "it": "Difficile da usare"}},
        "nps": {"scale": {"min": 0, "max": 10}, "missing_codes": [99]},
    },
}


@pytest.fixture
def codebook_dict():
    return copy.deepcopy(SMALL_CODEBOOK)


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def small_frame(rng):
    """40 clean respondents of SMALL_CODEBOOK, ids 101..140."""
    n = 40
    frame = pd.DataFrame({"rid": np.arange(101, 101 + n)})
    for col in ["f1", "f2", "e1", "e2", "m1", "r1", "c_f1"]:
        frame[col] = rng.integers(1, 8, n)
    frame["f1"] = np.where(frame["f1"] == frame["f2"], (frame["f1"] % 7) + 1, frame["f1"])  # no straight-liners
    frame["nps"] = rng.integers(0, 11, n)
    frame["dur"] = rng.integers(300, 900, n)
    frame["w"] = rng.uniform(0.5, 1.5, n).round(3)
    frame["channel"] = rng.choice(["store", "online"], n)
    return frame


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo_scores():
    """The bundled demo survey, loaded and scored once per session: (survey, scores)."""
    import valuekit as vk

    survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    return survey, vk.ValueScorer(survey.codebook).fit_transform(survey.data)


@pytest.fixture(scope="session")
def demo_small(demo_scores):
    """The demo's first 40 scored respondents, too few for a driver model: (codebook, scores, data)."""
    survey, scores = demo_scores
    cb = survey.codebook
    rows = scores.index[:40]
    data = scores.loc[rows].join(survey.data.loc[rows, list(cb.outcomes.values())])
    return cb, scores.loc[rows], data


@pytest.fixture(scope="session")
def scenario_engine():
    """The demo survey's what-if engine with its lever file (4 segments, 50 bootstrap resamples)."""
    from valuekit import DATA_DIR, DEMO_CODEBOOK, DEMO_DATA, load_survey
    from valuekit.decide.scenario import build_engine

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    engine, _, _ = build_engine(survey, DATA_DIR / "demo_levers.yaml", n_segments=4, random_state=2026, n_boot=50)
    return engine


@pytest.fixture
def tiny_notebook():
    """A factory: ``tiny_notebook(path, body)`` writes a report notebook (a parameters cell,
    ``x = 1``, then ``body``) and returns its path."""
    import nbformat

    def write(path, body: str):
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell("data_path = None\ncodebook_path = None", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell(body)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, path)
        return path

    return write


def chromium_path() -> str | None:
    """A Chromium to drive: Debian's (or another on PATH), else Playwright's download."""
    import shutil

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


@pytest.fixture(scope="module")
def chromium():
    """The browser the page tests drive; skipped without one, unless VALUEKIT_REQUIRE_BROWSER
    is set (CI sets it: a missing browser then fails)."""
    import os

    path = chromium_path()
    if path is None:
        message = ("no Chromium found: install Debian's (apt-get install chromium) or Playwright's "
                   "(.venv/bin/playwright install chromium) to run the browser tests")
        if os.environ.get("VALUEKIT_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path
