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


def test_stops_before_the_next_period_would_pass_the_budget():
  clock = FakeClock()
  action = time_budget.StopBefore(seconds=100, clock=clock)
  clock.now += 60  # First period (loading and compiling included): 60 s.
  assert not action.run(_state(10), {})  # Not an estimate: 60 <= 100.
  clock.now += 10
  assert not action.run(_state(20), {})  # 70 + 10 <= 100
  clock.now += 6
  assert not action.run(_state(30), {})  # 76 + 6 <= 100
  clock.now += 20
  assert action.run(_state(40), {})  # 96 + 20 > 100
  # A first period past the budget stops at once.
  clock = FakeClock()
  action = time_budget.StopBefore(seconds=10, clock=clock)
  clock.now += 11
  assert action.run(_state(5), {})


def test_exactly_at_the_budget_goes_on():
  clock = FakeClock()
  action = time_budget.StopBefore(seconds=100, clock=clock)
  clock.now += 30
  assert not action.run(_state(1), {})
  clock.now += 35
  assert not action.run(_state(2), {})  # 65 + 35 == 100: still within


def test_logs_each_decision(caplog):
  clock = FakeClock()
  action = time_budget.StopBefore(seconds=60, clock=clock)
  clock.now += 40
  with caplog.at_level("INFO"):
    assert not action.run(_state(7), {})
    clock.now += 15
    assert action.run(_state(9), {})
  assert (
    "time budget: step 7, 40.0 s of 60 s used, last period 40.0 s: going on"
    in caplog.text
  )
  assert (
    "time budget: step 9, 55.0 s of 60 s used, last period 15.0 s: stopping"
    in caplog.text
  )


@pytest.mark.parametrize("seconds", [0, -1])
def test_rejects_a_budget_that_is_not_positive(seconds):
  with pytest.raises(ValueError, match="seconds must be > 0"):
    time_budget.StopBefore(seconds=seconds)
