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

r"""Serves a T5X checkpoint over HTTP: JSON API and a demo page.

Usage:
  python -m tools.serve --checkpoint=MODEL_DIR_OR_CHECKPOINT_N [--port=8080] \
    [--host=127.0.0.1] [--gin_file=...] [--vocabulary=vocab.model] \
    [--max_batch_size=32] [--max_wait_ms=5] [--nobatching] [--warmup]

Then open http://127.0.0.1:8080/ or

  curl -s localhost:8080/extract -H 'Content-Type: application/json' \
    -d '{"texts": ["Ada met Bob in Paris ."], "task": "NER",
         "labels": ["person", "location"]}'

`--checkpoint`, `--gin_file`, `--vocabulary` and the lengths are as for
`tools.extract`; the answers are the same records. The model is loaded once,
before the server starts listening; concurrent requests are decoded together
(`instructuie_t5x.server`). `--nobatching` decodes one request at a time.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import flags

from tools import cli

_CHECKPOINT = flags.DEFINE_string(
  "checkpoint", None, "Model directory or checkpoint_N directory."
)
_HOST = flags.DEFINE_string("host", "127.0.0.1", "Address to listen on.")
_PORT = flags.DEFINE_integer("port", 8080, "Port to listen on.")
_GIN_FILE = flags.DEFINE_multi_string(
  "gin_file", [], "Gin files overriding the model settings."
)
_GIN_BINDINGS = flags.DEFINE_multi_string(
  "gin_bindings", [], "Gin bindings, parsed last."
)
_VOCABULARY = flags.DEFINE_string(
  "vocabulary", None, "SentencePiece model (or 'byte') instead of the run's."
)
_INPUT_LENGTH = flags.DEFINE_integer(
  "input_length", None, "Prompt tokens per text (default: the run's)."
)
_TARGET_LENGTH = flags.DEFINE_integer(
  "target_length", None, "Decoded tokens per text (default: the run's)."
)
_MAX_BATCH_SIZE = flags.DEFINE_integer(
  "max_batch_size", 32, "Most texts decoded in one model call."
)
_MAX_WAIT_MS = flags.DEFINE_float(
  "max_wait_ms", 5.0, "How long a batch waits for more requests."
)
_BATCHING = flags.DEFINE_bool(
  "batching", True, "Decode concurrent requests together."
)
_WARMUP = flags.DEFINE_bool(
  "warmup",
  False,
  "Compile every batch and input shape before listening (steady latency).",
)
_PARAM_DTYPE = flags.DEFINE_string(
  "param_dtype", "float32", "Dtype the parameters are restored in."
)


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  if not _CHECKPOINT.value:
    raise cli.UsageError("--checkpoint is required")
  if _MAX_BATCH_SIZE.value < 1 or _MAX_WAIT_MS.value < 0:
    raise cli.UsageError("--max_batch_size must be >= 1, --max_wait_ms >= 0")

  import uvicorn  # noqa: PLC0415

  from instructuie_t5x import extractor, server  # noqa: PLC0415

  try:
    model = extractor.Extractor.from_checkpoint(
      _CHECKPOINT.value,
      _GIN_FILE.value,
      gin_bindings=_GIN_BINDINGS.value,
      vocabulary=_VOCABULARY.value,
      input_length=_INPUT_LENGTH.value,
      target_length=_TARGET_LENGTH.value,
      batch_size=_MAX_BATCH_SIZE.value,
      param_dtype=_PARAM_DTYPE.value,
    )
  except extractor.CheckpointError as e:
    raise cli.UserError(f"--checkpoint: {e}") from None
  if _WARMUP.value:
    print(
      "Compiling the decode for every shape...", file=sys.stderr, flush=True
    )
    print(f"{model.warmup()} shapes compiled", file=sys.stderr, flush=True)
  app_ = server.create_app(
    model,
    max_batch_size=_MAX_BATCH_SIZE.value,
    max_wait_s=_MAX_WAIT_MS.value / 1000,
    batching=_BATCHING.value,
    info={
      "checkpoint": model.checkpoint,
      "input_length": model.input_length,
      "target_length": model.target_length,
    },
  )
  print(
    f"Serving {model.checkpoint} on http://{_HOST.value}:{_PORT.value}/",
    file=sys.stderr,
    flush=True,
  )
  uvicorn.run(app_, host=_HOST.value, port=_PORT.value, log_level="warning")


if __name__ == "__main__":
  cli.run(main)
