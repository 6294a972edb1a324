"""Property-based fuzzing of what an analyst hands valuekit: codebooks, survey exports,
scenario files.

One invariant throughout: for generated input, either a
:class:`valuekit.errors.ValuekitError` is raised (any other exception is a failure: the
analyst would see a traceback instead of a message), or the result keeps valuekit's
promises (README, "The audit: nothing lost, nothing silent", and "The value equation"):

* ``rows_in == rows_kept + rows_excluded``;
* ``rows_in`` is the number of data rows the generated file really has (tracked by the
  generator wherever it is knowable): no row dropped or invented, e.g. by a mistaken
  header detection;
* every row of ``audit.rows`` has a status (kept or excluded) and, when excluded, a reason;
* every score column of ``ValueScorer(...).fit_transform(survey.data)`` is finite or NaN,
  and a respondent with a NaN index, ratio or log ratio has a non-empty ``unscored_reason``.

Where the README promises more of a result, that is checked too, each on its own line so a
failure names the promise: text in a numeric column, or a number outside the item's scale,
becomes missing, is listed in ``audit.cells`` and listed with its original value (no text
silently turned into a number); the weighted summary (``summarize_value`` with the survey
weights) has finite numbers and shares in [0, 1] that sum to 1; a file with a key given
twice is refused; a UTF-8 scenario with a byte order mark loads as it does without one; a
message is for a person (an alias bomb is not expanded into it, nor into a codebook text);
valuekit emits no warnings (they are errors under this project's pytest settings).

Strategies: generated codebooks (a few items per block, scales 1-5, 0-10, 1-7, 1-10, -3-3,
missing codes, reverse keys, per-item scales, optional id / weight / completion time /
outcomes / context / other; now and then an extreme scale, or broken keys and types); CSV
exports generated from a codebook with delimiters , ; tab |, encodings utf-8, utf-8-sig,
cp1252, utf-16, header shapes (Qualtrics three-row header, free text holding "ImportId",
duplicate or blank names, extra columns), tokens in numeric cells (one token per test, so
that a common fault does not hide a rarer one: Hypothesis stops generating soon after its
first failure), weights near the largest float, and files cut at a random byte or with a
byte inserted; raw frames handed straight to the scorer; scenario files (YAML / JSON,
random keys and values, raw YAML scalars, anchors, encodings, duplicate keys) loaded with
:meth:`Scenario.load` and applied to the demo survey's what-if engine; brackets nested
5,000 deep and alias bombs in codebook, scenario and lever files.

Bounds: small frames (at most 8 rows), ``max_examples`` per test below, no explain phase,
``derandomize=True`` (a failure reproduces run after run) and no example database. About
40 s on two cores when every property holds; a failing property costs its shrinking time
on top (up to a few minutes while many faults are open).
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import itertools
import json
import math
import re
import resource
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from valuekit.config import DATA_DIR, DEMO_CODEBOOK
from valuekit.decide.scenario import Scenario, ScenarioEngine
from valuekit.errors import ValuekitError
from valuekit.measure.scoring import ValueScorer, summarize_value
from valuekit.survey.audit import audit_survey, load_survey
from valuekit.survey.codebook import DIMENSIONS, SACRIFICES, Codebook, read_codebook
from valuekit.survey.levers import read_levers


def fuzz_settings(n: int) -> settings:
    # no explain phase: it traces every line, and a parser recursing 3,000 deep then takes minutes
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


#: A message is for a person. One far longer than this has expanded something (an alias bomb).
MAX_MESSAGE = 20_000

TOKENS = ["N/A", "NA", "nan", "0x1F", "True", "inf", "1e999", "", " ", "3,5", "-99"]
DELIMITERS = [",", ";", "\t", "|"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16"]
SCALES = [(1, 5), (0, 10), (1, 7), (1, 10), (-3, 3)]
CODES = [9, 99, -99, -1, 98, 999, 0, 8]
NAME_STYLES = ["q{}", "Q{}_r", "item_{}", "ítem{}", "fun {}", "x.{}", "Frage{}", "straße_{}"]
WORDS = ["store", "online", "gift", "Café", "señor", "Grüße", "naïve", "€5", "NA", "n/a", "ok, fine",
         'said "no"', "ImportId", '{"ImportId":"QID7"}', "日本", "Ω", "x;y", "a|b", "tab\there"]
EXTRA_NAMES = ["comment", "notes", "Q99_TEXT", "StartDate", "wave", "Kommentar", "remarque"]
# no line breaks of any kind (a data row is a line, so the generator can count them)
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 ,;|\t\"'{}:éñü€") + ["日", "Ω"]), max_size=10)

DEMO_LEVER_NAMES = list(yaml.safe_load((DATA_DIR / "demo_levers.yaml").read_text(encoding="utf-8"))["levers"])

_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _file(workdir: Path, suffix: str) -> Path:
    return workdir / f"f{next(_counter)}{suffix}"


# -- running valuekit: a ValuekitError or a result; warnings recorded, not raised ------------

class Run:
    """Calls into valuekit. A ValuekitError is an acceptable outcome (returns ``None``), any
    other exception propagates (a failure); warnings are recorded for a check at the end."""

    def __init__(self):
        self.warnings: list[str] = []
        self.errors: list[ValuekitError] = []

    def __call__(self, fn, *args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return fn(*args, **kwargs)
            except ValuekitError as err:
                text = str(err)
                if currently_in_test_context():
                    note(f"{type(err).__name__}: {text[:300]}")
                self.errors.append(err)
                if len(text) > MAX_MESSAGE:  # not `assert`: pytest would print all of it
                    site = traceback.extract_tb(err.__traceback__)[-1]
                    raise AssertionError(
                        f"{type(err).__name__} message of {len(text):,} characters (an alias bomb expanded "
                        f"into it), raised at {Path(site.filename).name}:{site.lineno}: {text[:160]!r}...") from None
                return None
            finally:
                self.warnings += [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]

    def check_no_warnings(self):
        assert not self.warnings, f"valuekit emitted warnings (errors under this project's pytest settings): {self.warnings}"


@contextmanager
def memory_cap(extra: int = 256 << 20):
    """Let this process allocate at most ``extra`` more bytes (Linux; elsewhere no cap): a
    safety net, should something expand a bomb further than into a message."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    status = Path("/proc/self/status")
    size = re.search(r"VmSize:\s+(\d+) kB", status.read_text()) if status.exists() else None
    if size is None:
        yield False
        return
    cap = int(size.group(1)) * 1024 + extra
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        yield True
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# -- codebooks ------------------------------------------------------------------------------

@dataclass
class Col:
    """A column of a generated export and what the generator knows about it."""

    name: str
    role: str  # id, item, weight, dur, context, extra
    lo: float = math.nan
    hi: float = math.nan
    codes: tuple = ()


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@st.composite
def codebook_specs(draw, weight: bool | None = None):
    """A small valid codebook (a dict, as parsed from YAML) and the columns it names
    (``weight``: whether it has a weight column; default either)."""
    lo, hi = draw(st.sampled_from(SCALES))
    style = draw(st.sampled_from(NAME_STYLES))
    counter = itertools.count(1)
    cols: list[Col] = []

    def outside(a, b):
        return [c for c in CODES if not a <= c <= b]

    codes = draw(st.lists(st.sampled_from(outside(lo, hi)), max_size=2, unique=True))
    spec: dict = {}
    if draw(st.booleans()):
        spec["name"] = draw(TEXT)
    if draw(st.integers(0, 3)):
        spec["id"] = "rid"
        cols.append(Col("rid", "id"))
    spec["scale"] = {"min": lo, "max": hi}
    if codes:
        spec["missing_codes"] = codes
    overrides: dict = {}

    def item(scale=None):
        name = style.format(next(counter))
        a, b = scale or (lo, hi)
        own_codes = codes
        if draw(st.integers(0, 5)) == 5:
            overrides.setdefault(name, {})["reverse"] = True
        if scale is None and draw(st.integers(0, 7)) == 7:  # an item on another scale
            a, b = draw(st.sampled_from(SCALES))
            own_codes = draw(st.lists(st.sampled_from(outside(a, b)), max_size=1))
            overrides.setdefault(name, {}).update({"scale": {"min": a, "max": b}, "missing_codes": own_codes})
        elif scale is not None:
            own_codes = [c for c in codes if not a <= c <= b]
            overrides.setdefault(name, {}).update({"scale": {"min": a, "max": b}, "missing_codes": own_codes})
        cols.append(Col(name, "item", a, b, tuple(own_codes)))
        return name

    def block():
        if draw(st.booleans()):
            return {f"facet{k}": [item() for _ in range(draw(st.integers(1, 2)))]
                    for k in range(draw(st.integers(1, 2)))}
        return [item() for _ in range(draw(st.integers(1, 3)))]

    dims = draw(st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=3, unique=True))
    spec["benefits"] = {d: block() for d in dims}
    sacs = draw(st.lists(st.sampled_from(SACRIFICES), max_size=3, unique=True))
    if sacs:
        spec["sacrifices"] = {s: block() for s in sacs}
    if draw(st.integers(0, 2)) == 0:
        spec["outcomes"] = {"recommend": item(draw(st.sampled_from([(0, 10), (lo, hi)])))}
    if draw(st.booleans()) if weight is None else weight:
        spec["weight"] = "w"
        cols.append(Col("w", "weight"))
    if draw(st.booleans()):
        spec["completion_time"] = "dur"
        cols.append(Col("dur", "dur"))
    if draw(st.booleans()):
        spec["context"] = {"situation": ["channel"]}
        cols.append(Col("channel", "context"))
    if draw(st.integers(0, 3)) == 3:  # audited for text and missing codes, no scale
        spec["other"] = ["age"]
        cols.append(Col("age", "other", -math.inf, math.inf, tuple(codes)))
    if overrides:
        spec["items"] = overrides
    return spec, cols


EXTREME_SCALES = [(0, math.inf), (-math.inf, math.inf), (-1e308, 1e308), (0, 1e308), (1, 1 + 1e-12),
                  (0, 5e-324), (-1e300, 1e300), (1, 2**53 + 1)]

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    TEXT, st.sampled_from(["", " ", "q1", "rid", "functional", "money", "min", "inf", "NaN", "0x1F", "True",
                           "1e999", "1-7"]),
)
JUNK = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.one_of(TEXT, st.integers(-3, 3)), inner, max_size=3)),
    max_leaves=6)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@st.composite
def broken_specs(draw, spec):
    """The spec with one to three of: a value replaced by junk, a key or element removed,
    an unknown key, an item listed twice, an extreme scale."""
    spec = copy.deepcopy(spec)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "twice", "scale", "scale"]))
        paths = [p for p in _paths(spec) if p]
        if op == "scale" or not paths:
            lo = draw(st.sampled_from([0, 1, -1e308, -math.inf, math.nan, 5, "1", True, 1e-300]))
            hi = draw(st.sampled_from([1, 7, 1e308, math.inf, 5, 4.9999999, "7", 5e-324]))
            items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
            owners = [c for c, attrs in items.items() if isinstance(attrs, dict)]
            attrs = items[draw(st.sampled_from(owners))] if owners and draw(st.booleans()) else spec
            attrs["scale"] = {"min": lo, "max": hi}
            attrs.pop("missing_codes", None)
            continue
        path = draw(st.sampled_from(paths))
        parent = spec
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        if op == "replace":
            parent[key] = draw(JUNK)
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(TEXT, st.sampled_from(["Benefits", "scales", "levers", "other", "labels"])))] = draw(JUNK)
        elif op == "twice":  # an item name under a second block
            names = [v for p in _paths(spec) if p for v in [_get(spec, p)] if isinstance(v, str)]
            if names and isinstance(parent, list):
                parent.append(draw(st.sampled_from(names)))
            elif names and isinstance(parent, dict):
                parent[key] = draw(st.sampled_from(names))
    return spec


def _get(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def _check_codebook(cb: Codebook) -> None:
    """A loaded codebook carries nothing a bomb expanded into."""
    texts = [cb.name or ""] + [i.text or "" for i in cb.items.values()]
    texts += [t for i in cb.items.values() for t in i.labels.values()]
    assert max(len(t) for t in texts) <= MAX_MESSAGE, "a codebook text of more than 20,000 characters"


# -- surveys: the invariant ---------------------------------------------------------------

NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _as_number(text: str, decimal: str | None, *, infinite: bool = False) -> float | None:
    """The number an analyst reads in a cell (a plain decimal number, in the file's decimal
    mark; ``infinite``: also ``inf``), or None when the cell is not a number."""
    s = text.strip()
    if decimal == ",":
        s = s.replace(",", ".")
    if NUMBER.fullmatch(s) or infinite and s.lower().lstrip("+-") in ("inf", "infinity"):
        return float(s)
    return None


def check_survey(run: Run, survey, expected_rows: int | None, table: dict | None = None) -> None:
    """The invariant on a loaded survey, then its scores."""
    a = survey.audit
    note(f"rows_in={a.rows_in} kept={a.rows_kept} excluded={a.rows_excluded} expected={expected_rows}")
    # the invariant: nothing lost
    assert a.rows_in == a.rows_kept + a.rows_excluded, "rows_in != rows_kept + rows_excluded"
    if expected_rows is not None:
        assert a.rows_in == expected_rows, (
            f"the file has {expected_rows} data rows but the audit counts {a.rows_in} rows in")
    rows = a.rows
    assert rows["status"].isin(["kept", "excluded"]).all(), f"a row without a status: {rows['status'].tolist()}"
    excluded = rows[rows["status"] == "excluded"]
    assert (excluded["reason"].fillna("").astype(str).str.strip() != "").all(), "an excluded row without a reason"
    # README: row numbers are 1-based data rows; every flagged cell names one of them
    assert rows["row"].tolist() == list(range(1, a.rows_in + 1)), "audit.rows row numbers are not 1..rows_in"
    assert a.cells["row"].between(1, a.rows_in).all(), "a flagged cell outside the data rows"

    if table is not None and a.rows_in == len(next(iter(table["cells"].values()))):
        _check_cells(survey, table)

    scores = run(ValueScorer(survey.codebook).fit_transform, survey.data)
    if scores is not None:
        check_scores(scores)
        cb = survey.codebook
        if cb.has_sacrifices and cb.weight:  # README: survey weights are used in every aggregate
            summary = run(summarize_value, scores, weights=survey.weights)
            if summary is not None:
                numbers = summary.select_dtypes("number").to_numpy(float)
                assert not np.isinf(numbers).any(), (
                    f"infinite numbers in the weighted summary {summary.to_dict('records')} from weights "
                    f"{survey.weights.tolist()}")
                shares = summary[["share_created", "share_neutral", "share_destroyed"]].to_numpy(float)
                scored = summary["n_scored"].to_numpy() > 0
                assert np.isfinite(shares[scored]).all() and (shares[scored] >= 0).all() and \
                    np.allclose(shares[scored].sum(axis=1), 1), (
                        f"weighted shares {shares.tolist()} from weights {survey.weights.tolist()}")


def _check_cells(survey, table: dict) -> None:
    """README: out-of-range numbers and text in a numeric item become missing and are listed
    with row, column and original value; no text silently becomes a number."""
    decimal = survey.audit.info.decimal
    recoded = survey.recoded
    cells = survey.audit.cells
    listed = set(zip(cells["row"].tolist(), cells["column"].tolist()))
    for col in table["columns"]:
        if col.role not in ("item", "weight", "dur", "other") or col.name not in recoded.columns:
            continue
        raw = table["cells"][col.name]
        values = recoded[col.name].to_numpy(dtype=float, na_value=np.nan)
        for r, (text, v) in enumerate(zip(raw, values), start=1):
            if col.role in ("item", "other") and text.strip() and _as_number(text, decimal) is None:
                assert (r, col.name) in listed, (
                    f"row {r}, column {col.name!r}: the text {text!r} is not a number, but the audit "
                    "does not list it")
            if np.isnan(v):
                continue
            number = _as_number(text, decimal, infinite=True)
            assert number is not None and (number == v or math.isclose(number, v)), (
                f"row {r}, column {col.name!r}: the cell {text!r} (not that number) became {v!r}")
            if col.role in ("item", "other"):
                assert col.lo <= v <= col.hi and v not in col.codes, (
                    f"row {r}, column {col.name!r}: {text!r} outside the scale {col.lo:g}-{col.hi:g} "
                    f"or a missing code, kept as {v!r}")
    for row, column, value in zip(cells["row"], cells["column"], cells["value"]):
        original = table["cells"][column][row - 1]
        number = _as_number(original, decimal, infinite=True)
        shown = _as_number(str(value), decimal, infinite=True)
        assert str(value).strip().casefold() == original.strip().casefold() or (
            number is not None and shown is not None and (number == shown or math.isclose(number, shown))), (
            f"row {row}, column {column!r}: the cell {original!r} is listed as {value!r}")


def check_scores(scores: pd.DataFrame) -> None:
    numeric = scores.drop(columns=[c for c in ("verdict", "unscored_reason") if c in scores.columns])
    values = numeric.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isinf(values)
    assert not bad.any(), (
        f"infinite scores in {numeric.columns[bad.any(axis=0)].tolist()}: "
        f"{numeric[bad.any(axis=1)].to_dict('records')[:2]}")
    indices = [c for c in ("benefits", "sacrifices", "value_ratio", "log_value_ratio") if c in scores.columns]
    unscored = scores[indices].isna().any(axis=1).to_numpy()
    reason = scores["unscored_reason"].fillna("").astype(str).str.strip().to_numpy()
    empty = unscored & (reason == "")
    assert not empty.any(), (
        f"respondents with a NaN index or ratio and no unscored_reason: "
        f"{scores[empty].head(2).to_dict('records')}")


# -- generated exports ----------------------------------------------------------------------

UNIQUE_ID = "<unique id>"
#: Weights a float holds, whose sum (or its square, for Kish's effective n) does not.
HUGE_WEIGHTS = ["1e308", "1.5e308", "1e200", "1e160", "99999999999999999999"]


@functools.lru_cache(maxsize=None)
def _cell(role: str, lo: float = math.nan, hi: float = math.nan, codes: tuple = (), tokens: tuple = ("",),
          huge_weights: bool = False):
    """What a cell of such a column may hold: mostly good answers, then codes, gaps, numbers
    off the scale, and ``tokens``; ``huge_weights``: weights near the largest float."""
    token = st.sampled_from(tokens)
    if role == "item":
        valid = st.integers(math.ceil(lo), math.floor(hi)).map(str)
        return st.one_of(valid, valid, valid, valid, valid,
                         st.sampled_from(codes).map(_fmt) if codes else valid,
                         st.just(""), token,
                         st.sampled_from([lo - 1, hi + 1, hi + 10, 2 * hi + 7]).map(_fmt),
                         st.floats(lo, hi).map(lambda x: f"{x:.1f}"))
    if role == "id":
        return st.one_of(st.just(UNIQUE_ID), st.just(UNIQUE_ID), st.just(UNIQUE_ID),
                         st.sampled_from(["", "007", "1000"]), token)
    if role == "weight":
        ok = st.sampled_from(["1", "0.5", "1.25", "2", "0.8"])
        if huge_weights:
            return st.one_of(ok, st.sampled_from(HUGE_WEIGHTS), st.sampled_from(HUGE_WEIGHTS))
        return st.one_of(ok, ok, ok, st.sampled_from(["0", "-1", "1,5"]), token)
    if role == "dur":
        ok = st.integers(60, 900).map(str)
        return st.one_of(ok, ok, ok, st.sampled_from(["0", "-5", "1e308"]), token)
    if role == "other":
        ok = st.integers(18, 90).map(str)
        return st.one_of(ok, ok, ok, st.sampled_from(codes).map(_fmt) if codes else ok,
                         st.sampled_from(["42.5", "1e308", "-1"]), token)
    return st.one_of(st.sampled_from(WORDS), TEXT, token)


def _cells(draw, col: Col, n: int, tokens: tuple, huge_weights: bool, good_first: bool, k: int) -> list[str]:
    """``n`` cells of a column; ``good_first``: the first row is a respondent to keep (an
    answer on the scale, alternating by column so it is no straight line, weight 1). With
    the token "True", now and then a numeric column of booleans only."""
    if "True" in tokens and col.role in ("item", "weight", "dur") and draw(st.integers(0, 4)) == 4:
        return [draw(st.sampled_from(["True", "False", "TRUE", "false", ""])) for _ in range(n)]
    values = [draw(_cell(col.role, col.lo, col.hi, col.codes, tokens, huge_weights)) for _ in range(n)]
    if good_first and col.role == "item":
        values[0] = _fmt(min(math.ceil(col.lo) + k % 2, math.floor(col.hi)))
    elif good_first:
        values[0] = {"id": UNIQUE_ID, "weight": "1", "dur": "600", "other": "40"}.get(col.role, values[0])
    return [str(1000 + i) if v == UNIQUE_ID else v for i, v in enumerate(values)]


@dataclass
class Export:
    data: bytes
    suffix: str
    expected_rows: int | None
    table: dict | None  # the generated cells, when the file holds them unchanged
    description: dict = field(default_factory=dict)


ALL_SHAPES = ("plain", "qualtrics", "importid_text", "duplicate", "blank_header", "extra")


@st.composite
def exports(draw, shapes=ALL_SHAPES, tokens: tuple = ("",), huge_weights: bool = False, damaged: bool = False):
    """A codebook and a CSV export written from it: header shape, cells (with ``tokens`` in
    numeric cells; ``huge_weights``), delimiter, line ends, encoding; ``damaged``: then cut
    at a random byte, or one byte inserted. Tracks how many data rows the file has."""
    spec, cols = draw(codebook_specs(weight=True if huge_weights else None))
    shape = draw(st.sampled_from(shapes))
    n = draw(st.integers(1, 8))
    present = {c.name for c in cols}
    extras = [Col(name, "extra") for name in draw(st.lists(
        st.sampled_from([e for e in EXTRA_NAMES if e not in present]),
        min_size=1 if shape == "extra" else 0, max_size=3 if shape == "extra" else 1, unique=True))]
    if shape == "importid_text":
        n = max(n, 2)
        if not any(c.role in ("context", "extra") for c in cols + extras):
            extras.append(Col("comment", "extra"))
    columns = draw(st.permutations(cols + extras))
    good_first = draw(st.integers(0, 3)) != 3
    cells = {c.name: _cells(draw, c, n, tokens, huge_weights, good_first, k) for k, c in enumerate(columns)}
    if shape == "importid_text":  # free text that mentions ImportId, on the third line of the file
        text_col = draw(st.sampled_from([c.name for c in columns if c.role in ("context", "extra")]))
        cells[text_col][1] = draw(st.sampled_from(
            ['{"ImportId":"QID1"}', "ImportId", "my ImportId is 42", 'see {"ImportId":"QID12_TEXT"} above']))
    header = [c.name for c in columns]
    header_rows = 1
    pre_rows = []
    if shape == "qualtrics":
        pre_rows = [[draw(st.one_of(st.sampled_from(WORDS), TEXT)) for _ in columns],
                    [json.dumps({"ImportId": f"QID{k + 1}"}) if c.role in ("item", "context")
                     else json.dumps({"ImportId": "_recordId" if c.role == "id" else c.name}) for k, c in enumerate(columns)]]
        header_rows = 3
    extra_header = []
    if shape == "duplicate":
        extra_header = [draw(st.sampled_from(header)) + draw(st.sampled_from(["", " "]))]
    elif shape == "blank_header":
        extra_header = [draw(st.sampled_from(["", " "])) for _ in range(draw(st.integers(1, 2)))]
    extra_cells = [[draw(st.sampled_from(WORDS)) for _ in extra_header] for _ in range(n)]

    delimiter = draw(st.sampled_from(DELIMITERS))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header + extra_header)
    for row in pre_rows:
        writer.writerow(row + ["" for _ in extra_header])
    for i in range(n):
        writer.writerow([cells[c.name][i] for c in columns] + extra_cells[i])
    text = buf.getvalue()
    if draw(st.booleans()):
        text = text[: -len(eol)]
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")

    mutation = draw(st.sampled_from(["truncate", "truncate", "insert"])) if damaged else "none"
    expected = n
    table = {"columns": columns, "cells": cells}  # numeric cells are ASCII: any encoding keeps them
    if mutation == "truncate":
        cut = draw(st.integers(1, len(data) - 1))
        data = data[:cut]
        kept = data.decode(encoding, errors="ignore").lstrip("\ufeff").replace("\r\n", "\n")
        lines = [line for line in kept.split("\n") if line.strip("\r")]
        expected = len(lines) - header_rows if len(lines) > header_rows else None
        table = None
    elif mutation == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\xff", b'"', b"\r", b"\n", b",", b"\x81", b"\xef\xbb\xbf"])) + data[at:]
        expected, table = None, None
    description = {"shape": shape, "delimiter": delimiter, "encoding": encoding, "eol": eol,
                   "mutation": mutation, "rows": n, "header": header + extra_header}
    return spec, Export(data, draw(st.sampled_from([".csv", ".csv", ".txt"])), expected, table, description)


def _load_export(case, workdir) -> None:
    spec, export = case
    note(f"codebook: {spec}")
    note(f"export: {export.description}; expected rows: {export.expected_rows}")
    note(f"bytes: {export.data[:600]!r}")
    path = _file(workdir, export.suffix)
    path.write_bytes(export.data)
    run = Run()
    try:
        survey = run(load_survey, path, codebook=spec)
        if survey is not None:
            check_survey(run, survey, export.expected_rows, export.table)
        run.check_no_warnings()
    finally:
        path.unlink()


@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(300)
@given(case=exports())
def test_export_headers(case, workdir):
    """Header shapes (Qualtrics' three rows, "ImportId" in free text, duplicate or blank
    names, extra columns), delimiters, line ends, encodings; clean answers."""
    _load_export(case, workdir)


@pytest.mark.slow
@pytest.mark.adversarial("property")
@pytest.mark.parametrize("token", [t for t in TOKENS if t.strip()])
@fuzz_settings(80)
@given(data=st.data())
def test_export_tokens(token, data, workdir):
    """One token at a time in numeric cells (so that one common fault does not hide the
    others): N/A, NA, nan, 0x1F, True (and whole columns of booleans), inf, 1e999, 3,5, -99."""
    _load_export(data.draw(exports(shapes=("plain", "plain", "qualtrics"), tokens=("", " ", token))), workdir)


@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(150)
@given(case=exports(shapes=("plain",), huge_weights=True))
def test_export_weights(case, workdir):
    """Survey weights a float holds but whose sum overflows."""
    _load_export(case, workdir)


@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(300)
@given(case=exports(tokens=tuple(TOKENS), damaged=True))
def test_damaged_exports(case, workdir):
    """Exports cut off at a random byte, or with a byte inserted."""
    _load_export(case, workdir)


# -- codebooks: as mappings and as YAML files; a parsed one audits and scores a frame ------------

@st.composite
def frame_for(draw, cb: Codebook) -> pd.DataFrame:
    """Data for a parsed codebook: answers in each item's scale (whatever that is), missing
    codes, gaps; ids, weights, times, context text. The first row has id 1, weight 1, 300 seconds
    and answers every item that has whole numbers on its scale, alternating between the two
    lowest (so that usually someone is kept, and the scores get computed)."""
    n = draw(st.integers(1, 6))

    def whole(item) -> tuple[int, int] | None:
        lo, hi = item.scale.min, item.scale.max
        if math.isfinite(lo) and math.isfinite(hi) and math.floor(hi) >= math.ceil(lo) and hi - lo < 1e6:
            return math.ceil(lo), math.floor(hi)
        return None

    def item_value(item):
        options = [st.integers(*whole(item)).map(float)] * 4 if whole(item) else []
        lo, hi = item.scale.min, item.scale.max
        finite_lo = max(lo, -1e308) if not math.isnan(lo) else -1e308
        finite_hi = min(hi, 1e308) if not math.isnan(hi) else 1e308
        if finite_lo <= finite_hi:
            options.append(st.floats(finite_lo, finite_hi, allow_nan=False, allow_infinity=False))
        options.append(st.just(math.nan))
        options += [st.sampled_from(item.missing_codes)] if item.missing_codes else []
        return st.one_of(options)

    out = {}
    for j, c in enumerate(cb.columns()):
        if c == cb.id:
            out[c] = [1] + draw(st.lists(st.one_of(st.integers(1, 4), st.none()), min_size=n - 1, max_size=n - 1)) \
                if draw(st.integers(0, 3)) == 3 else list(range(1, n + 1))
        elif c in cb.items:
            item = cb.items[c]
            first = [float(min(whole(item)[0] + j % 2, whole(item)[1]))] if whole(item) else [draw(item_value(item))]
            out[c] = first + [draw(item_value(item)) for _ in range(n - 1)]
        elif c == cb.weight:
            out[c] = [1.0] + draw(st.lists(st.sampled_from([1.0, 0.5, 2.0, 0.0, math.nan, 1e308, 1e-300]),
                                           min_size=n - 1, max_size=n - 1))
        elif c == cb.completion_time:
            out[c] = [300.0] + draw(st.lists(st.sampled_from([300.0, 600.0, 30.0, 0.0, math.nan, 1e308]),
                                             min_size=n - 1, max_size=n - 1))
        else:
            out[c] = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    return pd.DataFrame(out)


@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(500)
@given(data=st.data())
def test_codebooks(data, workdir):
    """Generated codebooks, now and then with an extreme scale or broken keys and types, as a
    mapping (``Codebook.from_dict``) or a YAML file in some encoding, perhaps with a key given
    twice (``read_codebook``); one that loads then audits and scores a frame of its columns."""
    spec, _ = data.draw(codebook_specs(), label="codebook")
    if data.draw(st.integers(0, 3), label="extreme scale?") == 3:  # numbers, min < max: a valid shape
        lo, hi = data.draw(st.sampled_from(EXTREME_SCALES), label="scale")
        spec["scale"] = {"min": lo, "max": hi}
        spec.pop("missing_codes", None)
        for attrs in spec.get("items", {}).values():
            attrs.pop("missing_codes", None)
    if data.draw(st.integers(0, 4), label="broken?"):
        spec = data.draw(broken_specs(spec), label="broken codebook")
    how = data.draw(st.sampled_from(["dict", "yaml", "yaml"]), label="through")
    run = Run()
    twice = False
    if how == "dict":
        cb = run(Codebook.from_dict, copy.deepcopy(spec))
    else:
        text = yaml.safe_dump(spec, allow_unicode=data.draw(st.booleans()), sort_keys=False,
                              default_flow_style=data.draw(st.sampled_from([False, None])))
        if data.draw(st.integers(0, 5)) == 5:  # a top-level key given twice (the dump is block style)
            key = data.draw(st.sampled_from(list(spec)))
            text += yaml.safe_dump({key: spec[key]}, allow_unicode=True, default_flow_style=None)
            twice = True
        encoding = data.draw(st.sampled_from(ENCODINGS), label="encoding")
        note(f"YAML ({encoding}):\n{text}")
        path = _file(workdir, ".yaml")
        path.write_bytes(text.encode(encoding, errors="replace"))
        try:
            cb = run(read_codebook, path)
        finally:
            path.unlink()
    if cb is None:
        run.check_no_warnings()
        return
    assert not twice, "a codebook file with a key given twice was loaded (YAML keeps only the last)"
    _check_codebook(cb)
    frame = data.draw(frame_for(cb), label="frame")
    survey = run(audit_survey, frame, cb)
    if survey is not None:
        check_survey(run, survey, len(frame))
    run.check_no_warnings()


# -- the scorer on frames that did not go through the audit --------------------------------------

@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(400)
@given(data=st.data())
def test_scorer_on_raw_frames(data):
    """``ValueScorer`` handed data that did not go through the audit: answers off the scale,
    zero, negative, infinite."""
    spec, _ = data.draw(codebook_specs(), label="codebook")
    run = Run()
    cb = run(Codebook.from_dict, spec)
    if cb is None:
        return
    n = data.draw(st.integers(1, 6), label="rows")
    frame = {}
    for c in cb.value_items:
        item = cb.items[c]
        lo, hi = int(item.scale.min), int(item.scale.max)
        value = st.one_of(st.integers(lo, hi).map(float), st.integers(lo, hi).map(float),
                          st.integers(lo - 3, hi + 3).map(float), st.just(math.nan),
                          st.sampled_from([0.0, -1.0, math.inf, -math.inf, 1e308, -1e308, 0.5]),
                          st.floats(-1e3, 1e3))
        frame[c] = data.draw(st.lists(value, min_size=n, max_size=n))
    frame = pd.DataFrame(frame)
    if data.draw(st.integers(0, 4)) == 0:
        frame = frame.astype("Float64")
    scores = run(ValueScorer(cb).fit_transform, frame)
    if scores is not None:
        check_scores(scores)
    run.check_no_warnings()


# -- scenario files ------------------------------------------------------------------------------

class Raw(str):
    """A YAML scalar (or flow node) written into the file as it is."""


class Pairs(list):
    """A mapping written pair by pair, so a key can be given twice."""


YAML_SCALARS = [".nan", ".inf", "-.inf", "0x1F", "0o17", "yes", "no", "on", "off", "~", "null", "2024-01-01",
                "1e999", "1.0e999", "12:30:00", "0b101", "+12", "1_000", "!!binary aGk=", "!!str 5", "!!float 5",
                "!!python/object/apply:os.system ['true']", "*nowhere", "[]", "{}", "''", "NaN", "Infinity",
                "&a 5", "[&b 5, *b]", "{&k x: 1}", "? [a]\n: 1", "|\n  text", "!!set {a, b}", "!!omap [a: 1]"]
DEPTHS = [2, 40, 1100]


def _nested(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


def _render(value) -> str:
    """Flow style, which is JSON for plain values and YAML with the raw scalars."""
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_render(v)}" for k, v in value) + "}"
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return _render(Pairs(value.items()))
    return json.dumps(value, ensure_ascii=False)


def _has_twice(value) -> bool:
    if isinstance(value, Pairs):
        keys = [str(k) for k, _ in value]
        return len(set(keys)) < len(keys) or any(_has_twice(v) for _, v in value)
    return False


VALUE = st.one_of(JUNK, st.sampled_from(YAML_SCALARS).map(Raw), st.sampled_from(DEPTHS).map(_nested))
LEVER_VALUE = st.one_of(st.integers(-60, 60), st.integers(-60, 60), st.floats(-100, 100, allow_nan=False),
                        st.floats(), VALUE)
LEVERS = st.one_of(
    st.lists(st.tuples(st.one_of(st.sampled_from(DEMO_LEVER_NAMES), st.sampled_from(DEMO_LEVER_NAMES), TEXT),
                       LEVER_VALUE), max_size=4).map(Pairs),
    VALUE)


@st.composite
def scenario_documents(draw):
    pairs = []
    for key in draw(st.lists(st.one_of(st.sampled_from(["name", "description", "levers", "segments"]),
                                       st.sampled_from(["name", "levers"]),
                                       st.sampled_from(["Name", "levers ", "communication", "lever"]), TEXT),
                             max_size=5)):
        if key == "name":
            value = draw(st.one_of(TEXT, st.sampled_from(["cheaper", "  ", "Précio −5 %"]), VALUE))
        elif key == "levers":
            value = draw(LEVERS)
        elif key == "segments":
            value = draw(st.one_of(st.lists(st.one_of(st.integers(0, 4), st.just("all"), TEXT), max_size=3), VALUE))
        else:
            value = draw(st.one_of(TEXT, VALUE))
        pairs.append((key, value))
    doc = Pairs(pairs)
    fmt = draw(st.sampled_from(["yaml", "yaml", "json"]))
    if fmt == "json" or draw(st.booleans()):
        text = _render(doc)
    else:  # block style at the top
        text = "".join(f"{json.dumps(k, ensure_ascii=False)}: {_render(v)}\n" for k, v in doc)
    suffix = {"json": ".json", "yaml": draw(st.sampled_from([".yaml", ".yml", ".json"]))}[fmt]
    return doc, text, suffix


@pytest.fixture(scope="module")
def demo_engine():
    """The demo survey's what-if engine with its lever file (no segments, no outcome models)."""
    survey = load_survey(DATA_DIR / "demo_survey.csv", codebook=DEMO_CODEBOOK)
    scorer = ValueScorer(survey.codebook).fit(survey.data)
    levers = read_levers(DATA_DIR / "demo_levers.yaml", survey.codebook)
    return ScenarioEngine(survey.data, scorer, levers, weights=survey.weights)


def _apply(run: Run, engine, scenario):
    result = run(engine.apply, scenario)
    if result is not None:
        summary = result["summary"].select_dtypes("number").to_numpy(float)
        assert not np.isinf(summary).any(), f"infinite numbers in the scenario summary: {result['summary']}"


@pytest.mark.slow
@pytest.mark.adversarial("property")
@fuzz_settings(500)
@given(document=scenario_documents(), encoding=st.sampled_from(ENCODINGS + ["latin-1"]))
def test_scenario_files(document, encoding, workdir, demo_engine):
    """Random keys and values (raw YAML scalars, anchors, nesting), YAML or JSON, any encoding."""
    doc, text, suffix = document
    note(f"{suffix} ({encoding}): {text[:2000]!r}")
    path = _file(workdir, suffix)
    path.write_bytes(text.encode(encoding, errors="replace"))
    run = Run()
    try:
        scenario = run(Scenario.load, path)
    finally:
        path.unlink()
    if scenario is not None:
        assert not _has_twice(doc), f"a scenario file with a key given twice was loaded: {scenario!r}"
        _apply(run, demo_engine, scenario)
    run.check_no_warnings()


@st.composite
def valid_scenarios(draw) -> dict:
    """A scenario as the dashboard would save one: a name, a few of the demo's levers."""
    spec = {"name": draw(st.one_of(st.sampled_from(["cut waiting time", "Précio −5 %", "staff ✓", "日本"]),
                                   TEXT.filter(str.strip))),
            "levers": draw(st.dictionaries(st.sampled_from(DEMO_LEVER_NAMES), st.integers(-5, 5), max_size=3))}
    if draw(st.booleans()):
        spec["description"] = draw(TEXT)
    return spec


def _write_scenario(spec: dict, fmt: str) -> tuple[str, str]:
    if fmt == "json":
        return json.dumps(spec, ensure_ascii=False), ".json"
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), ".yaml"


@pytest.mark.adversarial("property")
@fuzz_settings(200)
@given(spec=valid_scenarios(), fmt=st.sampled_from(["yaml", "json"]),
       encoding=st.sampled_from(ENCODINGS + ["latin-1"]))
def test_scenario_encodings(spec, fmt, encoding, workdir, demo_engine):
    """A well-formed scenario in each encoding: a ValuekitError or the scenario; with a byte
    order mark exactly as without one (UTF-8 either way)."""
    text, suffix = _write_scenario(spec, fmt)
    note(f"{suffix} ({encoding}): {text!r}")
    run = Run()
    path = _file(workdir, suffix)
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        scenario = run(Scenario.load, path)
    finally:
        path.unlink()
    if encoding == "utf-8-sig":
        plain = _file(workdir, suffix)
        plain.write_bytes(text.encode("utf-8"))
        try:
            without_bom = run(Scenario.load, plain)
        finally:
            plain.unlink()
        if without_bom is not None:
            assert scenario is not None and repr(scenario) == repr(without_bom), (
                f"the same UTF-8 scenario loads without a byte order mark ({without_bom!r}) but not "
                f"with one ({run.errors[0] if scenario is None else scenario!r})")
    if scenario is not None:
        _apply(run, demo_engine, scenario)
    run.check_no_warnings()


@pytest.mark.adversarial("property")
@fuzz_settings(60)
@given(spec=valid_scenarios(), fmt=st.sampled_from(["yaml", "yaml block", "json"]),
       where=st.sampled_from(["name", "levers", "a lever"]), data=st.data())
def test_scenario_duplicate_keys(spec, fmt, where, data, workdir):
    """README: scenario files are read with a loader that refuses duplicate keys."""
    levers = Pairs(spec["levers"].items())
    if where == "a lever" or where == "levers" and not levers:
        lever = data.draw(st.sampled_from(DEMO_LEVER_NAMES), label="lever")
        levers = Pairs([*levers, (lever, 1), (lever, -1)])
        pairs = [("name", spec["name"]), ("levers", levers)]
    elif where == "levers":
        pairs = [("name", spec["name"]), ("levers", levers), ("levers", Pairs([]))]
    else:
        pairs = [("name", spec["name"]), ("levers", levers), ("name", "another name")]
    if fmt == "yaml block":
        text = "".join(f"{json.dumps(k, ensure_ascii=False)}: {_render(v)}\n" for k, v in pairs)
    else:
        text = _render(Pairs(pairs))
    suffix = ".json" if fmt == "json" else ".yaml"
    note(f"{suffix}: {text}")
    path = _file(workdir, suffix)
    path.write_text(text, encoding="utf-8")
    run = Run()
    try:
        scenario = run(Scenario.load, path)
    finally:
        path.unlink()
    assert scenario is None, f"a scenario file with a key given twice ({where}) was loaded: {scenario!r}"
    run.check_no_warnings()


NESTED = "[" * 5000 + "]" * 5000


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind, suffix, text", [
    ("scenario", ".yaml", f"name: {NESTED}\n"),
    ("scenario", ".json", f'{{"name": {NESTED}}}'),
    ("codebook", ".yaml", f"name: {NESTED}\n" + "scale: {min: 1, max: 5}\nbenefits: {functional: [q1]}\n"),
    ("levers", ".yaml", f"levers: {{price: {NESTED}}}\n"),
], ids=["scenario-yaml", "scenario-json", "codebook", "levers"])
def test_deep_nesting(kind, suffix, text, workdir):
    """Brackets nested 5,000 deep (10 kB): a ValuekitError, not a RecursionError."""
    path = _file(workdir, suffix)
    path.write_text(text, encoding="utf-8")
    run = Run()
    try:
        if kind == "scenario":
            run(Scenario.load, path)
        elif kind == "codebook":
            run(read_codebook, path)
        else:
            run(read_levers, path, DEMO_CODEBOOK)
    finally:
        path.unlink()
    run.check_no_warnings()
    assert run.errors and "nesting deeper than" in str(run.errors[0]), "5,000 levels of nesting were not refused"


# -- alias bombs ---------------------------------------------------------------------------------

def _bomb(width: int, depth: int, prefix: str) -> str:
    """A flow sequence of anchors, each level ``width`` aliases of the one below: read with
    aliases shared, it is small; written out (repr, str, JSON), ``width ** depth`` leaves."""
    levels = [f'&{prefix}0 "lol"']
    for d in range(1, depth + 1):
        levels.append(f"&{prefix}{d} [" + ", ".join([f"*{prefix}{d - 1}"] * width) + "]")
    return "[" + ", ".join(levels) + "]"


CODEBOOK_BASE = "scale: {min: 1, max: 5}\nmissing_codes: [9]\nid: rid\nbenefits: {functional: [q1, q2]}\nsacrifices: {money: [q3]}\n"
LEVER = "how: points, moves: [money], range: [-1, 1], value_lever: offer"
#: Where a bomb goes (at each @B@), by kind of file.
BOMB_FILES = {
    "codebook": [
        "name: @B@\n" + CODEBOOK_BASE, "description: @B@\n" + CODEBOOK_BASE,
        "scale: @B@\nbenefits: {functional: [q1]}\n", CODEBOOK_BASE.replace("[9]", "@B@"),
        CODEBOOK_BASE.replace("id: rid", "id: @B@"), CODEBOOK_BASE.replace("[q1, q2]", "@B@"),
        CODEBOOK_BASE.replace("[q1, q2]", "[q1, @B@]"), CODEBOOK_BASE.replace("{money: [q3]}", "@B@"),
        CODEBOOK_BASE + "items: {q1: @B@}\n", CODEBOOK_BASE + "items: {q1: {text: @B@}}\n",
        CODEBOOK_BASE + "items: {q1: {label: @B@}}\n", CODEBOOK_BASE + "items: {q1: {reverse: @B@}}\n",
        CODEBOOK_BASE + "weight: @B@\n", CODEBOOK_BASE + "context: {situation: @B@}\n",
        CODEBOOK_BASE + "outcomes: {recommend: @B@}\n", CODEBOOK_BASE + "levers: @B@\n",
        CODEBOOK_BASE + "labels: {functional: @B@}\n", CODEBOOK_BASE + "unknown_key: @B@\n",
        CODEBOOK_BASE + "other: @B@\n", CODEBOOK_BASE + "constructs: {trust: @B@}\n",
    ],
    "scenario": [
        "name: @B@\nlevers: {price: 5}\n", "name: x\ndescription: @B@\n", "name: x\nlevers: @B@\n",
        "name: x\nlevers: {price: @B@}\n", "name: x\nlevers: {price: 5}\nsegments: @B@\n",
        "name: x\nlevers: {price: 5}\nsegments: [all, @B@]\n", "name: x\nother: @B@\n",
    ],
    "levers": [
        "name: @B@\nlevers: {}\n", "description: @B@\nlevers: {}\n", "levers: @B@\n",
        "levers: {price: @B@}\n", "levers: {x: {how: points, moves: @B@, range: [-1, 1], value_lever: offer}}\n",
        "levers: {x: {how: points, moves: [money], range: @B@, value_lever: offer}}\n",
        "levers: {x: {" + LEVER + ", label: @B@}}\n", "levers: {x: {" + LEVER + ", assumes: @B@}}\n",
        "levers: {x: {how: @B@, moves: [money], range: [-1, 1], value_lever: offer}}\n",
        "levers: {x: {" + LEVER + ", step: @B@}}\n",
    ],
}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind, template", [(k, t) for k, ts in BOMB_FILES.items() for t in ts],
                         ids=[f"{k}-{i}" for k, ts in BOMB_FILES.items() for i in range(len(ts))])
def test_alias_bombs(kind, template, workdir, demo_engine):
    """A file of a few kilobytes whose aliases stand for a million values is refused or
    loaded as it is, never expanded (into a message, or into memory: the process may
    allocate only 256 MB more while loading it). Every place a bomb can go, not a sample."""
    counter = itertools.count()
    text = re.sub("@B@", lambda _: _bomb(10, 6, f"a{next(counter)}_"), template)
    path = _file(workdir, ".yaml")
    path.write_text(text, encoding="utf-8")
    run = Run()
    try:
        with memory_cap():
            if kind == "codebook":
                cb = run(read_codebook, path)
                if cb is not None:
                    _check_codebook(cb)
            elif kind == "scenario":
                scenario = run(Scenario.load, path)
                if scenario is not None:
                    _apply(run, demo_engine, scenario)
            else:
                run(read_levers, path, DEMO_CODEBOOK)
    finally:
        path.unlink()
    run.check_no_warnings()
    assert run.errors, "an alias bomb was loaded, not refused"
