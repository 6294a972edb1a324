"""A driver model's own evidence: its overall test, adjusted R², and multiplicity-adjusted driver intervals.

Known answers from R 4.2 (survey 4.1) on the api data of ``tests/data/api`` (see
test_design_variance.py for how they were exported):

    st <- read.csv("apistrat.csv")
    summary(lm(api00 ~ ell + meals + mobility, data=st))
        coef 794.984431642 -0.642016214157 -2.86620847455 0.0151005046021
        se   11.7413545164 0.422248533856 0.294424806702 0.472864921219
        F 93.5443801114 on 3 and 196 df, p 1.3039637606e-37, R² 0.588782265827, adjusted 0.582488116835
    d <- svydesign(id=~dnum, strata=~stype, weights=~pw, data=st, nest=TRUE)
    m <- svyglm(api00 ~ ell + meals + mobility, d); regTermTest(m, ~ell + meals + mobility)
        coef 820.887315906 -0.480586612172 -3.14153530998 0.22571321023
        se   10.102964124 0.410937735119 0.274391888902 0.387339385608
        Wald F 164.190032835 on 3 and 156 df, p 4.70742798021e-48
    the same on subset(d, stype == "E"): F 174.260035239 on 3 and 71 df, p 1.15140410499e-32
    svyglm(api00 ~ ell + acs.k3, d) (acs.k3 missing for 103 schools): F 67.8234442067 on 2 and 69, p 5.1358946029e-17

The model's test when weighted is the Rao-Scott working likelihood ratio (Lumley and Scott
2014), regTermTest(m, ~..., method="LRT") with its default saddlepoint approximation:

    d:               api00 ~ ell + meals + mobility   LRT 1993705.42349, p 1.17491661671e-37, ddf 156
    subset E:        api00 ~ ell + meals + mobility   LRT 1235985.03449, p 1.85515834714e-28, ddf 71
    d:               api00 ~ mobility + enroll        LRT 228395.694646, p 0.00553074267326, ddf 157
    svydesign(id=~1, weights=~pw, data=st):  api00 ~ mobility + enroll + ell
                                                      LRT 1457067.9916, p 1.79337580324e-22, ddf 196
    svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=c1): api00 ~ mobility + enroll
                                                      LRT 166956.375135, p 0.0146497556619, ddf 12

(With a missing driver value R refits the null model on every respondent with the outcome,
a different set from the full model's, so its LRT is not compared there.)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuekit.analyse.drivers import design_tests, key_drivers
from valuekit.survey.design import SurveyDesign

API = Path(__file__).resolve().parents[1] / "data" / "api" / "apistrat.csv"
DRIVERS = ["ell", "meals", "mobility"]


@pytest.fixture(scope="module")
def api():
    st = pd.read_csv(API)
    return st, SurveyDesign.from_frame(st, strata="stype", cluster="dnum")


def test_unweighted_model_test_is_lm(api):
    st, _ = api
    t = key_drivers(st, "api00", DRIVERS, n_boot=0).set_index("driver")
    sd = st[["api00", *DRIVERS]].std()
    se = np.array([0.422248533856, 0.294424806702, 0.472864921219]) * sd[DRIVERS].to_numpy() / sd["api00"]
    coef = np.array([-0.642016214157, -2.86620847455, 0.0151005046021]) * sd[DRIVERS].to_numpy() / sd["api00"]
    np.testing.assert_allclose(t["beta"], coef, rtol=1e-9)
    np.testing.assert_allclose(t["beta_p"], 2 * stats.t.sf(np.abs(coef / se), 196), rtol=1e-8)
    row = t.iloc[0]
    assert (row["model_f"], row["model_df1"], row["model_df2"]) == pytest.approx((93.5443801114, 3, 196), rel=1e-9)
    assert row["model_p"] == pytest.approx(1.3039637606e-37, rel=1e-6)
    assert (row["r2"], row["adj_r2"]) == pytest.approx((0.588782265827, 0.582488116835), rel=1e-9)
    assert t.attrs["variance"] == "ordinary least squares" and t.attrs["multiplicity"] == "bonferroni"
    # Bonferroni across the model's 3 drivers: the interval at 1 - 0.05 / 3
    half = stats.t.ppf(1 - 0.05 / 6, 196) * se
    np.testing.assert_allclose(t["beta_adj_ci_low"], coef - half, rtol=1e-8)
    np.testing.assert_allclose(t["beta_adj_ci_high"], coef + half, rtol=1e-8)
    assert t["distinguishable"].tolist() == [False, True, False]
    np.testing.assert_allclose(t["beta_p_adj"], np.minimum(t["beta_p"] * 3, 1), rtol=1e-12)


def test_weighted_model_test_is_svyglm_and_regtermtest(api):
    st, design = api
    values = st[["api00", *DRIVERS]].to_numpy(float)
    raw = design_tests(values, st["pw"].to_numpy(), design)
    np.testing.assert_allclose(raw["b"], [820.887315906, -0.480586612172, -3.14153530998, 0.22571321023], rtol=1e-9)
    np.testing.assert_allclose(raw["b_se"], [10.102964124, 0.410937735119, 0.274391888902, 0.387339385608],
                               rtol=1e-9)
    t = key_drivers(st, "api00", DRIVERS, n_boot=0, weights="pw", design=design, by=st["stype"])
    whole = t[t["group"] == "all"].iloc[0]
    assert (whole["model_f"], whole["model_df2"]) == pytest.approx((164.190032835, 156), rel=1e-9)
    assert whole["model_p"] == pytest.approx(1.17491661671e-37, rel=1e-6)  # the LRT's
    e = t[t["group"] == "E"].iloc[0]  # a domain: the design's clusters in the group
    assert (e["model_f"], e["model_df2"]) == pytest.approx((174.260035239, 71), rel=1e-9)
    assert e["model_p"] == pytest.approx(1.85515834714e-28, rel=1e-6)
    assert "design-based" in t.attrs["variance"] and e["model_test"] == "Rao-Scott likelihood ratio"
    # Wald's p, for the record: regTermTest(m, ~ell + meals + mobility) on d and on subset E
    assert stats.f.sf(whole["model_f"], 3, 156) == pytest.approx(4.70742798021e-48, rel=1e-6)
    assert stats.f.sf(e["model_f"], 3, 71) == pytest.approx(1.15140410499e-32, rel=1e-6)


@pytest.mark.parametrize("columns, design, lrt, p, ddf", [
    (["mobility", "enroll"], "strat_clus", 228395.694646, 0.00553074267326, 157),
    (["mobility", "enroll", "ell"], "weights_only", 1457067.9916, 1.79337580324e-22, 196),
    (["mobility", "enroll"], "clus1_fpc", 166956.375135, 0.0146497556619, 12),
])
def test_the_weighted_model_test_is_the_rao_scott_likelihood_ratio(columns, design, lrt, p, ddf):
    file = API if design != "clus1_fpc" else API.with_name("apiclus1.csv")
    df = pd.read_csv(file)
    d = {"strat_clus": lambda: SurveyDesign.from_frame(df, strata="stype", cluster="dnum"),
         "weights_only": lambda: SurveyDesign(df.index),
         "clus1_fpc": lambda: SurveyDesign.from_frame(df, cluster="dnum", fpc="fpc")}[design]()
    got = design_tests(df[["api00", *columns]].to_numpy(float), df["pw"].to_numpy(), d)
    assert (got["lrt"], got["df"]) == pytest.approx((lrt, ddf), rel=1e-9)
    assert got["lrt_p"] == pytest.approx(p, rel=1e-6)


def test_weighted_model_with_missing_driver_values_is_svyglm(api):
    st, design = api
    t = key_drivers(st, "api00", ["ell", "acs.k3"], n_boot=0, weights="pw", design=design, min_n_per_driver=0)
    row = t.iloc[0]
    assert (row["model_f"], row["model_df1"], row["model_df2"]) == pytest.approx((67.8234442067, 2, 69), rel=1e-9)
    assert stats.f.sf(row["model_f"], 2, 69) == pytest.approx(5.1358946029e-17, rel=1e-6)
    assert 0 < row["model_p"] < 1e-6


def test_a_withheld_group_has_no_tests():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(60, 4)), columns=["y", "a", "b", "c"])
    t = key_drivers(df, "y", ["a", "b", "c"], n_boot=0, by=pd.Series(np.where(np.arange(60) < 50, "big", "small")))
    small = t[t["group"] == "small"]
    assert small["model_p"].isna().all() and small["distinguishable"].isna().all()
    assert small["note"].str.startswith("too few respondents").all()
