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

"""How the error audit reads a task type's records: items and their labels.

A record becomes one or more *items*, a label and its spans (texts), as
`error_audit` matches them; an item's label is looked up among the labels
the dataset offers that task. Which reading a task type uses is in its
`task_types.TaskType.audit_items`.

| reading     | label       | spans              | dataset labels      |
|-------------|-------------|--------------------|---------------------|
| `TYPED`     | entity type | (text,)            | types               |
| `RELATIONS` | relation    | (head, tail)       | types               |
| `TRIGGERS`  | event type  | (trigger,)         | event types         |
| `ARGUMENTS` | role        | (text,)            | roles               |
| `EVENTS`    | event type  | (trigger,) and each argument as | event types |
|             |             | ("type/role", (text,)) | and roles       |

Untyped records (ES spans, EP pairs) have the label "".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from instructuie_jax import records as records_lib

Item = tuple[str, tuple[str, ...]]


class AuditItems(NamedTuple):
  """One reading of records for the error audit.

  Attributes:
    items: `records -> [(label, spans)]`.
    checked: `label -> labels` to look up among the options (an EE argument
      item "type/role" is checked by its role).
    options: `labels -> the dataset labels` the items' labels are checked
      against; `labels` has `types` and `all_roles` (`schema.Labels`).
  """

  items: Callable[[Iterable[records_lib.Record]], list[Item]]
  checked: Callable[[str], tuple[str, ...]]
  options: Callable[[Any], tuple[str, ...]]


def _label(label: str) -> tuple[str, ...]:
  return (label,) if label else ()


def _event_label(label: str) -> tuple[str, ...]:
  if "/" in label:
    return (label.split("/", 1)[1],)
  return _label(label)


def _typed(records) -> list[Item]:
  return [(r.type, (r.text,)) for r in records]


def _relations(records) -> list[Item]:
  return [(r.relation, (r.head, r.tail)) for r in records]


def _triggers(records) -> list[Item]:
  return [(r.type, (r.trigger,)) for r in records]


def _arguments(records) -> list[Item]:
  return [(r.role, (r.text,)) for r in records]


def _events(records) -> list[Item]:
  out: list[Item] = []
  for r in records:
    out.append((r.type, (r.trigger,)))
    out.extend((f"{r.type}/{a.role}", (a.text,)) for a in r.arguments)
  return out


def _types(labels) -> tuple[str, ...]:
  return tuple(labels.types)


def _roles(labels) -> tuple[str, ...]:
  return tuple(labels.all_roles)


def _types_and_roles(labels) -> tuple[str, ...]:
  return tuple(labels.types) + tuple(labels.all_roles)


TYPED = AuditItems(_typed, _label, _types)
RELATIONS = AuditItems(_relations, _label, _types)
TRIGGERS = AuditItems(_triggers, _label, _types)
ARGUMENTS = AuditItems(_arguments, _label, _roles)
EVENTS = AuditItems(_events, _event_label, _types_and_roles)
