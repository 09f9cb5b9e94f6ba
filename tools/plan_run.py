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

r"""Plans a T5X fine-tuning run: divisibility, memory, steps, time, launch.

Usage:
  python -m tools.plan_run --model=flan_t5_xxl --topology=v4-64 \
    --batch_size=256 [--num_partitions=8] \
    [--inputs_length=512 --targets_length=50 | --packed_lengths=3072,448 \
     --examples_per_row=28] [--optimizer=adamw|adafactor] [--remat] \
    [--epochs=5] [--num_examples=N | --mixture=NAME --data_dir=ROOT] \
    [--mfu=0.4] [--model_dir=gs://BUCKET/model]

`--model` is a `gin/models/{model}.gin` name or a gin file path; its size
macros are read from the file (includes followed). `--topology`: a TPU slice
(`v4-64`: 32 chips; `v5e-16`; `v5p-128`) or GPU hosts `KIND:HOSTSxGPUS`
(`h100:2x8`; KIND a100-40g, a100-80g, h100, h200). Without
`--num_partitions` every model-axis size that divides is shown.

Prints the model's sizes, the mesh (data x model) and what does not divide,
per-device memory (parameters, gradients, optimizer state, activations with
and without rematerialization), steps and time, the smallest mesh that fits
and the launch command in the README's gin layout: run file, model file,
gin/runs/packed_train.gin when packed, the model axis as a `num_partitions`
binding (or gin/partitioning/tpu_v5e.gin and its submesh on v5e), the
mixture by name, `TRAIN_STEPS_RELATIVE` = the fine-tuning steps. The
arithmetic is `instructuie_jax/run_plan.py`. Examples per epoch:
`--num_examples`, or the mixture's rates (examples-proportional, capped;
tasks without data are left out and counted, and the command trains
`NAME_available`). A mistake is one line on stderr (`instructuie_jax.cli`): exit
status 2 for a flag value the plan cannot use, 1 for missing data.
"""

from __future__ import annotations

from collections.abc import Sequence

from absl import flags, logging

from instructuie_jax import cli, run_plan
from instructuie_t5x import launch_plan

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("model", None, "gin/models/{model}.gin or a gin file.")
  flags.DEFINE_string("topology", None, "v4-64, v5e-16, h100:2x8, ...")
  cli.define_integer(
    "batch_size", 256, "Rows per step (global).", lower_bound=1
  )
  cli.define_integer("num_partitions", None, "Model-axis size.", lower_bound=1)
  cli.define_integer("inputs_length", 512, "Encoder length.", lower_bound=1)
  cli.define_integer("targets_length", 50, "Decoder length.", lower_bound=1)
  flags.DEFINE_list(
    "packed_lengths", None, "Packed row lengths INPUTS,TARGETS (rows/step)."
  )
  cli.define_float(
    "examples_per_row",
    None,
    "Examples per packed row (for steps).",
    lower_bound=1.0,
  )
  flags.DEFINE_enum("optimizer", "adamw", ["adamw", "adafactor"], "Optimizer.")
  flags.DEFINE_bool("remat", False, "Rematerialize layers in the backward.")
  flags.DEFINE_bool("dropout", True, "Dropout on (masks are kept).")
  cli.define_float("epochs", 5.0, "Epochs over the examples.", lower_bound=0.0)
  cli.define_integer(
    "num_examples", None, "Training examples per epoch.", lower_bound=1
  )
  flags.DEFINE_string("mixture", None, "Mixture whose rates give examples.")
  flags.DEFINE_string(
    "data_dir", None, "Data root (--mixture; bound in the launch command)."
  )
  cli.define_float(
    "mfu",
    0.4,
    "Assumed model FLOPs utilization.",
    lower_bound=0.0,
    upper_bound=1.0,
  )
  flags.DEFINE_string(
    "model_dir", "gs://BUCKET/model", "MODEL_DIR of the launch command."
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  if not FLAGS.model or not FLAGS.topology:
    raise cli.UsageError("--model and --topology are required")
  if FLAGS.num_examples is not None and FLAGS.mixture:
    raise cli.UsageError("give --num_examples or --mixture, not both")
  args = {
    name: FLAGS[name].value
    for name in (
      "model",
      "topology",
      "batch_size",
      "num_partitions",
      "inputs_length",
      "targets_length",
      "packed_lengths",
      "examples_per_row",
      "optimizer",
      "remat",
      "dropout",
      "epochs",
      "num_examples",
      "mixture",
      "data_dir",
      "mfu",
      "model_dir",
    )
  }
  logging.set_verbosity(logging.ERROR)  # seqio's per-task cache notes.
  try:
    text, _ = launch_plan.plan(args)
  except run_plan.PlanError as e:  # A flag value the plan cannot use.
    raise cli.UsageError(str(e)) from None
  print(text, end="")
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
