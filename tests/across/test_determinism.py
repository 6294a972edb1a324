"""The same answers give the same results on every machine.

A BLAS product sums in an order that depends on the CPU kernel and the thread count, and
vectorised logarithms differ in their last bit between instruction sets. A decision taken
on such a number (a verdict, "this sacrifice outweighs the benefits") flips for customers
exactly on its threshold. The scorer adds in a fixed order without BLAS, and decisions
are taken at :data:`valuekit._validate.check.DECISION_TOLERANCE`; these tests hold both.
"""

import hashlib
import os
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from valuekit import ValueScorer
from valuekit._validate import check as _check
from valuekit.measure.model import verdict_codes
from valuekit.survey.codebook import Codebook

SACRIFICES = ["time", "money", "energy", "emotional"]


def _boundary_codebook() -> Codebook:
    return Codebook.from_dict({
        "scale": {"min": 1, "max": 7},
        "benefits": {d: [f"{d}_1"] for d in ("functional", "economic", "experiential", "symbolic")},
        "sacrifices": {s: [f"{s}_1"] for s in SACRIFICES},
    })


def _boundary_answers() -> pd.DataFrame:
    """Customers built on the boundaries of the default band (1.05): benefits 5.25 against
    sacrifices 5 (a ratio of exactly 21/20), the reverse, and a step off each."""
    benefit_cols = ["functional_1", "economic_1", "experiential_1", "symbolic_1"]
    sacrifice_cols = [f"{s}_1" for s in SACRIFICES]
    rows = {
        "created_edge": ([5, 5, 5, 6], [5, 5, 5, 5]),      # 5.25 / 5 = 1.05: on the boundary, neutral
        "destroyed_edge": ([5, 5, 5, 5], [5, 5, 5, 6]),    # 5 / 5.25 = 1 / 1.05: on the boundary, neutral
        "created": ([5, 5, 6, 6], [5, 5, 5, 5]),           # 5.5 / 5 = 1.10
        "destroyed": ([5, 5, 5, 5], [5, 5, 6, 6]),         # 5 / 5.5
        "even": ([4, 4, 4, 4], [4, 4, 4, 4]),
    }
    return pd.DataFrame({name: dict(zip(benefit_cols + sacrifice_cols, b + s)) for name, (b, s) in rows.items()}
                        ).T.astype(float)


def test_customers_on_the_band_boundaries_are_neutral():
    scores = ValueScorer(_boundary_codebook()).fit_transform(_boundary_answers())
    assert scores.loc["created_edge", "benefits"] == 5.25 and scores.loc["created_edge", "sacrifices"] == 5.0
    assert scores["verdict"].astype(str).to_dict() == {
        "created_edge": "neutral", "destroyed_edge": "neutral", "created": "created", "destroyed": "destroyed",
        "even": "neutral"}


@pytest.mark.parametrize("steps", [-3, -1, 1, 3])
def test_a_boundary_verdict_does_not_follow_the_last_bits(steps):
    b = np.array([5.25, 5.0, 4.2, 4.0, 1.05, 1.0])
    s = np.array([5.0, 5.25, 4.0, 4.2, 1.0, 1.05])
    exact = verdict_codes(b, s, 0.05)
    assert (exact == 1).all()
    for direction in (np.inf, -np.inf):
        nb, ns = b.copy(), s.copy()
        for _ in range(abs(steps)):
            nb = np.nextafter(nb, direction if steps > 0 else -direction)
            ns = np.nextafter(ns, -direction if steps > 0 else direction)
        np.testing.assert_array_equal(verdict_codes(nb, ns, 0.05), exact)


def test_a_real_difference_is_not_a_tie():
    # the smallest gap answers on a scale can make (one point of one item among many) is
    # many orders of magnitude above the tolerance
    assert _check.DECISION_TOLERANCE < 1e-6
    b = np.array([5.25 + 1 / 700, 5.0])
    s = np.array([5.0, 5.25 + 1 / 700])
    np.testing.assert_array_equal(verdict_codes(b, s, 0.05), [2, 0])


def test_where_value_is_destroyed_counts_a_tie_as_no_tip():
    from valuekit.analyse.segments import where_value_is_destroyed

    cb = _boundary_codebook()
    # every sacrifice equals the benefits index (4): none of them outweighs it alone
    answers = pd.DataFrame([[4.0] * 4 + [4.0, 4.0, 4.0, 7.0]] * 3 + [[6.0] * 4 + [2.0] * 4] * 3,
                           columns=[*(f"{d}_1" for d in ("functional", "economic", "experiential", "symbolic")),
                                    *(f"{s}_1" for s in SACRIFICES)])
    scores = ValueScorer(cb).fit_transform(answers)
    segments = pd.Series([0, 0, 0, 1, 1, 1], index=scores.index, dtype="Int64")
    table = where_value_is_destroyed(scores, segments, codebook=cb)
    sacrifices = table[table["kind"] == "sacrifice"]
    assert set(sacrifices["block"]) == {"emotional"}  # 7 > 4: the only tip; time, money, energy at 4 tie


_PROBE = """
import hashlib, numpy as np, valuekit as vk
survey = vk.load_survey(vk.DEMO_DATA, codebook=vk.DEMO_CODEBOOK)
s = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
floats = s.select_dtypes("number").to_numpy()
print(hashlib.sha256(np.ascontiguousarray(floats).tobytes()).hexdigest(), s["verdict"].value_counts().to_dict())
"""


def _blas_settings() -> list[dict]:
    settings = [{"OPENBLAS_NUM_THREADS": "1"}, {"OPENBLAS_NUM_THREADS": "2"}]
    if platform.machine() in ("x86_64", "AMD64"):
        # OpenBLAS kernels every x86-64 CPU of the last decade runs; each sums differently
        settings += [{"OPENBLAS_CORETYPE": "Prescott"}, {"OPENBLAS_CORETYPE": "Sandybridge"}]
    return settings


@pytest.mark.slow
def test_scores_have_the_same_bits_under_every_blas_setting():
    seen = {}
    for extra in _blas_settings():
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")} | extra
        out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        seen[str(extra)] = out.stdout.strip()
    assert len(set(seen.values())) == 1, seen
