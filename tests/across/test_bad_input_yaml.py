"""Bad input to the files valuekit reads and writes: alias bombs, deep nesting, other
encodings, duplicate keys, unwritable outputs, and arguments of the wrong type."""

import errno
import json
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from valuekit import DATA_DIR, DEMO_CODEBOOK, read_codebook
from valuekit._validate import check as _check
from valuekit._validate import yamlfile as _yaml
from valuekit.analyse.significance import evidence_settings
from valuekit.decide.scenario import (Scenario, ScenarioEngine, build_engine, compare_scenarios, format_headline,
                                      lever_scenarios, ui_text)
from valuekit.errors import CodebookError, FileError, LeverError, ParameterError, ScenarioError
from valuekit.measure.scoring import ValueScorer
from valuekit.survey.levers import default_levers, read_levers

LEVERS = DATA_DIR / "demo_levers.yaml"
BILLION_LAUGHS = ('a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
                  + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
                            for i in range(8)))
DEEP_FLOW = "[" * 5000 + "]" * 5000


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- one bounded reader for every kind of file ---------------------------------------------------

READERS = {  # kind: (file name, how valuekit reads it, the error it raises)
    "codebook": ("codebook.yaml", read_codebook, CodebookError),
    "levers": ("levers.yaml", lambda p: read_levers(p, DEMO_CODEBOOK), LeverError),
    "scenario": ("scenario.yaml", Scenario.load, ScenarioError),
    "scenario json": ("scenario.json", Scenario.load, ScenarioError),
    "evidence": ("evidence.yaml", evidence_settings, FileError),
}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind", READERS)
def test_deep_nesting_is_refused_by_every_reader(kind, tmp_path):
    name, read, error = READERS[kind]
    path = write(tmp_path / name, DEEP_FLOW)
    with pytest.raises(error, match=rf"^{name}: refused: nesting deeper than 50 levels \(line 1\)"):
        read(path)


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind", [k for k in READERS if "json" not in k])
def test_alias_bombs_are_refused_quickly_by_every_yaml_reader(kind, tmp_path):
    name, read, error = READERS[kind]
    path = write(tmp_path / name, BILLION_LAUGHS)
    start = time.perf_counter()
    with pytest.raises(error, match=rf"^{name}: refused: its aliases \(\*name\) expand to more than 1,000,000 values"):
        read(path)
    assert time.perf_counter() - start < 2  # measured, never expanded


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kind", READERS)
def test_duplicate_keys_are_refused_with_key_and_line(kind, tmp_path):
    name, read, error = READERS[kind]
    if "json" in kind:
        text = '{\n  "name": "x",\n  "levers": {"price": 1,\n             "price": 2}\n}\n'
        match = r"key 'price' appears twice in one object \(line 4\)"
    else:
        text = "alpha: 0.01\nmin_effect: 0.2\nalpha: 0.02\n"
        match = r"key 'alpha' appears twice .*\(line 3\)"
    with pytest.raises(error, match=rf"^{name}: .*{match}"):
        read(write(tmp_path / name, text))


@pytest.mark.adversarial("error")
def test_nesting_is_allowed_to_fifty_levels_exactly():
    nested = _yaml.loads("[" * 50 + "1" + "]" * 50)
    for _ in range(50):
        nested = nested[0]
    assert nested == 1
    assert _yaml.loads("[" * 50 + "]" * 50, json_=True) is not None
    for json_ in (False, True):
        with pytest.raises(_yaml.Refused, match="nesting deeper than 50 levels"):
            _yaml.loads("[" * 51 + "]" * 51, json_=json_)
    block = "".join("  " * i + "- \n" for i in range(51))  # block style: one list in the next
    with pytest.raises(_yaml.Refused, match="nesting deeper than 50 levels"):
        _yaml.loads(block + "  " * 51 + "- x\n")


@pytest.mark.adversarial("error")
def test_aliases_that_nest_or_contain_themselves_are_refused():
    chain = "".join(f"- &a{i} [{f'*a{i - 1}' if i else 0}]\n" for i in range(60))
    with pytest.raises(_yaml.Refused, match="nesting deeper than 50 levels once its aliases are expanded"):
        _yaml.loads(chain)
    with pytest.raises(_yaml.Refused, match=r"the anchor at line 1 is used \(\*alias\) inside itself"):
        _yaml.loads("a: &a [1, *a]\n")
    with pytest.raises(_yaml.Refused, match=r"more than 10,000 aliases"):
        _yaml.loads("a: &x 1\nb: [" + ", ".join(["*x"] * 10_001) + "]\n")


def test_shared_scales_and_merge_keys_still_work(tmp_path):
    path = write(tmp_path / "anchors.yaml", """\
id: rid
scale: &likert {min: 1, max: 7}
benefits:
  functional: [f1, f2]
  economic: [e1]
sacrifices:
  money: [m1]
items:
  f1: {scale: *likert}
  f2: &reverse {reverse: true, label: {en: Hard to use}}
  e1:
    <<: *reverse
    label: {en: Costs too much, es: Cuesta demasiado}
    scale: {min: 0, max: 10}
""")
    cb = read_codebook(path)
    assert (cb.items["f1"].scale.min, cb.items["f1"].scale.max) == (1, 7)
    assert cb.items["e1"].reverse and cb.label("e1", "es") == "Cuesta demasiado"
    assert (cb.items["e1"].scale.min, cb.items["e1"].scale.max) == (0, 10)
    assert cb.label("f2") == "Hard to use"


@pytest.mark.adversarial("error")
def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = write(tmp_path / "big.yaml", "a: 1\n" + "#" * 95)  # 100 bytes
    assert _yaml.read_file(path, what="test file", error=ScenarioError, max_bytes=100) == {"a": 1}
    with pytest.raises(ScenarioError, match=r"^big.yaml: refused: 100 bytes, more than the 99 bytes"):
        _yaml.read_file(path, what="test file", error=ScenarioError, max_bytes=99)
    assert _yaml.MAX_BYTES >= 2**20  # room for a codebook of hundreds of items in three languages
    big = tmp_path / "codebook.yaml"
    with big.open("wb") as f:
        f.write(b"id: rid\n")
        f.truncate(_yaml.MAX_BYTES + 1)  # sparse: no need to write 4 MiB
    start = time.perf_counter()
    with pytest.raises(CodebookError, match=r"^codebook.yaml: refused: 4,194,305 bytes, more than the 4,194,304 "
                                            r"bytes \(4 MiB\) a codebook file may have"):
        read_codebook(big)
    assert time.perf_counter() - start < 2


@pytest.mark.adversarial("error")
def test_numbers_and_dates_python_cannot_hold_are_yaml_errors_not_crashes(tmp_path):
    for text in ("name: x\nlevers: {price: " + "1" * 5000 + "}\n", "name: 2001-13-45\n"):
        with pytest.raises(ScenarioError, match=r"^s.yaml: not a valid YAML file"):
            Scenario.load(write(tmp_path / "s.yaml", text))
    with pytest.raises(ScenarioError, match=r"^s.json: not a valid JSON file"):
        Scenario.load(write(tmp_path / "s.json", '{"levers": {"price": ' + "1" * 5000 + "}}"))


@pytest.mark.adversarial("error")
def test_only_safe_yaml_is_loaded(tmp_path):
    for text in ("alpha: !!python/object/apply:os.system ['echo hacked']\n", "alpha: !!python/name:os.system\n"):
        with pytest.raises(FileError, match=r"^e.yaml: not a valid YAML file"):
            evidence_settings(write(tmp_path / "e.yaml", text))
    assert issubclass(_yaml.Loader, yaml.SafeLoader)


# -- encodings -----------------------------------------------------------------------------------

@pytest.mark.adversarial("result")
@pytest.mark.parametrize("encoding, name", [
    ("utf-8", "reducción “promo”"), ("utf-8-sig", "reducción “promo”"), ("utf-16", "reducción “promo”"),
    ("utf-16-le", "reducción “promo”"), ("utf-16-be", "reducción “promo”"), ("utf-32", "reducción “promo”"),
    ("cp1252", "reducción “promo” €5"), ("latin-1", "reducción ¿sí?"),
])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_scenario_files_in_any_common_encoding(encoding, name, suffix, tmp_path):
    spec = {"name": name, "levers": {"price": -5}}
    text = json.dumps(spec, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(spec, allow_unicode=True)
    path = write(tmp_path / f"s{suffix}", text, encoding)
    assert Scenario.load(path) == Scenario(name=name, levers={"price": -5.0})


@pytest.mark.adversarial("result")
def test_codebooks_levers_and_evidence_in_other_encodings(tmp_path):
    text = DEMO_CODEBOOK.read_text(encoding="utf-8")
    utf8 = read_codebook(DEMO_CODEBOOK)
    for encoding in ("utf-16", "utf-16-le", "utf-8-sig"):
        cb = read_codebook(write(tmp_path / "cb.yaml", text, encoding))
        assert cb.label("experiential", "es") == utf8.label("experiential", "es") == "Experiencial"
        assert list(cb.items) == list(utf8.items)
    levers = read_levers(write(tmp_path / "levers.yaml", LEVERS.read_text(encoding="utf-8"), "utf-16"),
                         DEMO_CODEBOOK)
    assert levers["staff"].label("es") == "Formación del personal"
    spanish = "levers:\n  rebaja:\n    label: {es: Reducción del 10 %}\n    how: percent\n    moves: [money]\n" \
              "    range: [-20, 0]\n    value_lever: offer\n"
    assert read_levers(write(tmp_path / "l.yaml", spanish, "latin-1"), DEMO_CODEBOOK)["rebaja"].label("es") \
        == "Reducción del 10 %"
    assert evidence_settings(write(tmp_path / "e.yaml", "alpha: 0.01\n", "utf-16"))["alpha"] == 0.01


@pytest.mark.adversarial("error")
def test_text_that_is_not_what_it_claims_names_the_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"^s.yaml: looks like UTF-16 text but is not"):
        Scenario.load(_bytes(tmp_path / "s.yaml", b"\xff\xfen\x00a\x00m"))  # a BOM, then an odd length
    with pytest.raises(CodebookError, match=r"^cb.yaml: has NUL bytes .*save it as UTF-8"):
        read_codebook(_bytes(tmp_path / "cb.yaml", b"id: rid\n\x00\x00\x00\x00"))
    with pytest.raises(LeverError, match=r"(?s)^l.yaml: not a valid YAML file .*read as Windows-1252 text"):
        read_levers(write(tmp_path / "l.yaml", "levers: {rebaja: [reducción\n", "latin-1"), DEMO_CODEBOOK)
    assert _yaml.decode("reducción".encode("latin-1")) == ("reducción", "Windows-1252")
    assert _yaml.decode(b"\x81ok") == ("\x81ok", "Latin-1")  # a byte Windows-1252 leaves undefined


def _bytes(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


@pytest.mark.adversarial("error")
def test_missing_files_folders_and_unreadable_files_name_the_path(tmp_path):
    with pytest.raises(CodebookError, match=r"codebook file '.*' is a folder; expected a file"):
        read_codebook(tmp_path)
    with pytest.raises(ScenarioError, match=r"scenario file '.*nope.json' not found"):
        Scenario.load(tmp_path / "nope.json")
    with pytest.raises(FileError, match=r"evidence settings file '.*nope.yaml' not found"):
        evidence_settings(tmp_path / "nope.yaml")


@pytest.mark.adversarial("error")
@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc")
def test_an_unreadable_file_names_the_path():
    # /proc/self/mem is a file that nobody, root included, can read from its start
    with pytest.raises(CodebookError, match=r"codebook file '/proc/self/mem': cannot read it"):
        read_codebook("/proc/self/mem")


# -- output paths --------------------------------------------------------------------------------

@pytest.mark.adversarial("error")
def test_saving_a_scenario_checks_the_path_first(tmp_path):
    s = Scenario(name="x", levers={"price": -5.0})
    with pytest.raises(FileError, match=r"path: cannot write the scenario file '.*s.yaml': folder '.*missing' "
                                        r"does not exist"):
        s.save(tmp_path / "missing" / "s.yaml")
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(FileError, match=r"path: '.*dir.yaml' is a folder"):
        s.save(tmp_path / "dir.yaml")
    with pytest.raises(ParameterError, match=r"path: save a scenario as .yaml, .yml or .json, got 's.txt'"):
        s.save(tmp_path / "s.txt")
    for bad in (None, 3, ""):
        with pytest.raises(ParameterError, match=r"^path: expected a file path"):
            s.save(bad)
    assert not list(tmp_path.glob("s.*"))


@pytest.mark.adversarial("error")
def test_an_unwritable_folder_or_a_full_disk_is_a_file_error(tmp_path, monkeypatch):
    s = Scenario(name="x")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    with monkeypatch.context() as m:  # a read-only folder, as a non-root user sees it
        m.setattr(tempfile, "TemporaryFile", refuse)
        with pytest.raises(FileError, match=r"cannot write the scenario file '.*s.yaml': Permission denied"):
            s.save(tmp_path / "s.yaml")
    with monkeypatch.context() as m:
        m.setattr(Path, "write_text", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
        with pytest.raises(FileError, match=r"cannot write the scenario file '.*s.json': No space left"):
            s.save(tmp_path / "s.json")
    with monkeypatch.context() as m:
        m.setattr(Path, "write_bytes", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
        with pytest.raises(FileError, match=r"cannot write the deck '.*d.pptx': No space left"):
            _check.write_bytes(tmp_path / "d.pptx", b"x", "deck")


@pytest.mark.adversarial("error")
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_nobody_can_write_into():
    # nothing can be created in /proc, root included (a chmod'ed folder would not stop root)
    with pytest.raises(FileError, match=r"cannot write the scenario file '/proc/s.yaml'"):
        Scenario(name="x").save("/proc/s.yaml")


@pytest.mark.adversarial("error")
def test_the_deck_checks_its_path_before_any_work(scenario_engine, tmp_path, monkeypatch):
    from valuekit.present.deck import scenario_deck, scenario_pngs

    monkeypatch.setattr(scenario_engine, "apply", lambda *a, **k: pytest.fail("the deck was built"))
    s = Scenario(levers={"price": -5.0})
    with pytest.raises(FileError, match=r"path: cannot write the PowerPoint deck '.*d.pptx': folder .* does not"):
        scenario_deck(scenario_engine, s, path=tmp_path / "nope" / "d.pptx")
    with pytest.raises(FileError, match=r"path: '.*' is a folder; expected the PowerPoint deck's file name"):
        scenario_deck(scenario_engine, s, path=tmp_path)
    with pytest.raises(ParameterError, match=r"^path: expected a file path"):
        scenario_deck(scenario_engine, s, path=3)
    with pytest.raises(ParameterError, match=r"^lang: expected one of 'en', 'es', 'it', got 'fr'"):
        scenario_deck(scenario_engine, s, lang="fr")
    with pytest.raises(ParameterError, match=r"^scenario: expected a Scenario"):
        scenario_deck(scenario_engine, {"levers": {"price": -5}})
    with pytest.raises(ParameterError, match=r"^compare: expected a list of Scenario"):
        scenario_pngs(scenario_engine, s, compare=s)
    with pytest.raises(ParameterError, match=r"^dpi: expected a whole number from 10 to 1200"):
        scenario_pngs(scenario_engine, s, dpi=0)
    assert not (tmp_path / "nope").exists()


@pytest.mark.adversarial("error")
def test_the_dashboard_says_why_a_scenario_cannot_be_saved(scenario_engine, tmp_path):
    from valuekit.present.widgets import WhatIfDashboard

    blocker = write(tmp_path / "scenarios", "a file where the folder should be")
    dash = WhatIfDashboard(scenario_engine, save_dir=blocker, figure=False)
    assert dash.save() is None
    assert "save_dir: " in dash.message.value and "is a file; expected the scenario folder" in dash.message.value
    dash = WhatIfDashboard(scenario_engine, save_dir=tmp_path / "new" / "deeper", figure=False)
    path = dash.save()  # a missing folder is created
    assert path.parent == tmp_path / "new" / "deeper" and Scenario.load(path).name == "my scenario"
    with pytest.raises(ParameterError, match=r"^save_dir: expected a file path"):
        WhatIfDashboard(scenario_engine, save_dir=None, figure=False)


# -- arguments -----------------------------------------------------------------------------------

@pytest.mark.adversarial("error")
@pytest.mark.parametrize("kwargs, name", [
    ({"n_boot": -1}, "n_boot"), ({"n_boot": 2.5}, "n_boot"), ({"random_state": "seed"}, "random_state"),
    ({"random_state": 1.5}, "random_state"), ({"random_state": -1}, "random_state"), ({"lang": "fr"}, "lang"),
    ({"n_segments": 1}, "n_segments"), ({"method": "dbscan"}, "method"), ({"levers": 3}, "levers"),
    ({"scorer": "kmeans"}, "scorer"),
])
def test_build_engine_checks_its_arguments_before_any_work(kwargs, name, monkeypatch):
    class Survey:
        codebook = read_codebook(DEMO_CODEBOOK)
        data = pd.DataFrame()
        weights = None

    monkeypatch.setattr(ValueScorer, "fit", lambda *a, **k: pytest.fail("work started"))
    with pytest.raises(ParameterError, match=rf"^{name}: expected") as err:
        build_engine(Survey, **kwargs)
    assert err.value.name == name
    with pytest.raises(ParameterError, match=r"^survey: expected a loaded survey"):
        build_engine(None)


@pytest.mark.adversarial("error")
def test_the_engine_and_its_helpers_check_their_arguments(scenario_engine):
    engine = scenario_engine
    for kwargs, name in (({"confidence": 1.5}, "confidence"), ({"confidence": 0}, "confidence"),
                         ({"settings": {"min_adj_r2": 2}}, "min_adj_r2"), ({"segments": [1, 2]}, "segments"),
                         ({"design": "strata"}, "design"),
                         ({"outcomes": ["recommend"]}, "outcomes"), ({"levers": 2.0}, "levers")):
        with pytest.raises(ParameterError, match=rf"^(evidence setting '{name}'|{name}): expected") as err:
            ScenarioEngine(pd.DataFrame(), engine.scorer, **kwargs)
        assert err.value.name == name
    with pytest.raises(ParameterError, match=r"^data: expected the survey's data"):
        ScenarioEngine(None, engine.scorer)
    with pytest.raises(ParameterError, match=r"^scorer: expected a fitted ValueScorer"):
        ScenarioEngine(pd.DataFrame(), ValueScorer(engine.codebook))
    with pytest.raises(ParameterError, match=r"^scenario: expected a Scenario"):
        engine.apply({"levers": {"price": 5}})
    with pytest.raises(ParameterError, match=r"^customers: expected True or False"):
        engine.apply(Scenario(), customers="yes")
    with pytest.raises(ParameterError, match=r"^segment: expected one of 'all', 0, 1, 2, 3.*, got 'nope'"):
        compare_scenarios(engine, [Scenario()], segment="nope")
    with pytest.raises(ParameterError, match=r"^scenarios: expected a list of Scenario"):
        compare_scenarios(engine, Scenario())
    with pytest.raises(ParameterError, match=r"^segment: expected one of 'all', 0"):
        format_headline(engine.apply(Scenario())["summary"], segment=7)
    with pytest.raises(ParameterError, match=r"^fraction: expected a finite number > 0 and <= 1, got 1.5"):
        lever_scenarios(engine.levers, fraction=1.5)
    with pytest.raises(ParameterError, match=r"^lang: expected one of 'en', 'es', 'it', got 'de'"):
        lever_scenarios(engine.levers, lang="de")
    with pytest.raises(ParameterError, match=r"^lang: "):
        ui_text("ui_scenario", "fr")
    with pytest.raises(ParameterError, match=r"^key: no interface text 'ui_nope'"):
        ui_text("ui_nope")


@pytest.mark.adversarial("error")
def test_scenarios_check_what_they_are_given(tmp_path):
    for kwargs, name in (({"name": 3}, "name"), ({"name": ""}, "name"), ({"levers": [("price", 1)]}, "levers"),
                         ({"levers": {"price": "ten"}}, r"levers\['price'\]"),
                         ({"levers": {"price": float("nan")}}, r"levers\['price'\]"),
                         ({"levers": {"price": True}}, r"levers\['price'\]"), ({"segments": []}, "segments"),
                         ({"segments": "north"}, "segments"), ({"description": None}, "description")):
        with pytest.raises(ParameterError, match=rf"^{name}: expected"):
            Scenario(**kwargs)
    assert Scenario(levers={"price": 5}, segments=[1]) == Scenario(levers={"price": 5.0}, segments=(1,))
    for bad in (None, 3, " "):
        with pytest.raises(ParameterError, match=r"^path: expected a file path"):
            Scenario.load(bad)


@pytest.mark.adversarial("error")
def test_lever_functions_check_what_they_are_given():
    for call, name in ((lambda: read_levers(3, DEMO_CODEBOOK), "path"), (lambda: read_levers(None, 3), "codebook"),
                       (lambda: read_levers(None, None), "codebook"),
                       (lambda: read_levers(None, DEMO_CODEBOOK, by="dimension"), "by"),
                       (lambda: default_levers(DEMO_CODEBOOK, by=1), "by"),
                       (lambda: default_levers(DEMO_CODEBOOK).to_frame(lang="fr"), "lang"),
                       (lambda: default_levers(DEMO_CODEBOOK)["money"].label("fr"), "lang"),
                       (lambda: read_codebook(None), "path"), (lambda: read_codebook(7), "path")):
        with pytest.raises(ParameterError, match=rf"^{name}: expected") as err:
            call()
        assert err.value.name == name
