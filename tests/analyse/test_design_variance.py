"""Design-based (Taylor-linearized) variances against R's survey package, on the api data.

The data are R ``survey``'s ``api`` samples of California schools (``data(api)``), exported
once to ``tests/data/api`` with ``write.csv``; the references below were computed by R 4.2
with survey 4.1 from those CSV files (read back with ``read.csv``), so both sides see the
same numbers. The designs, in R:

    st <- read.csv("apistrat.csv"); c1 <- read.csv("apiclus1.csv"); c2 <- read.csv("apiclus2.csv")
    # x$isE <- ifelse(x$stype == "E", "E", "other") on each
    weights_only = svydesign(id=~1, weights=~pw, data=st)
    strat_fpc    = svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=st)
    clus1_fpc    = svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=c1)
    clus2_wr     = svydesign(id=~dnum, weights=~pw, data=c2)    # first stage only (with replacement)
    strat_clus   = svydesign(id=~dnum, strata=~stype, weights=~pw, data=st, nest=TRUE)

and for each design ``d``:

    mean_<v>        svymean(~v, d, na.rm=TRUE): coef, SE
    ttest_<v>_<g>   svyttest(v ~ awards, d) / svyttest(v ~ isE, d): estimate, t, df, p, conf.int
                    (R's estimate is the second level minus the first: Yes - No, other - E)
    by_stype_api00  svyby(~api00, ~stype, d, svymean): mean, SE
    ciprop_beta_*   svyciprop(~I(sch.wide == "Yes"), d, method="beta") (and on subset(d, awards == "No"))
    chisq_F_*       svychisq(~awards + sch.wide, d, statistic="F") / (~isE + sch.wide): F, ndf, ddf, p
    glm_*           svyglm(api00 ~ ell + meals + mobility, d): coef, SE, df.residual;
                    regTermTest(m, ~ell + meals + mobility): F, df, ddf, p
    OWN_E           confint(svymean(~api00, e), df=degf(e)) with e <- subset(d, stype == "E"): degf, low, high

and (``R_DOMAINS``), for each school type ``g`` in E, H, M with ``e <- subset(d, stype == g)``:

    ciprop_<g>      svyciprop(~I(sch.wide == "Yes"), e, method="beta"): share, low, high
                    (share_destroyed per segment, the segment being stype)
    paired_<g>      svymean(~I(api00 - api99), e): mean, SE; svyttest(I(api00 - api99) ~ 0, e): t, df, p
                    (the playbook's paired comparison with the competitor within a segment)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuekit.analyse.drivers import bootstrap_slopes, key_drivers, outcome_slopes
from valuekit.analyse.segments import share_destroyed
from valuekit.analyse.significance import compare_groups, domain_means
from valuekit.errors import ParameterError
from valuekit.survey.design import SurveyDesign

DATA = Path(__file__).resolve().parents[1] / "data" / "api"

R_SURVEY = {
    'weights_only': {'degf': 199,
      'mean_api00': (662.287363159, 9.58542887637),
      'ttest_api00_awards': (44.687493955, 2.26946493584, 198, 0.0243177533043, 5.85696710777, 83.5180208023),
      'ttest_api00_stypeE': (-42.4204681207, -2.49610632369, 198, 0.013372926892, -75.9342266326, -8.9067096088),
      'mean_ell': (22.8636647598, 1.70800562452),
      'ttest_ell_awards': (0.438498298122, 0.132918851604, 198, 0.894392544649, -6.06717262409, 6.94416922034),
      'ttest_ell_stypeE': (-7.95240834063, -2.88933288105, 198, 0.00429072085465, -13.3800585576, -2.52475812371),
      'mean_acs.k3': (19.1649484536, 0.123746228284),
      'ttest_acs.k3_awards': (-0.284656084656, -1.40302149428, 95, 0.163870324691, -0.687439491768, 0.118127322456),
      'by_stype_api00': {'E': (674.43, 12.4934334913), 'H': (625.82, 15.3407838865), 'M': (636.6, 16.5023890459)},
      'ciprop_beta_schwide': (0.827948011416, 0.769910751146, 0.876451276373),
      'ciprop_beta_schwide_awardsno': (0.523486088048, 0.401206389587, 0.643735753578),
      'chisq_F_awards_schwide': (74.3785758083, 1, 199, 2.02693551544e-15),
      'chisq_F_stypeE_schwide': (22.7254438452, 1, 199, 3.60277856948e-06),
      'glm_coef': [820.887315906, -0.480586612172, -3.14153530998, 0.22571321023],
      'glm_se': [10.9709090873, 0.397175526628, 0.291733250884, 0.401249796712],
      'glm_df_residual': 196,
      'glm_wald': (127.929408056, 3, 196, 6.33791002792e-46),
    },
    'strat_fpc': {'degf': 197,
      'mean_api00': (662.287363159, 9.40894080278),
      'ttest_api00_awards': (44.687493955, 2.30360731982, 196, 0.0222935238151, 6.4300842988, 82.9449036112),
      'ttest_api00_stypeE': (-42.4204681207, -2.53302853292, 196, 0.0120914632065, -75.4477920279, -9.39314421349),
      'mean_ell': (22.8636647598, 1.67514990227),
      'ttest_ell_awards': (0.438498298122, 0.134723988562, 196, 0.892968353472, -5.98040733691, 6.85740393316),
      'ttest_ell_stypeE': (-7.95240834063, -2.94139729295, 196, 0.00366086401925, -13.2843206048, -2.62049607648),
      'mean_acs.k3': (19.1649484536, 0.122647242838),
      'ttest_acs.k3_awards': (-0.284656084656, -1.41559332359, 95, 0.16016466444, -0.683862387979, 0.114550218667),
      'by_stype_api00': {'E': (674.43, 12.3824797939), 'H': (625.82, 14.9371291854), 'M': (636.6, 16.2147073082)},
      'ciprop_beta_schwide': (0.827948011416, 0.774171328597, 0.873431592621),
      'ciprop_beta_schwide_awardsno': (0.523486088048, 0.404905537707, 0.640155915566),
      'chisq_F_awards_schwide': (77.2768990382, 1, 197, 7.36397285851e-16),
      'chisq_F_stypeE_schwide': (23.4772938949, 1, 197, 2.55497275114e-06),
      'glm_coef': [820.887315906, -0.480586612172, -3.14153530998, 0.22571321023],
      'glm_se': [10.0777359499, 0.391973403223, 0.283946506417, 0.393218362023],
      'glm_df_residual': 194,
      'glm_wald': (136.49155754, 3, 194, 1.43609891242e-47),
    },
    'clus1_fpc': {'degf': 14,
      'mean_api00': (644.169398907, 23.5422406938),
      'ttest_api00_awards': (26.4002902758, 1.44535339205, 13, 0.1720312061, -13.0602042627, 65.8607848142),
      'ttest_api00_stypeE': (-22.047542735, -1.61775854711, 13, 0.129709978669, -51.4900206388, 7.3949351687),
      'mean_ell': (27.6120218579, 2.01930615568),
      'ttest_ell_awards': (6.89071117562, 2.18470293751, 13, 0.0478212112036, 0.0767520835447, 13.7046702677),
      'ttest_ell_stypeE': (-9.77136752137, -3.4316517742, 13, 0.00446258895878, -15.9228530196, -3.61988202314),
      'mean_acs.k3': (20.0347222222, 0.52048865979),
      'ttest_acs.k3_awards': (0.045045045045, 0.153672060926, 13, 0.880228179411, -0.588211923448, 0.678302013539),
      'by_stype_api00': {'E': (648.868055556, 22.3624088938),
                        'H': (618.571428571, 38.0202493594), 'M': (631.44, 31.6094652272)},
      'ciprop_beta_schwide': (0.874316939891, 0.823702210848, 0.914704492127),
      'ciprop_beta_schwide_awardsno': (0.566037735849, 0.472115329925, 0.656595451139),
      'chisq_F_awards_schwide': (192.519743676, 1, 14, 1.42095701881e-09),
      'chisq_F_stypeE_schwide': (5.87871700927, 1, 14, 0.0294463094795),
      'glm_coef': [819.279051139, -0.516721779683, -3.1232042649, -0.168919682187],
      'glm_se': [21.3899712652, 0.324003944965, 0.278083043761, 0.444918419151],
      'glm_df_residual': 11,
      'glm_wald': (73.6139644982, 3, 11, 1.448013023e-07),
    },
    'clus2_wr': {'degf': 39,
      'mean_api00': (670.811808118, 30.7115763093),
      'ttest_api00_awards': (165.173731257, 6.29723559863, 38, 2.2279523698e-07, 112.074759121, 218.272703394),
      'ttest_api00_stypeE': (-69.0002156816, -4.73520844166, 38, 3.02527826939e-05, -98.4991565741, -39.501274789),
      'mean_ell': (25.8354243542, 6.00503233816),
      'ttest_ell_awards': (-7.76726558512, -1.89577964836, 38, 0.0656132472178, -16.061482233, 0.52695106273),
      'ttest_ell_stypeE': (-3.88045975282, -1.52323819852, 38, 0.13597871028, -9.03761776301, 1.27669825737),
      'mean_acs.k3': (19.2407407407, 0.190583859092),
      'ttest_acs.k3_awards': (0.496038172354, 0.927840278986, 33, 0.360227481237, -0.591646068813, 1.58372241352),
      'by_stype_api00': {'E': (692.810400867, 30.2824395442),
                        'H': (598.340659341, 16.9649952988), 'M': (642.352, 45.34363346)},
      'ciprop_beta_schwide': (0.751291512915, 0.589874261048, 0.873808582326),
      'ciprop_beta_schwide_awardsno': (0.309426229508, 0.115609854693, 0.56979589125),
      'chisq_F_awards_schwide': (37.4867538652, 1, 39, 3.49850030286e-07),
      'chisq_F_stypeE_schwide': (16.0645353498, 1, 39, 0.000267335346863),
      'glm_coef': [811.490722502, -2.05916418238, -1.77718133392, 0.325251748819],
      'glm_se': [30.8795377481, 1.40753969606, 1.10526858138, 0.530481612716],
      'glm_df_residual': 36,
      'glm_wald': (30.6669799135, 3, 36, 5.07317437463e-10),
    },
    'strat_clus': {'degf': 159,
      'mean_api00': (662.287363159, 11.1896322079),
      'ttest_api00_awards': (44.687493955, 1.98722868692, 158, 0.0486255096363, 0.272920211658, 89.1020676984),
      'ttest_api00_stypeE': (-42.4204681207, -2.13730229092, 158, 0.0341120879021, -81.6214415449, -3.2194946965),
      'mean_ell': (22.8636647598, 2.12716763002),
      'ttest_ell_awards': (0.438498298122, 0.135277949615, 158, 0.892564305795, -5.96368709118, 6.84068368743),
      'ttest_ell_stypeE': (-7.95240834063, -2.43670454209, 158, 0.0159323564313, -14.3983021293, -1.506514552),
      'mean_acs.k3': (19.1649484536, 0.163153578661),
      'ttest_acs.k3_awards': (-0.284656084656, -1.15095275009, 70, 0.253668062255, -0.777924517513, 0.208612348201),
      'by_stype_api00': {'E': (674.43, 15.2316105846), 'H': (625.82, 17.9399159512), 'M': (636.6, 17.763708151)},
      'ciprop_beta_schwide': (0.827948011416, 0.763712874753, 0.880718839871),
      'ciprop_beta_schwide_awardsno': (0.523486088048, 0.385081098406, 0.659299262758),
      'chisq_F_awards_schwide': (57.5651542201, 1, 159, 2.58757747265e-12),
      'chisq_F_stypeE_schwide': (21.0722185163, 1, 159, 8.93458390245e-06),
      'glm_coef': [820.887315906, -0.480586612172, -3.14153530998, 0.22571321023],
      'glm_se': [10.102964124, 0.410937735119, 0.274391888902, 0.387339385608],
      'glm_df_residual': 156,
      'glm_wald': (164.190032835, 3, 156, 4.70742798021e-48),
    },
}

OWN_E = {
    'weights_only': (99, 649.640317483, 699.219682517),
    'strat_fpc': (99, 649.86047369, 698.99952631),
    'clus1_fpc': (14, 600.90545865, 696.830652461),
    'clus2_wr': (34, 631.269079374, 754.351722359),
    'strat_clus': (74, 644.080353409, 704.779646591),
}

FILES = {"weights_only": "apistrat", "strat_fpc": "apistrat", "clus1_fpc": "apiclus1", "clus2_wr": "apiclus2",
         "strat_clus": "apistrat"}
DESIGNS = {"weights_only": {}, "strat_fpc": dict(strata="stype", fpc="fpc"), "clus1_fpc": dict(cluster="dnum", fpc="fpc"),
           "clus2_wr": dict(cluster="dnum"), "strat_clus": dict(strata="stype", cluster="dnum")}


def _api(name):
    df = pd.read_csv(DATA / f"{FILES[name]}.csv")
    df["isE"] = np.where(df["stype"] == "E", "E", "other")
    # sch.wide == "Yes" as a share compare_groups knows (share_destroyed: verdict "destroyed" among the scored)
    df["verdict"] = np.where(df["sch.wide"] == "Yes", "destroyed", "created")
    df["value_ratio"] = 1.0
    return df, SurveyDesign.from_frame(df, **DESIGNS[name])


def _table(name, **kw):
    df, design = _api(name)
    scores = df[["api00", "ell", "acs.k3", "verdict", "value_ratio"]]
    return compare_groups(scores, {"awards": df["awards"], "isE": df["isE"]}, weights=df["pw"], design=design,
                          measures=["api00", "ell", "acs.k3", "share_destroyed"], adjust="none", **kw)


@pytest.mark.parametrize("name", list(R_SURVEY))
def test_linearized_variance_and_df_equal_r_survey(name):
    df, design = _api(name)
    ref = R_SURVEY[name]
    assert design.df() == ref["degf"]
    w = df["pw"].to_numpy()
    for v in ("api00", "ell", "acs.k3"):
        y = df[v].to_numpy(float)
        ok = np.isfinite(y)
        mean = np.sum(w[ok] * y[ok]) / w[ok].sum()
        z = np.where(ok, w * (np.nan_to_num(y) - mean), 0.0) / w[ok].sum()
        assert (mean, np.sqrt(design.variance(z))) == pytest.approx(ref[f"mean_{v}"], rel=1e-9)
    for level, (mean, se) in ref["by_stype_api00"].items():
        inside = (df["stype"] == level).to_numpy()
        y = df["api00"].to_numpy(float)
        m = np.sum((w * y)[inside]) / w[inside].sum()
        z = np.where(inside, w * (y - m), 0.0) / w[inside].sum()
        assert (m, np.sqrt(design.variance(z))) == pytest.approx((mean, se), rel=1e-9)


@pytest.mark.parametrize("name", list(R_SURVEY))
def test_group_comparisons_equal_svyttest_and_svychisq(name):
    t = _table(name, settings={"min_group_n": 5}).set_index(["grouping", "group", "measure"])
    ref = R_SURVEY[name]
    # svyttest's estimate is the second level minus the first: awards Yes - No, isE other - E
    for v in ("api00", "ell", "acs.k3"):
        for key, row in ((f"ttest_{v}_awards", ("awards", "Yes", v)), (f"ttest_{v}_stypeE", ("isE", "other", v))):
            if key not in ref:
                continue
            est, stat, df, p, low, high = ref[key]
            got = t.loc[row]
            assert (got["diff"], got["statistic"], got["df"]) == pytest.approx((est, stat, df), rel=1e-9)
            assert (got["ci_low"], got["ci_high"]) == pytest.approx((low, high), rel=1e-9)
            assert got["p"] == pytest.approx(p, rel=1e-6)
    for key, row in (("chisq_F_awards_schwide", ("awards", "Yes", "share_destroyed")),
                     ("chisq_F_stypeE_schwide", ("isE", "E", "share_destroyed"))):
        f, ndf, ddf, p = ref[key]
        got = t.loc[row]
        assert ndf == 1
        assert (got["statistic"] ** 2, got["df"]) == pytest.approx((f, ddf), rel=1e-9)
        assert got["p"] == pytest.approx(p, rel=1e-6)
    # a share's own interval: Korn and Graubard's (svyciprop method "beta") on the group's own design
    p, low, high = ref["ciprop_beta_schwide_awardsno"]
    got = t.loc[("awards", "No", "share_destroyed")]
    assert (got["group_value"], got["group_ci_low"], got["group_ci_high"]) == pytest.approx((p, low, high), rel=1e-9)
    # a mean's own interval: t on the group's own design df
    _, low, high = OWN_E[name]
    got = t.loc[("isE", "E", "api00")]
    assert (got["group_ci_low"], got["group_ci_high"]) == pytest.approx((low, high), rel=1e-9)


def test_rao_scott_with_missing_answers_equals_svychisq():
    """A share missing for some respondents: the table's shares among those answering, R's N all rows.

    st$k3big <- ifelse(st$acs.k3 > 19, "yes", "no")      # NA where acs.k3 is NA
    svychisq(~awards + k3big, strat_clus, statistic="F")   # F 0.247201310865, ddf 159, p 0.619739469692
    svyttest(I(k3big == "yes") ~ awards, strat_clus)       # -0.0587301587302, 95% CI [-0.294781672345, 0.177321354884]
    """
    df, design = _api("strat_clus")
    df["verdict"] = np.where(df["acs.k3"] > 19, "destroyed", "created")
    df["value_ratio"] = np.where(df["acs.k3"].isna(), np.nan, 1.0)
    t = compare_groups(df[["verdict", "value_ratio"]], df["awards"], weights=df["pw"], design=design,
                       measures=["share_destroyed"], adjust="none", settings={"min_group_n": 5}).set_index("group")
    assert (t.loc["Yes", "statistic"] ** 2, t.loc["Yes", "df"]) == pytest.approx((0.247201310865, 159), rel=1e-9)
    assert t.loc["Yes", "p"] == pytest.approx(0.619739469692, rel=1e-9)
    assert (t.loc["No", "diff"], t.loc["No", "ci_low"], t.loc["No", "ci_high"]) == pytest.approx(
        (0.0587301587302, -0.177321354884, 0.294781672345), rel=1e-9)


def test_unequal_weights_alone_are_linearized_as_svydesign_id_1():
    """Weights without a design: each respondent their own cluster, as svydesign(id=~1, weights=~pw)."""
    df, _ = _api("weights_only")
    with_design = _table("weights_only")
    alone = compare_groups(df[["api00", "ell", "acs.k3", "verdict", "value_ratio"]],
                           {"awards": df["awards"], "isE": df["isE"]}, weights=df["pw"],
                           measures=["api00", "ell", "acs.k3", "share_destroyed"], adjust="none")
    pd.testing.assert_frame_equal(alone, with_design)
    assert "Taylor linearization" in alone.attrs["variance"]
    equal = compare_groups(df[["api00"]], df["awards"], weights=np.full(len(df), 2.5), measures=["api00"])
    assert equal.attrs["variance"].startswith("unweighted")  # equal weights: Welch, as scipy


def test_design_errors_name_the_column_and_the_stratum():
    df, _ = _api("strat_clus")
    with pytest.raises(ParameterError, match="'nope' is not a column"):
        SurveyDesign.from_frame(df, strata="nope")
    lonely = df.copy()
    lonely.loc[lonely.index[0], "stype"] = "X"
    with pytest.raises(ParameterError, match="stratum 'X' of column 'stype' has a single respondent"):
        SurveyDesign.from_frame(lonely, strata="stype")
    blank = df.copy()
    blank.loc[blank.index[3], "dnum"] = np.nan
    with pytest.raises(ParameterError, match="cluster column 'dnum' is blank for 1 respondent.*first: respondent 3"):
        SurveyDesign.from_frame(blank, cluster="dnum")
    varies = df.copy()
    varies.loc[varies.index[0], "fpc"] = 10_000
    with pytest.raises(ParameterError, match="fpc column 'fpc' varies within stratum 'E'"):
        SurveyDesign.from_frame(varies, strata="stype", fpc="fpc")
    small = df.copy()
    small["fpc"] = 5
    with pytest.raises(ParameterError, match="population of 5 cluster.*fewer than the"):
        SurveyDesign.from_frame(small, strata="stype", fpc="fpc")


def test_fpc_as_population_or_fraction_is_the_same_design():
    df, by_count = _api("strat_fpc")
    n_h = df.groupby("stype")["stype"].transform("size")
    df["fraction"] = n_h / df["fpc"]
    by_fraction = SurveyDesign.from_frame(df, strata="stype", fpc="fraction")
    z = np.random.default_rng(0).normal(size=(len(df), 3))
    np.testing.assert_allclose(by_fraction.variance(z), by_count.variance(z), rtol=1e-13)


def test_too_few_clusters_to_test_is_a_note_not_a_p():
    df, _ = _api("clus1_fpc")
    two = df[df["dnum"].isin(df["dnum"].unique()[:2])]
    design = SurveyDesign.from_frame(two, cluster="dnum")
    t = compare_groups(two[["api00"]], two["awards"], weights=two["pw"], design=design, measures=["api00"],
                       settings={"min_group_n": 2})
    assert t["p"].isna().all()
    assert t["note"].str.contains("too few clusters in the design to test").all()
    assert not t["finding"].any()


R_DOMAINS = {
    'weights_only': {
        'ciprop_E': (0.91, 0.835785761449, 0.958113962547),
        'paired_E': (38.56, 2.75798775966, 13.9812078081, 98, 4.47158443563e-25),
        'ciprop_H': (0.52, 0.373778150516, 0.663756259953),
        'paired_H': (8.46, 3.38048909666, 2.50259644628, 48, 0.0157872670123),
        'ciprop_M': (0.7, 0.553511847846, 0.821662392066),
        'paired_M': (26.4, 3.03056456919, 8.71124815105, 48, 1.894175537e-11),
    },
    'strat_fpc': {
        'ciprop_E': (0.91, 0.836607776955, 0.957767266167),
        'paired_E': (38.56, 2.73349417752, 14.1064869708, 98, 2.48642154323e-25),
        'ciprop_H': (0.52, 0.37770830209, 0.659955363585),
        'paired_H': (8.46, 3.29153990568, 2.57022556081, 48, 0.0133218143765),
        'ciprop_M': (0.7, 0.55633520412, 0.819707178812),
        'paired_M': (26.4, 2.97773354703, 8.86580333097, 48, 1.11835711847e-11),
    },
    'clus1_fpc': {
        'ciprop_E': (0.916666666667, 0.859765358737, 0.95581662331),
        'paired_E': (41.0763888889, 3.70577716174, 11.0844195687, 13, 5.38136068099e-08),
        'ciprop_H': (0.785714285714, 0.521760971207, 0.943907693671),
        'paired_H': (22.8571428571, 5.51970277962, 4.14100971913, 6, 0.00607176268673),
        'ciprop_M': (0.68, 0.405708991672, 0.885241289544),
        'paired_M': (22.84, 5.8737593713, 3.88848070822, 10, 0.00301700206116),
    },
    'clus2_wr': {
        'ciprop_E': (0.930660888407, 0.802746061064, 0.986887032343),
        'paired_E': (34.3900325027, 3.18780593912, 10.7879943634, 33, 2.34294019174e-12),
        'ciprop_H': (0.148351648352, 0.0229632967542, 0.415917189793),
        'paired_H': (1.71978021978, 2.21600534725, 0.776072233721, 12, 0.45273131916),
        'ciprop_M': (0.528, 0.152971444539, 0.879996522946),
        'paired_M': (11.496, 7.43513769645, 1.54617176834, 19, 0.138557423199),
    },
    'strat_clus': {
        'ciprop_E': (0.91, 0.832283915235, 0.959559963748),
        'paired_E': (38.56, 3.20169696559, 12.0436132509, 73, 5.11128721131e-19),
        'ciprop_H': (0.52, 0.374125505729, 0.663420468658),
        'paired_H': (8.46, 3.33796609549, 2.53447751055, 40, 0.015278638071),
        'ciprop_M': (0.7, 0.531540705813, 0.836440027968),
        'paired_M': (26.4, 3.16496445478, 8.34132590657, 43, 1.56579671879e-10),
    },
}
GROUPS = ["E", "H", "M"]


@pytest.mark.parametrize("name", list(R_DOMAINS))
def test_share_destroyed_per_segment_is_svyciprop_beta(name):
    df, design = _api(name)
    table = share_destroyed(df[["verdict", "value_ratio"]], df["stype"], weights=df["pw"], design=design)
    table = table.set_index("segment")
    assert table.attrs["variance"].startswith("Korn-Graubard intervals on the linearized variance")
    for g in GROUPS:
        share, low, high = R_DOMAINS[name][f"ciprop_{g}"]
        row = table.loc[g]
        assert row["share_destroyed"] == pytest.approx(share, abs=1e-9)
        assert row["ci_low"] == pytest.approx(low, abs=1e-9)
        assert row["ci_high"] == pytest.approx(high, abs=1e-9)
        assert row["n_effective"] <= row["n"] * (1 + 1e-12)  # Kish's n stays the reported base


@pytest.mark.parametrize("name", list(R_DOMAINS))
def test_paired_difference_in_a_domain_is_svyttest(name):
    df, design = _api(name)
    d = (df["api00"] - df["api99"]).to_numpy(float)
    masks = [(df["stype"] == g).to_numpy() for g in GROUPS]
    est = domain_means(d, df["pw"].to_numpy(float), masks, design)
    for i, g in enumerate(GROUPS):
        mean, se, t, df_r, p = R_DOMAINS[name][f"paired_{g}"]
        assert est["value"][i] == pytest.approx(mean, abs=1e-9)
        assert np.sqrt(est["var"][i]) == pytest.approx(se, rel=1e-9)
        assert est["df"][i] - 1 == df_r  # svyttest's one-sample df: the domain's degf less one
        t_ours = est["value"][i] / np.sqrt(est["var"][i])
        assert t_ours == pytest.approx(t, rel=1e-9)
        assert 2 * stats.t.sf(abs(t_ours), est["df"][i] - 1) == pytest.approx(p, rel=1e-6)


def test_equal_weights_keep_wilson():
    df, _ = _api("weights_only")
    table = share_destroyed(df[["verdict", "value_ratio"]], df["stype"]).set_index("segment")
    from valuekit.measure.scoring import wilson_interval

    low, high = wilson_interval(table.loc["H", "share_destroyed"], table.loc["H", "n"])
    assert (table.loc["H", "ci_low"], table.loc["H", "ci_high"]) == pytest.approx((float(low), float(high)))
    assert table.attrs["variance"] == "Wilson intervals on Kish's effective n"


@pytest.mark.parametrize("name", ["weights_only", "strat_clus"])
def test_outcome_slopes_carry_the_model_test_of_key_drivers(name):
    """The what-if engine's outcome model is gated by the same test as the drivers
    (svyglm + regTermTest(method = "LRT") under a design; R: test_driver_gates.py)."""
    df, design = _api(name)
    drivers = ["ell", "meals", "mobility"]
    slopes = outcome_slopes(df, "api00", drivers, weights=df["pw"], design=design)
    np.testing.assert_allclose(slopes.to_numpy(), R_SURVEY[name]["glm_coef"][1:], rtol=1e-9)
    table = key_drivers(df, "api00", drivers, weights=df["pw"], design=design, n_boot=0)
    assert slopes.attrs["model_p"] == pytest.approx(table["model_p"].iloc[0], rel=1e-12)
    assert slopes.attrs["adj_r2"] == pytest.approx(table["adj_r2"].iloc[0], rel=1e-12)
    assert slopes.attrs["model_test"] == "Rao-Scott likelihood ratio"


#: R: set.seed(20261206); r <- as.svrepdesign(d, type = "subbootstrap", replicates = 4000);
#: SE(svyglm(api00 ~ ell + meals + mobility, r))[-1], with clus1_wr <- svydesign(id = ~dnum,
#: weights = ~pw, data = c1) (clus1 without its fpc: the bootstrap has none).
R_SUBBOOTSTRAP_SE = {"clus1_wr": [0.436408, 0.392663, 0.580107], "clus2_wr": [1.40564, 1.20509, 0.659998],
                     "strat_clus": [0.431007, 0.280606, 0.459436]}


@pytest.mark.parametrize("name", list(R_SUBBOOTSTRAP_SE))
def test_bootstrap_of_clusters_is_r_subbootstrap(name):
    """Rao and Wu's bootstrap of clusters within strata gives the slopes the spread of R's
    ``subbootstrap`` replicates: 1000 of ours against 4000 of R's, each SD within 10 % (the
    two Monte Carlo errors are about 2.2 % and 1.1 %)."""
    if name == "clus1_wr":
        df = pd.read_csv(DATA / "apiclus1.csv")
        design = SurveyDesign.from_frame(df, cluster="dnum")
    else:
        df, design = _api(name)
    drivers = ["ell", "meals", "mobility"]
    boot = bootstrap_slopes(df, "api00", drivers, weights=df["pw"], design=design, n_boot=1000, random_state=5)
    ratio = boot.std(ddof=1).to_numpy() / np.asarray(R_SUBBOOTSTRAP_SE[name])
    assert np.all((ratio > 0.9) & (ratio < 1.1)), ratio
    # without strata or clusters the respondents are resampled, as before
    plain = bootstrap_slopes(df, "api00", drivers, weights=df["pw"], n_boot=50, random_state=5)
    again = bootstrap_slopes(df, "api00", drivers, weights=df["pw"], design=SurveyDesign(df.index), n_boot=50,
                             random_state=5)
    pd.testing.assert_frame_equal(plain, again)


@pytest.mark.parametrize("name", list(DESIGNS))
def test_grouped_variance_is_each_domains_variance(name):
    """The what-if engine's one-pass variances per segment equal the variance of each
    segment's influence values with zeros outside it (and R's svyby SEs, checked above)."""
    df, design = _api(name)
    group = pd.factorize(df["stype"])[0]
    w = df["pw"].to_numpy(float)
    y = np.column_stack([df["api00"], df["sch.wide"] == "Yes"]).astype(float)
    z = np.zeros_like(y)
    for g in range(3):
        m = group == g
        z[m] = w[m, None] * (y[m] - np.average(y[m], axis=0, weights=w[m])) / w[m].sum()
    got = design.grouped_variance(z, group, 3)
    for g in range(3):
        np.testing.assert_allclose(got[g], design.variance(np.where((group == g)[:, None], z, 0.0)), rtol=1e-10)
    se = dict(zip(pd.factorize(df["stype"])[1], np.sqrt(got[:, 0])))
    if "by_stype_api00" in R_SURVEY[name]:
        for g, (_, ref) in R_SURVEY[name]["by_stype_api00"].items():
            assert se[g] == pytest.approx(ref, rel=1e-9)
