"""The overall test of a banner table's row: do the columns of a banner differ at all?

Beside the letters (one column against another), each row of a banner table gets one test
of all the banner's columns together, computed from the same sums
(:mod:`valuekit.analyse.tables`):

* a row of categories (percentages, a box, a NET: the table category x column):
  unweighted, **Pearson's chi-squared** (R's ``chisq.test(table, correct = FALSE)``); with
  unequal weights or a design, the **second-order Rao-Scott F** (R's ``svychisq(~row +
  column, design, statistic = "F")``): Pearson's statistic on the weighted shares over the
  mean of the design effects' eigenvalues, on F(d, d nu) with d their Satterthwaite degrees
  of freedom and nu the design's;
* a row of means (a score, the NPS as the mean of -100 / 0 / 100): unweighted, **Welch's
  ANOVA** (R's ``oneway.test(y ~ column, var.equal = FALSE)``); weighted, the **Wald F** of
  the column means' differences with their linearized covariance (R's
  ``regTermTest(svyglm(y ~ column, design), ~column)``), on the model's residual df.

Only the columns whose effective base reaches the banner's ``min_base`` take part (as in
the letters). A nested banner's columns are not one grouping, and get no overall test.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import stats

from ..survey.answers import kish_n, meets_base
from ..survey.design import SurveyDesign

__all__: list[str] = []

_COLUMNS = ["stub", "banner", "test", "statistic", "df1", "df2", "p", "columns", "note"]


def _overall_tests(stubs: list[dict], b: dict, parts: dict, moments: dict | None, design: SurveyDesign | None,
                   min_base: float) -> pd.DataFrame:
    """One banner's overall test of every stub: a frame with the stub, the banner, the test's
    name, statistic, df1, df2, p, the number of columns tested, and why not (``note``)."""
    rows, j, c = [], 0, 0
    for stub in stubs:
        m = len(stub["lines"])
        with np.errstate(invalid="ignore", divide="ignore"):
            ne = kish_n(parts["w"][:, :, j].sum(axis=1), parts["w2"][:, :, j].sum(axis=1))
        keep = np.flatnonzero(meets_base(ne, min_base))
        if "outer" in b:
            result = ("", np.nan, np.nan, np.nan, np.nan, "a nested banner's columns are compared within each "
                                                          "outer value only")
        elif len(keep) < 2:
            result = ("", np.nan, np.nan, np.nan, np.nan, f"fewer than two columns with an effective base of "
                                                          f"{min_base:g} or more")
        elif stub["codes"] is None or stub["lines"][0]["stat"] == "nps":
            result = _means_test(parts, moments, j, keep, design)
        else:
            size = stub["V"].shape[0]
            result = _table_test(stub["V"], {k: parts[k][keep][:, :, c:c + size] for k in ("cw", "cw2", "cn")},
                                 design, clustered=moments is not None and "t" in moments)
        if stub["codes"] is not None:
            c += stub["V"].shape[0]
        j += m
        rows.append((stub["key"], b["name"], *result[:5], len(keep), result[5]))
    frame = pd.DataFrame(rows, columns=["stub", "banner", "test", "statistic", "df1", "df2", "p", "columns", "note"])
    return frame[_COLUMNS]


def _table_test(V: np.ndarray, table: dict, design: SurveyDesign | None, *, clustered: bool) -> tuple:
    """Pearson's chi-squared (no design) or the Rao-Scott F of one stub's crosstab: its
    categories grouped by the lines' values (``V``: each category's value per line, 1 or 0;
    with one line, a box, the rest is the other row), by the banner's kept columns; the sums
    are per cluster when ``clustered``, else per stratum (the units of
    :meth:`~valuekit.survey.design.SurveyDesign.variance_units`)."""
    groups = np.column_stack([V, 1 - V.sum(axis=1)]) if V.shape[1] == 1 or np.any(V.sum(axis=1) == 0) else V
    cw, cw2, cn = (table[k] @ groups for k in ("cw", "cw2", "cn"))  # (columns, units, rows)
    used = cw.sum(axis=(0, 1)) > 0
    cw, cw2, cn = cw[:, :, used], cw2[:, :, used], cn[:, :, used]
    r, k = cw.shape[2], cw.shape[0]
    if r < 2:
        return ("", np.nan, np.nan, np.nan, np.nan, "one category answered: nothing to compare")
    if design is None:
        counts = cn.sum(axis=1)
        expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / counts.sum()
        x2 = float(((counts - expected) ** 2 / expected).sum())
        df = (r - 1) * (k - 1)
        return ("Pearson chi-squared", x2, df, np.nan, float(stats.chi2.sf(x2, df)), "")
    return _rao_scott_f(cw, cw2, design, clustered)


def _rao_scott_f(cw: np.ndarray, cw2: np.ndarray, design: SurveyDesign, clustered: bool) -> tuple:
    """The second-order Rao-Scott F of a crosstab from its weights' sums per column, variance
    unit and row (``cw``; ``cw2`` of the squared weights, for a design without clusters), as
    R's ``svychisq(statistic = "F")``: the cells' shares p (rows fastest), their linearized
    covariance V, the interaction contrasts C (the cell indicators' residuals on the rows'
    and columns' main effects), Δ = (Cᵀ D⁻¹ C)⁻¹ Cᵀ D⁻¹ V D⁻¹ C with D = diag(p), then F =
    X² / tr Δ on (d, d nu), d = (tr Δ)² / tr Δ², X² Pearson's on the shares per respondent."""
    k, _, r = cw.shape
    cells = np.transpose(cw, (1, 0, 2)).reshape(cw.shape[1], k * r)  # (units, cells): rows fastest per column
    total = cells.sum()
    p = cells.sum(axis=0) / total
    if clustered:
        t = (cells - cells.sum(axis=1, keepdims=True) * p) / total
        V = design.totals_covariance(t)
    else:
        squares = np.transpose(cw2, (1, 0, 2)).reshape(cw2.shape[1], k * r)
        V = np.zeros((k * r, k * r))
        for h, (scale, n_h) in enumerate(zip(design.stratum_scale, np.maximum(design.stratum_size, 1))):
            q = squares[h]  # Σ w² per cell in the stratum: Σ z zᵀ = Σ_cells q (e - p)(e - p)ᵀ / W²
            zz = (np.diag(q) - np.outer(q, p) - np.outer(p, q) + q.sum() * np.outer(p, p)) / total ** 2
            s = (cells[h] - cells[h].sum() * p) / total
            V += scale * (zz - np.outer(s, s) / n_h)
    C = _contrasts(r, k)
    inv = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = C.T @ (inv[:, None] * C)
    numer = C.T @ (inv[:, None] * V * inv[None, :]) @ C
    delta = np.linalg.solve(denom, numer)
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    pr, pc = p.reshape(k, r).sum(axis=0), p.reshape(k, r).sum(axis=1)
    expected = np.outer(pc, pr).ravel()
    x2 = float(((p - expected) ** 2 / np.where(expected > 0, expected, np.nan)).sum())  # per respondent
    if not trace > 0:
        return ("", np.nan, np.nan, np.nan, np.nan, "no variance: nothing to test")
    d0, nu = trace ** 2 / trace2, float(design.df())
    f = x2 / trace  # R's X² and tr Δ are both n times these: their ratio is free of n
    return ("Rao-Scott F", f, d0, d0 * nu, float(stats.f.sf(f, d0, d0 * nu)), "")


@functools.lru_cache(maxsize=64)
def _contrasts(r: int, k: int) -> np.ndarray:
    """The interaction contrasts of an r x k table (cells rows fastest, as R's
    ``expand.grid``): the interaction indicators' residuals on the main effects (R's
    ``qr.resid(qr(X1), X12[, -(1:(nr + nc - 1))])``)."""
    rows_of, cols_of = np.tile(np.arange(r), k), np.repeat(np.arange(k), r)
    main = np.column_stack([np.ones(k * r), *(rows_of == i for i in range(1, r)), *(cols_of == j for j in range(1, k))])
    inter = np.column_stack([(rows_of == i) & (cols_of == j) for j in range(1, k) for i in range(1, r)]).astype(float)
    out = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    out.setflags(write=False)
    return out


def _means_test(parts: dict, moments: dict | None, j: int, keep: np.ndarray, design: SurveyDesign | None) -> tuple:
    """Welch's ANOVA (no design) or the Wald F of the kept columns' means of line ``j``."""
    W, W2, S1, S2 = (parts[key][keep, :, j].sum(axis=1) for key in ("w", "w2", "wx", "wxx"))
    mean = S1 / W
    k = len(keep)
    if design is None:
        n = kish_n(W, W2)
        var = np.maximum(S2 - S1 * mean, 0.0) / W * n / (n - 1)
        if not np.all(var > 0):
            return ("", np.nan, np.nan, np.nan, np.nan, "no variance in a column: nothing to test")
        weight = n / var
        grand = (weight * mean).sum() / weight.sum()
        spread = ((1 - weight / weight.sum()) ** 2 / (n - 1)).sum()
        f = ((weight * (mean - grand) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k * k - 1) * spread)
        df2 = (k * k - 1) / (3 * spread)
        return ("Welch ANOVA", float(f), k - 1, float(df2), float(stats.f.sf(f, k - 1, df2)), "")
    if "t" in moments:
        t = moments["t"][keep, :, j]  # (columns, clusters)
        cov = design.totals_covariance(t.T)
    else:
        zsum, zsq = moments["zsum"][keep, :, j], moments["zsq"][keep, :, j]
        scale, size = design.stratum_scale, np.maximum(design.stratum_size, 1)
        cov = np.diag((scale * zsq).sum(axis=1)) - np.einsum("h,ih,jh->ij", scale / size, zsum, zsum)
    contrast = np.column_stack([-np.ones(k - 1), np.eye(k - 1)])
    diff = contrast @ mean
    vd = contrast @ cov @ contrast.T
    try:
        wald = float(diff @ np.linalg.solve(vd, diff))
    except np.linalg.LinAlgError:
        return ("", np.nan, np.nan, np.nan, np.nan, "no variance: nothing to test")
    df2 = float(design.df()) + 1 - k
    f = wald / (k - 1)
    return ("Wald F", f, k - 1, df2, float(stats.f.sf(f, k - 1, df2)) if df2 > 0 else np.nan, "")
