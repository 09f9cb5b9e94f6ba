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
(which each tool's own `define_flags` calls), `check_flags` that checks them
in a moment (no model, no T5X import), and `load` that turns them into an
`instructuie_t5x.extractor.Extractor`.
"""

from __future__ import annotations

import tokenize
from typing import Any

from absl import flags
from gin import config_parser

from instructuie_jax import cli

FLAGS = flags.FLAGS
# The dtypes T5X restores parameters in.
PARAM_DTYPES = ("float32", "bfloat16", "float16")


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
  # The input holds at least one token and EOS.
  cli.define_integer(
    "input_length",
    None,
    "Prompt tokens per text (default: the run's).",
    lower_bound=2,
  )
  cli.define_integer(
    "target_length",
    None,
    "Decoded tokens per text (default: the run's).",
    lower_bound=1,
  )
  flags.DEFINE_enum(
    "param_dtype",
    "float32",
    PARAM_DTYPES,
    "Dtype the parameters are restored in.",
  )


class _Parsed(config_parser.ParserDelegate):
  """Parses gin text without resolving its names."""

  def configurable_reference(self, scoped_name: str, evaluate: bool) -> str:
    return scoped_name

  def macro(self, macro_name: str) -> str:
    return macro_name


def check_flags() -> None:
  """Checks the model flags before anything loads.

  Raises:
    cli.UsageError: --checkpoint missing, or a --gin_bindings that does not
      parse.
    cli.UserError: --vocabulary is neither 'byte' nor a SentencePiece model.
  """
  if not FLAGS.checkpoint:
    raise cli.UsageError("--checkpoint is required")
  for binding in FLAGS.gin_bindings:
    try:
      list(config_parser.ConfigParser(binding, _Parsed()))
    except (SyntaxError, ValueError, tokenize.TokenError) as e:
      reason = str(e.args[0]) if e.args else type(e).__name__
      raise cli.UsageError(
        f"--gin_bindings={binding!r:.200}: does not parse ({reason})"
      ) from None
  if FLAGS.vocabulary:
    from tasks import settings  # noqa: PLC0415

    if FLAGS.vocabulary != settings.BYTE:
      try:
        settings.sentencepiece_pieces(FLAGS.vocabulary)
      except settings.VocabularyError as e:
        raise cli.UserError(f"--vocabulary: {e}") from None


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
