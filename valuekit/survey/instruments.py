"""What the pricing and Kano questions of an export are: which columns, how their answers read.

The codebook's ``pricing:``, ``gabor_granger:`` and ``kano:`` sections are read into these
(:attr:`Codebook.pricing <valuekit.survey.codebook.Codebook.pricing>`, ...); the analyses in
:mod:`valuekit.analyse.pricing` and :mod:`valuekit.analyse.kano` take them. Every
judgement about the market (how a likelihood answer reads as a probability of buying) is
stated here by the analyst, never assumed in code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check as _check
from .._validate.args import expected_error, named_as
from ..errors import ParameterError, SurveyError

__all__ = ["KANO_ANSWERS", "PRICE_QUESTIONS", "GaborGrangerLadder", "KanoQuestions", "PriceQuestions", "read_prices"]

#: The four Van Westendorp questions, in rising price.
PRICE_QUESTIONS = ("too_cheap", "cheap", "expensive", "too_expensive")
#: The five answers of a Kano question, in the evaluation table's order.
KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")


@dataclass(frozen=True)
class PriceQuestions:
    """Which columns hold the Van Westendorp answers, and how purchase likelihood reads.

    Parameters
    ----------
    cheap, expensive, too_expensive : str
        The columns of the prices at which the product is a bargain, getting expensive, and
        too expensive to consider.
    too_cheap : str or None, optional
        The column of the price so low that quality is doubted; None when the survey did
        not ask it (then the point of marginal cheapness and the optimal price point are
        not defined).
    buy_cheap, buy_expensive : str or None, optional
        The Newton–Miller–Smith questions: how likely the respondent would buy at their own
        cheap and expensive price. Both or neither.
    likelihood : mapping of answer to probability, optional
        How an answer to the likelihood questions reads as a purchase probability (the
        calibration), e.g. ``{5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0}`` for a five-point
        scale, as R's ``pricesensitivitymeter`` assumes. Required with the likelihood
        questions: it is a judgement about the market, so it is the analyst's to state.
    at_too_cheap, at_too_expensive : float, default 0
        The purchase probability at the respondent's too-cheap and too-expensive price
        (Newton, Miller and Smith: nobody buys there).
    currency : str or None, optional
        How prices are shown (``"EUR"``, ``"$"``); None: as plain numbers.
    current : float or None, optional
        The price the product sells at today (above zero): where a what-if move of the
        price starts (:func:`valuekit.decide.price_moves.price_moves`).
    lever : str or None, optional
        The what-if lever (of the survey's lever file) that moves the price, by a percentage.
    """

    cheap: str
    expensive: str
    too_expensive: str
    too_cheap: str | None = None
    buy_cheap: str | None = None
    buy_expensive: str | None = None
    likelihood: Mapping | None = field(default=None, hash=False)
    at_too_cheap: float = 0.0
    at_too_expensive: float = 0.0
    currency: str | None = None
    current: float | None = None
    lever: str | None = None

    def __post_init__(self):
        with named_as("questions"):
            self._check()

    def _check(self):
        if self.current is not None:
            _check.number("questions.current", self.current, min=0, min_open=True)
        if self.lever is not None:
            _check.text("questions.lever", self.lever)
        for name in ("cheap", "expensive", "too_expensive"):
            _check.text(f"questions.{name}", getattr(self, name))
        for name in ("too_cheap", "buy_cheap", "buy_expensive"):
            if getattr(self, name) is not None:
                _check.text(f"questions.{name}", getattr(self, name))
        if (self.buy_cheap is None) != (self.buy_expensive is None):
            raise ParameterError("questions: the Newton–Miller–Smith questions come in a pair; give both "
                                 "buy_cheap and buy_expensive, or neither", name="questions")
        if self.buy_cheap is not None:
            if not isinstance(self.likelihood, Mapping) or not self.likelihood:
                raise expected_error("questions.likelihood", "a mapping of each likelihood answer to a purchase "
                                     "probability (e.g. {5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0})", self.likelihood)
            for answer, p in self.likelihood.items():
                _check.fraction(f"questions.likelihood[{answer!r}]", p, closed=True)
        if self.currency is not None:
            _check.text("questions.currency", self.currency)
        for name in ("at_too_cheap", "at_too_expensive"):
            _check.fraction(f"questions.{name}", getattr(self, name), closed=True)
        asked = [c for c in self.columns if c is not None]
        if len(set(asked)) != len(asked):
            raise ParameterError(f"questions: a column named for two questions ({asked})", name="questions")

    @property
    def prices(self) -> list[str | None]:
        """The four price columns in rising order (None where not asked)."""
        return [self.too_cheap, self.cheap, self.expensive, self.too_expensive]

    @property
    def columns(self) -> list[str]:
        """Every column the questions name."""
        return [c for c in (*self.prices, self.buy_cheap, self.buy_expensive) if c is not None]

    @property
    def has_trial(self) -> bool:
        """Whether the Newton–Miller–Smith questions were asked."""
        return self.buy_cheap is not None

    def screen(self, data: pd.DataFrame, weights: np.ndarray):
        """Who the price analysis can use: ``(kept, prices, buy, excluded)``.

        ``kept``: a mask of the respondents whose prices rise strictly from too cheap to too
        expensive (none blank, none below zero, weight above zero); ``prices``: n x 4, NaN
        where not asked; ``buy``: n x 2 purchase probabilities (NaN where unanswered or off
        the likelihood scale), or None; ``excluded``: ``row``, ``reason`` and ``analysis``
        ("price points", or "trial" for one left out of the trial curve only)."""
        return _screen_prices(self, data, weights)


@dataclass(frozen=True)
class GaborGrangerLadder:
    """The Gabor–Granger questions: the prices asked and how an answer reads.

    Parameters
    ----------
    ladder : mapping of price to column
        Each price asked (above zero, each once) and the column of its would-you-buy
        question; reported in rising price whatever the order given.
    buy : mapping of answer to purchase probability, optional
        How an answer reads as a probability of buying (``{1: 1, 2: 0}`` for yes coded 1
        and no coded 2, or a calibration of a likelihood scale); None: 1 is yes and 0 no.
    currency : str or None, optional
        How prices are shown.
    """

    ladder: Mapping = field(hash=False)
    buy: Mapping | None = field(default=None, hash=False)
    currency: str | None = None

    def __post_init__(self):
        with named_as("ladder"):
            rungs = _rungs(self.ladder)
        object.__setattr__(self, "rungs", rungs)
        if self.buy is not None:
            if not isinstance(self.buy, Mapping) or not self.buy:
                raise expected_error("buy", "None or a mapping of each answer to a purchase probability", self.buy)
            with named_as("buy"):
                for answer, p in self.buy.items():
                    _check.fraction(f"buy[{answer!r}]", p, closed=True)

    @property
    def prices(self) -> list[float]:
        """The prices asked, rising."""
        return [p for p, _ in self.rungs]

    @property
    def columns(self) -> list[str]:
        """The columns of the prices, in rising price."""
        return [c for _, c in self.rungs]

    def screen(self, data: pd.DataFrame, weights: np.ndarray):
        """Who the ladder can use: ``(kept, answers, excluded)``: the mask, the purchase
        probabilities (n x rungs, implied rungs filled) and ``row``, ``reason`` of the others."""
        return _screen_ladder(self, data, weights)


def _rungs(ladder) -> list[tuple[float, str]]:
    """The ladder as (price, column) pairs in rising price: positive, distinct prices."""
    if not isinstance(ladder, Mapping) or len(ladder) < 2:
        raise expected_error("ladder", "a mapping of at least two prices to the columns asking about them", ladder)
    rungs = []
    for price, col in ladder.items():
        p = _check.number(f"ladder[{price!r}]", price)
        if p <= 0:
            raise ParameterError(f"ladder[{price!r}]: a price of the ladder must be above zero", name="ladder")
        rungs.append((float(p), _check.text(f"ladder[{price!r}]", col)))
    prices = [p for p, _ in rungs]
    if len(set(prices)) != len(prices):
        raise ParameterError(f"ladder: a price appears twice ({sorted(prices)})", name="ladder")
    cols = [c for _, c in rungs]
    if len(set(cols)) != len(cols):
        raise ParameterError(f"ladder: a column is named for two prices ({cols})", name="ladder")
    return sorted(rungs)


@dataclass(frozen=True)
class KanoQuestions:
    """Which columns hold each attribute's two questions, and what their answers mean.

    Parameters
    ----------
    pairs : mapping of attribute to (functional column, dysfunctional column)
        One entry per attribute, in the order to report them.
    answers : mapping of answer to one of ``KANO_ANSWERS``
        How the answers are coded, e.g. ``{1: "like", 2: "expect", 3: "neutral",
        4: "tolerate", 5: "dislike"}``; every one of the five meanings exactly once.
    serves : mapping of attribute to block, optional
        The block of the value model (a benefit dimension or a sacrifice) each attribute
        serves, e.g. ``{"delivery": "time"}``: the analyst's judgement, which sets a Kano
        category beside that block's importance and performance
        (:func:`valuekit.decide.priorities.kano_priorities`). Attributes left out serve none.
    """

    pairs: Mapping = field(hash=False)
    answers: Mapping = field(hash=False)
    serves: Mapping | None = field(default=None, hash=False)

    def __post_init__(self):
        with named_as("questions"):
            self._check()

    def _check(self):
        if not isinstance(self.pairs, Mapping) or not self.pairs:
            raise expected_error("questions.pairs", "a mapping of each attribute to its (functional, "
                                 "dysfunctional) columns", self.pairs)
        for attribute, pair in self.pairs.items():
            if isinstance(pair, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2 or \
                    not all(isinstance(c, str) and c for c in pair) or pair[0] == pair[1]:
                raise expected_error(f"questions.pairs[{attribute!r}]", "two different column names "
                                     "(functional, dysfunctional)", pair)
        if not isinstance(self.answers, Mapping) or sorted(map(str, self.answers.values())) != sorted(KANO_ANSWERS):
            raise expected_error("questions.answers", f"a mapping of each answer code to one of {list(KANO_ANSWERS)}, "
                                 "each meaning once", self.answers)
        if self.serves is not None:
            if not isinstance(self.serves, Mapping):
                raise expected_error("questions.serves", "a mapping of attributes to the blocks they serve",
                                     self.serves)
            for attribute, block in self.serves.items():
                if attribute not in self.pairs:
                    raise ParameterError(f"questions.serves[{attribute!r}]: no such attribute; expected one of "
                                         f"{list(self.pairs)}", name="questions")
                _check.text(f"questions.serves[{attribute!r}]", block)

    def screen(self, data: pd.DataFrame):
        """Each attribute's answers as indices of ``KANO_ANSWERS`` (-1 unanswered, -2 off
        the coding) as ``{attribute: (functional, dysfunctional)}``, and ``row``,
        ``attribute``, ``reason`` of every pair that cannot be evaluated."""
        return _screen_kano(self, data)


# -- who each instrument can use ----------------------------------------------------------------------

def _numbers(data: pd.DataFrame, col: str, name: str) -> np.ndarray:
    if col not in data.columns:
        raise ParameterError(f"{name}: column {col!r} not found in data", name="questions")
    s = data[col]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise ParameterError(f"{name}: column {col!r} holds {s.dtype} values; expected prices as numbers "
                             "(read the export with valuekit.load_survey, which parses currency text)",
                             name="questions")
    x = s.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        first = data.index[np.flatnonzero(np.isinf(x))[0]]
        raise ParameterError(f"{name}: column {col!r} holds an infinite price (row {first!r})", name="questions")
    return x


def _screen_prices(q: "PriceQuestions", data: pd.DataFrame, w: np.ndarray):
    n = len(data)
    prices = np.full((n, 4), np.nan)
    for j, col in enumerate(q.prices):
        if col is not None:
            prices[:, j] = _numbers(data, col, f"questions.{PRICE_QUESTIONS[j]}")
    asked = [j for j, c in enumerate(q.prices) if c is not None]
    p = prices[:, asked]
    reason = np.full(n, None, dtype=object)
    rising = (np.diff(p, axis=1) > 0).all(axis=1)
    reason[~rising] = "prices do not rise from too cheap to too expensive"
    reason[(p < 0).any(axis=1)] = "a price below zero"
    reason[np.isnan(p).any(axis=1)] = "a price question left unanswered"
    reason[w == 0] = "weight zero"
    kept = np.array([r is None for r in reason])
    rows = [{"row": data.index[i], "reason": reason[i], "analysis": "price points"} for i in np.flatnonzero(~kept)]
    buy = None
    if q.has_trial:
        lookup = {float(k): float(v) for k, v in q.likelihood.items()}
        buy = np.column_stack([_likelihood(data, col, name, lookup)
                               for col, name in ((q.buy_cheap, "buy_cheap"), (q.buy_expensive, "buy_expensive"))])
        off = kept & np.isnan(buy).any(axis=1)
        rows += [{"row": data.index[i], "reason": "a purchase-likelihood question unanswered or off its scale",
                  "analysis": "trial"} for i in np.flatnonzero(off)]
    excluded = pd.DataFrame(rows, columns=["row", "reason", "analysis"])
    return kept, prices, buy, excluded


def _likelihood(data, col, name, lookup) -> np.ndarray:
    x = _numbers(data, col, f"questions.{name}")
    out = np.full(len(x), np.nan)
    for answer, prob in lookup.items():
        out[x == answer] = prob
    return out


def _ladder_answers(data, rungs, buy) -> np.ndarray:
    """Purchase probability per respondent and rung (NaN unanswered, -1 off the coding)."""
    out = np.full((len(data), len(rungs)), np.nan)
    for k, (price, col) in enumerate(rungs):
        if col not in data.columns:
            raise ParameterError(f"ladder[{price:g}]: column {col!r} not found in data", name="ladder")
        s = data[col]
        if buy is None:
            if not (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)):
                raise ParameterError(f"ladder[{price:g}]: column {col!r} holds {s.dtype} values; expected 1 (would "
                                     "buy) or 0, or pass buy= to read other answers", name="ladder")
            x = s.to_numpy(dtype=float, na_value=np.nan)
            out[:, k] = np.where(np.isnan(x) | (x == 0) | (x == 1), x, -1)
        else:
            col_out = np.where(s.isna().to_numpy(), np.nan, -1.0)
            for answer, p in buy.items():
                col_out[(s == answer).to_numpy(dtype=bool, na_value=False)] = p
            out[:, k] = col_out
    return out


def _implied(answers: np.ndarray) -> np.ndarray:
    """Unasked rungs filled where the answers imply them: one who buys at a price buys at
    every lower one; one who would never buy at a price buys at no higher one (an adaptive
    ladder asks only some rungs)."""
    a = answers.copy()
    yes_above = np.flip(np.fmax.accumulate(np.flip(np.where(a == 1, 1.0, np.nan), axis=1), axis=1), axis=1)
    no_below = np.fmax.accumulate(np.where(a == 0, 1.0, np.nan), axis=1)
    a[np.isnan(a) & (yes_above == 1)] = 1.0
    a[np.isnan(a) & (no_below == 1)] = 0.0
    return a


def _screen_ladder(ladder: "GaborGrangerLadder", data: pd.DataFrame, w: np.ndarray):
    answers = _ladder_answers(data, ladder.rungs, ladder.buy)
    binary = ladder.buy is None or {float(p) for p in ladder.buy.values()} <= {0.0, 1.0}
    filled = _implied(np.where(answers == -1, np.nan, answers)) if binary else answers
    reason = np.full(len(data), None, dtype=object)
    reason[(filled[:, 1:] > filled[:, :-1]).any(axis=1)] = "would buy at a higher price but not at a lower one"
    reason[np.isnan(filled).any(axis=1)] = "a price of the ladder left unanswered"
    reason[(answers == -1).any(axis=1)] = "an answer outside the coding"
    reason[w == 0] = "weight zero"
    kept = np.array([r is None for r in reason], dtype=bool)
    excluded = pd.DataFrame([{"row": data.index[i], "reason": reason[i]} for i in np.flatnonzero(~kept)],
                            columns=["row", "reason"])
    return kept, filled, excluded


def _kano_answer(data: pd.DataFrame, col: str, coding: dict, attribute) -> np.ndarray:
    """Each row's answer as its index in ``KANO_ANSWERS`` (-1 unanswered, -2 off the coding)."""
    if col not in data.columns:
        raise ParameterError(f"questions.pairs[{attribute!r}]: column {col!r} not found in data", name="questions")
    values = data[col]
    out = np.full(len(values), -2)
    out[values.isna().to_numpy()] = -1
    for code, meaning in coding.items():
        out[(values == code).to_numpy(dtype=bool, na_value=False)] = KANO_ANSWERS.index(meaning)
    return out


def _screen_kano(q: "KanoQuestions", data: pd.DataFrame):
    coding = {k: str(v) for k, v in q.answers.items()}
    answers, rows = {}, []
    for attribute, (fcol, dcol) in q.pairs.items():
        f, d = _kano_answer(data, fcol, coding, attribute), _kano_answer(data, dcol, coding, attribute)
        answers[attribute] = (f, d)
        for i in np.flatnonzero((f < 0) | (d < 0)):
            if f[i] == -1 and d[i] == -1:
                reason = "neither question answered"
            elif -1 in (f[i], d[i]):
                reason = f"the {'functional' if f[i] == -1 else 'dysfunctional'} answer missing (half a pair)"
            else:
                bad = fcol if f[i] == -2 else dcol
                value = data[bad].iloc[i]
                value = value.item() if isinstance(value, np.generic) else value
                reason = f"an answer outside the coding in {bad!r} ({_check.shown(value)})"
            rows.append({"row": data.index[i], "attribute": attribute, "reason": reason})
    return answers, pd.DataFrame(rows, columns=["row", "attribute", "reason"])


# -- prices written as text ------------------------------------------------------------------------------

#: Every currency sign Unicode knows (category Sc: $, €, £, ¥, ₹, ...).
_SIGNS = "".join(sorted({chr(c) for c in range(0x20, 0x10000) if unicodedata.category(chr(c)) == "Sc"}))
#: A currency before or after the amount: a sign, or a code or abbreviation of up to three
#: letters (EUR, USD, kr, zł, Fr.) with or without a sign (R$, US$).
_CURRENCY = rf"(?:[^\W\d_]{{1,3}}\.?\s*[{re.escape(_SIGNS)}]?|[{re.escape(_SIGNS)}])"
_MONEY = re.compile(rf"^(?P<minus>-)?\s*(?:{_CURRENCY}\s*)?(?P<minus2>-)?\s*(?P<amount>\d[\d.,' ]*)\s*(?:{_CURRENCY})?$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ '](\d{3}))+(?:[.,]\d+)?$")


def _mark(amount: str) -> tuple[str | None, str | None, bool]:
    """What an amount's separators say: (decimal mark, thousands mark, ambiguous). '1,500'
    and '1.500' are ambiguous (a decimal with three places, or a thousand); None where the
    amount says nothing; ('bad', ...) when it is no amount at all."""
    if _GROUPED.fullmatch(amount):
        amount = amount.replace(" ", "").replace("'", "")
    marks = [c for c in amount if c in ".,"]
    if " " in amount or "'" in amount:
        return "bad", None, False
    if not marks:
        return None, None, False
    if len(set(marks)) == 2:
        decimal = marks[-1]
        thousands = "," if decimal == "." else "."
        whole, _, _ = amount.rpartition(decimal)
        if marks.count(decimal) > 1 or not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+", whole):
            return "bad", None, False
        return decimal, thousands, False
    mark = marks[0]
    if len(marks) > 1:  # one mark, several times: thousands
        ok = re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", amount)
        return (None, mark, False) if ok else ("bad", None, False)
    whole, _, part = amount.partition(mark)
    if len(part) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        return None, None, True
    return mark, None, False


def _column_mark(kinds: dict, text: pd.Series, column: str, source: str, decimal: str | None) -> str | None:
    """The decimal mark of a column of amounts: the one its amounts show, else ``decimal``."""
    seen: dict[str, list[str]] = {}
    for i, (dec, thousands, _) in kinds.items():
        if dec in (".", ","):
            seen.setdefault(dec, []).append(text.iloc[i])
        elif thousands in (".", ","):
            seen.setdefault("," if thousands == "." else ".", []).append(text.iloc[i])
    if len(seen) == 2:
        raise SurveyError(f"{source}: column {column!r} writes prices with both decimal marks ({seen['.'][0]!r} "
                          f"and {seen[','][0]!r}); write them one way, or split the column")
    mark = next(iter(seen), decimal)
    if mark is None and any(k[2] for k in kinds.values()):
        example = next(text.iloc[i] for i, k in kinds.items() if k[2])
        raise SurveyError(f"{source}: column {column!r}: {example!r} could be a price with three decimals or a "
                          "thousand; say which by reading the file with decimal=',' or decimal='.'")
    return mark


def read_prices(series: pd.Series, column: str, source: str, decimal: str | None = None):
    """Prices written as text ("€1.234,50", "12,50 EUR", "$1,234.56", "CHF 1'234.50") as
    numbers: ``(values, not_a_price)``, the second a mask of the cells that are no amount.

    The decimal mark is decided for the whole column from the amounts that show it (a
    comma and a point in one amount, a mark repeated, a mark not followed by exactly three
    digits); an amount such as ``1,500`` is then read by it, or by ``decimal`` (the file's
    decimal mark) when the column shows none. A column whose amounts use both marks as
    decimals, or only ambiguous ones with no ``decimal``, is refused, naming the column and
    its amounts.

    Parameters
    ----------
    series : Series
        The column's cells as read (text, blanks as missing or empty text).
    column : str
        Its name, for the messages.
    source : str
        The file's name, for the messages.
    decimal : {".", ",", None}, optional
        The file's decimal mark, for a column whose amounts show none.
    """
    text = series.astype("str").str.replace("\u00a0", " ").str.replace("\u202f", " ").str.strip()
    blank = (series.isna() | (text == "")).to_numpy(dtype=bool)
    parsed = {i: _MONEY.fullmatch(t) for i, t in enumerate(text) if not blank[i]}
    kinds = {i: ("bad", None, False) if m is None or (m["minus"] and m["minus2"]) else _mark(m["amount"].strip())
             for i, m in parsed.items()}
    mark = _column_mark(kinds, text, column, source, decimal)
    values = np.full(len(series), np.nan)
    bad = np.zeros(len(series), bool)
    for i, m in parsed.items():
        if kinds[i][0] == "bad":
            bad[i] = True
            continue
        amount = m["amount"].strip().replace(" ", "").replace("'", "")
        if mark == ",":
            amount = amount.replace(".", "").replace(",", ".")
        else:
            amount = amount.replace(",", "")
        values[i] = -float(amount) if (m["minus"] or m["minus2"]) else float(amount)
    return values, bad
