"""environment.yml (conda users) and pyproject.toml (pip, the Makefile) must agree."""

import re
import tomllib

import pytest
import yaml

from valuekit.config import PROJ_ROOT


def _split(spec: str) -> tuple[str, str]:
    name, constraint = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower(), constraint.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    # the conda environment is the developer's: the library's dependencies, the test and the docs tools
    extras = project["optional-dependencies"]
    pip_deps = dict(_split(d) for d in project["dependencies"] + extras["test"] + extras["docs"])
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    conda_deps = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    conda_deps.pop("python"), conda_deps.pop("pip")
    # packages taken from PyPI inside the conda environment (its `pip:` list), but not valuekit itself
    from_pip = [d for section in env["dependencies"] if isinstance(section, dict) for d in section.get("pip", [])]
    conda_deps.update(_split(d) for d in from_pip if not d.startswith("-e"))
    assert pip_deps == conda_deps  # every package has the same name on conda-forge (or comes from pip)


#: Tools the tests use that the library must neither import nor require (setuptools and
#: wheel build the wheel that tests/test_wheel.py installs), and the documentation's.
TEST_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "nbval", "playwright", "setuptools", "wheel"}
DOCS_TOOLS = {"sphinx", "numpydoc", "pydata-sphinx-theme", "myst-nb"}


def test_test_tools_are_an_extra_that_the_library_never_imports():
    import ast

    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_split(d)[0] for d in project["dependencies"]}
    assert not runtime & (TEST_TOOLS | DOCS_TOOLS)
    assert {_split(d)[0] for d in project["optional-dependencies"]["test"]} == TEST_TOOLS
    assert {_split(d)[0] for d in project["optional-dependencies"]["docs"]} == DOCS_TOOLS
    imported = {}
    for path in sorted((PROJ_ROOT / "valuekit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                if name.split(".")[0] in TEST_TOOLS | {"sphinx", "numpydoc", "pydata_sphinx_theme", "myst_nb"}:
                    imported.setdefault(path.name, []).append(name)
    assert not imported, f"library modules importing test tools: {imported}"


def test_the_licence_is_declared_and_shipped():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause" and project["license-files"] == ["LICENSE"]
    assert (PROJ_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("BSD 3-Clause License")


def test_python_version_agrees():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_import_valuekit_is_light_and_every_name_resolves():
    """``import valuekit`` loads no heavy library; each public name loads its module on use."""
    import subprocess
    import sys

    code = ("import sys, valuekit; heavy = [m for m in ('sklearn', 'scipy', 'matplotlib', 'pandas') "
            "if m in sys.modules]; print(heavy); valuekit.ValueScorer; print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "True"
    import valuekit

    assert set(valuekit.__all__) == set(valuekit._WHERE)
    for name in valuekit.__all__:
        assert getattr(valuekit, name) is not None, name
    assert set(valuekit.__all__) <= set(dir(valuekit))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        valuekit.nope
