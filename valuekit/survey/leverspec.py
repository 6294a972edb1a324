"""The lever grammar: a lever mapping checked against an already-read codebook.

:class:`Lever` and :class:`LeverSet` and the rules of a lever definition (what it may
move, how, how far). The codebook's parser uses it for a ``levers:`` section, and
:mod:`valuekit.survey.levers` for a lever file and the default levers; see there for the format.
"""


from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .._validate import check as _check
from ..errors import LeverError, ParameterError
from .labels import DEFAULT_LABELS, LANGUAGES

if TYPE_CHECKING:  # for annotations only: the codebook's parser imports this module
    from .codebook import Codebook

__all__ = ["Lever", "LeverSet", "HOW", "VALUE_LEVERS", "LEVER_RECIPES", "positions_arg"]

#: How a lever can move the answers.
HOW = ("points", "percent", "lift_lowest")
#: The value-management levers of seed 000 (DOMAIN.md), as in :mod:`valuekit.decide.playbook`.
VALUE_LEVERS = ("perception", "unlock", "offer", "partner", "networks", "new_customers")

_LEVER_KEYS = {"label", "description", "value_lever", "how", "moves", "range", "step", "unit", "assumes", "target"}
_FILE_KEYS = {"name", "description", "levers"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
#: The default levers' recipe and the limits of a lever (``levers.yaml``).
LEVER_RECIPES: dict = yaml.safe_load(Path(__file__).with_name("levers.yaml").read_text(encoding="utf-8"))
#: A slider's readout shows at most this many decimals: a double carries 15 to 17
#: significant digits, so a finer step would show digits that are rounding noise. This is
#: a limit of the number format, not a judgement: it is not in levers.yaml.
_MAX_DECIMALS = 15


def _decimals(x: float) -> int:
    """Decimals that write ``x`` as given (0.25 -> 2, 5 -> 0, 1e-12 -> 12), ignoring the
    binary noise of a sum such as 0.1 + 0.2."""
    return max(0, -int(Decimal(f"{x:.12g}").as_tuple().exponent))


@dataclass(frozen=True)
class Lever:
    """One validated lever.

    Attributes
    ----------
    name : str
        Its key in the file; what a scenario names.
    how : {"points", "percent", "lift_lowest"}
    effects : dict of str to float
        Item column to its weight per unit of the lever (blocks and facets expanded).
    moves : dict of str to float
        What the file named (items, blocks or facets) to its weight, for display.
    low, high, step : float
        The range (``low <= 0 <= high``) and the step of the slider.
    unit : str
        Display unit in English (``points``, ``%``, ``% of customers`` unless the file
        says); :meth:`unit_label` gives it in another language.
    value_lever : str
        One of :data:`VALUE_LEVERS`.
    target : float or None
        ``lift_lowest`` only: the level the worst customers are brought to, on the items'
        own scale, in the direction of what they measure.
    labels : dict
        Language to label; :meth:`label` falls back to English, then the name.
    assumes, description : str
        What the lever assumes (shown as the slider's tooltip), and what it does.
    units : dict
        The unit in other languages, when the file gives them (:meth:`unit_label`).
    """

    name: str
    how: str
    effects: dict[str, float]
    moves: dict[str, float]
    low: float
    high: float
    step: float
    unit: str
    value_lever: str
    target: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    assumes: str = ""
    description: str = ""
    units: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` (one of en, es, it), falling back to English, then the name."""
        _check.choice("lang", lang, LANGUAGES)
        return self.labels.get(lang) or self.labels.get("en") or self.name

    def unit_label(self, lang: str = "en") -> str:
        """The unit in ``lang`` (the file's, else the built-in one), falling back to English."""
        _check.choice("lang", lang, LANGUAGES)
        return self.units.get(lang) or self.units.get("en") or self.unit

    @property
    def decimals(self) -> int:
        """Decimals that show every position of the slider: those of its step and of the
        ends of its range (0.25 -> 2, 5 -> 0, 0.001 -> 3)."""
        return max(_decimals(self.step), _decimals(self.low), _decimals(self.high))


@dataclass(frozen=True)
class LeverSet:
    """The levers of one survey, in file order, checked against its codebook.

    Attributes
    ----------
    levers : dict of str to Lever
    codebook : Codebook
    name, description : str
    source : str
        The file (or ``"codebook levers"``, ``"default levers"``) they came from.
    """

    levers: dict[str, Lever]
    codebook: Codebook
    name: str = ""
    description: str = ""
    source: str = "<levers>"

    def __iter__(self):
        return iter(self.levers.values())

    def __len__(self) -> int:
        return len(self.levers)

    def __getitem__(self, name: str) -> Lever:
        return self.levers[name]

    def __contains__(self, name) -> bool:
        return name in self.levers

    def __repr__(self) -> str:
        return f"<LeverSet {self.source}: {len(self.levers)} levers: {', '.join(self.levers)}>"

    def to_frame(self, lang: str = "en"):
        """One row per lever: label, how, what it moves, range, step, unit, value lever, assumptions."""
        import pandas as pd  # deferred: pandas

        _check.choice("lang", lang, LANGUAGES)
        cb = self.codebook
        rows = [{"lever": lv.name, "label": lv.label(lang), "how": lv.how,
                 "moves": ", ".join(f"{cb.label(k.split('.')[-1], lang) if k not in cb.items else cb.label(k, lang)}"
                                    + ("" if w == 1 else f" ×{w:g}") for k, w in lv.moves.items()),
                 "range": f"{lv.low:g} to {lv.high:g}", "step": lv.step, "unit": lv.unit,
                 "target": lv.target, "value_lever": lv.value_lever, "assumes": lv.assumes}
                for lv in self]
        return pd.DataFrame(rows).set_index("lever")

    @classmethod
    def from_dict(cls, spec: Any, codebook: Codebook, *, source: str = "<levers>",
                  max_positions: int | None = None) -> "LeverSet":
        """Validate a parsed lever file (``{levers: {...}}``) or section (``{name: {...}}``)
        against a codebook already read (:func:`valuekit.read_codebook`); ``max_positions``
        as in :func:`valuekit.survey.levers.read_levers`, which also takes a codebook's path."""
        _check.text("source", source)
        max_positions = positions_arg(max_positions)
        if not hasattr(codebook, "block_items"):
            raise ParameterError(f"codebook: expected a Codebook (valuekit.read_codebook), got "
                                 f"{_check.shown(codebook)}", name="codebook")
        try:
            return _parse(spec, codebook, source, max_positions)
        except LeverError as err:
            raise LeverError(f"{source}: {err}") from None


def _fail(key: str, message: str) -> LeverError:
    return LeverError(f"lever key '{key}': {message}")


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(key, f"expected a number, got {value!r}")
    return float(value)


def _targets(cb: Codebook) -> dict[str, list[str]]:
    """What a lever may name: items, blocks, ``block.facet``; each to its items."""
    out = {c: [c] for c in cb.value_items}
    for block in cb.dimensions + cb.sacrifices:
        out[block] = cb.block_items(block)
    for c in cb.value_items:
        item = cb.items[c]
        if item.facet is not None:
            out.setdefault(f"{item.block}.{item.facet}", []).append(c)
    return out


def _close(name: str, targets: list[str]) -> list[str]:
    """A likely meant target: a facet of that name (``ambience`` -> ``experiential.ambience``,
    also misspelt), else the closest name."""
    facets = {t.split(".")[-1]: t for t in targets if "." in t}
    near = difflib.get_close_matches(name, list(facets), n=1, cutoff=0.8)
    return [facets[near[0]]] if near else difflib.get_close_matches(name, targets, n=1)


def positions_arg(max_positions: Any) -> int:
    """``max_positions``, or the default of ``valuekit/survey/levers.yaml`` (``limits.max_positions``)."""
    if max_positions is None:
        return int(LEVER_RECIPES["limits"]["max_positions"])
    return _check.integer("max_positions", max_positions, min=1)


def _parse_lever(name: Any, spec: Any, cb: Codebook, targets: dict, max_positions: int) -> Lever:
    """One lever of a lever file or section, checked: its keys, what it moves, its range and
    step, how far it may move answers, and its texts. The first problem is raised, named."""
    key = f"levers.{name}"
    how, value_lever = _lever_kind(name, spec, key)
    moves, effects = _lever_moves(spec, key, cb, targets)
    low, high, step = _lever_range(spec, key, max_positions)
    target_level = _lever_reach(spec, key, how, cb, moves, effects, low, high)
    unit, units, labels, texts = _lever_texts(spec, key, how)
    return Lever(name=name, how=how, effects=effects, moves=moves, low=low, high=high, step=step, unit=unit,
                 value_lever=value_lever, target=target_level, labels=dict(labels), units=dict(units), **texts)


def _lever_kind(name: Any, spec: Any, key: str) -> tuple[str, str]:
    """The lever's name and keys, and what kind it is: ``how`` and its value-management lever."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(key, "a lever name is text starting with a letter (letters, digits, _ and -), "
                         f"got {name!r}")
    if not isinstance(spec, dict):
        raise _fail(key, f"expected a mapping with some of {sorted(_LEVER_KEYS)}, got {spec!r}")
    unknown = sorted(set(spec) - _LEVER_KEYS)
    if unknown:
        hint = difflib.get_close_matches(str(unknown[0]), sorted(_LEVER_KEYS), n=1)
        raise _fail(f"{key}.{unknown[0]}", f"unknown key{f' (did you mean {hint[0]!r}?)' if hint else ''}; "
                                           f"expected some of {sorted(_LEVER_KEYS)}")
    for required in ("how", "moves", "range", "value_lever"):
        if required not in spec:
            raise _fail(f"{key}.{required}", "is required")
    how = spec["how"]
    if how not in HOW:
        raise _fail(f"{key}.how", f"expected one of {list(HOW)}, got {how!r}")
    value_lever = spec["value_lever"]
    if value_lever not in VALUE_LEVERS:
        raise _fail(f"{key}.value_lever", f"expected one of the value-management levers {list(VALUE_LEVERS)}, "
                                          f"got {value_lever!r}")
    return how, value_lever


def _lever_moves(spec: dict, key: str, cb: Codebook, targets: dict) -> tuple[dict, dict]:
    """What the lever moves: each target's weight per unit, and each item's (``effects``)."""
    raw = spec["moves"]
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list):
        raw = {m: 1.0 for m in raw} if all(isinstance(m, str) for m in raw) and len(set(raw)) == len(raw) else raw
    if not isinstance(raw, dict) or not raw:
        raise _fail(f"{key}.moves", "expected a list of items, blocks or facets (block.facet), or a mapping of "
                                    f"them to a weight per unit, each named once; got {spec['moves']!r}")
    moves, effects = {}, {}
    for target, weight in raw.items():
        if target not in targets:
            hint = _close(str(target), list(targets))
            raise _fail(f"{key}.moves.{target}",
                        f"'{target}' is not a benefit or sacrifice item, block or facet of codebook "
                        f"{cb.source}{f' (did you mean {hint[0]!r}?)' if hint else ''}; it has blocks "
                        f"{cb.dimensions + cb.sacrifices}")
        w = _number(weight, f"{key}.moves.{target}")
        if w == 0:
            raise _fail(f"{key}.moves.{target}", "a weight of 0 moves nothing; leave the target out")
        moves[target] = w
        for item in targets[target]:
            if item in effects:
                raise _fail(f"{key}.moves.{target}", f"item '{item}' is already moved by another entry of this lever")
            effects[item] = w
    return moves, effects


def _lever_range(spec: dict, key: str, max_positions: int) -> tuple[float, float, float]:
    """The slider: a range that includes 0, and a step a slider can show."""
    rng = spec["range"]
    if not isinstance(rng, list) or len(rng) != 2:
        raise _fail(f"{key}.range", f"expected [low, high], got {rng!r}")
    low, high = _number(rng[0], f"{key}.range[0]"), _number(rng[1], f"{key}.range[1]")
    if not low < high:
        raise _fail(f"{key}.range", f"low must be smaller than high, got [{low:g}, {high:g}]")
    if not low <= 0 <= high:
        raise _fail(f"{key}.range", f"[{low:g}, {high:g}] excludes 0; a lever's range must include 0 (no change)")
    step = _number(spec.get("step", (high - low) / 20), f"{key}.step")
    if not 0 < step <= high - low:
        raise _fail(f"{key}.step",
                    f"expected a number above 0 and at most the range's width {high - low:g}, got {step:g}")
    if (high - low) / step > max_positions:
        raise _fail(f"{key}.step", f"a step of {step:g} cuts the range [{low:g}, {high:g}] into "
                                   f"{(high - low) / step:,.0f} positions, more than the {max_positions:,} a slider "
                                   "can show (valuekit/survey/levers.yaml, limits.max_positions); expected a step "
                                   "of at "
                                   f"least {(high - low) / max_positions:g}")
    if _decimals(step) > _MAX_DECIMALS or _decimals(low) > _MAX_DECIMALS or _decimals(high) > _MAX_DECIMALS:
        raise _fail(f"{key}.step", f"step {step:g} on the range [{low:g}, {high:g}] needs more than "
                                   f"{_MAX_DECIMALS} decimals to show; a slider's readout cannot tell such "
                                   "positions apart: rescale the lever (e.g. percent instead of points)")
    return low, high, step


def _lever_reach(spec: dict, key: str, how: str, cb: Codebook, moves: dict, effects: dict, low: float,
                 high: float) -> float | None:
    """How far the lever may move answers, by kind (``levers.yaml``'s limits); the target
    level of a ``lift_lowest`` lever (None for the others)."""
    target_level = None
    roles = {cb.items[i].role for i in effects}
    if how == "lift_lowest":
        if low < 0 or high > 100:
            raise _fail(f"{key}.range", f"a lift_lowest lever sets a percentage of customers: the range must lie "
                                        f"within [0, 100], got [{low:g}, {high:g}]")
        if len(roles) > 1:
            raise _fail(f"{key}.moves", "a lift_lowest lever moves benefit items or sacrifice items, not both "
                                        "(which customers are worst off would be ambiguous)")
        if any(w != 1 for w in moves.values()):
            raise _fail(f"{key}.moves", "a lift_lowest lever takes no weights: list the items, blocks or facets")
        if "target" not in spec:
            raise _fail(f"{key}.target", "is required for a lift_lowest lever: the level on the items' own scale "
                                         "the worst customers are brought to")
        target_level = _number(spec["target"], f"{key}.target")
        for item in effects:
            s = cb.items[item].scale
            if not s.min <= target_level <= s.max:
                raise _fail(f"{key}.target", f"{target_level:g} lies outside the scale {s} of item '{item}'")
    elif "target" in spec:
        raise _fail(f"{key}.target", f"only a lift_lowest lever has a target; this lever moves by {how}")
    elif how == "points":
        share = LEVER_RECIPES["limits"]["points_share"]
        for item, w in effects.items():
            s = cb.items[item].scale
            reach = max(abs(low), abs(high)) * abs(w)
            if reach >= share * (s.max - s.min):
                limit = "the" if share == 1 else f"{share:g} x the"
                raise _fail(f"{key}.range", f"at its end the lever moves '{item}' by {reach:g} points, beyond the "
                                            f"limit of less than {limit} width {s.max - s.min:g} of its scale {s} "
                                            "(valuekit/survey/levers.yaml, limits.points_share): every answer would be "
                                            "pushed to an end of the scale; narrow the range or lower the weight")
    else:  # percent
        most = LEVER_RECIPES["limits"]["percent_max"]
        for item, w in effects.items():
            for end in (low, high):
                if 1 + w * end / 100 < 0:
                    raise _fail(f"{key}.range", f"at {end:g} % the lever would take '{item}' {-w * end:g} % of its "
                                                "distance above the bottom of the scale, more than all of it: the "
                                                "answers would leave the scale")
                if w * end > most:
                    raise _fail(f"{key}.range", f"at {end:g} % the lever would add {w * end:g} % to the distance of "
                                                f"'{item}' above the bottom of its scale, more than the +{most:g} % "
                                                "allowed (valuekit/survey/levers.yaml, limits.percent_max): answers "
                                                "above "
                                                "the middle of the scale would be pushed past its top; narrow the "
                                                "range or lower the weight")
    return target_level


def _lever_texts(spec: dict, key: str, how: str) -> tuple[str, dict, dict, dict]:
    """Its unit and labels per language, its assumptions and description."""
    units = spec.get("unit", DEFAULT_LABELS[f"ui_unit_{how}"])
    if isinstance(units, str):
        units = {"en": units}
    if (not isinstance(units, dict) or not units or set(units) - set(LANGUAGES)
            or not all(isinstance(v, str) and v.strip() for v in units.values())):
        raise _fail(f"{key}.unit", f"expected text or a mapping of languages {list(LANGUAGES)} to text, got {units!r}")
    unit = units.get("en") or next(iter(units.values()))
    labels = spec.get("label", {})
    if isinstance(labels, str):
        labels = {"en": labels}
    if (not isinstance(labels, dict) or set(labels) - set(LANGUAGES)
            or not all(isinstance(v, str) for v in labels.values())):
        raise _fail(f"{key}.label",
                    f"expected text or a mapping of languages {list(LANGUAGES)} to text, got {labels!r}")
    texts = {}
    for k in ("assumes", "description"):
        v = spec.get(k, "")
        if not isinstance(v, str):
            raise _fail(f"{key}.{k}", f"expected text, got {v!r}")
        texts[k] = v.strip()
    return unit, units, labels, texts


def _parse(spec: Any, cb: Codebook, source: str, max_positions: int) -> LeverSet:
    if not isinstance(spec, dict):
        raise LeverError(f"expected a mapping with a 'levers' key, got {type(spec).__name__}")
    if "levers" in spec:
        unknown = sorted(set(spec) - _FILE_KEYS)
        if unknown:
            raise _fail(unknown[0], f"unknown top-level key; expected some of {sorted(_FILE_KEYS)}")
        body, name, description = spec["levers"], spec.get("name", ""), spec.get("description", "")
        for k, v in (("name", name), ("description", description)):
            if not isinstance(v, str):
                raise _fail(k, f"expected text, got {v!r}")
    else:  # a codebook's `levers:` section: the mapping of levers itself
        body, name, description = spec, "", ""
    if not isinstance(body, dict) or not body:
        raise _fail("levers", f"expected a mapping of lever names to their definitions, got {body!r}")
    targets = _targets(cb)
    levers = {}
    for lever_name, lever_spec in body.items():
        levers[lever_name] = _parse_lever(lever_name, lever_spec, cb, targets, max_positions)
    return LeverSet(levers=levers, codebook=cb, name=name, description=description, source=source)
