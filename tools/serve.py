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
`tools.extract`; the answers are the same records. The flags are checked and
the port is bound first (a busy port is one line, exit 1), then the model is
loaded once, then requests are answered; concurrent requests are decoded
together (`instructuie_t5x.server`). `--nobatching` decodes one request at a
time.

Defaults for a server on one's own machine: requests must name this machine
in their `Host` header (localhost, 127.0.0.1, [::1] or --host;
`--allowed_hosts` adds names, `*` allows any), bodies are limited to
`--max_request_bytes`, a connection idle for `--idle_timeout_s` (or sending
a request head for longer) is closed, and `/docs` and `/openapi.json` are
served only with `--docs`.
"""

from __future__ import annotations

import errno
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
  cli.define_integer(
    "port", 8080, "Port to listen on.", lower_bound=1, upper_bound=65535
  )
  cli.define_integer(
    "max_batch_size",
    32,
    "Most texts decoded in one model call.",
    lower_bound=1,
  )
  cli.define_float(
    "max_wait_ms",
    5.0,
    "How long a batch waits for more requests.",
    lower_bound=0.0,
    upper_bound=60_000.0,
  )
  flags.DEFINE_bool("batching", True, "Decode concurrent requests together.")
  flags.DEFINE_list(
    "allowed_hosts",
    [],
    "Host header names accepted besides localhost, 127.0.0.1, ::1 and "
    "--host (e.g. the machine's name); * accepts any.",
  )
  cli.define_integer(
    "max_request_bytes",
    4 * 1024 * 1024,
    "Largest request body accepted (larger: 413).",
    lower_bound=1024,
  )
  cli.define_float(
    "idle_timeout_s",
    5.0,
    "Seconds a connection may stay idle before it is closed.",
    lower_bound=0.1,
    upper_bound=3600.0,
  )
  flags.DEFINE_bool("docs", False, "Serve /docs and /openapi.json.")
  flags.DEFINE_bool(
    "warmup",
    False,
    "Compile every batch and input shape before listening (steady latency).",
  )


def allowed_hosts() -> list[str] | None:
  """The Host header names accepted (None: any)."""
  if "*" in FLAGS.allowed_hosts:
    return None
  from instructuie_t5x import server  # noqa: PLC0415

  hosts = [*server.LOCAL_HOSTS, *FLAGS.allowed_hosts]
  if FLAGS.host not in ("0.0.0.0", "::", ""):
    hosts.append(FLAGS.host.strip("[]"))
  return hosts


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  model_flags.check_flags()

  from instructuie_t5x import server  # noqa: PLC0415

  try:
    sock = server.bind(FLAGS.host, FLAGS.port)
  except OSError as e:
    in_use = e.errno == errno.EADDRINUSE
    reason = "address in use" if in_use else e.strerror or type(e).__name__
    raise cli.UserError(
      f"{'--port' if in_use else '--host'}: cannot listen on "
      f"{FLAGS.host}:{FLAGS.port}: {reason}"
    ) from None
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
      "checkpoint": server.checkpoint_label(model.checkpoint),
      "input_length": model.input_length,
      "target_length": model.target_length,
    },
    allowed_hosts=allowed_hosts(),
    max_body_bytes=FLAGS.max_request_bytes,
    docs=FLAGS.docs,
  )
  print(
    f"Serving {model.checkpoint} on http://{FLAGS.host}:{FLAGS.port}/",
    file=sys.stderr,
    flush=True,
  )
  server.make_server(app_, idle_timeout_s=FLAGS.idle_timeout_s).run(
    sockets=[sock]
  )


if __name__ == "__main__":
  define_flags()
  cli.run(main)
