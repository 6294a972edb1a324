"""What price do customers accept? Van Westendorp's price sensitivity meter, its
Newton–Miller–Smith extension, and Gabor–Granger.

The money a customer gives is the sacrifice the seeds put first. The value scores measure
it as an attitude; these two instruments put a price on it:

* :func:`price_sensitivity`: **Van Westendorp** (1976). Four questions: at what price
  would the product be so cheap that you would doubt its quality (*too cheap*), a bargain
  (*cheap*), getting expensive (*expensive*), too expensive to consider (*too
  expensive*). Their weighted cumulative curves cross at the **point of marginal
  cheapness** (too cheap × not cheap), the **point of marginal expensiveness** (too
  expensive × not expensive), the **optimal price point** (too cheap × too expensive) and
  the **indifference price point** (cheap × expensive); the range of acceptable prices
  runs from the first to the second. With the **Newton–Miller–Smith** questions (how
  likely would you buy at your cheap price, at your expensive price), each respondent's
  purchase probability is drawn through their four prices and averaged into a **trial**
  curve; trial × price is **revenue** per respondent, and the prices maximising each are
  reported.
* :func:`gabor_granger`: **Gabor–Granger** (1966). Would you buy at this price, over a
  ladder of prices: the weighted share buying at each rung is demand, rung × demand is
  revenue per respondent, and the revenue-maximising rung is reported.

Every figure carries the respondents it rests on and a percentile bootstrap interval
(respondents resampled with their weights). The definitions follow R's
``pricesensitivitymeter`` (Alletsee; ``psm_analysis``, ``psm_analysis_weighted``): the
curves are evaluated at every price a respondent gave, a crossing is found by linear
interpolation between two such prices where the curves' difference changes sign (the
lowest when there are several), and a respondent's four prices must rise strictly.
``tests/analyse/test_pricing.py`` reproduces its price points on its documented example,
on overlapping answers with respondents left out, and on weighted data. One difference of
definition: R rounds a weighted analysis's price grid to cents; valuekit takes prices as
given.

Nobody is silently reordered or dropped: a respondent whose prices do not rise, who left
one out or gave one below zero is left out of the price points with that reason (the
result's ``excluded``), and one who did not answer a purchase-likelihood question (or
answered off its scale) is left out of the trial curve only.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import frame_arg, grouping_arg, seed_arg
from ..errors import ParameterError, SurveyError
from ..evidence import settings_arg
from ..survey.answers import below_base, kish_n, meets_base, survey_weights
from ..survey.audit import survey_first
from ..survey.codebook import codebook_arg
from ..survey.instruments import PRICE_QUESTIONS as _QUESTIONS
from ..survey.instruments import GaborGrangerLadder, PriceQuestions

__all__ = ["PriceQuestions", "PriceSensitivity", "GaborGranger", "price_sensitivity", "gabor_granger",
           "compare_price_points", "POINTS"]

#: The price points, in the order they are reported, and what each is.
POINTS = {
    "pmc": "point of marginal cheapness (too cheap × not cheap): the acceptable range's lower end",
    "opp": "optimal price point (too cheap × too expensive)",
    "ipp": "indifference price point (cheap × expensive)",
    "pme": "point of marginal expensiveness (too expensive × not expensive): the acceptable range's upper end",
    "max_trial": "the price most respondents would buy at (Newton–Miller–Smith trial)",
    "max_revenue": "the price with the most revenue per respondent (Newton–Miller–Smith)",
}
#: The curves each point is the crossing of (the narrower range's ends in ``_NARROWER``).
_CROSSINGS = {"pmc": ("not_cheap", "too_cheap"), "opp": ("too_expensive", "too_cheap"),
              "ipp": ("expensive", "cheap"), "pme": ("too_expensive", "not_expensive")}
_NARROWER = {"pmc": ("expensive", "too_cheap"), "pme": ("too_expensive", "cheap")}
#: Curves' differences closer to zero than this are taken as touching (zero), so that a
#: crossing is the same on every machine whatever the last bit of a weighted share.
_TOUCH = 1e-12

#: The parameters the pricing and Kano analyses share, in one wording.
instrument_docs = share_docs(
    draws="""\
draws : int, default 1000
    Bootstrap resamples for the intervals (0: none): respondents drawn with replacement,
    keeping their weights.""",
    level="""\
level : float, default 0.95
    Coverage of the intervals (percentile intervals of the draws).""",
    versus_draws="""\
draws : int, default 1000
    Bootstrap resamples of each group and of its rest (at least 100).""",
    versus_level="""\
level : float, default 0.95
    Coverage of the difference's interval.""",
    by="""\
by : str, Series or None, optional
    A grouping (a column of ``data``, or a Series on its index): the results per group as
    well as for everyone, with a ``group`` column ("all" for everyone).""",
)


@dataclass(frozen=True)
class PriceSensitivity:
    """The result of :func:`price_sensitivity`.

    Attributes
    ----------
    points : DataFrame
        One row per price point (index ``POINTS``' keys; per group under ``by``, with a
        ``group`` column): ``price`` (NaN only where ``note`` says why), ``low``, ``high``
        (its percentile bootstrap interval), ``defined`` (the share of bootstrap draws in
        which the point exists), ``n`` (respondents it rests on), ``n_eff`` (Kish),
        ``value`` (trial share or revenue per respondent at the two Newton–Miller–Smith
        prices), ``note``.
    curves : DataFrame
        The curves at every price given (``price``, ``too_cheap``, ``not_cheap``,
        ``cheap``, ``expensive``, ``not_expensive``, ``too_expensive``; ``trial`` and
        ``revenue`` with the likelihood questions), shares from 0 to 1.
    excluded : DataFrame
        Every respondent left out: ``row`` (the data's index label), ``reason``, and
        ``analysis`` ("price points", or "trial" for one left out of the trial curve only).
    n : int
        Respondents in the price points.
    n_trial : int
        Respondents in the trial curve (both likelihood questions answered on their scale).
    total : int
        Respondents given (``data``'s rows).
    questions : PriceQuestions
        The questions analysed.
    acceptable : str
        The acceptable range's definition (``"original"`` or ``"narrower"``).
    draws : int
        Bootstrap resamples behind the intervals.
    level : float
        Coverage of the intervals.
    """

    points: pd.DataFrame
    curves: pd.DataFrame
    excluded: pd.DataFrame
    n: int
    n_trial: int
    total: int
    questions: PriceQuestions
    acceptable: str
    draws: int
    level: float

    @property
    def acceptable_range(self) -> tuple[float, float]:
        """(lowest, highest) acceptable price: the points of marginal cheapness and expensiveness."""
        first = self.points[~self.points.index.duplicated()]
        return float(first.loc["pmc", "price"]), float(first.loc["pme", "price"])


# -- the curves --------------------------------------------------------------------------------------

class _Sums:
    """Every sum the curves need, as one sparse matrix over the respondents, built once.

    Rows: each question's weight at each grid price (the grid is every price a kept
    respondent gave), each Newton–Miller–Smith slope change at each grid price, then the
    trial curve's start, the total weight and the trial total. The sums for a reweighting
    of the respondents (a bootstrap draw's multiplicities) are one sparse product, so a
    thousand draws cost about what a few passes over the data do.
    """

    def __init__(self, prices: np.ndarray, q: PriceQuestions, w: np.ndarray, buy: np.ndarray | None):
        n = len(w)
        self.asked = [j for j, c in enumerate(q.prices) if c is not None]
        self.grid = np.unique(prices[:, self.asked])
        G = self.G = len(self.grid)
        codes = {j: np.searchsorted(self.grid, prices[:, j]) for j in self.asked}
        rows = [j * G + codes[j] for j in self.asked]
        vals = [w] * len(self.asked)
        w_trial = np.zeros(n)
        if buy is not None:
            w_trial = np.where(np.isnan(buy).any(axis=1), 0.0, w)
            start, changes = self._knots(prices, q, np.nan_to_num(buy))
            rows += [(4 + j) * G + codes[j] for j in changes]
            vals += [w_trial * s for s in changes.values()]
            rows.append(np.full(n, 8 * G))
            vals.append(w_trial * start)
        rows += [np.full(n, 8 * G + 1), np.full(n, 8 * G + 2)]
        vals += [w, w_trial]
        import scipy.sparse  # deferred: scipy (about 0.2 s) only for the analyses that need it

        self.matrix = scipy.sparse.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.tile(np.arange(n), len(rows)))), shape=(8 * G + 3, n))

    @staticmethod
    def _knots(prices, q: PriceQuestions, buy) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Each respondent's purchase probability as a start value plus slope changes at their
        prices: p(x) = c + sum_k s_k * max(0, x - t_k), constant before the first and after
        the last price (R's ``approx(rule = 2)``)."""
        cols = [0, 1, 2, 3] if q.too_cheap is not None else [1, 2, 3]
        values = {0: np.full(len(buy), q.at_too_cheap), 1: buy[:, 0], 2: buy[:, 1],
                  3: np.full(len(buy), q.at_too_expensive)}
        v = np.column_stack([values[c] for c in cols])
        slopes = np.diff(v, axis=1) / np.diff(prices[:, cols], axis=1)
        change = np.diff(slopes, axis=1, prepend=0.0, append=0.0)
        return v[:, 0], {c: change[:, k] for k, c in enumerate(cols)}

    def of(self, multiplicity: np.ndarray | None = None) -> np.ndarray:
        """The sums (one row per draw) for respondents counted ``multiplicity`` times
        (draws x respondents); None: each once."""
        if multiplicity is None:
            return np.asarray(self.matrix.sum(axis=1)).T
        return (self.matrix @ multiplicity.T).T

    def curves(self, sums: np.ndarray, trial: bool) -> dict[str, np.ndarray]:
        """The curves at the grid prices someone in ``sums`` gave: the weighted cumulative
        share of each question as R's ``ecdf`` (or ``survey::svycdf``) with its ends set (0
        up to the lowest answer, 1 from the highest), and the trial and revenue curves."""
        G = self.G
        shares, present = {}, np.zeros(G, bool)
        for j in self.asked:
            counts = sums[j * G:(j + 1) * G]
            given = np.flatnonzero(counts > 0)
            present[given] = True
            cum = np.cumsum(counts) / sums[8 * G + 1]
            cum[: given[0] + 1] = 0.0
            cum[given[-1]:] = 1.0
            shares[_QUESTIONS[j]] = cum
        out = {"price": self.grid[present], **_curves({k: v[present] for k, v in shares.items()})}
        if trial and sums[8 * G + 2] > 0:
            a = sums[4 * G:8 * G].reshape(4, G).sum(axis=0)
            curve = (sums[8 * G] + self.grid * np.cumsum(a) - np.cumsum(a * self.grid)) / sums[8 * G + 2]
            out["trial"] = curve[present]
            out["revenue"] = out["trial"] * out["price"]
        return out


def _curves(shares: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The six curves of the price sensitivity chart from the four cumulative shares."""
    out = {}
    if "too_cheap" in shares:
        out["too_cheap"] = 1 - shares["too_cheap"]
    out["not_cheap"] = shares["cheap"]
    out["cheap"] = 1 - shares["cheap"]
    out["expensive"] = shares["expensive"]
    out["not_expensive"] = 1 - shares["expensive"]
    out["too_expensive"] = shares["too_expensive"]
    return out


def _crossing(price: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """The lowest price where curves ``a`` and ``b`` cross or touch, linearly interpolated
    between the two grid prices around the change of sign of ``a - b``; NaN if never."""
    d = a - b
    d[np.abs(d) < _TOUCH] = 0.0
    change = np.flatnonzero(np.diff(np.sign(d)))
    if not change.size:
        return math.nan
    i = change[0]
    x1, x2, y1, y2 = price[i], price[i + 1], d[i], d[i + 1]
    return float(x1 - y1 * (x2 - x1) / (y2 - y1)) if y2 != y1 else float((x1 + x2) / 2)


def _points(price: np.ndarray, curves: dict, acceptable: str) -> dict[str, float]:
    pairs = {**_CROSSINGS, **(_NARROWER if acceptable == "narrower" else {})}
    return {k: (_crossing(price, curves[a], curves[b]) if a in curves and b in curves else math.nan)
            for k, (a, b) in pairs.items()}


# -- the analysis ------------------------------------------------------------------------------------

def _analyse(prices, buy, w, q: PriceQuestions, acceptable: str, draws: int, seed) -> tuple:
    """Points and curves of one group of kept respondents, and the points of ``draws``
    bootstrap resamples of them (respondents drawn with replacement, keeping their weights).

    The draws come in blocks, each from its own child of ``seed`` (a SeedSequence), so the
    intervals are the same whatever the number of threads that compute the blocks."""
    sums = _Sums(prices, q, w, buy)
    curves = sums.curves(sums.of()[0], buy is not None)
    estimate = _estimate(curves, acceptable, buy is not None)
    n, trial = len(w), buy is not None
    block = max(1, min(32, 4_000_000 // max(n, 1)))
    starts = range(0, draws, block)

    def run(start, child):
        rng = np.random.default_rng(child)
        m = np.empty((min(block, draws - start), n))
        for row in m:
            row[:] = np.bincount(rng.integers(0, n, n), minlength=n)
        return [[est[k] for k in estimate] for est in (_estimate(sums.curves(r, trial), acceptable, trial)
                                                        for r in sums.of(m))]

    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        rows = [r for part in pool.map(run, starts, seed.spawn(len(starts))) for r in part]
    boot = np.array(rows, dtype=float).reshape(draws, len(estimate))
    return estimate, pd.DataFrame(curves), boot


def _workers() -> int:
    """Threads for the bootstrap blocks: NumPy's and SciPy's kernels release the GIL."""
    return max(1, min(4, os.cpu_count() or 1))


def _estimate(curves: dict, acceptable: str, trial: bool) -> dict[str, float]:
    """The price points of one set of curves (and the trial and revenue maxima)."""
    est = _points(curves["price"], curves, acceptable)
    if trial:
        est.update(max_trial=math.nan, max_revenue=math.nan, trial_value=math.nan, revenue_value=math.nan)
        if "trial" in curves:
            i, j = int(np.argmax(curves["trial"])), int(np.argmax(curves["revenue"]))
            est.update(max_trial=float(curves["price"][i]), max_revenue=float(curves["price"][j]),
                       trial_value=float(curves["trial"][i]), revenue_value=float(curves["revenue"][j]))
    return est


def _interval(boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile interval of each column over the draws in which it exists, and the share of
    draws in which it does."""
    if not len(boot):
        nan = np.full(boot.shape[1], np.nan)
        return nan, nan, nan
    defined = np.isfinite(boot).mean(axis=0)
    tail = (1 - level) / 2 * 100
    low, high = np.full(boot.shape[1], np.nan), np.full(boot.shape[1], np.nan)
    some = defined > 0
    low[some], high[some] = np.nanpercentile(boot[:, some], [tail, 100 - tail], axis=0)
    return low, high, defined


def _note(key: str, price: float, q: PriceQuestions, n_trial: int) -> str:
    if np.isfinite(price):
        return ""
    if key in ("pmc", "opp") and q.too_cheap is None:
        return "too cheap was not asked"
    if key in ("max_trial", "max_revenue") and not n_trial:
        return "nobody answered both purchase-likelihood questions"
    return "the curves do not cross"


def _table(estimate: dict, boot: np.ndarray, level: float, q: PriceQuestions, n: int, n_eff: float,
           n_trial: int, n_trial_eff: float) -> pd.DataFrame:
    keys = [k for k in POINTS if k in estimate]
    low, high, defined = _interval(boot[:, : len(keys)], level)
    rows = []
    for i, k in enumerate(keys):
        trial = k in ("max_trial", "max_revenue")
        price = estimate[k]
        rows.append({"point": k, "price": price, "low": low[i] if np.isfinite(price) else np.nan,
                     "high": high[i] if np.isfinite(price) else np.nan, "defined": defined[i],
                     "n": n_trial if trial else n, "n_eff": n_trial_eff if trial else n_eff,
                     "value": estimate.get("trial_value" if k == "max_trial" else "revenue_value", np.nan)
                     if trial else np.nan,
                     "note": _note(k, price, q, n_trial)})
    return pd.DataFrame(rows).set_index("point")


@survey_first("data", "codebook", "weights")
@instrument_docs
def price_sensitivity(data: pd.DataFrame, questions: PriceQuestions | None = None, *, codebook=None, weights=None,
                      by=None, acceptable: str = "original", draws: int = 1000, level: float = 0.95,
                      random_state=None) -> PriceSensitivity:
    """Van Westendorp's price points, with Newton–Miller–Smith trial and revenue when asked.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the price answers (numbers, in one currency).
    questions : PriceQuestions or None
        Which columns hold the four prices (and the likelihood questions); None: the
        codebook's ``pricing:`` section.
    {codebook}
        Read when ``questions`` is None.
    {weights}
    {by}
    acceptable : {{"original", "narrower"}}, default "original"
        The acceptable range's ends: Van Westendorp's (not cheap × too cheap, too expensive
        × not expensive) or the narrower reading (expensive × too cheap, too expensive ×
        cheap).
    {draws}
    {level}
    {random_state}

    Returns
    -------
    PriceSensitivity
    """
    if questions is None:
        questions = _section(codebook, "pricing", "Van Westendorp's price sensitivity meter")
    _check.instance("questions", questions, PriceQuestions, "a PriceQuestions")
    data, w, groups, draws, level = instrument_args(data, weights, by, draws, level)
    acceptable = _check.choice("acceptable", acceptable, ("original", "narrower"))
    seed = _seed_sequence(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    kept, prices, buy, excluded = questions.screen(data, w)
    if not kept.any():
        raise SurveyError(f"price_sensitivity: none of the {len(data)} respondents can be analysed "
                          f"({_reasons(excluded)}); the price points need at least one respondent whose "
                          "prices rise from too cheap to too expensive")
    tables, curves = [], None
    for name, rows in _parts(kept, groups):
        if not rows.any():
            keys = [k for k in POINTS if questions.has_trial or k not in ("max_trial", "max_revenue")]
            tables.append(pd.DataFrame({"group": name, "price": np.nan, "low": np.nan, "high": np.nan,
                                        "defined": np.nan, "n": 0, "n_eff": 0.0, "value": np.nan, "note": NOBODY},
                                       index=pd.Index(keys, name="point")))
            continue
        b = None if buy is None else buy[rows]
        estimate, c, boot = _analyse(prices[rows], b, w[rows], questions, acceptable, draws, seed)
        wt = w[rows] if b is None else np.where(np.isnan(b).any(axis=1), 0.0, w[rows])
        table = _table(estimate, boot, level, questions, int(rows.sum()), float(kish_n(w[rows].sum(),
                       (w[rows] ** 2).sum())), int((wt > 0).sum()) if b is not None else 0,
                       float(kish_n(wt.sum(), (wt ** 2).sum())) if b is not None and wt.any() else 0.0)
        if groups is not None:
            table.insert(0, "group", name)
        tables.append(table)
        curves = c if curves is None else curves
    n_trial = int((~np.isnan(buy[kept]).any(axis=1)).sum()) if buy is not None else 0
    return PriceSensitivity(points=pd.concat(tables), curves=curves, excluded=excluded, n=int(kept.sum()),
                            n_trial=n_trial, total=len(data), questions=questions, acceptable=acceptable,
                            draws=draws, level=level)


def _seed_sequence(random_state) -> np.random.SeedSequence:
    """A SeedSequence from a seed, a Generator (its next draw seeds it) or None (fresh entropy)."""
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63)))
    return np.random.SeedSequence(random_state)


def _reasons(excluded: pd.DataFrame) -> str:
    counts = excluded["reason"].value_counts()
    return "; ".join(f"{reason}: {k}" for reason, k in counts.items())


# -- Gabor–Granger -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class GaborGranger:
    """The result of :func:`gabor_granger`.

    Attributes
    ----------
    table : DataFrame
        One row per rung of the ladder (per group under ``by``, with a ``group`` column):
        ``price``, ``column``, ``demand`` (weighted share buying, or mean purchase
        probability), ``revenue`` (price × demand, per respondent), each with ``_low`` and
        ``_high`` bootstrap bounds, ``best_share`` (the share of draws in which the rung
        earns most), ``n`` and ``n_eff``.
    best : DataFrame
        Per group: ``price`` (the rung earning most), ``low`` and ``high`` (its percentile
        bootstrap interval among the rungs), ``share`` (of draws agreeing), ``revenue``,
        ``n``, ``n_eff`` and ``note`` (when the best rung is the lowest or highest asked, the
        price earning most may lie beyond the ladder).
    excluded : DataFrame
        ``row`` and ``reason`` of every respondent left out.
    n : int
        Respondents analysed.
    total : int
        Respondents given (``data``'s rows).
    draws : int
        Bootstrap resamples behind the intervals.
    level : float
        Coverage of the intervals.
    """

    table: pd.DataFrame
    best: pd.DataFrame
    excluded: pd.DataFrame
    n: int
    total: int
    draws: int
    level: float


@survey_first("data", "codebook", "weights")
@instrument_docs
def gabor_granger(data: pd.DataFrame, ladder: GaborGrangerLadder | Mapping | None = None, *, codebook=None,
                  weights=None, by=None, draws: int = 1000, level: float = 0.95,
                  random_state=None) -> GaborGranger:
    """Demand and revenue over a ladder of prices, and the price earning most.

    A respondent is left out, with the reason, when a rung is unanswered and their other
    answers do not imply it (an adaptive ladder: one who buys at a price buys at every
    lower one, one who would not buy at a price buys at no higher one), when an answer is
    off the coding, or when they would buy at a price but not at a lower one.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per rung of the ladder.
    ladder : GaborGrangerLadder, mapping of price to column, or None
        The prices asked and the column of each (a mapping: answers 1 for yes, 0 for no);
        None: the codebook's ``gabor_granger:`` section.
    {codebook}
        Read when ``ladder`` is None.
    {weights}
    {by}
    {draws}
    {level}
    {random_state}

    Returns
    -------
    GaborGranger
    """
    if ladder is None:
        ladder = _section(codebook, "gabor_granger", "a Gabor–Granger ladder")
    elif not isinstance(ladder, GaborGrangerLadder):
        ladder = GaborGrangerLadder(ladder)
    data, w, groups, draws, level = instrument_args(data, weights, by, draws, level)
    rng = np.random.default_rng(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    kept, filled, excluded = ladder.screen(data, w)
    if not kept.any():
        raise SurveyError(f"gabor_granger: none of the {len(data)} respondents can be analysed "
                          f"({_reasons(excluded)})")
    prices = np.array(ladder.prices)
    tables, bests = [], []
    for name, rows in _parts(kept, groups):
        if not rows.any():
            tables.append(pd.DataFrame({"group": name, "price": prices, "column": ladder.columns, "n": 0}))
            bests.append(pd.DataFrame([{"group": name, "price": np.nan, "n": 0, "note": NOBODY}]))
            continue
        t, b = _ladder_group(filled[rows], w[rows], prices, ladder.columns, draws, level, rng)
        if groups is not None:
            t.insert(0, "group", name)
            b.insert(0, "group", name)
        tables.append(t)
        bests.append(b)
    return GaborGranger(table=pd.concat(tables, ignore_index=True), best=pd.concat(bests, ignore_index=True),
                        excluded=excluded, n=int(kept.sum()), total=len(data), draws=draws, level=level)


def instrument_args(data, weights, by, draws, level):
    """The arguments the pricing and Kano analyses share, checked: the data, the weights
    (a column name or values), the grouping, the draws and the level."""
    data = frame_arg("data", data, "a DataFrame of survey answers")
    draws = _check.integer("draws", draws, min=0)
    level = _check.fraction("level", level)
    if isinstance(weights, str):
        weights = grouping_arg("weights", weights, data.index, {"data": data})
    w = survey_weights(weights, len(data), index=data.index)
    return data, w, grouping_arg("by", by, data.index, {"data": data}), draws, level


def _parts(kept: np.ndarray, groups: pd.Series | None):
    """("all", everyone kept), then each group's kept respondents (none, for a group whose
    every member is left out: the caller says so in the group's rows)."""
    yield "all", kept
    if groups is not None:
        for g in pd.unique(groups.dropna()):
            yield g, kept & (groups == g).to_numpy(dtype=bool, na_value=False)


#: What a group's rows say when none of its members can be analysed.
NOBODY = "nobody in this group can be analysed (each member is in excluded, with the reason)"


def _section(codebook, name: str, what: str):
    """The codebook's instrument section ``name``; a clear error when there is none."""
    if codebook is None:
        raise ParameterError(f"{name}: give the questions, or a codebook (or survey) with a '{name}:' section",
                             name="codebook")
    codebook = codebook_arg("codebook", codebook)
    section = getattr(codebook, name)
    if section is None:
        raise SurveyError(f"{codebook.source}: this survey has no '{name}:' section, so {what} was not measured; "
                          "see the codebook reference for how to name its questions")
    return section


def _ladder_group(p: np.ndarray, w: np.ndarray, prices, columns, draws, level, rng):
    n = len(w)
    demand = w @ p / w.sum()
    revenue = demand * prices
    boot = np.empty((draws, len(prices)))
    for b in range(draws):
        m = np.bincount(rng.integers(0, n, n), minlength=n) * w
        boot[b] = m @ p / m.sum()
    tail = (1 - level) / 2 * 100
    low, high = (np.percentile(boot, [tail, 100 - tail], axis=0) if draws else
                 (np.full(len(prices), np.nan), np.full(len(prices), np.nan)))
    best_draw = np.argmax(boot * prices, axis=1)
    share = np.bincount(best_draw, minlength=len(prices)) / draws if draws else np.full(len(prices), np.nan)
    n_eff = float(kish_n(w.sum(), (w ** 2).sum()))
    table = pd.DataFrame({"price": prices, "column": columns, "demand": demand, "demand_low": low,
                          "demand_high": high, "revenue": revenue, "revenue_low": low * prices,
                          "revenue_high": high * prices, "best_share": share, "n": n, "n_eff": n_eff})
    i = int(np.argmax(revenue))
    lo, hi = (np.percentile(prices[best_draw], [tail, 100 - tail], method="inverted_cdf") if draws
              else (np.nan, np.nan))
    edge = ("the lowest price asked: the price earning most may lie below the ladder" if i == 0 else
            "the highest price asked: the price earning most may lie above the ladder" if i == len(prices) - 1 else "")
    best = pd.DataFrame([{"price": prices[i], "low": lo, "high": hi, "share": share[i], "revenue": revenue[i],
                          "n": n, "n_eff": n_eff, "note": edge}])
    return table, best


# -- groups against the rest -------------------------------------------------------------------------

@survey_first("data", "codebook", "weights")
@instrument_docs
def compare_price_points(data: pd.DataFrame, questions: PriceQuestions | None = None, *, by, codebook=None,
                         weights=None, acceptable: str = "original", draws: int = 1000, level: float = 0.95,
                         random_state=None, settings=None) -> pd.DataFrame:
    """Each group's price points against the rest of the sample's, with the evidence.

    The group and the rest are resampled apart (``draws`` bootstrap draws each, with their
    weights); the difference's interval is the percentile interval of the drawn
    differences, its p the two-sided bootstrap p (the share of drawn differences on the
    other side of zero, doubled, with the draw itself counted), adjusted across the table
    (the evidence's ``adjust``). A difference is a **finding** only when its adjusted p is
    below ``alpha`` *and* it reaches ``min_price_gap`` of the rest's price (the effect
    size: the difference as a share of the rest's point); otherwise it is withheld. A
    group (or its rest) with an effective size below ``min_group_n`` is not compared, and
    says so.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the price answers.
    questions : PriceQuestions or None
        The price questions; None: the codebook's ``pricing:`` section.
    by : str or Series
        The grouping (a column of ``data``, a segment per respondent).
    {codebook}
        Read when ``questions`` is None.
    {weights}
    acceptable : {{"original", "narrower"}}, default "original"
        The acceptable range's ends, as :func:`price_sensitivity`.
    {versus_draws}
    {versus_level}
    {random_state}
    {settings}

    Returns
    -------
    DataFrame
        One row per group and point: ``group``, ``point``, ``n``, ``n_eff``, ``price``,
        ``rest_price``, ``diff``, ``ci_low``, ``ci_high``, ``relative`` (diff / rest price),
        ``p``, ``p_adj``, ``finding``, ``direction`` (``higher`` / ``lower`` for a finding)
        and ``note``.
    """
    if questions is None:
        questions = _section(codebook, "pricing", "Van Westendorp's price sensitivity meter")
    _check.instance("questions", questions, PriceQuestions, "a PriceQuestions")
    data, w, groups, draws, level = instrument_args(data, weights, by, draws, level)
    versus_args(groups, draws)
    acceptable = _check.choice("acceptable", acceptable, ("original", "narrower"))
    s = settings_arg(settings)
    seed = _seed_sequence(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    kept, prices, buy, _ = questions.screen(data, w)
    rows = []
    for name in pd.unique(groups.dropna()):
        member = (groups == name).to_numpy(dtype=bool, na_value=False)
        rows += _versus_rest(name, kept & member, kept & ~member, prices, buy, w, questions, acceptable, draws,
                             level, seed, s)
    out = conclude_versus(pd.DataFrame(rows), s, effect="relative", floor="min_price_gap")
    columns = ["group", "point", "n", "n_eff", "price", "rest_price", "diff", "ci_low", "ci_high", "relative", "p",
               "p_adj", "finding", "direction", "note"]
    return out[columns]


def _versus_rest(name, group, rest, prices, buy, w, q, acceptable, draws, level, seed, s) -> list[dict]:
    """The rows of one group against the rest: the points, their drawn differences, the p."""
    sizes = [float(kish_n(w[m].sum(), (w[m] ** 2).sum())) if m.any() else 0.0 for m in (group, rest)]
    note = too_small(sizes, s)
    if note:
        keys = [k for k in POINTS if q.has_trial or k not in ("max_trial", "max_revenue")]
        return [{"group": name, "point": k, "n": int(group.sum()), "n_eff": sizes[0], "price": np.nan,
                 "rest_price": np.nan, "diff": np.nan, "ci_low": np.nan, "ci_high": np.nan, "relative": np.nan,
                 "p": np.nan, "note": note} for k in keys]
    (est_g, _, boot_g), (est_r, _, boot_r) = (
        _analyse(prices[m], None if buy is None else buy[m], w[m], q, acceptable, draws, seed) for m in (group, rest))
    keys = [k for k in POINTS if k in est_g]
    out = []
    for j, k in enumerate(keys):
        diff = est_g[k] - est_r[k]
        drawn = boot_g[:, j] - boot_r[:, j]
        drawn = drawn[np.isfinite(drawn)]
        row = {"group": name, "point": k, "n": int(group.sum()), "n_eff": sizes[0], "price": est_g[k],
               "rest_price": est_r[k], "diff": diff, "ci_low": np.nan, "ci_high": np.nan,
               "relative": diff / est_r[k] if np.isfinite(diff) and est_r[k] else np.nan, "p": np.nan, "note": ""}
        if not np.isfinite(diff):
            row["note"] = "the point does not exist for the group or the rest"
        elif len(drawn) < 0.9 * draws:
            row["note"] = f"the point exists in only {len(drawn)} of {draws} drawn pairs: not tested"
        else:
            row["ci_low"], row["ci_high"], row["p"] = drawn_difference(drawn, level)
        out.append(row)
    return out


# -- what the group comparisons of the pricing and Kano analyses share ----------------------------------

def versus_args(groups: pd.Series | None, draws: int) -> None:
    """A comparison of groups needs a grouping, and enough draws for a bootstrap p."""
    if groups is None:
        raise ParameterError("by: expected a grouping (a column name or one group per respondent), got None",
                             name="by")
    if draws < 100:
        raise ParameterError(f"draws: a bootstrap p needs at least 100 draws, got {draws}", name="draws")


def too_small(sizes: list[float], settings) -> str:
    """Why a group and its rest (their Kish sizes) are not compared, or "" when both reach
    ``min_group_n`` (judged at 1e-9 precision, not by the last bit)."""
    if not below_base(min(sizes), settings["min_group_n"]):
        return ""
    return (f"fewer than {settings['min_group_n']} effective respondents in the group or the rest "
            f"({sizes[0]:.0f} and {sizes[1]:.0f}): not compared")


def drawn_difference(drawn: np.ndarray, level: float) -> tuple[float, float, float]:
    """The percentile interval of drawn differences and their two-sided bootstrap p: the
    share on the other side of zero, doubled, the observed draw counted (never 0)."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(drawn, [tail, 100 - tail])
    below, above = (1 + (drawn <= 0).sum()) / (len(drawn) + 1), (1 + (drawn >= 0).sum()) / (len(drawn) + 1)
    return float(low), float(high), min(1.0, 2 * min(below, above))


def conclude_versus(out: pd.DataFrame, settings, *, effect: str, floor: str) -> pd.DataFrame:
    """Adjust the table's p across it (the evidence's ``adjust``) and decide each row: a
    ``finding`` when the adjusted p is below ``alpha`` and ``|effect|`` reaches the evidence
    floor ``floor`` (at 1e-9 precision), with its ``direction``."""
    from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

    tested = out["p"].notna().to_numpy()
    out["p_adj"] = np.nan
    if tested.any():
        p = out.loc[tested, "p"].to_numpy()
        out.loc[tested, "p_adj"] = p if settings["adjust"] == "none" else multipletests(p, method=settings["adjust"])[1]
    out["finding"] = (out["p_adj"] < settings["alpha"]) & meets_base(out[effect].abs(), settings[floor])
    out["direction"] = np.where(out["finding"], np.where(out["diff"] > 0, "higher", "lower"), "")
    return out
