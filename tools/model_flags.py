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

"""The model flags of the tools that run a checkpoint (extract, serve).

`--checkpoint` (a run's model directory or one `checkpoint_N`),
`--gin_file`, `--gin_bindings`, `--vocabulary`, `--input_length`,
`--target_length` and `--param_dtype`, defined once here by `define_flags`
(which each tool's own `define_flags` calls), and `load` that turns them
into an `instructuie_t5x.extractor.Extractor`.
"""

from __future__ import annotations

from typing import Any

from absl import flags

from instructuie_jax import cli

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the model flags (by the tools' own `define_flags`)."""
  flags.DEFINE_string(
    "checkpoint", None, "Model directory or checkpoint_N directory."
  )
  flags.DEFINE_multi_string(
    "gin_file", [], "Gin files overriding the model settings."
  )
  flags.DEFINE_multi_string("gin_bindings", [], "Gin bindings, parsed last.")
  flags.DEFINE_string(
    "vocabulary",
    None,
    "SentencePiece model (or 'byte') instead of the configured vocabulary.",
  )
  flags.DEFINE_integer(
    "input_length", None, "Prompt tokens per text (default: the run's)."
  )
  flags.DEFINE_integer(
    "target_length", None, "Decoded tokens per text (default: the run's)."
  )
  flags.DEFINE_string(
    "param_dtype", "float32", "Dtype the parameters are restored in."
  )


def load(batch_size: int) -> Any:
  """The `Extractor` the flags name, decoding up to `batch_size` texts.

  Raises:
    cli.UsageError: --checkpoint is missing.
    cli.UserError: the checkpoint or its configuration cannot be read.
  """
  if not FLAGS.checkpoint:
    raise cli.UsageError("--checkpoint is required")
  from instructuie_t5x import extractor  # noqa: PLC0415 (imports T5X)

  try:
    return extractor.Extractor.from_checkpoint(
      FLAGS.checkpoint,
      FLAGS.gin_file,
      gin_bindings=FLAGS.gin_bindings,
      vocabulary=FLAGS.vocabulary,
      input_length=FLAGS.input_length,
      target_length=FLAGS.target_length,
      batch_size=batch_size,
      param_dtype=FLAGS.param_dtype,
    )
  except extractor.CheckpointError as e:
    raise cli.UserError(f"--checkpoint: {e}") from None
