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
`--target_length` and `--param_dtype`, defined once here, and `load` that
turns them into an `instructuie_t5x.extractor.Extractor`.
"""

from __future__ import annotations

from typing import Any

from absl import flags

from tools import cli

CHECKPOINT = flags.DEFINE_string(
  "checkpoint", None, "Model directory or checkpoint_N directory."
)
GIN_FILE = flags.DEFINE_multi_string(
  "gin_file", [], "Gin files overriding the model settings."
)
GIN_BINDINGS = flags.DEFINE_multi_string(
  "gin_bindings", [], "Gin bindings, parsed last."
)
VOCABULARY = flags.DEFINE_string(
  "vocabulary",
  None,
  "SentencePiece model (or 'byte') instead of the configured vocabulary.",
)
INPUT_LENGTH = flags.DEFINE_integer(
  "input_length", None, "Prompt tokens per text (default: the run's)."
)
TARGET_LENGTH = flags.DEFINE_integer(
  "target_length", None, "Decoded tokens per text (default: the run's)."
)
PARAM_DTYPE = flags.DEFINE_string(
  "param_dtype", "float32", "Dtype the parameters are restored in."
)


def load(batch_size: int) -> Any:
  """The `Extractor` the flags name, decoding up to `batch_size` texts.

  Raises:
    cli.UsageError: --checkpoint is missing.
    cli.UserError: the checkpoint or its configuration cannot be read.
  """
  if not CHECKPOINT.value:
    raise cli.UsageError("--checkpoint is required")
  from instructuie_t5x import extractor  # noqa: PLC0415 (imports T5X)

  try:
    return extractor.Extractor.from_checkpoint(
      CHECKPOINT.value,
      GIN_FILE.value,
      gin_bindings=GIN_BINDINGS.value,
      vocabulary=VOCABULARY.value,
      input_length=INPUT_LENGTH.value,
      target_length=TARGET_LENGTH.value,
      batch_size=batch_size,
      param_dtype=PARAM_DTYPE.value,
    )
  except extractor.CheckpointError as e:
    raise cli.UserError(f"--checkpoint: {e}") from None
