"""Run the notebook sequence on any survey with papermill and write HTML reports; serve
the what-if dashboard with Voilà.

Each notebook in ``notebooks/`` (``NN_name.ipynb``, in number order) has a cell tagged
``parameters`` with ``data_path`` and ``codebook_path``; :func:`run_report` injects the
analyst's files there, executes the notebook on this Python's kernel, and writes the
executed notebook and an HTML page per notebook into the output folder. A notebook whose
metadata says ``"valuekit": {"needs": ["sacrifices"]}`` is not run on a benefits-only
survey; its page says why.

A tracking report is given several waves (several exports, or one export and its wave
column): every other notebook analyses the latest file given, and the notebook whose metadata
says ``"needs": ["waves"]`` (``08_tracking``) compares the waves (its parameters
``wave_paths`` and ``wave_column``). Given one survey and no wave column, that notebook's
page says it needs waves.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import _check
from .codebook import read_codebook
from .config import DEMO_CODEBOOK, NOTEBOOKS_DIR
from .errors import NotebookError, ParameterError

__all__ = ["notebook_sequence", "run_report", "check_parameters", "serve_dashboard", "dashboard_command"]

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


_READ_OPTIONS = ("format", "encoding", "sep", "decimal", "sheet")


def _read_options(options) -> dict:
    if not isinstance(options, dict):
        raise ParameterError(f"read_options: expected a mapping of {list(_READ_OPTIONS)}, got {options!r}",
                             name="read_options")
    unknown = sorted(set(options) - set(_READ_OPTIONS))
    if unknown:
        raise ParameterError(f"read_options: unknown {unknown}; expected some of {list(_READ_OPTIONS)}",
                             name="read_options")
    return options


def check_parameters(data, codebook, parameters: dict | None, notebooks: list[Path]) -> dict:
    """Check the report's parameters against the notebooks and the survey, before any runs.

    The survey is loaded and audited once with them (so a wrong ``exclude``, read option or
    codebook fails here), and the number of segments is checked against
    :data:`valuekit.segments.MAX_SEGMENTS` and the respondents kept. Returns the parameters
    with the checked values.

    Raises
    ------
    ParameterError
        A parameter no notebook takes, or a value of the wrong type or range (named).
    """
    import papermill as pm

    from .audit import load_survey
    from .segments import MAX_SEGMENTS

    params = dict(parameters or {})
    if parameters is not None and not isinstance(parameters, dict):
        raise ParameterError(f"parameters: expected a mapping of notebook parameters, got {parameters!r}",
                             name="parameters")
    declared = set().union(*(pm.inspect_notebook(str(nb)) for nb in notebooks)) - {"data_path", "codebook_path"}
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
        "weights": lambda v: _check.choice("weights", v, ("equal", "stated")),
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
    return params


def _waves_arg(data, wave_column) -> tuple[list[Path], str | None]:
    """The report's survey files (one or more) and wave column, checked."""
    files = list(data) if isinstance(data, (list, tuple)) else [data]
    if not files:
        raise ParameterError("data: expected a survey export (or several, one per wave)", name="data")
    if wave_column is not None:
        wave_column = _check.text("wave_column", wave_column)
    return [_check.input_file("data", f, "survey export").resolve() for f in files], wave_column


def run_report(data: str | Path | list, codebook: str | Path, out: str | Path, *,
               notebooks: list[Path] | None = None, timeout: int = 600, wave_column: str | None = None,
               parameters: dict | None = None, progress=print) -> list[Path]:
    """Execute the notebook sequence on a survey (or several waves); write ``.ipynb`` and ``.html``.

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
        ``{"read_options": {"sheet": "Responses"}}`` (keywords for ``load_survey``).
    progress : callable, default print
        Called with one line per notebook.

    Returns
    -------
    list of Path
        The HTML files written.
    """
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    notebooks = notebook_sequence() if notebooks is None else [Path(nb) for nb in notebooks]
    timeout = _check.integer("timeout", timeout, min=1)
    files, wave_column = _waves_arg(data, wave_column)
    data, codebook = _check_inputs(files[-1], codebook)
    tracking = len(files) > 1 or wave_column is not None
    checked = check_parameters(data, codebook, parameters, notebooks)
    if tracking:
        _check_waves(files, codebook, wave_column, checked)
    cb = read_codebook(codebook)
    out = _check.output_dir("out", out, "report folder")
    params = {"data_path": str(data), "codebook_path": str(codebook), **checked}
    if tracking:
        params.update(wave_paths=[str(f) for f in files], wave_column=wave_column)
    exporter = HTMLExporter()
    written = []
    with _this_python_kernel() as kernel:
        for nb_path in notebooks:
            executed = out / nb_path.name
            needs = nbformat.read(nb_path, as_version=4).metadata.get("valuekit", {}).get("needs", [])
            if "waves" in needs and not tracking:  # one survey: nothing to track
                html = executed.with_suffix(".html")
                _check.write_text(html, _skipped_page(nb_path.stem, "This notebook compares survey waves; the "
                                                      "report was given one survey and no wave column (give "
                                                      "several exports, or --wave-column)"), "HTML report")
                written.append(html)
                progress(f"  {html} (skipped: one wave)")
                continue
            if "sacrifices" in needs and not cb.has_sacrifices:  # benefits-only: say so, run nothing
                html = executed.with_suffix(".html")
                _check.write_text(html, _skipped_page(nb_path.stem, cb.no_sacrifices_message("This notebook")),
                                  "HTML report")
                written.append(html)
                progress(f"  {html} (skipped: no sacrifices measured)")
                continue
            declared = pm.inspect_notebook(str(nb_path))  # pass each notebook only its own parameters
            _execute(nb_path, executed, {k: v for k, v in params.items() if k in declared}, kernel, timeout)
            body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
            html = executed.with_suffix(".html")
            _check.write_text(html, body, "HTML report")
            written.append(html)
            progress(f"  {html}")
    return written


def _check_waves(files: list[Path], codebook: Path, wave_column: str | None, params: dict) -> None:
    """Load every wave once before any notebook runs: a wrong file or wave column fails here."""
    from .waves import load_waves

    options = {**params.get("read_options", {}), **{k: params[k] for k in ("exclude", "speeder_fraction")
                                                     if k in params}}
    waves = load_waves(files if len(files) > 1 else files[0], codebook, wave_column=wave_column, **options)
    if len(waves) < 2:
        raise ParameterError(f"wave_column: {files[0].name} holds one wave only (column '{wave_column}'); a "
                             "tracking report needs two or more", name="wave_column")


def _execute(nb_path: Path, executed: Path, parameters: dict, kernel: str, timeout: int) -> None:
    """Run one notebook with papermill; a failure names the notebook, the cell and the cause."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    name = nb_path.name
    where = f"the executed notebook {executed} shows where"
    try:
        pm.execute_notebook(str(nb_path), str(executed), parameters=parameters, kernel_name=kernel,
                            cwd=str(nb_path.parent), execution_timeout=timeout, progress_bar=False,
                            report_mode=False)
    except pm.PapermillExecutionError as err:
        reason = str(err.evalue).strip().splitlines()[0] if str(err.evalue).strip() else ""
        raise NotebookError(f"notebook {name} failed at cell {err.exec_count}: {err.ename}: {reason}; {where}",
                            notebook=name, cell=err.exec_count) from None
    except CellTimeoutError:
        raise NotebookError(f"notebook {name}: a cell ran longer than the {timeout} s allowed per cell "
                            f"(--timeout); {where}", notebook=name) from None
    except DeadKernelError:
        raise NotebookError(f"notebook {name}: the Python kernel running it died (most often it ran out of "
                            f"memory); {where}", notebook=name) from None


def _skipped_page(title: str, message: str) -> str:
    import html

    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}.</p></body></html>\n")


#: Voilà settings for presenting: a closed tab's kernel is culled after this many idle
#: seconds (checked every CULL_INTERVAL s); open pages are connected and never culled.
#: (A tab closed normally stops its kernel at once: Voilà's page sends a shutdown beacon.)
CULL_IDLE_TIMEOUT, CULL_INTERVAL = 30, 10


def dashboard_command(notebook: str | Path, port: int, *, timeout: int = 120, preheat: bool = True) -> list[str]:
    """The Voilà command line serving the dashboard page on 127.0.0.1 only, code hidden.

    With ``preheat`` Voilà keeps one kernel that has already run the page waiting for the
    next visitor (its preheated-kernel pool), so a visitor does not wait for the kernel
    to start, import valuekit, score the survey and fit its segments.
    """
    voila = Path(sys.executable).with_name("voila")
    pool = ["--preheat_kernel=True", "--pool_size=1"] if preheat else []
    return [str(voila), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
            f"--VoilaExecutor.timeout={timeout}", *pool,
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
            "--MappingKernelManager.cull_connected=False", str(notebook)]


def serve_dashboard(data: str | Path | None = None, codebook: str | Path | None = None, *,
                    levers: str | Path | None = None, port: int = 8866, parameters: dict | None = None,
                    save_dir: str | Path = "scenarios", lang: str = "en", timeout: int = 120,
                    preheat: bool = True) -> int:
    """Serve the what-if dashboard page with Voilà on 127.0.0.1 (code hidden) until interrupted.

    The page is ``valuekit/dashboard.ipynb`` (the dashboard and nothing else), with the
    analyst's files injected as parameters (papermill, not executed): the survey and
    codebook (default: the demo survey and its lever file), the lever file (default: the
    codebook's ``levers:`` section, or levers derived from the codebook), and the folder
    where scenarios are saved and compared. Everything is read and validated before the
    server starts. Returns Voilà's exit code.
    """
    import subprocess

    import papermill as pm

    from .levers import read_levers

    from .config import DEMO_DATA

    notebook = Path(__file__).with_name("dashboard.ipynb")
    port = _check.integer("port", port, min=1, max=65535)
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
    with tempfile.TemporaryDirectory() as tmp, _this_python_kernel() as kernel:
        served = Path(tmp) / "dashboard.ipynb"
        pm.execute_notebook(str(notebook), str(served), parameters=params, prepare_only=True,
                            kernel_name=kernel, progress_bar=False)
        print(f"serving the what-if dashboard on http://127.0.0.1:{port}/ (Ctrl-C stops it)")
        proc = subprocess.Popen(dashboard_command(served, port, timeout=timeout, preheat=preheat), cwd=tmp)
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so `finally` runs
        try:
            return proc.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if proc.poll() is None:  # never leave Voila (and its kernels) running behind us
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
