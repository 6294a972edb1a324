"""Look-alikes of three published survey data sets: their shape, not their data.

The issue these fixtures come from was filed after running valuekit on three data sets
analysts meet in textbooks and R packages:

``mobi``
    The ECSI (European Customer Satisfaction Index) survey of mobile phone customers
    bundled with R's seminr: 250 respondents, 24 items on 1-10 scales (1 very negative,
    10 very positive), no id column, no missing answers. Constructs: image (IMAG1-5),
    expectations (CUEX1-3), perceived quality (PERQ1-7), perceived value (PERV1-2),
    satisfaction (CUSA1-3), complaints (CUSCO, one item) and loyalty (CUSL1-3, whose
    CUSL2, a price-tolerance question, loads weakly).
``corp``
    The corporate-reputation survey of mobile phone customers (Hair et al.'s PLS-SEM
    primer; seminr's ``corp_rep_data``): 344 respondents, 7-point scales, -99 for a
    missing answer; competence (comp_1-3), likeability (like_1-3), satisfaction (cusa, one
    item), loyalty (cusl_1-3), and the drivers quality (qual_1-8), performance (perf_1-5),
    corporate social responsibility (csor_1-5) and attractiveness (attr_1-3), each with a
    single "global" item; the service provider (1-4) and service type (1 prepaid, 2
    contract); and a survey weight.
``bfi``
    psych's ``bfi``: 2,800 respondents of the SAPA project, 25 personality items (A1-A5,
    C1-C5, E1-E5, N1-N5, O1-O5) on 1-6 (very inaccurate ... very accurate; every value
    used), seven of them reverse-keyed, answers missing here and there (blank), gender (1
    male, 2 female), education (1-5, often blank) and age.

seminr's data are GPL-3 and valuekit is BSD-3-Clause, so nothing here is copied from them:
the answers are generated (a seeded latent-variable model with the published model's
paths and plausible loadings), with the same columns, scales, question wording (written
from the published questionnaires) and missing-value conventions. Each survey is written
as a plain CSV (coded column names) and as an SPSS ``.sav`` carrying the question wording
as variable labels and the scale's value labels (:func:`write_shape`), with a codebook an
analyst would write for it (:data:`CODEBOOKS`), mapping the published model onto
valuekit's blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["SHAPES", "ROWS", "QUESTIONS", "VALUE_LABELS", "CODEBOOKS", "ShapeFiles", "generate", "write_shape",
           "outcome_names"]

SHAPES = ("mobi", "corp", "bfi")
ROWS = {"mobi": 250, "corp": 344, "bfi": 2800}

# -- question wording -----------------------------------------------------------------------

_PROVIDER = "your mobile phone provider"
_MOBI_QUESTIONS = {
    "CUEX1": f"Expectations for the overall quality of {_PROVIDER} at the moment you became a customer of this "
             "provider",
    "CUEX2": f"Expectations for {_PROVIDER} to provide products and services to meet your personal need",
    "CUEX3": f"How often did you expect that things could go wrong at {_PROVIDER}?",
    "CUSA1": f"Overall satisfaction with {_PROVIDER}",
    "CUSA2": f"Fulfilment of expectations by {_PROVIDER}",
    "CUSA3": f"How well do you think {_PROVIDER} compares with your ideal mobile phone provider?",
    "CUSCO": f"You complained about {_PROVIDER} last year: how well, or poorly, was your most recent complaint "
             f"handled? (If you did not complain: to what extent do you think {_PROVIDER} would care about a "
             "complaint?)",
    "CUSL1": "If you would need to choose a new mobile phone provider, how likely is it that you would choose "
             f"{_PROVIDER} again?",
    "CUSL2": f"Suppose other mobile phone providers lower their fees and prices, but {_PROVIDER} stays at the "
             "same level as today. At which level of difference (in %) would you choose another provider?",
    "CUSL3": f"If a friend or colleague asks you for advice, how likely is it that you would recommend "
             f"{_PROVIDER}?",
    "IMAG1": "It can be trusted in what it says and does",
    "IMAG2": "It is stable and firmly established",
    "IMAG3": "It has a social contribution to society",
    "IMAG4": "It is concerned with customers",
    "IMAG5": "It is innovative and forward looking",
    "PERQ1": f"Overall perceived quality of {_PROVIDER}",
    "PERQ2": "Technical quality of the network",
    "PERQ3": "Customer service and personal advice offered",
    "PERQ4": "Quality of the services you use",
    "PERQ5": "Range of services and products offered",
    "PERQ6": "Reliability and accuracy of the products and services provided",
    "PERQ7": "Clarity and transparency of information provided",
    "PERV1": f"Given the quality of the products and services offered by {_PROVIDER}, how would you rate the "
             "fees and prices that you pay for them?",
    "PERV2": f"Given the fees and prices that you pay for {_PROVIDER}, how would you rate the quality of the "
             "products and services offered?",
}

_CO = "[the company]"
_CORP_QUESTIONS = {
    "serviceprovider": "Your mobile phone service provider",
    "servicetype": "Your plan",
    "comp_1": f"{_CO} is a top competitor in its market.",
    "comp_2": f"As far as I know, {_CO} is recognized worldwide.",
    "comp_3": f"I believe that {_CO} performs at a premium level.",
    "like_1": f"{_CO} is a company that I can better identify with than other companies.",
    "like_2": f"{_CO} is a company that I would regret more not having if it no longer existed than I would "
              "other companies.",
    "like_3": f"I regard {_CO} as a likeable company.",
    "cusa": f"If you consider your experiences with {_CO}, how satisfied are you with {_CO}?",
    "cusl_1": f"I would recommend {_CO} to friends and relatives.",
    "cusl_2": f"If I had to choose again, I would choose {_CO} as my mobile phone services provider.",
    "cusl_3": f"I will remain a customer of {_CO} in the future.",
    "attr_1": f"{_CO} is successful in attracting high-quality employees.",
    "attr_2": f"I could see myself working at {_CO}.",
    "attr_3": f"I like the physical appearance of {_CO} (company, buildings, shops, etc.).",
    "attr_global": f"Please assess {_CO}'s overall attractiveness.",
    "csor_1": f"{_CO} behaves in a socially conscious way.",
    "csor_2": f"{_CO} is forthright in giving information to the public.",
    "csor_3": f"{_CO} has a fair attitude toward competitors.",
    "csor_4": f"{_CO} is concerned about the preservation of the environment.",
    "csor_5": f"{_CO} is not only concerned about profits.",
    "csor_global": f"Please assess the extent to which {_CO} acts in socially conscious ways.",
    "perf_1": f"{_CO} is a very well-managed company.",
    "perf_2": f"{_CO} is an economically stable company.",
    "perf_3": f"The business risk for {_CO} is modest compared to its competitors.",
    "perf_4": f"{_CO} has growth potential.",
    "perf_5": f"{_CO} has a clear vision about the future of the company.",
    "perf_global": f"Please assess {_CO}'s overall performance.",
    "qual_1": f"The products/services offered by {_CO} are of high quality.",
    "qual_2": f"{_CO} is an innovator, rather than an imitator with respect to mobile phone services.",
    "qual_3": f"{_CO}'s products/services offer good value for money.",
    "qual_4": f"The services {_CO} offers are good.",
    "qual_5": f"Customer concerns are held in high regard at {_CO}.",
    "qual_6": f"{_CO} is a reliable partner for customers.",
    "qual_7": f"{_CO} is a trustworthy company.",
    "qual_8": f"I have a lot of respect for {_CO}.",
    "qual_global": f"Please assess the overall quality of {_CO}'s activities.",
    "weight": "Survey weight (service type to the providers' customer base)",
}

_BFI_QUESTIONS = {
    "A1": "Am indifferent to the feelings of others.",
    "A2": "Inquire about others' well-being.",
    "A3": "Know how to comfort others.",
    "A4": "Love children.",
    "A5": "Make people feel at ease.",
    "C1": "Am exacting in my work.",
    "C2": "Continue until everything is perfect.",
    "C3": "Do things according to a plan.",
    "C4": "Do things in a half-way manner.",
    "C5": "Waste my time.",
    "E1": "Don't talk a lot.",
    "E2": "Find it difficult to approach others.",
    "E3": "Know how to captivate people.",
    "E4": "Make friends easily.",
    "E5": "Take charge.",
    "N1": "Get angry easily.",
    "N2": "Get irritated easily.",
    "N3": "Have frequent mood swings.",
    "N4": "Often feel blue.",
    "N5": "Panic easily.",
    "O1": "Am full of ideas.",
    "O2": "Avoid reading difficult material.",
    "O3": "Carry the conversation to a higher level.",
    "O4": "Spend time reflecting on things.",
    "O5": "Will not probe deeply into a subject.",
    "gender": "Gender",
    "education": "Highest level of education",
    "age": "Age in years",
}

#: Question wording per survey: column -> text (the .sav's variable labels; SPSS keeps 256 characters).
QUESTIONS = {"mobi": _MOBI_QUESTIONS, "corp": _CORP_QUESTIONS, "bfi": _BFI_QUESTIONS}

#: bfi's reverse-keyed items (psych's bfi.keys), as published.
BFI_REVERSED = ("A1", "C4", "C5", "E1", "E2", "O2", "O5")

_TEN = {1: "very negative", 10: "very positive"}
_SEVEN = {1: "fully disagree", 7: "fully agree"}
_SIX = {1: "Very Inaccurate", 2: "Moderately Inaccurate", 3: "Slightly Inaccurate", 4: "Slightly Accurate",
        5: "Moderately Accurate", 6: "Very Accurate"}
#: Value labels per survey: column -> {code: label} (the .sav's value labels).
VALUE_LABELS = {
    "mobi": {c: _TEN for c in _MOBI_QUESTIONS},
    "corp": {**{c: _SEVEN for c in _CORP_QUESTIONS if c not in ("serviceprovider", "servicetype", "weight")},
             "cusa": {1: "not at all satisfied", 7: "completely satisfied"},
             "attr_global": {1: "very low", 7: "very high"}, "perf_global": {1: "very low", 7: "very high"},
             "qual_global": {1: "very low", 7: "very high"}, "csor_global": {1: "not at all", 7: "definitely"},
             "serviceprovider": {1: "Provider 1", 2: "Provider 2", 3: "Provider 3", 4: "Provider 4"},
             "servicetype": {1: "Prepaid plan", 2: "Contract plan"}},
    "bfi": {**{c: _SIX for c in _BFI_QUESTIONS if c[0] in "ACENO" and c[1:].isdigit()},
            "gender": {1: "Male", 2: "Female"},
            "education": {1: "Some high school", 2: "Finished high school", 3: "Some college",
                          4: "College graduate", 5: "Graduate degree"}},
}

# -- the analysts' codebooks --------------------------------------------------------------------


def _texts(name: str, columns) -> dict:
    return {c: {"text": QUESTIONS[name][c]} for c in columns}


_MOBI_ITEMS = [c for c in _MOBI_QUESTIONS if c not in ("CUSL2",)]
_CORP_RATED = [c for c in _CORP_QUESTIONS if c not in ("serviceprovider", "servicetype", "weight")]
_GLOBALS = ["csor_global", "attr_global", "perf_global", "qual_global"]

#: The codebook an analyst would write for each survey (valuekit's schema, as parsed YAML).
CODEBOOKS = {
    # ECSI: perceived quality is the functional benefit, perceived value (price against
    # quality) the economic one, the provider's image the symbolic one; expectations are a
    # scale of their own, not a benefit. Satisfaction has three items; loyalty and
    # recommendation are one item each (CUSL1, CUSL3): mixed outcomes. CUSL2 (price
    # tolerance in %) loads weakly in every published analysis: kept for the audit only.
    # No sacrifices were asked: a benefits-only survey.
    "mobi": {
        "name": "ECSI mobile phone customers (the mobi shape)",
        "description": "European Customer Satisfaction Index survey of mobile phone customers; 1-10 scales "
                       "(1 very negative, 10 very positive); no id column.",
        "scale": {"min": 1, "max": 10},
        "benefits": {
            "functional": {"network": ["PERQ2", "PERQ6"], "service": ["PERQ3", "PERQ5", "PERQ7"],
                           "overall": ["PERQ1", "PERQ4"]},
            "economic": ["PERV1", "PERV2"],
            "symbolic": {"status": ["IMAG2", "IMAG5"], "belonging": ["IMAG1", "IMAG3", "IMAG4"]},
        },
        "outcomes": {"satisfaction": ["CUSA1", "CUSA2", "CUSA3"], "repurchase": "CUSL1", "recommend": "CUSL3"},
        "constructs": {"expectations": ["CUEX1", "CUEX2", "CUEX3"], "complaints": ["CUSCO"]},
        "other": ["CUSL2"],
        "items": {**_texts("mobi", _MOBI_ITEMS), "CUSL2": {"text": _MOBI_QUESTIONS["CUSL2"],
                                                          "scale": {"min": 1, "max": 10}}},
        "labels": {"expectations": {"en": "Expectations", "es": "Expectativas", "it": "Aspettative"},
                   "complaints": {"en": "Complaint handling", "es": "Gestión de quejas",
                                  "it": "Gestione reclami"}},
    },
    # Corporate reputation: the quality items are the customer's functional, economic
    # (value for money) and experiential benefits; competence and likeability the symbolic
    # ones (status, belonging). Performance, CSR and attractiveness are scales of their
    # own, as in the published model. Satisfaction is one item, loyalty three (recommend
    # is cusl_1, repurchase cusl_2-3): mixed outcomes again. -99 marks a missing answer.
    "corp": {
        "name": "Corporate reputation of mobile phone providers (the corp shape)",
        "description": "Hair et al.'s corporate reputation survey; 7-point agreement scales; -99 missing.",
        "scale": {"min": 1, "max": 7},
        "missing_codes": [-99],
        "weight": "weight",
        "benefits": {
            "functional": {"quality": ["qual_1", "qual_4"], "reliability": ["qual_6", "qual_7"],
                           "innovation": ["qual_2"]},
            "economic": ["qual_3"],
            "experiential": {"interactions": ["qual_5"], "ambience": ["attr_3"]},
            "symbolic": {"status": ["comp_1", "comp_2", "comp_3", "qual_8"],
                         "belonging": ["like_1", "like_2", "like_3"]},
        },
        "outcomes": {"satisfaction": "cusa", "recommend": "cusl_1", "repurchase": ["cusl_2", "cusl_3"]},
        "constructs": {"performance": ["perf_1", "perf_2", "perf_3", "perf_4", "perf_5"],
                       "csr": ["csor_1", "csor_2", "csor_3", "csor_4", "csor_5"],
                       "attractiveness": ["attr_1", "attr_2"]},
        "context": {"situation": ["serviceprovider", "servicetype"]},
        "other": _GLOBALS,
        "items": {**_texts("corp", _CORP_RATED),
                  **{g: {"text": _CORP_QUESTIONS[g], "scale": {"min": 1, "max": 7}} for g in _GLOBALS}},
        "labels": {"performance": "Performance", "csr": "Social responsibility",
                   "attractiveness": "Attractiveness"},
    },
    # bfi is a personality inventory, not a value survey: it is here for its shape (2,800
    # respondents, a 1-6 scale with every value used, seven reverse-keyed items, blanks,
    # demographics). The analyst's mapping: conscientiousness as the functional block
    # (plans, thoroughness), agreeableness the experiential (interactions), extraversion
    # the symbolic (belonging), openness a scale of its own, neuroticism (anger,
    # irritation, panic) the emotional sacrifice. No outcomes.
    "bfi": {
        "name": "Big Five Inventory, SAPA (the bfi shape)",
        "description": "25 personality items on 1-6 (very inaccurate to very accurate); blanks are missing.",
        "scale": {"min": 1, "max": 6},
        "benefits": {"functional": ["C1", "C2", "C3", "C4", "C5"],
                     "experiential": {"interactions": ["A1", "A2", "A3", "A4", "A5"]},
                     "symbolic": {"belonging": ["E1", "E2", "E3", "E4", "E5"]}},
        "sacrifices": {"emotional": ["N1", "N2", "N3", "N4", "N5"]},
        "constructs": {"openness": ["O1", "O2", "O3", "O4", "O5"]},
        "context": {"situation": ["gender", "education"]},
        "other": ["age"],
        "items": {**{c: {"text": t, **({"reverse": True} if c in BFI_REVERSED else {})}
                     for c, t in _BFI_QUESTIONS.items() if c[0] in "ACENO" and c[1:].isdigit()},
                  "age": {"text": _BFI_QUESTIONS["age"], "scale": {"min": 3, "max": 86}}},
        "labels": {"openness": {"en": "Openness", "es": "Apertura", "it": "Apertura mentale"}},
    },
}


def outcome_names(name: str) -> list[str]:
    """The outcomes and constructs the codebook of ``name`` names, in its order."""
    cb = CODEBOOKS[name]
    return [*cb.get("outcomes", {}), *cb.get("constructs", {})]


# -- generating the answers ---------------------------------------------------------------------


def _standardized(rng, n: int, **paths) -> np.ndarray:
    """A latent variable with unit variance: the weighted sum of ``paths`` (name -> (weight,
    values)) plus the noise that brings the variance to 1."""
    signal = sum(w * v for w, v in paths.values()) if paths else np.zeros(n)
    explained = float(np.var(signal))
    if explained >= 0.95:
        raise ValueError(f"paths {sorted(paths)} explain {explained:.2f} of the variance; keep it below 0.95")
    latent = signal + np.sqrt(1 - explained) * rng.normal(size=n)
    return (latent - latent.mean()) / latent.std()


def _item(rng, latent: np.ndarray, loading: float) -> np.ndarray:
    return loading * latent + np.sqrt(1 - loading ** 2) * rng.normal(size=len(latent))


def _rated(z: np.ndarray, mean: float, sd: float, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(mean + sd * z), lo, hi).astype(int)


def _mobi(rng, n: int) -> pd.DataFrame:
    # ECSI paths (standardized, close to the published estimates)
    imag = _standardized(rng, n)
    cuex = _standardized(rng, n, imag=(0.5, imag))
    perq = _standardized(rng, n, cuex=(0.55, cuex))
    perv = _standardized(rng, n, cuex=(0.05, cuex), perq=(0.55, perq))
    cusa = _standardized(rng, n, imag=(0.2, imag), cuex=(0.05, cuex), perq=(0.45, perq), perv=(0.2, perv))
    cusco = _standardized(rng, n, cusa=(0.55, cusa))
    cusl = _standardized(rng, n, imag=(0.2, imag), cusa=(0.5, cusa), cusco=(0.05, cusco))
    loadings = {
        "CUEX": (cuex, [0.77, 0.69, 0.48]), "CUSA": (cusa, [0.79, 0.85, 0.85]), "CUSCO": (cusco, [1.0]),
        "CUSL": (cusl, [0.85, 0.25, 0.87]), "IMAG": (imag, [0.75, 0.57, 0.65, 0.77, 0.72]),
        "PERQ": (perq, [0.8, 0.65, 0.66, 0.8, 0.7, 0.79, 0.75]), "PERV": (perv, [0.91, 0.94]),
    }
    frame = {}
    for block, (latent, ls) in loadings.items():
        for i, lam in enumerate(ls, start=1):
            col = block if block == "CUSCO" else f"{block}{i}"
            mean, sd = (5.5, 2.6) if col == "CUSL2" else (7.6, 1.7)  # price tolerance: spread over the scale
            frame[col] = _rated(_item(rng, latent, lam), mean, sd, 1, 10)
    return pd.DataFrame(frame)


def _corp(rng, n: int) -> pd.DataFrame:
    drivers = rng.multivariate_normal(np.zeros(4), 0.45 + 0.55 * np.eye(4), size=n)  # qual, perf, csor, attr
    drivers = (drivers - drivers.mean(axis=0)) / drivers.std(axis=0)
    qual, perf, csor, attr = drivers.T
    comp = _standardized(rng, n, qual=(0.43, qual), perf=(0.3, perf), csor=(0.06, csor), attr=(0.09, attr))
    like = _standardized(rng, n, qual=(0.38, qual), perf=(0.12, perf), csor=(0.18, csor), attr=(0.17, attr))
    cusa = _standardized(rng, n, comp=(0.15, comp), like=(0.44, like))
    cusl = _standardized(rng, n, like=(0.34, like), cusa=(0.5, cusa))
    loadings = {
        "comp": (comp, [0.82, 0.82, 0.84]), "like": (like, [0.88, 0.87, 0.84]), "cusa": (cusa, [1.0]),
        "cusl": (cusl, [0.83, 0.92, 0.84]), "attr": (attr, [0.72, 0.65, 0.7]),
        "csor": (csor, [0.75, 0.62, 0.6, 0.7, 0.62]), "perf": (perf, [0.75, 0.7, 0.55, 0.65, 0.7]),
        "qual": (qual, [0.75, 0.6, 0.65, 0.72, 0.7, 0.78, 0.8, 0.72]),
    }
    frame = {"serviceprovider": rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1]),
             "servicetype": rng.permutation(np.repeat([1, 2], [125, n - 125]))}  # as published: 125 prepaid
    for block, (latent, ls) in loadings.items():
        for i, lam in enumerate(ls, start=1):
            col = block if block == "cusa" else f"{block}_{i}"
            frame[col] = _rated(_item(rng, latent, lam), 5.0, 1.35, 1, 7)
        if block in ("attr", "csor", "perf", "qual"):
            frame[f"{block}_global"] = _rated(_item(rng, latent, 0.7), 4.8, 1.3, 1, 7)
    frame = pd.DataFrame(frame)[list(_CORP_QUESTIONS)[:-1]]
    # a weight bringing the prepaid share (125 of 344) to a customer base's 45 %
    share = (frame["servicetype"] == 1).mean()
    frame["weight"] = np.where(frame["servicetype"] == 1, 0.45 / share, 0.55 / (1 - share)).round(4)
    for col, k in PLANTED_MISSING["corp"].items():  # -99: the primer's missing answers
        frame.loc[rng.choice(n, k, replace=False), col] = -99
    return frame


def _bfi(rng, n: int) -> pd.DataFrame:
    traits = "ACENO"
    r = pd.DataFrame(np.eye(5), index=list(traits), columns=list(traits))
    for (a, b), v in {("A", "C"): .25, ("A", "E"): .45, ("A", "N"): -.2, ("A", "O"): .15, ("C", "E"): .2,
                      ("C", "N"): -.25, ("C", "O"): .2, ("E", "N"): -.2, ("E", "O"): .2, ("N", "O"): -.1}.items():
        r.loc[a, b] = r.loc[b, a] = v
    latent = rng.multivariate_normal(np.zeros(5), r.to_numpy(), size=n)
    means = {"A": [2.4, 4.8, 4.6, 4.7, 4.6], "C": [4.5, 4.4, 4.3, 2.6, 3.3], "E": [3.0, 3.1, 4.0, 4.4, 4.4],
             "N": [2.9, 3.5, 3.2, 3.2, 3.0], "O": [4.8, 2.7, 4.4, 4.9, 2.5]}
    loadings = {"A": [.4, .7, .75, .45, .6], "C": [.55, .6, .55, .65, .55], "E": [.6, .7, .6, .7, .5],
                "N": [.8, .78, .7, .55, .55], "O": [.6, .45, .65, .4, .5]}
    frame = {}
    for j, t in enumerate(traits):
        for i in range(5):
            col = f"{t}{i + 1}"
            sign = -1 if col in BFI_REVERSED else 1
            frame[col] = _rated(_item(rng, sign * latent[:, j], loadings[t][i]), means[t][i], 1.45, 1, 6)
    frame = pd.DataFrame(frame).astype("float64")
    for col in frame.columns:  # scattered blanks, as in the SAPA data (a few per item)
        frame.loc[rng.choice(n, int(rng.integers(5, 30)), replace=False), col] = np.nan
    frame["gender"] = rng.choice([1, 2], n, p=[0.33, 0.67]).astype(float)
    education = rng.choice([1, 2, 3, 4, 5], n, p=[0.08, 0.11, 0.48, 0.15, 0.18]).astype(float)
    education[rng.choice(n, PLANTED_MISSING["bfi"]["education"], replace=False)] = np.nan
    frame["education"] = education
    frame["age"] = np.clip(np.rint(rng.gamma(4.0, 7.0, n) + 3), 3, 86)
    return frame


#: Cells planted as missing: survey -> column -> number of cells (corp: -99; bfi: blank).
PLANTED_MISSING = {"corp": {"cusl_2": 4, "qual_5": 3, "perf_3": 6, "attr_2": 2, "csor_global": 5},
                   "bfi": {"education": 223}}

_GENERATORS = {"mobi": _mobi, "corp": _corp, "bfi": _bfi}


def generate(name: str, seed: int = 2026) -> pd.DataFrame:
    """The answers of survey ``name`` (one of :data:`SHAPES`), as the published file codes them."""
    if name not in _GENERATORS:
        raise KeyError(f"no survey shape '{name}'; the shapes are {list(SHAPES)}")
    rng = np.random.default_rng([seed, SHAPES.index(name)])
    frame = _GENERATORS[name](rng, ROWS[name])
    assert list(frame.columns) == list(QUESTIONS[name]), (name, sorted(set(frame) ^ set(QUESTIONS[name])))
    return frame


@dataclass(frozen=True)
class ShapeFiles:
    """The files written for one survey shape."""

    csv: Path
    sav: Path
    codebook: Path


def write_shape(name: str, folder: str | Path, seed: int = 2026) -> ShapeFiles:
    """Write ``<name>.csv``, ``<name>.sav`` (question wording as variable labels, value labels,
    -99 declared user-missing where the survey uses it) and ``<name>.yaml`` (the analyst's
    codebook) into ``folder``."""
    import pyreadstat

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate(name, seed)
    long = {c: len(t) for c, t in QUESTIONS[name].items() if len(t.encode("utf-8")) > 256}
    if long:
        raise ValueError(f"{name}: SPSS keeps 256 bytes of a variable label; too long: {long}")
    files = ShapeFiles(folder / f"{name}.csv", folder / f"{name}.sav", folder / f"{name}.yaml")
    frame.to_csv(files.csv, index=False)
    missing = ({c: [-99] for c in frame.columns if c not in ("serviceprovider", "servicetype", "weight")}
               if -99 in CODEBOOKS[name].get("missing_codes", []) else None)
    pyreadstat.write_sav(frame.astype("float64"), files.sav, file_label=CODEBOOKS[name]["name"],
                         column_labels=QUESTIONS[name],
                         variable_value_labels={c: {float(k): v for k, v in labels.items()}
                                                for c, labels in VALUE_LABELS[name].items()},
                         missing_ranges=missing)
    files.codebook.write_text(yaml.safe_dump(CODEBOOKS[name], sort_keys=False, allow_unicode=True, width=110),
                              encoding="utf-8")
    return files
