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

"""Prompt layouts and the parts each task type's prompt is made of.

The layout is the original InstructUIE one, character for character
(`instruction` is used verbatim; pool instructions end with " \\n"):

| task | prompt after the instruction                                        |
|------|---------------------------------------------------------------------|
| NER, ES, RE, EP | `Option: L \\nText: S \\nAnswer:`                        |
| ET   | `Option: L \\nText: S \\n Entities: e1, e2 \\nAnswer:`             |
| EPR  | `Option: L \\nText: S \\n Entity Pairs:  h, t; h, t \\nAnswer:`    |
| EE   | ` Option: Event type: [...], Arguments type: [...]. \\nText: S \\nAnswer:` |
| EET  | ` Option: L \\nText: S \\nAnswer:`                                 |
| EEA  | `Event type: T \\n  Option: R \\nText: S \\nAnswer:`               |

L is `", ".join(options)`; EE lists the event types and the roles as Python
list literals (`str(list)`), as the original does. The sentence S is inserted
literally: braces in any part never change the prompt (see
`instructions.render_prompt`, which lays a prompt out).

Each task type's record (`task_types.TaskType`) holds its `PromptLayout` and
its parts function `(instance, labels, policy, rng) -> (options, extra)`,
which picks the option labels (through the label-option policy) and builds
the `extra` parts of the layout from the instance. An EEA instance is
narrowed to the one event its example asks about. Its `offered` function
`(instance, labels, options, extra) -> instance` narrows the instance to the
items whose labels the prompt lists, which the target is built from: a
policy that drops a gold label (`label_options`) drops its answers too. Its
twin at inference, `(item, labels, roles) -> QueryParts`, builds the same
parts from an extraction request (`instructuie_t5x.queries`). A layout reads
its own prompts back (`PromptLayout.read`: the options and the sentence).
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from instructuie_jax import label_options
from instructuie_jax.gold import NO_TYPE

# --------------------------------------------------------------------------
# Layouts.


def _split_options(fields: Mapping[str, str]) -> tuple[str, ...]:
  return tuple(o.strip() for o in fields["options"].split(", "))


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def _schema_labels(
  fields: Mapping[str, str],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
  # EE: the event types and the roles, each list written as `str(list)`.
  types, roles = (
    tuple(a or b for a, b in _QUOTED.findall(fields[k]))
    for k in ("types", "roles")
  )
  return types, roles


def _listed_options(fields: Mapping[str, str]) -> tuple[str, ...]:
  # EE: the event types, then the roles.
  types, roles = _schema_labels(fields)
  return types + roles


@dataclasses.dataclass(frozen=True)
class PromptLayout:
  """How one task's prompt is laid out.

  Attributes:
    template: `string.Template` text; `$instruction`, `$sentence` and the
      fields returned by `fields` are substituted literally.
    extras: Keys `render` requires in `extra`.
    fields: `(options, extra) -> {field: text}` for the template.
    options_of: `{field: text} -> options`, the options read back from the
      fields of a rendered prompt (the inverse of `fields` for them).
    labels_of: `{field: text} -> (options, roles)` for a layout that lists
      roles apart from its options (EE); None for the others.
  """

  template: string.Template
  extras: tuple[str, ...]
  fields: Callable[[Sequence[str], Mapping[str, Any]], dict[str, str]]
  options_of: Callable[[Mapping[str, str]], tuple[str, ...]] = _split_options
  labels_of: (
    Callable[[Mapping[str, str]], tuple[tuple[str, ...], tuple[str, ...]]]
    | None
  ) = None

  @functools.cached_property
  def _pattern(self) -> re.Pattern:
    # Literal text between the fields; each field matches as little as it
    # can, so a field ends at the first occurrence of the text after it.
    parts = re.split(r"\$\{(\w+)\}", self.template.template)
    regex = "".join(
      f"(?P<{part}>.*?)" if i % 2 else re.escape(part)
      for i, part in enumerate(parts)
    )
    return re.compile(regex, re.S)

  def read(self, prompt: str) -> tuple[tuple[str, ...] | None, str | None]:
    """(options, sentence) of a prompt this layout rendered.

    Both are None when `prompt` does not have this layout.
    """
    match = self._pattern.match(prompt)
    if match is None:
      return None, None
    return self.options_of(match.groupdict()), match["sentence"]

  def read_labels(
    self, prompt: str
  ) -> tuple[tuple[str, ...], tuple[str, ...] | None, str] | None:
    """(options, roles, sentence) of a prompt this layout rendered.

    `roles` are the roles a layout lists apart from its options (EE: the
    options are the event types), else None. None when `prompt` does not
    have this layout.
    """
    match = self._pattern.match(prompt)
    if match is None:
      return None
    fields = match.groupdict()
    if self.labels_of is None:
      return self.options_of(fields), None, fields["sentence"]
    options, roles = self.labels_of(fields)
    return options, roles, fields["sentence"]


def _joined_options(
  options: Sequence[str], extra: Mapping[str, Any]
) -> dict[str, str]:
  return {"options": ", ".join(options)}


def _et_fields(
  options: Sequence[str], extra: Mapping[str, Any]
) -> dict[str, str]:
  return {
    "options": ", ".join(options),
    "entities": ", ".join(extra["entities"]),
  }


def _epr_fields(
  options: Sequence[str], extra: Mapping[str, Any]
) -> dict[str, str]:
  return {
    "options": ", ".join(options),
    "pairs": "; ".join(f"{h}, {t}" for h, t in extra["pairs"]),
  }


def _ee_fields(
  options: Sequence[str], extra: Mapping[str, Any]
) -> dict[str, str]:
  # The original formats its labels.json `[event types, roles]` with an
  # f-string, so the prompt shows the Python reprs of both lists.
  return {"types": str(list(options)), "roles": str(list(extra["roles"]))}


def _eea_fields(
  options: Sequence[str], extra: Mapping[str, Any]
) -> dict[str, str]:
  return {"options": ", ".join(options), "event_type": extra["event_type"]}


_T = string.Template

PLAIN = PromptLayout(
  _T("${instruction}Option: ${options} \nText: ${sentence} \nAnswer:"),
  (),
  _joined_options,
)
ENTITY_LIST = PromptLayout(
  _T(
    "${instruction}Option: ${options} \nText: ${sentence} \n"
    " Entities: ${entities} \nAnswer:"
  ),
  ("entities",),
  _et_fields,
)
# Two spaces after "Pairs:": the original prefixes the pair list with " ".
PAIR_LIST = PromptLayout(
  _T(
    "${instruction}Option: ${options} \nText: ${sentence} \n"
    " Entity Pairs:  ${pairs} \nAnswer:"
  ),
  ("pairs",),
  _epr_fields,
)
EVENT_SCHEMA = PromptLayout(
  _T(
    "${instruction} Option: Event type: ${types}, Arguments type: ${roles}."
    " \nText: ${sentence} \nAnswer:"
  ),
  ("roles",),
  _ee_fields,
  _listed_options,
  _schema_labels,
)
EVENT_TYPES = PromptLayout(
  _T("${instruction} Option: ${options} \nText: ${sentence} \nAnswer:"),
  (),
  _joined_options,
)
EVENT_ROLES = PromptLayout(
  _T(
    "${instruction}Event type: ${event_type} \n  Option: ${options} \n"
    "Text: ${sentence} \nAnswer:"
  ),
  ("event_type",),
  _eea_fields,
)


# --------------------------------------------------------------------------
# Labels.


@dataclasses.dataclass(frozen=True)
class LabelSet:
  """A dataset's labels: types (EE: event types) and EE roles per type.

  `pool_types` and `pool_roles` are the labels across the family's
  datasets, for the policies that read a pool (`label_options.reads_pool`);
  empty otherwise.
  """

  types: tuple[str, ...]
  roles: Mapping[str, tuple[str, ...]] | None
  pool_types: tuple[str, ...] = ()
  pool_roles: tuple[str, ...] = ()


def label_set(labels: Any) -> LabelSet:
  """Accepts `schema.Labels`, a `labels.json` list, or an EE dict / pair."""
  if isinstance(labels, LabelSet):
    return labels
  if hasattr(labels, "types"):
    roles = labels.roles
    return LabelSet(
      tuple(labels.types),
      None if roles is None else {k: tuple(v) for k, v in roles.items()},
    )
  if isinstance(labels, Mapping):
    return LabelSet(tuple(labels), {k: tuple(v) for k, v in labels.items()})
  labels = list(labels)
  if (
    len(labels) == 2
    and all(not isinstance(x, str) for x in labels)
    and all(isinstance(x, Sequence) for x in labels)
  ):
    types, roles = tuple(labels[0]), tuple(labels[1])
    return LabelSet(types, {t: roles for t in types})
  if not all(isinstance(x, str) for x in labels):
    raise ValueError(
      "labels must be a list of label names, an EE {type: [roles]} dict, an "
      f"EE [types, roles] pair or a schema.Labels; got {labels!r:.200}"
    )
  return LabelSet(tuple(labels), None)


def role_union(labels: LabelSet) -> list[str]:
  """All roles, first occurrence order over the event types."""
  seen: dict[str, None] = {}
  for event_type in labels.types:
    for role in (labels.roles or {}).get(event_type, ()):
      seen.setdefault(role, None)
  return list(seen)


# --------------------------------------------------------------------------
# Offered items: (instance, labels, options, extra) -> instance.
#
# The instance narrowed to the items whose labels the prompt offers: an item
# (a role: an argument) is left out when the dataset lists its label and
# the prompt's options do not, so the target never holds an answer the
# prompt did not ask for. Items without a type ("" or "NA") stay. Only a
# policy that drops gold labels (`gold_dropout`) narrows anything; otherwise
# the instance itself is returned.

OfferedFn = Callable[[Any, LabelSet, Sequence[str], Mapping[str, Any]], Any]


def _dropped(candidates: Sequence[str], offered: Sequence[str]) -> set[str]:
  return set(candidates) - set(offered) - NO_TYPE


def _keep(items: tuple, dropped: set[str], label: str = "type") -> tuple:
  if not dropped:
    return items
  return tuple(x for x in items if getattr(x, label) not in dropped)


def _narrowed(instance: Any, **items: tuple) -> Any:
  if all(items[k] == getattr(instance, k) for k in items):
    return instance
  return dataclasses.replace(instance, **items)


def offered_entities(instance, labels, options, extra) -> Any:
  """NER, ES, ET: the entities whose type the options list."""
  dropped = _dropped(labels.types, options)
  return _narrowed(instance, entities=_keep(instance.entities, dropped))


def offered_relations(instance, labels, options, extra) -> Any:
  """RE, EP, EPR: the relations whose type the options list."""
  dropped = _dropped(labels.types, options)
  return _narrowed(instance, relations=_keep(instance.relations, dropped))


def offered_events(instance, labels, options, extra) -> Any:
  """EE, EET: the events whose type the options list; EE: of their
  arguments, those whose role the prompt's `roles` list."""
  events = _keep(instance.events, _dropped(labels.types, options))
  roles_dropped = _dropped(role_union(labels), extra.get("roles", ()))
  if "roles" in extra and roles_dropped:
    events = tuple(
      _narrowed(e, arguments=_keep(e.arguments, roles_dropped, "role"))
      for e in events
    )
  return _narrowed(instance, events=events)


def offered_arguments(instance, labels, options, extra) -> Any:
  """EEA: the one event's arguments whose role the options list."""
  (event,) = instance.events
  roles = (labels.roles or {}).get(event.type, ())
  arguments = _keep(event.arguments, _dropped(roles, options), "role")
  return _narrowed(instance, events=(_narrowed(event, arguments=arguments),))


# --------------------------------------------------------------------------
# Parts: (instance, labels, policy, rng) -> (options, extra).

Parts = tuple[list[str], dict[str, Any]]
PartsFn = Callable[
  [Any, LabelSet, label_options.OptionPolicy, random.Random], Parts
]


def _typed(items: Any) -> list[Any]:
  return [x for x in items if x.type not in NO_TYPE]


def _type_options(labels, policy, rng, gold_types) -> list[str]:
  return policy(labels.types, rng, gold_types, pool=labels.pool_types)


def entity_options(instance, labels, policy, rng) -> Parts:
  """NER, ES: the entity types."""
  gold_types = {e.type for e in _typed(instance.entities)}
  return _type_options(labels, policy, rng, gold_types), {}


def entity_options_and_names(instance, labels, policy, rng) -> Parts:
  """ET: the entity types; `entities`, the names of the typed entities
  whose type is offered."""
  typed = _typed(instance.entities)
  options = _type_options(labels, policy, rng, {e.type for e in typed})
  offered = offered_entities(instance, labels, options, {})
  return options, {"entities": [e.name for e in _typed(offered.entities)]}


def relation_options(instance, labels, policy, rng) -> Parts:
  """RE, EP: the relation types."""
  gold_types = {r.type for r in _typed(instance.relations)}
  return _type_options(labels, policy, rng, gold_types), {}


def relation_options_and_pairs(instance, labels, policy, rng) -> Parts:
  """EPR: the relation types; `pairs`, the (head, tail) of the typed
  relations whose type is offered."""
  typed = _typed(instance.relations)
  options = _type_options(labels, policy, rng, {r.type for r in typed})
  offered = offered_relations(instance, labels, options, {})
  return options, {
    "pairs": [(r.head.name, r.tail.name) for r in _typed(offered.relations)]
  }


def event_type_options(instance, labels, policy, rng) -> Parts:
  """EET: the event types."""
  gold_types = {e.type for e in _typed(instance.events)}
  return _type_options(labels, policy, rng, gold_types), {}


def event_schema(instance, labels, policy, rng) -> Parts:
  """EE: the event types; `roles`, every role (a second policy draw).

  Raises:
    ValueError: The labels have no roles.
  """
  events = _typed(instance.events)
  options = _type_options(labels, policy, rng, {e.type for e in events})
  if labels.roles is None:
    raise ValueError(
      f"{instance.id}: EE prompts need argument roles; the labels have "
      "event types only."
    )
  gold_roles = {a.role for e in events for a in e.arguments}
  roles = policy(role_union(labels), rng, gold_roles, pool=labels.pool_roles)
  return options, {"roles": roles}


def event_role_options(instance, labels, policy, rng) -> Parts:
  """EEA: the roles of the one event's type; `event_type`, that type.

  Raises:
    ValueError: The labels have no roles for the event's type.
  """
  (event,) = instance.events
  roles = (labels.roles or {}).get(event.type)
  if roles is None:
    raise ValueError(
      f"{instance.id}: EEA event type {event.type!r} has no roles in the "
      "labels (EE labels must map each event type to its roles)."
    )
  gold_roles = {a.role for a in event.arguments}
  options = policy(roles, rng, gold_roles, pool=labels.pool_roles)
  return options, {"event_type": event.type}


# --------------------------------------------------------------------------
# Parts at inference: (item, labels, roles) -> QueryParts.


class QueryError(ValueError):
  """A bad input item of an extraction query; `field` names the field."""

  def __init__(self, field: str, message: str):
    super().__init__(f"field {field!r}: {message}")
    self.field = field
    self.message = message


@dataclasses.dataclass(frozen=True)
class QueryParts:
  """What a query's prompt shows, from the request.

  Attributes:
    options: The prompt's options (EE: event types; EEA: roles).
    extra: The layout's extra parts.
    roles: EE: the roles offered, one tuple for all event types or a
      `{type: roles}` mapping; None for the other task types.
  """

  options: tuple[str, ...]
  extra: dict[str, Any]
  roles: tuple[str, ...] | Mapping[str, tuple[str, ...]] | None = None


QueryPartsFn = Callable[
  [Mapping[str, Any], Any, Sequence[str] | None], QueryParts
]


def strings(value: Any, field: str) -> tuple[str, ...]:
  """`value` as a tuple of non-empty strings; QueryError naming `field`."""
  if isinstance(value, str) or not isinstance(value, Sequence):
    raise QueryError(field, f"must be a list of strings, got {value!r:.80}")
  out = []
  for i, x in enumerate(value):
    if not isinstance(x, str) or not x.strip():
      raise QueryError(
        f"{field}[{i}]", f"must be a non-empty string, got {x!r:.80}"
      )
    out.append(x)
  return tuple(out)


def _union(role_map: Mapping[str, Sequence[str]]) -> list[str]:
  seen: dict[str, None] = {}
  for roles in role_map.values():
    for role in roles:
      seen.setdefault(role, None)
  return list(seen)


def given_options(item, labels, roles) -> QueryParts:
  """NER, ES, RE, EP, EET: the labels (a role mapping: its event types)."""
  return QueryParts(tuple(labels), {})


def given_options_and_names(item, labels, roles) -> QueryParts:
  """ET: the labels; `entities`, the item's entity names."""
  names = strings(item.get("entities"), "entities")
  return QueryParts(tuple(labels), {"entities": list(names)})


def given_options_and_pairs(item, labels, roles) -> QueryParts:
  """EPR: the labels; `pairs`, the item's `[[head, tail], ...]`."""
  pairs = item.get("pairs")
  if isinstance(pairs, str) or not isinstance(pairs, Sequence):
    raise QueryError(
      "pairs", f"must be a list of [head, tail], got {pairs!r:.80}"
    )
  checked = [strings(p, f"pairs[{i}]") for i, p in enumerate(pairs)]
  for i, p in enumerate(checked):
    if len(p) != 2:
      raise QueryError(f"pairs[{i}]", "must be [head, tail]")
  return QueryParts(tuple(labels), {"pairs": checked})


def given_event_schema(item, labels, roles) -> QueryParts:
  """EE: the event types; `roles`, the roles offered.

  The roles come from `{type: [roles]}` labels, else the item's `roles`,
  else the call's `roles`.

  Raises:
    QueryError: No roles given.
  """
  if isinstance(labels, Mapping):
    return QueryParts(tuple(labels), {"roles": _union(labels)}, labels)
  given = item.get("roles", roles)
  if given is None:
    raise QueryError(
      "roles", "EE needs argument roles: 'roles' or {type: [roles]} labels"
    )
  given = strings(given, "roles")
  return QueryParts(tuple(labels), {"roles": list(given)}, given)


def given_event_roles(item, labels, roles) -> QueryParts:
  """EEA: the roles of the item's `event_type`; `event_type`, that type.

  Raises:
    QueryError: No event type, or one the `{type: [roles]}` labels lack.
  """
  event_type = item.get("event_type")
  if not isinstance(event_type, str) or not event_type.strip():
    raise QueryError("event_type", "EEA needs the event type (a string)")
  if isinstance(labels, Mapping):
    if event_type not in labels:
      raise QueryError(
        "event_type", f"{event_type!r} is not among the labels' event types"
      )
    labels = labels[event_type]
  return QueryParts(tuple(labels), {"event_type": event_type})
