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
  executed), JSON through :func:`json.loads`.

Every problem raises the error type of the file's kind (``CodebookError`` for a codebook,
``LeverError`` for levers, ...) with a message naming the file and saying what was
expected, e.g. ``big.yaml: refused: nesting deeper than 50 levels (line 51)``.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ValuekitError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ALIASES", "MAX_NODES", "Loader", "decode", "loads", "read_file"]

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
        # the composer recurses once per level: count the levels before going down one
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
        node = super().compose_document()
        if self._aliases:
            _check_expansion(node)
        return node

    def construct_mapping(self, node, deep=False):
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


def loads(text: str, *, json_: bool = False, loader: type[Loader] = Loader) -> Any:
    """Parse YAML (``loader``, a :class:`Loader`) or JSON text within the bounds.

    Raises
    ------
    Refused
        Too deep, an alias bomb, a key twice.
    yaml.YAMLError, ValueError
        Not valid YAML or JSON (``json.JSONDecodeError`` is a ValueError).
    """
    if json_:
        _json_depth(text)
        try:
            return json.loads(text, object_pairs_hook=_unique_pairs)
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
        not text, not valid YAML / JSON, nesting deeper than :data:`MAX_DEPTH` levels
        ("refused: nesting deeper than 50 levels"), more than :data:`MAX_ALIASES` aliases or
        expanding to more than :data:`MAX_NODES` values, an alias inside its own anchor, or
        a key given twice in one mapping (with its line).
    """
    path = Path(path)
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
    except Refused as err:
        raise error(f"{path.name}: {err}") from None
    except ValuekitError:
        raise
    except (yaml.YAMLError, ValueError) as err:  # ValueError: a bad date, a 5,000-digit number
        read_as = "" if encoding == "UTF-8" else f"; read as {encoding} text"
        raise error(f"{path.name}: not a valid {kind} file ({err}{read_as})") from None
