"""Price points beside the value model: does a group that accepts other prices feel money otherwise?

:func:`demand_at` reads the Newton–Miller–Smith trial curve at the prices a what-if moves
between (the share who would buy, and the revenue per respondent, with bootstrap
intervals, and whether each price lies in the acceptable range), to set beside the value
ratio's change the what-if engine predicts for the same move.

:func:`price_beside_value` sets each group's price point (Van Westendorp's, by default the
optimal price point) beside its money sacrifice and its economic dimension (the value
scores of :class:`valuekit.measure.scoring.ValueScorer`), each against the rest of the
sample with its evidence: the price difference from
:func:`~valuekit.analyse.pricing.compare_price_points` (bootstrap interval, adjusted p, the
``min_price_gap`` floor), the two scores' from
:func:`~valuekit.analyse.significance.compare_groups` (design-based interval, adjusted p,
Hedges' g and the ``min_effect`` floor). A difference that does not pass is withheld: its
direction is empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import check as _check
from .._validate.args import frame_arg, named_as, seed_arg
from ..errors import ParameterError, SurveyError
from ..survey.answers import kish_n, meets_base
from ..survey.audit import survey_first
from ..survey.instruments import PriceQuestions
from .pricing import (POINTS, _section, _seed_sequence, _Sums, compare_price_points, instrument_args, instrument_docs,
                      price_sensitivity)
from .significance import compare_groups

__all__ = ["demand_at", "price_beside_value"]

#: The blocks a price is set beside: the money sacrifice and the economic dimension (seed 000).
BLOCKS = ("money", "economic")


@survey_first("data", "codebook", "weights", "design")
@instrument_docs
def price_beside_value(data: pd.DataFrame, scores: pd.DataFrame, *, by, codebook=None, weights=None, design=None,
                       point: str = "opp", draws: int = 1000, level: float = 0.95, random_state=None,
                       settings=None) -> pd.DataFrame:
    """Each group's price point beside its money sacrifice and economic dimension, with their evidence.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the price answers.
    {scores}
        The value scores of the same respondents (``money`` and ``economic`` are read; a
        block the codebook does not have is left out).
    by : str or Series
        The grouping (a column of ``data``, or a segment per respondent).
    {codebook}
    {weights}
    {design}
        Read by the comparison of the scores (the price comparison resamples respondents
        with their weights).
    point : str, default "opp"
        The price point shown: ``pmc``, ``opp``, ``ipp``, ``pme`` (or ``max_trial``,
        ``max_revenue`` with the Newton–Miller–Smith questions).
    {versus_draws}
    level : float, default 0.95
        Coverage of the intervals.
    {random_state}
    {settings}

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``n`` (respondents in the price analysis),
        ``price`` with ``low`` and ``high`` (its bootstrap interval), ``rest_price``,
        ``relative`` (the difference as a share of the rest's), ``price_p_adj``,
        ``price_vs_rest`` (``higher`` / ``lower`` for a finding, else empty); then for
        each of ``money`` and ``economic``: ``<block>_score`` (the group's weighted mean
        score) with ``_score_low`` and ``_score_high`` (its interval), ``_g`` (Hedges' g
        against the rest), ``_p_adj`` and ``_vs_rest``; and
        ``note`` (why a group is not compared).
    """
    scores = frame_arg("scores", scores, "a DataFrame of value scores (ValueScorer output)")
    point = _check.choice("point", point, POINTS)
    blocks = [b for b in BLOCKS if b in scores.columns]
    if not blocks:
        raise ParameterError(f"scores: neither the money sacrifice nor the economic dimension is scored (columns "
                             f"{list(scores.columns)[:8]}); nothing to set the price beside", name="scores")
    groups = data[by] if isinstance(by, str) and by in data.columns else by
    groups = groups if isinstance(groups, pd.Series) or groups is None else pd.Series(groups, index=data.index)
    options = dict(codebook=codebook, weights=weights, draws=draws, level=level, random_state=random_state)
    versus = compare_price_points(data, by=groups, settings=settings, **options)
    versus = versus[versus["point"] == point].set_index("group")
    if versus.empty:
        raise ParameterError(f"point: {point!r} is not computed for this survey (max_trial and max_revenue need "
                             "the Newton–Miller–Smith questions)", name="point")
    own = price_sensitivity(data, by=groups, **options).points.reset_index()
    own = own[(own["point"] == point) & (own["group"].astype(str) != "all")].set_index("group")
    table = compare_groups(scores[blocks], {"group": groups}, codebook=codebook, weights=weights, design=design,
                           settings=settings)
    rows = []
    for name, row in versus.iterrows():
        out = {"group": name, "n": int(row["n"]), "price": row["price"],
               "low": own.loc[name, "low"] if name in own.index else float("nan"),
               "high": own.loc[name, "high"] if name in own.index else float("nan"),
               "rest_price": row["rest_price"], "relative": row["relative"], "price_p_adj": row["p_adj"],
               "price_vs_rest": row["direction"]}
        for block in blocks:
            hit = table[(table["group"].astype(str) == str(name)) & (table["measure"] == block)]
            r = hit.iloc[0] if len(hit) else None
            out.update({f"{block}_score": r["group_value"] if r is not None else float("nan"),
                        f"{block}_score_low": r["group_ci_low"] if r is not None else float("nan"),
                        f"{block}_score_high": r["group_ci_high"] if r is not None else float("nan"),
                        f"{block}_g": r["effect"] if r is not None else float("nan"),
                        f"{block}_p_adj": r["p_adj"] if r is not None else float("nan"),
                        f"{block}_vs_rest": r["direction"] if r is not None else ""})
        out["note"] = row["note"]
        rows.append(out)
    return pd.DataFrame(rows).sort_values("group", key=lambda g: g.astype(str), kind="stable").reset_index(drop=True)


@survey_first("data", "codebook", "weights")
@instrument_docs
def demand_at(data: pd.DataFrame, prices, questions: PriceQuestions | None = None, *, codebook=None, weights=None,
              draws: int = 1000, level: float = 0.95, random_state=None) -> pd.DataFrame:
    """The Newton–Miller–Smith trial share and revenue at given prices, with their intervals.

    Each respondent's purchase probability runs linearly through their four prices (the
    codebook's calibration at the cheap and expensive price, ``at_too_cheap`` and
    ``at_too_expensive`` at the two ends, constant beyond them, as
    :func:`~valuekit.analyse.pricing.price_sensitivity`'s trial curve); the trial share at a
    price is its weighted mean, the revenue per respondent that share times the price. The
    intervals are percentile bootstrap intervals (respondents resampled with their
    weights), the draws seeded apart from the thread count. The differences from the first
    price (``change``) are drawn in the same resamples, so their intervals are those of the
    difference, not of two separate estimates.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the price and likelihood answers.
    prices : sequence of float
        The prices to read the curve at (above zero); the first is the reference (today's
        price), against which ``change`` is measured.
    questions : PriceQuestions or None
        The questions; None: the codebook's ``pricing:`` section (with its
        Newton–Miller–Smith pair).
    {codebook}
        Read when ``questions`` is None.
    {weights}
    {draws}
    {level}
    {random_state}

    Returns
    -------
    DataFrame
        One row per price: ``price``, ``trial`` with ``trial_low`` and ``trial_high``,
        ``revenue`` with ``revenue_low`` and ``revenue_high``, ``change`` (the trial share
        minus the first price's) with ``change_low`` and ``change_high``, ``acceptable``
        (whether the price lies in the range of acceptable prices, from the point estimates
        of its two ends, given in ``.attrs["acceptable_range"]``, at 1e-9 precision) and ``n`` (respondents in
        the trial curve).
    """
    if questions is None:
        questions = _section(codebook, "pricing", "Van Westendorp's price sensitivity meter")
    _check.instance("questions", questions, PriceQuestions, "a PriceQuestions")
    if not questions.has_trial:
        raise SurveyError("demand_at: the survey did not ask the Newton–Miller–Smith questions (buy_cheap, "
                          "buy_expensive), so there is no trial curve to read demand from")
    data, w, _, draws, level = instrument_args(data, weights, None, draws, level)
    with named_as("prices"):
        x = np.asarray([_check.number(f"prices[{i}]", p, min=0, min_open=True) for i, p in enumerate(
            prices if isinstance(prices, (list, tuple, np.ndarray, pd.Series)) else [prices])], float)
    if not len(x):
        raise ParameterError("prices: expected at least one price, got none", name="prices")
    seed = _seed_sequence(seed_arg("random_state", random_state, also=(np.random.Generator,)))
    kept, answers, buy, _ = questions.screen(data, w)
    trial = kept & ~np.isnan(buy).any(axis=1)
    if not trial.any():
        raise SurveyError(f"demand_at: none of the {len(data)} respondents answered both likelihood questions with "
                          "prices that rise from too cheap to too expensive")
    start, changes = _Sums._knots(answers[trial], questions, buy[trial])
    knots = answers[trial]
    F = start[:, None] + sum(c[:, None] * np.maximum(0.0, x[None, :] - knots[:, [j]]) for j, c in changes.items())
    wt = w[trial]
    rng = np.random.default_rng(seed.spawn(1)[0])
    n = len(wt)
    shares = np.empty((draws, len(x)))
    block = max(1, 4_000_000 // max(n, 1))  # draws at a time: a few million multiplicities in memory
    for start in range(0, draws, block):
        m = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(min(block, draws - start))])
        shares[start:start + len(m)] = (m * wt) @ F / (m @ wt)[:, None]
    share = wt @ F / wt.sum()
    tail = (1 - level) / 2 * 100

    def bounds(v):
        return np.percentile(v, [tail, 100 - tail], axis=0) if draws else np.full((2, len(x)), np.nan)

    low, high = bounds(shares)
    c_low, c_high = bounds(shares - shares[:, [0]])
    range_ = price_sensitivity(data, questions, weights=w, draws=0).acceptable_range
    out = pd.DataFrame({"price": x, "trial": share, "trial_low": low, "trial_high": high, "revenue": share * x,
                        "revenue_low": low * x, "revenue_high": high * x, "change": share - share[0],
                        "change_low": c_low, "change_high": c_high,
                        # a price at an end of the range is in it, whatever the end's last bit
                        "acceptable": meets_base(x, range_[0]) & meets_base(range_[1], x), "n": int(trial.sum())})
    out.attrs.update(acceptable_range=range_, n_eff=float(kish_n(wt.sum(), (wt ** 2).sum())), draws=draws,
                     level=level)
    return out
