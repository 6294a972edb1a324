"""The two editions of a report page: what a reader gets, and what an analyst gets.

One executed notebook makes both. The **reader edition** (:func:`reader_html`) hides every
code cell's input and prompt, drops the cells a reader has no use for, and gives the page a
navigation bar; the **analyst edition** (:func:`analyst_html`) is the notebook as it ran.
Both use nbconvert's own mechanisms, the cell tags JupyterLab, Jupyter Book and nbconvert
understand, and an nbconvert template (``templates/reader``) extending JupyterLab's:

``remove-cell``
    The cell is not in the reader edition (set-up, a check for analysts).
``remove-input``
    Only the cell's output is shown (every code cell of the reader edition is shown so).
``remove-output``
    The cell's outputs are not in the reader edition.
``parameters``, ``injected-parameters``
    papermill's cells (the analyst's paths among them) are never in the reader edition.
``findings``
    What the page found (:mod:`valuekit.present.findings`): computed where the results are,
    shown first in the reader edition, right after the page's title.

Outputs a page cannot show are dropped from the reader edition as well: a widget's view
(it needs a live kernel), warnings written to stderr, and cells left with no output.
"""

from __future__ import annotations

import copy
import html
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

__all__ = ["READER_TAGS", "page_title", "reader_html", "analyst_html", "print_html", "READER_CSS"]

#: The tags whose cells the reader edition leaves out entirely.
READER_TAGS = ("remove-cell", "parameters", "injected-parameters")

TEMPLATES = Path(__file__).with_name("templates")

#: The reader edition's style, on top of JupyterLab's: a page of readable width whose tables
#: wrap their cells rather than run off the right edge, figures scaled to the page, and the
#: navigation bar.
READER_CSS = """
body.jp-Notebook { max-width: 62rem; margin: 0 auto; padding: 0 1.2rem 2rem; }
main { padding: 0; }
.jp-Cell { padding: 0; }
.jp-OutputArea-output { overflow-x: visible; }
.jp-RenderedHTMLCommon table { table-layout: auto; max-width: 100%; font-size: 0.85rem; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal; overflow-wrap: break-word; hyphens: auto; }
.jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100%; height: auto; }
.jp-OutputArea-output pre { white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; }
.vk-nav { font-family: var(--jp-ui-font-family, system-ui, sans-serif); display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline; padding: 0.7rem 0;
          font-size: 0.9rem; border-bottom: 1px solid #ddd; margin-bottom: 1rem; }
.vk-nav-bottom { border-bottom: 0; border-top: 1px solid #ddd; margin: 2rem 0 0; }
.vk-nav .vk-survey { margin-left: auto; color: #666; }
.vk-page-break { break-before: page; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  .vk-nav { display: none; }
  body.jp-Notebook { max-width: none; padding: 0; }
  tr, img, figure { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
"""


class _ReaderOutputs(Preprocessor):
    """Drop what a static page cannot show a reader: widget views (they need a live kernel),
    stderr streams (warnings are for the analyst edition), then cells left with nothing."""

    def preprocess(self, nb, resources):
        """Keep markdown cells and code cells with something left to show; the cells tagged
        ``findings`` go first, after the page's opening (title) cell."""
        kept = []
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.get("outputs", []) if _shows_something(o)]
                if not cell.outputs:
                    continue
            kept.append(cell)
        first = [c for c in kept if "findings" in c.metadata.get("tags", [])]
        rest = [c for c in kept if "findings" not in c.metadata.get("tags", [])]
        nb.cells = rest[:1] + first + rest[1:]
        return nb, resources


def _shows_something(output) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") == "stdout" and bool(output.get("text", "").strip())
    if output.get("output_type") in ("execute_result", "display_data"):
        data = output.get("data", {})
        return any(kind != "text/plain" and kind != "application/vnd.jupyter.widget-view+json" for kind in data) \
            or ("text/plain" in data and "application/vnd.jupyter.widget-view+json" not in data)
    return output.get("output_type") == "error"


def page_title(nb) -> str:
    """A notebook's title: the text of its first heading (``# 02 · The value equation``).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    str
        Empty when no markdown cell has a heading.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def reader_html(nb, *, title: str, survey: str, index: tuple[str, str] = ("index.html", "All pages"),
                previous: tuple[str, str] | None = None, following: tuple[str, str] | None = None) -> str:
    """The reader edition of an executed notebook as one HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook; it is not changed.
    title : str
        The page's title (:func:`page_title`).
    survey : str
        Names the survey at the right of the navigation bar.
    index, previous, following : tuple of (href, text), optional
        The links of the navigation bar: the report's index, and the pages before and after
        this one (none for the first and last page).

    Returns
    -------
    str
        The HTML page.
    """
    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="reader",
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(READER_TAGS),
                                                         remove_all_outputs_tags={"remove-output"},
                                                         remove_input_tags={"remove-input"}), enabled=True)
    exporter.register_preprocessor(_ReaderOutputs(), enabled=True)
    links = {"index_href": index[0], "index_text": index[1], "survey": survey, "css": READER_CSS,
             "previous_href": previous[0] if previous else "", "previous_text": previous[1] if previous else "",
             "next_href": following[0] if following else "", "next_text": following[1] if following else ""}
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources={"metadata": {"name": html.unescape(title)},
                                                                "valuekit": links})
    return body


def print_html(pages: list, *, title: str, front: str = "") -> str:
    """Every page of a report in one HTML document, each page starting on a new sheet: what
    the report's PDF prints.

    Parameters
    ----------
    pages : list of nbformat.NotebookNode
        The executed notebooks, in order; they are not changed.
    title : str
        The document's title.
    front : str, optional
        Markdown for the first sheet (the survey, its respondents, the date).

    Returns
    -------
    str
        The HTML document, in the reader edition (no code, no navigation bar in print).
    """
    cells = [nbformat.v4.new_markdown_cell(front)] if front else []
    for i, nb in enumerate(pages):
        if cells:
            cells.append(nbformat.v4.new_markdown_cell('<div class="vk-page-break"></div>'))
        cells += copy.deepcopy(nb.cells)
    for j, cell in enumerate(cells):  # ids unique across the pages joined
        cell["id"] = f"cell-{j}"
    whole = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(pages[0].metadata) if pages else {})
    return reader_html(whole, title=title, survey="", index=("#", title))


def analyst_html(nb) -> str:
    """The analyst edition: the executed notebook as JupyterLab shows it, code and all.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    str
        The HTML page.
    """
    body, _ = HTMLExporter().from_notebook_node(nb)
    return body
