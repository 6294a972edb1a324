"""The submodule paths of valuekit 0.1, kept for one release as aliases of their new homes.

``import valuekit.scoring`` (or ``from valuekit.scoring import ValueScorer``) still works
and gives the very module ``valuekit.measure.scoring``, with a FutureWarning naming the new
path. ``valuekit.reliability`` is not among them: it named both a module and the function
``vk.reliability``, which is what it now means. See CHANGELOG.md.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from importlib.machinery import ModuleSpec

#: old submodule -> its home since 0.2
MOVED = {
    "codebook": "survey.codebook", "io": "survey.io", "audit": "survey.audit", "draft": "survey.draft",
    "weighting": "survey.weighting", "levers": "survey.levers",
    "demo": "datasets.demo",
    "scoring": "measure.scoring", "measurement": "measure.sem",
    "significance": "analyse.significance", "segments": "analyse.segments", "drivers": "analyse.drivers",
    "compare": "analyse.competitor", "waves": "analyse.waves",
    "playbook": "decide.playbook", "scenario": "decide.scenario", "nulltest": "decide.nulltest",
    "plots": "present.plots", "widgets": "present.widgets", "app": "present.app", "deck": "present.deck",
    "bigdata": "engines.dask",
}


class _Alias:
    """Finds ``valuekit.<old>`` and hands back the module at its new path (the same object).

    A meta path finder and loader by protocol (``find_spec``, ``create_module``,
    ``exec_module``): importing :mod:`importlib.abc` would add 8 ms to ``import valuekit``."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package != __package__ or name not in MOVED:
            return None
        return ModuleSpec(fullname, self)

    def create_module(self, spec):
        old = spec.name.rpartition(".")[2]
        new = f"{__package__}.{MOVED[old]}"
        warnings.warn(f"{spec.name} moved to {new} in valuekit 0.2; the old path goes in the next release",
                      FutureWarning, stacklevel=2)
        module = importlib.import_module(new)
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module):
        # the import system set the alias's spec on the module: put the module's own back
        module.__spec__ = module.__spec__.loader_state


def install() -> None:
    """Put the finder of the 0.1 module paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
