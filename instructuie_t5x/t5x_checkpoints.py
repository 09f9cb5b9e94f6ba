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

"""T5X checkpoints of the T5 v1.1 network: build, write, find and read.

`build_model` makes the `t5x.models.EncoderDecoderModel` that
gin/models/t5_1_1.gin configures; `save_t5x_checkpoint` writes parameters in
the orbax format `t5x.train` writes; `load_t5x_params` reads them back from
that format or from the older msgpack + tensorstore one (the public T5X
checkpoints), as numpy arrays without optimizer state. T5X, orbax and etils
are imported inside the functions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from instructuie_jax import t5_params
from instructuie_t5x import hf_checkpoints as hc

_CHECKPOINT_DIR_RE = re.compile(r"^checkpoint_(\d+)$")


def build_model(
  dims: t5_params.T5Dims,
  vocabulary: Any,
  *,
  activation_dtype: str = "float32",
  dropout_rate: float = 0.0,
  decode_fn: Any = None,
) -> Any:
  """A `t5x.models.EncoderDecoderModel` over `t5x.examples.t5.network`.

  The same network gin/models/t5_1_1.gin builds (no optimizer: inference).
  """
  from t5x import models
  from t5x.examples.t5 import network

  config = network.T5Config(
    vocab_size=dims.vocab_size,
    dtype=activation_dtype,
    emb_dim=dims.emb_dim,
    num_heads=dims.num_heads,
    num_encoder_layers=dims.num_encoder_layers,
    num_decoder_layers=dims.num_decoder_layers,
    head_dim=dims.head_dim,
    mlp_dim=dims.mlp_dim,
    mlp_activations=t5_params.MLP_ACTIVATIONS,
    dropout_rate=dropout_rate,
    logits_via_embedding=False,
  )
  kwargs = {} if decode_fn is None else {"decode_fn": decode_fn}
  return models.EncoderDecoderModel(
    module=network.Transformer(config),
    input_vocabulary=vocabulary,
    output_vocabulary=vocabulary,
    optimizer_def=None,
    **kwargs,
  )


def save_t5x_checkpoint(
  params: Mapping[str, Any],
  dims: t5_params.T5Dims,
  model_dir: str,
  step: int = 0,
) -> str:
  """Writes `params` as MODEL_DIR/checkpoint_STEP in T5X's (orbax) format.

  The checkpoint holds the parameters and the step, no optimizer state (a
  T5X inference state): `t5x.infer`/`t5x.eval` restore it as it is;
  `t5x.train` restores it with the assignment map of
  gin/runs/finetune_common.gin (`state/param_states.*` -> None,
  `fallback_to_scratch`), which starts the optimizer from zero.

  Returns:
    The checkpoint directory.
  """
  import jax
  import seqio
  from t5x import checkpoints, partitioning, utils

  model = build_model(dims, seqio.PassThroughVocabulary(dims.vocab_size))
  partitioner = partitioning.PjitPartitioner(num_partitions=1)
  initializer = utils.TrainStateInitializer(
    optimizer_def=None,
    init_fn=model.get_initial_variables,
    input_shapes={
      "encoder_input_tokens": (1, 1),
      "decoder_input_tokens": (1, 1),
    },
    partitioner=partitioner,
  )
  shape = initializer.global_train_state_shape
  want = {p: tuple(s.shape) for p, s in hc.flatten_params(shape.params).items()}
  have = {p: tuple(np.shape(a)) for p, a in hc.flatten_params(params).items()}
  if want != have:
    diff = sorted(set(want.items()) ^ set(have.items()))
    raise hc.ConversionError(
      f"T5X parameters differ from the network's: {diff[0]}"
    )
  state = shape.restore_state(
    {
      "target": jax.tree_util.tree_map(np.asarray, dict(params)),
      "state": {"step": np.asarray(step, dtype=np.int32)},
    }
  )
  manager = checkpoints.OrbaxCheckpointManagerInterface(
    model_dir, shape, partitioner
  )
  manager.save(state)
  manager.wait_until_finished()
  manager.close()
  return os.path.join(model_dir, f"checkpoint_{step}")


def find_checkpoint_dir(path: str) -> str:
  """PATH if it is a checkpoint_N directory, else PATH's latest checkpoint_N."""
  from etils import epath

  p = epath.Path(path)
  if not p.is_dir():
    raise hc.ConversionError(f"{path}: no such directory")
  if (p / "checkpoint").exists() or (p / "state").is_dir():
    return os.fspath(p)
  steps = [
    int(m.group(1))
    for c in p.iterdir()
    if (m := _CHECKPOINT_DIR_RE.match(c.name)) and c.is_dir()
  ]
  if not steps:
    raise hc.ConversionError(
      f"{path}: neither a T5X checkpoint_N directory nor a model directory with one"
    )
  return os.fspath(p / f"checkpoint_{max(steps)}")


def describe_error(error: BaseException) -> str:
  """`Type: first line` of an error raised while reading a file."""
  text = str(error).strip()
  first = text.splitlines()[0][:200] if text else ""
  return f"{type(error).__name__}: {first}" if first else type(error).__name__


def load_t5x_params(checkpoint_dir: str) -> tuple[dict[str, Any], int]:
  """Reads the parameters and step of a T5X checkpoint as numpy arrays.

  Both formats T5X writes are read: orbax (`state/`, what `t5x.train` and
  `save_t5x_checkpoint` write) and the older msgpack + tensorstore one
  (`checkpoint`, e.g. the public T5X checkpoints). Optimizer state is not
  read.

  Raises:
    ConversionError: the checkpoint is truncated, corrupted or holds no
      parameters (one line naming the directory and the reader's error).
  """
  try:
    return _load_t5x_params(checkpoint_dir)
  except hc.ConversionError:
    raise
  except Exception as e:  # noqa: BLE001  # orbax/tensorstore/msgpack: many
    raise hc.ConversionError(
      f"{checkpoint_dir}: unreadable T5X checkpoint ({describe_error(e)})"
    ) from None


def _load_t5x_params(checkpoint_dir: str) -> tuple[dict[str, Any], int]:
  from etils import epath

  p = epath.Path(checkpoint_dir)
  if (p / "checkpoint").exists():
    from t5x import checkpoints

    state = checkpoints.load_t5x_checkpoint(os.fspath(p))
  else:
    import jax
    import orbax.checkpoint as ocp

    ckptr = ocp.PyTreeCheckpointer()
    tree = ckptr.metadata(os.fspath(p / "state")).item_metadata.tree
    if "target" not in tree:
      raise hc.ConversionError(
        f"{checkpoint_dir}: no 'target' parameters in the checkpoint"
      )
    # Only the parameters and the step; optimizer state is skipped.
    item = {"target": tree["target"], "state": {"step": tree["state"]["step"]}}
    args = jax.tree_util.tree_map(
      lambda _: ocp.RestoreArgs(restore_type=np.ndarray), item
    )
    state = ckptr.restore(
      os.fspath(p / "state"),
      args=ocp.args.PyTreeRestore(
        item=item, restore_args=args, partial_restore=True
      ),
    )
  if not isinstance(state, Mapping) or not isinstance(
    state.get("target"), Mapping
  ):
    raise hc.ConversionError(
      f"{checkpoint_dir}: no 'target' parameters in the checkpoint"
    )
  params = {k: v for k, v in state["target"].items()}
  step = int(np.asarray(state["state"]["step"]))
  return params, step
