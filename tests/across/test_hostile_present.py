"""Issue 28, what valuekit presents: Dask's errors, scenario names as files and on slides,
the dashboard's port.

* A file a Dask worker cannot use is reported once, in one line, by the client: no worker
  "Compute Failed" log with its traceback on stderr, no log record.
* A malformed scheduler address is refused before connecting, naming ``scheduler``.
* A scenario name, however hostile, becomes a safe file name that fits the file system
  and never overwrites another scenario; the name is kept, exactly, inside the file.
* Text put into the deck is XML-safe; a lone surrogate is refused where it is made.
* A dashboard port in use is refused, naming the port; Voilà never moves to another.
"""

import io
import logging
import socket
import subprocess
import time
import unicodedata

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from valuekit import DEMO_CODEBOOK, DEMO_DATA
from valuekit.decide.scenario import Scenario, scenario_file_name
from valuekit.engines import dask as bigdata
from valuekit.errors import CodebookError, FileError, ParameterError, ScenarioError, SurveyFileError

# -- Dask: one clear error, nothing logged ------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, worker_dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _worker_errors(client) -> set:
    """What the workers logged at ERROR or with a traceback (their own log, kept by distributed:
    a worker's stderr is not the test's, so capfd alone would not see it)."""
    return {msg for logs in client.get_worker_logs().values() for level, msg in logs
            if level in ("ERROR", "CRITICAL") or "Traceback" in msg}


def _raise(x):
    raise RuntimeError(f"task {x} failed")


def test_the_worker_log_check_sees_a_task_that_raises(client):
    """The control: a task raising on the worker is logged, and :func:`_worker_errors` sees it."""
    before = _worker_errors(client)
    with pytest.raises(RuntimeError, match="task 7 failed"):
        client.submit(_raise, 7, pure=False).result()
    assert [m for m in _worker_errors(client) - before if "Compute Failed" in m and "task 7 failed" in m]


def _missing_item(folder):
    pd.read_csv(DEMO_DATA).drop(columns="sac_money_1").to_csv(folder / "day.csv", index=False)


def _duplicate_fields(folder):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(DEMO_DATA).head(20)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("fun_ease_1", table.column("fun_ease_1"))  # 56 fields, one name twice
    table = table.append_column("weight", table.column("weight"))
    pq.write_table(table, folder / "day.parquet")


BAD_FILES = {
    "missing item column": (_missing_item, CodebookError, r"column\(s\) \['sac_money_1'\] named in the codebook not "
                                                          r"found in day\.csv"),
    "empty file": (lambda f: (f / "day.csv").write_text(""), SurveyFileError, r"day\.csv: the file is empty"),
    "garbage file": (lambda f: (f / "day.parquet").write_bytes(b"\x00\x01garbage" * 50), SurveyFileError,
                     r"day\.parquet: not a readable Parquet file"),
    "ragged file": (lambda f: (f / "day.csv").write_text("a,b\n1,2,3,4\n5\n"), SurveyFileError,
                    r"day\.csv: not a readable CSV table: row 2"),
    "repeated Parquet fields": (_duplicate_fields, SurveyFileError,
                                r"^day\.parquet: column name\(s\) \['fun_ease_1', 'weight'\] appear more than once"),
}


@pytest.mark.adversarial("result")
def test_an_id_typed_composed_in_one_file_and_decomposed_in_another_is_one_respondent(client, tmp_path):
    """NFC and NFD spellings of one id, in two files: one respondent, the second a duplicate
    (as the pandas audit decides), each row keeping its id as written."""
    import unicodedata

    folder = tmp_path / "days"
    folder.mkdir()
    frame = pd.read_csv(DEMO_DATA).head(40)
    frame["respondent_id"] = [f"José-{i}" for i in range(len(frame))]
    first, second = frame.iloc[:20].copy(), frame.iloc[20:].copy()
    second.iloc[0, second.columns.get_loc("respondent_id")] = unicodedata.normalize("NFD", "José-3")
    first.to_csv(folder / "a.csv", index=False)
    second.to_csv(folder / "b.csv", index=False)
    big = bigdata.audit_files(folder, DEMO_CODEBOOK, client=client)
    assert int(big.files["flagged_duplicate_id"].sum()) == 1
    assert big.rows_in == 40 == big.rows_kept + big.rows_excluded


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_a_worker_cannot_use_is_one_line_and_nothing_is_logged(client, tmp_path, capfd, caplog, case):
    write, error, match = BAD_FILES[case]
    folder = tmp_path / "days"
    folder.mkdir()
    pd.read_csv(DEMO_DATA).head(300).to_csv(folder / "a_good_day.csv", index=False)  # a good file first
    write(folder)
    capfd.readouterr()
    before = _worker_errors(client)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(error, match=match) as raised:
            bigdata.audit_files(folder, DEMO_CODEBOOK, client=client)
    assert not _worker_errors(client) - before
    out, err = capfd.readouterr()
    message = str(raised.value)
    assert "\n" not in message and len(message) < 1500, message
    assert "Traceback" not in out + err and "Compute Failed" not in out + err, err
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or "day." in r.getMessage()]
    assert not logged, caplog.text  # (a busy machine's garbage-collection warnings are not this case's)
    assert type(raised.value) is error  # the worker's own error, as it is


@pytest.mark.adversarial("error")
def test_a_file_that_fails_on_the_cli_is_one_line(client, tmp_path, capfd):
    from valuekit.cli import main

    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "day.csv").write_text("")
    capfd.readouterr()
    before = _worker_errors(client)
    assert main(["audit", str(folder), "--codebook", str(DEMO_CODEBOOK), "--engine", "dask",
                 "--scheduler", client.scheduler.address]) == 2
    assert not _worker_errors(client) - before
    out, err = capfd.readouterr()
    assert err.strip().splitlines() == ["valuekit audit: day.csv: the file is empty; expected a header row and "
                                        "data rows"], err


BAD_ADDRESSES = {
    "not an address": "a space or control character",
    "tcp://": "no host",
    "tcp://host:99999": "port '99999' is not a number from 1 to 65535",
    "http://x": "unknown scheme 'http'",
    "::::": r"more than one ':' \(an IPv6 address needs brackets, e\.g\. 'tcp://\[::1\]:8786'\)",
    "tcp://scheduler": "no port",
    "tcp://[::1:8786": r"'\[' without its '\]'",
    "tcp://[not:ipv6]:8786": r"'\[not:ipv6\]' is not an IPv6 address",
    "tcp://bad_host!:8786": "'bad_host!' is not a host name or IP address",
    "tcp://host:0": "port '0' is not a number from 1 to 65535",
    "://host:8786": "no scheme before '://'",
}


@pytest.mark.adversarial("error")
@pytest.mark.parametrize("address", list(BAD_ADDRESSES))
def test_a_malformed_scheduler_address_is_refused_before_connecting(address):
    start = time.perf_counter()
    with pytest.raises(ParameterError, match=rf"^scheduler: {BAD_ADDRESSES[address]} in .*; expected a Dask "
                                             r"scheduler address such as 'tcp://10\.0\.0\.5:8786' \(scheme tcp, "
                                             r"tls, inproc, ucx, ws or wss; a host; a port from 1 to 65535\)$") as e:
        bigdata.audit_files(DEMO_DATA, DEMO_CODEBOOK, scheduler=address)
    assert e.value.name == "scheduler" and time.perf_counter() - start < 5
    with pytest.raises(ParameterError, match="^scheduler: "):
        with bigdata.connect(scheduler=address):
            pass


@pytest.mark.adversarial("error")
def test_a_malformed_scheduler_on_the_command_line_is_one_line(capsys):
    from valuekit.cli import main

    assert main(["audit", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "--engine", "dask",
                 "--scheduler", "http://x"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "scheduler: unknown scheme 'http' in 'http://x'" in err


@pytest.mark.adversarial("result")
def test_scheduler_addresses_of_every_transport_are_accepted():
    from valuekit.engines.dask import _scheduler_address

    for address, expected in [("tcp://10.0.0.5:8786", None), (" 10.0.0.5:8786 ", "10.0.0.5:8786"),
                              ("TLS://scheduler.example.org:8786", "tls://scheduler.example.org:8786"),
                              ("tcp://[::1]:8786", None), ("ws://scheduler", None), ("wss://s-1.local:443", None),
                              ("ucx://10.0.0.5:13337", None), ("inproc://10.0.0.5/1234/1", None)]:
        assert _scheduler_address(address) == (expected or address)


# -- scenario names as file names ---------------------------------------------------------------

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in "123456789")}
hostile = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
ODD = list("a/\\.:*?\"<>| \x00\x07\t\r\n\x85\u2028\u2029\u202e\u2066\u200f\ufeffé\u0301😀ـ")
hostile = st.one_of(hostile, st.lists(st.sampled_from(ODD + ["CON", "nul", "..", "com1"]), min_size=1,
                                      max_size=40).map("".join))


@pytest.mark.adversarial("property")
@settings(max_examples=300, deadline=None)
@given(name=hostile, max_bytes=st.sampled_from([255, 40, 16]))
def test_any_scenario_name_gives_a_safe_file_name(name, max_bytes):
    file_name = scenario_file_name(name, ".yaml", max_bytes=max_bytes)
    stem = file_name[:-len(".yaml")]
    assert file_name.endswith(".yaml") and len(file_name.encode("utf-8")) <= max_bytes
    assert stem and not stem.startswith((".", "_")) and not stem.endswith((".", " "))
    assert not stem.endswith("_") or stem[:-1].upper() in RESERVED  # a reserved name, made safe
    assert all(unicodedata.category(c)[0] in "LMN" or c in "-_" for c in stem), ascii(stem)
    assert stem.upper() not in RESERVED
    assert unicodedata.normalize("NFC", stem) == stem


@pytest.mark.adversarial("property")
@settings(max_examples=60, deadline=None)
@given(name=hostile, suffix=st.sampled_from([".yaml", ".json"]))
def test_any_scenario_name_survives_its_file_exactly(tmp_path_factory, name, suffix):
    name = name.strip()  # a name is read stripped, as typed into the page
    assume(name)
    folder = tmp_path_factory.mktemp("saved")
    first = Scenario(name=name, levers={"price": -5.0}, description=name).save_in(folder, suffix)
    second = Scenario(name=name, levers={"staff": 1.0}).save_in(folder, suffix)  # same name again
    assert first != second and first.parent == folder and second.parent == folder
    assert Scenario.load(first) == Scenario(name=name, levers={"price": -5.0}, description=name)
    assert Scenario.load(second).levers == {"staff": 1.0} and Scenario.load(second).name == name


@pytest.mark.adversarial("result")
def test_long_names_fit_the_file_system_and_are_kept_whole(tmp_path):
    names = ["é" * 300, "x" * 1000, "😀" * 10 + "a" * 400 + "ß", "a" * 300 + " one", "a" * 300 + " two",
             "e\u0301" * 200, "日本語のシナリオ" * 40]
    paths = [Scenario(name=n).save_in(tmp_path) for n in names]
    assert len(set(paths)) == len(names) == len(list(tmp_path.iterdir()))  # none over another
    for name, path in zip(names, paths):
        assert len(path.name.encode("utf-8")) <= 255
        assert Scenario.load(path).name == name
    # the emoji dropped, three names begin with the same 250 letters: numbered
    assert [p.name[-8:] for p in paths[2:5]] == ["aaa.yaml", "aa_2.yaml"[-8:], "aa_3.yaml"[-8:]]


@pytest.mark.adversarial("result")
def test_names_that_map_to_one_file_never_overwrite_each_other(tmp_path):
    names = ["a/b", "a\\b", "a:b", "A B", "a?b", "a\u202eb", "../a/b", "a_b", "CON", "con", "con."]
    paths = [Scenario(name=n, levers={"price": float(-i)}).save_in(tmp_path) for i, n in enumerate(names)]
    assert [p.name for p in paths[:4]] == ["a_b.yaml", "a_b_2.yaml", "a_b_3.yaml", "A_B_4.yaml"]  # case-blind
    assert [p.name for p in paths[8:]] == ["CON_.yaml", "con__2.yaml", "con__3.yaml"]
    for i, (name, path) in enumerate(zip(names, paths)):
        assert path.parent == tmp_path
        back = Scenario.load(path)
        assert back.name == name and back.levers == ({"price": float(-i)} if i else {})


@pytest.mark.adversarial("error")
def test_a_file_name_too_long_is_refused_by_name(tmp_path):
    path = tmp_path / ("x" * 300 + ".yaml")
    with pytest.raises(FileError, match=r"path: the path '.*/x+(\.\.\.|') cannot name a file: one of its file or folder "
                                        r"names is 305 bytes long; file systems allow 255") as e:
        Scenario(name="x").save(path)
    assert e.value.path == str(path) and not list(tmp_path.iterdir())
    with pytest.raises(FileError, match=r"cannot name a file: one of its file or folder names is 305 bytes long"):
        Scenario.load(path)


@pytest.mark.adversarial("error")
def test_a_deck_file_name_too_long_is_refused_before_the_deck_is_built(tmp_path):
    from valuekit.decide.scenario import ScenarioEngine
    from valuekit.present.deck import scenario_deck

    engine = ScenarioEngine.__new__(ScenarioEngine)  # never used: the path is refused first
    path = tmp_path / ("d" * 260 + ".pptx")
    with pytest.raises(FileError, match=r"^path: the path '.*/d+(\.\.\.|') cannot name a file: one of its file or folder "
                                        r"names is 265 bytes long; file systems allow 255$"):
        scenario_deck(engine, Scenario(name="x"), path=path)
    assert not list(tmp_path.iterdir())


@pytest.mark.adversarial("error")
def test_a_lone_surrogate_in_a_name_is_refused_where_it_is_made(tmp_path):
    with pytest.raises(ParameterError, match=r"^name: an unpaired surrogate U\+D83D at character 3; expected text "
                                             r"that can be saved as UTF-8$"):
        Scenario(name="ab\ud83d")
    with pytest.raises(ParameterError, match=r"^description: an unpaired surrogate U\+DC00 at character 1"):
        Scenario(name="ok", description="\udc00")
    spec = tmp_path / "odd.json"
    spec.write_text('{"name": "cheaper \\ud83d", "levers": {}}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^odd\.json: scenario key 'name': an unpaired surrogate U\+D83D at "
                                            r"character 9"):
        Scenario.load(spec)
    assert Scenario.load(Scenario(name="😀 ok").save(tmp_path / "pair.json")).name == "😀 ok"  # a pair is one char


@pytest.mark.adversarial("error")
def test_a_file_name_budget_too_small_is_refused():
    with pytest.raises(ParameterError, match=r"max_bytes: 6 bytes leave no room for a name before '\.yaml'"):
        scenario_file_name("x", ".yaml", max_bytes=6)


# -- the deck's text ----------------------------------------------------------------------------

@pytest.mark.adversarial("result")
def test_control_characters_in_names_never_break_the_deck(scenario_engine):
    from pptx import Presentation

    from valuekit.present.deck import scenario_deck

    main = Scenario(name="bell\x07 null\x00 tab\there\ufffe\u202eevil", levers={"price": -5.0})
    twins = [Scenario(name="twin\x01", levers={"staff": 1.0}), Scenario(name="twin\x02")]
    data = scenario_deck(scenario_engine, main, compare=twins, names={0: "seg\x0bment\ud800"})
    deck = Presentation(io.BytesIO(data))
    assert deck.slides[0].shapes.title.text == "Scenario: bell\ufffd null\ufffd tab here\ufffd\u202eevil"
    compared = next(sh.table for sh in deck.slides[3].shapes if sh.has_table)
    assert [compared.cell(i, 0).text for i in (1, 2)] == ["twin\ufffd", "twin\ufffd (2)"]  # both, apart
    by_segment = next(sh.table for sh in deck.slides[1].shapes if sh.has_table)
    assert by_segment.cell(2, 0).text.startswith("0: seg\ufffdment\ufffd")
    assert sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13) == 2  # both charts drawn


@pytest.mark.adversarial("result")
def test_a_formula_like_name_is_plain_text_in_the_deck(scenario_engine):
    """PowerPoint never evaluates a shape's or a table cell's text (formula/DDE injection is
    a spreadsheet's concern): the name is stored as literal text, with no field or link."""
    import zipfile

    from valuekit.present.deck import scenario_deck

    name = "=cmd|'/c calc'!A0"
    data = scenario_deck(scenario_engine, Scenario(name=name, levers={"price": -5.0}),
                         compare=[Scenario(name=name)])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        slides = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("ppt/slides/slide")}
        assert not [n for n in z.namelist() if "embeddings" in n or "externalLink" in n]
    assert "<a:t>Scenario: =cmd|'/c calc'!A0</a:t>" in slides["ppt/slides/slide1.xml"]
    assert "<a:t>=cmd|'/c calc'!A0</a:t>" in slides["ppt/slides/slide4.xml"]
    assert not any("<a:fld" in x or "hlinkClick" in x or "ddeLink" in x for x in slides.values())


# -- the dashboard's port -----------------------------------------------------------------------

@pytest.fixture
def busy_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.adversarial("error")
def test_a_dashboard_port_in_use_is_refused_and_nothing_is_started(busy_port, tmp_path, monkeypatch):
    import psutil

    from valuekit.report import serve_dashboard

    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or pytest.fail("Voila started"))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    start = time.perf_counter()
    with pytest.raises(ParameterError, match=rf"^port: port {busy_port} on 127\.0\.0\.1 is already in use \(another "
                                             r"server, perhaps another dashboard\); stop it or choose another port, "
                                             r"e\.g\. --port (\d+) \(port=\1\)$") as e:
        serve_dashboard(port=busy_port, save_dir=tmp_path / "scenarios")
    assert e.value.name == "port" and time.perf_counter() - start < 30 and not started
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
    suggested = int(str(e.value).rsplit("=", 1)[1].rstrip(")"))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", suggested))  # the port suggested is free


@pytest.mark.adversarial("error")
def test_the_dashboard_command_refuses_a_port_in_use(busy_port, tmp_path, capsys):
    from valuekit.cli import main

    assert main(["dashboard", "--port", str(busy_port), "--scenarios", str(tmp_path / "scenarios")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"port {busy_port} on 127.0.0.1 is already in use" in err


@pytest.mark.adversarial("result")
def test_voila_never_moves_to_another_port(busy_port, tmp_path):
    """The race the check cannot close (the port taken between the check and Voilà's start):
    the installed Voilà, with valuekit's command line, exits instead of serving elsewhere."""
    import nbformat

    from valuekit.report import dashboard_command, voila_environment

    notebook = tmp_path / "page.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), notebook)
    command = dashboard_command(notebook, busy_port, preheat=False)
    assert "--Voila.port_retries=0" in command
    proc = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=tmp_path, env=voila_environment())
    assert proc.returncode == 1
    assert f"The port {busy_port} is already in use" in proc.stderr and "Voilà is running at" not in proc.stderr
    assert "could not be started" in proc.stderr
