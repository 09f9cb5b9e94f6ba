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

"""Tests of the error audit (instructuie_jax.error_audit)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import (
  error_audit,
  formats,
  instructions,
  metrics,
  task_types,
)
from instructuie_jax.records import Argument, Entity, Event, Relation

SENTENCE = "Ada Lovelace met Charles Babbage in London ."
OPTIONS = ("person", "location", "organization")


def _ner(target, prediction, **extra):
  return {"target": target, "prediction": prediction, **extra}


def test_categories_of_ner_errors():
  examples = [
    # correct; type error (London as organization); missed Charles Babbage.
    _ner(
      " person: Ada Lovelace; person: Charles Babbage; location: London",
      " person: Ada Lovelace; organization: London",
      sentence=SENTENCE,
    ),
    # boundary error (Lovelace), boundary+type (Babbage), spurious (Paris,
    # not in the text), a label not among the options (city).
    _ner(
      " person: Ada Lovelace; person: Charles Babbage",
      " person: Lovelace; location: Babbage; city: Paris",
      sentence=SENTENCE,
    ),
    # a duplicate: one copy more than the gold, spurious.
    _ner(
      " person: Ada Lovelace",
      " person: Ada Lovelace; person: Ada Lovelace",
      sentence=SENTENCE,
    ),
    # unparseable.
    _ner(" None", " garbage", sentence=SENTENCE),
    # empty prediction with a non-empty target.
    _ner(" location: London", " None", sentence=SENTENCE),
  ]
  audit = error_audit.audit_examples("NER", examples, OPTIONS)
  assert audit.examples == 5
  assert dict(audit.categories) == {
    "correct": 2,
    "type_error": 1,
    "missed": 2,
    "boundary_error": 1,
    "boundary_and_type_error": 1,
    "spurious": 2,
  }
  assert audit.duplicates == 1
  assert audit.unparseable == 1
  assert audit.empty_predictions == 1
  assert audit.label_not_in_options == 1
  assert dict(audit.bad_labels) == {"city": 1}
  assert audit.span_not_in_text == 1
  assert audit.confusion["location"] == {"organization": 1, "(missed)": 1}
  assert audit.confusion["person"] == {"person": 2, "(missed)": 1}
  assert audit.confusion["(spurious)"] == {"city": 1, "person": 1}
  assert audit.as_dict()["categories"]["spurious"] == 2


def test_relation_items_and_type_error():
  gold = (Relation("Ada", "works for", "Acme"),)
  pred = (Relation("Ada", "born in", "Acme"),)
  g = error_audit.items("RE", gold)
  p = error_audit.items("RE", pred)
  assert g == [("works for", ("Ada", "Acme"))]
  assert error_audit.match(g, p) == [("type_error", g[0], p[0])]


def test_event_items_cover_trigger_and_arguments():
  event = Event("attack", "hit", (Argument("victim", "Ada"),))
  assert error_audit.items("EE", (event,)) == [
    ("attack", ("hit",)),
    ("attack/victim", ("Ada",)),
  ]
  assert error_audit.items("EEA", (Argument("victim", "Ada"),)) == [
    ("victim", ("Ada",))
  ]
  assert error_audit.items("ES", (Entity("", "Ada"),)) == [("", ("Ada",))]


def test_options_and_sentence_read_back_from_prompts():
  # Each task type's layout reads its own prompts back (`tools.report`).
  prompt = instructions.render_prompt(
    "NER", "Find entities. \n", OPTIONS, SENTENCE
  )
  assert task_types.NER.layout.read(prompt) == (OPTIONS, SENTENCE)
  ee = instructions.render_prompt(
    "EE",
    "Find events. \n",
    ("attack", "it's"),
    SENTENCE,
    {"roles": ("victim",)},
  )
  assert task_types.EE.layout.read(ee) == (
    ("attack", "it's", "victim"),
    SENTENCE,
  )
  assert task_types.EE.layout.read(prompt) == (None, None)
  assert task_types.NER.layout.read("no layout") == (None, None)


def test_example_options_win_over_dataset_options():
  examples = [_ner(" person: Ada", " city: Ada", options=("city",))]
  audit = error_audit.audit_examples("NER", examples, OPTIONS)
  assert audit.label_checked == 1
  assert audit.label_not_in_options == 0


def test_unknown_options_and_sentence_are_not_checked():
  audit = error_audit.audit_examples("NER", [_ner(" person: Ada", " x: Bo")])
  assert (audit.label_checked, audit.span_checked) == (0, 0)
  assert audit.categories["spurious"] == 1


def test_confusion_labels_put_missed_and_spurious_last():
  confusion = {
    "(spurious)": {"b": 1},
    "b": {"a": 2, "(missed)": 1},
    "a": {"a": 3},
  }
  assert error_audit.confusion_labels(confusion) == (
    ["a", "b", "(spurious)"],
    ["a", "b", "(missed)"],
  )


_ENTITIES = st.lists(
  st.builds(
    Entity, st.sampled_from(["person", "location"]), st.sampled_from(["A", "B"])
  ),
  max_size=4,
)


@settings(max_examples=100, deadline=None)
@given(_ENTITIES, _ENTITIES)
def test_correct_items_are_the_strict_true_positives(gold, pred):
  fmt = formats.get("instructuie")
  example = _ner(
    fmt.linearize("NER", tuple(gold)), fmt.linearize("NER", tuple(pred))
  )
  audit = error_audit.audit_examples("NER", [example])
  strict = metrics.score_example("NER", gold, pred)["ner"]
  assert audit.categories["correct"] == strict.tp
