"""The argument checks every public function uses (valuekit._validate.check): each refusal a
ParameterError or FileError naming the argument and what was expected."""

import os

import numpy as np
import pytest

from valuekit._validate import check
from valuekit.errors import FileError, ParameterError


def test_values_in_messages_are_short():
    assert check.shown("x" * 200).endswith("...") and len(check.shown("x" * 200)) == 80
    assert check.shown(np.zeros((3, 3))) == "ndarray"
    assert check.p_text(0.0004) == "< 0.001" and check.p_text(0.0421) == "0.042" and check.p_text(np.nan) == "n/a"


def test_what_passes_comes_back():
    assert check.integer("n", np.int64(3), min=1) == 3 and isinstance(check.integer("n", 3), int)
    assert check.fraction("ci", 0.9) == 0.9 and check.fraction("share", 1, closed=True) == 1
    assert check.choice("how", "b", ["a", "b"]) == "b"
    assert check.flag("f", np.bool_(True)) is True
    assert check.names("cols", "a") == ["a"] and check.names("cols", ("a", "b"), allowed="abc") == ["a", "b"]


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("call, match", [
    (lambda: check.integer("n_boot", 2.5), r"n_boot: expected a whole number, got 2\.5"),
    (lambda: check.integer("n_boot", True), "n_boot: expected a whole number"),
    (lambda: check.integer("k", 1, min=2), "k: expected a whole number >= 2, got 1"),
    (lambda: check.fraction("ci", 1.0), r"ci: expected a finite number > 0 and < 1, got 1\.0"),
    (lambda: check.number("x", float("nan")), "x: expected a finite number, got nan"),
    (lambda: check.choice("how", True, [True, "a"]), "how: expected one of"),
    (lambda: check.flag("f", 1), "f: expected True or False, got 1"),
    (lambda: check.text("name", ""), "name: expected a non-empty text"),
    (lambda: check.names("cols", ["a", ""]), r"cols: expected names \(texts\)"),
    (lambda: check.names("cols", ["z"], allowed=["a"]), r"cols: unknown \['z'\]; expected some of \['a'\]"),
])
def test_refusals_name_the_argument(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


@pytest.mark.adversarial("error")
def test_paths_no_file_system_can_hold_are_named_before_they_are_looked_at():
    with pytest.raises(FileError, match="NUL character"):
        check.path("--out", "a\0b")
    with pytest.raises(FileError, match="255"):
        check.path("--out", "x" * 300)
    with pytest.raises(FileError, match="4,096"):
        check.path("--out", "/".join(["y" * 200] * 30))
    with pytest.raises(ParameterError, match="--out: expected a file path"):
        check.path("--out", 3)


@pytest.mark.adversarial("error")
def test_input_and_output_files(tmp_path):
    with pytest.raises(FileError, match="is a folder; expected a lever file"):
        check.input_file("levers", tmp_path, "lever file")
    with pytest.raises(FileError, match="not found"):
        check.input_file("levers", tmp_path / "gone.yaml", "lever file")
    out = check.output_file("output", tmp_path / "new" / "scores.csv", create_parent=True)
    assert out.parent.is_dir()
    data = tmp_path / "export.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(FileError, match="export.csv"):
        check.apart([("--output", data)], [("DATA", data)])  # an output may not overwrite an input


def test_decisions_on_a_computed_number_have_a_tolerance():
    assert 0 < check.DECISION_TOLERANCE < 1e-6
    assert os.fspath(check.path("p", "a/b")) == os.path.join("a", "b")
