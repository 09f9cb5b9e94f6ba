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

"""Key functions of the strict metrics: an example's records -> key bags.

A key function maps the records of one example (gold or predicted) to one
multiset ("bag") of keys per metric, one key per record (per argument for
the argument metrics); `metrics` compares the gold and predicted bags of each
metric. Which task type uses which function, under which metric names, is in
its `task_types.TaskType.metrics`.

A bag is a frozenset: a key given once is itself, and its n-th copy (n >= 2)
is `Repeat(key, n)`, which equals no key. So `|gold & pred|` is the sum over
keys of min(gold count, pred count), and `len` is the number of keys with
their copies: set operations count multisets (`bag`).

| function          | keys, one bag per metric                              |
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

A metric that keeps part of a record keeps one key per record: two
relations between one pair are that pair twice in `re_boundary`, two events
with one trigger are that trigger twice in `ee_trigger_id`.

Records are indexed by position (they are named tuples), which keeps these
functions fast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence

from instructuie_jax import records as records_lib

KeySet = frozenset
KeysFn = Callable[[records_lib.Records], tuple[KeySet, ...]]

_EMPTY: KeySet = frozenset()
_NO_EVENT_KEYS = (_EMPTY, _EMPTY, _EMPTY, _EMPTY)


@dataclasses.dataclass(frozen=True, slots=True)
class Repeat:
  """The `n`-th copy (n >= 2) of `key` in a bag; equal only to a `Repeat`."""

  key: Hashable
  n: int


def bag(keys: Sequence[Hashable]) -> KeySet:
  """The multiset of `keys` as a frozenset (module docstring)."""
  distinct = frozenset(keys)
  return distinct if len(distinct) == len(keys) else _with_repeats(keys)


def _with_repeats(keys: Sequence[Hashable]) -> KeySet:
  seen: dict[Hashable, int] = {}
  out = []
  for key in keys:
    n = seen[key] = seen.get(key, 0) + 1
    out.append(key if n == 1 else Repeat(key, n))
  return frozenset(out)


# The functions below inline `bag` (its common case, no key twice, is most of
# the scoring time).


def typed(records: records_lib.Records) -> tuple[KeySet]:
  keys = frozenset(records)
  return (keys if len(keys) == len(records) else _with_repeats(records),)


def spans(records: records_lib.Records) -> tuple[KeySet]:
  return (bag([r[1] for r in records]),)


def _pairs(records: records_lib.Records) -> KeySet:
  keys = [(r[0], r[2]) for r in records]
  distinct = frozenset(keys)
  return distinct if len(distinct) == len(keys) else _with_repeats(keys)


def _triples(records: records_lib.Records) -> KeySet:
  keys = [r[:3] for r in records]
  distinct = frozenset(keys)
  return distinct if len(distinct) == len(keys) else _with_repeats(keys)


def relations(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return _triples(records), _pairs(records)


def typed_relations(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  keys = frozenset(records)
  if len(keys) != len(records):
    keys = _with_repeats(records)
  return keys, _pairs(records)


def pairs(records: records_lib.Records) -> tuple[KeySet]:
  return (_pairs(records),)


def triples(records: records_lib.Records) -> tuple[KeySet]:
  return (_triples(records),)


def events(records: records_lib.Records) -> tuple[KeySet, ...]:
  if len(records) == 1:  # The common case: one event per instance.
    event_type, trigger, arguments = records[0]
    triggers_ = frozenset((trigger,))
    typed_ = frozenset(((event_type, trigger),))
    if not arguments:
      return triggers_, typed_, _EMPTY, _EMPTY
    ids = [(event_type, a[1]) for a in arguments]
    full = [(event_type, *a) for a in arguments]
  elif not records:
    return _NO_EVENT_KEYS
  else:
    triggers_ = bag([e[1] for e in records])
    typed_ = bag([e[:2] for e in records])
    ids, full = [], []
    for event_type, _, arguments in records:
      for argument in arguments:
        ids.append((event_type, argument[1]))
        full.append((event_type, *argument))
    if not ids:
      return triggers_, typed_, _EMPTY, _EMPTY
  ids_ = frozenset(ids)
  if len(ids_) != len(ids):
    ids_ = _with_repeats(ids)
  full_ = frozenset(full)
  if len(full_) != len(full):
    full_ = _with_repeats(full)
  return triggers_, typed_, ids_, full_


def triggers(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  return bag([r[:2] for r in records]), bag([r[1] for r in records])


def arguments(records: records_lib.Records) -> tuple[KeySet, KeySet]:
  keys = frozenset(records)
  if len(keys) != len(records):
    keys = _with_repeats(records)
  return keys, bag([r[1] for r in records])
