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

"""Arithmetic of a T5X fine-tuning run: shapes, memory, steps and time.

Pure arithmetic, no JAX: `tools/plan_run.py` prints it; tests check the
per-device parameter shapes against T5X's partitioner on simulated meshes.

* Model: the macros of a `gin/models/*.gin` file (`EMBED_DIM`, `NUM_HEADS`,
  `HEAD_DIM`, `MLP_DIM`, `NUM_ENCODER_LAYERS`, `NUM_DECODER_LAYERS`,
  `VOCAB_SIZE`, ...) read by `read_model` (includes followed) into a
  `t5_params.T5Dims`, and the parameter table of `t5_params` (T5X's
  `t5x.examples.t5.network`, the T5 1.1 / Flan-T5 network of
  gin/models/t5_1_1.gin).
* Mesh: devices = `data x model` with `model = num_partitions`; T5X's
  standard logical axis rules shard `vocab`, `mlp`, `heads` and `joined_kv`
  over `model` and replicate `embed`; batch goes over `data`. Whether T5X
  can lay that mesh out (`mesh_problem`): from `num_partitions` on TPU v4
  and GPUs, from a `model_parallel_submesh` tile on v5e (`v5e_submesh`).
* Memory per device: float32 parameters, float32 gradients, optimizer state
  (AdamW: two float32 moments; Adafactor: factored second moments), and
  activations (bfloat16; see `activation_bytes`). The activation numbers
  are estimates of what is kept for the backward pass, not XLA's peak.
* Steps: `ceil(epochs x examples / examples per step)`.
* Time: step FLOPs by the 6·N·tokens rule, split by stack:
  `6 x (N_encoder x input tokens + N_decoder x target tokens)` per step
  (N_decoder includes the output projection; the embedding lookup, the
  attention-score products and the relative-position biases are left
  out), divided by `devices x peak bf16 FLOP/s x MFU`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping, Sequence

from instructuie_jax import gin_files, t5_params
from instructuie_jax.t5_params import Param, T5Dims

GIB = 1024**3


class PlanError(ValueError):
  """A bad plan input; the message is one line naming what is wrong."""


# ------------------------------------------------------------------- model


@dataclasses.dataclass(frozen=True)
class ModelFile:
  """What a model gin file says about its network.

  Attributes:
    name: The file's name without `.gin`.
    dims: The network's sizes.
    checkpoint_step: The step in `INITIAL_CHECKPOINT_PATH`
      (`.../checkpoint_1114000`); None when the file names no checkpoint.
  """

  name: str
  dims: T5Dims
  checkpoint_step: int | None = None


_DIM_MACROS = {
  "emb_dim": "EMBED_DIM",
  "num_heads": "NUM_HEADS",
  "head_dim": "HEAD_DIM",
  "mlp_dim": "MLP_DIM",
  "num_encoder_layers": "NUM_ENCODER_LAYERS",
  "num_decoder_layers": "NUM_DECODER_LAYERS",
  "vocab_size": "VOCAB_SIZE",
}


_CHECKPOINT_STEP = re.compile(r"checkpoint_(\d+)/?$")


def read_model(path: str, search_paths: Sequence[str] = (".",)) -> ModelFile:
  """The `ModelFile` of a model gin file.

  The file and the files it includes under `search_paths` are read with
  `gin_files.read_bindings` (T5X's own files, not found there, are
  skipped); the sizes are its macros (`EMBED_DIM`, ...), the layout its
  `T5Config.mlp_activations` and `T5Config.logits_via_embedding`.

  Raises:
    PlanError: PATH unreadable, or a size macro missing, still
      `%gin.REQUIRED`, or not a positive integer.
  """
  try:
    macros = gin_files.read_bindings(path, search_paths)
  except gin_files.GinFileError as e:
    raise PlanError(str(e)) from None
  values: dict[str, int] = {}
  for field, macro in _DIM_MACROS.items():
    value = macros.get(macro)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
      raise PlanError(
        f"{path}: macro {macro}: expected a positive integer, got {value!r}"
      )
    values[field] = value
  activations = macros.find(
    "T5Config.mlp_activations", t5_params.MLP_ACTIVATIONS
  )
  logits = macros.find("T5Config.logits_via_embedding", False)
  checkpoint = _CHECKPOINT_STEP.search(
    str(macros.get("INITIAL_CHECKPOINT_PATH", ""))
  )
  dims = T5Dims(
    num_mlp_activations=len(activations)
    if isinstance(activations, tuple | list)
    else 1,
    logits_via_embedding=bool(logits),
    **values,
  )
  return ModelFile(
    name=os.path.splitext(os.path.basename(path))[0],
    dims=dims,
    checkpoint_step=int(checkpoint[1]) if checkpoint else None,
  )


# ------------------------------------------------------------- sharding


# T5X's partitioning.standard_logical_axis_rules() (1-D parameter and
# activation partitioning): logical axis -> mesh axis.
STANDARD_RULES: dict[str, str | None] = {
  "batch": "data",
  "vocab": "model",
  "embed": None,
  "mlp": "model",
  "heads": "model",
  "kv": None,
  "joined_kv": "model",
  "relpos_buckets": None,
}


def mesh_axes(param: Param) -> tuple[str | None, ...]:
  """The mesh axis of each dimension under `STANDARD_RULES`."""
  return tuple(STANDARD_RULES.get(axis) for axis in param.axes)


def shard_shape(
  param: Param, mesh: Mapping[str, int]
) -> tuple[int, ...] | None:
  """Per-device shape of `param` on `mesh`; None when a dim does not divide."""
  shape = []
  for size, axis in zip(param.shape, mesh_axes(param), strict=True):
    parts = mesh.get(axis, 1) if axis else 1
    if size % parts:
      return None
    shape.append(size // parts)
  return tuple(shape)


# ------------------------------------------------------------- topologies


@dataclasses.dataclass(frozen=True)
class Accelerator:
  """One accelerator kind.

  Attributes:
    name: Short name ("v4", "v5e", "h100", ...).
    hbm_bytes: Memory per JAX device.
    peak_bf16_flops: Dense bf16 peak FLOP/s per JAX device.
    kind: "tpu" or "gpu".
    cores_per_chip: TPU slice names count TensorCores (v4, v5p: 2 per chip,
      one JAX device per chip with megacore); 1 elsewhere.
    note: Where the numbers come from.
  """

  name: str
  hbm_bytes: int
  peak_bf16_flops: float
  kind: str
  cores_per_chip: int = 1
  note: str = ""


ACCELERATORS: dict[str, Accelerator] = {
  a.name: a
  for a in (
    Accelerator(
      "v4",
      32 * GIB,
      275e12,
      "tpu",
      2,
      "Cloud TPU v4: 32 GiB HBM2, 275 TFLOP/s bf16 per chip",
    ),
    Accelerator(
      "v5e",
      16 * GIB,
      197e12,
      "tpu",
      1,
      "Cloud TPU v5e: 16 GiB HBM2, 197 TFLOP/s bf16 per chip",
    ),
    Accelerator(
      "v5p",
      95 * GIB,
      459e12,
      "tpu",
      2,
      "Cloud TPU v5p: 95 GiB HBM2e, 459 TFLOP/s bf16 per chip",
    ),
    Accelerator(
      "a100-40g",
      40 * GIB,
      312e12,
      "gpu",
      1,
      "A100 SXM 40GB: 312 TFLOP/s dense bf16",
    ),
    Accelerator(
      "a100-80g",
      80 * GIB,
      312e12,
      "gpu",
      1,
      "A100 SXM 80GB: 312 TFLOP/s dense bf16",
    ),
    Accelerator(
      "h100",
      80 * 10**9,
      989e12,
      "gpu",
      1,
      "H100 SXM 80GB: 989 TFLOP/s dense bf16",
    ),
    Accelerator(
      "h200",
      141 * 10**9,
      989e12,
      "gpu",
      1,
      "H200 SXM 141GB: 989 TFLOP/s dense bf16",
    ),
  )
}
TPU_SLICES: dict[str, tuple[int, ...]] = {
  "v4": (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096),
  "v5e": (1, 4, 8, 16, 32, 64, 128, 256),
  "v5p": (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192),
}
GPU_HOST_SIZES: tuple[int, ...] = (1, 2, 4, 8)


@dataclasses.dataclass(frozen=True)
class Topology:
  """A TPU slice or a set of GPU hosts.

  Attributes:
    name: As given ("v4-64", "h100:2x8").
    accelerator: The accelerator.
    devices: JAX devices (TPU chips, GPUs).
    hosts: Hosts (TPU: 4 chips per host for v4/v5p, 8 (or fewer) for v5e).
  """

  name: str
  accelerator: Accelerator
  devices: int
  hosts: int


_TPU = re.compile(r"^(?P<kind>v4|v5e|v5p|v5litepod)-(?P<n>\d+)$")
_GPU = re.compile(r"^(?P<kind>[a-z0-9-]+):(?P<hosts>\d+)x(?P<per>\d+)$")


def parse_topology(name: str) -> Topology:
  """Reads "v4-64", "v5e-16" ("v5litepod-16"), "v5p-128", "h100:2x8".

  TPU names count TensorCores for v4/v5p (v4-64 = 32 chips) and chips for
  v5e. GPU names are `KIND:HOSTSxGPUS` with KIND one of a100-40g,
  a100-80g, h100, h200.

  Raises:
    PlanError: An unknown or malformed name.
  """
  tpu = _TPU.match(name)
  if tpu:
    kind = "v5e" if tpu["kind"] == "v5litepod" else tpu["kind"]
    n = int(tpu["n"])
    if n not in TPU_SLICES[kind]:
      raise PlanError(
        f"--topology={name}: no {kind} slice of {n}; known: "
        + ", ".join(f"{kind}-{s}" for s in TPU_SLICES[kind])
      )
    acc = ACCELERATORS[kind]
    chips = n // acc.cores_per_chip
    per_host = 8 if kind == "v5e" else 4
    return Topology(name, acc, chips, max(1, chips // per_host))
  gpu = _GPU.match(name)
  if gpu and gpu["kind"] in ACCELERATORS:
    acc = ACCELERATORS[gpu["kind"]]
    hosts, per = int(gpu["hosts"]), int(gpu["per"])
    if acc.kind == "gpu" and hosts >= 1 and per in GPU_HOST_SIZES:
      return Topology(name, acc, hosts * per, hosts)
  gpus = ", ".join(k for k, a in ACCELERATORS.items() if a.kind == "gpu")
  raise PlanError(
    f"--topology={name}: expected a TPU slice (v4-64, v5e-16, v5p-128) or "
    f"GPU hosts KIND:HOSTSxGPUS (e.g. h100:2x8; KIND: {gpus})"
  )


def candidate_topologies(topology: Topology) -> list[Topology]:
  """Slices (or host counts) of the same accelerator, smallest first."""
  acc = topology.accelerator
  if acc.kind == "tpu":
    prefix = {"v5e": "v5e"}.get(acc.name, acc.name)
    return [parse_topology(f"{prefix}-{n}") for n in TPU_SLICES[acc.name]]
  per = topology.devices // topology.hosts
  sizes = [f"{acc.name}:1x{p}" for p in GPU_HOST_SIZES if p < per] + [
    f"{acc.name}:{h}x{per}" for h in (1, 2, 4, 8, 16, 32, 64)
  ]
  return [parse_topology(s) for s in sizes]


# Chips of a TPU v5e slice as its 2-D torus (x, y).
V5E_GRIDS: dict[int, tuple[int, int]] = {
  1: (1, 1),
  4: (2, 2),
  8: (2, 4),
  16: (4, 4),
  32: (4, 8),
  64: (8, 8),
  128: (8, 16),
  256: (16, 16),
}
# Model-axis sizes for which T5X's `partitioning.default_mesh` derives a
# submesh from `num_partitions` (TPU v4 with megacore; GPUs: any size that
# divides or is a multiple of the GPUs per host). Other TPUs (v5e, v5p)
# have no default mesh: `model_parallel_submesh` must be given.
T5X_DEFAULT_MESH: dict[str, tuple[int, ...]] = {
  "v4": (1, 2, 4, 16),
  "v5e": (),
  "v5p": (),
}


# 8-way on TPU v4: T5X's default tile for num_partitions=8 ((4, 2, 1, 1)
# unless the slice's z extent is 8 or more) does not divide v4-32 or v4-64,
# so gin/partitioning/tpu_v4.gin binds a 2 x 2 x 2 tile, which divides every
# slice of 8 chips or more.
V4_TILE_CHIPS = 8


def v5e_submesh(chips: int, model: int) -> tuple[int, int, int, int] | None:
  """The `model_parallel_submesh` (x, y, 1, 1) of a v5e slice for `model`.

  The tile is as square as the slice allows (x <= y, each a factor of the
  slice's torus side, as T5X's `get_mesh` requires): 1 -> (1, 1, 1, 1),
  4 -> (2, 2, 1, 1), 8 -> (2, 4, 1, 1), the table of
  gin/partitioning/tpu_v5e.gin. None when no tile of `model` chips fits.
  """
  grid = V5E_GRIDS.get(chips)
  if grid is None or model < 1:
    return None
  best = None
  for x in range(1, model + 1):
    if model % x:
      continue
    y = model // x
    if x <= y and grid[0] % x == 0 and grid[1] % y == 0:
      best = (x, y, 1, 1)  # The largest x <= y: the squarest tile.
  return best


def mesh_problem(topology: Topology, model: int) -> str | None:
  """Why T5X cannot build a `model`-way mesh on `topology` from
  `num_partitions` or (v5e) a submesh of `v5e_submesh`; None if it can."""
  acc = topology.accelerator
  if acc.kind == "gpu":
    per_host = topology.devices // topology.hosts
    if model % per_host and per_host % model:
      return (
        f"T5X needs the model axis {model} to divide or be a multiple of "
        f"the {per_host} GPUs per host"
      )
    return None
  if acc.name == "v5e":
    if v5e_submesh(topology.devices, model) is None:
      return f"no {model}-chip tile of the v5e torus of {topology.name}"
    return None
  if acc.name == "v4" and model == V4_TILE_CHIPS:
    if topology.devices % V4_TILE_CHIPS:
      return f"no 2 x 2 x 2 tile of chips in {topology.name}"
    return None
  sizes = T5X_DEFAULT_MESH.get(acc.name, ())
  if model not in sizes:
    return (
      f"T5X has no default {acc.name} mesh for num_partitions={model}: bind "
      "partitioning.PjitPartitioner.model_parallel_submesh (x, y, z, core) "
      "for the slice and num_partitions=None"
    )
  return None


# ------------------------------------------------------------------ memory


@dataclasses.dataclass(frozen=True)
class RunShape:
  """What a training step processes.

  Attributes:
    batch_size: Rows per step (examples, or packed rows).
    inputs_length: Encoder length of a row.
    targets_length: Decoder length of a row.
    optimizer: "adamw" or "adafactor".
    remat: Rematerialize each layer in the backward pass.
    dropout: Dropout on (a mask per dropout site is kept).
  """

  batch_size: int
  inputs_length: int
  targets_length: int
  optimizer: str = "adamw"
  remat: bool = False
  dropout: bool = True


@dataclasses.dataclass(frozen=True)
class Memory:
  """Per-device bytes."""

  params: int
  gradients: int
  optimizer: int
  activations: int

  @property
  def total(self) -> int:
    return self.params + self.gradients + self.optimizer + self.activations


def divisibility_problems(
  d: T5Dims, run: RunShape, data: int, model: int
) -> list[str]:
  """What does not divide on a data x model mesh (empty: all divide)."""
  problems = []
  if run.batch_size % data:
    problems.append(f"batch {run.batch_size} over data axis {data}")
  for what, size in (
    ("heads", d.num_heads),
    ("d_ff (MLP_DIM)", d.mlp_dim),
    ("vocab (VOCAB_SIZE)", d.vocab_size),
    ("heads x head_dim", d.num_heads * d.head_dim),
  ):
    if size % model:
      problems.append(f"{what} {size} over model axis {model}")
  return problems


def _adafactor_elements(shape: tuple[int, ...]) -> int:
  """Second-moment elements T5X's Adafactor keeps for one per-device shard.

  Factored (a row and a column vector) when the two largest dims are >= 128
  (`min_dim_size_to_factor`), else a full copy; no first moment (beta1 None).
  """
  if len(shape) >= 2 and sorted(shape)[-2] >= 128:
    return math.prod(shape) // shape[-1] + math.prod(shape) // shape[-2]
  return math.prod(shape)


def activation_bytes(d: T5Dims, run: RunShape, data: int, model: int) -> int:
  """bfloat16 activations kept for the backward pass, per device.

  Per layer and token (elements; h: EMBED_DIM, a: heads, k: a x HEAD_DIM,
  f: MLP_DIM, m: model axis, L: the attended length):
  residual and layer-norm output 2h per sub-block, q/k/v and attention
  output 4k/m, scores and softmax 2aL/m, gated MLP in/out 3f/m + h; dropout
  masks add h per site. Decoder layers hold self and cross attention. With
  rematerialization only each layer's input (h per token) is kept, plus one
  layer's full set while it is recomputed. The logits (float32, V/m per
  target token, twice for the softmax) are added in both cases.
  """
  b = run.batch_size // max(data, 1)
  h, a, f = d.emb_dim, d.num_heads, d.mlp_dim
  k = a * d.head_dim
  li, lt = run.inputs_length, run.targets_length
  drop = h if run.dropout else 0

  def attention(length: int) -> float:
    return 2 * h + 4 * k / model + 2 * a * length / model + drop

  mlp = 2 * h + 3 * f / model + h + drop
  enc_token = attention(li) + mlp
  dec_token = attention(lt) + attention(li) + mlp
  enc_layer = b * li * enc_token * 2
  dec_layer = b * lt * dec_token * 2
  logits = b * lt * d.vocab_size / model * 4 * 2
  if run.remat:
    kept = (
      b * li * h * 2 * d.num_encoder_layers
      + b * lt * h * 2 * d.num_decoder_layers
      + max(enc_layer, dec_layer)
    )
  else:
    kept = enc_layer * d.num_encoder_layers + dec_layer * d.num_decoder_layers
  return int(kept + logits)


def memory(d: T5Dims, run: RunShape, data: int, model: int) -> Memory | None:
  """Per-device memory on a data x model mesh; None when shapes don't divide."""
  mesh = {"data": data, "model": model}
  elements = 0
  optimizer = 0
  for param in t5_params.parameters(d):
    shape = shard_shape(param, mesh)
    if shape is None:
      return None
    n = math.prod(shape)
    elements += n
    if run.optimizer == "adafactor":
      optimizer += 4 * _adafactor_elements(shape)
    else:
      optimizer += 2 * 4 * n
  return Memory(
    params=4 * elements,
    gradients=4 * elements,
    optimizer=optimizer,
    activations=activation_bytes(d, run, data, model),
  )


# ------------------------------------------------------------ steps, time


def step_flops(d: T5Dims, run: RunShape) -> float:
  """6 x (N_encoder x input tokens + N_decoder x target tokens) per step."""
  enc = dec = 0
  for p in t5_params.parameters(d):
    n = math.prod(p.shape)
    if p.name.startswith("encoder/"):
      enc += n
    elif p.name.startswith("decoder/"):
      dec += n
  if d.logits_via_embedding:
    dec += d.vocab_size * d.emb_dim
  tokens_in = run.batch_size * run.inputs_length
  tokens_out = run.batch_size * run.targets_length
  return 6.0 * (enc * tokens_in + dec * tokens_out)


def steps(examples: int, epochs: float, examples_per_step: float) -> int:
  """`ceil(epochs x examples / examples_per_step)`."""
  return math.ceil(epochs * examples / examples_per_step)


def step_seconds(
  d: T5Dims, run: RunShape, topology: Topology, mfu: float
) -> float:
  """Seconds per step at `mfu` of the topology's bf16 peak."""
  peak = topology.devices * topology.accelerator.peak_bf16_flops
  return step_flops(d, run) / (peak * mfu)


@dataclasses.dataclass(frozen=True)
class MeshChoice:
  """A data x model mesh on a topology and its per-device memory."""

  topology: Topology
  data: int
  model: int
  memory: Memory

  @property
  def fits(self) -> bool:
    return self.memory.total <= self.topology.accelerator.hbm_bytes


def mesh_choices(
  d: T5Dims, run: RunShape, topology: Topology
) -> list[MeshChoice]:
  """Every data x model split of `topology` whose shapes divide."""
  out = []
  model = 1
  while model <= topology.devices:
    if topology.devices % model == 0:
      data = topology.devices // model
      if not divisibility_problems(d, run, data, model):
        mem = memory(d, run, data, model)
        if mem is not None:
          out.append(MeshChoice(topology, data, model, mem))
    model *= 2
  return out


def smallest_fit(
  d: T5Dims, run: RunShape, topology: Topology
) -> MeshChoice | None:
  """The fewest devices (then the smallest model axis) that fit in memory."""
  for candidate in candidate_topologies(topology):
    for choice in mesh_choices(d, run, candidate):
      if choice.fits:
        return choice
  return None
