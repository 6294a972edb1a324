"""`valuekit init`: a codebook drafted from the export, measured against the codebooks we know.

Four exports with their codebooks stripped: the demo and the clinic (Spanish) as their own
CSVs (descriptive column names, no question text), and each again as a Qualtrics-style CSV
and an SPSS file whose rated columns are renamed q1..qN, so that only the question text
(the Qualtrics question row, SPSS variable labels) can place them. The floors below sit
just under what the drafts achieve (README, "Drafting a codebook from the export"). The
vocabulary was tuned with these two surveys in view: the honest figure of how far the
draft can be trusted is the held-out one of ``test_draft_calibration.py``.
"""

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from valuekit import DATA_DIR, Codebook, load_survey, read_codebook
from valuekit.cli import main
from valuekit.survey.draft import SURE, draft_codebook, draft_quality

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
    from valuekit.survey.io import read_survey_file

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
    ("demo", {"blocks": 0.24, "scales": 1.0, "missing_codes": 1.0}),    # names like fun_ease_1 say little: 0.242
    ("clinic", {"blocks": 1.0, "scales": 1.0, "missing_codes": 1.0}),   # p04_precio_justo says a lot: 1.0
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
    assert quality["blocks"] == 1.0, quality  # measured 1.0 and 1.0 (0.879 and 0.938 before whole-word stems)
    # facets of the items in the right block (none where the codebook has none): measured 1.0, 1.0
    assert quality["facets"] == 1.0, quality
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


def _coded(tmp_path, names=("a", "b", "c", "d"), repeat=True):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(1, 6, size=(60, len(names))), columns=list(names))
    frame.loc[::7, names[0]] = 9
    if repeat:
        frame = pd.concat([frame, frame.iloc[:2]], ignore_index=True)  # no column is unique
    path = tmp_path / "bare.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_file_without_id_or_question_text_drafts_row_numbers_and_a_skeleton(tmp_path):
    """Coded column names and no question text: nothing can be placed. The draft says so and
    is a skeleton: every rated column under other: with its scale, the blocks to fill
    commented (benefits being required, it does not load until the analyst places them)."""
    path = _coded(tmp_path)
    draft = draft_codebook(path)
    assert draft.id is None and draft.scale == (1.0, 5.0) and draft.missing_codes == [9.0]
    assert set(draft.other) == {"a", "b", "c", "d"} and draft.blocks == {} and draft.skeleton
    assert any("'benefits': is required" in p for p in draft.problems())
    text = draft.to_yaml()
    assert "# A SKELETON: the file has no question text and the column names (a, b, c, d) do not say what" in text
    assert "# benefits:  # required: at least one dimension's items\n#   functional: []\n#   economic: []" in text
    assert "#   time: []" in text and "#   satisfaction: " in text
    assert "other:  # every rated column, with its scale: move each into its block above" in text
    for col in "abcd":
        assert f"  - {col}  # a rating (1-5); its name says nothing of what was asked (no question text" in text
    assert yaml.safe_load(text)["other"] == ["a", "b", "c", "d"]  # the file is YAML; it loads once placed
    spec = yaml.safe_load(text)
    spec["benefits"] = {"functional": spec.pop("other")}
    assert Codebook.from_dict(spec).block_items("functional") == ["a", "b", "c", "d"]


def test_a_skeleton_is_what_init_was_asked_for(tmp_path):
    """Coded names such as PERV1, CUSA2, Q1_3 (the ECSI "mobi" data as a plain CSV): no code is
    read as a word ('imag' is not 'image'), every rated column is listed with its own scale
    (Q1_3 is 1-6 in a 1-10 file) and a grouping code is context."""
    rng = np.random.default_rng(1)
    cols = ["PERV1", "PERV2", "CUSA1", "CUSA2", "IMAG1", "CUSL3", "Q1_3", "Q1_4"]
    frame = pd.DataFrame(rng.integers(1, 11, size=(250, len(cols))), columns=cols)
    frame[["Q1_3", "Q1_4"]] = rng.integers(1, 7, size=(250, 2))
    frame["gender"] = rng.integers(1, 3, 250)
    frame.to_csv(tmp_path / "mobi.csv", index=False)
    draft = draft_codebook(tmp_path / "mobi.csv")
    assert draft.skeleton and draft.blocks == {} and list(draft.context) == ["gender"]
    assert [c for c in draft.other if c in draft.item_scale] == cols
    assert draft.scale == (1.0, 10.0) and draft.scale_of("Q1_3") == (1.0, 6.0) == draft.scale_of("Q1_4")
    assert yaml.safe_load(draft.to_yaml())["items"]["Q1_3"]["scale"] == {"min": 1, "max": 6}
    # a file whose names are words is no skeleton
    assert not draft_codebook(DEMO[0]).skeleton and not draft_codebook(CLINIC[0]).skeleton


def test_init_writes_a_skeleton_and_exits_0(tmp_path, capsys):
    path = _coded(tmp_path)
    out = tmp_path / "bare.yaml"
    assert main(["init", str(path), "-o", str(out)]) == 0
    assert "# A SKELETON" in out.read_text() and "skeleton" in capsys.readouterr().out


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
    from valuekit.measure.reliability import reliability

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


def test_a_scale_used_exactly_is_sure_a_rounded_one_a_guess_and_a_dont_know_after_it_is_suggested(tmp_path):
    """A usual scale whose every point is answered, and nothing outside it, is that scale
    (1-6 stays 1-6, sure); a run of answers short of a usual scale is rounded out to it as a
    guess; a top answer that behaves as a code (a don't-know coded after the scale) makes
    the scale a guess and the comment suggests the smaller scale, without applying it."""
    rng = np.random.default_rng(5)
    text = {f"Q{i}": "El personal del gimnasio es amable - Muy en desacuerdo a Muy de acuerdo" for i in range(1, 10)}
    # a 1-5 scale with "don't know" coded 6: every point 1-6 answered, but those answering 6 stand apart
    draft = draft_codebook(_qualtrics_csv(tmp_path / "gim.csv", _dont_know_after(rng), text))
    assert draft.scale == (1.0, 6.0) and draft.missing_codes == []  # nothing applied: a suggestion
    line = next(x for x in draft.to_yaml().splitlines() if x.startswith("scale:"))
    assert line.startswith("scale: {min: 1, max: 6}  # guess: 9 of 9 rated columns fit 1-6; but those answering 6 "
                           "(6 % of answers) rate the most related item lower than those answering 5"), line
    assert "a don't-know coded after a 1-5 scale" in line and "scale {min: 1, max: 5} and missing_codes: [6]" in line
    # a real 1-6 scale whose top answer is rare (the psych bfi: 1-6 was drafted "1-7 # guess"): sure 1-6
    real = _dont_know_after(rng, dk=0, top=6)
    assert (real == 6).mean().max() < 0.1  # as rare as the don't-knows above
    draft = draft_codebook(_qualtrics_csv(tmp_path / "real.csv", real, text))
    assert draft.scale == (1.0, 6.0) and draft.scale_reason == "9 of 9 rated columns use 1-6, every point answered"
    assert "scale: {min: 1, max: 6}  # 9 of 9 rated columns use 1-6, every point answered" in draft.to_yaml()
    # nobody answered 1 on a 1-7 scale: the answers 2-7 are rounded out to 1-7, as a guess
    short = _dont_know_after(rng, dk=0, top=7).clip(lower=2)
    draft = draft_codebook(_qualtrics_csv(tmp_path / "short.csv", short, text))
    assert draft.scale == (1.0, 7.0)
    assert draft.scale_reason.startswith("guess: 9 of 9 rated columns fit 1-7; but no column holds 1 (answers 2-7): "
                                         "rounded out to a usual scale"), draft.scale_reason
    assert "don't-know" not in draft.scale_reason
    # every end used: no guess
    full = _dont_know_after(rng, dk=0, top=7)
    full.iloc[0] = 7
    draft = draft_codebook(_qualtrics_csv(tmp_path / "full.csv", full, text))
    assert draft.scale == (1.0, 7.0) and not draft.scale_reason.startswith("guess")


def _placed(tmp_path, texts: dict, name="words.csv", n=300, seed=2):
    """A Qualtrics export of ``texts`` (column -> question), answered at random on 1-5."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.integers(1, 6, n) for c in texts})
    return draft_codebook(_qualtrics_csv(tmp_path / name, frame, texts))


def test_words_match_whole_by_their_stems_and_phrases_first(tmp_path):
    """The issue's wildcards: fee* matched feel, feelings, feedback; charge* "take charge";
    deal "a great deal of time"; work* "my work"; Spanish 'personal' the English "personal
    need". Stems keep the forms of a word ("fees", "waited") and nothing else."""
    draft = _placed(tmp_path, {
        "q1": "Am indifferent to the feelings of others.", "q2": "I feel good here.",
        "q3": "I give feedback after every visit.", "q4": "Take charge.",
        "q5": "Am exacting in my work.", "q6": "It has products to meet my personal need.",
        "q7": "Getting to the store takes a great deal of time.", "q8": "The fees are too high.",
        "q9": "I waited for ages and the queue was slow.", "q10": "The products give me good value for money.",
        "q11": "Overall, how satisfied are you with the store?"})
    placed = {c: g.value for c, g in draft.blocks.items()}
    assert not {"q1", "q2", "q3", "q4", "q5", "q6"} & set(placed), placed
    assert placed["q7"] == ("sacrifice", "time") and placed["q8"] == ("sacrifice", "money")
    assert placed["q9"] == ("sacrifice", "time") and "'waited'" in draft.blocks["q9"].reason
    # "value for money" is one phrase of the economic benefit; its "money" is not also the money sacrifice
    assert placed["q10"] == ("benefit", "economic") and draft.blocks["q10"].reason == "words 'value for money'"
    assert draft.language == "en"
    # Spanish words only in Spanish: "el trato del personal" is the experiential benefit
    es = _placed(tmp_path, {"p1": "El trato del personal es cercano y amable.", "p2": "El precio es justo."},
                 name="es.csv")
    assert es.language == "es" and es.blocks["p1"].value == ("benefit", "experiential")


@pytest.mark.parametrize("text, block", [
    # money: evaluations and fair prices are the economic benefit; a burden is the money sacrifice
    ("Given the quality of the products and services, how would you rate the fees and prices that you pay "
     "for them?", ("benefit", "economic")),
    ("How would you rate the value for money of the service?", ("benefit", "economic")),
    ("The prices are fair.", ("benefit", "economic")),
    ("How satisfied are you with the price?", ("benefit", "economic")),
    ("The club is not too expensive.", ("benefit", "economic")),
    ("There are no hidden charges.", ("benefit", "economic")),
    ("The prices are too high.", ("sacrifice", "money")),
    ("I pay too much for what I get.", ("sacrifice", "money")),
    ("Prices here are higher than elsewhere.", ("sacrifice", "money")),
    # time: the same logic
    ("The waiting time was acceptable.", ("benefit", "functional")),
    ("I never had to wait long.", ("benefit", "functional")),
    ("How satisfied are you with the waiting time?", ("benefit", "functional")),
    ("I waited too long.", ("sacrifice", "time")),
    ("Getting an appointment takes a long time.", ("sacrifice", "time")),
    # Spanish and Italian
    ("Dada la calidad de los productos, ¿cómo valoraría las tarifas que paga?", ("benefit", "economic")),
    ("Los precios son demasiado altos.", ("sacrifice", "money")),
    ("En la oficina me atienden sin esperas.", ("benefit", "functional")),
    ("Tuve que esperar demasiado.", ("sacrifice", "time")),
    ("Come valuta il prezzo dell'abbonamento?", ("benefit", "economic")),
    ("L'abbonamento è troppo caro.", ("sacrifice", "money")),
    ("In filiale vengo servito senza lunghe attese.", ("benefit", "functional")),
    # a calm wording stays in its block (reverse-keyed); so does a safe one
    ("I feel calm during the visit.", ("sacrifice", "emotional")),
    ("I feel safe with this bank.", ("sacrifice", "risk")),
])
def test_the_wording_says_which_way_a_sacrifice_word_goes(text, block):
    from valuekit.survey.draft import _read_column

    reading = _read_column("q", text, None)
    assert reading.guess is not None and reading.guess.value == block, (text, reading.guess)
    assert reading.relief == (block[1] in ("emotional", "risk") and ("calm" in text or "safe" in text))


def test_questions_about_expectations_importance_or_frequency_are_not_placed():
    from valuekit.survey.draft import _read_column

    for text in ("Expectations for the overall quality of your provider when you became a customer",
                 "How important is a low price to you?", "How often do you visit the store?",
                 "¿Qué esperaba de la calidad del banco antes de ser cliente?",
                 "Quanto è importante per lei che l'ospedale sia vicino a casa?"):
        reading = _read_column("q", text, None)
        assert reading.guess is None and "asks about expectations, importance, frequency" in reading.why_not, text


def _valued(rng, n=400):
    """Answers of a value survey: benefits and outcomes go with a general evaluation g, sacrifices against it."""
    g = rng.normal(size=n)

    def item(load):
        return np.clip(np.round(3 + 1.1 * (load * g + rng.normal(0, 0.7, n))), 1, 5)

    return {"good": lambda: item(0.8), "bad": lambda: item(-0.6)}


def test_the_direction_check_flags_a_sacrifice_answered_like_a_benefit(tmp_path):
    """The issue's mobi: an item placed as a sacrifice whose answers go with the benefits and
    the outcomes is never sure, and its reason says why; a sacrifice word whose wording
    gives no direction takes its answers' direction."""
    rng = np.random.default_rng(8)
    a = _valued(rng)
    frame = pd.DataFrame({"q1": a["good"](), "q2": a["good"](), "q3": a["good"](), "q4": a["good"](),
                          "q5": a["good"](), "q6": a["bad"](), "q7": a["good"](), "q8": a["good"](), "q9": a["bad"]()})
    text = {"q1": "The products are of high quality and reliable.", "q2": "Staff are friendly and helpful.",
            "q3": "Overall, I am satisfied with the store.", "q4": "I would recommend the store to a friend.",
            "q5": "The prices are too high.",              # worded as a sacrifice, answered as a benefit
            "q6": "The prices are too high for what I get.",  # worded and answered as a sacrifice
            "q7": "Price.",                                # no direction in the wording: answered as a benefit
            "q8": "The store is clean and pleasant.", "q9": "Waiting times."}  # no direction: answered as a sacrifice
    draft = draft_codebook(_qualtrics_csv(tmp_path / "dir.csv", frame, text))
    q5, q6, q7, q9 = (draft.blocks[c] for c in ("q5", "q6", "q7", "q9"))
    assert q5.value == ("sacrifice", "money") and q5.sure == "guess" and q5.confidence < SURE
    assert "CHECK: placed as a sacrifice, but its answers go with the benefits (r = 0." in q5.reason
    assert "and the outcomes (r = 0." in q5.reason
    assert q6.value == ("sacrifice", "money") and q6.sure == "sure" and "CHECK" not in q6.reason
    assert q7.value == ("benefit", "economic") and q7.sure == "likely"
    assert "nothing says whether higher answers mean more or less" in q7.reason
    assert "higher answers are better, so a benefit (economic) rather than the money sacrifice" in q7.reason
    assert q9.value == ("sacrifice", "time") and q9.sure == "likely" and "as a sacrifice's do" in q9.reason
    line = next(x for x in draft.to_yaml().splitlines() if x.startswith("    - q5"))
    assert re_sure(line) and "  # guess (0.45): words 'prices' (with 'too', 'high'); CHECK:" in line


def test_labelled_categories_and_grouping_codes_are_context(tmp_path):
    """SPSS value labels that are not a rating scale (gender {1 Male, 2 Female}, a provider
    {1 A, 2 B, 3 C}) and numeric codes named like a grouping are context, not ratings; a
    labelled agreement scale stays a rating."""
    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame({"id": np.arange(n), "q1": rng.integers(1, 6, n), "q2": rng.integers(1, 6, n),
                          "gender": rng.integers(1, 3, n), "provider": rng.integers(1, 4, n),
                          "v9": rng.integers(1, 5, n), "region": rng.integers(1, 6, n), "q5": rng.integers(1, 6, n)})
    labels = {"q1": {1: "Strongly disagree", 5: "Strongly agree"}, "q2": {1: "Very poor", 5: "Excellent"},
              "gender": {1: "Male", 2: "Female"}, "provider": {1: "A", 2: "B", 3: "C"},
              "v9": {1: "North", 2: "South", 3: "East", 4: "West"}}
    text = {"q1": "The staff are friendly.", "q2": "How would you rate the reliability of the service?",
            "gender": "Gender", "provider": "Your provider", "v9": "Where do you live?", "q5": "The store is clean."}
    pyreadstat.write_sav(frame.astype(float), tmp_path / "cat.sav", column_labels=text, variable_value_labels=labels)
    draft = draft_codebook(tmp_path / "cat.sav")
    assert set(draft.context) == {"gender", "provider", "v9", "region"}, draft.context
    assert "value labels name categories, not a rating scale (1 Male, 2 Female)" in draft.context["gender"].reason
    assert "named like a grouping ('region')" in draft.context["region"].reason
    assert {"q1", "q2", "q5"} <= set(draft.blocks) and not {"gender", "provider", "v9"} & set(draft.item_scale)
    cb = Codebook.from_dict(draft.to_dict())
    assert cb.context == {"situation": ["gender", "provider", "v9", "region"]}


@pytest.mark.parametrize("key, change, message", [
    ("blocks.benefit", lambda v: v["blocks"]["benefit"].update({"fun": {"en": ["x"]}}),
     "blocks.benefit.fun: unknown benefit; expected one of ['functional'"),
    ("blocks.sacrifice.money.en", lambda v: v["blocks"]["sacrifice"]["money"]["en"].update({"cost": ["x"]}),
     "blocks.sacrifice.money.en.cost: expected topic, burden or relief"),
    ("blocks.benefit.economic", lambda v: v["blocks"]["benefit"]["economic"].update({"fr": ["x"]}),
     "blocks.benefit.economic.fr: unknown language; expected one of ['en', 'es', 'it']"),
    ("a weight", lambda v: v["blocks"]["benefit"]["economic"]["en"].append(["x", -1]),
     "blocks.benefit.economic.en: expected a word, a phrase or [phrase, weight > 0], got ['x', -1]"),
    ("a stemmer", lambda v: v["languages"]["en"].update({"stemmer": "klingon"}),
     "languages.en.stemmer: unknown Snowball stemmer 'klingon'"),
    ("favourable", lambda v: v["blocks"]["sacrifice"]["money"].update({"favourable": "benefit.cheap"}),
     "blocks.sacrifice.money.favourable: expected 'reverse' or a block such as 'benefit.economic'"),
])
def test_a_bad_vocabulary_entry_is_named(key, change, message):
    """The vocabulary is the analyst's to extend: a mistake in it names the file and the key."""
    import copy

    from valuekit.errors import ValuekitError
    from valuekit.survey.draft import _VOCABULARY, _compile

    vocabulary = copy.deepcopy(_VOCABULARY)
    change(vocabulary)
    with pytest.raises(ValuekitError) as err:
        _compile(vocabulary)
    assert str(err.value).startswith(f"draft_vocabulary.yaml: {message}"), str(err.value)


def test_the_direction_check_limits_are_data_and_checked(monkeypatch):
    from valuekit.errors import ValuekitError
    from valuekit.survey import draft as draft_module

    assert draft_module._direction_limits() == {"against": 0.10, "clearly": 0.15, "with": 0.10}
    monkeypatch.setitem(draft_module._VOCABULARY, "direction_check", {"against": 1.5, "clearly": 0.2, "with": 0.1})
    with pytest.raises(ValuekitError, match=r"draft_vocabulary.yaml: direction_check.against: expected a "
                                            r"correlation between 0 and 1, got 1.5"):
        draft_module._direction_limits()


def test_drafts_carry_the_files_value_labels(tmp_path):
    """An SPSS export's value labels become the items' ``values:`` (the codes of the drafted
    scale and its missing codes), read back by the codebook and shown by a banner."""
    path, rename = spss_fixture(tmp_path, *DEMO)
    draft = draft_codebook(path)
    cb = read_codebook(yaml.safe_load(draft.to_yaml()))
    col = rename["fun_ease_1"]
    assert cb.items[col].values == {1.0: {"en": "lowest"}, 7.0: {"en": "highest"}, 9.0: {"en": "don't know"}}
    assert cb.value_label(col, 7) == "highest" and cb.value_label(col, 4) is None
    assert "    values:  # the file's value labels\n      1: lowest\n" in draft.to_yaml()
