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

r"""Round trip of the "instructuie" format on real gold answers.

Usage:
  python benchmarks/roundtrip.py --data_dir=/path/to/ie_instructions \
    [--datasets=conll04,PHEE] [--examples=3]

For every instance of every split and every task type of its family (EEA:
every event of the instance), writes the gold records as target text and
parses it back, without and with the dataset's labels as a hint. Prints per
dataset: answers (instance x task, EEA: per event),
representable % (`instructuie.ambiguity` is None), exact round trip % over
all answers, over the representable ones (must be 100) and over the rest,
and the number of answers not read back exactly ("miss"); then the count of
each ambiguity reason and parse throughput. Exits non-zero
when a representable answer does not come back exactly.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Iterable

from absl import flags

from instructuie_jax import cli, records, schema, task_types
from instructuie_jax.formats import instructuie

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir", None, "IE INSTRUCTIONS root folder.", required=True
  )
  flags.DEFINE_list(
    "datasets", [], "Dataset folder names to read (default: all)."
  )
  flags.DEFINE_integer(
    "examples", 3, "Failed representable round trips to print."
  )


MODES = ("plain", "labels")


@dataclasses.dataclass
class Stats:
  """Round-trip counts of one dataset (all its splits and task types)."""

  answers: int = 0
  representable: int = 0
  exact: dict[str, int] = dataclasses.field(
    default_factory=lambda: dict.fromkeys(MODES, 0)
  )
  exact_representable: dict[str, int] = dataclasses.field(
    default_factory=lambda: dict.fromkeys(MODES, 0)
  )
  reasons: collections.Counter = dataclasses.field(
    default_factory=collections.Counter
  )
  seconds: dict[str, float] = dataclasses.field(
    default_factory=lambda: dict.fromkeys(MODES, 0.0)
  )
  failures: list[str] = dataclasses.field(default_factory=list)
  load_problems: int = 0


def _untyped(rs: records.Records) -> records.Records:
  """Drops relation entity types, which the text does not carry."""
  return tuple(
    r._replace(head_type="", tail_type="")
    if isinstance(r, records.Relation)
    else r
    for r in rs
  )


def _subjects(
  task_type: task_types.TaskType, instance: schema.Instance
) -> list[schema.Instance]:
  """What one answer is read from: the instance, or (EEA) each event."""
  if not task_type.per_event:
    return [instance]
  return [dataclasses.replace(instance, events=(e,)) for e in instance.events]


def roundtrip(
  instances: Iterable[schema.Instance],
  family: str,
  labels: schema.Labels,
  stats: Stats,
) -> None:
  """Adds the round trips of `instances` (every task of `family`) to `stats`."""
  hint = instructuie.label_hint(labels)
  hints = {"plain": None, "labels": hint}
  for task in task_types.tasks_of_family(family):
    task_type = task_types.get(task)
    golds, texts = [], []
    for instance in instances:
      for subject in _subjects(task_type, instance):
        answer = _untyped(task_type.gold(subject))
        golds.append(answer)
        texts.append(instructuie.linearize(task, answer))
    reasons = [instructuie.ambiguity(task, g) for g in golds]
    stats.answers += len(golds)
    for reason in reasons:
      if reason is None:
        stats.representable += 1
      else:
        stats.reasons[f"{task}: {reason}"] += 1
    for mode in MODES:
      start = time.perf_counter()
      parsed = [instructuie.parse(task, t, hints[mode]) for t in texts]
      stats.seconds[mode] += time.perf_counter() - start
      for g, t, p, reason in zip(golds, texts, parsed, reasons, strict=True):
        same = p.records == g and p.ok
        stats.exact[mode] += same
        if reason is None:
          stats.exact_representable[mode] += same
          if not same:
            stats.failures.append(f"{task} [{mode}] {t!r} -> {p}")


def _pct(part: int, whole: int) -> str:
  return f"{100.0 * part / whole:.2f}" if whole else "-"


def table(all_stats: dict[str, Stats]) -> str:
  """The per-dataset report (fixed-width text)."""
  head = f"{'dataset':<22} {'answers':>8} {'repr%':>7} " + " ".join(
    f"{m + ' all%':>11} {m + ' repr%':>11} {m + ' rest%':>11} {'miss':>5}"
    for m in MODES
  )
  lines = [head, "-" * len(head)]
  total = Stats()
  for name, s in list(all_stats.items()) + [("TOTAL", total)]:
    if name != "TOTAL":
      total.answers += s.answers
      total.representable += s.representable
      for m in MODES:
        total.exact[m] += s.exact[m]
        total.exact_representable[m] += s.exact_representable[m]
        total.seconds[m] += s.seconds[m]
      total.reasons.update(s.reasons)
    rest = s.answers - s.representable
    cols = []
    for m in MODES:
      cols.append(f"{_pct(s.exact[m], s.answers):>11}")
      cols.append(f"{_pct(s.exact_representable[m], s.representable):>11}")
      cols.append(f"{_pct(s.exact[m] - s.exact_representable[m], rest):>11}")
      cols.append(f"{s.answers - s.exact[m]:>5}")
    lines.append(
      f"{name:<22} {s.answers:>8} {_pct(s.representable, s.answers):>7} "
      + " ".join(cols)
    )
  lines.append("")
  lines.append("Not representable, by task and reason (answers):")
  for reason, n in sorted(total.reasons.items(), key=lambda kv: -kv[1]):
    lines.append(f"  {n:>6}  {reason}")
  lines.append("")
  for m in MODES:
    rate = total.answers / total.seconds[m] if total.seconds[m] else 0.0
    lines.append(f"parse throughput [{m}]: {rate:,.0f} answers/s")
  return "\n".join(lines)


def run(data_dir: str, datasets: list[str]) -> dict[str, Stats]:
  """Round-trips every split of the selected datasets under `data_dir`."""
  all_stats = {}
  for family, dataset in schema.list_datasets(data_dir):
    if datasets and dataset not in datasets:
      continue
    stats = Stats()
    for split in schema.SPLITS:
      instances, labels, problems = schema.load_dataset_split(
        data_dir, family, dataset, split, strict=False
      )
      stats.load_problems += sum(not p.is_warning for p in problems)
      roundtrip(instances, family, labels, stats)
    all_stats[f"{family}/{dataset}"] = stats
  return all_stats


def main(argv: list[str]) -> None:
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {argv[1:]}")
  try:
    all_stats = run(FLAGS.data_dir, FLAGS.datasets)
  except (FileNotFoundError, schema.DataError) as e:
    raise cli.UserError(str(e)) from None
  missing = sorted(
    set(FLAGS.datasets) - {k.split("/", 1)[1] for k in all_stats}
  )
  if missing:
    raise cli.UserError(f"{FLAGS.data_dir}: no dataset {', '.join(missing)}")
  if not all_stats:
    raise cli.UserError(f"{FLAGS.data_dir}: no dataset folders to read")
  print(table(all_stats))
  failures = [f for s in all_stats.values() for f in s.failures]
  load_problems = sum(s.load_problems for s in all_stats.values())
  if load_problems:
    print(f"\n{load_problems} instances left out by the loader (errors).")
  if failures:
    print(f"\n{len(failures)} representable answers did not round-trip:")
    for line in failures[: FLAGS.examples]:
      print("  " + line)
    raise SystemExit(1)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
