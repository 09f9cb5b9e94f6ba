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

"""Key functions of the strict metrics: an example's records -> key sets.

A key function maps the records of one example (gold or predicted) to one
frozenset of keys per metric; `metrics` compares the gold and predicted sets
of each metric. Which task type uses which function, under which metric
names, is in its `task_types.TaskType.metrics`.

| function          | keys, one set per metric                              |
|-------------------|-------------------------------------------------------|
| `typed`           | (type, text)                                          |
| `spans`           | text                                                  |
| `relations`       | (head, relation, tail); (head, tail)                  |
| `typed_relations` | (head, relation, tail, head type, tail type);         |
|                   | (head, tail)                                          |
| `pairs`           | (head, tail)                                          |
| `triples`         | (head, relation, tail)                                |
| `events`          | trigger; (event type, trigger); (event type, argument |
|                   | text); (event type, role, argument text)              |
| `triggers`        | (event type, trigger); trigger                        |
| `arguments`       | (role, text); text                                    |

Records are indexed by position (they are named tuples), which keeps these
functions fast.
"""

from __future__ import annotations

from collections.abc import Callable

from instructuie_jax import records as records_lib

KeySet = frozenset
KeysFn = Callable[[records_lib.Records], tuple[KeySet, ...]]

_EMPTY: KeySet = frozenset()
_NO_EVENT_KEYS = (_EMPTY, _EMPTY, _EMPTY, _EMPTY)


def typed(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset(records),)


def spans(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([r[1] for r in records]),)


def relations(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return (
    frozenset([r[:3] for r in records]),
    frozenset([(r[0], r[2]) for r in records]),
  )


def typed_relations(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return (
    frozenset(records),
    frozenset([(r[0], r[2]) for r in records]),
  )


def pairs(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([(r[0], r[2]) for r in records]),)


def triples(records: records_lib.Records) -> tuple[KeySet]:
  return (frozenset([r[:3] for r in records]),)


def events(records: records_lib.Records) -> tuple[KeySet, ...]:
  if len(records) == 1:  # The common case: one event per instance.
    event_type, trigger, arguments = records[0]
    triggers_ = frozenset((trigger,))
    typed_ = frozenset(((event_type, trigger),))
    if not arguments:
      return triggers_, typed_, _EMPTY, _EMPTY
    return (
      triggers_,
      typed_,
      frozenset([(event_type, a[1]) for a in arguments]),
      frozenset([(event_type, *a) for a in arguments]),
    )
  if not records:
    return _NO_EVENT_KEYS
  triggers_ = frozenset([e[1] for e in records])
  typed_ = frozenset([e[:2] for e in records])
  ids, full = [], []
  for event_type, _, arguments in records:
    for argument in arguments:
      ids.append((event_type, argument[1]))
      full.append((event_type, *argument))
  if not ids:
    return triggers_, typed_, _EMPTY, _EMPTY
  return triggers_, typed_, frozenset(ids), frozenset(full)


def triggers(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return frozenset([r[:2] for r in records]), frozenset([r[1] for r in records])


def arguments(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return frozenset(records), frozenset([r[1] for r in records])
