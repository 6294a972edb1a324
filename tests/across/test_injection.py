"""Survey text never runs as script (issue 28): labels, question text, segment names, lever
labels and scenario names are data, escaped wherever they become HTML or Markdown.

Payloads the way browser security tests write them go into every text field of the
codebook (dimension, facet and sacrifice labels, item labels and question text, outcome
labels, the survey's name), the export (a header, respondent ids, context values that
become segment names), the lever file (labels, units) and the scenario names. Headless
Chromium then opens (a) the report pages that show labels (01, 03 and 08 of
:func:`valuekit.report.run_report`) and (b) a static page holding every HTML the
dashboard's widgets carry (the what-if dashboard, a saved-and-compared scenario, the
comparison explorer, the start-up error). A static page is stricter than the widgets'
``innerHTML`` (a parsed ``<script>`` runs there) and needs no Voilà server. Each test
asserts ``window.__vk_pwned`` stays undefined and the payload shows as text.

The unit tests (no browser) check each HTML/Markdown producing function on its own, the
slider readout's precision and the refusal of absurd steps, and wave labels spelt two ways.
"""

from __future__ import annotations

import html
import io
import shutil
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import valuekit as vk
from valuekit.analyse.waves import load_waves
from valuekit.config import DATA_DIR
from valuekit.errors import LeverError, ParameterError, SurveyError, ValuekitError
from valuekit.survey.levers import read_levers

SCRIPT = "<script>window.__vk_pwned=1</script>"
IMG = '<img src=x onerror="window.__vk_pwned=1">'
SVG = '"><svg onload=window.__vk_pwned=1>'
LINK = "[x](javascript:window.__vk_pwned=1)"
PAYLOADS = [SCRIPT, IMG, SVG, LINK]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _raw(text: str) -> bool:
    """Whether ``text`` holds a payload as live markup (not escaped)."""
    return any(p in text for p in (SCRIPT, "<img src=x onerror", "<svg onload"))


# -- the poisoned survey ---------------------------------------------------------------------


def _poison(out: Path) -> tuple[list[Path], Path, Path]:
    """The demo's two waves, codebook and levers with a payload in every text field."""
    out.mkdir(parents=True, exist_ok=True)
    cb = yaml.safe_load(Path(vk.DEMO_CODEBOOK).read_text(encoding="utf-8"))
    cb["name"] = f"Survey {SCRIPT}"
    blocks = list(cb["benefits"]) + list(cb["sacrifices"])
    for block in list(cb["benefits"].values()) + list(cb["sacrifices"].values()):
        if isinstance(block, dict):
            blocks += list(block)  # facets
    cb["labels"] = {name: {"en": f"{name.title()} {PAYLOADS[i % 4]}"} for i, name in enumerate(blocks)}
    for i, item in enumerate(cb["items"].values()):  # outcome items included
        item["text"] = f"{item['text']} {PAYLOADS[(i + 1) % 4]}"
        item["label"]["en"] = f"{item['label']['en']} {PAYLOADS[i % 4]}"
    codebook = out / "codebook.yaml"
    codebook.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = []
    for source in (vk.DEMO_DATA, DATA_DIR / "demo_wave3.csv"):
        d = pd.read_csv(source, dtype={"respondent_id": str})
        d["channel"] = d["channel"].map({"store": f"store {SCRIPT}", "online": f"online {IMG}"}).fillna(
            d["channel"] + f" {SVG}")
        d["world_view"] = d["world_view"] + f" {LINK}"
        d.loc[d.index[:5], "respondent_id"] = [f"{SCRIPT}{r}" for r in d["respondent_id"].iloc[:5]]
        d[SVG] = 1  # a header of its own
        files.append(out / Path(source).name)
        d.to_csv(files[-1], index=False)
    levers = yaml.safe_load((DATA_DIR / "demo_levers.yaml").read_text(encoding="utf-8"))
    for i, lever in enumerate(levers["levers"].values()):
        lever["label"] = {"en": f"{lever['label']['en']} {PAYLOADS[i % 4]}"}
        lever["unit"] = f"points {PAYLOADS[(i + 2) % 4]}"
        lever["assumes"] = f"{lever.get('assumes', '')} {PAYLOADS[(i + 3) % 4]}"
    first = next(iter(levers["levers"].values()))
    first["range"], first["step"] = [-0.5, 0.5], 0.005  # a fine step: the readout shows 3 decimals
    first["how"], first["moves"] = "points", ["experiential.ambience"]
    first.pop("unit")
    lever_file = out / "levers.yaml"
    lever_file.write_text(yaml.safe_dump(levers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return files, codebook, lever_file


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory):
    return _poison(tmp_path_factory.mktemp("poisoned"))


@pytest.fixture(scope="module")
def page(poisoned, tmp_path_factory):
    """The dashboard page on the poisoned survey, a lever moved, a scenario saved and compared."""
    from valuekit.present.app import dashboard_page

    files, codebook, lever_file = poisoned
    built = dashboard_page(files[-1], codebook, levers=lever_file, n_segments=3, figure=False,
                           save_dir=tmp_path_factory.mktemp("scenarios"))
    assert built.dashboard is not None, getattr(built, "error", None)
    board = built.dashboard
    board.name.value = f"Plan {SCRIPT}"
    first = next(iter(board.sliders.values()))
    first.value = first.max
    assert board.save() is not None
    board.saved.value = tuple(v for _, v in board.saved.options)
    assert board.compare() is not None
    return built


@pytest.fixture(scope="module")
def explorer(poisoned):
    from valuekit.present.widgets import ComparisonExplorer

    files, codebook, _ = poisoned
    survey = vk.load_survey(files[-1], codebook=codebook)
    scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
    groups = pd.Series(np.where(np.arange(len(scores)) % 2, f"even {IMG}", f"odd {SVG}"), index=scores.index)
    return ComparisonExplorer(scores, {f"grouping {SCRIPT}": groups, "channel": "channel"}, codebook=survey.codebook,
                              data=survey.data, names={"channel": {f"store {SCRIPT}": f"shop {LINK} {IMG}"}},
                              figure=False)


def _widget_html(root) -> list[tuple[str, str]]:
    """Every (kind, content) a widget tree shows: HTML widgets' markup, other widgets' text."""
    import ipywidgets as widgets

    out, todo = [], [root]
    while todo:
        w = todo.pop()
        todo.extend(getattr(w, "children", ()))
        if isinstance(w, widgets.HTML):
            out.append(("html", w.value))
        elif isinstance(w, widgets.Label):
            out.append(("text", w.value))
        elif hasattr(w, "options"):
            out.extend(("text", str(o[0] if isinstance(o, tuple) else o)) for o in w.options)
        if getattr(w, "tooltip", None):
            out.append(("text", w.tooltip))
    return out


# -- unit tests: each producer escapes ------------------------------------------------------


@pytest.mark.adversarial("result")
def test_style_comparisons_escapes_labels_groups_and_the_grouping():
    from valuekit.analyse.significance import style_comparisons

    table = pd.DataFrame({
        "grouping": SCRIPT, "group": [IMG, SVG], "measure": ["money", "money"], "label": f"Money {SCRIPT}",
        "kind": "sacrifice", "statistic_type": "mean", "finding": [True, False], "direction": ["higher", ""],
        "note": "", "group_value": [4.5, 3.9]})
    page = style_comparisons(table).to_html()
    assert not _raw(page)
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=" in page and "&lt;svg onload=" in page
    for payload in (SCRIPT, IMG, SVG):
        assert payload in html.unescape(page)  # escaped, not dropped


#: Generated labels: markup, Markdown, mathtext and the characters that break lines or turn
#: text around (control characters, U+2028/2029, U+0085, bidi overrides).
HOSTILE_TEXT = st.lists(st.sampled_from(list("<>&\"'`*_[]()!$#|~\\/=:; aZé0") + [
    "<script>", "</", "javascript:", "onerror=", "\n", "\r", "\t", "\x1b", "\u0085", "\u2028", "\u2029",
    "\u202e", "\u200f"]), min_size=1, max_size=12).map("".join)


def _no_live_tag(markup: str, allowed: set[str]) -> bool:
    """Only ``allowed`` tags (those the producer itself writes) appear in ``markup``."""
    import re

    return {t.lower() for t in re.findall(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)", markup)} <= allowed


@pytest.mark.adversarial("property")
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(grouping=HOSTILE_TEXT, groups=st.lists(HOSTILE_TEXT, min_size=2, max_size=3, unique=True), label=HOSTILE_TEXT)
def test_any_label_is_text_in_the_styled_table(grouping, groups, label):
    from valuekit.analyse.significance import style_comparisons

    table = pd.DataFrame({
        "grouping": grouping, "group": groups, "measure": "money", "label": label, "kind": "sacrifice",
        "statistic_type": "mean", "finding": False, "direction": "", "note": "", "group_value": 4.0})
    page = style_comparisons(table).to_html()
    assert _no_live_tag(page, {"style", "table", "thead", "tbody", "tr", "th", "td", "caption"}), page
    assert label in html.unescape(page)  # escaped, not dropped


@pytest.mark.adversarial("property")
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(scope=HOSTILE_TEXT, group=HOSTILE_TEXT, label=HOSTILE_TEXT, name=HOSTILE_TEXT)
@example(scope="<", group="<", label="#", name="<")  # was a heading: "- # (sacrifice) ..."
@example(scope="x", group="x", label="1.", name="x")  # was a numbered list inside the bullet
def test_any_label_is_text_in_the_tracking_summary(scope, group, label, name):
    import mistune

    from valuekit.analyse.waves import tracking_summary

    row = {"scope": scope, "group": group, "label": label, "kind": "sacrifice", "statistic_type": "mean",
           "wave": "2", "baseline": "1", "n": 300, "n_baseline": 310, "value": 4.4, "baseline_value": 4.0,
           "diff": 0.4, "ci_low": 0.2, "ci_high": 0.6, "effect": 0.4, "effect_size": "hedges_g", "p_adj": 0.001,
           "finding": True, "direction": "up", "grade": "moderate"}
    text = tracking_summary(pd.DataFrame([row]), names={group: name})
    rendered = mistune.html(text)
    assert _no_live_tag(rendered, {"p", "ul", "li", "strong"}), rendered  # the summary's own Markdown only
    assert "href" not in rendered and [bool(line) for line in text.splitlines()] == [True, False, True]


@pytest.mark.adversarial("result")
def test_the_explorer_escapes_groups_names_and_labels(explorer):
    for grouping in explorer.groupings:
        _, text = explorer.view(grouping, explorer.measure_names[:3])
        assert not _raw(text), grouping
    _, text = explorer.view("channel", explorer.measure_names[:3])
    assert html.escape(f"shop {LINK} {IMG}") in text  # the display name, escaped, beside its group
    assert not _raw(explorer.html.value)


@pytest.mark.adversarial("result")
def test_tracking_summary_escapes_markdown_and_html():
    from valuekit.analyse.waves import tracking_summary

    row = {"scope": f"segment {SCRIPT}", "group": IMG, "label": f"Money {LINK}", "kind": "sacrifice",
           "statistic_type": "mean", "wave": f"2 {SVG}", "baseline": "1 *bold* `code`", "n": 300, "n_baseline": 310,
           "value": 4.4, "baseline_value": 4.0, "diff": 0.4, "ci_low": 0.2, "ci_high": 0.6, "effect": 0.4,
           "effect_size": "hedges_g", "p_adj": 0.001, "finding": True, "direction": "up", "grade": "moderate"}
    text = tracking_summary(pd.DataFrame([row]), names={IMG: f"line\nbreak $x$ {SCRIPT}"})
    assert not _raw(text)
    assert "[x](javascript" not in text and r"\[x\](javascript" in text  # no link, the text kept
    assert r"\*bold\* \`code\`" in text and r"\$x\$" in text
    assert "line break" in text  # one line per finding: a label's line break cannot start a block
    assert [bool(line) for line in text.splitlines()] == [True, False, True]  # the finding, then the bar
    import mistune  # the Markdown renderer of nbconvert's HTML pages (raw HTML passes through it)

    rendered = mistune.html(text)
    assert "href" not in rendered and "<em>" not in rendered and "<code>" not in rendered
    assert not _raw(rendered) and html.escape(SCRIPT, quote=False) in rendered


@pytest.mark.adversarial("result")
def test_every_dashboard_html_is_escaped(page):
    from valuekit.present.app import startup_error

    shown = _widget_html(page)
    markup = "".join(v for kind, v in shown if kind == "html")
    assert not _raw(markup)
    assert html.escape(f"Plan {SCRIPT}", quote=False) in markup or html.escape(f"Plan {SCRIPT}") in markup
    assert html.escape(SCRIPT) in markup  # the survey's name and labels in the title and tables
    assert not _raw(startup_error(ValuekitError(f"lever {IMG} {SCRIPT}")).children[0].value)


@pytest.mark.adversarial("result")
def test_a_label_with_dollars_is_drawn_as_written():
    from valuekit.present.plots import plot_drivers

    label = r"Cost in $\frac$ and $5"
    table = pd.DataFrame({"group": "all", "driver": ["a", "b"], "label": [label, "ok"], "share": [40.0, 20.0],
                          "ci_low": [30.0, 10.0], "ci_high": [50.0, 30.0], "n": 500, "r2": 0.4})
    ax = plot_drivers(table)
    own = ax.text(0.5, 0.5, r"$R^2$ by the caller")  # the caller's own math is left alone
    ax.figure.savefig(io.BytesIO(), format="png")  # mathtext would raise on \frac
    texts = [t for t in ax.get_yticklabels() if t.get_text() == label]
    assert texts and not texts[0].get_parse_math()
    assert own.get_parse_math()
    matplotlib.pyplot.close(ax.figure)


# -- slider precision and absurd steps ------------------------------------------------------


def _lever(step, rng=(-2, 2)):
    return {"levers": {"staff": {"how": "points", "moves": ["experiential.interactions"], "range": list(rng),
                                 "step": step, "value_lever": "offer"}}}


@pytest.mark.adversarial("error")
def test_a_step_too_fine_for_the_slider_is_refused():
    with pytest.raises(LeverError, match=r"lever key 'levers\.staff\.step': a step of 1e-12 cuts the range "
                                         r"\[-2, 2\] into 4,000,000,000,000 positions, more than the 10,000 .*"
                                         r"limits\.max_positions.*at least 0\.0004"):
        read_levers(_lever(1e-12), vk.DEMO_CODEBOOK)
    with pytest.raises(LeverError, match=r"levers\.staff\.step': step 1e-17 .* more than 15 decimals"):
        read_levers(_lever(1e-17, (-1e-14, 1e-14)), vk.DEMO_CODEBOOK)
    with pytest.raises(ParameterError, match="max_positions: expected"):
        read_levers(_lever(0.25), vk.DEMO_CODEBOOK, max_positions=0)


@pytest.mark.adversarial("result")
def test_the_readout_shows_the_steps_decimals(page):
    levers = read_levers(_lever(0.0004), vk.DEMO_CODEBOOK)  # exactly 10,000 positions
    assert levers["staff"].decimals == 4
    assert read_levers(_lever(1e-3), vk.DEMO_CODEBOOK, max_positions=5000)["staff"].decimals == 3
    assert read_levers(_lever(0.1 + 0.2, (-3, 3)), vk.DEMO_CODEBOOK)["staff"].decimals == 1
    assert read_levers(_lever(0.5, (-1.25, 1.25)), vk.DEMO_CODEBOOK)["staff"].decimals == 2  # positions -1.25, -0.75
    board = page.dashboard
    for lever in board.engine.levers:
        assert board.sliders[lever.name].readout_format == f".{lever.decimals}f"
    fine = next(iter(board.engine.levers))
    assert fine.step == 0.005 and board.sliders[fine.name].readout_format == ".3f"


# -- wave labels spelt two ways -------------------------------------------------------------


def _waves_file(tmp_path, labels) -> Path:
    raw = pd.read_csv(vk.DEMO_DATA, dtype=str, keep_default_na=False)
    raw["wave"] = [labels[int(w) - 1] for w in raw["wave"]]
    raw.loc[raw.index[-3:], "wave"] = labels[2] if len(labels) > 2 else labels[1]
    path = tmp_path / "waves.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("labels", [["1", "2", "02"], ["1", "2.5", "002.5"]])
def test_wave_labels_spelt_two_ways_in_one_column_are_refused(tmp_path, labels):
    path = _waves_file(tmp_path, labels)
    with pytest.raises(SurveyError, match=rf"waves.csv: wave column 'wave' holds '{labels[1]}' \(data row \d+\) "
                                          rf"and '{labels[2]}' \(data row \d+\), which differ only by leading zeros"):
        load_waves(path, vk.DEMO_CODEBOOK, wave_column="wave")


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("labels, merged", [
    (["1", "2", "2 "], ["1", "2"]),
    (["Café", "Été", unicodedata.normalize("NFD", "Été")], ["Café", "Été"]),
])
def test_wave_labels_apart_only_in_spaces_or_unicode_form_are_one_wave(tmp_path, labels, merged):
    """Spaces around a label and its Unicode form (NFC) are set aside, as for ids: one wave,
    every row counted in it."""
    path = _waves_file(tmp_path, labels)
    waves = load_waves(path, vk.DEMO_CODEBOOK, wave_column="wave")
    assert waves.labels == merged
    assert waves.accounting()["rows_in"].iloc[-1] == len(pd.read_csv(vk.DEMO_DATA))


@pytest.mark.adversarial("error")
def test_wave_labels_spelt_two_ways_across_files_are_refused(tmp_path):
    raw = pd.read_csv(vk.DEMO_DATA)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    raw[raw["wave"] == 1].to_csv(a, index=False)
    raw[raw["wave"] == 2].to_csv(b, index=False)
    with pytest.raises(SurveyError, match=r"wave labels '01' \(a.csv\) and '1' \(b.csv\) differ only by leading "
                                          r"zeros; expected one label per wave"):
        load_waves({"01": a, "1": b}, vk.DEMO_CODEBOOK)
    shutil.copy(b, tmp_path / "01.csv")
    with pytest.raises(SurveyError, match=r"wave labels '1' \(a.csv\) and '01' \(01.csv\) differ only by leading"):
        load_waves({"1": a, "01": tmp_path / "01.csv"}, vk.DEMO_CODEBOOK, wave_column="wave")


@pytest.mark.adversarial("result")
def test_one_spelling_per_wave_loads_as_written(tmp_path):
    path = _waves_file(tmp_path, ["01", "02"])
    waves = load_waves(path, vk.DEMO_CODEBOOK, wave_column="wave")
    assert waves.labels == ["01", "02"]
    assert waves.accounting()["rows_in"].iloc[-1] == len(pd.read_csv(vk.DEMO_DATA))
    padded = _waves_file(tmp_path, [" 1", " 2"])  # every row padded alike: one spelling each
    assert load_waves(padded, vk.DEMO_CODEBOOK, wave_column="wave").labels == ["1", "2"]


# -- in the browser -------------------------------------------------------------------------


def _open(chromium, url: str | None = None, content: str | None = None) -> tuple[object, str, int]:
    """Load a page offline; return ``window.__vk_pwned``, the page's visible text and its javascript: links."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            tab = browser.new_page()
            tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                      else route.abort())  # offline: no CDN scripts, no beacons
            if url is not None:
                tab.goto(url, wait_until="load")
            else:
                tab.set_content(content, wait_until="load")
            tab.wait_for_timeout(500)  # an onerror / onload handler would have run by now
            flag = tab.evaluate("typeof window.__vk_pwned === 'undefined' ? null : window.__vk_pwned")
            links = tab.evaluate("Array.from(document.querySelectorAll('a[href]'))"
                                 ".filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length")
            return flag, tab.inner_text("body"), links
        finally:
            browser.close()


@pytest.fixture(scope="module")
def report(poisoned, tmp_path_factory):
    from valuekit.report import run_report

    files, codebook, _ = poisoned
    out = tmp_path_factory.mktemp("report")
    from valuekit.report import notebook_sequence

    keep = {"01_load_and_audit", "03_segments", "08_tracking"}

    skip = [nb.stem for nb in notebook_sequence() if nb.stem not in keep]
    result = run_report(files, codebook, out, skip=skip, parameters={"n_boot": 10}, progress=None)
    assert not result.failed, [str(p) for p in result.failed]
    return out


@pytest.mark.adversarial("result")
@pytest.mark.parametrize("notebook, shown", [
    ("01_load_and_audit", []),
    ("03_segments", [f"price first {LINK}", f"Functional {SCRIPT}", f"Economic {IMG}"]),
    ("08_tracking", [f"Money {IMG}", f"Interactions {LINK}"]),
])
@pytest.mark.slow
def test_report_pages_show_payloads_as_text(chromium, report, notebook, shown):
    flag, text, links = _open(chromium, url=(report / f"{notebook}.html").as_uri())
    assert flag is None, f"{notebook}.html ran a payload"
    assert links == 0
    for payload in shown:
        assert payload in text, f"{notebook}.html does not show {payload!r} as text"


@pytest.mark.slow
@pytest.mark.adversarial("result")
def test_dashboard_widgets_show_payloads_as_text(chromium, page, explorer):
    from valuekit.present.app import startup_error

    shown = _widget_html(page) + _widget_html(explorer.widget)
    shown += _widget_html(startup_error(ValuekitError(f"lever key 'x': {SVG} {SCRIPT}")))
    explorer.grouping.value = "channel"  # its display names; the first grouping's view is shown above
    shown += [("html", explorer.html.value)]
    body = "\n".join(f"<div>{v}</div>" if kind == "html" else f"<div>{html.escape(v)}</div>" for kind, v in shown)
    flag, text, links = _open(chromium, content=f"<!doctype html><html><body>{body}</body></html>")
    assert flag is None and links == 0
    for payload in (f"Plan {SCRIPT}", f"Survey {SCRIPT}", f"shop {LINK} {IMG}", f"{SVG} {SCRIPT}"):
        assert payload in text, payload
    assert SCRIPT in text and IMG in text and SVG in text
