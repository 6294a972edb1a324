"""The what-if dashboard: ipywidgets over :class:`valuekit.scenario.ScenarioEngine`.

A thin view. Every number it shows comes from :meth:`ScenarioEngine.apply` and is
formatted by the functions below, which the tests and the browser test call too, so what
the page shows is exactly what the engine computes.
"""

from __future__ import annotations

import io
from pathlib import Path

import ipywidgets as widgets

from .scenario import COMMUNICATION_RANGE, LEVERS, Scenario, ScenarioEngine, ScenarioError

__all__ = ["WhatIfDashboard", "format_share_destroyed", "format_outcome_changes"]


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
