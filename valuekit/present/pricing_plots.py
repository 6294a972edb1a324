"""Charts of the price and attribute questions: Van Westendorp's price sensitivity chart, the
Newton–Miller–Smith trial and revenue curves, the Gabor–Granger revenue ladder, and Kano's
better/worse map. Each draws on ``ax`` and returns it; words in English, Spanish or Italian
(``reader.yaml``'s ``charts:``, a codebook's ``labels:`` over them).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate.args import axes_arg, expected_error
from ..survey.labels import lang_arg
from .plots import _chart_text, _literal_text, _optional_codebook, _place_labels
from .reader import format_number

__all__ = ["plot_price_sensitivity", "plot_trial_revenue", "plot_price_ladder", "plot_kano"]

_CHEAP, _DEAR = "#009E73", "#D55E00"  # R pricesensitivitymeter's colours (Okabe-Ito)
_KANO_COLOURS = {"A": "#0072B2", "O": "#009E73", "M": "#D55E00", "I": "#999999", "R": "#CC79A7", "Q": "#E69F00"}


def _money(value: float, currency: str | None, lang: str) -> str:
    value = float(value)
    text = format_number(value, "count" if value == round(value) else "decimal", lang)
    return f"{text} {currency}" if currency else text


def _price_chart_args(result, lang, codebook, ax):
    """The arguments of the two charts of a price_sensitivity result, checked; the Axes to draw on."""
    result = _result_arg(result, "PriceSensitivity", "a PriceSensitivity (price_sensitivity output)")
    return result, lang_arg(lang), _optional_codebook(codebook), axes_arg(ax) or plt.gca()


def _result_arg(value, kind: str, what: str):
    if type(value).__name__ != kind:
        raise expected_error("result", what, value)
    return value


@share_docs
def plot_price_sensitivity(result, *, lang: str = "en", codebook=None, ax: plt.Axes | None = None) -> plt.Axes:
    """Van Westendorp's chart: the shares finding each price too cheap, not cheap, not
    expensive and too expensive, the range of acceptable prices shaded, the optimal and
    indifference price points marked.

    Parameters
    ----------
    result : PriceSensitivity
        :func:`valuekit.analyse.pricing.price_sensitivity` output (its curves are everyone's).
    {lang}
    {codebook}
        Optional: its ``labels:`` override the chart's words.
    {ax}
    """
    result, lang, codebook, ax = _price_chart_args(result, lang, codebook, ax)
    c, cur = result.curves, result.questions.currency
    points = result.points[~result.points.index.duplicated()]["price"]
    for key, colour, style in (("too_cheap", _CHEAP, ":"), ("not_cheap", _CHEAP, "-"),
                               ("not_expensive", _DEAR, "-"), ("too_expensive", _DEAR, ":")):
        if key in c:
            ax.plot(c["price"], c[key], color=colour, linestyle=style, linewidth=1.8,
                    label=_chart_text(f"psm_{key}", lang, codebook))
    low, high = points.get("pmc", np.nan), points.get("pme", np.nan)
    if np.isfinite(low) and np.isfinite(high):
        ax.axvspan(low, high, color="0.85", zorder=0, label=_chart_text(
            "psm_range", lang, codebook, low=_money(low, cur, lang), high=_money(high, cur, lang)))
    marks = [(k, m) for k, m in (("opp", "^"), ("ipp", "D")) if np.isfinite(points.get(k, np.nan))]
    for k, marker in marks:
        ax.plot([points[k]], [_height(c, k, points[k])], marker=marker, color="0.15", linestyle="none", markersize=7,
                label=_chart_text(f"psm_{k}", lang, codebook, price=_money(points[k], cur, lang)))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: format_number(v, "percent", lang, digits=0)))
    ax.set_xlabel(_chart_text("psm_price", lang, codebook, currency=cur or "-"))
    ax.set_ylabel(_chart_text("psm_share", lang, codebook))
    ax.set_title(_chart_text("psm_n", lang, codebook, n=format_number(result.n, "count", lang)), fontsize=10)
    lo, hi = np.nanpercentile(c["price"], [0.5, 99.5])
    ax.set_xlim(lo, hi)  # the few extreme answers stretch nothing
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=2, frameon=False, fontsize=8)
    return ax


def _height(curves: pd.DataFrame, key: str, price: float) -> float:
    """Where the drawn curves crossing at ``price`` meet: too cheap × too expensive (the optimal
    point), not cheap × not expensive (the indifference point: cheap × expensive)."""
    column = "too_expensive" if key == "opp" else "not_expensive"
    return float(np.interp(price, curves["price"], curves[column]))


@share_docs
def plot_trial_revenue(result, *, lang: str = "en", codebook=None, ax: plt.Axes | None = None) -> plt.Axes:
    """Newton–Miller–Smith: the share who would buy at each price (left axis) and the revenue
    per respondent (right axis), with the price maximising each marked.

    Parameters
    ----------
    result : PriceSensitivity
        :func:`valuekit.analyse.pricing.price_sensitivity` output with the likelihood questions.
    {lang}
    {codebook}
        Optional: its ``labels:`` override the chart's words.
    {ax}
    """
    result, lang, codebook, ax = _price_chart_args(result, lang, codebook, ax)
    c, cur = result.curves, result.questions.currency
    if "trial" not in c:
        ax.text(0.5, 0.5, "the survey has no purchase-likelihood questions (buy_cheap, buy_expensive)",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    points = result.points[~result.points.index.duplicated()]
    right = ax.twinx()
    ax.plot(c["price"], c["trial"], color=_CHEAP, linewidth=1.8, label=_chart_text("nms_trial", lang, codebook))
    right.plot(c["price"], c["revenue"], color=_DEAR, linewidth=1.8, label=_chart_text("nms_revenue", lang, codebook))
    for key, axis, colour, what in (("max_trial", ax, _CHEAP, "nms_trial"), ("max_revenue", right, _DEAR,
                                                                                  "nms_revenue")):
        price = points.loc[key, "price"]
        if np.isfinite(price):
            axis.axvline(price, color=colour, linestyle="--", linewidth=1)
            axis.plot([price], [points.loc[key, "value"]], "o", color=colour, label=_chart_text(
                "nms_best", lang, codebook, what=_chart_text(what, lang, codebook),
                price=_money(price, cur, lang)))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: format_number(v, "percent", lang, digits=0)))
    ax.set_ylim(0, None)
    right.set_ylim(0, None)
    ax.set_xlabel(_chart_text("psm_price", lang, codebook, currency=cur or "-"))
    ax.set_ylabel(_chart_text("nms_trial", lang, codebook), color=_CHEAP)
    right.set_ylabel(_chart_text("nms_revenue", lang, codebook), color=_DEAR)
    lo, hi = np.nanpercentile(c["price"], [0.5, 99.5])
    ax.set_xlim(lo, hi)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.14), ncol=1, frameon=False, fontsize=8)
    return ax


@share_docs
def plot_price_ladder(result, *, currency: str | None = None, lang: str = "en", codebook=None,
                      ax: plt.Axes | None = None) -> plt.Axes:
    """Gabor–Granger: revenue per respondent at each price of the ladder with its interval,
    the share who would buy written on each bar, the rung earning most in a darker colour.

    Parameters
    ----------
    result : GaborGranger
        :func:`valuekit.analyse.pricing.gabor_granger` output (everyone's rows).
    currency : str, optional
        How prices are named (the codebook's ``gabor_granger.currency``).
    {lang}
    {codebook}
        Optional: its ``labels:`` override the chart's words; its ``gabor_granger.currency``
        names prices when ``currency`` is not given.
    {ax}
    """
    result = _result_arg(result, "GaborGranger", "a GaborGranger (gabor_granger output)")
    lang, codebook = lang_arg(lang), _optional_codebook(codebook)
    if currency is None and codebook is not None and codebook.gabor_granger is not None:
        currency = codebook.gabor_granger.currency
    ax = axes_arg(ax) or plt.gca()
    t = result.table if "group" not in result.table else result.table[result.table["group"] == "all"]
    best = float(result.best.iloc[0]["price"])
    x = np.arange(len(t))
    colours = [_DEAR if p == best else "#E8A27C" for p in t["price"]]
    err = np.vstack([t["revenue"] - t["revenue_low"], t["revenue_high"] - t["revenue"]])
    ax.bar(x, t["revenue"], color=colours, yerr=None if np.isnan(err).all() else err, capsize=4,
           error_kw={"elinewidth": 1, "ecolor": "0.3"})
    tops = np.where(np.isfinite(t["revenue_high"]), t["revenue_high"], t["revenue"]).astype(float)
    for xi, top, d in zip(x, tops, t["demand"]):
        ax.text(xi, top, format_number(d, "percent", lang, digits=0), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 1.12 * float(np.nanmax(tops)))
    ax.set_xticks(x, [_money(p, currency, lang) for p in t["price"]])
    ax.set_xlabel(textwrap.fill(_chart_text("gg_demand", lang, codebook, currency=currency or "-"), 55))
    ax.set_ylabel(_chart_text("gg_revenue", lang, codebook, currency=currency or "-"))
    share = result.best.iloc[0]["share"]
    title = [_money(best, currency, lang)]
    if np.isfinite(share):
        title[0] += ": " + _chart_text("gg_best", lang, codebook, share=format_number(share, "percent", lang, digits=0))
    edge = "gg_edge_low" if best == t["price"].iloc[0] else "gg_edge_high" if best == t["price"].iloc[-1] else None
    if edge:
        title.append(_chart_text(edge, lang, codebook))
    ax.set_title("\n".join(textwrap.fill(line, 60) for line in title), fontsize=10)
    return ax


@share_docs
def plot_kano(result, *, group="all", lang: str = "en", codebook=None, ax: plt.Axes | None = None) -> plt.Axes:
    """Kano's better/worse map: how much offering each attribute satisfies (up) against how
    much its absence dissatisfies (across), each with its interval, coloured by its
    category (the M > O > A > I rule where the two most frequent do not stand apart).

    Parameters
    ----------
    result : KanoResult
        :func:`valuekit.analyse.kano.kano` output.
    group : str, default "all"
        The group to draw, when the result has groups.
    {lang}
    {codebook}
        Optional: the attributes' names (its ``labels:``) and the chart's words.
    {ax}
    """
    result = _result_arg(result, "KanoResult", "a KanoResult (kano output)")
    lang, codebook = lang_arg(lang), _optional_codebook(codebook)
    t = result.table
    groups = set(t["group"]) if "group" in t else {"all"}
    if group not in groups:
        raise expected_error("group", f"one of the result's groups {sorted(map(str, groups))}", group)
    if "group" in t:
        t = t[t["group"] == group]
    ax = axes_arg(ax) or plt.gca()
    x, y = -t["worse"].to_numpy(float), t["better"].to_numpy(float)
    xerr = np.vstack([x - -t["worse_high"].to_numpy(float), -t["worse_low"].to_numpy(float) - x])
    yerr = np.vstack([y - t["better_low"].to_numpy(float), t["better_high"].to_numpy(float) - y])
    for i, cat in enumerate(t["decided"]):
        ax.errorbar(x[i], y[i], xerr=None if np.isnan(xerr[:, i]).all() else xerr[:, [i]],
                    yerr=None if np.isnan(yerr[:, i]).all() else yerr[:, [i]], fmt="o", color=_KANO_COLOURS[cat],
                    ecolor=_KANO_COLOURS[cat], elinewidth=1, capsize=3, markersize=7, zorder=3)
    names = [textwrap.fill(codebook.label(a, lang) if codebook else str(a), 22) for a in t.index]
    # each name starts beside its point, towards the middle of the map, so it stays inside the frame
    labels = [ax.text(xi + (0.03 if xi < 0.6 else -0.03), yi + 0.03, name, fontsize=8,
                      ha="left" if xi < 0.6 else "right") for xi, yi, name in zip(x, y, names)]
    ax.axhline(0.5, color="0.6", linestyle="--", linewidth=1)
    ax.axvline(0.5, color="0.6", linestyle="--", linewidth=1)
    for cat, xq, yq, ha, va in (("A", 0.02, 0.98, "left", "top"), ("O", 0.98, 0.98, "right", "top"),
                                ("I", 0.02, 0.02, "left", "bottom"), ("M", 0.98, 0.02, "right", "bottom")):
        ax.text(xq, yq, _chart_text(f"kano_{cat}", lang, codebook), transform=ax.transAxes, ha=ha, va=va,
                fontsize=9, color=_KANO_COLOURS[cat], style="italic")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(_chart_text("kano_worse", lang, codebook))
    ax.set_ylabel(_chart_text("kano_better", lang, codebook))
    _place_labels(ax, labels, x, y)
    present = list(dict.fromkeys(t["decided"]))
    handles = [plt.Line2D([], [], marker="o", linestyle="none", color=_KANO_COLOURS[c],
                          label=_chart_text(f"kano_{c}", lang, codebook)) for c in present]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=3, frameon=False, fontsize=8)
    return ax


for _name in __all__:
    globals()[_name] = _literal_text(globals()[_name])
del _name
