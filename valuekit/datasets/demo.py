"""Seeded generators for the bundled demo surveys, with their ground truth.

Two fictional surveys ship in ``data/``:

* **Casa Aurora** (:func:`make_demo_survey`), a home-and-garden retailer with stores and
  an online shop, rated by about 2,000 customers on a 1-7 agreement scale, with ratings
  of the competitor *Verdalia*, four outcomes and the dirt a real survey export carries.
* **Casa Aurora, wave 3** (:func:`make_demo_wave`), a later wave (March 2026) of the same
  survey with two planted, known changes (:data:`PLANTED_CHANGES`: a price rise hits the
  bargain hunters' money sacrifice, a store refurbishment lifts the experience seekers'
  experiential benefit), for wave-over-wave tracking.
* **Clínica Sonrisa** (:func:`make_clinic_survey`), a dental clinic, about 300 patients,
  a 0-10 scale, Spanish column names, written the way a Spanish spreadsheet writes CSV
  (semicolons, decimal comma, Latin-1 / cp1252).

:func:`write_demo_data` writes them, their codebooks, the Casa Aurora ground truth (of both
exports) and a README into ``data/``; ``python -m valuekit.datasets.demo`` does the same. Both are deterministic:
the same seed gives byte-identical files.

The latent model (Casa Aurora)
------------------------------
Every respondent belongs to one of four planted segments (:data:`SEGMENTS`: bargain
hunters 30 %, experience seekers 25 %, status buyers 20 %, hassled pragmatists 25 %).
For each of the nine *blocks* of the value equation -- the benefit dimensions
functional, economic, experiential, symbolic and the sacrifices time, money, energy,
emotional, risk -- the respondent's latent score on the 1-7 scale is

    latent = segment_mean + noise,   noise ~ Normal(0, W),   clipped to [1, 7]

The within-segment covariance ``W`` (:func:`latent_covariance`) is shaped so that the
segments are tight along the few directions that tell them apart, while across all
respondents the nine blocks have equal variance and correlate only through a mild halo
(:data:`HALO_COV`). The segments can then be recovered by clustering, and a key-driver
analysis is not confounded by segment-induced correlations. Each facet (e.g.
functional / reliability) adds a person-level deviation (sd :data:`FACET_SD`), and each
item its own noise (sd :data:`ITEM_SD`)::

    answer = clip(round(latent[block] + facet_dev + item_noise), 1, 7)

Reverse-keyed items (worded negatively, e.g. "Products often break or fail") store
``8 - answer``. Sacrifice items are worded so that agreeing means a bigger sacrifice.

The respondent's *benefits* are the mean of the four latent benefit scores, the
*sacrifices* the mean of the five latent sacrifice scores, and value = benefits /
sacrifices; value is **destroyed** when sacrifices > benefits (about a quarter of the
customers, three quarters of the hassled pragmatists).

Competitor ratings (Verdalia) come from the same latent person plus a competitor shift
per block (:data:`COMPETITOR_SHIFT`: cheaper, less experiential) and a person-level
deviation. Respondents who do not know Verdalia (about 15 %) leave them blank.

Each outcome is a linear function of the standardised latent block scores with planted
weights (:data:`OUTCOME_WEIGHTS`, sacrifices negative, no ties) plus noise, rounded and
clipped to its scale.

Finally dirt is planted at seeded rows and recorded in the truth: "don't know" codes, a
few out-of-range and non-numeric entries, duplicate ids, straight-liners, speeders,
blank batteries and one blank id (see :data:`DIRT_COUNTS`).
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..config import DATA_DIR
from ..survey.codebook import DIMENSIONS, SACRIFICES
from .instruments import add_instruments, instrument_codebook, instrument_truth

__all__ = [
    "make_demo_survey",
    "make_demo_wave",
    "make_clinic_survey",
    "make_null_survey",
    "demo_codebook",
    "clinic_codebook",
    "write_demo_data",
    "latent_covariance",
    "SEGMENTS",
    "BLOCKS",
    "OUTCOME_WEIGHTS",
    "COMPETITOR_SHIFT",
    "DIRT_COUNTS",
    "PLANTED_CHANGES",
]

BENEFIT_BLOCKS = DIMENSIONS  # the theory's names, from one place
SACRIFICE_BLOCKS = SACRIFICES
#: The nine latent blocks of the value equation, benefits first.
BLOCKS = BENEFIT_BLOCKS + SACRIFICE_BLOCKS

#: Planted segments: share of respondents, display label and latent mean per block
#: (1-7 scale, in :data:`BLOCKS` order). Bargain hunters see economic benefit but feel
#: the money; experience seekers enjoy the stores but are short of time; status buyers
#: buy the brand; hassled pragmatists pay in time, energy and nerves.
SEGMENTS: dict[str, dict] = {
    "bargain_hunters": {
        "label": "Bargain hunters", "share": 0.30,
        "means": (5.0, 5.3, 4.0, 3.4, 3.6, 5.0, 3.5, 3.5, 3.8),
    },
    "experience_seekers": {
        "label": "Experience seekers", "share": 0.25,
        "means": (5.1, 4.2, 5.8, 3.7, 4.8, 3.6, 3.3, 3.2, 3.5),
    },
    "status_buyers": {
        "label": "Status buyers", "share": 0.20,
        "means": (5.1, 3.5, 4.2, 5.6, 3.0, 4.2, 3.6, 3.5, 3.2),
    },
    "hassled_pragmatists": {
        "label": "Hassled pragmatists", "share": 0.25,
        "means": (4.4, 3.8, 4.0, 3.8, 4.5, 3.9, 4.9, 4.6, 4.2),
    },
}

#: The price and Kano questions draw from their own stream of the seed (valuekit/datasets/instruments.py),
#: so the rest of the export is the same with or without them.
INSTRUMENT_STREAM = 35

#: Within-segment variance of the latent scores along the directions that separate the
#: segments (the smallest within-segment variance; other directions get more).
SEPARATION_FLOOR = 0.10
#: Covariance shared by the four benefits (and, separately, by the five sacrifices)
#: across respondents: a mild halo.
HALO_COV = 0.05
#: Person-level deviation of a facet from its block.
FACET_SD = 0.20
#: Item-level answer noise.
ITEM_SD = 0.55


def latent_covariance() -> tuple[np.ndarray, np.ndarray]:
    """Between- and within-segment covariance of the nine latent block scores.

    The between-segment covariance ``B`` follows from the segment shares and means. The
    within-segment covariance is ``W = c I + H - B`` with ``c = max eigenvalue(B) +``
    :data:`SEPARATION_FLOOR` and ``H`` the halo (:data:`HALO_COV` among benefits and among
    sacrifices), so that across all respondents the blocks have equal variance
    ``c + HALO_COV`` and correlate only through the halo. Segments therefore stand apart
    (little within-segment spread along the directions that separate them), and a
    key-driver analysis is not confounded by segment-induced correlations.

    Returns
    -------
    between, within : ndarray of shape (9, 9)

    Examples
    --------
    >>> between, within = latent_covariance()
    >>> total = between + within
    >>> bool(np.allclose(np.diag(total), total[0, 0]))
    True
    >>> bool(np.linalg.eigvalsh(within).min() > 0.1)
    True
    """
    p = np.array([s["share"] for s in SEGMENTS.values()])
    m = np.array([s["means"] for s in SEGMENTS.values()])
    dev = m - p @ m
    between = (dev.T * p) @ dev
    halo = np.zeros((len(BLOCKS), len(BLOCKS)))
    halo[:4, :4] = HALO_COV
    halo[4:, 4:] = HALO_COV
    c = np.linalg.eigvalsh(between).max() + SEPARATION_FLOOR
    return between, c * np.eye(len(BLOCKS)) + halo - between


#: Verdalia's shift per block relative to Casa Aurora, on the 1-7 scale (sacrifices:
#: positive = a bigger sacrifice at Verdalia).
COMPETITOR_SHIFT: dict[str, float] = {
    "functional": -0.3, "economic": 0.7, "experiential": -1.0, "symbolic": -0.6,
    "time": 0.4, "money": -0.9, "energy": 0.5, "emotional": 0.2, "risk": 0.3,
}
#: Share of respondents who do not know Verdalia (competitor items left blank).
COMPETITOR_UNKNOWN = 0.15

#: Planted outcome weights on the standardised latent block scores. Every outcome has
#: a strict rank order of absolute weights; sacrifices weigh negatively.
OUTCOME_WEIGHTS: dict[str, dict[str, float]] = {
    "overall_value": {
        "economic": 0.40, "money": -0.30, "functional": 0.22, "time": -0.16,
        "experiential": 0.115, "emotional": -0.08, "symbolic": 0.055, "energy": -0.035,
        "risk": -0.02,
    },
    "satisfaction": {
        "experiential": 0.40, "functional": 0.30, "emotional": -0.22, "time": -0.16,
        "economic": 0.115, "energy": -0.08, "symbolic": 0.055, "risk": -0.035, "money": -0.02,
    },
    "recommend": {
        "experiential": 0.40, "symbolic": 0.30, "functional": 0.22, "emotional": -0.16,
        "economic": 0.115, "risk": -0.08, "time": -0.055, "money": -0.035, "energy": -0.02,
    },
    "repurchase": {
        "functional": 0.40, "economic": 0.30, "risk": -0.22, "money": -0.16,
        "time": -0.115, "experiential": 0.08, "energy": -0.055, "emotional": -0.035,
        "symbolic": 0.02,
    },
}
#: Outcome columns, their scale, the centre and spread of the linear predictor, noise sd.
OUTCOMES: dict[str, dict] = {
    "overall_value": {"column": "out_value", "min": 1, "max": 7, "centre": 4.5, "gain": 1.6, "noise": 0.6},
    "satisfaction": {"column": "out_sat", "min": 1, "max": 7, "centre": 4.8, "gain": 1.6, "noise": 0.6},
    "recommend": {"column": "out_nps", "min": 0, "max": 10, "centre": 6.6, "gain": 2.8, "noise": 1.1},
    "repurchase": {"column": "out_rep", "min": 1, "max": 7, "centre": 4.9, "gain": 1.6, "noise": 0.6},
}

#: Row-level dirt planted in the Casa Aurora export (number of rows each).
DIRT_COUNTS: dict[str, int] = {
    "out_of_range": 10,
    "non_numeric": 3,
    "duplicate_exact": 4,
    "duplicate_id": 4,
    "straight_liner": 15,
    "speeder": 20,
    "all_blank": 2,
    "blank_id": 1,
}
#: Cell-level rates: "don't know" (9) in 1-7 answers, 99 in the 0-10 recommendation,
#: and ordinary item non-response (blank) in the benefit and sacrifice battery.
DONT_KNOW_RATE = 0.03
DONT_KNOW_NPS_RATE = 0.02
BLANK_RATE = 0.007
#: Median completion time of a genuine respondent, in seconds.
MEDIAN_DURATION = 540.0

_OUT_OF_RANGE_VALUES = (8, 0, 77, 8, 0, 11, 8, 44, 0, 8, 17, 0)
_NON_NUMERIC_COLUMN = "eco_util_1"
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}

# -- Casa Aurora: the items --------------------------------------------------------------
# (column, block, facet, reverse, English text, en / es / it short labels)
_ITEMS: list[tuple] = [
    ("fun_ease_1", "functional", "ease_of_use", False,
     "Finding what I need in the store or the online shop is easy.",
     "Easy to find things", "Fácil encontrar", "Facile trovare"),
    ("fun_ease_2", "functional", "ease_of_use", False,
     "Ordering and checking out is simple, in store and online.",
     "Simple checkout", "Pago sencillo", "Pagamento semplice"),
    ("fun_rel_1", "functional", "reliability", False,
     "The products I buy here last and work as expected.",
     "Products last", "Productos duraderos", "Prodotti durevoli"),
    ("fun_rel_2", "functional", "reliability", True,
     "Products often break or fail.",
     "Products break (rev.)", "Productos se rompen (inv.)", "Prodotti si rompono (inv.)"),
    ("fun_prac_1", "functional", "practicality", False,
     "The range has practical solutions for my home and garden.",
     "Practical range", "Surtido práctico", "Assortimento pratico"),
    ("fun_prac_2", "functional", "practicality", False,
     "Delivery and pick-up options fit my needs.",
     "Delivery fits needs", "Entrega adecuada", "Consegna adeguata"),
    ("eco_sav_1", "economic", "savings", False,
     "Promotions and discounts here save me money.",
     "Discounts save money", "Descuentos ahorran", "Sconti fanno risparmiare"),
    ("eco_sav_2", "economic", "savings", False,
     "I pay less here than elsewhere for the same thing.",
     "Cheaper than elsewhere", "Más barato", "Più economico"),
    ("eco_util_1", "economic", "utility", False,
     "What I buy here is worth what I pay for it.",
     "Worth the price", "Vale lo que cuesta", "Vale il prezzo"),
    ("eco_util_2", "economic", "utility", False,
     "The products give me a lot of use for the money.",
     "Much use for money", "Mucho uso por el dinero", "Molto uso per il denaro"),
    ("exp_amb_1", "experiential", "ambience", False,
     "The stores and the website are pleasant places to spend time.",
     "Pleasant stores", "Tiendas agradables", "Negozi piacevoli"),
    ("exp_amb_2", "experiential", "ambience", True,
     "The stores feel cramped and uninviting.",
     "Cramped stores (rev.)", "Tiendas agobiantes (inv.)", "Negozi angusti (inv.)"),
    ("exp_int_1", "experiential", "interactions", False,
     "Staff are friendly and know what they are talking about.",
     "Friendly staff", "Personal amable", "Personale cortese"),
    ("exp_int_2", "experiential", "interactions", True,
     "Staff are unhelpful.",
     "Unhelpful staff (rev.)", "Personal poco útil (inv.)", "Personale poco utile (inv.)"),
    ("sym_bel_1", "symbolic", "belonging", False,
     "I feel part of the Casa Aurora community.",
     "Part of community", "Parte de la comunidad", "Parte della comunità"),
    ("sym_bel_2", "symbolic", "belonging", True,
     "Casa Aurora is not a brand for people like me.",
     "Not for me (rev.)", "No es para mí (inv.)", "Non fa per me (inv.)"),
    ("sym_sta_1", "symbolic", "status", False,
     "Shopping at Casa Aurora says something good about me.",
     "Says good about me", "Habla bien de mí", "Parla bene di me"),
    ("sym_sta_2", "symbolic", "status", False,
     "People I know admire the things I bought here.",
     "Others admire purchases", "Otros admiran compras", "Altri ammirano acquisti"),
    ("sac_time_1", "time", None, False,
     "Getting to the store or finding things online takes me a long time.",
     "Long to get/find", "Tarda llegar/encontrar", "Lungo arrivare/trovare"),
    ("sac_time_2", "time", None, False,
     "I lose time waiting: queues, deliveries, wrong orders.",
     "Time lost waiting", "Tiempo perdido esperando", "Tempo perso in attesa"),
    ("sac_money_1", "money", None, False,
     "Prices plus surcharges and delivery fees add up.",
     "Fees add up", "Recargos se acumulan", "Costi aggiuntivi"),
    ("sac_money_2", "money", None, False,
     "I end up paying more than I planned.",
     "Pay more than planned", "Pago más de lo previsto", "Pago più del previsto"),
    ("sac_energy_1", "energy", None, False,
     "Carrying, transporting and assembling what I buy takes a lot of effort.",
     "Effort to carry/assemble", "Esfuerzo transportar", "Fatica trasportare"),
    ("sac_energy_2", "energy", None, False,
     "Preparing a purchase here (measuring, planning, travelling) wears me out.",
     "Preparing wears me out", "Preparar me agota", "Preparare mi sfinisce"),
    ("sac_emo_1", "emotional", None, False,
     "Shopping here is stressful: crowds, noise, poorly informed staff.",
     "Stressful shopping", "Compra estresante", "Acquisto stressante"),
    ("sac_emo_2", "emotional", None, False,
     "Returns and complaints here are frustrating.",
     "Frustrating returns", "Devoluciones frustrantes", "Resi frustranti"),
    ("sac_risk_fin", "risk", "financial", False,
     "I worry that I am paying too much.",
     "Worry overpaying", "Miedo a pagar de más", "Timore di pagare troppo"),
    ("sac_risk_phy", "risk", "physical", False,
     "Some products could be unsafe to use.",
     "Products may be unsafe", "Productos inseguros", "Prodotti non sicuri"),
    ("sac_risk_perf", "risk", "performance", False,
     "I worry that products will not perform as promised.",
     "Worry about performance", "Miedo a que fallen", "Timore che non funzionino"),
]
#: Our item -> the Verdalia item rating the same attribute (one per facet and sacrifice).
_COMPARISONS: dict[str, str] = {
    "fun_ease_1": "cmp_fun_ease", "fun_rel_1": "cmp_fun_rel", "fun_prac_1": "cmp_fun_prac",
    "eco_sav_1": "cmp_eco_sav", "eco_util_2": "cmp_eco_util", "exp_amb_1": "cmp_exp_amb",
    "exp_int_1": "cmp_exp_int", "sym_bel_1": "cmp_sym_bel", "sym_sta_1": "cmp_sym_sta",
    "sac_time_1": "cmp_time", "sac_money_1": "cmp_money", "sac_energy_1": "cmp_energy",
    "sac_emo_1": "cmp_emo", "sac_risk_perf": "cmp_risk",
}
_OUTCOME_TEXT = {
    "overall_value": ("Overall, Casa Aurora gives me good value for what I give.",
                      "Overall value", "Valor global", "Valore complessivo"),
    "satisfaction": ("Overall, I am satisfied with Casa Aurora.",
                     "Satisfaction", "Satisfacción", "Soddisfazione"),
    "recommend": ("How likely are you to recommend Casa Aurora to a friend? (0-10)",
                  "Would recommend", "Recomendaría", "Raccomanderei"),
    "repurchase": ("I will buy from Casa Aurora again.",
                   "Will buy again", "Volveré a comprar", "Riacquisterò"),
}

# Context: categories and their probabilities per segment (segment order of SEGMENTS).
_WORLD_VIEWS = ("price first", "quality first", "sustainability", "style and status")
_WORLD_VIEW_P = ((0.60, 0.20, 0.12, 0.08), (0.15, 0.30, 0.40, 0.15),
                 (0.05, 0.25, 0.10, 0.60), (0.30, 0.45, 0.15, 0.10))
_REASONS = ("renovation", "replacement", "gift", "browsing")
_REASON_P = ((0.25, 0.45, 0.10, 0.20), (0.30, 0.15, 0.20, 0.35),
             (0.35, 0.15, 0.30, 0.20), (0.40, 0.45, 0.05, 0.10))
_STAGES = ("first purchase", "repeat")
_STAGE_P = ((0.30, 0.70), (0.25, 0.75), (0.20, 0.80), (0.35, 0.65))
_CHANNELS = ("store", "online", "both")
_CHANNEL_P = ((0.35, 0.45, 0.20), (0.60, 0.10, 0.30), (0.45, 0.20, 0.35), (0.50, 0.25, 0.25))
#: Population shares (customer database) of channel x stage used for post-stratification.
_POPULATION = {("store", "first purchase"): 0.14, ("store", "repeat"): 0.36,
               ("online", "first purchase"): 0.10, ("online", "repeat"): 0.18,
               ("both", "first purchase"): 0.05, ("both", "repeat"): 0.17}
#: Fieldwork of each wave: start date, days. Waves 1-2 are :func:`make_demo_survey`'s,
#: later waves :func:`make_demo_wave`'s.
_WAVES = {1: ("2025-03-03", 28), 2: ("2025-09-08", 28), 3: ("2026-03-02", 28)}

#: Changes planted in the later wave (:func:`make_demo_wave`), on the latent 1-7 scale:
#: ``shift`` is added to the segment's latent mean of the block before clipping to 1-7.
#: One bad change, one good one; every other segment, block, share and context
#: distribution stays as in waves 1-2.
PLANTED_CHANGES: tuple[dict, ...] = (
    {"segment": "bargain_hunters", "block": "money", "shift": 0.8,
     "story": "price rise: higher prices and delivery fees hit the bargain hunters"},
    {"segment": "experience_seekers", "block": "experiential", "shift": 0.6,
     "story": "store refurbishment: the experience seekers enjoy the new stores"},
)
#: Exact re-submissions planted in the later wave: its only dirt besides ordinary
#: non-response (blanks, "don't know" codes).
WAVE_DUPLICATES = 2


def _item_columns() -> list[str]:
    return [it[0] for it in _ITEMS]


def _answer(rng: np.random.Generator, centre: np.ndarray, sd: float, lo: int, hi: int) -> np.ndarray:
    """Round a noisy latent answer onto an integer scale."""
    return np.clip(np.rint(centre + rng.normal(0.0, sd, size=centre.shape)), lo, hi)


def _battery(rng: np.random.Generator, latent: np.ndarray) -> np.ndarray:
    """Answers (float, 1-7) of every person to the benefit and sacrifice items."""
    n = latent.shape[0]
    facets = list(dict.fromkeys((it[1], it[2] or it[1]) for it in _ITEMS))
    facet_dev = {f: rng.normal(0.0, FACET_SD, size=n) for f in facets}
    out = np.empty((n, len(_ITEMS)))
    for j, (_, block, facet, reverse, *_rest) in enumerate(_ITEMS):
        centre = latent[:, BLOCKS.index(block)] + facet_dev[(block, facet or block)]
        x = _answer(rng, centre, ITEM_SD, 1, 7)
        out[:, j] = 8 - x if reverse else x
    return out


def _competitor(rng: np.random.Generator, latent: np.ndarray) -> np.ndarray:
    """Verdalia ratings: the same latent person plus the competitor shift."""
    n = latent.shape[0]
    person = rng.normal(0.0, 0.45, size=n)
    cols = {it[0]: it for it in _ITEMS}
    out = np.empty((n, len(_COMPARISONS)))
    for j, ours in enumerate(_COMPARISONS):
        block = cols[ours][1]
        sign = 1.0 if block in BENEFIT_BLOCKS else -1.0  # a better view lowers sacrifices
        centre = latent[:, BLOCKS.index(block)] + COMPETITOR_SHIFT[block] + sign * person
        out[:, j] = _answer(rng, centre, ITEM_SD, 1, 7)
    return out


def _outcomes(rng: np.random.Generator, z: np.ndarray, z_ref: np.ndarray | None = None) -> np.ndarray:
    """Outcome answers from standardised latent scores ``z``.

    The linear predictor is scaled by its spread in ``z_ref`` (default: in ``z`` itself),
    so a later wave can be put on the scale of the unchanged model.
    """
    out = np.empty((z.shape[0], len(OUTCOMES)))
    for j, (name, spec) in enumerate(OUTCOMES.items()):
        w = np.array([OUTCOME_WEIGHTS[name][b] for b in BLOCKS])
        lin = z @ w
        lin = lin / (lin if z_ref is None else z_ref @ w).std()
        out[:, j] = _answer(rng, spec["centre"] + spec["gain"] * lin, spec["noise"], spec["min"], spec["max"])
    return out


def _fmt_int(values: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else str(int(v)) for v in values]


def _segments_and_noise(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Planted segment (index into :data:`SEGMENTS`) and within-segment latent noise.

    Segment sizes are the planned shares of ``n`` (rounded down, the remainder to the
    first segment), in random order.
    """
    names = list(SEGMENTS)
    counts = np.floor([SEGMENTS[s]["share"] * n for s in names]).astype(int)
    counts[0] += n - counts.sum()
    seg = rng.permutation(np.repeat(np.arange(len(names)), counts))
    _, within = latent_covariance()
    noise = rng.standard_normal((n, len(BLOCKS))) @ np.linalg.cholesky(within).T
    return seg, noise


def _pick(rng: np.random.Generator, seg: np.ndarray, options, probs) -> np.ndarray:
    """One context answer per person, from the probabilities of their segment."""
    p = np.array(probs)[seg]
    u = rng.random(len(seg))[:, None]
    return np.array(options)[(u > p.cumsum(axis=1)).sum(axis=1)]


def _context(rng: np.random.Generator, seg: np.ndarray) -> tuple[np.ndarray, ...]:
    """World view, purchase reason, stage and channel (segment-dependent)."""
    return (_pick(rng, seg, _WORLD_VIEWS, _WORLD_VIEW_P), _pick(rng, seg, _REASONS, _REASON_P),
            _pick(rng, seg, _STAGES, _STAGE_P), _pick(rng, seg, _CHANNELS, _CHANNEL_P))


def _durations(rng: np.random.Generator, n: int) -> np.ndarray:
    """Genuine completion times (seconds), kept clear of the speeder rule."""
    duration = np.exp(rng.normal(np.log(MEDIAN_DURATION), 0.38, size=n))
    low = duration < 0.45 * MEDIAN_DURATION  # keep genuine respondents clear of "speeding"
    duration[low] = MEDIAN_DURATION * rng.uniform(0.45, 0.7, size=low.sum())
    return duration


def _poststratify(channel: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Post-stratification weights on channel x stage to :data:`_POPULATION`."""
    cell = pd.Series([f"{c}|{s}" for c, s in zip(channel, stage)])
    share = cell.map(cell.value_counts(normalize=True)).to_numpy()
    target = cell.map({f"{c}|{s}": p for (c, s), p in _POPULATION.items()}).to_numpy()
    return target / share


def _dont_know(rng: np.random.Generator, items: np.ndarray, comp: np.ndarray, outs: np.ndarray,
               eligible: np.ndarray) -> None:
    """Plant "don't know" codes in place: 9 in 1-7 answers, 99 in the recommendation."""
    n = len(eligible)
    for block in (items, comp, outs):
        dk = (rng.random(block.shape) < DONT_KNOW_RATE) & ~np.isnan(block) & eligible[:, None]
        if block is outs:
            nps = list(OUTCOMES).index("recommend")
            dk[:, nps] = False
            dk99 = (rng.random(n) < DONT_KNOW_NPS_RATE) & eligible
            block[dk99, nps] = 99
        block[dk] = 9


def _export(id_text: list[str], wave: np.ndarray, start: np.ndarray, duration: np.ndarray,
            context: tuple[np.ndarray, ...], text_items: dict[str, list[str]], comp: np.ndarray,
            outs: np.ndarray, weight: np.ndarray) -> pd.DataFrame:
    """The survey export as text columns, in the column order of ``demo_survey.csv``."""
    world_view, reason, stage, channel = context
    return pd.DataFrame({
        "respondent_id": id_text,
        "wave": [str(w) for w in wave],
        "start_date": [str(d) for d in start],
        "duration_s": [str(int(round(d))) for d in duration],
        "world_view": world_view.tolist(),
        "purchase_reason": reason.tolist(),
        "stage": stage.tolist(),
        "channel": channel.tolist(),
        **text_items,
        **{c: _fmt_int(comp[:, j]) for j, c in enumerate(_COMPARISONS.values())},
        **{spec["column"]: _fmt_int(outs[:, j]) for j, spec in enumerate(OUTCOMES.values())},
        "weight": [f"{w:.4f}" for w in weight],
    })


def _truth_frame(id_text: list[str], segment: np.ndarray, latent: np.ndarray, dirt: list[str]) -> pd.DataFrame:
    """Per-row truth (without the ``row`` column), in the column order of ``demo_truth.csv``."""
    benefits = latent[:, :4].mean(axis=1)
    sacrifices = latent[:, 4:].mean(axis=1)
    return pd.DataFrame({
        "respondent_id": id_text,
        "segment": segment,
        **{b: latent[:, k].round(4) for k, b in enumerate(BLOCKS)},
        "benefits": benefits.round(4),
        "sacrifices": sacrifices.round(4),
        "value_ratio": (benefits / sacrifices).round(4),
        "destroyed": sacrifices > benefits,
        "planted_dirt": dirt,
    })


def make_demo_survey(n: int = 2000, *, random_state: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Generate the Casa Aurora survey export, its ground truth and truth metadata.

    Parameters
    ----------
    n : int, default 2000
        Number of genuine respondents. The export has ``n`` plus the planted duplicate
        rows (8 by default). Must be at least 200 so the planted dirt fits.
    random_state : int, default 2026
        Seed of the generator; the same seed gives the same data.

    Returns
    -------
    survey : DataFrame
        The export as a survey tool would write it: every column is text (``str``),
        blanks are empty strings; numbers are written without decimals except
        ``weight``. Columns: ``respondent_id``, ``wave``, ``start_date``, ``duration_s``,
        context (``world_view``, ``purchase_reason``, ``stage``, ``channel``), the 29
        benefit and sacrifice items, 14 Verdalia items (``cmp_*``), outcomes
        (``out_value``, ``out_sat``, ``out_nps``, ``out_rep``) and ``weight``.
    truth : DataFrame
        One row per survey row, same order: ``row`` (1-based), ``respondent_id``,
        ``segment``, the nine latent block scores, ``benefits``, ``sacrifices``,
        ``value_ratio``, ``destroyed`` and ``planted_dirt`` (empty for clean rows).
    meta : dict
        Seed, sizes, segment profiles, planted outcome weights, competitor shifts and
        the counts of planted dirt, as written to ``valuekit/datasets/data/demo_truth.yaml``.

    See Also
    --------
    write_demo_data : write the bundled files.

    Examples
    --------
    >>> survey, truth, meta = make_demo_survey(300, random_state=1)
    >>> len(survey), len(truth), meta["n_respondents"], meta["dirt"]["duplicate_ids"]
    (308, 308, 300, 8)
    >>> survey.loc[0, ["respondent_id", "start_date", "channel"]].tolist()
    ['10001', '2025-03-03', 'store']
    >>> sorted(truth["segment"].unique())
    ['bargain_hunters', 'experience_seekers', 'hassled_pragmatists', 'status_buyers']
    """
    # complex: one branch per planted pattern, for the same reason as its length:
    # long: one recipe in the order of its random draws; splitting it would hide that order,
    # which the bundled files depend on byte for byte
    if n < 200:
        raise ValueError(f"n must be at least 200 so the planted dirt fits, got n={n!r}")
    rng = np.random.default_rng(random_state)
    names = list(SEGMENTS)

    # -- segments and latent scores ---------------------------------------------------
    seg, noise = _segments_and_noise(rng, n)
    means = np.array([SEGMENTS[s]["means"] for s in names])
    latent = np.clip(means[seg] + noise, 1.0, 7.0)
    z = (latent - latent.mean(axis=0)) / latent.std(axis=0)

    # -- context, timing, answers -------------------------------------------------------
    context = _context(rng, seg)

    wave = np.where(rng.random(n) < 0.5, 1, 2)
    day = rng.integers(0, 28, size=n)
    start = np.array([np.datetime64(_WAVES[w][0]) + d for w, d in zip(wave, day)])
    order = np.lexsort((rng.random(n), start))  # the export is sorted by start date
    seg, latent, z = seg[order], latent[order], z[order]
    context = tuple(c[order] for c in context)
    wave, start = wave[order], start[order]

    duration = _durations(rng, n)

    items = _battery(rng, latent)
    comp = _competitor(rng, latent)
    outs = _outcomes(rng, z)
    weight = _poststratify(context[3], context[2])  # channel x stage

    # -- ordinary non-response --------------------------------------------------------
    items[rng.random(items.shape) < BLANK_RATE] = np.nan
    unknown_comp = rng.random(n) < COMPETITOR_UNKNOWN
    comp[unknown_comp] = np.nan

    # -- row-level dirt: distinct rows for each kind ------------------------------------
    kinds = list(DIRT_COUNTS)
    dirty = rng.choice(n, size=sum(DIRT_COUNTS.values()), replace=False)
    rows: dict[str, np.ndarray] = {}
    at = 0
    for kind in kinds:
        rows[kind] = np.sort(dirty[at:at + DIRT_COUNTS[kind]])
        at += DIRT_COUNTS[kind]
    dirt = np.full(n, "", dtype=object)

    # straight-liners answer every benefit and sacrifice item the same (and rate Verdalia
    # the same way when they rate it)
    for i, v in zip(rows["straight_liner"], rng.choice([4, 7, 4, 5, 1, 6, 4], size=DIRT_COUNTS["straight_liner"])):
        items[i, :] = v
        comp[i, ~np.isnan(comp[i])] = v
        dirt[i] = "straight_liner"
    for i in rows["all_blank"]:
        items[i, :] = np.nan
        comp[i, :] = np.nan
        dirt[i] = "all_blank"

    # "don't know" codes in 1-7 answers, not in straight-liners or blank rows
    eligible = np.ones(n, dtype=bool)
    eligible[rows["straight_liner"]] = False
    eligible[rows["all_blank"]] = False
    _dont_know(rng, items, comp, outs, eligible)

    cols = _item_columns()
    text_items = {c: _fmt_int(items[:, j]) for j, c in enumerate(cols)}
    nn_col = cols.index(_NON_NUMERIC_COLUMN)
    for k, i in enumerate(rows["out_of_range"]):
        choices = [j for j in range(len(cols)) if j != nn_col and items[i, j] in range(1, 8)]
        j = choices[rng.integers(len(choices))]
        text_items[cols[j]][i] = str(_OUT_OF_RANGE_VALUES[k % len(_OUT_OF_RANGE_VALUES)])
        dirt[i] = f"out_of_range:{cols[j]}"
    for i in rows["non_numeric"]:
        v = items[i, nn_col]
        if not 1 <= v <= 7:  # blank or 9: the respondent typed a word anyway
            v = float(rng.integers(4, 8))
        text_items[_NON_NUMERIC_COLUMN][i] = _WORDS[int(v)]
        dirt[i] = f"non_numeric:{_NON_NUMERIC_COLUMN}"
    for i in rows["speeder"]:
        duration[i] = MEDIAN_DURATION * rng.uniform(0.08, 0.24)
        dirt[i] = "speeder"

    ids = np.arange(10001, 10001 + n)
    id_text = [str(i) for i in ids]
    for i in rows["blank_id"]:
        id_text[i] = ""
        dirt[i] = "blank_id"

    survey = _export(id_text, wave, start, duration, context, text_items, comp, outs, weight)
    survey = add_instruments(survey, np.array(names)[seg], [random_state, INSTRUMENT_STREAM])
    truth = _truth_frame(id_text, np.array(names)[seg], latent, dirt.tolist())

    # -- duplicates: exact re-submissions and the same id answering again ---------------
    extra_s, extra_t, where = [], [], []
    for i in rows["duplicate_exact"]:
        s = survey.iloc[[i]].copy()
        t = truth.iloc[[i]].copy()
        t["planted_dirt"] = "duplicate_exact"
        extra_s.append(s)
        extra_t.append(t)
        where.append(i + 1 + rng.integers(0, 3))
    for i in rows["duplicate_id"]:
        again = _battery(rng, latent[[i]])
        again[rng.random(again.shape) < DONT_KNOW_RATE] = 9
        s = survey.iloc[[i]].copy()
        for j, c in enumerate(cols):
            s[c] = _fmt_int(again[:, j])
        s["duration_s"] = str(int(round(MEDIAN_DURATION * rng.uniform(0.6, 1.6))))
        t = truth.iloc[[i]].copy()
        t["planted_dirt"] = "duplicate_id"
        extra_s.append(s)
        extra_t.append(t)
        where.append(i + 1 + rng.integers(5, 60))
    pos = np.concatenate([np.arange(n) + 0.0, np.array(where) - 0.5])
    survey = pd.concat([survey, *extra_s], ignore_index=True)
    truth = pd.concat([truth, *extra_t], ignore_index=True)
    order = np.argsort(pos, kind="stable")
    survey = survey.iloc[order].reset_index(drop=True)
    truth = truth.iloc[order].reset_index(drop=True)
    truth.insert(0, "row", np.arange(1, len(truth) + 1))
    for c in survey.columns:
        survey[c] = survey[c].astype("str")
    truth["destroyed"] = truth["destroyed"].astype(bool)

    meta = _demo_meta(survey, truth, n=n, random_state=random_state)
    return survey, truth, meta


def make_demo_wave(n: int = 1000, *, wave: int = 3, changes=PLANTED_CHANGES,
                   reference: pd.DataFrame | None = None,
                   random_state: int = 2027) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Generate a later wave of the Casa Aurora survey, with planted, known changes.

    The same survey as :func:`make_demo_survey` (same columns, codebook, segments with
    the same shares, latent model, answer model, context distributions and
    post-stratification to the same population), fielded later, with ``changes`` planted
    in the latent segment means (default :data:`PLANTED_CHANGES`: the bargain hunters'
    money sacrifice +0.8, the experience seekers' experiential benefit +0.6).

    Each respondent has a *counterfactual* latent profile (the waves 1-2 model) and the
    changed one (the counterfactual plus the segment's shifts, clipped to 1-7). The
    benefit and sacrifice items and the outcomes follow the changed profile; the outcomes
    are standardised on the counterfactual, so they move with the change exactly as the
    outcome model implies. Verdalia's ratings follow the counterfactual: the changes
    happened at Casa Aurora, not at the competitor.

    The wave has ordinary non-response (blank items, "don't know" codes, respondents
    who do not know Verdalia) and :data:`WAVE_DUPLICATES` exact re-submissions, and no
    other dirt (no speeders, straight-liners, out-of-range or non-numeric entries, blank
    ids or blank batteries).

    Parameters
    ----------
    n : int, default 1000
        Number of respondents, 100 to 9999. The export has ``n`` plus the duplicate rows.
    wave : int, default 3
        Wave number, written to the ``wave`` column; a wave after 2 with fieldwork dates
        (wave 3: 28 days from 2026-03-02). Respondent ids run from ``wave * 10000 + 1``,
        so they never collide with waves 1-2 (10001-12000).
    changes : sequence of dict, default :data:`PLANTED_CHANGES`
        Each with ``segment`` (a key of :data:`SEGMENTS`), ``block`` (one of
        :data:`BLOCKS`) and ``shift`` (added to the latent segment mean, 1-7 scale).
        Empty: a wave in which nothing changed.
    reference : DataFrame, optional
        The ground truth of the earlier waves (as from :func:`make_demo_survey`), for the
        comparison of latent means in ``meta``; default: the bundled waves 1-2
        (``make_demo_survey()``).
    random_state : int, default 2027
        Seed of the generator; the same seed gives the same data.

    Returns
    -------
    survey : DataFrame
        The export, every column text, in the columns of ``demo_survey.csv``.
    truth : DataFrame
        One row per survey row, in the columns of ``demo_truth.csv`` (``row``,
        ``respondent_id``, ``segment``, the nine latent block scores *after* the change,
        ``benefits``, ``sacrifices``, ``value_ratio``, ``destroyed``, ``planted_dirt``).
    meta : dict
        Seed, sizes, fieldwork, the planted changes with their realised size, and per
        segment the realised latent means of this wave against the reference waves, as
        written to ``valuekit/datasets/data/demo_wave3_truth.yaml``.

    Raises
    ------
    ValueError
        ``n`` out of range, a wave without fieldwork dates or not after wave 2, or an
        unknown segment or block in ``changes``.

    See Also
    --------
    make_demo_survey : waves 1-2.
    write_demo_data : write the bundled files.

    Examples
    --------
    >>> earlier = make_demo_survey(200)[1]
    >>> survey, truth, meta = make_demo_wave(200, random_state=1, reference=earlier)
    >>> len(survey), survey.loc[0, ["respondent_id", "wave", "start_date"]].tolist()
    (202, ['30001', '3', '2026-03-02'])
    >>> [(c["segment"], c["block"], c["shift"]) for c in meta["planted_changes"]]
    [('bargain_hunters', 'money', 0.8), ('experience_seekers', 'experiential', 0.6)]
    >>> _, _, unchanged = make_demo_wave(200, changes=(), random_state=1, reference=earlier)
    >>> unchanged["planted_changes"]
    []
    """
    # long: one recipe in the order of its random draws, as make_demo_survey
    if wave not in _WAVES or wave <= 2:
        raise ValueError(f"wave must be a wave after 2 with fieldwork dates ({sorted(w for w in _WAVES if w > 2)}), "
                         f"got wave={wave!r}")
    if not 100 <= n <= 9999:
        raise ValueError(f"n must be 100 to 9999 (respondent ids of a wave), got n={n!r}")
    names = list(SEGMENTS)
    changes = [dict(c) for c in changes]
    shift = np.zeros((len(names), len(BLOCKS)))
    for c in changes:
        if c.get("segment") not in SEGMENTS or c.get("block") not in BLOCKS:
            raise ValueError(f"a change needs a segment of {names} and a block of {list(BLOCKS)}, got {c!r}")
        shift[names.index(c["segment"]), BLOCKS.index(c["block"])] += float(c["shift"])
    rng = np.random.default_rng(random_state)

    # -- segments, counterfactual and changed latent scores -----------------------------
    seg, noise = _segments_and_noise(rng, n)
    means = np.array([SEGMENTS[s]["means"] for s in names])
    base = np.clip(means[seg] + noise, 1.0, 7.0)  # the waves 1-2 model
    latent = np.clip(means[seg] + shift[seg] + noise, 1.0, 7.0)
    centre, spread = base.mean(axis=0), base.std(axis=0)
    z, z_base = (latent - centre) / spread, (base - centre) / spread

    # -- context, timing, answers -------------------------------------------------------
    context = _context(rng, seg)
    first_day, days = _WAVES[wave]
    start = np.datetime64(first_day) + rng.integers(0, days, size=n)
    order = np.lexsort((rng.random(n), start))  # the export is sorted by start date
    seg, base, latent, z, z_base, start = seg[order], base[order], latent[order], z[order], z_base[order], start[order]
    context = tuple(c[order] for c in context)
    duration = _durations(rng, n)
    items = _battery(rng, latent)
    comp = _competitor(rng, base)  # Verdalia did not change
    outs = _outcomes(rng, z, z_base)
    weight = _poststratify(context[3], context[2])  # channel x stage

    # -- ordinary non-response only ---------------------------------------------------------
    items[rng.random(items.shape) < BLANK_RATE] = np.nan
    comp[rng.random(n) < COMPETITOR_UNKNOWN] = np.nan
    _dont_know(rng, items, comp, outs, np.ones(n, dtype=bool))

    id_text = [str(i) for i in range(wave * 10000 + 1, wave * 10000 + 1 + n)]
    text_items = {c: _fmt_int(items[:, j]) for j, c in enumerate(_item_columns())}
    survey = _export(id_text, np.full(n, wave), start, duration, context, text_items, comp, outs, weight)
    survey = add_instruments(survey, np.array(names)[seg], [random_state, INSTRUMENT_STREAM], slips=False)
    truth = _truth_frame(id_text, np.array(names)[seg], latent, [""] * n)

    # -- exact re-submissions, a row or three after the original -------------------------
    dup = np.sort(rng.choice(n, size=WAVE_DUPLICATES, replace=False))
    where = dup + 1 + rng.integers(0, 3, size=len(dup))
    pos = np.concatenate([np.arange(n) + 0.0, where - 0.5])
    extra_t = truth.iloc[dup].assign(planted_dirt="duplicate_exact")
    order = np.argsort(pos, kind="stable")
    survey = pd.concat([survey, survey.iloc[dup]], ignore_index=True).iloc[order].reset_index(drop=True)
    truth = pd.concat([truth, extra_t], ignore_index=True).iloc[order].reset_index(drop=True)
    truth.insert(0, "row", np.arange(1, len(truth) + 1))
    for c in survey.columns:
        survey[c] = survey[c].astype("str")
    truth["destroyed"] = truth["destroyed"].astype(bool)

    if reference is None:
        reference = make_demo_survey()[1]
    realised = {(c["segment"], c["block"]): (latent - base)[seg == names.index(c["segment"]),
                                                             BLOCKS.index(c["block"])].mean()
                for c in changes}
    meta = _wave_meta(survey, truth, reference, changes, realised, n=n, wave=wave, random_state=random_state)
    return survey, truth, meta


def _wave_meta(survey: pd.DataFrame, truth: pd.DataFrame, reference: pd.DataFrame, changes: list[dict],
               realised: dict, *, n: int, wave: int, random_state: int) -> dict:
    """Truth metadata of a later wave, measured on the generated data."""
    # long: one record of measured facts, key by key, as _demo_meta
    first = truth["planted_dirt"] != "duplicate_exact"
    ref = reference[~reference["planted_dirt"].astype(str).str.startswith("duplicate")]
    ref_destroyed = ref["destroyed"].astype(str).str.lower().eq("true")
    planted = {(c["segment"], c["block"]) for c in changes}
    segments = {}
    unchanged = []
    for name, spec in SEGMENTS.items():
        now = truth.loc[first & (truth["segment"] == name)]
        before = ref.loc[ref["segment"] == name]
        m3 = now[list(BLOCKS)].mean()
        m12 = before[list(BLOCKS)].astype(float).mean()
        diff = m3 - m12
        unchanged += [abs(diff[b]) for b in BLOCKS if (name, b) not in planted]
        segments[name] = {
            "label": spec["label"],
            "n": int(len(now)),
            "n_reference": int(len(before)),
            "latent_means": {
                "reference": {b: round(float(m12[b]), 3) for b in BLOCKS},
                f"wave_{wave}": {b: round(float(m3[b]), 3) for b in BLOCKS},
                "difference": {b: round(float(diff[b]), 3) for b in BLOCKS},
            },
            "destroyed_share": {"reference": round(float(ref_destroyed[before.index].mean()), 4),
                                f"wave_{wave}": round(float(now["destroyed"].mean()), 4)},
        }
    seven = _item_columns() + list(_COMPARISONS.values()) + ["out_value", "out_sat", "out_rep"]
    values = pd.DataFrame({c: _numeric(survey, c) for c in seven})
    value_cols = _item_columns()
    return {
        "name": f"Casa Aurora customer value survey, wave {wave} (synthetic)",
        "generator": "valuekit.datasets.demo.make_demo_wave",
        "seed": int(random_state),
        "wave": int(wave),
        "fieldwork": {"start": _WAVES[wave][0], "days": _WAVES[wave][1]},
        "n_respondents": int(n),
        "n_rows": int(len(survey)),
        "respondent_ids": {"first": wave * 10000 + 1, "last": wave * 10000 + n},
        "reference": "waves 1-2 (demo_survey.csv, demo_truth.csv): the same model without the changes",
        "planted_changes": [
            {"segment": c["segment"], "block": c["block"], "shift": float(c["shift"]),
             "realised_shift": round(float(realised[(c["segment"], c["block"])]), 3),
             "items": [it[0] for it in _ITEMS if it[1] == c["block"]],
             **({"story": c["story"]} if "story" in c else {})}
            for c in changes
        ],
        "shift_applies_to": ("the segment's latent mean of the block, before clipping to 1-7; realised_shift "
                             "is the mean change of the segment's clipped latent scores in this wave"),
        "unchanged": ("every other segment x block mean, the within-segment covariance, segment shares, "
                      "context distributions (world view, purchase reason, stage, channel), the answer "
                      "model, the outcome weights, non-response rates and the weighting population"),
        "follows_from_the_changes": (
            "the items of the changed blocks, benefits, sacrifices, value ratio and the destroyed share of "
            "the changed segments (and hence of the whole sample), and the outcomes, which follow the "
            "changed latent scores through the planted outcome weights (standardised on the unchanged "
            "model). Verdalia's ratings follow the unchanged latent scores: the competitor did not change."),
        "max_unchanged_difference": round(float(max(unchanged)), 3),
        "segments": segments,
        "destroyed_share": round(float(truth.loc[first, "destroyed"].mean()), 4),
        "dirt": {
            "rows": {"duplicate_exact": int((truth["planted_dirt"] == "duplicate_exact").sum())},
            "exact_duplicate_rows": int(survey.duplicated().sum()),
            "dont_know_9_cells": int((values == 9).sum().sum()),
            "dont_know_99_out_nps": int((_numeric(survey, "out_nps") == 99).sum()),
            "blank_answer_cells": int((survey[value_cols] == "").sum().sum()),
            "other": "none: no speeders, straight-liners, out-of-range or non-numeric entries, blank ids",
        },
        "competitor_unknown_share": round(float((values[list(_COMPARISONS.values())].isna().all(axis=1)
                                                 & first).sum() / n), 4),
        "duration_s_median": float(_numeric(survey, "duration_s").median()),
        "weight_mean": round(float(_numeric(survey, "weight").mean()), 4),
    }


def make_null_survey(n: int = 2000, *, random_state: int = 0) -> pd.DataFrame:
    """A survey of the demo's shape in which nothing is there to find.

    One population, no segments: every respondent's nine latent block scores come from a
    single normal distribution with the demo's overall mean and overall covariance (the
    planted segments' between- plus within-segment covariance, so the answers have the
    demo's spread), and the outcomes are drawn independently of everything else (no real
    drivers). Context columns are drawn from the demo's pooled mix, independent of the
    answers; weights post-stratify channel x stage as in the demo. No planted dirt: every
    row is a clean respondent. The price and Kano questions are the demo's, with one
    willingness to pay for everyone (the hassled pragmatists') and no slips.

    The null test of the playbook (``tests/test_playbook.py``) runs the whole analysis on
    many such surveys and counts how often a recommendation is issued anyway.

    Returns
    -------
    DataFrame
        Numeric answers, in the columns of ``valuekit/datasets/data/demo_codebook.yaml``.

    Examples
    --------
    >>> survey = make_null_survey(300, random_state=1)
    >>> survey.shape
    (300, 77)
    """
    rng = np.random.default_rng(random_state)
    p = np.array([s["share"] for s in SEGMENTS.values()])
    means = np.array([s["means"] for s in SEGMENTS.values()])
    between, within = latent_covariance()
    noise = rng.standard_normal((n, len(BLOCKS))) @ np.linalg.cholesky(between + within).T
    latent = np.clip(p @ means + noise, 1.0, 7.0)

    def pick(options, probs):
        pooled = p @ np.array(probs)
        return np.array(options)[rng.choice(len(options), size=n, p=pooled / pooled.sum())]

    channel, stage = pick(_CHANNELS, _CHANNEL_P), pick(_STAGES, _STAGE_P)
    cell = pd.Series([f"{c}|{s}" for c, s in zip(channel, stage)])
    share = cell.map(cell.value_counts(normalize=True)).to_numpy()
    target = cell.map({f"{c}|{s}": q for (c, s), q in _POPULATION.items()}).to_numpy()
    items = _battery(rng, latent)
    comp = _competitor(rng, latent)
    comp[rng.random(n) < COMPETITOR_UNKNOWN] = np.nan
    outs = _outcomes(rng, rng.standard_normal((n, len(BLOCKS))))  # unrelated to the answers
    survey = pd.DataFrame({
        "respondent_id": np.arange(1, n + 1),
        "wave": rng.integers(1, 3, size=n),
        "start_date": "2025-03-03",
        "duration_s": np.rint(np.exp(rng.normal(np.log(MEDIAN_DURATION), 0.2, size=n))),
        "world_view": pick(_WORLD_VIEWS, _WORLD_VIEW_P),
        "purchase_reason": pick(_REASONS, _REASON_P),
        "stage": stage,
        "channel": channel,
        **{c: items[:, j] for j, c in enumerate(_item_columns())},
        **{c: comp[:, j] for j, c in enumerate(_COMPARISONS.values())},
        **{spec["column"]: outs[:, j] for j, spec in enumerate(OUTCOMES.values())},
        "weight": target / share,
    })
    instruments = add_instruments(survey.iloc[:, :0], np.full(n, "hassled_pragmatists"),
                                  [random_state, INSTRUMENT_STREAM], slips=False)
    return pd.concat([survey, instruments.apply(pd.to_numeric)], axis=1)


def _numeric(survey: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(survey[col].where(survey[col] != ""), errors="coerce")


def _demo_meta(survey: pd.DataFrame, truth: pd.DataFrame, *, n: int, random_state: int) -> dict:
    """Truth metadata, with every count measured on the generated data."""
    # long: one record of measured facts, key by key in the order of the truth file
    seven = _item_columns() + list(_COMPARISONS.values()) + ["out_value", "out_sat", "out_rep"]
    clean = truth["planted_dirt"] == ""
    first = ~truth["planted_dirt"].str.startswith("duplicate")  # one row per respondent
    values = pd.DataFrame({c: _numeric(survey, c) for c in seven})
    nps = _numeric(survey, "out_nps")
    in_range = values.isin(range(1, 8))
    out_of_range = values.notna() & ~in_range & (values != 9)
    non_numeric = sum(int(((survey[c] != "") & _numeric(survey, c).isna()).sum()) for c in seven)
    dur = _numeric(survey, "duration_s")
    value_cols = _item_columns()
    vals = values[value_cols]
    straight = (vals.notna().all(axis=1) & (vals.nunique(axis=1) == 1))

    segments = {}
    for name, spec in SEGMENTS.items():
        m = first & (truth["segment"] == name)
        segments[name] = {
            "label": spec["label"],
            "planned_share": spec["share"],
            "n": int(m.sum()),
            "mean_profile": {b: v for b, v in zip(BLOCKS, spec["means"])},
            "destroyed_share": round(float(truth.loc[m, "destroyed"].mean()), 4),
        }
    ids = survey["respondent_id"]
    dup_ids = ids[(ids != "") & ids.duplicated(keep=False)]
    dirt_rows = {k: int(truth["planted_dirt"].str.startswith(k).sum()) for k in DIRT_COUNTS}
    return {
        "name": "Casa Aurora customer value survey (synthetic)",
        "generator": "valuekit.datasets.demo.make_demo_survey",
        "seed": int(random_state),
        "n_respondents": int(n),
        "n_rows": int(len(survey)),
        "n_clean_rows": int(clean.sum()),
        "scale": {"min": 1, "max": 7},
        "latent_model": {
            "blocks": list(BLOCKS),
            "separation_floor": SEPARATION_FLOOR, "halo_cov": HALO_COV,
            "facet_sd": FACET_SD, "item_sd": ITEM_SD,
            "benefits": "mean of the four latent benefit scores",
            "sacrifices": "mean of the five latent sacrifice scores",
            "destroyed": "sacrifices > benefits (value ratio < 1)",
            "reverse_items": [it[0] for it in _ITEMS if it[3]],
        },
        "segments": segments,
        "destroyed_share": round(float(truth.loc[first, "destroyed"].mean()), 4),
        "outcome_columns": {o: spec["column"] for o, spec in OUTCOMES.items()},
        "outcome_weights_apply_to": "standardised latent block scores (z over respondents)",
        "outcome_weights": {o: dict(w) for o, w in OUTCOME_WEIGHTS.items()},
        "competitor": {
            "name": "Verdalia",
            "shift": dict(COMPETITOR_SHIFT),
            "unknown_share": round(float((values[list(_COMPARISONS.values())].isna().all(axis=1)
                                          & first & (truth["planted_dirt"] != "all_blank")).sum() / n), 4),
        },
        "dirt": {
            "rows": dirt_rows,
            "dont_know_9_cells": int((values == 9).sum().sum()),
            "dont_know_9_cells_clean_rows": int((values[clean] == 9).sum().sum()),
            "dont_know_99_out_nps": int((nps == 99).sum()),
            "out_of_range_cells": int(out_of_range.sum().sum()),
            "non_numeric_cells": non_numeric,
            "non_numeric_column": _NON_NUMERIC_COLUMN,
            "duplicate_ids": int(dup_ids.nunique()),
            "exact_duplicate_rows": int(survey.duplicated().sum()),
            "straight_liners": int(straight.sum()),
            "speeders": int((dur < 0.3 * dur.median()).sum()),
            "speeder_rule": "duration_s < 0.3 * median(duration_s)",
            "all_blank_rows": int(vals.isna().all(axis=1).sum()),
            "blank_ids": int((ids == "").sum()),
            "blank_answer_cells": int((survey.loc[~truth["planted_dirt"].eq("all_blank"), value_cols]
                                       == "").sum().sum()),
        },
        "duration_s_median": float(dur.median()),
        "weight_mean": round(float(_numeric(survey, "weight").mean()), 4),
        "instruments": instrument_truth({s: spec["share"] for s, spec in SEGMENTS.items()}),
    }


# -- codebooks ------------------------------------------------------------------------
def demo_codebook() -> dict:
    """The Casa Aurora codebook as a mapping (what ``valuekit/datasets/data/demo_codebook.yaml`` holds).

    Examples
    --------
    >>> from valuekit.survey.codebook import read_codebook
    >>> cb = read_codebook(demo_codebook())
    >>> cb.dimensions, len(cb.value_items), cb.competitor
    (['functional', 'economic', 'experiential', 'symbolic'], 29, 'Verdalia')
    """
    benefits: dict = {}
    sacrifices: dict = {}
    for col, block, facet, *_ in _ITEMS:
        target = benefits if block in BENEFIT_BLOCKS else sacrifices
        if facet is None:
            target.setdefault(block, []).append(col)
        else:
            target.setdefault(block, {}).setdefault(facet, []).append(col)
    items: dict = {}
    for col, _b, _f, reverse, text, en, es, it in _ITEMS:
        items[col] = {"text": text, "label": {"en": en, "es": es, "it": it}}
        if reverse:
            items[col]["reverse"] = True
    by_col = {it[0]: it for it in _ITEMS}
    for ours, theirs in _COMPARISONS.items():
        text, en, es, it = by_col[ours][4:8]
        text = text.replace(" here", " at Verdalia").replace("Casa Aurora", "Verdalia")
        items[theirs] = {"text": f"(About Verdalia) {text}",
                         "label": {"en": f"{en} (Verdalia)", "es": f"{es} (Verdalia)", "it": f"{it} (Verdalia)"}}
    for name, spec in OUTCOMES.items():
        text, en, es, it = _OUTCOME_TEXT[name]
        items[spec["column"]] = {"text": text, "label": {"en": en, "es": es, "it": it}}
    items["out_nps"].update({"scale": {"min": 0, "max": 10}, "missing_codes": [99]})
    instruments = instrument_codebook()
    items.update(instruments["items"])
    return {
        "name": "Casa Aurora customer value survey",
        "description": ("Synthetic demo survey of a home-and-garden retailer (stores and online "
                        "shop). Agreement items on a 1-7 scale, 9 = don't know; competitor "
                        "ratings of Verdalia; generated by valuekit.datasets.demo."),
        "id": "respondent_id",
        "scale": {"min": 1, "max": 7},
        "missing_codes": [9],
        "weight": "weight",
        "completion_time": "duration_s",
        "benefits": benefits,
        "sacrifices": sacrifices,
        "comparisons": {"competitor": "Verdalia", "items": dict(_COMPARISONS)},
        "context": {"world_view": ["world_view"], "situation": ["purchase_reason", "stage", "channel"]},
        "outcomes": {name: spec["column"] for name, spec in OUTCOMES.items()},
        **instruments["sections"],
        "items": items,
        # the scale's ends as the questionnaire words them (charts write them at the ends of the scale)
        "labels": {"scale_1": {"en": "Strongly disagree", "es": "Totalmente en desacuerdo",
                               "it": "Per niente d'accordo"},
                   "scale_7": {"en": "Strongly agree", "es": "Totalmente de acuerdo", "it": "Completamente d'accordo"},
                   # the waves by their fieldwork month (trend charts name them so)
                   "wave_1": {"en": "March 2025", "es": "Marzo 2025", "it": "Marzo 2025"},
                   "wave_2": {"en": "September 2025", "es": "Septiembre 2025", "it": "Settembre 2025"},
                   "wave_3": {"en": "March 2026", "es": "Marzo 2026", "it": "Marzo 2026"},
                   **instruments["labels"]},
    }


# -- Clínica Sonrisa ------------------------------------------------------------------
# (column, block, facet, reverse, Spanish text, es / en / it labels)
_CLINIC_ITEMS: list[tuple] = [
    ("p01_resultado", "functional", "reliability", False,
     "El tratamiento resolvió mi problema dental.",
     "Resultado del tratamiento", "Treatment result", "Risultato del trattamento"),
    ("p02_diagnostico", "functional", "reliability", False,
     "El diagnóstico fue claro y acertado.",
     "Diagnóstico claro", "Clear diagnosis", "Diagnosi chiara"),
    ("p03_cita_facil", "functional", "ease_of_use", False,
     "Conseguir cita fue fácil.",
     "Cita fácil", "Easy booking", "Prenotazione facile"),
    ("p04_precio_justo", "economic", None, False,
     "El precio es justo para lo que recibo.",
     "Precio justo", "Fair price", "Prezzo giusto"),
    ("p05_financiacion", "economic", None, False,
     "Las opciones de pago y financiación me convienen.",
     "Financiación", "Payment options", "Opzioni di pagamento"),
    ("p06_trato", "experiential", "interactions", False,
     "El trato del personal es cercano y amable.",
     "Trato cercano", "Friendly care", "Trattamento cordiale"),
    ("p07_explicaciones", "experiential", "interactions", False,
     "El dentista me explica bien lo que va a hacer.",
     "Buenas explicaciones", "Good explanations", "Buone spiegazioni"),
    ("p08_instalaciones", "experiential", "ambience", False,
     "Las instalaciones son limpias y agradables.",
     "Instalaciones", "Premises", "Struttura"),
    ("p09_espera", "time", None, False,
     "Espero mucho en la sala de espera.",
     "Espera larga", "Long wait", "Lunga attesa"),
    ("p10_desplazamiento", "time", None, False,
     "Llegar a la clínica me cuesta mucho tiempo.",
     "Desplazamiento", "Travel time", "Tempo di viaggio"),
    ("p11_coste", "money", None, False,
     "Los tratamientos me suponen un gasto importante.",
     "Gasto importante", "Significant expense", "Spesa importante"),
    ("p12_nervios", "emotional", None, False,
     "Las visitas me producen nervios y ansiedad.",
     "Nervios", "Anxiety", "Ansia"),
    ("p13_tranquilidad", "emotional", None, True,
     "Me siento tranquilo y bien atendido durante la visita.",
     "Tranquilidad (inv.)", "Feel at ease (rev.)", "Tranquillità (inv.)"),
    ("p14_riesgo", "risk", None, False,
     "Me preocupa que el tratamiento salga mal.",
     "Riesgo de fallo", "Risk of failure", "Rischio di insuccesso"),
]
_CLINIC_BLOCKS = ("functional", "economic", "experiential", "time", "money", "emotional", "risk")
_CLINIC_MEANS = (7.4, 5.6, 7.8, 4.2, 5.8, 3.8, 3.0)  # 0-10 scale
_CLINIC_OUTCOMES = {
    "satisfaction": ("p15_satisfaccion", "En general, ¿qué grado de satisfacción tiene con la clínica? (0-10)",
                     "Satisfacción", "Satisfaction", "Soddisfazione",
                     {"functional": 0.35, "experiential": 0.30, "emotional": -0.15, "time": -0.10,
                      "economic": 0.05, "money": -0.03, "risk": -0.02}),
    "recommend": ("p16_recomendaria", "¿Con qué probabilidad recomendaría la clínica a un familiar o amigo? (0-10)",
                  "Recomendaría", "Would recommend", "Raccomanderei",
                  {"experiential": 0.35, "functional": 0.28, "economic": 0.12, "money": -0.10,
                   "time": -0.08, "emotional": -0.05, "risk": -0.03}),
}
_CLINIC_CHANNELS = ("teléfono", "web", "WhatsApp", "en persona")
_CLINIC_REASONS = ("revisión", "limpieza", "urgencia", "ortodoncia", "estética")
_CLINIC_SITES = ("Centro", "Teatinos", "El Palo")


def make_clinic_survey(n: int = 300, *, random_state: int = 7) -> pd.DataFrame:
    """Generate the Clínica Sonrisa patient survey (text columns, as exported).

    One latent model, no segments: each block score (0-10) is a clinic-wide mean plus
    person noise; items add noise; satisfaction and recommendation are weighted sums of
    the standardised block scores plus noise. Dirt: about 2 % "no sabe" (99) answers,
    one out-of-range 11 and one repeated ``id_paciente``.

    Parameters
    ----------
    n : int, default 300
        Number of patients; the export has one more row (the duplicate id).
    random_state : int, default 7
        Seed of the generator.

    Returns
    -------
    DataFrame
        All columns text, decimals already written with a comma (``importe_ultima_visita``,
        e.g. ``"45,50"``), dates as ``dd/mm/yyyy``. :func:`write_demo_data` writes it with
        ``;`` separators in cp1252.

    Examples
    --------
    >>> df = make_clinic_survey(50, random_state=1)
    >>> len(df), int(df["id_paciente"].duplicated().sum())
    (51, 1)
    """
    if n < 20:
        raise ValueError(f"n must be at least 20, got n={n!r}")
    rng = np.random.default_rng(random_state)
    k = len(_CLINIC_BLOCKS)
    latent = np.clip(np.array(_CLINIC_MEANS) + rng.normal(0.0, 1.3, size=(n, k))
                     + rng.normal(0.0, 0.6, size=(n, 1)) * np.array([1, 1, 1, -1, -1, -1, -1]), 0, 10)
    z = (latent - latent.mean(axis=0)) / latent.std(axis=0)
    items = np.empty((n, len(_CLINIC_ITEMS)))
    for j, (_, block, _f, reverse, *_r) in enumerate(_CLINIC_ITEMS):
        x = _answer(rng, latent[:, _CLINIC_BLOCKS.index(block)], 1.1, 0, 10)
        items[:, j] = 10 - x if reverse else x
    outs = {}
    for name, (col, *_t, weights) in _CLINIC_OUTCOMES.items():
        lin = z @ np.array([weights[b] for b in _CLINIC_BLOCKS])
        outs[col] = _answer(rng, 7.6 + 1.7 * lin / lin.std(), 0.9, 0, 10)
    values = np.column_stack([items, *outs.values()])
    values[rng.random(values.shape) < 0.02] = 99
    i, j = rng.integers(n), rng.integers(len(_CLINIC_ITEMS))
    values[i, j] = 11

    ids = np.array([f"CS-{i:04d}" for i in rng.permutation(np.arange(1, n + 1) * 7 + 1000)[:n]])
    dates = np.datetime64("2025-01-13") + np.sort(rng.integers(0, 120, size=n))
    df = pd.DataFrame({
        "id_paciente": ids,
        "fecha_visita": [pd.Timestamp(d).strftime("%d/%m/%Y") for d in dates],
        "sede": np.array(_CLINIC_SITES)[rng.choice(3, size=n, p=[0.5, 0.3, 0.2])],
        "canal_cita": np.array(_CLINIC_CHANNELS)[rng.choice(4, size=n, p=[0.45, 0.25, 0.2, 0.1])],
        "motivo": np.array(_CLINIC_REASONS)[rng.choice(5, size=n, p=[0.35, 0.25, 0.15, 0.15, 0.10])],
        "tipo_paciente": np.where(rng.random(n) < 0.7, "habitual", "nuevo"),
        **{c: _fmt_int(values[:, j]) for j, c in enumerate([it[0] for it in _CLINIC_ITEMS] + list(outs))},
        "importe_ultima_visita": [f"{v:.2f}".replace(".", ",")
                                  for v in np.round(np.exp(rng.normal(np.log(60), 0.7, size=n)) * 2) / 2],
    })
    dup = df.iloc[[int(rng.integers(n // 2, n))]].copy()
    dup["fecha_visita"] = df["fecha_visita"].iloc[-1]
    df = pd.concat([df, dup], ignore_index=True)
    for c in df.columns:
        df[c] = df[c].astype("str")
    return df


def clinic_codebook() -> dict:
    """The Clínica Sonrisa codebook as a mapping (``valuekit/datasets/data/clinic_codebook.yaml``).

    Examples
    --------
    >>> from valuekit.survey.codebook import read_codebook
    >>> cb = read_codebook(clinic_codebook())
    >>> cb.dimensions, cb.sacrifices, cb.weight
    (['functional', 'economic', 'experiential'], ['time', 'money', 'emotional', 'risk'], None)
    """
    benefits: dict = {}
    sacrifices: dict = {}
    items: dict = {}
    for col, block, facet, reverse, text, es, en, it in _CLINIC_ITEMS:
        target = benefits if block in BENEFIT_BLOCKS else sacrifices
        if facet is None:
            target.setdefault(block, []).append(col)
        else:
            target.setdefault(block, {}).setdefault(facet, []).append(col)
        items[col] = {"text": text, "label": {"es": es, "en": en, "it": it}}
        if reverse:
            items[col]["reverse"] = True
    outcomes = {}
    for name, (col, text, es, en, it, _w) in _CLINIC_OUTCOMES.items():
        outcomes[name] = col
        items[col] = {"text": text, "label": {"es": es, "en": en, "it": it}}
    return {
        "name": "Clínica Sonrisa: encuesta de pacientes",
        "description": ("Encuesta sintética de una clínica dental. Escala 0-10, 99 = no sabe / "
                        "no contesta. CSV con ';', coma decimal y codificación cp1252 (Latin-1)."),
        "id": "id_paciente",
        "scale": {"min": 0, "max": 10},
        "missing_codes": [99],
        "benefits": benefits,
        "sacrifices": sacrifices,
        "context": {"situation": ["motivo", "canal_cita", "tipo_paciente"]},
        "outcomes": outcomes,
        "items": items,
        "labels": {"scale_0": {"es": "Nada de acuerdo", "en": "Completely disagree", "it": "Per niente d'accordo"},
                   "scale_10": {"es": "Totalmente de acuerdo", "en": "Completely agree", "it": "Completamente d'accordo"}},
    }


# -- writing --------------------------------------------------------------------------
def _yaml(data: dict, header: str) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    return header + body


def _csv(df: pd.DataFrame, *, sep: str = ",", lineterminator: str = "\n") -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, sep=sep, lineterminator=lineterminator)
    return buf.getvalue()


def write_demo_data(directory: str | Path = DATA_DIR) -> dict[str, Path]:
    """Write every bundled data file into ``directory`` (deterministic).

    Writes ``demo_survey.csv``, ``demo_codebook.yaml``, ``demo_truth.csv``,
    ``demo_truth.yaml``, the third wave ``demo_wave3.csv`` with ``demo_wave3_truth.csv``
    and ``demo_wave3_truth.yaml`` (:func:`make_demo_wave`), ``clinic_survey.csv``,
    ``clinic_codebook.yaml`` and ``README.md``. Running it twice gives byte-identical
    files.

    Parameters
    ----------
    directory : str or Path, default ``valuekit.config.DATA_DIR``
        Target folder, created if needed.

    Returns
    -------
    dict of str to Path
        File name to the path written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    survey, truth, meta = make_demo_survey()
    wave3, truth3, meta3 = make_demo_wave(reference=truth)
    clinic = make_clinic_survey()

    def truth_csv(frame: pd.DataFrame) -> bytes:
        out = frame.copy()
        out["destroyed"] = out["destroyed"].map({True: "true", False: "false"})
        return _csv(out).encode("utf-8")

    gen = "# Generated by `python -m valuekit.datasets.demo` (valuekit/datasets/demo.py); do not edit by hand.\n"
    files = {
        "demo_survey.csv": _csv(survey).encode("utf-8"),
        "demo_codebook.yaml": _yaml(demo_codebook(), gen).encode("utf-8"),
        "demo_truth.csv": truth_csv(truth),
        "demo_truth.yaml": _yaml(meta, gen).encode("utf-8"),
        "demo_wave3.csv": _csv(wave3).encode("utf-8"),
        "demo_wave3_truth.csv": truth_csv(truth3),
        "demo_wave3_truth.yaml": _yaml(meta3, gen).encode("utf-8"),
        "clinic_survey.csv": _csv(clinic, sep=";", lineterminator="\r\n").encode("cp1252"),
        "clinic_codebook.yaml": _yaml(clinic_codebook(), gen).encode("utf-8"),
        "README.md": _readme(meta, clinic, meta3).encode("utf-8"),
    }
    written = {}
    for name, content in files.items():
        path = directory / name
        path.write_bytes(content)
        written[name] = path
    return written


def _readme(meta: dict, clinic: pd.DataFrame, wave_meta: dict) -> str:
    # long: the data README as one template, written in the order of the file it makes
    d = meta["dirt"]
    w = wave_meta
    wk = f"wave_{w['wave']}"
    planted = {(c["segment"], c["block"]) for c in w["planted_changes"]}
    change_rows = "\n".join(
        f"| {SEGMENTS[c['segment']]['label']} | {c['block']} | {c['story']} | {c['shift']:+g} | "
        f"{c['realised_shift']:+.2f} | {w['segments'][c['segment']]['latent_means']['difference'][c['block']]:+.2f} | "
        + ", ".join(f"`{i}`" for i in c["items"]) + " |"
        for c in w["planted_changes"]
    )
    wave_rows = "\n".join(
        f"| {s['label']} | {s['n']} | "
        + " | ".join((f"**{v:+.2f}**" if (name, b) in planted else f"{round(v, 2) + 0.0:+.2f}")
                     for b, v in s["latent_means"]["difference"].items())
        + f" | {s['destroyed_share']['reference']:.1%} -> {s['destroyed_share'][wk]:.1%} |"
        for name, s in w["segments"].items()
    )
    seg_rows = "\n".join(
        f"| {s['label']} | {s['planned_share']:.0%} | {s['n']} | "
        + " | ".join(f"{v:g}" for v in s["mean_profile"].values())
        + f" | {s['destroyed_share']:.1%} |"
        for s in meta["segments"].values()
    )
    weights = "\n".join(
        f"| {name} (`{meta['outcome_columns'][name]}`) | " + ", ".join(f"{b} {w:+g}" for b, w in ws.items()) + " |"
        for name, ws in meta["outcome_weights"].items()
    )
    shifts = ", ".join(f"{b} {v:+g}" for b, v in meta["competitor"]["shift"].items())
    c_items = [it[0] for it in _CLINIC_ITEMS] + [v[0] for v in _CLINIC_OUTCOMES.values()]
    c_vals = clinic[c_items]
    c99 = int((c_vals == "99").sum().sum())
    c11 = int((c_vals == "11").sum().sum())
    cdup = int(clinic["id_paciente"].duplicated().sum())
    r = d["rows"]
    return f"""# Bundled data

Everything in this folder is **synthetic** and regenerated by `python -m valuekit.datasets.demo`
(`valuekit/datasets/demo.py`, `write_demo_data()`); running it twice gives byte-identical files,
and `tests/datasets/test_demo.py` checks that the committed files are exactly what the generator
writes. There are no names, e-mails or other personal data. Raw files are never edited
by hand: the audit step cleans a copy.

| file | what it is |
|---|---|
| `demo_survey.csv` | Casa Aurora customer survey export: {meta['n_rows']} rows ({meta['n_respondents']} respondents plus {r['duplicate_exact'] + r['duplicate_id']} duplicate rows), comma-separated, UTF-8, blanks for unanswered items |
| `demo_codebook.yaml` | its codebook (`valuekit.read_codebook`): 29 benefit and sacrifice items, 14 Verdalia comparison items, 4 outcomes, context, weight, completion time, the pricing, Gabor–Granger and Kano sections, labels en/es/it |
| `demo_truth.csv` | the generator's ground truth, one row per survey row in the same order: `row`, `respondent_id`, `segment`, the nine latent block scores, `benefits`, `sacrifices`, `value_ratio`, `destroyed`, `planted_dirt` |
| `demo_truth.yaml` | seed, sizes, segment profiles, planted outcome weights, competitor shifts and the count of every kind of planted dirt |
| `demo_wave3.csv` | wave {w['wave']} of the same survey ({w['fieldwork']['start']}, {w['fieldwork']['days']} days) with planted changes: {w['n_rows']} rows ({w['n_respondents']} respondents plus {w['dirt']['rows']['duplicate_exact']} exact duplicate rows), same columns, format and codebook as `demo_survey.csv` |
| `demo_wave3_truth.csv` | its ground truth, in the columns of `demo_truth.csv` (latent scores after the changes) |
| `demo_wave3_truth.yaml` | the planted changes (machine-readable), and per segment the realised latent means of wave {w['wave']} against waves 1-2 |
| `clinic_survey.csv` | Clínica Sonrisa patient survey: {len(clinic)} rows, `;`-separated, decimal comma, cp1252 (Latin-1), 0-10 scale |
| `clinic_codebook.yaml` | its codebook, in Spanish, labels es/en/it |

## Casa Aurora (`demo_survey.csv`)

A fictional home-and-garden retailer with stores and an online shop; competitor
*Verdalia*. Seed {meta['seed']}. Columns: `respondent_id`, `wave` (1 = March, 2 =
September 2025; 3 = March 2026 in `demo_wave3.csv`), `start_date` (ISO date), `duration_s` (seconds), context
(`world_view`, `purchase_reason`, `stage`, `channel`), the benefit items (`fun_*`,
`eco_*`, `exp_*`, `sym_*`) and sacrifice items (`sac_*`) on a 1-7 agreement scale
(9 = don't know), Verdalia ratings (`cmp_*`, same scale; blank for the
{meta['competitor']['unknown_share']:.1%} who do not know Verdalia), outcomes `out_value`,
`out_sat`, `out_rep` (1-7) and `out_nps` (0-10, 99 = don't know), and `weight`
(post-stratification on channel x stage; mean {meta['weight_mean']}).
Reverse-keyed items (stored answer = 8 - agreement with the positive meaning):
{', '.join(f'`{c}`' for c in meta['latent_model']['reverse_items'])}.

After `weight`, the price and attribute questions about the store's best-selling drill
(`valuekit/datasets/instruments.py`, drawn from their own random stream): Van Westendorp's
`price_too_cheap`, `price_cheap`, `price_expensive`, `price_too_expensive` (whole euros, a
few written with the euro sign), the Newton–Miller–Smith `buy_at_cheap` and
`buy_at_expensive` (1-5), a Gabor–Granger ladder `gg_49` ... `gg_89` (1 = would buy, 2 =
not), and Kano pairs `kano_<service>_f` / `_d` (1 like ... 5 dislike) for five services.
Planted: the price points {', '.join(f"{k} {v:g}" for k, v in meta['instruments']['price_points'].items())};
the best rung {meta['instruments']['gabor_granger']['best_price']}; the Kano categories
{', '.join(f"{a} {v['category']}" for a, v in meta['instruments']['kano'].items())}; and slips
(swapped cheap and expensive prices, blanks, answers against the ladder, half Kano pairs) at
the rates in `demo_truth.yaml`.

### The latent model

Each respondent belongs to one of four segments. Their latent score on each of the nine
blocks (1-7) is the segment mean plus multivariate normal noise, clipped to 1-7. The
within-segment covariance is shaped (`valuekit.datasets.demo.latent_covariance`) so that segments
are tight along the directions that separate them (variance
{meta['latent_model']['separation_floor']}) while, across all respondents, the blocks have
equal variance and correlate only through a mild halo (covariance
{meta['latent_model']['halo_cov']} among benefits and among sacrifices). An item answer is
the block score plus a facet deviation (sd {meta['latent_model']['facet_sd']}) plus item
noise (sd {meta['latent_model']['item_sd']}), rounded and clipped to 1-7. Benefits = mean
of the four benefit blocks, sacrifices = mean of the five sacrifice blocks; value is
**destroyed** when sacrifices > benefits.

| segment | planned | respondents | functional | economic | experiential | symbolic | time | money | energy | emotional | risk | destroyed |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
{seg_rows}

Value is destroyed for {meta['destroyed_share']:.1%} of respondents overall.

Outcomes are linear in the standardised latent block scores with these planted weights
(sacrifices negative; the rank order of absolute weights is strict), plus noise, rounded
to the outcome's scale:

| outcome | weights |
|---|---|
{weights}

Verdalia = the same latent person plus a shift per block: {shifts}
(cheaper, less experiential).

### Planted dirt

Rows with dirt are named in `demo_truth.csv` (`planted_dirt`); all other rows are clean.

| dirt | count |
|---|---|
| "don't know" 9 in 1-7 answers (cells; {d['dont_know_9_cells_clean_rows']} of them in clean rows) | {d['dont_know_9_cells']} |
| "don't know" 99 in `out_nps` (cells) | {d['dont_know_99_out_nps']} |
| out-of-range entries (8, 0, 11, 17, 44, 77) on 1-7 items (cells, one per row) | {d['out_of_range_cells']} |
| non-numeric entries ("seven", ...) in `{d['non_numeric_column']}` (this column reads as text) | {d['non_numeric_cells']} |
| duplicate respondent ids ({r['duplicate_exact']} exact duplicate rows, {r['duplicate_id']} same id with other answers) | {d['duplicate_ids']} |
| straight-liners (one answer to every benefit and sacrifice item) | {d['straight_liners']} |
| speeders ({d['speeder_rule']}; median {meta['duration_s_median']:g} s) | {d['speeders']} |
| rows with every benefit and sacrifice item blank | {d['all_blank_rows']} |
| rows with a blank `respondent_id` | {d['blank_ids']} |
| ordinary blank answers in the benefit and sacrifice battery, outside the all-blank rows (cells, not dirt) | {d['blank_answer_cells']} |

Clean rows: {meta['n_clean_rows']}. Genuine completion times are lognormal with median
about {MEDIAN_DURATION / 60:g} minutes.

## Casa Aurora, wave {w['wave']} (`demo_wave3.csv`)

A later wave for tracking (`valuekit.datasets.demo.make_demo_wave`, seed {w['seed']}): `wave` = {w['wave']},
fieldwork from {w['fieldwork']['start']} for {w['fieldwork']['days']} days, respondent ids {w['respondent_ids']['first']}-{w['respondent_ids']['last']} (no
overlap with waves 1-2). Same columns, format and codebook as `demo_survey.csv`; the same
segments with the same shares, latent model, answer model, context distributions and
post-stratification (channel x stage, the same population; mean weight {w['weight_mean']}) as
waves 1-2, except for two planted changes, one bad and one good. The shift is added to the
segment's latent mean of the block before clipping to 1-7; *realised* is the mean change
of that segment's clipped latent scores against the same respondents without the change,
*vs waves 1-2* the difference of the segment's latent means between the files (sampling
noise included). `demo_wave3_truth.yaml` lists them under `planted_changes`.

| segment | block | change | shift | realised | vs waves 1-2 | items |
|---|---|---|---|---|---|---|
{change_rows}

What follows from the changes: the changed segments' benefits, sacrifices, value ratio and
destroyed share (and so the whole sample's), and the outcomes, which follow the changed
latent scores through the planted outcome weights. Verdalia's ratings do not change (the
competitor did nothing). Everything else is as in waves 1-2; the remaining differences are
sampling noise (at most {w['max_unchanged_difference']:.2f} on the latent scale).

Latent means, wave {w['wave']} minus waves 1-2 (planted changes in bold), and the destroyed share:

| segment | respondents | functional | economic | experiential | symbolic | time | money | energy | emotional | risk | destroyed |
|---|---|---|---|---|---|---|---|---|---|---|---|
{wave_rows}

Dirt: only ordinary non-response ({w['dirt']['blank_answer_cells']} blank answers in the benefit and sacrifice
battery, {w['dirt']['dont_know_9_cells']} "don't know" 9, {w['dirt']['dont_know_99_out_nps']} "don't know" 99 in `out_nps`, {w['competitor_unknown_share']:.1%} who do not
know Verdalia) and {w['dirt']['exact_duplicate_rows']} exact duplicate rows (re-submissions, `duplicate_exact` in
`demo_wave3_truth.csv`); no speeders, straight-liners, out-of-range or non-numeric
entries, blank ids or blank batteries.

## Clínica Sonrisa (`clinic_survey.csv`)

A fictional dental clinic, a survey of another kind: Spanish column names (`p01_resultado`,
...), a 0-10 scale with 99 = no sabe / no contesta, three benefit dimensions (functional,
economic, experiential; no symbolic), four sacrifices (time, money, emotional, risk; no
energy), outcomes `p15_satisfaccion` and `p16_recomendaria` (0-10), context `motivo`,
`canal_cita` (values such as "teléfono"), `tipo_paciente`, and extras `fecha_visita`
(dd/mm/yyyy), `sede` and `importe_ultima_visita` (euros, decimal comma, e.g. "45,50").
No competitor ratings, no weight, no completion time. `p13_tranquilidad` is reverse-keyed
(10 - x). Read it with `pd.read_csv(path, sep=";", decimal=",", encoding="cp1252")`.

Dirt: {c99} answers coded 99, {c11} out-of-range 11, {cdup} repeated `id_paciente`.
"""


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m valuekit.datasets.demo [DIRECTORY]`` regenerates the data files."""
    parser = argparse.ArgumentParser(prog="python -m valuekit.datasets.demo", description=main.__doc__)
    parser.add_argument("directory", nargs="?", default=str(DATA_DIR), help="target folder (default: valuekit/datasets/data/)")
    args = parser.parse_args(argv)
    for name, path in write_demo_data(args.directory).items():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
