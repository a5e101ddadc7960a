"""Reading a divisions file (gzip-compressed or not), and finding a place in its JSON text."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from pathlib import Path

from units.importers.errors import DivisionsFileError, DivisionsImportError

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def read_text(path: Path) -> str:
    """The decoded text of a divisions file, gzip-compressed or not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DivisionsImportError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DivisionsFileError(f"not a valid gzip file ({exc})", source=str(path)) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DivisionsFileError(
            f"not UTF-8 text (byte offset {exc.start})", source=str(path)
        ) from exc


def _skip_ws(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def locate(text: str, pointer: Sequence[str | int]) -> int:
    """Offset in ``text`` (valid JSON) of the value at ``pointer`` (list indexes and keys).

    Values that are skipped over are scanned by the C decoder, so finding any entry of a
    1 MB file takes milliseconds; it runs only when there is an error to report.
    """
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    for step in pointer:
        if isinstance(step, int):
            pos = _skip_ws(text, pos + 1)  # past "["
            for _ in range(step):
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ","
        else:
            pos = _skip_ws(text, pos + 1)  # past "{"
            while True:
                key, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ":"
                if key == step:
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ","
    return pos


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters of the decoded text) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
