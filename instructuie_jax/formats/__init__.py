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

"""Registry of target formats: how records become target text and back.

A target format is a pair of inverse functions per task type, kept in a
codec table keyed by the task type records (`task_types`); `task` is a
record or its name:

  fmt = formats.get("instructuie")
  text = fmt.linearize("NER", (Entity("person", "Ada"),))   # " person: Ada"
  result = fmt.parse("NER", text)                           # ParseResult
  result.records == (Entity("person", "Ada"),)

`parse` never raises: what it cannot read is reported in
`ParseResult.problems` and counted by callers. New formats (for example a
word-level BIO format) register themselves with `register`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from instructuie_jax import records as records_lib


@dataclasses.dataclass(frozen=True)
class ParseResult:
  """What a parser read from one string.

  Attributes:
    records: The records read, in text order (duplicates kept; metrics use
      sets).
    problems: One short message per piece of text that could not be read
      (empty when the whole string parsed).
  """

  records: records_lib.Records
  problems: tuple[str, ...] = ()

  @property
  def ok(self) -> bool:
    return not self.problems


class TargetFormat(Protocol):
  """What every registered target format provides."""

  name: str

  def linearize(self, task: str, records: records_lib.Records) -> str:
    """Returns the target text for `records` of task type `task`."""

  def parse(self, task: str, text: str) -> ParseResult:
    """Reads `text` back into records; never raises."""

  def tasks(self) -> Sequence[Any]:
    """The task type records it has a codec for (every one, a test checks)."""

  def grammar(self, task: str) -> Any:
    """The targets' grammar (`formats.grammar`), for constrained decoding."""


_REGISTRY: dict[str, Callable[[], TargetFormat]] = {}


def register(name: str, factory: Callable[[], TargetFormat]) -> None:
  """Registers a target format factory under `name` (a duplicate is an error)."""
  if name in _REGISTRY:
    raise ValueError(f"Target format {name!r} is already registered.")
  _REGISTRY[name] = factory


def get(name: str = "instructuie") -> TargetFormat:
  """Returns the target format registered as `name`."""
  _load_builtin_formats()
  try:
    return _REGISTRY[name]()
  except KeyError:
    raise ValueError(
      f"Unknown target format {name!r}; registered: {', '.join(sorted(_REGISTRY))}"
    ) from None


def names() -> list[str]:
  """Names of the registered target formats."""
  _load_builtin_formats()
  return sorted(_REGISTRY)


def _load_builtin_formats() -> None:
  # Imported lazily: the built-in modules call `register` on import.
  from instructuie_jax.formats import instructuie  # noqa: F401
