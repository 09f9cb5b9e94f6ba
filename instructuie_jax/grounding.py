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

"""Grounding: character offsets in the input text for the spans of records.

A predicted answer names its spans by their text only ("person: Ada"). This
module finds where each span lies in the input text and checks each label
against the options the prompt offered. Nothing is dropped: a span that is
not in the text is kept with `grounded=False` (no offsets), and a label that
is not among the options is kept with `valid_label=False`; both are counted
in `Grounded.ungrounded` and `Grounded.invalid_labels`.

Which occurrence a span gets (deterministic, exact string match only):

* Spans are grounded in answer order, each within its *kind*: entity spans
  (NER, ES, ET), relation arguments (the heads and tails of RE, EP, EPR),
  event triggers, event arguments (EE, EEA).
* Entity spans and triggers are mentions of their own: each takes the
  leftmost occurrence of its text that overlaps no occurrence taken by an
  earlier span of the same kind, else the leftmost occurrence that no
  earlier copy of the same answer (label and text) took. So the k-th copy of
  a repeated answer "person: Ada; person: Ada" takes the k-th "Ada" of the
  text, and "York" after "New York" prefers a "York" outside "New York". A
  copy beyond the occurrences of its text is not grounded (never given the
  offsets of an earlier copy): counted in `Grounded.repeats` and
  `Grounded.ungrounded`.
* Relation and event arguments name entities that several records may share:
  the same text within one answer is the same mention (same offsets); a new
  text takes its occurrence by the rule above.
* An empty span is not grounded (it has no place in the text).

Offsets are Python string indices: `text[start:end] == span` for every
grounded span.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from instructuie_jax import records as records_lib
from instructuie_jax import task_types

# Output keys of the JSON form, per record class.
OUTPUT_KEYS = {
  records_lib.Entity: "entities",
  records_lib.Relation: "relations",
  records_lib.Event: "events",
  records_lib.Argument: "arguments",
}

_ENTITY = "entity"
_RELATION_ARG = "relation_argument"
_TRIGGER = "trigger"
_EVENT_ARG = "event_argument"
_SHARED_KINDS = (_RELATION_ARG, _EVENT_ARG)


@dataclasses.dataclass(frozen=True)
class Span:
  """A span of the input text.

  Attributes:
    text: The span as the model wrote it.
    start: Offset of its first character, None when not grounded.
    end: Offset after its last character, None when not grounded.
  """

  text: str
  start: int | None = None
  end: int | None = None

  @property
  def grounded(self) -> bool:
    return self.start is not None

  def to_json(self) -> dict[str, Any]:
    return {
      "text": self.text,
      "start": self.start,
      "end": self.end,
      "grounded": self.grounded,
    }


@dataclasses.dataclass(frozen=True)
class GroundedEntity:
  """An `Entity` with its span located (ES entities have type "")."""

  type: str
  span: Span
  valid_label: bool = True

  def to_json(self) -> dict[str, Any]:
    return {
      "text": self.span.text,
      "type": self.type,
      "start": self.span.start,
      "end": self.span.end,
      "grounded": self.span.grounded,
      "valid_label": self.valid_label,
    }


@dataclasses.dataclass(frozen=True)
class GroundedRelation:
  """A `Relation` with head and tail located (EP relations have "")."""

  relation: str
  head: Span
  tail: Span
  head_type: str = ""
  tail_type: str = ""
  valid_label: bool = True

  def to_json(self) -> dict[str, Any]:
    return {
      "relation": self.relation,
      "head": self.head.to_json(),
      "tail": self.tail.to_json(),
      "head_type": self.head_type,
      "tail_type": self.tail_type,
      "valid_label": self.valid_label,
    }


@dataclasses.dataclass(frozen=True)
class GroundedArgument:
  """An event `Argument` with its span located."""

  role: str
  span: Span
  valid_label: bool = True

  def to_json(self) -> dict[str, Any]:
    return {
      "text": self.span.text,
      "role": self.role,
      "start": self.span.start,
      "end": self.span.end,
      "grounded": self.span.grounded,
      "valid_label": self.valid_label,
    }


@dataclasses.dataclass(frozen=True)
class GroundedEvent:
  """An `Event` with trigger and arguments located.

  `valid_label` is about the event type; each argument checks its role.
  """

  type: str
  trigger: Span
  arguments: tuple[GroundedArgument, ...] = ()
  valid_label: bool = True

  def to_json(self) -> dict[str, Any]:
    return {
      "type": self.type,
      "trigger": self.trigger.to_json(),
      "arguments": [a.to_json() for a in self.arguments],
      "valid_label": self.valid_label,
    }


GroundedRecord = (
  GroundedEntity | GroundedRelation | GroundedArgument | GroundedEvent
)

_GROUNDED_KEYS = {
  GroundedEntity: "entities",
  GroundedRelation: "relations",
  GroundedEvent: "events",
  GroundedArgument: "arguments",
}


@dataclasses.dataclass(frozen=True)
class Grounded:
  """The grounded records of one answer and what could not be grounded.

  Attributes:
    records: One grounded record per input record, in the same order.
    ungrounded: Spans not found in the text (each head, tail, trigger and
      argument counts).
    invalid_labels: Types, relations and roles not among the options.
    spans: All spans looked up (grounded ones are `spans - ungrounded`).
    repeats: Copies of an answer beyond the occurrences of its text (each
      also counts in `ungrounded`).
  """

  records: tuple[GroundedRecord, ...]
  ungrounded: int = 0
  invalid_labels: int = 0
  spans: int = 0
  repeats: int = 0

  def to_json(self) -> dict[str, list[dict[str, Any]]]:
    """`{"entities" | "relations" | "events" | "arguments": [...]}`.

    Only the keys of the record classes present appear.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for record in self.records:
      out.setdefault(_GROUNDED_KEYS[type(record)], []).append(record.to_json())
    return out


def _entity(d: Mapping[str, Any]) -> records_lib.Entity:
  return records_lib.Entity(d["type"], d["text"])


def _relation(d: Mapping[str, Any]) -> records_lib.Relation:
  return records_lib.Relation(
    d["head"]["text"],
    d["relation"],
    d["tail"]["text"],
    d.get("head_type", ""),
    d.get("tail_type", ""),
  )


def _argument(d: Mapping[str, Any]) -> records_lib.Argument:
  return records_lib.Argument(d["role"], d["text"])


def _event(d: Mapping[str, Any]) -> records_lib.Event:
  arguments = tuple(_argument(a) for a in d.get("arguments", ()))
  return records_lib.Event(d["type"], d["trigger"]["text"], arguments)


# The inverse of `to_json`, per output key.
_FROM_JSON = {
  "entities": _entity,
  "relations": _relation,
  "events": _event,
  "arguments": _argument,
}


def records_from_json(
  key: str, items: Iterable[Mapping[str, Any]]
) -> records_lib.Records:
  """The records of JSON answers under `key` (offsets and flags dropped)."""
  return tuple(_FROM_JSON[key](d) for d in items)


def occurrences(text: str, span: str) -> list[int]:
  """Start offsets of every occurrence of `span` in `text`, overlaps too."""
  if not span:
    return []
  found = []
  i = text.find(span)
  while i != -1:
    found.append(i)
    i = text.find(span, i + 1)
  return found


class _Locator:
  """Chooses occurrences for the spans of one answer (module docstring)."""

  def __init__(self, text: str):
    self._text = text
    self._taken: dict[str, list[tuple[int, int]]] = {}
    self._shared: dict[tuple[str, str], Span] = {}
    # (kind, label, text) -> starts taken by copies of that answer.
    self._copies: dict[tuple[str, str, str], list[int]] = {}
    self.ungrounded = 0
    self.spans = 0
    self.repeats = 0

  def locate(self, span: str, kind: str, label: str = "") -> Span:
    self.spans += 1
    if kind in _SHARED_KINDS:
      known = self._shared.get((kind, span))
      if known is not None:
        if not known.grounded:
          self.ungrounded += 1
        return known
    starts = occurrences(self._text, span)
    if not starts:
      self.ungrounded += 1
      result = Span(span)
    else:
      taken = self._taken.setdefault(kind, [])
      n = len(span)
      start = next(
        (
          s
          for s in starts
          if all(s + n <= a or b <= s for a, b in taken)  # no overlap
        ),
        None,
      )
      if start is None and kind not in _SHARED_KINDS:
        copies = self._copies.get((kind, label, span), ())
        start = next((s for s in starts if s not in copies), None)
      elif start is None:
        start = starts[0]
      if start is None:
        self.ungrounded += 1
        self.repeats += 1
        return Span(span)
      taken.append((start, start + n))
      if kind not in _SHARED_KINDS:
        self._copies.setdefault((kind, label, span), []).append(start)
      result = Span(span, start, start + n)
    if kind in _SHARED_KINDS:
      self._shared[(kind, span)] = result
    return result


@dataclasses.dataclass(frozen=True)
class Options:
  """The labels a prompt offered.

  Attributes:
    types: Entity types, relations or event types (EEA: unused).
    roles: Argument roles (EE: per event type, or one list for all; EEA: the
      options of the prompt).
    check_types: False when the labels of records carry nothing to check
      (ES, EP).
  """

  types: frozenset[str] = frozenset()
  roles: Mapping[str, frozenset[str]] | frozenset[str] = frozenset()
  check_types: bool = True

  def valid_type(self, label: str) -> bool:
    return not self.check_types or label in self.types

  def valid_role(self, event_type: str | None, role: str) -> bool:
    roles = self.roles
    if isinstance(roles, Mapping):
      return role in roles.get(event_type or "", frozenset())
    return role in roles


def options_for(
  task: str | task_types.TaskType,
  options: Sequence[str] | Mapping[str, Sequence[str]],
  roles: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Options:
  """The `Options` of a prompt of task `task`.

  Args:
    task: The task type or its name.
    options: The prompt's options: entity types, relations or event types
      (a `{type: [roles]}` mapping gives EE both), or the roles for EEA.
    roles: EE only: the roles offered, one list for every event type or per
      type. Ignored when `options` is a mapping.

  Returns:
    The options to check records against.
  """
  task = task_types.get(task)
  if task.role_options:
    return Options(check_types=False, roles=frozenset(options))
  if isinstance(options, Mapping):
    per_type = {t: frozenset(r) for t, r in options.items()}
    return Options(types=frozenset(options), roles=per_type)
  if isinstance(roles, Mapping):
    role_set: Any = {t: frozenset(r) for t, r in roles.items()}
  else:
    role_set = frozenset(roles or ())
  return Options(
    types=frozenset(options),
    roles=role_set,
    check_types=task.labeled,
  )


def ground(
  text: str,
  records: Iterable[records_lib.Record],
  options: Options,
) -> Grounded:
  """Locates the spans of `records` in `text` and checks their labels.

  Args:
    text: The input text the prompt asked about.
    records: Records of one answer, as a format's `parse` returns them.
    options: The labels the prompt offered (`options_for`).

  Returns:
    The grounded records, in input order, with the counts of spans not
    found and labels not among the options.

  Raises:
    TypeError: For an object that is not a record.
  """
  locator = _Locator(text)
  invalid = 0
  out: list[GroundedRecord] = []
  for record in records:
    if isinstance(record, records_lib.Entity):
      valid = options.valid_type(record.type)
      span = locator.locate(record.text, _ENTITY, record.type)
      out.append(GroundedEntity(record.type, span, valid))
    elif isinstance(record, records_lib.Relation):
      valid = options.valid_type(record.relation)
      out.append(
        GroundedRelation(
          record.relation,
          locator.locate(record.head, _RELATION_ARG),
          locator.locate(record.tail, _RELATION_ARG),
          record.head_type,
          record.tail_type,
          valid,
        )
      )
    elif isinstance(record, records_lib.Event):
      valid = options.valid_type(record.type)
      trigger = locator.locate(record.trigger, _TRIGGER, record.type)
      arguments = []
      for argument in record.arguments:
        role_ok = options.valid_role(record.type, argument.role)
        invalid += not role_ok
        arguments.append(
          GroundedArgument(
            argument.role, locator.locate(argument.text, _EVENT_ARG), role_ok
          )
        )
      out.append(GroundedEvent(record.type, trigger, tuple(arguments), valid))
    elif isinstance(record, records_lib.Argument):
      valid = options.valid_role(None, record.role)
      span = locator.locate(record.text, _EVENT_ARG)
      out.append(GroundedArgument(record.role, span, valid))
    else:
      raise TypeError(f"Not a record: {record!r:.200}")
    invalid += not valid
  return Grounded(
    tuple(out), locator.ungrounded, invalid, locator.spans, locator.repeats
  )
