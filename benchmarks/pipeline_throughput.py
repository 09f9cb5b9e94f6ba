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


r"""Throughput and padding of the seqio pipeline vs. the original's collator.

Usage:
  python benchmarks/pipeline_throughput.py --vocab=PATH.model \
    [--data_dir=DIR] [--mixture=ie_instructions_supervised] \
    [--num_examples=20000] [--indexed_examples=1000000] \
    [--packed_inputs_length=3072] \
    [--packed_targets_length=448] [--seed=0] [--cache_dir=DIR]

Both pipelines consume the same examples: the mixture's train stream
(seeded), read from the raw JSON files.

* packed (ours): `seqio.get_dataset(mixture, converter)` from raw instances
  to packed rows of --packed_{inputs,targets}_length with
  `seqio.EncDecFeatureConverter(pack=True)` (seqio's tf-ops packer), timed
  - "first epoch": prompts built, tokenized and packed in tf.data, timed
    after --first_epoch_warmup examples (shuffle buffers full) and within
    the first epoch;
  - "cached epochs": with the `memory_cache` data setting (the
    in-process stand-in for seqio's offline cache), timed after
    --warmup_epochs epochs.
* indexed (ours): `instructuie_t5x.indexed_mixture.IndexedMixture` over the same
  mixture and seed: every task loaded once (prompts built and tokenized;
  its time is reported as `load_s`), then mixed and packed a block at a
  time; timed after the first-epoch warm-up. A second rate spreads the
  loading over one epoch.
* baseline (the original's way): the prompts as text (built beforehand, not
  timed), then per batch of 8, as `DataCollatorForUIE.seq2seq_call` does:
  tokenize each source, truncate to 512 tokens and decode it back, tokenize
  the batch again (sources 512, targets 50) and pad to the batch's longest
  ("dynamic"); "static" pads every example to 512/50. Timed after a warm-up
  of its own. A second rate adds the Python prompt building to it.

Prints a table of examples/s, non-pad token fraction, speed-up against the
baseline and time to the first batch (start-up, not in the rates), and how
many examples exceed the feature lengths (the baseline truncates them; the
packed run's count is against the packed lengths). Run it on a quiet
machine for the numbers that count.
"""

from __future__ import annotations

import functools
import gc
import os
import time

import numpy as np
from absl import app, flags, logging

FLAGS = flags.FLAGS
ORIGINAL_LENGTHS = {"inputs": 512, "targets": 50}
BASELINE_BATCH = 8
BASELINE_WARMUP_BATCHES = 200


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("mixture", "ie_instructions_supervised", "Mixture.")
  flags.DEFINE_string("data_dir", None, "Data root (overrides the env).")
  flags.DEFINE_string("vocab", None, "SentencePiece model (default: env).")
  flags.DEFINE_integer("num_examples", 20000, "Examples per pipeline.")
  flags.DEFINE_integer(
    "indexed_examples",
    1000000,
    "Examples timed in the indexed runs (fast: more for a stable rate).",
  )
  flags.DEFINE_integer("packed_inputs_length", 3072, "Packed inputs length.")
  flags.DEFINE_integer("packed_targets_length", 448, "Packed targets length.")
  flags.DEFINE_integer("seed", 0, "Mixture sampling seed.")
  flags.DEFINE_string(
    "cache_dir",
    None,
    "seqio cache of the mixture's tasks (tools/cache_tasks.sh, same "
    "vocabulary): adds an indexed run that loads from it.",
  )
  flags.DEFINE_float(
    "warmup_epochs", 1.2, "Epochs consumed before timing the cached runs."
  )
  flags.DEFINE_integer(
    "first_epoch_warmup",
    25000,
    "Examples consumed before timing the first-epoch runs (capped so the "
    "timed examples stay in the first epoch).",
  )


def _mixture(name: str) -> str:
  from tasks import mixtures

  name, missing = mixtures.available_mixture(name)
  if missing:
    print(f"{len(missing)} tasks without data left out (e.g. {min(missing)})")
  return name


def text_examples(name: str, n: int, seed: int) -> list[tuple[str, str]]:
  """The first `n` (inputs, targets) texts of the mixture's train stream."""
  import seqio

  ds = seqio.get_mixture_or_task(name).get_dataset(
    sequence_length=None,
    split="train",
    shuffle=True,
    seed=seed,
    num_epochs=None,
    copy_pretokenized=True,
    trim_output_features=False,
  )
  out = []
  for ex in ds.take(n).as_numpy_iterator():
    out.append(
      (ex["inputs_pretokenized"].decode(), ex["targets_pretokenized"].decode())
    )
  return out


def packed_run(
  name: str,
  n: int,
  seed: int,
  lengths: dict[str, int],
  converter,
  *,
  warmup: int = 0,
) -> dict[str, float]:
  """Times `seqio.get_dataset(name, converter)` (see `time_rows`)."""
  import seqio

  start = time.perf_counter()
  ds = seqio.get_dataset(
    name,
    task_feature_lengths=lengths,
    feature_converter=converter,
    dataset_split="train",
    shuffle=True,
    num_epochs=None,
    seed=seed,
    verbose=False,
  )
  return time_rows(ds, n, lengths, start, warmup)


def indexed_run(
  name: str,
  n: int,
  seed: int,
  lengths: dict[str, int],
  *,
  warmup: int = 0,
  use_cached: bool = False,
) -> dict[str, float]:
  """Times `instructuie_t5x.indexed_mixture` (see `time_rows`); `load_s` is the time
  its tasks took to load (prompts built and tokenized in one pass, or read
  from seqio's cache)."""
  from instructuie_t5x import indexed_mixture

  start = time.perf_counter()
  mixture = indexed_mixture.IndexedMixture.load(
    name, lengths, seed=seed, use_cached=use_cached
  )
  load_s = time.perf_counter() - start
  run = time_rows(mixture.get_dataset(), n, lengths, start, warmup)
  return {**run, "load_s": round(load_s, 2)}


def time_rows(
  ds, n: int, lengths: dict[str, int], start: float, warmup: int = 0
) -> dict[str, float]:
  """Times packed rows of `ds` for `n` examples after `warmup` more.

  `first_batch_s` is the time from `start` (the pipeline's creation) to the
  first packed row (start-up: loading, shuffle buffers, the first block);
  the rate counts only the examples after the first `warmup` ones.
  """
  examples = rows = non_pad = 0
  first_batch = None
  timing = warmup <= 0
  for row in ds.as_numpy_iterator():
    if first_batch is None:
      first_batch = time.perf_counter() - start
      if timing:
        start = time.perf_counter()
    k = int(row["encoder_segment_ids"].max())
    if not timing:
      warmup -= k
      if warmup <= 0:
        timing = True
        gc.collect()  # Not inside the timed window.
        start = time.perf_counter()
      continue
    examples += k
    rows += 1
    non_pad += int((row["encoder_input_tokens"] != 0).sum())
    non_pad += int((row["decoder_target_tokens"] != 0).sum())
    if examples >= n:
      break
  seconds = time.perf_counter() - start
  capacity = rows * (lengths["inputs"] + lengths["targets"])
  return {
    "examples": examples,
    "rows": rows,
    "seconds": round(seconds, 2),
    "examples_per_s": round(examples / seconds, 1),
    "non_pad_fraction": round(non_pad / capacity, 4),
    "first_batch_s": round(first_batch, 2),
  }


def epoch_size(name: str) -> int:
  """Train examples of one pass over every task (rates without a cap)."""
  import seqio

  from tasks import mixtures, preprocessors

  total = 0.0
  for task in seqio.get_mixture_or_task(name).tasks:
    scale = 1.0
    if mixtures.task_types.get(mixtures.task_type_of(task)).auxiliary:
      scale = preprocessors.prompt_options().aux_prob
    total += task.num_input_examples("train") * scale
  return int(total)


def _encode(sp, text: str, limit: int) -> list[int]:
  """HF-style: pieces + EOS, truncated to `limit` (EOS kept last)."""
  ids = sp.encode(text)
  return ids[: limit - 1] + [1]


def baseline_collate(
  sp, batch: list[tuple[str, str]]
) -> tuple[np.ndarray, ...]:
  """One batch the way the original collator builds it (dynamic padding)."""
  max_src, max_tgt = ORIGINAL_LENGTHS["inputs"], ORIGINAL_LENGTHS["targets"]
  sources = []
  for source, _ in batch:
    ids = sp.encode(source) + [1]
    if len(ids) <= max_src:
      sources.append(source)
    else:
      sources.append(sp.decode(ids[:max_src]))
  inputs = [_encode(sp, s, max_src) for s in sources]
  labels = [_encode(sp, t, max_tgt) for _, t in batch]
  arrays = []
  for seqs in (inputs, labels):
    width = max(len(s) for s in seqs)
    a = np.zeros((len(seqs), width), dtype=np.int32)
    for i, s in enumerate(seqs):
      a[i, : len(s)] = s
    arrays.append(a)
  return tuple(arrays)


def baseline_run(
  sp, texts: list[tuple[str, str]], warmup: int = 0
) -> dict[str, float]:
  """Times the original-style collator over `texts` after `warmup` batches
  (the warm-up batches are the first ones of `texts`, collated twice)."""
  for i in range(0, warmup * BASELINE_BATCH, BASELINE_BATCH):
    baseline_collate(sp, texts[i : i + BASELINE_BATCH])
  gc.collect()
  start = time.perf_counter()
  first_batch = None
  dynamic_tokens = dynamic_capacity = 0
  for i in range(0, len(texts), BASELINE_BATCH):
    inputs, labels = baseline_collate(sp, texts[i : i + BASELINE_BATCH])
    if first_batch is None:
      first_batch = time.perf_counter() - start
    dynamic_tokens += int((inputs != 0).sum() + (labels != 0).sum())
    dynamic_capacity += inputs.size + labels.size
  seconds = time.perf_counter() - start
  static_capacity = len(texts) * sum(ORIGINAL_LENGTHS.values())
  return {
    "examples": len(texts),
    "seconds": round(seconds, 2),
    "examples_per_s": round(len(texts) / seconds, 1),
    "non_pad_fraction_dynamic": round(dynamic_tokens / dynamic_capacity, 4),
    "non_pad_fraction_static": round(dynamic_tokens / static_capacity, 4),
    "first_batch_s": round(first_batch, 4),
  }


def build_time(name: str, n: int) -> float:
  """Seconds Python takes to build `n` prompts, spread over the tasks."""
  import seqio

  from tasks import mixtures, preprocessors, sources

  tasks = seqio.get_mixture_or_task(name).tasks
  per_task = max(1, n // len(tasks))
  options = preprocessors.prompt_options()
  seconds = 0.0
  built = 0
  for task in tasks:
    spec = task.source.spec
    feats = sources.load_features(
      spec, sources.data_dir(spec.benchmark), "train"
    )
    cols = [feats[k][:per_task] for k in sources.FEATURES]
    start = time.perf_counter()
    preprocessors.build_batch(
      mixtures.task_type_of(task),
      spec.name,
      options,
      *cols,
      label_pool=functools.partial(sources.family_label_pool, spec),
    )
    seconds += time.perf_counter() - start
    built += len(cols[0])
  return seconds * n / built


def length_overflows(sp, texts, lengths) -> dict[str, int]:
  """Examples whose token count (with EOS) exceeds `lengths`."""
  over = {"inputs": 0, "targets": 0}
  for source, target in texts:
    over["inputs"] += len(sp.encode(source)) + 1 > lengths["inputs"]
    over["targets"] += len(sp.encode(target)) + 1 > lengths["targets"]
  return over


def packing_fractions(sp, texts, candidates) -> dict[tuple[int, int], float]:
  """Non-pad fraction of greedy sequential packing (seqio's algorithm) of
  `texts` into rows of each candidate `(inputs, targets)` length."""
  lengths = [(len(sp.encode(s)) + 1, len(sp.encode(t)) + 1) for s, t in texts]
  out = {}
  for li, lt in candidates:
    rows, used_i, used_t, tokens = 1, 0, 0, 0
    for a, b in lengths:
      a, b = min(a, li), min(b, lt)
      if used_i + a > li or used_t + b > lt:
        rows, used_i, used_t = rows + 1, 0, 0
      used_i, used_t, tokens = used_i + a, used_t + b, tokens + a + b
    out[(li, lt)] = round(tokens / (rows * (li + lt)), 4)
  return out


def _row(label: str, run: dict, base: float, non_pad: float) -> str:
  rate = run["examples_per_s"]
  return (
    f"| {label} | {rate:.0f} | {non_pad:.4f} | {rate / base:.2f}x"
    f" | {run['first_batch_s']} |"
  )


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  logging.set_verbosity(logging.WARNING)
  import sentencepiece as spm
  import seqio

  from tasks import settings
  from tasks import vocab as vocab_lib

  settings.configure(
    vocab=FLAGS.vocab,
    ie_instructions_dir=FLAGS.data_dir,
    tiny_dir=FLAGS.data_dir,
  )

  path, _ = vocab_lib.vocabulary_spec()
  sp = spm.SentencePieceProcessor(model_file=path)
  name = _mixture(FLAGS.mixture)
  n, seed = FLAGS.num_examples, FLAGS.seed
  packed_lengths = {
    "inputs": FLAGS.packed_inputs_length,
    "targets": FLAGS.packed_targets_length,
  }
  print(f"mixture {name}, {n} examples, vocab {path}, cpus {os.cpu_count()}")
  epoch = epoch_size(name)
  first_warmup = max(0, min(FLAGS.first_epoch_warmup, epoch - n))
  cached_warmup = int(epoch * FLAGS.warmup_epochs)
  print(
    f"epoch {epoch} examples; warm-up (not timed): first epoch "
    f"{first_warmup}, cached {cached_warmup} examples, baseline "
    f"{BASELINE_WARMUP_BATCHES} batches"
  )
  texts = text_examples(name, n, seed)  # Also warms the file caches.
  base = baseline_run(sp, texts, BASELINE_WARMUP_BATCHES)
  built = build_time(name, n)
  with_build = n / (base["seconds"] + built)
  print(f"baseline (collator only): {base}")
  print(f"baseline + prompt building: {with_build:.1f} examples/s")
  indexed = indexed_run(
    name, FLAGS.indexed_examples, seed, packed_lengths, warmup=first_warmup
  )
  print(f"indexed mixture {packed_lengths}: {indexed}", flush=True)
  indexed_cached = None
  if FLAGS.cache_dir:
    from tasks import cache

    tasks = seqio.get_mixture_or_task(name).tasks
    with cache.only_cache_dir(FLAGS.cache_dir, tasks):
      indexed_cached = indexed_run(
        name,
        FLAGS.indexed_examples,
        seed,
        packed_lengths,
        warmup=first_warmup,
        use_cached=True,
      )
    print(f"indexed mixture from the cache: {indexed_cached}", flush=True)
  converters = {
    "seqio packer": lambda: seqio.EncDecFeatureConverter(pack=True),
  }
  runs = {}
  for cached in (False, True):
    warmup = cached_warmup if cached else first_warmup
    phase = "cached epochs" if cached else "first epoch"
    for label, make in converters.items():
      with settings.scoped(memory_cache=cached):
        run = packed_run(name, n, seed, packed_lengths, make(), warmup=warmup)
      runs[(label, phase)] = run
      print(f"{label}, {phase} {packed_lengths}: {run}", flush=True)
  # The first epoch of the indexed mixture, its loading included.
  first_epoch = epoch / (indexed["load_s"] + epoch / indexed["examples_per_s"])
  rate = base["examples_per_s"]
  print()
  print(
    "| pipeline | examples/s | non-pad fraction | vs baseline | first batch (s) |"
  )
  print("|---|---|---|---|---|")
  print(
    _row(
      "baseline 512/50, dynamic pad",
      base,
      rate,
      base["non_pad_fraction_dynamic"],
    )
  )
  print(
    f"| baseline + prompt building | {with_build:.0f} | | {with_build / rate:.2f}x | |"
  )
  for (label, phase), run in runs.items():
    print(_row(f"packed, {label}, {phase}", run, rate, run["non_pad_fraction"]))
  print(
    _row(
      "packed, indexed mixture (instructuie_t5x.indexed_mixture)",
      indexed,
      rate,
      indexed["non_pad_fraction"],
    )
  )
  print(
    f"| indexed mixture, first epoch with its {indexed['load_s']} s of "
    f"loading | {first_epoch:.0f} | | {first_epoch / rate:.2f}x | |"
  )
  if indexed_cached:
    print(
      _row(
        "packed, indexed mixture, loaded from seqio's cache",
        indexed_cached,
        rate,
        indexed_cached["non_pad_fraction"],
      )
    )
  print(
    f"(static 512/50 padding: non-pad fraction {base['non_pad_fraction_static']})"
  )
  mean = np.mean(
    [(len(sp.encode(a)) + 1, len(sp.encode(b)) + 1) for a, b in texts], axis=0
  )
  print(f"mean tokens: inputs {mean[0]:.1f}, targets {mean[1]:.1f}")
  candidates = [(2048, 288), (2048, 320), (2048, 384), (3072, 448), (4096, 576)]
  fractions = packing_fractions(sp, texts, candidates)
  print(f"non-pad fraction by packed lengths: {fractions}")
  print(
    f"over 512/50 (baseline truncates): {length_overflows(sp, texts, ORIGINAL_LENGTHS)}"
  )
  print(
    f"over packed lengths (trimmed): {length_overflows(sp, texts, packed_lengths)}"
  )


if __name__ == "__main__":
  define_flags()
  app.run(main)
