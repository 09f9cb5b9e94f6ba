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


r"""The training step alone: T5X's model under jit against the torch step.

Usage:
  [XLA_FLAGS=...] python benchmarks/train_step_only.py [--size=tiny] \
    [--side=jax|torch] [--batch_size=32] [--lengths=96,32] [--steps=30] \
    [--torch_threads=2] [--embedding_lookup=one_hot|gather] [--trace_dir=DIR]

Where `benchmarks/train_step_vs_hf.py` times whole training runs (input
pipeline, trainer loop), this times only the step on one fixed batch of the
same shapes on both sides, so that the compiled step can be told apart from
everything around it:

* `jax`: the model of gin/models/tiny.gin at the dimensions of
  `train_step_vs_hf.SIZES` (dropout 0, z-loss 0), T5X's
  `EncoderDecoderModel.loss_fn`, its gradient and `optax.adamw` in one
  `jax.jit` with the parameters and optimizer state donated. With several
  JAX devices (e.g. `XLA_FLAGS=--xla_force_host_platform_device_count=2` on
  a CPU) the batch is split over them and the parameters are replicated,
  as T5X's data parallelism does. Prints XLA's cost analysis (FLOPs and
  bytes accessed per step).
* `torch`: `train_step_vs_hf.hf_model` (the same network), forward,
  backward and `torch.optim.AdamW` at --torch_threads intra-op threads.

The batch has the data's lengths (inputs about 67 tokens, targets about
11.6, drawn with a fixed seed), padded to --lengths on both sides.
`--embedding_lookup=gather` is a measurement only: it replaces, in this
process, T5X's one-hot token embedding (`one_hot=True` in T5X's T5 network,
a matmul against the vocabulary) by a gather, to time what the one-hot
lookup costs on this machine. `--trace_dir` writes a `jax.profiler` trace of
the timed steps and prints the time of XLA's operations by kind (dots,
copies and transposes, other fusions) and the threads that ran them.
"""

from __future__ import annotations

import collections
import glob
import gzip
import json
import os
import re
import sys
import time
from collections.abc import Sequence

import numpy as np
from absl import app, flags

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO not in sys.path:
  sys.path.insert(0, _REPO)

from benchmarks import train_step_vs_hf  # noqa: E402

FLAGS = flags.FLAGS
SIDES = ("jax", "torch")


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_enum(
    "size", "tiny", list(train_step_vs_hf.SIZES), "Model dimensions."
  )
  flags.DEFINE_enum("side", "jax", list(SIDES), "Which step to time.")
  flags.DEFINE_integer("batch_size", 32, "Examples per batch.")
  flags.DEFINE_list("lengths", ["96", "32"], "Inputs,targets length.")
  flags.DEFINE_integer("steps", 30, "Timed steps (after 3 warm-up steps).")
  flags.DEFINE_integer("torch_threads", os.cpu_count(), "torch threads.")
  flags.DEFINE_enum(
    "embedding_lookup",
    "one_hot",
    ["one_hot", "gather"],
    "T5X's token embedding lookup (gather: measurement only).",
  )
  flags.DEFINE_string(
    "trace_dir", None, "jax.profiler trace of the timed steps (jax side)."
  )


def make_batch(
  batch_size: int, inputs_length: int, targets_length: int, seed: int = 0
) -> dict[str, np.ndarray]:
  """Random tokens at the data's lengths, padded; T5X's feature names."""
  rng = np.random.default_rng(seed)
  vocab = train_step_vs_hf.VOCAB_SIZE
  in_len = np.clip(rng.normal(67, 12, batch_size).astype(int), 20, None)
  tgt_len = np.clip(rng.normal(11.6, 4, batch_size).astype(int), 2, None)
  enc = np.zeros((batch_size, inputs_length), np.int32)
  tgt = np.zeros((batch_size, targets_length), np.int32)
  for i in range(batch_size):
    n, m = min(in_len[i], inputs_length), min(tgt_len[i], targets_length)
    enc[i, :n] = rng.integers(2, vocab, n)
    tgt[i, :m] = rng.integers(2, vocab, m)
  dec_in = np.zeros_like(tgt)
  dec_in[:, 1:] = tgt[:, :-1]
  return {
    "encoder_input_tokens": enc,
    "decoder_input_tokens": dec_in,
    "decoder_target_tokens": tgt,
    "decoder_loss_weights": (tgt > 0).astype(np.float32),
  }


def _t5x_model(size: train_step_vs_hf.Size):
  import gin
  from t5x import gin_utils

  from instructuie_t5x import pipeline

  @gin.configurable(module="train_step_only")
  def the_model(model):
    return model

  gin_utils.parse_gin_flags(
    pipeline.search_paths(),
    ["gin/models/tiny.gin"],
    [
      "DROPOUT_RATE = 0.0",
      "Z_LOSS = 0.0",
      f"EMBED_DIM = {size.embed_dim}",
      f"NUM_HEADS = {size.num_heads}",
      f"HEAD_DIM = {size.head_dim}",
      f"MLP_DIM = {size.mlp_dim}",
      f"NUM_ENCODER_LAYERS = {size.num_layers}",
      f"NUM_DECODER_LAYERS = {size.num_layers}",
      f"VOCAB_SIZE = {train_step_vs_hf.VOCAB_SIZE}",
      "tasks.settings.data_settings.vocab = 'byte'",
      "train_step_only.the_model.model = %MODEL",
    ],
  )
  return the_model()


def _use_gather_embedding() -> None:
  """Measurement only: T5X's token embedding looks up rows by a gather."""
  import jax.numpy as jnp
  from t5x.examples.t5 import layers

  class GatherEmbed(layers.Embed):
    def __call__(self, inputs):
      return jnp.asarray(self.embedding, self.dtype)[inputs]

  layers.Embed = GatherEmbed


def time_jax(size, batch: dict[str, np.ndarray], steps: int) -> float:
  """Milliseconds per jitted T5X step (loss, gradient, AdamW)."""
  import jax
  import optax
  from jax.sharding import Mesh, NamedSharding, PartitionSpec

  if FLAGS.embedding_lookup == "gather":
    _use_gather_embedding()
  model = _t5x_model(size)
  shapes = {k: v.shape for k, v in batch.items()}
  types = {k: v.dtype for k, v in batch.items()}
  params = model.get_initial_variables(jax.random.PRNGKey(0), shapes, types)[
    "params"
  ]
  optimizer = optax.adamw(
    train_step_vs_hf.LEARNING_RATE, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0
  )
  opt_state = optimizer.init(params)
  mesh = Mesh(np.array(jax.devices()), ("data",))
  replicated = NamedSharding(mesh, PartitionSpec())
  params, opt_state = jax.device_put((params, opt_state), replicated)
  batch = jax.device_put(batch, NamedSharding(mesh, PartitionSpec("data")))

  def step(params, opt_state, batch):
    def loss(p):
      return model.loss_fn(p, batch, dropout_rng=None)[0]

    value, grads = jax.value_and_grad(loss)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, value

  compiled = (
    jax.jit(step, donate_argnums=(0, 1))
    .lower(params, opt_state, batch)
    .compile()
  )
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, list) else cost
  print(
    f"{len(jax.devices())} device(s); per step {cost['flops'] / 1e9:.2f} "
    f"GFLOP, {cost['bytes accessed'] / 1e9:.2f} GB accessed (XLA's count)"
  )
  for _ in range(3):
    params, opt_state, value = compiled(params, opt_state, batch)
  value.block_until_ready()
  if FLAGS.trace_dir:
    jax.profiler.start_trace(FLAGS.trace_dir)
  start = time.perf_counter()
  for _ in range(steps):
    params, opt_state, value = compiled(params, opt_state, batch)
  value.block_until_ready()
  ms = (time.perf_counter() - start) / steps * 1000
  if FLAGS.trace_dir:
    jax.profiler.stop_trace()
    print_op_kinds(FLAGS.trace_dir, steps)
  return ms


def _op_kind(name: str) -> str | None:
  if name.startswith(("ThunkExecutor", "PjitFunction", "$", "Slinky")):
    return None  # Containers and waits, not operations.
  base = re.sub(r"\.\d+$", "", name)
  if base.startswith(("ynn_fusion", "xnn_fusion", "dot", "onednn")):
    return "dots"
  if any(k in base for k in ("copy", "transpose")):
    return "copies and transposes"
  return "other fusions (elementwise, reductions)"


def print_op_kinds(trace_dir: str, steps: int) -> None:
  """Time of XLA's operations by kind, per step, from the trace."""
  paths = sorted(
    glob.glob(os.path.join(trace_dir, "**", "*.trace.json.gz"), recursive=True)
  )
  with gzip.open(paths[-1]) as f:
    events = json.load(f)["traceEvents"]
  names = {
    (e["pid"], e["tid"]): e["args"]["name"]
    for e in events
    if e.get("ph") == "M" and e.get("name") == "thread_name"
  }
  kinds: collections.Counter = collections.Counter()
  counts: collections.Counter = collections.Counter()
  threads: collections.Counter = collections.Counter()
  for e in events:
    kind = e.get("ph") == "X" and _op_kind(e["name"])
    if kind:
      kinds[kind] += e["dur"] / 1e3 / steps
      counts[kind] += 1 / steps
      thread = names.get((e["pid"], e["tid"]), "?").split("/")[0]
      threads[thread] += e["dur"] / 1e3 / steps
  for kind, ms in kinds.most_common():
    print(f"  {kind}: {ms:.1f} ms/step in {counts[kind]:.0f} operations")
  for thread, ms in threads.most_common():
    print(f"  on {thread} threads: {ms:.1f} ms/step")


def time_torch(size, batch: dict[str, np.ndarray], steps: int) -> float:
  """Milliseconds per torch step (forward, backward, AdamW)."""
  import torch

  torch.set_num_threads(FLAGS.torch_threads)
  model = train_step_vs_hf.hf_model(size)
  model.train()
  optimizer = train_step_vs_hf.hf_optimizer(model)
  ids = torch.from_numpy(batch["encoder_input_tokens"].astype(np.int64))
  mask = (ids != 0).long()
  labels = torch.from_numpy(batch["decoder_target_tokens"].astype(np.int64))
  labels[labels == 0] = -100

  def step():
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

  for _ in range(3):
    step()
  start = time.perf_counter()
  for _ in range(steps):
    step()
  return (time.perf_counter() - start) / steps * 1000


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if len(FLAGS.lengths) != 2 or not all(
    v.isdigit() and int(v) > 0 for v in FLAGS.lengths
  ):
    raise app.UsageError(
      f"--lengths must be two positive integers, got {FLAGS.lengths}"
    )
  size = train_step_vs_hf.SIZES[FLAGS.size]
  inputs_length, targets_length = map(int, FLAGS.lengths)
  batch = make_batch(FLAGS.batch_size, inputs_length, targets_length)
  if FLAGS.side == "jax":
    ms = time_jax(size, batch, FLAGS.steps)
    how = (
      f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, embedding "
      f"{FLAGS.embedding_lookup}"
    )
  else:
    ms = time_torch(size, batch, FLAGS.steps)
    how = f"{FLAGS.torch_threads} thread(s)"
  print(
    f"{FLAGS.side} {FLAGS.size} {FLAGS.batch_size}x"
    f"{inputs_length}/{targets_length}: {ms:.1f} ms/step ({how}; "
    f"load {os.getloadavg()[0]:.2f})"
  )


if __name__ == "__main__":
  define_flags()
  app.run(main)
