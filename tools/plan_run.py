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

r"""Plans a T5X fine-tuning run: divisibility, memory, steps, time, launch.

Usage:
  python -m tools.plan_run --model=flan_t5_xxl --topology=v4-64 \
    --batch_size=256 [--num_partitions=8] \
    [--inputs_length=512 --targets_length=50 | --packed_lengths=3072,448 \
     --examples_per_row=28] [--optimizer=adamw|adafactor] [--remat] \
    [--epochs=5] [--num_examples=N | --mixture=NAME --data_dir=ROOT] \
    [--mfu=0.4] [--model_dir=gs://BUCKET/model]

`--model` is a `gin/models/{model}.gin` name or a gin file path; its size
macros are read from the file (includes followed). `--topology`: a TPU slice
(`v4-64`: 32 chips; `v5e-16`; `v5p-128`) or GPU hosts `KIND:HOSTSxGPUS`
(`h100:2x8`; KIND a100-40g, a100-80g, h100, h200). Without
`--num_partitions` every model-axis size that divides is shown.

Prints the model's sizes, the mesh (data x model) and what does not divide,
per-device memory (parameters, gradients, optimizer state, activations with
and without rematerialization), steps and time, the smallest mesh that fits
and the launch command in the README's gin layout: run file, model file,
gin/runs/packed_train.gin when packed, the model axis as a `num_partitions`
binding (or gin/partitioning/tpu_v5e.gin and its submesh on v5e), the
mixture by name, `TRAIN_STEPS_RELATIVE` = the fine-tuning steps. The
arithmetic is `instructuie_jax/run_plan.py`. Examples per epoch:
`--num_examples`, or the mixture's rates (examples-proportional, capped;
tasks without data are left out and counted, and the command trains
`NAME_available`). A mistake is one line on stderr (`instructuie_jax.cli`): exit
status 2 for a flag value the plan cannot use, 1 for missing data.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

from absl import flags, logging

from instructuie_jax import cli, run_plan, t5_params

FLAGS = flags.FLAGS
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string("model", None, "gin/models/{model}.gin or a gin file.")
  flags.DEFINE_string("topology", None, "v4-64, v5e-16, h100:2x8, ...")
  cli.define_integer(
    "batch_size", 256, "Rows per step (global).", lower_bound=1
  )
  cli.define_integer("num_partitions", None, "Model-axis size.", lower_bound=1)
  cli.define_integer("inputs_length", 512, "Encoder length.", lower_bound=1)
  cli.define_integer("targets_length", 50, "Decoder length.", lower_bound=1)
  flags.DEFINE_list(
    "packed_lengths", None, "Packed row lengths INPUTS,TARGETS (rows/step)."
  )
  cli.define_float(
    "examples_per_row",
    None,
    "Examples per packed row (for steps).",
    lower_bound=1.0,
  )
  flags.DEFINE_enum("optimizer", "adamw", ["adamw", "adafactor"], "Optimizer.")
  flags.DEFINE_bool("remat", False, "Rematerialize layers in the backward.")
  flags.DEFINE_bool("dropout", True, "Dropout on (masks are kept).")
  cli.define_float("epochs", 5.0, "Epochs over the examples.", lower_bound=0.0)
  cli.define_integer(
    "num_examples", None, "Training examples per epoch.", lower_bound=1
  )
  flags.DEFINE_string("mixture", None, "Mixture whose rates give examples.")
  flags.DEFINE_string(
    "data_dir", None, "Data root (--mixture; bound in the launch command)."
  )
  cli.define_float(
    "mfu",
    0.4,
    "Assumed model FLOPs utilization.",
    lower_bound=0.0,
    upper_bound=1.0,
  )
  flags.DEFINE_string(
    "model_dir", "gs://BUCKET/model", "MODEL_DIR of the launch command."
  )


def _gib(n: float) -> str:
  return f"{n / run_plan.GIB:.2f} GiB"


def model_file(model: str) -> str:
  """The gin file of `--model` (a name under gin/models or a path)."""
  if os.path.isfile(model):
    return model
  path = os.path.join(REPO_ROOT, "gin", "models", f"{model}.gin")
  if not os.path.isfile(path):
    names = sorted(
      f[:-4]
      for f in os.listdir(os.path.join(REPO_ROOT, "gin", "models"))
      if f.endswith(".gin")
    )
    raise run_plan.PlanError(
      f"--model={model}: no gin file {path}; known: {', '.join(names)}"
    )
  return path


def mixture_examples(
  name: str, data_dir: str | None
) -> tuple[int, dict[str, str], set[str]]:
  """Examples per epoch from the rates of mixture `name`.

  `name` is a mixture of `tasks.mixtures.MIXTURES` (`user_supervised` too,
  with `IE_USER_DATASETS` set) or its `NAME_available` part. Tasks whose datasets are not on disk are left out of the count.

  Returns:
    (examples, {task left out: reason}, the benchmarks the mixture reads).
  """
  import seqio  # noqa: PLC0415 (only with --mixture)

  from tasks import mixtures, settings  # noqa: PLC0415

  base = name.removesuffix(mixtures.AVAILABLE_SUFFIX)
  try:
    settings.resolve()  # Registers the user's own datasets and mixtures.
  except ValueError as e:
    raise run_plan.PlanError(f"--mixture={name}: {e}") from None
  if base not in mixtures.MIXTURES:
    raise run_plan.PlanError(
      f"--mixture={name}: unknown; known: {', '.join(mixtures.MIXTURES)} "
      f"(each also as NAME{mixtures.AVAILABLE_SUFFIX}; user_supervised and "
      "user_zeroshot_eval with your own datasets in IE_USER_DATASETS)"
    )
  benchmarks = mixtures.benchmarks_of(base)
  settings.configure(**settings.data_dir_overrides(benchmarks, data_dir))
  left_out = mixtures.left_out_tasks(base)
  total = 0.0
  for task in seqio.get_mixture_or_task(base).tasks:
    if task.name not in left_out and "train" in task.splits:
      total += mixtures.examples_rate(task)
  if not total:
    first = next(iter(left_out.values()), "no training split")
    raise cli.UserError(
      f"--mixture={name}: no task has training data (set --data_dir): {first}"
    )
  return int(round(total)), left_out, benchmarks


TRAIN = "python -m t5x.train"
SEARCH_PATHS = "--gin_search_paths=$(python -m tools.gin_search_paths)"
PARTITIONER = "partitioning.PjitPartitioner"


def _gin_string(flag: str, value: str) -> str:
  """`--gin.NAME="'value'"`, for values shell and gin read as they are."""
  if any(c in value for c in "'\"$`\\\n"):
    raise run_plan.PlanError(f"--{flag}={value}: quotes, $, ` or \\ in it")
  return f"\"'{value}'\""


def _partitioning_flags(topology: run_plan.Topology, model: int) -> list[str]:
  """The partitioning lines: a `num_partitions` binding,
  gin/partitioning/tpu_v5e.gin and its submesh on TPU v5e, or
  gin/partitioning/tpu_v4.gin for 8-way on TPU v4."""
  if topology.accelerator.name == "v5e":
    lines = ["  --gin_file=gin/partitioning/tpu_v5e.gin \\"]
    submesh = run_plan.v5e_submesh(topology.devices, model)
    if model > 1 and submesh:
      lines.append(
        f"  --gin.{PARTITIONER}.model_parallel_submesh="
        f'"({",".join(map(str, submesh))})" \\'
      )
    return lines
  if topology.accelerator.name == "v4" and model == run_plan.V4_TILE_CHIPS:
    return ["  --gin_file=gin/partitioning/tpu_v4.gin \\"]
  if model > 1:
    return [f"  --gin.{PARTITIONER}.num_partitions={model} \\"]
  return []


def _run_bindings(
  run: run_plan.RunShape,
  steps: int | None,
  mixture: str | None,
  data_dirs: dict[str, str],
  packed: bool,
  model_dir: str,
) -> list[str]:
  """The `--gin.NAME=value` lines: mixture, data roots, lengths, batch,
  optimizer, model dir and steps."""
  lines = []
  if mixture:
    lines.append(
      f"  --gin.MIXTURE_OR_TASK_NAME={_gin_string('mixture', mixture)} \\"
    )
  for field, root in sorted(data_dirs.items()):
    lines.append(
      f"  --gin.data_settings.{field}={_gin_string('data_dir', root)} \\"
    )
  lengths = (
    f"{{'inputs': {run.inputs_length}, 'targets': {run.targets_length}}}"
  )
  prefix = "PACKED_" if packed else ""
  prefix_task = "PACKED_" if packed else "TASK_"
  lines.append(f'  --gin.{prefix_task}FEATURE_LENGTHS="{lengths}" \\')
  lines.append(f"  --gin.{prefix}BATCH_SIZE={run.batch_size} \\")
  if run.optimizer == "adafactor":
    lines.append('  --gin.OPTIMIZER="@adafactor.Adafactor()" \\')
    lines.append(
      "  --gin.utils.create_learning_rate_scheduler.base_learning_rate=1e-3 \\"
    )
  lines.append(f"  --gin.MODEL_DIR={_gin_string('model_dir', model_dir)} \\")
  lines.append(
    f"  --gin.TRAIN_STEPS_RELATIVE={'STEPS' if steps is None else steps}"
  )
  return lines


def _launch_notes(
  topology: run_plan.Topology, steps: int | None, checkpoint_step: int | None
) -> list[str]:
  """How to restart from the checkpoint's step, and where to run it."""
  lines = []
  if checkpoint_step is not None:
    total = (
      f"$(({checkpoint_step} + STEPS))"
      if steps is None
      else str(checkpoint_step + steps)
    )
    lines.append(
      f"# restartable job: --gin.TRAIN_STEPS={total} "
      "--gin.TRAIN_STEPS_RELATIVE=None (the checkpoint's step "
      f"{checkpoint_step} + {'STEPS' if steps is None else steps}; "
      "README: Steps)"
    )
  if topology.hosts > 1:
    where = (
      "every TPU VM host: gcloud compute tpus tpu-vm ssh NAME --worker=all "
      '--command="..."'
      if topology.accelerator.kind == "tpu"
      else "every GPU host, with jax.distributed's coordinator set"
    )
    lines.append(f"# run on {where} ({topology.hosts} hosts)")
  return lines


def launch_command(
  gin_file: str,
  run: run_plan.RunShape,
  topology: run_plan.Topology,
  model: int,
  steps: int | None,
  checkpoint_step: int | None,
  mixture: str | None,
  data_dirs: dict[str, str],
  packed: bool,
  model_dir: str,
) -> list[str]:
  """The t5x.train command lines for this plan (README: Gin files).

  Run file, model file, packed_train.gin, partitioning (a
  `num_partitions` binding, gin/partitioning/tpu_v5e.gin and its
  submesh on TPU v5e, or gin/partitioning/tpu_v4.gin for 8-way on TPU v4),
  then the bindings; `TRAIN_STEPS_RELATIVE` is the
  fine-tuning steps (`STEPS` when the plan has no examples).
  """
  zeroshot = (mixture or "").removesuffix("_available") == (
    "ie_instructions_zeroshot_train"
  )
  run_file = (
    "gin/runs/finetune_zeroshot.gin"
    if zeroshot
    else "gin/runs/finetune_supervised.gin"
  )
  model_path = os.path.abspath(gin_file)
  rel = os.path.relpath(model_path, REPO_ROOT)
  if not rel.startswith(".."):
    model_path = rel
  lines = []
  problem = run_plan.mesh_problem(topology, model)
  if problem:
    lines.append(f"# cannot run as printed: {problem}")
  if steps is None:
    lines.append(
      "# STEPS = ceil(epochs x examples / batch): give --num_examples or "
      "--mixture to compute it"
    )
  lines += [
    f"{TRAIN} {SEARCH_PATHS} \\",
    f"  --gin_file={run_file} \\",
    f"  --gin_file={model_path} \\",
  ]
  if packed:
    lines.append("  --gin_file=gin/runs/packed_train.gin \\")
  lines += _partitioning_flags(topology, model)
  lines += _run_bindings(run, steps, mixture, data_dirs, packed, model_dir)
  return lines + _launch_notes(topology, steps, checkpoint_step)


def _fit_line(
  label: str, best: run_plan.MeshChoice | None, acc: run_plan.Accelerator
) -> str:
  if best is None:
    return f"{label}: none among the {acc.name} sizes"
  return (
    f"{label}: {best.topology.name} as {best.data} x {best.model} "
    f"(data x model), {_gib(best.memory.total)} of {_gib(acc.hbm_bytes)} "
    "per device"
  )


def _run_shape(
  args: dict, topology: run_plan.Topology
) -> tuple[run_plan.RunShape, float, int | None]:
  """`(run, examples per row, requested model axis)` of the flags.

  Raises:
    run_plan.PlanError: A size flag out of range.
  """
  batch = args["batch_size"]
  if batch < 1:
    raise run_plan.PlanError(f"--batch_size={batch}: must be positive")
  packed = args.get("packed_lengths")
  if packed:
    if len(packed) != 2 or not all(p.isdigit() and int(p) > 0 for p in packed):
      raise run_plan.PlanError(
        f"--packed_lengths={','.join(packed)}: expected INPUTS,TARGETS"
      )
    li, lt = int(packed[0]), int(packed[1])
    per_row = args.get("examples_per_row")
    if not per_row or per_row <= 0:
      raise run_plan.PlanError(
        "--packed_lengths needs --examples_per_row (examples per packed "
        "row, e.g. 28 for 3072,448 on the shared data: BENCHMARKS.md)"
      )
  else:
    li, lt, per_row = args["inputs_length"], args["targets_length"], 1.0
  if li < 1 or lt < 1:
    raise run_plan.PlanError("lengths must be positive")
  if not 0 < args["mfu"] <= 1:
    raise run_plan.PlanError(f"--mfu={args['mfu']}: must be in (0, 1]")
  model_axis = args.get("num_partitions")
  if model_axis is not None and (
    model_axis < 1 or topology.devices % model_axis
  ):
    raise run_plan.PlanError(
      f"--num_partitions={model_axis}: must divide the {topology.devices} "
      f"devices of {topology.name}"
    )
  run = run_plan.RunShape(
    batch, li, lt, args["optimizer"], args["remat"], args["dropout"]
  )
  return run, per_row, model_axis


def _stack_sizes(dims: t5_params.T5Dims) -> tuple[int, int, int]:
  """`(all, encoder, decoder)` parameter elements."""
  params = t5_params.parameters(dims)
  n_enc = t5_params.count([p for p in params if p.name.startswith("encoder/")])
  n_dec = t5_params.count([p for p in params if p.name.startswith("decoder/")])
  return t5_params.count(params), n_enc, n_dec


def _header(
  model: run_plan.ModelFile,
  gin_file: str,
  topology: run_plan.Topology,
  run: run_plan.RunShape,
  per_row: float,
  packed: bool,
) -> list[str]:
  """The model, parameter, topology, batch and optimizer lines."""
  dims, acc = model.dims, topology.accelerator
  n, n_enc, n_dec = _stack_sizes(dims)
  return [
    f"model      {model.name} ({os.path.relpath(gin_file, REPO_ROOT)}): "
    f"d_model {dims.emb_dim}, {dims.num_heads} heads x {dims.head_dim}, "
    f"d_ff {dims.mlp_dim} (x{dims.num_mlp_activations} gated), "
    f"{dims.num_encoder_layers}+{dims.num_decoder_layers} layers, vocab "
    f"{dims.vocab_size}",
    f"parameters {n:,} ({n / 1e9:.3f} B): encoder {n_enc:,}, decoder "
    f"{n_dec:,} (with output projection), embedding "
    f"{n - n_enc - n_dec:,}",
    f"topology   {topology.name}: {topology.devices} x {acc.name} devices on "
    f"{topology.hosts} host(s), {_gib(acc.hbm_bytes)} each, "
    f"{acc.peak_bf16_flops / 1e12:.0f} TFLOP/s bf16 peak each ({acc.note})",
    f"batch      {run.batch_size} rows of {run.inputs_length} + "
    f"{run.targets_length} tokens"
    + (f" (packed, {per_row:g} examples/row)" if packed else ""),
    f"optimizer  {run.optimizer}; remat {'on' if run.remat else 'off'}",
    "",
  ]


def _memory_table(
  dims: t5_params.T5Dims,
  run: run_plan.RunShape,
  topology: run_plan.Topology,
  models: Sequence[int],
) -> tuple[list[str], bool]:
  """The per-device memory of each `data x model` mesh, and whether one of
  them fits."""
  acc = topology.accelerator
  out = [
    "mesh (data x model)  params   grads    opt      act(no remat) "
    "act(remat)  total     fits"
  ]
  any_fits = False
  for m in models:
    data = topology.devices // m
    problems = run_plan.divisibility_problems(dims, run, data, m)
    if problems:
      out.append(f"{data:>4} x {m:<3}  does not divide: {'; '.join(problems)}")
      continue
    mem = run_plan.memory(dims, run, data, m)
    other = run_plan.activation_bytes(
      dims, dataclasses.replace(run, remat=not run.remat), data, m
    )
    no_remat, remat = (
      (other, mem.activations) if run.remat else (mem.activations, other)
    )
    fits = mem.total <= acc.hbm_bytes
    any_fits = any_fits or fits
    out.append(
      f"{data:>4} x {m:<3}           {mem.params / run_plan.GIB:7.2f}  "
      f"{mem.gradients / run_plan.GIB:7.2f}  {mem.optimizer / run_plan.GIB:7.2f}"
      f"  {no_remat / run_plan.GIB:12.2f}  {remat / run_plan.GIB:10.2f}  "
      f"{mem.total / run_plan.GIB:7.2f}   {'yes' if fits else 'NO'}"
    )
  out.append(
    "(GiB per device; total uses remat "
    f"{'on' if run.remat else 'off'}; capacity {_gib(acc.hbm_bytes)})"
  )
  out.append("")
  return out, any_fits


@dataclasses.dataclass(frozen=True)
class _Examples:
  """What the plan counts its steps over.

  Attributes:
    count: Training examples per epoch; None when neither flag gives them.
    source: Where `count` comes from (for the printed line).
    missing: Tasks of the mixture left out (no data), with why.
    mixture: The mixture the launch trains (`NAME_available` when tasks
      were left out).
    benchmarks: The benchmarks whose data roots the launch binds.
  """

  count: int | None
  source: str
  missing: dict[str, str]
  mixture: str | None
  benchmarks: set[str]


def _examples(args: dict) -> _Examples:
  """The examples of `--num_examples`, else of `--mixture`'s rates."""
  examples = args.get("num_examples")
  missing: dict[str, str] = {}
  source = "--num_examples"
  mixture = args.get("mixture")
  benchmarks = {"ie_instructions"}
  if examples is None and mixture:
    examples, missing, benchmarks = mixture_examples(
      mixture, args.get("data_dir")
    )
    source = f"mixture {mixture} rates"
    if missing and not mixture.endswith("_available"):
      mixture += "_available"  # The part that was counted.
  if examples is not None and examples < 1:
    raise run_plan.PlanError(f"--num_examples={examples}: must be positive")
  return _Examples(examples, source, missing, mixture, benchmarks)


def _steps_and_time(
  args: dict,
  dims: t5_params.T5Dims,
  run: run_plan.RunShape,
  topology: run_plan.Topology,
  per_row: float,
  examples: _Examples,
) -> tuple[list[str], int]:
  """The steps, FLOPs and time lines, and the number of steps."""
  acc = topology.accelerator
  _, n_enc, n_dec = _stack_sizes(dims)
  per_step = run.batch_size * per_row
  total_steps = run_plan.steps(examples.count, args["epochs"], per_step)
  flops = run_plan.step_flops(dims, run)
  seconds = run_plan.step_seconds(dims, run, topology, args["mfu"])
  missing = examples.missing
  return [
    f"examples   {examples.count:,} per epoch ({examples.source})"
    + (f"; {len(missing)} tasks without data left out" if missing else ""),
    f"steps      ceil({args['epochs']:g} x {examples.count:,} / "
    f"{per_step:g}) = {total_steps:,}",
    f"FLOPs/step 6 x ({n_enc:,} x {run.batch_size * run.inputs_length:,} + "
    f"{n_dec:,} x {run.batch_size * run.targets_length:,}) = {flops:.3e}",
    f"time/step  {flops:.3e} / ({topology.devices} x "
    f"{acc.peak_bf16_flops:.3e} x MFU {args['mfu']:g}) = {seconds:.3f} s",
    f"total      {total_steps * seconds / 3600:.2f} h "
    f"({total_steps * seconds * topology.devices / 3600:.1f} device-hours)",
    "",
  ], total_steps


def _smallest_fits(
  dims: t5_params.T5Dims, run: run_plan.RunShape, topology: run_plan.Topology
) -> list[str]:
  """The fewest devices that fit, as run and (without remat) with remat."""
  acc = topology.accelerator
  out = [
    _fit_line("smallest fit", run_plan.smallest_fit(dims, run, topology), acc)
  ]
  if not run.remat:
    with_remat = run_plan.smallest_fit(
      dims, dataclasses.replace(run, remat=True), topology
    )
    out.append(_fit_line("with remat", with_remat, acc))
    out.append(
      "  (t5x.examples.t5.network, which gin/models/t5_1_1.gin builds, has "
      "no remat option: the remat figures are what a rematerializing "
      "network, e.g. flaxformer with remat_policy, would keep)"
    )
  return out


def _launch_model_axis(
  dims: t5_params.T5Dims,
  run: run_plan.RunShape,
  topology: run_plan.Topology,
  model_axis: int | None,
  models: Sequence[int],
) -> tuple[int, str | None]:
  """The model axis of the launch command, and a note when it does not
  fit: the requested one, else the first that fits, else the least memory."""
  choices = run_plan.mesh_choices(dims, run, topology)
  fitting = [c for c in choices if c.fits]
  if model_axis:
    return model_axis, None
  if fitting:
    return fitting[0].model, None
  if choices:
    return min(choices, key=lambda c: c.memory.total).model, (
      f"# does not fit on {topology.name} (see above); shown for the mesh "
      "that needs the least memory"
    )
  return models[-1], f"# no data x model split of {topology.name} divides"


def plan(args: dict) -> tuple[str, bool]:
  """The printed plan and whether the requested mesh fits."""
  gin_file = model_file(args["model"])
  model = run_plan.read_model(gin_file, (REPO_ROOT,))
  dims = model.dims
  topology = run_plan.parse_topology(args["topology"])
  run, per_row, model_axis = _run_shape(args, topology)
  packed = bool(args.get("packed_lengths"))
  out = _header(model, gin_file, topology, run, per_row, packed)
  models = (
    [model_axis]
    if model_axis
    else [m for m in (1, 2, 4, 8, 16, 32, 64) if topology.devices % m == 0]
  )
  table, requested_fits = _memory_table(dims, run, topology, models)
  out += table
  examples = _examples(args)
  total_steps = None
  if examples.count is not None:
    lines, total_steps = _steps_and_time(
      args, dims, run, topology, per_row, examples
    )
    out += lines
  out += _smallest_fits(dims, run, topology)
  choice_model, note = _launch_model_axis(
    dims, run, topology, model_axis, models
  )
  out += ["", "launch:"]
  if note:
    out.append(note)
  if run.remat:
    out.append(
      "# remat: gin/models/t5_1_1.gin's network cannot rematerialize; use a "
      "network that can (see above)"
    )
  mixture = examples.mixture
  if mixture != args.get("mixture"):
    out.append(
      f"# {mixture}: the tasks of {args['mixture']} with data (the steps "
      "count them); the run lists the others in MODEL_DIR/left_out_tasks.json"
    )
  data_dirs = {}
  data_dir = args.get("data_dir")
  if data_dir:
    root = data_dir if "://" in data_dir else os.path.abspath(data_dir)
    from tasks import settings  # noqa: PLC0415

    data_dirs = {settings.DATA_DIR_FIELDS[b]: root for b in examples.benchmarks}
  out += launch_command(
    gin_file,
    run,
    topology,
    choice_model,
    total_steps,
    model.checkpoint_step,
    mixture,
    data_dirs,
    packed,
    args["model_dir"],
  )
  return "\n".join(out) + "\n", requested_fits


def main(argv: Sequence[str]) -> int:
  if len(argv) > 1:
    raise cli.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  if not FLAGS.model or not FLAGS.topology:
    raise cli.UsageError("--model and --topology are required")
  if FLAGS.num_examples is not None and FLAGS.mixture:
    raise cli.UsageError("give --num_examples or --mixture, not both")
  args = {
    name: FLAGS[name].value
    for name in (
      "model",
      "topology",
      "batch_size",
      "num_partitions",
      "inputs_length",
      "targets_length",
      "packed_lengths",
      "examples_per_row",
      "optimizer",
      "remat",
      "dropout",
      "epochs",
      "num_examples",
      "mixture",
      "data_dir",
      "mfu",
      "model_dir",
    )
  }
  logging.set_verbosity(logging.ERROR)  # seqio's per-task cache notes.
  try:
    text, _ = plan(args)
  except run_plan.PlanError as e:  # A flag value the plan cannot use.
    raise cli.UsageError(str(e)) from None
  print(text, end="")
  return 0


if __name__ == "__main__":
  define_flags()
  cli.run(main)
