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

Everything particular to a family is in its `Family` record (items key,
what one item is, the shape of its `labels.json`), and everything particular
to a task type in its `TaskType` record, which refers to its family: the
gold extractor (`gold`), the prompt layout, its parts at training and at
inference (`prompts`), the strict metric names and key function
(`metric_keys`), the error audit's items (`audit_items`) and the original
evaluator's metric (`original_conventions`). A task or family name becomes
its record once, where it enters (`get`, `family`), and the record travels
from there; no other module compares with a name or keeps a per-task table.
The text of targets is a target format's business (`formats`), which keeps
its own codec per task type record (a test checks that the original format
covers every task type and that every format declares those it covers) so
formats stay pluggable.

This module imports the modules whose functions the records hold; none of
them imports this one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from instructuie_jax import audit_items, gold, original_conventions, prompts
from instructuie_jax import metric_keys as keys_lib
from instructuie_jax import records as records_lib


@dataclasses.dataclass(frozen=True, eq=False)
class Family:
  """One dataset family (a top-level folder of the IE INSTRUCTIONS layout).

  Records compare by identity: there is one per family.

  Attributes:
    name: "NER", "RE" or "EE" (the folder name).
    items_key: The key of its items in a data file and in `schema.Instance`
      ("entities", "relations", "events").
    item: What one item is ("entity", "relation", "event"); also the name of
      the data reader's method for one item (`schema`).
    label_kind: What a `labels.json` list holds ("entity types", ...).
    roles: True when its labels map each (event) type to its argument roles
      (`labels.json` is `{type: [roles]}` or `[[types], [roles]]`) and its
      items hold arguments with roles.
    endpoints: Fields of an item that hold typed entities of their own
      (relations: head, tail); a label map renames their types too.
    needs_items: An instance without items is an error (RE).
    keeps_empty: A converted sentence without items is kept (NER: a sentence
      without entities is an example); the others leave it out.
  """

  name: str
  items_key: str
  item: str
  label_kind: str
  roles: bool = False
  endpoints: tuple[str, ...] = ()
  needs_items: bool = False
  keeps_empty: bool = False

  def __str__(self) -> str:
    return self.name

  def __repr__(self) -> str:
    return f"<Family {self.name}>"


NER_FAMILY = Family(
  "NER", "entities", "entity", "entity types", keeps_empty=True
)
RE_FAMILY = Family(
  "RE",
  "relations",
  "relation",
  "relation types",
  endpoints=("head", "tail"),
  needs_items=True,
)
EE_FAMILY = Family("EE", "events", "event", "event types", roles=True)

FAMILY_RECORDS: dict[str, Family] = {
  f.name: f for f in (NER_FAMILY, RE_FAMILY, EE_FAMILY)
}
FAMILIES: tuple[str, ...] = tuple(FAMILY_RECORDS)
# Family name -> the key of its items in a data file and in `schema.Instance`.
ITEMS_KEY: dict[str, str] = {
  f.name: f.items_key for f in FAMILY_RECORDS.values()
}


@dataclasses.dataclass(frozen=True)
class OriginalMetric:
  """How the original InstructUIE evaluator scores a task type.

  Attributes:
    name: Metric name ("original_ner", ...).
    tally: `(targets, predictions) -> Counts | Accuracy` of one dataset
      (`original_conventions`).
    evaluator: The class of the original's `src/evaluation/evaluator.py`
      that scores it (as its `calculate_f1.py` picks one per task type).
  """

  name: str
  tally: Callable[[Sequence[str], Sequence[str]], Any]
  evaluator: str


@dataclasses.dataclass(frozen=True, eq=False)
class TaskType:
  """One IE task type and everything particular to it.

  Records compare by identity: there is one per task type. `str(task)` is
  its name.

  Attributes:
    name: Short name used in prompts, configs and metrics ("NER", "EET", ...).
    family: The `Family` record of the datasets the task reads.
    auxiliary: True for the derived auxiliary tasks (ES, ET, EP, EPR).
    description: One line for reports and `--help` texts.
    gold: `instance -> records`, the gold answer (`gold`).
    layout: The prompt layout (`prompts.PromptLayout`); it also reads a
      rendered prompt back (`PromptLayout.read`).
    prompt_parts: `(instance, labels, policy, rng) -> (options, extra)`, the
      option labels and the layout's extra parts (`prompts`).
    query_parts: `(item, labels, roles) -> prompts.QueryParts`, the same
      parts from an extraction request (`prompts`), twin of `prompt_parts`.
    per_event: True when an example asks about one event of the instance
      (EEA): examples are built per event, on the instance narrowed to it.
    role_options: True when the prompt's options are argument roles (EEA),
      not types.
    labeled: False when its records carry no label to check (ES, EP).
    metric_names: The strict metrics, in report order.
    metric_keys: `records -> key sets`, one set per metric (`metric_keys`).
    typed_metric_keys: The key function used when entity types must match
      too (`require_entity_types`); None where the task has no such mode.
    audit_items: The error audit's reading of records (`audit_items`).
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
  family: Family
  auxiliary: bool
  description: str
  gold: Callable[[Any], records_lib.Records]
  layout: prompts.PromptLayout
  prompt_parts: prompts.PartsFn
  query_parts: prompts.QueryPartsFn
  metric_names: tuple[str, ...]
  metric_keys: keys_lib.KeysFn
  audit_items: audit_items.AuditItems
  typed_metric_keys: keys_lib.KeysFn | None = None
  original: OriginalMetric | None = None
  per_event: bool = False
  role_options: bool = False
  labeled: bool = True
  answer_key: str = ""
  windowed: bool = True

  def __str__(self) -> str:
    return self.name

  def __repr__(self) -> str:
    return f"<TaskType {self.name}>"

  @property
  def items_key(self) -> str:
    """The family's items key ("entities", "relations", "events")."""
    return self.family.items_key

  def keys_fn(self, require_entity_types: bool = False) -> keys_lib.KeysFn:
    """The key function of the strict metrics in the given mode."""
    if require_entity_types and self.typed_metric_keys is not None:
      return self.typed_metric_keys
    return self.metric_keys


def _task(name, family, auxiliary, description, **kwargs) -> TaskType:
  kwargs.setdefault("answer_key", family.items_key)
  return TaskType(name, family, auxiliary, description, **kwargs)


NER = _task(
  "NER",
  NER_FAMILY,
  False,
  "named entity recognition",
  gold=gold.entities,
  layout=prompts.PLAIN,
  prompt_parts=prompts.entity_options,
  query_parts=prompts.given_options,
  metric_names=("ner",),
  metric_keys=keys_lib.typed,
  audit_items=audit_items.TYPED,
  original=OriginalMetric(
    "original_ner", original_conventions.ner_tally, "EvaluatorNER"
  ),
)
ES = _task(
  "ES",
  NER_FAMILY,
  True,
  "entity span extraction",
  gold=gold.spans,
  layout=prompts.PLAIN,
  prompt_parts=prompts.entity_options,
  query_parts=prompts.given_options,
  labeled=False,
  metric_names=("es",),
  metric_keys=keys_lib.spans,
  audit_items=audit_items.TYPED,
)
ET = _task(
  "ET",
  NER_FAMILY,
  True,
  "entity typing of given spans",
  gold=gold.entities,
  layout=prompts.ENTITY_LIST,
  prompt_parts=prompts.entity_options_and_names,
  query_parts=prompts.given_options_and_names,
  metric_names=("et",),
  metric_keys=keys_lib.typed,
  audit_items=audit_items.TYPED,
  windowed=False,
)
RE = _task(
  "RE",
  RE_FAMILY,
  False,
  "relation extraction",
  gold=gold.relations,
  layout=prompts.PLAIN,
  prompt_parts=prompts.relation_options,
  query_parts=prompts.given_options,
  metric_names=("re_strict", "re_boundary"),
  metric_keys=keys_lib.relations,
  typed_metric_keys=keys_lib.typed_relations,
  audit_items=audit_items.RELATIONS,
  original=OriginalMetric(
    "original_re", original_conventions.re_tally, "EvaluatorRE"
  ),
)
EP = _task(
  "EP",
  RE_FAMILY,
  True,
  "entity pair extraction",
  gold=gold.pairs,
  layout=prompts.PLAIN,
  prompt_parts=prompts.relation_options,
  query_parts=prompts.given_options,
  labeled=False,
  metric_names=("ep",),
  metric_keys=keys_lib.pairs,
  audit_items=audit_items.RELATIONS,
)
EPR = _task(
  "EPR",
  RE_FAMILY,
  True,
  "relation classification of given pairs",
  gold=gold.relations,
  layout=prompts.PAIR_LIST,
  prompt_parts=prompts.relation_options_and_pairs,
  query_parts=prompts.given_options_and_pairs,
  metric_names=("epr",),
  metric_keys=keys_lib.triples,
  audit_items=audit_items.RELATIONS,
  windowed=False,
)
EE = _task(
  "EE",
  EE_FAMILY,
  False,
  "event extraction (trigger and arguments)",
  gold=gold.events,
  layout=prompts.EVENT_SCHEMA,
  prompt_parts=prompts.event_schema,
  query_parts=prompts.given_event_schema,
  metric_names=(
    "ee_trigger_id",
    "ee_trigger",
    "ee_argument_id",
    "ee_argument",
  ),
  metric_keys=keys_lib.events,
  audit_items=audit_items.EVENTS,
  original=OriginalMetric(
    "original_ee", original_conventions.ee_tally, "EvaluatorEvent"
  ),
)
EET = _task(
  "EET",
  EE_FAMILY,
  False,
  "event trigger extraction",
  gold=gold.triggers,
  layout=prompts.EVENT_TYPES,
  prompt_parts=prompts.event_type_options,
  query_parts=prompts.given_options,
  metric_names=("eet", "eet_trigger_id"),
  metric_keys=keys_lib.triggers,
  audit_items=audit_items.TRIGGERS,
  original=OriginalMetric(
    "original_eet", original_conventions.eet_tally, "EvaluatorEET"
  ),
)
EEA = _task(
  "EEA",
  EE_FAMILY,
  False,
  "event argument extraction for a given type",
  gold=gold.arguments,
  layout=prompts.EVENT_ROLES,
  prompt_parts=prompts.event_role_options,
  query_parts=prompts.given_event_roles,
  per_event=True,
  role_options=True,
  metric_names=("eea", "eea_id"),
  metric_keys=keys_lib.arguments,
  audit_items=audit_items.ARGUMENTS,
  original=OriginalMetric(
    "original_eea", original_conventions.eea_tally, "EvaluatorEEA"
  ),
  answer_key="arguments",
)

_TASK_TYPES = (NER, ES, ET, RE, EP, EPR, EE, EET, EEA)

TASK_TYPES: dict[str, TaskType] = {t.name: t for t in _TASK_TYPES}


def get(name: str | TaskType) -> TaskType:
  """The task type called `name` (a record is returned as it is).

  Raises:
    ValueError: For an unknown name, naming the known ones.
  """
  if isinstance(name, TaskType):
    return name
  try:
    return TASK_TYPES[name]
  except (KeyError, TypeError):
    raise ValueError(
      f"Unknown IE task type {name!r}; known: {', '.join(TASK_TYPES)}"
    ) from None


def family(name: str | Family) -> Family:
  """The family called `name` (a record is returned as it is).

  Raises:
    ValueError: For an unknown name, naming the known ones.
  """
  if isinstance(name, Family):
    return name
  try:
    return FAMILY_RECORDS[name]
  except (KeyError, TypeError):
    raise ValueError(
      f"Unknown dataset family {name!r}; known: {', '.join(FAMILIES)}"
    ) from None


def tasks_of_family(
  name: str | Family, *, auxiliary: bool | None = None
) -> list[str]:
  """Names of the task types reading a family, in table order.

  Args:
    name: The family or its name ("NER", "RE" or "EE").
    auxiliary: None for all, True for auxiliary only, False for main only.
  """
  record = family(name)
  return [
    t.name
    for t in _TASK_TYPES
    if t.family is record and (auxiliary is None or t.auxiliary == auxiliary)
  ]
