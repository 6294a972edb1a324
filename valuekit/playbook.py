"""The value-management playbook: from evidence to a lever, with the evidence shown.

The levers are those of seed 000 (DOMAIN.md): when the gap is known, a firm can

1. improve the **perception** of value through communication,
2. **unlock** value by helping customers access it,
3. **change the offer**,
4. **partner** to offer value it cannot deliver alone,
5. build **value networks**,
6. or look for **new customers** whose needs it can serve;

each draws on a source of value (seed 002): operational excellence, product leadership,
customer intimacy, or the marketing mix.

Every rule lives in :data:`RULES` below: its lever, its source of value, the condition
in words, and the condition in code over one row of evidence. The thresholds are in
:data:`THRESHOLDS`. :func:`build_evidence` assembles the evidence (one row per segment and
dimension or sacrifice: importance for the outcome, the segment's score against the
sample, the comparison with the competitor, the share destroyed); :func:`recommend`
applies the rules and returns each recommendation with the numbers that triggered it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .codebook import Codebook
from .scoring import common_scale, group_masks, survey_weights, weighted_sd

__all__ = ["Rule", "RULES", "THRESHOLDS", "build_evidence", "recommend", "manager_summary"]

#: Every threshold the rules use, in one place.
THRESHOLDS = {
    "important": 1.0,        # importance at least this multiple of the mean importance
    "perception_gap": -0.5,  # segment below the sample by this many SDs on the same offer
    "access_burden": 0.5,    # a time or energy sacrifice this many SDs above the sample
    "destroyed_share": 0.25, # ... in a segment where at least this share loses value
    "underperforms": 0.0,    # a dimension at or below the scale midpoint + this, for everyone
    "price_burden": 0.5,     # the money sacrifice this many SDs above the sample
    "competitor_gap": 0.9,   # our rating at most this ratio of the competitor's
    "belonging_gap": -0.3,   # the symbolic dimension this many SDs below the sample
    "lost_segment": 0.5,     # value destroyed for at least this share of a segment
}


@dataclass(frozen=True)
class Rule:
    """One rule of the playbook."""

    id: str
    lever: str
    source: str
    when: str
    applies: Callable[[pd.Series], bool]


def _important(e: pd.Series) -> bool:
    return e["importance"] >= THRESHOLDS["important"] * e["mean_importance"]


#: The rules, in the order of the levers in seed 000. ``applies`` sees one evidence row.
RULES = [
    Rule("perception", "improve the perception of value through communication",
         "marketing mix (promotion)",
         "an important benefit dimension that this segment rates well below the rest of the "
         "sample, although the offer is the same for everyone",
         lambda e: e["kind"] == "benefit" and _important(e) and e["z"] <= THRESHOLDS["perception_gap"]),
    Rule("unlock", "unlock value: help customers access it (save them time and effort)",
         "operational excellence (process, place)",
         "a time or energy sacrifice well above the sample in a segment where value is destroyed "
         "for many customers",
         lambda e: e["block"] in ("time", "energy") and e["z"] >= THRESHOLDS["access_burden"]
         and e["share_destroyed"] >= THRESHOLDS["destroyed_share"]),
    Rule("offer", "change the offer to meet needs",
         "product leadership (product)",
         "an important benefit dimension that the segment rates at or below the middle of the scale",
         lambda e: e["kind"] == "benefit" and _important(e)
         and e["score"] <= e["scale_mid"] + THRESHOLDS["underperforms"]),
    Rule("offer_price", "change the offer: its price and what it includes",
         "marketing mix (price)",
         "the money sacrifice well above the sample, where money matters for the outcome",
         lambda e: e["block"] == "money" and _important(e) and e["z"] >= THRESHOLDS["price_burden"]),
    Rule("partner", "partner to offer the value the firm cannot deliver alone",
         "product leadership (alliances)",
         "an important benefit dimension on which the competitor is rated clearly better",
         lambda e: e["kind"] == "benefit" and _important(e)
         and e["vs_competitor"] <= THRESHOLDS["competitor_gap"]),
    Rule("networks", "build value networks: a community around the brand",
         "customer intimacy",
         "the symbolic dimension (belonging, status) rated below the sample where it matters",
         lambda e: e["block"] == "symbolic" and _important(e) and e["z"] <= THRESHOLDS["belonging_gap"]),
    Rule("new_customers", "look for new customers whose value needs the firm can serve",
         "marketing mix (segmentation and targeting)",
         "value destroyed for most of the segment (judged once per segment, on its heaviest sacrifice)",
         lambda e: e["heaviest_sacrifice"] and e["share_destroyed"] >= THRESHOLDS["lost_segment"]),
]


def build_evidence(scores: pd.DataFrame, segments: pd.Series, *, codebook: Codebook,
                   drivers: pd.DataFrame, data: pd.DataFrame | None = None,
                   weights=None) -> pd.DataFrame:
    """One row per segment and dimension or sacrifice, with everything the rules read.

    Parameters
    ----------
    scores : DataFrame
        ValueScorer output.
    segments : Series
        Segment per respondent.
    drivers : DataFrame
        :func:`valuekit.drivers.key_drivers` output. Importance is the absolute share of
        R², taken from the segment's own group when the table has it (``by=segments``),
        otherwise from the group ``all``.
    data : DataFrame, optional
        The survey data, for the competitor comparison within each segment
        (``vs_competitor``: our mean over theirs per block; NaN without competitor
        ratings, so the partner rule stays silent).
    weights : array-like, optional

    Returns
    -------
    DataFrame
        ``segment``, ``block``, ``label``, ``kind``, ``importance``, ``mean_importance``,
        ``score`` (segment mean), ``sample_score``, ``z`` (segment - sample in sample SDs; for
        sacrifices higher means a bigger burden), ``scale_mid``, ``vs_competitor``,
        ``share_destroyed`` (of the segment), ``heaviest_sacrifice`` (the segment's sacrifice
        with the largest ``z``).
    """
    from .compare import attribute_comparison, has_comparisons

    w = pd.Series(survey_weights(weights, len(scores), index=scores.index), index=scores.index)
    groups = set(drivers["group"])
    blocks = [b for b in codebook.dimensions + codebook.sacrifices if b in set(drivers["driver"])]
    scale = common_scale(codebook)
    mid = (scale.min + scale.max) / 2
    sample = {b: float(np.average(scores.loc[scores[b].notna(), b], weights=w[scores[b].notna()])) for b in blocks}
    sd = {b: weighted_sd(scores[b], w) for b in blocks}
    rows = []
    for name, mask in group_masks(scores.index, segments, include_all=False):
        if name == "(missing)":
            continue  # customers without a segment get no segment's recommendation
        s, ww = scores[mask], w[mask]
        own = drivers[drivers["group"] == name]
        table = (own if name in groups and own["share"].notna().all() else
                 drivers[drivers["group"] == "all"]).set_index("driver")
        importance = table["share"].abs()
        versus = {}
        if data is not None and has_comparisons(codebook):
            comp = attribute_comparison(data.loc[s.index], codebook, weights=ww.to_numpy())
            comp = comp[comp["n"] > 0]
            for block, g in comp.groupby("block"):
                versus[block] = np.average(g["ours"], weights=g["n"]) / np.average(g["theirs"], weights=g["n"])
        scored = s["value_ratio"].notna()
        destroyed = (float(ww[scored & (s["verdict"] == "destroyed")].sum() / ww[scored].sum())
                     if scored.any() else np.nan)
        block_rows = []
        for b in blocks:
            ok = s[b].notna()
            mean = float(np.average(s.loc[ok, b], weights=ww[ok]))
            block_rows.append({"segment": name, "block": b, "label": codebook.label(b),
                               "kind": "benefit" if b in codebook.dimensions else "sacrifice",
                               "importance": float(importance[b]), "mean_importance": float(importance[blocks].mean()),
                               "score": mean, "sample_score": sample[b],
                               "z": (mean - sample[b]) / sd[b] if sd[b] > 0 else 0.0,
                               "scale_mid": mid, "vs_competitor": versus.get(b, np.nan),
                               "share_destroyed": destroyed})
        sacrifice_z = {r["block"]: r["z"] for r in block_rows if r["kind"] == "sacrifice"}
        heaviest = max(sacrifice_z, key=sacrifice_z.get) if sacrifice_z else None
        for r in block_rows:
            r["heaviest_sacrifice"] = r["block"] == heaviest
        rows += block_rows
    return pd.DataFrame(rows)


def recommend(evidence: pd.DataFrame, *, rules: list[Rule] | None = None) -> pd.DataFrame:
    """Apply the playbook's rules to the evidence.

    Returns one row per recommendation: ``segment``, ``block``, ``label``, ``lever``,
    ``source`` (of value), ``rule``, ``why`` (the condition in words) and the evidence
    columns that triggered it (``importance``, ``score``, ``sample_score``, ``z``,
    ``vs_competitor``, ``share_destroyed``). Ordered by segment, then by the rules' order.
    """
    rules = RULES if rules is None else rules
    rows = []
    for _, e in evidence.iterrows():
        for order, rule in enumerate(rules):
            if rule.applies(e):
                rows.append({"segment": e["segment"], "block": e["block"], "label": e["label"],
                             "lever": rule.lever, "source": rule.source, "rule": rule.id,
                             "why": rule.when, "importance": e["importance"], "score": e["score"],
                             "sample_score": e["sample_score"], "z": e["z"],
                             "vs_competitor": e["vs_competitor"], "share_destroyed": e["share_destroyed"],
                             "_order": order})
    columns = ["segment", "block", "label", "lever", "source", "rule", "why", "importance", "score",
               "sample_score", "z", "vs_competitor", "share_destroyed"]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows).sort_values(["segment", "_order", "importance"], ascending=[True, True, False],
                                         kind="stable")
    return out[columns].reset_index(drop=True)


def manager_summary(recommendations: pd.DataFrame, profiles: pd.DataFrame, *, overall: pd.Series,
                    outcome_label: str, value_map: pd.DataFrame | None = None,
                    competitor: str | None = None, max_per_segment: int = 4) -> str:
    """A one-page plain-text summary: the situation, each segment, what to do first.

    Parameters
    ----------
    recommendations : DataFrame
        :func:`recommend` output.
    profiles : DataFrame
        :func:`valuekit.segments.segment_profiles` output (``name``, ``share``,
        ``share_destroyed``).
    overall : Series
        The ``all`` row of :func:`valuekit.scoring.summarize_value`.
    outcome_label : str
        The outcome the drivers explain (for the wording).
    value_map : DataFrame, optional
        :func:`valuekit.compare.value_map` output.
    """
    lines = ["VALUE MANAGEMENT SUMMARY", ""]
    lines.append(f"Value is created for {overall['share_created']:.0%} of scored customers, neutral for "
                 f"{overall['share_neutral']:.0%} and destroyed for {overall['share_destroyed']:.0%} "
                 f"(their sacrifices outweigh their benefits).")
    if value_map is not None and "all" in value_map.index:
        vm = value_map.loc["all"]
        lines.append(f"Against {competitor or 'the competitor'}: relative benefits {vm['relative_benefits']:.2f}, "
                     f"relative sacrifices {vm['relative_sacrifices']:.2f}, so {vm['position']} "
                     f"(advantage {vm['value_advantage']:+.2f}).")
    lines.append(f"What drives {outcome_label.lower()} is in the driver analysis; the actions below follow "
                 "the playbook's rules, each with its evidence in the table.")
    lines.append("")
    for seg, p in profiles.drop(index="unassigned", errors="ignore").iterrows():
        recs = recommendations[recommendations["segment"] == seg]
        lines.append(f"Segment {seg}, {p['name']} ({p['share']:.0%} of customers; value destroyed for "
                     f"{p['share_destroyed']:.0%}):")
        if recs.empty:
            lines.append("  - no rule fires: keep up the good work and monitor.")
        for _, r in recs.head(max_per_segment).iterrows():
            lines.append(f"  - {r['lever'][0].upper() + r['lever'][1:]} ({r['label'].lower()}; "
                         f"source: {r['source']}).")
        if len(recs) > max_per_segment:
            lines.append(f"  - and {len(recs) - max_per_segment} more in the table.")
    return "\n".join(lines)
