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
_ONE = {"entities": "entity", "relations": "relation", "events": "event"}


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
    family: "NER", "RE" or "EE".
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


def map_labels(
  records: list[Record],
  label_map: LabelMap,
  allowed: dict[str, frozenset[str] | None] | None,
  report: Report,
) -> list[Record]:
  """Applies the label map and the allowed label set to every item.

  Args:
    records: The records; items are changed in place.
    label_map: The mapping.
    allowed: Per family the allowed types (NER/RE) or event types (EE), or
      None to allow all; EE roles are checked through the key
      `"EE roles"` (a set of `type/role` strings) when present.
    report: Gets a note per dropped item and counts per mapping.

  Returns:
    The records still holding an item (RE/EE) or any record (NER).
  """
  allowed = allowed or {}

  def rename(label: str, where: str, what: str, family_key: str):
    new, how = label_map(label)
    if how == "mapped" and new != label:
      report.count(f"labels mapped ({what})")
    elif how == "kept" and label_map.mapping:
      report.count(f"labels not in the label map, kept ({what})")
    if new is None:
      report.note(where, f"{what} dropped", f"{label!r}: {how}")
      return None
    ok = allowed.get(family_key)
    if ok is not None and new not in ok:
      report.note(where, f"{what} dropped", f"{new!r} is not in --labels")
      return None
    return new

  kept = []
  for record in records:
    inst = record.instance
    if record.family == "NER":
      items = []
      for e in inst["entities"]:
        label = rename(e["type"], e[WHERE], "entity", "NER")
        if label is not None:
          items.append({**e, "type": label})
      inst["entities"] = items
      kept.append(record)
      continue
    if record.family == "RE":
      items = []
      for r in inst["relations"]:
        label = rename(r["type"], r[WHERE], "relation", "RE")
        if label is None:
          continue
        for end in ("head", "tail"):  # entity types: renamed, never dropped
          new, _ = label_map(r[end]["type"])
          r[end]["type"] = r[end]["type"] if new is None else new
        items.append({**r, "type": label})
      inst["relations"] = items
    else:
      items = []
      for ev in inst["events"]:
        label = rename(ev["type"], ev[WHERE], "event", "EE")
        if label is None:
          continue
        arguments = []
        roles_ok = allowed.get("EE roles")
        for a in ev["arguments"]:
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
          arguments.append({**a, "role": role})
        items.append({**ev, "type": label, "arguments": arguments})
      inst["events"] = items
    if items:
      kept.append(record)
    else:
      report.note(
        record.where,
        "sentence skipped",
        f"no {task_types.ITEMS_KEY[record.family]} left after label mapping",
      )
  return kept


def dedupe_items(record: Record, report: Report) -> None:
  """Drops exact duplicate items of one instance, each with a note."""
  key = task_types.ITEMS_KEY[record.family]
  seen = set()
  items = []
  for item in record.instance[key]:
    frozen = repr(strip_private(item))
    if frozen in seen:
      report.note(item[WHERE], "duplicate dropped", f"a repeated {_ONE[key]}")
      continue
    seen.add(frozen)
    items.append(item)
  record.instance[key] = items


def labels_json(family: str, records: Iterable[Record]) -> Any:
  """The `labels.json` contents: the labels seen, sorted.

  NER/RE: a list of types. EE: `{event type: [roles]}`.
  """
  records = list(records)
  if family == "NER":
    return sorted({e["type"] for r in records for e in r.instance["entities"]})
  if family == "RE":
    return sorted({x["type"] for r in records for x in r.instance["relations"]})
  roles: dict[str, set[str]] = {}
  for r in records:
    for ev in r.instance["events"]:
      roles.setdefault(ev["type"], set()).update(
        a["role"] for a in ev["arguments"]
      )
  return {t: sorted(roles[t]) for t in sorted(roles)}


def allowed_from_labels(family: str, labels: Any) -> dict[str, frozenset[str]]:
  """The `allowed` argument of `map_labels` for a given labels.json."""
  if family != "EE":
    return {family: frozenset(labels)}
  if isinstance(labels, list):  # [[types], [roles]]
    types, roles = labels
    return {
      "EE": frozenset(types),
      "EE roles": frozenset(f"{t}/{r}" for t in types for r in roles),
    }
  return {
    "EE": frozenset(labels),
    "EE roles": frozenset(f"{t}/{r}" for t, rs in labels.items() for r in rs),
  }


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
