"""The value equation's arithmetic, without scikit-learn.

:class:`ScoreModel` is what :class:`valuekit.measure.scoring.ValueScorer` fits and applies: the
checked parameters, the index weights, the block membership and the chunked scoring.
The estimator is its scikit-learn face (``get_params``, ``clone``, ``set_output``,
pipelines); ``valuekit score`` uses the model directly, so scoring a file from the
command line does not pay for importing scikit-learn and SciPy (about a second). Both
run this one implementation. The public names here are re-exported by
:mod:`valuekit.measure.scoring`; import them from there.
"""

from __future__ import annotations

import math
import os
from numbers import Real

import numpy as np
import pandas as pd
import pyarrow as pa

from .._validate import check as _check
from .._validate.args import expected_error, frame_arg, grouping_arg, shown_value
from ..errors import CodebookError, ParameterError, SurveyError
from ..survey.answers import answer_values, read_answers, refuse_answers, require_items, survey_weights
from ..survey.codebook import Codebook, NoSacrificesError, Scale, codebook_arg, no_sacrifices_message, read_codebook

#: The three verdicts, from worst to best.
VERDICTS = ("destroyed", "neutral", "created")

def common_scale(codebook: Codebook) -> Scale:
    """The scale every score is reported on: the codebook's, shifted to start at 1 if needed.

    >>> from valuekit import Codebook
    >>> cb = Codebook.from_dict({"id": "id", "scale": {"min": 0, "max": 10},
    ...     "benefits": {"functional": ["a"]}, "sacrifices": {"money": ["b"]}})
    >>> common_scale(cb)
    Scale(min=1.0, max=11.0)
    """
    s = codebook_arg("codebook", codebook).scale
    return s if s.min > 0 else Scale(1.0, s.max - s.min + 1.0)


def item_maps(codebook: Codebook, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The linear map ``x -> a + b x`` of each item's answers onto :func:`common_scale`.

    Reverse-coding is folded in (``b < 0`` for a reverse-keyed item), so ``a + b x`` is the
    answer in the direction of what the item measures, on the common scale.
    """
    items = _item_names(codebook, items)
    target = common_scale(codebook)
    a, b = np.empty(len(items)), np.empty(len(items))
    for j, col in enumerate(items):
        s = codebook.items[col].scale
        b[j] = (target.max - target.min) / (s.max - s.min)
        a[j] = target.min - s.min * b[j]
        if codebook.items[col].reverse:
            a[j], b[j] = a[j] + (s.min + s.max) * b[j], -b[j]
    return a, b

def _item_columns(data: pd.DataFrame, codebook: Codebook, items: list[str]) -> list[np.ndarray]:
    """The answers of each item as floats (views where the columns hold floats), every
    column checked as :func:`item_matrix` checks them (SurveyError naming each refused one)."""
    require_items(data, items)
    columns, problems = [], []
    for col in items:
        values, problem = answer_values(data[col], col, codebook.items[col].scale)
        columns.append(values)
        if problem:
            problems.append(problem)
    refuse_answers(problems)
    return columns


def _mapped(columns: list[np.ndarray], a: np.ndarray, b: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of the item matrix: each answer mapped by ``x -> a + b x``
    (reverse-coding, then onto the common scale), one contiguous column per item."""
    M = np.empty((stop - start, len(columns)), dtype=float, order="F")
    for j, values in enumerate(columns):
        out = M[:, j]
        out[:] = values[start:stop]
        if b[j] != 1:
            out *= b[j]
        if a[j] != 0:
            out += a[j]
    return M


def _item_names(codebook, items) -> list[str]:
    """``items``: rated columns of the codebook."""
    codebook = codebook_arg("codebook", codebook)
    items = _check.names("items", items)
    unknown = [c for c in items if c not in codebook.items]
    if unknown:
        raise ParameterError(f"items: {unknown} are not rated items of the codebook; expected some of "
                             f"{list(codebook.items)}", name="items")
    return items


def _check_weights(weights, names: list[str], key: str) -> np.ndarray:
    unknown = [k for k in weights if k not in names]
    if unknown:
        raise ParameterError(f"index_weights: unknown {key} {unknown}; this codebook has {names}", name="index_weights")
    absent = [k for k in names if k not in weights]
    if absent:
        raise ParameterError(f"index_weights: no weight for {key} {absent}; give one for each of {names}",
                             name="index_weights")
    values = []
    for name in names:
        w = weights[name]
        if isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(w) or w < 0:
            raise ParameterError(f"index_weights['{name}'] must be a finite number >= 0, got {w!r}",
                                 name="index_weights")
        values.append(float(w))
    values = np.array(values)
    if values.sum() <= 0:
        raise ParameterError(f"index_weights for the {key} sum to zero; at least one must be positive",
                             name="index_weights")
    return values / values.sum()


#: Respondents scored at a time by :meth:`ValueScorer.transform` (memory, not results:
#: every respondent's score is computed the same way in any chunk).
SCORE_CHUNK_ROWS = 1 << 16


def _weighted_sum(S: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``S @ w``, added column by column from the left: the same bits on every machine
    (a BLAS product's order of summation depends on the CPU and the thread count, so its
    last bit does, and a verdict on the boundary would follow it)."""
    out = S[:, 0] * w[0]
    for j in range(1, S.shape[1]):
        out += S[:, j] * w[j]
    return out


def _group_sums(X: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """The sum of ``X``'s columns in each group, added from the left in a fixed order
    (what ``X @ membership`` computes, without BLAS: see :func:`_weighted_sum`)."""
    out = np.empty((X.shape[0], len(groups)), order="F")
    for g, idx in enumerate(groups):
        acc = out[:, g]
        np.copyto(acc, X[:, idx[0]])
        for j in idx[1:]:
            acc += X[:, j]
    return out


def _index(scores: np.ndarray, weights: np.ndarray, need: int) -> np.ndarray:
    """Weighted mean of the block scores that carry weight, over those scored; NaN for a
    respondent with fewer than ``need`` of them scored."""
    used = weights > 0
    S, w = scores[:, used], weights[used]
    ok = ~np.isnan(S)
    complete = _weighted_sum(S, w)  # the usual case, exactly as with every block (NaN where one is missing)
    n_ok = ok.sum(axis=1)
    partial = np.flatnonzero((n_ok < used.sum()) & (n_ok >= need))
    if partial.size:
        sub_ok = ok[partial]
        complete[partial] = (_weighted_sum(np.where(sub_ok, S[partial], 0.0), w)
                             / _weighted_sum(sub_ok.astype(float), w))
    return complete


def verdict_codes(benefits: np.ndarray, sacrifices: np.ndarray, neutral_band: float) -> np.ndarray:
    """The verdict of each respondent as a code: 0 destroyed, 1 neutral, 2 created, -1 unscored.

    Value is created when the benefits index exceeds ``1 + neutral_band`` times the
    sacrifices index, destroyed when the sacrifices index exceeds ``1 + neutral_band``
    times the benefits index, and neutral in between, the boundaries included. The two
    sides are compared by their difference in scale points, and a difference within
    :data:`valuekit._validate.check.DECISION_TOLERANCE` of zero is a tie (neutral): a customer
    exactly on a boundary (a value ratio of exactly 1.05 with the default band) gets the
    same verdict on every machine, whatever the last bit of the arithmetic.

    >>> verdict_codes(np.array([4.2, 4.0, 4.0, 4.21, np.nan]), np.array([4.0, 4.2, 4.0, 4.0, 3.0]), 0.05)
    array([ 1,  1,  1,  2, -1], dtype=int8)
    """
    factor = 1.0 + neutral_band
    tol = _check.DECISION_TOLERANCE
    code = np.ones(len(benefits), np.int8)
    with np.errstate(invalid="ignore"):
        code[benefits - factor * sacrifices > tol] = 2
        code[sacrifices - factor * benefits > tol] = 0
    code[np.isnan(benefits) | np.isnan(sacrifices)] = -1
    return code


class ScoreModel:
    """A fitted value equation: :class:`~valuekit.measure.scoring.ValueScorer`'s state and
    arithmetic (its docstring describes the parameters, attributes and methods). Build it
    with :meth:`fit`."""

    # -- fitting ----------------------------------------------------------------------
    @classmethod
    def fit(cls, codebook, X, *, index_weights="equal", min_answered=0.5, min_blocks=0.5, neutral_band=0.05,
            sample_weight=None) -> "ScoreModel":
        """Check the parameters and the data; learn stated-importance weights if asked
        (:meth:`valuekit.measure.scoring.ValueScorer.fit` says how)."""
        self = cls()
        self.codebook, self.index_weights, self.min_answered = codebook, index_weights, min_answered
        self.min_blocks, self.neutral_band = min_blocks, neutral_band
        if not isinstance(self.codebook, (Codebook, dict, str, os.PathLike)):
            raise expected_error("codebook", "a Codebook, a parsed codebook (dict) or the path of a YAML codebook",
                                 self.codebook)
        cb = read_codebook(self.codebook)
        for name in ("min_answered", "min_blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value <= 1:
                raise ParameterError(f"{name} must be a share in (0, 1], got {shown_value(value)}", name=name)
        if isinstance(self.neutral_band, bool) or not isinstance(self.neutral_band, Real) \
                or not 0 <= self.neutral_band < 1:
            raise ParameterError(f"neutral_band must be in [0, 1), got {shown_value(self.neutral_band)}",
                                 name="neutral_band")
        if not (isinstance(self.index_weights, dict) or (isinstance(self.index_weights, str)
                                                         and self.index_weights in ("equal", "stated"))):
            raise ParameterError("index_weights must be 'equal', 'stated' or a dict of a weight per dimension and "
                                 f"sacrifice, got {shown_value(self.index_weights)}", name="index_weights")
        X = frame_arg("X", X, "a DataFrame with the codebook's columns (Survey.data)")
        if len(X) == 0:
            raise SurveyError("ValueScorer.fit got no respondents (0 rows)")
        if sample_weight is not None:
            survey_weights(sample_weight, len(X), index=X.index, name="sample_weight")
        items = cb.value_items
        require_items(X, items)

        self.codebook_ = cb
        self.scale_ = common_scale(cb)
        self.feature_names_in_ = np.array(items, dtype=object)
        self.n_features_in_ = len(items)
        dims, sacs = cb.dimensions, cb.sacrifices

        bw, sw = self._index_weights(cb, X, sample_weight)
        self.benefit_weights_ = pd.Series(bw, index=dims, name="weight")
        self.sacrifice_weights_ = pd.Series(sw, index=sacs, name="weight")

        self._membership_of(cb, items, bw, sw)
        return self

    def _index_weights(self, cb, X, sample_weight) -> tuple[np.ndarray, np.ndarray]:
        """The weights of the benefits and sacrifices indices, normalised: equal, as given, or
        the survey-weighted mean stated importance of each block above its scale's bottom."""
        dims, sacs = cb.dimensions, cb.sacrifices
        if isinstance(self.index_weights, str) and self.index_weights == "equal":
            bw, sw = np.full(len(dims), 1 / len(dims)), np.full(len(sacs), 1 / max(len(sacs), 1))
        elif isinstance(self.index_weights, str) and self.index_weights == "stated":
            means = self._stated_importance(cb, X, sample_weight)
            bw = _check_weights({d: means[d] for d in dims}, dims, "dimensions")
            sw = _check_weights({s: means[s] for s in sacs}, sacs, "sacrifices") if sacs else np.empty(0)
        elif isinstance(self.index_weights, dict):
            extra = [k for k in self.index_weights if k not in dims + sacs]
            if extra:
                raise ParameterError(f"index_weights: unknown dimension or sacrifice {extra}; this codebook has "
                                     f"{dims + sacs}", name="index_weights")
            bw = _check_weights({k: v for k, v in self.index_weights.items() if k in dims}, dims, "dimensions")
            sw = (_check_weights({k: v for k, v in self.index_weights.items() if k in sacs}, sacs, "sacrifices")
                  if sacs else np.empty(0))
        else:  # checked in fit
            raise expected_error("index_weights", "'equal', 'stated' or a dict of weights", self.index_weights)
        return bw, sw

    def _stated_importance(self, cb, X, sample_weight) -> dict[str, float]:
        """Each block's survey-weighted mean stated importance above the bottom of its scale;
        refused when a block has no importance column or no answers, or a whole index is at
        the bottom (nothing to weight by)."""
        dims, sacs = cb.dimensions, cb.sacrifices
        absent = [b for b in dims + sacs if b not in cb.importance]
        if absent:
            raise ParameterError(f"index_weights='stated' needs an importance column for every dimension and "
                                 f"sacrifice; codebook key 'importance' lacks {absent}", name="index_weights")
        sw_survey = self._sample_weight(X, sample_weight, cb)
        columns = [cb.importance[block] for block in dims + sacs]
        require_items(X, columns)
        importance = np.empty((len(X), len(columns)))
        refuse_answers([p for j, col in enumerate(columns)
                        if (p := read_answers(X[col], col, cb.items[col].scale, importance[:, j]))])
        means = {}
        for j, block in enumerate(dims + sacs):
            col = columns[j]
            x = importance[:, j]
            ok = np.isfinite(x) & np.isfinite(sw_survey)
            if not ok.any():
                raise SurveyError(f"importance column '{col}' ({block}) has no answers")
            means[block] = float(np.average(x[ok], weights=sw_survey[ok])) - cb.items[col].scale.min
        for group in (dims, sacs):
            if group and not any(means[b] > 0 for b in group):
                raise SurveyError(f"stated importance of {group} is at the bottom of the scale "
                                  "for all of them; cannot weight by it")
        return means

    def _membership_of(self, cb, items: list[str], bw: np.ndarray, sw: np.ndarray) -> None:
        """Block membership: columns of a 0/1 matrix, one per score (dimensions, sacrifices,
        facets), and how many answers and blocks each score and index needs."""
        dims, sacs = cb.dimensions, cb.sacrifices
        blocks: dict[str, list[int]] = {}
        for j, col in enumerate(items):
            item = cb.items[col]
            blocks.setdefault(item.block, []).append(j)
        facets: dict[str, list[int]] = {}
        for j, col in enumerate(items):
            item = cb.items[col]
            if item.facet is not None:
                facets.setdefault(f"{item.block}__{item.facet}", []).append(j)
        self._score_names = [*dims, *sacs, *(f for f in facets)]
        groups = [blocks[b] for b in dims + sacs] + list(facets.values())
        self._groups = [np.array(idx, dtype=np.intp) for idx in groups]
        self._membership = np.zeros((len(items), len(groups)))
        for g, idx in enumerate(groups):
            self._membership[idx, g] = 1.0
        sizes = self._membership.sum(axis=0)
        self._min_count = np.maximum(1, np.ceil(self.min_answered * sizes - 1e-9))
        self._sizes = sizes
        # blocks each index needs: a share of the blocks that carry weight, at least one
        self._min_blocks = tuple(max(1, math.ceil(self.min_blocks * int((w > 0).sum()) - 1e-9))
                                 for w in (bw, sw))

    @staticmethod
    def _sample_weight(X, sample_weight, cb) -> np.ndarray:
        if sample_weight is None and cb.weight and cb.weight in X.columns:
            return survey_weights(X[cb.weight], len(X), index=X.index, name=f"sample_weight (column '{cb.weight}')")
        return survey_weights(sample_weight, len(X), index=X.index, name="sample_weight")

    # -- output ---------------------------------------------------------------------
    def get_feature_names_out(self, input_features=None):
        """The names of the score columns :meth:`transform` returns, in order."""
        ratio = ["sacrifices", "value_ratio", "log_value_ratio", "verdict"] if self.codebook_.has_sacrifices else []
        return np.array([*self._score_names, "benefits", *ratio, "unscored_reason"], dtype=object)

    def transform(self, X):
        """Scores per respondent, as a DataFrame on ``X``'s index (see
        :meth:`valuekit.measure.scoring.ValueScorer.transform`)."""
        X = frame_arg("X", X, "a DataFrame with the codebook's columns (Survey.data)")
        cb = self.codebook_
        items = list(self.feature_names_in_)
        columns = _item_columns(X, cb, items)
        a, b = item_maps(cb, items)
        nd, ns = len(cb.dimensions), len(cb.sacrifices)
        bw, sw = self.benefit_weights_.to_numpy(), self.sacrifice_weights_.to_numpy()
        names = list(self.get_feature_names_out())
        floats = [c for c in names if c not in ("verdict", "unscored_reason")]
        k = len(self._score_names)
        n = len(X)
        # every float column in one block, filled a chunk of rows at a time: the item matrix
        # and its temporaries stay a few MB whatever the survey's size, and each
        # respondent's arithmetic is the same as on the whole
        F = np.empty((n, len(floats)), order="F")
        code = np.empty(n, np.int8)
        unscored, needed = [], []
        for start in range(0, n, SCORE_CHUNK_ROWS):
            stop = min(start + SCORE_CHUNK_ROWS, n)
            scores, benefits, sacrifices, ratio, log_ratio, verdict, counts = self.score_items(
                _mapped(columns, a, b, start, stop))
            F[start:stop, :k] = scores
            F[start:stop, k] = benefits
            if cb.has_sacrifices:
                F[start:stop, k + 1:k + 4] = np.column_stack([sacrifices, ratio, log_ratio])
            code[start:stop] = verdict
            missing = np.flatnonzero(np.isnan(ratio if cb.has_sacrifices else benefits))
            unscored.append(missing + start)
            needed.append(counts[missing, :nd + ns])
        out = pd.DataFrame(F, index=X.index, columns=floats, copy=False)
        if cb.has_sacrifices:
            out["verdict"] = pd.Categorical.from_codes(code, categories=list(VERDICTS), ordered=True)
        unscored = np.concatenate(unscored) if unscored else np.zeros(0, np.intp)
        which = np.zeros(n, np.int64)  # 0: scored (""), else 1 + the pattern of answered counts
        texts = [""]
        if unscored.size:  # one text per distinct pattern of answered counts, not per respondent
            needed = np.concatenate(needed)
            needed[:, ~np.concatenate([bw > 0, sw > 0])] = np.inf  # weight 0: never the reason
            patterns, inverse = np.unique(needed, axis=0, return_inverse=True)
            texts += [self._reason(p) for p in patterns]
            which[unscored] = 1 + inverse.ravel()
        out["unscored_reason"] = _check.str_take(texts, which)
        return out

    def score_items(self, M: np.ndarray, *, base: tuple | None = None, changed=None):
        """The value equation on an item matrix (see
        :meth:`valuekit.measure.scoring.ValueScorer.score_items`)."""
        cb = self.codebook_
        k = len(self.feature_names_in_)
        if not isinstance(M, np.ndarray) or M.ndim != 2 or M.shape[1] != k or M.dtype.kind != "f":
            raise expected_error("M", f"a float array with {k} columns (item_matrix's output)",
                                 f"{type(M).__name__} of shape {getattr(M, 'shape', '?')}")
        if base is None:
            cols, items = slice(None), slice(None)
            counts, scores = None, None
        else:
            if not isinstance(base, tuple) or len(base) != 7 or np.shape(base[0])[0] != len(M):
                raise expected_error("base", "this method's result on an item matrix of the same respondents", base)
            changed = np.asarray(changed if changed is not None else [], dtype=float)
            if changed.ndim != 1 or not changed.size or np.any(changed != np.round(changed)) \
                    or np.any(changed < 0) or np.any(changed >= k):
                raise expected_error("changed", f"positions of item columns (0 to {k - 1}) with base", changed.tolist())
            counts, scores = base[6], base[0].copy()
            cols = np.flatnonzero(self._membership[changed.astype(np.intp)].any(axis=0))
            items = np.flatnonzero(self._membership[:, cols].any(axis=1))
        sub = M[:, items]
        answered = ~np.isnan(sub)
        if base is None:
            groups = self._groups
            counts = _group_sums(answered, groups)
        else:  # the changed groups, by their items' positions in sub
            groups = [np.searchsorted(items, self._groups[g]) for g in cols]
        sums = _group_sums(np.where(answered, sub, 0.0), groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            part = sums / counts[:, cols]
        part[counts[:, cols] < self._min_count[cols]] = np.nan
        if scores is None:
            scores = part
        else:
            scores[:, cols] = part

        nd, ns = len(cb.dimensions), len(cb.sacrifices)
        bw, sw = self.benefit_weights_.to_numpy(), self.sacrifice_weights_.to_numpy()
        # an index needs min_blocks of the blocks that carry weight; a block weighted 0
        # neither counts nor stops a respondent from being scored
        benefits = _index(scores[:, :nd], bw, self._min_blocks[0])
        sacrifices = (_index(scores[:, nd:nd + ns], sw, self._min_blocks[1]) if ns
                      else np.full(len(M), np.nan))  # benefits-only: no sacrifices, no ratio
        # on the common scale (min >= 1 when the codebook's starts at 0 or below) both indices
        # are positive: the ratio is finite for every scored respondent. An item matrix off
        # that scale would give a ratio far off it, infinite or negative: refused.
        self._check_on_scale(benefits, sacrifices)
        ratio = benefits / sacrifices
        log_ratio = np.log(ratio)
        code = verdict_codes(benefits, sacrifices, self.neutral_band)
        return scores, benefits, sacrifices, ratio, log_ratio, code, counts

    def _check_on_scale(self, *indices: np.ndarray) -> None:
        lo, hi = self.scale_.min, self.scale_.max
        tol = 1e-9 * (hi - lo)
        for x in indices:
            if not len(x):
                continue
            low, high = np.fmin.reduce(x), np.fmax.reduce(x)
            if low < lo - tol or high > hi + tol:  # an infinite index is off the scale too
                raise ParameterError(f"M: answers off the common scale {self.scale_} (an index from "
                                     f"{low:g} to {high:g}); an item matrix from item_matrix holds every "
                                     "answer on it", name="M")

    def _reason(self, counts: np.ndarray) -> str:
        cb = self.codebook_
        blocks = cb.dimensions + cb.sacrifices
        nd = len(cb.dimensions)
        ns = len(blocks) - nd
        if counts[:nd].sum() == 0 and ns and counts[nd:].sum() == 0:
            return "no benefit or sacrifice item answered"
        if counts[:nd].sum() == 0:
            return "no benefit item answered"
        if ns and counts[nd:].sum() == 0:
            return "no sacrifice item answered"
        parts = []
        for (lo, hi), need, what in zip(((0, nd), (nd, len(blocks))), self._min_blocks,
                                        ("dimensions", "sacrifices")):
            weighted = [g for g in range(lo, hi) if np.isfinite(counts[g])]  # inf: weight 0
            failing = [f"{blocks[g]}: {int(counts[g])} of {int(self._sizes[g])} items answered, "
                       f"{int(self._min_count[g])} needed" for g in weighted if counts[g] < self._min_count[g]]
            scored = len(weighted) - len(failing)
            if not weighted or scored >= need:
                continue
            if need == len(weighted):  # every block needed: the blocks that failed say it all
                parts += failing
            else:
                parts.append(f"{scored} of {len(weighted)} {what} scored, {need} needed ({'; '.join(failing)})")
        return "; ".join(parts)


def group_order(levels) -> list:
    """Group labels in a natural order: numbers numerically (2 before 10), then text."""
    if isinstance(levels, (str, bytes, dict)) or not hasattr(levels, "__iter__"):
        raise expected_error("levels", "an iterable of group labels", levels)
    levels = [v for v in dict.fromkeys(levels) if not pd.isna(v)]
    return sorted(levels, key=lambda v: (0, float(v), "") if isinstance(v, (int, float, np.number))
                  and not isinstance(v, bool) else (1, 0.0, str(v)))


def require_ratio(scores: pd.DataFrame, what: str) -> None:
    """Raise :class:`~valuekit.survey.codebook.NoSacrificesError` when ``scores`` (ValueScorer
    output) come from a benefits-only survey, saying that ``what`` needs the value ratio."""
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    what = _check.text("what", what)
    if "value_ratio" not in scores.columns:
        raise NoSacrificesError(no_sacrifices_message(what))


def weights_arg(value, scores: pd.DataFrame, data: pd.DataFrame | None = None, name: str = "weights") -> np.ndarray:
    """Survey weights for the rows of ``scores``: a column name (of ``scores`` or ``data``) or values."""
    if isinstance(value, str):
        value = grouping_arg(name, value, scores.index, {"scores": scores, "data": data})
    return survey_weights(value, len(scores), index=scores.index, name=name)


def score_table(survey, scores):
    """The scores of the kept respondents as ``valuekit score`` (and the Dask engine) writes
    them (an Arrow
    table): ``row`` (the input row), the id (when the codebook names one), the survey
    weight, the outcomes and the constructs (when the codebook names them: what weighted
    shares and driver models need beside the scores), one column per dimension and
    sacrifice, ``benefits``, then ``sacrifices``, ``value_ratio`` and ``verdict`` (when
    sacrifices are measured), and ``unscored_reason``.

    Every outcome and construct column is named as the codebook names the outcome or
    construct (``satisfaction``, ``trust``), whether it has several items (their mean, as
    the survey was loaded) or one (that item's answers).

    ``scores`` is :meth:`ValueScorer.transform` of ``survey.recoded`` (every input row);
    the kept rows are taken.
    """

    cb = survey.codebook
    rows = survey.audit.rows
    if len(scores) != len(rows):
        raise RuntimeError("the scores are not those of every input row; this is a bug in valuekit")
    kept = (rows["status"] == "kept").to_numpy()
    keep = pa.array(kept)
    ratio = ["sacrifices", "value_ratio"] if cb.has_sacrifices else []
    columns = {"row": rows["row"].to_numpy()[kept]}
    what = {"row": "the input row number"}

    def add(name: str, values, meaning: str) -> None:
        if name in columns:  # e.g. a construct named like the id column or 'value_ratio'
            raise CodebookError(f"{cb.source}: the scores would have two columns named '{name}' ({what[name]} "
                                f"and {meaning}); rename one of them in the codebook (or the export)")
        columns[name], what[name] = values, meaning

    if cb.id:  # without an id column the row number identifies the respondent
        add(cb.id, pa.array(rows["respondent"].array, from_pandas=True).filter(keep), "the respondent id")
    recoded = survey.recoded
    named = [(cb.weight, cb.weight, "the survey weight")] if cb.weight else []
    named += [(name, cb.outcome_column(name), f"the outcome '{name}'") for name in cb.outcomes]
    named += [(name, cb.outcome_column(name), f"the construct '{name}'") for name in cb.constructs]
    for name, col, meaning in named:
        if col in recoded.columns:
            add(name, pa.array(recoded[col].to_numpy(dtype=float, na_value=np.nan)[kept], from_pandas=True),
                meaning)
    for name in [*cb.dimensions, *cb.sacrifices, "benefits", *ratio]:  # NaN: a missing value
        add(name, pa.array(scores[name].to_numpy()[kept], from_pandas=True), f"the score '{name}'")
    if cb.has_sacrifices:  # the categories and their order, without a text per respondent
        verdict = scores["verdict"].array
        codes = verdict.codes[kept]
        add("verdict", pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=codes < 0), pa.array(list(verdict.categories), pa.string()), ordered=True),
            "the verdict")
    add("unscored_reason", pa.array(scores["unscored_reason"].array).filter(keep), "why a respondent is unscored")
    return pa.table(columns)
