"""The command line: `valuekit score`, `weight`, `init`, `report` and `dashboard` as a user runs them
(the refusals of bad arguments are in across/test_parameters.py and test_errors.py)."""

import numpy as np
import pandas as pd
import pytest

from valuekit import DEMO_CODEBOOK, DEMO_DATA, ValueScorer, load_survey
from valuekit.cli import main


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_scores_through_arrow_exactly(tmp_path, capsys, suffix):
    out = tmp_path / f"scores{suffix}"
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(out)]) == 0
    if suffix == ".parquet":
        got = pd.read_parquet(out)
    else:  # every cell as written; an empty one is a missing value
        got = pd.read_csv(out, dtype=str, keep_default_na=False)
        got = got.apply(lambda c: c.mask(c == "")).fillna({"unscored_reason": ""})
        got["row"] = got["row"].astype(int)
        got["respondent_id"] = got["respondent_id"].astype(int)
    survey = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    want = ValueScorer(DEMO_CODEBOOK).fit_transform(survey.data)
    assert got["row"].tolist() == want.index.tolist()
    assert got["respondent_id"].tolist() == survey.data["respondent_id"].tolist()
    for col in ["functional", "time", "benefits", "sacrifices", "value_ratio"]:
        np.testing.assert_array_equal(got[col].to_numpy(float), want[col].to_numpy(float), err_msg=col)
    assert got["verdict"].tolist() == want["verdict"].astype("str").tolist()
    assert got["unscored_reason"].tolist() == want["unscored_reason"].tolist()
    assert list(got.columns)[:2] == ["row", "respondent_id"] and "log_value_ratio" not in got
    assert f"wrote {out}" in capsys.readouterr().out


def test_cli_refuses_other_suffixes(tmp_path, capsys):
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(tmp_path / "s.json")]) == 2
    assert "CSV (.csv) or Parquet (.parquet)" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
