"""Which Kano attributes to take up first: categories beside the importance–performance quadrants.

A Kano category says how an attribute acts on satisfaction; the importance–performance
analysis of the value model (:func:`valuekit.analyse.drivers.importance_performance`) says
how well the block it serves performs now. :func:`kano_priorities` sets each attribute
beside the block the codebook says it serves (``kano: serves:``) and ranks them by the order
in ``valuekit/decide/kano_priorities.yaml``: a must-be attribute on a block performing
below the others comes first, before an attractive one (Matzler & Hinterhuber 1998;
Tontini & Silveira 2007). The order is data a manager may dispute and change.

A rank is withheld, with the reason, when the category is not clear (Fong's test: the two
most frequent categories do not stand apart), when too few answered (``min_group_n``
effective respondents, ``valuekit/evidence.yaml``), when the attribute serves no block, or
when the blocks' driver model does not pass its gate (the evidence floors of
``valuekit/evidence.yaml``), or when the block's importance is not estimated or its effect runs
the wrong way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate import yamlfile as _yaml
from .._validate.args import columns_arg, expected_error, frame_arg, named_as
from ..analyse.drivers import QUADRANTS, importance_performance, model_gate
from ..analyse.kano import KanoResult
from ..errors import ParameterError
from ..evidence import settings_arg
from ..survey.answers import meets_base
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.labels import LANGUAGES, lang_arg

__all__ = ["RULES_FILE", "kano_priorities", "kano_rules"]

#: The shipped order (``kano_priorities.yaml``).
RULES_FILE = Path(__file__).with_name("kano_priorities.yaml")
_LOW = {QUADRANTS[(True, False)], QUADRANTS[(False, False)]}
_HIGH = {QUADRANTS[(True, True)], QUADRANTS[(False, True)]}


def _texts(value, key: str) -> dict[str, str]:
    """An action's words: one text, or a mapping of language to text (English required)."""
    if isinstance(value, str) and value.strip():
        return {lang: value for lang in LANGUAGES}
    if isinstance(value, Mapping) and isinstance(value.get("en"), str) and value["en"].strip():
        return {lang: str(value.get(lang) or value["en"]) for lang in LANGUAGES}
    raise expected_error(key, "a text, or a mapping of language to text with at least 'en'", value)


def kano_rules(rules=None) -> dict:
    """The order :func:`kano_priorities` ranks by, read and checked.

    Parameters
    ----------
    rules : str, Path, mapping or None
        A YAML file or a mapping shaped like ``valuekit/decide/kano_priorities.yaml``
        (``order``: a list of ``category`` (A, O or M), ``performance`` (low or high) and
        ``action``; ``not_ranked``: a text for I, R and Q); None: that file.

    Returns
    -------
    dict
        ``order``: a list of ``((category, performance), {lang: action})``;
        ``not_ranked``: ``{category: {lang: text}}``.
    """
    with named_as("rules"):
        return _read_rules(rules)


def _read_rules(rules) -> dict:
    if rules is None or isinstance(rules, (str, Path)):
        rules = _yaml.read_file(RULES_FILE if rules is None else rules, what="Kano priorities file",
                                error=ParameterError)
    if not isinstance(rules, Mapping) or not isinstance(rules.get("order"), list) or not rules["order"]:
        raise expected_error("rules", "a mapping with 'order' (a list of category, performance and action) and "
                             "'not_ranked'", rules)
    order, seen = [], set()
    for i, step in enumerate(rules["order"]):
        key = f"rules.order[{i}]"
        if not isinstance(step, Mapping) or step.get("category") not in ("A", "O", "M") or step.get(
                "performance") not in ("low", "high"):
            raise expected_error(key, "a mapping with category (A, O or M), performance (low or high) and action",
                                 step)
        pair = (step["category"], step["performance"])
        if pair in seen:
            raise ParameterError(f"{key}: {pair} is ranked twice", name="rules")
        seen.add(pair)
        order.append((pair, _texts(step.get("action"), f"{key}.action")))
    missing = [(c, p) for c in ("M", "O", "A") for p in ("low", "high") if (c, p) not in seen]
    if missing:
        raise ParameterError(f"rules.order: no rank for {missing}; every must-be, one-dimensional and attractive "
                             "attribute on a low and on a high block needs one", name="rules")
    not_ranked = rules.get("not_ranked")
    if not isinstance(not_ranked, Mapping) or sorted(not_ranked) != ["I", "Q", "R"]:
        raise expected_error("rules.not_ranked", "a mapping of I, R and Q to what is said of them", not_ranked)
    return {"order": order, "not_ranked": {c: _texts(v, f"rules.not_ranked.{c}") for c, v in not_ranked.items()}}


def _args(result, drivers, scores, codebook, weights, serves, settings, lang):
    if not isinstance(result, KanoResult):
        raise expected_error("result", "a KanoResult (valuekit.analyse.kano.kano)", result)
    if "group" in result.table.columns:
        raise ParameterError("result: a Kano result per group (by=); pass one for the whole sample, or one group's",
                             name="result")
    drivers = frame_arg("drivers", drivers, "a key_drivers table of the value model's blocks")
    columns_arg("drivers", ["driver", "model_p", "adj_r2"], {"drivers": drivers})
    if "group" in drivers.columns and drivers["group"].nunique() > 1:
        raise ParameterError("drivers: a table of several groups (by=); pass one group's", name="drivers")
    codebook = codebook_arg("codebook", codebook)
    settings = settings_arg(settings)
    ipa = importance_performance(drivers, scores, codebook=codebook, weights=weights)
    serves = result.questions.serves if serves is None else serves
    if serves is not None and not isinstance(serves, Mapping):
        raise expected_error("serves", "a mapping of attributes to the blocks they serve", serves)
    for attribute, block in (serves or {}).items():
        if attribute not in result.table.index:
            raise ParameterError(f"serves[{attribute!r}]: no such attribute; expected one of "
                                 f"{list(result.table.index)}", name="serves")
        _check.text(f"serves[{attribute!r}]", block)
    gate = model_gate(drivers.iloc[0], settings) if len(drivers) else "no driver model"
    return (ipa.drop_duplicates("driver").set_index("driver"), gate, codebook, dict(serves or {}), settings,
            lang_arg(lang))


def _withheld(row: pd.Series, block, ipa: pd.DataFrame, gate: str, settings) -> str:
    """Why an attribute gets no rank ("" when it can have one)."""
    if not meets_base(row["n_eff"], settings["min_group_n"]):
        return f"fewer than {settings['min_group_n']} effective respondents answered both questions"
    if not row["apart"]:
        return "its two most frequent categories do not stand apart (Fong's test): the category is not clear"
    if row["category"] not in ("A", "O", "M"):
        return ""
    if block is None:
        return "it serves no block of the value model (the codebook's kano: serves:)"
    if block not in ipa.index:
        return f"its block ({block}) is not among the drivers"
    if gate:
        return f"the blocks' driver model names no drivers: {gate}"
    if ipa.loc[block, "quadrant"] not in _LOW | _HIGH:
        return f"its block's importance is not estimated ({ipa.loc[block, 'quadrant']})"
    return ""


@survey_first("codebook", "weights")
@share_docs
def kano_priorities(result: KanoResult, drivers: pd.DataFrame, scores: pd.DataFrame, *, codebook: Codebook,
                    weights=None, serves=None, rules=None, settings=None, lang: str = "en") -> pd.DataFrame:
    """Kano categories beside the importance and performance of the blocks they serve, ranked.

    Parameters
    ----------
    result : KanoResult
        :func:`valuekit.analyse.kano.kano` for the whole sample (or one group).
    drivers : DataFrame
        :func:`valuekit.analyse.drivers.key_drivers` of an outcome on the value model's
        blocks, for the sample (or the group) of ``result``. The blocks' importance and
        performance are read from it by
        :func:`~valuekit.analyse.drivers.importance_performance`; where its model does not
        pass its gate (:func:`~valuekit.analyse.drivers.model_gate`: overall test below
        ``alpha``, adjusted R² at ``min_adj_r2``), no attribute is ranked.
    {scores}
    {codebook}
    {weights}
    serves : mapping of attribute to block, optional
        The block each attribute serves; default: the codebook's ``kano: serves:``.
    rules : str, Path or mapping, optional
        The order to rank by (:func:`kano_rules`); default ``kano_priorities.yaml``.
    {settings}
    {lang}

    Returns
    -------
    DataFrame
        One row per attribute: ``attribute``, ``label``, ``n``, ``kano_category`` (the most
        frequent category), ``apart`` (Fong's test), ``strength``,
        ``better``, ``worse`` (with ``_low`` and ``_high``), ``block`` and ``block_label``
        (what it serves), the block's ``quadrant``, ``importance`` and ``performance``,
        ``level`` (``"low"`` or ``"high"``: the block's quadrant), ``priority`` (1 first;
        missing where withheld or not ranked), ``action`` (the rules' words in ``lang``)
        and ``note`` (why a rank is withheld). Ranked first by the rules' order, then by
        the block's importance.
    """
    ipa, gate, codebook, serves, settings, lang = _args(result, drivers, scores, codebook, weights, serves, settings,
                                                        lang)
    order = kano_rules(rules)
    step = {pair: k for k, (pair, _) in enumerate(order["order"])}
    words = dict(order["order"])
    rows = []
    for attribute, row in result.table.iterrows():
        block = serves.get(attribute)
        note = _withheld(row, block, ipa, gate, settings)
        there = block is not None and block in ipa.index
        quadrant = ipa.loc[block, "quadrant"] if there else pd.NA
        level = pd.NA if not there else "low" if quadrant in _LOW else "high" if quadrant in _HIGH else pd.NA
        category = row["category"]
        if note:
            action, rank = pd.NA, None
        elif category in order["not_ranked"]:
            action, rank = order["not_ranked"][category][lang], None
        else:
            action, rank = words[(category, level)][lang], step[(category, level)]
        rows.append({
            "attribute": attribute, "label": codebook.label(attribute, lang), "n": int(row["n"]),
            "kano_category": category, "apart": bool(row["apart"]), "strength": row["strength"],
            **{k: row[k] for k in ("better", "better_low", "better_high", "worse", "worse_low", "worse_high")},
            "block": block if block is not None else pd.NA,
            "block_label": codebook.label(block, lang) if block is not None else pd.NA,
            "quadrant": quadrant, "importance": ipa.loc[block, "importance"] if there else float("nan"),
            "performance": ipa.loc[block, "performance"] if there else float("nan"), "level": level,
            "_rank": rank, "action": action, "note": note})
    out = pd.DataFrame(rows)
    ranked = out["_rank"].notna()
    order_ = out[ranked].sort_values(["_rank", "importance"], ascending=[True, False], kind="stable").index
    out["priority"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out.loc[order_, "priority"] = range(1, len(order_) + 1)
    out = out.drop(columns="_rank")
    first = out.loc[order_].index.tolist() + out.index[~ranked].tolist()
    return out.loc[first].reset_index(drop=True)
