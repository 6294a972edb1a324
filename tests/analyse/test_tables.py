"""Banner tables: cells, bases and letters, against R and a hand-worked example.

R references (R 4.2, survey 4.1) on ``tests/data/api/apistrat.csv`` and ``apiclus1.csv``
(``st``, ``c1``), columns E and M of ``stype``:

    e <- st[st$stype == "E", ]; m <- st[st$stype == "M", ]
    prop.test(c(sum(e$sch.wide == "Yes"), sum(m$sch.wide == "Yes")), c(nrow(e), nrow(m)),
              correct = FALSE)                          # X-squared 10.9375, p 0.000942372405152
    t.test(e$api00, m$api00)                            # t 1.81721473626, df 103.831739738, p 0.0720684902607
    s <- subset(d, stype %in% c("E", "M"))
    svyttest(api00 ~ stype, s); svyttest(I(sch.wide == "Yes") ~ stype, s)   # estimate (M - E), t, df, p
    # d: weights_only = svydesign(id = ~1, weights = ~pw, data = st)
    #    strat_clus   = svydesign(id = ~dnum, strata = ~stype, weights = ~pw, data = st, nest = TRUE)
    #    clus1_fpc    = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = c1)
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import valuekit as vk
from valuekit.analyse.tables import banner
from valuekit.errors import ParameterError
from valuekit.survey.design import SurveyDesign

DATA = Path(__file__).resolve().parents[1] / "data" / "api"

R_SVYTTEST = {
    'weights_only': {'api00': (-37.83, -1.8276967801, 148, 0.0696090788546),
                     'schwide': (-0.21, -2.95680195892, 148, 0.00361909585866)},
    'strat_clus': {'api00': (-37.83, -1.61667952747, 117, 0.108640646083),
                   'schwide': (-0.21, -2.65025750995, 117, 0.00915589357573)},
    'clus1_fpc': {'api00': (-17.4280555556, -1.21556679918, 13, 0.245764334313),
                  'schwide': (-0.236666666667, -1.97267454672, 13, 0.0701854688219)},
}
DESIGNS = {"weights_only": ("apistrat", {}), "strat_clus": ("apistrat", dict(strata="stype", cluster="dnum")),
           "clus1_fpc": ("apiclus1", dict(cluster="dnum", fpc="fpc"))}


def _pair(table, stub, category, first="A", second="B"):
    p = table.pairs
    return p[(p["stub"] == stub) & (p["category"] == category) & (p["first"] == first)
             & (p["second"] == second)].iloc[0]


def test_unweighted_pairs_are_prop_test_and_welch_t_test():
    st = pd.read_csv(DATA / "apistrat.csv")
    st = st[st["stype"].isin(["E", "M"])]
    t = banner(st, ["sch.wide", "api00"], ["stype"], adjust="none")
    share = _pair(t, "sch.wide", "Yes")  # E (A) against M (B)
    assert share["statistic"] ** 2 == pytest.approx(10.9375, rel=1e-9)
    assert share["p"] == pytest.approx(0.000942372405152, rel=1e-9)
    mean = _pair(t, "api00", "mean")
    assert (mean["statistic"], mean["df"], mean["p"]) == pytest.approx((1.81721473626, 103.831739738,
                                                                        0.0720684902607), rel=1e-9)
    assert t.settings["variance"].startswith("unweighted")
    cells = t.cells.set_index(["stub", "category", "letter"])
    assert cells.loc[("sch.wide", "Yes", "A"), "value"] == pytest.approx(0.91)  # 91 of 100 elementary schools
    assert cells.loc[("sch.wide", "Yes", "A"), "higher_than"] == "B"  # p < .01: upper case
    assert cells.loc[("api00", "mean", "A"), "higher_than"] == ""  # p = .07: no letter
    assert cells.loc[("api00", "base", "B"), "value"] == 50


@pytest.mark.parametrize("name", list(R_SVYTTEST))
def test_weighted_pairs_are_svyttest(name):
    file, design = DESIGNS[name]
    df = pd.read_csv(DATA / f"{file}.csv")
    t = banner(df, ["sch.wide", "api00"], ["stype"], weights="pw", design=SurveyDesign.from_frame(df, **design),
               adjust="none", min_base=0)
    # the banner's columns are stype in order E, H, M (A, B, C); R's estimate is M - E
    for stub, category, ref in (("api00", "mean", "api00"), ("sch.wide", "Yes", "schwide")):
        row = _pair(t, stub, category, "A", "C")
        est, stat, df_r, p = R_SVYTTEST[name][ref]
        assert -row["diff"] == pytest.approx(est, rel=1e-9)
        assert abs(row["statistic"]) == pytest.approx(abs(stat), rel=1e-9)
        assert row["df"] == df_r
        assert row["p"] == pytest.approx(p, rel=1e-6)
    assert "Taylor linearization" in t.settings["variance"]


R_OVERALL = {  # awards (Yes / No) and api00 by stype (E, H, M), every column tested:
    # chisq.test(table(st$awards, st$stype), correct = FALSE); oneway.test(api00 ~ stype, st, var.equal = FALSE)
    # svychisq(~awards + stype, d, statistic = "F"); regTermTest(svyglm(api00 ~ stype, d), ~stype)
    "unweighted": {"awards": (24.7584172516, 2, np.nan, 4.20511622261e-06),
                   "api00": (3.42809388375, 2, 108.755769522, 0.0359950509602)},
    "weights_only": {"awards": (13.6839436028, 1.89300702603, 376.708398181, 3.06113241214e-06),
                     "api00": (3.48298368285, 2, 197, 0.0326203706818)},
    "strat_clus": {"awards": (11.6986922614, 1.82793216408, 290.641214089, 2.54568297536e-05),
                   "api00": (2.47195569459, 2, 157, 0.0877000201896)},
    "clus1_fpc": {"awards": (5.02587563798, 1.71200283432, 23.9680396805, 0.0187868950864),
                  "api00": (1.27820074252, 2, 12, 0.313879768243)},
}


@pytest.mark.parametrize("name", list(R_OVERALL))
def test_each_row_has_its_overall_test_as_r(name):
    file, design = DESIGNS.get(name, ("apistrat", None))
    df = pd.read_csv(DATA / f"{file}.csv")
    kw = {} if design is None else dict(weights="pw", design=SurveyDesign.from_frame(df, **design))
    t = banner(df, ["awards", "api00"], ["stype"], adjust="none", min_base=0, **kw)
    got = t.overall.set_index("stub")
    assert set(got["test"]) == ({"Pearson chi-squared", "Welch ANOVA"} if design is None else
                                {"Rao-Scott F", "Wald F"})
    for stub, (stat, df1, df2, p) in R_OVERALL[name].items():
        row = got.loc[stub]
        assert (row["statistic"], row["df1"], row["p"]) == pytest.approx((stat, df1, p), rel=1e-8)
        assert row["df2"] == pytest.approx(df2, rel=1e-9, nan_ok=True)
    small = banner(df, ["awards"], ["stype"], min_base=90, **kw).overall.iloc[0]  # H and M are small
    assert small["columns"] < 2 and np.isnan(small["p"])
    assert small["note"].startswith("fewer than two columns")


def test_a_design_aligned_to_reordered_answers_gives_the_same_overall_tests():
    """The answers in another order than the design's (the design is then a subset of
    itself, its units clusters of one): the Rao-Scott F and the Wald F do not change."""
    st = pd.read_csv(DATA / "apistrat.csv")
    design = SurveyDesign.from_frame(st, strata="stype")  # no clusters: its own units are the strata
    kw = dict(weights="pw", design=design, min_base=0, adjust="none")
    ordered = banner(st, ["awards", "api00"], ["stype"], **kw).overall
    reordered = banner(st.iloc[::-1], ["awards", "api00"], ["stype"], **kw).overall
    for col in ("statistic", "df1", "df2", "p"):
        assert reordered[col].tolist() == pytest.approx(ordered[col].tolist(), rel=1e-9)


def test_the_overall_tests_are_adjusted_across_each_banners_rows():
    survey = vk.load_demo("demo")
    overall = banner(survey, ["money", "time", "verdict"], ["world_view", "channel"], adjust="bonferroni").overall
    assert len(overall) == 6
    assert overall["p_adj"].tolist() == pytest.approx(np.minimum(1, 3 * overall["p"]).tolist(), rel=1e-12)
    holm = banner(survey, ["money", "time", "verdict"], ["channel"], adjust="holm").overall
    assert holm["p_adj"].tolist() == pytest.approx(multipletests(holm["p"], method="holm")[1].tolist(), rel=1e-12)


def _hand_worked():
    """Four columns of 100 with 60, 40, 52 and 30 'yes' (A, B, C, D)."""
    column = np.repeat(list("ABCD"), 100)
    yes = np.concatenate([np.arange(100) < k for k in (60, 40, 52, 30)])
    return pd.DataFrame({"col": column, "answer": np.where(yes, "yes", "no")})


def test_letters_by_hand_without_and_with_the_fdr_correction():
    """Pooled two-proportion z-tests by hand (p = 2 (1 - Phi(|z|)), z = (p1 - p2) / sqrt(pbar (1 -
    pbar) (1/100 + 1/100))):

        A-B .6/.4 z 2.83 p .00468 | A-C .6/.52 z 1.14 p .254 | A-D .6/.3 z 4.26 p .00002
        B-C .4/.52 z -1.70 p .089 | B-D .4/.3 z 1.48 p .138  | C-D .52/.3 z 3.16 p .0016

    Without correction: A is above B and D at .01 ("BD"), C above D ("D"). Benjamini-Hochberg
    over the row's six pairs: A-D 1.2e-4, C-D .0048, A-B .0094 (all below .01), B-C .134,
    B-D .166, A-C .254: the same letters. Holm: A-D 1.2e-4, C-D .0080, A-B .0187 (now
    between .01 and .05: lower case "b")."""
    data = _hand_worked()
    expected = {"none": {"A": "BD", "B": "", "C": "D", "D": ""}, "fdr_bh": {"A": "BD", "B": "", "C": "D", "D": ""},
                "holm": {"A": "bD", "B": "", "C": "D", "D": ""}}
    for adjust, letters in expected.items():
        cells = banner(data, ["answer"], ["col"], adjust=adjust).cells
        yes = cells[(cells["category"] == "yes") & (cells["letter"] != "")].set_index("letter")
        assert yes["higher_than"].to_dict() == letters, adjust
        assert yes["value"].round(2).to_dict() == {"A": 0.6, "B": 0.4, "C": 0.52, "D": 0.3}
    pairs = banner(data, ["answer"], ["col"], adjust="fdr_bh").pairs
    got = pairs[pairs["category"] == "yes"].set_index(["first", "second"])["p_adj"]

    def z_p(p1, p2):
        pooled = (p1 + p2) / 2
        return 2 * stats.norm.sf(abs(p1 - p2) / np.sqrt(pooled * (1 - pooled) * 2 / 100))

    assert got[("A", "B")] == pytest.approx(z_p(0.6, 0.4) * 6 / 3, rel=1e-9)  # rank 3 of 6
    assert got[("C", "D")] == pytest.approx(z_p(0.52, 0.3) * 6 / 2, rel=1e-9)  # rank 2 of 6


def test_previous_column_mode_tests_neighbours_only():
    pairs = banner(_hand_worked(), ["answer"], ["col"], compare="previous").pairs
    assert sorted(set(zip(pairs["first"], pairs["second"]))) == [("A", "B"), ("B", "C"), ("C", "D")]


def test_a_small_column_is_marked_and_never_lettered():
    data = _hand_worked()
    data = pd.concat([data, pd.DataFrame({"col": ["E"] * 10, "answer": ["yes"] * 10})], ignore_index=True)
    t = banner(data, ["answer"], ["col"], adjust="none")
    e = t.cells[t.cells["letter"] == "E"]
    assert (e["note"].str.startswith("base too small")).all() and not e["tested"].any()
    assert not t.cells["higher_than"].str.contains("E", case=False).any()  # E is 100 % yes, but untested
    assert t.pairs[(t.pairs["second"] == "E")]["p"].isna().all()


def test_a_column_of_exactly_the_minimum_base_is_tested_whatever_its_equal_weights():
    """A column of 30 weighted 0.7 each: Kish's base is 29.999999999999982 in floating point and
    the column is still tested against the default minimum base of 30 (judged at 1e-9)."""
    data = _hand_worked()
    data = pd.concat([data, pd.DataFrame({"col": ["E"] * 30, "answer": ["yes"] * 30})], ignore_index=True)
    data["w"] = 0.7
    t = banner(data, ["answer"], ["col"], weights="w", adjust="none")
    e = t.cells[t.cells["letter"] == "E"]
    assert (e["note"] == "").all() and e["tested"].any()
    assert t.pairs[(t.pairs["second"] == "E")]["p"].notna().all()


def test_silent_on_columns_that_do_not_differ():
    """Columns drawn from one population: at most the expected share of letters at .05 after
    the FDR correction (here none, seeded)."""
    rng = np.random.default_rng(11)
    n = 2000
    data = pd.DataFrame({"col": rng.choice(list("abcdef"), n), "answer": rng.choice(["x", "y", "z"], n),
                         "score": rng.normal(4, 1, n)})
    table = banner(data, ["answer", "score"], ["col"])
    assert (table.cells["higher_than"] == "").all()
    assert (table.overall["p_adj"] > 0.05).all() and set(table.overall["test"]) == {"Pearson chi-squared",
                                                                                      "Welch ANOVA"}


def test_the_demo_banner_reads_the_codebook():
    survey = vk.load_demo("demo")
    t = banner(survey, ["verdict", "money", {"row": "fun_ease_1", "stat": "top"},
                        {"row": "fun_ease_1", "stat": "net", "codes": [1.0, 2.0], "label": "Disagree"}],
               ["world_view"])
    cells = t.cells
    assert cells.loc[cells["stub"] == "verdict", "stub_label"].iloc[0] == "Value verdict"
    total = cells[(cells["banner"] == "Total") & (cells["stub"] == "verdict") & (cells["statistic"] == "percent")]
    assert total["value"].sum() == pytest.approx(1.0)
    top = cells[(cells["statistic"] == "top") & (cells["banner"] == "Total")].iloc[0]
    assert top["category_label"] == "Top 2 box (6, 7)"
    answers = survey.data["fun_ease_1"].dropna()
    w = survey.weights.reindex(answers.index)
    assert top["value"] == pytest.approx(np.average(answers >= 6, weights=w))
    assert "design-based" in t.settings["variance"]  # the demo is weighted
    frame = t.to_frame()
    assert frame.shape[1] == 1 + survey.data["world_view"].nunique()
    assert not frame.isna().any().any()


R_NPS = {  # the NPS of rec = round(api00 / 100) (0-10) as the mean of y = 100 (9-10), 0 (7-8), -100 (0-6):
    # m <- svymean(~y, d); confint(m, df = degf(d))               (Total)
    # e <- subset(d, stype == "E"); confint(svymean(~y, e), df = degf(e))
    # svyttest(y ~ stype, subset(d, stype %in% c("E", "M")))    (estimate M - E, t, df, p)
    "weights_only": {"Total": (-38.6538587312, -48.2723085974, -29.035408865),
                     "E": (-34, -46.6497862965, -21.3502137035), "test": (-12, -1.12050011367, 148, 0.264315650459)},
    "strat_clus": {"Total": (-38.6538587312, -49.3678501572, -27.9398673052),
                   "E": (-34, -48.6186014668, -19.3813985332), "test": (-12, -1.02638380488, 117, 0.306828038267)},
}


@pytest.mark.parametrize("name", list(R_NPS))
def test_the_weighted_nps_is_the_design_mean_of_the_trinomial(name):
    file, design = DESIGNS[name]
    df = pd.read_csv(DATA / f"{file}.csv").assign(rec=lambda d: np.round(d["api00"] / 100))
    t = banner(df, [{"row": "rec", "stat": "nps"}], ["stype"], weights="pw",
               design=SurveyDesign.from_frame(df, **design), adjust="none", min_base=0)
    nps = t.cells[t.cells["statistic"] == "nps"].set_index("column")
    for column in ("Total", "E"):
        assert tuple(nps.loc[column, ["value", "low", "high"]]) == pytest.approx(R_NPS[name][column], rel=1e-9)
    row = _pair(t, "rec", "nps", "A", "C")
    est, stat, df_r, p = R_NPS[name]["test"]
    assert (-row["diff"], -row["statistic"], row["df"]) == pytest.approx((est, stat, df_r), rel=1e-9)
    assert row["p"] == pytest.approx(p, rel=1e-6)
    groups = t.cells[(t.cells["stub"] == "rec") & (t.cells["statistic"] == "percent")]
    total = groups[groups["column"] == "Total"].set_index("category")["value"]
    assert 100 * (total["promoters"] - total["detractors"]) == pytest.approx(R_NPS[name]["Total"][0], rel=1e-9)


def test_the_unweighted_nps_has_the_adjusted_wald_interval():
    """100 respondents with 45 promoters, 30 passives and 25 detractors: NPS 20; the adjusted
    Wald interval (n + 3, 3/4 added to promoters and to detractors), by hand: p = 45.75 / 103,
    d = 25.75 / 103, centre p - d, variance (p + d - (p - d)²) / 103, ± 1.959964 SE:
    [3.77025441188, 35.0646970444]. A second group (20 / 30 / 50, NPS -30) is lower: Welch's
    t on the -100 / 0 / 100 scores (scipy), letter at .01."""
    answers = np.concatenate([[10] * 25 + [9] * 20 + [8] * 15 + [7] * 15 + [5] * 25,
                              [9] * 20 + [7] * 30 + [3] * 50]).astype(float)
    data = pd.DataFrame({"recommend": answers, "group": ["first"] * 100 + ["second"] * 100})
    t = banner(data, [{"row": "recommend", "stat": "nps"}], ["group"])
    first = t.cells[(t.cells["statistic"] == "nps") & (t.cells["column"] == "first")].iloc[0]
    assert first["value"] == pytest.approx(20)
    assert (first["low"], first["high"]) == pytest.approx((3.77025441188, 35.0646970444), rel=1e-9)
    assert first["higher_than"] == "B"
    y = np.select([answers >= 9, answers >= 7], [100.0, 0.0], -100.0)
    welch = stats.ttest_ind(y[:100], y[100:], equal_var=False)
    row = _pair(t, "recommend", "nps")
    assert (row["statistic"], row["p"]) == pytest.approx((welch.statistic, welch.pvalue), rel=1e-9)
    shown = t.to_frame()
    assert shown.loc[("recommend", "95% interval"), ("group", "first (A)")] == "3.8 – 35.1"
    assert shown.loc[("recommend", "NPS"), ("group", "first (A)")] == "20.0 B"


def test_banner_columns_read_in_the_codebooks_words():
    """The verdict across the top in its own order and words; a value the codebook labels
    (``wave_1: {en: March 2025}``) by its label."""
    survey = vk.load_demo("demo")
    t = banner(survey, ["money"], ["verdict", survey.data["world_view"].map(lambda v: 1 if v == "price first" else 2)
                                   .rename("wave")])
    heads = t.cells[["banner", "column_label", "letter"]].drop_duplicates()
    assert heads.loc[heads["banner"] == "verdict", "column_label"].tolist() == ["Value destroyed", "Neutral value",
                                                                               "Value created"]
    assert heads.loc[heads["banner"] == "wave", "column_label"].tolist() == ["March 2025", "September 2025"]
    spanish = banner(survey, ["money"], ["verdict"], lang="es").to_frame(lang="es")
    assert spanish.columns[1] == ("Veredicto de valor", "Valor destruido (A)")


def test_a_nested_banner_compares_the_inner_columns_within_each_outer_one():
    """channel x wave: one column per pair that occurs, labelled "online · March 2025",
    compared only with the columns of the same channel (each channel's waves)."""
    survey = vk.load_demo("demo")
    wave = pd.Series(np.where(survey.data.index % 2 == 0, 1, 2), index=survey.data.index, name="wave")
    t = banner(survey.data.assign(wave=wave), ["money"], [["channel", "wave"]], codebook=survey.codebook,
               weights="weight", adjust="none")
    heads = t.cells[t.cells["banner"] != "Total"][["banner_label", "column_label", "letter"]].drop_duplicates()
    assert heads["banner_label"].unique().tolist() == ["channel × wave"]
    assert heads["column_label"].tolist() == [f"{c} · {w}" for c in ("both", "online", "store")
                                              for w in ("March 2025", "September 2025")]
    assert sorted(set(zip(t.pairs["first"], t.pairs["second"]))) == [("A", "B"), ("C", "D"), ("E", "F")]
    money = t.cells[(t.cells["statistic"] == "mean") & (t.cells["letter"] == "C")].iloc[0]
    keep = (survey.data["channel"] == "online") & (wave == 1)
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    ok = keep & scores["money"].notna()
    assert money["value"] == pytest.approx(np.average(scores.loc[ok, "money"], weights=survey.weights[ok]))


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, name, text", [
    (dict(rows=["nope"]), "rows", "'nope' is neither a score"),
    (dict(columns=["answer"], rows=[{"row": "answer", "stat": "net", "codes": ["maybe"]}]), "rows",
     "NET code(s) ['maybe'] are not categories of 'answer'"),
    (dict(columns=["one"]), "columns", "banner 'one' has 1 value(s)"),
    (dict(columns=["nope"]), "columns", "'nope' is not a column"),
    (dict(levels=(0.01, 0.05)), "levels", "the looser level first"),
    (dict(adjust="bh"), "adjust", "expected one of"),
    (dict(compare="all"), "compare", "compare"),
    (dict(rows=[{"row": "answer", "stat": "median"}]), "rows", "stat 'median' is not one of"),
    (dict(rows=[{"row": "answer", "what": 1}]), "rows", "unknown key(s) ['what']"),
    (dict(columns=["many"]), "columns", "at most 52 columns"),
    (dict(columns=[["col", "col", "col"]]), "columns", "a nested banner is two columns"),
    (dict(columns=[["col", "one"]]), "columns", "banner 'one' has 1 value(s)"),
    (dict(rows=[{"row": "many", "stat": "nps"}]), "rows", "answer(s) outside 0-10 (first: 11"),
    (dict(rows=[{"row": "answer", "stat": "nps"}]), "rows", "'answer' is not numeric; its nps cannot"),
])
def test_bad_specs_name_the_key(kwargs, name, text):
    data = _hand_worked().assign(one="x", many=np.arange(400) % 60)
    args = {"rows": ["answer"], "columns": ["col"], **kwargs}
    with pytest.raises(ParameterError, match=None) as err:
        banner(data, args.pop("rows"), args.pop("columns"), **args)
    assert err.value.name == name and text in str(err.value), str(err.value)


def test_the_workbook_reads_back_as_the_tidy_cells(tmp_path):
    """The Excel workbook, read back with openpyxl: numbers with Excel formats (not text),
    each column's letters in the cell to its right, bases in header rows with small bases
    flagged, frozen panes, and an index linking every table."""
    import openpyxl

    from valuekit.present.tables import style_banner, write_tables

    data = pd.concat([_hand_worked(), pd.DataFrame({"col": ["E"] * 10, "answer": ["yes"] * 10})], ignore_index=True)
    data["score"] = np.arange(len(data)) % 7 + 1.0
    table = banner(data, ["answer", "score"], ["col"], adjust="none")
    path = write_tables(table, tmp_path / "tables.xlsx", title="Hand-worked <survey>")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tables", "T1 answer", "T2 score"]
    index = book["Tables"]
    assert index["A1"].value == "Hand-worked <survey>"
    links = {index.cell(r, 1).value: index.cell(r, 1).hyperlink.location for r in range(1, 20)
             if index.cell(r, 1).hyperlink}
    assert links == {"T1 answer": "'T1 answer'!A1", "T2 score": "'T2 score'!A1"}
    sheet = book["T1 answer"]
    heads = {sheet.cell(4, c).value: c for c in range(2, 14, 2) if sheet.cell(4, c).value}
    assert list(heads) == ["Total", "A", "B", "C", "D", "E"]  # column labels are the values here
    assert sheet.cell(4, heads["A"] + 1).value == "(A)"
    assert sheet.freeze_panes == "B7"  # below the two base rows, right of the labels
    assert sheet.cell(5, 1).value == "Base" and sheet.cell(5, heads["A"]).value == 100
    assert sheet.cell(5, heads["E"] + 1).value == "*"  # ten respondents: flagged, not tested
    cells = table.cells[(table.cells["stub"] == "answer") & (table.cells["category"] == "yes")]
    yes_row = next(r for r in range(7, 12) if sheet.cell(r, 1).value == "yes")
    for letter, col in heads.items():
        cell = sheet.cell(yes_row, col)
        want = cells[cells["column_label"] == letter].iloc[0]
        assert cell.value == pytest.approx(want["value"]) and cell.number_format == "0.0%"
        assert (sheet.cell(yes_row, col + 1).value or "") == want["higher_than"]
    assert sheet.cell(yes_row, heads["A"] + 1).value == "BD"
    notes = [sheet.cell(r, 1).value for r in range(yes_row, yes_row + 8) if sheet.cell(r, 1).value]
    chi2 = table.overall.set_index("stub").loc["answer"]
    assert f"col, all columns together: χ²(3) = {chi2['statistic']:.2f}, p < 0.001 (adjusted < 0.001)" in notes
    mean_sheet = book["T2 score"]
    mean_row = next(r for r in range(7, 12) if mean_sheet.cell(r, 1).value == "Mean")
    assert mean_sheet.cell(mean_row, 2).number_format == "0.00"
    assert mean_sheet.cell(mean_row, 2).value == pytest.approx(data["score"].mean())
    with pytest.raises(ParameterError, match="does not exist yet"):
        write_tables(table, path)
    with pytest.raises(ParameterError, match="an existing folder"):
        write_tables(table, tmp_path / "no_such_folder" / "tables.xlsx")
    styled = style_banner(table).to_html()
    assert "60.0% BD" in styled and "Letters: the columns" in styled
    # the notebook's view states the same overall tests, a line each under the table
    assert f"<br>answer · col, all columns together: χ²(3) = {chi2['statistic']:.2f}, p &lt; 0.001" in styled
    assert styled.count("all columns together") == len(table.overall) == 2


def test_the_demo_nps_and_its_workbook_rows(tmp_path):
    """The demo's 0-10 recommend item as an NPS by world view: the sheet shows the NPS in
    points (format 0.0) with its interval's bounds on the two rows below; a 1-7 item is refused."""
    import openpyxl

    from valuekit.present.tables import write_tables

    survey = vk.load_demo("demo")
    t = banner(survey, [{"row": "out_nps", "stat": "nps"}], ["world_view"])
    nps = t.cells[(t.cells["statistic"] == "nps") & (t.cells["banner"] == "Total")].iloc[0]
    answers = survey.data["out_nps"].dropna()
    w = survey.weights.reindex(answers.index)
    expected = 100 * (np.average(answers >= 9, weights=w) - np.average(answers <= 6, weights=w))
    assert nps["value"] == pytest.approx(expected) and nps["low"] < nps["value"] < nps["high"]
    book = openpyxl.load_workbook(write_tables(t, tmp_path / "nps.xlsx"))
    sheet = book[book.sheetnames[1]]
    labels = [sheet.cell(r, 1).value for r in range(1, 14)]
    at = labels.index("NPS") + 1
    assert labels[at:at + 2] == ["Lower bound (95%)", "Upper bound (95%)"]
    assert sheet.cell(at, 2).number_format == "0.0" and sheet.cell(at, 2).value == pytest.approx(nps["value"])
    assert (sheet.cell(at + 1, 2).value, sheet.cell(at + 2, 2).value) == pytest.approx((nps["low"], nps["high"]))
    with pytest.raises(ParameterError, match="an NPS needs a 0-10 question; 'fun_ease_1' is on a 1-7 scale"):
        banner(survey, [{"row": "fun_ease_1", "stat": "nps"}], ["world_view"])


def test_labels_are_text_never_markup(tmp_path):
    from valuekit.present.tables import style_banner

    data = _hand_worked().assign(col=lambda d: d["col"].map({"A": "<script>alert(1)</script>", "B": "b", "C": "c",
                                                               "D": "d"}))
    html = style_banner(banner(data, ["answer"], ["col"])).to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.adversarial("result")
def test_a_column_without_weight_and_a_row_nobody_answered_are_marked_not_tested():
    """A column whose respondents all weigh zero has an effective base of 0 and is marked
    "base too small", never lettered; a row nobody answered shows no value and no letter."""
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"col": rng.choice(list("ABC"), 300), "empty": np.nan, "x": rng.normal(size=300)})
    w = np.where(data["col"] == "C", 0.0, rng.lognormal(0, 0.3, 300))
    t = banner(data, ["empty", "x"], ["col"], weights=w)
    c = t.cells[t.cells["letter"] == "C"]
    assert (c["n_eff"] == 0).all() and c["note"].str.startswith("base too small").all() and not c["tested"].any()
    assert not t.cells["higher_than"].str.contains("C", case=False).any()
    empty = t.cells[(t.cells["stub"] == "empty") & (t.cells["statistic"] == "mean")]
    assert empty["value"].isna().all() and (empty["higher_than"] == "").all()
    assert t.pairs.loc[t.pairs["stub"] == "empty", "p"].isna().all()
    shown = t.to_frame()
    assert shown.loc[("empty", "Mean")].eq("—").all() and shown.loc[("x", "Effective base"), ("col", "C (C)")] == "0"


@pytest.mark.adversarial("result")
def test_a_nested_banner_with_one_inner_column_per_outer_one_tests_nothing():
    data = pd.DataFrame({"a": ["x"] * 50 + ["y"] * 50, "b": ["p"] * 50 + ["q"] * 50, "v": np.arange(100.0)})
    t = banner(data, ["v"], [["a", "b"]])
    assert t.pairs.empty and (t.cells["higher_than"] == "").all() and not t.cells["tested"].any()
    assert t.cells.loc[(t.cells["statistic"] == "mean") & (t.cells["letter"] == "B"), "value"].item() == 74.5


def test_nps_groups_are_the_banners_shares_and_a_driver_outcome():
    """Promoter and detractor as 0/1 outcomes: their weighted means are the banner's lines;
    as a driver outcome the benefits raise promoting; with the recommend answers shuffled the
    model's overall test finds nothing (p > .05)."""
    from valuekit.analyse.tables import nps_groups

    survey = vk.load_demo("demo")
    groups = nps_groups(survey)
    shares = banner(survey, [{"row": "out_nps", "stat": "nps"}], ["channel"]).cells
    total = shares[(shares["banner"] == "Total") & (shares["statistic"] == "percent")].set_index("category")["value"]
    ok = groups["promoter"].notna()
    for name in ("promoter", "detractor"):
        assert np.average(groups.loc[ok, name], weights=survey.weights[ok]) == pytest.approx(total[f"{name}s"])
    assert groups.isna().sum().tolist() == [survey.data["out_nps"].isna().sum()] * 2
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    blocks = survey.codebook.dimensions + survey.codebook.sacrifices
    table = vk.key_drivers(survey, scores.join(groups), "promoter", blocks, n_boot=0)
    betas = table.set_index("driver").loc[survey.codebook.dimensions, "beta"]
    assert table["model_p"].iloc[0] < 0.001 and (betas > 0).all()
    shuffled = survey.data.assign(out_nps=np.random.default_rng(3).permutation(survey.data["out_nps"].to_numpy()))
    null = vk.key_drivers(scores.join(nps_groups(shuffled, codebook=survey.codebook)), "promoter", blocks,
                          codebook=survey.codebook, weights=survey.weights, n_boot=0)
    assert null["model_p"].iloc[0] > 0.05
    with pytest.raises(ParameterError, match="an NPS needs a 0-10 question; 'out_sat' is on a 1-7 scale"):
        nps_groups(survey, "out_sat")


def test_categories_read_the_items_value_labels():
    """An item whose every scale point is labelled shows the labels alone (as SPSS and Q do);
    one labelled at its ends shows "1 (Not at all)"; an item as a banner is headed by its labels."""
    import yaml

    spec = yaml.safe_load(vk.DEMO_CODEBOOK.read_text(encoding="utf-8"))
    full = {i: {"en": f"point {i}", "es": f"punto {i}"} for i in range(1, 8)}
    spec.setdefault("items", {}).setdefault("fun_ease_1", {})["values"] = full
    spec["items"].setdefault("fun_ease_2", {})["values"] = {1: "Not at all", 7: "Completely"}
    cb = vk.Codebook.from_dict(spec)
    data = vk.load_demo("demo").data
    t = banner(data, ["fun_ease_1", "fun_ease_2"], ["fun_ease_1"], codebook=cb, lang="es")
    lines = t.cells[t.cells["column"] == "Total"].drop_duplicates(["stub", "category"])
    first = lines.loc[(lines["stub"] == "fun_ease_1") & (lines["statistic"] == "percent"), "category_label"]
    assert first.tolist() == [f"punto {i}" for i in range(1, 8)]
    second = lines.loc[(lines["stub"] == "fun_ease_2") & (lines["statistic"] == "percent"), "category_label"]
    assert second.tolist() == ["1 (Not at all)", "2", "3", "4", "5", "6", "7 (Completely)"]
    heads = t.cells.loc[t.cells["banner"] == "fun_ease_1", "column_label"].unique().tolist()
    assert heads == [f"punto {i}" for i in range(1, 8) if (data["fun_ease_1"] == i).any()]


def test_the_codebooks_nets_follow_the_items_categories():
    """NETs declared in the codebook (``nets: {Agree: [6, 7]}``) are lines below the item's
    categories, each the sum of its categories' shares, and lettered like any line."""
    import yaml

    spec = yaml.safe_load(vk.DEMO_CODEBOOK.read_text(encoding="utf-8"))
    spec.setdefault("items", {}).setdefault("fun_ease_1", {})["nets"] = {"Agree": [6, 7], "Disagree": [1, 2, 3]}
    cb = vk.Codebook.from_dict(spec)
    t = banner(vk.load_demo("demo").data, ["fun_ease_1"], ["world_view"], codebook=cb)
    c = t.cells.set_index(["column", "category"])["value"]
    for column in t.cells["column"].unique():
        assert c[(column, "net:Agree")] == pytest.approx(c[(column, 6.0)] + c[(column, 7.0)])
        assert c[(column, "net:Disagree")] == pytest.approx(sum(c[(column, float(k))] for k in (1, 2, 3)))
    labels = t.cells.drop_duplicates("category")["category_label"].tolist()
    assert labels[7:9] == ["Agree (NET)", "Disagree (NET)"]
    assert set(t.pairs["category"]) >= {"net:Agree", "net:Disagree"}
