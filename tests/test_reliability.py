"""Known answers from pingouin / R psych, and omega against alpha where theory fixes it."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from valuekit import Codebook
from valuekit.reliability import cronbach_alpha, item_statistics, mcdonald_omega, reliability
from valuekit.config import PROJ_ROOT

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


def test_item_nobody_answered_says_why():
    table = cronbach_alpha(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 5], "c": np.nan}))
    assert np.isnan(table["alpha"][0]) and "['c'] answered by fewer than 2 respondents" in table["note"][0]


def test_weak_items_flags_a_forgotten_reverse_key():
    from valuekit.reliability import weak_items

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
    from valuekit.reliability import reliability

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
