"""Raking survey weights to population margins (iterative proportional fitting).

A sample rarely looks like the population it stands for: too many store customers, too
few first purchases. Raking adjusts each respondent's weight so that the weighted sample
meets known population margins, one column at a time and over again until every margin
holds (Deming & Stephan 1940). :func:`rake` does it on a table of respondents,
:func:`weight_survey` on a loaded :class:`~valuekit.survey.audit.Survey`, whose every weighted
estimate then uses the raked weight; ``valuekit weight`` on the command line.

The targets file
----------------
A YAML (or JSON) file, read with :func:`valuekit._validate.yamlfile.read_file` (the bounded safe
reader; a key given twice is an error)::

    # population margins for raking
    units: shares                 # or counts (population counts); default shares
    margins:                      # one mapping per data column: category -> target
      channel: {store: 0.50, online: 0.28, both: 0.22}
      stage: {first purchase: 0.29, repeat: 0.71}
    interactions:                 # optional: joint margins over two or more columns,
      - columns: [channel, world_view]    # one nested level per column, in this order
        targets:
          store: {price first: 0.15, quality first: 0.15, ...}
          online: {...}
    trim: {lower: 0.3, upper: 3.0}   # optional caps, multiples of the mean weight
    max_iter: 100                 # IPF sweeps per raking pass (default 100)
    tolerance: 1e-8               # largest |achieved share - target share| (default 1e-8)

* **shares** (the default): each margin's targets add up to 1 (within 1e-6; the error
  says the sum). The raked weights add up to the sum of the starting weights, so
  weighted counts keep the sample's scale.
* **counts** (``units: counts``): population counts; every margin (and interaction)
  must count the same total (within 1e-6, relatively). The raked weights add up to that
  population total, so weighted counts are population counts.
* **categories** are matched to the data's values by their text: YAML reads ``1:`` as
  a number and ``yes:`` as true, so valuekit reads every category key as it is written
  and compares it with the data's values written out (a data column of whole numbers
  1, 2 matches keys ``1``, ``2`` or ``1.0``, ``2.0``; ``yes`` matches the text "yes").
  Two keys that denote the same category (``1`` and ``1.0``) are an error.
* **interactions** are joint margins (e.g. region × age band): every combination present
  in the data needs a target; the margins they imply for a single column must agree
  with ``margins:`` where both are given.
* **trim**: caps on the weights, ``lower`` × and ``upper`` × the mean weight (the
  total / the number of respondents). ``0 <= lower < 1 < upper``; either may be left
  out. When the raked weights cross a cap, raking goes on *within* the caps: each step
  scales a category's weights by the factor that meets its target after clipping them
  to the caps, so every weight stays within the caps exactly (no tolerance on them) and
  only the margins have to converge (within ``tolerance``). A trim cycle is one such
  pass of up to ``max_iter`` sweeps; at most ``max_cycles`` (default 50) cycles. Caps
  that no weights can meet together with the margins are reported as such, not looped
  over: first a category whose target needs a mean weight outside the caps, then an
  exact check, a linear programme (``scipy.optimize.linprog``) on the cells of the
  margin columns (a cell of c respondents can hold between c × lower and c × upper mean
  weights).

What raking refuses (each error names the file, key, column, category or rows): a margin
column missing from the data; a respondent with no value in a margin column (raking needs
every respondent in a category: give blanks a category of their own, with its target, or
exclude them); a data value with no target; a category with a positive target and no
respondent (no weight can reach an empty category); a target of 0 for a category that
has respondents (their weight would have to be 0: exclude them instead); a starting
weight of 0.

How it is computed
------------------
Respondents are collapsed to the cells of the cross-classification of the margin
columns (one cell per combination present), their starting weights summed per cell,
and iterative proportional fitting (the ``ipfn`` package) is run on that small table with
the targets as its margins. Each respondent's raked weight is their starting weight ×
the fitted cell total / the starting cell total. The adjustment of classical raking is
the same for everyone in a cell, so this *is* unit-level raking, at the cost of a few
passes over the table: R's ``survey::rake`` gives the same weights (``tests/`` checks
it on the ``api`` data to 1e-9).

A survey whose margins cannot all be met (a combination of categories the targets need
but the sample lacks) does not converge: :func:`rake` returns ``converged=False`` with
the largest margin error and the reason in ``notes``; ``strict=True`` raises instead.

References
----------
Deming, W. E. & Stephan, F. F. (1940). On a least squares adjustment of a sampled
frequency table when the expected marginal totals are known. *Annals of Mathematical
Statistics* 11(4), 427-444.

Kish, L. (1965). *Survey Sampling*. Wiley (the design effect of weighting, n Σw²/(Σw)²).

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (``rake``).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import sys
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .._validate import check as _check
from .._validate.yamlfile import Loader, read_file
from ..errors import ParameterError, SurveyError, TargetsError
from .answers import survey_weights
from .audit import TINY_WEIGHT, Survey

__all__ = ["Targets", "RakeResult", "read_targets", "rake", "weight_survey", "TargetsError"]

#: Keys of a targets file.
TARGET_KEYS = ("units", "margins", "interactions", "trim", "max_iter", "tolerance")
#: Defaults: IPF sweeps per raking pass, tolerance on the shares, trim-rake cycles.
DEFAULT_MAX_ITER, DEFAULT_TOL, DEFAULT_TRIM_CYCLES = 100, 1e-8, 50
_SUM_TOL = 1e-6  # shares add up to 1, and counts to one total, within this (relative)
_INT = re.compile(r"[-+]?\d+")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


# -- reading and checking the targets ---------------------------------------------------


class _TargetsLoader(Loader):
    """The bounded safe loader; a plain (unquoted) mapping key is kept as written, as
    text (``yes:`` is "yes", ``1:`` is "1"), and ``1e-8`` is a number (YAML 1.1 wants
    ``1.0e-8``)."""

    message = "targets key '{key}' appears twice in one mapping (line {line}); YAML would silently keep only the last"

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            node.value = [(_text_key(k), v) for k, v in node.value]
        return super().construct_mapping(node, deep=deep)


_TargetsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$"), list("-+.0123456789"))


def _text_key(node: yaml.Node) -> yaml.Node:
    if isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != "tag:yaml.org,2002:merge":
        return yaml.ScalarNode("tag:yaml.org,2002:str", node.value, node.start_mark, node.end_mark)
    return node


def _category(value: Any) -> str:
    """A category's text, the same for a data value and a target key: whole numbers
    without a decimal part (1, 1.0 and "1.0" are "1"), other numbers as Python writes
    them, booleans "true"/"false", text as it is.

    >>> [_category(v) for v in (1, 2.0, "2.50", True, "yes", "first purchase")]
    ['1', '2', '2.5', 'true', 'yes', 'first purchase']
    """
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        f = float(value)
        return str(int(f)) if math.isfinite(f) and f.is_integer() and abs(f) < 1e15 else repr(f)
    text = str(value)
    stripped = text.strip()
    if _INT.fullmatch(stripped):
        return str(int(stripped))
    if _NUMBER.fullmatch(stripped):
        return _category(float(stripped))
    return text


@dataclass(frozen=True)
class Interaction:
    """A joint margin: ``columns`` and a target per combination of their categories."""

    columns: tuple[str, ...]
    targets: dict[tuple[str, ...], float]

    @property
    def name(self) -> str:
        """The interaction's columns joined with ``×``."""
        return " × ".join(self.columns)


@dataclass(frozen=True)
class Targets:
    """Population margins to rake to, checked. Build one with :func:`read_targets`.

    Attributes
    ----------
    margins : dict of str to dict of str to float
        Column -> category (its text, see :func:`_category`) -> target, as given.
    interactions : list of Interaction
    units : {"shares", "counts"}
    total : float or None
        The population total of counts targets (None for shares).
    trim : dict or None
        ``{"lower": float, "upper": float, "max_cycles": int}`` (a missing cap is 0 / inf).
    max_iter : int
    tolerance : float
    source : str
        The file the targets came from, for messages.
    """

    margins: dict[str, dict[str, float]]
    interactions: list[Interaction] = field(default_factory=list)
    units: str = "shares"
    total: float | None = None
    trim: dict | None = None
    max_iter: int = DEFAULT_MAX_ITER
    tolerance: float = DEFAULT_TOL
    source: str = "<targets>"

    @property
    def columns(self) -> list[str]:
        """Every data column the targets name, margins first."""
        cols = list(self.margins)
        for inter in self.interactions:
            cols += [c for c in inter.columns if c not in cols]
        return cols

    def __repr__(self) -> str:
        inter = f", {len(self.interactions)} interaction(s)" if self.interactions else ""
        return f"<Targets {self.source}: {self.units} for {list(self.margins)}{inter}>"


def _fail(source: str, key: str, message: str) -> TargetsError:
    where = f"{source}: " if source != "<targets>" else ""
    return TargetsError(f"{where}{key}: {message}", key=key, path=None if source == "<targets>" else source)


def _target_number(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)) or value < 0:
        raise _fail(source, key, f"expected a number >= 0, got {_check.shown(value)}")
    return float(value)


def _name(source: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, f"expected a column name, got {_check.shown(value)}")
    return value


def _categories(source: str, key: str, raw: Any, depth: int) -> dict[tuple[str, ...], float]:
    """A (nested) mapping of categories to targets, flattened to tuples of category texts."""
    if not isinstance(raw, dict):
        what = "category: target" if depth == 1 else f"category: mapping ({depth} levels)"
        raise _fail(source, key, f"expected a mapping of {what}, got {_check.shown(raw)}")
    if not raw:
        raise _fail(source, key, "empty: expected at least one category with its target")
    out: dict[tuple[str, ...], float] = {}
    seen: dict[str, Any] = {}
    for cat, value in raw.items():
        text = _category(cat)
        if text in seen:
            raise _fail(source, key, f"categories {seen[text]!r} and {cat!r} are the same category ('{text}')")
        seen[text] = cat
        if depth == 1:
            out[(text,)] = _target_number(source, f"{key}.{text}", value)
        else:
            for rest, target in _categories(source, f"{key}.{text}", value, depth - 1).items():
                out[(text, *rest)] = target
    return out


def _total(values) -> float:
    """The sum of numbers >= 0 without overflow on the way (scaled by the largest, then
    :func:`math.fsum`): infinite only when the sum itself is beyond the largest float."""
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float).ravel()
    top = float(x.max()) if x.size else 0.0
    if not top > 0:
        return 0.0
    return top * math.fsum((x / top).tolist())


def _check_sum(source: str, key: str, values, units: str) -> float:
    total = _total(values)
    if not math.isfinite(total):
        raise _fail(source, key, f"{units} add up to more than {sys.float_info.max:.3g}, the largest number a "
                                 "computer holds; give shares, or counts in thousands or millions")
    if units == "shares" and abs(total - 1) > _SUM_TOL:
        raise _fail(source, key, f"shares sum to {total:.10g}, not 1 (within {_SUM_TOL:g}); give shares that "
                                 "add up to 1, or 'units: counts' for population counts")
    if total <= 0:
        raise _fail(source, key, "every target is 0; expected a positive total")
    return total


def _trim_spec(source: str, raw: Any, key: str = "trim") -> dict | None:
    if raw is None or raw is False:
        return None
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        raw = {"lower": raw[0], "upper": raw[1]}
    if not isinstance(raw, dict):
        raise _fail(source, key, f"expected a mapping such as {{lower: 0.3, upper: 3.0}}, got {_check.shown(raw)}")
    unknown = [k for k in raw if k not in ("lower", "upper", "max_cycles")]
    if unknown:
        raise _fail(source, key, f"unknown key(s) {unknown}; expected some of ['lower', 'upper', 'max_cycles']")
    if raw.get("lower") is None and raw.get("upper") is None:
        raise _fail(source, key, "give 'lower', 'upper' or both (multiples of the mean weight)")
    lower = 0.0 if raw.get("lower") is None else _target_number(source, f"{key}.lower", raw["lower"])
    upper = math.inf if raw.get("upper") is None else _target_number(source, f"{key}.upper", raw["upper"])
    if lower >= 1:
        raise _fail(source, f"{key}.lower", f"expected a multiple of the mean weight below 1, got {lower:g}")
    if upper <= 1:
        raise _fail(source, f"{key}.upper", f"expected a multiple of the mean weight above 1, got {upper:g}")
    cycles = raw.get("max_cycles", DEFAULT_TRIM_CYCLES)
    try:
        cycles = _check.integer(f"{key}.max_cycles", cycles, min=1)
    except ParameterError:
        raise _fail(source, f"{key}.max_cycles", f"expected a whole number >= 1, got {_check.shown(cycles)}") from None
    return {"lower": lower, "upper": upper, "max_cycles": cycles}


def _max_iter(source: str, value: Any, key: str = "max_iter") -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise _fail(source, key, f"expected a whole number >= 1, got {_check.shown(value)}")
    return int(value)


def _tolerance(source: str, value: Any, key: str = "tolerance") -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise _fail(source, key, f"expected a number between 0 and 1 (e.g. 1e-8), got {_check.shown(value)}")
    return float(value)


def _parse(spec: Any, source: str) -> Targets:
    if not isinstance(spec, dict):
        where = f"{source}: " if source != "<targets>" else ""
        raise TargetsError(f"{where}expected a mapping with 'margins' (and optionally 'interactions', 'trim', "
                           f"...), got {_check.shown(spec)}", path=None if source == "<targets>" else source)
    unknown = [k for k in spec if k not in TARGET_KEYS]
    if unknown:
        raise _fail(source, str(unknown[0]), f"unknown key; expected some of {list(TARGET_KEYS)}")
    units = spec.get("units", "shares")
    if units not in ("shares", "counts"):
        raise _fail(source, "units", f"expected 'shares' or 'counts', got {_check.shown(units)}")
    raw_margins = spec.get("margins") or {}
    if not isinstance(raw_margins, dict):
        raise _fail(source, "margins", f"expected a mapping of column: {{category: target}}, "
                                       f"got {_check.shown(raw_margins)}")
    raw_inter = spec.get("interactions") or []
    if not isinstance(raw_inter, list):
        raise _fail(source, "interactions", f"expected a list of {{columns: [...], targets: {{...}}}}, "
                                            f"got {_check.shown(raw_inter)}")
    if not raw_margins and not raw_inter:
        raise _fail(source, "margins", "no margins: expected at least one column with its targets")

    totals: dict[str, float] = {}
    margins: dict[str, dict[str, float]] = {}
    for col, raw in raw_margins.items():
        key = f"margins.{col}"
        col = _name(source, key, col)
        flat = _categories(source, key, raw, 1)
        totals[key] = _check_sum(source, key, flat.values(), units)
        margins[col] = {k[0]: v for k, v in flat.items()}
    interactions = [_interaction(source, i, raw, units, totals) for i, raw in enumerate(raw_inter)]
    if units == "counts":
        _check_same_population(source, totals)
    _check_implied_margins(source, margins, interactions, units, totals)
    trim = _trim_spec(source, spec.get("trim"))
    max_iter = _max_iter(source, spec.get("max_iter", DEFAULT_MAX_ITER))
    tol = _tolerance(source, spec.get("tolerance", DEFAULT_TOL))
    total = next(iter(totals.values())) if units == "counts" else None
    return Targets(margins, interactions, units, total, trim, max_iter, tol, source)


def _check_same_population(source: str, totals: dict) -> None:
    """Targets given as counts: every margin and interaction must sum to the same total."""
    first_key, first = next(iter(totals.items()))
    for key, total in totals.items():
        if abs(total - first) > _SUM_TOL * first:
            raise _fail(source, key, f"counts sum to {total:,.10g} but {first_key} sums to {first:,.10g}; "
                                     "every margin must count the same population")


def _interaction(source: str, i: int, raw: Any, units: str, totals: dict) -> Interaction:
    """One ``interactions`` entry, checked; its total is added to ``totals``."""
    key = f"interactions[{i}]"
    if not isinstance(raw, dict):
        raise _fail(source, key, f"expected a mapping with 'columns' and 'targets', got {_check.shown(raw)}")
    bad = [k for k in raw if k not in ("columns", "targets")]
    if bad or "columns" not in raw or "targets" not in raw:
        raise _fail(source, key, "expected exactly the keys 'columns' (a list of two or more columns) and "
                                 f"'targets' (nested mappings, one level per column); got {list(raw)}")
    cols = raw["columns"]
    if not isinstance(cols, list) or len(cols) < 2:
        raise _fail(source, f"{key}.columns", f"expected a list of two or more columns, got {_check.shown(cols)}")
    cols = tuple(_name(source, f"{key}.columns", c) for c in cols)
    if len(set(cols)) != len(cols):
        raise _fail(source, f"{key}.columns", f"a column is listed twice: {list(cols)}")
    flat = _categories(source, f"{key}.targets", raw["targets"], len(cols))
    totals[key] = _check_sum(source, f"{key}.targets", flat.values(), units)
    return Interaction(cols, flat)


def _check_implied_margins(source: str, margins: dict, interactions: list, units: str, totals: dict) -> None:
    """The single-column margins an interaction implies agree with the margins given (and with
    those other interactions imply), naming the first category that does not."""
    implied: dict[str, tuple[str, dict[str, float]]] = {c: (f"margins.{c}", m) for c, m in margins.items()}
    for i, inter in enumerate(interactions):
        scale = 1.0 if units == "counts" else 1.0 / _total(inter.targets.values())
        for j, col in enumerate(inter.columns):
            sums: dict[str, float] = {}
            for combo, target in inter.targets.items():
                sums[combo[j]] = sums.get(combo[j], 0.0) + target * scale
            if col not in implied:
                implied[col] = (f"interactions[{i}]", sums)
                continue
            where, given = implied[col]
            norm = 1.0 if units == "counts" else 1.0 / _total(given.values())
            cats = list(dict.fromkeys([*given, *sums]))
            off = [c for c in cats if abs(sums.get(c, 0.0) - given.get(c, 0.0) * norm)
                   > _SUM_TOL * (totals[f"interactions[{i}]"] if units == "counts" else 1)]
            if off:
                c = off[0]
                raise _fail(source, f"interactions[{i}]",
                            f"its targets add up to {sums.get(c, 0.0):.6g} for {col} = '{c}', but {where} gives "
                            f"{given.get(c, 0.0) * norm:.6g}; the margins of a column must agree wherever given")


def read_targets(targets: str | os.PathLike | dict | Targets) -> Targets:
    """Read and check population targets for raking.

    Parameters
    ----------
    targets : path, dict or Targets
        A YAML or JSON targets file (the shape is in the module docstring), a mapping of
        the same shape, or :class:`Targets` (returned as is).

    Returns
    -------
    Targets

    Raises
    ------
    TargetsError
        The file cannot be read, or a key is unknown, a target is not a number or is
        negative, shares do not add up to 1 (the message gives the sum), counts totals
        differ between margins, a margin is empty, a category is given twice, or an
        interaction disagrees with a margin; the message names the file and the key.

    Examples
    --------
    >>> targets = read_targets({"margins": {"channel": {"store": 0.5, "online": 0.3, "both": 0.2}}})
    >>> targets
    <Targets <targets>: shares for ['channel']>
    >>> read_targets({"margins": {"channel": {"store": 0.5, "online": 0.3}}})
    Traceback (most recent call last):
    ...
    valuekit.errors.TargetsError: margins.channel: shares sum to 0.8, not 1 (within 1e-06); ...
    """
    if isinstance(targets, Targets):
        return targets
    if isinstance(targets, dict):
        return _parse(targets, "<targets>")
    if not (isinstance(targets, (str, os.PathLike)) and str(targets).strip()):
        raise _check._fail("targets", "a targets file (path), a mapping or Targets", targets)
    path = Path(targets)
    spec = read_file(path, what="targets file", error=TargetsError, loader=_TargetsLoader)
    return _parse(spec, path.name)


# -- raking -----------------------------------------------------------------------------


@dataclass(repr=False)
class RakeResult:
    """What :func:`rake` found: the raked weights and how well they meet the targets.

    Attributes
    ----------
    weights : Series
        The raked weight of each respondent, on the data's index, named ``rake_weight``
        (or the name asked for).
    start_weights : Series
        The starting (design) weights, on the same index.
    converged : bool
        Every margin within ``tolerance`` (and, with trimming, every weight within the
        caps). If not, ``notes`` starts with why.
    iterations : int
        IPF sweeps over the margins in the last raking pass (with trimming: the last pass
        within the caps).
    trim_cycles : int
        Passes of raking within the caps, each of up to ``max_iter`` sweeps (0 without
        trimming, or when no raked weight crossed a cap).
    n_capped : int
        Respondents whose final weight is at a cap.
    max_margin_error : float
        Largest ``|achieved share - target share|`` over every margin and interaction cell.
    margins : DataFrame
        One row per margin (or interaction) and category: ``margin``, ``category``,
        ``target`` (share), ``sample`` (unweighted share), ``start`` (share with the
        starting weights), ``achieved`` (share with the raked weights), ``difference``
        (achieved - target) and ``n`` (respondents).
    design_effect : float
        Kish's design effect of the weights, n Σw² / (Σw)².
    effective_n : float
        (Σw)² / Σw², the sample size the weighted estimates are worth.
    weight_summary : Series
        Of the weights scaled to mean 1: ``min``, ``p1``, ``p5``, ``median``, ``p95``,
        ``p99``, ``max``, ``max_over_min``; and ``mean``, the mean raked weight itself.
    units : {"shares", "counts"}
    total : float
        Sum of the raked weights: the population total (counts) or the sum of the
        starting weights (shares).
    tolerance : float
    notes : list of str
    """

    weights: pd.Series
    start_weights: pd.Series
    converged: bool
    iterations: int
    trim_cycles: int
    n_capped: int
    max_margin_error: float
    margins: pd.DataFrame
    design_effect: float
    effective_n: float
    weight_summary: pd.Series
    units: str
    total: float
    tolerance: float
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        """The result's numbers as plain Python values (for JSON or the command line)."""
        return {"respondents": int(len(self.weights)), "converged": bool(self.converged),
                "iterations": int(self.iterations), "trim_cycles": int(self.trim_cycles),
                "n_capped": int(self.n_capped), "max_margin_error": float(self.max_margin_error),
                "tolerance": float(self.tolerance), "design_effect": float(self.design_effect),
                "effective_n": float(self.effective_n), "units": self.units, "total": float(self.total),
                "weight_summary": {k: float(v) for k, v in self.weight_summary.items()},
                "notes": list(self.notes)}

    def to_frame(self) -> pd.DataFrame:
        """The starting and the raked weight of each respondent, on the data's index."""
        return pd.DataFrame({"start_weight": self.start_weights, self.weights.name: self.weights})

    def __repr__(self) -> str:
        state = (f"converged in {self.iterations} iteration(s)" if self.converged
                 else f"NOT converged after {self.iterations} iteration(s)")
        trim = f", {self.trim_cycles} trim cycle(s), {self.n_capped} capped" if self.trim_cycles else ""
        return (f"<RakeResult: {len(self.weights)} respondents, {state}{trim}, max margin error "
                f"{self.max_margin_error:.2g}, design effect {self.design_effect:.3f}, "
                f"effective n {self.effective_n:.1f}>")


def _argument(check, value: Any, key: str):
    """A setting given as an argument (not read from a file): a ParameterError naming it."""
    try:
        return check("<targets>", value, key)
    except TargetsError as err:
        raise ParameterError(str(err), name=key) from None


def _start_weights(data: pd.DataFrame, weight: Any) -> tuple[np.ndarray, str]:

    n = len(data)
    if weight is None:
        return np.ones(n), "equal"
    if isinstance(weight, str):
        if weight not in data.columns:
            raise ParameterError(f"weight: column '{weight}' not found in data; available: {list(data.columns)[:60]}",
                                 name="weight")
        w = survey_weights(data[weight], n, index=data.index, name=f"weight column '{weight}'")
        label = f"'{weight}'"
    else:
        w = survey_weights(weight, n, index=data.index if isinstance(weight, pd.Series) else None, name="weight")
        label = "the given weights"
    zero = w == 0
    if zero.any():
        rows = list(data.index[zero][:5])
        raise SurveyError(f"starting weights ({label}): {int(zero.sum())} respondent(s) have a weight of 0 "
                          f"(rows {rows}{', ...' if zero.sum() > 5 else ''}); raking needs positive starting "
                          "weights: exclude those respondents")
    tiny = w < TINY_WEIGHT
    if tiny.any():
        rows = list(data.index[tiny][:5])
        raise SurveyError(f"starting weights ({label}): {int(tiny.sum())} respondent(s) have a weight below "
                          f"{TINY_WEIGHT:.3g} (rows {rows}{', ...' if tiny.sum() > 5 else ''}; smallest "
                          f"{w.min():.3g}), whose square underflows a floating-point number, so the design "
                          "effect could not be computed; rescale the weights (e.g. divide them by their mean)")
    if not math.isfinite(_total(w)):
        raise SurveyError(f"starting weights ({label}): they add up to more than {sys.float_info.max:.3g}, the "
                          f"largest number a computer holds (largest weight {w.max():.3g}); rescale the weights "
                          "(e.g. divide them by their mean)")
    return w, label


def _codes(data: pd.DataFrame, col: str, categories: list[str], key: str, source: str) -> np.ndarray:
    """Each respondent's category position in ``categories``; blanks and values with no
    target are errors naming them."""
    values = data[col]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = [_category(u) for u in uniques]
    lookup = {c: i for i, c in enumerate(categories)}
    where = np.array([-1 if (isinstance(u, str) and not u.strip()) else lookup.get(t, -2)
                      for u, t in zip(uniques, texts)] + [-1], dtype=np.int64)  # last: NaN (code -1)
    seen: dict[str, Any] = {}
    for u, t in zip(uniques, texts):
        if t in seen and seen[t] != u:
            raise SurveyError(f"column '{col}': values {seen[t]!r} and {u!r} are both category '{t}' of "
                              f"{key}; make them one value in the data")
        seen[t] = u
    out = where[codes]
    blank = out == -1
    if blank.any():
        rows = list(data.index[blank][:5])
        raise SurveyError(f"column '{col}': {int(blank.sum())} respondent(s) have no value (rows {rows}"
                          f"{', ...' if blank.sum() > 5 else ''}); raking needs every respondent in a category "
                          f"of {key}: give them a category of their own (with its target) or exclude them")
    unknown = out == -2
    if unknown.any():
        bad = sorted({texts[i] for i in np.unique(codes[unknown])})
        rows = list(data.index[unknown][:5])
        raise _fail(source, key, f"value(s) {bad[:20]} of column '{col}' have no target ({int(unknown.sum())} "
                                 f"respondent(s), rows {rows}{', ...' if unknown.sum() > 5 else ''}); "
                                 f"targets: {categories[:30]}")
    return out


@dataclass
class _Table:
    """The cell table: dimension sizes, each respondent's cell, and the IPF margins."""

    shape: tuple[int, ...]
    cell: np.ndarray                  # flat cell index per respondent
    dims: list[list[int]]             # table axes of each margin, sorted
    shares: list[np.ndarray]          # target shares over those axes (in axis order)
    names: list[str]                  # margin names for the report
    labels: list[list[str]]           # category labels of each margin, flat (C order)
    keys: list[str]                   # targets key of each margin, for messages


def _interaction_shares(inter: Interaction, cats: dict, axis: dict) -> tuple[list, np.ndarray]:
    """An interaction's columns in the table's order and its target shares as an array over
    their categories (zero for a combination without a target)."""
    order = sorted(range(len(inter.columns)), key=lambda j: axis[inter.columns[j]])
    sorted_cols = [inter.columns[j] for j in order]
    arr = np.zeros(tuple(len(cats[c]) for c in sorted_cols))
    total = _total(inter.targets.values())
    for combo, target in inter.targets.items():
        arr[tuple(cats[inter.columns[j]].index(combo[j]) for j in order)] = target / total
    return sorted_cols, arr


def _target_categories(targets: Targets) -> dict[str, list[str]]:
    """Each column's categories with a target: its margin's, then any more an interaction names."""
    cats: dict[str, list[str]] = {c: list(m) for c, m in targets.margins.items()}
    for inter in targets.interactions:
        for j, col in enumerate(inter.columns):
            extra = [combo[j] for combo in inter.targets]
            cats[col] = list(dict.fromkeys([*cats.get(col, []), *extra]))
    return cats


def _build_table(data: pd.DataFrame, targets: Targets) -> _Table:
    source = targets.source
    columns = targets.columns
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise SurveyError(f"margin column(s) {missing} of {source} not found in data; available: "
                          f"{list(map(str, data.columns))[:60]}")
    cats = _target_categories(targets)
    axis = {c: i for i, c in enumerate(columns)}
    codes = [_codes(data, c, cats[c], f"margins.{c}" if c in targets.margins else
                    next(f"interactions[{i}]" for i, it in enumerate(targets.interactions) if c in it.columns),
                    source) for c in columns]
    shape = tuple(len(cats[c]) for c in columns)
    cell = np.ravel_multi_index(codes, shape) if len(columns) > 1 else codes[0]
    dims, shares, names, labels, keys = [], [], [], [], []
    for col, m in targets.margins.items():
        total = _total(m.values())
        dims.append([axis[col]])
        shares.append(np.array([m.get(c, 0.0) / total for c in cats[col]]))
        names.append(col)
        labels.append(list(cats[col]))
        keys.append(f"margins.{col}")
    for i, inter in enumerate(targets.interactions):
        sorted_cols, arr = _interaction_shares(inter, cats, axis)
        dims.append([axis[c] for c in sorted_cols])
        shares.append(arr)
        names.append(" × ".join(sorted_cols))
        labels.append([" × ".join(cats[c][k] for c, k in zip(sorted_cols, pos)) for pos in np.ndindex(*arr.shape)])
        keys.append(f"interactions[{i}]")
    return _Table(shape, np.asarray(cell, dtype=np.int64), dims, shares, names, labels, keys)


def _margin_sums(table: np.ndarray, dims: list[int]) -> np.ndarray:
    other = tuple(a for a in range(table.ndim) if a not in dims)
    return table.sum(axis=other) if other else table


def _check_reachable(t: _Table, counts: np.ndarray, source: str) -> None:
    """A positive target needs respondents; respondents need a positive target."""
    for dims, shares, name, labels, key in zip(t.dims, t.shares, t.names, t.labels, t.keys):
        n = _margin_sums(counts, dims).ravel()
        flat = shares.ravel()
        empty = np.flatnonzero((flat > 0) & (n == 0))
        if empty.size:
            cat = labels[empty[0]]
            more = f" (and {empty.size - 1} more: {[labels[k] for k in empty[1:6]]})" if empty.size > 1 else ""
            raise _fail(source, key, f"category '{cat}' of {name} has a target of {flat[empty[0]]:.6g} but no "
                                     f"respondent in the sample{more}; no weight can reach an empty category: "
                                     "merge it with a neighbour in the targets, or drop it and rescale the others")
        zero = np.flatnonzero((flat == 0) & (n > 0))
        if zero.size:
            cat = labels[zero[0]]
            raise _fail(source, key, f"category '{cat}' of {name} has a target of 0 but {int(n[zero[0]])} "
                                     "respondent(s); raking would have to give them a weight of 0: exclude them "
                                     "from the data, or give the category a positive target")


def _ipf(seed: np.ndarray, t: _Table, total: float, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Fit the cell table to the margins with ipfn; (fitted table, sweeps done)."""
    from ipfn import ipfn  # deferred: ipfn

    aggregates = [s * total for s in t.shares]
    # ipfn changes its seed in place, prints its stopping reason, and divides 0 by 0 for a
    # category with no respondents and a target of 0 (a NaN it then ignores, as it should)
    with np.errstate(divide="ignore", invalid="ignore"), contextlib.redirect_stdout(io.StringIO()):
        fitted, _, rates = ipfn.ipfn(seed.copy(), aggregates, [list(d) for d in t.dims],
                                     convergence_rate=tol, max_iteration=max_iter - 1, verbose=2,
                                     rate_tolerance=0).iteration()
    if not np.isfinite(fitted).all():  # not expected: every target is finite, every seed cell >= 0
        raise SurveyError("raking gave non-finite weights; please report this with the targets")
    return fitted, len(rates)


def _margin_error(table: np.ndarray, t: _Table) -> float:
    total = table.sum()
    return max(float(np.abs(_margin_sums(table, d) / total - s).max()) for d, s in zip(t.dims, t.shares))


def _rake_pass(w: np.ndarray, t: _Table, size: int, total: float, tol: float, max_iter: int):
    """One raking pass from weights ``w``: (raked weights, sweeps, margin error).

    IPF runs on the cell table as shares (its stopping rule is relative, so the scale
    changes nothing), then each weight is its share of its cell times the fitted cell
    share times ``total``: no product on the way exceeds ``total``, however large."""
    seed = np.bincount(t.cell, weights=w, minlength=size).reshape(t.shape)
    unit = _total(seed)
    fitted, sweeps = _ipf(seed / unit, t, 1.0, tol, max_iter)
    within = w / (seed.ravel()[t.cell])  # each respondent's share of their cell's starting weight
    raked = within * fitted.ravel()[t.cell] * total
    table = np.bincount(t.cell, weights=raked, minlength=size).reshape(t.shape)
    return raked, sweeps, _margin_error(table, t)


def _cap_problems(t: _Table, counts: np.ndarray, n: int, lower: float, upper: float) -> list[str]:
    """Categories whose target no weights within the caps can meet (necessary condition:
    their mean weight, target share / sample share times the mean, within the caps)."""
    out = []
    for dims, shares, name, labels in zip(t.dims, t.shares, t.names, t.labels):
        n_cat = _margin_sums(counts, dims).ravel()
        for k in np.flatnonzero(n_cat > 0):
            need = shares.ravel()[k] / (n_cat[k] / n)
            if need > upper * (1 + 1e-12) or need < lower * (1 - 1e-12):
                cap, word = (upper, "above the upper") if need > upper else (lower, "below the lower")
                out.append(f"'{labels[k]}' of {name} ({n_cat[k] / n:.1%} of the respondents, target "
                           f"{shares.ravel()[k]:.1%}) needs a mean weight {need:.3g} × the mean, {word} cap {cap:g}")
    return out


def _margin_codes(t: _Table, cells: np.ndarray) -> list[np.ndarray]:
    """For each margin, the (flat) category of each of ``cells`` (flat cell indices)."""
    coords = np.unravel_index(cells, t.shape)
    return [np.ravel_multi_index(tuple(coords[d] for d in dims), tuple(t.shape[d] for d in dims))
            for dims in t.dims]


def _caps_feasible(t: _Table, counts: np.ndarray, n: int, lower: float, upper: float) -> bool | None:
    """Whether any weights within the caps meet every margin: a linear programme on the
    cells present (a cell of c respondents holds a total weight between c·lower and
    c·upper mean weights; each category's cells add up to its target). True, False, or
    None when the solver cannot tell."""
    from scipy import sparse  # deferred: scipy
    from scipy.optimize import linprog  # deferred: scipy

    flat = counts.ravel()
    present = np.flatnonzero(flat > 0)
    rows, cols, b = [], [], []
    for code, shares in zip(_margin_codes(t, present), t.shares):
        used, row = np.unique(code, return_inverse=True)
        rows.append(row + len(b))
        cols.append(np.arange(present.size))
        b.extend(shares.ravel()[used] * n)
    a_eq = sparse.csr_array((np.ones(sum(r.size for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(len(b), present.size))
    bounds = np.column_stack([flat[present] * lower, flat[present] * upper])
    res = linprog(np.zeros(present.size), A_eq=a_eq, b_eq=np.array(b), bounds=bounds, method="highs")
    return True if res.status == 0 else False if res.status == 2 else None


def _scale_within(x: np.ndarray, c: np.ndarray, lo: float, hi: float, target: float) -> float:
    """The factor f with Σ c·clip(x·f, lo, hi) = target (every x > 0).

    The left side is piecewise linear and non-decreasing in f, with breakpoints lo/x and
    hi/x: it is evaluated at every breakpoint (cumulative sums over x in decreasing order)
    and solved exactly on the piece holding the target. A target out of reach
    (below lo·Σc or above hi·Σc) gives the end breakpoint: every weight at the cap.
    """
    order = np.argsort(-x, kind="stable")
    neg, cs = -x[order], c[order]
    csum = np.concatenate([[0.0], np.cumsum(cs)])
    xsum = np.concatenate([[0.0], np.cumsum(cs * -neg)])
    upper = math.isfinite(hi)

    def pieces(f):  # atoms at the upper cap: [0, p); free: [p, q); at the lower cap: [q, m)
        p = np.searchsorted(neg, -hi / f, side="right") if upper else np.zeros(np.shape(f), int)
        q = np.searchsorted(neg, -lo / f, side="left") if lo > 0 else np.full(np.shape(f), neg.size)
        return p, q, (hi * csum[p] if upper else 0.0) + lo * (csum[-1] - csum[q])

    breaks = [v for v, use in ((hi / -neg, upper), (lo / -neg, lo > 0)) if use]
    if not breaks:
        return target / xsum[-1]
    points = np.unique(np.concatenate(breaks))
    p, q, fixed = pieces(points)
    j = int(np.searchsorted(fixed + points * (xsum[q] - xsum[p]), target, side="left"))
    a = points[j - 1] if j > 0 else 0.0
    b = points[j] if j < points.size else math.inf
    inside = (a + b) / 2 if a > 0 and math.isfinite(b) else (b / 2 if a == 0 else 2 * a)
    p, q, fixed = pieces(np.array([inside]))
    slope = xsum[q[0]] - xsum[p[0]]
    if slope <= 0:  # every weight at a cap on this piece: the target is out of reach
        return b if math.isfinite(b) else a
    return min(max((target - fixed[0]) / slope, a), b)


def _capped_rake(w: np.ndarray, t: _Table, size: int, total: float, lo: float, hi: float, tol: float,
                 max_iter: int, max_cycles: int):
    """Raking within the caps, from raked weights ``w``: (weights, sweeps in the last
    cycle, cycles, margin error).

    Each step scales the weights of one category by the factor that meets its target
    *after* clipping to [lo, hi] (:func:`_scale_within`), so every weight stays within the
    caps and only the margins have to converge. Respondents with the same cell and the
    same weight move together, so the work is on those groups, not on every respondent.
    """
    keys = np.column_stack([t.cell.astype(float), w])
    groups, inverse, count = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    cell, x, count = groups[:, 0].astype(np.int64), groups[:, 1].copy(), count.astype(float)
    steps = []
    for code, shares in zip(_margin_codes(t, cell), t.shares):
        order = np.argsort(code, kind="stable")
        cats, starts = np.unique(code[order], return_index=True)
        steps += [(idx, shares.ravel()[k] * total) for k, idx in zip(cats, np.split(order, starts[1:]))]
    err = math.inf
    for cycle in range(1, max_cycles + 1):
        for sweep in range(1, max_iter + 1):
            for idx, target in steps:
                f = _scale_within(x[idx], count[idx], lo, hi, target)
                x[idx] = np.clip(x[idx] * f, lo, hi)
            table = np.bincount(cell, weights=count * x, minlength=size).reshape(t.shape)
            err = _margin_error(table, t)
            if err <= tol:
                return x[inverse.ravel()], sweep, cycle, err
    return x[inverse.ravel()], max_iter, max_cycles, err


def rake(data: pd.DataFrame, targets: str | os.PathLike | dict | Targets, *, weight: Any = None,
         trim: Any = None, max_iter: int | None = None, tol: float | None = None, strict: bool = False,
         name: str = "rake_weight") -> RakeResult:
    """Rake survey weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
        The respondents to weight (the kept ones: ``survey.data``); every margin column
        must have a value for every respondent.
    targets : path, dict or Targets
        Population margins: a targets file, a mapping of the same shape, or
        :class:`Targets` (see the module docstring and :func:`read_targets`).
    weight : str, array-like or None
        The starting (design) weights: a column of ``data``, one number per respondent
        (a Series is matched on the index), or None for equal weights. All must be > 0.
    trim : mapping, (lower, upper), False or None
        Caps on the weights as multiples of the mean weight, e.g. ``{"lower": 0.3,
        "upper": 3.0}``; False: no trimming; None: the targets' ``trim:`` if any.
    max_iter : int, optional
        IPF sweeps per raking pass (default: the targets' ``max_iter``, 100).
    tol : float, optional
        Largest ``|achieved share - target share|`` accepted (default: the targets'
        ``tolerance``, 1e-8). Trimmed weights are within the caps exactly.
    strict : bool, default False
        Raise :class:`TargetsError` when raking does not converge, instead of returning
        ``converged=False``.
    name : str, default "rake_weight"
        The name of the weights Series.

    Returns
    -------
    RakeResult

    Raises
    ------
    TargetsError
        Bad targets (see :func:`read_targets`); a data value with no target; a category
        with a positive target and no respondent, or a target of 0 and respondents; with
        ``strict=True``, no convergence.
    SurveyError
        A margin column missing from ``data``; respondents with no value in a margin
        column (the message counts them and gives the first rows); a starting weight of 0.
    ParameterError
        A wrong argument (weights not numbers or negative, ``max_iter`` < 1, ...).

    See Also
    --------
    weight_survey : the same on a loaded survey, whose estimates then use the raked weight.

    Notes
    -----
    With shares the raked weights add up to the sum of the starting weights; with counts,
    to the population total. Respondents sharing a combination of the margin columns
    (a cell) get the same adjustment factor, raked weight / starting weight.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"channel": ["store"] * 6 + ["online"] * 4,
    ...                      "stage": ["repeat", "repeat", "repeat", "repeat", "first", "first",
    ...                                "repeat", "repeat", "first", "first"]})
    >>> result = rake(data, {"margins": {"channel": {"store": 0.5, "online": 0.5},
    ...                                  "stage": {"first": 0.3, "repeat": 0.7}}})
    >>> result.converged, result.max_margin_error < 1e-8, result.iterations
    (True, True, 6)
    >>> result.weights.groupby(data["channel"]).sum().round(6).to_dict()
    {'online': 5.0, 'store': 5.0}
    >>> result.margins[["margin", "category", "target", "sample", "achieved", "n"]].round(3)
        margin category  target  sample  achieved  n
    0  channel    store     0.5     0.6       0.5  6
    1  channel   online     0.5     0.4       0.5  4
    2    stage    first     0.3     0.4       0.3  4
    3    stage   repeat     0.7     0.6       0.7  6
    """
    if not isinstance(data, pd.DataFrame):
        raise _check._fail("data", "a DataFrame of respondents", data)
    if data.empty:
        raise SurveyError("data: no respondents to weight")
    if not data.index.is_unique:
        raise ParameterError("data: its index has repeated labels; raking matches weights to respondents by "
                             "index: reset it (data.reset_index())", name="data")
    strict = _check.flag("strict", strict)
    name = _check.text("name", name)
    tg = read_targets(targets)
    src = tg.source
    max_iter = tg.max_iter if max_iter is None else _argument(_max_iter, max_iter, "max_iter")
    tol = tg.tolerance if tol is None else _argument(_tolerance, tol, "tol")
    trim_spec = tg.trim if trim is None else _argument(_trim_spec, trim, "trim")

    w0, start_label = _start_weights(data, weight)
    t = _build_table(data, tg)
    n = len(data)
    size = int(np.prod(t.shape))
    counts = np.bincount(t.cell, minlength=size).reshape(t.shape).astype(float)
    _check_reachable(t, counts, src)
    total = tg.total if tg.units == "counts" else _total(w0)

    notes: list[str] = []
    w, sweeps, err = _rake_pass(w0, t, size, total, tol, max_iter)
    converged = err <= tol
    if not converged:
        notes.append(_not_converged(err, tol, sweeps, max_iter))
    cycles, n_capped = 0, 0
    if trim_spec and converged:
        w, sweeps, cycles, n_capped, converged = _trim(w, t, counts, size, total, trim_spec, tol, max_iter, notes,
                                                       sweeps)
    if strict and not converged:
        reason = notes[0] if notes[0].startswith("raking did not converge") else f"raking did not converge: {notes[0]}"
        raise TargetsError(f"{src}: {reason}", path=None if src == "<targets>" else src)

    table = np.bincount(t.cell, weights=w, minlength=size).reshape(t.shape)
    err = _margin_error(table, t)
    margins = _margins_table(t, counts, table, w0, size)
    sw = _total(w)
    scaled = w / (sw / n)  # the design effect from weights of mean 1: no square under- or overflows
    deff = float(np.mean(np.square(scaled)))
    notes.append(f"starting weights: {start_label}; the raked weights add up to {sw:,.6g} "
                 + ("(the population total)" if tg.units == "counts" else "(the sum of the starting weights)"))
    return RakeResult(
        weights=pd.Series(w, index=data.index, name=name),
        start_weights=pd.Series(w0, index=data.index, name="start_weight"),
        converged=bool(converged), iterations=int(sweeps), trim_cycles=cycles, n_capped=n_capped,
        max_margin_error=err, margins=margins, design_effect=deff, effective_n=n / deff,
        weight_summary=_weight_summary(scaled, sw / n), units=tg.units, total=sw, tolerance=tol, notes=notes)


def _trim(w, t, counts, size: int, total: float, trim_spec: dict, tol: float, max_iter: int, notes: list,
          sweeps: int):
    """Raked weights within the trim caps, or the raked weights untrimmed with a note saying
    why the caps cannot be met: ``(w, sweeps, cycles, n_capped, converged)``."""
    n = len(w)
    mean = total / n
    lo, hi = trim_spec["lower"] * mean, trim_spec["upper"] * mean
    caps = f"({trim_spec['lower']:g}, {trim_spec['upper']:g} × the mean weight)"
    problems = _cap_problems(t, counts, n, trim_spec["lower"], trim_spec["upper"])
    feasible = None if problems else _caps_feasible(t, counts, n, trim_spec["lower"], trim_spec["upper"])
    if problems or feasible is False:
        why = ("; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
               if problems else f"no weights within the caps meet every margin (a linear-programming check on "
                                f"the {int((counts > 0).sum())} cells of the margin columns finds none)")
        notes.append(f"the trim caps {caps} cannot be met with these margins: {why}. The weights are raked "
                     "but not trimmed: loosen the caps or merge categories")
        return w, sweeps, 0, 0, False
    if not ((w < lo) | (w > hi)).any():
        return w, sweeps, 0, 0, True
    # within the caps on weights of mean 1 (no sum of a cap by a count can overflow), then back
    w, sweeps, cycles, err = _capped_rake(w / mean, t, size, float(n), trim_spec["lower"],
                                          trim_spec["upper"], tol, max_iter, trim_spec["max_cycles"])
    w = w * mean
    n_capped = int(((w <= lo * (1 + 1e-12)) | (w >= hi * (1 - 1e-12))).sum())
    if err > tol:
        notes.append(f"raking did not converge within the caps {caps}: the largest margin error is "
                     f"{err:.3g} (tolerance {tol:g}) after {cycles} trim cycle(s) (trim.max_cycles) of "
                     f"{max_iter} sweep(s) (max_iter); the caps can be met with these margins"
                     f"{'' if feasible else ' (as far as the linear-programming check can tell)'}, so allow "
                     "more cycles or sweeps; the weights returned are the last iterate, within the caps")
        return w, sweeps, cycles, n_capped, False
    return w, sweeps, cycles, n_capped, True


def _margins_table(t, counts, table, w0, size: int) -> pd.DataFrame:
    """Per margin category: target, sample, starting and achieved shares, their difference, n."""
    n = len(w0)
    start = np.bincount(t.cell, weights=w0 / w0.max(), minlength=size).reshape(t.shape)  # shares only: no overflow
    rows = []
    for dims, shares, mname, labels in zip(t.dims, t.shares, t.names, t.labels):
        n_cat = _margin_sums(counts, dims).ravel()
        s_cat = _margin_sums(start, dims).ravel() / start.sum()
        a_cat = _margin_sums(table, dims).ravel() / table.sum()
        for k, label in enumerate(labels):
            rows.append((mname, label, shares.ravel()[k], n_cat[k] / n, s_cat[k], a_cat[k],
                         a_cat[k] - shares.ravel()[k], int(n_cat[k])))
    return pd.DataFrame(rows, columns=["margin", "category", "target", "sample", "start", "achieved",
                                       "difference", "n"])


def _weight_summary(scaled: np.ndarray, mean: float) -> pd.Series:
    """The spread of the weights scaled to mean 1 (quantiles, max/min), and their actual mean."""
    qs = np.quantile(scaled, [0.01, 0.05, 0.5, 0.95, 0.99])
    return pd.Series({"min": scaled.min(), "p1": qs[0], "p5": qs[1], "median": qs[2], "p95": qs[3],
                      "p99": qs[4], "max": scaled.max(), "max_over_min": scaled.max() / scaled.min(),
                      "mean": mean}, name="weight")


def _not_converged(err: float, tol: float, sweeps: int, max_iter: int) -> str:
    if sweeps >= max_iter:
        why = f"after {sweeps} iteration(s) (max_iter)"
    else:
        why = (f"after {sweeps} iteration(s) the error stopped improving: the sample lacks combinations of "
               "categories the targets need (e.g. an interaction cell, or categories only ever seen together)")
    return (f"raking did not converge: the largest margin error is {err:.3g} (tolerance {tol:g}) {why}; "
            "the weights returned are the last iterate")


# -- surveys ----------------------------------------------------------------------------


def weight_survey(survey, targets: str | os.PathLike | dict | Targets, *, name: str = "rake_weight",
                  trim: Any = None, max_iter: int | None = None, tol: float | None = None,
                  strict: bool = False):
    """Rake a loaded survey's weights to population margins.

    The survey's design weight (the codebook's ``weight:`` column), if any, is the
    starting point; its kept respondents are raked (:func:`rake`).

    Parameters
    ----------
    survey : Survey
        A loaded survey (:func:`valuekit.load_survey`).
    targets : path, dict or Targets
        Population margins (see :func:`read_targets`).
    name : str, default "rake_weight"
        The column the raked weight is added under; it must not be a column yet.
    trim, max_iter, tol, strict
        As in :func:`rake`.

    Returns
    -------
    survey : Survey
        A new survey whose data carry the raked weight in column ``name`` and whose
        codebook's ``weight`` is ``name``, so :attr:`Survey.weights` and every weighted
        estimate use it. Excluded rows (in ``survey.recoded``) have no raked weight (NaN):
        they are not analysed. The original survey is unchanged.
    result : RakeResult

    Examples
    --------
    >>> from valuekit import load_survey, DEMO_DATA, DEMO_CODEBOOK
    >>> survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    >>> weighted, result = weight_survey(survey, {"margins": {
    ...     "channel": {"store": 0.5, "online": 0.28, "both": 0.22}}})
    >>> weighted.codebook.weight, result.converged
    ('rake_weight', True)
    >>> w = weighted.weights
    >>> float(round(w[weighted.data["channel"] == "online"].sum() / w.sum(), 6))
    0.28
    """

    if not isinstance(survey, Survey):
        raise _check._fail("survey", "a Survey (valuekit.load_survey)", survey)
    name = _check.text("name", name)
    if name in survey.recoded.columns:
        raise ParameterError(f"name: '{name}' is already a column of the survey; give the raked weight "
                             "another name", name="name")
    result = rake(survey.data, targets, weight=survey.codebook.weight, trim=trim, max_iter=max_iter, tol=tol,
                  strict=strict, name=name)
    recoded = survey.recoded.copy()
    recoded[name] = result.weights.reindex(recoded.index)
    codebook = _replace(survey.codebook, weight=name)
    return Survey(codebook, survey.audit, recoded), result
