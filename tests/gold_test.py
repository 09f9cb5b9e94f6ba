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

"""Tests of the gold extractors (`TaskType.gold`) on fixtures and instances."""

import pytest

from instructuie_jax import formats, gold, schema, task_types
from instructuie_jax.records import Argument, Entity, Event, Relation


def _load(root, family, dataset, split):
  instances, _, problems = schema.load_dataset_split(
    root, family, dataset, split
  )
  assert not problems
  return instances


def _span(name, type_):
  return schema.Span(name, type_, None)


def test_ner_family(tiny_data_dir):
  first = _load(tiny_data_dir, "NER", "tiny_ner", "train")[0]
  ada, london = Entity("person", "Ada Lovelace"), Entity("location", "London")
  assert task_types.get("NER").gold(first) == (ada, london)
  assert task_types.get("ET").gold(first) == (ada, london)
  assert task_types.get("ES").gold(first) == (
    Entity("", "Ada Lovelace"),
    Entity("", "London"),
  )


def test_no_entities(tiny_data_dir):
  empty = _load(tiny_data_dir, "NER", "tiny_ner", "train")[2]
  for task in ("NER", "ES", "ET"):
    assert task_types.get(task).gold(empty) == ()
    assert formats.get().linearize(task, ()) == " None"


def test_re_family(tiny_data_dir):
  second = _load(tiny_data_dir, "RE", "tiny_re", "train")[1]
  acme = Relation(
    "Acme Corp", "organization in", "Paris", "organization", "location"
  )
  bob = Relation("Bob Smith", "live in", "Paris", "people", "location")
  assert task_types.get("RE").gold(second) == (acme, bob)
  assert task_types.get("EPR").gold(second) == (acme, bob)
  assert task_types.get("EP").gold(second) == (
    acme._replace(relation=""),
    bob._replace(relation=""),
  )


def test_ee_family(tiny_data_dir):
  first, second = _load(tiny_data_dir, "EE", "tiny_ee", "train")
  hackers = Argument("attacker", "Hackers")
  servers = Argument("compromised data", "Acme's servers")
  assert task_types.get("EE").gold(first) == (
    Event("databreach", "breached", (hackers, servers)),
  )
  assert task_types.get("EET").gold(first) == (Event("databreach", "breached"),)
  assert task_types.get("EEA").gold(first) == (hackers, servers)
  assert task_types.get("EEA").gold(second) == (
    Argument("victim", "Globex staff"),
  )


def test_event_without_arguments(tiny_data_dir):
  phishing = _load(tiny_data_dir, "EE", "tiny_ee", "test")[1]
  assert task_types.get("EE").gold(phishing) == (Event("phishing", "phishing"),)
  assert task_types.get("EEA").gold(phishing) == ()


def test_linearized_gold_matches_original_targets(tiny_data_dir):
  fmt = formats.get()
  ner = _load(tiny_data_dir, "NER", "tiny_ner", "test")[0]
  assert fmt.linearize("NER", task_types.get("NER").gold(ner)) == (
    " organization: Smith, Jones; Partners: a firm; location: New York , NY"
  )
  assert fmt.linearize("ES", task_types.get("ES").gold(ner)) == (
    " Smith, Jones; Partners: a firm, New York , NY"
  )
  ee = _load(tiny_data_dir, "EE", "tiny_ee", "dev")[0]
  assert fmt.linearize("EE", task_types.get("EE").gold(ee)) == (
    " ( databreach: breached,  Attackers: attacker,"
    " the Initech database: compromised data) "
  )
  assert fmt.linearize("EEA", task_types.get("EEA").gold(ee)) == (
    " Attackers: attacker; the Initech database: compromised data"
  )


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_entities_skipped_except_es(no_type):
  instance = schema.Instance(
    "d/train/0",
    "Ada met Bob .",
    entities=(_span("Ada", "person"), _span("Bob", no_type)),
  )
  assert task_types.get("NER").gold(instance) == (Entity("person", "Ada"),)
  assert task_types.get("ET").gold(instance) == (Entity("person", "Ada"),)
  assert task_types.get("ES").gold(instance) == (
    Entity("", "Ada"),
    Entity("", "Bob"),
  )


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_relations_skipped(no_type):
  instance = schema.Instance(
    "d/train/0",
    "Ada works for Acme in Rome .",
    relations=(
      schema.AnnotatedRelation(_span("Ada", ""), "work for", _span("Acme", "")),
      schema.AnnotatedRelation(_span("Acme", ""), no_type, _span("Rome", "")),
    ),
  )
  kept = Relation("Ada", "work for", "Acme")
  for task in ("RE", "EPR"):
    assert task_types.get(task).gold(instance) == (kept,)
  assert task_types.get("EP").gold(instance) == (kept._replace(relation=""),)


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_events(no_type):
  argument = schema.AnnotatedArgument("Ada", "agent", None)
  instance = schema.Instance(
    "d/train/0",
    "Ada left .",
    events=(schema.AnnotatedEvent("left", no_type, None, (argument,)),),
  )
  assert task_types.get("EE").gold(instance) == ()
  assert task_types.get("EET").gold(instance) == ()
  # EEA reads the single event whatever its type, as the original.
  assert task_types.get("EEA").gold(instance) == (Argument("agent", "Ada"),)


def test_eea_needs_a_single_event():
  event = schema.AnnotatedEvent("left", "movement", None, ())
  instance = schema.Instance("d/dev/7", "Ada left .", events=(event, event))
  with pytest.raises(ValueError, match="d/dev/7"):
    task_types.get("EEA").gold(instance)


def test_unknown_task():
  with pytest.raises(ValueError, match="XX"):
    task_types.get("XX")


def test_gold_extractors_are_the_records():
  assert task_types.get("ET").gold is gold.entities
  assert task_types.get("EEA").gold is gold.arguments
