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


"""Tests for the block packer and the batched tokenizer."""

import collections

import numpy as np
import pytest
import seqio
import tensorflow as tf

from instructuie_t5x import packing
from tasks import ie_instructions, preprocessors
from tests import ie_seqio_testing as testing

LENGTHS = {"inputs": 64, "targets": 16}


def _dataset(examples):
  return tf.data.Dataset.from_generator(
    lambda: iter(examples),
    output_signature={
      "inputs": tf.TensorSpec([None], tf.int32),
      "targets": tf.TensorSpec([None], tf.int32),
    },
  )


def _random_examples(n, seed=0, min_len=1):
  rng = np.random.default_rng(seed)
  out = []
  for _ in range(n):
    a, b = rng.integers(min_len, 65), rng.integers(min_len, 17)
    out.append(
      {
        "inputs": rng.integers(2, 50, a).astype(np.int32),
        "targets": rng.integers(2, 50, b).astype(np.int32),
      }
    )
  return out


def _rows(converter, examples, lengths=None):
  ds = converter(_dataset(examples), lengths or LENGTHS)
  return list(ds.as_numpy_iterator())


def _ragged(seqs):
  splits = np.zeros(len(seqs) + 1, np.int64)
  np.cumsum([len(s) for s in seqs], out=splits[1:])
  values = np.concatenate([np.asarray(s, np.int32) for s in seqs] or [[]])
  return values.astype(np.int32), splits


def _block_rows(examples, lengths=None, block_size=None, bos_id=0):
  """Rows of `pack_block` over blocks of `block_size` examples."""
  lengths = lengths or LENGTHS
  block_size = block_size or max(lengths.values())
  rows = []
  for start in range(0, len(examples), block_size):
    block = examples[start : start + block_size]
    arrays = packing.pack_block(
      *_ragged([x["inputs"] for x in block]),
      *_ragged([x["targets"] for x in block]),
      lengths["inputs"],
      lengths["targets"],
      bos_id,
    )
    for i in range(len(arrays[0])):
      rows.append(
        {k: a[i] for k, a in zip(packing.PACKED_KEYS, arrays, strict=True)}
      )
  return rows


def _unpack(rows):
  """Per packed segment: (inputs, targets) tuples, as a multiset."""
  out = collections.Counter()
  for row in rows:
    for seg in range(1, int(row["encoder_segment_ids"].max()) + 1):
      enc = row["encoder_input_tokens"][row["encoder_segment_ids"] == seg]
      dec = row["decoder_target_tokens"][row["decoder_segment_ids"] == seg]
      out[(tuple(enc.tolist()), tuple(dec.tolist()))] += 1
  return out


def test_seqio_docstring_example():
  # seqio's EncDecFeatureConverter docstring example, packed by hand.
  examples = [
    {"inputs": [7, 8, 5, 1], "targets": [3, 9, 1]},
    {"inputs": [8, 4, 9, 3, 1], "targets": [4, 1]},
  ]
  examples = [
    {k: np.array(v, np.int32) for k, v in x.items()} for x in examples
  ]
  (row,) = _block_rows(examples, {"inputs": 10, "targets": 7})
  expected = {
    "encoder_input_tokens": [7, 8, 5, 1, 8, 4, 9, 3, 1, 0],
    "encoder_segment_ids": [1, 1, 1, 1, 2, 2, 2, 2, 2, 0],
    "encoder_positions": [0, 1, 2, 3, 0, 1, 2, 3, 4, 0],
    "decoder_target_tokens": [3, 9, 1, 4, 1, 0, 0],
    "decoder_input_tokens": [0, 3, 9, 0, 4, 0, 0],
    "decoder_loss_weights": [1, 1, 1, 1, 1, 0, 0],
    "decoder_segment_ids": [1, 1, 1, 2, 2, 0, 0],
    "decoder_positions": [0, 1, 2, 0, 1, 0, 0],
  }
  assert set(row) == set(expected)
  for key, value in expected.items():
    assert row[key].dtype == np.int32
    assert row[key].tolist() == value, key


@pytest.mark.parametrize("bos_id", [0, 3])
def test_same_rows_as_seqio(bos_id):
  examples = _random_examples(300)
  ours = _block_rows(examples, bos_id=bos_id)
  theirs = _rows(
    seqio.EncDecFeatureConverter(pack=True, bos_id=bos_id), examples
  )
  assert len(ours) == len(theirs) > 1
  for a, b in zip(ours, theirs, strict=True):
    assert set(a) == set(b)
    for key in b:
      assert a[key].dtype == b[key].dtype
      np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_small_blocks_keep_every_example_and_valid_rows():
  examples = _random_examples(200, seed=1)
  rows = _block_rows(examples, block_size=7)
  seqio_rows = _rows(seqio.EncDecFeatureConverter(pack=True), examples)
  assert _unpack(rows) == _unpack(seqio_rows)
  assert sum(_unpack(rows).values()) == 200
  for row in rows:
    for side, tokens in (
      ("encoder", "encoder_input_tokens"),
      ("decoder", "decoder_target_tokens"),
    ):
      seg = row[f"{side}_segment_ids"]
      pos = row[f"{side}_positions"]
      assert ((seg > 0) == (row[tokens] != 0)).all()
      for s in range(1, seg.max() + 1):
        assert pos[seg == s].tolist() == list(range((seg == s).sum()))
      assert (pos[seg == 0] == 0).all()
    # Autoregressive inputs: shifted within each segment, 0 at its start.
    targets = row["decoder_target_tokens"]
    seg = row["decoder_segment_ids"]
    for s in range(1, seg.max() + 1):
      segment = targets[seg == s].tolist()
      assert (
        row["decoder_input_tokens"][seg == s].tolist() == [0] + segment[:-1]
      )
    assert (
      row["decoder_loss_weights"].tolist()
      == (targets != 0).astype(int).tolist()
    )


def test_trims_to_the_packed_lengths():
  long = {
    "inputs": np.arange(1, 101, dtype=np.int32),
    "targets": np.arange(1, 31, dtype=np.int32),
  }
  (row,) = _block_rows([long])
  assert row["encoder_input_tokens"].tolist() == list(range(1, 65))
  assert row["decoder_target_tokens"].tolist() == list(range(1, 17))


def test_empty_targets_keep_segments_aligned():
  # seqio numbers segments per feature; here both sides use the slot.
  examples = [
    {"inputs": np.array([5, 1], np.int32), "targets": np.array([], np.int32)},
    {
      "inputs": np.array([6, 1], np.int32),
      "targets": np.array([7, 1], np.int32),
    },
  ]
  (row,) = _block_rows(examples, {"inputs": 6, "targets": 4})
  assert row["encoder_segment_ids"].tolist() == [1, 1, 2, 2, 0, 0]
  assert row["decoder_segment_ids"].tolist() == [2, 2, 0, 0]


def test_pack_block_trims():
  rows = packing.pack_block(
    np.array([1, 2, 3], np.int32),
    np.array([0, 1, 3]),
    np.array([1, 1, 2, 3, 4, 5], np.int32),
    np.array([0, 1, 6]),
    8,
    4,
  )
  by_key = dict(zip(packing.PACKED_KEYS, rows, strict=True))
  # Targets of example 2 are trimmed to 4 tokens, so it starts a new row.
  assert by_key["encoder_input_tokens"].tolist() == [
    [1, 0, 0, 0, 0, 0, 0, 0],
    [2, 3, 0, 0, 0, 0, 0, 0],
  ]
  assert by_key["decoder_target_tokens"].tolist() == [
    [1, 0, 0, 0],
    [1, 2, 3, 4],
  ]
  assert by_key["decoder_input_tokens"].tolist() == [[0, 0, 0, 0], [0, 1, 2, 3]]
  assert by_key["decoder_positions"].tolist() == [[0, 0, 0, 0], [0, 1, 2, 3]]


@pytest.fixture(scope="module")
def fixture_tasks(tmp_path_factory):
  with testing.fixture_tasks(tmp_path_factory.mktemp("vocab")) as names:
    yield names


def test_tokenize_batched_equals_seqio_tokenize(fixture_tasks):
  texts = {
    "inputs": [
      "Text: Ada Lovelace met Charles Babbage. Answer:",
      "",
      "é ü ∆ 語",
    ]
    * 100,
    "targets": [" person: Ada Lovelace", " None", "x"] * 100,
    "id": [str(i) for i in range(300)],
  }
  ds = tf.data.Dataset.from_tensor_slices(texts)
  features = ie_instructions.output_features()
  assert isinstance(
    features["inputs"].vocabulary, seqio.SentencePieceVocabulary
  )
  ours = list(
    preprocessors.tokenize_batched(
      ds, features, batch_size=64
    ).as_numpy_iterator()
  )
  theirs = list(seqio.preprocessors.tokenize(ds, features).as_numpy_iterator())
  assert len(ours) == len(theirs) == 300
  for a, b in zip(ours, theirs, strict=True):
    assert (
      set(a)
      == set(b)
      == {
        "inputs",
        "targets",
        "id",
        "inputs_pretokenized",
        "targets_pretokenized",
      }
    )
    for key in b:
      assert np.asarray(a[key]).dtype == np.asarray(b[key]).dtype, key
      assert np.asarray(a[key]).tolist() == np.asarray(b[key]).tolist(), key
  assert (
    preprocessors.tokenize_batched(ds, features).element_spec
    == seqio.preprocessors.tokenize(ds, features).element_spec
  )


def test_tokenize_batched_other_vocabularies_use_seqio():
  ds = tf.data.Dataset.from_tensor_slices(
    {"inputs": ["ab", "c"], "targets": ["d", ""]}
  )
  features = {
    k: seqio.Feature(seqio.ByteVocabulary(), add_eos=True)
    for k in ("inputs", "targets")
  }
  ours = list(preprocessors.tokenize_batched(ds, features).as_numpy_iterator())
  theirs = list(seqio.preprocessors.tokenize(ds, features).as_numpy_iterator())
  assert [x["inputs"].tolist() for x in ours] == [
    x["inputs"].tolist() for x in theirs
  ]
  assert [x["targets"].tolist() for x in ours] == [[103], []]
