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

r"""The first real-data run, measured: runs `tools/real_data_run.py`.

Usage:
  PYTHONPATH=. python benchmarks/real_data_run.py --data_dir=DIR \
    [--work_dir=/tmp/instructuie_real] [--budget_minutes=15] ...

Runs `python -m tools.real_data_run` with these arguments, as a user would,
and exits with its status. The tool trains a small T5 from scratch for a
wall-clock budget and prints (and writes to WORK_DIR/summary.json) what this
benchmark reports: the learning curve, the accounting of every example and
the training time and load; see its docstring for the flags and steps.
"""

from __future__ import annotations

import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv: list[str]) -> int:
  env = dict(os.environ)
  env["PYTHONPATH"] = os.pathsep.join(
    [REPO_ROOT] + [p for p in [env.get("PYTHONPATH")] if p]
  )
  command = [sys.executable, "-m", "tools.real_data_run", *argv[1:]]
  return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
  sys.exit(main(sys.argv))
