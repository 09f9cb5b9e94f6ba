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

"""Instruction prompts: instance + task + labels -> (inputs, targets) example.

The prompt is the task type's layout (`task_types.TaskType.layout`, the
original InstructUIE one, character for character; see `prompts`) filled
with an instruction from a pool, the option labels and the task's extra
parts (`TaskType.prompt_parts`). Targets are
`formats.get(target_format).linearize(task, TaskType.gold(instance))`.
Every random choice (instruction, option order, auxiliary sampling) comes
from `rng.example_rng`, keyed by the run seed and the example's identity.

EE instances may hold several events (or none): EE and EET targets list
every typed event; EEA makes one example per typed event
(`PromptOptions(eea_events="each")`), or, as the original loader,
accepts only instances with exactly one event (`eea_events="original"`).
`PromptOptions` holds everything that decides how prompts are built; it
travels as one object (`tasks.settings` resolves it for a process).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import logging
import os
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from instructuie_jax import (
  formats,
  json_input,
  label_options,
  prompts,
  task_types,
)
from instructuie_jax import rng as rng_lib
from instructuie_jax.gold import NO_TYPE

_LOG = logging.getLogger(__name__)

STRATEGIES = ("single", "multiple")
AUX_PROB = 0.3
INSTRUCTION_TYPES = ("zero-shot", "few-shot")
# How EEA examples are made from an instance's events (`examples_for_split`).
EEA_EVENTS = ("each", "original")

# --------------------------------------------------------------------------
# Prompt layout.


def render_prompt(
  task: str | task_types.TaskType,
  instruction: str,
  options: Sequence[str],
  sentence: str,
  extra: Mapping[str, Any] | None = None,
) -> str:
  """Lays out one prompt exactly as the original InstructUIE does.

  Every piece is inserted literally. The original instead appends the layout
  to the instruction and calls `str.format(sentence)` on the whole; for text
  without braces both give the same string. Where the instruction, options,
  entities, pairs or event type contain braces, the original either leaves
  the sentence out (the `format` error is swallowed by its `finally: return`)
  or rewrites them (`{{` -> `{`); here they stay as written.

  Args:
    task: The task type (or its name).
    instruction: The instruction text, used verbatim (pool instructions end
      with " \\n").
    options: Option labels (EE: the event types).
    sentence: The input sentence.
    extra: Task-specific parts: ET `entities` (names), EPR `pairs`
      ((head, tail) tuples), EE `roles` (argument roles), EEA `event_type`.

  Returns:
    The prompt.

  Raises:
    ValueError: For an unknown task or missing/unexpected `extra` keys.
  """
  try:
    task_type = task_types.get(task)
  except ValueError:
    raise ValueError(
      f"No prompt layout for task {task!r}; known: "
      f"{', '.join(task_types.TASK_TYPES)}"
    ) from None
  layout = task_type.layout
  extra = dict(extra or {})
  if set(extra) != set(layout.extras):
    raise ValueError(
      f"Task {task_type.name} prompt needs extra keys {sorted(layout.extras)}, "
      f"got {sorted(extra)}."
    )
  return layout.template.substitute(
    layout.fields(options, extra), instruction=instruction, sentence=sentence
  )


# --------------------------------------------------------------------------
# Instruction pools.


@dataclasses.dataclass(frozen=True)
class InstructionPool:
  """Instructions per task type, read from the original's JSON schema.

  Attributes:
    zero_shot: Task name -> zero-shot instructions, in file order.
    few_shot: Task name -> few-shot instructions (kept; prompts use zero-shot
      instructions, as the original does without demonstrations).
    source: Where the pool was read from (for messages).
  """

  zero_shot: Mapping[str, tuple[str, ...]]
  few_shot: Mapping[str, tuple[str, ...]] = dataclasses.field(
    default_factory=dict
  )
  source: str = "<memory>"

  def instructions(self, task: str) -> tuple[str, ...]:
    """Zero-shot instructions of `task`; ValueError when it has none."""
    found = self.zero_shot.get(task)
    if not found:
      raise ValueError(
        f"Instruction pool {self.source} has no zero-shot instruction for "
        f"task {task!r}; it has: {', '.join(self.zero_shot) or 'none'}"
      )
    return found


def parse_instruction_config(obj: Any, source: str) -> InstructionPool:
  """Builds a pool from the parsed original-schema JSON.

  The schema is `{task: [{"instruction_type": "zero-shot" | "few-shot",
  "instruction": str}, ...]}`. Tasks the package does not know (the
  original's "RC") are kept; they are simply never asked for.

  Args:
    obj: The parsed JSON value.
    source: File name for error messages.

  Returns:
    The pool.

  Raises:
    ValueError: Naming file, task, index and field of the first bad entry.
  """
  if not isinstance(obj, dict):
    raise ValueError(
      f"{source}: top level must be an object {{task: [...]}}, "
      f"got {type(obj).__name__}"
    )
  pools: dict[str, dict[str, list[str]]] = {t: {} for t in INSTRUCTION_TYPES}
  for task, entries in obj.items():
    if not isinstance(entries, list):
      raise ValueError(f"{source}: {task}: must be a list of objects")
    for i, entry in enumerate(entries):
      where = f"{source}: {task}[{i}]"
      if not isinstance(entry, dict):
        raise ValueError(f"{where}: must be an object")
      kind = entry.get("instruction_type")
      if kind not in INSTRUCTION_TYPES:
        raise ValueError(
          f"{where}: instruction_type: must be one of "
          f"{', '.join(INSTRUCTION_TYPES)}, got {kind!r}"
        )
      text = entry.get("instruction")
      if not isinstance(text, str) or not text:
        raise ValueError(f"{where}: instruction: must be a non-empty string")
      pools[kind].setdefault(task, []).append(text)
  return InstructionPool(
    zero_shot={k: tuple(v) for k, v in pools["zero-shot"].items()},
    few_shot={k: tuple(v) for k, v in pools["few-shot"].items()},
    source=source,
  )


def load_instruction_config(path: str | os.PathLike[str]) -> InstructionPool:
  """Reads an instruction file in the original InstructUIE JSON schema.

  The original's own `configs/instruction_config.json` loads unchanged, so a
  run can use its exact instructions.

  Raises:
    ValueError: For unreadable JSON or a bad entry (file, task, index, field).
  """
  path = os.fspath(path)
  return parse_instruction_config(json_input.read_json(path), path)


@functools.cache
def default_pool(target_format: str = "instructuie") -> InstructionPool:
  """The pool shipped for `target_format` (`data/instructions/<fmt>.json`).

  Its instructions describe the answer in that format's own terms.

  Raises:
    ValueError: When no pool is shipped for `target_format`.
  """
  resource = (
    importlib.resources.files("instructuie_jax")
    / "data"
    / "instructions"
    / f"{target_format}.json"
  )
  if not resource.is_file():
    raise ValueError(
      f"No instruction pool is shipped for target format {target_format!r}; "
      "pass one with pool=load_instruction_config(path)."
    )
  source = f"instructuie_jax/data/instructions/{target_format}.json"
  return parse_instruction_config(
    json.loads(resource.read_text(encoding="utf-8")), source
  )


def choose_instruction(
  pool: InstructionPool, task: str, strategy: str, rng: random.Random
) -> str:
  """Picks the instruction: `single` the first, `multiple` one from `rng`."""
  instructions = pool.instructions(task)
  if strategy == "single":
    return instructions[0]
  if strategy == "multiple":
    return rng.choice(instructions)
  raise ValueError(
    f"Unknown instruction strategy {strategy!r}; known: {', '.join(STRATEGIES)}"
  )


def check_eea_events(eea_events: str) -> None:
  """Raises ValueError unless `eea_events` is one of `EEA_EVENTS`."""
  if eea_events not in EEA_EVENTS:
    raise ValueError(
      f"Unknown eea_events {eea_events!r}; known: {', '.join(EEA_EVENTS)}"
    )


@dataclasses.dataclass(frozen=True)
class PromptOptions:
  """How the core builds prompts (`build_example`, `examples_for_split`).

  Attributes:
    seed: Seed of every instruction, option and auxiliary-sampling draw.
    aux_prob: Probability of building an auxiliary example for an instance.
    option_policy: A `label_options` policy name.
    target_format: A registered target format name.
    instruction_file: An instruction config JSON; None for the shipped pool
      of `target_format`.
    eea_events: "each": one EEA example per typed event of an instance;
      "original": the original loader's rule, which fails on an EEA
      instance without exactly one event (`EEA_EVENTS`).
  """

  seed: int = 0
  aux_prob: float = AUX_PROB
  option_policy: str = "as_given"
  target_format: str = "instructuie"
  instruction_file: str | None = None
  eea_events: str = "each"

  def __post_init__(self):
    check_eea_events(self.eea_events)
    formats.get(self.target_format)  # An unknown name fails here.


@functools.lru_cache(maxsize=16)
def options_pool(options: PromptOptions) -> InstructionPool:
  """The instructions of `options`: its instruction file, else the pool
  shipped for its target format."""
  if options.instruction_file:
    return load_instruction_config(options.instruction_file)
  return default_pool(options.target_format)


def _as_pool(
  pool: InstructionPool | Mapping[str, Sequence[str]] | None,
  options: PromptOptions,
) -> InstructionPool:
  if pool is None:
    return options_pool(options)
  if isinstance(pool, InstructionPool):
    return pool
  return InstructionPool(zero_shot={k: tuple(v) for k, v in pool.items()})


# --------------------------------------------------------------------------
# Examples.


def _event_of(instance: Any, event_index: int | None) -> tuple[Any, int | None]:
  events = instance.events
  if event_index is None:
    if len(events) != 1:
      raise ValueError(
        f"{instance.id}: EEA needs exactly one event or an event_index; "
        f"the instance has {len(events)} events."
      )
    return events[0], None
  if not 0 <= event_index < len(events):
    raise ValueError(
      f"{instance.id}: event_index {event_index} out of range "
      f"({len(events)} events)."
    )
  return events[event_index], event_index if len(events) > 1 else None


def build_example(
  instance: Any,
  task: str,
  labels: Any,
  *,
  dataset: str,
  split: str,
  options: PromptOptions = PromptOptions(),
  pool: InstructionPool | Mapping[str, Sequence[str]] | None = None,
  strategy: str = "single",
  event_index: int | None = None,
) -> dict[str, str]:
  """Builds one instruction example.

  Args:
    instance: A `schema.Instance`.
    task: Task type name; must belong to the family of `labels`.
    labels: The dataset's labels: `schema.Labels`, or as in `labels.json`
      (a list of names; EE: `{type: [roles]}` or `[types, roles]`).
    dataset: Dataset name (passed through).
    split: Split name ("train", "dev", "test").
    options: The seed, option policy and target format (and, when `pool`
      is None, the instructions: `options_pool`).
    pool: Instructions instead of those of `options`. A plain
      `{task: [instructions]}` mapping is accepted too.
    strategy: "single" (first instruction) or "multiple" (seeded choice).
    event_index: EEA only: which event of a several-event instance to ask
      about. Instances with exactly one event need none.

  Returns:
    `{"inputs", "targets", "task", "dataset", "id"}`; `id` is
    `f"{instance.id}:{task}"`, with `f":{event_index}"` appended for EEA
    examples of instances with several events.

  Raises:
    ValueError: For unknown task/strategy/policy/format, labels without roles
      for EE/EEA, an EEA event whose type has no roles, or an EEA instance
      with several events and no `event_index`.
  """
  return _build(
    instance,
    task,
    prompts.label_set(labels),
    seed=options.seed,
    dataset=dataset,
    split=split,
    pool=_as_pool(pool, options),
    strategy=strategy,
    policy=label_options.get(options.option_policy),
    fmt=formats.get(options.target_format),
    event_index=event_index,
  )


def _build(
  instance: Any,
  task: str | task_types.TaskType,
  label_set: prompts.LabelSet,
  *,
  seed: int,
  dataset: str,
  split: str,
  pool: InstructionPool,
  strategy: str,
  policy: label_options.OptionPolicy,
  fmt: formats.TargetFormat,
  event_index: int | None,
) -> dict[str, str]:
  task_type = task_types.get(task)
  task = task_type.name
  example_id = f"{instance.id}:{task}"
  # What the prompt parts and the gold answer read: EEA examples read the
  # instance narrowed to the event they ask about.
  subject = instance
  suffix = None
  if task_type.per_event:
    event, suffix = _event_of(instance, event_index)
    if suffix is not None:
      example_id += f":{suffix}"
    subject = dataclasses.replace(instance, events=(event,))
  elif event_index is not None:
    raise ValueError(f"event_index is for EEA only, not {task}.")
  # `suffix` (not `event_index`) so a one-event instance draws the same with
  # or without an explicit event_index.
  keys = (dataset, split, instance.id, task, suffix)
  option_rng = rng_lib.example_rng(seed, "options", *keys)
  options, extra = task_type.prompt_parts(
    subject, label_set, policy, option_rng
  )
  instruction_rng = rng_lib.example_rng(seed, "instruction", *keys)
  instruction = choose_instruction(pool, task, strategy, instruction_rng)
  return {
    "inputs": render_prompt(
      task_type, instruction, options, instance.sentence, extra
    ),
    "targets": fmt.linearize(
      task_type, task_type.gold(subject), sentence=instance.sentence
    ),
    "task": task,
    "dataset": dataset,
    "id": example_id,
  }


def keep_auxiliary(
  seed: int, example_id: str, task: str, prob: float = AUX_PROB
) -> bool:
  """Whether auxiliary `task` is built for `example_id` (probability `prob`).

  The draw depends only on `(seed, example_id, task)`, so it is the same in
  every process and independent of iteration order.

  Raises:
    ValueError: If `prob` is outside [0, 1].
  """
  if not 0.0 <= prob <= 1.0:
    raise ValueError(f"Auxiliary probability must be in [0, 1], got {prob}.")
  draw = rng_lib.example_rng(seed, "auxiliary", example_id, task).random()
  return draw < prob


def examples_for_split(
  instances: Iterable[Any],
  family: str | task_types.Family,
  labels: Any,
  *,
  dataset: str,
  split: str,
  train: bool,
  options: PromptOptions = PromptOptions(),
  tasks: Sequence[str] | None = None,
  pool: InstructionPool | Mapping[str, Sequence[str]] | None = None,
  strategy: str | None = None,
) -> Iterator[dict[str, str]]:
  """Yields the examples of one dataset split, task by task.

  Main tasks get one example per instance; EEA (a task asking about one
  event) one per typed event of the instance, in event order, so an instance
  without events has none. Events of type "" or "NA" get no EEA example (a
  warning counts them). Auxiliary tasks (ES, ET, EP, EPR) get an example for
  an instance when `keep_auxiliary(options.seed, instance.id, task,
  options.aux_prob)`, in any split, as the original loaders sample them.

  Args:
    instances: `schema.Instance`s of the split.
    family: The family (or its name: "NER", "RE" or "EE").
    labels: The dataset's labels (see `build_example`).
    dataset: Dataset name.
    split: Split name.
    train: True: main + auxiliary tasks, strategy "multiple"; False: main
      tasks, strategy "single".
    options: How prompts are built. `options.eea_events`: "each": one EEA
      example per typed event; "original": as the original loader, which
      fails on an instance with several events (and on one without
      events): ValueError for any EEA instance that does not hold exactly
      one event. Both give the same examples where every instance holds
      one event.
    tasks: Task types (records or names) to build instead of the default
      list; each must read `family`.
    pool: Instructions instead of those of `options` (`options_pool`).
    strategy: Overrides the strategy implied by `train`.

  Yields:
    Dicts as `build_example` returns.

  Raises:
    ValueError: For a task outside `family`, an
      EEA instance without exactly one event under `eea_events="original"`,
      or any `build_example` error.
  """
  if tasks is None:
    tasks = task_types.tasks_of_family(
      family, auxiliary=None if train else False
    )
  family_tasks = task_types.tasks_of_family(family)
  for task in tasks:
    if str(task) not in family_tasks:
      raise ValueError(
        f"Task {task!r} does not read family {family}; its tasks are "
        f"{', '.join(family_tasks)}."
      )
  formats.check_format(options.target_format, tasks)
  if strategy is None:
    strategy = "multiple" if train else "single"
  common = dict(
    seed=options.seed,
    dataset=dataset,
    split=split,
    pool=_as_pool(pool, options),
    strategy=strategy,
    policy=label_options.get(options.option_policy),
    fmt=formats.get(options.target_format),
  )
  label_set = prompts.label_set(labels)
  instances = list(instances)
  for task_type in map(task_types.get, tasks):
    task = task_type.name
    untyped_events = 0
    for instance in instances:
      if task_type.auxiliary and not keep_auxiliary(
        options.seed, instance.id, task, options.aux_prob
      ):
        continue
      if not task_type.per_event:
        yield _build(instance, task_type, label_set, event_index=None, **common)
        continue
      if options.eea_events == "original" and len(instance.events) != 1:
        raise ValueError(
          f"{instance.id}: events: {task} reads exactly one event per "
          f"instance with eea_events='original' (as the original loader), "
          f"found {len(instance.events)}; eea_events='each' makes one "
          "example per event."
        )
      for k, event in enumerate(instance.events):
        if event.type in NO_TYPE:
          untyped_events += 1
          continue
        yield _build(instance, task_type, label_set, event_index=k, **common)
    if untyped_events:
      _LOG.warning(
        "%s/%s: %d events without a type (type '' or 'NA') have no %s example.",
        dataset,
        split,
        untyped_events,
        task,
      )
