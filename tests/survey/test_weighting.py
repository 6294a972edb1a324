"""Raking (valuekit.survey.weighting): a known answer from R's survey package, IPF's textbook
properties, trimming, the survey and the command line, and every refusal by its message."""

import numpy as np
import pandas as pd
import pytest

import valuekit as vk
from valuekit.cli import main
from valuekit.config import PROJ_ROOT
from valuekit.errors import ParameterError, SurveyError, TargetsError
from valuekit.survey.weighting import RakeResult, Targets, rake, read_targets, weight_survey

DATA = PROJ_ROOT / "tests" / "data"
EXAMPLE = vk.DATA_DIR / "demo_targets.yaml"

# -- known answer: R survey::rake on the api data ----------------------------------------
# The example of R's ?rake help page (Lumley), with a tight tolerance so that R's own
# default (epsilon = 1, in weight units) does not limit the agreement. R 4.2.2, survey 4.1.1:
#   library(survey); data(api)
#   dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
#   pop.types <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
#   pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
#   rclus1 <- rake(dclus1, list(~stype,~sch.wide), list(pop.types, pop.schwide),
#                  control=list(maxit=100, epsilon=1e-12))
#   sprintf("%.17g", weights(rclus1))          # one value per stype x sch.wide cell
#   sprintf("%.17g", coef(svymean(~api00, rclus1)))
#   sprintf("%.17g", coef(svytotal(~enroll, rclus1)))
# (With R's default control, svymean gives 641.23024686220879: 1e-7 away.)
R_WEIGHTS = {("E", "No"): 39.839236247129776, ("E", "Yes"): 29.870675492684686,
             ("H", "No"): 67.125529241194698, ("H", "Yes"): 50.329401116039229,
             ("M", "No"): 49.069072163857321, ("M", "Yes"): 36.791024864069961}
R_MEAN_API00 = 641.23032092682001
R_TOTAL_ENROLL = 3647280.1480652122
API_TARGETS = {"units": "counts", "tolerance": 1e-12,
               "margins": {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}}
API_CODEBOOK = """\
id: snum
scale: {min: 200, max: 1000}
benefits:
  functional: [api00]
context:
  situation: [stype, sch.wide]
other: [enroll, dnum]
weight: pw
"""


@pytest.fixture(scope="module")
def api():
    return pd.read_csv(DATA / "apiclus1.csv", dtype={"cds": str})


@pytest.fixture(scope="module")
def demo():
    return vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)


def _r_weights(frame: pd.DataFrame) -> np.ndarray:
    return np.array([R_WEIGHTS[(s, w)] for s, w in zip(frame["stype"], frame["sch.wide"])])


def test_reproduces_r_survey_rake(api):
    result = rake(api, API_TARGETS, weight="pw")
    assert isinstance(result, RakeResult) and result.converged
    np.testing.assert_allclose(result.weights.to_numpy(), _r_weights(api), rtol=1e-9)
    w = result.weights
    assert np.average(api["api00"], weights=w) == pytest.approx(R_MEAN_API00, rel=1e-9)
    assert (api["enroll"] * w).sum() == pytest.approx(R_TOTAL_ENROLL, rel=1e-9)
    assert w.sum() == pytest.approx(6194, rel=1e-12)  # counts: the population total
    assert result.max_margin_error < 1e-12
    assert w.index.equals(api.index) and w.name == "rake_weight"
    kish = len(w) * (w ** 2).sum() / w.sum() ** 2
    assert result.design_effect == pytest.approx(kish) and result.effective_n == pytest.approx(len(w) / kish)


# -- IPF's textbook properties -----------------------------------------------------------


def _cells(counts: dict) -> pd.DataFrame:
    rows = [key for key, n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["row", "col"])


def test_two_by_two_fixed_point_by_hand():
    # seed 30 10 / 30 60 (odds ratio 6) raked to rows .5/.5 and columns .6/.4: the table with
    # those margins and odds ratio 6 solves 5p^2 - 6.5p + 1.8 = 0, p = .4: .4 .1 / .2 .3
    data = _cells({("a", "x"): 30, ("a", "y"): 10, ("b", "x"): 30, ("b", "y"): 60})
    result = rake(data, {"margins": {"row": {"a": 0.5, "b": 0.5}, "col": {"x": 0.6, "y": 0.4}},
                         "tolerance": 1e-14, "max_iter": 1000})
    assert result.converged
    fitted = result.weights.groupby([data["row"], data["col"]]).sum().unstack() / 130
    np.testing.assert_allclose(fitted.to_numpy(), [[0.4, 0.1], [0.2, 0.3]], atol=1e-12)
    odds = fitted.loc["a", "x"] * fitted.loc["b", "y"] / (fitted.loc["a", "y"] * fitted.loc["b", "x"])
    assert odds == pytest.approx(30 * 60 / (10 * 30), rel=1e-10)  # IPF keeps the seed's cross-product ratio
    assert result.weights.sum() == pytest.approx(130)  # shares: the sum of the starting weights
    # one adjustment per cell
    assert (result.weights.groupby([data["row"], data["col"]]).nunique() == 1).all()


def test_interaction_margin_is_met(demo):
    result = rake(demo.data, EXAMPLE, weight="weight")
    assert result.converged and result.max_margin_error <= 1e-8
    inter = result.margins[result.margins["margin"] == "stage × world_view"]
    assert len(inter) == 8
    w = result.weights
    joint = w.groupby([demo.data["stage"], demo.data["world_view"]]).sum() / w.sum()
    assert joint[("repeat", "quality first")] == pytest.approx(0.24, abs=1e-8)
    assert joint[("first purchase", "sustainability")] == pytest.approx(0.06, abs=1e-8)
    np.testing.assert_allclose(inter["achieved"], inter["target"], atol=1e-8)
    assert set(result.margins.columns) == {"margin", "category", "target", "sample", "start", "achieved",
                                           "difference", "n"}
    assert inter["n"].sum() == len(demo.data)


def test_trimming_keeps_weights_within_caps_and_margins(demo):
    result = rake(demo.data, EXAMPLE, weight="weight", trim={"lower": 0.6, "upper": 1.4})
    assert result.converged and result.trim_cycles > 0 and result.n_capped > 0
    scaled = result.weights / result.weights.mean()
    assert scaled.min() >= 0.6 * (1 - 1e-8) and scaled.max() <= 1.4 * (1 + 1e-8)
    assert result.max_margin_error <= 1e-8
    untrimmed = rake(demo.data, EXAMPLE, weight="weight", trim=False)
    assert untrimmed.trim_cycles == 0 and (untrimmed.weights / untrimmed.weights.mean()).min() < 0.6
    assert result.design_effect < untrimmed.design_effect


def test_caps_that_cannot_be_met_are_reported_not_looped(demo):
    result = rake(demo.data, EXAMPLE, weight="weight", trim=(0.8, 1.2))
    assert not result.converged
    assert "cannot be met" in result.notes[0] and "repeat × quality first" in result.notes[0]
    assert result.max_margin_error <= 1e-8  # raked, not trimmed
    with pytest.raises(TargetsError, match="did not converge.*cannot be met"):
        rake(demo.data, EXAMPLE, weight="weight", trim=(0.8, 1.2), strict=True)


def test_design_weights_are_the_starting_point():
    data = _cells({("a", "x"): 2, ("a", "y"): 2, ("b", "x"): 2, ("b", "y"): 2})
    design = np.array([1.0, 3.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0])
    targets = {"margins": {"row": {"a": 0.4, "b": 0.6}, "col": {"x": 0.5, "y": 0.5}}}
    weighted = rake(data, targets, weight=design)
    equal = rake(data, targets)
    ratio = weighted.weights / design  # one adjustment per cell: design-weight ratios kept within a cell
    assert ratio.iloc[0] == pytest.approx(ratio.iloc[1]) and weighted.weights.iloc[1] == pytest.approx(
        3 * weighted.weights.iloc[0])
    assert not np.allclose(weighted.weights, equal.weights)
    assert weighted.weights.sum() == pytest.approx(design.sum())
    assert (weighted.margins["start"] != weighted.margins["sample"]).any()
    frame = weighted.to_frame()
    assert list(frame.columns) == ["start_weight", "rake_weight"] and frame["start_weight"].tolist() == design.tolist()


def test_shares_and_counts_give_the_same_weights_up_to_scale(api):
    shares = {"margins": {k: {c: v / 6194 for c, v in m.items()} for k, m in API_TARGETS["margins"].items()},
              "tolerance": 1e-12}
    by_shares = rake(api, shares, weight="pw")
    by_counts = rake(api, API_TARGETS, weight="pw")
    assert by_shares.weights.sum() == pytest.approx(api["pw"].sum())
    assert by_counts.weights.sum() == pytest.approx(6194)
    np.testing.assert_allclose(by_shares.weights * 6194 / api["pw"].sum(), by_counts.weights, rtol=1e-10)
    assert by_counts.units == "counts" and "population total" in by_counts.notes[-1]


def test_non_convergence_is_reported():
    # only (a, x) and (b, y) in the sample: rows .5/.5 and columns .3/.7 cannot both hold
    data = _cells({("a", "x"): 5, ("b", "y"): 5})
    targets = {"margins": {"row": {"a": 0.5, "b": 0.5}, "col": {"x": 0.3, "y": 0.7}}}
    result = rake(data, targets)
    assert not result.converged and result.max_margin_error == pytest.approx(0.2)
    assert "stopped improving" in result.notes[0] and "NOT converged" in repr(result)
    with pytest.raises(TargetsError, match="raking did not converge: the largest margin error is 0.2"):
        rake(data, targets, strict=True)
    slow = rake(_cells({("a", "x"): 30, ("a", "y"): 10, ("b", "x"): 30, ("b", "y"): 60}),
                {"margins": {"row": {"a": 0.5, "b": 0.5}, "col": {"x": 0.6, "y": 0.4}}}, max_iter=1)
    assert not slow.converged and slow.iterations == 1 and "(max_iter)" in slow.notes[0]


def test_result_summary_and_repr(api):
    result = rake(api, API_TARGETS, weight="pw")
    s = result.summary()
    assert s["converged"] is True and s["respondents"] == 183 and s["units"] == "counts"
    assert set(s["weight_summary"]) == {"min", "p1", "p5", "median", "p95", "p99", "max", "max_over_min", "mean"}
    assert s["weight_summary"]["mean"] == pytest.approx(6194 / 183)
    assert s["weight_summary"]["max_over_min"] == pytest.approx(67.125529241194698 / 29.870675492684686)
    assert repr(result).startswith("<RakeResult: 183 respondents, converged in")


# -- targets files: YAML quirks and refusals ------------------------------------------------


def test_yaml_keys_match_data_by_their_text(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("margins:\n  group: {1: 0.25, 2: 0.75}\n  answer: {yes: 0.4, no: 0.6}\n"
                    "  score: {1.0: 0.5, 2.5: 0.5}\ntolerance: 1e-10\n", encoding="utf-8")
    targets = read_targets(path)
    assert isinstance(targets, Targets) and targets.tolerance == 1e-10
    assert targets.margins["answer"] == {"yes": 0.4, "no": 0.6} and list(targets.margins["group"]) == ["1", "2"]
    data = pd.DataFrame({"group": [1, 1, 2, 2], "answer": ["yes", "no", "yes", "no"], "score": [1.0, 2.5, 2.5, 1]})
    result = rake(data, path)
    assert result.converged
    assert result.weights.groupby(data["group"]).sum().to_dict() == pytest.approx({1: 1.0, 2: 3.0})


def test_example_targets_file_reads():
    targets = read_targets(EXAMPLE)
    assert targets.units == "shares" and targets.trim == {"lower": 0.3, "upper": 3.0, "max_cycles": 50}
    assert targets.columns == ["channel", "stage", "world_view"] and targets.max_iter == 100


@pytest.mark.parametrize("spec, match", [
    ({"margin": {"a": {"x": 1}}}, "margin: unknown key; expected some of"),
    ({"margins": {"channel": {"store": "half", "online": 0.5}}}, r"margins.channel.store: expected a number >= 0, "
                                                                 "got 'half'"),
    ({"margins": {"channel": {"store": -0.5, "online": 1.5}}}, "margins.channel.store: expected a number >= 0"),
    ({"margins": {"channel": {"store": 0.5, "online": 0.3}}}, "margins.channel: shares sum to 0.8, not 1"),
    ({"units": "counts", "margins": {"channel": {"store": 60, "online": 40}, "stage": {"first": 30, "repeat": 80}}},
     "margins.stage: counts sum to 110 but margins.channel sums to 100"),
    ({"margins": {"channel": {}}}, "margins.channel: empty"),
    ({"margins": {"group": {1: 0.5, "1.0": 0.5}}}, "margins.group: categories 1 and '1.0' are the same category"),
    ({"margins": {}}, "no margins"),
    ({"units": "percent", "margins": {"a": {"x": 1}}}, "units: expected 'shares' or 'counts'"),
    ({"margins": {"a": {"x": 1}}, "trim": {"lower": 1.2}}, "trim.lower: expected a multiple of the mean weight below 1"),
    ({"margins": {"a": {"x": 1}}, "tolerance": 0}, "tolerance: expected a number between 0 and 1"),
    ({"margins": {"a": {"x": 1}}, "max_iter": 0}, "max_iter: expected a whole number >= 1"),
    ({"margins": {"a": {"x": 1}}, "interactions": [{"columns": ["a"], "targets": {}}]},
     r"interactions\[0\].columns: expected a list of two or more columns"),
    ({"margins": {"a": {"x": 0.5, "y": 0.5}},
      "interactions": [{"columns": ["a", "b"], "targets": {"x": {"u": 0.2, "v": 0.2}, "y": {"u": 0.3, "v": 0.3}}}]},
     r"interactions\[0\]: its targets add up to 0.4 for a = 'x', but margins.a gives 0.5"),
])
def test_bad_targets_are_named(spec, match):
    with pytest.raises(TargetsError, match=match):
        read_targets(spec)


def test_bad_targets_file_names_the_file(tmp_path):
    path = tmp_path / "pop.yaml"
    path.write_text("margins:\n  channel: {store: 0.5, store: 0.5}\n", encoding="utf-8")
    with pytest.raises(TargetsError, match="pop.yaml: targets key 'store' appears twice"):
        read_targets(path)
    path.write_text("margins:\n  channel: {store: 0.5, online: 0.4}\n", encoding="utf-8")
    with pytest.raises(TargetsError, match="pop.yaml: margins.channel: shares sum to 0.9") as err:
        read_targets(path)
    assert err.value.key == "margins.channel" and err.value.path == "pop.yaml"
    with pytest.raises(TargetsError, match="targets file .*nope.yaml' not found"):
        read_targets(tmp_path / "nope.yaml")


def _simple():
    return pd.DataFrame({"channel": ["store", "store", "online", "online"], "stage": ["a", "b", "a", "b"]},
                        index=[11, 12, 13, 14])


TWO = {"margins": {"channel": {"store": 0.5, "online": 0.5}, "stage": {"a": 0.5, "b": 0.5}}}


def test_data_problems_are_named():
    data = _simple()
    with pytest.raises(SurveyError, match=r"margin column\(s\) \['stage'\] of <targets> not found in data"):
        rake(data.drop(columns="stage"), TWO)
    blank = data.assign(stage=["a", None, " ", "b"])
    with pytest.raises(SurveyError, match=r"column 'stage': 2 respondent\(s\) have no value \(rows \[12, 13\]\)"):
        rake(blank, TWO)
    with pytest.raises(TargetsError, match=r"margins.stage: value\(s\) \['c'\] of column 'stage' have no target "
                                           r"\(1 respondent\(s\), rows \[14\]\)"):
        rake(data.assign(stage=["a", "b", "a", "c"]), TWO)
    with pytest.raises(TargetsError, match="category 'c' of stage has a target of 0.2 but no respondent"):
        rake(data, {"margins": {"stage": {"a": 0.4, "b": 0.4, "c": 0.2}}})
    with pytest.raises(TargetsError, match="category 'b' of stage has a target of 0 but 2 respondent"):
        rake(data, {"margins": {"stage": {"a": 1.0, "b": 0.0}}})
    # a target of 0 for a category nobody is in is harmless
    assert rake(data, {"margins": {"stage": {"a": 0.3, "b": 0.7, "c": 0.0}}}).converged
    with pytest.raises(SurveyError, match=r"weight of 0 \(rows \[12\]\)"):
        rake(data, TWO, weight=[1.0, 0.0, 1.0, 1.0])
    with pytest.raises(ParameterError, match="weight: weights must be finite and >= 0"):
        rake(data, TWO, weight=[1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ParameterError, match="weight: column 'w' not found in data"):
        rake(data, TWO, weight="w")
    with pytest.raises(ParameterError, match="data: expected a DataFrame"):
        rake([1, 2], TWO)
    with pytest.raises(ParameterError, match="repeated labels"):
        rake(data.set_axis([1, 1, 2, 3]), TWO)


def test_interaction_cells_are_checked():
    data = _simple()
    inter = {"interactions": [{"columns": ["channel", "stage"],
                               "targets": {"store": {"a": 0.2, "b": 0.3}, "online": {"a": 0.1, "b": 0.4}}}]}
    result = rake(data, inter)
    assert result.converged and set(result.margins["category"]) == {"store × a", "store × b", "online × a",
                                                                       "online × b"}
    assert result.weights.tolist() == pytest.approx([0.8, 1.2, 0.4, 1.6])
    short = {"interactions": [{"columns": ["channel", "stage"],
                               "targets": {"store": {"a": 0.2, "b": 0.3}, "online": {"a": 0.5}}}]}
    with pytest.raises(TargetsError, match="category 'online × b' of channel × stage has a target of 0 but 1"):
        rake(data, short)


# -- the survey -------------------------------------------------------------------------


def test_weight_survey_points_every_estimate_at_the_raked_weight(demo):
    weighted, result = weight_survey(demo, EXAMPLE)
    assert weighted.codebook.weight == "rake_weight" and demo.codebook.weight == "weight"  # original unchanged
    assert weighted.weights.name == "rake_weight"
    pd.testing.assert_series_equal(weighted.weights, result.weights)
    share = weighted.weights.groupby(weighted.data["channel"]).sum() / weighted.weights.sum()
    assert share["online"] == pytest.approx(0.28, abs=1e-8) and share["store"] == pytest.approx(0.5, abs=1e-8)
    assert result.start_weights.tolist() == demo.data["weight"].tolist()  # the design weight is the start
    excluded = weighted.audit.rows["status"].to_numpy() == "excluded"
    assert weighted.recoded.loc[excluded, "rake_weight"].isna().all()
    assert weighted.recoded.loc[~excluded, "rake_weight"].notna().all()
    assert len(weighted.data) == len(demo.data) and weighted.data.index.equals(demo.data.index)
    scores = vk.ValueScorer(weighted.codebook).fit_transform(weighted.data)
    vk.summarize_value(scores, weights=weighted.weights)  # downstream estimates take it
    with pytest.raises(ParameterError, match="name: 'rake_weight' is already a column"):
        weight_survey(weighted, EXAMPLE)
    with pytest.raises(ParameterError, match="survey: expected a Survey"):
        weight_survey(demo.data, EXAMPLE)


# -- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_weight_reproduces_r(tmp_path, capsys, suffix):
    codebook = tmp_path / "api.yaml"
    codebook.write_text(API_CODEBOOK, encoding="utf-8")
    targets = tmp_path / "pop.yaml"
    targets.write_text("units: counts\nmargins:\n  stype: {E: 4421, H: 755, M: 1018}\n"
                       "  sch.wide: {No: 1072, Yes: 5122}\ntolerance: 1e-12\n", encoding="utf-8")
    out = tmp_path / f"weighted{suffix}"
    rc = main(["weight", str(DATA / "apiclus1.csv"), "--codebook", str(codebook), "--targets", str(targets),
               "-o", str(out)])
    printed = capsys.readouterr().out
    assert rc == 0 and "converged in" in printed and "design effect (Kish)" in printed and "wrote" in printed
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert list(back.columns) == ["row", "snum", "pw", "rake_weight"]
    api = pd.read_csv(DATA / "apiclus1.csv").set_index("snum").loc[back["snum"]]
    np.testing.assert_allclose(back["rake_weight"], _r_weights(api), rtol=1e-9)
    assert np.average(api["api00"], weights=back["rake_weight"]) == pytest.approx(R_MEAN_API00, rel=1e-9)
    # an existing output needs --force
    assert main(["weight", str(DATA / "apiclus1.csv"), "--codebook", str(codebook), "--targets", str(targets),
                 "-o", str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["weight", str(DATA / "apiclus1.csv"), "--codebook", str(codebook), "--targets", str(targets),
                 "-o", str(out), "--force"]) == 0


def test_cli_weight_demo_matches_python(tmp_path, capsys, demo):
    out = tmp_path / "w.parquet"
    rc = main(["weight", str(vk.DEMO_DATA), "--codebook", str(vk.DEMO_CODEBOOK), "--targets", str(EXAMPLE),
               "-o", str(out)])
    assert rc == 0
    back = pd.read_parquet(out).set_index("row")
    _, result = weight_survey(demo, EXAMPLE)
    assert list(back.columns) == ["respondent_id", "weight", "rake_weight"]
    np.testing.assert_allclose(back["rake_weight"], result.weights.loc[back.index], rtol=1e-12)
    assert "stage × world_view" in capsys.readouterr().out


def test_cli_weight_refusals(tmp_path, capsys):
    export = tmp_path / "export.csv"
    export.write_bytes((DATA / "apiclus1.csv").read_bytes())
    codebook = tmp_path / "api.yaml"
    codebook.write_text(API_CODEBOOK, encoding="utf-8")
    targets = tmp_path / "pop.yaml"
    targets.write_text("units: counts\nmargins:\n  stype: {E: 4421, H: 755, M: 1018}\n", encoding="utf-8")
    base = ["weight", str(export), "--codebook", str(codebook), "--targets", str(targets)]
    assert main([*base, "-o", str(export), "--force"]) == 2
    assert "is DATA, an input of this run; valuekit never writes over an input" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "w.xlsx")]) == 2
    assert "valuekit weight: --output: the weights are written as Parquet (.parquet) or CSV" in capsys.readouterr().err
    targets.write_text("margins:\n  stype: {E: 0.5, H: 0.5}\n", encoding="utf-8")
    assert main([*base, "-o", str(tmp_path / "w.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("valuekit weight: pop.yaml: margins.stype: value(s) ['M'] of column 'stype' have no target")
    assert not (tmp_path / "w.csv").exists()


def test_cli_weight_warns_when_not_converged(tmp_path, capsys):
    codebook = tmp_path / "api.yaml"
    codebook.write_text(API_CODEBOOK, encoding="utf-8")
    targets = tmp_path / "pop.yaml"
    targets.write_text("units: counts\nmargins:\n  stype: {E: 4421, H: 755, M: 1018}\n"
                       "  sch.wide: {No: 1072, Yes: 5122}\nmax_iter: 1\n", encoding="utf-8")
    base = ["weight", str(DATA / "apiclus1.csv"), "--codebook", str(codebook), "--targets", str(targets)]
    assert main([*base, "-o", str(tmp_path / "w.csv")]) == 0
    captured = capsys.readouterr()
    assert "NOT converged" in captured.out
    assert "valuekit weight: warning: raking did not converge" in captured.err
    assert main([*base, "-o", str(tmp_path / "w2.csv"), "--strict"]) == 2
    assert "valuekit weight: pop.yaml: raking did not converge" in capsys.readouterr().err


# -- trimming on the clinic survey: feasible caps converge, infeasible ones are named -------

CLINIC_MARGINS = {"sede": {"Centro": 0.40, "Teatinos": 0.35, "El Palo": 0.25},
                  "canal_cita": {"teléfono": 0.40, "WhatsApp": 0.25, "web": 0.25, "en persona": 0.10},
                  "tipo_paciente": {"habitual": 0.60, "nuevo": 0.40}}


@pytest.fixture(scope="module")
def clinic():
    return vk.load_survey(vk.DATA_DIR / "clinic_survey.csv", codebook=vk.DATA_DIR / "clinic_codebook.yaml")


def _lp_feasible(data, lower, upper):
    # an independent check, one variable per respondent: weights (in mean weights) within
    # the caps whose category sums meet every margin
    from scipy.optimize import linprog
    n = len(data)
    rows = [(data[c] == k).to_numpy(float) for c, m in CLINIC_MARGINS.items() for k in m]
    b = [v * n for m in CLINIC_MARGINS.values() for v in m.values()]
    return linprog(np.zeros(n), A_eq=np.array(rows), b_eq=b, bounds=[(lower, upper)] * n).status == 0


def test_feasible_caps_converge_exactly_within_the_caps(clinic):
    # the audit's case: clip-and-rake-again stopped after 50 cycles with weights 1.3e-7 over the caps
    assert _lp_feasible(clinic.data, 0.7, 2.0)
    untrimmed = rake(clinic.data, {"margins": CLINIC_MARGINS})
    scaled0 = untrimmed.weights / untrimmed.weights.mean()
    assert scaled0.min() < 0.7 and scaled0.max() > 2.0  # the caps bind
    result = rake(clinic.data, {"margins": CLINIC_MARGINS, "trim": {"lower": 0.7, "upper": 2.0}}, strict=True)
    assert result.converged and result.trim_cycles == 1 and result.max_margin_error <= 1e-8
    mean = result.total / len(clinic.data)
    w = result.weights.to_numpy()
    assert w.min() >= 0.7 * mean and w.max() <= 2.0 * mean  # exactly, no slack
    assert result.n_capped == int(((w == 0.7 * mean) | (w == 2.0 * mean)).sum()) > 0
    for col, targets in CLINIC_MARGINS.items():
        achieved = result.weights.groupby(clinic.data[col]).sum() / result.weights.sum()
        for cat, share in targets.items():
            assert achieved[cat] == pytest.approx(share, abs=1e-8)
    # the same weights as the limit of clip-and-rake-again (the former method, run to the end)
    from valuekit.survey.weighting import _build_table, _rake_pass
    table = _build_table(clinic.data, read_targets({"margins": CLINIC_MARGINS}))
    x = untrimmed.weights.to_numpy()
    for _ in range(300):
        x = _rake_pass(np.clip(x, 0.7 * mean, 2.0 * mean), table, 24, len(x), 1e-12, 1000)[0]
    np.testing.assert_allclose(w, x, rtol=1e-6)
    # here the lower cap lifts 90-odd weights: trimming does not always lower the design effect
    assert result.design_effect == pytest.approx(1.11932, abs=1e-5) and untrimmed.design_effect < 1.112


@pytest.mark.parametrize("lower, upper, feasible", [(0.7, 1.8, True), (0.5, 2.0, True), (0.8, 1.6, False),
                                                    (0.75, 1.7, False), (0.8, 2.0, False)])
def test_caps_converge_exactly_when_an_lp_says_they_can(clinic, lower, upper, feasible):
    assert _lp_feasible(clinic.data, lower, upper) is feasible
    result = rake(clinic.data, {"margins": CLINIC_MARGINS, "trim": (lower, upper)})
    assert result.converged is feasible
    if feasible:
        scaled = result.weights / (result.total / len(clinic.data))
        assert scaled.min() >= lower and scaled.max() <= upper and result.max_margin_error <= 1e-8
    else:  # every category's own mean weight is within the caps: only the LP can tell
        assert "cannot be met with these margins" in result.notes[0] and "linear-programming" in result.notes[0]
        assert "allow more" not in result.notes[0] and result.trim_cycles == 0
        assert result.max_margin_error <= 1e-8  # raked, not trimmed
        with pytest.raises(TargetsError, match="^<targets>: raking did not converge: the trim caps") as err:
            rake(clinic.data, {"margins": CLINIC_MARGINS, "trim": (lower, upper)}, strict=True)
        assert str(err.value).count("did not converge") == 1


def test_strict_says_did_not_converge_once():
    data = _cells({("a", "x"): 5, ("b", "y"): 5})
    with pytest.raises(TargetsError) as err:
        rake(data, {"margins": {"row": {"a": 0.5, "b": 0.5}, "col": {"x": 0.3, "y": 0.7}}}, strict=True)
    assert str(err.value).count("raking did not converge") == 1


def test_too_few_cycles_within_feasible_caps_says_allow_more(clinic):
    result = rake(clinic.data, {"margins": CLINIC_MARGINS, "trim": {"lower": 0.7, "upper": 2.0, "max_cycles": 1}},
                  max_iter=8)  # enough for raking (6 sweeps), not within the caps (16)
    assert not result.converged and result.max_margin_error > 1e-8
    assert "the caps can be met" in result.notes[0] and "allow more cycles or sweeps" in result.notes[0]
    scaled = result.weights / (result.total / len(clinic.data))
    assert scaled.min() >= 0.7 and scaled.max() <= 2.0  # the last iterate is within the caps


def test_cli_weight_strict_with_feasible_caps(tmp_path, capsys):
    targets = tmp_path / "t_feas.yaml"
    targets.write_text("margins:\n  sede: {Centro: 0.40, Teatinos: 0.35, El Palo: 0.25}\n"
                       "  canal_cita: {teléfono: 0.40, WhatsApp: 0.25, web: 0.25, en persona: 0.10}\n"
                       "  tipo_paciente: {habitual: 0.60, nuevo: 0.40}\ntrim: {lower: 0.7, upper: 2.0}\n",
                       encoding="utf-8")
    base = ["weight", str(vk.DATA_DIR / "clinic_survey.csv"), "--codebook", str(vk.DATA_DIR / "clinic_codebook.yaml"),
            "--targets", str(targets), "--strict"]
    assert main([*base, "-o", str(tmp_path / "w.csv")]) == 0
    assert "converged in" in capsys.readouterr().out
    targets.write_text(targets.read_text(encoding="utf-8").replace("lower: 0.7, upper: 2.0", "lower: 0.8, upper: 1.6"),
                       encoding="utf-8")
    assert main([*base, "-o", str(tmp_path / "w2.csv")]) == 2
    err = capsys.readouterr().err
    assert "cannot be met with these margins" in err and "allow more" not in err


# -- weights too small to square --------------------------------------------------------------


@pytest.mark.parametrize("tiny", [1e-170, 1e-300, 1e-320])
def test_starting_weights_whose_square_underflows_are_refused(tiny):
    data = _cells({("a", "x"): 3, ("b", "y"): 3})
    targets = {"margins": {"row": {"a": 0.5, "b": 0.5}}}
    with pytest.raises(SurveyError, match=r"6 respondent\(s\) have a weight below 1.49e-154 .*square underflows"):
        rake(data, targets, weight=np.full(6, tiny))
    # just above the limit: raked, with a finite design effect
    result = rake(data, targets, weight=np.full(6, 1e-150))
    assert result.converged and result.design_effect == pytest.approx(1.0) and result.effective_n == pytest.approx(6)


def test_design_effect_of_huge_weights_is_finite():
    data = _cells({("a", "x"): 3, ("b", "y"): 3})
    result = rake(data, {"margins": {"row": {"a": 0.5, "b": 0.5}}}, weight=np.array([1e150, 2e150, 1e150] * 2))
    assert np.isfinite(result.design_effect) and result.design_effect == pytest.approx(6 * 12 / 64)


# -- waves, and the raked weight back into the rest of valuekit -------------------------------


def test_cli_weight_rakes_each_wave(tmp_path, capsys, demo):
    out = tmp_path / "w.csv"
    assert main(["weight", str(vk.DEMO_DATA), "--codebook", str(vk.DEMO_CODEBOOK), "--targets", str(EXAMPLE),
                 "-o", str(out), "--wave-column", "wave"]) == 0
    printed = capsys.readouterr().out
    assert "== wave wave = 1" in printed and "== wave wave = 2" in printed
    back = pd.read_csv(out).set_index("row")
    assert list(back.columns) == ["respondent_id", "weight", "wave", "rake_weight"]
    for wave in (1, 2):
        rows = demo.data[demo.data["wave"] == wave]
        expected = rake(rows, EXAMPLE, weight="weight").weights
        np.testing.assert_allclose(back.loc[expected.index, "rake_weight"], expected, rtol=1e-12)
        w = back.loc[expected.index, "rake_weight"]
        assert (w[rows["channel"] == "online"].sum() / w.sum()) == pytest.approx(0.28, abs=1e-8)
    pooled = rake(demo.data, EXAMPLE, weight="weight").weights
    assert not np.allclose(back.loc[pooled.index, "rake_weight"], pooled)
    assert main(["weight", str(vk.DEMO_DATA), "--codebook", str(vk.DEMO_CODEBOOK), "--targets", str(EXAMPLE),
                 "-o", str(tmp_path / "x.csv"), "--wave-column", "nope"]) == 2
    assert "--wave-column: column 'nope' not found" in capsys.readouterr().err


def test_cli_weight_all_columns_round_trips_into_load_survey(tmp_path, capsys, demo):
    out = tmp_path / "weighted.parquet"
    assert main(["weight", str(vk.DEMO_DATA), "--codebook", str(vk.DEMO_CODEBOOK), "--targets", str(EXAMPLE),
                 "-o", str(out), "--all-columns"]) == 0
    back = pd.read_parquet(out)
    raw = pd.read_csv(vk.DEMO_DATA)
    assert list(back.columns) == [*raw.columns, "rake_weight"] and len(back) == len(raw)
    excluded = ~pd.RangeIndex(1, len(raw) + 1).isin(demo.data.index)
    assert back["rake_weight"][excluded].isna().all() and back["rake_weight"][~excluded].notna().all()
    # the codebook's weight: names the raked weight; every estimate then uses it
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(vk.DEMO_CODEBOOK.read_text(encoding="utf-8").replace("\nweight: weight\n",
                                                                              "\nweight: rake_weight\n"),
                        encoding="utf-8")
    again = vk.load_survey(out, codebook=codebook)
    weighted, _ = weight_survey(demo, EXAMPLE)
    assert again.data.index.equals(weighted.data.index)
    np.testing.assert_allclose(again.weights, weighted.weights, rtol=1e-15)
