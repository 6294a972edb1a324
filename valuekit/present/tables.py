"""Banner tables for readers: a styled view in the notebook, a formatted Excel workbook to hand over.

:func:`valuekit.analyse.tables.banner` computes the cells and their letters; here they are
shown. :func:`style_banner` gives the notebook view (every text escaped, the letters beside
the values, a caption saying how to read them). :func:`write_tables` writes the workbook
analysts deliver: an index sheet (the survey, its base, the weighting, the significance
settings, a link to every table) and one sheet per table (a stub by every banner), with the
bases in header rows, percentages and decimals as Excel number formats (never text), each
column's letters in a cell of their own beside its values, bases too small to test flagged,
the header panes frozen and the columns sized to their text.

XlsxWriter writes the workbook: it is maintained, writes formats, merged headers, links and
frozen panes directly, and is several times faster than openpyxl for writing (which the test
uses to read the workbook back).
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._validate import check as _check
from .._validate.args import expected_error
from ..analyse.tables import Banner
from ..survey.answers import below_base
from ..survey.labels import lang_arg

__all__ = ["style_banner", "write_tables", "BannerExplorer"]

_PERCENT = {"percent", "top", "bottom", "net"}
_WORDS = {
    "letters": {"en": "Letters: the columns of the same banner this value is significantly higher than "
                      "(upper case p < {strict:g}, lower case p < {loose:g}; {adjust}).",
                "es": "Letras: las columnas del mismo banner frente a las que este valor es significativamente "
                      "mayor (mayúscula p < {strict:g}, minúscula p < {loose:g}; {adjust}).",
                "it": "Lettere: le colonne dello stesso banner rispetto alle quali questo valore è "
                      "significativamente più alto (maiuscola p < {strict:g}, minuscola p < {loose:g}; {adjust})."},
    "small": {"en": "* base below {min_base:g}: not tested.", "es": "* base inferior a {min_base:g}: sin prueba.",
              "it": "* base inferiore a {min_base:g}: non testata."},
    "adjust": {"fdr_bh": {"en": "false discovery rate within each row", "es": "tasa de falsos descubrimientos por fila",
                          "it": "tasso di falsi positivi per riga"},
               "holm": {"en": "Holm within each row", "es": "Holm por fila", "it": "Holm per riga"},
               "bonferroni": {"en": "Bonferroni within each row", "es": "Bonferroni por fila",
                              "it": "Bonferroni per riga"},
               "none": {"en": "no correction", "es": "sin corrección", "it": "nessuna correzione"}},
    "index": {"en": "Tables", "es": "Tablas", "it": "Tabelle"},
    "survey": {"en": "Survey", "es": "Encuesta", "it": "Indagine"},
    "respondents": {"en": "Respondents", "es": "Encuestados", "it": "Rispondenti"},
    "weighting": {"en": "Weighting and variances", "es": "Ponderación y varianzas", "it": "Ponderazione e varianze"},
    "base": {"en": "Base", "es": "Base", "it": "Base"},
    "effective": {"en": "Effective base", "es": "Base efectiva", "it": "Base effettiva"},
    "back": {"en": "← index", "es": "← índice", "it": "← indice"},
    "banners": {"en": "Banners", "es": "Banners", "it": "Banner"},
    "together": {"en": "all columns together", "es": "todas las columnas a la vez", "it": "tutte le colonne insieme"},
    "adjusted": {"en": "adjusted", "es": "ajustada", "it": "corretta"},
    "rows": {"en": "Rows", "es": "Filas", "it": "Righe"},
    "search": {"en": "Search rows", "es": "Buscar filas", "it": "Cerca righe"},
    "sort": {"en": "Order", "es": "Orden", "it": "Ordine"},
    "as_asked": {"en": "as asked", "es": "como se pidió", "it": "come richiesto"},
    "by_total": {"en": "by the Total, highest first", "es": "por el Total, de mayor a menor",
                 "it": "per il Totale, dal più alto"},
    "nothing": {"en": "No row matches.", "es": "Ninguna fila coincide.", "it": "Nessuna riga corrisponde."},
    "low": {"en": "Lower bound ({level})", "es": "Límite inferior ({level})", "it": "Limite inferiore ({level})"},
    "high": {"en": "Upper bound ({level})", "es": "Límite superior ({level})", "it": "Limite superiore ({level})"},
}


def _word(key: str, lang: str, **values) -> str:
    return _WORDS[key][lang].format(**values)


def _check_banner(name: str, table) -> Banner:
    if not isinstance(table, Banner):
        raise expected_error(name, "a Banner (valuekit.banner)", table)
    return table


@share_docs
def style_banner(table: Banner, *, lang: str = "en"):
    """The banner as a styled table for the notebook: stubs down the side, the columns with
    their letters across the top, each value with the letters of the columns it is
    significantly above; bases in grey. Every text is HTML-escaped (labels come from the
    survey's files). Returns a pandas ``Styler`` whose id is drawn from the rows and banners
    it shows: the same on every run, and apart from another table's on the same page.

    Parameters
    ----------
    table : Banner
        :func:`valuekit.analyse.tables.banner` output.
    {lang}
        The numbers are written in its conventions.
    """
    table = _check_banner("table", table)
    lang = lang_arg(lang)
    frame = table.to_frame(lang=lang)
    bases = {(stub, line) for stub, line, stat in zip(table.cells["stub_label"], table.cells["category_label"],
                                                       table.cells["statistic"]) if stat in ("base", "effective base")}
    shown = frame.map(lambda v: html.escape(str(v)))
    shown.index = pd.MultiIndex.from_tuples([tuple(html.escape(str(x)) for x in r) for r in frame.index])
    total = set(table.cells.loc[table.cells["banner"] == "Total", "banner_label"])  # named once, below
    shown.columns = pd.MultiIndex.from_tuples([tuple("" if i == 0 and c[0] in total else html.escape(str(x))
                                                      for i, x in enumerate(c)) for c in frame.columns])
    grey = [tuple(html.escape(str(x)) for x in r) for r in frame.index if r in bases]
    settings = table.settings
    caption = html.escape(" ".join([_word("letters", lang, strict=settings["levels"][1], loose=settings["levels"][0],
                                          adjust=_WORDS["adjust"][settings["adjust"]][lang]),
                                    _word("small", lang, min_base=settings["min_base"])]))
    caption += "".join(f"<br>{html.escape(line)}" for line in _overall_lines(table, lang))
    # an id of its own per table (from what it shows, so the same on every run): two tables on
    # one page must not share the ids their styles are keyed on
    key = "|".join([*dict.fromkeys(table.cells["stub"].astype(str)), *dict.fromkeys(table.cells["banner"])])
    uuid = "vk_banner_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    return (shown.style.set_uuid(uuid).set_caption(caption)
            .set_table_attributes('class="vk-table vk-banner"')
            .set_properties(subset=pd.IndexSlice[grey, :], **{"color": "#666"})
            .set_table_styles([{"selector": "td", "props": "text-align: right; white-space: nowrap"},
                               {"selector": "th.row_heading", "props": "text-align: left"},
                               {"selector": "th.col_heading.level0", "props": "text-align: center; "
                                                                              "border-bottom: 1px solid #999"},
                               {"selector": "caption", "props": "caption-side: bottom; text-align: left; "
                                                                 "color: #555; font-size: 0.9em"}]))


@share_docs
def write_tables(tables, path, *, title: str | None = None, lang: str = "en", overwrite: bool = False) -> Path:
    """Write banner tables to an Excel workbook: an index sheet, then one sheet per table.

    Each stub of each banner is a table (a sheet): the banner names over their columns, the
    column labels and letters, the unweighted and effective bases as header rows, then one
    row per category, box, NET or mean (with its SD). Values are numbers with Excel formats
    (``0.0%`` for shares, ``0.00`` for means and SDs, ``#,##0`` for bases); each column's
    letters sit in the cell to its right; a base below the minimum for testing is flagged
    with ``*`` and a note under the table. The panes above the first value and left of the
    labels are frozen. The index lists the survey, its respondents, the weighting and
    variances, the significance settings and a link to every table.

    Parameters
    ----------
    tables : Banner or list of Banner
        :func:`valuekit.analyse.tables.banner` results.
    path : str or Path
        The ``.xlsx`` file to write.
    title : str, optional
        The survey's name, shown on the index (default: the file's name).
    {lang}
    overwrite : bool, default False
        Replace an existing file (otherwise refused, naming it).

    Returns
    -------
    Path
        The workbook written.
    """
    import xlsxwriter  # deferred: the workbook writer

    tables = [tables] if isinstance(tables, Banner) else tables
    if not isinstance(tables, (list, tuple)) or not tables:
        raise expected_error("tables", "a Banner or a non-empty list of them", tables)
    tables = [_check_banner(f"tables[{i}]", t) for i, t in enumerate(tables)]
    lang = lang_arg(lang)
    path = Path(_check.text("path", str(path)))
    if path.suffix.lower() != ".xlsx":
        raise expected_error("path", "a file name ending in .xlsx", str(path))
    if path.exists() and not _check.flag("overwrite", overwrite):
        raise expected_error("path", "a file that does not exist yet (or overwrite=True)", str(path))
    if not path.parent.is_dir():
        raise expected_error("path", "a file in an existing folder", str(path))
    title = path.stem if title is None else _check.text("title", title)
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    formats = _formats(book)
    sheets = _sheet_names(tables)
    index = book.add_worksheet(_word("index", lang)[:31])
    for (i, stub), name in sheets.items():
        _write_sheet(book.add_worksheet(name), tables[i], stub, formats, lang, index.get_name())
    _write_index(index, tables, sheets, formats, title, lang)
    book.close()
    return path


def _formats(book) -> dict:
    return {"title": book.add_format({"bold": True, "font_size": 13}),
            "bold": book.add_format({"bold": True}),
            "banner": book.add_format({"bold": True, "align": "center", "bottom": 1}),
            "head": book.add_format({"bold": True, "align": "center", "text_wrap": True, "valign": "top"}),
            "letter_head": book.add_format({"align": "center", "font_color": "#555555"}),
            "label": book.add_format({"text_wrap": False}),
            "base": book.add_format({"num_format": "#,##0", "font_color": "#555555", "bg_color": "#F2F2F2"}),
            "base_label": book.add_format({"font_color": "#555555", "bg_color": "#F2F2F2"}),
            "small": book.add_format({"num_format": "#,##0", "font_color": "#C00000", "bg_color": "#F2F2F2"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "decimal": book.add_format({"num_format": "0.00"}),
            "points": book.add_format({"num_format": "0.0"}),
            "letters": book.add_format({"font_color": "#1F4E79", "bold": True}),
            "flag": book.add_format({"font_color": "#C00000"}),
            "note": book.add_format({"italic": True, "font_color": "#555555"}),
            "link": book.add_format({"font_color": "#1F4E79", "underline": 1})}


def _sheet_names(tables: list[Banner]) -> dict:
    """A unique Excel sheet name (at most 31 characters, none of []:*?/\\) per (table number, stub)."""
    keys = [(i, stub) for i, t in enumerate(tables) for stub in dict.fromkeys(t.cells["stub"])]
    out, used = {}, set()
    for number, (i, stub) in enumerate(keys, start=1):
        cells = tables[i].cells
        label = cells.loc[cells["stub"] == stub, "stub_label"].iloc[0]
        name = f"T{number} " + re.sub(r"[\[\]:*?/\\']", " ", str(label)).strip()
        name = name[:31].rstrip()
        while name.lower() in used:
            name = name[:28] + f"~{len(used)}"
        used.add(name.lower())
        out[(i, stub)] = name
    return out


def _columns(table: Banner) -> list[tuple]:
    """The table's columns in order: (banner, column, label, letter, banner label)."""
    c = table.cells
    return list(dict.fromkeys(zip(c["banner"], c["column"], c["column_label"], c["letter"], c["banner_label"])))


def _write_sheet(sheet, table: Banner, stub, f: dict, lang: str, index_name: str) -> None:
    """One table's sheet, top to bottom: title, banner and column headers, bases, values, notes."""
    cells = table.cells[table.cells["stub"] == stub]
    columns = _columns(table)
    label = str(cells["stub_label"].iloc[0])
    sheet.write(0, 0, label, f["title"])
    sheet.write_url(0, 2 * len(columns) + 1, f"internal:'{index_name}'!A1", f["link"], _word("back", lang))
    top = 2
    _write_header(sheet, columns, f, top)
    rows = list(dict.fromkeys(zip(cells["statistic"], cells["category"], cells["category_label"])))
    lookup = {key: row for key, row in zip(zip(cells["statistic"], cells["category"], cells["banner"],
                                               cells["column"]), cells.to_dict("records"))}
    r = _write_bases(sheet, [x for x in rows if x[0] in ("base", "effective base")], columns, lookup, f, lang,
                     top + 2, table.settings["min_base"])
    sheet.freeze_panes(r, 1)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed one page wide
    sheet.repeat_rows(top, r - 1)
    level = f"{table.settings['confidence']:.0%}"
    r = _write_values(sheet, [x for x in rows if x[0] not in ("base", "effective base")], columns, lookup, f, r,
                      (_word("low", lang, level=level), _word("high", lang, level=level)))
    s = table.settings
    sheet.write(r + 1, 0, _word("letters", lang, strict=s["levels"][1], loose=s["levels"][0],
                                adjust=_WORDS["adjust"][s["adjust"]][lang]), f["note"])
    sheet.write(r + 2, 0, _word("small", lang, min_base=s["min_base"]), f["note"])
    if table.overall is not None:  # each banner's columns tested together
        labels = dict(zip(cells["banner"], cells["banner_label"]))
        for i, o in enumerate(table.overall[table.overall["stub"] == stub].itertuples(index=False)):
            sheet.write(r + 3 + i, 0, _overall_line(o, labels.get(o.banner, o.banner), lang), f["note"])
    sheet.set_column(0, 0, min(60, max(14, max(len(str(v[2])) for v in rows) + 2, len(label) // 2)))
    for i, col in enumerate(columns):
        words = str(col[2]).split() or [""]  # wide enough for its longest word: a header wraps between words only
        sheet.set_column(1 + 2 * i, 1 + 2 * i, max(9, min(22, len(str(col[2])) * 0.9),
                                                    max(map(len, words)) * 1.2 + 1))
        sheet.set_column(2 + 2 * i, 2 + 2 * i, 6)


def _overall_lines(table: Banner, lang: str) -> list[str]:
    """Each row's overall test of each banner, a line each: "Hotel stays · world view, all
    columns together: χ²(6) = 14.20, p = 0.027 (adjusted 0.054)"."""
    if table.overall is None:
        return []
    cells = table.cells
    banners = dict(zip(cells["banner"], cells["banner_label"]))
    stubs = dict(zip(cells["stub"], cells["stub_label"]))
    return [f"{stubs.get(o.stub, o.stub)} · {_overall_line(o, banners.get(o.banner, o.banner), lang)}"
            for o in table.overall.itertuples(index=False)]


def _overall_line(o, label: str, lang: str) -> str:
    """One banner's overall test of a row, as a sentence: "world view, all columns together:
    Rao-Scott F(1.89, 376.7) = 13.68, p < 0.001 (adjusted < 0.001)"; or why there is none."""
    if not np.isfinite(o.p):
        return f"{label}, {_word('together', lang)}: {o.note}"
    df2 = f"{o.df2:.4g}" if o.df2 < 1000 else f"{o.df2:.0f}"  # 11762, never 1.176e+04
    df = f"{o.df1:.3g}" if np.isnan(o.df2) else f"{o.df1:.3g}, {df2}"
    name = {"Pearson chi-squared": "χ²", "Welch ANOVA": "Welch F", "Wald F": "Wald F", "Rao-Scott F": "Rao-Scott F"}
    return (f"{label}, {_word('together', lang)}: {name[o.test]}({df}) = {o.statistic:.2f}, p {_p(o.p)} "
            f"({_word('adjusted', lang)} {_p(o.p_adj)})")


def _p(p: float) -> str:
    text = _check.p_text(p)
    return text if text.startswith("<") else f"= {text}"


def _write_header(sheet, columns: list[tuple], f: dict, top: int) -> None:
    """Each banner's label merged over its columns, then each column's label and letter."""
    for banner_name in dict.fromkeys(col[0] for col in columns):
        span = [i for i, col in enumerate(columns) if col[0] == banner_name]
        shown = "" if banner_name == "Total" else str(columns[span[0]][4])  # the Total is named once, below
        sheet.merge_range(top, 1 + 2 * span[0], top, 2 + 2 * span[-1], shown, f["banner"])
    for i, (_, _, col_label, letter, _) in enumerate(columns):
        sheet.write(top + 1, 1 + 2 * i, str(col_label), f["head"])
        sheet.write(top + 1, 2 + 2 * i, f"({letter})" if letter else "", f["letter_head"])


def _write_bases(sheet, rows, columns, lookup: dict, f: dict, lang: str, r: int, min_base: float) -> int:
    """The unweighted and effective bases as grey header rows, a base too small to test
    flagged; returns the next row."""
    for stat, category, _ in rows:
        sheet.write(r, 0, _word("base" if stat == "base" else "effective", lang), f["base_label"])
        for i, (banner_name, column, _, letter, _) in enumerate(columns):
            cell = lookup[(stat, category, banner_name, column)]
            small = bool(letter) and below_base(cell["n_eff"], min_base)
            sheet.write_number(r, 1 + 2 * i, float(cell["value"]), f["small" if small else "base"])
            sheet.write(r, 2 + 2 * i, "*" if small else "", f["flag"] if small else f["base_label"])
        r += 1
    return r


def _write_values(sheet, rows, columns, lookup: dict, f: dict, r: int, words: tuple[str, str]) -> int:
    """One row per category, box, NET, mean or SD: numbers with their formats, letters beside
    them; an NPS (in points) with its interval's bounds on the two rows below (``words``:
    their labels); returns the next row."""
    for stat, category, category_label in rows:
        fmt = f["percent"] if stat in _PERCENT else f["points"] if stat == "nps" else f["decimal"]
        lines = [(str(category_label), "value")] + ([(words[0], "low"), (words[1], "high")] if stat == "nps" else [])
        for label, field in lines:
            sheet.write(r, 0, label, f["label"])
            for i, (banner_name, column, *_) in enumerate(columns):
                cell = lookup[(stat, category, banner_name, column)]
                value = float(cell[field])
                if np.isfinite(value):
                    sheet.write_number(r, 1 + 2 * i, value, fmt)
                else:
                    sheet.write_blank(r, 1 + 2 * i, None, fmt)
                if field == "value" and cell["higher_than"]:
                    sheet.write_string(r, 2 + 2 * i, str(cell["higher_than"]), f["letters"])
            r += 1
    return r


def _write_index(sheet, tables: list[Banner], sheets: dict, f: dict, title: str, lang: str) -> None:
    sheet.write(0, 0, title, f["title"])
    first = tables[0]
    total = first.cells[(first.cells["banner"] == "Total") & (first.cells["statistic"] == "base")]
    n = int(total["value"].max()) if len(total) else int(first.cells.loc[first.cells["statistic"] == "base",
                                                                           "value"].max())
    s = first.settings
    facts = [(_word("survey", lang), title), (_word("respondents", lang), f"{n:,}"),
             (_word("weighting", lang), s["variance"]),
             ("", _word("letters", lang, strict=s["levels"][1], loose=s["levels"][0],
                        adjust=_WORDS["adjust"][s["adjust"]][lang])),
             ("", _word("small", lang, min_base=s["min_base"]))]
    for i, (key, value) in enumerate(facts, start=2):
        sheet.write(i, 0, key, f["bold"])
        sheet.write(i, 1, value)
    j = len(facts) + 3
    sheet.write(j, 0, _word("index", lang), f["bold"])
    group = None
    for (i, stub), name in sheets.items():
        j += 1
        if i != group and tables[i].settings.get("title"):  # a titled table (a spec's): its title above its sheets
            group = i
            sheet.write(j, 0, str(tables[i].settings["title"]), f["bold"])
            j += 1
        cells = tables[i].cells
        label = cells.loc[cells["stub"] == stub, "stub_label"].iloc[0]
        sheet.write_url(j, 0, f"internal:'{name}'!A1", f["link"], name)
        sheet.write(j, 1, str(label))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


@share_docs
class BannerExplorer:
    """Explore a banner table in the notebook: choose its banners and rows, search the rows,
    put them in order; the styled table (:func:`style_banner`) follows.

    A view over one computed :class:`~valuekit.analyse.tables.Banner` (every row by every
    banner, e.g. :func:`valuekit.make_tables` output): the letters were set when it was
    computed (each row's pairs adjusted within their banner), so choosing what to show never
    changes them. Works in JupyterLab and in Voilà (ipywidgets).

    Parameters
    ----------
    table : Banner
        :func:`valuekit.analyse.tables.banner` output.
    {lang}

    Attributes
    ----------
    table : Banner
        The table explored.
    banners, rows : ipywidgets.SelectMultiple
        The banners and rows shown (all at first).
    search : ipywidgets.Text
        Only the rows whose label contains this (any case).
    order : ipywidgets.Dropdown
        The rows as asked, or by their first line's Total, highest first.
    html : ipywidgets.HTML
        The styled table.
    widget : ipywidgets.VBox
        Display this.
    """

    def __init__(self, table: Banner, *, lang: str = "en"):
        import ipywidgets as w  # deferred: the notebook's widgets

        self.table = _check_banner("table", table)
        self.lang = lang_arg(lang)
        c = self.table.cells
        banners = [(label, name) for name, label in dict.fromkeys(zip(c["banner"], c["banner_label"]))
                   if name != "Total"]
        stubs = list(dict.fromkeys(zip(c["stub_label"], c["stub"])))
        layout = w.Layout(width="auto", height=f"{min(8, max(3, len(stubs))) * 1.6 + 0.5}em")
        self.banners = w.SelectMultiple(options=banners, value=[b for _, b in banners], description="",
                                        layout=w.Layout(width="auto", height=layout.height))
        self.rows = w.SelectMultiple(options=stubs, value=[s for _, s in stubs], layout=layout)
        self.search = w.Text(placeholder=_word("search", self.lang))
        self.order = w.Dropdown(options=[(_word("as_asked", self.lang), "asked"),
                                         (_word("by_total", self.lang), "total")], value="asked")
        self.html = w.HTML()
        for control in (self.banners, self.rows, self.search, self.order):
            control.observe(self._update, names="value")
        heads = [w.HTML(f"<b>{html.escape(_word(k, self.lang))}</b>") for k in ("banners", "rows", "sort")]
        self.widget = w.VBox([w.HBox([w.VBox([heads[0], self.banners]), w.VBox([heads[1], self.rows]),
                                      w.VBox([heads[2], self.order, self.search])]), self.html])
        self._update()

    def view(self, banners=None, rows=None, search: str = "", order: str = "asked") -> Banner | None:
        """The table restricted to some banners (and the Total) and rows, the rows whose label
        contains ``search`` (any case), in ``order`` ("asked", or "total": by their first
        line's Total value, highest first). None when no row is left.

        Parameters
        ----------
        banners, rows : list of str, optional
            Banner and stub names (the ``banner`` and ``stub`` columns of the cells); default all.
        search : str, default ""
            Text the rows' labels must contain.
        order : {"asked", "total"}, default "asked"
            The rows' order.
        """
        chosen = self.table.select(banners, rows)
        text = _check.text("search", search, allow_empty=True).strip().casefold()
        order = _check.choice("order", order, ("asked", "total"))
        c = chosen.cells
        stubs = [s for s, label in dict.fromkeys(zip(c["stub"], c["stub_label"])) if text in label.casefold()]
        if not stubs:
            return None
        if order == "total":  # by each row's first line in the Total, highest first
            first = c[(c["banner"] == "Total") & ~c["statistic"].isin(["base", "effective base", "sd"])]
            score = first.groupby("stub", sort=False)["value"].first()
            stubs = sorted(stubs, key=lambda s: -score.get(s, float("-inf")))
        return chosen.select(rows=stubs)

    def _update(self, change=None) -> None:
        shown = self.view(list(self.banners.value), list(self.rows.value), self.search.value, self.order.value)
        self.html.value = (f"<p>{html.escape(_word('nothing', self.lang))}</p>" if shown is None
                           else style_banner(shown, lang=self.lang).to_html())

