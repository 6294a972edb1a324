"""Moving the price: the value ratio's change beside the change in who would buy.

A what-if lever that moves the price (the codebook's ``pricing: lever:``, a lever of the
survey's lever file changing the money sacrifice by a percentage) predicts how the value
customers see would change (:class:`~valuekit.decide.scenario.ScenarioEngine`). The
Newton–Miller–Smith answers say, separately, how many would buy at the new price
(:func:`valuekit.analyse.price_value.demand_at`). :func:`price_moves` sets the two side by
side for each move from today's price (``pricing: current:``), with their intervals, and
says whether the new price lies in the range of acceptable prices. A cheaper price raises
the value ratio *and* the share who would try; the revenue per respondent says whether it
pays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import named_as
from ..analyse.price_value import demand_at
from ..analyse.pricing import instrument_docs
from ..errors import ParameterError, SurveyError
from ..survey.answers import kish_n
from ..survey.audit import survey_first
from ..survey.codebook import codebook_arg
from .scenario import Scenario, ScenarioEngine

__all__ = ["price_grid", "price_move_gap", "price_moves"]


def _lever(engine: ScenarioEngine, name: str):
    levers = engine.levers.levers
    if name not in levers:
        raise ParameterError(f"lever: {name!r} is not a lever of {engine.levers.source}; expected one of "
                             f"{sorted(levers)}", name="lever")
    lever = levers[name]
    if lever.how != "percent":
        raise ParameterError(f"lever: {name!r} moves its items by {lever.how!r}; a price lever moves them by a "
                             "percentage (how: percent)", name="lever")
    return lever


@share_docs
def price_move_gap(codebook, levers) -> str:
    """Why the price of this survey cannot be moved in a what-if, in words; "" when it can.

    It can when the codebook's ``pricing:`` section has the Newton–Miller–Smith questions,
    today's price (``current:``) and a lever (``lever:``) of ``levers`` that moves its items
    by a percentage.

    Parameters
    ----------
    {codebook}
    levers : LeverSet
        The survey's levers (:func:`valuekit.survey.levers.read_levers`), as the what-if
        engine has them.
    """
    q = codebook_arg("codebook", codebook).pricing
    if q is None:
        return "the codebook has no pricing: section"
    if not q.has_trial:
        return "the pricing: section has no Newton–Miller–Smith questions (buy_cheap, buy_expensive)"
    if q.current is None or q.lever is None:
        return "the pricing: section does not say today's price (current:) and the lever that moves it (lever:)"
    if q.lever not in levers.levers:
        return f"the price lever {q.lever!r} is not in {levers.source}"
    if levers.levers[q.lever].how != "percent":
        return f"the price lever {q.lever!r} moves its items by {levers.levers[q.lever].how!r}, not by a percentage"
    return ""


def _ratio_interval(engine: ScenarioEngine, after: np.ndarray) -> tuple[float, float]:
    """The interval of the mean value ratio's change over the scored customers: each
    customer's change paired, normal on Kish's effective n (as the engine's interval of the
    share destroyed without a design)."""
    from scipy import stats  # deferred: scipy

    change = after - engine.base_ratio
    ok = np.isfinite(change)
    w, x = engine.w[ok], change[ok]
    if not len(x) or w.sum() <= 0:
        return float("nan"), float("nan")
    mean = float(np.average(x, weights=w))
    var = float(np.average((x - mean) ** 2, weights=w))
    half = stats.norm.ppf(0.5 + engine.confidence / 2) * np.sqrt(var / kish_n(w.sum(), (w ** 2).sum()))
    return mean - half, mean + half


def _price_lever_and_current(engine, codebook, lever, current):
    """The checked engine, price lever, today's price and price questions of a price move."""
    codebook = codebook_arg("codebook", codebook)
    if not isinstance(engine, ScenarioEngine):
        raise ParameterError(f"engine: expected a ScenarioEngine (build_engine), got {type(engine).__name__}",
                             name="engine")
    q = codebook.pricing
    if q is None:
        raise SurveyError(f"{codebook.source}: this survey has no 'pricing:' section, so there is no price to move")
    lever = _lever(engine, _check.text("lever", lever if lever is not None else q.lever or ""))
    current = current if current is not None else q.current
    if current is None:
        raise ParameterError("current: today's price is needed (the codebook's pricing: current:, or current=)",
                             name="current")
    return lever, _check.number("current", current, min=0, min_open=True), q


@survey_first("data", "codebook", "weights")
@instrument_docs
def price_grid(data: pd.DataFrame, engine: ScenarioEngine, *, codebook, weights=None, lever=None, current=None,
               draws: int = 1000, level: float = 0.95, random_state=None) -> pd.DataFrame:
    """Who would buy at every position of the price lever's slider, for the live dashboard.

    Parameters
    ----------
    data : DataFrame
        The survey's answers (its price and likelihood questions).
    engine : ScenarioEngine
        The what-if engine whose lever moves the price.
    {codebook}
    {weights}
    lever, current : optional
        As :func:`price_moves`.
    {draws}
    {level}
    {random_state}

    Returns
    -------
    DataFrame
        Indexed by ``price_change`` (each slider position, in percent, 0 included): the
        columns of :func:`valuekit.analyse.price_value.demand_at` (``change`` is the trial
        share's change from today's price); ``.attrs`` holds ``current``, ``lever``,
        ``acceptable_range`` and ``n``.
    """
    lever, current, q = _price_lever_and_current(engine, codebook, lever, current)
    steps = np.round(np.arange(max(lever.low, -99.0), lever.high + lever.step / 2, lever.step), 10)
    steps = np.union1d(steps, [0.0])
    demand = demand_at(data, [current, *(current * (1 + steps / 100))], q, weights=weights, draws=draws,
                       level=level, random_state=random_state).iloc[1:]
    demand.index = pd.Index(steps, name="price_change")
    demand.attrs.update(current=current, lever=lever.name)
    return demand


@survey_first("data", "codebook", "weights")
@instrument_docs
def price_moves(data: pd.DataFrame, engine: ScenarioEngine, changes, *, codebook, weights=None, lever=None,
                current=None, draws: int = 1000, level: float = 0.95, random_state=None) -> pd.DataFrame:
    """Each move of the price: the value ratio's predicted change beside the trial share's.

    Parameters
    ----------
    data : DataFrame
        The survey's answers (its price and likelihood questions).
    engine : ScenarioEngine
        The what-if engine of the same survey (:func:`~valuekit.decide.scenario.build_engine`).
    changes : sequence of float
        Price changes in percent (-10: ten per cent cheaper), each within the lever's range.
    {codebook}
    {weights}
    lever : str, optional
        The lever that moves the price; default the codebook's ``pricing: lever:``.
    current : float, optional
        Today's price; default the codebook's ``pricing: current:``.
    {draws}
    {level}
        Here of the trial intervals; the engine's intervals keep its own level.
    {random_state}

    Returns
    -------
    DataFrame
        One row per change: ``price_change`` (percent), ``price`` (the new price), ``acceptable``
        (within the range of acceptable prices), the engine's ``mean_value_ratio_before``,
        ``mean_value_ratio_after`` and ``value_ratio_change`` (with ``_low`` and ``_high``:
        each customer's change paired, normal on Kish's effective n; weights only, also
        under a survey design) and ``value_ratio_relative`` (the same as a share of the
        mean ratio before, with ``_low`` and ``_high``), the share of customers whose
        value is destroyed (``share_destroyed_change`` with ``_low`` and ``_high``), then
        the trial share at the new price (``trial`` with ``trial_low`` and ``trial_high``),
        its change from today's (``trial_change`` with ``trial_change_low`` and
        ``trial_change_high``) and the revenue per respondent at the new price (``revenue``
        with ``revenue_low`` and ``revenue_high``) and today's (``revenue_now``).
    """
    lever, current, q = _price_lever_and_current(engine, codebook, lever, current)
    values = changes if isinstance(changes, (list, tuple, np.ndarray, pd.Series)) else [changes]
    lo, hi = lever.low, lever.high
    with named_as("changes"):
        changes = [_check.number(f"changes[{i}]", c, min=max(lo, -99.0), max=hi) for i, c in enumerate(values)]
    if not changes:
        raise ParameterError("changes: expected at least one price change (in percent), got none", name="changes")
    prices = [current] + [current * (1 + c / 100) for c in changes]
    demand = demand_at(data, prices, q, weights=weights, draws=draws, level=level, random_state=random_state)
    rows = []
    for k, change in enumerate(changes, 1):
        result = engine.apply(Scenario(name=f"{lever.name} {change:+g} %", levers={lever.name: change}),
                              customers=True)
        summary = result["summary"].loc["all"]
        ratio_low, ratio_high = _ratio_interval(engine, result["customers"]["value_ratio"].to_numpy(float))
        d = demand.iloc[k]
        rows.append({
            "price_change": change, "price": d["price"], "acceptable": bool(d["acceptable"]),
            "mean_value_ratio_before": summary["mean_value_ratio_before"],
            "mean_value_ratio_after": summary["mean_value_ratio_after"],
            "value_ratio_change": summary["mean_value_ratio_after"] - summary["mean_value_ratio_before"],
            "value_ratio_change_low": ratio_low, "value_ratio_change_high": ratio_high,
            **{f"value_ratio_relative{s}": v / summary["mean_value_ratio_before"] for s, v in (
                ("", summary["mean_value_ratio_after"] - summary["mean_value_ratio_before"]), ("_low", ratio_low),
                ("_high", ratio_high))},
            **{f"share_destroyed_change{s}": summary[f"share_destroyed_change{s}"] for s in ("", "_low", "_high")},
            "trial": d["trial"], "trial_low": d["trial_low"], "trial_high": d["trial_high"],
            "trial_change": d["change"], "trial_change_low": d["change_low"], "trial_change_high": d["change_high"],
            "revenue": d["revenue"], "revenue_low": d["revenue_low"], "revenue_high": d["revenue_high"],
            "revenue_now": demand.iloc[0]["revenue"]})
    out = pd.DataFrame(rows)
    out.attrs.update(current=current, lever=lever.name, acceptable_range=demand.attrs["acceptable_range"],
                     n=int(demand["n"].iloc[0]))
    return out
