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

"""Instances of the IE INSTRUCTIONS layout: data model, reader, validation.

Layout: `ROOT/{NER,RE,EE}/{dataset}/{train,dev,test}.json` + `labels.json`.
A split file is a JSON list of instances; `pos` is `[start, end]` in
characters, end exclusive, with `sentence[start:end] == name`. A missing `pos`,
`null` or `[]` reads as `None` (then the name must occur in the sentence).

Every problem is a `Problem` naming file, instance index and field path
(`relations[0].head.pos`). Two severities:

* errors: missing or mistyped field, empty sentence or name, label not in
  `labels.json` (RE: relation types only; EE: event types and the roles of
  each type), name not in the sentence, bad `pos`, an RE instance without
  relations. An instance with any error is unusable: strict mode raises `DataError` on the first error;
  lenient mode leaves the instance out of the result and returns the error.
* warnings (`kind == "duplicate"`): an exact duplicate instance in one split
  or a duplicate item in one instance. The instance is kept, the warning is
  returned, in both modes (the public data has a few of them).

An EE instance may hold any number of events: several (a sentence with
several triggers, as in ACE05, GENIA or CASIE as annotated) or none (a
sentence without events: EE and EET targets are " None", EEA has no
example; see `instructions.examples_for_split`).

The data model names say what they are: `Span`, `AnnotatedRelation`,
`AnnotatedEvent` and `AnnotatedArgument` are annotations as the data files
hold them (names, types and character positions); `records` has the answer
records (`Entity`, `Relation`, `Event`, `Argument`) that targets and metrics
use.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from typing import Any

from instructuie_jax import json_input, task_types

SPLITS: tuple[str, ...] = ("train", "dev", "test")

# Problem kinds. Only `duplicate` is a warning; the others are errors.
PROBLEM_KINDS: tuple[str, ...] = (
  "file",  # split or labels file missing or unreadable
  "json",  # invalid JSON
  "shape",  # file is not a list, or labels.json has the wrong shape
  "missing",  # required field missing
  "type",  # field of the wrong JSON type
  "empty",  # empty sentence, name or role
  "label",  # type, relation or role not in labels.json
  "span",  # name not found in the sentence (no pos)
  "pos",  # pos malformed, out of range or not matching the name
  "count",  # RE: no relation
  "duplicate",  # duplicate instance or item (warning)
  "invalid",  # any other error
)
WARNING_KINDS = frozenset({"duplicate"})


@dataclasses.dataclass(frozen=True)
class Problem:
  """One problem found in a data file.

  Attributes:
    file: Path of the file, as given to the reader.
    index: Instance index in the split file; None for file-level problems.
    field: Path of the field (`entities[2].pos`); `file`, `json`, `labels...`
      or `instance` for problems of a whole file or instance.
    message: What is wrong, with the offending value.
    kind: One of `PROBLEM_KINDS`.
  """

  file: str
  index: int | None
  field: str
  message: str
  kind: str = "invalid"

  @property
  def is_warning(self) -> bool:
    """True for problems that leave the instance usable (duplicates)."""
    return self.kind in WARNING_KINDS

  def __str__(self) -> str:
    where = self.file if self.index is None else f"{self.file}:{self.index}"
    return f"{where}: {self.field}: {self.message}"


class DataError(ValueError):
  """A data file breaks the layout; `.problem` says where and how."""

  def __init__(self, problem: Problem):
    super().__init__(str(problem))
    self.problem = problem


@dataclasses.dataclass(frozen=True)
class Span:
  """An entity, or the head or tail of a relation. `type` may be ""."""

  name: str
  type: str
  pos: tuple[int, int] | None


@dataclasses.dataclass(frozen=True)
class AnnotatedArgument:
  """An event argument as annotated: name, role and its `pos`."""

  name: str
  role: str
  pos: tuple[int, int] | None


@dataclasses.dataclass(frozen=True)
class AnnotatedRelation:
  """A relation from `head` to `tail`, as annotated."""

  head: Span
  type: str
  tail: Span


@dataclasses.dataclass(frozen=True)
class AnnotatedEvent:
  """An event as annotated: trigger text, event type, trigger `pos` and
  arguments."""

  trigger: str
  type: str
  pos: tuple[int, int] | None
  arguments: tuple[AnnotatedArgument, ...] = ()


@dataclasses.dataclass(frozen=True)
class Instance:
  """One annotated sentence; `id` is `f"{dataset}/{split}/{index}"`."""

  id: str
  sentence: str
  entities: tuple[Span, ...] = ()
  relations: tuple[AnnotatedRelation, ...] = ()
  events: tuple[AnnotatedEvent, ...] = ()


@dataclasses.dataclass(frozen=True)
class Labels:
  """The contents of one `labels.json`.

  Attributes:
    types: NER entity types, RE relation types or EE event types, in file
      order.
    roles: EE only: the argument roles of each event type. The list variant
      `[event types, roles]` gives every type all the roles. None for NER/RE.
  """

  types: tuple[str, ...]
  roles: dict[str, tuple[str, ...]] | None = None

  @property
  def all_roles(self) -> tuple[str, ...]:
    """Every role of every event type, sorted, without repeats."""
    if not self.roles:
      return ()
    return tuple(sorted({r for rs in self.roles.values() for r in rs}))


@dataclasses.dataclass(frozen=True)
class SplitStats:
  """Counts for one split: usable instances, their items, problems."""

  instances: int = 0
  entities: int = 0
  relations: int = 0
  events: int = 0
  arguments: int = 0
  errors: int = 0
  warnings: int = 0


def _describe(value: Any) -> str:
  """Short description of a JSON value for messages."""
  names = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
  }
  text = json.dumps(value, ensure_ascii=False)
  if len(text) > 40:
    text = text[:37] + "..."
  return f"{names.get(type(value), type(value).__name__)} {text}"


def _read_json(file: str) -> tuple[Any, Problem | None]:
  """Parses `file` (see `json_input`); returns (data, None) or (None, the
  problem)."""
  try:
    return json_input.read_json(file), None
  except FileNotFoundError:
    return None, Problem(file, None, "file", "file not found", "file")
  except json_input.InputError as e:
    kind = "file" if e.message.startswith("not UTF-8") else "json"
    at = "" if e.line is None else f"line {e.line}: "
    return None, Problem(file, None, kind, at + e.message, kind)
  except OSError as e:
    return None, Problem(file, None, "file", f"cannot read: {e}", "file")


def _label_list(values: Any, field: str, file: str) -> tuple[str, ...]:
  """Checks a JSON list of distinct non-empty label strings."""
  if not isinstance(values, list):
    raise DataError(
      Problem(
        file, None, field, f"expected a list, got {_describe(values)}", "shape"
      )
    )
  seen: dict[str, int] = {}
  for j, value in enumerate(values):
    if not isinstance(value, str) or not value.strip():
      raise DataError(
        Problem(
          file,
          None,
          f"{field}[{j}]",
          f"expected a non-empty string, got {_describe(value)}",
          "shape",
        )
      )
    if value in seen:
      raise DataError(
        Problem(
          file,
          None,
          f"{field}[{j}]",
          f"label {value!r} repeats {field}[{seen[value]}]",
          "shape",
        )
      )
    seen[value] = j
  return tuple(values)


def load_labels(
  path: str | os.PathLike, family: str | task_types.Family
) -> Labels:
  """Reads a `labels.json`.

  NER/RE: a list of type / relation strings. EE: an object
  `{event type: [roles]}` or a list `[[event types], [roles]]`.

  Args:
    path: The `labels.json` file.
    family: The family record or its name ("NER", "RE" or "EE").

  Returns:
    The labels, in file order.

  Raises:
    DataError: The file is missing, not JSON, or has the wrong shape (not
      strings, empty or repeated labels).
    ValueError: Unknown family.
  """
  family = task_types.family(family)
  file = os.fspath(path)
  data, problem = _read_json(file)
  if problem is not None:
    raise DataError(problem)
  if not family.roles:
    if not isinstance(data, list):
      raise DataError(
        Problem(
          file,
          None,
          "labels",
          f"expected a list of {family.label_kind}, got {_describe(data)}",
          "shape",
        )
      )
    return Labels(_label_list(data, "labels", file))
  if isinstance(data, dict):
    roles = {}
    for event_type, event_roles in data.items():
      if not event_type.strip():
        raise DataError(
          Problem(file, None, "labels", "empty event type", "shape")
        )
      roles[event_type] = _label_list(
        event_roles, f"labels[{event_type!r}]", file
      )
    return Labels(tuple(data), roles)
  if (
    isinstance(data, list)
    and len(data) == 2
    and all(isinstance(x, list) for x in data)
  ):
    types = _label_list(data[0], "labels[0]", file)
    all_roles = _label_list(data[1], "labels[1]", file)
    return Labels(types, {t: all_roles for t in types})
  raise DataError(
    Problem(
      file,
      None,
      "labels",
      "expected {event type: [roles]} or [[event types], [roles]], got "
      + _describe(data),
      "shape",
    )
  )


class _SplitReader:
  """Validates and converts the instances of one split file."""

  def __init__(
    self,
    file: str,
    family: task_types.Family,
    dataset: str,
    split: str,
    labels: Labels | None,
    strict: bool,
  ):
    self.file = file
    self.family = family
    self.prefix = f"{dataset}/{split}/"
    self.strict = strict
    self.problems: list[Problem] = []
    self.types = None if labels is None else frozenset(labels.types)
    self.roles = None
    if labels is not None and labels.roles is not None:
      self.roles = {t: frozenset(r) for t, r in labels.roles.items()}
    self.index = 0
    self.bad = False
    self.seen: dict[tuple, int] = {}
    # The family's item reader: `entity`, `relation` or `event`.
    self.read_item = getattr(self, family.item)

  def report(self, field: str, message: str, kind: str) -> None:
    problem = Problem(self.file, self.index, field, message, kind)
    if kind not in WARNING_KINDS:
      self.bad = True
      if self.strict:
        raise DataError(problem)
    self.problems.append(problem)

  def string(self, obj: dict, key: str, field: str, empty_ok=False):
    """The string `obj[key]`, or None after reporting a problem."""
    if key not in obj:
      self.report(field, "missing", "missing")
      return None
    value = obj[key]
    if not isinstance(value, str):
      self.report(field, f"expected a string, got {_describe(value)}", "type")
      return None
    if not empty_ok and not value.strip():
      self.report(field, f"empty {key}", "empty")
      return None
    return value

  def items(self, obj: dict, key: str, field: str) -> list:
    if key not in obj:
      self.report(field, "missing", "missing")
      return []
    value = obj[key]
    if not isinstance(value, list):
      self.report(field, f"expected a list, got {_describe(value)}", "type")
      return []
    return value

  def obj(self, value: Any, field: str) -> bool:
    if isinstance(value, dict):
      return True
    self.report(field, f"expected an object, got {_describe(value)}", "type")
    return False

  def pos(self, obj, field, name, name_key, sentence):
    """Checks `obj["pos"]` against `name`; the (start, end) pair or None."""
    raw = obj.get("pos")
    if raw is None or (isinstance(raw, list) and not raw):
      if name is not None and sentence is not None and name not in sentence:
        self.report(
          f"{field}.{name_key}", f"{name!r} not found in the sentence", "span"
        )
      return None
    if not (
      isinstance(raw, list)
      and len(raw) == 2
      and type(raw[0]) is int
      and type(raw[1]) is int
    ):
      self.report(
        f"{field}.pos",
        f"expected [start, end] (two integers) or [], got {_describe(raw)}",
        "pos",
      )
      return None
    start, end = raw
    if sentence is None:
      return None
    if not 0 <= start < end <= len(sentence):
      self.report(
        f"{field}.pos",
        f"[{start}, {end}] is out of range for a sentence of "
        f"{len(sentence)} characters",
        "pos",
      )
      return None
    if name is not None and sentence[start:end] != name:
      found = sentence.find(name)
      hint = (
        f"the name occurs at {found}"
        if found >= 0
        else "the name is not in the sentence"
      )
      self.report(
        f"{field}.pos",
        f"sentence[{start}:{end}] is {sentence[start:end]!r}, not "
        f"{name!r} ({hint})",
        "pos",
      )
      return None
    return (start, end)

  def span(self, raw, field, sentence, typed: bool) -> Span | None:
    if not self.obj(raw, field):
      return None
    name = self.string(raw, "name", f"{field}.name")
    span_type = self.string(raw, "type", f"{field}.type", empty_ok=True)
    if typed and span_type is not None and self.types is not None:
      if span_type not in self.types:
        self.report(
          f"{field}.type", f"{span_type!r} is not in labels.json", "label"
        )
    pos = self.pos(raw, field, name, "name", sentence)
    if name is None or span_type is None:
      return None
    return Span(name, span_type, pos)

  def relation(self, raw, field, sentence) -> AnnotatedRelation | None:
    if not self.obj(raw, field):
      return None
    head = tail = None
    for key in ("head", "tail"):
      if key not in raw:
        self.report(f"{field}.{key}", "missing", "missing")
      else:
        span = self.span(raw[key], f"{field}.{key}", sentence, typed=False)
        if key == "head":
          head = span
        else:
          tail = span
    rel_type = self.string(raw, "type", f"{field}.type", empty_ok=True)
    if rel_type is not None and self.types is not None:
      if rel_type not in self.types:
        self.report(
          f"{field}.type", f"{rel_type!r} is not in labels.json", "label"
        )
    if head is None or tail is None or rel_type is None:
      return None
    return AnnotatedRelation(head, rel_type, tail)

  def event(self, raw, field, sentence) -> AnnotatedEvent | None:
    if not self.obj(raw, field):
      return None
    trigger = self.string(raw, "trigger", f"{field}.trigger")
    event_type = self.string(raw, "type", f"{field}.type")
    roles = None
    if event_type is not None and self.types is not None:
      if event_type not in self.types:
        self.report(
          f"{field}.type", f"{event_type!r} is not in labels.json", "label"
        )
      elif self.roles is not None:
        roles = self.roles.get(event_type, frozenset())
    pos = self.pos(raw, field, trigger, "trigger", sentence)
    arguments = []
    for k, arg in enumerate(self.items(raw, "arguments", f"{field}.arguments")):
      arg_field = f"{field}.arguments[{k}]"
      if not self.obj(arg, arg_field):
        arguments.append(None)
        continue
      name = self.string(arg, "name", f"{arg_field}.name")
      role = self.string(arg, "role", f"{arg_field}.role")
      if role is not None and roles is not None and role not in roles:
        self.report(
          f"{arg_field}.role",
          f"{role!r} is not a role of {event_type!r} in labels.json",
          "label",
        )
      arg_pos = self.pos(arg, arg_field, name, "name", sentence)
      ok = name is not None and role is not None
      arguments.append(AnnotatedArgument(name, role, arg_pos) if ok else None)
    self.duplicates(arguments, f"{field}.arguments")
    if trigger is None or event_type is None:
      return None
    return AnnotatedEvent(
      trigger, event_type, pos, tuple(a for a in arguments if a)
    )

  def duplicates(self, items: list, field: str) -> None:
    first: dict[Any, int] = {}
    for j, item in enumerate(items):
      if item is not None:
        i = first.setdefault(item, j)
        if i != j:
          self.report(
            f"{field}[{j}]", f"duplicate of {field}[{i}]", "duplicate"
          )

  def instance(self, index: int, raw: Any) -> Instance | None:
    """The instance at `index`, or None when it has an error."""
    self.index = index
    self.bad = False
    if not self.obj(raw, "instance"):
      return None
    sentence = self.string(raw, "sentence", "sentence")
    key = self.family.items_key
    read_item = self.read_item
    items = [
      read_item(item, f"{key}[{j}]", sentence)
      for j, item in enumerate(self.items(raw, key, key))
    ]
    self.duplicates(items, key)
    if key in raw and isinstance(raw[key], list):
      if self.family.needs_items and not items:
        self.report(
          key, f"no {key} (an {self.family} instance needs one)", "count"
        )
    if self.bad:
      return None
    content = (sentence, tuple(items))
    first = self.seen.setdefault(content, index)
    if first != index:
      self.report("instance", f"duplicate of instance {first}", "duplicate")
    return Instance(
      id=f"{self.prefix}{index}", sentence=sentence, **{key: tuple(items)}
    )

  def entity(self, raw, field, sentence) -> Span | None:
    return self.span(raw, field, sentence, typed=True)


def load_split(
  path: str | os.PathLike,
  *,
  family: str | task_types.Family,
  dataset: str,
  split: str,
  labels: Labels | None = None,
  strict: bool = True,
) -> tuple[list[Instance], list[Problem]]:
  """Reads and validates one split file.

  Args:
    path: The split file (a JSON list of instances).
    family: The family (or its name); only that family's key is read
      (`entities`, `relations` or `events`), other keys are ignored.
    dataset: Dataset name, for instance ids.
    split: Split name, for instance ids.
    labels: The dataset's labels; None skips the label checks.
    strict: Raise on the first error instead of collecting errors.

  Returns:
    The usable instances, in file order (ids keep the file index), and every
    problem found: errors (their instances are left out; lenient mode only)
    and duplicate warnings (their instances are kept).

  Raises:
    DataError: strict mode, at the first error.
    ValueError: Unknown family.
  """
  family = task_types.family(family)
  file = os.fspath(path)
  data, problem = _read_json(file)
  if problem is None and not isinstance(data, list):
    problem = Problem(
      file,
      None,
      "file",
      f"expected a JSON list of instances, got {_describe(data)}",
      "shape",
    )
  if problem is not None:
    if strict:
      raise DataError(problem)
    return [], [problem]
  reader = _SplitReader(file, family, dataset, split, labels, strict)
  instances = []
  for index, raw in enumerate(data):
    instance = reader.instance(index, raw)
    if instance is not None:
      instances.append(instance)
  return instances, reader.problems


def load_dataset_split(
  root: str | os.PathLike,
  family: str | task_types.Family,
  dataset: str,
  split: str,
  *,
  strict: bool = True,
) -> tuple[list[Instance], Labels, list[Problem]]:
  """Reads `root/family/dataset/split.json`, checked against its labels.

  Args:
    root: The IE INSTRUCTIONS root folder.
    family: The family record or its name ("NER", "RE" or "EE").
    dataset: Dataset folder name.
    split: "train", "dev" or "test" (any `{split}.json` file).
    strict: Raise on the first error instead of collecting errors.

  Returns:
    (instances, labels, problems) as `load_split`. In lenient mode a broken
    `labels.json` is one problem; the split is then read without label
    checks and the labels returned are empty.

  Raises:
    DataError: strict mode, at the first error.
    ValueError: Unknown family.
  """
  family = task_types.family(family)
  folder = os.path.join(os.fspath(root), family.name, dataset)
  problems = []
  labels = None
  try:
    labels = load_labels(os.path.join(folder, "labels.json"), family)
  except DataError as e:
    if strict:
      raise
    problems.append(e.problem)
  instances, split_problems = load_split(
    os.path.join(folder, f"{split}.json"),
    family=family,
    dataset=dataset,
    split=split,
    labels=labels,
    strict=strict,
  )
  return instances, labels or Labels(()), problems + split_problems


def list_datasets(root: str | os.PathLike) -> list[tuple[str, str]]:
  """The `(family, dataset)` folders under `root`, sorted per family.

  Args:
    root: The IE INSTRUCTIONS root folder.

  Returns:
    Family order NER, RE, EE; dataset folders sorted by name (hidden folders
    skipped). A missing family folder contributes nothing.

  Raises:
    FileNotFoundError: `root` is not a folder.
  """
  root = os.fspath(root)
  if not os.path.isdir(root):
    raise FileNotFoundError(f"No IE INSTRUCTIONS data folder at {root}")
  found = []
  for family in task_types.FAMILIES:
    folder = os.path.join(root, family)
    if not os.path.isdir(folder):
      continue
    for name in sorted(os.listdir(folder)):
      if not name.startswith(".") and os.path.isdir(os.path.join(folder, name)):
        found.append((family, name))
  return found


def split_stats(
  instances: Iterable[Instance], problems: Iterable[Problem]
) -> SplitStats:
  """Counts the usable instances, their items, errors and warnings."""
  counts = dict.fromkeys(
    ("instances", "entities", "relations", "events", "arguments"), 0
  )
  for instance in instances:
    counts["instances"] += 1
    counts["entities"] += len(instance.entities)
    counts["relations"] += len(instance.relations)
    counts["events"] += len(instance.events)
    counts["arguments"] += sum(len(e.arguments) for e in instance.events)
  warnings = errors = 0
  for problem in problems:
    if problem.is_warning:
      warnings += 1
    else:
      errors += 1
  return SplitStats(**counts, errors=errors, warnings=warnings)
