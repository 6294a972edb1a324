"""The playbook's power: a real effect is recommended, more often with more respondents.

Seeded simulations of a small instrument (three benefit dimensions, two sacrifices, two
items each, answers on 1-7) with one real driver of the outcome and one planted group:

* a driver benefit (functional, beta = 0.3) that a planted group of 30 % rates 0.5 SD
  lower: the "perception" rule should fire for that group;
* the money sacrifice driving the outcome (beta = -0.3) and a planted context group of 30 %
  carrying 0.5 SD more of it: the "offer_price" rule should fire for that group.

The rates and their Wilson intervals are quoted in the README.
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from valuekit.decide.playbook import group_playbook
from valuekit.survey.audit import audit_survey
from valuekit.survey.codebook import read_codebook

pytestmark = pytest.mark.slow  # see the marker in pyproject.toml: CI runs it (make test-slow)

BLOCKS = ["functional", "economic", "experiential", "money", "time"]
CODEBOOK = {
    "name": "power simulation", "id": "id", "scale": {"min": 1, "max": 7},
    "benefits": {b: [f"{b}_1", f"{b}_2"] for b in BLOCKS[:3]},
    "sacrifices": {b: [f"{b}_1", f"{b}_2"] for b in BLOCKS[3:]},
    "outcomes": {"overall_value": "out"},
    "context": {"situation": ["planted"]},
}
RUNS = 100


def _survey(n: int, seed: int, *, driver: str, beta: float, shift: float, weighted: bool = False,
            correlation: float = 0.0):
    rng = np.random.default_rng(seed)
    k = len(BLOCKS)
    cov = np.full((k, k), correlation) + np.eye(k) * (1 - correlation)
    latent = 4.0 + rng.standard_normal((n, k)) @ np.linalg.cholesky(cov).T
    group = rng.random(n) < 0.3
    j = BLOCKS.index(driver)
    latent[group, j] += shift
    data = {"id": np.arange(n)}
    for b, block in enumerate(BLOCKS):
        for i in (1, 2):
            data[f"{block}_{i}"] = np.clip(latent[:, b] + rng.normal(0, 0.5, n), 1, 7)
    z = (latent[:, j] - latent[:, j].mean()) / latent[:, j].std()
    data["out"] = np.clip(4 + beta * z + np.sqrt(1 - beta ** 2) * rng.normal(0, 1, n), 1, 7)
    data["planted"] = np.where(group, "planted", "others")
    codebook = CODEBOOK
    if weighted:  # unequal weights, heavier for the more variable answers' respondents
        data["w"] = rng.lognormal(0.0, 0.8, n)
        codebook = {**CODEBOOK, "weight": "w"}
    return audit_survey(pd.DataFrame(data), read_codebook(codebook))


def _rate(n, *, driver, beta, shift, rule):
    hits = 0
    for seed in range(RUNS):
        result = group_playbook(_survey(n, seed, driver=driver, beta=beta, shift=shift), n_boot=50, random_state=seed)
        recs = result.recommendations
        hits += bool(((recs["segment"] == "planted") & (recs["rule"] == rule)).any())
        assert not ((recs["segment"] == "others") & (recs["rule"] == rule)).any() or shift == 0
    return hits


@pytest.mark.parametrize("driver, beta, rule", [("functional", 0.3, "perception"), ("money", -0.3, "offer_price")])
def test_a_real_driver_with_a_planted_group_is_recommended_more_often_with_more_respondents(driver, beta, rule):
    shift = -0.5 if driver == "functional" else 0.5
    large = _rate(2000, driver=driver, beta=beta, shift=shift, rule=rule)
    small = _rate(500, driver=driver, beta=beta, shift=shift, rule=rule)
    low, high = proportion_confint(large, RUNS, method="wilson")
    assert large / RUNS >= 0.80, (large, low, high)
    assert large >= small, (large, small)


NULL_RUNS = 200


@pytest.mark.parametrize("kind, options", [
    ("independent", {}),
    ("unequal weights", {"weighted": True}),
    ("150 respondents", {"n": 150}),
    ("correlated blocks", {"correlation": 0.6}),
])
def test_null_surveys_get_no_recommendation_and_no_driver_running_the_wrong_way(kind, options):
    """Nothing planted (no driver, no group difference): the playbook stays silent on the
    groups in at least 95 % of surveys, and names no driver running the wrong way."""
    options = dict(options)
    n = options.pop("n", 1000)
    recommended = wrong_way = 0
    for seed in range(NULL_RUNS):
        survey = _survey(n, 10_000 + seed, driver="functional", beta=0.0, shift=0.0, **options)
        result = group_playbook(survey, n_boot=50, random_state=seed)
        recommended += len(result.recommendations) > 0
        wrong_way += bool((result.investigate["rule"] == "anomaly").any())
    assert recommended / NULL_RUNS <= 0.05, (kind, recommended)
    assert wrong_way / NULL_RUNS <= 0.05, (kind, wrong_way)
