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

r"""Times strict scoring (parse target and prediction + count) on one core.

Usage:
  PYTHONPATH=$PWD python benchmarks/scoring_speed.py [--num=1000000] \
    [--original_num=20000] [--original_git_dir=DIR]
  PYTHONPATH=$PWD python benchmarks/scoring_speed.py --num=300000 \
    --baseline_format=OLD_instructuie.py [--repeats=3]

Generates `--num` synthetic NER/RE/EE examples (50/30/20 %) deterministically:
gold records written with the "instructuie" format, and a prediction that
equals the target with probability `--same_prob`, else is the gold with
records dropped, retyped, added, duplicated, or " None". Prints a table of
predictions per second for our strict scoring, our `original` mode, and, when
the original repository is given (flag or $INSTRUCTUIE_ORIGINAL_GIT_DIR), the
original evaluator on the first `--original_num` examples of each task.

With `--baseline_format` (a copy of `instructuie_jax/formats/instructuie.py`
from another commit, e.g. `git show REV:instructuie_jax/formats/instructuie.py
> /tmp/old.py`), it instead times strict scoring with that parser and with
the current one, alternating, `--repeats` times each, and prints the least
CPU time of each: a comparison that a busy machine disturbs less than two
separate runs.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import time

from absl import flags

from benchmarks import original_evaluator
from instructuie_jax import (
  cli,
  formats,
  metrics,
  original_metrics,
  rng,
  task_types,
)
from instructuie_jax.records import Argument, Entity, Event, Relation

_NUM = flags.DEFINE_integer(
  "num", 1_000_000, "Synthetic predictions.", lower_bound=1
)
_SAME_PROB = flags.DEFINE_float(
  "same_prob",
  0.5,
  "Probability that a prediction equals its target.",
  lower_bound=0.0,
  upper_bound=1.0,
)
_ORIGINAL_NUM = flags.DEFINE_integer(
  "original_num",
  20_000,
  "Examples per task for the original evaluator.",
  lower_bound=1,
)
_GIT_DIR = flags.DEFINE_string(
  "original_git_dir",
  None,
  "Bare git directory of BeyonderXX/InstructUIE "
  f"(default: ${original_evaluator.ENV_VAR}); empty: skip the original.",
)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the synthetic data.")
_BASELINE = flags.DEFINE_string(
  "baseline_format",
  None,
  "A format module file to compare with the current parser (see above).",
)
_REPEATS = flags.DEFINE_integer(
  "repeats", 3, "Alternating runs of each parser to compare.", lower_bound=1
)
BASELINE = "baseline"

_SHARES = (("NER", 0.5), ("RE", 0.3), ("EE", 0.2))
_TYPES = tuple(f"type{i}" for i in range(12))
_RELATIONS = tuple(f"relation {i}" for i in range(10))
_EVENTS = tuple(f"event{i}" for i in range(8))
_ROLES = tuple(f"role{i}" for i in range(6))
_CHUNK = 1000


def _name(r) -> str:
  return " ".join(f"w{r.randrange(20000)}" for _ in range(r.randint(1, 3)))


def _entities(r, n: int):
  return tuple(Entity(r.choice(_TYPES), _name(r)) for _ in range(n))


def _relations(r, n: int):
  return tuple(
    Relation(_name(r), r.choice(_RELATIONS), _name(r)) for _ in range(n)
  )


def _events(r, n: int):
  return tuple(
    Event(
      r.choice(_EVENTS),
      _name(r),
      tuple(
        Argument(r.choice(_ROLES), _name(r)) for _ in range(r.randint(0, 3))
      ),
    )
    for _ in range(min(n, 2))
  )


# Per task type of `_SHARES`: `n` random gold records, and one record
# given another label.
_GOLD = {
  task_types.NER: _entities,
  task_types.RE: _relations,
  task_types.EE: _events,
}
_RETYPE = {
  task_types.NER: lambda r, x: x._replace(type=r.choice(_TYPES)),
  task_types.RE: lambda r, x: x._replace(relation=r.choice(_RELATIONS)),
  task_types.EE: lambda r, x: x._replace(type=r.choice(_EVENTS)),
}


def _gold(r, task: str):
  n = r.choice((0, 1, 1, 2, 2, 3, 4))
  return _GOLD[task_types.get(task)](r, n)


def _perturb(r, task: str, gold):
  pred = list(gold)
  action = r.randrange(5)
  if action == 0 and pred:
    pred.pop(r.randrange(len(pred)))
  elif action == 1 and pred:
    i = r.randrange(len(pred))
    pred[i] = _RETYPE[task_types.get(task)](r, pred[i])
  elif action == 2:
    pred.extend(_gold(r, task)[:1])
  elif action == 3 and pred:
    pred.append(pred[0])
  else:
    pred = []
  return tuple(pred)


def synthetic(num: int, seed: int, same_prob: float):
  """Task -> (targets, predictions), `num` examples in all, deterministic."""
  fmt = formats.get("instructuie")
  data = {}
  for k, (task, share) in enumerate(_SHARES):
    # The last task takes what the shares' rounding leaves.
    count = (
      int(num * share)
      if k < len(_SHARES) - 1
      else num - sum(int(num * s) for _, s in _SHARES[:-1])
    )
    targets, predictions = [], []
    for start in range(0, count, _CHUNK):
      r = rng.example_rng(seed, "scoring_speed", task, start)
      for _ in range(min(_CHUNK, count - start)):
        gold = _gold(r, task)
        target = fmt.linearize(task, gold)
        targets.append(target)
        if r.random() < same_prob:
          predictions.append(target)
        else:
          predictions.append(fmt.linearize(task, _perturb(r, task, gold)))
    data[task] = (targets, predictions)
  return data


def _time(fn, *args) -> tuple[float, float]:
  """(CPU seconds, wall seconds) of `fn(*args)`.

  CPU time is what the table rates: it does not count time the process
  waited for a core shared with other processes.
  """
  cpu, wall = time.process_time(), time.perf_counter()
  fn(*args)
  return time.process_time() - cpu, time.perf_counter() - wall


def _add(a: tuple[float, float], b: tuple[float, float]):
  return a[0] + b[0], a[1] + b[1]


def _time_tasks(fn, data, *args) -> tuple[float, float]:
  """Summed `_time` of `fn(*args, task, targets, predictions)` per task."""
  return functools.reduce(
    _add, (_time(fn, *args, task, t, p) for task, (t, p) in data.items())
  )


def _row(name: str, n: int, seconds: tuple[float, float]) -> str:
  cpu, wall = seconds
  rate = n / cpu if cpu else float("inf")
  return f"| {name} | {n:,} | {cpu:.2f} | {wall:.2f} | {rate:,.0f} |"


def run(num: int, seed: int, same_prob: float, original_num: int, original):
  """Runs the benchmark; returns the table lines.

  `original` is the module of `original_evaluator.load`, or None.
  """
  rows = [
    "| scorer | predictions | CPU s | wall s | predictions/s (CPU) |",
    "|---|---:|---:|---:|---:|",
  ]
  data = synthetic(num, seed, same_prob)
  total = (0.0, 0.0)
  for task, (targets, predictions) in data.items():
    seconds = _time(metrics.tally_texts, task, targets, predictions)
    rows.append(_row(f"strict {task}", len(targets), seconds))
    total = _add(total, seconds)
  rows.append(_row("**strict, all tasks**", num, total))

  different = synthetic(min(num, 200_000), seed + 1, 0.0)
  n = sum(len(t) for t, _ in different.values())
  seconds = _time_tasks(metrics.tally_texts, different)
  rows.append(_row("strict, no prediction equals its target", n, seconds))

  subset = {
    task: (t[:original_num], p[:original_num]) for task, (t, p) in data.items()
  }
  n = sum(len(t) for t, _ in subset.values())
  seconds = _time_tasks(original_metrics.original_tally, subset)
  rows.append(_row("original mode (this repo)", n, seconds))
  if original is not None:
    seconds = _time_tasks(original_evaluator.score, subset, original)
    rows.append(_row("original InstructUIE evaluator", n, seconds))
  return rows


def load_baseline(path: str) -> None:
  """Imports the format module file `path`; registers it as `BASELINE`.

  Raises:
    FileNotFoundError: No file at `path`.
  """
  if not os.path.isfile(path):
    raise FileNotFoundError(f"{path}: no such file")
  register = formats.register
  formats.register = lambda name, factory: register(BASELINE, factory)
  try:
    spec = importlib.util.spec_from_file_location("baseline_format", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
  finally:
    formats.register = register


def compare(num: int, seed: int, same_prob: float, repeats: int) -> list[str]:
  """Strict scoring with `BASELINE` and the current parser; table lines.

  Each parser scores the data `repeats` times, alternating; a row gives the
  least CPU time of each. Raises AssertionError if their counts differ.
  """
  data = {
    f"same_prob={same_prob}": synthetic(num, seed, same_prob),
    "no prediction equals its target": synthetic(num, seed + 1, 0.0),
  }
  fmts = (BASELINE, "instructuie")
  best: dict[tuple[str, str, str], float] = {}
  for _ in range(repeats):
    for fmt in fmts:
      for name, by_task in data.items():
        for task, (t, p) in by_task.items():
          cpu, _ = _time(metrics.tally_texts, task, t, p, fmt)
          key = (fmt, name, task)
          best[key] = min(best.get(key, cpu), cpu)
  for by_task in data.values():
    for task, (t, p) in by_task.items():
      old, new = (metrics.tally_texts(task, t, p, fmt) for fmt in fmts)
      assert old.counts == new.counts, task
      assert old.bad_predictions == new.bad_predictions, task
  rows = [
    "| data | task | baseline /s | current /s | current / baseline |",
    "|---|---|---:|---:|---:|",
  ]
  for name, by_task in data.items():
    tasks = list(by_task) + ["all"]
    for task in tasks:
      keys = list(by_task) if task == "all" else [task]
      n = sum(len(by_task[k][0]) for k in keys)
      old = n / sum(best[(BASELINE, name, k)] for k in keys)
      new = n / sum(best[("instructuie", name, k)] for k in keys)
      rows.append(
        f"| {name} | {task} | {old:,.0f} | {new:,.0f} | {new / old:.2f} |"
      )
  rows.append(f"(least CPU time of {repeats} alternating runs; same counts)")
  return rows


def main(argv):
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {argv[1:]}")
  if _BASELINE.value:
    try:
      load_baseline(_BASELINE.value)
    except FileNotFoundError as e:
      raise cli.UserError(str(e)) from None
    rows = compare(_NUM.value, _SEED.value, _SAME_PROB.value, _REPEATS.value)
    print("\n".join(rows))
    return
  git_dir = original_evaluator.git_dir_from(_GIT_DIR.value)
  original = None
  if git_dir:
    try:
      original = original_evaluator.load(git_dir)
    except original_evaluator.Unavailable as e:
      raise cli.UserError(str(e)) from None
  rows = run(
    _NUM.value, _SEED.value, _SAME_PROB.value, _ORIGINAL_NUM.value, original
  )
  print("\n".join(rows))


if __name__ == "__main__":
  cli.run(main)
