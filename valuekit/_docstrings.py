"""One wording for the parameters many functions share (the pattern of seaborn's
``_docstrings``).

A docstring names a shared parameter by a line holding only ``{name}`` in its Parameters
section; :func:`share_docs` puts the entry of :data:`PARAMS` there, indented as the line
was. Only such lines are touched, so other braces in a docstring (a dict in an example)
stay as written. ``tests/test_docstrings.py`` checks that every public function documents
every parameter and that a shared parameter is documented in the shared words.
"""

from __future__ import annotations

import re

__all__ = ["PARAMS", "share_docs"]

#: The shared entries: the first line is ``name : type``, the rest the description.
PARAMS = {
    "scores": """\
scores : DataFrame
    Scores from :meth:`ValueScorer.transform <valuekit.ValueScorer.transform>`, one row
    per respondent (an unscored respondent's scores are missing).""",
    "codebook": """\
codebook : Codebook
    The survey's codebook (:func:`~valuekit.read_codebook`, or ``survey.codebook``):
    which columns are items of which dimension or sacrifice, their scale and labels.""",
    "weights": """\
weights : str, Series, array-like or None, optional
    Survey weights: a column name (of ``scores`` or ``data``, as the function takes them),
    a Series on the respondents' index, or one number per respondent; None counts every
    respondent once. Called with a survey first, the survey's own weights are used unless
    ``weights`` is given (``weights=None``: unweighted).""",
    "design": """\
design : SurveyDesign or None, optional
    The sampling design (``survey.design``: strata, clusters and finite population
    correction from the codebook's ``strata:``, ``cluster:`` and ``fpc:``). With a design
    or unequal weights, variances are linearized (Taylor, as R's ``survey``); None with
    unequal weights: each respondent is their own cluster. Called with a survey first,
    the survey's own design is used unless ``design`` is given.""",
    "lang": """\
lang : {"en", "es", "it"}, default "en"
    Language of labels, names and sentences.""",
    "settings": """\
settings : Evidence, dict or None, optional
    The evidence floors: an :class:`~valuekit.evidence.Evidence` from
    :func:`~valuekit.evidence_settings`, or a dict of the floors to change; None: the
    shipped ``valuekit/evidence.yaml``.""",
    "segments": """\
segments : Series
    Segment per respondent (``ValueSegmenter(...).labels_``, or any grouping such as a
    context column), on the index of ``scores``; a missing value: no segment.""",
    "names": """\
names : dict, optional
    Segment names by segment (``segment_profiles(...)["name"].to_dict()``); without them,
    segments are shown by number.""",
    "ax": """\
ax : matplotlib.axes.Axes, optional
    The Axes to draw on; None: a new figure's.""",
    "random_state": """\
random_state : int, numpy.random.Generator or None, optional
    Seed of the random draws (bootstrap resamples, starts); an int gives the same result on
    every run and every machine.""",
}

def share_docs(func=None, /, **local):
    """Fill the ``{name}`` lines of a docstring with the shared entries.

    ``@share_docs`` uses :data:`PARAMS`; ``@share_docs(**entries)`` adds a module's own
    entries (name to entry, in the form of :data:`PARAMS`), for a parameter several
    functions of one module share in one meaning (``nan_policy`` in the reliability module).
    """
    entries = {**PARAMS, **local}
    line = re.compile(r"^([ \t]*)\{(" + "|".join(map(re.escape, entries)) + r")\}[ \t]*$", re.M)

    def fill(f):
        if f.__doc__:  # None under python -OO
            f.__doc__ = line.sub(lambda m: _indent(entries[m.group(2)], m.group(1)), f.__doc__)
        return f

    return fill if func is None else fill(func)


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.splitlines())
