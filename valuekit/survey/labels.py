"""The display languages and the interface texts every stage shares (``labels.yaml``).

A codebook's own ``labels:`` add to these and win over them
(:meth:`valuekit.Codebook.label`, :func:`valuekit.survey.codebook.ui_text`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .._validate import check as _check

__all__ = ["LANGUAGES", "DEFAULT_LABELS", "lang_arg"]

#: Display languages.
LANGUAGES = ("en", "es", "it")

#: The default labels and interface texts, by key, then language (``labels.yaml``).
DEFAULT_LABELS: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8")
)


def lang_arg(value, name: str = "lang") -> str:
    """``value`` if it is one of :data:`LANGUAGES`; else a ParameterError naming ``name``."""
    return _check.choice(name, value, LANGUAGES)
