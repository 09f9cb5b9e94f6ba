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

"""The real-data run: a small T5 from scratch for a wall-clock budget.

What `tools/real_data_run.py` calls (`run`; its docstring lists the steps),
built on the steps of `instructuie_t5x/pipeline.py`: the datasets of
`{mixture}_available` on disk are kept (`select_datasets`), a vocabulary is
trained on their train splits (`make_vocab`), the examples to evaluate are
counted (`count_examples`), `python -m t5x.train` runs gin/runs/real_data.gin
until the budget is spent (`train`), `python -m t5x.eval` decodes the last
checkpoint (`evaluate`), and the test predictions are scored; `summarize`
reads the logs and the evaluation outputs back into the learning curve and
the accounting of every example, written to WORK_DIR/summary.json.

The run deletes or replaces only what it made (recorded in
WORK_DIR/.real_data_run.json, as `pipeline.Outputs` keeps it).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from instructuie_jax import cli, scoring
from instructuie_t5x import pipeline

TOOL = "tools.real_data_run"
MANIFEST = ".real_data_run.json"
MODEL, TEST, SCORES = "model", "test", "scores"
FINAL_DEV = "final_dev"  # Validation at the last step, when not evaluated.
VOCAB = ("vocab.model", "vocab.vocab")
SUMMARY = "summary.json"
DIRS = frozenset({MODEL, TEST, SCORES, FINAL_DEV})
# Replaced by every run, or (the vocabulary) by --overwrite.
EVERY_RUN = (
  MODEL,
  FINAL_DEV,
  TEST,
  SCORES,
  SUMMARY,
  "train.log",
  "final_dev.log",
  "test.log",
)
ON_OVERWRITE = (*VOCAB, "vocab.log")
TRAIN_GIN = "gin/runs/real_data.gin"
EVAL_GIN = "gin/runs/real_data_eval.gin"
# Evaluation lengths (both gin files; examples beyond them are counted).
EVAL_LENGTHS = {"inputs": 384, "targets": 128}
LEFT_OUT_FILE = "left_out_tasks.json"

# ------------------------------------------------------------------ checks


def check_values(values: Mapping[str, float]) -> None:
  """Raises cli.UsageError for a value out of range (names the flag)."""
  lower = {
    "budget_minutes": 0.0,
    "max_steps": 1,
    "eval_period": 1,
    "dev_cap": 0,
    "test_cap": 0,
    "vocab_size": 100,
  }
  for name, value in values.items():
    low = lower[name]
    if value < low or (name == "budget_minutes" and value <= 0):
      bound = "> 0" if name == "budget_minutes" else f">= {low}"
      raise cli.UsageError(f"--{name} must be {bound}, got {value}")


def cap_or_none(cap: int) -> int | None:
  return cap if cap > 0 else None


# ------------------------------------------------------------- the datasets


def kept_and_left_out(mixture: str) -> tuple[list[Any], dict[str, str]]:
  """The mixture's datasets on disk, and `{task: reason}` of those left out.

  Reads the disk (the data root of `tasks.settings`).
  """
  from tasks import mixtures  # noqa: PLC0415 (TF, seqio)

  specs, _ = mixtures.MIXTURES[mixture]
  missing = mixtures.missing_datasets(specs)
  kept = [s for s in specs if s not in missing]
  return kept, mixtures.left_out_tasks(mixture)


def eval_tasks(kept: Sequence[Any]) -> list[tuple[Any, str]]:
  """`(spec, task name)` of the main tasks of `kept` (those evaluated)."""
  from instructuie_jax import catalog  # noqa: PLC0415

  return [(s, catalog.task_name(t, s)) for s in kept for t in s.main_tasks]


def split_accounting(
  tasks: Sequence[tuple[Any, str]], split: str, cap: int | None
) -> dict[str, dict[str, int]]:
  """Per task: examples in `split`, how many are evaluated, how many cut.

  "expected" is the split size or the cap; "cut_inputs"/"cut_targets" count
  the expected examples longer than `EVAL_LENGTHS` (seqio cuts them).
  """
  import seqio  # noqa: PLC0415

  from tasks import lengths  # noqa: PLC0415

  out = {}
  for _, name in tasks:
    task = seqio.get_mixture_or_task(name)
    size = task.num_input_examples(split)
    raw = lengths.task_lengths(task, split, max_examples=cap)
    expected = size if cap is None else min(size, cap)
    if len(raw["inputs"]) != expected:
      raise RuntimeError(
        f"{name}/{split}: {len(raw['inputs'])} examples built from "
        f"{expected} instances"
      )
    out[name] = {
      "split_size": size,
      "expected": expected,
      "cut_inputs": int((raw["inputs"] > EVAL_LENGTHS["inputs"]).sum()),
      "cut_targets": int((raw["targets"] > EVAL_LENGTHS["targets"]).sum()),
    }
  return out


# ------------------------------------------------------------ reading logs

_LOADED = re.compile(
  r"indexed_mixture\.py:\d+\] \S+: (\S+), (\d+) examples, rate \S+, "
  r"(\d+) inputs and (\d+) targets cut"
)
_EMPTY = re.compile(r"indexed_mixture\.py:\d+\] \S+: (\S+) has no examples")
_BUDGET = re.compile(r"time budget: step (\d+), ([\d.]+) s of [\d.]+ s used")
_TRAIN_SUMMARY = re.compile(r"\[(\d+)\] collection=train .*\bloss=([\d.]+)")
_METRIC = re.compile(r"\] (\S+?)/(\S+?)/(\w+) at step (\d+): ([\d.]+)")
_TIME = re.compile(r"^[IWEF](\d{4}) (\d\d):(\d\d):(\d\d\.\d+) ")
_SHOWN_METRICS = ("ner_f1", "re_strict_f1", "ee_trigger_id_f1")


def log_seconds(line: str) -> float | None:
  """Seconds since the month began of an absl log line, or None."""
  m = _TIME.match(line)
  if not m:
    return None
  day = int(m[1][2:])
  return ((day * 24 + int(m[2])) * 60 + int(m[3])) * 60 + float(m[4])


def read_train_log(path: str) -> dict[str, Any]:
  """What a t5x.train log of gin/runs/real_data.gin tells.

  Returns:
    `loaded` ({task: examples, cut_inputs, cut_targets} of the packed
    stream), `empty` (training tasks without examples), `stop` (the budget
    stop: step and seconds, or None), `loss` ({step: loss}) and `eval_seconds`
    ({step: seconds at the end of its evaluation}); seconds count from the
    first line of the log.
  """
  loaded: dict[str, dict[str, int]] = {}
  empty: list[str] = []
  stop: dict[str, Any] | None = None
  loss: dict[int, float] = {}
  eval_seconds: dict[int, float] = {}
  first: float | None = None
  with open(path, encoding="utf-8", errors="replace") as f:
    for line in f:
      now = log_seconds(line)
      if now is None:
        continue
      first = now if first is None else first
      if m := _LOADED.search(line):
        loaded[m[1]] = {
          "examples": int(m[2]),
          "cut_inputs": int(m[3]),
          "cut_targets": int(m[4]),
        }
      elif m := _EMPTY.search(line):
        empty.append(m[1])
      elif m := _BUDGET.search(line):
        stop = stop or {"step": int(m[1]), "seconds": round(now - first, 1)}
      elif m := _TRAIN_SUMMARY.search(line):
        loss[int(m[1])] = float(m[2])
      elif m := _METRIC.search(line):
        eval_seconds[int(m[4])] = round(now - first, 1)
  return {
    "loaded": loaded,
    "empty": empty,
    "stop": stop,
    "loss": loss,
    "eval_seconds": eval_seconds,
  }


def echo_progress(start: float):
  """A `run_logged` echo: evaluations' main F1, the budget stop, losses
  (every 50 steps)."""

  def echo(line: str) -> str | None:
    seconds = f"{time.monotonic() - start:6.0f} s"
    if m := _BUDGET.search(line):
      return f"  {seconds}  step {m[1]}: budget spent ({float(m[2]):.0f} s)"
    if (m := _TRAIN_SUMMARY.search(line)) and int(m[1]) % 50 == 0:
      return f"  {seconds}  step {m[1]}: loss {float(m[2]):.3f}"
    if (m := _METRIC.search(line)) and m[3] in _SHOWN_METRICS:
      return f"  {seconds}  step {m[4]}: {m[2]} {m[3]} = {float(m[5]):.3f}"
    return None

  return echo


def jsonl_lines(path: str) -> int:
  with open(path, encoding="utf-8") as f:
    return sum(1 for line in f if line.strip())


def evaluated_counts(eval_dir: str) -> dict[str, dict[int, int]]:
  """`{task: {step: predictions written}}` of seqio JSON-logger files."""
  out: dict[str, dict[int, int]] = {}
  for name in sorted(os.listdir(eval_dir)):
    m = re.fullmatch(r"(.+)-(\d+)\.jsonl", name)
    if m:
      count = jsonl_lines(os.path.join(eval_dir, name))
      out.setdefault(m[1], {})[int(m[2])] = count
  return out


def main_metric(by_task: Mapping[str, Any]) -> tuple[str, str, float]:
  """(task type, metric, F1) of a dataset's main task: its first strict
  metric (NER `ner`, RE `re_strict`, EE `ee_trigger_id`)."""
  task = next(iter(by_task))
  name = next(n for n in by_task[task] if not n.startswith("original_"))
  numbers = by_task[task][name]
  return task, name, numbers.get("f1", numbers.get("accuracy", 0.0))


def learning_curve(
  eval_dirs: Sequence[str], train: Mapping[str, Any]
) -> list[dict[str, Any]]:
  """Per evaluated step: seconds, loss, and per dataset its main strict F1.

  Args:
    eval_dirs: seqio JSON-logger folders (training's, then the final
      evaluation's).
    train: `read_train_log`'s result. A step evaluated after training (the
      budget stop) gets the seconds of the stop.
  """

  curve = {}
  stop = train["stop"] or {}
  for eval_dir in eval_dirs:
    if not os.path.isdir(eval_dir):
      continue
    counts = evaluated_counts(eval_dir).values()
    for step in sorted({s for c in counts for s in c}):
      report = scoring.score(
        scoring.read_inference_dir(eval_dir, step), "strict"
      )
      losses = [s for s in train["loss"] if s <= step]
      seconds = train["eval_seconds"].get(step)
      if seconds is None and stop.get("step") == step:
        seconds = stop["seconds"]
      curve[step] = {
        "step": step,
        "seconds": seconds,
        "loss": train["loss"][max(losses)] if losses else None,
        "f1": {
          dataset: main_metric(by_task)[2]
          for dataset, by_task in sorted(
            report["datasets"].items(), key=lambda kv: kv[0].lower()
          )
        },
      }
  return [curve[s] for s in sorted(curve)]


def curve_table(curve: Sequence[Mapping[str, Any]]) -> str:
  """The learning curve as a fixed-width table (F1 x 100)."""
  if not curve:
    return "(no evaluation)\n"
  datasets = list(curve[0]["f1"])
  head = f"{'step':>6} {'seconds':>8} {'loss':>7} " + " ".join(
    f"{d[:12]:>12}" for d in datasets
  )
  lines = [head]
  for point in curve:
    seconds = point["seconds"]
    loss = point["loss"]
    lines.append(
      f"{point['step']:>6} "
      + (f"{seconds:>8.0f} " if seconds is not None else f"{'?':>8} ")
      + (f"{loss:>7.3f} " if loss is not None else f"{'?':>7} ")
      + " ".join(f"{100 * point['f1'].get(d, 0.0):>12.1f}" for d in datasets)
    )
  return "\n".join(lines) + "\n"


# --------------------------------------------------------------- accounting


def account(
  dev: Mapping[str, Mapping[str, int]],
  test: Mapping[str, Mapping[str, int]],
  dev_counts: Mapping[str, Mapping[int, int]],
  test_counts: Mapping[str, Mapping[int, int]],
  train: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], list[str]]:
  """Rows of the accounting table and the problems (counts that differ)."""
  rows, problems = [], []
  for name in sorted(dev):
    row: dict[str, Any] = {"task": name}
    for split, sizes, counts in (
      ("validation", dev, dev_counts),
      ("test", test, test_counts),
    ):
      expected = sizes[name]["expected"]
      by_step = counts.get(name, {})
      wrong = {s: n for s, n in by_step.items() if n != expected}
      if not by_step:
        problems.append(f"{name}/{split}: not evaluated")
      elif wrong:
        problems.append(
          f"{name}/{split}: {wrong} predictions at steps {sorted(wrong)}, "
          f"expected {expected}"
        )
      row[split] = {
        **sizes[name],
        "evaluated": by_step[max(by_step)] if by_step else 0,
        "evaluations": len(by_step),
      }
    rows.append(row)
  for name, loaded in sorted(train["loaded"].items()):
    rows.append({"task": name, "train": loaded})
  return rows, problems


def accounting_table(rows: Sequence[Mapping[str, Any]]) -> str:
  """Fixed-width: per task and split, evaluated, expected (the split size or
  the cap), split size and cut inputs/targets; then the training tasks."""
  lines = [
    f"{'':<31} {'validation':^33}   {'test':^33}",
    f"{'task':<31}"
    + f" {'eval':>6} {'exp':>6} {'size':>6} {'cut in':>6} {'out':>5}" * 2,
  ]
  for row in rows:
    if "validation" not in row:
      continue
    cells = "".join(
      f" {r['evaluated']:>6} {r['expected']:>6} {r['split_size']:>6}"
      f" {r['cut_inputs']:>6} {r['cut_targets']:>5}"
      for r in (row["validation"], row["test"])
    )
    lines.append(f"{row['task']:<31}{cells}")
  train_rows = [r for r in rows if "train" in r]
  if train_rows:
    lines.append("")
    lines.append(
      f"{'training task':<31} {'loaded':>6} {'cut in':>6} {'out':>5}"
    )
    for row in train_rows:
      t = row["train"]
      lines.append(
        f"{row['task']:<31} {t['examples']:>6} {t['cut_inputs']:>6}"
        f" {t['cut_targets']:>5}"
      )
  return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- run


def merge_counts(*parts: Mapping[str, Mapping[int, int]]) -> dict:
  """`evaluated_counts` of several folders as one `{task: {step: n}}`."""
  out: dict[str, dict[int, int]] = {}
  for part in parts:
    for task, by_step in part.items():
      out.setdefault(task, {}).update(by_step)
  return out


def t5x_eval(
  checkpoint: str,
  split: str,
  cap: int,
  out_dir: str,
  shared: Sequence[str],
  log_path: str,
) -> None:
  """`python -m t5x.eval` of gin/runs/real_data_eval.gin on one checkpoint.

  Raises:
    RuntimeError: it failed (the message names the log).
  """
  bindings = [
    f"EVAL_SPLIT = '{split}'",
    f"EVALUATOR_NUM_EXAMPLES = {cap_or_none(cap)}",
    *shared,
  ]
  pipeline.evaluate(checkpoint, EVAL_GIN, out_dir, bindings, log_path)


def gin_settings(
  data_dir: str, vocab: str, vocab_size: int, mixture: str
) -> list[str]:
  """Bindings shared by t5x.train and t5x.eval: data, vocabulary, mixture.

  The model's VOCAB_SIZE is `vocab_size` rounded up to a multiple of 128.
  """
  lengths = ", ".join(f"'{k}': {v}" for k, v in EVAL_LENGTHS.items())
  return [
    f"data_settings.ie_instructions_dir = '{data_dir}'",
    f"data_settings.vocab = '{vocab}'",
    f"VOCAB_SIZE = {-(-vocab_size // 128) * 128}",
    f"MIXTURE_OR_TASK_NAME = '{mixture}_available'",
    f"TASK_FEATURE_LENGTHS = {{{lengths}}}",
  ]


# -------------------------------------------------------------- the steps


@dataclasses.dataclass(frozen=True)
class Datasets:
  """What step 1 found: the datasets kept and the tasks left out.

  Attributes:
    kept: The catalog specs of the datasets on disk.
    left_out: `{task: reason}` of the tasks left out.
    left_out_datasets: The names of the datasets left out, sorted.
  """

  kept: list[Any]
  left_out: dict[str, str]
  left_out_datasets: list[str]


def select_datasets(data_dir: str, vocab: str, mixture: str) -> Datasets:
  """Step 1: the datasets of `{mixture}_available` under `data_dir`.

  Configures `tasks.settings` (data root, vocabulary) for this process.

  Raises:
    cli.UsageError: an unknown mixture.
    cli.UserError: no dataset of the mixture is there.
  """
  from tasks import mixtures, settings  # noqa: PLC0415 (TF, seqio)

  if mixture not in mixtures.MIXTURES:
    raise cli.UsageError(
      f"--mixture: unknown mixture {mixture!r}; known: "
      f"{', '.join(mixtures.MIXTURES)}"
    )
  settings.configure(ie_instructions_dir=data_dir, vocab=vocab)
  kept, left_out = kept_and_left_out(mixture)
  if not kept:
    raise cli.UserError(
      f"{data_dir}: no dataset of {mixture} is there, e.g. "
      f"{next(iter(left_out.values()), '')}"
    )
  left_out_datasets = sorted(
    {m.group(1) for r in left_out.values() if (m := re.search(r"'(.+?)'", r))}
  )
  print(
    f"[1/6] {mixture}_available: {len(kept)} datasets kept "
    f"({', '.join(s.name for s in kept)}); {len(left_out_datasets)} left out "
    f"({len(left_out)} tasks, no data): {', '.join(left_out_datasets)}",
    flush=True,
  )
  return Datasets(kept, left_out, left_out_datasets)


def make_vocab(
  data_dir: str,
  vocab: str,
  kept: Sequence[Any],
  vocab_size: int,
  seed: int,
  outputs: pipeline.Outputs,
) -> None:
  """Step 2: the vocabulary on the train splits of `kept`, unless present.

  Raises:
    cli.UserError: a vocabulary file in the way that the tool did not make.
    RuntimeError: training the vocabulary failed.
  """
  if os.path.exists(vocab):
    print(f"[2/6] vocabulary: using {vocab}", flush=True)
    return
  print(f"[2/6] vocabulary, {vocab_size} pieces -> {vocab}", flush=True)
  pipeline.make_vocab(
    pipeline.vocab_command(
      data_dir,
      vocab,
      [s.name for s in kept],
      [f"--vocab_size={vocab_size}", f"--seed={seed}"],
    ),
    outputs,
    ON_OVERWRITE,
  )


def count_examples(
  kept: Sequence[Any], dev_cap: int, test_cap: int
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
  """Step 3: `split_accounting` of the validation and the test splits."""
  tasks = eval_tasks(kept)
  print(
    f"[3/6] counting the validation and test examples of {len(tasks)} tasks",
    flush=True,
  )
  dev = split_accounting(tasks, "validation", cap_or_none(dev_cap))
  test = split_accounting(tasks, "test", cap_or_none(test_cap))
  return dev, test


@dataclasses.dataclass(frozen=True)
class Training:
  """What step 4 did.

  Attributes:
    model_dir: The T5X model folder.
    seconds: Wall-clock seconds of the t5x.train process.
    load_before: `os.getloadavg()` before training.
    load_after: `os.getloadavg()` after training.
    log: `read_train_log` of its log.
  """

  model_dir: str
  seconds: float
  load_before: tuple[float, float, float]
  load_after: tuple[float, float, float]
  log: dict[str, Any]


def train(
  outputs: pipeline.Outputs,
  shared: Sequence[str],
  *,
  budget_minutes: float,
  max_steps: int,
  eval_period: int,
  dev_cap: int,
  seed: int,
) -> Training:
  """Step 4: `python -m t5x.train` of gin/runs/real_data.gin for the budget.

  Raises:
    RuntimeError: training failed (the message names the log).
  """
  model_dir = outputs.claim(MODEL)
  train_bindings = [
    f"TIME_BUDGET_SECONDS = {60 * budget_minutes:g}",
    f"EVALUATOR_NUM_EXAMPLES = {cap_or_none(dev_cap)}",
    *shared,
  ]
  load_before = os.getloadavg()
  print(
    f"[4/6] t5x.train for {budget_minutes:g} min (at most {max_steps} steps) "
    f"-> {model_dir} (log: {outputs.work_dir}/train.log); load average "
    f"{load_before[0]:.2f} on {os.cpu_count()} CPUs",
    flush=True,
  )
  start = time.monotonic()
  pipeline.train(
    pipeline.train_command(
      model_dir,
      max_steps,
      eval_period,
      seed,
      train_bindings,
      gin_file=TRAIN_GIN,
    ),
    outputs.claim("train.log"),
    echo=echo_progress(start),
  )
  train_seconds = time.monotonic() - start
  load_after = os.getloadavg()
  return Training(
    model_dir,
    train_seconds,
    load_before,
    load_after,
    read_train_log(outputs.path("train.log")),
  )


@dataclasses.dataclass(frozen=True)
class Evaluation:
  """What step 5 did.

  Attributes:
    checkpoint: The checkpoint evaluated (the last).
    last: Its step.
    dev_eval_dirs: The seqio JSON-logger folders of the validation splits:
      training's, then the final evaluation's (which may not exist).
    test_eval_dir: That of the test splits.
    dev_counts: `evaluated_counts` of the validation folders, merged.
    test_counts: `evaluated_counts` of the test folder.
  """

  checkpoint: str
  last: int
  dev_eval_dirs: tuple[str, str]
  test_eval_dir: str
  dev_counts: dict[str, dict[int, int]]
  test_counts: dict[str, dict[int, int]]


def evaluate(
  outputs: pipeline.Outputs,
  model_dir: str,
  shared: Sequence[str],
  dev_cap: int,
  test_cap: int,
) -> Evaluation:
  """Step 5: `python -m t5x.eval` on the last checkpoint.

  Decodes the validation splits when training did not evaluate that step,
  then the test splits.

  Raises:
    RuntimeError: an evaluation failed (the message names the log).
  """
  work_dir = outputs.work_dir
  checkpoint = pipeline.latest_checkpoint(model_dir)
  last = int(os.path.basename(checkpoint).split("_")[-1])
  dev_eval_dir = os.path.join(model_dir, "inference_eval")
  dev_counts = evaluated_counts(dev_eval_dir)
  final_dev_dir = outputs.path(FINAL_DEV)
  if not any(last in c for c in dev_counts.values()):
    print(
      f"[5/6] t5x.eval on the validation splits with checkpoint_{last} "
      f"(log: {work_dir}/final_dev.log)",
      flush=True,
    )
    t5x_eval(
      checkpoint,
      "validation",
      dev_cap,
      outputs.claim(FINAL_DEV),
      shared,
      outputs.claim("final_dev.log"),
    )
  test_dir = outputs.claim(TEST)
  print(
    f"[5/6] t5x.eval on the test splits with checkpoint_{last} "
    f"(log: {work_dir}/test.log)",
    flush=True,
  )
  t5x_eval(
    checkpoint,
    "test",
    test_cap,
    test_dir,
    shared,
    outputs.claim("test.log"),
  )
  final_eval_dir = os.path.join(final_dev_dir, "inference_eval")
  test_eval_dir = os.path.join(test_dir, "inference_eval")
  return Evaluation(
    checkpoint=checkpoint,
    last=last,
    dev_eval_dirs=(dev_eval_dir, final_eval_dir),
    test_eval_dir=test_eval_dir,
    dev_counts=merge_counts(
      dev_counts,
      evaluated_counts(final_eval_dir) if os.path.isdir(final_eval_dir) else {},
    ),
    test_counts=evaluated_counts(test_eval_dir),
  )


def left_out_problems(
  model_dir: str, mixture: str, left_out: Mapping[str, str]
) -> tuple[str, list[str]]:
  """(path, problems) of the run's record of the tasks left out."""
  left_out_path = os.path.join(model_dir, LEFT_OUT_FILE)
  problems = []
  if not os.path.isfile(left_out_path):
    problems.append(f"{left_out_path}: missing")
  else:
    with open(left_out_path, encoding="utf-8") as f:
      recorded = json.load(f).get(f"{mixture}_available", {})
    if set(recorded.get("left_out", {})) != set(left_out):
      problems.append(
        f"{left_out_path}: lists {len(recorded.get('left_out', {}))} tasks "
        f"left out, expected {len(left_out)}"
      )
  return left_out_path, problems


def summarize(
  *,
  mixture: str,
  datasets: Datasets,
  dev: Mapping[str, Mapping[str, int]],
  test: Mapping[str, Mapping[str, int]],
  training: Training,
  evaluation: Evaluation,
  scores_path: str,
  budget_minutes: float,
  dev_cap: int,
  test_cap: int,
) -> dict[str, Any]:
  """Prints the learning curve and the accounting; returns the summary.

  The summary's `problems` lists the counts that do not add up.
  """
  train = training.log
  curve = learning_curve(evaluation.dev_eval_dirs, train)
  print(
    "\nLearning curve (validation, first "
    f"{dev_cap or 'all'} examples per task; strict F1 x 100 of the main "
    "task; seconds since t5x.train started, at the end of each evaluation "
    "or at the stop):",
    flush=True,
  )
  print(curve_table(curve), end="", flush=True)

  rows, problems = account(
    dev, test, evaluation.dev_counts, evaluation.test_counts, train
  )
  print(
    "\nEvery example (evaluated/expected, split size; cut inputs/targets "
    f"beyond {EVAL_LENGTHS['inputs']}/{EVAL_LENGTHS['targets']} tokens):",
    flush=True,
  )
  print(accounting_table(rows), end="", flush=True)
  if train["empty"]:
    print(f"Training tasks without examples: {', '.join(train['empty'])}")

  left_out_path, more = left_out_problems(
    training.model_dir, mixture, datasets.left_out
  )
  problems += more
  print(
    f"\nLeft out ({len(datasets.left_out_datasets)} datasets, "
    f"{len(datasets.left_out)} tasks), listed in {left_out_path}: "
    f"{', '.join(datasets.left_out_datasets)}"
  )

  with open(scores_path, encoding="utf-8") as f:
    test_scores = json.load(f)
  return {
    "command": " ".join(sys.argv),
    "mixture": f"{mixture}_available",
    "kept_datasets": [s.name for s in datasets.kept],
    "left_out_datasets": datasets.left_out_datasets,
    "left_out_tasks": len(datasets.left_out),
    "budget_seconds": 60 * budget_minutes,
    "train_process_seconds": round(training.seconds, 1),
    "last_step": evaluation.last,
    "budget_stop": train["stop"],
    "checkpoint": evaluation.checkpoint,
    "cpus": os.cpu_count(),
    "load_average_before": training.load_before,
    "load_average_after": training.load_after,
    "eval_lengths": EVAL_LENGTHS,
    "dev_cap": cap_or_none(dev_cap),
    "test_cap": cap_or_none(test_cap),
    "curve": curve,
    "accounting": rows,
    "training_tasks_without_examples": train["empty"],
    "test_scores": test_scores["datasets"],
    "problems": problems,
  }


# ---------------------------------------------------------------------- run


def run(
  data_dir: str,
  work_dir: str,
  *,
  mixture: str = "ie_instructions_supervised",
  budget_minutes: float = 15.0,
  max_steps: int = 1_000_000,
  eval_period: int = 250,
  dev_cap: int = 100,
  test_cap: int = 0,
  vocab_size: int = 2000,
  seed: int = 0,
  gin_bindings: Sequence[str] = (),
  overwrite: bool = False,
) -> dict[str, Any]:
  """All steps (see tools/real_data_run.py); returns the summary.

  Raises:
    cli.UsageError: a value out of range or an unknown mixture.
    cli.UserError: no data, a path in the way that the tool did not make,
      counts that do not add up.
    OSError: the work dir cannot be written.
    RuntimeError: a step failed (the message names its log).
  """
  check_values(
    {
      "budget_minutes": budget_minutes,
      "max_steps": max_steps,
      "eval_period": eval_period,
      "dev_cap": dev_cap,
      "test_cap": test_cap,
      "vocab_size": vocab_size,
    }
  )
  if not data_dir:
    raise cli.UsageError("--data_dir is required (or set IE_INSTRUCTIONS_DIR)")
  if not os.path.isdir(data_dir):
    raise cli.UserError(f"{data_dir}: --data_dir is not a directory")
  data_dir, work_dir = os.path.abspath(data_dir), os.path.abspath(work_dir)
  cli.check_output_dir(work_dir)
  os.makedirs(work_dir, exist_ok=True)
  outputs = pipeline.Outputs(work_dir, tool=TOOL, manifest=MANIFEST, dirs=DIRS)
  outputs.check_removable(EVERY_RUN + (ON_OVERWRITE if overwrite else ()))
  vocab = outputs.path(VOCAB[0])
  datasets = select_datasets(data_dir, vocab, mixture)

  outputs.remove(EVERY_RUN)
  if overwrite:
    outputs.remove(ON_OVERWRITE)
  make_vocab(data_dir, vocab, datasets.kept, vocab_size, seed, outputs)
  dev, test = count_examples(datasets.kept, dev_cap, test_cap)
  shared = gin_settings(data_dir, vocab, vocab_size, mixture) + list(
    gin_bindings
  )
  training = train(
    outputs,
    shared,
    budget_minutes=budget_minutes,
    max_steps=max_steps,
    eval_period=eval_period,
    dev_cap=dev_cap,
    seed=seed,
  )
  evaluation = evaluate(outputs, training.model_dir, shared, dev_cap, test_cap)

  print("[6/6] tools/score.py --mode=both on the test predictions", flush=True)
  pipeline.score(evaluation.test_eval_dir, outputs.claim(SCORES))

  summary = summarize(
    mixture=mixture,
    datasets=datasets,
    dev=dev,
    test=test,
    training=training,
    evaluation=evaluation,
    scores_path=os.path.join(outputs.path(SCORES), "metrics.json"),
    budget_minutes=budget_minutes,
    dev_cap=dev_cap,
    test_cap=test_cap,
  )
  with cli.atomic_write(outputs.claim(SUMMARY)) as f:
    json.dump(summary, f, indent=2)
    f.write("\n")
  print(
    f"Trained to step {evaluation.last} in {training.seconds:.0f} s "
    f"(t5x.train process) on {os.cpu_count()} CPUs; load average "
    f"{training.load_before[0]:.2f} before, {training.load_after[0]:.2f} "
    f"after.\nSummary: {outputs.path(SUMMARY)}",
    flush=True,
  )
  problems = summary["problems"]
  if problems:
    raise cli.UserError(
      f"{len(problems)} count(s) do not add up: {'; '.join(problems[:3])}"
    )
  return summary
