"""What drives perceived value? Key driver analysis and importance-performance.

Two decompositions of an outcome's R² over its drivers, both computed from one
(survey-weighted) correlation matrix, so they cost the same whatever the sample size:

* **Johnson's relative weights** (Johnson 2000): the drivers are replaced by their closest
  orthogonal counterparts, the outcome regressed on those, and each counterpart's share
  carried back to the drivers. ``raw_weight`` sums to R².
* **Shapley / LMG** (Lindeman, Merenda & Gold 1980): each driver's R² gain averaged over
  every order of entry, computed exactly over all ``2**p`` subsets of drivers, each subset's
  R² from the same correlation matrix (no refit on raw rows). Exact up to
  :data:`MAX_SHAPLEY_DRIVERS` drivers.

Each driver's share of R² is rescaled to 100 % and signed by the direction of its effect
(the sign of its coefficient in the full standardized regression), so a sacrifice that
drives value down shows as a negative share. Bootstrap percentile intervals resample
respondents.

Benefits and sacrifices enter the same model and are labelled apart (``kind``).
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from .codebook import Codebook
from .scoring import common_scale, group_masks, survey_weights

__all__ = [
    "relative_weights",
    "shapley_r2",
    "key_drivers",
    "importance_performance",
    "outcome_slopes",
    "MAX_SHAPLEY_DRIVERS",
    "QUADRANTS",
]

#: The exact Shapley decomposition evaluates 2**p regressions; beyond this, refuse.
MAX_SHAPLEY_DRIVERS = 15
#: Importance-performance quadrants (Martilla & James 1977).
QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}
_METHODS = ("johnson", "shapley")


def _weighted_corr(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    w = w / w.sum()
    mean = w @ X
    centred = X - mean
    cov = (centred * w[:, None]).T @ centred
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _prepare(data: pd.DataFrame, outcome: str, drivers: list[str], weights) -> tuple[np.ndarray, np.ndarray, int]:
    missing = [c for c in [outcome, *drivers] if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in data; available: {list(data.columns)}")
    if len(drivers) < 1:
        raise ValueError("give at least one driver")
    if outcome in drivers:
        raise ValueError(f"the outcome '{outcome}' is also listed as a driver")
    text = [c for c in [outcome, *drivers] if not pd.api.types.is_numeric_dtype(data[c].dtype)]
    if text:
        raise ValueError(f"column(s) {text} are not numeric ({', '.join(str(data[c].dtype) for c in text)}); "
                         "an outcome and its drivers must be scores or ratings")
    values = data[[outcome, *drivers]].to_numpy(dtype=float, na_value=np.nan)
    w = survey_weights(weights, len(data), index=data.index)
    complete = np.isfinite(values).all(axis=1) & (w > 0)
    dropped = int((~complete).sum())
    values, w = values[complete], w[complete]
    if len(values) <= len(drivers) + 1:
        raise ValueError(f"{len(values)} complete respondents for {len(drivers)} drivers of '{outcome}'; "
                         "need more respondents than drivers + 1")
    sd = values.std(axis=0)
    if sd[0] == 0:
        raise ValueError(f"the outcome '{outcome}' is constant ({values[0, 0]:g}) among the complete "
                         "respondents; nothing to explain")
    constant = [d for d, s in zip(drivers, sd[1:]) if s == 0]
    if constant:
        raise ValueError(f"driver(s) {constant} are constant; they cannot explain '{outcome}'")
    return values, w, dropped


def _check_collinear(R: np.ndarray, drivers: list[str]) -> None:
    Rxx = R[1:, 1:]
    vals, vecs = np.linalg.eigh(Rxx)
    if vals[0] < 1e-8:
        involved = [d for d, v in zip(drivers, vecs[:, 0]) if abs(v) > 0.1]
        raise ValueError(f"drivers {involved} are perfectly collinear (one is a linear combination of "
                         "the others); drop one of them or combine them")


def _johnson(R: np.ndarray) -> np.ndarray:
    Rxx, rxy = R[1:, 1:], R[1:, 0]
    vals, vecs = np.linalg.eigh(Rxx)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T  # correlations of X with orthogonal Z
    beta = np.linalg.solve(lam, rxy)
    return (lam ** 2) @ (beta ** 2)


def _r2(R: np.ndarray, subset: tuple[int, ...]) -> float:
    if not subset:
        return 0.0
    idx = np.array(subset) + 1
    rxy = R[idx, 0]
    return float(rxy @ np.linalg.solve(R[np.ix_(idx, idx)], rxy))


def _shapley(R: np.ndarray) -> np.ndarray:
    p = R.shape[0] - 1
    r2 = {}
    for size in range(p + 1):
        for subset in combinations(range(p), size):
            r2[subset] = _r2(R, subset)
    weight = [factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)]
    phi = np.zeros(p)
    for subset, value in r2.items():
        if len(subset) == p:
            continue
        members = set(subset)
        for j in range(p):
            if j not in members:
                bigger = tuple(sorted(members | {j}))
                phi[j] += weight[len(subset)] * (r2[bigger] - value)
    return phi


def _signs(R: np.ndarray) -> np.ndarray:
    beta = np.linalg.solve(R[1:, 1:], R[1:, 0])
    return np.where(beta < 0, -1.0, 1.0)


def _decompose(R: np.ndarray, method: str) -> np.ndarray:
    return _johnson(R) if method == "johnson" else _shapley(R)


def relative_weights(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None) -> pd.DataFrame:
    """Johnson's relative weights of ``drivers`` for ``outcome``.

    Returns
    -------
    DataFrame
        One row per driver: ``raw_weight`` (sums to R²), ``share`` (signed percent of R²),
        ``sign``. The attribute ``r2`` of ``.attrs`` holds R² and ``n`` the respondents used.

    Examples
    --------
    >>> import pandas as pd
    >>> from valuekit.config import PROJ_ROOT
    >>> mtcars = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
    >>> rw = relative_weights(mtcars, "mpg", ["cyl", "disp", "hp", "wt"])
    >>> rw["raw_weight"].round(4).tolist(), round(rw.attrs["r2"], 4)   # as R's relaimpo / rwa
    ([0.2097, 0.1883, 0.18, 0.2707], 0.8486)
    """
    return _table(data, outcome, drivers, weights, "johnson")


def shapley_r2(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None) -> pd.DataFrame:
    """Shapley (LMG) decomposition of R², exact over all subsets of drivers.

    Same columns as :func:`relative_weights`. Refuses more than
    :data:`MAX_SHAPLEY_DRIVERS` drivers (2**p regressions); use
    :func:`relative_weights` then, which approximates it closely.
    """
    if len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"{len(drivers)} drivers: the exact Shapley decomposition needs 2**{len(drivers)} "
                         f"regressions and is limited to {MAX_SHAPLEY_DRIVERS} drivers; use "
                         "method='johnson' (relative weights) or fewer drivers (dimensions, not facets)")
    return _table(data, outcome, drivers, weights, "shapley")


def _table(data, outcome, drivers, weights, method) -> pd.DataFrame:
    return _decomposition(*_prepare(data, outcome, list(drivers), weights), list(drivers), method, outcome)


def _decomposition(values, w, dropped, drivers, method, outcome) -> pd.DataFrame:
    """The decomposition of prepared (complete) rows: one row per driver, R² and n in attrs."""
    R = _weighted_corr(values, w)
    _check_collinear(R, list(drivers))
    raw = _decompose(R, method)
    r2 = float(raw.sum())
    sign = _signs(R)
    out = pd.DataFrame({"driver": list(drivers), "raw_weight": raw, "share": sign * raw / r2 * 100,
                        "sign": sign.astype(int)})
    out.attrs.update(r2=r2, n=len(values), dropped=dropped, method=method, outcome=outcome)
    return out


def key_drivers(data: pd.DataFrame, outcome: str, drivers: list[str], *, codebook: Codebook | None = None,
                method: str = "johnson", by: pd.Series | None = None, weights=None,
                n_boot: int = 200, ci: float = 0.95, random_state=None, lang: str = "en") -> pd.DataFrame:
    """Relative importance of each driver for an outcome, with bootstrap intervals.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the outcome and the driver columns (e.g. the
        ValueScorer output joined with the survey's outcome columns).
    outcome : str
    drivers : list of str
        Dimension, facet or sacrifice score columns.
    codebook : Codebook, optional
        Labels each driver (in ``lang``) and says whether it is a ``benefit`` or a
        ``sacrifice``.
    method : {"johnson", "shapley"}
    by : Series, optional
        Grouping (e.g. segments): the analysis runs overall and within each group.
    weights : array-like, optional
        Survey weights (weighted correlations; bootstrap resamples respondents).
    n_boot : int, default 200
        Bootstrap resamples for the percentile interval (0: none).
    random_state : int, optional

    Returns
    -------
    DataFrame
        Tidy, one row per group and driver: ``group``, ``driver``, ``label``, ``kind``,
        ``raw_weight``, ``share`` (signed % of R²), ``ci_low``, ``ci_high`` (of the share),
        ``r2``, ``n`` (respondents used; those missing the outcome or a driver are left out
        and counted in ``dropped``), ``dropped``, ``method``, ``note`` (why a group could not
        be analysed, e.g. fewer respondents than drivers; its shares are then NaN).
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}, got {method!r}")
    drivers = list(drivers)
    if method == "shapley" and len(drivers) > MAX_SHAPLEY_DRIVERS:
        shapley_r2(data, outcome, drivers)  # raises with the explanation
    rng = np.random.default_rng(random_state)
    w_all = survey_weights(weights, len(data), index=data.index)
    frames = []
    for name, mask in group_masks(data.index, by):
        part, w = data[mask], w_all[mask]
        try:
            values, ww, dropped = _prepare(part, outcome, drivers, w)
            table = _decomposition(values, ww, dropped, drivers, method, outcome)
        except ValueError as err:
            if name == "all":
                raise
            # a group too small (or degenerate) for the analysis is reported, not fatal
            table = pd.DataFrame({"driver": drivers, "raw_weight": np.nan, "share": np.nan, "sign": 0})
            table.insert(0, "group", name)
            table["ci_low"] = table["ci_high"] = table["r2"] = np.nan
            table["n"], table["dropped"], table["method"] = int(mask.sum()), int(mask.sum()), method
            table["note"] = str(err)
            frames.append(table)
            continue
        low = high = np.full(len(drivers), np.nan)
        if n_boot:
            shares = np.empty((n_boot, len(drivers)))
            for b in range(n_boot):
                idx = rng.integers(0, len(values), len(values))
                R = _weighted_corr(values[idx], ww[idx])
                if not np.isfinite(R).all() or np.linalg.eigvalsh(R[1:, 1:])[0] < 1e-10:
                    shares[b] = np.nan
                    continue
                raw = _decompose(R, method)
                shares[b] = _signs(R) * raw / raw.sum() * 100
            alpha = (1 - ci) / 2
            low, high = np.nanquantile(shares, [alpha, 1 - alpha], axis=0)
        table.insert(0, "group", name)
        table["ci_low"], table["ci_high"] = low, high
        table["r2"], table["n"], table["dropped"] = table.attrs["r2"], table.attrs["n"], table.attrs["dropped"]
        table["method"] = method
        table["note"] = ""
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    if codebook is not None:
        out.insert(2, "label", [codebook.label(d.split("__")[-1], lang) for d in out["driver"]])
        kinds = {d: "benefit" for d in codebook.dimensions} | {s: "sacrifice" for s in codebook.sacrifices}
        out.insert(3, "kind", [kinds.get(d.split("__")[0], "other") for d in out["driver"]])
    return out


def importance_performance(drivers: pd.DataFrame, scores: pd.DataFrame, *, codebook: Codebook,
                           weights=None, importance: str = "share", lang: str = "en") -> pd.DataFrame:
    """Importance against performance, with Martilla & James's quadrants.

    Parameters
    ----------
    drivers : DataFrame
        :func:`key_drivers` output for one group (or stated importance with columns
        ``driver`` and ``share``).
    scores : DataFrame
        ValueScorer output (performance = the mean score).
    importance : str, default "share"
        The column of ``drivers`` used; its absolute value is the importance.
    lang : {"en", "es", "it"}
        Language of the point labels.

    Returns
    -------
    DataFrame
        ``driver``, ``label``, ``kind``, ``importance`` (absolute share of R²),
        ``performance`` (mean score; for a sacrifice the scale is turned round, max + min -
        mean, so that higher is better for every point), ``quadrant``. The crosshairs are
        the means of importance and performance (``.attrs``).
    """
    table = drivers.drop_duplicates("driver")
    w = survey_weights(weights, len(scores), index=scores.index)
    scale = common_scale(codebook)
    rows = []
    for _, r in table.iterrows():
        x = scores[r["driver"]].to_numpy(float)
        ok = np.isfinite(x)
        mean = float(np.average(x[ok], weights=w[ok]))
        kind = "sacrifice" if r["driver"].split("__")[0] in codebook.sacrifices else "benefit"
        perf = scale.min + scale.max - mean if kind == "sacrifice" else mean
        rows.append({"driver": r["driver"], "label": codebook.label(r["driver"].split("__")[-1], lang), "kind": kind,
                     "importance": abs(float(r[importance])), "performance": perf})
    out = pd.DataFrame(rows)
    imp_mid, perf_mid = out["importance"].mean(), out["performance"].mean()
    out["quadrant"] = [QUADRANTS[(i >= imp_mid, p >= perf_mid)]
                       for i, p in zip(out["importance"], out["performance"])]
    out.attrs.update(importance_mean=imp_mid, performance_mean=perf_mid)
    return out


def outcome_slopes(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None) -> pd.Series:
    """Survey-weighted least-squares slopes of the outcome on the drivers.

    The change in the outcome per point of each driver's score, all else equal: what a
    what-if scenario multiplies its score changes by. ``.attrs`` holds ``intercept``,
    ``r2`` and ``n``.

    >>> import pandas as pd
    >>> from valuekit.config import PROJ_ROOT
    >>> mtcars = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
    >>> outcome_slopes(mtcars, "mpg", ["wt", "hp"]).round(5).tolist()   # R: coef(lm(mpg ~ wt + hp))
    [-3.87783, -0.03177]
    """
    values, w, _ = _prepare(data, outcome, list(drivers), weights)
    R = _weighted_corr(values, w)
    _check_collinear(R, list(drivers))
    X = np.column_stack([np.ones(len(values)), values[:, 1:]])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], values[:, 0] * sw, rcond=None)
    out = pd.Series(coef[1:], index=list(drivers), name=outcome)
    out.attrs.update(intercept=float(coef[0]), r2=float(R[0, 1:] @ np.linalg.solve(R[1:, 1:], R[1:, 0])),
                     n=len(values))
    return out
