"""One naming rule for segments: every notebook names them as the structure test allows.

k-means cuts any cloud of customers into pieces that differ on what they were cut on. When
the structure test finds the pieces no more distinct than slices of one population, the
segments carry the neutral name everywhere (notebooks 03-07, the dashboard and the deck
through the scenario engine), never a name made from their traits.
"""

import json

import papermill as pm
import pytest

from valuekit import DEMO_CODEBOOK, NOTEBOOKS_DIR, ValueScorer, load_survey, read_codebook
from valuekit.analyse.segments import ValueSegmenter, segment_structure
from valuekit.datasets.demo import make_null_survey
from valuekit.report import _this_python_kernel

NOTEBOOKS = ["03_segments", "04_where_value_is_destroyed", "05_drivers_and_comparisons", "06_value_playbook"]


@pytest.fixture(scope="module")
def null_survey(tmp_path_factory):
    path = tmp_path_factory.mktemp("null") / "null_survey.csv"
    make_null_survey(600, random_state=11).to_csv(path, index=False)
    return path


def _outputs(nb_path) -> str:
    nb = json.loads(nb_path.read_text())
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            texts.append("".join(data.get("text/plain", "")) + "".join(data.get("text/html", "")))
    return "\n".join(texts)


def test_the_null_survey_has_no_segments(null_survey):
    survey = load_survey(null_survey, codebook=DEMO_CODEBOOK)
    scores = ValueScorer(survey.codebook).fit_transform(survey.data)
    structure = segment_structure(ValueSegmenter(survey.codebook, n_segments=3, random_state=0).fit(scores),
                                  scores, random_state=0)
    assert not structure["distinct"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_name_segments_by_the_structure_test(null_survey, tmp_path, name):
    cb = read_codebook(DEMO_CODEBOOK)
    neutral = cb.label("name_not_distinct", "en")
    traits = [cb.label("name_driven", "en").replace("{x}", ""), cb.label("name_sensitive", "en").replace("{x}", "")]
    executed = tmp_path / f"{name}.ipynb"
    with _this_python_kernel() as kernel:
        pm.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(executed), kernel_name=kernel,
                            parameters={"data_path": str(null_survey), "codebook_path": str(DEMO_CODEBOOK),
                                        "n_segments": 3, "random_state": 0, "n_boot": 20},
                            cwd=str(NOTEBOOKS_DIR), execution_timeout=600, progress_bar=False)
    text = _outputs(executed)
    assert neutral in text
    assert not [t for t in traits if t in text], f"{name} names a segment by its traits on a survey with none"
    if name == "03_segments":
        assert "segment differences not graded" in text
    # what the page opens with says that nothing passes the bar, and names no segment or driver
    from valuekit.report import headlines

    found = headlines(executed, limit=10)
    assert found, f"{name} states no finding"
    if name in ("03_segments", "04_where_value_is_destroyed"):
        assert found == [found[0]] and "no segment is singled out" in found[0]
    elif name == "06_value_playbook":
        assert "no segment is singled out" in found[0] and found[1].startswith("No lever passes the evidence bar")
    else:
        assert not any(" moves " in s for s in found) and "does not establish what drives" in found[0]
