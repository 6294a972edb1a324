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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check as _check
from .._validate.args import seed_arg
from ..errors import SurveyError
from ..evidence import settings_arg
from ..survey.answers import kish_n
from ..survey.audit import survey_first
from ..survey.instruments import KANO_ANSWERS as ANSWERS
from ..survey.instruments import KanoQuestions
from .pricing import (NOBODY, _parts, _section, conclude_versus, drawn_difference, instrument_args, instrument_docs,
                      too_small, versus_args)

__all__ = ["ANSWERS", "CATEGORIES", "EVALUATION", "KanoQuestions", "KanoResult", "kano", "compare_kano"]

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
        bootstrap bounds, and ``note`` (a group none of whose members answered both
        questions says so). Weighted, Fong's test counts Kish's effective n.
    categories : DataFrame
        Each respondent's category per attribute (missing where left out).
    excluded : DataFrame
        ``row``, ``attribute``, ``reason`` of every answer pair left out.
    questions : KanoQuestions
        The questions analysed.
    draws : int
        Bootstrap resamples behind the intervals.
    level : float
        Coverage of the intervals.
    """

    table: pd.DataFrame
    categories: pd.DataFrame
    excluded: pd.DataFrame
    questions: KanoQuestions
    draws: int
    level: float


def _categorise(data: pd.DataFrame, q: KanoQuestions):
    """Each respondent's category and continuous scores per attribute, and the pairs left out."""
    answers, excluded = q.screen(data)
    table = EVALUATION.to_numpy()
    cats, scores = {}, {}
    for attribute, (f, d) in answers.items():
        ok = (f >= 0) & (d >= 0)
        cat = np.full(len(data), None, dtype=object)
        cat[ok] = table[f[ok], d[ok]]
        cats[attribute] = cat
        scores[attribute] = (np.where(ok, _SCORES["functional"][f], 0.0), np.where(ok, _SCORES["dysfunctional"][d], 0.0))
    return pd.DataFrame(cats, index=data.index), scores, excluded


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


@survey_first("data", "codebook", "weights")
@instrument_docs
def kano(data: pd.DataFrame, questions: KanoQuestions | None = None, *, codebook=None, weights=None, by=None,
         draws: int = 1000, level: float = 0.95, random_state=None) -> KanoResult:
    """Kano categories and coefficients per attribute.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the functional and dysfunctional answers.
    questions : KanoQuestions or None
        The attributes' question pairs and the answer coding; None: the codebook's
        ``kano:`` section.
    {codebook}
        Read when ``questions`` is None.
    {weights}
    {by}
    {draws}
    {level}
    {random_state}

    Returns
    -------
    KanoResult
    """
    if questions is None:
        questions = _section(codebook, "kano", "Kano's questionnaire")
    _check.instance("questions", questions, KanoQuestions, "a KanoQuestions")
    data, w, groups, draws, level = instrument_args(data, weights, by, draws, level)
    rng = np.random.default_rng(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    categories, scores, excluded = _categorise(data, questions)
    parts = list(_parts(np.ones(len(data), bool), groups))
    rows = []
    for attribute in questions.pairs:
        cat = categories[attribute].to_numpy()
        onehot = (cat[:, None] == _CODES[None, :]).astype(float)
        f, d = scores[attribute]
        for name, member in parts:
            keep = member & onehot.any(axis=1) & (w > 0)
            if not keep.any():
                if name != "all":
                    rows.append({"attribute": attribute, "group": name, "n": 0, "note": NOBODY})
                continue
            idx = np.flatnonzero(keep)
            stats = _stats(onehot[idx], f[idx], d[idx], w[idx])
            boot = np.array([_stats(onehot[s], f[s], d[s], w[s]) for s in
                             (rng.choice(idx, len(idx)) for _ in range(draws))]).reshape(draws, len(stats))
            row = _row(stats, boot, level, len(idx), float(kish_n(w[idx].sum(), (w[idx] ** 2).sum())))
            rows.append({"attribute": attribute, **({"group": name} if groups is not None else {}), **row,
                         "note": ""})
    if not rows:
        raise SurveyError(f"kano: no respondent answered both questions of any attribute "
                          f"({len(excluded)} pair(s) left out)")
    table = pd.DataFrame(rows).set_index("attribute")
    return KanoResult(table=table, categories=categories, excluded=excluded, questions=questions, draws=draws,
                      level=level)


@survey_first("data", "codebook", "weights")
@instrument_docs
def compare_kano(data: pd.DataFrame, questions: KanoQuestions | None = None, *, by, codebook=None, weights=None,
                 draws: int = 1000, level: float = 0.95, random_state=None, settings=None) -> pd.DataFrame:
    """Each group's better and worse coefficients against the rest's, with the evidence.

    The group and the rest are resampled apart (``draws`` bootstrap draws each); the
    difference's interval is the percentile interval of the drawn differences, its p the
    two-sided bootstrap p, adjusted across the table (the evidence's ``adjust``). A
    difference is a **finding** only when its adjusted p is below ``alpha`` *and* it
    reaches ``min_kano_gap`` on the coefficient's 0-1 scale; otherwise it is withheld. A
    group (or its rest) with an effective size below ``min_group_n`` is not compared, and
    says so.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the functional and dysfunctional answers.
    questions : KanoQuestions or None
        The attributes' question pairs; None: the codebook's ``kano:`` section.
    by : str or Series
        The grouping (a column of ``data``, a segment per respondent).
    {codebook}
        Read when ``questions`` is None.
    {weights}
    {versus_draws}
    {versus_level}
    {random_state}
    {settings}

    Returns
    -------
    DataFrame
        One row per attribute, group and coefficient: ``attribute``, ``group``,
        ``coefficient`` (``better`` or ``worse``), ``n``, ``n_eff``, ``category`` (the
        group's), ``value``, ``rest_value``, ``diff``, ``ci_low``, ``ci_high``, ``p``,
        ``p_adj``, ``finding``, ``direction`` (``higher`` / ``lower``) and ``note``.
    """
    if questions is None:
        questions = _section(codebook, "kano", "Kano's questionnaire")
    _check.instance("questions", questions, KanoQuestions, "a KanoQuestions")
    data, w, groups, draws, level = instrument_args(data, weights, by, draws, level)
    versus_args(groups, draws)
    s = settings_arg(settings)
    rng = np.random.default_rng(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    categories, scores, _ = _categorise(data, questions)
    rows = []
    for attribute in questions.pairs:
        onehot = (categories[attribute].to_numpy()[:, None] == _CODES[None, :]).astype(float)
        answered = onehot.any(axis=1) & (w > 0)
        f, d = scores[attribute]
        for name in pd.unique(groups.dropna()):
            member = (groups == name).to_numpy(dtype=bool, na_value=False)
            rows += _kano_versus_rest(attribute, name, np.flatnonzero(answered & member),
                                      np.flatnonzero(answered & ~member), onehot, f, d, w, draws, level, rng, s)
    out = conclude_versus(pd.DataFrame(rows), s, effect="diff", floor="min_kano_gap")
    return out[["attribute", "group", "coefficient", "n", "n_eff", "category", "value", "rest_value", "diff",
                "ci_low", "ci_high", "p", "p_adj", "finding", "direction", "note"]]


def _kano_versus_rest(attribute, name, group, rest, onehot, f, d, w, draws, level, rng, s) -> list[dict]:
    """The two rows (better, worse) of one attribute and group against the rest."""
    sizes = [float(kish_n(w[i].sum(), (w[i] ** 2).sum())) if len(i) else 0.0 for i in (group, rest)]
    base = {"attribute": attribute, "group": name, "n": len(group), "n_eff": sizes[0], "category": "",
            "value": np.nan, "rest_value": np.nan, "diff": np.nan, "ci_low": np.nan, "ci_high": np.nan,
            "p": np.nan, "note": ""}
    note = too_small(sizes, s)
    if note:
        return [{**base, "coefficient": c, "note": note} for c in ("better", "worse")]
    mine, theirs = (_stats(onehot[i], f[i], d[i], w[i]) for i in (group, rest))
    drawn = np.array([_stats(onehot[a], f[a], d[a], w[a]) - _stats(onehot[b], f[b], d[b], w[b]) for a, b in
                      ((rng.choice(group, len(group)), rng.choice(rest, len(rest))) for _ in range(draws))])
    base["category"] = _row(mine, np.empty((0, len(mine))), level, len(group), sizes[0])["decided"]
    out = []
    for k, coefficient in ((6, "better"), (7, "worse")):
        diffs = drawn[:, k][np.isfinite(drawn[:, k])]
        row = {**base, "coefficient": coefficient, "value": mine[k], "rest_value": theirs[k],
               "diff": mine[k] - theirs[k]}
        if not np.isfinite(row["diff"]) or len(diffs) < 0.9 * draws:
            row["note"] = "the coefficient is not defined for the group or the rest in enough draws: not tested"
        else:
            row["ci_low"], row["ci_high"], row["p"] = drawn_difference(diffs, level)
        out.append(row)
    return out
