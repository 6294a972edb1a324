"""Tracking: wave against wave, on the same machinery as every other comparison.

A tracking study asks the same questions of new customers every quarter or half-year. The
waves arrive as several exports (one per wave) or as one export with a wave column, or
both. :func:`load_waves` reads them, splits a file by its wave column, and audits **each
wave on its own** (its own duplicate ids, its own speeder median, its own accounting:
rows in = kept + excluded per wave), against one codebook. :class:`Waves` then scores
every wave with the same scorer (fitted on the first wave), types later waves into the
first wave's segments (:meth:`Waves.segments`, the typing tool of
:meth:`valuekit.analyse.segments.ValueSegmenter.predict`), and stacks them for comparison.

:func:`compare_waves` compares each wave with the one before (or with the first) on
everything a manager follows: each dimension and facet, each sacrifice, the two indices,
the value ratio and the share of customers whose value is destroyed, overall and within
each segment. It is the engine of :func:`valuekit.analyse.significance.compare_groups`
(:func:`valuekit.analyse.significance.contrast`) with a wave as the group and the earlier wave as
the rest: weighted means and Kish effective sizes of *each wave's own weights*, Welch's
t-test for means and the score test for shares, Hedges' g and Cohen's h, and p-values
adjusted across the whole table (Benjamini-Hochberg by default). A change is a finding
only when it is significant after adjustment *and* above the effect-size floor of
``valuekit/evidence.yaml``; a comparison that cannot be made honestly carries a note.

:func:`wave_trends` gives each wave's value with its interval (for trend charts,
:func:`valuekit.present.plots.plot_trend`) and :func:`drivers_by_wave` the driver shares of each
wave side by side.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import align_arg, expected_error, frame_arg, grouping_arg, optional_frame
from ..errors import ParameterError, SurveyError
from ..evidence import Evidence
from ..measure.model import weights_arg
from ..measure.scoring import ValueScorer, group_masks
from ..survey.answers import kish_n
from ..survey.audit import (DEFAULT_EXCLUDE, ROW_REASONS, Survey, audit_survey, check_audit_options, read_codebook_arg,
                            survey_first)
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.io import check_read_options, read_limits, read_survey_file
from ..survey.labels import lang_arg, md_text
from .drivers import key_drivers
from .segments import ValueSegmenter
from .significance import _conclude, _design_interval
from .significance import _kind as _measure_kind
from .significance import _label as _measure_label
from .significance import (_measure_matrix, _own_interval, _sums, _table_options, contrast, linearized, unequal_weights,
                           variance_note)

__all__ = ["Waves", "load_waves", "compare_waves", "wave_trends", "drivers_by_wave", "tracking_summary",
           "moved_measures", "BASELINES"]

#: What each wave is compared with: the wave before it, or the first wave.
BASELINES = ("previous", "first")

_AUDIT_OPTIONS = ("exclude", "speeder_fraction", "straightline_min_items")
_READ_OPTIONS = ("format", "encoding", "sep", "decimal", "sheet", "limits")


@dataclass
class Waves:
    """Survey waves, each loaded and audited on its own, in wave order.

    Attributes
    ----------
    codebook : Codebook
        The one codebook every wave is read with.
    surveys : dict
        Wave label (text) to its :class:`valuekit.survey.audit.Survey`, in wave order.
    sources : dict
        Wave label to the file it came from.
    wave_column : str or None
        The column the waves were told apart by, when one was given.
    """

    codebook: Codebook
    surveys: dict[str, Survey]
    sources: dict[str, str]
    wave_column: str | None = None

    def __post_init__(self):

        codebook_arg("codebook", self.codebook)
        if not isinstance(self.surveys, dict) or not all(isinstance(s, Survey) for s in self.surveys.values()):
            raise expected_error("surveys", "a dict of wave label: Survey (load_waves builds one)", self.surveys)
        if not isinstance(self.sources, dict):
            raise expected_error("sources", "a dict of wave label: file name", self.sources)

    @property
    def labels(self) -> list[str]:
        """The wave labels, in order."""
        return list(self.surveys)

    def __len__(self) -> int:
        return len(self.surveys)

    def __getitem__(self, label) -> Survey:
        if str(label) not in self.surveys:
            raise ParameterError(f"wave {label!r} is not loaded; the waves are {self.labels}", name="wave")
        return self.surveys[str(label)]

    def __iter__(self):
        return iter(self.surveys.items())

    def __repr__(self) -> str:
        kept = ", ".join(f"{w}: {s.audit.rows_kept}" for w, s in self)
        return f"<Waves {len(self)} waves (respondents kept: {kept})>"

    def accounting(self) -> pd.DataFrame:
        """Rows in, kept and excluded per wave (and per exclusion reason), with a total row.

        Every input row of every file is counted in exactly one wave: rows in = kept +
        excluded for each wave, and the waves' rows add up to the files' rows.
        """

        records = []
        for label, survey in self:
            a = survey.audit
            excluded = a.rows.loc[a.rows["status"] == "excluded", "reason"].value_counts()
            records.append({"wave": label, "file": self.sources[label], "rows_in": a.rows_in,
                            "rows_kept": a.rows_kept, "rows_excluded": a.rows_excluded,
                            **{f"excluded_{r}": int(excluded.get(r, 0)) for r in ROW_REASONS}})
        table = pd.DataFrame(records)
        total = table.drop(columns=["wave", "file"]).sum()
        table.loc[len(table)] = {"wave": "all", "file": "", **total.to_dict()}
        return table

    def data(self) -> pd.DataFrame:
        """The kept respondents of every wave, stacked, with a ``wave`` column first.

        Indexed by ``(wave, row)``: the wave label and the respondent's input row number in
        that wave's file.
        """
        parts = [s.data.assign(wave=label) for label, s in self]
        out = pd.concat(parts, keys=self.labels, names=["wave_label", "row"])
        out.index = out.index.set_names(["wave", "row"])
        out.insert(0, "wave", out.pop("wave").astype(pd.CategoricalDtype(self.labels, ordered=True)))
        return out

    def survey_part(self, name: str):
        """What the waves stand for as an analysis function's ``name`` argument (see
        :func:`valuekit.survey.audit.survey_first`): the stacked ``data``, ``weights`` and
        ``design``, and the ``codebook``."""
        return {"data": self.data, "codebook": lambda: self.codebook, "weights": self.weights,
                "design": self.design}[name]()

    def design(self) -> SurveyDesign | None:
        """The waves' sampling design, stacked like :meth:`data`: each wave an independent
        sample, so a stratum of its own (its own strata within it), with its clusters and
        finite population correction. None when the codebook names no design column (weighted
        waves are then compared as stratified by wave, each respondent a cluster)."""
        cb = self.codebook
        if all(c is None for c in (cb.strata, cb.cluster, cb.fpc)):
            return None
        for _, survey in self:
            survey.design  # noqa: B018 - each wave's design checked against its own file first
        data = self.data()
        stratum = data["wave"].astype(str)
        if cb.strata is not None:
            stratum = stratum + " / " + data[cb.strata].astype(str)
        frame = pd.DataFrame({"wave": stratum}, index=data.index)
        for key in ("cluster", "fpc"):
            if getattr(cb, key) is not None:
                frame[getattr(cb, key)] = data[getattr(cb, key)]
        return SurveyDesign.from_frame(frame, strata="wave", cluster=cb.cluster, fpc=cb.fpc, where="the waves")

    def weights(self) -> pd.Series | None:
        """Each wave's own survey weights (the codebook's weight column), stacked like :meth:`data`;
        None when the codebook names no weight column."""
        if self.codebook.weight is None:
            return None
        return self.data()[self.codebook.weight]

    def scores(self, scorer=None) -> pd.DataFrame:
        """Every wave scored by one scorer, stacked like :meth:`data`, with a ``wave`` column.

        Parameters
        ----------
        scorer : ValueScorer, optional
            Default ``ValueScorer(codebook)``. An unfitted scorer is fitted on the first
            wave (with its weights) and then scores every wave unchanged, so stated
            importance weights, when asked for, are the first wave's.
        """


        if scorer is None:
            scorer = ValueScorer(self.codebook)
        elif not isinstance(scorer, ValueScorer):
            raise expected_error("scorer", "None or a ValueScorer", scorer)
        try:
            check_is_fitted(scorer)
        except NotFittedError:
            first = self.surveys[self.labels[0]]
            scorer = clone(scorer).fit(first.data, sample_weight=first.weights)
        parts = [scorer.transform(s.data) for _, s in self]
        out = pd.concat(parts, keys=self.labels, names=["wave", "row"])
        out.insert(0, "wave", pd.Categorical(out.index.get_level_values("wave"), categories=self.labels,
                                             ordered=True))
        return out

    def segments(self, scores: pd.DataFrame, *, n_segments: int = 4, segmenter=None, fit_on="first",
                 **options) -> pd.Series:
        """Segments fitted on the first wave (or the first file); every later wave typed into them.

        Parameters
        ----------
        scores : DataFrame
            :meth:`scores` output.
        n_segments : int, default 4
            For a new :class:`~valuekit.analyse.segments.ValueSegmenter` (ignored with ``segmenter``).
        segmenter : ValueSegmenter, optional
            A segmenter, fitted (e.g. on an earlier study) or not (then fitted on the first
            wave's scores).
        fit_on : {"first", "first_file"} or list of str, default "first"
            The waves whose respondents an unfitted ``segmenter`` is fitted on: the first wave,
            every wave of the first file (the survey the single-survey notebooks segment, so
            the segments are numbered as there), or the waves listed.
        **options
            Further ValueSegmenter parameters (``method``, ``random_state``, ...).

        Returns
        -------
        Series
            The segment of each respondent (``<NA>`` without a complete value profile), on
            ``scores``' index; ``.attrs["segmenter"]`` is the fitted segmenter.
        """


        scores = self._stacked_arg(scores)
        fit_waves = self._fit_waves(fit_on)
        if segmenter is None:
            segmenter = ValueSegmenter(self.codebook, n_segments=n_segments, **options)
        elif not isinstance(segmenter, ValueSegmenter):
            raise expected_error("segmenter", "None or a ValueSegmenter", segmenter)
        try:
            check_is_fitted(segmenter, "pipeline_")
        except NotFittedError:
            fitted = scores[scores["wave"].isin(fit_waves)]
            segmenter.fit(fitted.drop(columns="wave"))
        out = segmenter.predict(scores.drop(columns="wave"))
        out.attrs["segmenter"] = segmenter
        return out

    def _fit_waves(self, fit_on) -> list[str]:
        """The wave labels ``fit_on`` names (see :meth:`segments`)."""
        if isinstance(fit_on, str) and fit_on == "first":
            return self.labels[:1]
        if isinstance(fit_on, str) and fit_on == "first_file":
            first = self.sources[self.labels[0]]
            return [w for w in self.labels if self.sources[w] == first]
        if isinstance(fit_on, (list, tuple)) and fit_on and all(str(w) in self.surveys for w in fit_on):
            return [str(w) for w in fit_on]
        raise ParameterError(f"fit_on: expected 'first', 'first_file' or a list of wave labels from {self.labels}, "
                             f"got {fit_on!r}", name="fit_on")

    def _stacked_arg(self, scores) -> pd.DataFrame:
        scores = frame_arg("scores", scores, "the stacked scores of Waves.scores()")
        if "wave" not in scores.columns:
            raise ParameterError("scores: expected the stacked scores of Waves.scores() (a 'wave' column); "
                                 "it has none", name="scores")
        return scores


def _natural(value: str):
    """Sort key: numbers by value, then text, so waves 2 < 10 and '2025-09' < '2026-03'."""
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def _sources_arg(sources) -> list[tuple[str | None, Path]]:
    if isinstance(sources, (str, Path)):
        return [(None, _check.path("sources", sources))]
    if isinstance(sources, dict):
        if not sources:
            raise ParameterError("sources: expected at least one file", name="sources")
        return [(_check.text(f"sources key {k!r}", str(k)), _check.path(f"sources[{k!r}]", v))
                for k, v in sources.items()]
    if isinstance(sources, (list, tuple)):
        if not sources:
            raise ParameterError("sources: expected at least one file", name="sources")
        return [(None, _check.path(f"sources[{i}]", v)) for i, v in enumerate(sources)]
    raise expected_error("sources", "a file, a list of files, or a dict of wave label: file", sources)


def _load_args(sources, codebook, wave_column, options: dict) -> tuple:
    """:func:`load_waves`' arguments, checked before any file is read: the files (with their
    labels), the codebook, the wave column, and the read and audit options."""
    unknown = sorted(set(options) - set(_AUDIT_OPTIONS) - set(_READ_OPTIONS))
    if unknown:
        raise ParameterError(f"{unknown[0]}: not an option of load_waves; expected some of "
                             f"{list(_READ_OPTIONS + _AUDIT_OPTIONS)}", name=unknown[0])
    read = {k: options[k] for k in _READ_OPTIONS if k in options}
    audit = {k: options[k] for k in _AUDIT_OPTIONS if k in options}
    files = _sources_arg(sources)
    if "limits" in read:
        read_limits(read["limits"])
    for _, path in files:
        check_read_options(path, **{k: v for k, v in read.items() if k != "limits"})
    check_audit_options(audit.get("exclude", DEFAULT_EXCLUDE), audit.get("speeder_fraction", 0.3),
                        audit.get("straightline_min_items", 5))
    if wave_column is not None:
        wave_column = _check.text("wave_column", wave_column)
    elif len(files) == 1 and files[0][0] is None:
        raise ParameterError("wave_column: one file is one wave; name the column telling its waves apart "
                             "(wave_column=...), or give several files", name="wave_column")
    codebook = read_codebook_arg(codebook)
    if wave_column is not None and wave_column in codebook.items:
        raise ParameterError(f"wave_column: '{wave_column}' is a rated item of the codebook, not a wave column",
                             name="wave_column")
    return files, codebook, wave_column, read, audit


def _check_new_wave(wave: str, surveys: dict, where: dict, source: str) -> None:
    """Refuse a wave seen before, or one whose label differs from another's only by leading zeros."""
    if wave in surveys:
        raise SurveyError(f"wave '{wave}' appears in both {where[wave]} and {source}; "
                          "expected each wave once (label the files differently)")
    alike = [w for w in surveys if _spelling(w) == _spelling(wave)]
    if alike:
        raise SurveyError(f"wave labels {alike[0]!r} ({where[alike[0]]}) and {wave!r} ({source}) "
                          "differ only by leading zeros; expected one label per wave: say which is meant "
                          "(label the files, or correct the wave column)")


@share_docs
def load_waves(sources, codebook: Codebook | str | Path, *, wave_column: str | None = None,
               **options) -> Waves:
    """Load survey waves: several exports, one export with a wave column, or both.

    Parameters
    ----------
    sources : path, list of paths, or dict of wave label: path
        The exports. Without ``wave_column`` each file is one wave, labelled by its dict key
        or its file name without the suffix, in the order given. With ``wave_column`` each
        file is split by that column, its waves ordered by value (numbers by value).
    {codebook}
    wave_column : str, optional
        The column telling waves apart. Every row needs a value.
    **options
        ``format``, ``encoding``, ``sep``, ``decimal``, ``sheet`` (how to read, the same for
        every file) and ``exclude``, ``speeder_fraction``, ``straightline_min_items`` (the
        audit's options, see :func:`valuekit.survey.audit.audit_survey`).

    Returns
    -------
    Waves

    Raises
    ------
    ParameterError
        A wrong argument (named) before anything is read.
    SurveyError
        The wave column missing from a file or blank in some rows (the message names the
        file and the first rows), the same wave label in two files, or a wave whose
        audit keeps no respondent.
    SurveyFileError, CodebookError
        As :func:`valuekit.survey.audit.load_survey`.

    Examples
    --------
    >>> import valuekit as vk
    >>> waves = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    >>> waves.labels
    ['1', '2']
    >>> waves.accounting()[["wave", "rows_in", "rows_kept", "rows_excluded"]].to_dict("records")[-1]
    {'wave': 'all', 'rows_in': 2008, 'rows_kept': 1962, 'rows_excluded': 46}
    """
    files, codebook, wave_column, read, audit = _load_args(sources, codebook, wave_column, options)
    surveys: dict[str, Survey] = {}
    where: dict[str, str] = {}
    for label, path in files:
        text_columns = [c for c in (codebook.id, wave_column) if c]
        frame, info = read_survey_file(path, text_columns=text_columns, **read)
        if wave_column is None:
            parts = [(label or path.stem, frame, None)]
        else:
            parts = _split(frame, wave_column, info.describe())
            if label is not None and len(parts) == 1:
                parts = [(label, parts[0][1], parts[0][2])]
        for wave, part, rows in parts:
            wave = _label(wave)  # a file's label as a column's: 'Été' composed or not, spaces aside
            _check_new_wave(wave, surveys, where, info.describe())
            survey = audit_survey(part, codebook, info=info, row_numbers=rows, **audit)
            if survey.audit.rows_kept == 0:
                raise SurveyError(f"{info.describe()}: wave '{wave}' keeps no respondent "
                                  f"({survey.audit.rows_in} rows, all excluded)")
            surveys[wave] = survey
            where[wave] = info.describe()
    return Waves(codebook=codebook, surveys=surveys, sources={w: where[w] for w in surveys},
                 wave_column=wave_column)


def _label(value: str) -> str:
    """A wave label as waves are told apart: without surrounding whitespace, its Unicode
    characters in one form (NFC: 'Été' typed composed or decomposed is one wave)."""
    return unicodedata.normalize("NFC", value).strip()


def _spelling(label: str) -> str:
    """A wave label without the leading zeros of a number: two labels alike in it but not
    equal ('01' and '1') may be one wave or two, which only the analyst can say."""
    text = _label(label)
    return re.sub(r"^([+-]?)0+(?=\d)", r"\1", text) if re.fullmatch(r"[+-]?\d+(\.\d+)?", text) else text


def _one_number(value: str) -> str:
    """'1.0' as '1': a whole number written as a float (a number column read as floats)."""
    return re.sub(r"\.0+$", "", value) if re.fullmatch(r"-?\d+\.0+", value) else value


def _split(frame: pd.DataFrame, column: str, source: str) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    """One file's rows split by its wave column: ``(label, rows, their input row numbers)``.

    Surrounding whitespace and the Unicode form of a value are set aside ('1 ' and '1',
    'Été' composed and decomposed are one wave); values that differ only by leading zeros
    ('01' and '1') are refused, naming both: which wave is meant is the analyst's to say."""
    if column not in frame.columns:
        raise SurveyError(f"{source}: wave column '{column}' not found; expected one of its columns "
                          f"({', '.join(map(str, list(frame.columns)[:12]))}{', ...' if frame.shape[1] > 12 else ''})")
    values = frame[column].astype("string").map(_label, na_action="ignore").astype("string")
    values = values.mask(values == "")
    blank = values.isna().to_numpy()
    if blank.any():
        first = (np.flatnonzero(blank)[:5] + 1).tolist()
        raise SurveyError(f"{source}: wave column '{column}' is blank in {int(blank.sum())} row(s) (data rows "
                          f"{', '.join(map(str, first))}{', ...' if blank.sum() > 5 else ''}); expected every row "
                          "to name its wave")
    # '1' and '1.0' (a number column read as floats) are the same wave
    labels = values.map(_one_number)
    seen: dict[str, str] = {}
    for form in pd.unique(labels):
        other = seen.setdefault(_spelling(form), form)
        if other != form:
            rows = [int(np.flatnonzero((labels == f).to_numpy())[0]) + 1 for f in (other, form)]
            raise SurveyError(f"{source}: wave column '{column}' holds {other!r} (data row {rows[0]}) and {form!r} "
                              f"(data row {rows[1]}), which differ only by leading zeros; expected one label per "
                              "wave: say which is meant (correct the column)")
    out = []
    for wave in sorted(labels.unique(), key=_natural):
        mask = (labels == wave).to_numpy()
        out.append((str(wave), frame[mask].reset_index(drop=True), np.flatnonzero(mask) + 1))
    return out


# -- comparisons ------------------------------------------------------------------------------


def _wave_arg(wave, scores: pd.DataFrame) -> pd.Series:

    if isinstance(wave, str):
        if wave not in scores.columns:
            raise ParameterError(f"wave: column '{wave}' not found in scores", name="wave")
        series = scores[wave]
    elif isinstance(wave, pd.Series):
        series = align_arg("wave", wave, scores.index)
    else:
        raise expected_error("wave", "a column name of scores or a Series of wave labels", wave)
    if series.isna().any():
        raise ParameterError(f"wave: {int(series.isna().sum())} respondent(s) have no wave", name="wave")
    return series


def _wave_order(series: pd.Series) -> list:
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.unique())
        return [c for c in series.cat.categories if c in present]
    return sorted(series.unique(), key=lambda v: _natural(str(v)))


def _prepare(scores, codebook, measures, weights, data, by):
    """The value matrix, weights and the scopes (overall and per group) of a wave table."""

    codebook = None if codebook is None else codebook_arg("codebook", codebook)
    w = weights_arg(weights, scores, data)
    measures, x, ok, is_share, centre = _measure_matrix(scores, measures, codebook, w)
    scopes = [("all", "all", np.ones(len(scores), bool))]
    if by is not None:
        name = by.name if isinstance(by, pd.Series) and by.name else (by if isinstance(by, str) else "segment")
        groups = grouping_arg("by", by, scores.index, {"scores": scores, "data": data})
        scopes += [(str(name), g, m) for g, m in group_masks(scores.index, groups, include_all=False)]
    return codebook, measures, x, ok, w, is_share, centre, scopes


def _side(x, ok, w, mask):
    """The weighted sums (W, W2, S1, S2, N) of one set of respondents, one value per measure."""

    W, W2, S1, S2 = (a[0] for a in _sums(x, ok, w, [mask]))
    N = ok[mask].sum(axis=0).astype(float)
    return W, W2, S1, S2, N


def _sides(x, ok, w, masks) -> list[tuple]:
    """:func:`_side` of each mask, from one pass over the respondents."""
    W, W2, S1, S2 = _sums(x, ok, w, masks)
    N = np.column_stack(masks).T.astype(float) @ ok.astype(float)
    return [(W[i], W2[i], S1[i], S2[i], N[i]) for i in range(len(masks))]


def _wave_rows(c: dict, scope, group, later, earlier, measures, is_share, codebook, lang) -> pd.DataFrame:
    """The rows of :func:`compare_waves` for one comparison (``c``: :func:`contrast`'s arrays)."""
    return pd.DataFrame({
        "scope": scope, "group": group, "measure": measures,
        "label": [_measure_label(m, codebook, lang) for m in measures],
        "kind": [_measure_kind(m, codebook) for m in measures],
        "statistic_type": np.where(is_share, "share", "mean"),
        "wave": later, "baseline": earlier,
        "n": c["n"][0].astype(int), "n_baseline": c["n_other"][0].astype(int),
        "n_eff": c["n_eff"][0], "n_eff_baseline": c["n_eff_other"][0],
        "value": c["value"][0], "baseline_value": c["other_value"][0],
        **{k: c[k][0] for k in ("diff", "ci_low", "ci_high", "effect")},
        "effect_size": np.where(is_share, "cohen_h", "hedges_g"),
        **{k: c[k][0] for k in ("statistic", "df", "p", "note")},
    })


def _wave_design(design, w, waves: pd.Series, index: pd.Index) -> SurveyDesign | None:
    """The design wave comparisons are linearized over: the one given (aligned), or with unequal
    weights each wave a stratum of its own (independent samples); None unweighted."""
    design = design_arg(design, index)
    if design is None and unequal_weights(w):
        design = SurveyDesign(index, strata=pd.factorize(waves.astype(str))[0], names={"strata": "wave"})
    return design


@survey_first("codebook", "data", "weights", "design")
@share_docs
def compare_waves(scores: pd.DataFrame, *, wave="wave", codebook: Codebook | None = None, by=None,
                  measures: list[str] | None = None, weights=None, design: SurveyDesign | None = None,
                  data: pd.DataFrame | None = None,
                  baseline: str = "previous", adjust: str | None = None, alpha: float | None = None,
                  confidence: float = 0.95, settings: Evidence | dict | None = None, lang: str = "en") -> pd.DataFrame:
    """Each wave against an earlier one, on every measure, overall and by segment.

    Parameters
    ----------
    {scores}
    wave : str or Series, default "wave"
        The wave of each respondent: a column of ``scores`` or a Series on its index. Waves
        are in the column's category order (as :meth:`Waves.scores` sets it), else sorted
        (numbers by value).
    {codebook}
    by : Series or str, optional
        A grouping (e.g. the segments of :meth:`Waves.segments`): changes are also tested
        within each group.
    measures : list of str, optional
        Score columns (and ``"share_destroyed"``); default every dimension, facet,
        sacrifice, the indices, the value ratio and the share destroyed.
    {weights}
    {design}
    data : DataFrame, optional
        Where a grouping or weight column is looked up.
    baseline : {"previous", "first"}
        Each wave against the wave before it, or against the first wave.
    adjust, alpha, confidence
        As :func:`~valuekit.analyse.significance.compare_groups`: the adjustment runs across the
        whole table; ``min_group_n`` applies to each wave's effective size in a scope.
    {settings}
    {lang}

    Returns
    -------
    DataFrame
        One row per scope, group, measure and later wave: ``scope`` ("all" or the
        grouping's name), ``group`` ("all" or the group), ``measure``, ``label``,
        ``kind``, ``statistic_type``, ``wave``, ``baseline`` (the wave compared with),
        ``n``, ``n_baseline``, ``n_eff``, ``n_eff_baseline`` (Kish), ``value``,
        ``baseline_value``, ``diff`` (wave minus baseline), ``ci_low``, ``ci_high``,
        ``effect``, ``effect_size``, ``statistic``, ``df``, ``p``, ``p_adj``,
        ``significant``, ``meaningful``, ``finding``, ``direction`` ("up" / "down" for a
        finding), ``grade`` and ``note``. ``.attrs`` records the settings and ``n_tests``.

    Examples
    --------
    >>> import valuekit as vk
    >>> waves = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    >>> scores = waves.scores()
    >>> table = compare_waves(waves, scores)  # the codebook, answers and weights from the waves
    >>> int(table["finding"].sum()), table.attrs["n_tests"]
    (0, 25)
    """

    scores = frame_arg("scores", scores, "a DataFrame of stacked scores (Waves.scores())")
    data = optional_frame("data", data)
    lang = lang_arg(lang)
    baseline = _check.choice("baseline", baseline, BASELINES)
    s, adjust, alpha, confidence = _table_options(settings, adjust, alpha, confidence)
    waves = _wave_arg(wave, scores)
    order = _wave_order(waves)
    if len(order) < 2:
        raise ParameterError(f"wave: tracking needs at least two waves; the scores hold {len(order)} "
                             f"({order})", name="wave")
    codebook, measures, x, ok, w, is_share, centre, scopes = _prepare(
        scores, codebook, measures, weights, data, by)
    wave_masks = {v: (waves == v).to_numpy() for v in order}
    pairs = [(order[i], order[i - 1] if baseline == "previous" else order[0]) for i in range(1, len(order))]
    design = _wave_design(design, w, waves, scores.index)

    frames = []
    combos = [(scope, group, mask & wave_masks[later], mask & wave_masks[earlier], later, earlier)
              for scope, group, mask in scopes for later, earlier in pairs]
    # every comparison's linearized variances in one pass (the weighted sums per stratum or cluster)
    lin_all = None if design is None else linearized(x, ok, w, [c[2] for c in combos], is_share, design,
                                                      others=[c[3] for c in combos])
    sides = _sides(x, ok, w, [c[2] for c in combos] + [c[3] for c in combos])
    for i, (scope, group, first, second, later, earlier) in enumerate(combos):
        a, b = sides[i], sides[len(combos) + i]
        lin = None if lin_all is None else {key: value[i:i + 1] for key, value in lin_all.items()}
        within = "" if scope == "all" else " in the group"
        c = contrast(tuple(v[None, :] for v in a), tuple(v[None, :] for v in b), is_share=is_share,
                     centre=centre, confidence=confidence, min_n=s["min_group_n"],
                     group=f"in wave {later}{within}", other=f"in wave {earlier}{within}",
                     rest=f"wave {earlier}", design=lin)
        frames.append(_wave_rows(c, scope, group, later, earlier, measures, is_share, codebook, lang))
    out = pd.concat(frames, ignore_index=True)
    n_tests = _conclude(out, adjust=adjust, alpha=alpha, settings=s, words=("up", "down"))
    columns = ["scope", "group", "measure", "label", "kind", "statistic_type", "wave", "baseline", "n",
               "n_baseline", "n_eff", "n_eff_baseline", "value", "baseline_value", "diff", "ci_low", "ci_high",
               "effect", "effect_size", "statistic", "df", "p", "p_adj", "significant", "meaningful", "finding",
               "direction", "grade", "note"]
    out = out[columns]
    out.attrs.update(adjust=adjust, alpha=alpha, min_effect=s["min_effect"], min_group_n=s["min_group_n"],
                     n_tests=n_tests, confidence=confidence, baseline=baseline, waves=list(map(str, order)),
                     variance=variance_note(design))
    return out


@survey_first("codebook", "data", "weights", "design")
def wave_trends(scores: pd.DataFrame, *, wave="wave", codebook: Codebook | None = None, by=None,
                measures: list[str] | None = None, weights=None, design: SurveyDesign | None = None,
                data: pd.DataFrame | None = None, confidence: float = 0.95, lang: str = "en") -> pd.DataFrame:
    """Each wave's value of every measure with its interval: the points and bands of a trend chart.

    Parameters are those of :func:`compare_waves`. As the group intervals of
    :func:`~valuekit.analyse.significance.compare_groups`: unweighted (or with equal weights),
    means get a t interval on the wave's Kish effective size and shares a Wilson interval;
    with unequal weights or a design (each wave a stratum when only weights are given),
    means get a t interval on the linearized variance and the design's degrees of freedom,
    shares Korn and Graubard's interval (R's ``svyby(..., svymean)`` with ``confint(df =
    degf)``, and ``svyciprop(method = "beta")``).

    Returns
    -------
    DataFrame
        One row per scope, group, measure and wave: ``scope``, ``group``, ``measure``,
        ``label``, ``kind``, ``statistic_type``, ``wave``, ``n``, ``n_eff``, ``value``,
        ``ci_low``, ``ci_high``. Waves are in order (``wave`` is an ordered categorical).

    Examples
    --------
    >>> import valuekit as vk
    >>> waves = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    >>> t = wave_trends(waves.scores(), measures=["money"], weights=waves.weights())
    >>> t[["wave", "n", "value", "ci_low", "ci_high"]].round(2).to_dict("records")[0]
    {'wave': '1', 'n': 973, 'value': 4.3, 'ci_low': 4.22, 'ci_high': 4.37}
    """

    scores = frame_arg("scores", scores, "a DataFrame of stacked scores (Waves.scores())")
    data = optional_frame("data", data)
    lang = lang_arg(lang)
    confidence = _check.fraction("confidence", confidence)
    waves = _wave_arg(wave, scores)
    order = _wave_order(waves)
    codebook, measures, x, ok, w, is_share, centre, scopes = _prepare(
        scores, codebook, measures, weights, data, by)
    design = _wave_design(design, w, waves, scores.index)
    shift = np.where(is_share, 0.0, centre)
    combos = [(scope, group, v, mask & (waves == v).to_numpy()) for scope, group, mask in scopes for v in order]
    lin = None if design is None else linearized(x, ok, w, [c[3] for c in combos], np.zeros(len(measures), bool),
                                                 design)
    frames = []
    for i, (scope, group, v, in_wave) in enumerate(combos):
        W, W2, S1, S2, N = _side(x, ok, w, in_wave)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = S1 / W
            ne = kish_n(W, W2)
            var = np.maximum(S2 - S1 * m, 0.0) / W * ne / (ne - 1)
        if lin is None:
            low, high = _own_interval(m, var / ne, ne, m, is_share, confidence, shift)
            usable = (W > 0) & (ne > 1)
        else:
            low, high = _design_interval(m, lin["var_first"][i], N, lin["df_first"][i], is_share, confidence,
                                         shift)
            usable = (W > 0) & (lin["df_first"][i] >= 1)
        frames.append(pd.DataFrame({
            "scope": scope, "group": group, "measure": measures,
            "label": [_measure_label(mm, codebook, lang) for mm in measures],
            "kind": [_measure_kind(mm, codebook) for mm in measures],
            "statistic_type": np.where(is_share, "share", "mean"), "wave": v,
            "n": N.astype(int), "n_eff": np.where(W > 0, ne, 0.0),
            "value": np.where(W > 0, m + shift, np.nan),
            "ci_low": np.where(usable, low, np.nan), "ci_high": np.where(usable, high, np.nan),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["wave"] = pd.Categorical(out["wave"].astype(str), categories=[str(v) for v in order], ordered=True)
    out.attrs.update(confidence=confidence, variance=variance_note(design))
    return out


@survey_first("codebook", "data", "weights", "design")
def drivers_by_wave(data: pd.DataFrame, outcome: str, drivers: list[str], *, wave="wave",
                    codebook: Codebook | None = None, weights=None, design: SurveyDesign | None = None,
                    n_boot: int = 200, ci: float = 0.95, random_state=None, lang: str = "en") -> pd.DataFrame:
    """The driver shares of each wave side by side (:func:`valuekit.analyse.drivers.key_drivers` per wave).

    Returns
    -------
    DataFrame
        One row per driver: ``driver``, ``label``, then for each wave ``share <wave>``,
        ``ci_low <wave>``, ``ci_high <wave>`` and ``direction <wave>`` (empty where the
        wave's model is withheld; its note is in ``.attrs["notes"]``). ``.attrs["fits"]``
        has each wave's model: ``wave``, ``n``, ``r2`` with its interval, ``note``;
        ``.attrs["table"]`` keeps the tidy :func:`~valuekit.analyse.drivers.key_drivers` table
        (``group`` = wave).
    """

    data = frame_arg("data", data, "a DataFrame with the outcome, the drivers and the wave")
    waves = _wave_arg(wave, data)
    order = [str(v) for v in _wave_order(waves)]
    w = weights_arg(weights, data)
    table = key_drivers(data, outcome, drivers, codebook=codebook, by=waves.astype(str).rename("wave"),
                        weights=w, design=_wave_design(design, w, waves, data.index), n_boot=n_boot, ci=ci,
                        random_state=random_state, lang=lang)
    table = table[table["group"] != "all"]
    first = table.drop_duplicates("driver")
    wide = pd.DataFrame({"label": first["label"] if "label" in first else first["driver"]})
    wide.index = pd.Index(first["driver"], name="driver")
    for v in order:
        t = table[table["group"].astype(str) == v].set_index("driver")
        for col in ("share", "ci_low", "ci_high", "direction"):
            wide[f"{col} {v}"] = t[col].reindex(wide.index)
    wide = wide.reset_index()
    fits = table.drop_duplicates("group")[["group", "n", "r2", "r2_ci_low", "r2_ci_high", "note"]]
    fits = fits.rename(columns={"group": "wave"}).reset_index(drop=True)
    notes = {v: n for v, n in fits[["wave", "note"]].itertuples(index=False) if n}
    wide.attrs.update(table=table, fits=fits, notes=notes, waves=order)
    return wide


def moved_measures(table: pd.DataFrame, *, scope: str | None = None) -> list[str]:
    """The measures with a finding in a :func:`compare_waves` table, strongest first (smallest
    adjusted p), each once; only those of ``scope`` (e.g. ``"segment"``) when given. Empty
    when nothing passed the evidence bar.

    >>> t = pd.DataFrame({"scope": ["all", "segment", "segment"], "measure": ["money", "time", "money"],
    ...                   "finding": [True, True, False], "p_adj": [0.01, 0.001, 0.2]})
    >>> moved_measures(t), moved_measures(t, scope="all")
    (['time', 'money'], ['money'])
    """
    table = frame_arg("table", table, "a compare_waves table")
    missing = [c for c in ("scope", "measure", "finding", "p_adj") if c not in table.columns]
    if missing:
        raise ParameterError(f"table: expected a compare_waves table; columns {missing} are missing", name="table")
    found = table[table["finding"].astype(bool)]
    if scope is not None:
        scopes = list(dict.fromkeys(table["scope"]))
        if not isinstance(scope, str) or scope not in scopes:
            raise ParameterError(f"scope: expected one of the table's scopes {scopes}, got {scope!r}", name="scope")
        found = found[found["scope"] == scope]
    return list(dict.fromkeys(found.sort_values("p_adj", kind="stable")["measure"]))


@share_docs
def tracking_summary(table: pd.DataFrame, *, names: dict | None = None) -> str:
    """What changed, in sentences a manager can read, each with its evidence; silent otherwise.

    One line per finding of :func:`compare_waves` (significant after adjustment *and*
    above the effect-size floor): the measure and the customers, both values, the
    difference with its interval, the effect size, the adjusted p, the respondents in each
    wave and the grade. Changes that miss the bar are not listed; the last line says how
    many comparisons were made and what the bar was. With no finding it says so and
    names nothing.

    Parameters
    ----------
    table : DataFrame
        :func:`compare_waves` output.
    {names}

    Returns
    -------
    str
        Markdown (``display(Markdown(...))``): one list item per finding. Text from the
        survey's files (labels, group and segment names, wave labels) is escaped, so it
        shows as written and never as markup.

    Examples
    --------
    >>> import valuekit as vk
    >>> waves = load_waves(vk.DEMO_DATA, vk.DEMO_CODEBOOK, wave_column="wave")
    >>> print(tracking_summary(compare_waves(waves, waves.scores())))
    No change between waves passes the evidence bar: 25 comparisons, p adjusted (fdr_bh) across them; a change needs adjusted p < 0.05 and |effect size| >= 0.3.
    """
    table = frame_arg("table", table, "a compare_waves table")
    needed = ["scope", "group", "label", "kind", "statistic_type", "wave", "baseline", "n", "n_baseline", "value",
              "baseline_value", "diff", "ci_low", "ci_high", "effect", "effect_size", "p_adj", "finding",
              "direction", "grade"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ParameterError(f"table: expected a compare_waves table; columns {missing} are missing", name="table")
    if names is not None and not isinstance(names, dict):
        raise expected_error("names", "None or a dict of group: display name", names)
    names = names or {}
    a = table.attrs
    bar = (f"{a.get('n_tests', int(table['p_adj'].notna().sum()))} comparisons, p adjusted ({a.get('adjust', '')}) "
           f"across them; a change needs adjusted p < {a.get('alpha', '')} and |effect size| >= "
           f"{a.get('min_effect', '')}.")  # the settings: checked names and numbers, not text from the files
    found = table[table["finding"]].sort_values(["scope", "group", "wave", "p_adj"], key=None, kind="stable")
    if found.empty:
        return "No change between waves passes the evidence bar: " + bar
    lines = []
    for r in found.itertuples():
        who = "all customers" if r.scope == "all" else (
            f"{md_text(r.scope)} {md_text(r.group)} ({md_text(names[r.group])})" if r.group in names
            else f"{md_text(r.scope)} {md_text(r.group)}")
        wave, baseline = md_text(r.wave), md_text(r.baseline)
        if r.statistic_type == "share":
            values = f"{r.baseline_value:.0%} in wave {baseline} to {r.value:.0%} in wave {wave}"
            diff = f"{100 * r.diff:+.1f} points [{100 * r.ci_low:+.1f}, {100 * r.ci_high:+.1f}]"
            effect = f"Cohen's h {r.effect:+.2f}"
        else:
            values = f"{r.baseline_value:.2f} in wave {baseline} to {r.value:.2f} in wave {wave}"
            diff = f"{r.diff:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}]"
            effect = f"Hedges' g {r.effect:+.2f}"
        verb = "rose" if r.direction == "up" else "fell"
        lines.append(f"- {md_text(r.label)} ({md_text(r.kind)}), {who}: {verb} from {values}: {diff}, {effect}, adjusted p "
                     f"{md_text(_check.p_text(r.p_adj))}, n = {r.n_baseline} (wave {baseline}) and {r.n} (wave {wave}); "
                     f"{md_text(r.grade)}.")
    return "\n".join(lines) + f"\n\n{len(found)} change(s) pass the evidence bar, nothing else: " + bar
