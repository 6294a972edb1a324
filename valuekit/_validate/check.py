"""Argument checks for the public entry points, each raising :class:`ParameterError`
with the parameter's name, what was expected and what was given.

Each entry point checks its arguments at its top, before any work, so a wrong value
never reaches numpy, scikit-learn or a half-written output::

    n_boot = _check.integer("n_boot", n_boot, min=1)
    ci = _check.fraction("ci", ci)
"""

from __future__ import annotations

import math
import os
import tempfile
from numbers import Integral, Real
from pathlib import Path
from typing import Any, Iterable

from ..errors import FileError, ParameterError

#: The precision, in scale points, at which a decision on derived scores is made: two
#: values closer than this are a tie. Floating-point arithmetic (a BLAS product, a
#: vectorised logarithm) can differ in its last bit between machines and thread counts;
#: a customer exactly on a threshold must get the same verdict on all of them. Scores of
#: answers on a scale differ by far more than this whenever they truly differ.
DECISION_TOLERANCE = 1e-9

__all__ = ["integer", "number", "fraction", "choice", "flag", "text", "path", "input_file", "p_text",
           "output_file", "output_dir", "apart", "names", "write_text", "write_bytes", "instance", "shown"]


def shown(value: Any) -> str:
    """A short text for a value in a message: its repr (cut at 80 characters), or its type
    for a table, an array or any object whose repr would not fit a line."""
    if type(value).__module__.split(".")[0] in ("pandas", "numpy") and hasattr(value, "shape") or (
            not isinstance(value, (str, bytes, Real, type(None), list, tuple, dict, set, range))
            and not isinstance(value, os.PathLike)):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def p_text(p: float) -> str:
    """A p-value as sentences show it: ``"< 0.001"``, ``"0.042"``, ``"n/a"`` when unknown."""
    return "n/a" if not math.isfinite(p) else "< 0.001" if p < 0.001 else f"{p:.3f}"


def _fail(name: str, expected: str, value: Any) -> ParameterError:
    return ParameterError(f"{name}: expected {expected}, got {shown(value)}", name=name)


def _bounds(min: float | None, max: float | None) -> str:
    if min is not None and max is not None:
        return f" from {min:g} to {max:g}"
    if min is not None:
        return f" >= {min:g}"
    if max is not None:
        return f" <= {max:g}"
    return ""


def integer(name: str, value: Any, *, min: int | None = None, max: int | None = None) -> int:
    """A whole number (not a bool; a float only when whole, e.g. 3.0) within ``[min, max]``."""
    expected = f"a whole number{_bounds(min, max)}"
    if isinstance(value, bool):
        raise _fail(name, expected, value)
    if isinstance(value, Integral):
        out = int(value)
    elif isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        out = int(value)
    else:
        raise _fail(name, expected, value)
    if (min is not None and out < min) or (max is not None and out > max):
        raise _fail(name, expected, value)
    return out


def number(name: str, value: Any, *, min: float | None = None, max: float | None = None,
           min_open: bool = False, max_open: bool = False) -> float:
    """A finite real number (not a bool) within ``[min, max]`` (open ends if asked)."""
    lo = "" if min is None else (f" > {min:g}" if min_open else f" >= {min:g}")
    hi = "" if max is None else (f" < {max:g}" if max_open else f" <= {max:g}")
    expected = "a finite number" + (lo + (" and" if lo and hi else "") + hi)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _fail(name, expected, value)
    out = float(value)
    if not math.isfinite(out):
        raise _fail(name, expected, value)
    if min is not None and (out <= min if min_open else out < min):
        raise _fail(name, expected, value)
    if max is not None and (out >= max if max_open else out > max):
        raise _fail(name, expected, value)
    return out


def fraction(name: str, value: Any, *, closed: bool = False) -> float:
    """A share strictly between 0 and 1 (e.g. a confidence level), or in [0, 1] if ``closed``."""
    return number(name, value, min=0, max=1, min_open=not closed, max_open=not closed)


def choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """One of ``options``."""
    options = list(options)
    if isinstance(value, bool) or value not in options:
        raise _fail(name, "one of " + ", ".join(repr(o) for o in options), value)
    return value


def flag(name: str, value: Any) -> bool:
    """True or False (numpy booleans too)."""
    if value is True or value is False or (type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")):
        return bool(value)
    raise _fail(name, "True or False", value)


def text(name: str, value: Any, *, length: int | None = None, allow_empty: bool = False) -> str:
    """A string (of exactly ``length`` characters, if given)."""
    if not isinstance(value, str) or (not value and not allow_empty):
        raise _fail(name, "a non-empty text" if length is None else f"a text of {length} character(s)", value)
    if length is not None and len(value) != length:
        raise _fail(name, f"a text of {length} character(s)", value)
    return value


def names(name: str, value: Any, *, allowed: Iterable[str] | None = None) -> list[str]:
    """A list of column or block names (a single name is a list of one)."""
    items = [value] if isinstance(value, str) else value
    if isinstance(items, (bytes, dict)) or not isinstance(items, Iterable):
        raise _fail(name, "a name or a list of names", value)
    items = list(items)
    bad = [v for v in items if not isinstance(v, str) or not v]
    if bad:
        raise _fail(name, "names (texts)", value)
    if allowed is not None:
        allowed = list(allowed)
        unknown = [v for v in items if v not in allowed]
        if unknown:
            raise ParameterError(f"{name}: unknown {unknown}; expected some of {allowed}", name=name)
    return items


#: The longest file or folder name, and the longest path, in bytes, that file systems take
#: (ext4, APFS, NTFS: 255 per name; Linux: 4,096 per path). Past them the operating system
#: answers "File name too long" to any question about the path, even "does it exist?".
NAME_MAX, PATH_MAX = 255, 4096


def unusable(p: Path) -> str | None:
    """Why no file system can have a file at ``p`` (a NUL character, a name or a path too
    long), or None. Checked before the path is looked at, so the answer is a message, not
    an ``OSError``."""
    text = os.fsencode(p)
    if b"\0" in text:
        return "it holds a NUL character, which no file name can"
    longest = max((len(os.fsencode(part)) for part in p.parts), default=0)
    if longest > NAME_MAX:
        return f"one of its file or folder names is {longest:,} bytes long; file systems allow {NAME_MAX}"
    if len(text) > PATH_MAX:
        return f"it is {len(text):,} bytes long; file systems allow {PATH_MAX:,}"
    return None


def path(name: str, value: Any) -> Path:
    """A file-system path given as text or ``os.PathLike`` (not None, not a number) that a
    file system can hold (see :func:`unusable`)."""
    if isinstance(value, (str, os.PathLike)) and str(value).strip():
        p = Path(value)
        problem = unusable(p)
        if problem:
            raise FileError(f"{name}: the path {shown(str(p))} cannot name a file: {problem}", path=str(p))
        return p
    raise _fail(name, "a file path (text or Path)", value)


def input_file(name: str, value: Any, what: str = "file") -> Path:
    """An existing file to read."""
    p = path(name, value)
    if p.is_dir():
        raise FileError(f"{name}: '{p}' is a folder; expected a {what}", path=str(p))
    if not p.is_file():
        raise FileError(f"{name}: {what} '{p}' not found", path=str(p))
    return p


def output_file(name: str, value: Any, what: str = "output file", *, create_parent: bool = False) -> Path:
    """A file that can be written: its folder exists (or is created) and is writable, and
    the path is not a folder. Checked before any work, so nothing runs for an output that
    cannot be written."""
    p = path(name, value)
    if p.is_dir():
        raise FileError(f"{name}: '{p}' is a folder; expected the {what}'s file name", path=str(p))
    parent = p.parent if str(p.parent) else Path(".")
    if create_parent:
        output_dir(name, parent, what=f"folder of the {what}")
    elif not parent.is_dir():
        raise FileError(f"{name}: cannot write the {what} '{p}': folder '{parent}' does not exist",
                        path=str(p))
    problem = _unwritable(parent) or (p.exists() and not os.access(p, os.W_OK) and "permission denied")
    if problem:
        raise FileError(f"{name}: cannot write the {what} '{p}': {problem}", path=str(p))
    return p


def _identity(p: Path) -> tuple[int, int] | None:
    """The file a path leads to (device, inode; symbolic links followed), or None when
    nothing is there. Two names of one file (a symbolic or a hard link, ``./x`` and ``x``)
    have the same identity; a resolved path would miss the hard link."""
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def apart(outputs: Iterable[tuple[str, Any]], inputs: Iterable[tuple[str, Any]]) -> None:
    """Refuse to write over an input: every output (``(name, path)`` pairs, a file or a
    folder) is compared with every input and every other output by file identity (device
    and inode), so a symbolic or hard link to the survey export is the export. Raised
    whatever ``--force`` says: ``--force`` only ever replaces an earlier output.
    """
    seen: dict[tuple[int, int], tuple[str, str]] = {}
    for name, value in inputs:
        if value is not None and (ident := _identity(Path(value))) is not None:
            seen.setdefault(ident, (name, str(value)))
    written: dict[tuple[int, int], tuple[str, str]] = {}
    for name, value in outputs:
        p = Path(value)
        ident = _identity(p)
        if ident is None:
            continue
        if ident in seen:
            what, where = seen[ident]
            kind = "folder" if p.is_dir() else "file"
            which = (f"'{p}' is {what}" if os.path.abspath(where) == os.path.abspath(p) else
                     f"'{p}' is the same {kind} as {what} '{where}' (a link to it)")
            raise FileError(f"{name}: {which}, an input of this run; valuekit never writes over an input "
                            f"(not even with --force): write the output to another {kind}", path=str(p))
        if ident in written:
            other, where = written[ident]
            raise FileError(f"{name}: '{p}' is the same file as {other} '{where}'; give each output its own file",
                            path=str(p))
        written[ident] = (name, str(p))


def _unwritable(folder: Path) -> str | None:
    """Why nothing can be written into ``folder`` (tried, not guessed from the mode bits,
    which say nothing for root or on a read-only file system), or None."""

    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as err:
        return err.strerror or str(err)


def output_dir(name: str, value: Any, what: str = "output folder") -> Path:
    """A folder to write into, created (with its parents) when missing."""
    p = path(name, value)
    if p.exists() and not p.is_dir():
        raise FileError(f"{name}: '{p}' is a file; expected the {what}", path=str(p))
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FileError(f"{name}: cannot create the {what} '{p}': {err.strerror or err}", path=str(p)) from None
    problem = _unwritable(p)
    if problem:
        raise FileError(f"{name}: cannot write into the {what} '{p}': {problem}", path=str(p))
    return p


def write_text(p: Path, content: str, what: str = "file") -> None:
    """Write text, turning an ``OSError`` (disk full, permissions) into a FileError."""
    try:
        Path(p).write_text(content, encoding="utf-8")
    except OSError as err:
        raise FileError(f"cannot write the {what} '{p}': {err.strerror or err}", path=str(p)) from None


def write_bytes(p: Path, content: bytes, what: str = "file") -> None:
    """Write bytes, turning an ``OSError`` (disk full, permissions) into a FileError."""
    try:
        Path(p).write_bytes(content)
    except OSError as err:
        raise FileError(f"cannot write the {what} '{p}': {err.strerror or err}", path=str(p)) from None


def instance(name: str, value: Any, types: type | tuple, expected: str, *, optional: bool = False) -> Any:
    """``value`` if it is one of ``types`` (or None, if ``optional``); ``expected`` words them."""
    if (optional and value is None) or (isinstance(value, types) and not isinstance(value, bool)):
        return value
    raise _fail(name, expected + (" or None" if optional else ""), value)


def str_take(categories, codes):
    """A ``str`` array of ``categories[codes]``, gathered by Arrow (no Python string per row)."""
    import numpy as np  # deferred: numpy
    import pandas as pd  # deferred: pandas
    import pyarrow as pa  # deferred: pyarrow

    cats = pa.array([str(c) for c in categories], type=pa.large_string())
    return pd.array(cats.take(pa.array(np.asarray(codes, dtype=np.int64))), dtype="str")
