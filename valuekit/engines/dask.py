"""Surveys past one machine: the same audit and scores on Dask, and what follows from them.

A feedback programme that collects responses every day keeps them as one file (or
partition) per day: a folder of CSV or Parquet files. :func:`audit_files` audits and
scores such a folder (or a glob, or a list of files) on a ``dask.distributed`` cluster,
one task per file, and gives the same answers as :func:`valuekit.load_survey` on all the
files joined into one export:

* every cell check and row flag of the audit, with the two that need every row decided
  over all of them: the speeder threshold is a share of the **median** completion time of
  all rows (exact: from each file's distinct times and their counts), and a respondent id
  repeated **across files** is a duplicate (of the rows sharing an id, the first one
  without another flag is kept, in the order of the files and their rows);
* the accounting per file and in total (rows in = kept + excluded);
* the scores of :class:`valuekit.ValueScorer`, equal to the one-machine scores.

The audit's row and cell tables and the scores are written as partitioned Parquet (one
part per input file, readable with ``dask.dataframe.read_parquet`` or pandas). Then, on
the scores: :func:`predict_segments` types every respondent into segments fitted on a
sample (:func:`sample_scores`), :func:`share_destroyed` gives the weighted share of
customers whose value is destroyed with its Wilson interval (Kish's effective n), and
:func:`key_drivers` decomposes R² from a weighted correlation matrix computed as one Dask
reduction, with intervals from a Poisson bootstrap computed in the same pass.

Each file is read twice: a first round gathers what the decisions over every file need
(ids, completion times, the other row flags: a few tens of bytes a respondent stay on the
worker), a second reads it again to finish, score and write it; a worker holds one file's
answers at a time, whatever the number of files.

The cluster: a ``LocalCluster`` (two workers, one thread each, by default) unless a
``client`` or the ``scheduler`` address of a running cluster is given. Workers read the
files themselves: on a real cluster the paths must be readable by every worker (a shared
file system), and the output folder writable by them.
"""

from __future__ import annotations

import glob
import ipaddress
import math
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .._validate import check as _check
from .._validate.args import column_arg, columns_arg
from ..errors import FileError, ParameterError, SurveyError, SurveyFileError, ValuekitError
from ..evidence import DEFAULT_EVIDENCE
from ..measure.model import ScoreModel, score_table
from ..survey.audit import (CELL_PROBLEMS, DEFAULT_EXCLUDE, ROW_REASONS, check_audit_options, duplicate_id_flags,
                            read_codebook_arg, recode_file, speeder_flags)
from ..survey.codebook import Codebook

__all__ = ["BigAudit", "audit_files", "connect", "source_files", "read_scores", "sample_scores",
           "predict_segments", "share_destroyed", "weighted_correlation", "key_drivers"]

#: Files taken from a folder or a glob: CSV and Parquet exports.
SUFFIXES = (".csv", ".parquet", ".pq")


def _files_at(source: str | os.PathLike) -> list[Path]:
    """The export files one folder, glob pattern or file names (see :func:`source_files`)."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                       and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))
        if not files:
            raise SurveyFileError(f"{path}: no CSV or Parquet file in this folder", path=str(path))
        return files
    if glob.has_magic(str(source)):
        files = [Path(p) for p in sorted(glob.glob(str(source), recursive=True)) if Path(p).is_file()]
        if not files:
            raise SurveyFileError(f"{source}: no file matches this pattern", path=str(source))
        return files
    if path.is_file():
        return [path]
    raise SurveyFileError(f"survey file or folder '{path}' not found", path=str(path))


def source_files(source) -> list[Path]:
    """The export files of ``source``: a folder (every CSV or Parquet file below it, in
    the order of their paths; names starting with ``.`` or ``_`` are skipped, as Spark
    and Dask markers), a glob pattern (``"feedback/2026-*.parquet"``), one file, or a
    list of any of these (in the order given)."""
    if isinstance(source, (list, tuple)):
        if not source:
            raise ParameterError("source: expected a folder, a glob or files, got an empty list", name="source")
        files = [f for part in source for f in source_files(part)]
    elif isinstance(source, (str, os.PathLike)) and str(source).strip():
        files = _files_at(source)
    else:
        raise _check._fail("source", "a folder, a glob pattern, a file or a list of them", source)
    repeated = sorted({str(f) for f in files if files.count(f) > 1})
    if repeated:
        raise ParameterError(f"source: file(s) {repeated} given more than once", name="source")
    return files


@contextmanager
def connect(client=None, scheduler: str | None = None, *, n_workers: int = 2):
    """A Dask client: ``client`` itself, one connected to ``scheduler`` (an address such as
    ``"tcp://10.0.0.5:8786"``, checked before connecting: :func:`_scheduler_address`), or a
    ``LocalCluster`` of ``n_workers`` single-threaded workers on 127.0.0.1, closed on exit."""
    from distributed import Client, LocalCluster  # deferred: distributed

    if client is not None:
        yield client
        return
    if scheduler is not None:
        scheduler = _scheduler_address(scheduler)
        try:
            own = Client(scheduler, timeout="20s")
        except (OSError, ValueError) as err:
            raise ParameterError(f"scheduler: cannot reach a Dask scheduler at '{scheduler}' ({err})",
                                 name="scheduler") from None
        try:
            yield own
        finally:
            own.close()
        return
    n_workers = _check.integer("n_workers", n_workers, min=1)
    with _glibc_heap(), LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, worker_dashboard_address=None,
                                     # no dashboard; the scheduler's own HTTP server (health, metrics)
                                     # on a free port of 127.0.0.1, not 8787: two clusters at once
                                     # (two runs, or parallel tests) do not collide
                                     scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
            Client(cluster) as own:
        yield own


#: The schemes of ``distributed``'s transports; a scheme-less address is TCP, as Dask reads it.
SCHEDULER_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
_HOST = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?")


def _scheduler_address(scheduler) -> str:
    """A Dask scheduler address checked before connecting: ``scheme://host:port`` with a
    scheme of :data:`SCHEDULER_SCHEMES` (none means ``tcp``), a host name or IP address
    (an IPv6 address in brackets, ``[::1]``) and a port from 1 to 65535 (required by
    ``tcp`` and ``tls``). Returns the address without surrounding spaces, its scheme in
    lower case.

    Raises
    ------
    ParameterError
        Naming ``scheduler``, what is wrong and the expected form.

    >>> _scheduler_address(" TCP://10.0.0.5:8786 ")
    'tcp://10.0.0.5:8786'
    >>> _scheduler_address("http://10.0.0.5:8786")
    Traceback (most recent call last):
    ...
    valuekit.errors.ParameterError: scheduler: unknown scheme 'http' in 'http://10.0.0.5:8786'; expected a Dask ...
    """

    expected = "a Dask scheduler address such as 'tcp://10.0.0.5:8786'"
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise _check._fail("scheduler", expected, scheduler)
    address = scheduler.strip()

    def fail(problem: str) -> ParameterError:
        return ParameterError(f"scheduler: {problem} in {_check.shown(address)}; expected {expected} (scheme "
                              f"{', '.join(SCHEDULER_SCHEMES[:-1])} or {SCHEDULER_SCHEMES[-1]}; a host; a port from 1 "
                              "to 65535)", name="scheduler")

    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    elif scheme.lower() not in SCHEDULER_SCHEMES:
        raise fail(f"unknown scheme {scheme!r}" if scheme else "no scheme before '://'")
    if not rest or any(c.isspace() or not c.isprintable() for c in rest):
        raise fail("no host" if not rest else "a space or control character")
    scheme = scheme.lower()
    if scheme == "inproc":
        return f"{scheme}://{rest}"
    port = _address_port(rest, fail)
    if port is None and scheme in ("tcp", "tls"):
        raise fail("no port")
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise fail(f"port {port!r} is not a number from 1 to 65535")
    return f"{scheme}://{rest}" if sep else address


def _address_port(rest: str, fail) -> str | None:
    """The port of an address after its scheme (None when it has none), once its host is
    checked: an IPv6 address in brackets, or a host name or IPv4 address. ``fail(problem)``
    makes the error to raise."""
    if rest.startswith("["):
        host, bracket, tail = rest[1:].partition("]")
        if not bracket:
            raise fail("'[' without its ']'")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise fail(f"'[{host}]' is not an IPv6 address") from None
        if tail and not tail.startswith(":"):
            raise fail(f"{tail!r} after the IPv6 address")
        return tail[1:] if tail else None
    host, colon, port = rest.partition(":")
    if ":" in port:
        raise fail("more than one ':' (an IPv6 address needs brackets, e.g. 'tcp://[::1]:8786')")
    if not host:
        raise fail("no host")
    if not _HOST.fullmatch(host):
        raise fail(f"{host!r} is not a host name or IP address")
    return port if colon else None


@contextmanager
def _glibc_heap():
    """Start workers without the ``MALLOC_TRIM_THRESHOLD_`` Dask's nanny sets by default.

    With it set, glibc stops raising its mmap threshold as large blocks are freed, so
    every array of the next file is mapped afresh and its pages faulted in again: the
    work of one 1,000,000-row file took 2.5 s instead of 1.8 s in one process (measured;
    ``make bench`` dask). The other variables (one BLAS thread per worker) are kept.
    """
    import dask  # deferred: dask

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        yield


# -- the work of one file, on a worker ----------------------------------------------------

class _Part:
    """One file on a worker, between the rounds of :func:`audit_files`: what the decisions
    that need every file take from it (its ids, completion times and other row flags), not
    its answers. The file is read and recoded again to be finished (:meth:`finish`), so a
    worker holds one file's answers at a time however many files it is given (a few tens of
    bytes a respondent are kept in between)."""

    def __init__(self, index: int, path: str, codebook: Codebook, straightline_min_items: int,
                 speeder_fraction: float):
        self.index, self.path, self.codebook = index, path, codebook
        self.straightline_min_items = straightline_min_items
        r = recode_file(path, codebook, straightline_min_items)
        self.rows = r.n
        self.ids = r.ids() if codebook.id else None
        self.times, self.time_counts = None, None
        if codebook.completion_time:
            self.times = r.X[:r.n, r.numeric_cols.index(codebook.completion_time)].copy()
            self.time_counts = np.unique(r.times(), return_counts=True)
        # every flag but the speeder's (its threshold needs every file) and the id's
        flags, _, _ = r.row_flags(speeder_fraction, speeder_threshold=None)
        self.flagged = r.flagged_otherwise(flags)

    def facts(self) -> dict:
        """What the decisions need: rows, the distinct positive completion times and their
        counts, and how the ids were read."""
        out = {"rows": self.rows, "ids": _id_kind(self.ids) if self.ids is not None else None}
        if self.time_counts is not None:
            out["times"] = self.time_counts
        return out

    def _keys(self, as_text: bool) -> tuple[pd.Series, np.ndarray]:
        """Every row's id as a key comparable across files, and its hash. Kept between the
        rounds as a cache only: a task may run on a copy of this object (on another worker),
        so nothing here relies on what an earlier round stored."""
        if getattr(self, "_keyed", None) is None or self._keyed[0] != as_text:
            keys = _id_keys(self.ids, as_text)
            self._keyed = (as_text, keys, _hash(keys))
        return self._keyed[1], self._keyed[2]

    def id_hashes(self, as_text: bool) -> np.ndarray:
        """A hash of every id that is not missing (8 bytes a row, gathered once)."""
        return self._keys(as_text)[1][self.ids.notna().to_numpy()]

    def candidates(self, hashes: np.ndarray, as_text: bool, threshold) -> pd.DataFrame:
        """The rows whose id may be repeated in another file: id, position, flagged otherwise."""
        keys, hashed = self._keys(as_text)
        hit = np.flatnonzero(np.isin(hashed, hashes) & self.ids.notna().to_numpy())
        flagged = self.flagged[hit]
        if self.times is not None:
            flagged = flagged | speeder_flags(self.times[hit], threshold)
        return pd.DataFrame({"key": keys.iloc[hit].to_numpy(), "part": self.index, "position": hit,
                             "flagged": flagged})

    def finish(self, exclude, speeder_fraction, threshold, duplicates: np.ndarray, as_text: bool,
               scorer_params: dict | None, out: str | None) -> dict:
        """The audit of this file with the decisions taken over every file; its tables (and
        scores) written as part ``index`` of each dataset; its accounting returned."""
        r = recode_file(self.path, self.codebook, self.straightline_min_items)
        if r.n != self.rows:
            raise SurveyFileError(f"{Path(self.path).name}: {r.n} rows now, {self.rows} when it was first read; "
                                  "the file changed while it was being audited", path=self.path)
        duplicate = np.zeros(r.n, bool)
        duplicate[duplicates] = True
        survey = r.finish(exclude, speeder_fraction, speeder_threshold=threshold, duplicate_id=duplicate)
        del r
        audit = survey.audit
        name = f"part-{self.index:05d}.parquet"
        result = {"file": self.path, "summary": audit.summary(), "columns": audit.columns,
                  "settings": audit.settings, "notes": audit.notes}
        if scorer_params is not None:

            model = ScoreModel.fit(survey.codebook, survey.recoded, **scorer_params)
            table = score_table(survey, model.transform(survey.recoded))
            verdict = table.column("verdict").to_pandas() if "verdict" in table.column_names else None
            reason = table.column("unscored_reason").to_pandas()
            result["scored"] = {"kept": table.num_rows, "scored": int((reason == "").sum()),
                                "unscored": int((reason != "").sum()),
                                **({v: int((verdict == v).sum()) for v in ("created", "neutral", "destroyed")}
                                   if verdict is not None else {})}
            if out is not None:
                _write(_with_file(table, self.path, as_text, survey.codebook.id), Path(out) / "scores" / name)
        if out is not None:
            _write(_with_file(audit.rows, self.path, as_text, "respondent"), Path(out) / "rows" / name)
            _write(_with_file(audit.cells, self.path, as_text, "respondent"), Path(out) / "cells" / name)
        return result


class _Failed:
    """A file's :class:`ValuekitError` returned by its task as a value, not raised on the
    worker: raised once on the client (:func:`_gather`), in one line, and never logged by
    the worker as a "Compute Failed" with its traceback."""

    def __init__(self, error: ValuekitError):
        self.error = error


def _read_part(index: int, path: str, **options) -> "_Part | _Failed":
    """The first round on one file (:class:`_Part`), or why it cannot be read (:class:`_Failed`):
    a ValuekitError as it is; anything else the reader raised (an ``OSError``, a parser's
    own error) as a :class:`SurveyFileError` naming the file and that error."""
    try:
        _check_parquet_names(path)
        return _Part(index, path, **options)
    except ValuekitError as err:
        return _Failed(err)
    except Exception as err:
        lines = str(err).strip().splitlines()
        return _Failed(SurveyFileError(f"{Path(path).name}: could not be read ({type(err).__name__}"
                                       f"{': ' + lines[0] if lines else ''})", path=path))


def _check_parquet_names(path: str) -> None:
    """Refuse a Parquet file whose schema repeats a column name, in one line naming them
    (pyarrow's own error prints the whole schema); from the file's footer only."""
    if Path(path).suffix.lower() not in (".parquet", ".pq"):
        return
    import pyarrow.parquet as pq  # deferred: pyarrow

    try:
        names = pq.read_schema(path).names
    except Exception:  # not a Parquet file: the reader says so
        return
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    repeated = sorted(name for name, k in seen.items() if k > 1)
    if repeated:
        raise SurveyFileError(f"{Path(path).name}: column name(s) {repeated} appear more than once in the "
                              "header (the Parquet schema); give each column its own name", path=path)


def _guard(task):
    """``task`` on a part, as a Dask task: a part that failed is passed on, and a
    ValuekitError raised by ``task`` is returned (:class:`_Failed`), not raised on the worker."""
    def guarded(part, *args):
        if isinstance(part, _Failed):
            return part
        try:
            return task(part, *args)
        except ValuekitError as err:
            return _Failed(err)
    return guarded


def _gather(client, futures) -> list:
    """The tasks' results; the first failure, in the order of the files, raised once."""
    results = client.gather(futures)
    for result in results:
        if isinstance(result, _Failed):
            raise result.error
    return results


def _id_kind(ids: pd.Series) -> str:
    return "int" if pd.api.types.is_integer_dtype(ids.dtype) else "text"


def _id_keys(ids: pd.Series, as_text: bool) -> pd.Series:
    """Ids as keys comparable across files: the integers themselves, or, when some file's
    ids are text, every id as text (a whole number as its digits) in its Unicode NFC form,
    as the audit compares them (``audit._id_keys``: one ``José`` however it was typed)."""
    if not as_text:
        return ids.astype("Int64")
    if pd.api.types.is_float_dtype(ids.dtype):
        whole = ids.notna() & (ids == ids.round()) & (ids.abs() < 2.0 ** 53)
        text = ids.astype("str").where(~whole, ids.where(whole).astype("Int64").astype("str"))
        return text.where(ids.notna())
    text = ids.astype("str").where(ids.notna())
    return text if text.dropna().str.isascii().all() else text.str.normalize("NFC")


def _hash(keys: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(keys, index=False).to_numpy()


def _with_file(table, path: str, as_text: bool, id_column: str | None):
    """A table with the file it came from as its first column (ids as text when the files
    disagree on their type, so the parts of a dataset share one schema)."""

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    if as_text and id_column in table.column_names:
        i = table.column_names.index(id_column)
        ids = _id_keys(table.column(i).to_pandas(), True)
        table = table.set_column(i, id_column, pa.array(ids.to_numpy(dtype=object, na_value=None), pa.string()))
    return table.add_column(0, "file", pa.array([Path(path).name] * table.num_rows, pa.string()))


def _write(table, path: Path) -> None:
    import pyarrow.parquet as pq  # deferred: pyarrow

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
    except OSError as err:  # disk full, permissions: the worker's own file system
        raise FileError(f"out: cannot write '{path}': {err.strerror or err}", path=str(path)) from None


def _median_of_counts(values: np.ndarray, counts: np.ndarray) -> float:
    """The median of the values repeated ``counts`` times, as :func:`valuekit.survey.audit._median`
    takes it of the whole column (the two middle values halved before adding)."""
    cum = np.cumsum(counts)
    n = int(cum[-1])
    k = (n - 1) // 2
    lo, hi = values[np.searchsorted(cum, k, side="right")], values[np.searchsorted(cum, n // 2, side="right")]
    return float(lo / 2 + hi / 2)


# -- the driver, on the client ------------------------------------------------------------------

@dataclass
class BigAudit:
    """The audit (and scores) of many files, decided over all of them.

    Attributes
    ----------
    files : DataFrame
        One row per file, in order: ``file``, ``rows_in``, ``rows_kept``,
        ``rows_excluded``, one count per row flag (``flagged_<reason>``), and with scores
        ``scored``, ``unscored`` and the verdict counts.
    columns : DataFrame
        Per rated column, summed over the files: ``answered``, ``blank`` and one count per
        cell problem (as :attr:`valuekit.survey.audit.Audit.columns`).
    settings : dict
        The speeder threshold (from the median over all files) and the other settings.
    notes : list of str
    out : Path or None
        Where the partitioned Parquet datasets were written: ``rows/``, ``cells/`` and
        ``scores/``, one part per file (``file`` is each table's first column).
    """

    files: pd.DataFrame
    columns: pd.DataFrame
    exclude: tuple[str, ...]
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    out: Path | None = None

    @property
    def rows_in(self) -> int:
        """Rows read, over every file."""
        return int(self.files["rows_in"].sum())

    @property
    def rows_kept(self) -> int:
        """Rows kept, over every file."""
        return int(self.files["rows_kept"].sum())

    @property
    def rows_excluded(self) -> int:
        """Rows excluded (each with its reason), over every file."""
        return int(self.files["rows_excluded"].sum())

    def summary(self) -> dict:
        """The totals, in the shape of :meth:`valuekit.survey.audit.Audit.summary`, with the files."""
        f = self.files
        return {
            "files": len(f), "rows_in": self.rows_in, "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "excluded": {r: int(f[f"excluded_{r}"].sum()) for r in self.exclude},
            "flagged": {r: int(f[f"flagged_{r}"].sum()) for r in ROW_REASONS},
            "cells": {p: int(self.columns[p].sum()) for p in CELL_PROBLEMS},
            "exclude": list(self.exclude), "settings": self.settings, "notes": self.notes,
            "per_file": f.to_dict(orient="records"),
        }

    def check(self) -> None:
        """Raise if a row is unaccounted for, in any file or in total."""
        f = self.files
        if not (f["rows_kept"] + f["rows_excluded"] == f["rows_in"]).all():
            raise RuntimeError("the audit lost track of a row; this is a bug in valuekit")

    def __repr__(self) -> str:
        return (f"<BigAudit {len(self.files)} file(s): {self.rows_in} rows in, {self.rows_kept} kept, "
                f"{self.rows_excluded} excluded>")


def audit_files(source, codebook, *, out=None, score: bool | dict = False, client=None, scheduler=None,
                exclude=DEFAULT_EXCLUDE, speeder_fraction: float = 0.3, straightline_min_items: int = 5,
                force: bool = False) -> BigAudit:
    """Audit (and score) a folder, glob or list of CSV / Parquet files on Dask.

    Parameters
    ----------
    source : str, Path or list
        See :func:`source_files`. Each file is one task; every file must have the
        codebook's columns.
    codebook : Codebook or path
    out : str or Path, optional
        A folder for the partitioned Parquet outputs (``rows/``, ``cells/``, ``scores/``);
        it must not exist, or be empty, unless ``force``.
    score : bool or dict, default False
        Score every kept respondent with :class:`valuekit.ValueScorer`; a dict gives its
        parameters (``index_weights`` equal or a dict, ``min_answered``, ``min_blocks``,
        ``neutral_band``; ``index_weights="stated"`` is refused: its importance means would
        need the kept rows of every file first).
    client, scheduler
        See :func:`connect`; default a local cluster of two workers.
    exclude, speeder_fraction, straightline_min_items
        As :func:`valuekit.audit_survey`.

    Returns
    -------
    BigAudit

    Raises
    ------
    ValuekitError
        A file a worker cannot read or use (the first, in the order of the files): the
        worker's own error, raised once here, in one line; the worker logs nothing.
    ParameterError
        A malformed ``scheduler`` address (before any work), or one nothing answers at.
    """
    exclude, speeder_fraction, straightline_min_items = check_audit_options(
        exclude, speeder_fraction, straightline_min_items)
    if scheduler is not None and client is None:
        scheduler = _scheduler_address(scheduler)
    cb = read_codebook_arg(codebook)
    files = [str(f) for f in source_files(source)]
    names = [Path(f).name for f in files]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise ParameterError(f"source: file name(s) {repeated} occur in more than one folder; the outputs name "
                             "each row's file by its name, so give files with distinct names", name="source")
    scorer_params = _scorer_params(score, cb)
    out = _out_folder(out, force, files)
    with connect(client, scheduler) as c:
        parts = c.map(_read_part, range(len(files)), files, codebook=cb,
                      straightline_min_items=straightline_min_items, speeder_fraction=speeder_fraction, pure=False)
        try:
            facts = _gather(c, c.map(_guard(lambda p: p.facts()), parts, pure=False))
            threshold = None
            if cb.completion_time:
                values = np.concatenate([f["times"][0] for f in facts])
                counts = np.concatenate([f["times"][1] for f in facts])
                if values.size:
                    order = np.argsort(values, kind="stable")
                    values, counts = values[order], counts[order]
                    threshold = _median_of_counts(values, counts) * speeder_fraction
            as_text = any(f["ids"] == "text" for f in facts)
            duplicates = [np.zeros(0, np.int64) for _ in files]
            if cb.id:  # ids seen more than once (a hash collision only adds a candidate)
                hashes = np.concatenate(_gather(c, c.map(_guard(lambda p: p.id_hashes(as_text)), parts, pure=False)))
                uniq, seen = np.unique(hashes, return_counts=True)
                wanted = uniq[seen > 1]
                if wanted.size:
                    rows = pd.concat(_gather(c, c.map(_guard(lambda p: p.candidates(wanted, as_text, threshold)),
                                                      parts, pure=False)), ignore_index=True)
                    rows = rows.sort_values(["part", "position"], kind="stable").reset_index(drop=True)
                    dup = duplicate_id_flags(pd.Series(rows["key"].to_numpy(), dtype=object),
                                             rows["flagged"].to_numpy(dtype=bool))
                    for part, group in rows[dup].groupby("part"):
                        duplicates[int(part)] = group["position"].to_numpy()
            results = _gather(c, c.map(_guard(lambda p, d: p.finish(exclude, speeder_fraction, threshold, d, as_text,
                                                                    scorer_params, None if out is None else str(out))),
                                       parts, duplicates, pure=False))
        finally:
            c.cancel(parts)
    return _combine(results, exclude, out, threshold, speeder_fraction, straightline_min_items)


def _scorer_params(score, cb: Codebook) -> dict | None:
    if score is False or score is None:
        return None
    params = {} if score is True else score
    if not isinstance(params, dict):
        raise _check._fail("score", "True, False or a dict of ValueScorer parameters", score)
    if "weights" in params:  # the 0.1 name of index_weights, kept for one release
        warnings.warn("score={'weights': ...} is now score={'index_weights': ...}; 'weights' goes in the next "
                      "release", FutureWarning, stacklevel=3)
        params = {("index_weights" if k == "weights" else k): v for k, v in params.items()}
    unknown = sorted(set(params) - {"index_weights", "min_answered", "min_blocks", "neutral_band"})
    if unknown:
        raise ParameterError(f"score: unknown ValueScorer parameter(s) {unknown}", name="score")
    if params.get("index_weights") == "stated":
        raise ParameterError("score: index_weights='stated' learns importance means from the kept respondents of "
                             "every file, which the Dask engine does not gather; give the weights as a dict (e.g. the "
                             "benefit_weights_ and sacrifice_weights_ of a ValueScorer fitted on a sample)",
                             name="score")
    return params


def _out_folder(out, force: bool, files=()):
    if out is None:
        return None
    out = _check.output_dir("out", out, "output folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise SurveyFileError(f"out: {out} is not empty; pass force=True (--force) to write into it", path=str(out))
    earlier = [old for sub in ("rows", "cells", "scores") if (out / sub).is_dir()
               for old in sorted((out / sub).glob("part-*.parquet"))]
    # an earlier run's part files are replaced, never an input (a survey read from an earlier output)
    _check.apart([("out", out)] + [("out", old) for old in earlier], [("source", f) for f in files])
    for old in earlier:
        old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _combine(results, exclude, out, threshold, speeder_fraction, straightline_min_items) -> BigAudit:
    rows = []
    for r in results:
        s = r["summary"]
        row = {"file": r["file"], "rows_in": s["rows_in"], "rows_kept": s["rows_kept"],
               "rows_excluded": s["rows_excluded"],
               **{f"flagged_{k}": v for k, v in s["flagged"].items()},
               **{f"excluded_{k}": v for k, v in s["excluded"].items()},
               **{f"cells_{k}": v for k, v in s["cells"].items()}}
        row.update(r.get("scored", {}))
        rows.append(row)
    files = pd.DataFrame(rows)
    columns = results[0]["columns"].set_index("column")
    for r in results[1:]:
        columns = columns.add(r["columns"].set_index("column"), fill_value=0)
    columns = columns.reset_index().astype({c: "int64" for c in columns.columns})
    settings = dict(results[0]["settings"])
    settings.update(speeder_fraction=speeder_fraction, straightline_min_items=straightline_min_items,
                    speeder_threshold_seconds=None if threshold is None else round(float(threshold), 3))
    notes = list(dict.fromkeys(n for r in results for n in r["notes"]))
    audit = BigAudit(files=files, columns=columns, exclude=exclude, settings=settings, notes=notes, out=out)
    audit.check()
    return audit


# -- on the scores ----------------------------------------------------------------------------

def read_scores(out):
    """The scores written by :func:`audit_files` (``out/scores``) as a Dask DataFrame, one
    partition per input file."""
    import dask.dataframe as dd  # deferred: dask

    if not isinstance(out, (str, os.PathLike)) or not str(out).strip():
        raise _check._fail("out", "the output folder of audit_files (a path)", out)
    folder = Path(out) / "scores"
    if not folder.is_dir():
        raise SurveyFileError(f"{folder}: no scores here; run audit_files(..., out=..., score=True) first",
                              path=str(folder))
    return dd.read_parquet(str(folder))


def sample_scores(scores, n: int = 50_000, *, random_state: int = 0) -> pd.DataFrame:
    """About ``n`` scored respondents drawn at random from every partition (each partition
    contributes its share), as a pandas DataFrame: what segments are fitted on."""
    scores = _scores_arg(scores, ["unscored_reason"])
    n = _check.integer("n", n, min=1)
    random_state = _check.integer("random_state", random_state, min=0)
    scored = scores[scores["unscored_reason"] == ""]
    total = int(scored.shape[0].compute())
    if total == 0:
        raise SurveyError("no scored respondents to sample")
    return scored.sample(frac=min(1.0, n / total), random_state=random_state).compute()


def predict_segments(segmenter, scores):
    """Every respondent typed into the fitted segments of ``segmenter``
    (:class:`valuekit.analyse.segments.ValueSegmenter`), partition by partition: the scores with a
    ``segment`` column (``<NA>`` without a complete profile)."""
    from ..analyse.segments import ValueSegmenter  # deferred: scikit-learn

    if not isinstance(segmenter, ValueSegmenter) or not hasattr(segmenter, "pipeline_"):
        raise _check._fail("segmenter", "a fitted ValueSegmenter (fitted on sample_scores)", segmenter)
    scores = _scores_arg(scores)

    def typed(part: pd.DataFrame) -> pd.DataFrame:
        out = part.copy()
        out["segment"] = segmenter.predict(part).array  # Int64: <NA> without a complete profile
        return out

    meta = scores._meta.assign(segment=pd.Series(pd.array([], dtype="Int64")))
    return scores.map_partitions(typed, meta=meta)


def _scores_arg(scores, columns=()):
    """Scores as a Dask DataFrame (:func:`read_scores`); a pandas DataFrame is one partition."""
    import dask.dataframe as dd  # deferred: dask

    if isinstance(scores, pd.DataFrame):
        scores = dd.from_pandas(scores, npartitions=1)
    if not isinstance(scores, dd.DataFrame):
        raise _check._fail("scores", "a Dask DataFrame of scores (read_scores) or a pandas DataFrame", scores)
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise ParameterError(f"scores: column(s) {missing} not found; expected the scores audit_files writes",
                             name="scores")
    return scores


def _weights_arg(scores, weights) -> str | None:
    """The weights column, checked on the Dask metadata (no pass over the data): a column
    of the scores holding numbers."""
    if weights is None:
        return None
    if not isinstance(weights, str) or not weights:
        raise _check._fail("weights", "None or the name of a column of survey weights", weights)
    if weights not in scores.columns:
        raise ParameterError(f"weights: '{weights}' is not a column of the scores; available: "
                             f"{list(scores.columns)}", name="weights")
    dtype = scores[weights].dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise ParameterError(f"weights: column '{weights}' holds {dtype}, not numbers; expected survey "
                             "weights (numbers >= 0)", name="weights")
    return weights


def _weights(part: pd.DataFrame, weights) -> tuple[np.ndarray, tuple[int, float]]:
    """A partition's weights, and (how many are negative, infinite or missing, the first of
    them): each partition counts its own, so the check costs no extra pass."""
    if weights is None:
        return np.ones(len(part)), (0, 0.0)
    w = part[weights].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(w) | (w < 0)
    return w, ((int(bad.sum()), float(w[bad][0])) if bad.any() else (0, 0.0))


def _check_weights(weights: str | None, counts) -> None:
    """Refuse weights that are negative, infinite or missing (as the one-machine functions
    do), from the partitions' counts."""
    bad = [c for c in counts if c[0]]
    if bad:
        raise ParameterError(f"weights: weights must be finite and >= 0; {sum(c[0] for c in bad)} in column "
                             f"'{weights}' are not (first: {bad[0][1]:g})", name="weights")


def share_destroyed(scores, *, by: str | None = None, weights: str | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Share of scored customers whose value is destroyed, overall or per group (e.g.
    ``by="segment"`` after :func:`predict_segments`), with its interval: the table of
    :func:`valuekit.analyse.segments.share_destroyed`, from sums over every partition (weights,
    their squares, the weights and squared weights of the destroyed). Without weights, or
    with equal weights, Wilson's interval on Kish's effective n; with unequal weights, Korn
    and Graubard's on the linearized variance with each respondent their own cluster (the
    one-machine function's, to rounding). Strata and clusters are not modelled here."""
    import dask  # deferred: dask

    from ..analyse.segments import destroyed_table  # deferred: scikit-learn

    scores = _scores_arg(scores)
    confidence = _check.fraction("confidence", confidence)
    for name, col in [("by", by), ("scores", "verdict"), ("scores", "value_ratio")]:
        if col is not None and col not in scores.columns:
            raise ParameterError(f"{name}: '{col}' is not a column of the scores; available: "
                                 f"{list(scores.columns)}", name=name)
    weights = _weights_arg(scores, weights)

    def sums(part: pd.DataFrame):
        w, bad = _weights(part, weights)
        scored = part["value_ratio"].notna().to_numpy()
        group = part[by] if by else pd.Series("all", index=part.index)
        keep = scored & group.notna().to_numpy()
        wk, destroyed = w[keep], part["verdict"].to_numpy()[keep] == "destroyed"
        frame = pd.DataFrame({"group": group.to_numpy()[keep], "n": 1, "w": wk, "w2": wk ** 2, "wd": wk * destroyed,
                              "w2d": wk ** 2 * destroyed, "npos": (wk > 0).astype(int)})
        positive = w[np.isfinite(w) & (w > 0)]
        extent = (positive.min(), positive.max()) if positive.size else (np.inf, -np.inf)
        return frame.groupby("group").sum(), bad, len(part), extent

    parts = dask.compute(*[dask.delayed(sums)(p) for p in scores.to_delayed()])
    _check_weights(weights, [bad for _, bad, _, _ in parts])
    totals = pd.concat([t for t, *_ in parts]).groupby(level=0).sum()
    low, high = min(e[0] for *_, e in parts), max(e[1] for *_, e in parts)
    if low < high:  # unequal weights: linearized, each respondent of the scores their own cluster
        rows = sum(n for _, _, n, _ in parts)
        p = totals["wd"] / totals["w"]
        totals["var"] = (rows / (rows - 1) * ((1 - 2 * p) * totals["w2d"] + p * p * totals["w2"]) /
                         totals["w"] ** 2) if rows > 1 else np.nan
        totals["df"] = totals["npos"] - 1
    return destroyed_table(totals.drop(columns=["w2d", "npos"]), confidence,
                           design="weights only (each respondent a cluster)")


def weighted_correlation(scores, columns: list[str], *, weights: str | None = None) -> tuple[np.ndarray, int, int]:
    """The weighted correlation matrix of ``columns`` over the complete rows with a positive
    weight, as one Dask reduction (each partition's weighted sums, cross-products about its
    own mean, combined exactly by the parallel-axis rule); also the rows used and left out."""
    R, n, dropped, _ = _correlations(scores, columns, weights, 0, None)
    return R, n, dropped


def _poisson_table() -> np.ndarray:
    """Poisson(1) counts indexed by a 16-bit uniform integer: the inverse of its CDF at
    the 65,536 midpoints, so each count's probability is exact to 2**-16."""
    cdf = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(20)])
    return np.searchsorted(cdf, (np.arange(65536) + 0.5) / 65536, side="right").astype(np.uint8)


_POISSON = _poisson_table()
#: Rows whose replicate weights are drawn at a time (memory: rows x replicates x 8 bytes).
_REPLICATE_ROWS = 1 << 14


def _replicate_sums(D: np.ndarray, w: np.ndarray, n_boot: int, rng) -> tuple:
    """Each bootstrap replicate's weighted sums of ``D`` (rows centred on the partition's
    mean): total weight, sums, and cross-products (upper triangle). A replicate weighs a
    row by its survey weight times a Poisson(1) count, drawn independently per row, so
    partitions need no coordination (the Poisson bootstrap)."""
    k = D.shape[1]
    iu = np.triu_indices(k)
    S0, S1, S2 = np.zeros(n_boot), np.zeros((n_boot, k)), np.zeros((n_boot, iu[0].size))
    for start in range(0, len(D), _REPLICATE_ROWS):
        d, ww = D[start:start + _REPLICATE_ROWS], w[start:start + _REPLICATE_ROWS]
        W = _POISSON[rng.integers(0, 65536, (len(d), n_boot), dtype=np.uint16)] * ww[:, None]
        S0 += W.sum(axis=0)
        S1 += W.T @ d
        S2 += W.T @ (d[:, iu[0]] * d[:, iu[1]])
    return S0, S1, S2


def _weighted_tests(scores, columns, weights, rows: int) -> dict:
    """A weighted model's design-based tests, as :func:`valuekit.analyse.drivers.design_tests`
    with each respondent their own cluster (``svydesign(id=~1, weights=)`` over ``rows``
    respondents): two passes over the partitions, the weighted moments, then the sandwich's
    meat sum w² e² x xᵀ on the centred drivers (the residuals e of the weighted regression)."""
    import dask  # deferred: dask

    from ..analyse.drivers import p_fsum  # deferred: scipy

    weights = _weights_arg(scores, weights)

    def complete(part):
        X = part[columns].to_numpy(dtype=float, na_value=np.nan)
        w, _ = _weights(part, weights)
        ok = np.isfinite(X).all(axis=1) & (w > 0)
        return X[ok], w[ok]

    def moments(part):
        X, w = complete(part)
        return w.sum(), w @ X, (X * w[:, None]).T @ X, len(w)

    parts = dask.compute(*[dask.delayed(moments)(p) for p in scores.to_delayed()])
    sw = sum(p[0] for p in parts)
    mean = sum(p[1] for p in parts) / sw
    M = sum(p[2] for p in parts) - sw * np.outer(mean, mean)  # centred weighted cross-products
    n = sum(p[3] for p in parts)
    b = np.linalg.solve(M[1:, 1:], M[1:, 0])

    def meat(part):
        X, w = complete(part)
        xc = X[:, 1:] - mean[1:]
        e = (X[:, 0] - mean[0]) - xc @ b
        u = xc * (w * e)[:, None]
        return u.T @ u

    middle = sum(dask.compute(*[dask.delayed(meat)(p) for p in scores.to_delayed()]))
    ainv = np.linalg.inv(M[1:, 1:])
    v = ainv @ middle @ ainv * rows / (rows - 1)
    p = len(columns) - 1
    sd = np.sqrt(np.diag(M))
    df = n - 1 - p
    naive = ainv * (sw / n)  # svyglm's naive covariance (weights rescaled to mean 1); the p does not depend on it
    lrt = float(b @ np.linalg.solve(naive, b))
    misspec = np.linalg.eigvals(np.linalg.solve(naive, v)).real
    return {"beta": b * sd[1:] / sd[0], "se": np.sqrt(np.diag(v)) * sd[1:] / sd[0], "df": df,
            "f": float(b @ np.linalg.solve(v, b)) / p, "df1": p, "df2": df, "test": "Rao-Scott likelihood ratio",
            "lrt": lrt, "lrt_p": p_fsum(lrt, misspec, df)}


def _correlations(scores, columns, weights, n_boot: int, seed):
    """The weighted correlation matrix (:func:`weighted_correlation`), and with ``n_boot``
    the correlation matrices of that many Poisson-bootstrap replicates, from one pass."""

    scores = _scores_arg(scores)
    columns = columns_arg("columns", columns, {"scores": scores}, numeric=True)
    weights = _weights_arg(scores, weights)
    import dask  # deferred: dask

    def moments(part: pd.DataFrame, index: int):
        X = part[columns].to_numpy(dtype=float, na_value=np.nan)
        w, bad = _weights(part, weights)
        if bad[0]:  # refused below; nothing else to compute
            return 0.0, None, None, 0, 0, None, bad
        ok = np.isfinite(X).all(axis=1) & (w > 0)
        X, w = X[ok], w[ok]
        sw = w.sum()
        mean = w @ X / sw if sw > 0 else np.zeros(len(columns))
        centred = X - mean
        reps = None
        if n_boot and sw > 0:
            reps = _replicate_sums(centred, w, n_boot, np.random.default_rng([seed, index]))
        return sw, mean, (centred * w[:, None]).T @ centred, int(ok.sum()), int((~ok).sum()), reps, bad

    parts = dask.compute(*[dask.delayed(moments)(p, i) for i, p in enumerate(scores.to_delayed())])
    _check_weights(weights, [p[6] for p in parts])
    used = [p for p in parts if p[0] > 0]
    n, dropped = sum(p[3] for p in parts), sum(p[4] for p in parts)
    k = len(columns)
    if not used:
        return np.full((k, k), np.nan), n, dropped, []
    sw, mean, M = used[0][:3]
    for sw2, mean2, M2, *_ in used[1:]:
        total = sw + sw2
        delta = mean2 - mean
        M = M + M2 + np.outer(delta, delta) * (sw * sw2 / total)
        mean = mean + delta * (sw2 / total)
        sw = total
    sd = np.sqrt(np.diag(M))
    R = M / np.outer(sd, sd)
    if not n_boot:
        return R, n, dropped, []
    # each partition's replicate sums, moved from its own mean to the overall one, added up
    iu = np.triu_indices(k)
    S0, S1, S2 = np.zeros(n_boot), np.zeros((n_boot, k)), np.zeros((n_boot, k, k))
    for _, centre, _, _, _, (s0, s1, s2), _ in used:
        d = centre - mean
        full = np.zeros((n_boot, k, k))
        full[:, iu[0], iu[1]] = s2
        full[:, iu[1], iu[0]] = s2
        S0 += s0
        S1 += s1 + s0[:, None] * d
        S2 += full + s1[:, :, None] * d[None, None, :] + d[None, :, None] * s1[:, None, :] \
            + s0[:, None, None] * np.outer(d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = S1 / S0[:, None]
        C = S2 / S0[:, None, None] - m[:, :, None] * m[:, None, :]
        sd = np.sqrt(np.einsum("bii->bi", C))
        matrices = C / (sd[:, :, None] * sd[:, None, :])
    return R, n, dropped, list(matrices)


def key_drivers(scores, outcome: str, drivers: list[str], *, weights: str | None = None,
                method: str = "johnson", n_boot: int = 200, ci: float = 0.95, random_state: int | None = 0,
                min_n_per_driver: float | None = None) -> pd.DataFrame:
    """Relative importance and direction of ``drivers`` for ``outcome`` over every
    partition, with bootstrap intervals: the table of :func:`valuekit.analyse.drivers.key_drivers`
    (its ``all`` group) from one Dask pass.

    The point estimates come from the weighted correlation matrix of all complete
    respondents (:func:`weighted_correlation`), equal to the one-machine numbers. The
    intervals come from a **Poisson bootstrap** computed in the same pass: each of
    ``n_boot`` replicates weighs every respondent by their survey weight times an
    independent Poisson(1) count, so each partition adds its replicates' sums on its own
    and no respondent is moved (Hanley & MacGibbon 2006; Chamandy et al. 2012). It
    approximates the one-machine bootstrap, which draws exactly n respondents with
    replacement; with the large samples the engine is for, the two agree (tested). The
    replicates depend on ``random_state`` and the partitioning.

    Parameters
    ----------
    scores : dask DataFrame
        Scores with the outcome and driver columns (and ``weights``).
    outcome, drivers, method, ci, min_n_per_driver
        As :func:`valuekit.analyse.drivers.key_drivers`.
    weights : str, optional
        The column of survey weights.
    n_boot : int, default 200
        Poisson-bootstrap replicates (0: no intervals). Each costs about 130 floating-point
        operations per respondent and driver pair.
    random_state : int or None, default 0
        Seeds the replicates (with each partition's position); None draws a fresh seed.

    Returns
    -------
    DataFrame
        As :func:`valuekit.analyse.drivers.key_drivers`, one group ``all``; ``.attrs`` adds
        ``resampling="poisson"``. The numbers are withheld (NaN, with a ``note``) below
        ``min_n_per_driver`` complete respondents per driver.
    """
    # deferred: scikit-learn
    from ..analyse.drivers import (bootstrap_intervals, check_collinear, check_shapley_size, driver_rows, floor_note,
                                   ols_tests)

    if method not in ("johnson", "shapley"):
        raise ParameterError(f"method: expected 'johnson' or 'shapley', got {method!r}", name="method")
    scores = _scores_arg(scores)
    drivers = columns_arg("drivers", drivers, {"scores": scores}, numeric=True)
    if method == "shapley":
        check_shapley_size(drivers)
    n_boot = _check.integer("n_boot", n_boot, min=0)
    ci = _check.fraction("ci", ci)
    if random_state is None:
        random_state = int(np.random.SeedSequence().generate_state(1)[0])
    random_state = _check.integer("random_state", random_state, min=0)
    per_driver = DEFAULT_EVIDENCE["min_n_per_driver"] if min_n_per_driver is None else \
        _check.number("min_n_per_driver", min_n_per_driver, min=0)
    if not isinstance(outcome, str) or outcome in drivers:
        raise _check._fail("outcome", "a column name that is not among the drivers", outcome)
    outcome = column_arg("outcome", outcome, {"scores": scores}, numeric=True)
    R, n, dropped, matrices = _correlations(scores, [outcome, *drivers], weights, n_boot, random_state)
    if n <= len(drivers) + 1:
        raise SurveyError(f"{n} complete respondents for {len(drivers)} drivers of '{outcome}'; "
                          "need more respondents than drivers + 1")
    if not np.isfinite(R).all():
        raise SurveyError(f"the outcome '{outcome}' or a driver is constant among the complete respondents")
    check_collinear(R, drivers)
    p = len(drivers)
    note = floor_note(n, p, per_driver) if n < per_driver * p else ""

    def intervals(sign):
        return bootstrap_intervals(matrices, method, sign, n_boot, ci, p)

    # the model's tests: ordinary least squares from the correlations when unweighted; weighted,
    # the design-based (sandwich) tests of key_drivers, from a second pass over the partitions
    tests = ols_tests(R, n) if weights is None else _weighted_tests(scores, [outcome, *drivers], weights,
                                                                     n + dropped)
    out = driver_rows("all", drivers, method, outcome, R, n, dropped, note, intervals if n_boot else None,
                      tests=tests, ci=ci)
    out.attrs.update(outcome=outcome, method=method, ci=float(ci), n_boot=int(n_boot),
                     min_n_per_driver=float(per_driver), resampling="poisson", r2=float(out["r2"].iloc[0]), n=n,
                     dropped=dropped, multiplicity="bonferroni",
                     variance="ordinary least squares" if weights is None else
                     "design-based (Taylor linearization; weights only (each respondent a cluster))")
    return out
