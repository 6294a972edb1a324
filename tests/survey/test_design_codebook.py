"""The sampling design named in the codebook (strata:, cluster:, fpc:) reaches the analyses."""

import numpy as np
import pandas as pd
import pytest
import yaml

import valuekit as vk
from valuekit.analyse.significance import compare_groups
from valuekit.errors import CodebookError, ParameterError
from valuekit.survey.design import SurveyDesign


@pytest.fixture
def designed(tmp_path):
    """The demo survey with a region (stratum) and a store (cluster) column, and a codebook naming them."""
    data = pd.read_csv(vk.DEMO_DATA)
    rng = np.random.default_rng(3)
    data["region"] = np.where(np.arange(len(data)) % 2 == 0, "north", "south")
    data["store"] = rng.integers(0, 20, len(data))
    data["stores_in_region"] = 200
    spec = yaml.safe_load(vk.DEMO_CODEBOOK.read_text(encoding="utf-8"))
    spec.update(strata="region", cluster="store", fpc="stores_in_region")
    data.to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_the_codebook_design_is_the_survey_design_and_the_default_of_comparisons(designed):
    survey = vk.load_survey(designed / "survey.csv", codebook=designed / "codebook.yaml")
    assert (survey.codebook.strata, survey.codebook.cluster, survey.codebook.fpc) == (
        "region", "store", "stores_in_region")
    design = survey.design
    assert isinstance(design, SurveyDesign)
    assert design.df() == 40 - 2  # 20 stores in each of 2 regions, less the strata
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    first = compare_groups(survey, scores, "channel")
    explicit = compare_groups(scores, "channel", codebook=survey.codebook, data=survey.data,
                              weights=survey.weights, design=design)
    pd.testing.assert_frame_equal(first, explicit)
    assert "2 strata ('region'), 40 clusters ('store'), finite population correction" in first.attrs["variance"]
    plain = compare_groups(survey, scores, "channel", design=None)
    assert not np.allclose(plain["p"].dropna(), first["p"].dropna())  # the clusters change the variances


def test_a_design_column_missing_from_the_export_is_named(designed):
    spec = yaml.safe_load((designed / "codebook.yaml").read_text(encoding="utf-8"))
    spec["cluster"] = "branch"
    (designed / "codebook.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises((CodebookError, vk.SurveyError), match="branch"):
        vk.load_survey(designed / "survey.csv", codebook=designed / "codebook.yaml")


def test_a_blank_cluster_names_the_file_and_the_respondent(designed):
    data = pd.read_csv(designed / "survey.csv")
    data.loc[5, "store"] = np.nan
    data.to_csv(designed / "survey.csv", index=False)
    survey = vk.load_survey(designed / "survey.csv", codebook=designed / "codebook.yaml")
    with pytest.raises(ParameterError, match=r"survey\.csv.*cluster column 'store' is blank for 1 respondent"):
        survey.design  # noqa: B018
