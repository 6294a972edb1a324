"""What-if levers as data: what each lever moves, how, how far, and what it assumes.

A lever belongs to the survey being analysed, not to Python. It is written in a small
YAML file (or in a ``levers:`` section of the codebook) and names

* what it **moves**: items, benefit dimensions or sacrifices (every item of the block), or
  facets (``experiential.interactions``) of the codebook, optionally with a weight per
  unit of the lever;
* **how** it moves them:

  - ``points``: adds ``value x weight`` points to each item, on the item's own scale, in
    the direction of what the item measures (more benefit, or more sacrifice: for a
    reverse-keyed item the answer moves the other way);
  - ``percent``: changes the distance of each item above the bottom of its scale by
    ``value x weight`` percent (a price cut of 10 % takes 10 % off the money sacrifice);
  - ``lift_lowest``: brings the worst ``value`` percent of customers on these items (the
    lowest on a benefit, the highest on a sacrifice; survey-weighted) to ``target``, a
    point of the items' own scale in the direction of what they measure;

  a lever whose range would take answers off the scale is refused: at its ends a points
  lever must move each item by less than the width of its scale, and a percent lever by
  -100 % to +100 % (``limits`` in ``valuekit/survey/levers.yaml``);

* its **range** (which must include 0: no change) and **step** (at most 10,000 slider
  positions across the range, ``limits.max_positions``; the slider's readout shows the
  step's decimals), its **labels** in
  English, Spanish and Italian, the **value-management lever** of seed 000 it belongs to
  (``perception``, ``unlock``, ``offer``, ``partner``, ``networks``, ``new_customers``),
  and in ``assumes`` the assumptions an analyst can read and dispute; optionally its
  **unit** (text, or text per language; by default points, % or % of customers, translated).

An example (``valuekit/datasets/data/demo_levers.yaml`` has the demo retailer's full set)::

    levers:
      staff:
        label: {en: Staff training, es: Formación del personal, it: Formazione del personale}
        value_lever: offer
        how: points
        moves: {experiential.interactions: 1, emotional: -0.5}
        range: [-2, 2]
        step: 0.25
        assumes: One point more on the staff items takes half a point off the emotional cost.

Without a lever file, :func:`default_levers` derives one lever per benefit dimension and
per sacrifice (or per facet, or per item) from the codebook, labelled from its labels and
question text; the recipe (ranges, steps, the lever of each block) is in
``valuekit/survey/levers.yaml``.

Applying levers to answers and rescoring is :class:`valuekit.decide.scenario.ScenarioEngine`'s
job; this module only reads, validates and describes them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.yamlfile import read_file as _read_file
from ..errors import LeverError, ParameterError
from .codebook import LANGUAGES, Codebook
from .codebook import _UniqueKeyLoader as _CodebookLoader
from .codebook import read_codebook
from .leverspec import HOW, LEVER_RECIPES, VALUE_LEVERS, Lever, LeverSet, positions_arg

__all__ = ["Lever", "LeverSet", "LeverError", "read_levers", "default_levers", "HOW", "VALUE_LEVERS"]


class _UniqueKeyLoader(_CodebookLoader):
    """The codebook's bounded safe loader, refusing a lever name or key given twice."""

    message = "lever key '{key}' appears twice in one mapping (line {line}); lever names and keys must be unique"


def _codebook_arg(codebook: Any) -> Any:
    """``codebook`` if it can be read as one (a Codebook, a mapping or a file path)."""
    if isinstance(codebook, (Codebook, dict)) or (isinstance(codebook, (str, os.PathLike))
                                                  and str(codebook).strip()):
        return codebook
    shown = repr(codebook) if len(repr(codebook)) <= 80 else repr(codebook)[:77] + "..."
    raise ParameterError(f"codebook: expected a Codebook, a parsed codebook mapping or a codebook file path, "
                         f"got {shown}", name="codebook")


@share_docs
def read_levers(path: str | Path | dict | LeverSet | None, codebook: Codebook | str | Path, *,
                by: str = "block", max_positions: int | None = None) -> LeverSet:
    """The levers of a survey: from a file, a mapping, the codebook, or derived from it.

    Parameters
    ----------
    path : path, dict, LeverSet or None
        A YAML lever file (read with :func:`valuekit._validate.yamlfile.read_file`: the safe loader,
        UTF-8, UTF-16/32 or Windows-1252 text, at most 4 MiB; a key given twice is an
        error), a parsed mapping, or ``None``: the codebook's ``levers:`` section when it
        has one, else :func:`default_levers`.
    {codebook}
    by : {"block", "facet", "item"}
        For derived levers only: one lever per block, per facet, or per item.
    max_positions : int, optional
        The most positions a slider may have (``(high - low) / step``); default
        ``limits.max_positions`` of ``valuekit/survey/levers.yaml`` (10,000). A finer step is refused.

    Raises
    ------
    LeverError
        The file is missing, not YAML, or a key is wrong or given twice; or it is refused:
        bigger than 4 MiB, nesting deeper than 50 levels, or aliases expanding to more than
        1,000,000 values. The message names the file and the key
        (``lever key 'levers.price.range': ...``).
    ParameterError
        ``path`` or ``codebook`` of the wrong type (e.g. a number), ``by`` not one of
        block, facet, item, or ``max_positions`` not a positive whole number.

    Examples
    --------
    >>> from valuekit import DEMO_CODEBOOK, DATA_DIR
    >>> levers = read_levers(DATA_DIR / "demo_levers.yaml", DEMO_CODEBOOK)
    >>> levers["price"].how, levers["price"].low, levers["price"].high
    ('percent', -50.0, 50.0)
    >>> read_levers({"levers": {"x": {"how": "points", "moves": ["ambience"], "range": [-1, 1],
    ...                               "value_lever": "offer"}}}, DEMO_CODEBOOK)
    Traceback (most recent call last):
    ...
    valuekit.errors.LeverError: <levers>: lever key 'levers.x.moves.ambience': 'ambience' is not a benefit or sacrifice item, block or facet of codebook demo_codebook.yaml (did you mean 'experiential.ambience'?); it has blocks [...]
    """
    if not (path is None or isinstance(path, (LeverSet, dict))):
        path = _check.path("path", path)  # a lever file: not a number, not empty
    _check.choice("by", by, ("block", "facet", "item"))
    max_positions = positions_arg(max_positions)
    cb = read_codebook(_codebook_arg(codebook))
    if isinstance(path, LeverSet):
        return path
    if path is None:
        if cb.levers:
            return LeverSet.from_dict(cb.levers, cb, source=f"{cb.source} (levers)", max_positions=max_positions)
        return default_levers(cb, by=by)
    if isinstance(path, dict):
        return LeverSet.from_dict(path, cb, max_positions=max_positions)
    spec = _read_file(path, what="lever file", error=LeverError, json_=False, loader=_UniqueKeyLoader)
    return LeverSet.from_dict(spec, cb, source=path.name, max_positions=max_positions)


def _range(recipe: dict, scale_width: float) -> tuple[float, float, float]:
    if "range" in recipe:
        low, high = recipe["range"]
        return float(low), float(high), float(recipe["step"])
    step = recipe["step"]
    reach = max(step, float(round(scale_width * recipe["range_share"])))  # whole points
    return -reach, reach, step


@share_docs
def default_levers(codebook: Codebook | str | Path, *, by: str = "block") -> LeverSet:
    """One lever per benefit dimension and per sacrifice (or per facet, or per item).

    Benefits move by points on their items' scale, sacrifices by a percentage of their
    distance above the bottom of the scale; the ranges, steps and the value-management
    lever of each block come from ``valuekit/survey/levers.yaml``. Labels come from the codebook:
    its labels for blocks and facets, each item's label or question text for items, so a
    rail survey's item lever reads "Trains run on time".

    >>> from valuekit import DEMO_CODEBOOK
    >>> levers = default_levers(DEMO_CODEBOOK)
    >>> [lv.name for lv in levers][:5], levers["money"].how, levers["money"].label("es")
    (['functional', 'economic', 'experiential', 'symbolic', 'time'], 'percent', 'Dinero')
    >>> default_levers(DEMO_CODEBOOK, by="item")["fun_rel_1"].label()
    'Products last'

    Raises :class:`~valuekit.errors.ParameterError` for a ``by`` other than block, facet
    or item, or a ``codebook`` that is not a Codebook, mapping or path.

    Parameters
    ----------
    {codebook}
    by : {"block", "facet", "item"}, default "block"
        One lever per block (dimension or sacrifice), per facet, or per item.
    """
    _check.choice("by", by, ("block", "facet", "item"))
    cb = read_codebook(_codebook_arg(codebook))
    spec: dict[str, dict] = {}
    for block in cb.dimensions + cb.sacrifices:
        role = "benefit" if block in cb.dimensions else "sacrifice"
        recipe = {**LEVER_RECIPES[role], **LEVER_RECIPES.get("blocks", {}).get(block, {})}
        items = cb.block_items(block)
        if by == "item" or (by == "facet" and len(items) == 1):
            groups = [(item, [item]) for item in items]
        elif by == "facet" and any(cb.items[i].facet for i in items):
            facets: dict[str, list[str]] = {}
            for i in items:
                facets.setdefault(f"{block}.{cb.items[i].facet}" if cb.items[i].facet else i, []).append(i)
            groups = list(facets.items())
        else:
            groups = [(block, items)]
        for target, members in groups:
            width = min(cb.items[i].scale.max - cb.items[i].scale.min for i in members)
            low, high, step = _range(recipe, width)
            name = target.replace(".", "__")
            key = target.split(".")[-1] if target not in cb.items else target
            labels = {lang: cb.label(key, lang) for lang in LANGUAGES}
            spec[name] = {"label": labels, "how": recipe["how"], "moves": [target], "range": [low, high],
                          "step": step, "value_lever": recipe["value_lever"],
                          "assumes": recipe["assumes"].strip(),
                          "description": ", ".join(cb.label(i) for i in members)}
    return LeverSet.from_dict({"name": "default levers", "levers": spec}, cb, source="default levers")
