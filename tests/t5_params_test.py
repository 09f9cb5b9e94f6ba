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

"""The T5 parameter table (instructuie_jax.t5_params) against T5X's network.

The Hugging Face side of the table is checked against transformers in
hf_checkpoints_test (a real model converted both ways).
"""

from __future__ import annotations

import pytest

from instructuie_jax import t5_params

TINY = t5_params.T5Dims(
  vocab_size=40,
  emb_dim=8,
  num_heads=2,
  head_dim=4,
  mlp_dim=12,
  num_encoder_layers=1,
  num_decoder_layers=2,
)


def test_every_parameter_once_and_hf_shapes_are_transposes():
  table = t5_params.parameters(TINY)
  assert len({p.name for p in table}) == len(table)
  assert len({p.hf_name for p in table}) == len(table)
  for p in table:
    assert len(p.axes) == len(p.shape), p.name
    assert p.hf_shape == (p.shape[::-1] if p.transpose else p.shape)
  kinds = {p.name: p for p in table}
  assert not kinds["token_embedder/embedding"].transpose
  assert kinds["encoder/relpos_bias/rel_embedding"].hf_shape == (32, 2)


def test_layout_fields_change_the_table():
  ungated = t5_params.T5Dims(
    **{f: getattr(TINY, f) for f in t5_params.SIZE_FIELDS},
    num_mlp_activations=1,
    logits_via_embedding=True,
  )
  names = {p.name: p.hf_name for p in t5_params.parameters(ungated)}
  assert "decoder/logits_dense/kernel" not in names
  assert (
    names["encoder/layers_0/mlp/wi/kernel"]
    == "encoder.block.0.layer.1.DenseReluDense.wi.weight"
  )
  assert t5_params.count(t5_params.parameters(ungated)) < t5_params.count(
    t5_params.parameters(TINY)
  )


@pytest.mark.parametrize("gated, tied", [(True, False), (False, True)])
def test_table_is_t5x_networks_parameter_tree(gated, tied):
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  import jax
  import numpy as np
  from flax import traverse_util
  from t5x.examples.t5 import network

  dims = t5_params.T5Dims(
    **{f: getattr(TINY, f) for f in t5_params.SIZE_FIELDS},
    num_mlp_activations=2 if gated else 1,
    logits_via_embedding=tied,
  )
  config = network.T5Config(
    vocab_size=dims.vocab_size,
    emb_dim=dims.emb_dim,
    num_heads=dims.num_heads,
    head_dim=dims.head_dim,
    mlp_dim=dims.mlp_dim,
    num_encoder_layers=dims.num_encoder_layers,
    num_decoder_layers=dims.num_decoder_layers,
    mlp_activations=t5_params.MLP_ACTIVATIONS if gated else ("relu",),
    logits_via_embedding=tied,
  )
  tokens = np.ones((1, 1), np.int32)
  variables = jax.eval_shape(
    lambda: network.Transformer(config).init(
      jax.random.PRNGKey(0), tokens, tokens, tokens, enable_dropout=False
    )
  )
  shapes = traverse_util.flatten_dict(variables["params"], sep="/")
  axes = traverse_util.flatten_dict(variables["params_axes"], sep="/")
  table = {p.name: p for p in t5_params.parameters(dims)}
  assert sorted(shapes) == sorted(table)
  for name, array in shapes.items():
    assert tuple(array.shape) == table[name].shape, name
    assert tuple(axes[name + "_axes"].names) == table[name].axes, name
