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
import random

import pytest

from instructuie_jax import (
  instructions,
  label_options,
  prompts,
  schema,
  task_types,
)
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
    assert t.name == name
    assert t.family in task_types.FAMILIES
    assert t.items_key == task_types.ITEMS_KEY[t.family]
    assert t.auxiliary == (name in ("ES", "ET", "EP", "EPR"))
    assert t.per_event == (name == "EEA")
    # One key set per metric name, in both modes.
    for typed in (False, True):
      assert len(t.keys_fn(typed)(())) == len(t.metric_names)
    assert (t.original is None) == t.auxiliary
    assert isinstance(t.layout, prompts.PromptLayout)


def test_families_and_their_tasks():
  assert task_types.tasks_of_family("NER") == ["NER", "ES", "ET"]
  assert task_types.tasks_of_family("RE", auxiliary=False) == ["RE"]
  assert task_types.tasks_of_family("EE", auxiliary=True) == []
  with pytest.raises(ValueError, match="Unknown dataset family 'XX'"):
    task_types.tasks_of_family("XX")
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


def _task_keyed_tables(path):
  # Task types that are not also family names (a family-keyed table, such
  # as the reader's item readers, is not a task table).
  names = set(task_types.TASK_TYPES) - set(task_types.FAMILIES)
  for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
    if isinstance(node, ast.Dict):
      keys = {
        k.value
        for k in node.keys
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
      }
      if len(keys & names) >= 2:
        yield node.lineno


def test_no_other_core_module_keeps_a_per_task_table():
  # Target formats keep their own codec per task type (formats stay
  # pluggable); everything else reads the registry.
  allowed = {"task_types.py"}
  found = []
  for path in sorted((REPO_ROOT / "instructuie_jax").glob("*.py")):
    if path.name not in allowed:
      found += [f"{path.name}:{n}" for n in _task_keyed_tables(path)]
  assert found == []
