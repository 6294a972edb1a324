"""Is the instrument reliable? Cronbach's alpha, McDonald's omega and item statistics.

Everything is computed from one covariance (or correlation) matrix per block, so the
pairwise and listwise treatments of missing answers differ only in how that matrix is
estimated, as in R's ``psych::alpha(use="pairwise" | "complete.obs")``.

* **alpha** (raw): ``k / (k - 1) * (1 - trace(C) / sum(C))``, with the Feldt (1987)
  confidence interval from the F distribution (as pingouin and psych report it).
* **std_alpha**: the same on the correlation matrix, ``k r / (1 + (k - 1) r)`` with ``r``
  the mean inter-item correlation; the value published PLS tables usually quote.
* **omega**: McDonald's omega total of a one-factor model fitted to the correlation
  matrix by iterated principal axes (minimum residual), ``(sum l)^2 / ((sum l)^2 +
  sum(1 - l^2))``. It equals standardized alpha when the items are tau-equivalent and
  exceeds it when their loadings differ.
* per item: ``item_rest_r`` (correlation of the item with the sum of the other items)
  and ``alpha_if_deleted``.

Survey weights are not applied here: reliability describes the instrument on the
respondents who answered it, as ``psych::alpha`` and pingouin do.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .codebook import Codebook
from .scoring import item_matrix

__all__ = ["cronbach_alpha", "mcdonald_omega", "item_statistics", "reliability", "weak_items"]

_POLICIES = ("pairwise", "listwise")


def _prepare(data: pd.DataFrame, nan_policy: str) -> pd.DataFrame:
    if nan_policy not in _POLICIES:
        raise ValueError(f"nan_policy must be one of {list(_POLICIES)}, got {nan_policy!r}")
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    data = data.astype(float).dropna(axis=0, how="all")
    return data.dropna(axis=0, how="any") if nan_policy == "listwise" else data


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    total = C.sum()
    if k < 2 or not np.isfinite(total) or total <= 0:
        return np.nan
    return k / (k - 1) * (1 - np.trace(C) / total)


def cronbach_alpha(data: pd.DataFrame, *, nan_policy: str = "pairwise", ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardized) with a Feldt confidence interval.

    Parameters
    ----------
    data : DataFrame
        Wide: one column per item, one row per respondent.
    nan_policy : {"pairwise", "listwise"}
        Pairwise: each covariance from the respondents who answered both items. Listwise:
        only respondents who answered every item.
    ci : float, default 0.95

    Returns
    -------
    DataFrame
        One row: ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``, ``std_alpha``, ``note``.

    Examples
    --------
    >>> from valuekit.reliability import cronbach_alpha
    >>> import pandas as pd
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cronbach_alpha(data)[["k", "n", "alpha", "std_alpha"]].round(4)
       k  n   alpha  std_alpha
    0  3  5  0.9538     0.9578
    """
    data = _prepare(data, nan_policy)
    n, k = data.shape
    note = ""
    empty = [c for c in data.columns if data[c].notna().sum() < 2]
    if k < 2:
        note = "a single item: alpha needs at least 2 items"
    elif n < 2:
        note = f"{n} respondent(s): alpha needs at least 2"
    elif empty:
        note = f"item(s) {empty} answered by fewer than 2 respondents: no alpha"
    C = data.cov().to_numpy() if not note else np.full((k, k), np.nan)
    constant = [c for c, v in zip(data.columns, np.diag(C)) if v == 0] if not note else []
    if constant:
        note = f"constant item(s) {constant}: zero variance"
    alpha = _alpha_from_cov(C) if not note or constant else np.nan
    low = high = np.nan
    if np.isfinite(alpha):
        df1, df2 = n - 1, (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * stats.f.isf((1 - ci) / 2, df1, df2)
        high = 1 - (1 - alpha) * stats.f.isf(1 - (1 - ci) / 2, df1, df2)
    std_alpha = np.nan
    if not note:
        R = data.corr().to_numpy()
        r = R[np.triu_indices(k, 1)].mean()
        std_alpha = k * r / (1 + (k - 1) * r)
    return pd.DataFrame([{"k": k, "n": n, "alpha": alpha, "ci_low": low, "ci_high": high,
                          "std_alpha": std_alpha, "note": note}])


def _one_factor_loadings(R: np.ndarray, *, max_iter: int = 500, tol: float = 1e-9) -> np.ndarray:
    """Loadings of one factor on a correlation matrix by iterated principal axes."""
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(R))
    except np.linalg.LinAlgError:
        smc = np.abs(R - np.eye(len(R))).max(axis=0)
    h2 = np.clip(smc, 0.005, 0.995)
    for _ in range(max_iter):
        Rr = R.copy()
        np.fill_diagonal(Rr, h2)
        vals, vecs = np.linalg.eigh(Rr)
        loadings = vecs[:, -1] * np.sqrt(max(vals[-1], 0))
        new = np.clip(loadings ** 2, 0.005, 0.995)  # keep off Heywood cases
        if np.max(np.abs(new - h2)) < tol:
            break
        h2 = new
    return loadings * np.sign(loadings.sum() or 1)


def mcdonald_omega(data: pd.DataFrame, *, nan_policy: str = "pairwise") -> float:
    """McDonald's omega total of a one-factor model (standardized items).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=5000)
    >>> data = pd.DataFrame({f"q{i}": 0.7 * f + rng.normal(scale=0.71, size=5000) for i in range(4)})
    >>> round(mcdonald_omega(data), 3), round(float(cronbach_alpha(data)["std_alpha"][0]), 3)
    (0.792, 0.792)
    """
    data = _prepare(data, nan_policy)
    n, k = data.shape
    if k < 2 or n < 3:
        return np.nan
    R = data.corr().to_numpy()
    if not np.isfinite(R).all():
        return np.nan
    lam = _one_factor_loadings(R)
    common = lam.sum() ** 2
    return float(common / (common + np.sum(1 - lam ** 2)))


def item_statistics(data: pd.DataFrame, *, nan_policy: str = "pairwise") -> pd.DataFrame:
    """Per item: ``n``, ``mean``, ``sd``, ``item_rest_r`` and ``alpha_if_deleted``.

    Computed from the block's covariance matrix, so pairwise deletion is honoured.
    """
    data = _prepare(data, nan_policy)
    cols = list(data.columns)
    C = data.cov().to_numpy() if len(data) >= 2 else np.full((len(cols), len(cols)), np.nan)
    rows = []
    for i, col in enumerate(cols):
        rest = [j for j in range(len(cols)) if j != i]
        var_i = C[i, i]
        var_rest = C[np.ix_(rest, rest)].sum()
        cov = C[i, rest].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cov / np.sqrt(var_i * var_rest) if rest and var_i > 0 and var_rest > 0 else np.nan
        rows.append({"item": col, "n": int(data[col].notna().sum()), "mean": data[col].mean(),
                     "sd": data[col].std(), "item_rest_r": r,
                     "alpha_if_deleted": _alpha_from_cov(C[np.ix_(rest, rest)]) if len(rest) >= 2 else np.nan})
    return pd.DataFrame(rows)


def reliability(data: pd.DataFrame, codebook: Codebook, *, nan_policy: str = "pairwise",
                ci: float = 0.95, items: bool = False, facets: bool = False) -> pd.DataFrame:
    """Reliability of every benefit dimension and sacrifice block of a survey.

    Items are reverse-coded and put on the common scale first (as the scorer does).

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``).
    codebook : Codebook
    nan_policy : {"pairwise", "listwise"}
    ci : float
    items : bool, default False
        Return the per-item table (``block``, ``item``, ``label`` columns added) instead of
        the per-block one.
    facets : bool, default False
        One row per facet (``facet`` column) instead of per block; a block without facets
        keeps its one row, with ``facet`` empty.

    Returns
    -------
    DataFrame
        Per block: ``role``, ``block``, ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``,
        ``std_alpha``, ``omega``, ``note``. A block that cannot have an alpha (one item,
        fewer than two respondents, an item nobody answered) has NaN and says why in
        ``note``; with a constant item, raw alpha is still computed, standardized alpha and
        omega are NaN, and ``note`` names the item.
    """
    cb = codebook
    X = pd.DataFrame(item_matrix(data, cb), columns=cb.value_items)
    rows, per_item = [], []
    groups = []
    for block in cb.dimensions + cb.sacrifices:
        cols = cb.block_items(block)
        by_facet = {}
        for c in cols:
            by_facet.setdefault(cb.items[c].facet or "", []).append(c)
        if facets and not items and set(by_facet) != {""}:
            groups += [(block, facet, members) for facet, members in by_facet.items()]
        else:
            groups.append((block, "", cols))
    for block, facet, cols in groups:
        block_data = X[cols]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # degenerate blocks are reported in `note`
            table = cronbach_alpha(block_data, nan_policy=nan_policy, ci=ci)
            omega = mcdonald_omega(block_data, nan_policy=nan_policy) if not table["note"][0] else np.nan
            stats_ = item_statistics(block_data, nan_policy=nan_policy)
        row = {"role": cb.items[cols[0]].role, "block": block, "facet": facet, **table.iloc[0].to_dict(),
               "omega": omega}
        rows.append(row)
        stats_.insert(0, "block", block)
        stats_.insert(2, "label", [cb.label(c) for c in cols])
        per_item.append(stats_)
    if items:
        return pd.concat(per_item, ignore_index=True)
    out = pd.DataFrame(rows)
    return out[["role", "block", *(["facet"] if facets else []), "k", "n", "alpha", "ci_low", "ci_high",
                "std_alpha", "omega", "note"]]


def weak_items(items: pd.DataFrame, blocks: pd.DataFrame, *, min_item_rest: float = 0.3,
               alpha_gain: float = 0.01) -> pd.DataFrame:
    """Items that measure something else than their block, from :func:`reliability` tables.

    An item is weak when its item-rest correlation is below ``min_item_rest`` or its
    block's alpha would rise by more than ``alpha_gain`` without it (often an item that
    should have been reverse-coded).

    Parameters
    ----------
    items : DataFrame
        ``reliability(..., items=True)``.
    blocks : DataFrame
        ``reliability(...)``.
    """
    table = items.merge(blocks[["block", "alpha"]], on="block")
    weak = (table["item_rest_r"] < min_item_rest) | (table["alpha_if_deleted"] > table["alpha"] + alpha_gain)
    return table[weak].reset_index(drop=True)
