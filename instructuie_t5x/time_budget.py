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


"""Training for a wall-clock budget: a T5X action that stops once it is spent.

T5X's `train` stops at TRAIN_STEPS; a step count is a poor budget on a
shared machine, where the time of a step changes with the load. `StopAfter`
is a T5X action (`train_script.train.actions`). T5X runs TRAIN actions after
every `stats_period` steps and INFER_EVAL actions after every evaluation;
the action asks T5X to stop at the first of those checks at which the budget
is spent. T5X then saves a checkpoint at that step (unless the stop comes
right after an evaluation, whose checkpoint is saved already), so the run
ends at most one `stats_period` of steps, or one evaluation, past the
budget. The step where it stops is evaluated only when it is an evaluation
step: `benchmarks/real_data_run.py` evaluates the last checkpoint itself.

The clock starts when the action is made (gin builds it when `train` is
called), so the budget counts loading the data, compiling and every
evaluation. TRAIN_STEPS remains an upper bound.

    from instructuie_t5x import time_budget
    train_script.train:
      actions = {'TRAIN': [@time_budget.StopAfter()],
                 'INFER_EVAL': [@time_budget.StopAfter()]}
      stats_period = 10
      concurrent_metrics = False  # else T5X runs no action
    time_budget.StopAfter.seconds = 900

(gin makes one object of `@time_budget.StopAfter()` per reference; both
start their clocks at the same moment, within milliseconds.) Each stop is
logged as one line starting with `time budget:`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import gin
from absl import logging

LOG_PREFIX = "time budget:"


@gin.configurable(module="instructuie_t5x.time_budget")
class StopAfter:
  """Stops T5X training at the first check after `seconds` have passed.

  A T5X action (it has T5X's `BaseAction.run` signature; see the module
  docstring).
  """

  def __init__(
    self,
    seconds: float = gin.REQUIRED,
    clock: Callable[[], float] = time.monotonic,
  ):
    """Starts the clock.

    Args:
      seconds: The wall-clock budget, counted from now.
      clock: Returns seconds (tests pass a fake one).

    Raises:
      ValueError: `seconds` is not positive.
    """
    if not seconds > 0:
      raise ValueError(f"seconds must be > 0, got {seconds}")
    self.seconds = float(seconds)
    self._clock = clock
    self._start = clock()

  def run(self, train_state: Any, metrics_by_task: Mapping[str, Any]) -> bool:
    """True (stop) once the budget is spent; logs the stop.

    Args:
      train_state: T5X's train state (its `step` is logged).
      metrics_by_task: Unused.
    """
    del metrics_by_task
    elapsed = self._clock() - self._start
    if elapsed < self.seconds:
      return False
    step = getattr(train_state, "step", None)
    logging.info(
      "%s step %s, %.1f s of %.0f s used: stopping",
      LOG_PREFIX,
      "?" if step is None else int(step),
      elapsed,
      self.seconds,
    )
    return True
