"""Writes ``default.pptx``, the deck's bundled template (:mod:`valuekit.present.deck`).

Run from a checkout, after changing the design::

    .venv/bin/python valuekit/present/templates/deck/make_default.py

It starts from python-pptx's own blank template and makes it a 16:9 design a board can be
shown: a navy title band on the title slide, an accent line under every other title, the
footer (source and n) and the slide number along the bottom. Three slide layouts are kept,
"Title Slide", "Title and Content" and "Title Only", each with its placeholders placed for
16:9; the deck finds them by their placeholders, as it finds an analyst's own.

Fonts: the theme's fonts are Calibri (with its PANOSE), which PowerPoint has and which
LibreOffice replaces by Carlito, a font with Calibri's metrics: text keeps its line breaks
where Calibri is missing. Titles shrink rather than overflow (``normAutofit``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches

HERE = Path(__file__).resolve().parent
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
THEME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"

#: 16:9 at PowerPoint's own size (13.333 x 7.5 in).
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)
MARGIN = Inches(0.6)
#: The theme's colours: navy text and title band, a blue accent, green and red kept for
#: better and worse (as the charts use them), greys.
COLOURS = {"dk1": "1A1A1A", "lt1": "FFFFFF", "dk2": "1F2A44", "lt2": "E8ECF2", "accent1": "2E6DB4",
           "accent2": "1B7837", "accent3": "B2182B", "accent4": "7F8C9D", "accent5": "E08E0B",
           "accent6": "6A3D9A", "hlink": "2E6DB4", "folHlink": "6A3D9A"}
FONT, PANOSE = "Calibri", "020F0502020204030204"
GREY = "5B6472"
#: The boxes of each layout's placeholders: (left, top, width, height).
TITLE_BOX = (MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.1))
BODY_BOX = (MARGIN, Inches(1.7), WIDTH - 2 * MARGIN, Inches(5.1))
FOOTER_Y, FOOTER_H = Inches(6.98), Inches(0.34)
FOOTER_BOX = (MARGIN, FOOTER_Y, Inches(10.2), FOOTER_H)
NUMBER_BOX = (WIDTH - MARGIN - Inches(1.2), FOOTER_Y, Inches(1.2), FOOTER_H)
DATE_BOX = (MARGIN, FOOTER_Y, Inches(2.0), FOOTER_H)
ACCENT_LINE = (MARGIN, Inches(1.47), WIDTH - 2 * MARGIN, Inches(0.045))
BAND = (Emu(0), Emu(0), WIDTH, Inches(4.55))
BAND_STRIPE = (Emu(0), Inches(4.55), WIDTH, Inches(0.09))
COVER_TITLE = (Inches(0.8), Inches(1.2), WIDTH - Inches(1.6), Inches(3.05))
COVER_SUBTITLE = (Inches(0.8), Inches(4.9), WIDTH - Inches(1.6), Inches(1.85))
KEEP = ("Title Slide", "Title and Content", "Title Only")


def _theme(prs) -> None:
    """The theme's colours and fonts."""
    part = prs.slide_master.part.part_related_by(THEME)
    root = etree.fromstring(part.blob)
    root.set("name", "valuekit")
    scheme = root.find(f".//{{{A}}}clrScheme")
    scheme.set("name", "valuekit")
    for key, value in COLOURS.items():
        slot = scheme.find(f"{{{A}}}{key}")
        for child in list(slot):
            slot.remove(child)
        etree.SubElement(slot, f"{{{A}}}srgbClr", val=value)
    fonts = root.find(f".//{{{A}}}fontScheme")
    fonts.set("name", "valuekit")
    for latin in fonts.iter(f"{{{A}}}latin"):
        latin.set("typeface", FONT)
        latin.set("panose", PANOSE)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _place(shape, box) -> None:
    shape.left, shape.top, shape.width, shape.height = (int(v) for v in box)


def _run_style(parent, *, size: int | None = None, bold: bool | None = None, colour: str | None = None,
               scheme: str | None = None, align: str | None = None) -> None:
    """Set the first-level paragraph and run properties of a placeholder's list style
    (``parent`` an ``a:lvl1pPr``-holding element: ``a:lstStyle`` or a master's text style)."""
    level = parent.find(qn("a:lvl1pPr"))
    if level is None:
        level = etree.SubElement(parent, qn("a:lvl1pPr"))
    if align:
        level.set("algn", align)
    props = level.find(qn("a:defRPr"))
    if props is None:
        props = etree.SubElement(level, qn("a:defRPr"))
    if size:
        props.set("sz", str(size * 100))
    if bold is not None:
        props.set("b", "1" if bold else "0")
    if colour or scheme:
        for old in props.findall(qn("a:solidFill")):
            props.remove(old)
        fill = etree.Element(qn("a:solidFill"))
        etree.SubElement(fill, qn("a:srgbClr") if colour else qn("a:schemeClr"), val=colour or scheme)
        props.insert(0, fill)


def _no_bullet(parent) -> None:
    level = parent.find(qn("a:lvl1pPr"))
    for old in level.findall(qn("a:buNone")):
        level.remove(old)
    level.insert(0, etree.Element(qn("a:buNone")))
    level.set("marL", "0")
    level.set("indent", "0")


def _placeholder_style(shape, *, anchor: str | None = None, autofit: bool = False, **style) -> None:
    """A placeholder's own text style (its ``a:lstStyle``) and body properties."""
    body = shape.element.find(qn("p:txBody"))
    props = body.find(qn("a:bodyPr"))
    if anchor:
        props.set("anchor", anchor)
    if autofit:
        for old in list(props):
            props.remove(old)
        etree.SubElement(props, qn("a:normAutofit"))
    lst = body.find(qn("a:lstStyle"))
    if lst is None:
        lst = etree.Element(qn("a:lstStyle"))
        props.addnext(lst)
    _run_style(lst, **style)
    if shape.placeholder_format.type is not None and "SUBTITLE" in str(shape.placeholder_format.type):
        _no_bullet(lst)


def _rectangle(layout, name: str, box, scheme: str) -> None:
    """A filled rectangle drawn behind the layout's placeholders (the title band, an accent line)."""
    tree = layout.shapes._spTree
    ids = [int(e.get("id")) for e in tree.iter(qn("p:cNvPr"))]
    x, y, cx, cy = (int(v) for v in box)
    xml = (f'<p:sp xmlns:p="{P}" xmlns:a="{A}"><p:nvSpPr><p:cNvPr id="{max(ids) + 1}" name="{name}"/><p:cNvSpPr/>'
           f'<p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/>'
           f'</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:schemeClr val="{scheme}"/>'
           f'</a:solidFill><a:ln><a:noFill/></a:ln></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p>'
           f'<a:endParaRPr lang="en-US"/></a:p></p:txBody></p:sp>')
    shape = etree.fromstring(xml)
    tree.find(qn("p:grpSpPr")).addnext(shape)  # first: behind everything else


def _master(prs) -> None:
    """The master's placeholders placed for 16:9, and its text styles."""
    master = prs.slide_master
    boxes = {"TITLE": TITLE_BOX, "BODY": BODY_BOX, "DATE": DATE_BOX, "FOOTER": FOOTER_BOX, "SLIDE_NUMBER": NUMBER_BOX}
    for shape in master.placeholders:
        kind = str(shape.placeholder_format.type).split(".")[-1].split(" ")[0]
        _place(shape, boxes[kind])
        if kind == "TITLE":
            _placeholder_style(shape, anchor="b", autofit=True)
        elif kind in ("FOOTER", "SLIDE_NUMBER", "DATE"):
            _placeholder_style(shape, anchor="ctr", size=12, colour=GREY,
                               align={"FOOTER": "l", "SLIDE_NUMBER": "r", "DATE": "l"}[kind])
    styles = master.element.find(qn("p:txStyles"))
    _run_style(styles.find(qn("p:titleStyle")), size=28, bold=True, scheme="tx2", align="l")
    body = styles.find(qn("p:bodyStyle"))
    _run_style(body, size=20, scheme="tx1")
    for level, size in zip(body.find(qn("a:lvl1pPr")).itersiblings(), (18, 16, 14, 14, 14, 14, 14, 14)):
        props = level.find(qn("a:defRPr"))
        if props is not None:
            props.set("sz", str(size * 100))


def _layouts(prs) -> None:
    """Keep the three layouts the deck uses, placed for 16:9 and dressed."""
    for layout in [lay for lay in prs.slide_layouts if lay.name not in KEEP]:
        prs.slide_layouts.remove(layout)
    for layout in prs.slide_layouts:
        for shape in layout.placeholders:
            kind = str(shape.placeholder_format.type).split(".")[-1].split(" ")[0]
            box = {"TITLE": TITLE_BOX, "OBJECT": BODY_BOX, "BODY": BODY_BOX, "DATE": DATE_BOX, "FOOTER": FOOTER_BOX,
                   "SLIDE_NUMBER": NUMBER_BOX, "CENTER_TITLE": COVER_TITLE, "SUBTITLE": COVER_SUBTITLE}[kind]
            _place(shape, box)
            if kind == "CENTER_TITLE":
                _placeholder_style(shape, anchor="b", autofit=True, size=40, bold=True, scheme="bg1", align="l")
            elif kind == "SUBTITLE":
                _placeholder_style(shape, anchor="t", size=20, scheme="tx2", align="l")
            elif kind == "TITLE":
                _placeholder_style(shape, anchor="b", autofit=True)
        if layout.name == "Title Slide":
            _rectangle(layout, "Title band stripe", BAND_STRIPE, "accent1")
            _rectangle(layout, "Title band", BAND, "tx2")
        else:
            _rectangle(layout, "Accent line", ACCENT_LINE, "accent1")


def build(path: Path = HERE / "default.pptx") -> Path:
    """Write the template to ``path`` (default: beside this script) and return the path."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = "valuekit deck template"
    prs.core_properties.author = "valuekit"
    prs.core_properties.last_modified_by = "valuekit"
    prs.core_properties.revision = 1
    _theme(prs)
    _master(prs)
    _layouts(prs)
    prs.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "default.pptx"))
