"""Draws docs/_static/readme.png, the README's picture: the demo's customers, benefits
against sacrifices, and the share of each segment whose value is destroyed, the segments
named as notebook 04 names them (run from the checkout: python docs/readme_figure.py)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import valuekit as vk  # noqa: E402
from valuekit.analyse.segments import segment_structure  # noqa: E402
from valuekit.present import plots  # noqa: E402

survey = vk.load_demo()
scores = vk.ValueScorer(survey.codebook).fit_transform(survey.data)
segmenter = vk.ValueSegmenter(survey.codebook, n_segments=4, random_state=2026).fit(scores)
structure = segment_structure(segmenter, scores, random_state=2026)
profiles = vk.segment_profiles(scores, segmenter.labels_, codebook=survey.codebook, data=survey.data,
                               weights=survey.weights, structure=structure)
destroyed = vk.share_destroyed(scores, segmenter.labels_, weights=survey.weights)
n = destroyed.set_index("segment")["n"]
names = {k: f"{name} (n = {n[k]:,})" for k, name in profiles["name"].items() if k in n.index}  # each bar, its n

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), dpi=100, width_ratios=[1, 1.35])
plots.plot_benefits_sacrifices(scores, codebook=survey.codebook, kind="scatter", ax=left)
left.set_title(f"{len(scores):,} customers of the demo survey", loc="left")
plots.plot_share_destroyed(destroyed, names=names, ax=right)
right.set_title("Whose value is destroyed, by segment", loc="left")
fig.tight_layout()
fig.savefig(Path(__file__).parent / "_static" / "readme.png", metadata={"Software": None})
