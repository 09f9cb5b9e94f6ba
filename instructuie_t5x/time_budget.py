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


"""Training for a wall-clock budget: a T5X action that stops before it ends.

T5X's `train` stops at TRAIN_STEPS; a step count is a poor budget on a
shared machine, where the time of a step changes with the load. `StopBefore`
is a T5X action (`train_script.train.actions`) that runs after each
evaluation (mode INFER_EVAL, so after the checkpoint and evaluation of that
step) and asks T5X to stop when one more evaluation period would end past
the budget:

  elapsed + (time of the last period) > seconds

so the run ends within the budget with an evaluated checkpoint at its last
step, unless a period grows longer than the one before it. The clock starts
when the action is made (gin builds it when `train` is called), so the budget
counts loading the data, compiling and every evaluation. The first period
holds the loading and compiling, so it is no estimate of the next one: after
the first evaluation training goes on unless the budget is already spent.
TRAIN_STEPS remains an upper bound.

    from instructuie_t5x import time_budget
    train_script.train.actions = {'INFER_EVAL': [@time_budget.StopBefore()]}
    time_budget.StopBefore.seconds = 900
    train_script.train.concurrent_metrics = False  # else T5X runs no action

Each decision is logged as one line starting with `time budget:` (step,
elapsed and period seconds, and whether training goes on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import gin
from absl import logging

LOG_PREFIX = "time budget:"


@gin.configurable(module="instructuie_t5x.time_budget")
class StopBefore:
  """Stops T5X training before the next period would end past `seconds`.

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
    self._last = self._start
    self._first = True

  def run(self, train_state: Any, metrics_by_task: Mapping[str, Any]) -> bool:
    """True (stop) when one more period like the last would pass the budget
    (after the first period: when the budget is spent).

    Args:
      train_state: T5X's train state (its `step` is logged).
      metrics_by_task: Unused.
    """
    del metrics_by_task
    now = self._clock()
    period, elapsed = now - self._last, now - self._start
    self._last = now
    stop = elapsed + (0.0 if self._first else period) > self.seconds
    self._first = False
    step = getattr(train_state, "step", None)
    logging.info(
      "%s step %s, %.1f s of %.0f s used, last period %.1f s: %s",
      LOG_PREFIX,
      "?" if step is None else int(step),
      elapsed,
      self.seconds,
      period,
      "stopping" if stop else "going on",
    )
    return stop
