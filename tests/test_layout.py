"""The package's shape: one folder per stage of the flow, each importing only from the
stages below it; no import circles (an import inside a function counts: it closes the
circle at run time all the same); no private name imported across folders.

``ARCHITECTURE.md`` draws the stages. An import under ``if TYPE_CHECKING:`` is for
annotations only and never runs, so it is no edge here (the lever grammar names the
``Codebook`` type that way, the codebook's parser being what imports the grammar).
"""

import ast
import subprocess
import sys

from valuekit.config import PROJ_ROOT

PACKAGE = PROJ_ROOT / "valuekit"

#: Bottom to top. A module may import from its own stage and the ones before it.
STAGES = [
    ("errors", "config", "_docstrings"),
    ("_validate",),
    ("evidence",),
    ("survey",),
    ("datasets",),
    ("measure",),
    ("analyse",),
    ("decide",),
    ("present",),
    ("engines",),
    ("cli", "report"),
    ("__init__", "_moved"),
]
RANK = {part: rank for rank, parts in enumerate(STAGES) for part in parts}


def _modules(package=PACKAGE) -> dict[str, object]:
    """Every module of the package by dotted name (``survey.codebook``, ``cli``)."""
    out = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _stage(module: str) -> str:
    return module.split(".")[0]


def _runtime_nodes(tree):
    """Every node, but none under ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                todo.extend(child.orelse)
                continue
            todo.append(child)


def _imports(package=PACKAGE) -> dict[str, list[tuple[str, str]]]:
    """Each module's imports of other valuekit modules, as (module, name imported or "")."""
    modules = _modules(package)
    graph = {m: [] for m in modules}
    for module, path in modules.items():
        base = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
        if module == "__init__":
            base = []
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    root = base[: len(base) - (node.level - 1)]
                    source = ".".join(root + ([node.module] if node.module else []))
                elif node.module and node.module.startswith("valuekit."):
                    source = node.module.removeprefix("valuekit.")
                else:
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}" if source else alias.name
                    if full in modules:
                        graph[module].append((full, ""))
                    elif source in modules:
                        graph[module].append((source, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.name.removeprefix("valuekit.")
                    if alias.name.startswith("valuekit.") and name in modules:
                        graph[module].append((name, ""))
    return graph


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = set()
            while True:
                w = stack.pop()
                on.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(part)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_every_module_belongs_to_a_stage():
    assert sorted(m for m in _modules() if _stage(m) not in RANK) == []


def _circles_in(package=PACKAGE) -> list[set[str]]:
    return _circles({m: {t for t, _ in edges if t != m} for m, edges in _imports(package).items()})


def _upward(package=PACKAGE) -> list[tuple[str, str]]:
    return sorted((m, t) for m, edges in _imports(package).items() for t, _ in edges
                  if RANK[_stage(t)] > RANK[_stage(m)])


def _private_crossings(package=PACKAGE) -> list[tuple[str, str, str]]:
    return sorted((m, t, name) for m, edges in _imports(package).items() for t, name in edges
                  if name.startswith("_") and _stage(t) != _stage(m))


def test_no_import_circles():
    assert _circles_in() == []


def test_no_import_runs_back_up_the_flow():
    assert _upward() == []


def test_no_private_name_crosses_a_folder():
    """A name that two stages need is public in the lower one."""
    assert _private_crossings() == []


def test_the_layout_checks_find_what_they_are_for(tmp_path):
    """On a planted package: a survey module importing a private chart helper (upward and
    private), the charts importing it back inside a function (a circle), and an import
    under TYPE_CHECKING, which is no edge."""
    for folder, name, text in [
        ("survey", "a.py", "def f():\n    from ..present.b import _draw\n"),
        ("present", "b.py", "from ..survey import a\n\ndef _draw():\n    pass\n"),
        ("measure", "c.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..decide.d import D\n"),
        ("decide", "d.py", "from ..measure import c\nclass D:\n    pass\n"),
    ]:
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
        (tmp_path / folder / name).write_text(text)
    assert _circles_in(tmp_path) == [{"survey.a", "present.b"}]
    assert _upward(tmp_path) == [("survey.a", "present.b")]
    assert _private_crossings(tmp_path) == [("survey.a", "present.b", "_draw")]


def test_the_evidence_floors_import_no_analysis_module():
    assert {t for t, _ in _imports()["evidence"]} <= {"_validate.check", "_validate.yamlfile", "_validate.args",
                                                      "errors"}


def test_the_plots_import_no_scikit_learn_and_no_scenario_engine():
    """Charts need the scores' helpers and the interface texts, which live below the scorer
    (``measure.model``) and in the codebook; importing them pulled in scikit-learn before."""
    code = ("import sys, valuekit.present.plots; "
            "print(sorted(m for m in ('sklearn', 'valuekit.measure.scoring', 'valuekit.decide.scenario', "
            "'valuekit.survey.levers') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _function_level_imports(package=PACKAGE) -> list[tuple[str, int, str, bool]]:
    """(file, line, statement, has a ``# deferred:`` comment) for each import inside a function."""
    out = []
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        seen = set()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno not in seen:
                    seen.add(node.lineno)
                    said = any("# deferred:" in ln for ln in lines[node.lineno - 2:node.end_lineno])
                    out.append((path.relative_to(package).as_posix(), node.lineno, ast.unparse(node), said))
    return out


def test_an_import_inside_a_function_says_what_it_defers():
    """Imports sit at the top of a module, except those that would load a heavy library
    (scikit-learn, dask, matplotlib, pyarrow ...) for a module that does not need it
    otherwise, or, in the command line, a command's own modules; each says which."""
    unsaid = [f"{f}:{line} {stmt}" for f, line, stmt, said in _function_level_imports() if not said]
    assert unsaid == []


def test_the_import_rule_finds_an_unsaid_import(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    import json\n\n\ndef g():\n"
                                   "    import dask  # deferred: dask\n")
    assert [(s, said) for _, _, s, said in _function_level_imports(tmp_path)] == [("import json", False),
                                                                                ("import dask", True)]


#: The longest a function's body may be (lines after its docstring) without a ``# long:``
#: comment at its start saying why.
MAX_BODY_LINES = 70


def _functions(package):
    """Every function of the package's modules: ``(module path, its lines, the function)``."""
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(package).as_posix(), lines, fn


def _long_functions(package=PACKAGE) -> list[tuple[int, str]]:
    out = []
    for where, lines, fn in _functions(package):
        body = fn.body
        has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1
        start = body[1].lineno if has_doc else body[0].lineno
        first = lines[(body[0].end_lineno if has_doc else fn.lineno):start]  # comments before the first statement
        if fn.end_lineno - start + 1 > MAX_BODY_LINES and not any("# long:" in ln for ln in first):
            out.append((fn.end_lineno - start + 1, f"{where}:{fn.name}"))
    return sorted(out, reverse=True)


def test_no_function_is_longer_than_a_screen_without_saying_why():
    assert _long_functions() == []


def test_the_length_rule_finds_a_long_function(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_BODY_LINES + 1))
    (tmp_path / "m.py").write_text(f"def f():\n    \"\"\"Doc.\"\"\"\n{body}\n\ndef g():\n"
                                   f"    # long: a table of constants\n{body}")
    assert _long_functions(tmp_path) == [(MAX_BODY_LINES + 1, "m.py:f")]


#: The most decisions (McCabe's cyclomatic complexity, counted as radon counts it) a
#: function may take without a ``# complex:`` comment at its start saying why.
MAX_COMPLEXITY = 20


def _complexity(fn: ast.FunctionDef) -> int:
    """McCabe's cyclomatic complexity of one function, counted as radon counts it: one, plus
    one per ``if``, conditional expression, loop (and its ``else``), ``except`` (and a
    ``try``'s ``else``), ``assert``, comprehension (and its ``if``\\ s), ``case`` other than
    the catch-all and extra operand of ``and``/``or``. A nested function is not counted in
    its parent's figure (it has its own)."""
    count = 1
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Try):
            count += len(node.handlers) + bool(node.orelse)
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
        elif isinstance(node, (ast.If, ast.IfExp, ast.Assert)):
            count += 1
        elif isinstance(node, ast.Match):
            count += sum(not (isinstance(c.pattern, ast.MatchAs) and c.pattern.pattern is None) for c in node.cases)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            count += 1 + bool(node.orelse)
        elif isinstance(node, ast.comprehension):
            count += 1 + len(node.ifs)
        stack.extend(ast.iter_child_nodes(node))
    return count


def _complex_functions(package=PACKAGE) -> list[tuple[int, str]]:
    out = []
    for where, lines, fn in _functions(package):
        head = lines[fn.lineno - 1:fn.body[min(1, len(fn.body) - 1)].lineno]  # up to the first statement
        if _complexity(fn) > MAX_COMPLEXITY and not any("# complex:" in ln for ln in head):
            out.append((_complexity(fn), f"{where}:{fn.name}"))
    return sorted(out, reverse=True)


def test_no_function_takes_more_than_twenty_decisions_without_saying_why():
    assert _complex_functions() == []


def test_the_complexity_count_matches_mccabe_by_hand():
    source = ("def f(a, b):\n"
              "    if a and b or a:\n"           # if: 1, and/or: 2
              "        return [x for x in a if x]\n"  # comprehension 1 + its if 1
              "    for x in b:\n"                 # loop 1 + else 1
              "        pass\n"
              "    else:\n"
              "        pass\n"
              "    try:\n"
              "        y = 1 if a else 2\n"       # conditional expression 1
              "    except ValueError:\n"          # handler 1
              "        pass\n"
              "    match a:\n"
              "        case 1: pass\n"            # case 1
              "        case _: pass\n"            # the catch-all: 0
              "    def g():\n"                    # nested: not counted here
              "        if a: pass\n"
              "    while b: assert a\n")          # loop 1, assert 1
    fn = ast.parse(source).body[0]
    assert _complexity(fn) == 1 + 1 + 2 + 2 + 2 + 1 + 1 + 1 + 2


def test_the_complexity_rule_finds_a_complex_function(tmp_path):
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(MAX_COMPLEXITY))
    (tmp_path / "m.py").write_text(f"def f(x):\n{body}\n\ndef g(x):\n"
                                   f"    # complex: one branch per code\n{body}")
    assert _complex_functions(tmp_path) == [(MAX_COMPLEXITY + 1, "m.py:f")]
