"""Every function of the API reference documents every parameter, and a parameter many
functions share is documented in one wording (``valuekit/_docstrings.py``)."""

import ast
import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc

from valuekit._docstrings import PARAMS, share_docs
from valuekit.config import PROJ_ROOT

#: Shared parameter names a function documents in its own words, because they mean
#: something else there.
OWN_WORDS = {("plot_value_radar", "ax"): "a polar Axes", ("plot_value_radar", "scores"): "may hold the grouping",
             ("plot_trend", "names"): "names of the trend's groups", ("plot_segment_radars", "ax"): "figure-level"}


def _api():
    """(module, name, object) for every entry of the API reference (docs/api.md)."""
    module = None
    for line in (PROJ_ROOT / "docs" / "api.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = importlib.import_module(m.group(1))
        elif (m := re.match(r"   ([A-Za-z_]\w*)$", line)) and module is not None:
            yield module.__name__, m.group(1), getattr(module, m.group(1))


API = [(f"{mod}.{name}", obj) for mod, name, obj in _api()
       if inspect.isfunction(obj) or (inspect.isclass(obj) and not issubclass(obj, BaseException)
                                      and not dataclasses.is_dataclass(obj))]


def _documented(obj, attributes: bool = True) -> dict[str, str]:
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    entries = doc["Parameters"] + (doc["Attributes"] if inspect.isclass(obj) and attributes else [])
    return {name.strip().lstrip("*"): " ".join(p.desc) for p in entries for name in p.name.split(",")}


def test_the_reference_is_read():
    assert len(API) > 60 and "valuekit.analyse.segments.segment_profiles" in dict(API)


@pytest.mark.parametrize("qualname, obj", API, ids=[q for q, _ in API])
def test_every_parameter_is_documented(qualname, obj):
    documented = _documented(obj)
    params = [p for p, v in inspect.signature(obj).parameters.items()
              if p != "self" and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
    assert [p for p in params if p not in documented] == []
    unfilled = re.findall(r"^[ \t]*\{(\w+)\}[ \t]*$", obj.__doc__ or "", re.M)
    assert unfilled == []  # no placeholder left unfilled


@pytest.mark.parametrize("qualname, obj", API, ids=[q for q, _ in API])
def test_shared_parameters_in_the_shared_words(qualname, obj):
    documented = _documented(obj, attributes=False)
    name = qualname.rsplit(".", 1)[1]
    for param in inspect.signature(obj).parameters:
        if param in PARAMS and (name, param) not in OWN_WORDS and param in documented:
            shared = " ".join(line.strip() for line in PARAMS[param].splitlines()[1:])
            assert documented[param].startswith(shared), param


def test_share_docs_fills_only_its_own_lines():
    def f(weights=None, x=None):
        """Do.

        Parameters
        ----------
        {weights}
            Extra words.
        x : dict
            Such as {"a": 1} or {weights} inside a sentence.
        """
    share_docs(f)
    assert "        weights : str, Series" in f.__doc__ and "            Survey weights:" in f.__doc__
    assert 'Such as {"a": 1} or {weights} inside a sentence.' in f.__doc__
    assert f.__doc__.index("Survey weights") < f.__doc__.index("Extra words")


DATACLASSES = [(f"{mod}.{name}", obj) for mod, name, obj in _api()
               if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and name != "Evidence"]


@pytest.mark.parametrize("qualname, cls", DATACLASSES, ids=[q for q, _ in DATACLASSES])
def test_every_field_of_a_result_or_record_is_documented(qualname, cls):
    """Evidence's fields are explained in evidence.yaml instead (the next test)."""
    documented = _documented(cls)
    assert [f.name for f in dataclasses.fields(cls) if f.name not in documented] == []


def test_a_module_adds_its_own_shared_entries():
    def f(nan_policy="pairwise", weights=None):
        """Do.

        Parameters
        ----------
        {nan_policy}
        {weights}
        """
    share_docs(nan_policy="nan_policy : str\n    How missing answers are handled.")(f)
    assert "        nan_policy : str\n            How missing answers are handled." in f.__doc__
    assert "weights : str, Series" in f.__doc__ and "{" not in f.__doc__


def test_every_evidence_field_is_explained_in_its_file():
    import valuekit.evidence as ev

    text = (Path(ev.__file__).with_name("evidence.yaml")).read_text(encoding="utf-8")
    for field in dataclasses.fields(ev.Evidence):
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{field.name}:"))
        assert "#" in line or field.name in ("min_tli", "max_rmsea", "max_srmr"), field.name  # Hu & Bentler's, one comment


def _undocumented(package: Path) -> list[str]:
    """Public functions, classes and methods (names without a leading underscore, at a
    module's top level or in a public class) that have no docstring."""
    out = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
                continue
            if not ast.get_docstring(node):
                out.append(f"{where}:{node.name}")
            if isinstance(node, ast.ClassDef):
                out += [f"{where}:{node.name}.{m.name}" for m in node.body
                        if isinstance(m, ast.FunctionDef) and not m.name.startswith("_") and not ast.get_docstring(m)]
    return out


def test_every_public_name_says_what_it_is():
    """Beyond the API reference: every public helper, class and method has a docstring."""
    assert _undocumented(PROJ_ROOT / "valuekit") == []


def test_the_docstring_rule_finds_a_bare_function(tmp_path):
    (tmp_path / "m.py").write_text('def f():\n    pass\n\n\ndef _g():\n    pass\n\n\nclass C:\n    """C."""\n\n'
                                   '    def m(self):\n        pass\n')
    assert _undocumented(tmp_path) == ["m.py:f", "m.py:C.m"]
