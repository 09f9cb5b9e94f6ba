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

"""The IE task types of InstructUIE and the dataset family each one reads.

A dataset folder belongs to one family (`NER`, `RE` or `EE`, the top-level
folder of the IE INSTRUCTIONS layout). Each family yields its main task(s) and
auxiliary tasks derived from the same instances (paper, Section 3.2):

| family | main tasks      | auxiliary tasks (train split only, sampled) |
|--------|-----------------|---------------------------------------------|
| NER    | NER             | ES (entity span), ET (entity typing)        |
| RE     | RE              | EP (entity pair), EPR (entity pair relation) |
| EE     | EE, EET, EEA    | (none)                                      |
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TaskType:
  """One IE task type.

  Attributes:
    name: Short name used in prompts, configs and metrics ("NER", "EET", ...).
    family: Dataset family the task reads ("NER", "RE" or "EE").
    auxiliary: True for the derived auxiliary tasks (ES, ET, EP, EPR).
    description: One line for reports and `--help` texts.
  """

  name: str
  family: str
  auxiliary: bool
  description: str


_TASK_TYPES = (
  TaskType("NER", "NER", False, "named entity recognition"),
  TaskType("ES", "NER", True, "entity span extraction"),
  TaskType("ET", "NER", True, "entity typing of given spans"),
  TaskType("RE", "RE", False, "relation extraction"),
  TaskType("EP", "RE", True, "entity pair extraction"),
  TaskType("EPR", "RE", True, "relation classification of given pairs"),
  TaskType("EE", "EE", False, "event extraction (trigger and arguments)"),
  TaskType("EET", "EE", False, "event trigger extraction"),
  TaskType("EEA", "EE", False, "event argument extraction for a given type"),
)

TASK_TYPES: dict[str, TaskType] = {t.name: t for t in _TASK_TYPES}
FAMILIES: tuple[str, ...] = ("NER", "RE", "EE")


def get(name: str) -> TaskType:
  """Returns the task type called `name`; raises ValueError naming the known."""
  try:
    return TASK_TYPES[name]
  except KeyError:
    raise ValueError(
      f"Unknown IE task type {name!r}; known: {', '.join(TASK_TYPES)}"
    ) from None


def tasks_of_family(family: str, *, auxiliary: bool | None = None) -> list[str]:
  """Names of the task types reading `family`, in table order.

  Args:
    family: "NER", "RE" or "EE".
    auxiliary: None for all, True for auxiliary only, False for main only.
  """
  if family not in FAMILIES:
    raise ValueError(f"Unknown family {family!r}; known: {', '.join(FAMILIES)}")
  return [
    t.name
    for t in _TASK_TYPES
    if t.family == family and (auxiliary is None or t.auxiliary == auxiliary)
  ]
