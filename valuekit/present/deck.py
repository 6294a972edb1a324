"""The what-if as a deck a presenter can put in front of a board (python-pptx), and PNGs.

:func:`scenario_deck` writes the current scenario (headline with its interval, the
predicted outcome changes, the per-segment table, the benefits-vs-sacrifices map) and,
when given, a comparison of saved scenarios (table and chart) as a PowerPoint file. Every
number on a slide is formatted by the functions the dashboard uses
(:func:`valuekit.decide.scenario.format_headline`, ...), from one :meth:`ScenarioEngine.apply`,
so the deck and the page say the same thing.

Names come from other people (scenario, segment, lever and outcome names): every text put
on a slide or a chart is made XML-safe first (:func:`_deck_text`). A name such as
``=cmd|'/c calc'!A0`` is shown as it is written: PowerPoint shows a shape's text and a
table cell's text as text and never evaluates it (formula and DDE injection concern
spreadsheets opened from CSV, not a deck).
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from ..decide.scenario import (NO_SEGMENT, Scenario, ScenarioEngine, compare_scenarios, format_comparison,
                               format_headline, format_outcome_changes, format_summary, ui_text)
from ..errors import ParameterError
from ..survey.codebook import LANGUAGES

__all__ = ["scenario_deck", "scenario_pngs"]

#: What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; unpaired
#: surrogates; U+FFFE, U+FFFF) and what fonts have no glyph for (DEL, C1 controls).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _deck_text(text) -> str:
    """``text`` as a slide or a chart can show it: a tab as a space, a carriage return as
    a line break, anything XML cannot hold (or a font cannot draw) as U+FFFD, so nothing
    is dropped unseen; nothing is cut.

    >>> _deck_text("a\\x00b\\tc\\r\\nd\\ud83d") == "a\\ufffdb c\\nd\\ufffd"
    True
    """
    text = str(text).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_TEXT.sub("\ufffd", text)


def _shown_scenarios(scenario: Scenario, compare, names):
    """The scenario, the compared scenarios and the segment names with their texts made
    showable (:func:`_deck_text`), before anything is drawn or named apart."""
    def shown(s: Scenario) -> Scenario:
        clean = _deck_text(s.name)
        return s if clean == s.name else dataclasses.replace(s, name=clean)

    return (shown(scenario), None if compare is None else [shown(s) for s in compare],
            None if names is None else {k: _deck_text(v) for k, v in names.items()})


@share_docs
def scenario_pngs(engine: ScenarioEngine, scenario: Scenario, *, compare: list[Scenario] | None = None,
                  names: dict | None = None, lang: str = "en", dpi: int = 150) -> dict[str, bytes]:
    """The deck's charts as PNG images: ``map`` (benefits vs sacrifices, before/after by
    segment) and, with ``compare``, ``comparison``.

    Raises :class:`~valuekit.errors.ParameterError` for arguments of the wrong type, a
    ``lang`` other than en, es, it, or a ``dpi`` outside 10 to 1200.

    Parameters
    ----------
    engine : ScenarioEngine
        The survey's what-if engine (:func:`valuekit.decide.scenario.build_engine`).
    scenario : Scenario
        The scenario drawn.
    compare : list of Scenario, optional
        Saved scenarios: adds the ``comparison`` chart.
    {names}
    {lang}
    dpi : int, default 150
        Resolution of the images (10 to 1200).
    """
    from matplotlib.figure import Figure  # deferred: matplotlib

    _check_args(engine, scenario, compare, names, lang)
    dpi = _check.integer("dpi", dpi, min=10, max=1200)
    scenario, compare, names = _shown_scenarios(scenario, compare, names)

    from .plots import plot_benefits_sacrifices, plot_scenario_comparison, plot_scenario_shares  # deferred: matplotlib

    result = engine.apply(scenario, customers=True)
    out = {}
    fig = Figure(figsize=(11, 4.2), dpi=dpi)
    customers = result["customers"]
    sample = customers if len(customers) <= 3000 else customers.sample(3000, random_state=0)
    plot_benefits_sacrifices(sample, kind="scatter", lang=lang, codebook=engine.codebook, ax=fig.add_subplot(1, 2, 1))
    shares = result["summary"].rename(index={NO_SEGMENT: ui_text("ui_no_segment", lang)})
    plot_scenario_shares(shares, names={"all": ui_text("ui_all_customers", lang), **(names or {})},
                         lang=lang, ax=fig.add_subplot(1, 2, 2))
    fig.tight_layout()
    out["map"] = _png(fig)
    if compare:
        fig = Figure(figsize=(9, 0.6 * len(compare) + 1.6), dpi=dpi)
        plot_scenario_comparison(compare_scenarios(engine, compare), lang=lang, ax=fig.add_subplot(1, 1, 1))
        fig.tight_layout()
        out["comparison"] = _png(fig)
    return out


def _check_args(engine, scenario, compare, names, lang) -> None:
    _check.instance("engine", engine, ScenarioEngine, "a ScenarioEngine (build_engine)")
    _check.instance("scenario", scenario, Scenario, "a Scenario")
    if compare is not None and (not isinstance(compare, (list, tuple))
                                or any(not isinstance(s, Scenario) for s in compare)):
        raise ParameterError(f"compare: expected a list of Scenario or None, got {compare!r:.80}", name="compare")
    _check.instance("names", names, dict, "a mapping of segment to name", optional=True)
    _check.choice("lang", lang, LANGUAGES)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _picture(slide, png: bytes, *, left, top, width, height):
    """Put a PNG in the box (left, top, width, height), as large as fits, keeping its aspect
    ratio, centred across the box's width."""
    from PIL import Image  # deferred: Pillow

    with Image.open(io.BytesIO(png)) as image:
        px_w, px_h = image.size
    scale = min(width / px_w, height / px_h)
    w, h = int(px_w * scale), int(px_h * scale)
    return slide.shapes.add_picture(io.BytesIO(png), int(left + (width - w) / 2), int(top), width=w, height=h)


def _title(slide, text: str) -> None:
    slide.shapes.title.text = _deck_text(text)


def _table(slide, frame: pd.DataFrame, *, top, width, height, font_pt: int = 11) -> None:
    """A table at ``top``, its height capped to what is left of the slide (rows shrink)."""
    from pptx.util import Inches, Pt  # deferred: python-pptx

    frame = frame.reset_index()
    rows, cols = frame.shape[0] + 1, frame.shape[1]
    slide_height = slide.part.package.presentation_part.presentation.slide_height
    height = min(height, slide_height - top - Inches(0.2))
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), top, width, height)
    table = shape.table
    for j, col in enumerate(frame.columns):
        table.cell(0, j).text = _deck_text(col)
    for i, (_, row) in enumerate(frame.iterrows(), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = _deck_text(value)
    for i in range(rows):
        for j in range(cols):
            for p in table.cell(i, j).text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(font_pt)


@share_docs
def scenario_deck(engine: ScenarioEngine, scenario: Scenario, *, compare: list[Scenario] | None = None,
                  names: dict | None = None, lang: str = "en", path: str | Path | None = None) -> bytes:
    """A PowerPoint deck of one scenario (and a comparison of saved scenarios).

    Slides: the headline (share destroyed before → after with intervals, outcome changes,
    n), the result by segment, the map, and with ``compare`` the scenarios side by side
    (table, then chart). Returns the file's bytes; with ``path`` also writes it there.

    Parameters
    ----------
    engine : ScenarioEngine
        The survey's what-if engine (:func:`valuekit.decide.scenario.build_engine`).
    scenario : Scenario
        The scenario the deck presents.
    compare : list of Scenario, optional
        Saved scenarios to compare on the last slides.
    {names}
    {lang}
    path : str or Path, optional
        Where to write the deck as well (``.pptx``).

    Raises
    ------
    ParameterError
        An argument of the wrong type, or a ``lang`` other than en, es, it.
    FileError
        ``path`` is a folder, or its folder does not exist or cannot be written; checked
        before the deck is built.
    """
    _check_args(engine, scenario, compare, names, lang)
    if path is not None:
        path = _check.output_file("path", path, "PowerPoint deck")
    data = _deck(engine, scenario, compare, names, lang,
                 scenario_pngs(engine, scenario, compare=compare, names=names, lang=lang))
    if path is not None:
        _check.write_bytes(path, data, "PowerPoint deck")
    return data


def _deck(engine: ScenarioEngine, scenario: Scenario, compare, names, lang: str, pngs: dict[str, bytes]) -> bytes:
    """The deck's bytes from checked arguments and its charts (:func:`scenario_pngs`), so a
    caller offering the charts too (the dashboard's download) draws them once."""
    from pptx import Presentation  # deferred: python-pptx
    from pptx.util import Inches, Pt  # deferred: python-pptx

    scenario, compare, names = _shown_scenarios(scenario, compare, names)
    result = engine.apply(scenario)
    summary = result["summary"]
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title_only = deck.slide_layouts[5]

    slide = deck.slides.add_slide(title_only)
    _title(slide, f"{ui_text('ui_scenario', lang)}: {scenario.name}")
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.6), Inches(12), Inches(5)).text_frame
    box.word_wrap = True
    box.text = _deck_text(format_headline(summary, "all", lang))
    box.paragraphs[0].runs[0].font.size = Pt(24)
    box.paragraphs[0].runs[0].font.bold = True
    levers = engine.levers
    settings = [f"{levers[k].label(lang)}: {v:+g} {levers[k].unit_label(lang)}" for k, v in scenario.levers.items() if v]
    lines = ([ui_text("ui_outcomes", lang)] + format_outcome_changes(result, "all", lang) + [""] + settings
             + [ui_text("ui_interval", lang, level=int(round(100 * summary.attrs.get("confidence", 0.95))),
                        n=f"{int(summary.loc['all', 'customers']):,}")])
    for line in lines:
        p = box.add_paragraph()
        p.text = _deck_text(line)
        p.font.size = Pt(16)

    slide = deck.slides.add_slide(title_only)
    _title(slide, ui_text("ui_by_segment", lang))
    table = format_summary(result, names=names, lang=lang)
    _table(slide, table, top=Inches(1.5), width=Inches(12.5), height=Inches(0.4 * (len(table) + 1)), font_pt=10)

    slide = deck.slides.add_slide(title_only)
    _title(slide, ui_text("ui_map", lang))
    box = dict(left=Inches(0.4), top=Inches(1.5), width=deck.slide_width - Inches(0.8),
               height=deck.slide_height - Inches(1.7))
    _picture(slide, pngs["map"], **box)

    if compare:
        slide = deck.slides.add_slide(title_only)
        _title(slide, ui_text("ui_compare", lang))
        table = format_comparison(engine, compare, lang=lang)
        _table(slide, table, top=Inches(1.5), width=Inches(12.5), height=Inches(0.4 * (len(table) + 1)), font_pt=11)
        slide = deck.slides.add_slide(title_only)
        _title(slide, ui_text("ui_compare", lang))
        _picture(slide, pngs["comparison"], **box)

    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
