"""What we found: the few sentences a report page opens with, written from its results.

Each function takes the results a notebook computed and returns :class:`Findings`: three
to six sentences in the survey's language, each stating a number with its evidence (n, an
interval or an adjusted p, an effect size), or saying plainly that nothing passes the
evidence bar where that is the truth. The wording is data (``findings.yaml``); the numbers
are written as the reader tables write them (:func:`valuekit.present.reader.format_number`);
every label from a file is Markdown-escaped (:func:`valuekit.survey.labels.md_text`).

In a notebook, the cell showing the findings is tagged ``findings``: the reader edition
moves it to the top of the page (:mod:`valuekit.present.edition`), where a manager reads
first; the analyst's notebook keeps it where the results are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate.args import expected_error, frame_arg
from .._validate.yamlfile import loads
from ..evidence import DEFAULT_EVIDENCE, Evidence, settings_arg
from ..survey.codebook import Codebook
from ..survey.labels import lang_arg, md_text
from .reader import _READER, format_number

__all__ = ["Findings", "value_findings", "destroyed_findings", "driver_findings", "FINDINGS_TEXT"]

#: The sentences, by key and language (``findings.yaml``).
FINDINGS_TEXT: dict = loads(Path(__file__).with_name("findings.yaml").read_text(encoding="utf-8"))

@dataclass(frozen=True)
class Findings:
    """The sentences a page opens with.

    Attributes
    ----------
    sentences : tuple of str
        Markdown, labels escaped.
    heading : str
        "What we found", in the page's language.
    """

    sentences: tuple[str, ...]
    heading: str = "What we found"

    def __post_init__(self):
        object.__setattr__(self, "sentences", tuple(s[:1].upper() + s[1:] for s in self.sentences))

    def _repr_markdown_(self) -> str:
        return f"### {self.heading}\n\n" + "\n".join(f"- {s}" for s in self.sentences) + "\n"

    def __repr__(self) -> str:
        return self.heading + "\n" + "\n".join(f"- {s}" for s in self.sentences)


def _say(key: str, lang: str, **values) -> str:
    words = FINDINGS_TEXT[key]
    return (words.get(lang) or words["en"]).format(**values)


def _num(value, kind: str, lang: str) -> str:
    return format_number(value, kind, lang)


def _signed(value, kind: str, lang: str) -> str:
    text = _num(value, kind, lang)
    return text if text.startswith(("-", "−", "—")) else "+" + text


def _interval(low, high, kind: str, lang: str) -> str:
    between = _READER["words"]["between"][lang]
    return f"[{_num(low, kind, lang)}{between}{_num(high, kind, lang)}]"


def _p(value, lang: str) -> str:
    text = _num(value, "p", lang)
    return text if text.startswith("<") else "= " + text


def _label(name, codebook: Codebook | None, lang: str) -> str:
    """A name's label from the codebook (a column id without one, spaced), Markdown-escaped."""
    label = codebook.label(str(name), lang, shorten=False) if codebook is not None else str(name)
    return md_text(label.replace("_", " ") if label == str(name) else label)


def _measure(row, lang: str) -> str:
    """A compared measure as a sentence names it: by its role (the share destroyed) or its label."""
    words = FINDINGS_TEXT["measure_names"].get(str(row["measure"]))
    if words:
        return words.get(lang) or words["en"]
    return md_text(row["label"])


def _diff(row, lang: str) -> tuple[str, str]:
    """A difference and its interval: scale points for means, percentage points for shares."""
    if row["statistic_type"] != "share":
        return _signed(row["diff"], "decimal", lang), _interval(row["ci_low"], row["ci_high"], "decimal", lang)
    low, high = (format_number(v * 100, "decimal", lang, digits=1) for v in (row["ci_low"], row["ci_high"]))
    between = _READER["words"]["between"][lang]
    diff = format_number(row["diff"] * 100, "decimal", lang, digits=1)
    return f"{diff if diff.startswith('-') else '+' + diff} {_say('points', lang)}", f"[{low}{between}{high}]"


def _heading(lang: str) -> str:
    return _say("heading", lang)


def _group_sentence(row, grouping: str, lang: str, names: dict | None = None) -> str:
    """One group against the rest on one measure, with its evidence (``grouping``: escaped)."""
    kind = "percent" if row["statistic_type"] == "share" else "decimal"
    group = names.get(row["group"], row["group"]) if names else row["group"]
    diff, interval = _diff(row, lang)
    return _say("group_differs", lang, group=md_text(group), grouping=grouping, measure=_measure(row, lang),
                group_value=_num(row["group_value"], kind, lang), rest_value=_num(row["rest_value"], kind, lang),
                diff=diff, interval=interval, effect_name=_say_effect(row["effect_size"], lang),
                effect=_signed(row["effect"], "decimal", lang), p=_p(row["p_adj"], lang), n=_num(row["n"], "count", lang))


def _say_effect(name: str, lang: str) -> str:
    words = FINDINGS_TEXT["effect_names"].get(str(name))
    return (words.get(lang) or words["en"]) if words else md_text(name)


def _bar(comparisons: pd.DataFrame, lang: str) -> dict:
    attrs = comparisons.attrs
    return {"alpha": _num(attrs.get("alpha", np.nan), "decimal", lang).rstrip("0").rstrip(".,") or "0",
            "min_effect": _num(attrs.get("min_effect", np.nan), "decimal", lang),
            "n_tests": _num(attrs.get("n_tests", len(comparisons)), "count", lang)}


@share_docs
def value_findings(summary: pd.DataFrame, destroyed: pd.DataFrame, *, reliability: pd.DataFrame | None = None,
                   comparisons: pd.DataFrame | None = None, settings: Evidence | dict | None = None,
                   codebook: Codebook | None = None, lang: str = "en") -> Findings:
    """What the value equation found (notebook 02): for how many value is destroyed and
    created, whether every block is measured reliably, and which context groups differ on
    the share destroyed.

    Parameters
    ----------
    summary : DataFrame
        :func:`valuekit.summarize_value` (its ``all`` row).
    destroyed : DataFrame
        :func:`valuekit.share_destroyed` for everyone (one group): the share with its interval.
    reliability : DataFrame, optional
        :func:`valuekit.reliability`.
    comparisons : DataFrame, optional
        :func:`valuekit.analyse.significance.compare_groups` of the context groups on
        ``share_destroyed``: its findings are stated, or that there are none.
    {settings}
        Its ``min_alpha``: a block below it is named, to be read with care.
    {codebook}
    {lang}

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    frame_arg("summary", summary, "a summarize_value table")
    frame_arg("destroyed", destroyed, "a share_destroyed table")
    row, whole = summary.loc["all"], destroyed.iloc[0]
    out = [_say("value_share", lang, destroyed=_num(whole["share_destroyed"], "percent", lang),
                interval=_interval(whole["ci_low"], whole["ci_high"], "percent", lang),
                n=_num(row["n_scored"], "count", lang), created=_num(row["share_created"], "percent", lang))]
    if reliability is not None:
        out.append(_reliability_sentence(frame_arg("reliability", reliability, "a reliability table"),
                                         settings_arg(settings)["min_alpha"], codebook, lang))
    if comparisons is not None:
        out += _comparison_sentences(frame_arg("comparisons", comparisons, "a compare_groups table"), codebook, lang)
    return Findings(tuple(out), _heading(lang))


def _reliability_sentence(table: pd.DataFrame, floor: float, codebook: Codebook | None, lang: str) -> str:
    alpha = table.set_index("block")["alpha"]
    weak = alpha[alpha < floor]
    if weak.empty:
        return _say("reliable", lang, low=_num(alpha.min(), "decimal", lang), high=_num(alpha.max(), "decimal", lang))
    return _say("unreliable", lang, blocks=", ".join(_label(b, codebook, lang) for b in weak.index),
                floor=_num(floor, "decimal", lang),
                values=", ".join(_num(v, "decimal", lang) for v in weak.to_numpy()))


def _comparison_sentences(comparisons: pd.DataFrame, codebook: Codebook | None, lang: str) -> list[str]:
    """The three strongest findings among the groups, then one sentence for the groupings
    with none."""
    found = comparisons[comparisons["finding"]].sort_values("effect", key=np.abs, ascending=False)
    out = [_group_sentence(r, _label(r["grouping"], codebook, lang), lang) for _, r in found.head(3).iterrows()]
    quiet = [g for g in dict.fromkeys(comparisons["grouping"]) if g not in set(found["grouping"])]
    if quiet:
        groupings = _say("list_and", lang).join(_label(g, codebook, lang).lower() for g in quiet)
        measures = ", ".join(dict.fromkeys(_measure(r, lang) for _, r in comparisons.iterrows()))
        out.append(_say("no_group_differs", lang, grouping=groupings, measures=measures, **_bar(comparisons, lang)))
    return out


@share_docs
def destroyed_findings(versus_rest: pd.DataFrame, *, structure: dict | None = None, names: dict | None = None,
                       lang: str = "en") -> Findings:
    """Where value is destroyed (notebook 04): the segments losing value more than the rest,
    each with its heaviest sacrifice against the rest, or that none does.

    Segments cut from one population always differ on what they were cut on; when the
    structure test says they are not distinct, no segment is singled out.

    Parameters
    ----------
    versus_rest : DataFrame
        :func:`valuekit.analyse.significance.compare_groups` of the segments on
        ``share_destroyed`` and the sacrifices.
    structure : dict, optional
        :func:`valuekit.analyse.segments.segment_structure` of the segments.
    {names}
    {lang}

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    table = frame_arg("versus_rest", versus_rest, "a compare_groups table")
    names = names or {}
    if structure is not None and not structure["distinct"]:
        return Findings((_say("segments_not_distinct", lang, spread=_num(structure["cluster_index"], "decimal", lang),
                              null=_num(structure["null_mean"], "decimal", lang), p=_p(structure["p"], lang),
                              n=_num(structure["n"], "count", lang)),), _heading(lang))
    shares = table[(table["measure"] == "share_destroyed") & table["finding"] & (table["diff"] > 0)]
    out = []
    for _, row in shares.sort_values("diff", ascending=False).head(3).iterrows():
        diff, interval = _diff(row, lang)
        name = names.get(row["group"], "")
        out.append(_say("segment_loses", lang, segment=md_text(row["group"]), name=f" ({md_text(name)})" if name else "",
                        group_value=_num(row["group_value"], "percent", lang), n=_num(row["n"], "count", lang),
                        rest_value=_num(row["rest_value"], "percent", lang), diff=diff, interval=interval,
                        effect=_signed(row["effect"], "decimal", lang), p=_p(row["p_adj"], lang)))
        heavier = table[(table["group"] == row["group"]) & (table["kind"] == "sacrifice") & table["finding"]
                        & (table["diff"] > 0)]
        if len(heavier):
            top = heavier.loc[heavier["effect"].abs().idxmax()]
            out.append(_say("heaviest_sacrifice", lang, sacrifice=md_text(top["label"]),
                            group_value=_num(top["group_value"], "decimal", lang),
                            rest_value=_num(top["rest_value"], "decimal", lang),
                            diff=_signed(top["diff"], "decimal", lang),
                            interval=_interval(top["ci_low"], top["ci_high"], "decimal", lang),
                            effect=_signed(top["effect"], "decimal", lang), p=_p(top["p_adj"], lang)))
    if not out:
        out.append(_say("no_segment_loses", lang, **_bar(table[table["measure"] == "share_destroyed"], lang)))
    return Findings(tuple(out), _heading(lang))


@share_docs
def driver_findings(drivers: pd.DataFrame, *, value_map: pd.DataFrame | None = None, competitor: str | None = None,
                    settings: Evidence | dict | None = None, codebook: Codebook | None = None,
                    lang: str = "en") -> Findings:
    """What drives the outcome and how we compare (notebook 05): the strongest drivers
    distinguishable from zero, each with its share of the explained variance and interval,
    and the value advantage against the competitor where its interval excludes zero.

    Parameters
    ----------
    drivers : DataFrame
        :func:`valuekit.key_drivers` for one outcome (``.attrs`` holds its fit).
    value_map : DataFrame, optional
        :func:`valuekit.value_map` with ``n_boot`` (the value advantage's interval), for
        everyone and by segment.
    competitor : str, optional
        The competitor's name.
    {settings}
        Its ``min_r2``: a model explaining less names no driver.
    {codebook}
    {lang}

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    table = frame_arg("drivers", drivers, "a key_drivers table")
    if "group" in table:
        table = table[table["group"] == "all"]
    fit = table.iloc[0]
    outcome = _label(table.attrs.get("outcome", "the outcome"), codebook, lang)
    r2 = f"{_num(fit['r2'], 'decimal', lang)} {_interval(fit['r2_ci_low'], fit['r2_ci_high'], 'decimal', lang)}"
    n = _num(fit["n"], "count", lang)
    floor = settings_arg(settings)["min_r2"]
    if not fit["r2"] >= floor:
        out = [_say("weak_model", lang, outcome=outcome, r2=r2, n=n, floor=_num(floor, "decimal", lang))]
        real = table.iloc[:0]
    else:
        real, out = table[table["distinguishable"]].sort_values("share", ascending=False), []
    out += [_say("driver", lang, driver=_label(row["driver"], codebook, lang), outcome=outcome,
                rank=_say("rank_first" if i == 0 else "rank_next", lang), share=_num(row["share"], "pct", lang),
                interval=_interval(row["ci_low"], row["ci_high"], "pct", lang), r2=r2, n=n)
           for i, (_, row) in enumerate(real.head(2).iterrows())]
    if real.empty and fit["r2"] >= floor:
        out.append(_say("no_driver", lang, outcome=outcome, r2=r2, n=n))
    if value_map is not None:
        out.append(_competitor_sentence(frame_arg("value_map", value_map, "a value_map table"), competitor, lang))
    return Findings(tuple(out), _heading(lang))


def _competitor_sentence(vmap: pd.DataFrame, competitor: str | None, lang: str) -> str:
    if "advantage_ci_low" not in vmap:
        raise expected_error("value_map", "a value_map table with intervals (value_map(..., n_boot=200))", vmap)
    whole = vmap.loc["all"]
    shown = {"competitor": md_text(competitor or vmap.attrs.get("competitor") or "the competitor"),
             "advantage": _signed(whole["value_advantage"], "decimal", lang),
             "interval": _interval(whole["advantage_ci_low"], whole["advantage_ci_high"], "decimal", lang),
             "n": _num(whole["n"], "count", lang)}
    low, high = whole["advantage_ci_low"], whole["advantage_ci_high"]
    if not (low > 0 or high < 0):
        return _say("competitor_none", lang, **shown)
    groups = vmap.drop(index="all")
    groups = groups[groups["n"] >= DEFAULT_EVIDENCE.min_group_n]  # a group too small to judge is not claimed
    beyond = groups["advantage_ci_low"] > 0 if low > 0 else groups["advantage_ci_high"] < 0
    everywhere = len(groups) > 1 and bool(beyond.all())
    position = _say("better_value" if low > 0 else "worse_value", lang)
    return _say("competitor_everywhere" if everywhere else "competitor_overall", lang, position=position, **shown)
