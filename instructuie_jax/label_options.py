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

  policy(labels, rng, gold_labels=(), pool=()) -> list[str]

that receives the dataset's label names (in `labels.json` order), a seeded
`random.Random` for the example, the label names used by the example's
gold answer and a pool of labels of the same kind across the datasets of
the family (empty unless the policy `reads_pool`), and returns the option
list for the prompt. Policies must draw every random choice from `rng` so
prompts stay reproducible.

Built-ins (rates and sizes are `Params`, data settings of the same names):

| name            | options                                                  |
|-----------------|----------------------------------------------------------|
| `as_given`      | the labels in their given order (the original InstructUIE)|
| `shuffled`      | the labels in a seeded random order                      |
| `label_dropout` | each non-gold label dropped with probability             |
|                 | `dropout_rate` (gold labels are never dropped), order kept|
| `gold_dropout`  | each label, gold or not, dropped with probability        |
|                 | `dropout_rate`, order kept; the answers of a dropped     |
|                 | gold label leave the target (GoLLIE's class dropout)     |
| `negatives`     | the gold labels plus `negatives_size` labels the answer  |
|                 | does not use, each drawn from the pool with probability  |
|                 | `negatives_pool_rate`, else from the dataset's own       |
|                 | labels, in a seeded random order (B2NER/GLiNER-style)    |

A prompt's target keeps only the answers whose label the prompt offers: an
item is left out when the dataset lists its label and the options do not
(`prompts` narrows the instance; only `gold_dropout` ever drops a gold
label). Evaluation prompts list the labels as given whatever the policy
(`instructions.examples_for_split`).

Other policies plug in with `register(name, policy)`, or with
`register_factory(name, factory)` when they read `Params`;
`dropout_policy(rate)`, `gold_dropout_policy(rate)` and
`negatives_policy(size, pool_rate)` build the built-ins with other settings.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Collection, Sequence

OptionPolicy = Callable[..., list[str]]
"""`(labels, rng, gold_labels=(), pool=()) -> list[str]`."""


@dataclasses.dataclass(frozen=True)
class Params:
  """The settings of the parameterised policies (data settings too).

  Attributes:
    dropout_rate: Drop probability per label of `label_dropout` (non-gold
      labels) and `gold_dropout` (every label).
    negatives_size: Labels `negatives` adds to the gold ones (fewer when
      the dataset and the pool hold fewer).
    negatives_pool_rate: Probability that a negative comes from the pool of
      the family's other datasets rather than from the dataset's own labels.
  """

  dropout_rate: float = 0.3
  negatives_size: int = 5
  negatives_pool_rate: float = 0.5

  def __post_init__(self):
    for name in ("dropout_rate", "negatives_pool_rate"):
      value = getattr(self, name)
      if isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}.")
    size = self.negatives_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
      raise ValueError(f"negatives_size must be an int >= 0, got {size!r}.")


DEFAULT_PARAMS = Params()

PolicyFactory = Callable[[Params], OptionPolicy]


@dataclasses.dataclass(frozen=True)
class _Entry:
  factory: PolicyFactory
  reads_pool: bool


_REGISTRY: dict[str, _Entry] = {}


def register(name: str, policy: OptionPolicy) -> None:
  """Registers `policy` under `name`.

  Args:
    name: The name `get` looks up (for configs and CLIs).
    policy: A callable `(labels, rng, gold_labels=(), pool=()) -> list[str]`.

  Raises:
    ValueError: If `name` is already registered.
  """
  register_factory(name, lambda params: policy)


def register_factory(
  name: str, factory: PolicyFactory, *, reads_pool: bool = False
) -> None:
  """Registers a policy built from `Params` under `name`.

  Args:
    name: The name `get` looks up.
    factory: `params -> policy`.
    reads_pool: True when the policy reads its `pool` argument (the labels
      of the family are then read for it).

  Raises:
    ValueError: If `name` is already registered.
  """
  if name in _REGISTRY:
    raise ValueError(f"Label-option policy {name!r} is already registered.")
  _REGISTRY[name] = _Entry(factory, reads_pool)


def _entry(name: str) -> _Entry:
  try:
    return _REGISTRY[name]
  except KeyError:
    raise ValueError(
      f"Unknown label-option policy {name!r}; registered: {', '.join(names())}"
    ) from None


def get(name: str, params: Params = DEFAULT_PARAMS) -> OptionPolicy:
  """Returns the policy registered as `name`, built with `params`.

  Raises:
    ValueError: If no policy has that name (the message lists the known).
  """
  return _entry(name).factory(params)


def reads_pool(name: str) -> bool:
  """Whether policy `name` reads the labels across the family's datasets.

  Raises:
    ValueError: If no policy has that name.
  """
  return _entry(name).reads_pool


def names() -> list[str]:
  """Names of the registered policies, sorted."""
  return sorted(_REGISTRY)


def as_given(
  labels: Sequence[str],
  rng: random.Random,
  gold_labels: Collection[str] = (),
  pool: Sequence[str] = (),
) -> list[str]:
  """Returns the labels unchanged, as the original InstructUIE lists them."""
  del rng, gold_labels, pool  # Unused.
  return list(labels)


def shuffled(
  labels: Sequence[str],
  rng: random.Random,
  gold_labels: Collection[str] = (),
  pool: Sequence[str] = (),
) -> list[str]:
  """Returns all labels in an order drawn from `rng`."""
  del gold_labels, pool  # Unused.
  options = list(labels)
  rng.shuffle(options)
  return options


def _check_rate(rate: float) -> None:
  if not 0.0 <= rate <= 1.0:
    raise ValueError(f"Label dropout rate must be in [0, 1], got {rate}.")


def _kept(
  labels: Sequence[str], rng: random.Random, keep: Callable[[str, float], bool]
) -> list[str]:
  # One draw per label, gold or not, so the draws for a label do not depend
  # on which other labels are gold. When every label is dropped, one label
  # drawn from `rng` stays, so a prompt never lists an empty option set.
  draws = [rng.random() for _ in labels]
  options = [
    label
    for label, draw in zip(labels, draws, strict=True)
    if keep(label, draw)
  ]
  if not options and labels:
    options = [labels[rng.randrange(len(labels))]]
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
  _check_rate(rate)

  def label_dropout(
    labels: Sequence[str],
    rng: random.Random,
    gold_labels: Collection[str] = (),
    pool: Sequence[str] = (),
  ) -> list[str]:
    del pool  # Unused.
    gold = set(gold_labels)
    return _kept(labels, rng, lambda label, draw: label in gold or draw >= rate)

  return label_dropout


def gold_dropout_policy(rate: float) -> OptionPolicy:
  """Builds a policy dropping each label, gold or not, with probability `rate`.

  The given order is kept; when every label is dropped, one label drawn
  from `rng` stays. The answers of a dropped gold label leave the target
  (`prompts` narrows the instance to the labels offered).

  Args:
    rate: Drop probability per label, in [0, 1].

  Returns:
    The policy.

  Raises:
    ValueError: If `rate` is outside [0, 1].
  """
  _check_rate(rate)

  def gold_dropout(
    labels: Sequence[str],
    rng: random.Random,
    gold_labels: Collection[str] = (),
    pool: Sequence[str] = (),
  ) -> list[str]:
    del gold_labels, pool  # Unused: gold labels drop like the others.
    return _kept(labels, rng, lambda label, draw: draw >= rate)

  return gold_dropout


def negatives_policy(size: int, pool_rate: float) -> OptionPolicy:
  """Builds a policy listing the gold labels plus `size` negative labels.

  The gold labels come first in the labels' order (gold labels the dataset
  does not list after them, sorted); each negative is a label the answer
  does not use, drawn from the pool (labels of the family's other datasets
  that the dataset does not have) with probability `pool_rate`, else from
  the dataset's own labels; when the chosen source is used up it comes from
  the other one, and there are fewer negatives when both are. The options
  are then shuffled with `rng`, so their position does not tell gold from
  negative. An instance without gold labels and without negatives keeps
  one label of the dataset drawn from `rng`.

  Args:
    size: Negatives per prompt, >= 0.
    pool_rate: Probability of a negative from the pool, in [0, 1].

  Returns:
    The policy.

  Raises:
    ValueError: For a size < 0 or a rate outside [0, 1].
  """
  Params(negatives_size=size, negatives_pool_rate=pool_rate)  # Checks them.

  def negatives(
    labels: Sequence[str],
    rng: random.Random,
    gold_labels: Collection[str] = (),
    pool: Sequence[str] = (),
  ) -> list[str]:
    gold = set(gold_labels)
    own_set = set(labels)
    options = [x for x in labels if x in gold]
    options += sorted(gold - own_set)
    own = [x for x in labels if x not in gold]
    others = list(dict.fromkeys(x for x in pool if x not in own_set | gold))
    for _ in range(size):
      if not own and not others:
        break
      from_pool = rng.random() < pool_rate
      source = others if (from_pool and others) or not own else own
      options.append(source.pop(rng.randrange(len(source))))
    if not options and labels:
      options = [labels[rng.randrange(len(labels))]]
    rng.shuffle(options)
    return options

  return negatives


register("as_given", as_given)
register("shuffled", shuffled)
register_factory(
  "label_dropout", lambda params: dropout_policy(params.dropout_rate)
)
register_factory(
  "gold_dropout", lambda params: gold_dropout_policy(params.dropout_rate)
)
register_factory(
  "negatives",
  lambda params: negatives_policy(
    params.negatives_size, params.negatives_pool_rate
  ),
  reads_pool=True,
)
