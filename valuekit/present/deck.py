"""The what-if as a deck a presenter can put in front of a board (python-pptx), and PNGs.

:func:`scenario_deck` writes the current scenario and, when given, a comparison of saved
scenarios as a PowerPoint file built on a template: the bundled one
(``templates/deck/default.pptx``, 16:9, written by ``templates/deck/make_default.py``) or
the analyst's own (``template="company.pptx"``), whose slide layouts and placeholders are
used. Layouts are found by their placeholders (a title and a subtitle, a title and one
body, a title alone), never by their position in the file; the template's own slides are
left out of the deck.

The slides:

1. the title slide: the scenario, the survey's name, the fieldwork (when given), the
   customers scored and the date of the analysis;
2. the headline: a title stating the finding (withheld, worded neutrally, when the
   change's interval includes zero), the share of customers whose value is destroyed
   before → after as a big number with the change and its interval, the levers the
   scenario moves and their values, and the share by segment (a table of five columns);
3. the benefits-vs-sacrifices map, titled by the segment where value is destroyed most
   often when its interval sets it apart;
4. with ``compare``: the scenarios side by side (what each changes and its result), then
   the comparison chart, under their own titles;
5. the appendix: value destroyed and verdicts by segment, the predicted outcome changes,
   and the compared scenarios in detail, each number with its interval.

Every slide carries the footer (the survey and n) and its number. Tables have at most six
columns at 14 points or more; a table longer than its slide continues on the next. Numbers
are written by :func:`valuekit.present.reader.format_number` (Babel, CLDR) with a true
minus sign; every word comes from ``deck.yaml`` (en, es, it). Changes for the better are
green, never red.

Names come from other people (scenario, segment, lever and outcome names, the survey's
name): every text put on a slide or a chart is made XML-safe first (:func:`_deck_text`). A
name such as ``=cmd|'/c calc'!A0`` is shown as it is written: PowerPoint shows a shape's
text and a table cell's text as text and never evaluates it (formula and DDE injection
concern spreadsheets opened from CSV, not a deck).

Fonts: the bundled template's theme fonts are Calibri, which LibreOffice replaces by the
metric-compatible Carlito; text is sized from Calibri's widths with a margin, so that a
line breaks where PowerPoint breaks it.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import math
import re
import unicodedata
from pathlib import Path

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.yamlfile import loads
from ..decide.scenario import (NO_SEGMENT, Scenario, ScenarioEngine, compare_scenarios, model_fit, scenario_names,
                               ui_text)
from ..errors import FileError, ParameterError
from ..survey.codebook import LANGUAGES
from .reader import _READER, format_number

__all__ = ["scenario_deck", "scenario_pngs", "DECK_TEXT", "DEFAULT_TEMPLATE"]

#: Every word of the deck, by key and language (``deck.yaml``).
DECK_TEXT: dict = loads(Path(__file__).with_name("deck.yaml").read_text(encoding="utf-8"))
#: The bundled template (16:9), written by ``templates/deck/make_default.py``.
DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "deck" / "default.pptx"

#: What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; unpaired
#: surrogates; U+FFFE, U+FFFF) and what fonts have no glyph for (DEL, C1 controls).
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_PT, _INCH = 12700, 914400  # EMU per point, per inch
_BETTER, _WORSE, _GREY = "1B7837", "B2182B", "5B6472"  # the charts' green and red
#: Table font sizes, largest first: a table is set in the largest that fits its slide.
_TABLE_PT = (20, 18, 16, 14)
#: A table shorter than this share of the content's height gets taller rows.
_FILL = 0.6
#: Line height per point of font size (Calibri's and Carlito's is 1.22), and the share of a
#: box's width text is planned into (room for a font a little wider than Calibri).
_LINE, _ROOM = 1.25, 0.92
_CELL_X, _CELL_Y = 0.08 * _INCH, 0.04 * _INCH  # a table cell's inner margins
_GAP = int(0.15 * _INCH)
#: The locale each language's dates are written in (Babel).
_DATE_LOCALES = {"en": "en_US", "es": "es_ES", "it": "it_IT"}
#: Advance widths (1/1000 em) of Carlito (metric-compatible with Calibri) from " " to "~",
#: regular and bold.
_REGULAR = (226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386, 507, 507, 507, 507, 507,
            507, 507, 507, 507, 507, 268, 268, 498, 498, 498, 463, 894, 579, 544, 533, 615, 488, 459, 631, 623, 252,
            319, 520, 420, 855, 646, 662, 517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468, 307, 386, 307, 498,
            498, 291, 479, 525, 423, 525, 498, 305, 471, 525, 230, 239, 455, 230, 799, 525, 527, 525, 525, 349, 391,
            335, 525, 452, 715, 433, 453, 395, 314, 460, 314, 498)
_BOLD = (226, 326, 438, 498, 507, 729, 705, 233, 312, 312, 498, 498, 258, 306, 267, 430, 507, 507, 507, 507, 507,
           507, 507, 507, 507, 507, 276, 276, 498, 498, 498, 463, 898, 606, 561, 529, 630, 488, 459, 637, 631, 267,
           331, 547, 423, 874, 659, 676, 532, 686, 563, 473, 495, 653, 591, 906, 551, 520, 478, 325, 430, 325, 498,
           498, 300, 494, 537, 418, 537, 503, 316, 474, 537, 246, 255, 480, 246, 813, 537, 538, 537, 537, 355, 399,
           347, 537, 473, 745, 459, 474, 397, 344, 475, 344, 498)
#: Theme fonts as wide as Calibri's text times this (Arial's is a tenth wider); a font not
#: listed counts as a sixth wider.
_WIDER = {"calibri": 1.0, "carlito": 1.0, "arial": 1.1, "helvetica": 1.1, "liberation sans": 1.1, "aptos": 1.08,
          "segoe ui": 1.12, "tahoma": 1.15, "verdana": 1.3, "times new roman": 1.0, "georgia": 1.12}
_SPECIAL = {"→": 905, "—": 905, "…": 711, "−": 498, "–": 498, "·": 268, "\u00a0": 226, "“": 435, "”": 435, "«": 539,
            "»": 539, "‘": 258, "’": 258, "²": 338, "±": 498, "€": 507, "\ufffd": 900}


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


# -- the charts ---------------------------------------------------------------------------

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

    from .plots import _segment_map, plot_scenario_comparison, plot_scenario_shares  # deferred: matplotlib

    result = engine.apply(scenario, customers=True)
    out = {}
    fig = Figure(figsize=(11.5, 4.8), dpi=dpi)
    customers = result["customers"]
    sample = customers if len(customers) <= 3000 else customers.sample(3000, random_state=0)
    *_, rows = _segment_map(fig, fig.add_subplot(1, 2, 1), engine, sample, names=names or {}, lang=lang)
    shares = result["summary"].rename(index={NO_SEGMENT: ui_text("ui_no_segment", lang)})
    plot_scenario_shares(shares, names={"all": ui_text("ui_all_customers", lang)},  # the key below names them
                         lang=lang, ax=fig.add_subplot(1, 2, 2))
    fig.tight_layout(rect=(0, 0.05 * rows + 0.02, 1, 1))  # room for the segments' key below
    out["map"] = _png(fig)
    if compare:  # as wide as a slide's content, as tall as the bars need (a slide's at most)
        fig = Figure(figsize=(11.5, min(4.8, max(4.2, 0.42 * len(compare) + 1.5))), dpi=dpi)
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


# -- how much room text takes --------------------------------------------------------------

def _em(char: str, bold: bool = False) -> float:
    """The width of one character in em (Calibri's metrics; a letter with an accent as the
    letter; an unknown character as a wide one)."""
    code, widths = ord(char), _BOLD if bold else _REGULAR
    if 32 <= code < 127:
        return widths[code - 32] / 1000
    if char in _SPECIAL:
        return _SPECIAL[char] / 1000
    base = unicodedata.normalize("NFD", char)[0]
    if base != char and 32 <= ord(base) < 127:
        return widths[ord(base) - 32] / 1000
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.62


def _width(text: str, pt: float, bold: bool = False) -> float:
    """The width of one line of ``text`` at ``pt`` points, in points (``pt`` times the theme
    font's :data:`_WIDER` for a font other than Calibri)."""
    return pt * sum(_em(c, bold) for c in text)


def _line_count(text: str, width: float, pt: float, bold: bool = False) -> int:
    """The lines ``text`` takes at ``pt`` points in a box ``width`` points wide: each line
    break starts a line, lines wrap at spaces (a non-breaking space holds its words
    together), and a word wider than the box is broken where it must be.

    >>> _line_count("a b", 100, 10), _line_count("word " * 30, 100, 10), _line_count("x" * 60, 100, 10)
    (1, 8, 3)
    """
    width *= _ROOM
    space, total = _em(" ") * pt, 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        for word in paragraph.split(" "):
            w = _width(word, pt, bold)
            if used and used + space + w <= width:
                used += space + w
                continue
            if used:
                lines, used = lines + 1, 0.0
            while w > width:
                lines, w = lines + 1, w - width
            used = w
        total += lines
    return total


@dataclasses.dataclass
class _Para:
    """A paragraph to write: its text, size (points), weight, colour, and whether it is a
    bulleted item of the template's list style."""

    text: str
    pt: float
    bold: bool = False
    colour: str | None = None
    bullet: bool = False


def _text_height(paras: list[_Para], width: float, scale: float = 1.0, wide: float = 1.0) -> float:
    """Points the paragraphs take in a box ``width`` points wide (a bullet's indent kept
    free), in a font ``wide`` times as wide as Calibri."""
    return sum(_line_count(p.text, width - (24 if p.bullet else 0), p.pt * scale * wide, p.bold is not False)
               * p.pt * scale * _LINE for p in paras)


# -- the template ----------------------------------------------------------------------------

_KIND = {"TITLE": "title", "CENTER_TITLE": "title", "BODY": "body", "OBJECT": "body", "SUBTITLE": "subtitle",
         "FOOTER": "footer", "SLIDE_NUMBER": "number", "DATE": "date"}


def _kinds(layout) -> dict[str, list]:
    """A layout's placeholders by what they are for: title, body, subtitle, footer, number,
    date, other (a picture, a chart, vertical text, ...)."""
    out: dict[str, list] = {}
    for shape in layout.placeholders:
        kind = shape.placeholder_format.type
        out.setdefault(_KIND.get(kind.name if kind is not None else "OBJECT", "other"), []).append(shape)
    return out


@dataclasses.dataclass
class _Layouts:
    """The template's layouts the deck uses, and where a slide's content goes (EMU)."""

    cover: object
    content: object
    title_only: object
    box: tuple[int, int, int, int]
    footer_box: tuple[int, int, int, int] | None
    wide: float = 1.0


def _open_template(template):
    """The template as a presentation without slides, and its layouts (:class:`_Layouts`)."""
    from pptx import Presentation  # deferred: python-pptx

    path = (DEFAULT_TEMPLATE if template is None
            else _check.input_file("template", template, "PowerPoint template (.pptx)"))
    try:
        prs = Presentation(str(path))
    except Exception as err:  # noqa: BLE001 (a zip that is no deck, a broken part: said with the file's name)
        raise FileError(f"template: '{path}' is not a PowerPoint presentation ({type(err).__name__}: {err}); "
                        f"expected a deck or a template saved as .pptx", path=str(path)) from None
    _drop_slides(prs)
    return prs, _pick_layouts(prs, path)


def _drop_slides(prs) -> None:
    """Leave the template's own slides (and the sections naming them) out of the deck."""
    from pptx.oxml.ns import qn  # deferred: python-pptx

    ids = prs.slides._sldIdLst
    for entry in list(ids):
        ids.remove(entry)
        prs.part.drop_rel(entry.rId)
    extensions = prs.part._element.find(qn("p:extLst"))
    for ext in [] if extensions is None else list(extensions):
        if any(child.tag.endswith("}sectionLst") for child in ext):
            extensions.remove(ext)


def _pick_layouts(prs, path) -> _Layouts:
    """The cover (a title and a subtitle), content (a title and one body) and title-only
    layouts, found by their placeholders; each falls back on the next best."""
    layouts = [(layout, _kinds(layout)) for layout in prs.slide_layouts]
    titled = [(layout, kinds) for layout, kinds in layouts if "title" in kinds]
    if not titled:
        raise FileError(f"template: '{path}' has no slide layout with a title placeholder; expected layouts such "
                        f"as 'Title Slide', 'Title and Content' and 'Title Only' (PowerPoint: View > Slide Master)",
                        path=str(path))
    plain = {"title", "footer", "number", "date"}
    title_only = next((layout for layout, kinds in titled if set(kinds) <= plain), None)
    content = next((layout for layout, kinds in titled
                    if len(kinds.get("body", [])) == 1 and set(kinds) <= plain | {"body"}), None)
    cover = next((layout for layout, kinds in titled if "subtitle" in kinds), None)
    title_only = title_only or content or titled[0][0]
    content = content or title_only
    box, footer_box = _content_box(prs, title_only, content, path)
    return _Layouts(cover or content, content, title_only, box, footer_box, _theme_width(prs))


def _theme_width(prs) -> float:
    """How much wider than Calibri the theme's fonts set text (:data:`_WIDER`; the wider of
    the heading and body fonts)."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT  # deferred: python-pptx
    from pptx.oxml import parse_xml  # deferred: python-pptx
    from pptx.oxml.ns import qn  # deferred: python-pptx

    theme = parse_xml(prs.slide_master.part.part_related_by(RT.THEME).blob)
    fonts = [latin.get("typeface", "") for latin in theme.iter(qn("a:latin"))
             if latin.getparent().tag in (qn("a:majorFont"), qn("a:minorFont"))]
    return max([_WIDER.get(font.strip().lower(), 1.15) for font in fonts] or [1.15])


def _content_box(prs, title_only, content, path):
    """Where a slide's content goes: the content layout's body, below the title (and any
    line or band drawn under it), above the footer; and the footer's own box when the
    layouts have no footer placeholder."""
    only, body = _kinds(title_only), (_kinds(content).get("body") or [None])[0]
    title = only["title"][0]
    left, width = (body.left, body.width) if body is not None else (title.left, title.width)
    top = max(title.top + title.height + _GAP, body.top if body is not None else 0)
    for shape in title_only.shapes:  # a line or a band under the title pushes the content down
        if (not shape.is_placeholder and shape.height < 0.15 * prs.slide_height and shape.top < top
                and shape.top + shape.height > title.top + title.height - _GAP):
            top = max(top, shape.top + shape.height + _GAP)
    bottom = body.top + body.height if body is not None else prs.slide_height - int(0.5 * _INCH)
    feet = [shape.top for kind in ("footer", "number", "date") for shape in only.get(kind, []) if shape.top > top]
    bottom = min([bottom, *[t - _GAP for t in feet]])
    footer_box = None
    if "footer" not in only:
        footer_box = (left, prs.slide_height - int(0.45 * _INCH), width, int(0.32 * _INCH))
        bottom = min(bottom, footer_box[1] - _GAP)
    if bottom - top < 0.4 * prs.slide_height:
        raise FileError(f"template: '{path}' leaves too little room for content under a slide's title (layout "
                        f"'{content.name}'); expected a body placeholder filling most of the slide", path=str(path))
    return (int(left), int(top), int(width), int(bottom - top)), footer_box


# -- numbers and words ---------------------------------------------------------------------------

def _minus(text: str) -> str:
    """A number's hyphen-minus as the minus sign, U+2212."""
    return text.replace("-", "\u2212")


def _digits(values, digits: int) -> int:
    """Decimals (``digits`` or more, at most 4) that write no value but zero as zero."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    while digits < 4 and any(0 < v < 0.5 * 10 ** -digits for v in finite):
        digits += 1
    return digits


class _Words:
    """The deck's words and numbers in one language."""

    def __init__(self, lang: str, engine: ScenarioEngine, names: dict | None):
        self.lang, self.engine, self.names = lang, engine, names or {}
        self.level = format_number(engine.confidence, "percent", lang, digits=0)

    def say(self, key: str, **values) -> str:
        """The words of ``key`` in the deck's language, with ``values`` filled in."""
        return DECK_TEXT[key][self.lang].format(**values)

    def count(self, n) -> str:
        """A whole number: '1,962'."""
        return format_number(n, "count", self.lang)

    def pct(self, share, digits: int = 1) -> str:
        """A share as a percentage: '19.8%', '19,8 %'."""
        return _minus(format_number(share, "percent", self.lang, digits=digits))

    def signed(self, value, digits: int) -> str:
        """'+1.3', '−0.04', '0.0'."""
        text = _minus(format_number(value, "decimal", self.lang, digits=digits))
        return "+" + text if value > 0 and text.strip("0.,") else text

    def interval(self, low, high, kind: str, digits: int) -> str:
        """'[18.1%, 21.6%]' (``percent``) or '[−2.6, −1.4]' (``decimal``), its ends held together."""
        between = _READER["words"]["between"][self.lang].replace(" ", "\u00a0")
        if kind == "percent":
            ends = [self.pct(v, digits) for v in (low, high)]
        else:
            ends = [_minus(format_number(v, "decimal", self.lang, digits=digits)) for v in (low, high)]
        return f"[{ends[0]}{between}{ends[1]}]"

    def share_with_interval(self, r, key: str) -> str:
        """'19.8% [18.1%, 21.6%]' for the summary row's ``key``."""
        return f"{self.pct(r[key])} {self.interval(r[f'{key}_low'], r[f'{key}_high'], 'percent', 1)}"

    def points(self, r, *, interval: bool = False) -> str:
        """The change in the share destroyed in percentage points: '−2.0' or '−2.0 [−2.6, −1.4]'."""
        values = [100 * r["share_destroyed_change"], 100 * r["share_destroyed_change_low"],
                  100 * r["share_destroyed_change_high"]]
        digits = _digits(values, 1)
        text = self.signed(values[0], digits)
        return f"{text} {self.interval(values[1], values[2], 'decimal', digits)}" if interval else text

    def outcome(self, r, name: str, info) -> str:
        """An outcome's predicted change with its interval, or why it is withheld."""
        if not info["shown"]:
            return self.say("withheld", fit=model_fit(info, self.lang))
        if not math.isfinite(r[f"{name}_change"]):  # a shown model's prediction beyond its scale
            return ui_text("ui_beyond_scale", self.lang)
        values = [r[f"{name}_change"], r[f"{name}_change_low"], r[f"{name}_change_high"]]
        digits = _digits(values, 2)
        return f"{self.signed(values[0], digits)} {self.interval(values[1], values[2], 'decimal', digits)}"

    def segment(self, segment) -> str:
        """A summary row's name: 'All customers', '2: bargain hunters', 'No segment ...'."""
        if isinstance(segment, str) and segment == "all":
            return self.say("all_customers")
        if isinstance(segment, str) and segment == NO_SEGMENT:
            return self.say("no_segment")
        return f"{segment}: {self.names[segment]}" if segment in self.names else str(segment)

    def segment_words(self, segment) -> str:
        """A segment as a sentence names it: 'segment 2 (bargain hunters)'."""
        if segment in self.names:
            return self.say("segment_named", segment=segment, name=self.names[segment])
        return self.say("segment_bare", segment=segment)

    def lever(self, name: str, value: float, *, colon: bool = True) -> str:
        """A lever's setting: 'Price: −10 %', 'Staff training: +1 point'."""
        lever = self.engine.levers[name]
        unit = lever.unit_label(self.lang)
        if abs(value) == 1 and unit == ui_text("ui_unit_points", self.lang):
            unit = self.say("unit_point")
        digits = next((d for d in range(lever.decimals) if abs(round(value, d) - value) < 1e-9), lever.decimals)
        number = self.signed(value, digits)
        return f"{lever.label(self.lang)}{':' if colon else ''} {number}\u00a0{unit}"

    def levers(self, scenario: Scenario) -> list[str]:
        """The settings of the levers a scenario moves."""
        return [self.lever(k, v) for k, v in scenario.levers.items() if v]

    def quoted(self, names: list[str]) -> str:
        """“a”, “b” and “c”."""
        quoted = [self.say("quoted", name=n) for n in names]
        return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + self.say("and") + quoted[-1]

    def takeaway(self, r, scenario: Scenario) -> str:
        """The finding of a scenario as a title: what moves how many customers out of (or
        into) value destroyed, or, where the change's interval includes zero, a neutral title."""
        moved = [(k, v) for k, v in scenario.levers.items() if v]
        what = self.lever(*moved[0], colon=False) if len(moved) == 1 else self.quoted([scenario.name])
        low, high = r["share_destroyed_change_low"], r["share_destroyed_change_high"]
        if r["share_destroyed_change"] == 0 and low == 0 and high == 0:
            return self.say("takeaway_nothing", what=what)
        if low <= 0 <= high:
            return self.say("takeaway_unclear", what=what)
        change = 100 * abs(r["share_destroyed_change"])
        points = self.say("points", value=format_number(change, "decimal", self.lang, digits=_digits([change], 1)))
        return self.say("takeaway_fewer" if high < 0 else "takeaway_more", what=what, points=points)


def _change_colour(r) -> str | None:
    """Green for fewer customers with value destroyed, red for more, where the change's
    interval excludes zero; no colour otherwise."""
    if r["share_destroyed_change_high"] < 0:
        return _BETTER
    if r["share_destroyed_change_low"] > 0:
        return _WORSE
    return None


# -- writing on slides ----------------------------------------------------------------------------

def _write(frame, paras: list[_Para], width: int, height: int, *, scales=(1.0, 0.9, 0.8, 0.7, 0.6),
           wide: float = 1.0) -> float:
    """Write the paragraphs into a text frame sized ``width`` x ``height`` (EMU), at the
    largest of ``scales`` whose lines fit (in a font ``wide`` times Calibri's width);
    returns the scale."""
    from pptx.dml.color import RGBColor  # deferred: python-pptx
    from pptx.util import Pt  # deferred: python-pptx

    frame.word_wrap = True
    frame.margin_left = frame.margin_right = int(0.08 * _INCH)
    frame.margin_top = frame.margin_bottom = int(0.04 * _INCH)
    inner_w, inner_h = (width - 0.16 * _INCH) / _PT, (height - 0.08 * _INCH) / _PT
    scale = next((s for s in scales if _text_height(paras, inner_w, s, wide) <= inner_h), scales[-1])
    frame.clear()
    for k, spec in enumerate(paras):
        p = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        p.space_before, p.space_after, p.line_spacing = Pt(0), Pt(0), 1.0
        if not spec.bullet:
            _no_bullet(p)
        run = p.add_run()
        run.text = _deck_text(spec.text)
        run.font.size = Pt(round(spec.pt * scale, 1))
        run.font.bold = spec.bold
        if spec.colour:
            run.font.color.rgb = RGBColor.from_string(spec.colour)
    return scale


def _no_bullet(paragraph) -> None:
    """A paragraph without the list style's bullet or indent."""
    from pptx.oxml.ns import qn  # deferred: python-pptx

    props = paragraph._p.get_or_add_pPr()
    props.set("marL", "0")
    props.set("indent", "0")
    if props.find(qn("a:buNone")) is None:
        props.insert(0, props.makeelement(qn("a:buNone"), {}))


def _placeholder(slide, kinds: tuple[str, ...]):
    """The slide's first placeholder of one of ``kinds`` (see :func:`_kinds`), or None."""
    for shape in slide.placeholders:
        kind = shape.placeholder_format.type
        if _KIND.get(kind.name if kind is not None else "OBJECT") in kinds:
            return shape
    return None


@dataclasses.dataclass
class _TablePlan:
    """A table laid out: its font size, column widths, row heights (EMU, the header's
    first) and the rows each slide shows."""

    pt: float
    widths: list[int]
    heights: list[int]
    pages: list[list[int]]


def _two_lines(text: str, pt: float) -> float:
    """The narrowest width (points) that sets a heading (bold) in two lines or fewer."""
    words = text.split(" ")
    return min([_width(text, pt, True)] + [max(_width(" ".join(words[:k]), pt, True),
                                               _width(" ".join(words[k:]), pt, True)) for k in range(1, len(words))])


def _column_widths(header: list[str], rows: list[list[str]], width: int, pt: float) -> list[list[int]]:
    """Ways to share ``width`` (EMU) among the columns: each column as wide as its longest
    line (its heading in two lines) where they all fit; else each as wide as its longest
    word (words joined by a non-breaking space are one) and what is left shared by how much
    more its longest line needs, or given all to the first column (the names). ``pt``
    counts a wider font's :data:`_WIDER`."""
    pad = 2 * _CELL_X / _PT + 2
    least = [max(_width(w, pt, True) for w in str(c).split(" ")) / _ROOM + pad for c in header]
    natural = [_two_lines(str(c), pt) / _ROOM + pad for c in header]
    for row in rows:
        for j, cell in enumerate(row):
            lines = str(cell).split("\n")
            natural[j] = max(natural[j], max(_width(line, pt) for line in lines) / _ROOM + pad)
            least[j] = max(least[j], max(_width(w, pt) for line in lines for w in line.split(" ")) / _ROOM + pad)
    total = width / _PT
    if sum(natural) <= total:
        options = [[n + (total - sum(natural)) * n / sum(natural) for n in natural]]
    elif sum(least) <= total:
        flex = [n - m for n, m in zip(natural, least)]
        options = [[m + (total - sum(least)) * f / sum(flex) for m, f in zip(least, flex)],
                   [least[0] + total - sum(least)] + least[1:]]
        if sum(natural[1:]) + least[0] <= total:
            options.append([total - sum(natural[1:])] + natural[1:])
    else:
        options = [[m * total / sum(least) for m in least]]
    out = []
    for points in options:
        emu = [int(p * _PT) for p in points]
        emu[-1] += width - sum(emu)
        out.append(emu)
    return out


def _row_height(cells: list[str], widths: list[int], pt: float, wide: float, bold: bool = False) -> int:
    """A table row's height (EMU): its cell of most lines, at ``pt`` points in a font ``wide``
    times Calibri's width."""
    lines = max(_line_count(str(c), (w - 2 * _CELL_X) / _PT, pt * wide, bold) for c, w in zip(cells, widths))
    return int((lines * pt * _LINE + 2) * _PT + 2 * _CELL_Y)


def _pages(heights: list[int], first: int, later: int, target: float | None = None) -> list[list[int]]:
    """The body rows (indices) on each slide: as many as fit ``first`` (then ``later``) below
    the heading, or, with ``target``, no more than ``target`` of height per slide."""
    pages, used = [[]], 0
    for i, h in enumerate(heights[1:]):
        room = (first if len(pages) == 1 else later) - heights[0]
        if pages[-1] and used + h > min(room, target or room):
            pages, used = pages + [[]], 0
        pages[-1].append(i)
        used += h
    return pages


def _plan_table(header, rows, width: int, first: int, later: int, wide: float = 1.0) -> _TablePlan:
    """Lay a table out in ``width``: the largest font size whose rows fit ``first`` (EMU)
    of height; at the smallest, the rows over several slides (``later`` each after the
    first), spread evenly so that no slide is left with a row or two. Rows on a slide
    filling less than :data:`_FILL` of it are made taller. ``wide``: the theme font's :data:`_WIDER`."""
    for pt in _TABLE_PT:
        options = []
        for widths in _column_widths(header, rows, width, pt * wide):  # the one of the shortest table
            heights = [_row_height(cells, widths, pt, wide, bold=k == 0) for k, cells in enumerate([header, *rows])]
            options.append((sum(heights), len(options), widths, heights))
        _, _, widths, heights = min(options)
        if sum(heights) <= first:
            break
    pages = _pages(heights, first, later)
    if len(pages) > 1:
        even = _pages(heights, first, later, 1.1 * sum(heights[1:]) / len(pages))
        pages = even if len(even) == len(pages) else pages
    for k, page in enumerate(pages):
        room = (first if k == 0 else later) - heights[0]
        used = sum(heights[i + 1] for i in page)
        if page and used < _FILL * room - heights[0]:
            extra = (_FILL * room - heights[0] - used) / len(page)
            for i in page:
                heights[i + 1] = int(min(heights[i + 1] + extra, max(heights[i + 1], 1.1 * _INCH)))
    return _TablePlan(pt, widths, heights, pages)


class _Builder:
    """Slides on the template's layouts, each with its title, footer and number."""

    def __init__(self, prs, layouts: _Layouts, words: _Words, footer: str):
        self.prs, self.layouts, self.words, self.footer = prs, layouts, words, footer
        self.left, self.top, self.width, self.height = layouts.box
        self.wide = layouts.wide

    def slide(self, layout, title: str, *, sizes=(28, 26, 24, 22, 20, 18)):
        """A new slide on ``layout`` with ``title`` at the largest of ``sizes`` that fits its placeholder."""
        slide = self.prs.slides.add_slide(layout)
        shape = slide.shapes.title
        box = next(ph for ph in _kinds(layout)["title"])
        paras = [_Para(title, 1.0, bold=None)]  # the template's weight: counted as bold
        inner_w, inner_h = (box.width - 0.16 * _INCH) / _PT, (box.height - 0.08 * _INCH) / _PT
        size = next((s for s in sizes if _text_height(paras, inner_w, s, self.wide) <= inner_h), sizes[-1])
        _write(shape.text_frame, [_Para(title, size, bold=None)], box.width, box.height, scales=(1.0,),
               wide=self.wide)
        self._footer(slide, layout)
        return slide

    def _footer(self, slide, layout) -> None:
        """The footer (source and n) and the slide's number: in the layout's placeholders,
        else in a text box along the bottom."""
        kinds = _kinds(layout)
        number = str(len(self.prs.slides))
        for kind, text in (("footer", self.footer), ("number", number)):
            for source in kinds.get(kind, [])[:1]:
                slide.shapes.clone_placeholder(source)
                shape = slide.placeholders[source.placeholder_format.idx]
                _write(shape.text_frame, [_Para(text, 12)], source.width, source.height,
                       scales=(1.0, 0.9, 0.8, 0.75), wide=self.wide)
        if "footer" not in kinds:
            left, top, width, height = self.layouts.footer_box or (self.left, self.prs.slide_height - int(
                0.45 * _INCH), self.width, int(0.32 * _INCH))
            box = slide.shapes.add_textbox(left, top, width, height)
            box.name = "Footer"
            _write(box.text_frame, [_Para(f"{self.footer}   {number}", 11, colour=_GREY)], width, height,
                   scales=(1.0, 0.9, 0.8), wide=self.wide)

    def picture(self, slide, png: bytes, box=None):
        """A PNG as large as fits ``box`` (default: the content), keeping its aspect, centred."""
        from PIL import Image  # deferred: Pillow

        left, top, width, height = box or self.layouts.box
        with Image.open(io.BytesIO(png)) as image:
            px_w, px_h = image.size
        scale = min(width / px_w, height / px_h)
        w, h = int(px_w * scale), int(px_h * scale)
        return slide.shapes.add_picture(io.BytesIO(png), int(left + (width - w) / 2), int(top + (height - h) / 2),
                                        width=w, height=h)

    def fits(self, header: list[str], rows: list[list[str]], top: int) -> bool:
        """Whether the table fits on one slide below ``top``."""
        plan = _plan_table(header, rows, self.width, self.top + self.height - top, self.height, self.wide)
        return len(plan.pages) == 1

    def table(self, slide, title: str, header: list[str], rows: list[list[str]], *, top: int | None = None,
              right=(), colours: dict | None = None) -> None:
        """A table in the content box from ``top`` on (on a new slide titled ``title`` when
        ``slide`` is None); rows that do not fit continue on slides of their own, titled
        ``title`` (continued)."""
        top = self.top if top is None or slide is None else top
        plan = _plan_table(header, rows, self.width, self.top + self.height - top, self.height, self.wide)
        for k, page in enumerate(plan.pages):
            if slide is None or k:
                slide = self.slide(self.layouts.title_only, self.words.say("continued", title=title) if k else title)
                top = self.top
            self._table(slide, top, header, [rows[i] for i in page], plan, page, right, colours or {})

    def _table(self, slide, top, header, rows, plan: _TablePlan, page: list[int], right, colours) -> None:
        from pptx.dml.color import RGBColor  # deferred: python-pptx
        from pptx.enum.text import MSO_ANCHOR, PP_ALIGN  # deferred: python-pptx
        from pptx.util import Pt  # deferred: python-pptx

        heights = [plan.heights[0]] + [plan.heights[i + 1] for i in page]
        shape = slide.shapes.add_table(len(rows) + 1, len(header), self.left, top, self.width, sum(heights))
        table = shape.table
        for j, w in enumerate(plan.widths):
            table.columns[j].width = w
        for i, h in enumerate(heights):
            table.rows[i].height = h
        for i, cells in enumerate([header, *rows]):
            source = None if i == 0 else page[i - 1]
            for j, text in enumerate(cells):
                cell = table.cell(i, j)
                cell.margin_left = cell.margin_right = int(_CELL_X)
                cell.margin_top = cell.margin_bottom = int(_CELL_Y)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.text = _deck_text(text)
                for p in cell.text_frame.paragraphs:
                    p.alignment = PP_ALIGN.RIGHT if j in right else PP_ALIGN.LEFT
                    p.line_spacing = 1.0
                    for run in p.runs:
                        run.font.size = Pt(plan.pt)
                        if (source, j) in colours:
                            run.font.color.rgb = RGBColor.from_string(colours[source, j])
                            run.font.bold = True

    def save(self) -> bytes:
        """The deck's bytes, with every placeholder left empty removed."""
        for slide in self.prs.slides:
            for shape in list(slide.placeholders):
                if not (shape.has_text_frame and shape.text_frame.text.strip()):
                    shape.element.getparent().remove(shape.element)
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


# -- the slides ---------------------------------------------------------------------------------

def _cover(b: _Builder, w: _Words, scenario: Scenario, survey: str, n: str, fieldwork: str | None) -> None:
    """The title slide: the scenario; the survey, its fieldwork, n and the date of the analysis."""
    from babel.dates import format_date  # deferred: babel

    slide = b.slide(b.layouts.cover, w.say("cover_title", scenario=scenario.name), sizes=(40, 36, 32, 28, 24))
    today = format_date(datetime.date.today(), format="long", locale=_DATE_LOCALES[w.lang])
    paras = [_Para(survey, 24, bold=True)]
    if fieldwork:
        paras.append(_Para(w.say("cover_fieldwork", dates=fieldwork), 20))
    paras += [_Para(w.say("cover_n", n=n), 20), _Para(w.say("cover_date", date=today), 20)]
    shape = _placeholder(slide, ("subtitle", "body"))
    if shape is None:
        left, top, width, height = b.layouts.box
        shape = slide.shapes.add_textbox(left, top, width, height)
    _write(shape.text_frame, paras, shape.width, shape.height, wide=b.wide)


def _segment_table(w: _Words, summary):
    """The headline's table: segment, customers, destroyed before, after, change."""
    header = [w.say(k) for k in ("col_segment", "col_customers", "col_before", "col_after", "col_change")]
    rows, colours = [], {}
    for i, (segment, r) in enumerate(summary.iterrows()):
        rows.append([w.segment(segment), w.count(r["customers"]), w.pct(r["share_destroyed_before"]),
                     w.pct(r["share_destroyed_after"]), w.points(r)])
        if _change_colour(r):
            colours[i, 4] = _change_colour(r)
    return header, rows, colours


def _headline(b: _Builder, w: _Words, result: dict, scenario: Scenario) -> None:
    """The finding as the title; the share destroyed before → after as a big number with the
    change and its interval; the levers moved; the share by segment below, or on slides of
    its own when it does not fit there (the headline then larger, its notes at the foot)."""
    from pptx.enum.text import MSO_ANCHOR  # deferred: python-pptx

    summary = result["summary"]
    whole = summary.loc["all"]
    slide = b.slide(b.layouts.content, w.takeaway(whole, scenario))
    split = int(0.56 * b.width)
    width = (split - _GAP) / _PT - 12
    numbers, levers, note = _headline_paras(w, whole, scenario, 1.0, width / b.wide)
    strip = int(min(0.45 * b.height, _PT * max(_text_height(numbers, width, wide=b.wide),
                                                 _text_height(levers + note, (b.width - split) / _PT - 12,
                                                              wide=b.wide)) + 0.2 * _INCH))
    table = _segment_table(w, summary) if len(summary) > 1 else None
    below = table is not None and b.fits(table[0], table[1], b.top + strip + _GAP)
    if below:
        levers += note
    else:  # the headline alone: larger, across the slide's height, its notes as a footnote
        numbers, levers, note = _headline_paras(w, whole, scenario, 1.4, width / b.wide)
        foot = int(_PT * _text_height(note, b.width / _PT - 12, wide=b.wide) + 0.15 * _INCH)
        strip = b.height - foot - _GAP
        box = slide.shapes.add_textbox(b.left, b.top + b.height - foot, b.width, foot)
        box.name = "Notes"
        _write(box.text_frame, note, b.width, foot, wide=b.wide)
    box = slide.shapes.add_textbox(b.left, b.top, split - _GAP, strip)
    box.name = "Headline"
    shape = _placeholder(slide, ("body",)) or slide.shapes.add_textbox(0, 0, 1, 1)
    shape.left, shape.top, shape.width, shape.height = b.left + split, b.top, b.width - split, strip
    for frame, paras, width in ((box.text_frame, numbers, split - _GAP), (shape.text_frame, levers, b.width - split)):
        _write(frame, paras, width, strip, wide=b.wide)
        frame.vertical_anchor = MSO_ANCHOR.TOP if below else MSO_ANCHOR.MIDDLE
    if table is not None:
        header, rows, colours = table
        b.table(slide if below else None, w.say("by_segment"), header, rows, top=b.top + strip + _GAP,
                right={1, 2, 3, 4}, colours=colours)


def _headline_paras(w: _Words, whole, scenario: Scenario, grow: float, width: float) -> tuple[list, list, list]:
    """The headline's parts: the big number (on one line of ``width`` points) and its change;
    the levers moved; the notes (the intervals, the colours, what the numbers are)."""
    colour = _change_colour(whole)
    big = f"{w.pct(whole['share_destroyed_before'])} → {w.pct(whole['share_destroyed_after'])}"
    grow = min(grow, _ROOM * width / _width(big, 48, True))
    numbers = [_Para(w.say("headline_label"), 18 * grow, colour=_GREY), _Para(big, 48 * grow, bold=True),
               _Para(w.say("points", value=w.points(whole, interval=True)), 22 * grow, bold=colour is not None,
                     colour=colour)]
    side = 1.2 if grow > 1 else 1.0  # the levers a little larger beside a larger headline
    levers = [_Para(w.say("levers_heading"), 16 * side, bold=True, colour=_GREY)]
    levers += ([_Para(text, 20 * side, bullet=True) for text in w.levers(scenario)]
               or [_Para(w.say("no_lever"), 20 * side)])
    if scenario.segments:
        levers.append(_Para(w.say("applies_to", segments=", ".join(w.segment(s) for s in scenario.segments)),
                            14 * side))
    note = [_Para(f"{w.say('interval_note', level=w.level)} {w.say('caveat')}", 12, colour=_GREY)]
    return numbers, levers, note


def _map_title(w: _Words, summary) -> str:
    """The segment where value is destroyed most often, where its interval sets it apart
    from every other segment's; a neutral title otherwise."""
    groups = summary.drop(index=["all", NO_SEGMENT], errors="ignore")
    if len(groups) < 2:
        return w.say("map_neutral")
    top = groups["share_destroyed_before"].idxmax()
    rest = groups.drop(index=[top])
    if not groups.loc[top, "share_destroyed_before_low"] > rest["share_destroyed_before_high"].max():
        return w.say("map_neutral")
    r = groups.loc[top]
    return w.say("map_takeaway", who=w.segment_words(top), before=w.pct(r["share_destroyed_before"]),
                 after=w.pct(r["share_destroyed_after"]))


def _compare_title(w: _Words, rows: list) -> str:
    """The scenarios leaving the fewest customers with value destroyed: those whose
    interval overlaps the lowest one's (one, some, or all of them)."""
    if len(rows) == 1:
        return w.takeaway(rows[0][2], rows[0][1])
    best = min(rows, key=lambda row: row[2]["share_destroyed_after"])[2]
    leaders = [name for name, _, r in rows if r["share_destroyed_after_low"] <= best["share_destroyed_after_high"]]
    if len(leaders) == len(rows):
        return w.say("compare_tie", count=w.count(len(rows)))
    if len(leaders) == 1:
        return w.say("compare_leader", names=w.quoted(leaders), after=w.pct(best["share_destroyed_after"]))
    return w.say("compare_leaders", names=w.quoted(leaders))


def _comparison(b: _Builder, w: _Words, compared: list, chart: bytes) -> None:
    """The compared scenarios: what each changes and its result, then the chart."""
    header = [w.say(k) for k in ("col_scenario", "col_levers", "col_after", "col_change", "col_ratio")]
    rows, colours = [], {}
    for i, (name, scenario, r) in enumerate(compared):
        rows.append([name, "\n".join(w.levers(scenario)) or w.say("no_lever"), w.pct(r["share_destroyed_after"]),
                     w.points(r), format_number(r["mean_value_ratio_after"], "decimal", w.lang)])
        if _change_colour(r):
            colours[i, 3] = _change_colour(r)
    title = _compare_title(w, compared)
    slide = b.slide(b.layouts.title_only, title)
    b.table(slide, title, header, rows, right={2, 3, 4}, colours=colours)
    before = w.pct(compared[0][2]["share_destroyed_before"])
    slide = b.slide(b.layouts.title_only, w.say("compare_chart", before=before))
    b.picture(slide, chart)


def _appendix(b: _Builder, w: _Words, result: dict, compared: list | None) -> None:
    """Every number with its interval: value destroyed and verdicts by segment, the outcome
    changes by segment, and the compared scenarios (measures down, scenarios across)."""
    summary, outcomes = result["summary"], result["outcomes"]
    header = [w.say(k) for k in ("col_segment", "col_before", "col_after", "col_change", "col_better", "col_worse")]
    rows = [[w.segment(s), w.share_with_interval(r, "share_destroyed_before"),
             w.share_with_interval(r, "share_destroyed_after"), w.points(r, interval=True),
             w.pct(r["moved_up"] / r["weighted_customers"]), w.pct(r["moved_down"] / r["weighted_customers"])]
            for s, r in summary.iterrows()]
    title = w.say("appendix_segments", level=w.level)
    b.table(None, title, header, rows, right={1, 2, 3, 4, 5})
    labels = [(name, info) for name, info in outcomes.iterrows()]
    ratio = w.say("col_ratio")
    parts = max(1, -(-len(labels) // 4))  # at most four outcomes a slide (six columns), shared out evenly
    size = max(1, -(-len(labels) // parts))
    for i, k in enumerate(range(0, max(len(labels), 1), size)):
        chunk = labels[k:k + size]
        header = [w.say("col_segment"), ratio] + [_deck_text(info[f"label_{w.lang}"]) for _, info in chunk]
        rows = [[w.segment(s), _ratio(w, r)] + [w.outcome(r, name, info) for name, info in chunk]
                for s, r in summary.iterrows()]
        title = w.say("appendix_outcomes", level=w.level) + (f" ({i + 1}/{parts})" if parts > 1 else "")
        b.table(None, title, header, rows, right=set(range(1, len(header))))
    if compared:
        _appendix_compared(b, w, compared, outcomes)


def _ratio(w: _Words, r) -> str:
    """'1.16 → 1.18', held on one line."""
    return "\u00a0→\u00a0".join(format_number(r[f"mean_value_ratio_{k}"], "decimal", w.lang)
                                for k in ("before", "after"))


def _appendix_compared(b: _Builder, w: _Words, compared: list, outcomes) -> None:
    """The compared scenarios in detail: a measure per row, up to five scenarios across."""
    measures = [(w.say("col_after"), lambda r: w.share_with_interval(r, "share_destroyed_after")),
                (w.say("col_change"), lambda r: w.points(r, interval=True)),
                (w.say("col_ratio"), lambda r: format_number(r["mean_value_ratio_after"], "decimal", w.lang)),
                (w.say("col_better"), lambda r: w.pct(r["moved_up"] / r["weighted_customers"])),
                (w.say("col_worse"), lambda r: w.pct(r["moved_down"] / r["weighted_customers"]))]
    measures += [(_deck_text(info[f"label_{w.lang}"]), lambda r, name=name, info=info: w.outcome(r, name, info))
                 for name, info in outcomes.iterrows()]
    title = w.say("appendix_compare", level=w.level)
    for k in range(0, len(compared), 5):
        chunk = compared[k:k + 5]
        header = [w.say("col_measure")] + [name for name, _, _ in chunk]
        rows = [[label] + [show(r) for _, _, r in chunk] for label, show in measures]
        b.table(None, title, header, rows, right=set(range(1, len(header))))


@share_docs
def scenario_deck(engine: ScenarioEngine, scenario: Scenario, *, compare: list[Scenario] | None = None,
                  names: dict | None = None, lang: str = "en", path: str | Path | None = None,
                  template: str | Path | None = None, fieldwork: str | None = None) -> bytes:
    """A PowerPoint deck of one scenario (and a comparison of saved scenarios), on a template.

    Slides: a title slide; the headline (a title stating the finding, the share of
    customers whose value is destroyed before → after with the change's interval, the
    levers moved, the share by segment); the benefits-vs-sacrifices map; with ``compare``
    the scenarios side by side (a table, then the chart); the appendix (every number with
    its interval). Every slide has the footer (the survey, n) and its number. Returns the
    file's bytes; with ``path`` also writes it there.

    Parameters
    ----------
    engine : ScenarioEngine
        The survey's what-if engine (:func:`valuekit.decide.scenario.build_engine`).
    scenario : Scenario
        The scenario the deck presents.
    compare : list of Scenario, optional
        Saved scenarios to compare.
    {names}
    {lang}
    path : str or Path, optional
        Where to write the deck as well (``.pptx``).
    template : str or Path, optional
        A PowerPoint file (``.pptx``) whose slide layouts, placeholders, theme and slide
        size the deck uses (its own slides are left out); default: the bundled 16:9 design.
    fieldwork : str, optional
        The fieldwork dates as the title slide shows them (e.g. "March – September 2025");
        default: not shown.

    Raises
    ------
    ParameterError
        An argument of the wrong type, or a ``lang`` other than en, es, it.
    FileError
        ``path`` is a folder, or its folder does not exist or cannot be written; the
        ``template`` is missing, is no PowerPoint file, or has no layout with a title
        placeholder; checked before the deck is built.
    """
    _check_args(engine, scenario, compare, names, lang)
    if path is not None:
        path = _check.output_file("path", path, "PowerPoint deck")
    if fieldwork is not None:
        _check.text("fieldwork", fieldwork, allow_empty=True)
    if template is not None:
        _open_template(template)  # a wrong template is said before any chart is drawn
    data = _deck(engine, scenario, compare, names, lang,
                 scenario_pngs(engine, scenario, compare=compare, names=names, lang=lang), template,
                 fieldwork=fieldwork)
    if path is not None:
        _check.write_bytes(path, data, "PowerPoint deck")
    return data


def _deck(engine: ScenarioEngine, scenario: Scenario, compare, names, lang: str, pngs: dict[str, bytes],
          template=None, *, fieldwork: str | None = None) -> bytes:
    """The deck's bytes from checked arguments and its charts (:func:`scenario_pngs`), so a
    caller offering the charts too (the dashboard's download) draws them once."""
    if fieldwork is not None:
        _check.text("fieldwork", fieldwork, allow_empty=True)
    scenario, compare, names = _shown_scenarios(scenario, compare, names)
    prs, layouts = _open_template(template)
    words = _Words(lang, engine, names)
    result = engine.apply(scenario)
    whole = result["summary"].loc["all"]
    survey = _deck_text(engine.codebook.name or engine.codebook.source)
    n = words.count(whole["customers"])
    builder = _Builder(prs, layouts, words, words.say("footer", survey=survey, n=n))
    _cover(builder, words, scenario, survey, n, _deck_text(fieldwork) if fieldwork else None)
    _headline(builder, words, result, scenario)
    slide = builder.slide(layouts.title_only, _map_title(words, result["summary"]))
    builder.picture(slide, pngs["map"])
    compared = None
    if compare:
        compared = [(name, s, engine.apply(s)["summary"].loc["all"]) for name, s in zip(scenario_names(compare),
                                                                                           compare)]
        _comparison(builder, words, compared, pngs["comparison"])
    _appendix(builder, words, result, compared)
    return builder.save()
