"""The scorer: estimator conventions, the value equation by hand, and bad input."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import valuekit.measure.model as scorecore
from valuekit import DEMO_CODEBOOK, DEMO_DATA, Codebook, load_survey
from valuekit.errors import ParameterError, SurveyError
from valuekit.measure.scoring import ValueScorer, common_scale, item_matrix, summarize_value


@pytest.fixture
def items_frame():
    return pd.DataFrame({
        "f1": [7, 4, 1, np.nan, 5], "f2": [1, 4, 7, 2, np.nan],  # f2 reverse-keyed
        "e1": [6, 4, 2, 3, np.nan], "e2": [6, 4, 2, np.nan, np.nan],
        "m1": [2, 4, 7, 3, 4], "r1": [2, 4, 7, np.nan, 4],
        "c_f1": [5] * 5, "nps": [10, 5, 0, 7, 8],
    }, index=pd.Index([11, 12, 13, 14, 15], name="row"))


def test_estimator_conventions(codebook_dict, items_frame):
    scorer = ValueScorer(codebook_dict, neutral_band=0.1)
    with pytest.raises(NotFittedError):
        scorer.transform(items_frame)
    assert clone(scorer).get_params() == scorer.get_params()
    scorer.set_params(min_answered=1.0)
    assert scorer.get_params()["min_answered"] == 1.0
    a = scorer.fit_transform(items_frame)
    b = clone(scorer).fit(items_frame).transform(items_frame)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == list(scorer.get_feature_names_out())
    assert a.index.equals(items_frame.index)
    out = ValueScorer(codebook_dict).set_output(transform="pandas").fit_transform(items_frame)
    assert isinstance(out, pd.DataFrame) and "value_ratio" in out


def test_scores_by_hand(codebook_dict, items_frame):
    s = ValueScorer(codebook_dict).fit_transform(items_frame)
    # respondent 11: f1 7, f2 1 -> reversed 7: functional 7; economic 6; money 2; risk 2
    r = s.loc[11]
    assert (r["functional"], r["economic"], r["money"], r["risk"]) == (7, 6, 2, 2)
    assert r["benefits"] == 6.5 and r["sacrifices"] == 2
    assert r["value_ratio"] == 3.25 and r["log_value_ratio"] == pytest.approx(np.log(3.25))
    assert r["verdict"] == "created" and r["unscored_reason"] == ""
    # respondent 12: everything 4 -> ratio exactly 1 -> neutral
    assert s.loc[12, "value_ratio"] == 1 and s.loc[12, "verdict"] == "neutral"
    # respondent 13: functional 1, economic 2, sacrifices 7 -> destroyed
    assert s.loc[13, "value_ratio"] == pytest.approx(1.5 / 7) and s.loc[13, "verdict"] == "destroyed"
    # respondent 14: one of two items per block is enough with min_answered=0.5
    assert s.loc[14, "functional"] == 6 and s.loc[14, "economic"] == 3
    # respondent 15: economic unanswered -> the benefits index rests on functional alone
    # (1 of 2 dimensions is half of them: min_blocks=0.5)
    assert np.isnan(s.loc[15, "economic"]) and s.loc[15, "benefits"] == 5 and s.loc[15, "sacrifices"] == 4
    assert s.loc[15, "value_ratio"] == 1.25 and s.loc[15, "unscored_reason"] == ""
    # ... and with every block required, unscored, saying why
    strict = ValueScorer(codebook_dict, min_blocks=1.0).fit_transform(items_frame)
    assert np.isnan(strict.loc[15, "value_ratio"]) and pd.isna(strict.loc[15, "verdict"])
    assert strict.loc[15, "unscored_reason"] == "economic: 0 of 2 items answered, 1 needed"
    assert strict.drop(index=[14, 15]).equals(s.drop(index=[14, 15]))  # complete respondents: identical
    assert s["functional__ease_of_use"].equals(s["functional"])
    assert s["verdict"].cat.categories.tolist() == ["destroyed", "neutral", "created"]


def test_min_answered(codebook_dict, items_frame):
    s = ValueScorer(codebook_dict, min_answered=1.0, min_blocks=1.0).fit_transform(items_frame)
    assert s.loc[14, "unscored_reason"] == ("functional: 1 of 2 items answered, 2 needed; "
                                            "economic: 1 of 2 items answered, 2 needed; "
                                            "risk: 0 of 1 items answered, 1 needed")
    s = ValueScorer(codebook_dict, min_answered=1.0).fit_transform(items_frame)
    assert s.loc[14, "unscored_reason"] == ("0 of 2 dimensions scored, 1 needed (functional: 1 of 2 items "
                                            "answered, 2 needed; economic: 1 of 2 items answered, 2 needed)")


def test_min_blocks_renormalises_the_weights_of_the_scored_blocks(codebook_dict, items_frame):
    weights = {"functional": 3, "economic": 1, "money": 1, "risk": 1}
    frame = items_frame.copy()
    frame.loc[11, ["e1", "e2"]] = np.nan  # economic missing: benefits = functional alone
    frame.loc[12, ["f1", "f2"]] = np.nan  # functional missing: benefits = economic alone
    s = ValueScorer(codebook_dict, index_weights=weights).fit_transform(frame)
    assert s.loc[11, "benefits"] == 7 and s.loc[12, "benefits"] == 4
    assert s.loc[13, "benefits"] == pytest.approx(0.75 * 1 + 0.25 * 2)  # both scored: the weights as given
    with pytest.raises(ValueError, match="min_blocks must be a share"):
        ValueScorer(codebook_dict, min_blocks=0).fit(items_frame)
    five = {"scale": {"min": 1, "max": 5}, "benefits": {"functional": ["f"]},
            "sacrifices": {s_: [s_ + "1"] for s_ in ("time", "money", "energy", "emotional", "risk")}}
    row = pd.DataFrame({"f": [4.0], "time1": [2.0], "money1": [2.0], "energy1": [np.nan],
                        "emotional1": [np.nan], "risk1": [np.nan]})
    out = ValueScorer(five).fit_transform(row)  # 3 of 5 sacrifices needed, 2 answered
    assert out.loc[0, "unscored_reason"] == (
        "2 of 5 sacrifices scored, 3 needed (energy: 0 of 1 items answered, 1 needed; "
        "emotional: 0 of 1 items answered, 1 needed; risk: 0 of 1 items answered, 1 needed)")


def test_neutral_band(codebook_dict):
    frame = pd.DataFrame({"f1": [5.0], "f2": [3.0], "e1": [5.0], "e2": [5.0], "m1": [4.8], "r1": [4.8]})
    assert ValueScorer(codebook_dict).fit_transform(frame)["verdict"][0] == "neutral"      # 5 / 4.8 = 1.042
    assert ValueScorer(codebook_dict, neutral_band=0.02).fit_transform(frame)["verdict"][0] == "created"
    assert ValueScorer(codebook_dict, neutral_band=0).fit_transform(frame)["verdict"][0] == "created"


def test_other_scales_are_mapped_and_zero_based_scales_shifted(codebook_dict):
    codebook_dict["scale"] = {"min": 0, "max": 10}
    codebook_dict["missing_codes"] = [99]
    codebook_dict["items"]["nps"] = {"scale": {"min": 0, "max": 10}}
    codebook_dict["items"]["e2"] = {"scale": {"min": 1, "max": 5}}
    cb = Codebook.from_dict(codebook_dict)
    assert common_scale(cb).min == 1 and common_scale(cb).max == 11
    frame = pd.DataFrame({"f1": [0.0, 10.0], "f2": [10.0, 0.0], "e1": [5.0, 5.0], "e2": [1.0, 5.0],
                          "m1": [0.0, 10.0], "r1": [0.0, 10.0]})
    X = item_matrix(frame, cb)
    np.testing.assert_allclose(X[:, 0], [1, 11])   # 0-10 -> 1-11
    np.testing.assert_allclose(X[:, 1], [1, 11])   # reversed then shifted
    np.testing.assert_allclose(X[:, 3], [1, 11])   # 1-5 mapped onto 1-11
    s = ValueScorer(cb).fit_transform(frame)
    assert np.isfinite(s["value_ratio"]).all()     # no division by zero at the bottom of 0-10


def test_weights(codebook_dict, items_frame):
    s = ValueScorer(codebook_dict, index_weights={"functional": 3, "economic": 1, "money": 1, "risk": 0})
    out = s.fit_transform(items_frame)
    assert out.loc[11, "benefits"] == pytest.approx(0.75 * 7 + 0.25 * 6)
    assert out.loc[11, "sacrifices"] == 2
    assert s.benefit_weights_.to_dict() == {"functional": 0.75, "economic": 0.25}


@pytest.mark.parametrize("weights, match", [
    ({"functional": -1, "economic": 1, "money": 1, "risk": 1}, r"weights\['functional'\] must be a finite number >= 0"),
    ({"functional": np.nan, "economic": 1, "money": 1, "risk": 1}, r"weights\['functional'\]"),
    ({"functional": 1, "money": 1, "risk": 1}, r"no weight for dimensions \['economic'\]"),
    ({"functional": 1, "economic": 1, "money": 1, "risk": 1, "status": 1}, r"unknown dimension or sacrifice \['status'\]"),
    ({"functional": 0, "economic": 0, "money": 1, "risk": 1}, r"sum to zero"),
    ("stated", r"'importance' lacks"),
    ("heavy", r"weights must be 'equal', 'stated' or a dict"),
])
def test_bad_weights(codebook_dict, items_frame, weights, match):
    with pytest.raises(ValueError, match=match):
        ValueScorer(codebook_dict, index_weights=weights).fit(items_frame)


def test_index_weights_under_their_0_1_name_still_work_with_a_warning(codebook_dict, items_frame):
    """``weights=`` was ValueScorer's name for the index weights; survey weights are
    ``sample_weight``. The old name warns for one release and gives the same scores."""
    weights = {"functional": 3, "economic": 1, "money": 1, "risk": 0}
    with pytest.warns(FutureWarning, match=r"ValueScorer\(weights=\.\.\.\) is now index_weights="):
        old = ValueScorer(codebook_dict, weights=weights).fit_transform(items_frame)
    pd.testing.assert_frame_equal(old, ValueScorer(codebook_dict, index_weights=weights).fit_transform(items_frame))
    assert ValueScorer(codebook_dict).get_params()["index_weights"] == "equal"


def test_stated_importance_weights(codebook_dict, items_frame):
    codebook_dict["importance"] = {"functional": "i_f", "economic": "i_e", "money": "i_m", "risk": "i_r"}
    frame = items_frame.assign(i_f=[7.0] * 5, i_e=[4.0] * 5, i_m=[5.0, 5, 5, 5, np.nan], i_r=[1.0] * 5)
    s = ValueScorer(codebook_dict, index_weights="stated").fit(frame)
    # importance on 1-7 counts from the bottom of the scale: 6 and 3 -> 2/3 and 1/3
    assert s.benefit_weights_.to_dict() == pytest.approx({"functional": 2 / 3, "economic": 1 / 3})
    assert s.sacrifice_weights_.to_dict() == pytest.approx({"money": 1.0, "risk": 0.0})


def test_bad_input(codebook_dict, items_frame):
    with pytest.raises(ValueError, match=r"item column\(s\) \['r1'\] not found in data"):
        ValueScorer(codebook_dict).fit(items_frame.drop(columns="r1"))
    with pytest.raises(ValueError, match="no respondents"):
        ValueScorer(codebook_dict).fit(items_frame.iloc[:0])
    with pytest.raises(ParameterError, match="X: expected a DataFrame"):  # was TypeError: not a ValuekitError
        ValueScorer(codebook_dict).fit(items_frame.to_numpy())
    with pytest.raises(SurveyError, match="item column 'f1' holds str values"):
        ValueScorer(codebook_dict).fit_transform(items_frame.astype({"f1": "str"}))
    with pytest.raises(ValueError, match="min_answered must be a share"):
        ValueScorer(codebook_dict, min_answered=0).fit(items_frame)
    with pytest.raises(ValueError, match="neutral_band must be in"):
        ValueScorer(codebook_dict, neutral_band=-0.1).fit(items_frame)


def test_one_respondent_and_sacrifices_without_benefits(codebook_dict, items_frame):
    one = ValueScorer(codebook_dict).fit_transform(items_frame.iloc[[0]])
    assert one["value_ratio"].iloc[0] == 3.25
    frame = items_frame.copy()
    frame.loc[13, ["f1", "f2", "e1", "e2"]] = np.nan
    frame.loc[12, ["f1", "f2", "e1", "e2", "m1", "r1"]] = np.nan
    s = ValueScorer(codebook_dict).fit_transform(frame)
    assert s.loc[13, "unscored_reason"] == "no benefit item answered"
    assert s.loc[12, "unscored_reason"] == "no benefit or sacrifice item answered"
    assert len(s) == len(frame)  # nobody lost
    assert not np.isinf(s.select_dtypes("number").to_numpy()).any()


def test_summarize_value_weighted_and_grouped(codebook_dict, items_frame):
    s = ValueScorer(codebook_dict, min_blocks=1.0).fit_transform(items_frame)
    summary = summarize_value(s).loc["all"]
    # 14 (no risk answer) and 15 (no economic answer) are not scored
    assert summary["n"] == 5 and summary["n_scored"] == 3 and summary["n_unscored"] == 2
    assert summary["share_destroyed"] == pytest.approx(1 / 3) and summary["share_neutral"] == pytest.approx(1 / 3)
    w = pd.Series([1.0, 1.0, 2.0, 0.0, 1.0], index=s.index)
    weighted = summarize_value(s, weights=w).loc["all"]
    assert weighted["share_destroyed"] == 0.5 and weighted["weighted_n"] == 4
    groups = summarize_value(s, by=pd.Series(["a", "a", "b", "b", "b"], index=s.index))
    assert groups.loc["b", "n"] == 3 and groups.loc["b", "share_destroyed"] == 1.0
    assert groups.loc["a", "share_created"] == 0.5 and groups.loc["a", "median_value_ratio"] == 1
    with pytest.raises(ValueError, match="weights must be finite and >= 0"):
        summarize_value(s, weights=-w)
    with pytest.raises(ValueError, match="by column 'segment' not found"):
        summarize_value(s, by="segment")


def test_mean_scores_weighted_skips_missing(codebook_dict, items_frame):
    from valuekit.measure.scoring import mean_scores

    s = ValueScorer(codebook_dict).fit_transform(items_frame)
    w = pd.Series([1.0, 3.0, 0.0, 0.0, 0.0], index=s.index)
    m = mean_scores(s, columns=["functional", "economic"], weights=w).loc["all"]
    assert m["functional"] == pytest.approx((7 + 3 * 4) / 4) and m["economic"] == pytest.approx((6 + 12) / 4)
    plain = mean_scores(s, columns=["economic"]).loc["all", "economic"]
    assert plain == pytest.approx((6 + 4 + 2 + 3) / 4)  # respondent 15 has no economic score
    by = mean_scores(s, columns=["money"], by=pd.Series(list("aabbb"), index=s.index))
    assert by.loc["b", "money"] == pytest.approx((7 + 3 + 4) / 3)


def test_cli_score(tmp_path, capsys):
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
    from valuekit.cli import main

    out = tmp_path / "scores.csv"
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    scores = pd.read_csv(out, keep_default_na=False, na_values=[""])
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    assert len(scores) == survey.audit.rows_kept  # every kept respondent has a row
    unscored = scores["unscored_reason"].notna()
    assert f"scored: {int((~unscored).sum())}; not scored: {int(unscored.sum())}" in printed
    assert scores.loc[unscored, "value_ratio"].isna().all()
    assert set(scores.loc[~unscored, "verdict"]) <= {"created", "neutral", "destroyed"}
    assert list(scores.columns[:8]) == ["row", "respondent_id", "weight", "overall_value", "satisfaction", "recommend",
                                       "repurchase", "functional"]  # the weight and outcomes, by their names


def test_demo_verdicts_recover_the_planted_truth():
    """The generator planted who has value destroyed; the scorer should find them."""
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_TRUTH, load_survey

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    truth = pd.read_csv(DEMO_TRUTH).set_index("row").loc[scores.index]
    decided = scores["verdict"].isin(["created", "destroyed"]).to_numpy()
    found = (scores["verdict"] == "destroyed").to_numpy()[decided]
    planted = truth["destroyed"].to_numpy(bool)[decided]
    assert (found == planted).mean() > 0.9
    # and the segment the generator made most hassled loses the most value
    share = pd.Series(found, index=truth["segment"].to_numpy()[decided]).groupby(level=0).mean()
    assert share.idxmax() == "hassled_pragmatists"


def test_a_block_weighted_zero_does_not_block_scoring(codebook_dict, items_frame):
    frame = items_frame.copy()
    frame.loc[11, ["e1", "e2"]] = np.nan  # no economic answer
    s = ValueScorer(codebook_dict, index_weights={"functional": 1, "economic": 0, "money": 1, "risk": 1}).fit_transform(frame)
    assert s.loc[11, "benefits"] == 7 and s.loc[11, "unscored_reason"] == ""
    s = ValueScorer(codebook_dict, index_weights={"functional": 1, "economic": 0, "money": 1, "risk": 1},
                    min_blocks=1.0).fit_transform(frame)
    assert s.loc[11, "benefits"] == 7 and s.loc[11, "unscored_reason"] == ""
    assert s.loc[14, "unscored_reason"] == "risk: 0 of 1 items answered, 1 needed"  # weighted blocks still count


def test_groups_align_by_label_and_missing_groups_are_kept(codebook_dict, items_frame):
    s = ValueScorer(codebook_dict).fit_transform(items_frame)
    by = pd.Series(["a", "a", "b", "b", None], index=s.index)
    shuffled = by.sample(frac=1, random_state=1)  # same labels, other order
    pd.testing.assert_frame_equal(summarize_value(s, by=by), summarize_value(s, by=shuffled))
    table = summarize_value(s, by=by)
    assert list(table.index) == ["a", "b", "(missing)"] and table["n"].sum() == len(s)


def test_group_order_is_numeric():
    from valuekit.measure.scoring import group_order

    assert group_order([10, 2, 1, "x", 2, None]) == [1, 2, 10, "x"]


def test_min_blocks_on_the_demo_as_the_readme_says():
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    strict = ValueScorer(survey.codebook, min_blocks=1.0).fit_transform(survey.data)
    half = ValueScorer(survey.codebook).fit_transform(survey.data)
    assert (len(survey.data), int(strict["value_ratio"].isna().sum()), int(half["value_ratio"].isna().sum())) \
        == (1962, 18, 0)
    both = strict["value_ratio"].notna()
    pd.testing.assert_frame_equal(strict[both], half[both])  # the complete are scored exactly as before


def test_scoring_in_chunks_changes_nothing(monkeypatch):
    data = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK).data.copy()
    sacrifices = [c for c in data.columns if c.startswith("sac_")]
    data.loc[data.index[[3, 4, 40]], sacrifices] = np.nan  # three respondents cannot be scored
    data.loc[data.index[[50]], sacrifices[:3]] = np.nan
    whole_scores = ValueScorer(DEMO_CODEBOOK).fit_transform(data)
    monkeypatch.setattr(scorecore, "SCORE_CHUNK_ROWS", 7)
    chunked = ValueScorer(DEMO_CODEBOOK).fit_transform(data)
    pd.testing.assert_frame_equal(chunked, whole_scores)
    assert (chunked["unscored_reason"] != "").any()  # the reasons survive the chunks
