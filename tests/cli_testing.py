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

"""Runs a tool as `python -m tools.X` would, in a forked child process.

A new interpreter costs seconds of imports per run; a child forked from the
test process has the tool's modules imported already, and still gets its
own flags, exit status, stdout and stderr. POSIX only.

Usage:

  result = cli_testing.run_tool("tools.score", "--predictions=p.jsonl", ...)
  assert result.code == 1 and result.error_line().startswith(...)
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import signal
import sys
import tempfile
import time
import traceback

from absl import flags

CRASH = 70  # A child that ended in a traceback.


@dataclasses.dataclass(frozen=True)
class Result:
  """Exit status and output of one run."""

  code: int
  out: str
  err: str

  def error_line(self) -> str:
    """The one `error: ...` line of stderr (asserts there is exactly one and
    no traceback)."""
    assert "Traceback" not in self.err, self.err
    lines = [x for x in self.err.splitlines() if x.startswith("error: ")]
    assert len(lines) == 1, self.err
    return lines[0].removeprefix("error: ")


def _forget_tool_flags() -> None:
  """Deletes flags a tool defined earlier in this process (a test that
  defines them in-process), so that the child can define its own."""
  for name in list(flags.FLAGS):
    module = flags.FLAGS.find_module_defining_flag(name) or ""
    if module.split(".")[0] in ("tools", "tests", "benchmarks"):
      delattr(flags.FLAGS, name)


def _child(module: str, args: tuple[str, ...], stdin: bytes | None) -> None:
  from instructuie_jax import cli

  tool = importlib.import_module(module)
  _forget_tool_flags()
  if stdin is not None:
    with tempfile.TemporaryFile() as f:
      f.write(stdin)
      f.seek(0)
      os.dup2(f.fileno(), 0)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
  tool.define_flags()
  sys.argv = [module, *args]
  cli.run(tool.main)


def run_tool(
  module: str, *args: str, stdin: bytes | None = None, timeout: float = 120
) -> Result:
  """Runs `module`'s `main` under `cli.run` with `args` as its command line.

  Returns:
    The exit status (`CRASH` for an uncaught exception, whose traceback is in
    `err`), stdout and stderr.
  """
  importlib.import_module(module)  # Once, in this process: children share it.
  with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # The child never returns.
      code = CRASH
      try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        _child(module, args, stdin)
      except SystemExit as e:
        code = e.code if isinstance(e.code, int) else int(e.code is not None)
      except BaseException:  # Reported to the test as CRASH.
        traceback.print_exc()
      finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
      done, status = os.waitpid(pid, os.WNOHANG)
      if done:
        break
      if time.monotonic() > deadline:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise TimeoutError(f"{module} {' '.join(args)}: over {timeout} s")
      time.sleep(0.01)
    out.seek(0)
    err.seek(0)
    return Result(
      os.waitstatus_to_exitcode(status),
      out.read().decode("utf-8", "replace"),
      err.read().decode("utf-8", "replace"),
    )
