"""The display languages and the interface texts every stage shares (``labels.yaml``).

A codebook's own ``labels:`` add to these and win over them
(:meth:`valuekit.Codebook.label`, :func:`valuekit.survey.codebook.ui_text`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from .._validate import check as _check

__all__ = ["LANGUAGES", "DEFAULT_LABELS", "lang_arg", "md_text"]

#: Display languages.
LANGUAGES = ("en", "es", "it")

#: The default labels and interface texts, by key, then language (``labels.yaml``).
DEFAULT_LABELS: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8")
)


def lang_arg(value, name: str = "lang") -> str:
    """``value`` if it is one of :data:`LANGUAGES`; else a ParameterError naming ``name``."""
    return _check.choice(name, value, LANGUAGES)


def md_text(value) -> str:
    """Text from the data as it reads, for Markdown: on one line, its HTML (``<``, ``>``,
    ``&``) as entities and the characters Markdown acts on (links, emphasis, code, tables,
    math) escaped, so a label never becomes markup, a link or a script.

    >>> print(md_text("[x](javascript:alert(1)) <b>*$5*</b>"))
    \\[x\\](javascript:alert(1)) &lt;b&gt;\\*\\$5\\*&lt;/b&gt;
    >>> print(md_text("# 1"), md_text("1. x"), md_text("- x"), md_text("a-b"))
    \\# 1 1\\. x \\- x a-b
    """
    text = html.escape(" ".join(str(value).split()), quote=False)
    text = re.sub(r"([\\`*_\[\]!|~$#])", r"\\\1", text)
    # what starts a heading, a list or a rule when it opens a line: "# x", "- x", "+ x", "1. x"
    return re.sub(r"^([-+=])|^(\d+)([.)])", lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
