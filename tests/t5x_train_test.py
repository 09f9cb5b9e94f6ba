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

"""T5X end to end on CPU: sharded training, kill and resume, eval, infer.

Each T5X run is a subprocess (JAX reads XLA_FLAGS once, at start), on the
tiny model and a small synthetic data set, with the byte vocabulary. The data
set and the trained model that eval, infer and fine-tuning start from are
the ones the extraction and serving tests use too (tests/tiny_model_testing.py).
"""

from __future__ import annotations

import glob
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip(
  "t5x",
  reason="T5X not installed (README: Install T5X)",
)

from instructuie_jax import metrics  # noqa: E402
from tests import tiny_model_testing  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

# Trains with t5x.train's own function and reports the final state as JSON:
# step, and for every parameter its sharding spec, mesh and shard shape.
_TRAIN_AND_REPORT = r"""
import json, os, sys
import flax, gin, numpy as np
import orbax.checkpoint as ocp
from t5x import gin_utils
from t5x.train import train  # bound by the gin files' `__main__.train`

files, bindings = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = sys.argv[3]
train_using_gin = gin.configurable(train)
gin_utils.parse_gin_flags(json.loads(sys.argv[4]), files, bindings)
step, state = train_using_gin()
flat = flax.traverse_util.flatten_dict(
    flax.core.unfreeze(state.params), sep="/")
report = {"step": int(step), "params": {}}
for name, array in flat.items():
  sharding = array.sharding
  report["params"][name] = {
      "shape": list(array.shape),
      "spec": [s if s is None or isinstance(s, str) else list(s)
               for s in getattr(sharding, "spec", ())],
      "mesh": dict(getattr(getattr(sharding, "mesh", None), "shape", {})),
      "shard_shape": list(array.addressable_shards[0].data.shape),
  }
checkpoint = os.environ.get("COMPARE_CHECKPOINT")
if checkpoint:
  stored = ocp.PyTreeCheckpointer().restore(os.path.join(checkpoint, "state"))
  stored_flat = flax.traverse_util.flatten_dict(stored["target"], sep="/")
  report["stored_step"] = int(np.asarray(stored["state"]["step"]))
  report["same_names"] = sorted(stored_flat) == sorted(flat)
  report["max_abs_diff"] = max(
      float(np.max(np.abs(np.asarray(stored_flat[k]) - np.asarray(flat[k]))))
      for k in flat)
with open(out, "w") as f:
  json.dump(report, f)
"""

_FAST = [
  "BATCH_SIZE = 8",
  "train.infer_eval_dataset_cfg = None",
]


_search_paths = tiny_model_testing.search_paths


@pytest.fixture(scope="module")
def data_env(tmp_path_factory) -> dict[str, str]:
  """Environment of the T5X subprocesses: a small tiny data set, byte vocab."""
  return tiny_model_testing.env(
    tiny_model_testing.shared_tiny_data(tmp_path_factory),
    "byte",
    tiny_model_testing.compilation_cache(tmp_path_factory),
  )


def _train(env, files, bindings, tmp_path, extra_env=None) -> dict:
  out = tmp_path / f"report_{time.monotonic_ns()}.json"
  args = [json.dumps(files), json.dumps(bindings), str(out)]
  args.append(json.dumps(_search_paths()))
  proc = subprocess.run(
    [sys.executable, "-c", _TRAIN_AND_REPORT, *args],
    cwd=REPO_ROOT,
    env={**env, **(extra_env or {})},
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  return json.loads(out.read_text())


def test_one_step_data_x_model_parallel(data_env, tmp_path):
  """One step on 8 CPU devices: 4-way data x 2-way model parallel."""
  report = _train(
    data_env,
    ["gin/runs/local_tiny.gin", "gin/partitioning/local_mesh.gin"],
    [f"MODEL_DIR = '{tmp_path / 'model'}'", "TRAIN_STEPS = 1", *_FAST],
    tmp_path,
    {"XLA_FLAGS": "--xla_force_host_platform_device_count=8"},
  )
  assert report["step"] == 1
  params = report["params"]
  for p in params.values():
    assert p["mesh"] == {"data": 4, "model": 2}
  # (vocab, embed) -> ('model', None): the 1024 rows split in two.
  embedding = params["token_embedder/embedding"]
  assert embedding["shape"] == [1024, 64]
  assert embedding["spec"] == ["model", None]
  assert embedding["shard_shape"] == [512, 64]
  # (embed, mlp) -> (None, 'model').
  wi = params["encoder/layers_0/mlp/wi_0/kernel"]
  assert wi["spec"] == [None, "model"]
  assert wi["shard_shape"] == [64, 128]
  # (embed, joined_kv) -> (None, 'model'); 4 heads x 16.
  query = params["decoder/layers_1/encoder_decoder_attention/query/kernel"]
  assert query["shard_shape"] == [64, 32]
  # Layer norms are replicated.
  norm = params["encoder/encoder_norm/scale"]
  assert norm["shard_shape"] == [64]
  sharded = [n for n, p in params.items() if p["shard_shape"] != p["shape"]]
  assert len(sharded) >= len(params) // 2


def test_packed_rows_from_the_indexed_mixture(data_env, tmp_path):
  """Packed rows from indexed_mixture; a restart restores the stream."""
  model_dir = tmp_path / "model"
  bindings = [
    f"MODEL_DIR = '{model_dir}'",
    "PACKED_FEATURE_LENGTHS = {'inputs': 1024, 'targets': 256}",
    "PACKED_BATCH_SIZE = 2",
    "INDEXED_BLOCK_SIZE = 64",
    "utils.SaveCheckpointConfig.period = 2",
    *_FAST,
  ]
  files = ["gin/runs/local_tiny.gin", "gin/runs/packed_train.gin"]
  report = _train(data_env, files, ["TRAIN_STEPS = 2", *bindings], tmp_path)
  assert report["step"] == 2
  saved = glob.glob(str(model_dir / "checkpoint_2" / "dataset" / "train_ds-*"))
  assert saved, sorted(os.listdir(model_dir / "checkpoint_2"))
  report = _train(data_env, files, ["TRAIN_STEPS = 4", *bindings], tmp_path)
  assert report["step"] == 4
  assert glob.glob(str(model_dir / "checkpoint_4" / "dataset" / "train_ds-*"))


def _finished_checkpoints(model_dir: pathlib.Path) -> list[int]:
  steps = []
  for path in glob.glob(str(model_dir / "checkpoint_*")):
    suffix = os.path.basename(path)[len("checkpoint_") :]
    if suffix.isdigit():  # unfinished saves carry a tmp suffix
      steps.append(int(suffix))
  return sorted(steps)


def test_kill_and_resume(data_env, tmp_path):
  """SIGKILL mid-training, restart: the latest checkpoint's step and params."""
  model_dir = tmp_path / "model"
  bindings = [
    f"MODEL_DIR = '{model_dir}'",
    "utils.SaveCheckpointConfig.period = 2",
    "utils.SaveCheckpointConfig.keep = None",
    *_FAST,
  ]
  command = [
    sys.executable,
    "-m",
    "t5x.train",
    f"--gin_search_paths={','.join(_search_paths())}",
    "--gin_file=gin/runs/local_tiny.gin",
    "--gin.TRAIN_STEPS=100000",
    *[f"--gin_bindings={b}" for b in bindings],
  ]
  proc = subprocess.Popen(
    command,
    cwd=REPO_ROOT,
    env=data_env,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
  )
  try:
    deadline = time.monotonic() + 300
    while not any(s >= 4 for s in _finished_checkpoints(model_dir)):
      assert proc.poll() is None, "training exited before checkpoint_4"
      assert time.monotonic() < deadline, "no checkpoint_4 within 300 s"
      time.sleep(0.5)
  finally:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
  latest = _finished_checkpoints(model_dir)[-1]
  assert latest >= 4 and latest % 2 == 0

  # TRAIN_STEPS = latest: restore only, no further step.
  report = _train(
    data_env,
    ["gin/runs/local_tiny.gin"],
    [f"TRAIN_STEPS = {latest}", *bindings],
    tmp_path,
    {"COMPARE_CHECKPOINT": str(model_dir / f"checkpoint_{latest}")},
  )
  assert report["step"] == latest
  assert report["stored_step"] == latest
  assert report["same_names"]
  assert report["max_abs_diff"] == 0.0

  # Training goes on from there.
  report = _train(
    data_env,
    ["gin/runs/local_tiny.gin"],
    [f"TRAIN_STEPS = {latest + 2}", *bindings],
    tmp_path,
  )
  assert report["step"] == latest + 2


@pytest.fixture(scope="module")
def trained_dir(data_env, tmp_path_factory) -> pathlib.Path:
  """A model directory with checkpoints 0, 2 and 4 of the tiny model.

  The shared one, trained on `data_env`'s data; the tests only read it.
  """
  tiny = tiny_model_testing.shared_tiny_model(tmp_path_factory)
  assert tiny.data_dir == pathlib.Path(data_env["IE_TINY_DIR"])
  assert _finished_checkpoints(tiny.model_dir) == [0, 2, 4]
  return tiny.model_dir


def _run_t5x(main: str, env, flags: list[str]) -> None:
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      main,
      f"--gin_search_paths={','.join(_search_paths())}",
      *flags,
    ],
    cwd=REPO_ROOT,
    env=env,
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]


def test_eval_reports_per_dataset_f1(data_env, trained_dir, tmp_path):
  """t5x.eval over every checkpoint writes our per-dataset NER F1."""
  _run_t5x(
    "t5x.eval",
    data_env,
    [
      "--gin_file=gin/runs/eval.gin",
      "--gin_file=gin/models/tiny.gin",
      "--gin_file=gin/mixtures/ie_tiny.gin",
      "--gin.MIXTURE_OR_TASK_NAME='ie_tiny_zeroshot_eval'",
      f"--gin.CHECKPOINT_PATH='{trained_dir}'",
      f"--gin.EVAL_OUTPUT_DIR='{tmp_path}'",
    ],
  )
  path = (
    tmp_path
    / "inference_eval"
    / ("instructuie_ner_synth_heldout-metrics.jsonl")
  )
  rows = [json.loads(line) for line in path.read_text().splitlines()]
  assert sorted(r["step"] for r in rows) == [0, 2, 4]
  for row in rows:  # per-dataset keys: "{dataset}/{metric}"
    assert 0.0 <= row["synth_heldout/ner_f1"] <= 100.0
    assert {"synth_heldout/ner_precision", "synth_heldout/ner_recall"} <= set(
      row
    )


def test_infer_then_score(data_env, trained_dir, tmp_path, tmp_path_factory):
  """t5x.infer writes one JSONL line per test example; score.py reads them."""
  tiny = tiny_model_testing.shared_tiny_model(tmp_path_factory)
  assert tiny.model_dir == trained_dir
  # The run the extraction tests compare with too: checkpoint_4, on the
  # held-out test split.
  written = tiny_model_testing.predictions(tiny, tmp_path_factory)
  assert tiny_model_testing.last_checkpoint(trained_dir).name == "checkpoint_4"
  predictions = tmp_path / "predictions"
  predictions.mkdir()
  path = predictions / written.name
  shutil.copyfile(written, path)
  rows = [json.loads(line) for line in open(path, encoding="utf-8")]
  assert len(rows) == 16
  for row in rows:
    assert isinstance(row["prediction"], str)
    assert "Text: " in row["inputs"]["inputs_pretokenized"]
    assert "targets_pretokenized" in row["inputs"]

  proc = subprocess.run(
    [
      sys.executable,
      "tools/score.py",
      f"--predictions={predictions}",
      f"--out_dir={tmp_path / 'scores'}",
    ],
    cwd=REPO_ROOT,
    env=data_env,
    capture_output=True,
    text=True,
    timeout=300,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  scores = json.loads((tmp_path / "scores" / "metrics.json").read_text())
  assert scores["num_examples"] == 16
  ner = scores["datasets"]["synth_heldout"]["NER"]["ner"]
  # Every gold entity of the test split is counted once (tp + fn), and F1 is
  # what the metric library gives on the predictions as T5X wrote them.
  test_file = (
    pathlib.Path(data_env["IE_TINY_DIR"]) / "NER/synth_heldout/test.json"
  )
  gold = json.loads(test_file.read_text(encoding="utf-8"))
  assert ner["tp"] + ner["fn"] == sum(len(x["entities"]) for x in gold) > 0
  tally = metrics.tally_texts(
    "NER",
    [r["inputs"]["targets_pretokenized"] for r in rows],
    [r["prediction"] for r in rows],
  )
  counts = tally.counts["ner"]
  assert (ner["tp"], ner["fp"], ner["fn"]) == (counts.tp, counts.fp, counts.fn)
  assert ner["f1"] == pytest.approx(counts.f1)


_FINETUNE_TINY = """
from __gin__ import dynamic_registration
from t5x import optimizers
include 'gin/runs/finetune_common.gin'
include 'gin/models/tiny.gin'
include 'gin/mixtures/ie_tiny.gin'
MIXTURE_OR_TASK_NAME = 'ie_tiny_train'
OPTIMIZER = @optimizers.adamw()
EVAL_MIXTURE_OR_TASK_NAME = 'ie_tiny_eval'
"""


def test_finetune_from_adafactor_checkpoint_with_adamw(
  data_env, trained_dir, tmp_path
):
  """finetune_common.gin restores an Adafactor checkpoint into AdamW."""
  config = tmp_path / "finetune_tiny.gin"
  config.write_text(_FINETUNE_TINY)
  checkpoint = trained_dir / "checkpoint_4"
  report = _train(
    data_env,
    [str(config)],
    [
      f"MODEL_DIR = '{tmp_path / 'model'}'",
      f"INITIAL_CHECKPOINT_PATH = '{checkpoint}'",
      "TRAIN_STEPS_RELATIVE = 1",  # One step after the checkpoint's 4.
      *_FAST,
    ],
    tmp_path,
    {"COMPARE_CHECKPOINT": str(checkpoint)},
  )
  assert report["step"] == 5
  assert report["same_names"]
  # One AdamW step at 5e-5 moves each weight by about 5e-5; a model
  # initialised from scratch would differ by far more.
  assert 0.0 < report["max_abs_diff"] < 1e-3


def test_partial_benchmark_by_name(data_env, shared_data_dir, tmp_path):
  """t5x.train on the part of a mixture that has data, chosen by name."""
  model_dir = tmp_path / "model"
  report = _train(
    data_env,
    ["gin/runs/local_tiny.gin"],
    [
      f"MODEL_DIR = '{model_dir}'",
      "TRAIN_STEPS = 1",
      "MIXTURE_OR_TASK_NAME = 'ie_instructions_supervised_available'",
      "TASK_FEATURE_LENGTHS = {'inputs': 512, 'targets': 64}",
      f"tasks.settings.data_settings.ie_instructions_dir = '{shared_data_dir}'",
      *_FAST,
    ],
    tmp_path,
  )
  assert report["step"] == 1
  record = json.loads((model_dir / "left_out_tasks.json").read_text())
  part = record["ie_instructions_supervised_available"]
  assert "instructuie_ner_bc5cdr" in part["kept"]
  assert "instructuie_eea_casie" in part["kept"]
  assert "ACE05" in part["left_out"]["instructuie_ee_ace05"]
