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

"""What the command-line tools and benchmarks share: one-line errors.

A user's mistake ends a tool with one line on stderr, `error: ...`, and exit
status 2 for usage (a bad flag value, an unknown name, extra arguments) or 1
for data and files (a missing or unreadable path, invalid data, an output
that is in the way). No traceback: that is kept for the tool's own bugs.

Usage in a tool:

  from instructuie_jax import cli

  def main(argv):
    if FLAGS.num_train < 1:
      raise cli.UsageError(f"--num_train must be >= 1, got {FLAGS.num_train}")
    ...

  if __name__ == "__main__":
    define_flags()
    cli.run(main)

`cli.run` is `absl.app.run` whose flag parser and `main` turn `UserError`,
`absl.app.UsageError`, `schema.DataError`, `OSError` and flag errors into
that one line. Libraries raise these errors; only `cli.run` prints them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from absl import app, flags

from instructuie_jax import schema

EXIT_DATA = 1
EXIT_USAGE = 2


class UserError(ValueError):
  """A mistake in what the user gave (data, paths): exit status 1."""

  exit_code = EXIT_DATA


class UsageError(UserError):
  """A mistake in how the tool was called (flag values): exit status 2."""

  exit_code = EXIT_USAGE


def one_line(message: Any) -> str:
  """`message` as a single line: newlines and the whitespace around them
  become one space."""
  return " ".join(part.strip() for part in str(message).splitlines() if part)


def fail(message: Any, exit_code: int = EXIT_DATA) -> NoReturn:
  """Prints `error: message` (one line) on stderr and exits."""
  sys.stdout.flush()
  print(f"error: {one_line(message)}", file=sys.stderr, flush=True)
  sys.exit(exit_code)


def describe_os_error(error: OSError) -> str:
  """`path: reason` for an OSError that names a path, else its text."""
  if error.filename is None:
    return str(error)
  reason = error.strerror or type(error).__name__
  path = os.fsdecode(error.filename)
  if error.filename2 is not None:
    path += f" -> {os.fsdecode(error.filename2)}"
  return f"{path}: {reason}"


def exit_code_and_message(error: BaseException) -> tuple[int, str] | None:
  """(exit status, message) when `error` is a user's mistake, else None."""
  if isinstance(error, UserError):
    return error.exit_code, str(error)
  if isinstance(error, app.UsageError):
    return EXIT_USAGE, f"{error} (see --helpshort)"
  if isinstance(error, flags.Error):
    return EXIT_USAGE, f"{error} (see --helpshort)"
  if isinstance(error, schema.DataError):
    return EXIT_DATA, str(error)
  if isinstance(error, OSError):
    return EXIT_DATA, describe_os_error(error)
  return None


def check_output_dir(path: str) -> None:
  """Checks that local folder `path` exists or can be made, and written.

  Raises:
    NotADirectoryError: `path` or a folder on the way to it is a file.
    PermissionError: the nearest existing folder is not writable.
  """
  folder = os.path.abspath(path)
  while not os.path.isdir(folder):
    if os.path.lexists(folder):
      raise NotADirectoryError(errno.ENOTDIR, "not a directory", folder)
    folder = os.path.dirname(folder)
  if not os.access(folder, os.W_OK | os.X_OK):
    raise PermissionError(errno.EACCES, "not writable", folder)


def check_output_path(path: str, overwrite: bool = False) -> None:
  """Checks that a file can be written at local `path`; writes nothing.

  Raises:
    NotADirectoryError: a folder on the way to `path` is a file.
    PermissionError: the nearest existing folder is not writable.
    IsADirectoryError: `path` is a folder.
    FileExistsError: `path` exists and `overwrite` is False.
  """
  check_output_dir(os.path.dirname(os.path.abspath(path)))
  if os.path.isdir(path):
    raise IsADirectoryError(errno.EISDIR, "is a directory", path)
  if os.path.lexists(path) and not overwrite:
    raise FileExistsError(
      errno.EEXIST, "exists; pass --overwrite to replace it", path
    )


@contextlib.contextmanager
def atomic_write(path: str) -> Iterator[Any]:
  """A text file to write that replaces local `path` only once complete.

  Writes a temporary file beside `path` (with the permissions a new file
  gets) and renames it to `path` when the block ends without an exception;
  otherwise removes it, leaving `path` as it was.
  """
  fd, tmp = tempfile.mkstemp(
    prefix=f".{os.path.basename(path)}.",
    suffix=".tmp",
    dir=os.path.dirname(path) or ".",
  )
  try:
    umask = os.umask(0o022)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
      yield f
    os.replace(tmp, path)
  except BaseException:
    with contextlib.suppress(FileNotFoundError):
      os.unlink(tmp)
    raise


def guarded(main: Callable[[Sequence[str]], Any]) -> Callable[..., Any]:
  """`main` with user mistakes turned into one line and an exit status."""

  def wrapped(argv: Sequence[str]) -> Any:
    try:
      return main(argv)
    except Exception as e:  # Re-raised unless it is a user's mistake.
      known = exit_code_and_message(e)
      if known is None:
        raise
      fail(known[1], known[0])

  return wrapped


def parse_flags(
  argv: Sequence[str], flag_values: flags.FlagValues = flags.FLAGS
) -> list[str]:
  """Parses the flags; a bad flag is one line and exit status 2."""
  try:
    return flag_values(list(argv))
  except flags.Error as e:
    fail(f"{e} (see --helpshort)", EXIT_USAGE)


def run(main: Callable[[Sequence[str]], Any]) -> NoReturn:
  """`absl.app.run(main)` with one-line errors (see the module docstring)."""
  app.run(guarded(main), flags_parser=parse_flags)
  raise AssertionError("absl.app.run returned")  # It always exits.
