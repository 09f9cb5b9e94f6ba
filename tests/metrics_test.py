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

"""Tests for strict multiset metrics, seqio postprocess and metric_fn."""

import collections
import functools
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import counts, formats, metrics
from instructuie_jax.metrics import Counts
from instructuie_jax.records import Argument, Entity, Event, Relation

ADA = Entity("person", "Ada")
PARIS = Entity("location", "Paris")


def test_counts_add_and_scores():
  c = Counts(3, 1, 2) + Counts(1, 1, 0)
  assert c == Counts(4, 2, 2)
  assert c.precision == pytest.approx(4 / 6)
  assert c.recall == pytest.approx(4 / 6)
  assert c.f1 == pytest.approx(4 / 6)
  assert Counts(1, 0, 3).f1 == pytest.approx(2 * 1 * 0.25 / 1.25)


def test_counts_zero_denominators_are_zero():
  assert Counts().precision == 0.0
  assert Counts().recall == 0.0
  assert Counts().f1 == 0.0
  assert Counts(0, 2, 0).recall == 0.0
  assert Counts(0, 2, 3).f1 == 0.0


def test_counts_as_dict_scaled():
  assert Counts(1, 1, 0).as_dict(scale=100.0) == {
    "precision": 50.0,
    "recall": 100.0,
    "f1": pytest.approx(200 / 3),
    "tp": 1,
    "fp": 1,
    "fn": 0,
  }


def test_count_uses_sets():
  # The original mode's comparison: predicted twice is one true positive.
  assert counts.count([ADA], [ADA, ADA]) == Counts(1, 0, 0)
  assert counts.count([ADA, ADA], [ADA]) == Counts(1, 0, 0)
  assert counts.count([], []) == Counts()
  assert counts.tp_fp_fn({1, 2}, {2, 3, 4}) == (1, 2, 1)


@pytest.mark.parametrize(
  "gold,pred,expected",
  [
    ((ADA, PARIS), (ADA, PARIS), Counts(2, 0, 0)),
    ((ADA,), (ADA, ADA), Counts(1, 1, 0)),  # one repeat too many
    ((ADA, ADA), (ADA,), Counts(1, 0, 1)),  # a repeated gold mention
    ((ADA, ADA), (ADA, ADA), Counts(2, 0, 0)),
    ((ADA, ADA, PARIS), (ADA, ADA, ADA, PARIS), Counts(3, 1, 0)),
    ((), (), Counts()),  # both empty: nothing
    ((), (ADA,), Counts(0, 1, 0)),
    ((ADA,), (), Counts(0, 0, 1)),
    ((ADA,), (Entity("organization", "Ada"),), Counts(0, 1, 1)),  # type
    ((ADA,), (Entity("person", "Ada L"),), Counts(0, 1, 1)),  # span
    ((ADA, PARIS), (ADA, Entity("location", "Rome")), Counts(1, 1, 1)),
    ((ADA,), (Entity("person", "ada"),), Counts(0, 1, 1)),  # case counts
  ],
)
def test_ner(gold, pred, expected):
  assert metrics.score_example("NER", gold, pred) == {"ner": expected}


def test_es_and_et():
  gold = (Entity("", "Ada"), Entity("", "Paris"))
  assert metrics.score_example("ES", gold, (Entity("", "Ada"),)) == {
    "es": Counts(1, 0, 1)
  }
  assert metrics.score_example("ET", (ADA,), (Entity("location", "Ada"),)) == {
    "et": Counts(0, 1, 1)
  }


def test_re_strict_and_boundary():
  gold = (Relation("Ada", "work for", "IBM"), Relation("Bob", "live in", "X"))
  pred = (
    Relation("Ada", "live in", "IBM"),  # wrong relation, right pair
    Relation("Bob", "live in", "X"),  # right
    Relation("Bob", "live in", "X"),  # repeated: one false positive
    Relation("Cy", "live in", "X"),  # wrong head
  )
  assert metrics.score_example("RE", gold, pred) == {
    "re_strict": Counts(1, 3, 1),
    "re_boundary": Counts(2, 2, 0),
  }


def test_projections_keep_one_key_per_record():
  # Two gold relations between one pair are that pair twice.
  gold = (Relation("Ada", "work for", "IBM"), Relation("Ada", "own", "IBM"))
  pred = (Relation("Ada", "work for", "IBM"),)
  assert metrics.score_example("RE", gold, pred) == {
    "re_strict": Counts(1, 0, 1),
    "re_boundary": Counts(1, 0, 1),
  }
  # Two events with one trigger; an argument repeated within an event.
  gold = (
    Event("attack", "fired", (Argument("target", "X"),)),
    Event("die", "fired", (Argument("victim", "X"), Argument("victim", "X"))),
  )
  pred = (Event("die", "fired", (Argument("victim", "X"),)),)
  assert metrics.score_example("EE", gold, pred) == {
    "ee_trigger_id": Counts(1, 0, 1),
    "ee_trigger": Counts(1, 0, 1),
    "ee_argument_id": Counts(1, 0, 2),
    "ee_argument": Counts(1, 0, 2),
  }
  assert metrics.score_example(
    "EEA", (Argument("victim", "X"),) * 2, (Argument("victim", "X"),) * 3
  ) == {"eea": Counts(2, 1, 0), "eea_id": Counts(2, 1, 0)}
  assert metrics.score_example(
    "EET", (Event("die", "fired"),) * 2, (Event("die", "fired"),)
  ) == {"eet": Counts(1, 0, 1), "eet_trigger_id": Counts(1, 0, 1)}


def test_re_entity_types_only_when_required():
  gold = (Relation("Ada", "work for", "IBM", "person", "organization"),)
  pred = (Relation("Ada", "work for", "IBM", "person", "location"),)
  assert metrics.score_example("RE", gold, pred)["re_strict"] == Counts(1, 0, 0)
  typed = metrics.score_example("RE", gold, pred, require_entity_types=True)
  assert typed == {"re_strict": Counts(0, 1, 1), "re_boundary": Counts(1, 0, 0)}


def test_ep_and_epr():
  gold = (Relation("Ada", "", "IBM"),)
  assert metrics.score_example("EP", gold, (Relation("IBM", "", "Ada"),)) == {
    "ep": Counts(0, 1, 1)
  }
  assert metrics.score_example(
    "EPR", (Relation("Ada", "r", "IBM"),), (Relation("Ada", "r", "IBM"),)
  ) == {"epr": Counts(1, 0, 0)}


def test_ee():
  gold = (
    Event(
      "attack",
      "fired",
      (Argument("attacker", "John"), Argument("instrument", "gun")),
    ),
    Event("die", "killed", (Argument("victim", "Mary"),)),
  )
  pred = (
    # Right trigger, argument "John" with the wrong role.
    Event("attack", "fired", (Argument("victim", "John"),)),
    # Trigger text right, type wrong; its argument then has the wrong type.
    Event("injure", "killed", (Argument("victim", "Mary"),)),
  )
  assert metrics.score_example("EE", gold, pred) == {
    "ee_trigger_id": Counts(2, 0, 0),
    "ee_trigger": Counts(1, 1, 1),
    # Gold (attack, John), (attack, gun), (die, Mary);
    # predicted (attack, John), (injure, Mary).
    "ee_argument_id": Counts(1, 1, 2),
    "ee_argument": Counts(0, 2, 3),
  }


def test_eet_and_eea():
  gold = (Event("attack", "fired"), Event("die", "killed"))
  pred = (Event("attack", "killed"),)
  assert metrics.score_example("EET", gold, pred) == {
    "eet": Counts(0, 1, 2),
    "eet_trigger_id": Counts(1, 0, 1),
  }
  gold = (Argument("attacker", "John"), Argument("instrument", "gun"))
  pred = (Argument("victim", "John"), Argument("instrument", "gun"))
  assert metrics.score_example("EEA", gold, pred) == {
    "eea": Counts(1, 1, 1),
    "eea_id": Counts(2, 0, 0),
  }


def test_unknown_task():
  with pytest.raises(ValueError, match="Unknown IE task type"):
    metrics.score_example("XX", (), ())


def test_tally_texts_none_duplicates_and_partial():
  counts = metrics.tally_texts(
    "NER",
    [" person: Ada; location: Paris", " None", " person: Bob"],
    [" person: Ada; person: Ada; location: Rome", "None", " None"],
  ).counts
  # Example 1: tp=1 (Ada), fp=2 (the second Ada, Rome), fn=1 (Paris);
  # example 2: all empty; example 3: fn=1.
  assert counts == {"ner": Counts(1, 2, 2)}


def test_tally_counts_unparseable_predictions():
  tally = metrics.tally_texts(
    "RE", [" work for: Ada, IBM", " live in: Bob, X"], ["garbage", ""]
  )
  assert tally.counts["re_strict"] == Counts(0, 0, 2)
  assert tally.examples == 2
  assert tally.bad_predictions == 2
  assert tally.bad_targets == 0
  assert [(i, which) for i, which, _ in tally.problems] == [
    (0, "prediction"),
    (1, "prediction"),
  ]


def test_tally_length_mismatch():
  with pytest.raises(ValueError, match="2 targets but 1 predictions"):
    metrics.tally_texts("NER", [" None", " None"], [" None"])


def test_average_macro_and_micro():
  avg = metrics.average({"a": Counts(1, 0, 0), "b": Counts(1, 1, 2)})
  # F1: a = 1, b = 2*0.5*(1/3)/(0.5+1/3) = 0.4; macro = 0.7.
  assert avg.macro_f1 == pytest.approx(0.7)
  assert avg.micro == Counts(2, 1, 2)
  assert avg.micro.f1 == pytest.approx(4 / 7)
  assert avg.datasets == 2
  assert metrics.average({}).datasets == 0


# Additivity: counting shards and adding equals counting the concatenation.

_NAMES = st.sampled_from(["Ada", "Bob", "New York", "IBM", "x"])
_TYPES = st.sampled_from(["person", "location", "work for"])
_ENTITIES = st.lists(st.builds(Entity, _TYPES, _NAMES), max_size=4)
_RELATIONS = st.lists(st.builds(Relation, _NAMES, _TYPES, _NAMES), max_size=3)
_EVENTS = st.lists(
  st.builds(
    Event,
    _TYPES,
    _NAMES,
    st.lists(st.builds(Argument, _TYPES, _NAMES), max_size=2).map(tuple),
  ),
  max_size=2,
)
_RECORDS = {"NER": _ENTITIES, "RE": _RELATIONS, "EE": _EVENTS}


def _counter_counts(gold, pred) -> Counts:
  g, p = collections.Counter(gold), collections.Counter(pred)
  tp = sum(min(n, p[k]) for k, n in g.items())
  return Counts(tp, sum(p.values()) - tp, sum(g.values()) - tp)


@settings(max_examples=200, deadline=None)
@given(_RECORDS["NER"], _RECORDS["NER"], _RECORDS["RE"], _RECORDS["RE"])
def test_counts_are_over_multisets(ner_gold, ner_pred, re_gold, re_pred):
  # With repeats drawn often: each record doubled or not.
  ner_gold, ner_pred = ner_gold + ner_gold[:1], ner_pred + ner_pred[1:]
  assert metrics.score_example("NER", ner_gold, ner_pred) == {
    "ner": _counter_counts(ner_gold, ner_pred)
  }
  assert metrics.score_example("RE", re_gold, re_pred) == {
    "re_strict": _counter_counts(
      [r[:3] for r in re_gold], [r[:3] for r in re_pred]
    ),
    "re_boundary": _counter_counts(
      [(r.head, r.tail) for r in re_gold], [(r.head, r.tail) for r in re_pred]
    ),
  }


@st.composite
def _examples(draw):
  task = draw(st.sampled_from(sorted(_RECORDS)))
  pairs = draw(st.lists(st.tuples(_RECORDS[task], _RECORDS[task]), max_size=12))
  cut = draw(st.integers(0, len(pairs)))
  return task, pairs, cut


@settings(max_examples=150, deadline=None)
@given(_examples())
def test_counts_of_shards_add_up(example):
  task, pairs, cut = example
  fmt = formats.get("instructuie")
  targets = [fmt.linearize(task, tuple(g)) for g, _ in pairs]
  predictions = [fmt.linearize(task, tuple(p)) for _, p in pairs]
  whole = metrics.tally_texts(task, targets, predictions).counts
  shards = metrics.add_counts(
    metrics.tally_texts(task, targets[:cut], predictions[:cut]).counts,
    metrics.tally_texts(task, targets[cut:], predictions[cut:]).counts,
  )
  assert shards == whole
  tally = metrics.tally_texts(
    task, targets[:cut], predictions[:cut]
  ) + metrics.tally_texts(task, targets[cut:], predictions[cut:])
  assert tally.counts == whole
  assert tally.examples == len(pairs)
  # The text path equals summing score_example over the parsed records.
  by_example = metrics.add_counts(
    *(
      metrics.score_example(
        task,
        fmt.parse(task, t).records,
        fmt.parse(task, p).records,
      )
      for t, p in zip(targets, predictions, strict=True)
    )
  )
  assert all(by_example.get(n, Counts()) == c for n, c in whole.items())


# seqio postprocess and metric functions.


def test_postprocess_reads_task_and_dataset_features():
  example = {"task": b"NER", "dataset": np.array(b"conll03"), "id": b"x/1"}
  out = metrics.postprocess(" person: Ada", example=example, is_target=True)
  assert out["task"] == "NER"
  assert out["dataset"] == "conll03"
  assert out["records"] == (ADA,)
  assert out["parse_ok"] is True
  assert out["problems"] == ()
  assert out["text"] == " person: Ada"
  assert out["is_target"] is True


def test_postprocess_defaults_from_partial():
  fn = functools.partial(metrics.postprocess, task="re", dataset="conll04")
  out = fn(b"work for: Ada, IBM")
  assert (out["task"], out["dataset"]) == ("RE", "conll04")
  assert out["records"] == (Relation("Ada", "work for", "IBM"),)


def test_postprocess_without_task_raises():
  with pytest.raises(ValueError, match="needs the task type"):
    metrics.postprocess(" None")


def test_metric_fn_per_dataset_on_0_100_scale():
  post = metrics.postprocess
  targets = [
    post(" person: Ada; location: Paris", {"task": "NER", "dataset": "a"}),
    post(" person: Bob", {"task": "NER", "dataset": "b"}),
    post(" work for: Ada, IBM", {"task": "RE", "dataset": "c"}),
  ]
  predictions = [
    post(" person: Ada", {"task": "NER", "dataset": "a"}),
    post("", {"task": "NER", "dataset": "b"}),
    post(" live in: Ada, IBM", {"task": "RE", "dataset": "c"}),
  ]
  result = metrics.metric_fn(targets, predictions)
  assert result["a/ner_precision"] == 100.0
  assert result["a/ner_recall"] == 50.0
  assert result["a/ner_f1"] == pytest.approx(200 / 3)
  assert (result["a/ner_tp"], result["a/ner_fp"], result["a/ner_fn"]) == (
    1,
    0,
    1,
  )
  assert result["b/ner_f1"] == 0.0
  assert result["b/ner_unparseable_predictions"] == 1
  assert result["a/ner_unparseable_predictions"] == 0
  assert result["a/ner_examples"] == 1
  assert result["c/re_strict_f1"] == 0.0
  assert result["c/re_boundary_f1"] == 100.0


def test_metric_fn_accepts_plain_texts_with_defaults():
  fn = functools.partial(metrics.metric_fn, task="NER", dataset="d")
  result = fn([" person: Ada", " None"], [" person: Ada", " None"])
  assert result["d/ner_f1"] == 100.0
  assert result["d/ner_examples"] == 2


def test_metric_fn_is_seqio_shaped():
  params = inspect.signature(metrics.metric_fn).parameters
  positional = [
    k
    for k, p in params.items()
    if p.default is inspect.Parameter.empty
    and p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD
  ]
  assert positional == ["targets", "predictions"]


def test_original_metric_fn():
  post = functools.partial(metrics.postprocess, task="NER", dataset="d")
  result = metrics.original_metric_fn([post(" None")], [post("None")])
  assert result == {
    "d/original_ner_f1": 100.0,
    "d/original_ner_precision": 100.0,
    "d/original_ner_recall": 100.0,
  }
  es = functools.partial(metrics.postprocess, task="ES", dataset="d")
  assert metrics.original_metric_fn([es(" a")], [es(" a")]) == {}
