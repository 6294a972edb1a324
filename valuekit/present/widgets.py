"""Thin ipywidgets views: the what-if dashboard and the comparison explorer.

Every number they show comes from the engine (:meth:`ScenarioEngine.apply`,
:func:`valuekit.analyse.significance.compare_groups`) and is formatted by the same functions the
notebooks, the deck and the tests call (:func:`valuekit.decide.scenario.format_headline`, ...),
so what a page shows is exactly what the engine computes.
"""

from __future__ import annotations

import base64
import html as _html
import io
import itertools
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from ..analyse.significance import compare_groups, style_comparisons
from ..decide.scenario import (NO_SEGMENT, Scenario, ScenarioEngine, ScenarioError, change_tone, compact_summary,
                               compare_scenarios, format_comparison, format_summary, format_tiles, scenario_file_name,
                               segment_label, ui_text)
from ..errors import ValuekitError
from ..evidence import Evidence
from ..survey.codebook import LANGUAGES
from ..survey.labels import format_number
from .deck import _deck, scenario_pngs

__all__ = ["WhatIfDashboard", "ComparisonExplorer", "format_comparisons"]

_LANG_NAMES = {"en": "English", "es": "Español", "it": "Italiano"}


def _text(key: str, lang: str) -> str:
    """An interface text (:func:`~valuekit.survey.codebook.ui_text`), escaped for an HTML widget."""
    return _html.escape(ui_text(key, lang))


def _saved_name(path: Path) -> str:
    """A saved scenario as the list shows it: the name inside the file (its file name is a
    safe spelling of it), and the file name beside it when they differ."""
    try:
        name = Scenario.load(path).name
    except ValuekitError:
        return path.name
    return name if scenario_file_name(name, path.suffix) == path.name else f"{name} ({path.name})"


#: Tables on the page: headers on one line, names wrapping, numbers right-aligned.
_TABLE_STYLE = """<style>
.vk-summary, .vk-summary-full, .vk-comparison-table { border-collapse: collapse; font-size: 13px; margin: 2px 0 8px 0; }
.vk-summary th, .vk-summary-full th, .vk-comparison-table th { text-align: right; padding: 3px 8px;
  border-bottom: 1px solid #999; white-space: nowrap; font-weight: 600; }
.vk-summary td, .vk-summary-full td, .vk-comparison-table td { text-align: right; padding: 3px 8px;
  white-space: nowrap; border-bottom: 1px solid #eee; font-variant-numeric: tabular-nums; }
.vk-summary tbody th, .vk-summary-full tbody th, .vk-comparison-table tbody th { text-align: left;
  white-space: normal; min-width: 14em; max-width: 24em; font-weight: 500; }
.vk-comparison-table tbody tr:first-child td { white-space: normal; min-width: 9em; max-width: 18em; text-align: left; }
.vk-comparison-table thead th { white-space: normal; max-width: 14em; }
.vk-tabs .lm-TabBar-tab, .vk-tabs .p-TabBar-tab { flex: 0 0 auto !important; max-width: none !important;
  min-width: 12em; }
.vk-summary thead tr:nth-child(2), .vk-summary-full thead tr:nth-child(2),
.vk-comparison-table thead tr:nth-child(2) { display: none; }
.vk-tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 4px 0; }
.vk-tile { border: 1px solid #d9e2ec; border-radius: 6px; padding: 6px 10px; min-width: 118px; max-width: 250px;
  flex: 1 1 118px; background: #f8fafc; line-height: 1.25; }
.vk-tile:first-child { flex: 2 1 190px; }
.vk-tile-title { font-size: 12px; color: #444; min-height: 2.5em; }
.vk-tile-value { font-size: 22px; font-weight: 600; line-height: 1.25; white-space: nowrap; margin: 2px 0; }
.vk-tile-detail { font-size: 12px; color: #333; line-height: 1.25; }
.vk-tile-note { font-size: 11px; color: #666; line-height: 1.25; margin-top: 2px; }
.vk-good { color: #1a7f37; } .vk-bad { color: #b2182b; } .vk-flat { color: #222; }
</style>"""

#: Tile colours: an improvement whose interval excludes no change, a deterioration, neither.
_TONES = {"good": "vk-good", "bad": "vk-bad", "flat": "vk-flat"}


def _tiles_html(tiles: list[dict]) -> str:
    """The tiles as HTML (every text escaped: labels come from the analyst's files)."""
    def one(t: dict) -> str:
        note = f"<div class='vk-tile-note'>{_html.escape(t['note'])}</div>" if t["note"] else ""
        return (f"<div class='vk-tile'><div class='vk-tile-title'>{_html.escape(t['title'])}</div>"
                f"<div class='vk-tile-value {_TONES[t['tone']]}'>{_html.escape(t['value'])}</div>"
                f"<div class='vk-tile-detail'>{_html.escape(t['detail'])}</div>{note}</div>")

    return "<div class='vk-tiles'>" + "".join(one(t) for t in tiles) + "</div>"


@share_docs
class WhatIfDashboard:
    """Sliders for the survey's levers; the headline, outcomes, segments and map, live.

    Parameters
    ----------
    engine : ScenarioEngine
        Its :class:`~valuekit.survey.levers.LeverSet` gives the sliders: one per lever, grouped by
        value-management lever, each with its full label, its value and its unit.
    {names}
    save_dir : path, default "scenarios"
        Where *Save scenario* writes ``<name>.yaml`` and where saved scenarios are listed
        for comparison and loading. A file of that name (in any letter case) is never
        overwritten: the scenario goes to ``<name>_2.yaml``, ``<name>_3.yaml``, ... and the
        message says so. Each file records what the scenario was built on
        (:meth:`ScenarioEngine.stamp`), so loading it on another survey, other levers or
        other segments is refused with the reasons.
    figure : bool, default True
        Draw the benefits-vs-sacrifices map and the before/after bars after the numbers.
    {lang}
    price : DataFrame, optional
        :func:`valuekit.decide.price_moves.price_grid` of the same survey: while its lever
        moves the price, a line under the headline says how many respondents would try the
        product at the new price (the Newton–Miller–Smith trial share, with its interval, and
        its change from today's), the revenue per respondent, and whether the price is still
        in the range of acceptable prices. None: no such line.

    Attributes
    ----------
    widget : ipywidgets.Box
        Display this.
    sliders : dict
        Lever name to its slider.
    """

    def __init__(self, engine: ScenarioEngine, *, names: dict | None = None, save_dir: str | Path = "scenarios",
                 figure: bool = True, lang: str = "en", price: pd.DataFrame | None = None):
        if lang not in LANGUAGES:
            raise ValueError(f"lang: expected one of {list(LANGUAGES)}, got {lang!r}")
        if price is not None and (not isinstance(price, pd.DataFrame) or price.attrs.get("lever") not in
                                  engine.levers.levers):
            raise ValueError("price: expected a price_grid table of one of the engine's levers, got "
                             f"{type(price).__name__}")
        self.price = price
        self.engine = engine
        names = names or {}
        self.names = (names if names and set(names) <= set(LANGUAGES) and all(isinstance(v, dict) for v in
                                                                              names.values())
                      else {lang_: names for lang_ in LANGUAGES})
        self.save_dir = _check.path("save_dir", save_dir)  # created when the first scenario is saved
        self.draw_figure = figure
        self._live: _LiveFigure | None = None
        self.lang = lang
        self._lever_controls(engine)
        self._make_widgets(lang)
        self._wire()
        self.widget = self._layout()
        self._updating = False
        self._relabel()
        self._list_saved()
        self.update()

    def _lever_controls(self, engine: ScenarioEngine) -> None:
        """A slider, label and unit per lever, grouped by value-management lever in an accordion."""
        self.sliders, self._labels, self._units = {}, {}, {}
        groups: dict[str, list] = {}
        for lever in engine.levers:
            slider = widgets.FloatSlider(value=0.0, min=lever.low, max=lever.high, step=lever.step,
                                         readout=True, readout_format=f".{lever.decimals}f",
                                         continuous_update=True, layout=widgets.Layout(width="300px"))
            slider.add_class(f"vk-lever-{lever.name}")
            label = widgets.HTML(layout=widgets.Layout(width="420px"))
            label.add_class("vk-lever-label")
            unit = widgets.HTML(_html.escape(lever.unit))  # not a Label: it would typeset $...$ as MathJax
            unit.add_class("vk-lever-unit")
            self.sliders[lever.name], self._labels[lever.name], self._units[lever.name] = slider, label, unit
            groups.setdefault(lever.value_lever, []).append(
                widgets.VBox([label, widgets.HBox([slider, unit])], layout=widgets.Layout(margin="0 0 6px 0")))
        self._groups = list(groups)  # in the order the lever file first uses them
        self.levers_box = widgets.Accordion(children=[widgets.VBox(groups[g]) for g in self._groups])
        self.levers_box.selected_index = 0

    def _make_widgets(self, lang: str) -> None:
        """The language and segment choices, the scenario's name and buttons, and the outputs."""
        self.language = widgets.Dropdown(options=[(_LANG_NAMES[x], x) for x in LANGUAGES], value=lang,
                                         layout=widgets.Layout(width="160px"))
        self.language.add_class("vk-language")
        self.segment = widgets.Dropdown(layout=widgets.Layout(width="420px"))
        self.name = widgets.Text(value=ui_text("ui_default_scenario", lang), layout=widgets.Layout(width="300px"))
        self.name.add_class("vk-name")
        self.reset_button = widgets.Button(icon="undo")
        self.save_button = widgets.Button(icon="save")
        self.save_button.add_class("vk-save")
        self.message = widgets.HTML()
        self.message.add_class("vk-message")
        self.headline = widgets.HTML()  # the key numbers, as tiles
        self.headline.add_class("vk-headline")
        self.outcomes = widgets.HTML()  # how to read the intervals, and n
        self.outcomes.add_class("vk-outcomes")
        self.demand = widgets.HTML()  # who would buy at the price the price lever sets
        self.demand.add_class("vk-demand")
        self.table = widgets.HTML()
        self.table.add_class("vk-table")
        self.table_full = widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))
        self.table_full.add_class("vk-table-full")
        self.detail = widgets.Accordion(children=[self.table_full], selected_index=None)  # drawn when opened
        self.detail.add_class("vk-detail")
        self._full = None
        hidden = {"display": "none"}  # an Image without a picture would show a broken-image icon
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="900px", **hidden))
        self.image.add_class("vk-map")
        self.saved = widgets.SelectMultiple(rows=5, layout=widgets.Layout(width="420px"))
        self.saved.add_class("vk-saved")
        self.compare_button = widgets.Button(icon="columns")
        self.compare_button.add_class("vk-compare")
        self.load_button = widgets.Button(icon="folder-open")
        self.load_button.add_class("vk-load")
        self.comparison = widgets.HTML()
        self.comparison.add_class("vk-comparison")
        self.comparison_image = widgets.Image(format="png", layout=widgets.Layout(max_width="760px", **hidden))
        self.comparison_image.add_class("vk-comparison-chart")
        self.deck_button = widgets.Button(icon="download", layout=widgets.Layout(width="300px"))
        self.deck_button.add_class("vk-deck")
        self.download = widgets.HTML()
        self.download.add_class("vk-download")
        self._language_callbacks = []

    def _wire(self) -> None:
        """What each control does."""
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")
        self.segment.observe(self._changed, names="value")
        self.language.observe(self._language, names="value")
        self.detail.observe(self._show_detail, names="selected_index")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self.save())
        self.compare_button.on_click(lambda _: self.compare())
        self.load_button.on_click(lambda _: self.load())
        self.deck_button.on_click(lambda _: self.deck())

    def _layout(self):
        """The controls on the left; on the right two tabs, the scenario's results and the
        comparison of saved scenarios (wrapping below the controls on a narrow page)."""
        self._head = {k: widgets.HTML() for k in ("language", "apply", "name", "compare", "by_segment", "map")}
        controls = widgets.VBox([
            widgets.HBox([self._head["language"], self.language]),
            self._head["apply"], self.segment, self.levers_box,
            self._head["name"], self.name, widgets.HBox([self.reset_button, self.save_button]),
            self.message, self.deck_button, self.download,
        ], layout=widgets.Layout(width="460px", margin="0 24px 0 0"))
        self.table.layout = widgets.Layout(overflow="auto", max_width="100%")
        self.comparison.layout = widgets.Layout(overflow="auto", max_width="100%")
        scenario = widgets.VBox([self.headline, self.demand, self.outcomes, self._head["by_segment"], self.table,
                                 self.detail,
                                 self._head["map"], self.image])
        comparing = widgets.VBox([self._head["compare"], self.saved,
                                  widgets.HBox([self.compare_button, self.load_button]),
                                  self.comparison, self.comparison_image])
        self.tabs = widgets.Tab(children=[scenario, comparing], layout=widgets.Layout(flex="1 1 0%",
                                                                                     min_width="520px"))
        self.tabs.add_class("vk-tabs")
        style = widgets.HTML(_TABLE_STYLE)  # the page's table and tile styles, sent once
        style.add_class("vk-style")
        return widgets.VBox([style, widgets.HBox([controls, self.tabs],
                                                 layout=widgets.Layout(flex_flow="row wrap", width="100%"))])

    def on_language(self, callback) -> None:
        """Call ``callback(lang)`` after each switch of language (the page's own header)."""
        self._language_callbacks.append(callback)

    # -- language -----------------------------------------------------------------------
    def _relabel(self) -> None:
        lang = self.lang
        for lever in self.engine.levers:
            self._labels[lever.name].value = f"<b>{_html.escape(lever.label(lang))}</b>"
            self._labels[lever.name].tooltip = lever.assumes
            self._units[lever.name].value = _html.escape(lever.unit_label(lang))
        for i, g in enumerate(self._groups):
            self.levers_box.set_title(i, ui_text(f"vm_{g}", lang))
        self._head["language"].value = f"{_text('ui_language', lang)}:&nbsp;"
        self._head["apply"].value = f"<b>{_text('ui_apply_to', lang)}</b>"
        self._head["name"].value = f"<b>{_text('ui_scenario_name', lang)}</b>"
        self._head["compare"].value = f"<b>{_text('ui_compare_pick', lang)}</b>"
        self._head["by_segment"].value = f"<h4 style='margin:10px 0 4px 0'>{_text('ui_by_segment', lang)}</h4>"
        self._head["map"].value = (f"<h4 style='margin:10px 0 4px 0'>{_text('ui_map', lang)}</h4>"
                                   if self.draw_figure else "")
        self.detail.set_title(0, ui_text("ui_detail", lang))
        self.tabs.set_title(0, ui_text("ui_tab_scenario", lang))
        self.tabs.set_title(1, ui_text("ui_tab_compare", lang))
        self.reset_button.description = ui_text("ui_reset", lang)
        self.save_button.description = ui_text("ui_save", lang)
        self.compare_button.description = ui_text("ui_compare_button", lang)
        self.load_button.description = ui_text("ui_load", lang)
        self.deck_button.description = ui_text("ui_download", lang)
        names = self.names.get(lang, {})
        options = [(ui_text("ui_all_customers", lang), "all")] + [
            (segment_label(s, names, lang), s) for s in self.engine.segment_levels if s != "all"]
        current = self.segment.value
        self._updating = True
        try:
            self.segment.options = options
            self.segment.value = current if current in [v for _, v in options] else "all"
        finally:
            self._updating = False

    def _language(self, change) -> None:
        previous, self.lang = change["old"], change["new"]
        if self.name.value.strip() == ui_text("ui_default_scenario", previous):  # the default name follows
            self.name.value = ui_text("ui_default_scenario", self.lang)
        self._relabel()
        self.update()
        if getattr(self, "compared", None):  # the comparison on screen, in the new language
            self._show_comparison(self.compared)
        self.message.value = ""  # a message is in the language it was written in
        for callback in self._language_callbacks:
            callback(self.lang)

    # -- scenario -----------------------------------------------------------------------
    def scenario(self) -> Scenario:
        """The scenario the widgets currently describe."""
        spec = {"name": self.name.value.strip() or "scenario",
                "levers": {n: s.value for n, s in self.sliders.items() if s.value}}
        if self.segment.value != "all":
            spec["segments"] = [self.segment.value]
        return Scenario.from_dict(spec)

    def _changed(self, change) -> None:
        if not self._updating:
            self.update()

    def update(self) -> dict:
        """Recompute with the engine; refresh the numbers, then the figure."""
        self._list_saved()
        result = self.engine.apply(self.scenario(), customers=self.draw_figure)
        summary = result["summary"]
        focus = self.segment.value if self.segment.value in summary.index else "all"
        lang = self.lang
        self.headline.value = _tiles_html(format_tiles(result, focus, lang))
        conf = int(round(100 * summary.attrs.get("confidence", 0.95)))
        note = ui_text("ui_interval", lang, level=conf, n=format_number(summary.loc[focus, "customers"], "count", lang))
        self.outcomes.value = f"<small>{_html.escape(note)}</small>"
        self.demand.value = self._demand_line(lang)
        full = format_summary(result, names=self.names.get(lang, {}), lang=lang)
        compact = compact_summary(full, lang)  # the first screen's five columns of it
        self.table.value = compact.to_html(classes="vk-summary", border=0, escape=True)  # names are data
        self._full = full
        self._show_detail()
        self.result = result
        if self.draw_figure:
            self.image.value = self._figure(result)
            self.image.layout.display = None
        return result

    def _demand_line(self, lang: str) -> str:
        """Who would try the product at the price the price lever sets (empty without a price grid)."""
        if self.price is None:
            return ""
        grid, attrs = self.price, self.price.attrs
        at = grid.iloc[int(np.argmin(np.abs(grid.index.to_numpy() - self.sliders[attrs["lever"]].value)))]
        low, high = attrs["acceptable_range"]

        def num(v, kind="decimal"):
            return format_number(v, kind, lang)

        words = dict(price=num(at["price"]), trial=num(at["trial"], "percent"), low=num(at["trial_low"], "percent"),
                     high=num(at["trial_high"], "percent"), revenue=num(at["revenue"]),
                     revenue_low=num(at["revenue_low"]), revenue_high=num(at["revenue_high"]),
                     n=num(int(at["n"]), "count"),
                     range_low=num(low), range_high=num(high))
        if at.name == 0:
            text = ui_text("ui_demand_now", lang, **words)
        else:
            def points(v):  # a change of a share, in percentage points
                return ("+" if v > 0 else "") + num(100 * v)

            text = ui_text("ui_demand_moved", lang, change=points(at["change"]), change_low=points(at["change_low"]),
                           change_high=points(at["change_high"]),
                           where=ui_text("ui_demand_inside" if at["acceptable"] else "ui_demand_outside", lang,
                                         range_low=words["range_low"], range_high=words["range_high"]),
                           **words)
        return f"<div class='vk-demand-line'>{_html.escape(text)}</div>"

    def _show_detail(self, change=None) -> None:
        """Every column of the segment table, written only while its section is open (a
        slider move sends the first screen's numbers, not a table nobody looks at)."""
        if self.detail.selected_index == 0 and self._full is not None:
            self.table_full.value = self._full.to_html(classes="vk-summary-full", border=0, escape=True)

    def _figure(self, result) -> bytes:
        """The map and the share bars as a PNG (redrawing only what the scenario moved)."""
        customers = result["customers"]
        sample = customers if len(customers) <= 3000 else customers.sample(3000, random_state=0)
        summary = result["summary"]
        live = self._live
        if live is None or live.lang != self.lang or not live.fits(summary):
            names = {"all": ui_text("ui_all_customers", self.lang), **self.names.get(self.lang, {})}
            live = self._live = _LiveFigure(self.engine, summary, sample, lang=self.lang, names=names)
        return live.png(summary, sample)

    def set_scenario(self, scenario: Scenario) -> None:
        """Put a scenario on the sliders (one update); it must apply to this survey."""
        self.engine.check(scenario)
        self._updating = True
        try:
            for name, slider in self.sliders.items():
                slider.value = float(scenario.levers.get(name, 0.0))
            self.segment.value = scenario.segments[0] if scenario.segments else "all"
            self.name.value = scenario.name
        finally:
            self._updating = False
        self.update()

    def reset(self) -> None:
        """All levers back to zero, one update."""
        self.set_scenario(Scenario(name=self.name.value.strip() or "scenario"))
        self.message.value = ui_text("ui_reset", self.lang)

    # -- saved scenarios ----------------------------------------------------------------
    def _list_saved(self) -> None:
        """The saved scenarios, kept current (another page may have saved one); selection kept."""
        files = sorted(self.save_dir.glob("*.yaml")) if self.save_dir.is_dir() else []
        options = tuple((_saved_name(p), str(p)) for p in files)
        if options != tuple(self.saved.options):
            chosen = [v for v in self.saved.value if v in {path for _, path in options}]
            self.saved.options = options
            self.saved.value = tuple(chosen)

    def save(self) -> Path | None:
        """Write the current scenario, with what it was built on, to ``save_dir/<name>.yaml``;
        never over an earlier file: then to ``<name>_2.yaml``, ... (and the message says so)."""
        try:
            scenario = self.engine.stamp(self.scenario())
            folder = _check.output_dir("save_dir", self.save_dir, "scenario folder")
            path = scenario.save_in(folder)  # a safe file name, never over an earlier file
        except ValuekitError as err:  # the folder or file cannot be written, a bad name
            self.message.value = f"<span style='color:#b2182b'>{_html.escape(str(err))}</span>"
            return None
        self._list_saved()
        first = scenario_file_name(scenario.name, ".yaml")
        message = (ui_text("ui_saved", self.lang, name=path.name) if path.name == first else
                   ui_text("ui_saved_renamed", self.lang, name=path.name, taken=first))
        self.message.value = _html.escape(message)
        return path

    def _selected(self) -> list[Scenario]:
        return [Scenario.load(path) for path in self.saved.value]

    def load(self) -> Scenario | None:
        """Put the (first) selected saved scenario on the sliders, or say what does not apply."""
        try:
            chosen = self._selected()
            if not chosen:
                return None
            self.set_scenario(chosen[0])
        except ScenarioError as err:
            self.message.value = f"<span style='color:#b2182b'>{_html.escape(str(err))}</span>"
            return None
        self.message.value = ""
        return chosen[0]

    def compare(self) -> pd.DataFrame | None:
        """The selected saved scenarios side by side: a table and a chart."""
        try:
            scenarios = self._selected()
            for s in scenarios:
                self.engine.check(s)
        except ScenarioError as err:  # said where the visitor is looking: beside the list
            self.message.value = self.comparison.value = f"<span style='color:#b2182b'>{_html.escape(str(err))}</span>"
            return None
        if not scenarios:
            hint = "ui_compare_pick" if self.saved.options else "ui_compare_none"
            self.comparison.value = f"<i>{_text(hint, self.lang)}</i>"
            return None
        table = self._show_comparison(scenarios)
        self.compared = scenarios
        self.message.value = ""
        self.tabs.selected_index = 1
        return table

    def _show_comparison(self, scenarios: list[Scenario]) -> pd.DataFrame:
        """The compared scenarios' table and chart, in the page's language."""
        table = format_comparison(self.engine, scenarios, lang=self.lang)
        shown = table.T  # a column per scenario: the levers it moved above its results
        shown.columns.name = None
        tones = pd.DataFrame("", index=shown.index, columns=shown.columns)
        change = ui_text("ui_change", self.lang)
        for column, scenario in zip(shown.columns, scenarios):  # improvements green, deteriorations red
            result = self.engine.apply(scenario)
            r = result["summary"].loc["all"]
            key = "share_destroyed_change"
            tones.loc[change, column] = _TONES[change_tone(r[key], r[f"{key}_low"], r[f"{key}_high"],
                                                           better="down")]
            for name, info in result["outcomes"].iterrows():
                k, label = f"{name}_change", info[f"label_{self.lang}"]
                if info["shown"] and label in tones.index:
                    tones.loc[label, column] = _TONES[change_tone(r[k], r[f"{k}_low"], r[f"{k}_high"], better="up")]
        styler = (shown.style.format(escape="html").format_index(escape="html", axis=0)  # names are data:
                  .format_index(escape="html", axis=1).set_td_classes(tones)  # every cell and heading escaped
                  .set_table_attributes('class="vk-comparison-table"'))
        self.comparison.value = styler.to_html()
        self.comparison_image.value = _comparison_png(self.engine, scenarios, self.lang)
        self.comparison_image.layout.display = None
        return table

    # -- the deck -----------------------------------------------------------------------
    def deck(self) -> bytes:
        """The current scenario (and the compared ones) as a PowerPoint deck, offered as a download
        beside the deck's charts as PNG images (the map, and the comparison when scenarios are
        compared) for a presenter's own slides."""

        scenario, compare = self.scenario(), getattr(self, "compared", None)
        names = self.names.get(self.lang, {})
        pngs = scenario_pngs(self.engine, scenario, compare=compare, names=names, lang=self.lang)
        data = _deck(self.engine, scenario, compare, names, self.lang, pngs)  # the charts drawn once for both
        mime = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        files = [(scenario_file_name(scenario.name, ".pptx"), mime, data, "vk-deck-link")]
        files += [(scenario_file_name(scenario.name, f"_{chart}.png"), "image/png", png, "vk-png-link")
                  for chart, png in pngs.items()]
        self.download.value = " · ".join(
            f"<a class='{cls}' download='{_html.escape(name, quote=True)}' "
            f"href='data:{kind};base64,{base64.b64encode(blob).decode('ascii')}'>"
            f"{_html.escape(name)}</a>" for name, kind, blob, cls in files)
        return data


def _comparison_png(engine: ScenarioEngine, scenarios: list[Scenario], lang: str) -> bytes:
    from matplotlib.figure import Figure  # deferred: matplotlib

    from .plots import plot_scenario_comparison  # deferred: matplotlib

    fig = Figure(figsize=(7, 0.6 * len(scenarios) + 1.4), dpi=72)
    plot_scenario_comparison(compare_scenarios(engine, scenarios), lang=lang, ax=fig.add_subplot(1, 1, 1))
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# -- the comparison explorer -------------------------------------------------------------

def _group_name(group, names: dict | None) -> str:
    return f"{group}: {names[group]}" if names and group in names else str(group)


@share_docs
def format_comparisons(table: pd.DataFrame, *, names: dict | None = None) -> pd.DataFrame:
    """The evidence of each comparison as text: one row per group and measure.

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`valuekit.analyse.significance.compare_groups` (usually one grouping).
    {names}

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


class _LiveFigure:
    """The dashboard's figure: the benefits-vs-sacrifices map and the share destroyed per
    segment before and after.

    Everything that does not move with the levers (axes, ticks, labels, the diagonal,
    the bars and intervals *before*) is drawn once per language and cached as a bitmap;
    each scenario then draws only the customers' points and the bars and intervals
    *after* over it (matplotlib's Agg blitting) and encodes the PNG. The map's axes span
    the common scale, the bars' axis the shares seen so far with room to spare; a share
    beyond it draws the whole figure again (:meth:`fits`).
    """

    def __init__(self, engine: ScenarioEngine, summary: pd.DataFrame, sample: pd.DataFrame, *, lang: str,
                 names: dict):
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # deferred: matplotlib
        from matplotlib.figure import Figure  # deferred: matplotlib

        from .plots import _segment_map, plot_scenario_shares  # deferred: matplotlib

        self.lang = lang
        fig = Figure(figsize=(10, 4.6), dpi=72)
        self.canvas = FigureCanvasAgg(fig)
        ax_map, ax_bar = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        self.points, self._order, self.segments, rows = _segment_map(
            fig, ax_map, engine, sample, names=names, lang=lang, limits=(engine.scale.min, engine.scale.max))
        plot_scenario_shares(summary.rename(index={NO_SEGMENT: ui_text("ui_no_segment", lang)}),
                             names={"all": names.get("all", "all")}, lang=lang, ax=ax_bar)  # the key names them
        bars = [c for c in ax_bar.containers if hasattr(c, "patches") and hasattr(c, "errorbar")]
        self.after = bars[-1]  # BarContainer of the "after" bars, with its ErrorbarContainer
        _, self.caps, (self.whiskers,) = self.after.errorbar.lines
        self.y = np.array([r.get_y() + r.get_height() / 2 for r in self.after.patches])
        high = float(np.nanmax(summary["share_destroyed_after_high"].to_numpy(dtype=float)))
        self.xmax = min(1.0, max(0.05, 1.5 * high))
        ax_bar.set_xlim(0, self.xmax)
        self.moving = [*self.points, *self.after.patches, *self.caps, self.whiskers]
        for artist in self.moving:
            artist.set_animated(True)  # left out of the cached background
        fig.tight_layout(rect=(0, 0.045 * rows + 0.02, 1, 1))  # room for the segments' key below
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def fits(self, summary: pd.DataFrame) -> bool:
        """Whether the bars' axis holds every interval of ``summary``."""
        return float(np.nanmax(summary["share_destroyed_after_high"].to_numpy(dtype=float))) <= self.xmax

    def png(self, summary: pd.DataFrame, sample: pd.DataFrame) -> bytes:
        from PIL import Image  # deferred: Pillow

        ok = sample["value_ratio"].notna().to_numpy()
        x, y = sample["sacrifices"].to_numpy(), sample["benefits"].to_numpy()
        for points, level in zip(self.points, self._order):
            at = ok & (self.segments == level)
            points.set_offsets(np.column_stack([x[at], y[at]]))
        after = summary["share_destroyed_after"].to_numpy(dtype=float)
        low = summary["share_destroyed_after_low"].to_numpy(dtype=float)
        high = summary["share_destroyed_after_high"].to_numpy(dtype=float)
        for rect, value in zip(self.after.patches, after):
            rect.set_width(value)
        self.whiskers.set_segments([[(a, y), (b, y)] for a, b, y in zip(low, high, self.y)])
        self.caps[0].set_data(low, self.y)
        self.caps[1].set_data(high, self.y)
        self.canvas.restore_region(self.background)
        for artist in self.moving:
            artist.axes.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


@share_docs
class ComparisonExplorer:
    """Choose a grouping and measures; see each group against the rest, with the evidence.

    A thin view over :func:`valuekit.analyse.significance.compare_groups`: the whole table (every
    grouping, every measure) is computed once, so the adjusted p-values are adjusted across
    all of it and do not change with what is shown. Choosing a grouping or measures only
    filters that table (:meth:`view`) and redraws: a chart of the group values with their
    intervals (:func:`valuekit.present.plots.plot_group_means`, one panel per measure) as a PNG
    image, and, in an HTML widget, the styled overview
    (:func:`~valuekit.analyse.significance.style_comparisons`) and the evidence of every comparison
    (:func:`format_comparisons`: n, interval, difference, effect size, adjusted p).

    Parameters
    ----------
    {scores}
    groupings : dict
        Grouping name to a Series aligned on ``scores.index`` (e.g. segments) or to a
        context column name looked up in ``scores``, then ``data``; e.g.
        ``{"segment": segments, "world view": "world_view", "channel": "channel"}``.
        The first is shown first.
    {codebook}
    {weights}
    data : DataFrame, optional
        Where context columns and a weight column are looked up.
    measures : list of str, optional
        Measures to offer; default every score of the codebook and the share destroyed.
    {names}
    {lang}
    {settings}
    figure : bool, default True
        Draw the chart (a PNG image widget).
    max_charts : int, default 9
        At most this many measures are charted (the table shows all chosen).

    Attributes
    ----------
    table : DataFrame
        The full :func:`~valuekit.analyse.significance.compare_groups` table.
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
                 lang: str = "en", settings: Evidence | dict | None = None, figure: bool = True, max_charts: int = 9):

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

        measures = self._check(grouping, measures)
        rows = self.table[(self.table["grouping"] == grouping) & self.table["measure"].isin(measures)]
        names = self.names.get(grouping)

        # style_comparisons escapes its labels; the group names shown here replace its row labels
        overview = (style_comparisons(rows, grouping=grouping).set_uuid(self._uuid)
                    .format_index(lambda g: _html.escape(_group_name(g, names)), axis=0).to_html())
        detail = format_comparisons(rows, names=names).to_html(classes="vk-comparison-detail", index=False,
                                                               border=0, escape=True)
        a = self.table.attrs
        a = {k: _html.escape(str(a.get(k))) for k in ("adjust", "n_tests", "alpha", "min_effect", "min_group_n")}
        footer = (f"<p>Each group against the rest of the sample. p adjusted ({a['adjust']}) across all "
                  f"{a['n_tests']} comparisons of the explorer; a finding needs adjusted p &lt; "
                  f"{a['alpha']} and |effect size| ≥ {a['min_effect']} (Hedges' g for means, Cohen's h "
                  f"for shares); groups with an effective n below {a['min_group_n']} are not compared.</p>")
        return rows, f"{overview}{detail}{footer}"

    def figure(self, grouping: str, measures):
        """A matplotlib ``Figure`` (no pyplot state): one :func:`~valuekit.present.plots.plot_group_means`
        panel per measure (at most ``max_charts``), three to a row."""
        from matplotlib.figure import Figure  # deferred: matplotlib

        from .plots import plot_group_means  # deferred: matplotlib

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
