"""The package's import graph: no circles between modules (an import inside a function
counts: it closes the circle at run time all the same).

The evidence floors live in ``valuekit.evidence`` (below every analysis module) and the
score table in ``valuekit._scorecore``, which broke two of the three circles issue 29
counted. The one left, ``codebook`` ↔ ``levers`` (a codebook's ``levers:`` section is
checked by the lever parser, which reads codebooks), is listed here so that the test fails
on any new circle and on this one's removal alike, when the list must shrink with it.
"""

import ast

from valuekit.config import PROJ_ROOT

PACKAGE = PROJ_ROOT / "valuekit"
KNOWN_CIRCLES = [{"codebook", "levers"}]


def _imports() -> dict[str, set[str]]:
    """Each module's imports of other valuekit modules, top-level and inside functions."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph = {m: set() for m in modules}
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                targets = [node.module] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("valuekit."):
                targets = [node.module.split(".")[1]]
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1] for a in node.names if a.name.startswith("valuekit.")]
            else:
                continue
            graph[path.stem] |= {t.split(".")[0] for t in targets if t and t.split(".")[0] in modules} - {path.stem}
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


def test_no_import_circles_but_the_known_one():
    circles = _circles(_imports())
    assert sorted(map(sorted, circles)) == sorted(map(sorted, KNOWN_CIRCLES)), circles


def test_the_evidence_floors_import_no_analysis_module():
    assert _imports()["evidence"] <= {"_check", "_yaml", "errors"}


def test_the_plots_import_no_scikit_learn_and_no_scenario_engine():
    """Charts need the scores' helpers and the interface texts, which live below the scorer
    (``_scorecore``) and in the codebook; importing them pulled in scikit-learn before."""
    import subprocess
    import sys

    code = ("import sys, valuekit.plots; "
            "print(sorted(m for m in ('sklearn', 'valuekit.scoring', 'valuekit.scenario', 'valuekit.levers') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
