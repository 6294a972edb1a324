"""The PowerPoint export read back: slide titles and numbers are the engine's, the slides are
a board's (a title slide, takeaway titles, tables of at most six columns at 14 points or
more, a footer on every slide), on the bundled template or the analyst's own."""

import io
import re
import zipfile

import pytest
from pptx import Presentation
from pptx.util import Pt

from valuekit.cli import main
from valuekit.decide.scenario import Scenario, scenario_names
from valuekit.errors import FileError, ParameterError
from valuekit.present.deck import DECK_TEXT, DEFAULT_TEMPLATE, scenario_deck, scenario_pngs
from valuekit.present.reader import format_number


def _pct(value, lang="en"):
    return format_number(value, "percent", lang).replace("-", "\u2212")


def _tables(slide):
    return [sh.table for sh in slide.shapes if sh.has_table]


def _cells(table, row):
    return [table.cell(row, j).text for j in range(len(table.columns))]


def test_the_deck_says_what_the_engine_computes(scenario_engine, tmp_path):
    engine = scenario_engine
    staff = Scenario(name="train the staff", levers={"staff": 1.0})
    cheaper = Scenario(name="cheaper", levers={"price": -10.0})
    data = scenario_deck(engine, staff, compare=[staff, cheaper], names={0: "bargain hunters"}, lang="it",
                         path=tmp_path / "deck.pptx", fieldwork="marzo – settembre 2025")
    assert (tmp_path / "deck.pptx").read_bytes() == data
    deck = Presentation(io.BytesIO(data))
    titles = [s.shapes.title.text for s in deck.slides]
    result = engine.apply(staff)
    whole = result["summary"].loc["all"]
    change = format_number(100 * abs(whole["share_destroyed_change"]), "decimal", "it", digits=1)
    assert titles[:6] == [
        "Scenario: train the staff",
        f"Formazione del personale +1\u00a0punto toglie {change} punti di clienti dal valore distrutto",
        titles[2], "«train the staff» lascia meno clienti con valore distrutto: "
                   f"{_pct(whole['share_destroyed_after'], 'it')}",
        f"Valore distrutto dopo ogni scenario, rispetto al {_pct(whole['share_destroyed_before'], 'it')} prima",
        titles[5]]
    assert len(set(titles)) == len(titles)  # every slide its own title
    cover = [sh.text_frame.text for sh in deck.slides[0].placeholders if sh.placeholder_format.idx == 1][0]
    assert cover.splitlines()[:3] == ["Casa Aurora customer value survey", "Rilevazione: marzo – settembre 2025",
                                      f"{format_number(whole['customers'], 'count', 'it')} clienti con punteggio"]
    headline = next(sh for sh in deck.slides[1].shapes if sh.name == "Headline").text_frame.text.splitlines()
    before, after = _pct(whole["share_destroyed_before"], "it"), _pct(whole["share_destroyed_after"], "it")
    assert headline[1] == f"{before} → {after}"
    low, high = (format_number(100 * whole[f"share_destroyed_change_{k}"], "decimal", "it", digits=1)
                 for k in ("low", "high"))
    assert headline[2] == f"−{change} [{low}; {high}] punti".replace("-", "−").replace("; ", ";\u00a0")
    levers = deck.slides[1].placeholders[1].text_frame.text
    assert "Formazione del personale: +1\u00a0punto" in levers
    table = _tables(deck.slides[1])[0]
    assert _cells(table, 1)[:4] == ["Tutti i clienti", format_number(whole["customers"], "count", "it"), before, after]
    assert table.cell(2, 0).text == "0: bargain hunters"
    compared = _tables(deck.slides[3])[0]
    for row, scenario in enumerate([staff, cheaper], start=1):
        r = engine.apply(scenario)["summary"].loc["all"]
        assert _cells(compared, row)[0] == scenario_names([staff, cheaper])[row - 1]
        assert _cells(compared, row)[2] == _pct(r["share_destroyed_after"], "it")
    assert _cells(compared, 2)[1] == "Prezzo: −10\u00a0%"
    assert sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13) == 2  # the map and the chart


def test_every_slide_has_the_footer_and_tables_a_board_can_read(scenario_engine):
    engine = scenario_engine
    a, b = Scenario(name="cheaper", levers={"price": -10.0}), Scenario(name="staff", levers={"staff": 1.0})
    deck = Presentation(io.BytesIO(scenario_deck(engine, a, compare=[a, b])))
    n = format_number(len(engine.index), "count")
    for number, slide in enumerate(deck.slides, start=1):
        texts = [sh.text_frame.text for sh in slide.placeholders if sh.has_text_frame]
        assert f"Casa Aurora customer value survey · n = {n} customers scored" in texts
        assert str(number) in texts
        for table in _tables(slide):
            assert len(table.columns) <= 6
            sizes = {run.font.size for row in table.rows for cell in row.cells
                     for p in cell.text_frame.paragraphs for run in p.runs}
            assert min(sizes) >= Pt(14)
    assert deck.slide_width == 12192000 and deck.slide_height == 6858000  # 16:9
    assert [layout.name for layout in deck.slide_layouts] == ["Title Slide", "Title and Content", "Title Only"]


def test_a_title_states_a_finding_only_where_its_interval_excludes_no_change(scenario_engine):
    engine = scenario_engine
    cases = {"nothing": Scenario(name="as is"), "unclear": Scenario(name="a little", levers={"price": -1.0}),
             "more": Scenario(name="dearer", levers={"price": 20.0})}
    titles = {k: Presentation(io.BytesIO(scenario_deck(engine, s))).slides[1].shapes.title.text
              for k, s in cases.items()}
    assert titles["nothing"] == "“as is” changes no customer's verdict"
    assert titles["unclear"] == "Price −1\u00a0%: no clear change in the customers with value destroyed"
    r = engine.apply(cases["more"])["summary"].loc["all"]
    assert r["share_destroyed_change_low"] > 0
    points = format_number(100 * r["share_destroyed_change"], "decimal", digits=1)
    assert titles["more"] == f"Price +20\u00a0% adds {points} points of customers with value destroyed"


def test_pngs_are_images(scenario_engine):
    pngs = scenario_pngs(scenario_engine, Scenario(levers={"price": 5.0}), dpi=40)
    assert set(pngs) == {"map"} and pngs["map"][:4] == b"\x89PNG"


def test_every_shape_lies_on_the_slide(scenario_engine):
    """Pictures are scaled into their box keeping their aspect, tables continue on slides of
    their own: nothing leaves a 13.33 x 7.5 in slide, however many scenarios are compared."""
    from PIL import Image

    engine = scenario_engine
    a, b = Scenario(name="cheaper", levers={"price": -10.0}), Scenario(name="staff", levers={"staff": 1.0})
    for compare in ([a, b], [a, b, b], [a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b]):
        pngs = scenario_pngs(engine, a, compare=compare)
        deck = Presentation(io.BytesIO(scenario_deck(engine, a, compare=compare)))
        pictures = []
        for slide in deck.slides:
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0, shape.name
                assert shape.left + shape.width <= deck.slide_width, (len(compare), shape.name)
                assert shape.top + shape.height <= deck.slide_height, (len(compare), shape.name)
                if shape.shape_type == 13:
                    pictures.append(shape.image.blob)
                    with Image.open(io.BytesIO(shape.image.blob)) as image:
                        w, h = image.size
                    assert shape.width / shape.height == pytest.approx(w / h, rel=0.01)  # not stretched
        assert len(pictures) == 2 and pictures[1] == pngs["comparison"]
        rows = [t.cell(i, 0).text for s in list(deck.slides)[3:] for t in _tables(s) if t.cell(0, 0).text == "Scenario"
                for i in range(1, len(t.rows))]
        assert rows == scenario_names(compare)  # every compared scenario, once, in order


def test_scenarios_sharing_a_name_are_all_in_the_deck_apart(scenario_engine):
    engine = scenario_engine
    first, second = Scenario(name="better care", levers={"staff": 1.0}), Scenario(name="better care",
                                                                                 levers={"price": -10.0})
    deck = Presentation(io.BytesIO(scenario_deck(engine, first, compare=[first, second, first])))
    table = _tables(deck.slides[3])[0]
    assert [table.cell(i, 0).text for i in range(1, len(table.rows))] == ["better care", "better care (2)",
                                                                          "better care (3)"]


def test_every_word_of_the_deck_is_in_the_three_languages():
    assert all(set(words) == {"en", "es", "it"} and all(isinstance(v, str) and v for v in words.values())
               for words in DECK_TEXT.values())
    for key, words in DECK_TEXT.items():  # the same fields in every language
        fields = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in words.items()}
        assert fields["es"] == fields["en"] == fields["it"], key


def test_a_spanish_deck_has_no_english_word_of_its_own(scenario_engine):
    """Every word the deck writes is in the deck's language: the English words of deck.yaml
    (those not also Spanish) appear nowhere but in the names from the files."""
    engine = scenario_engine
    names = engine.segment_names["es"]
    scenario = Scenario(name="más barato", levers={"price": -10.0})
    deck = Presentation(io.BytesIO(scenario_deck(engine, scenario, compare=[scenario], names=names, lang="es")))
    spanish = {w for words in DECK_TEXT.values() for w in re.findall(r"[a-záéíóúñ]+", words["es"].lower())}
    english = {w for words in DECK_TEXT.values() for w in re.findall(r"[a-z]{3,}", words["en"].lower())
               if not re.search(r"{[^}]*" + w, words["en"].lower())} - spanish
    allowed = set(re.findall(r"[a-z]+", (engine.codebook.name or "").lower()))
    text = " ".join(sh.text_frame.text if sh.has_text_frame else " ".join(c.text for r in sh.table.rows
                                                                          for c in r.cells)
                    for s in deck.slides for sh in s.shapes if sh.has_text_frame or sh.has_table)
    found = set(re.findall(r"[a-z]{3,}", text.lower())) & english - allowed
    assert not found


def test_the_analysts_template_is_used_without_its_own_slides(scenario_engine, tmp_path):
    template = Presentation()  # 4:3, the Office default's eleven layouts
    template.slides.add_slide(template.slide_layouts[0]).shapes.title.text = "Our company's own cover"
    template.slides.add_slide(template.slide_layouts[1]).shapes.title.text = "Agenda"
    template.save(tmp_path / "company.pptx")
    data = scenario_deck(scenario_engine, Scenario(name="cheaper", levers={"price": -10.0}),
                         template=tmp_path / "company.pptx")
    deck = Presentation(io.BytesIO(data))
    assert (deck.slide_width, deck.slide_height) == (9144000, 6858000)
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "Scenario: cheaper" and "Agenda" not in titles and "Our company's own cover" not in titles
    assert [s.slide_layout.name for s in list(deck.slides)[:3]] == ["Title Slide", "Title and Content", "Title Only"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # the template's slides are not kept unseen in the file either
        assert not any("Agenda" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("ppt/slides/"))


def test_a_template_that_cannot_be_used_is_refused_naming_it(scenario_engine, tmp_path):
    engine, scenario = scenario_engine, Scenario(name="x", levers={"price": -5.0})
    not_a_deck = tmp_path / "notes.pptx"
    not_a_deck.write_text("not a presentation", encoding="utf-8")
    with pytest.raises(FileError, match=r"^template: '.*notes\.pptx' is not a PowerPoint presentation .*expected a "
                                        r"deck or a template saved as \.pptx"):
        scenario_deck(engine, scenario, template=not_a_deck)
    untitled = Presentation()
    for layout in untitled.slide_layouts:
        for shape in list(layout.placeholders):
            if shape.placeholder_format.type.name in ("TITLE", "CENTER_TITLE", "VERTICAL_TITLE"):
                shape.element.getparent().remove(shape.element)
    untitled.save(tmp_path / "untitled.pptx")
    with pytest.raises(FileError, match=r"^template: '.*untitled\.pptx' has no slide layout with a title placeholder"):
        scenario_deck(engine, scenario, template=tmp_path / "untitled.pptx")
    with pytest.raises(FileError, match=r"template: PowerPoint template \(\.pptx\) '.*missing\.pptx' not found"):
        scenario_deck(engine, scenario, template=tmp_path / "missing.pptx")
    with pytest.raises(ParameterError, match="template"):
        scenario_deck(engine, scenario, template=3)
    assert DEFAULT_TEMPLATE.is_file()


def test_the_deck_command_writes_the_deck_and_never_over_its_inputs(scenario_engine, tmp_path, monkeypatch, capsys):
    """``valuekit deck``: the scenario, the compared ones and the template from files, the
    engine from the dashboard's preparation (here the test's own engine), the fieldwork from
    the codebook's wave names."""
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
    from valuekit.present import app

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    asked = {}

    def prepared(data=None, codebook=None, **options):
        asked.update(options, data=data)
        return survey, scenario_engine.levers, scenario_engine

    monkeypatch.setattr(app, "prepare_engine", prepared)
    cheaper = Scenario(name="cheaper", levers={"price": -10.0}).save(tmp_path / "cheaper.yaml")
    staff = Scenario(name="staff", levers={"staff": 1.0}).save(tmp_path / "staff.yaml")
    out = tmp_path / "deck.pptx"
    assert main(["deck", "--scenario", str(cheaper), "--compare", str(cheaper), str(staff), "--lang", "es",
                 "--cache", str(tmp_path / "cache"), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert asked["data"] is None and asked["lang"] == "es" and asked["cache_dir"] == str(tmp_path / "cache")
    deck = Presentation(out)
    assert deck.slides[0].shapes.title.text == "Escenario: cheaper"
    cover = [sh.text_frame.text for sh in deck.slides[0].placeholders if sh.placeholder_format.idx == 1][0]
    assert "Trabajo de campo: Marzo 2025 – Septiembre 2025" in cover
    company = tmp_path / "company.pptx"
    Presentation().save(company)
    before = company.read_bytes()
    assert main(["deck", "--scenario", str(cheaper), "--template", str(company), "--out", str(company)]) == 2
    assert "an input of this run" in capsys.readouterr().err and company.read_bytes() == before  # untouched
    assert main(["deck", "--scenario", str(cheaper), "--out", str(tmp_path / "deck.txt")]) == 2
    assert "give a file name ending in .pptx" in capsys.readouterr().err
    assert main(["deck", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--out", str(out)]) == 2
    assert "--scenario: give the saved scenario" in capsys.readouterr().err
