"""Questionnaires with known placements, answered by simulated respondents: what
``tests/survey/test_draft_calibration.py`` measures ``valuekit init`` on.

Each ``tests/data/questionnaires/<split>/<name>.yaml`` gives an instrument's items: the
column, the question as worded, the answer scale, and the right placement (``truth``:
``benefit.economic``, ``sacrifice.money``, ``outcome.satisfaction``, ``context``, ``none``,
or a list where careful analysts could defend either; ``reverse: true`` for an item
answered against its block). The splits (README.md there):

* ``tuning``: the instruments the vocabulary and the confidence were tuned on (the
  issue's mobi, corp and bfi wording, and a few others);
* ``heldout``: instruments written before the tuning and measured on once, never tuned on.

:func:`write_export` answers a questionnaire with simulated respondents and writes it as
the instrument would be exported: SPSS (variable labels, value labels, user-missing
don't-know codes) or a Qualtrics CSV (the question row; categories as their text).
The answers follow the theory, so the draft's direction check has data to work on: a
general evaluation ``g``; each benefit dimension 0.6 g + noise, each sacrifice -0.35 g +
noise, each outcome 0.8 g + noise; an item is its block's factor (turned round when
``reverse``) plus noise and an acquiescence style shared by all of a respondent's
answers, cut onto its scale; an item of no block loads ``loads`` (default 0.15) on g.

Run ``python tests/draft_questionnaires.py heldout`` for the figures and the wrong
``sure`` placements.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

QUESTIONNAIRES = Path(__file__).parent / "data" / "questionnaires"
_KEYS = {"name", "language", "format", "respondents", "seed", "scales", "scale", "missing_codes", "items"}
_ITEM_KEYS = {"column", "text", "truth", "scale", "reverse", "loads", "categories", "range"}


def questionnaire_paths(split: str) -> list[Path]:
    """The questionnaire files of a split (``tuning`` or ``heldout``)."""
    paths = sorted((QUESTIONNAIRES / split).glob("*.yaml"))
    if not paths:
        raise FileNotFoundError(f"no questionnaires in {QUESTIONNAIRES / split}")
    return paths


def load(path: Path) -> dict:
    """A questionnaire file, checked."""
    q = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    unknown = set(q) - _KEYS
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    if q["format"] not in ("sav", "qualtrics"):
        raise ValueError(f"{path.name}: format: expected sav or qualtrics, got {q['format']!r}")
    for item in q["items"]:
        if set(item) - _ITEM_KEYS:
            raise ValueError(f"{path.name}: {item.get('column')}: unknown keys {sorted(set(item) - _ITEM_KEYS)}")
        scale = item.get("scale", q["scale"])
        if "categories" not in item and "range" not in item and scale not in q["scales"]:
            raise ValueError(f"{path.name}: {item['column']}: unknown scale {scale!r}")
    q["source"] = path.name
    return q


def truth(q: dict) -> dict[str, str | list[str]]:
    """Column -> right placement(s), as :func:`valuekit.survey.draft.calibration` takes them."""
    return {item["column"]: item["truth"] for item in q["items"]}


def _first(value) -> str:
    return value[0] if isinstance(value, list) else value


def simulate(q: dict) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Simulated answers (numeric codes) and each column's value labels."""
    rng = np.random.default_rng(q["seed"])
    n = q["respondents"]
    g = rng.normal(size=n)
    style = rng.normal(0, 0.3, size=n)  # acquiescence: some respondents answer higher on every item
    factors: dict[str, np.ndarray] = {}

    def factor(where: str) -> np.ndarray:
        if where not in factors:
            role, e = where.split(".")[0], rng.normal(size=n)
            factors[where] = {"benefit": 0.6 * g + 0.8 * e, "sacrifice": -0.35 * g + np.sqrt(1 - 0.35 ** 2) * e,
                              "outcome": 0.8 * g + 0.6 * e}[role]
        return factors[where]

    codes = {float(k): v for k, v in (q.get("missing_codes") or {}).items()}
    data, labels = {}, {}
    for item in q["items"]:
        col, where = item["column"], _first(item["truth"])
        if where == "context":
            cats = sorted(item["categories"])
            data[col] = rng.choice(cats, size=n, p=rng.dirichlet(np.full(len(cats), 4.0))).astype(float)
            labels[col] = {int(k): str(v) for k, v in item["categories"].items()}
            continue
        if "range" in item:
            lo, hi = item["range"]
            data[col] = rng.integers(lo, hi + 1, size=n).astype(float)
            continue
        if "categories" in item:  # an ordinal answer that is no block's (how often ...)
            lo, hi = min(item["categories"]), max(item["categories"])
            scale_labels = item["categories"]
        else:
            scale = q["scales"][item.get("scale", q["scale"])]
            lo, hi, scale_labels = scale["min"], scale["max"], scale.get("labels", {})
        if where == "none":
            loads = item.get("loads", 0.15)
            z = loads * g + np.sqrt(1 - loads ** 2) * rng.normal(size=n)
        else:
            z = factor(where) * (-1 if item.get("reverse") else 1)
        x = 0.8 * z + 0.6 * rng.normal(size=n) + style
        mid = (lo + hi) / 2 + 0.1 * (hi - lo)  # answers lean to the favourable end, as they do
        values = np.clip(np.round(mid + x * (hi - lo) / 4.5), lo, hi)
        for code in codes:
            values[rng.random(n) < 0.02] = code
        data[col] = values
        labels[col] = {int(k): str(v) for k, v in [*scale_labels.items(), *codes.items()]}
    return pd.DataFrame(data), labels


def write_export(q: dict, folder: Path) -> Path:
    """The questionnaire answered and written as its ``format`` says, with an id column."""
    frame, labels = simulate(q)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    text = {item["column"]: item["text"] for item in q["items"]}
    stem = Path(q["source"]).stem
    if q["format"] == "sav":
        rated = [c for c in frame.columns if c in labels and c in text]
        missing = {c: [int(k) for k in q.get("missing_codes") or {}] for c in rated
                   if q.get("missing_codes") and not any(i["column"] == c and _first(i["truth"]) == "context"
                                                         for i in q["items"])}
        path = folder / f"{stem}.sav"
        pyreadstat.write_sav(frame, path, column_labels=text, variable_value_labels=labels,
                             missing_ranges={c: v for c, v in missing.items() if v})
        return path
    out = frame.astype(object)
    for item in q["items"]:  # Qualtrics writes a category as its text
        if _first(item["truth"]) == "context":
            out[item["column"]] = frame[item["column"]].map({float(k): v for k, v in item["categories"].items()})
    out = out.rename(columns={"id": "ResponseId"})
    questions = {c: text.get(c, "Response ID") for c in out.columns}
    ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(out.columns)}
    path = folder / f"{stem}.csv"
    pd.concat([pd.DataFrame([questions, ids]), out.astype("string")], ignore_index=True).to_csv(
        path, index=False, encoding="utf-8-sig")
    return path


def drafts(split: str, folder: Path):
    """(draft, truth) for every questionnaire of a split, exported into ``folder``."""
    from valuekit.survey.draft import draft_codebook

    for path in questionnaire_paths(split):
        q = load(path)
        yield draft_codebook(write_export(q, folder)), truth(q)


def report(split: str) -> dict:
    """The calibration figures of a split, printed with the wrong sure placements."""
    from valuekit.survey.draft import calibration

    with tempfile.TemporaryDirectory() as tmp:
        figures = calibration(drafts(split, Path(tmp)))
    shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in figures.items() if k != "wrong_sure"}
    print(split, shown)
    for source, col, placed, reason in figures["wrong_sure"]:
        print(f"  WRONG SURE {source} {col}: {placed}: {reason}")
    return figures


if __name__ == "__main__":
    for which in sys.argv[1:] or ["tuning"]:
        report(which)
