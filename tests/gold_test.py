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

"""Tests of `gold.gold_records` on the tiny fixtures and hand-built instances."""

import pytest

from instructuie_jax import formats, gold, schema
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
  assert gold.gold_records(first, "NER") == (ada, london)
  assert gold.gold_records(first, "ET") == (ada, london)
  assert gold.gold_records(first, "ES") == (
    Entity("", "Ada Lovelace"),
    Entity("", "London"),
  )


def test_no_entities(tiny_data_dir):
  empty = _load(tiny_data_dir, "NER", "tiny_ner", "train")[2]
  for task in ("NER", "ES", "ET"):
    assert gold.gold_records(empty, task) == ()
    assert formats.get().linearize(task, ()) == " None"


def test_re_family(tiny_data_dir):
  second = _load(tiny_data_dir, "RE", "tiny_re", "train")[1]
  acme = Relation(
    "Acme Corp", "organization in", "Paris", "organization", "location"
  )
  bob = Relation("Bob Smith", "live in", "Paris", "people", "location")
  assert gold.gold_records(second, "RE") == (acme, bob)
  assert gold.gold_records(second, "EPR") == (acme, bob)
  assert gold.gold_records(second, "EP") == (
    acme._replace(relation=""),
    bob._replace(relation=""),
  )


def test_ee_family(tiny_data_dir):
  first, second = _load(tiny_data_dir, "EE", "tiny_ee", "train")
  hackers = Argument("attacker", "Hackers")
  servers = Argument("compromised data", "Acme's servers")
  assert gold.gold_records(first, "EE") == (
    Event("databreach", "breached", (hackers, servers)),
  )
  assert gold.gold_records(first, "EET") == (Event("databreach", "breached"),)
  assert gold.gold_records(first, "EEA") == (hackers, servers)
  assert gold.gold_records(second, "EEA") == (
    Argument("victim", "Globex staff"),
  )


def test_event_without_arguments(tiny_data_dir):
  phishing = _load(tiny_data_dir, "EE", "tiny_ee", "test")[1]
  assert gold.gold_records(phishing, "EE") == (Event("phishing", "phishing"),)
  assert gold.gold_records(phishing, "EEA") == ()


def test_linearized_gold_matches_original_targets(tiny_data_dir):
  fmt = formats.get()
  ner = _load(tiny_data_dir, "NER", "tiny_ner", "test")[0]
  assert fmt.linearize("NER", gold.gold_records(ner, "NER")) == (
    " organization: Smith, Jones; Partners: a firm; location: New York , NY"
  )
  assert fmt.linearize("ES", gold.gold_records(ner, "ES")) == (
    " Smith, Jones; Partners: a firm, New York , NY"
  )
  ee = _load(tiny_data_dir, "EE", "tiny_ee", "dev")[0]
  assert fmt.linearize("EE", gold.gold_records(ee, "EE")) == (
    " ( databreach: breached,  Attackers: attacker,"
    " the Initech database: compromised data) "
  )
  assert fmt.linearize("EEA", gold.gold_records(ee, "EEA")) == (
    " Attackers: attacker; the Initech database: compromised data"
  )


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_entities_skipped_except_es(no_type):
  instance = schema.Instance(
    "d/train/0",
    "Ada met Bob .",
    entities=(_span("Ada", "person"), _span("Bob", no_type)),
  )
  assert gold.gold_records(instance, "NER") == (Entity("person", "Ada"),)
  assert gold.gold_records(instance, "ET") == (Entity("person", "Ada"),)
  assert gold.gold_records(instance, "ES") == (
    Entity("", "Ada"),
    Entity("", "Bob"),
  )


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_relations_skipped(no_type):
  instance = schema.Instance(
    "d/train/0",
    "Ada works for Acme in Rome .",
    relations=(
      schema.Relation(_span("Ada", ""), "work for", _span("Acme", "")),
      schema.Relation(_span("Acme", ""), no_type, _span("Rome", "")),
    ),
  )
  kept = Relation("Ada", "work for", "Acme")
  for task in ("RE", "EPR"):
    assert gold.gold_records(instance, task) == (kept,)
  assert gold.gold_records(instance, "EP") == (kept._replace(relation=""),)


@pytest.mark.parametrize("no_type", ["", "NA"])
def test_untyped_events(no_type):
  argument = schema.Argument("Ada", "agent", None)
  instance = schema.Instance(
    "d/train/0",
    "Ada left .",
    events=(schema.Event("left", no_type, None, (argument,)),),
  )
  assert gold.gold_records(instance, "EE") == ()
  assert gold.gold_records(instance, "EET") == ()
  # EEA reads the single event whatever its type, as the original.
  assert gold.gold_records(instance, "EEA") == (Argument("agent", "Ada"),)


def test_eea_needs_a_single_event():
  event = schema.Event("left", "movement", None, ())
  instance = schema.Instance("d/dev/7", "Ada left .", events=(event, event))
  with pytest.raises(ValueError, match="d/dev/7"):
    gold.gold_records(instance, "EEA")


def test_unknown_task():
  with pytest.raises(ValueError, match="XX"):
    gold.gold_records(schema.Instance("d/train/0", "x"), "XX")
