"""The codebook's pricing:, gabor_granger: and kano: sections, and who each instrument leaves out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.analyse.kano import kano
from valuekit.analyse.pricing import gabor_granger, price_sensitivity
from valuekit.config import PROJ_ROOT
from valuekit.errors import CodebookError, SurveyError
from valuekit.survey.instruments import GaborGrangerLadder, KanoQuestions, PriceQuestions, read_prices

BASE = {"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f1"]}}
PRICING = {"too_cheap": "tch", "cheap": "ch", "expensive": "ex", "too_expensive": "tex", "buy_cheap": "pint_ch",
           "buy_expensive": "pint_ex", "likelihood": {5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0}, "currency": "EUR"}
KANO = {"answers": {1: "like", 2: "expect", 3: "neutral", 4: "tolerate", 5: "dislike"},
        "attributes": {"delivery": ["k_f", "k_d"]}}
LADDER = {"ladder": {12: "gg12", 8: "gg8", 10: "gg10"}, "buy": {1: 1, 2: 0}}


@pytest.fixture
def export(tmp_path):
    data = pd.read_csv(PROJ_ROOT / "tests" / "data" / "pricing" / "psm_help_example.csv")
    rng = np.random.default_rng(0)
    data = data.assign(f1=3, k_f=rng.integers(1, 6, len(data)), k_d=rng.integers(1, 6, len(data)),
                       gg8=1, gg10=rng.integers(1, 3, len(data)), gg12=2)
    data.loc[3, "ch"] = 20.0          # prices that do not rise
    data.loc[5, "pint_ch"] = 9        # off the likelihood scale: a flagged cell, then out of the trial curve
    data.loc[7, "k_d"] = np.nan       # half a Kano pair
    data.loc[9, ["gg10", "gg12"]] = [2, 1]  # would buy at 12 but not at 10
    path = tmp_path / "export.csv"
    data.to_csv(path, index=False)
    return path


def _codebook(**sections):
    return vk.Codebook.from_dict({**BASE, **sections})


def test_the_sections_are_read_into_their_questions():
    cb = _codebook(pricing=PRICING, kano=KANO, gabor_granger=LADDER)
    assert cb.pricing == PriceQuestions(**PRICING)
    assert cb.kano.pairs == {"delivery": ("k_f", "k_d")}
    assert cb.gabor_granger.prices == [8.0, 10.0, 12.0] and cb.gabor_granger.columns == ["gg8", "gg10", "gg12"]
    roles = {c: (i.role, i.scale.min, i.scale.max) for c, i in cb.items.items()}
    assert roles["tch"] == ("price", -np.inf, np.inf)
    assert roles["pint_ch"] == ("likelihood", 1.0, 5.0)
    assert roles["gg10"] == ("ladder", 1.0, 2.0)
    assert roles["k_d"] == ("kano", 1.0, 5.0)
    assert vk.Codebook.from_dict(BASE).pricing is None


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("section, match", [
    ({"pricing": {"cheap": "ch"}}, "'pricing': missing expensive, too_expensive"),
    ({"pricing": {**PRICING, "buy_expensive": None}}, "'pricing': the Newton–Miller–Smith questions come in a pair"),
    ({"pricing": {**PRICING, "likelihood": {"five": 0.7, 1: 0}}}, "'pricing.likelihood': expected answer codes"),
    ({"pricing": {**PRICING, "colour": "red"}}, "colour"),
    ({"pricing": {**PRICING, "cheap": "f1"}}, "'pricing.cheap': column 'f1' is already listed"),
    ({"pricing": [1, 2]}, "'pricing': expected a mapping"),
    ({"kano": {"answers": KANO["answers"]}}, "'kano': missing attributes"),
    ({"kano": {**KANO, "attributes": {"delivery": ["k_f"]}}}, "two different column names"),
    ({"kano": {**KANO, "answers": {1: "like", 2: "love"}}}, "'kano': answers"),
    ({"gabor_granger": {"ladder": {10: "gg10"}}}, "at least two prices"),
    ({"gabor_granger": {"ladder": {-1: "gg8", 10: "gg10"}}}, "above zero"),
    ({"gabor_granger": {"buy": {1: 1}}}, "missing ladder"),
])
def test_a_wrong_section_names_its_key(section, match):
    with pytest.raises(CodebookError, match=match):
        _codebook(**section)


def test_the_survey_lists_who_each_instrument_leaves_out(export):
    cb = _codebook(pricing=PRICING, kano=KANO, gabor_granger=LADDER)
    survey = vk.load_survey(export, codebook=cb)
    out = survey.instrument_exclusions
    assert set(map(tuple, out[["row", "instrument", "reason"]].to_numpy())) == {
        (4, "pricing", "prices do not rise from too cheap to too expensive"),
        (6, "pricing trial", "a purchase-likelihood question unanswered or off its scale"),
        (8, "kano", "the dysfunctional answer missing (half a pair)"),
        (10, "gabor_granger", "would buy at a higher price but not at a lower one"),
    }
    assert (out["respondent"] == out["row"]).all()  # no id column: respondents are their row numbers
    assert out.loc[out["instrument"] == "kano", "attribute"].tolist() == ["delivery"]
    # the off-scale likelihood is a flagged cell of the audit as well
    cells = survey.audit.cells
    assert cells.loc[cells["column"] == "pint_ch", "problem"].tolist() == ["out_of_range"]
    # and the analyses, given the survey, leave out the same respondents and no others
    assert price_sensitivity(survey, draws=0).excluded["row"].tolist() == [4, 6]
    assert gabor_granger(survey, draws=0).excluded["row"].tolist() == [10]
    assert kano(survey, draws=0).excluded["row"].tolist() == [8]
    assert len(vk.load_survey(export, codebook=_codebook()).instrument_exclusions) == 0


def test_an_analysis_of_a_survey_without_the_section_says_so(export):
    survey = vk.load_survey(export, codebook=_codebook())
    with pytest.raises(SurveyError, match="no 'pricing:' section"):
        price_sensitivity(survey)
    with pytest.raises(SurveyError, match="no 'kano:' section"):
        kano(survey)


def test_the_questions_given_outright_win_over_the_codebook(export):
    survey = vk.load_survey(export, codebook=_codebook(pricing=PRICING))
    plain = PriceQuestions(cheap="ch", expensive="ex", too_expensive="tex")
    result = price_sensitivity(survey, plain, draws=0)
    assert result.questions is plain and "max_trial" not in result.points.index
    ladder = gabor_granger(survey.data.assign(a=1, b=0), GaborGrangerLadder({5: "a", 6: "b"}), draws=0)
    assert ladder.table["demand"].tolist() == [1.0, 0.0]
    assert isinstance(KanoQuestions(**{"pairs": {"x": ("k_f", "k_d")}, "answers": KANO["answers"]}), KanoQuestions)


# -- prices written as text --------------------------------------------------------------------------

@pytest.mark.adversarial("result")
@pytest.mark.parametrize("cells, expected", [
    (["€1.234,50", "12,50 EUR", "1.500", "-3,20 €", "EUR -4", "0,99"], [1234.5, 12.5, 1500, -3.2, -4, 0.99]),
    (["$1,234.56", "USD 12.50", "1,500", "R$ 10", "CHF 1'234.50", "12 kr", "1 234.50"],
     [1234.56, 12.5, 1500, 10, 1234.5, 12, 1234.5]),
    (["£7", "¥1,200,000", "₹ 99.00"], [7, 1_200_000, 99]),
])
def test_prices_written_with_currencies_and_separators_are_read(cells, expected):
    values, bad = read_prices(pd.Series(cells, dtype=object), "p", "export.csv")
    np.testing.assert_allclose(values, expected)
    assert not bad.any()


@pytest.mark.adversarial("result")
def test_what_is_no_amount_is_flagged_and_blank_stays_blank():
    values, bad = read_prices(pd.Series(["about 12", "12,5,0", "abc", "", None, "1 2"], dtype=object), "p", "x.csv")
    assert bad.tolist() == [True, True, True, False, False, True]
    assert np.isnan(values).all()


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("cells, decimal, match", [
    (["12.5", "12,5"], None, r"column 'p' writes prices with both decimal marks \('12.5' and '12,5'\)"),
    (["1,500", "2,000"], None, r"column 'p': '1,500' could be a price with three decimals or a thousand"),
])
def test_a_column_that_cannot_be_read_one_way_is_refused(cells, decimal, match):
    with pytest.raises(SurveyError, match="export.csv: " + match):
        read_prices(pd.Series(cells, dtype=object), "p", "export.csv", decimal)


def test_an_ambiguous_amount_follows_the_column_then_the_file():
    assert read_prices(pd.Series(["1,500", "12,50"], dtype=object), "p", "x")[0].tolist() == [1.5, 12.5]
    assert read_prices(pd.Series(["1,500", "2,000"], dtype=object), "p", "x", ".")[0].tolist() == [1500, 2000]
    assert read_prices(pd.Series(["1,500", "2,000"], dtype=object), "p", "x", ",")[0].tolist() == [1.5, 2.0]


@pytest.mark.adversarial("result")
def test_a_survey_reads_its_price_columns_as_amounts(tmp_path):
    path = tmp_path / "money.csv"
    pd.DataFrame({"f1": [3] * 4, "tch": ["€5", "€ 4,50", "3,00 €", "free"], "ch": ["8,00", "9", "7,50", "8"],
                  "ex": [12, 14, 12.5, 11], "tex": [16, 20, 18, 15]}).to_csv(path, index=False)
    cb = _codebook(pricing={"too_cheap": "tch", "cheap": "ch", "expensive": "ex", "too_expensive": "tex"})
    survey = vk.load_survey(path, codebook=cb)
    assert survey.data["tch"].tolist()[:3] == [5.0, 4.5, 3.0] and survey.data["ch"].tolist() == [8, 9, 7.5, 8]
    cells = survey.audit.cells
    assert cells[["row", "column", "value", "problem"]].to_numpy().tolist() == [[4, "tch", "free", "non_numeric"]]
    assert survey.instrument_exclusions["row"].tolist() == [4]


def test_a_price_equal_to_a_missing_code_of_the_ratings_is_a_price(tmp_path):
    """The survey's missing code 9 marks a rating unanswered; on a price question 9 is nine."""
    path = tmp_path / "nine.csv"
    pd.DataFrame({"f1": [3, 5, 4], "tch": [5, 9, 6], "ch": [9, 12, 10], "ex": [14, 15, 13],
                  "tex": [20, 22, 18]}).to_csv(path, index=False)
    cb = vk.Codebook.from_dict({**BASE, "missing_codes": [9], "pricing": {
        "too_cheap": "tch", "cheap": "ch", "expensive": "ex", "too_expensive": "tex"}})
    assert cb.items["ch"].missing_codes == () and cb.items["f1"].missing_codes == (9.0,)
    survey = vk.load_survey(path, codebook=cb)
    assert survey.data["ch"].tolist() == [9, 12, 10] and survey.data["tch"].tolist() == [5, 9, 6]
    assert survey.instrument_exclusions.empty
