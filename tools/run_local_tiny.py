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

r"""Trains and evaluates the tiny T5 end to end on a CPU in a few minutes.

Usage:
  python -m tools.run_local_tiny [--work_dir=/tmp/instructuie_tiny] \
    [--train_steps=800] [--eval_period=800] [--seed=0] [--overwrite] \
    [--target_format=words_bio|instructuie]

Steps:
1. `tools/make_tiny_data.py`: synthetic NER data under WORK_DIR/data.
2. `tools/train_vocab.py`: an ~800-piece SentencePiece model,
   WORK_DIR/vocab.model.
3. `python -m t5x.train` with gin/runs/local_tiny.gin into WORK_DIR/model,
   printing the per-dataset F1 of each evaluation; with --target_format=
   words_bio (the default: the main job's recipe, `pipeline.
   MAIN_TARGET_FORMAT`) also gin/formats/words_bio_tiny.gin, in both T5X
   runs.
4. `python -m t5x.infer` with gin/runs/infer.gin on the latest checkpoint for
   the supervised test split (ie_tiny_eval) and the zero-shot data set
   (ie_tiny_zeroshot_eval), into WORK_DIR/predictions.
5. `tools/score.py --mode=both`: the per-dataset F1 tables (strict and the
   original evaluator's conventions), into WORK_DIR/scores.

Data and vocabulary are reused when present, and training resumes from the
checkpoints in WORK_DIR/model (T5X's behaviour); --overwrite deletes all three
first. Needs T5X; when it is missing, prints how to install it and exits with
2. Logs of the T5X runs go to WORK_DIR/*.log.

The tool deletes or overwrites only what it made: each output it creates in
WORK_DIR (data/, vocab.model, vocab.vocab, model/, predictions/, scores/,
the logs) is recorded in WORK_DIR/.run_local_tiny.json before it is made.
The predictions of the previous run are removed before inference, and
--overwrite removes data, vocabulary and model; each removal is printed. When
such a path exists but is not recorded (the user's, or from a version of this
tool that kept no record), the tool stops before any step with one line
naming it; move it away or choose another --work_dir.

A run holds a lock on WORK_DIR and on WORK_DIR/model (`flock` on a
`.run_local_tiny.lock` file there): a second run on them stops with one line
naming the first. The data is written into a staging folder and renamed to
WORK_DIR/data when complete, so a run killed meanwhile leaves no data a rerun
would take (the next run removes the staging folder). The T5X subprocesses
end with the tool, however it ends (Linux).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, tiny_data
from instructuie_t5x import pipeline

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "work_dir", "/tmp/instructuie_tiny", "Where data, model and scores go."
  )
  cli.define_integer(
    "train_steps", pipeline.MAIN_TRAIN_STEPS, "Training steps.", lower_bound=1
  )
  cli.define_integer(
    "eval_period",
    pipeline.MAIN_TRAIN_STEPS,
    "Steps between evaluations (and checkpoints).",
    lower_bound=1,
  )
  cli.define_integer(
    "seed", 0, "Seed of the data and of training.", lower_bound=0
  )
  cli.define_integer(
    "num_train",
    tiny_data.NUM_TRAIN,
    "Synthetic training sentences per supervised data set.",
    lower_bound=1,
  )
  flags.DEFINE_bool(
    "overwrite",
    False,
    "Delete WORK_DIR's data, vocabulary and model first (only if this tool "
    "made them).",
  )
  flags.DEFINE_multi_string(
    "gin_bindings", [], "Extra t5x.train gin bindings, e.g. 'EMBED_DIM=128'."
  )
  flags.DEFINE_enum(
    "target_format",
    pipeline.MAIN_TARGET_FORMAT,
    list(pipeline.FORMAT_GIN),
    "Target format of both T5X runs (words_bio: gin/formats/"
    "words_bio_tiny.gin).",
  )


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if pipeline.t5x_root() is None:
    print(pipeline.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  try:
    pipeline.run_tiny(
      FLAGS.work_dir,
      train_steps=FLAGS.train_steps,
      eval_period=FLAGS.eval_period,
      seed=FLAGS.seed,
      num_train=FLAGS.num_train,
      overwrite=FLAGS.overwrite,
      gin_bindings=FLAGS.gin_bindings,
      target_format=FLAGS.target_format,
    )
  except RuntimeError as e:
    cli.fail(e)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
