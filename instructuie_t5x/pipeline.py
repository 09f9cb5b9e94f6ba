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

"""The training pipeline: data -> vocabulary -> train -> evaluate -> score.

One function a step, each running T5X's or our command-line programs as
subprocesses (their output to a log file) or calling the library:

* `make_data`: the synthetic tiny data (`instructuie_jax.tiny_data`);
* `make_vocab`: a SentencePiece model (`python -m tools.train_vocab`);
* `train`: `python -m t5x.train` of a gin run file (`train_command`);
* `infer`: `python -m t5x.infer` of gin/runs/infer.gin on a checkpoint;
* `score`: `instructuie_jax.scoring`, strict and original mode.

`run_tiny` is the tiny end-to-end run of `tools/run_local_tiny.py`
(`instructuie_t5x/real_data.py` is the real-data run). `Outputs` keeps the
record of what a run made in its work dir, so that a run deletes or replaces
only that; `hold_lock` keeps a second run off a work dir (and model dir),
`Outputs.claim_staged` makes a folder appear only when complete, and every
subprocess ends with the run (`stop_with`).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence

from instructuie_jax import cli, json_input, scoring, tiny_data

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T5X_COMMIT = "cc342d419ec3e3e9c4bf1df33c82330cafdc1e16"
EVAL_MIXTURES = ("ie_tiny_eval", "ie_tiny_zeroshot_eval")
# The main job's recipe (`tools/run_local_tiny.py`, `tools/quickstart.sh`):
# words_bio targets (GNER-style: every word with its tag) learn the tiny
# data far faster than the paper's instructuie targets (BENCHMARKS.md, "The
# main command end to end" and "Training recipes on the tiny model"); one
# evaluation, at the end.
MAIN_TARGET_FORMAT = "words_bio"
MAIN_TRAIN_STEPS = 800
# The gin file that makes the tiny run's T5X runs (train and infer) use a
# target format; none for the default one.
FORMAT_GIN = {
  "instructuie": None,
  "words_bio": "gin/formats/words_bio_tiny.gin",
}


def format_bindings(target_format: str) -> list[str]:
  """The gin bindings of the tiny T5X runs in `target_format`.

  Raises:
    cli.UsageError: a format the tiny run has no gin file for.
  """
  if target_format not in FORMAT_GIN:
    raise cli.UsageError(
      f"--target_format={target_format}: one of {', '.join(FORMAT_GIN)}"
    )
  gin_file = FORMAT_GIN[target_format]
  return [] if gin_file is None else [f"include '{gin_file}'"]


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
        `tools.real_data_run`).
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
        names = json_input.read_json(self.manifest)["made"]
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
        self.mark(path)
    return path

  def mark(self, folder: str) -> None:
    """Puts the marker file into `folder` (one of `dirs`)."""
    with open(os.path.join(folder, self.marker), "w", encoding="utf-8") as f:
      f.write(
        f"Made by {self.tool}; see ../{os.path.basename(self.manifest)}.\n"
      )

  @contextlib.contextmanager
  def claim_staged(self, name: str) -> Iterator[str]:
    """Records folder `name` and yields a staging folder that becomes it
    (renamed) only when the block ends without an exception; so a run killed
    meanwhile leaves no `name` (the staging folder is removed by the next
    run, see `remove_stale_staging`).

    Raises:
      cli.UserError: something is at `name` already.
    """
    path = self.path(name)
    if os.path.lexists(path):
      raise cli.UserError(f"{path}: exists; not writing over it")
    self.made.add(name)
    self._save()
    with cli.staged_folder(path) as stage:
      self.mark(stage)
      yield stage

  def remove_stale_staging(self) -> None:
    """Removes the staging folders a killed run left (`claim_staged`)."""
    for name in sorted(self.dirs):
      for path in cli.remove_stale_staging(self.path(name)):
        print(f"removing {path} (left by an interrupted run)", flush=True)

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


_F1_LINE = re.compile(r"(\S+/ner_f1) at step (\d+): ([\d.]+)")


def t5x_root() -> str | None:
  """The directory holding the installed `t5x` package, or None."""
  spec = importlib.util.find_spec("t5x")
  if spec is None or not spec.submodule_search_locations:
    return None
  return os.path.dirname(list(spec.submodule_search_locations)[0])


def search_paths() -> list[str]:
  """`[T5X's gin root, ours]`.

  Raises:
    FileNotFoundError: T5X or our gin folder is missing.
  """
  try:
    import t5x  # noqa: PLC0415
  except ImportError as e:
    raise FileNotFoundError(
      f"T5X is not installed ({e}); see README.md, Install T5X"
    ) from e
  t5x_root = os.path.dirname(os.path.dirname(os.path.abspath(t5x.__file__)))
  if not os.path.isdir(os.path.join(REPO_ROOT, "gin", "runs")):
    raise FileNotFoundError(
      f"no gin/ folder beside the tools package in {REPO_ROOT}: install the "
      "project with `pip install -e .` from its checkout"
    )
  return [t5x_root, REPO_ROOT]


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


LOCK_FILE = ".run_local_tiny.lock"
_HELD_LOCKS: dict[str, int] = {}  # folder -> open lock file, while held


def hold_lock(folder: str) -> str:
  """Locks `folder` against a second run until this process ends.

  An exclusive `flock` on `folder/LOCK_FILE` (the kernel releases it when
  the process ends, however it ends). Holding it again is a no-op.

  Returns:
    `folder`.

  Raises:
    cli.UserError: another process holds it (names that process).
  """
  folder = os.path.abspath(folder)
  if folder in _HELD_LOCKS:
    return folder
  path = os.path.join(folder, LOCK_FILE)
  fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
  try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except BlockingIOError:
    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    os.close(fd)
    raise cli.UserError(
      f"{folder}: in use by another run (process {holder or '?'}; lock "
      f"{path}); wait for it to end or choose another --work_dir"
    ) from None
  os.ftruncate(fd, 0)
  os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
  _HELD_LOCKS[folder] = fd
  return folder


def release_locks() -> None:
  """Releases every lock `hold_lock` took (for tests; a run keeps them)."""
  while _HELD_LOCKS:
    os.close(_HELD_LOCKS.popitem()[1])


def stop_with(parent: int) -> None:
  """In a child of process `parent`, before it runs (`preexec_fn`): ends it
  with SIGKILL when the parent dies, so a killed run leaves no trainer
  behind (Linux `PR_SET_PDEATHSIG`; elsewhere nothing)."""
  if not sys.platform.startswith("linux"):
    return
  pr_set_pdeathsig = 1
  ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
  if os.getppid() != parent:  # It died before the call.
    os._exit(1)


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
      preexec_fn=functools.partial(stop_with, os.getpid()),
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


def make_data(
  work_dir: str,
  seed: int = 0,
  num_train: int = tiny_data.NUM_TRAIN,
  outputs=None,
) -> str:
  """Step 1: the synthetic tiny data under WORK_DIR/data, unless present.

  Returns:
    The data root.

  Raises:
    OSError: the data cannot be written (see `tiny_data.write_datasets`).
  """
  data_dir, _ = data_paths(work_dir)
  os.makedirs(work_dir, exist_ok=True)
  outputs = outputs or Outputs(work_dir)
  if not os.path.exists(os.path.join(data_dir, "NER", "synth_news")):
    print(f"[1/5] synthetic data -> {data_dir}", flush=True)
    outputs.remove([DATA])  # An incomplete one this tool made.
    with outputs.claim_staged(DATA) as stage:
      tiny_data.write_datasets(stage, seed, num_train, overwrite=True)
  else:
    print(f"[1/5] synthetic data: using {data_dir}", flush=True)
  return data_dir


def vocab_command(
  data_dir: str,
  vocab: str,
  datasets: Sequence[str],
  options: Sequence[str] = (),
) -> list[str]:
  """The `python -m tools.train_vocab` argv: train splits of `datasets`."""
  return [
    sys.executable,
    "-m",
    "tools.train_vocab",
    f"--data_dir={data_dir}",
    f"--output={vocab}",
    *options,
    "--splits=train",
    f"--datasets={','.join(datasets)}",
    "--overwrite",
  ]


def make_vocab(
  command: Sequence[str], outputs: Outputs, names: Sequence[str]
) -> None:
  """Step 2: runs `vocab_command`'s `command`, its log to `vocab.log`.

  `names` (the vocabulary files and the log) are claimed for `outputs`
  first.

  Raises:
    cli.UserError: one of `names` is there and not made by the tool.
    RuntimeError: training the vocabulary failed.
  """
  outputs.check_removable(names)
  for name in names:
    outputs.claim(name)
  run_logged(command, subprocess_env(), outputs.path("vocab.log"))


class StepClock:
  """Times the steps of a run: `done(name)` prints and keeps how long the
  step since the previous one took; `summary()` lists them all."""

  def __init__(self) -> None:
    self.start = self._last = time.monotonic()
    self.taken: list[tuple[str, float]] = []

  def done(self, name: str) -> None:
    now = time.monotonic()
    self.taken.append((name, now - self._last))
    self._last = now
    print(f"      {name} took {self.taken[-1][1]:.0f} s", flush=True)

  def summary(self) -> str:
    steps = ", ".join(f"{name} {taken:.0f} s" for name, taken in self.taken)
    return f"Done in {time.monotonic() - self.start:.0f} s ({steps})."


def prepare_data(
  work_dir: str,
  seed: int = 0,
  num_train: int = tiny_data.NUM_TRAIN,
  outputs: Outputs | None = None,
  clock: StepClock | None = None,
) -> None:
  """Steps 1 and 2 of the tiny run: data and vocabulary, unless present.

  Raises:
    cli.UserError: a vocabulary half there and not made by the tool.
    OSError: the data cannot be written (see `tiny_data.write_datasets`).
    RuntimeError: training the vocabulary failed.
  """
  outputs = outputs or Outputs(work_dir)
  data_dir = make_data(work_dir, seed, num_train, outputs)
  if clock:
    clock.done("data")
  _, vocab = data_paths(work_dir)
  if not os.path.exists(vocab):
    print(f"[2/5] vocabulary -> {vocab}", flush=True)
    make_vocab(
      vocab_command(
        data_dir, vocab, [spec.name for spec in tiny_data.SUPERVISED]
      ),
      outputs,
      [*VOCAB, "vocab.log"],
    )
  else:
    print(f"[2/5] vocabulary: using {vocab}", flush=True)
  if clock:
    clock.done("vocabulary")


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


def train(command: Sequence[str], log_path: str, echo=None) -> None:
  """Step 3: runs `train_command`'s `command`, its log to `log_path`.

  Raises:
    RuntimeError: training failed (the message names the log).
  """
  run_logged(command, subprocess_env(), log_path, echo=echo)


def infer(
  checkpoint: str,
  mixture: str,
  out_dir: str,
  gin_bindings: Sequence[str],
  log_path: str,
) -> None:
  """Step 4: `python -m t5x.infer` of gin/runs/infer.gin (the tiny model).

  Raises:
    RuntimeError: it failed (the message names the log).
  """
  run_logged(
    [
      sys.executable,
      "-m",
      "t5x.infer",
      f"--gin_search_paths={t5x_root()},{REPO_ROOT}",
      "--gin_file=gin/runs/infer.gin",
      "--gin_file=gin/models/tiny.gin",
      "--gin_file=gin/mixtures/ie_tiny.gin",
      *[f"--gin_bindings={b}" for b in gin_bindings],
      f"--gin.MIXTURE_OR_TASK_NAME='{mixture}'",
      f"--gin.CHECKPOINT_PATH='{checkpoint}'",
      f"--gin.INFER_OUTPUT_DIR='{out_dir}'",
      "--gin.INFER_PARAM_DTYPE='float32'",
      "--alsologtostderr",
    ],
    subprocess_env(),
    log_path,
  )


def evaluate(
  checkpoint: str,
  gin_file: str,
  out_dir: str,
  gin_bindings: Sequence[str],
  log_path: str,
) -> None:
  """Step 4: `python -m t5x.eval` of the run file `gin_file`.

  Raises:
    RuntimeError: it failed (the message names the log).
  """
  run_logged(
    [
      sys.executable,
      "-m",
      "t5x.eval",
      f"--gin_search_paths={t5x_root()},{REPO_ROOT}",
      f"--gin_file={gin_file}",
      f"--gin.CHECKPOINT_PATH='{checkpoint}'",
      f"--gin.EVAL_OUTPUT_DIR='{out_dir}'",
      *[f"--gin_bindings={b}" for b in gin_bindings],
      "--alsologtostderr",
    ],
    subprocess_env(),
    log_path,
  )


def score(predictions: str, out_dir: str) -> None:
  """Step 5: scores `predictions` (strict and original mode) into `out_dir`.

  Writes metrics.json and metrics.md (`scoring.score_to_dir`) and prints the
  tables.

  Raises:
    RuntimeError: the predictions cannot be scored or the files written.
  """
  try:
    text = scoring.score_to_dir(predictions, out_dir, "both")
  except (scoring.InputError, scoring.OutputError) as e:
    raise RuntimeError(f"scoring failed: {e}") from None
  print(text, end="", flush=True)


def run_tiny(
  work_dir: str,
  *,
  train_steps: int = MAIN_TRAIN_STEPS,
  eval_period: int = MAIN_TRAIN_STEPS,
  seed: int = 0,
  num_train: int = tiny_data.NUM_TRAIN,
  overwrite: bool = False,
  gin_bindings: Sequence[str] = (),
  target_format: str = MAIN_TARGET_FORMAT,
) -> None:
  """The tiny run (`tools/run_local_tiny.py`), printing progress and tables.

  `target_format` selects the targets of both T5X runs (`FORMAT_GIN`).

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
  formatted = format_bindings(target_format)
  cli.check_output_dir(work_dir)
  os.makedirs(work_dir, exist_ok=True)
  hold_lock(work_dir)  # Until this process ends.
  outputs = Outputs(work_dir)
  outputs.check_removable(EVERY_RUN + (ON_OVERWRITE if overwrite else ()))
  outputs.remove_stale_staging()
  model_dir = outputs.path(MODEL)
  predictions = outputs.path(PREDICTIONS)
  if overwrite:
    outputs.remove(ON_OVERWRITE)
  clock = StepClock()
  start = clock.start
  prepare_data(work_dir, seed, num_train, outputs, clock)

  # An evaluation only at the last step would decode what step 4 decodes
  # again (and T5X's exit after it takes tens of seconds more).
  periodic = eval_period < train_steps
  print(
    f"[3/5] t5x.train, {train_steps} steps -> {model_dir} "
    f"(log: {work_dir}/train.log)"
    + ("" if periodic else "; evaluated once, by step 4"),
    flush=True,
  )
  hold_lock(outputs.claim(MODEL))
  train(
    train_command(
      model_dir,
      train_steps,
      eval_period,
      seed,
      [
        *data_bindings(work_dir),
        *formatted,
        *([] if periodic else ["train.infer_eval_dataset_cfg = None"]),
        *gin_bindings,
      ],
    ),
    outputs.claim("train.log"),
    echo=_echo_f1(start),
  )
  clock.done("training")

  checkpoint = latest_checkpoint(model_dir)
  outputs.remove([PREDICTIONS])  # The previous run's, made by the tool.
  outputs.claim(PREDICTIONS)
  for mixture in EVAL_MIXTURES:
    print(
      f"[4/5] t5x.infer {mixture} with {os.path.basename(checkpoint)}",
      flush=True,
    )
    infer(
      checkpoint,
      mixture,
      predictions,
      [*data_bindings(work_dir), *formatted],
      outputs.claim(f"infer_{mixture}.log"),
    )

  clock.done("inference")

  print("[5/5] tools/score.py", flush=True)
  score(predictions, outputs.claim(SCORES))
  clock.done("scoring")
  print(clock.summary(), flush=True)
