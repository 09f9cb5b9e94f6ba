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

from instructuie_jax import cli
from tools import model_flags

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  model_flags.define_flags()
  flags.adopt_module_key_flags(model_flags)  # Listed by --helpshort.
  flags.DEFINE_string("host", "127.0.0.1", "Address to listen on.")
  flags.DEFINE_integer("port", 8080, "Port to listen on.")
  flags.DEFINE_integer(
    "max_batch_size", 32, "Most texts decoded in one model call."
  )
  flags.DEFINE_float(
    "max_wait_ms", 5.0, "How long a batch waits for more requests."
  )
  flags.DEFINE_bool("batching", True, "Decode concurrent requests together.")
  flags.DEFINE_bool(
    "warmup",
    False,
    "Compile every batch and input shape before listening (steady latency).",
  )


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  if FLAGS.max_batch_size < 1 or FLAGS.max_wait_ms < 0:
    raise cli.UsageError("--max_batch_size must be >= 1, --max_wait_ms >= 0")

  import uvicorn  # noqa: PLC0415

  from instructuie_t5x import server  # noqa: PLC0415

  model = model_flags.load(FLAGS.max_batch_size)
  if FLAGS.warmup:
    print(
      "Compiling the decode for every shape...", file=sys.stderr, flush=True
    )
    print(f"{model.warmup()} shapes compiled", file=sys.stderr, flush=True)
  app_ = server.create_app(
    model,
    max_batch_size=FLAGS.max_batch_size,
    max_wait_s=FLAGS.max_wait_ms / 1000,
    batching=FLAGS.batching,
    info={
      "checkpoint": model.checkpoint,
      "input_length": model.input_length,
      "target_length": model.target_length,
    },
  )
  print(
    f"Serving {model.checkpoint} on http://{FLAGS.host}:{FLAGS.port}/",
    file=sys.stderr,
    flush=True,
  )
  uvicorn.run(app_, host=FLAGS.host, port=FLAGS.port, log_level="warning")


if __name__ == "__main__":
  define_flags()
  cli.run(main)
