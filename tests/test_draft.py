"""`valuekit init`: a codebook drafted from the export, measured against the codebooks we know.

Four exports with their codebooks stripped: the demo and the clinic (Spanish) as their own
CSVs (descriptive column names, no question text), and each again as a Qualtrics-style CSV
and an SPSS file whose rated columns are renamed q1..qN, so that only the question text
(the Qualtrics question row, SPSS variable labels) can place them. The floors below sit
just under what the drafts achieve (README, "Drafting a codebook from the export").
"""

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from valuekit import DATA_DIR, Codebook, load_survey, read_codebook
from valuekit.cli import main
from valuekit.draft import draft_codebook, draft_quality

DEMO = (DATA_DIR / "demo_survey.csv", DATA_DIR / "demo_codebook.yaml")
CLINIC = (DATA_DIR / "clinic_survey.csv", DATA_DIR / "clinic_codebook.yaml")


def _neutral(data, codebook):
    """The export with rated columns renamed q1..qN; their question text; the renaming."""
    cb = read_codebook(codebook)
    frame = _raw(data)
    rated = [c for c, i in cb.items.items() if i.role in ("benefit", "sacrifice", "outcome")]
    rename = {c: f"q{k}" for k, c in enumerate(rated, 1)}
    text = {rename[c]: cb.items[c].text for c in rated}
    return frame.rename(columns=rename), text, rename, cb


def _raw(data):
    from valuekit.io import read_survey_file

    return read_survey_file(data)[0]


def qualtrics_fixture(tmp_path, data, codebook):
    frame, text, rename, cb = _neutral(data, codebook)
    frame = frame.rename(columns={cb.id: "ResponseId"})
    if cb.completion_time:
        frame = frame.rename(columns={cb.completion_time: "Duration (in seconds)"})
    questions = {c: text.get(c, c) for c in frame.columns}
    ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(frame.columns)}
    out = pd.concat([pd.DataFrame([questions, ids]), frame.astype("string")], ignore_index=True)
    path = tmp_path / f"{data.stem}_qualtrics.csv"
    out.to_csv(path, index=False, encoding="utf-8-sig")
    back = {**{v: k for k, v in rename.items()}, "ResponseId": cb.id}
    return path, {**rename, cb.id: "ResponseId"}, back


def spss_fixture(tmp_path, data, codebook):
    frame, text, rename, cb = _neutral(data, codebook)
    labels, missing = {}, {}
    for col in text:
        item = cb.items[{v: k for k, v in rename.items()}[col]]
        lo, hi = int(item.scale.min), int(item.scale.max)
        dk = {int(c): ("no sabe / no contesta" if "clinic" in data.stem else "don't know") for c in item.missing_codes}
        labels[col] = {lo: "lowest", hi: "highest", **dk}
        missing[col] = [int(c) for c in item.missing_codes]
    for col in frame.columns:  # SPSS wants numbers or text, not pandas' nullable types
        frame[col] = pd.to_numeric(frame[col], errors="coerce") if col in text else frame[col].astype(object)
    path = tmp_path / f"{data.stem}.sav"
    pyreadstat.write_sav(frame, path, column_labels=text, variable_value_labels=labels, missing_ranges=missing)
    return path, rename


@pytest.mark.parametrize("which, floors", [
    ("demo", {"blocks": 0.15, "scales": 1.0, "missing_codes": 1.0}),    # names like fun_ease_1 say little
    ("clinic", {"blocks": 0.9, "scales": 1.0, "missing_codes": 1.0}),   # p04_precio_justo says a lot
])
def test_drafts_of_the_bundled_exports(which, floors):
    data, codebook = DEMO if which == "demo" else CLINIC
    draft = draft_codebook(data)
    quality = draft_quality(draft, read_codebook(codebook))
    for key, floor in floors.items():
        assert quality[key] >= floor, (key, quality)
    assert quality["id"]
    assert draft.problems() == [] or which == "demo"


@pytest.mark.parametrize("which", ["demo", "clinic"])
@pytest.mark.parametrize("kind", ["qualtrics", "spss"])
def test_drafts_place_items_by_their_question_text(tmp_path, which, kind):
    data, codebook = DEMO if which == "demo" else CLINIC
    if kind == "qualtrics":
        path, rename, _ = qualtrics_fixture(tmp_path, data, codebook)
    else:
        path, rename = spss_fixture(tmp_path, data, codebook)
    draft = draft_codebook(path)
    quality = draft_quality(draft, read_codebook(codebook), rename=rename)
    if which == "demo" and kind == "qualtrics":
        assert draft.completion_time.value == "Duration (in seconds)" and draft.weight.value == "weight"
    assert quality["id"], draft.id
    assert quality["scales"] == 1.0 and quality["missing_codes"] == 1.0, quality
    assert quality["blocks"] >= {"demo": 0.87, "clinic": 0.93}[which], quality  # measured 0.879, 0.938
    # facets of the items in the right block (none where the codebook has none): measured 0.76, 1.0
    assert quality["facets"] >= {"demo": 0.75, "clinic": 1.0}[which], quality
    assert draft.problems() == [], draft.problems()
    cb = Codebook.from_dict(draft.to_dict())  # the draft loads and audits the export as it is
    assert read_codebook(yaml.safe_load(draft.to_yaml())).to_frame()["facet"].equals(cb.to_frame()["facet"])
    if which == "demo":
        back = {v: k for k, v in rename.items()}
        assert {back[c]: cb.items[c].facet for c in cb.block_items("functional")} == {
            "fun_ease_1": "ease_of_use", "fun_ease_2": "ease_of_use", "fun_rel_1": "reliability",
            "fun_rel_2": "reliability", "fun_prac_1": "practicality", "fun_prac_2": "practicality"}
    survey = load_survey(path, codebook=cb)
    assert survey.audit.rows_in == survey.audit.rows_kept + survey.audit.rows_excluded


def test_the_yaml_says_how_sure_each_guess_is_and_loads(tmp_path):
    path, _, _ = qualtrics_fixture(tmp_path, *CLINIC)
    out = tmp_path / "draft.yaml"
    assert main(["init", str(path), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Codebook drafted by `valuekit init`")
    assert "id: ResponseId  # sure: named like an id" in text
    lines = [line for line in text.splitlines() if line.startswith("    - q")]
    assert lines and all(re_sure(line) for line in lines)
    spec = yaml.safe_load(text)
    assert spec["scale"] == {"min": 0, "max": 10} and spec["missing_codes"] == [99]
    assert spec["items"]["q1"]["text"] == "El tratamiento resolvió mi problema dental."
    assert main(["init", str(path), "-o", str(out)]) == 2  # no silent overwrite
    assert main(["init", str(path), "-o", str(out), "--force"]) == 0


def re_sure(line: str) -> bool:
    import re

    return re.search(r"  # (sure|likely|guess) \(\d\.\d\d\): ", line) is not None


def test_reverse_keyed_items_are_found_by_their_item_rest_correlation(tmp_path):
    path, rename = spss_fixture(tmp_path, *DEMO)
    draft = draft_codebook(path)
    truth = read_codebook(DEMO[1])
    reverse_true = {rename[c] for c, i in truth.items.items() if i.reverse and c in rename}
    found = {c for c, g in draft.reverse.items() if g.value}
    assert found == reverse_true, (found, reverse_true)  # all four, and no other
    assert all("item-rest r = -" in draft.reverse[c].reason for c in found)


def test_a_file_without_id_or_question_text_drafts_row_numbers_and_lists_what_is_left(tmp_path):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(1, 6, size=(60, 4)), columns=["a", "b", "c", "d"])
    frame.loc[::7, "a"] = 9
    frame = pd.concat([frame, frame.iloc[:2]], ignore_index=True)  # no column is unique
    path = tmp_path / "bare.csv"
    frame.to_csv(path, index=False)
    draft = draft_codebook(path)
    assert draft.id is None and draft.scale == (1.0, 5.0) and draft.missing_codes == [9.0]
    assert set(draft.other) == {"a", "b", "c", "d"}
    problems = draft.problems()
    assert any("'benefits': is required" in p for p in problems)
    out = tmp_path / "bare.yaml"
    assert main(["init", str(path), "-o", str(out)]) == 1  # written, with the decisions left
    assert "# Decisions left before this codebook loads:" in out.read_text()


def test_an_amount_column_keeps_its_99s(tmp_path):
    """A positive code such as 99 is a don't-know on a rating, but may be a real amount."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"id": np.arange(1, 201), "q1": rng.integers(1, 8, 200), "amount": rng.integers(20, 150, 200)})
    frame.loc[::9, "q1"] = 99
    frame.loc[3, "amount"] = -99
    path = tmp_path / "amount.csv"
    frame.to_csv(path, index=False)
    draft = draft_codebook(path)
    assert draft.missing_codes == [99.0] and draft.codes_of("q1") == [99.0]
    assert draft.codes_of("amount") == [] and draft.to_dict()["items"]["amount"]["missing_codes"] == []


def test_several_items_of_one_outcome_become_a_multi_item_outcome(tmp_path):
    rng = np.random.default_rng(3)
    sat = rng.integers(1, 8, 120)
    frame = pd.DataFrame({
        "q1": rng.integers(1, 8, 120), "q2": rng.integers(1, 8, 120),
        "q3": sat, "q4": np.clip(sat + rng.integers(-1, 2, 120), 1, 7),
    })
    text = {"q1": "The products are of high quality", "q2": "The price is fair",
            "q3": "Overall, how satisfied are you?", "q4": "I am satisfied with my visit"}
    ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(frame.columns)}
    path = tmp_path / "export.csv"
    pd.concat([pd.DataFrame([text, ids]), frame.astype("string")], ignore_index=True).to_csv(path, index=False)
    draft = draft_codebook(path)
    assert draft.to_dict()["outcomes"] == {"satisfaction": ["q3", "q4"]}
    out = tmp_path / "draft.yaml"
    out.write_text(draft.to_yaml(), encoding="utf-8")
    cb = read_codebook(out)
    assert cb.outcomes == {"satisfaction": "satisfaction"} and cb.scales == {"satisfaction": ["q3", "q4"]}


def _qualtrics_csv(path, frame, text):
    """A Qualtrics-style CSV: the header, the question row, the ImportId row, the answers."""
    ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(frame.columns)}
    pd.concat([pd.DataFrame([text, ids]), frame.astype("string")], ignore_index=True).to_csv(path, index=False)
    return path


def _likert(latent, rng, lo=1, hi=7, sign=1):
    return np.clip(np.round((lo + hi) / 2 + sign * 1.5 * (latent + rng.normal(0, 0.6, latent.size))), lo, hi)


def test_a_reversed_item_in_a_two_item_block_is_a_guess_and_wording_alone_is_flagged(tmp_path):
    """Two items at r = -0.69 cannot say which is reversed: the negated one is reverse-keyed,
    as a guess; negated wording the answers cannot confirm is flagged (reverse: false) to check."""
    rng = np.random.default_rng(11)
    g = rng.normal(size=(300, 3))
    frame = pd.DataFrame({"v1": _likert(g[:, 0], rng), "v2": _likert(g[:, 0], rng, sign=-1),
                          "v3": _likert(g[:, 1], rng), "v4": _likert(g[:, 1], rng),
                          "v5": _likert(g[:, 2], rng), "v6": _likert(g[:, 2], rng, sign=-1),
                          "v7": _likert(g[:, 2], rng)})
    text = {"v1": "The product is reliable", "v2": "The product is not reliable and often fails",
            "v3": "The price is too high", "v4": "I pay too much for it",
            "v5": "The staff are friendly", "v6": "The stores are pleasant",  # reversed, no negation
            "v7": "The staff don't explain things"}  # a 'not', but answered like its block
    path = _qualtrics_csv(tmp_path / "rev.csv", frame, text)
    draft = draft_codebook(path)
    assert {c: g.value for c, g in draft.reverse.items()} == {"v2": True, "v6": True, "v7": False}, draft.reverse
    v2 = draft.reverse["v2"]
    assert v2.sure == "guess" and v2.reason.startswith("r = -0.") and "between v1 and v2" in v2.reason
    assert "negated wording ('not')" in v2.reason
    assert draft.reverse["v6"].sure == "sure"  # three items: the item-rest correlation
    assert draft.reverse["v7"].sure == "guess" and "so not reversed: check" in draft.reverse["v7"].reason
    written = draft.to_yaml()
    assert "    reverse: true  # guess: r = -0." in written and "    reverse: false  # guess: negated wording" in written
    cb = read_codebook(yaml.safe_load(written))
    assert cb.items["v2"].reverse and not cb.items["v1"].reverse and not cb.items["v7"].reverse
    # the draft's reverse key makes the block reliable
    from valuekit.reliability import reliability

    table = reliability(load_survey(path, codebook=cb).data, cb).set_index("block")
    assert table.loc["functional", "alpha"] > 0.7 and table.loc["functional", "note"] == ""

    # neither item worded against the block: the second is taken, and the comment says so
    frame["v2"] = _likert(g[:, 0], rng, sign=-1)
    text2 = {**text, "v2": "The product often fails"}
    draft = draft_codebook(_qualtrics_csv(tmp_path / "rev2.csv", frame, text2))
    assert draft.reverse["v2"].value and "neither worded against the block: the second taken" in draft.reverse[
        "v2"].reason


def _dont_know_after(rng, n=400, dk=0.06, top=5):
    """Nine items on 1-``top`` of five factors, "don't know" coded ``top + 1`` (Qualtrics'
    numbering), as the audit's gimnasio export."""
    g = rng.normal(size=(n, 5))
    frame = pd.DataFrame({f"Q{i}": np.clip(np.round(3 + g[:, f] + rng.normal(0, 0.8, n)), 1, top)
                          for i, f in enumerate([1, 1, 2, 0, 0, 3, 4, 2, 3], 1)})
    if dk:
        frame = frame.mask(rng.random(frame.shape) < dk, top + 1)
    return frame


def test_a_scale_rounded_up_past_the_answers_is_a_guess_and_a_dont_know_after_it_is_suggested(tmp_path):
    rng = np.random.default_rng(5)
    text = {f"Q{i}": "El personal del gimnasio es amable - Muy en desacuerdo a Muy de acuerdo" for i in range(1, 10)}
    draft = draft_codebook(_qualtrics_csv(tmp_path / "gim.csv", _dont_know_after(rng), text))
    assert draft.scale == (1.0, 7.0) and draft.missing_codes == []  # nothing applied: a suggestion
    line = next(x for x in draft.to_yaml().splitlines() if x.startswith("scale:"))
    assert line.startswith("scale: {min: 1, max: 7}  # guess: 9 of 9 rated columns fit 1-7; but no column holds 7 "
                           "(answers 1-6): rounded out to a usual scale"), line
    assert "a don't-know coded after a 1-5 scale" in line and "scale {min: 1, max: 5} and missing_codes: [6]" in line
    # a real scale whose top answer is rare: rounded out (a guess), but no don't-know suggested
    real = _dont_know_after(rng, dk=0, top=6)
    draft = draft_codebook(_qualtrics_csv(tmp_path / "real.csv", real, text))
    assert (real == 6).mean().max() < 0.1  # as rare as the don't-knows above
    assert draft.scale_reason.startswith("guess: 9 of 9 rated columns fit 1-7; but no column holds 7")
    assert "don't-know" not in draft.scale_reason
    # every end used: no guess
    full = _dont_know_after(rng, dk=0, top=7)
    full.iloc[0] = 7
    assert not draft_codebook(_qualtrics_csv(tmp_path / "full.csv", full, text)).scale_reason.startswith("guess")
