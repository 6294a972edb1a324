"""Instruments other than the value survey valuekit was first built on: benefits-only,
multi-item outcomes, a constructs: section, other columns, no id (tests/instruments.py)."""

import json

import numpy as np
import pandas as pd
import pytest
from instruments import PLANTED_MISSING, benefits_only

import valuekit as vk
from valuekit import Codebook, CodebookError, NoSacrificesError
from valuekit.analyse.drivers import key_drivers
from valuekit.analyse.segments import ValueSegmenter, segment_profiles, share_destroyed, where_value_is_destroyed
from valuekit.cli import main
from valuekit.measure.scoring import ValueScorer, scored_mask, summarize_value


@pytest.fixture(scope="module")
def mobile(tmp_path_factory):
    return benefits_only(tmp_path_factory.mktemp("mobile"))


@pytest.fixture(scope="module")
def survey(mobile):
    return vk.load_survey(mobile[0], codebook=mobile[1])


def test_every_column_named_is_audited_and_every_row_kept(survey):
    audit = survey.audit
    assert audit.rows_in == 250 == audit.rows_kept + audit.rows_excluded
    missing = audit.columns.set_index("column")["missing_code"]
    for col, k in PLANTED_MISSING.items():  # outcome items and other columns too
        assert missing[col] == k
    assert set(survey.codebook.columns()) - {"plan"} <= set(audit.columns["column"])
    assert not audit.settings["id_checked"]


def test_multi_item_outcomes_and_constructs_are_scored_as_means(survey, mobile):
    cb = survey.codebook
    assert cb.outcomes == {"satisfaction": "satisfaction", "repurchase": "repurchase"}
    assert cb.constructs == {"trust": ["trust_1", "trust_2", "trust_3"]}
    assert list(cb.scales) == ["satisfaction", "repurchase", "trust"]
    raw = pd.read_csv(mobile[0]).replace(-99, np.nan)
    raw.index = survey.data.index
    # by hand: trust_3 reverse-keyed on 1-10; cusl_3 on 1-5 mapped onto 1-10 (1 + (x - 1) * 9 / 4)
    trust = pd.concat([raw["trust_1"], raw["trust_2"], 11 - raw["trust_3"]], axis=1).mean(axis=1)
    np.testing.assert_allclose(survey.data["trust"], trust, rtol=0, atol=1e-12)
    rep = pd.concat([raw["cusl_1"], raw["cusl_2"], 1 + (raw["cusl_3"] - 1) * 9 / 4], axis=1)
    np.testing.assert_allclose(survey.data["repurchase"], rep.mean(axis=1), rtol=0, atol=1e-12)
    assert survey.data["satisfaction"].notna().all()  # one of three missing still leaves two
    assert cb.label("trust", "es") == "Confianza" and cb.outcome_column("trust") == "trust"
    with pytest.raises(ValueError, match="neither an outcome nor a construct"):
        cb.outcome_column("loyalty")


def test_benefits_only_scores_without_a_ratio_and_says_so(survey):
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    assert list(scores.columns) == ["functional", "economic", "experiential", "symbolic", "benefits",
                                    "unscored_reason"]
    assert scored_mask(scores).all() and (scores["unscored_reason"] == "").all()
    np.testing.assert_allclose(scores["benefits"], scores[survey.codebook.dimensions].mean(axis=1), atol=1e-12)
    for call in (lambda: summarize_value(scores), lambda: share_destroyed(scores, scores["functional"] > 5),
                 lambda: where_value_is_destroyed(scores, scores["functional"] > 5, codebook=survey.codebook),
                 lambda: vk.build_engine(survey)):
        with pytest.raises(NoSacrificesError, match="no sacrifices were measured in this survey"):
            call()


def test_benefits_only_segments_and_drivers(survey):
    cb = survey.codebook
    scores = ValueScorer(cb).fit_transform(survey.data)
    segments = ValueSegmenter(cb, n_segments=3, random_state=0).fit(scores).labels_
    profiles = segment_profiles(scores, segments, codebook=cb, data=survey.data)
    assert "value_ratio" not in profiles and "share_destroyed" not in profiles
    assert {"outcome_satisfaction", "outcome_repurchase", "benefits"} <= set(profiles.columns)
    data = scores.join(survey.data[["satisfaction", "trust"]])
    table = key_drivers(data, "satisfaction", cb.dimensions, codebook=cb, n_boot=50, random_state=0)
    top = table.sort_values("share", ascending=False)["driver"].tolist()[:2]
    assert sorted(top) == ["experiential", "functional"]  # the planted drivers
    trust = key_drivers(data, cb.outcome_column("trust"), cb.dimensions, codebook=cb, n_boot=0)
    assert trust.sort_values("share")["driver"].iloc[-1] == "functional"  # a construct as the outcome


def test_score_cli_on_a_benefits_only_survey(mobile, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", str(mobile[0]), "--codebook", str(mobile[1]), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "no sacrifices measured" in printed and "verdicts" not in printed
    written = pd.read_csv(out)
    assert len(written) == 250 and "value_ratio" not in written and "benefits" in written
    # the multi-item outcomes and the construct are written beside the scores, as loaded
    survey = vk.load_survey(mobile[0], codebook=mobile[1])
    for name in ("satisfaction", "repurchase", "trust"):
        np.testing.assert_allclose(written[name], survey.data[name], rtol=0, atol=1e-12)
    assert list(written.columns)[:4] == ["row", "satisfaction", "repurchase", "trust"]


def test_codebook_errors_of_the_new_sections():
    base = {"scale": {"min": 1, "max": 7}, "benefits": {"functional": ["f"]}}
    with pytest.raises(CodebookError, match=r"'constructs.trust': its score is added to the data as a column "
                                            r"'trust', but 'trust' is a column of the export"):
        Codebook.from_dict({**base, "constructs": {"trust": ["t1", "t2"]}, "other": ["trust"]})
    with pytest.raises(CodebookError, match=r"'constructs.money': 'money' is a dimension, sacrifice or outcome"):
        Codebook.from_dict({**base, "constructs": {"money": ["t1", "t2"]}})
    with pytest.raises(CodebookError, match=r"'constructs.trust\[1\]': column 'f' is already listed"):
        Codebook.from_dict({**base, "constructs": {"trust": ["t1", "f"]}})
    with pytest.raises(CodebookError, match=r"'constructs': expected a mapping of construct names"):
        Codebook.from_dict({**base, "constructs": ["t1", "t2"]})
    one = Codebook.from_dict({**base, "outcomes": {"satisfaction": ["s1"]}})  # a list of one: the column itself
    assert one.outcomes == {"satisfaction": "s1"} and one.scales == {}


def test_a_scored_name_clashing_with_an_export_column_is_an_error(tmp_path):
    frame = pd.DataFrame({"f": [1, 2], "t1": [1, 2], "t2": [2, 3], "trust": [0, 0]})
    path = tmp_path / "clash.csv"
    frame.to_csv(path, index=False)
    cb = {"scale": {"min": 1, "max": 7}, "benefits": {"functional": ["f"]}, "constructs": {"trust": ["t1", "t2"]}}
    with pytest.raises(CodebookError, match=r"already has column\(s\) \['trust'\]"):
        vk.load_survey(path, codebook=cb)


@pytest.mark.slow
def test_report_skips_the_notebooks_that_need_sacrifices(mobile, tmp_path):
    import nbformat

    from valuekit.report import notebook_sequence, run_report

    lines = []
    written = run_report(mobile[0], mobile[1], tmp_path / "out", progress=lines.append)
    assert [h.stem for h in written] == [p.stem for p in notebook_sequence()]
    skipped = [h.stem for h in written if not h.with_suffix(".ipynb").exists()]
    assert skipped == ["04_where_value_is_destroyed", "06_value_playbook", "07_what_if", "08_tracking"]
    assert "no sacrifices were measured in this survey" in (tmp_path / "out" / "06_value_playbook.html").read_text()
    text = {}
    for html in written:
        if html.stem in skipped:
            continue
        nb = nbformat.read(html.with_suffix(".ipynb"), as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        text[html.stem] = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "The value ratio weighs benefits against sacrifices, but no sacrifices were measured" \
        in text["02_value_dimensions"]
    assert "outcome: Satisfaction" in text["05_drivers_and_comparisons"]


def test_reliability_of_multi_item_outcomes_and_constructs(survey, mobile, capsys):
    from valuekit.measure.reliability import cronbach_alpha, reliability

    table = reliability(survey.data, survey.codebook).set_index("block")
    assert table.loc[["satisfaction", "repurchase", "trust"], "role"].tolist() == ["outcome", "outcome", "construct"]
    raw = survey.data[["trust_1", "trust_2", "trust_3"]].copy()
    raw["trust_3"] = 11 - raw["trust_3"]  # reverse-keyed on 1-10
    assert table.loc["trust", "alpha"] == pytest.approx(float(cronbach_alpha(raw)["alpha"][0]), abs=1e-12)
    assert table.loc["trust", "alpha"] > 0.7  # planted: three items of one factor
    items = reliability(survey.data, survey.codebook, items=True)
    assert set(items.loc[items["block"] == "repurchase", "item"]) == {"cusl_1", "cusl_2", "cusl_3"}
    assert main(["reliability", str(mobile[0]), "--codebook", str(mobile[1]), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["role"], r["block"]) for r in rows][-3:] == [("outcome", "satisfaction"), ("outcome", "repurchase"),
                                                             ("construct", "trust")]
