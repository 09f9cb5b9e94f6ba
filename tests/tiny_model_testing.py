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

"""A tiny trained T5X model for the extraction and serving tests.

`tiny_model(tmp_path_factory)` trains the tiny model of
gin/runs/local_tiny.gin for a few steps on a small synthetic data set with
the byte vocabulary (one `t5x.train` subprocess, about a minute) and caches
it in the session's base temporary directory, so every test module of a
pytest session shares one model.

`INSTRUCTUIE_TINY_RUN=WORK_DIR` uses a finished `tools.run_local_tiny` run
instead (its `model/`, `vocab.model` and `data/`; the byte vocabulary when
there is no `vocab.model`), e.g. to see real extractions on the demo page's
screenshot.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import subprocess
import sys

from instructuie_jax import tiny_data

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV_RUN = "INSTRUCTUIE_TINY_RUN"
TRAIN_STEPS = 12


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
  import t5x  # noqa: PLC0415

  return [os.path.dirname(os.path.dirname(t5x.__file__)), str(REPO_ROOT)]


def _env(data_dir: pathlib.Path, vocabulary: str) -> dict[str, str]:
  env = dict(os.environ)
  env.update(
    IE_TINY_DIR=str(data_dir),
    IE_INSTRUCTIONS_VOCAB=vocabulary,
    JAX_PLATFORMS="cpu",
    PYTHONPATH=os.pathsep.join(
      [str(REPO_ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    ),
    TF_CPP_MIN_LOG_LEVEL="3",
  )
  return env


def tiny_model(tmp_path_factory) -> TinyModel:
  """The session's tiny model (see the module docstring)."""
  run = os.environ.get(ENV_RUN)
  if run:
    run_dir = pathlib.Path(run)
    vocab_file = run_dir / "vocab.model"
    vocabulary = str(vocab_file) if vocab_file.exists() else "byte"
    data_dir = run_dir / "data"
    return TinyModel(
      run_dir / "model", vocabulary, data_dir, _env(data_dir, vocabulary)
    )
  root = tmp_path_factory.getbasetemp() / "extract_tiny_model"
  data_dir, model_dir = root / "data", root / "model"
  env = _env(data_dir, "byte")
  done = root / "DONE"
  if not done.exists():
    tiny_data.write_datasets(str(data_dir), seed=0, num_train=200, num_eval=16)
    proc = subprocess.run(
      [
        sys.executable,
        "-m",
        "t5x.train",
        f"--gin_search_paths={','.join(search_paths())}",
        "--gin_file=gin/runs/local_tiny.gin",
        f"--gin.MODEL_DIR='{model_dir}'",
        f"--gin.TRAIN_STEPS={TRAIN_STEPS}",
        "--gin.BATCH_SIZE=8",
        "--gin.TASK_FEATURE_LENGTHS={'inputs': 384, 'targets': 32}",
        "--gin_bindings=utils.SaveCheckpointConfig.period = 1000",
        "--gin_bindings=train.infer_eval_dataset_cfg = None",
      ],
      cwd=REPO_ROOT,
      env=env,
      capture_output=True,
      text=True,
      timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    done.write_text("ok\n")
  return TinyModel(model_dir, "byte", data_dir, env)
