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

r"""Writes the synthetic tiny NER data sets in the IE INSTRUCTIONS layout.

Usage:
  python -m tools.make_tiny_data --output_dir=/tmp/instructuie_tiny/data \
    [--seed=0] [--num_train=6000] [--num_eval=200] [--overwrite]

Writes `NER/{dataset}/{train,dev,test}.json` and `labels.json` for eight
supervised data sets with different label sets (synth_news, synth_bio, ...)
and two zero-shot ones: synth_mixed (a new combination of seen labels, in
pairs of clauses that no training sentence joins, with unseen names) and
synth_heldout (whole sentence templates never seen, unseen names).
`instructuie_jax/tiny_data.py` describes the grammar. The output depends only
on the flags.

Files already at those paths are left alone (the tool exits with 1, naming
the first) unless --overwrite. Each file is written to a temporary file beside
it and then renamed, so a failed run leaves no half-written file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, tiny_data

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "output_dir", None, "Data root to write NER/synth_*/ under.", required=True
  )
  cli.define_integer("seed", 0, "Seed of every random choice.", lower_bound=0)
  cli.define_integer(
    "num_train",
    tiny_data.NUM_TRAIN,
    "Training sentences per supervised data set.",
    lower_bound=1,
  )
  cli.define_integer(
    "num_eval",
    tiny_data.NUM_EVAL,
    "Sentences per dev/test split (and per zero-shot train split).",
    lower_bound=1,
  )
  flags.DEFINE_bool("overwrite", False, "Replace the data files if they exist.")


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  written = tiny_data.write_datasets(
    FLAGS.output_dir,
    FLAGS.seed,
    FLAGS.num_train,
    FLAGS.num_eval,
    overwrite=FLAGS.overwrite,
  )
  for path, count in written.items():
    print(f"{count:6d}  {os.path.join(FLAGS.output_dir, path)}")


if __name__ == "__main__":
  define_flags()
  cli.run(main)
