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

"""Scoring of IE predictions: readers, metrics.json, Markdown, output files.

What `tools/score.py` (and `tools/report.py`, the pipelines of
`instructuie_t5x`) call. `read_predictions` reads either
* a JSON-lines file, one object per example:
  `{"dataset": str, "task": "NER"|"RE"|..., "target": str, "prediction": str}`
  (an optional `"ground_truth"` replaces `target` in the original mode, as
  the original evaluator reads that field: for RE it also lists NA pairs;
  optional `"windows"` and `"window_merges"`, as `tools.evaluate` writes
  them, are totalled under `windows` in metrics.json);
* or a directory of T5X/SeqIO inference outputs: `t5x.infer` files
  `{task}-predict.jsonl-00000-of-00001` (`{"inputs": {"targets_pretokenized",
  ...}, "prediction": str}`) or seqio JSON-logger files `{task}-{step}.jsonl`
  (`{"input": {...}, "target": ..., "prediction": ...}`; the latest step per
  task unless `step`). The dataset and task type come from the `dataset`
  and `task` features when the file has them, else from the task name
  `instructuie_{task}_{slug}`.

Texts are read in the target format named by a line's `target_format` field
(or feature), else by the run's `config.gin` beside an inference directory
(`run_target_format`), else "instructuie"; one dataset and task type is in
one format. The original mode scores "instructuie" texts only (other
formats are listed as not scored there).

Both paths may be local or remote (`gs://...`): they are read and written
through `etils.epath`.

`score` builds the `metrics.json` object: it nests
`datasets -> dataset -> task type -> metric -> numbers` (a dataset scored
under several task types, e.g. EE datasets under EET and EEA, has one entry
per task type); `averages -> task type -> metric` holds the macro average of
per-dataset F1 and the pooled (micro) counts. Original-mode metrics are
named `original_*` beside the strict ones.

A strict metric with nothing to score in a dataset (no gold and no predicted
item, e.g. every target and prediction " None") has no precision, recall or
F1 (`null`, with `"nothing_to_score": true`); it is left out of the averages
and listed under `nothing_to_score` and below the tables.

`score_to_dir` does it all: checks the output directory before reading,
reads, scores, and writes `metrics.json` and `metrics.md` (`markdown`), each
to a temporary file beside it that is then moved into place, so a failed run
leaves the previous files whole. Bad input raises `InputError` and an
unwritable output `OutputError`, naming file, line and field where there is
one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from etils import epath

from instructuie_jax import (
  catalog,
  formats,
  json_input,
  metrics,
  original_metrics,
  paper_tables,
  task_types,
)

MODES = ("strict", "original", "both")
DEFAULT_FORMAT = "instructuie"
# How a run's config.gin names its target format (`tasks.settings`).
_CONFIG_FORMAT_RE = re.compile(
  r"^\s*(?:[\w.]+\.)?data_settings\.target_format\s*=\s*['\"]([\w.]+)['\"]",
  re.MULTILINE,
)
_FIELDS = ("dataset", "task", "target", "prediction")
# T5X/seqio output files: `{task}-predict.jsonl[-00000-of-00001]` (t5x.infer)
# or `{task}-{step:06}.jsonl` (seqio JSON logger).
_OUTPUT_FILE_RE = re.compile(
  r"^(?P<task>[\w\d\.\:#]+)-"
  r"(?:(?P<step>\d+)|(?P<mode>predict|predict_with_aux))"
  r"\.jsonl(?:-\d{5}-of-\d{5})?$"
)
_SAMPLES = 5


class InputError(ValueError):
  """Unreadable prediction input; the message names file, line and field."""


class OutputError(ValueError):
  """The output directory cannot be made or written; the message names it."""


def _io_errors() -> tuple[type[BaseException], ...]:
  """Exceptions that file operations raise, local or remote."""
  errors: tuple[type[BaseException], ...] = (OSError,)
  tf = sys.modules.get("tensorflow")
  if tf is not None:  # tf.io.gfile, behind epath for gs:// paths.
    errors += (tf.errors.OpError,)
  return errors


def _reason(error: BaseException) -> str:
  return getattr(error, "strerror", None) or str(error) or type(error).__name__


@dataclasses.dataclass(frozen=True)
class Example:
  """One target/prediction pair to score.

  Attributes:
    dataset: Dataset name.
    task: Task type ("NER", ...).
    target: Target text.
    prediction: Predicted text.
    ground_truth: The original evaluator's gold text when it differs from
      `target` (None: use `target`).
    source: "file:line" of the example.
    target_format: The registered target format of `target` and
      `prediction`.
    windows: The windows the example's text was asked in (1: whole; None:
      the line does not say, as T5X's outputs do not).
    window_merges: Answers its windows gave twice or cut, merged away.
  """

  dataset: str
  task: str
  target: str
  prediction: str
  ground_truth: str | None = None
  source: str = ""
  target_format: str = DEFAULT_FORMAT
  windows: int | None = None
  window_merges: int = 0


def _task_type(value: Any, where: str, field: str = "task") -> str:
  if not isinstance(value, str):
    raise InputError(
      f"{where}: field {field!r}: expected a string, got {type(value).__name__}"
    )
  name = value.upper()
  if name not in task_types.TASK_TYPES:
    raise InputError(
      f"{where}: field {field!r}: unknown task type {value!r}; known: "
      f"{', '.join(task_types.TASK_TYPES)}"
    )
  return name


def _json_lines(path: str) -> Iterator[tuple[str, Any]]:
  """Yields ("file:line", object) for every non-blank line of `path`.

  Raises:
    InputError: `path` cannot be read, or a line is not UTF-8, not JSON
      (see `json_input`) or not an object.
  """
  try:
    data = epath.Path(path).read_bytes()
  except _io_errors() as e:
    raise InputError(f"{path}: cannot read: {_reason(e)}") from None
  try:
    for number, obj in json_input.json_lines(
      json_input.decode(data, path), path
    ):
      where = f"{path}:{number}"
      if not isinstance(obj, dict):
        raise InputError(
          f"{where}: expected a JSON object, got {type(obj).__name__}"
        )
      yield where, obj
  except json_input.InputError as e:
    raise InputError(str(e)) from None


def _target_format(value: Any, where: str, default: str) -> str:
  """A line's `target_format` field (None: `default`), checked registered."""
  if value is None:
    return default
  if not isinstance(value, str) or value not in formats.names():
    raise InputError(
      f"{where}: field 'target_format': expected one of "
      f"{', '.join(formats.names())}, got {value!r}"
    )
  return value


def run_target_format(directory: str) -> str:
  """The target format named by the run's config.gin, or the default.

  Looks for `config.gin` in `directory` (t5x.infer's output) and in its
  parent (a training run's `inference_eval/` folder) and reads its
  `data_settings.target_format` binding.

  Raises:
    InputError: The config names a format that is not registered.
  """
  folder = epath.Path(directory)
  configs = [folder / "config.gin"]
  if not str(folder.parent).rstrip("/").endswith(":"):  # Not "gs://".
    configs.append(folder.parent / "config.gin")
  for config in configs:
    try:
      text = config.read_text(encoding="utf-8")
    except (*_io_errors(), UnicodeDecodeError):
      continue
    match = _CONFIG_FORMAT_RE.search(text)
    if match:
      return _target_format(match[1], f"{config}", DEFAULT_FORMAT)
    return DEFAULT_FORMAT
  return DEFAULT_FORMAT


def group_format(examples: Sequence[Example]) -> str:
  """The one target format of a group of examples.

  Raises:
    InputError: The examples are in several formats, naming one of each.
  """
  first = examples[0]
  for example in examples:
    if example.target_format != first.target_format:
      raise InputError(
        f"{example.source}: field 'target_format': {example.target_format!r}"
        f", but {first.source} of the same dataset and task type is in "
        f"{first.target_format!r}"
      )
  return first.target_format


def read_jsonl(path: str) -> list[Example]:
  """Reads a JSON-lines predictions file (see the module docstring).

  Raises:
    InputError: A line is not a JSON object or a field is missing or not a
      string; the message names file, line and field.
  """
  examples = []
  for where, obj in _json_lines(path):
    for field in _FIELDS:
      if field not in obj:
        raise InputError(f"{where}: field {field!r}: missing")
      if not isinstance(obj[field], str):
        raise InputError(
          f"{where}: field {field!r}: expected a string, got "
          f"{type(obj[field]).__name__}"
        )
    ground_truth = obj.get("ground_truth")
    if ground_truth is not None and not isinstance(ground_truth, str):
      raise InputError(f"{where}: field 'ground_truth': expected a string")
    windows = _count(obj, "windows", where, None, minimum=1)
    examples.append(
      Example(
        dataset=obj["dataset"],
        task=_task_type(obj["task"], where),
        target=obj["target"],
        prediction=obj["prediction"],
        ground_truth=ground_truth,
        source=where,
        target_format=_target_format(
          obj.get("target_format"), where, DEFAULT_FORMAT
        ),
        windows=windows,
        window_merges=_count(obj, "window_merges", where, 0, minimum=0),
      )
    )
  return examples


def _count(
  obj: dict[str, Any], field: str, where: str, default: Any, minimum: int
) -> Any:
  """An optional whole-number field of a line (at least `minimum`)."""
  value = obj.get(field)
  if value is None:
    return default
  if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
    raise InputError(
      f"{where}: field {field!r}: expected a whole number >= {minimum}, "
      f"got {value!r:.40}"
    )
  return value


def task_from_name(name: str) -> tuple[str, str] | None:
  """(task type, dataset directory name) of a seqio task of the catalog.

  Returns None when `name` is not a name `catalog.task_name` builds.
  """
  try:
    task, spec = catalog.parse_task_name(name)
  except ValueError:
    return None
  return task, spec.name


def inference_files(directory: str, step: int | None = None) -> list[str]:
  """The T5X/seqio inference output files of `directory`, sorted.

  For seqio JSON-logger files, only `step` (default: each task's last step).

  Raises:
    InputError: No inference output file is in `directory`.
  """
  chosen: dict[str, list[tuple[int, str]]] = {}
  try:
    names = sorted(p.name for p in epath.Path(directory).iterdir())
  except _io_errors() as e:
    raise InputError(f"{directory}: cannot list: {_reason(e)}") from None
  for name in names:
    match = _OUTPUT_FILE_RE.match(name)
    if not match:
      continue
    file_step = int(match["step"]) if match["step"] else -1
    chosen.setdefault(match["task"], []).append((file_step, name))
  files = []
  for task, entries in chosen.items():
    steps = sorted({s for s, _ in entries if s >= 0})
    if steps:
      wanted = step if step is not None else steps[-1]
      if wanted not in steps:
        raise InputError(
          f"{directory}: no step {wanted} for task {task!r}; steps: "
          f"{', '.join(map(str, steps))}"
        )
      entries = [(s, n) for s, n in entries if s in (wanted, -1)]
    files.extend(os.fspath(epath.Path(directory) / n) for _, n in entries)
  if not files:
    raise InputError(
      f"{directory}: no inference outputs (expected files named "
      "'{task}-predict.jsonl-00000-of-00001' or '{task}-{step}.jsonl')"
    )
  return sorted(files)


def _text(value: Any, where: str, field: str) -> str:
  """A text field that may hold a `metrics.postprocess` dict."""
  if isinstance(value, dict) and isinstance(value.get("text"), str):
    return value["text"]
  if isinstance(value, str):
    return value
  raise InputError(
    f"{where}: field {field!r}: expected a string or a postprocessed dict "
    f"with 'text', got {type(value).__name__}"
  )


def _read_output_line(
  where: str,
  obj: dict[str, Any],
  default: tuple[str, str] | None,
  run_format: str = DEFAULT_FORMAT,
) -> Example:
  features = obj.get("inputs", obj.get("input"))
  features = features if isinstance(features, dict) else {}
  if "prediction" not in obj:
    raise InputError(f"{where}: field 'prediction': missing")
  prediction = _text(obj["prediction"], where, "prediction")
  if "targets_pretokenized" in features:
    target = _text(
      features["targets_pretokenized"], where, "inputs.targets_pretokenized"
    )
  elif "target" in obj:
    target = _text(obj["target"], where, "target")
  else:
    raise InputError(
      f"{where}: field 'inputs.targets_pretokenized': missing (and no "
      "'target'); run t5x.infer with the targets_pretokenized feature"
    )
  parsed = obj["prediction"] if isinstance(obj["prediction"], dict) else {}
  task = features.get("task") or parsed.get("task")
  dataset = features.get("dataset") or parsed.get("dataset")
  if task is None:
    if default is None:
      raise InputError(
        f"{where}: field 'inputs.task': missing, and the file name is no "
        "task name 'instructuie_{task}_{slug}'"
      )
    task = default[0]
  if not dataset:
    if default is None:
      raise InputError(
        f"{where}: field 'inputs.dataset': missing, and the file name is no "
        "task name 'instructuie_{task}_{slug}'"
      )
    dataset = default[1]
  return Example(
    dataset=str(dataset),
    task=_task_type(task, where, "inputs.task"),
    target=target,
    prediction=prediction,
    source=where,
    target_format=_target_format(
      obj.get("target_format", features.get("target_format")), where, run_format
    ),
  )


def read_inference_dir(
  directory: str, step: int | None = None
) -> list[Example]:
  """Reads the T5X/seqio inference outputs of `directory`.

  Raises:
    InputError: No output files, or a line lacks what is needed.
  """
  examples = []
  run_format = run_target_format(directory)
  for path in inference_files(directory, step):
    match = _OUTPUT_FILE_RE.match(epath.Path(path).name)
    default = task_from_name(match["task"])
    for where, obj in _json_lines(path):
      examples.append(_read_output_line(where, obj, default, run_format))
  return examples


def read_predictions(path: str, step: int | None = None) -> list[Example]:
  """Reads a JSON-lines file or a T5X inference directory (local or remote).

  Raises:
    InputError: `path` is missing or unreadable, a line is bad (the message
      names file, line and field), or there is no example at all.
  """
  try:
    is_dir = epath.Path(path).is_dir()
    exists = is_dir or epath.Path(path).exists()
  except _io_errors() as e:
    raise InputError(f"{path}: cannot read: {_reason(e)}") from None
  if not exists:
    raise InputError(f"{path}: no such file or directory")
  examples = read_inference_dir(path, step) if is_dir else read_jsonl(path)
  if not examples:
    what = "the inference outputs hold" if is_dir else "the file holds"
    raise InputError(f"{path}: no examples to score ({what} none)")
  return examples


def _group(examples: Sequence[Example]) -> dict[tuple[str, str], list[Example]]:
  groups: dict[tuple[str, str], list[Example]] = {}
  for example in examples:
    groups.setdefault((example.dataset, example.task), []).append(example)
  return dict(sorted(groups.items(), key=lambda kv: (kv[0][0].lower(), kv[0])))


def score(
  examples: Sequence[Example],
  mode: str = "strict",
  *,
  require_entity_types: bool = False,
) -> dict[str, Any]:
  """Scores `examples` per dataset and task type.

  Args:
    examples: What `read_predictions` returns.
    mode: "strict", "original" or "both".
    require_entity_types: See `metrics.score_example`.

  Returns:
    The `metrics.json` object: `mode`, `num_examples`, `datasets`,
    `averages`, `nothing_to_score` (task type -> strict metric -> datasets
    with no gold and no predicted item: no F1, left out of the averages),
    `parse_problems`, `not_scored` (task types the original evaluator has
    no metric for, original mode only) and, where the lines say how their
    texts were asked (`tools.evaluate`, `tools.extract`), `windows`
    (`window_counts`).
  """
  if mode not in MODES:
    raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
  datasets: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
  problems: dict[str, dict[str, dict[str, Any]]] = {}
  strict_counts: dict[str, dict[str, dict[str, metrics.Counts]]] = {}
  original_results: dict[str, dict[str, dict[str, Any]]] = {}
  not_scored: dict[str, list[str]] = {}
  empty: dict[str, dict[str, list[str]]] = {}
  for (dataset, task), group in _group(examples).items():
    targets = [e.target for e in group]
    predictions = [e.prediction for e in group]
    entry: dict[str, dict[str, float]] = {}
    if mode in ("strict", "both"):
      tally = metrics.tally_texts(
        task,
        targets,
        predictions,
        group_format(group),
        require_entity_types=require_entity_types,
      )
      for name, counts in tally.counts.items():
        if counts.tp or counts.fp or counts.fn:
          entry[name] = counts.as_dict()
          by_dataset = strict_counts.setdefault(task, {}).setdefault(name, {})
          by_dataset[dataset] = counts
        else:
          entry[name] = _nothing_to_score()
          empty.setdefault(task, {}).setdefault(name, []).append(dataset)
      problems.setdefault(dataset, {})[task] = {
        "examples": tally.examples,
        "unparseable_predictions": tally.bad_predictions,
        "unparseable_targets": tally.bad_targets,
        "samples": [
          f"{group[i].source}: {which}: {message}"
          for i, which, message in tally.problems[:_SAMPLES]
        ],
      }
    if mode in ("original", "both"):
      if (
        task in original_metrics.ORIGINAL_TASKS
        and group_format(group) == DEFAULT_FORMAT
      ):
        gold = [
          e.ground_truth if e.ground_truth is not None else e.target
          for e in group
        ]
        result = original_metrics.original_tally(task, gold, predictions)
        name = original_metrics.metric_name(task)
        entry[name] = original_metrics.as_dict(result)
        by_dataset = original_results.setdefault(task, {}).setdefault(name, {})
        by_dataset[dataset] = result
      else:
        not_scored.setdefault(task, []).append(dataset)
    if entry:
      datasets.setdefault(dataset, {})[task] = entry
  report: dict[str, Any] = {
    "mode": mode,
    "num_examples": len(examples),
    "datasets": datasets,
    "averages": _averages(strict_counts, original_results),
    "nothing_to_score": empty,
    "parse_problems": problems,
  }
  if mode != "strict":
    report["not_scored"] = not_scored
  if any(e.windows is not None for e in examples):
    report["windows"] = window_counts(examples)
  return report


def window_counts(examples: Sequence[Example]) -> dict[str, int]:
  """Examples asked in several windows, windows asked, answers merged.

  As the extraction API totals them (`windows` counts 1 per example asked
  whole).
  """
  asked = [e.windows or 1 for e in examples]
  return {
    "windowed_texts": sum(1 for n in asked if n > 1),
    "windows": sum(asked),
    "window_merges": sum(e.window_merges for e in examples),
  }


def _nothing_to_score() -> dict[str, Any]:
  """A metric entry with no gold and no predicted item."""
  return {
    "precision": None,
    "recall": None,
    "f1": None,
    "tp": 0,
    "fp": 0,
    "fn": 0,
    "nothing_to_score": True,
  }


def _f1_average(per_dataset: dict[str, Any]) -> dict[str, Any]:
  """Macro and micro F1 (with micro P/R and counts) over `per_dataset`."""
  avg = metrics.average(per_dataset)
  return {
    "macro_f1": avg.macro_f1,
    "micro_f1": avg.micro.f1,
    "micro_precision": avg.micro.precision,
    "micro_recall": avg.micro.recall,
    "tp": avg.micro.tp,
    "fp": avg.micro.fp,
    "fn": avg.micro.fn,
    "datasets": avg.datasets,
  }


def _averages(
  strict_counts: dict[str, dict[str, dict[str, metrics.Counts]]],
  original_results: dict[str, dict[str, dict[str, Any]]],
) -> dict[str, dict[str, dict[str, Any]]]:
  averages: dict[str, dict[str, dict[str, Any]]] = {}
  for task, by_metric in strict_counts.items():
    for name, per_dataset in by_metric.items():
      averages.setdefault(task, {})[name] = _f1_average(per_dataset)
  for task, by_metric in original_results.items():
    for name, per_dataset in by_metric.items():
      values = list(per_dataset.values())
      if isinstance(values[0], original_metrics.Accuracy):
        total = sum(values, original_metrics.Accuracy())
        averages.setdefault(task, {})[name] = {
          "macro_accuracy": sum(v.value for v in values) / len(values),
          "micro_accuracy": total.value,
          "correct": total.correct,
          "total": total.total,
          "datasets": len(values),
        }
      else:
        averages.setdefault(task, {})[name] = _f1_average(per_dataset)
  return averages


def _headline(numbers: dict[str, Any]) -> float:
  return numbers["accuracy"] if "accuracy" in numbers else numbers["f1"]


_NOTHING_CELL = "n/a"


def _cell(numbers: dict[str, Any] | None) -> str:
  if numbers is None:
    return ""
  if numbers.get("nothing_to_score"):
    return _NOTHING_CELL
  return f"{100 * _headline(numbers):.2f}"


def nothing_to_score_line(report: dict[str, Any]) -> str | None:
  """One sentence listing the metrics with nothing to score, or None."""
  items = [
    f"{dataset} ({task} {name})"
    for task, by_metric in report.get("nothing_to_score", {}).items()
    for name, datasets in by_metric.items()
    for dataset in datasets
  ]
  if not items:
    return None
  return (
    f"{_NOTHING_CELL}: nothing to score (no gold and no predicted item), "
    "left out of the averages: " + ", ".join(items)
  )


def markdown(report: dict[str, Any]) -> str:
  """Markdown tables of `report`: one per task type, values x 100."""
  lines = [
    f"# Scores ({report['mode']} mode, {report['num_examples']} examples)"
  ]
  by_task: dict[str, dict[str, dict[str, Any]]] = {}
  for dataset, tasks in report["datasets"].items():
    for task, by_metric in tasks.items():
      by_task.setdefault(task, {})[dataset] = by_metric
  for task in task_types.TASK_TYPES:
    if task not in by_task:
      continue
    rows = by_task[task]
    names = list(dict.fromkeys(n for by in rows.values() for n in by))
    if not names:
      continue
    lines += ["", f"## {task}", ""]
    lines.append(paper_tables.markdown_row(["dataset", *names]))
    lines.append("|---|" + "---:|" * len(names))
    for dataset, by_metric in rows.items():
      cells = [_cell(by_metric.get(n)) for n in names]
      lines.append(paper_tables.markdown_row([dataset, *cells]))
    averages = report["averages"].get(task, {})
    for label, key in (
      ("average (macro)", "macro"),
      ("pooled (micro)", "micro"),
    ):
      cells = []
      for n in names:
        avg = averages.get(n, {})
        value = avg.get(f"{key}_f1", avg.get(f"{key}_accuracy"))
        cells.append(f"{100 * value:.2f}" if value is not None else "")
      lines.append(paper_tables.markdown_row([f"*{label}*", *cells]))
  bad = [
    (dataset, task, p)
    for dataset, tasks in report["parse_problems"].items()
    for task, p in tasks.items()
    if p["unparseable_predictions"] or p["unparseable_targets"]
  ]
  if bad:
    lines += ["", "## Parse problems", ""]
    lines.append(
      "| dataset | task | examples | unparseable predictions | "
      "unparseable targets |"
    )
    lines.append("|---|---|---:|---:|---:|")
    for dataset, task, p in bad:
      lines.append(
        paper_tables.markdown_row(
          [
            dataset,
            task,
            p["examples"],
            p["unparseable_predictions"],
            p["unparseable_targets"],
          ]
        )
      )
  nothing = nothing_to_score_line(report)
  if nothing:
    lines += ["", nothing]
  windows = report.get("windows")
  if windows:
    lines += [
      "",
      f"Windows: {windows['windowed_texts']} examples asked in windows, "
      f"{windows['windows']} prompts in all, {windows['window_merges']} "
      "answers merged.",
    ]
  not_scored = report.get("not_scored")
  if not_scored:
    lines += [
      "",
      "Not scored by the original evaluator: "
      + ", ".join(f"{t} ({len(d)} datasets)" for t, d in not_scored.items()),
    ]
  return "\n".join(lines) + "\n"


def prepare_out_dir(out_dir: str) -> list[epath.Path]:
  """Makes `out_dir` if needed and checks that files can be written there.

  Returns:
    The directories it made, deepest first (`remove_dirs` undoes them).

  Raises:
    OutputError: `out_dir` is a file, cannot be made or is not writable.
  """
  path = epath.Path(out_dir)
  made: list[epath.Path] = []
  try:
    if path.exists() and not path.is_dir():
      raise OutputError(f"{out_dir}: exists and is not a directory")
    missing = path
    while not missing.exists() and missing.parent != missing:
      made.append(missing)
      missing = missing.parent
    path.mkdir(parents=True, exist_ok=True)
  except _io_errors() as e:
    raise OutputError(
      f"{out_dir}: cannot make the directory: {_reason(e)}"
    ) from None
  probe = path / f".score-probe-{uuid.uuid4().hex}"
  try:
    probe.write_text("")
    probe.unlink()
  except _io_errors() as e:
    remove_dirs(made)
    raise OutputError(f"{out_dir}: cannot write there: {_reason(e)}") from None
  return made


def remove_dirs(made: Sequence[epath.Path]) -> None:
  """Removes the directories `prepare_out_dir` made, if they are empty."""
  for directory in made:
    try:
      directory.rmdir()
    except _io_errors():
      return


def write_files(out_dir: str, files: dict[str, str]) -> None:
  """Writes `files` (name -> text) to `out_dir` (made if needed) atomically.

  Every text goes to a temporary file beside its target first; only when all
  are written are they moved into place (`os.replace` locally; a rename on
  remote file systems). On failure the previous files are left as they
  were and the temporary files are removed.

  Raises:
    OutputError: A file could not be written; the message names it.
  """
  directory = epath.Path(out_dir)
  tag = uuid.uuid4().hex[:8]
  written: list[tuple[epath.Path, epath.Path]] = []
  current = directory
  try:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
      current = directory / name
      temporary = directory / f".{name}.tmp-{tag}"
      written.append((temporary, current))
      temporary.write_text(text, encoding="utf-8")
    for temporary, current in written:
      temporary.replace(current)
  except _io_errors() as e:
    raise OutputError(f"{current}: cannot write: {_reason(e)}") from None
  finally:
    for temporary, _ in written:
      try:
        if temporary.exists():
          temporary.unlink()
      except _io_errors():
        pass


def write_report(report: dict[str, Any], out_dir: str) -> str:
  """Writes metrics.json and metrics.md to `out_dir`; returns the markdown.

  Raises:
    OutputError: A file could not be written (the previous ones are kept).
  """
  text = markdown(report)
  write_files(
    out_dir,
    {
      "metrics.json": json.dumps(report, indent=2, ensure_ascii=False) + "\n",
      "metrics.md": text,
    },
  )
  return text


def score_to_dir(
  predictions: str,
  out_dir: str,
  mode: str = "strict",
  *,
  step: int | None = None,
  require_entity_types: bool = False,
) -> str:
  """Reads, scores and writes metrics.json and metrics.md; returns the latter.

  Args:
    predictions: What `read_predictions` reads.
    out_dir: Where the two files go (made if needed; checked first).
    mode: "strict", "original" or "both".
    step: See `read_predictions`.
    require_entity_types: See `metrics.score_example`.

  Raises:
    InputError: See `read_predictions`.
    OutputError: `out_dir` cannot be made or written; the directories this
      call made are removed again when empty.
  """
  made = prepare_out_dir(out_dir)
  try:
    examples = read_predictions(predictions, step)
    report = score(examples, mode, require_entity_types=require_entity_types)
    return write_report(report, out_dir)
  except BaseException:  # A user's mistake or not: no empty new folder.
    remove_dirs(made)  # Only the directories this run made, when empty.
    raise
