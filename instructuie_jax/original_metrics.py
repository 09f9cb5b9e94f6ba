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

"""Original-mode scores per task type, as the original InstructUIE reports.

Each task type's record says whether and how the original evaluator scores
it (`task_types.TaskType.original`: a metric name and a tally function of
`original_conventions`, which documents the conventions). It scores NER, RE
and EEA by micro F1 and EE and EET by per-example accuracy, and no ES, ET,
EP or EPR outputs (training-only tasks). Averages over datasets are the
plain mean of per-dataset values.
"""

from __future__ import annotations

from collections.abc import Sequence

from instructuie_jax import task_types
from instructuie_jax.counts import Counts
from instructuie_jax.original_conventions import Accuracy

# Task types the original evaluator scores, in registry order.
ORIGINAL_TASKS: tuple[str, ...] = tuple(
  t.name for t in task_types.TASK_TYPES.values() if t.original is not None
)


def _original(task: str) -> task_types.OriginalMetric:
  task_type = task_types.TASK_TYPES.get(task)
  original = None if task_type is None else task_type.original
  if original is None:
    raise ValueError(
      f"The original evaluator does not score task type {task!r}; it scores "
      f"{', '.join(ORIGINAL_TASKS)}."
    )
  return original


def metric_name(task: str) -> str:
  """The original-mode metric of `task` ("original_ner", ...)."""
  return _original(task).name


def original_tally(
  task: str, targets: Sequence[str], predictions: Sequence[str]
) -> Counts | Accuracy:
  """Counts (F1 tasks) or `Accuracy` (EE, EET) as the original computes them.

  Args:
    task: "NER", "RE", "EE", "EET" or "EEA".
    targets: Gold texts (the original `ground_truth` field, which for RE
      also lists `NA` pairs; the training `label` otherwise).
    predictions: Predicted texts, as many as `targets`.

  Raises:
    ValueError: Unsupported task type or lists of different lengths.
  """
  tally = _original(task).tally
  if len(targets) != len(predictions):
    raise ValueError(
      f"{len(targets)} targets but {len(predictions)} predictions."
    )
  return tally(targets, predictions)


def as_dict(result: Counts | Accuracy, scale: float = 1.0) -> dict[str, float]:
  """precision/recall/f1 + tp/fp/fn, or accuracy + correct/total."""
  if isinstance(result, Accuracy):
    return {
      "accuracy": result.value * scale,
      "correct": result.correct,
      "total": result.total,
    }
  return result.as_dict(scale)


def original_score(
  task: str, targets: Sequence[str], predictions: Sequence[str]
) -> dict[str, float]:
  """The original evaluator's number(s) for one dataset, on a 0..1 scale.

  Returns:
    `{name}_f1`, `{name}_precision`, `{name}_recall` for NER, RE and EEA;
    `{name}_accuracy` for EE and EET; name is `metric_name(task)`.
  """
  name = metric_name(task)
  result = original_tally(task, targets, predictions)
  if isinstance(result, Accuracy):
    return {f"{name}_accuracy": result.value}
  return {
    f"{name}_f1": result.f1,
    f"{name}_precision": result.precision,
    f"{name}_recall": result.recall,
  }
