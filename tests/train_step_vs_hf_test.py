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

"""The pieces of benchmarks/train_step_vs_hf.py, not timed."""

import pytest

from benchmarks import train_step_vs_hf as bench

# Three stats windows of T5X's summaries, ending at steps 10, 30 and 40.
_WINDOWS = {
  10: {"seconds": 9.0, "tokens": 100.0, "fraction": 0.9, "packed": 5.0},
  30: {"seconds": 4.0, "tokens": 2000.0, "fraction": 0.5, "packed": 4.0},
  40: {"seconds": 1.0, "tokens": 1000.0, "fraction": 0.25, "packed": 6.0},
}


def _write_summaries(directory: str) -> None:
  tf = pytest.importorskip("tensorflow")
  writer = tf.summary.create_file_writer(directory)
  with writer.as_default():
    tf.summary.text("config", "gin text is skipped", step=0)
    for step, w in _WINDOWS.items():
      steps = step - max([s for s in _WINDOWS if s < step], default=0)
      tf.summary.scalar("timing/seconds", w["seconds"], step=step)
      tf.summary.scalar(
        "timing/target_tokens_per_second", w["tokens"], step=step
      )
      tf.summary.scalar(
        "non_padding_fraction/loss_weights", w["fraction"], step=step
      )
      tf.summary.scalar("effective_batch_size/decoder", w["packed"], step=step)
      tf.summary.scalar("timing/seqs", 8.0 * steps, step=step)
  writer.close()


def test_rates_leave_out_the_first_window_and_weigh_by_duration(tmp_path):
  _write_summaries(str(tmp_path))
  scalars = bench._scalars(str(tmp_path))
  assert "config" not in scalars
  unpacked = bench.window_rates(scalars, packed=False)
  # Windows 10-30 (20 steps, 4 s) and 30-40 (10 steps, 1 s).
  assert unpacked["timed_steps"] == 30
  assert unpacked["steps_per_s"] == pytest.approx(30 / 5)
  assert unpacked["real_target_tokens_per_s"] == pytest.approx(
    (2000 * 4 * 0.5 + 1000 * 1 * 0.25) / 5
  )
  assert unpacked["examples_per_s"] == pytest.approx(8 * 30 / 5)
  packed = bench.window_rates(scalars, packed=True)
  assert packed["examples_per_s"] == pytest.approx((4 * 20 + 6 * 10) / 5)


def test_one_window_is_not_enough(tmp_path):
  tf = pytest.importorskip("tensorflow")
  with tf.summary.create_file_writer(str(tmp_path)).as_default():
    tf.summary.scalar("timing/seconds", 1.0, step=10)
  with pytest.raises(RuntimeError, match="fewer than two stats windows"):
    bench.window_rates(bench._scalars(str(tmp_path)), packed=False)


class _CharPieces:
  """A SentencePiece stand-in: one id per character (ids 2..101)."""

  def encode(self, text: str) -> list[int]:
    return [2 + ord(c) % 100 for c in text]

  def decode(self, ids: list[int]) -> str:
    return "".join(chr(i - 2 + 32) for i in ids)


@pytest.mark.parametrize("premade", [False, True])
def test_hf_loop_trains_and_counts_real_target_tokens(premade):
  pytest.importorskip("torch", reason="torch is a benchmark-only dependency")
  pytest.importorskip(
    "transformers", reason="transformers is a benchmark-only dependency"
  )
  size = bench.Size(16, 2, 8, 32, 1, steps=2, stats_period=1)
  texts = [(f"sentence number {i}" * 3, "x" * (i % 5)) for i in range(40)]
  row = bench.hf_row(size, 2, texts, _CharPieces(), premade, batch=4, threads=1)
  # Warm-up: 3 batches; timed: batches 4 and 5 (examples 12-19).
  assert row["timed_steps"] == 2
  real = sum(len(t) + 1 for _, t in texts[12:20])  # Pieces plus EOS.
  seconds = 2 / row["steps_per_s"]
  assert row["real_target_tokens_per_s"] * seconds == pytest.approx(real)
  assert row["examples_per_s"] * seconds == pytest.approx(8)


def test_hf_model_has_the_t5x_parameter_count():
  pytest.importorskip("transformers", reason="benchmark-only dependency")
  # T5 v1.1 with untied embeddings: shared (V*d) + lm_head (V*d), per layer
  # attention 4*d*h*k and gated MLP 3*d*f, one relative bias table per stack
  # (32 buckets x heads), layer norms d each (2 per encoder layer, 3 per
  # decoder layer, one final per stack).
  s = bench.SIZES["tiny"]
  d, f, h, k, n, v = (
    s.embed_dim,
    s.mlp_dim,
    s.num_heads,
    s.head_dim,
    s.num_layers,
    bench.VOCAB_SIZE,
  )
  attention, mlp = 4 * d * h * k, 3 * d * f
  expected = (
    2 * v * d
    + n * (attention + mlp + 2 * d)
    + n * (2 * attention + mlp + 3 * d)
    + 2 * 32 * h
    + 2 * d
  )
  model = bench.hf_model(s)
  assert sum(p.numel() for p in model.parameters()) == expected
