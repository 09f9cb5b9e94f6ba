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

"""The sizes and the parameters of the T5 1.1 / Flan-T5 network.

One record of sizes (`T5Dims`, in `t5x.examples.t5.network.T5Config`
terms) and one parameter table (`parameters`): for every parameter its T5X
path, shape and logical axes, and its Hugging Face
`T5ForConditionalGeneration` name and whether that tensor is the transpose.
The run planner (`run_plan`) reads shapes and axes from it, the checkpoint
conversion (`instructuie_t5x.hf_checkpoints`) the two names.

The two layouts: T5X's `DenseGeneral` kernels are stored `[in, out]`
(attention projections flattened to `[embed, heads * head_dim]`), PyTorch
`Linear` weights `[out, in]`, so every kernel is a transpose; layer-norm
scales and the embedding are copied; the relative position bias, which
Hugging Face keeps in block 0 of each stack and shares with the other
blocks, is T5X's `relpos_bias/rel_embedding` of that stack
(`[heads, buckets]`, the transpose).

Pure: no T5X, JAX or numpy.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

# What the T5X network (t5x.examples.t5.network) hard-codes.
NUM_BUCKETS = 32
MAX_DISTANCE = 128
LAYER_NORM_EPSILON = 1e-6
MLP_ACTIVATIONS = ("gelu", "linear")  # Hugging Face "gated-gelu".


@dataclasses.dataclass(frozen=True)
class T5Dims:
  """The sizes of a T5 1.1 encoder-decoder (`network.T5Config` fields).

  Attributes:
    vocab_size: Rows of the embedding (and columns of the output layer).
    emb_dim: Model width (Hugging Face `d_model`).
    num_heads: Attention heads.
    head_dim: Width of one head (Hugging Face `d_kv`).
    mlp_dim: Hidden width of the MLP (Hugging Face `d_ff`).
    num_encoder_layers: Encoder layers.
    num_decoder_layers: Decoder layers.
    num_mlp_activations: Input kernels of the MLP (2: gated, `wi_0`/`wi_1`;
      1: `wi`).
    logits_via_embedding: The output layer is the embedding (no
      `decoder/logits_dense`).
    relpos_buckets: Relative-position buckets.
  """

  vocab_size: int
  emb_dim: int
  num_heads: int
  head_dim: int
  mlp_dim: int
  num_encoder_layers: int
  num_decoder_layers: int
  num_mlp_activations: int = len(MLP_ACTIVATIONS)
  logits_via_embedding: bool = False
  relpos_buckets: int = NUM_BUCKETS


# The seven sizes every T5 1.1 checkpoint states; the rest is the layout.
SIZE_FIELDS = (
  "vocab_size",
  "emb_dim",
  "num_heads",
  "head_dim",
  "mlp_dim",
  "num_encoder_layers",
  "num_decoder_layers",
)


@dataclasses.dataclass(frozen=True)
class Param:
  """One parameter of the network.

  Attributes:
    name: T5X's flattened path (`encoder/layers_0/attention/query/kernel`).
    shape: T5X's shape.
    axes: T5X's logical axis names, one per dimension.
    hf_name: The Hugging Face tensor name.
    transpose: The Hugging Face tensor is the transpose of T5X's.
  """

  name: str
  shape: tuple[int, ...]
  axes: tuple[str, ...]
  hf_name: str
  transpose: bool

  @property
  def hf_shape(self) -> tuple[int, ...]:
    """The shape of the Hugging Face tensor."""
    return self.shape[::-1] if self.transpose else self.shape


_ATTENTION = (("query", "q"), ("key", "k"), ("value", "v"))


def _attention(t5x: str, hf: str, d: T5Dims) -> list[Param]:
  kv = d.num_heads * d.head_dim
  return [
    Param(
      f"{t5x}/{name}/kernel",
      (d.emb_dim, kv),
      ("embed", "joined_kv"),
      f"{hf}.{hf_name}.weight",
      True,
    )
    for name, hf_name in _ATTENTION
  ] + [
    Param(
      f"{t5x}/out/kernel",
      (kv, d.emb_dim),
      ("joined_kv", "embed"),
      f"{hf}.o.weight",
      True,
    )
  ]


def _mlp(t5x: str, hf: str, d: T5Dims) -> list[Param]:
  names = (
    ["wi"]
    if d.num_mlp_activations == 1
    else [f"wi_{i}" for i in range(d.num_mlp_activations)]
  )
  return [
    Param(
      f"{t5x}/{n}/kernel",
      (d.emb_dim, d.mlp_dim),
      ("embed", "mlp"),
      f"{hf}.{n}.weight",
      True,
    )
    for n in names
  ] + [
    Param(
      f"{t5x}/wo/kernel",
      (d.mlp_dim, d.emb_dim),
      ("mlp", "embed"),
      f"{hf}.wo.weight",
      True,
    )
  ]


def _norm(t5x: str, hf: str, d: T5Dims) -> Param:
  return Param(f"{t5x}/scale", (d.emb_dim,), ("embed",), f"{hf}.weight", False)


def _relpos(stack: str, d: T5Dims) -> Param:
  return Param(
    f"{stack}/relpos_bias/rel_embedding",
    (d.num_heads, d.relpos_buckets),
    ("heads", "relpos_buckets"),
    f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
    True,
  )


# Sub-layers of a block: (T5X module, its layer norm, Hugging Face module);
# the Hugging Face sub-layer index is the position.
_ENCODER_BLOCK = (
  ("attention", "pre_attention_layer_norm", "SelfAttention"),
  ("mlp", "pre_mlp_layer_norm", "DenseReluDense"),
)
_DECODER_BLOCK = (
  ("self_attention", "pre_self_attention_layer_norm", "SelfAttention"),
  (
    "encoder_decoder_attention",
    "pre_cross_attention_layer_norm",
    "EncDecAttention",
  ),
  ("mlp", "pre_mlp_layer_norm", "DenseReluDense"),
)


def _block(stack: str, i: int, parts, d: T5Dims) -> list[Param]:
  params = []
  for sub, (module, norm, hf_module) in enumerate(parts):
    t5x, hf = f"{stack}/layers_{i}", f"{stack}.block.{i}.layer.{sub}"
    params.append(_norm(f"{t5x}/{norm}", f"{hf}.layer_norm", d))
    build = _mlp if module == "mlp" else _attention
    params += build(f"{t5x}/{module}", f"{hf}.{hf_module}", d)
  return params


def parameters(d: T5Dims) -> list[Param]:
  """The parameters of `t5x.examples.t5.network.Transformer` for `d`."""
  params = [
    Param(
      "token_embedder/embedding",
      (d.vocab_size, d.emb_dim),
      ("vocab", "embed"),
      "shared.weight",
      False,
    ),
    _relpos("encoder", d),
  ]
  for i in range(d.num_encoder_layers):
    params += _block("encoder", i, _ENCODER_BLOCK, d)
  params.append(_norm("encoder/encoder_norm", "encoder.final_layer_norm", d))
  params.append(_relpos("decoder", d))
  for i in range(d.num_decoder_layers):
    params += _block("decoder", i, _DECODER_BLOCK, d)
  params.append(_norm("decoder/decoder_norm", "decoder.final_layer_norm", d))
  if not d.logits_via_embedding:
    params.append(
      Param(
        "decoder/logits_dense/kernel",
        (d.emb_dim, d.vocab_size),
        ("embed", "vocab"),
        "lm_head.weight",
        True,
      )
    )
  return params


def count(params: Sequence[Param]) -> int:
  """Number of parameter elements."""
  return sum(math.prod(p.shape) for p in params)
