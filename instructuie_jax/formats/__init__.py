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
`ParseResult.problems` and counted by callers. New formats register
themselves with `register`.

A format covers the task types its `tasks()` lists (`instructuie`: every
one; `words_bio`: the span tasks NER and ES); `check_covers` is the one
check that a format is used only for those. Formats that write the words of
the input take the sentence (`linearize(task, records, sentence=...)`;
`parse(..., sentence=...)` realigns to it); the others ignore it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from instructuie_jax import records as records_lib
from instructuie_jax import task_types


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

  def linearize(
    self, task: str, records: records_lib.Records, sentence: str | None = None
  ) -> str:
    """Returns the target text for `records` of task type `task`."""

  def parse(
    self, task: str, text: str, labels: Any = None, sentence: str | None = None
  ) -> ParseResult:
    """Reads `text` back into records; never raises."""

  def tasks(self) -> Sequence[Any]:
    """The task type records it has a codec for (a test checks each one)."""

  def grammar(
    self,
    task: str,
    sentence: str | None = None,
    labels: Any = None,
  ) -> Any:
    """The targets' grammar (`formats.grammar`), for constrained decoding;
    a format whose targets depend on the sentence or spell the labels out
    reads `sentence` and `labels` (`{"types": [...], "roles": [...]}`)."""


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


def check_covers(name: str, covered: Sequence[Any], task: Any) -> Any:
  """The task type record of `task`, checked to be among `covered`.

  Raises:
    ValueError: `task` is unknown or not covered by the format `name`.
  """
  record = task_types.get(task)
  if record not in covered:
    raise ValueError(
      f"Target format {name!r} does not cover task type {record.name}; it "
      f"covers {', '.join(t.name for t in covered)}."
    )
  return record


def check_format(name: str, tasks: Sequence[Any]) -> None:
  """Checks that format `name` is registered and covers every task of `tasks`.

  Raises:
    ValueError: naming the format and the first task type it does not cover.
  """
  fmt = get(name)
  for task in tasks:
    check_covers(name, fmt.tasks(), task)


def _load_builtin_formats() -> None:
  # Imported lazily: the built-in modules call `register` on import.
  from instructuie_jax.formats import instructuie, words_bio  # noqa: F401
