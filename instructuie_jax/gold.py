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

"""Gold records of one instance, as the original loaders read them.

One extractor per kind of answer; each task type's record
(`task_types.TaskType.gold`) names its extractor:

| extractor   | records (task types)                                     |
|-------------|----------------------------------------------------------|
| `entities`  | `Entity(type, name)`, entities of type "" or "NA"        |
|             | skipped (NER, ET)                                        |
| `spans`     | `Entity("", name)` for every entity, none skipped (ES)   |
| `relations` | `Relation(head, type, tail, head type, tail type)`,      |
|             | relations of type "" or "NA" skipped (RE, EPR)           |
| `pairs`     | `Relation(head, "", tail, head type, tail type)`, same   |
|             | skip (EP)                                                |
| `events`    | `Event(type, trigger, (Argument(role, name), ...))` of   |
|             | every event, events of type "" or "NA" skipped (EE)      |
| `triggers`  | `Event(type, trigger, ())`, same skip (EET)              |
| `arguments` | `Argument(role, name)` of the instance's one event (its  |
|             | type is not checked) (EEA: examples ask about one event  |
|             | at a time, see `instructions.examples_for_split`)        |

Order follows the instance, so `formats.linearize` of these records is the
original target text. The extractors read any object with the fields of a
`schema.Instance`.
"""

from __future__ import annotations

from typing import Any

from instructuie_jax import records as records_lib
from instructuie_jax.records import Argument, Entity, Event, Relation

# Types the original loaders treat as "no type" (NER, RE and EE alike): such
# items are no answer and are left out of option lists and EEA examples.
NO_TYPE = frozenset(("", "NA"))


def entities(instance: Any) -> records_lib.Records:
  return tuple(
    Entity(e.type, e.name) for e in instance.entities if e.type not in NO_TYPE
  )


def spans(instance: Any) -> records_lib.Records:
  return tuple(Entity("", e.name) for e in instance.entities)


def relations(instance: Any) -> records_lib.Records:
  return tuple(
    Relation(r.head.name, r.type, r.tail.name, r.head.type, r.tail.type)
    for r in instance.relations
    if r.type not in NO_TYPE
  )


def pairs(instance: Any) -> records_lib.Records:
  return tuple(
    Relation(r.head.name, "", r.tail.name, r.head.type, r.tail.type)
    for r in instance.relations
    if r.type not in NO_TYPE
  )


def events(instance: Any) -> records_lib.Records:
  return tuple(
    Event(
      e.type, e.trigger, tuple(Argument(a.role, a.name) for a in e.arguments)
    )
    for e in instance.events
    if e.type not in NO_TYPE
  )


def triggers(instance: Any) -> records_lib.Records:
  return tuple(
    Event(e.type, e.trigger, ())
    for e in instance.events
    if e.type not in NO_TYPE
  )


def arguments(instance: Any) -> records_lib.Records:
  """The arguments of the instance's one event; () without an event.

  Raises:
    ValueError: The instance has several events (the message names its id);
      EEA examples pass an instance narrowed to the event they ask about.
  """
  if not instance.events:
    return ()
  if len(instance.events) > 1:
    raise ValueError(
      f"{instance.id}: events: EEA reads one event per instance, found "
      f"{len(instance.events)}"
    )
  return tuple(Argument(a.role, a.name) for a in instance.events[0].arguments)
