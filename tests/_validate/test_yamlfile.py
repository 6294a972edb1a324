"""The bounded YAML and JSON reader (valuekit._validate.yamlfile) and the emitter every
written YAML goes through: what it refuses, and that what it writes reads back as itself."""

import pytest
import yaml

from valuekit._validate.yamlfile import MAX_DEPTH, Refused, comment, decode, key, loads, read_file, scalar
from valuekit.errors import FileError


def test_the_encodings_a_file_may_come_in():
    assert decode("precio: 1\n".encode("utf-8-sig")) == ("precio: 1\n", "UTF-8")  # the mark dropped
    assert decode("año: 1\n".encode("utf-16")) == ("año: 1\n", "UTF-16")
    assert decode("año: 1\n".encode("cp1252")) == ("año: 1\n", "Windows-1252")
    with pytest.raises(Refused):
        decode(b"a: 1\x00\x00\x00b")


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("text, match", [
    ("a: 1\na: 2\n", "appears twice"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "deeper than"),
    ("a: &x [1, 2]\nb: [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x]\n" + "".join(
        f"c{i}: &c{i} [*{'x' if i == 0 else f'c{i - 1}'}, *{'x' if i == 0 else f'c{i - 1}'}, "
        f"*{'x' if i == 0 else f'c{i - 1}'}, *{'x' if i == 0 else f'c{i - 1}'}]\n" for i in range(12)), "alias"),
])
def test_what_the_reader_refuses(text, match):
    with pytest.raises(Refused, match=match):
        loads(text)


def test_no_python_objects_from_a_file():
    with pytest.raises(yaml.YAMLError):
        loads("x: !!python/object/apply:os.system ['echo hacked']\n")


def test_json_duplicates_are_refused_with_their_line():
    with pytest.raises(Refused, match=r"key 'a' appears twice in one object \(line 3\)"):
        loads('{\n "a": 1,\n "a": 2\n}', json_=True)


@pytest.mark.adversarial("error")
def test_a_file_problem_names_the_file(tmp_path):
    path = tmp_path / "floors.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(FileError, match="floors.yaml") as err:
        read_file(path, what="settings file", error=FileError, json_=False)
    assert "appears twice" in str(err.value)
    with pytest.raises(FileError, match="not found"):
        read_file(tmp_path / "gone.yaml", what="settings file", error=FileError, json_=False)


@pytest.mark.parametrize("value", ["price", "yes", "1e3", "0o17", "a: b", "# not a comment", "q1\nweight: x",
                                   "price\u202e", "'quoted'", "", 3, 2.5, True, None, [1, "a, b"],
                                   {"min": 1, "max": "{5}"}])
def test_scalars_read_back_as_themselves(value):
    assert yaml.safe_load(f"k: {scalar(value)}\n")["k"] == value


def test_keys_and_comments_cannot_break_the_line():
    assert key("a: b", "  ") == ["  'a: b':"]
    long = "x" * 2000
    assert key(long)[-1] == ":" and yaml.safe_load("\n".join(key(long)) + " 1\n") == {long: 1}
    text = comment("line\nbreak \u202e bidi")
    assert "\n" not in text and "\u202e" not in text
    assert yaml.safe_load(f"a: 1  # {text}\nb: 2\n") == {"a": 1, "b": 2}
