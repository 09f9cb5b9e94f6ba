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

Tools are quiet by default: `cli.run` sets absl's log level (which seqio,
T5X and the project log through) to WARNING, and `quiet_libraries`, called
when the `tools` package is imported (before any tool imports TensorFlow),
sets `TF_CPP_MIN_LOG_LEVEL=2` (TensorFlow's C++ INFO and WARNING lines) where
it is not set. `--verbosity=0` (INFO) or `--verbosity=1` on the command line,
or `INSTRUCTUIE_VERBOSE=1` in the environment, keeps all the logs.

A tool's numeric flags are defined with `define_integer` and
`define_float`, never absl's own (tests/cli_test.py checks tools/): both
take the range the value must lie in, integers are bounded
above by default (`MAX_INTEGER`), and a float must be finite (`nan`, `inf`
are refused). A value outside is a flag error: one line, exit status 2,
before `main` runs.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from absl import app, flags, logging

from instructuie_jax import json_input, schema

EXIT_DATA = 1
EXIT_USAGE = 2
VERBOSE_ENV = "INSTRUCTUIE_VERBOSE"
# The default upper bound of an integer flag: counts, sizes, steps and seeds
# all fit in int32 (numpy, XLA and TensorFlow take them as such).
MAX_INTEGER = 2**31 - 1


class UserError(ValueError):
  """A mistake in what the user gave (data, paths): exit status 1."""

  exit_code = EXIT_DATA


class UsageError(UserError):
  """A mistake in how the tool was called (flag values): exit status 2."""

  exit_code = EXIT_USAGE


def require_flags(*names: str, flag_values: flags.FlagValues = flags.FLAGS):
  """Raises UsageError "--NAME is required" for the first flag left empty."""
  for name in names:
    if not flag_values[name].value:
      raise UsageError(f"--{name} is required")


def family_and_dataset(value: str, flag: str) -> tuple[str, str]:
  """`value` "FAMILY/DATASET" (a dataset folder under an IE INSTRUCTIONS root)
  split in two.

  Raises:
    UsageError: `value` is not of that form.
  """
  family, slash, dataset = value.partition("/")
  if not (family and slash and dataset) or "/" in dataset:
    raise UsageError(
      f"--{flag}: {value!r} is not FAMILY/DATASET (NER/conll2003)"
    )
  return family, dataset


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
  if isinstance(error, (schema.DataError, json_input.InputError)):
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


STAGING_INFIX = ".staging-"


def _nearest_folder(path: str) -> str:
  folder = os.path.dirname(path)
  while not os.path.isdir(folder):
    folder = os.path.dirname(folder)
  return folder


@contextlib.contextmanager
def staged_folder(path: str) -> Iterator[str]:
  """A folder to write a set of files into; they appear in `path` together.

  Yields a new hidden folder (`.NAME.staging-*`) beside `path` (or in the
  nearest folder above it that exists). When the block ends without an
  exception, a new `path` is that folder, renamed; an existing `path` gets
  each staged file moved in (replacing only files of the same name; other
  files there are kept). On an exception the staging folder is removed and
  `path` is left as it was (no parent folder made).

  Raises:
    NotADirectoryError: `path` exists and is not a folder.
  """
  path = os.path.abspath(path)
  if os.path.lexists(path) and not os.path.isdir(path):
    raise NotADirectoryError(errno.ENOTDIR, "not a directory", path)
  check_output_dir(path)
  stage = tempfile.mkdtemp(
    prefix=f".{os.path.basename(path)}{STAGING_INFIX}",
    dir=_nearest_folder(path),
  )
  try:
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it private
    yield stage
    if not os.path.isdir(path):
      os.makedirs(os.path.dirname(path), exist_ok=True)
      os.replace(stage, path)
      return
    for base, _, files in os.walk(stage):
      target = os.path.join(path, os.path.relpath(base, stage))
      os.makedirs(target, exist_ok=True)
      for name in files:
        os.replace(os.path.join(base, name), os.path.join(target, name))
  finally:
    shutil.rmtree(stage, ignore_errors=True)


def remove_stale_staging(path: str) -> list[str]:
  """Removes staging folders of `path` that a killed run left behind.

  Only call it while holding the lock of `path` (see `staged_folder`).

  Returns:
    The folders removed.
  """
  path = os.path.abspath(path)
  parent = os.path.dirname(path)
  prefix = f".{os.path.basename(path)}{STAGING_INFIX}"
  removed = []
  with contextlib.suppress(FileNotFoundError):
    for name in sorted(os.listdir(parent)):
      if name.startswith(prefix) and os.path.isdir(os.path.join(parent, name)):
        shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
        removed.append(os.path.join(parent, name))
  return removed


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


class _FiniteFloatParser(flags.FloatParser):
  """absl's float parser, refusing nan and the infinities."""

  def convert(self, argument: Any) -> float:
    value = super().convert(argument)
    if not math.isfinite(value):
      raise ValueError(f"{argument} is not a finite number")
    return value


def define_integer(
  name: str,
  default: int | None,
  help: str,  # noqa: A002  (absl's name)
  *,
  lower_bound: int | None,
  upper_bound: int | None = MAX_INTEGER,
  flag_values: flags.FlagValues = flags.FLAGS,
  **kwargs: Any,
) -> flags.FlagHolder:
  """`flags.DEFINE_integer` with a range every tool states.

  Args:
    name: The flag name.
    default: Its default (None: unset).
    help: The help text.
    lower_bound: The smallest value accepted; None only where any integer
      makes sense.
    upper_bound: The largest value accepted (default `MAX_INTEGER`).
    flag_values: Where the flag is registered.
    **kwargs: Passed to `flags.DEFINE_integer`.
  """
  return flags.DEFINE_integer(
    name,
    default,
    help,
    lower_bound=lower_bound,
    upper_bound=upper_bound,
    flag_values=flag_values,
    **kwargs,
  )


def define_float(
  name: str,
  default: float | None,
  help: str,  # noqa: A002  (absl's name)
  *,
  lower_bound: float | None,
  upper_bound: float | None = None,
  flag_values: flags.FlagValues = flags.FLAGS,
  **kwargs: Any,
) -> flags.FlagHolder:
  """`flags.DEFINE_float` that refuses `nan` and `inf`, with a range.

  Args:
    name: The flag name.
    default: Its default (None: unset).
    help: The help text.
    lower_bound: The smallest value accepted (None: any finite value).
    upper_bound: The largest value accepted (None: any finite value).
    flag_values: Where the flag is registered.
    **kwargs: Passed to `flags.DEFINE`.
  """
  parser = _FiniteFloatParser(lower_bound, upper_bound)
  return flags.DEFINE(
    parser,
    name,
    default,
    help,
    flag_values,
    flags.ArgumentSerializer(),
    **kwargs,
  )


def parse_flags(
  argv: Sequence[str], flag_values: flags.FlagValues = flags.FLAGS
) -> list[str]:
  """Parses the flags; a bad flag is one line and exit status 2."""
  try:
    return flag_values(list(argv))
  except flags.Error as e:
    fail(f"{e} (see --helpshort)", EXIT_USAGE)


def _verbose_env() -> bool:
  value = os.environ.get("INSTRUCTUIE_VERBOSE", "")  # VERBOSE_ENV
  return value.strip() not in ("", "0")


def logs_asked_for(argv: Sequence[str]) -> bool:
  """Whether `argv` (before flags are parsed) or the environment asks for
  the libraries' INFO logs."""
  flag = ("--verbosity", "-verbosity", "--v", "-v")
  return _verbose_env() or any(
    a.split("=", 1)[0] in flag for a in list(argv)[1:]
  )


def quiet_libraries(argv: Sequence[str]) -> None:
  """Hides TensorFlow's C++ INFO and WARNING lines unless asked for.

  Call it before TensorFlow is imported (the `tools` package does). A
  `TF_CPP_MIN_LOG_LEVEL` already in the environment is kept; child
  processes inherit the setting.
  """
  if not logs_asked_for(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _quiet(main: Callable[[Sequence[str]], Any]) -> Callable[..., Any]:
  def wrapped(argv: Sequence[str]) -> Any:
    if not (flags.FLAGS["verbosity"].present or _verbose_env()):
      logging.set_verbosity(logging.WARNING)
    return main(argv)

  return wrapped


def run(main: Callable[[Sequence[str]], Any]) -> NoReturn:
  """`absl.app.run(main)` with one-line errors and quiet logs (see the
  module docstring)."""
  app.run(guarded(_quiet(main)), flags_parser=parse_flags)
  raise AssertionError("absl.app.run returned")  # It always exits.
