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
from ..analyse.drivers import model_gate
from ..analyse.segments import structure_arg
from ..decide.playbook import RULES, whole_sample_findings
from ..errors import ParameterError
from ..evidence import DEFAULT_EVIDENCE, Evidence, settings_arg
from ..survey.codebook import Codebook
from ..survey.labels import lang_arg, md_text
from .reader import _READER, format_number

__all__ = ["Findings", "value_findings", "destroyed_findings", "driver_findings", "audit_findings", "segment_findings",
           "playbook_findings", "tracking_findings", "model_findings",
           "scenario_findings", "FINDINGS_TEXT"]

#: Each playbook rule's evidence checks: which numbers a recommendation is stated with.
_RULE_CHECKS = {rule.id: rule.checks for rule in RULES}

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
    names = _names(names)
    structure = _structure(structure, optional=True)
    if structure is not None and not structure["distinct"]:
        return Findings((_not_distinct(structure, lang),), _heading(lang))
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
        Its ``alpha`` and ``min_adj_r2``: a model whose overall test is not significant, or
        whose adjusted R² is lower, names no driver (:func:`valuekit.analyse.drivers.model_gate`).
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
    s = settings_arg(settings)
    usable = not model_gate(fit, s)
    if not usable:
        out = [_say("weak_model", lang, outcome=outcome, r2=r2, n=n, p=_p(fit.get("model_p", np.nan), lang),
                    adj=_num(fit.get("adj_r2", np.nan), "decimal", lang))]
        real = table.iloc[:0]
    else:
        real, out = table[table["distinguishable"] == True].sort_values("share", ascending=False), []  # noqa: E712
    out += [_say("driver", lang, driver=_label(row["driver"], codebook, lang), outcome=outcome,
                rank=_say("rank_first" if i == 0 else "rank_next", lang), share=_num(row["share"], "pct", lang),
                interval=_interval(row["ci_low"], row["ci_high"], "pct", lang), r2=r2, n=n)
           for i, (_, row) in enumerate(real.head(2).iterrows())]
    if real.empty and usable:
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


def _structure(structure, optional: bool = False) -> dict | None:
    """A segment_structure result with the numbers a sentence quotes, checked (named when not)."""
    if structure is None and optional:
        return None
    checked = structure_arg(structure)
    if checked is None:
        raise expected_error("structure", "the Series (or dict) of segment_structure", structure)
    missing = [k for k in ("cluster_index", "null_mean", "n") if k not in dict(structure)]
    if missing:
        raise ParameterError(f"structure: {missing} not found; expected the result of segment_structure",
                             name="structure")
    return {**dict(structure), **checked}


def _spread(structure: dict, lang: str) -> dict:
    """The structure test's numbers as the sentences quote them."""
    return {"spread": _num(structure["cluster_index"], "decimal", lang),
            "null": _num(structure["null_mean"], "decimal", lang), "p": _p(structure["p"], lang),
            "n": _num(structure["n"], "count", lang)}


def _not_distinct(structure: dict, lang: str) -> str:
    """That the segments are one continuum, with the structure test's evidence."""
    return _say("segments_not_distinct", lang, **_spread(structure, lang))


def _segment_words(segment, names: dict, lang: str) -> str:
    """'segment 2 (its name)', or 'segment 2' without a name."""
    if segment in names:
        return _say("segment_named", lang, segment=md_text(segment), name=md_text(names[segment]))
    return _say("segment_bare", lang, segment=md_text(segment))


def _names(names) -> dict:
    if names is not None and not isinstance(names, dict):
        raise expected_error("names", "None or a dict of segment: name", names)
    return names or {}


def _value_word(key: str, lang: str) -> str:
    """A code's reader label (``reader.yaml``'s values), lower-cased for a sentence."""
    words = _READER["values"].get(key)
    text = (words.get(lang) or words["en"]) if words else key.replace("_", " ")
    return text[:1].lower() + text[1:]


def _counted(counts: pd.Series, lang: str) -> str:
    """'repeated respondent id: 12; too fast: 9': codes by their reader label, largest first."""
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    return "; ".join(f"{_value_word(str(k), lang)}: {_num(v, 'count', lang)}" for k, v in counts.items())


@share_docs
def audit_findings(audit, *, lang: str = "en") -> Findings:
    """Every row accounted for (notebook 01): how many rows are analysed, how many are
    left out and why, which are flagged but kept, and how many answers were set to missing.

    Parameters
    ----------
    audit : Survey or Audit
        A loaded survey (:func:`valuekit.load_survey`) or its :attr:`~valuekit.Survey.audit`.
    {lang}

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    audit = getattr(audit, "audit", audit)  # a Survey stands for its audit
    rows = getattr(audit, "rows", None)
    if not isinstance(rows, pd.DataFrame) or "status" not in rows:
        raise expected_error("audit", "a Survey or its Audit (Survey.audit)", audit)
    file = md_text(Path(str(audit.info.path)).name if getattr(audit.info, "path", None) else "the file")
    flags = [c for c in rows.columns if rows[c].dtype == bool]
    excluded = rows[rows["status"] == "excluded"]
    if excluded.empty:
        out = [_say("rows_all_kept", lang, rows=_num(len(rows), "count", lang), file=file)]
    else:
        out = [_say("rows_kept", lang, kept=_num(len(rows) - len(excluded), "count", lang),
                    rows=_num(len(rows), "count", lang), file=file, excluded=_num(len(excluded), "count", lang),
                    reasons=_counted(excluded[flags].sum(), lang))]
    kept = rows[rows["status"] == "kept"]
    flagged = kept[flags].any(axis=1)
    if flagged.any():
        out.append(_say("rows_flagged_kept", lang, count=_num(int(flagged.sum()), "count", lang),
                        flags=_counted(kept[flags].sum(), lang)))
    cells = audit.cells
    if len(cells):
        out.append(_say("cells_missing", lang, cells=_num(len(cells), "count", lang),
                        columns=_num(cells["column"].nunique(), "count", lang),
                        problems=_counted(cells["problem"].value_counts(), lang)))
    else:
        out.append(_say("cells_clean", lang))
    return Findings(tuple(out), _heading(lang))


@share_docs
def segment_findings(profiles: pd.DataFrame, *, structure: dict | pd.Series, stability: pd.DataFrame | None = None,
                     lang: str = "en", max_segments: int = 4) -> Findings:
    """The segments (notebook 03): whether the customers form distinct segments at all, and
    if they do, each segment by name with its size, the share of its customers for whom
    value is destroyed and how reliably resampling finds it again.

    Parameters
    ----------
    profiles : DataFrame
        :func:`valuekit.analyse.segments.segment_profiles` (names made with ``structure``).
    structure : dict or Series
        :func:`valuekit.analyse.segments.segment_structure` of the segments: when they are
        no more distinct than slices of one population, no segment is described.
    stability : DataFrame, optional
        :func:`valuekit.analyse.segments.bootstrap_stability`.
    {lang}
    max_segments : int, default 4
        Segments described, largest first; the rest are counted.

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    profiles = frame_arg("profiles", profiles, "a segment_profiles table")
    structure = _structure(structure)
    if not structure["distinct"]:
        return Findings((_not_distinct(structure, lang),), _heading(lang))
    segments = profiles.drop(index="unassigned", errors="ignore").sort_values("n", ascending=False, kind="stable")
    out = [_say("segments_distinct", lang, k=_num(len(segments), "count", lang), **_spread(structure, lang))]
    jaccard = stability.set_index("segment") if stability is not None else None
    for seg, row in segments.head(max_segments).iterrows():
        found = ""
        if jaccard is not None and seg in jaccard.index:
            verdict = FINDINGS_TEXT["stability_verdicts"].get(str(jaccard.loc[seg, "verdict"]), {})
            found = _say("segment_stability", lang, jaccard=_num(jaccard.loc[seg, "jaccard_mean"], "decimal", lang),
                         verdict=verdict.get(lang) or verdict.get("en", ""))
        out.append(_say("segment_is", lang, segment=md_text(seg), name=md_text(row["name"]),
                        n=_num(row["n"], "count", lang), share=_num(row["share"], "percent", lang),
                        destroyed=_num(row.get("share_destroyed", np.nan), "percent", lang), stability=found))
    if len(segments) > max_segments:
        out.append(_say("segments_more", lang, count=_num(len(segments) - max_segments, "count", lang)))
    if "unassigned" in profiles.index and profiles.loc["unassigned", "n"] > 0:
        out.append(_say("segments_unassigned", lang, n=_num(profiles.loc["unassigned", "n"], "count", lang)))
    return Findings(tuple(out), _heading(lang))


def _lever_evidence(row, lang: str) -> str:
    """The numbers a recommendation stands on, those its rule tested (its checks in
    :data:`valuekit.decide.playbook.RULES`): the difference from the rest, the competitor
    test, the share destroyed, or the driver's share of the explained variance."""
    checks = _RULE_CHECKS.get(str(row.get("rule")), ())
    if "difference" in checks:
        return _say("evidence_difference", lang, score=_num(row["score"], "decimal", lang),
                    rest=_num(row["rest_score"], "decimal", lang), effect=_signed(row["effect"], "decimal", lang),
                    p=_p(row["p_adj"], lang))
    if "competitor" in checks:
        return _say("evidence_competitor", lang, ratio=_num(row["vs_competitor"], "decimal", lang),
                    p=_p(row["competitor_p_adj"], lang))
    if "destroyed" in checks:
        return _say("evidence_destroyed", lang, share=_num(row["share_destroyed"], "percent", lang),
                    interval=_interval(row["destroyed_ci_low"], row["destroyed_ci_high"], "percent", lang))
    return _say("evidence_driver", lang, share=_num(row["importance"], "pct", lang), score=_num(row["score"], "decimal", lang),
                interval=_interval(row["importance_ci_low"], row["importance_ci_high"], "pct", lang))


@share_docs
def playbook_findings(recommendations: pd.DataFrame, profiles: pd.DataFrame, *, structure=None,
                      investigate: pd.DataFrame | None = None, lang: str = "en", max_segments: int = 4,
                      groups: pd.DataFrame | None = None, grouping_names: dict | None = None) -> Findings:
    """What to do (notebook 06): for each segment with a recommendation, its strongest lever
    with the numbers it stands on; or that no lever passes the evidence bar.

    Parameters
    ----------
    recommendations : DataFrame
        :func:`valuekit.decide.playbook.analyse`'s ``recommendations``.
    profiles : DataFrame
        Its ``profiles`` (segment names and sizes).
    structure : dict or Series, optional
        Its ``structure``: when the segments are not distinct, that is said first.
    investigate : DataFrame, optional
        Its ``investigate``: counted when nothing is recommended.
    {lang}
    max_segments : int, default 4
        Segments described, by the strength of their best lever; as many groups the survey
        defines.
    groups : DataFrame, optional
        Its ``group_recommendations`` (the groups the survey defines): each group's own
        strongest lever, and once each lever that passes in every group of a grouping (a
        finding for all customers).
    grouping_names : dict, optional
        Groupings' names as the reader sees them (a column's label); default the column
        name, spaced.

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    recs = frame_arg("recommendations", recommendations, "a playbook recommendations table")
    profiles = frame_arg("profiles", profiles, "a segment_profiles table")
    structure = _structure(structure, optional=True)
    groups = None if groups is None else frame_arg("groups", groups, "a playbook group_recommendations table")
    out = []
    if structure is not None and not structure["distinct"]:
        out.append(_not_distinct(structure, lang))
    group_lines = [] if groups is None or groups.empty else _group_findings(groups, grouping_names or {}, lang,
                                                                             max_segments)
    if recs.empty and group_lines:
        return Findings(tuple(out + group_lines), _heading(lang))
    if recs.empty:
        segments = profiles.drop(index="unassigned", errors="ignore")
        out.append(_say("no_lever", lang, n_segments=_num(len(segments), "count", lang),
                        n_signals=_num(0 if investigate is None else len(investigate), "count", lang)))
        return Findings(tuple(out), _heading(lang))
    ranked = recs.assign(_g=recs["grade"].map({"strong": 0, "moderate": 1}).fillna(2),
                         _p=pd.to_numeric(recs["evidence_p"], errors="coerce"))
    ranked = ranked.sort_values(["_g", "_p"], kind="stable", na_position="last")
    for seg in list(dict.fromkeys(ranked["segment"]))[:max_segments]:
        mine = ranked[ranked["segment"] == seg]
        best = mine.iloc[0]
        grade = FINDINGS_TEXT["grades"].get(str(best["grade"]), {})
        lever = FINDINGS_TEXT["levers"].get(str(best["rule"]), {})
        more = _say("lever_more", lang, count=_num(len(mine) - 1, "count", lang)) if len(mine) > 1 else ""
        name = profiles["name"].get(seg, "")
        out.append(_say("lever_for_segment", lang, segment=md_text(seg), name=md_text(name),
                        n=_num(best["n"], "count", lang), lever=lever.get(lang) or md_text(best["lever"]),
                        block=md_text(str(best["label"]).lower()), grade=grade.get(lang) or md_text(best["grade"]),
                        evidence=_lever_evidence(best, lang), more=more))
    return Findings(tuple(out + group_lines), _heading(lang))


def _group_findings(groups: pd.DataFrame, names: dict, lang: str, most: int) -> list[str]:
    """The sentences on the groups the survey defines: each group's own best lever (at most
    ``most``), then each lever passing in every group of a grouping, said once."""
    groups = groups.reset_index(drop=True)
    whole = whole_sample_findings(groups)

    def name(g):  # a grouping's label; its column name, spaced, when it has none
        label = names.get(g)
        return md_text(label if label and label != g else str(g).replace("_", " ").capitalize())

    def words(row, key):
        return FINDINGS_TEXT[key].get(str(row["grade" if key == "grades" else "rule"]), {}).get(lang)

    out = []
    own = groups[~whole].assign(_g=groups["grade"].map({"strong": 0, "moderate": 1}).fillna(2),
                                _p=pd.to_numeric(groups["evidence_p"], errors="coerce"))
    own = own.sort_values(["_g", "_p"], kind="stable", na_position="last")
    for _, best in own.drop_duplicates(["grouping", "segment"]).head(most).iterrows():
        out.append(_say("lever_for_group", lang, grouping=name(best["grouping"]), group=md_text(best["segment"]),
                        n=_num(best["n"], "count", lang), lever=words(best, "levers") or md_text(best["lever"]),
                        block=md_text(str(best["label"]).lower()), grade=words(best, "grades") or md_text(best["grade"]),
                        evidence=_lever_evidence(best, lang)))
    everywhere = groups[whole]
    for (rule, label), rows in everywhere.groupby(["rule", "label"], sort=False):
        lever = FINDINGS_TEXT["levers"].get(str(rule), {}).get(lang) or md_text(rows["lever"].iloc[0])
        listed = ", ".join(name(g).lower() for g in dict.fromkeys(rows["grouping"]))
        out.append(_say("lever_everywhere", lang, lever=lever[:1].upper() + lever[1:],
                        block=md_text(str(label).lower()), groupings=listed))
    return out


def _wave(wave, codebook: Codebook | None, lang: str) -> str:
    """A wave as a sentence names it: the codebook's label of ``wave_<wave>`` (a fieldwork
    month), else "wave 3"."""
    key = f"wave_{wave}"
    if codebook is not None and codebook.label(key, lang) != key:
        return md_text(codebook.label(key, lang))
    return _say("wave_named", lang, wave=md_text(wave))


@share_docs
def tracking_findings(table: pd.DataFrame, *, names: dict | None = None, codebook: Codebook | None = None,
                      lang: str = "en", max_changes: int = 4) -> Findings:
    """What changed between waves (notebook 08): the largest changes that pass the evidence
    bar, each with both values, the difference and its interval, the effect size, the
    adjusted p and each wave's n; then how many passed out of how many comparisons, or
    that none did.

    Parameters
    ----------
    table : DataFrame
        :func:`valuekit.analyse.waves.compare_waves`.
    {names}
    {codebook}
        Its ``wave_<label>`` labels name the waves ("March 2026"); else "wave 3".
    {lang}
    max_changes : int, default 4
        Changes stated, largest effect first; the count covers them all.

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    table = frame_arg("table", table, "a compare_waves table")
    names = _names(names)
    found = table[table["finding"]].sort_values("effect", key=np.abs, ascending=False, kind="stable")
    out = []
    for _, r in found.head(max_changes).iterrows():
        kind = "percent" if r["statistic_type"] == "share" else "decimal"
        who = _say("all_customers", lang) if r["scope"] == "all" else _segment_words(r["group"], names, lang)
        diff, interval = _diff(r, lang)
        out.append(_say("wave_change", lang, who=who, measure=_measure(r, lang).lower(),
                        before=_num(r["baseline_value"], kind, lang), after=_num(r["value"], kind, lang),
                        baseline=_wave(r["baseline"], codebook, lang), wave=_wave(r["wave"], codebook, lang),
                        diff=diff, interval=interval,
                        effect_name=_say_effect(r["effect_size"], lang), effect=_signed(r["effect"], "decimal", lang),
                        p=_p(r["p_adj"], lang), n_baseline=_num(r["n_baseline"], "count", lang),
                        n=_num(r["n"], "count", lang)))
    key = "wave_changes_counted" if len(found) else "no_wave_change"
    out.append(_say(key, lang, count=_num(len(found), "count", lang), **_bar(table, lang)))
    return Findings(tuple(out), _heading(lang))


@share_docs
def model_findings(cfa, *, rivals: pd.DataFrame | None = None, path=None, settings: Evidence | dict | None = None,
                   codebook: Codebook | None = None, lang: str = "en", max_paths: int = 3) -> Findings:
    """Whether the four-dimension model holds (notebook 09): the measurement model's fit
    against the published bars, whether customers tell the blocks apart, whether a simpler
    structure would do, and what overall value rests on.

    Nothing is stated from a solution that is not admissible (a Heywood case, a factor
    correlation matrix that is not positive definite): the sentence says so instead.

    Parameters
    ----------
    cfa : CFAResult
        :func:`valuekit.measure.sem.fit_cfa`.
    rivals : DataFrame, optional
        :func:`valuekit.measure.sem.compare_structures`.
    path : PathResult, optional
        :func:`valuekit.measure.sem.value_path` with a mediator: its strongest paths into it.
    {settings}
        Its ``min_cfi``, ``max_rmsea``, ``max_srmr`` and ``max_htmt``.
    {codebook}
    {lang}
    max_paths : int, default 3
        Paths into the mediator named, strongest first (only those whose interval excludes 0).

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    if not hasattr(cfa, "fit_table") or not hasattr(cfa, "htmt"):
        raise expected_error("cfa", "a fit_cfa result (CFAResult)", cfa)
    s = settings_arg(settings)
    if not cfa.admissible:
        return Findings((_say("model_inadmissible", lang),), _heading(lang))
    fit = cfa.fit_table().iloc[0]
    bars = {"min_cfi": _num(s["min_cfi"], "decimal", lang), "max_rmsea": _num(s["max_rmsea"], "decimal", lang),
            "max_srmr": _num(s["max_srmr"], "decimal", lang)}
    missed = [name for name, bad in (("CFI", fit["cfi"] < s["min_cfi"]), ("RMSEA", fit["rmsea"] > s["max_rmsea"]),
                                     ("SRMR", fit["srmr"] > s["max_srmr"])) if bad]
    shown = {"k": _num(len(cfa.factors), "count", lang), "n": _num(fit["n"], "count", lang),
             "cfi": format_number(fit["cfi"], "decimal", lang, digits=3),
             "rmsea": format_number(fit["rmsea"], "decimal", lang, digits=3),
             "interval": f"[{format_number(fit['rmsea_low'], 'decimal', lang, digits=3)}"
                         f"{_READER['words']['between'][lang]}{format_number(fit['rmsea_high'], 'decimal', lang, digits=3)}]",
             "srmr": format_number(fit["srmr"], "decimal", lang, digits=3), **bars}
    out = [_say("model_misfits", lang, indices=", ".join(missed), **shown) if missed
           else _say("model_fits", lang, **shown)]
    out.append(_htmt_sentence(cfa.htmt, s["max_htmt"], codebook, lang))
    if rivals is not None:
        out.append(_rivals_sentence(frame_arg("rivals", rivals, "a compare_structures table"), lang))
    if path is not None and getattr(path, "mediator", None):
        said = _path_sentence(path, codebook, lang, max_paths)
        if said:
            out.append(said)
    return Findings(tuple(out), _heading(lang))


def _htmt_sentence(htmt: pd.DataFrame, bar: float, codebook, lang: str) -> str:
    """Whether customers tell the blocks apart (HTMT against its bar)."""
    over = htmt[htmt["htmt"] >= bar]
    if len(over):
        pairs = ", ".join(f"{_label(r['factor_a'], codebook, lang).lower()}{_say('list_pair', lang)}"
                          f"{_label(r['factor_b'], codebook, lang).lower()} ({_num(r['htmt'], 'decimal', lang)})"
                          for _, r in over.sort_values("htmt", ascending=False).iterrows())
        return _say("blocks_not_apart", lang, pairs=pairs, bar=_num(bar, "decimal", lang))
    top = htmt.loc[htmt["htmt"].idxmax()]
    return _say("blocks_apart", lang, a=_label(top["factor_a"], codebook, lang).lower(),
                b=_label(top["factor_b"], codebook, lang).lower(), htmt=_num(top["htmt"], "decimal", lang),
                interval=_interval(top["ci_low"], top["ci_high"], "decimal", lang), bar=_num(bar, "decimal", lang))


def _rivals_sentence(rivals: pd.DataFrame, lang: str) -> str:
    """Whether the codebook's structure beats every rival that merges blocks."""
    tested = rivals[rivals["p_adj"].notna()]
    preferred = rivals[rivals["preferred"]]
    closest = tested.loc[tested["delta_chi2"].idxmin()] if len(tested) else None
    if len(preferred) and preferred.iloc[0]["delta_df"] > 0:
        r = preferred.iloc[0]
        return _say("structure_rival", lang, rival=md_text(r["label"]), chi2=_num(r["delta_chi2"], "decimal", lang),
                    df=_num(r["delta_df"], "count", lang), p=_p(r["p_adj"], lang))
    if closest is None:
        return ""
    return _say("structure_holds", lang, rival=md_text(closest["label"]), chi2=_num(closest["delta_chi2"], "decimal", lang),
                df=_num(closest["delta_df"], "count", lang), p=_p(closest["p_adj"], lang))


def _path_sentence(path, codebook, lang: str, max_paths: int) -> str:
    """The strongest standardized paths into the mediator whose intervals exclude zero."""
    into = path.paths[(path.paths["target"] == path.mediator) & path.paths["significant"]]
    into = into.sort_values("std_estimate", key=np.abs, ascending=False).head(max_paths)
    if into.empty:
        return ""
    r2 = path.r2.set_index("variable").loc[path.mediator]
    named = ", ".join(f"{_label(r['source'], codebook, lang).lower()} {_signed(r['std_estimate'], 'decimal', lang)} "
                      f"{_interval(r['ci_low'], r['ci_high'], 'decimal', lang)}" for _, r in into.iterrows())
    n = path.fit["n"]  # as the measurement model states it: survey-weighted when the survey is
    return _say("value_rests_on", lang, mediator=_label(path.mediator, codebook, lang), paths=named,
                r2=_num(r2["r2"], "decimal", lang), interval=_interval(r2["ci_low"], r2["ci_high"], "decimal", lang),
                n=_num(n, "count", lang))


def _pp(value, lang: str) -> str:
    """A share's change in percentage points: one decimal, more where one would print a
    change that is not zero as 0.0 or -0.0 (an interval's end just beside zero)."""
    points, digits = value * 100, 1
    while points != 0 and abs(points) < 0.5 * 10 ** -digits and digits < 3:
        digits += 1
    return format_number(points, "decimal", lang, digits=digits)


def _points(value, lang: str) -> str:
    """A change in a share as signed percentage points."""
    text = _pp(value, lang)
    return (text if text.startswith(("-", "−")) else "+" + text) + " " + _say("points", lang)


def _points_interval(low, high, lang: str) -> str:
    between = _READER["words"]["between"][lang]
    return f"[{_pp(low, lang)}{between}{_pp(high, lang)}]"


@share_docs
def scenario_findings(result: dict, *, names: dict | None = None, lang: str = "en") -> Findings:
    """What a what-if scenario predicts (notebook 07): the share of customers for whom value
    is destroyed before and after, with intervals; the segment it changes most where that
    change's interval excludes zero; the predicted change in the first outcome and in the NPS
    with their models' fit (or which outcomes' predictions would leave their scale); and that
    all of it is a prediction under the lever file's assumptions.

    Parameters
    ----------
    result : dict
        :meth:`valuekit.decide.scenario.ScenarioEngine.apply`.
    {names}
    {lang}

    Returns
    -------
    Findings
    """
    lang = lang_arg(lang)
    if not isinstance(result, dict) or not {"scenario", "summary", "outcomes"} <= set(result):
        raise expected_error("result", "a ScenarioEngine.apply() result", result)
    summary, names = result["summary"], _names(names)
    whole = summary.loc["all"]
    name = md_text(result["scenario"].name)
    low, high = whole["share_destroyed_change_low"], whole["share_destroyed_change_high"]
    change = {"change": _points(whole["share_destroyed_change"], lang), "interval": _points_interval(low, high, lang)}
    n = _num(whole["customers"], "count", lang)
    if not (high < 0 or low > 0):
        out = [_say("scenario_still", lang, scenario=name, n=n, **change)]
    else:
        out = [_say("scenario_moves", lang, scenario=name, n=n, **change,
                    before=_num(whole["share_destroyed_before"], "percent", lang),
                    before_interval=_interval(whole["share_destroyed_before_low"],
                                              whole["share_destroyed_before_high"], "percent", lang),
                    after=_num(whole["share_destroyed_after"], "percent", lang),
                    after_interval=_interval(whole["share_destroyed_after_low"],
                                             whole["share_destroyed_after_high"], "percent", lang))]
        groups = summary.drop(index=["all", "none"], errors="ignore")
        clear = groups[(groups["share_destroyed_change_high"] < 0) | (groups["share_destroyed_change_low"] > 0)]
        if len(clear) > 1:
            seg = clear["share_destroyed_change"].abs().idxmax()
            r = clear.loc[seg]
            who = _segment_words(seg, names, lang)
            out.append(_say("scenario_segment", lang, who=who, before=_num(r["share_destroyed_before"], "percent", lang),
                            after=_num(r["share_destroyed_after"], "percent", lang),
                            change=_points(r["share_destroyed_change"], lang),
                            interval=_points_interval(r["share_destroyed_change_low"],
                                                      r["share_destroyed_change_high"], lang),
                            n=_num(r["customers"], "count", lang)))
    out += _outcome_sentences(result["outcomes"], whole, lang)
    out.append(_say("scenario_caveat", lang))
    return Findings(tuple(out), _heading(lang))


def _outcome_sentences(models: pd.DataFrame, whole: pd.Series, lang: str) -> list[str]:
    """The first outcome shown on its scale, and the NPS (in points) where it is shown, each
    with its model's fit; the outcomes whose prediction would leave their scale (NaN), named."""
    out = []
    shown = models[models["shown"]] if "shown" in models else models
    said = [k for k in shown.index if np.isfinite(whole[f"{k}_change"])]
    for key in [*[k for k in said if k != "nps"][:1], *[k for k in said if k == "nps"]]:
        model = shown.loc[key]
        label = model.get(f"label_{lang}") or model["label"]
        out.append(_say("scenario_nps" if key == "nps" else "scenario_outcome", lang,
                        outcome=md_text(str(label)).lower(), change=_signed(whole[f"{key}_change"], "decimal", lang),
                        interval=_interval(whole[f"{key}_change_low"], whole[f"{key}_change_high"], "decimal", lang),
                        r2=_num(model["r2"], "decimal", lang), adj=_num(model.get("adj_r2", np.nan), "decimal", lang),
                        p=_p(model.get("p_adj", np.nan), lang), n=_num(model["n"], "count", lang)))
    beyond = [k for k in shown.index if k not in said]
    if beyond:
        out.append(_say("scenario_beyond", lang, outcomes=", ".join(
            md_text(str(shown.loc[k].get(f"label_{lang}") or shown.loc[k]["label"])).lower() for k in beyond)))
    return out
