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

"""Loads the original InstructUIE evaluator from a git snapshot, for comparison.

Nothing of it is kept in this repository: `load` runs `git show
HEAD:src/evaluation/evaluator.py` on a bare clone of BeyonderXX/InstructUIE,
writes the file to a temporary directory beside a stub `matplotlib` package
(it only plots confusion matrices) and imports it from there.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import types
from collections.abc import Sequence

from instructuie_jax import task_types
from tasks import settings

ENV_VAR = settings.ORIGINAL_GIT_DIR_VAR
_EVALUATOR_PATH = "src/evaluation/evaluator.py"
# Task type -> evaluator class name (as the original `calculate_f1.py`).
EVALUATOR_CLASSES = {
  t.name: t.original.evaluator
  for t in task_types.TASK_TYPES.values()
  if t.original is not None
}


class Unavailable(RuntimeError):
  """The original evaluator cannot be loaded; the message says why."""


def git_dir_from(flag_value: str | None) -> str | None:
  """The flag's value, else the environment variable, else None."""
  return flag_value or settings.original_git_dir()


def load(git_dir: str) -> types.ModuleType:
  """Imports the original `evaluator.py` of the bare repository `git_dir`.

  Raises:
    Unavailable: `git_dir` is not a directory or `git show` failed.
  """
  if not os.path.isdir(git_dir):
    raise Unavailable(f"{git_dir}: no such git directory")
  try:
    source = subprocess.run(
      ["git", f"--git-dir={git_dir}", "show", f"HEAD:{_EVALUATOR_PATH}"],
      check=True,
      capture_output=True,
    ).stdout
  except (OSError, subprocess.CalledProcessError) as e:
    stderr = getattr(e, "stderr", b"") or b""
    detail = stderr.decode("utf-8", "replace").strip().splitlines()
    raise Unavailable(
      f"{git_dir}: cannot read {_EVALUATOR_PATH}: {detail[0] if detail else e}"
    ) from None
  tmp = tempfile.mkdtemp(prefix="original_evaluator_")
  path = os.path.join(tmp, "original_evaluator.py")
  with open(path, "wb") as f:
    f.write(source)
  if "matplotlib" not in sys.modules:
    stub = types.ModuleType("matplotlib")
    stub.pyplot = types.ModuleType("matplotlib.pyplot")
    sys.modules["matplotlib"] = stub
    sys.modules["matplotlib.pyplot"] = stub.pyplot
  spec = importlib.util.spec_from_file_location("original_evaluator", path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def score(
  module: types.ModuleType,
  task: str,
  targets: Sequence[str],
  predictions: Sequence[str],
  options: Sequence[str] = (),
) -> float:
  """Runs the original evaluator of `task` over the texts; returns its metric.

  Each example is wrapped the way `calculate_f1.py` reads it: the target goes
  to `Instance.ground_truth`, and `options` into an `Option:` instruction line
  (its audits read it).
  """
  evaluator = getattr(module, EVALUATOR_CLASSES[task])()
  instruction = "Option: " + ", ".join(options) + " \nText: {0} \nAnswer:"
  for target, prediction in zip(targets, predictions, strict=True):
    example = {
      "Task": task,
      "Dataset": "benchmark",
      "Instance": {
        "id": "0",
        "sentence": "",
        "label": target,
        "ground_truth": target,
        "instruction": instruction,
      },
    }
    evaluator.add(example, prediction)
  return evaluator.get_metric()
