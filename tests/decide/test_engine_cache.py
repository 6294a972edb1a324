"""The scenario engine's state kept on disk (valuekit.decide.engine_cache): the same engine
read back, a new state for different answers or settings, a damaged cache rebuilt, and
nothing but JSON and Parquet written."""

import json
import time
from pathlib import Path

import pandas as pd
import pytest

import valuekit as vk
from valuekit.decide.engine_cache import default_cache_dir, engine_key, load_engine_state
from valuekit.decide.scenario import Scenario, build_engine, lever_scenarios
from valuekit.errors import FileError
from valuekit.survey.levers import read_levers


@pytest.fixture(scope="module")
def demo():
    survey = vk.load_demo("demo")
    return survey, read_levers(vk.DATA_DIR / "demo_levers.yaml", survey.codebook)


def _same(a, b, scenario):
    ra, rb = a.apply(scenario), b.apply(scenario)
    pd.testing.assert_frame_equal(ra["summary"], rb["summary"])
    pd.testing.assert_frame_equal(ra["transitions"], rb["transitions"])


def test_a_kept_state_gives_the_same_engine_faster(demo, tmp_path):
    survey, levers = demo
    clock = time.perf_counter()
    fresh, names, labels = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=50,
                                        cache_dir=tmp_path)
    built = time.perf_counter() - clock
    assert fresh.cache == f"computed; kept in {tmp_path}"
    clock = time.perf_counter()
    again, names_again, labels_again = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=50,
                                                    cache_dir=tmp_path)
    read = time.perf_counter() - clock
    assert again.cache == f"read from {tmp_path}"
    assert names_again == names and labels_again == labels and again.segment_names == fresh.segment_names
    assert (again.segments == fresh.segments).all()  # each scored customer's segment
    for scenario in lever_scenarios(levers)[:3] + [Scenario(name="one segment", levers={}, segments=(2,))]:
        _same(fresh, again, scenario)
    uncached, _, _ = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=50)
    assert uncached.cache == "not kept"
    _same(fresh, uncached, lever_scenarios(levers)[0])
    assert read < built  # the point of it (the bench measures by how much)
    written = sorted(p.suffix for p in tmp_path.rglob("*") if p.is_file())
    assert set(written) == {".json", ".parquet"}  # text and tables only: nothing to unpickle


def test_the_key_follows_the_answers_the_codebook_and_the_settings(demo):
    survey, _ = demo
    settings = {"n_segments": 4, "method": "kmeans", "random_state": 2026, "n_boot": 50}
    key = engine_key(survey, settings)
    assert key == engine_key(survey, dict(reversed(list(settings.items()))))
    assert key != engine_key(survey, {**settings, "n_segments": 3})
    one_answer = survey.data.copy()
    col = survey.codebook.value_items[0]
    one_answer.iloc[0, one_answer.columns.get_loc(col)] = 1.0 if one_answer[col].iloc[0] != 1 else 2.0
    assert engine_key(type("S", (), {"data": one_answer, "codebook": survey.codebook})(), settings) != key
    relabelled = vk.read_codebook({**_raw(survey.codebook), "name": "another name"})
    assert engine_key(type("S", (), {"data": survey.data, "codebook": relabelled})(), settings) != key


def _raw(codebook):
    import yaml

    return yaml.safe_load(vk.DEMO_CODEBOOK.read_text(encoding="utf-8"))


def test_a_damaged_cache_is_rebuilt_and_a_bad_folder_named(demo, tmp_path):
    survey, levers = demo
    engine, _, _ = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=20, cache_dir=tmp_path)
    (state,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    manifest = json.loads((state / "state.json").read_text())
    (state / "state.json").write_text(json.dumps(manifest)[:200])  # cut short
    assert load_engine_state(tmp_path, state.name) is None
    again, _, _ = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=20, cache_dir=tmp_path)
    assert again.cache.startswith("computed") and load_engine_state(tmp_path, state.name) is not None
    (state / "boot_0.parquet").write_bytes(b"not parquet")
    assert load_engine_state(tmp_path, state.name) is None
    a_file = tmp_path / "a file"
    a_file.write_text("x")
    with pytest.raises(FileError, match="cache_dir: .* is a file; expected the engine cache folder"):
        build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=20, cache_dir=a_file)


def test_the_cache_folder_is_documented_and_movable(monkeypatch, tmp_path):
    monkeypatch.setenv("VALUEKIT_CACHE", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("VALUEKIT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "valuekit"


def test_a_state_that_cannot_be_kept_leaves_a_working_engine(demo, tmp_path, monkeypatch):
    from valuekit.decide import engine_cache, scenario

    survey, levers = demo

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scenario, "save_engine_state", full_disk)
    engine, _, _ = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=20, cache_dir=tmp_path)
    assert engine.cache == "computed; not kept: No space left on device"
    assert engine.apply(lever_scenarios(levers)[0])["summary"].loc["all", "customers"] > 0
    # two processes writing the same state: the second finds the first's and keeps it
    monkeypatch.undo()
    fresh, _, _ = build_engine(survey, levers, n_segments=4, random_state=2026, n_boot=20, cache_dir=tmp_path)
    (state,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    read = engine_cache.load_engine_state(tmp_path, state.name)
    real_rename = type(tmp_path).rename

    def late(self, target):  # another process renamed its copy into place first
        if not Path(target).exists():
            real_rename(self, target)
        raise OSError(39, "Directory not empty")

    monkeypatch.setattr(engine_cache.shutil, "rmtree", lambda *a, **k: None)
    monkeypatch.setattr(type(tmp_path), "rename", late)
    assert engine_cache.save_engine_state(tmp_path, state.name, read) == state
    monkeypatch.undo()
    assert engine_cache.load_engine_state(tmp_path, state.name) is not None
