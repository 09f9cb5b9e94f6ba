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


r"""Shows what a seqio mixture or task of instructuie-jax feeds the model.

Usage:
  python -m tools.inspect_mixture --mixture=NAME [--split=train] \
    [--num_examples=3] [--data_dir=DIR] [--vocab=PATH.model] \
    [--target_format=words_bio] [--inputs_length=512] [--targets_length=50] \
    [--max_examples_per_task=N]

Prints rendered examples (inputs and targets as text), then per task: the
input examples of the split, the mixing rate (train), the examples produced,
token-length percentiles (p50/p90/p99/max, EOS included) and how many
examples are longer than --inputs_length / --targets_length (seqio would
truncate those) and how many hold a piece the vocabulary does not know
(`unk`: a target with one can never be written as it is, e.g. a target
format's characters that the vocabulary was not trained on). --data_dir, --vocab and --target_format set the data
settings (`tasks.settings`; default IE_INSTRUCTIONS_DIR or IE_TINY_DIR,
IE_INSTRUCTIONS_VOCAB, and "instructuie"). The tasks of a mixture whose datasets are missing
are listed with the path expected and left out (the `NAME_available`
mixture); --noskip_missing fails instead. Bad input (unknown name, a split
seqio does not have, an unreadable vocabulary, no data) is one line on
stderr and exit status 2 (flags) or 1.
"""

from __future__ import annotations

from absl import flags

from instructuie_jax import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("mixture", None, "Mixture or task name.", required=True)
  flags.DEFINE_string("split", "train", "Split to inspect.")
  cli.define_integer(
    "num_examples", 3, "Rendered examples to print.", lower_bound=0
  )
  flags.DEFINE_string("data_dir", None, "Data root (overrides the env).")
  flags.DEFINE_string("vocab", None, "SentencePiece model (or 'byte').")
  flags.DEFINE_string(
    "target_format", None, "Target format (default: 'instructuie')."
  )
  cli.define_integer(
    "inputs_length", 512, "Inputs feature length.", lower_bound=1
  )
  cli.define_integer(
    "targets_length", 50, "Targets feature length.", lower_bound=1
  )
  cli.define_integer(
    "max_examples_per_task",
    None,
    "Length statistics over at most N.",
    lower_bound=1,
  )
  flags.DEFINE_bool("skip_missing", True, "Leave out tasks without data.")
  cli.define_integer(
    "seed", 0, "Mixture sampling seed (train split).", lower_bound=0
  )


def main(argv) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {argv[1:]}")
  import seqio
  import tensorflow as tf

  from instructuie_jax import schema
  from tasks import inspection, mixtures, settings, sources

  name = FLAGS.mixture
  problem = mixtures.name_problem(name) or sources.split_problem(FLAGS.split)
  if problem:
    raise cli.UsageError(problem)
  try:
    settings.configure(
      vocab=FLAGS.vocab,
      target_format=FLAGS.target_format,
      **settings.data_dir_overrides(
        mixtures.benchmarks_of(name), FLAGS.data_dir
      ),
    )
  except ValueError as e:
    raise cli.UsageError(str(e)) from e
  problem = settings.vocabulary_problem()
  if problem:
    raise cli.UserError(problem)
  try:
    provider = seqio.get_mixture_or_task(name)
    missing = {}
    if isinstance(provider, mixtures.AvailableMixture):
      missing = provider.left_out
    elif name in mixtures.MIXTURES and FLAGS.skip_missing:
      name, missing = mixtures.available_mixture(name)
    for task, message in sorted(missing.items()):
      print(f"left out {task}: {message}")
    for ex in inspection.rendered_examples(
      name, FLAGS.split, FLAGS.num_examples, FLAGS.seed
    ):
      print(
        f"=== {ex['id']}  ({ex['inputs_tokens']} / {ex['targets_tokens']} "
        "tokens)"
      )
      print(f"--- inputs\n{ex['inputs_pretokenized']}")
      print(f"--- targets\n{ex['targets_pretokenized']!r}")
    lengths = {"inputs": FLAGS.inputs_length, "targets": FLAGS.targets_length}
    rows = inspection.task_rows(
      name, FLAGS.split, lengths, FLAGS.max_examples_per_task
    )
  except (
    FileNotFoundError,
    ValueError,
    schema.DataError,
    tf.errors.OpError,
  ) as e:
    raise cli.UserError(str(e).strip().splitlines()[0]) from e
  if not rows:
    raise cli.UserError(f"{name} has no task with a {FLAGS.split!r} split")
  print(f"\n{name} [{FLAGS.split}], feature lengths {lengths}")
  print(inspection.format_rows(rows))
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
