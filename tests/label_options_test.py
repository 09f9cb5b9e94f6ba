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

"""Tests for the label-option policy registry."""

import random

import pytest

from instructuie_jax import label_options, rng

LABELS = ("location", "organization", "person", "misc", "date", "event")


def test_builtin_names():
  assert label_options.names() == ["as_given", "label_dropout", "shuffled"]


def test_get_unknown_names_the_known():
  with pytest.raises(ValueError, match="as_given, label_dropout, shuffled"):
    label_options.get("nope")


def test_register_duplicate_is_an_error():
  with pytest.raises(ValueError, match="already registered"):
    label_options.register("as_given", label_options.as_given)


def test_register_plugs_in_a_new_policy():
  def gold_first(labels, rng, gold_labels=()):
    del rng
    return sorted(labels, key=lambda x: x not in gold_labels)

  label_options.register("test_gold_first", gold_first)
  try:
    policy = label_options.get("test_gold_first")
    assert policy(["a", "b", "c"], random.Random(0), {"c"}) == ["c", "a", "b"]
  finally:
    del label_options._REGISTRY["test_gold_first"]


def test_as_given_returns_a_copy_in_order():
  labels = list(LABELS)
  options = label_options.get("as_given")(labels, random.Random(0))
  assert options == labels
  assert options is not labels


def test_shuffled_is_a_seeded_permutation():
  policy = label_options.get("shuffled")
  first = policy(LABELS, rng.example_rng(3, "x"))
  again = policy(LABELS, rng.example_rng(3, "x"))
  assert first == again
  assert sorted(first) == sorted(LABELS)
  orders = {tuple(policy(LABELS, rng.example_rng(s, "x"))) for s in range(20)}
  assert len(orders) > 1


def test_shuffled_leaves_input_alone():
  labels = list(LABELS)
  label_options.shuffled(labels, random.Random(1))
  assert labels == list(LABELS)


def test_label_dropout_never_drops_gold_and_keeps_order():
  policy = label_options.get("label_dropout")
  gold = {"person", "event"}
  for seed in range(200):
    options = policy(LABELS, rng.example_rng(seed), gold)
    assert gold <= set(options)
    assert options == [x for x in LABELS if x in options]


def test_label_dropout_rate():
  policy = label_options.dropout_policy(0.3)
  kept = sum(len(policy(LABELS, rng.example_rng(seed))) for seed in range(2000))
  # 2000 draws of 6 labels, each kept with probability 0.7: 8400 expected.
  assert 8100 < kept < 8700


def test_label_dropout_keeps_one_label_when_all_dropped():
  policy = label_options.dropout_policy(1.0)
  options = policy(LABELS, random.Random(0))
  assert len(options) == 1 and options[0] in LABELS
  assert policy(LABELS, random.Random(0), {"misc"}) == ["misc"]
  assert policy((), random.Random(0)) == []


def test_label_dropout_rate_zero_keeps_all():
  assert label_options.dropout_policy(0.0)(LABELS, random.Random(0)) == list(
    LABELS
  )


def test_label_dropout_rejects_bad_rate():
  with pytest.raises(ValueError, match="rate must be in"):
    label_options.dropout_policy(1.5)
