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


"""Packing for encoder-decoder models, greedy over blocks of examples in numpy.

`pack_block` trims a block of examples and packs it into rows of T5X's
encoder-decoder features in one numpy call; `indexed_mixture` packs every
training block with it. It uses the rule of seqio's tf-ops packer: examples
are taken in order and appended to the current row while every feature fits;
otherwise the row is emitted and a new one starts; the last row of a block
is emitted when the block ends. On a block of the largest feature length's
size (the blocks seqio's `trim_and_pack_dataset` batches) the rows are the
ones `seqio.EncDecFeatureConverter(pack=True)` produces.

This is the only packer of the project besides seqio's own: the unpacked
SeqIO pipeline (evaluation, `pack = False` runs) uses
`seqio.EncDecFeatureConverter`, and packed training reads
`indexed_mixture` (13.6x the original collator's examples/s against 1.2-2.5x
for per-example seqio packing; BENCHMARKS.md, "Data pipeline").

One difference: a segment id is the example's slot in its row for every
feature, so an example with an empty feature keeps its encoder and decoder
segments aligned (seqio numbers segments per feature by their first
position, which shifts the numbering after an empty sequence). Examples of
the tasks in this project always end with EOS, so the rows are identical.
"""

from __future__ import annotations

import numpy as np

PACKED_KEYS = (
  "encoder_input_tokens",
  "encoder_segment_ids",
  "encoder_positions",
  "decoder_target_tokens",
  "decoder_input_tokens",
  "decoder_loss_weights",
  "decoder_segment_ids",
  "decoder_positions",
)


def greedy_rows(
  inputs_lengths: np.ndarray,
  targets_lengths: np.ndarray,
  inputs_capacity: int,
  targets_capacity: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
  """Assigns examples, in order, to rows (seqio's greedy sequential rule).

  Args:
    inputs_lengths: Token count of each example's inputs (<= capacity).
    targets_lengths: Token count of each example's targets (<= capacity).
    inputs_capacity: Inputs tokens per row.
    targets_capacity: Targets tokens per row.

  Returns:
    `(rows, inputs_offsets, targets_offsets, slots)`: per example its row,
    its first position in the row for each feature and its 0-based slot.
  """
  n = len(inputs_lengths)
  rows = [0] * n
  inputs_offsets = [0] * n
  targets_offsets = [0] * n
  slots = [0] * n
  row = used_i = used_t = slot = 0
  for e, (a, b) in enumerate(
    zip(inputs_lengths.tolist(), targets_lengths.tolist(), strict=True)
  ):
    if used_i + a > inputs_capacity or used_t + b > targets_capacity:
      row, used_i, used_t, slot = row + 1, 0, 0, 0
    rows[e], inputs_offsets[e], targets_offsets[e], slots[e] = (
      row,
      used_i,
      used_t,
      slot,
    )
    used_i, used_t, slot = used_i + a, used_t + b, slot + 1
  as_array = lambda x: np.asarray(x, dtype=np.int64)  # noqa: E731
  return (
    as_array(rows),
    as_array(inputs_offsets),
    as_array(targets_offsets),
    as_array(slots),
  )


def _scatter(
  values: np.ndarray,
  splits: np.ndarray,
  rows: np.ndarray,
  offsets: np.ndarray,
  slots: np.ndarray,
  num_rows: int,
  capacity: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Tokens, segment ids and positions of one feature's packed rows."""
  lengths = np.diff(splits)
  positions = np.arange(len(values), dtype=np.int64) - np.repeat(
    splits[:-1], lengths
  )
  dest = np.repeat(rows * capacity + offsets, lengths) + positions
  shape = (num_rows, capacity)
  tokens = np.zeros(shape, np.int32)
  segments = np.zeros(shape, np.int32)
  packed_positions = np.zeros(shape, np.int32)
  tokens.flat[dest] = values
  segments.flat[dest] = np.repeat(slots + 1, lengths)
  packed_positions.flat[dest] = positions
  return tokens, segments, packed_positions


def trim_ragged(
  values: np.ndarray, splits: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
  """Keeps the first `limit` tokens of every sequence of a ragged batch.

  Args:
    values: The sequences' tokens, concatenated.
    splits: Row splits of `values` (n + 1 offsets).
    limit: Tokens kept per sequence.

  Returns:
    The trimmed `(values, splits)`.
  """
  splits = np.asarray(splits, np.int64)
  lengths = np.diff(splits)
  if not len(lengths) or lengths.max() <= limit:
    return values, splits
  positions = np.arange(len(values), dtype=np.int64) - np.repeat(
    splits[:-1], lengths
  )
  kept = np.minimum(lengths, limit)
  new_splits = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
  return values[positions < limit], new_splits


def pack_block(
  inputs_values: np.ndarray,
  inputs_splits: np.ndarray,
  targets_values: np.ndarray,
  targets_splits: np.ndarray,
  inputs_length: int,
  targets_length: int,
  bos_id: int = 0,
) -> tuple[np.ndarray, ...]:
  """Trims a block of examples and packs it into rows of model features.

  Args:
    inputs_values: The block's inputs tokens, concatenated.
    inputs_splits: Row splits of `inputs_values` (n + 1 offsets).
    targets_values: The block's targets tokens, concatenated.
    targets_splits: Row splits of `targets_values`.
    inputs_length: Inputs tokens per packed row.
    targets_length: Targets tokens per packed row.
    bos_id: First decoder input of every segment.

  Returns:
    int32 arrays `[rows, length]` in the order of `PACKED_KEYS`.
  """
  inputs_values, inputs_splits = trim_ragged(
    inputs_values, inputs_splits, inputs_length
  )
  targets_values, targets_splits = trim_ragged(
    targets_values, targets_splits, targets_length
  )
  inputs_lengths = np.diff(inputs_splits)
  targets_lengths = np.diff(targets_splits)
  rows, inputs_offsets, targets_offsets, slots = greedy_rows(
    inputs_lengths, targets_lengths, inputs_length, targets_length
  )
  num_rows = int(rows[-1]) + 1 if len(rows) else 0
  enc = _scatter(
    inputs_values,
    inputs_splits,
    rows,
    inputs_offsets,
    slots,
    num_rows,
    inputs_length,
  )
  targets, dec_segments, dec_positions = _scatter(
    targets_values,
    targets_splits,
    rows,
    targets_offsets,
    slots,
    num_rows,
    targets_length,
  )
  # Autoregressive inputs: targets shifted right within each segment; the
  # first position of a segment (and the first padding position) is bos_id,
  # as seqio.utils.make_autoregressive_inputs writes them for packed rows.
  shifted = np.full_like(targets, bos_id)
  shifted[:, 1:] = targets[:, :-1]
  previous_segment = np.zeros_like(dec_segments)
  previous_segment[:, 1:] = dec_segments[:, :-1]
  decoder_inputs = np.where(
    dec_segments != previous_segment, np.int32(bos_id), shifted
  ).astype(np.int32)
  loss_weights = (targets != 0).astype(np.int32)
  return (
    *enc,
    targets,
    decoder_inputs,
    loss_weights,
    dec_segments,
    dec_positions,
  )
