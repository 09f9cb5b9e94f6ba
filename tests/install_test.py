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


"""The installed project works from any directory, without PYTHONPATH."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

# Run from an empty folder with PYTHONPATH unset: imports come from the
# installed packages, the gin files through `tools.gin_search_paths`.
_CHECK = r"""
import os, sys
import gin
import instructuie_jax, instructuie_t5x, tasks.mixtures, tools.score
from t5x.train import train  # `__main__.train`, as t5x.train has it
from instructuie_t5x import pipeline
roots = pipeline.search_paths()
for root in roots:
  gin.add_config_file_search_path(root)
gin.parse_config_files_and_bindings(
    ["gin/runs/local_tiny.gin"], ["MODEL_DIR = '/tmp/unused'"],
    finalize_config=False)
print(gin.query_parameter("%MIXTURE_OR_TASK_NAME"))
print(os.path.dirname(os.path.dirname(tasks.mixtures.__file__)))
"""


def _run(code_or_module: list[str], cwd) -> subprocess.CompletedProcess:
  env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
  return subprocess.run(
    [sys.executable, *code_or_module],
    cwd=cwd,
    env=env,
    capture_output=True,
    text=True,
    timeout=300,
  )


@pytest.mark.slow
def test_installed_commands_work_from_another_directory(tmp_path):
  probe = _run(["-c", "import tasks, tools"], tmp_path)
  if "ModuleNotFoundError" in probe.stderr:
    pytest.skip("instructuie-jax is not installed (pip install -e .)")
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  out = _run(["-c", _CHECK], tmp_path)
  assert out.returncode == 0, out.stderr[-3000:]
  name, root = out.stdout.strip().splitlines()[-2:]
  assert name == "ie_tiny_train"
  assert pathlib.Path(root) == REPO_ROOT
  paths = _run(["-m", "tools.gin_search_paths"], tmp_path)
  assert paths.returncode == 0, paths.stderr[-3000:]
  assert paths.stdout.strip().split(",")[1] == str(REPO_ROOT)
