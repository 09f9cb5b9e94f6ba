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

"""Tests for instructuie_t5x.queries: prompts and answers of the API."""

import json
import subprocess
import sys

import pytest

from instructuie_jax import instructions, schema
from instructuie_t5x import queries
from tests.conftest import REPO_ROOT, TINY_DATA_DIR

_DATASETS = {"NER": "tiny_ner", "RE": "tiny_re", "EE": "tiny_ee"}


def test_queries_module_is_pure():
  code = (
    "import sys, instructuie_t5x.queries; "
    "print(sorted(m for m in sys.modules "
    "if m.split('.')[0] in ('jax', 't5x', 'tensorflow', 'seqio')))"
  )
  out = subprocess.run(
    [sys.executable, "-c", code],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=True,
  )
  assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
  "task", ["NER", "ES", "ET", "RE", "EP", "EPR", "EE", "EET", "EEA"]
)
def test_prompt_equals_the_evaluation_prompt(task):
  """A query's prompt is build_example's with strategy 'single'."""
  family = {"ES": "NER", "ET": "NER", "EP": "RE", "EPR": "RE"}.get(task, task)
  family = "EE" if task in ("EET", "EEA") else family
  instances, labels, _ = schema.load_dataset_split(
    TINY_DATA_DIR, family, _DATASETS[family], "test"
  )
  instance = instances[0]
  example = instructions.build_example(
    instance, task, labels, dataset="d", split="test"
  )
  item = {"text": instance.sentence}
  label_arg = list(labels.types)
  if task == "ET":
    item["entities"] = [e.name for e in instance.entities if e.type]
  if task == "EPR":
    item["pairs"] = [[r.head.name, r.tail.name] for r in instance.relations]
  if task == "EE":
    label_arg = {t: list(r) for t, r in labels.roles.items()}
  if task == "EEA":
    event = instance.events[0]
    item["event_type"] = event.type
    label_arg = {t: list(r) for t, r in labels.roles.items()}
  query = queries.make_query(task, item, label_arg)
  assert query.prompt == example["inputs"]


def test_answer_grounds_and_counts():
  query = queries.make_query(
    "NER", {"text": "Ada met Bob.", "id": "x"}, ["person"]
  )
  answer = queries.answer(query, "person: Ada; city: Bob; person: Eve", 3)
  assert answer["id"] == "x"
  assert answer["entities"] == [
    {
      "text": "Ada",
      "type": "person",
      "start": 0,
      "end": 3,
      "grounded": True,
      "valid_label": True,
    },
    {
      "text": "Bob",
      "type": "city",
      "start": 8,
      "end": 11,
      "grounded": True,
      "valid_label": False,
    },
    {
      "text": "Eve",
      "type": "person",
      "start": None,
      "end": None,
      "grounded": False,
      "valid_label": True,
    },
  ]
  assert answer["truncated_tokens"] == 3
  assert answer["ungrounded"] == 1
  assert answer["invalid_labels"] == 1
  json.dumps(answer)
  totals = queries.summarize([answer, answer])
  assert totals == {
    "texts": 2,
    "truncated_texts": 2,
    "truncated_tokens": 6,
    "ungrounded": 2,
    "repeats": 0,
    "invalid_labels": 2,
    "parse_problems": 0,
    "windowed_texts": 0,
    "windows": 2,
    "window_merges": 0,
  }


def test_repeated_answers_are_told_from_spans_not_in_the_text():
  # "Ada" occurs once: its second copy has no offsets, like "Eve", but it
  # was copied from the text (what constrained decoding allows), so it is a
  # repeat, not a span the text lacks.
  query = queries.make_query("NER", {"text": "Ada met Bob."}, ["person"])
  answer = queries.answer(query, "person: Ada; person: Ada; person: Eve")
  assert [e["grounded"] for e in answer["entities"]] == [True, False, False]
  assert answer["ungrounded"] == 2
  assert answer["repeats"] == 1
  assert queries.summarize([answer])["repeats"] == 1


def test_answer_of_none_and_unparsable_text():
  query = queries.make_query("RE", "Ada works for IBM.", ["work for"])
  assert queries.answer(query, "None")["relations"] == []
  bad = queries.answer(query, "work for Ada IBM")
  assert bad["relations"] == [] and bad["parse_problems"]


def test_ee_answer_with_role_list():
  query = queries.make_query(
    "EE", "Troops attacked the town.", ["attack"], roles=["attacker"]
  )
  assert "Arguments type: ['attacker']" in query.prompt
  answer = queries.answer(
    query, "( attack: attacked, Troops: attacker, the town: target)"
  )
  (event,) = answer["events"]
  assert event["trigger"]["start"] == 7
  assert [a["valid_label"] for a in event["arguments"]] == [True, False]
  assert answer["invalid_labels"] == 1


@pytest.mark.parametrize(
  "task, item, labels, field",
  [
    ("NER", {"text": 3}, ["a"], "text"),
    ("NER", {"text": "  "}, ["a"], "text"),
    ("NER", {}, ["a"], "text"),
    ("NER", ["not", "a", "dict"], ["a"], "text"),
    ("NER", {"text": "x"}, None, "labels"),
    ("NER", {"text": "x", "labels": "a,b"}, None, "labels"),
    ("NER", {"text": "x", "labels": ["a", ""]}, None, "labels[1]"),
    ("NER", {"text": "x"}, {"a": ["r"]}, "labels"),
    ("ET", {"text": "x"}, ["a"], "entities"),
    ("EPR", {"text": "x", "pairs": [["a"]]}, ["r"], "pairs[0]"),
    ("EPR", {"text": "x", "pairs": "a,b"}, ["r"], "pairs"),
    ("EE", {"text": "x"}, ["attack"], "roles"),
    ("EEA", {"text": "x"}, ["attacker"], "event_type"),
    (
      "EEA",
      {"text": "x", "event_type": "die"},
      {"attack": ["a"]},
      "event_type",
    ),
  ],
)
def test_bad_items_name_the_field(task, item, labels, field):
  with pytest.raises(queries.QueryError) as info:
    queries.make_query(task, item, labels)
  assert info.value.field == field


def test_unknown_task():
  with pytest.raises(ValueError, match="Unknown IE task type"):
    queries.make_query("XX", "text", ["a"])


def test_label_not_offered_stays_visible_in_relations():
  """The hinted reading would hide "live in" inside the tail."""
  query = queries.make_query("RE", "Ada was hired by Acme .", ["work for"])
  answer = queries.answer(query, "work for: Ada, Acme; live in: Ada, Mars")
  assert [
    (r["relation"], r["tail"]["text"], r["valid_label"])
    for r in answer["relations"]
  ] == [("work for", "Acme", True), ("live in", "Mars", False)]
  assert answer["ungrounded"] == 1 and answer["invalid_labels"] == 1
