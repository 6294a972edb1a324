"""Run the notebook sequence on any survey with papermill and write HTML reports; serve
the what-if dashboard with Voilà.

Each notebook in ``valuekit/notebooks/`` (``NN_name.ipynb``, in number order) has a cell tagged
``parameters`` with ``data_path`` and ``codebook_path``; :func:`run_report` injects the
analyst's files there, executes the notebook on this Python's kernel, and writes the
executed notebook and an HTML page per notebook into the output folder. A notebook whose
metadata says ``"valuekit": {"needs": ["sacrifices"]}`` is not run on a benefits-only
survey; its page says why.

A tracking report is given several waves (several exports, or one export and its wave
column): every other notebook analyses the latest file given, and the notebook whose metadata
says ``"needs": ["waves"]`` (``08_tracking``) compares the waves (its parameters
``wave_paths`` and ``wave_column``). Given one survey, that notebook runs when the survey has
the column its own ``wave_column`` parameter names (``"wave"``) with two or more waves;
otherwise its page says it needs waves.

A notebook that stops on an error does not stop the report: its page says why in one
sentence (the cell and the error; the executed notebook is kept beside it) and the
notebooks after it run. ``index.html`` in the output folder links every page with its
status (written, skipped, failed) and why; :func:`run_report` returns the same as a
:class:`Report`.
"""

from __future__ import annotations

import ast
import errno
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ._validate import check as _check
from .config import DEMO_CODEBOOK, DEMO_DATA, NOTEBOOKS_DIR
from .errors import NotebookError, ParameterError
from .survey.audit import load_survey
from .survey.codebook import read_codebook, ui_text
from .survey.labels import md_text
from .survey.levers import read_levers

__all__ = ["notebook_sequence", "run_report", "Report", "Page", "resolve_skip", "check_parameters", "serve_dashboard",
           "dashboard_command", "voila_environment", "headlines"]

#: The kernelspec name our temporary spec takes: "python3", so that it also shadows, for
#: Voila, any other "python3" kernel the machine has (notebooks name that kernel).
KERNEL_NAME = "python3"


def notebook_sequence(directory: str | Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``01_...ipynb``, ``02_...``) in order."""
    found = sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {directory}")
    return found


@contextmanager
def _this_python_kernel():
    """A "python3" kernelspec, first on JUPYTER_PATH, running notebooks on this interpreter
    whatever else is installed (child processes such as Voila inherit it)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                         "--IPKernelApp.log_level=CRITICAL"],  # no kernel chatter in the report log
                "display_name": "valuekit (report)", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        before = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, before]))
        try:
            yield KERNEL_NAME
        finally:
            if before is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = before


def _check_inputs(data, codebook) -> tuple[Path, Path]:
    """The survey and codebook as absolute paths of existing files (their contents are read
    and audited once, by :func:`check_parameters`)."""
    data = _check.input_file("data", data, "survey export").resolve()
    codebook = _check.input_file("codebook", codebook, "codebook").resolve()
    return data, codebook


_READ_OPTIONS = ("format", "encoding", "sep", "decimal", "sheet", "limits")


def _read_options(options) -> dict:
    if not isinstance(options, dict):
        raise ParameterError(f"read_options: expected a mapping of {list(_READ_OPTIONS)}, got {options!r}",
                             name="read_options")
    unknown = sorted(set(options) - set(_READ_OPTIONS))
    if unknown:
        raise ParameterError(f"read_options: unknown {unknown}; expected some of {list(_READ_OPTIONS)}",
                             name="read_options")
    return options


def _declared(nb: Path) -> dict:
    """The parameters a notebook declares (papermill); a notebook papermill cannot read (no
    kernel named, not a notebook) is refused, named, before anything runs."""
    import papermill as pm  # deferred: papermill

    try:
        return pm.inspect_notebook(str(nb))
    except Exception as err:  # noqa: BLE001 (papermill raises ValueError, JSON and nbformat errors alike)
        raise ParameterError(f"notebooks: papermill cannot read {Path(nb).name}: {type(err).__name__}: "
                             f"{_first_line(err)}", name="notebooks") from None


def check_parameters(data, codebook, parameters: dict | None, notebooks: list[Path]) -> dict:
    """Check the report's parameters against the notebooks and the survey, before any runs.

    The survey is loaded and audited once with them (so a wrong ``exclude``, read option or
    codebook fails here), and the number of segments is checked against
    :data:`valuekit.analyse.segments.MAX_SEGMENTS` and the respondents kept. Returns the parameters
    with the checked values.

    Raises
    ------
    ParameterError
        A parameter no notebook takes, or a value of the wrong type or range (named).
    """
    return _checked(data, codebook, parameters, notebooks)[0]


def _checked(data, codebook, parameters: dict | None, notebooks: list[Path]) -> tuple[dict, object]:
    """:func:`check_parameters`, and the survey it loaded (for the index page)."""
    from .analyse.segments import MAX_SEGMENTS  # deferred: scikit-learn

    params = dict(parameters or {})
    if parameters is not None and not isinstance(parameters, dict):
        raise ParameterError(f"parameters: expected a mapping of notebook parameters, got {parameters!r}",
                             name="parameters")
    declared = set().union(*(_declared(nb) for nb in notebooks)) - {"data_path", "codebook_path"}
    unknown = sorted(set(params) - declared)
    if unknown:
        raise ParameterError(f"parameters: no notebook takes {unknown}; the notebooks take {sorted(declared)}",
                             name="parameters")
    if "method" in params:  # 03/04: the segmentation method; 05: the driver method
        raise ParameterError("parameters: 'method' means the segmentation method in 03_segments and the driver "
                             "method in 05_drivers_and_comparisons; set it in the notebook you run, not for "
                             "the whole report", name="method")
    read_options = _read_options(params.get("read_options", {}))
    audit_options = {k: params[k] for k in ("exclude", "speeder_fraction") if k in params}
    survey = load_survey(data, codebook, **read_options, **audit_options)
    cb, kept = survey.codebook, len(survey.data)
    if params.get("n_segments") is not None:
        k = params["n_segments"] = _check.integer("n_segments", params["n_segments"], min=2, max=MAX_SEGMENTS)
        if k > kept:
            raise ParameterError(f"n_segments: {k} segments asked for, but the audit kept {kept} respondents "
                                 f"of {Path(data).name}; at most {kept}", name="n_segments")
    checks = {
        "n_boot": lambda v: _check.integer("n_boot", v, min=1),
        "random_state": lambda v: _check.integer("random_state", v, min=0),
        "lang": lambda v: _check.choice("lang", v, ("en", "es", "it")),
        "index_weights": lambda v: _check.choice("index_weights", v, ("equal", "stated")),
        "min_answered": lambda v: _check.number("min_answered", v, min=0, max=1, min_open=True),
        "min_blocks": lambda v: _check.number("min_blocks", v, min=0, max=1, min_open=True),
        "neutral_band": lambda v: _check.number("neutral_band", v, min=0, max=1, max_open=True),
        "top": lambda v: _check.integer("top", v, min=1),
        "k_range": lambda v: [_check.integer("k_range", k, min=2, max=min(MAX_SEGMENTS, kept))
                              for k in (v if isinstance(v, (list, tuple, range)) else [v])],
        "group_by": lambda v: _check.choice("group_by", v, cb.context_columns),
        "wave_column": lambda v: _check.text("wave_column", v),
        "levers_path": lambda v: str(_check.input_file("levers_path", v, "lever file").resolve()),
    }
    for key, check in checks.items():
        if params.get(key) is not None:
            params[key] = check(params[key])
    if params.get("outcome") is not None:
        try:
            cb.outcome_column(params["outcome"])
        except (ValueError, TypeError) as err:
            raise ParameterError(f"outcome: {err}", name="outcome") from None
    return params, survey


def _waves_arg(data, wave_column) -> tuple[list[Path], str | None]:
    """The report's survey files (one or more) and wave column, checked."""
    files = list(data) if isinstance(data, (list, tuple)) else [data]
    if not files:
        raise ParameterError("data: expected a survey export (or several, one per wave)", name="data")
    if wave_column is not None:
        wave_column = _check.text("wave_column", wave_column)
    return [_check.input_file("data", f, "survey export").resolve() for f in files], wave_column


#: How a page of the report came about: its notebook ran to the end (``written``); it was not
#: run, for the reason its page states (``skipped``: the survey measured no sacrifices, it was
#: given one wave, or the analyst asked to skip it); it stopped on an error (``failed``: the
#: page says why, the executed notebook is kept beside it); or the run was interrupted before
#: it (``not run``: listed in the index only).
STATUSES = ("written", "skipped", "failed", "not run")


@dataclass(frozen=True)
class Page:
    """One page of a report: the notebook, the HTML written for it and how it went.

    ``reason`` is one sentence saying why a page was skipped or failed (empty for a written
    page); ``executed`` the executed notebook beside the page (written and failed pages,
    when papermill wrote one); ``error`` the :class:`NotebookError` of a failed page;
    ``position`` its place in the sequence (1-based) of ``total`` notebooks.
    """

    notebook: str
    html: Path
    status: str
    reason: str = ""
    seconds: float = 0.0
    executed: Path | None = None
    error: NotebookError | None = field(default=None, compare=False)
    position: int = 0
    total: int = 0

    def line(self) -> str:
        """The progress line: ``[ 9/10] 09_value_model   failed   12.3 s  <why>``."""
        width = len(str(self.total))
        where = f"[{self.position:>{width}}/{self.total}] " if self.total else ""
        took = f"{self.seconds:7.1f} s" if self.status in ("written", "failed") else " " * 9
        why = f"  {self.reason}" if self.reason else ""
        return f"{where}{self.notebook:<30} {self.status:<8}{took}{why}".rstrip()

    __str__ = line


@dataclass(frozen=True)
class Report(Sequence):
    """What :func:`run_report` wrote: a sequence of the HTML pages (one per notebook, in
    order), with each page's :class:`Page` record, the index page and the time taken.

    ``ok`` is true when no page failed (skipped pages say why and are not failures);
    :meth:`raise_for_failures` raises the first failure's :class:`NotebookError`.

    Attributes
    ----------
    pages : tuple of Page
        Every notebook's page, in order.
    index : Path
        The index page.
    seconds : float
        The time the report took.
    pdf : Path or None
        The whole report as one PDF (``report.pdf``), when it was printed.
    pdf_note : str
        Why there is no PDF, when there is none.
    """

    pages: tuple[Page, ...]
    index: Path
    seconds: float = 0.0
    pdf: Path | None = None
    pdf_note: str = ""

    def __getitem__(self, i):
        return [p.html for p in self.pages[i]] if isinstance(i, slice) else self.pages[i].html

    def __len__(self) -> int:
        return len(self.pages)

    def page(self, notebook: str) -> Page:
        """The page of one notebook, by its name (``09_value_model`` or ``09_value_model.ipynb``)."""
        for p in self.pages:
            if p.notebook == Path(notebook).stem:
                return p
        raise KeyError(f"no page for '{notebook}'; pages: {[p.notebook for p in self.pages]}")

    def _with(self, status: str) -> list[Page]:
        return [p for p in self.pages if p.status == status]

    @property
    def written(self) -> list[Page]:
        """The pages written."""
        return self._with("written")

    @property
    def skipped(self) -> list[Page]:
        """The pages skipped, each with its reason."""
        return self._with("skipped")

    @property
    def failed(self) -> list[Page]:
        """The pages that failed, each with its error."""
        return self._with("failed")

    @property
    def ok(self) -> bool:
        """True when every page was written or skipped for a stated reason."""
        return not self.failed and not self._with("not run")

    def summary(self) -> str:
        """How many pages were written, skipped and failed, and the time taken."""
        counts = ", ".join(f"{len(self._with(s))} {s}" for s in STATUSES if self._with(s))
        return f"{len(self.pages)} page(s): {counts}; {self.seconds:.0f} s"

    def raise_for_failures(self) -> None:
        """Raise the first failed page's :class:`NotebookError` (naming the others), if any."""
        if not self.failed:
            return
        first, others = self.failed[0], [p.notebook for p in self.failed[1:]]
        more = f" (also failed: {', '.join(others)})" if others else ""
        raise NotebookError(f"{first.error}{more}", notebook=first.error.notebook, cell=first.error.cell)


def resolve_skip(skip, notebooks: list[Path], *, name: str = "skip") -> set[str]:
    """The notebooks (stems) to skip, checked against the sequence.

    Each entry is a notebook's name (``09_value_model``), its file name
    (``09_value_model.ipynb``) or its number (``09``, ``9``).

    Raises
    ------
    ParameterError
        An entry naming no notebook of the sequence (named, with the sequence).
    """
    if skip is None:
        return set()
    if isinstance(skip, (str, Path)):
        skip = [skip]
    if not isinstance(skip, (list, tuple, set, frozenset)):
        raise ParameterError(f"{name}: expected a list of notebook names such as ['09_value_model'], got {skip!r}",
                             name=name)
    stems = [nb.stem for nb in notebooks]

    def same(stem: str, text: str) -> bool:
        number = stem.split("_", 1)[0]
        return stem == text or number == text or (text.isdigit() and number.isdigit() and int(text) == int(number))

    chosen = set()
    for entry in skip:
        ok = isinstance(entry, (str, Path)) or (isinstance(entry, int) and not isinstance(entry, bool))
        text = Path(str(entry).strip()).name.removesuffix(".ipynb") if ok else ""
        matches = [s for s in stems if text and same(s, text)]
        if not matches:
            raise ParameterError(f"{name}: no notebook {entry!r} in the report's sequence; the notebooks are "
                                 f"{stems} (give a name, a file name or a number)", name=name)
        chosen.update(matches)
    return chosen


def run_report(data: str | Path | list, codebook: str | Path, out: str | Path, *,
               notebooks: list[Path] | None = None, timeout: int = 600, wave_column: str | None = None,
               parameters: dict | None = None, skip=None, with_code: bool = False, pdf: bool = True,
               progress=print) -> Report:
    """Execute the notebook sequence on a survey (or several waves); write ``.ipynb``, ``.html``
    and an ``index.html`` linking every page.

    The HTML pages are the **reader edition** (:mod:`valuekit.present.edition`): no code, no
    parameters or paths, each page linked to the index and the pages before and after it.
    ``with_code=True`` also writes the **analyst edition**, the executed notebooks as
    JupyterLab shows them, as ``NN_name.code.html`` beside each page.

    A notebook that cannot run on the survey does not stop the report: its page says why in
    one sentence (the error, and the cell it stopped at), the executed notebook is kept
    beside it, and the notebooks after it run. A notebook that needs what the survey lacks
    (sacrifices, several waves), or that ``skip`` names, is not run; its page says why.

    Parameters
    ----------
    data : path, or list of paths
        The survey export, or one export per wave (in wave order). With several, notebooks
        every notebook but ``08_tracking`` analyses the last one; ``08_tracking`` compares them all.
    codebook : path
        The codebook (one for every wave). The survey and codebook are checked (read and
        validated) before any notebook runs, so a wrong path fails at once with a clear
        message.
    wave_column : str, optional
        The column telling waves apart within a file: with it, ``08_tracking`` runs on one
        file too (and splits several files by it).
    out : path
        Output folder, created if missing.
    notebooks : list of Path, optional
        Default: :func:`notebook_sequence`.
    timeout : int, default 600
        Seconds allowed per cell (papermill ``execution_timeout``).
    parameters : dict, optional
        Extra notebook parameters, e.g. ``{"exclude": ["missing_id"]}``, or
        ``{"read_options": {"sheet": "Responses"}}`` (keywords for ``load_survey``), or
        ``{"n_boot": 50}`` (fewer bootstrap resamples in every notebook that draws them).
    skip : list of str, optional
        Notebooks not to run, by name (``09_value_model``), file name or number (``09``);
        checked against the sequence before anything runs.
    with_code : bool, default False
        Write the analyst edition (``NN_name.code.html``, code and all) beside each page.
    pdf : bool, default True
        Print the pages written into one PDF, ``report.pdf``, each starting on a new sheet,
        with the Chromium of this machine; without one, the index says why there is none.
    progress : callable or None, default print
        Called with each notebook's :class:`Page` when it is done (``str(page)`` is a
        progress line: position, notebook, status, seconds, why); None: silent.

    Returns
    -------
    Report
        The pages (a sequence of the HTML files, in notebook order, each with its
        :class:`Page` record: ``report.pages``, ``report.failed``...) and ``report.index``.

    Raises
    ------
    ValuekitError
        Before any notebook runs: a wrong path, codebook, parameter, wave or ``skip``.
        A notebook failing later is a failed page, not an exception (see
        :meth:`Report.raise_for_failures`).
    """
    import nbformat  # deferred: nbformat

    from .present import edition  # deferred: nbconvert

    started = time.monotonic()
    notebooks = notebook_sequence() if notebooks is None else [Path(nb) for nb in notebooks]
    timeout = _check.integer("timeout", timeout, min=1)
    skipped = resolve_skip(skip, notebooks)
    if progress is not None and not callable(progress):
        raise ParameterError(f"progress: expected a callable (such as print) or None, got {progress!r}",
                             name="progress")
    with_code, pdf = _check.flag("with_code", with_code), _check.flag("pdf", pdf)
    files, data, codebook, params, survey = _report_inputs(data, codebook, wave_column, parameters, notebooks)
    tracking = "wave_paths" in params
    cb = read_codebook(codebook)
    _never_over_inputs(out, notebooks, files, codebook, params)
    out = _check.output_dir("out", out, "report folder")
    titles = {nb.stem: edition.page_title(nbformat.read(nb, as_version=4)) or nb.stem for nb in notebooks}
    links = _page_links(notebooks, titles, skipped)
    pages: list[Page] = []
    total = len(notebooks)

    def done(page: Page) -> None:
        pages.append(page)
        if progress is not None:
            progress(page)

    report, printed, pdf_note = None, None, ""
    try:
        with _this_python_kernel() as kernel:
            for position, nb_path in enumerate(notebooks, start=1):
                executed, html = out / nb_path.name, out / f"{nb_path.stem}.html"
                page = partial(Page, nb_path.stem, html, position=position, total=total)
                reason = _why_not_run(nb_path, cb, tracking, skipped)
                if reason:
                    executed.unlink(missing_ok=True)  # no executed notebook of an earlier run beside a skipped page
                    _check.write_text(html, _skipped_page(nb_path.stem, reason), "HTML report")
                    done(page("skipped", reason))
                    continue
                clock = time.monotonic()
                try:
                    _write_page(nb_path, out, params, kernel, timeout, with_code,
                                reader={"title": titles[nb_path.stem], "survey": data.name, **links[nb_path.stem]})
                except NotebookError as err:
                    kept = executed if executed.exists() else None
                    _check.write_text(html, _failed_page(nb_path.stem, err, kept), "HTML report")
                    done(page("failed", getattr(err, "reason", str(err)), time.monotonic() - clock, kept, err))
                    continue
                done(page("written", "", time.monotonic() - clock, executed))
        if pdf:
            printed, pdf_note = _write_pdf(out, [p.executed for p in pages if p.status == "written"],
                                           _front_page(survey, data.name, titles, pages))
    finally:  # finished, interrupted (Ctrl-C) or stopped: the index lists what was done and what was not
        listed = {p.notebook for p in pages}
        rest = [Page(nb.stem, out / f"{nb.stem}.html", "not run", "the report stopped before this notebook",
                     position=i, total=total) for i, nb in enumerate(notebooks, start=1) if nb.stem not in listed]
        report = Report(tuple(pages + rest), out / "index.html", time.monotonic() - started, printed, pdf_note)
        _check.write_text(report.index, _index_page(report, data.name, files, titles, survey), "HTML report index")
    return report


def _page_links(notebooks: list[Path], titles: dict, skipped: set[str]) -> dict[str, dict]:
    """Each page's navigation: the index, and the pages before and after it in the sequence
    (a page skipped at the analyst's request is left out; one skipped for want of data is
    kept, since its page says why)."""
    shown = [nb.stem for nb in notebooks if nb.stem not in skipped]
    out = {}
    for i, stem in enumerate(shown):
        out[stem] = {"index": ("index.html", "All pages"),
                     "previous": (f"{shown[i - 1]}.html", titles[shown[i - 1]]) if i > 0 else None,
                     "following": (f"{shown[i + 1]}.html", titles[shown[i + 1]]) if i + 1 < len(shown) else None}
    return out


def browser_path() -> str | None:
    """The Chromium (or Chrome) of this machine, or None."""
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


def headlines(executed: str | Path, limit: int = 2) -> list[str]:
    """The first sentences of a page's "What we found" (Markdown), read from its executed notebook.

    Parameters
    ----------
    executed : str or Path
        An executed report notebook: its cells tagged ``findings`` hold the sentences
        (:mod:`valuekit.present.findings`).
    limit : int, default 2
        Sentences taken.

    Returns
    -------
    list of str
        Markdown list items without their bullet; empty when the page states no findings.
    """
    import nbformat  # deferred: nbformat

    said = []
    for cell in nbformat.read(str(executed), as_version=4).cells:
        if "findings" in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown", "")
                said += [line[2:] for line in text.splitlines() if line.startswith("- ")]
    return said[:limit]


def _front_page(survey, source: str, titles: dict, pages: list) -> str:
    """The PDF's first sheet, in Markdown: the survey, its respondents, the date, the headline
    findings page by page."""
    audit = survey.audit
    listed = []
    for i, p in enumerate([p for p in pages if p.status == "written"], start=1):
        listed.append(f"{i}. **{md_text(titles.get(p.notebook, p.notebook))}**")
        listed += [f"    - {line}" for line in headlines(p.executed)]
    name = survey.codebook.name or source
    return (f"# Customer value report\n\n**{md_text(name)}**\n\n"
            f"Survey file {md_text(source)}: {audit.rows_kept:,} respondents analysed of {audit.rows_in:,} rows. "
            f"Report written {time.strftime('%Y-%m-%d')}.\n\n" + "\n".join(listed) + "\n")


def _write_pdf(out: Path, executed: list[Path], front: str) -> tuple[Path | None, str]:
    """Print the executed notebooks' reader edition, one after the other, into ``report.pdf``
    with headless Chromium; the file, or None and why there is none."""
    import nbformat  # deferred: nbformat

    from .present import edition  # deferred: nbconvert

    if not executed:
        return None, "no PDF: no page was written"
    chromium = browser_path()
    if chromium is None:
        return None, "no PDF: no Chromium on this machine (Debian: apt-get install chromium)"
    pdf, page = out / "report.pdf", out / ".report-print.html"
    pdf.unlink(missing_ok=True)
    _check.write_text(page, edition.print_html([nbformat.read(e, as_version=4) for e in executed],
                                               title="Customer value report", front=front), "HTML report")
    try:
        with tempfile.TemporaryDirectory() as profile:
            command = [chromium, "--headless", "--disable-gpu", "--no-first-run", "--no-pdf-header-footer",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()]
            if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium's sandbox refuses root
                command.insert(1, "--no-sandbox")
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, f"no PDF: Chromium could not print the report ({_first_line(err)})"
    finally:
        page.unlink(missing_ok=True)
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        return None, f"no PDF: Chromium could not print the report (exit {done.returncode})"
    return pdf, ""


def _report_inputs(data, codebook, wave_column, parameters, notebooks: list[Path]) -> tuple:
    """The survey files, the (last) survey and codebook as checked paths, the notebooks'
    parameters (with the waves, when the report tracks them) and the survey, loaded: all
    checked before any notebook runs."""
    files, wave_column = _waves_arg(data, wave_column)
    data, codebook = _check_inputs(files[-1], codebook)
    checked, survey = _checked(data, codebook, parameters, notebooks)
    if len(files) == 1 and wave_column is None:
        wave_column = _wave_column_in(survey, notebooks)
    params = {"data_path": str(data), "codebook_path": str(codebook), **checked}
    if len(files) > 1 or wave_column is not None:
        _check_waves(files, codebook, wave_column, checked)
        params.update(wave_paths=[str(f) for f in files], wave_column=wave_column)
    return files, data, codebook, params, survey


def _write_page(nb_path: Path, out: Path, parameters: dict, kernel: str, timeout: int, with_code: bool,
                reader: dict) -> None:
    """Run one notebook into ``out`` with the ``parameters`` it declares, and write its reader
    page (``reader``: the arguments of
    :func:`valuekit.present.edition.reader_html` but the notebook), and its analyst page when
    asked. Anything going wrong is a :class:`NotebookError` naming the notebook."""
    import nbformat  # deferred: nbformat

    from .present import edition  # deferred: nbconvert

    executed = out / nb_path.name
    executed.unlink(missing_ok=True)  # a failure must not show an earlier run's notebook
    try:
        declared = _declared(nb_path)  # pass each notebook only its own parameters
        _execute(nb_path, executed, {k: v for k, v in parameters.items() if k in declared}, kernel, timeout)
        ran = nbformat.read(executed, as_version=4)
        _check.write_text(out / f"{nb_path.stem}.html", edition.reader_html(ran, **reader), "HTML report")
        if with_code:
            _check.write_text(out / f"{nb_path.stem}.code.html", edition.analyst_html(ran), "HTML report")
    except NotebookError:
        raise
    except Exception as err:  # noqa: BLE001 (reading it, or the HTML export of the executed notebook)
        raise _unexpected(nb_path.name, err) from None


def _wave_column_in(survey, notebooks: list[Path]) -> str | None:
    """The wave column of one survey, when a tracking notebook's own ``wave_column`` default
    (``"wave"`` in ``08_tracking``) names a column of the kept answers holding two or more
    waves; None otherwise (the tracking page then says it needs waves)."""
    import nbformat  # deferred: nbformat

    for nb in notebooks:
        if "waves" not in nbformat.read(nb, as_version=4).metadata.get("valuekit", {}).get("needs", []):
            continue
        default = _declared(nb).get("wave_column", {}).get("default")
        try:
            column = ast.literal_eval(default) if default else None
        except (ValueError, SyntaxError):
            continue
        if isinstance(column, str) and column in survey.data and survey.data[column].nunique() > 1:
            return column
    return None


def _why_not_run(nb_path: Path, cb, tracking: bool, skipped: set[str]) -> str:
    """Why a notebook is not run on this survey (one sentence), or "" to run it."""
    import nbformat  # deferred: nbformat

    if nb_path.stem in skipped:
        return "Not run: the report was asked to skip this notebook (skip / --skip)"
    needs = nbformat.read(nb_path, as_version=4).metadata.get("valuekit", {}).get("needs", [])
    if "waves" in needs and not tracking:  # one survey: nothing to track
        return ("This notebook compares survey waves; the report was given one survey without a wave column "
                "holding two or more waves (give several exports, or --wave-column)")
    if "sacrifices" in needs and not cb.has_sacrifices:  # benefits-only: say so, run nothing
        return cb.no_sacrifices_message("This notebook")
    return ""


def _check_waves(files: list[Path], codebook: Path, wave_column: str | None, params: dict) -> None:
    """Load every wave once before any notebook runs: a wrong file or wave column fails here."""
    from .analyse.waves import load_waves  # deferred: scikit-learn

    options = {**params.get("read_options", {}), **{k: params[k] for k in ("exclude", "speeder_fraction")
                                                     if k in params}}
    waves = load_waves(files if len(files) > 1 else files[0], codebook, wave_column=wave_column, **options)
    if len(waves) < 2:
        raise ParameterError(f"wave_column: {files[0].name} holds one wave only (column '{wave_column}'); a "
                             "tracking report needs two or more", name="wave_column")


class _NotebookFailed(NotebookError):
    """A notebook that stopped: ``reason`` is the one sentence its page and progress line show,
    ``details`` the traceback (plain text) for the analyst."""

    def __init__(self, message: str, *, reason: str, details: str = "", notebook: str | None = None,
                 cell: int | None = None):
        super().__init__(message, notebook=notebook, cell=cell)
        self.reason, self.details = reason, details


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _never_over_inputs(out, notebooks: list[Path], files: list[Path], codebook: Path, parameters: dict) -> None:
    """Refuse a report folder that is the notebooks' folder, and any page, executed notebook
    or index that would be written over an input (by file identity: links are caught)."""
    out = _check.path("out", out)
    inputs = [("the notebooks folder", folder) for folder in dict.fromkeys(nb.parent for nb in notebooks)]
    inputs += [(f"the notebook {nb.name}", nb) for nb in notebooks]
    inputs += [("data", f) for f in files] + [("codebook", codebook)]
    inputs += [(f"the parameter {name}", value) for name, value in parameters.items()
               if isinstance(value, (str, os.PathLike)) and name.endswith("_path")]
    outputs = [("out", out), ("out", out / "index.html"), ("out", out / "report.pdf")]
    outputs += [("out", out / name) for nb in notebooks
                for name in (nb.name, f"{nb.stem}.html", f"{nb.stem}.code.html")]
    _check.apart(outputs, inputs)


def _first_line(text) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _execute(nb_path: Path, executed: Path, parameters: dict, kernel: str, timeout: int) -> None:
    """Run one notebook with papermill; a failure names the notebook, the cell and the cause
    (a :class:`NotebookError` whose ``reason`` is one sentence)."""
    import papermill as pm  # deferred: papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError  # deferred: nbclient

    name = nb_path.name
    where = f"the executed notebook {executed} shows where"
    try:  # run in the output folder: the notebooks' own may be an installed package, not writable
        pm.execute_notebook(str(nb_path), str(executed), parameters=parameters, kernel_name=kernel,
                            cwd=str(executed.parent), execution_timeout=timeout, progress_bar=False,
                            report_mode=False)
    except pm.PapermillExecutionError as err:
        cause = f"{err.ename}: {_first_line(err.evalue)}".rstrip(": ")
        details = _ANSI.sub("", "\n".join(err.traceback or []))
        raise _NotebookFailed(f"notebook {name} failed at cell {err.exec_count}: {cause}; {where}",
                              reason=f"cell {err.exec_count} raised {cause}", details=details,
                              notebook=name, cell=err.exec_count) from None
    except CellTimeoutError:
        raise _NotebookFailed(f"notebook {name}: a cell ran longer than the {timeout} s allowed per cell "
                              f"(--timeout); {where}", notebook=name,
                              reason=f"a cell ran longer than the {timeout} s allowed per cell (--timeout)") from None
    except DeadKernelError:
        raise _NotebookFailed(f"notebook {name}: the Python kernel running it died (most often it ran out of "
                              f"memory); {where}", notebook=name,
                              reason="the Python kernel running it died (most often it ran out of memory)") from None
    except Exception as err:  # noqa: BLE001 (papermill or the kernel could not run it at all: say what happened)
        raise _unexpected(name, err) from None


def _unexpected(name: str, err: Exception) -> _NotebookFailed:
    """A notebook that could not be run or exported, for a reason other than its own cells."""
    cause = f"{type(err).__name__}: {_first_line(err)}".rstrip(": ")
    return _NotebookFailed(f"notebook {name} could not be run: {cause}", notebook=name,
                           reason=f"could not be run: {cause}",
                           details=_ANSI.sub("", "".join(traceback.format_exception(err))))


_STYLE = ("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
          "line-height:1.45}table{border-collapse:collapse}td,th{padding:.3rem .8rem;text-align:left;"
          "border-bottom:1px solid #ddd;vertical-align:top}td:nth-child(2),td:nth-child(3){white-space:nowrap}"
          ".failed{color:#a40000;font-weight:600}"
          ".skipped,.not-run{color:#666}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6rem}"
          ".lede{font-size:1.25rem;margin:0}a.code{margin-left:.5rem;font-size:.85rem;color:#555}</style>")


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _page(title: str, body: str, *, index_link: bool = True) -> str:

    back = "<p><a href='index.html'>All pages of this report</a></p>" if index_link else ""
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>{_STYLE}"
            f"</head><body><h1>{html.escape(title)}</h1>{body}{back}</body></html>\n")


def _skipped_page(title: str, message: str) -> str:
    """The page of a notebook not run: its title and why (both escaped: labels come from exports)."""

    return _page(title, f"<p>{html.escape(_sentence(message))}</p>")


def _failed_page(title: str, err: NotebookError, executed: Path | None) -> str:
    """The page of a notebook that stopped: why in one sentence, where the executed notebook is,
    and the traceback folded away."""

    reason = getattr(err, "reason", "") or str(err)
    body = f"<p class='failed'>This notebook could not finish on this survey: {html.escape(_sentence(reason))}</p>"
    if executed is not None:
        link = html.escape(executed.name, quote=True)
        body += (f"<p>The executed notebook, <a href='{link}'>{html.escape(executed.name)}</a>, is kept beside "
                 "this page: it shows every cell that ran and the error in full.</p>")
    details = getattr(err, "details", "")
    if details:
        body += f"<details><summary>Traceback</summary><pre>{html.escape(details)}</pre></details>"
    return _page(title, body)


def _index_page(report: Report, source: str, files: list[Path], titles: dict, survey) -> str:
    """The report's index: the survey (its name, file, date, respondents kept), then every
    page by its title with a one-line status."""
    rows = []
    for p in report.pages:
        name = html.escape(titles.get(p.notebook) or p.notebook)
        cell = name if p.status == "not run" else f"<a href='{html.escape(p.html.name, quote=True)}'>{name}</a>"
        took = f"{p.seconds:.1f} s" if p.status in ("written", "failed") else ""
        why = html.escape(_sentence(p.reason)) if p.reason else ""
        if p.status == "failed" and p.executed is not None:
            why += (f" (executed notebook: <a href='{html.escape(p.executed.name, quote=True)}'>"
                    f"{html.escape(p.executed.name)}</a>)")
        code = p.html.with_name(f"{p.notebook}.code.html")
        if p.status == "written" and code.exists():
            why += f"<a class='code' href='{html.escape(code.name, quote=True)}'>with code</a>"
        rows.append(f"<tr><td>{cell}</td><td class='{p.status.replace(' ', '-')}'>{p.status}</td>"
                    f"<td>{took}</td><td>{why}</td></tr>")
    audit = survey.audit
    waves = (f" (waves: {html.escape(', '.join(f.name for f in files))})" if len(files) > 1 else "")
    kept = (f"{audit.rows_kept:,} respondents analysed of {audit.rows_in:,} in the file"
            + (f" ({audit.rows_excluded:,} excluded, each with its reason in the audit)" if audit.rows_excluded
               else ""))
    whole = (f"<p><a href='{html.escape(report.pdf.name, quote=True)}'>The whole report as one PDF</a></p>"
             if report.pdf else (f"<p class='skipped'>{html.escape(_sentence(report.pdf_note))}</p>"
                                 if report.pdf_note else ""))
    body = (f"<p class='lede'>{html.escape(survey.codebook.name or source)}</p>"
            f"<p>Survey file: {html.escape(source)}{waves}. {kept}. Report written "
            f"{time.strftime('%Y-%m-%d')}; {html.escape(report.summary())}.</p>{whole}"
            + _headline_section(report, titles) +
            "<table><tr><th>page</th><th>status</th><th>time</th><th>notes</th></tr>" + "".join(rows) + "</table>")
    return _page("Customer value report", body, index_link=False)


def _headline_section(report: Report, titles: dict) -> str:
    """The index's headline findings: each written page's first sentences, linked to it.

    The sentences are Markdown whose text from the survey's files is already escaped
    (:func:`valuekit.survey.labels.md_text`), rendered as the notebook renders them."""
    from nbconvert.filters.markdown import markdown2html_mistune as render  # deferred: nbconvert

    parts = []
    for p in report.pages:
        said = headlines(p.executed) if p.status == "written" and p.executed is not None else []
        if said:
            title = html.escape(titles.get(p.notebook) or p.notebook)
            parts.append(f"<h3><a href='{html.escape(p.html.name, quote=True)}'>{title}</a></h3>"
                         + render("\n".join(f"- {line}" for line in said)))
    return "<h2>Headline findings</h2>" + "".join(parts) if parts else ""


#: Voilà settings for presenting: a closed tab's kernel is culled after this many idle
#: seconds (checked every CULL_INTERVAL s); open pages are connected and never culled.
#: (A tab closed normally stops its kernel at once: Voilà's page sends a shutdown beacon.)
CULL_IDLE_TIMEOUT, CULL_INTERVAL = 30, 10


def dashboard_command(notebook: str | Path, port: int, *, timeout: int = 300, preheat: bool = True) -> list[str]:
    """The Voilà command line serving the dashboard page on 127.0.0.1 only, code hidden.

    With ``preheat`` Voilà keeps one kernel that has already run the page waiting for the
    next visitor (its preheated-kernel pool), so a visitor does not wait for the kernel
    to start, import valuekit, score the survey and fit its segments. Voilà serves on
    ``port`` or not at all (``--Voila.port_retries=0``: by default it would move to
    another port without a word). The page's template is valuekit's own (``--template=valuekit``,
    found through :func:`voila_environment`): Voilà's "lab" with a "preparing the survey"
    message while a kernel builds the page, and a one-line message, not Voilà's developer
    instructions, when it could not.
    """
    voila = Path(sys.executable).with_name("voila")
    pool = ["--preheat_kernel=True", "--pool_size=1"] if preheat else []
    return [str(voila), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0",
            f"--VoilaExecutor.timeout={timeout}", "--template=valuekit", *pool,
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
            "--MappingKernelManager.cull_connected=False", str(notebook)]


def _prepare_cache(params: dict, cache_dir) -> Path:
    """Compute (or find) the dashboard engine's state in the cache folder, before serving."""
    from .decide.engine_cache import default_cache_dir  # deferred: with the engine it keeps
    from .present.app import prepare_engine  # deferred: scikit-learn

    folder = _check.output_dir("cache_dir", default_cache_dir() if cache_dir is None else cache_dir,
                               "engine cache folder").resolve()
    print("preparing the survey for the dashboard (segments, driver models) ...", flush=True)
    options = {k: params[k] for k in ("read_options", "n_segments", "random_state", "lang") if k in params}
    *_, engine = prepare_engine(params.get("data_path"), params.get("codebook_path"), levers=params.get("levers_path"),
                                cache_dir=folder, **options)
    print(f"engine state {engine.cache}", flush=True)
    return folder


def _port_free(port: int) -> None:
    """Refuse ``port`` when nothing could listen on it at 127.0.0.1 (another server holds
    it, or it needs rights this user lacks), tried by binding it as Voilà's server does
    (``SO_REUSEADDR`` on POSIX); the message names the port and a free one nearby."""

    def problem(p: int) -> OSError | None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", p))
            except OSError as err:
                return err
        return None

    err = problem(port)
    if err is None:
        return
    free = next((p for p in range(max(port + 1, 1024), min(port + 101, 65536)) if problem(p) is None), None)
    hint = f"choose another port, e.g. --port {free} (port={free})" if free else "choose another port"
    if err.errno in (errno.EACCES, errno.EPERM):
        raise ParameterError(f"port: permission denied for port {port} on 127.0.0.1 (ports below 1024 usually "
                             f"need administrator rights); {hint}", name="port")
    raise ParameterError(f"port: port {port} on 127.0.0.1 is already in use (another server, perhaps another "
                         f"dashboard); stop it or {hint}", name="port")


#: Where Voilà finds the dashboard page's template (``voila/templates/valuekit``).
VOILA_TEMPLATES = Path(__file__).parent / "present" / "templates" / "jupyter"


def voila_environment() -> dict[str, str]:
    """The environment :func:`dashboard_command` runs in: this one, with valuekit's page
    template on the Jupyter data path (``JUPYTER_PATH``)."""
    paths = [str(VOILA_TEMPLATES), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {**os.environ, "JUPYTER_PATH": os.pathsep.join(paths)}


def _page_words(notebook: Path, lang: str, timeout: int) -> None:
    """Put the words the page's template shows before and instead of the dashboard (in
    ``lang``, from the label files) in the served notebook's metadata."""
    import nbformat  # deferred: with the served page

    page = nbformat.read(notebook, as_version=4)
    page.metadata["valuekit"] = {
        key: ui_text(f"ui_{key}", lang, timeout=timeout) if key == "timeout_title" else ui_text(f"ui_{key}", lang)
        for key in ("loading_title", "loading_detail", "timeout_title", "timeout_hint", "error_title", "error_hint")}
    nbformat.write(page, notebook)


def _run_voila(command: list[str], cwd: str) -> int:
    """Run Voilà until it stops, Ctrl-C or SIGTERM; never leave it (and its kernels) running."""
    proc = subprocess.Popen(command, cwd=cwd, env=voila_environment())
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` runs
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def serve_dashboard(data: str | Path | None = None, codebook: str | Path | None = None, *,
                    levers: str | Path | None = None, port: int = 8866, parameters: dict | None = None,
                    save_dir: str | Path = "scenarios", lang: str = "en", timeout: int = 300,
                    preheat: bool = True, cache_dir: str | Path | None = None, cache: bool = True) -> int:
    """Serve the what-if dashboard page with Voilà on 127.0.0.1 (code hidden) until interrupted.

    The page is ``valuekit/present/dashboard.ipynb`` (the dashboard and nothing else), with the
    analyst's files injected as parameters (papermill, not executed): the survey and
    codebook (default: the demo survey and its lever file), the lever file (default: the
    codebook's ``levers:`` section, or levers derived from the codebook), and the folder
    where scenarios are saved and compared. Everything is read and validated before the
    server starts. Returns Voilà's exit code (1 if ``port`` was taken in the moment
    between the check and Voilà's start: it never moves to another port).

    Before it says it is serving, the engine's expensive state (segments, names, outcome
    models and their bootstrap draws) is computed once and kept in ``cache_dir`` (default
    :func:`valuekit.decide.engine_cache.default_cache_dir`), or read from there when this
    survey's is kept already; every visitor's kernel then starts from it. ``cache=False``
    keeps nothing: each kernel computes it. ``timeout`` is the seconds a visitor's page
    may take to build (Voilà's cell timeout).

    Raises
    ------
    ParameterError
        An argument out of its range, or ``port`` already in use on 127.0.0.1 (or not
        allowed to this user): the message names the port and suggests a free one.
    """

    import papermill as pm  # deferred: papermill

    notebook = Path(__file__).parent / "present" / "dashboard.ipynb"
    port = _check.integer("port", port, min=1, max=65535)
    _port_free(port)
    timeout = _check.integer("timeout", timeout, min=1)
    lang = _check.choice("lang", lang, ("en", "es", "it"))
    preheat = _check.flag("preheat", preheat)
    if (data is None) != (codebook is None):
        raise ParameterError("give both data and codebook, or neither (the demo survey)", name="codebook")
    params = dict(parameters or {})
    if data is not None:
        data, codebook = _check_inputs(data, codebook)
        read_codebook(codebook).require_sacrifices("the what-if dashboard")
    params = check_parameters(data if data is not None else DEMO_DATA,
                              codebook if codebook is not None else DEMO_CODEBOOK, params, [notebook])
    if data is not None:
        params.update(data_path=str(data), codebook_path=str(codebook))
    if levers is not None:
        levers = _check.input_file("levers", levers, "lever file").resolve()
        read_levers(levers, codebook if codebook is not None else DEMO_CODEBOOK)
        params["levers_path"] = str(levers)
    save_dir = _check.output_dir("save_dir", save_dir, "scenario folder").resolve()
    params.update(save_dir=str(save_dir), lang=lang)
    if _check.flag("cache", cache):
        params["cache_dir"] = str(_prepare_cache(params, cache_dir))
    with tempfile.TemporaryDirectory() as tmp, _this_python_kernel() as kernel:
        served = Path(tmp) / "dashboard.ipynb"
        pm.execute_notebook(str(notebook), str(served), parameters=params, prepare_only=True,
                            kernel_name=kernel, progress_bar=False)
        _page_words(served, lang, timeout)
        _port_free(port)  # again, just before Voilà starts (it will not move to another port)
        print(f"serving the what-if dashboard on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        return _run_voila(dashboard_command(served, port, timeout=timeout, preheat=preheat), cwd=tmp)
