"""The evidence floors every conclusion must pass: significance level, adjustment,
effect-size and model floors, measurement cut-offs and the playbook's thresholds.

The defaults are data (``valuekit/evidence.yaml``), which an analyst can read and change;
:func:`evidence_settings` reads them, applies a file or dict of overrides and checks every
value and every pair that must not cross. This module imports nothing from the analysis
modules, so every stage can read the floors without an import running back up the flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ._validate import check as _check
from ._validate.args import expected_error
from ._validate.yamlfile import read_file as _read_file
from .errors import FileError, ParameterError

__all__ = ["Evidence", "evidence_settings", "ADJUST_METHODS", "DEFAULT_EVIDENCE"]

#: Multiple-testing adjustments (names as in :func:`statsmodels.stats.multitest.multipletests`).
ADJUST_METHODS = ("fdr_bh", "holm", "bonferroni", "none")

# What each kind of setting accepts: (test, expected). The kind of every field is declared
# with the field, so the schema is the class below and this table, nothing else.
_KINDS = {
    "method": (lambda v: isinstance(v, str) and v in ADJUST_METHODS, f"one of {list(ADJUST_METHODS)}"),
    "count": (lambda v: v >= 1, "a whole number >= 1"),
    "share": (lambda v: 0 < v < 1, "a number between 0 and 1"),
    "loading": (lambda v: 0 < v <= 1, "a number above 0, at most 1"),  # 1: flag no loading as redundant
    "nonneg": (lambda v: v >= 0, "a number >= 0"),
    "number": (lambda v: True, "a number"),
}


def _kind(kind: str, type_=float):
    return field(metadata={"kind": kind, "type": type_})


@dataclass(frozen=True)
class Evidence(Mapping):
    """The evidence floors, one typed value per field, checked once when built.

    Build it with :func:`evidence_settings` (the shipped defaults of
    ``valuekit/evidence.yaml`` with your overrides) and pass it as ``settings=`` to every
    function that states a finding; a function given an :class:`Evidence` uses it as it
    is, a dict of overrides is checked each time it is given. The fields, their meaning
    and their sources are in ``valuekit/evidence.yaml``; the values are data an analyst can
    change, not constants. It reads like a dict too (``s["alpha"]``, ``dict(s)``,
    ``pd.Series(s)``) and :meth:`replace` returns a checked copy with some fields changed.

    Raises
    ------
    ParameterError
        A value of the wrong kind (``.name`` is the field) or two fields that must not
        cross (``strong_p`` above ``alpha``...), naming both.

    Examples
    --------
    >>> s = evidence_settings(alpha=0.01)
    >>> s.alpha, s["min_effect"], s.replace(min_effect=0.2).min_effect
    (0.01, 0.3, 0.2)
    """

    # comparisons of a group with the rest of the sample
    alpha: float = _kind("share")
    adjust: str = _kind("method", str)
    min_effect: float = _kind("nonneg")
    min_group_n: int = _kind("count", int)
    max_levels: int = _kind("count", int)
    strong_p: float = _kind("share")
    strong_effect: float = _kind("nonneg")
    strong_r2: float = _kind("share")
    # segments
    min_silhouette: float = _kind("number")
    # key drivers
    min_adj_r2: float = _kind("share")
    min_n_per_driver: float = _kind("nonneg")
    min_sign_stability: float = _kind("share")
    # the playbook's rules
    important: float = _kind("nonneg")
    perception_gap: float = _kind("number")
    access_burden: float = _kind("number")
    destroyed_share: float = _kind("share")
    underperforms: float = _kind("number")
    price_burden: float = _kind("number")
    competitor_gap: float = _kind("number")
    belonging_gap: float = _kind("number")
    lost_segment: float = _kind("share")
    # measurement model
    min_loading: float = _kind("share")
    min_cr: float = _kind("share")
    min_alpha: float = _kind("share")
    min_ave: float = _kind("share")
    max_htmt: float = _kind("nonneg")
    min_cfi: float = _kind("share")
    min_tli: float = _kind("share")
    max_rmsea: float = _kind("share")
    max_srmr: float = _kind("share")
    min_n_per_parameter: float = _kind("nonneg")
    max_std_loading: float = _kind("loading")
    # price questions
    min_price_gap: float = _kind("share")
    min_kano_gap: float = _kind("share")

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _check_setting(f.name, getattr(self, f.name)))
        _check_order(self, self, "evidence settings")

    def __getitem__(self, key: str):
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(_FIELDS)

    def __len__(self) -> int:
        return len(_FIELDS)

    def replace(self, **changes) -> "Evidence":
        """A copy with some fields changed, checked as :func:`evidence_settings` checks them."""
        return evidence_settings(self, **changes)


_FIELDS = tuple(f.name for f in fields(Evidence))
_SPEC = {f.name: f.metadata for f in fields(Evidence)}


def _check_setting(key: str, value: Any) -> Any:
    """One evidence setting's value; a ParameterError named after the setting otherwise."""
    kind, type_ = _SPEC[key]["kind"], _SPEC[key]["type"]
    test, expected = _KINDS[kind]

    def fail():
        return ParameterError(f"evidence setting '{key}': expected {expected}, got {_check.shown(value)}", name=key)

    if type_ is str:
        if not test(value):
            raise fail()
        return value
    if type_ is int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not test(value):
            raise fail()
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not _finite(value):
        expected = "a number"
        raise fail()
    if not test(value):
        raise fail()
    return float(value)


def _finite(value) -> bool:
    """A finite number that a float holds (10**400 is not)."""
    try:
        return bool(np.isfinite(float(value)))
    except OverflowError:
        return False


#: Settings that must not cross: (lower, upper, why). Each pair is checked once both are known.
_ORDERED = (
    ("strong_p", "alpha", "a strong finding must also be significant"),
    ("min_effect", "strong_effect", "a strong finding's effect must also be meaningful"),
    ("min_adj_r2", "strong_r2", "a strong recommendation's driver model must also be usable"),
    ("min_loading", "max_std_loading", "an item's loading cannot be both enough and nearly redundant below it"),
)


def _check_order(settings: Mapping[str, Any], given: Mapping[str, Any], source: str) -> None:
    """Refuse settings that contradict each other (``strong_p`` above ``alpha``), naming both."""
    for low, high, why in _ORDERED:
        if settings[low] > settings[high]:
            def shown(k):
                return f"{settings[k]:g}" + ("" if k in given else ", the default")
            raise ParameterError(f"{source}: '{low}' ({shown(low)}) is above '{high}' ({shown(high)}): {why}; "
                                 f"expected {low} <= {high}", name=low if low in given else high)


def _defaults() -> Evidence:
    path = Path(__file__).with_name("evidence.yaml")
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    if set(values) != set(_FIELDS):  # the shipped file and the class are kept together
        raise RuntimeError(f"{path.name} and valuekit.evidence.Evidence disagree on the settings: "
                           f"{sorted(set(values) ^ set(_FIELDS))}")
    return Evidence(**values)


#: The shipped defaults for every evidence floor (read from ``valuekit/evidence.yaml``).
DEFAULT_EVIDENCE: Evidence = _defaults()


def evidence_settings(overrides: Evidence | dict | str | Path | None = None, **more) -> Evidence:
    """The evidence floors: the shipped defaults, updated by a file or dict of overrides.

    Parameters
    ----------
    overrides : Evidence, dict or path to a YAML file, optional
        Only the keys to change (see ``valuekit/evidence.yaml`` for every key and its
        meaning); an :class:`Evidence` is taken whole, as the base for ``**more``. A file is read with :func:`valuekit._validate.yamlfile.read_file`: the safe loader,
        UTF-8, UTF-16/32 or Windows-1252 text, at most 4 MiB, no key twice.
    **more
        Further overrides by keyword.

    Raises
    ------
    FileError
        The file is missing, not YAML, gives a key twice, or is refused (bigger than 4 MiB,
        nesting deeper than 50 levels, aliases expanding to more than 1,000,000 values);
        or holds something other than a mapping of setting: value (a list, a number, a
        text); the message names the file.
    ParameterError
        An unknown key (with the known ones; ``.name`` is the first unknown key), a value
        of the wrong kind (``.name`` is the setting), or two settings that contradict each
        other, naming both: ``strong_p`` above ``alpha``, ``min_effect`` above
        ``strong_effect``, ``min_adj_r2`` above ``strong_r2``, ``min_loading`` above
        ``max_std_loading``.

    Returns
    -------
    Evidence
        Every floor as a typed, checked field.

    Examples
    --------
    >>> s = evidence_settings({"alpha": 0.01}, min_effect=0.2)
    >>> s["alpha"], s.min_effect, s.adjust
    (0.01, 0.2, 'fdr_bh')
    """
    base = DEFAULT_EVIDENCE
    if isinstance(overrides, Evidence):
        base, overrides = overrides, None
        if not more:
            return base  # checked when it was built
    if overrides is not None and not isinstance(overrides, (dict, str, Path)):
        raise _check._fail("overrides", "None, Evidence, a dict of settings or the path of a YAML file", overrides)
    source = "evidence settings"
    if isinstance(overrides, (str, Path)):
        path = Path(overrides)
        source = path.name
        # the bounded safe reader: any encoding, no key twice, no alias bomb; FileError naming the file
        overrides = _read_file(path, what="evidence settings file", error=FileError, json_=False)
        if overrides is None:  # an empty file: nothing to change
            overrides = {}
        if not isinstance(overrides, dict):
            raise FileError(f"{source}: expected a mapping of setting: value (such as 'alpha: 0.01'), got "
                            f"{_check.shown(overrides)}", path=str(path))
    overrides = dict(overrides or {}, **more)
    unknown = [k for k in overrides if k not in DEFAULT_EVIDENCE]
    if unknown:
        raise ParameterError(f"{source}: unknown setting(s) {unknown}; expected some of "
                             f"{sorted(DEFAULT_EVIDENCE)}", name=str(unknown[0]))
    settings = dict(base)
    try:
        settings.update({k: _check_setting(k, v) for k, v in overrides.items()})
    except ParameterError as err:
        if source == "evidence settings":
            raise
        raise ParameterError(f"{source}: {err}", name=err.name) from None  # a file's value: name the file too
    _check_order(settings, overrides, source)
    return Evidence(**settings)


def settings_arg(value, name: str = "settings") -> Evidence:
    """Evidence settings as :func:`evidence_settings` checks them (``None``: the defaults).

    An :class:`Evidence` is used as it is; a dict of overrides is checked here.
    """
    if value is None:
        return DEFAULT_EVIDENCE
    if isinstance(value, Evidence):
        return value
    if not isinstance(value, dict):
        raise expected_error(name, "None, Evidence or a dict of evidence settings "
                             "(valuekit.evidence.evidence_settings)", value)
    return evidence_settings(value)
