"""Paths live in one place: the bundled data and the notebooks, both inside the package
(a wheel carries them), and the project root of a source checkout (for its tests)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout's root (tests, bench); in an installed wheel, the folder holding the package.
PROJ_ROOT = PACKAGE_DIR.parent
#: The bundled surveys (:func:`valuekit.list_datasets`).
DATA_DIR = PACKAGE_DIR / "datasets" / "data"
#: The numbered notebooks that ``valuekit report`` runs.
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"

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
