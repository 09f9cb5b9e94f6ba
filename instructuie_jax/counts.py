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

"""True positive, false positive and false negative counts: one comparison.

Every F1 of the package, strict (`metrics`) and original-mode
(`original_metrics`), is built from `Counts`, so shards, datasets and task
averages add up exactly. `tp_fp_fn` is the one place where a gold set and a
predicted set are compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Set


def tp_fp_fn(gold: Set, pred: Set) -> tuple[int, int, int]:
  """`(|gold & pred|, |pred - gold|, |gold - pred|)` of two sets."""
  tp = len(gold & pred)
  return tp, len(pred) - tp, len(gold) - tp


@dataclasses.dataclass(frozen=True)
class Counts:
  """True positive, false positive and false negative counts of one metric.

  Counts add up (`a + b`); precision, recall and F1 are 0..1 floats, each 0
  when its denominator is 0.
  """

  tp: int = 0
  fp: int = 0
  fn: int = 0

  def __add__(self, other: Counts) -> Counts:
    if not isinstance(other, Counts):
      return NotImplemented
    return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

  @property
  def precision(self) -> float:
    denominator = self.tp + self.fp
    return self.tp / denominator if denominator else 0.0

  @property
  def recall(self) -> float:
    denominator = self.tp + self.fn
    return self.tp / denominator if denominator else 0.0

  @property
  def f1(self) -> float:
    p, r = self.precision, self.recall
    return 2 * p * r / (p + r) if p + r else 0.0

  def as_dict(self, scale: float = 1.0) -> dict[str, float | int]:
    """precision, recall, f1 (times `scale`) and tp, fp, fn."""
    return {
      "precision": self.precision * scale,
      "recall": self.recall * scale,
      "f1": self.f1 * scale,
      "tp": self.tp,
      "fp": self.fp,
      "fn": self.fn,
    }


def count(gold: Iterable, pred: Iterable) -> Counts:
  """Counts of one comparison, as sets: an item given twice counts once."""
  if not isinstance(gold, Set):
    gold = set(gold)
  if not isinstance(pred, Set):
    pred = set(pred)
  return Counts(*tp_fp_fn(gold, pred))
