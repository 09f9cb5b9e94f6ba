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

"""Training recipes compared on the tiny model: target format x label options.

  results = [run(work_dir, ROWS[name], seed, train_steps) for ...]
  print(markdown(summarize(results)))

Each row (`Recipe`) is the tiny run of gin/runs/local_tiny.gin (the
`pipeline`'s data, vocabulary and `t5x.train`), trained from scratch with
the same steps and seed as every other row, plus the data settings that make
the row (`tasks.settings`: `target_format`, `option_policy`, with the run
seed as `data_settings.seed`). A row whose target format does not cover
every task type of the training mixture trains on its `_available` variant
(`tasks.mixtures.AVAILABLE_SUFFIX`), which leaves the other tasks out.

After training, the checkpoint is asked every test example of the datasets
of the two evaluation mixtures (`EVAL_MIXTURES`: supervised and zero-shot)
through the extraction API (`dataset_eval.predict_split`, what
`tools.evaluate` runs, with the run's prompt options), and a run's
`RunResult` holds: the strict F1 of each mixture (macro average over its
datasets of the main task's first metric, `scoring.score`), the records with
a label not offered (`invalid_labels`) and with a span not in the text
(`ungrounded`; repeated answers, whose text is in the text, are not counted),
the target tokens per example (EOS included) and the
targets longer than the run's target length (cut in training), the prompts
cut to the input length, and the training wall time.

`summarize` gives, per row and measure, the mean and the spread (min-max)
over seeds; `markdown` prints them and compares each row with the first (the
paper's recipe): a difference of means smaller than the larger spread of the
two rows is "no difference".
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

from instructuie_jax import formats, instructions, schema, scoring, task_types
from instructuie_t5x import dataset_eval, pipeline

TRAIN_MIXTURE = "ie_tiny_train"
# Measure name -> the mixture whose datasets it is scored on.
EVAL_MIXTURES = {
  "supervised": "ie_tiny_eval",
  "zeroshot": "ie_tiny_zeroshot_eval",
}
EVAL_SPLIT = "test"


@dataclasses.dataclass(frozen=True)
class Recipe:
  """One row: the data settings that differ from the paper's recipe.

  Attributes:
    name: The row's name, `{target_format}+{option_policy}` (and what else
      differs).
    target_format: `data_settings.target_format`.
    option_policy: `data_settings.option_policy`.
    settings: Other data settings of the row, `(name, value)` pairs (such
      as the policy's `negatives_size`).
  """

  name: str
  target_format: str
  option_policy: str
  settings: tuple[tuple[str, Any], ...] = ()

  def train_mixture(self) -> str:
    """`TRAIN_MIXTURE`, or its `_available` variant when the target format
    does not cover every task type of it."""
    from tasks import mixtures  # noqa: PLC0415 (registers the tasks)

    specs, auxiliary = mixtures.MIXTURES[TRAIN_MIXTURE]
    covered = formats.get(self.target_format).tasks()
    for spec in specs:
      for task in spec.tasks if auxiliary else spec.main_tasks:
        if task_types.get(task) not in covered:
          return TRAIN_MIXTURE + mixtures.AVAILABLE_SUFFIX
    return TRAIN_MIXTURE

  def gin_bindings(self, seed: int) -> list[str]:
    """The `t5x.train` bindings of the row (beside the run's data roots):
    the format's gin file of the tiny run (`pipeline.FORMAT_GIN`: words_bio
    gets the lengths its longer prompts and targets need), then the row's
    data settings."""
    bindings = [
      *pipeline.format_bindings(self.target_format),
      f"data_settings.target_format = '{self.target_format}'",
      f"data_settings.option_policy = '{self.option_policy}'",
      f"data_settings.seed = {seed}",
      *(f"data_settings.{name} = {value!r}" for name, value in self.settings),
      f"MIXTURE_OR_TASK_NAME = '{self.train_mixture()}'",
      # Decoded after training, by `evaluate`.
      "train.infer_eval_dataset_cfg = None",
    ]
    return bindings


ROWS: dict[str, Recipe] = {
  r.name: r
  for r in (
    Recipe("instructuie+as_given", "instructuie", "as_given"),
    Recipe("instructuie+negatives", "instructuie", "negatives"),
    # Five negatives list nearly all six types of the tiny data: one keeps
    # the prompts' label sets varied.
    Recipe(
      "instructuie+negatives_1",
      "instructuie",
      "negatives",
      settings=(("negatives_size", 1),),
    ),
    Recipe("instructuie+gold_dropout", "instructuie", "gold_dropout"),
    Recipe("words_bio+as_given", "words_bio", "as_given"),
    Recipe("words_bio+negatives", "words_bio", "negatives"),
  )
}


@dataclasses.dataclass(frozen=True)
class RunResult:
  """What one training run of a row measured (see the module docstring).

  F1 are in 0-100; `target_tokens` is the mean over the evaluated examples.
  """

  row: str
  seed: int
  supervised_f1: float
  zeroshot_f1: float
  invalid_labels: int
  ungrounded: int
  target_tokens: float
  targets_over_length: int
  prompts_cut: int
  examples: int
  train_seconds: float
  left_out: tuple[str, ...] = ()


# The measures of a row's table, in order: (field, header, format).
MEASURES = (
  ("supervised_f1", "supervised F1", "{:.1f}"),
  ("zeroshot_f1", "zero-shot F1", "{:.1f}"),
  ("invalid_labels", "invalid labels", "{:.0f}"),
  ("ungrounded", "spans not in text", "{:.0f}"),
  ("target_tokens", "target tokens/example", "{:.1f}"),
  ("targets_over_length", "targets cut", "{:.0f}"),
  ("prompts_cut", "prompts cut", "{:.0f}"),
  ("train_seconds", "train s", "{:.0f}"),
)
# Compared with the first row ("no difference" within the spread).
COMPARED = ("supervised_f1", "zeroshot_f1", "invalid_labels", "ungrounded")


def eval_datasets(
  mixture: str, target_format: str
) -> tuple[list[tuple[Any, list[str]]], list[str]]:
  """`[(dataset spec, main task types)]` of `mixture` that `target_format`
  covers, and the `dataset/task` pairs it does not (left out)."""
  from tasks import mixtures  # noqa: PLC0415

  specs, _ = mixtures.MIXTURES[mixture]
  covered = formats.get(target_format).tasks()
  kept, left_out = [], []
  for spec in specs:
    tasks = [t for t in spec.main_tasks if task_types.get(t) in covered]
    left_out += [f"{spec.name}/{t}" for t in spec.main_tasks if t not in tasks]
    if tasks:
      kept.append((spec, tasks))
  return kept, left_out


def _f1(report: Mapping[str, Any]) -> float:
  """Macro F1 (0-100) over the task types' first metric of `report`."""
  values = []
  for task, by_metric in report["averages"].items():
    numbers = by_metric.get(task_types.get(task).metric_names[0])
    if numbers is not None and numbers["macro_f1"] is not None:
      values.append(numbers["macro_f1"])
  return 100.0 * statistics.fmean(values) if values else 0.0


def evaluate(
  model_dir: str,
  data_dir: str,
  out_dir: str,
  *,
  max_examples: int | None = None,
  batch_size: int = 64,
) -> dict[str, Any]:
  """Decodes the evaluation mixtures' test splits with the run's checkpoint.

  Writes `{out_dir}/{measure}.jsonl` (the prediction lines) and returns
  `{measure: F1}`, the flag totals, the target token counts and the
  datasets left out.
  """
  from instructuie_t5x import extractor as extractor_lib  # noqa: PLC0415

  model = extractor_lib.Extractor.from_checkpoint(
    model_dir, batch_size=batch_size
  )
  options = model.options
  pool = instructions.options_pool(options)
  out: dict[str, Any] = {"left_out": [], "lines": 0}
  totals = {"invalid_labels": 0, "ungrounded": 0, "prompts_cut": 0}
  target_tokens: list[int] = []
  os.makedirs(out_dir, exist_ok=True)
  for measure, mixture in EVAL_MIXTURES.items():
    kept, left_out = eval_datasets(mixture, options.target_format)
    out["left_out"] += left_out
    lines = []
    for spec, tasks in kept:
      instances, labels, _ = schema.load_dataset_split(
        data_dir, spec.family, spec.name, EVAL_SPLIT
      )
      lines += dataset_eval.predict_split(
        model,
        instances[:max_examples],
        labels,
        family=spec.family,
        tasks=tasks,
        dataset=spec.name,
        split=EVAL_SPLIT,
        options=options,
        pool=pool,
      )
    path = os.path.join(out_dir, f"{measure}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
      for line in lines:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
    out[measure] = _f1(scoring.score(scoring.read_jsonl(path)))
    for line in lines:
      totals["invalid_labels"] += line["invalid_labels"]
      totals["ungrounded"] += line["ungrounded"] - line["repeats"]
      totals["prompts_cut"] += bool(line["truncated_tokens"])
      target_tokens.append(model.prompt_length(line["target"]))
  out.update(
    totals,
    target_tokens=target_tokens,
    lines=len(target_tokens),
    target_length=model.target_length,
  )
  return out


def run(
  work_dir: str,
  recipe: Recipe,
  seed: int,
  train_steps: int,
  *,
  max_eval_examples: int | None = None,
  log=print,
) -> RunResult:
  """Trains `recipe` from scratch with `seed` and evaluates it.

  The data and vocabulary of `work_dir` are made once (`pipeline.
  prepare_data`, seed 0) and shared by every row; the run's model, log and
  predictions go to `{work_dir}/runs/{row}/seed_{seed}/` (replaced).

  Raises:
    RuntimeError: training failed (the message names its log).
  """
  pipeline.prepare_data(work_dir, 0)
  run_dir = os.path.join(work_dir, "runs", recipe.name, f"seed_{seed}")
  shutil.rmtree(run_dir, ignore_errors=True)
  os.makedirs(run_dir)
  model_dir = os.path.join(run_dir, "model")
  log(f"{recipe.name} seed {seed}: t5x.train, {train_steps} steps")
  start = time.monotonic()
  pipeline.train(
    pipeline.train_command(
      model_dir,
      train_steps,
      train_steps,
      seed,
      [*pipeline.data_bindings(work_dir), *recipe.gin_bindings(seed)],
    ),
    os.path.join(run_dir, "train.log"),
  )
  train_seconds = time.monotonic() - start
  log(f"{recipe.name} seed {seed}: trained in {train_seconds:.0f} s; decoding")
  data_dir, _ = pipeline.data_paths(work_dir)
  measured = evaluate(
    model_dir,
    data_dir,
    os.path.join(run_dir, "predictions"),
    max_examples=max_eval_examples,
  )
  tokens = measured["target_tokens"]
  result = RunResult(
    row=recipe.name,
    seed=seed,
    supervised_f1=measured["supervised"],
    zeroshot_f1=measured["zeroshot"],
    invalid_labels=measured["invalid_labels"],
    ungrounded=measured["ungrounded"],
    target_tokens=statistics.fmean(tokens) if tokens else 0.0,
    targets_over_length=sum(1 for n in tokens if n > measured["target_length"]),
    prompts_cut=measured["prompts_cut"],
    examples=measured["lines"],
    train_seconds=train_seconds,
    left_out=tuple(measured["left_out"]),
  )
  with open(os.path.join(run_dir, "result.json"), "w", encoding="utf-8") as f:
    json.dump(dataclasses.asdict(result), f, indent=2)
    f.write("\n")
  return result


@dataclasses.dataclass(frozen=True)
class Spread:
  """Mean, min and max of a measure over seeds."""

  mean: float
  low: float
  high: float

  @property
  def width(self) -> float:
    return self.high - self.low


def summarize(
  results: Sequence[RunResult],
) -> dict[str, dict[str, Spread]]:
  """`{row: {measure: Spread}}` over the seeds of each row, rows in the
  order of their first result."""
  rows: dict[str, list[RunResult]] = {}
  for result in results:
    rows.setdefault(result.row, []).append(result)
  out = {}
  for row, runs in rows.items():
    out[row] = {}
    for field, _, _ in MEASURES:
      values = [float(getattr(r, field)) for r in runs]
      out[row][field] = Spread(
        statistics.fmean(values), min(values), max(values)
      )
  return out


def difference(a: Spread, b: Spread) -> float | None:
  """`b.mean - a.mean`, or None ("no difference") when it is smaller than
  the larger spread (max - min over seeds) of the two."""
  delta = b.mean - a.mean
  if abs(delta) < max(a.width, b.width) or delta == 0:
    return None
  return delta


def _cell(spread: Spread, fmt: str) -> str:
  if spread.width == 0:
    return fmt.format(spread.mean)
  return (
    f"{fmt.format(spread.mean)} ({fmt.format(spread.low)}–"
    f"{fmt.format(spread.high)})"
  )


def markdown(
  summary: Mapping[str, Mapping[str, Spread]], seeds: Sequence[int]
) -> str:
  """The rows as a Markdown table, then each row against the first."""
  headers = ["row", *(header for _, header, _ in MEASURES)]
  lines = [
    f"Mean (min–max) over seeds {', '.join(map(str, seeds))}.",
    "",
    "| " + " | ".join(headers) + " |",
    "|" + "---|" * len(headers),
  ]
  for row, measures in summary.items():
    cells = [_cell(measures[f], fmt) for f, _, fmt in MEASURES]
    lines.append(f"| {row} | " + " | ".join(cells) + " |")
  names = list(summary)
  if len(names) > 1:
    base = names[0]
    rule = (
      "a difference smaller than the larger spread over seeds is no difference"
      if len(seeds) > 1
      else "one seed, so no spread: only equal means are no difference"
    )
    lines += ["", f"Against {base} ({rule}):", ""]
    for row in names[1:]:
      parts = []
      for field in COMPARED:
        header = next(h for f, h, _ in MEASURES if f == field)
        delta = difference(summary[base][field], summary[row][field])
        text = "no difference" if delta is None else f"{delta:+.1f}"
        parts.append(f"{header} {text}")
      lines.append(f"- {row}: " + "; ".join(parts))
  return "\n".join(lines) + "\n"
