"""Plots inspect artists, not pixels."""

import matplotlib.pyplot as plt
import numpy as np

from valuekit import Codebook, audit_survey
from valuekit.plots import plot_audit_flags, plot_cell_problems, plot_completion_times


def _survey(frame, codebook_dict, **kw):
    f = frame.astype({"f1": float, "dur": float})
    f.loc[0, "f1"] = 9
    f.loc[1, "f1"] = 12
    f.loc[2, "dur"] = 5
    f.loc[3, "rid"] = f.loc[4, "rid"]
    return audit_survey(f, codebook_dict, **kw)


def test_audit_flags_bars_match_the_audit(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict, exclude=["duplicate_id"])
    ax = plot_audit_flags(survey.audit)
    assert isinstance(ax, plt.Axes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = [p.get_width() for p in ax.patches]
    n = len(labels)
    excluded, kept = dict(zip(labels, widths[:n])), dict(zip(labels, widths[n:]))
    assert excluded["duplicate id"] == 1 and kept["duplicate id"] == 0
    assert excluded["speeder"] == 0 and kept["speeder"] == 1  # flagged but the analyst kept it
    assert "40 rows in: 39 kept, 1 excluded" == ax.get_title()


def test_cell_problems_uses_labels(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict)
    codebook_dict["items"]["f1"] = {"label": {"en": "Easy", "es": "Fácil", "it": "Facile"}}
    cb = Codebook.from_dict(codebook_dict)
    ax = plot_cell_problems(survey.audit, codebook=cb, lang="es")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Fácil"]
    assert sorted(p.get_width() for p in ax.patches) == [1, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["missing code", "out of range"]


def test_cell_problems_when_clean(small_frame, codebook_dict):
    ax = plot_cell_problems(audit_survey(small_frame, codebook_dict).audit)
    assert ax.texts[0].get_text() == "no flagged cells"


def test_completion_times_marks_threshold(small_frame, codebook_dict):
    survey = _survey(small_frame, codebook_dict)
    ax = plot_completion_times(survey)
    threshold = survey.audit.settings["speeder_threshold_seconds"] / 60
    assert np.isclose(ax.lines[0].get_xdata()[0], threshold)
    assert sum(p.get_height() for p in ax.patches) == 40
    del codebook_dict["completion_time"]
    ax2 = plot_completion_times(audit_survey(small_frame.drop(columns="dur"), codebook_dict), ax=plt.figure().gca())
    assert "no completion-time column" in ax2.texts[0].get_text()
