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

"""Tests of the run planner (instructuie_jax.run_plan, tools/plan_run.py).

The per-device parameter shapes the planner predicts are compared with what
T5X's partitioner gives on simulated 8-device CPU meshes (a subprocess:
JAX reads XLA_FLAGS once): the tiny model initialized for real, Flan-T5 XXL
as shapes only (jax.eval_shape inside T5X's TrainStateInitializer).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys

import pytest

from instructuie_jax import run_plan, t5_params
from tests.conftest import REPO_ROOT

TINY = str(REPO_ROOT / "gin" / "models" / "tiny.gin")
XXL = str(REPO_ROOT / "gin" / "models" / "flan_t5_xxl.gin")
ROOTS = (str(REPO_ROOT),)


def test_model_dims_from_gin_macros():
  xxl_file = run_plan.read_model(XXL, ROOTS)
  xxl = xxl_file.dims
  assert (xxl.emb_dim, xxl.num_heads, xxl.head_dim, xxl.mlp_dim) == (
    4096,
    64,
    64,
    10240,
  )
  assert (xxl.num_encoder_layers, xxl.num_decoder_layers) == (24, 24)
  assert xxl.vocab_size == 32128  # from the included t5_1_1.gin
  assert xxl.num_mlp_activations == 2
  assert xxl_file.checkpoint_step == 1114000  # INITIAL_CHECKPOINT_PATH's step
  assert xxl_file.name == "flan_t5_xxl"
  tiny = run_plan.read_model(TINY, ROOTS).dims
  assert (tiny.emb_dim, tiny.vocab_size, tiny.num_heads) == (64, 1024, 4)


def test_required_macro_is_an_error(tmp_path):
  gin = tmp_path / "m.gin"
  gin.write_text(
    f"include '{os.path.relpath(XXL, REPO_ROOT)}'\nMLP_DIM = %gin.REQUIRED\n"
  )
  with pytest.raises(run_plan.PlanError, match="macro MLP_DIM"):
    run_plan.read_model(str(gin), ROOTS)


def test_parameter_count_of_flan_t5_xxl():
  params = t5_params.parameters(run_plan.read_model(XXL, ROOTS).dims)
  # 2 x embedding/logits (V x d) + 24 encoder layers x (4 d^2 + 3 d f) +
  # 24 decoder layers x (8 d^2 + 3 d f) + layer norms + relative biases.
  d, f, v = 4096, 10240, 32128
  expected = (
    2 * v * d
    + 24 * (4 * d * d + 3 * d * f + 2 * d)
    + 24 * (8 * d * d + 3 * d * f + 3 * d)
    + 2 * d
    + 2 * 64 * 32
  )
  assert t5_params.count(params) == expected == 11_135_332_352


def test_topologies():
  v4 = run_plan.parse_topology("v4-64")
  assert (v4.devices, v4.hosts) == (32, 8)
  assert run_plan.parse_topology("v5litepod-16").devices == 16
  gpu = run_plan.parse_topology("h200:2x8")
  assert (gpu.devices, gpu.hosts, gpu.accelerator.name) == (16, 2, "h200")
  for bad in ("v4-63", "h100:2x3", "tpu", "b200:1x8"):
    with pytest.raises(run_plan.PlanError, match="--topology"):
      run_plan.parse_topology(bad)


def test_divisibility_and_memory_arithmetic():
  dims = run_plan.read_model(XXL, ROOTS).dims
  run = run_plan.RunShape(256, 512, 50)
  assert run_plan.divisibility_problems(dims, run, 4, 8) == []
  problems = run_plan.divisibility_problems(dims, run, 3, 128)
  assert problems[0] == "batch 256 over data axis 3"
  assert any(p.startswith("heads 64") for p in problems)
  mem = run_plan.memory(dims, run, 4, 8)
  n = t5_params.count(t5_params.parameters(dims))
  # Embed dims are replicated; the rest is split 8 ways: 4 bytes each.
  replicated = 2 * 24 * 4096 + 24 * 3 * 4096 + 2 * 4096
  per_device = (n - replicated) // 8 + replicated
  assert mem.params == mem.gradients == 4 * per_device
  assert mem.optimizer == 2 * mem.params  # AdamW: two float32 moments.
  remat = run_plan.activation_bytes(
    dims, run_plan.RunShape(256, 512, 50, remat=True), 4, 8
  )
  assert remat < mem.activations
  factored = run_plan.memory(
    dims, run_plan.RunShape(256, 512, 50, optimizer="adafactor"), 4, 8
  )
  assert factored.optimizer < mem.params / 100


def test_steps_and_time():
  dims = run_plan.read_model(XXL, ROOTS).dims
  run = run_plan.RunShape(256, 512, 50)
  assert run_plan.steps(100_000, 5, 256) == math.ceil(500_000 / 256)
  flops = run_plan.step_flops(dims, run)
  params = t5_params.parameters(dims)
  enc = t5_params.count([p for p in params if p.name.startswith("encoder/")])
  dec = t5_params.count([p for p in params if p.name.startswith("decoder/")])
  assert flops == 6 * (enc * 256 * 512 + dec * 256 * 50)
  v4 = run_plan.parse_topology("v4-64")
  assert run_plan.step_seconds(dims, run, v4, 0.5) == pytest.approx(
    flops / (32 * 275e12 * 0.5)
  )


def _cli(*args):
  return subprocess.run(
    [sys.executable, "-m", "tools.plan_run", *args],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    check=False,
  )


def test_cli_plan_and_errors():
  result = _cli(
    "--model=flan_t5_xxl",
    "--topology=v4-64",
    "--batch_size=256",
    "--num_partitions=8",
    "--num_examples=100000",
    "--epochs=5",
    "--remat",
  )
  assert result.returncode == 0, result.stderr
  out = result.stdout
  assert "parameters 11,135,332,352" in out
  assert "steps      ceil(5 x 100,000 / 256) = 1,954" in out
  launch = out.split("\nlaunch:\n", 1)[1]
  # T5X's default 8-way v4 tile does not divide v4-64: tpu_v4.gin's does.
  assert "--gin_file=gin/partitioning/tpu_v4.gin \\" in launch
  assert "num_partitions" not in launch
  assert "--gin.TRAIN_STEPS_RELATIVE=1954\n" in launch  # fine-tuning steps
  assert (
    "# restartable job: --gin.TRAIN_STEPS=1115954 "
    "--gin.TRAIN_STEPS_RELATIVE=None" in launch
  )  # the checkpoint's step 1114000 + 1954
  bad = _cli("--model=flan_t5_xxl", "--topology=v4-64", "--num_partitions=3")
  assert bad.returncode == 2
  assert bad.stderr.strip() == (
    "error: --num_partitions=3: must divide the 32 devices of v4-64"
  )
  usage = _cli("--topology=v4-64")
  assert usage.returncode == 2
  assert usage.stderr.strip().splitlines() == [
    "error: --model and --topology are required"
  ]


# Runs in a subprocess with 8 CPU devices; prints, per mesh, every
# parameter's global shape, mesh axes and per-device shape as T5X's
# partitioner gives them, plus the AdamW state's per-device bytes.
_T5X_SHAPES = r"""
import json, sys
import gin, jax, numpy as np
from jax.sharding import Mesh, NamedSharding
import flax
import seqio
from t5x import models, optimizers, partitioning, utils
from t5x.examples.t5 import network

gin_file, meshes, real = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
gin.add_config_file_search_path(".")

@gin.configurable
def get_config(config=None):
  return config

gin.parse_config_files_and_bindings(
  [gin_file], ["DROPOUT_RATE = 0.0", "get_config.config = @network.T5Config()"])
config = get_config()
vocab = seqio.PassThroughVocabulary(size=config.vocab_size)
model = models.EncoderDecoderModel(
  module=network.Transformer(config=config),
  input_vocabulary=vocab,
  output_vocabulary=vocab,
  optimizer_def=optimizers.adamw(learning_rate=1e-4),
)

class Partitioner(partitioning.PjitPartitioner):
  def __init__(self, shape, **kwargs):
    self._shape = tuple(shape)
    super().__init__(num_partitions=shape[1], **kwargs)

  @property
  def mesh(self):
    devices = np.array(jax.devices()).reshape(self._shape)
    return Mesh(devices, ("data", "model"))

report = {}
for shape in meshes:
  partitioner = Partitioner(
    shape, logical_axis_rules=partitioning.standard_logical_axis_rules())
  initializer = utils.TrainStateInitializer(
    optimizer_def=model.optimizer_def,
    init_fn=model.get_initial_variables,
    input_shapes={
      "encoder_input_tokens": (8, 16),
      "decoder_input_tokens": (8, 8),
    },
    partitioner=partitioner,
  )
  abstract = initializer.global_train_state_shape
  axes = initializer.train_state_axes
  mesh = partitioner.mesh
  flat_shape = flax.traverse_util.flatten_dict(
    flax.core.unfreeze(abstract.params), sep="/")
  flat_axes = flax.traverse_util.flatten_dict(
    flax.core.unfreeze(axes.params), sep="/")
  params = {}
  for name, leaf in flat_shape.items():
    spec = flat_axes[name]
    params[name] = {
      "shape": list(leaf.shape),
      "spec": [s for s in spec],
      "shard_shape": list(NamedSharding(mesh, spec).shard_shape(leaf.shape)),
    }
  opt_bytes = 0
  for leaf, spec in zip(
      jax.tree_util.tree_leaves(abstract.param_states),
      jax.tree_util.tree_leaves(
        axes.param_states, is_leaf=lambda x: x is None or
        isinstance(x, jax.sharding.PartitionSpec))):
    per_device = NamedSharding(
      mesh, spec or jax.sharding.PartitionSpec()).shard_shape(leaf.shape)
    if leaf.ndim:
      opt_bytes += int(np.prod(per_device)) * leaf.dtype.itemsize
  entry = {"params": params, "optimizer_bytes": opt_bytes}
  if real == "1":
    state = initializer.from_scratch(jax.random.PRNGKey(0))
    flat = flax.traverse_util.flatten_dict(
      flax.core.unfreeze(state.params), sep="/")
    entry["real_shard_shapes"] = {
      name: list(array.addressable_shards[0].data.shape)
      for name, array in flat.items()
    }
  report["x".join(map(str, shape))] = entry
print("REPORT " + json.dumps(report))
"""


def _t5x_shapes(gin_file: str, meshes, real: bool) -> dict:
  env = dict(
    os.environ,
    PYTHONPATH=str(REPO_ROOT),
    JAX_PLATFORMS="cpu",
    XLA_FLAGS="--xla_force_host_platform_device_count=8",
  )
  result = subprocess.run(
    [
      sys.executable,
      "-c",
      _T5X_SHAPES,
      gin_file,
      json.dumps(meshes),
      "1" if real else "0",
    ],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=env,
    timeout=900,
    check=False,
  )
  assert result.returncode == 0, result.stderr[-3000:]
  line = next(x for x in result.stdout.splitlines() if x.startswith("REPORT "))
  return json.loads(line[len("REPORT ") :])


def _check(gin_file: str, report: dict) -> None:
  dims = run_plan.read_model(gin_file, ROOTS).dims
  predicted = {p.name: p for p in t5_params.parameters(dims)}
  run = run_plan.RunShape(8, 16, 8)
  for mesh_name, entry in report.items():
    data, model = map(int, mesh_name.split("x"))
    mesh = {"data": data, "model": model}
    t5x = entry["params"]
    assert sorted(t5x) == sorted(predicted), mesh_name
    for name, got in t5x.items():
      param = predicted[name]
      assert tuple(got["shape"]) == param.shape, name
      spec = [None if s is None else s for s in got["spec"]]
      spec += [None] * (len(param.shape) - len(spec))
      assert tuple(spec) == run_plan.mesh_axes(param), name
      assert tuple(got["shard_shape"]) == run_plan.shard_shape(param, mesh)
      if "real_shard_shapes" in entry:
        assert entry["real_shard_shapes"][name] == got["shard_shape"], name
    memory = run_plan.memory(dims, run, data, model)
    t5x_bytes = sum(4 * math.prod(p["shard_shape"]) for p in t5x.values())
    assert memory.params == t5x_bytes, mesh_name
    assert memory.optimizer == entry["optimizer_bytes"], mesh_name


@pytest.mark.slow
def test_tiny_shapes_match_t5x_partitioner():
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  report = _t5x_shapes(TINY, [[4, 2], [2, 4], [8, 1]], real=True)
  _check(TINY, report)


@pytest.mark.slow
def test_flan_t5_xxl_shapes_match_t5x_partitioner():
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  report = _t5x_shapes(XXL, [[1, 8], [8, 1], [4, 2]], real=False)
  _check(XXL, report)


def test_launch_command_is_valid_shell():
  result = _cli(
    "--model=flan_t5_xl",
    "--topology=v5e-16",
    "--batch_size=8",
    "--packed_lengths=3072,448",
    "--examples_per_row=28",
    "--num_examples=64124",
    "--optimizer=adafactor",
  )
  assert result.returncode == 0, result.stderr
  launch = result.stdout.split("\nlaunch:\n", 1)[1]
  assert "--gin_file=gin/runs/packed_train.gin" in launch
  assert "--gin.PACKED_BATCH_SIZE=8" in launch
  check = subprocess.run(
    ["bash", "-n"], input=launch, capture_output=True, text=True, check=False
  )
  assert check.returncode == 0, check.stderr


def test_v5e_submeshes_follow_the_gin_table():
  """`v5e_submesh` agrees with the table in gin/partitioning/tpu_v5e.gin."""
  header = (REPO_ROOT / "gin" / "partitioning" / "tpu_v5e.gin").read_text()
  table = {
    1 if way == "" else int(way): tuple(int(x) for x in tile.split(", "))
    for tile, way in re.findall(
      r"#\s+\((\d, \d, \d, \d)\)\s+(?:data parallel|(\d+)-way)", header
    )
  }
  assert set(table) == {1, 4, 8}, table
  for model, tile in table.items():
    assert run_plan.v5e_submesh(16, model) == tile
  assert run_plan.v5e_submesh(8, 8) == (2, 4, 1, 1)
  assert run_plan.v5e_submesh(4, 8) is None
  v4 = run_plan.parse_topology("v4-64")
  assert run_plan.mesh_problem(v4, 8) is None
  assert "no default v4 mesh" in run_plan.mesh_problem(v4, 32)


# Plans whose launch commands are checked: (flags, expected in the launch).
_LAUNCHES = [
  (
    (
      "--model=flan_t5_xxl",
      "--topology=v4-64",
      "--num_partitions=8",
      "--num_examples=100000",
    ),
    {"num_partitions": None, "submesh": [2, 2, 2, 1], "relative_steps": 1954},
  ),
  (
    (
      "--model=flan_t5_xl",
      "--topology=v5e-16",
      "--batch_size=8",
      "--num_partitions=4",
      "--packed_lengths=3072,448",
      "--examples_per_row=28",
      "--num_examples=64124",
      "--optimizer=adafactor",
    ),
    {"num_partitions": None, "submesh": [2, 2, 1, 1], "pack": True},
  ),
  (
    ("--model=flan_t5_large", "--topology=h100:1x8", "--num_examples=5000"),
    {"num_partitions": 1, "submesh": None, "relative_steps": 98},
  ),
]


def _launch(flags: tuple[str, ...]) -> str:
  result = _cli(*flags)
  assert result.returncode == 0, result.stderr
  return result.stdout.split("\nlaunch:\n", 1)[1]


@pytest.mark.parametrize("flags", [f for f, _ in _LAUNCHES])
def test_launch_gin_files_exist(flags):
  """Every `--gin_file=` the planner prints is a file of this repository."""
  launch = _launch(flags)
  files = re.findall(r"--gin_file=(\S+)", launch)
  assert files[0].startswith("gin/runs/finetune_")
  for path in files:
    assert (REPO_ROOT / path).is_file(), path
  assert "$(python -m tools.gin_search_paths)" in launch


# Stands in for `python -m t5x.train` in the printed command: reads the same
# flags and parses the gin files and bindings as t5x.train does (strictly,
# finalized), then reports what the run would get instead of training.
_PARSE_ONLY = r"""
import json
import __main__
import gin
from absl import flags
from t5x import gin_utils
from t5x import train as t5x_train

__main__.train = t5x_train.train  # What the run files bind (train_script).
flags.DEFINE_multi_string("gin_file", None, "")
flags.DEFINE_multi_string("gin_bindings", [], "")
flags.DEFINE_list("gin_search_paths", ["."], "")
FLAGS = flags.FLAGS


def main(argv):
  assert len(argv) == 1, argv
  gin_utils.parse_gin_flags(
    FLAGS.gin_search_paths + t5x_train._DEFAULT_GIN_SEARCH_PATHS,
    FLAGS.gin_file,
    FLAGS.gin_bindings,
  )
  import seqio

  bindings = gin.get_bindings(t5x_train.train)
  partitioner = bindings["partitioner"]
  dataset = bindings["train_dataset_cfg"]
  seqio.get_mixture_or_task(dataset.mixture_or_task_name)  # registered
  submesh = partitioner._model_parallel_submesh
  print("PARSED " + json.dumps({
    "num_partitions": partitioner._num_partitions,
    "submesh": list(submesh) if submesh else None,
    "relative_steps": bindings["relative_steps"],
    "mixture": dataset.mixture_or_task_name,
    "pack": dataset.pack,
    "batch_size": dataset.batch_size,
  }))


gin_utils.run(main)
"""


@pytest.mark.slow
@pytest.mark.parametrize("flags,expected", _LAUNCHES)
def test_launch_command_parses_with_t5x(flags, expected):
  """The printed command, run by bash as printed, parses with T5X's gin.

  `python -m t5x.train` is replaced (a bash function) by `_PARSE_ONLY`,
  which parses the flags as t5x.train does; `$(python -m
  tools.gin_search_paths)` runs for real.
  """
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  launch = _launch(flags)
  script = (
    "python() { if [ \"$1 $2\" = '-m t5x.train' ]; then shift 2; "
    '"$PY" -c "$PARSE_ONLY" "$@"; else "$PY" "$@"; fi; }\n' + launch
  )
  result = subprocess.run(
    ["bash", "-c", script],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=dict(
      os.environ,
      PY=sys.executable,
      PARSE_ONLY=_PARSE_ONLY,
      PYTHONPATH=str(REPO_ROOT),
      JAX_PLATFORMS="cpu",
    ),
    timeout=600,
    check=False,
  )
  assert result.returncode == 0, result.stderr[-3000:]
  line = next(x for x in result.stdout.splitlines() if x.startswith("PARSED "))
  parsed = json.loads(line[len("PARSED ") :])
  for key, value in expected.items():
    assert parsed[key] == value, (key, parsed)
  assert parsed["mixture"] == "ie_instructions_supervised"


@pytest.mark.slow
def test_mixture_steps_and_available_name(shared_data_dir):
  """--mixture counts the tasks with data and launches NAME_available."""
  result = _cli(
    "--model=flan_t5_xl",
    "--topology=h100:1x8",
    "--mixture=ie_instructions_supervised",
    f"--data_dir={shared_data_dir}",
    "--epochs=5",
  )
  assert result.returncode == 0, result.stderr
  out = result.stdout
  assert "mixture ie_instructions_supervised rates" in out
  launch = out.split("\nlaunch:\n", 1)[1]
  assert (
    "--gin.MIXTURE_OR_TASK_NAME=\"'ie_instructions_supervised_available'\""
    in launch
  )
  assert (
    f"--gin.data_settings.ie_instructions_dir=\"'{shared_data_dir}'\"" in launch
  )
  unknown = _cli("--model=flan_t5_xl", "--topology=v4-8", "--mixture=nope")
  assert unknown.returncode == 2
  # (TensorFlow's C++ logging may write before it, when seqio is imported.)
  error = unknown.stderr.strip().splitlines()[-1]
  assert error.startswith("error: --mixture=nope: unknown; known: ")
