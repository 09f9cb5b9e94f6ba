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

r"""Round trip and target lengths of the "words_bio" format on gold answers.

Usage:
  python benchmarks/words_bio_roundtrip.py --data_dir=/path/to/ie_instructions \
    [--datasets=bc5cdr,mit-movie] [--vocab=byte|SPM_MODEL] \
    [--targets_length=50] [--examples=3]

For every instance of every split of every dataset whose family has a task
type the format covers (NER: NER and ES), writes the gold answer as a
words_bio target with the sentence and reads it back, without and with the
sentence. Prints per dataset: answers, writable ones
(`words_bio.ambiguity` is None), exact round trips (same records as a
multiset, no problem; without / with the sentence; "order": also in the
gold's order), answers whose records equal the "instructuie" format's
reading of its own target (same metric keys, so same scores; over the
answers that format writes unambiguously, the others counted), and the count
of each reason an answer cannot be written. Then the token lengths (EOS
included; `--vocab`: "byte" counts UTF-8 bytes, else a SentencePiece model
through `tasks.vocab`) of the words_bio and instructuie targets: the
percentiles and how many are longer than `--targets_length` (seqio would cut
them). Exits non-zero when a writable answer does not come back exactly.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable

from absl import flags

from instructuie_jax import cli, formats, schema, task_types
from instructuie_jax.formats import instructuie, words_bio

FLAGS = flags.FLAGS

FORMATS = ("words_bio", "instructuie")


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir", None, "IE INSTRUCTIONS root folder.", required=True
  )
  flags.DEFINE_list(
    "datasets", [], "Dataset folder names to read (default: all)."
  )
  flags.DEFINE_string(
    "vocab",
    "byte",
    "Vocabulary of the lengths: 'byte' or a SentencePiece model.",
  )
  cli.define_integer(
    "targets_length",
    50,
    "Target feature length to count cuts at.",
    lower_bound=1,
  )
  cli.define_integer(
    "examples", 3, "Failed round trips to print.", lower_bound=0
  )


@dataclasses.dataclass
class Stats:
  """Round-trip counts of one dataset (all its splits and covered tasks)."""

  answers: int = 0
  writable: int = 0
  exact: int = 0
  exact_with_sentence: int = 0
  same_order: int = 0
  same_scores: int = 0
  original_ambiguous: int = 0
  reasons: collections.Counter = dataclasses.field(
    default_factory=collections.Counter
  )
  targets: dict[str, list[str]] = dataclasses.field(
    default_factory=lambda: {f: [] for f in FORMATS}
  )
  failures: list[str] = dataclasses.field(default_factory=list)
  load_problems: int = 0


def _same(result: formats.ParseResult, gold) -> bool:
  return result.ok and collections.Counter(result.records) == (
    collections.Counter(gold)
  )


def roundtrip(
  instances: Iterable[schema.Instance],
  family: task_types.Family,
  stats: Stats,
) -> None:
  """Adds the round trips of `instances` (every covered task) to `stats`."""
  fmt = formats.get(words_bio.NAME)
  original = formats.get("instructuie")
  tasks = [t for t in fmt.tasks() if t.family is family]
  for task in tasks:
    for instance in instances:
      gold = task.gold(instance)
      sentence = instance.sentence
      stats.answers += 1
      reason = words_bio.ambiguity(task, gold, sentence)
      if reason is not None:
        stats.reasons[f"{task}: {reason.split(':')[0]}"] += 1
        continue
      stats.writable += 1
      text = fmt.linearize(task, gold, sentence=sentence)
      plain = fmt.parse(task, text)
      aligned = fmt.parse(task, text, sentence=sentence)
      stats.exact += _same(plain, gold)
      stats.exact_with_sentence += _same(aligned, gold)
      stats.same_order += aligned.records == gold
      if not (_same(plain, gold) and _same(aligned, gold)):
        stats.failures.append(f"{task} {text!r} -> {plain} / {aligned}")
      original_text = original.linearize(task, gold)
      if instructuie.ambiguity(task, gold) is not None:
        stats.original_ambiguous += 1
      else:
        stats.same_scores += collections.Counter(
          original.parse(task, original_text).records
        ) == collections.Counter(plain.records)
      stats.targets["words_bio"].append(text)
      stats.targets["instructuie"].append(original_text)


def run(data_dir: str, datasets: list[str]) -> dict[str, Stats]:
  """Round-trips every split of the selected datasets under `data_dir`."""
  covered = {t.family for t in formats.get(words_bio.NAME).tasks()}
  all_stats = {}
  for family_name, dataset in schema.list_datasets(data_dir):
    family = task_types.family(family_name)
    if family not in covered or (datasets and dataset not in datasets):
      continue
    stats = Stats()
    for split in schema.SPLITS:
      instances, _, problems = schema.load_dataset_split(
        data_dir, family, dataset, split, strict=False
      )
      stats.load_problems += sum(not p.is_warning for p in problems)
      roundtrip(instances, family, stats)
    all_stats[f"{family}/{dataset}"] = stats
  return all_stats


def _pct(part: int, whole: int) -> str:
  return f"{100 * part / whole:.2f}" if whole else "-"


def table(all_stats: dict[str, Stats]) -> str:
  """The round-trip table and the reasons of unwritable answers."""
  lines = [
    "| dataset | answers | writable % | exact % (plain / sentence / order) "
    "| same scores as instructuie % | instructuie ambiguous |",
    "|---|---:|---:|---|---:|---:|",
  ]
  total = Stats()
  for name, s in [*all_stats.items(), ("all", None)]:
    if s is None:
      s = total
    else:
      for field in (
        "answers",
        "writable",
        "exact",
        "exact_with_sentence",
        "same_order",
        "same_scores",
        "original_ambiguous",
      ):
        setattr(total, field, getattr(total, field) + getattr(s, field))
      total.reasons.update(s.reasons)
    lines.append(
      f"| {name} | {s.answers} | {_pct(s.writable, s.answers)} | "
      f"{_pct(s.exact, s.writable)} / {_pct(s.exact_with_sentence, s.writable)}"
      f" / {_pct(s.same_order, s.writable)} | "
      f"{_pct(s.same_scores, s.writable - s.original_ambiguous)} | "
      f"{s.original_ambiguous} |"
    )
  if total.reasons:
    lines.append("")
    lines.append(
      "not writable: "
      + ", ".join(f"{reason} {n}" for reason, n in total.reasons.most_common())
    )
  return "\n".join(lines)


def length_table(
  all_stats: dict[str, Stats], vocab: str, targets_length: int
) -> str:
  """Token-length percentiles of both formats' targets, per dataset."""
  from tasks import lengths  # noqa: PLC0415 (TensorFlow, for lengths only)
  from tasks import vocab as vocab_lib  # noqa: PLC0415

  vocabulary = vocab_lib.get_vocabulary(vocab)
  header = " / ".join(f"p{p}" for p in lengths.PERCENTILES)
  lines = [
    f"target tokens ({vocab}, EOS included; over: longer than "
    f"{targets_length}, cut by seqio)",
    "",
    f"| dataset | format | {header} | over | over % |",
    "|---|---|---|---:|---:|",
  ]
  pooled = {f: [] for f in FORMATS}
  medians = {}
  for name, s in [*all_stats.items(), ("all", None)]:
    for fmt in FORMATS:
      if s is None:
        counts = pooled[fmt]
      else:
        counts = [len(vocabulary.encode(t)) + 1 for t in s.targets[fmt]]
        pooled[fmt].extend(counts)
      st = lengths.stats(counts, targets_length)
      values = " / ".join(str(st.percentiles[p]) for p in lengths.PERCENTILES)
      lines.append(
        f"| {name} | {fmt} | {values} | {st.over} | {_pct(st.over, st.count)} |"
      )
      medians[fmt] = st.percentiles[50]
  first, second = FORMATS
  if medians[second]:
    lines += [
      "",
      f"all: {first} targets are {medians[first] / medians[second]:.1f}x "
      f"the {second} targets at the median ({medians[first]} vs "
      f"{medians[second]} tokens)",
    ]
  return "\n".join(lines)


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
    raise cli.UserError(
      f"{FLAGS.data_dir}: no dataset {', '.join(missing)} of a covered family"
    )
  if not all_stats:
    raise cli.UserError(
      f"{FLAGS.data_dir}: no dataset folders of a covered family"
    )
  print(table(all_stats))
  print()
  print(length_table(all_stats, FLAGS.vocab, FLAGS.targets_length))
  load_problems = sum(s.load_problems for s in all_stats.values())
  if load_problems:
    print(f"\n{load_problems} instances left out by the loader (errors).")
  failures = [f for s in all_stats.values() for f in s.failures]
  if failures:
    print(f"\n{len(failures)} writable answers did not round-trip:")
    for line in failures[: FLAGS.examples]:
      print("  " + line)
    raise SystemExit(1)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
