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


"""Token-length accounting: how many examples a feature length would cut.

seqio trims `inputs`/`targets` to the feature lengths of a run. Nothing here
trims: the tools and benchmarks report, per task, the token-length
percentiles and how many examples are longer than the lengths in use (the
original's defaults: inputs 512, targets 50), so no truncation goes unseen,
and how many hold a piece the vocabulary does not know (its unknown id): a
target with one can never be written by the model as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import seqio
import tensorflow as tf

DEFAULT_LENGTHS: Mapping[str, int] = {"inputs": 512, "targets": 50}
PERCENTILES = (50, 90, 99, 100)


@dataclasses.dataclass(frozen=True)
class LengthStats:
  """Token lengths (EOS included) of one feature over some examples.

  Attributes:
    count: Number of examples.
    percentiles: `{p: length}` for `PERCENTILES` (100 is the maximum).
    over: Examples longer than `limit`.
    limit: The feature length compared against.
    tokens: Total tokens.
    unknown: Examples holding the vocabulary's unknown piece.
  """

  count: int
  percentiles: Mapping[int, int]
  over: int
  limit: int
  tokens: int
  unknown: int = 0


def stats(
  lengths: np.ndarray, limit: int, unknown: np.ndarray | None = None
) -> LengthStats:
  """`LengthStats` of an array of lengths against `limit`; `unknown` holds
  each example's count of unknown pieces."""
  lengths = np.asarray(lengths, dtype=np.int64)
  if lengths.size == 0:
    return LengthStats(0, {p: 0 for p in PERCENTILES}, 0, limit, 0)
  return LengthStats(
    count=int(lengths.size),
    percentiles={
      p: int(np.percentile(lengths, p, method="higher")) for p in PERCENTILES
    },
    over=int((lengths > limit).sum()),
    limit=limit,
    tokens=int(lengths.sum()),
    unknown=0 if unknown is None else int((np.asarray(unknown) > 0).sum()),
  )


def task_lengths(
  task: seqio.Task,
  split: str,
  *,
  max_examples: int | None = None,
) -> dict[str, np.ndarray]:
  """Untrimmed token lengths (with EOS) of `inputs` and `targets`, and the
  unknown pieces of each (`inputs_unknown`, `targets_unknown`).

  Args:
    task: A registered task.
    split: Split to read (unshuffled).
    max_examples: Read at most this many examples (None: all).
  """
  features = ("inputs", "targets")
  unk = {k: task.output_features[k].vocabulary.unk_id for k in features}
  ds = task.get_dataset(
    sequence_length=None,
    split=split,
    shuffle=False,
    trim_output_features=False,
  )
  if max_examples is not None:
    ds = ds.take(max_examples)
  ds = ds.map(
    lambda ex: (
      {k: tf.size(ex[k]) for k in features}
      | {
        f"{k}_unknown": tf.reduce_sum(
          tf.cast(tf.equal(ex[k], unk[k]), tf.int32)
        )
        for k in features
      }
    )
  )
  out = {k: [] for k in (*features, *(f"{k}_unknown" for k in features))}
  for ex in ds.as_numpy_iterator():
    for k in out:
      out[k].append(int(ex[k]))
  return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


def task_length_stats(
  task: seqio.Task,
  split: str,
  lengths: Mapping[str, int] = DEFAULT_LENGTHS,
  *,
  max_examples: int | None = None,
) -> dict[str, LengthStats]:
  """`{feature: LengthStats}` of one task split against `lengths`."""
  raw = task_lengths(task, split, max_examples=max_examples)
  return {
    k: stats(raw[k], lengths[k], raw[f"{k}_unknown"])
    for k in ("inputs", "targets")
  }
