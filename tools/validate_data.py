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

r"""Checks every dataset in an IE INSTRUCTIONS folder and prints a table.

Usage:
  python -m tools.validate_data [--data_dir=DIR] [--strict] \
    [--max_problems_listed=N] [--fail_on_duplicates]

Reads `DIR/{NER,RE,EE}/{dataset}/{train,dev,test}.json` and `labels.json`
with `instructuie_jax.schema` and prints one row per dataset: family, dataset,
usable instances per split, labels (EE: event types/roles), items
(entities, relations or events) and arguments (EE) over all splits, errors,
duplicate warnings and repeated mentions (`repeats`: an entity with the type
and text of an earlier one in its sentence, a relation with its head,
relation and tail, an event with its type and trigger; extra copies
counted). The strict metrics count each repeat as a mention of its own; the
original evaluator compares sets, where it counts once (README "Metrics").
Then it lists up to N errors and N warnings, each as
`file:index: field: message`. Without --data_dir it checks every folder of
the user's own datasets (`IE_USER_DATASETS`, tasks/settings.py), one after
the other.

A split that `tools.convert_data` wrote empty on purpose (not given to it,
listed as `empty_splits` in the folder's `.convert_data.json`) is a note,
listed under "notes", not an error.

Exit status: 1 when there is any error (missing or mistyped field, label not
in labels.json, bad pos, name not in the sentence, empty sentence, invalid
JSON, a split file holding an empty list, a dataset symlink whose target is
missing, ...). Duplicate instances in a split and duplicate items in an
instance are warnings: counted in the `dups` column and listed, but the exit
status stays 0 unless --fail_on_duplicates. With --strict the check stops at the
first error, prints it and exits 1. Errors that stop the check (no data
folder, a bad flag) are one line on stderr; a bad flag exits with 2.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Sequence

from absl import app, flags

from instructuie_jax import cli, schema, task_types

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script, so that other tools
  can import this module)."""
  flags.DEFINE_string(
    "data_dir", None, "Root folder of the IE INSTRUCTIONS layout."
  )
  flags.DEFINE_bool("strict", False, "Stop at the first error.")
  cli.define_integer(
    "max_problems_listed",
    20,
    "List at most this many errors and warnings.",
    lower_bound=0,
  )
  flags.DEFINE_bool(
    "fail_on_duplicates", False, "Exit 1 when there are duplicate warnings."
  )


@dataclasses.dataclass
class DatasetReport:
  """What the check found in one dataset folder."""

  family: str
  dataset: str
  labels: schema.Labels
  splits: dict[str, schema.SplitStats]
  problems: list[schema.Problem]
  repeats: int = 0
  notes: list[str] = dataclasses.field(default_factory=list)

  @property
  def errors(self) -> list[schema.Problem]:
    return [p for p in self.problems if not p.is_warning]

  @property
  def warnings(self) -> list[schema.Problem]:
    return [p for p in self.problems if p.is_warning]


def empty_on_purpose(root: str, family: str, dataset: str) -> list[str]:
  """The splits `tools.convert_data` wrote empty on purpose (not given):
  `empty_splits` of the folder's `.convert_data.json`; [] without one."""
  from instructuie_jax.converters import output  # noqa: PLC0415

  path = os.path.join(root, family, dataset, output.MARKER)
  try:
    with open(path, encoding="utf-8") as f:
      meta = json.load(f)
  except (OSError, ValueError):
    return []
  splits = meta.get("empty_splits") if isinstance(meta, dict) else None
  return [s for s in splits or () if s in schema.SPLITS]


def load_split_checked(
  root: str,
  family: str,
  dataset: str,
  split: str,
  *,
  strict: bool = False,
  empty_ok: bool = False,
) -> tuple[list[schema.Instance], schema.Labels, list[schema.Problem]]:
  """`schema.load_dataset_split`, where a split holding no instance at all
  (an empty JSON list) is an error too: nothing would be read from it;
  unless `empty_ok` (written empty on purpose, `empty_on_purpose`).

  Raises:
    schema.DataError: strict mode, at the first error.
  """
  instances, labels, problems = schema.load_dataset_split(
    root, family, dataset, split, strict=strict
  )
  if (
    not instances
    and not empty_ok
    and not [p for p in problems if not p.is_warning]
  ):
    file = os.path.join(root, family, dataset, f"{split}.json")
    problem = schema.Problem(file, None, "file", "empty list, no instances")
    if strict:
      raise schema.DataError(problem)
    problems.append(problem)
  return instances, labels, problems


def repeated_mentions(instances: Sequence[schema.Instance]) -> int:
  """Extra copies of a type and text (module docstring) per sentence."""
  repeats = 0
  for x in instances:
    keys = [
      [(e.type, e.name) for e in x.entities],
      [(r.head.name, r.type, r.tail.name) for r in x.relations],
      [(e.type, e.trigger) for e in x.events],
    ]
    repeats += sum(len(k) - len(set(k)) for k in keys)
  return repeats


def validate_dataset(
  root: str, family: str, dataset: str, *, strict: bool = False
) -> DatasetReport:
  """Reads and checks every split of one dataset.

  Args:
    root: The IE INSTRUCTIONS root folder.
    family: "NER", "RE" or "EE".
    dataset: Dataset folder name.
    strict: Raise on the first error.

  Returns:
    Per-split stats and all problems (those of labels.json counted once).

  Raises:
    schema.DataError: strict mode, at the first error.
  """
  splits = {}
  problems: list[schema.Problem] = []
  notes = []
  labels = schema.Labels(())
  repeats = 0
  on_purpose = empty_on_purpose(root, family, dataset)
  for n, split in enumerate(schema.SPLITS):
    instances, labels, split_problems = load_split_checked(
      root, family, dataset, split, strict=strict, empty_ok=split in on_purpose
    )
    if not instances and split in on_purpose:
      notes.append(
        f"{os.path.join(root, family, dataset, split)}.json: empty on "
        "purpose (not given to tools.convert_data)"
      )
    if n > 0:  # labels.json problems repeat for every split
      split_problems = [
        p for p in split_problems if not p.file.endswith("labels.json")
      ]
    splits[split] = schema.split_stats(instances, split_problems)
    problems.extend(split_problems)
    repeats += repeated_mentions(instances)
  return DatasetReport(
    family, dataset, labels, splits, problems, repeats, notes=notes
  )


def dangling_links(root: str) -> list[schema.Problem]:
  """A problem for each `{family}/{dataset}` symlink whose target is missing.

  `schema.list_datasets` lists folders only, so such a dataset would be
  skipped without a word.
  """
  problems = []
  for family in task_types.FAMILIES:
    folder = os.path.join(root, family)
    if not os.path.isdir(folder):
      continue
    for name in sorted(os.listdir(folder)):
      path = os.path.join(folder, name)
      if os.path.islink(path) and not os.path.exists(path):
        message = f"dangling symlink to {os.readlink(path)}"
        problems.append(schema.Problem(path, None, "file", message))
  return problems


def format_table(reports: Sequence[DatasetReport]) -> str:
  """One aligned row per dataset."""
  header = ("family", "dataset", *schema.SPLITS, "labels", "items")
  header += ("args", "errors", "dups", "repeats")
  rows = [header]
  for r in reports:
    stats = r.splits.values()
    family = task_types.family(r.family)
    items = sum(getattr(s, family.items_key) for s in stats)
    labels = str(len(r.labels.types))
    args = "-"
    if family.roles:
      labels += f"/{len(r.labels.all_roles)}"
      args = str(sum(s.arguments for s in stats))
    rows.append(
      (
        r.family,
        r.dataset,
        *(str(r.splits[s].instances) for s in schema.SPLITS),
        labels,
        f"{items} {family.items_key[:3]}.",
        args,
        str(len(r.errors)),
        str(len(r.warnings)),
        str(r.repeats),
      )
    )
  widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
  lines = []
  for row in rows:
    cells = [
      cell.ljust(w) if i < 2 else cell.rjust(w)
      for i, (cell, w) in enumerate(zip(row, widths, strict=True))
    ]
    lines.append("  ".join(cells).rstrip())
  return "\n".join(lines)


def format_problems(
  title: str, problems: Sequence[schema.Problem], max_listed: int
) -> str:
  """`title (count):` then up to `max_listed` problems, one a line."""
  lines = [f"{title} ({len(problems)}):"]
  lines += [f"  {p}" for p in problems[:max_listed]]
  if len(problems) > max_listed:
    lines.append(f"  ... and {len(problems) - max_listed} more")
  return "\n".join(lines)


def run(
  data_dir: str,
  *,
  strict: bool = False,
  max_problems_listed: int = 20,
  fail_on_duplicates: bool = False,
) -> int:
  """Checks every dataset under `data_dir` and prints the report.

  Args:
    data_dir: The IE INSTRUCTIONS root folder.
    strict: Stop at the first error.
    max_problems_listed: List at most this many errors and warnings.
    fail_on_duplicates: Count duplicate warnings as failures.

  Returns:
    The exit status: 1 on errors (or duplicates, if failing on them), else 0.
  """
  start = time.perf_counter()
  try:
    datasets = schema.list_datasets(data_dir)
  except FileNotFoundError as e:
    print(f"error: {e}", file=sys.stderr)
    return 1
  dangling = dangling_links(data_dir)
  if dangling and strict:
    print(f"error (--strict stops here): {dangling[0]}", file=sys.stderr)
    return 1
  if not datasets and not dangling:
    print(
      f"error: no {{NER,RE,EE}}/<dataset> folders under {data_dir}",
      file=sys.stderr,
    )
    return 1
  reports = []
  try:
    for family, dataset in datasets:
      reports.append(validate_dataset(data_dir, family, dataset, strict=strict))
  except schema.DataError as e:
    print(f"error (--strict stops here): {e.problem}", file=sys.stderr)
    return 1
  errors = dangling + [p for r in reports for p in r.errors]
  warnings = [p for r in reports for p in r.warnings]
  instances = sum(s.instances for r in reports for s in r.splits.values())
  if reports:
    print(format_table(reports) + "\n")
  print(
    f"{len(reports)} datasets, {instances} usable instances, "
    f"{len(errors)} errors, {len(warnings)} duplicate warnings "
    f"({time.perf_counter() - start:.1f} s)"
  )
  if errors:
    print("\n" + format_problems("errors", errors, max_problems_listed))
  if warnings:
    title = "duplicates" + ("" if fail_on_duplicates else ", not failing")
    print("\n" + format_problems(title, warnings, max_problems_listed))
  notes = [n for r in reports for n in r.notes]
  if notes:
    print(f"\nnotes ({len(notes)}):")
    print("\n".join(f"  {n}" for n in notes))
  return 1 if errors or (warnings and fail_on_duplicates) else 0


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  roots = [FLAGS.data_dir] if FLAGS.data_dir else []
  if not roots:
    from tasks import settings  # noqa: PLC0415

    roots = list(settings.user_datasets_in_force())
  if not roots:
    raise app.UsageError(
      "--data_dir is required (or your own datasets' folders in "
      "IE_USER_DATASETS)."
    )
  status = 0
  for root in roots:
    if len(roots) > 1:
      print(f"== {root}")
    status = max(
      status,
      run(
        root,
        strict=FLAGS.strict,
        max_problems_listed=FLAGS.max_problems_listed,
        fail_on_duplicates=FLAGS.fail_on_duplicates,
      ),
    )
  return status


if __name__ == "__main__":
  define_flags()
  cli.run(main)
