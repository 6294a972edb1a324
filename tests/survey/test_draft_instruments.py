"""`valuekit init` drafts the pricing:, gabor_granger: and kano: sections from the export.

The demo's instrument columns are drafted from their names (the demo CSV), and again renamed
q1..qN with their questions in English, Spanish and Italian (a Qualtrics question row, SPSS
variable labels), so that only the wording can find them. A drafted codebook is then used as
it is: its price points, ladder and Kano categories must equal those of the demo's own
codebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from valuekit import DATA_DIR, Codebook, load_survey, read_codebook
from valuekit.analyse.kano import kano
from valuekit.analyse.pricing import gabor_granger, price_sensitivity
from valuekit.survey.draft import SURE, draft_codebook
from valuekit.survey.io import read_survey_file

TRUTH = read_codebook(DATA_DIR / "demo_codebook.yaml")
INSTRUMENTS = [*TRUTH.pricing.columns, *TRUTH.gabor_granger.columns,
               *(c for pair in TRUTH.kano.pairs.values() for c in pair)]

#: The demo's questions in Spanish and Italian (the English ones are the codebook's).
WORDING = {
    "es": {
        "price_too_cheap": "¿A qué precio el taladro sería tan barato que dudaría de su calidad?",
        "price_cheap": "¿A qué precio el taladro sería una ganga?",
        "price_expensive": "¿A qué precio el taladro empezaría a ser caro, aunque todavía lo consideraría?",
        "price_too_expensive": "¿A qué precio el taladro sería demasiado caro para considerarlo?",
        "buy_at_cheap": "¿Qué probabilidad hay de que compre el taladro al precio que consideró barato? "
                        "(1 = nada probable, 5 = muy probable)",
        "buy_at_expensive": "¿Qué probabilidad hay de que compre el taladro al precio que consideró caro? "
                            "(1 = nada probable, 5 = muy probable)",
        "gg": "¿Compraría el taladro a {} euros? (1 = sí, 2 = no)",
        "kano": ("¿Cómo se sentiría si se ofreciera {}?", "¿Cómo se sentiría si no se ofreciera {}?"),
        "attributes": {"delivery": "la entrega a domicilio gratuita", "warranty": "una garantía de cinco años",
                       "assembly": "un servicio de montaje", "app": "una app de proyectos",
                       "calls": "llamadas comerciales de seguimiento"},
    },
    "it": {
        "price_too_cheap": "A quale prezzo il trapano sarebbe così economico da farle dubitare della qualità?",
        "price_cheap": "A quale prezzo il trapano sarebbe un affare?",
        "price_expensive": "A quale prezzo il trapano comincerebbe a essere caro, pur restando da considerare?",
        "price_too_expensive": "A quale prezzo il trapano sarebbe troppo caro per considerarlo?",
        "buy_at_cheap": "Quanto è probabile che comprerebbe il trapano al prezzo che ha indicato come economico? "
                        "(1 = per niente, 5 = molto probabile)",
        "buy_at_expensive": "Quanto è probabile che comprerebbe il trapano al prezzo che ha indicato come caro? "
                            "(1 = per niente, 5 = molto probabile)",
        "gg": "Comprerebbe il trapano a {} euro? (1 = sì, 2 = no)",
        "kano": ("Come si sentirebbe se fosse offerta {}?", "Come si sentirebbe se non fosse offerta {}?"),
        "attributes": {"delivery": "la consegna a domicilio gratuita", "warranty": "una garanzia di cinque anni",
                       "assembly": "un servizio di montaggio", "app": "un'app dei progetti",
                       "calls": "chiamate commerciali di follow-up"},
    },
}


def _questions(lang: str) -> dict[str, str]:
    if lang == "en":
        return {c: TRUTH.items[c].text for c in INSTRUMENTS}
    words = WORDING[lang]
    out = {c: words[c] for c in TRUTH.pricing.columns}
    out.update({c: words["gg"].format(int(p)) for p, c in zip(TRUTH.gabor_granger.prices, TRUTH.gabor_granger.columns)})
    for attribute, (f, d) in TRUTH.kano.pairs.items():
        out[f], out[d] = (q.format(words["attributes"][attribute]) for q in words["kano"])
    return out


def _renamed(lang: str):
    """The demo with its instrument columns renamed q1..qN (in a shuffled order), and their questions."""
    frame = read_survey_file(DATA_DIR / "demo_survey.csv")[0]
    order = np.random.default_rng(7).permutation(INSTRUMENTS)
    rename = {c: f"q{k}" for k, c in enumerate(order, 1)}
    text = {rename[c]: t for c, t in _questions(lang).items()}
    return frame.rename(columns=rename), text, rename


def _qualtrics(tmp_path, lang: str):
    frame, text, rename = _renamed(lang)
    questions = {c: text.get(c, c) for c in frame.columns}
    ids = {c: f'{{"ImportId":"QID{i}"}}' for i, c in enumerate(frame.columns)}
    out = pd.concat([pd.DataFrame([questions, ids]), frame.astype("string")], ignore_index=True)
    path = tmp_path / f"demo_{lang}_qualtrics.csv"
    out.to_csv(path, index=False, encoding="utf-8-sig")
    return path, rename


def _mapped(draft_cb: Codebook, rename: dict) -> dict:
    """The drafted sections in the demo's own column names, Kano pairs by their columns."""
    back = {v: k for k, v in rename.items()}
    name = lambda c: back.get(c, c)  # noqa: E731
    p, g, k = draft_cb.pricing, draft_cb.gabor_granger, draft_cb.kano
    return {"pricing": {q: name(getattr(p, q)) for q in ("too_cheap", "cheap", "expensive", "too_expensive",
                                                         "buy_cheap", "buy_expensive")},
            "likelihood": dict(p.likelihood), "ladder": {price: name(c) for price, c in zip(g.prices, g.columns)},
            "buy": dict(g.buy), "kano": sorted((name(f), name(d)) for f, d in k.pairs.values()),
            "answers": dict(k.answers)}


EXPECTED = {"pricing": {q: getattr(TRUTH.pricing, q) for q in ("too_cheap", "cheap", "expensive", "too_expensive",
                                                               "buy_cheap", "buy_expensive")},
            "likelihood": dict(TRUTH.pricing.likelihood),
            "ladder": dict(zip(TRUTH.gabor_granger.prices, TRUTH.gabor_granger.columns)),
            "buy": dict(TRUTH.gabor_granger.buy), "kano": sorted(TRUTH.kano.pairs.values()),
            "answers": dict(TRUTH.kano.answers)}


def _sections(draft) -> dict:
    return {f.section: f for f in draft.instruments}


def test_the_demo_is_drafted_from_its_column_names():
    draft = draft_codebook(DATA_DIR / "demo_survey.csv")
    cb = Codebook.from_dict(draft.to_dict())
    assert _mapped(cb, {}) == EXPECTED
    found = _sections(draft)
    # names are thinner evidence than question text: only a pair named Kano is sure
    assert found["kano"].confidence >= SURE
    assert found["pricing"].confidence < SURE and found["gabor_granger"].confidence < SURE
    # what the export cannot say is a guess: the answer order, the yes code, the calibration
    assert [found[s].proposed[k][0] < 0.5 for s, k in (("kano", "answers"), ("gabor_granger", "buy"),
                                                      ("pricing", "likelihood"))] == [True] * 3
    # none of them is placed in a block any more (the Kano pairs were, by a word in their names)
    assert not set(INSTRUMENTS) & (set(draft.blocks) | set(draft.other) | set(draft.context))


@pytest.mark.parametrize("lang", ["en", "es", "it"])
def test_the_questions_are_found_by_their_wording(tmp_path, lang):
    path, rename = _qualtrics(tmp_path, lang)
    draft = draft_codebook(path)
    cb = Codebook.from_dict(draft.to_dict())
    assert _mapped(cb, rename) == EXPECTED
    found = _sections(draft)
    assert all(f.confidence >= SURE for f in found.values()), {s: (f.confidence, f.reason) for s, f in found.items()}
    assert found["gabor_granger"].spec["currency"] == "EUR"
    # every instrument column carries its question into the codebook
    assert all(cb.items[rename[c]].text for c in INSTRUMENTS)


def test_a_drafted_codebook_gives_the_demo_s_own_results(tmp_path):
    path, rename = _qualtrics(tmp_path, "es")
    cb = Codebook.from_dict(yaml.safe_load(draft_codebook(path).to_yaml()))
    drafted = load_survey(path, codebook=cb)
    own = load_survey(DATA_DIR / "demo_survey.csv", codebook=TRUTH)
    a = price_sensitivity(drafted, weights=None, draws=50, random_state=1).points
    b = price_sensitivity(own, weights=None, draws=50, random_state=1).points
    assert np.allclose(a["price"].to_numpy(float), b["price"].to_numpy(float), rtol=0, atol=1e-12)
    assert np.allclose(gabor_granger(drafted, weights=None, draws=20, random_state=1).table["demand"],
                       gabor_granger(own, weights=None, draws=20, random_state=1).table["demand"], atol=1e-12)
    back = {v: k for k, v in rename.items()}
    ka = kano(drafted, weights=None, draws=20, random_state=1).table
    kb = kano(own, weights=None, draws=20, random_state=1).table
    by_pair = {tuple(back[c] for c in cb.kano.pairs[a]): row for a, row in ka["category"].items()}
    assert by_pair == {tuple(TRUTH.kano.pairs[a]): row for a, row in kb["category"].items()}


def test_value_labels_state_the_answer_codes(tmp_path):
    """An SPSS export whose Kano answers run the other way (1 = dislike) and whose ladder codes
    yes as 2: the labels, not the usual order, decide the coding, and the draft is sure."""
    frame, text, rename = _renamed("es")
    kano_cols = [rename[c] for pair in TRUTH.kano.pairs.values() for c in pair]
    ladder = [rename[c] for c in TRUTH.gabor_granger.columns]
    frame[kano_cols] = 6 - frame[kano_cols].apply(pd.to_numeric)
    frame[ladder] = 3 - frame[ladder].apply(pd.to_numeric)
    kano_labels = {1: "No me gusta", 2: "Lo tolero", 3: "Me es indiferente", 4: "Lo espero", 5: "Me gusta"}
    labels = {**{c: kano_labels for c in kano_cols}, **{c: {1: "No", 2: "Sí"} for c in ladder}}
    for col in frame.columns:
        frame[col] = pd.to_numeric(frame[col], errors="coerce") if col in text else frame[col].astype(object)
    text = {c: t.split(" (1 = ")[0] for c, t in text.items()}  # the codes are in the labels only
    path = tmp_path / "demo_es.sav"
    pyreadstat.write_sav(frame, path, column_labels=text, variable_value_labels=labels)
    draft = draft_codebook(path)
    found = _sections(draft)
    assert found["kano"].spec["answers"] == {1: "dislike", 2: "tolerate", 3: "neutral", 4: "expect", 5: "like"}
    assert found["gabor_granger"].spec["buy"] == {1: 0, 2: 1}
    assert found["kano"].proposed["answers"][0] >= SURE and found["gabor_granger"].proposed["buy"][0] >= SURE


def test_prices_written_with_a_currency_are_found_and_named(tmp_path):
    frame = read_survey_file(DATA_DIR / "demo_survey.csv")[0]
    for col in TRUTH.pricing.prices:
        amounts = pd.to_numeric(frame[col], errors="coerce")  # the demo's slips ('52 €') stay as written
        frame[col] = frame[col].where(amounts.isna(), amounts.map(lambda v: f"{v:.2f} €".replace(".", ",")))
    path = tmp_path / "prices.csv"
    frame.to_csv(path, index=False)
    pricing = _sections(draft_codebook(path))["pricing"]
    assert pricing.spec["currency"] == "EUR" and pricing.spec["cheap"] == "price_cheap"


def test_answers_against_the_order_of_the_questions_lower_the_confidence(tmp_path):
    frame = read_survey_file(DATA_DIR / "demo_survey.csv")[0]
    frame = frame.rename(columns={"price_cheap": "price_expensive", "price_expensive": "price_cheap"})
    path = tmp_path / "swapped.csv"
    frame.to_csv(path, index=False)
    pricing = _sections(draft_codebook(path))["pricing"]
    assert pricing.confidence < 0.5 and "medians do not rise" in pricing.reason


def test_surveys_without_the_questions_draft_none():
    """The clinic survey asks none (24 questionnaires of the calibration set are checked in
    test_draft_calibration.py)."""
    assert draft_codebook(DATA_DIR / "clinic_survey.csv").instruments == []


def test_the_yaml_says_how_sure_each_section_is(tmp_path):
    path, _ = _qualtrics(tmp_path, "it")
    text = draft_codebook(path).to_yaml()
    spec = yaml.safe_load(text)
    assert {"pricing", "gabor_granger", "kano"} <= set(spec)
    lines = text.splitlines()
    for section in ("pricing", "gabor_granger", "kano"):
        head = next(line for line in lines if line.startswith(f"{section}:"))
        assert "  # sure (0.9" in head
    assert any(line.startswith("  likelihood: ") and "# guess (0.40): a proposal" in line for line in lines)
