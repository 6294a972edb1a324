"""Tables for readers (valuekit.present.reader)."""

import math

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.errors import ParameterError
from valuekit.present.reader import KINDS, MISSING, READER_COLUMNS, READER_VALUES, format_number, reader_table
from valuekit.survey.labels import LANGUAGES


@pytest.mark.parametrize("value, kind, lang, shown", [
    (1962.0, "count", "en", "1,962"), (1962.4, "count", "es", "1.962"), (568.558, "count", "en", "569"),
    (0.6684, "percent", "en", "66.8%"), (0.6684, "percent", "es", "66,8\xa0%"), (0.6684, "percent", "it", "66,8%"),
    (0.94912, "decimal", "en", "0.95"), (-0.23, "decimal", "es", "-0,23"),
    (0.0004, "p", "en", "< 0.001"), (0.0123, "p", "it", "0,012"), (True, "flag", "es", "sí"), (False, "flag", "en", "no"),
    (float("nan"), "decimal", "en", MISSING), (math.inf, "count", "en", MISSING), (None, "percent", "en", MISSING),
    (pd.NA, "count", "en", MISSING), ("text", "text", "en", "text")])
def test_numbers_are_written_as_a_reader_expects(value, kind, lang, shown):
    assert format_number(value, kind, lang) == shown


def test_an_unknown_kind_or_language_is_refused():
    with pytest.raises(ValueError, match="kind: expected one of"):
        format_number(1, "money")
    with pytest.raises(ParameterError, match="lang"):
        format_number(1, "count", "fr")


def test_the_vocabulary_is_complete():
    for col, spec in READER_COLUMNS.items():
        assert spec["kind"] in KINDS, col
        assert all(spec.get(lang) for lang in LANGUAGES), col
        assert len(spec.get("interval", ("low", "high"))) == 2 and col not in spec.get("interval", ()), col
    for value, words in READER_VALUES.items():
        assert all(words.get(lang) for lang in LANGUAGES), value


@pytest.fixture(scope="module")
def survey():
    return vk.load_demo("demo")


def test_a_result_reads_with_labels_percentages_counts_and_intervals(survey):
    result = pd.DataFrame({"block": ["money", "time"], "role": ["sacrifice", "sacrifice"], "n": [1960.0, 1958.0],
                           "alpha": [0.8791, np.nan], "ci_low": [0.868, np.nan], "ci_high": [0.89, np.nan],
                           "share_destroyed": [0.198, 0.05]})
    table = reader_table(result, codebook=survey.codebook)
    assert list(table.frame.columns) == ["Block", "Role", "n", "Cronbach's alpha [95% CI]", "Value destroyed"]
    assert table.frame.iloc[0].tolist() == ["Money", "Sacrifice", "1,960", "0.88 [0.87,\xa00.89]", "19.8%"]
    assert table.frame.iloc[1, 3] == MISSING
    assert table.source is result
    spanish = reader_table(result, codebook=survey.codebook, lang="es", level=0.9)
    assert spanish.frame.iloc[0].tolist() == ["Dinero", "Sacrificio", "1.960", "0,88 [0,87;\xa00,89]", "19,8\xa0%"]
    assert list(spanish.frame.columns)[3] == "Alfa de Cronbach [IC 90\xa0%]"


def test_no_cell_is_nan_none_or_cut(survey):
    long = "How much effort does carrying and assembling what you bought take, all told, at home?"
    cb = vk.Codebook.from_dict({"id": "id", "scale": {"min": 1, "max": 5}, "benefits": {"functional": ["q1"]},
                                "sacrifices": {"energy": ["q2"]}, "items": {"q2": {"text": long}}})
    frame = pd.DataFrame({"item": ["q1", "q2", None], "mean": [np.nan, 3.1, 2.0], "flag": [None, "x", "y"]})
    text = repr(reader_table(frame, codebook=cb)) + reader_table(frame, codebook=cb).to_html()
    assert long in text and "…" not in text
    for bad in ("NaN", "nan", "None", "<NA>"):
        assert bad not in text


def test_an_index_becomes_a_column_and_a_default_one_goes(survey):
    by_block = pd.DataFrame({"n": [3.0]}, index=pd.Index(["money"], name="block"))
    assert reader_table(by_block).frame.to_dict("list") == {"Block": ["Money"], "n": ["3"]}
    assert reader_table(pd.DataFrame({"n": [3.0]})).frame.to_dict("list") == {"n": ["3"]}


def test_columns_choose_what_is_shown_and_bring_their_bounds():
    frame = pd.DataFrame({"block": ["money"], "alpha": [0.9], "ci_low": [0.8], "ci_high": [0.95], "omega": [0.9]})
    table = reader_table(frame, columns=["alpha", "block"])
    assert table.frame.to_dict("list") == {"Cronbach's alpha [95% CI]": ["0.90 [0.80,\xa00.95]"], "Block": ["Money"]}
    with pytest.raises(ParameterError, match="columns"):
        reader_table(frame, columns=["beta"])


def test_the_html_is_the_same_every_time_and_right_aligns_numbers():
    frame = pd.DataFrame({"block": ["money"], "n": [1962.0]})
    html = reader_table(frame, caption="Reliability", notes=["— no answers"]).to_html()
    assert html == reader_table(frame, caption="Reliability", notes=["— no answers"]).to_html()
    assert "Reliability" in html and "— no answers" in html and "text-align: right" in html


def test_wrong_arguments_are_named():
    with pytest.raises(ParameterError, match="frame: expected a DataFrame"):
        reader_table([1, 2])
    with pytest.raises(ParameterError, match="codebook: expected None or a Codebook"):
        reader_table(pd.DataFrame({"n": [1]}), codebook="codebook.yaml")


def test_labels_are_text_not_markup():
    """A label from someone else's file (a codebook, an export) is shown, never run."""
    payload = "<img src=x onerror=alert(1)>"
    frame = pd.DataFrame({payload: [payload], "n": [1.0]}, index=pd.Index([payload], name="group"))
    html = reader_table(frame, caption=payload, notes=[payload]).to_html()
    assert "<img" not in html and html.count("&lt;img src=x onerror=alert(1)&gt;") == 5
