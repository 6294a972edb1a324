"""What if we cut the waiting time, or raise the price 5 %? Scenarios on scored customers.

A :class:`Scenario` is a small, serialisable set of levers (saved and loaded as YAML or
JSON; loading never executes anything from the file). :class:`ScenarioEngine` applies it
to every scored customer at once and returns the new scores, value ratios and verdicts,
a summary by segment (share destroyed before and after, mean value ratio, customers who
move between verdicts) and the predicted change in the outcomes through the fitted
driver slopes.

How each lever moves the scores (the one place it is defined: :data:`LEVERS`)
-------------------------------------------------------------------------------
Scores are on the common scale ``[lo, hi]`` (1-7 for most surveys).

* **Proportional levers** change what the customer gives in proportion to its cause: the
  sacrifice's distance above the bottom of the scale is multiplied by ``1 + change``.
  ``price_change_pct``, ``vat_change_pts`` and ``surcharge_change_pct`` combine into the
  change in the price paid, ``(1 + p)(1 + v / (100 + VAT))(1 + s) - 1`` with the
  surcharges weighing ``SURCHARGE_SHARE`` of the bill, and move the **money** sacrifice;
  ``waiting_time_change_pct`` and ``travel_time_change_pct`` move the **time** sacrifice,
  each accounting for half of it; ``effort_change_pct`` moves **energy**. A price cut
  therefore never raises anyone's money sacrifice, and so never lowers a value ratio.
* **Point levers** (``-2`` to ``+2`` points of the scale) add points to benefit
  dimensions or take them off sacrifices: ``reassurance`` (guarantees: risk -1 per point),
  ``staff`` (experiential +0.5, emotional cost -0.5), ``ambience`` (experiential +0.5,
  emotional cost -0.25), ``reliability`` (functional +0.5, risk -0.25), ``ease_of_use``
  (functional +0.5, energy -0.25), ``loyalty`` (loyalty programme or community: symbolic
  +0.5).
* **Communication** (``communication: {dimension: points}``) lifts the *perception* of a
  benefit dimension without changing the offer, by up to 1 point.

Every new score is kept within the scale. A lever on a block the codebook does not have
does nothing, and the summary says so. The benefits and sacrifices indices, the ratio and
the verdict are then recomputed with the scorer's own weights and neutral band.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .codebook import DIMENSIONS
from .scoring import VERDICTS, ValueScorer, group_order, survey_weights

__all__ = ["Scenario", "ScenarioEngine", "ScenarioError", "LEVERS", "compare_scenarios", "build_engine"]

#: Share of the bill that surcharges (delivery, fees) make up, for ``surcharge_change_pct``.
SURCHARGE_SHARE = 0.1
#: The VAT rate the prices include, for ``vat_change_pts``.
VAT_RATE = 21.0


@dataclass(frozen=True)
class Lever:
    """One lever: its range, unit, the theory it belongs to, and its effect per unit."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    theory: str
    effects: dict[str, float] = field(default_factory=dict)  # block -> points per unit (point levers)
    scales: str | None = None  # the sacrifice a proportional lever scales

    @property
    def moves(self) -> set[str]:
        """The blocks this lever changes."""
        return set(self.effects) | ({self.scales} if self.scales else set())


#: Every lever, its range and, for point levers, the points it moves per unit.
LEVERS = {lever.name: lever for lever in [
    Lever("price_change_pct", "Price change", "%", -50, 50, 1, "money sacrifice: price", scales="money"),
    Lever("vat_change_pts", "VAT change", "points", -10, 10, 1, "money sacrifice: price plus VAT", scales="money"),
    Lever("surcharge_change_pct", "Surcharges change", "%", -100, 100, 5, "money sacrifice: surcharges",
          scales="money"),
    Lever("waiting_time_change_pct", "Waiting time change", "%", -100, 100, 5, "time sacrifice: waiting",
          scales="time"),
    Lever("travel_time_change_pct", "Travel / search time change", "%", -100, 100, 5,
          "time sacrifice: getting there, searching", scales="time"),
    Lever("effort_change_pct", "Effort change", "%", -100, 100, 5, "energy sacrifice: effort, carrying, preparing",
          scales="energy"),
    Lever("reassurance", "Reassurance, guarantees", "points", -2, 2, 0.25, "risk sacrifice", {"risk": -1.0}),
    Lever("staff", "Staff", "points", -2, 2, 0.25, "experiential benefit, emotional cost",
          {"experiential": 0.5, "emotional": -0.5}),
    Lever("ambience", "Ambience", "points", -2, 2, 0.25, "experiential benefit, emotional cost",
          {"experiential": 0.5, "emotional": -0.25}),
    Lever("reliability", "Reliability", "points", -2, 2, 0.25, "functional benefit, performance risk",
          {"functional": 0.5, "risk": -0.25}),
    Lever("ease_of_use", "Ease of use", "points", -2, 2, 0.25, "functional benefit, energy",
          {"functional": 0.5, "energy": -0.25}),
    Lever("loyalty", "Loyalty programme, community", "points", -2, 2, 0.25, "symbolic benefit: belonging",
          {"symbolic": 0.5}),
]}
#: Range of the communication lever (points of perception per dimension).
COMMUNICATION_RANGE = (0.0, 1.0)

_KEYS = {"name", "description", "levers", "communication", "segments"}


class ScenarioError(ValueError):
    """A scenario that cannot be used as written; the message names the key."""


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScenarioError(f"scenario key '{key}': expected a number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Scenario:
    """A named set of lever settings, optionally for some segments only.

    Parameters
    ----------
    name : str
    levers : dict
        Lever name (a key of :data:`LEVERS`) to its value; levers left out are 0.
    communication : dict
        Benefit dimension to the perception lift in points (0 to 1).
    segments : list, optional
        Apply only to customers of these segments (default: everyone).
    description : str

    Examples
    --------
    >>> s = Scenario.from_dict({"name": "cheaper", "levers": {"price_change_pct": -10}})
    >>> s.levers
    {'price_change_pct': -10.0}
    >>> Scenario.from_dict({"name": "x", "levers": {"price": -10}})
    Traceback (most recent call last):
    ...
    valuekit.scenario.ScenarioError: scenario key 'levers.price': unknown lever 'price'; expected one of ['price_change_pct', ...]
    """

    name: str = "scenario"
    levers: dict[str, float] = field(default_factory=dict)
    communication: dict[str, float] = field(default_factory=dict)
    segments: tuple | None = None
    description: str = ""

    @classmethod
    def from_dict(cls, spec: Any, *, source: str = "scenario") -> "Scenario":
        """Validate a parsed scenario; errors name the key and the allowed values."""
        if not isinstance(spec, dict):
            raise ScenarioError(f"{source}: expected a mapping with keys {sorted(_KEYS)}, got {type(spec).__name__}")
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            raise ScenarioError(f"scenario key '{unknown[0]}': unknown key; expected some of {sorted(_KEYS)}")
        name = spec.get("name", "scenario")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"scenario key 'name': expected text, got {name!r}")
        levers_in = spec.get("levers") or {}
        if not isinstance(levers_in, dict):
            raise ScenarioError(f"scenario key 'levers': expected a mapping of lever to value, got {levers_in!r}")
        levers = {}
        for key, value in levers_in.items():
            if key not in LEVERS:
                raise ScenarioError(f"scenario key 'levers.{key}': unknown lever '{key}'; expected one of "
                                    f"{list(LEVERS)}")
            lever = LEVERS[key]
            v = _number(value, f"levers.{key}")
            if not lever.low <= v <= lever.high:
                raise ScenarioError(f"scenario key 'levers.{key}': {v:g} {lever.unit} is out of range "
                                    f"[{lever.low:g}, {lever.high:g}]")
            levers[key] = v
        comm_in = spec.get("communication") or {}
        if not isinstance(comm_in, dict):
            raise ScenarioError(f"scenario key 'communication': expected a mapping of dimension to points, got {comm_in!r}")
        communication = {}
        for key, value in comm_in.items():
            if key not in DIMENSIONS:
                raise ScenarioError(f"scenario key 'communication.{key}': unknown benefit dimension '{key}'; "
                                    f"expected one of {list(DIMENSIONS)}")
            v = _number(value, f"communication.{key}")
            lo, hi = COMMUNICATION_RANGE
            if not lo <= v <= hi:
                raise ScenarioError(f"scenario key 'communication.{key}': {v:g} points is out of range [{lo:g}, {hi:g}]")
            communication[key] = v
        segments = spec.get("segments")
        if segments is not None:
            if not isinstance(segments, list) or not segments:
                raise ScenarioError(f"scenario key 'segments': expected a non-empty list of segments, got {segments!r}")
            segments = tuple(segments)
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise ScenarioError(f"scenario key 'description': expected text, got {description!r}")
        return cls(name=name.strip(), levers=levers, communication=communication, segments=segments,
                   description=description)

    def to_dict(self) -> dict:
        out = {"name": self.name, "levers": {k: v for k, v in self.levers.items() if v},
               "communication": {k: v for k, v in self.communication.items() if v}}
        if self.segments is not None:
            out["segments"] = list(self.segments)
        if self.description:
            out["description"] = self.description
        return out

    def save(self, path: str | Path) -> Path:
        """Write the scenario as YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        elif path.suffix.lower() in (".yaml", ".yml"):
            path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        else:
            raise ScenarioError(f"{path.name}: save a scenario as .yaml, .yml or .json")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Scenario":
        """Read a scenario file (YAML with the safe loader, or JSON); nothing in it is executed."""
        path = Path(path)
        if not path.is_file():
            raise ScenarioError(f"scenario file '{path}' not found")
        text = path.read_text(encoding="utf-8")
        try:
            spec = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as err:
            raise ScenarioError(f"{path.name}: not a valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'} "
                                f"file ({err})") from None
        try:
            return cls.from_dict(spec, source=path.name)
        except ScenarioError as err:
            raise ScenarioError(f"{path.name}: {err}") from None


class ScenarioEngine:
    """Applies scenarios to scored customers, vectorised.

    Parameters
    ----------
    scores : DataFrame
        ValueScorer output (only scored customers enter; the others are counted).
    scorer : ValueScorer
        The fitted scorer: its index weights, neutral band and scale are reused.
    segments : Series, optional
        Segment per customer (same index as ``scores``).
    outcome_slopes : dict of str to Series, optional
        Outcome name to :func:`valuekit.drivers.outcome_slopes` (points of outcome per
        point of each block score) for the predicted outcome change.
    weights : array-like, optional
        Survey weights for every aggregate.
    """

    def __init__(self, scores: pd.DataFrame, scorer: ValueScorer, *, segments: pd.Series | None = None,
                 outcome_slopes: dict | None = None, weights=None):
        cb = scorer.codebook_
        self.dimensions, self.sacrifices = cb.dimensions, cb.sacrifices
        self.blocks = self.dimensions + self.sacrifices
        scored = scores["value_ratio"].notna().to_numpy()
        self.n_unscored = int((~scored).sum())
        self.index = scores.index[scored]
        self.base = scores.loc[scored, self.blocks].to_numpy(dtype=float)
        self.scale = scorer.scale_
        self.bw = scorer.benefit_weights_.to_numpy()
        self.sw = scorer.sacrifice_weights_.to_numpy()
        self.band = math.log1p(scorer.neutral_band)
        self.w = survey_weights(weights, len(scores), index=scores.index)[scored]
        seg = (pd.Series("all", index=scores.index) if segments is None else segments.reindex(scores.index))
        self.segments = np.array([("none" if pd.isna(v) else v) for v in seg.astype(object).to_numpy()[scored]],
                                 dtype=object)
        self.segment_levels = group_order(self.segments)
        self.slopes = {name: s.reindex(self.blocks).fillna(0.0).to_numpy() for name, s in (outcome_slopes or {}).items()}
        # "before" is the scorer's own result, so it matches every other table of the survey
        self.base_ratio = scores.loc[scored, "value_ratio"].to_numpy(dtype=float)
        self.base_code = scores.loc[scored, "verdict"].cat.codes.to_numpy().astype(np.int64)
        self._col = {b: j for j, b in enumerate(self.blocks)}

    # -- the model ----------------------------------------------------------------------
    def _value(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nd = len(self.dimensions)
        ratio = (S[:, :nd] @ self.bw) / (S[:, nd:] @ self.sw)
        log = np.log(ratio)
        code = np.where(log > self.band, 2, np.where(log < -self.band, 0, 1))
        return ratio, code

    def _ignored(self, scenario: Scenario) -> list[str]:
        """Levers (and communicated dimensions) that touch no block of this survey."""
        ignored = [name for name, value in scenario.levers.items()
                   if value and not LEVERS[name].moves & set(self.blocks)]
        return ignored + [d for d, v in scenario.communication.items() if v and d not in self.blocks]

    def _changes(self, scenario: Scenario) -> tuple[dict[str, float], dict[str, float]]:
        """Per block: a proportional factor on the distance above the floor, and points to add."""
        lv = scenario.levers
        factor, points = {}, {}
        price = ((1 + lv.get("price_change_pct", 0) / 100)
                 * (1 + lv.get("vat_change_pts", 0) / (100 + VAT_RATE))
                 * (1 + SURCHARGE_SHARE * lv.get("surcharge_change_pct", 0) / 100))
        factor["money"] = price
        factor["time"] = 1 + 0.5 * lv.get("waiting_time_change_pct", 0) / 100 + 0.5 * lv.get("travel_time_change_pct", 0) / 100
        factor["energy"] = 1 + lv.get("effort_change_pct", 0) / 100
        for name, value in lv.items():
            for block, per_unit in LEVERS[name].effects.items():
                points[block] = points.get(block, 0.0) + per_unit * value
        for dim, value in scenario.communication.items():
            points[dim] = points.get(dim, 0.0) + value
        return factor, points

    def scores_after(self, scenario: Scenario) -> np.ndarray:
        """The block scores of every scored customer after the scenario."""
        factor, points = self._changes(scenario)
        S = self.base.copy()
        lo, hi = self.scale.min, self.scale.max
        for block, f in factor.items():
            if block in self._col and f != 1:
                j = self._col[block]
                S[:, j] = lo + (S[:, j] - lo) * f
        for block, p in points.items():
            if block in self._col and p:
                S[:, self._col[block]] += p
        np.clip(S, lo, hi, out=S)
        if scenario.segments is not None:
            unknown = [s for s in scenario.segments if s not in self.segment_levels]
            if unknown:
                raise ScenarioError(f"scenario key 'segments': segment(s) {unknown} do not exist; "
                                    f"segments are {self.segment_levels}")
            untouched = ~np.isin(self.segments, list(scenario.segments))
            S[untouched] = self.base[untouched]
        return S

    # -- results ------------------------------------------------------------------------
    def apply(self, scenario: Scenario, *, customers: bool = False) -> dict:
        """Apply a scenario.

        Returns a dict with ``summary`` (DataFrame by segment plus ``all``: ``customers``
        (scored customers), ``weighted_customers``, ``share_destroyed_before``/``after``, ``mean_value_ratio_before``/``after``,
        ``moved_up``, ``moved_down`` (weighted counts of customers changing verdict),
        ``destroyed_to_better``, and ``<outcome>_change`` (predicted mean change per outcome)),
        ``transitions`` (verdict before x after, weighted), ``ignored`` (levers that touch
        no block of this survey) and, with ``customers=True``, ``customers`` (new scores,
        ratio and verdict per customer).
        """
        S = self.scores_after(scenario)
        ratio, code = self._value(S)
        # a customer whose scores the scenario leaves alone keeps their ratio and verdict
        # exactly (recomputing could flip a ratio sitting on the neutral band's edge)
        same = (S == self.base).all(axis=1)
        ratio[same], code[same] = self.base_ratio[same], self.base_code[same]
        delta = S - self.base
        rows = []
        for level in ["all", *self.segment_levels] if len(self.segment_levels) > 1 else ["all"]:
            m = np.ones(len(S), bool) if level == "all" else self.segments == level
            w = self.w[m]
            total = w.sum()
            row = {"segment": level, "customers": int(m.sum()), "weighted_customers": float(total),
                   "share_destroyed_before": float(w[self.base_code[m] == 0].sum() / total),
                   "share_destroyed_after": float(w[code[m] == 0].sum() / total),
                   "mean_value_ratio_before": float(np.average(self.base_ratio[m], weights=w)),
                   "mean_value_ratio_after": float(np.average(ratio[m], weights=w)),
                   "moved_up": float(w[code[m] > self.base_code[m]].sum()),
                   "moved_down": float(w[code[m] < self.base_code[m]].sum()),
                   "destroyed_to_better": float(w[(self.base_code[m] == 0) & (code[m] > 0)].sum())}
            for name, slope in self.slopes.items():
                row[f"{name}_change"] = float(np.average(delta[m] @ slope, weights=w))
            rows.append(row)
        summary = pd.DataFrame(rows).set_index("segment")
        transitions = pd.crosstab(pd.Categorical.from_codes(self.base_code, list(VERDICTS)),
                                  pd.Categorical.from_codes(code, list(VERDICTS)), values=self.w,
                                  aggfunc="sum", dropna=False).fillna(0.0)
        transitions.index.name, transitions.columns.name = "before", "after"
        out = {"scenario": scenario, "summary": summary, "transitions": transitions,
               "ignored": self._ignored(scenario)}
        if customers:
            frame = pd.DataFrame(S, index=self.index, columns=self.blocks)
            nd = len(self.dimensions)
            frame["benefits"], frame["sacrifices"] = S[:, :nd] @ self.bw, S[:, nd:] @ self.sw
            frame["value_ratio"] = ratio
            frame["verdict"] = pd.Categorical.from_codes(code, list(VERDICTS), ordered=True)
            out["customers"] = frame
        return out


def compare_scenarios(engine: ScenarioEngine, scenarios: list[Scenario], *, segment="all") -> pd.DataFrame:
    """Scenarios side by side: one column per scenario, rows from each summary (one segment)."""
    columns = {}
    for scenario in scenarios:
        summary = engine.apply(scenario)["summary"]
        columns[scenario.name] = summary.loc[segment]
    return pd.DataFrame(columns)


def build_engine(survey, *, n_segments: int | None = 4, method: str = "kmeans", random_state=None,
                 scorer: ValueScorer | None = None) -> tuple[ScenarioEngine, dict, dict]:
    """Score, segment and fit the outcome slopes of a loaded survey; return the engine.

    The one recipe the what-if notebook, the dashboard and their tests share;
    ``n_segments=None`` takes :func:`valuekit.segments.suggest_n_segments`. Returns
    ``(engine, segment_names, outcome_labels)``.
    """
    from .drivers import outcome_slopes
    from .segments import ValueSegmenter, segment_profiles, suggest_n_segments

    cb = survey.codebook
    scorer = (scorer or ValueScorer(cb)).fit(survey.data)
    scores = scorer.transform(survey.data)
    if n_segments is None:
        n_segments = suggest_n_segments(scores, cb, method=method, random_state=random_state)
    segments = ValueSegmenter(cb, n_segments=n_segments, method=method, random_state=random_state).fit(scores).labels_
    names = segment_profiles(scores, segments, codebook=cb)["name"].drop("unassigned", errors="ignore").to_dict()
    data = scores.join(survey.data[list(cb.outcomes.values())])
    slopes = {name: outcome_slopes(data, col, cb.dimensions + cb.sacrifices, weights=survey.weights)
              for name, col in cb.outcomes.items()}
    engine = ScenarioEngine(scores, scorer, segments=segments, outcome_slopes=slopes, weights=survey.weights)
    return engine, names, {name: cb.label(name) for name in cb.outcomes}
