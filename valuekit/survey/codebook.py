"""The codebook: what each column of a survey export means.

A codebook is a small YAML file. It names the respondent id column, the answer scale,
the missing / "don't know" codes, the benefit items under the four dimensions of value
(functional, economic, experiential, symbolic) and their facets, the sacrifice items
(time, money, energy, emotional, risk), the context columns (world view, situation),
competitor ratings of the same attributes (comparisons), the outcome columns, and
optional weight and completion-time columns, and optionally the survey's what-if levers
(``levers:``, validated by :mod:`valuekit.survey.levers`). Display labels come in English, Spanish
and Italian.

Everything downstream (loading, auditing, scoring, plots) takes its names and labels
from here, so a survey with other column names needs only its own codebook.

A minimal codebook::

    id: respondent_id
    scale: {min: 1, max: 7}
    missing_codes: [9]
    benefits:
      functional: [q1, q2]
      economic: [q3]
    sacrifices:
      money: [q4]

See ``valuekit/datasets/data/demo_codebook.yaml`` for every section.
"""

from __future__ import annotations

import difflib
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .._validate import check as _check
from .._validate.args import expected_error
from .._validate.yamlfile import Loader as _SafeLoader
from .._validate.yamlfile import read_file as _read_file
from ..errors import CodebookError, LeverError, NoSacrificesError, ParameterError
from .instruments import PRICE_QUESTIONS, GaborGrangerLadder, KanoQuestions, PriceQuestions
from .labels import DEFAULT_LABELS, LANGUAGES
from .leverspec import LeverSet

__all__ = [
    "Codebook",
    "CodebookError",
    "NoSacrificesError",
    "Item",
    "Scale",
    "read_codebook",
    "DIMENSIONS",
    "SACRIFICES",
    "LANGUAGES",
    "ui_text",
]

#: The four benefit dimensions of customer value (seed 000).
DIMENSIONS = ("functional", "economic", "experiential", "symbolic")
#: The sacrifices a customer makes (seed 002).
SACRIFICES = ("time", "money", "energy", "emotional", "risk")
#: Context groups (seed 000). Comparisons have their own section.
CONTEXT_GROUPS = ("world_view", "situation")
#: Outcome columns the workbook knows how to use.
OUTCOMES = ("overall_value", "satisfaction", "recommend", "repurchase")

_TOP_KEYS = {
    "name", "description", "id", "scale", "missing_codes", "weight", "completion_time", "strata", "cluster", "fpc",
    "benefits", "sacrifices", "context", "comparisons", "outcomes", "constructs", "importance", "other",
    "items", "labels", "levers", "pricing", "gabor_granger", "kano",
}
_ITEM_KEYS = {"label", "text", "reverse", "scale", "missing_codes", "values", "nets"}


def ui_text(key: str, lang: str = "en", codebook=None, **fields) -> str:
    """A piece of interface text in ``lang`` (``labels.yaml``, or the codebook's labels).

    >>> ui_text("ui_all_customers", "es")
    'Todos los clientes'
    """
    _check.choice("lang", lang, LANGUAGES)
    _check.instance("codebook", codebook, Codebook, "a Codebook", optional=True)
    table = dict(DEFAULT_LABELS.get(key, {}))
    if codebook is not None:
        table.update(codebook.labels.get(key, {}))
    text = table.get(lang) or table.get("en")
    if text is None:
        raise ParameterError(f"key: no interface text {key!r} in labels.yaml or the codebook's labels", name="key")
    return text.format(**fields) if fields else text


def no_sacrifices_message(what: str, source: str = "its codebook") -> str:
    """Why ``what`` cannot be shown on a benefits-only survey (``source``: the codebook)."""
    return (f"{what} weighs benefits against sacrifices, but no sacrifices were measured in this "
            f"survey ({source} has no 'sacrifices:' section): there is no value ratio or verdict")


@dataclass(frozen=True)
class Scale:
    """A closed answer scale ``[min, max]``, e.g. 1-7 agreement or 0-10 recommendation.

    Attributes
    ----------
    min, max : float
        The lowest and highest answer (infinite for a column checked against no range).
    """

    min: float
    max: float

    def __str__(self) -> str:
        if math.isinf(self.min) and math.isinf(self.max):
            return "any number"
        return f"{self.min:g}-{self.max:g}"


#: The scale of an ``other:`` column without one of its own: no range check.
_ANY_NUMBER = Scale(-math.inf, math.inf)


@dataclass(frozen=True)
class Item:
    """One rated column of the survey and what it means.

    Attributes
    ----------
    name : str
        The column's name in the export.
    role : str
        ``"benefit"``, ``"sacrifice"``, ``"comparison"``, ``"outcome"``, ``"construct"``,
        ``"importance"`` (a stated-importance rating of the dimension or sacrifice
        ``block``) or ``"other"``.
    block : str or None
        For benefits the dimension, for sacrifices the sacrifice, for outcomes and
        constructs their name.
    facet : str or None
        The facet (benefits), the risk type (risk), or None.
    scale : Scale
        The item's answer scale (the codebook's, unless the item has its own).
    missing_codes : tuple of float
        Numeric missing / don't-know codes (``9``, ``-99``), from the codebook's
        ``missing_codes`` list (an item's own list replaces the common one).
    reverse : bool
        Reverse-keyed: flipped on its scale before scoring.
    counterpart : str or None
        For a comparison item, the attribute of ours it rates the competitor on.
    text : str or None
        The question as worded, when the codebook gives it.
    labels : dict
        Display labels by language (``{"en": ..., "es": ...}``).
    missing_tokens : tuple of str
        Text missing codes (``"N/A"``, ``"dk"``), matched against a cell's text exactly,
        once surrounding spaces are removed.
    values : dict
        Value labels: answer code to its labels by language (``{7.0: {"en": "Strongly
        agree"}}``); the codes are points of the scale or missing codes.
    nets : dict
        NETs of its answers a banner table shows below the categories: name to the scale
        points it counts (``{"Agree": (6.0, 7.0)}``).
    """

    name: str
    role: str
    block: str | None
    facet: str | None
    scale: Scale
    missing_codes: tuple[float, ...]
    reverse: bool = False
    counterpart: str | None = None
    text: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    missing_tokens: tuple[str, ...] = ()
    values: dict[float, dict[str, str]] = field(default_factory=dict)
    nets: dict[str, tuple[float, ...]] = field(default_factory=dict)


def _answer_scale(coding: dict, key: str) -> Scale:
    """The scale an instrument's coded answers span (their codes must be numbers)."""
    codes = list(coding)
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in codes):
        raise _fail(key, f"expected answer codes that are numbers, got {codes!r}")
    return Scale(float(min(codes)), float(max(codes)))


def _fail(key: str, message: str) -> CodebookError:
    return CodebookError(f"codebook key '{key}': {message}", key=key)


def _as_name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(key, f"expected a column name (text), got {value!r}")
    return value.strip()


def _as_names(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        return [_as_name(value, key)]
    if not isinstance(value, list) or not value:
        raise _fail(key, f"expected a non-empty list of column names, got {value!r}")
    return [_as_name(v, f"{key}[{i}]") for i, v in enumerate(value)]


#: Largest bound of an answer scale: far beyond any rating or amount, small enough that sums
#: and squares of a million answers stay finite.
_SCALE_LIMIT = 1e9


def _as_scale(value: Any, key: str) -> Scale:
    if not isinstance(value, dict) or set(value) != {"min", "max"}:
        raise _fail(key, f"expected a mapping {{min: <number>, max: <number>}}, got {value!r}")
    lo, hi = value["min"], value["max"]
    for bound, v in (("min", lo), ("max", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _fail(f"{key}.{bound}", f"expected a number, got {v!r}")
        if not -_SCALE_LIMIT <= v <= _SCALE_LIMIT:  # also refuses .inf and .nan
            raise _fail(f"{key}.{bound}", f"expected a finite number from -{_SCALE_LIMIT:.0e} to "
                                          f"{_SCALE_LIMIT:.0e} (an answer scale), got {v!r}")
    if not lo < hi:
        raise _fail(key, f"min must be smaller than max, got min={lo!r}, max={hi!r}")
    return Scale(float(lo), float(hi))


def _as_codes(value: Any, key: str) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """A ``missing_codes`` list: its numeric codes, and its text tokens (``"N/A"``).

    A token that reads as a plain number (``"9"``) is that number: a cell ``9`` is read
    as a number before any token is looked at.

    >>> _as_codes([9, " N/A ", "99", "dk"], "missing_codes")
    ((9.0, 99.0), ('N/A', 'dk'))
    """
    if value is None:
        return (), ()
    if not isinstance(value, list):
        value = [value]
    number_text = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # as the audit reads a cell
    codes, tokens = [], []
    for i, v in enumerate(value):
        if isinstance(v, str) and v.strip() and not re.fullmatch(number_text, v.strip()):
            tokens.append(v.strip())
            continue
        number = float(v.strip()) if isinstance(v, str) and v.strip() else v
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            hint = (" (YAML reads yes/no/true/false/on/off unquoted as true or false: quote a text "
                    "token, e.g. 'no')" if isinstance(v, bool) else "")
            raise _fail(f"{key}[{i}]", "expected a numeric code such as 9 or 99, or a text token such as "
                                       f"'N/A', got {v!r}{hint}")
        codes.append(float(number))
    return tuple(codes), tuple(dict.fromkeys(tokens))


def _as_labels(value: Any, key: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict):
        raise _fail(key, f"expected text or a mapping of languages {LANGUAGES} to text, got {value!r}")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise _fail(key, f"unknown language(s) {sorted(unknown)}; expected some of {list(LANGUAGES)}")
    for lang, text in value.items():  # `en:` with no text is None, not the label "None"
        if not isinstance(text, (str, int, float)) or isinstance(text, bool) or not str(text).strip():
            raise _fail(f"{key}.{lang}", f"expected the label's text, got {text!r}")
    return {lang: str(text) for lang, text in value.items()}


def _as_values(value: Any, key: str, scale: Scale, codes: tuple[float, ...]) -> dict[float, dict[str, str]]:
    """An item's ``values:`` (value labels): each code a point of its scale or one of its
    missing codes, each label text or a mapping of languages to text.

    >>> _as_values({1: "Strongly disagree", "7": {"en": "Strongly agree"}}, "items.q1.values",
    ...            Scale(1, 7), (9.0,))
    {1.0: {'en': 'Strongly disagree'}, 7.0: {'en': 'Strongly agree'}}
    """
    if not isinstance(value, dict) or not value:
        raise _fail(key, f"expected a mapping of answer codes to labels (e.g. {{1: Strongly disagree, 7: Strongly "
                         f"agree}}), got {value!r}")
    out: dict[float, dict[str, str]] = {}
    for code, label in value.items():
        number = code
        if isinstance(code, str):
            try:
                number = float(code.strip())
            except ValueError:
                raise _fail(f"{key}.{code}", "expected a numeric answer code as the key, got text") from None
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise _fail(f"{key}.{code}", f"expected a numeric answer code as the key, got {code!r}")
        number = float(number)
        on_scale = scale.min <= number <= scale.max and (math.isinf(scale.min) or number == round(number))
        if not on_scale and number not in codes and not math.isnan(scale.min):  # a broken scale: said there
            raise _fail(f"{key}.{code}", f"code {number:g} is not a point of the item's scale {scale} nor one of its "
                                         f"missing codes {[f'{c:g}' for c in codes]}: the labels do not match the "
                                         "codes (check the scale, or the labels' export)")
        if number in out:
            raise _fail(f"{key}.{code}", f"code {number:g} is labelled twice")
        if isinstance(label, str) and not label.strip():
            raise _fail(f"{key}.{code}", f"expected the label's text, got {label!r}")
        out[number] = _as_labels(label, f"{key}.{code}")
    return dict(sorted(out.items()))


def _as_nets(value: Any, key: str, scale: Scale) -> dict[str, tuple[float, ...]]:
    """An item's ``nets:``: each a name and the points of its scale it counts.

    >>> _as_nets({"Agree": [6, 7], "Disagree": [1, 2]}, "items.q1.nets", Scale(1, 7))
    {'Agree': (6.0, 7.0), 'Disagree': (1.0, 2.0)}
    """
    if not isinstance(value, dict) or not value:
        raise _fail(key, f"expected a mapping of NET names to the codes they count (e.g. {{Agree: [6, 7]}}), "
                         f"got {value!r}")
    out = {}
    for name, codes in value.items():
        where = f"{key}.{name}"
        if not isinstance(name, str) or not name.strip():
            raise _fail(where, f"expected a NET's name (text), got {name!r}")
        if not isinstance(codes, list) or not codes:
            raise _fail(where, f"expected a non-empty list of the codes the NET counts, got {codes!r}")
        points = []
        for code in codes:
            ok = isinstance(code, (int, float)) and not isinstance(code, bool) and math.isfinite(code)
            if not ok or code != round(code) or not (math.isnan(scale.min) or scale.min <= code <= scale.max):
                raise _fail(where, f"code {code!r} is not a point of the item's scale {scale}; a NET counts answers "
                                   "on the scale")
            points.append(float(code))
        if len(set(points)) < len(points):
            raise _fail(where, f"a code is listed twice in {codes!r}")
        out[name.strip()] = tuple(sorted(points))
    return out


def _unknown(found: Iterable[str], allowed: Iterable[str], key: str, what: str) -> None:
    allowed = list(allowed)
    for name in found:
        if name not in allowed:
            hint = difflib.get_close_matches(str(name), allowed, n=1)
            did = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise _fail(f"{key}.{name}" if key else str(name),
                        f"unknown {what} '{name}'{did}; expected one of {allowed}")


def _names_in(value: Any) -> set[str]:
    """The column names under a key (a name, a list, facets of lists): those whose errors
    the key's own error already covers."""
    if isinstance(value, str):
        return {value.strip()}
    if isinstance(value, list):
        return {v.strip() for v in value if isinstance(v, str)}
    if isinstance(value, dict):
        return set().union(*(_names_in(v) for v in value.values())) if value else set()
    return set()


@dataclass(frozen=True, repr=False)
class Codebook:
    """A validated survey codebook. Build one with :func:`read_codebook`.

    Attributes
    ----------
    id : str or None
        The respondent id column; ``None`` when the export has none, and respondents are
        identified by their row number (the audit's duplicate-id check is then off).
    scale : Scale
        The common answer scale of the rated items.
    missing_codes : tuple of float
        The missing / don't-know codes common to every item (an item may have its own).
    items : dict of str to Item
        Every rated column (benefits, sacrifices, competitor ratings, outcomes), in
        codebook order.
    context : dict of str to list of str
        Context columns by group (``world_view``, ``situation``).
    outcomes : dict of str to str
        Outcome name (``overall_value``, ...) to its column: the export's column for a
        single-item outcome; for a multi-item outcome the column its score (the mean of
        its items, :func:`valuekit.measure.scoring.construct_scores`) is added under when the
        survey is loaded, named as the outcome.
    constructs : dict of str to list of str
        Further multi-item scales (trust, loyalty, a PERVAL scale, ...): name to items.
        Each is scored as the mean of its items into a column of that name when the
        survey is loaded, gets reliability, and can be used as a driver outcome.
    importance : dict of str to str
        Dimension or sacrifice to the column rating its stated importance (optional;
        used by ``ValueScorer(index_weights="stated")``).
    competitor : str or None
        The competitor named in ``comparisons``.
    weight, completion_time : str or None
        Optional survey-weight and completion-time (seconds) columns.
    strata, cluster, fpc : str or None
        Optional sampling-design columns: the stratum, the cluster (primary sampling unit)
        and the finite population correction (per stratum, the population's number of
        clusters, or the sampling fraction); see :class:`valuekit.survey.design.SurveyDesign`.
    name : str or None
        The survey's name, shown in reports and on the dashboard.
    labels : dict
        The codebook's own display labels by key, then language; they override
        ``valuekit/survey/labels.yaml``.
    levers : dict
        The codebook's ``levers:`` section, as written (read by
        :func:`valuekit.survey.levers.read_levers`).
    pricing, gabor_granger, kano : PriceQuestions, GaborGrangerLadder, KanoQuestions or None
        The pricing and Kano questions (sections ``pricing:``, ``gabor_granger:``,
        ``kano:``), read by :mod:`valuekit.analyse.pricing` and :mod:`valuekit.analyse.kano`;
        None when the survey did not ask them. Their columns are items (roles ``price``,
        ``likelihood``, ``ladder``, ``kano``) audited like every other.
    source : str
        The codebook file's name (``"<codebook>"`` when built from a mapping), named in
        error messages.
    """

    id: str | None
    scale: Scale
    missing_codes: tuple[float, ...]
    items: dict[str, Item]
    context: dict[str, list[str]]
    outcomes: dict[str, str]
    importance: dict[str, str] = field(default_factory=dict)
    constructs: dict[str, list[str]] = field(default_factory=dict)
    competitor: str | None = None
    weight: str | None = None
    completion_time: str | None = None
    strata: str | None = None
    cluster: str | None = None
    fpc: str | None = None
    name: str | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    levers: dict = field(default_factory=dict)
    pricing: PriceQuestions | None = None
    gabor_granger: GaborGrangerLadder | None = None
    kano: KanoQuestions | None = None
    source: str = "<codebook>"

    def __repr__(self) -> str:
        return (f"<Codebook {self.source}: {len(self.dimensions)} dimensions, {len(self.sacrifices)} "
                f"sacrifices, {len(self.value_items)} benefit and sacrifice items>")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Any, *, source: str = "<codebook>") -> "Codebook":
        """Validate a parsed codebook mapping; errors name the offending key."""
        try:
            return _parse(spec, source)
        except CodebookError as err:
            if source != "<codebook>":
                raise CodebookError(f"{source}: {err}") from None
            raise

    # -- views --------------------------------------------------------------------------
    def items_by_role(self, role: str) -> list[str]:
        """Column names of the rated items with this role, in codebook order."""
        return [name for name, item in self.items.items() if item.role == role]

    @cached_property
    def benefit_items(self) -> list[str]:
        """The benefit items, in the codebook's order."""
        return self.items_by_role("benefit")

    @cached_property
    def sacrifice_items(self) -> list[str]:
        """The sacrifice items, in the codebook's order."""
        return self.items_by_role("sacrifice")

    @cached_property
    def value_items(self) -> list[str]:
        """Benefit and sacrifice items: the battery the value equation is scored from."""
        return self.benefit_items + self.sacrifice_items

    @property
    def has_sacrifices(self) -> bool:
        """Whether the survey measured sacrifices (else: no value ratio, no verdict)."""
        return bool(self.sacrifice_items)

    def no_sacrifices_message(self, what: str) -> str:
        """What a benefits-only survey says where ``what`` (which needs sacrifices) would be."""
        return no_sacrifices_message(what, self.source)

    def require_sacrifices(self, what: str) -> None:
        """Raise :class:`NoSacrificesError` saying ``what`` needs sacrifices this survey lacks."""
        if not self.has_sacrifices:
            raise NoSacrificesError(self.no_sacrifices_message(what))

    @cached_property
    def comparison_items(self) -> list[str]:
        """The competitor items (each paired with an own item), in the codebook's order."""
        return self.items_by_role("comparison")

    @cached_property
    def dimensions(self) -> list[str]:
        """Benefit dimensions present in this codebook, in canonical order."""
        present = {self.items[c].block for c in self.benefit_items}
        return [d for d in DIMENSIONS if d in present]

    @cached_property
    def sacrifices(self) -> list[str]:
        """Sacrifices present in this codebook, in canonical order."""
        present = {self.items[c].block for c in self.sacrifice_items}
        return [s for s in SACRIFICES if s in present]

    def block_items(self, block: str) -> list[str]:
        """Items of one benefit dimension or sacrifice."""
        found = [c for c in self.value_items if self.items[c].block == block]
        if not found:
            raise KeyError(f"no items for block '{block}'; blocks: {self.dimensions + self.sacrifices}")
        return found

    @cached_property
    def scales(self) -> dict[str, list[str]]:
        """Multi-item outcomes and constructs, scored as the mean of their items: name to items."""
        out = {}
        for item in self.items.values():
            if item.role in ("outcome", "construct"):
                out.setdefault(item.block, []).append(item.name)
        return {name: cols for name, cols in out.items()
                if self.items[cols[0]].role == "construct" or len(cols) > 1}

    def outcome_column(self, name: str) -> str:
        """The data column of an outcome or a construct (to use it as a driver outcome)."""
        if name in self.outcomes:
            return self.outcomes[name]
        if name in self.constructs:
            return name
        raise ValueError(f"'{name}' is neither an outcome nor a construct of {self.source}; "
                         f"outcomes: {list(self.outcomes)}, constructs: {list(self.constructs)}")

    @cached_property
    def context_columns(self) -> list[str]:
        """Every context column (groupings such as situation or channel), in order."""
        return [c for cols in self.context.values() for c in cols]

    def columns(self) -> list[str]:
        """Every column the codebook names, each once, in codebook order."""
        cols = [*([self.id] if self.id else []), *self.items, *self.context_columns]
        cols += [c for c in (self.weight, self.completion_time, self.strata, self.cluster, self.fpc) if c]
        return list(dict.fromkeys(cols))

    def label(self, key: str, lang: str = "en", *, shorten: bool = True) -> str:
        """Display label of an item, dimension, facet, sacrifice or outcome.

        Falls back to English, then to the built-in labels, then to the item's question
        text (shortened to 40 characters, unless ``shorten=False``), then to the key itself.

        >>> cb = Codebook.from_dict({"id": "id", "scale": {"min": 1, "max": 5},
        ...     "benefits": {"symbolic": ["q1"]}, "sacrifices": {"money": ["q2"]}})
        >>> cb.label("symbolic", "it"), cb.label("money", "es"), cb.label("q1")
        ('Simbolica', 'Dinero', 'q1')
        """
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")
        tables = (self.items[key].labels if key in self.items else {},
                  self.labels.get(key, {}), DEFAULT_LABELS.get(key, {}))
        for language in (lang, "en"):
            for table in tables:
                if language in table:
                    return table[language]
        text = self.items[key].text if key in self.items else None
        if text:  # the question wording, shortened, beats a column name
            return text if len(text) <= 40 or not shorten else text[:39].rstrip() + "…"
        return key

    def value_label(self, item: str, code: float, lang: str = "en") -> str | None:
        """The label of answer ``code`` of ``item`` in ``lang`` (else English), from the item's
        ``values:``; None when it has none.

        >>> cb = Codebook.from_dict({"scale": {"min": 1, "max": 5}, "benefits": {"symbolic": ["q1"]},
        ...     "items": {"q1": {"values": {1: {"en": "Not at all", "es": "Nada"}, 5: "Fully"}}}})
        >>> cb.value_label("q1", 1, "es"), cb.value_label("q1", 5, "es"), cb.value_label("q1", 3)
        ('Nada', 'Fully', None)
        """
        labels = self.items[item].values.get(float(code)) if item in self.items else None
        if not labels:
            return None
        return labels.get(lang) or labels.get("en") or next(iter(labels.values()))

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per rated item: role, block, facet, scale, reverse key and label.

        >>> from valuekit import read_codebook, DEMO_CODEBOOK
        >>> table = read_codebook(DEMO_CODEBOOK).to_frame()
        >>> table.columns.tolist()
        ['column', 'role', 'block', 'facet', 'scale', 'reverse', 'missing_codes', 'label']
        """
        anything = self.label("any_number", lang)  # the scale of a column checked against no range
        return pd.DataFrame(
            [(i.name, i.role, i.block, i.facet, anything if i.scale == _ANY_NUMBER else str(i.scale), i.reverse,
              ", ".join(f"{c:g}" for c in i.missing_codes), self.label(i.name, lang))
             for i in self.items.values()],
            columns=["column", "role", "block", "facet", "scale", "reverse", "missing_codes", "label"],
        )

    def check_columns(self, columns: Iterable[str], *, source: str = "data") -> None:
        """Raise :class:`CodebookError` naming every codebook column absent from ``columns``."""
        present = list(columns)
        missing = [c for c in self.columns() if c not in present]
        if not missing:
            return
        hints = []
        folded = {str(p).casefold(): str(p) for p in present}
        for c in missing:
            same = folded.get(str(c).casefold())  # 'Age' for 'age': a difference of case only
            close = [same] if same else difflib.get_close_matches(c, [str(p) for p in present], n=1, cutoff=0.75)
            if close:
                hints.append(f"'{c}' -> '{close[0]}'?")
        hint = f" Close matches: {', '.join(hints)}." if hints else ""
        shown = present if len(present) <= 60 else present[:60] + ["..."]
        raise CodebookError(
            f"{self.source}: column(s) {missing} named in the codebook not found in {source}; "
            f"available: {shown}.{hint}"
        )


class _Problems:
    """Codebook errors collected over the whole file, reported together in the file's order."""

    def __init__(self, spec: dict):
        self.order = {str(k): i for i, k in enumerate(spec)}
        self.found: list[tuple[int, int, CodebookError]] = []

    @contextmanager
    def check(self):
        try:
            yield
        except CodebookError as err:
            top = re.split(r"[.\[]", err.key or "", maxsplit=1)[0]  # 'benefits.functional[0]' -> 'benefits'
            self.found.append((self.order.get(top, -1), len(self.found), err))

    def raise_all(self) -> None:
        if not self.found:
            return
        errors = [err for _, _, err in sorted(self.found, key=lambda t: (t[0], t[1]))]
        if len(errors) == 1:
            raise errors[0]
        raise CodebookError(f"{len(errors)} problems, in the file's order:\n" + "\n".join(f"  {e}" for e in errors))


def _parse(spec: Any, source: str) -> Codebook:
    if not isinstance(spec, dict):
        raise CodebookError(f"expected a mapping of keys such as 'id', 'scale', 'benefits', got {type(spec).__name__}")
    return _Parser(spec, source).parse()


class _Parser:
    """One codebook being checked and built from its parsed YAML (``spec``).

    A method per section, called by :meth:`parse` in the order the sections depend on each
    other (the items the comparisons, importance and context refer to come first). Every
    problem is collected (:class:`_Problems`) and all are raised together, in the file's
    order, once every section has been read; the state the sections share is here.
    """

    def __init__(self, spec: dict, source: str):
        self.spec, self.source = spec, source
        self.problems = _Problems(spec)
        self.reported: set[str] = set()  # columns named under a key already reported: no "not listed" error
        self.id_col: str | None = None
        self.scale: Scale | None = None
        self.codes: tuple[float, ...] = ()
        self.tokens: tuple[str, ...] = ()  # text missing codes ("N/A"), passed to every item like the codes
        self.common_inside: list[float] = []  # common codes inside the common scale: one error, after the items
        self.clashing: list[str] = []  # the items taking the common codes on the common scale
        self.overrides: dict[str, dict] = {}  # items: the attributes of each column
        self.where: dict[str, str] = {}  # column -> the key that first named it
        self.items: dict[str, Item] = {}
        self.scored_names: dict[str, str] = {}  # the columns multi-item outcomes and constructs are scored into

    def parse(self) -> Codebook:
        self.header()
        self.item_attributes()
        self.value_blocks()
        competitor = self.comparisons()
        outcomes, constructs = self.outcomes(), self.constructs()
        importance, context = self.importance(), self.context()
        instruments = self.instruments()
        self.other()
        optional = self.optional_columns()
        self.cross_checks()
        labels = self.labels()

        if not any(i.role == "benefit" for i in self.items.values()) and not self.problems.found:
            with self.problems.check():
                raise _fail("benefits", "expected at least one benefit item")
        self.problems.raise_all()

        codebook = Codebook(
            id=self.id_col, scale=self.scale, missing_codes=self.codes, items=self.items, context=context,
            outcomes=outcomes, importance=importance, constructs=constructs, competitor=competitor,
            name=self.spec.get("name"),
            labels=labels, levers=self.spec.get("levers") or {},
            source=self.source, **optional, **instruments,
        )
        if "levers" in self.spec:  # what-if levers: validated now, against the items above
            try:
                LeverSet.from_dict(self.spec["levers"], codebook, source="levers")
            except LeverError as err:
                raise CodebookError(str(err).removeprefix("levers: ")) from None
        return codebook

    # -- what each section adds ----------------------------------------------------

    def header(self) -> None:
        """Top-level keys, the required sections, id, the common scale and missing codes, name."""
        for key in self.spec:
            with self.problems.check():
                if key not in _TOP_KEYS:
                    self.reported.update(_names_in(self.spec[key]))
                _unknown([key], sorted(_TOP_KEYS), "", "top-level key")
        for required in ("scale", "benefits"):  # sacrifices are optional: a benefits-only instrument
            if required not in self.spec:
                with self.problems.check():
                    raise _fail(required, "is required")
        if self.spec.get("id") is not None:
            with self.problems.check():
                self.id_col = _as_name(self.spec["id"], "id")
        with self.problems.check():
            if "scale" in self.spec:
                self.scale = _as_scale(self.spec["scale"], "scale")
        with self.problems.check():
            self.codes, self.tokens = _as_codes(self.spec.get("missing_codes"), "missing_codes")
            scale = self.scale
            self.common_inside = [c for c in self.codes if scale is not None and scale.min <= c <= scale.max]
        self.codes = self.codes or ()
        if "name" in self.spec and not isinstance(self.spec["name"], str):
            with self.problems.check():
                raise _fail("name", f"expected text, got {self.spec['name']!r}")

    def item_attributes(self) -> None:
        """``items:``, each column's attributes (a copy, mended where broken)."""
        # a copy: mended below
        self.overrides = dict(self.mapping_at("items", "a mapping of column name to its attributes"))
        for col, attrs in list(self.overrides.items()):
            with self.problems.check():
                if not isinstance(attrs, dict):
                    self.overrides[col] = {}
                    raise _fail(f"items.{col}", f"expected a mapping with some of {sorted(_ITEM_KEYS)}, got {attrs!r}")
                _unknown(attrs, sorted(_ITEM_KEYS), f"items.{col}", "item attribute")

    def value_blocks(self) -> None:
        """``benefits:`` and ``sacrifices:``: the dimensions and sacrifices, with facets."""
        for section, allowed, role, what in (("benefits", DIMENSIONS, "benefit", "dimension"),
                                             ("sacrifices", SACRIFICES, "sacrifice", "sacrifice")):
            if section not in self.spec:
                continue
            blocks = self.spec[section]
            if not isinstance(blocks, dict) or not blocks:
                with self.problems.check():
                    raise _fail(section, f"expected a mapping of {what}s {list(allowed)} to items, got {blocks!r}")
                continue
            elsewhere = {"benefits": ("sacrifices", SACRIFICES, "a sacrifice"),
                         "sacrifices": ("benefits", DIMENSIONS, "a benefit dimension")}[section]
            for block, value in blocks.items():
                with self.problems.check():
                    if block not in allowed:
                        self.reported.update(_names_in(value))  # its items: no follow-on error under items:
                    if block in elsewhere[1]:
                        raise _fail(f"{section}.{block}", f"'{block}' is {elsewhere[2]}, not a {what}: list it under "
                                                          f"'{elsewhere[0]}:'; expected one of {list(allowed)} here")
                    _unknown([block], allowed, section, what)
                    self.add_block(value, f"{section}.{block}", role, block)

    def comparisons(self) -> str | None:
        """``comparisons:``: the competitor's ratings of our items."""
        competitor = None
        comparisons = self.spec.get("comparisons")
        if comparisons is not None:
            with self.problems.check():
                if not isinstance(comparisons, dict) or "items" not in comparisons:
                    raise _fail("comparisons",
                                "expected {competitor: <name>, items: {<our item>: <competitor column>}}")
                _unknown(comparisons, ["competitor", "items"], "comparisons", "key")
                competitor = comparisons.get("competitor", "competitor")
                if not isinstance(competitor, (str, int, float)) or isinstance(competitor, bool)\
                        or not str(competitor).strip():
                    raise _fail("comparisons.competitor", f"expected the competitor's name (text), got {competitor!r}")
                competitor = str(competitor)
                pairs = comparisons["items"]
                if not isinstance(pairs, dict) or not pairs:
                    raise _fail("comparisons.items",
                                f"expected a mapping of our item to the competitor's column, got {pairs!r}")
                for ours, theirs in pairs.items():
                    with self.problems.check():
                        key = f"comparisons.items.{ours}"
                        if ours not in self.items or self.items[ours].role not in ("benefit", "sacrifice"):
                            raise _fail(key, f"'{ours}' is not a benefit or sacrifice item of this codebook")
                        mine = self.items[ours]
                        self.add_item(_as_name(theirs, key), key, "comparison", mine.block, mine.facet,
                                      counterpart=mine)
        return competitor

    def outcomes(self) -> dict[str, str]:
        """``outcomes:``: one column each, or several scored as their mean."""
        outcomes: dict[str, str] = {}
        raw_outcomes = self.mapping_at("outcomes", f"a mapping of {list(OUTCOMES)} to columns")
        for name, col in raw_outcomes.items():
            with self.problems.check():
                if name not in OUTCOMES:
                    self.reported.update(_names_in(col))
                _unknown([name], OUTCOMES, "outcomes", "outcome")
                if isinstance(col, list) and len(col) > 1:  # several items: scored as their mean
                    self.scored_as(name, f"outcomes.{name}")
                    self.add_names(col, f"outcomes.{name}", "outcome", name, None)
                    outcomes[name] = name
                else:
                    col = _as_name(col[0] if isinstance(col, list) and col else col, f"outcomes.{name}")
                    self.add_item(col, f"outcomes.{name}", "outcome", name, None)
                    outcomes[name] = col
        return outcomes

    def constructs(self) -> dict[str, list[str]]:
        """``constructs:``: other multi-item scales."""
        constructs: dict[str, list[str]] = {}
        raw_constructs = self.mapping_at("constructs",
                                         "a mapping of construct names (e.g. trust, loyalty) to their items")
        for name, cols in raw_constructs.items():
            with self.problems.check():
                key = f"constructs.{name}"
                if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                    raise _fail(key, f"expected a name of letters, digits and '_' (e.g. trust), got {name!r}")
                if name in DIMENSIONS + SACRIFICES + OUTCOMES:
                    raise _fail(key, f"'{name}' is a dimension, sacrifice or outcome of the value model; "
                                     "name the construct otherwise or list it in its own section")
                self.scored_as(name, key)
                self.add_names(cols, key, "construct", name, None)
                constructs[name] = [c for c, i in self.items.items() if i.role == "construct" and i.block == name]
        return constructs

    def importance(self) -> dict[str, str]:
        """``importance:``: a stated-importance column per block."""
        importance: dict[str, str] = {}
        raw_importance = self.mapping_at("importance",
                                         "a mapping of dimension or sacrifice to its stated-importance column")
        blocks_present = list(dict.fromkeys(i.block for i in self.items.values() if i.role in ("benefit", "sacrifice")))
        for block, col in raw_importance.items():
            with self.problems.check():
                _unknown([block], blocks_present, "importance", "dimension or sacrifice")
                col = _as_name(col, f"importance.{block}")
                self.add_item(col, f"importance.{block}", "importance", block, None)
                importance[block] = col
        return importance

    def context(self) -> dict[str, list[str]]:
        """``context:``: world view and situation columns."""
        context: dict[str, list[str]] = {}
        raw_context = self.mapping_at("context", f"a mapping of {list(CONTEXT_GROUPS)} to columns")
        for group, cols in raw_context.items():
            with self.problems.check():
                _unknown([group], CONTEXT_GROUPS, "context", "context group")
                context[group] = _as_names(cols, f"context.{group}")
                for i, col in enumerate(context[group]):
                    with self.problems.check():
                        self.claim(col, f"context.{group}[{i}]")
        return context

    def instruments(self) -> dict:
        """``pricing:``, ``gabor_granger:`` and ``kano:``: the price and attribute questions."""
        found = {}
        for key, read in (("pricing", self.pricing), ("gabor_granger", self.gabor_granger), ("kano", self.kano)):
            if self.spec.get(key) is not None:
                with self.problems.check():
                    if not isinstance(self.spec[key], dict):
                        raise _fail(key, f"expected a mapping, got {self.spec[key]!r}")
                    found[key] = read(self.spec[key])
        return found

    def _instrument(self, make, key: str, **kwargs):
        try:
            return make(**kwargs)
        except (ParameterError, TypeError) as err:
            raise _fail(key, str(err).removeprefix("questions: ").removeprefix("questions.")) from None

    def pricing(self, spec: dict) -> PriceQuestions:
        _unknown(spec, [*PRICE_QUESTIONS, "buy_cheap", "buy_expensive", "likelihood", "at_too_cheap",
                        "at_too_expensive", "currency", "current", "lever"], "pricing", "key")
        missing = [k for k in PRICE_QUESTIONS[1:] if k not in spec]
        if missing:
            raise _fail("pricing", f"missing {', '.join(missing)}: the columns of Van Westendorp's cheap, expensive "
                                   "and too expensive questions (too_cheap is optional)")
        q = self._instrument(PriceQuestions, "pricing", **spec)
        likely = _answer_scale(q.likelihood, "pricing.likelihood") if q.has_trial else None
        for name in (*PRICE_QUESTIONS, "buy_cheap", "buy_expensive"):
            col = getattr(q, name)
            if col is not None:
                role, scale = ("price", _ANY_NUMBER) if name in PRICE_QUESTIONS else ("likelihood", likely)
                self.add_item(col, f"pricing.{name}", role, name, None, base_scale=scale)
        return q

    def gabor_granger(self, spec: dict) -> GaborGrangerLadder:
        _unknown(spec, ["ladder", "buy", "currency"], "gabor_granger", "key")
        if "ladder" not in spec:
            raise _fail("gabor_granger", "missing ladder: each price asked and the column of its question")
        ladder = self._instrument(GaborGrangerLadder, "gabor_granger", **spec)
        scale = _answer_scale(ladder.buy, "gabor_granger.buy") if ladder.buy is not None else Scale(0.0, 1.0)
        for price, col in ladder.rungs:
            self.add_item(col, f"gabor_granger.ladder.{price:g}", "ladder", f"{price:g}", None, base_scale=scale)
        return ladder

    def kano(self, spec: dict) -> KanoQuestions:
        _unknown(spec, ["answers", "attributes", "serves"], "kano", "key")
        missing = [k for k in ("answers", "attributes") if k not in spec]
        if missing:
            raise _fail("kano", f"missing {' and '.join(missing)}: the answer coding ({{1: like, 2: expect, 3: "
                                "neutral, 4: tolerate, 5: dislike}}) and each attribute's [functional, dysfunctional] "
                                "columns")
        pairs = spec.get("attributes")
        if isinstance(pairs, dict):
            pairs = {name: tuple(cols) if isinstance(cols, list) else cols for name, cols in pairs.items()}
        q = self._instrument(KanoQuestions, "kano", pairs=pairs, answers=spec.get("answers"), serves=spec.get("serves"))
        blocks = list(dict.fromkeys(i.block for i in self.items.values() if i.role in ("benefit", "sacrifice")))
        for attribute, block in (q.serves or {}).items():
            if block not in blocks:
                raise _fail(f"kano.serves.{attribute}", f"{block!r} is no block of this codebook; expected one of "
                                                        f"{blocks}")
        scale = _answer_scale(q.answers, "kano.answers")
        for attribute, cols in q.pairs.items():
            for col, half in zip(cols, ("functional", "dysfunctional")):
                self.add_item(col, f"kano.attributes.{attribute}", "kano", str(attribute), half, base_scale=scale)
        return q

    def other(self) -> None:
        # other numeric columns (age, income, a screener...): audited for missing codes and text;
        # checked against a scale only when items.<col>.scale gives one
        if self.spec.get("other") is not None:
            self.add_names(self.spec["other"], "other", "other", None, None, base_scale=_ANY_NUMBER)

    def optional_columns(self) -> dict[str, str]:
        """``weight:``, ``completion_time:`` and the design's ``strata:``, ``cluster:`` and ``fpc:``."""
        optional = {}
        for key in ("weight", "completion_time", "strata", "cluster", "fpc"):
            if self.spec.get(key) is not None:
                with self.problems.check():
                    optional[key] = _as_name(self.spec[key], key)
                    self.claim(optional[key], key)
        return optional

    def cross_checks(self) -> None:
        """What only the whole file shows: common codes inside the scale, scores named as a column,
            attributes of columns listed nowhere."""
        if self.common_inside:
            clashing = self.clashing
            shown = clashing if len(clashing) <= 10 else clashing[:10] + [f"... {len(clashing) - 10} more"]
            whose = (f" that {len(self.clashing)} item(s) take with these codes ({', '.join(shown)}), so their real "
                     "answers would be thrown away" if self.clashing else "")
            with self.problems.check():
                raise _fail("missing_codes", f"code(s) {[f'{c:g}' for c in self.common_inside]} lie inside the scale "
                                             f"{self.scale}{whose}; a missing code must be outside the answer scale: "
                                             "remove it, or use a code such as 9 or -99")
        for name, key in self.scored_names.items():
            if name in self.where:
                with self.problems.check():
                    raise _fail(key, f"its score is added to the data as a column '{name}', but '{name}' is a "
                                     f"column of the export (listed under '{self.where[name]}'); rename one of them")
        for col in self.overrides:
            if col not in self.items and col not in self.where and col not in self.reported:
                with self.problems.check():
                    raise _fail(f"items.{col}", f"'{col}' is not listed under benefits, sacrifices, "
                                                "comparisons, outcomes, constructs, importance or other")

    def labels(self) -> dict[str, dict[str, str]]:
        """``labels:``: names to labels per language."""
        labels = self.mapping_at("labels", "a mapping of names to labels")
        parsed_labels = {}
        for k, v in labels.items():
            with self.problems.check():
                parsed_labels[str(k)] = _as_labels(v, f"labels.{k}")
        return parsed_labels


    # -- helpers of the sections ---------------------------------------------------

    def mapping_at(self, key: str, expected: str) -> dict:
        """The mapping under ``key`` (empty when absent); a non-mapping is a problem, reported."""
        raw = self.spec.get(key) or {}
        if isinstance(raw, dict):
            return raw
        with self.problems.check():
            raise _fail(key, f"expected {expected}, got {self.spec[key]!r}")
        return {}

    def claim(self, col: str, key: str) -> None:
        if col in self.where:
            raise _fail(key, f"column '{col}' is already listed under '{self.where[col]}'; "
                             "an item belongs to one dimension or sacrifice only")
        if col == self.id_col:
            raise _fail(key, f"column '{col}' is the respondent id column")
        self.where[col] = key

    def add_item(self, col: str, key: str, role: str, block: str | None, facet: str | None,
                 counterpart: Item | None = None, base_scale: Scale | None = None) -> None:
        self.claim(col, key)
        attrs = self.overrides.get(col, {})
        base_scale = counterpart.scale if counterpart else (base_scale or self.scale)
        # a price is an amount: the survey's missing codes (9 on a rating) would throw a real price away
        base_codes = counterpart.missing_codes if counterpart else () if role == "price" else self.codes
        base_tokens = counterpart.missing_tokens if counterpart else self.tokens
        item_scale = _as_scale(attrs["scale"], f"items.{col}.scale") if "scale" in attrs else base_scale
        if item_scale is None:  # the common scale itself is broken (reported there): go on checking
            item_scale = Scale(math.nan, math.nan)
        item_codes, item_tokens = (_as_codes(attrs["missing_codes"], f"items.{col}.missing_codes")
                                   if "missing_codes" in attrs else (base_codes, base_tokens))
        self.check_codes(col, item_scale, item_codes, own_codes="missing_codes" in attrs)
        reverse = attrs.get("reverse", counterpart.reverse if counterpart else False)
        if not isinstance(reverse, bool):
            raise _fail(f"items.{col}.reverse", f"expected true or false, got {reverse!r}")
        values = counterpart.values if counterpart and "values" not in attrs else {}
        if "values" in attrs:  # reported on its own key; the item is still there for what names it
            with self.problems.check():
                values = _as_values(attrs["values"], f"items.{col}.values", item_scale, item_codes)
        nets = counterpart.nets if counterpart and "nets" not in attrs else {}
        if "nets" in attrs:
            with self.problems.check():
                nets = _as_nets(attrs["nets"], f"items.{col}.nets", item_scale)
        self.items[col] = Item(
            name=col, role=role, block=block, facet=facet, scale=item_scale,
            missing_codes=item_codes, missing_tokens=item_tokens, reverse=reverse,
            counterpart=counterpart.name if counterpart else None,
            text=str(attrs["text"]) if "text" in attrs else None,
            labels=_as_labels(attrs["label"], f"items.{col}.label") if "label" in attrs else {},
            values=values, nets=nets,
        )

    def check_codes(self, col: str, item_scale: Scale, item_codes: list, own_codes: bool) -> None:
        """Missing codes inside an item's scale would throw real answers away: the common
        codes on the common scale are reported once (on ``missing_codes``); an item's own
        codes are wrong on its key; the common codes on its own scale need codes of its own."""
        inside = [c for c in item_codes if item_scale.min <= c <= item_scale.max]
        if not inside or item_scale is _ANY_NUMBER:
            return
        if not own_codes and item_scale == self.scale and tuple(item_codes) == tuple(self.codes):
            self.clashing.append(col)
            return
        key, whose, fix = ((f"items.{col}.missing_codes", "its missing code(s)", "use codes outside it")
                           if own_codes else (f"items.{col}", "the common missing code(s)",
                                              f"give '{col}' its own missing_codes"))
        raise _fail(key, f"{whose} {[f'{c:g}' for c in inside]} lie inside the scale {item_scale} "
                         f"of '{col}', so real answers would be thrown away; {fix} (e.g. [99])")

    def scored_as(self, name: str, key: str) -> None:
        self.scored_names[name] = key

    def add_names(self, value: Any, key: str, role: str, block: str | None, facet: str | None, **extra) -> None:
        names: list[str] = []
        with self.problems.check():
            names = _as_names(value, key)
        for i, col in enumerate(names):
            with self.problems.check():
                self.add_item(col, f"{key}[{i}]", role, block, facet, **extra)

    def add_block(self, value: Any, key: str, role: str, block: str) -> None:
        if isinstance(value, dict):
            if not value:
                with self.problems.check():
                    raise _fail(key, "expected facets with items, got an empty mapping")
            for facet, cols in value.items():
                self.add_names(cols, f"{key}.{facet}", role, block, str(facet))
        else:
            self.add_names(value, key, role, block, None)


class _UniqueKeyLoader(_SafeLoader):
    """The bounded safe loader (:class:`valuekit._validate.yamlfile.Loader`: no key twice in one
    mapping, no nesting deeper than 50 levels, no alias bomb), worded for a codebook.

    Subclasses for other files set ``message`` (with ``{key}`` and ``{line}``).
    """

    message = "codebook key '{key}' appears twice in one section (line {line}); YAML would silently keep only the last"


def read_codebook(path: str | Path | dict | Codebook) -> Codebook:
    """Read and validate a YAML codebook.

    Parameters
    ----------
    path : str, Path, dict or Codebook
        A YAML file (read with :func:`valuekit._validate.yamlfile.read_file`: the safe loader, UTF-8,
        UTF-16/32 or Windows-1252 text, at most 4 MiB); a parsed mapping; or a
        :class:`Codebook`, returned unchanged.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        The file is missing, not YAML, or a key is wrong or given twice; or it is refused:
        bigger than 4 MiB, nesting deeper than 50 levels, or aliases expanding to more than
        1,000,000 values. The message names the file and the key, and says what was expected.
    ParameterError
        ``path`` is neither a path, a mapping nor a Codebook (e.g. None or a number).

    Examples
    --------
    >>> from valuekit import read_codebook, DEMO_CODEBOOK
    >>> cb = read_codebook(DEMO_CODEBOOK)
    >>> cb.dimensions
    ['functional', 'economic', 'experiential', 'symbolic']
    >>> cb.label("experiential", "es")
    'Experiencial'
    """
    if isinstance(path, Codebook):
        return path
    if isinstance(path, dict):
        return Codebook.from_dict(path)
    path = _check.path("path", path)
    spec = _read_file(path, what="codebook file", error=CodebookError, json_=False, loader=_UniqueKeyLoader)
    return Codebook.from_dict(spec, source=str(path.name))


def codebook_arg(name: str, value) -> Codebook:
    """``value`` if it is a :class:`Codebook` (already read); else a ParameterError naming ``name``."""
    if not isinstance(value, Codebook):
        raise expected_error(name, "a Codebook (valuekit.read_codebook or Survey.codebook)", value)
    return value
