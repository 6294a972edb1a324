"""Which customers perceive value alike? Segments on the value profile.

:class:`ValueSegmenter` clusters respondents on their value profile (the benefit
dimension and sacrifice scores of :class:`valuekit.measure.scoring.ValueScorer`, optionally with
context columns), standardised inside a scikit-learn Pipeline, with k-means or a Gaussian
mixture. Around it:

* :func:`choose_k`: silhouette (and BIC for mixtures) over a range of segment counts;
* :func:`bootstrap_stability`: Hennig's (2007) bootstrap Jaccard similarity per segment,
  with his reading (< .60 unstable, .60-.75 doubtful, .75-.85 stable, > .85 highly stable);
* :func:`segment_profiles`: size, mean scores against the sample, value ratio, share
  destroyed, outcomes, context mix, and a generated name;
* :func:`explain_segments`: a shallow decision tree that states the segments as a few rules;
* :meth:`ValueSegmenter.predict`: the typing tool, for a later wave.

Respondents without a complete profile (not scored) are never dropped silently: they get
no segment (``<NA>``) and :attr:`ValueSegmenter.unassigned_` lists them with the reason.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, export_text
from sklearn.utils.validation import check_is_fitted

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import columns_arg, covers_arg, expected_error, frame_arg, optional_frame, seed_arg, series_arg
from ..errors import ParameterError, SurveyError
from ..evidence import DEFAULT_EVIDENCE, Evidence, settings_arg
from ..measure.model import weights_arg
from ..measure.scoring import group_masks, group_order, require_ratio, scores_arg, weighted_sd, wilson_interval
from ..survey.answers import kish_n
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import DEFAULT_LABELS, lang_arg
from .significance import compare_groups, domain_means, korn_graubard, unequal_weights

__all__ = [
    "ValueSegmenter",
    "choose_k",
    "suggest_n_segments",
    "bootstrap_stability",
    "segment_profiles",
    "explain_segments",
    "stability_verdict",
    "share_destroyed",
    "where_value_is_destroyed",
    "align_segments",
    "segment_name",
    "segment_structure",
    "MAX_SEGMENTS",
]

SEGMENT_METHODS = ("kmeans", "gmm")
#: The most segments valuekit forms (``n_segments``, ``k_range``, ``--segments``). Beyond a
#: handful, segments stop being groups a manager can act on one by one, and each gets too few
#: respondents for the comparisons and driver models its recommendations need; 20 leaves room
#: for exploration. Every segmentation also needs at least as many respondents with a
#: complete value profile as segments.
MAX_SEGMENTS = 20


def structure_arg(structure) -> dict | None:
    """A segment_structure result (Series or dict with ``distinct`` and ``p``), or None."""
    if structure is None:
        return None
    if not isinstance(structure, (pd.Series, dict)):
        raise expected_error("structure", "None, or the Series (or dict) of segment_structure", structure)
    structure = dict(structure)
    missing = [k for k in ("distinct", "p") if k not in structure]
    if missing:
        raise ParameterError(f"structure: {missing} not found; expected the result of segment_structure",
                             name="structure")
    if not isinstance(structure["distinct"], (bool, np.bool_)):
        raise expected_error("structure['distinct']", "True or False", structure["distinct"])
    p = structure["p"]
    if isinstance(p, bool) or not isinstance(p, Real) or not (np.isnan(p) or 0 <= p <= 1):
        raise expected_error("structure['p']", "a p-value from 0 to 1", p)
    return {"distinct": bool(structure["distinct"]), "p": float(p)}


def _n_segments_arg(name: str, value) -> int:
    try:
        return _check.integer(name, value, min=2, max=MAX_SEGMENTS)
    except ParameterError:
        raise ParameterError(f"{name} must be an integer >= 2 and <= {MAX_SEGMENTS} (MAX_SEGMENTS), got "
                             f"{value!r}", name=name) from None


def _n_complete(scores: pd.DataFrame, codebook: Codebook, context=None) -> int:
    """Respondents with a complete value profile (and context): those a segmentation can use."""
    ok = scores[_profile_columns(codebook)].notna().all(axis=1).to_numpy().copy()  # pandas 3: read-only
    for col in context or []:
        ok &= scores[col].notna().to_numpy()
    return int(ok.sum())


def _too_many(name: str, k: int, n_ok: int) -> ParameterError:
    return ParameterError(f"{name}: {n_ok} respondent(s) with a complete value profile; cannot form {k} "
                          "segments (need at least as many respondents as segments)", name=name)


def _method_arg(value) -> str:
    if not isinstance(value, str) or value not in SEGMENT_METHODS:
        raise ParameterError(f"method must be one of {list(SEGMENT_METHODS)}, got {value!r}", name="method")
    return value


def _fitted_arg(segmenter, scores) -> pd.DataFrame:
    """A fitted ValueSegmenter and the scores it was fitted on (same respondents, same order)."""
    if not isinstance(segmenter, ValueSegmenter):
        raise expected_error("segmenter", "a fitted ValueSegmenter", segmenter)
    if not hasattr(segmenter, "pipeline_"):
        raise ParameterError("segmenter: this ValueSegmenter is not fitted yet; call fit(scores) first",
                             name="segmenter")
    scores = scores_arg("scores", scores, segmenter.features_)
    if not scores.index.equals(segmenter.labels_.index):
        raise ParameterError(f"scores: expected the scores the segmenter was fitted on (the same "
                             f"{len(segmenter.labels_)} respondents, in the same order); got {len(scores)} rows "
                             "with another index", name="scores")
    return scores


def _profile_columns(codebook: Codebook) -> list[str]:
    return codebook.dimensions + codebook.sacrifices


def stability_verdict(jaccard: float) -> str:
    """Hennig's (2007) reading of a mean bootstrap Jaccard similarity.

    >>> [stability_verdict(j) for j in (0.5, 0.7, 0.8, 0.9)]
    ['unstable', 'doubtful', 'stable', 'highly stable']
    """
    if isinstance(jaccard, bool) or not isinstance(jaccard, Real) or not (np.isnan(jaccard) or 0 <= jaccard <= 1):
        raise expected_error("jaccard", "a Jaccard similarity from 0 to 1 (or NaN)", jaccard)
    if not np.isfinite(jaccard):
        return "unknown"
    return ("unstable" if jaccard < 0.6 else "doubtful" if jaccard < 0.75
            else "stable" if jaccard <= 0.85 else "highly stable")


@share_docs
class ValueSegmenter(ClusterMixin, BaseEstimator):
    """Segments of customers with similar value profiles.

    Parameters
    ----------
    {codebook}
    n_segments : int, default 4
    method : {"kmeans", "gmm"}, default "kmeans"
        k-means, or a Gaussian mixture with full covariances.
    context : list of str, optional
        Context columns (categorical) to include, one-hot encoded.
    {random_state}
    n_init : int, default 10

    Attributes
    ----------
    pipeline_ : Pipeline
        The fitted standardise-then-cluster pipeline.
    features_ : list of str
        Columns used.
    labels_ : Series
        Segment of each fitted respondent (``Int64``; ``<NA>`` when unassigned). Segments are
        numbered 0, 1, ... by decreasing size, so the numbering is reproducible.
    unassigned_ : DataFrame
        Respondents without a segment and why (``reason``).
    """

    def __init__(self, codebook, *, n_segments=4, method="kmeans", context=None,
                 random_state=None, n_init=10):
        self.codebook = codebook
        self.n_segments = n_segments
        self.method = method
        self.context = context
        self.random_state = random_state
        self.n_init = n_init

    def _check_params(self) -> None:
        """Every parameter, as scikit-learn checks them: in fit, not in __init__."""
        codebook_arg("codebook", self.codebook)
        _n_segments_arg("n_segments", self.n_segments)
        _method_arg(self.method)
        if self.context is not None:
            _check.names("context", self.context)
        seed_arg("random_state", self.random_state, also=(np.random.RandomState,))
        _check.integer("n_init", self.n_init, min=1)

    def _features(self, X: pd.DataFrame) -> list[str]:
        X = frame_arg("X", X, "a DataFrame of scores (ValueScorer output)")
        features = _profile_columns(self.codebook) + list(self.context or [])
        missing = [c for c in features if c not in X.columns]
        if missing:
            name = "X" if set(missing) & set(_profile_columns(self.codebook)) else "context"
            raise ParameterError(f"{name}: column(s) {missing} not found; pass the ValueScorer output "
                                 f"(with any context columns added); available: {list(X.columns)}", name=name)
        return features

    def _complete(self, X: pd.DataFrame, features: list[str]) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
        """Who has a complete profile, why the others are left out, and the profile columns
        as one matrix (column by column: no copy of the frame)."""
        profile = np.column_stack([X[c].to_numpy(dtype=float, na_value=np.nan) for c in _profile_columns(self.codebook)])
        ok = ~np.isnan(profile).any(axis=1)
        for col in self.context or []:
            ok &= X[col].notna().to_numpy()
        reasons = []
        for i in np.flatnonzero(~ok):
            row = X.iloc[i]
            gaps = [c for c in features if pd.isna(row[c])]
            reasons.append("no score for " + ", ".join(gaps))
        unassigned = pd.DataFrame({"reason": pd.array(reasons, dtype="str")}, index=X.index[~ok])
        return ok, unassigned, profile

    def _build(self) -> Pipeline:
        numeric = _profile_columns(self.codebook)
        if self.context:
            prep = ColumnTransformer([("scale", StandardScaler(), numeric),
                                      ("context", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                                       list(self.context))])
        else:  # the profile columns alone: scaled as they are, without a column transformer's overhead
            prep = StandardScaler()
        if self.method == "kmeans":
            model = KMeans(n_clusters=self.n_segments, n_init=self.n_init, random_state=self.random_state)
        else:
            model = GaussianMixture(n_components=self.n_segments, n_init=self.n_init,
                                    covariance_type="full", random_state=self.random_state)
        return Pipeline([("prepare", prep), ("cluster", model)])

    def fit(self, X, y=None):
        """Fit on the scored respondents of ``X`` (ValueScorer output, plus context columns)."""
        self._check_params()
        features = self._features(X)
        ok, self.unassigned_, profile = self._complete(X, features)
        n_ok = int(ok.sum())
        if n_ok < self.n_segments:
            raise _too_many("n_segments", self.n_segments, n_ok)
        profile = profile if n_ok == len(ok) else profile[ok]
        constant = [c for c, lo, hi in zip(_profile_columns(self.codebook), profile.min(axis=0), profile.max(axis=0))
                    if lo == hi]
        if constant:
            raise SurveyError(f"profile column(s) {constant} are constant among the scored respondents; "
                             "they cannot separate segments; drop them from the codebook or check the data")
        self.features_ = features
        pipeline = self._build()
        # the model's own labels of the data it was fitted on: KMeans and GaussianMixture end
        # their fit with the step that makes them equal to predict's
        if self.context:
            raw = np.asarray(pipeline.fit_predict(X.loc[ok, features]))
        else:  # the profile matrix as it is: the scaler learns the columns' names, as from the frame
            scaler, model = pipeline.named_steps["prepare"], pipeline.named_steps["cluster"]
            Z = scaler.fit_transform(profile)
            scaler.feature_names_in_ = np.asarray(features, dtype=object)
            raw = np.asarray(model.fit_predict(Z))
        # number the segments by decreasing size, ties by the raw label: reproducible
        sizes = np.bincount(raw, minlength=self.n_segments)
        order = sorted(range(self.n_segments), key=lambda c: (-sizes[c], c))
        self._relabel = np.empty(self.n_segments, dtype=np.int64)
        self._relabel[order] = np.arange(self.n_segments)
        self.pipeline_ = pipeline
        values = np.zeros(len(ok), dtype=np.int64)
        values[ok] = self._relabel[raw]
        self.labels_ = pd.Series(pd.arrays.IntegerArray(values, ~ok), index=X.index, name="segment")
        self.n_features_in_ = len(features)
        self.feature_names_in_ = np.array(features, dtype=object)
        return self

    def predict(self, X) -> pd.Series:
        """Assign respondents (e.g. a later survey wave) to the fitted segments.

        Respondents without a complete profile get ``<NA>``.
        """
        check_is_fitted(self, "pipeline_")
        features = self._features(X)
        ok, _, _ = self._complete(X, features)
        labels = pd.Series(pd.NA, index=X.index, dtype="Int64", name="segment")
        if ok.any():
            labels[ok] = self._relabel[self.pipeline_.predict(X.loc[ok, features])]
        return labels

    def fit_predict(self, X, y=None) -> pd.Series:
        """Fit on ``X`` and return the segment of each respondent (``labels_``)."""
        return self.fit(X).labels_


@survey_first("codebook")
@share_docs
def choose_k(scores: pd.DataFrame, codebook: Codebook, *, k_range=range(2, 9), method: str = "kmeans",
             context: list[str] | None = None, random_state=None, silhouette_sample: int = 5000,
             n_init: int = 4) -> pd.DataFrame:
    """Fit a segmentation for each number of segments and score it.

    Returns a tidy DataFrame: ``k``, ``silhouette`` (on a random sample of at most
    ``silhouette_sample`` respondents, standardised features; higher is better),
    ``inertia`` (k-means) or ``bic`` (mixtures; lower is better), and ``smallest_share``
    (the size of the smallest segment, a practical check).

    Parameters
    ----------
    {scores}
    {codebook}
    k_range : iterable of int, default range(2, 9)
        The numbers of segments to try (each at least 2).
    method : {"kmeans", "gmm"}, default "kmeans"
        As :class:`~valuekit.ValueSegmenter`.
    context : list of str, optional
        Context columns to cluster on as well, as :class:`~valuekit.ValueSegmenter`.
    {random_state}
    silhouette_sample : int, default 5000
        Respondents (drawn at random) on whom the silhouette is computed.
    n_init : int, default 4
        Starts of each fit (the best is kept).
    """
    ks = _k_range_arg(k_range)
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    codebook = codebook_arg("codebook", codebook)
    _method_arg(method)
    context = None if context is None else columns_arg("context", context, {"scores": scores})
    seed_arg("random_state", random_state, also=(np.random.RandomState,))
    silhouette_sample = _check.integer("silhouette_sample", silhouette_sample, min=2)
    n_init = _check.integer("n_init", n_init, min=1)
    columns_arg("scores", _profile_columns(codebook), {"scores": scores})
    n_ok = _n_complete(scores, codebook, context)
    if max(ks) > n_ok:
        raise _too_many("k_range", max(ks), n_ok)
    rows = []
    for k in ks:
        seg = ValueSegmenter(codebook, n_segments=k, method=method, context=context,
                             random_state=random_state, n_init=n_init).fit(scores)
        ok = seg.labels_.notna().to_numpy()
        Z = seg.pipeline_[:-1].transform(scores.loc[ok, seg.features_])
        labels = seg.labels_[ok].to_numpy(dtype=int)
        sample = min(silhouette_sample, len(Z))
        row = {"k": k, "silhouette": float(silhouette_score(Z, labels, sample_size=sample,
                                                             random_state=random_state))}
        model = seg.pipeline_[-1]
        if method == "kmeans":
            row["inertia"] = float(model.inertia_)
        else:
            row["bic"] = float(model.bic(Z))
        row["smallest_share"] = float(np.bincount(labels).min() / len(labels))
        rows.append(row)
    return pd.DataFrame(rows)


def suggest_n_segments(scores: pd.DataFrame, codebook: Codebook, *, k_range=range(2, 9), method: str = "kmeans",
                       random_state=None) -> int:
    """The number of segments with the highest silhouette (see :func:`choose_k`): a default
    for when the analyst has not chosen one."""
    _k_range_arg(k_range)  # the rest is choose_k's, checked before any fit
    table = choose_k(scores, codebook, k_range=k_range, method=method, random_state=random_state)
    return int(table.loc[table["silhouette"].idxmax(), "k"])


def _k_range_arg(value) -> list[int]:
    expected = f"k_range must hold integers >= 2 and <= {MAX_SEGMENTS} (MAX_SEGMENTS), got"
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise ParameterError(f"{expected} {value!r}", name="k_range")
    ks = list(value)
    if not ks or any(isinstance(k, bool) or not isinstance(k, Real) or not float(k).is_integer()
                     or not 2 <= k <= MAX_SEGMENTS for k in ks):
        raise ParameterError(f"{expected} {ks!r}", name="k_range")
    return [int(k) for k in ks]


def _jaccard_best(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """For each reference cluster, the best Jaccard similarity with any cluster of ``other``."""
    table = np.bincount(reference * k + other, minlength=k * k).reshape(k, k)
    size_ref, size_other = table.sum(axis=1), table.sum(axis=0)
    union = size_ref[:, None] + size_other[None, :] - table
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, table / union, 0.0)
    return jac.max(axis=1)


@share_docs
def bootstrap_stability(segmenter: ValueSegmenter, scores: pd.DataFrame, *, n_boot: int = 50,
                        random_state=None, progress: bool | None = None) -> pd.DataFrame:
    """Hennig's (2007) bootstrap stability of each segment of a fitted segmenter.

    Each bootstrap draws respondents with replacement, refits the same segmentation and,
    on the respondents drawn, compares each original segment with the most similar new
    segment by Jaccard similarity. The cost is linear in respondents (one refit and one
    contingency table per bootstrap).

    Returns per segment: ``segment``, ``jaccard_mean``, ``jaccard_sd``, ``dissolved`` (share
    of bootstraps with Jaccard < .5) and ``verdict``.

    Parameters
    ----------
    segmenter : ValueSegmenter
        The segmentation to test; refitted, unchanged, on each bootstrap sample.
    {scores}
    n_boot : int, default 50
        Bootstrap samples.
    {random_state}
    progress : bool, optional
        Show a progress bar (tqdm). Default: only for long runs (more than 20 bootstraps
        of 20,000 or more respondents).
    """
    scores = _fitted_arg(segmenter, scores)
    n_boot = _check.integer("n_boot", n_boot, min=2)
    seed_arg("random_state", random_state, also=(np.random.Generator,))
    if progress is not None:
        _check.flag("progress", progress)
    ok = segmenter.labels_.notna().to_numpy()
    X = scores.loc[ok, segmenter.features_]
    reference = segmenter.labels_[ok].to_numpy(dtype=int)
    k = segmenter.n_segments
    rng = np.random.default_rng(random_state)
    if progress is None:
        progress = n_boot > 20 and len(X) >= 20_000
    iterator = range(n_boot)
    if progress:
        from tqdm.auto import tqdm  # deferred: tqdm

        iterator = tqdm(iterator, desc="bootstrap", unit="fit")
    results = np.empty((n_boot, k))
    for b in iterator:
        idx = rng.integers(0, len(X), len(X))
        boot = clone(segmenter).set_params(random_state=int(rng.integers(2**31)))
        fitted = boot.fit(X.iloc[idx].reset_index(drop=True))
        new = fitted.labels_.to_numpy(dtype=int)
        results[b] = _jaccard_best(reference[idx], new, k)
    mean = results.mean(axis=0)
    return pd.DataFrame({
        "segment": np.arange(k),
        "jaccard_mean": mean,
        "jaccard_sd": results.std(axis=0, ddof=1),
        "dissolved": (results < 0.5).mean(axis=0),
        "verdict": [stability_verdict(m) for m in mean],
    })


@survey_first("weights", "design")
@share_docs
def share_destroyed(scores: pd.DataFrame, segments: pd.Series, *, weights=None, design: SurveyDesign | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Share of scored customers with value destroyed, per segment, with its interval.

    Without weights (or with equal weights) and without a design the interval is Wilson's.
    With unequal weights or a design it is Korn and Graubard's on the Taylor-linearized
    variance (R's ``svyby(~destroyed, ~segment, design, svyciprop, method = "beta")``; each
    respondent its own cluster when only weights are given), as
    :func:`valuekit.analyse.significance.compare_groups` does. ``n_effective`` (Kish's) stays the
    reported base; ``interval_n`` is the size the interval rests on (Kish's n for Wilson's,
    the design's effective size for Korn and Graubard's). ``note`` says why a segment has
    no estimate (NaN share): all its respondents' weights are zero.

    Parameters
    ----------
    {scores}
    {segments}
    {weights}
    {design}
    confidence : float, default 0.95
        Coverage of the intervals.
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)
    w = weights_arg(weights, scores)
    design = design_arg(design, scores.index)
    confidence = _check.fraction("confidence", confidence)
    require_ratio(scores, "share_destroyed")
    scores_arg("scores", scores, ["verdict"])
    if design is None and unequal_weights(w):
        design = SurveyDesign(scores.index)
    frame = pd.DataFrame({"segment": segments.array, "w": w,
                          "destroyed": (scores["verdict"] == "destroyed").to_numpy(),
                          "scored": scores["value_ratio"].notna().to_numpy()}, index=scores.index)
    keep = (frame["scored"] & frame["segment"].notna()).to_numpy()
    sums = frame[keep].assign(n=1, w2=frame["w"] ** 2, wd=frame["w"] * frame["destroyed"]).groupby("segment")[
        ["n", "w", "w2", "wd"]].sum()
    if design is not None:  # the linearized variance of each segment's share, on the whole design
        order = list(sums.index)
        masks = [keep & frame["segment"].eq(seg).fillna(False).to_numpy(dtype=bool) for seg in order]
        est = domain_means(np.where(keep, frame["destroyed"].to_numpy(float), np.nan), w, masks, design)
        sums["var"], sums["df"] = est["var"], est["df"]
    return destroyed_table(sums, confidence, design=None if design is None else design.describe)


def destroyed_table(sums: pd.DataFrame, confidence: float, design: str | None = None) -> pd.DataFrame:
    """The table of :func:`share_destroyed` from per-segment sums over the scored
    respondents (index: segment; columns ``n``, ``w`` the weights, ``w2`` their squares,
    ``wd`` the weights of those whose value is destroyed), however the sums were taken.
    With columns ``var`` and ``df`` (the share's linearized variance and the design's
    degrees of freedom) the interval is Korn and Graubard's, else Wilson's on Kish's n;
    ``attrs["variance"]`` says which (``design``: the design's description)."""
    rows = []
    design = "var" in sums.columns
    for seg in group_order(pd.Series(sums.index)):
        t = sums.loc[seg]
        if t["w"] <= 0:  # a segment whose scored respondents all weigh zero: no estimate, say why
            rows.append({"segment": seg, "n": int(t["n"]), "n_effective": 0.0, "share_destroyed": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "interval_n": np.nan,
                         "note": "all its respondents' weights are zero"})
            continue
        p = float(t["wd"] / t["w"])
        n_eff = float(kish_n(t["w"], t["w2"]))
        if design:
            low, high, size = korn_graubard(np.clip(p, 0, 1), t["var"], t["n"], t["df"], confidence, size=True)
        else:
            (low, high), size = wilson_interval(p, n_eff, confidence), n_eff
        rows.append({"segment": seg, "n": int(t["n"]), "n_effective": n_eff, "share_destroyed": p,
                     "ci_low": float(low), "ci_high": float(high), "interval_n": float(size), "note": ""})
    out = pd.DataFrame(rows, columns=["segment", "n", "n_effective", "share_destroyed", "ci_low", "ci_high",
                                      "interval_n", "note"])
    out.attrs["confidence"] = confidence
    out.attrs["variance"] = (f"Korn-Graubard intervals on the linearized variance ({design})" if "var" in sums.columns
                             else "Wilson intervals on Kish's effective n")
    return out


def segment_name(findings: pd.DataFrame, codebook: Codebook, *, lang: str = "en", max_traits: int = 2) -> str:
    """A short name from what truly sets a group apart, e.g. 'economic-driven, money-sensitive'.

    A group is named after a benefit dimension or a sacrifice only where it differs from
    the rest of the sample significantly (adjusted p) *and* meaningfully (effect size at or
    above the floor): the ``finding`` column of :func:`valuekit.analyse.significance.compare_groups`.
    Up to ``max_traits`` dimensions (and sacrifices), largest effect first, ties broken by
    the codebook's order. Without such a difference the name is neutral: "close to
    average", or "average on benefits, time-sensitive".

    Name only segments that passed :func:`segment_structure`: k-means clusters always differ
    from the rest on the very variables they were cut on, even in data with no segments, so
    this test alone cannot tell a segment's traits from the cut. :func:`segment_profiles`
    with ``structure`` gives neutral names when the segments are not distinct.

    Parameters
    ----------
    findings : DataFrame
        The rows of one group in a :func:`~valuekit.analyse.significance.compare_groups` table.
    """
    findings = frame_arg("findings", findings, "the rows of one group of a compare_groups table")
    columns_arg("findings", ["measure", "finding", "direction", "effect"], {"findings": findings})
    codebook = codebook_arg("codebook", codebook)
    lang = lang_arg(lang)
    max_traits = _check.integer("max_traits", max_traits, min=1)
    f = findings.set_index("measure")

    def traits(blocks, direction, role):
        hit = [b for b in blocks if b in f.index and f.loc[b, "finding"] and f.loc[b, "direction"] == direction]
        hit.sort(key=lambda b: (-abs(f.loc[b, "effect"]), blocks.index(b)))
        return [form(b, role) for b in hit[:max_traits]]

    def form(block, role):  # "lo económico", "al dinero": the block as a name says it
        if f"{role}_{block}" in DEFAULT_LABELS and block not in codebook.labels:
            return says(f"{role}_{block}")
        return says(f"{role}_other", codebook.label(block, lang).lower())

    def says(key, x=""):
        return codebook.label(key, lang).format(x=x)

    def joined(words):
        return f" {says('name_and')} ".join(words)

    def lower(index):
        return index in f.index and f.loc[index, "finding"] and f.loc[index, "direction"] == "lower"

    parts = []
    up = traits(codebook.dimensions, "higher", "name_driven")
    if up:
        parts.append(says("name_driven", joined(up)))
    elif lower("benefits"):
        parts.append(says("name_low_benefit"))
    heavy = traits(codebook.sacrifices, "higher", "name_sensitive")
    if heavy:
        parts.append(says("name_sensitive", joined(heavy)))
    elif lower("sacrifices"):
        parts.append(says("name_low_sacrifice"))
    if not parts:
        return says("name_average")
    if not up and not lower("benefits"):
        parts.insert(0, says("name_average_benefits"))
    return ", ".join(parts)


def segment_structure(segmenter: ValueSegmenter, scores: pd.DataFrame, *, n_sim: int = 19,
                      alpha: float | None = None, random_state=None) -> pd.Series:
    """Are the segments more distinct than one homogeneous population would give?

    Clustering always returns segments, even in data with none: k-means cuts any cloud of
    points into pieces, and those pieces then differ "significantly" on the very scores
    they were cut on. This is the check that tells the two apart, in the spirit of SigClust
    (Liu, Hayes, Nobel & Marron 2008): the cluster index ``CI`` (within-segment sum of
    squares over the total, on the segmenter's standardised features; lower is more
    clustered) is compared with the ``CI`` of the same segmentation fitted to ``n_sim``
    samples of the same size from a single Gaussian population with the same covariance.
    The p-value is the one-sided prediction test of the observed ``CI`` against the
    simulated ones (t with ``n_sim - 1`` degrees of freedom).

    Returns
    -------
    Series
        ``k``, ``n``, ``cluster_index``, ``null_mean``, ``null_sd``, ``statistic``
        (standardised distance below the null mean), ``p``, ``n_sim``, ``distinct`` (p below
        ``alpha``, by default the evidence settings' significance level) and ``verdict``.

    Examples
    --------
    >>> import valuekit as vk
    >>> survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    >>> scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    >>> seg = ValueSegmenter(survey.codebook, n_segments=4, random_state=1).fit(scores)
    >>> segment_structure(seg, scores, random_state=1)[["k", "distinct"]].tolist()
    [4, True]
    """

    scores = _fitted_arg(segmenter, scores)
    if isinstance(n_sim, bool) or not isinstance(n_sim, Real) or not float(n_sim).is_integer() or n_sim < 3:
        raise ParameterError(f"n_sim must be at least 3 (a whole number), got {n_sim!r}", name="n_sim")
    n_sim = int(n_sim)
    alpha = DEFAULT_EVIDENCE["alpha"] if alpha is None else _check.fraction("alpha", alpha)
    seed_arg("random_state", random_state, also=(np.random.Generator,))
    ok = segmenter.labels_.notna().to_numpy()
    Z = np.asarray(segmenter.pipeline_[:-1].transform(scores.loc[ok, segmenter.features_]), dtype=float)

    def index(Z, labels):
        total = ((Z - Z.mean(axis=0)) ** 2).sum()
        within = sum(((Z[labels == c] - Z[labels == c].mean(axis=0)) ** 2).sum() for c in np.unique(labels))
        return within / total

    observed = index(Z, segmenter.labels_[ok].to_numpy(dtype=int))
    rng = np.random.default_rng(random_state)
    cov = np.cov(Z, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    null = np.empty(n_sim)
    for b in range(n_sim):
        fake = rng.standard_normal(Z.shape) @ root.T
        model = clone(segmenter.pipeline_[-1]).set_params(random_state=int(rng.integers(2**31)))
        null[b] = index(fake, model.fit(fake).predict(fake))
    sd = null.std(ddof=1)
    statistic = (null.mean() - observed) / (sd * np.sqrt(1 + 1 / n_sim)) if sd > 0 else np.inf
    p = float(stats.t.sf(statistic, n_sim - 1))
    distinct = bool(p < alpha)
    verdict = (f"distinct segments: within-segment spread {observed:.3f} of the total against "
               f"{null.mean():.3f} in one population (p = {p:.2g})" if distinct else
               f"no more distinct than slices of one population: within-segment spread {observed:.3f} of the "
               f"total against {null.mean():.3f} (p = {p:.2g}); do not treat the segments as different "
               "kinds of customers")
    return pd.Series({"k": segmenter.n_segments, "n": int(ok.sum()), "cluster_index": observed,
                      "null_mean": float(null.mean()), "null_sd": float(sd), "statistic": float(statistic),
                      "p": p, "n_sim": n_sim, "distinct": distinct, "verdict": verdict}, dtype=object)


@survey_first("codebook", "data", "weights", "design")
@share_docs
def segment_profiles(scores: pd.DataFrame, segments: pd.Series, *, codebook: Codebook,
                     data: pd.DataFrame | None = None, weights=None, design: SurveyDesign | None = None,
                     comparisons: pd.DataFrame | None = None,
                     structure: pd.Series | dict | None = None, settings: Evidence | dict | None = None,
                     lang: str = "en") -> pd.DataFrame:
    """Who is in each segment: size, scores against the sample, value, outcomes, context.

    Parameters
    ----------
    {scores}
    {segments}
        Respondents with no segment are counted in a row ``unassigned``.
    {codebook}
    data : DataFrame, optional
        Survey data (``Survey.data``) for outcome means and the context mix.
    {weights}
    {design}
        Used by the comparisons computed here (not by the profile's means).
    comparisons : DataFrame, optional
        A :func:`valuekit.analyse.significance.compare_groups` table holding this grouping (its
        rows whose ``grouping`` is the segments' name, or its only grouping); computed on
        the dimensions, sacrifices and indices when not given. The name is made from its
        findings (:func:`segment_name`).
    structure : Series or dict, optional
        :func:`segment_structure` of these segments (``distinct``, ``p``). When the segments
        are no more distinct than slices of one population, every segment gets the neutral
        name ``name_not_distinct`` of ``labels.yaml`` ("slice of a continuum") and
        ``name_note`` says why: the clusters differ from the rest on what they were cut on
        even in data with no segments, so those differences name nothing. Without it, names
        are made from the findings alone (give it whenever the segments come from clustering).
    {settings}
    {lang}

    Returns
    -------
    DataFrame
        One row per segment: ``n``, ``share``, mean of every dimension and sacrifice,
        ``z_<block>`` (the segment mean minus the sample mean, in sample standard
        deviations, both survey-weighted), ``benefits``, ``sacrifices``, ``value_ratio`` (mean),
        ``share_destroyed``,
        mean of each outcome (``outcome_<name>``), the most common value of each context
        column with its share (``<column>``, ``<column>_share``), ``note`` (why a segment
        has no means: all its weights are zero; empty otherwise), ``name``, ``name_note``
        (why the name is neutral when ``structure`` says the segments are not distinct;
        empty otherwise) and ``n_findings`` (how many dimensions, sacrifices and indices
        differ from the rest of the sample: by construction for clusters that are not distinct).
    """

    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)
    codebook = codebook_arg("codebook", codebook)
    data = optional_frame("data", data, "a DataFrame of survey data (Survey.data)")
    w = pd.Series(weights_arg(weights, scores, data), index=scores.index)
    design = design_arg(design, scores.index)
    comparisons = optional_frame("comparisons", comparisons, "a compare_groups table")
    if comparisons is not None:
        columns_arg("comparisons", ["grouping", "group", "measure", "finding", "direction", "effect"],
                    {"comparisons": comparisons})
    structure = structure_arg(structure)
    settings = settings_arg(settings)
    lang = lang_arg(lang)
    blocks = codebook.dimensions + codebook.sacrifices
    columns_arg("scores", blocks + ["benefits"], {"scores": scores})
    if data is not None:
        columns_arg("data", list(codebook.outcomes.values()) + codebook.context_columns, {"data": data},
                    allow_empty=True)
        covers_arg("data", data, scores.index)
    ratio = "value_ratio" in scores.columns  # benefits-only surveys have no ratio nor verdict
    indices = ["benefits", "sacrifices", "value_ratio"] if ratio else ["benefits"]
    out = _profile_rows(scores, segments, w, codebook, data, blocks, indices)
    key = segments.name or "segment"
    if comparisons is None:
        comparisons = compare_groups(scores, {key: segments}, codebook=codebook, weights=w, design=design,
                                     measures=blocks + indices[:2], settings=settings, lang=lang)
    elif comparisons["grouping"].nunique() > 1:
        comparisons = comparisons[comparisons["grouping"] == key]
    names, notes, counts = _profile_names(out["segment"], comparisons, structure, codebook, blocks, lang)
    out["name"], out["name_note"], out["n_findings"] = names, notes, counts
    out = out.set_index("segment")  # group_masks already ordered them, missing last
    out.index.name = segments.name or "segment"
    return out


def _profile_rows(scores, segments, w, codebook, data, blocks, indices) -> pd.DataFrame:
    """One row per segment: size, weighted means, z against the sample, share destroyed,
    outcome means and the most common context value (see :func:`segment_profiles`)."""
    ratio = "value_ratio" in indices
    sample_mean = {b: np.average(scores[b].dropna(), weights=w[scores[b].notna()]) for b in blocks}
    sample_sd = {b: weighted_sd(scores[b], w) for b in blocks}
    rows = []
    for seg, mask in group_masks(scores.index, segments, include_all=False):
        seg = "unassigned" if seg == "(missing)" else seg
        s, ww = scores[mask], w[mask]
        row = {"segment": seg, "n": len(s), "share": ww.sum() / w.sum()}
        for col in blocks + indices:
            ok = s[col].notna()
            row[col] = np.average(s.loc[ok, col], weights=ww[ok]) if ww[ok].sum() > 0 else np.nan
        for b in blocks:
            row[f"z_{b}"] = (row[b] - sample_mean[b]) / sample_sd[b] if sample_sd[b] > 0 else 0.0
        if ratio:
            scored = s["value_ratio"].notna()
            row["share_destroyed"] = (ww[scored & (s["verdict"] == "destroyed")].sum() / ww[scored].sum()
                                      if ww[scored].sum() > 0 else np.nan)
        if data is not None:
            row.update(_context_means(data.loc[s.index], ww, codebook))
        row["note"] = "" if ww.sum() > 0 else "all its respondents' weights are zero: no means"
        rows.append(row)
    return pd.DataFrame(rows)


def _context_means(d: pd.DataFrame, ww: pd.Series, codebook) -> dict:
    """A segment's weighted outcome means and, per context column, its most common value and share."""
    row = {}
    for name, col in codebook.outcomes.items():
        ok = d[col].notna()
        row[f"outcome_{name}"] = np.average(d.loc[ok, col], weights=ww[ok]) if ww[ok].sum() > 0 else np.nan
    for col in codebook.context_columns:
        mix = ww.groupby(d[col].to_numpy()).sum()
        if len(mix) and ww.sum() > 0:
            row[col] = mix.idxmax()
            row[f"{col}_share"] = mix.max() / ww.sum()
    return row


def _profile_names(segments, comparisons, structure, codebook, blocks, lang) -> tuple[list, list, list]:
    """Each segment's name, the note on it, and its number of findings (see :func:`segment_profiles`)."""
    neutral = structure is not None and not structure["distinct"]
    why = (f"not named after its traits: the segments are no more distinct than slices of one population "
           f"(structure test p = {_check.p_text(structure['p'])}), and clusters always differ from the rest "
           "on what they were cut on" if neutral else "")
    names, notes, counts = [], [], []
    for seg in segments:
        if seg == "unassigned":
            names.append(codebook.label("name_unassigned", lang))
            notes.append("")
            counts.append(0)
            continue
        own = comparisons[(comparisons["group"] == seg) & comparisons["measure"].isin(blocks + ["benefits", "sacrifices"])]
        names.append(codebook.label("name_not_distinct", lang) if neutral else segment_name(own, codebook, lang=lang))
        notes.append(why)
        counts.append(int(own["finding"].sum()))
    return _distinct_names(names, list(segments)), notes, counts


def _distinct_names(names: list[str], segments: list) -> list[str]:
    """Names told apart: segments sharing a name get " (A)", " (B)", ... in segment order.

    The evidence did not tell them apart, so nothing more specific can honestly be said;
    the letters keep two segments from reading as one. The unsegmented keep their label.
    """
    shared = {n for n, seg in zip(names, segments) if seg != "unassigned"
              and sum(m == n for m, t in zip(names, segments) if t != "unassigned") > 1}
    seen: dict[str, int] = {}
    out = []
    for name, seg in zip(names, segments):
        if seg != "unassigned" and name in shared:
            k = seen.get(name, 0)
            seen[name] = k + 1
            name = f"{name} ({_letters(k)})"
        out.append(name)
    return out


def _letters(k: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the k-th (from 0) spreadsheet-style letter code."""
    code = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        code = chr(ord("A") + r) + code
    return code


def align_segments(labels: pd.Series, reference: pd.Series) -> pd.Series:
    """Renumber ``labels`` to best match ``reference`` (Hungarian matching on overlap).

    Two fits (two waves, two methods) may number the same segments differently; after
    aligning, a cross-tabulation of the two reads along its diagonal.
    """

    for name, value in (("labels", labels), ("reference", reference)):
        if not isinstance(value, pd.Series):
            raise expected_error(name, "a Series of segment numbers (e.g. ValueSegmenter.labels_)", value)
        known = value.dropna()
        if not pd.api.types.is_numeric_dtype(known.dtype) and len(known):
            known = pd.to_numeric(known, errors="coerce")
        if pd.api.types.is_bool_dtype(value.dtype) or known.isna().any() or (known < 0).any() \
                or (known != np.floor(known)).any():
            raise ParameterError(f"{name}: expected segment numbers (whole numbers >= 0, missing for none), "
                                 f"got values such as {value.dropna().unique()[:5].tolist()}", name=name)
    if not reference.index.is_unique:
        raise ParameterError("reference: its index has duplicate labels; expected one segment per respondent",
                             name="reference")
    both = labels.notna() & reference.reindex(labels.index).notna()
    if not both.any():
        raise ParameterError("reference: no respondent has a segment in both labels and reference (matched by "
                             "index label); expected two segmentations of the same respondents", name="reference")
    a = labels[both].astype(int).to_numpy()
    b = reference.reindex(labels.index)[both].astype(int).to_numpy()
    size = max(a.max(initial=0), b.max(initial=0)) + 1
    overlap = np.bincount(a * size + b, minlength=size * size).reshape(size, size)
    rows, cols = linear_sum_assignment(-overlap)
    mapping = dict(zip(rows, cols))
    return labels.map(lambda v: pd.NA if pd.isna(v) else mapping.get(int(v), int(v))).astype("Int64")


@survey_first("codebook")
@share_docs
def explain_segments(scores: pd.DataFrame, segments: pd.Series, *, codebook: Codebook,
                     max_depth: int = 3, lang: str = "en", random_state=0) -> tuple[str, float]:
    """A shallow decision tree that restates the segments as a few readable rules.

    Returns the rules as text (``sklearn.tree.export_text``, features by their display
    label) and the tree's agreement with the segments (share of respondents it types
    correctly): how faithful the simple story is.

    Parameters
    ----------
    {scores}
    {segments}
    {codebook}
    max_depth : int, default 3
        Depth of the tree: more rules fit better and read worse.
    {lang}
    {random_state}
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)  # by label, not position
    codebook = codebook_arg("codebook", codebook)
    max_depth = _check.integer("max_depth", max_depth, min=1)
    lang = lang_arg(lang)
    random_state = seed_arg("random_state", random_state, also=(np.random.RandomState,))
    columns_arg("scores", _profile_columns(codebook), {"scores": scores}, numeric=True)
    ok = segments.notna().to_numpy() & scores[_profile_columns(codebook)].notna().all(axis=1).to_numpy()
    if not ok.any():
        raise SurveyError("explain_segments: no respondent has both a segment and a complete value profile")
    X = scores.loc[ok, _profile_columns(codebook)]
    y = segments[ok].astype(str).radd("segment ")
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=random_state).fit(X, y)
    names = [codebook.label(c, lang) for c in X.columns]
    text = export_text(tree, feature_names=names, decimals=2)
    return text, float(tree.score(X, y))



@survey_first("codebook", "weights")
@share_docs
def where_value_is_destroyed(scores: pd.DataFrame, segments: pd.Series, *, codebook: Codebook,
                             weights=None) -> pd.DataFrame:
    """Where, for whom and through what value is lost: a ranked, tidy table.

    For each segment and each benefit dimension or sacrifice:

    * ``gap``: how much worse the segment is than the sample on that block, in scale
      points (for a dimension, sample mean minus segment mean; for a sacrifice, segment
      mean minus sample mean), so a positive gap always means "worse here";
    * ``share_affected``: the share of the segment's scored customers whose value is
      destroyed *and* for whom that block alone outweighs the other side of the equation
      (a sacrifice above their benefits index, or a dimension below their sacrifices
      index);
    * ``customers_affected``: that share times the segment's (weighted) size.

    Rows are ranked by ``customers_affected`` (survey-weighted), largest first; only blocks
    on which the segment does worse than the sample (``gap > 0``) and that affect someone
    are listed.

    Parameters
    ----------
    {scores}
    {segments}
    {codebook}
    {weights}
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)
    codebook = codebook_arg("codebook", codebook)
    w = pd.Series(weights_arg(weights, scores), index=scores.index)
    require_ratio(scores, "where_value_is_destroyed")
    columns_arg("scores", codebook.dimensions + codebook.sacrifices + ["benefits", "sacrifices", "verdict"],
                {"scores": scores})
    scored = scores["value_ratio"].notna() & segments.notna()
    s, w, seg = scores[scored], w[scored], segments[scored]
    columns = ["rank", "segment", "kind", "block", "label", "segment_mean", "sample_mean", "gap",
               "share_affected", "customers_affected"]
    if not len(s) or w.sum() <= 0:
        return pd.DataFrame(columns=columns)  # nobody scored and segmented: nothing to rank
    rows = []
    for kind, blocks, other, sign in (("benefit", codebook.dimensions, "sacrifices", -1),
                                      ("sacrifice", codebook.sacrifices, "benefits", 1)):
        for block in blocks:
            has = s[block].notna()  # a customer scored on the other blocks only (min_blocks) is left out here
            sample = np.average(s.loc[has, block], weights=w[has])
            # outweighs: by more than the decision tolerance, so a tie is a tie on every machine
            tips = sign * (s[block] - s[other]) > _check.DECISION_TOLERANCE
            hit = tips & (s["verdict"] == "destroyed")
            for name, mask in group_masks(s.index, seg, include_all=False):
                mask = mask & has.to_numpy()
                ww = w[mask]
                if ww.sum() <= 0:
                    continue
                mean = np.average(s.loc[mask, block], weights=ww)
                share = ww[hit[mask]].sum() / ww.sum()
                rows.append({"segment": name, "kind": kind, "block": block, "label": codebook.label(block),
                             "segment_mean": mean, "sample_mean": sample, "gap": sign * (mean - sample),
                             "share_affected": share, "customers_affected": share * ww.sum()})
    out = pd.DataFrame(rows)
    out = out[(out["share_affected"] > 0) & (out["gap"] > 0)].sort_values(["customers_affected", "gap"], ascending=False,
                                                     kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
