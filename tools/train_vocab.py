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


r"""Trains a small SentencePiece BPE vocabulary on the prompts of a data root.

Usage:
  python -m tools.train_vocab --data_dir=DIR --output=PATH.model \
    [--vocab_size=800] [--seed=0] [--max_lines=300000] [--splits=train] \
    [--datasets=a,b] [--skip_invalid] [--overwrite]

Builds the prompts (main + auxiliary tasks, seeded) of the chosen splits
(default: train only, so that held-out text does not shape the vocabulary) of
every dataset under DIR (IE INSTRUCTIONS layout), and trains a BPE model on
inputs and targets with `:` `;` `,` `"` as user-defined symbols (the
separators of the target format). Ids follow T5: pad 0, eos 1, unk 2, no bos.
Writes PATH.model and PATH.vocab (atomically; existing files only with
--overwrite); use it with `IE_INSTRUCTIONS_VOCAB=PATH.model`.

Every file and instance that cannot be read (invalid JSON, a missing or empty
split file, an instance that breaks the schema) is listed as
`file:index: field: message`, and the tool exits with 1 before training,
unless --skip_invalid: then they are listed, counted and left out.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, schema, vocab_training

MAX_PROBLEMS_LISTED = 20

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir", None, "Data root (IE INSTRUCTIONS layout).", required=True
  )
  flags.DEFINE_string(
    "output", None, "Model path to write (ends in .model).", required=True
  )
  cli.define_integer("vocab_size", 800, "Number of pieces.", lower_bound=1)
  cli.define_integer(
    "seed", 0, "Seed of the prompts and sampling.", lower_bound=0
  )
  cli.define_integer(
    "max_lines", 300_000, "Lines sampled for training (seeded).", lower_bound=1
  )
  flags.DEFINE_list(
    "splits",
    ["train"],
    "Splits to read. Evaluation splits are left out by default, so that "
    "held-out text does not shape the vocabulary.",
  )
  flags.DEFINE_list(
    "datasets", [], "Dataset folder names to read; empty means every one."
  )
  flags.DEFINE_bool(
    "skip_invalid",
    False,
    "Leave out (and count) files and instances that cannot be read, instead "
    "of failing.",
  )
  flags.DEFINE_bool(
    "overwrite", False, "Replace PATH.model and PATH.vocab if they exist."
  )


def _list_problems(problems: Sequence[schema.Problem], file) -> None:
  for p in problems[:MAX_PROBLEMS_LISTED]:
    print(f"  {p}", file=file)
  if len(problems) > MAX_PROBLEMS_LISTED:
    print(f"  ... and {len(problems) - MAX_PROBLEMS_LISTED} more", file=file)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  vocab_training.check_output(FLAGS.output, FLAGS.overwrite)
  texts, problems = vocab_training.read_prompts(
    FLAGS.data_dir, FLAGS.seed, FLAGS.splits, FLAGS.datasets
  )
  if problems:
    out = sys.stdout if FLAGS.skip_invalid else sys.stderr
    print(f"Problems in the data ({len(problems)}):", file=out)
    _list_problems(problems, out)
    vocab_training.check_problems(problems, FLAGS.skip_invalid)
    print(f"{vocab_training.skipped_summary(problems)} (--skip_invalid)")
  if not texts:
    raise cli.UserError(
      f"no prompts in the {'/'.join(FLAGS.splits)} splits under "
      f"{FLAGS.data_dir}"
    )
  print(f"Read {len(texts) // 2} examples (an input and a target each).")
  path = vocab_training.train_on_texts(
    texts,
    FLAGS.output,
    vocab_size=FLAGS.vocab_size,
    seed=FLAGS.seed,
    max_lines=FLAGS.max_lines,
    overwrite=FLAGS.overwrite,
  )
  print(f"Wrote {path}")


if __name__ == "__main__":
  define_flags()
  cli.run(main)
