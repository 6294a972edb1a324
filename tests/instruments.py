"""Surveys of the shapes real instruments have, generated with known answers.

``benefits_only``: an ECSI-style customer survey of a mobile operator: 10-point items,
no id column (rows are respondents), no sacrifices, two multi-item outcomes
(satisfaction, repurchase), a ``constructs:`` scale (trust, one item reverse-keyed), and
other columns declared for auditing (age, with -99 as missing, as published PLS data
sets code it). Satisfaction is planted to depend on the functional and experiential
dimensions only; repurchase on satisfaction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

BENEFITS_ONLY_CODEBOOK = {
    "name": "Mobile operator (benefits-only)",
    "scale": {"min": 1, "max": 10},
    "missing_codes": [-99],
    "benefits": {
        "functional": ["qual_1", "qual_2", "qual_3"],
        "economic": ["val_1", "val_2"],
        "experiential": ["exp_1", "exp_2", "exp_3"],
        "symbolic": ["img_1", "img_2"],
    },
    "outcomes": {"satisfaction": ["sat_1", "sat_2", "sat_3"], "repurchase": ["cusl_1", "cusl_2", "cusl_3"]},
    "constructs": {"trust": ["trust_1", "trust_2", "trust_3"]},
    "context": {"situation": ["plan"]},
    "other": ["age"],
    "items": {
        "exp_3": {"reverse": True, "text": "Calling the hotline is a frustrating experience."},
        "trust_3": {"reverse": True, "text": "I doubt the operator keeps its promises."},
        "cusl_3": {"scale": {"min": 1, "max": 5}, "text": "How likely are you to switch? (1 very, 5 not at all)"},
    },
    "labels": {"trust": {"en": "Trust", "es": "Confianza", "it": "Fiducia"}},
}

#: Cells set to -99 (missing) in the benefits-only survey: column -> number of cells.
PLANTED_MISSING = {"cusl_2": 9, "age": 14, "sat_1": 4}


def benefits_only(folder: Path, n: int = 250, seed: int = 250) -> tuple[Path, Path]:
    """Write ``mobile.csv`` and ``mobile.yaml`` into ``folder``; return their paths."""
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal(np.zeros(4), 0.3 + 0.7 * np.eye(4), size=n)  # f, e, x, s

    def items(factor: np.ndarray, k: int, lo: float = 1, hi: float = 10) -> list[np.ndarray]:
        mid, spread = (lo + hi) / 2, (hi - lo) / 6
        return [np.clip(np.round(mid + spread * (0.85 * factor + 0.5 * rng.normal(size=n))), lo, hi)
                for _ in range(k)]

    cols = {}
    for name, (j, k) in {"qual": (0, 3), "val": (1, 2), "exp": (2, 3), "img": (3, 2)}.items():
        for i, x in enumerate(items(latent[:, j], k), start=1):
            cols[f"{name}_{i}"] = x
    cols["exp_3"] = 11 - cols["exp_3"]  # worded negatively: reverse-keyed
    sat = 0.6 * latent[:, 0] + 0.5 * latent[:, 2] + 0.45 * rng.normal(size=n)
    sat = sat / sat.std()
    for i, x in enumerate(items(sat, 3), start=1):
        cols[f"sat_{i}"] = x
    rep = 0.8 * sat + 0.6 * rng.normal(size=n)
    rep = rep / rep.std()
    cols["cusl_1"], cols["cusl_2"] = items(rep, 2)
    cols["cusl_3"] = items(rep, 1, 1, 5)[0]
    trust = 0.7 * latent[:, 0] + 0.7 * rng.normal(size=n)
    trust = trust / trust.std()
    for i, x in enumerate(items(trust, 3), start=1):
        cols[f"trust_{i}"] = x
    cols["trust_3"] = 11 - cols["trust_3"]
    frame = pd.DataFrame(cols).astype(int)
    frame["plan"] = rng.choice(["prepaid", "contract"], n, p=[0.4, 0.6])
    frame["age"] = rng.integers(18, 80, n)
    for col, k in PLANTED_MISSING.items():
        frame.loc[rng.choice(n, k, replace=False), col] = -99
    folder = Path(folder)
    data, codebook = folder / "mobile.csv", folder / "mobile.yaml"
    frame.to_csv(data, index=False)
    codebook.write_text(yaml.safe_dump(BENEFITS_ONLY_CODEBOOK, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
    return data, codebook
