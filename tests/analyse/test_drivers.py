"""Key drivers: known answers (R mtcars), Shapley identities, planted weights, unsigned shares
with their direction and its stability, per-driver floors, bad input."""

import numpy as np
import pandas as pd
import pytest
import yaml

from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_TRUTH_META, Codebook, load_survey
from valuekit.analyse.drivers import (INVESTIGATE, MAX_SHAPLEY_DRIVERS, QUADRANTS, driver_summary,
                                      importance_performance, key_drivers, relative_weights, shapley_r2)
from valuekit.config import PROJ_ROOT
from valuekit.errors import SurveyError
from valuekit.measure.scoring import ValueScorer

MTCARS = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
DRIVERS = ["cyl", "disp", "hp", "wt"]
# R 4.2.2: coef(lm(scale(mpg) ~ scale(cyl) + scale(disp) + scale(hp) + scale(wt), data = mtcars))
R_STD_BETAS = [-0.3832400198, 0.2385277849, -0.2336456173, -0.6256699998]
KEY_DRIVER_COLUMNS = ["group", "driver", "raw_weight", "share", "ci_low", "ci_high", "sign", "direction",
                      "sign_stability", "beta", "beta_ci_low", "beta_ci_high", "beta_p", "beta_p_adj",
                      "beta_adj_ci_low", "beta_adj_ci_high", "distinguishable",
                      "r2", "r2_ci_low", "r2_ci_high", "adj_r2", "model_f", "model_df1", "model_df2", "model_p",
                      "model_test", "n", "dropped", "n_boot", "method", "note"]


def test_johnson_mtcars_known_answer():
    # In R: rwa::rwa(mtcars, "mpg", c("cyl", "disp", "hp", "wt")) -> raw weights
    # .2097 .1883 .1800 .2707, R^2 = .8486 (Johnson 2000; DOMAIN.md)
    rw = relative_weights(MTCARS, "mpg", DRIVERS)
    np.testing.assert_allclose(rw["raw_weight"], [0.2097, 0.1883, 0.1800, 0.2707], atol=5e-5)
    assert rw.attrs["r2"] == pytest.approx(0.8486, abs=5e-5)
    assert rw["raw_weight"].sum() == pytest.approx(rw.attrs["r2"])
    assert (rw["share"] > 0).all() and rw["share"].sum() == pytest.approx(100)  # unsigned
    np.testing.assert_allclose(rw["share"], rw["raw_weight"] / rw.attrs["r2"] * 100)
    # the direction is the full-model coefficient's sign: cyl, hp, wt lower mpg
    assert rw["sign"].tolist() == [-1, 1, -1, -1]
    assert rw["direction"].tolist() == ["negative", "positive", "negative", "negative"]
    np.testing.assert_allclose(rw["beta"], R_STD_BETAS, atol=1e-9)
    sh = shapley_r2(MTCARS, "mpg", DRIVERS)
    assert (sh["share"] > 0).all() and sh["share"].sum() == pytest.approx(100)
    assert sh["sign"].tolist() == rw["sign"].tolist()


def test_mtcars_beta_interval_brackets_the_standardized_coefficient():
    # 32 cars for 4 drivers: below the default floor of 10 per driver, so lower it here
    table = key_drivers(MTCARS, "mpg", DRIVERS, n_boot=500, random_state=3, min_n_per_driver=8)
    assert list(table.columns) == KEY_DRIVER_COLUMNS
    np.testing.assert_allclose(table["beta"], R_STD_BETAS, atol=1e-9)  # R's lm on scaled columns
    assert ((table["beta_ci_low"] < table["beta"]) & (table["beta"] < table["beta_ci_high"])).all()
    assert table["r2"].iloc[0] == pytest.approx(0.8486347934, abs=1e-9)  # R: summary(lm(...))$r.squared
    assert table["r2_ci_low"].iloc[0] < table["r2"].iloc[0] < table["r2_ci_high"].iloc[0] <= 1
    wt = table.set_index("driver").loc["wt"]
    assert wt["distinguishable"] and wt["sign_stability"] == 1.0 and wt["direction"] == "negative"

def test_shapley_efficiency_and_two_driver_closed_form():
    sh = shapley_r2(MTCARS, "mpg", DRIVERS)
    assert sh["raw_weight"].sum() == pytest.approx(0.8486, abs=5e-5)  # shares add up to R^2
    r = MTCARS[["mpg", "hp", "wt"]].corr().to_numpy()
    r2_hp, r2_wt = r[0, 1] ** 2, r[0, 2] ** 2
    beta = np.linalg.solve(r[1:, 1:], r[1:, 0])
    r2_both = float(r[1:, 0] @ beta)
    two = shapley_r2(MTCARS, "mpg", ["hp", "wt"])
    # LMG with two drivers: half of each order of entry
    assert two["raw_weight"][0] == pytest.approx(0.5 * r2_hp + 0.5 * (r2_both - r2_wt))
    assert two["raw_weight"][1] == pytest.approx(0.5 * r2_wt + 0.5 * (r2_both - r2_hp))


def test_shapley_is_symmetric_in_identical_drivers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2]})
    frame["y"] = frame["a"] + frame["b"] + 0.2 * frame["c"] + rng.normal(size=500)
    sh = shapley_r2(frame, "y", ["a", "b", "c"]).set_index("driver")["raw_weight"]
    assert sh["a"] == pytest.approx(sh["b"], rel=0.15) and sh["c"] < sh["a"] / 5


def test_survey_weights_change_the_answer():
    w = np.where(MTCARS["am"] == 1, 3.0, 1.0)
    weighted = relative_weights(MTCARS, "mpg", DRIVERS, weights=w)
    plain = relative_weights(MTCARS, "mpg", DRIVERS)
    assert not np.allclose(weighted["raw_weight"], plain["raw_weight"])
    doubled = pd.concat([MTCARS, MTCARS[MTCARS["am"] == 1], MTCARS[MTCARS["am"] == 1]])
    np.testing.assert_allclose(weighted["raw_weight"], relative_weights(doubled, "mpg", DRIVERS)["raw_weight"])


def test_demo_planted_weights_recovered_in_rank_order():
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    scores = ValueScorer(cb).fit_transform(survey.data).join(survey.data[list(cb.outcomes.values())])
    planted = yaml.safe_load(DEMO_TRUTH_META.read_text())["outcome_weights"]
    for name, column in cb.outcomes.items():
        table = key_drivers(scores, column, cb.dimensions + cb.sacrifices, codebook=cb,
                            weights=survey.weights, n_boot=0)
        found = table.set_index("driver")
        truth = pd.Series(planted[name])
        assert (found["share"] >= 0).all() and found["share"].sum() == pytest.approx(100)
        assert list(found["share"].sort_values(ascending=False).index) == \
               list(truth.abs().sort_values(ascending=False).index), name
        assert (found.loc[truth.index, "sign"] == np.sign(truth)).all(), name  # sacrifices negative
        assert set(table.loc[table["direction"] == "negative", "kind"]) == {"sacrifice"}
        assert table["ci_low"].isna().all()  # n_boot=0: no bootstrap intervals ...
        # ... but the model's own tests (design-based: the demo is weighted) still say which drivers count
        assert table["distinguishable"].notna().all() and table["model_p"].iloc[0] < 1e-6
        assert table["model_test"].iloc[0] == "Rao-Scott likelihood ratio"


def test_key_drivers_bootstrap_by_group(small_frame, codebook_dict):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    frame["y"] = 0.8 * frame["a"] - 0.3 * frame["b"] + rng.normal(scale=0.5, size=400)
    groups = pd.Series(np.repeat(["x", "z"], 200))
    table = key_drivers(frame, "y", ["a", "b"], by=groups, n_boot=100, random_state=0)
    assert list(table["group"]) == ["all", "all", "x", "x", "z", "z"]
    assert table.groupby("group")["share"].sum().tolist() == pytest.approx([100, 100, 100])
    assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 100).all()
    assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
    a = table[(table["group"] == "all") & (table["driver"] == "a")].iloc[0]
    assert a["share"] > 70 and a["ci_low"] > 50 and a["direction"] == "positive"
    b = table[(table["group"] == "all") & (table["driver"] == "b")].iloc[0]
    assert 0 < b["ci_low"] <= b["share"] < 30  # unsigned: the interval no longer straddles zero ...
    assert b["sign"] == -1 and b["direction"] == "negative" and b["sign_stability"] == 1.0  # ... the sign is apart
    assert b["beta_ci_high"] < 0 and b["distinguishable"]
    assert (table["note"] == "").all() and table["n"].tolist() == [400, 400, 200, 200, 200, 200]
    assert (table["n_boot"] == 100).all()
    again = key_drivers(frame, "y", ["a", "b"], by=groups, n_boot=100, random_state=0)
    pd.testing.assert_frame_equal(table, again)


def test_respondents_without_a_group_are_in_the_overall_model_only():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    frame["y"] = frame["a"] + rng.normal(size=300)
    groups = pd.Series(np.repeat(["x", "z", None], 100))  # the last 100 have no segment
    table = key_drivers(frame, "y", ["a", "b"], by=groups, n_boot=0)
    assert list(dict.fromkeys(table["group"])) == ["all", "x", "z"]  # no "(missing)" group
    assert table.loc[table["group"] == "all", "n"].iloc[0] == 300 and table.attrs["no_group"] == 100
    assert key_drivers(frame, "y", ["a", "b"], by=groups.fillna("x"), n_boot=0).attrs["no_group"] == 0


def test_missing_outcome_is_dropped_and_counted():
    frame = MTCARS.copy()
    frame.loc[[0, 5], "mpg"] = np.nan
    table = key_drivers(frame, "mpg", DRIVERS, n_boot=0)
    assert table["n"].iloc[0] == 30 and table["dropped"].iloc[0] == 2


@pytest.mark.parametrize("edit, match", [
    (lambda f: f.assign(disp2=f["disp"] * 2), r"drivers \['disp', 'disp2'\] are perfectly collinear"),
    (lambda f: f.assign(mpg=20.0), r"the outcome 'mpg' is constant"),
    (lambda f: f.assign(hp=100), r"driver\(s\) \['hp'\] are constant"),
    (lambda f: f.drop(columns="wt"), r"column\(s\) \['wt'\] not found"),
])
def test_bad_input(edit, match):
    frame = edit(MTCARS.copy())
    drivers = DRIVERS + (["disp2"] if "disp2" in frame else [])
    drivers = [d for d in drivers if d in frame or d == "wt"]
    with pytest.raises(ValueError, match=match):
        relative_weights(frame, "mpg", drivers)


def test_too_many_drivers_for_exact_shapley():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, MAX_SHAPLEY_DRIVERS + 2)),
                         columns=[f"d{i}" for i in range(MAX_SHAPLEY_DRIVERS + 2)]).assign(y=rng.normal(size=200))
    drivers = [c for c in frame.columns if c != "y"]
    with pytest.raises(ValueError, match=r"17 drivers: the exact Shapley decomposition needs 2\*\*17 "
                                         r"regressions and is limited to 15 drivers; use method='johnson'"):
        key_drivers(frame, "y", drivers, method="shapley")
    assert len(key_drivers(frame, "y", drivers, method="johnson", n_boot=0)) == 17
    with pytest.raises(ValueError, match=r"method must be one of"):
        key_drivers(frame, "y", drivers, method="lasso")


def test_importance_performance_quadrants(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)  # functional, economic; money, risk
    drivers = pd.DataFrame({"driver": ["functional", "economic", "money", "risk"], "share": [50, 10, -30, -10]})
    scores = pd.DataFrame({"functional": [3.0, 3.0], "economic": [6.0, 6.0], "money": [2.0, 2.0], "risk": [6.0, 6.0]})
    ipa = importance_performance(drivers, scores, codebook=cb).set_index("driver")
    assert ipa.loc["functional", "quadrant"] == "concentrate here"
    assert ipa.loc["money", "performance"] == 6.0  # 1 + 7 - 2: a low sacrifice performs well
    assert ipa.loc["money", "quadrant"] == "keep up the good work"
    assert ipa.loc["economic", "quadrant"] == "possible overkill"
    assert ipa.loc["risk", "quadrant"] == "low priority"


def test_text_outcome_is_a_clear_error():
    frame = MTCARS.assign(city="Madrid")
    with pytest.raises(ValueError, match=r"column\(s\) \['city'\] are not numeric \(str\)"):
        key_drivers(frame, "city", DRIVERS, n_boot=0)


def test_a_too_small_group_is_reported_not_fatal():
    groups = pd.Series(["big"] * 28 + ["tiny"] * 4)
    table = key_drivers(MTCARS, "mpg", DRIVERS, by=groups, n_boot=0, min_n_per_driver=0)  # no floor
    tiny = table[table["group"] == "tiny"]
    assert tiny["share"].isna().all() and "4 complete respondents for 4 drivers" in tiny["note"].iloc[0]
    assert tiny["n"].tolist() == [4] * 4 and tiny["dropped"].tolist() == [0] * 4
    assert tiny["sign"].tolist() == [0] * 4 and tiny["distinguishable"].isna().all()
    assert table.loc[table["group"] == "all", "share"].notna().all() and (table.loc[table["group"] == "all", "note"] == "").all()


def test_a_model_that_cannot_be_fitted_at_all_still_raises():
    with pytest.raises(ValueError, match=r"5 complete respondents for 4 drivers of 'mpg'"):
        key_drivers(MTCARS.head(5), "mpg", DRIVERS, n_boot=0)
    with pytest.raises(ValueError, match=r"min_n_per_driver must be a number >= 0"):
        key_drivers(MTCARS, "mpg", DRIVERS, n_boot=0, min_n_per_driver=-1)


def _one_real_driver(n, seed):
    """y = 2 x1 + noise; x2 is pure noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    frame["y"] = 2 * frame["x1"] + rng.normal(scale=2.0, size=n)
    return frame


def test_a_driver_without_effect_is_not_distinguishable_from_zero():
    table = key_drivers(_one_real_driver(300, seed=7), "y", ["x1", "x2"], n_boot=500,
                        random_state=1).set_index("driver")
    x1, x2 = table.loc["x1"], table.loc["x2"]
    assert x1["distinguishable"] and x1["sign_stability"] == 1.0 and x1["beta_ci_low"] > 0.5
    assert not x2["distinguishable"] and x2["beta_ci_low"] < 0 < x2["beta_ci_high"]
    assert x2["sign_stability"] < 0.8  # the bootstrap flips its sign
    assert x2["share"] < 1 and 0 <= x2["ci_low"] and x2["ci_high"] < 5  # unsigned, small, never below 0
    assert table["distinguishable"].dtype == "boolean"


def test_the_floor_per_driver_withholds_a_segment():
    frame = _one_real_driver(300, seed=7)
    groups = pd.Series(np.repeat(["big", "small"], [281, 19]))  # 19 < 2 drivers x 10
    table = key_drivers(frame, "y", ["x1", "x2"], by=groups, n_boot=50, random_state=0)
    small, big = table[table["group"] == "small"], table[table["group"] == "big"]
    assert (small["note"] == "too few respondents for 2 drivers: 19 (at least 20 needed, 10 per driver)").all()
    for column in ["raw_weight", "share", "ci_low", "ci_high", "beta", "sign_stability", "r2", "r2_ci_low"]:
        assert small[column].isna().all(), column
    assert small["distinguishable"].isna().all() and small["n"].tolist() == [19, 19]
    assert small["n_boot"].tolist() == [0, 0] and big["n_boot"].tolist() == [50, 50]
    assert big["share"].notna().all() and (big["note"] == "").all()
    # the overall group is held to the same floor: reported with the note, not raised
    mt = key_drivers(MTCARS, "mpg", DRIVERS, n_boot=0)
    assert mt["share"].isna().all()
    assert mt["note"].iloc[0] == "too few respondents for 4 drivers: 32 (at least 40 needed, 10 per driver)"
    assert key_drivers(MTCARS, "mpg", DRIVERS, n_boot=0, min_n_per_driver=8)["share"].notna().all()


def test_degenerate_resamples_are_left_out_and_counted():
    frame = _one_real_driver(60, seed=2).assign(rare=0.0)
    frame.loc[0, "rare"] = 1.0  # one respondent: constant in about a third of the resamples
    table = key_drivers(frame, "y", ["x1", "rare"], n_boot=100, random_state=0, min_n_per_driver=0)
    used = int(table["n_boot"].iloc[0])
    assert 50 < used < 80 and table["ci_low"].notna().all() and (table["note"] == "").all()  # reported
    assert driver_summary(table).endswith(f"; intervals from {used} of 100 bootstrap samples "
                                          f"({100 - used} degenerate, left out)")


def test_driver_summary_line():
    frame = _one_real_driver(300, seed=7)
    frame.loc[:4, "y"] = np.nan
    groups = pd.Series(np.repeat(["big", "small"], [281, 19]))
    table = key_drivers(frame, "y", ["x1", "x2"], by=groups, n_boot=200, random_state=0)
    overall = table.iloc[0]
    assert driver_summary(table) == (f"R² {overall['r2']:.2f} [{overall['r2_ci_low']:.2f}, "
                                     f"{overall['r2_ci_high']:.2f}], n = 295 "
                                     "(5 left out: missing values or zero weight)")
    assert overall["r2_ci_low"] < overall["r2"] < overall["r2_ci_high"]
    assert driver_summary(table, "small").startswith("too few respondents for 2 drivers: 19")
    assert driver_summary(key_drivers(frame, "y", ["x1"], n_boot=0)).startswith("R² 0.4")  # no interval
    assert ", n = 1,000" in driver_summary(key_drivers(_one_real_driver(1000, 1), "y", ["x1", "x2"], n_boot=0))
    assert driver_summary(relative_weights(MTCARS, "mpg", DRIVERS)) == "R² 0.85, n = 32"
    with pytest.raises(ValueError, match=r"no group 'nope' in the driver table; groups: \['all', 'big', 'small'\]"):
        driver_summary(table, "nope")


def test_importance_performance_flags_effects_the_wrong_way(codebook_dict):
    cb = Codebook.from_dict(codebook_dict)  # functional, economic; money, risk
    drivers = pd.DataFrame({"driver": ["functional", "economic", "money", "risk"],
                            "share": [45.0, 24.4, 35.0, 5.6], "sign": [1, -1, -1, 1],
                            "direction": ["positive", "negative", "negative", "positive"]})
    scores = pd.DataFrame({"functional": [3.0, 3.0], "economic": [6.0, 6.0], "money": [2.0, 2.0], "risk": [6.0, 6.0]})
    ipa = importance_performance(drivers, scores, codebook=cb).set_index("driver")
    assert ipa.loc["economic", "quadrant"] == INVESTIGATE["benefit"] == "to investigate: negative effect"
    assert ipa.loc["risk", "quadrant"] == INVESTIGATE["sacrifice"] == "to investigate: positive effect"
    # the crosshairs are the means of the two drivers that act the expected way (with all
    # four, 27.5 and 4.25, money would be "keep up the good work")
    assert ipa.attrs["importance_mean"] == pytest.approx(40.0)
    assert ipa.attrs["performance_mean"] == pytest.approx((3.0 + 6.0) / 2)
    assert ipa.loc["functional", "quadrant"] == "concentrate here"
    assert ipa.loc["money", "quadrant"] == "possible overkill"
    assert ipa.loc["economic", "importance"] == 24.4 and ipa.loc["economic", "direction"] == "negative"
    # from key_drivers: the benefit with a negative coefficient, and a withheld group
    frame = pd.DataFrame({"functional": np.linspace(1, 7, 200)})
    rng = np.random.default_rng(0)
    frame["economic"] = rng.uniform(1, 7, 200)
    frame["money"] = rng.uniform(1, 7, 200)
    frame["y"] = frame["functional"] - 0.8 * frame["economic"] - frame["money"] + rng.normal(size=200)
    table = key_drivers(frame, "y", ["functional", "economic", "money"], codebook=cb, n_boot=0)
    ipa = importance_performance(table, frame, codebook=cb).set_index("driver")
    assert ipa.loc["economic", "quadrant"] == "to investigate: negative effect"
    assert ipa.loc["economic", "importance"] == pytest.approx(table.set_index("driver").loc["economic", "share"])
    assert ipa.loc["money", "direction"] == "negative" and ipa.loc["money", "kind"] == "sacrifice"
    assert ipa.loc["money", "quadrant"] in set(QUADRANTS.values())  # a sacrifice lowering value is normal
    withheld = key_drivers(frame.head(25), "y", ["functional", "economic", "money"], codebook=cb, n_boot=0)
    assert set(importance_performance(withheld, frame, codebook=cb)["quadrant"]) == {"no estimate"}


# 2. a survey too small for the driver model
def test_importance_performance_no_respondents(demo_small):
    from valuekit.analyse.drivers import importance_performance

    cb, scores, _ = demo_small
    kd = pd.DataFrame({"driver": cb.dimensions, "share": 1.0})
    with pytest.raises(SurveyError, match="scores: no respondents"):
        importance_performance(kd, scores.iloc[:0], codebook=cb)
