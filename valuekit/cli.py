"""Command line: ``valuekit init``, ``audit``, ``score``, ``weight``, ``report``, ``dashboard``, ``deck`` and ``tables``.

Examples (``D=valuekit/datasets/data``, the bundled surveys of a checkout;
``valuekit.list_datasets()`` gives their paths wherever valuekit is installed)::

    valuekit init my_survey.sav -o my_codebook.yaml                  # a commented draft
    valuekit audit $D/demo_survey.csv --codebook $D/demo_codebook.yaml
    valuekit audit $D/demo_survey.csv --codebook $D/demo_codebook.yaml --json
    valuekit score $D/demo_survey.csv --codebook $D/demo_codebook.yaml -o scores.csv
    valuekit weight $D/demo_survey.csv --codebook $D/demo_codebook.yaml \
        --targets $D/demo_targets.yaml -o weighted.parquet        # raked weights
    valuekit report --out reports                                     # the demo survey
    valuekit report $D/demo_survey.csv $D/demo_wave3.csv --codebook $D/demo_codebook.yaml --out tracking
    valuekit dashboard my_survey.csv --codebook my_codebook.yaml     # http://127.0.0.1:8866/
    valuekit deck --scenario cheaper.yaml --compare a.yaml b.yaml --template company.pptx --out deck.pptx
    valuekit tables $D/demo_survey.csv --codebook $D/demo_codebook.yaml -o tables.xlsx     # banner tables

Every problem with the input (a :class:`valuekit.errors.ValuekitError`, or a wrong flag)
is printed as one line, ``valuekit <command>: <message>``, with exit status 2; ``--debug``
adds the traceback. Anything else is a bug in valuekit: exit status 1, with the traceback
under ``--debug``.

``valuekit report`` checks its input before any notebook runs (exit status 2 and nothing
written when it is wrong); then every notebook gets a page, and ``index.html`` lists them.
It exits 0 when every page was written or skipped for the reason its page states (no
sacrifices measured, one wave, ``--skip``), and 1 when a notebook failed: its page says why,
the other pages and the index are written, and each failure is a line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._validate import check as _check
from .config import DEMO_CODEBOOK, DEMO_DATA
from .errors import FileError, ParameterError, SurveyError, ValuekitError
from .survey.audit import CELL_PROBLEMS, DEFAULT_EXCLUDE, ROW_REASONS, load_survey
from .survey.io import FORMATS

__all__ = ["main"]


def _add_input(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    if optional:
        parser.add_argument("data", nargs="?", help="survey export (default: the demo survey)")
        parser.add_argument("--codebook", help="YAML codebook (required with DATA)")
    else:
        parser.add_argument("data", help="survey export: CSV, Qualtrics CSV, Excel, SPSS .sav or Parquet")
        parser.add_argument("--codebook", required=True, help="YAML codebook describing the columns")
    parser.add_argument("--format", choices=sorted(FORMATS), help="file format (default: from the suffix)")
    parser.add_argument("--encoding", default="auto", help="text encoding (default: auto-detect)")
    parser.add_argument("--sheet", help="Excel sheet (default: the first)")
    _limit_arg(parser)


def _limit_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", action="append", default=[], metavar="CAP=N",
                        help="raise (or lower) a cap on what is read, e.g. --limit columns=50000; caps: columns, "
                             "header_bytes, xlsx_uncompressed_bytes, xlsx_rows (defaults in valuekit/survey/limits.yaml); "
                             "repeatable")


def _limits(args) -> dict[str, int]:
    """--limit CAP=N flags as read_survey_file's ``limits=``, checked under the flag's name."""
    from .survey.io import read_limits  # deferred: this command's modules (a fast --help)

    limits = {}
    for entry in args.limit:
        cap, _, value = entry.partition("=")
        if not cap.strip() or not value.strip().isdigit():
            raise ParameterError(f"--limit: expected CAP=N with N a whole number, e.g. columns=50000; got {entry!r}",
                                 name="--limit")
        limits[cap.strip()] = int(value)
    try:
        read_limits(limits)
    except ParameterError as err:
        raise ParameterError(f"--limit: {err}", name="--limit") from None
    return limits


def _engine_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["pandas", "dask"], default="pandas",
                        help="pandas (default: one file, in this process) or dask (DATA may be a folder or a glob "
                             "of CSV / Parquet files, one task per file)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: a running Dask scheduler (default: a local cluster of 2 workers)")


def _formula_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep-signed-numbers", action="store_true",
                        help="CSV output: leave text cells that are a whole signed number (-3, +1.5) as they are; "
                             "by default every text cell or column name beginning with =, +, -, @, a tab or a "
                             "carriage return gets a leading apostrophe, so a spreadsheet does not run it as a "
                             "formula")


def _exclude_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keep", action="append", default=[], choices=list(ROW_REASONS),
                        metavar="REASON",
                        help=f"keep rows flagged for REASON instead of excluding them; repeatable. "
                             f"Reasons: {', '.join(ROW_REASONS)}")
    kept = [r for r in ROW_REASONS if r not in DEFAULT_EXCLUDE]
    parser.add_argument("--drop", action="append", default=[], choices=kept, metavar="REASON",
                        help=f"exclude rows flagged for REASON, which are reported and kept by default; "
                             f"repeatable. Reasons: {', '.join(kept)}")


def _exclusions(args) -> list[str]:
    """The flags that exclude a row: the default ones but --keep, and --drop."""
    both = sorted(set(args.keep) & set(args.drop))
    if both:
        raise ParameterError(f"--keep and --drop both name {both}; a flag either excludes a row or not",
                             name="keep")
    return [r for r in DEFAULT_EXCLUDE if r not in args.keep] + [r for r in args.drop if r not in DEFAULT_EXCLUDE]


#: The width of the flag and problem names in the audit's tables.
_W = max(map(len, [*ROW_REASONS, *CELL_PROBLEMS])) + 2


def _format_summary(audit) -> str:
    s = audit.summary()
    lines = [
        f"{s['file']} ({s['format']}{', ' + s['encoding'] if s['encoding'] else ''})",
        f"rows in:       {s['rows_in']:>8}",
        f"rows kept:     {s['rows_kept']:>8}",
        f"rows excluded: {s['rows_excluded']:>8}",
        "",
        f"{'row flag':<{_W}}{'flagged':>9}{'excluded':>10}  meaning",
    ]
    for reason, meaning in ROW_REASONS.items():
        excluded = s["excluded"].get(reason, "kept")
        lines.append(f"{reason:<{_W}}{s['flagged'][reason]:>9}{excluded:>10}  {meaning}")
    lines += ["", f"{'cell problem':<{_W}}{'cells':>9}  (each set to missing)"]
    for problem, meaning in CELL_PROBLEMS.items():
        lines.append(f"{problem:<{_W}}{s['cells'][problem]:>9}  {meaning}")
    if s["settings"].get("speeder_threshold_seconds") is not None:
        lines.append(f"\nspeeder threshold: {s['settings']['speeder_threshold_seconds']:g} s "
                     f"({s['settings']['speeder_fraction']:g} x median)")
    lines += [f"note: {note}" for note in s["notes"]]
    return "\n".join(lines)


def _read_options(args) -> dict:
    """The file-reading flags that differ from the defaults, as load_survey keywords."""
    options = {}
    if args.format:
        options["format"] = args.format
    if args.encoding != "auto":
        options["encoding"] = args.encoding
    if args.sheet:
        options["sheet"] = args.sheet  # a name, or digits for a position (see read_survey_file)
    if args.limit:
        options["limits"] = _limits(args)
    return options


def _engine(args) -> bool:
    """Whether ``--engine dask`` was asked for (``--scheduler`` and ``--out`` need it)."""
    if args.engine != "dask":
        for flag, value in (("--scheduler", args.scheduler), ("--out", getattr(args, "out", None))):
            if value is not None:
                raise ParameterError(f"{flag}: applies to --engine dask only", name=flag)
        return False
    if _read_options(args):
        raise ParameterError("--format, --encoding, --sheet and --limit apply to the pandas engine; with --engine dask "
                             "each CSV or Parquet file is read as its suffix says", name="--engine")
    return True


def _format_big(big) -> str:
    s = big.summary()
    table = big.files[["file", "rows_in", "rows_kept", "rows_excluded"]].copy()
    table["file"] = [Path(f).name for f in table["file"]]
    lines = [f"{s['files']} file(s) on Dask", table.to_string(index=False), "",
             f"rows in:       {s['rows_in']:>10}", f"rows kept:     {s['rows_kept']:>10}",
             f"rows excluded: {s['rows_excluded']:>10}", "",
             f"{'row flag':<{_W}}{'flagged':>11}{'excluded':>10}  meaning"]
    for reason, meaning in ROW_REASONS.items():
        lines.append(f"{reason:<{_W}}{s['flagged'][reason]:>11}{s['excluded'].get(reason, 'kept'):>10}  {meaning}")
    lines += ["", f"{'cell problem':<{_W}}{'cells':>11}  (each set to missing)"]
    lines += [f"{p:<{_W}}{s['cells'][p]:>11}  {m}" for p, m in CELL_PROBLEMS.items()]
    if s["settings"].get("speeder_threshold_seconds") is not None:
        lines.append(f"\nspeeder threshold: {s['settings']['speeder_threshold_seconds']:g} s "
                     f"({s['settings']['speeder_fraction']:g} x the median of every file)")
    lines += [f"note: {note}" for note in s["notes"]]
    if big.out is not None:
        lines.append(f"wrote {big.out}/rows and {big.out}/cells" + (" and scores" if "scored" in big.files else "")
                     + " (Parquet, one part per file)")
    return "\n".join(lines)


def _audit(args) -> int:
    exclude = _exclusions(args)
    if _engine(args):

        from .engines.dask import audit_files  # deferred: this command's modules (a fast --help)

        big = audit_files(args.data, args.codebook, out=args.out, scheduler=args.scheduler, exclude=exclude,
                          force=args.force)
        print(json.dumps(big.summary(), indent=2, default=str) if args.json else _format_big(big))
        return 0
    survey = load_survey(args.data, codebook=args.codebook, exclude=exclude, **_read_options(args))
    print(survey.audit.to_json(indent=2) if args.json else _format_summary(survey.audit))
    return 0


def _output_arg(args, what: str, formats: dict[str, str]):
    """``--output``, checked before any work: a writable file with one of the ``formats``'
    suffixes (suffix: its name in the message), never the export itself, and an existing
    file only with ``--force``."""
    output = _check.output_file("--output", args.output, f"{what} file")
    if output.suffix.lower() not in formats:
        kinds = " or ".join(f"{name} ({suffix})" for suffix, name in formats.items())
        raise ParameterError(f"--output: the {what} are written as {kinds}; give a file name ending in "
                             f"{' or '.join(formats)}, got '{output.name}'", name="--output")
    _check.input_file("DATA", args.data, "survey export")
    _never_over_inputs(args, output)
    if output.exists() and not args.force:
        raise FileError(f"--output: {output} exists; pass --force to overwrite it", path=str(output))
    return output


def _never_over_inputs(args, output) -> None:
    """Refuse an output that is one of the command's inputs (the export, the codebook, the
    targets), by file identity: a symbolic or hard link to the export is the export. Checked
    before ``--force`` is looked at, which only ever replaces an earlier output."""
    inputs = [("DATA", args.data), ("--codebook", getattr(args, "codebook", None)),
              ("--targets", getattr(args, "targets", None))]
    _check.apart([("--output", output)], inputs)


#: What ``valuekit score`` and ``valuekit weight`` write, by the output's suffix.
TABLE_FORMATS = {".csv": "CSV", ".parquet": "Parquet"}


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection"): a text cell or
#: a column name beginning with one of these is written with a leading apostrophe.
FORMULA_START = r"^[=+\-@\t\r]"
_SIGNED_NUMBER = r"^[+-](\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _neutralised(table, *, signed_numbers: bool = False):
    """``table`` with every text cell and column name that a spreadsheet would run as a
    formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) written
    as text: prefixed with an apostrophe, which Excel, LibreOffice and Google Sheets show as
    the text after it. Number columns are numbers and are left alone; ``signed_numbers``
    leaves text cells that are a whole signed number (``-3``, ``+1.5``) as they are.
    Returns the table and the number of cells (and names) prefixed."""


    start = re.compile(FORMULA_START)
    names = ["'" + n if start.match(n) else n for n in table.column_names]
    changed = sum(a != b for a, b in zip(names, table.column_names))
    columns = []
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.fill_null(pc.match_substring_regex(col, FORMULA_START), False)
            if signed_numbers:
                risky = pc.and_(risky, pc.invert(pc.fill_null(pc.match_substring_regex(col, _SIGNED_NUMBER), False)))
            n = pc.sum(risky).as_py() or 0
            if n:
                changed += n
                col = pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'", col.type), col,
                                                                    pa.scalar("", col.type)), col)
        columns.append(col)
    return pa.table(columns, names=names), changed


def _write_table(table, output, what: str, *, signed_numbers: bool = False) -> int:
    """Write an Arrow table (or a DataFrame) as CSV or Parquet, by the output's suffix.

    Arrow formats the numbers (shortest text that reads back to the same float, as
    Python's repr) on its own threads; pandas' to_csv took most of the time of a large
    ``valuekit score``. Text cells are quoted; a missing number is an empty cell. In a CSV
    file, text that a spreadsheet would run as a formula is written as text (see
    :func:`_neutralised`); returns the number of cells and names so written (0 for Parquet,
    which keeps every text as it is: no spreadsheet runs a Parquet cell).
    """

    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    try:
        if output.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq  # deferred: pyarrow

            pq.write_table(table, output)
        else:
            # categories as their text: a CSV cell has no dictionary
            table = pa.table([col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
                              for col in table.columns], names=table.column_names)
            table, changed = _neutralised(table, signed_numbers=signed_numbers)
            _write_csv(table, output)
            return changed
    except OSError as err:
        raise FileError(f"--output: cannot write the {what} file '{output}': {err.strerror or err}",
                        path=str(output)) from None
    return 0


def _write_csv(table, output) -> None:
    """Arrow's CSV writer, slices of rows formatted on two threads and written in order
    (formatting the numbers is the work; at most two slices are held at once)."""

    import pyarrow.csv as pacsv  # deferred: pyarrow

    step = 1 << 17
    starts = range(0, max(table.num_rows, 1), step)
    plain = all(not set(name) & set(',"\r\n') for name in table.column_names)
    options = {"quoting_header": "none" if plain else "needed", "batch_size": 1 << 14}

    def formatted(i: int):
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table.slice(starts[i], step), sink,
                        write_options=pacsv.WriteOptions(include_header=i == 0, **options))
        return sink.getvalue()

    workers = min(2, os.cpu_count() or 1)
    with open(output, "wb") as fh, ThreadPoolExecutor(workers) as pool:
        pending = [pool.submit(formatted, i) for i in range(min(workers, len(starts)))]
        for i in range(len(starts)):
            buffer = pending.pop(0).result()
            if i + workers < len(starts):
                pending.append(pool.submit(formatted, i + workers))
            fh.write(buffer)
            del buffer


def _score(args) -> int:
    exclude = _exclusions(args)
    if _engine(args):
        from .engines.dask import audit_files  # deferred: this command's modules (a fast --help)

        if args.index_weights == "stated":
            raise ParameterError("--index-weights stated: not with --engine dask (the importance means would need "
                                 "the kept respondents of every file first); score with --index-weights equal, or "
                                 "use the Python API (valuekit.engines.dask.audit_files(score={'index_weights': "
                                 "{...}}))", name="--index-weights")
        if Path(args.output).suffix.lower() in TABLE_FORMATS:
            raise ParameterError(f"--output: with --engine dask the scores are written as partitioned Parquet "
                                 f"into a folder; give a folder name, got '{args.output}'", name="--output")
        params = {"index_weights": args.index_weights, "min_answered": args.min_answered, "min_blocks": args.min_blocks,
                  "neutral_band": args.neutral_band}
        big = audit_files(args.data, args.codebook, out=args.output, score=params, scheduler=args.scheduler,
                          exclude=exclude, force=args.force)
        f = big.files
        print(f"{big.rows_in} rows in {len(f)} file(s), {big.rows_excluded} excluded by the audit; "
              f"{big.rows_kept} respondents to score")
        print(f"scored: {int(f['scored'].sum())}; not scored: {int(f['unscored'].sum())}")
        if "destroyed" in f:
            print("verdicts: " + ", ".join(f"{v} {int(f[v].sum())}" for v in ("created", "neutral", "destroyed")))
        print(f"wrote {big.out}/scores, {big.out}/rows and {big.out}/cells (Parquet, one part per file)")
        return 0
    # deferred: this command's modules (a fast --help); ValueScorer's arithmetic without scikit-learn
    from .measure.model import ScoreModel, score_table

    output = _output_arg(args, "scores", TABLE_FORMATS)
    survey = load_survey(args.data, codebook=args.codebook, exclude=exclude, **_read_options(args))

    a = survey.audit
    if a.rows_kept == 0:
        raise SurveyError(f"{args.data}: no respondents kept after the audit; nothing to score")
    cb = survey.codebook
    # every row is scored where it lies and the kept rows' scores are taken: no copy of the
    # kept rows' answers (a respondent's scores depend on their own answers alone). Stated
    # importance weights are learnt from the kept respondents.
    model = ScoreModel.fit(cb, survey.data if args.index_weights == "stated" else survey.recoded,
                           index_weights=args.index_weights, min_answered=args.min_answered, min_blocks=args.min_blocks,
                           neutral_band=args.neutral_band)
    table = score_table(survey, model.transform(survey.recoded))
    del survey  # the answers are no longer needed while the scores are written
    guarded = _write_table(table, output, "scores", signed_numbers=args.keep_signed_numbers)
    reason = table.column("unscored_reason").to_pandas()
    unscored = (reason != "").to_numpy()
    print(f"{a.rows_in} rows in, {a.rows_excluded} excluded by the audit ({args.data}); "
          f"{table.num_rows} respondents to score")
    print(f"scored: {int((~unscored).sum())}; not scored: {int(unscored.sum())}")
    for text, n in reason[unscored].value_counts().items():
        print(f"  {n:>6}  {text}")
    if cb.has_sacrifices:
        verdict = table.column("verdict").to_pandas()
        print("verdicts: " + ", ".join(f"{v} {int((verdict == v).sum())}" for v in ("created", "neutral", "destroyed")))
    else:
        print("no sacrifices measured (the codebook has no 'sacrifices:' section): dimension scores and "
              "the benefits index only, no value ratio or verdict")
    _say_guarded(guarded)
    print(f"wrote {args.output}")
    return 0


def _say_guarded(n: int) -> None:
    if n:
        print(f"note: {n} text cell(s) or column name(s) beginning with =, +, -, @, a tab or a carriage return "
              f"were written with a leading apostrophe, so that a spreadsheet shows them as text instead of "
              f"running them as formulas")


def _format_rake(result, source: str) -> str:
    s = result.summary()
    state = "converged" if s["converged"] else "NOT converged"
    trim = f"; {s['trim_cycles']} trim cycle(s), {s['n_capped']} weight(s) capped" if s["trim_cycles"] else ""
    lines = [f"{source}: {s['respondents']} respondents raked to {s['units']}: {state} in {s['iterations']} "
             f"iteration(s){trim}",
             f"largest margin error: {s['max_margin_error']:.3g} (tolerance {s['tolerance']:g})",
             f"design effect (Kish): {s['design_effect']:.4f}; effective n: {s['effective_n']:,.1f}",
             f"sum of the weights: {s['total']:,.6g}", ""]
    table = result.margins.copy()
    for col in ("target", "sample", "start", "achieved"):
        table[col] = table[col].map(lambda v: f"{v:.4f}")
    table["difference"] = table["difference"].map(lambda v: f"{v:+.2e}")
    lines += [table.to_string(index=False), "",
              "weights / mean weight: " + ", ".join(f"{k} {v:.3f}" for k, v in s["weight_summary"].items()
                                                    if k != "mean") + f" (mean weight {s['weight_summary']['mean']:.6g})"]
    lines += [f"note: {note}" for note in s["notes"][(0 if s["converged"] else 1):]]
    return "\n".join(lines)


def _weight(args) -> int:

    from .survey.io import read_survey_file  # deferred: this command's modules (a fast --help)
    from .survey.weighting import rake, read_targets, weight_survey  # deferred: this command's modules

    output = _output_arg(args, "weights", {".parquet": "Parquet", ".csv": "CSV"})
    targets = read_targets(_check.input_file("--targets", args.targets, "targets file"))
    exclude = _exclusions(args)
    survey = load_survey(args.data, codebook=args.codebook, exclude=exclude, **_read_options(args))
    if survey.data.empty:
        raise SurveyError(f"{args.data}: no respondents kept after the audit; nothing to weight")
    design, name = survey.codebook.weight, "rake_weight"
    a = survey.audit
    print(f"{a.rows_in} rows in, {a.rows_excluded} excluded by the audit ({args.data}); "
          f"{len(survey.data)} respondents to weight")
    if args.wave_column is None:
        weighted, result = weight_survey(survey, targets, strict=args.strict)
        raked, results = weighted.data[name], [(None, result)]
    else:
        col = args.wave_column
        if col not in survey.data.columns:
            raise ParameterError(f"--wave-column: column '{col}' not found in {args.data}; available: "
                                 f"{list(map(str, survey.data.columns))[:60]}", name="--wave-column")
        if name in survey.recoded.columns:
            raise ParameterError(f"'{name}' is already a column of {args.data}; rename it", name="--wave-column")
        waves = survey.data[col]
        if waves.isna().any():
            rows = list(survey.data.index[waves.isna()][:5])
            raise SurveyError(f"--wave-column: column '{col}' is blank for {int(waves.isna().sum())} kept "
                              f"respondent(s) (rows {rows}); every respondent needs a wave")
        results, parts = [], []
        for wave, rows in survey.data.groupby(col, sort=True, observed=True):
            try:
                result = rake(rows, targets, weight=design, strict=args.strict, name=name)
            except ValuekitError as err:
                raise type(err)(f"wave {col} = {wave!r} ({len(rows)} respondents): {err}") from None
            results.append((wave, result))
            parts.append(result.weights)
        raked = pd.concat(parts).reindex(survey.data.index)
    if args.all_columns:
        raw, _ = read_survey_file(args.data, text_columns=[survey.codebook.id] if survey.codebook.id else (),
                                  **_read_options(args))
        if name in raw.columns:
            raise ParameterError(f"'{name}' is already a column of {args.data}; rename it", name="--all-columns")
        out = raw.copy()
        # the survey's index is the input row number (1 to n): rows the audit excluded stay, blank
        out[name] = raked.reindex(pd.RangeIndex(1, len(raw) + 1)).to_numpy()
        guarded = _write_table(out, output, "weights", signed_numbers=args.keep_signed_numbers)
    else:
        out = survey.data[[c for c in (survey.codebook.id, design, args.wave_column) if c]].copy()
        out[name] = raked
        # the input row number, and the id if the codebook names one
        guarded = _write_table(out.reset_index(), output, "weights", signed_numbers=args.keep_signed_numbers)
    for wave, result in results:
        if wave is not None:
            print(f"\n== wave {args.wave_column} = {wave}")
        print(_format_rake(result, targets.source))
        if not result.converged:
            where = "" if wave is None else f"wave {args.wave_column} = {wave}: "
            print(f"valuekit weight: warning: {where}{result.notes[0]}", file=sys.stderr)
    _say_guarded(guarded)
    print(f"wrote {args.output}")
    return 0


def _report_parameters(args) -> dict:
    """The notebooks' parameters the report command's options set."""
    params = {"exclude": _exclusions(args)} if args.keep or args.drop else {}
    if args.segments is not None:
        params["n_segments"] = _segments(args.segments)
    if args.n_boot is not None:
        params["n_boot"] = _check.integer("--n-boot", args.n_boot, min=1)
    if args.lang is not None:
        params["lang"] = args.lang
    if _read_options(args):
        params["read_options"] = _read_options(args)
    return params


def _report(args) -> int:
    from . import report as _report_module  # deferred: this command's modules (a fast --help)

    if (args.data is None) != (args.codebook is None):
        raise ParameterError("give both DATA and --codebook, or neither (the demo survey)", name="--codebook")
    if args.data is None:  # the bundled demo survey, wherever the package is installed
        args.data, args.codebook = str(DEMO_DATA), str(DEMO_CODEBOOK)
    params = _report_parameters(args)
    _check.integer("--timeout", args.timeout, min=1)
    sequence = _report_module.notebook_sequence()
    skip = _report_module.resolve_skip([s for entry in args.skip for s in entry.split(",") if s.strip()],
                                       sequence, name="--skip")
    waves = [args.data, *args.more_waves]
    tracking = f", waves from {len(waves)} file(s)" if len(waves) > 1 or args.wave_column else ""
    print(f"Running {len(sequence)} notebooks on {waves[-1]}{tracking} into {args.out}/ ...", flush=True)
    with _ReportProgress([nb.stem for nb in sequence]) as progress:
        report = _report_module.run_report(waves if len(waves) > 1 else waves[0], args.codebook, args.out,
                                           parameters=params, timeout=args.timeout,
                                           wave_column=args.wave_column, skip=sorted(skip), progress=progress,
                                           with_code=args.with_code, pdf=not args.no_pdf)
    print(f"Wrote {len(report)} HTML page(s) and the executed notebooks to {args.out}/; index: {report.index} "
          f"({report.summary()})")
    print(f"The whole report as one PDF: {report.pdf}" if report.pdf else report.pdf_note or "")
    for line in _index_lines(report):
        print(line)
    if report.ok:
        return 0
    for page in report.failed:  # the scripts' and CI's signal: exit 1, each failure on stderr
        print(f"valuekit report: {page.error}", file=sys.stderr)
    print(f"valuekit report: {len(report.failed)} of {len(report)} notebook(s) failed; the other pages and "
          f"the index ({report.index}) were written", file=sys.stderr)
    return 1


def _index_lines(report) -> list[str]:
    """The index as the command prints it last: the pages written on one line, the skipped
    ones grouped by their reason, each failed one with its reason and executed notebook."""
    lines = []
    if report.written:
        lines.append(f"  written  {', '.join(p.notebook for p in report.written)}")
    reasons: dict[str, list[str]] = {}
    for p in report.skipped:
        reasons.setdefault(p.reason, []).append(p.notebook)
    lines += [f"  skipped  {', '.join(names)}: {reason}" for reason, names in reasons.items()]
    for p in report.failed:
        kept = f" (executed notebook: {p.executed})" if p.executed is not None else ""
        lines.append(f"  FAILED   {p.notebook}: {p.reason}{kept}")
    return lines


class _ReportProgress:
    """Each notebook's line as it finishes (flushed: a CI log shows it at once); on a terminal
    also a status bar (tqdm, on stderr) naming the notebook running and the time elapsed."""

    def __init__(self, names: list[str]):
        self.names, self.bar, self.ticker, self.stop = names, None, None, None

    def __enter__(self):

        from tqdm import tqdm  # deferred: tqdm

        if sys.stderr.isatty() and sys.stdout.isatty():
            size = shutil.get_terminal_size()
            self.bar = tqdm(total=len(self.names), unit="notebook", leave=False, file=sys.stderr,
                            ncols=size.columns, nrows=size.lines,  # a terminal of unknown size: 80 x 24
                            bar_format="{desc} {n_fmt}/{total_fmt} notebooks [{elapsed}]")
            self._describe(0)
            self.stop = threading.Event()
            self.ticker = threading.Thread(target=self._tick, daemon=True)  # the elapsed time keeps moving
            self.ticker.start()
        return self

    def _describe(self, done: int) -> None:
        if done < len(self.names):
            self.bar.set_description_str(f"running {self.names[done]}", refresh=True)

    def _tick(self) -> None:
        while not self.stop.wait(1.0):
            self.bar.refresh()

    def __call__(self, page) -> None:
        if self.bar is None:
            print(page, flush=True)
            return
        self.bar.write(str(page), file=sys.stdout)
        self.bar.update(1)
        self._describe(page.position)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.stop.set()
            self.ticker.join()
            self.bar.close()


def _segments(value: int) -> int:
    """--segments, checked under the flag's own name (the survey's size is checked later)."""
    from .analyse.segments import MAX_SEGMENTS  # deferred: scikit-learn

    return _check.integer("--segments", value, min=2, max=MAX_SEGMENTS)


def _dashboard(args) -> int:
    from .report import serve_dashboard  # deferred: this command's modules (a fast --help)

    if (args.data is None) != (args.codebook is None):
        raise ParameterError("give both DATA and --codebook, or neither (the demo survey)", name="--codebook")
    _check.integer("--port", args.port, min=1, max=65535)
    params = {}
    if _read_options(args):
        params["read_options"] = _read_options(args)
    if args.segments is not None:
        params["n_segments"] = _segments(args.segments)
    _check.output_dir("--scenarios", args.scenarios, "scenario folder")
    timeout = _check.integer("--timeout", args.timeout, min=1)
    return serve_dashboard(args.data, args.codebook, levers=args.levers, port=args.port, parameters=params,
                           save_dir=args.scenarios, lang=args.lang, preheat=not args.no_preheat, timeout=timeout,
                           cache_dir=args.cache, cache=not args.no_cache)


def _deck(args) -> int:
    """Write the PowerPoint deck of a saved scenario (and a comparison of saved scenarios)."""
    from .decide.engine_cache import default_cache_dir  # deferred: this command's modules (a fast --help)
    from .decide.scenario import Scenario  # deferred: scikit-learn
    from .present import app  # deferred: this command's modules
    from .present.deck import scenario_deck  # deferred: python-pptx

    if (args.data is None) != (args.codebook is None):
        raise ParameterError("give both DATA and --codebook, or neither (the demo survey)", name="--codebook")
    if args.scenario is None and args.data is not None:
        raise ParameterError("--scenario: give the saved scenario the deck presents (a YAML file the dashboard "
                             "saves)", name="--scenario")
    out = _check.output_file("--out", args.out, "PowerPoint deck")
    if out.suffix.lower() != ".pptx":
        raise ParameterError(f"--out: the deck is written as PowerPoint; give a file name ending in .pptx, got "
                             f"'{out.name}'", name="--out")
    scenario_file = args.scenario or DEMO_DATA.parent / "scenarios" / "cut_waiting_time.yaml"  # the demo's example
    inputs = [("DATA", args.data), ("--codebook", args.codebook), ("--levers", args.levers),
              ("--scenario", scenario_file), ("--template", args.template), *[("--compare", c) for c in args.compare]]
    _check.apart([("--out", out)], inputs)
    scenario = Scenario.load(scenario_file)
    compare = [Scenario.load(c) for c in args.compare] or None
    if args.template is not None:
        _check.input_file("--template", args.template, "PowerPoint template (.pptx)")
    params = {"read_options": _read_options(args)} if _read_options(args) else {}
    if args.segments is not None:
        params["n_segments"] = _segments(args.segments)
    cache = None if args.no_cache else (args.cache or default_cache_dir())
    survey, _, engine = app.prepare_engine(args.data, args.codebook, levers=args.levers, lang=args.lang,
                                           cache_dir=cache, **params)
    fieldwork = args.fieldwork if args.fieldwork is not None else _fieldwork(survey, args.lang)
    data = scenario_deck(engine, scenario, compare=compare, names=engine.segment_names.get(args.lang), lang=args.lang,
                         path=out, template=args.template, fieldwork=fieldwork or None)
    print(f"wrote {out} ({len(data):,} bytes; scenario '{scenario.name}'"
          + (f", compared with {len(compare)} saved scenario(s)" if compare else "") + ")")
    return 0


def _fieldwork(survey, lang: str) -> str | None:
    """The fieldwork as the title slide says it: the codebook's names of the first and last
    waves in the data (``labels: wave_<n>``, the months the tracking pages name them by),
    when the data has the report's ``wave`` column and the codebook names every wave."""
    if "wave" not in survey.data:
        return None
    waves = sorted(pd.unique(survey.data["wave"].dropna()))
    keys = [f"wave_{int(w) if float(w).is_integer() else w}" if isinstance(w, (int, float)) else f"wave_{w}"
            for w in waves]
    names = [survey.codebook.label(k, lang) for k in keys]
    if not names or any(n == k for n, k in zip(names, keys)):
        return None
    return names[0] if len(names) == 1 else f"{names[0]} – {names[-1]}"


def _reliability(args) -> int:


    from .measure.reliability import reliability  # deferred: scikit-learn

    exclude = _exclusions(args)
    survey = load_survey(args.data, codebook=args.codebook, exclude=exclude, **_read_options(args))
    table = reliability(survey.data, survey.codebook, nan_policy=args.nan_policy, facets=args.facets,
                        std_alpha_from=args.std_alpha_from)
    if args.json:
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        print(json.dumps({"file": survey.audit.info.path, "respondents": len(survey.data),
                          "nan_policy": args.nan_policy, "std_alpha_from": args.std_alpha_from,
                          "rows": records}, indent=2))
        return 0
    print(f"{survey.audit.info.path}: {len(survey.data)} kept respondents; alpha with its 95 % (Feldt) "
          f"interval, standardized alpha, omega ({args.nan_policy} missing answers)")
    shown = table.copy()
    for col in ("alpha", "ci_low", "ci_high", "std_alpha", "omega"):
        shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    width = max([4, *shown["note"].str.len()])  # the notes (and their header) read from the left
    shown = shown.rename(columns={"note": "note".ljust(width)})
    text = shown.to_string(index=False, formatters={"note".ljust(width): lambda v: f"{v:<{width}}"})
    print("\n".join(line.rstrip() for line in text.splitlines()))
    return 0


def _init(args) -> int:
    from .survey.draft import draft_codebook  # deferred: this command's modules (a fast --help)

    out = _check.output_file("--output", args.output, "codebook draft")
    _check.input_file("DATA", args.data, "survey export")
    _never_over_inputs(args, out)
    if out.exists() and not args.force:
        raise FileError(f"--output: {out} exists; pass --force to overwrite it", path=str(out))
    draft = draft_codebook(args.data, **_read_options(args))
    _check.write_text(out, draft.to_yaml(), "codebook draft")
    rated = len(draft.blocks) + sum(1 for c in draft.other if c in draft.item_scale)
    unsure = sum(1 for g in draft.blocks.values() if g.sure != "sure")
    # every other decision the draft marks as not sure: reverse keys (and wording against its block), scales
    checks = (len(draft.reverse) + len(draft.scale_notes) + draft.scale_reason.startswith("guess"))
    print(f"wrote {out}: {len(draft.blocks)} of {rated} rated columns placed ({unsure} to check), "
          f"{checks} reverse key or scale decision(s) to check, "
          f"{len(draft.context)} context, {len(draft.other)} other, {len(draft.unassigned)} unassigned; "
          f"id: {draft.id.value if draft.id else 'none (row numbers)'}")
    if draft.skeleton:
        print(f"{draft.source} has no question text and its column names do not say what was asked: the draft is "
              f"a skeleton, its {rated} rated columns listed under other: with their scales; place them under "
              f"benefits (required), sacrifices and outcomes, then: valuekit audit {args.data} --codebook {out}")
        return 0
    left = draft.problems()
    if left:
        print("decisions left before it loads:\n" + "\n".join(f"  {line.strip()}" for line in left))
        return 1
    print(f"it loads as is: valuekit audit {args.data} --codebook {out}")
    return 0


def _tables(args) -> int:
    from .present.tables import write_tables  # deferred: this command's modules (a fast --help)
    from .present.tablespec import make_tables, read_tables_spec, tables_spec_yaml

    if args.draft_spec:
        out = _check.output_file("--draft-spec", args.draft_spec, "tables spec")
        if out.suffix.lower() not in (".yaml", ".yml"):
            raise ParameterError(f"--draft-spec: expected a file name ending in .yaml, got '{out.name}'",
                                 name="--draft-spec")
        _check.apart([("--draft-spec", out)], [("DATA", args.data), ("--codebook", args.codebook),
                                               ("--spec", args.spec)])
        if out.exists() and not args.force:
            raise FileError(f"--draft-spec: {out} exists; pass --force to overwrite it", path=str(out))
    else:
        if args.output is None:
            raise ParameterError("--output: the workbook to write (tables.xlsx) is required, or --draft-spec",
                                 name="--output")
        out = _output_arg(args, "tables", {".xlsx": "an Excel workbook"})
        _check.apart([("--output", out)], [("--spec", args.spec)])
    spec = None if args.spec is None else read_tables_spec(_check.input_file("--spec", args.spec, "tables spec"))
    # (read first, so that a wrong spec is said before the survey is loaded)
    survey = load_survey(args.data, codebook=args.codebook, exclude=_exclusions(args), **_read_options(args))
    if args.draft_spec:
        from .present.tablespec import default_tables_spec  # deferred: this command's modules

        drafted = spec or default_tables_spec(survey.codebook, survey.data)
        _check.write_text(out, tables_spec_yaml(drafted), "tables spec")
        print(f"wrote {out}: {len(drafted['tables'])} table(s) by {', '.join(drafted['banners']) or 'no banner'}; "
              f"edit it, then: valuekit tables {args.data} --codebook {args.codebook} --spec {out} -o tables.xlsx")
        return 0
    tables = make_tables(survey, args.spec, banners=args.banner or None, lang=args.lang)
    title = (spec or {}).get("title") or survey.codebook.name or Path(args.data).stem
    write_tables(tables, out, title=title, lang=args.lang, overwrite=True)
    sheets = sum(t.cells["stub"].nunique() for t in tables)
    print(f"wrote {out}: {len(tables)} table(s), {sheets} sheet(s) and the index; {len(survey.data):,} respondents; "
          f"{tables[0].settings['variance']}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a wrong flag is one line and exit status 2, like every input error."""

    def error(self, message: str):
        command = self.prog if self.prog.startswith("valuekit ") else "valuekit"
        self.exit(2, f"{command}: {message} (see {self.prog} --help)\n")


def _audit_command(sub, common) -> None:
    """The audit command: its arguments."""
    audit = sub.add_parser("audit", parents=[common], help="load a survey with its codebook and print the audit")
    _add_input(audit)
    _exclude_args(audit)
    audit.add_argument("--json", action="store_true", help="print the audit summary as JSON")
    _engine_args(audit)
    audit.add_argument("--out", metavar="DIR", help="with --engine dask: write the row and cell tables here "
                                                    "(partitioned Parquet)")
    audit.add_argument("--force", action="store_true", help="write into a non-empty --out folder")
    audit.set_defaults(func=_audit)


def _init_command(sub, common) -> None:
    """The init command (a codebook draft): its arguments."""
    init = sub.add_parser("init", parents=[common], help="draft a codebook from a survey export (every guess commented)")
    init.add_argument("data", help="survey export: CSV, Qualtrics CSV, Excel, SPSS .sav or Parquet")
    init.add_argument("-o", "--output", required=True, help="YAML codebook draft to write")
    init.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    init.add_argument("--format", choices=sorted(FORMATS), help="file format (default: from the suffix)")
    init.add_argument("--encoding", default="auto", help="text encoding (default: auto-detect)")
    init.add_argument("--sheet", help="Excel sheet (default: the first)")
    _limit_arg(init)
    init.set_defaults(func=_init)


def _reliability_command(sub, common) -> None:
    """The reliability command: its arguments."""
    rel = sub.add_parser("reliability", parents=[common], help="alpha (with its interval), standardized alpha and omega "
                                            "per dimension and sacrifice (or per facet)")
    _add_input(rel)
    _exclude_args(rel)
    rel.add_argument("--facets", action="store_true", help="one row per facet instead of per block")
    rel.add_argument("--nan-policy", choices=["pairwise", "listwise", "mean"], default="pairwise",
                     help="missing answers: pairwise (default), listwise, or mean (each item's gaps filled "
                          "with its mean, as PLS tables report)")
    rel.add_argument("--std-alpha-from", choices=["corr", "cov2cor"], default="corr",
                     help="standardized alpha from the pairwise correlations (default) or, as R's "
                          "psych::alpha, from cov2cor of the pairwise covariances")
    rel.add_argument("--json", action="store_true", help="print the table as JSON")
    rel.set_defaults(func=_reliability)


def _score_command(sub, common) -> None:
    """The score command: its arguments."""
    score = sub.add_parser("score", parents=[common], help="score every kept respondent: dimensions, sacrifices, value ratio")
    _add_input(score)
    _exclude_args(score)
    score.add_argument("-o", "--output", required=True,
                       help="CSV (.csv) or Parquet (.parquet) to write, one row per kept respondent "
                            "(--engine dask: a folder for partitioned Parquet)")
    score.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    _formula_arg(score)
    _engine_args(score)
    score.add_argument("--index-weights", "--weights", dest="index_weights", choices=["equal", "stated"],
                       default="equal", help="how dimensions and sacrifices combine into the benefits and "
                                             "sacrifices indices (--weights: the 0.1 name)")
    score.add_argument("--min-answered", type=float, default=0.5,
                       help="share of a block's items needed to score it (default 0.5)")
    score.add_argument("--min-blocks", type=float, default=0.5,
                       help="share of an index's blocks needed to compute it (default 0.5; 1: all)")
    score.add_argument("--neutral-band", type=float, default=0.05,
                       help="value ratio within this band of 1 is 'neutral' (default 0.05)")
    score.set_defaults(func=_score)


def _weight_command(sub, common) -> None:
    """The weight command (raking): its arguments."""
    weight = sub.add_parser("weight", parents=[common], help="rake the survey weights to population margins "
                                                             "(a targets file)")
    _add_input(weight)
    _exclude_args(weight)
    weight.add_argument("--targets", required=True, help="YAML (or JSON) file of population margins")
    weight.add_argument("-o", "--output", required=True,
                        help="Parquet (.parquet) or CSV (.csv) to write: row, id, design weight, raked weight")
    weight.add_argument("--wave-column", metavar="COLUMN",
                        help="rake each wave (each value of COLUMN) to the targets separately, and report each")
    weight.add_argument("--all-columns", action="store_true",
                        help="write the whole export (every row and column, as read) with the raked weight added "
                             "as 'rake_weight' (blank on rows the audit excluded): name it as the codebook's "
                             "weight: and run score or report on the output")
    weight.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    _formula_arg(weight)
    weight.add_argument("--strict", action="store_true",
                        help="an error (exit status 2), not a warning, when raking does not converge")
    weight.set_defaults(func=_weight)


def _report_command(sub, common) -> None:
    """The report command: its arguments."""
    report = sub.add_parser("report", parents=[common], help="run the notebook sequence on a survey, write HTML")
    _add_input(report, optional=True)
    report.add_argument("more_waves", nargs="*", metavar="DATA",
                        help="later waves of the survey, in order: the notebooks analyse the last one and "
                             "08_tracking compares them all")
    report.add_argument("--wave-column", metavar="COLUMN",
                        help="the column telling waves apart within a file (runs 08_tracking on one file too)")
    report.add_argument("--out", required=True, help="output folder")
    report.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    report.add_argument("--segments", type=int, metavar="N",
                        help="number of segments (default: the number with the highest silhouette)")
    report.add_argument("--skip", action="append", default=[], metavar="NOTEBOOK",
                        help="do not run this notebook (its name, e.g. 09_value_model, or its number, 09); "
                             "its page says it was skipped; repeatable")
    report.add_argument("--with-code", action="store_true",
                        help="also write the analyst edition of each page, code and all (NN_name.code.html)")
    report.add_argument("--no-pdf", action="store_true",
                        help="do not print the report into report.pdf (which needs Chromium)")
    report.add_argument("--n-boot", type=int, metavar="N",
                        help="bootstrap resamples in every notebook that draws them (default: each notebook's "
                             "own, 30 to 200); fewer run faster, with rougher intervals")
    report.add_argument("--lang", choices=["en", "es", "it"],
                        help="the language of the findings, tables and charts (labels from the codebook; "
                             "default en)")
    _exclude_args(report)
    report.set_defaults(func=_report)


def _dashboard_command(sub, common) -> None:
    """The dashboard command: its arguments."""
    dashboard = sub.add_parser("dashboard", parents=[common], help="serve the what-if dashboard (Voila, 127.0.0.1 only)")
    _add_input(dashboard, optional=True)
    dashboard.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    dashboard.add_argument("--segments", type=int, metavar="N", help="number of segments")
    dashboard.add_argument("--levers", metavar="FILE",
                           help="lever file (default: the codebook's levers, or levers derived from it)")
    dashboard.add_argument("--scenarios", default="scenarios", metavar="DIR",
                           help="folder where scenarios are saved and compared (default ./scenarios)")
    dashboard.add_argument("--lang", default="en", choices=["en", "es", "it"], help="initial language")
    dashboard.add_argument("--no-preheat", action="store_true",
                           help="start each visitor's kernel on arrival instead of keeping one ready "
                                "(saves one kernel's memory; pages open slower)")
    dashboard.add_argument("--cache", metavar="DIR",
                           help="folder keeping the survey's segments and driver models between starts "
                                "(default: $VALUEKIT_CACHE, else ~/.cache/valuekit)")
    dashboard.add_argument("--no-cache", action="store_true",
                           help="keep nothing: every visitor's kernel computes the segments and models")
    dashboard.add_argument("--timeout", type=int, default=300, metavar="SECONDS",
                           help="seconds a visitor's page may take to build (default 300); meanwhile the page "
                                "says it is preparing the survey")
    dashboard.set_defaults(func=_dashboard)


def _deck_command(sub, common) -> None:
    """The deck command: its arguments."""
    deck = sub.add_parser("deck", parents=[common], help="write a saved scenario as a PowerPoint deck (a board's "
                                                         "slides, on a template)")
    _add_input(deck, optional=True)
    deck.add_argument("--scenario", metavar="FILE",
                      help="the saved scenario the deck presents (YAML or JSON, as the dashboard saves it); "
                           "required with DATA (default for the demo: its example scenario)")
    deck.add_argument("--compare", nargs="+", default=[], metavar="FILE",
                      help="saved scenarios to compare on their own slides (a table, then a chart)")
    deck.add_argument("--levers", metavar="FILE",
                      help="lever file (default: the codebook's levers, or levers derived from it)")
    deck.add_argument("--template", metavar="FILE.pptx",
                      help="a PowerPoint file whose layouts, placeholders, theme and slide size the deck uses "
                           "(its own slides are left out; default: valuekit's 16:9 design)")
    deck.add_argument("--lang", default="en", choices=["en", "es", "it"], help="the deck's language (default en)")
    deck.add_argument("--fieldwork", metavar="TEXT",
                      help="the fieldwork dates on the title slide (default: the codebook's names of the first "
                           "and last waves, when it names them; '' for none)")
    deck.add_argument("--segments", type=int, metavar="N", help="number of segments")
    deck.add_argument("--cache", metavar="DIR",
                      help="folder keeping the survey's segments and driver models (as the dashboard's; default: "
                           "$VALUEKIT_CACHE, else ~/.cache/valuekit)")
    deck.add_argument("--no-cache", action="store_true", help="keep nothing: compute the segments and models")
    deck.add_argument("--out", required=True, metavar="FILE.pptx", help="the deck to write")
    deck.set_defaults(func=_deck)


def _tables_command(sub, common) -> None:
    """The tables command: its arguments."""
    tables = sub.add_parser("tables", parents=[common], help="write banner tables with significance letters to an "
                                                             "Excel workbook")
    _add_input(tables)
    _exclude_args(tables)
    tables.add_argument("--spec", help="tables.yaml: the tables, banners and significance settings (default: drafted "
                                       "from the codebook: scores, outcomes and items by every context column)")
    tables.add_argument("--banner", action="append", metavar="COLUMN",
                        help="a banner column for every table, replacing the spec's; repeatable; "
                             "channel*wave nests one in the other")
    tables.add_argument("-o", "--output", help="the workbook to write (.xlsx)")
    tables.add_argument("--draft-spec", metavar="PATH", help="write the spec that would be used (the default one, "
                                                             "or --spec as read) as YAML to edit, and stop")
    tables.add_argument("--lang", choices=["en", "es", "it"], default="en", help="labels and numbers' language")
    tables.add_argument("--force", action="store_true", help="overwrite an existing output")
    tables.set_defaults(func=_tables)


def _parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per job, each declared by its own function."""
    parser = _Parser(prog="valuekit", description="Customer-perceived value workbook.")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    common = argparse.ArgumentParser(add_help=False)  # --debug after the command too
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _audit_command(sub, common)
    _init_command(sub, common)
    _reliability_command(sub, common)
    _score_command(sub, common)
    _weight_command(sub, common)
    _report_command(sub, common)
    _dashboard_command(sub, common)
    _deck_command(sub, common)
    _tables_command(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``valuekit`` with ``argv``: 0 on success, 2 for a problem with the input (said in one
    line), 1 for a bug, 130 when interrupted."""
    args = _parser().parse_args(argv)
    try:
        for flag, attr in (("DATA", "data"), ("--codebook", "codebook"), ("--targets", "targets"),
                           ("--levers", "levers"), ("--output", "output"), ("--out", "out"),
                           ("--scenarios", "scenarios"), ("--spec", "spec"), ("--draft-spec", "draft_spec")):
            if isinstance(getattr(args, attr, None), str):  # a path no file system can hold, named by its flag
                _check.path(flag, getattr(args, attr))
        return args.func(args)
    except BrokenPipeError:  # e.g. `valuekit audit ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"valuekit {args.command}: interrupted", file=sys.stderr)
        return 130
    except ValuekitError as err:
        if args.debug:
            traceback.print_exc()
        print(f"valuekit {args.command}: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 (a bug: say so in one line, traceback under --debug)
        if args.debug:
            traceback.print_exc()
        print(f"valuekit {args.command}: internal error (a bug in valuekit; please report it): "
              f"{type(err).__name__}: {err}" + ("" if args.debug else " (--debug shows the traceback)"),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
