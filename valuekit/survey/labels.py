"""The display languages and the interface texts every stage shares (``labels.yaml``).

A codebook's own ``labels:`` add to these and win over them
(:meth:`valuekit.Codebook.label`, :func:`valuekit.survey.codebook.ui_text`).
"""

from __future__ import annotations

import functools
import html
import math
import re
from numbers import Integral, Real
from pathlib import Path

import yaml

from .._validate import check as _check

__all__ = ["LANGUAGES", "DEFAULT_LABELS", "lang_arg", "md_text", "format_number", "MISSING"]

#: Display languages.
LANGUAGES = ("en", "es", "it")

# YAML's safe loader, libyaml's when PyYAML has it (ten times faster; the same safe subset)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The default labels and interface texts, by key, then language (``labels.yaml``).
DEFAULT_LABELS: dict[str, dict[str, str]] = yaml.load(
    (Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


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


#: What a reader table shows for a missing value.
MISSING = "—"

#: The kinds of number :func:`format_number` writes (see ``present/reader.yaml``).
KINDS = ("count", "percent", "pct", "decimal", "p", "text", "flag")

_LOCALES = {"en": "en_US", "es": "es_ES", "it": "it_IT"}
_YES_NO = {"en": ("yes", "no"), "es": ("sí", "no"), "it": ("sì", "no")}


def format_number(value, kind: str, lang: str = "en", *, digits: int | None = None) -> str:
    """One value written for a reader, in the conventions of its language.

    Parameters
    ----------
    value : number, bool, str or None
        What to write; a missing or non-finite number is written :data:`MISSING`.
    kind : {"count", "percent", "pct", "decimal", "p", "text", "flag"}
        A ``count`` with thousands separators, a ``percent`` (a share from 0 to 1) or a
        ``pct`` (a percentage from 0 to 100) to one decimal, a ``decimal`` to two, a ``p``
        value to three (``< 0.001`` below), a ``flag`` as yes or no, ``text`` as it is.
    lang : {"en", "es", "it"}, default "en"
        Language of labels, names and sentences. The number is written in its
        conventions (CLDR, through Babel).
    digits : int, optional
        Decimals of a ``decimal``, ``percent`` or ``pct``, over the kind's own.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(1962.0, "count"), format_number(0.6684, "percent"), format_number(0.00004, "p")
    ('1,962', '66.8%', '< 0.001')
    >>> format_number(0.6684, "percent", "es"), format_number(12345, "count", "es")
    ('66,8\xa0%', '12.345')
    >>> format_number(float("nan"), "decimal")
    '—'
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {list(KINDS)}, got {kind!r}")
    if isinstance(value, float) and kind in ("count", "percent", "pct", "decimal") and math.isfinite(value):
        return _formatted(value, kind, lang_arg(lang), digits)  # a page writes the same numbers again and again
    return _format(value, kind, lang, digits)


@functools.lru_cache(maxsize=8192)
def _formatted(value: float, kind: str, lang: str, digits: int | None) -> str:
    return _format(value, kind, lang, digits)


def _format(value, kind: str, lang: str, digits: int | None) -> str:
    """:func:`format_number` itself."""
    locale = _LOCALES[lang_arg(lang)]
    if value is None or _missing(value) or isinstance(value, Real) and not isinstance(value, Integral) \
            and not math.isfinite(value):
        return MISSING
    if kind == "flag":
        return _YES_NO[lang][0 if bool(value) else 1]
    if kind == "text" or not isinstance(value, Real):
        return str(value)
    if kind == "count":
        return _number(locale, False, 0).apply(round(float(value)), _locale(locale))
    if kind in ("percent", "pct"):
        share = float(value) / 100 if kind == "pct" else float(value)
        return _number(locale, True, 1 if digits is None else digits).apply(share, _locale(locale))
    if kind == "p":
        if value < 0.001:
            return "< " + _number(locale, False, 3).apply(0.001, _locale(locale))
        return _number(locale, False, 3).apply(float(value), _locale(locale))
    return _number(locale, False, 2 if digits is None else digits).apply(float(value), _locale(locale))


def _missing(value) -> bool:
    """pandas' missing scalar (``pd.NA``), told without importing pandas here."""
    return type(value).__name__ == "NAType" and type(value).__module__.startswith("pandas")


@functools.cache
def _locale(locale: str):
    from babel import Locale  # deferred: Babel (CLDR data), for the pages that write numbers

    return Locale.parse(locale)


@functools.cache
def _number(locale: str, percent: bool, digits: int):
    """The language's own number (or percent) pattern with exactly ``digits`` decimals."""
    from babel.numbers import parse_pattern  # deferred: Babel

    formats = _locale(locale).percent_formats if percent else _locale(locale).decimal_formats
    pattern = parse_pattern(formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern
