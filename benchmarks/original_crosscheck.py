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

r"""Compares `original_metrics` with the original evaluator on random texts.

Usage:
  python benchmarks/original_crosscheck.py \
    --original_git_dir=/path/to/BeyonderXX+InstructUIE/repo [--cases=3000]

Generates small random datasets of noisy target/prediction texts per task
type (odd spacing, punctuation runs, braces, case, `None`, `NA`, unbalanced
parentheses), scores each with both implementations and reports every
dataset whose numbers differ. Exits non-zero on a difference.
"""

from __future__ import annotations

from absl import flags

from benchmarks import original_evaluator
from instructuie_jax import cli, original_metrics, rng, task_types

_GIT_DIR = flags.DEFINE_string(
  "original_git_dir",
  None,
  "Bare git directory of BeyonderXX/InstructUIE "
  f"(default: ${original_evaluator.ENV_VAR}).",
)
_CASES = flags.DEFINE_integer(
  "cases", 3000, "Random datasets per task type.", lower_bound=1
)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the random texts.")

_WORDS = (
  "Ada",
  "new  york",
  "Location",
  "u . s .",
  "it ' s",
  "it’s",
  "NA",
  "na",
  "None",
  "{x}",
  "a-b",
  "e_f",
  "arguments:",
  "trigger",
  "word",
)
_GLUE = (
  ": ",
  " : ",
  ", ",
  ",,",
  " , ",
  "; ",
  ";;",
  " ; ",
  " ",
  "  ",
  "\t",
  "(",
  ")",
  " ( ",
  " ) ",
  "..",
  ",na,",
  "",
)


def _random_text(r) -> str:
  if r.random() < 0.15:
    return r.choice((" None", "None", "", "  ", "NA", " ( None )"))
  parts = []
  for _ in range(r.randint(1, 8)):
    parts.append(r.choice(_WORDS))
    parts.append(r.choice(_GLUE))
  return "".join(parts)


def _typed_text(name, r, n: int) -> str:
  return " " + "; ".join(f"{name()}: {name()}" for _ in range(n))


def _relations_text(name, r, n: int) -> str:
  return " " + "; ".join(f"{name()}: {name()}, {name()}" for _ in range(n))


def _arguments_text(name, r, n: int) -> str:
  return " " + ";".join(f" {name()}: {name()}" for _ in range(n))


def _events_text(name, r, n: int) -> str:
  events = []
  for _ in range(n):
    args = ",".join(f" {name()}: {name()}" for _ in range(r.randint(0, 2)))
    events.append(f" ( {name()}: {name()}, {args or 'None'}) ")
  return ",".join(events)


# `n` items of the original target text, per task type the original scores.
_STRUCTURED = {
  task_types.NER: _typed_text,
  task_types.EET: _typed_text,
  task_types.RE: _relations_text,
  task_types.EEA: _arguments_text,
  task_types.EE: _events_text,
}


def _structured_text(r, task: str) -> str:
  def name():
    return r.choice(_WORDS)

  n = r.randint(0, 3)
  if n == 0:
    return " None"
  return _STRUCTURED[task_types.get(task)](name, r, n)


def _text(r, task: str) -> str:
  return _random_text(r) if r.random() < 0.5 else _structured_text(r, task)


def crosscheck(module, task: str, cases: int, seed: int) -> list[str]:
  """Returns a description of every random dataset scored differently."""
  differences = []
  ours_name = original_metrics.metric_name(task)
  for case in range(cases):
    r = rng.example_rng(seed, "crosscheck", task, case)
    targets, predictions = [], []
    for _ in range(r.randint(1, 4)):
      target = _text(r, task)
      targets.append(target)
      predictions.append(target if r.random() < 0.2 else _text(r, task))
    theirs = original_evaluator.score(module, task, targets, predictions)
    scores = original_metrics.original_score(task, targets, predictions)
    key = "_accuracy" if ours_name + "_accuracy" in scores else "_f1"
    ours = scores[ours_name + key]
    if abs(ours - theirs) > 1e-12:
      differences.append(
        f"{task} case {case}: ours {ours!r} original {theirs!r}\n"
        f"  targets={targets!r}\n  predictions={predictions!r}"
      )
  return differences


def main(argv):
  if len(argv) > 1:
    raise cli.UsageError(f"Unexpected arguments: {argv[1:]}")
  git_dir = original_evaluator.git_dir_from(_GIT_DIR.value)
  if not git_dir:
    raise cli.UsageError(
      f"Pass --original_git_dir or set ${original_evaluator.ENV_VAR}."
    )
  try:
    module = original_evaluator.load(git_dir)
  except original_evaluator.Unavailable as e:
    raise cli.UserError(str(e)) from None
  failed = 0
  for task in original_metrics.ORIGINAL_TASKS:
    differences = crosscheck(module, task, _CASES.value, _SEED.value)
    print(f"{task}: {_CASES.value} datasets, {len(differences)} differ")
    for d in differences[:5]:
      print(d)
    failed += len(differences)
  return 1 if failed else 0


if __name__ == "__main__":
  cli.run(main)
