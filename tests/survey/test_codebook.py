import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from valuekit import Codebook, CodebookError, read_codebook


def test_small_codebook_structure(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)
    assert cb.id == "rid"
    assert cb.benefit_items == ["f1", "f2", "e1", "e2"]
    assert cb.sacrifice_items == ["m1", "r1"]
    assert cb.comparison_items == ["c_f1"]
    assert cb.dimensions == ["functional", "economic"]
    assert cb.sacrifices == ["money", "risk"]
    assert cb.items["f1"].facet == "ease_of_use" and cb.items["e1"].facet is None
    assert cb.items["r1"].block == "risk" and cb.items["r1"].facet == "financial"
    assert cb.items["f2"].reverse and not cb.items["f1"].reverse
    # a competitor rating inherits the scale and reverse key of the item it mirrors
    assert cb.items["c_f1"].counterpart == "f1" and cb.items["c_f1"].scale == cb.scale
    assert cb.items["nps"].scale.max == 10 and cb.items["nps"].missing_codes == (99.0,)
    assert cb.items["f1"].missing_codes == (9.0,)
    assert cb.columns() == ["rid", "f1", "f2", "e1", "e2", "m1", "r1", "c_f1", "nps", "channel", "w", "dur"]
    assert cb.block_items("functional") == ["f1", "f2"]


def test_labels_in_three_languages(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)
    assert [cb.label("functional", lang) for lang in ("en", "es", "it")] == ["Functional", "Funcional", "Funzionale"]
    assert cb.label("f2", "es") == "Difícil de usar"
    assert cb.label("recommend", "it") == "Propensione a raccomandare"
    assert cb.label("e1", "it") == "e1"  # no label anywhere: the column name
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        cb.label("f1", "fr")


def test_codebook_labels_override_defaults(codebook_dict):
    codebook_dict["labels"] = {"economic": {"en": "Money's worth"}}
    cb = Codebook.from_dict(codebook_dict)
    assert cb.label("economic") == "Money's worth"
    assert cb.label("economic", "es") == "Económica"  # the built-in Spanish label remains


@pytest.mark.parametrize("edit, match", [
    (lambda d: d["benefits"].update(emotional=["x"]), r"benefits.emotional': 'emotional' is a sacrifice, not a "
                                                       r"dimension: list it under 'sacrifices:'"),
    (lambda d: d["sacrifices"].update(symbolic=["x"]), r"sacrifices.symbolic': 'symbolic' is a benefit dimension"),
    (lambda d: d["benefits"].update(spiritual=["x"]), r"benefits.spiritual.*unknown dimension 'spiritual'"),
    (lambda d: d["sacrifices"].update(moneys=["x"]), r"did you mean 'money'"),
    (lambda d: d["benefits"]["economic"].append("f1"), r"benefits.economic\[2\].*'f1' is already listed under 'benefits.functional.ease_of_use\[0\]'"),
    (lambda d: d["sacrifices"]["money"].append("f2"), r"already listed"),
    (lambda d: d.update(scale={"min": 7, "max": 1}), r"'scale': min must be smaller than max"),
    (lambda d: d.update(scale={"min": 1, "max": 1}), r"'scale': min must be smaller than max, got min=1, max=1"),
    (lambda d: d.update(scale={"min": 1, "max": "seven"}), r"'scale.max': expected a number"),
    (lambda d: d.update(scale=[1, 7]), r"'scale': expected a mapping"),
    (lambda d: d.pop("scale"), r"'scale': is required"),
    (lambda d: d.update(id=3), r"'id': expected a column name \(text\), got 3"),
    (lambda d: d.update(colour="red"), r"unknown top-level key 'colour'"),
    (lambda d: d["items"].update(nps={"scale": {"min": 0, "max": 10}}),
     r"'items.nps': the common missing code\(s\) \['9'\] lie inside the scale 0-10 of 'nps'.*give 'nps' its own"),
    (lambda d: d["items"].update(nps={"scale": {"min": 0, "max": 10}, "missing_codes": [5]}),
     r"'items.nps.missing_codes': its missing code\(s\) \['5'\] lie inside the scale 0-10 of 'nps'"),
    (lambda d: d["items"].update(f1={"reversed": True}), r"items.f1.*unknown item attribute 'reversed'.*did you mean 'reverse'"),
    (lambda d: d["items"].update(f1={"reverse": "yes"}), r"items.f1.reverse': expected true or false"),
    (lambda d: d["items"].update(zz={"reverse": True}), r"'zz' is not listed"),
    (lambda d: d["outcomes"].update(loyalty="x"), r"unknown outcome 'loyalty'"),
    (lambda d: d["context"].update(situation=["f1"]), r"already listed"),
    (lambda d: d["comparisons"]["items"].update(nope="c_x"), r"'nope' is not a benefit or sacrifice item"),
    (lambda d: d["benefits"].update(functional=[]), r"expected a non-empty list"),
    (lambda d: d.update(missing_codes=[None]), r"missing_codes\[0\]': expected a numeric code"),
    (lambda d: d["items"].update(f1={"label": {"de": "x"}}), r"unknown language"),
    (lambda d: d.update(benefits={}), r"'benefits': expected a mapping"),
    (lambda d: d["benefits"]["economic"].append("rid"), r"respondent id column"),
])
def test_bad_codebook_names_the_key(codebook_dict, edit, match):
    edit(codebook_dict)
    with pytest.raises(CodebookError, match=match):
        Codebook.from_dict(codebook_dict)


def test_read_codebook_from_file_names_the_file(tmp_path, codebook_dict):
    path = tmp_path / "survey.yaml"
    path.write_text(yaml.safe_dump(codebook_dict))
    assert read_codebook(path).id == "rid"
    codebook_dict["benefits"]["spiritual"] = ["x"]
    path.write_text(yaml.safe_dump(codebook_dict))
    with pytest.raises(CodebookError, match=r"^survey.yaml: codebook key 'benefits.spiritual'"):
        read_codebook(path)
    with pytest.raises(CodebookError, match="not found"):
        read_codebook(tmp_path / "nope.yaml")
    path.write_text("id: [unclosed")
    with pytest.raises(CodebookError, match="not a valid YAML file"):
        read_codebook(path)


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(CodebookError, match="not a valid YAML file"):
        read_codebook(path)


def test_check_columns_lists_what_exists(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)
    columns = [c for c in cb.columns() if c != "e2"] + ["E2 "]
    with pytest.raises(CodebookError, match=r"column\(s\) \['e2'\] named in the codebook not found in export.csv; available: \[.*'rid'"):
        cb.check_columns(columns, source="export.csv")
    columns = [c for c in cb.columns() if c not in ("e2", "channel")] + ["E2", "Channel"]
    with pytest.raises(CodebookError, match=r"Close matches: 'e2' -> 'E2'\?, 'channel' -> 'Channel'\?\.$"):
        cb.check_columns(columns)  # a difference of case only: 'Channel' is far from 'channel' for difflib


def test_no_follow_on_errors_for_the_items_of_a_block_already_reported(codebook_dict):
    codebook_dict["benefits"]["spiritual"] = codebook_dict["benefits"].pop("economic")  # e1, e2
    codebook_dict["items"].update(e1={"text": "I save money"}, zz={"reverse": True})
    codebook_dict["colour"] = ["f9"]
    codebook_dict["items"]["f9"] = {"reverse": True}
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(codebook_dict)
    lines = str(err.value).splitlines()[1:]
    assert [line.split("'")[1] for line in lines] == ["benefits.spiritual", "items.zz", "colour"], lines


def test_duplicate_yaml_keys_are_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("id: rid\nscale: {min: 1, max: 7}\nbenefits:\n  functional: [a]\n"
                    "sacrifices:\n  time: [b]\n  time: [c]\n")
    with pytest.raises(CodebookError, match=r"dup.yaml: codebook key 'time' appears twice in one section \(line 7\)"):
        read_codebook(path)


def test_top_level_missing_code_inside_scale(codebook_dict):
    """One error, on the key that is wrong, naming the items it reaches; none per item (their
    items.<col>.missing_codes keys do not exist, and their own codes are not the fix)."""
    codebook_dict["missing_codes"] = [-99, 4]
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(codebook_dict)
    message = str(err.value)
    assert "\n" not in message and message.startswith("codebook key 'missing_codes': code(s) ['4'] lie inside the "
                                                      "scale 1-7 that 7 item(s) take with these codes "
                                                      "(f1, f2, e1, e2, m1, r1, c_f1)")
    assert "items." not in message and "remove it" in message  # nps has its own codes; 'other' columns no scale
    codebook_dict["missing_codes"] = [9]
    codebook_dict["name"] = ["not", "text"]
    with pytest.raises(CodebookError, match=r"'name': expected text"):
        Codebook.from_dict(codebook_dict)


def test_label_falls_back_to_question_text(codebook_dict):
    codebook_dict["items"]["e1"] = {"text": "I save money when I buy here instead of elsewhere"}
    codebook_dict["items"]["e2"] = {"text": "Good value"}
    cb = Codebook.from_dict(codebook_dict)
    assert cb.label("e1") == "I save money when I buy here instead of…"
    assert cb.label("e2", "it") == "Good value"


def test_every_problem_is_listed_at_once_in_the_files_order(codebook_dict):
    """Not one error per run: the whole file is checked, and the first real mistake comes first."""
    codebook_dict["scale"] = {"min": 7, "max": 1}
    codebook_dict["benefits"]["spiritual"] = ["z1"]
    codebook_dict["outcomes"]["loyality"] = ["q1", "q2"]
    codebook_dict["items"]["f1"] = {"colour": "red"}
    codebook_dict["weigth"] = "w"
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(codebook_dict, source="survey.yaml")
    lines = str(err.value).splitlines()
    assert lines[0] == "survey.yaml: 5 problems, in the file's order:"
    assert [line.split("'")[1] for line in lines[1:]] == [
        "scale", "benefits.spiritual", "outcomes.loyality", "items.f1.colour", "weigth"]


def test_no_id_column_means_row_numbers(codebook_dict, small_frame):
    from valuekit import audit_survey

    codebook_dict.pop("id")
    cb = Codebook.from_dict(codebook_dict)
    assert cb.id is None and "rid" not in cb.columns()
    frame = pd.concat([small_frame, small_frame.iloc[:3]], ignore_index=True)  # repeated rows, no id to tell
    survey = audit_survey(frame.drop(columns="rid"), cb)
    a = survey.audit
    assert a.rows_in == len(frame) and a.rows_kept == len(frame)
    assert a.rows["respondent"].tolist() == list(range(1, len(frame) + 1))
    assert a.settings["id_checked"] is False
    assert any("duplicate-id checks off" in note for note in a.notes)
    checked = a.summary_table().set_index("reason")["checked"]
    assert not checked["missing_id"] and not checked["duplicate_id"] and checked["no_answers"]


def test_other_columns_are_audited_for_their_missing_codes(codebook_dict, small_frame):
    from valuekit import audit_survey

    codebook_dict["missing_codes"] = [-99]
    codebook_dict["other"] = ["age", "visits"]
    codebook_dict["items"]["visits"] = {"scale": {"min": 0, "max": 50}}
    cb = Codebook.from_dict(codebook_dict)
    assert cb.items["age"].role == "other" and str(cb.items["age"].scale) == "any number"
    assert cb.items["age"].missing_codes == (-99.0,)
    frame = small_frame.assign(age=np.r_[[-99, 230], np.full(len(small_frame) - 2, 40)],
                               visits=np.r_[[-99, 70, 3], np.full(len(small_frame) - 3, 2)])
    cells = audit_survey(frame, cb).audit.cells
    got = sorted(zip(cells["column"], cells["value"], cells["problem"]))
    assert ("age", "-99", "missing_code") in got and ("visits", "-99", "missing_code") in got
    assert ("visits", "70", "out_of_range") in got
    assert not any(c == "age" and p == "out_of_range" for c, _, p in got)  # no scale given: 230 is kept
    assert "age" not in cb.value_items


def test_checking_a_codebook_leaves_the_mapping_as_it_was(codebook_dict):
    codebook_dict["items"]["f1"] = "not a mapping"
    before = copy.deepcopy(codebook_dict)
    with pytest.raises(CodebookError, match=r"'items.f1': expected a mapping"):
        Codebook.from_dict(codebook_dict)
    assert codebook_dict == before


@pytest.mark.parametrize("change, key", [
    (lambda d: d["labels"].update(functional={"en": None}), "labels.functional.en"),
    (lambda d: d.update(comparisons={"competitor": ["A", "B"], "items": {"f1": "c_f1"}}), "comparisons.competitor"),
])
def test_codebook_refuses_labels_and_competitors_that_are_not_text(codebook_dict, change, key):
    from valuekit import Codebook

    codebook_dict.setdefault("labels", {})
    change(codebook_dict)
    with pytest.raises(CodebookError, match=key.replace(".", r"\.")):
        Codebook.from_dict(codebook_dict)


def _with_values(values, **item):
    return {"scale": {"min": 1, "max": 5}, "missing_codes": [9], "benefits": {"functional": ["q1", "q2"]},
            "comparisons": {"items": {"q1": "c1"}}, "items": {"q1": {"values": values, **item}}}


def test_value_labels_are_read_by_code_and_language():
    cb = Codebook.from_dict(_with_values({1: "Not at all", "5": {"en": "Fully", "es": "Del todo"}, 9: "Don't know"}))
    assert cb.items["q1"].values == {1.0: {"en": "Not at all"}, 5.0: {"en": "Fully", "es": "Del todo"},
                                     9.0: {"en": "Don't know"}}
    assert [cb.value_label("q1", 5, x) for x in ("es", "it")] == ["Del todo", "Fully"]
    assert cb.value_label("q2", 5) is None  # no labels of its own
    assert cb.items["c1"].values == cb.items["q1"].values  # a comparison item takes its counterpart's


@pytest.mark.parametrize("values, key, says", [
    ({7: "Fully"}, "items.q1.values.7", "code 7 is not a point of the item's scale 1-5 nor one of its missing codes"),
    ({2.5: "half"}, "items.q1.values.2.5", "code 2.5 is not a point"),
    ({"high": "x"}, "items.q1.values.high", "expected a numeric answer code as the key, got text"),
    ({1: {"fr": "pas"}}, "items.q1.values.1", "unknown language(s) ['fr']"),
    ({1: " "}, "items.q1.values.1", "expected the label's text"),
    ({1: "a", "1": "b"}, "items.q1.values.1", "code 1 is labelled twice"),
    ([1, 2], "items.q1.values", "expected a mapping of answer codes to labels"),
])
def test_value_labels_that_do_not_match_the_codes_are_refused(values, key, says):
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(_with_values(values))
    assert err.value.key == key and says in str(err.value)
    assert "comparisons" not in str(err.value)  # the item is kept: no follow-on error


def test_nets_name_points_of_the_items_scale():
    spec = _with_values({1: "Not at all"}, nets={"Agree": [4, 5], "Low": [1]})
    cb = Codebook.from_dict(spec)
    assert cb.items["q1"].nets == {"Agree": (4.0, 5.0), "Low": (1.0,)} and cb.items["c1"].nets == cb.items["q1"].nets


@pytest.mark.parametrize("nets, key, says", [
    ({"Agree": [6, 7]}, "items.q1.nets.Agree", "code 6 is not a point of the item's scale 1-5"),
    ({"Agree": [9]}, "items.q1.nets.Agree", "code 9 is not a point"),  # a missing code is no answer to count
    ({"Agree": []}, "items.q1.nets.Agree", "expected a non-empty list"),
    ({"Agree": [4, 4]}, "items.q1.nets.Agree", "a code is listed twice"),
    ({"Agree": ["high"]}, "items.q1.nets.Agree", "code 'high' is not a point"),
    ([4, 5], "items.q1.nets", "expected a mapping of NET names"),
])
def test_nets_that_do_not_match_the_codes_are_refused(nets, key, says):
    with pytest.raises(CodebookError) as err:
        Codebook.from_dict(_with_values({1: "Not at all"}, nets=nets))
    assert err.value.key == key and says in str(err.value)
