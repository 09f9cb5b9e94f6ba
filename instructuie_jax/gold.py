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

"""Gold records of one instance for each task type, as the original reads them.

| task    | records                                                       |
|---------|---------------------------------------------------------------|
| NER, ET | `Entity(type, name)`, entities of type "" or "NA" skipped     |
| ES      | `Entity("", name)` for every entity (none skipped)            |
| RE, EPR | `Relation(head, type, tail, head type, tail type)`,           |
|         | relations of type "" or "NA" skipped                          |
| EP      | `Relation(head, "", tail, head type, tail type)`, same skip   |
| EE      | `Event(type, trigger, (Argument(role, name), ...))`,          |
|         | events of type "" or "NA" skipped                             |
| EET     | `Event(type, trigger, ())`, same skip                         |
| EEA     | `Argument(role, name)` of the instance's single event (its    |
|         | type is not checked)                                          |

Order follows the instance, so `formats.linearize` of these records is the
original target text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from instructuie_jax import records as records_lib
from instructuie_jax import task_types
from instructuie_jax.records import Argument, Entity, Event, Relation

# Types the original loaders treat as "no type" (NER, RE and EE alike).
NO_TYPE = frozenset(("", "NA"))


def _entities(instance: Any) -> records_lib.Records:
  return tuple(
    Entity(e.type, e.name) for e in instance.entities if e.type not in NO_TYPE
  )


def _spans(instance: Any) -> records_lib.Records:
  return tuple(Entity("", e.name) for e in instance.entities)


def _relations(instance: Any) -> records_lib.Records:
  return tuple(
    Relation(r.head.name, r.type, r.tail.name, r.head.type, r.tail.type)
    for r in instance.relations
    if r.type not in NO_TYPE
  )


def _pairs(instance: Any) -> records_lib.Records:
  return tuple(
    Relation(r.head.name, "", r.tail.name, r.head.type, r.tail.type)
    for r in instance.relations
    if r.type not in NO_TYPE
  )


def _events(instance: Any) -> records_lib.Records:
  return tuple(
    Event(
      e.type, e.trigger, tuple(Argument(a.role, a.name) for a in e.arguments)
    )
    for e in instance.events
    if e.type not in NO_TYPE
  )


def _triggers(instance: Any) -> records_lib.Records:
  return tuple(
    Event(e.type, e.trigger, ())
    for e in instance.events
    if e.type not in NO_TYPE
  )


def _arguments(instance: Any) -> records_lib.Records:
  if not instance.events:
    return ()
  if len(instance.events) > 1:
    raise ValueError(
      f"{instance.id}: events: EEA reads one event per instance, found "
      f"{len(instance.events)}"
    )
  return tuple(Argument(a.role, a.name) for a in instance.events[0].arguments)


_GOLD: dict[str, Callable[[Any], records_lib.Records]] = {
  "NER": _entities,
  "ET": _entities,
  "ES": _spans,
  "RE": _relations,
  "EPR": _relations,
  "EP": _pairs,
  "EE": _events,
  "EET": _triggers,
  "EEA": _arguments,
}


def gold_records(instance: Any, task: str) -> records_lib.Records:
  """The gold answer of `instance` for task type `task`.

  Args:
    instance: A `schema.Instance` (anything with its fields).
    task: Task type ("NER", "ES", "ET", "RE", "EP", "EPR", "EE", "EET",
      "EEA").

  Returns:
    The records in instance order (see the module docstring).

  Raises:
    ValueError: For an unknown task type, or an EEA instance with more than
      one event (the message names the instance id).
  """
  task_types.get(task)
  return _GOLD[task](instance)
