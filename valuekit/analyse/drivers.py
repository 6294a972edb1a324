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

How much and which way are reported apart, because a signed share cannot carry both:

* **How much**: ``share``, each driver's *unsigned* percent of R² (0 to 100, summing to 100
  per group).
* **Which way**: ``sign`` / ``direction``, the sign of the driver's coefficient ``beta`` in
  the full standardized (survey-weighted) regression, with ``sign_stability``, the share of
  bootstrap samples whose coefficient has the same sign.
* **Is there an effect at all**: ``beta`` with its bootstrap interval; a driver whose beta
  interval covers zero is *not distinguishable from zero* (``distinguishable`` False).

Bootstrap intervals resample respondents (with their survey weights); one set of resamples
gives the intervals of the shares, the betas and R², each resample costing one weighted
correlation matrix. They are **percentile** intervals, not BCa: BCa's acceleration needs a
jackknife, one more fit per respondent and group, which is too slow on 100,000
respondents; and the unsigned share is bounded at 0, where the acceleration estimate of a
weak driver is unstable. The percentile interval of an unsigned share never straddles zero
by construction; whether a driver helps or hurts is read from ``sign_stability`` and the
beta interval instead. Caveat: a share (and R²) is biased upwards in resamples, so for a
driver with almost no effect the share interval can lie wholly above the point estimate;
it says how much of R² the driver could take, not whether it has an effect.

A model needs respondents: a group with fewer than ``min_n_per_driver`` complete
respondents per driver (``valuekit/evidence.yaml``, 10 by default) is reported with a note
and no numbers. Benefits and sacrifices enter the same model and are labelled apart (``kind``).
"""

from __future__ import annotations

import functools
from itertools import combinations
from math import ceil, factorial

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import column_arg, columns_arg, frame_arg, grouping_arg, seed_arg
from ..errors import ParameterError, SurveyError
from ..evidence import DEFAULT_EVIDENCE
from ..measure.model import weights_arg
from ..measure.scoring import common_scale, group_masks
from ..survey.answers import weighted_cov
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import lang_arg
from .significance import unequal_weights

__all__ = [
    "relative_weights",
    "shapley_r2",
    "key_drivers",
    "driver_summary",
    "importance_performance",
    "outcome_slopes",
    "bootstrap_slopes",
    "MAX_SHAPLEY_DRIVERS",
    "QUADRANTS",
    "INVESTIGATE",
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
#: Importance-performance label of a driver whose effect runs the wrong way for its kind.
INVESTIGATE = {"benefit": "to investigate: negative effect", "sacrifice": "to investigate: positive effect"}
#: Importance-performance label of a driver without an importance (its group was withheld).
NO_ESTIMATE = "no estimate"
_METHODS = ("johnson", "shapley")


def _weighted_corr(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    cov = weighted_cov(X, w)
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _model_args(data, outcome, drivers, weights) -> tuple[pd.DataFrame, str, list[str], np.ndarray]:
    """The checked arguments of a driver model: the data, the outcome and driver columns
    (numeric, the outcome not among the drivers) and the survey weights."""
    data = frame_arg("data", data, "a DataFrame with the outcome and driver columns")
    outcome = column_arg("outcome", outcome, {"data": data}, numeric=True)
    drivers = columns_arg("drivers", drivers, {"data": data}, numeric=True)
    if outcome in drivers:
        raise ParameterError(f"drivers: the outcome '{outcome}' is also listed as a driver", name="drivers")
    w = weights_arg(weights, data)
    return data, outcome, drivers, w


def _complete(data: pd.DataFrame, outcome: str, drivers: list[str], weights, rows: bool = False) -> tuple:
    """The complete rows (outcome, drivers) with positive weight, their weights, and how many were left out
    (and, with ``rows``, which rows were used). The columns and weights are checked by :func:`_model_args` first."""
    values = data[[outcome, *drivers]].to_numpy(dtype=float, na_value=np.nan)
    w = weights_arg(weights, data)
    complete = np.isfinite(values).all(axis=1) & (w > 0)
    out = values[complete], w[complete], int((~complete).sum())
    return (*out, complete) if rows else out


def _check_model(values: np.ndarray, w: np.ndarray, drivers: list[str], outcome: str) -> np.ndarray:
    """Raise when no model can be fitted to these rows; otherwise their correlation matrix."""
    if len(values) <= len(drivers) + 1:
        raise SurveyError(f"{len(values)} complete respondents for {len(drivers)} drivers of '{outcome}'; "
                         "need more respondents than drivers + 1")
    sd = values.std(axis=0)
    if sd[0] == 0:
        raise SurveyError(f"the outcome '{outcome}' is constant ({values[0, 0]:g}) among the complete "
                         "respondents; nothing to explain")
    constant = [d for d, s in zip(drivers, sd[1:]) if s == 0]
    if constant:
        raise SurveyError(f"driver(s) {constant} are constant; they cannot explain '{outcome}'")
    R = _weighted_corr(values, w)
    check_collinear(R, drivers)
    return R


def _prepare(data: pd.DataFrame, outcome: str, drivers: list[str], weights) -> tuple[np.ndarray, np.ndarray, int]:
    data, outcome, drivers, w = _model_args(data, outcome, drivers, weights)
    values, w, dropped = _complete(data, outcome, drivers, w)
    _check_model(values, w, drivers, outcome)
    return values, w, dropped


def check_collinear(R: np.ndarray, drivers: list[str]) -> None:
    """Refuse drivers that are perfectly collinear (from the correlation matrix ``R``, the
    outcome first), naming those involved."""
    Rxx = R[1:, 1:]
    vals, vecs = np.linalg.eigh(Rxx)
    if vals[0] < 1e-8:
        involved = [d for d, v in zip(drivers, vecs[:, 0]) if abs(v) > 0.1]
        raise SurveyError(f"drivers {involved} are perfectly collinear (one is a linear combination of "
                         "the others); drop one of them or combine them")


def _johnson(R: np.ndarray) -> np.ndarray:
    Rxx, rxy = R[1:, 1:], R[1:, 0]
    vals, vecs = np.linalg.eigh(Rxx)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T  # correlations of X with orthogonal Z
    beta = np.linalg.solve(lam, rxy)
    return (lam ** 2) @ (beta ** 2)


@functools.cache
def _subsets(p: int) -> tuple[list, np.ndarray]:
    """The non-empty subsets of ``p`` drivers grouped by size (each an array of index rows,
    with its bit masks), and the Shapley weight of adding a driver to each subset, by mask:
    |S|! (p - |S| - 1)! / p! (0 for the full set)."""
    by_size = []
    for size in range(1, p + 1):
        subsets = np.array(list(combinations(range(p), size)), dtype=np.intp)
        by_size.append((subsets, (np.intp(1) << subsets).sum(axis=1)))
    sizes = np.bitwise_count(np.arange(1 << p))
    weight = np.array([factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)] + [0.0])[sizes]
    return by_size, weight


def _subset_r2(R: np.ndarray) -> np.ndarray:
    """R² of the outcome on every subset of the drivers, indexed by the subset's bit mask,
    from their correlation matrix ``R`` (the outcome first): each size's subsets solved in
    one batch."""
    p = R.shape[0] - 1
    r2 = np.zeros(1 << p)
    for subsets, masks in _subsets(p)[0]:
        idx = subsets + 1
        rxy = R[idx, 0]
        coef = np.linalg.solve(R[idx[:, :, None], idx[:, None, :]], rxy[..., None])[..., 0]
        r2[masks] = np.einsum("ij,ij->i", rxy, coef)
    return r2


def _shapley(R: np.ndarray) -> np.ndarray:
    """Each driver's Shapley share of R²: its weighted gain in R² over every subset without it."""
    p = R.shape[0] - 1
    r2 = _subset_r2(R)
    weight = _subsets(p)[1]
    masks = np.arange(1 << p)
    phi = np.zeros(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        phi[j] = weight[without] @ (r2[without | (1 << j)] - r2[without])
    return phi


def _fit(R: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Raw weights (summing to R²) and standardized coefficients of one correlation matrix."""
    raw = _johnson(R) if method == "johnson" else _shapley(R)
    beta = np.linalg.solve(R[1:, 1:], R[1:, 0])
    return raw, beta


#: The driver-model parameters the functions below share, documented once (valuekit/_docstrings.py).
_model_docs = share_docs(
    data="""\
data : DataFrame
    One row per respondent with the outcome and the driver columns (e.g. the scores
    joined with the survey's outcome columns).""",
    outcome="""\
outcome : str
    The outcome column.""",
    drivers="""\
drivers : list of str
    The driver columns (dimension, facet and sacrifice scores, or any numeric columns).""")


def _sign(beta: np.ndarray) -> np.ndarray:
    return np.where(beta < 0, -1, 1)


@survey_first("weights")
@_model_docs
def relative_weights(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None) -> pd.DataFrame:
    """Johnson's relative weights of ``drivers`` for ``outcome``.

    Parameters
    ----------
    {data}
    {outcome}
    {drivers}
    {weights}

    Returns
    -------
    DataFrame
        One row per driver: ``raw_weight`` (sums to R²), ``share`` (unsigned percent of R²,
        sums to 100), ``sign`` (+1 or -1, of the driver's standardized coefficient in the full
        regression), ``direction`` ("positive" or "negative") and ``beta`` (that coefficient).
        ``.attrs`` holds ``r2``, ``n`` (respondents used), ``dropped``, ``method``, ``outcome``.

    Examples
    --------
    >>> import pandas as pd
    >>> from valuekit.config import PROJ_ROOT
    >>> mtcars = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
    >>> rw = relative_weights(mtcars, "mpg", ["cyl", "disp", "hp", "wt"])
    >>> rw["raw_weight"].round(4).tolist(), round(rw.attrs["r2"], 4)   # as R's relaimpo / rwa
    ([0.2097, 0.1883, 0.18, 0.2707], 0.8486)
    >>> rw["share"].round(1).tolist(), rw["sign"].tolist()
    ([24.7, 22.2, 21.2, 31.9], [-1, 1, -1, -1])
    """
    return _table(data, outcome, drivers, weights, "johnson")


@survey_first("weights")
@_model_docs
def shapley_r2(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None) -> pd.DataFrame:
    """Shapley (LMG) decomposition of R², exact over all subsets of drivers.

    Same columns as :func:`relative_weights`. Refuses more than
    :data:`MAX_SHAPLEY_DRIVERS` drivers (2**p regressions); use
    :func:`relative_weights` then, which approximates it closely.

    Parameters
    ----------
    {data}
    {outcome}
    {drivers}
        At most :data:`MAX_SHAPLEY_DRIVERS` (15): the exact decomposition runs 2**p regressions.
    {weights}
    """
    data, outcome, drivers, _ = _model_args(data, outcome, drivers, weights)
    check_shapley_size(drivers)
    return _table(data, outcome, drivers, weights, "shapley")


def check_shapley_size(drivers: list[str]) -> None:
    """Refuse more drivers than the exact Shapley decomposition is allowed (its cost doubles
    with each driver)."""
    if len(drivers) > MAX_SHAPLEY_DRIVERS:
        raise ParameterError(f"{len(drivers)} drivers: the exact Shapley decomposition needs 2**{len(drivers)} "
                             f"regressions and is limited to {MAX_SHAPLEY_DRIVERS} drivers; use "
                             "method='johnson' (relative weights) or fewer drivers (dimensions, not facets)",
                             name="drivers")


def _table(data, outcome, drivers, weights, method) -> pd.DataFrame:
    data, outcome, drivers, w = _model_args(data, outcome, drivers, weights)
    values, w, dropped = _complete(data, outcome, drivers, w)
    R = _check_model(values, w, drivers, outcome)
    return _decomposition(R, len(values), dropped, drivers, method, outcome)


def _decomposition(R, n, dropped, drivers, method, outcome) -> pd.DataFrame:
    """The decomposition of a checked correlation matrix: one row per driver, R² and n in attrs."""
    raw, beta = _fit(R, method)
    r2 = float(raw.sum())
    sign = _sign(beta)
    out = pd.DataFrame({"driver": list(drivers), "raw_weight": raw, "share": raw / r2 * 100,
                        "sign": sign, "direction": np.where(sign < 0, "negative", "positive"), "beta": beta})
    out.attrs.update(r2=r2, n=n, dropped=dropped, method=method, outcome=outcome)
    return out


def _resample_factors(n: int, rng: np.random.Generator, design: SurveyDesign | None = None) -> np.ndarray:
    """One bootstrap replicate as weight multipliers for ``n`` respondents: how many times each
    is drawn in a resample of the respondents with replacement, or, under a design with
    strata or clusters, Rao and Wu's rescaling bootstrap of its clusters within strata
    (:meth:`valuekit.survey.design.SurveyDesign.bootstrap_factors`), so that the replicates
    vary as the design's estimates do."""
    if design is not None and design.clustered:
        return design.bootstrap_factors(rng)
    return np.bincount(rng.integers(0, n, n), minlength=n)


def _bootstrap(values, w, method, sign, n_boot, ci, rng, design: SurveyDesign | None = None) -> dict:
    """Percentile intervals of share, beta and R² from one set of resamples (of respondents, or
    of clusters within strata under ``design``: :func:`_resample_factors`), and the sign
    stability of each beta (:func:`bootstrap_intervals`)."""
    n = values.shape[0]

    def replicates():
        for _ in range(n_boot):
            counts = _resample_factors(n, rng, design)  # a resample as frequency weights
            with np.errstate(invalid="ignore", divide="ignore"):
                yield _weighted_corr(values, w * counts)

    return bootstrap_intervals(replicates(), method, sign, n_boot, ci, values.shape[1] - 1)


def bootstrap_intervals(matrices, method, sign, n_boot, ci, p) -> dict:
    """Percentile intervals of share, beta and R² over the correlation matrices of bootstrap
    replicates, and the sign stability of each beta. Replicates where a driver is constant
    or the drivers are collinear are left out (``n_valid`` counts those kept)."""
    shares, betas, r2s = np.full((n_boot, p), np.nan), np.full((n_boot, p), np.nan), np.full(n_boot, np.nan)
    for b, R in enumerate(matrices):
        if not np.isfinite(R).all() or np.linalg.eigvalsh(R[1:, 1:])[0] < 1e-10:
            continue
        raw, beta = _fit(R, method)
        r2 = raw.sum()
        if r2 > 0:
            shares[b], betas[b], r2s[b] = raw / r2 * 100, beta, r2
    ok = np.isfinite(r2s)
    result = {"n_valid": int(ok.sum()), "share": np.full((2, p), np.nan), "beta": np.full((2, p), np.nan),
              "r2": np.full(2, np.nan), "stability": np.full(p, np.nan)}
    if ok.any():
        alpha = (1 - ci) / 2
        q = [alpha, 1 - alpha]
        result.update(share=np.quantile(shares[ok], q, axis=0), beta=np.quantile(betas[ok], q, axis=0),
                      r2=np.quantile(r2s[ok], q), stability=(_sign(betas[ok]) == sign).mean(axis=0))
    return result


def ols_tests(R: np.ndarray, n: int) -> dict:
    """The ordinary least squares tests of a model from its correlation matrix ``R`` (the
    outcome first) and ``n`` respondents, as R's ``summary(lm(...))``: each standardized
    coefficient's standard error, sqrt((1 - R²) / (n - p - 1) [Rxx⁻¹]jj), the overall F
    test of R² and its degrees of freedom."""
    p = R.shape[0] - 1
    inv = np.linalg.inv(R[1:, 1:])
    beta = inv @ R[1:, 0]
    r2 = float(R[1:, 0] @ beta)
    df = n - p - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(max(1 - r2, 0.0) / df * np.diag(inv))
        f = (r2 / p) / (max(1 - r2, 0.0) / df)
    return {"beta": beta, "se": se, "df": df, "f": f, "df1": p, "df2": df, "test": "F"}


def design_tests(values: np.ndarray, w: np.ndarray, design: SurveyDesign) -> dict:
    """The design-based tests of a weighted model (the outcome in ``values``' first column),
    as R's ``svyglm`` and ``regTermTest``: the coefficients' linearized (sandwich) covariance
    over the design's clusters and strata, each standardized coefficient's standard error,
    the Wald F of all the drivers with (p, df - p) degrees of freedom (df: the design's,
    among the model's respondents), and the model's test: the Rao-Scott working likelihood
    ratio (``regTermTest(method = "LRT")``, saddlepoint approximation; Lumley and Scott
    2014), whose size stays nearer its nominal level than the Wald F's when many drivers
    are tested on a few hundred weighted respondents."""
    y, X = values[:, 0], np.column_stack([np.ones(len(values)), values[:, 1:]])
    p = X.shape[1] - 1
    ainv = np.linalg.inv(X.T @ (X * w[:, None]))
    b = ainv @ (X.T @ (w * y))
    resid = y - X @ b
    cov = design.covariance((w * resid)[:, None] * (X @ ainv))
    df = design.df() - p
    slopes, v = b[1:], cov[1:, 1:]
    sd = np.sqrt(np.diag(weighted_cov(values, w)))
    naive = ainv[1:, 1:] * w.mean()  # svyglm's naive.cov: weights rescaled to mean 1
    with np.errstate(divide="ignore", invalid="ignore"):
        f = float(slopes @ np.linalg.solve(v, slopes)) / p
        lrt = float(slopes @ np.linalg.solve(naive, slopes))
        misspec = np.linalg.eigvals(np.linalg.solve(naive, v)).real
    return {"beta": slopes * sd[1:] / sd[0], "se": np.sqrt(np.diag(v)) * sd[1:] / sd[0], "df": df, "f": f,
            "df1": p, "df2": df, "test": "Rao-Scott likelihood ratio", "b": b, "b_se": np.sqrt(np.diag(cov)),
            "lrt": lrt, "lrt_p": p_fsum(lrt, misspec, df) if df > 0 else np.nan}


def p_fsum(x: float, a: np.ndarray, ddf: float) -> float:
    """P(sum a_i chi2_1 / (chi2_ddf / ddf) > x): the reference distribution of the Rao-Scott
    likelihood ratio, by the saddlepoint approximation, or Satterthwaite's F where it fails
    (R survey's ``pFsum(method = "saddlepoint")``)."""
    from scipy import stats  # deferred: scipy

    a = np.asarray(a, float)
    tr = a.mean()
    tr2 = (a ** 2).mean() / tr ** 2
    ndf = len(a) / tr2
    satterthwaite = float(stats.f.sf(x / ndf / (tr * tr2), ndf, ddf))
    ddf = int(round(ddf))
    s = _saddle(np.concatenate([a, np.full(ddf, -x / ddf)]))
    return satterthwaite if not np.isfinite(s) else s


def _saddle(lam: np.ndarray) -> float:
    """P(sum lam_i chi2_1 > 0) by Kuonen's saddlepoint approximation (R survey's ``saddle(0, lam)``);
    NaN where it is not defined (its root too near zero)."""
    from scipy import optimize, stats  # deferred: scipy

    lam = lam / lam.max()

    def k0(z):
        return -np.sum(np.log(1 - 2 * z * lam)) / 2

    def k1(z):
        return np.sum(lam / (1 - 2 * z * lam))

    low = np.max(1 / (2 * lam[lam < 0])) * 0.99999
    high = np.min(1 / (2 * lam[lam > 0])) * 0.99999
    try:
        z = optimize.brentq(k1, low, high, xtol=1e-12)
    except ValueError:
        return np.nan
    if abs(z) < 1e-4:
        return np.nan
    w = np.sign(z) * np.sqrt(2 * (-k0(z)))
    v = z * np.sqrt(2 * np.sum(lam ** 2 / (1 - 2 * z * lam) ** 2))
    return float(stats.norm.sf(w + np.log(v / w) / w))


def _test_columns(tests: dict | None, r2: float, n: int, p: int, ci: float) -> dict:
    """The columns the model's tests give every driver row: its p (and Bonferroni-adjusted p)
    and adjusted interval of the standardized coefficient (at 1 - (1 - ci) / p), and the
    model's F, its degrees of freedom, p and adjusted R²."""
    nan = np.full(p, np.nan)
    if tests is None:
        return {"beta_p": nan, "beta_p_adj": nan, "beta_adj_ci_low": nan, "beta_adj_ci_high": nan,
                "model_f": nan, "model_df1": nan, "model_df2": nan, "model_p": nan, "adj_r2": nan}
    from scipy import stats  # deferred: scipy

    df = tests["df"]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = tests["beta"] / tests["se"]
        beta_p = 2 * stats.t.sf(np.abs(t), df) if df > 0 else nan
        half = stats.t.ppf(1 - (1 - ci) / (2 * p), df) * tests["se"] if df > 0 else nan
        model_p = tests["lrt_p"] if "lrt_p" in tests else \
            stats.f.sf(tests["f"], tests["df1"], tests["df2"]) if tests["df2"] > 0 else np.nan
        adj = 1 - (1 - r2) * (n - 1) / (n - p - 1) if n > p + 1 else np.nan
    return {"beta_p": beta_p, "beta_p_adj": np.minimum(beta_p * p, 1.0),
            "beta_adj_ci_low": tests["beta"] - half, "beta_adj_ci_high": tests["beta"] + half,
            "model_f": np.full(p, tests["f"]), "model_df1": np.full(p, float(tests["df1"])),
            "model_df2": np.full(p, float(tests["df2"])), "model_p": np.full(p, model_p), "adj_r2": np.full(p, adj)}


def adjust_model_tests(tables: list[pd.DataFrame], method: str = "fdr_bh") -> list[pd.DataFrame]:
    """The driver tables with ``model_p_adj``: every model's overall test adjusted across all
    the models of ``tables`` (each group of each table once; the whole-sample model ``all``,
    the same in every table, once), so that a playbook fitting many models (segments and
    every grouping the survey defines) does not let one pass by chance.

    ``method``: as :func:`statsmodels.stats.multitest.multipletests` (``fdr_bh``, ``holm``,
    ``bonferroni``), or ``none``. Tables without ``model_p`` are returned unchanged.
    """
    from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

    keys, values = {}, []
    for i, table in enumerate(tables):
        if "model_p" not in table:
            continue
        for group, p in table.groupby("group", sort=False)["model_p"].first().items():
            key = ("all",) if group == "all" else (i, group)
            if key not in keys and np.isfinite(p):
                keys[key] = len(values)
                values.append(p)
    adjusted = np.asarray(values, float)
    if len(values) and method != "none":
        adjusted = multipletests(values, method=method)[1]
    out = []
    for i, table in enumerate(tables):
        if "model_p" not in table:
            out.append(table)
            continue
        index = [keys.get(("all",) if g == "all" else (i, g)) for g in table["group"]]
        out.append(table.assign(model_p_adj=[adjusted[k] if k is not None else np.nan for k in index]))
    return out


def model_gate(row, settings) -> str:
    """Why a driver model cannot name drivers, in words, or "" when it can.

    ``row``: a row of a :func:`key_drivers` table (the model's columns are the same on
    every row of a group). A model names drivers when its overall test (``model_p``: the F
    test, or the design-based Wald F when weighted; ``model_p_adj`` when the table has it,
    :func:`adjust_model_tests`) is below ``alpha`` and its adjusted R²
    reaches ``min_adj_r2`` (``settings``: the evidence floors). A table without the model's
    tests (a weighted model from the Dask engine) cannot.
    """
    note = row.get("note", "")
    if isinstance(note, str) and note:
        return note
    adjusted = np.isfinite(float(row.get("model_p_adj", np.nan)))
    p = float(row.get("model_p_adj" if adjusted else "model_p", np.nan))
    adj = float(row.get("adj_r2", np.nan))
    if not np.isfinite(p):
        return "the model's overall test was not computed"
    test = (f"F({row['model_df1']:.0f}, {row['model_df2']:.0f}) = {row['model_f']:.2f}, "
            if row.get("model_test", "F") == "F" else "Rao-Scott likelihood ratio, ")
    test += f"{'adjusted ' if adjusted else ''}p = {_check.p_text(p)}"
    if not p < settings["alpha"]:
        return f"the model does not explain the outcome beyond chance ({test})"
    if not adj >= settings["min_adj_r2"]:
        return f"the model explains too little: adjusted R² {adj:.3f} < {settings['min_adj_r2']} ({test})"
    return ""


def driver_rows(name, drivers, method, outcome, R, n, dropped, note, intervals=None, tests=None,
                ci: float = 0.95) -> pd.DataFrame:
    """The rows of :func:`key_drivers` for one group: NaN when ``note`` says why the group
    is withheld; else the decomposition of its correlation matrix ``R``, with the intervals
    ``intervals(sign)`` returns (:func:`bootstrap_intervals`' dict), or none, and the
    model's ``tests`` (:func:`ols_tests` or :func:`design_tests`; None: not computed)."""
    p = len(drivers)
    nan = np.full(p, np.nan)
    boot = {"share": np.full((2, p), np.nan), "beta": np.full((2, p), np.nan), "r2": np.full(2, np.nan),
            "stability": nan, "n_valid": 0}
    if note:
        table = pd.DataFrame({"driver": drivers, "raw_weight": nan, "share": nan, "sign": np.zeros(p, int),
                              "direction": [""] * p, "beta": nan})
        r2 = np.nan
    else:
        table = _decomposition(R, n, dropped, drivers, method, outcome)
        r2 = table.attrs["r2"]
        if intervals is not None:
            boot = intervals(table["sign"].to_numpy())
    beta_low, beta_high = boot["beta"]
    tested = _test_columns(None if note else tests, r2, n, p, ci)
    adj_low, adj_high = tested["beta_adj_ci_low"], tested["beta_adj_ci_high"]
    has_interval = np.isfinite(adj_low) & np.isfinite(adj_high)
    distinguishable = pd.array([bool(lo > 0 or hi < 0) if ok else pd.NA
                                for lo, hi, ok in zip(adj_low, adj_high, has_interval)], dtype="boolean")
    return pd.DataFrame({
        "group": [name] * p, "driver": drivers,
        "raw_weight": table["raw_weight"].to_numpy(float), "share": table["share"].to_numpy(float),
        "ci_low": boot["share"][0], "ci_high": boot["share"][1],
        "sign": table["sign"].to_numpy(int), "direction": table["direction"].to_numpy(object),
        "sign_stability": boot["stability"],
        "beta": table["beta"].to_numpy(float), "beta_ci_low": beta_low, "beta_ci_high": beta_high,
        "beta_p": tested["beta_p"], "beta_p_adj": tested["beta_p_adj"],
        "beta_adj_ci_low": adj_low, "beta_adj_ci_high": adj_high, "distinguishable": distinguishable,
        "r2": np.full(p, r2), "r2_ci_low": np.full(p, boot["r2"][0]), "r2_ci_high": np.full(p, boot["r2"][1]),
        "adj_r2": tested["adj_r2"], "model_f": tested["model_f"], "model_df1": tested["model_df1"],
        "model_df2": tested["model_df2"], "model_p": tested["model_p"],
        "model_test": [("" if note or tests is None else tests["test"])] * p,
        "n": np.full(p, n), "dropped": np.full(p, dropped), "n_boot": np.full(p, boot["n_valid"]),
        "method": [method] * p, "note": [note] * p,
    })


def floor_note(n: int, p: int, per_driver: float) -> str:
    """The note for ``n`` respondents, too few for ``p`` drivers at ``per_driver`` each."""
    drivers = f"{p} driver" + ("s" if p != 1 else "")
    return (f"too few respondents for {drivers}: {n:,} (at least {ceil(per_driver * p):,} needed, "
            f"{per_driver:g} per driver)")


def _bootstrap_args(n_boot, ci, random_state, lang, min_n_per_driver) -> tuple:
    """The bootstrap and reporting arguments of :func:`key_drivers`, checked; ``min_n_per_driver``
    None is the evidence floor of the same name."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ParameterError(f"n_boot must be a whole number >= 0, got {n_boot!r}", name="n_boot")
    ci = _check.fraction("ci", ci)
    seed_arg("random_state", random_state, also=(np.random.Generator,))
    lang = lang_arg(lang)
    per_driver = DEFAULT_EVIDENCE["min_n_per_driver"] if min_n_per_driver is None else min_n_per_driver
    if isinstance(per_driver, bool) or not isinstance(per_driver, (int, float, np.number)) \
            or not np.isfinite(per_driver) or per_driver < 0:
        raise ParameterError(f"min_n_per_driver must be a number >= 0, got {per_driver!r}", name="min_n_per_driver")
    return n_boot, ci, lang, per_driver


def _label_drivers(out: pd.DataFrame, codebook, lang: str) -> None:
    """Insert each driver's label (in ``lang``) and kind (benefit, sacrifice or other)."""
    out.insert(2, "label", [codebook.label(d.split("__")[-1], lang) for d in out["driver"]])
    kinds = {d: "benefit" for d in codebook.dimensions} | {s: "sacrifice" for s in codebook.sacrifices}
    out.insert(3, "kind", [kinds.get(d.split("__")[0], "other") for d in out["driver"]])


@survey_first("codebook", "weights", "design")
@_model_docs
def key_drivers(data: pd.DataFrame, outcome: str, drivers: list[str], *, codebook: Codebook | None = None,
                method: str = "johnson", by: pd.Series | None = None, weights=None, design=None,
                n_boot: int = 200, ci: float = 0.95, random_state=None, lang: str = "en",
                min_n_per_driver: float | None = None) -> pd.DataFrame:
    """Relative importance and direction of each driver of an outcome, with bootstrap intervals.

    Parameters
    ----------
    {data}
    {outcome}
    {drivers}
    {codebook}
        It labels each driver (in ``lang``) and says whether it is a ``benefit`` or a
        ``sacrifice``.
    method : {"johnson", "shapley"}
    by : Series, optional
        Grouping (e.g. segments): the analysis runs overall and within each group.
        Respondents without a group (unscored respondents have no segment) are in the
        ``all`` model only: they form no group of their own, and ``.attrs["no_group"]``
        counts them.
    {weights}
        The correlations are weighted, and the bootstrap resamples respondents with their
        weights.
    {design}
        With a design or unequal weights the model's tests are design-based (``svyglm``);
        otherwise ordinary least squares (``lm``).
    n_boot : int, default 200
        Bootstrap resamples for the percentile intervals (0: no intervals). One set of
        resamples serves the shares, the betas and R².
    ci : float, default 0.95
        Coverage of the intervals.
    {random_state}
    {lang}
    min_n_per_driver : float, optional
        Complete respondents a group needs per driver before its model is reported; below
        ``min_n_per_driver * len(drivers)`` the group's numbers are NaN and ``note`` says so.
        Default: ``min_n_per_driver`` of :data:`valuekit.evidence.DEFAULT_EVIDENCE`
        (10, ``valuekit/evidence.yaml``); 0 turns the floor off.

    Returns
    -------
    DataFrame
        Tidy, one row per group and driver:

        * ``group``, ``driver``, ``label`` and ``kind`` (``benefit``, ``sacrifice`` or
          ``other``; with ``codebook`` only);
        * ``raw_weight`` (sums to R²), ``share`` (the *unsigned* percent of R², 0 to 100,
          summing to 100 in a group), ``ci_low``, ``ci_high`` (its percentile interval, never
          below 0);
        * ``sign`` (+1 or -1: the sign of the driver's coefficient in the full standardized
          regression; 0 when the group was withheld), ``direction`` (``"positive"``,
          ``"negative"``; ``""`` when withheld), ``sign_stability`` (share of bootstrap samples
          whose coefficient has the same sign);
        * ``beta`` (standardized coefficient of the full weighted regression), ``beta_ci_low``,
          ``beta_ci_high`` (its percentile interval), ``distinguishable`` (nullable boolean:
          True when the beta interval excludes 0, False when it covers 0, ``<NA>`` without an
          interval, i.e. ``n_boot=0`` or a withheld group);
        * ``r2``, ``r2_ci_low``, ``r2_ci_high`` (the group's model), ``n`` (complete
          respondents: used, or that would have been used when the group is withheld),
          ``dropped`` (respondents missing the outcome or a driver, or with zero weight),
          ``n_boot`` (resamples behind the intervals: fewer than asked when some were
          degenerate, a driver constant or the drivers collinear in the resample, and left
          out; 0 without intervals), ``method``, ``note`` (empty when the group's numbers are
          reported; otherwise why they are withheld: too few respondents per driver, a
          constant or collinear driver within the group).

        The intervals are NaN with ``n_boot=0``. ``.attrs`` holds ``outcome``, ``method``,
        ``ci``, ``n_boot``, ``min_n_per_driver`` and ``no_group`` (respondents whose group
        in ``by`` is missing: in the ``all`` model, in no group's); :func:`driver_summary` writes the line
        to print beside the table.

    Raises
    ------
    ValueError
        When the overall model cannot be fitted at all (no more complete respondents than
        drivers + 1, a constant outcome or driver, perfectly collinear drivers), for an
        unknown method, or more than :data:`MAX_SHAPLEY_DRIVERS` drivers with Shapley.
        A group within ``by`` with the same problem is reported with a note instead.
    """
    if not isinstance(method, str) or method not in _METHODS:
        raise ParameterError(f"method must be one of {list(_METHODS)}, got {method!r}", name="method")
    data, outcome, drivers, w_all = _model_args(data, outcome, drivers, weights)
    if method == "shapley":
        check_shapley_size(drivers)
    if codebook is not None:
        codebook_arg("codebook", codebook)
    by = grouping_arg("by", by, data.index, {"data": data})
    n_boot, ci, lang, per_driver = _bootstrap_args(n_boot, ci, random_state, lang, min_n_per_driver)
    rng = np.random.default_rng(random_state)
    p = len(drivers)
    frames = []
    no_group = 0
    design = _model_design(design, data.index, w_all)
    for name, mask in group_masks(data.index, by):
        if name == "(missing)":  # no group to model: they are in the "all" model
            no_group = int(mask.sum())
            continue
        values, ww, dropped, used = _complete(data[mask], outcome, drivers, w_all[mask], rows=True)
        note = ""
        try:
            R = _check_model(values, ww, drivers, outcome)
        except ValueError as err:
            if name == "all":
                raise
            note = str(err)  # a degenerate group is reported, not fatal
        if len(values) < per_driver * p:
            note = floor_note(len(values), p, per_driver)

        own = None if design is None else design.aligned(data.index[mask][used])

        def intervals(sign, values=values, ww=ww, own=own):
            return _bootstrap(values, ww, method, sign, n_boot, ci, rng, own)

        tests = None
        if not note:
            tests = ols_tests(R, len(values)) if own is None else design_tests(values, ww, own)
        frames.append(driver_rows(name, drivers, method, outcome, None if note else R, len(values), dropped, note,
                                  intervals if n_boot else None, tests=tests, ci=ci))
    out = pd.concat(frames, ignore_index=True)
    if codebook is not None:
        _label_drivers(out, codebook, lang)
    out.attrs.update(outcome=outcome, method=method, ci=float(ci), n_boot=int(n_boot),
                     min_n_per_driver=float(per_driver), no_group=no_group, multiplicity="bonferroni",
                     variance=("ordinary least squares" if design is None else
                               f"design-based (Taylor linearization; {design.describe})"))
    return out


def driver_summary(table: pd.DataFrame, group="all") -> str:
    """The line to print beside a driver table: R² with its interval, n and who was left out.

    ``table`` is :func:`key_drivers` output (``group`` picks the group), or
    :func:`relative_weights` / :func:`shapley_r2` output (R² and n from ``.attrs``). A group
    whose numbers were withheld gives its note instead; degenerate bootstrap samples left
    out are mentioned.

    >>> t = pd.DataFrame({"group": "all", "r2": 0.4127, "r2_ci_low": 0.37, "r2_ci_high": 0.4512,
    ...                   "n": 1903, "dropped": 12, "note": ""}, index=[0, 1])
    >>> driver_summary(t)
    'R² 0.41 [0.37, 0.45], n = 1,903 (12 left out: missing values or zero weight)'
    """
    table = frame_arg("table", table, "a key_drivers, relative_weights or shapley_r2 table")
    if "group" not in table.columns:
        a = table.attrs
        row = {"r2": a.get("r2", np.nan), "n": a.get("n", 0), "dropped": a.get("dropped", 0)}
    else:
        rows = table[table["group"] == group]
        if rows.empty:
            raise ParameterError(f"no group {group!r} in the driver table; groups: "
                                 f"{list(dict.fromkeys(table['group']))}", name="group")
        columns_arg("table", ["r2", "n"], {"table": table})
        row = rows.iloc[0]
    r2 = float(row["r2"])
    if not np.isfinite(r2):
        return str(row.get("note", "") or "") or f"no driver model (n = {int(row['n']):,})"
    text = f"R² {r2:.2f}"
    low, high = float(row.get("r2_ci_low", np.nan)), float(row.get("r2_ci_high", np.nan))
    if np.isfinite(low) and np.isfinite(high):
        text += f" [{low:.2f}, {high:.2f}]"
    text += f", n = {int(row['n']):,}"
    dropped = int(row.get("dropped", 0))
    if dropped:
        text += f" ({dropped:,} left out: missing values or zero weight)"
    asked, used = int(table.attrs.get("n_boot", 0)), int(row.get("n_boot", 0))
    if asked and not used:
        text += f"; no intervals: all {asked} bootstrap samples degenerate"
    elif used < asked:
        text += f"; intervals from {used} of {asked} bootstrap samples ({asked - used} degenerate, left out)"
    return text


def _ipa_args(drivers, scores, codebook, weights, importance, lang) -> tuple:
    """:func:`importance_performance`'s arguments, checked: the drivers (one row each), the
    scores, the codebook, the survey weights and the language."""
    drivers = frame_arg("drivers", drivers, "a key_drivers table (or columns driver and share)")
    importance = _check.text("importance", importance)
    columns_arg("drivers", ["driver"], {"drivers": drivers})
    if importance not in drivers.columns:
        raise ParameterError(f"importance: column {importance!r} not found in drivers; available: "
                             f"{list(drivers.columns)}", name="importance")
    kind = drivers[importance].dtype
    if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
        raise ParameterError(f"importance: column '{importance}' of drivers is not numeric "
                             f"({drivers[importance].dtype})", name="importance")
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    codebook = codebook_arg("codebook", codebook)
    w = weights_arg(weights, scores)
    lang = lang_arg(lang)
    table = drivers.drop_duplicates("driver")
    columns_arg("scores", [str(d) for d in table["driver"]], {"scores": scores}, numeric=True)
    if not len(scores):
        raise SurveyError("scores: no respondents (0 rows); importance_performance needs the scored "
                          "respondents to measure each driver's performance")
    return table, scores, codebook, w, lang


def _ipa_row(r: pd.Series, scores, w, codebook, scale, importance: str, lang: str, columns) -> dict:
    """One driver's point: its importance (unsigned), direction, and performance (the weighted
    mean score, turned round for a sacrifice so that higher is better)."""
    x = scores[r["driver"]].to_numpy(float)
    ok = np.isfinite(x)
    if w[ok].sum() <= 0:
        raise SurveyError(f"scores: column {r['driver']!r} has no scored respondent with a positive weight; "
                          "cannot measure its performance")
    mean = float(np.average(x[ok], weights=w[ok]))
    kind = r["kind"] if "kind" in columns and r["kind"] in INVESTIGATE else (
        "sacrifice" if r["driver"].split("__")[0] in codebook.sacrifices else "benefit")
    value = float(r[importance])
    if not np.isfinite(value):
        direction = ""  # no estimate, no direction
    elif "direction" in columns and r["direction"] in ("positive", "negative"):
        direction = r["direction"]
    elif "sign" in columns and pd.notna(r["sign"]) and r["sign"] != 0:
        direction = "negative" if r["sign"] < 0 else "positive"
    else:
        direction = "negative" if value < 0 else "positive"
    perf = scale.min + scale.max - mean if kind == "sacrifice" else mean
    row = {"driver": r["driver"], "label": codebook.label(r["driver"].split("__")[-1], lang), "kind": kind,
           "direction": direction, "importance": abs(value), "performance": perf}
    if "distinguishable" in columns:
        row["distinguishable"] = r["distinguishable"]
    return row


@survey_first("codebook", "weights")
@share_docs
def importance_performance(drivers: pd.DataFrame, scores: pd.DataFrame, *, codebook: Codebook,
                           weights=None, importance: str = "share", lang: str = "en") -> pd.DataFrame:
    """Importance against performance, with Martilla & James's quadrants.

    Parameters
    ----------
    drivers : DataFrame
        :func:`key_drivers` output for one group (the first row of each driver is used), or
        stated importance with columns ``driver`` and ``share``.
    {scores}
        Performance is the mean score.
    {codebook}
    {weights}
    importance : str, default "share"
        The column of ``drivers`` used; its absolute value is the importance.
    {lang}

    Returns
    -------
    DataFrame
        ``driver``, ``label``, ``kind``, ``direction`` (of the effect; ``""`` without an
        estimate), ``importance`` (absolute share of R²),
        ``performance`` (mean score; for a sacrifice the scale is turned round, max + min -
        mean, so that higher is better for every point), ``quadrant`` (and
        ``distinguishable`` when ``drivers`` has it).

        The direction of the effect is read from ``direction`` (or ``sign``) when
        ``drivers`` has it, otherwise from the sign of the importance column; the kind from
        ``kind`` when present, otherwise from the codebook. A benefit that *lowers* the
        outcome, or a sacrifice that *raises* it, is not an importance to act on: its
        quadrant is ``"to investigate: negative effect"`` / ``"to investigate: positive
        effect"`` (:data:`INVESTIGATE`). It usually means an item worded the other way
        round or a reverse-coding mistake, sometimes a suppressor effect among correlated
        drivers; check the codebook before reading anything into it. A driver without an
        importance (its group was withheld) gets ``"no estimate"``. The crosshairs are the
        means of importance and performance over the other drivers (``.attrs``);
        ``.attrs["notes"]`` holds ``drivers``' notes (why a group was withheld), if any.
        Raises :class:`~valuekit.errors.SurveyError` when ``scores`` has no respondent
        to measure a driver's performance on.
    """
    table, scores, codebook, w, lang = _ipa_args(drivers, scores, codebook, weights, importance, lang)
    scale = common_scale(codebook)
    rows = [_ipa_row(r, scores, w, codebook, scale, importance, lang, table.columns) for _, r in table.iterrows()]
    out = pd.DataFrame(rows)
    if "distinguishable" in out.columns:
        out["distinguishable"] = out["distinguishable"].astype("boolean")
    expected = np.where(out["kind"] == "sacrifice", "negative", "positive")
    missing = out["importance"].isna().to_numpy()
    wrong_way = (out["direction"] != expected).to_numpy() & ~missing
    usable = ~wrong_way & ~missing
    imp_mid, perf_mid = out.loc[usable, "importance"].mean(), out.loc[usable, "performance"].mean()
    out["quadrant"] = [INVESTIGATE[k] if bad else NO_ESTIMATE if gone else QUADRANTS[(i >= imp_mid, p >= perf_mid)]
                       for k, bad, gone, i, p in zip(out["kind"], wrong_way, missing, out["importance"],
                                                      out["performance"])]
    notes = []
    if "note" in table.columns:  # why a withheld group has no estimate (key_drivers' note)
        notes = [str(n) for n in dict.fromkeys(table["note"].dropna()) if str(n)]
    out.attrs.update(importance_mean=imp_mid, performance_mean=perf_mid, notes=notes)
    return out


@survey_first("weights", "design")
@_model_docs
def outcome_slopes(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None,
                   design: SurveyDesign | None = None) -> pd.Series:
    """Survey-weighted least-squares slopes of the outcome on the drivers.

    The change in the outcome per point of each driver's score, all else equal: what a
    what-if scenario multiplies its score changes by. ``.attrs`` holds ``intercept``,
    ``r2``, ``n``, and the model's overall test, which decides whether its predictions
    may be shown (:func:`model_gate`): ``adj_r2``, ``model_p``, ``model_test`` ("F" as
    ``summary(lm(...))``; with unequal weights or a design, the Rao-Scott likelihood ratio
    of ``regTermTest(svyglm(...), method = "LRT")``, :func:`design_tests`), ``model_f``,
    ``model_df1`` and ``model_df2``.

    >>> import pandas as pd
    >>> from valuekit.config import PROJ_ROOT
    >>> mtcars = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
    >>> slopes = outcome_slopes(mtcars, "mpg", ["wt", "hp"])
    >>> slopes.round(5).tolist()   # R: coef(lm(mpg ~ wt + hp))
    [-3.87783, -0.03177]
    >>> round(slopes.attrs["model_f"], 2), round(slopes.attrs["adj_r2"], 4)  # R: summary(lm(mpg ~ wt + hp))
    (69.21, 0.8148)

    Parameters
    ----------
    {data}
    {outcome}
    {drivers}
    {weights}
    {design}
    """
    data, outcome, drivers, w_all = _model_args(data, outcome, drivers, weights)
    design = _model_design(design, data.index, w_all)
    values, w, _, used = _complete(data, outcome, drivers, w_all, rows=True)
    R = _check_model(values, w, list(drivers), outcome)
    X = np.column_stack([np.ones(len(values)), values[:, 1:]])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], values[:, 0] * sw, rcond=None)
    out = pd.Series(coef[1:], index=list(drivers), name=outcome)
    r2, n, p = float(R[0, 1:] @ np.linalg.solve(R[1:, 1:], R[1:, 0])), len(values), len(drivers)
    tests = ols_tests(R, n) if design is None else design_tests(values, w, design.aligned(data.index[used]))
    columns = _test_columns(tests, r2, n, p, 0.95)
    out.attrs.update(intercept=float(coef[0]), r2=r2, n=n, adj_r2=float(columns["adj_r2"][0]),
                     model_p=float(columns["model_p"][0]), model_test=tests["test"],
                     model_f=float(tests["f"]), model_df1=float(tests["df1"]), model_df2=float(tests["df2"]))
    return out


def _model_design(design, index: pd.Index, w: np.ndarray) -> SurveyDesign | None:
    """A model's design: the one given, each respondent their own cluster under unequal
    weights alone, or None (equal weights: ordinary least squares)."""
    design = design_arg(design, index)
    if design is None and unequal_weights(w):
        design = SurveyDesign(index)
    return design


@survey_first("weights", "design")
@_model_docs
def bootstrap_slopes(data: pd.DataFrame, outcome: str, drivers: list[str], *, weights=None,
                     design: SurveyDesign | None = None, n_boot: int = 200, random_state=None) -> pd.DataFrame:
    """:func:`outcome_slopes` refitted on ``n_boot`` bootstrap resamples.

    One row per resample, one column per driver: what a what-if scenario multiplies its
    mean score changes by to give the outcome change an interval (the percentile interval
    over these rows). Respondents are resampled with replacement, keeping their survey
    weights; under a design with strata or clusters, its clusters are resampled within
    strata instead (Rao and Wu's rescaling bootstrap, :func:`_resample_factors`), as R's
    ``as.svrepdesign(design, type = "subbootstrap")``. ``.attrs`` carries ``r2`` and ``n``
    of the full-sample model.

    Parameters
    ----------
    {data}
    {outcome}
    {drivers}
    {weights}
    {design}
    n_boot : int, default 200
        Resamples (at least 2).
    random_state : int, Generator or None
        Seed of the resampling.
    """
    data, outcome, drivers, w_all = _model_args(data, outcome, drivers, weights)
    n_boot = _check.integer("n_boot", n_boot, min=2)
    seed_arg("random_state", random_state, also=(np.random.Generator,))
    design = design_arg(design, data.index)
    values, w, _, used = _complete(data, outcome, drivers, w_all, rows=True)
    _check_model(values, w, list(drivers), outcome)
    full = outcome_slopes(data, outcome, list(drivers), weights=w_all, design=design)
    own = None if design is None else design.aligned(data.index[used])
    rng = np.random.default_rng(random_state)
    n = len(values)
    X = np.column_stack([np.ones(n), values[:, 1:]])
    y = values[:, 0]
    out = np.empty((n_boot, len(drivers)))
    for b in range(n_boot):
        sw = np.sqrt(w * _resample_factors(n, rng, own))  # resampling = case weights
        coef, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
        out[b] = coef[1:]
    frame = pd.DataFrame(out, columns=list(drivers))
    frame.index.name = "resample"
    frame.attrs.update(r2=full.attrs["r2"], n=full.attrs["n"], outcome=outcome)
    return frame
