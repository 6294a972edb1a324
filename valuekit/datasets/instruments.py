"""The demo's price and attribute questions, with their planted truth.

Casa Aurora asked about one product, its best-selling cordless drill, in three ways:

* **Van Westendorp** with the Newton–Miller–Smith questions: each respondent's willingness
  to pay W is log-normal around their segment's median (:data:`PRICE_MEDIANS`), and their
  four prices are W times a multiplier per question (:data:`PRICE_MULTIPLIERS`) with a
  little noise of their own, typed in whole euros (a few with the euro sign); a few
  respondents swap their cheap and expensive prices, and a few leave one blank.
* **Gabor–Granger** over a ladder of five prices: yes (1) where W reaches the price, no
  (2) where it does not; a few answer against the ladder (yes at a higher price, no at a
  lower one).
* **Kano** on five services, each respondent's category drawn from the attribute's
  planted mix (:data:`KANO_MIX`) and answered by a pair of the evaluation table that gives
  it; a few leave one half of a pair blank.

:func:`instrument_truth` gives what these plant, exactly: the price points the analysis
converges on with whole-euro answers (the model's curves at every whole euro, crossed by
linear interpolation as the analysis crosses them), the ladder's demand and its
revenue-maximising price, and each attribute's category shares and coefficients.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["PRICE_MEDIANS", "PRICE_MULTIPLIERS", "LADDER", "KANO_MIX", "KANO_ATTRIBUTES", "add_instruments",
           "instrument_codebook", "instrument_truth"]

#: Median willingness to pay for the drill, in euros, per segment.
PRICE_MEDIANS = {"bargain_hunters": 55.0, "experience_seekers": 75.0, "status_buyers": 95.0,
                 "hassled_pragmatists": 70.0}
#: Spread of log willingness to pay within a segment, and of each answer around it.
WTP_SD, ANSWER_SD = 0.22, 0.06
#: Each Van Westendorp answer as a multiple of the respondent's willingness to pay.
PRICE_MULTIPLIERS = {"too_cheap": 0.60, "cheap": 0.80, "expensive": 1.15, "too_expensive": 1.45}
#: How likely respondents say they would buy at their cheap and their expensive price (5 = very likely).
BUY_AT_CHEAP = (0.03, 0.07, 0.20, 0.35, 0.35)
BUY_AT_EXPENSIVE = (0.20, 0.30, 0.30, 0.15, 0.05)
#: The Gabor–Granger ladder, in euros.
LADDER = (49, 59, 69, 79, 89)
#: The Kano attributes: column stem, English, Spanish and Italian names.
KANO_ATTRIBUTES = {
    "delivery": ("Free home delivery", "Entrega a domicilio gratuita", "Consegna a domicilio gratuita"),
    "warranty": ("Five-year warranty", "Garantía de cinco años", "Garanzia di cinque anni"),
    "assembly": ("Assembly service", "Servicio de montaje", "Servizio di montaggio"),
    "app": ("Project app", "App de proyectos", "App dei progetti"),
    "calls": ("Follow-up sales calls", "Llamadas comerciales de seguimiento", "Chiamate commerciali di follow-up"),
}
#: The drill's shelf price today (euros): where a what-if move of the price starts.
CURRENT_PRICE = 69
#: The block of the value model each service bears on (the codebook's ``kano: serves:``): trips
#: home with the goods are time, assembling them energy, a warranty the risk of a failed
#: product, the project app the experience, sales calls an emotional cost.
KANO_SERVES = {"delivery": "time", "warranty": "risk", "assembly": "energy", "app": "experiential",
               "calls": "emotional"}
#: Planted share of each Kano category (A, O, M, I, R, Q) per attribute.
KANO_MIX = {
    "delivery": (0.10, 0.20, 0.55, 0.12, 0.01, 0.02),
    "warranty": (0.15, 0.50, 0.20, 0.12, 0.01, 0.02),
    "assembly": (0.50, 0.12, 0.08, 0.25, 0.03, 0.02),
    "app": (0.18, 0.06, 0.05, 0.55, 0.12, 0.04),
    "calls": (0.05, 0.05, 0.05, 0.35, 0.45, 0.05),
}
_CATEGORIES = "AOMIRQ"
#: The answer pairs (functional, dysfunctional; 1 like ... 5 dislike) giving each category.
_PAIRS = {"A": [(1, 2), (1, 3), (1, 4)], "O": [(1, 5)], "M": [(2, 5), (3, 5), (4, 5)],
          "I": [(f, d) for f in (2, 3, 4) for d in (2, 3, 4)], "R": [(f, 1) for f in (2, 3, 4, 5)] + [
              (5, d) for d in (2, 3, 4)], "Q": [(1, 1), (5, 5)]}
#: Planted slips, as shares of respondents.
SWAPPED_PRICES, BLANK_PRICE, EURO_SIGN, AGAINST_LADDER, HALF_PAIR = 0.03, 0.015, 0.01, 0.01, 0.01

PRICE_COLUMNS = {q: f"price_{q}" for q in PRICE_MULTIPLIERS}


def add_instruments(survey: pd.DataFrame, segments: np.ndarray, random_state, *, slips: bool = True) -> pd.DataFrame:
    """The export with the price and Kano questions added after its last column, drawn from
    their own generator (so the other columns stay as they were), every cell as text;
    ``slips=False``: a clean export (no swapped, blank or euro-signed prices, no answers
    against the ladder, no half Kano pairs)."""
    rng = np.random.default_rng(random_state)
    rate = 1.0 if slips else 0.0
    n = len(segments)
    mu = np.log(np.array([PRICE_MEDIANS[s] for s in segments]))
    wtp = np.exp(mu + WTP_SD * rng.standard_normal(n))
    out = {}
    prices = {q: np.round(wtp * m * np.exp(ANSWER_SD * rng.standard_normal(n))) for q, m in PRICE_MULTIPLIERS.items()}
    swapped = rng.random(n) < rate * SWAPPED_PRICES
    prices["cheap"], prices["expensive"] = (np.where(swapped, prices["expensive"], prices["cheap"]),
                                            np.where(swapped, prices["cheap"], prices["expensive"]))
    blank = rng.random(n) < rate * BLANK_PRICE
    which = rng.integers(0, 4, n)
    sign = rng.random(n) < rate * EURO_SIGN
    for k, (q, col) in enumerate(PRICE_COLUMNS.items()):
        text = [f"{v:.0f}" for v in prices[q]]
        for i in np.flatnonzero(sign & (which == k)):
            text[i] = f"€{text[i]}" if i % 2 else f"{text[i]} €"
        for i in np.flatnonzero(blank & (which == k)):
            text[i] = ""
        out[col] = text
    out["buy_at_cheap"] = [str(v) for v in rng.choice(np.arange(1, 6), n, p=BUY_AT_CHEAP)]
    out["buy_at_expensive"] = [str(v) for v in rng.choice(np.arange(1, 6), n, p=BUY_AT_EXPENSIVE)]
    yes = wtp[:, None] >= np.array(LADDER)[None, :]
    against = np.flatnonzero(rng.random(n) < rate * AGAINST_LADDER)
    yes[against] = yes[against][:, ::-1]  # yes at the top of the ladder, no at its bottom
    for j, price in enumerate(LADDER):
        out[f"gg_{price}"] = np.where(yes[:, j], "1", "2").tolist()
    for attribute, mix in KANO_MIX.items():
        category = rng.choice(list(_CATEGORIES), n, p=mix)
        pick = rng.random(n)
        pairs = np.array([_PAIRS[c][int(p * len(_PAIRS[c]))] for c, p in zip(category, pick)])
        half = rng.random(n) < rate * HALF_PAIR
        side = rng.integers(0, 2, n)
        f = [str(v) for v in pairs[:, 0]]
        d = [str(v) for v in pairs[:, 1]]
        for i in np.flatnonzero(half):
            (f if side[i] else d)[i] = ""
        out[f"kano_{attribute}_f"], out[f"kano_{attribute}_d"] = f, d
    return pd.concat([survey, pd.DataFrame(out, index=survey.index)], axis=1)


def instrument_codebook() -> dict:
    """The codebook sections of the demo's instruments, and their columns' labels."""
    labels = {}
    for q, col in PRICE_COLUMNS.items():
        words = q.replace("_", " ")
        labels[col] = {"text": f"At what price would the drill be {_EN[q]}?",
                       "label": {"en": f"Price: {words}", "es": f"Precio: {_ES[q]}", "it": f"Prezzo: {_IT[q]}"}}
    for col, at, es, it in (("buy_at_cheap", "cheap", "barato", "economico"),
                            ("buy_at_expensive", "expensive", "caro", "caro")):
        labels[col] = {"text": f"How likely would you be to buy the drill at the price you called {at}? "
                               "(1 = not at all, 5 = very likely)",
                       "label": {"en": f"Would buy at own {at} price", "es": f"Compraría a su precio {es}",
                                 "it": f"Comprerebbe al proprio prezzo {it}"}}
    for p in LADDER:
        labels[f"gg_{p}"] = {"text": f"Would you buy the drill at {p} euros? (1 = yes, 2 = no)",
                             "label": {"en": f"Would buy at €{p}", "es": f"Compraría a {p} €",
                                       "it": f"Comprerebbe a {p} €"}}
    for a, (en, es, it) in KANO_ATTRIBUTES.items():
        for half, when, es_when, it_when in (("f", "offered", "se ofreciera", "fosse offerto"),
                                             ("d", "not offered", "no se ofreciera", "non fosse offerto")):
            labels[f"kano_{a}_{half}"] = {
                "text": f"How would you feel if {en.lower()} were {when}?",
                "label": {"en": f"{en}: {when}", "es": f"{es}: {es_when}", "it": f"{it}: {it_when}"}}
    sections = {
        "pricing": {**{q: col for q, col in PRICE_COLUMNS.items()}, "buy_cheap": "buy_at_cheap",
                    "buy_expensive": "buy_at_expensive",
                    # Newton, Miller and Smith's calibration of the 5-point likelihood (as R's
                    # pricesensitivitymeter): a judgement about this market, to revise with sales data
                    "likelihood": {5: 0.7, 4: 0.5, 3: 0.3, 2: 0.1, 1: 0.0}, "currency": "EUR",
                    # the drill's shelf price, and the what-if lever (demo_levers.yaml) that moves it
                    "current": CURRENT_PRICE, "lever": "price"},
        "gabor_granger": {"ladder": {p: f"gg_{p}" for p in LADDER}, "buy": {1: 1, 2: 0}, "currency": "EUR"},
        "kano": {"answers": {1: "like", 2: "expect", 3: "neutral", 4: "tolerate", 5: "dislike"},
                 "attributes": {a: [f"kano_{a}_f", f"kano_{a}_d"] for a in KANO_ATTRIBUTES},
                 # the block of the value model each service bears on: the analyst's judgement
                 "serves": dict(KANO_SERVES)},
    }
    names = {a: {"en": en, "es": es, "it": it} for a, (en, es, it) in KANO_ATTRIBUTES.items()}
    return {"sections": sections, "items": labels, "labels": names}


_EN = {"too_cheap": "so cheap that you would doubt its quality", "cheap": "a bargain",
       "expensive": "getting expensive, though still worth considering", "too_expensive": "too expensive to consider"}
_ES = {"too_cheap": "demasiado barato", "cheap": "barato", "expensive": "caro", "too_expensive": "demasiado caro"}
_IT = {"too_cheap": "troppo economico", "cheap": "economico", "expensive": "caro", "too_expensive": "troppo caro"}


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _share_at_or_below(price: np.ndarray, multiplier: float, sd: float, shares: dict[str, float]) -> np.ndarray:
    """P(answer <= price) under the planted mixture of segments (``shares``: segment to share)."""
    return sum(shares[s] * _normal_cdf((np.log(price) - math.log(PRICE_MEDIANS[s] * multiplier)) / sd)
               for s in PRICE_MEDIANS)


def instrument_truth(shares: dict[str, float]) -> dict:
    """What the instruments plant, for segments in ``shares`` (segment to share)."""
    sd = math.sqrt(WTP_SD ** 2 + ANSWER_SD ** 2)
    grid = np.arange(10.0, 300.0)
    # a whole-euro answer is at or below p when the exact one is below p + 0.5
    below = {q: _share_at_or_below(grid + 0.5, m, sd, shares) for q, m in PRICE_MULTIPLIERS.items()}
    curves = {"too_cheap": 1 - below["too_cheap"], "not_cheap": below["cheap"], "cheap": 1 - below["cheap"],
              "expensive": below["expensive"], "not_expensive": 1 - below["expensive"],
              "too_expensive": below["too_expensive"]}
    points = {k: round(_cross(grid, curves[a], curves[b]), 4) for k, (a, b) in
              {"pmc": ("not_cheap", "too_cheap"), "opp": ("too_expensive", "too_cheap"),
               "ipp": ("expensive", "cheap"), "pme": ("too_expensive", "not_expensive")}.items()}
    ladder = np.array(LADDER, float)
    demand = 1 - _share_at_or_below(ladder - 1e-9, 1.0, WTP_SD, shares)
    revenue = demand * ladder
    kano = {}
    for attribute, mix in KANO_MIX.items():
        a, o, m, i = mix[:4]
        kano[attribute] = {"category": _CATEGORIES[int(np.argmax(mix))], "shares": dict(zip(_CATEGORIES, mix)),
                           "better": round((a + o) / (a + o + m + i), 4), "worse": round(-(o + m) / (a + o + m + i), 4)}
    return {
        "price_points": points,
        "price_points_note": ("the Van Westendorp points the analysis converges on with whole-euro answers: the "
                              "planted model's curves at every whole euro, crossed by linear interpolation"),
        "gabor_granger": {"demand": {int(p): round(float(d), 4) for p, d in zip(ladder, demand)},
                          "best_price": int(ladder[int(np.argmax(revenue))])},
        "kano": kano,
        "slips": {"swapped_prices": SWAPPED_PRICES, "blank_price": BLANK_PRICE, "euro_sign": EURO_SIGN,
                  "against_ladder": AGAINST_LADDER, "half_pair": HALF_PAIR},
    }


def _cross(grid, a, b) -> float:
    d = a - b
    i = int(np.flatnonzero(np.diff(np.sign(d)))[0])
    return float(grid[i] - d[i] * (grid[i + 1] - grid[i]) / (d[i + 1] - d[i]))
