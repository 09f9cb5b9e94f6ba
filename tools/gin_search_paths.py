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

from instructuie_jax import cli
from instructuie_t5x import pipeline


def main(argv) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments {argv[1:]}")
  # A missing T5X or gin/ folder (FileNotFoundError) is one line from cli.
  print(",".join(pipeline.search_paths()))
  return 0


if __name__ == "__main__":
  cli.run(main)
