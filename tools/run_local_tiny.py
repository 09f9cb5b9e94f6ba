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

r"""Trains and evaluates the tiny T5 end to end on a CPU in a few minutes.

Usage:
  python -m tools.run_local_tiny [--work_dir=/tmp/instructuie_tiny] \
    [--train_steps=1500] [--eval_period=500] [--seed=0] [--overwrite]

Steps:
1. `tools/make_tiny_data.py`: synthetic NER data under WORK_DIR/data.
2. `tools/train_vocab.py`: an ~800-piece SentencePiece model,
   WORK_DIR/vocab.model.
3. `python -m t5x.train` with gin/runs/local_tiny.gin into WORK_DIR/model,
   printing the per-dataset F1 of each evaluation.
4. `python -m t5x.infer` with gin/runs/infer.gin on the latest checkpoint for
   the supervised test split (ie_tiny_eval) and the zero-shot data set
   (ie_tiny_zeroshot_eval), into WORK_DIR/predictions.
5. `tools/score.py --mode=both`: the per-dataset F1 tables (strict and the
   original evaluator's conventions), into WORK_DIR/scores.

Data and vocabulary are reused when present, and training resumes from the
checkpoints in WORK_DIR/model (T5X's behaviour); --overwrite deletes all three
first. Needs T5X; when it is missing, prints how to install it and exits with
2. Logs of the T5X runs go to WORK_DIR/*.log.

The tool deletes or overwrites only what it made: each output it creates in
WORK_DIR (data/, vocab.model, vocab.vocab, model/, predictions/, scores/,
the logs) is recorded in WORK_DIR/.run_local_tiny.json before it is made.
The predictions of the previous run are removed before inference, and
--overwrite removes data, vocabulary and model; each removal is printed. When
such a path exists but is not recorded (the user's, or from a version of this
tool that kept no record), the tool stops before any step with one line
naming it; move it away or choose another --work_dir.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence

from absl import app, flags

from tools import cli, make_tiny_data

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T5X_COMMIT = "cc342d419ec3e3e9c4bf1df33c82330cafdc1e16"
EVAL_MIXTURES = ("ie_tiny_eval", "ie_tiny_zeroshot_eval")
INSTALL_HELP = f"""\
T5X is not installed in this Python ({sys.executable}).

Install it (with airio and jestimator, which it imports) in one of two ways:

  # a) from GitHub, at the commit this project is tested with
  pip install "t5x @ git+https://github.com/google-research/t5x@{T5X_COMMIT}"
  pip install "airio @ git+https://github.com/google/airio" \\
              "jestimator @ git+https://github.com/google-research/jestimator"

  # b) offline, from local git snapshots of the three repositories
  #    (README, "Install T5X"):
  install-t5x-from-snapshots T5X_GIT AIRIO_GIT JESTIMATOR_GIT

Then run this command again.
"""

FLAGS = flags.FLAGS

MANIFEST = ".run_local_tiny.json"
DATA, MODEL, PREDICTIONS, SCORES = "data", "model", "predictions", "scores"
VOCAB = ("vocab.model", "vocab.vocab")
# Replaced by every run (logs, predictions, scores) or by --overwrite.
EVERY_RUN = (
  PREDICTIONS,
  SCORES,
  "vocab.log",
  "train.log",
  *(f"infer_{m}.log" for m in EVAL_MIXTURES),
)
ON_OVERWRITE = (DATA, *VOCAB, MODEL)
DIRS = frozenset({DATA, MODEL, PREDICTIONS, SCORES})


class Outputs:
  """The paths this tool made in a work dir, recorded in its MANIFEST.

  A name is recorded before the tool creates that path, and only when
  nothing is there yet; names whose path has gone are dropped when read, so
  a path that the user puts there later is not taken for the tool's. A
  folder is the tool's only while the marker file it put inside is there
  too (a folder that the user removed and made again is not).
  """

  def __init__(
    self,
    work_dir: str,
    *,
    tool: str = "tools.run_local_tiny",
    manifest: str = MANIFEST,
    dirs: frozenset[str] = DIRS,
  ):
    """Reads the record of `work_dir`.

    Args:
      work_dir: The work dir.
      tool: The tool's module, in the record; its last part names the
        markers and is in messages (other tools keep their own record, e.g.
        `benchmarks.real_data_run`).
      manifest: The record's file name in `work_dir`.
      dirs: The names that are folders (each gets a marker file).

    Raises:
      cli.UserError: the record is not such a record.
    """
    self.work_dir = work_dir
    self.tool = tool
    self.name = tool.rsplit(".", 1)[-1]
    self.dirs = dirs
    self.marker = f".made_by_{self.name}"
    self.manifest = os.path.join(work_dir, manifest)
    self.made: set[str] = set()
    if os.path.lexists(self.manifest):
      try:
        with open(self.manifest, encoding="utf-8") as f:
          names = json.load(f)["made"]
        if not isinstance(names, list):
          raise TypeError(names)
      except (ValueError, KeyError, TypeError) as e:
        raise cli.UserError(
          f"{self.manifest}: not this tool's record of its outputs "
          f"({type(e).__name__}); move it away or choose another --work_dir"
        ) from None
      self.made = {n for n in names if os.path.lexists(self.path(n))}

  def path(self, name: str) -> str:
    return os.path.join(self.work_dir, name)

  def _save(self) -> None:
    with cli.atomic_write(self.manifest) as f:
      json.dump({"made_by": self.tool, "made": sorted(self.made)}, f)
      f.write("\n")

  def is_made(self, name: str) -> bool:
    """True when the path of `name` is the tool's (see the class doc)."""
    if name not in self.made:
      return False
    return name not in self.dirs or os.path.isfile(
      os.path.join(self.path(name), self.marker)
    )

  def claim(self, name: str) -> str:
    """Records `name` as the tool's unless something is there; its path.

    A folder name (`dirs`) is also made, with the marker inside.
    """
    path = self.path(name)
    if name not in self.made and not os.path.lexists(path):
      self.made.add(name)
      self._save()
      if name in self.dirs:
        os.makedirs(path)
        with open(os.path.join(path, self.marker), "w", encoding="utf-8") as f:
          f.write(
            f"Made by {self.tool}; see ../{os.path.basename(self.manifest)}.\n"
          )
    return path

  def check_removable(self, names: Iterable[str]) -> None:
    """Raises unless each existing path of `names` was made by the tool.

    Raises:
      cli.UserError: naming the first path that is not the tool's.
    """
    foreign = [
      self.path(n)
      for n in names
      if os.path.lexists(self.path(n)) and not self.is_made(n)
    ]
    if foreign:
      more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
      raise cli.UserError(
        f"{foreign[0]}: not made by {self.name} (not recorded in "
        f"{self.manifest}), so it is not replaced{more}; move it away or "
        "choose another --work_dir"
      )

  def remove(self, names: Iterable[str]) -> None:
    """Removes the existing paths of `names`, printing each.

    Raises:
      cli.UserError: see `check_removable`; nothing is removed then.
    """
    names = list(names)
    self.check_removable(names)
    for name in names:
      path = self.path(name)
      if not os.path.lexists(path):
        continue
      print(f"removing {path}", flush=True)
      if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
      else:
        os.remove(path)
      self.made.discard(name)
      self._save()


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string(
    "work_dir", "/tmp/instructuie_tiny", "Where data, model and scores go."
  )
  cli.define_integer("train_steps", 1500, "Training steps.", lower_bound=1)
  cli.define_integer(
    "eval_period",
    500,
    "Steps between evaluations (and checkpoints).",
    lower_bound=1,
  )
  cli.define_integer(
    "seed", 0, "Seed of the data and of training.", lower_bound=0
  )
  cli.define_integer(
    "num_train", 20000, "Synthetic training sentences.", lower_bound=1
  )
  flags.DEFINE_bool(
    "overwrite",
    False,
    "Delete WORK_DIR's data, vocabulary and model first (only if this tool "
    "made them).",
  )
  flags.DEFINE_multi_string(
    "gin_bindings", [], "Extra t5x.train gin bindings, e.g. 'EMBED_DIM=128'."
  )


_F1_LINE = re.compile(r"(\S+/ner_f1) at step (\d+): ([\d.]+)")


def t5x_root() -> str | None:
  """The directory holding the installed `t5x` package, or None."""
  spec = importlib.util.find_spec("t5x")
  if spec is None or not spec.submodule_search_locations:
    return None
  return os.path.dirname(list(spec.submodule_search_locations)[0])


def data_paths(work_dir: str) -> tuple[str, str]:
  """The tiny data root and vocabulary file of WORK_DIR."""
  return os.path.join(work_dir, "data"), os.path.join(work_dir, "vocab.model")


def data_bindings(work_dir: str) -> list[str]:
  """The `tasks.settings` gin bindings of the T5X runs on WORK_DIR's data.

  Given to T5X as bindings, so every run's config.gin records its data root
  and vocabulary (`tools.convert_checkpoint --to_hf` reads the latter there).
  """
  data_dir, vocab = data_paths(work_dir)
  return [
    f"data_settings.tiny_dir = '{data_dir}'",
    f"data_settings.vocab = '{vocab}'",
  ]


def subprocess_env() -> dict[str, str]:
  """Environment of the subprocesses: this checkout on the path.

  The data settings travel as gin flags (`data_bindings`), not here.
  """
  env = dict(os.environ)
  path = [REPO_ROOT] + [p for p in [env.get("PYTHONPATH")] if p]
  env.update(
    PYTHONPATH=os.pathsep.join(path),
    TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "3"),
  )
  return env


def run_logged(command: Sequence[str], env, log_path: str, echo=None) -> None:
  """Runs `command` in the repo root, its output to `log_path`.

  Args:
    command: the argv.
    env: its environment.
    log_path: file receiving stdout and stderr.
    echo: optional `line -> str | None`; non-None results are printed.

  Raises:
    RuntimeError: the command failed (the message names the log).
  """
  with open(log_path, "w", encoding="utf-8", buffering=1) as log:
    proc = subprocess.Popen(
      command,
      cwd=REPO_ROOT,
      env=env,
      stdout=subprocess.PIPE,
      stderr=subprocess.STDOUT,
      text=True,
    )
    for line in proc.stdout:
      log.write(line)
      shown = echo(line) if echo else None
      if shown:
        print(shown, flush=True)
    if proc.wait():
      raise RuntimeError(
        f"{command[2] if len(command) > 2 else command[0]} failed with "
        f"exit code {proc.returncode}; see {log_path}"
      )


def latest_checkpoint(model_dir: str) -> str:
  """Path of the highest finished `checkpoint_N` in `model_dir`."""
  steps = [
    int(name[len("checkpoint_") :])
    for name in os.listdir(model_dir)
    if re.fullmatch(r"checkpoint_\d+", name)
  ]
  if not steps:
    raise RuntimeError(f"no checkpoint_N directory in {model_dir}")
  return os.path.join(model_dir, f"checkpoint_{max(steps)}")


def _echo_f1(start: float):
  def echo(line: str) -> str | None:
    match = _F1_LINE.search(line)
    if not match or "original_" in match.group(1):
      return None
    name, step, f1 = match.groups()
    return (
      f"  step {int(step):5d}  {time.monotonic() - start:6.0f} s  "
      f"{name.split('/', 1)[-1]} = {float(f1):.1f}"
    )

  return echo


def prepare_data(
  work_dir: str,
  seed: int = 0,
  num_train: int = 20000,
  outputs: Outputs | None = None,
) -> None:
  """Writes the synthetic data and trains the vocabulary, unless present.

  Raises:
    cli.UserError: a vocabulary half there and not made by the tool.
    OSError: the data cannot be written (see `make_tiny_data`).
    RuntimeError: training the vocabulary failed.
  """
  env = subprocess_env()
  data_dir, vocab = data_paths(work_dir)
  os.makedirs(work_dir, exist_ok=True)
  outputs = outputs or Outputs(work_dir)
  if not os.path.exists(os.path.join(data_dir, "NER", "synth_news")):
    print(f"[1/5] synthetic data -> {data_dir}", flush=True)
    outputs.claim(DATA)
    make_tiny_data.write_datasets(
      data_dir, seed, num_train, overwrite=outputs.is_made(DATA)
    )
  else:
    print(f"[1/5] synthetic data: using {data_dir}", flush=True)
  if not os.path.exists(vocab):
    print(f"[2/5] vocabulary -> {vocab}", flush=True)
    outputs.check_removable([*VOCAB, "vocab.log"])
    for name in (*VOCAB, "vocab.log"):
      outputs.claim(name)
    run_logged(
      [
        sys.executable,
        "-m",
        "tools.train_vocab",
        f"--data_dir={data_dir}",
        f"--output={vocab}",
        "--splits=train",
        "--datasets=synth_news",
        "--overwrite",
      ],
      env,
      os.path.join(work_dir, "vocab.log"),
    )
  else:
    print(f"[2/5] vocabulary: using {vocab}", flush=True)


def train_command(
  model_dir: str,
  train_steps: int,
  eval_period: int,
  seed: int = 0,
  gin_bindings: Sequence[str] = (),
  gin_file: str = "gin/runs/local_tiny.gin",
) -> list[str]:
  """The `python -m t5x.train` argv of `gin_file` (a run file)."""
  return [
    sys.executable,
    "-m",
    "t5x.train",
    f"--gin_search_paths={t5x_root()},{REPO_ROOT}",
    f"--gin_file={gin_file}",
    f"--gin.MODEL_DIR='{model_dir}'",
    f"--gin.TRAIN_STEPS={train_steps}",
    f"--gin.EVAL_PERIOD={eval_period}",
    f"--gin.RANDOM_SEED={seed}",
    *[f"--gin_bindings={b}" for b in gin_bindings],
    "--alsologtostderr",
  ]


def run(
  work_dir: str,
  *,
  train_steps: int = 1500,
  eval_period: int = 500,
  seed: int = 0,
  num_train: int = 20000,
  overwrite: bool = False,
  gin_bindings: Sequence[str] = (),
) -> None:
  """All steps of the module docstring, printing progress and the table.

  Everything is checked before the first step: the values, the work dir, and
  that each path this run would replace or remove was made by the tool.

  Raises:
    cli.UsageError: a value below 1.
    cli.UserError: a path in the way that the tool did not make.
    OSError: the work dir cannot be written.
    RuntimeError: a step failed (the message names its log).
  """
  for name, value in (
    ("train_steps", train_steps),
    ("eval_period", eval_period),
    ("num_train", num_train),
  ):
    if value < 1:
      raise cli.UsageError(f"--{name} must be >= 1, got {value}")
  cli.check_output_dir(work_dir)
  os.makedirs(work_dir, exist_ok=True)
  outputs = Outputs(work_dir)
  outputs.check_removable(EVERY_RUN + (ON_OVERWRITE if overwrite else ()))
  gin_paths = f"--gin_search_paths={t5x_root()},{REPO_ROOT}"
  env = subprocess_env()
  model_dir = outputs.path(MODEL)
  predictions = outputs.path(PREDICTIONS)
  if overwrite:
    outputs.remove(ON_OVERWRITE)
  start = time.monotonic()
  prepare_data(work_dir, seed, num_train, outputs)

  print(
    f"[3/5] t5x.train, {train_steps} steps -> {model_dir} "
    f"(log: {work_dir}/train.log)",
    flush=True,
  )
  outputs.claim(MODEL)
  run_logged(
    train_command(
      model_dir,
      train_steps,
      eval_period,
      seed,
      [*data_bindings(work_dir), *gin_bindings],
    ),
    env,
    outputs.claim("train.log"),
    echo=_echo_f1(start),
  )

  checkpoint = latest_checkpoint(model_dir)
  outputs.remove([PREDICTIONS])  # The previous run's, made by the tool.
  outputs.claim(PREDICTIONS)
  for mixture in EVAL_MIXTURES:
    print(
      f"[4/5] t5x.infer {mixture} with {os.path.basename(checkpoint)}",
      flush=True,
    )
    run_logged(
      [
        sys.executable,
        "-m",
        "t5x.infer",
        gin_paths,
        "--gin_file=gin/runs/infer.gin",
        "--gin_file=gin/models/tiny.gin",
        "--gin_file=gin/mixtures/ie_tiny.gin",
        *[f"--gin_bindings={b}" for b in data_bindings(work_dir)],
        f"--gin.MIXTURE_OR_TASK_NAME='{mixture}'",
        f"--gin.CHECKPOINT_PATH='{checkpoint}'",
        f"--gin.INFER_OUTPUT_DIR='{predictions}'",
        "--gin.INFER_PARAM_DTYPE='float32'",
        "--alsologtostderr",
      ],
      env,
      outputs.claim(f"infer_{mixture}.log"),
    )

  print("[5/5] tools/score.py", flush=True)
  done = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.score",
      f"--predictions={predictions}",
      f"--out_dir={outputs.claim(SCORES)}",
      "--mode=both",
    ],
    cwd=REPO_ROOT,
    env=env,
    check=False,
  )
  if done.returncode:
    raise RuntimeError(f"tools.score failed with exit code {done.returncode}")
  print(f"Done in {time.monotonic() - start:.0f} s.", flush=True)


def main(argv: Sequence[str]) -> None:
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if t5x_root() is None:
    print(INSTALL_HELP, file=sys.stderr)
    sys.exit(2)
  try:
    run(
      FLAGS.work_dir,
      train_steps=FLAGS.train_steps,
      eval_period=FLAGS.eval_period,
      seed=FLAGS.seed,
      num_train=FLAGS.num_train,
      overwrite=FLAGS.overwrite,
      gin_bindings=FLAGS.gin_bindings,
    )
  except RuntimeError as e:
    cli.fail(e)


if __name__ == "__main__":
  define_flags()
  cli.run(main)
