"""The wheel carries what the package needs: built from the sources, installed in a fresh
environment outside the checkout, it lists and loads the bundled surveys and runs
``valuekit report`` on the demo.

The fresh environment gets the wheel alone (``--no-deps``); its dependencies come from
this environment through a path file (and their Jupyter data files through JUPYTER_PATH),
so the test needs no network. What it checks is the
wheel: that nothing the package reads at run time (data, notebooks, YAML, the dashboard
page) is left behind in the checkout. That the declared dependencies are the ones the
library imports is tests/test_environment.py's job.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from valuekit.config import PROJ_ROOT

pytestmark = pytest.mark.slow  # see the marker in pyproject.toml: CI runs it (make test-slow)


def _tracked(*paths: str) -> list[str]:
    """The files of the checkout under ``paths`` (what a clean clone has)."""
    run = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=PROJ_ROOT, capture_output=True, check=True)
    return [name for name in run.stdout.decode().split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the build leaves nothing in the checkout)."""
    src = tmp_path_factory.mktemp("src")
    for name in _tracked("pyproject.toml", "LICENSE", "README.md", "valuekit"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJ_ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                          "-q", "-w", str(dist), str(src)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    (found,) = dist.glob("valuekit-*.whl")
    return found


def test_the_wheel_carries_the_data_the_notebooks_and_the_yaml(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    must = ["valuekit/datasets/data/demo_survey.csv", "valuekit/datasets/data/demo_codebook.yaml",
            "valuekit/datasets/data/demo_levers.yaml", "valuekit/datasets/data/demo_wave3.csv",
            "valuekit/datasets/data/clinic_survey.csv", "valuekit/datasets/data/datasets.yaml",
            "valuekit/notebooks/01_load_and_audit.ipynb", "valuekit/notebooks/09_value_model.ipynb",
            "valuekit/present/dashboard.ipynb", "valuekit/survey/labels.yaml", "valuekit/survey/levers.yaml",
            "valuekit/survey/limits.yaml", "valuekit/survey/draft_vocabulary.yaml", "valuekit/evidence.yaml"]
    assert [m for m in must if m not in names] == []
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    # every file of the package folder is in the wheel (nothing the package reads left behind)
    assert sorted(set(_tracked("valuekit")) - names) == []
    assert not any(n.startswith("tests/") for n in names)


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed, and this one's packages on its path."""
    env = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    python = env / "bin" / "python"
    run = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies: this environment's site-packages, after the wheel's own (a plain path
    # line: the editable install's finder there is not loaded, so the checkout stays out of reach)
    (Path(site) / "valuekit_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def _run(fresh: Path, args: list[str], cwd: Path, timeout: int = 1500) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    environ["PATH"] = f"{fresh / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    # the borrowed dependencies' data files (nbconvert's HTML templates) live under this
    # environment's share/jupyter, where pip would have put them in the fresh one
    environ["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout)


def test_the_installed_wheel_lists_and_loads_the_bundled_surveys(fresh, tmp_path):
    code = ("import json, valuekit as vk\n"
            "table = vk.list_datasets()\n"
            "print(json.dumps({'file': vk.__file__, 'names': table.index.tolist(),\n"
            "    'exist': all(p.exists() for col in ('data', 'codebook') for p in table[col]),\n"
            "    'demo': repr(vk.load_demo()), 'clinic': repr(vk.load_demo('clinic'))}))")
    run = _run(fresh, [str(fresh / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout)
    assert Path(got["file"]).is_relative_to(fresh) and not Path(got["file"]).is_relative_to(PROJ_ROOT)
    assert got["names"] == ["demo", "demo_wave3", "clinic"] and got["exist"]
    assert got["demo"] == "<Survey demo_survey.csv: 1962 respondents kept of 2008>"
    assert got["clinic"] == "<Survey clinic_survey.csv: 300 respondents kept of 301>"


def test_the_installed_wheel_runs_the_report_on_the_demo(fresh, tmp_path):
    """`valuekit report --out DIR` with no DATA runs every notebook on the bundled demo."""
    out = tmp_path / "reports"
    package = next((fresh / "lib").glob("python*/site-packages/valuekit"))
    before = sorted(p for p in package.rglob("*") if "__pycache__" not in p.parts)
    run = _run(fresh, [str(fresh / "bin" / "valuekit"), "report", "--out", str(out), "--n-boot", "20"],
               cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    pages = sorted(p.name for p in out.glob("[0-9][0-9]_*.html"))
    notebooks = sorted((PROJ_ROOT / "valuekit" / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert pages == [f"{nb.stem}.html" for nb in notebooks]
    assert (out / "index.html").exists()
    assert "failed" not in run.stdout.split("index:")[-1]
    assert sorted(p for p in package.rglob("*") if "__pycache__" not in p.parts) == before  # nothing written there
