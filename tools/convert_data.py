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

r"""Converts corpora into the IE INSTRUCTIONS layout, and NER back out.

In (`--format` names the input format):

  python -m tools.convert_data --format=conll|brat|jsonl \
    --input=[SPLIT=]PATH[,[SPLIT=]PATH...] --output_dir=ROOT --dataset=NAME \
    [--split_ratios=0.8,0.1,0.1 --seed=0] [--label_map=FILE.json \
    [--drop_unmapped]] [--labels=labels.json] [--role=supervised|zeroshot] \
    [--overwrite]

  conll: --token_column=0 --tag_column=-1 --scheme=auto|bio|bioes|iob1
         (auto: guessed per input file, see tags.detect_scheme)
  brat:  PATH is a folder of .txt/.ann pairs (searched recursively);
         --families=auto|NER,RE,EE  --discontinuous=cover|drop
  jsonl: --token_end=inclusive|exclusive (GLiNER token spans)

Writes `ROOT/{NER,RE,EE}/NAME/{train,dev,test}.json` and `labels.json`
(NER/RE: a sorted list of the labels seen; EE: {event type: [roles]}), or
the given `--labels` file, and `dataset.json` with the dataset's `--role`
(supervised: trained on in `user_supervised`; zeroshot: evaluated in
`user_zeroshot_eval`; see tasks/user_datasets.py). Splits come from `SPLIT=` names on the inputs
(train, dev, test; a split not given is written empty) or from
`--split_ratios` with `--seed` (documents: BRAT files, CoNLL -DOCSTART-
blocks; else sentences; shuffled and cut). The label map is a JSON object
{"source label": "new label" or null (drop)}; labels it does not name are
kept, or dropped with --drop_unmapped.

Out (`--to` names the output format; the input is an IE INSTRUCTIONS root):

  python -m tools.convert_data --to=conll --input=ROOT --dataset=NAME \
    --output_dir=DIR [--scheme=bio|bioes|iob1] [--overwrite]

Writes `DIR/NAME/{split}.txt` (`token<TAB>tag`, a blank line after each
sentence; spaces in labels become `_`), the dataset's `labels.json` and
`label_map.json` (tag label -> label, for reading the files back in).

Every skipped or changed sentence, span, relation, event or annotation line
is counted and listed with its `file:line` (`--max_listed` per kind; all of
them in the output folder's `.convert_data.json`). The output is checked by
the core validator before it is moved into place; a folder is replaced only
with --overwrite and only when this tool made it. Exit status: 0 written,
1 bad data, validation failure or nothing converted, 2 usage.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from absl import flags

from instructuie_jax import catalog, cli, json_input, schema, task_types
from instructuie_jax.converters import (
  bio_export,
  brat,
  common,
  conll,
  jsonl,
  output,
  tags,
)

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_enum(
    "format", None, ["conll", "brat", "jsonl"], "Input format (convert in)."
  )
  flags.DEFINE_enum(
    "to", None, ["conll"], "Output format (convert IE INSTRUCTIONS NER out)."
  )
  flags.DEFINE_list(
    "input",
    None,
    "In: input files/folders, each `PATH` or `SPLIT=PATH`. Out: the IE "
    "INSTRUCTIONS root.",
  )
  flags.DEFINE_string("output_dir", None, "Output root folder.")
  flags.DEFINE_enum(
    "role",
    "supervised",
    list(catalog.ROLES),
    "In: the dataset's role, written to its dataset.json (user mixtures).",
  )
  flags.DEFINE_string("dataset", None, "Dataset folder name.")
  cli.define_integer(
    "token_column",
    0,
    "conll: token column (negative: from the end).",
    lower_bound=-cli.MAX_INTEGER,
  )
  cli.define_integer(
    "tag_column",
    -1,
    "conll: tag column (negative: from the end).",
    lower_bound=-cli.MAX_INTEGER,
  )
  flags.DEFINE_enum(
    "scheme",
    "auto",
    ["auto", *tags.SCHEMES],
    "Tag scheme; auto guesses it on reading and means bio on writing.",
  )
  flags.DEFINE_string(
    "families", "auto", "brat: NER,RE,EE subset to write, or auto (any found)."
  )
  flags.DEFINE_enum(
    "discontinuous",
    "cover",
    brat.DISCONTINUOUS,
    "brat: discontinuous entities.",
  )
  flags.DEFINE_enum(
    "token_end",
    "inclusive",
    jsonl.TOKEN_END,
    "jsonl: end token of `ner` spans.",
  )
  flags.DEFINE_string("label_map", None, "JSON label map file.")
  flags.DEFINE_bool(
    "drop_unmapped", False, "Drop labels the label map does not name."
  )
  flags.DEFINE_string(
    "labels", None, "labels.json to write (fixes label set and order)."
  )
  flags.DEFINE_string(
    "split_ratios", None, "train,dev,test ratios (instead of SPLIT= names)."
  )
  cli.define_integer("seed", 0, "Seed of --split_ratios.", lower_bound=0)
  flags.DEFINE_bool(
    "overwrite", False, "Replace an output folder this tool made."
  )
  cli.define_integer(
    "max_listed",
    10,
    "Notes listed per kind (all are in the marker file).",
    lower_bound=0,
  )


class UsageError(ValueError):
  """A flag mistake (exit 2)."""


def _read_text(path: str) -> str:
  """The text of `path` (UTF-8, without a byte order mark)."""
  try:
    return json_input.read_text(path)
  except json_input.InputError as e:
    raise common.InputError(str(e)) from None
  except OSError as e:
    raise common.InputError(f"{path}: cannot read: {e.strerror}") from e


def _loads(text: str, path: str):
  try:
    return json_input.loads(text, path)
  except json_input.InputError as e:
    raise common.InputError(str(e)) from None


def _check_not_input(folder: str, path: str, *, inside_only: bool) -> None:
  """Refuses an output `folder` that is input `path` or holds it (or, unless
  `inside_only`, lies inside it)."""
  real, given = os.path.realpath(folder), os.path.realpath(path)
  holds = given == real or given.startswith(real + os.sep)
  if holds or (not inside_only and output.overlaps(folder, path)):
    raise UsageError(
      f"--output_dir: {folder} would be written over the input {path}; "
      "choose another --output_dir"
    )


def _inputs(
  entries: Sequence[str], ratios, fmt: str
) -> list[tuple[str | None, str]]:
  """(split or None, path) per --input entry, checked to exist."""
  out = []
  for entry in entries:
    split, eq, path = entry.partition("=")
    if not eq:
      split, path = None, entry
    elif split not in schema.SPLITS:
      raise UsageError(
        f"--input={entry}: split {split!r} is not one of {schema.SPLITS}"
      )
    if not os.path.exists(path):
      raise common.InputError(f"{path}: not found (--input)")
    if fmt == "brat" and not os.path.isdir(path):
      raise common.InputError(f"{path}: --format=brat takes a folder")
    if fmt != "brat" and os.path.isdir(path):
      raise common.InputError(f"{path}: --format={fmt} takes a file")
    out.append((split, path))
  named = [s for s, _ in out if s]
  if ratios is None and len(named) != len(out):
    raise UsageError(
      "name the split of every --input (train=PATH,...) or give --split_ratios"
    )
  if ratios is not None and named:
    raise UsageError("--split_ratios and SPLIT=PATH inputs exclude each other")
  if len(set(named)) != len(named):
    raise UsageError("a split is named twice in --input")
  return out


def _brat_pairs(folder: str, report: common.Report) -> list[tuple[str, str]]:
  """(txt, ann) pairs under `folder`, sorted; unpaired files get notes."""
  pairs = []
  for base, dirs, files in os.walk(folder):
    dirs.sort()
    by_kind: dict[str, dict[str, str]] = {".txt": {}, ".ann": {}}
    for name in sorted(files):  # Extensions in any case: .txt, .TXT, ...
      stem, ext = os.path.splitext(name)
      kind = by_kind.get(ext.lower())
      if kind is None:
        continue
      if stem in kind:
        report.note(
          os.path.join(base, name),
          "document skipped",
          f"{kind[stem]} has the same name in another case",
        )
        continue
      kind[stem] = name
    for stem, name in sorted(by_kind[".txt"].items()):
      if stem in by_kind[".ann"]:
        pairs.append(
          (os.path.join(base, name), os.path.join(base, by_kind[".ann"][stem]))
        )
      else:
        report.note(
          os.path.join(base, name), "document skipped", "no .ann beside it"
        )
    for stem, name in sorted(by_kind[".ann"].items()):
      if stem not in by_kind[".txt"]:
        report.note(
          os.path.join(base, name), "document skipped", "no .txt beside it"
        )
  return pairs


def _families(text: str) -> list[str] | None:
  if text == "auto":
    return None
  names = [x.strip() for x in text.split(",") if x.strip()]
  bad = [x for x in names if x not in task_types.FAMILIES]
  if bad or not names:
    raise UsageError(f"--families={text}: use auto or a subset of NER,RE,EE")
  return names


def _given_labels(wanted: list[str] | None) -> tuple[Any, str | None]:
  """`--labels` as JSON and as text; `(None, None)` without the flag."""
  if not FLAGS.labels:
    return None, None
  if wanted is None or len(wanted) != 1:
    raise UsageError("--labels needs exactly one family (--families=X)")
  try:
    schema.load_labels(FLAGS.labels, wanted[0])
  except schema.DataError as e:
    raise common.InputError(str(e.problem)) from e
  labels_text = _read_text(FLAGS.labels)
  return _loads(labels_text, FLAGS.labels), labels_text


def _label_map() -> common.LabelMap:
  """`--label_map` (an empty map without it) and `--drop_unmapped`."""
  if not FLAGS.label_map:
    return common.LabelMap(keep_unmapped=not FLAGS.drop_unmapped)
  data = _loads(_read_text(FLAGS.label_map), FLAGS.label_map)
  return common.LabelMap.from_json(
    data, FLAGS.label_map, keep_unmapped=not FLAGS.drop_unmapped
  )


def _read_records(
  fmt: str, inputs: Sequence[tuple[str | None, str]], report: common.Report
) -> list[common.Record]:
  """The records of every input file (brat: folder) in `fmt`."""
  records: list[common.Record] = []
  if fmt == "conll":
    sentences = []
    for split, path in inputs:
      found = conll.read_sentences(
        _read_text(path),
        path,
        token_column=FLAGS.token_column,
        tag_column=FLAGS.tag_column,
        report=report,
      )
      sentences.append((split, found))
    for (split, found), (_, path) in zip(sentences, inputs, strict=True):
      scheme = FLAGS.scheme
      if scheme == "auto":  # per file: a corpus may mix them
        scheme, why = tags.detect_scheme(s.tags for s in found)
        print(f"{path}: tag scheme {scheme} (auto: {why})")
      records += conll.to_records(found, scheme, split=split, report=report)
  elif fmt == "jsonl":
    for split, path in inputs:
      records += jsonl.read_lines(
        _read_text(path),
        path,
        split=split,
        report=report,
        token_end=FLAGS.token_end,
      )
  else:
    for split, path in inputs:
      for txt, ann in _brat_pairs(path, report):
        records += brat.read_document(
          _read_text(txt),
          _read_text(ann),
          txt_file=txt,
          ann_file=ann,
          unit=txt,
          split=split,
          report=report,
          discontinuous=FLAGS.discontinuous,
        )
  return records


def _write_family(
  family: str,
  records: list[common.Record],
  split_records: dict[str, list[common.Record]],
  labels_text: str | None,
  source: tuple[str, Sequence[str], Any],
  report: common.Report,
  where: tuple[str, str],
  empty: Sequence[str],
) -> str | None:
  """Writes the dataset of `family`; returns its summary line, or None
  when it has no instance (noted in `report`).

  Args:
    family: The family written.
    records: Every kept record (its labels come from them without
      `labels_text`).
    split_records: The records of each split.
    labels_text: `--labels`' text, or None.
    source: `(format, --input entries, split ratios)` for the metadata.
    report: The conversion's notes and counts.
    where: `(output_dir, dataset)`.
    empty: The splits not given, written empty on purpose.

  Raises:
    output.ValidationError: The dataset fails validation (nothing written).
  """
  fmt, entries, ratios = source
  output_dir, dataset = where
  by_split = {
    s: [common.strip_private(r.instance) for r in rs if r.family == family]
    for s, rs in split_records.items()
  }
  total = sum(len(x) for x in by_split.values())
  if not total:
    report.note(output_dir, "family not written", f"no {family} instances")
    return None
  mine = [r for r in records if r.family == family]
  labels = labels_text or common.labels_json(family, mine)
  counts = {s: len(x) for s, x in by_split.items()}
  meta = {
    "tool": "tools.convert_data",
    "format": fmt,
    "inputs": list(entries),
    "family": family,
    "split_ratios": FLAGS.split_ratios,
    "seed": FLAGS.seed if ratios else None,
    "label_map": FLAGS.label_map,
    "instances": counts,
    # Not given, written empty on purpose (tools.validate_data: a note).
    "empty_splits": list(empty),
    "counts": dict(report.counts),
    "notes": [str(n) for n in report.notes],
  }
  folder = output.write_dataset(
    output_dir,
    family,
    dataset,
    by_split,
    labels,
    meta,
    overwrite=FLAGS.overwrite,
    metadata={"role": FLAGS.role},
  )
  key = task_types.ITEMS_KEY[family]
  items = sum(len(x[key]) for v in by_split.values() for x in v)
  return (
    f"{folder}: "
    + ", ".join(f"{s} {n}" for s, n in counts.items())
    + f" instances, {items} {key}"
  )


def convert_in(
  fmt: str, entries: Sequence[str], output_dir: str, dataset: str
) -> int:
  """The `--format` direction. Returns the exit status."""
  try:
    ratios = (
      common.parse_ratios(FLAGS.split_ratios) if FLAGS.split_ratios else None
    )
  except common.InputError as e:
    raise UsageError(str(e)) from None
  inputs = _inputs(entries, ratios, fmt)
  # CoNLL and JSON lines hold entities only.
  wanted = (
    [task_types.NER_FAMILY.name] if fmt != "brat" else _families(FLAGS.families)
  )
  if fmt != "brat" and FLAGS.families != "auto":
    raise UsageError("--families applies to --format=brat only")
  given_labels, labels_text = _given_labels(wanted)
  label_map = _label_map()
  for family in wanted or task_types.FAMILIES:
    folder = os.path.join(output_dir, family, dataset)
    for _, path in inputs:
      _check_not_input(folder, path, inside_only=True)
    output.check_target(folder, FLAGS.overwrite)

  report = common.Report()
  records = _read_records(fmt, inputs, report)
  if wanted is None:
    wanted = [
      f
      for f in task_types.FAMILIES
      if any(
        r.instance[task_types.ITEMS_KEY[f]] for r in records if r.family == f
      )
    ]
  allowed = None
  if given_labels is not None:
    allowed = common.allowed_from_labels(wanted[0], given_labels)
  records = [r for r in records if r.family in wanted]
  records = common.map_labels(records, label_map, allowed, report)
  split_records = common.assign_splits(records, ratios, FLAGS.seed)
  given = {s for s, _ in inputs if s}
  empty = [s for s in schema.SPLITS if ratios is None and s not in given]

  written = []
  for family in wanted:
    try:
      line = _write_family(
        family,
        records,
        split_records,
        labels_text,
        (fmt, entries, ratios),
        report,
        (output_dir, dataset),
        empty,
      )
    except output.ValidationError as e:
      print(
        f"error: {family}/{dataset} fails validation ({len(e.errors)} "
        f"errors), nothing written; first: {e.errors[0]}",
        file=sys.stderr,
      )
      for error in e.errors[1 : FLAGS.max_listed]:
        print(f"  {error}", file=sys.stderr)
      return 1
    if line is not None:
      written.append(
        line
        + (f" (not given, written empty: {', '.join(empty)})" if empty else "")
      )
  _print_report(report)
  if not written:
    print("error: nothing converted (see the notes above)", file=sys.stderr)
    return 1
  for line in written:
    print(f"wrote {line}")
  return 0


def _print_report(report: common.Report) -> None:
  lines = report.lines(FLAGS.max_listed)
  if lines:
    print("\n".join(lines))


def convert_out(entries: Sequence[str], output_dir: str, dataset: str) -> int:
  """The `--to=conll` direction. Returns the exit status."""
  if len(entries) != 1:
    raise UsageError("--to=conll takes one --input: the IE INSTRUCTIONS root")
  scheme = "bio" if FLAGS.scheme == "auto" else FLAGS.scheme
  root = entries[0]
  source = os.path.join(root, task_types.NER_FAMILY.name, dataset)
  if not os.path.isdir(source):
    raise common.InputError(f"{source}: no such NER dataset folder")
  folder = os.path.join(output_dir, dataset)
  _check_not_input(folder, source, inside_only=False)
  output.check_target(folder, FLAGS.overwrite)
  report = common.Report()
  files = {}
  for split in schema.SPLITS:
    path = os.path.join(source, f"{split}.json")
    if not os.path.exists(path):
      report.note(path, "split not found", "not written")
      continue
    _, labels, problems = schema.load_dataset_split(
      root, task_types.NER_FAMILY, dataset, split, strict=False
    )
    errors = [p for p in problems if not p.is_warning]
    if errors:
      raise common.InputError(f"{errors[0]} ({len(errors)} errors in total)")
    instances = _loads(_read_text(path), path)
    files[f"{split}.txt"] = bio_export.export_split(
      instances, scheme, path, report
    )
    report.count(f"{split} sentences written", len(instances))
  if not files:
    raise common.InputError(f"{source}: no split files")
  labels_file = os.path.join(source, "labels.json")
  files["labels.json"] = _read_text(labels_file)
  back = bio_export.label_map(list(labels.types))
  files["label_map.json"] = (
    json.dumps(back, ensure_ascii=False, indent=1) + "\n"
  )
  meta = {
    "tool": "tools.convert_data",
    "to": "conll",
    "scheme": scheme,
    "input": source,
    "counts": dict(report.counts),
    "notes": [str(n) for n in report.notes],
  }
  output.write_folder(folder, files, meta, overwrite=FLAGS.overwrite)
  _print_report(report)
  print(f"wrote {folder}: {', '.join(sorted(files))} ({scheme})")
  return 0


def run() -> int:
  if (FLAGS.format is None) == (FLAGS.to is None):
    raise UsageError("give exactly one of --format (convert in) or --to (out)")
  for name in ("input", "output_dir", "dataset"):
    if not getattr(FLAGS, name):
      raise UsageError(f"--{name} is required")
  dataset = FLAGS.dataset
  if "/" in dataset or dataset.startswith(".") or not dataset.strip():
    raise UsageError(f"--dataset={dataset}: a plain folder name")
  paths = [FLAGS.output_dir, *FLAGS.input]
  if any("://" in p for p in paths):
    raise UsageError("local paths only (copy the result with gsutil)")
  if FLAGS.to:
    return convert_out(FLAGS.input, FLAGS.output_dir, dataset)
  return convert_in(FLAGS.format, FLAGS.input, FLAGS.output_dir, dataset)


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    print(f"error: unexpected arguments {argv[1:]}", file=sys.stderr)
    return 2
  try:
    return run()
  except UsageError as e:
    print(f"error: {e}", file=sys.stderr)
    return 2
  except common.InputError as e:
    print(f"error: {e}", file=sys.stderr)
    return 1


if __name__ == "__main__":
  define_flags()
  cli.run(main)
