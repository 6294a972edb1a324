"""The playbook says nothing where the data say nothing: the null test, 200 seeded surveys."""

import pytest

from valuekit.decide.nulltest import null_recommendation_rate

pytestmark = pytest.mark.slow  # see the marker in pyproject.toml: CI runs it (make test-slow)


def test_playbook_is_silent_on_surveys_with_nothing_to_find():
    runs = null_recommendation_rate(200, first_seed=0, n_jobs=2)
    assert len(runs) == 200
    # at most 5 % of null surveys may get any recommendation at all, for a segment or a context group,
    # or name a driver running the wrong way
    assert runs.attrs["rate"] <= 0.05, runs[(runs["recommendations"] + runs["group_recommendations"]) > 0]
    assert runs.attrs["wrong_way_rate"] <= 0.05, runs[runs["wrong_way"] > 0]
    # the guard is not a broken pipeline: clusters of noise do differ on what they were cut on ...
    assert (runs["segment_findings"] > 0).mean() > 0.9
    # ... but they are no more distinct than one population, and the driver models explain ~nothing
    assert (runs["structure_p"] < 0.05).mean() <= 0.05
    assert (runs["distinct"] == (runs["structure_p"] < 0.05)).all()
    # so those built-in differences name no segment: neutral names wherever the structure test says so
    assert (runs.loc[~runs["distinct"], "named_segments"] == 0).all()
    assert (runs["named_segments"] > 0).mean() <= 0.05
    assert runs["r2"].median() < 0.02
