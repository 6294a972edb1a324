"""Which attributes are must-haves and which delight? Kano's questionnaire, evaluated.

Each attribute is asked twice: how would you feel if the product had it (*functional*),
and if it did not (*dysfunctional*), each answered *I like it*, *I expect it*, *I am
neutral*, *I can tolerate it* or *I dislike it*. The pair places the respondent in one of
six categories by the standard evaluation table (Berger et al. 1993, rows functional,
columns dysfunctional):

============  ====  ======  =======  ========  =======
functional    like  expect  neutral  tolerate  dislike
============  ====  ======  =======  ========  =======
like          Q     A       A        A         O
expect        R     I       I        I         M
neutral       R     I       I        I         M
tolerate      R     I       I        I         M
dislike       R     R       R        R         Q
============  ====  ======  =======  ========  =======

**A**\\ ttractive (delights when there, not missed), **O**\\ ne-dimensional (the more the
better), **M**\\ ust-be (taken for granted, missed when absent), **I**\\ ndifferent,
**R**\\ everse (better without), **Q**\\ uestionable (contradictory answers).

:func:`kano` gives per attribute the weighted share of each category, the most frequent
one, its strength over the second and the Fong (1996) test of whether it stands apart, the
category by Matzler et al.'s (1996) M > O > A > I rule where it does not, the
satisfaction and dissatisfaction coefficients (Berger et al. 1993)

    better = (A + O) / (A + O + M + I),   worse = -(O + M) / (A + O + M + I),

and the continuous coordinates (DuBouchet's scoring in Berger et al. 1993: functional
like 4, expect 2, neutral 0, tolerate -1, dislike -2; dysfunctional like -2, expect -1,
neutral 0, tolerate 2, dislike 4, averaged over the respondents in A, O, M or I), each with
a percentile bootstrap interval. ``tests/analyse/test_kano.py`` reproduces a published
table of counts, coefficients, strengths and Fong tests.

A respondent who answered only one half of a pair (or an answer outside the coding) is left
out of that attribute with the reason, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import expected_error, frame_arg, grouping_arg, named_as, seed_arg
from ..errors import ParameterError, SurveyError
from ..survey.answers import kish_n, survey_weights

__all__ = ["ANSWERS", "CATEGORIES", "EVALUATION", "KanoQuestions", "KanoResult", "kano"]

#: The five answers of a Kano question, in the evaluation table's order.
ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")
#: The six categories and what each means.
CATEGORIES = {
    "A": "attractive: delights when there, not missed when absent",
    "O": "one-dimensional: the better it is done, the more satisfied",
    "M": "must-be: taken for granted, resented when absent",
    "I": "indifferent: neither pleases nor displeases",
    "R": "reverse: customers would rather do without it",
    "Q": "questionable: the two answers contradict each other",
}
#: The evaluation table (Berger et al. 1993): rows functional, columns dysfunctional answer.
EVALUATION = pd.DataFrame([list("QAAAO"), list("RIIIM"), list("RIIIM"), list("RIIIM"), list("RRRRQ")],
                          index=pd.Index(ANSWERS, name="functional"), columns=pd.Index(ANSWERS, name="dysfunctional"))
#: Matzler et al. (1996): where the two most frequent categories do not differ, the one
#: first in this order is the attribute's (a must-be missed costs most).
PRIORITY = ("M", "O", "A", "I", "R", "Q")
#: DuBouchet's scores of each answer (Berger et al. 1993), functional then dysfunctional.
_SCORES = {"functional": np.array([4.0, 2.0, 0.0, -1.0, -2.0]),
           "dysfunctional": np.array([-2.0, -1.0, 0.0, 2.0, 4.0])}
#: Fong's critical value (1.65: one-sided 5 %).
_FONG_Z = 1.65
_CODES = np.array(list("AOMIRQ"))


@dataclass(frozen=True)
class KanoQuestions:
    """Which columns hold each attribute's two questions, and what their answers mean.

    Parameters
    ----------
    pairs : mapping of attribute to (functional column, dysfunctional column)
        One entry per attribute, in the order to report them.
    answers : mapping of answer to one of ``ANSWERS``
        How the answers are coded, e.g. ``{1: "like", 2: "expect", 3: "neutral",
        4: "tolerate", 5: "dislike"}``; every one of the five meanings exactly once.
    """

    pairs: Mapping = field(hash=False)
    answers: Mapping = field(hash=False)

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
        if not isinstance(self.answers, Mapping) or sorted(map(str, self.answers.values())) != sorted(ANSWERS):
            raise expected_error("questions.answers", f"a mapping of each answer code to one of {list(ANSWERS)}, "
                                 "each meaning once", self.answers)


@dataclass(frozen=True)
class KanoResult:
    """The result of :func:`kano`.

    Attributes
    ----------
    table : DataFrame
        One row per attribute (per group under ``by``, with a ``group`` column): ``n``
        (respondents with both answers), ``n_eff`` (Kish), the shares ``A`` ... ``Q``,
        ``category`` (the most frequent), ``strength`` (its share minus the second's),
        ``total_strength`` (A + O + M), ``apart`` (Fong's test: the most frequent stands
        apart from the second), ``decided`` (``category`` where it stands apart, else the
        first of the two by M > O > A > I), ``better``, ``worse`` and the continuous
        ``functional`` and ``dysfunctional`` means, each with ``_low`` and ``_high``
        bootstrap bounds.
    categories : DataFrame
        Each respondent's category per attribute (missing where left out).
    excluded : DataFrame
        ``row``, ``attribute``, ``reason`` of every answer pair left out.
    """

    table: pd.DataFrame
    categories: pd.DataFrame
    excluded: pd.DataFrame
    questions: KanoQuestions
    draws: int
    level: float


def _answers(data: pd.DataFrame, col: str, coding: dict, attribute) -> tuple[np.ndarray, np.ndarray]:
    """Each row's answer as its index in ``ANSWERS`` (-1 unanswered, -2 off the coding)."""
    if col not in data.columns:
        raise ParameterError(f"questions.pairs[{attribute!r}]: column {col!r} not found in data", name="questions")
    values = data[col]
    out = np.full(len(values), -2)
    out[values.isna().to_numpy()] = -1
    for code, meaning in coding.items():
        out[(values == code).to_numpy(dtype=bool, na_value=False)] = ANSWERS.index(meaning)
    return out


def _categorise(data: pd.DataFrame, q: KanoQuestions):
    """Each respondent's category per attribute, and the pairs left out with their reasons."""
    coding = {k: str(v) for k, v in q.answers.items()}
    table = EVALUATION.to_numpy()
    cats, scores, rows = {}, {}, []
    for attribute, (fcol, dcol) in q.pairs.items():
        f, d = _answers(data, fcol, coding, attribute), _answers(data, dcol, coding, attribute)
        ok = (f >= 0) & (d >= 0)
        cat = np.full(len(data), None, dtype=object)
        cat[ok] = table[f[ok], d[ok]]
        cats[attribute] = cat
        scores[attribute] = (np.where(ok, _SCORES["functional"][f], 0.0), np.where(ok, _SCORES["dysfunctional"][d], 0.0))
        for i in np.flatnonzero(~ok):
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
    return (pd.DataFrame(cats, index=data.index), scores,
            pd.DataFrame(rows, columns=["row", "attribute", "reason"]))


def _stats(onehot: np.ndarray, f: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Shares of A, O, M, I, R, Q, better, worse, functional and dysfunctional mean for the
    respondents weighted ``w`` (rows of ``onehot``: their category)."""
    total = w.sum()
    share = w @ onehot / total
    a, o, m, i = share[:4]
    core = a + o + m + i
    inside = onehot[:, :4].any(axis=1)
    wi = w * inside
    sw = wi.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.concatenate([share, [(a + o) / core, -(o + m) / core, wi @ f / sw, wi @ d / sw]])


def _fong(top: float, second: float, n: float) -> bool:
    """Fong (1996): the most frequent category (``top`` respondents of ``n``) stands apart
    from the second when |top - second| >= 1.65 sqrt((top + second)(2n - top - second) / 2n)."""
    return abs(top - second) >= _FONG_Z * math.sqrt((top + second) * (2 * n - top - second) / (2 * n))


def _row(stats: np.ndarray, boot: np.ndarray, level: float, n: int, n_eff: float) -> dict:
    shares = dict(zip("AOMIRQ", stats[:6]))
    order = sorted(shares, key=lambda k: (-shares[k], PRIORITY.index(k)))
    first, second = order[0], order[1]
    apart = _fong(shares[first] * n_eff, shares[second] * n_eff, n_eff)
    decided = first if apart else min(first, second, key=PRIORITY.index)
    row = {"n": n, "n_eff": n_eff, **shares, "category": first, "strength": shares[first] - shares[second],
           "total_strength": shares["A"] + shares["O"] + shares["M"], "apart": apart, "decided": decided}
    tail = (1 - level) / 2 * 100
    for k, name in enumerate(("better", "worse", "functional", "dysfunctional"), 6):
        row[name] = stats[k]
        ok = np.isfinite(boot[:, k]) if len(boot) else np.zeros(0, bool)
        low, high = np.percentile(boot[ok, k], [tail, 100 - tail]) if ok.any() else (np.nan, np.nan)
        row[f"{name}_low"], row[f"{name}_high"] = (low, high) if np.isfinite(stats[k]) else (np.nan, np.nan)
    return row


@share_docs
def kano(data: pd.DataFrame, questions: KanoQuestions, *, weights=None, by=None, draws: int = 1000,
         level: float = 0.95, random_state=None) -> KanoResult:
    """Kano categories and coefficients per attribute.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the functional and dysfunctional answers.
    questions : KanoQuestions
        The attributes' question pairs and the answer coding.
    {weights}
    by : str, Series or None, optional
        A grouping (a column of ``data``, or a Series on its index): the table per group as
        well as for everyone ("all").
    draws : int, default 1000
        Bootstrap resamples for the intervals of the coefficients and coordinates (0: none).
    level : float, default 0.95
        Coverage of the intervals.
    {random_state}

    Returns
    -------
    KanoResult
    """
    data = frame_arg("data", data, "a DataFrame of survey answers")
    _check.instance("questions", questions, KanoQuestions, "a KanoQuestions")
    draws = _check.integer("draws", draws, min=0)
    level = _check.fraction("level", level)
    rng = np.random.default_rng(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    w = survey_weights(weights if not isinstance(weights, str) else grouping_arg(
        "weights", weights, data.index, {"data": data}), len(data), index=data.index)
    groups = grouping_arg("by", by, data.index, {"data": data})
    categories, scores, excluded = _categorise(data, questions)
    parts = [("all", np.ones(len(data), bool))]
    if groups is not None:
        parts += [(g, (groups == g).to_numpy(dtype=bool, na_value=False)) for g in pd.unique(groups.dropna())]
    rows = []
    for attribute in questions.pairs:
        cat = categories[attribute].to_numpy()
        onehot = (cat[:, None] == _CODES[None, :]).astype(float)
        f, d = scores[attribute]
        for name, member in parts:
            keep = member & onehot.any(axis=1) & (w > 0)
            if not keep.any():
                continue
            idx = np.flatnonzero(keep)
            stats = _stats(onehot[idx], f[idx], d[idx], w[idx])
            boot = np.array([_stats(onehot[s], f[s], d[s], w[s]) for s in
                             (rng.choice(idx, len(idx)) for _ in range(draws))]).reshape(draws, len(stats))
            row = _row(stats, boot, level, len(idx), float(kish_n(w[idx].sum(), (w[idx] ** 2).sum())))
            rows.append({"attribute": attribute, **({"group": name} if groups is not None else {}), **row})
    if not rows:
        raise SurveyError(f"kano: no respondent answered both questions of any attribute "
                          f"({len(excluded)} pair(s) left out)")
    table = pd.DataFrame(rows).set_index("attribute")
    return KanoResult(table=table, categories=categories, excluded=excluded, questions=questions, draws=draws,
                      level=level)
