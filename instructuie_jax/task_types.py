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

"""The IE task types of InstructUIE: one record per task type, one registry.

A dataset folder belongs to one family (`NER`, `RE` or `EE`, the top-level
folder of the IE INSTRUCTIONS layout). Each family yields its main task(s) and
auxiliary tasks derived from the same instances (paper, Section 3.2):

| family | items       | main tasks   | auxiliary tasks (sampled)                |
|--------|-------------|--------------|------------------------------------------|
| NER    | `entities`  | NER          | ES (entity span), ET (entity typing)     |
| RE     | `relations` | RE           | EP (entity pair), EPR (entity pair       |
|        |             |              | relation)                                |
| EE     | `events`    | EE, EET, EEA | (none)                                   |

Everything particular to a task type is in its `TaskType` record: the gold
extractor (`gold`), the prompt layout and parts (`prompts`), the strict
metric names and key function (`metric_keys`) and the original evaluator's
metric (`original_conventions`). Other modules ask `get(name)`; none keeps a
per-task table. The text of targets is a target format's business
(`formats`), which keeps its own codec per task type so formats stay
pluggable.

This module imports the modules whose functions the records hold; none of
them imports this one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from instructuie_jax import gold, original_conventions, prompts
from instructuie_jax import metric_keys as keys_lib
from instructuie_jax import records as records_lib

FAMILIES: tuple[str, ...] = ("NER", "RE", "EE")
# Family -> the key of its items in a data file and in `schema.Instance`.
ITEMS_KEY: dict[str, str] = {
  "NER": "entities",
  "RE": "relations",
  "EE": "events",
}


@dataclasses.dataclass(frozen=True)
class OriginalMetric:
  """How the original InstructUIE evaluator scores a task type.

  Attributes:
    name: Metric name ("original_ner", ...).
    tally: `(targets, predictions) -> Counts | Accuracy` of one dataset
      (`original_conventions`).
  """

  name: str
  tally: Callable[[Sequence[str], Sequence[str]], Any]


@dataclasses.dataclass(frozen=True)
class TaskType:
  """One IE task type and everything particular to it.

  Attributes:
    name: Short name used in prompts, configs and metrics ("NER", "EET", ...).
    family: Dataset family the task reads ("NER", "RE" or "EE").
    auxiliary: True for the derived auxiliary tasks (ES, ET, EP, EPR).
    description: One line for reports and `--help` texts.
    items_key: The family's items key ("entities", "relations", "events").
    gold: `instance -> records`, the gold answer (`gold`).
    layout: The prompt layout (`prompts.PromptLayout`).
    prompt_parts: `(instance, labels, policy, rng) -> (options, extra)`, the
      option labels and the layout's extra parts (`prompts`).
    per_event: True when an example asks about one event of the instance
      (EEA): examples are built per event, on the instance narrowed to it.
    metric_names: The strict metrics, in report order.
    metric_keys: `records -> key sets`, one set per metric (`metric_keys`).
    typed_metric_keys: The key function used when entity types must match
      too (`require_entity_types`); None where the task has no such mode.
    original: The original evaluator's metric, or None where it scores no
      output of this task type (ES, ET, EP, EPR).
    answer_key: The key its records go under in JSON answers (the
      extraction API, `tools.extract`, `tools.serve`): "entities",
      "relations", "events" or "arguments".
    windowed: True when a text too long for the input length may be split
      into windows, each asked with the same prompt parts (`windows`);
      False where the prompt names spans of the whole text (ET's entities,
      EPR's pairs), which a window may not hold: such a prompt is cut to
      fit instead (and the cut counted).
  """

  name: str
  family: str
  auxiliary: bool
  description: str
  items_key: str
  gold: Callable[[Any], records_lib.Records]
  layout: prompts.PromptLayout
  prompt_parts: prompts.PartsFn
  metric_names: tuple[str, ...]
  metric_keys: keys_lib.KeysFn
  typed_metric_keys: keys_lib.KeysFn | None = None
  original: OriginalMetric | None = None
  per_event: bool = False
  answer_key: str = ""
  windowed: bool = True

  def keys_fn(self, require_entity_types: bool = False) -> keys_lib.KeysFn:
    """The key function of the strict metrics in the given mode."""
    if require_entity_types and self.typed_metric_keys is not None:
      return self.typed_metric_keys
    return self.metric_keys


def _task(name, family, auxiliary, description, **kwargs) -> TaskType:
  kwargs.setdefault("answer_key", ITEMS_KEY[family])
  return TaskType(
    name, family, auxiliary, description, ITEMS_KEY[family], **kwargs
  )


_TASK_TYPES = (
  _task(
    "NER",
    "NER",
    False,
    "named entity recognition",
    gold=gold.entities,
    layout=prompts.PLAIN,
    prompt_parts=prompts.entity_options,
    metric_names=("ner",),
    metric_keys=keys_lib.typed,
    original=OriginalMetric("original_ner", original_conventions.ner_tally),
  ),
  _task(
    "ES",
    "NER",
    True,
    "entity span extraction",
    gold=gold.spans,
    layout=prompts.PLAIN,
    prompt_parts=prompts.entity_options,
    metric_names=("es",),
    metric_keys=keys_lib.spans,
  ),
  _task(
    "ET",
    "NER",
    True,
    "entity typing of given spans",
    gold=gold.entities,
    layout=prompts.ENTITY_LIST,
    prompt_parts=prompts.entity_options_and_names,
    metric_names=("et",),
    metric_keys=keys_lib.typed,
    windowed=False,
  ),
  _task(
    "RE",
    "RE",
    False,
    "relation extraction",
    gold=gold.relations,
    layout=prompts.PLAIN,
    prompt_parts=prompts.relation_options,
    metric_names=("re_strict", "re_boundary"),
    metric_keys=keys_lib.relations,
    typed_metric_keys=keys_lib.typed_relations,
    original=OriginalMetric("original_re", original_conventions.re_tally),
  ),
  _task(
    "EP",
    "RE",
    True,
    "entity pair extraction",
    gold=gold.pairs,
    layout=prompts.PLAIN,
    prompt_parts=prompts.relation_options,
    metric_names=("ep",),
    metric_keys=keys_lib.pairs,
  ),
  _task(
    "EPR",
    "RE",
    True,
    "relation classification of given pairs",
    gold=gold.relations,
    layout=prompts.PAIR_LIST,
    prompt_parts=prompts.relation_options_and_pairs,
    metric_names=("epr",),
    metric_keys=keys_lib.triples,
    windowed=False,
  ),
  _task(
    "EE",
    "EE",
    False,
    "event extraction (trigger and arguments)",
    gold=gold.events,
    layout=prompts.EVENT_SCHEMA,
    prompt_parts=prompts.event_schema,
    metric_names=(
      "ee_trigger_id",
      "ee_trigger",
      "ee_argument_id",
      "ee_argument",
    ),
    metric_keys=keys_lib.events,
    original=OriginalMetric("original_ee", original_conventions.ee_tally),
  ),
  _task(
    "EET",
    "EE",
    False,
    "event trigger extraction",
    gold=gold.triggers,
    layout=prompts.EVENT_TYPES,
    prompt_parts=prompts.event_type_options,
    metric_names=("eet", "eet_trigger_id"),
    metric_keys=keys_lib.triggers,
    original=OriginalMetric("original_eet", original_conventions.eet_tally),
  ),
  _task(
    "EEA",
    "EE",
    False,
    "event argument extraction for a given type",
    gold=gold.arguments,
    layout=prompts.EVENT_ROLES,
    prompt_parts=prompts.event_role_options,
    per_event=True,
    metric_names=("eea", "eea_id"),
    metric_keys=keys_lib.arguments,
    original=OriginalMetric("original_eea", original_conventions.eea_tally),
    answer_key="arguments",
  ),
)

TASK_TYPES: dict[str, TaskType] = {t.name: t for t in _TASK_TYPES}


def get(name: str) -> TaskType:
  """Returns the task type called `name`; raises ValueError naming the known."""
  try:
    return TASK_TYPES[name]
  except KeyError:
    raise ValueError(
      f"Unknown IE task type {name!r}; known: {', '.join(TASK_TYPES)}"
    ) from None


def check_family(family: str) -> None:
  """Raises ValueError naming the known families for an unknown `family`."""
  if family not in ITEMS_KEY:
    raise ValueError(
      f"Unknown dataset family {family!r}; known: {', '.join(FAMILIES)}"
    )


def tasks_of_family(family: str, *, auxiliary: bool | None = None) -> list[str]:
  """Names of the task types reading `family`, in table order.

  Args:
    family: "NER", "RE" or "EE".
    auxiliary: None for all, True for auxiliary only, False for main only.
  """
  check_family(family)
  return [
    t.name
    for t in _TASK_TYPES
    if t.family == family and (auxiliary is None or t.auxiliary == auxiliary)
  ]
