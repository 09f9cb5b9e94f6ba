# Copyright 2026 The instructuie-jax Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""Reading text and JSON a user gives: one reader, with limits.

Every tool and data loader reads its text files (JSON, JSON lines, CoNLL,
BRAT `.txt`/`.ann`) through `decode` / `read_text`, and parses JSON with
`loads`, so that each input edge is decided once:

* Text is UTF-8; a leading byte order mark (U+FEFF) is dropped. Other bytes
  are an error naming the file, line and column.
* JSON nested deeper than `MAX_DEPTH` is refused before it is parsed
  (Python's parser would exhaust its recursion), and so is an integer longer
  than Python reads (`sys.get_int_max_str_digits`, 4300 digits by default).
* `NaN`, `Infinity` and `-Infinity` are not JSON: refused.
* A string holding a lone surrogate (`"\\ud800"`, which no UTF-8 text can
  hold) is refused, naming its field.
* JSON lines are split at `\\n` only (a U+2028 inside a string is text, not a
  line break); blank lines are skipped.

Every error is an `InputError` whose message is one line that begins with
`file:line:`.

Usage:

  text = json_input.read_text("train.jsonl")
  for number, line in json_input.lines(text):
    obj = json_input.loads(line, "train.jsonl", line=number)
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

MAX_DEPTH = 64  # Our data nests a few levels; no reader needs more.

_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_ESCAPE_RE = re.compile(
  r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
  r"|(?<![dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class InputError(ValueError):
  """Text or JSON that cannot be read; `str()` is one line.

  Attributes:
    file: The file, as given.
    line: Its line (1-based), or None when not known.
    message: What is wrong (one line, without the file and line).
  """

  def __init__(self, file: str, line: int | None, message: str):
    where = file if line is None else f"{file}:{line}"
    super().__init__(f"{where}: {message}")
    self.file = file
    self.line = line
    self.message = message


def _line_of(text: str, offset: int) -> int:
  return text.count("\n", 0, offset) + 1


def decode(data: bytes, file: str) -> str:
  """`data` as text: UTF-8, without a leading byte order mark.

  Raises:
    InputError: `data` is not UTF-8 (naming the line and column).
  """
  if data.startswith(codecs.BOM_UTF8):
    data = data[len(codecs.BOM_UTF8) :]
  try:
    return data.decode("utf-8")
  except UnicodeDecodeError as e:
    line = data.count(b"\n", 0, e.start) + 1
    column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
    raise InputError(
      file, line, f"not UTF-8 (byte {data[e.start]:#04x} at column {column})"
    ) from None


def read_text(path: str | os.PathLike) -> str:
  """The text of local file `path` (see `decode`).

  Raises:
    InputError: not UTF-8.
    OSError: the file cannot be read.
  """
  with open(path, "rb") as f:
    return decode(f.read(), os.fspath(path))


def lines(text: str) -> Iterator[tuple[int, str]]:
  """(line number, line) for each non-blank line of JSON lines `text`."""
  for number, line in enumerate(text.split("\n"), start=1):
    if line.strip():
      yield number, line


def _fail(file: str, line: int | None, message: str) -> NoReturn:
  raise InputError(file, line, message)


def _nests_deeper(text: str, limit: int) -> bool:
  """Whether the brackets of JSON `text` (outside strings) nest deeper than
  `limit`. Text that is not JSON may get either answer."""
  if text.count("[") + text.count("{") <= limit:
    return False
  # Only brackets and quotes, in bytes (C-speed); escaped quotes and
  # backslashes first, so that what is left of each string is `"..."`.
  data = text.encode("utf-8", "surrogatepass")
  if b"\\" in data:
    data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
  data = b"".join(data.translate(_SQUARE, _NOT_STRUCTURE).split(b'"')[::2])
  for _ in range(limit + 1):  # Each pass removes the innermost level.
    shorter = data.replace(b"[]", b"")
    if len(shorter) == len(data):
      return False
    data = shorter
  return True


def _check_depth(text: str, file: str, line: int | None) -> None:
  """Refuses text whose brackets nest deeper than MAX_DEPTH."""
  if not _nests_deeper(text, MAX_DEPTH):
    return
  if line is None:  # Find the line where it goes too deep.
    blanked = _STRING_RE.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for offset, c in enumerate(blanked):
      depth += 1 if c in "[{" else -1 if c in "]}" else 0
      if depth > MAX_DEPTH:
        line = _line_of(text, offset)
        break
  _fail(file, line, f"JSON nested deeper than {MAX_DEPTH} levels")


def _lone_surrogate(value: Any, path: str) -> str | None:
  """The field path of the first string holding a lone surrogate."""
  if isinstance(value, str):
    try:
      value.encode("utf-8")
    except UnicodeEncodeError:
      return path or "value"
    return None
  if isinstance(value, dict):
    for k, v in value.items():
      found = _lone_surrogate(k, path or "key") or _lone_surrogate(
        v, f"{path}.{k}" if path else str(k)
      )
      if found:
        return found
  elif isinstance(value, list):
    for i, v in enumerate(value):
      found = _lone_surrogate(v, f"{path}[{i}]")
      if found:
        return found
  return None


def _refuse_constant(name: str) -> NoReturn:
  raise ValueError(f"{name} is not JSON")


def loads(text: str, file: str, *, line: int | None = None) -> Any:
  """Parses JSON `text` (a whole file, or line `line` of `file`).

  Raises:
    InputError: invalid JSON, or beyond a limit of the module docstring;
      the message starts with `file:line:`.
  """
  _check_depth(text, file, line)
  try:
    value = json.loads(text, parse_constant=_refuse_constant)
  except json.JSONDecodeError as e:
    where = e.lineno if line is None else line
    _fail(file, where, f"invalid JSON: {e.msg} (column {e.colno})")
  except RecursionError:  # Not reached below MAX_DEPTH; kept as a guard.
    _fail(file, line, "JSON nested too deeply to read")
  except ValueError as e:  # An integer too long, or NaN/Infinity.
    limit = sys.get_int_max_str_digits()
    long_int = re.compile(rf"\d{{{limit + 1},}}")
    found = long_int.search(_STRING_RE.sub("", text))
    if found is None:
      _fail(file, line, f"invalid JSON: {e}")
    if line is None:
      at = long_int.search(text)
      line = _line_of(text, at.start()) if at else None
    _fail(file, line, f"an integer of more than {limit} digits")
  if _SURROGATE_ESCAPE_RE.search(text):
    field = _lone_surrogate(value, "")
    if field is not None:
      if line is None:
        at = _LONE_ESCAPE_RE.search(text)
        line = _line_of(text, at.start()) if at else None
      _fail(
        file,
        line,
        f"{field}: a lone surrogate escape (\\ud800-\\udfff) is not text",
      )
  return value


def read_json(path: str | os.PathLike) -> Any:
  """The JSON value of local file `path` (see `loads`).

  Raises:
    InputError: not UTF-8, not JSON, or beyond a limit.
    OSError: the file cannot be read.
  """
  return loads(read_text(path), os.fspath(path))


def json_lines(text: str, file: str) -> Iterator[tuple[int, Any]]:
  """(line number, value) of each non-blank line of JSON lines `text`.

  Raises:
    InputError: at the first line that is not JSON or beyond a limit.
  """
  for number, line in lines(text):
    yield number, loads(line, file, line=number)
