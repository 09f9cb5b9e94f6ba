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


"""Tests for the block-indexed packed mixture stream."""

import collections
import dataclasses
import types

import numpy as np
import pytest
import seqio
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_t5x import indexed_mixture, packing
from instructuie_t5x.indexed_mixture import IndexedMixture, Ragged, TaskExamples
from tasks import mixtures
from tasks import settings as settings_lib
from tests import ie_seqio_testing as testing

LENGTHS = {"inputs": 64, "targets": 16}


def ragged(seqs) -> Ragged:
  splits = np.zeros(len(seqs) + 1, np.int64)
  np.cumsum([len(s) for s in seqs], out=splits[1:])
  values = np.array([t for s in seqs for t in s], np.int32)
  return Ragged(values, splits)


def as_lists(r: Ragged) -> list[list[int]]:
  return [
    r.values[a:b].tolist()
    for a, b in zip(r.splits[:-1], r.splits[1:], strict=True)
  ]


def synthetic_task(name, rate, size, task_id):
  """Examples whose first token names the task and second the example."""
  rng = np.random.default_rng(task_id)
  inputs = [
    [task_id, i] + [7] * int(rng.integers(0, 20)) + [1] for i in range(size)
  ]
  targets = [[task_id, i] + [1] for i in range(size)]
  return TaskExamples(name, rate, ragged(inputs), ragged(targets))


def synthetic_mixture(**kwargs):
  tasks = [
    synthetic_task("big", 6.0, 50, 11),
    synthetic_task("mid", 3.0, 7, 12),
    synthetic_task("small", 1.0, 3, 13),
  ]
  options = {"seed": 5, "block_size": 40, **kwargs}
  return IndexedMixture("synthetic", tasks, LENGTHS, **options)


def unpack(row) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
  """The (inputs, targets) of each segment of a packed row."""
  out = []
  for segment in range(1, int(row["encoder_segment_ids"].max()) + 1):
    enc = row["encoder_input_tokens"][row["encoder_segment_ids"] == segment]
    dec = row["decoder_target_tokens"][row["decoder_segment_ids"] == segment]
    out.append((tuple(enc.tolist()), tuple(dec.tolist())))
  return out


def rows_of(arrays) -> list[dict]:
  return [
    dict(zip(packing.PACKED_KEYS, values, strict=True))
    for values in zip(*arrays, strict=True)
  ]


def test_ragged_take_and_concatenate():
  r = ragged([[1, 2], [3], [], [4, 5, 6]])
  assert as_lists(r.take(np.array([3, 0, 0, 2]))) == [
    [4, 5, 6],
    [1, 2],
    [1, 2],
    [],
  ]
  both = Ragged.concatenate([r, ragged([[9]])])
  assert as_lists(both) == [[1, 2], [3], [], [4, 5, 6], [9]]


@settings(max_examples=200, deadline=None)
@given(
  st.lists(st.lists(st.integers(1, 50), min_size=1, max_size=12), max_size=8),
  st.integers(1, 10),
)
def test_trim_keep_last(seqs, limit):
  trimmed, cut = ragged(seqs).trim_keep_last(limit)
  expected = [s if len(s) <= limit else s[: limit - 1] + s[-1:] for s in seqs]
  assert as_lists(trimmed) == expected
  assert cut == sum(len(s) > limit for s in seqs)


def test_blocks_follow_the_rates_within_one_example():
  m = synthetic_mixture()
  expected_per_block = 40 * np.array([6, 3, 1]) / 10
  for block in (0, 1, 2, 17, 1000, 10**9):
    drawn = m.draws_before(block)
    assert np.all(np.abs(drawn - block * expected_per_block) < 1)
  ids = np.concatenate([m.block_examples(b) for b in range(100)])
  counts = np.bincount(m.task_of(ids), minlength=3)
  np.testing.assert_array_equal(counts, m.draws_before(100))


def test_each_epoch_of_a_task_is_a_permutation():
  m = synthetic_mixture()
  ids = np.concatenate([m.block_examples(b) for b in range(60)])
  tasks = m.task_of(ids)
  per_task = [np.sort(ids[tasks == t]) for t in range(3)]
  for t, size in enumerate((50, 7, 3)):
    epochs = len(per_task[t]) // size
    assert epochs >= 2
    counts = collections.Counter(per_task[t].tolist())
    # Every example drawn `epochs` or `epochs + 1` times: none repeats
    # within an epoch and none is skipped.
    assert set(counts.values()) <= {epochs, epochs + 1}
    assert len(counts) == size
  first = [m.task_draws(0, 0, 50), m.task_draws(0, 50, 100)]
  for draws in first:
    assert sorted(draws.tolist()) == list(range(50))
  assert first[0].tolist() != first[1].tolist()  # A fresh order per epoch.


def test_block_is_a_function_of_seed_and_index():
  a, b = synthetic_mixture(), synthetic_mixture()
  for block in (3, 0, 250, 1):
    np.testing.assert_array_equal(
      a.block_examples(block), b.block_examples(block)
    )
  other = synthetic_mixture(seed=6)
  assert any(
    not np.array_equal(a.block_examples(k), other.block_examples(k))
    for k in range(5)
  )


def test_unshuffled_is_in_stored_order():
  m = synthetic_mixture(shuffle=False)
  ids = np.concatenate([m.block_examples(b) for b in range(3)])
  small = ids[m.task_of(ids) == 2] - 57
  assert small.tolist() == [0, 1, 2] * 4


def test_rows_hold_exactly_the_block_examples():
  m = synthetic_mixture()
  for block in range(4):
    ids = m.block_examples(block)
    inputs, targets = m.examples(ids)
    expected = collections.Counter(
      zip(
        map(tuple, as_lists(inputs)),
        map(tuple, as_lists(targets)),
        strict=True,
      )
    )
    rows = rows_of(m.pack(block))
    got = collections.Counter(seg for row in rows for seg in unpack(row))
    assert got == expected
    # In packing order: the segments read row by row are the block's order.
    order = [seg for row in rows for seg in unpack(row)]
    assert [s[0] for s in order] == [tuple(x) for x in as_lists(inputs)]
    for row in rows:
      assert np.all(
        row["decoder_loss_weights"] == (row["decoder_target_tokens"] > 0)
      )


def test_dataset_shards_are_the_blocks_of_one_stream():
  m = synthetic_mixture()

  def first_rows(ds, n):
    return [unpack(r) for r in ds.take(n).as_numpy_iterator()]

  def block_rows(blocks):
    return [unpack(r) for b in blocks for r in rows_of(m.pack(b))]

  n = 12
  assert first_rows(m.get_dataset(), n) == block_rows(range(8))[:n]
  assert first_rows(m.get_dataset(1, 3), n) == block_rows([1, 4, 7, 10, 13])[:n]
  assert (
    first_rows(m.get_dataset(0, 1, start_block=2), n)
    == (block_rows(range(2, 10))[:n])
  )
  spec = m.get_dataset().element_spec
  assert spec["encoder_input_tokens"] == tf.TensorSpec([64], tf.int32)
  assert spec["decoder_positions"] == tf.TensorSpec([16], tf.int32)
  with pytest.raises(ValueError, match="shard 3 of 3"):
    m.get_dataset(3, 3)


def test_iterator_checkpoint_restores_the_stream(tmp_path):
  m = synthetic_mixture()
  ds = m.get_dataset().batch(4)
  it = iter(ds)
  for _ in range(5):
    next(it)
  ckpt = tf.train.Checkpoint(iterator=it)
  path = ckpt.write(str(tmp_path / "it"))
  expected = [next(it)["encoder_input_tokens"].numpy() for _ in range(3)]
  fresh = iter(ds)
  tf.train.Checkpoint(iterator=fresh).read(path).assert_consumed()
  got = [next(fresh)["encoder_input_tokens"].numpy() for _ in range(3)]
  np.testing.assert_array_equal(np.stack(got), np.stack(expected))


def test_rejects_bad_input():
  task = synthetic_task("t", 1.0, 4, 1)
  with pytest.raises(ValueError, match="block_size"):
    IndexedMixture("m", [task], LENGTHS, block_size=0)
  with pytest.raises(ValueError, match="no tasks"):
    IndexedMixture("m", [], LENGTHS)
  with pytest.raises(ValueError, match="'t' has 4 examples and rate 0"):
    IndexedMixture("m", [dataclasses.replace(task, rate=0.0)], LENGTHS)
  with pytest.raises(ValueError, match="'t' has inputs of .* longer than 8"):
    IndexedMixture("m", [task], {"inputs": 8, "targets": 16})


@pytest.fixture(scope="module")
def fixture_mixture(tmp_path_factory):
  with testing.fixture_tasks(tmp_path_factory.mktemp("vocab")) as names:
    tasks = [n for task_names in names.values() for n in task_names]
    name = "ie_fixture_indexed_mixture"
    seqio.MixtureRegistry.add(name, tasks, default_rate=mixtures.examples_rate)
    try:
      yield seqio.get_mixture_or_task(name)
    finally:
      seqio.MixtureRegistry.remove(name)


@pytest.mark.slow
def test_load_reads_every_task_as_seqio_gives_it(fixture_mixture):
  lengths = {"inputs": 40, "targets": 12}
  m = IndexedMixture.load(fixture_mixture, lengths, seed=1)
  names = [t.name for t in fixture_mixture.tasks]
  assert [t.name for t in m.tasks] == [
    n for n in names if n not in m.empty_tasks
  ]
  # Two auxiliary tasks of a 2-instance dataset sample no example here.
  assert m.empty_tasks == ("instructuie_ep_tiny_re", "instructuie_epr_tiny_re")
  for name in m.empty_tasks:
    assert testing.examples(name, "train") == []
  for loaded in m.tasks:
    task = seqio.get_mixture_or_task(loaded.name)
    assert loaded.rate == fixture_mixture.get_rate(task)
    full = testing.examples(loaded.name, "train")
    trimmed = testing.examples(loaded.name, "train", sequence_length=lengths)
    assert len(loaded) == len(full) > 0
    assert as_lists(loaded.inputs) == [x["inputs"].tolist() for x in trimmed]
    assert as_lists(loaded.targets) == [x["targets"].tolist() for x in trimmed]
    assert loaded.cut_inputs == sum(len(x["inputs"]) > 40 for x in full)
    assert loaded.cut_targets == sum(len(x["targets"]) > 12 for x in full)
  assert sum(t.cut_inputs for t in m.tasks) > 0  # The lengths do cut.


@pytest.mark.slow
def test_t5x_get_dataset_fn(fixture_mixture):
  cfg = types.SimpleNamespace(
    mixture_or_task_name=fixture_mixture.name,
    task_feature_lengths={"inputs": 256, "targets": 64},
    split="train",
    batch_size=4,
    shuffle=True,
    seed=3,
    use_cached=False,
    pack=True,
    module=None,
  )
  converter = seqio.EncDecFeatureConverter
  ds = indexed_mixture.get_dataset(cfg, 1, 2, converter, block_size=16)
  batch = next(ds.as_numpy_iterator())
  assert batch["encoder_input_tokens"].shape == (2, 256)
  assert batch["decoder_target_tokens"].shape == (2, 64)
  m = IndexedMixture.load(
    fixture_mixture, cfg.task_feature_lengths, seed=3, block_size=16
  )
  expected = [r for b in (1, 3, 5) for r in rows_of(m.pack(b))][:2]
  for i, row in enumerate(expected):
    for key in packing.PACKED_KEYS:
      np.testing.assert_array_equal(batch[key][i], row[key])
  with pytest.raises(ValueError, match="pack = True"):
    indexed_mixture.get_dataset(
      types.SimpleNamespace(**{**vars(cfg), "pack": False}), 0, 1, converter
    )
  with pytest.raises(ValueError, match="endless"):
    indexed_mixture.get_dataset(cfg, 0, 1, converter, num_epochs=1)
  with pytest.raises(ValueError, match="not an encoder-decoder"):
    indexed_mixture.get_dataset(cfg, 0, 1, seqio.DecoderFeatureConverter)


@pytest.mark.slow
def test_shared_data_re_mixture(shared_data_dir):
  # A local vocabulary: the default is Flan-T5's on gs://.
  with settings_lib.scoped(
    ie_instructions_dir=str(shared_data_dir), vocab="byte"
  ):
    name, _ = mixtures.available_mixture("ie_instructions_re")
    mixture = seqio.get_mixture_or_task(name)
    m = IndexedMixture.load(name, {"inputs": 4096, "targets": 512}, seed=0)
    assert not m.empty_tasks
    for loaded in m.tasks:
      task = seqio.get_mixture_or_task(loaded.name)
      assert loaded.rate == pytest.approx(mixture.get_rate(task))
      if mixtures.task_type_of(task) == "RE":  # Main task: every instance.
        assert len(loaded) == task.num_input_examples("train")
    ids = m.block_examples(0)
    inputs, targets = m.examples(ids)
    expected = list(
      zip(
        map(tuple, as_lists(inputs)), map(tuple, as_lists(targets)), strict=True
      )
    )
    rows = rows_of(m.pack(0))
    assert [seg for row in rows for seg in unpack(row)] == expected
    assert len(ids) == pytest.approx(m.block_size, abs=len(m.tasks))
