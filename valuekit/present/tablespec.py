"""The tables an analyst delivers, as a file: ``tables.yaml``, read key by key, or drafted from the codebook.

A spec names the banners (the columns across the top) and the tables (each a list of rows,
the stubs of :func:`valuekit.analyse.tables.banner`), with the significance settings of the
whole workbook::

    title: Casa Aurora customer value survey   # the workbook's title (default: the codebook's name)
    banners: [world_view, channel]             # the columns of every table (a table may name its own;
                                               # [channel, wave] nests waves within each channel)
    levels: [0.05, 0.01]                       # lower-case and upper-case letters
    adjust: fdr_bh                             # fdr_bh, holm, bonferroni or none, within each row
    min_base: 30                               # effective base below which a column is not tested
    compare: pairs                             # or previous (each column against the one before: waves)
    total: true
    confidence: 0.95                           # of the NPS intervals
    tables:
      - title: Value scores
        rows: [verdict, value_ratio, functional, money]
      - title: Recommendation
        rows: [{row: out_nps, stat: nps}, {row: out_sat, stat: top, k: 2}]

:func:`read_tables_spec` checks the file's shape (unknown keys, a table without rows, a
banner that is not a name) and :func:`make_tables` each row and banner against the survey,
every problem an error naming the file and the key (``tables.yaml: tables[1].rows[0]: ...``).
:func:`default_tables_spec` drafts one from the codebook, so that ``valuekit tables`` works
with no spec at all: the value scores, the outcomes (an NPS for a 0-10 recommend item, the
top-2 box and mean of the others) and every rated item's top-2 box, by every context column
with 2 to 12 values (or by the value verdict when there is none).
"""

from __future__ import annotations

import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import expected_error
from .._validate.yamlfile import read_file as _read_file
from ..analyse.tables import Banner, banner
from ..errors import ParameterError, TablesError
from ..survey.audit import survey_first
from ..survey.codebook import Codebook, codebook_arg
from ..survey.labels import lang_arg

__all__ = ["read_tables_spec", "default_tables_spec", "make_tables", "tables_spec_yaml", "SPEC_KEYS"]

#: The keys of a spec, and what each holds (the options are those of :func:`~valuekit.analyse.tables.banner`).
SPEC_KEYS = {"title": "the workbook's title", "banners": "the banner columns of every table",
             "tables": "the tables: each a mapping with rows (and optionally title, banners)",
             "levels": "the looser and stricter significance levels", "adjust": "fdr_bh, holm, bonferroni or none",
             "min_base": "the effective base below which a column is not tested",
             "compare": "pairs or previous", "total": "show a Total column", "confidence": "the NPS intervals' level"}
_TABLE_KEYS = ("title", "rows", "banners")
_OPTIONS = ("levels", "adjust", "min_base", "compare", "total", "confidence")
#: A context column with more values than this is left out of the drafted spec's banners.
_MAX_DRAFT_COLUMNS = 12


def read_tables_spec(spec) -> dict:
    """A tables spec, its shape checked key by key.

    Parameters
    ----------
    spec : str, Path or dict
        A ``tables.yaml`` file (read safely: :func:`valuekit._validate.yamlfile.read_file`),
        the same as a mapping, or a spec already read (its ``source`` is kept).

    Returns
    -------
    dict
        ``title`` (or None), ``banners`` (list), ``tables`` (list of dicts with ``title``,
        ``rows``, ``banners``), the options given and ``source`` (the file's name).

    Raises
    ------
    TablesError
        Naming the file and the key: an unknown key, no tables, a table without rows, a
        banner that is not a column name.
    """
    if isinstance(spec, dict):  # a mapping, or a spec already read (which names its source)
        source = spec["source"] if isinstance(spec.get("source"), str) else "<tables spec>"
        raw = {key: value for key, value in spec.items() if key != "source"}
    else:
        path = _check.path("spec", spec)
        source, raw = path.name, _read_file(path, what="tables spec", error=TablesError, json_=False)
    if not isinstance(raw, dict):
        raise TablesError(f"{source}: expected a mapping with tables: (and banners:), got {type(raw).__name__}",
                          key="", path=source)
    _known(raw, SPEC_KEYS, "", source)
    tables = raw.get("tables")
    if not isinstance(tables, list) or not tables:
        raise TablesError(f"{source}: tables: expected a non-empty list of tables, each a mapping with rows",
                          key="tables", path=source)
    out = {"title": _title(raw.get("title"), "title", source), "source": source,
           "banners": _banners(raw.get("banners", []), "banners", source),
           **{key: raw[key] for key in _OPTIONS if key in raw}}
    out["tables"] = []
    for i, table in enumerate(tables):
        where = f"tables[{i}]"
        if not isinstance(table, dict):
            raise TablesError(f"{source}: {where}: expected a mapping with rows (and title, banners), got "
                              f"{_check.shown(table)}", key=where, path=source)
        _known(table, dict.fromkeys(_TABLE_KEYS), where + ".", source)
        rows = table.get("rows")
        if not isinstance(rows, list) or not rows:
            raise TablesError(f"{source}: {where}.rows: expected a non-empty list of rows (names, or mappings "
                              "with row and stat)", key=f"{where}.rows", path=source)
        banners = _banners(table.get("banners", out["banners"]), f"{where}.banners", source)
        if not banners:
            raise TablesError(f"{source}: {where}: no banners: give banners: at the top or in the table",
                              key=f"{where}.banners", path=source)
        out["tables"].append({"title": _title(table.get("title"), f"{where}.title", source) or f"Table {i + 1}",
                              "rows": rows, "banners": banners})
    return out


def _known(raw: dict, keys, prefix: str, source: str) -> None:
    unknown = [k for k in raw if k not in keys]
    if unknown:
        raise TablesError(f"{source}: {prefix}{unknown[0]}: unknown key; a {'table' if prefix else 'spec'} has "
                          f"{', '.join(keys)}", key=f"{prefix}{unknown[0]}", path=source)


def _title(value, key: str, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise TablesError(f"{source}: {key}: expected a text, got {_check.shown(value)}", key=key, path=source)
    return value


def _banners(value, key: str, source: str) -> list:
    """Banner columns: names, or pairs of names (a nested banner, ``[channel, wave]``; on the
    command line ``channel*wave``)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        value = None
    else:
        value = [v.split("*") if isinstance(v, str) and "*" in v else v for v in value]
    if value is None or not all(isinstance(v, str) and v or isinstance(v, list) and len(v) == 2
                                and all(isinstance(x, str) and x for x in v) for v in value):
        raise TablesError(f"{source}: {key}: expected a list of column names (or pairs of them, a nested banner: "
                          f"[channel, wave]), got {_check.shown(value)}", key=key, path=source)
    return list(value)


@survey_first("codebook", "data")
@share_docs
def default_tables_spec(codebook: Codebook, data: pd.DataFrame | None = None) -> dict:
    """The spec ``valuekit tables`` uses when none is given, drafted from the codebook.

    Three tables by every context column (world view, situation) with 2 to 12 values in
    ``data`` (all of them without ``data``; without one, by the value verdict when
    sacrifices are measured): the value scores (the verdict, the value ratio, benefits and
    sacrifices when sacrifices are measured, else benefits; each dimension and sacrifice);
    the outcomes (an NPS for a 0-10
    ``recommend`` outcome, the top-2 box and the mean of the others); and every benefit and
    sacrifice item's top-2 box.

    Parameters
    ----------
    {codebook}
    data : DataFrame, optional
        The answers: context columns with fewer than 2 or more than 12 values are left out.

    Returns
    -------
    dict
        A spec as :func:`read_tables_spec` returns it (``source`` "default spec").
    """
    cb = codebook_arg("codebook", codebook)
    banners = [c for cols in cb.context.values() for c in cols]
    if data is not None:
        banners = [c for c in banners if c in data.columns and 2 <= data[c].nunique() <= _MAX_DRAFT_COLUMNS]
    if not banners and cb.sacrifices:  # no grouping to compare: the customers who gain, break even and lose value
        banners = ["verdict"]
    scores = ["verdict", "value_ratio", "benefits", "sacrifices"] if cb.sacrifices else ["benefits"]
    scores += cb.dimensions + cb.sacrifices
    outcomes = [row for name, column in cb.outcomes.items() for row in _outcome_rows(cb, name, column)]
    items = [{"row": i, "stat": "top", "k": 2} for i in cb.items
             if cb.items[i].role in ("benefit", "sacrifice") and cb.items[i].scale.max - cb.items[i].scale.min >= 2]
    tables = [{"title": "Value scores", "rows": scores}]
    if outcomes:
        tables.append({"title": "Outcomes", "rows": outcomes})
    if items:
        tables.append({"title": "Items: top-2 box", "rows": items})
    return {"title": cb.name, "source": "default spec", "banners": banners,
            "tables": [{**t, "banners": banners} for t in tables]}


def _outcome_rows(cb: Codebook, name: str, column: str) -> list:
    """An outcome's rows in the drafted spec: the NPS of a 0-10 ``recommend`` item, else the
    top-2 box and the mean of an item, or the mean of a scored (multi-item) outcome."""
    item = cb.items.get(column)
    if item is None:
        return [column]
    if name == "recommend" and (item.scale.min, item.scale.max) == (0, 10):
        return [{"row": column, "stat": "nps"}]
    return [{"row": column, "stat": "top", "k": 2}, {"row": column, "stat": "mean"}]


@share_docs
def make_tables(survey, spec=None, *, banners: list[str] | None = None, lang: str = "en") -> list[Banner]:
    """The banner tables of a spec, computed on a survey: one :class:`~valuekit.analyse.tables.Banner` per table.

    Parameters
    ----------
    survey : Survey
        :func:`valuekit.load_survey` output (its answers, codebook, weights and design).
    spec : str, Path or dict, optional
        A ``tables.yaml`` (see :func:`read_tables_spec`); default
        :func:`default_tables_spec`.
    banners : list of str, optional
        Banner columns replacing the spec's in every table.
    {lang}

    Returns
    -------
    list of Banner
        In the spec's order, each with its ``settings["title"]``.

    Raises
    ------
    TablesError
        A row or banner the survey does not have, or an option out of range, naming the
        spec's file and key (``tables[1].rows[0]``, ``tables[0].banners[2]``, ``adjust``).
    """
    lang = lang_arg(lang)
    codebook = getattr(survey, "codebook", None)
    if codebook is None or not hasattr(survey, "data"):
        raise expected_error("survey", "a survey (valuekit.load_survey)", survey)
    spec = default_tables_spec(codebook, survey.data) if spec is None else read_tables_spec(spec)
    if banners is not None:
        given = _banners(banners, "banners", "--banner")
        spec["tables"] = [{**t, "banners": given} for t in spec["tables"]]
    options = {key: spec[key] for key in _OPTIONS if key in spec}
    out = []
    for i, table in enumerate(spec["tables"]):
        if not table["banners"]:
            raise TablesError(f"{spec['source']}: tables[{i}]: no banner column (the codebook has no context "
                              "column with 2 to 12 values): name one with --banner or in a spec", key=f"tables[{i}]",
                              path=spec["source"])
        try:
            result = banner(survey, table["rows"], table["banners"], lang=lang, **options)
        except ParameterError as err:
            raise TablesError(f"{spec['source']}: {_spec_key(err, i)}", key=err.name, path=spec["source"]) from None
        out.append(Banner(result.cells, result.pairs, {**result.settings, "title": table["title"]}, result.overall))
    return out


def _spec_key(err: ParameterError, i: int) -> str:
    """A banner() error worded with the spec's keys: ``rows[3]`` is ``tables[i].rows[3]``,
    ``columns[0]`` is ``tables[i].banners[0]``; an option keeps its name."""
    text = str(err)
    if err.name in ("rows", "columns"):
        return f"tables[{i}]." + text.replace("columns[", "banners[", 1)
    return text


def tables_spec_yaml(spec: dict) -> str:
    """A spec (:func:`read_tables_spec` or :func:`default_tables_spec` output) as the YAML
    ``valuekit tables --draft-spec`` writes, to edit: its title, banners, the default
    significance settings and its tables.

    Parameters
    ----------
    spec : dict
        The spec to write.
    """
    import yaml  # deferred: only when drafting

    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), list):
        raise expected_error("spec", "a tables spec (read_tables_spec or default_tables_spec output)", spec)
    body = {key: spec[key] for key in ("title", "banners") if spec.get(key)}
    body["levels"], body["adjust"], body["min_base"] = [0.05, 0.01], "fdr_bh", 30
    body["tables"] = [{"title": t["title"], "rows": t["rows"]} for t in spec["tables"]]
    head = ("# Banner tables for `valuekit tables --spec`: drafted from the codebook; edit freely.\n"
            "# rows: a score, verdict, an item, or {row: item, stat: percent|mean|top|bottom|net|nps, k: 2,\n"
            "# codes: [...], label: ...}; banners: columns of the answers or the scores.\n")
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
