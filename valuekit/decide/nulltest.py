"""The playbook's null test: how often does it recommend something when there is nothing to find?

:func:`null_recommendation_rate` runs the whole chain of :func:`valuekit.decide.playbook.analyse`
(score, choose the number of segments, segment, test the segments against one
population, compare, drive, recommend) on ``n_runs`` surveys of the demo's shape in which
nothing is there (:func:`valuekit.datasets.demo.make_null_survey`: one population, outcomes
unrelated to the answers), and reports the share of runs that issued at least one
recommendation. The test suite asserts it stays at or below 5 %; ``make bench`` reports it
and its runtime.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validate import check as _check
from .._validate.args import MAX_SEED
from ..config import DEMO_CODEBOOK
from ..datasets.demo import make_null_survey
from ..errors import ParameterError
from ..evidence import Evidence, settings_arg
from ..survey.audit import audit_survey
from ..survey.codebook import read_codebook

__all__ = ["null_run", "null_recommendation_rate", "MIN_NULL_N"]

#: The fewest respondents a null survey may have: enough for the chain on the demo's shape
#: (9 drivers, a search over 2 to 8 segments).
MIN_NULL_N = 50


def _null_args(seed, n, settings, seed_name: str = "seed") -> tuple[int, int, dict]:
    seed = _check.integer(seed_name, seed, min=0, max=MAX_SEED)
    n = _check.integer("n", n, min=MIN_NULL_N)
    return seed, n, settings_arg(settings)


def null_run(seed: int, *, n: int = 2000, settings: Evidence | dict | None = None) -> dict:
    """One null survey (``n`` >= :data:`MIN_NULL_N` respondents, drawn with ``seed``) through
    the whole chain: what the playbook said.

    Returns ``seed``, ``k``, ``structure_p`` and ``distinct`` (the structure test),
    ``recommendations``, ``group_recommendations`` (on the context groups) and
    ``to_investigate`` (row counts), ``wrong_way`` (drivers said to run the wrong way, in
    the segments' and the groups' models), ``segment_findings`` (segment
    against the rest differences in the comparison table: clusters always differ on what
    they were cut on, so these are expected even here), ``named_segments`` (segments named
    after traits rather than neutrally: none unless the structure test calls the segments
    distinct) and ``r2`` (the whole-sample driver model's).
    """
    from threadpoolctl import threadpool_limits  # deferred: threadpoolctl

    from .playbook import analyse  # deferred: scikit-learn

    seed, n, settings = _null_args(seed, n, settings)
    with threadpool_limits(1):  # many small k-means fits: one thread each is fastest
        survey = audit_survey(make_null_survey(n, random_state=seed), read_codebook(DEMO_CODEBOOK))
        result = analyse(survey, random_state=seed, settings=settings)
    profiles = result.profiles.drop(index="unassigned", errors="ignore")
    groups = result.group_recommendations
    investigate = pd.concat([result.investigate, result.group_investigate], ignore_index=True)
    return {"seed": seed, "k": int(result.structure["k"]), "structure_p": float(result.structure["p"]),
            "distinct": bool(result.structure["distinct"]),
            "recommendations": len(result.recommendations),
            "group_recommendations": 0 if groups is None else len(groups),
            "to_investigate": len(result.investigate),
            "wrong_way": int((investigate["rule"] == "anomaly").sum()),
            "segment_findings": int(result.comparisons["finding"].sum()),
            "named_segments": int((profiles["name_note"] == "").sum()),
            "r2": float(result.drivers.loc[result.drivers["group"] == "all", "r2"].iloc[0])}


def null_recommendation_rate(n_runs: int = 200, *, first_seed: int = 0, n: int = 2000, n_jobs: int = 2,
                             settings: Evidence | dict | None = None) -> pd.DataFrame:
    """Run :func:`null_run` for ``n_runs`` seeds (in ``n_jobs`` processes); one row per run.

    ``.attrs["rate"]`` is the share of runs with at least one recommendation (for a segment
    or a context group); ``.attrs["wrong_way_rate"]`` the share naming a driver running the
    wrong way.
    """
    from joblib import Parallel, delayed  # deferred: joblib

    n_runs = _check.integer("n_runs", n_runs, min=1)
    first_seed, n, settings = _null_args(first_seed, n, settings, "first_seed")
    if first_seed + n_runs - 1 > MAX_SEED:
        raise ParameterError(f"first_seed: the seeds {first_seed} to {first_seed + n_runs - 1} go beyond "
                             f"{MAX_SEED}, the largest seed", name="first_seed")
    n_jobs = _check.integer("n_jobs", n_jobs)
    if n_jobs == 0:
        raise ParameterError("n_jobs: expected a whole number other than 0 (-1: every CPU), got 0", name="n_jobs")
    seeds = range(first_seed, first_seed + n_runs)
    rows = Parallel(n_jobs=n_jobs)(delayed(null_run)(s, n=n, settings=settings) for s in seeds)
    out = pd.DataFrame(rows)
    out.attrs["rate"] = float(np.mean((out["recommendations"] + out["group_recommendations"]) > 0))
    out.attrs["wrong_way_rate"] = float(np.mean(out["wrong_way"] > 0))
    return out
