"""Known answers from pingouin / R psych, and omega against alpha where theory fixes it."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuekit import Codebook
from valuekit.config import PROJ_ROOT
from valuekit.measure.reliability import cronbach_alpha, item_statistics, mcdonald_omega, reliability

WIDE_MISSING = PROJ_ROOT / "tests" / "data" / "cronbach_wide_missing.csv"


@pytest.fixture
def wide_missing():
    return pd.read_csv(WIDE_MISSING)


def test_alpha_pairwise_matches_pingouin_and_psych(wide_missing):
    # pingouin: pg.cronbach_alpha(data) -> (0.732661, array([0.435, 0.909]))
    # In R: psych::alpha(data, use="pairwise")
    row = cronbach_alpha(wide_missing).iloc[0]
    assert row["alpha"] == pytest.approx(0.732661, abs=1e-6)
    assert row["n"] == 12 and row["k"] == 11
    assert round(row["ci_low"], 3) == 0.435 and round(row["ci_high"], 3) == 0.909


def test_alpha_listwise_matches_pingouin_and_psych(wide_missing):
    # pingouin: pg.cronbach_alpha(data, nan_policy="listwise") -> 0.801695
    # In R: psych::alpha(data, use="complete.obs")
    row = cronbach_alpha(wide_missing, nan_policy="listwise").iloc[0]
    assert row["alpha"] == pytest.approx(0.801695, abs=1e-6)
    # The Feldt interval uses the 9 complete respondents (pingouin 0.7 uses all 12 rows
    # here and reports [0.581, 0.933]; with n = 9 the interval is wider).
    assert row["n"] == 9
    df1, df2 = 8, 8 * 10
    assert row["ci_low"] == pytest.approx(1 - (1 - 0.801695) * stats.f.isf(0.025, df1, df2), abs=1e-6)


def _congeneric(loadings, n=20000, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    return pd.DataFrame({f"q{i}": l * f + rng.normal(scale=np.sqrt(1 - l ** 2), size=n)
                         for i, l in enumerate(loadings)})


def test_omega_equals_alpha_for_tau_equivalent_items():
    data = _congeneric([0.7, 0.7, 0.7, 0.7, 0.7])
    std_alpha = cronbach_alpha(data)["std_alpha"][0]
    assert mcdonald_omega(data) == pytest.approx(std_alpha, abs=0.003)
    # population value: 5 * .49 / (5 * .49 + 5 * .51) ... omega = (3.5)^2 / (3.5^2 + 2.55)
    assert mcdonald_omega(data) == pytest.approx(3.5 ** 2 / (3.5 ** 2 + 5 * 0.51), abs=0.005)


def test_omega_exceeds_alpha_for_unequal_loadings():
    lam = np.array([0.9, 0.8, 0.4, 0.3, 0.2])
    data = _congeneric(lam)
    omega, alpha = mcdonald_omega(data), cronbach_alpha(data)["std_alpha"][0]
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam ** 2))
    assert omega == pytest.approx(expected, abs=0.01)
    assert omega - alpha > 0.03


def test_item_statistics_reverse_item_shows_negative_item_rest():
    data = _congeneric([0.8, 0.8, 0.8, 0.8])
    data["q3"] = -data["q3"]  # forgot to reverse-code
    table = item_statistics(data).set_index("item")
    assert table.loc["q3", "item_rest_r"] < -0.5
    assert table.loc["q3", "alpha_if_deleted"] > cronbach_alpha(data)["alpha"][0]
    # alpha-if-deleted is alpha on the other items
    assert table.loc["q0", "alpha_if_deleted"] == pytest.approx(
        cronbach_alpha(data.drop(columns="q0"))["alpha"][0], abs=1e-12)


def test_degenerate_blocks_say_why():
    one = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    assert np.isnan(one["alpha"][0]) and "single item" in one["note"][0]
    single_row = cronbach_alpha(pd.DataFrame({"a": [1], "b": [2]}))
    assert np.isnan(single_row["alpha"][0]) and "1 respondent" in single_row["note"][0]
    constant = cronbach_alpha(pd.DataFrame({"a": [3, 3, 3, 3], "b": [1, 2, 3, 4], "c": [2, 2, 3, 4]}))
    assert "constant item(s) ['a']" in constant["note"][0]
    assert np.isnan(constant["std_alpha"][0])
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2]}), nan_policy="drop")


def test_reliability_per_block_reverse_codes(small_frame, codebook_dict):
    rng = np.random.default_rng(3)
    f = small_frame.astype({c: float for c in ["f1", "f2", "e1", "e2"]})
    latent = rng.normal(4, 1.2, len(f))
    f["f1"] = np.clip(np.round(latent + rng.normal(0, 0.5, len(f))), 1, 7)
    f["f2"] = 8 - np.clip(np.round(latent + rng.normal(0, 0.5, len(f))), 1, 7)  # reverse-keyed
    table = reliability(f, Codebook.from_dict(codebook_dict)).set_index("block")
    assert table.loc["functional", "alpha"] > 0.7  # high only because f2 was reverse-coded first
    assert table.loc["money", "note"].startswith("a single item")
    assert list(table.index) == ["functional", "economic", "money", "risk"]
    items = reliability(f, Codebook.from_dict(codebook_dict), items=True)
    assert items.loc[items["item"] == "f2", "label"].item() == "Hard to use"


def test_a_block_keyed_in_opposite_directions_says_so(small_frame, codebook_dict, capsys, tmp_path):
    """Two items at r = -0.69: alpha is -4.5 (psych's and pingouin's number too), and one
    factor's loadings cancel out (omega would be 0). Neither is a reliability: the note says
    to check the reverse keys and omega is NaN, not 0."""
    rng = np.random.default_rng(11)
    latent = rng.normal(size=300)
    a = np.clip(np.round(4 + 1.5 * (latent + rng.normal(0, 0.6, 300))), 1, 7)
    b = np.clip(np.round(4 - 1.5 * (latent + rng.normal(0, 0.6, 300))), 1, 7)
    data = pd.DataFrame({"a": a, "b": b})
    row = cronbach_alpha(data).iloc[0]
    assert row["alpha"] < -1 and row["std_alpha"] < -1  # computed, as psych::alpha(x, check.keys=FALSE)
    assert row["note"].startswith("negative average inter-item covariance (mean r = -0.")
    assert "check reverse keys" in row["note"]
    assert np.isnan(mcdonald_omega(data))
    assert mcdonald_omega(data.assign(b=8 - data["b"])) > 0.7  # reverse-keyed: a reliability again
    # f2 agrees with f1 as answered, but the codebook reverse-keys it: a wrong reverse key
    f = small_frame.assign(f1=a[:40], f2=8 - b[:40])
    table = reliability(f, Codebook.from_dict(codebook_dict)).set_index("block")
    assert table.loc["functional", "alpha"] < 0 and np.isnan(table.loc["functional", "omega"])
    assert "check reverse keys" in table.loc["functional", "note"]
    # the command prints no omega for it, and the note
    from valuekit.cli import main

    f.to_csv(tmp_path / "export.csv", index=False)
    import yaml

    (tmp_path / "cb.yaml").write_text(yaml.safe_dump(codebook_dict))
    assert main(["reliability", str(tmp_path / "export.csv"), "--codebook", str(tmp_path / "cb.yaml")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "functional" in x)
    assert "0.000" not in line and "check reverse keys; no omega" in line


def test_item_nobody_answered_says_why():
    table = cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 5], "c": np.nan}))
    assert np.isnan(table["alpha"][0]) and "['c'] answered by fewer than 2 respondents" in table["note"][0]


def test_weak_items_flags_a_forgotten_reverse_key():
    from valuekit.measure.reliability import weak_items

    data = _congeneric([0.8, 0.8, 0.8, 0.8])
    data["q3"] = -data["q3"]
    blocks = cronbach_alpha(data).assign(block="b")
    items = item_statistics(data).assign(block="b")
    assert weak_items(items, blocks)["item"].tolist() == ["q3"]


def test_reliability_from_the_command_line(capsys):
    """`valuekit reliability --json` prints what reliability() computes; --facets splits blocks."""
    import json

    from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
    from valuekit.cli import main
    from valuekit.measure.reliability import reliability

    assert main(["reliability", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    expected = reliability(survey.data, survey.codebook)
    assert got["respondents"] == len(survey.data) and [r["block"] for r in got["rows"]] == expected["block"].tolist()
    assert [r["alpha"] for r in got["rows"]] == pytest.approx(expected["alpha"].tolist(), abs=1e-12)
    assert main(["reliability", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--facets"]) == 0
    text = capsys.readouterr().out
    facets = reliability(survey.data, survey.codebook, facets=True)
    assert len(facets) == 16 and facets.loc[facets["facet"] == "ease_of_use", "k"].item() == 2
    assert "ease_of_use" in text and "a single item: alpha needs at least 2 items" in text
    risk = facets[facets["block"] == "risk"]
    assert risk["alpha"].isna().all() and len(risk) == 3


# -- psych's forms, the mean policy, and the one-pass moments -------------------------------

# 20 respondents x 5 Likert items, 11 answers missing (no respondent skipped every item).
# The reference numbers below were printed by R 4.2.2 with psych 2.2.9 on this table:
#   x <- read.csv("small.csv")      # this frame, NA for the missing answers
#   a <- psych::alpha(x)            # use = "pairwise" (the default)
#   m <- psych::alpha(x, impute = "mean")
#   l <- psych::alpha(x, use = "complete.obs")
#   f <- psych::fa(x, nfactors = 1, fm = "minres")
#   o1 <- psych::omega(x, nfactors = 1); o3 <- psych::omega(x)
# printed with sprintf("%.10f", ...).
PSYCH_SMALL = [
    [4, np.nan, 3, 6, 7], [7, 6, 4, 6, 3], [6, 7, 6, 5, 5], [2, np.nan, 3, 3, 1], [4, 4, 3, 4, 5],
    [3, 6, 4, 3, 5], [np.nan, 3, 3, 3, 2], [5, 4, 4, 6, 5], [2, 3, 3, 2, 1], [np.nan, 7, 7, np.nan, 5],
    [5, 7, 4, 5, 6], [2, np.nan, np.nan, 1, 3], [5, 5, 2, np.nan, np.nan], [2, 2, 3, 5, 4], [3, 4, 5, np.nan, 3],
    [5, 3, 5, 3, 4], [4, 3, 3, np.nan, 5], [2, 2, 3, 4, 3], [4, 5, 4, 7, 6], [7, 5, 5, 5, 3],
]


@pytest.fixture
def psych_small():
    return pd.DataFrame(PSYCH_SMALL, columns=["v1", "v2", "v3", "v4", "v5"], dtype=float)


def test_pairwise_matches_psych_alpha_and_cov2cor_std_alpha(psych_small):
    # a$total$raw_alpha, a$total$std.alpha
    default = cronbach_alpha(psych_small).iloc[0]
    psych_form = cronbach_alpha(psych_small, std_alpha_from="cov2cor").iloc[0]
    assert default["alpha"] == pytest.approx(0.7973271630, abs=1e-9)
    assert psych_form["alpha"] == default["alpha"]
    assert psych_form["std_alpha"] == pytest.approx(0.7939923191, abs=1e-9)
    # the default uses the pairwise correlations (pandas DataFrame.corr), not cov2cor
    r = psych_small.corr().to_numpy()[np.triu_indices(5, 1)].mean()
    assert default["std_alpha"] == pytest.approx(5 * r / (1 + 4 * r), abs=1e-12)
    assert default["std_alpha"] - psych_form["std_alpha"] > 0.01
    # a$item.stats$r.drop, a$alpha.drop$raw_alpha, a$item.stats$mean, a$item.stats$sd
    items = item_statistics(psych_small)
    assert items["item_rest_r"].tolist() == pytest.approx(
        [0.6655782867, 0.6533818835, 0.4280040580, 0.6093771921, 0.5435557403], abs=1e-9)
    assert items["alpha_if_deleted"].tolist() == pytest.approx(
        [0.7293580997, 0.7335098368, 0.8003261449, 0.7486857887, 0.7704723316], abs=1e-9)
    assert items["mean"].tolist() == pytest.approx([4.0, 4.4705882353, 3.8947368421, 4.25, 4.0], abs=1e-9)
    assert items["sd"].tolist() == pytest.approx(
        [1.6803361008, 1.6999134926, 1.2425214884, 1.6532795690, 1.6666666667], abs=1e-9)
    assert items["n"].tolist() == [18, 17, 19, 16, 19]


def test_listwise_matches_psych_complete_obs(psych_small):
    # l$total$raw_alpha, l$total$std.alpha
    for form in ("corr", "cov2cor"):
        row = cronbach_alpha(psych_small, nan_policy="listwise", std_alpha_from=form).iloc[0]
        assert row["n"] == 12
        assert row["alpha"] == pytest.approx(0.7878933461, abs=1e-9)
        assert row["std_alpha"] == pytest.approx(0.7972212306, abs=1e-9)
    # l$item.stats$r.drop (printed to 8 digits), l$alpha.drop$raw_alpha
    items = item_statistics(psych_small, nan_policy="listwise")
    assert items["item_rest_r"].tolist() == pytest.approx(
        [0.65681901, 0.69261610, 0.61254070, 0.50405976, 0.45454191], abs=1e-8)
    assert items["alpha_if_deleted"].tolist() == pytest.approx(
        [0.7173882584, 0.7019325716, 0.7556234097, 0.7670250896, 0.7819879187], abs=1e-9)
    # psych's l$item.stats mean / sd are over all of an item's answers (the pairwise ones);
    # valuekit's over the 12 complete respondents its statistics use
    assert items["n"].tolist() == [12] * 5 and items["mean"][0] == pytest.approx(4.333333333, abs=1e-9)


def test_mean_policy_matches_psych_impute_mean(psych_small):
    # m$total$raw_alpha, m$total$std.alpha, m$item.stats$r.drop, m$alpha.drop$raw_alpha,
    # m$item.stats$sd and $n
    row = cronbach_alpha(psych_small, nan_policy="mean").iloc[0]
    assert row["n"] == 20
    assert row["alpha"] == pytest.approx(0.7592015350, abs=1e-9)
    assert row["std_alpha"] == pytest.approx(0.7571756972, abs=1e-9)
    assert cronbach_alpha(psych_small, nan_policy="mean", std_alpha_from="cov2cor")["std_alpha"][0] == \
        pytest.approx(0.7571756972, abs=1e-9)
    items = item_statistics(psych_small, nan_policy="mean")
    assert items["item_rest_r"].tolist() == pytest.approx(
        [0.5958281155, 0.5841082476, 0.4081738812, 0.5438470447, 0.5082627257], abs=1e-9)
    assert items["alpha_if_deleted"].tolist() == pytest.approx(
        [0.6897550948, 0.6944864429, 0.7534870874, 0.7099712798, 0.7240835712], abs=1e-9)
    assert items["sd"].tolist() == pytest.approx(
        [1.5894388285, 1.5599476057, 1.2093816098, 1.4689774460, 1.6222142113], abs=1e-9)
    assert items["n"].tolist() == [20] * 5


def test_omega_is_psych_one_factor_minres_with_the_model_total(psych_small):
    from valuekit.measure.reliability import _one_factor_loadings

    R = psych_small.corr().to_numpy()  # psych's fa / omega use cor(x, use = "pairwise") too
    lam = _one_factor_loadings(R)
    # as.vector(f$loadings): the same one-factor solution, to psych's optimizer tolerance
    assert lam.tolist() == pytest.approx([0.7815194347, 0.8045292199, 0.5518083492, 0.6498464264, 0.5888377948],
                                         abs=1e-6)
    omega = mcdonald_omega(psych_small)
    # sum(l)^2 / (sum(l)^2 + sum(f$uniquenesses)) from psych's loadings
    assert omega == pytest.approx(0.8103384341, abs=1e-7)
    # o1$omega.tot = 1 - sum(u^2) / sum(R): the same uniquenesses over the OBSERVED total
    # (sum(R) = 14.0577959675) instead of the model's (sum l)^2 + sum(u^2)
    assert R.sum() == pytest.approx(14.0577959675, abs=1e-9)
    assert 1 - np.sum(1 - lam ** 2) / R.sum() == pytest.approx(0.8101809606, abs=1e-7)
    assert omega - 0.8101809606 == pytest.approx(1.57e-4, abs=1e-6)
    # o3$omega.tot, psych's default (Schmid-Leiman, 3 group factors), is another quantity
    assert abs(omega - 0.9048604657) > 0.09


def test_mean_policy_by_hand():
    # a: mean 2, b: mean 3, c: mean 2; imputed, the deviations are
    # a [-1, 1, 0, 0], b [-2, 2, 0, 0], c [0, 0, -1, 1]: C = [[2/3, 4/3, 0], [4/3, 8/3, 0], [0, 0, 2/3]],
    # alpha = 3/2 (1 - 4 / (20/3)) = 0.6; r(a, b) = 1, the others 0: std alpha = 1 / (5/3) = 0.6
    data = pd.DataFrame({"a": [1, 3, np.nan, 2], "b": [1, 5, 3, np.nan], "c": [np.nan, 2, 1, 3]})
    row = cronbach_alpha(data, nan_policy="mean").iloc[0]
    assert (row["k"], row["n"], row["note"]) == (3, 4, "")
    assert row["alpha"] == pytest.approx(0.6, abs=1e-12)
    assert row["std_alpha"] == pytest.approx(0.6, abs=1e-12)
    items = item_statistics(data, nan_policy="mean")
    assert items["n"].tolist() == [4, 4, 4]
    assert items["mean"].tolist() == pytest.approx([2, 3, 2], abs=1e-12)
    assert items["sd"].tolist() == pytest.approx(np.sqrt([2 / 3, 8 / 3, 2 / 3]), abs=1e-12)


def test_mean_policy_is_listwise_on_the_mean_imputed_frame(psych_small):
    data = psych_small.copy()
    data.loc[len(data)] = np.nan  # answered nothing: left out, as in every policy
    imputed = data.dropna(how="all").fillna(data.mean())
    pd.testing.assert_frame_equal(cronbach_alpha(data, nan_policy="mean"),
                                  cronbach_alpha(imputed, nan_policy="listwise"), rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(item_statistics(data, nan_policy="mean"),
                                  item_statistics(imputed, nan_policy="listwise"), rtol=0, atol=1e-12)
    assert mcdonald_omega(data, nan_policy="mean") == pytest.approx(mcdonald_omega(imputed), abs=1e-12)
    # Imputing the whole frame instead (SmartPLS, seminr, psych) keeps the empty respondent at
    # every item's mean: n, the interval and the sd change; alpha, std alpha, omega and the
    # item correlations do not.
    everyone = data.fillna(data.mean())
    ours, theirs = cronbach_alpha(data, nan_policy="mean").iloc[0], cronbach_alpha(everyone).iloc[0]
    assert (ours["n"], theirs["n"]) == (20, 21)
    assert theirs["alpha"] == pytest.approx(ours["alpha"], abs=1e-12)
    assert theirs["std_alpha"] == pytest.approx(ours["std_alpha"], abs=1e-12)
    assert mcdonald_omega(everyone) == pytest.approx(mcdonald_omega(data, nan_policy="mean"), abs=1e-10)
    assert item_statistics(everyone)["item_rest_r"].tolist() == pytest.approx(
        item_statistics(data, nan_policy="mean")["item_rest_r"].tolist(), abs=1e-12)


def test_mean_policy_item_nobody_answered_says_why():
    data = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, np.nan, 4, 5], "c": np.nan})
    row = cronbach_alpha(data, nan_policy="mean").iloc[0]
    assert np.isnan(row["alpha"]) and "['c'] answered by fewer than 2 respondents" in row["note"]
    assert item_statistics(data, nan_policy="mean")["n"].tolist() == [4, 4, 0]


def test_moments_match_pandas_pairwise_over_many_chunks():
    """The one-pass moments are DataFrame.cov() / .corr(), NaNs and zero variances included."""
    from valuekit.measure.reliability import _CHUNK_ROWS, _moments

    rng = np.random.default_rng(7)
    n = 3 * _CHUNK_ROWS + 17
    first_half = np.arange(n) < n // 2
    X = np.clip(np.rint(4 + rng.normal(size=(n, 1)) + rng.normal(size=(n, 6))), 1, 7)
    X[rng.random(X.shape) < 0.08] = np.nan
    X[first_half, 2] = np.nan  # item 2 only in the second half ...
    X[~first_half, 5] = np.nan  # ... item 5 only in the first: never answered together
    X[~np.isnan(X[:, 4]), 3] = 2.5  # item 3 is constant wherever item 4 was answered
    frame = pd.DataFrame(X)
    mom = _moments(np.asfortranarray(X), "pairwise")
    assert np.isnan(mom.cov[2, 5]) and mom.cov[3, 4] == 0 and np.isnan(mom.corr[3, 4])
    np.testing.assert_allclose(mom.cov, frame.cov().to_numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(mom.corr, frame.corr().to_numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(np.isnan(mom.corr), np.isnan(frame.corr().to_numpy()))
    assert mom.count.tolist() == frame.notna().sum().tolist()
    np.testing.assert_allclose(mom.mean, frame.mean().to_numpy(), rtol=1e-13)
    listwise = _moments(np.asfortranarray(X[:, [0, 1, 2]]), "listwise")
    complete = frame[[0, 1, 2]].dropna()
    assert listwise.n == len(complete)
    np.testing.assert_allclose(listwise.cov, complete.cov().to_numpy(), rtol=1e-12)


def test_constant_item_is_exactly_constant_with_complete_data():
    # 3.7 is not a binary fraction: a two-pass variance leaves ~1e-31 behind; a constant is 0
    data = pd.DataFrame({"a": [3.7] * 30, "b": np.arange(30.0) % 7, "c": np.arange(30.0) % 5})
    row = cronbach_alpha(data).iloc[0]
    assert row["note"] == "constant item(s) ['a']: zero variance" and np.isnan(row["std_alpha"])
    assert np.isnan(item_statistics(data).set_index("item").loc["a", "item_rest_r"])


def test_options_are_checked():
    with pytest.raises(ValueError, match=r"nan_policy must be one of \['pairwise', 'listwise', 'mean'\]"):
        item_statistics(pd.DataFrame({"a": [1, 2]}), nan_policy="impute")
    with pytest.raises(ValueError, match=r"std_alpha_from must be one of \['corr', 'cov2cor'\], got 'psych'"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2], "b": [2, 1]}), std_alpha_from="psych")


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise", "mean"])
def test_reliability_equals_the_per_block_functions(nan_policy):
    """reliability() computes each block's moments once; the public functions agree with it."""
    from valuekit import DEMO_CODEBOOK, DEMO_DATA, load_survey
    from valuekit.measure.scoring import item_matrix

    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    cb = survey.codebook
    X = pd.DataFrame(item_matrix(survey.data, cb), columns=cb.value_items)
    blocks = reliability(survey.data, cb, nan_policy=nan_policy, std_alpha_from="cov2cor").set_index("block")
    items = reliability(survey.data, cb, nan_policy=nan_policy, items=True)
    for block in cb.dimensions + cb.sacrifices:
        cols = cb.block_items(block)
        expected = cronbach_alpha(X[cols], nan_policy=nan_policy, std_alpha_from="cov2cor").iloc[0]
        got = blocks.loc[block]
        assert got["k"] == expected["k"] and got["n"] == expected["n"] and got["note"] == expected["note"]
        for col in ("alpha", "ci_low", "ci_high", "std_alpha"):
            assert got[col] == pytest.approx(expected[col], abs=1e-12, nan_ok=True)
        if not got["note"]:
            assert got["omega"] == pytest.approx(mcdonald_omega(X[cols], nan_policy=nan_policy), abs=1e-12)
        mine = items[items["block"] == block].drop(columns=["block", "label"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, item_statistics(X[cols], nan_policy=nan_policy), rtol=0, atol=1e-12)
