"""The evidence floors: one typed settings object, read from data and checked once."""

from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pandas as pd
import pytest
import yaml

import valuekit as vk
from valuekit.errors import ParameterError
from valuekit.evidence import DEFAULT_EVIDENCE, Evidence, evidence_settings, settings_arg


def test_evidence_settings_file(tmp_path):
    path = tmp_path / "evidence.yaml"
    path.write_text("alpha: 0.01\nmin_effect: 0.5\n", encoding="utf-8")
    s = evidence_settings(path)
    assert (s["alpha"], s["min_effect"], s["adjust"]) == (0.01, 0.5, "fdr_bh")
    path.write_text("alpha: 0.01\nalpha: 0.02\n", encoding="utf-8")
    with pytest.raises(ValueError, match="appears twice"):
        evidence_settings(path)



def test_the_fields_are_the_shipped_file_and_typed():
    shipped = yaml.safe_load(Path(vk.evidence.__file__).with_name("evidence.yaml").read_text(encoding="utf-8"))
    assert [f.name for f in fields(Evidence)] == list(shipped)  # same keys, same order as the file
    for f in fields(Evidence):
        value = DEFAULT_EVIDENCE[f.name]
        assert type(value) is f.metadata["type"], f.name
        assert value == pytest.approx(shipped[f.name]) if f.metadata["type"] is not str else value == shipped[f.name]
    assert DEFAULT_EVIDENCE.min_group_n == 30 and DEFAULT_EVIDENCE.adjust == "fdr_bh"


def test_one_object_read_as_a_dict_too():
    s = evidence_settings(alpha=0.01)
    assert isinstance(s, Evidence) and s.alpha == s["alpha"] == 0.01
    assert dict(s)["strong_p"] == 0.001 and len(s) == len(fields(Evidence))
    assert pd.Series(s).loc["min_effect"] == 0.3
    with pytest.raises(KeyError):
        s["alfa"]
    with pytest.raises(FrozenInstanceError):
        s.alpha = 0.5
    assert s.replace(min_effect=0.2).min_effect == 0.2 and s.min_effect == 0.3


def test_checked_once_then_passed_through():
    s = evidence_settings(min_effect=0.2)
    assert settings_arg(s) is s and evidence_settings(s) is s
    assert settings_arg(None) is DEFAULT_EVIDENCE
    assert settings_arg({"alpha": 0.01}) == evidence_settings(alpha=0.01)
    with pytest.raises(ParameterError, match="None, Evidence or a dict"):
        settings_arg([("alpha", 0.01)])


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("changes, match", [
    ({"min_group_n": 2.5}, "'min_group_n': expected a whole number >= 1"),
    ({"alpha": True}, "'alpha': expected a number"),
    ({"min_adj_r2": float("nan")}, "'min_adj_r2': expected a number, got nan"),
    ({"adjust": "bh"}, "'adjust': expected one of"),
    ({"max_std_loading": 1.5}, "'max_std_loading': expected a number above 0, at most 1"),
    ({"strong_p": 0.2}, "'strong_p' .* is above 'alpha'"),
])
def test_a_bad_field_is_named_whichever_way_it_is_built(changes, match):
    with pytest.raises(ParameterError, match=match):
        evidence_settings(**changes)
    with pytest.raises(ParameterError, match=match):
        DEFAULT_EVIDENCE.replace(**changes)
    with pytest.raises(ParameterError, match=match):
        Evidence(**{**DEFAULT_EVIDENCE, **changes})
