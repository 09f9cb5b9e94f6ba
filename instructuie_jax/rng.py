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

"""Deterministic per-example random generators.

Every random choice (instruction, label order, auxiliary sampling) draws from a
generator seeded by a stable hash of the run seed and the example's identity,
so the same inputs give the same prompts in any process and any order.
"""

from __future__ import annotations

import hashlib
import random


def stable_seed(*keys: object) -> int:
  """A 64-bit seed from `keys`, stable across processes and Python versions."""
  text = "\x1f".join(str(k) for k in keys)
  return int.from_bytes(
    hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little"
  )


def example_rng(seed: int, *keys: object) -> random.Random:
  """A `random.Random` for one example, seeded from `seed` and `keys`.

  Example: `example_rng(42, "conll04", "train", 17, "RE")`.
  """
  return random.Random(stable_seed(seed, *keys))
