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


"""The task type registry: one record per task type, read by everything."""

import ast
import dataclasses
import random

import pytest

from instructuie_jax import (
  error_audit,
  instructions,
  label_options,
  metrics,
  prompts,
  schema,
  task_types,
)
from instructuie_jax.formats import instructuie
from instructuie_jax.records import Entity
from instructuie_t5x import queries
from tests.conftest import REPO_ROOT


def test_every_record_is_complete_and_consistent():
  assert list(task_types.TASK_TYPES) == [
    "NER",
    "ES",
    "ET",
    "RE",
    "EP",
    "EPR",
    "EE",
    "EET",
    "EEA",
  ]
  for name, t in task_types.TASK_TYPES.items():
    assert t.name == name == str(t)
    assert t is task_types.get(name) is task_types.get(t)
    assert t.family is task_types.family(t.family.name)
    assert t.items_key == t.family.items_key
    assert t.auxiliary == (name in ("ES", "ET", "EP", "EPR"))
    assert t.per_event == (name == "EEA")
    # One key set per metric name, in both modes.
    for typed in (False, True):
      assert len(t.keys_fn(typed)(())) == len(t.metric_names)
    assert (t.original is None) == t.auxiliary
    assert isinstance(t.layout, prompts.PromptLayout)


def test_families_and_their_tasks():
  assert list(task_types.FAMILY_RECORDS) == list(task_types.FAMILIES)
  assert [f.items_key for f in task_types.FAMILY_RECORDS.values()] == [
    "entities",
    "relations",
    "events",
  ]
  assert task_types.tasks_of_family(task_types.EE_FAMILY) == [
    "EE",
    "EET",
    "EEA",
  ]
  assert task_types.tasks_of_family("NER") == ["NER", "ES", "ET"]
  assert task_types.tasks_of_family("RE", auxiliary=False) == ["RE"]
  assert task_types.tasks_of_family("EE", auxiliary=True) == []
  with pytest.raises(ValueError, match="Unknown dataset family 'XX'"):
    task_types.tasks_of_family("XX")
  with pytest.raises(ValueError, match="Unknown dataset family 'XX'"):
    task_types.family("XX")
  with pytest.raises(ValueError, match="Unknown IE task type 'RC'"):
    task_types.get("RC")


def test_prompt_parts_feed_the_layout():
  instance = schema.Instance(
    "d/train/0",
    "Ada met Bob .",
    entities=(
      schema.Span("Ada", "person", (0, 3)),
      schema.Span("Bob", "NA", (8, 11)),
    ),
  )
  labels = prompts.label_set(["person", "location"])
  policy = label_options.get("as_given")
  t = task_types.get("ET")
  options, extra = t.prompt_parts(instance, labels, policy, random.Random(0))
  assert (options, extra) == (["person", "location"], {"entities": ["Ada"]})
  assert instructions.render_prompt(t, "I. \n", options, "S", extra) == (
    "I. \nOption: person, location \nText: S \n Entities: Ada \nAnswer:"
  )


@pytest.mark.parametrize("name", list(task_types.TASK_TYPES))
def test_each_layout_reads_its_prompts_back(name):
  t = task_types.get(name)
  instance = schema.Instance(
    "d/train/0",
    "Ada, the chair, met Bob in Paris .",
    entities=(
      schema.Span("Ada", "person", (0, 3)),
      schema.Span("Bob", "person", (20, 23)),
    ),
    relations=(
      schema.AnnotatedRelation(
        schema.Span("Ada", "person", (0, 3)),
        "meet",
        schema.Span("Bob", "person", (20, 23)),
      ),
    ),
    events=(
      schema.AnnotatedEvent(
        "met",
        "Meet",
        (16, 19),
        (schema.AnnotatedArgument("Ada", "entity", (0, 3)),),
      ),
    ),
  )
  labels = prompts.label_set({"Meet": ["entity", "place"], "Go": ["to"]})
  if not t.family.roles:
    labels = prompts.label_set(["person", "meet", "it's"])
  policy = label_options.get("as_given")
  options, extra = t.prompt_parts(instance, labels, policy, random.Random(0))
  prompt = instructions.render_prompt(
    t, "Say: a, b \n", options, instance.sentence, extra
  )
  read_options, sentence = t.layout.read(prompt)
  assert sentence == instance.sentence
  expected = list(options) + list(extra.get("roles", []))
  assert list(read_options) == expected
  # Apart (constrained decoding): EE's roles are not its options.
  roles = tuple(extra["roles"]) if "roles" in extra else None
  assert t.layout.read_labels(prompt) == (
    tuple(options),
    roles,
    instance.sentence,
  )


def test_a_new_task_type_is_its_record_and_its_codec(monkeypatch):
  # A task type registered as a record (here a copy of NER under a new name)
  # and a codec in the format runs through examples, prompt read-back,
  # scoring, the error audit and a query, with no other change.
  new = dataclasses.replace(task_types.NER, name="NEW", description="new")
  monkeypatch.setitem(task_types.TASK_TYPES, "NEW", new)
  monkeypatch.setattr(task_types, "_TASK_TYPES", (*task_types._TASK_TYPES, new))
  codec = instructuie._CODECS[task_types.NER]
  monkeypatch.setitem(instructuie._CODECS, new, codec)
  monkeypatch.setitem(instructuie._CODEC_OF, new, codec)
  monkeypatch.setitem(instructuie._CODEC_OF, "NEW", codec)
  pool = instructions.InstructionPool({"NEW": ("Find them. \n",)})
  instance = schema.Instance(
    "d/test/0", "Ada met Bob .", entities=(schema.Span("Ada", "person", None),)
  )
  (example,) = instructions.examples_for_split(
    [instance],
    task_types.NER_FAMILY,
    ["person", "city"],
    dataset="d",
    split="test",
    train=False,
    tasks=["NEW"],
    pool=pool,
  )
  prompt = "Find them. \nOption: person, city \nText: Ada met Bob . \nAnswer:"
  assert (example["inputs"], example["targets"]) == (prompt, " person: Ada")
  assert new.layout.read(prompt) == (("person", "city"), "Ada met Bob .")
  gold = (Entity("person", "Ada"),)
  pred = (Entity("person", "Ada"), Entity("city", "Bob"))
  (counts,) = metrics.score_example("NEW", gold, pred).values()
  assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
  audit = error_audit.audit_examples(
    "NEW", [{"target": " person: Ada", "prediction": " city: Ada"}]
  )
  assert audit.categories["type_error"] == 1
  query = queries.make_query("NEW", "Ada met Bob .", ["person"], pool=pool)
  assert query.task is new
  assert queries.answer(query, " person: Ada")["entities"][0]["start"] == 0


# --------------------------------------------------------------------------
# Task and family names only in the records module.

_NAMES = frozenset(task_types.TASK_TYPES) | frozenset(task_types.FAMILIES)
_PACKAGES = (
  "instructuie_jax",
  "instructuie_t5x",
  "tasks",
  "tools",
  "benchmarks",
)


def _names_in(node):
  """Constants equal to a task or family name, in `node` or its literal."""
  if isinstance(node, ast.Constant):
    if isinstance(node.value, str) and node.value in _NAMES:
      yield node
  elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
    for elt in node.elts:
      yield from _names_in(elt)


def name_literal_uses(source: str) -> list[int]:
  """Lines that compare with, key by or match on a task or family name.

  Comparisons (`==`, `!=`, `in`, ... with a name or a literal holding one),
  dict keys, subscripts and `match` cases count; names in docstrings,
  messages, call arguments and data rows do not.
  """
  found = []
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Compare):
      operands = [node.left, *node.comparators]
    elif isinstance(node, ast.Dict):
      operands = [k for k in node.keys if k is not None]
    elif isinstance(node, ast.Subscript):
      operands = [node.slice]
    elif isinstance(node, ast.MatchValue):
      operands = [node.value]
    else:
      continue
    found += [c.lineno for o in operands for c in _names_in(o)]
  return sorted(found)


def test_the_scan_finds_name_comparisons_tables_and_matches():
  source = """
if task == "EEA": pass
if family != "NER": pass
if task in ("ES", "EP"): pass
read = {"NER": 1, "other": 2}
x = found["RE"]
match task:
  case "EE":
    pass
ok = f(task="NER")  # an argument, not a comparison
\"\"\"A docstring naming NER and EEA.\"\"\"
"""
  assert name_literal_uses(source) == [2, 3, 4, 4, 5, 6, 8]


def test_task_and_family_names_only_in_the_records_module():
  # A task or family name becomes its record where it enters; elsewhere a
  # comparison with "NER" is a per-task table in disguise.
  records_module = REPO_ROOT / "instructuie_jax" / "task_types.py"
  found = []
  for package in _PACKAGES:
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
      if path == records_module:
        continue
      source = path.read_text(encoding="utf-8")
      rel = path.relative_to(REPO_ROOT)
      found += [f"{rel}:{n}" for n in name_literal_uses(source)]
  assert found == []
