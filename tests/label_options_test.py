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
  assert label_options.names() == [
    "as_given",
    "gold_dropout",
    "label_dropout",
    "negatives",
    "shuffled",
  ]
  assert [n for n in label_options.names() if label_options.reads_pool(n)] == [
    "negatives"
  ]


def test_get_unknown_names_the_known():
  with pytest.raises(ValueError, match="as_given, gold_dropout, label_dropout"):
    label_options.get("nope")


def test_register_duplicate_is_an_error():
  with pytest.raises(ValueError, match="already registered"):
    label_options.register("as_given", label_options.as_given)


def test_register_plugs_in_a_new_policy():
  def gold_first(labels, rng, gold_labels=(), pool=()):
    del rng, pool
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


def test_params_select_the_rates_and_sizes():
  params = label_options.Params(dropout_rate=1.0)
  assert label_options.get("label_dropout", params)(
    LABELS, random.Random(0), {"misc"}
  ) == ["misc"]
  # The default rate is label_dropout's 0.3: the draws are those of before.
  for seed in range(20):
    assert label_options.get("label_dropout")(
      LABELS, rng.example_rng(seed)
    ) == label_options.dropout_policy(0.3)(LABELS, rng.example_rng(seed))
  for bad in (
    dict(dropout_rate=-0.1),
    dict(negatives_pool_rate=1.5),
    dict(negatives_size=-1),
    dict(negatives_size=2.5),
  ):
    with pytest.raises(ValueError, match="must be"):
      label_options.Params(**bad)


# --------------------------------------------------------------------------
# gold_dropout.


def test_gold_dropout_drops_gold_labels_at_the_rate():
  policy = label_options.gold_dropout_policy(0.3)
  gold = {"person", "event"}
  n = 4000
  gold_kept = other_kept = 0
  for seed in range(n):
    options = policy(LABELS, rng.example_rng(seed, "g"), gold)
    assert options == [x for x in LABELS if x in options]  # Order kept.
    gold_kept += len(gold & set(options))
    other_kept += len(set(options) - gold)
  # Each label, gold or not, kept with probability 0.7 (the one kept when
  # all six drop adds 0.3**6 per draw at most).
  assert abs(gold_kept / (2 * n) - 0.7) < 0.03
  assert abs(other_kept / (4 * n) - 0.7) < 0.03


def test_gold_dropout_edges():
  assert label_options.gold_dropout_policy(0.0)(
    LABELS, random.Random(0), {"misc"}
  ) == list(LABELS)
  options = label_options.gold_dropout_policy(1.0)(LABELS, random.Random(0))
  assert len(options) == 1 and options[0] in LABELS
  with pytest.raises(ValueError, match="rate must be in"):
    label_options.gold_dropout_policy(-0.5)


# --------------------------------------------------------------------------
# negatives.

POOL = tuple(f"pool_{i}" for i in range(30)) + ("person",)


def test_negatives_sizes_and_gold():
  policy = label_options.negatives_policy(3, 0.5)
  for seed in range(300):
    options = policy(LABELS, rng.example_rng(seed), {"person"}, POOL)
    assert len(options) == len(set(options)) == 4
    assert "person" in options
  # Fewer candidates than the size: all of them, once.
  options = label_options.negatives_policy(10, 0.5)(
    ("a", "b", "c"), random.Random(1), {"a"}, ("b", "x")
  )
  assert sorted(options) == ["a", "b", "c", "x"]
  # Gold labels the dataset does not list are options too.
  options = label_options.negatives_policy(0, 0.0)(
    LABELS, random.Random(0), {"misc", "zzz"}
  )
  assert sorted(options) == ["misc", "zzz"]
  # No gold and no negative: one label of the dataset.
  options = label_options.negatives_policy(0, 0.0)(LABELS, random.Random(0))
  assert len(options) == 1 and options[0] in LABELS
  with pytest.raises(ValueError, match="negatives_size"):
    label_options.negatives_policy(-1, 0.5)


@pytest.mark.parametrize("pool_rate", [0.0, 0.25, 0.8, 1.0])
def test_negatives_come_from_the_pool_at_the_rate(pool_rate):
  policy = label_options.negatives_policy(2, pool_rate)
  own = from_pool = 0
  positions = set()
  n = 3000
  for seed in range(n):
    options = policy(LABELS, rng.example_rng(seed, "n"), {"person"}, POOL)
    negatives = [x for x in options if x != "person"]
    assert len(negatives) == 2
    own += sum(x in LABELS for x in negatives)
    from_pool += sum(x not in LABELS for x in negatives)
    positions.add(options.index("person"))
  assert abs(from_pool / (own + from_pool) - pool_rate) < 0.03
  # Shuffled: the gold label's place tells nothing.
  assert positions == {0, 1, 2}


def test_negatives_are_seeded():
  policy = label_options.get("negatives")
  first = [
    policy(LABELS, rng.example_rng(s), {"misc"}, POOL) for s in range(50)
  ]
  again = [
    policy(LABELS, rng.example_rng(s), {"misc"}, POOL) for s in range(50)
  ]
  assert first == again
  assert len({tuple(o) for o in first}) > 40
