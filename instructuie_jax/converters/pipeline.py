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

"""The whole conversion, into and out of the IE INSTRUCTIONS layout.

`convert_in` reads CoNLL, BRAT or JSON lines inputs (`InOptions`: the
settings of each format, the label map, the labels and the splits), maps
their labels, splits them and writes one validated dataset folder per family;
`convert_out` writes an NER dataset back out as token-tag files
(`bio_export`). Both return a `Converted`: the summary line of each folder
written and the `common.Report` of everything skipped or changed. Printing is
left to the caller (`tools/convert_data.py`).

A mistake in the arguments raises `cli.UsageError`; an input that cannot be
read, or an output folder in the way, `common.InputError`; a dataset that
fails validation `DatasetInvalid` (nothing of it is written).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from instructuie_jax import cli, json_input, schema, task_types
from instructuie_jax.converters import (
  bio_export,
  brat,
  common,
  conll,
  jsonl,
  output,
  tags,
)

TOOL = "tools.convert_data"


@dataclasses.dataclass(frozen=True)
class InOptions:
  """The settings of `convert_in` (the flags of `tools.convert_data`).

  Attributes:
    token_column: conll: token column (negative: from the end).
    tag_column: conll: tag column (negative: from the end).
    scheme: conll: a tag scheme of `tags.SCHEMES`, or "auto" (guessed per
      input file, see `tags.detect_scheme`).
    families: brat: "auto" (every family found) or a comma-separated subset
      of NER,RE,EE.
    discontinuous: brat: discontinuous entities (`brat.DISCONTINUOUS`).
    token_end: jsonl: end token of `ner` spans (`jsonl.TOKEN_END`).
    label_map: A JSON label map file, or None.
    drop_unmapped: Drop the labels the label map does not name.
    labels: A labels.json file to write (fixes the label set), or None.
    split_ratios: "train,dev,test" ratios (instead of `SPLIT=` inputs), or
      None.
    seed: Seed of `split_ratios`.
    overwrite: Replace an output folder this tool made.
    role: The dataset's role (`catalog.ROLES`), written to its dataset.json.
  """

  token_column: int = 0
  tag_column: int = -1
  scheme: str = "auto"
  families: str = "auto"
  discontinuous: str = "cover"
  token_end: str = "inclusive"
  label_map: str | None = None
  drop_unmapped: bool = False
  labels: str | None = None
  split_ratios: str | None = None
  seed: int = 0
  overwrite: bool = False
  role: str = "supervised"


@dataclasses.dataclass
class Converted:
  """What a conversion wrote.

  Attributes:
    written: One summary line per folder written (`FOLDER: ...`); empty when
      nothing was converted (the notes of `report` say why).
    report: The counts, and a note for everything skipped or changed.
  """

  written: list[str]
  report: common.Report


class DatasetInvalid(output.ValidationError):
  """A converted dataset fails validation; nothing of it was written.

  Attributes:
    name: `FAMILY/dataset`.
    errors: The validator's error lines.
  """

  def __init__(self, name: str, errors: list[str]):
    super().__init__(errors)
    self.name = name


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


def _check_names(entries: Sequence[str], output_dir: str, dataset: str) -> None:
  """Refuses a `dataset` that is not a plain folder name, and remote paths."""
  if "/" in dataset or dataset.startswith(".") or not dataset.strip():
    raise cli.UsageError(f"--dataset={dataset}: a plain folder name")
  if any("://" in p for p in [output_dir, *entries]):
    raise cli.UsageError("local paths only (copy the result with gsutil)")


def _check_not_input(folder: str, path: str, *, inside_only: bool) -> None:
  """Refuses an output `folder` that is input `path` or holds it (or, unless
  `inside_only`, lies inside it)."""
  real, given = os.path.realpath(folder), os.path.realpath(path)
  holds = given == real or given.startswith(real + os.sep)
  if holds or (not inside_only and output.overlaps(folder, path)):
    raise cli.UsageError(
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
      raise cli.UsageError(
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
    raise cli.UsageError(
      "name the split of every --input (train=PATH,...) or give --split_ratios"
    )
  if ratios is not None and named:
    raise cli.UsageError(
      "--split_ratios and SPLIT=PATH inputs exclude each other"
    )
  if len(set(named)) != len(named):
    raise cli.UsageError("a split is named twice in --input")
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
    raise cli.UsageError(
      f"--families={text}: use auto or a subset of NER,RE,EE"
    )
  return names


def _given_labels(
  path: str | None, wanted: list[str] | None
) -> tuple[Any, str | None]:
  """The labels.json at `path` as JSON and as text; `(None, None)` without
  it."""
  if not path:
    return None, None
  if wanted is None or len(wanted) != 1:
    raise cli.UsageError("--labels needs exactly one family (--families=X)")
  try:
    schema.load_labels(path, wanted[0])
  except schema.DataError as e:
    raise common.InputError(str(e.problem)) from e
  labels_text = _read_text(path)
  return _loads(labels_text, path), labels_text


def _label_map(path: str | None, drop_unmapped: bool) -> common.LabelMap:
  """The label map at `path` (an empty map without it)."""
  if not path:
    return common.LabelMap(keep_unmapped=not drop_unmapped)
  data = _loads(_read_text(path), path)
  return common.LabelMap.from_json(data, path, keep_unmapped=not drop_unmapped)


def _read_records(
  fmt: str,
  inputs: Sequence[tuple[str | None, str]],
  options: InOptions,
  report: common.Report,
  log: Callable[[str], None] | None,
) -> list[common.Record]:
  """The records of every input file (brat: folder) in `fmt`."""
  records: list[common.Record] = []
  if fmt == "conll":
    sentences = []
    for split, path in inputs:
      found = conll.read_sentences(
        _read_text(path),
        path,
        token_column=options.token_column,
        tag_column=options.tag_column,
        report=report,
      )
      sentences.append((split, found))
    for (split, found), (_, path) in zip(sentences, inputs, strict=True):
      scheme = options.scheme
      if scheme == "auto":  # per file: a corpus may mix them
        scheme, why = tags.detect_scheme(s.tags for s in found)
        if log is not None:
          log(f"{path}: tag scheme {scheme} (auto: {why})")
      records += conll.to_records(found, scheme, split=split, report=report)
  elif fmt == "jsonl":
    for split, path in inputs:
      records += jsonl.read_lines(
        _read_text(path),
        path,
        split=split,
        report=report,
        token_end=options.token_end,
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
          discontinuous=options.discontinuous,
        )
  return records


def _write_family(
  family: str,
  records: list[common.Record],
  split_records: dict[str, list[common.Record]],
  labels_text: str | None,
  source: tuple[str, Sequence[str], Any],
  options: InOptions,
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
    labels_text: The given labels.json's text, or None.
    source: `(format, input entries, split ratios)` for the metadata.
    options: The settings of the conversion.
    report: The conversion's notes and counts.
    where: `(output_dir, dataset)`.
    empty: The splits not given, written empty on purpose.

  Raises:
    DatasetInvalid: The dataset fails validation (nothing written).
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
    "tool": TOOL,
    "format": fmt,
    "inputs": list(entries),
    "family": family,
    "split_ratios": options.split_ratios,
    "seed": options.seed if ratios else None,
    "label_map": options.label_map,
    "instances": counts,
    # Not given, written empty on purpose (tools.validate_data: a note).
    "empty_splits": list(empty),
    "counts": dict(report.counts),
    "notes": [str(n) for n in report.notes],
  }
  try:
    folder = output.write_dataset(
      output_dir,
      family,
      dataset,
      by_split,
      labels,
      meta,
      overwrite=options.overwrite,
      metadata={"role": options.role},
    )
  except output.ValidationError as e:
    raise DatasetInvalid(f"{family}/{dataset}", e.errors) from e
  key = task_types.ITEMS_KEY[family]
  items = sum(len(x[key]) for v in by_split.values() for x in v)
  return (
    f"{folder}: "
    + ", ".join(f"{s} {n}" for s, n in counts.items())
    + f" instances, {items} {key}"
  )


def convert_in(
  fmt: str,
  entries: Sequence[str],
  output_dir: str,
  dataset: str,
  options: InOptions = InOptions(),
  *,
  log: Callable[[str], None] | None = None,
) -> Converted:
  """Converts `entries` in format `fmt` into `output_dir`'s `dataset`.

  Args:
    fmt: The input format: "conll", "brat" or "jsonl".
    entries: The inputs, each `PATH` or `SPLIT=PATH` (brat: a folder of
      .txt/.ann pairs, searched recursively; else a file).
    output_dir: The IE INSTRUCTIONS root written into
      (`{NER,RE,EE}/dataset/`).
    dataset: The dataset folder name.
    options: The settings of the formats, labels and splits.
    log: Called with each line worth showing as it happens (the tag scheme
      guessed for a CoNLL file); None: not shown.

  Returns:
    The folders written (a split not given is written empty and named in
    the line) and the report.

  Raises:
    cli.UsageError: Arguments that do not fit together or are malformed.
    common.InputError: An input that cannot be read, an output folder in the
      way.
    DatasetInvalid: A family's dataset fails validation.
  """
  _check_names(entries, output_dir, dataset)
  try:
    ratios = (
      common.parse_ratios(options.split_ratios)
      if options.split_ratios
      else None
    )
  except common.InputError as e:
    raise cli.UsageError(str(e)) from None
  inputs = _inputs(entries, ratios, fmt)
  # CoNLL and JSON lines hold entities only.
  wanted = (
    [task_types.NER_FAMILY.name]
    if fmt != "brat"
    else _families(options.families)
  )
  if fmt != "brat" and options.families != "auto":
    raise cli.UsageError("--families applies to --format=brat only")
  given_labels, labels_text = _given_labels(options.labels, wanted)
  label_map = _label_map(options.label_map, options.drop_unmapped)
  for family in wanted or task_types.FAMILIES:
    folder = os.path.join(output_dir, family, dataset)
    for _, path in inputs:
      _check_not_input(folder, path, inside_only=True)
    output.check_target(folder, options.overwrite)

  report = common.Report()
  records = _read_records(fmt, inputs, options, report, log)
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
  split_records = common.assign_splits(records, ratios, options.seed)
  given = {s for s, _ in inputs if s}
  empty = [s for s in schema.SPLITS if ratios is None and s not in given]

  written = []
  for family in wanted:
    line = _write_family(
      family,
      records,
      split_records,
      labels_text,
      (fmt, entries, ratios),
      options,
      report,
      (output_dir, dataset),
      empty,
    )
    if line is not None:
      written.append(
        line
        + (f" (not given, written empty: {', '.join(empty)})" if empty else "")
      )
  return Converted(written, report)


def convert_out(
  entries: Sequence[str],
  output_dir: str,
  dataset: str,
  *,
  scheme: str = "auto",
  overwrite: bool = False,
) -> Converted:
  """Writes the NER dataset `dataset` of a root as token-tag files.

  Writes `output_dir/dataset/{split}.txt` (`token<TAB>tag`, a blank line
  after each sentence), the dataset's `labels.json` and `label_map.json`
  (tag label -> label, for reading the files back in).

  Args:
    entries: One entry: the IE INSTRUCTIONS root.
    output_dir: The folder the dataset's folder is written into.
    dataset: The NER dataset folder name.
    scheme: A tag scheme of `tags.SCHEMES`; "auto" means bio.
    overwrite: Replace an output folder this tool made.

  Returns:
    The folder written (with its files and scheme) and the report.

  Raises:
    cli.UsageError: Not one entry, a malformed name, an output folder over
      the input.
    common.InputError: No such dataset, data that fails validation, an
      output folder in the way.
  """
  _check_names(entries, output_dir, dataset)
  if len(entries) != 1:
    raise cli.UsageError(
      "--to=conll takes one --input: the IE INSTRUCTIONS root"
    )
  scheme = "bio" if scheme == "auto" else scheme
  root = entries[0]
  source = os.path.join(root, task_types.NER_FAMILY.name, dataset)
  if not os.path.isdir(source):
    raise common.InputError(f"{source}: no such NER dataset folder")
  folder = os.path.join(output_dir, dataset)
  _check_not_input(folder, source, inside_only=False)
  output.check_target(folder, overwrite)
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
    "tool": TOOL,
    "to": "conll",
    "scheme": scheme,
    "input": source,
    "counts": dict(report.counts),
    "notes": [str(n) for n in report.notes],
  }
  output.write_folder(folder, files, meta, overwrite=overwrite)
  return Converted([f"{folder}: {', '.join(sorted(files))} ({scheme})"], report)
