"""Draft a codebook from a survey export: ``valuekit init EXPORT -o codebook.yaml``.

An analyst with an export on their desk should not have to type the codebook item by
item. :func:`draft_codebook` reads any export :func:`valuekit.io.read_survey_file` reads
and proposes

* the **id** column (unique and complete; else respondents are their row number), the
  **completion time** and the survey **weight** (from the column's name and values);
* each rated item's **scale** (from its value labels, else the values it takes) and the
  **don't-know codes** (SPSS user-missing values; codes labelled "don't know", "no sabe",
  "non so"; codes standing apart from the scale such as 9, 99 or -99);
* each item's **block** — benefit dimension, sacrifice, outcome — from its question text
  (SPSS variable labels, the Qualtrics question row) in English, Spanish or Italian, with
  the theory's vocabulary (``draft_vocabulary.yaml``, data an analyst can extend); text
  columns with a few categories become context;
* **reverse-keyed** items (a negative item-rest correlation within the proposed block; in a
  two-item block a negative correlation, as a guess), and items worded against their block
  ("not", "unhelpful": the vocabulary's ``negation:``) flagged to check;
* **facets** of a dimension (and risk types) from the vocabulary's ``facets:`` words, for a
  block whose items all name one (at least two facets found); several items of one
  outcome become a multi-item outcome.

Every guess carries a confidence and a reason, written as a comment beside it in the
YAML (:meth:`Draft.to_yaml`); what cannot be placed is listed for the analyst (numeric
columns under ``other:``, so their missing codes are still audited).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .codebook import DIMENSIONS, OUTCOMES, SACRIFICES, Codebook, CodebookError
from .io import SourceInfo, read_survey_file

__all__ = ["Draft", "Guess", "draft_codebook", "draft_quality"]

_VOCABULARY = yaml.safe_load(Path(__file__).with_name("draft_vocabulary.yaml").read_text(encoding="utf-8"))

#: Codes that stand for "don't know" / "no answer" in most exports when outside the scale.
TYPICAL_CODES = (9, 97, 98, 99, 999, -1, -9, -97, -98, -99, -999)
_DK_WORDS = re.compile(r"don.?t know|not know|no answer|refus|prefer not|n/?a\b|no sab|no contest|ns/nc|"
                       r"non so|non sa|non rispond|not applicable|no aplica|non applicabile", re.I)


@dataclass
class Guess:
    """One decision of the draft: what, how sure (0-1) and why."""

    value: object
    confidence: float
    reason: str

    @property
    def sure(self) -> str:
        return "sure" if self.confidence >= 0.8 else "likely" if self.confidence >= 0.5 else "guess"

    def note(self, score: bool = False) -> str:
        """'likely (0.60): words 'precio'' -- the comment written beside the decision."""
        return f"{self.sure} ({self.confidence:.2f}): {self.reason}" if score else f"{self.sure}: {self.reason}"


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
        for section, names in (("benefits", DIMENSIONS), ("sacrifices", SACRIFICES)):
            role = section[:-1]
            blocks = {b: [c for c, g in self.blocks.items() if g.value == (role, b)] for b in names}
            blocks = {b: self._with_facets(cols) for b, cols in blocks.items() if cols}
            if blocks:
                spec[section] = blocks
        outcomes = {}
        for name in OUTCOMES:
            cols = [c for c, g in self.blocks.items() if g.value == ("outcome", name)]
            if cols:  # several items proposed for one outcome: a multi-item outcome, scored as their mean
                outcomes[name] = cols if len(cols) > 1 else cols[0]
        if outcomes:
            spec["outcomes"] = outcomes
        if self.context:
            groups: dict[str, list[str]] = {}
            for col, g in self.context.items():
                groups.setdefault(g.value, []).append(col)
            spec["context"] = groups
        other = list(self.other)
        if other:
            spec["other"] = other
        items = {}
        for col in self.columns:
            attrs = {}
            if col in self.text and self.text[col] != col:
                attrs["text"] = self.text[col]
            if col in self.item_scale and tuple(self.item_scale[col]) != tuple(self.scale):
                attrs["scale"] = {"min": _num(self.item_scale[col][0]), "max": _num(self.item_scale[col][1])}
            codes = self.codes_of(col)
            if (col in self.item_codes or col in self.other) and codes != sorted(self.missing_codes):
                attrs["missing_codes"] = [_num(c) for c in codes]
            if col in self.reverse:  # reverse-keyed, or worded against its block: false, to check
                attrs["reverse"] = bool(self.reverse[col].value)
            placed = col in self.blocks or col in other
            if attrs and placed:
                items[col] = attrs
        if items:
            spec["items"] = items
        return spec

    def problems(self) -> list[str]:
        """What keeps the draft from loading as a codebook (empty when it loads)."""
        try:
            Codebook.from_dict(self.to_dict(), source=Path(self.source).name)
        except CodebookError as err:
            return str(err).splitlines()
        return []

    def to_yaml(self) -> str:
        """The codebook draft as YAML, every guess commented with how sure it is and why."""
        spec = self.to_dict()
        lines = [f"# Codebook drafted by `valuekit init` from {Path(self.source).name}.",
                 "# Every decision below says how sure it is and why: 'sure', 'likely' or 'guess'.",
                 "# Check the guesses, move what is misplaced, then run `valuekit audit` with it.", ""]

        def comment(text: str) -> str:
            return "  # " + text.replace("\n", " ") if text else ""

        def scalar(v) -> str:
            return yaml.safe_dump(v, default_flow_style=True, allow_unicode=True, width=10_000,
                                  sort_keys=False).strip().removesuffix(
                "\n...").strip()

        lines.append(f"name: {scalar(spec['name'])}")
        if self.id is not None:
            lines.append(f"id: {scalar(self.id.value)}{comment(self.id.note())}")
        else:
            lines.append("# id: none found (no column is unique and complete): respondents are their row number")
        lines.append(f"scale: {scalar(spec['scale'])}{comment(self.scale_reason)}")
        if "missing_codes" in spec:
            lines.append(f"missing_codes: {scalar(spec['missing_codes'])}{comment(self.missing_reason)}")
        for key in ("weight", "completion_time"):
            g = getattr(self, key)
            if g is not None:
                lines.append(f"{key}: {scalar(g.value)}{comment(g.note())}")
        for section in ("benefits", "sacrifices"):
            if section not in spec:
                lines.append(f"# {section}: none recognised in the question text; place the items yourself"
                             + ("" if section == "benefits" else " (a benefits-only survey needs none)"))
                continue
            lines.append(f"{section}:")
            for block, cols in spec[section].items():
                lines.append(f"  {block}:")
                if isinstance(cols, dict):  # facets, proposed from the wording
                    for facet, members in cols.items():
                        lines.append(f"    {facet}:")
                        for col in members:
                            why = f"{self.blocks[col].note(score=True)}; {self.facets[col].note()}"
                            lines.append(f"      - {scalar(col)}{comment(why)}")
                    continue
                for col in cols:
                    lines.append(f"    - {scalar(col)}{comment(self.blocks[col].note(score=True))}")
        if "outcomes" in spec:
            lines.append("outcomes:")
            for name, cols in spec["outcomes"].items():
                if isinstance(cols, str):
                    lines.append(f"  {name}: {scalar(cols)}{comment(self.blocks[cols].note(score=True))}")
                    continue
                lines.append(f"  {name}:  # several items: scored as their mean")
                for col in cols:
                    lines.append(f"    - {scalar(col)}{comment(self.blocks[col].note(score=True))}")
        if "context" in spec:
            lines.append("context:")
            for group, cols in spec["context"].items():
                lines.append(f"  {group}:")
                for col in cols:
                    lines.append(f"    - {scalar(col)}{comment(self.context[col].note())}")
        if "other" in spec:
            lines.append("other:  # numeric columns not placed above: audited for missing codes; move them if they belong")
            for col in spec["other"]:
                why = self.other[col]
                lines.append(f"  - {scalar(col)}{comment(why)}")
        if "items" in spec:
            lines.append("items:")
            for col, attrs in spec["items"].items():
                lines.append(f"  {scalar(col)}:")
                for key, value in attrs.items():
                    note = ""
                    if key == "reverse":
                        note = comment(self.reverse[col].note())
                    elif key == "scale" and col in self.scale_notes:
                        note = comment(self.scale_notes[col])
                    lines.append(f"    {key}: {scalar(value)}{note}")
        if self.unassigned:
            lines.append("")
            lines.append("# unassigned: columns the draft could not place (not read by valuekit until you place them)")
            for col, why in self.unassigned.items():
                lines.append(f"#   - {col}: {why}")
        left = self.problems()
        if left:
            lines.append("")
            lines.append("# Decisions left before this codebook loads:")
            lines.extend(f"#   {p.strip()}" for p in left)
        return "\n".join(lines) + "\n"


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
            x = numeric[col]
            if x.notna().all() and not np.allclose(x, np.round(x)):
                continue  # a float column is a weight or a time, not an id
            blank, repeated = int(x.isna().sum()), int(x.dropna().duplicated().sum())
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


def _run_of(values: np.ndarray) -> tuple[float, float]:
    """The main run of a column's whole values: consecutive values holding the most answers,
    leaving out values at its ends given by almost nobody (a stray 11 on a 0-10 item)."""
    distinct, counts = np.unique(values, return_counts=True)
    keep = counts >= max(2, 0.002 * values.size)
    distinct, counts = (distinct[keep], counts[keep]) if keep.any() else (distinct, counts)
    groups, start = [], 0
    for i in range(1, len(distinct) + 1):
        if i == len(distinct) or distinct[i] - distinct[i - 1] > 1:
            groups.append((counts[start:i].sum(), distinct[start], distinct[i - 1]))
            start = i
    _, lo, hi = max(groups)
    return float(lo), float(hi)


def _snap(lo: float, hi: float) -> tuple[float, float]:
    """The first common answer scale that holds a run of answers, else the run itself."""
    for a, b in SCALES:
        if a <= lo and hi <= b and (hi - lo) >= 0.5 * (b - a):
            return float(a), float(b)
    return lo, hi


def _labels_scale(labels: dict) -> tuple[tuple[float, float] | None, list[float]]:
    """(scale, don't-know codes) from SPSS value labels."""
    dk = [float(k) for k, v in labels.items() if _DK_WORDS.search(str(v))]
    rest = [float(k) for k in labels if float(k) not in dk]
    return ((min(rest), max(rest)) if len(rest) >= 2 else None), dk


def _scale_of(col: str, x: pd.Series, info: SourceInfo) -> tuple[tuple[float, float], list[float], str] | None:
    """An item's scale and missing codes, or None when the column is not a rating."""
    values = x.dropna().to_numpy()
    if values.size == 0 or not np.allclose(values, np.round(values)):
        return None
    codes = set()
    for lo, hi in info.user_missing.get(col, ()):
        codes |= {float(v) for v in np.unique(values) if lo <= v <= hi}
    labelled, dk = _labels_scale(info.value_labels.get(col, {})) if col in info.value_labels else (None, [])
    codes |= set(dk)
    rest = values[~np.isin(values, list(codes))] if codes else values
    if rest.size == 0:
        return None
    lo, hi = labelled if labelled else _snap(*_run_of(rest))
    if hi - lo < 2 or hi - lo > 20:  # a yes/no or a count, not a rating scale
        return None
    distinct, counts = np.unique(rest, return_counts=True)
    outside = [(float(v), int(k)) for v, k in zip(distinct, counts) if v < lo or v > hi]
    for v, k in outside:  # a code is a usual one, or stands apart and is used often; a rare 44 is a typo
        gap = min(abs(v - lo), abs(v - hi))
        if v in TYPICAL_CODES or (gap >= 2 and k >= max(3, 0.01 * values.size)):
            codes.add(v)
    strays = [v for v, _ in outside if v not in codes]  # out of range: left for the audit to flag
    if len(strays) > 3:
        return None
    why = "value labels" if labelled else f"answers {lo:g}-{hi:g}"
    return (lo, hi), sorted(codes), why


def _rounded_up(answers: dict[str, pd.Series], cols: list[str], scale: tuple[float, float]) -> str:
    """Why ``scale`` is a guess for ``cols``: it was rounded out to a usual scale whose end
    value(s) none of their answers hold (empty when every end is used). When, besides, the
    highest answer stands apart from the scale below it (:func:`_stands_apart`) and that
    scale is a usual one, it may be a don't-know coded after the scale, as Qualtrics numbers
    "Don't know" next to the last point: suggested in the comment, not applied."""
    held = pd.concat([answers[c] for c in cols]) if cols else pd.Series(dtype=float)
    if held.empty:
        return ""
    lo, hi = scale
    low, high = float(held.min()), float(held.max())
    if low <= lo and high >= hi:
        return ""
    ends = [f"{v:g}" for v in (lo, hi) if not (held == v).any()]
    text = (f"but {'no column holds' if len(cols) > 1 else 'no answer is'} {' or '.join(ends)} "
            f"(answers {low:g}-{high:g}): rounded out to a usual scale; check the questionnaire")
    below = high - 1
    if high < hi and (lo, below) in {(float(a), float(b)) for a, b in SCALES}:
        apart, testable, share = _stands_apart(answers, cols, below, high)
        if apart:
            text += (f". Those answering {high:g} ({100 * share:.0f} % of answers) rate the most related item lower "
                     f"than those answering {below:g}, in {apart} of {testable} columns: not the top of a scale but "
                     f"a don't-know coded after a {lo:g}-{below:g} scale (Qualtrics numbers 'Don't know' next to "
                     f"the last point)? If so: scale {{min: {lo:g}, max: {below:g}}} and missing_codes: [{high:g}]")
    return text


def _stands_apart(answers: dict[str, pd.Series], cols: list[str], below: float, high: float) -> tuple[int, int, float]:
    """Whether the answer ``high`` behaves as a code rather than a scale point: (columns where
    it stands apart, columns tested, its share of the answers); (0, n, share) when it does not.

    A respondent answering the top of a scale rates related items at least as high as one
    answering the point below; a don't-know answer says nothing of the sort. For each
    column, the other column it correlates with best (r >= 0.3 on the answers up to
    ``below``) is compared between those who answered ``high`` and ``below`` (at least 10
    each). The answer stands apart when the related item is rated lower after ``high`` in
    at least two columns and two thirds of those tested."""
    frame = pd.DataFrame({c: answers[c] for c in cols})
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


# -- placing items by their wording ------------------------------------------------------

def _compiled(entry) -> tuple[str, float, re.Pattern]:
    """A vocabulary entry (``word`` or ``[phrase, weight]``) as (word, weight, pattern)."""
    word, weight = (entry, 1.0) if isinstance(entry, str) else (entry[0], float(entry[1]))
    stem = _norm(word).removesuffix("*")
    tail = "" if word.endswith("*") else r"($|[^a-z])"  # a word ending in * takes any ending
    return word.rstrip("*"), weight, re.compile(rf"(^|[^a-z]){re.escape(stem)}{tail}")


def _patterns() -> list[tuple[tuple[str, str], str, float, re.Pattern]]:
    """The vocabulary as (block, word, weight, pattern), compiled once."""
    return [((role, block), *_compiled(entry))
            for role, blocks in _VOCABULARY["blocks"].items() for block, words in blocks.items() for entry in words]


_PATTERNS = _patterns()


def _facet_patterns() -> dict[str, list[tuple[str, str, float, re.Pattern]]]:
    """The facet vocabulary as block -> [(facet, word, weight, pattern)], compiled once."""
    return {block: [(facet, *_compiled(entry)) for facet, words in facets.items() for entry in words]
            for block, facets in (_VOCABULARY.get("facets") or {}).items()}


_FACETS = _facet_patterns()


def _facet_of(block: str, text: str) -> tuple[str, str] | None:
    """The facet of ``block`` whose words ``text`` matches best, with the words; None if none
    matches or two tie."""
    norm = _norm(text)
    scores: dict[str, float] = {}
    hits: dict[str, list[str]] = {}
    for facet, word, weight, pattern in _FACETS.get(block, []):
        if pattern.search(norm):
            scores[facet] = scores.get(facet, 0.0) + weight
            hits.setdefault(facet, []).append(word)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0], ", ".join(f"'{h}'" for h in dict.fromkeys(hits[ranked[0][0]]))


def _propose_facets(blocks: dict[str, "Guess"], text: dict[str, str]) -> dict[str, "Guess"]:
    """Facets for the items of each benefit dimension and of risk, where the wording of every
    item of the block (two or more) names one and at least two facets are found."""
    members: dict[str, list[str]] = {}
    for col, g in blocks.items():
        if g.value[0] in ("benefit", "sacrifice") and g.value[1] in _FACETS:
            members.setdefault(g.value[1], []).append(col)
    out = {}
    for block, cols in members.items():
        found = {c: _facet_of(block, text.get(c, "")) for c in cols}
        if len(cols) < 2 or None in found.values() or len({f for f, _ in found.values()}) < 2:
            continue
        for col, (facet, words) in found.items():
            out[col] = Guess(facet, 0.6, f"facet {facet}: words {words}")
    return out


def _block_of(text: str) -> Guess | None:
    """The block whose vocabulary the question text matches best."""
    norm = _norm(text)
    scores: dict[tuple[str, str], float] = {}
    hits: dict[tuple[str, str], list[str]] = {}
    for key, word, weight, pattern in _PATTERNS:
        if pattern.search(norm):
            scores[key] = scores.get(key, 0.0) + weight
            hits.setdefault(key, []).append(word)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), second = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    confidence = max(0.2, min(0.95, 0.45 + 0.25 * (top - second) + 0.1 * min(top, 2)))
    reason = "words " + ", ".join(f"'{h}'" for h in dict.fromkeys(hits[best]))
    if len(ranked) > 1:
        other = ranked[1][0]
        reason += f"; also {other[1]} ({', '.join(dict.fromkeys(hits[other]))})"
    return Guess(best, round(confidence, 2), reason)


_NEGATIONS = [_compiled(entry) for entry in _VOCABULARY.get("negation") or []]


def _negated(text: str) -> list[str]:
    """The negating words of an item's text (the vocabulary's ``negation:``), in order."""
    norm = re.sub(r"n[\'’]t\b", " not", _norm(text))  # don't, isn't -> do not, is not
    return [word for word, _, pattern in _NEGATIONS if pattern.search(norm)]


def _item_rest(X: pd.DataFrame, col: str) -> float | None:
    """The correlation of an item with the mean of the other items (None: too few answers)."""
    rest = X.drop(columns=col).mean(axis=1)
    ok = X[col].notna() & rest.notna()
    if ok.sum() < 10 or X[col][ok].std() == 0 or rest[ok].std() == 0:
        return None
    return float(np.corrcoef(X[col][ok], rest[ok])[0, 1])


def _reverse_checks(frame_num: pd.DataFrame, blocks: dict[str, Guess], text: dict[str, str]) -> dict[str, Guess]:
    """Reverse keys, from the answers within each proposed block and from the wording.

    * Three items or more: the item with the most negative item-rest correlation is
      flipped and the block looked at again (at most half its items), ``sure`` below
      r = -0.2.
    * Two items: the pair's correlation. Negative, one of them is reversed, but the data
      cannot tell which (or one item is misplaced): the one with negated wording, else
      the second, is reverse-keyed as a ``guess``.
    * Negated wording ("not", "unhelpful", ``negation:`` in the vocabulary) that the
      answers do not confirm: flagged as a ``guess`` to check (``reverse: false`` with the
      reason), not reverse-keyed: the wording alone cannot tell "The gym is unsafe" (a
      risk, keyed as its block) from "Staff are unhelpful" (reversed).
    """
    out = {}
    members: dict[tuple, list[str]] = {}
    for col, g in blocks.items():
        if g.value[0] in ("benefit", "sacrifice"):
            members.setdefault(g.value, []).append(col)
    for block, cols in members.items():
        negated = {c: _negated(text.get(c, "")) for c in cols}
        words = {c: "negated wording (" + ", ".join(f"'{w}'" for w in negated[c]) + ")" for c in cols if negated[c]}
        X = frame_num[cols].copy()
        rs: dict[str, float | None] = {}
        if len(cols) == 2:
            a, b = cols
            r = _item_rest(X, a)  # with two items the rest is the other item: their correlation
            rs = {a: r, b: r}
            if r is not None and r < 0:
                pick = a if (a in words and b not in words) else b
                if len(words) == 1:
                    why = f"{words[pick]}, the other's not"
                else:
                    why = f"{'both' if words else 'neither'} worded against the block: the second taken"
                out[pick] = Guess(True, 0.4, f"r = {r:.2f} between {a} and {b}, the two items of {block[1]}: one of "
                                             f"them is reversed (or misplaced), the answers cannot tell which; {why}")
        elif len(cols) >= 3:
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
        for col, why in words.items():  # worded against the block, not confirmed by the answers
            if col in out:
                continue
            r = rs.get(col)
            if len(cols) == 1:
                data = f"the only item of {block[1]}, so its answers cannot tell"
            elif r is None:
                data = "too few answers to tell"
            else:
                data = (f"its answers go with the rest of {block[1]} (" + ("r" if len(cols) == 2 else "item-rest r")
                        + f" = {r:.2f}), so not reversed")
            out[col] = Guess(False, 0.4, f"{why}; {data}: check whether it is reverse-keyed")
    return out


# -- the whole draft ----------------------------------------------------------------------

def draft_codebook(path: str | Path, *, format: str | None = None, encoding: str = "auto", sep: str | None = None,
                   decimal: str | None = None, sheet=None) -> Draft:
    """Draft a codebook for a survey export (see the module's description).

    Returns
    -------
    Draft
        ``.to_yaml()`` is the commented codebook; ``.problems()`` what keeps it from
        loading; the decisions are in its attributes.
    """
    frame, info = read_survey_file(path, format=format, encoding=encoding, sep=sep, decimal=decimal, sheet=sheet)
    if len(frame) == 0:
        raise ValueError(f"{Path(path).name}: no data rows to draft a codebook from")
    numeric = {}
    for col in frame.columns:
        x = _numeric(frame[col])
        if x.notna().sum() >= 0.5 * frame[col].notna().sum() and x.notna().any():
            numeric[col] = x
    id_guess = _find_id(frame, numeric)
    taken = {id_guess.value} if id_guess else set()
    weight = _find_numeric_role(frame, numeric, "weight", taken)
    taken |= {weight.value} if weight else set()
    duration = _find_numeric_role(frame, numeric, "completion_time", taken)
    taken |= {duration.value} if duration else set()

    text = {col: (info.question_text.get(col) or str(col)).strip() for col in frame.columns}
    scales, codes, how = {}, {}, {}
    for col, x in numeric.items():
        if col in taken:
            continue
        found = _scale_of(col, x, info)
        if found:
            scales[col], codes[col], how[col] = found
    # the common scale: the one most items use; an item whose answers fit inside it has it
    counts = pd.Series([s for s in scales.values()]).value_counts() if scales else pd.Series(dtype=int)
    common = counts.index[0] if len(counts) else (1.0, 5.0)
    if common == (0.0, 10.0) and all(not (numeric[c] == 0).any() for c in scales if scales[c] == common):
        scales.update({c: (1.0, 10.0) for c in scales if scales[c] == common})
        common = (1.0, 10.0)
    for col, (lo, hi) in list(scales.items()):
        if lo >= common[0] and hi <= common[1] and how[col] != "value labels":
            scales[col] = common
    code_counts = pd.Series([c for cs in codes.values() for c in cs]).value_counts()
    common_codes = sorted(float(c) for c, n in code_counts.items() if n >= max(1, 0.2 * len(codes)))
    answers = {c: numeric[c][~numeric[c].isin(codes[c])].dropna() for c in scales}
    on_common = [c for c in scales if scales[c] == common and how[c] != "value labels"]
    scale_reason = f"{int(counts.iloc[0]) if len(counts) else 0} of {len(scales)} rated columns use " \
                   f"{common[0]:g}-{common[1]:g}"
    rounded = _rounded_up(answers, on_common, common)
    if rounded:
        scale_reason = f"guess: {int(counts.iloc[0])} of {len(scales)} rated columns fit {common[0]:g}-{common[1]:g}; " \
                       + rounded
    scale_notes = {}
    for col, sc in scales.items():
        note = _rounded_up(answers, [col], sc) if sc != common and how[col] != "value labels" else ""
        if note:
            scale_notes[col] = "guess: " + note
    draft = Draft(
        source=info.path, columns=list(frame.columns), id=id_guess, completion_time=duration, weight=weight,
        scale=common, scale_reason=scale_reason, scale_notes=scale_notes,
        missing_codes=[c for c in common_codes if not common[0] <= c <= common[1]],
        missing_reason=("codes standing apart from the scale or labelled don't-know in "
                        + ", ".join(f"{int(code_counts[c])} columns ({c:g})" for c in common_codes))
        if common_codes else "",
        text=text, item_scale=scales, item_codes=codes,
    )
    for col in frame.columns:
        if col in taken:
            continue
        if col in scales:
            worded = text[col] != str(col)
            guess = _block_of(text[col] if worded else re.sub(r"[_\W\d]+", " ", str(col)))
            if guess is not None and not worded:  # a name is thinner evidence than a question
                guess = Guess(guess.value, round(min(guess.confidence, 0.6), 2), f"column name: {guess.reason}")
            if guess is None:
                draft.other[col] = ("a rating, but its wording matches no dimension, sacrifice or outcome"
                                    if worded else "a rating whose name matches no dimension, sacrifice or "
                                                   "outcome (no question text in the file)")
            else:
                draft.blocks[col] = guess
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
    frame_num = pd.DataFrame({c: numeric[c].where(~numeric[c].isin(codes.get(c, []))) for c in draft.blocks})
    draft.reverse = _reverse_checks(frame_num, draft.blocks, text)
    draft.facets = _propose_facets(draft.blocks, text)
    return draft


def draft_quality(draft: Draft, truth: Codebook, *, rename: dict[str, str] | None = None) -> dict:
    """How much of a known codebook the draft found: shares of items in the right block, of
    scales and of missing codes (``rename`` maps ``truth``'s columns to the export's)."""
    rename = rename or {}
    back = {c: rename.get(c, c) for c in truth.columns()}  # truth's column -> the export's
    rated = [c for c, i in truth.items.items() if i.role in ("benefit", "sacrifice", "outcome")]

    def truth_block(col):
        item = truth.items[col]
        return (item.role, item.block)  # an outcome's block is its name

    placed = sum(1 for c in rated if back.get(c, c) in draft.blocks and draft.blocks[back.get(c, c)].value
                 == truth_block(c))
    scale_ok = sum(1 for c in rated if draft.scale_of(back.get(c, c)) == (truth.items[c].scale.min,
                                                                           truth.items[c].scale.max))
    # facets: of the benefit and sacrifice items placed in the right block, the share given the
    # codebook's facet (or, where the codebook has none, given none)
    right = [c for c in rated if truth.items[c].role in ("benefit", "sacrifice")
             and back.get(c, c) in draft.blocks and draft.blocks[back.get(c, c)].value == truth_block(c)]
    facet_ok = sum(1 for c in right if (draft.facets[back.get(c, c)].value if back.get(c, c) in draft.facets
                                        else None) == truth.items[c].facet)
    codes_ok = sum(1 for c in rated if back.get(c, c) in draft.item_scale
                   and draft.codes_of(back.get(c, c)) == sorted(truth.items[c].missing_codes))
    return {"items": len(rated), "blocks": placed / len(rated), "scales": scale_ok / len(rated),
            "missing_codes": codes_ok / len(rated), "facets": facet_ok / len(right) if right else float("nan"),
            "id": (draft.id.value if draft.id else None) == (back.get(truth.id, truth.id) if truth.id else None)}
