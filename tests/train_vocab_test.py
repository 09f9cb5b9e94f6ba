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

import pytest

from instructuie_jax import instructions, schema
from tools import train_vocab


def _expected(data_dir, dataset_names, splits):
  texts = []
  for family, dataset in schema.list_datasets(str(data_dir)):
    if dataset not in dataset_names:
      continue
    for split in splits:
      instances, labels, _ = schema.load_dataset_split(
        str(data_dir), family, dataset, split, strict=False
      )
      for example in instructions.examples_for_split(
        instances,
        family,
        labels,
        dataset=dataset,
        split=split,
        seed=0,
        train=split == "train",
      ):
        texts += [example["inputs"], example["targets"]]
  return texts


def test_default_reads_train_splits_of_every_dataset(tiny_data_dir):
  texts = list(train_vocab.prompt_texts(str(tiny_data_dir)))
  assert texts == _expected(
    tiny_data_dir, {"tiny_ner", "tiny_re", "tiny_ee"}, ["train"]
  )
  # A sentence that only the test split of tiny_ner holds is not read.
  assert not any("Dan Evans met Eve Stone" in t for t in texts)


def test_datasets_and_splits_select(tiny_data_dir):
  texts = list(
    train_vocab.prompt_texts(
      str(tiny_data_dir), splits=["dev", "test"], datasets=["tiny_ner"]
    )
  )
  assert texts == _expected(tiny_data_dir, {"tiny_ner"}, ["dev", "test"])
  assert any("Dan Evans met Eve Stone" in t for t in texts)
  assert not any("Bob Smith works for Acme Corp" in t for t in texts)


def test_unknown_split_and_missing_dataset_raise(tiny_data_dir):
  with pytest.raises(ValueError, match="Unknown splits"):
    list(train_vocab.prompt_texts(str(tiny_data_dir), splits=["valid"]))
  with pytest.raises(ValueError, match="not found"):
    list(train_vocab.prompt_texts(str(tiny_data_dir), datasets=["nope"]))
