"""Draft a codebook from a survey export: ``valuekit init EXPORT -o codebook.yaml``.

An analyst with an export on their desk should not have to type the codebook item by
item. :func:`draft_codebook` reads any export :func:`valuekit.survey.io.read_survey_file` reads
and proposes

* the **id** column (unique and complete; else respondents are their row number), the
  **completion time** and the survey **weight** (from the column's name and values);
* each rated item's **scale** (from its value labels, else the values it takes: a usual
  scale whose every point is answered is taken as it is, 1-6 stays 1-6; a run of answers
  short of a usual scale is rounded out to it, as a guess) and the **don't-know codes**
  (SPSS user-missing values; codes labelled "don't know", "no sabe", "non so"; codes
  standing apart from the scale such as 9, 99 or -99);
* **context** columns: text columns with a few categories, SPSS-labelled categories that
  are not a rating scale (gender {1 Male, 2 Female}, a provider {1 A, 2 B, 3 C}) and
  numeric codes named like a grouping (``gender``, ``region``, ``provider``);
* each item's **block** — benefit dimension, sacrifice, outcome — from its question text
  (SPSS variable labels, the Qualtrics question row; else the column's name) with the
  theory's vocabulary (``draft_vocabulary.yaml``, data an analyst can extend), read as
  follows:

  - the question's **language** (English, Spanish, Italian) from its function words, else
    the file's; only that language's words are tried;
  - **whole words by their stem** (the Snowball stemmers: "fee" matches "fees", not
    "feel"), **phrases first**, a matched phrase's words used up ("value for money" is
    not also the money sacrifice's "money"), and phrases that use a word in another sense
    ignored ("take charge", "a great deal of time");
  - the **direction** of a sacrifice word from the words around it: "prices are too high",
    "I waited too long" measure the sacrifice; "prices are fair", "the waiting time was
    acceptable", a negated burden ("not too expensive") and a question asking to rate or
    judge it ("given the quality, how would you rate the fees?", "how satisfied are you
    with the price?") measure a benefit, where higher answers are better (economic for
    money, functional for time and energy; a calm or safe wording stays in its emotional
    or risk block, reverse-keyed); a sacrifice word with no direction is a ``likely``
    placement at most;
  - questions about expectations, importance or frequency are left unplaced;

* a **direction check** against the answers: an item placed as a sacrifice whose answers
  go with the benefit items and the outcomes (or a benefit whose answers run against
  them) is flagged in its reason and never ``sure``; a sacrifice word with no direction in
  its wording takes the direction of its answers;
* **reverse-keyed** items (a negative item-rest correlation within the proposed block; in a
  two-item block a negative correlation, as a guess), and items worded against their block
  ("not", "unhelpful": the vocabulary's ``negation:``; "calm" in the emotional block)
  flagged to check or, when the answers agree, reverse-keyed;
* **facets** of a dimension (and risk types) from the vocabulary's ``facets:`` words, for a
  block whose items all name one (at least two facets found); several items of one
  outcome become a multi-item outcome.

Every guess carries a confidence and a reason, written as a comment beside it in the
YAML (:meth:`Draft.to_yaml`); what cannot be placed is listed for the analyst (numeric
columns under ``other:``, so their missing codes are still audited). An export whose
columns carry no question text and whose names say nothing (``PERV1``, ``Q1_3``) gives a
**skeleton** (:attr:`Draft.skeleton`): every rated column under ``other:`` with its scale
and the blocks left to fill, commented.

How far the confidence can be trusted is measured by :func:`calibration` on
questionnaires with known placements (``tests/survey/test_draft_calibration.py``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import snowballstemmer

from .._validate import yamlfile as _yaml
from ..errors import ValuekitError
from .codebook import DIMENSIONS, OUTCOMES, SACRIFICES, Codebook, CodebookError
from .draft_instruments import SURE, Found, Guess, find_instruments
from .io import SourceInfo, read_survey_file

__all__ = ["Draft", "Guess", "calibration", "draft_codebook", "draft_quality", "SURE"]

VOCABULARY_FILE = Path(__file__).with_name("draft_vocabulary.yaml")
_VOCABULARY = _yaml.read_file(VOCABULARY_FILE, what="draft vocabulary", error=ValuekitError)

#: Codes that stand for "don't know" / "no answer" in most exports when outside the scale.
TYPICAL_CODES = (9, 97, 98, 99, 999, -1, -9, -97, -98, -99, -999)
_DK_WORDS = re.compile(r"don.?t know|not know|no answer|refus|prefer not|\bn/?a\b|no sab|no contest|ns/nc|"
                       r"non so|non sa|non rispond|not applicable|no aplica|non applicabile|^\W*missing\W*$|"
                       r"^\W*(system|user)[ -]missing", re.I)
#: At most this many rows are used by the checks on the answers (correlations).
_SAMPLE_ROWS = 20_000


@dataclass
class Draft:
    """A drafted codebook: the decisions, with their reasons, and what is left to the analyst."""

    source: str
    columns: list[str]
    id: Guess | None
    completion_time: Guess | None
    weight: Guess | None
    scale: tuple[float, float]
    scale_reason: str
    missing_codes: list[float]
    missing_reason: str
    blocks: dict[str, Guess] = field(default_factory=dict)       # item -> ("benefit", dim) / ("sacrifice", s) ...
    item_scale: dict[str, tuple[float, float]] = field(default_factory=dict)
    item_codes: dict[str, list[float]] = field(default_factory=dict)
    scale_notes: dict[str, str] = field(default_factory=dict)    # item -> why its own scale is a guess
    reverse: dict[str, Guess] = field(default_factory=dict)
    facets: dict[str, Guess] = field(default_factory=dict)       # item -> facet (whole blocks only)
    text: dict[str, str] = field(default_factory=dict)
    context: dict[str, Guess] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)          # numeric, not placed: why
    unassigned: dict[str, str] = field(default_factory=dict)     # text, not placed: why
    language: str | None = None                                  # the file's language, when it could be told
    values: dict[str, dict[float, str]] = field(default_factory=dict)  # item -> the file's value labels
    worded: bool = True                                          # whether any rated column has question text
    instruments: list[Found] = field(default_factory=list)       # the pricing and Kano questions found

    @property
    def skeleton(self) -> bool:
        """True when nothing could be placed because the export carries no question text and
        its column names say nothing (``PERV1``, ``Q1_3``): the draft lists every rated column
        under ``other:`` with its scale, for the analyst to place."""
        return not self.worded and not self.blocks and any(c in self.item_scale for c in self.other)

    # -- the codebook --------------------------------------------------------------------
    def _with_facets(self, cols: list[str]) -> list[str] | dict[str, list[str]]:
        """A block's items, grouped by facet when the draft proposed facets for all of them."""
        if not cols or not all(c in self.facets for c in cols):
            return cols
        grouped: dict[str, list[str]] = {}
        for c in cols:
            grouped.setdefault(self.facets[c].value, []).append(c)
        return grouped

    def scale_of(self, col: str) -> tuple[float, float] | None:
        """The scale drafted for item ``col`` as ``(min, max)``; None when it is no rated item."""
        return tuple(self.item_scale[col]) if col in self.item_scale else None

    def codes_of(self, col: str) -> list[float]:
        """The missing codes the draft gives a column. A rating: the common codes outside its
        scale, and any code of its own (99 on a 0-10 item when the others use 9). Another
        numeric column (an amount, an age): only the negative common codes (-99), since a
        positive code such as 99 may be a real value there."""
        if col not in self.item_scale:
            return [c for c in self.missing_codes if c < 0]
        lo, hi = self.item_scale.get(col, self.scale)
        common = [c for c in self.missing_codes if not lo <= c <= hi]
        return sorted(set(common) | set(self.item_codes.get(col, [])))

    def to_dict(self) -> dict:
        """The draft as a codebook mapping (what :meth:`to_yaml` writes, without comments)."""
        spec: dict = {"name": Path(self.source).stem}
        if self.id is not None:
            spec["id"] = self.id.value
        spec["scale"] = {"min": _num(self.scale[0]), "max": _num(self.scale[1])}
        if self.missing_codes:
            spec["missing_codes"] = [_num(c) for c in self.missing_codes]
        for key in ("weight", "completion_time"):
            guess = getattr(self, key)
            if guess is not None:
                spec[key] = guess.value
        spec.update(self._placed_sections())
        if self.context:
            groups: dict[str, list[str]] = {}
            for col, g in self.context.items():
                groups.setdefault(g.value, []).append(col)
            spec["context"] = groups
        other = list(self.other)
        if other:
            spec["other"] = other
        spec.update({found.section: found.spec for found in self.instruments})
        items = {col: attrs for col in self.columns
                 if (col in self.blocks or col in self.other or col in self._instrument_columns)
                 and (attrs := self._item_attrs(col))}
        if items:
            spec["items"] = items
        return spec

    def _placed_sections(self) -> dict:
        """The ``benefits``, ``sacrifices`` and ``outcomes`` sections of the items placed."""
        out: dict = {}
        for section, names in (("benefits", DIMENSIONS), ("sacrifices", SACRIFICES)):
            role = section[:-1]
            blocks = {b: [c for c, g in self.blocks.items() if g.value == (role, b)] for b in names}
            blocks = {b: self._with_facets(cols) for b, cols in blocks.items() if cols}
            if blocks:
                out[section] = blocks
        outcomes = {}
        for name in OUTCOMES:
            cols = [c for c, g in self.blocks.items() if g.value == ("outcome", name)]
            if cols:  # several items proposed for one outcome: a multi-item outcome, scored as their mean
                outcomes[name] = cols if len(cols) > 1 else cols[0]
        if outcomes:
            out["outcomes"] = outcomes
        return out

    @property
    def _instrument_columns(self) -> dict[str, Found]:
        """Each column of a pricing or Kano question, and the instrument it belongs to."""
        return {col: found for found in self.instruments for col in found.why}

    def _item_attrs(self, col: str) -> dict:
        """What the ``items:`` section says of one column: its question text, its own scale and
        missing codes where they differ from the survey's, and its reverse key."""
        attrs = {}
        if col in self.text and self.text[col] != col:
            attrs["text"] = self.text[col]
        found = self._instrument_columns.get(col)
        if found is not None:  # a pricing or Kano question: its coding is in its section
            if found.missing.get(col) and sorted(found.missing[col]) != sorted(self.missing_codes):
                attrs["missing_codes"] = [_num(c) for c in found.missing[col]]
            return attrs
        if col in self.item_scale and tuple(self.item_scale[col]) != tuple(self.scale):
            attrs["scale"] = {"min": _num(self.item_scale[col][0]), "max": _num(self.item_scale[col][1])}
        codes = self.codes_of(col)
        if (col in self.item_codes or col in self.other) and codes != sorted(self.missing_codes):
            attrs["missing_codes"] = [_num(c) for c in codes]
        if col in self.reverse:  # reverse-keyed, or worded against its block: false, to check
            attrs["reverse"] = bool(self.reverse[col].value)
        labels = self._value_labels(col)
        if labels:
            attrs["values"] = labels
        return attrs

    def _value_labels(self, col: str) -> dict:
        """The file's value labels of a rated column, for the codes of its drafted scale and
        its missing codes (a label of any other code is left out: the codebook would refuse it)."""
        if col not in self.values or col not in self.item_scale:
            return {}
        lo, hi = self.item_scale[col]
        codes = set(self.codes_of(col))
        return {_num(c): str(label).strip() for c, label in sorted(self.values[col].items())
                if str(label).strip() and ((lo <= c <= hi and float(c).is_integer()) or c in codes)}

    def problems(self) -> list[str]:
        """What keeps the draft from loading as a codebook (empty when it loads)."""
        try:
            Codebook.from_dict(self.to_dict(), source=Path(self.source).name)
        except CodebookError as err:
            return str(err).splitlines()
        return []

    def to_yaml(self) -> str:
        """The codebook draft as YAML, every guess commented with how sure it is and why.

        Every value and key is written by the YAML emitter (:func:`valuekit._validate.yamlfile.scalar`,
        :func:`~valuekit._validate.yamlfile.key`) and every comment escaped (:func:`~valuekit._validate.yamlfile.comment`),
        so any column name or question text (line breaks, ``: ``, ``#``, quotes, control or
        bidi characters, ``yes``, ``1e3``) reads back as exactly itself.
        """
        spec = self.to_dict()
        lines = self._yaml_header() + self._yaml_columns(spec)
        for section in ("benefits", "sacrifices"):
            lines += self._yaml_blocks(spec, section)
        lines += self._yaml_outcomes(spec) + self._yaml_instruments() + self._yaml_context(spec) + self._yaml_items(spec)
        if self.unassigned:
            lines.append("")
            lines.append("# unassigned: columns the draft could not place (not read by valuekit until you place them)")
            for col, why in self.unassigned.items():
                lines.append(f"#   - {_yaml.comment(col)}: {_yaml.comment(why)}")
        left = self.problems()
        if left:
            lines.append("")
            lines.append("# Decisions left before this codebook loads:")
            lines.extend(f"#   {_yaml.comment(p.strip())}" for p in left)
        return "\n".join(lines) + "\n"

    def _yaml_header(self) -> list[str]:
        """The opening comment: where the draft comes from, and what a skeleton asks of the analyst."""
        lines = [f"# Codebook drafted by `valuekit init` from {_yaml.comment(Path(self.source).name)}.",
                 "# Every decision below says how sure it is and why: 'sure', 'likely' or 'guess'.",
                 "# Check the guesses, move what is misplaced, then run `valuekit audit` with it.", ""]
        if self.skeleton:
            rated = [c for c in self.other if c in self.item_scale]
            shown = _yaml.comment(", ".join(rated[:6]) + (", ..." if len(rated) > 6 else ""))
            lines[1:3] = [
                f"# A SKELETON: the file has no question text and the column names ({shown}) do not say what",
                f"# was asked, so no item could be placed. The {len(rated)} rated columns are listed under",
                "# `other:` with their scales. Move each into its block (the commented sections below: a",
                "# benefit dimension, a sacrifice or an outcome; `benefits` is required), then run",
                "# `valuekit audit` with it."]
        return lines

    def _yaml_columns(self, spec: dict) -> list[str]:
        """The name, id, scale, missing codes, weight and completion-time lines."""
        scalar = _yaml.scalar
        lines = [f"name: {scalar(spec['name'])}"]
        if self.id is not None:
            lines.append(f"id: {scalar(self.id.value)}{_note(self.id.note())}")
        else:
            lines.append("# id: none found (no column is unique and complete): respondents are their row number")
        lines.append(f"scale: {scalar(spec['scale'])}{_note(self.scale_reason)}")
        if "missing_codes" in spec:
            lines.append(f"missing_codes: {scalar(spec['missing_codes'])}{_note(self.missing_reason)}")
        for key in ("weight", "completion_time"):
            g = getattr(self, key)
            if g is not None:
                lines.append(f"{key}: {scalar(g.value)}{_note(g.note())}")
        return lines

    def _yaml_blocks(self, spec: dict, section: str) -> list[str]:
        """The ``benefits`` or ``sacrifices`` section (with facets where the wording proposes them),
        or a comment saying why it is missing."""
        scalar = _yaml.scalar
        if section not in spec:
            if self.skeleton:
                names = DIMENSIONS if section == "benefits" else SACRIFICES
                return ([f"# {section}:  # " + ("required: at least one dimension's items" if section == "benefits"
                                                else "optional (a benefits-only survey has none)")]
                        + [f"#   {name}: []" for name in names])
            return [f"# {section}: none recognised in the question text; place the items yourself"
                    + ("" if section == "benefits" else " (a benefits-only survey needs none)")]
        lines = [f"{section}:"]
        for block, cols in spec[section].items():
            lines.extend(_yaml.key(block, "  "))
            if isinstance(cols, dict):  # facets, proposed from the wording
                for facet, members in cols.items():
                    lines.extend(_yaml.key(facet, "    "))
                    for col in members:
                        why = f"{self.blocks[col].note(score=True)}; {self.facets[col].note()}"
                        lines.append(f"      - {scalar(col)}{_note(why)}")
                continue
            for col in cols:
                lines.append(f"    - {scalar(col)}{_note(self.blocks[col].note(score=True))}")
        return lines

    def _yaml_outcomes(self, spec: dict) -> list[str]:
        """The ``outcomes`` section: one column each, or several items scored as their mean."""
        scalar = _yaml.scalar
        if "outcomes" not in spec:
            if not self.skeleton:
                return []
            return (["# outcomes:  # optional: one column each, or a list of items scored as their mean"]
                    + [f"#   {name}: " for name in OUTCOMES])
        lines = ["outcomes:"]
        for name, cols in spec["outcomes"].items():
            *head, last = _yaml.key(name, "  ")
            if isinstance(cols, str):
                lines.extend([*head, f"{last} {scalar(cols)}{_note(self.blocks[cols].note(score=True))}"])
                continue
            lines.extend([*head, f"{last}  # several items: scored as their mean"])
            for col in cols:
                lines.append(f"    - {scalar(col)}{_note(self.blocks[col].note(score=True))}")
        return lines

    def _yaml_instruments(self) -> list[str]:
        """The ``pricing``, ``gabor_granger`` and ``kano`` sections, each column with what it was read as."""
        scalar, lines = _yaml.scalar, []
        for found in self.instruments:
            guess = Guess(found.spec, found.confidence, found.reason)
            lines.extend([f"{found.section}:{_note(guess.note(score=True))}"])
            for key, value in found.spec.items():
                note = (Guess(value, *found.proposed[key]).note(score=True) if key in found.proposed
                        else found.why.get(value, "") if isinstance(value, str) else "")
                if isinstance(value, dict) and key in ("ladder", "attributes"):
                    lines.append(f"  {key}:")
                    for k, v in value.items():
                        cols = v if isinstance(v, list) else [v]
                        lines.append(f"    {scalar(k)}: {scalar(v)}{_note(found.why.get(cols[0], ''))}")
                    continue
                lines.append(f"  {key}: {scalar(value)}{_note(note)}")
        return lines

    def _yaml_context(self, spec: dict) -> list[str]:
        """The ``context`` groups and the ``other`` numeric columns."""
        scalar = _yaml.scalar
        lines = []
        if "context" in spec:
            lines.append("context:")
            for group, cols in spec["context"].items():
                lines.extend(_yaml.key(group, "  "))
                for col in cols:
                    lines.append(f"    - {scalar(col)}{_note(self.context[col].note())}")
        if "other" in spec:
            lines.append("other:  # " + ("every rated column, with its scale: move each into its block above"
                                         if self.skeleton else "numeric columns not placed above: audited for "
                                                               "missing codes; move them if they belong"))
            for col in spec["other"]:
                lines.append(f"  - {scalar(col)}{_note(self.other[col])}")
        return lines

    def _yaml_items(self, spec: dict) -> list[str]:
        """The ``items`` section: reverse keys and items on their own scale, each with its reason."""
        if "items" not in spec:
            return []
        lines = ["items:"]
        for col, attrs in spec["items"].items():
            lines.extend(_yaml.key(col, "  "))
            for key, value in attrs.items():
                note = ""
                if key == "reverse":
                    note = _note(self.reverse[col].note())
                elif key == "scale" and col in self.scale_notes:
                    note = _note(self.scale_notes[col])
                if key == "values":  # the file's value labels, one per line
                    lines.append("    values:  # the file's value labels")
                    lines.extend(f"      {_yaml.scalar(code)}: {_yaml.scalar(label)}" for code, label in value.items())
                    continue
                lines.append(f"    {key}: {_yaml.scalar(value)}{note}")
        return lines


def _note(text: str) -> str:
    """A YAML end-of-line comment holding ``text`` (escaped), or nothing."""
    return "  # " + _yaml.comment(text) if text else ""


def _file_value_labels(info: SourceInfo, rated: Iterable[str]) -> dict[str, dict[float, str]]:
    """The export's value labels (SPSS, Stata) of the rated columns, by numeric code."""
    def number(v) -> bool:
        return isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and math.isfinite(v)

    return {col: {float(k): v for k, v in info.value_labels[col].items() if number(k)}
            for col in rated if info.value_labels.get(col)}


def _num(v: float):
    return int(v) if float(v).is_integer() else float(v)


# -- reading the columns -------------------------------------------------------------------

def _norm(text: str) -> str:
    """Lower case without accents, so 'Está' matches 'esta'."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _name_hint(col: str, key: str) -> bool:
    words = [_norm(w) for w in _VOCABULARY["columns"][key]]
    name = _norm(col)
    return any(re.search(rf"(^|[^a-z]){re.escape(w)}($|[^a-z])", name) or name == w for w in words)


def _numeric(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series.dtype):
        return pd.Series(np.nan, index=series.index)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype(float)
    text = series.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text.where(text.str.fullmatch(r"-?\d+(\.\d+)?", na=False)), errors="coerce").astype(float)


def _find_id(frame: pd.DataFrame, numeric: dict) -> Guess | None:
    """The id: a column unique and complete; or one named like an id that nearly is (the
    audit then flags its repeated or blank ids)."""
    candidates = []
    n = len(frame)
    for position, col in enumerate(frame.columns):
        named = _name_hint(col, "id")
        if col in numeric and numeric[col].notna().sum() == frame[col].notna().sum():
            counts = _number_id_counts(numeric[col], named)
            if counts is None:
                continue
            blank, repeated = counts
        else:
            text = frame[col].astype("string").str.strip()
            empty = text.isna() | text.eq("")
            blank, repeated = int(empty.sum()), int(text[~empty].duplicated().sum())
        if blank == 0 and repeated == 0:
            candidates.append((2 if named else 0, position == 0, -position, col, named, ""))
        elif named and blank + repeated <= 0.05 * n:
            note = f"; {repeated} repeated and {blank} blank ids, which the audit will flag"
            candidates.append((1, position == 0, -position, col, named, note))
    if not candidates:
        return None
    score, first, _, col, named, note = max(candidates)
    if not named and len(candidates) > 1 and not first:
        return Guess(col, 0.4, f"unique and complete in {n:,} rows (so are {len(candidates) - 1} other columns)")
    why = "named like an id, " if named else ""
    complete = "nearly unique and complete" if note else "unique and complete"
    return Guess(col, 0.9 if named else 0.6, f"{why}{complete} in {n:,} rows{note}")


def _number_id_counts(x: pd.Series, named: bool) -> tuple[int, int] | None:
    """A numeric column's blank and repeated ids, or None when it cannot be the id: not
    whole numbers (a weight or a time), or, unless named like an id, a blank or a repeat
    (found in its first rows for answers to a scale, which repeat at once)."""
    values = x.to_numpy()
    present = values[~np.isnan(values)]
    if present.size == values.size and not np.allclose(present, np.round(present)):
        return None
    if not named and (present.size < values.size or _repeats(present[:_SAMPLE_ROWS])):
        return None
    return values.size - present.size, int(pd.Series(present).duplicated().sum())


def _repeats(values: np.ndarray) -> bool:
    """Whether some value occurs twice."""
    return np.unique(values).size < values.size


def _find_numeric_role(frame: pd.DataFrame, numeric: dict, key: str, taken: set) -> Guess | None:
    for col in frame.columns:
        if col in taken or col not in numeric or not _name_hint(col, key):
            continue
        x = numeric[col].dropna()
        if len(x) < 0.5 * len(frame) or (x <= 0).mean() > 0.05:
            continue
        if key == "weight":
            return Guess(col, 0.9, f"named like a weight; positive, mean {x.mean():.2f}")
        return Guess(col, 0.9, f"named like a completion time; median {x.median():,.0f}")
    return None


#: Answer scales in the order a run of answers is matched to them (the first that holds it).
SCALES = ((1, 5), (1, 7), (0, 10), (1, 10), (1, 4), (1, 6), (0, 5), (0, 6), (1, 9), (1, 11), (0, 4), (0, 7),
          (-2, 2), (-3, 3), (0, 100))
_USUAL = {(float(a), float(b)) for a, b in SCALES}


def _answer_counts(x: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A numeric column's distinct answers (blanks aside), sorted, and how often each was
    given: what the scale, the codes and the categories are read from, sorted out once per
    column."""
    values = x.to_numpy(dtype=float)
    return np.unique(values[~np.isnan(values)], return_counts=True)


def _unclaimed_counts(numeric: dict, taken: set) -> dict:
    """:func:`_answer_counts` of each numeric column no role took, in the file's order."""
    return {col: _answer_counts(x) for col, x in numeric.items() if col not in taken}


def _run_of(distinct: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """The main run of a column's whole values (``distinct`` given ``counts`` times):
    consecutive values holding the most answers, leaving out values at its ends given by
    almost nobody (a stray 11 on a 0-10 item)."""
    keep = counts >= max(2, 0.002 * counts.sum())
    distinct, counts = (distinct[keep], counts[keep]) if keep.any() else (distinct, counts)
    groups, start = [], 0
    for i in range(1, len(distinct) + 1):
        if i == len(distinct) or distinct[i] - distinct[i - 1] > 1:
            groups.append((counts[start:i].sum(), distinct[start], distinct[i - 1]))
            start = i
    _, lo, hi = max(groups)
    return float(lo), float(hi)


def _snap(lo: float, hi: float) -> tuple[float, float]:
    """The scale of a run of answers: a usual scale whose every point is answered is that
    scale (1-6 stays 1-6); else the first usual scale that holds the run and is not much
    wider (2-7 is 1-7); else the run itself."""
    if (lo, hi) in _USUAL:
        return lo, hi
    for a, b in SCALES:
        if a <= lo and hi <= b and (hi - lo) >= 0.5 * (b - a):
            return float(a), float(b)
    return lo, hi


def _own_scale(tally: tuple[np.ndarray, np.ndarray], lo: float, hi: float) -> bool:
    """Whether a column's answers (its :func:`_answer_counts`) are a usual scale of their own inside
    a wider common one: every point of it answered and its top point by at least 5 % (the
    top of a scale gathers answers; a 1-7 item nobody rated above 5 tails off there)."""
    if (lo, hi) not in _USUAL:
        return False
    distinct, counts = tally
    inside = (distinct >= lo) & (distinct <= hi)
    return set(distinct[inside]) == set(np.arange(lo, hi + 1)) and \
        float(counts[distinct == hi].sum() / counts[inside].sum()) >= 0.05


def _labels_scale(labels: dict) -> tuple[tuple[float, float] | None, list[float]]:
    """(scale, don't-know codes) from SPSS value labels."""
    dk = [float(k) for k, v in labels.items() if _DK_WORDS.search(str(v))]
    rest = [float(k) for k in labels if float(k) not in dk]
    return ((min(rest), max(rest)) if len(rest) >= 2 else None), dk


def _outside_codes(distinct: np.ndarray, counts: np.ndarray, lo: float, hi: float, n: int,
                   codes: set) -> tuple[set, int]:
    """The answers (``distinct``, given ``counts`` times) outside a scale ``lo``-``hi`` that are
    missing codes, added to ``codes``, and how many other values fall outside it. A code is a
    usual one, or stands apart from the scale and is used often (of ``n`` answers); a rare 44
    is a typo."""
    outside = [(float(v), int(k)) for v, k in zip(distinct, counts) if v < lo or v > hi]
    for v, k in outside:
        if v in TYPICAL_CODES or (min(abs(v - lo), abs(v - hi)) >= 2 and k >= max(3, 0.01 * n)):
            codes.add(v)
    return codes, sum(v not in codes for v, _ in outside)


def _scale_of(col: str, tally: tuple[np.ndarray, np.ndarray],
              info: SourceInfo) -> tuple[tuple[float, float], list[float], str] | None:
    """An item's scale and missing codes from its answers (:func:`_answer_counts`), or None when the
    column is not a rating."""
    distinct, counts = tally
    if distinct.size == 0 or not np.allclose(distinct, np.round(distinct)):
        return None
    codes = set()
    for lo, hi in info.user_missing.get(col, ()):
        codes |= {float(v) for v in distinct if lo <= v <= hi}
    labelled, dk = _labels_scale(info.value_labels.get(col, {})) if col in info.value_labels else (None, [])
    codes |= set(dk)
    rest = ~np.isin(distinct, list(codes)) if codes else np.ones(distinct.size, bool)
    if not rest.any():
        return None
    lo, hi = labelled if labelled else _snap(*_run_of(distinct[rest], counts[rest]))
    if hi - lo < 2 or hi - lo > 20:  # a yes/no or a count, not a rating scale
        return None
    codes, strays = _outside_codes(distinct[rest], counts[rest], lo, hi, int(counts.sum()), codes)
    if strays > 3:  # out of range: left for the audit to flag, unless too many for a rating
        return None
    why = "value labels" if labelled else f"answers {lo:g}-{hi:g}"
    return (lo, hi), sorted(codes), why


def _scale_note(answers: "_Answers", cols: list[str], scale: tuple[float, float]) -> str:
    """Why ``scale`` is a guess for ``cols`` (empty when it is not).

    * It was rounded out to a usual scale whose end value(s) none of their answers hold.
    * Its highest answer stands apart from the usual scale just below it
      (:func:`_stands_apart`): it may be a don't-know coded after that scale, as Qualtrics
      numbers "Don't know" next to the last point; suggested in the comment, not applied.
      Tried when that answer is given by fewer than 15 % (a scale point everybody uses is
      not a code)."""
    held = [answers.tally(c) for c in cols]
    distinct = np.concatenate([d for d, _ in held]) if held else np.zeros(0)
    counts = np.concatenate([k for _, k in held]) if held else np.zeros(0, np.int64)
    if distinct.size == 0:
        return ""
    lo, hi = scale
    low, high = float(distinct.min()), float(distinct.max())
    text = ""
    if not (low <= lo and high >= hi):
        ends = [f"{v:g}" for v in (lo, hi) if v not in distinct]
        text = (f"but {'no column holds' if len(cols) > 1 else 'no answer is'} {' or '.join(ends)} "
                f"(answers {low:g}-{high:g}): rounded out to a usual scale; check the questionnaire")
    below = high - 1
    if (lo, below) in _USUAL and float(counts[distinct == high].sum() / counts.sum()) < 0.15:
        apart, testable, share = _stands_apart(answers, cols, below, high)
        if apart:
            text += ((". " if text else "but ") +
                     f"those answering {high:g} ({100 * share:.0f} % of answers) rate the most related item lower "
                     f"than those answering {below:g}, in {apart} of {testable} columns: not the top of a scale but "
                     f"a don't-know coded after a {lo:g}-{below:g} scale (Qualtrics numbers 'Don't know' next to "
                     f"the last point)? If so: scale {{min: {lo:g}, max: {below:g}}} and missing_codes: [{high:g}]")
    return text


def _stands_apart(answers: "_Answers", cols: list[str], below: float, high: float) -> tuple[int, int, float]:
    """Whether the answer ``high`` behaves as a code rather than a scale point: (columns where
    it stands apart, columns tested, its share of the answers); (0, n, share) when it does not.

    A respondent answering the top of a scale rates related items at least as high as one
    answering the point below; a don't-know answer says nothing of the sort. For each
    column, the other column it correlates with best (r >= 0.3 on the answers up to
    ``below``) is compared between those who answered ``high`` and ``below`` (at least 10
    each). The answer stands apart when the related item is rated lower after ``high`` in
    at least two columns and two thirds of those tested."""
    frame = pd.DataFrame({c: answers[c] for c in cols})
    if len(frame) > _SAMPLE_ROWS:
        frame = frame.sample(_SAMPLE_ROWS, random_state=0)
    inside = frame.where(frame <= below)
    corr = inside.corr(min_periods=30) if len(cols) > 1 else pd.DataFrame()
    testable = apart = 0
    for c in cols if len(cols) > 1 else []:
        others = corr[c].drop(c).dropna()
        if others.empty or others.max() < 0.3:
            continue
        partner = inside[others.idxmax()]
        at_top, at_below = partner[frame[c] == high].dropna(), partner[frame[c] == below].dropna()
        if len(at_top) < 10 or len(at_below) < 10:
            continue
        testable += 1
        apart += bool(at_top.mean() < at_below.mean())
    share = float((frame == high).sum().sum() / frame.notna().sum().sum())
    found = testable >= 2 and apart >= 2 / 3 * testable
    return (apart if found else 0), testable, share


# -- the vocabulary, compiled --------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_CLAUSE = re.compile(r"[,;:.!?()\[\]{}\"“”«»/|¿¡]+|\s[-–—]\s")


def _plain(word: str) -> str:
    return _norm(word)


def _vocabulary_error(key: str, message: str) -> ValuekitError:
    return ValuekitError(f"{VOCABULARY_FILE.name}: {key}: {message}")


@dataclass(frozen=True)
class _Entry:
    """One vocabulary entry: a word or phrase, what it stands for and how much it counts."""

    label: str                          # as written in the vocabulary (without '=')
    words: tuple[frozenset, ...]        # per word, the forms it matches (stems, or '=' + the exact form)
    kind: str                           # block, topic, burden, relief, frame, aside, ignore, more, less, ...
    target: tuple[str, str] | None = None
    weight: float = 1.0
    exact: bool = False                 # an '=word' entry: preferred to a stem taking the same word
    order: int = 0                      # its place in the vocabulary: the last tie-break


@dataclass(frozen=True)
class _Token:
    word: str                           # as written, lower case
    plain: str                          # lower case, no accents
    forms: frozenset                    # its stems and '=' + plain
    clause: int                         # which clause of the question (split at punctuation)


@dataclass(frozen=True)
class _Hit:
    entry: _Entry
    start: int
    end: int


class _Lexicon:
    """One language's vocabulary: entries in groups (``words``: blocks, frames, asides and
    ignored phrases; ``markers``; ``not`` and ``neg``: negation; ``scale``: scale labels;
    ``facet:<block>``), indexed by the forms of their first word, and the Snowball stemmer
    that gives those forms."""

    def __init__(self, lang: str, spec) -> None:
        if not isinstance(spec, dict) or "stemmer" not in spec:
            raise _vocabulary_error(f"languages.{lang}", "expected {stemmer: <Snowball name>, function_words: [...]}")
        try:
            self._stemmer = snowballstemmer.stemmer(str(spec["stemmer"]))
        except KeyError:
            raise _vocabulary_error(f"languages.{lang}.stemmer", f"unknown Snowball stemmer {spec['stemmer']!r}; "
                                                                 f"one of {snowballstemmer.algorithms()}") from None
        self.lang = lang
        self.function_words = frozenset(_plain(w) for w in _strings(spec.get("function_words"),
                                                                     f"languages.{lang}.function_words"))
        self._groups: dict[str, dict[str, list[_Entry]]] = {}
        self._stems: dict[str, frozenset] = {}
        self.known: set[str] = set()    # the forms of every word of the block vocabulary (evidence of the language)
        self._count = 0

    def stems(self, word: str) -> frozenset:
        """A word of a text: its stems, of its accented and of its unaccented form (texts are
        typed both ways)."""
        found = self._stems.get(word)
        if found is None:
            lower = word.lower()
            found = frozenset({_plain(self._stemmer.stemWord(lower)), self._stemmer.stemWord(_plain(lower))})
            self._stems[word] = found
        return found

    def entry_stems(self, word: str) -> frozenset:
        """A word of the vocabulary: its stem, and the stem of its unaccented form when that is
        not too short to tell words apart ('qualità' is 'qualit'; unaccented, 'qualita' would
        be 'qual', the stem of 'quale')."""
        lower = word.lower()
        stem = _plain(self._stemmer.stemWord(lower))
        bare = self._stemmer.stemWord(_plain(lower))
        return frozenset({stem, bare} if len(bare) >= 5 or bare == stem else {stem})

    def add(self, group: str, raw, kind: str, target: tuple[str, str] | None, key: str) -> None:
        """Add one vocabulary entry (``word``, ``=word``, ``phrase`` or ``[entry, weight]``)."""
        if isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str) \
                and isinstance(raw[1], (int, float)) and not isinstance(raw[1], bool) and raw[1] > 0:
            label, weight = raw[0], float(raw[1])
        elif isinstance(raw, str):
            label, weight = raw, 1.0
        else:
            raise _vocabulary_error(key, f"expected a word, a phrase or [phrase, weight > 0], got {raw!r}")
        exact = label.startswith("=")
        words = _WORD.findall(label.lstrip("=").lower())
        if not words:
            raise _vocabulary_error(key, f"{label!r} has no word in it")
        exact = exact or kind == "scale"  # scale labels: whole forms ('males' is not 'malo')
        forms = tuple(frozenset({"=" + _plain(w)} if exact else self.entry_stems(w) | {"=" + _plain(w)}) for w in words)
        self._count += 1
        entry = _Entry(label.lstrip("="), forms, kind, target, weight, exact, self._count)
        index = self._groups.setdefault(group, {})
        for form in forms[0]:
            index.setdefault(form, []).append(entry)
        if group == "words" and kind not in ("ignore", "aside", "frame"):
            self.known.update(forms[0])

    def tokens(self, text: str, name: bool = False) -> list[_Token]:
        """The words of a text with their forms and clause; "don't" is read "do not". In a
        column's ``name``, a word shorter than five letters is taken as written only, not by
        its stem: 'imag' in IMAG1 is a code, not 'image'."""
        text = re.sub(r"<[^>]+>", " ", str(text))          # Qualtrics question text may carry HTML
        text = re.sub(r"n['’]t\b", " not", text.lower())
        out = []
        for clause, part in enumerate(_CLAUSE.split(text)):
            for w in _WORD.findall(part):
                stems = frozenset() if name and len(w) < 5 else self.stems(w)
                out.append(_Token(w, _plain(w), stems | {"=" + _plain(w)}, clause))
        return out

    def match(self, tokens: list[_Token], group: str) -> list[_Hit]:
        """The entries of ``group`` found in ``tokens``: longest first, then exact forms, then
        heaviest, then leftmost, then first in the vocabulary; each word used by one entry
        at most."""
        index = self._groups.get(group, {})
        found = {}
        for i, tok in enumerate(tokens):
            for form in tok.forms:
                for e in index.get(form, ()):
                    n = len(e.words)
                    if i + n <= len(tokens) and all(e.words[j] & tokens[i + j].forms for j in range(1, n)):
                        found[(id(e), i)] = (e, i)
        used = [False] * len(tokens)
        hits = []
        for e, i in sorted(found.values(), key=lambda c: (-len(c[0].words), -c[0].exact, -c[0].weight, c[1],
                                                          c[0].order)):
            n = len(e.words)
            if any(used[i:i + n]):
                continue
            used[i:i + n] = [True] * n
            hits.append(_Hit(e, i, i + n))
        return sorted(hits, key=lambda h: h.start)


def _strings(value, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _vocabulary_error(key, f"expected a list of words, got {value!r}")
    return value


def _mapping(value, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _vocabulary_error(key, f"expected a mapping, got {value!r}")
    return value


def _target(text, key: str) -> tuple[str, str] | None:
    """'benefit.economic' -> ('benefit', 'economic'); 'reverse' -> None."""
    if text == "reverse":
        return None
    role, _, block = str(text).partition(".")
    known = {"benefit": DIMENSIONS, "sacrifice": SACRIFICES, "outcome": OUTCOMES}
    if role not in known or block not in known[role]:
        raise _vocabulary_error(key, f"expected 'reverse' or a block such as 'benefit.economic', got {text!r}")
    return role, block


def _compile(vocabulary) -> tuple[dict[str, _Lexicon], dict[str, tuple[str, str] | None]]:
    """The vocabulary file as one :class:`_Lexicon` per language, and where each sacrifice's
    favourable wording goes (a benefit, or None: reverse-keyed in its own block)."""
    vocabulary = _mapping(vocabulary, "(top level)")
    lexicons = {lang: _Lexicon(lang, spec) for lang, spec in _mapping(vocabulary.get("languages"),
                                                                       "languages").items()}
    if not lexicons:
        raise _vocabulary_error("languages", "expected at least one language")

    def per_language(value, key: str, group: str, kind: str, target=None) -> None:
        for lang, words in _mapping(value, key).items():
            if lang not in lexicons:
                raise _vocabulary_error(f"{key}.{lang}", f"unknown language; expected one of {sorted(lexicons)}")
            for raw in _strings(words, f"{key}.{lang}"):
                lexicons[lang].add(group, raw, kind, target, f"{key}.{lang}")

    favourable = {}
    known = {"benefit": DIMENSIONS, "sacrifice": SACRIFICES, "outcome": OUTCOMES}
    blocks = _mapping(vocabulary.get("blocks"), "blocks")
    for role, named in blocks.items():
        if role not in known:
            raise _vocabulary_error(f"blocks.{role}", f"expected one of {sorted(known)}")
        for block, spec in _mapping(named, f"blocks.{role}").items():
            key = f"blocks.{role}.{block}"
            if block not in known[role]:
                raise _vocabulary_error(key, f"unknown {role}; expected one of {list(known[role])}")
            spec = _mapping(spec, key)
            if role != "sacrifice":
                per_language(spec, key, "words", "block", (role, block))
                continue
            favourable[block] = _target(spec.get("favourable", "reverse"), f"{key}.favourable")
            for lang, kinds in spec.items():
                if lang == "favourable":
                    continue
                for kind, words in _mapping(kinds, f"{key}.{lang}").items():
                    if kind not in ("topic", "burden", "relief"):
                        raise _vocabulary_error(f"{key}.{lang}.{kind}", "expected topic, burden or relief")
                    per_language({lang: words}, key, "words", kind, (role, block))
    for section, kind in (("frames", "frame"), ("asides", "aside"), ("ignore", "ignore")):
        per_language(vocabulary.get(section), section, "words", kind)
    markers = _mapping(vocabulary.get("markers"), "markers")
    for which in ("more", "less"):  # one group: "a great deal" is a burden, not also "great"
        per_language(markers.get(which), f"markers.{which}", "markers", which)
    negation = _mapping(vocabulary.get("negation"), "negation")
    per_language(negation.get("particles"), "negation.particles", "not", "not")
    per_language(negation.get("words"), "negation.words", "neg", "neg")
    per_language(vocabulary.get("scale_labels"), "scale_labels", "scale", "scale")
    for block, facets in _mapping(vocabulary.get("facets"), "facets").items():
        for facet, words in _mapping(facets, f"facets.{block}").items():
            per_language(words, f"facets.{block}.{facet}", f"facet:{block}", "facet", (block, facet))
    return lexicons, favourable


_LEXICONS, _FAVOURABLE = _compile(_VOCABULARY)


# -- the language of a question -------------------------------------------------------------

def _language_scores(text: str, evidence: bool = False) -> dict[str, float]:
    """Function words of each language in ``text`` (and, with ``evidence``, half a point for
    each word of its block vocabulary: column names have no function words)."""
    words = _WORD.findall(re.sub(r"n['’]t\b", " not", str(text).lower()))
    scores = {}
    for lang, lex in _LEXICONS.items():
        score = float(sum(_plain(w) in lex.function_words for w in words))
        if evidence:
            score += 0.5 * sum(bool(lex.stems(w) & lex.known) for w in words)
        scores[lang] = score
    return scores


def _file_language(texts: Iterable[str]) -> str | None:
    """The language of a file's question texts (or column names), when one stands out."""
    total = dict.fromkeys(_LEXICONS, 0.0)
    for t in texts:
        for lang, s in _language_scores(t, evidence=True).items():
            total[lang] += s
    ranked = sorted(total.items(), key=lambda kv: -kv[1])
    best, second = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
    return ranked[0][0] if best >= 2 and best >= 1.5 * second else None


def _languages_for(text: str, file_language: str | None) -> list[str]:
    """The language(s) to read a question in: its own when its function words say so
    clearly, else the file's, else every language."""
    scores = _language_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), second = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    if top - second >= 2 or (top >= 1 and second == 0 and file_language in (None, best)):
        return [best]
    if file_language is not None:
        return [file_language]
    return [best] if top > second else list(_LEXICONS)


# -- placing items by their wording ------------------------------------------------------

@dataclass
class _Reading:
    """What a question's wording says: its block and how sure, or why it is not placed."""

    guess: Guess | None
    strength: float = 0.0              # the winning block's score (to choose among languages)
    why_not: str = ""
    against: str = ""                  # worded against its block: negated, or naming a small sacrifice
    relief: bool = False               # against because it names a small sacrifice ("calm"): reverse-keyed
    undirected: bool = False           # a sacrifice word with nothing saying which way
    language: str | None = None


def _said(tokens: list[_Token], hit: _Hit) -> str:
    """The words of the text a hit matched, as written."""
    return " ".join(t.word for t in tokens[hit.start:hit.end])


def _gap(a: _Hit, b: _Hit) -> int:
    """Words between two hits (0 when they touch or overlap)."""
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0


def _negator(tokens: list[_Token], nots: list[_Hit], pos: int) -> _Hit | None:
    """A negation just before word ``pos`` (at most two words between, same clause)."""
    for n in nots:
        if n.end <= pos and pos - n.end <= 2 and tokens[n.start].clause == tokens[pos].clause:
            return n
    return None


def _direction(hit: _Hit, tokens: list[_Token], more: list[_Hit], less: list[_Hit], nots: list[_Hit],
               evaluative: str) -> tuple[int, str, _Hit | None]:
    """Which way a sacrifice word goes: +1 a larger sacrifice, -1 a smaller one (a benefit, or
    the sacrifice reverse-keyed), 0 unsaid; with the words that say so and the negation used.

    A burden or relief word goes its own way unless negated ("not expensive"); a topic word
    (price, time) goes the way of the markers near it (within four words, same clause;
    the nearest count most; a negated marker turns round), else the way of a negation just
    before it ("no waiting"), else, in a question asking to rate or judge it, the better
    way (higher answers are better)."""
    kind, label = hit.entry.kind, _said(tokens, hit)
    if kind in ("burden", "relief"):
        sign = 1 if kind == "burden" else -1
        n = _negator(tokens, nots, hit.start)
        return (-sign, f"'{_said(tokens, n)} {label}'", n) if n else (sign, "", None)
    clause = tokens[hit.start].clause
    total, said, used = 0.0, [], None
    for marker, sign in [(m, 1) for m in more] + [(m, -1) for m in less]:
        gap = _gap(hit, marker)
        if tokens[marker.start].clause != clause or gap > 4:
            continue
        n = _negator(tokens, nots, marker.start)
        if n is not None:
            sign, used = -sign, n
        total += sign / (1 + gap)
        said.append((f"{_said(tokens, n)} " if n else "") + _said(tokens, marker))
    if total:
        return (1 if total > 0 else -1), "with " + ", ".join(f"'{w}'" for w in dict.fromkeys(said)), used
    n = _negator(tokens, nots, hit.start)
    if n is not None:
        return -1, f"'{_said(tokens, n)} {label}'", n
    if evaluative:
        return -1, f"asked to judge: {evaluative}", None
    return 0, "", None


def _read(text: str, languages: list[str], name: bool = False) -> _Reading:
    """The block the question text names, read in each of ``languages`` (the strongest wins)."""
    best = None
    for lang in languages:
        reading = _read_in(text, _LEXICONS[lang], name)
        if best is None or reading.strength > best.strength:
            best = reading
    return best


def _read_in(text: str, lex: _Lexicon, name: bool = False) -> _Reading:
    """The block the question text (or a column's ``name``) names in one language (see the
    module's description)."""
    tokens = lex.tokens(text, name)
    hits = lex.match(tokens, "words")
    markers, nots = lex.match(tokens, "markers"), lex.match(tokens, "not")
    more = [m for m in markers if m.entry.kind == "more"]
    less = [m for m in markers if m.entry.kind == "less"]
    asides = [_said(tokens, h) for h in hits if h.entry.kind == "aside"]
    if asides:
        return _Reading(None, strength=float(len(asides)), language=lex.lang,
                        why_not="it asks about expectations, importance, frequency or a supposed case (" +
                                ", ".join(f"'{w}'" for w in dict.fromkeys(asides)) + "), not how the offer performs")
    rated = [h for h in hits
             if h.entry.kind in ("block", "topic", "burden", "relief") and h.entry.target[0] != "outcome"]
    frame_hits = _frame_hits(hits, rated)
    frames = [_said(tokens, h) for h in frame_hits]
    evaluative = ", ".join(f"'{w}'" for w in dict.fromkeys(frames))
    tally = _tally(hits, tokens, rated, more, less, nots, evaluative)
    scores = tally.scores
    # what a question judging something judges is the first thing it names after the frame
    # ("how would you rate the clarity of your bill?": the clarity): it counts one more
    after = _judged(tally, frame_hits)
    if after and len(scores) > 1:
        scores[after] += 1.0
    if not scores:
        return _Reading(None, language=lex.lang)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    undirected = best[0] == "sacrifice" and not tally.directed.get(best, False)
    against, relief = _against(best, tally, tokens, nots, lex)
    guess = Guess(best, _confidence(ranked, undirected), _reading_reason(ranked, tally, undirected))
    return _Reading(guess, strength=top, against=against, relief=relief, undirected=undirected, language=lex.lang)


def _judged(tally: "_Tally", frame_hits: list) -> tuple | None:
    """What a question judging something judges: the first thing it names after the frame
    ("how would you rate the clarity of your bill?": the clarity); None without a frame."""
    if not frame_hits:
        return None
    return next((target for h, target in tally.placed
                 if target[0] != "outcome" and h.start >= frame_hits[0].end), None)


def _frame_hits(hits: list, rated: list) -> list:
    """The words framing a question as a judgement ("how would you rate"); "satisfied" frames
    one too when the question also names what is judged ("how satisfied are you with the
    price?": an evaluation of the price, not the satisfaction outcome)."""
    frame_hits = [h for h in hits if h.entry.kind == "frame"]
    satisfied = [h for h in hits if h.entry.target == ("outcome", "satisfaction")]
    if satisfied and rated:
        frame_hits = sorted(frame_hits + satisfied, key=lambda h: h.start)
    return frame_hits


def _confidence(ranked: list, undirected: bool) -> float:
    """How sure a reading is, from .2 to .95: more with more words for the winner (up to
    three) and a wider lead over the runner-up; at most .65 for a sacrifice without a word
    saying which way it runs."""
    top, second = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
    confidence = 0.3 + 0.35 * min(top, 3) / 3 + 0.35 * (top - second) / top
    if undirected:
        confidence = min(confidence, 0.65)
    return round(max(0.2, min(0.95, confidence)), 2)


def _reading_reason(ranked: list, tally: "_Tally", undirected: bool) -> str:
    """Why a question is read as its best target: the words (grouped by what said their
    direction), what the direction rests on, and the runner-up."""
    best, words = ranked[0][0], tally.words
    grouped: dict[str, list[str]] = {}  # the words, grouped by what said their direction
    for w, why in dict.fromkeys(words[best]):
        grouped.setdefault(why, []).append(f"'{w}'")
    reason = "words " + ", ".join(", ".join(ws) + (f" ({why})" if why else "") for why, ws in grouped.items())
    if undirected:
        reason += "; nothing says whether higher answers mean more or less of the sacrifice"
    elif tally.judged.get(best):
        reason += f"; a question judging it: higher answers are better, so a benefit ({best[1]}), not a sacrifice"
    if len(ranked) > 1:
        other = ranked[1][0]
        reason += f"; also {other[1]} ({', '.join(dict.fromkeys(w for w, _ in words[other]))})"
    return reason


@dataclass
class _Tally:
    """What a question's words vote for: each target's score and the words behind it, whether
    a sacrifice word's direction was said, reliefs, judgements, the negations used."""

    scores: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)
    directed: dict = field(default_factory=dict)
    reliefs: dict = field(default_factory=dict)
    judged: dict = field(default_factory=dict)
    used_nots: set = field(default_factory=set)
    placed: list = field(default_factory=list)


def _tally(hits, tokens, rated, more, less, nots, evaluative: str) -> _Tally:
    """Each block, topic, burden or relief word's vote, weighted (see the module's description)."""
    t = _Tally()
    for h in hits:
        e = h.entry
        if e.kind == "block":
            if e.target == ("outcome", "satisfaction") and rated:
                continue
            target, shown = e.target, (_said(tokens, h), "")
        elif e.kind in ("topic", "burden", "relief"):
            sign, why, negation = _direction(h, tokens, more, less, nots, evaluative)
            if negation is not None:
                t.used_nots.add(negation.start)
            target, shown = e.target, (_said(tokens, h), why)
            if sign < 0:
                favourable = _FAVOURABLE.get(e.target[1])
                if favourable is None:
                    t.reliefs.setdefault(target, []).append(_said(tokens, h))
                else:
                    target = favourable
                    t.judged[target] = t.judged.get(target, False) or why.startswith("asked")
            t.directed[target] = t.directed.get(target, False) or sign != 0
        else:
            continue
        # a sacrifice word whose direction is said counts more (the words saying it are evidence too)
        weight = e.weight + (0.5 if e.kind in ("topic", "burden", "relief") and t.directed.get(target) else 0.0)
        t.scores[target] = t.scores.get(target, 0.0) + weight
        t.words.setdefault(target, []).append(shown)
        t.placed.append((h, target))
    return t


def _against(best, tally: _Tally, tokens, nots, lex) -> tuple[str, bool]:
    """Why the item may be worded against its block: as a small sacrifice, or negated."""
    if best[0] not in ("benefit", "sacrifice"):
        return "", False
    if tally.reliefs.get(best):
        words = ", ".join(f"'{w}'" for w in dict.fromkeys(tally.reliefs[best]))
        return f"worded as a small sacrifice ({words})", True
    negated = [_said(tokens, n) for n in nots if n.start not in tally.used_nots] + \
              [_said(tokens, n) for n in lex.match(tokens, "neg")]
    if negated:
        return "negated wording (" + ", ".join(f"'{w}'" for w in dict.fromkeys(negated)) + ")", False
    return "", False


def _name_text(col: str) -> str:
    """A column's name as words: 'p04_precio_justo' -> 'p precio justo', 'priceFair' -> 'price Fair'."""
    return re.sub(r"[_\W\d]+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(col))).strip()


def _read_column(col: str, text: str, file_language: str | None) -> _Reading:
    """Where a rated column goes, from its question text, else from its name (thinner
    evidence: ``likely`` at most)."""
    worded = text != str(col)
    source = text if worded else _name_text(col)
    languages = _languages_for(source, file_language)
    reading = _read(source, languages, name=not worded)
    g = reading.guess
    if g is None:
        return reading
    confidence, reason = g.confidence, g.reason
    if len(languages) > 1:
        confidence -= 0.1
        reason += "; the language could not be told"
    if not worded:
        confidence, reason = min(confidence, 0.6), f"column name: {reason}"
    reading.guess = Guess(g.value, round(max(0.2, confidence), 2), reason)
    return reading


def _facet_of(block: str, text: str, language: str | None) -> tuple[str, str] | None:
    """The facet of ``block`` whose words ``text`` matches best, with the words; None if none
    matches or two tie."""
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {}
    for lang in [language] if language else list(_LEXICONS):
        lex = _LEXICONS[lang]
        tokens = lex.tokens(text)
        for h in lex.match(tokens, f"facet:{block}"):
            facet = h.entry.target[1]
            scores[facet] = scores.get(facet, 0.0) + h.entry.weight
            hits.setdefault(facet, []).append(_said(tokens, h))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0], ", ".join(f"'{h}'" for h in dict.fromkeys(hits[ranked[0][0]]))


def _propose_facets(blocks: dict[str, Guess], text: dict[str, str], languages: dict[str, str | None]
                    ) -> dict[str, Guess]:
    """Facets for the items of each benefit dimension and of risk, where the wording of every
    item of the block (two or more) names one and at least two facets are found."""
    members: dict[str, list[str]] = {}
    for col, g in blocks.items():
        if g.value[0] in ("benefit", "sacrifice"):
            members.setdefault(g.value[1], []).append(col)
    out = {}
    for block, cols in members.items():
        found = {c: _facet_of(block, text.get(c, c) if text.get(c, c) != c else _name_text(c), languages.get(c))
                 for c in cols}
        if len(cols) < 2 or None in found.values() or len({f for f, _ in found.values()}) < 2:
            continue
        for col, (facet, words) in found.items():
            out[col] = Guess(facet, 0.6, f"facet {facet}: words {words}")
    return out


# -- context: categories that are not ratings ----------------------------------------------------

def _rating_labels(labels: Iterable[str]) -> bool:
    """Whether value labels are those of a rating or agreement scale (a word such as 'agree',
    'satisfied', 'very', 'never' in any language, or numbers)."""
    for label in labels:
        label = str(label).strip()
        if re.fullmatch(r"[-+]?\d+([.,]\d+)?", label) or re.match(r"\d+\s*=", label):
            return True
        for lex in _LEXICONS.values():
            if lex.match(lex.tokens(label), "scale"):
                return True
    return False


def _context_name(name: str) -> bool:
    """A name (or a short question) such as 'gender', 'Region', 'age_band', 'sexo': a grouping."""
    words = {_norm(w) for w in _VOCABULARY["columns"].get("context") or []}
    norm = _norm(name).strip()
    parts = [p for p in re.split(r"[^a-z]+", norm) if p]
    if not parts or len(parts) > 4:
        return False
    whole = re.sub(r"[\s\d]+$", "", norm).strip("_ ")
    if whole in words or parts[0] in words or "_".join(parts) in words:
        return True
    # a compound name ending in a grouping word: 'serviceprovider', 'servicetype', 'storeregion'
    return len(parts) == 1 and any(len(w) >= 4 and w.isalpha() and parts[0].endswith(w) for w in words)


def _labelled_categories(col: str, distinct: np.ndarray, labels: dict, user_missing) -> Guess | None:
    """A column with SPSS value labels is a grouping when its labels name categories rather
    than points of a rating scale (don't-know and user-missing codes aside)."""
    missing = {float(k) for k, v in labels.items() if _DK_WORDS.search(str(v))}
    for lo, hi in user_missing:
        missing |= {float(v) for v in distinct if lo <= v <= hi}
    named = {float(k): str(v) for k, v in labels.items() if float(k) not in missing}
    used = [float(v) for v in distinct if float(v) not in missing]
    # labels naming categories, or a column named like a grouping whose labels are words
    # ('education': 'High school graduate' holds a scale word, 'high', and is no rating)
    words = not any(re.fullmatch(r"[-+]?\d+([.,]\d+)?", v.strip()) for v in named.values())
    if len(named) >= 2 and all(v in named for v in used) and (
            not _rating_labels(named.values()) or (words and _context_name(col))):
        shown = ", ".join(f"{k:g} {v}" for k, v in list(named.items())[:4]) + (", ..." if len(named) > 4 else "")
        return Guess("situation", 0.7, f"its value labels name categories, not a rating scale ({shown})")
    return None


def _categories(col: str, distinct: np.ndarray, info: SourceInfo, text: str) -> Guess | None:
    """A numeric column that is a grouping (context), not a rating: SPSS value labels naming
    categories (gender {1 Male, 2 Female}), or a few whole codes in a column named (or asked)
    like a grouping. ``distinct``: its distinct answers."""
    if not 2 <= len(distinct) <= 12 or not np.allclose(distinct, np.round(distinct)):
        return None
    labels = info.value_labels.get(col) or {}
    if labels:
        return _labelled_categories(col, distinct, labels, info.user_missing.get(col, ()))
    for name, what in ((col, "named"), (text, "asked")):
        if name and _context_name(name):
            return Guess("situation", 0.6, f"{len(distinct)} numeric codes in a column {what} like a grouping "
                                           f"('{name}'), not a rating")
    return None


# -- checks on the answers -------------------------------------------------------------------

def _corr(a: pd.Series, b: pd.Series) -> float | None:
    ok = a.notna() & b.notna()
    if ok.sum() < 30 or a[ok].std() == 0 or b[ok].std() == 0:
        return None
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _outcomes_turned(Z: pd.DataFrame, ben: list, out: list) -> pd.DataFrame:
    """The standardised outcome answers, each running against the benefits' mean (with at
    least two benefit items) turned round."""
    O = Z[out].copy()
    if len(ben) >= 2:
        mean_ben = Z[ben].mean(axis=1)
        for c in out:
            r = _corr(Z[c], mean_ben)
            if r is not None and r < 0:
                O[c] = -O[c]
    return O


def _answers_direction(frame_num: pd.DataFrame, blocks: dict[str, Guess], skip: set[str]
                       ) -> dict[str, tuple[float | None, float | None]]:
    """For each benefit and sacrifice item, the correlation of its answers with the benefit
    items' mean (without it; at least two other items) and with the outcomes' mean (an
    outcome item running against the benefits, such as "how likely are you to switch", turned
    round), on standardised answers; ``skip``: items left out of the benefits' mean (worded
    against their block)."""
    X = frame_num.sample(_SAMPLE_ROWS, random_state=0) if len(frame_num) > _SAMPLE_ROWS else frame_num
    sd = X.std()
    Z = (X - X.mean()) / sd.where(sd > 0)
    ben = [c for c, g in blocks.items() if g.value[0] == "benefit" and c not in skip and c in Z]
    out = [c for c, g in blocks.items() if g.value[0] == "outcome" and c in Z]
    O = _outcomes_turned(Z, ben, out)
    result = {}
    for col, g in blocks.items():
        if g.value[0] not in ("benefit", "sacrifice") or col not in Z:
            continue
        others = [c for c in ben if c != col]
        r_b = _corr(Z[col], Z[others].mean(axis=1)) if len(others) >= 2 else None
        outs = [c for c in out if c != col]
        r_o = _corr(Z[col], O[outs].mean(axis=1)) if outs else None
        result[col] = (r_b, r_o)
    return result


def _shown_rs(r_b: float | None, r_o: float | None) -> str:
    parts = ([f"the benefits (r = {r_b:.2f})"] if r_b is not None else []) + \
            ([f"the outcomes (r = {r_o:.2f})"] if r_o is not None else [])
    return " and ".join(parts)


def _direction_limits() -> dict[str, float]:
    """The direction check's correlation limits (``direction_check:`` of the vocabulary file),
    each checked to be a number in (0, 1)."""
    spec = _VOCABULARY.get("direction_check")
    if not isinstance(spec, dict):
        raise _vocabulary_error("direction_check", "expected a mapping of against, clearly and with")
    out = {}
    for key in ("against", "clearly", "with"):
        v = spec.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise _vocabulary_error(f"direction_check.{key}", f"expected a correlation between 0 and 1, got {v!r}")
        out[key] = float(v)
    return out


def _check_directions(draft: Draft, frame_num: pd.DataFrame, readings: dict[str, _Reading]) -> None:
    """The direction check: a sacrifice's answers run against the benefits and the outcomes,
    a benefit's go with them (the other way for an item worded as a small sacrifice, such as
    'calm'). An item whose answers say otherwise (both correlations beyond the vocabulary's
    ``direction_check: against`` the wrong way, one beyond ``clearly``) is demoted below
    ``sure`` with the reason; a sacrifice word whose
    wording gave no direction takes the direction of its answers. Items with negated wording
    are left to the reverse check."""
    limits = _direction_limits()
    skip = {c for c, rd in readings.items() if rd.against}
    for col, (r_b, r_o) in _answers_direction(frame_num, draft.blocks, skip).items():
        g, rd = draft.blocks[col], readings[col]
        if rd.against and not rd.relief:
            continue
        rs = [r for r in (r_b, r_o) if r is not None]
        if not rs:
            continue
        expected = (1 if g.value[0] == "benefit" else -1) * (-1 if rd.relief else 1)
        wrong = all(expected * r < -limits["against"] for r in rs) and max(abs(r) for r in rs) >= limits["clearly"]
        right = all(expected * r > limits["with"] for r in rs)
        draft.blocks[col] = _redirected(g, rd, _shown_rs(r_b, r_o), wrong, right)


def _redirected(g: Guess, rd: _Reading, shown: str, wrong: bool, right: bool) -> Guess:
    """An item's guess after the direction check (``shown``: its correlations, as said):
    an undirected sacrifice word whose answers run the wrong way becomes the benefit it is
    the absence of; another wrong-way item is demoted with a CHECK; an undirected sacrifice
    whose answers run the right way says so."""
    favourable = _FAVOURABLE.get(g.value[1]) if g.value[0] == "sacrifice" else None
    if wrong and rd.undirected and favourable is not None:
        return Guess(favourable, min(g.confidence, 0.6),
                     f"{g.reason}; its answers go with {shown}: higher answers are better, so "
                     f"a benefit ({favourable[1]}) rather than the {g.value[1]} sacrifice")
    if wrong:
        if g.value[0] == "sacrifice" and not rd.relief:
            why = (f"CHECK: placed as a sacrifice, but its answers go with {shown}, where a sacrifice's run "
                   "against them: higher answers look better (an evaluation, so a benefit?) or it is reverse-keyed")
        elif g.value[0] == "sacrifice":
            why = f"CHECK: worded as a small sacrifice, but its answers run against {shown}: is it reverse-keyed?"
        else:
            why = f"CHECK: placed as a benefit, but its answers run against {shown}: reverse-keyed, or a sacrifice?"
        return Guess(g.value, min(g.confidence, 0.45), f"{g.reason}; {why}")
    if right and rd.undirected:
        return Guess(g.value, g.confidence, f"{g.reason}; its answers run against {shown}, as a sacrifice's do")
    return g


def _check_survey(draft: Draft, rated: int) -> None:
    """A file whose wording names no outcome and in which fewer than half the rated questions
    match the value vocabulary may not be a customer-value survey at all (a personality
    inventory: "Get angry easily", "Make people feel at ease"): its placements and reverse
    keys are ``likely`` at most, and say why."""
    if not draft.blocks or any(g.value[0] == "outcome" for g in draft.blocks.values()) \
            or len(draft.blocks) >= 0.5 * rated:
        return
    why = (f"; the file names no outcome and only {len(draft.blocks)} of its {rated} rated questions match the "
           "value vocabulary: is it a customer-value survey?")
    for col, g in draft.blocks.items():
        draft.blocks[col] = Guess(g.value, min(g.confidence, 0.6), g.reason + why)
    for col, g in draft.reverse.items():  # a reverse key is decided within a block just as doubtful
        draft.reverse[col] = Guess(g.value, min(g.confidence, 0.6), g.reason + why)


def _item_rest(X: pd.DataFrame, col: str) -> float | None:
    """The correlation of an item with the mean of the other items (None: too few answers)."""
    rest = X.drop(columns=col).mean(axis=1)
    ok = X[col].notna() & rest.notna()
    if ok.sum() < 10 or X[col][ok].std() == 0 or rest[ok].std() == 0:
        return None
    return float(np.corrcoef(X[col][ok], rest[ok])[0, 1])


def _reverse_checks(frame_num: pd.DataFrame, blocks: dict[str, Guess], readings: dict[str, _Reading]
                    ) -> dict[str, Guess]:
    """Reverse keys, from the answers within each proposed block and from the wording.

    * Three items or more: the item with the most negative item-rest correlation is
      flipped and the block looked at again (at most half its items), ``sure`` below
      r = -0.2.
    * Two items: the pair's correlation. Negative, one of them is reversed, but the data
      cannot tell which (or one item is misplaced): the one worded against the block, else
      the second, is reverse-keyed as a ``guess``.
    * Negated wording ("not", "unhelpful", ``negation:`` in the vocabulary) that the
      answers do not confirm: flagged as a ``guess`` to check (``reverse: false`` with the
      reason), not reverse-keyed: the wording alone cannot tell "The gym is unsafe" (a
      risk, keyed as its block) from "Staff are unhelpful" (reversed).
    * Wording naming a small sacrifice ("I feel calm" in the emotional block, "I feel safe"
      in risk) says the item is reversed: the only item of its block is reverse-keyed as a
      guess; in a larger block the answers decide as above.
    """
    out = {}
    members: dict[tuple, list[str]] = {}
    for col, g in blocks.items():
        if g.value[0] in ("benefit", "sacrifice"):
            members.setdefault(g.value, []).append(col)
    if len(frame_num) > _SAMPLE_ROWS:  # correlations are as clear on a sample of rows, and much faster
        frame_num = frame_num.sample(_SAMPLE_ROWS, random_state=0)
    for block, cols in members.items():
        words = {c: readings[c].against for c in cols if c in readings and readings[c].against}
        X = frame_num[cols].copy()
        rs: dict[str, float | None] = {}
        if len(cols) == 2:
            rs = _reverse_pair(X, cols, block, words, out)
        elif len(cols) >= 3:
            rs = _reverse_block(X, cols, block, words, out)
        for col, why in words.items():  # worded against the block, not confirmed by the answers
            if col not in out:
                out[col] = _worded_against(col, why, cols, rs.get(col), block, readings[col].relief)
    return out


def _reverse_pair(X: pd.DataFrame, cols: list[str], block: tuple, words: dict, out: dict) -> dict:
    """Two items: a negative correlation says one is reversed; the one worded against the
    block (else the second) is reverse-keyed as a guess. Returns each item's r."""
    a, b = cols
    r = _item_rest(X, a)  # with two items the rest is the other item: their correlation
    if r is not None and r < 0:
        pick = a if (a in words and b not in words) else b
        if len(words) == 1:
            why = f"{words[pick]}, the other's not"
        else:
            why = f"{'both' if words else 'neither'} worded against the block: the second taken"
        out[pick] = Guess(True, 0.4, f"r = {r:.2f} between {a} and {b}, the two items of {block[1]}: one of "
                                     f"them is reversed (or misplaced), the answers cannot tell which; {why}")
    return {a: r, b: r}


def _reverse_block(X: pd.DataFrame, cols: list[str], block: tuple, words: dict, out: dict) -> dict:
    """Three items or more: flip the item with the most negative item-rest correlation and look
    again (at most half the items). Returns each item's last item-rest r."""
    flipped: dict[str, float] = {}
    while True:  # flip the most negative item, then look again with it flipped
        rs = {col: _item_rest(X, col) for col in cols}
        known = {c: r for c, r in rs.items() if r is not None}
        worst = min(known, key=known.get) if known else None
        if worst is None or known[worst] >= 0 or worst in flipped or len(flipped) >= len(cols) // 2:
            break
        flipped[worst] = known[worst]
        X[worst] = -X[worst]
    for col, r in flipped.items():
        out[col] = Guess(True, 0.9 if r < -0.2 else 0.6,
                         f"item-rest r = {r:.2f} in {block[1]}" + (f"; {words[col]}" if col in words else ""))
    return rs


def _worded_against(col: str, why: str, cols: list[str], r: float | None, block: tuple, relief: bool) -> Guess:
    """An item worded against its block that the answers did not reverse: the only item of its
    block worded as a small sacrifice is reverse-keyed; anything else is flagged to check."""
    if len(cols) == 1 and relief:
        return Guess(True, 0.4, f"{why}: reverse-keyed from its wording; the only item of {block[1]}, "
                                "so its answers cannot confirm it")
    if len(cols) == 1:
        data = f"the only item of {block[1]}, so its answers cannot tell"
    elif r is None:
        data = "too few answers to tell"
    else:
        data = (f"its answers go with the rest of {block[1]} (" + ("r" if len(cols) == 2 else "item-rest r")
                + f" = {r:.2f}), so not reversed")
    return Guess(False, 0.4, f"{why}; {data}: check whether it is reverse-keyed")


# -- the whole draft ----------------------------------------------------------------------

def _missing_reason(common_codes: list, code_counts: pd.Series) -> str:
    """Why the common missing codes were chosen: in how many columns each stands apart."""
    if not common_codes:
        return ""
    return ("codes standing apart from the scale or labelled don't-know in "
            + ", ".join(f"{int(code_counts[c])} columns ({c:g})" for c in common_codes))


def _roles(frame: pd.DataFrame, numeric: dict) -> tuple:
    """The guesses for the respondent id, the weight and the completion time (each None when
    no column fits), each column taken by one role at most."""
    id_guess = _find_id(frame, numeric)
    taken = {id_guess.value} if id_guess else set()
    weight = _find_numeric_role(frame, numeric, "weight", taken)
    taken |= {weight.value} if weight else set()
    duration = _find_numeric_role(frame, numeric, "completion_time", taken)
    return id_guess, weight, duration


def _sort_numeric(tallies: dict, info, text: dict) -> tuple[dict, dict, dict, dict]:
    """The numeric columns no role took (their :func:`_answer_counts`), sorted into groupings (a few
    coded categories) and rated items: each grouping's categories, and each item's scale,
    missing codes and how the scale was told."""
    grouping = {}
    for col, (distinct, _) in tallies.items():
        found = _categories(col, distinct, info, text[col] if text[col] != str(col) else "")
        if found:
            grouping[col] = found
    scales, codes, how = {}, {}, {}
    for col, tally in tallies.items():
        if col in grouping:
            continue
        found = _scale_of(col, tally, info)
        if found:
            scales[col], codes[col], how[col] = found
    return grouping, scales, codes, how


def draft_codebook(path: str | Path, *, format: str | None = None, encoding: str = "auto", sep: str | None = None,
                   decimal: str | None = None, sheet=None) -> Draft:
    """Draft a codebook for a survey export (see the module's description).

    Returns
    -------
    Draft
        ``.to_yaml()`` is the commented codebook; ``.problems()`` what keeps it from
        loading; ``.skeleton`` whether nothing could be placed for want of question text;
        the decisions are in its attributes.
    """
    frame, info = read_survey_file(path, format=format, encoding=encoding, sep=sep, decimal=decimal, sheet=sheet)
    if len(frame) == 0:
        raise ValueError(f"{Path(path).name}: no data rows to draft a codebook from")
    numeric = {col: x for col in frame.columns for x in [_numeric(frame[col])]
               if x.notna().sum() >= 0.5 * frame[col].notna().sum() and x.notna().any()}
    id_guess, weight, duration = _roles(frame, numeric)
    taken = {g.value for g in (id_guess, weight, duration) if g}
    text = {col: (info.question_text.get(col) or str(col)).strip() for col in frame.columns}
    tallies = _unclaimed_counts(numeric, taken)
    grouping, scales, codes, how = _sort_numeric(tallies, info, text)
    instruments, asked = _instruments(frame, numeric, taken, text, info, (tallies, grouping, scales, codes, how))
    common, scale_reason, scale_notes, common_codes, code_counts = _common_scale(numeric, tallies, scales, codes,
                                                                                 how)
    worded = any(text[c] != str(c) for c in scales)
    draft = Draft(
        source=info.path, columns=list(frame.columns), id=id_guess, completion_time=duration, weight=weight,
        scale=common, scale_reason=scale_reason, scale_notes=scale_notes,
        missing_codes=[c for c in common_codes if not common[0] <= c <= common[1]],
        missing_reason=_missing_reason(common_codes, code_counts),
        text=text, item_scale=scales, item_codes=codes, worded=worded,
        values=_file_value_labels(info, scales), instruments=instruments,
    )
    sources = [text[c] if worded else _name_text(c) for c in scales if not worded or text[c] != str(c)]
    draft.language = _file_language(sources)
    readings = _place_columns(frame, draft, numeric, taken | asked, grouping, scales, text, worded)
    frame_num = pd.DataFrame({c: numeric[c].where(~numeric[c].isin(codes.get(c, []))) for c in draft.blocks})
    _check_directions(draft, frame_num, readings)
    draft.reverse = _reverse_checks(frame_num, draft.blocks, readings)
    _check_survey(draft, len(scales))
    draft.facets = _propose_facets(draft.blocks, text, {c: rd.language for c, rd in readings.items()})
    return draft


def _instruments(frame, numeric, taken, text, info, tables) -> tuple[list[Found], set]:
    """The pricing and Kano questions, and their columns, taken out of ``tables`` (the tallies,
    groupings, scales, codes and how each scale was told): no such column is a rated item."""
    codes = tables[3]  # the rated columns' missing codes
    instruments = find_instruments(frame, numeric, taken, text, info, codes, TYPICAL_CODES)
    asked = {col for found in instruments for col in found.why}
    for table in tables:
        for col in asked & set(table):
            del table[col]
    return instruments, asked


def _fit_common(tallies: dict, scales: dict, how: dict, common: tuple) -> tuple:
    """The common scale, after a 0-10 scale nobody answered 0 on is read as 1-10, and every
    item whose answers fit inside it (and have no value labels or scale of their own) is
    given it (``scales`` is updated)."""
    if common == (0.0, 10.0) and all(0.0 not in tallies[c][0] for c in scales if scales[c] == common):
        scales.update({c: (1.0, 10.0) for c in scales if scales[c] == common})
        common = (1.0, 10.0)
    for col, (lo, hi) in list(scales.items()):
        if lo >= common[0] and hi <= common[1] and how[col] != "value labels" and not _own_scale(tallies[col], lo, hi):
            scales[col] = common
    return common


class _Answers(dict):
    """Each rated column's answers that are neither blank nor one of its codes: ``[col]`` on
    their rows' labels, made when first asked for (only the check of a top answer standing
    apart needs the rows); ``tally(col)`` their distinct values and counts."""

    def __init__(self, numeric: dict, tallies: dict, codes: dict):
        super().__init__()
        self.numeric, self.tallies, self.codes = numeric, tallies, codes

    def __missing__(self, col: str) -> pd.Series:
        x = self.numeric[col]
        values = x.to_numpy(dtype=float)
        keep = ~np.isnan(values)
        if self.codes[col]:
            keep &= ~np.isin(values, self.codes[col])
        self[col] = answers = pd.Series(values[keep], index=x.index[keep], name=x.name)
        return answers

    def tally(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        distinct, counts = self.tallies[col]
        keep = ~np.isin(distinct, self.codes[col])
        return distinct[keep], counts[keep]


def _common_scale(numeric: dict, tallies: dict, scales: dict, codes: dict, how: dict):
    """The common scale: the one most rated columns use (an item whose answers fit inside it
    has it; ``scales`` is updated), why it was chosen, notes on items with a scale of their
    own, and the missing codes most columns share (with their counts)."""
    counts = pd.Series([s for s in scales.values()]).value_counts() if scales else pd.Series(dtype=int)
    common = _fit_common(tallies, scales, how, counts.index[0] if len(counts) else (1.0, 5.0))
    code_counts = pd.Series([c for cs in codes.values() for c in cs]).value_counts()
    common_codes = sorted(float(c) for c, n in code_counts.items() if n >= max(1, 0.2 * len(codes)))
    answers = _Answers(numeric, tallies, codes)
    on_common = [c for c in scales if scales[c] == common and how[c] != "value labels"]
    used = int(counts.iloc[0]) if len(counts) else 0
    scale_reason = f"{used} of {len(scales)} rated columns use {common[0]:g}-{common[1]:g}"
    note = _scale_note(answers, on_common, common)
    if note:
        scale_reason = f"guess: {used} of {len(scales)} rated columns fit {common[0]:g}-{common[1]:g}; {note}"
    elif on_common:
        scale_reason += ", every point answered"
    notes = {col: _scale_note(answers, [col], sc) for col, sc in scales.items()
             if sc != common and how[col] != "value labels"}
    scale_notes = {col: "guess: " + note for col, note in notes.items() if note}
    return common, scale_reason, scale_notes, common_codes, code_counts


def _place_columns(frame: pd.DataFrame, draft: "Draft", numeric: dict, taken: set, grouping: dict, scales: dict,
                   text: dict, worded: bool) -> dict:
    """Each column not taken by a role: context (categories), a block of the value model
    (read from its question text or name), or other, with the reason; into ``draft``.
    Returns the readings of the columns placed in a block."""
    readings: dict[str, _Reading] = {}
    for col in frame.columns:
        if col in taken:
            continue
        if col in grouping:
            draft.context[col] = grouping[col]
        elif col in scales:
            lo, hi = scales[col]
            rating = f"a rating ({lo:g}-{hi:g})"
            if worded and text[col] == str(col):  # in a file with question text, a column without it is
                draft.other[col] = (f"{rating} without question text (its name is not read where the "  # an extra
                                    "other columns have theirs)")
                continue
            reading = _read_column(col, text[col], draft.language)
            if reading.guess is not None:
                draft.blocks[col], readings[col] = reading.guess, reading
            elif reading.why_not:
                draft.other[col] = f"{rating}, not placed: {reading.why_not}"
            elif text[col] != str(col):
                draft.other[col] = f"{rating}, but its wording matches no dimension, sacrifice or outcome"
            else:
                draft.other[col] = f"{rating}; its name says nothing of what was asked (no question text in the file)"
        elif col in numeric:
            draft.other[col] = "numeric, not a rating scale"
        else:
            values = frame[col].dropna().astype("string").str.strip()
            distinct = values.nunique()
            if 2 <= distinct <= 12 and len(values) >= 0.5 * len(frame):
                draft.context[col] = Guess("situation", 0.5, f"text with {distinct} categories")
            else:
                draft.unassigned[col] = (f"text with {distinct:,} distinct values" if distinct
                                         else "empty column")
    return readings


def draft_quality(draft: Draft, truth: Codebook, *, rename: dict[str, str] | None = None) -> dict:
    """How much of a known codebook the draft found: shares of items in the right block, of
    scales and of missing codes (``rename`` maps ``truth``'s columns to the export's)."""
    # complex: five shares side by side, each one comprehension over the rated items
    rename = rename or {}
    back = {c: rename.get(c, c) for c in truth.columns()}  # truth's column -> the export's
    rated = [c for c, i in truth.items.items() if i.role in ("benefit", "sacrifice", "outcome")]

    def truth_block(col):
        item = truth.items[col]
        return (item.role, item.block)  # an outcome's block is its name

    def in_right_block(c):
        return back.get(c, c) in draft.blocks and draft.blocks[back.get(c, c)].value == truth_block(c)

    placed = sum(1 for c in rated if in_right_block(c))
    scale_ok = sum(1 for c in rated if draft.scale_of(back.get(c, c)) == (truth.items[c].scale.min,
                                                                           truth.items[c].scale.max))
    # facets: of the benefit and sacrifice items placed in the right block, the share given the
    # codebook's facet (or, where the codebook has none, given none)
    right = [c for c in rated if truth.items[c].role in ("benefit", "sacrifice") and in_right_block(c)]
    facet_ok = sum(1 for c in right if (draft.facets[back.get(c, c)].value if back.get(c, c) in draft.facets
                                        else None) == truth.items[c].facet)
    codes_ok = sum(1 for c in rated if back.get(c, c) in draft.item_scale
                   and draft.codes_of(back.get(c, c)) == sorted(truth.items[c].missing_codes))
    return {"items": len(rated), "blocks": placed / len(rated), "scales": scale_ok / len(rated),
            "missing_codes": codes_ok / len(rated), "facets": facet_ok / len(right) if right else float("nan"),
            "id": (draft.id.value if draft.id else None) == (back.get(truth.id, truth.id) if truth.id else None)}


def _truth_of(value, key: str) -> set:
    """A column's right placement(s), as a set of ('benefit', 'economic'), 'context', 'none'."""
    values = value if isinstance(value, (list, tuple)) else [value]
    out = set()
    for v in values:
        if v in ("none", "context"):
            out.add(v)
            continue
        role, _, block = str(v).partition(".")
        known = {"benefit": DIMENSIONS, "sacrifice": SACRIFICES, "outcome": OUTCOMES}
        if role not in known or block not in known[role]:
            raise ValueError(f"truth for {key}: expected 'none', 'context' or a block such as 'benefit.economic' "
                             f"or 'outcome.satisfaction', got {v!r}")
        out.add((role, block))
    if not out:
        raise ValueError(f"truth for {key}: empty")
    return out


def calibration(results: Iterable[tuple[Draft, Mapping[str, str | Sequence[str]]]]) -> dict:
    """How far the draft's placements, and the confidence it writes beside them, can be
    trusted: measured on exports whose right placements are known.

    Parameters
    ----------
    results : iterable of (Draft, truth)
        ``truth`` maps columns of the draft's export to their right placement:
        ``"benefit.economic"``, ``"sacrifice.money"``, ``"outcome.satisfaction"``,
        ``"context"`` (a grouping column), ``"none"`` (a column that belongs to no block:
        an expectation, an importance rating, an attitude, a count), or a list of these
        where careful analysts could defend either. Columns left out are not counted.

    Returns
    -------
    dict
        ``columns``: columns counted; ``items``: those with a block among their right
        placements; ``placements``: columns the draft placed in a block; ``right``: those
        placed in a right block; ``precision`` = right / placements; ``sure``,
        ``sure_right``, ``sure_precision``: the same for the placements written ``sure``
        (confidence >= :data:`SURE`); ``coverage`` = right / items and ``sure_coverage`` =
        sure_right / items; ``by_level``: ``{"sure"|"likely"|"guess": (placements,
        right)}``; ``context``: (grouping columns drafted as context, grouping columns) and
        ``context_wrong``: other columns drafted as context; ``wrong_sure``: the wrong sure
        placements as (export, column, placed, reason).
    """
    counted = items = placements = right = sure = sure_right = 0
    by_level = {"sure": [0, 0], "likely": [0, 0], "guess": [0, 0]}
    context_found = context_total = context_wrong = 0
    wrong_sure = []
    for draft, truth in results:
        for col, value in truth.items():
            if col not in draft.columns:
                raise ValueError(f"truth for {col}: no such column in {Path(draft.source).name}")
            ok = _truth_of(value, f"{Path(draft.source).name}:{col}")
            counted += 1
            blocks = {t for t in ok if isinstance(t, tuple)}
            items += bool(blocks)
            if "context" in ok:
                context_total += 1
                context_found += col in draft.context
            elif col in draft.context:
                context_wrong += 1
            g = draft.blocks.get(col)
            if g is None:
                continue
            hit = g.value in blocks
            placements += 1
            right += hit
            by_level[g.sure][0] += 1
            by_level[g.sure][1] += hit
            if g.sure == "sure":
                sure += 1
                sure_right += hit
                if not hit:
                    wrong_sure.append((Path(draft.source).name, col, ".".join(g.value), g.reason))
    return {"columns": counted, "items": items, "placements": placements, "right": right,
            "precision": right / placements if placements else float("nan"),
            "sure": sure, "sure_right": sure_right, "sure_precision": sure_right / sure if sure else float("nan"),
            "coverage": right / items if items else float("nan"),
            "sure_coverage": sure_right / items if items else float("nan"),
            "by_level": {k: tuple(v) for k, v in by_level.items()},
            "context": (context_found, context_total), "context_wrong": context_wrong, "wrong_sure": wrong_sure}
