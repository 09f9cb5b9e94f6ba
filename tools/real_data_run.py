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

r"""The first real-data run: a small T5 from scratch for a wall-clock budget.

Usage:
  python -m tools.real_data_run --data_dir=DIR \
    [--work_dir=/tmp/instructuie_real] [--budget_minutes=15] \
    [--eval_period=250] [--dev_cap=100] [--test_cap=0] [--vocab_size=2000] \
    [--mixture=ie_instructions_supervised] [--max_steps=1000000] [--seed=0] \
    [--gin_bindings=...] [--overwrite]

Steps:
1. The datasets of `{--mixture}_available` on disk under --data_dir are
   kept, the others left out and listed (the user holds part of the
   benchmark: ACE05, GENIA, ... are licensed).
2. `tools/train_vocab.py`: a BPE SentencePiece model of --vocab_size pieces
   on the train splits of the kept datasets, WORK_DIR/vocab.model (made
   once; --overwrite makes it again).
3. The examples to evaluate are counted: per task, the validation and test
   split sizes, the cap, and how many are longer than the evaluation lengths
   (384 input / 128 target tokens; seqio cuts those).
4. `python -m t5x.train` with gin/runs/real_data.gin into WORK_DIR/model:
   gin/models/cpu_small.gin from scratch on packed rows of every kept task
   (main and auxiliary), decoding the validation splits (the first --dev_cap
   examples of each, 0 for all) every --eval_period steps. Training stops by
   time, not by step count: at the first check (every 10 steps and after
   each evaluation) once --budget_minutes are spent, with a checkpoint
   (instructuie_t5x/time_budget.py; the budget counts loading, compiling and
   evaluations). --max_steps is an upper bound.
5. `python -m t5x.eval` with gin/runs/real_data_eval.gin on the last
   checkpoint: over the validation splits as in training when that step
   was not evaluated during training (WORK_DIR/final_dev), then over the
   test splits (the first --test_cap examples of each, 0 for all), into
   WORK_DIR/test.
6. `tools/score.py --mode=both` on the test predictions: the per-dataset
   tables, strict and in the original evaluator's conventions, into
   WORK_DIR/scores.

Prints the learning curve (step, seconds since t5x.train started, training
loss, then per dataset the strict F1 of its main task: NER `ner`, RE
`re_strict`, EE `ee_trigger_id`), and the accounting table: per task, the
examples evaluated against the split size or the cap, the examples cut, and
the training examples loaded and cut. Writes all of it to
WORK_DIR/summary.json. Exits with 1 when a count does not add up or the run
directory lacks `left_out_tasks.json`.

The model is trained anew on every run. The tool deletes or replaces only
what it made (recorded in WORK_DIR/.real_data_run.json, as
tools/run_local_tiny.py does); --overwrite also makes the vocabulary again.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli
from instructuie_t5x import pipeline, real_data

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir",
    None,
    "IE INSTRUCTIONS data root (default: the data settings' "
    "ie_instructions_dir, e.g. $IE_INSTRUCTIONS_DIR).",
  )
  flags.DEFINE_string(
    "work_dir", "/tmp/instructuie_real", "Where vocabulary, model go."
  )
  flags.DEFINE_string(
    "mixture",
    "ie_instructions_supervised",
    "Mixture of tasks.mixtures; its _available part is trained.",
  )
  cli.define_float(
    "budget_minutes",
    15.0,
    "Wall-clock budget of t5x.train, in minutes.",
    lower_bound=0.0,
  )
  cli.define_integer(
    "max_steps",
    1_000_000,
    "Upper bound on training steps (TRAIN_STEPS).",
    lower_bound=1,
  )
  cli.define_integer(
    "eval_period",
    250,
    "Steps between evaluations (and checkpoints).",
    lower_bound=1,
  )
  cli.define_integer(
    "dev_cap",
    100,
    "Validation examples per task per evaluation; 0: all.",
    lower_bound=0,
  )
  cli.define_integer(
    "test_cap", 0, "Test examples per task; 0: all.", lower_bound=0
  )
  cli.define_integer(
    "vocab_size", 2000, "Pieces of the vocabulary.", lower_bound=100
  )
  cli.define_integer(
    "seed", 0, "Seed of the vocabulary and of training.", lower_bound=0
  )
  flags.DEFINE_multi_string(
    "gin_bindings",
    [],
    "Extra gin bindings for t5x.train and t5x.eval, e.g. 'EMBED_DIM = 64'.",
  )
  flags.DEFINE_bool(
    "overwrite", False, "Make the vocabulary again (if this tool made it)."
  )


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if pipeline.t5x_root() is None:
    print(pipeline.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  from tasks import settings  # noqa: PLC0415

  try:
    real_data.run(
      FLAGS.data_dir or settings.resolve().ie_instructions_dir,
      FLAGS.work_dir,
      mixture=FLAGS.mixture,
      budget_minutes=FLAGS.budget_minutes,
      max_steps=FLAGS.max_steps,
      eval_period=FLAGS.eval_period,
      dev_cap=FLAGS.dev_cap,
      test_cap=FLAGS.test_cap,
      vocab_size=FLAGS.vocab_size,
      seed=FLAGS.seed,
      gin_bindings=FLAGS.gin_bindings,
      overwrite=FLAGS.overwrite,
    )
  except RuntimeError as e:
    cli.fail(e)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
