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

"""Records: the task-independent shape of an IE answer, gold or predicted.

Every task's answer is a tuple of records. Gold instances become records
(`schema`), target formats turn records into text and text back into records
(`formats`), and metrics compare sets of records (`metrics`). Records are small
immutable named tuples, so they hash, compare and sort cheaply.

| task      | record     | fields used                                     |
|-----------|------------|-------------------------------------------------|
| NER, ET   | `Entity`   | type, text                                      |
| ES        | `Entity`   | text (type is "")                               |
| RE, EPR   | `Relation` | head, relation, tail (+ head_type, tail_type)   |
| EP        | `Relation` | head, tail (relation is "")                     |
| EE        | `Event`    | type, trigger, arguments                        |
| EET       | `Event`    | type, trigger (arguments is ())                 |
| EEA       | `Argument` | role, text                                      |
"""

from __future__ import annotations

from typing import NamedTuple


class Entity(NamedTuple):
  """A typed span: `(type, text)`. ES records leave `type` empty."""

  type: str
  text: str


class Relation(NamedTuple):
  """A relation triple. EP records leave `relation` empty.

  Entity types are "" when unknown (the linearized formats do not carry them);
  metrics compare them only in the typed strict mode.
  """

  head: str
  relation: str
  tail: str
  head_type: str = ""
  tail_type: str = ""


class Argument(NamedTuple):
  """An event argument: `(role, text)`."""

  role: str
  text: str


class Event(NamedTuple):
  """An event: type, trigger text and its arguments (a tuple of `Argument`).

  EET records have no arguments.
  """

  type: str
  trigger: str
  arguments: tuple[Argument, ...] = ()


Record = Entity | Relation | Argument | Event
Records = tuple[Record, ...]
