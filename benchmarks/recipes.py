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

r"""Training recipes on the tiny model: target format x label options.

Usage:
  PYTHONPATH=. python benchmarks/recipes.py \
    [--work_dir=/tmp/instructuie_recipes] [--train_steps=1500] \
    [--seeds=0,1] [--rows=instructuie+as_given,words_bio+as_given,...] \
    [--max_eval_examples=N]

Trains the tiny model of gin/runs/local_tiny.gin from scratch for each row
and seed, all with the same steps (`instructuie_t5x/recipes.py`):

| row | data settings |
|---|---|
| instructuie+as_given | the paper's recipe |
| instructuie+negatives | option_policy = 'negatives' |
| instructuie+negatives_1 | the same with negatives_size = 1 |
| instructuie+gold_dropout | option_policy = 'gold_dropout' |
| words_bio+as_given | target_format = 'words_bio' (on ie_tiny_train_available) |
| words_bio+negatives | both |

then decodes the test splits of ie_tiny_eval and ie_tiny_zeroshot_eval
through the extraction API and prints a Markdown table: per row, the mean
and spread (min-max) over seeds of the strict F1 of both, the invalid-label
and ungrounded-span counts, the target tokens per example, the targets
longer than the run's target length, the prompts cut to its input length
and the training wall time; then each
row against the first, where a difference smaller than the spread is "no
difference". Each run's model, log, predictions and result.json stay under
WORK_DIR/runs/ROW/seed_N/; the table is written to WORK_DIR/recipes.md.
The five rows with two seeds at 1500 steps take about an hour on 2 CPU
cores.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from absl import app, flags

from instructuie_t5x import pipeline, recipes

_WORK_DIR = flags.DEFINE_string(
  "work_dir", "/tmp/instructuie_recipes", "Data, vocabulary and runs."
)
_TRAIN_STEPS = flags.DEFINE_integer(
  "train_steps", 1500, "Training steps of every run.", lower_bound=1
)
_SEEDS = flags.DEFINE_list("seeds", ["0", "1"], "Seeds of every row.")
_ROWS = flags.DEFINE_list("rows", list(recipes.ROWS), "Rows to run, in order.")
_MAX_EVAL_EXAMPLES = flags.DEFINE_integer(
  "max_eval_examples",
  None,
  "Decode only the first N test examples of each dataset (default: all).",
  lower_bound=1,
)


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  unknown = [r for r in _ROWS.value if r not in recipes.ROWS]
  if unknown:
    raise app.UsageError(
      f"--rows: unknown {', '.join(unknown)}; known: {', '.join(recipes.ROWS)}"
    )
  try:
    seeds = [int(s) for s in _SEEDS.value]
  except ValueError:
    raise app.UsageError(f"--seeds: integers, got {_SEEDS.value}") from None
  if not seeds:
    raise app.UsageError("--seeds: at least one seed")
  if pipeline.t5x_root() is None:
    print(pipeline.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  os.makedirs(_WORK_DIR.value, exist_ok=True)
  results = [
    recipes.run(
      _WORK_DIR.value,
      recipes.ROWS[row],
      seed,
      _TRAIN_STEPS.value,
      max_eval_examples=_MAX_EVAL_EXAMPLES.value,
    )
    for row in _ROWS.value
    for seed in seeds
  ]
  table = recipes.markdown(recipes.summarize(results), seeds)
  left_out = sorted({x for r in results for x in r.left_out})
  scope = (
    f"{_TRAIN_STEPS.value} steps; {results[0].examples} test examples per "
    "run"
    + (
      f" (first {_MAX_EVAL_EXAMPLES.value} per dataset)"
      if _MAX_EVAL_EXAMPLES.value
      else ""
    )
    + (f"; not evaluated: {', '.join(left_out)}" if left_out else "")
    + "."
  )
  text = f"{scope}\n\n{table}"
  with open(
    os.path.join(_WORK_DIR.value, "recipes.md"), "w", encoding="utf-8"
  ) as f:
    f.write(text)
  print(text, end="")


if __name__ == "__main__":
  app.run(main)
