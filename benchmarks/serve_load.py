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

r"""Load test of tools.serve on loopback: batched vs one request at a time.

Usage:
  python benchmarks/serve_load.py --checkpoint=MODEL_DIR \
    [--vocabulary=vocab.model] [--data_dir=DIR] [--clients=32] \
    [--requests_per_client=50] [--max_seconds=300] \
    [--modes=direct,batched,single]

For each mode the benchmark starts `python -m tools.serve --warmup` on
127.0.0.1 (a free port; `--nobatching` for "single"), waits for /health,
then:

1. reference: every distinct text once, one request after another; these
   answers are the expected ones;
2. load: `--clients` concurrent clients, each sending
   `--requests_per_client` requests of one text each (texts taken round
   robin), as fast as answers come back. A request is *lost* when it gets no
   200 answer (error, timeout, or not sent because `--max_seconds` ran out);
   it is *wrong* when its answer differs from the reference answer of its
   text.

Mode "direct" measures the model alone, in this process, without HTTP:
`Extractor.decode` of the texts one at a time vs in batches of
`--max_batch_size`, after compiling both shapes (texts/s, best of 3).

Prints per server mode: requests/s over the load phase, p50/p99 latency, lost,
wrong, model calls and the largest batch (from /health), and
`uptime`'s load average before and after. Stops the server itself; bounded
by `--max_seconds` per mode (plus start-up). Loopback only.

Texts: the `synth_heldout` test sentences of the tiny run's data
(`--data_dir`, default MODEL_DIR/../data), labels location, organization,
person.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

import httpx
from absl import app, flags

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = ["location", "organization", "person"]

_CHECKPOINT = flags.DEFINE_string("checkpoint", None, "Model directory.")
_VOCABULARY = flags.DEFINE_string(
  "vocabulary", None, "tools.serve --vocabulary."
)
_DATA_DIR = flags.DEFINE_string("data_dir", None, "Tiny run data root.")
_CLIENTS = flags.DEFINE_integer("clients", 32, "Concurrent clients.")
_REQUESTS = flags.DEFINE_integer("requests_per_client", 50, "Requests each.")
_TEXTS = flags.DEFINE_integer("texts", 64, "Distinct texts.")
_MAX_SECONDS = flags.DEFINE_float("max_seconds", 300, "Load phase limit/mode.")
_MODES = flags.DEFINE_list(
  "modes", ["direct", "batched", "single"], "Modes to run."
)
_MAX_BATCH = flags.DEFINE_integer("max_batch_size", 32, "Server batch size.")
_MAX_WAIT_MS = flags.DEFINE_float("max_wait_ms", 5.0, "Server batch wait.")


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def _load_average() -> str:
  with open("/proc/loadavg") as f:
    return " ".join(f.read().split()[:3])


def _start_server(mode: str, port: int, log_path: str) -> subprocess.Popen:
  command = [
    sys.executable,
    "-m",
    "tools.serve",
    f"--checkpoint={_CHECKPOINT.value}",
    f"--port={port}",
    "--host=127.0.0.1",
    "--warmup",
    f"--max_batch_size={_MAX_BATCH.value}",
    f"--max_wait_ms={_MAX_WAIT_MS.value}",
    "--batching" if mode == "batched" else "--nobatching",
  ]
  if _VOCABULARY.value:
    command.append(f"--vocabulary={_VOCABULARY.value}")
  log = open(log_path, "w")  # noqa: SIM115  # closed with the process
  return subprocess.Popen(
    command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
  )


async def _wait_up(client: httpx.AsyncClient, proc, log_path: str) -> dict:
  deadline = time.monotonic() + 900
  while True:
    if proc.poll() is not None:
      with open(log_path) as f:
        raise RuntimeError(f"server exited:\n{f.read()[-3000:]}")
    if time.monotonic() > deadline:
      raise RuntimeError("server not up within 900 s")
    try:
      r = await client.get("/health")
      if r.status_code == 200:
        return r.json()
    except httpx.HTTPError:
      pass
    await asyncio.sleep(0.5)


def _body(text: str) -> dict:
  return {"texts": [text], "task": "NER", "labels": LABELS}


async def _run_mode(mode: str, texts: Sequence[str]) -> dict:
  port = _free_port()
  log_path = f"/tmp/serve_load_{mode}_{port}.log"
  proc = _start_server(mode, port, log_path)
  limits = httpx.Limits(max_connections=_CLIENTS.value + 4)
  try:
    async with httpx.AsyncClient(
      base_url=f"http://127.0.0.1:{port}", timeout=120, limits=limits
    ) as client:
      await _wait_up(client, proc, log_path)
      expected = {}
      for text in texts:
        r = await client.post("/extract", json=_body(text))
        r.raise_for_status()
        expected[text] = r.json()["results"][0]
      before = (await client.get("/health")).json()["stats"]

      latencies: list[float] = []
      lost = wrong = 0
      load_before = _load_average()
      deadline = time.monotonic() + _MAX_SECONDS.value

      async def one_client(c: int) -> None:
        nonlocal lost, wrong
        for k in range(_REQUESTS.value):
          if time.monotonic() > deadline:
            lost += _REQUESTS.value - k
            return
          text = texts[(c * _REQUESTS.value + k) % len(texts)]
          start = time.perf_counter()
          try:
            r = await client.post("/extract", json=_body(text))
          except httpx.HTTPError:
            lost += 1
            continue
          latencies.append(time.perf_counter() - start)
          if r.status_code != 200:
            lost += 1
          elif r.json()["results"][0] != expected[text]:
            wrong += 1

      start = time.perf_counter()
      await asyncio.gather(*(one_client(c) for c in range(_CLIENTS.value)))
      elapsed = time.perf_counter() - start
      after = (await client.get("/health")).json()["stats"]
  finally:
    proc.terminate()
    try:
      proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
      proc.kill()
      proc.wait()
  answered = len(latencies)
  latencies.sort()
  return {
    "mode": mode,
    "requests": _CLIENTS.value * _REQUESTS.value,
    "answered": answered,
    "lost": lost,
    "wrong": wrong,
    "seconds": round(elapsed, 2),
    "requests_per_s": round(answered / elapsed, 1),
    "p50_ms": round(1000 * statistics.median(latencies), 1),
    "p99_ms": round(
      1000 * latencies[min(answered - 1, int(0.99 * answered))], 1
    ),
    "model_calls": after["decode_calls"] - before["decode_calls"],
    "largest_batch": after["largest_batch"],
    "load_before": load_before,
    "load_after": _load_average(),
  }


def _direct(texts: Sequence[str]) -> dict:
  """Texts/s of the model alone: one at a time vs batched (best of 3)."""
  from instructuie_t5x import extractor, queries  # noqa: PLC0415

  model = extractor.Extractor.from_checkpoint(
    _CHECKPOINT.value,
    vocabulary=_VOCABULARY.value,
    batch_size=_MAX_BATCH.value,
  )
  prompts = [queries.make_query("NER", t, LABELS).prompt for t in texts]
  model.warmup()
  single = batched = float("inf")
  for _ in range(3):
    start = time.perf_counter()
    one = [model.decode([p])[0] for p in prompts]
    single = min(single, time.perf_counter() - start)
    start = time.perf_counter()
    many = model.decode(prompts)
    batched = min(batched, time.perf_counter() - start)
  return {
    "mode": "direct",
    "texts": len(prompts),
    "one_at_a_time_texts_per_s": round(len(prompts) / single, 1),
    "batched_texts_per_s": round(len(prompts) / batched, 1),
    "same_answers": one == many,
    "load": _load_average(),
  }


def main(argv: Sequence[str]) -> int:
  logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request
  if len(argv) > 1:
    print(f"error: unexpected arguments: {argv[1:]}", file=sys.stderr)
    return 2
  if not _CHECKPOINT.value:
    print("error: --checkpoint is required", file=sys.stderr)
    return 2
  data_dir = _DATA_DIR.value or os.path.join(
    os.path.dirname(_CHECKPOINT.value.rstrip("/")), "data"
  )
  path = os.path.join(data_dir, "NER", "synth_heldout", "test.json")
  try:
    with open(path, encoding="utf-8") as f:
      texts = [x["sentence"] for x in json.load(f)][: _TEXTS.value]
  except OSError as e:
    print(f"error: {path}: {e.strerror}", file=sys.stderr)
    return 1
  for mode in _MODES.value:
    if mode not in ("direct", "batched", "single"):
      print(f"error: --modes: unknown mode {mode!r}", file=sys.stderr)
      return 2
  rows = []
  direct_ok = True
  for mode in _MODES.value:
    if mode == "direct":
      direct = _direct(texts)
      direct_ok = direct["same_answers"]
      print(json.dumps(direct), flush=True)
      continue
    row = asyncio.run(_run_mode(mode, texts))
    print(json.dumps(row), flush=True)
    rows.append(row)
  print()
  print(
    "| mode | requests | lost | wrong | req/s | p50 ms | p99 ms | model calls "
    "| largest batch | load avg before -> after |"
  )
  print("|---|---|---|---|---|---|---|---|---|---|")
  for r in rows:
    print(
      f"| {r['mode']} | {r['requests']} | {r['lost']} | {r['wrong']} | "
      f"{r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | "
      f"{r['model_calls']} | {r['largest_batch']} | {r['load_before']} -> "
      f"{r['load_after']} |"
    )
  ok = all(r["lost"] == 0 and r["wrong"] == 0 for r in rows)
  return 0 if ok and direct_ok else 1


if __name__ == "__main__":
  app.run(main)
