"""The reader and analyst editions of a report page (valuekit.present.edition)."""

import re
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from valuekit.present.edition import analyst_html, page_title, reader_html


def _executed():
    """An executed notebook as papermill leaves it: parameters, injected parameters with the
    analyst's path, a set-up cell tagged away, a table, a widget view, a warning, a print."""
    return new_notebook(cells=[
        new_markdown_cell("# 02 · The value equation\n\nWhat the page is about."),
        new_code_cell("data_path = None", metadata={"tags": ["parameters"]}),
        new_code_cell('data_path = "/home/analyst/secret/export.csv"', metadata={"tags": ["injected-parameters"]}),
        new_code_cell("survey = load()\nprint(survey)", metadata={"tags": ["remove-cell"]},
                      outputs=[new_output("stream", name="stdout", text="<Survey export.csv: 10 kept>\n")]),
        new_code_cell("table", execution_count=5,
                      outputs=[new_output("execute_result", data={"text/html": "<table><tr><td>0.95</td></tr></table>",
                                                                  "text/plain": "0.95"}, execution_count=5)]),
        new_code_cell("dashboard", outputs=[new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
            "text/plain": "WhatIfDashboard(...)"})]),
        new_code_cell("noisy()", outputs=[new_output("stream", name="stderr", text="UserWarning: careful\n"),
                                          new_output("stream", name="stdout", text="1,962 customers scored\n")]),
        new_code_cell("hidden = 1", metadata={"tags": ["remove-output"]},
                      outputs=[new_output("stream", name="stdout", text="for analysts only\n")]),
    ])


class _Shown(HTMLParser):
    """The text a page shows (outside style and script) and the elements' classes."""

    def __init__(self, page: str):
        super().__init__()
        self.text, self.classes, self.links, self._hidden = [], [], [], 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("style", "script")
        self.classes += (dict(attrs).get("class") or "").split()
        if tag == "a" and dict(attrs).get("href", "").endswith(".html"):
            self.links.append((dict(attrs).get("rel"), dict(attrs)["href"]))

    def handle_endtag(self, tag):
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def test_the_reader_edition_shows_results_and_no_code():
    page = reader_html(_executed(), title="02 · The value equation", survey="export.csv",
                       previous=("01_load.html", "01 · Loading"), following=("03_segments.html", "03 · Segments"))
    shown = _Shown(page)
    text = "".join(shown.text)
    assert "0.95" in text and "1,962 customers scored" in text and "What the page is about." in text
    for hidden in ("data_path", "/home/analyst", "print(survey)", "<Survey", "WhatIfDashboard",
                   "UserWarning", "for analysts only", "noisy()", "In [", "Out["):
        assert hidden not in text, hidden
    assert not {"jp-CodeMirrorEditor", "highlight", "jp-OutputPrompt"} & set(shown.classes)  # no code shown
    assert "<script src=" not in page  # nothing fetched from the network
    assert "<title>02 · The value equation</title>" in page
    bar = [(None, "index.html"), ("prev", "01_load.html"), ("next", "03_segments.html")]
    assert shown.links == bar + bar  # the bars at the top and the bottom
    assert "export.csv" in text


def test_the_first_and_last_pages_link_only_one_way():
    assert _Shown(reader_html(_executed(), title="t", survey="s")).links == [(None, "index.html")] * 2


def test_the_reader_edition_leaves_the_notebook_as_it_ran():
    nb = _executed()
    before = nbformat.writes(nb)
    reader_html(nb, title="t", survey="s")
    assert nbformat.writes(nb) == before


def test_the_analyst_edition_is_the_notebook_with_its_code():
    page = analyst_html(_executed())
    assert "print" in page and "data_path" in page and "0.95" in page


def test_a_label_in_the_navigation_is_escaped():
    page = reader_html(_executed(), title="<script>x</script>", survey="<b>s</b>",
                       following=("n.html", "<img src=x onerror=alert(1)>"))
    assert "<script>x</script>" not in page and "<img src=x" not in page and "<b>s</b>" not in page


def test_the_title_is_the_first_heading():
    assert page_title(_executed()) == "02 · The value equation"
    assert page_title(new_notebook(cells=[new_code_cell("x")])) == ""


# -- the reader edition of every notebook, in the browser ----------------------------------------------

#: Text a reader page must never show: a value the tables did not write for readers, a
#: repr, a prompt, a path on the analyst's machine.
NEVER_SHOWN = re.compile(r"\bNaN\b|\bNone\b|<NA>|<valuekit\.|<Survey |<Waves |<LeverSet |CFAResult\(|PathResult\("
                         r"|\bOut\[|\bIn \[|/home/|/tmp/|/work/|/root/|[A-Z]:\\\\")

_PAGE_CHECKS = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  const out = {overflow: [], cut: [], broken: [], code: 0};
  document.querySelectorAll('table, img, pre, svg').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.right > main.right + 1 || e.scrollWidth > e.clientWidth + 1)
      out.overflow.push(e.tagName + ' ' + (e.innerText || e.getAttribute('alt') || '').slice(0, 60));
  });
  document.querySelectorAll('td, th').forEach(c => { if (c.innerText.includes('\\u2026')) out.cut.push(c.innerText); });
  document.querySelectorAll('img').forEach(i => { if (!i.complete || i.naturalWidth === 0) out.broken.push(i.src.slice(0, 40)); });
  out.code = document.querySelectorAll('.jp-CodeMirrorEditor, .highlight, .jp-InputPrompt:not(:empty)').length;
  out.wide = document.documentElement.scrollWidth > document.documentElement.clientWidth;
  out.text = document.body.innerText;
  return out;
}"""


@pytest.fixture(scope="module")
def reader_pages(tmp_path_factory):
    """The reader edition of every committed (executed) notebook: what `valuekit report`
    writes for the demo survey."""
    from valuekit.config import NOTEBOOKS_DIR
    from valuekit.report import notebook_sequence

    out = tmp_path_factory.mktemp("reader")
    for nb_path in notebook_sequence(NOTEBOOKS_DIR):
        nb = nbformat.read(nb_path, as_version=4)
        (out / f"{nb_path.stem}.html").write_text(reader_html(nb, title=page_title(nb), survey="demo_survey.csv"),
                                                  encoding="utf-8")
    return sorted(out.glob("*.html"))


def test_every_reader_page_fits_shows_no_code_and_no_raw_value(chromium, reader_pages):
    """Each page at a laptop's width (1100 px): nothing runs off the right edge, no code or
    prompt, no NaN / None / repr / path, no cell cut with an ellipsis, every image loads."""
    from playwright.sync_api import sync_playwright

    problems = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page(viewport={"width": 1100, "height": 900})
            for page in reader_pages:
                tab.goto(page.as_uri())
                found = tab.evaluate(_PAGE_CHECKS)
                shown = sorted(set(NEVER_SHOWN.findall(found["text"])))
                issues = {k: found[k] for k in ("overflow", "cut", "broken", "code", "wide") if found[k]}
                if shown:
                    issues["shown"] = shown
                if issues:
                    problems[page.name] = issues
        finally:
            browser.close()
    assert len(reader_pages) == 12 and problems == {}


def test_what_we_found_comes_first_in_the_reader_edition():
    nb = _executed()
    nb.cells.append(new_code_cell("findings", metadata={"tags": ["findings"]}, outputs=[
        new_output("display_data", data={"text/markdown": "### What we found\n\n- Value is destroyed for 19.8%.",
                                         "text/plain": "What we found"})]))
    text = "".join(_Shown(reader_html(nb, title="t", survey="s")).text)
    assert text.index("What the page is about") < text.index("What we found") < text.index("0.95")
