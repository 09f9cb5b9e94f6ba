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

"""The tiny trained T5X model that the T5X, extraction and serving tests share.

`shared_tiny_data` writes a small synthetic data set
(`instructuie_jax.tiny_data`: NER/synth_news, NER/synth_heldout) and
`shared_tiny_model` trains the tiny model of gin/runs/local_tiny.gin on it for `TRAIN_STEPS` steps with the byte
vocabulary (one `t5x.train` subprocess), keeping the checkpoints of steps
`CHECKPOINT_STEPS`. Each is built once per pytest run: in the run's temporary
directory, or with pytest-xdist in the directory its workers share, under a
file lock, so that one worker builds and the others wait and reuse it.

The T5X subprocesses of the tests share a JAX compilation cache there too
(`env`), so a program that several tests compile (the tiny model's train step,
its decoding) is compiled once per run.

`predictions` is `t5x.infer`'s output for a tiny model's last checkpoint on
the held-out test split, also made once per run (per model).

`tiny_model` is the shared model, or with `INSTRUCTUIE_TINY_RUN=WORK_DIR` a
finished `tools.run_local_tiny` run (its `model/`, `vocab.model` and `data/`;
the byte vocabulary when there is no `vocab.model`), e.g. to see real
extractions on the demo page's screenshot.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import glob
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator

from instructuie_jax import tiny_data

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_RUN = "INSTRUCTUIE_TINY_RUN"
TRAIN_STEPS = 4
CHECKPOINT_PERIOD = 2
CHECKPOINT_STEPS = [0, 2, 4]
BATCH_SIZE = 8


@dataclasses.dataclass(frozen=True)
class TinyModel:
  """Paths of a tiny model.

  Attributes:
    model_dir: The run's model directory (checkpoints and config.gin).
    vocabulary: What `--vocabulary` takes ("byte" or a .model file).
    data_dir: The synthetic data root (NER/synth_news, NER/synth_heldout).
    env: Environment for T5X subprocesses on this model.
  """

  model_dir: pathlib.Path
  vocabulary: str
  data_dir: pathlib.Path
  env: dict[str, str]


def search_paths() -> list[str]:
  """`--gin_search_paths` for T5X's mains: T5X's root and this repository."""
  import t5x  # noqa: PLC0415

  return [os.path.dirname(os.path.dirname(t5x.__file__)), str(REPO_ROOT)]


def shared_dir(tmp_path_factory) -> pathlib.Path:
  """The temporary directory this pytest run's processes share.

  Without pytest-xdist the session's base directory; with it, the parent
  of the workers' base directories (the pytest-xdist documentation's
  recipe for a session fixture built once).
  """
  base = tmp_path_factory.getbasetemp()
  if os.environ.get("PYTEST_XDIST_WORKER"):
    base = base.parent
  return base / "shared"


@contextlib.contextmanager
def _locked(path: pathlib.Path) -> Iterator[None]:
  path.parent.mkdir(parents=True, exist_ok=True)
  with open(path, "a") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
      yield
    finally:
      fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(
  path: pathlib.Path, build: Callable[[pathlib.Path], None]
) -> pathlib.Path:
  """`path`, made by `build(path)` unless a process of this run made it.

  The first process to get the lock builds; the others wait for it. A build
  that failed leaves no marker, so the next process removes what it left
  and tries again (and fails the same way, with its own message).
  """
  done = path.with_name(path.name + ".done")
  with _locked(path.with_name(path.name + ".lock")):
    if not done.exists():
      if path.exists():
        shutil.rmtree(path)
      build(path)
      done.write_text("ok\n")
  return path


def env(
  data_dir: pathlib.Path, vocabulary: str, cache_dir: pathlib.Path | None
) -> dict[str, str]:
  """Environment of T5X subprocesses on `data_dir` with `vocabulary`.

  CPU only; `cache_dir` (when given) holds JAX's persistent compilation
  cache, which the processes of one test run share.
  """
  out = dict(os.environ)
  out.update(
    IE_TINY_DIR=str(data_dir),
    IE_INSTRUCTIONS_VOCAB=vocabulary,
    JAX_PLATFORMS="cpu",
    PYTHONPATH=os.pathsep.join(
      [str(REPO_ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    ),
    TF_CPP_MIN_LOG_LEVEL="3",
  )
  if cache_dir is not None:
    out["JAX_COMPILATION_CACHE_DIR"] = str(cache_dir)
  return out


def compilation_cache(tmp_path_factory) -> pathlib.Path:
  """The JAX compilation cache directory of this pytest run."""
  path = shared_dir(tmp_path_factory) / "jax_cache"
  path.mkdir(parents=True, exist_ok=True)
  return path


def shared_tiny_data(tmp_path_factory) -> pathlib.Path:
  """The run's synthetic data root (seed 0, 200 train and 16 eval examples)."""
  return built_once(
    shared_dir(tmp_path_factory) / "tiny_data",
    lambda path: tiny_data.write_datasets(
      str(path), seed=0, num_train=200, num_eval=16
    ),
  )


def shared_tiny_model(tmp_path_factory) -> TinyModel:
  """The run's tiny model: checkpoints of `CHECKPOINT_STEPS`, byte vocabulary.

  Trained with `BATCH_SIZE` and inputs of 384 bytes (the prompts of the
  extraction tests fit); its config.gin records those lengths.
  """
  data_dir = shared_tiny_data(tmp_path_factory)
  run_env = env(data_dir, "byte", compilation_cache(tmp_path_factory))

  def train(model_dir: pathlib.Path) -> None:
    proc = subprocess.run(
      [
        sys.executable,
        "-m",
        "t5x.train",
        f"--gin_search_paths={','.join(search_paths())}",
        "--gin_file=gin/runs/local_tiny.gin",
        f"--gin.MODEL_DIR='{model_dir}'",
        f"--gin.TRAIN_STEPS={TRAIN_STEPS}",
        f"--gin.BATCH_SIZE={BATCH_SIZE}",
        "--gin.TASK_FEATURE_LENGTHS={'inputs': 384, 'targets': 32}",
        f"--gin_bindings=utils.SaveCheckpointConfig.period = {CHECKPOINT_PERIOD}",
        "--gin_bindings=utils.SaveCheckpointConfig.keep = None",
        "--gin_bindings=train.infer_eval_dataset_cfg = None",
      ],
      cwd=REPO_ROOT,
      env=run_env,
      capture_output=True,
      text=True,
      timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]

  model_dir = built_once(shared_dir(tmp_path_factory) / "tiny_model", train)
  return TinyModel(model_dir, "byte", data_dir, run_env)


def tiny_model(tmp_path_factory) -> TinyModel:
  """The shared tiny model, or the run that `INSTRUCTUIE_TINY_RUN` names."""
  run = os.environ.get(ENV_RUN)
  if not run:
    return shared_tiny_model(tmp_path_factory)
  run_dir = pathlib.Path(run)
  vocab_file = run_dir / "vocab.model"
  vocabulary = str(vocab_file) if vocab_file.exists() else "byte"
  data_dir = run_dir / "data"
  return TinyModel(
    run_dir / "model",
    vocabulary,
    data_dir,
    env(data_dir, vocabulary, compilation_cache(tmp_path_factory)),
  )


PREDICTIONS_FILE = "instructuie_ner_synth_heldout-predict.jsonl-00000-of-00001"


def last_checkpoint(model_dir: pathlib.Path) -> pathlib.Path:
  """The model directory's checkpoint of the highest step."""
  steps = [
    p
    for p in glob.glob(str(model_dir / "checkpoint_*"))
    if p.rsplit("_", 1)[1].isdigit()
  ]
  return pathlib.Path(max(steps, key=lambda p: int(p.rsplit("_", 1)[1])))


def feature_lengths(model_dir: pathlib.Path) -> str:
  """The TASK_FEATURE_LENGTHS the model was trained with (its config.gin)."""
  config = (model_dir / "config.gin").read_text()
  return next(
    line.split("=", 1)[1].strip()
    for line in config.splitlines()
    if line.startswith("TASK_FEATURE_LENGTHS")
  )


def predictions(tiny: TinyModel, tmp_path_factory) -> pathlib.Path:
  """`t5x.infer` on ie_tiny_zeroshot_eval: the last checkpoint of `tiny`.

  With the lengths the model was trained with and float32 parameters; made
  once per run for each model. Returns the JSONL file T5X wrote (one line
  per example of NER/synth_heldout's test split).
  """
  key = hashlib.sha256(str(tiny.model_dir).encode()).hexdigest()[:12]

  def infer(out_dir: pathlib.Path) -> None:
    proc = subprocess.run(
      [
        sys.executable,
        "-m",
        "t5x.infer",
        f"--gin_search_paths={','.join(search_paths())}",
        "--gin_file=gin/runs/infer.gin",
        "--gin_file=gin/models/tiny.gin",
        "--gin_file=gin/mixtures/ie_tiny.gin",
        "--gin.MIXTURE_OR_TASK_NAME='ie_tiny_zeroshot_eval'",
        f"--gin.TASK_FEATURE_LENGTHS={feature_lengths(tiny.model_dir)}",
        f"--gin.CHECKPOINT_PATH='{last_checkpoint(tiny.model_dir)}'",
        f"--gin.INFER_OUTPUT_DIR='{out_dir}'",
        "--gin.INFER_PARAM_DTYPE='float32'",
      ],
      cwd=REPO_ROOT,
      env=tiny.env,
      capture_output=True,
      text=True,
      timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]

  out_dir = built_once(shared_dir(tmp_path_factory) / f"infer_{key}", infer)
  return out_dir / PREDICTIONS_FILE
