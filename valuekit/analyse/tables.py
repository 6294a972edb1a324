"""Banner tables: the questions down the side, the groups across the top, letters for the differences.

The everyday deliverable of survey analysis (Q, Displayr, SPSS Custom Tables, R's expss): each
*stub* (a question, a score) is a block of rows; each *banner* (a segment, a world view, a
channel, any column) a block of columns after a Total column. A cell holds the column's
weighted percentage of a category, the share in a box (top-2, bottom-2) or a NET of codes, or
a mean (with its standard deviation on the row below); every stub has its unweighted and
effective bases. Columns are lettered A, B, C, ... and a cell carries the letters of the
columns of the same banner it is significantly **higher** than: upper-case at the stricter
level (default .01), lower-case at the looser (default .05).

The tests are those of :func:`valuekit.analyse.significance.compare_groups`, computed by the
same engine (:func:`~valuekit.analyse.significance.contrast`), one column against another:

* unweighted (or equal weights), no design: **Welch's t** for means (R's ``t.test``) and the
  **score test** for shares, the pooled two-proportion z-test (R's ``prop.test(correct =
  FALSE)``);
* with unequal weights or a design (the codebook's ``strata:``/``cluster:``/``fpc:``): the
  difference's **Taylor-linearized** variance, tested by t on the design's degrees of
  freedom, for means and for the 0/1 indicator of a share (R's ``svyttest(y ~ column,
  subset(design, column %in% c(a, b)))``), each respondent their own cluster when only
  weights are given.

Within a row the p-values of all pairs of columns of a banner are adjusted together
(Benjamini-Hochberg by default, as Q's false discovery rate correction; Holm, Bonferroni or
none on request). A column whose effective base is below ``min_base`` (default the evidence
setting ``min_group_n``, 30) is not tested and is marked; a pair that cannot be tested (no
variance, too few clusters) gets no letter. ``compare="previous"`` tests each column only
against the one before it (waves).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import covers_arg, expected_error, frame_arg
from ..errors import ParameterError
from ..evidence import ADJUST_METHODS, Evidence, settings_arg
from ..measure.model import weights_arg
from ..measure.scoring import VERDICTS, ValueScorer, group_order
from ..survey.answers import kish_n
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import format_number, lang_arg
from .significance import _moments, _variances, contrast, unequal_weights

__all__ = ["banner", "Banner", "COMPARE"]

#: How a banner's columns are compared: every pair, or each with the one before it (waves).
COMPARE = ("pairs", "previous")

#: The statistics a stub can show.
_STATS = ("percent", "mean", "top", "bottom", "net")

_CELL_COLUMNS = ["stub", "stub_label", "statistic", "category", "category_label", "banner", "banner_label", "column",
                 "column_label", "letter", "value", "n", "n_eff", "tested", "higher_than", "note"]


@dataclass(frozen=True)
class Banner:
    """A banner table: the tidy cells and how they were tested.

    Attributes
    ----------
    cells : DataFrame
        One row per cell: ``stub`` (the row variable; ``name:stat`` when a variable is
        shown twice), ``stub_label``, ``statistic``
        ("percent", "mean", "sd", "top", "bottom", "net", "base", "effective base"),
        ``category`` (the code, box or NET shown; the statistic's name otherwise),
        ``category_label``, ``banner`` (the column variable; "Total" for the total) and its
        ``banner_label``,
        ``column`` (its value), ``column_label``, ``letter``, ``value`` (a share from 0 to 1,
        a mean, an SD or a base), ``n`` (respondents in the column who answered the stub),
        ``n_eff`` (their effective base, Kish's), ``tested`` (whether the cell's
        column was compared), ``higher_than`` (the letters of the columns it is
        significantly above: upper-case at the stricter level, lower-case at the looser)
        and ``note`` (why a column was not tested).
    pairs : DataFrame
        Every test: ``stub``, ``category``, ``banner``, the two columns' letters (``first``,
        ``second``), ``diff`` (first minus second), ``statistic``, ``df``, ``p``, ``p_adj``
        and ``note``.
    settings : dict
        ``total``, ``levels`` (looser, stricter), ``adjust``, ``min_base``, ``compare`` and
        ``variance`` (how the tests' variances were estimated).
    """

    cells: pd.DataFrame
    pairs: pd.DataFrame
    settings: dict

    def to_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """The table as analysts read it: rows (stub, line) with each stub's bases first,
        columns (banner, column with its letter), each cell its value with its letters
        ("45.2% Bc"; means to two decimals; bases as counts) in ``lang``'s number format.

        Parameters
        ----------
        lang : {"en", "es", "it"}, default "en"
            The numbers' conventions.
        """
        lang = lang_arg(lang)
        c = self.cells
        kind = {"percent": "percent", "top": "percent", "bottom": "percent", "net": "percent",
                "mean": "decimal", "sd": "decimal", "base": "count", "effective base": "count"}
        text = [format_number(v, kind[s], lang) + (f" {h}" if h else "") if np.isfinite(v) else "—"
                for v, s, h in zip(c["value"], c["statistic"], c["higher_than"])]
        bases = c["statistic"].isin(["base", "effective base"])
        order = pd.Series(np.where(bases, 0, 1), index=c.index)
        first = {stub: i for i, stub in enumerate(dict.fromkeys(c["stub"]))}
        frame = c.assign(text=text, head=c["column_label"] + np.where(c["letter"] != "", " (" + c["letter"] + ")", ""),
                         _stub=c["stub"].map(first), _base=order)
        frame = frame.sort_values(["_stub", "_base"], kind="stable")
        wide = frame.pivot_table(index=["_stub", "stub_label", "category_label"], columns=["banner_label", "head"],
                                 values="text", aggfunc="first", sort=False)
        rows = list(dict.fromkeys(zip(frame["_stub"], frame["stub_label"], frame["category_label"])))
        cols = list(dict.fromkeys(zip(frame["banner_label"], frame["head"])))
        wide = wide.reindex(index=pd.MultiIndex.from_tuples(rows), columns=pd.MultiIndex.from_tuples(cols))
        wide.index = wide.index.droplevel(0)
        wide.index.names, wide.columns.names = [None, None], [None, None]
        return wide


@survey_first("codebook", "data", "weights", "design")
@share_docs
def banner(data: pd.DataFrame, rows, columns, *, codebook: Codebook | None = None, weights=None,
           design: SurveyDesign | None = None, scores: pd.DataFrame | None = None, total: bool = True,
           levels: tuple[float, float] = (0.05, 0.01), adjust: str = "fdr_bh", min_base: float | None = None,
           compare: str = "pairs", settings: Evidence | dict | None = None, lang: str = "en") -> Banner:
    """A banner table of ``rows`` (stubs) by ``columns`` (banners), with significance letters.

    Parameters
    ----------
    data : DataFrame
        The survey's answers (``survey.data``; give the survey itself first and its answers,
        codebook, weights and design are used).
    rows : list
        The stubs, each a name or a dict. A name: a score (a dimension, facet, sacrifice,
        ``benefits``, ``sacrifices``, ``value_ratio``: its mean and SD), ``verdict`` (the
        shares created, neutral, destroyed), an item of the codebook (the percentage at
        each point of its scale) or a column of the answers (the percentage of each of its
        values). A dict: ``{"row": name, "stat": ...}`` with ``stat`` one of "percent",
        "mean", "top" or "bottom" (with ``k``, default 2: the share in the scale's top or
        bottom ``k`` points) or "net" (with ``codes``: the share answering any of them),
        and an optional ``label`` (of the stub; of the line for a box or NET).
    columns : list
        The banners: names of columns of the answers or the scores (a context column, a
        wave), or named Series on the respondents (segments). Respondents without a value
        are in the Total only.
    {codebook}
        Optional: item labels and scales, and the scores (computed when a stub needs them).
    {weights}
    {design}
    {scores}
        Optional here (on the answers' index): computed from the codebook when a stub
        needs them.
    total : bool, default True
        Show a Total column first (never tested).
    levels : (float, float), default (0.05, 0.01)
        The looser and stricter significance levels: lower-case and upper-case letters.
    adjust : {"fdr_bh", "holm", "bonferroni", "none"}, default "fdr_bh"
        How the p-values of a row's pairs of columns (within one banner) are adjusted.
    min_base : float, optional
        The effective base below which a column is not tested (default: the evidence
        setting ``min_group_n``).
    compare : {"pairs", "previous"}, default "pairs"
        Every pair of a banner's columns, or each column against the one before it.
    {settings}
    {lang}

    Returns
    -------
    Banner
        ``.cells`` (tidy), ``.pairs`` (every test) and ``.settings``; ``.to_frame()`` the
        table as read.
    """
    data = frame_arg("data", data, "the survey's answers (a DataFrame, survey.data)")
    codebook = None if codebook is None else codebook_arg("codebook", codebook)
    w = np.asarray(weights_arg(weights, data), float)
    design = design_arg(design, data.index)
    options = _options(settings, total=total, levels=levels, adjust=adjust, compare=compare, min_base=min_base)
    lang = lang_arg(lang)
    scores = _scores_of(scores, rows, codebook, data)
    stubs = _unique([_stub(spec, i, codebook, data, scores, lang) for i, spec in enumerate(_list_arg("rows", rows))])
    banners = [_banner_column(spec, i, data, scores, codebook, lang)
               for i, spec in enumerate(_list_arg("columns", columns))]
    if design is None and unequal_weights(w):
        design = SurveyDesign(data.index)
    cells, pairs = _tabulate(stubs, banners, w, design, options)
    options["variance"] = ("unweighted: Welch's t for means, the pooled z-test for shares" if design is None else
                           f"design-based (Taylor linearization; {design.describe}): t on the design's df")
    return Banner(cells[_CELL_COLUMNS], pairs, options)


def _options(settings, **given) -> dict:
    """The banner's checked options: total, levels, adjust, compare and min_base (default: the
    evidence setting ``min_group_n``)."""
    s = settings_arg(settings)
    adjust = given["adjust"]
    if not isinstance(adjust, str) or adjust not in ADJUST_METHODS:
        raise ParameterError(f"adjust: expected one of {list(ADJUST_METHODS)}, got {adjust!r}", name="adjust")
    min_base = given["min_base"]
    return {"total": _check.flag("total", given["total"]), "levels": _levels_arg(given["levels"]), "adjust": adjust,
            "compare": _check.choice("compare", given["compare"], COMPARE),
            "min_base": float(s["min_group_n"]) if min_base is None else _check.number("min_base", min_base, min=0)}


def _scores_of(scores, rows, codebook: Codebook | None, data: pd.DataFrame) -> pd.DataFrame | None:
    """The scores the stubs read: those given (on the answers' index), or computed when a stub needs them."""
    if scores is None and codebook is not None and _needs_scores(rows, codebook, data):
        return ValueScorer(codebook).fit_transform(data)
    if scores is None:
        return None
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    covers_arg("scores", scores, data.index)
    return scores.reindex(data.index)


def _tabulate(stubs: list[dict], banners: list[dict], w: np.ndarray, design: SurveyDesign | None,
              options: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every column's cells (the Total first) and every banner's tests, with the letters."""
    X = np.column_stack([x for stub in stubs for x in stub["values"]])
    is_share = np.array([stub["stat"] != "mean" for stub in stubs for _ in stub["values"]])
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(X) & (w > 0)[:, None]
    centre = np.where(is_share, 0.0, np.nanmean(np.where(ok, X, np.nan), axis=0))
    parts = _parts(X - centre, ok, w)
    letters = _letters(sum(len(b["levels"]) for b in banners))
    cells, pairs = [], []
    if options["total"]:
        total = tuple(p.sum(axis=0, keepdims=True) for p in parts)
        cells.append(_column_cells(stubs, total, 0, centre, ("Total", "Total"), "Total", "Total", ""))
    start = 0
    for b in banners:
        k = len(b["levels"])
        sums = _column_sums(parts, b["codes"], k)
        cols = letters[start:start + k]
        start += k
        for g, (level, letter) in enumerate(zip(b["levels"], cols)):
            cells.append(_column_cells(stubs, sums, g, centre, (b["name"], b["label"]), level, str(level), letter))
        masks = [b["codes"] == g for g in range(k)]
        pairs.append(_pair_tests(stubs, sums, (X - centre, ok, w, masks), cols, b["name"], is_share, centre, design,
                                 compare=options["compare"], min_base=options["min_base"], adjust=options["adjust"]))
    cells = pd.concat(cells, ignore_index=True)
    pairs = pd.concat(pairs, ignore_index=True)
    return _with_letters(cells, pairs, options["levels"], options["min_base"]), pairs


def _parts(x: np.ndarray, ok: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """What every column's sums are taken of, once for all columns: the weights, squared
    weights, weighted (centred) values and their squares, and the answered count, zero where
    a respondent did not answer (or weighs nothing)."""
    wv = np.where(ok, w[:, None], 0.0)
    xv = np.where(ok, x, 0.0)
    return wv, wv * wv, wv * xv, wv * xv * xv, ok.astype(float)


def _column_sums(parts: tuple, codes: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Each of a banner's ``k`` columns' sums of ``parts`` (arrays (k, measures)), from one
    sparse product per part (``codes``: each respondent's column, -1 for none)."""
    from scipy import sparse  # deferred: scipy

    valid = np.flatnonzero(codes >= 0)
    G = sparse.csr_matrix((np.ones(len(valid)), (codes[valid], valid)), shape=(k, len(codes)))
    return tuple(np.asarray(G @ p) for p in parts)


def _unique(stubs: list[dict]) -> list[dict]:
    """Stubs with distinct keys and labels: a variable shown twice (its categories and its top
    box, two NETs) is keyed ``name``, then ``name:stat``, then ``name:stat:3``..., and its
    label says which ("Easy to find things (top box)")."""
    seen: set[str] = set()
    labels: set[str] = set()
    words = {"top": "top box", "bottom": "bottom box", "net": "NET", "mean": "mean", "percent": "%"}
    for stub in stubs:
        key, k = stub["name"], 2
        if key in seen:
            key = f"{stub['name']}:{stub['stat']}"
        while key in seen:
            key, k = f"{stub['name']}:{stub['stat']}:{k + 1}", k + 1
        seen.add(key)
        stub["key"] = key
        label = stub["label"]
        if label in labels:  # the same question shown twice: its label says which
            label = f"{stub['label']} ({words[stub['stat']]})"
        while label in labels:
            label += "'"
        labels.add(label)
        stub["label"] = label
    return stubs


def _levels_arg(levels) -> tuple[float, float]:
    if isinstance(levels, (str, bytes)) or not hasattr(levels, "__len__") or len(levels) != 2:
        raise expected_error("levels", "two significance levels, the looser first (e.g. (0.05, 0.01))", levels)
    loose, strict = (_check.number("levels", v, min=0, max=1) for v in levels)
    if not 0 < strict < loose < 1:
        raise ParameterError(f"levels: expected the looser level first and both between 0 and 1, e.g. (0.05, "
                             f"0.01); got {tuple(levels)!r}", name="levels")
    return loose, strict


def _list_arg(name: str, value) -> list:
    if isinstance(value, (str, dict, pd.Series)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise expected_error(name, "a non-empty list", value)
    return list(value)


def _needs_scores(rows, cb: Codebook, data: pd.DataFrame) -> bool:
    """Whether a stub names something that is neither an item nor a column of the answers (a score)."""
    names = [r.get("row") if isinstance(r, dict) else r for r in _list_arg("rows", rows)]
    return any(isinstance(n, str) and n not in cb.items and n not in data.columns for n in names)


def _stub(spec, i: int, cb: Codebook, data: pd.DataFrame, scores: pd.DataFrame | None, lang: str) -> dict:
    """One stub: its name, label, statistic and the value columns its cells test (one per
    category, box or NET; one for a mean), each NaN where a respondent did not answer."""
    where = f"rows[{i}]"
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - {"row", "stat", "k", "codes", "label"})
        if unknown:
            raise ParameterError(f"{where}: unknown key(s) {unknown}; a row has row, stat, k, codes, label",
                                 name="rows")
        name, stat = spec.get("row"), spec.get("stat")
    else:
        name, stat = spec, None
    if not isinstance(name, str):
        raise expected_error(where, "a column name or a dict with 'row'", spec)
    values, is_item = _stub_values(name, where, cb, data, scores)
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    stat = stat or ("percent" if is_item or not numeric or name == "verdict" else "mean")
    if stat not in _STATS:
        raise ParameterError(f"{where}: stat {stat!r} is not one of {list(_STATS)}", name="rows")
    own = isinstance(spec, dict) and spec.get("label") and stat in ("percent", "mean")  # a box's label names its line
    label = str(spec["label"]) if own else _stub_label(name, cb, lang)
    answered = values.notna().to_numpy()
    if stat == "mean":
        if not numeric:
            raise ParameterError(f"{where}: '{name}' is not numeric; its mean cannot be taken", name="rows")
        return {"name": name, "label": label, "stat": stat, "categories": [("mean", "Mean")],
                "values": [values.to_numpy(dtype=float, na_value=np.nan)]}
    codes = _codes(name, values, cb, is_item)
    if stat == "percent":
        chosen = [(c, [c]) for c in codes]
        names = [(c, _code_label(name, c, cb, lang)) for c in codes]
    else:
        picked = _box(stat, spec, where, name, codes, cb)
        chosen, names = [(stat, picked)], [(stat, _box_label(stat, picked, spec))]
    cols = []
    for _, picked in chosen:
        hit = values.isin(picked).to_numpy(dtype=bool)
        cols.append(np.where(answered, hit.astype(float), np.nan))
    return {"name": name, "label": label, "stat": stat, "categories": names, "values": cols}


def _stub_label(name: str, cb: Codebook | None, lang: str) -> str:
    """A stub's label: the codebook's (an item, a dimension, a sacrifice, an index), else the name spaced."""
    if cb is not None and (name in cb.items or name in cb.dimensions + cb.sacrifices
                           or name in ("benefits", "sacrifices", "value_ratio", "verdict")):
        return cb.label(name, lang)
    return name.replace("_", " ")


def _stub_values(name: str, where: str, cb: Codebook | None, data: pd.DataFrame,
                 scores: pd.DataFrame | None) -> tuple[pd.Series, bool]:
    if cb is not None and name in cb.items and name in data.columns:
        return data[name], True
    if scores is not None and name in scores.columns:
        return scores[name], False
    if name in data.columns:
        return data[name], False
    raise ParameterError(f"{where}: '{name}' is neither a score, nor an item of the codebook, nor a column of "
                         "the answers", name="rows")


def _codes(name: str, values: pd.Series, cb: Codebook, is_item: bool) -> list:
    """A stub's categories: an item's every scale point, ``verdict``'s three, else the values seen."""
    if is_item:
        scale = cb.items[name].scale
        return [float(v) for v in np.arange(scale.min, scale.max + 1)]
    if name == "verdict":
        return list(VERDICTS)
    return list(group_order(values.dropna().to_numpy()))


def _code_label(name: str, code, cb: Codebook, lang: str) -> str:
    """A category's label: the code, with the scale end's label where the codebook has one."""
    if name == "verdict" and cb is not None:
        return cb.label(str(code), lang)
    if cb is None or name not in cb.items:
        return str(code)
    text = f"{code:g}"
    end = cb.labels.get(f"scale_{text}", {}) if isinstance(cb.labels, dict) else {}
    word = end.get(lang) or end.get("en") if isinstance(end, dict) else None
    return f"{text} ({word})" if word else text


def _box(stat: str, spec, where: str, name: str, codes: list, cb: Codebook) -> list:
    """The codes a top, bottom or NET row counts, checked against the stub's categories."""
    if stat == "net":
        picked = spec.get("codes") if isinstance(spec, dict) else None
        if not isinstance(picked, (list, tuple)) or not picked:
            raise ParameterError(f"{where}: a NET needs 'codes', a non-empty list of the codes it counts",
                                 name="rows")
        missing = [c for c in picked if c not in codes]
        if missing:
            raise ParameterError(f"{where}: NET code(s) {missing} are not categories of '{name}'; its categories: "
                                 f"{codes}", name="rows")
        return list(picked)
    k = spec.get("k", 2) if isinstance(spec, dict) else 2
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < len(codes):
        raise ParameterError(f"{where}: k must be a whole number from 1 to {len(codes) - 1}, got {k!r}", name="rows")
    return codes[-k:] if stat == "top" else codes[:k]


def _box_label(stat: str, picked: list, spec) -> str:
    if isinstance(spec, dict) and spec.get("label"):
        return str(spec["label"])
    shown = ", ".join(f"{c:g}" if isinstance(c, float) else str(c) for c in picked)
    return {"top": f"Top {len(picked)} box ({shown})", "bottom": f"Bottom {len(picked)} box ({shown})",
            "net": f"NET ({shown})"}[stat]


def _banner_column(spec, i: int, data: pd.DataFrame, scores: pd.DataFrame | None, cb: Codebook | None,
                   lang: str) -> dict:
    where = f"columns[{i}]"
    if isinstance(spec, pd.Series):
        if spec.name is None:
            raise ParameterError(f"{where}: a Series of groups needs a name (the banner's title)", name="columns")
        values = spec.reindex(data.index)
        name = str(spec.name)
    elif isinstance(spec, str):
        if spec in data.columns:
            values = data[spec]
        elif scores is not None and spec in scores.columns:
            values = scores[spec]
        else:
            raise ParameterError(f"{where}: '{spec}' is not a column of the answers or the scores", name="columns")
        name = spec
    else:
        raise expected_error(where, "a column name or a named Series of groups", spec)
    levels = list(group_order(pd.unique(values.dropna()))) if values.notna().any() else []
    if len(levels) < 2:
        raise ParameterError(f"{where}: banner '{name}' has {len(levels)} value(s); a banner needs at least two "
                             "columns to compare", name="columns")
    if len(levels) > 26 * 2:
        raise ParameterError(f"{where}: banner '{name}' has {len(levels)} values; at most 52 columns are lettered "
                             "(merge rare values first)", name="columns")
    codes = pd.Categorical(values.astype(object), categories=levels).codes.astype(np.intp)
    return {"name": name, "label": _stub_label(name, cb, lang), "codes": codes, "levels": levels}


def _letters(k: int) -> list[str]:
    if k > 52:
        raise ParameterError(f"columns: {k} banner columns in all; at most 52 can be lettered", name="columns")
    return list(string.ascii_uppercase + string.ascii_lowercase)[:k]


def _column_cells(stubs, sums: tuple, g: int, centre, banner_name: tuple, column, label, letter) -> pd.DataFrame:
    """One column's cells (row ``g`` of the column ``sums``): every stub's values, with its
    bases (and each mean's SD)."""
    W, W2, S1, S2, N = (a[g] for a in sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = S1 / W + centre
        ne = kish_n(W, W2)
        sd = np.sqrt(np.maximum(S2 - S1 * (S1 / W), 0.0) / W * ne / (ne - 1))
    rows, j = [], 0
    for stub in stubs:
        first = j
        for code, code_label in stub["categories"]:
            rows.append((stub, stub["stat"], code, code_label, m[j] if W[j] > 0 else np.nan, N[j], ne[j]))
            if stub["stat"] == "mean":
                rows.append((stub, "sd", "sd", "SD", sd[j] if W[j] > 0 else np.nan, N[j], ne[j]))
            j += 1
        rows.append((stub, "base", "base", "Base", float(N[first]), N[first], ne[first]))
        rows.append((stub, "effective base", "effective base", "Effective base", float(ne[first]), N[first],
                     ne[first]))
    return pd.DataFrame({
        "stub": [r[0]["key"] for r in rows], "stub_label": [r[0]["label"] for r in rows],
        "statistic": [r[1] for r in rows], "category": [r[2] for r in rows], "category_label": [r[3] for r in rows],
        "banner": banner_name[0], "banner_label": banner_name[1], "column": [column] * len(rows),
        "column_label": label, "letter": letter,
        "value": [float(r[4]) for r in rows], "n": [int(r[5]) for r in rows], "n_eff": [float(r[6]) for r in rows],
    })


def _pair_tests(stubs, sums: tuple, respondents: tuple, letters, banner_name, is_share, centre, design, *, compare,
                min_base, adjust) -> pd.DataFrame:
    """Every tested pair of one banner's columns on every cell (``sums``: the columns' sums;
    ``respondents``: the centred values, where answered, the weights and the columns'
    masks, for the design's variances), with p adjusted within each row."""
    k = len(sums[0])
    pairs = [(a, a + 1) for a in range(k - 1)] if compare == "previous" else \
        [(a, b) for a in range(k) for b in range(a + 1, k)]
    first, second = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    W, W2, S1, S2, N = sums
    side = [arr[first] for arr in sums]
    other = [arr[second] for arr in sums]
    lin = None
    if design is not None:
        X, ok, w, masks = respondents
        moments = _moments(np.where(ok, X, 0.0), ok, np.where(ok, w[:, None], 0.0), masks, design)
        lin = _variances({k: v[first] for k, v in moments.items()}, {k: v[second] for k, v in moments.items()},
                         design)
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = S1[first] / W[first] - S1[second] / W[second]
            lin["rs_f"] = diff ** 2 / lin["var_diff"]  # a share's test: svyttest on its indicator, as F(1, df)
        lin["rs_df"] = lin["df_diff"]
    c = contrast(tuple(side), tuple(other), is_share=is_share, centre=centre, confidence=0.95, min_n=min_base,
                 group="in this column", other="in the other column", rest="the other column", design=lin)
    if design is None:  # shares: the pooled z-test of Q and SPSS, R's prop.test(correct = FALSE)
        c["statistic"], c["p"] = _pooled_z(side, other, is_share, c)
    measures = [(stub["key"], code) for stub in stubs for code, _ in stub["categories"]]
    frame = pd.DataFrame({
        "stub": np.tile([m[0] for m in measures], len(pairs)), "category": np.tile([m[1] for m in measures],
                                                                                   len(pairs)),
        "banner": banner_name, "first": np.repeat([letters[a] for a in first], len(measures)),
        "second": np.repeat([letters[b] for b in second], len(measures)),
        "diff": c["diff"].ravel(), "statistic": c["statistic"].ravel(), "df": c["df"].ravel(), "p": c["p"].ravel(),
        "note": c["note"].ravel(),
    })
    frame["p_adj"] = _adjust_within_rows(frame, adjust)
    return frame[["stub", "category", "banner", "first", "second", "diff", "statistic", "df", "p", "p_adj", "note"]]


def _pooled_z(side, other, is_share, c: dict) -> tuple[np.ndarray, np.ndarray]:
    """The shares' statistic and p of the pooled two-proportion z-test, z = (p1 - p2) / sqrt(p
    (1 - p) (1 / n1 + 1 / n2)) with p the pooled share (without the Miettinen-Nurminen factor
    n / (n - 1) of the comparison table's score test), on each side's base; means unchanged."""
    W1, W2_1, S1, _ = side[:4]
    W2, W2_2, S2, _ = other[:4]
    with np.errstate(invalid="ignore", divide="ignore"):
        n1, n2 = kish_n(W1, W2_1), kish_n(W2, W2_2)
        p1, p2 = S1 / W1, S2 / W2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p = 2 * stats.norm.sf(np.abs(z))
    share = np.broadcast_to(is_share, z.shape)
    tested = np.isfinite(c["p"])
    return (np.where(share & tested, z, c["statistic"]), np.where(share & tested, p, c["p"]))


def _adjust_within_rows(frame: pd.DataFrame, method: str) -> np.ndarray:
    """Each row's (stub and category's) p-values adjusted across its pairs of columns."""
    out = frame["p"].to_numpy(dtype=float).copy()
    if method == "none":
        return out
    from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

    for _, idx in frame.groupby(["stub", "category"], sort=False).indices.items():
        p = out[idx]
        valid = np.isfinite(p)
        if valid.any():
            p[valid] = multipletests(p[valid], method=method)[1]
            out[idx] = p
    return out


def _with_letters(cells: pd.DataFrame, pairs: pd.DataFrame, levels: tuple[float, float],
                  min_base: float) -> pd.DataFrame:
    """Each cell's letters (the columns it is significantly above), whether it was tested,
    and why not."""
    loose, strict = levels
    higher: dict[tuple, list[str]] = {}
    tested: set[tuple] = set()
    if len(pairs):
        for r in pairs.itertuples(index=False):
            if not np.isfinite(r.p_adj):
                continue
            for me, them, sign in ((r.first, r.second, 1), (r.second, r.first, -1)):
                tested.add((r.stub, r.category, r.banner, me))
                if r.p_adj < loose and sign * r.diff > 0:
                    higher.setdefault((r.stub, r.category, r.banner, me), []).append(
                        them.upper() if r.p_adj < strict else them.lower())
    keys = list(zip(cells["stub"], cells["category"], cells["banner"], cells["letter"]))
    cells = cells.copy()
    cells["higher_than"] = ["".join(sorted(higher.get(k, []), key=str.upper)) for k in keys]
    cells["tested"] = [k in tested for k in keys]
    small = (cells["letter"] != "") & (cells["n_eff"] < min_base)
    cells["note"] = np.where(small, f"base too small to test (effective base below {min_base:g})", "")
    return cells
