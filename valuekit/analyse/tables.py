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
from ..survey.answers import kish_n, meets_base
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.design import SurveyDesign, design_arg
from ..survey.labels import format_number, lang_arg
from .crosstests import _overall_tests
from .significance import _moments_of, _variances, contrast, unequal_weights

__all__ = ["banner", "Banner", "COMPARE", "nps_groups"]

#: How a banner's columns are compared: every pair, or each with the one before it (waves).
COMPARE = ("pairs", "previous")

#: The statistics a stub can show.
_STATS = ("percent", "mean", "top", "bottom", "net", "nps")

_CELL_COLUMNS = ["stub", "stub_label", "statistic", "category", "category_label", "banner", "banner_label", "column",
                 "column_label", "letter", "value", "low", "high", "n", "n_eff", "tested", "higher_than", "note"]


#: How each statistic's value is written (:func:`~valuekit.survey.labels.format_number`).
_KIND = {"percent": "percent", "top": "percent", "bottom": "percent", "net": "percent", "mean": "decimal",
         "sd": "decimal", "nps": "decimal", "base": "count", "effective base": "count"}
_INTERVAL = {"en": "{confidence} interval", "es": "Intervalo del {confidence}", "it": "Intervallo al {confidence}"}
#: The words of the lines every stub has, by language.
_LINES = {"total": {"en": "Total", "es": "Total", "it": "Totale"}, "base": {"en": "Base", "es": "Base", "it": "Base"},
          "effective base": {"en": "Effective base", "es": "Base efectiva", "it": "Base effettiva"},
          "mean": {"en": "Mean", "es": "Media", "it": "Media"}, "sd": {"en": "SD", "es": "DE", "it": "DS"},
          "promoters": {"en": "Promoters (9-10)", "es": "Promotores (9-10)", "it": "Promotori (9-10)"},
          "passives": {"en": "Passives (7-8)", "es": "Pasivos (7-8)", "it": "Passivi (7-8)"},
          "detractors": {"en": "Detractors (0-6)", "es": "Detractores (0-6)", "it": "Detrattori (0-6)"}}


def _points(value: float, lang: str) -> str:
    return format_number(value, "decimal", lang, digits=1)


@dataclass(frozen=True)
class Banner:
    """A banner table: the tidy cells and how they were tested.

    Attributes
    ----------
    cells : DataFrame
        One row per cell: ``stub`` (the row variable; ``name:stat`` when a variable is
        shown twice), ``stub_label``, ``statistic``
        ("percent", "mean", "sd", "top", "bottom", "net", "nps", "base", "effective base"),
        ``category`` (the code, box or NET shown; the statistic's name otherwise),
        ``category_label``, ``banner`` (the column variable; "Total" for the total) and its
        ``banner_label``,
        ``column`` (its value), ``column_label``, ``letter``, ``value`` (a share from 0 to 1,
        a mean, an SD, a base, or an NPS in points from -100 to 100), ``low`` and ``high``
        (the NPS's interval; NaN on other lines), ``n`` (respondents in the column who answered the stub),
        ``n_eff`` (their effective base, Kish's), ``tested`` (whether the cell's
        column was compared), ``higher_than`` (the letters of the columns it is
        significantly above: upper-case at the stricter level, lower-case at the looser)
        and ``note`` (why a column was not tested).
    pairs : DataFrame
        Every test: ``stub``, ``category``, ``banner``, the two columns' letters (``first``,
        ``second``), ``diff`` (first minus second), ``statistic``, ``df``, ``p``, ``p_adj``
        and ``note``.
    overall : DataFrame
        Each row's overall test of each banner (do its columns differ at all?, see
        :mod:`valuekit.analyse.crosstests`): ``stub``, ``banner``, ``test``, ``statistic``,
        ``df1``, ``df2``, ``p``, ``p_adj`` (adjusted across the banner's rows as the pairs
        are), ``columns`` (how many took part) and ``note``.
    settings : dict
        ``total``, ``levels`` (looser, stricter), ``adjust``, ``min_base``, ``compare``,
        ``confidence``, ``lang`` (of the labels) and ``variance`` (how the tests' variances
        were estimated).
    """

    cells: pd.DataFrame
    pairs: pd.DataFrame
    settings: dict
    overall: pd.DataFrame | None = None

    def select(self, banners=None, rows=None) -> Banner:
        """The table restricted to some banners (and the Total) and rows, in the order given.

        The cells and tests are those already computed: each row's pairs were adjusted within
        their banner, so a selection never changes a letter.

        Parameters
        ----------
        banners, rows : list of str, optional
            Banner and stub names (the cells' ``banner`` and ``stub``); default all.
        """
        c = self.cells
        known = {"banners": [b for b in dict.fromkeys(c["banner"]) if b != "Total"],
                 "rows": list(dict.fromkeys(c["stub"]))}
        chosen = {}
        for name, given in (("banners", banners), ("rows", rows)):
            given = known[name] if given is None else [given] if isinstance(given, str) else list(given)
            unknown = [g for g in given if g not in known[name]]
            if unknown:
                raise ParameterError(f"{name}: {unknown} not in this table; it has {known[name]}", name=name)
            chosen[name] = given
        keep = c["banner"].isin(["Total", *chosen["banners"]]) & c["stub"].isin(chosen["rows"])
        order = {s: i for i, s in enumerate(chosen["rows"])}
        cells = c[keep].assign(_o=lambda d: d["stub"].map(order)).sort_values("_o", kind="stable").drop(columns="_o")
        p = self.pairs
        pairs = p[p["banner"].isin(chosen["banners"]) & p["stub"].isin(chosen["rows"])]
        overall = None if self.overall is None else self.overall[
            self.overall["banner"].isin(chosen["banners"]) & self.overall["stub"].isin(chosen["rows"])]
        return Banner(cells.reset_index(drop=True), pairs.reset_index(drop=True), self.settings,
                      None if overall is None else overall.reset_index(drop=True))

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
        nps = c[c["statistic"] == "nps"]
        if len(nps):  # each NPS's interval on the line below it
            confidence = format_number(self.settings["confidence"], "percent", lang, digits=0)
            nps = nps.assign(statistic="interval", category="interval", higher_than="",
                             category_label=_INTERVAL[lang].format(confidence=confidence),
                             value=[_points(lo, lang) + " – " + _points(hi, lang)
                                    for lo, hi in zip(nps["low"], nps["high"])])
            c = pd.concat([c, nps]).sort_index(kind="stable")
        text = [v if isinstance(v, str) else format_number(v, _KIND[s], lang, digits=1 if s == "nps" else None)
                + (f" {h}" if h else "") if isinstance(v, str) or np.isfinite(v) else "—"
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
           compare: str = "pairs", confidence: float = 0.95, settings: Evidence | dict | None = None,
           lang: str = "en") -> Banner:
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
        bottom ``k`` points), "net" (with ``codes``: the share answering any of them) or
        "nps" (a 0-10 question: the NPS, promoters' percentage (9-10) less detractors'
        (0-6), in points with its interval, then the three groups' percentages); and an
        optional ``label`` (of the stub; of the line for a box or NET).
    columns : list
        The banners: names of columns of the answers or the scores (a context column, a
        wave), or named Series on the respondents (segments); or a pair of them, a nested
        banner (``["channel", "wave"]``: a column per pair of values, each compared only
        with the columns of the same outer value). Respondents without a value are in the
        Total only.
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
    confidence : float, default 0.95
        The NPS intervals' level.
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
    options = _options(settings, total=total, levels=levels, adjust=adjust, compare=compare, min_base=min_base,
                       confidence=confidence)
    lang = options["lang"] = lang_arg(lang)
    scores = _scores_of(scores, rows, codebook, data)
    stubs = _unique([_stub(spec, i, codebook, data, scores, lang) for i, spec in enumerate(_list_arg("rows", rows))])
    banners = [_banner_column(spec, i, data, scores, codebook, lang)
               for i, spec in enumerate(_list_arg("columns", columns))]
    if design is None and unequal_weights(w):
        design = SurveyDesign(data.index)
    cells, pairs, overall = _tabulate(stubs, banners, w, design, options)
    del options["centre"]
    options["variance"] = ("unweighted: Welch's t for means, the pooled z-test for shares" if design is None else
                           f"design-based (Taylor linearization; {design.describe}): t on the design's df")
    return Banner(cells[_CELL_COLUMNS], pairs, options, overall)


@survey_first("codebook", "data")
@share_docs
def nps_groups(data: pd.DataFrame, item: str | None = None, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Each respondent's NPS group as two 0/1 outcomes: ``promoter`` (9-10 on the 0-10
    recommend question) and ``detractor`` (0-6), NaN where not answered.

    For a key driver analysis of promoting or detracting (e.g. ``key_drivers(survey,
    scores.join(nps_groups(survey)), "promoter", drivers)``): the NPS is promoters' share
    less detractors', so what raises the one or lowers the other raises it.

    Parameters
    ----------
    data : DataFrame
        The survey's answers (``survey.data``; give the survey itself first and its answers
        and codebook are used).
    item : str, optional
        The 0-10 question (a column of ``data``); default the codebook's ``recommend``
        outcome when it is asked on 0-10.
    {codebook}
        Optional: names the recommend outcome and its scale.

    Returns
    -------
    DataFrame
        ``promoter`` and ``detractor`` on ``data``'s index.
    """
    data = frame_arg("data", data, "the survey's answers (a DataFrame, survey.data)")
    codebook = None if codebook is None else codebook_arg("codebook", codebook)
    if item is None:
        item = codebook.outcomes.get("recommend") if codebook is not None else None
        if item is None:
            raise ParameterError("item: no 0-10 recommend question named; give item= (a column of the answers) or a "
                                 "codebook with a recommend outcome", name="item")
    item = _check.text("item", item)
    if item not in data.columns:
        raise ParameterError(f"item: '{item}' is not a column of the answers", name="item")
    stub = _nps_stub(item, "item", data[item], codebook, codebook is not None and item in codebook.items, "en")
    group = pd.Series(stub["codes"], index=data.index)
    answered = group >= 0
    return pd.DataFrame({"promoter": (group == 2).astype(float).where(answered),
                         "detractor": (group == 0).astype(float).where(answered)})


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
            "min_base": float(s["min_group_n"]) if min_base is None else _check.number("min_base", min_base, min=0),
            "confidence": _check.fraction("confidence", given["confidence"])}


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
              options: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every column's cells (the Total first), every banner's tests of pairs of columns, with
    the letters, and each row's overall test of each banner."""
    n = len(w)
    unit, n_units, clustered = (np.zeros(n, np.intp), 1, False) if design is None else design.variance_units()
    is_share = np.array([line["share"] for stub in stubs for line in stub["lines"]])
    centre = options["centre"] = np.concatenate([_centres(stub) for stub in stubs])
    squares = design is not None and not clustered
    if options["total"]:
        word = _LINES["total"][options["lang"]]
        banners = [{"name": "Total", "label": word, "codes": np.zeros(n, np.intp), "levels": ["Total"],
                    "labels": [word], "total": True}] + banners
    _letter_banners(banners)
    sums, own, pairs, overall = [], [], [], []
    for b, parts in zip(banners, _all_sums(stubs, banners, (unit, n_units), w, centre, squares)):
        sums.append({key: v.sum(axis=1) for key, v in parts.items()})
        moments = None if design is None else _moments_of(
            parts["w"], parts["wx"], parts["n"], (parts["w2xx"], parts["w2x"], parts["w2"]) if squares else None)
        own.append(None if moments is None else _variances(moments, moments, design))
        if not b.get("total"):
            pairs.append(_pair_tests(stubs, sums[-1], moments, b, is_share, centre, design, options))
            overall.append(_overall_tests(stubs, b, parts, moments, design, options["min_base"]))
    col = {key: np.concatenate([s[key] for s in sums]) for key in sums[0]}
    var = None if design is None else {key: np.concatenate([o[key] for o in own]) for key in ("var_first",
                                                                                              "df_first")}
    pairs = pd.concat(pairs, ignore_index=True)
    cells = _with_letters(_cells(stubs, banners, col, var, options), pairs, banners, options)
    overall = pd.concat(overall, ignore_index=True)
    overall.insert(7, "p_adj", np.concatenate([_adjust_within_lines(o[["p"]].to_numpy(), options["adjust"])[:, 0]
                                               for _, o in overall.groupby("banner", sort=False)]))
    return cells, pairs.drop(columns=["_line", "_first", "_second"]), overall


def _letter_banners(banners: list[dict]) -> None:
    """Each banner's first column's position among all (``start``) and its columns' letters
    (A, B, ... across the table; none for the Total)."""
    letters = _letters(sum(len(b["levels"]) for b in banners if not b.get("total")))
    offset = used = 0
    for b in banners:
        k = len(b["levels"])
        b["start"], offset = offset, offset + k
        if b.get("total"):
            b["letters"] = [""]
        else:
            b["letters"], used = letters[used:used + k], used + k


def _centres(stub: dict) -> np.ndarray:
    """What each of a stub's lines is centred on before its sums are taken (a mean's
    respondents' plain average, for precision; 0 for a share)."""
    if stub["codes"] is None:
        x = stub["values"]
        return np.array([np.nanmean(x) if np.isfinite(x).any() else 0.0])
    counts = np.bincount(stub["codes"][stub["codes"] >= 0], minlength=stub["V"].shape[0]).astype(float)
    mean = counts @ stub["V"] / counts.sum() if counts.sum() else np.zeros(stub["V"].shape[1])
    return np.where([line["share"] for line in stub["lines"]], 0.0, mean)


#: The most cells (joint columns x variance units x categories) one weighted count may fill
#: when banners are counted together; beyond it they are counted one by one.
_JOINT_CELLS = 1 << 20


def _all_sums(stubs: list[dict], banners: list[dict], units: tuple, w: np.ndarray, centre: np.ndarray,
              squares: bool) -> list[dict[str, np.ndarray]]:
    """Every banner's sums per column and variance unit (stratum or cluster; one without a
    design) of every line: arrays (k, units, lines) of the weights ``w``, squared weights
    ``w2``, weighted centred values ``wx`` and their squares ``wxx``, respondents ``n``;
    and with ``squares`` (a design without clusters) ``w2x`` and ``w2xx``.

    Banners are counted together while their joint columns stay few: each respondent's
    joint column (one mixed-radix code over the banners, "no value" a level of each), and
    per stub one weighted count per joint column, unit and category; a banner's sums are
    then its columns' totals over the joint columns. A line's sums are those counts times its
    value per category (1 or 0 for a share, -100, 0 or 100 for the NPS)."""
    unit, n_units = units
    size = max(stub["V"].shape[0] + 1 if stub["codes"] is not None else 1 for stub in stubs)
    out, group, joint = [None] * len(banners), [], 1
    for i, b in enumerate(banners + [None]):
        radix = 0 if b is None else len(b["levels"]) + 1
        if group and (b is None or joint * radix * n_units * size > _JOINT_CELLS):
            codes = np.zeros(len(w), np.intp)
            strides = []
            for j in group:
                strides.append(int(np.prod([len(banners[g]["levels"]) + 1 for g in group if g < j])))
                codes += (banners[j]["codes"] + 1) * strides[-1]
            sums = _joint_sums(stubs, codes * n_units + unit, joint * n_units, w, centre, squares)
            cell = np.arange(joint)
            for j, stride in zip(group, strides):
                level = cell // stride % (len(banners[j]["levels"]) + 1) - 1
                M = (level[None, :] == np.arange(len(banners[j]["levels"]))[:, None]).astype(float)
                out[j] = {key: (M @ v.reshape(joint, -1)).reshape(len(M), n_units, -1) for key, v in sums.items()}
            group, joint = [], 1
        if b is not None:
            group.append(i)
            joint *= radix
    return out


def _joint_sums(stubs: list[dict], key: np.ndarray, cells: int, w: np.ndarray, centre: np.ndarray,
                squares: bool) -> dict[str, np.ndarray]:
    """The sums of :func:`_all_sums` over ``cells`` joint columns x units (``key``: each
    respondent's), arrays (joint columns x units, lines); and the categorical stubs' own
    crosstab, each category's sums of the weights (``cw``), squared weights (``cw2``) and
    respondents (``cn``), arrays (joint columns x units, categories of every categorical
    stub in turn)."""
    positive = (w > 0).astype(float)
    w2 = w * w
    out: dict[str, list] = {name: [] for name in ("w", "w2", "wx", "wxx", "n") + (("w2x", "w2xx") if squares else ())}
    table: dict[str, list] = {"cw": [np.zeros((cells, 0))], "cw2": [np.zeros((cells, 0))], "cn": [np.zeros((cells, 0))]}
    j = 0
    for stub in stubs:
        m = len(stub["lines"])
        c = centre[j:j + m]
        j += m
        if stub["codes"] is None:
            with np.errstate(invalid="ignore"):
                ok = np.isfinite(stub["values"])
            x = np.where(ok, stub["values"] - c[0], 0.0)
            wk = np.where(ok, w, 0.0)

            def count(weights):
                return np.bincount(key, weights, minlength=cells)[:, None]

            got = {"w": count(wk), "w2": count(wk * wk), "wx": count(wk * x), "wxx": count(wk * x * x),
                   "n": count(ok * positive)}
            if squares:
                got.update(w2x=count(wk * wk * x), w2xx=count(wk * wk * x * x))
        else:
            V = stub["V"] - c  # (categories, lines)
            size = V.shape[0] + 1  # and "not answered", first
            kk = key * size + stub["codes"] + 1
            cw, cw2, cn = (np.bincount(kk, weights, minlength=cells * size).reshape(cells, size)[:, 1:]
                           for weights in (w, w2, positive))
            ones = np.ones((size - 1, m))
            got = {"w": cw @ ones, "w2": cw2 @ ones, "wx": cw @ V, "wxx": cw @ (V * V), "n": cn @ ones}
            if squares:
                got.update(w2x=cw2 @ V, w2xx=cw2 @ (V * V))
            for name, value in zip(("cw", "cw2", "cn"), (cw, cw2, cn)):  # the crosstab: the overall test's
                table[name].append(value)
        for name, value in got.items():
            out[name].append(value)
    return {name: np.concatenate(v, axis=1) for name, v in (out | table).items()}


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
    """One stub: its name, label, statistic and lines (one per category, box or NET; one for
    a mean; the NPS and its three groups), with what their sums are taken of: a mean's
    values (NaN where a respondent did not answer), or each respondent's category (-1 where
    not answered; the last code for an answer in none of them) and each line's value per
    category (``V``)."""
    where = f"rows[{i}]"
    name, stat = _stub_spec(spec, where)
    values, is_item = _stub_values(name, where, cb, data, scores)
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    stat = stat or ("percent" if is_item or not numeric or name == "verdict" else "mean")
    if stat not in _STATS:
        raise ParameterError(f"{where}: stat {stat!r} is not one of {list(_STATS)}", name="rows")
    own = isinstance(spec, dict) and spec.get("label") and stat in ("percent", "mean", "nps")
    label = str(spec["label"]) if own else _stub_label(name, cb, lang)
    stub = {"name": name, "label": label, "stat": stat, "codes": None, "V": None, "values": None}
    if stat in ("mean", "nps") and not numeric:
        raise ParameterError(f"{where}: '{name}' is not numeric; its {stat} cannot be taken", name="rows")
    if stat == "mean":
        return {**stub, "values": values.to_numpy(dtype=float, na_value=np.nan),
                "lines": [{"stat": "mean", "category": "mean", "label": _LINES["mean"][lang], "share": False}]}
    if stat == "nps":
        return {**stub, **_nps_stub(name, where, values, cb, is_item, lang)}
    return {**stub, **_categorical_stub(spec, (where, name, stat), values, (is_item, numeric), cb, lang)}


def _stub_spec(spec, where: str) -> tuple[str, str | None]:
    """A row's name and statistic (None: the default for what it names), its keys checked."""
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
    return name, stat


def _categorical_stub(spec, row: tuple[str, str, str], values: pd.Series, kind: tuple[bool, bool],
                      cb: Codebook | None, lang: str) -> dict:
    """The lines of a percentage, box or NET stub (``row``: where it is in the call, its name
    and statistic), each respondent's category and each line's value per category (1 for the
    categories it counts)."""
    (where, name, stat), (is_item, numeric) = row, kind
    if is_item or name == "verdict":
        codes = _codes(name, cb, is_item)
        position = _positions(values, codes, numeric)
    else:  # a column's categories: the values seen
        position, codes = _factor(values)
    if stat == "percent":
        picked = [[c] for c in codes]
        lines = [{"stat": stat, "category": c, "label": _code_label(name, c, cb, lang), "share": True} for c in codes]
        nets = cb.items[name].nets if is_item else {}
        for net, chosen in nets.items():  # the codebook's NETs of the item, below its categories
            picked.append(list(chosen))
            lines.append({"stat": "net", "category": f"net:{net}", "label": f"{net} (NET)", "share": True})
    else:
        picked = [_box(stat, spec, where, name, codes, cb)]
        lines = [{"stat": stat, "category": stat, "label": _box_label(stat, picked[0], spec), "share": True}]
    V = np.zeros((len(codes) + 1, len(lines)))
    for j, chosen in enumerate(picked):
        V[[codes.index(c) for c in chosen], j] = 1.0
    return {"codes": position.astype(np.intp), "V": V, "lines": lines}


def _positions(values: pd.Series, codes: list, numeric: bool) -> np.ndarray:
    """Each respondent's category: its position in ``codes``, ``len(codes)`` for an answer
    that is none of them, -1 for no answer."""
    answered = values.notna().to_numpy()
    if numeric and all(isinstance(c, (int, float, np.number)) for c in codes):  # sorted numbers
        x = values.to_numpy(dtype=float, na_value=np.nan)
        points = np.asarray(codes, float)
        if len(points) and np.all(points == np.round(points)) and points[-1] - points[0] < 10_000:
            lookup = np.full(int(points[-1] - points[0]) + 1, len(codes))  # whole-number codes: a table
            lookup[(points - points[0]).astype(np.intp)] = np.arange(len(codes))
            with np.errstate(invalid="ignore"):
                at = x - points[0]
                whole = (at >= 0) & (at < len(lookup)) & (at == np.floor(at))
            position = np.where(whole, lookup[np.where(whole, at, 0).astype(np.intp)], len(codes))
        else:
            at = np.minimum(np.searchsorted(points, x), len(points) - 1)
            position = np.where(points[at] == x, at, len(codes))
    else:
        position = pd.Index(codes).get_indexer(values)
        position = np.where(position >= 0, position, len(codes))
    return np.where(answered, position, -1)


def _nps_stub(name: str, where: str, values: pd.Series, cb: Codebook | None, is_item: bool, lang: str) -> dict:
    """An NPS stub's lines and categories: detractors (0-6), passives (7-8), promoters (9-10)
    of a 0-10 question; the NPS (promoters' percentage less detractors', in points) first."""
    x = values.to_numpy(dtype=float, na_value=np.nan)
    if is_item and (cb.items[name].scale.min, cb.items[name].scale.max) != (0, 10):
        scale = cb.items[name].scale
        raise ParameterError(f"{where}: an NPS needs a 0-10 question; '{name}' is on a {scale.min:g}-{scale.max:g} "
                             "scale", name="rows")
    with np.errstate(invalid="ignore"):
        outside = np.isfinite(x) & ((x < 0) | (x > 10))
    if outside.any():
        raise ParameterError(f"{where}: an NPS needs a 0-10 question; '{name}' has {int(outside.sum())} answer(s) "
                             f"outside 0-10 (first: {x[outside][0]:g}, respondent {values.index[outside][0]!r})",
                             name="rows")
    codes = np.where(np.isfinite(x), np.select([x >= 9, x >= 7], [2, 1], 0), -1).astype(np.intp)
    lines = [{"stat": "nps", "category": "nps", "label": "NPS", "share": False}] + [
        {"stat": "percent", "category": group, "label": text, "share": True}
        for group, text in (("promoters", _LINES["promoters"][lang]), ("passives", _LINES["passives"][lang]),
                            ("detractors", _LINES["detractors"][lang]))]
    V = np.array([[-100.0, 0, 0, 1], [0, 0, 1, 0], [100, 1, 0, 0]])
    return {"codes": codes, "V": V, "lines": lines}


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


def _codes(name: str, cb: Codebook, is_item: bool) -> list:
    """The categories of an item (its every scale point) or of ``verdict`` (its three)."""
    if is_item:
        scale = cb.items[name].scale
        return [float(v) for v in np.arange(scale.min, scale.max + 1)]
    return list(VERDICTS)


def _factor(values: pd.Series) -> tuple[np.ndarray, list]:
    """Each respondent's position among the values seen (-1 for none), and those values in
    their natural order (:func:`~valuekit.measure.model.group_order`)."""
    whole = _whole_numbers(values)
    if whole is not None:
        return whole
    try:  # sorted as it factorizes: usually already the natural order
        found, seen = pd.factorize(values, use_na_sentinel=True, sort=True)
    except TypeError:  # values of several kinds that do not sort together
        found, seen = pd.factorize(values, use_na_sentinel=True)
    seen = list(seen)
    levels = list(group_order(seen))
    if levels == seen:
        return np.asarray(found, np.intp), levels
    rank = np.array([levels.index(v) for v in seen], dtype=np.intp)
    return np.where(found >= 0, rank[np.maximum(found, 0)] if len(rank) else -1, -1).astype(np.intp), levels


def _code_label(name: str, code, cb: Codebook, lang: str) -> str:
    """A category's label: the item's value label (``values:``) alone when the codebook labels
    every point of its scale, else the code with its value label or the scale end's label
    (``scale_7``) where there is one."""
    if name == "verdict" and cb is not None:
        return cb.label(str(code), lang)
    if cb is None or name not in cb.items:
        return str(code)
    text = f"{code:g}"
    word = cb.value_label(name, code, lang)
    if word is not None and set(_codes(name, cb, True)) <= set(cb.items[name].values):
        return word
    if word is None:
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


def _whole_numbers(values: pd.Series) -> tuple[np.ndarray, list] | None:
    """:func:`_factor` of numbers that are all whole and span fewer than 10,000 (codes of a
    scale, a wave, a region), by a look-up table rather than hashing; None otherwise."""
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return None
    x = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(x).all():
        return np.full(len(x), -1, np.intp), []
    low, high = np.nanmin(x), np.nanmax(x)
    if not (np.isfinite(low) and np.isfinite(high)) or high - low >= 10_000:
        return None
    shifted = x - (low - 1)  # 1 upward; 0 for no answer
    shifted[np.isnan(shifted)] = 0
    at = shifted.astype(np.intp)
    if not np.array_equal(at, shifted):  # not whole numbers
        return None
    present = np.bincount(at, minlength=int(high - low) + 2) > 0
    present[0] = False
    position = np.cumsum(present) - 1
    position[0] = -1
    return position[at], [float(low - 1 + v) for v in np.flatnonzero(present)]


def _banner_column(spec, i: int, data: pd.DataFrame, scores: pd.DataFrame | None, cb: Codebook | None,
                   lang: str) -> dict:
    where = f"columns[{i}]"
    if isinstance(spec, (list, tuple)):
        return _nested(spec, i, data, scores, cb, lang)
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
    codes, levels = _factor(values)
    if name == "verdict" and set(levels) <= set(VERDICTS):  # destroyed, neutral, created: the verdict's order
        ordered = [v for v in VERDICTS if v in levels]
        codes = np.where(codes >= 0, np.array([ordered.index(v) for v in levels])[np.maximum(codes, 0)], -1)
        levels = ordered
    if len(levels) < 2:
        raise ParameterError(f"{where}: banner '{name}' has {len(levels)} value(s); a banner needs at least two "
                             "columns to compare", name="columns")
    if len(levels) > 26 * 2:
        raise ParameterError(f"{where}: banner '{name}' has {len(levels)} values; at most 52 columns are lettered "
                             "(merge rare values first)", name="columns")
    return {"name": name, "label": _stub_label(name, cb, lang), "codes": codes, "levels": levels,
            "labels": [_level_label(name, v, cb, lang) for v in levels]}


def _nested(spec, i: int, data: pd.DataFrame, scores: pd.DataFrame | None, cb: Codebook | None, lang: str) -> dict:
    """A nested banner (``["channel", "wave"]``): a column per pair of values that occurs,
    labelled "online · March 2025", each compared only with the columns of its outer value."""
    if len(spec) != 2 or any(isinstance(s, (list, tuple)) for s in spec):
        raise ParameterError(f"columns[{i}]: a nested banner is two columns (the outer, then the inner), e.g. "
                             f"['channel', 'wave']; got {len(spec)} item(s)", name="columns")
    outer, inner = (_banner_column(s, i, data, scores, cb, lang) for s in spec)
    k = len(inner["levels"])
    both = (outer["codes"] >= 0) & (inner["codes"] >= 0)
    pair = np.where(both, outer["codes"] * k + inner["codes"], -1)
    seen = np.unique(pair[pair >= 0])
    rank = np.full(len(outer["levels"]) * k, -1)
    rank[seen] = np.arange(len(seen))
    if len(seen) > 52:
        raise ParameterError(f"columns[{i}]: banner '{outer['name']} × {inner['name']}' has {len(seen)} pairs of "
                             "values; at most 52 columns are lettered (merge rare values first)", name="columns")
    return {"name": f"{outer['name']} × {inner['name']}", "label": f"{outer['label']} × {inner['label']}",
            "codes": np.where(pair >= 0, rank[np.maximum(pair, 0)], -1).astype(np.intp),
            "levels": [f"{outer['levels'][c // k]} · {inner['levels'][c % k]}" for c in seen],
            "labels": [f"{outer['labels'][c // k]} · {inner['labels'][c % k]}" for c in seen],
            "outer": seen // k}


def _level_label(name: str, value, cb: Codebook | None, lang: str) -> str:
    """A banner column's label: the verdict's words, an item's value label (``values:``), the
    codebook's label of ``name_value`` (``wave_1: {en: March 2025}``), else the value as written."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if cb is not None and name in cb.items and isinstance(value, (int, float, np.number)):
        word = cb.value_label(name, value, lang)
        if word is not None:
            return word
    if cb is not None and (name == "verdict" or f"{name}_{text}" in cb.labels):
        return cb.label(text if name == "verdict" else f"{name}_{text}", lang)
    return text


def _letters(k: int) -> list[str]:
    if k > 52:
        raise ParameterError(f"columns: {k} banner columns in all; at most 52 can be lettered", name="columns")
    return list(string.ascii_uppercase + string.ascii_lowercase)[:k]


def _cells(stubs: list[dict], banners: list[dict], col: dict, var: dict | None, options: dict) -> pd.DataFrame:
    """Every column's cells, from the columns' sums (arrays (columns, lines)): each line's
    value (a mean's SD on the row below), then the stub's base and effective base; an NPS
    with its interval (``low``, ``high``)."""
    W, W2, S1, S2, N = col["w"], col["w2"], col["wx"], col["wxx"], col["n"]
    lang = options["lang"]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(W > 0, S1 / W + options["centre"], np.nan)
        ne = np.where(W > 0, kish_n(W, W2), 0.0)  # nobody (or no weight): an effective base of 0
        sd = np.where(W > 0, np.sqrt(np.maximum(S2 - S1 * (S1 / W), 0.0) / W * ne / (ne - 1)), np.nan)
    low, high = _nps_intervals(stubs, value, col, var, options)
    template, j = [], 0  # (stub, statistic, category, category label, line, what)
    for stub in stubs:
        first = j
        for line in stub["lines"]:
            template.append((stub, line["stat"], line["category"], line["label"], j, "value"))
            if line["stat"] == "mean":
                template.append((stub, "sd", "sd", _LINES["sd"][lang], j, "sd"))
            j += 1
        template.append((stub, "base", "base", _LINES["base"][lang], first, "base"))
        template.append((stub, "effective base", "effective base", _LINES["effective base"][lang], first,
                         "effective base"))
    at = np.array([t[4] for t in template])
    what = np.array([t[5] for t in template])
    source = {"value": value, "sd": sd, "base": N, "effective base": ne}
    shown = np.zeros((len(W), len(template)))
    for kind, arr in source.items():
        shown[:, what == kind] = arr[:, at[what == kind]]
    interval = what == "value"
    columns = [(b, level, label, letter) for b in banners
               for level, label, letter in zip(b["levels"], b["labels"], b["letters"])]
    r, k = len(template), len(columns)
    return pd.DataFrame({
        "stub": np.tile([t[0]["key"] for t in template], k), "stub_label": np.tile([t[0]["label"] for t in template],
                                                                                   k),
        "statistic": np.tile([t[1] for t in template], k), "category": np.tile(np.array([t[2] for t in template],
                                                                                        dtype=object), k),
        "category_label": np.tile([t[3] for t in template], k),
        "banner": np.repeat([c[0]["name"] for c in columns], r),
        "banner_label": np.repeat([c[0]["label"] for c in columns], r),
        "column": np.repeat(np.array([c[1] for c in columns], dtype=object), r),
        "column_label": np.repeat([c[2] for c in columns], r), "letter": np.repeat([c[3] for c in columns], r),
        "value": shown.ravel(), "low": np.where(interval, low[:, at], np.nan).ravel(),
        "high": np.where(interval, high[:, at], np.nan).ravel(),
        "n": N[:, at].ravel().astype(int), "n_eff": ne[:, at].ravel(), "_line": np.tile(at, k),
        "_column": np.repeat(np.arange(k), r), "_value": np.tile(interval, k),
    })


def _nps_intervals(stubs: list[dict], value: np.ndarray, col: dict, var: dict | None,
                   options: dict) -> tuple[np.ndarray, np.ndarray]:
    """The intervals of the NPS lines (NaN elsewhere), arrays (columns, lines): without a
    design the adjusted Wald interval (Rocks 2016, as Sauro and Lewis apply it: 3/4 of a
    respondent added to the promoters and to the detractors, 3 to the base, the variance of
    the difference of two shares of one sample); with unequal weights or a design, the NPS
    ± t on the design's df times its linearized standard error (the trinomial mean's)."""
    low, high = np.full(value.shape, np.nan), np.full(value.shape, np.nan)
    alpha = 1 - options["confidence"]
    at = [j for j, line in enumerate(line for stub in stubs for line in stub["lines"]) if line["stat"] == "nps"]
    for j in at:  # the NPS line, then promoters, passives, detractors
        with np.errstate(invalid="ignore", divide="ignore"):
            if var is None:
                n = kish_n(col["w"][:, j], col["w2"][:, j]) + 3
                promoters = (value[:, j + 1] * (n - 3) + 0.75) / n
                detractors = (value[:, j + 3] * (n - 3) + 0.75) / n
                centre = promoters - detractors
                half = stats.norm.ppf(1 - alpha / 2) * np.sqrt((promoters + detractors - centre ** 2) / n)
                low[:, j], high[:, j] = 100 * (centre - half), 100 * (centre + half)
            else:
                half = stats.t.ppf(1 - alpha / 2, var["df_first"][:, j]) * np.sqrt(var["var_first"][:, j])
                low[:, j], high[:, j] = value[:, j] - half, value[:, j] + half
    return np.clip(low, -100, 100), np.clip(high, -100, 100)


def _pair_tests(stubs: list[dict], col: dict, moments: dict | None, b: dict, is_share: np.ndarray,
                centre: np.ndarray, design: SurveyDesign | None, options: dict) -> pd.DataFrame:
    """Every tested pair of one banner's columns on every line (``col``: the columns' sums;
    ``moments``: what their linearized variances are made of, under a design), with p
    adjusted within each line."""
    pairs = _pairs_of(b, options["compare"])
    first, second = (np.array([p[j] for p in pairs], dtype=np.intp) for j in (0, 1))
    order = ("w", "w2", "wx", "wxx", "n")
    side, other = tuple(col[key][first] for key in order), tuple(col[key][second] for key in order)
    lin = None
    if design is not None:
        lin = _variances({key: v[first] for key, v in moments.items()}, {key: v[second] for key, v in moments.items()},
                         design)
        with np.errstate(invalid="ignore", divide="ignore"):
            diff = side[2] / side[0] - other[2] / other[0]
            lin["rs_f"] = diff ** 2 / lin["var_diff"]  # a share's test: svyttest on its indicator, as F(1, df)
        lin["rs_df"] = lin["df_diff"]
    c = contrast(side, other, is_share=is_share, centre=centre, confidence=options["confidence"],
                 min_n=options["min_base"], group="in this column", other="in the other column",
                 rest="the other column", design=lin, own=False)
    if design is None:  # shares: the pooled z-test of Q and SPSS, R's prop.test(correct = FALSE)
        c["statistic"], c["p"] = _pooled_z(side, other, is_share, c)
    keys = [(stub["key"], line["category"]) for stub in stubs for line in stub["lines"]]
    m = len(keys)
    p_adj = _adjust_within_lines(c["p"], options["adjust"])
    letters = b["letters"]
    return pd.DataFrame({
        "stub": np.tile([key[0] for key in keys], len(pairs)),
        "category": np.tile(np.array([key[1] for key in keys], dtype=object), len(pairs)),
        "banner": b["name"], "first": np.repeat([letters[a] for a in first], m),
        "second": np.repeat([letters[a] for a in second], m),
        "diff": c["diff"].ravel(), "statistic": c["statistic"].ravel(), "df": c["df"].ravel(), "p": c["p"].ravel(),
        "p_adj": p_adj.ravel(), "note": c["note"].ravel(),
        "_line": np.tile(np.arange(m), len(pairs)), "_first": np.repeat(first + b["start"], m),
        "_second": np.repeat(second + b["start"], m),
    })


def _pairs_of(b: dict, compare: str) -> list[tuple[int, int]]:
    """The pairs of a banner's columns tested: every pair, or each column with the one before
    it; in a nested banner only the inner columns of one outer value."""
    k = len(b["levels"])
    pairs = [(a, a + 1) for a in range(k - 1)] if compare == "previous" else \
        [(a, c) for a in range(k) for c in range(a + 1, k)]
    if "outer" in b:
        pairs = [(a, c) for a, c in pairs if b["outer"][a] == b["outer"][c]]
    return pairs


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


def _adjust_within_lines(p: np.ndarray, method: str) -> np.ndarray:
    """Each line's p-values (a column of ``p``: pairs x lines) adjusted across its pairs of columns."""
    out = np.array(p, dtype=float)
    if method == "none":
        return out
    from statsmodels.stats.multitest import multipletests  # deferred: statsmodels

    for j in range(out.shape[1]):
        valid = np.isfinite(out[:, j])
        if valid.any():
            out[valid, j] = multipletests(out[valid, j], method=method)[1]
    return out


def _with_letters(cells: pd.DataFrame, pairs: pd.DataFrame, banners: list[dict], options: dict) -> pd.DataFrame:
    """Each cell's letters (the columns it is significantly above), whether it was tested,
    and why not."""
    (loose, strict), min_base = options["levels"], options["min_base"]
    columns = sum(len(b["levels"]) for b in banners)
    lines = int(cells["_line"].max()) + 1
    letter = np.array([x for b in banners for x in b["letters"]], dtype=object)
    tested = np.zeros((columns, lines), bool)
    higher = np.full((columns, lines), "", dtype=object)
    if len(pairs):
        line, a, b, p, diff = (pairs[k].to_numpy() for k in ("_line", "_first", "_second", "p_adj", "diff"))
        ok = np.isfinite(p.astype(float))
        tested[a[ok], line[ok]] = True
        tested[b[ok], line[ok]] = True
        for i in np.flatnonzero(ok & (p < loose) & (diff != 0)):
            win, lose = (a[i], b[i]) if diff[i] > 0 else (b[i], a[i])
            mark = letter[lose]
            higher[win, line[i]] += mark.upper() if p[i] < strict else mark.lower()
    at = (cells["_column"].to_numpy(), cells["_line"].to_numpy())
    value = cells["_value"].to_numpy()
    cells = cells.drop(columns=["_line", "_column", "_value"])
    cells["higher_than"] = np.where(value, ["".join(sorted(h, key=str.upper)) for h in higher[at]], "")
    cells["tested"] = tested[at] & value
    small = (cells["letter"] != "") & ~meets_base(cells["n_eff"].to_numpy(dtype=float), min_base)
    cells["note"] = np.where(small, f"base too small to test (effective base below {min_base:g})", "")
    return cells
