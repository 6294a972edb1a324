"""The what-if dashboard page: what ``valuekit dashboard`` serves with Voilà.

:func:`dashboard_page` builds the whole page for one survey — a title with the survey's
name and size, and :class:`valuekit.present.widgets.WhatIfDashboard` over the survey's own levers
with segment names in English, Spanish and Italian — from the same recipe as notebook 07
(:func:`valuekit.decide.scenario.build_engine`). The page notebook (``valuekit/present/dashboard.ipynb``)
is one parameters cell and one call, so Voilà shows the dashboard and nothing else.
"""

from __future__ import annotations

import html
import sys
import traceback
from pathlib import Path

from ..config import DATA_DIR, DEMO_CODEBOOK, DEMO_DATA
from ..errors import ParameterError, ValuekitError

__all__ = ["dashboard_page", "prepare_engine", "free_kernel_on_close", "startup_error"]

# Voilà's page stops its kernel when the tab closes (a beacon from ``beforeunload``), but the
# beacon carries the ``_xsrf`` cookie, which the page never sets (voila-dashboards/voila#1458),
# so the server refuses it and the kernel waits for the idle cull. This sets a random
# ``_xsrf`` cookie when there is none: the double-submit check the server makes still holds.
_XSRF_SCRIPT = """<script>
(function () {
  if (!/(^|;\\s*)_xsrf=/.test(document.cookie)) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var token = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    document.cookie = "_xsrf=" + token + "; path=/; SameSite=Strict";
  }
})();
</script>"""


def free_kernel_on_close():
    """An HTML output that lets a closed dashboard tab stop its kernel at once (see above).

    Display it in the page notebook; it shows nothing.
    """
    from IPython.display import HTML  # deferred: IPython

    return HTML(_XSRF_SCRIPT)


def dashboard_page(data=None, codebook=None, *, levers=None, read_options: dict | None = None,
                   exclude=("missing_id", "duplicate_id", "no_answers", "straightliner", "speeder", "invalid_weight"),
                   n_segments: int | None = None, random_state: int = 2026, save_dir: str | Path = "scenarios",
                   lang: str = "en", figure: bool = True, cache_dir: str | Path | None = None):
    """The dashboard page for a survey (the demo survey and its lever file when ``data`` is None).

    With ``cache_dir``, the engine's expensive state is read from that folder when this
    survey's is there, and kept there otherwise (:mod:`valuekit.decide.engine_cache`):
    ``valuekit dashboard`` prepares it before serving, so every visitor's page starts from it.

    A page that cannot be built (the survey file changed since the server started, a lever
    that no longer fits, too few respondents for the segments, ...) is shown as a readable
    message on the page (:func:`startup_error`), not as Voilà's "error when executing cell".

    Returns
    -------
    ipywidgets.VBox
        Display it; ``.dashboard`` is the :class:`~valuekit.present.widgets.WhatIfDashboard`, or
        None (with ``.error``, the exception) when the page could not be built.
    """
    try:
        return _page(data, codebook, levers=levers, read_options=read_options, exclude=exclude,
                     n_segments=n_segments, random_state=random_state, save_dir=save_dir, lang=lang,
                     figure=figure, cache_dir=cache_dir)
    except Exception as err:  # noqa: BLE001 (every failure becomes a message on the page)

        if not isinstance(err, ValuekitError):  # a bug: its traceback goes to the server's log
            traceback.print_exc(file=sys.__stderr__ or sys.stderr)
        return startup_error(err, lang)


def startup_error(err: Exception, lang: str = "en"):
    """The page shown instead of the dashboard when it cannot start: what went wrong, in words.

    A :class:`~valuekit.errors.ValuekitError` is a problem with the analyst's files or
    settings: its message says which and what was expected. Anything else is a bug in
    valuekit, said as such (the traceback is in the server's log). The lead and the hint
    are in ``lang`` (en, es, it; another value is read as en); the error's own message
    names the file, column or key as valuekit wrote it.
    """
    import ipywidgets as widgets  # deferred: ipywidgets

    from ..survey.codebook import ui_text  # deferred: with the page

    lang = lang if lang in ("en", "es", "it") else "en"
    kind = "ui_startup_input" if isinstance(err, ValuekitError) else "ui_startup_bug"
    lead, hint = ui_text(kind, lang), ui_text(f"{kind}_hint", lang)
    box = widgets.HTML(
        "<div role='alert' class='vk-startup-error' style='border:1px solid #c0392b;border-radius:4px;"
        "padding:12px 16px;max-width:60em;background:#fdf2f0'>"
        f"<h2 style='margin:0 0 6px 0;color:#c0392b'>{html.escape(lead)}</h2>"
        f"<p style='white-space:pre-wrap;font-family:monospace'>{html.escape(type(err).__name__)}: "
        f"{html.escape(str(err))}</p><p>{html.escape(hint)}</p></div>")
    page = widgets.VBox([box])
    page.add_class("vk-page")
    page.dashboard = None
    page.error = err
    return page


def prepare_engine(data=None, codebook=None, *, levers=None, read_options: dict | None = None,
                   exclude=("missing_id", "duplicate_id", "no_answers", "straightliner", "speeder", "invalid_weight"),
                   n_segments: int | None = None, random_state: int = 2026, lang: str = "en",
                   cache_dir: str | Path | None = None):
    """The survey, its levers and the scenario engine the dashboard page shows (the demo
    survey and its lever file when ``data`` is None), the engine's state read from or kept
    in ``cache_dir``. ``valuekit dashboard`` calls it once before serving, so that the
    first visitor's page already finds the state.

    Returns
    -------
    tuple
        ``(survey, levers, engine)``; ``engine.cache`` says whether the state was read or computed.
    """
    from ..decide.scenario import build_engine  # deferred: scikit-learn
    from ..survey.audit import load_survey  # deferred: pyarrow
    from ..survey.levers import read_levers  # deferred: pyarrow

    if (data is None) != (codebook is None):
        raise ParameterError("give both data and codebook, or neither (the demo survey)", name="codebook")
    demo = data is None
    survey = load_survey(DEMO_DATA if demo else data, codebook=DEMO_CODEBOOK if demo else codebook,
                         exclude=list(exclude), **(read_options or {}))
    lever_set = read_levers(levers if levers is not None else (DATA_DIR / "demo_levers.yaml" if demo else None),
                            survey.codebook)
    engine, _, _ = build_engine(survey, lever_set, n_segments=n_segments, random_state=random_state, lang=lang,
                                cache_dir=cache_dir)
    return survey, lever_set, engine


def _page(data, codebook, *, levers, read_options, exclude, n_segments, random_state, save_dir, lang, figure,
          cache_dir=None):
    import ipywidgets as widgets  # deferred: ipywidgets

    from ..decide.scenario import NO_SEGMENT  # deferred: scikit-learn
    from ..survey.codebook import ui_text  # deferred: with the page
    from .reader import format_number  # deferred: Babel
    from .widgets import WhatIfDashboard  # deferred: scikit-learn

    survey, lever_set, engine = prepare_engine(data, codebook, levers=levers, read_options=read_options,
                                               exclude=exclude, n_segments=n_segments, random_state=random_state,
                                               lang=lang, cache_dir=cache_dir)
    cb = survey.codebook
    from ..decide.price_moves import price_grid, price_move_gap  # deferred: with the page

    # who would buy at each step of the price lever, when the codebook says how (else no such line)
    price = None if price_move_gap(cb, lever_set) else price_grid(survey, engine, draws=500, random_state=random_state)
    dashboard = WhatIfDashboard(engine, names=engine.segment_names, save_dir=save_dir, figure=figure, lang=lang,
                                price=price)
    title = widgets.HTML()
    title.add_class("vk-title")

    def header(lang: str) -> None:  # in the page's language, again after a switch
        line = ui_text("ui_page_header", lang, customers=format_number(len(engine.index), "count", lang),
                       levers=format_number(len(lever_set), "count", lang), source=lever_set.source,
                       segments=sum(s != NO_SEGMENT for s in engine.segment_levels))  # the unsegmented: no segment
        title.value = (f"<h2 style='margin:0 0 2px 0'>{html.escape(cb.name or cb.source)}</h2>"
                       f"<div style='color:#555;margin-bottom:8px'>{html.escape(line)}</div>")

    header(lang)
    dashboard.on_language(header)
    page = widgets.VBox([title, dashboard.widget])
    page.add_class("vk-page")
    page.dashboard = dashboard
    return page
