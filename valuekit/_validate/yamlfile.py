"""One safe, bounded reader for every YAML or JSON file valuekit reads.

Codebooks, lever files, scenario files and evidence overrides are written by people and
passed around by e-mail, so a file may be in any encoding, may repeat a key, or may be
made (by accident or not) to exhaust memory or the stack. :func:`read_file` reads them
all the same way:

* **size**: at most :data:`MAX_BYTES` (4 MiB, some 30 times a codebook of several hundred
  items with labels and questions in three languages); a bigger file is refused unread;
* **encoding**: UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 by their
  byte-order mark, UTF-16 without one when the NUL bytes say so, else Windows-1252 (or
  Latin-1 for the few bytes Windows-1252 leaves undefined);
* **nesting**: refused deeper than :data:`MAX_DEPTH` (50) levels of mappings and lists,
  checked on the event stream while composing (so the recursive composer never goes
  deeper) and again after aliases are expanded; JSON is checked before it is parsed;
* **aliases**: at most :data:`MAX_ALIASES` (10,000) ``*alias`` references, expanding to at
  most :data:`MAX_NODES` (1,000,000) values (a memoised walk of the composed nodes, so an
  alias bomb is measured without being expanded), and never an alias inside its own
  anchor; a shared scale (``scale: &likert {...}`` then ``scale: *likert``) and merge
  keys (``<<: *base``) work as YAML says;
* **duplicate keys**: a key given twice in one mapping is refused (YAML and JSON both
  silently keep the last), naming the key and its line;
* **safe**: YAML through a :class:`yaml.SafeLoader` subclass (no Python objects, nothing
  executed), JSON through :func:`json.loads`;
* **scalars**: a whole number longer than Python reads from text (4,300 digits, also
  as a YAML 1.1 base-60 ``1:2:3``, whose digits are counted before it is computed), a
  finite-looking number too large for a float (``1e400``, which would silently be
  infinite) and a date that does not exist (``2023-02-30``) are refused naming the line
  and the key (``scale.max``, ``missing_codes[2]``). ``.inf`` and ``.nan``, written out,
  are read as such and left to the reader of each file to refuse.

:func:`scalar`, :func:`key` and :func:`comment` are the other way: they write one value,
mapping key or comment of a YAML file (the draft codebook of ``valuekit init``) through
the emitter, so that any text, however strange (line breaks, ``: ``, ``#``, quotes,
control characters, bidi marks, U+2028, ``yes``, ``1e3``), reads back as exactly itself.

Every problem raises the error type of the file's kind (``CodebookError`` for a codebook,
``LeverError`` for levers, ...) with a message naming the file and saying what was
expected, e.g. ``big.yaml: refused: nesting deeper than 50 levels (line 51)``.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from ..errors import ValuekitError
from . import check as _check

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ALIASES", "MAX_NODES", "BadValue", "Loader", "comment", "decode", "key",
           "loads", "read_file", "scalar"]

#: Largest file read, in bytes (4 MiB).
MAX_BYTES = 4 * 2**20
#: Deepest nesting of mappings and lists (a codebook needs 4 or 5).
MAX_DEPTH = 50
#: Most ``*alias`` references in one YAML file.
MAX_ALIASES = 10_000
#: Most values (mappings, lists, scalars) once the aliases are expanded.
MAX_NODES = 1_000_000

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
_MERGE = "tag:yaml.org,2002:merge"
# a JSON string (skipped) or a bracket (counted), for the depth check before parsing
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


class Refused(Exception):
    """A file valuekit will not read as it is; :func:`read_file` turns it into the error
    type of the file's kind, with the file's name. (Not a ValueError: nothing else
    catches it on the way.)"""


class BadValue(Refused):
    """A value of the file that no number or date can hold (a 5,000-digit number, ``1e400``,
    ``2023-02-30``); the message names its line and key."""


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file's bytes and the encoding it was read in.

    UTF-8 (a byte-order mark is dropped); UTF-16 / UTF-32 by their byte-order mark; UTF-16
    without one when NUL bytes fill every other byte (ASCII text in UTF-16); else UTF-8 if
    valid, else Windows-1252, else Latin-1 (which reads any byte).

    Raises
    ------
    Refused
        Bytes announced (by a byte-order mark or the NUL pattern) as UTF-16 or UTF-32 that
        are not; or NUL bytes in what would be text (a binary file).

    Examples
    --------
    >>> decode("reducción".encode("latin-1"))
    ('reducción', 'Windows-1252')
    >>> decode("reducción".encode("utf-16"))
    ('reducción', 'UTF-16')
    """
    codec = name = None
    for bom, codec_, name_ in _BOMS:
        if raw.startswith(bom):
            codec, name = codec_, name_
            break
    else:
        sample = raw[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if half and odd > 0.4 * half and even < 0.05 * half:
            codec, name = "utf-16-le", "UTF-16 (little-endian, no byte-order mark)"
        elif half and even > 0.4 * half and odd < 0.05 * half:
            codec, name = "utf-16-be", "UTF-16 (big-endian, no byte-order mark)"
    if codec is not None:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as err:
            raise Refused(f"looks like {name} text but is not (byte {err.start}: {err.reason}); "
                          "save it as UTF-8") from None
    else:
        for codec, name in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
            try:
                text = raw.decode(codec)
                break
            except UnicodeDecodeError:
                continue
    if "\x00" in text:
        raise Refused(f"has NUL bytes (read as {name}): not a text file, or in an encoding valuekit does "
                      "not recognise; save it as UTF-8")
    return text, name


class Loader(yaml.SafeLoader):
    """The safe loader with bounds: no key twice in one mapping, no nesting deeper than
    :data:`MAX_DEPTH`, at most :data:`MAX_ALIASES` aliases expanding to at most
    :data:`MAX_NODES` values, no alias inside its own anchor. Raises :class:`Refused`.

    Subclasses set ``message``, the duplicate-key message (with ``{key}`` and ``{line}``).
    """

    message = "key '{key}' appears twice in one mapping (line {line}); YAML would silently keep only the last"

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent, index):
        """PyYAML's, refusing more than :data:`MAX_ALIASES` aliases or nesting deeper than
        :data:`MAX_DEPTH` (the composer recurses once per level: counted before going down)."""
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise Refused(f"refused: more than {MAX_ALIASES:,} aliases (*name) "
                              f"(line {self.peek_event().start_mark.line + 1})")
            return super().compose_node(parent, index)
        if not self.check_event(yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused(f"refused: nesting deeper than {MAX_DEPTH} levels "
                              f"(line {self.peek_event().start_mark.line + 1})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self):
        """PyYAML's, refusing a document whose aliases expand too far or into themselves."""
        node = super().compose_document()
        if self._aliases:
            _check_expansion(node)
        self._root = node
        return node

    def _where(self, node: yaml.Node) -> str:
        """'line 3, key 'scale.max'' for a node of the document being read."""
        path = _key_path(getattr(self, "_root", None), node)
        return f"line {node.start_mark.line + 1}" + (f", key '{path}'" if path else "")

    def construct_yaml_int(self, node):
        """PyYAML's, refusing a number too long to convert quickly, and naming the line and key
        of a malformed one."""
        digits, limit = _int_digits(str(node.value)), _max_int_digits()
        if digits > limit:  # counted before int() (or a base-60 loop) spends time on it
            raise BadValue(f"{self._where(node)}: a whole number of {digits:,} digits; expected a number of "
                          f"at most {limit:,} digits")
        try:
            return super().construct_yaml_int(node)
        except ValueError as err:
            raise BadValue(f"{self._where(node)}: {_cut(node.value)} is not a number valuekit can read ({err})") \
                from None

    def construct_yaml_float(self, node):
        """PyYAML's, refusing a finite number too large for a float (it would read as inf)."""
        value = super().construct_yaml_float(node)
        if value in (float("inf"), float("-inf")) and "inf" not in str(node.value).lower():
            raise BadValue(f"{self._where(node)}: {_cut(node.value)} is too large for a number (beyond "
                          f"{sys.float_info.max:.3g}); expected a number valuekit can compute with")
        return value

    def construct_yaml_timestamp(self, node):
        """PyYAML's, naming the line and key of a date that cannot be (a 31 February, say)."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as err:
            raise BadValue(f"{self._where(node)}: {_cut(node.value)} is not a date ({err}); quote it to keep it "
                          "as text") from None

    def construct_mapping(self, node, deep=False):
        """PyYAML's, refusing a key given twice in one mapping (merged ``<<`` keys aside)."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:  # `<<: *base`: merged keys may be overridden
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    if key in seen:
                        raise Refused(self.message.format(key=key, line=key_node.start_mark.line + 1))
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor says so
                    pass
        return super().construct_mapping(node, deep=deep)


Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)


def _max_int_digits() -> int:
    """The most decimal digits of a whole number read from text: Python's limit
    (:func:`sys.get_int_max_str_digits`, 4,300 by default; 4,300 when it is switched off)."""
    return sys.get_int_max_str_digits() or 4300


def _int_digits(text: str) -> int:
    """The decimal digits of a YAML 1.1 whole number (``0b``, ``0x``, ``0`` octal, ``1:30``
    base 60, decimal), counted from its text without computing it."""
    body = text.replace("_", "").lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16)):
        if body.startswith(prefix):
            return int((len(body) - 2) * math.log10(base)) + 1
    if ":" in body:
        parts = body.split(":")
        return len(parts[0]) + int((len(parts) - 1) * math.log10(60)) + 1
    if len(body) > 1 and body.startswith("0"):
        return int((len(body) - 1) * math.log10(8)) + 1
    return len(body)


def _cut(text: str, width: int = 40) -> str:
    text = str(text)
    return repr(text if len(text) <= width else text[:width - 3] + "...")


def _key_path(root: yaml.Node | None, target: yaml.Node) -> str:
    """Where ``target`` sits in the composed document: ``scale.max``, ``missing_codes[2]``
    ('' at the top). Each node is visited once, so aliases cost nothing."""
    seen: set[int] = set()

    def walk(node: yaml.Node, path: str) -> str | None:
        if node is target:
            return path
        if isinstance(node, yaml.ScalarNode) or id(node) in seen:
            return None
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pairs = [(f"{path}[{i}]", child) for i, child in enumerate(node.value)]
        else:
            pairs = []
            for key_node, child in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                inner = f"{path}.{name}" if path else str(name)
                if key_node is target:  # the key itself: `1e400: x`
                    return inner
                pairs.append((inner, child))
        for inner, child in pairs:
            found = walk(child, inner)
            if found is not None:
                return found
        return None

    return (walk(root, "") or "") if root is not None else ""


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph that aliases expand past :data:`MAX_NODES` values or
    :data:`MAX_DEPTH` levels, or that contains itself; memoised, so shared nodes are
    measured once and a bomb is never expanded."""
    memo: dict[int, tuple[int, int]] = {}  # id -> (values, levels) once expanded
    on_path: set[int] = set()

    def walk(node: yaml.Node, depth: int) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 1, 0
        key = id(node)
        if key in on_path:
            raise Refused(f"refused: the anchor at line {node.start_mark.line + 1} is used (*alias) inside "
                          "itself, a structure without end")
        if key not in memo:
            if depth > MAX_DEPTH:
                raise Refused(f"refused: nesting deeper than {MAX_DEPTH} levels once its aliases are expanded "
                              f"(line {node.start_mark.line + 1})")
            on_path.add(key)
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]
            size, levels = 1, 0
            for child in children:
                s, h = walk(child, depth + 1)
                size, levels = size + s, max(levels, h)
                if size > MAX_NODES:
                    raise Refused(f"refused: its aliases (*name) expand to more than {MAX_NODES:,} values "
                                  f"(line {node.start_mark.line + 1}); write the values out, or share less")
            on_path.discard(key)
            memo[key] = (size, levels + 1)
        size, levels = memo[key]
        if depth - 1 + levels > MAX_DEPTH:
            raise Refused(f"refused: nesting deeper than {MAX_DEPTH} levels once its aliases are expanded "
                          f"(line {node.start_mark.line + 1})")
        return size, levels

    walk(root, 1)


def _json_depth(text: str) -> None:
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(f"refused: nesting deeper than {MAX_DEPTH} levels "
                              f"(line {text.count(chr(10), 0, m.start()) + 1})")
        elif c in "]}":
            depth -= 1


class _DuplicateJSONKey(Exception):
    pass


def _unique_pairs(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateJSONKey(key)
        out[key] = value
    return out


def _json_duplicate_line(text: str) -> tuple[str, int] | None:
    """The first key given twice in one object of JSON, and its line (a slow walk, only
    after :func:`json.loads` found one, so the text is valid up to it; depth bounded)."""
    ws = re.compile(r"[ \t\n\r]*")
    scalar = json.JSONDecoder()

    def skip(i: int) -> int:
        return ws.match(text, i).end()

    def value(i: int) -> int:
        i = skip(i)
        if text[i] == "{":
            seen, i = set(), skip(i + 1)
            while text[i] != "}":
                key, end = json.decoder.scanstring(text, i + 1)
                if key in seen:
                    raise _DuplicateJSONKey(key, text.count("\n", 0, i) + 1)
                seen.add(key)
                i = skip(value(skip(end) + 1))  # past ':' and the value
                i = skip(i + 1) if text[i] == "," else i
            return i + 1
        if text[i] == "[":
            i = skip(i + 1)
            while text[i] != "]":
                i = skip(value(i))
                i = skip(i + 1) if text[i] == "," else i
            return i + 1
        return scalar.raw_decode(text, i)[1]

    try:
        value(0)
    except _DuplicateJSONKey as found:
        return found.args
    except (IndexError, ValueError):  # not expected: the text parsed up to the duplicate
        pass
    return None


def _json_line(text: str, literal: str) -> int:
    return text.count("\n", 0, max(text.find(literal), 0)) + 1


def _json_int(text: str, literal: str) -> int:
    digits, limit = len(literal.lstrip("-")), _max_int_digits()
    if digits > limit:
        raise BadValue(f"line {_json_line(text, literal)}: a whole number of {digits:,} digits; expected a number "
                       f"of at most {limit:,} digits")
    return int(literal)


def _json_float(text: str, literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BadValue(f"line {_json_line(text, literal)}: {_cut(literal)} is too large for a number (beyond "
                       f"{sys.float_info.max:.3g}); expected a number valuekit can compute with")
    return value


def loads(text: str, *, json_: bool = False, loader: type[Loader] = Loader) -> Any:
    """Parse YAML (``loader``, a :class:`Loader`) or JSON text within the bounds.

    Raises
    ------
    Refused
        Too deep, an alias bomb, a key twice; :class:`BadValue` (a Refused) for a number
        or date no Python value holds, naming its line (and in YAML its key).
    yaml.YAMLError, ValueError
        Not valid YAML or JSON (``json.JSONDecodeError`` is a ValueError).
    """
    if json_:
        _json_depth(text)
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs, parse_int=lambda s: _json_int(text, s),
                              parse_float=lambda s: _json_float(text, s))
        except _DuplicateJSONKey as found:
            key, line = _json_duplicate_line(text) or (found.args[0], None)
            where = "" if line is None else f" (line {line})"
            raise Refused(f"key '{key}' appears twice in one object{where}; JSON would silently keep "
                          "only the last") from None
    reader = loader(text)
    try:
        return reader.get_single_data()
    finally:
        reader.dispose()


def read_file(path: str | Path, *, what: str, error: type[Exception], json_: bool | None = None,
              loader: type[Loader] = Loader, max_bytes: int = MAX_BYTES) -> Any:
    """Read a YAML or JSON file safely and within bounds; every problem is an ``error``.

    Parameters
    ----------
    path : str or Path
    what : str
        The kind of file, for messages: ``"codebook file"``, ``"lever file"``, ...
    error : exception type
        Raised for every problem (``CodebookError``, ``LeverError``, ...), its message
        starting with the file's name.
    json_ : bool, optional
        Parse as JSON (default: when the name ends in ``.json``), else YAML.
    loader : Loader subclass
        For YAML: its ``message`` words a duplicate key.
    max_bytes : int
        Refuse bigger files unread (default :data:`MAX_BYTES`, 4 MiB).

    Returns
    -------
    The parsed content (``None`` for an empty YAML file).

    Raises
    ------
    error
        Not found, a folder, unreadable, bigger than ``max_bytes`` ("refused: ... bytes"),
        not text, not valid YAML / JSON (a number or date no Python value holds: with its
        line and key), nesting deeper than :data:`MAX_DEPTH` levels
        ("refused: nesting deeper than 50 levels"), more than :data:`MAX_ALIASES` aliases or
        expanding to more than :data:`MAX_NODES` values, an alias inside its own anchor, or
        a key given twice in one mapping (with its line).
    """
    path = Path(path)
    problem = _check.unusable(path)
    if problem:
        raise error(f"{what} {_check.shown(str(path))} cannot name a file: {problem}")
    if path.is_dir():
        raise error(f"{what} '{path}' is a folder; expected a file")
    if not path.exists():
        raise error(f"{what} '{path}' not found")
    try:
        with path.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as err:
        raise error(f"{what} '{path}': cannot read it ({err.strerror or err})") from None
    if len(raw) > max_bytes:
        size = path.stat().st_size if path.is_file() else 0
        shown = f"{size:,} bytes" if size > max_bytes else f"more than {max_bytes:,} bytes"
        raise error(f"{path.name}: refused: {shown}, more than the {max_bytes:,} bytes "
                    f"({max_bytes / 2**20:g} MiB) a {what} may have")
    json_ = path.suffix.lower() == ".json" if json_ is None else json_
    kind = "JSON" if json_ else "YAML"
    encoding = "UTF-8"
    try:
        text, encoding = decode(raw)
        return loads(text, json_=json_, loader=loader)
    except BadValue as err:  # a 5,000-digit number, 1e400, a 30th of February: its line and key
        read_as = "" if encoding == "UTF-8" else f"; read as {encoding} text"
        raise error(f"{path.name}: not a valid {kind} file: {err}{read_as}") from None
    except Refused as err:
        raise error(f"{path.name}: {err}") from None
    except ValuekitError:
        raise
    except (yaml.YAMLError, ValueError) as err:  # ValueError: a bad date, a 5,000-digit number
        read_as = "" if encoding == "UTF-8" else f"; read as {encoding} text"
        raise error(f"{path.name}: not a valid {kind} file ({err}{read_as})") from None


# -- writing: one value, key or comment at a time, through the emitter ----------------------

#: Unicode categories never written as they are into YAML text: control characters (line
#: breaks, tabs, NUL, NEL), format characters (bidi overrides such as U+202E, zero-width
#: marks, the byte-order mark), line and paragraph separators (U+2028, U+2029),
#: surrogates, private-use and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# plain text another YAML reader would retype: a YAML 1.2 number, a YAML 1.1 y/n boolean
_RETYPED = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
                      r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[yYnN]")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# an implicit (simple) key is at most 1,024 characters long (YAML 1.1, 7.4.2; PyYAML's reader)
_SIMPLE_KEY = 1000


def _hidden(text: str) -> bool:
    return any(unicodedata.category(ch) in _HIDDEN for ch in text)


def _dump(value, **style) -> str:
    text = yaml.safe_dump(value, allow_unicode=style.pop("allow_unicode", True), width=2**31 - 1,
                          default_flow_style=True, sort_keys=False, **style)
    return text.removesuffix("\n").removesuffix("\n...").removesuffix("\n")


def scalar(value) -> str:
    """``value`` (text, a number, a bool, None, or a flow list / mapping of these) as YAML
    on one line that reads back as exactly ``value``.

    Text is written plain or quoted as the emitter chooses when that reads back as itself
    on one line; text the emitter would write plain that another YAML reader retypes
    (``1e3``, ``0o17``, ``y``) is single-quoted; text with a control, format (bidi) or
    line-separator character, or that the emitter would break over lines, is
    double-quoted with every character outside printable ASCII escaped (``"q1\\nweight"``,
    ``"price\\u202E"``).

    >>> [scalar(v) for v in ("price", "yes", "1e3", "a: b", "q1\\nweight: x", {"min": 1, "max": 5})]
    ['price', "'yes'", "'1e3'", "'a: b'", '"q1\\\\nweight: x"', '{min: 1, max: 5}']
    """
    if isinstance(value, str):
        if not _hidden(value):
            text = _dump(value)
            if text[:1] not in "'\"" and _RETYPED.fullmatch(value):
                text = _dump(value, default_style="'")
            if "\n" not in text and yaml.load(text, Loader=yaml.SafeLoader) == value:
                return text
        return _dump(value, default_style='"', allow_unicode=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, float)):
        return _dump(value)
    raise TypeError(f"scalar: expected text, a number, a bool, None, a list or a dict, got {type(value).__name__}")


def _flow(value) -> str:
    """A value inside a flow list or mapping: text is always quoted there (a plain ``a, b``
    or ``{`` would be read as flow syntax)."""
    if isinstance(value, str):
        if _WORD.fullmatch(value) and scalar(value) == value:
            return value
        return _dump(value, default_style='"', allow_unicode=not _hidden(value))
    return scalar(value)


def key(value, indent: str = "") -> list[str]:
    """The line(s) of a block mapping key, the last ending in ``:`` for the caller to follow
    with `` value`` or with the indented lines of its value: ``["  price:"]``, or for a key
    longer than a simple key may be, the explicit form ``["  ? <key>", "  :"]``.

    >>> key("a: b", "  ")
    ["  'a: b':"]
    """
    text = scalar(value)
    if len(text) <= _SIMPLE_KEY:
        return [f"{indent}{text}:"]
    return [f"{indent}? {text}", f"{indent}:"]


def comment(text: str) -> str:
    """``text`` made safe to follow ``#`` on one line of YAML: every control, format (bidi),
    line or paragraph separator character written as its escape (``\\n``, ``\\u202e``), so
    nothing in it can end the comment or hide what follows.

    >>> comment("named like a weight\\nweight: start_date")
    'named like a weight\\\\nweight: start_date'
    """
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _HIDDEN else ch
                   for ch in str(text))
