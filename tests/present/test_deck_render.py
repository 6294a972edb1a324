"""The deck as a board sees it: LibreOffice prints it to PDF, poppler reads the PDF back.

Three decks are rendered: in English and in Spanish, each comparing three scenarios (the
Spanish one with long segment and scenario names), and one on an analyst's own template
(python-pptx's 4:3 Office default, holding slides of its own). LibreOffice runs headless
from the system (Debian's ``libreoffice-impress``) with a profile of its own, so parallel
runs do not collide; ``pdftotext -bbox-layout``, ``pdftoppm`` and ``pdffonts`` (Debian's
``poppler-utils``) read the result. The checks are the ones a presenter makes by eye:

* every slide is printed, in the theme's font or its metric-compatible stand-in (Carlito
  for Calibri, Liberation Sans for Arial), never a fallback of other widths;
* no printed word lies outside its shape or the slide (a table whose rows grew past its
  frame, a text box or a title that overflowed);
* no two shapes of a slide overlap, and nothing is drawn over the layout's own lines and
  bands but the placeholders made to sit on them;
* every slide but the title slide has ink over at least half of its content area;
* the numbers printed are the engine's.

Without LibreOffice or poppler the tests are skipped with instructions, unless
``VALUEKIT_REQUIRE_OFFICE=1`` (set by ``.ci/run``, which installs them), when a missing
tool fails them.
"""

import os
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation

from valuekit.decide.scenario import Scenario
from valuekit.present.deck import DECK_TEXT, scenario_deck
from valuekit.present.reader import format_number

pytestmark = pytest.mark.slow  # see the marker in pyproject.toml: CI runs it (make test-slow)

TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdffonts")
EMU_PER_PT = 12700
XHTML = "{http://www.w3.org/1999/xhtml}"
#: The fonts a rendered deck may use: the themes' Calibri and the bullets' Arial, or their
#: metric-compatible stand-ins.
FONTS = ("Carlito", "Calibri", "LiberationSans", "Arial")
DPI = 24
#: What a list style prints before an item (a shape's text does not hold it).
BULLETS = {"•", "–", "▪", "■", "◦", "-"}


def _office_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = (f"{', '.join(missing)} not found: install LibreOffice and poppler (apt-get install "
                   f"libreoffice-impress poppler-utils fonts-crosextra-carlito) to render the deck")
        if os.environ.get("VALUEKIT_REQUIRE_OFFICE"):
            pytest.fail(message)
        pytest.skip(message)


def _scenarios(long: bool):
    cheaper = Scenario(name="cheaper", levers={"price": -10.0})
    staff = Scenario(name="train the staff", levers={"staff": 1.0})
    both = Scenario(name=("formación del personal y precios más bajos en todas las tiendas durante la temporada "
                          "alta" if long else "both"), levers={"price": -10.0, "staff": 1.0})
    return cheaper, [cheaper, staff, both]


def _company_template(path: Path) -> Path:
    """An analyst's template: python-pptx's 4:3 default, with two slides of its own."""
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "Quarterly review"
    prs.slides.add_slide(prs.slide_layouts[1]).shapes.title.text = "Agenda"
    prs.save(path)
    return path


@pytest.fixture(scope="module")
def rendered(scenario_engine, tmp_path_factory):
    """Each deck: (its name, the Presentation, its PDF's pages of words, page images, fonts, language)."""
    _office_tools()
    folder = tmp_path_factory.mktemp("deck_render")
    engine = scenario_engine
    long_names = {s: f"clientes del segmento {s} que compran sobre todo muebles de jardín en línea y devuelven a "
                     f"menudo lo que compran" for s in engine.segment_levels if s != "none"}
    cases = {"en": ("en", engine.segment_names.get("en"), False, None),
             "es": ("es", long_names, True, None),
             "company": ("en", engine.segment_names.get("en"), False, _company_template(folder / "company.pptx"))}
    for name, (lang, names, long, template) in cases.items():
        scenario, compare = _scenarios(long)
        scenario_deck(engine, scenario, compare=compare, names=names, lang=lang, path=folder / f"{name}.pptx",
                      template=template, fieldwork="March – September 2025")
    profile = (folder / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), *[str(folder / f"{name}.pptx") for name in cases]],
                   check=True, capture_output=True, timeout=300)
    out = {}
    for name, (lang, _, _, _) in cases.items():
        pdf = folder / f"{name}.pdf"
        words = _words(subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                                      capture_output=True, text=True).stdout)
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / name)], check=True)
        pages = sorted(folder.glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
        out[name] = (Presentation(folder / f"{name}.pptx"), words, pages, fonts.splitlines()[2:], lang)
    return out


def _words(xhtml: str) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page, each printed word with its box (points, from the page's top left)."""
    root = ET.fromstring(xhtml)
    return [[(w.text or "", tuple(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
             for w in page.iter(f"{XHTML}word")] for page in root.iter(f"{XHTML}page")]


def _box(shape) -> tuple[float, float, float, float]:
    """A shape's box in points (a placeholder's as it inherits it from its layout)."""
    return (shape.left / EMU_PER_PT, shape.top / EMU_PER_PT, (shape.left + shape.width) / EMU_PER_PT,
            (shape.top + shape.height) / EMU_PER_PT)


def _text(shape) -> str:
    if shape.has_table:
        return " ".join(c.text for row in shape.table.rows for c in row.cells)
    return shape.text_frame.text if shape.has_text_frame else ""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\xa0", " ")


DECKS = ["en", "es", "company"]


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_is_printed_in_the_theme_fonts(rendered, name):
    deck, words, pages, fonts, _ = rendered[name]
    assert len(words) == len(pages) == len(deck.slides) >= 8
    used = [line.split()[0].split("+")[-1] for line in fonts if line.strip()]
    assert used and all(font.startswith(FONTS) for font in used), used


@pytest.mark.parametrize("name", DECKS)
def test_no_word_is_printed_outside_its_shape_or_the_slide(rendered, name):
    deck, words, _, _, _ = rendered[name]
    width, height = deck.slide_width / EMU_PER_PT, deck.slide_height / EMU_PER_PT
    for number, (slide, printed) in enumerate(zip(deck.slides, words), start=1):
        shapes = [(_box(s), _plain(_text(s))) for s in slide.shapes if _text(s).strip()]
        shapes += [(_box(s), _plain(_text(s))) for s in slide.slide_layout.shapes
                   if not s.is_placeholder and _text(s).strip()]
        for word, (x0, y0, x1, y1) in printed:
            assert -1 <= x0 and x1 <= width + 1 and -1 <= y0 and y1 <= height + 1, (name, number, word)
            slack = 0.3 * (y1 - y0)
            inside = [text for (l, t, r, b), text in shapes
                      if l - 2 <= x0 and x1 <= r + 2 and t - slack <= y0 and y1 <= b + slack]
            assert any(_plain(word) in text or word in BULLETS for text in inside), (name, number, word, (x0, y0, x1,
                                                                                                         y1))


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


@pytest.mark.parametrize("name", DECKS)
def test_no_two_shapes_overlap(rendered, name):
    """Nor does a shape cover the layout's lines and bands, but a placeholder made to sit on them."""
    deck = rendered[name][0]
    for number, slide in enumerate(deck.slides, start=1):
        shapes = list(slide.shapes)
        for i, a in enumerate(shapes):
            for b in shapes[i + 1:]:
                assert not _overlap(_box(a), _box(b)), (name, number, a.name, b.name)
        drawn = [s for s in slide.slide_layout.shapes if not s.is_placeholder]
        for a in shapes:
            for b in drawn:
                assert a.is_placeholder or not _overlap(_box(a), _box(b)), (name, number, a.name, b.name)


@pytest.mark.parametrize("name", DECKS)
def test_every_slide_but_the_title_slide_is_at_least_half_used(rendered, name):
    """Ink (anything but the page's background) over at least half the content area: the
    room between the title and the footer, across the title's width."""
    deck, _, pages, _, _ = rendered[name]
    scale = DPI / 72
    for number, (slide, page) in enumerate(zip(deck.slides, pages), start=1):
        if number == 1:
            continue
        title = _box(slide.shapes.title)
        feet = [_box(s)[1] for s in slide.shapes if s.name.startswith(("Footer", "Slide Number"))]
        assert feet, (name, number)
        with Image.open(page) as image:
            pixels = np.asarray(image.convert("RGB")).astype(int)
        left, top, right, bottom = (int(round(v * scale)) for v in (title[0], title[3], title[2], min(feet)))
        area = pixels[top:bottom, left:right]
        colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
        ink = np.abs(area - colours[counts.argmax()]).max(axis=2) > 12
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        used = 0 if not len(rows) else (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1) / ink.size
        assert used >= 0.5, (name, number, slide.shapes.title.text, round(used, 2))


def test_the_printed_numbers_are_the_engines(rendered, scenario_engine):
    """The headline's big number and change, each segment's shares and the compared
    scenarios' results, as printed, against the engine's own numbers (Spanish formats)."""
    deck, words, _, _, lang = rendered["es"]
    engine = scenario_engine
    scenario, compare = _scenarios(True)

    def pct(v):
        return format_number(v, "percent", lang).replace("-", "\u2212")

    printed = [" ".join(_plain(w) for w, _ in page) for page in words]
    whole = engine.apply(scenario)["summary"]
    assert f"{pct(whole.loc['all', 'share_destroyed_before'])} → {pct(whole.loc['all', 'share_destroyed_after'])}" \
        .replace("\xa0", " ") in printed[1]
    change = format_number(100 * whole.loc["all", "share_destroyed_change"], "decimal", lang, digits=1)
    assert change.replace("-", "\u2212") + " [" in printed[1]
    by_segment = " ".join(printed[2:4])  # long names: the table on slides of its own
    assert DECK_TEXT["by_segment"]["es"] in by_segment
    for _, r in whole.iterrows():
        for key in ("share_destroyed_before", "share_destroyed_after"):
            assert pct(r[key]).replace("\xa0", " ") in by_segment
    compared = " ".join(printed)
    for s in compare:
        r = engine.apply(s)["summary"].loc["all"]
        assert pct(r["share_destroyed_after"]).replace("\xa0", " ") in compared
    assert "Casa Aurora customer value survey · n = 1.962 clientes puntuados" in printed[-1]
