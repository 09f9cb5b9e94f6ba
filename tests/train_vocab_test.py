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

"""Tests of tools/train_vocab.py: which text the vocabulary is trained on."""

import json

import pytest

from tools import train_vocab

_FAMILIES = {"tiny_ner": "NER", "tiny_re": "RE", "tiny_ee": "EE"}


def _sentences(data_dir, dataset, split):
  path = data_dir / _FAMILIES[dataset] / dataset / f"{split}.json"
  return [row["sentence"] for row in json.loads(path.read_text())]


def _read(texts, data_dir, dataset, split):
  """True when every sentence of the split is in some prompt of `texts`."""
  return all(
    any(sentence in t for t in texts)
    for sentence in _sentences(data_dir, dataset, split)
  )


def _none_read(texts, data_dir, dataset, split):
  return not any(
    sentence in t
    for sentence in _sentences(data_dir, dataset, split)
    for t in texts
  )


def test_default_reads_train_splits_of_every_dataset(tiny_data_dir):
  texts = list(train_vocab.prompt_texts(str(tiny_data_dir)))
  for dataset in _FAMILIES:
    assert _read(texts, tiny_data_dir, dataset, "train"), dataset
    for split in ("dev", "test"):
      assert _none_read(texts, tiny_data_dir, dataset, split), (dataset, split)
  # Inputs and targets alternate: an even count, targets start with a space.
  assert len(texts) % 2 == 0
  assert all(t.startswith(" ") for t in texts[1::2])


def test_datasets_and_splits_select(tiny_data_dir):
  texts = list(
    train_vocab.prompt_texts(
      str(tiny_data_dir), splits=["dev", "test"], datasets=["tiny_ner"]
    )
  )
  assert _read(texts, tiny_data_dir, "tiny_ner", "dev")
  assert _read(texts, tiny_data_dir, "tiny_ner", "test")
  assert _none_read(texts, tiny_data_dir, "tiny_ner", "train")
  for dataset in ("tiny_re", "tiny_ee"):
    for split in ("train", "dev", "test"):
      assert _none_read(texts, tiny_data_dir, dataset, split), (dataset, split)


def test_unknown_split_and_missing_dataset_raise(tiny_data_dir):
  with pytest.raises(ValueError, match="Unknown splits"):
    list(train_vocab.prompt_texts(str(tiny_data_dir), splits=["valid"]))
  with pytest.raises(ValueError, match="not found"):
    list(train_vocab.prompt_texts(str(tiny_data_dir), datasets=["nope"]))
