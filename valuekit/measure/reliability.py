"""Is the instrument reliable? Cronbach's alpha, McDonald's omega and item statistics.

Everything about a block is derived from one pass over its answers: the count, sums,
sums of squares and cross-products of every pair of items (matrix products of the
centred answers and a 0/1 answered mask). From those come the covariance matrix, the
correlation matrix and every statistic below, so the three treatments of missing
answers (``nan_policy``) differ only in how those matrices are estimated:

* ``"pairwise"`` (default): each covariance and each correlation from the respondents
  who answered both items, exactly as pandas ``DataFrame.cov()`` / ``DataFrame.corr()``
  (ddof 1, pairwise complete) and R's ``cov(x, use="pairwise")`` compute them;
  ``psych::alpha(x)`` and ``pingouin.cronbach_alpha(data)`` do the same.
* ``"listwise"``: only the respondents who answered every item of the block, as
  ``psych::alpha(x, use="complete.obs")`` and ``pingouin``'s ``nan_policy="listwise"``.
* ``"mean"``: each item's missing answers replaced by that item's mean (over the
  respondents who answered it), then everything computed on the completed block, as
  published PLS tables do it (SmartPLS's mean replacement, seminr's default
  ``mean_replacement``) and as ``psych::alpha(x, impute="mean")``.

The statistics:

* **alpha** (raw): ``k / (k - 1) * (1 - trace(C) / sum(C))``, with the Feldt (1987)
  confidence interval from the F distribution (as pingouin and psych report it).
* **std_alpha**: the same on a correlation matrix, ``k r / (1 + (k - 1) r)`` with ``r``
  the mean inter-item correlation; the value published PLS tables usually quote.
* **omega**: McDonald's omega total of a one-factor model fitted to the correlation
  matrix by iterated principal axes (minimum residual), ``(sum l)^2 / ((sum l)^2 +
  sum(1 - l^2))``. It equals standardized alpha when the items are tau-equivalent and
  exceeds it when their loadings differ.
* per item: ``n``, ``mean``, ``sd``, ``item_rest_r`` (correlation of the item with the
  sum of the other items) and ``alpha_if_deleted``.

Where this differs from R's psych (2.2.9), and what reproduces it:

* **Pairwise standardized alpha.** By default valuekit's ``std_alpha`` uses the pairwise
  correlation matrix (each correlation with that pair's own means and standard
  deviations, pandas ``DataFrame.corr()``). ``psych::alpha`` standardizes the pairwise
  *covariance* matrix with each item's standard deviation over everyone who answered it
  (``cov2cor(cov(x, use="pairwise"))``). ``std_alpha_from="cov2cor"`` reproduces psych's
  ``std.alpha``. With complete data, listwise or mean replacement the two are the same.
  Raw alpha, ``item_rest_r`` (psych's ``r.drop``) and ``alpha_if_deleted`` (psych's
  ``alpha.drop$raw_alpha``) agree with psych in every policy, and so do the items'
  ``mean`` and ``sd``, except under listwise deletion: psych reports those over all of
  an item's answers, valuekit over the complete respondents its statistics use.
* **The Feldt interval's n** is the respondents kept (answered at least one item;
  listwise: every item). psych (``$feldt``) and pingouin use every row of the data, so
  the intervals differ under listwise deletion, and when some respondents answered
  none of the block's items.
* **Omega.** valuekit's omega is ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))`` with the
  loadings ``l`` of ONE factor fitted to the (pairwise) correlation matrix; its
  denominator is the total variance the model implies. ``psych::omega(x)$omega.tot`` is
  ``1 - sum(u^2) / Vt`` from a Schmid-Leiman bifactor solution with three group factors
  by default, with ``Vt`` the *observed* total (the sum of the correlation matrix).
  psych's one-factor minres loadings (``fa(x, nfactors=1, fm="minres")``) are
  valuekit's, to psych's optimizer tolerance (~1e-7), so ``(sum l)^2 / ((sum l)^2 +
  sum(u^2))`` from them is valuekit's omega; ``omega(x, nfactors=1)$omega.tot`` is
  ``1 - sum(u^2) / sum(R)`` with those same uniquenesses. Only the denominator differs,
  by the sum of the residual correlations ``sum over i != j of (r_ij - l_i l_j)``: zero
  when one factor reproduces every correlation. (On the 20 x 5 table in the tests:
  valuekit .81034, ``omega(x, nfactors=1)`` .81018, ``omega(x)`` .90486.)
* **Survey weights are not applied here**: reliability describes the instrument on the
  respondents who answered it, as ``psych::alpha`` and pingouin do.
* ``"mean"`` drops respondents who answered none of the block's items, as the other
  policies do; imputing the whole data set (SmartPLS, seminr, ``psych::alpha(impute=
  "mean")``) keeps them with every item at its mean, which changes ``n``, the Feldt
  interval and the items' ``sd``, but not alpha, std_alpha, omega, ``item_rest_r`` or
  ``alpha_if_deleted`` (such rows add nothing to any centred sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import expected_error, frame_arg
from ..errors import ParameterError
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from .scoring import item_maps, item_matrix

__all__ = ["cronbach_alpha", "mcdonald_omega", "item_statistics", "reliability", "weak_items"]

_POLICIES = ("pairwise", "listwise", "mean")
_STD_ALPHA_FROM = ("corr", "cov2cor")

#: Rows per chunk of the moment pass: the chunk's temporaries stay in cache.
_CHUNK_ROWS = 4096
#: A centred sum of squares below this share of the raw (shifted) one is rounding error
#: of a constant item: it is set to exactly 0, as pandas' one-pass update finds it.
_ZERO_SS = 1e-10

# The parameters the functions below share, documented once (valuekit/_docstrings.py).
_docs = share_docs(
    nan_policy="""\
nan_policy : {"pairwise", "listwise", "mean"}, default "pairwise"
    Pairwise: each covariance and correlation from the respondents who answered both
    items. Listwise: only respondents who answered every item. Mean: each item's
    missing answers replaced by its mean over the respondents who answered it, then
    everything computed on the completed data (the way PLS software reports
    reliability). Respondents who answered none of the items are left out in all
    three.""",
    std_alpha_from="""\
std_alpha_from : {"corr", "cov2cor"}, default "corr"
    The correlation matrix standardized alpha is computed on. ``"corr"``: the
    pairwise correlations (pandas ``DataFrame.corr()``). ``"cov2cor"``: the pairwise
    covariances divided by each item's standard deviation over all who answered it,
    as R's ``psych::alpha`` does (``cov2cor``). They differ only with pairwise
    missing answers.""")


def _check_options(nan_policy: str, std_alpha_from: str = "corr", ci: float = 0.95) -> None:
    """The options every function here takes, checked before any work."""
    if not isinstance(nan_policy, str) or nan_policy not in _POLICIES:
        raise ParameterError(f"nan_policy must be one of {list(_POLICIES)}, got {nan_policy!r}", name="nan_policy")
    if not isinstance(std_alpha_from, str) or std_alpha_from not in _STD_ALPHA_FROM:
        raise ParameterError(f"std_alpha_from must be one of {list(_STD_ALPHA_FROM)}, got {std_alpha_from!r}",
                             name="std_alpha_from")
    _check.fraction("ci", ci)


def _as_array(data) -> tuple[np.ndarray, list]:
    """The items as a float array (each column contiguous) and their names.

    ``data``: a DataFrame (or anything ``pandas.DataFrame`` takes: a 2-D array, a dict of
    columns) of numeric item columns, one row per respondent."""
    if isinstance(data, (str, bytes)) or data is None or np.ndim(data) == 0:
        raise expected_error("data", "a DataFrame of item answers (one column per item)", data)
    if not isinstance(data, pd.DataFrame):
        try:
            data = pd.DataFrame(data)
        except (TypeError, ValueError):
            raise expected_error("data", "a DataFrame of item answers (one column per item)", data) from None
    text = [c for c in data.columns if pd.api.types.is_bool_dtype(data[c].dtype)
            or not pd.api.types.is_numeric_dtype(data[c].dtype)]
    if text:
        raise ParameterError(f"data: column(s) {text} are not numeric "
                             f"({', '.join(str(data[c].dtype) for c in text)}); expected item answers",
                             name="data")
    X = np.asfortranarray(data.to_numpy(dtype=float, na_value=np.nan))
    return X, list(data.columns)


@dataclass
class _Moments:
    """What every statistic of a block is derived from."""

    n: int  # respondents kept (answered at least one item; listwise: every item)
    count: np.ndarray  # per item: answers the statistics use
    mean: np.ndarray  # per item
    cov: np.ndarray  # k x k, ddof 1
    corr: np.ndarray  # k x k


def _moments(columns, nan_policy: str, maps: tuple[np.ndarray, np.ndarray] | None = None) -> _Moments:
    """Counts, means, covariance and correlation matrices of the items in one pass.

    ``columns`` is a 2-D array (one column per item) or a list of 1-D arrays; ``maps``
    optionally puts item ``j`` on another scale first, ``x -> a[j] + b[j] x`` (what
    :func:`valuekit.measure.scoring.item_matrix` does), chunk by chunk, so no copy of the whole
    block is made.

    The answers are shifted by a provisional centre ``K`` (the first chunk's item means)
    and accumulated chunk by chunk: with ``Z`` the shifted answers (0 where missing) and
    ``M`` the 0/1 answered mask, ``P = Z'Z``, ``S = Z'M``, ``Q = (Z*Z)'M`` and ``N = M'M``
    hold, for every pair ``(i, j)`` over the respondents who answered both, the count
    ``N[i, j]``, the sum ``S[i, j]`` and sum of squares ``Q[i, j]`` of item ``i``, and the
    cross-products ``P[i, j]``. Listwise masks out incomplete rows first.
    """
    if isinstance(columns, np.ndarray):
        columns = [columns[:, j] for j in range(columns.shape[1])]
    K, P, SQ, N, kept = _accumulate(columns, nan_policy, maps)
    k = len(columns)
    return _central_moments(K, P, SQ[:k], SQ[k:], N, kept, nan_policy)


def _accumulate(columns: list, nan_policy: str, maps) -> tuple:
    """The provisional centre ``K`` and the sums ``P``, ``[S; Q]``, ``N`` of :func:`_moments`,
    chunk by chunk, and the number of respondents kept."""
    k = len(columns)
    n_rows = len(columns[0]) if k else 0
    a_map, b_map = maps if maps is not None else (np.zeros(k), np.ones(k))
    c = max(1, min(_CHUNK_ROWS, n_rows))
    buf = np.empty((c, 2 * k), order="F")  # shifted answers | their squares
    mask = np.empty((c, k), order="F")
    miss = np.empty((c, k), dtype=bool, order="F")
    K = np.zeros(k)
    for j, col in enumerate(columns):  # the provisional centre: the first chunk's means
        first = col[:c] * b_map[j] + a_map[j]
        answered = ~np.isnan(first)
        K[j] = first[answered].mean() if answered.any() else 0.0
    shift = a_map - K
    P, SQ, N = np.zeros((k, k)), np.zeros((2 * k, k)), np.zeros((k, k))
    kept = 0
    for start in range(0, n_rows, c):
        m = min(c, n_rows - start)
        ms, mm, a = miss[:m], mask[:m], buf[:m]
        Z, Z2 = a[:, :k], a[:, k:]
        for j, col in enumerate(columns):
            if b_map[j] == 1:
                np.add(col[start:start + m], shift[j], out=Z[:, j])
            else:
                np.multiply(col[start:start + m], b_map[j], out=Z[:, j])
                Z[:, j] += shift[j]
        np.isnan(Z, out=ms)
        if nan_policy == "listwise":
            incomplete = ms.any(axis=1)
            ms[incomplete] = True
            kept += m - int(incomplete.sum())
        else:
            kept += m - int(ms.all(axis=1).sum())
        np.copyto(Z, 0.0, where=ms)
        np.logical_not(ms, out=mm, casting="unsafe")
        np.multiply(Z, Z, out=Z2)
        P += Z.T @ Z
        SQ += a.T @ mm
        N += mm.T @ mm
    return K, P, SQ, N, kept


def _central_moments(K, P, S, Q, N, kept: int, nan_policy: str) -> _Moments:
    """Counts, means, covariances and correlations from the shifted sums of :func:`_accumulate`."""
    k = len(K)
    count = np.rint(np.diag(N)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, K + np.diag(S) / count, np.nan)
        # centred sums of squares of item i over the rows where j was answered too
        ss = Q - S ** 2 / N
        ss[~(ss > _ZERO_SS * Q)] = 0.0
        ss[N == 0] = np.nan
        if nan_policy == "mean":
            d = mean - K  # each item's shift to its own mean
            Sd = S * d[None, :]
            cross = P - Sd - Sd.T + N * np.outer(d, d)  # sum (x_i - m_i)(x_j - m_j), both answered
            var = np.diag(ss)
            cross[(var == 0)[:, None] | (var == 0)[None, :]] = 0.0
            np.fill_diagonal(cross, var)
            cov = cross / (kept - 1) if kept >= 2 else np.full((k, k), np.nan)
            cov[count == 0, :] = np.nan
            cov[:, count == 0] = np.nan
            corr = _cov2cor(cov)
            count = np.where(count > 0, kept, 0)
        else:
            cross = P - S * S.T / N  # centred cross-products over the pair's rows
            cov = cross / (N - 1)
            zero = (ss == 0) | (ss.T == 0)
            cov[zero] = 0.0
            corr = cross / np.sqrt(ss * ss.T)
            corr[zero] = np.nan
            np.fill_diagonal(cov, np.diag(ss) / (count - 1))
            np.fill_diagonal(corr, np.where(np.diag(ss) > 0, 1.0, np.nan))
            cov[N < 2] = np.nan
            corr[N < 2] = np.nan
    return _Moments(n=int(kept), count=count, mean=mean, cov=cov, corr=corr)




def _cov2cor(C: np.ndarray) -> np.ndarray:
    """Covariances over the product of the standard deviations on the diagonal (R's cov2cor)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(np.diag(C))
        R = C / np.outer(sd, sd)
        R[~(np.outer(sd, sd) > 0)] = np.nan
        np.fill_diagonal(R, np.where(sd > 0, 1.0, np.nan))
    return R


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    total = C.sum()
    if k < 2 or not np.isfinite(total) or total <= 0:
        return np.nan
    return k / (k - 1) * (1 - np.trace(C) / total)


def _alpha_row(mom: _Moments, columns: list, ci: float, std_alpha_from: str) -> dict:
    """``k``, ``n``, alpha with its Feldt interval, standardized alpha and the note."""
    k, n = len(columns), mom.n
    note = ""
    empty = [c for c, m in zip(columns, mom.count) if m < 2]
    if k < 2:
        note = "a single item: alpha needs at least 2 items"
    elif n < 2:
        note = f"{n} respondent(s): alpha needs at least 2"
    elif empty:
        note = f"item(s) {empty} answered by fewer than 2 respondents: no alpha"
    C = mom.cov if not note else np.full((k, k), np.nan)
    constant = [c for c, v in zip(columns, np.diag(C)) if v == 0] if not note else []
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
        R = mom.corr if std_alpha_from == "corr" else _cov2cor(mom.cov)
        r = R[np.triu_indices(k, 1)].mean()
        with np.errstate(divide="ignore", invalid="ignore"):  # r = -1 / (k - 1): two respondents
            std_alpha = k * r / (1 + (k - 1) * r)
        opposed = _opposed(mom.cov, R)
        if opposed:  # alpha is still the formula's number (as psych and pingouin give it), but says nothing
            note = opposed
    return {"k": k, "n": n, "alpha": float(alpha), "ci_low": float(low), "ci_high": float(high),
            "std_alpha": float(std_alpha), "note": note}


def _opposed(C: np.ndarray, R: np.ndarray) -> str:
    """The note for items keyed in opposite directions: a negative average inter-item
    covariance (what alpha's arithmetic uses) or correlation (standardized alpha, omega);
    empty otherwise. Alpha then falls below 0 (-4.5 for two items at r = -0.69) and one
    factor's loadings cancel out (omega 0), neither a measure of reliability."""
    k = len(C)
    off = ~np.eye(k, dtype=bool)
    with np.errstate(invalid="ignore"):
        cov, corr = np.nanmean(C[off]) if k > 1 else np.nan, np.nanmean(R[off]) if k > 1 else np.nan
    if cov < 0 or corr < 0:
        which = "covariance" if cov < 0 else "correlation"
        return (f"negative average inter-item {which} (mean r = {corr:.2f}): items keyed in opposite directions? "
                "check reverse keys; no omega")
    return ""


@_docs
def cronbach_alpha(data: pd.DataFrame, *, nan_policy: str = "pairwise", ci: float = 0.95,
                   std_alpha_from: str = "corr") -> pd.DataFrame:
    """Cronbach's alpha (raw and standardized) with a Feldt confidence interval.

    Parameters
    ----------
    data : DataFrame
        Wide: one column per item, one row per respondent.
    {nan_policy}
    ci : float, default 0.95
        Coverage of the Feldt interval of alpha.
    {std_alpha_from}

    Returns
    -------
    DataFrame
        One row: ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``, ``std_alpha``, ``note``.
        ``n`` is the respondents the interval is computed for: those who answered at
        least one item (listwise: every item). When the average inter-item covariance or
        correlation is negative (items keyed in opposite directions), alpha is still
        computed, usually below 0, and ``note`` says to check the reverse keys.

    Notes
    -----
    Raw alpha equals ``psych::alpha``'s ``raw_alpha`` and ``pingouin.cronbach_alpha``
    for the same treatment of missing answers (psych's ``use="pairwise"`` /
    ``"complete.obs"`` / ``impute="mean"``). Standardized alpha equals psych's
    ``std.alpha`` except with pairwise missing answers, where that needs
    ``std_alpha_from="cov2cor"``. The Feldt interval is computed with ``n`` as above;
    psych and pingouin use every row of ``data``, so under listwise deletion their
    interval is narrower.

    Examples
    --------
    >>> from valuekit.measure.reliability import cronbach_alpha
    >>> import pandas as pd
    >>> data = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cronbach_alpha(data)[["k", "n", "alpha", "std_alpha"]].round(4)
       k  n   alpha  std_alpha
    0  3  5  0.9538     0.9578

    With missing answers, psych's standardized alpha needs ``std_alpha_from="cov2cor"``:

    >>> gaps = pd.DataFrame({"a": [1, 2, 3, 4, 5, None], "b": [2, 2, 3, None, 5, 4],
    ...                      "c": [1, 3, 3, 4, 4, 5]})
    >>> cronbach_alpha(gaps)[["alpha", "std_alpha"]].round(4)
        alpha  std_alpha
    0  0.9689     0.9538
    >>> # In R: psych::alpha(gaps)$total[c("raw_alpha", "std.alpha")]  -> 0.9689  0.9713
    >>> cronbach_alpha(gaps, std_alpha_from="cov2cor")[["alpha", "std_alpha"]].round(4)
        alpha  std_alpha
    0  0.9689     0.9713
    >>> # In R: psych::alpha(gaps, impute="mean")$total[c("raw_alpha", "std.alpha")]  -> 0.9073  0.9119
    >>> cronbach_alpha(gaps, nan_policy="mean")[["alpha", "std_alpha"]].round(4)
        alpha  std_alpha
    0  0.9073     0.9119
    """
    _check_options(nan_policy, std_alpha_from, ci)
    X, columns = _as_array(data)
    return pd.DataFrame([_alpha_row(_moments(X, nan_policy), columns, ci, std_alpha_from)])


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


def _omega_from_corr(R: np.ndarray, n: int) -> float:
    k = len(R)
    if k < 2 or n < 3 or not np.isfinite(R).all() or R[~np.eye(k, dtype=bool)].mean() < 0:
        return np.nan  # a negative mean correlation: items keyed in opposite directions
    with np.errstate(invalid="ignore", divide="ignore"):  # a singular R (perfectly related items)
        lam = _one_factor_loadings(R)
    common = lam.sum() ** 2
    return float(common / (common + np.sum(1 - lam ** 2)))


@_docs
def mcdonald_omega(data: pd.DataFrame, *, nan_policy: str = "pairwise") -> float:
    """McDonald's omega total of a one-factor model (standardized items).

    ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))``, with ``l`` the loadings of one factor
    fitted to the items' correlation matrix (pairwise correlations by default) by
    iterated principal axes until the communalities change by less than 1e-9; that
    fixed point is the minimum-residual (unweighted least squares) solution, with each
    communality kept within [0.005, 0.995] (no Heywood cases). NaN with fewer than 2
    items or 3 respondents, when a correlation is missing (a constant item, a pair
    nobody answered together), or when the average inter-item correlation is negative
    (items keyed in opposite directions: the loadings cancel out, and two such items
    would give an omega of 0; reverse-key them first).

    Parameters
    ----------
    data : DataFrame
        Wide: one column per item, one row per respondent.
    {nan_policy}

    Returns
    -------
    float

    Notes
    -----
    This is not ``psych::omega(x)$omega.tot``. psych fits a Schmid-Leiman bifactor
    solution (three group factors by default) and divides by the *observed* total
    variance: ``omega.tot = 1 - sum(u^2) / sum(R)``. Here the denominator is the total
    the one-factor model implies, ``(sum l)^2 + sum(1 - l^2)``. The loadings are the same
    as psych's one-factor minres solution (``psych::fa(x, nfactors=1, fm="minres")``, to
    its optimizer's tolerance), so ``(sum l)^2 / ((sum l)^2 + sum(u^2))`` computed from
    psych's ``fa`` loadings reproduces this omega; ``psych::omega(x, nfactors=1)`` gives
    ``1 - sum(u^2) / sum(R)`` with those same uniquenesses. The two agree when the one
    factor reproduces every correlation and differ by the sum of the residual
    correlations (``sum(R)`` against ``(sum l)^2 + sum(u^2)``) otherwise.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=5000)
    >>> data = pd.DataFrame({f"q{i}": 0.7 * f + rng.normal(scale=0.71, size=5000) for i in range(4)})
    >>> round(mcdonald_omega(data), 3), round(float(cronbach_alpha(data)["std_alpha"][0]), 3)
    (0.792, 0.792)
    """
    _check_options(nan_policy)
    X, _ = _as_array(data)
    mom = _moments(X, nan_policy)
    return _omega_from_corr(mom.corr, mom.n)


def _item_table(mom: _Moments, columns: list) -> pd.DataFrame:
    C = mom.cov
    k = len(columns)
    rows = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, col in enumerate(columns):
            rest = [j for j in range(k) if j != i]
            var_i = C[i, i]
            sub = C[np.ix_(rest, rest)]
            var_rest = sub.sum()
            cov = C[i, rest].sum()
            r = cov / np.sqrt(var_i * var_rest) if rest and var_i > 0 and var_rest > 0 else np.nan
            rows.append({"item": col, "n": int(mom.count[i]), "mean": float(mom.mean[i]),
                         "sd": float(np.sqrt(var_i)), "item_rest_r": float(r),
                         "alpha_if_deleted": _alpha_from_cov(sub) if len(rest) >= 2 else np.nan})
    return pd.DataFrame(rows, columns=["item", "n", "mean", "sd", "item_rest_r", "alpha_if_deleted"])


@_docs
def item_statistics(data: pd.DataFrame, *, nan_policy: str = "pairwise") -> pd.DataFrame:
    """Per item: ``n``, ``mean``, ``sd``, ``item_rest_r`` and ``alpha_if_deleted``.

    Computed from the block's covariance matrix, so pairwise deletion is honoured:
    ``item_rest_r`` is psych's ``r.drop`` and ``alpha_if_deleted`` psych's
    ``alpha.drop$raw_alpha``.

    Parameters
    ----------
    data : DataFrame
        Wide: one column per item, one row per respondent.
    {nan_policy}

    Returns
    -------
    DataFrame
        One row per item. ``n`` is the answers used: those given (pairwise), the
        complete respondents (listwise), or every kept respondent once the item's mean
        has filled its gaps (mean); ``mean`` and ``sd`` (ddof 1) are over the same.
    """
    _check_options(nan_policy)
    X, columns = _as_array(data)
    return _item_table(_moments(X, nan_policy), columns)


@survey_first("data", "codebook")
@_docs
def reliability(data: pd.DataFrame, codebook: Codebook, *, nan_policy: str = "pairwise",
                ci: float = 0.95, items: bool = False, facets: bool = False,
                std_alpha_from: str = "corr") -> pd.DataFrame:
    """Reliability of every benefit dimension and sacrifice block of a survey, and of its
    multi-item outcomes and constructs (``role`` ``outcome`` / ``construct``).

    Items are reverse-coded and put on the common scale first (as the scorer does). Each
    block's moments are computed once (see the module notes); alpha, its interval,
    standardized alpha, omega and the item statistics all come from them.

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``).
    {codebook}
    {nan_policy}
    ci : float, default 0.95
        Coverage of the Feldt interval of alpha.
    items : bool, default False
        Return the per-item table (``block``, ``item``, ``label`` columns added) instead of
        the per-block one.
    facets : bool, default False
        One row per facet (``facet`` column) instead of per block; a block without facets
        keeps its one row, with ``facet`` empty.
    {std_alpha_from}

    Returns
    -------
    DataFrame
        Per block: ``role``, ``block``, ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``,
        ``std_alpha``, ``omega``, ``note``. A block that cannot have an alpha (one item,
        fewer than two respondents, an item nobody answered) has NaN and says why in
        ``note``; with a constant item, raw alpha is still computed, standardized alpha and
        omega are NaN, and ``note`` names the item. With a negative average inter-item
        covariance or correlation (a reverse key missing or wrong), alpha and standardized
        alpha are computed (below 0, as psych gives them), omega is NaN, and ``note`` says
        to check the reverse keys. With ``items=True``: ``block``,
        ``item``, ``label``, ``n``, ``mean``, ``sd``, ``item_rest_r``, ``alpha_if_deleted``.
    """
    _check_options(nan_policy, std_alpha_from, ci)
    data = frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    cb = codebook_arg("codebook", codebook)
    items = _check.flag("items", items)
    facets = _check.flag("facets", facets)
    scored = [c for cols in cb.scales.values() for c in cols]  # multi-item outcomes and constructs
    item_matrix(data.iloc[:0], cb, cb.value_items + scored)  # checks the item columns exist and hold numbers
    a_map, b_map = item_maps(cb, cb.value_items + scored)
    position = {c: j for j, c in enumerate(cb.value_items + scored)}
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
    groups += [(name, "", cols) for name, cols in cb.scales.items()]
    for block, facet, cols in groups:
        # the answers as they are (a view for float columns), reverse-coded and put on the
        # common scale chunk by chunk inside _moments: as item_matrix would, without a copy
        idx = [position[c] for c in cols]
        answers = [data[c].to_numpy(dtype=float, na_value=np.nan) for c in cols]
        mom = _moments(answers, nan_policy, maps=(a_map[idx], b_map[idx]))
        if items:
            stats_ = _item_table(mom, cols)
            stats_.insert(0, "block", block)
            stats_.insert(2, "label", [cb.label(c) for c in cols])
            per_item.append(stats_)
            continue
        table = _alpha_row(mom, cols, ci, std_alpha_from)
        omega = _omega_from_corr(mom.corr, mom.n) if not table["note"] else np.nan
        rows.append({"role": cb.items[cols[0]].role, "block": block, "facet": facet, **table, "omega": omega})
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
    items = frame_arg("items", items, "a reliability(..., items=True) table")
    blocks = frame_arg("blocks", blocks, "a reliability(...) table")
    for name, frame, cols in (("items", items, ["block", "item_rest_r", "alpha_if_deleted"]),
                              ("blocks", blocks, ["block", "alpha"])):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ParameterError(f"{name}: column(s) {missing} not found; expected a reliability() table",
                                 name=name)
    min_item_rest = _check.number("min_item_rest", min_item_rest, min=-1, max=1)
    alpha_gain = _check.number("alpha_gain", alpha_gain, min=0)
    table = items.merge(blocks[["block", "alpha"]], on="block")
    weak = (table["item_rest_r"] < min_item_rest) | (table["alpha_if_deleted"] > table["alpha"] + alpha_gain)
    return table[weak].reset_index(drop=True)
