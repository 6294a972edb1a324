"""Paths live in one place: the project root, the bundled data, the notebooks."""

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"

#: The bundled demo survey (Casa Aurora, a fictional home-and-garden retailer).
DEMO_DATA = DATA_DIR / "demo_survey.csv"
DEMO_CODEBOOK = DATA_DIR / "demo_codebook.yaml"
#: The generator's ground truth: planted segment per respondent, planted weights.
DEMO_TRUTH = DATA_DIR / "demo_truth.csv"
DEMO_TRUTH_META = DATA_DIR / "demo_truth.yaml"
#: A third wave (March 2026) of the demo survey with planted, known changes.
DEMO_WAVE3 = DATA_DIR / "demo_wave3.csv"
DEMO_WAVE3_TRUTH = DATA_DIR / "demo_wave3_truth.csv"
DEMO_WAVE3_TRUTH_META = DATA_DIR / "demo_wave3_truth.yaml"
