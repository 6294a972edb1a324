"""The Dask engine gives the answers of the one-machine path: a LocalCluster of two workers
audits and scores an export split into files, compared row for row with load_survey on
the whole export; the big-data summaries equal the one-machine ones."""

import numpy as np
import pandas as pd
import pytest

import valuekit
from valuekit import DEMO_CODEBOOK, DEMO_DATA, ValueScorer, load_survey
from valuekit.analyse.drivers import key_drivers, relative_weights
from valuekit.analyse.segments import ValueSegmenter
from valuekit.analyse.segments import share_destroyed as one_machine_share
from valuekit.engines import dask as bigdata
from valuekit.errors import ParameterError, SurveyFileError


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, worker_dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, Client(cluster) as c:
        yield c


def _split(frame: pd.DataFrame, folder, bounds, suffix=".csv"):
    folder.mkdir()
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        part = frame.iloc[lo:hi]
        if suffix == ".csv":
            part.to_csv(folder / f"day{i:02d}.csv", index=False)
        else:
            part.to_parquet(folder / f"day{i:02d}.parquet", index=False)
    return [hi - lo for lo, hi in zip(bounds[:-1], bounds[1:])]


def _global_rows(table: pd.DataFrame, sizes, files) -> pd.DataFrame:
    """A per-file table (file, row within the file, ...) numbered as rows of the joined export."""
    offset = dict(zip(files, np.cumsum([0, *sizes[:-1]])))
    out = table.copy()
    out["row"] = out["row"] + out["file"].map(offset).astype("int64")
    return out.drop(columns="file").sort_values(["row"] + (["column"] if "column" in out else []),
                                                kind="stable").reset_index(drop=True)


def _compare(big, out, reference, sizes, files):
    ref = reference.audit
    assert big.rows_in == ref.rows_in and big.rows_kept == ref.rows_kept
    assert big.rows_excluded == ref.rows_excluded
    s, r = big.summary(), ref.summary()
    assert s["flagged"] == r["flagged"] and s["excluded"] == r["excluded"] and s["cells"] == r["cells"]
    assert big.settings["speeder_threshold_seconds"] == ref.settings["speeder_threshold_seconds"]
    pd.testing.assert_frame_equal(big.columns, ref.columns.reset_index(drop=True), check_dtype=False)
    rows = _global_rows(pd.read_parquet(out / "rows"), sizes, files)
    pd.testing.assert_frame_equal(rows, ref.rows.reset_index(drop=True), check_dtype=False)
    cells = _global_rows(pd.read_parquet(out / "cells"), sizes, files)
    want = ref.cells.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(cells, want, check_dtype=False)
    # accounting per file: rows in = kept + excluded, and the files add up
    f = big.files
    assert (f["rows_in"] == f["rows_kept"] + f["rows_excluded"]).all()
    assert f["rows_in"].tolist() == sizes


def _scores_match(out, reference, sizes, files):
    got = _global_rows(pd.read_parquet(out / "scores"), sizes, files).set_index("row")
    want = ValueScorer(DEMO_CODEBOOK).fit_transform(reference.data)
    assert got.index.tolist() == want.index.tolist()
    for col in ["functional", "economic", "time", "money", "benefits", "sacrifices", "value_ratio"]:
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=0, atol=1e-12,
                                   err_msg=col)
    assert got["verdict"].tolist() == want["verdict"].astype("str").tolist()
    assert got["unscored_reason"].tolist() == want["unscored_reason"].tolist()
    return got, want


def test_split_demo_export_gives_the_one_machine_audit(client, tmp_path):
    """Four daily files of the demo export (its repeated ids, blanks, codes, text and
    speeders) plus a respondent of day 0 who answered again on day 3."""
    frame = pd.read_csv(DEMO_DATA, dtype=str, keep_default_na=False)
    frame = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)  # the same id in the first and last file
    joined = tmp_path / "joined.csv"
    frame.to_csv(joined, index=False)
    sizes = _split(frame, tmp_path / "days", [0, 500, 1000, 1500, len(frame)])
    files = [f"day{i:02d}.csv" for i in range(4)]
    big = bigdata.audit_files(tmp_path / "days", DEMO_CODEBOOK, out=tmp_path / "out", score=True, client=client)
    reference = load_survey(joined, codebook=DEMO_CODEBOOK)
    assert reference.audit.summary()["flagged"]["duplicate_id"] > 0
    _compare(big, tmp_path / "out", reference, sizes, files)
    _scores_match(tmp_path / "out", reference, sizes, files)
    dup = pd.read_parquet(tmp_path / "out" / "rows")
    assert dup.loc[(dup["file"] == "day03.csv") & dup["duplicate_id"], "row"].tolist()[-1] == sizes[-1]
    assert big.files["scored"].sum() + big.files["unscored"].sum() == big.rows_kept


@pytest.fixture(scope="module")
def big_export(tmp_path_factory):
    """100,000 respondents resampled from the demo survey, with new ids, 30 of them repeated
    in later files, written as one Parquet export and as five daily Parquet files."""
    tmp = tmp_path_factory.mktemp("big")
    demo = pd.read_csv(DEMO_DATA)
    frame = demo.sample(100_000, replace=True, random_state=7).reset_index(drop=True)
    frame["respondent_id"] = np.arange(1, len(frame) + 1)
    rng = np.random.default_rng(7)
    later = rng.choice(np.arange(50_000, len(frame)), 30, replace=False)
    frame.loc[later, "respondent_id"] = rng.integers(1, 40_000, 30)
    frame.to_parquet(tmp / "joined.parquet", index=False)
    sizes = _split(frame, tmp / "days", [0, 20_000, 40_000, 60_000, 80_000, 100_000], suffix=".parquet")
    return tmp, sizes, [f"day{i:02d}.parquet" for i in range(5)]


@pytest.fixture(scope="module")
def big_run(client, big_export):
    tmp, sizes, files = big_export
    big = bigdata.audit_files(str(tmp / "days" / "day*.parquet"), DEMO_CODEBOOK, out=tmp / "out", score=True,
                              client=client)
    return big, load_survey(tmp / "joined.parquet", codebook=DEMO_CODEBOOK)


def test_100k_rows_in_five_files(big_export, big_run):
    tmp, sizes, files = big_export
    big, reference = big_run
    assert reference.audit.summary()["flagged"]["duplicate_id"] >= 30
    _compare(big, tmp / "out", reference, sizes, files)
    _scores_match(tmp / "out", reference, sizes, files)


def test_typing_shares_and_drivers_on_the_partitions(client, big_export, big_run):
    tmp, sizes, files = big_export
    big, reference = big_run
    scores = bigdata.read_scores(tmp / "out")
    assert scores.npartitions == 5
    sample = bigdata.sample_scores(scores, 5_000, random_state=1)
    assert 4_000 < len(sample) < 6_000 and (sample["unscored_reason"] == "").all()
    segmenter = ValueSegmenter(valuekit.read_codebook(DEMO_CODEBOOK), n_segments=3, random_state=0).fit(sample)
    typed = bigdata.predict_segments(segmenter, scores)
    got = typed.compute()
    one = ValueScorer(DEMO_CODEBOOK).fit_transform(reference.data)
    labels = segmenter.predict(one)
    assert str(got["segment"].dtype) == "Int64"
    assert got["segment"].fillna(-1).tolist() == labels.fillna(-1).tolist()
    assert labels.isna().any() and labels.nunique() == 3  # unscored respondents stay untyped

    with_w = one.assign(weight=reference.data["weight"])
    share = bigdata.share_destroyed(typed, by="segment", weights="weight")
    want = one_machine_share(one, labels, weights=reference.data["weight"])
    pd.testing.assert_frame_equal(share, want, check_dtype=False, rtol=1e-12)
    overall = bigdata.share_destroyed(scores, weights="weight")
    assert overall["n"].item() == int(one["value_ratio"].notna().sum())

    drivers = valuekit.read_codebook(DEMO_CODEBOOK).dimensions
    table = bigdata.key_drivers(scores, "overall_value", drivers, weights="weight")
    ref = relative_weights(with_w.assign(out_value=reference.data["out_value"]), "out_value", drivers,
                           weights=reference.data["weight"])
    np.testing.assert_allclose(table["raw_weight"], ref["raw_weight"], rtol=1e-10)
    np.testing.assert_allclose(table["beta"], ref["beta"], rtol=1e-10)
    assert table.attrs["n"] == ref.attrs["n"] and table.attrs["dropped"] == ref.attrs["dropped"]
    # the Poisson bootstrap over the partitions against the one-machine resampling bootstrap
    assert (table["n_boot"] == 200).all() and table.attrs["resampling"] == "poisson"
    assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
    one_machine = key_drivers(with_w.assign(out_value=reference.data["out_value"]), "out_value", drivers,
                              weights=reference.data["weight"], n_boot=200, random_state=0)
    # the model's design-based tests (two passes over the partitions) equal the one-machine ones
    for column in ("model_f", "model_df2", "model_p", "adj_r2", "beta_adj_ci_low", "beta_adj_ci_high", "beta_p"):
        np.testing.assert_allclose(table[column], one_machine[column], rtol=1e-9, err_msg=column)
    assert table["distinguishable"].tolist() == one_machine["distinguishable"].tolist()
    for low, high in (("beta_ci_low", "beta_ci_high"), ("ci_low", "ci_high"), ("r2_ci_low", "r2_ci_high")):
        ratio = (table[high] - table[low]) / (one_machine[high] - one_machine[low])
        assert ratio.between(0.7, 1.4).all(), (low, ratio.tolist())
    assert table["distinguishable"].tolist() == one_machine["distinguishable"].tolist()
    again = bigdata.key_drivers(scores, "overall_value", drivers, weights="weight")
    pd.testing.assert_frame_equal(again, table)  # the same replicates from the same seed


def test_bad_sources_and_options(client, tmp_path):
    with pytest.raises(SurveyFileError, match="not found"):
        bigdata.audit_files(tmp_path / "nowhere", DEMO_CODEBOOK, client=client)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SurveyFileError, match="no CSV or Parquet file"):
        bigdata.audit_files(tmp_path / "empty", DEMO_CODEBOOK, client=client)
    with pytest.raises(SurveyFileError, match="no file matches"):
        bigdata.audit_files(str(tmp_path / "x*.csv"), DEMO_CODEBOOK, client=client)
    with pytest.raises(ParameterError, match="stated"):
        bigdata.audit_files(DEMO_DATA, DEMO_CODEBOOK, score={"index_weights": "stated"}, client=client)
    with pytest.warns(FutureWarning, match="index_weights"), pytest.raises(ParameterError, match="stated"):
        bigdata.audit_files(DEMO_DATA, DEMO_CODEBOOK, score={"weights": "stated"}, client=client)  # the 0.1 name
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(SurveyFileError, match="not empty"):
        bigdata.audit_files(DEMO_DATA, DEMO_CODEBOOK, out=tmp_path / "full", client=client)
    bad = tmp_path / "bad"
    bad.mkdir()
    pd.read_csv(DEMO_DATA).drop(columns="sac_money_1").to_csv(bad / "day.csv", index=False)
    with pytest.raises(valuekit.CodebookError, match="sac_money_1"):  # the worker's error, as it is
        bigdata.audit_files(bad, DEMO_CODEBOOK, client=client)


def test_cli_on_a_running_scheduler(client, tmp_path, capsys):
    from valuekit.cli import main

    frame = pd.read_csv(DEMO_DATA, dtype=str, keep_default_na=False)
    _split(frame, tmp_path / "days", [0, 1000, len(frame)])
    address = client.scheduler.address
    out = tmp_path / "scores"
    assert main(["score", str(tmp_path / "days"), "--codebook", str(DEMO_CODEBOOK), "-o", str(out),
                 "--engine", "dask", "--scheduler", address]) == 0
    text = capsys.readouterr().out
    reference = load_survey(DEMO_DATA, codebook=DEMO_CODEBOOK)
    assert f"2008 rows in 2 file(s), {reference.audit.rows_excluded} excluded" in text
    assert len(pd.read_parquet(out / "scores")) == reference.audit.rows_kept
    assert main(["score", str(tmp_path / "days"), "--codebook", str(DEMO_CODEBOOK), "-o", str(out),
                 "--engine", "dask", "--scheduler", address]) == 2
    assert "not empty; pass force" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "days" / "*.csv"), "--codebook", str(DEMO_CODEBOOK), "--engine", "dask",
                 "--scheduler", address, "--json"]) == 0
    assert '"rows_kept": %d' % reference.audit.rows_kept in capsys.readouterr().out
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(tmp_path / "s.parquet"),
                 "--engine", "dask", "--scheduler", address]) == 2
    assert "a folder" in capsys.readouterr().err
    assert main(["score", str(DEMO_DATA), "--codebook", str(DEMO_CODEBOOK), "-o", str(tmp_path / "s2"),
                 "--engine", "dask", "--scheduler", address, "--weights", "stated"]) == 2
    assert "--index-weights stated: not with --engine dask" in capsys.readouterr().err  # --weights: its 0.1 name


@pytest.mark.parametrize("effect", [0.0, 0.08])
def test_driver_intervals_stay_silent_without_an_effect(client, effect):
    """Drivers unrelated to the outcome: no beta interval excludes zero. With a small
    planted effect of the first driver, it alone is distinguishable."""
    import dask.dataframe as dd

    rng = np.random.default_rng(11)
    n = 40_000
    frame = pd.DataFrame(rng.normal(4, 1, (n, 4)), columns=["d1", "d2", "d3", "d4"])
    frame["outcome"] = effect * frame["d1"] + rng.normal(0, 1, n)
    frame["weight"] = rng.uniform(0.5, 2, n)
    table = bigdata.key_drivers(dd.from_pandas(frame, npartitions=4), "outcome", ["d1", "d2", "d3", "d4"],
                                weights="weight", random_state=3)
    want = [effect > 0, False, False, False]
    assert table["distinguishable"].tolist() == want


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_weights_are_refused_on_the_partitions(client, bad):
    import dask.dataframe as dd

    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame({"value_ratio": rng.uniform(0.5, 1.5, n), "y": rng.normal(size=n),
                          "a": rng.normal(size=n), "b": rng.normal(size=n), "w": rng.uniform(0.5, 2, n),
                          "text": ["x"] * n})
    frame["verdict"] = np.where(frame["value_ratio"] < 1, "destroyed", "created")
    good = dd.from_pandas(frame, npartitions=3)
    shares = bigdata.share_destroyed(good, weights="w")
    assert shares["n"].iloc[0] == n and np.isfinite(shares["share_destroyed"].iloc[0])
    frame.loc[[250, 260], "w"] = bad  # in the last partition only
    scores = dd.from_pandas(frame, npartitions=3)
    expected = rf"weights: weights must be finite and >= 0; 2 in column 'w' are not \(first: {bad:g}\)"
    for call in (lambda: bigdata.share_destroyed(scores, weights="w"),
                 lambda: bigdata.weighted_correlation(scores, ["y", "a"], weights="w"),
                 lambda: bigdata.key_drivers(scores, "y", ["a", "b"], weights="w", n_boot=5)):
        with pytest.raises(ParameterError, match=expected):
            call()
    frame["w"] = -1.0  # formerly "all its respondents' weights are zero"
    with pytest.raises(ParameterError, match="must be finite and >= 0; 300 in column 'w'"):
        bigdata.share_destroyed(dd.from_pandas(frame, npartitions=3), weights="w")


def test_bigdata_arguments_are_named_before_any_pass(client):
    import dask.dataframe as dd

    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "a": [1.0, 3.0, 2.0, 5.0], "text": list("wxyz"),
                          "value_ratio": 1.0, "verdict": "neutral"})
    scores = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(ParameterError, match=r"drivers: expected at least one column name, got \[\]"):
        bigdata.key_drivers(scores, "y", [])
    with pytest.raises(ParameterError, match=r"outcome: column\(s\) \['text'\] are not numeric"):
        bigdata.key_drivers(scores, "text", ["a"])
    with pytest.raises(ParameterError, match=r"drivers: column\(s\) \['text'\] are not numeric"):
        bigdata.key_drivers(scores, "y", ["a", "text"])
    with pytest.raises(ParameterError, match=r"columns: column\(s\) \['text'\] are not numeric"):
        bigdata.weighted_correlation(scores, ["y", "text"])
    for call in (lambda: bigdata.share_destroyed(scores, weights="text"),
                 lambda: bigdata.weighted_correlation(scores, ["y", "a"], weights="text")):
        with pytest.raises(ParameterError, match="weights: column 'text' holds .*, not numbers; expected survey"):
            call()


def test_a_cluster_started_while_another_holds_port_8787_starts_quietly_on_loopback():
    """Two runs at once (or parallel test workers): the scheduler's HTTP server takes a free
    port of 127.0.0.1, not Dask's 8787, so the second neither warns (warnings are errors
    here) nor listens beyond this machine."""
    import socket

    from valuekit.engines.dask import connect

    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind(("127.0.0.1", 8787))
        except OSError:  # already held by another cluster: the case itself
            pass
        with connect(n_workers=1) as own:
            server = own.cluster.scheduler.http_server
            assert server.address == "127.0.0.1" and server.port != 8787
