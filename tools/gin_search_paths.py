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


r"""Prints the gin search paths of T5X's CLIs: T5X's gin root, then ours.

Usage:
  python -m t5x.train --gin_search_paths=$(python -m tools.gin_search_paths) \
    --gin_file=gin/runs/local_tiny.gin --gin.MODEL_DIR="'/tmp/model'"

Prints `T5X_ROOT,REPO_ROOT`, comma-separated as `--gin_search_paths` takes
them: the folder holding the `t5x` package (for `include 't5x/configs/...'`)
and the folder holding `gin/` (for `--gin_file=gin/...` and our own
includes), found from the installed packages, so the command works from
any directory. Exit status 1, with one line on stderr, when T5X is not
installed or `gin/` is not beside the installed `tools` package (install
with `pip install -e .`).
"""

from __future__ import annotations

import os

from instructuie_jax import cli

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def search_paths() -> list[str]:
  """`[T5X's gin root, ours]`.

  Raises:
    FileNotFoundError: T5X or our gin folder is missing.
  """
  try:
    import t5x  # noqa: PLC0415
  except ImportError as e:
    raise FileNotFoundError(
      f"T5X is not installed ({e}); see README.md, Install T5X"
    ) from e
  t5x_root = os.path.dirname(os.path.dirname(os.path.abspath(t5x.__file__)))
  if not os.path.isdir(os.path.join(REPO_ROOT, "gin", "runs")):
    raise FileNotFoundError(
      f"no gin/ folder beside the tools package in {REPO_ROOT}: install the "
      "project with `pip install -e .` from its checkout"
    )
  return [t5x_root, REPO_ROOT]


def main(argv) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments {argv[1:]}")
  # A missing T5X or gin/ folder (FileNotFoundError) is one line from cli.
  print(",".join(search_paths()))
  return 0


if __name__ == "__main__":
  cli.run(main)
