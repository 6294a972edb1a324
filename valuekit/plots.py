"""Axes-level charts over valuekit's tidy results. Each draws on ``ax`` and returns it.

The package never calls ``plt.show()`` or ``savefig``; labels come from the codebook in
English, Spanish or Italian (``lang=``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .audit import CELL_PROBLEMS, ROW_REASONS, Audit, Survey

__all__ = ["plot_audit_flags", "plot_cell_problems", "plot_completion_times"]

_KEPT, _EXCLUDED = "#4c72b0", "#c44e52"


def plot_audit_flags(audit: Audit, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: rows carrying each flag, split into excluded and kept.

    A flag the analyst chose not to exclude shows as kept, so the chart shows both what
    was found and what was decided.
    """
    ax = ax or plt.gca()
    rows = audit.rows
    reasons = list(ROW_REASONS)
    excluded = [int((rows[r] & (rows["status"] == "excluded")).sum()) for r in reasons]
    kept = [int((rows[r] & (rows["status"] == "kept")).sum()) for r in reasons]
    y = np.arange(len(reasons))
    ax.barh(y, excluded, color=_EXCLUDED, label="excluded")
    ax.barh(y, kept, left=excluded, color=_KEPT, label="flagged, kept")
    for yi, (e, k) in enumerate(zip(excluded, kept)):
        ax.text(e + k, yi, f" {e + k}", va="center", fontsize=9)
    ax.set_yticks(y, [r.replace("_", " ") for r in reasons])
    ax.invert_yaxis()
    ax.set_xlabel("rows")
    ax.set_title(f"{audit.rows_in} rows in: {audit.rows_kept} kept, {audit.rows_excluded} excluded")
    ax.legend(loc="lower right", frameon=False)
    ax.margins(x=0.12)
    return ax


def plot_cell_problems(audit: Audit, *, codebook=None, lang: str = "en", top: int = 20,
                       ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars of flagged cells per column.

    Columns with errors in the export (out-of-range numbers, text) come first, then those
    with most missing codes; ``top`` columns are shown.

    With a codebook, columns are shown by their display label in ``lang``.
    """
    ax = ax or plt.gca()
    table = audit.columns.set_index("column")[list(CELL_PROBLEMS)]
    table = table[table.sum(axis=1) > 0]
    # errors in the export (out of range, text) first: they need a look at the source
    rank = pd.DataFrame({"errors": table["out_of_range"] + table["non_numeric"],
                         "total": table.sum(axis=1)})
    table = table.loc[rank.sort_values(["errors", "total"], ascending=False, kind="stable").index[:top]]
    if table.empty:
        ax.text(0.5, 0.5, "no flagged cells", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    labels = [codebook.label(c, lang) if codebook is not None and c in codebook.items else c
              for c in table.index]
    left = np.zeros(len(table))
    colors = {"missing_code": "#8c8c8c", "user_missing": "#b3b3b3",
              "out_of_range": "#dd8452", "non_numeric": "#c44e52"}
    y = np.arange(len(table))
    for problem in CELL_PROBLEMS:
        counts = table[problem].to_numpy()
        if counts.any():
            ax.barh(y, counts, left=left, color=colors[problem], label=problem.replace("_", " "))
        left += counts
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("cells set to missing")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
    return ax


def plot_completion_times(survey: Survey, *, ax: plt.Axes | None = None, bins: int = 50) -> plt.Axes:
    """Histogram of completion times (minutes, log scale) with the speeder threshold marked.

    Draws every input row, kept or not, so the speeders are visible left of the line.
    """
    ax = ax or plt.gca()
    col = survey.codebook.completion_time
    if col is None:
        ax.text(0.5, 0.5, "no completion-time column in the codebook", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    minutes = survey.recoded[col].to_numpy(float) / 60
    minutes = minutes[np.isfinite(minutes) & (minutes > 0)]
    edges = np.geomspace(minutes.min(), minutes.max(), bins + 1)
    ax.hist(minutes, bins=edges, color=_KEPT)
    ax.set_xscale("log")
    threshold = survey.audit.settings.get("speeder_threshold_seconds")
    if threshold:
        ax.axvline(threshold / 60, color=_EXCLUDED, linestyle="--")
        ax.text(threshold / 60, ax.get_ylim()[1] * 0.95,
                f" speeder threshold\n {threshold / 60:.1f} min", color=_EXCLUDED, va="top", fontsize=9)
    ax.set_xlabel("completion time (minutes, log scale)")
    ax.set_ylabel("respondents")
    return ax

