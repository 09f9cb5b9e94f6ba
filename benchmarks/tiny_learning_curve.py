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

r"""Learning curve of the tiny T5: synth_news F1 against wall time.

Usage:
  PYTHONPATH=. python benchmarks/tiny_learning_curve.py \
    [--work_dir=/tmp/instructuie_tiny_curve] [--train_steps=2000] \
    [--eval_period=250] [--seed=0] [--target_f1=80]

Trains gin/runs/local_tiny.gin from scratch (fresh model directory; data and
vocabulary are made as by tools/run_local_tiny.py and reused), decodes the
synth_news validation split every `--eval_period` steps and prints, per
evaluation, the step, the seconds since `t5x.train` was launched (start-up,
compilation and evaluations included) and the strict and original-evaluator
NER F1. Ends with the first time the strict F1 reached `--target_f1`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Sequence

from absl import app, flags

from instructuie_t5x import pipeline

_WORK_DIR = flags.DEFINE_string(
  "work_dir", "/tmp/instructuie_tiny_curve", "Data, vocabulary and model."
)
_TRAIN_STEPS = flags.DEFINE_integer("train_steps", 2000, "Training steps.")
_EVAL_PERIOD = flags.DEFINE_integer("eval_period", 250, "Steps per eval.")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the data and of training.")
_TARGET_F1 = flags.DEFINE_float("target_f1", 80.0, "F1 (0-100) to report.")
_GIN_BINDINGS = flags.DEFINE_multi_string(
  "gin_bindings", [], "Extra gin bindings for t5x.train."
)

_METRIC = re.compile(r"/synth_news/(original_)?ner_f1 at step (\d+): ([\d.]+)")


def learning_curve(work_dir: str) -> list[tuple[int, float, dict[str, float]]]:
  """Trains and returns `[(step, seconds, {"strict"|"original": F1})]`."""
  pipeline.prepare_data(work_dir, _SEED.value)
  model_dir = os.path.join(work_dir, "model")
  shutil.rmtree(model_dir, ignore_errors=True)
  points: dict[int, tuple[float, dict[str, float]]] = {}
  start = time.monotonic()

  def record(line: str) -> None:
    match = _METRIC.search(line)
    if match:
      original, step, f1 = match.groups()
      _, scores = points.setdefault(int(step), (time.monotonic() - start, {}))
      scores["original" if original else "strict"] = float(f1)

  pipeline.run_logged(
    pipeline.train_command(
      model_dir,
      _TRAIN_STEPS.value,
      _EVAL_PERIOD.value,
      _SEED.value,
      [*pipeline.data_bindings(work_dir), *_GIN_BINDINGS.value],
    ),
    pipeline.subprocess_env(),
    os.path.join(work_dir, "curve_train.log"),
    echo=record,
  )
  return [(step, *points[step]) for step in sorted(points)]


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if pipeline.t5x_root() is None:
    print(pipeline.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  os.makedirs(_WORK_DIR.value, exist_ok=True)
  curve = learning_curve(_WORK_DIR.value)
  print(f"{'step':>6} {'seconds':>8} {'F1':>6} {'orig F1':>8}")
  reached = None
  for step, seconds, scores in curve:
    strict = scores.get("strict", float("nan"))
    print(
      f"{step:6d} {seconds:8.0f} {strict:6.1f} "
      f"{scores.get('original', float('nan')):8.1f}"
    )
    if reached is None and strict >= _TARGET_F1.value:
      reached = (step, seconds)
  if reached:
    print(
      f"F1 >= {_TARGET_F1.value:g} at step {reached[0]}, {reached[1]:.0f} s"
    )
  else:
    print(f"F1 never reached {_TARGET_F1.value:g}")


if __name__ == "__main__":
  app.run(main)
