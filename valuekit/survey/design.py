"""How the sample was drawn: strata, clusters and the finite population correction.

A weighted estimate's variance depends on the design, not only on the weights: customers
of one branch (a cluster) answer alike, a stratified sample varies less than a simple one,
and a sample that is a large part of its population varies less again. valuekit estimates
every weighted variance by **Taylor linearization** (the "ultimate cluster" estimator of
R's ``survey`` package, Binder 1983; Lumley 2010, ch. 2):

    V(θ̂) = Σ_h (1 - f_h) n_h / (n_h - 1) Σ_j (z_hj - z̄_h)²

where ``z_hj`` is the sum over cluster ``j`` of stratum ``h`` of each respondent's
influence on the estimate (for a weighted mean ``w_i (y_i - ȳ) / Σ w``), ``n_h`` is the
number of clusters in the stratum and ``f_h`` its sampling fraction. Without clusters
every respondent is their own cluster; without strata the sample is one stratum. The
degrees of freedom are the clusters less the strata (R's ``degf``).

The codebook names the design's columns (all optional): ``strata:``, ``cluster:`` (the
primary sampling unit; its ids are read within each stratum, as R's ``nest = TRUE``) and
``fpc:`` (per stratum, the population's number of clusters, or the sampling fraction when
every value is at most 1, as R's ``fpc``). Only the first stage is modelled: for a
multistage sample give the first stage's clusters (the with-replacement approximation R
uses when only ``id = ~psu`` is given; it is conservative when ``fpc`` is left out).

Why written here rather than borrowed: R ``survey`` is the reference and is what the
tests check against (to 1e-6); of the Python ports, ``svy`` and ``samplics`` compute one
estimate per call (valuekit's comparison tables need thousands at once), and statsmodels'
cluster-robust covariance has neither strata nor the finite population correction. The
estimator is a sparse sum per cluster, so whole tables are linearized in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate.args import align_arg, expected_error
from ..errors import ParameterError

__all__ = ["SurveyDesign", "design_arg"]


def _csr(*args, **kwargs):
    """A SciPy CSR matrix; SciPy is imported when a design first needs one (loading and
    scoring a survey need none, and the import took a tenth of a second)."""
    from scipy import sparse  # deferred: scipy

    return sparse.csr_matrix(*args, **kwargs)


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """The sampling design of the kept respondents: strata, clusters, finite population correction.

    Build it with :meth:`from_frame` (or take ``survey.design``, which the codebook's
    ``strata:``, ``cluster:`` and ``fpc:`` columns give). Every array has one entry per
    respondent, in the order of ``index``.

    Parameters
    ----------
    index : Index
        The respondents, in order.
    strata, cluster : ndarray of int, optional
        Each respondent's stratum and cluster as codes 0..k-1 (cluster codes are unique
        across strata). None: one stratum; every respondent is their own cluster.
    fraction : ndarray of float, optional
        Each stratum's sampling fraction ``f_h`` (of clusters); None: sampled with
        replacement (no finite population correction).
    names : dict, optional
        The columns the design came from (``strata``, ``cluster``, ``fpc``), named in
        notes and reports.
    """

    index: pd.Index
    strata: np.ndarray | None = None
    cluster: np.ndarray | None = None
    fraction: np.ndarray | None = None
    names: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.index)
        strata = np.zeros(n, np.intp) if self.strata is None else np.asarray(self.strata, np.intp)
        cluster = np.arange(n, dtype=np.intp) if self.cluster is None else np.asarray(self.cluster, np.intp)
        n_psu = int(cluster.max()) + 1 if n else 0
        n_strata = int(strata.max()) + 1 if n else 0
        psu_stratum = np.zeros(n_psu, np.intp)
        psu_stratum[cluster] = strata
        clusters_in = np.bincount(psu_stratum, minlength=n_strata)
        object.__setattr__(self, "_psu", cluster)
        object.__setattr__(self, "_psu_stratum", psu_stratum)
        object.__setattr__(self, "_n_h", clusters_in)
        f = np.zeros(n_strata) if self.fraction is None else np.asarray(self.fraction, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = (1 - f) * clusters_in / (clusters_in - 1)
        object.__setattr__(self, "_scale", np.where(clusters_in > 1, scale, 0.0))
        object.__setattr__(self, "_P", None if self.cluster is None else _csr(
            (np.ones(n), (cluster, np.arange(n))), shape=(n_psu, n)))
        object.__setattr__(self, "_S", _csr(  # strata x clusters
            (np.ones(n_psu), (psu_stratum, np.arange(n_psu))), shape=(n_strata, n_psu)))

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_frame(cls, data: pd.DataFrame, *, strata: str | None = None, cluster: str | None = None,
                   fpc: str | None = None, where: str = "data") -> SurveyDesign:
        """The design given by columns of ``data``: ``strata``, ``cluster``, ``fpc`` (names, each optional).

        Parameters
        ----------
        data : DataFrame
            The respondents (one row each).
        strata : str, optional
            The stratum column (any values).
        cluster : str, optional
            The primary sampling unit (any values; read within each stratum).
        fpc : str, optional
            Per stratum, the population's number of clusters (or, when every value is at
            most 1, the sampling fraction); constant within a stratum.
        where : str, default "data"
            What ``data`` is, named in error messages (the file).

        Raises
        ------
        ParameterError
            A column that is not in ``data``, a blank design value (naming the row), an
            ``fpc`` that is not a positive number, varies within a stratum or is smaller
            than the stratum's sample, or a stratum with a single cluster (its variance
            cannot be estimated; R's ``survey`` stops there too).
        """
        names = {k: v for k, v in (("strata", strata), ("cluster", cluster), ("fpc", fpc)) if v is not None}
        for key, col in names.items():
            if not isinstance(col, str) or col not in data.columns:
                raise ParameterError(f"{where}: the design's {key} column {col!r} is not a column; "
                                     f"columns: {list(data.columns)[:20]}", name=key)
        s_codes, s_values = _codes(data, strata, where, "strata")
        c_codes, _ = _codes(data, cluster, where, "cluster")
        if c_codes is not None and s_codes is not None:  # ids read within strata (R's nest = TRUE)
            c_codes = pd.factorize(pd.MultiIndex.from_arrays([s_codes, c_codes]))[0].astype(np.intp)
        fraction = None
        if fpc is not None:
            fraction = _fractions(data, fpc, s_codes, c_codes, s_values, where)
        design = cls(data.index, s_codes, c_codes, fraction, names)
        lonely = np.flatnonzero(design._n_h < 2)
        if len(lonely) and (strata is not None or cluster is not None):
            shown = s_values[lonely[0]] if s_values is not None else "the whole sample"
            raise ParameterError(f"{where}: stratum {shown!r} of column {strata!r} has a single "
                                 f"{'cluster' if cluster else 'respondent'}; a stratum's variance needs at least "
                                 "two (merge it with a similar stratum)", name="strata")
        return design

    # -- what the estimates need ----------------------------------------------------------
    @property
    def describe(self) -> str:
        """One line naming the design (for notes): its strata, clusters and correction."""
        parts = []
        if self.strata is not None:
            parts.append(f"{len(self._n_h)} strata ('{self.names.get('strata', 'strata')}')")
        if self.cluster is not None:
            parts.append(f"{len(self._psu_stratum)} clusters ('{self.names.get('cluster', 'cluster')}')")
        if self.fraction is not None:
            parts.append("finite population correction")
        return ", ".join(parts) or "weights only (each respondent a cluster)"

    def aligned(self, index: pd.Index) -> SurveyDesign:
        """The design of the respondents of ``index`` (every label must be in the design)."""
        if index.equals(self.index):
            return self
        pos = align_arg("design", pd.Series(np.arange(len(self.index)), index=self.index), index).to_numpy()
        # a subset keeps each stratum's cluster count and fraction (domain estimation), so the
        # codes are kept as they are: clusters with nobody left sum to zero
        return _Subset(index, self, pos)

    def psu_totals(self, z: np.ndarray) -> np.ndarray:
        """Each cluster's sum of ``z`` (n x k): an array (clusters x k)."""
        if self._P is None:
            return z
        return np.asarray(self._P @ z)

    def variance(self, z: np.ndarray) -> np.ndarray:
        """The linearized variance of estimates whose influence values are the columns of ``z``.

        ``z`` (n x k, or n): each respondent's influence on each estimate (zero for those
        outside it). Returns an array of k variances (a float for a vector).
        """
        z = np.asarray(z, float)
        vector = z.ndim == 1
        t = self.psu_totals(z[:, None] if vector else z)
        centred = t - self._stratum_means(t)
        out = self._scale[self._psu_stratum] @ (centred * centred)
        return float(out[0]) if vector else out

    @property
    def clustered(self) -> bool:
        """Whether the design has strata or clusters (more than weights alone)."""
        return self.cluster is not None or self.strata is not None

    def bootstrap_factors(self, rng: np.random.Generator) -> np.ndarray:
        """One replicate of Rao and Wu's rescaling bootstrap (R survey's ``subbootstrap``): in
        each stratum of n_h clusters, n_h - 1 are drawn with replacement; each respondent's
        weight is multiplied by n_h / (n_h - 1) times the number of times their cluster was
        drawn. Returns those multipliers (one per respondent of this design or subset); the
        finite population correction is not applied (as R's)."""
        strata, n_h = self._psu_stratum, self._n_h
        draws = np.zeros(len(strata))
        for h in np.flatnonzero(n_h > 1):
            members = np.flatnonzero(strata == h)
            picked = members[rng.integers(0, len(members), len(members) - 1)]
            draws += np.bincount(picked, minlength=len(strata))
        scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0)[strata]
        return (draws * scale)[self._psu]

    def grouped_variance(self, z: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
        """The linearized variances of an estimate per group, from each respondent's influence
        on their own group's estimate (the groups a partition of the respondents).

        ``z`` (n x m): each respondent's influence values; ``group``: each respondent's group
        as codes 0..k-1. Returns an array (k x m): what :meth:`variance` gives for each group
        with ``z`` set to zero outside it (domain estimation: every group keeps the design's
        strata and clusters), from one weighted count per column instead of k dense passes.
        """
        z = np.asarray(z, float)
        group = np.asarray(group, np.intp)
        if self._P is None:  # each respondent a cluster: per group and stratum, the sums of z and z²
            h = len(self._n_h)
            key = group * h + self._psu_stratum[self._psu]
            out = np.empty((k, z.shape[1]))
            for j in range(z.shape[1]):
                s1 = np.bincount(key, weights=z[:, j], minlength=k * h).reshape(k, h)
                s2 = np.bincount(key, weights=z[:, j] * z[:, j], minlength=k * h).reshape(k, h)
                out[:, j] = ((s2 - s1 * s1 / np.maximum(self._n_h, 1)) * self._scale).sum(axis=1)
            return out
        n_psu = len(self._psu_stratum)
        key = group * n_psu + self._psu
        t = np.stack([np.bincount(key, weights=z[:, j], minlength=k * n_psu).reshape(k, n_psu)
                      for j in range(z.shape[1])], axis=-1)
        return self.totals_variance(t)

    def variance_units(self) -> tuple[np.ndarray, int, bool]:
        """What a weighted mean's variance is summed over: each respondent's unit, the number
        of units, and whether they are clusters. Without clusters (each respondent their own)
        the units are the strata, and a mean's variance comes from each stratum's sums of its
        influence values and their squares; with clusters, from each cluster's total (see
        :meth:`grouped_variance`)."""
        if self._P is None:
            return self._psu_stratum[self._psu], len(self._n_h), False
        return self._psu, len(self._psu_stratum), True

    def covariance(self, z: np.ndarray) -> np.ndarray:
        """The linearized covariance matrix (k x k) of the estimates whose influence values are ``z`` (n x k)."""
        return self.totals_covariance(self.psu_totals(np.asarray(z, float)))

    def totals_covariance(self, t: np.ndarray) -> np.ndarray:
        """The covariance matrix (k x k) from each cluster's totals ``t`` (clusters x k) of
        influence values: Σ_h scale_h Σ_j (t_hj - mean_h)(t_hj - mean_h)ᵀ."""
        centred = t - self._stratum_means(t)
        return centred.T @ (centred * self._scale[self._psu_stratum][:, None])

    def df(self, present: np.ndarray | None = None) -> np.ndarray | int:
        """Degrees of freedom: clusters less strata, counting only those with a respondent
        in ``present`` (n, or n x k booleans; None: everyone in this design, or in this
        subset of it), as R's ``degf`` on the respondents an estimate uses."""
        if present is None:
            if not isinstance(self, _Subset):
                return len(self._psu_stratum) - len(self._n_h)
            present = np.ones(len(self.index), bool)
        p = np.asarray(present, bool)
        vector = p.ndim == 1
        p = p[:, None] if vector else p
        has_psu = (self.psu_totals(p.astype(float)) > 0).astype(float)
        strata = np.asarray(self._S @ has_psu)
        out = has_psu.sum(axis=0) - (strata > 0).sum(axis=0)
        out = out.astype(int)
        return int(out[0]) if vector else out

    def _stratum_means(self, t: np.ndarray) -> np.ndarray:
        if len(self._n_h) == 1:
            return t.mean(axis=0, keepdims=True) if len(t) else t
        sums = np.asarray(self._S @ t)
        return (sums / np.maximum(self._n_h, 1)[:, None])[self._psu_stratum]

    def stratum_sums(self, parts: list[np.ndarray], masks: list[np.ndarray]) -> list[np.ndarray]:
        """For a design without clusters: the sums of each of ``parts`` (n x m) over the
        respondents of each mask in each stratum, as arrays (masks, strata, m). What the
        variance of a weighted mean needs, without a pass per mask (see
        :meth:`mean_variances`)."""
        if self.cluster is not None:
            raise ValueError("stratum_sums: only for a design without clusters")
        n = len(self.index)
        strata = np.zeros(n, np.intp) if self.strata is None else self._psu_stratum[self._psu]
        k, h = len(masks), len(self._n_h)
        rows = np.concatenate([np.flatnonzero(m) for m in masks]) if k else np.zeros(0, np.intp)
        cols = np.concatenate([g * h + strata[m] for g, m in enumerate(masks)]) if k else np.zeros(0, np.intp)
        G = _csr((np.ones(len(rows)), (cols, rows)), shape=(k * h, n))
        return [np.asarray(G @ part).reshape(k, h, -1) for part in parts]

    def cluster_sums(self, parts: list[np.ndarray], masks: list[np.ndarray]) -> list[np.ndarray]:
        """The sums of each of ``parts`` (n x m) over the respondents of each mask in each
        cluster, as arrays (masks, clusters, m)."""
        n, k, c = len(self.index), len(masks), len(self._psu_stratum)
        rows = np.concatenate([np.flatnonzero(m) for m in masks]) if k else np.zeros(0, np.intp)
        cols = np.concatenate([g * c + self._psu[m] for g, m in enumerate(masks)]) if k else np.zeros(0, np.intp)
        G = _csr((np.ones(len(rows)), (cols, rows)), shape=(k * c, n))
        return [np.asarray(G @ part).reshape(k, c, -1) for part in parts]

    def df_of_counts(self, count: np.ndarray) -> np.ndarray:
        """Degrees of freedom from counts per cluster (masks, clusters, m) of respondents with
        an estimate's data: clusters with one less strata with one (R's ``degf``)."""
        present = count > 0
        strata = np.zeros(present.shape[:-2] + (len(self._n_h), present.shape[-1]), bool)
        for h in range(len(self._n_h)):
            strata[..., h, :] = present[..., self._psu_stratum == h, :].any(axis=-2)
        return present.sum(axis=-2) - strata.sum(axis=-2)

    def totals_variance(self, t: np.ndarray) -> np.ndarray:
        """The variance from cluster totals ``t`` (..., clusters, m) of influence values:
        Σ_h scale_h Σ_j (t_hj - mean_h)², over the last two axes but one."""
        strata = self._psu_stratum
        sums = np.zeros(t.shape[:-2] + (len(self._n_h), t.shape[-1]))
        for h in range(len(self._n_h)):  # strata are few
            sums[..., h, :] = t[..., strata == h, :].sum(axis=-2)
        centred = t - (sums / np.maximum(self._n_h, 1)[:, None])[..., strata, :]
        return np.einsum("j,...jm->...m", self._scale[strata], centred * centred)

    @property
    def stratum_scale(self) -> np.ndarray:
        """Each stratum's (1 - f_h) n_h / (n_h - 1) (0 for a stratum of one cluster)."""
        return self._scale

    @property
    def stratum_size(self) -> np.ndarray:
        """Each stratum's number of clusters n_h."""
        return self._n_h


class _Subset(SurveyDesign):
    """Some respondents of a design, keeping its strata, clusters and fractions (a domain)."""

    def __init__(self, index, parent: SurveyDesign, pos: np.ndarray):
        object.__setattr__(self, "index", index)
        for name in ("strata", "cluster", "fraction", "names"):
            object.__setattr__(self, name, getattr(parent, name))
        for name in ("_psu_stratum", "_n_h", "_scale", "_S"):
            object.__setattr__(self, name, getattr(parent, name))
        psu = parent._psu[pos]
        object.__setattr__(self, "_psu", psu)
        n_psu = len(parent._psu_stratum)
        object.__setattr__(self, "_P", _csr((np.ones(len(pos)), (psu, np.arange(len(pos)))),
                                                         shape=(n_psu, len(pos))))


def _codes(data: pd.DataFrame, column: str | None, where: str, key: str):
    """A design column's values as codes 0..k-1 and the distinct values, or (None, None)."""
    if column is None:
        return None, None
    values = data[column]
    blank = values.isna().to_numpy()
    if blank.any():
        first = int(np.flatnonzero(blank)[0])
        raise ParameterError(f"{where}: the design's {key} column '{column}' is blank for {int(blank.sum())} "
                             f"respondent(s) (first: respondent {data.index[first]!r}); every respondent of a "
                             f"{'stratified' if key == 'strata' else 'clustered'} sample belongs to one",
                             name=key)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.intp), np.asarray(uniques, dtype=object)


def _fractions(data, fpc, s_codes, c_codes, s_values, where) -> np.ndarray:
    """Each stratum's sampling fraction from an ``fpc`` column (population count or fraction)."""
    col = data[fpc]
    if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
        raise expected_error(f"{where}: the design's fpc column '{fpc}'", "numbers", f"values of {col.dtype}")
    v = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(v) | (v <= 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"{where}: the design's fpc column '{fpc}' must be a positive number for every "
                             f"respondent; respondent {data.index[first]!r} has {col.iloc[first]!r}", name="fpc")
    strata = np.zeros(len(v), np.intp) if s_codes is None else s_codes
    k = int(strata.max()) + 1
    low, high = np.full(k, np.inf), np.full(k, -np.inf)
    np.minimum.at(low, strata, v)
    np.maximum.at(high, strata, v)
    varies = np.flatnonzero(low != high)
    if len(varies):
        shown = s_values[varies[0]] if s_values is not None else "the whole sample"
        raise ParameterError(f"{where}: the design's fpc column '{fpc}' varies within stratum {shown!r} "
                             f"({low[varies[0]]:g} to {high[varies[0]]:g}); it is one number per stratum",
                             name="fpc")
    psu = np.arange(len(v)) if c_codes is None else c_codes
    psu_stratum = np.zeros(int(psu.max()) + 1, np.intp)
    psu_stratum[psu] = strata
    n_h = np.bincount(psu_stratum, minlength=k)
    as_fraction = bool(np.all(high <= 1))
    fraction = high if as_fraction else n_h / high
    over = np.flatnonzero(fraction > 1)
    if len(over):
        shown = s_values[over[0]] if s_values is not None else "the whole sample"
        raise ParameterError(f"{where}: the design's fpc column '{fpc}' gives stratum {shown!r} a population of "
                             f"{high[over[0]]:g} cluster(s), fewer than the {n_h[over[0]]} sampled", name="fpc")
    return fraction


def design_arg(design, index: pd.Index) -> SurveyDesign | None:
    """A ``design=`` argument: None, or a :class:`SurveyDesign` covering every label of ``index``."""
    if design is None:
        return None
    if not isinstance(design, SurveyDesign):
        raise expected_error("design", "None or a SurveyDesign (survey.design)", design)
    return design.aligned(index)
