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
narrowed to the one event its example asks about.
"""

from __future__ import annotations

import dataclasses
import random
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from instructuie_jax import label_options
from instructuie_jax.gold import NO_TYPE

# --------------------------------------------------------------------------
# Layouts.


@dataclasses.dataclass(frozen=True)
class PromptLayout:
  """How one task's prompt is laid out.

  Attributes:
    template: `string.Template` text; `$instruction`, `$sentence` and the
      fields returned by `fields` are substituted literally.
    extras: Keys `render` requires in `extra`.
    fields: `(options, extra) -> {field: text}` for the template.
  """

  template: string.Template
  extras: tuple[str, ...]
  fields: Callable[[Sequence[str], Mapping[str, Any]], dict[str, str]]


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
  """A dataset's labels: types (EE: event types) and EE roles per type."""

  types: tuple[str, ...]
  roles: Mapping[str, tuple[str, ...]] | None


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
# Parts: (instance, labels, policy, rng) -> (options, extra).

Parts = tuple[list[str], dict[str, Any]]
PartsFn = Callable[
  [Any, LabelSet, label_options.OptionPolicy, random.Random], Parts
]


def _typed(items: Any) -> list[Any]:
  return [x for x in items if x.type not in NO_TYPE]


def entity_options(instance, labels, policy, rng) -> Parts:
  """NER, ES: the entity types."""
  gold_types = {e.type for e in _typed(instance.entities)}
  return policy(labels.types, rng, gold_types), {}


def entity_options_and_names(instance, labels, policy, rng) -> Parts:
  """ET: the entity types; `entities`, the typed entities' names."""
  typed = _typed(instance.entities)
  options = policy(labels.types, rng, {e.type for e in typed})
  return options, {"entities": [e.name for e in typed]}


def relation_options(instance, labels, policy, rng) -> Parts:
  """RE, EP: the relation types."""
  gold_types = {r.type for r in _typed(instance.relations)}
  return policy(labels.types, rng, gold_types), {}


def relation_options_and_pairs(instance, labels, policy, rng) -> Parts:
  """EPR: the relation types; `pairs`, the typed relations' (head, tail)."""
  typed = _typed(instance.relations)
  options = policy(labels.types, rng, {r.type for r in typed})
  return options, {"pairs": [(r.head.name, r.tail.name) for r in typed]}


def event_type_options(instance, labels, policy, rng) -> Parts:
  """EET: the event types."""
  gold_types = {e.type for e in _typed(instance.events)}
  return policy(labels.types, rng, gold_types), {}


def event_schema(instance, labels, policy, rng) -> Parts:
  """EE: the event types; `roles`, every role (a second policy draw).

  Raises:
    ValueError: The labels have no roles.
  """
  events = _typed(instance.events)
  options = policy(labels.types, rng, {e.type for e in events})
  if labels.roles is None:
    raise ValueError(
      f"{instance.id}: EE prompts need argument roles; the labels have "
      "event types only."
    )
  gold_roles = {a.role for e in events for a in e.arguments}
  return options, {"roles": policy(role_union(labels), rng, gold_roles)}


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
  return policy(roles, rng, gold_roles), {"event_type": event.type}
