"""The pricing and Kano questions of an export, found for ``valuekit init``.

:func:`find_instruments` reads each column's question text (or, without it, its name) and its
answers, and proposes the codebook's ``pricing:``, ``gabor_granger:`` and ``kano:`` sections
(:mod:`valuekit.survey.instruments`):

- **Van Westendorp**: four columns of amounts (numbers, or prices written as text) asked as too
  cheap, cheap, expensive and too expensive; with the Newton–Miller–Smith questions (how likely
  to buy at one's own cheap and expensive price) when two coded columns ask them.
- **Gabor–Granger**: coded yes/no columns asking "would you buy at 49 euros?", alike but for the
  amount (or named alike but for a number: ``gg_49``, ``gg_59``).
- **Kano**: two coded columns whose questions say the same but for a negation ("... were
  offered?" and "... were not offered?"), or whose names differ in one part only, a functional
  and a dysfunctional marker (``kano_delivery_f`` / ``kano_delivery_d``).

The words are data (``draft_instruments.yaml``, in English, Spanish and Italian). Every
section comes with how sure the draft is and why; what is a judgement the export cannot make
(a likelihood calibration, an answer order no label states) is proposed as a ``guess`` for the
analyst to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import yamlfile as _yaml
from ..errors import SurveyError, ValuekitError
from .instruments import KANO_ANSWERS, PRICE_QUESTIONS, read_prices

__all__ = ["SURE", "Found", "Guess", "find_instruments"]

VOCABULARY_FILE = Path(__file__).with_name("draft_instruments.yaml")
_WORDS = _yaml.read_file(VOCABULARY_FILE, what="draft vocabulary", error=ValuekitError)
#: The confidence from which a guess is written ``sure`` (``likely`` from 0.5).
SURE = 0.8
#: A column with at most this many distinct whole answers is coded (a scale, yes/no), not an amount.
_MAX_CODES = 11


def _norm(text: str) -> str:
    """Lower case, without accents or punctuation, ``n't`` as ``not``: the words of a text."""
    text = unicodedata.normalize("NFKD", str(text).lower().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("n't", " not")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _entries(value) -> list[str]:
    """A vocabulary entry's phrases: a list, or a mapping of language to list."""
    if isinstance(value, dict):
        return [e for v in value.values() for e in v]
    return list(value)


def _pattern(entries: Iterable[str]) -> re.Pattern:
    """Whole-word phrases, longest first; ``word*`` matches any ending."""
    parts = []
    for e in sorted({str(e) for e in entries}, key=len, reverse=True):
        words = _norm(e.rstrip("*"))
        if words:
            parts.append(re.escape(words) + (r"[a-z]*" if e.endswith("*") else ""))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])")


_VW = {q: _pattern(_entries(_WORDS["van_westendorp"][q])) for q in ("too_cheap", "too_expensive", "cheap",
                                                                      "expensive")}
_PRICE = _pattern(_entries(_WORDS["price_words"]))
_BUY = _pattern(_entries(_WORDS["buy_words"]))
_LIKELY = _pattern(_entries(_WORDS["likelihood_words"]))
_KANO_Q = _pattern(_entries(_WORDS["kano"]["question"]))
_NEGATION = {_norm(w) for w in _WORDS["kano"]["negation"]}
_AUX = {_norm(w) for w in _WORDS["kano"]["auxiliary"]}
_KANO_NAMES = [(_norm(f), _norm(d)) for f, d in _WORDS["kano"]["name_pairs"]]
_KANO_WORDS = {_norm(w) for w in _WORDS["kano"]["name_words"]}
_ANSWERS = {a: _pattern(_WORDS["kano"]["answers"][a]) for a in KANO_ANSWERS}
_YES, _NO = _pattern(_WORDS["yes"]), _pattern(_WORDS["no"])
_LADDER_NAMES = {_norm(w) for w in _WORDS["ladder_names"]}
_CURRENCIES = {code: ([w for w in words if not w.isalnum()], _pattern([w for w in words if w.isalnum()]))
               for code, words in _WORDS["currencies"].items()}
_AMOUNT = re.compile(r"(?:[€$£]\s*(?P<a>\d+(?:[.,]\d{1,2})?))|(?:(?P<b>\d+(?:[.,]\d{1,2})?)\s*"
                     r"(?:€|\$|£|euros?\b|eur\b|dollars?\b|usd\b|pounds?\b|gbp\b|chf\b|francs?\b))", re.I)


@dataclass
class Guess:
    """One decision of the draft: what, how sure (0-1) and why."""

    value: object
    confidence: float
    reason: str

    @property
    def sure(self) -> str:
        """How sure the guess is, in words: ``sure``, ``likely`` or ``guess``."""
        return "sure" if self.confidence >= SURE else "likely" if self.confidence >= 0.5 else "guess"

    def note(self, score: bool = False) -> str:
        """'likely (0.60): words 'precio'' -- the comment written beside the decision."""
        return f"{self.sure} ({self.confidence:.2f}): {self.reason}" if score else f"{self.sure}: {self.reason}"


@dataclass
class Found:
    """One instrument found: its codebook section, how sure the draft is and why.

    ``section``: ``"pricing"``, ``"gabor_granger"`` or ``"kano"``; ``spec``: the section as the
    codebook reads it; ``why``: each column and what it was read as; ``proposed``: the values
    the export cannot state (a calibration, an answer order), each with its confidence and
    reason; ``missing``: the missing codes of coded columns."""

    section: str
    spec: dict
    confidence: float
    reason: str
    why: dict[str, str] = field(default_factory=dict)
    proposed: dict[str, tuple[float, str]] = field(default_factory=dict)
    missing: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class _Column:
    name: str
    raw: str            # the question text as written, or the name
    text: str           # its words (_norm), or the name's
    worded: bool        # question text, not the name
    tokens: list[str]   # the name, split at _ - . and spaces
    codes: list[float]  # the distinct answers of a coded column, missing codes aside; [] for amounts
    missing: list[float]
    labels: dict
    amounts: np.ndarray | None  # the answers of a column of amounts
    cells: list[str] = field(default_factory=list)  # some cells of prices written as text


def _num(v: float):
    return int(v) if float(v).is_integer() else float(v)


def _columns(frame: pd.DataFrame, numeric: dict, taken: set, text: dict, info, codes: dict,
             typical: Iterable[float]) -> list[_Column]:
    """The columns no role took, each as coded answers or amounts (others are left out)."""
    out = []
    for col in frame.columns:
        if col in taken:
            continue
        worded = text[col] != str(col)
        tokens = _norm(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(col))).split()
        words = _norm(text[col]) if worded else " ".join(tokens)
        labels = {float(k): str(v) for k, v in (info.value_labels.get(col) or {}).items()
                  if isinstance(k, (int, float, np.number))}
        column = _Column(col, text[col], words, worded, tokens, [], [], labels, None)
        if col in numeric:
            _code(column, numeric[col].dropna().to_numpy(dtype=float), codes.get(col, []),
                  info.user_missing.get(col, ()), typical)
        else:
            column.amounts = _price_text(frame[col], col, info)
            if column.amounts is None:
                continue
            column.cells = frame[col].dropna().astype("string").head(50).tolist()
        out.append(column)
    return out


def _code(column: _Column, x: np.ndarray, own_codes, user_missing, typical) -> None:
    """A numeric column as coded answers (a few whole codes; the usual missing codes outside
    them set aside) or as amounts."""
    distinct = np.unique(x)
    own = set(own_codes) | {float(v) for lo, hi in user_missing for v in distinct if lo <= v <= hi}
    kept = [float(v) for v in distinct if v not in own]
    core = [v for v in kept if v not in typical]
    if kept and len(core) <= _MAX_CODES and np.allclose(core, np.round(core)) and (
            not core or max(core) - min(core) <= 10):
        column.codes, column.missing = core, sorted(own | (set(kept) - set(core)))
    elif len(distinct) > 1:
        column.amounts = x


def _price_text(series: pd.Series, col: str, info) -> np.ndarray | None:
    """A text column of prices ("€49", "12,50 EUR") as amounts, or None when it is not one."""
    cells = series.dropna().astype("string").str.strip()
    cells = cells[cells != ""]
    if len(cells) == 0 or not cells.str.contains(r"\d", regex=True).all():
        return None
    try:
        values, bad = read_prices(cells, str(col), info.path)
    except SurveyError:
        return None
    return values[~bad] if (~bad).mean() >= 0.9 else None


def _currency(texts: Iterable[str]) -> str | None:
    """The currency the texts name, when they name one only."""
    seen = set()
    for raw in texts:
        words = _norm(raw)
        for code, (signs, pattern) in _CURRENCIES.items():
            if any(s in str(raw) for s in signs) or pattern.search(words):
                seen.add(code)
    return next(iter(seen)) if len(seen) == 1 else None


def find_instruments(frame: pd.DataFrame, numeric: dict, taken: set, text: dict, info, codes: dict,
                     typical: Iterable[float]) -> list[Found]:
    """The pricing and Kano questions of an export (see the module's description).

    ``numeric``: each column's answers as numbers (where most are); ``taken``: the columns a
    role took (id, weight); ``text``: each column's question text (its name where it has
    none); ``info``: the file's :class:`~valuekit.survey.io.SourceInfo`; ``codes``: the
    missing codes drafted for rated columns; ``typical``: codes that may mark a missing answer.
    """
    columns = _columns(frame, numeric, taken, text, info, codes, tuple(float(t) for t in typical))
    found = []
    for finder in (_find_kano, _find_ladder, _find_pricing):
        used = {c for f in found for c in f.why}
        result = finder([c for c in columns if c.name not in used])
        if result is not None:
            found.append(result)
    return found


# -- Kano ------------------------------------------------------------------------------------------

def _kano_key(c: _Column) -> tuple[tuple[str, ...], int]:
    """A Kano question's words without negations and auxiliaries, and how many negations it has."""
    words = c.text.split()
    return tuple(w for w in words if w not in _NEGATION and w not in _AUX), sum(w in _NEGATION for w in words)


def _kano_pairs_by_text(coded: list[_Column]) -> list[tuple[_Column, _Column, float, str]]:
    groups: dict[tuple, list[_Column]] = {}
    for c in coded:
        if c.worded:
            groups.setdefault(_kano_key(c)[0], []).append(c)
    pairs = []
    for members in groups.values():
        if len(members) != 2:
            continue
        a, b = sorted(members, key=lambda c: _kano_key(c)[1])
        if _kano_key(a)[1] == _kano_key(b)[1]:
            continue
        asked = bool(_KANO_Q.search(a.text))
        pairs.append((a, b, 0.9 if asked else 0.65,
                      "questions alike but for a negation" + (", asked as a Kano question" if asked
                                                              else " (no Kano wording such as 'how would you feel')")))
    return pairs


def _kano_pairs_by_name(coded: list[_Column]) -> list[tuple[_Column, _Column, float, str]]:
    pairs = []
    for a in coded:
        for b in coded:
            if a is b or len(a.tokens) != len(b.tokens) or len(a.tokens) < 2:
                continue
            apart = [i for i, (s, t) in enumerate(zip(a.tokens, b.tokens)) if s != t]
            if len(apart) == 1 and (a.tokens[apart[0]], b.tokens[apart[0]]) in _KANO_NAMES:
                named = bool(_KANO_WORDS & set(a.tokens))
                pairs.append((a, b, 0.85 if named else 0.6,
                              f"names alike but for '{a.tokens[apart[0]]}' (functional) and '{b.tokens[apart[0]]}'"
                              " (dysfunctional)" + (", named Kano" if named else "")))
    return pairs


def _attribute(a: _Column, b: _Column, seen: set) -> str:
    """An attribute's name: the two names' common parts (``delivery``), else the question's words."""
    marks = {m for pair in _KANO_NAMES for m in pair} | _KANO_WORDS
    common = [s for s, t in zip(a.tokens, b.tokens) if s == t and s not in marks] if len(a.tokens) == len(
        b.tokens) else []
    name = "_".join(common)
    if not re.search(r"[a-z]{3}", name):
        words = _KANO_Q.sub(" ", a.text).split()
        name = "_".join([w for w in words if w not in _AUX and w not in _NEGATION and len(w) > 2][:4]) or a.name
    base, k = name, 2
    while name in seen:
        name, k = f"{base}_{k}", k + 1
    seen.add(name)
    return name


def _kano_answers(pairs) -> tuple[dict, float, str] | None:
    """The answer coding: from the value labels, else the usual order on codes 1-5 (a guess)."""
    labels: dict[float, str] = {}
    for a, b, *_ in pairs:
        labels.update(a.labels)
        labels.update(b.labels)
    codes = sorted({v for a, b, *_ in pairs for v in (*a.codes, *b.codes)})
    read = {}
    for code, label in labels.items():
        words = _norm(label)
        hits = [(len(m.group(0)), answer) for answer, p in _ANSWERS.items() for m in [p.search(words)] if m]
        if hits:
            read[code] = max(hits)[1]
    if len(set(read.values())) == 5 and set(codes) <= set(read):
        shown = ", ".join(f"{_num(k)} {labels[k]!s}" for k in sorted(read))
        return {_num(k): read[k] for k in sorted(read)}, 0.9, f"the value labels: {shown}"
    if codes and len(codes) <= 5 and min(codes) >= 1 and max(codes) <= 5 and not labels:
        order = _WORDS["kano"]["usual_order"]
        return ({k: order[k - 1] for k in range(1, 6)}, 0.4,
                "no value labels: the usual order, 1 " + ", ".join(f"{k} {order[k - 1]}" for k in range(1, 6))[2:]
                + "; check it against the questionnaire")
    return None


def _find_kano(columns: list[_Column]) -> Found | None:
    coded = [c for c in columns if c.codes and len(c.codes) <= 5]
    pairs, used = [], set()
    for a, b, conf, why in sorted(_kano_pairs_by_text(coded) + _kano_pairs_by_name(coded), key=lambda p: -p[2]):
        if a.name in used or b.name in used:
            continue
        if any(a is p[0] and b is p[1] for p in pairs):
            continue
        pairs.append((a, b, conf, why))
        used |= {a.name, b.name}
    if not pairs:
        return None
    answers = _kano_answers(pairs)
    if answers is None:
        return None
    seen: set = set()
    attributes = {_attribute(a, b, seen): [a.name, b.name] for a, b, *_ in pairs}
    confidence = min(p[2] for p in pairs)
    why = {}
    for (f, d), (_, _, conf, reason) in zip(attributes.values(), pairs):
        why[f] = why[d] = Guess(None, conf, reason).note(score=True)
    return Found("kano", {"answers": answers[0], "attributes": attributes}, confidence,
                 f"{len(pairs)} pair{'s' if len(pairs) > 1 else ''} of questions, functional and dysfunctional",
                 why, {"answers": answers[1:]}, {c.name: c.missing for p in pairs for c in p[:2] if c.missing})


# -- Gabor–Granger ---------------------------------------------------------------------------------

def _amount_in(c: _Column) -> float | None:
    """The price a ladder question names: beside a currency, else the one number outside brackets."""
    if c.worded:
        m = _AMOUNT.search(c.raw)
        if m:
            return float((m["a"] or m["b"]).replace(",", "."))
        numbers = re.findall(r"\d+(?:[.,]\d{1,2})?", re.sub(r"\([^)]*\)", " ", c.raw))
        return float(numbers[0].replace(",", ".")) if len(numbers) == 1 else None
    numbers = [t for t in c.tokens if t.isdigit()]
    return float(numbers[0]) if len(numbers) == 1 else None


def _template(c: _Column) -> tuple[bool, str]:
    if c.worded:
        return True, re.sub(r"\d+(?:[.,]\d+)?", "#", _norm(re.sub(r"\([^)]*\)", " ", c.raw)))
    return False, "_".join("#" if t.isdigit() else t for t in c.tokens)


def _said_yes(rungs: list[_Column]) -> dict[float, int]:
    """Which codes the labels, or '(1 = yes, 2 = no)' in the questions, say are yes (1) and no (0)."""
    said: dict[float, int] = {}
    for c in rungs:
        for code, label in c.labels.items():
            words = _norm(label)
            if _NO.fullmatch(words) or (_NO.search(words) and not _YES.fullmatch(words)):
                said[code] = 0
            elif _YES.search(words):
                said[code] = 1
        for code, answer in re.findall(r"(\d+)\s*=\s*([a-z]+)", _norm(c.raw).replace(" = ", "=")
                                       .replace("=", " = ")):
            if _YES.fullmatch(answer) or _NO.fullmatch(answer):
                said.setdefault(float(code), 0 if _NO.fullmatch(answer) else 1)
    return said


def _yes_no(rungs: list[_Column]) -> tuple[dict | None, float, str] | None:
    """How a ladder's answers read as buying: from value labels, from '(1 = yes, 2 = no)' in the
    question, else 1 buys and 0 does not (codes 0/1) or, a guess, 1 yes and 2 no."""
    codes = sorted({v for c in rungs for v in c.codes})
    if len(codes) != 2:
        return None
    said = _said_yes(rungs)
    if set(codes) <= set(said) and sorted(said[c] for c in codes) == [0, 1]:
        return {_num(c): said[c] for c in codes}, 0.9, "the answers say which code is yes: " + ", ".join(
            f"{_num(c)} {'yes' if said[c] else 'no'}" for c in codes)
    if codes == [0.0, 1.0]:
        return None, 0.6, "coded 0 and 1: 1 read as 'would buy'"
    return {_num(codes[0]): 1, _num(codes[1]): 0}, 0.4, (f"no labels say which is yes: {_num(codes[0])} read as yes, "
                                                         f"{_num(codes[1])} as no; check it")


def _ladder_rungs(columns: list[_Column]) -> tuple[tuple[bool, str], list[tuple[float, _Column]]] | None:
    """The largest set of yes/no columns asked (or named) alike but for a price, each with its price."""
    groups: dict[tuple, list[tuple[float, _Column]]] = {}
    for c in columns:
        if not c.codes or len(c.codes) > 2 or (c.worded and not _BUY.search(c.text)):
            continue
        price = _amount_in(c)
        if price is not None and price > 0:
            groups.setdefault(_template(c), []).append((price, c))
    best = max(groups.items(), key=lambda kv: len(kv[1]), default=None)
    if best is None or len(best[1]) < 2 or len({p for p, _ in best[1]}) != len(best[1]):
        return None
    return best


def _ladder_evidence(worded: bool, template: str, rungs: list) -> tuple[float, str] | None:
    """How sure a ladder is: its questions alike but for the price, else names (a ladder's, or
    naming buying or a price, over three rungs or more)."""
    if worded:
        return 0.9, "questions alike but for the price, asking whether the respondent would buy"
    named = bool(_LADDER_NAMES & set(template.split("_")))
    words = template.replace("_", " ")
    if named or (len(rungs) >= 3 and (_BUY.search(words) or _PRICE.search(words))):
        return (0.75 if named else 0.6), ("yes/no columns named alike but for a price"
                                          + (" (a ladder's name)" if named else ""))
    return None


def _find_ladder(columns: list[_Column]) -> Found | None:
    found = _ladder_rungs(columns)
    if found is None:
        return None
    (worded, template), rungs = found
    evidence = _ladder_evidence(worded, template, rungs)
    if evidence is None:
        return None
    confidence, reason = evidence
    buy = _yes_no([c for _, c in rungs])
    if buy is None:
        return None
    rungs.sort(key=lambda pc: pc[0])
    spec: dict = {"ladder": {_num(p): c.name for p, c in rungs}}
    if buy[0] is not None:
        spec["buy"] = buy[0]
    currency = _currency(c.raw for _, c in rungs)
    if currency:
        spec["currency"] = currency
    why = {c.name: f"the rung at {_num(p)}" for p, c in rungs}
    return Found("gabor_granger", spec, confidence, f"{len(rungs)} rungs: {reason}", why, {"buy": buy[1:]},
                 {c.name: c.missing for _, c in rungs if c.missing})


# -- Van Westendorp and Newton–Miller–Smith --------------------------------------------------------

def _question(c: _Column, order=("too_cheap", "too_expensive", "cheap", "expensive")) -> str | None:
    return next((q for q in order if _VW[q].search(c.text)), None)


def _nms(columns: list[_Column]) -> tuple[dict, dict, tuple[float, str]] | None:
    """The Newton–Miller–Smith pair and a proposed calibration, when two five-point coded columns ask
    how likely the respondent is to buy at their cheap and at their expensive price."""
    asked: dict[str, list[_Column]] = {}
    for c in columns:
        if not c.codes or not 3 <= len(c.codes) <= _MAX_CODES or not _BUY.search(c.text):
            continue
        if c.worded and not _LIKELY.search(c.text):
            continue
        q = _question(c)
        if q in ("cheap", "expensive"):
            asked.setdefault(q, []).append(c)
    if sorted(asked) != ["cheap", "expensive"] or any(len(v) != 1 for v in asked.values()):
        return None
    cheap, expensive = asked["cheap"][0], asked["expensive"][0]
    codes = sorted(set(cheap.codes) | set(expensive.codes))
    calibration = _WORDS["likelihood_calibration"]
    top = int(max(codes))
    scale = list(range(top - len(calibration) + 1, top + 1))
    if not set(codes) <= set(scale):
        return None
    likelihood = {k: calibration[top - k] for k in reversed(scale)}
    why = {cheap.name: "how likely to buy at one's own cheap price (Newton–Miller–Smith)",
           expensive.name: "how likely to buy at one's own expensive price (Newton–Miller–Smith)"}
    return ({"buy_cheap": cheap.name, "buy_expensive": expensive.name, "likelihood": likelihood}, why,
            (0.4, f"a proposal, highest answer most likely ({', '.join(f'{k}: {v:g}' for k, v in likelihood.items())},"
                  " R pricesensitivitymeter's default): the calibration is a judgement about the market; "
                  "state your own"))


def _price_questions(columns: list[_Column]) -> dict[str, _Column] | None:
    """Each Van Westendorp question's one column of amounts (too cheap may be missing)."""
    asked: dict[str, list[_Column]] = {}
    for c in columns:
        q = _question(c) if c.amounts is not None else None
        if q:
            asked.setdefault(q, []).append(c)
    if any(len(asked.get(q, [])) != 1 for q in ("cheap", "expensive", "too_expensive")) or len(
            asked.get("too_cheap", [])) > 1:
        return None
    return {q: asked[q][0] for q in PRICE_QUESTIONS if q in asked}


def _price_evidence(chosen: dict[str, _Column]) -> tuple[float, str]:
    """How sure the price questions are: worded and naming a price, and their medians rising."""
    priced = all(_PRICE.search(c.text) for c in chosen.values())
    worded = all(c.worded for c in chosen.values())
    confidence = 0.9 if worded and priced else 0.7
    reason = ("questions of amounts asked as " + ", ".join(q.replace("_", " ") for q in chosen)
              + ("" if priced else " (not every one names a price)") + ("" if worded else ", read from their names"))
    medians = [float(np.median(c.amounts)) for c in chosen.values()]
    if any(b <= a for a, b in zip(medians, medians[1:])):
        confidence = 0.4
        reason += "; but their medians do not rise in that order (" + ", ".join(f"{m:g}" for m in medians) + ")"
    return confidence, reason


def _find_pricing(columns: list[_Column]) -> Found | None:
    chosen = _price_questions(columns)
    if chosen is None:
        return None
    confidence, reason = _price_evidence(chosen)
    spec: dict = {q: c.name for q, c in chosen.items()}
    why = {c.name: f"Van Westendorp's {q.replace('_', ' ')} price" for q, c in chosen.items()}
    proposed, missing = {}, {}
    trial = _nms([c for c in columns if c.name not in why])
    if trial is not None:
        spec.update(trial[0])
        why.update(trial[1])
        proposed["likelihood"] = trial[2]
        missing = {c.name: c.missing for c in columns if c.name in trial[1] and c.missing}
    currency = _currency([c.raw for c in chosen.values()] + [v for c in chosen.values() for v in c.cells])
    if currency:
        spec["currency"] = currency
    return Found("pricing", spec, confidence, reason, why, proposed, missing)
