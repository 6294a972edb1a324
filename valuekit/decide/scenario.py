"""What if we cut the waiting time, or raise the price 5 %? Scenarios on the survey's answers.

A :class:`Scenario` is a small, serialisable set of lever settings (saved and loaded as
YAML or JSON; loading never executes anything from the file). The levers themselves are
data, the survey's own (:mod:`valuekit.survey.levers`: a lever file, the codebook's ``levers:``
section, or levers derived from the codebook).

:class:`ScenarioEngine` applies a scenario to the **item answers** of every scored
customer at once and rescores them with the survey's own :class:`ValueScorer`
(:meth:`ValueScorer.score_items`, the arithmetic behind ``transform``), so a what-if
result is exactly what the survey would have scored had those answers been given.

How the answers move
--------------------
Work happens on each item's own scale, in the direction of what the item measures (a
reverse-keyed item's answer moves the other way), in this order:

1. ``percent`` levers scale each item's distance above the bottom of its scale by
   ``1 + value x weight / 100`` (several on one item multiply);
2. ``points`` levers add ``value x weight`` points (several on one item add up);
3. every answer is clipped to its item's scale;
4. ``lift_lowest`` levers, in the order of the lever file, bring the worst ``value`` % of
   the customers the scenario applies to (lowest mean on the lever's benefit items,
   highest on its sacrifice items, survey-weighted) up (or down) to the lever's target.

An unanswered item stays unanswered: a scenario changes answers, it does not invent them.

What comes back
---------------
:meth:`ScenarioEngine.apply` returns a summary by segment: the share of customers whose
value is destroyed before and after, each with its interval (Wilson's without weights;
Korn and Graubard's on the Taylor-linearized variance with unequal weights or a design),
the change with a paired interval (normal, or t on the design's degrees of freedom), the
mean value ratio, the customers moving between verdicts, and the predicted mean change of
each outcome through the driver model's slopes with a bootstrap percentile interval
(clusters resampled within strata under a design), shown only from a model that passes
the driver gate: its overall test significant after adjustment across the outcomes and
its adjusted R² at least ``min_adj_r2`` (``valuekit/evidence.yaml``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import seed_arg
from .._validate.yamlfile import Loader as _SafeLoader
from .._validate.yamlfile import read_file as _read_file
from ..analyse.drivers import bootstrap_slopes, outcome_slopes
from ..analyse.segments import SEGMENT_METHODS, ValueSegmenter, segment_profiles, segment_structure, suggest_n_segments
from ..analyse.significance import compare_groups, korn_graubard, unequal_weights
from ..analyse.tables import nps_groups
from ..errors import FileError, ParameterError, ScenarioError
from ..evidence import Evidence, settings_arg
from ..measure.scoring import VERDICTS, ValueScorer, group_order, item_maps, item_matrix, wilson_interval
from ..survey.answers import kish_n, survey_weights
from ..survey.codebook import LANGUAGES, Codebook, ui_text
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import format_number
from ..survey.levers import LeverSet, read_levers
from .engine_cache import engine_key, load_engine_state, save_engine_state

__all__ = ["Scenario", "ScenarioEngine", "ScenarioError", "OutcomeModel", "compare_scenarios", "build_engine",
           "format_headline", "format_outcome_changes", "format_summary", "format_segments", "compact_summary",
           "format_levers", "format_tiles", "change_tone", "format_comparison", "ui_text", "lever_scenarios",
           "model_fit", "scenario_names", "scenario_file_name", "segment_label", "NO_SEGMENT"]

_KEYS = {"name", "description", "levers", "segments", "built_on"}
_BUILT_ON_KEYS = {"survey", "items", "levers", "segment_names"}
#: The segment of scored customers the segmenter left without one (no complete profile).
NO_SEGMENT = "none"


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScenarioError(f"scenario key '{key}': expected a number, got {value!r}")
    return float(value)


def _lever_arg(name: str, levers: Any) -> Any:
    """``levers`` if :func:`read_levers` can take it: None, a LeverSet, a mapping or a file path."""
    if levers is None or isinstance(levers, (LeverSet, dict)):
        return levers
    if isinstance(levers, (str, Path)) or hasattr(levers, "__fspath__"):
        return _check.path(name, levers)
    raise ParameterError(f"{name}: expected a LeverSet, a mapping, a lever file path or None, "
                         f"got {type(levers).__name__}", name=name)


class _ScenarioLoader(_SafeLoader):
    """The bounded safe loader (:mod:`valuekit._validate.yamlfile`), worded for a scenario file."""

    message = "scenario key '{key}' appears twice in one mapping (line {line}); YAML would silently keep only the last"


@dataclass(frozen=True)
class Scenario:
    """A named set of lever settings, optionally for some segments only.

    Parameters
    ----------
    name : str
    levers : dict
        Lever name (of the survey's :class:`~valuekit.survey.levers.LeverSet`) to its value;
        levers left out are 0. Checked against the levers when applied.
    segments : list, optional
        Apply only to customers of these segments (default: everyone).
    description : str
    built_on : dict, optional
        What the scenario was made on (:meth:`ScenarioEngine.stamp`): ``survey`` (the
        codebook's file), ``items`` and ``levers`` (short fingerprints of the codebook's
        benefit and sacrifice items and of the lever definitions) and ``segment_names``
        (the name of each segment of ``segments``, in English). An engine refuses to apply
        a scenario whose record does not match it (:meth:`ScenarioEngine.check`); a
        scenario without one is applied as it is.

    Raises
    ------
    ParameterError
        A name that is not text, levers that are not a mapping of lever name to a finite
        number, segments that are not a non-empty list, a description that is not text.
        A name or description holding an unpaired surrogate (it could not be saved).
        A ``built_on`` that is not a mapping of text. (:meth:`from_dict` and :meth:`load`
        raise :class:`ScenarioError` naming the key.)

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "cheaper", "levers": {"price": -10}})
    >>> s.levers
    {'price': -10.0}
    >>> Scenario.from_dict({"name": "x", "levers": {"price": "ten"}})
    Traceback (most recent call last):
    ...
    valuekit.errors.ScenarioError: scenario key 'levers.price': expected a number, got 'ten'
    """

    name: str = "scenario"
    levers: dict[str, float] = field(default_factory=dict)
    segments: tuple | None = None
    description: str = ""
    built_on: dict | None = None

    def __post_init__(self):
        _check.text("name", self.name)
        for key in ("name", "description"):
            if isinstance(getattr(self, key), str) and (problem := _unpaired(getattr(self, key))):
                raise ParameterError(f"{key}: {problem}", name=key)
        _check.instance("levers", self.levers, dict, "a mapping of lever name to value")
        levers = {}
        for key, value in self.levers.items():
            _check.text("levers", key)  # a lever's name
            levers[key] = _check.number(f"levers[{key!r}]", value)
        object.__setattr__(self, "levers", levers)
        if self.segments is not None:
            if not isinstance(self.segments, (list, tuple)) or not self.segments:
                raise ParameterError(f"segments: expected a non-empty list of segments or None, "
                                     f"got {self.segments!r}", name="segments")
            object.__setattr__(self, "segments", tuple(self.segments))
        _check.text("description", self.description, allow_empty=True)
        if self.built_on is not None:
            try:
                built_on = _built_on(self.built_on, self.segments)
            except ScenarioError as err:
                raise ParameterError(f"built_on: {err}", name="built_on") from None
            object.__setattr__(self, "built_on", built_on)

    @classmethod
    def from_dict(cls, spec: Any, *, source: str = "scenario") -> "Scenario":
        """Validate a parsed scenario's shape; errors name the key."""
        if not isinstance(spec, dict):
            raise ScenarioError(f"{source}: expected a mapping with keys {sorted(_KEYS)}, got {type(spec).__name__}")
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            hint = " (levers are listed under 'levers:')" if unknown[0] == "communication" else ""
            raise ScenarioError(f"scenario key '{unknown[0]}': unknown key; expected some of {sorted(_KEYS)}{hint}")
        name = spec.get("name", "scenario")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"scenario key 'name': expected text, got {name!r}")
        for key in ("name", "description"):
            if isinstance(spec.get(key), str) and (problem := _unpaired(spec[key])):
                raise ScenarioError(f"scenario key '{key}': {problem}")
        levers_in = spec.get("levers")  # 0, [] or "" are mistakes, not "no change": refuse them
        levers_in = {} if levers_in is None else levers_in
        if not isinstance(levers_in, dict):
            raise ScenarioError(f"scenario key 'levers': expected a mapping of lever to value, got {levers_in!r}")
        levers = {str(k): _number(v, f"levers.{k}") for k, v in levers_in.items()}
        segments = spec.get("segments")
        if segments is not None:
            if not isinstance(segments, list) or not segments:
                raise ScenarioError(f"scenario key 'segments': expected a non-empty list of segments, got {segments!r}")
            segments = tuple(segments)
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise ScenarioError(f"scenario key 'description': expected text, got {description!r}")
        built_on = spec.get("built_on")
        if built_on is not None:
            built_on = _built_on(built_on, segments)
        return cls(name=name.strip(), levers=levers, segments=segments, description=description, built_on=built_on)

    def to_dict(self) -> dict:
        """The scenario as plain data (name, the levers moved, segments, description, what it was
        built on), as saved to a scenario file."""
        out = {"name": self.name, "levers": {k: v for k, v in self.levers.items() if v}}
        if self.segments is not None:
            out["segments"] = [s.item() if isinstance(s, np.generic) else s for s in self.segments]
        if self.description:
            out["description"] = self.description
        if self.built_on:
            out["built_on"] = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in self.built_on.items()}
        return out

    def problems(self, levers: LeverSet, segments: list | None = None) -> list[str]:
        """Everything in this scenario that does not apply to these levers (and segments)."""
        out = []
        for key, value in self.levers.items():
            if key not in levers:
                out.append(f"lever '{key}' is not a lever of this survey ({levers.source}: {', '.join(levers.levers)})")
                continue
            lever = levers[key]
            if not lever.low <= value <= lever.high:
                out.append(f"lever '{key}': {value:g} {lever.unit} is out of its range "
                           f"[{lever.low:g}, {lever.high:g}]")
        if self.segments is not None and segments is not None:
            unknown = [s for s in self.segments if s not in segments]
            if unknown:
                out.append(f"segment(s) {unknown} do not exist; segments are {segments}")
        return out

    def save(self, path: str | Path) -> Path:
        """Write the scenario as YAML (``.yaml``/``.yml``) or JSON (``.json``), in UTF-8.

        Raises
        ------
        ParameterError
            ``path`` is not a path, or does not end in .yaml, .yml or .json.
        FileError
            ``path`` is a folder, its folder does not exist or cannot be written, or the
            write fails (checked before anything is written).
        """
        path = _check.path("path", path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            raise ParameterError(f"path: save a scenario as .yaml, .yml or .json, got {_check.shown(path.name)}",
                                 name="path")
        path = _check.output_file("path", path, "scenario file")
        _check.write_text(path, _file_text(self.to_dict(), suffix), "scenario file")
        return path

    def save_in(self, folder: str | Path, suffix: str = ".yaml", *, max_bytes: int | None = None) -> Path:
        """Write the scenario into ``folder`` under a file name made from its name
        (:func:`scenario_file_name`), never over a file already there: a name taken (in
        any letter case or Unicode spelling, as on Windows and macOS) gets ``_2``, ``_3``,
        ... The scenario's own name is kept inside the file, as it was typed.

        Parameters
        ----------
        folder : str or Path
            Created if missing.
        suffix : {".yaml", ".yml", ".json"}
        max_bytes : int, optional
            The longest file name, in UTF-8 bytes, at least 16 (default, and never more
            than: what the folder's file system takes, ``os.pathconf(folder,
            "PC_NAME_MAX")``, or 255 where unknown).

        Returns
        -------
        Path
            The file written (its name says whether it was renamed).

        Raises
        ------
        ParameterError
            A suffix other than .yaml, .yml, .json, or ``max_bytes`` below 16.
        FileError
            The folder cannot be created or written.
        """
        suffix = _check.choice("suffix", suffix, (".yaml", ".yml", ".json"))
        folder = _check.output_dir("folder", folder, "scenario folder")
        limit = _name_max(folder)
        if max_bytes is not None:
            limit = min(limit, _check.integer("max_bytes", max_bytes, min=16))
        taken = {_file_key(p.name) for p in folder.iterdir()}
        text = _file_text(self.to_dict(), suffix)
        for k in range(1, 100_000):
            tail = ("" if k == 1 else f"_{k}") + suffix
            name = scenario_file_name(self.name, tail, max_bytes=limit)
            if _file_key(name) in taken:
                continue
            path = folder / name
            try:
                with open(path, "x", encoding="utf-8") as f:  # exclusive: never over a file that appeared meanwhile
                    f.write(text)
            except FileExistsError:
                taken.add(_file_key(name))
                continue
            except OSError as err:
                raise FileError(f"cannot write the scenario file '{path}': {err.strerror or err}",
                                path=str(path)) from None
            return path
        raise FileError(f"folder: no free file name for scenario {_check.shown(self.name)} in '{folder}'",
                        path=str(folder))

    @classmethod
    def load(cls, path: str | Path) -> "Scenario":
        """Read a scenario file: JSON (``.json``) or YAML (anything else); nothing in it is executed.

        Read with :func:`valuekit._validate.yamlfile.read_file`: the safe loader, UTF-8, UTF-16/32 or
        Windows-1252 text, at most 4 MiB.

        Raises
        ------
        ScenarioError
            The file is missing, not YAML / JSON, a key is wrong or given twice (with its
            line), or it is refused: bigger than 4 MiB, nesting deeper than 50 levels, or
            aliases expanding to more than 1,000,000 values. The message names the file.
        ParameterError
            ``path`` is not a path (e.g. None or a number).
        """
        path = _check.path("path", path)
        try:
            spec = _read_file(path, what="scenario file", error=ScenarioError, loader=_ScenarioLoader)
        except OSError as err:  # a name the file system refuses (too long), a file that cannot be opened
            raise ScenarioError(f"{_check.shown(path.name)}: cannot read the scenario file: {err.strerror or err}") \
                from None
        try:
            return cls.from_dict(spec, source=path.name)
        except ScenarioError as err:
            message = str(err)
            raise ScenarioError(message if message.startswith(f"{path.name}: ") else f"{path.name}: {message}") from None


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing a text that holds a line break YAML would fold on
    reading (U+0085, U+2028, U+2029) or any character that is not printable in double
    quotes, where it is escaped: every name is read back as it was written."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    quoted = not text.isprintable() or any(c in text for c in "\x85\u2028\u2029")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"' if quoted else None)


_Dumper.add_representer(str, _represent_text)


def _file_text(spec: dict, suffix: str) -> str:
    """A scenario's file: JSON (``.json``) or YAML, in which every text reads back as written."""
    if suffix == ".json":
        return json.dumps(spec, indent=2) + "\n"
    return yaml.dump(spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def _unpaired(text: str) -> str | None:
    """Why ``text`` cannot be saved as UTF-8 (an unpaired surrogate, and where), or None."""
    for i, c in enumerate(text):
        if "\ud800" <= c <= "\udfff":
            return (f"an unpaired surrogate U+{ord(c):04X} at character {i + 1}; expected text that can be saved "
                    "as UTF-8")
    return None


#: Names Windows reserves for devices, in any letter case and with any suffix.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{dev}{i}" for dev in ("COM", "LPT") for i in "123456789¹²³")}


def scenario_file_name(name: str, suffix: str = ".yaml", *, max_bytes: int = 255) -> str:
    """A file name for a scenario called ``name``, safe on Linux, macOS and Windows.

    Letters, marks and digits of any script, ``-`` and ``_`` are kept (NFC-normalised);
    anything else (path separators, dots, spaces, punctuation, control characters, bidi
    and other invisible format marks, line separators) becomes ``_``, runs of ``_``
    become one and none is left at either end. A name Windows reserves (``CON``,
    ``NUL``, ``COM1``, ...) gets a trailing ``_``; a name with nothing left is
    ``scenario``. The result, with ``suffix``, fits in ``max_bytes`` UTF-8 bytes, cut
    between characters (never inside a character, nor before a combining mark). Distinct
    names can give the same file name: :meth:`Scenario.save_in` keeps them apart.

    >>> scenario_file_name("Cut waiting time / 10% (Q3)")
    'Cut_waiting_time_10_Q3.yaml'
    >>> scenario_file_name("../../etc/passwd\u202e"), scenario_file_name("con"), scenario_file_name("...")
    ('etc_passwd.yaml', 'con_.yaml', 'scenario.yaml')
    >>> len(scenario_file_name("é" * 300).encode())
    255
    """
    _check.text("name", name)
    suffix = _check.text("suffix", suffix, allow_empty=True)
    max_bytes = _check.integer("max_bytes", max_bytes, min=1)
    budget = max_bytes - len(suffix.encode("utf-8", "surrogatepass"))
    if budget < 4:  # one character of up to 4 bytes
        raise ParameterError(f"max_bytes: {max_bytes} bytes leave no room for a name before {suffix!r}",
                             name="max_bytes")
    text = unicodedata.normalize("NFC", name)
    chars = [c if unicodedata.category(c)[0] in "LMN" or c in "-_" else "_" for c in text]
    stem = "_".join(part for part in "".join(chars).split("_") if part)
    if stem.upper() in _RESERVED:
        stem += "_"
    stem = stem or "scenario"
    size, cut = 0, len(stem)
    for i, c in enumerate(stem):
        size += len(c.encode("utf-8"))
        if size > budget:
            cut = i
            break
    while 0 < cut < len(stem) and unicodedata.category(stem[cut])[0] == "M":  # keep a letter with its marks
        cut -= 1
    if cut < len(stem):
        stem = stem[:cut].rstrip("_") or "scenario"[:budget]
    return stem + suffix


def _file_key(name: str) -> str:
    """A file name as case-blind, normalising file systems see it (Windows, macOS)."""
    return unicodedata.normalize("NFC", name).casefold()


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of ``folder`` takes (255 where unknown)."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no pathconf on Windows: its limit is 255 characters
        return 255


def _built_on(spec: Any, segments: tuple | None) -> dict:
    """Validate a scenario's ``built_on`` record; errors name the key."""
    if not isinstance(spec, dict):
        raise ScenarioError(f"scenario key 'built_on': expected a mapping with some of {sorted(_BUILT_ON_KEYS)}, "
                            f"got {spec!r:.80}")
    unknown = sorted(set(spec) - _BUILT_ON_KEYS)
    if unknown:
        raise ScenarioError(f"scenario key 'built_on.{unknown[0]}': unknown key; expected some of "
                            f"{sorted(_BUILT_ON_KEYS)}")
    out = {}
    for key in ("survey", "items", "levers"):
        if key in spec:
            if not isinstance(spec[key], str) or not spec[key].strip():
                raise ScenarioError(f"scenario key 'built_on.{key}': expected text, got {spec[key]!r}")
            out[key] = spec[key].strip()
    if "segment_names" in spec:
        names = spec["segment_names"]
        if (segments is None or not isinstance(names, (list, tuple)) or len(names) != len(segments)
                or not all(isinstance(x, str) for x in names)):
            raise ScenarioError(f"scenario key 'built_on.segment_names': expected a list of text, one name for "
                                f"each of the scenario's segments {list(segments or [])}, got {names!r:.80}")
        out["segment_names"] = tuple(names)
    return out


def _fingerprint(parts: Any) -> str:
    """A short, stable fingerprint of JSON-able ``parts`` (8 hex digits of SHA-1)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def _items_fingerprint(cb: Codebook) -> str:
    """The benefit and sacrifice items a scenario's levers act on: name, role, block, scale, keying."""
    return _fingerprint([[c, cb.items[c].role, cb.items[c].block, cb.items[c].scale.min, cb.items[c].scale.max,
                          bool(cb.items[c].reverse)] for c in sorted(cb.value_items)])


def _levers_fingerprint(levers: LeverSet) -> str:
    """What each lever does (how, what it moves and by how much, range, target); not its wording."""
    return _fingerprint([[lv.name, lv.how, sorted(lv.effects.items()), lv.low, lv.high, lv.target]
                         for lv in sorted(levers, key=lambda lv: lv.name)])


@dataclass(frozen=True)
class OutcomeModel:
    """How block scores move an outcome: slopes, their bootstrap replicates, R², n and the
    model's overall test.

    Attributes
    ----------
    name : str
        The outcome's codebook name.
    label : str or dict
        Its label, or labels by language.
    slopes : Series
        Outcome change per point of each block (:func:`valuekit.analyse.drivers.outcome_slopes`).
    boot : DataFrame
        The slopes refitted on bootstrap resamples (:func:`valuekit.analyse.drivers.bootstrap_slopes`).
    r2 : float
        The model's R².
    n : int
        Respondents the model was fitted on.
    adj_r2 : float
        Its adjusted R² (NaN: not computed, and the model's changes are withheld).
    p : float
        Its overall test's p (NaN: not computed).
    test : str
        That test: "F", or "Rao-Scott likelihood ratio" with unequal weights or a design.
    """

    name: str
    label: str | dict
    slopes: pd.Series
    boot: pd.DataFrame
    r2: float
    n: int
    adj_r2: float = float("nan")
    p: float = float("nan")
    test: str = ""

    @classmethod
    def from_slopes(cls, name: str, label: str | dict, slopes: pd.Series, boot: pd.DataFrame) -> OutcomeModel:
        """The model of :func:`~valuekit.analyse.drivers.outcome_slopes` (its ``attrs`` give R², n
        and the overall test) and its bootstrap replicates."""
        a = slopes.attrs
        return cls(name, label, slopes, boot, float(a["r2"]), int(a["n"]), float(a.get("adj_r2", np.nan)),
                   float(a.get("model_p", np.nan)), str(a.get("model_test", "")))


@share_docs
class ScenarioEngine:
    """Applies scenarios to the item answers of every scored customer, vectorised.

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``) with the codebook's item columns.
    scorer : ValueScorer
        The fitted scorer: scenarios are rescored with it.
    levers : LeverSet, path or None
        The survey's levers (:func:`valuekit.survey.levers.read_levers`; ``None``: the codebook's
        section or the derived default).
    {segments}
    outcomes : list of OutcomeModel, optional
        Driver models for the predicted outcome changes.
    {weights}
    {design}
        With unequal weights or a design the shares' and changes' intervals are
        design-based (Taylor linearization; each customer their own cluster when only
        weights are given).
    confidence : float, default 0.95
    {settings}
        An outcome's changes are shown only from a model whose overall test is below
        ``alpha`` after adjustment (``adjust``) across the outcomes and whose adjusted R²
        reaches ``min_adj_r2``.

    Raises
    ------
    ParameterError
        An argument of the wrong type or out of range (``confidence`` outside (0, 1), an
        unfitted scorer, ...), before any work.
    """

    def __init__(self, data: pd.DataFrame, scorer: ValueScorer, levers=None, *, segments: pd.Series | None = None,
                 outcomes: list[OutcomeModel] | None = None, weights=None, design: SurveyDesign | None = None,
                 confidence: float = 0.95, settings: Evidence | dict | None = None):
        _check.instance("data", data, pd.DataFrame, "the survey's data (a DataFrame, Survey.data)")
        if not isinstance(scorer, ValueScorer) or not hasattr(scorer, "codebook_"):
            raise ParameterError(f"scorer: expected a fitted ValueScorer, got {scorer!r:.80}", name="scorer")
        levers = _lever_arg("levers", levers)
        _check.instance("segments", segments, pd.Series, "a Series of segments", optional=True)
        _check.instance("outcomes", outcomes, (list, tuple), "a list of OutcomeModel", optional=True)
        if any(not isinstance(m, OutcomeModel) for m in outcomes or []):
            raise ParameterError("outcomes: expected a list of OutcomeModel", name="outcomes")
        confidence = _check.fraction("confidence", confidence)
        self.settings = settings_arg(settings)
        design = design_arg(design, data.index)

        cb = scorer.codebook_
        cb.require_sacrifices("the what-if scenario engine")
        self.codebook = cb
        self.scorer = scorer
        self.levers = read_levers(levers, cb)
        if self.levers.codebook is not cb and set(self.levers.codebook.value_items) != set(cb.value_items):
            raise ScenarioError(f"levers {self.levers.source} were checked against another codebook "
                                f"({self.levers.codebook.source}) than the scorer's ({cb.source})")
        self.dimensions, self.sacrifices = cb.dimensions, cb.sacrifices
        self.blocks = self.dimensions + self.sacrifices
        self.items = list(scorer.feature_names_in_)
        self._item_col = {c: j for j, c in enumerate(self.items)}
        self._a, self._b = item_maps(cb, self.items)
        self.scale = scorer.scale_
        self.confidence = confidence

        M = item_matrix(data, cb, self.items)
        _, _, _, ratio_all, _, _, _ = scorer.score_items(M)
        scored = np.isfinite(ratio_all)
        self.n_unscored = int((~scored).sum())
        self.index = data.index[scored]
        self.M = np.ascontiguousarray(M[scored])
        self.w = survey_weights(weights, len(data), index=data.index)[scored]
        self._set_segments(segments, data.index, scored)
        if design is None and unequal_weights(self.w):
            design = SurveyDesign(data.index)
        self.design = None if design is None else design.aligned(self.index)
        self.segment_names: dict = {}  # {lang: {segment: name}}, set by build_engine
        self.outcomes = list(outcomes or [])
        for model in self.outcomes:
            missing = [b for b in self.blocks if b not in model.slopes.index]
            if missing:
                raise ValueError(f"outcome model '{model.name}' has no slope for {missing}")
        self._outcome_p = _adjusted_p(self.outcomes, self.settings["adjust"])
        self._outcome_range = self._outcome_ranges(data.iloc[np.flatnonzero(scored)])
        self._scored = scorer.score_items(self.M)  # the customers' own result: what scenarios start from
        base = self._unpack(self._scored)
        self.base, self.base_ratio, self.base_code = base["blocks"], base["ratio"], base["code"]

    def _outcome_ranges(self, data: pd.DataFrame) -> dict:
        """Outcome -> (each group's weighted mean now, the lowest and highest it can be): the
        scale of its question (of its items, when they share one), -100 to 100 for the NPS.
        An outcome whose answers are not in ``data`` has none."""
        cb, out = self.codebook, {}
        for model in self.outcomes:
            if model.name == "nps":
                values, bounds = _nps_outcome(data, cb), (-100.0, 100.0)
            else:
                col = cb.outcomes.get(model.name)
                items = cb.scales.get(model.name, [col]) if col else []
                scales = {(cb.items[i].scale.min, cb.items[i].scale.max) for i in items if i in cb.items}
                values = data[col] if col in data.columns else None
                bounds = scales.pop() if len(scales) == 1 and len(items) == sum(i in cb.items for i in items) else None
            if values is None or bounds is None:
                continue
            y = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            seen = np.isfinite(y)
            w, yw = self.w * seen, np.where(seen, y, 0.0) * self.w
            groups = [(w.sum(), yw.sum())]
            if len(self._levels()) > 1:
                groups += zip(self._seg_onehot.T @ w, self._seg_onehot.T @ yw)
            with np.errstate(invalid="ignore", divide="ignore"):
                base = np.array([t / n if n > 0 else np.nan for n, t in groups])
            out[model.name] = (base, *bounds)
        return out

    def _set_segments(self, segments: pd.Series | None, index: pd.Index, scored: np.ndarray) -> None:
        """Each scored customer's segment (``"all"`` without segments, :data:`NO_SEGMENT`
        for one without), the segments in order, and each customer's segment as a code and
        as a one-hot row (for per-segment sums)."""
        seg = pd.Series("all", index=index) if segments is None else segments.reindex(index)
        self.segments = np.array([(NO_SEGMENT if pd.isna(v) else v) for v in seg.astype(object).to_numpy()[scored]],
                                 dtype=object)
        self.segment_levels = group_order(self.segments)
        level_code = {level: g for g, level in enumerate(self.segment_levels)}
        self._seg_code = np.array([level_code[v] for v in self.segments], dtype=np.intp)
        self._seg_onehot = np.zeros((len(self._seg_code), len(self.segment_levels)))
        self._seg_onehot[np.arange(len(self._seg_code)), self._seg_code] = 1.0

    # -- the model ----------------------------------------------------------------------
    def _score(self, M: np.ndarray, changed: list[int]) -> dict:
        """Score an item matrix that differs from the customers' own answers in the item
        columns ``changed``: only the blocks holding them are averaged again."""
        return self._unpack(self.scorer.score_items(M, base=self._scored, changed=changed))

    def _unpack(self, result: tuple) -> dict:
        scores, benefits, sacrifices, ratio, _, code, _ = result
        return {"blocks": scores[:, :len(self.blocks)], "benefits": benefits, "sacrifices": sacrifices,
                "ratio": ratio, "code": code.astype(np.int64)}

    def built_on(self, segments: tuple | list | None = None) -> dict:
        """What this engine is: the codebook's file, fingerprints of its items and levers,
        and the English name of each of ``segments`` (as :attr:`Scenario.built_on` records)."""
        out = {"survey": self.codebook.source, "items": _items_fingerprint(self.codebook),
               "levers": _levers_fingerprint(self.levers)}
        names = self.segment_names.get("en", {})
        if segments and all(s in names or s == NO_SEGMENT for s in segments):
            out["segment_names"] = tuple(names.get(s, ui_text("ui_no_segment", "en")) for s in segments)
        return out

    def stamp(self, scenario: Scenario) -> Scenario:
        """The scenario with a record of this engine (:meth:`built_on`), to save with it.

        Raises :class:`ScenarioError` if it does not apply to this engine."""

        self.check(scenario)
        return replace(scenario, built_on=self.built_on(scenario.segments))

    def check(self, scenario: Scenario) -> None:
        """Raise :class:`ScenarioError` listing everything in the scenario that does not apply:
        unknown levers, values out of range, unknown segments, and (when the scenario records
        what it was built on) another survey, other levers or segments now named differently."""
        _check.instance("scenario", scenario, Scenario, "a Scenario")
        problems = scenario.problems(self.levers, self.segment_levels) + self._mismatches(scenario)
        if problems:
            raise ScenarioError(f"scenario '{scenario.name}' does not apply to this survey: " + "; ".join(problems))

    def _mismatches(self, scenario: Scenario) -> list[str]:
        """What in ``scenario.built_on`` does not match this engine."""
        was = scenario.built_on
        if not was:  # nothing recorded (every scenario a slider makes): nothing to compare
            return []
        now = self.built_on(scenario.segments)
        out = []
        if "items" in was and was["items"] != now["items"]:
            out.append(f"it was made on the items of survey {was.get('survey', '(unknown)')} (fingerprint "
                       f"{was['items']}), this survey is {now['survey']} (fingerprint {now['items']})")
        if "levers" in was and was["levers"] != now["levers"]:
            out.append(f"its levers were defined differently (fingerprint {was['levers']}) from this survey's "
                       f"levers {self.levers.source} (fingerprint {now['levers']}): the same lever names may "
                       "move other items or by other amounts")
        if "segment_names" in was and scenario.segments is not None:
            names = self.segment_names.get("en", {})
            moved = []
            for seg, old in zip(scenario.segments, was["segment_names"]):
                new = ui_text("ui_no_segment", "en") if seg == NO_SEGMENT else names.get(seg)
                if new != old:
                    where = [s for s, n in names.items() if n == old]
                    moved.append(f"segment {seg} was '{old}' when saved but is "
                                 f"{repr(new) if new is not None else 'unnamed'} here"
                                 + (f" ('{old}' is now segment {where[0]})" if where else ""))
            out.extend(moved)
        if out:
            out.append("remove its 'built_on' record to apply it anyway")
        return out

    def items_after(self, scenario: Scenario) -> np.ndarray:
        """The item matrix (common scale, keyed direction) of every scored customer after the scenario."""
        return self._items_after(scenario)[0]

    def _items_after(self, scenario: Scenario) -> tuple[np.ndarray, list[int]]:
        """The item matrix after the scenario and the columns it may have changed."""
        self.check(scenario)
        lo, hi = self.scale.min, self.scale.max
        active = [(self.levers[k], v) for k, v in scenario.levers.items() if v]
        if not active:
            return self.M, []
        rows = (np.ones(len(self.M), bool) if scenario.segments is None
                else np.isin(self.segments, list(scenario.segments)))
        factor, points, touched = {}, {}, set()
        for lever, value in active:
            for item, weight in lever.effects.items():
                j = self._item_col[item]
                touched.add(j)
                if lever.how == "percent":
                    factor[j] = factor.get(j, 1.0) * (1 + value * weight / 100)
                elif lever.how == "points":  # points on the item's own scale -> common scale
                    points[j] = points.get(j, 0.0) + value * weight * abs(self._b[j])
        M = self.M.copy()
        sub = M[rows] if scenario.segments is not None else M
        for j in sorted(set(factor) | set(points)):
            col = sub[:, j]
            if j in factor:
                col = lo + (col - lo) * factor[j]
            if j in points:
                col = col + points[j]
            sub[:, j] = np.clip(col, lo, hi)
        for lever, value in active:
            if lever.how == "lift_lowest":
                self._lift(sub, lever, value, self.w[rows])
        if scenario.segments is not None:
            M[rows] = sub
        return M, sorted(touched)

    def _lift(self, M: np.ndarray, lever, share: float, w: np.ndarray) -> None:
        cols = [self._item_col[i] for i in lever.effects]
        sacrifice = self.codebook.items[next(iter(lever.effects))].role == "sacrifice"
        block = M[:, cols]
        answered = np.isfinite(block).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            level = np.where(answered > 0, np.nansum(block, axis=1) / answered, np.nan)
        ok = np.flatnonzero(np.isfinite(level))
        badness = level[ok] * (1 if sacrifice else -1)
        order = ok[np.argsort(-badness, kind="stable")]  # worst first
        cum = np.cumsum(w[order])
        chosen = order[np.concatenate([[0.0], cum[:-1]]) < share / 100 * cum[-1]] if len(order) else order
        for item, j in zip(lever.effects, cols):
            s = self.codebook.items[item].scale
            target = self.scale.min + (lever.target - s.min) * abs(self._b[j])
            vals = M[chosen, j]
            M[chosen, j] = np.where(np.isnan(vals), vals, np.minimum(vals, target) if sacrifice
                                    else np.maximum(vals, target))

    def answers_after(self, scenario: Scenario) -> pd.DataFrame:
        """The answers every scored customer would give after the scenario, on each item's own scale."""
        M = self.items_after(scenario)
        return pd.DataFrame((M - self._a) / self._b, index=self.index, columns=self.items)

    def scores_after(self, scenario: Scenario) -> np.ndarray:
        """The block scores (dimensions, then sacrifices) of every scored customer after the scenario."""
        M, touched = self._items_after(scenario)
        return self._score(M, touched)["blocks"] if touched else self.base

    # -- results ------------------------------------------------------------------------
    def apply(self, scenario: Scenario, *, customers: bool = False) -> dict:
        """Apply a scenario.

        Returns
        -------
        dict
            ``summary``: one row for ``all`` and one per segment, with ``customers``,
            ``weighted_customers``, ``n_eff`` (Kish), ``share_destroyed_before``/``after``
            each with ``_low``/``_high`` (Wilson; Korn-Graubard under :attr:`design`),
            ``share_destroyed_change`` with ``_low``/``_high`` (paired: normal on n_eff, or
            t on the design's df with the linearized variance), ``mean_value_ratio_before``/
            ``after``, ``moved_up``, ``moved_down``, ``destroyed_to_better`` (weighted
            counts) and per outcome ``<outcome>_change`` with ``_low``/``_high`` (bootstrap
            percentile), NaN where the outcome model is withheld;
            ``transitions``: verdict before x after (weighted); ``outcomes``: per outcome
            its label, R², adjusted R², the overall test's adjusted p, n and whether it is
            ``shown`` (and why not);
            with ``customers=True``, ``customers``: new block scores, indices, ratio and
            verdict per customer.
        """

        _check.flag("customers", customers)
        M, touched = self._items_after(scenario)
        after = self._score(M, touched) if touched else self._unpack(self._scored)
        ratio, code = after["ratio"].copy(), after["code"].copy()
        if touched:  # a customer whose answers are untouched keeps the scorer's result exactly
            A, B = M[:, touched], self.M[:, touched]
            same = ((A == B) | (np.isnan(A) & np.isnan(B))).all(axis=1)
            ratio[same], code[same] = self.base_ratio[same], self.base_code[same]
        delta = after["blocks"] - self.base
        delta[np.isnan(delta)] = 0.0  # a block the customer left unscored (min_blocks) does not move
        out = {"scenario": scenario, "summary": self._summary(code, ratio, delta),
               "transitions": self._transitions(code), "outcomes": self._outcome_table()}
        if customers:
            frame = pd.DataFrame(after["blocks"], index=self.index, columns=self.blocks)
            frame["benefits"], frame["sacrifices"] = after["benefits"], after["sacrifices"]
            frame["value_ratio"] = ratio
            frame["verdict"] = pd.Categorical.from_codes(code, list(VERDICTS), ordered=True)
            out["customers"] = frame
        return out

    def _levels(self) -> list:
        """Group 0 is everyone, groups 1.. the segments (only when there are two or more)."""
        return ["all", *self.segment_levels] if len(self.segment_levels) > 1 else ["all"]

    def _summary(self, code: np.ndarray, ratio: np.ndarray, delta: np.ndarray) -> pd.DataFrame:
        """One row for ``all`` and one per segment (see :meth:`apply`)."""
        levels, w = self._levels(), self.w
        G = len(levels)

        def wsum(values: np.ndarray) -> np.ndarray:  # weighted sums per group, one pass each
            out = np.empty(G)
            out[0] = values.sum()
            if G > 1:
                out[1:] = np.bincount(self._seg_code, weights=values, minlength=G - 1)
            return out

        before_d, after_d = self.base_code == 0, code == 0
        total = wsum(w)
        n_eff = kish_n(total, wsum(w * w))
        counts = [len(code), *np.bincount(self._seg_code, minlength=G - 1)] if G > 1 else [len(code)]
        p0, p1 = wsum(w * before_d) / total, wsum(w * after_d) / total
        diff = p1 - p0
        d = after_d.astype(float) - before_d
        if self.design is None:
            var = np.empty(G)
            var[0] = wsum(w * (d - diff[0]) ** 2)[0] / total[0]
            if G > 1:
                var[1:] = wsum(w * (d - diff[1:][self._seg_code]) ** 2)[1:] / total[1:]
            half = stats.norm.ppf(0.5 + self.confidence / 2) * np.sqrt(np.maximum(var, 0.0) / n_eff)
            lows, highs = zip(*(wilson_interval(p, n_eff, self.confidence) for p in (p0, p1)))
        else:
            lows, highs, half = self._design_intervals(before_d, after_d, d, p0, p1, np.asarray(counts, float))
        ratio_before, ratio_after = wsum(w * self.base_ratio) / total, wsum(w * ratio) / total
        moved_up, moved_down = wsum(w * (code > self.base_code)), wsum(w * (code < self.base_code))
        to_better = wsum(w * (before_d & ~after_d))
        changes = self._outcome_changes(delta, total)
        rows = []
        for g, level in enumerate(levels):
            row = {"segment": level, "customers": int(counts[g]), "weighted_customers": float(total[g]),
                   "n_eff": float(n_eff[g]), "share_destroyed_before": float(p0[g]),
                   "share_destroyed_after": float(p1[g])}
            for key, low, high in (("before", lows[0], highs[0]), ("after", lows[1], highs[1])):
                row[f"share_destroyed_{key}_low"], row[f"share_destroyed_{key}_high"] = float(low[g]), float(high[g])
            row.update(share_destroyed_change=float(diff[g]), share_destroyed_change_low=float(diff[g] - half[g]),
                       share_destroyed_change_high=float(diff[g] + half[g]),
                       mean_value_ratio_before=float(ratio_before[g]), mean_value_ratio_after=float(ratio_after[g]),
                       moved_up=float(moved_up[g]), moved_down=float(moved_down[g]),
                       destroyed_to_better=float(to_better[g]))
            for model in self.outcomes:
                change, low, high = changes.get(model.name, (None, None, None))
                for suffix, values in (("", change), ("_low", low), ("_high", high)):
                    row[f"{model.name}_change{suffix}"] = np.nan if values is None else float(values[g])
            rows.append(row)
        summary = pd.DataFrame(rows).set_index("segment")
        summary.attrs["confidence"] = self.confidence
        return summary

    def _design_intervals(self, before_d, after_d, d, p0, p1, counts) -> tuple:
        """Under :attr:`design`: each group's Korn-Graubard intervals of the shares destroyed
        before and after, and the half-width of the change's t interval on the design's df,
        from the linearized variances of the three means (R's ``svyby(~before + after + d,
        ~segment, design, svymean)``): each customer's influence on each group's mean,
        w (y - mean) / W within the group and zero outside it, summed over the design's
        clusters (:meth:`valuekit.survey.design.SurveyDesign.variance`; the groups never
        change, so their degrees of freedom are kept from the first call)."""
        w, G = self.w, len(self._levels())
        Y = np.column_stack([before_d, after_d, d]).astype(float)
        means = np.column_stack([p0, p1, p1 - p0])
        total = np.column_stack([w.sum(), *np.bincount(self._seg_code, weights=w, minlength=G - 1)])[0] \
            if G > 1 else np.array([w.sum()])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, 1 / total, 0.0)
            var = [self.design.grouped_variance((w * share[0])[:, None] * (Y - means[0]), np.zeros(len(w), np.intp),
                                                1)]
            if G > 1:  # each customer's influence on their own segment's means
                seg = self._seg_code
                var.append(self.design.grouped_variance((w * share[1:][seg])[:, None] * (Y - means[1:][seg]), seg,
                                                        G - 1))
        var = np.vstack(var)
        if not hasattr(self, "_design_df"):
            present = w > 0
            self._design_df = np.array([self.design.df(present), *[self.design.df(present & (self._seg_code == g))
                                                                    for g in range(G - 1)]], float)
        df = self._design_df
        lows, highs = [], []
        for j, p in enumerate((p0, p1)):
            low, high = korn_graubard(np.clip(p, 0, 1), var[:, j], counts, df, self.confidence)
            lows.append(np.asarray(low, float))
            highs.append(np.asarray(high, float))
        with np.errstate(invalid="ignore"):
            half = stats.t.ppf(0.5 + self.confidence / 2, df) * np.sqrt(np.maximum(var[:, 2], 0))
        return lows, highs, half

    def _outcome_changes(self, delta: np.ndarray, total: np.ndarray) -> dict:
        """Outcome -> (change, low, high) per group, for the outcomes shown: the bootstrap
        percentiles of each model's slopes times the group's weighted mean change of each block."""
        wd = self.w[:, None] * delta
        grouped = [wd.sum(axis=0), *self._seg_onehot.T @ wd] if len(total) > 1 else [wd.sum(axis=0)]
        mean_delta = np.vstack(grouped) / total[:, None]
        alpha = 1 - self.confidence
        changes = {}
        for model in self.outcomes:
            if self._outcome_shown(model)[0]:
                reps = model.boot[self.blocks].to_numpy() @ mean_delta.T  # resamples x groups
                low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
                change = mean_delta @ model.slopes.reindex(self.blocks).to_numpy()
                if model.name in self._outcome_range:  # a straight line does not know the scale ends
                    base, lo, hi = self._outcome_range[model.name]
                    tol = 1e-9 * (hi - lo)  # a mean of all 10s may sum to 10 + 1 ulp: not beyond
                    beyond = np.isfinite(base) & ((base + change < lo - tol) | (base + change > hi + tol))
                    change, low, high = (np.where(beyond, np.nan, v) for v in (change, low, high))
                changes[model.name] = (change, low, high)
        return changes

    def _transitions(self, code: np.ndarray) -> pd.DataFrame:
        """Verdict before x after, weighted, for the customers scored both times."""
        k = len(VERDICTS)
        scored = (self.base_code >= 0) & (code >= 0)
        cells = np.bincount(self.base_code[scored] * k + code[scored], weights=self.w[scored],
                            minlength=k * k).reshape(k, k)
        return pd.DataFrame(cells, index=pd.CategoricalIndex(VERDICTS, categories=VERDICTS, name="before"),
                            columns=pd.CategoricalIndex(VERDICTS, categories=VERDICTS, name="after"))

    def _outcome_table(self) -> pd.DataFrame:
        """Per outcome: its labels, R², adjusted R², adjusted p of its overall test, n and
        whether it is shown (and why not)."""
        return pd.DataFrame(
            [{"outcome": m.name, **{f"label_{x}": _label(m, x) for x in LANGUAGES}, "label": _label(m, "en"),
              "r2": m.r2, "adj_r2": m.adj_r2, "p_adj": self._outcome_p.get(m.name, np.nan), "n": m.n,
              "shown": self._outcome_shown(m)[0], "note": self._outcome_shown(m)[1]}
             for m in self.outcomes],
            columns=["outcome", *[f"label_{x}" for x in LANGUAGES], "label", "r2", "adj_r2", "p_adj", "n", "shown",
                     "note"],
        ).set_index("outcome")

    def _outcome_shown(self, model: OutcomeModel) -> tuple[bool, str]:
        """Whether an outcome's changes are shown: its model passes the driver gate
        (:func:`valuekit.analyse.drivers.model_gate`'s rule: the overall test, adjusted across
        the engine's outcomes, below ``alpha``, the adjusted R² at least ``min_adj_r2``)."""
        s, p, what = self.settings, self._outcome_p.get(model.name, np.nan), _label(model, "en").lower()
        if not np.isfinite(p):
            return False, f"withheld: the overall test of the driver model of {what} was not computed"
        test = f"{model.test or 'overall'} test, adjusted p {_check.p_text(p)}"
        if not p < s["alpha"]:
            return False, f"withheld: the driver model does not explain {what} beyond chance ({test})"
        if not model.adj_r2 >= s["min_adj_r2"]:
            return False, (f"withheld: the driver model explains too little of {what} (adjusted R² "
                           f"{model.adj_r2:.3f} < {s['min_adj_r2']}; {test})")
        return True, (f"R² {model.r2:.2f} (adjusted {model.adj_r2:.2f}), {test}, n = {model.n}, "
                      f"{len(model.boot)} bootstrap resamples")


def _adjusted_p(models: list[OutcomeModel], method: str) -> dict:
    """Each outcome model's overall p adjusted across the models (``method`` as the evidence
    settings' ``adjust``); NaN where the test was not computed."""
    ps = {m.name: m.p for m in models}
    tested = [k for k, p in ps.items() if np.isfinite(p)]
    if tested and method != "none":
        from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

        ps.update(zip(tested, multipletests([ps[k] for k in tested], method=method)[1]))
    return ps


def lever_scenarios(levers: LeverSet, *, fraction: float = 0.5, lang: str = "en") -> list[Scenario]:
    """One scenario per lever: the lever alone, moved ``fraction`` of the way to the end of
    its range that helps customers (more benefit, less sacrifice), rounded to its step.

    A generic first look at any survey's levers: which lever, alone, does most?

    >>> from valuekit import DATA_DIR, DEMO_CODEBOOK
    >>> from valuekit.survey.levers import read_levers
    >>> [s.levers for s in lever_scenarios(read_levers(DATA_DIR / "demo_levers.yaml", DEMO_CODEBOOK))][:3]
    [{'price': -25.0}, {'vat': -5.0}, {'surcharges': -50.0}]

    Raises :class:`~valuekit.errors.ParameterError` for ``levers`` that are not a LeverSet,
    a ``fraction`` outside (0, 1] or a ``lang`` other than en, es, it.
    """
    _check.instance("levers", levers, LeverSet, "a LeverSet (valuekit.survey.levers.read_levers)")
    fraction = _check.number("fraction", fraction, min=0, max=1, min_open=True)
    lang = _check.choice("lang", lang, LANGUAGES)
    out = []
    for lever in levers:
        if lever.how == "lift_lowest":
            helps_up = True
        else:
            roles = [levers.codebook.items[i].role for i in lever.effects]
            helps_up = sum((1 if r == "benefit" else -1) * np.sign(w)
                           for r, w in zip(roles, lever.effects.values())) > 0
        end = lever.high if helps_up else lever.low
        value = round(end * fraction / lever.step) * lever.step
        if value == 0:
            value = end
        single = Scenario(levers={lever.name: float(value)})
        out.append(replace(single, name=format_levers(levers, single, lang)))  # 'Price −25 %', a true minus
    return out


def _nps_outcome(data: pd.DataFrame, codebook: Codebook) -> pd.Series | None:
    """Each respondent's contribution to the NPS (100 a promoter, -100 a detractor, 0 a
    passive; NaN not answered) when the codebook's ``recommend`` outcome is one question asked
    on 0-10; else None.

    The NPS is this column's (weighted) mean, so a linear driver model of it predicts the
    NPS change in points: promoters gained less detractors lost, from the same model as any
    outcome (its overall test and adjusted R² gate it as they gate the others).
    """
    col = codebook.outcomes.get("recommend")
    item = codebook.items.get(col) if col else None
    if item is None or (item.scale.min, item.scale.max) != (0, 10) or col not in data.columns:
        return None
    groups = nps_groups(data, col, codebook=codebook)
    return (100 * (groups["promoter"] - groups["detractor"])).rename("nps")


def _outcome_label(cb: Codebook, name: str, column: str, lang: str) -> str:
    """An outcome's label: the codebook's own (its ``labels:`` for the outcome, then the
    outcome item's ``label``), before the built-in one."""
    tables = (cb.labels.get(name, {}), cb.items[column].labels if column in cb.items else {})
    for language in (lang, "en"):
        for table in tables:
            if table.get(language):
                return table[language]
    return cb.label(name, lang)


def _label(model: OutcomeModel, lang: str) -> str:
    if isinstance(model.label, dict):
        return model.label.get(lang) or model.label.get("en") or model.name
    return model.label


def _scenarios_arg(scenarios: Any) -> list:
    if not isinstance(scenarios, (list, tuple)) or any(not isinstance(s, Scenario) for s in scenarios):
        raise ParameterError(f"scenarios: expected a list of Scenario, got {scenarios!r:.80}", name="scenarios")
    return list(scenarios)


def _engine_segment(engine: Any, segment: Any) -> Any:
    """Check ``engine`` and that ``segment`` is a row of its summaries ('all' or a segment)."""
    _check.instance("engine", engine, ScenarioEngine, "a ScenarioEngine (build_engine)")
    levels = ["all", *engine.segment_levels] if len(engine.segment_levels) > 1 else ["all"]
    return _check.choice("segment", segment, levels)


def scenario_names(scenarios: list[Scenario]) -> list[str]:
    """The scenarios' names, made distinct: a name given again gets " (2)", " (3)", ...

    The columns of :func:`compare_scenarios`, the rows of :func:`format_comparison`, the
    bars of the comparison chart and the deck all use these, so two scenarios that share a
    name are both shown, and shown apart.

    >>> scenario_names([Scenario(name="a"), Scenario(name="b"), Scenario(name="a")])
    ['a', 'b', 'a (2)']
    """
    scenarios = _scenarios_arg(scenarios)
    out, taken = [], set()
    for scenario in scenarios:
        name, k = scenario.name, 1
        while name in taken:
            k += 1
            name = f"{scenario.name} ({k})"
        taken.add(name)
        out.append(name)
    return out


def compare_scenarios(engine: ScenarioEngine, scenarios: list[Scenario], *, segment="all") -> pd.DataFrame:
    """Scenarios side by side: one column per scenario (named by :func:`scenario_names`),
    rows from each summary (one segment).

    Raises :class:`~valuekit.errors.ParameterError` for an ``engine`` that is not a
    ScenarioEngine, ``scenarios`` that are not a list of Scenario, or a ``segment`` that is
    neither ``"all"`` nor one of the engine's segments.

    Parameters
    ----------
    engine : ScenarioEngine
        The engine the scenarios are applied with.
    scenarios : list of Scenario
        The saved scenarios, in the order of the columns.
    segment : "all" or a segment, default "all"
        Whose results are compared.
    """
    segment = _engine_segment(engine, segment)
    scenarios = _scenarios_arg(scenarios)
    columns = {}
    for name, scenario in zip(scenario_names(scenarios), scenarios):
        summary = engine.apply(scenario)["summary"]
        columns[name] = summary.loc[segment]
    return pd.DataFrame(columns)


@share_docs
def build_engine(survey, levers=None, *, n_segments: int | None = 4, method: str = "kmeans", random_state=None,
                 scorer: ValueScorer | None = None, n_boot: int = 200, lang: str = "en",
                 cache_dir: str | Path | None = None) -> tuple[ScenarioEngine, dict, dict]:
    """Score, segment and fit the outcome models of a loaded survey; return the engine.

    The one recipe the what-if notebook, the dashboard and their tests share;
    ``levers`` as in :func:`valuekit.survey.levers.read_levers`; ``n_segments=None`` takes
    :func:`valuekit.analyse.segments.suggest_n_segments`. Returns
    ``(engine, segment_names, outcome_labels)`` in ``lang``; ``engine.segment_names`` has
    the names in every language (``{lang: {segment: name}}``), for the language switch.

    Raises :class:`~valuekit.errors.ParameterError`, before any work, for a ``survey``
    that is not a loaded survey, ``n_segments`` below 2, a ``method`` other than kmeans or
    gmm, a ``random_state`` that is not None or a whole number from 0 to 2**32 - 1, an
    ``n_boot`` below 1, a ``lang`` other than en, es, it, or ``levers``/``scorer`` of the
    wrong type.

    Parameters
    ----------
    survey : Survey
        A loaded survey (:func:`~valuekit.load_survey`).
    levers : LeverSet, path or None
        As :func:`valuekit.survey.levers.read_levers`; None: one lever per dimension and sacrifice.
    n_segments : int or None, default 4
        Segments (at least 2); None: :func:`valuekit.analyse.segments.suggest_n_segments`.
    method : {"kmeans", "gmm"}, default "kmeans"
        As :class:`~valuekit.ValueSegmenter`.
    {random_state}
    scorer : ValueScorer, optional
        The scorer to fit (its options kept); None: ``ValueScorer(survey.codebook)``.
    n_boot : int, default 200
        Bootstrap resamples of each outcome model (the intervals of predicted changes).
    {lang}
    cache_dir : str or Path, optional
        Keep the expensive state (segments, their names, the outcome models and their
        bootstrap draws) in this folder, keyed by the survey's answers, its codebook and
        these settings (:mod:`valuekit.decide.engine_cache`), and read it back on the next
        build: the same engine in a fraction of the time. Not used with a ``scorer`` of
        one's own. ``engine.cache`` says whether the state was read or computed.
    """

    if not (isinstance(getattr(survey, "codebook", None), Codebook)
            and isinstance(getattr(survey, "data", None), pd.DataFrame)):
        raise ParameterError(f"survey: expected a loaded survey (valuekit.load_survey), got {survey!r:.80}",
                             name="survey")
    levers = _lever_arg("levers", levers)
    if n_segments is not None:
        n_segments = _check.integer("n_segments", n_segments, min=2)
    method = _check.choice("method", method, SEGMENT_METHODS)
    random_state = seed_arg("random_state", random_state)
    _check.instance("scorer", scorer, ValueScorer, "a ValueScorer", optional=True)
    n_boot = _check.integer("n_boot", n_boot, min=1)
    lang = _check.choice("lang", lang, LANGUAGES)

    cb = survey.codebook
    cb.require_sacrifices("the what-if scenario engine")
    levers = read_levers(levers, cb)
    cached = cache_dir is not None and scorer is None
    if cache_dir is not None:
        cache_dir = _check.output_dir("cache_dir", cache_dir, "engine cache folder")
    scorer = (scorer or ValueScorer(cb)).fit(survey.data)
    settings = {"n_segments": n_segments, "method": method, "random_state": random_state, "n_boot": n_boot}
    key = engine_key(survey, settings) if cached else None
    state = load_engine_state(cache_dir, key) if cached else None
    read, kept = state is not None, ""
    if state is None:
        state = _engine_state(survey, scorer, n_segments=n_segments, method=method, random_state=random_state,
                              n_boot=n_boot)
        if cached:
            try:
                save_engine_state(cache_dir, key, state)
            except OSError as err:  # a full disk, a folder gone: the engine works, the state is not kept
                kept = f"; not kept: {err.strerror or err}"
    models = [OutcomeModel.from_slopes(m["name"], m["label"], m["slopes"], m["boot"]) for m in state["models"]]
    engine = ScenarioEngine(survey.data, scorer, levers, segments=state["segments"], outcomes=models,
                            weights=survey.weights, design=getattr(survey, "design", None))
    engine.segment_names = state["names"]
    engine.cache = ("not kept" if not cached else f"read from {cache_dir}" if read
                    else f"computed{kept}" if kept else f"computed; kept in {cache_dir}")
    return engine, state["names"][lang], {m.name: _label(m, lang) for m in models}


def _engine_state(survey, scorer, *, n_segments, method, random_state, n_boot) -> dict:
    """The engine's expensive part: segments, their names in every language, the outcome
    models and their bootstrap draws (see :func:`build_engine`)."""
    cb = survey.codebook
    scores = scorer.transform(survey.data)
    if n_segments is None:
        n_segments = suggest_n_segments(scores, cb, method=method, random_state=random_state)
    segmenter = ValueSegmenter(cb, n_segments=n_segments, method=method, random_state=random_state).fit(scores)
    segments = segmenter.labels_
    # segments no more distinct than slices of one population get neutral names
    structure = segment_structure(segmenter, scores, random_state=random_state)
    # names in every language from one (survey-weighted) comparison table
    blocks = cb.dimensions + cb.sacrifices
    comparisons = compare_groups(scores, {segments.name or "segment": segments}, codebook=cb,
                                 weights=survey.weights, design=getattr(survey, "design", None),
                                 measures=blocks + ["benefits", "sacrifices"])
    names_by_lang = {x: segment_profiles(scores, segments, codebook=cb, weights=survey.weights,
                                         comparisons=comparisons, structure=structure, lang=x)["name"]
                     .drop("unassigned", errors="ignore").to_dict() for x in LANGUAGES}
    data = scores.join(survey.data[list(cb.outcomes.values())])
    outcomes = dict(cb.outcomes)
    nps = _nps_outcome(survey.data, cb)
    if nps is not None:  # the NPS, modelled as each respondent's -100 / 0 / 100
        column = "nps"
        while column in data.columns:  # the recommend question may itself be called nps
            column += "_points"
        data, outcomes["nps"] = data.join(nps.rename(column)), column
    models = []
    for name, col in outcomes.items():
        slopes = outcome_slopes(data, col, blocks, weights=survey.weights, design=getattr(survey, "design", None))
        boot = bootstrap_slopes(data, col, blocks, weights=survey.weights, design=getattr(survey, "design", None), n_boot=n_boot,
                                random_state=random_state)
        labels = {x: _outcome_label(cb, name, col, x) for x in LANGUAGES}
        models.append({"name": name, "label": labels, "slopes": slopes, "boot": boot, "r2": slopes.attrs["r2"],
                       "n": slopes.attrs["n"]})
    return {"segments": segments, "names": names_by_lang, "models": models}


# -- presentation: the same words and numbers on the page, in the notebook and in the deck ----

def segment_label(segment: Any, names: dict | None = None, lang: str = "en") -> str:
    """How a row of a summary is shown: "All customers", "2: bargain hunters", or, for the
    scored customers the segmenter left without a segment (:data:`NO_SEGMENT`), "No segment
    (incomplete profile)"; in ``lang``."""
    _check.choice("lang", lang, LANGUAGES)
    names = _check.instance("names", names, dict, "a mapping of segment to name", optional=True) or {}
    if isinstance(segment, str) and segment == "all":
        return ui_text("ui_all_customers", lang)
    if isinstance(segment, str) and segment == NO_SEGMENT:
        return ui_text("ui_no_segment", lang)
    return f"{segment}: {names[segment]}" if segment in names else str(segment)


def _pct(v: float, lang: str = "en") -> str:
    """'19.7%', '19,7 %': a share as a percentage, in ``lang``'s conventions (Babel)."""
    return format_number(v, "percent", lang)


def _sep(lang: str) -> str:
    """Between an interval's two ends: ', ', or '; ' where the decimal mark is a comma."""
    return "; " if format_number(0.5, "decimal", lang, digits=1) == "0,5" else ", "


def _signed(v: float, digits: int = 1, lang: str = "en") -> str:
    """'+1.3', '−0.04' ('+1,3' in es, it): with a sign, and with more decimals than
    ``digits`` where fewer would print a number that is not zero as zero (only 0 itself
    reads '±0.0')."""
    if abs(v) < 1e-9:  # zero, or the rounding noise of a difference of equal sums
        return "±" + format_number(0.0, "decimal", lang, digits=digits)
    while f"{abs(v):.{digits}f}".strip("0.") == "" and digits < 6:
        digits += 1
    return ("+" if v > 0 else "\u2212") + format_number(abs(v), "decimal", lang, digits=digits)


def _interval_digits(values: list[float], digits: int) -> int:
    """Decimals (at least ``digits``, at most 6) for an estimate and its interval, all alike:
    enough that distinct numbers print apart and no number that is not zero prints as zero."""
    finite = [v for v in values if np.isfinite(v)]
    distinct = len({round(v, 9) for v in finite})

    def enough(d: int) -> bool:
        return (len({f"{v:.{d}f}" for v in finite}) >= distinct
                and all(abs(v) < 1e-9 or f"{abs(v):.{d}f}".strip("0.") for v in finite))

    while digits < 6 and not enough(digits):
        digits += 1
    return digits


def _column_digits(rows, key: str, *, scale: float = 1.0, digits: int = 1) -> int:
    """One number of decimals for the change ``key`` in every row of a column: the most any
    row needs for its estimate and interval ends to print apart (:func:`_interval_digits`),
    so that a column never mixes '+0.175' with '+0.04'."""
    return max([_interval_digits([scale * r[k] for k in (key, f"{key}_low", f"{key}_high")], digits)
                for r in rows if np.isfinite(r[key])], default=digits)


def _share(r: pd.Series, key: str, lang: str = "en") -> str:
    """'19.7% [18.0, 21.6]' ('19,7 % [18,0; 21,6]' in es) for ``key`` with its ``_low``/``_high`` columns."""
    low, high = (format_number(100 * r[f"{key}_{end}"], "decimal", lang, digits=1) for end in ("low", "high"))
    return f"{_pct(r[key], lang)} [{low}{_sep(lang)}{high}]"


def _unchanged(r: pd.Series, key: str) -> bool:
    """Whether the change ``key`` and both ends of its interval are zero: nothing moved."""
    return all(abs(r[k]) < 1e-12 for k in (key, f"{key}_low", f"{key}_high"))


def _change(r: pd.Series, key: str, *, scale: float = 1.0, digits: int = 1, lang: str = "en",
            fixed: bool = False) -> str:
    """'−8.9 [−10.2, −7.7]' for ``key`` with its ``_low``/``_high`` columns, or '—' when
    withheld; ``fixed``: exactly ``digits`` decimals (a column's, :func:`_column_digits`)."""
    if not np.isfinite(r[key]):
        return "—"
    values = [scale * r[key], scale * r[f"{key}_low"], scale * r[f"{key}_high"]]
    digits = digits if fixed else _interval_digits(values, digits)
    low, high = (_signed(v, digits, lang) for v in values[1:])
    return f"{_signed(values[0], digits, lang)} [{low}{_sep(lang)}{high}]"


def _outcome_cells(result: dict, r, lang: str, digits: dict | None = None) -> dict[str, str]:
    """Each outcome's predicted change ('—' where nothing moved or the model is withheld),
    with the column's decimals from ``digits`` (outcome to decimals) where given."""
    cells = {}
    for name, label in zip(result["outcomes"].index, result["outcomes"][f"label_{lang}"]):
        key = f"{name}_change"
        cells[label] = ("—" if np.isfinite(r[key]) and _unchanged(r, key) else
                        _change(r, key, digits=(digits or {}).get(name, 2), lang=lang, fixed=digits is not None))
    return cells


def _row(summary: Any, segment: Any, lang: str, name: str = "summary") -> pd.Series:
    """The row ``segment`` of a summary of :meth:`ScenarioEngine.apply`, after checking the arguments."""
    _check.instance(name, summary, pd.DataFrame, "the summary of ScenarioEngine.apply")
    _check.choice("lang", lang, LANGUAGES)
    return summary.loc[_check.choice("segment", segment, list(summary.index))]


def _result(result: Any) -> dict:
    if not isinstance(result, dict) or not {"summary", "outcomes"} <= set(result):
        raise ParameterError(f"result: expected the result of ScenarioEngine.apply, got {result!r:.80}",
                             name="result")
    return result


def format_headline(summary: pd.DataFrame, segment="all", lang: str = "en") -> str:
    """'Value destroyed: 19.7% [17.9, 21.6] → 10.8% [9.4, 12.3] (−8.9 points [−10.1, −7.7])'."""
    r = _row(summary, segment, lang)
    if _unchanged(r, "share_destroyed_change"):  # no customer's verdict moved: nothing to put an interval on
        tail = ui_text("ui_no_change", lang)
    else:
        change = _change(r, "share_destroyed_change", scale=100, lang=lang).split(" ", 1)
        tail = f"{change[0]} {ui_text('ui_points', lang)} {change[1]}"
    return (f"{ui_text('ui_value_destroyed', lang)}: {_share(r, 'share_destroyed_before', lang)} → "
            f"{_share(r, 'share_destroyed_after', lang)} ({tail})")


def model_fit(info, lang: str = "en") -> str:
    """An outcome model's evidence in a few words: 'adjusted R² 0.31, model test p < 0.001'
    (``info``: its row of an applied scenario's ``outcomes`` table), in ``lang``."""
    return ui_text("ui_model_fit", lang, adj=format_number(info.get("adj_r2", np.nan), "decimal", lang),
                   p=format_number(info.get("p_adj", np.nan), "p", lang))


def format_outcome_changes(result: dict, segment="all", lang: str = "en") -> list[str]:
    """One line per outcome: 'Satisfaction +0.18 [0.11, 0.25]' or why it is withheld."""
    r = _row(_result(result)["summary"], segment, lang, "result")
    lines = []
    for name, info in result["outcomes"].iterrows():
        label = info[f"label_{lang}"]
        if not info["shown"]:
            lines.append(f"{label}: {ui_text('ui_withheld', lang)} ({model_fit(info, lang)})")
        elif not np.isfinite(r[f"{name}_change"]):  # the one reason a shown model says nothing
            lines.append(f"{label}: {ui_text('ui_beyond_scale', lang)}")
        else:
            lines.append(f"{label} {_change(r, f'{name}_change', digits=2, lang=lang)}")
    return lines


def _outcome_digits(result: dict, rows: list) -> dict:
    """Each shown outcome's decimals, one for its whole column."""
    outcomes = result["outcomes"]
    return {name: _column_digits(rows, f"{name}_change", digits=2)
            for name, shown in zip(outcomes.index, outcomes["shown"]) if shown}


def format_summary(result: dict, *, names: dict | None = None, lang: str = "en") -> pd.DataFrame:
    """The summary by segment for people: segment names, percentages, plain headers; in
    each column one number format; '—' for a change where nothing moved."""
    _check.choice("lang", lang, LANGUAGES)
    _result(result)
    names = _check.instance("names", names, dict, "a mapping of segment to name", optional=True) or {}
    summary = result["summary"].to_dict("index")  # rows as dicts: a cell read is a dict look-up
    rows = list(summary.values())
    change_digits = _column_digits(rows, "share_destroyed_change", scale=100)
    outcome_digits = _outcome_digits(result, rows)
    out = []
    for seg, r in summary.items():
        out.append({ui_text("ui_segment", lang): segment_label(seg, names, lang),
                    ui_text("ui_customers", lang): format_number(r["customers"], "count", lang),
                    ui_text("ui_destroyed_before", lang): _pct(r["share_destroyed_before"], lang),
                    ui_text("ui_destroyed_after", lang): _pct(r["share_destroyed_after"], lang),
                    ui_text("ui_change", lang): ("—" if _unchanged(r, "share_destroyed_change") else
                                                 _change(r, "share_destroyed_change", scale=100,
                                                         digits=change_digits, lang=lang, fixed=True)),
                    ui_text("ui_ratio", lang): _ratio(r, lang),
                    ui_text("ui_better", lang): _pct(r["moved_up"] / r["weighted_customers"], lang),
                    ui_text("ui_worse", lang): _pct(r["moved_down"] / r["weighted_customers"], lang),
                    **_outcome_cells(result, r, lang, outcome_digits)})
    return pd.DataFrame(out).set_index(ui_text("ui_segment", lang))


def _ratio(r: pd.Series, lang: str) -> str:
    """The mean value ratio, 'before → after', or just 'before' where it did not move."""
    before, after = (format_number(r[f"mean_value_ratio_{when}"], "decimal", lang) for when in ("before", "after"))
    return before if before == after else f"{before} → {after}"


def format_segments(result: dict, *, names: dict | None = None, lang: str = "en") -> pd.DataFrame:
    """The summary by segment in five columns, for a first screen: segment, customers,
    value destroyed (before, and → after where it moved), the change in points with its
    interval ('—' where nothing moved) and the mean value ratio. The rest
    (:func:`format_summary`: verdicts moving up and down, outcome changes) is one click away."""
    return compact_summary(format_summary(result, names=names, lang=lang), lang)


def compact_summary(full: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The first screen's columns of a :func:`format_summary` table (see :func:`format_segments`),
    for a caller that shows both without formatting twice.

    Parameters
    ----------
    full : DataFrame
        :func:`format_summary` in ``lang``.
    lang : {"en", "es", "it"}, default "en"
        Language of labels, names and sentences.
    """
    _check.choice("lang", lang, LANGUAGES)
    _check.instance("full", full, pd.DataFrame, "a format_summary table")
    before, after = full[ui_text("ui_destroyed_before", lang)], full[ui_text("ui_destroyed_after", lang)]
    return pd.DataFrame({
        ui_text("ui_customers", lang): full[ui_text("ui_customers", lang)],
        ui_text("ui_value_destroyed", lang): [b if b == a else f"{b} → {a}" for b, a in zip(before, after)],
        ui_text("ui_change", lang): full[ui_text("ui_change", lang)],
        ui_text("ui_ratio", lang): full[ui_text("ui_ratio", lang)],
    }, index=full.index)


def change_tone(change: float, low: float, high: float, *, better: str) -> str:
    """How a change reads: ``good`` when its interval lies wholly on the ``better`` side
    of zero, ``bad`` when wholly on the other, else ``flat`` (the interval includes no
    change, or there is none). The page colours a change by it, green or red or neither.

    Parameters
    ----------
    change : float
        The estimate (kept for the call's readability; the interval decides).
    low, high : float
        The ends of its interval.
    better : {"up", "down"}
        Which way is an improvement: "down" for the share of customers with value
        destroyed, "up" for an outcome such as satisfaction.

    >>> change_tone(-2.0, -2.6, -1.4, better="down"), change_tone(0.1, -0.1, 0.3, better="up")
    ('good', 'flat')
    """
    _check.choice("better", better, ("up", "down"))
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return "flat"
    up = low > 0
    return "good" if up == (better == "up") else "bad"


def format_tiles(result: dict, segment="all", lang: str = "en") -> list[dict]:
    """The key numbers of a scenario as tiles: the share of customers whose value is
    destroyed (before → after, the change in points with its interval), the mean value
    ratio (with the shares of verdicts moving up and down), and each outcome's predicted
    change with its interval and its model's R² and n (or why it is withheld).

    Parameters
    ----------
    result : dict
        :meth:`ScenarioEngine.apply`.
    segment : default "all"
        The row of the summary the tiles show.
    lang : {"en", "es", "it"}, default "en"
        The language of the words and numbers.

    Returns
    -------
    list of dict
        ``title``, ``value``, ``detail``, ``note`` (text) and ``tone`` (``good``: an
        improvement whose interval excludes no change, ``bad``: a deterioration likewise,
        ``flat``: neither); a share destroyed falling and an outcome rising are improvements.
    """
    _check.choice("lang", lang, LANGUAGES)
    r = _row(_result(result)["summary"], segment, lang, "result")
    key = "share_destroyed_change"
    moved = not _unchanged(r, key)
    before, after = _pct(r["share_destroyed_before"], lang), _pct(r["share_destroyed_after"], lang)
    if moved:
        change, interval = _change(r, key, scale=100, lang=lang).split(" ", 1)
        detail = ui_text("ui_tile_change", lang, change=change, interval=interval.strip("[]"))
    else:
        detail = ui_text("ui_no_change", lang)
    tiles = [{"title": ui_text("ui_tile_destroyed", lang), "value": f"{before} → {after}" if moved else before,
              "detail": detail, "note": f"{ui_text('ui_after', lang)}: {_share(r, 'share_destroyed_after', lang)}"
                                        if moved else "",
              "tone": change_tone(r[key], r[f"{key}_low"], r[f"{key}_high"], better="down") if moved else "flat"},
             {"title": ui_text("ui_tile_ratio", lang), "value": _ratio(r, lang),
              "detail": ui_text("ui_better_worse", lang, better=_pct(r["moved_up"] / r["weighted_customers"], lang),
                                worse=_pct(r["moved_down"] / r["weighted_customers"], lang)),
              "note": "", "tone": "flat"}]
    for name, info in result["outcomes"].iterrows():
        k = f"{name}_change"
        fit = ui_text("ui_tile_outcome", lang, adj=format_number(info.get("adj_r2", np.nan), "decimal", lang),
                      n=format_number(info["n"], "count", lang))
        if not info["shown"]:
            tiles.append({"title": info[f"label_{lang}"], "value": "—", "detail": ui_text("ui_withheld", lang),
                          "note": fit, "tone": "flat"})
            continue
        if not np.isfinite(r[k]):
            value, detail, tone = "—", ui_text("ui_beyond_scale", lang), "flat"
        elif _unchanged(r, k):
            value, detail, tone = "—", ui_text("ui_no_change", lang), "flat"
        else:
            value, detail = _change(r, k, digits=2, lang=lang).split(" ", 1)
            tone = change_tone(r[k], r[f"{k}_low"], r[f"{k}_high"], better="up")
        tiles.append({"title": info[f"label_{lang}"], "value": value, "detail": detail, "note": fit, "tone": tone})
    return tiles


def format_levers(levers: LeverSet, scenario: Scenario, lang: str = "en") -> str:
    """What a scenario moved, for people: 'Price −10 %; Staff training +1 points' (the
    lever file's labels and units, numbers in ``lang``'s conventions, each value with its
    slider's decimals), '(segments 0, 2)' when it applies to some segments only, and
    'no lever moved' for the survey as it is."""
    _check.instance("levers", levers, LeverSet, "a LeverSet (read_levers)")
    _check.instance("scenario", scenario, Scenario, "a Scenario")
    _check.choice("lang", lang, LANGUAGES)
    known = {lever.name: lever for lever in levers}
    parts = []
    for key, value in scenario.levers.items():
        if not value:
            continue
        lever = known.get(key)
        if lever is None:  # a lever this file does not have (check() refuses such a scenario)
            parts.append(f"{key} {_signed(value, 2, lang)}")
            continue
        parts.append(f"{lever.label(lang)} {_signed(value, lever.decimals, lang)} {lever.unit_label(lang)}".rstrip())
    text = "; ".join(parts) or ui_text("ui_no_lever", lang)
    if scenario.segments:
        text += f" ({ui_text('ui_only_segments', lang, segments=', '.join(map(str, scenario.segments)))})"
    return text


def format_comparison(engine: ScenarioEngine, scenarios: list[Scenario], *, segment="all",
                      lang: str = "en") -> pd.DataFrame:
    """Saved scenarios side by side for people: one row per scenario, the levers it moved
    (:func:`format_levers`), the headline numbers with their intervals and the outcome
    changes (as on the page and in the deck); in each column one number format."""
    segment = _engine_segment(engine, segment)
    scenarios = _scenarios_arg(scenarios)
    _check.choice("lang", lang, LANGUAGES)
    results = [engine.apply(scenario) for scenario in scenarios]
    rows = [result["summary"].loc[segment] for result in results]
    change_digits = _column_digits(rows, "share_destroyed_change", scale=100)
    outcome_digits = _outcome_digits(results[0], rows) if results else {}
    out = []
    for name, scenario, result, r in zip(scenario_names(scenarios), scenarios, results, rows):
        out.append({ui_text("ui_scenario", lang): name,
                    ui_text("ui_levers_moved", lang): format_levers(engine.levers, scenario, lang),
                    ui_text("ui_destroyed_after", lang): _share(r, "share_destroyed_after", lang),
                    ui_text("ui_change", lang): ("—" if _unchanged(r, "share_destroyed_change") else
                                                 _change(r, "share_destroyed_change", scale=100,
                                                         digits=change_digits, lang=lang, fixed=True)),
                    ui_text("ui_ratio", lang): format_number(r["mean_value_ratio_after"], "decimal", lang),
                    **_outcome_cells(result, r, lang, outcome_digits)})
    rows = out
    return pd.DataFrame(rows).set_index(ui_text("ui_scenario", lang))
