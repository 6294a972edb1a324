"""The evidence floors every conclusion must pass: significance level, adjustment,
effect-size and model floors, measurement cut-offs and the playbook's thresholds.

The defaults are data (``valuekit/evidence.yaml``), which an analyst can read and change;
:func:`evidence_settings` reads them, applies a file or dict of overrides and checks every
value and every pair that must not cross. This module imports nothing from the analysis
modules, so every stage can read the floors without an import running back up the flow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ._validate import check as _check
from ._validate.args import expected_error
from ._validate.yamlfile import read_file as _read_file
from .errors import FileError, ParameterError

__all__ = ["evidence_settings", "ADJUST_METHODS", "DEFAULT_EVIDENCE"]

#: Multiple-testing adjustments (names as in :func:`statsmodels.stats.multitest.multipletests`).
ADJUST_METHODS = ("fdr_bh", "holm", "bonferroni", "none")
#: The shipped defaults for every evidence floor (read from ``valuekit/evidence.yaml``).
DEFAULT_EVIDENCE: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("evidence.yaml").read_text(encoding="utf-8"))

def _check_setting(key: str, value: Any) -> Any:
    """One evidence setting's value; a ParameterError named after the setting otherwise."""
    def fail(expected):
        return ParameterError(f"evidence setting '{key}': expected {expected}, got {_check.shown(value)}", name=key)

    if key == "adjust":
        if not isinstance(value, str) or value not in ADJUST_METHODS:
            raise fail(f"one of {list(ADJUST_METHODS)}")
        return value
    if key in ("min_group_n", "max_levels"):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise fail("a whole number >= 1")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not _finite(value):
        raise fail("a number")
    if key in ("alpha", "strong_p", "strong_r2", "min_sign_stability", "destroyed_share", "lost_segment",
               "min_loading", "min_cr", "min_ave", "min_cfi", "min_tli", "max_rmsea", "max_srmr") \
            and not 0 < value < 1:
        raise fail("a number between 0 and 1")
    if key == "max_std_loading" and not 0 < value <= 1:  # 1: flag no loading as nearly redundant
        raise fail("a number above 0, at most 1")
    if key in ("min_effect", "strong_effect", "min_r2", "min_n_per_driver", "important", "max_htmt",
               "min_n_per_parameter") and value < 0:
        raise fail("a number >= 0")
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
    ("min_r2", "strong_r2", "a strong recommendation's driver model must also be usable"),
    ("min_loading", "max_std_loading", "an item's loading cannot be both enough and nearly redundant below it"),
)


def _check_order(settings: dict[str, Any], given: dict[str, Any], source: str) -> None:
    """Refuse settings that contradict each other (``strong_p`` above ``alpha``), naming both."""
    for low, high, why in _ORDERED:
        if settings[low] > settings[high]:
            def shown(k):
                return f"{settings[k]:g}" + ("" if k in given else ", the default")
            raise ParameterError(f"{source}: '{low}' ({shown(low)}) is above '{high}' ({shown(high)}): {why}; "
                                 f"expected {low} <= {high}", name=low if low in given else high)


def evidence_settings(overrides: dict | str | Path | None = None, **more) -> dict[str, Any]:
    """The evidence floors: the shipped defaults, updated by a file or dict of overrides.

    Parameters
    ----------
    overrides : dict or path to a YAML file, optional
        Only the keys to change (see ``valuekit/evidence.yaml`` for every key and its
        meaning). A file is read with :func:`valuekit._validate.yamlfile.read_file`: the safe loader,
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
        ``strong_effect``, ``min_r2`` above ``strong_r2``, ``min_loading`` above
        ``max_std_loading``.

    Examples
    --------
    >>> s = evidence_settings({"alpha": 0.01}, min_effect=0.2)
    >>> s["alpha"], s["min_effect"], s["adjust"]
    (0.01, 0.2, 'fdr_bh')
    """
    if overrides is not None and not isinstance(overrides, (dict, str, Path)):
        raise _check._fail("overrides", "None, a dict of settings or the path of a YAML file", overrides)
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
    settings = dict(DEFAULT_EVIDENCE)
    try:
        settings.update({k: _check_setting(k, v) for k, v in overrides.items()})
    except ParameterError as err:
        if source == "evidence settings":
            raise
        raise ParameterError(f"{source}: {err}", name=err.name) from None  # a file's value: name the file too
    _check_order(settings, overrides, source)
    return settings


def settings_arg(value, name: str = "settings") -> dict:
    """Evidence settings as :func:`evidence_settings` checks them (``None``: the defaults)."""
    if value is not None and not isinstance(value, dict):
        raise expected_error(name, "None or a dict of evidence settings (valuekit.evidence.evidence_settings)",
                             value)
    return evidence_settings(value)
