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

r"""Converts T5 checkpoints between Hugging Face and T5X.

Usage:
  # Hugging Face T5ForConditionalGeneration (T5 v1.1 / Flan-T5) -> T5X
  python -m tools.convert_checkpoint --from_hf=HF_DIR --out_dir=DIR \
    [--vocab=spiece.model] [--extra_ids=N] [--vocab_size=ROWS] [--step=0]

  # T5X (a checkpoint_N directory, or a model directory: its latest) -> HF
  python -m tools.convert_checkpoint --to_hf=T5X_DIR --out_dir=HF_DIR \
    [--vocab=spiece.model] [--extra_ids=N]

--from_hf reads config.json and model.safetensors (or sharded safetensors with
model.safetensors.index.json, or pytorch_model.bin, which needs torch) and
writes DIR/checkpoint_STEP (T5X), DIR/model.gin (the gin model bindings:
sizes, VOCAB_SIZE, INITIAL_CHECKPOINT_PATH, the vocabulary), DIR/spiece.model
and DIR/hf_conversion.json. Use DIR/model.gin in place of a gin/models/ file.

--to_hf writes config.json, model.safetensors, spiece.model and
tokenizer_config.json, which `transformers` loads. The sizes come from the
checkpoint; the vocabulary from hf_conversion.json (a --from_hf directory) or
the run's config.gin (a t5x.train MODEL_DIR); --vocab overrides it.

Only the T5 v1.1 / Flan-T5 layout (gated-GELU, untied lm_head, 32 relative
buckets up to 128) converts; anything else is one line on stderr naming what
differs, exit 1. DIR must be new or empty; it appears only when complete.
"""

from __future__ import annotations

from collections.abc import Sequence

from absl import flags

from instructuie_jax import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "from_hf", None, "Hugging Face T5 directory to convert to T5X."
  )
  flags.DEFINE_string(
    "to_hf",
    None,
    "T5X checkpoint_N or model directory to convert to Hugging Face.",
  )
  flags.DEFINE_string("out_dir", None, "New directory to write.")
  flags.DEFINE_string(
    "vocab", None, "SentencePiece model (default: the one the input carries)."
  )
  cli.define_integer(
    "extra_ids",
    None,
    "Sentinel ids after the pieces (default: what the input records).",
    lower_bound=0,
  )
  cli.define_integer(
    "vocab_size",
    None,
    "--from_hf: T5X embedding rows (default: the HF vocab_size).",
    lower_bound=1,
  )
  cli.define_integer(
    "step", 0, "--from_hf: step of the written checkpoint.", lower_bound=0
  )


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {' '.join(argv[1:])}")
  if bool(FLAGS.from_hf) == bool(FLAGS.to_hf):
    raise cli.UsageError("Pass exactly one of --from_hf and --to_hf.")
  if not FLAGS.out_dir:
    raise cli.UsageError("--out_dir is required.")
  if FLAGS.to_hf and (FLAGS.vocab_size is not None or FLAGS.step):
    raise cli.UsageError("--vocab_size and --step apply to --from_hf only.")

  from instructuie_t5x import checkpoint_conversion, hf_checkpoints

  try:
    if FLAGS.from_hf:
      summary = checkpoint_conversion.convert_hf_to_t5x(
        FLAGS.from_hf,
        FLAGS.out_dir,
        vocab=FLAGS.vocab,
        extra_ids=FLAGS.extra_ids,
        vocab_size=FLAGS.vocab_size,
        step=FLAGS.step,
      )
    else:
      summary = checkpoint_conversion.convert_t5x_to_hf(
        FLAGS.to_hf, FLAGS.out_dir, vocab=FLAGS.vocab, extra_ids=FLAGS.extra_ids
      )
  except hf_checkpoints.ConversionError as e:
    raise cli.UserError(str(e)) from e  # One line: cli.run joins any lines.
  print("\n".join(summary.lines()))
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
