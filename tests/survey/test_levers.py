"""Levers as data: lever files, the codebook's `levers:` section, derived defaults, bad input."""

import copy

import pytest
import yaml

from valuekit import DATA_DIR, DEMO_CODEBOOK, Codebook, read_codebook
from valuekit.errors import ParameterError
from valuekit.survey.codebook import CodebookError
from valuekit.survey.levers import LeverError, default_levers, read_levers

CLINIC = DATA_DIR / "clinic_codebook.yaml"
GOOD = {"how": "points", "moves": ["experiential"], "range": [-2, 2], "step": 0.25, "value_lever": "offer"}


def levers_with(**changes):
    lever = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    return {"levers": {"staff": lever}}


def test_the_demo_lever_file_is_the_worked_example():
    levers = read_levers(DATA_DIR / "demo_levers.yaml", DEMO_CODEBOOK)
    assert {"price", "vat", "surcharges", "waiting_time", "travel_time", "staff", "ambience"} <= set(levers.levers)
    cb = read_codebook(DEMO_CODEBOOK)
    assert levers["staff"].effects == {"exp_int_1": 1.0, "exp_int_2": 1.0, "sac_emo_1": -0.5, "sac_emo_2": -0.5}
    assert levers["price"].effects == {c: 1.0 for c in cb.block_items("money")}
    assert "21 %" in levers["vat"].assumes  # the assumption is written where the analyst reads it
    assert levers["delivery_fix"].how == "lift_lowest" and levers["delivery_fix"].target == 5
    assert levers["staff"].label("es") == "Formación del personal"
    assert levers["vat"].unit == "VAT points" and levers["vat"].unit_label("it") == "punti IVA"
    assert levers["staff"].unit_label("es") == "puntos" and levers["price"].unit_label("it") == "%"
    assert levers["delivery_fix"].unit_label("es") == "% de clientes"
    assert all(lv.assumes for lv in levers)
    table = levers.to_frame()
    assert table.loc["staff", "moves"] == "Interactions, Emotional cost ×-0.5"


def test_default_levers_come_from_the_codebook_not_the_demo():
    by_block = default_levers(CLINIC)
    cb = read_codebook(CLINIC)
    assert [lv.name for lv in by_block] == cb.dimensions + cb.sacrifices
    assert by_block["functional"].how == "points" and by_block["time"].how == "percent"
    assert (by_block["functional"].low, by_block["functional"].high) == (-3.0, 3.0)  # a third of 0-10
    by_item = default_levers(CLINIC, by="item")
    assert by_item["p09_espera"].label("en") == "Long wait" and by_item["p09_espera"].label("es") == "Espera larga"
    assert by_item["p01_resultado"].effects == {"p01_resultado": 1.0}
    by_facet = default_levers(CLINIC, by="facet")
    assert {"functional__reliability", "functional__ease_of_use", "economic"} <= set(by_facet.levers)
    assert by_facet["experiential__interactions"].effects == {"p06_trato": 1.0, "p07_explicaciones": 1.0}
    demo = default_levers(DEMO_CODEBOOK)
    assert (demo["functional"].low, demo["functional"].high) == (-2.0, 2.0)  # a third of 1-7
    assert demo["money"].value_lever == "offer" and demo["time"].value_lever == "unlock"
    with pytest.raises(ParameterError, match="by: expected one of 'block', 'facet', 'item', got 'dimension'"):
        default_levers(CLINIC, by="dimension")


def test_item_text_labels_a_lever_when_the_codebook_has_no_label(codebook_dict):
    codebook_dict["items"]["e1"] = {"text": "Trains run on time"}
    levers = default_levers(Codebook.from_dict(codebook_dict), by="item")
    assert levers["e1"].label() == "Trains run on time"


def test_levers_in_the_codebook(codebook_dict):
    codebook_dict["levers"] = {"faster": {"how": "percent", "moves": ["money"], "range": [-50, 0],
                                          "value_lever": "unlock", "label": {"en": "Cheaper", "it": "Più economico"}}}
    cb = Codebook.from_dict(codebook_dict)
    levers = read_levers(None, cb)
    assert list(levers.levers) == ["faster"] and levers["faster"].label("it") == "Più economico"
    codebook_dict["levers"]["faster"]["moves"] = ["speed"]
    with pytest.raises(CodebookError, match=r"lever key 'levers.faster.moves.speed': 'speed' is not a benefit"):
        Codebook.from_dict(codebook_dict)


def test_lever_files_name_the_file_and_refuse_what_yaml_would_hide(tmp_path):
    path = tmp_path / "levers.yaml"
    text = yaml.safe_dump(levers_with())
    path.write_text(text + "  staff:\n    how: points\n", encoding="utf-8")  # the same lever twice
    with pytest.raises(LeverError, match=r"levers.yaml: lever key 'staff' appears twice .*must be unique"):
        read_levers(path, DEMO_CODEBOOK)
    path.write_bytes("levers:\n  precio:\n    label: reducción\n".encode("latin-1"))  # read as Windows-1252
    with pytest.raises(LeverError, match=r"levers.yaml: lever key 'levers.precio.how': is required"):
        read_levers(path, DEMO_CODEBOOK)
    path.write_text("levers: {staff: [", encoding="utf-8")
    with pytest.raises(LeverError, match=r"levers.yaml: not a valid YAML file"):
        read_levers(path, DEMO_CODEBOOK)
    path.write_text("levers:\n  staff: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(LeverError, match=r"levers.yaml: not a valid YAML file"):
        read_levers(path, DEMO_CODEBOOK)
    spec = copy.deepcopy(levers_with())
    spec["levers"]["staff"]["range"] = [0, 0.5, 1]
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(LeverError, match=r"levers.yaml: lever key 'levers.staff.range': expected \[low, high\]"):
        read_levers(path, DEMO_CODEBOOK)
    with pytest.raises(LeverError, match=r"lever file '.*nope.yaml' not found"):
        read_levers(tmp_path / "nope.yaml", DEMO_CODEBOOK)
    with pytest.raises(LeverError, match=r"lever key 'levers': expected a mapping of lever names"):
        read_levers({"levers": []}, DEMO_CODEBOOK)
    with pytest.raises(LeverError, match=r"lever key 'levers.2x': a lever name is text starting with a letter"):
        read_levers({"levers": {"2x": GOOD}}, DEMO_CODEBOOK)
