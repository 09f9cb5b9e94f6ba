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

r"""Training speed: T5X (this project) against Hugging Face + PyTorch.

Usage:
  python benchmarks/train_step_vs_hf.py [--work_dir=/tmp/train_vs_hf] \
    [--sizes=tiny,small] [--paths=t5x_unpacked,t5x_packed,hf_collator,hf_tensors] \
    [--threads=1,2] [--packed_lengths=384,80] [--steps=N] [--json=PATH]

Both sides train the same T5 v1.1 architecture (gated-GELU, untied output
layer, relative attention bias; the dimensions of `SIZES`) from scratch in
float32, with AdamW at a constant rate (beta 0.9/0.999, eps 1e-8, no weight
decay), batches of --batch_size examples, on the prompts of the tiny run's
synthetic training mixture (`ie_tiny_train`, data and vocabulary as made by
`tools.run_local_tiny`), inputs up to 96 and targets up to 32 tokens.

* `t5x_unpacked`: `python -m t5x.train` with gin/runs/local_tiny.gin (the
  SeqIO per-example pipeline, every row padded to 96/32).
* `t5x_packed`: the same with gin/runs/packed_train.gin: rows of 384/80
  packed by the block-indexed mixture, --packed_rows rows a batch.
* `hf_collator`: `transformers.T5ForConditionalGeneration` and a plain torch
  loop, each batch built as the original's `DataCollatorForUIE` does
  (tokenize, pad to the batch's longest), inside the timed loop.
* `hf_tensors`: the same model fed from batches made before timing.

Both sides minimize the mean cross-entropy over the real target tokens (T5X's
z-loss is set to 0 here). Each Hugging Face path is timed once per --threads
count (torch intra-op threads; JAX uses every core): on a shared 2-core
machine two torch threads can be several times slower than one (OpenMP
threads spin while other processes want the cores), so the fastest
`hf_collator` row of a size is the peer.

T5X's numbers come from the summaries its trainer writes, over every stats
window after the first (the pipeline's warm-up; compilation comes before):
steps over the summed `timing/seconds`, real target tokens as
`timing/target_tokens_per_second` times `non_padding_fraction/loss_weights`,
examples as `timing/seqs` (unpacked) or T5X's count of packed examples
(`effective_batch_size/decoder`). Real target tokens are the non-pad target
tokens, EOS included, on both sides; nothing of this data is cut at 96/32.
Prints a table with the ratio of each row to the peer; report the machine's
load (`uptime`) beside the numbers.
"""

from __future__ import annotations

import dataclasses
import glob
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence

import numpy as np
from absl import app, flags

_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO not in sys.path:
  sys.path.insert(0, _REPO)

from instructuie_t5x import pipeline  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Size:
  """Model dimensions and how long to time them."""

  embed_dim: int
  num_heads: int
  head_dim: int
  mlp_dim: int
  num_layers: int
  steps: int
  stats_period: int


# `tiny` is gin/models/tiny.gin; `small` is where compute dominates.
SIZES: dict[str, Size] = {
  "tiny": Size(64, 4, 16, 256, 2, steps=600, stats_period=100),
  "small": Size(256, 4, 64, 1024, 6, steps=60, stats_period=10),
}
PATHS = ("t5x_unpacked", "t5x_packed", "hf_collator", "hf_tensors")
LENGTHS = {"inputs": 96, "targets": 32}
# The data's prompts average 66.5 tokens and targets 11.6 (5.7:1): rows of
# 384/80 fill 0.89/0.74 of their slots; 384/128 left 0.53 of targets empty.
PACKED_LENGTHS = {"inputs": 384, "targets": 80}
VOCAB_SIZE = 1024
LEARNING_RATE = 1e-3

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "work_dir", "/tmp/train_vs_hf", "Data, vocabulary and model directories."
  )
  flags.DEFINE_list("sizes", list(SIZES), "Model sizes to time.")
  flags.DEFINE_list("paths", list(PATHS), "Training paths to time.")
  flags.DEFINE_integer("batch_size", 32, "Examples per batch.")
  flags.DEFINE_integer("packed_rows", 8, "Packed rows per batch (t5x_packed).")
  flags.DEFINE_list(
    "packed_lengths",
    [str(PACKED_LENGTHS["inputs"]), str(PACKED_LENGTHS["targets"])],
    "Inputs,targets length of a packed row (t5x_packed).",
  )
  flags.DEFINE_integer(
    "steps", None, "Timed steps per path (default: the size's own)."
  )
  flags.DEFINE_list(
    "threads",
    ["1", str(os.cpu_count())],
    "torch intra-op thread counts, each timed; the fastest is the peer "
    "(JAX uses every core).",
  )
  flags.DEFINE_integer("seed", 0, "Data and initialization seed.")
  flags.DEFINE_string("json", None, "Also write the rows here.")


_TIMING_GIN = """\
from __gin__ import dynamic_registration

import __main__ as train_script

train_script.train.infer_eval_dataset_cfg = None
train_script.train.stats_period = {stats_period}
"""


def _t5x_bindings(
  size: Size, steps: int, packed: bool, timing_gin: str
) -> list[str]:
  # Timing only: no decoding evaluation, one checkpoint at the end.
  bindings = [
    f"include '{timing_gin}'",
    f"EMBED_DIM={size.embed_dim}",
    f"NUM_HEADS={size.num_heads}",
    f"HEAD_DIM={size.head_dim}",
    f"MLP_DIM={size.mlp_dim}",
    f"NUM_ENCODER_LAYERS={size.num_layers}",
    f"NUM_DECODER_LAYERS={size.num_layers}",
    f"VOCAB_SIZE={VOCAB_SIZE}",
    f"BATCH_SIZE={FLAGS.batch_size}",
    f"TASK_FEATURE_LENGTHS={LENGTHS}",
    "OPTIMIZER=@optimizers.adamw()",
    # The peer's loss: mean cross-entropy over real target tokens, no z-loss.
    "Z_LOSS=0.0",
    "WEIGHT_DECAY=0.0",
    "utils.create_learning_rate_scheduler.factors='constant'",
    f"utils.create_learning_rate_scheduler.base_learning_rate={LEARNING_RATE}",
    f"utils.SaveCheckpointConfig.period={steps}",
  ]
  if packed:
    bindings += [
      "include 'gin/runs/packed_train.gin'",
      "PACKED_FEATURE_LENGTHS="
      f"{{'inputs': {FLAGS.packed_lengths[0]}, "
      f"'targets': {FLAGS.packed_lengths[1]}}}",
      f"PACKED_BATCH_SIZE={FLAGS.packed_rows}",
      "INDEXED_BLOCK_SIZE=1024",
    ]
  return bindings


def _scalars(event_dir: str) -> dict[str, list[tuple[int, float]]]:
  """Every scalar of the TensorBoard files in `event_dir`, by tag."""
  import tensorflow as tf

  found: dict[str, list[tuple[int, float]]] = {}
  for path in sorted(glob.glob(os.path.join(event_dir, "events.out.*"))):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        if value.HasField("tensor"):
          array = tf.make_ndarray(value.tensor)
          if array.dtype.kind not in "biuf" or array.size != 1:
            continue  # Text summaries (the gin config).
          number = float(array)
        else:
          number = float(value.simple_value)
        found.setdefault(value.tag, []).append((event.step, number))
  return found


def t5x_row(
  size_name: str, size: Size, steps: int, packed: bool
) -> dict[str, float]:
  """Trains with `python -m t5x.train`; rates from its summaries."""
  path = "t5x_packed" if packed else "t5x_unpacked"
  model_dir = os.path.join(FLAGS.work_dir, f"{size_name}_{path}")
  if os.path.exists(model_dir):
    import shutil

    shutil.rmtree(model_dir)
  os.makedirs(model_dir)
  timing_gin = os.path.join(FLAGS.work_dir, f"{size_name}_{path}.gin")
  with open(timing_gin, "w", encoding="utf-8") as f:
    f.write(_TIMING_GIN.format(stats_period=size.stats_period))
  command = pipeline.train_command(
    model_dir,
    steps,
    steps,
    FLAGS.seed,
    [
      *pipeline.data_bindings(FLAGS.work_dir),
      *_t5x_bindings(size, steps, packed, timing_gin),
    ],
  )
  pipeline.run_logged(
    command,
    pipeline.subprocess_env(),
    os.path.join(FLAGS.work_dir, f"{size_name}_{path}.log"),
  )
  return window_rates(
    _scalars(os.path.join(model_dir, "train")), packed, model_dir
  )


def window_rates(
  scalars: dict[str, list[tuple[int, float]]], packed: bool, where: str = ""
) -> dict[str, float]:
  """Rates over every stats window after the first, from T5X's summaries.

  Each window's duration is its `timing/seconds`; the rates are totals over
  the summed durations (not a mean of per-window rates). Real target tokens
  are `timing/target_tokens_per_second` (every target slot) times the
  window's `non_padding_fraction/loss_weights`; examples are the packed
  examples T5X counts (`effective_batch_size/decoder`, per step) on the
  packed path and `timing/seqs` otherwise.

  Raises:
    RuntimeError: fewer than two stats windows.
  """
  by_tag = {tag: dict(values) for tag, values in scalars.items()}
  seconds = by_tag.get("timing/seconds", {})
  ends = sorted(seconds)
  if len(ends) < 2:
    raise RuntimeError(f"fewer than two stats windows in {where}")
  # The first window holds the pipeline's warm-up (compilation is before).
  total_s = total_steps = tokens = examples = 0.0
  for start, end in itertools.pairwise(ends):
    s, steps = seconds[end], end - start
    total_s += s
    total_steps += steps
    tokens += (
      by_tag["timing/target_tokens_per_second"][end]
      * s
      * by_tag["non_padding_fraction/loss_weights"][end]
    )
    if packed:
      examples += by_tag["effective_batch_size/decoder"][end] * steps
    else:
      examples += by_tag["timing/seqs"][end]
  return {
    "steps_per_s": total_steps / total_s,
    "real_target_tokens_per_s": tokens / total_s,
    "examples_per_s": examples / total_s,
    "timed_steps": int(total_steps),
  }


def _texts(n: int) -> list[tuple[str, str]]:
  """The first `n` (inputs, targets) texts of ie_tiny_train's stream."""
  from benchmarks import pipeline_throughput
  from tasks import mixtures  # noqa: F401  (registers the mixtures)

  return pipeline_throughput.text_examples("ie_tiny_train", n, FLAGS.seed)


def hf_model(size: Size, seed: int = 0):
  """`T5ForConditionalGeneration` of `size`, T5 v1.1, no dropout."""
  import torch
  import transformers

  torch.manual_seed(seed)
  config = transformers.T5Config(
    vocab_size=VOCAB_SIZE,
    d_model=size.embed_dim,
    d_kv=size.head_dim,
    d_ff=size.mlp_dim,
    num_layers=size.num_layers,
    num_decoder_layers=size.num_layers,
    num_heads=size.num_heads,
    relative_attention_num_buckets=32,
    relative_attention_max_distance=128,
    dropout_rate=0.0,
    feed_forward_proj="gated-gelu",
    tie_word_embeddings=False,
    decoder_start_token_id=0,
    pad_token_id=0,
    eos_token_id=1,
  )
  # As T5X's network: one token embedding shared by encoder and decoder and
  # a separate output layer. transformers 5 ignores tie_word_embeddings=False
  # in the constructor, and set afterwards it unties all three.
  config.tie_word_embeddings = False
  model = transformers.T5ForConditionalGeneration(config)
  model.encoder.embed_tokens = model.decoder.embed_tokens = model.shared
  if model.lm_head.weight is model.shared.weight:
    raise RuntimeError("the Hugging Face output layer is tied; T5X's is not")
  return model


def hf_optimizer(model):
  """The peer's optimizer: AdamW as T5X's side (constant rate, no decay)."""
  import torch

  return torch.optim.AdamW(
    model.parameters(),
    lr=LEARNING_RATE,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
  )


def _collate(sp, batch):
  """The original collator's batch as torch tensors (labels -100 at pads)."""
  import torch

  from benchmarks import pipeline_throughput

  inputs, labels = pipeline_throughput.baseline_collate(sp, batch)
  inputs = inputs[:, : LENGTHS["inputs"]]
  labels = labels[:, : LENGTHS["targets"]]
  input_ids = torch.from_numpy(inputs.astype(np.int64))
  label_ids = torch.from_numpy(labels.astype(np.int64))
  label_ids[label_ids == 0] = -100
  return input_ids, (input_ids != 0).long(), label_ids


def hf_row(
  size: Size,
  steps: int,
  texts: Sequence[tuple[str, str]],
  sp,
  premade: bool,
  *,
  batch: int,
  threads: int,
  seed: int = 0,
) -> dict[str, float]:
  """Times a plain torch training loop of the Hugging Face model.

  Args:
    size: Model dimensions.
    steps: Timed steps (after max(3, steps // 10) warm-up steps).
    texts: (inputs, targets) texts, at least `batch` per step.
    sp: The SentencePiece processor (`encode`, `decode`).
    premade: Collate every batch before timing (else inside the loop).
    batch: Examples per batch.
    threads: torch intra-op threads.
    seed: Initialization seed.

  Returns:
    The row's rates (see the module docstring).
  """
  import torch

  torch.set_num_threads(threads)
  model = hf_model(size, seed)
  model.train()
  optimizer = hf_optimizer(model)
  warmup = max(3, steps // 10)
  total = warmup + steps
  batches = [texts[i * batch : (i + 1) * batch] for i in range(total)]
  if premade:
    batches = [_collate(sp, b) for b in batches]

  def step(item) -> tuple[int, int]:
    input_ids, mask, labels = item if premade else _collate(sp, item)
    loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return int((labels != -100).sum()), int(labels.shape[0])

  for item in batches[:warmup]:
    step(item)
  real_tokens = examples = 0
  start = time.perf_counter()
  for item in batches[warmup:]:
    tokens, n = step(item)
    real_tokens += tokens
    examples += n
  seconds = time.perf_counter() - start
  return {
    "steps_per_s": steps / seconds,
    "real_target_tokens_per_s": real_tokens / seconds,
    "examples_per_s": examples / seconds,
    "timed_steps": steps,
  }


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  unknown = [s for s in FLAGS.sizes if s not in SIZES]
  unknown += [p for p in FLAGS.paths if p not in PATHS]
  if unknown:
    raise app.UsageError(f"Unknown size or path: {', '.join(unknown)}")
  if len(FLAGS.packed_lengths) != 2 or not all(
    v.isdigit() and int(v) > 0 for v in FLAGS.packed_lengths
  ):
    raise app.UsageError(
      f"--packed_lengths must be two positive integers, got "
      f"{','.join(FLAGS.packed_lengths)}"
    )
  if pipeline.t5x_root() is None:
    print(pipeline.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  import sentencepiece

  from tasks import settings

  work_dir = FLAGS.work_dir
  settings.configure(
    vocab=os.path.join(work_dir, "vocab.model"),
    tiny_dir=os.path.join(work_dir, "data"),
  )
  pipeline.prepare_data(work_dir, FLAGS.seed)
  sp = sentencepiece.SentencePieceProcessor(
    model_file=os.path.join(work_dir, "vocab.model")
  )
  most_steps = max(
    (FLAGS.steps or SIZES[s].steps) * 11 // 10 + 3 for s in FLAGS.sizes
  )
  texts = _texts(most_steps * FLAGS.batch_size)
  mean_target = statistics.mean(
    min(len(sp.encode(t)) + 1, LENGTHS["targets"]) for _, t in texts
  )
  print(
    f"{len(texts)} examples, mean real target tokens {mean_target:.2f}; "
    f"{os.cpu_count()} cores, torch threads {','.join(FLAGS.threads)}",
    flush=True,
  )
  rows = []
  for size_name in FLAGS.sizes:
    size = SIZES[size_name]
    if FLAGS.steps:
      steps = FLAGS.steps
      size = dataclasses.replace(size, stats_period=max(1, steps // 5))
    else:
      steps = size.steps
    for path in FLAGS.paths:
      print(f"[{size_name}] {path}: {steps} steps ...", flush=True)
      if path.startswith("t5x"):
        row = t5x_row(size_name, size, steps, path == "t5x_packed")
        rows.append({"size": size_name, "path": path, **row})
        print(json.dumps(rows[-1]), flush=True)
        continue
      for threads in FLAGS.threads:
        row = hf_row(
          size,
          steps,
          texts,
          sp,
          premade=path == "hf_tensors",
          batch=FLAGS.batch_size,
          threads=int(threads),
          seed=FLAGS.seed,
        )
        rows.append({"size": size_name, "path": path, **row})
        rows[-1]["threads"] = int(threads)
        print(json.dumps(rows[-1]), flush=True)
  print()
  print(
    f"{'size':6} {'path':20} {'steps/s':>8} {'real tgt tok/s':>15} "
    f"{'examples/s':>11} {'tok/s vs hf_collator':>21}"
  )
  for row in rows:
    # The peer: the fastest hf_collator row of the size (any thread count).
    peer = max(
      (
        r
        for r in rows
        if r["size"] == row["size"] and r["path"] == "hf_collator"
      ),
      key=lambda r: r["real_target_tokens_per_s"],
      default=None,
    )
    name = row["path"] + (f" ({row['threads']}t)" if "threads" in row else "")
    ratio = (
      f"{row['real_target_tokens_per_s'] / peer['real_target_tokens_per_s']:.2f}x"
      if peer
      else "-"
    )
    print(
      f"{row['size']:6} {name:20} {row['steps_per_s']:8.2f} "
      f"{row['real_target_tokens_per_s']:15.0f} {row['examples_per_s']:11.1f} "
      f"{ratio:>21}"
    )
  if FLAGS.json:
    with open(FLAGS.json, "w", encoding="utf-8") as f:
      json.dump(rows, f, indent=1)


if __name__ == "__main__":
  define_flags()
  app.run(main)
