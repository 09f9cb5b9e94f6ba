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


"""Tests for benchmarks/train_step_only.py's batch and trace reading."""

import gzip
import json

import numpy as np

from benchmarks import train_step_only


def test_batch_has_the_data_lengths_padded_and_shifted():
  batch = train_step_only.make_batch(16, 96, 32, seed=1)
  assert {k: v.shape for k, v in batch.items()} == {
    "encoder_input_tokens": (16, 96),
    "decoder_input_tokens": (16, 32),
    "decoder_target_tokens": (16, 32),
    "decoder_loss_weights": (16, 32),
  }
  enc, tgt = batch["encoder_input_tokens"], batch["decoder_target_tokens"]
  real_inputs = (enc > 0).sum(axis=1)
  assert 40 < real_inputs.mean() < 95 and real_inputs.min() >= 20
  for row in (enc, tgt):  # Real tokens first, then padding.
    lengths = (row > 0).sum(axis=1)
    assert all(
      (r[:n] > 0).all() and (r[n:] == 0).all()
      for r, n in zip(row, lengths, strict=True)
    )
  np.testing.assert_array_equal(
    batch["decoder_input_tokens"][:, 1:], tgt[:, :-1]
  )
  np.testing.assert_array_equal(batch["decoder_loss_weights"], tgt > 0)
  # Cut to short lengths without error, and seeded.
  assert train_step_only.make_batch(4, 16, 4)["encoder_input_tokens"].all()
  np.testing.assert_array_equal(
    train_step_only.make_batch(8, 96, 32, seed=3)["encoder_input_tokens"],
    train_step_only.make_batch(8, 96, 32, seed=3)["encoder_input_tokens"],
  )


def test_op_kinds_from_a_trace(tmp_path, capsys):
  events = [
    {
      "ph": "M",
      "name": "thread_name",
      "pid": 1,
      "tid": 2,
      "args": {"name": "tf_XLAEigen/123"},
    },
    {"ph": "X", "name": "ynn_fusion.5", "pid": 1, "tid": 2, "dur": 4000},
    {"ph": "X", "name": "dot.12", "pid": 1, "tid": 2, "dur": 2000},
    {
      "ph": "X",
      "name": "copy_bitcast_fusion.3",
      "pid": 1,
      "tid": 2,
      "dur": 1000,
    },
    {"ph": "X", "name": "multiply_tanh_fusion", "pid": 1, "tid": 2, "dur": 500},
    {
      "ph": "X",
      "name": "ThunkExecutor::Execute",
      "pid": 1,
      "tid": 2,
      "dur": 99000,
    },
  ]
  folder = tmp_path / "plugins" / "profile" / "run"
  folder.mkdir(parents=True)
  with gzip.open(folder / "host.trace.json.gz", "wt") as f:
    json.dump({"traceEvents": events}, f)
  train_step_only.print_op_kinds(str(tmp_path), steps=1)
  out = capsys.readouterr().out.splitlines()
  assert out == [
    "  dots: 6.0 ms/step in 2 operations",
    "  copies and transposes: 1.0 ms/step in 1 operations",
    "  other fusions (elementwise, reductions): 0.5 ms/step in 1 operations",
    "  on tf_XLAEigen threads: 7.5 ms/step",
  ]
