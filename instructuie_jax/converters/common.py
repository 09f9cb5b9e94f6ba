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

"""What every converter shares: records, the report, labels and splits.

A reader turns one input file (or BRAT document) into `Record`s: one
IE INSTRUCTIONS instance as a plain JSON dict (`{"sentence", "entities"}`,
`{"sentence", "relations"}` or `{"sentence", "events"}`), the family it
belongs to, the unit it is split with (its document, or its own sentence),
and where it came from (`file:line`). Items (entities, relations, events,
arguments) carry their own `file:line` under the private key `_where`, which
is removed before writing.

Everything a reader cannot carry over goes into the `Report` as a `Note`
with its `file:line`, a kind (the counting key) and a message: nothing is
dropped without a note.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from instructuie_jax import schema, task_types

WHERE = "_where"


class InputError(ValueError):
  """An input the converter cannot read at all (one line: where and what)."""


@dataclasses.dataclass(frozen=True)
class Note:
  """One thing that was skipped, changed or not carried over.

  Attributes:
    where: `file:line` (or `file:index` for JSON lists, `file` alone).
    kind: Short counting key, e.g. `ill-formed tags`, `discontinuous entity`.
    message: What happened and what was kept.
  """

  where: str
  kind: str
  message: str

  def __str__(self) -> str:
    return f"{self.where}: {self.kind}: {self.message}"


class Report:
  """Counts of what was read and written, and every note."""

  def __init__(self):
    self.notes: list[Note] = []
    self.counts: collections.Counter[str] = collections.Counter()

  def note(self, where: str, kind: str, message: str) -> None:
    self.notes.append(Note(where, kind, message))

  def count(self, key: str, n: int = 1) -> None:
    self.counts[key] += n

  def kinds(self) -> collections.Counter[str]:
    """How many notes of each kind."""
    return collections.Counter(n.kind for n in self.notes)

  def lines(self, max_listed: int = 10) -> list[str]:
    """Counts, then up to `max_listed` notes of each kind."""
    out = [f"  {k}: {v}" for k, v in sorted(self.counts.items())]
    by_kind: dict[str, list[Note]] = collections.defaultdict(list)
    for n in self.notes:
      by_kind[n.kind].append(n)
    for kind, notes in sorted(by_kind.items()):
      out.append(f"{kind} ({len(notes)}):")
      out += [f"  {n.where}: {n.message}" for n in notes[:max_listed]]
      if len(notes) > max_listed:
        out.append(f"  ... and {len(notes) - max_listed} more")
    return out


@dataclasses.dataclass
class Record:
  """One converted instance.

  Attributes:
    family: The family's name ("NER", "RE" or "EE"; `task_types.family`).
    instance: The IE INSTRUCTIONS instance (items may hold `_where`).
    where: `file:line` of the sentence.
    unit: Instances with the same unit go to the same split.
    split: The split named for its input file, or None.
  """

  family: str
  instance: dict[str, Any]
  where: str
  unit: str
  split: str | None = None


def entity(name: str, label: str, start: int, end: int, where: str) -> dict:
  """An entity dict in the layout's key order."""
  return {"name": name, "type": label, "pos": [start, end], WHERE: where}


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
  """`[start, end)` of `text` without the whitespace at its ends (empty:
  `start == end`)."""
  while start < end and text[start].isspace():
    start += 1
  while end > start and text[end - 1].isspace():
    end -= 1
  return start, end


def trimmed_span(
  text: str, start: int, end: int, where: str, what: str, report: Report
) -> tuple[int, int] | None:
  """`trim_span`, with a note when it trims; None (after a note) when only
  whitespace is left. `what` names the span in the notes."""
  a, b = trim_span(text, start, end)
  if a == b:
    report.note(
      where, "span skipped", f"{what} [{start}, {end}] holds only whitespace"
    )
    return None
  if (a, b) != (start, end):
    report.note(
      where,
      "span trimmed",
      f"{what} [{start}, {end}] {text[start:end]!r} read as [{a}, {b}] "
      f"{text[a:b]!r} (without the whitespace at its ends)",
    )
  return a, b


def strip_private(value: Any) -> Any:
  """A copy of a record's JSON without the `_where` keys."""
  if isinstance(value, dict):
    return {k: strip_private(v) for k, v in value.items() if k != WHERE}
  if isinstance(value, list):
    return [strip_private(v) for v in value]
  return value


class LabelMap:
  """Renames labels; unmapped ones are kept or dropped.

  The mapping file is a JSON object `{"source label": "new label"}`; a value
  of null drops that label. One map serves entity types, relation types,
  event types and roles.
  """

  def __init__(
    self,
    mapping: dict[str, str | None] | None = None,
    *,
    keep_unmapped: bool = True,
  ):
    self.mapping = dict(mapping or {})
    self.keep_unmapped = keep_unmapped

  @classmethod
  def from_json(cls, data: Any, source: str, *, keep_unmapped: bool = True):
    if not isinstance(data, dict):
      raise InputError(f"{source}: expected a JSON object {{label: new label}}")
    for key, value in data.items():
      if value is not None and (
        not isinstance(value, str) or not value.strip()
      ):
        raise InputError(
          f"{source}: {key!r}: expected a non-empty string or null, got "
          f"{value!r}"
        )
    return cls(data, keep_unmapped=keep_unmapped)

  def __call__(self, label: str) -> tuple[str | None, str]:
    """(new label or None, what happened: kept, mapped, dropped...)."""
    if label in self.mapping:
      new = self.mapping[label]
      if new is None:
        return None, "dropped by the label map"
      return new, "mapped"
    if self.keep_unmapped:
      return label, "kept"
    return None, "not in the label map"


@dataclasses.dataclass(frozen=True)
class Allowed:
  """The labels a conversion may write (`--labels`).

  Attributes:
    types: Entity types, relation types or event types.
    roles: Families with roles: the allowed `type/role` strings; None allows
      every role.
  """

  types: frozenset[str]
  roles: frozenset[str] | None = None


def map_labels(
  records: list[Record],
  label_map: LabelMap,
  allowed: Allowed | None,
  report: Report,
) -> list[Record]:
  """Applies the label map and the allowed label set to every item.

  Args:
    records: The records; items are changed in place.
    label_map: The mapping.
    allowed: The allowed labels (`allowed_from_labels`), or None to allow
      all.
    report: Gets a note per dropped item and counts per mapping.

  Returns:
    The records still holding an item, and those of a family that keeps
    sentences without items (NER).
  """

  def rename(label: str, where: str, what: str):
    new, how = label_map(label)
    if how == "mapped" and new != label:
      report.count(f"labels mapped ({what})")
    elif how == "kept" and label_map.mapping:
      report.count(f"labels not in the label map, kept ({what})")
    if new is None:
      report.note(where, f"{what} dropped", f"{label!r}: {how}")
      return None
    if allowed is not None and new not in allowed.types:
      report.note(where, f"{what} dropped", f"{new!r} is not in --labels")
      return None
    return new

  def arguments(label: str, item: dict) -> list[dict]:
    kept = []
    roles_ok = None if allowed is None else allowed.roles
    for a in item["arguments"]:
      role, how = label_map(a["role"])
      if role is None:
        report.note(a[WHERE], "argument dropped", f"{a['role']!r}: {how}")
        continue
      if roles_ok is not None and f"{label}/{role}" not in roles_ok:
        report.note(
          a[WHERE],
          "argument dropped",
          f"role {role!r} of {label!r} is not in --labels",
        )
        continue
      kept.append({**a, "role": role})
    return kept

  kept = []
  for record in records:
    family = task_types.family(record.family)
    inst = record.instance
    items = []
    for item in inst[family.items_key]:
      label = rename(item["type"], item[WHERE], family.item)
      if label is None:
        continue
      for end in family.endpoints:  # entity types: renamed, never dropped
        new, _ = label_map(item[end]["type"])
        item[end]["type"] = item[end]["type"] if new is None else new
      item = {**item, "type": label}
      if family.roles:
        item["arguments"] = arguments(label, item)
      items.append(item)
    inst[family.items_key] = items
    if items or family.keeps_empty:
      kept.append(record)
    else:
      report.note(
        record.where,
        "sentence skipped",
        f"no {family.items_key} left after label mapping",
      )
  return kept


def dedupe_items(record: Record, report: Report) -> None:
  """Drops exact duplicate items of one instance, each with a note."""
  family = task_types.family(record.family)
  key = family.items_key
  seen = set()
  items = []
  for item in record.instance[key]:
    frozen = repr(strip_private(item))
    if frozen in seen:
      report.note(item[WHERE], "duplicate dropped", f"a repeated {family.item}")
      continue
    seen.add(frozen)
    items.append(item)
  record.instance[key] = items


def labels_json(
  family: str | task_types.Family, records: Iterable[Record]
) -> Any:
  """The `labels.json` contents: the labels seen, sorted.

  A list of types; for a family with roles (EE) `{event type: [roles]}`.
  """
  family = task_types.family(family)
  records = list(records)
  key = family.items_key
  if not family.roles:
    return sorted({x["type"] for r in records for x in r.instance[key]})
  roles: dict[str, set[str]] = {}
  for r in records:
    for ev in r.instance[key]:
      roles.setdefault(ev["type"], set()).update(
        a["role"] for a in ev["arguments"]
      )
  return {t: sorted(roles[t]) for t in sorted(roles)}


def allowed_from_labels(
  family: str | task_types.Family, labels: Any
) -> Allowed:
  """The `allowed` argument of `map_labels` for a given labels.json."""
  if not task_types.family(family).roles:
    return Allowed(frozenset(labels))
  if isinstance(labels, list):  # [[types], [roles]]
    types, roles = labels
    return Allowed(
      frozenset(types), frozenset(f"{t}/{r}" for t in types for r in roles)
    )
  return Allowed(
    frozenset(labels),
    frozenset(f"{t}/{r}" for t, rs in labels.items() for r in rs),
  )


def parse_ratios(text: str) -> tuple[float, ...]:
  """`0.8,0.1,0.1` (train, dev, test; dev/test may be left out).

  Raises:
    InputError: not 1 to 3 non-negative numbers summing to 1.
  """
  try:
    ratios = tuple(float(x) for x in text.split(","))
  except ValueError as e:
    raise InputError(f"--split_ratios={text}: not numbers") from e
  if not 1 <= len(ratios) <= 3 or any(r < 0 or math.isnan(r) for r in ratios):
    raise InputError(
      f"--split_ratios={text}: give 1 to 3 non-negative numbers "
      "(train,dev,test)"
    )
  if abs(sum(ratios) - 1.0) > 1e-6:
    raise InputError(f"--split_ratios={text}: they sum to {sum(ratios)}, not 1")
  return ratios


def assign_splits(
  records: Sequence[Record], ratios: Sequence[float] | None, seed: int
) -> dict[str, list[Record]]:
  """Groups records by split.

  With `ratios`, the units (documents or sentences) are shuffled with
  `random.Random(seed)` and cut at `round(n * cumulative ratio)`; records of
  one unit stay together and keep their input order. Without, each record
  goes to its own `split`.
  """
  out: dict[str, list[Record]] = {s: [] for s in schema.SPLITS}
  if ratios is None:
    for r in records:
      out[r.split].append(r)
    return out
  units: dict[str, list[Record]] = {}
  for r in records:
    units.setdefault(r.unit, []).append(r)
  order = list(units)
  random.Random(seed).shuffle(order)
  bounds = []
  total = 0.0
  for ratio in ratios:
    total += ratio
    bounds.append(round(len(order) * total))
  bounds[-1] = len(order)
  chosen: dict[str, str] = {}
  start = 0
  for split, end in zip(schema.SPLITS[: len(bounds)], bounds, strict=True):
    for unit in order[start:end]:
      chosen[unit] = split
    start = end
  for r in records:
    out[chosen[r.unit]].append(r)
  return out
