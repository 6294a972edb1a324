"""The what-if dashboard: ipywidgets over :class:`valuekit.scenario.ScenarioEngine`.

A thin view. Every number it shows comes from :meth:`ScenarioEngine.apply` and is
formatted by the functions below, which the tests and the browser test call too, so what
the page shows is exactly what the engine computes.
"""

from __future__ import annotations

import html as _html
import io
import itertools
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .scenario import COMMUNICATION_RANGE, LEVERS, Scenario, ScenarioEngine, ScenarioError

__all__ = ["WhatIfDashboard", "ComparisonExplorer", "format_share_destroyed", "format_outcome_changes",
           "format_comparisons"]


def format_share_destroyed(summary, segment="all") -> str:
    """'Value destroyed: 19.7% → 10.8%' for one row of a scenario summary."""
    row = summary.loc[segment]
    return f"Value destroyed: {row['share_destroyed_before']:.1%} → {row['share_destroyed_after']:.1%}"


def format_outcome_changes(summary, segment="all", labels: dict | None = None) -> str:
    """'Overall perceived value +0.30 · Satisfaction +0.36' (predicted mean change)."""
    parts = []
    for col in summary.columns:
        if col.endswith("_change"):
            name = col[: -len("_change")]
            parts.append(f"{(labels or {}).get(name, name)} {summary.loc[segment, col]:+.2f}")
    return " · ".join(parts) if parts else "no outcome model: outcome changes not shown"


class WhatIfDashboard:
    """Sliders for the levers, a segment filter, reset and save; live results.

    Parameters
    ----------
    engine : ScenarioEngine
    names : dict, optional
        Segment display names.
    outcome_labels : dict, optional
        Outcome display labels.
    save_dir : path, default "scenarios"
        Where "Save scenario" writes ``<name>.yaml``.
    figure : bool, default True
        Draw the benefits-vs-sacrifices map and the before/after bars (a PNG image widget),
        after the numbers are updated.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Display this.
    sliders : dict
        Lever name to its slider (``"communication:<dimension>"`` for communication).
    """

    def __init__(self, engine: ScenarioEngine, *, names: dict | None = None, outcome_labels: dict | None = None,
                 save_dir: str | Path = "scenarios", figure: bool = True):
        self.engine = engine
        self.names = names or {}
        self.outcome_labels = outcome_labels or {}
        self.save_dir = Path(save_dir)
        self.draw_figure = figure
        style = {"description_width": "190px"}
        layout = widgets.Layout(width="470px")
        self.sliders = {}
        for lever in LEVERS.values():
            self.sliders[lever.name] = widgets.FloatSlider(
                value=0.0, min=lever.low, max=lever.high, step=lever.step,
                description=f"{lever.label} ({lever.unit})", style=style, layout=layout,
                continuous_update=True, readout_format=".2f" if lever.step < 1 else ".0f")
            self.sliders[lever.name].add_class(f"vk-lever-{lever.name}")
        for dim in engine.dimensions:
            name = f"communication:{dim}"
            self.sliders[name] = widgets.FloatSlider(
                value=0.0, min=COMMUNICATION_RANGE[0], max=COMMUNICATION_RANGE[1], step=0.05,
                description=f"Communicate {dim} (points)", style=style, layout=layout, readout_format=".2f")
            self.sliders[name].add_class(f"vk-lever-communication-{dim}")
        options = [("all customers", "all")] + [
            (f"{s}: {self.names[s]}" if s in self.names else str(s), s) for s in engine.segment_levels if s != "all"]
        self.segment = widgets.Dropdown(options=options, value="all", description="Apply to", style=style,
                                        layout=layout)
        self.name = widgets.Text(value="my scenario", description="Scenario name", style=style, layout=layout)
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.save_button = widgets.Button(description="Save scenario", icon="save")
        self.share = widgets.Label(style={"font_size": "20px", "font_weight": "bold"})
        self.share.add_class("vk-share-destroyed")
        self.outcomes = widgets.Label()
        self.outcomes.add_class("vk-outcomes")
        self.table = widgets.HTML()
        self.message = widgets.Label()
        self.message.add_class("vk-message")
        self.image = widgets.Image(format="png")
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")
        self.segment.observe(self._changed, names="value")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self.save())
        main = [self.sliders[n] for n in LEVERS]
        comm = [self.sliders[f"communication:{d}"] for d in engine.dimensions]
        accordion = widgets.Accordion(children=[widgets.VBox(comm)], titles=("Communication (perception only)",))
        controls = widgets.VBox([self.segment, *main, accordion, self.name,
                                 widgets.HBox([self.reset_button, self.save_button]), self.message])
        results = widgets.VBox([self.share, self.outcomes, self.table, self.image])
        self.widget = widgets.HBox([controls, results])
        self._updating = False
        self.update()

    def scenario(self) -> Scenario:
        """The scenario the widgets currently describe."""
        levers = {n: s.value for n, s in self.sliders.items() if not n.startswith("communication:") and s.value}
        comm = {n.split(":", 1)[1]: s.value for n, s in self.sliders.items() if n.startswith("communication:") and s.value}
        spec = {"name": self.name.value.strip() or "scenario", "levers": levers, "communication": comm}
        if self.segment.value != "all":
            spec["segments"] = [self.segment.value]
        return Scenario.from_dict(spec)

    def _changed(self, change) -> None:
        if not self._updating:
            self.update()

    def update(self) -> dict:
        """Recompute with the engine and refresh the numbers, then the figure."""
        result = self.engine.apply(self.scenario(), customers=self.draw_figure)
        summary = result["summary"]
        focus = self.segment.value if self.segment.value in summary.index else "all"
        self.share.value = format_share_destroyed(summary, focus)
        self.outcomes.value = format_outcome_changes(summary, focus, self.outcome_labels)
        shown = summary[["customers", "share_destroyed_before", "share_destroyed_after",
                         "mean_value_ratio_before", "mean_value_ratio_after", "moved_up", "moved_down"]]
        self.table.value = shown.round(3).to_html(classes="vk-summary", border=0)
        self.message.value = (f"no effect on this survey (no such block): {', '.join(result['ignored'])}"
                              if result["ignored"] else "")
        if self.draw_figure:
            self.image.value = self._figure(result)
        self.result = result
        return result

    def _figure(self, result) -> bytes:
        from matplotlib.figure import Figure

        from .plots import plot_benefits_sacrifices, plot_scenario_shares

        fig = Figure(figsize=(9, 4), dpi=80)
        customers = result["customers"]
        sample = customers if len(customers) <= 3000 else customers.sample(3000, random_state=0)
        plot_benefits_sacrifices(sample, kind="scatter", ax=fig.add_subplot(1, 2, 1))
        plot_scenario_shares(result["summary"], names=self.names, ax=fig.add_subplot(1, 2, 2))
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")  # a bare Figure: no pyplot state, nothing to close
        return buffer.getvalue()

    def reset(self) -> None:
        """All levers back to zero, one update."""
        self._updating = True
        try:
            for slider in self.sliders.values():
                slider.value = 0.0
            self.segment.value = "all"
        finally:
            self._updating = False
        self.update()
        self.message.value = "reset"

    def save(self) -> Path | None:
        """Write the current scenario to ``save_dir/<name>.yaml``."""
        try:
            scenario = self.scenario()
            self.save_dir.mkdir(parents=True, exist_ok=True)
            stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in scenario.name)
            path = scenario.save(self.save_dir / f"{stem}.yaml")
        except (OSError, ScenarioError) as err:
            self.message.value = f"not saved: {err}"
            return None
        self.message.value = f"saved {path.name}"
        return path


# -- the comparison explorer -------------------------------------------------------------

def _group_name(group, names: dict | None) -> str:
    return f"{group}: {names[group]}" if names and group in names else str(group)


def format_comparisons(table: pd.DataFrame, *, names: dict | None = None) -> pd.DataFrame:
    """The evidence of each comparison as text: one row per group and measure.

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`valuekit.significance.compare_groups` (usually one grouping).
    names : dict, optional
        Group to display name (shown as ``"<group>: <name>"``).

    Returns
    -------
    DataFrame
        Text columns ``group``, ``measure`` (the label), ``n``, ``effective n`` (Kish),
        ``value [95% CI]`` (the group's own interval), ``rest``, ``difference [95% CI]``
        (group minus rest; shares in percentage points), ``effect size`` (Hedges' ``g`` or
        Cohen's ``h``), ``p (adjusted)`` and ``result`` (``▲ higher (strong)``,
        ``▼ lower (moderate)``, ``not significant``, ``significant, small effect``, or
        ``not compared: <note>``). The interval's level comes from ``table.attrs``.

    Examples
    --------
    >>> row = pd.DataFrame({"group": ["a"], "label": ["Money"], "statistic_type": ["mean"], "n": [120],
    ...     "n_eff": [110.4], "group_value": [4.5], "group_ci_low": [4.3], "group_ci_high": [4.7],
    ...     "rest_value": [4.0], "diff": [0.5], "ci_low": [0.25], "ci_high": [0.75], "effect": [0.41],
    ...     "effect_size": ["hedges_g"], "p_adj": [0.0004], "significant": [True], "finding": [True],
    ...     "direction": ["higher"], "grade": ["moderate"], "note": [""]})
    >>> format_comparisons(row).iloc[0].tolist()
    ['a', 'Money', '120', '110', '4.50 [4.30, 4.70]', '4.00', '+0.50 [+0.25, +0.75]', 'g = +0.41', '< 0.001', '▲ higher (moderate)']
    """
    level = f"{table.attrs.get('confidence', 0.95):.0%} CI"
    dash = "–"

    def number(v, share, signed=False):
        if not np.isfinite(v):
            return dash
        if share:
            return f"{100 * v:+.1f}" if signed else f"{v:.1%}"
        return f"{v:+.2f}" if signed else f"{v:.2f}"

    def interval(v, low, high, share, signed=False):
        text = number(v, share, signed) + (" pp" if share and signed and np.isfinite(v) else "")
        if np.isfinite(low) and np.isfinite(high):
            text += f" [{number(low, share, signed)}, {number(high, share, signed)}]"
        return text

    rows = []
    for _, r in table.iterrows():
        share = r["statistic_type"] == "share"
        p = r["p_adj"]
        if r["note"]:
            result = f"not compared: {r['note']}"
        elif r["finding"]:
            result = f"{'▲' if r['direction'] == 'higher' else '▼'} {r['direction']} ({r['grade']})"
        else:
            result = "significant, small effect" if r["significant"] else "not significant"
        rows.append({
            "group": _group_name(r["group"], names),
            "measure": r["label"],
            "n": f"{int(r['n'])}",
            "effective n": f"{r['n_eff']:.0f}" if np.isfinite(r["n_eff"]) else dash,
            f"value [{level}]": interval(r["group_value"], r["group_ci_low"], r["group_ci_high"], share),
            "rest": number(r["rest_value"], share),
            f"difference [{level}]": interval(r["diff"], r["ci_low"], r["ci_high"], share, signed=True),
            "effect size": (f"{'h' if r['effect_size'] == 'cohen_h' else 'g'} = {r['effect']:+.2f}"
                            if np.isfinite(r["effect"]) else dash),
            "p (adjusted)": dash if not np.isfinite(p) else "< 0.001" if p < 0.001 else f"{p:.3f}",
            "result": result,
        })
    columns = ["group", "measure", "n", "effective n", f"value [{level}]", "rest", f"difference [{level}]",
               "effect size", "p (adjusted)", "result"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


class ComparisonExplorer:
    """Choose a grouping and measures; see each group against the rest, with the evidence.

    A thin view over :func:`valuekit.significance.compare_groups`: the whole table (every
    grouping, every measure) is computed once, so the adjusted p-values are adjusted across
    all of it and do not change with what is shown. Choosing a grouping or measures only
    filters that table (:meth:`view`) and redraws: a chart of the group values with their
    intervals (:func:`valuekit.plots.plot_group_means`, one panel per measure) as a PNG
    image, and, in an HTML widget, the styled overview
    (:func:`~valuekit.significance.style_comparisons`) and the evidence of every comparison
    (:func:`format_comparisons`: n, interval, difference, effect size, adjusted p).

    Parameters
    ----------
    scores : DataFrame
        ValueScorer output (one row per respondent).
    groupings : dict
        Grouping name to a Series aligned on ``scores.index`` (e.g. segments) or to a
        context column name looked up in ``scores``, then ``data``; e.g.
        ``{"segment": segments, "world view": "world_view", "channel": "channel"}``.
        The first is shown first.
    codebook : Codebook, optional
        Default measures, their labels (in ``lang``) and kinds.
    weights : array-like or str, optional
        Survey weights (values, or a column of ``scores`` or ``data``).
    data : DataFrame, optional
        Where context columns and a weight column are looked up.
    measures : list of str, optional
        Measures to offer; default every score of the codebook and the share destroyed.
    names : dict, optional
        Grouping name to ``{group: display name}`` (e.g. segment names).
    lang : {"en", "es", "it"}, default "en"
        Language of the measure labels.
    settings : dict, optional
        Evidence floors (:func:`valuekit.significance.evidence_settings`).
    figure : bool, default True
        Draw the chart (a PNG image widget).
    max_charts : int, default 9
        At most this many measures are charted (the table shows all chosen).

    Attributes
    ----------
    table : DataFrame
        The full :func:`~valuekit.significance.compare_groups` table.
    widget : ipywidgets.VBox
        Display this (or the return value of :meth:`display`).
    grouping, measures : ipywidgets.Dropdown, ipywidgets.SelectMultiple
        The controls.
    html, image : ipywidgets.HTML, ipywidgets.Image
        The tables and the chart.

    Raises
    ------
    ValueError
        No grouping, or an unknown grouping column, measure or weights column.

    Examples
    --------
    >>> import valuekit as vk
    >>> survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    >>> scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    >>> explorer = ComparisonExplorer(scores, {"channel": "channel", "world view": "world_view"},
    ...     codebook=survey.codebook, data=survey.data, weights=survey.weights, figure=False)
    >>> shown, html = explorer.view("channel", ["value_ratio"])
    >>> shown["group"].tolist(), "p (adjusted)" in html
    (['both', 'online', 'store'], True)
    """

    _instances = itertools.count()

    def __init__(self, scores: pd.DataFrame, groupings: dict, *, codebook=None, weights=None,
                 data: pd.DataFrame | None = None, measures: list[str] | None = None, names: dict | None = None,
                 lang: str = "en", settings: dict | None = None, figure: bool = True, max_charts: int = 9):
        from .significance import compare_groups

        if not isinstance(groupings, dict) or not groupings:
            raise ValueError("groupings: expected a non-empty dict of name -> Series or context column name, "
                             f"got {groupings!r}")
        self.table = compare_groups(scores, groupings, codebook=codebook, measures=measures, weights=weights,
                                    data=data, settings=settings, lang=lang)
        self.names = dict(names or {})
        self.draw_figure = figure
        self.max_charts = max_charts
        self.groupings = [str(g) for g in groupings if str(g) in set(self.table["grouping"])]
        if not self.groupings:
            raise ValueError(f"nothing to compare: no groups in {list(groupings)}")
        self.measure_names = list(dict.fromkeys(self.table["measure"]))
        labels = dict(zip(self.table["measure"], self.table["label"]))
        self.measure_labels = {m: (f"{labels.get(m.split('__')[0], m.split('__')[0])} › {labels[m]}"
                                   if "__" in m else labels[m]) for m in self.measure_names}
        self._uuid = f"vk_explorer_{next(self._instances)}"  # own CSS ids, apart from other Stylers on the page
        style = {"description_width": "90px"}
        self.grouping = widgets.Dropdown(options=[(g.replace("_", " "), g) for g in self.groupings],
                                         description="Grouping", style=style,
                                         layout=widgets.Layout(width="360px"))
        self.grouping.add_class("vk-grouping")
        first = "value_ratio" if "value_ratio" in self.measure_names else self.measure_names[0]
        self.measures = widgets.SelectMultiple(
            options=[(self.measure_labels[m], m) for m in self.measure_names], value=(first,), description="Measures",
            rows=min(10, max(len(self.measure_names), 1)), style=style, layout=widgets.Layout(width="420px"))
        self.measures.add_class("vk-measures")
        self.html = widgets.HTML()
        self.html.add_class("vk-comparisons")
        self.image = widgets.Image(format="png")
        self.image.add_class("vk-comparison-chart")
        self.grouping.observe(self._changed, names="value")
        self.measures.observe(self._changed, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.grouping, self.measures]), self.image, self.html])
        self.update()

    def _check(self, grouping: str, measures) -> list[str]:
        if grouping not in self.groupings:
            raise ValueError(f"unknown grouping {grouping!r}; choose one of {self.groupings}")
        measures = [measures] if isinstance(measures, str) else list(measures)
        if not measures:
            raise ValueError("choose at least one measure")
        unknown = [m for m in measures if m not in self.measure_names]
        if unknown:
            raise ValueError(f"unknown measure(s) {unknown}; choose from {self.measure_names}")
        return measures

    def view(self, grouping: str, measures) -> tuple[pd.DataFrame, str]:
        """The rows of the table for one grouping and some measures, and their HTML.

        Parameters
        ----------
        grouping : str
            A grouping name (a key of ``groupings``).
        measures : str or list of str
            Measure names (the ``measure`` column), e.g. ``["value_ratio", "money"]``.

        Returns
        -------
        rows : DataFrame
            ``table`` filtered to the grouping and measures (in the table's order).
        html : str
            The styled overview and the evidence table (``class="vk-comparison-detail"``).

        Raises
        ------
        ValueError
            An unknown grouping or measure (named), or no measure.
        """
        from .significance import style_comparisons

        measures = self._check(grouping, measures)
        rows = self.table[(self.table["grouping"] == grouping) & self.table["measure"].isin(measures)]
        names = self.names.get(grouping)

        def escaped(v):
            return _html.escape(str(v))

        overview = (style_comparisons(rows, grouping=grouping).set_uuid(self._uuid)
                    .format_index(lambda g: escaped(_group_name(g, names)), axis=0)
                    .format_index(escaped, axis=1).to_html())
        detail = format_comparisons(rows, names=names).to_html(classes="vk-comparison-detail", index=False,
                                                               border=0, escape=True)
        a = self.table.attrs
        footer = (f"<p>Each group against the rest of the sample. p adjusted ({a.get('adjust')}) across all "
                  f"{a.get('n_tests')} comparisons of the explorer; a finding needs adjusted p &lt; "
                  f"{a.get('alpha')} and |effect size| ≥ {a.get('min_effect')} (Hedges' g for means, Cohen's h "
                  f"for shares); groups with an effective n below {a.get('min_group_n')} are not compared.</p>")
        return rows, f"{overview}{detail}{footer}"

    def figure(self, grouping: str, measures):
        """A matplotlib ``Figure`` (no pyplot state): one :func:`~valuekit.plots.plot_group_means`
        panel per measure (at most ``max_charts``), three to a row."""
        from matplotlib.figure import Figure

        from .plots import plot_group_means

        measures = self._check(grouping, measures)
        shown = [m for m in self.measure_names if m in measures][: self.max_charts]
        ncols = min(3, len(shown))
        nrows = -(-len(shown) // ncols)
        fig = Figure(figsize=(8, 4.6) if len(shown) == 1 else (4.8 * ncols, 4.4 * nrows), dpi=80,
                     layout="constrained")
        rows = self.table[self.table["grouping"] == grouping]
        for i, m in enumerate(shown):
            plot_group_means(rows, grouping=grouping, measure=m, names=self.names.get(grouping),
                             ax=fig.add_subplot(nrows, ncols, i + 1))
        return fig

    def _png(self, grouping: str, measures) -> bytes:
        buffer = io.BytesIO()
        self.figure(grouping, measures).savefig(buffer, format="png")  # a bare Figure: nothing to close
        return buffer.getvalue()

    def _changed(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Show the chosen grouping and measures: the tables first, then the chart."""
        grouping, measures = self.grouping.value, list(self.measures.value)
        if not measures:
            self.html.value = "<p>Choose at least one measure.</p>"
            self.image.layout.display = "none"
            return
        _, text = self.view(grouping, measures)
        if len(measures) > self.max_charts and self.draw_figure:
            text = (f"<p>The chart shows the first {self.max_charts} of the {len(measures)} chosen measures; "
                    f"the tables show all.</p>{text}")
        self.html.value = text
        if self.draw_figure:
            self.image.value = self._png(grouping, measures)
            self.image.layout.display = None
        else:
            self.image.layout.display = "none"

    def display(self) -> widgets.VBox:
        """The widget to display (the last expression of a notebook cell)."""
        return self.widget
