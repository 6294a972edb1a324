"""Key drivers: known answers (R mtcars), Shapley identities, planted weights, bad input."""

import numpy as np
import pandas as pd
import pytest
import yaml

from valuekit import DEMO_CODEBOOK, DEMO_DATA, DEMO_TRUTH_META, Codebook, load_survey
from valuekit.config import PROJ_ROOT
from valuekit.drivers import (MAX_SHAPLEY_DRIVERS, importance_performance, key_drivers,
                              relative_weights, shapley_r2)
from valuekit.scoring import ValueScorer

MTCARS = pd.read_csv(PROJ_ROOT / "tests" / "data" / "mtcars.csv")
DRIVERS = ["cyl", "disp", "hp", "wt"]


def test_johnson_mtcars_known_answer():
    # In R: rwa::rwa(mtcars, "mpg", c("cyl", "disp", "hp", "wt")) -> raw weights
    # .2097 .1883 .1800 .2707, R^2 = .8486 (Johnson 2000; DOMAIN.md)
    rw = relative_weights(MTCARS, "mpg", DRIVERS)
    np.testing.assert_allclose(rw["raw_weight"], [0.2097, 0.1883, 0.1800, 0.2707], atol=5e-5)
    assert rw.attrs["r2"] == pytest.approx(0.8486, abs=5e-5)
    assert rw["raw_weight"].sum() == pytest.approx(rw.attrs["r2"])
    assert rw["share"].abs().sum() == pytest.approx(100)
    # signed by the full-model coefficient: cyl, hp, wt lower mpg
    assert rw["sign"].tolist() == [-1, 1, -1, -1]


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
        found = table.set_index("driver")["share"]
        truth = pd.Series(planted[name])
        assert list(found.abs().sort_values(ascending=False).index) == \
               list(truth.abs().sort_values(ascending=False).index), name
        assert (np.sign(found[truth.index]) == np.sign(truth)).all(), name  # sacrifices negative
        assert set(table.loc[table["share"] < 0, "kind"]) == {"sacrifice"}


def test_key_drivers_bootstrap_by_group(small_frame, codebook_dict):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    frame["y"] = 0.8 * frame["a"] - 0.3 * frame["b"] + rng.normal(scale=0.5, size=400)
    groups = pd.Series(np.repeat(["x", "z"], 200))
    table = key_drivers(frame, "y", ["a", "b"], by=groups, n_boot=100, random_state=0)
    assert list(table["group"]) == ["all", "all", "x", "x", "z", "z"]
    assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
    a = table[(table["group"] == "all") & (table["driver"] == "a")].iloc[0]
    assert a["share"] > 70 and a["ci_low"] > 50
    b = table[(table["group"] == "all") & (table["driver"] == "b")].iloc[0]
    assert b["share"] < 0 and b["ci_high"] < 0
    again = key_drivers(frame, "y", ["a", "b"], by=groups, n_boot=100, random_state=0)
    pd.testing.assert_frame_equal(table, again)


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
    table = key_drivers(MTCARS, "mpg", DRIVERS, by=groups, n_boot=0)
    tiny = table[table["group"] == "tiny"]
    assert tiny["share"].isna().all() and "4 complete respondents for 4 drivers" in tiny["note"].iloc[0]
    assert table.loc[table["group"] == "all", "share"].notna().all() and (table.loc[table["group"] == "all", "note"] == "").all()
