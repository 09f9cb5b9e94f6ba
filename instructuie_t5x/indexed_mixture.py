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


"""A packed training stream over a seqio mixture, built a block at a time.

`seqio.get_dataset(mixture, converter)` samples, shuffles, trims and packs
example by example in tf.data; on a small host those per-example steps, not
tokenizing, bound the rate. `IndexedMixture` keeps the mixture's tasks,
rates and packing rule but makes every step work on blocks of examples, and
makes block `b` a pure function of `(seed, b)`:

1. Load. Each task's training examples go once through the task's own seqio
   pipeline (`Task.get_dataset`, from seqio's offline cache with
   `use_cached=True`) into flat numpy arrays. Sequences longer than the
   feature lengths keep their first `length - 1` tokens and their last one
   (EOS), as seqio's `append_eos_after_trim` does; they are counted.
2. Mix. Block `b` takes from task `t` the draws `n` in `[c_t(b), c_t(b+1))`,
   `c_t(b) = floor(b * block_size * p_t + u_t)`, with `p_t` the mixture's
   normalized rate and `u_t` a seeded offset in [0, 1): every block follows
   the rates to within one example per task. Draw `n` is example
   `perm(t, n // N_t)[n % N_t]` of the task's `N_t`: each epoch of a task is
   a fresh seeded permutation, so no example repeats within one.
3. Pack. The block's examples are shuffled (seeded by `b`) and packed into
   rows with `instructuie_t5x.packing.pack_block` (seqio's greedy rule; a block's last
   row is emitted as it is).

Host `h` of `H` reads blocks `h, h + H, ...`: the hosts' streams together are
the one-host stream. Every host holds all the tokenized examples in memory
(about 4 bytes a token). The tf.data state is a block counter, so the iterator
checkpoints cheaply. Post-cache preprocessors run once, at loading: they
must be deterministic (the tasks here append EOS only).

T5X: `train.get_dataset_fn = @instructuie_t5x.indexed_mixture.get_dataset` (see
`gin/runs/packed_train.gin`).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import time
from collections.abc import Mapping, Sequence

import gin
import numpy as np
import seqio
import tensorflow as tf
from absl import logging

from instructuie_jax import rng as rng_lib
from instructuie_t5x import packing

DEFAULT_BLOCK_SIZE = 4096
_LOAD_BATCH = 1024


@dataclasses.dataclass(frozen=True)
class Ragged:
  """Sequences as flat `values` (int32) and `splits` (n + 1 offsets)."""

  values: np.ndarray
  splits: np.ndarray

  def __len__(self) -> int:
    return len(self.splits) - 1

  @property
  def lengths(self) -> np.ndarray:
    return np.diff(self.splits)

  def take(self, indices: np.ndarray) -> Ragged:
    """The sequences at `indices`, in that order."""
    starts = self.splits[indices]
    lengths = self.splits[indices + 1] - starts
    splits = np.zeros(len(indices) + 1, np.int64)
    np.cumsum(lengths, out=splits[1:])
    gather = np.repeat(starts - splits[:-1], lengths) + np.arange(splits[-1])
    return Ragged(self.values[gather], splits)

  def trim_keep_last(self, limit: int) -> tuple[Ragged, int]:
    """Cuts sequences longer than `limit` to their first `limit - 1` tokens
    and their last token; returns the result and how many were cut."""
    lengths = self.lengths
    cut = lengths > limit
    if not cut.any():
      return self, 0
    positions = np.arange(len(self.values)) - np.repeat(
      self.splits[:-1], lengths
    )
    long = np.repeat(cut, lengths)
    last = positions == np.repeat(lengths - 1, lengths)
    keep = ~long | (positions < limit - 1) | last
    kept = np.where(cut, limit, lengths)
    splits = np.zeros(len(kept) + 1, np.int64)
    np.cumsum(kept, out=splits[1:])
    return Ragged(self.values[keep], splits), int(cut.sum())

  @classmethod
  def concatenate(cls, parts: list[Ragged]) -> Ragged:
    if not parts:
      return cls(np.zeros(0, np.int32), np.zeros(1, np.int64))
    lengths = np.concatenate([p.lengths for p in parts])
    splits = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=splits[1:])
    return cls(np.concatenate([p.values for p in parts]), splits)


@dataclasses.dataclass(frozen=True)
class TaskExamples:
  """One task's examples in a mixture, and what loading them found."""

  name: str
  rate: float
  inputs: Ragged
  targets: Ragged
  cut_inputs: int = 0
  cut_targets: int = 0

  def __len__(self) -> int:
    return len(self.inputs)


def load_task(
  task: seqio.Task,
  split: str,
  feature_lengths: Mapping[str, int],
  *,
  rate: float = 1.0,
  use_cached: bool = False,
) -> TaskExamples:
  """Reads a task's examples of `split` once, in order.

  Sequences are trimmed to `feature_lengths` (last token kept) and counted.
  A cached split of no examples is read as empty (seqio's reader fails on
  the info file its writer leaves for one).
  """
  empty = Ragged.concatenate([])
  if use_cached and task.get_cached_stats(split)["examples"] == 0:
    return TaskExamples(task.name, rate, inputs=empty, targets=empty)
  ds = task.get_dataset(
    sequence_length=None,
    split=split,
    use_cached=use_cached,
    shuffle=False,
    num_epochs=1,
    trim_output_features=False,
  )

  def flat(batch):
    return {
      k: (tf.cast(batch[k].flat_values, tf.int32), batch[k].row_splits)
      for k in ("inputs", "targets")
    }

  parts = {"inputs": [], "targets": []}
  for batch in ds.ragged_batch(_LOAD_BATCH).map(flat).as_numpy_iterator():
    for key, part in parts.items():
      part.append(Ragged(*batch[key]))
  trimmed = {
    key: Ragged.concatenate(part).trim_keep_last(feature_lengths[key])
    for key, part in parts.items()
  }
  return TaskExamples(
    task.name,
    rate,
    inputs=trimmed["inputs"][0],
    targets=trimmed["targets"][0],
    cut_inputs=trimmed["inputs"][1],
    cut_targets=trimmed["targets"][1],
  )


class IndexedMixture:
  """Packed rows of a mixture; block `b` depends on `(seed, b)` only."""

  def __init__(
    self,
    name: str,
    tasks: Sequence[TaskExamples],
    feature_lengths: Mapping[str, int],
    *,
    seed: int = 0,
    shuffle: bool = True,
    block_size: int = DEFAULT_BLOCK_SIZE,
    bos_id: int = 0,
    empty_tasks: Sequence[str] = (),
  ):
    """Mixes loaded examples (see the module docstring; `load` reads them).

    Args:
      name: The mixture's name (for messages).
      tasks: The tasks, with positive rates and at least one example each.
      feature_lengths: `{"inputs": n, "targets": m}`, the packed row lengths;
        no sequence may be longer.
      seed: Seeds the task offsets, the epoch permutations and the block
        shuffles.
      shuffle: False keeps every task in its stored order and every block in
        draw order (tasks in the given order).
      block_size: About how many examples one block packs.
      bos_id: First decoder input of every packed segment.
      empty_tasks: Tasks of the mixture left out for having no examples
        (kept for reports).

    Raises:
      ValueError: no tasks, a task without examples or a positive rate, a
        sequence longer than its feature length, or `block_size` < 1.
    """
    if block_size < 1:
      raise ValueError(f"block_size must be >= 1, got {block_size}")
    if not tasks:
      raise ValueError(f"{name}: no tasks to mix")
    self.name = name
    self.feature_lengths = {
      "inputs": int(feature_lengths["inputs"]),
      "targets": int(feature_lengths["targets"]),
    }
    for task in tasks:
      if not len(task) or not task.rate > 0:
        raise ValueError(
          f"{name}: task {task.name!r} has {len(task)} examples and rate "
          f"{task.rate}; both must be positive"
        )
      for key in ("inputs", "targets"):
        longest = int(getattr(task, key).lengths.max())
        if longest > self.feature_lengths[key]:
          raise ValueError(
            f"{name}: task {task.name!r} has {key} of {longest} tokens, "
            f"longer than {self.feature_lengths[key]}"
          )
    self.tasks = tuple(tasks)
    self.empty_tasks = tuple(empty_tasks)
    self.seed = int(seed)
    self.shuffle = shuffle
    self.block_size = int(block_size)
    self.bos_id = int(bos_id)
    self._inputs = Ragged.concatenate([t.inputs for t in tasks])
    self._targets = Ragged.concatenate([t.targets for t in tasks])
    self._sizes = np.array([len(t) for t in tasks], np.int64)
    self._bases = np.zeros(len(tasks), np.int64)
    np.cumsum(self._sizes[:-1], out=self._bases[1:])
    rates = np.array([t.rate for t in tasks], np.float64)
    self._per_block = self.block_size * rates / rates.sum()
    self._offsets = np.zeros(len(tasks), np.float64)
    if shuffle:
      self._offsets[:] = [self._rng("offset", t.name).random() for t in tasks]
    self._permutation = functools.lru_cache(maxsize=4 * len(tasks))(
      self._make_permutation
    )

  @classmethod
  def load(
    cls,
    mixture_or_task: str | seqio.DatasetProviderBase,
    feature_lengths: Mapping[str, int],
    *,
    split: str = "train",
    use_cached: bool = False,
    **kwargs,
  ) -> IndexedMixture:
    """Reads a seqio mixture's (or task's) examples and mixes them.

    Tasks without `split` or with rate 0 are left out, as seqio does, and
    so are tasks whose split has no examples (an auxiliary task can sample
    none from a small dataset); those are logged and listed in
    `empty_tasks`.

    Args:
      mixture_or_task: A registered mixture or task, or its name.
      feature_lengths: `{"inputs": n, "targets": m}`, the packed row lengths.
      split: The split to read.
      use_cached: Read seqio's offline cache.
      **kwargs: `IndexedMixture` options (seed, shuffle, block_size, bos_id).

    Raises:
      ValueError: no task has `split` and a positive rate.
    """
    provider = mixture_or_task
    if isinstance(provider, str):
      provider = seqio.get_mixture_or_task(provider)
    if isinstance(provider, seqio.Mixture):
      weighted = [(t, provider.get_rate(t)) for t in provider.tasks]
    else:
      weighted = [(provider, 1.0)]
    weighted = [(t, r) for t, r in weighted if split in t.splits and r > 0]
    if not weighted:
      raise ValueError(
        f"{provider.name}: no task has split {split!r} and a positive rate"
      )
    tasks, empty = [], []
    for task, rate in weighted:
      loaded = load_task(
        task, split, feature_lengths, rate=rate, use_cached=use_cached
      )
      logging.info(
        "%s: %s, %d examples, rate %.4g, %d inputs and %d targets cut",
        provider.name,
        loaded.name,
        len(loaded),
        loaded.rate,
        loaded.cut_inputs,
        loaded.cut_targets,
      )
      if len(loaded):
        tasks.append(loaded)
      else:
        logging.warning(
          "%s: %s has no examples; left out", provider.name, task.name
        )
        empty.append(task.name)
    return cls(
      provider.name, tasks, feature_lengths, empty_tasks=empty, **kwargs
    )

  def _rng(self, *keys: object) -> np.random.Generator:
    return np.random.default_rng(rng_lib.stable_seed(self.seed, *keys))

  def _make_permutation(self, task: int, epoch: int) -> np.ndarray:
    size = int(self._sizes[task])
    if not self.shuffle:
      return np.arange(size, dtype=np.int64)
    return self._rng("epoch", self.tasks[task].name, epoch).permutation(size)

  def draws_before(self, block: int) -> np.ndarray:
    """Per task, how many of its examples blocks `0 .. block - 1` hold."""
    return np.floor(block * self._per_block + self._offsets).astype(np.int64)

  def task_draws(self, task: int, start: int, stop: int) -> np.ndarray:
    """Indices, within task `task`, of its draws `start .. stop - 1`."""
    draws = np.arange(start, stop, dtype=np.int64)
    size = self._sizes[task]
    epochs, positions = np.divmod(draws, size)
    out = np.empty_like(draws)
    for epoch in np.unique(epochs).tolist():
      chosen = epochs == epoch
      out[chosen] = self._permutation(task, epoch)[positions[chosen]]
    return out

  def block_examples(self, block: int) -> np.ndarray:
    """Global example ids of block `block`, in the order they are packed."""
    start, stop = self.draws_before(block), self.draws_before(block + 1)
    ids = [
      self._bases[t] + self.task_draws(t, start[t], stop[t])
      for t in np.flatnonzero(stop > start).tolist()
    ]
    ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    if self.shuffle:
      ids = ids[self._rng("block", block).permutation(len(ids))]
    return ids

  def task_of(self, ids: np.ndarray) -> np.ndarray:
    """The task index of each global example id."""
    return np.searchsorted(self._bases, ids, side="right") - 1

  def examples(self, ids: np.ndarray) -> tuple[Ragged, Ragged]:
    """Inputs and targets of global example ids."""
    return self._inputs.take(ids), self._targets.take(ids)

  def pack(self, block: int) -> tuple[np.ndarray, ...]:
    """Packed rows of block `block`, arrays in `packing.PACKED_KEYS` order."""
    inputs, targets = self.examples(self.block_examples(block))
    return packing.pack_block(
      inputs.values,
      inputs.splits,
      targets.values,
      targets.splits,
      self.feature_lengths["inputs"],
      self.feature_lengths["targets"],
      self.bos_id,
    )

  def get_dataset(
    self, shard_index: int = 0, num_shards: int = 1, start_block: int = 0
  ) -> tf.data.Dataset:
    """Packed rows (model features of `seqio.EncDecFeatureConverter`).

    Args:
      shard_index: This host's shard.
      num_shards: Number of shards (hosts).
      start_block: Skips this shard's first `start_block` blocks.

    Returns:
      An endless dataset of rows, `{key: int32 [length]}`.
    """
    if not 0 <= shard_index < num_shards:
      raise ValueError(f"shard {shard_index} of {num_shards} does not exist")

    def rows(block):
      out = tf.numpy_function(
        lambda b: self.pack(int(b)),
        [block],
        [tf.int32] * len(packing.PACKED_KEYS),
        stateful=False,
      )
      features = {}
      for key, value in zip(packing.PACKED_KEYS, out, strict=True):
        feature = "inputs" if key.startswith("encoder") else "targets"
        value.set_shape([None, self.feature_lengths[feature]])
        features[key] = value
      return features

    first = start_block * num_shards + shard_index
    ds = tf.data.Dataset.range(first, np.iinfo(np.int64).max, num_shards)
    ds = ds.map(rows, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.unbatch()


@gin.configurable(module="instructuie_t5x.indexed_mixture")
def get_dataset(
  cfg,
  shard_id: int,
  num_shards: int,
  feature_converter_cls,
  num_epochs: int | None = None,
  continue_from_last_checkpoint: bool = False,
  *,
  block_size: int = DEFAULT_BLOCK_SIZE,
) -> tf.data.Dataset:
  """T5X `get_dataset_fn`: batches of packed rows from `IndexedMixture`.

  Reads `cfg` (a `t5x.utils.DatasetConfig`) as `t5x.utils.get_dataset`
  does: mixture, split, feature lengths, batch size (global), seed (None: a
  timestamp shared by the hosts), shuffle and use_cached. `cfg.pack` must be
  True and the converter an encoder-decoder one.

  Args:
    cfg: The dataset config.
    shard_id: This host's data shard.
    num_shards: Number of data shards.
    feature_converter_cls: The model's converter class (gives `bos_id`).
    num_epochs: Must be None: the stream is endless.
    continue_from_last_checkpoint: Must be False (T5X restores the
      iterator from the checkpoint instead).
    block_size: Examples per block.

  Returns:
    Batches of `cfg.batch_size // num_shards` rows.
  """
  if num_epochs is not None or continue_from_last_checkpoint:
    raise ValueError(
      "indexed_mixture.get_dataset gives an endless stream: num_epochs must "
      "be None and continue_from_last_checkpoint False"
    )
  if not cfg.pack:
    raise ValueError(
      "indexed_mixture.get_dataset packs rows; set DatasetConfig.pack = True "
      "or use t5x.utils.get_dataset"
    )
  if not issubclass(feature_converter_cls, seqio.EncDecFeatureConverter):
    raise ValueError(
      f"{feature_converter_cls.__name__} is not an encoder-decoder converter"
    )
  if cfg.batch_size % num_shards:
    raise ValueError(
      f"Batch size ({cfg.batch_size}) must be divisible by number of "
      f"shards ({num_shards})."
    )
  if cfg.module:
    importlib.import_module(cfg.module)
  seed = cfg.seed
  if seed is None:
    from jax.experimental import multihost_utils

    seed = int(multihost_utils.broadcast_one_to_all(np.int32(time.time())))
  mixture = IndexedMixture.load(
    cfg.mixture_or_task_name,
    cfg.task_feature_lengths,
    split=cfg.split,
    seed=seed,
    shuffle=cfg.shuffle,
    block_size=block_size,
    use_cached=cfg.use_cached,
    bos_id=feature_converter_cls(pack=True).bos_id,
  )
  ds = mixture.get_dataset(shard_id, num_shards)
  ds = ds.batch(cfg.batch_size // num_shards, drop_remainder=True)
  return ds.prefetch(tf.data.AUTOTUNE)
