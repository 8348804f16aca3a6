"""Input limits, enforced before any deep parsing, and safe reading of untrusted files.

Documented limits (README "Input limits"):

* a facts document (``facts_from_json``, ``infoshare decide``, a case's ``facts_file``) is at most
  ``MAX_FACTS_BYTES`` (1 MiB) of UTF-8 JSON (a UTF-8 byte order mark is ignored; UTF-16/32 are
  refused), nests at most ``MAX_JSON_DEPTH`` (32) arrays/objects deep, has integers of at most
  ``MAX_INTEGER_DIGITS`` (20) digits, no ``NaN``/``Infinity`` and no duplicate keys;
* a YAML file (ruleset files, case files) is at most ``MAX_YAML_BYTES`` (64 MiB) of UTF-8, nests at
  most ``MAX_YAML_DEPTH`` (64) deep, and has no anchors or aliases (``&a``/``*a``): neither format
  needs them, and an alias "bomb" of a kilobyte expands to gigabytes;
* only regular files are read: a FIFO, a device (``/dev/zero``) or a folder is refused before
  it is opened for reading, and a file over its limit before it is read.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from typing import Any

from .errors import FactsError, InputLimitError, describe_key

MAX_FACTS_BYTES = 1 << 20
MAX_DOCUMENT_BYTES = 16 << 20  # a decision or a decision record read back
MAX_JSON_DEPTH = 32
MAX_INTEGER_DIGITS = 20
MAX_YAML_BYTES = 64 << 20
MAX_YAML_DEPTH = 64

_UNICODE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a regular file; False for a name the system refuses (too long, a NUL
    byte) rather than the OSError or ValueError some Pythons raise for it (3.10 does for ENAMETOOLONG)."""
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def is_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a folder; False for a name the system refuses (see is_regular_file)."""
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; OSError or InputLimitError otherwise.

    Opened non-blocking, so a FIFO cannot hang us, and checked with fstat before reading.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) else "a device or special file"
            raise InputLimitError(f"not a regular file ({kind})")
        if info.st_size > max_bytes:
            raise InputLimitError(f"file too large: {info.st_size} bytes; the limit is {max_bytes}")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > max_bytes:
        raise InputLimitError(f"file too large: over {max_bytes} bytes")
    return data


def decode_utf8(data: bytes) -> str:
    """UTF-8 text, a leading byte order mark dropped; InputLimitError naming the line otherwise."""
    if data.startswith(_UNICODE_BOMS):
        raise InputLimitError("not UTF-8: the text starts with a UTF-16 or UTF-32 byte order mark; save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputLimitError(f"not UTF-8 text: invalid byte at line {line}", line=line) from None


# ---------------------------------------------------------------- JSON


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays/objects in JSON text nest deeper than ``limit`` (strings skipped); no parsing."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise FactsError("$", f"number too long: {len(digits)} digits; the limit is {MAX_INTEGER_DIGITS}")
    return int(digits)


def _refuse_constant(name: str) -> Any:
    raise FactsError("$", f"{name} is not a JSON number", expected="a whole number or a string")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # json.loads would keep the last one: {"statutory_duty":"yes","statutory_duty":"no"} must not decide
            raise FactsError("$", f"duplicate key {describe_key(key)} in one object", expected="each key at most once")
        result[key] = value
    return result


def parse_json_document(data: str | bytes | bytearray, *, max_bytes: int = MAX_FACTS_BYTES) -> Any:
    """Parse a facts JSON document within the limits above; FactsError (never another error) otherwise."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > max_bytes:
            raise FactsError("$", f"document too large: {len(data)} bytes; the limit is {max_bytes}")
        try:
            text = decode_utf8(bytes(data))
        except InputLimitError as exc:
            raise FactsError("$", str(exc)) from None
    elif isinstance(data, str):
        if len(data) > max_bytes:
            raise FactsError("$", f"document too large: {len(data)} characters; the limit is {max_bytes} bytes")
        text = data[1:] if data.startswith("\ufeff") else data
    else:
        raise FactsError("$", "wrong type", expected="JSON text (str or bytes)", got=type(data).__name__)
    if json_depth_exceeds(text):
        raise FactsError("$", f"nested too deeply; the limit is {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_bounded_int, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise FactsError("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # cannot happen within MAX_JSON_DEPTH; never a traceback if it does
        raise FactsError("$", f"nested too deeply; the limit is {MAX_JSON_DEPTH} levels") from None
