"""Axes-level charts over valuekit's tidy results. Each draws on ``ax`` and returns it.

The package never calls ``plt.show()`` or ``savefig``; labels come from the codebook in
English, Spanish or Italian (``lang=``). Every text a chart draws is shown as written: a
label with ``$`` (``Price in $``, ``$\\frac$``) is never read as mathtext, so it can
neither crash the drawing nor change what it says.
"""

from __future__ import annotations

import functools
import textwrap
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
from matplotlib.text import Text

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import axes_arg, columns_arg, expected_error, frame_arg, grouping_arg, series_arg
from ..errors import ParameterError, SurveyError
from ..measure.model import common_scale, group_order, require_ratio, weights_arg
from ..survey.audit import CELL_PROBLEMS, ROW_REASONS, Audit, Survey
from ..survey.codebook import SACRIFICES, codebook_arg, ui_text
from ..survey.labels import lang_arg
from .reader import _READER, format_number

__all__ = [
    "plot_audit_flags",
    "plot_cell_problems",
    "plot_completion_times",
    "plot_value_radar",
    "plot_likert",
    "plot_value_ratio",
    "plot_k_selection",
    "plot_benefits_sacrifices",
    "plot_sacrifice_heatmap",
    "plot_share_destroyed",
    "plot_segment_radars",
    "plot_drivers",
    "plot_importance_performance",
    "plot_value_map",
    "plot_scenario_shares",
    "plot_scenario_comparison",
    "plot_group_means",
    "plot_trend",
    "plot_path_diagram",
]

_KEPT, _EXCLUDED = "#4c72b0", "#c44e52"


def _table_arg(name: str, value, columns: list[str], what: str) -> pd.DataFrame:
    """A result table (``what``) holding ``columns``."""
    value = frame_arg(name, value, what)
    columns_arg(name, columns, {name: value})
    return value


class _PercentAxis(mticker.PercentFormatter):
    """Tick labels of a share (0-1) axis in percent, with as many decimals as the ticks
    need: 2.5 % is "2.5%", not "2%" (``absolute=True`` labels -25 % as "25%", for bars
    diverging from 0)."""

    def __init__(self, *, absolute: bool = False, lang: str = "en"):
        super().__init__(xmax=1, decimals=0)
        self.absolute = absolute
        self.lang = lang

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = _percent_decimals(locs)

    def __call__(self, x, pos=None):
        x = abs(x) if self.absolute else x
        if self.lang == "en":
            return super().__call__(x, pos)
        # "2,5 %" in Spanish and "2,5%" in Italian (Babel, as in the tables), with a true minus
        sign = "\u2212" if x < 0 else ""
        return sign + format_number(abs(x), "percent", self.lang, digits=self.decimals)


def _percent_decimals(locs) -> int:
    """The fewest decimals (at most 4) that write every tick, in percent, exactly."""
    values = 100 * np.asarray([v for v in locs if np.isfinite(v)], dtype=float)
    for decimals in range(5):
        if np.allclose(np.round(values, decimals), values, rtol=0, atol=1e-6):
            return decimals
    return 4


def _names_arg(value, name: str = "names") -> dict | None:
    if value is not None and not isinstance(value, dict):
        raise expected_error(name, "None or a dict of group to display name", value)
    return value


def _optional_codebook(value):
    return None if value is None else codebook_arg("codebook", value)


#: The words the charts write, by key and language (``charts:`` in ``reader.yaml``).
_CHART_WORDS: dict[str, dict] = _READER["charts"]


def _chart_text(key: str, lang: str = "en", codebook=None, **fields) -> str:
    """A chart's wording in ``lang``: the codebook's ``labels:`` entry of ``key``, else ``reader.yaml``'s."""
    table = dict(_CHART_WORDS[key])
    if codebook is not None:
        table.update(codebook.labels.get(key, {}))
    text = table.get(lang) or table["en"]
    return text.format(**fields) if fields else text


def _audit_arg(value) -> Audit:
    if not isinstance(value, Audit):
        raise expected_error("audit", "an Audit (survey.audit)", value)
    return value


@share_docs
def plot_audit_flags(audit: Audit, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: rows carrying each flag, split into excluded and kept.

    A flag the analyst chose not to exclude shows as kept, so the chart shows both what
    was found and what was decided.

    Parameters
    ----------
    audit : Audit
        ``survey.audit``.
    {ax}
    """
    _audit_arg(audit)
    ax = axes_arg(ax) or plt.gca()
    rows = audit.rows
    reasons = list(ROW_REASONS)
    excluded = [int((rows[r] & (rows["status"] == "excluded")).sum()) for r in reasons]
    kept = [int((rows[r] & (rows["status"] == "kept")).sum()) for r in reasons]
    y = np.arange(len(reasons))
    ax.barh(y, excluded, color=_EXCLUDED, label="excluded")
    ax.barh(y, kept, left=excluded, color=_KEPT, label="flagged, kept")
    for yi, (e, k) in enumerate(zip(excluded, kept)):
        ax.text(e + k, yi, f" {e + k}", va="center", fontsize=9)
    ax.set_yticks(y, [r.replace("_", " ") for r in reasons])
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.set_title(f"{audit.rows_in} rows in: {audit.rows_kept} kept, {audit.rows_excluded} excluded")
    totals = [e + k for e, k in zip(excluded, kept)]
    ax.set_xlim(0, max(max(totals), 1) * 1.15)  # room for the counts written after the bars
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)  # below: never on a bar
    return ax


@share_docs
def plot_cell_problems(audit: Audit, *, codebook=None, lang: str = "en", top: int = 20,
                       ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars of flagged cells per column.

    Columns with errors in the export (out-of-range numbers, text) come first, then those
    with most missing codes; ``top`` columns are shown.

    With a codebook, columns are shown by their display label in ``lang``.

    Parameters
    ----------
    audit : Audit
        ``survey.audit``.
    {codebook}
    {lang}
    top : int, default 20
        Columns shown.
    {ax}
    """
    _audit_arg(audit)
    codebook = _optional_codebook(codebook)
    lang = lang_arg(lang)
    top = _check.integer("top", top, min=1)
    ax = axes_arg(ax) or plt.gca()
    table = audit.columns.set_index("column")[list(CELL_PROBLEMS)]
    table = table[table.sum(axis=1) > 0]
    # errors in the export (out of range, text) first: they need a look at the source
    rank = pd.DataFrame({"errors": table[["out_of_range", "non_numeric", "excel_error",
                                          "formula_without_value"]].sum(axis=1),
                         "total": table.sum(axis=1)})
    table = table.loc[rank.sort_values(["errors", "total"], ascending=False, kind="stable").index[:top]]
    if table.empty:
        ax.text(0.5, 0.5, "no flagged cells", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    labels = [codebook.label(c, lang) if codebook is not None and c in codebook.items else c
              for c in table.index]
    left = np.zeros(len(table))
    colors = {"missing_code": "#8c8c8c", "user_missing": "#b3b3b3",
              "out_of_range": "#dd8452", "non_numeric": "#c44e52", "excel_error": "#8172b3",
              "formula_without_value": "#937860"}
    y = np.arange(len(table))
    for problem in CELL_PROBLEMS:
        counts = table[problem].to_numpy()
        if counts.any():
            ax.barh(y, counts, left=left, color=colors[problem], label=problem.replace("_", " "))
        left += counts
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("cells set to missing")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return ax


@share_docs
def plot_completion_times(survey: Survey, *, ax: plt.Axes | None = None, bins: int = 50) -> plt.Axes:
    """Histogram of completion times (minutes, log scale) with the speeder threshold marked.

    Draws every input row, kept or not, so the speeders are visible left of the line.

    Parameters
    ----------
    survey : Survey
        A loaded survey whose codebook names a completion-time column.
    {ax}
    bins : int, default 50
        Histogram bins.
    """
    if not isinstance(survey, Survey):
        raise expected_error("survey", "a Survey (valuekit.load_survey)", survey)
    bins = _check.integer("bins", bins, min=1)
    ax = axes_arg(ax) or plt.gca()
    col = survey.codebook.completion_time
    if col is None:
        ax.text(0.5, 0.5, "no completion-time column in the codebook", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    minutes = survey.recoded[col].to_numpy(float) / 60
    minutes = minutes[np.isfinite(minutes) & (minutes > 0)]
    if not minutes.size:
        ax.text(0.5, 0.5, f"no positive completion times in '{col}'", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    edges = np.geomspace(minutes.min(), minutes.max(), bins + 1)
    ax.hist(minutes, bins=edges, color=_KEPT)
    ax.set_xscale("log")
    # plain numbers (1, 2, 5, 10 ...): the log axis's own labels are mathtext, and this chart's
    # texts are literal (labels are data), so "10^1" would show as its source
    ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    threshold = survey.audit.settings.get("speeder_threshold_seconds")
    if threshold:
        ax.axvline(threshold / 60, color=_EXCLUDED, linestyle="--")
        ax.text(threshold / 60, ax.get_ylim()[1] * 0.95,
                f" speeder threshold\n {threshold / 60:.1f} min", color=_EXCLUDED, va="top", fontsize=9)
    ax.set_xlabel("completion time (minutes, log scale)")
    ax.set_ylabel("respondents")
    return ax



# -- the value equation -----------------------------------------------------------------

def _weights(scores: pd.DataFrame, weights) -> np.ndarray:
    """Survey weights for the rows of ``scores``: a column of it, or values."""
    return weights_arg(weights, scores)


@share_docs
def plot_value_radar(scores: pd.DataFrame, *, codebook, by: str | pd.Series | None = None,
                     weights=None, lang: str = "en", ax: plt.Axes | None = None) -> plt.Axes:
    """Radar (spider) chart of the mean benefit-dimension scores, overall or per group.

    Parameters
    ----------
    scores : DataFrame
        Output of :class:`valuekit.measure.scoring.ValueScorer`, optionally with the grouping column.
    {codebook}
    by : str or Series, optional
        A column of ``scores`` or a Series on its index (segment, channel, world view).
    {weights}
    {lang}
    ax : polar Axes, optional
        Default: a new polar Axes on the current figure.
    """

    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    codebook = codebook_arg("codebook", codebook)
    dims = codebook.dimensions
    if len(dims) < 3:
        raise ParameterError(f"codebook: a radar chart needs at least 3 benefit dimensions; this codebook has "
                             f"{dims}", name="codebook")
    columns_arg("scores", dims, {"scores": scores}, numeric=True)
    groups = grouping_arg("by", by, scores.index, {"scores": scores})
    w = _weights(scores, weights)
    lang = lang_arg(lang)
    if ax is None:
        ax = plt.gcf().add_subplot(projection="polar")
    elif axes_arg(ax).name != "polar":
        raise ParameterError("ax: plot_value_radar needs a polar Axes, e.g. plt.subplot(projection='polar')",
                             name="ax")
    groups = pd.Series("all", index=scores.index) if groups is None else groups
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    closed = np.append(angles, angles[0])
    values_all = scores[dims].to_numpy(float)
    for name, pos in groups.groupby(groups, sort=True).indices.items():
        block, ww = values_all[pos], w[pos]
        means = [np.average(col[np.isfinite(col)], weights=ww[np.isfinite(col)])
                 if (ww[np.isfinite(col)].sum() > 0) else np.nan for col in block.T]
        values = np.append(means, means[0])
        ax.plot(closed, values, label=str(name), linewidth=1.8)
        ax.fill(closed, values, alpha=0.12)
    scale = common_scale(codebook)
    ax.set_ylim(scale.min, scale.max)
    ax.set_xticks(angles, [codebook.label(d, lang) for d in dims])
    if by is not None:
        ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.05), frameon=False)
    return ax


@share_docs
def plot_likert(data: pd.DataFrame, *, codebook, block: str, lang: str = "en",
                ax: plt.Axes | None = None) -> plt.Axes:
    """Diverging stacked bars of the answers to one block's items (the Likert chart).

    Disagreement extends left of zero, agreement right; the middle category of an
    odd-numbered scale is split across zero. The two ends are named above the bars with
    the codebook's labels of the scale's lowest and highest points (``labels:`` entries
    named ``scale_<point>``, e.g. ``scale_1: {{en: Strongly disagree, es: Totalmente en
    desacuerdo}}``), in ``lang``; without them, with the points' numbers. Reverse-keyed
    items are shown in their scored direction: their answers are turned round on the
    scale (a 2 of 1-7 drawn as a 6), so the right is the good side of every item, and
    their label says so ("(reversed)" in ``lang``, replacing a "(rev.)" the codebook's
    label carries). Shares are of each item's valid answers. Answers that are not one of
    the scale's points (e.g. 3.5, or outside the scale) have no bar: they are counted in
    the shares' base, so an item's bars then total less than 100 %, and the title says how
    many were not shown ("N answers between scale points not shown").

    Parameters
    ----------
    data : DataFrame
        Recoded survey data (``Survey.data``).
    {codebook}
    block : str
        The dimension or sacrifice whose items are drawn.
    {lang}
    {ax}
    """
    data = frame_arg("data", data, "a DataFrame of survey answers (Survey.data)")
    codebook = codebook_arg("codebook", codebook)
    block = _check.choice("block", block, codebook.dimensions + codebook.sacrifices)
    lang = lang_arg(lang)
    ax = axes_arg(ax) or plt.gca()
    items = codebook.block_items(block)
    columns_arg("data", items, {"data": data}, numeric=True)
    scale, cats = _likert_scale(codebook, block, items)
    shares = np.array([[np.mean(data[c].dropna().to_numpy() == v) if data[c].notna().any() else 0.0
                        for v in cats] for c in items])
    reverse = np.array([codebook.items[c].reverse for c in items], dtype=bool)
    shares[reverse] = shares[reverse, ::-1]  # the scored direction: agreement is the good side
    off_scale = sum(int((~np.isin(data[c].dropna().to_numpy(float), cats)).sum()) for c in items)
    _likert_bars(ax, shares, cats)
    ax.set_yticks(np.arange(len(items)), [_likert_label(codebook, c, lang) for c in items])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1)
    ax.xaxis.set_major_formatter(_PercentAxis(absolute=True))
    ax.set_xlabel(_chart_text("likert_share", lang, codebook), fontsize=9)
    title = codebook.label(block, lang)
    if off_scale:  # say so rather than let the bars fall short silently
        title += (f"\n({off_scale} answer{'s' if off_scale > 1 else ''} between scale points "
                  f"or off the scale not shown)")
    anchor = {"fontsize": 9, "color": "0.2", "transform": ax.transAxes, "va": "bottom"}
    ax.text(0, 1.01, f"← {_scale_anchor(codebook, cats[0], lang)}", ha="left", **anchor)
    ax.text(1, 1.01, f"{_scale_anchor(codebook, cats[-1], lang)} →", ha="right", **anchor)
    ax.set_title(title, pad=6 + 1.4 * 9)  # above the row of the scale's ends
    legend_title = _chart_text("likert_answer", lang, codebook, scale=str(scale))
    if reverse.any():
        legend_title += "; " + _chart_text("likert_reversed_note", lang, codebook,
                                           block=codebook.label(block, lang).lower())
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(cats), frameon=False, title=legend_title,
              fontsize=8, title_fontsize=8, borderaxespad=_below_xlabel(ax) / 8)
    return ax


def _likert_scale(codebook, block: str, items: list[str]):
    """The one answer scale of a block's items, and its points (at most 11)."""
    scales = {codebook.items[c].scale for c in items}
    if len(scales) > 1:
        raise ParameterError(f"block: items of '{block}' use different scales {sorted(map(str, scales))}; "
                             "a Likert chart needs one", name="block")
    scale = scales.pop()
    cats = np.arange(scale.min, scale.max + 1)
    if len(cats) > 11:
        raise ParameterError(f"block: scale {scale} of '{block}' has {len(cats)} points; a Likert chart shows "
                             "at most 11", name="block")
    return scale, cats


def _likert_bars(ax, shares: np.ndarray, cats: np.ndarray) -> None:
    """The stacked bars, one colour per answer (the middle one grey), centred on the neutral point."""
    mid = (len(cats) - 1) / 2
    colors = plt.get_cmap("RdBu")(np.linspace(0.1, 0.9, len(cats)))
    if len(cats) % 2:
        colors[len(cats) // 2] = (0.8, 0.8, 0.8, 1.0)  # the neutral middle in grey
    left = -(shares[:, :int(np.floor(mid))].sum(axis=1) +
             (shares[:, int(mid)] / 2 if len(cats) % 2 else 0))
    y = np.arange(len(shares))
    for j, v in enumerate(cats):
        ax.barh(y, shares[:, j], left=left, color=colors[j], label=f"{v:g}", edgecolor="white", linewidth=0.5)
        left = left + shares[:, j]
    ax.axvline(0, color="0.3", linewidth=0.8)


def _scale_anchor(codebook, point: float, lang: str) -> str:
    """A scale point's label in the codebook (``labels: scale_<point>``), else its number."""
    key = f"scale_{point:g}"
    text = codebook.label(key, lang)
    return textwrap.fill(f"{point:g}" if text == key else text, 32)


def _likert_label(codebook, item: str, lang: str) -> str:
    """An item's label, saying "(reversed)" in ``lang`` when it is reverse-keyed (instead of
    the codebook's own mark such as "(rev.)")."""
    label = codebook.label(item, lang)
    if not codebook.items[item].reverse:
        return label
    for mark in _READER["reverse_marks"]:
        label = label.replace(mark, "")
    return _chart_text("likert_reversed", lang, codebook, label=" ".join(label.split()))


def _below_xlabel(ax) -> float:
    """How far (points) below the axes its tick labels and x label reach: where a legend
    under them starts."""
    rc = mpl.rcParams
    ticks = rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.2 * mpl.font_manager.FontProperties(
        size=rc["xtick.labelsize"]).get_size_in_points()
    label = ax.xaxis.labelpad + 1.2 * ax.xaxis.label.get_size() if ax.get_xlabel() else 0.0
    return ticks + label + 2


@share_docs
def plot_value_ratio(scores: pd.DataFrame, *, weights=None, neutral_band: float | None = None,
                     bins: int = 40, codebook=None, lang: str = "en", ax: plt.Axes | None = None) -> plt.Axes:
    """Distribution of ``value_ratio`` (log scale), the line at 1, the share destroyed.

    The region left of 1 (sacrifices outweigh benefits) is shaded; the title gives the
    (weighted) share of scored customers whose verdict is ``destroyed``, named in ``lang``
    when a codebook is given.

    Parameters
    ----------
    {scores}
    {weights}
    neutral_band : float, optional
        Marks the scorer's neutral band (ratios between 1 / (1 + band) and 1 + band) with dotted
        lines; None: not marked.
    bins : int, default 40
        Histogram bins.
    {codebook}
    {lang}
    {ax}
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    w = _weights(scores, weights)
    if neutral_band is not None:
        _check.number("neutral_band", neutral_band, min=0)
    bins = _check.integer("bins", bins, min=1)
    codebook = _optional_codebook(codebook)
    lang = lang_arg(lang)
    ax = axes_arg(ax)
    require_ratio(scores, "plot_value_ratio")
    columns_arg("scores", ["verdict"], {"scores": scores})
    ax = ax or plt.gca()
    ratio = scores["value_ratio"].to_numpy(float)
    ok = np.isfinite(ratio)
    if not ok.any():
        raise SurveyError("no scored respondents: every value_ratio is missing")
    r, ww = ratio[ok], w[ok]
    lo, hi = min(r.min(), 0.9), max(r.max(), 1.1)
    edges = np.geomspace(lo, hi, bins + 1)
    ax.hist(r, bins=edges, weights=ww, color=_KEPT)
    ax.set_xscale("log")
    ax.axvspan(lo, 1, color=_EXCLUDED, alpha=0.08)
    ax.axvline(1, color=_EXCLUDED, linewidth=1.5)
    if neutral_band:
        for x in (1 / (1 + neutral_band), 1 + neutral_band):
            ax.axvline(x, color="0.5", linestyle=":", linewidth=1)
    destroyed = (scores["verdict"].to_numpy() == "destroyed")[ok]
    share = ww[destroyed].sum() / ww.sum()
    destroyed_label = codebook.label("destroyed", lang) if codebook is not None else "Value destroyed"
    ax.set_title(f"{destroyed_label}: {share:.1%} (n = {ok.sum()})")
    ax.text(0.02, 0.95, "sacrifices outweigh\nbenefits", transform=ax.transAxes, va="top",
            color=_EXCLUDED, fontsize=9)
    ax.set_xlabel("value ratio = benefits / sacrifices (log scale)")
    ax.set_ylabel("customers" if weights is None else "customers (weighted)")
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6) if lo <= t <= hi]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    return ax


# -- segments and the map of value destroyed ---------------------------------------------

@share_docs
def plot_k_selection(table: pd.DataFrame, *, chosen: int | None = None,
                     ax: plt.Axes | None = None) -> plt.Axes:
    """Silhouette (left axis) and BIC or inertia (right axis) by number of segments.

    Parameters
    ----------
    table : DataFrame
        :func:`~valuekit.choose_k` output.
    chosen : int, optional
        The number of segments chosen, marked on the chart.
    {ax}
    """
    table = _table_arg("table", table, ["k", "silhouette"], "a choose_k table")
    if chosen is not None:
        _check.integer("chosen", chosen, min=1)
    ax = axes_arg(ax) or plt.gca()
    ax.plot(table["k"], table["silhouette"], marker="o", color=_KEPT, label="silhouette (higher is better)")
    ax.set_xlabel("number of segments")
    ax.set_ylabel("silhouette", color=_KEPT)
    other = "bic" if "bic" in table else "inertia" if "inertia" in table else None
    if other:
        twin = ax.twinx()
        twin.plot(table["k"], table[other], marker="s", color="0.4", linestyle="--",
                  label=f"{other.upper() if other == 'bic' else other} (lower is better)")
        twin.set_ylabel(other.upper() if other == "bic" else other, color="0.4")
    if chosen is not None:
        ax.axvline(chosen, color=_EXCLUDED, linestyle=":", linewidth=1.2)
    ax.set_xticks(table["k"])
    handles = ax.get_legend_handles_labels()
    if other:
        more = twin.get_legend_handles_labels()
        handles = (handles[0] + more[0], handles[1] + more[1])
    ax.legend(*handles, loc="upper right", frameon=False, fontsize=8)
    return ax


def _levels(segments: pd.Series) -> tuple[np.ndarray, list]:
    """Segment labels as Python objects (no float 0.0 for an integer segment) and their levels."""
    values = np.array([None if pd.isna(v) else (int(v) if isinstance(v, (int, np.integer)) else v)
                       for v in segments], dtype=object)

    return values, group_order(v for v in values if v is not None)


def _segment_palette(levels: list) -> dict:
    import seaborn as sns  # deferred: seaborn

    return dict(zip(levels, sns.color_palette("tab10", len(levels))))


@share_docs
def plot_benefits_sacrifices(scores: pd.DataFrame, *, segments: pd.Series | None = None,
                             names: dict | None = None, kind: str = "auto", lang: str = "en",
                             codebook=None, limits: tuple[float, float] | None = None,
                             ax: plt.Axes | None = None) -> plt.Axes:
    """Benefits against sacrifices per customer, the line benefits = sacrifices, and the
    region where sacrifices outweigh benefits shaded and labelled.

    ``kind="scatter"`` colours points by segment; ``"hexbin"`` shows density for large
    samples; ``"auto"`` picks hexbin above 20,000 customers. ``limits`` (low, high) fixes
    both axes (e.g. the common scale) instead of fitting them to the points.

    Parameters
    ----------
    {scores}
    {segments}
    {names}
    kind : {"auto", "scatter", "hexbin"}, default "auto"
        See above.
    {lang}
    {codebook}
    limits : (float, float), optional
        Both axes' (low, high); None: fitted to the points.
    {ax}
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    if segments is not None:
        segments = series_arg("segments", segments, scores.index)
    names = _names_arg(names)
    if not isinstance(kind, str) or kind not in ("auto", "scatter", "hexbin"):
        raise ParameterError(f"kind must be 'auto', 'scatter' or 'hexbin', got {kind!r}", name="kind")
    lang = lang_arg(lang)
    codebook = _optional_codebook(codebook)
    if limits is not None:
        if isinstance(limits, (str, dict)) or not hasattr(limits, "__len__") or len(limits) != 2:
            raise expected_error("limits", "None or (low, high)", limits)
        low = _check.number("limits", limits[0])
        _check.number("limits", limits[1], min=low, min_open=True)
    ax = axes_arg(ax)
    require_ratio(scores, "plot_benefits_sacrifices")
    columns_arg("scores", ["benefits", "sacrifices"], {"scores": scores})
    ax = ax or plt.gca()
    ok = scores["value_ratio"].notna().to_numpy()
    x, y = scores["sacrifices"].to_numpy()[ok], scores["benefits"].to_numpy()[ok]
    if not ok.any():
        raise SurveyError("no scored respondents to plot")
    kind = ("hexbin" if ok.sum() > 20_000 else "scatter") if kind == "auto" else kind
    lo, hi = limits if limits is not None else (min(x.min(), y.min()), max(x.max(), y.max()))
    pad = 0.03 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    ax.fill_between([lo, hi], [lo, lo], [lo, hi], color=_EXCLUDED, alpha=0.07, linewidth=0)
    ax.plot([lo, hi], [lo, hi], color=_EXCLUDED, linewidth=1.2)
    label = (lambda k: codebook.label(k, lang)) if codebook is not None else (lambda k: k)
    note = "\n".join(textwrap.fill(line, 26) for line in
                      ui_text("ui_outweigh", lang, codebook, destroyed=label("destroyed").lower()).splitlines())
    ax.text(hi - pad, lo + pad, note,
            ha="right", va="bottom", color=_EXCLUDED, fontsize=9)
    if kind == "hexbin":
        hb = ax.hexbin(x, y, gridsize=40, cmap="Blues", mincnt=1, extent=(lo, hi, lo, hi))
        plt.colorbar(hb, ax=ax, label="customers")
    elif segments is None:
        ax.scatter(x, y, s=8, alpha=0.5, color=_KEPT)
    else:
        seg, levels = _levels(segments[ok])
        palette = _segment_palette(levels)
        for level, colour in palette.items():
            at = seg == level
            name = f"{level}: {names[level]}" if names and level in names else str(level)
            ax.scatter(x[at], y[at], s=8, alpha=0.5, color=colour, label=name)
        ax.legend(loc="upper left", frameon=False, fontsize=8, markerscale=2)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel(label("sacrifices"))
    ax.set_ylabel(label("benefits"))
    ax.set_aspect("equal")
    return ax


def _segment_map(fig, ax, engine, sample: pd.DataFrame, *, names: dict, lang: str, limits=None):
    """The what-if map: each customer of ``sample`` (rows of the engine's customers) at
    benefits against sacrifices, coloured by segment, with the segments' key below the
    figure in the words the reports use (``names``: segment to name; the unsegmented as
    "No segment (incomplete profile)"). Returns the points' collections (one per segment),
    the segments they hold (as text), each customer's segment (as text) and the key's rows."""
    from ..decide.scenario import segment_label  # deferred: the names as the reports write them

    segments = pd.Series(engine.segments, index=engine.index).reindex(sample.index)
    drawn = len(ax.collections)
    plot_benefits_sacrifices(sample, segments=segments, kind="scatter", lang=lang, codebook=engine.codebook,
                             limits=limits, ax=ax)
    points = ax.collections[drawn + 1:]  # one per segment, after the shaded region
    scored = segments[sample["value_ratio"].notna().to_numpy()]
    order = [str(level) for level in _levels(scored[scored.notna().to_numpy()])[1]]
    labels = {str(level): segment_label(level, {k: v for k, v in names.items() if k != "all"}, lang)
              for level in engine.segment_levels}
    handles = ax.get_legend().legend_handles
    ax.get_legend().remove()
    fig.legend(handles, [labels.get(level, level) for level in order], loc="lower left", ncol=2, frameon=False,
               fontsize=9, markerscale=2.5, handletextpad=0.3, bbox_to_anchor=(0.01, 0.0))
    return points, order, segments.astype(str).to_numpy(), -(-len(handles) // 2)


@share_docs
def plot_sacrifice_heatmap(profiles: pd.DataFrame, *, codebook, lang: str = "en",
                           ax: plt.Axes | None = None) -> plt.Axes:
    """Segment × sacrifice heatmap of how much more (red) or less (blue) each segment
    sacrifices than the sample, in sample standard deviations (the ``z_`` columns of
    :func:`valuekit.analyse.segments.segment_profiles`).

    Parameters
    ----------
    profiles : DataFrame
        :func:`~valuekit.segment_profiles` output.
    {codebook}
    {lang}
    {ax}
    """
    import seaborn as sns  # deferred: seaborn

    profiles = frame_arg("profiles", profiles, "a segment_profiles table")
    codebook = codebook_arg("codebook", codebook)
    lang = lang_arg(lang)
    ax = axes_arg(ax)
    codebook.require_sacrifices("plot_sacrifice_heatmap")
    columns_arg("profiles", [f"z_{s}" for s in codebook.sacrifices], {"profiles": profiles})
    ax = ax or plt.gca()
    table = profiles.drop(index="unassigned", errors="ignore")
    z = table[[f"z_{s}" for s in codebook.sacrifices]]
    z.columns = [codebook.label(s, lang) for s in codebook.sacrifices]
    if "name" in table:
        z.index = [f"{i}: {n}" for i, n in zip(table.index, table["name"])]
    bound = max(0.5, float(np.nanmax(np.abs(z.to_numpy()))))
    with warnings.catch_warnings():  # seaborn's own call to Colormap.set_bad, pending deprecation in matplotlib
        warnings.filterwarnings("ignore", "The set_bad function", PendingDeprecationWarning)
        sns.heatmap(z, ax=ax, cmap="RdBu_r", center=0, vmin=-bound, vmax=bound, annot=True, fmt=".2f",
                    cbar_kws={"label": "vs sample (SD)"})
    ax.set_xlabel("")
    ax.set_ylabel("segment")
    return ax


@share_docs
def plot_share_destroyed(table: pd.DataFrame, *, names: dict | None = None,
                         ax: plt.Axes | None = None) -> plt.Axes:
    """Bars of the share of customers with value destroyed per segment, with confidence
    intervals (the output of :func:`valuekit.analyse.segments.share_destroyed`).

    Parameters
    ----------
    table : DataFrame
        :func:`~valuekit.share_destroyed` output.
    {names}
    {ax}
    """
    table = _table_arg("table", table, ["segment", "share_destroyed", "ci_low", "ci_high"], "a share_destroyed table")
    names = _names_arg(names)
    ax = axes_arg(ax) or plt.gca()
    y = np.arange(len(table))
    share = table["share_destroyed"].to_numpy()
    err = np.clip(np.vstack([share - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - share]), 0, None)
    ax.barh(y, share, xerr=err, color=_EXCLUDED, alpha=0.8, capsize=3)
    labels = [f"{s}: {names[s]}" if names and s in names else str(s) for s in table["segment"]]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, min(1.0, float(table["ci_high"].max()) * 1.25 + 0.02))
    ax.xaxis.set_major_formatter(_PercentAxis())
    level = table.attrs.get("confidence", 0.95)
    ax.set_xlabel(f"customers with value destroyed ({level:.0%} CI)")
    notes = table["note"] if "note" in table else [""] * len(table)
    for yi, s, high, note in zip(y, share, table["ci_high"], notes):
        if np.isfinite(s):
            ax.text(high, yi, f"  {s:.0%}", va="center", ha="left", fontsize=9)
        else:  # no estimate (e.g. the segment's weights are all zero): say why
            ax.text(0, yi, f"  no estimate: {note or 'no scored respondent'}", va="center", ha="left",
                    fontsize=9, color="0.35")
    return ax


@share_docs
def plot_segment_radars(scores: pd.DataFrame, segments: pd.Series, *, codebook,
                        names: dict | None = None, lang: str = "en", weights=None,
                        ncols: int = 4) -> plt.Figure:
    """Small multiples: one panel per segment, against the sample average.

    Up to four segments, each panel is a radar of the benefit dimensions: the segment's
    outline with a light fill in its own colour, the sample average as a thin grey line.
    With more than four segments the radars would crowd, so each panel is a set of
    horizontal bars instead (one per dimension, then one per sacrifice, hatched), the
    sample average a grey tick on each bar. Each panel's title is the segment's number
    and name, wrapped to the panel's width (never cut); the legend says once what the
    grey line is. Figure-level: makes and returns its own figure.

    Parameters
    ----------
    {scores}
    {segments}
    {codebook}
    {names}
    {lang}
    {weights}
    ncols : int, default 4
        Panels per row.

    Returns
    -------
    Figure
    """
    scores = frame_arg("scores", scores, "a DataFrame of scores (ValueScorer output)")
    segments = series_arg("segments", segments, scores.index)
    codebook = codebook_arg("codebook", codebook)
    names = _names_arg(names)
    lang = lang_arg(lang)
    w = np.ones(len(scores)) if weights is None else _weights(scores, weights)
    ncols = _check.integer("ncols", ncols, min=1)
    seg, levels = _levels(segments)
    if not levels:
        raise ParameterError("segments: no respondent has a segment; nothing to draw", name="segments")
    radars = len(levels) <= _MAX_RADARS
    dims = codebook.dimensions
    if radars and len(dims) < 3:
        raise ParameterError(f"codebook: a radar chart needs at least 3 benefit dimensions; this codebook has "
                             f"{dims}", name="codebook")
    measures = dims + ([] if radars else [s for s in codebook.sacrifices if s in scores.columns])
    columns_arg("scores", measures, {"scores": scores}, numeric=True)
    values = scores[measures].to_numpy(float)
    sample = _weighted_means(values, w)
    palette = _segment_palette(levels)
    ncols = min(ncols, len(levels))
    nrows = int(np.ceil(len(levels) / ncols))
    height = 3.6 if radars else 0.9 + 0.24 * len(measures)
    fig = plt.figure(figsize=(3.4 * ncols, height * nrows + 0.5))
    titles = {level: _segment_title(level, names, width=3.4) for level in levels}
    labels = [codebook.label(m, lang) for m in measures]
    scale = common_scale(codebook)
    for i, level in enumerate(levels):
        at = seg == level
        means = _weighted_means(values[at], w[at])
        if radars:
            ax = fig.add_subplot(nrows, ncols, i + 1, projection="polar")
            _radar_panel(ax, means, sample, labels, palette[level], scale)
        else:
            ax = fig.add_subplot(nrows, ncols, i + 1)
            _bar_panel(ax, means, sample, labels, palette[level], scale, sacrifices=len(measures) - len(dims),
                       ticks=i % ncols == 0)
            if i // ncols == nrows - 1 or i + ncols >= len(levels):
                ax.set_xlabel(_chart_text("radar_score", lang, codebook, scale=str(scale)), fontsize=8)
        ax.set_title(titles[level], fontsize=9, pad=16 if radars else 6)
    _radars_legend(fig, lang, codebook, radars, has_sacrifices=len(measures) > len(dims))
    return fig


#: Above this many segments, small multiples of bars replace the radars.
_MAX_RADARS = 4


def _weighted_means(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weighted mean of each column of ``values`` over its answered rows (NaN when none has weight)."""
    out = np.full(values.shape[1], np.nan)
    for j, col in enumerate(values.T):
        ok = np.isfinite(col) & (w > 0)
        if ok.any():
            out[j] = np.average(col[ok], weights=w[ok])
    return out


def _segment_title(level, names: dict | None, width: float, fontsize: float = 9) -> str:
    """A segment's number and name, wrapped to a panel ``width`` inches wide (never cut)."""
    text = f"{level}: {names[level]}" if names and level in names else str(level)
    chars = max(12, int(width * 72 / (0.62 * fontsize)))  # a character is about 0.6 em wide
    return textwrap.fill(text, chars, break_long_words=True, break_on_hyphens=False)


def _radar_panel(ax, means, sample, labels: list[str], colour, scale) -> None:
    """One segment's radar: its outline lightly filled in its colour, the sample average thin and grey."""
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False)
    closed = np.append(angles, angles[0])
    ax.plot(closed, np.append(sample, sample[0]), color="0.45", linewidth=1.0, zorder=2)
    ax.plot(closed, np.append(means, means[0]), color=colour, linewidth=2.0, zorder=3)
    ax.fill(closed, np.append(means, means[0]), color=colour, alpha=0.18, linewidth=0, zorder=1)
    ax.set_ylim(scale.min, scale.max)
    ax.set_xticks(angles, [textwrap.fill(label, 14) for label in labels], fontsize=8)
    ax.set_rlabel_position(180 / len(labels))  # the rings' numbers between two axes, clear of their names
    ax.tick_params(axis="y", labelsize=7, labelcolor="0.4")
    ax.tick_params(axis="x", pad=2)


def _bar_panel(ax, means, sample, labels: list[str], colour, scale, *, sacrifices: int, ticks: bool) -> None:
    """One segment's horizontal bars (dimensions, then sacrifices hatched), the sample average a grey tick."""
    y = np.arange(len(labels))
    bars = ax.barh(y, means - scale.min, left=scale.min, color=colour, alpha=0.75, height=0.7)
    for bar in bars[len(labels) - sacrifices:]:
        bar.set_hatch("///")
        bar.set_edgecolor("white")
    ax.scatter(sample, y, marker="|", s=160, color="0.25", linewidths=1.6, zorder=3)
    if sacrifices and sacrifices < len(labels):
        ax.axhline(len(labels) - sacrifices - 0.5, color="0.6", linewidth=0.6)
    ax.set_yticks(y, labels if ticks else [""] * len(labels), fontsize=8)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(scale.min, scale.max)
    ax.tick_params(axis="x", labelsize=7)


def _radars_legend(fig, lang: str, codebook, radars: bool, has_sacrifices: bool) -> None:
    """The legend, once under the panels: the sample average, and the sacrifices' hatching."""
    handles = [Line2D([], [], color="0.45" if radars else "0.25", linewidth=1.0 if radars else 0,
                      marker=None if radars else "|", markersize=10, markeredgewidth=1.6,
                      label=_chart_text("radar_sample", lang, codebook)),
               mpl.patches.Patch(facecolor="0.6", alpha=0.6, label=_chart_text("radar_segment", lang, codebook))]
    if has_sacrifices:
        handles.append(mpl.patches.Patch(facecolor="0.6", hatch="///", edgecolor="white",
                                         label=_chart_text("radar_sacrifice", lang, codebook)))
    room = 0.45 / fig.get_figheight()  # the legend's strip, in figure heights
    fig.tight_layout(rect=(0, room, 1, 1))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles), frameon=False,
               fontsize=8)


# -- drivers, importance-performance, the customer value map -----------------------------

@share_docs
def plot_drivers(table: pd.DataFrame, *, group="all", ax: plt.Axes | None = None) -> plt.Axes:
    """Each driver's share of R² (unsigned) with its bootstrap interval
    (:func:`valuekit.analyse.drivers.key_drivers` output).

    Bars are blue where the effect raises the outcome and red where it lowers it; a driver
    whose effect is not distinguishable from zero is drawn hollow (hatched). R² and n are in
    the title; a withheld group shows its note instead of bars.

    Parameters
    ----------
    table : DataFrame
        :func:`~valuekit.key_drivers` output.
    group : default "all"
        The group (segment) whose drivers are drawn; ``"all"``: the whole sample.
    {ax}
    """
    table = _table_arg("table", table, ["group", "driver", "share", "ci_low", "ci_high", "n"], "a key_drivers table")
    groups = list(dict.fromkeys(table["group"]))
    if group not in groups:
        raise ParameterError(f"group: {group!r} is not in the driver table; its groups: {groups}", name="group")
    ax = axes_arg(ax) or plt.gca()
    t = table[table["group"] == group].sort_values("share", ascending=False, kind="stable")
    note = str(t["note"].iloc[0]) if len(t) and "note" in t and isinstance(t["note"].iloc[0], str) else ""
    if note:
        ax.text(0.5, 0.5, note, ha="center", va="center", wrap=True, transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    y = np.arange(len(t))
    share = t["share"].to_numpy(dtype=float)
    sign = t["sign"].to_numpy() if "sign" in t else np.ones(len(t))
    colours = [_KEPT if s >= 0 else _EXCLUDED for s in sign]
    clear = (t["distinguishable"].fillna(False).to_numpy(dtype=bool) if "distinguishable" in t
             else np.ones(len(t), bool))
    bars = ax.barh(y, share, color=colours, alpha=0.85)
    for bar, ok, c in zip(bars, clear, colours):
        if not ok:
            bar.set_facecolor("none")
            bar.set_edgecolor(c)
            bar.set_hatch("//")
    if t["ci_low"].notna().any():
        err = np.clip(np.vstack([share - t["ci_low"].to_numpy(), t["ci_high"].to_numpy() - share]), 0, None)
        ax.errorbar(share, y, xerr=err, fmt="none", ecolor="0.2", capsize=3, linewidth=1)
    ax.set_yticks(y, t["label"] if "label" in t else t["driver"])
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel("share of R² (%); blue raises the outcome, red lowers it; hatched: not distinguishable from zero")
    r2 = t["r2"].iloc[0] if "r2" in t and len(t) else np.nan
    ax.set_title(f"R² = {r2:.2f}, n = {int(t['n'].iloc[0])}" if len(t) else "")
    return ax


def _place_labels(ax: plt.Axes, labels: list, x: np.ndarray, y: np.ndarray) -> None:
    """Move point labels apart and off their points (adjustText), with a thin line back to
    the point where a label had to move; a fixed number of iterations, so every machine
    places them alike."""
    from adjustText import adjust_text  # deferred: adjustText

    if labels:
        adjust_text(labels, x=x, y=y, ax=ax, iter_lim=400, time_lim=None, ensure_inside_axes=True,
                    arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5})


@share_docs
def plot_importance_performance(ipa: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Importance against performance with crosshairs at the means and the four quadrants
    labelled (:func:`valuekit.analyse.drivers.importance_performance` output). Drivers without an
    estimate are left out; when none has one (every group withheld), the chart is empty
    and says why in words (the driver table's notes).

    Parameters
    ----------
    ipa : DataFrame
        :func:`~valuekit.importance_performance` output.
    {ax}
    """
    ipa = _table_arg("ipa", ipa, ["kind", "label", "importance", "performance"], "an importance_performance table")
    missing = [k for k in ("performance_mean", "importance_mean") if k not in ipa.attrs]
    if missing:
        raise ParameterError(f"ipa: .attrs lacks {missing}; expected the importance_performance output", name="ipa")
    ax = axes_arg(ax) or plt.gca()
    shown = np.isfinite(ipa["importance"].to_numpy(float)) & np.isfinite(ipa["performance"].to_numpy(float))
    if not shown.any():  # every driver withheld (e.g. too few respondents): say why, draw nothing
        why = "; ".join(ipa.attrs.get("notes") or []) or "no driver has an importance estimate"
        ax.text(0.5, 0.5, textwrap.fill(f"no driver estimate: {why}", 60), ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    ipa = ipa[shown]  # drivers without an estimate have no point to draw
    for kind, colour, name in (("benefit", _KEPT, "benefit"), ("sacrifice", _EXCLUDED, "sacrifice (turned round)")):
        rows = ipa[ipa["kind"] == kind]
        if len(rows):
            ax.scatter(rows["performance"], rows["importance"], color=colour, s=40, zorder=3, label=name)
    labels = [ax.text(r["performance"], r["importance"], r["label"], fontsize=8) for _, r in ipa.iterrows()]
    x0, y0 = ipa.attrs["performance_mean"], ipa.attrs["importance_mean"]
    if np.isfinite(x0) and np.isfinite(y0):  # NaN when no driver is usable for the quadrants
        ax.axvline(x0, color="0.5", linestyle="--", linewidth=1)
        ax.axhline(y0, color="0.5", linestyle="--", linewidth=1)
    xlo, xhi = ipa["performance"].min(), ipa["performance"].max()
    ylo, yhi = ipa["importance"].min(), ipa["importance"].max()
    padx, pady = 0.15 * (xhi - xlo or 1), 0.15 * (yhi - ylo or 1)
    ax.set_xlim(xlo - padx, xhi + padx)
    ax.set_ylim(ylo - pady, yhi + pady)  # a driver of (almost) no importance stays inside the frame
    ax.yaxis.set_major_locator(mticker.FixedLocator([t for t in ax.get_yticks() if t >= 0]))  # no negative share
    _place_labels(ax, labels, ipa["performance"].to_numpy(float), ipa["importance"].to_numpy(float))
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=2, frameon=False, fontsize=8)
    for text, x, y, ha, va in (("concentrate here", 0.02, 0.98, "left", "top"),
                               ("keep up the good work", 0.98, 0.98, "right", "top"),
                               ("low priority", 0.02, 0.02, "left", "bottom"),
                               ("possible overkill", 0.98, 0.02, "right", "bottom")):
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9, color="0.35", style="italic")
    ax.set_xlabel("performance (mean score; sacrifices turned round: higher is better)")
    ax.set_ylabel("importance (share of R², %)")
    return ax


@share_docs
def plot_value_map(table: pd.DataFrame, *, names: dict | None = None, competitor: str | None = None,
                   ax: plt.Axes | None = None) -> plt.Axes:
    """Gale's customer value map: relative sacrifices across, relative benefits up, the
    competitor at (1, 1), the fair-value line through it, each group a point
    (:func:`valuekit.analyse.competitor.value_map` output).

    Parameters
    ----------
    table : DataFrame
        :func:`~valuekit.value_map` output.
    {names}
    competitor : str, optional
        The competitor's name, labelling its point.
    {ax}
    """
    table = _table_arg("table", table, ["relative_sacrifices", "relative_benefits"], "a value_map table")
    names = _names_arg(names)
    if competitor is not None:
        _check.text("competitor", competitor)
    ax = axes_arg(ax) or plt.gca()
    x, y = table["relative_sacrifices"].to_numpy(float), table["relative_benefits"].to_numpy(float)
    lo = min(0.8, np.nanmin(x) - 0.05, np.nanmin(y) - 0.05)
    hi = max(1.2, np.nanmax(x) + 0.05, np.nanmax(y) + 0.05)
    ax.plot([lo, hi], [lo, hi], color="0.4", linewidth=1.2)
    ax.text(hi - 0.02 * (hi - lo), hi - 0.06 * (hi - lo), "fair value", rotation=45, rotation_mode="anchor",
            ha="right", va="bottom", fontsize=8, color="0.35", transform_rotates_text=True)
    ax.fill_between([lo, hi], [lo, hi], [hi, hi], color=_KEPT, alpha=0.06)
    ax.fill_between([lo, hi], [lo, lo], [lo, hi], color=_EXCLUDED, alpha=0.06)
    ax.scatter([1], [1], marker="s", color="0.3", s=50, zorder=3, label=competitor or "competitor")
    # each group a colour, named in the legend below the chart (names at the points collide);
    # respondents without a segment are no segment: not drawn, and said so under the legend
    colours = plt.get_cmap("tab10").colors
    kept = [(g, xi, yi) for g, xi, yi in zip(table.index, x, y) if g != "(missing)"]
    for i, (group, xi, yi) in enumerate(kept):
        overall = group == "all"
        label = "all customers" if overall else (f"{group}: {names[group]}" if names and group in names else str(group))
        ax.scatter([xi], [yi], s=110 if overall else 60, marker="D" if overall else "o", zorder=4,
                   color="0.1" if overall else colours[(i - 1) % len(colours)], edgecolor="white", label=label)
    ax.text(0.03, 0.97, "better value than the competitor", transform=ax.transAxes, va="top", fontsize=9,
            color=_KEPT)
    ax.text(0.97, 0.03, "worse value", transform=ax.transAxes, ha="right", fontsize=9, color=_EXCLUDED)
    legend = ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), frameon=False, fontsize=8, ncol=1)
    if "(missing)" in table.index and "n" in table:
        n = int(table.loc["(missing)", "n"])
        legend.set_title(f"not drawn: {n:,} customer{'s' if n != 1 else ''} without a segment (incomplete profile)",
                         prop={"size": 8})
        legend._legend_box.align = "left"
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("relative sacrifices (ours / competitor's)")
    ax.set_ylabel("relative benefits (ours / competitor's)")
    return ax


@share_docs
def plot_scenario_shares(summary: pd.DataFrame, *, names: dict | None = None, lang: str = "en",
                         ax: plt.Axes | None = None) -> plt.Axes:
    """Share of customers with value destroyed before and after a scenario, per segment
    (the ``summary`` of :meth:`valuekit.decide.scenario.ScenarioEngine.apply`), with the Wilson
    intervals as error bars where the summary has them. Before is grey; after is green where
    fewer customers have value destroyed, red where more (where the summary has the
    change's interval: only where it excludes zero), blue where it is unchanged.

    Parameters
    ----------
    summary : DataFrame
        The ``summary`` of :meth:`valuekit.decide.scenario.ScenarioEngine.apply`.
    {names}
    {lang}
    {ax}
    """
    from matplotlib.legend_handler import HandlerTuple  # deferred: a legend entry of several colours
    from matplotlib.patches import Patch  # deferred: legend entries

    summary = _table_arg("summary", summary, ["share_destroyed_before", "share_destroyed_after"],
                         "the summary of ScenarioEngine.apply")
    names = _names_arg(names)
    lang = lang_arg(lang)
    ax = axes_arg(ax) or plt.gca()
    y = np.arange(len(summary))
    bounds = [summary[f"share_destroyed_change_{k}"].to_numpy(dtype=float)
              if f"share_destroyed_change_{k}" in summary else None for k in ("low", "high")]
    after_colours = _destroyed_colours(summary["share_destroyed_before"].to_numpy(dtype=float),
                                       summary["share_destroyed_after"].to_numpy(dtype=float), *bounds)
    for key, offset, color in (("before", -0.2, "0.72"), ("after", 0.2, after_colours)):
        values = summary[f"share_destroyed_{key}"].to_numpy()
        err = None
        if f"share_destroyed_{key}_low" in summary:
            err = np.vstack([values - summary[f"share_destroyed_{key}_low"].to_numpy(),
                             summary[f"share_destroyed_{key}_high"].to_numpy() - values])
        ax.barh(y + offset, values, height=0.4, color=color, xerr=err,
                error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.3"})
    names = names or {}
    labels = [str(names.get(s, s)) if s == "all" else f"{s}: {names[s]}" if s in names else str(s)
              for s in summary.index]
    _bar_labels(ax, y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_PercentAxis(lang=lang))
    ax.set_xlabel(ui_text("ui_customers_destroyed", lang))
    shown = tuple(Patch(color=c) for c in dict.fromkeys(after_colours))
    ax.legend([Patch(color="0.72"), shown], [ui_text("ui_before", lang), ui_text("ui_after", lang)],
              handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, loc="lower left", bbox_to_anchor=(0, 1.0),
              ncol=2, frameon=False, borderaxespad=0.2)  # above the bars: never on an error bar
    return ax


def _bar_labels(ax, y, labels: list[str], width: int = 32) -> None:
    """Long names wrapped on ``width`` characters, in a font small enough that each fits its
    bar's slot of the axes' height (never below 6 points): long segment or scenario names
    neither run into each other nor are cut."""
    from matplotlib.font_manager import FontProperties  # deferred: the tick labels' size

    wrapped = [textwrap.fill(text, width) for text in labels]
    ax.set_yticks(y, wrapped)
    lines = max([t.count("\n") + 1 for t in wrapped] or [1])
    slot = ax.get_position().height * ax.figure.get_figheight() * 72 / max(len(wrapped), 1)
    size = FontProperties(size=mpl.rcParams["ytick.labelsize"]).get_size_in_points()
    if lines * size * 1.25 > 0.9 * slot:
        ax.tick_params(axis="y", labelsize=max(6.0, 0.9 * slot / (1.25 * lines)))


def _destroyed_colours(before, after, low=None, high=None) -> list:
    """Per bar: green where fewer customers have value destroyed after, red where more (only
    where the change's interval, when given, excludes zero), blue otherwise. Fewer customers
    with value destroyed is an improvement: it is never red."""
    if low is None or high is None:
        low = high = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    return [_HIGHER_GOOD if h < 0 else _LOWER_GOOD if lo > 0 else _KEPT for lo, h in zip(low, high)]


@share_docs
def plot_scenario_comparison(table: pd.DataFrame, *, lang: str = "en", ax: plt.Axes | None = None) -> plt.Axes:
    """Saved scenarios side by side: the share destroyed after each, with its interval, and
    the share before as a dashed line (``table`` from :func:`valuekit.decide.scenario.compare_scenarios`).
    A bar is green where the scenario leaves fewer customers with value destroyed, red where
    more (only where the change's interval, when the table has it, excludes zero), blue
    otherwise; the legend stands above the bars.

    Parameters
    ----------
    table : DataFrame
        :func:`valuekit.decide.scenario.compare_scenarios` output.
    {lang}
    {ax}
    """

    table = frame_arg("table", table, "a compare_scenarios table")
    rows = ["share_destroyed_before", "share_destroyed_after", "share_destroyed_after_low",
            "share_destroyed_after_high"]
    missing = [r for r in rows if r not in table.index]
    if missing:
        raise ParameterError(f"table: row(s) {missing} not found; expected the compare_scenarios table",
                             name="table")
    lang = lang_arg(lang)
    ax = axes_arg(ax) or plt.gca()
    after = table.loc["share_destroyed_after"].to_numpy(dtype=float)
    err = np.vstack([after - table.loc["share_destroyed_after_low"].to_numpy(dtype=float),
                     table.loc["share_destroyed_after_high"].to_numpy(dtype=float) - after])
    y = np.arange(len(after))
    colours = _destroyed_colours(table.loc["share_destroyed_before"].to_numpy(dtype=float), after,
                                 *(table.loc[f"share_destroyed_change_{k}"].to_numpy(dtype=float)
                                   if f"share_destroyed_change_{k}" in table.index else None for k in ("low", "high")))
    ax.barh(y, after, height=0.6, color=colours, xerr=err, error_kw={"elinewidth": 0.8, "capsize": 3})
    before = float(table.loc["share_destroyed_before"].iloc[0])
    ax.axvline(before, color="0.3", ls="--", lw=1,
               label=f"{ui_text('ui_destroyed_before', lang)}: "
                     f"{format_number(before, 'percent', lang).replace('-', chr(0x2212))}")
    _bar_labels(ax, y, [str(c) for c in table.columns], 30)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_PercentAxis(lang=lang))
    ax.set_xlabel(ui_text("ui_destroyed_after", lang))
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, borderaxespad=0.2)  # above the bars
    return ax


# -- is a group really different? -----------------------------------------------------

_HIGHER_GOOD, _LOWER_GOOD, _NOT_COMPARED = "#1b7837", "#b2182b", "0.65"


def _good_for_customer(kind: str, measure: str, up: bool) -> bool:
    """As in :func:`valuekit.analyse.significance.style_comparisons`: a higher benefit or index (not
    the sacrifices index) is good, a higher sacrifice or share destroyed is bad."""
    return up if kind in ("benefit", "index") and measure != "sacrifices" else not up


@share_docs
def plot_group_means(table: pd.DataFrame, *, grouping: str | None = None, measure: str,
                     names: dict | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Each group's value with its interval, against the rest of the sample, for one measure.

    Draws one grouping and one measure of a :func:`valuekit.analyse.significance.compare_groups`
    table: each group's ``group_value`` as a point with its own interval
    (``group_ci_low`` to ``group_ci_high``) as error bars, and the value of the rest of the
    sample it was tested against (``rest_value``) as a short dashed line across the group's
    slot. Findings (significant after adjustment and above the effect-size floor) are filled
    triangles, ▲ higher or ▼ lower than the rest, green where that is good for the customer
    and red where it is bad (the colours of :func:`~valuekit.analyse.significance.style_comparisons`);
    the other compared groups are hollow circles, and groups that were not compared (a
    ``note``) are grey. Shares are shown in %.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`valuekit.analyse.significance.compare_groups`.
    grouping : str, optional
        Which grouping of the table; default the first one (as in ``style_comparisons``).
    measure : str
        Which measure (a value of the ``measure`` column, e.g. ``"value_ratio"``).
    {names}
    {ax}

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        An unknown grouping or measure (naming it and the available ones).
    """
    t, grouping = _group_means_rows(table, grouping, measure)
    names = _names_arg(names)
    ax = axes_arg(ax)
    ax = ax or plt.gca()
    share = bool((t["statistic_type"] == "share").any())
    x = np.arange(len(t))
    present = {_group_point(ax, xi, r, measure) for xi, (_, r) in zip(x, t.iterrows())}
    rest = t["rest_value"].to_numpy(float)
    shown = np.isfinite(rest)
    if shown.any():
        ax.hlines(rest[shown], x[shown] - 0.38, x[shown] + 0.38, colors="0.45", linestyles="--",
                  linewidth=1.2, zorder=2, label="rest of the sample")
    ticks, key = _group_ticks(ax, t, names)
    ax.set_xticks(x, ticks)
    if key:  # the ticks carry each group's mark and its respondents
        ax.set_xlabel(f"{str(grouping).replace('_', ' ')} (respondents); names below", fontsize=9)
    ax.set_xlim(-0.6, len(t) - 0.4)
    if share:
        ax.yaxis.set_major_formatter(_PercentAxis())
    label = t["label"].iloc[0] if len(t) else measure
    level = table.attrs.get("confidence", 0.95)
    ax.set_ylabel(f"{'share of customers' if share else 'mean'} ({level:.0%} CI)")
    ax.set_title(f"{label} by {str(grouping).replace('_', ' ')}")
    _group_means_legend(ax, present, shown.any(), ticks, key)
    return ax


def _group_ticks(ax, t: pd.DataFrame, names: dict | None) -> tuple[list[str], list[str]]:
    """Each group's tick label with its n, its name wrapped to the width a group has; when a
    name would need more than four lines there, the ticks carry the groups' numbers only and
    the names go to a key under the chart (returned second), one line each, never cut."""
    named = [f"{g}: {names[g]}" if names and g in names else str(g) for g in t["group"]]
    inches = ax.get_position().width * ax.figure.get_figwidth() / max(len(t), 1)
    size = mpl.font_manager.FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size_in_points()
    width = max(6, int(inches * 72 / (0.62 * size)))  # characters of an average width that fit
    wrapped = [textwrap.fill(label, width) for label in named]
    if max((w.count("\n") + 1 for w in wrapped), default=1) <= 4:
        return [f"{w}\nn = {n}" for w, n in zip(wrapped, t["n"])], []
    # numbers only: a group id too long for its place (e.g. "(missing)") is keyed by a letter
    short, letters = [], iter("abcdefghijklmnopqrstuvwxyz")
    for g in t["group"]:
        short.append(str(g) if len(str(g)) <= 3 else next(letters, "?"))
    key = [label if label.startswith(f"{g}:") else f"{mark}: {label}"
           for mark, g, label in zip(short, t["group"], named)]
    return [f"{mark}\n{n:,}" for mark, n in zip(short, t["n"])], key


def _group_means_rows(table, grouping, measure) -> tuple[pd.DataFrame, str]:
    """The comparison table's rows of one grouping and measure (the first grouping by default)."""
    table = _table_arg("table", table, ["grouping", "group", "measure", "label", "kind", "statistic_type", "n",
                                        "group_value", "group_ci_low", "group_ci_high", "rest_value", "finding",
                                        "direction", "note"], "a compare_groups table")
    groupings = list(dict.fromkeys(table["grouping"]))
    if grouping is None:
        if not groupings:
            raise ParameterError("table: the comparison table is empty: nothing to plot", name="table")
        grouping = groupings[0]
    if grouping not in groupings:
        raise ParameterError(f"grouping {grouping!r} not in the comparison table; available: {groupings}",
                             name="grouping")
    t = table[table["grouping"] == grouping]
    measures = list(dict.fromkeys(t["measure"]))
    if not isinstance(measure, str) or measure not in measures:
        raise ParameterError(f"measure {measure!r} not in the comparison table for grouping {grouping!r}; "
                             f"available: {measures}", name="measure")
    return t[t["measure"] == measure], grouping


def _group_point(ax, xi: float, r: pd.Series, measure: str) -> str:
    """One group's value with its interval, marked as a finding good or bad for customers, no
    clear difference, or not compared (which it returns, for the legend)."""
    value, low, high = (float(r[c]) for c in ("group_value", "group_ci_low", "group_ci_high"))
    if not np.isfinite(value):
        ax.text(xi, 0.03, "not\ncompared", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=8, color=_NOT_COMPARED)
        return "not compared"
    yerr = (np.clip([[value - low], [high - value]], 0, None) if np.isfinite(low) and np.isfinite(high)
            else None)
    if r["note"]:
        style, kind = dict(fmt="o", color=_NOT_COMPARED, mfc="white"), "not compared"
    elif r["finding"]:
        up = r["direction"] == "higher"
        colour = _HIGHER_GOOD if _good_for_customer(r["kind"], measure, up) else _LOWER_GOOD
        style = dict(fmt="^" if up else "v", color=colour, mfc=colour)
        kind = "good" if colour == _HIGHER_GOOD else "bad"
    else:
        style, kind = dict(fmt="o", color="0.25", mfc="white"), "no clear difference"
    ax.errorbar([xi], [value], yerr=yerr, ms=8, capsize=4, linewidth=1.5, zorder=3, **style)
    return kind


def _group_means_legend(ax, present: set, rest_shown: bool, ticks: list[str], key: list[str] = ()) -> None:
    """The legend of the marks drawn, below the tick labels whatever their number of lines,
    then the groups' names when the ticks carry only their numbers (``key``)."""
    entries = {"good": Line2D([], [], marker="^", linestyle="", color=_HIGHER_GOOD, label="finding: good for customers"),
               "bad": Line2D([], [], marker="v", linestyle="", color=_LOWER_GOOD, label="finding: bad for customers"),
               "no clear difference": Line2D([], [], marker="o", linestyle="", color="0.25", mfc="white",
                                             label="no clear difference"),
               "not compared": Line2D([], [], marker="o", linestyle="", color=_NOT_COMPARED, mfc="white",
                                      label="not compared")}
    handles = [h for key, h in entries.items() if key in present]
    if rest_shown:
        handles.append(Line2D([], [], color="0.45", linestyle="--", label="rest of the sample"))
    handles += [Line2D([], [], linestyle="none", label=name) for name in key]
    lines = max((tick.count("\n") + 1 for tick in ticks), default=1)  # the pad is in legend font sizes
    lines += 1.5 if ax.get_xlabel() else 0
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=1 if key else min(2, len(handles)),
              frameon=False, fontsize=8, borderaxespad=(12 + 12 * lines) / 8)


@share_docs
def plot_trend(trends: pd.DataFrame, measure: str, *, comparisons: pd.DataFrame | None = None,
               scope: str = "all", names: dict | None = None, ax: plt.Axes | None = None,
               codebook=None, lang: str = "en") -> plt.Axes:
    """One measure across survey waves: a line per group, its interval as a band.

    The x axis names the waves by their labels (``"2025-03"``, ``"March 2025"``); a wave
    labelled by a bare number is written "Wave 1" (in ``lang``), or by the codebook's
    label of ``wave_<number>`` when it has one (``labels: wave_1: {{en: March 2025}}``).

    Parameters
    ----------
    trends : DataFrame
        :func:`valuekit.analyse.waves.wave_trends` output.
    measure : str
        The measure to draw (e.g. ``"money"``, ``"value_ratio"``, ``"share_destroyed"``).
    comparisons : DataFrame, optional
        :func:`valuekit.analyse.waves.compare_waves` output: a change that is a finding (significant
        after adjustment and above the effect-size floor) is marked on the later wave with
        ▲ or ▼ and its difference, green where the change is good for customers and red
        where it is bad (a higher sacrifice or share destroyed is bad), as a second legend
        explains; nothing else is marked.
    scope : str, default "all"
        ``"all"`` for the whole sample, or the grouping's name (e.g. ``"segment"``) for one
        line per group.
    names : dict, optional
        Display names of the groups.
    {ax}
    {codebook}
    {lang}
    """
    trends = _table_arg("trends", trends, ["scope", "group", "measure", "label", "statistic_type", "wave",
                                           "value", "ci_low", "ci_high"], "a wave_trends table")
    measure = _check.text("measure", measure)
    scope = _check.text("scope", scope)
    names = _names_arg(names)
    codebook = _optional_codebook(codebook)
    lang = lang_arg(lang)
    for column, value, table in (("measure", measure, trends), ("scope", scope, trends)):
        if value not in set(table[column]):
            raise ParameterError(f"{column}: {value!r} is not in the trends table; it has "
                                 f"{list(dict.fromkeys(table[column]))}", name=column)
    if comparisons is not None:
        comparisons = _table_arg("comparisons", comparisons, ["scope", "group", "measure", "wave", "finding",
                                                              "direction", "diff"], "a compare_waves table")
    ax = axes_arg(ax) or plt.gca()
    t = trends[(trends["measure"] == measure) & (trends["scope"] == scope)]
    waves = [str(w) for w in (t["wave"].cat.categories if isinstance(t["wave"].dtype, pd.CategoricalDtype)
                              else list(dict.fromkeys(t["wave"])))]
    x_of = {w: i for i, w in enumerate(waves)}
    share = t["statistic_type"].iloc[0] == "share"
    palette = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i not in (2, 3)]  # green, red: good, bad
    marks, kinds = [], set()
    for k, (group, g) in enumerate(t.groupby("group", sort=False, observed=True)):
        g = g.sort_values("wave")
        x = np.array([x_of[str(w)] for w in g["wave"]])
        colour = palette[k % len(palette)]
        label = (ui_text("ui_all_customers", lang, codebook).lower() if group == "all"
                 else ui_text("ui_no_segment", lang, codebook) if group == "(missing)"  # never a segment
                 else f"{group}: {names[group]}" if names and group in names else str(group))
        ax.plot(x, g["value"], marker="o", color=colour, label=label)
        ax.fill_between(x, g["ci_low"].to_numpy(float), g["ci_high"].to_numpy(float), color=colour, alpha=0.18,
                        linewidth=0)
        if comparisons is not None:
            found = comparisons[(comparisons["scope"] == scope) & (comparisons["group"] == group)
                                & (comparisons["measure"] == measure) & comparisons["finding"]]
            marks += _trend_marks(ax, found, g, x_of, measure, share, kinds)
    ax.set_xticks(range(len(waves)), [_wave_label(w, codebook, lang) for w in waves])
    ax.set_xlim(-0.3, len(waves) - 0.7)
    ax.set_xlabel(_chart_text("trend_waves", lang, codebook))
    level = trends.attrs.get("confidence", 0.95)
    ax.set_ylabel(f"{t['label'].iloc[0]} ({level:.0%} CI)")
    if share:
        ax.yaxis.set_major_formatter(_PercentAxis())
    _trend_legends(ax, scope != "all", kinds, lang, codebook)
    _keep_marks_inside(ax, marks)
    return ax


def _wave_label(wave: str, codebook, lang: str) -> str:
    """A wave's tick label: the codebook's label of ``wave_<wave>``, else the wave's own label,
    written "Wave 3" when that is a bare number."""
    if codebook is not None and codebook.label(f"wave_{wave}", lang) != f"wave_{wave}":
        return codebook.label(f"wave_{wave}", lang)
    return _chart_text("trend_wave", lang, codebook, wave=wave) if wave.strip().isdigit() else wave


def _trend_marks(ax, found: pd.DataFrame, g: pd.DataFrame, x_of: dict, measure: str, share: bool,
                 kinds: set) -> list:
    """The findings of one line, each on its later wave: ▲ or ▼ and the difference, green when
    the change is good for customers and red when it is bad (adds "good" or "bad" to ``kinds``)."""
    marks = []
    for _, r in found.iterrows():
        at = g[g["wave"].astype(str) == str(r["wave"])]
        if at.empty:
            continue
        up, last = r["direction"] == "up", x_of[str(r["wave"])] == len(x_of) - 1
        kind = str(r["kind"]) if "kind" in r.index else "score"
        if kind == "score":  # no codebook behind the table: a sacrifice by its name
            kind = "sacrifice" if measure.split("__")[0] in SACRIFICES else "benefit"
        good = _good_for_customer(kind, measure, up)
        kinds.add("good" if good else "bad")
        colour = _HIGHER_GOOD if good else _LOWER_GOOD
        diff = f"{r['diff']:+.0%}" if share else f"{r['diff']:+.2f}"
        marks.append(ax.annotate(
            f"{'▲' if up else '▼'} {diff}", (x_of[str(r["wave"])], float(at["value"].iloc[0])),
            textcoords="offset points", xytext=(-4 if last else 0, 9 if up else -9), ha="right" if last else "center",
            va="bottom" if up else "top",
            fontsize=9, color=colour, fontweight="bold", zorder=5,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor=colour, linewidth=0.8)))
    return marks


def _trend_legends(ax, groups: bool, kinds: set, lang: str, codebook) -> None:
    """The groups' legend under the axes (when there are groups) and the key of the marks'
    colours above them (a legend of its own: ``ax.get_legend()`` stays the groups')."""
    if groups:
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=1,
                  borderaxespad=_below_xlabel(ax) / 8)
    if not kinds:
        return
    handles = [Line2D([], [], marker="^", linestyle="", color=colour, markersize=8,
                      label=_chart_text(f"trend_{kind}", lang, codebook))
               for kind, colour in (("good", _HIGHER_GOOD), ("bad", _LOWER_GOOD)) if kind in kinds]
    key = mpl.legend.Legend(ax, handles, [h.get_label() for h in handles], fontsize=8, frameon=False,
                            loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles), borderaxespad=0.2)
    ax.add_artist(key)
    key.set_clip_on(False)  # outside the axes, and counted in their tight box (tight_layout)


def _keep_marks_inside(ax, marks: list) -> None:
    """Room above and below the lines for the marks of the findings, and marks at one wave
    moved apart so none covers another."""
    if not marks:
        return
    low, high = ax.get_ylim()
    ax.set_ylim(low - 0.12 * (high - low), high + 0.12 * (high - low))
    renderer = ax.figure.canvas.get_renderer()
    boxes = []
    for mark in sorted(marks, key=lambda m: m.xy[1]):
        box = mark.get_window_extent(renderer)
        for other in boxes:
            if box.overlaps(other):
                shift = (other.y1 - box.y0 + 2) * 72 / ax.figure.dpi
                mark.xyann = (mark.xyann[0], mark.xyann[1] + shift)
                box = mark.get_window_extent(renderer)
        boxes.append(box)


# -- the value path model --------------------------------------------------------------

def _coefficient(value: float, sign: bool = True) -> str:
    """A standardized estimate as on a path diagram: ``+.62``, ``-.04``, ``+1.02``
    (``.83`` without the sign, for an R²)."""
    if not np.isfinite(value):
        return "n/a"
    digits = f"{abs(value):.2f}"
    digits = digits[1:] if digits.startswith("0") else digits
    return (("-" if value < 0 and digits != ".00" else "+") if sign else "") + digits


@share_docs
def plot_path_diagram(result, *, ax: plt.Axes | None = None, lang: str = "en", codebook=None,
                      show_direct: bool = True) -> plt.Axes:
    """Path diagram of the value path model: factors -> overall value -> outcomes.

    The factors are ellipses in a left column, the benefit dimensions above the
    sacrifices (tinted apart); the mediator is in the middle and the outcomes on the
    right, each a rectangle when it is a single observed item and an ellipse when it is a
    factor of several items, with its R² written under it (``"R² .83"``). Every path is
    an arrow labelled with its standardized estimate (``"+.62"``) and as wide as its size;
    significant paths are solid and dark, the others dashed and light grey. Direct paths
    from the factors to the outcomes (``direct=True``) are drawn thin and light so the
    paths through the mediator stay readable; without a mediator the factors' paths to
    the outcomes are the model and are drawn in full. Drawn with matplotlib alone.

    Parameters
    ----------
    result : PathResult
        Output of :func:`valuekit.measure.sem.value_path`.
    {ax}
    {lang}
    {codebook}
    show_direct : bool, default True
        Draw the direct paths that bypass the mediator (when the model has them).

    Returns
    -------
    Axes
    """

    from ..measure.sem import PathResult  # deferred: scikit-learn

    if not isinstance(result, PathResult):
        raise expected_error("result", "a PathResult (valuekit.measure.sem.value_path)", result)
    ax = axes_arg(ax)
    lang = lang_arg(lang)
    codebook = _optional_codebook(codebook)
    show_direct = _check.flag("show_direct", show_direct)
    ax = ax or plt.gca()

    def label(name: str) -> str:
        text = codebook.label(name, lang) if codebook is not None else name
        return name.replace("_", " ") if text == name else text

    mediator = result.mediator
    outcomes = [o for o in result.outcomes if o != mediator]
    benefits, sacrifices, shown = _path_parts(result, outcomes, show_direct)
    latent = set(result.loadings["factor"]) if "factor" in getattr(result.loadings, "columns", ()) else set()
    beside = mediator is not None and any(p["kind"] == "direct" for p in shown)

    # layout: factors top to bottom (benefits, a gap, sacrifices), the mediator level with
    # their middle, the outcomes spread over the same height on the right
    pos, right = _path_layout(benefits, sacrifices, mediator, outcomes, beside)
    r2 = result.r2.set_index("variable")["r2"] if len(result.r2) else pd.Series(dtype=float)
    nodes = _path_nodes(ax, pos, benefits, sacrifices, latent, r2, label)
    into, port_in, port_out = _path_ports(pos, shown)
    labels = [_path_arrow(ax, p, pos, nodes, into, port_in, port_out, mediator, beside) for p in shown]
    _path_frame(ax, pos, right)
    _path_place_labels(ax, labels, nodes)
    if shown:
        handles = [Line2D([], [], color=_PATH_STYLE["significant"][0], linewidth=2.5,
                          label=_chart_text("path_significant", lang, codebook)),
                   Line2D([], [], color=_PATH_STYLE["not significant"][0], linewidth=0.8, linestyle="--",
                          label=_chart_text("path_not_significant", lang, codebook))]
        if beside:
            handles.append(Line2D([], [], color=_PATH_STYLE["direct"][0], linewidth=1.2,
                                  label=_chart_text("path_direct", lang, codebook, mediator=label(mediator))))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
                  frameon=False, fontsize=8)
    return ax


def _path_parts(result, outcomes: list, show_direct: bool) -> tuple[list, list, list]:
    """A path model's benefit factors, sacrifice factors and the paths drawn: those through
    the mediator in full, the direct ones beside it when asked for."""
    paths, mediator = result.paths, result.mediator
    endogenous = ([mediator] if mediator else []) + outcomes
    factors = [s for s in dict.fromkeys(paths["source"]) if s not in endogenous] if len(paths) else []
    sacrifices = [f for f in factors if f in SACRIFICES or f == "sacrifices"]
    benefits = [f for f in factors if f not in sacrifices]
    shown = [p for _, p in paths.iterrows()
             if (show_direct or mediator is None or p["kind"] != "direct")
             and p["source"] in factors + endogenous and p["target"] in endogenous]
    return benefits, sacrifices, shown


def _path_frame(ax: plt.Axes, pos: dict, right: float) -> None:
    """Equal scales, no axes, and limits around every node of a path diagram."""
    ax.set_aspect("equal")
    width, height = _NODE_WIDTH, _NODE_HEIGHT
    low = min((yy for _, yy in pos.values()), default=0.0)
    high = max((yy for _, yy in pos.values()), default=0.0)
    ax.set_xlim(-width / 2 - 0.3, right + width / 2 + 0.3)
    ax.set_ylim(low - height / 2 - 0.5, high + height / 2 + 0.3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_axis_off()


_NODE_WIDTH, _NODE_HEIGHT = 2.4, 0.78  # a path diagram's boxes, in data units


def _path_layout(benefits: list, sacrifices: list, mediator, outcomes: list, beside: bool):
    """Where each box of the path diagram goes: the factors in a column (benefits, a gap,
    sacrifices), the mediator level with their middle, the outcomes spread over the same
    height on the right (further right when direct paths run beside the mediator)."""
    step, gap = 1.0, 0.6
    pos: dict[str, tuple[float, float]] = {}
    y = 0.0
    for k, f in enumerate(benefits + sacrifices):
        if benefits and sacrifices and f == sacrifices[0]:
            y -= gap
        pos[f] = (0.0, y)
        y -= step
    bottom = y + step if benefits + sacrifices else 0.0
    middle = bottom / 2
    right = 10.0 if beside else 9.0
    if mediator:
        pos[mediator] = (4.5, middle)
    span = max(-bottom, 1.4 * (len(outcomes) - 1))
    for k, o in enumerate(outcomes):
        pos[o] = (right, middle + (span / 2 - span * k / (len(outcomes) - 1) if len(outcomes) > 1 else 0.0))
    return pos, right


def _path_nodes(ax, pos: dict, benefits: list, sacrifices: list, latent: set, r2, label) -> dict:
    """The boxes: an ellipse per factor (benefits and sacrifices tinted apart), a rectangle
    per single observed outcome, each named, with its R² under the name when it has one."""

    nodes = {}
    for name, (x, yy) in pos.items():
        kind = "sacrifice" if name in sacrifices else "benefit" if name in benefits else "endogenous"
        face = {"benefit": "#dbe4f0", "sacrifice": "#f3dcdd", "endogenous": "white"}[kind]
        tall = _NODE_HEIGHT + (0.3 if kind == "endogenous" else 0.0)  # room for the R² inside
        if kind == "endogenous" and name not in latent:  # a single observed item
            patch = Rectangle((x - _NODE_WIDTH / 2, yy - tall / 2), _NODE_WIDTH, tall, facecolor=face,
                              edgecolor="0.2", linewidth=1.2, zorder=3)
        else:
            patch = Ellipse((x, yy), _NODE_WIDTH, tall, facecolor=face, edgecolor="0.2", linewidth=1.2, zorder=3)
        ax.add_patch(patch)
        nodes[name] = patch
        shift = 0.1 if kind == "endogenous" else 0.0
        ax.text(x, yy + shift, textwrap.fill(label(name), 16), ha="center", va="center", fontsize=8, zorder=4)
        if kind == "endogenous" and name in r2.index and np.isfinite(r2[name]):
            ax.text(x, yy - tall / 2 + 0.16, f"R² {_coefficient(float(r2[name]), sign=False)}", ha="center",
                    va="center", fontsize=7, color="0.3", zorder=4)
    return nodes


def _path_ports(pos: dict, shown: list):
    """Each arrow leaves and enters its box at its own height (ordered top to bottom), so
    the heads do not pile up on one point. Returns the sources into each node and the
    offsets of the arrows' ends."""
    def ports(ends: dict[str, list[str]]) -> dict[tuple[str, str], float]:
        out = {}
        for node, others in ends.items():
            others = sorted(others, key=lambda o: -pos[o][1])
            n = len(others)
            for k, o in enumerate(others):
                out[node, o] = (0.5 - k / (n - 1)) * 0.7 * _NODE_HEIGHT if n > 1 else 0.0
        return out

    into, out_of = {}, {}
    for p in shown:
        into.setdefault(p["target"], []).append(p["source"])
        out_of.setdefault(p["source"], []).append(p["target"])
    port_in, port_out = ports(into), ports(out_of)
    return into, port_in, port_out


#: Colour and line style of a path diagram's arrows: significant paths dark, the others light
#: grey, dashed and thin; the direct paths beside the mediator mid-grey.
_PATH_STYLE = {"significant": ("0.1", "-"), "not significant": ("0.72", "--"), "direct": ("0.5", "-")}


def _path_arrow(ax, p, pos: dict, nodes: dict, into: dict, port_in: dict, port_out: dict, mediator,
                beside: bool) -> dict:
    """One path: an arrow, thick and dark when significant (as wide as its standardized
    estimate), thin, light and dashed when not; the direct paths beside the mediator in a
    mid-grey and thinner. Writes its estimate, to be placed along it (see
    :func:`_path_place_labels`); returns the label and where the visible arrow runs."""

    source, target = p["source"], p["target"]
    side = mediator is not None and p["kind"] == "direct"
    size = abs(float(p["std_estimate"])) if np.isfinite(p["std_estimate"]) else 0.0
    significant = bool(p["significant"])
    crowded = p["kind"] == "direct" and len(into[target]) > 5  # every factor straight to each outcome
    if not significant:  # at most 0.9 wide: thinner than any significant path
        (colour, style), linewidth = _PATH_STYLE["not significant"], 0.4 + 0.5 * min(size, 1.0)
    elif side:
        (colour, style), linewidth = _PATH_STYLE["direct"], 1.0 + 1.2 * size
    else:
        (colour, style), linewidth = _PATH_STYLE["significant"], 1.2 + (3 if crowded else 4.5) * size
    fontsize = 6 if side else 7 if crowded else 8
    x0, y0 = pos[source][0], pos[source][1] + port_out[source, target]
    x1, y1 = pos[target][0], pos[target][1] + port_in[target, source]
    arrow = FancyArrowPatch((x0, y0), (x1, y1), patchA=nodes[source], patchB=nodes[target],
                            arrowstyle="-|>", mutation_scale=8 + 4 * size, linewidth=linewidth,
                            linestyle=style, color=colour, zorder=1 if side else 2)
    ax.add_patch(arrow)
    start, end = np.array([x0, y0]), np.array([x1, y1])
    t0, t1 = _leaves(nodes[source], start, end), 1 - _leaves(nodes[target], end, start)
    text = ax.text(*(start + 0.5 * (end - start)), _coefficient(float(p["std_estimate"])), ha="center",
                   va="center", fontsize=fontsize, color="0.1" if significant and not side else "0.4",
                   zorder=2.5 if side else 4,
                   bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.9))
    return {"text": text, "from": start + t0 * (end - start), "to": start + t1 * (end - start), "side": side}


def _leaves(patch, start: np.ndarray, end: np.ndarray) -> float:
    """How far along the line from ``start`` (inside ``patch``) to ``end`` it leaves the patch (0-1)."""
    inside = functools.partial(patch.get_path().contains_point, transform=patch.get_patch_transform())
    low, high = 0.0, 1.0
    if not inside(start):
        return 0.0
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if inside(start + middle * (end - start)) else (low, middle)
    return high


#: Where along its visible arrow a path's estimate may go, most wanted first (0.5: the middle).
_PATH_SPOTS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.21, 0.79)


def _path_place_labels(ax, labels: list[dict], nodes: dict) -> None:
    """Each estimate on its arrow, at the middle of the visible part when free, else at the
    nearest spot along it where it covers no other estimate and no box (the paths through
    the mediator placed first)."""
    if not labels:
        return
    ax.apply_aspect()
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [n.get_window_extent(renderer).padded(2) for n in nodes.values()]
    for item in sorted(labels, key=lambda item: item["side"]):
        best, least = None, np.inf
        for spot in _PATH_SPOTS:
            item["text"].set_position(item["from"] + spot * (item["to"] - item["from"]))
            box = item["text"].get_window_extent(renderer).padded(3)
            clash = sum(_overlap(box, other) for other in taken) + (0 if _within(box, frame) else 1e6)
            if clash < least:
                best, least = spot, clash
            if clash == 0:
                break
        item["text"].set_position(item["from"] + best * (item["to"] - item["from"]))
        taken.append(item["text"].get_window_extent(renderer).padded(3))


def _overlap(a, b) -> float:
    """The area two boxes (display pixels) share."""
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


def _within(box, frame) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def _literal_text(plot):
    """``plot``, drawing its texts as written: labels are data from the survey's files, so
    no ``$`` in them is read as mathtext. The texts the chart adds or changes (titles,
    labels, tick labels, legends, annotations) are marked literal; texts the caller drew
    before on the same figure are left as they were."""

    @functools.wraps(plot)
    def draw(*args, **kwargs):

        ax = kwargs.get("ax")
        fig = ax.figure if isinstance(ax, Axes) else plt.gcf() if plt.get_fignums() else None
        before = {id(t): t.get_text() for t in fig.findobj(Text)} if fig is not None else {}
        with mpl.rc_context({"text.parse_math": False}):  # texts made now, tick labels included
            out = plot(*args, **kwargs)
            fig = getattr(out, "figure", None) or out
            for axes in getattr(fig, "axes", []):
                for axis in (axes.xaxis, axes.yaxis):
                    axis.get_ticklabels(which="both")  # makes the ticks the chart's labels need
        for text in getattr(fig, "findobj", lambda _: [])(Text):
            if before.get(id(text)) != text.get_text():
                text.set_parse_math(False)
        return out

    return draw


for _name in __all__:
    globals()[_name] = _literal_text(globals()[_name])
del _name
