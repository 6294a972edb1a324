"""Run the notebook sequence on any survey with papermill and write HTML reports.

Each notebook in ``notebooks/`` (``NN_name.ipynb``, in number order) has a cell tagged
``parameters`` with ``data_path`` and ``codebook_path``; :func:`run_report` injects the
analyst's files there, executes the notebook on this Python's kernel, and writes the
executed notebook and an HTML page per notebook into the output folder.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .codebook import read_codebook
from .config import NOTEBOOKS_DIR
from .io import read_survey_file

__all__ = ["notebook_sequence", "run_report"]

KERNEL_NAME = "valuekit-report"


def notebook_sequence(directory: str | Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks (``01_...ipynb``, ``02_...``) in order."""
    found = sorted(p for p in Path(directory).glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {directory}")
    return found


@contextmanager
def _this_python_kernel():
    """A kernelspec that runs notebooks on this interpreter, whatever else is installed."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                         "--IPKernelApp.log_level=ERROR"],  # no start-up chatter in the report log
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


def run_report(data: str | Path, codebook: str | Path, out: str | Path, *,
               notebooks: list[Path] | None = None, timeout: int = 600,
               parameters: dict | None = None, progress=print) -> list[Path]:
    """Execute the notebook sequence on one survey; write ``.ipynb`` and ``.html`` per notebook.

    Parameters
    ----------
    data, codebook : path
        The survey export and its codebook. Both are checked (read and validated) before
        any notebook runs, so a wrong path fails at once with a clear message.
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

    data, codebook = Path(data).resolve(), Path(codebook).resolve()
    cb = read_codebook(codebook)
    frame, info = read_survey_file(data, **(parameters or {}).get("read_options", {}))
    cb.check_columns(frame.columns, source=info.describe())
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    params = {"data_path": str(data), "codebook_path": str(codebook), **(parameters or {})}
    exporter = HTMLExporter()
    written = []
    with _this_python_kernel() as kernel:
        for nb_path in notebooks or notebook_sequence():
            executed = out / nb_path.name
            pm.execute_notebook(str(nb_path), str(executed), parameters=params,
                                kernel_name=kernel, cwd=str(nb_path.parent),
                                execution_timeout=timeout, progress_bar=False,
                                report_mode=False)
            body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
            html = executed.with_suffix(".html")
            html.write_text(body, encoding="utf-8")
            written.append(html)
            progress(f"  {html}")
    return written
