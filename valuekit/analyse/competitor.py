"""How do we stand against the competitor? Gale's customer value map.

From the competitor's ratings on the same attributes (the codebook's ``comparisons``):

* :func:`attribute_comparison`: per attribute, our mean and theirs among the customers who
  rated both, and the ratio ours / theirs;
* :func:`value_map`: per group (the whole sample, each segment), **relative benefits**
  (the importance-weighted ratio of our benefit scores to theirs) and **relative
  sacrifices** (the same for price and the other sacrifices). The fair-value line is
  relative benefits = relative sacrifices; ``value_advantage`` (relative benefits minus
  relative sacrifices) is the vertical distance from it: above the line customers get more
  from us for what they give than from the competitor.

Scores are put on the common scale and reverse-coded exactly as the scorer does, and only
items the competitor was rated on enter either side, so like is compared with like.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import expected_error, frame_arg, grouping_arg
from ..errors import ParameterError, SurveyError
from ..measure.model import weights_arg
from ..measure.scoring import group_masks, item_matrix
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg

__all__ = ["attribute_comparison", "value_map", "has_comparisons"]


def has_comparisons(codebook: Codebook) -> bool:
    """Whether the codebook holds competitor ratings."""
    return bool(codebook_arg("codebook", codebook).comparison_items)


def _require(codebook: Codebook) -> None:
    if not has_comparisons(codebook):
        raise SurveyError("this codebook has no competitor ratings (no 'comparisons' section); the "
                         "customer value map needs the competitor rated on the same attributes")


def paired_items(data: pd.DataFrame, codebook: Codebook):
    """The (own item, competitor item) pairs of the codebook and their answers as two matrices,
    each answer kept only where both sides of its pair were answered."""
    pairs = [(codebook.items[c].counterpart, c) for c in codebook.comparison_items]
    ours = item_matrix(data, codebook, [p[0] for p in pairs])
    theirs = item_matrix(data, codebook, [p[1] for p in pairs])
    both = np.isfinite(ours) & np.isfinite(theirs)  # only answers given on both sides count
    return pairs, np.where(both, ours, np.nan), np.where(both, theirs, np.nan)


def _importance_arg(value, codebook: Codebook) -> dict | None:
    """A weight per dimension or sacrifice (a dict or Series): finite numbers, known blocks."""
    if value is None:
        return None
    if not isinstance(value, (dict, pd.Series)):
        raise expected_error("importance", "None, or a dict or Series of a weight per dimension and sacrifice", value)
    value = dict(value.items())
    blocks = codebook.dimensions + codebook.sacrifices
    unknown = [k for k in value if k not in blocks]
    if unknown:
        raise ParameterError(f"importance: unknown dimension or sacrifice {unknown}; this codebook has {blocks}",
                             name="importance")
    bad = {k: v for k, v in value.items()
           if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or np.isinf(v)}
    if bad:
        raise ParameterError(f"importance: expected a finite number (or NaN: no estimate) per block, got {bad}",
                             name="importance")
    compared = {codebook.items[codebook.items[c].counterpart].block: codebook.items[codebook.items[c].counterpart].role
                for c in codebook.comparison_items}
    for kind in ("benefit", "sacrifice"):
        blocks_of_kind = [b for b, k in compared.items() if k == kind]
        given = [value.get(b, 0) for b in blocks_of_kind]
        if blocks_of_kind and not any(abs(v) > 0 or np.isnan(v) for v in given):  # NaN: left out, as withheld
            raise ParameterError(f"importance: no weight above 0 for any {kind} the competitor was rated on "
                                 f"({blocks_of_kind}); relative {kind}s would be undefined", name="importance")
    return value


@survey_first("data", "codebook", "weights")
@share_docs
def attribute_comparison(data: pd.DataFrame, codebook: Codebook, *, weights=None) -> pd.DataFrame:
    """Our rating against the competitor's, attribute by attribute.

    Returns one row per compared attribute: ``item``, ``competitor_item``, ``label``,
    ``kind`` (benefit or sacrifice), ``block``, ``n`` (customers who rated both), ``ours``,
    ``theirs`` (weighted means on the common scale, reverse-coded), ``ratio`` (ours /
    theirs) and ``advantage`` (for a benefit, ratio - 1; for a sacrifice, 1 - ratio: positive
    means better for the customer with us).

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``) with our items and the competitor's.
    {codebook}
    {weights}
    """
    data = frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    codebook = codebook_arg("codebook", codebook)
    w = weights_arg(weights, data)
    _require(codebook)
    pairs, ours, theirs = paired_items(data, codebook)
    rows = []
    for j, (mine, comp) in enumerate(pairs):
        ok = np.isfinite(ours[:, j]) & (w > 0)
        item = codebook.items[mine]
        o = float(np.average(ours[ok, j], weights=w[ok])) if ok.any() else np.nan
        t = float(np.average(theirs[ok, j], weights=w[ok])) if ok.any() else np.nan
        ratio = o / t
        rows.append({"item": mine, "competitor_item": comp, "label": codebook.label(mine), "kind": item.role,
                     "block": item.block, "n": int(ok.sum()), "ours": o, "theirs": t, "ratio": ratio,
                     "advantage": ratio - 1 if item.role == "benefit" else 1 - ratio})
    return pd.DataFrame(rows)


def _relative_value(ours: np.ndarray, theirs: np.ndarray, blocks: list, kinds: dict, imp: pd.Series,
                    mask: np.ndarray, w: np.ndarray) -> dict:
    """One group's relative benefits and sacrifices (importance-weighted means of the blocks'
    ratios ours / theirs, weighted by ``w``) and their difference, the value advantage."""
    ratios, rated = {}, np.zeros(len(mask), bool)
    for block in dict.fromkeys(blocks):
        cols = [j for j, b in enumerate(blocks) if b == block]
        answered = np.isfinite(ours[:, cols]).any(axis=1)
        ok = mask & answered & (w > 0)
        rated |= ok
        if ok.any():
            o = np.nanmean(ours[np.ix_(ok, cols)], axis=1)
            t = np.nanmean(theirs[np.ix_(ok, cols)], axis=1)
            ratios[block] = np.average(o, weights=w[ok]) / np.average(t, weights=w[ok])
    row = {"n": int(rated.sum())}
    for side, kind in (("relative_benefits", "benefit"), ("relative_sacrifices", "sacrifice")):
        present = [b for b in ratios if kinds[b] == kind and imp.get(b, 0) > 0]
        total = sum(imp[b] for b in present)
        row[side] = sum(imp[b] * ratios[b] for b in present) / total if total > 0 else np.nan
    row["value_advantage"] = row["relative_benefits"] - row["relative_sacrifices"]
    return row


@survey_first("data", "codebook", "weights")
@share_docs
def value_map(data: pd.DataFrame, codebook: Codebook, *, by: pd.Series | None = None,
              importance: dict | pd.Series | None = None, weights=None, n_boot: int = 0, ci: float = 0.95,
              random_state=None) -> pd.DataFrame:
    """Relative benefits and relative sacrifices against the competitor, per group.

    Parameters
    ----------
    data : DataFrame
        Recoded survey data with our items and the competitor's.
    {codebook}
    by : Series, optional
        Groups (e.g. segments); the whole sample is always the first row (``all``).
    importance : dict or Series, optional
        Weight of each dimension and sacrifice (e.g. the absolute driver shares); equal by
        default. Blocks without competitor ratings are left out of both sides, and so are
        blocks weighted 0, not listed, or NaN (a driver share that was withheld). A weight
        above 0 is needed for at least one compared benefit and one compared sacrifice.
    {weights}
    n_boot : int, default 0
        Bootstrap resamples of the respondents (each keeping its survey weight) for a
        percentile interval on each group's ``value_advantage``; 0 for none.
    ci : float, default 0.95
        The interval's level.
    {random_state}

    Returns
    -------
    DataFrame
        One row per group: ``n`` (customers who rated the competitor), ``relative_benefits``,
        ``relative_sacrifices``, ``value_advantage`` (their difference: above the fair-value
        line when positive), with ``n_boot``: ``advantage_ci_low`` and ``advantage_ci_high``,
        and ``position`` ("better value", "fair value" within 0.02 of the line, "worse
        value", or "no competitor ratings" when nobody in the group rated the competitor).
    """
    data = frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    codebook = codebook_arg("codebook", codebook)
    by = grouping_arg("by", by, data.index, {"data": data})
    importance = _importance_arg(importance, codebook)
    w = weights_arg(weights, data)
    _require(codebook)
    codebook.require_sacrifices("value_map")
    n_boot = _check.integer("n_boot", n_boot, min=0)
    level = _check.fraction("ci", ci)
    pairs, ours, theirs = paired_items(data, codebook)
    blocks = [codebook.items[p[0]].block for p in pairs]
    kinds = {b: codebook.items[p[0]].role for b, p in zip(blocks, pairs)}
    imp = (pd.Series(1.0, index=list(dict.fromkeys(blocks))) if importance is None
           else pd.Series(importance, dtype=float).abs())
    groups = list(group_masks(data.index, by))
    rows = [{"group": name, **_relative_value(ours, theirs, blocks, kinds, imp, mask, w)} for name, mask in groups]
    if n_boot:
        rng = np.random.default_rng(random_state)
        draws = np.array([[_relative_value(ours, theirs, blocks, kinds, imp, mask, w * counts)["value_advantage"]
                           for _, mask in groups]
                          for counts in rng.multinomial(len(data), np.full(len(data), 1 / len(data)), size=n_boot)])
        tail = (1 - level) / 2 * 100
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a group no resample rated: no interval
            low, high = np.nanpercentile(draws, [tail, 100 - tail], axis=0)
        for row, lo, hi in zip(rows, low, high):
            row["advantage_ci_low"], row["advantage_ci_high"] = lo, hi
    out = pd.DataFrame(rows).set_index("group")
    out["position"] = np.select([out["value_advantage"].isna(), out["value_advantage"] > 0.02,
                                 out["value_advantage"] < -0.02],
                                ["no competitor ratings", "better value", "worse value"], "fair value")
    out.attrs["competitor"] = codebook.competitor
    return out
