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

r"""The first real-data run: a small T5 from scratch for a wall-clock budget.

Usage:
  PYTHONPATH=. python benchmarks/real_data_run.py --data_dir=DIR \
    [--work_dir=/tmp/instructuie_real] [--budget_minutes=15] \
    [--eval_period=250] [--dev_cap=100] [--test_cap=0] [--vocab_size=2000] \
    [--mixture=ie_instructions_supervised] [--max_steps=1000000] [--seed=0] \
    [--gin_bindings=...] [--overwrite]

Steps:
1. The datasets of `{--mixture}_available` on disk under --data_dir are
   kept, the others left out and listed (the user holds part of the
   benchmark: ACE05, GENIA, ... are licensed).
2. `tools/train_vocab.py`: a BPE SentencePiece model of --vocab_size pieces
   on the train splits of the kept datasets, WORK_DIR/vocab.model (made
   once; --overwrite makes it again).
3. The examples to evaluate are counted: per task, the validation and test
   split sizes, the cap, and how many are longer than the evaluation lengths
   (384 input / 128 target tokens; seqio cuts those).
4. `python -m t5x.train` with gin/runs/real_data.gin into WORK_DIR/model:
   gin/models/cpu_small.gin from scratch on packed rows of every kept task
   (main and auxiliary), decoding the validation splits (the first --dev_cap
   examples of each, 0 for all) every --eval_period steps. Training stops by
   time, not by step count: at the first check (every 10 steps and after
   each evaluation) once --budget_minutes are spent, with a checkpoint
   (instructuie_t5x/time_budget.py; the budget counts loading, compiling and
   evaluations). --max_steps is an upper bound.
5. `python -m t5x.eval` with gin/runs/real_data_eval.gin on the last
   checkpoint: over the validation splits as in training when that step
   was not evaluated during training (WORK_DIR/final_dev), then over the
   test splits (the first --test_cap examples of each, 0 for all), into
   WORK_DIR/test.
6. `tools/score.py --mode=both` on the test predictions: the per-dataset
   tables, strict and in the original evaluator's conventions, into
   WORK_DIR/scores.

Prints the learning curve (step, seconds since t5x.train started, training
loss, then per dataset the strict F1 of its main task: NER `ner`, RE
`re_strict`, EE `ee_trigger_id`), and the accounting table: per task, the
examples evaluated against the split size or the cap, the examples cut, and
the training examples loaded and cut. Writes all of it to
WORK_DIR/summary.json. Exits with 1 when a count does not add up or the run
directory lacks `left_out_tasks.json`.

The model is trained anew on every run. The tool deletes or replaces only
what it made (recorded in WORK_DIR/.real_data_run.json, as
tools/run_local_tiny.py does); --overwrite also makes the vocabulary again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from absl import app, flags

from tools import cli, run_local_tiny

TOOL = "benchmarks.real_data_run"
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

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "data_dir",
    None,
    "IE INSTRUCTIONS data root (default: the data settings' "
    "ie_instructions_dir, e.g. $IE_INSTRUCTIONS_DIR).",
  )
  flags.DEFINE_string(
    "work_dir", "/tmp/instructuie_real", "Where vocabulary, model go."
  )
  flags.DEFINE_string(
    "mixture",
    "ie_instructions_supervised",
    "Mixture of tasks.mixtures; its _available part is trained.",
  )
  flags.DEFINE_float(
    "budget_minutes", 15.0, "Wall-clock budget of t5x.train, in minutes."
  )
  flags.DEFINE_integer(
    "max_steps", 1_000_000, "Upper bound on training steps (TRAIN_STEPS)."
  )
  flags.DEFINE_integer(
    "eval_period", 250, "Steps between evaluations (and checkpoints)."
  )
  flags.DEFINE_integer(
    "dev_cap", 100, "Validation examples per task per evaluation; 0: all."
  )
  flags.DEFINE_integer("test_cap", 0, "Test examples per task; 0: all.")
  flags.DEFINE_integer("vocab_size", 2000, "Pieces of the vocabulary.")
  flags.DEFINE_integer("seed", 0, "Seed of the vocabulary and of training.")
  flags.DEFINE_multi_string(
    "gin_bindings",
    [],
    "Extra gin bindings for t5x.train and t5x.eval, e.g. 'EMBED_DIM = 64'.",
  )
  flags.DEFINE_bool(
    "overwrite", False, "Make the vocabulary again (if this tool made it)."
  )


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
  from tools import score  # noqa: PLC0415

  curve = {}
  stop = train["stop"] or {}
  for eval_dir in eval_dirs:
    if not os.path.isdir(eval_dir):
      continue
    counts = evaluated_counts(eval_dir).values()
    for step in sorted({s for c in counts for s in c}):
      report = score.score(score.read_inference_dir(eval_dir, step), "strict")
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
  env: Mapping[str, str],
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
  run_local_tiny.run_logged(
    [
      sys.executable,
      "-m",
      "t5x.eval",
      f"--gin_search_paths={run_local_tiny.t5x_root()},"
      f"{run_local_tiny.REPO_ROOT}",
      f"--gin_file={EVAL_GIN}",
      f"--gin.CHECKPOINT_PATH='{checkpoint}'",
      f"--gin.EVAL_OUTPUT_DIR='{out_dir}'",
      *[f"--gin_bindings={b}" for b in bindings],
      "--alsologtostderr",
    ],
    env,
    log_path,
  )


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
  """All steps of the module docstring; returns the summary.

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
  outputs = run_local_tiny.Outputs(
    work_dir, tool=TOOL, manifest=MANIFEST, dirs=DIRS
  )
  outputs.check_removable(EVERY_RUN + (ON_OVERWRITE if overwrite else ()))
  vocab = outputs.path(VOCAB[0])

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

  outputs.remove(EVERY_RUN)
  if overwrite:
    outputs.remove(ON_OVERWRITE)
  env = run_local_tiny.subprocess_env()
  if not os.path.exists(vocab):
    print(f"[2/6] vocabulary, {vocab_size} pieces -> {vocab}", flush=True)
    outputs.check_removable(ON_OVERWRITE)
    for name in ON_OVERWRITE:
      outputs.claim(name)
    run_local_tiny.run_logged(
      [
        sys.executable,
        "-m",
        "tools.train_vocab",
        f"--data_dir={data_dir}",
        f"--output={vocab}",
        f"--vocab_size={vocab_size}",
        f"--seed={seed}",
        "--splits=train",
        f"--datasets={','.join(s.name for s in kept)}",
        "--overwrite",
      ],
      env,
      outputs.path("vocab.log"),
    )
  else:
    print(f"[2/6] vocabulary: using {vocab}", flush=True)

  tasks = eval_tasks(kept)
  print(
    f"[3/6] counting the validation and test examples of {len(tasks)} tasks",
    flush=True,
  )
  dev = split_accounting(tasks, "validation", cap_or_none(dev_cap))
  test = split_accounting(tasks, "test", cap_or_none(test_cap))

  shared = gin_settings(data_dir, vocab, vocab_size, mixture) + list(
    gin_bindings
  )
  model_dir = outputs.claim(MODEL)
  train_bindings = [
    f"TIME_BUDGET_SECONDS = {60 * budget_minutes:g}",
    f"EVALUATOR_NUM_EXAMPLES = {cap_or_none(dev_cap)}",
    *shared,
  ]
  load_before = os.getloadavg()
  print(
    f"[4/6] t5x.train for {budget_minutes:g} min (at most {max_steps} steps) "
    f"-> {model_dir} (log: {work_dir}/train.log); load average "
    f"{load_before[0]:.2f} on {os.cpu_count()} CPUs",
    flush=True,
  )
  start = time.monotonic()
  run_local_tiny.run_logged(
    run_local_tiny.train_command(
      model_dir,
      max_steps,
      eval_period,
      seed,
      train_bindings,
      gin_file=TRAIN_GIN,
    ),
    env,
    outputs.claim("train.log"),
    echo=echo_progress(start),
  )
  train_seconds = time.monotonic() - start
  load_after = os.getloadavg()
  train = read_train_log(outputs.path("train.log"))

  checkpoint = run_local_tiny.latest_checkpoint(model_dir)
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
      env,
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
    env,
    outputs.claim("test.log"),
  )

  print("[6/6] tools/score.py --mode=both on the test predictions", flush=True)
  test_eval_dir = os.path.join(test_dir, "inference_eval")
  done = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.score",
      f"--predictions={test_eval_dir}",
      f"--out_dir={outputs.claim(SCORES)}",
      "--mode=both",
    ],
    cwd=run_local_tiny.REPO_ROOT,
    env=env,
    check=False,
  )
  if done.returncode:
    raise RuntimeError(f"tools.score failed with exit code {done.returncode}")

  final_eval_dir = os.path.join(final_dev_dir, "inference_eval")
  curve = learning_curve([dev_eval_dir, final_eval_dir], train)
  print(
    "\nLearning curve (validation, first "
    f"{dev_cap or 'all'} examples per task; strict F1 x 100 of the main "
    "task; seconds since t5x.train started, at the end of each evaluation "
    "or at the stop):",
    flush=True,
  )
  print(curve_table(curve), end="", flush=True)

  rows, problems = account(
    dev,
    test,
    merge_counts(
      dev_counts,
      evaluated_counts(final_eval_dir) if os.path.isdir(final_eval_dir) else {},
    ),
    evaluated_counts(test_eval_dir),
    train,
  )
  print(
    "\nEvery example (evaluated/expected, split size; cut inputs/targets "
    f"beyond {EVAL_LENGTHS['inputs']}/{EVAL_LENGTHS['targets']} tokens):",
    flush=True,
  )
  print(accounting_table(rows), end="", flush=True)
  if train["empty"]:
    print(f"Training tasks without examples: {', '.join(train['empty'])}")

  left_out_path = os.path.join(model_dir, LEFT_OUT_FILE)
  recorded = {}
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
  print(
    f"\nLeft out ({len(left_out_datasets)} datasets, {len(left_out)} tasks), "
    f"listed in {left_out_path}: {', '.join(left_out_datasets)}"
  )

  scores_path = os.path.join(outputs.path(SCORES), "metrics.json")
  with open(scores_path, encoding="utf-8") as f:
    test_scores = json.load(f)
  summary = {
    "command": " ".join(sys.argv),
    "mixture": f"{mixture}_available",
    "kept_datasets": [s.name for s in kept],
    "left_out_datasets": left_out_datasets,
    "left_out_tasks": len(left_out),
    "budget_seconds": 60 * budget_minutes,
    "train_process_seconds": round(train_seconds, 1),
    "last_step": last,
    "budget_stop": train["stop"],
    "checkpoint": checkpoint,
    "cpus": os.cpu_count(),
    "load_average_before": load_before,
    "load_average_after": load_after,
    "eval_lengths": EVAL_LENGTHS,
    "dev_cap": cap_or_none(dev_cap),
    "test_cap": cap_or_none(test_cap),
    "curve": curve,
    "accounting": rows,
    "training_tasks_without_examples": train["empty"],
    "test_scores": test_scores["datasets"],
    "problems": problems,
  }
  with cli.atomic_write(outputs.claim(SUMMARY)) as f:
    json.dump(summary, f, indent=2)
    f.write("\n")
  print(
    f"Trained to step {last} in {train_seconds:.0f} s (t5x.train process) on "
    f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, "
    f"{load_after[0]:.2f} after.\nSummary: {outputs.path(SUMMARY)}",
    flush=True,
  )
  if problems:
    raise cli.UserError(
      f"{len(problems)} count(s) do not add up: {'; '.join(problems[:3])}"
    )
  return summary


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if run_local_tiny.t5x_root() is None:
    print(run_local_tiny.INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  from tasks import settings  # noqa: PLC0415

  try:
    run(
      FLAGS.data_dir or settings.resolve().ie_instructions_dir,
      FLAGS.work_dir,
      mixture=FLAGS.mixture,
      budget_minutes=FLAGS.budget_minutes,
      max_steps=FLAGS.max_steps,
      eval_period=FLAGS.eval_period,
      dev_cap=FLAGS.dev_cap,
      test_cap=FLAGS.test_cap,
      vocab_size=FLAGS.vocab_size,
      seed=FLAGS.seed,
      gin_bindings=FLAGS.gin_bindings,
      overwrite=FLAGS.overwrite,
    )
  except RuntimeError as e:
    cli.fail(e)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
