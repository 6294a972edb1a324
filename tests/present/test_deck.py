"""The PowerPoint export read back: slide titles and numbers are the engine's."""

import io

import pytest
from pptx import Presentation

from valuekit.decide.scenario import Scenario, format_comparison, format_headline, format_outcome_changes
from valuekit.present.deck import scenario_deck, scenario_pngs


def test_the_deck_says_what_the_engine_computes(scenario_engine, tmp_path):
    engine = scenario_engine
    staff = Scenario(name="train the staff", levers={"staff": 1.0})
    cheaper = Scenario(name="cheaper", levers={"price": -10.0})
    data = scenario_deck(engine, staff, compare=[staff, cheaper], names={0: "bargain hunters"}, lang="it",
                         path=tmp_path / "deck.pptx")
    assert (tmp_path / "deck.pptx").read_bytes() == data
    deck = Presentation(io.BytesIO(data))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == ["Scenario: train the staff", "Per segmento", "Benefici e sacrifici",
                      "Confronta scenari salvati", "Confronta scenari salvati"]
    result = engine.apply(staff)
    text = [sh.text_frame.text for sh in deck.slides[0].shapes if sh.has_text_frame][1].splitlines()
    assert text[0] == format_headline(result["summary"], lang="it")
    assert text[2:2 + len(result["outcomes"])] == format_outcome_changes(result, lang="it")
    table = next(sh.table for sh in deck.slides[1].shapes if sh.has_table)
    assert table.cell(1, 0).text == "Tutti i clienti" and table.cell(2, 0).text.startswith("0: bargain hunters")
    assert table.cell(1, 2).text == f"{100 * result['summary'].loc['all', 'share_destroyed_before']:.1f}%"
    compared = next(sh.table for sh in deck.slides[3].shapes if sh.has_table)
    expected = format_comparison(engine, [staff, cheaper], lang="it").reset_index()
    got = [[compared.cell(i, j).text for j in range(expected.shape[1])] for i in range(1, 3)]
    assert got == expected.astype(str).to_numpy().tolist()
    assert sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13) == 2  # the map and the chart


def test_pngs_are_images(scenario_engine):
    pngs = scenario_pngs(scenario_engine, Scenario(levers={"price": 5.0}), dpi=40)
    assert set(pngs) == {"map"} and pngs["map"][:4] == b"\x89PNG"


def test_every_shape_lies_on_the_slide(scenario_engine):
    """Pictures are scaled into their box keeping their aspect: nothing leaves a 13.33 x 7.5 in slide,
    however many scenarios are compared."""
    from PIL import Image

    engine = scenario_engine
    a, b = Scenario(name="cheaper", levers={"price": -10.0}), Scenario(name="staff", levers={"staff": 1.0})
    for compare in ([a, b], [a, b, b], [a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b]):
        pngs = scenario_pngs(engine, a, compare=compare)
        deck = Presentation(io.BytesIO(scenario_deck(engine, a, compare=compare)))
        pictures = 0
        for slide in deck.slides:
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0, shape.name
                assert shape.left + shape.width <= deck.slide_width, (len(compare), shape.name)
                assert shape.top + shape.height <= deck.slide_height, (len(compare), shape.name)
                if shape.shape_type == 13:
                    pictures += 1
                    with Image.open(io.BytesIO(shape.image.blob)) as image:
                        w, h = image.size
                    assert shape.width / shape.height == pytest.approx(w / h, rel=0.01)  # not stretched
        assert pictures == 2 and deck.slides[4].shapes[1].image.blob == pngs["comparison"]


def test_scenarios_sharing_a_name_are_all_in_the_deck_apart(scenario_engine):
    engine = scenario_engine
    first, second = Scenario(name="better care", levers={"staff": 1.0}), Scenario(name="better care",
                                                                                 levers={"price": -10.0})
    deck = Presentation(io.BytesIO(scenario_deck(engine, first, compare=[first, second, first])))
    table = next(sh.table for sh in deck.slides[3].shapes if sh.has_table)
    assert [table.cell(i, 0).text for i in range(1, len(table.rows))] == ["better care", "better care (2)",
                                                                          "better care (3)"]
