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

"""Tests of instructuie_t5x/time_budget.py (no T5X needed)."""

from __future__ import annotations

import types

import pytest

from instructuie_t5x import time_budget


class FakeClock:
  def __init__(self):
    self.now = 100.0

  def __call__(self) -> float:
    return self.now


def _state(step: int):
  return types.SimpleNamespace(step=step)


def test_goes_on_until_the_budget_is_spent():
  clock = FakeClock()
  action = time_budget.StopAfter(seconds=100, clock=clock)
  clock.now += 60
  assert not action.run(_state(10), {})
  clock.now += 39.5
  assert not action.run(_state(20), {})
  clock.now += 0.5
  assert action.run(_state(30), {})  # 100 s: spent.
  assert action.run(_state(40), {})  # And from then on.


def test_logs_the_stop(monkeypatch):
  # absl's logger is set up by whichever test ran first (verbosity, handler),
  # so the line is read from the call rather than from a log handler.
  logged = []
  monkeypatch.setattr(
    time_budget.logging, "info", lambda fmt, *args: logged.append(fmt % args)
  )
  clock = FakeClock()
  action = time_budget.StopAfter(seconds=60, clock=clock)
  clock.now += 61
  assert action.run(_state(9), {})
  assert logged == ["time budget: step 9, 61.0 s of 60 s used: stopping"]


@pytest.mark.parametrize("seconds", [0, -1])
def test_rejects_a_budget_that_is_not_positive(seconds):
  with pytest.raises(ValueError, match="seconds must be > 0"):
    time_budget.StopAfter(seconds=seconds)
