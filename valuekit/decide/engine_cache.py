"""The scenario engine's expensive state, computed once per survey and kept on disk.

Building the what-if engine (:func:`valuekit.decide.scenario.build_engine`) segments the
customers, tests the segments against one population (19 refits), names them in every
language and bootstraps one driver model per outcome: seconds on a quiet machine, a minute
or more on a busy one, for every visitor of the dashboard. None of it depends on anything
but the survey's kept answers, its codebook and the engine's settings, so it is kept in a
folder of its own, keyed by a hash of exactly those, and every later build reads it back.
The levers are not part of the key: the engine applies them to the answers at run time,
and no cached number depends on them.

Only text and tables are written (JSON and Parquet); nothing is unpickled or evaluated on
reading. A folder that cannot be read back (a half-written or edited cache) is rebuilt.

The folder is ``$VALUEKIT_CACHE`` when set, else ``valuekit`` under ``$XDG_CACHE_HOME``
(``~/.cache`` by default); deleting it costs one rebuild.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["default_cache_dir", "engine_key", "save_engine_state", "load_engine_state", "CACHE_FORMAT"]

#: The layout of a cache folder; a folder of another layout is rebuilt.
CACHE_FORMAT = 3


def default_cache_dir() -> Path:
    """Where engine states are kept: ``$VALUEKIT_CACHE``, else ``valuekit`` under
    ``$XDG_CACHE_HOME`` (default ``~/.cache``)."""
    if os.environ.get("VALUEKIT_CACHE"):
        return Path(os.environ["VALUEKIT_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "valuekit"


def _codebook_text(codebook) -> str:
    """The codebook as canonical text: every field, keys sorted (its file name left out)."""
    fields = {f.name: getattr(codebook, f.name) for f in dataclasses.fields(codebook) if f.name != "source"}
    return json.dumps(fields, sort_keys=True, default=lambda v: dataclasses.asdict(v)
                      if dataclasses.is_dataclass(v) else str(v))


def engine_key(survey, settings: dict) -> str:
    """A hash of what the engine's state depends on: the survey's kept answers (values,
    columns, dtypes and index), its codebook, the engine's ``settings`` (segments, method,
    seed, resamples), the built-in labels the segment names are written with, and the
    versions of valuekit and of this cache's layout."""
    from .. import __version__  # deferred: the package's own version
    from ..survey.labels import DEFAULT_LABELS  # deferred: with the names

    h = hashlib.sha256(f"valuekit engine state {CACHE_FORMAT} {__version__}\n".encode())
    data = survey.data
    h.update(json.dumps([[str(c) for c in data.columns], [str(t) for t in data.dtypes]]).encode())
    h.update(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    h.update(_codebook_text(survey.codebook).encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    h.update(json.dumps(DEFAULT_LABELS, sort_keys=True).encode())
    return h.hexdigest()[:40]


def save_engine_state(folder: Path, key: str, state: dict) -> Path:
    """Write ``state`` (``segments``, ``names``, ``models``) under ``folder/key``, atomically:
    a reader sees the whole state or none, and of two processes writing the same state at
    once (two kernels starting together), one keeps its copy. Returns the state's folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / key
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder))
    try:
        state["segments"].rename("segment").to_frame().to_parquet(work / "segments.parquet")
        models = []
        for i, m in enumerate(state["models"]):
            m["boot"].to_parquet(work / f"boot_{i}.parquet")
            models.append({"name": m["name"], "label": m["label"], "r2": float(m["r2"]), "n": int(m["n"]),
                           "slopes": {str(k): float(v) for k, v in m["slopes"].items()},
                           "slopes_name": m["slopes"].name, "slopes_attrs": _plain(m["slopes"].attrs),
                           "boot_attrs": _plain(m["boot"].attrs)})
        manifest = {"format": CACHE_FORMAT, "key": key, "names": {lang: [[_plain(s), n] for s, n in names.items()]
                                                                 for lang, names in state["names"].items()},
                    "models": models}
        (work / "state.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)  # an entry that could not be read back
        try:
            work.rename(target)
        except OSError:
            if not target.exists():  # not another process having written the same state first
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def load_engine_state(folder: Path, key: str) -> dict | None:
    """The state saved under ``folder/key``, or None when there is none or it cannot be
    read back whole (then it is rebuilt)."""
    target = Path(folder) / key
    try:
        manifest = json.loads((target / "state.json").read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT or manifest.get("key") != key:
            return None
        segments = pd.read_parquet(target / "segments.parquet")["segment"]
        models = []
        for i, m in enumerate(manifest["models"]):
            boot = pd.read_parquet(target / f"boot_{i}.parquet")
            boot.attrs.update(m["boot_attrs"])
            slopes = pd.Series(m["slopes"], name=m["slopes_name"], dtype=float)
            slopes.attrs.update(m["slopes_attrs"])
            models.append({"name": m["name"], "label": m["label"], "slopes": slopes, "boot": boot,
                           "r2": m["r2"], "n": m["n"]})
        names = {lang: {_segment(s): n for s, n in pairs} for lang, pairs in manifest["names"].items()}
        return {"segments": segments, "names": names, "models": models}
    except (OSError, ValueError, KeyError, TypeError, IndexError):  # absent, half-written, edited: rebuilt
        return None


def _plain(value):
    """A number from numpy as a plain int or float, for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _segment(value):
    """A segment as it was saved: whole numbers back to int."""
    return int(value) if isinstance(value, (int, float)) and float(value).is_integer() else value
