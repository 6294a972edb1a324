"""Group-against-rest comparisons: known answers from scipy and statsmodels, bad input, silence on null data."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuekit.analyse.significance import compare_groups, evidence_settings, grade, style_comparisons
from valuekit.errors import ParameterError


@pytest.fixture
def frame():
    rng = np.random.default_rng(11)
    n = 400
    df = pd.DataFrame({"a": rng.normal(4, 1, n), "value_ratio": rng.uniform(0.5, 1.6, n)})
    df["verdict"] = np.where(df["value_ratio"] < 1 / 1.05, "destroyed", "created")
    df.loc[rng.choice(n, 15, replace=False), "a"] = np.nan
    groups = pd.Series(rng.choice(["x", "y", "z"], n, p=[0.3, 0.3, 0.4]), name="grp")
    w = rng.uniform(0.2, 3.0, n)
    return df, groups, w


def _neff(w):
    return w.sum() ** 2 / (w ** 2).sum()


def test_unweighted_means_equal_scipy_welch(frame):
    df, g, _ = frame
    t = compare_groups(df, g, measures=["a"], adjust="none").set_index("group")
    for level in ("x", "y", "z"):
        x, y = df["a"][g == level].dropna(), df["a"][g != level].dropna()
        ref = stats.ttest_ind(x, y, equal_var=False)          # scipy.stats.ttest_ind(x, y, equal_var=False)
        ci = ref.confidence_interval(0.95)
        row = t.loc[level]
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["p"] == pytest.approx(ref.pvalue, rel=1e-10)
        assert row["df"] == pytest.approx(ref.df, rel=1e-10)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
        assert row["n"] == len(x) and row["n_rest"] == len(y)


def test_weighted_means_are_linearized_as_statsmodels_wls_sandwich(frame):
    """Unequal weights, no design: the variance of the difference is the sandwich (HC0) of the
    weighted regression on the group, times n / (n - 1) over every respondent (R's
    svydesign(id=~1) pads those without the score with zeros); df = the respondents with the score
    less two (svyttest). Known answers from R survey on designs are in test_design_variance.py."""
    import statsmodels.api as sm

    df, g, w = frame
    t = compare_groups(df, g, measures=["a"], weights=w, adjust="none").set_index("group")
    ok = df["a"].notna().to_numpy()
    n = len(df)
    for level in ("x", "y", "z"):
        m = (g == level).to_numpy()
        # statsmodels WLS(a ~ 1 + in_group, weights=w).fit(cov_type="HC0") on the respondents with a
        X = sm.add_constant(m[ok].astype(float))
        fit = sm.WLS(df["a"][ok].to_numpy(), X, weights=w[ok]).fit(cov_type="HC0")
        se = np.sqrt(fit.cov_params()[1, 1] * n / (n - 1))
        row = t.loc[level]
        assert row["diff"] == pytest.approx(fit.params[1], rel=1e-12)
        assert row["statistic"] == pytest.approx(fit.params[1] / se, rel=1e-10)
        assert row["df"] == ok.sum() - 2
        assert row["p"] == pytest.approx(2 * stats.t.sf(abs(fit.params[1] / se), ok.sum() - 2), rel=1e-10)
        wx = w[m & ok]
        assert row["n_eff"] == pytest.approx(_neff(wx), rel=1e-12)  # Kish's n stays the reported base
        assert row["group_value"] == pytest.approx(np.average(df["a"][m & ok], weights=wx), rel=1e-12)


def test_shares_equal_statsmodels_score_newcombe_and_cohen_h(frame):
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    df, g, _ = frame
    t = compare_groups(df, g, measures=["share_destroyed"], adjust="none").set_index("group")
    destroyed = (df["verdict"] == "destroyed").to_numpy()
    for level in ("x", "y", "z"):
        m = (g == level).to_numpy()
        counts = (destroyed[m].sum(), m.sum(), destroyed[~m].sum(), (~m).sum())
        # statsmodels test_proportions_2indep(count1, nobs1, count2, nobs2, method="score", compare="diff")
        ref = test_proportions_2indep(*counts, method="score", compare="diff")
        # statsmodels confint_proportions_2indep(count1, nobs1, count2, nobs2, method="newcomb", compare="diff")
        low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff", alpha=0.05)
        row = t.loc[level]
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
        assert row["p"] == pytest.approx(ref.pvalue, rel=1e-10)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-10)
        p1, p2 = destroyed[m].mean(), destroyed[~m].mean()
        assert row["effect"] == pytest.approx(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)), rel=1e-12)
        assert row["group_ci_low"] <= p1 <= row["group_ci_high"]


def test_a_group_at_zero_percent_is_not_a_finding():
    from scipy.stats import fisher_exact

    # the clinic survey's case: 0 of 68 destroyed against 9 of 232. The Wald z has a zero
    # variance in the first group (p = .002); the score test pools the share (p = .10)
    # and Fisher's exact test agrees there is nothing to report (p = .22)
    verdict = ["created"] * 68 + ["destroyed"] * 9 + ["created"] * 223
    df = pd.DataFrame({"value_ratio": 1.0, "verdict": verdict})
    g = pd.Series(["WhatsApp"] * 68 + ["other"] * 232)
    row = compare_groups(df, g, measures=["share_destroyed"]).set_index("group").loc["WhatsApp"]
    assert row["group_value"] == 0 and row["note"] == ""
    assert row["p"] == pytest.approx(0.0997, abs=1e-4) and not row["significant"] and not row["finding"]
    assert fisher_exact([[0, 68], [9, 223]])[1] > 0.2
    assert row["ci_low"] < 0 < row["ci_high"]        # the Newcombe interval keeps 0
    # a real gap at the boundary is still found: 0 of 150 against 60 of 150
    df = pd.DataFrame({"value_ratio": 1.0, "verdict": ["created"] * 150 + ["destroyed"] * 60 + ["created"] * 90})
    g = pd.Series(["none"] * 150 + ["some"] * 150)
    row = compare_groups(df, g, measures=["share_destroyed"]).set_index("group").loc["none"]
    assert row["finding"] and row["direction"] == "lower" and row["ci_high"] < 0


def test_cohen_h_known_value():
    # Cohen (1988), ch. 6: h = phi1 - phi2 with phi = 2 asin sqrt(p); his table 6.2.1 gives
    # phi(.65) = 1.8755 and phi(.45) = 1.4706, so h = .4049
    df = pd.DataFrame({"value_ratio": 1.0, "verdict": ["destroyed"] * 65 + ["created"] * 35
                       + ["destroyed"] * 45 + ["created"] * 55})
    g = pd.Series(["a"] * 100 + ["b"] * 100)
    row = compare_groups(df, g, measures=["share_destroyed"]).iloc[0]
    assert row["effect"] == pytest.approx(1.8755 - 1.4706, abs=1e-4)


def test_hedges_g_known_value():
    # pingouin's compute_effsize docs: x = [1, 2, 3, 4], y = [3, 4, 5, 6, 7] give Cohen's d = -1.707825127659933;
    # Hedges' g = d * (1 - 3 / (4 (nx + ny) - 9)) (Hedges & Olkin 1985)
    df = pd.DataFrame({"a": [1, 2, 3, 4, 3, 4, 5, 6, 7]})
    g = pd.Series(["x"] * 4 + ["y"] * 5)
    row = compare_groups(df, g, measures=["a"], settings={"min_group_n": 2}).iloc[0]
    assert row["effect"] == pytest.approx(-1.707825127659933 * (1 - 3 / (4 * 9 - 9)), rel=1e-12)


def test_benjamini_hochberg_published_example_and_table_wide_adjustment(frame):
    from statsmodels.stats.multitest import multipletests

    # Benjamini & Hochberg (1995), section 4.1: of these 15 p-values, 4 are rejected at q = .05
    p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
                  0.4262, 0.5719, 0.6528, 0.7590, 1.000])
    assert multipletests(p, alpha=0.05, method="fdr_bh")[0].sum() == 4
    df, g, w = frame
    t = compare_groups(df, {"grp": g, "half": pd.Series(np.arange(len(df)) % 2)}, measures=["a", "share_destroyed"],
                       weights=w, adjust="holm")
    assert t.attrs["n_tests"] == len(t) == 10
    # one adjustment across both groupings (R: p.adjust(p, "holm"))
    assert t["p_adj"].to_numpy() == pytest.approx(multipletests(t["p"], method="holm")[1], rel=1e-12)
    assert (t["p_adj"] >= t["p"]).all()


def test_silent_on_null_data():
    rng = np.random.default_rng(3)
    found = 0
    for _ in range(20):
        n = 1000
        df = pd.DataFrame(rng.normal(4, 1, (n, 6)), columns=list("abcdef"))
        df["value_ratio"] = rng.uniform(0.5, 1.6, n)
        df["verdict"] = np.where(df["value_ratio"] < 0.95, "destroyed", "created")
        g = pd.Series(rng.choice(list("pqrs"), n))
        found += int(compare_groups(df, g, weights=rng.uniform(0.5, 2, n))["finding"].sum())
    assert found == 0


def test_finds_a_planted_difference():
    rng = np.random.default_rng(4)
    n = 600
    g = pd.Series(rng.choice(["low", "high"], n))
    df = pd.DataFrame({"a": rng.normal(4, 1, n) + 0.6 * (g == "high")})
    t = compare_groups(df, g, measures=["a"]).set_index("group")
    assert t.loc["high", "finding"] and t.loc["high", "direction"] == "higher"
    assert t.loc["low", "direction"] == "lower"
    assert 0.4 < t.loc["high", "effect"] < 0.8
    assert t.loc["high", "ci_low"] < 0.6 < t.loc["high", "ci_high"]


def test_a_group_of_exactly_the_minimum_base_is_compared_whatever_its_equal_weights():
    """Thirty respondents weighted 0.7 each: Kish's n is 29.999999999999982 in floating point,
    and the group must still be compared (the base is judged at 1e-9, not by the last bit)."""
    rng = np.random.default_rng(11)
    g = pd.Series(["thirty"] * 30 + ["rest"] * 70)
    df = pd.DataFrame({"a": rng.normal(size=100)})
    for weight in (1.0, 0.7, 1.1, 0.37, 1 / 3):
        t = compare_groups(df, g, measures=["a"], weights=np.full(100, weight)).set_index("group")
        assert t.loc["thirty", "note"] == "" and np.isfinite(t.loc["thirty", "p"]), weight
    t = compare_groups(df.iloc[1:], g.iloc[1:], measures=["a"], weights=np.full(99, 1.1)).set_index("group")
    assert t.loc["thirty", "note"].startswith("too few respondents: 29")  # one fewer is below the base


def test_groups_that_cannot_be_compared_carry_a_note_not_a_finding():
    rng = np.random.default_rng(5)
    n = 200
    df = pd.DataFrame({"a": rng.normal(size=n), "flat": 3.0})
    g = pd.Series(["big"] * 150 + ["zero_w"] * 49 + ["one"])
    w = np.r_[np.ones(150), np.zeros(49), 1.0]
    t = compare_groups(df, g, measures=["a", "flat"], weights=w)
    one = t[t["group"] == "one"]
    assert one["note"].str.contains("too few respondents: 1").all()
    assert one["p"].isna().all() and not one["finding"].any()
    zero = t[t["group"] == "zero_w"]
    assert zero["note"].str.contains("all weights are zero for the 49 respondent").all()
    assert zero["p_adj"].isna().all()
    flat = t[(t["group"] == "big") & (t["measure"] == "flat")].iloc[0]
    assert "too few" in flat["note"] or "no variance" in flat["note"]
    assert not t["finding"].any()
    assert t.attrs["n_tests"] == int(t["p"].notna().sum())


def test_zero_variance_on_both_sides_is_a_note():
    df = pd.DataFrame({"flat": np.full(100, 2.0)})
    g = pd.Series(["a"] * 50 + ["b"] * 50)
    t = compare_groups(df, g, measures=["flat"])
    assert t["note"].str.contains("no variance").all()
    assert t["p"].isna().all() and t["effect"].isna().all()


def test_other_side_with_zero_weights_says_so():
    rng = np.random.default_rng(6)
    df = pd.DataFrame({"a": rng.normal(size=80)})
    g = pd.Series(["in"] * 60 + ["out"] * 20)
    w = np.r_[np.ones(60), np.zeros(20)]
    row = compare_groups(df, g, measures=["a"], weights=w).set_index("group").loc["in"]
    assert row["note"] == ("all weights are zero for the 20 respondent(s) outside the group with this score: "
                           "nothing to compare")


def test_empty_measures_are_refused(frame):
    df, g, _ = frame
    with pytest.raises(ParameterError, match="measures: expected at least one measure"):
        compare_groups(df, g, measures=[])


def test_too_many_levels_is_a_clear_error():
    df = pd.DataFrame({"a": np.arange(400.0), "shop": [f"shop {i % 200}" for i in range(400)]})
    with pytest.raises(ValueError, match="grouping 'shop' has 200 levels"):
        compare_groups(df, "shop", measures=["a"])


def test_bad_arguments_name_the_problem(frame):
    df, g, _ = frame
    with pytest.raises(ValueError, match=r"measure\(s\) \['nope'\] not found"):
        compare_groups(df, g, measures=["nope"])
    with pytest.raises(ValueError, match="adjust must be one of"):
        compare_groups(df, g, measures=["a"], adjust="bh")
    with pytest.raises(ValueError, match="grouping column 'region' not found"):
        compare_groups(df, "region", measures=["a"])
    with pytest.raises(ValueError, match="unknown setting"):
        evidence_settings({"alfa": 0.1})
    with pytest.raises(ValueError, match="'alpha': expected a number between 0 and 1"):
        evidence_settings(alpha=5)


def test_grade():
    assert grade([1e-5, 1e-5, 0.01], [0.6, 0.2, 0.9]).tolist() == ["strong", "moderate", "moderate"]


def test_demo_segments_and_context(demo_scores):
    survey, scores = demo_scores
    from valuekit import ValueSegmenter

    segments = ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores).labels_
    t = compare_groups(scores, {"segment": segments, "channel": "channel"}, codebook=survey.codebook,
                       data=survey.data, weights=survey.weights)
    assert set(t["grouping"]) == {"segment", "channel"}
    # every default measure: dimensions, facets, sacrifices, the indices, the ratio, the share destroyed
    measures = set(t["measure"])
    assert {"functional", "economic__savings", "money", "risk__physical", "benefits", "sacrifices",
            "value_ratio", "share_destroyed"} <= measures
    # the segments differ on what they were clustered on: real findings
    assert t.loc[t["grouping"] == "segment", "finding"].sum() >= 10
    html = style_comparisons(t, grouping="segment").to_html()
    assert "▲" in html and "▼" in html


# 5. unknown evidence settings
def test_unknown_settings_are_parameter_errors(demo_scores):
    from valuekit.analyse.significance import compare_groups, evidence_settings

    _, scores = demo_scores
    with pytest.raises(ParameterError, match=r"unknown setting\(s\) \['alpah'\]") as err:
        evidence_settings({"alpah": .1})
    assert err.value.name == "alpah"
    with pytest.raises(ParameterError, match="min_grp_n"):
        compare_groups(scores, scores["functional"] > 4, measures=["benefits"], settings={"min_grp_n": 3})
