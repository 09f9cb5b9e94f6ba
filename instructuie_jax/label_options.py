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

"""Label-option policies: which labels a prompt lists as options, in what order.

A policy is a callable

  policy(labels, rng, gold_labels=()) -> list[str]

that receives the dataset's label names (in `labels.json` order), a seeded
`random.Random` for the example and the label names used by the example's
gold answer, and returns the option list for the prompt. Policies must draw
every random choice from `rng` so prompts stay reproducible.

Built-ins:

| name            | options                                                  |
|-----------------|----------------------------------------------------------|
| `as_given`      | the labels in their given order (the original InstructUIE)|
| `shuffled`      | the labels in a seeded random order                      |
| `label_dropout` | each non-gold label dropped with probability 0.3 (gold   |
|                 | labels are never dropped), order kept                    |

Other policies (for example negative label sampling) plug in with
`register(name, policy)`; `dropout_policy(rate)` builds dropout policies with
other rates.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

OptionPolicy = Callable[..., list[str]]
"""`(labels, rng, gold_labels=()) -> list[str]`."""

_REGISTRY: dict[str, OptionPolicy] = {}


def register(name: str, policy: OptionPolicy) -> None:
  """Registers `policy` under `name`.

  Args:
    name: The name `get` looks up (for configs and CLIs).
    policy: A callable `(labels, rng, gold_labels=()) -> list[str]`.

  Raises:
    ValueError: If `name` is already registered.
  """
  if name in _REGISTRY:
    raise ValueError(f"Label-option policy {name!r} is already registered.")
  _REGISTRY[name] = policy


def get(name: str) -> OptionPolicy:
  """Returns the policy registered as `name`.

  Raises:
    ValueError: If no policy has that name (the message lists the known).
  """
  try:
    return _REGISTRY[name]
  except KeyError:
    raise ValueError(
      f"Unknown label-option policy {name!r}; registered: {', '.join(names())}"
    ) from None


def names() -> list[str]:
  """Names of the registered policies, sorted."""
  return sorted(_REGISTRY)


def as_given(
  labels: Sequence[str],
  rng: random.Random,
  gold_labels: Collection[str] = (),
) -> list[str]:
  """Returns the labels unchanged, as the original InstructUIE lists them."""
  del rng, gold_labels  # Unused.
  return list(labels)


def shuffled(
  labels: Sequence[str],
  rng: random.Random,
  gold_labels: Collection[str] = (),
) -> list[str]:
  """Returns all labels in an order drawn from `rng`."""
  del gold_labels  # Unused.
  options = list(labels)
  rng.shuffle(options)
  return options


def dropout_policy(rate: float) -> OptionPolicy:
  """Builds a policy dropping each non-gold label with probability `rate`.

  Gold labels are always kept and the given order is kept. When every label
  would be dropped (no gold label), one label drawn from `rng` stays, so a
  prompt never lists an empty option set.

  Args:
    rate: Drop probability per non-gold label, in [0, 1].

  Returns:
    The policy.

  Raises:
    ValueError: If `rate` is outside [0, 1].
  """
  if not 0.0 <= rate <= 1.0:
    raise ValueError(f"Label dropout rate must be in [0, 1], got {rate}.")

  def label_dropout(
    labels: Sequence[str],
    rng: random.Random,
    gold_labels: Collection[str] = (),
  ) -> list[str]:
    gold = set(gold_labels)
    # One draw per label, gold or not, so the draws for a label do not depend
    # on which other labels are gold.
    draws = [rng.random() for _ in labels]
    options = [
      label
      for label, draw in zip(labels, draws, strict=True)
      if label in gold or draw >= rate
    ]
    if not options and labels:
      options = [labels[rng.randrange(len(labels))]]
    return options

  return label_dropout


register("as_given", as_given)
register("shuffled", shuffled)
register("label_dropout", dropout_policy(0.3))
