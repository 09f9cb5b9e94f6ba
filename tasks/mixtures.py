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


"""SeqIO mixtures of the instructuie tasks, derived from the catalog.

| mixture                            | datasets (catalog rows)                  | tasks       |
|------------------------------------|------------------------------------------|-------------|
| `ie_instructions_supervised`       | role "supervised"                        | main + aux  |
| `ie_instructions_zeroshot_train`   | zeroshot_train (original zero-shot cfg)  | main + aux  |
| `ie_instructions_zeroshot_ner_eval`| zeroshot_eval, NER                       | main        |
| `ie_instructions_zeroshot_re_eval` | zeroshot_eval, RE                        | main        |
| `ie_instructions_{ner,re,ee}`      | role "supervised", one family            | main + aux  |
| `ie_tiny_train`                    | synth_news                               | main + aux  |
| `ie_tiny_eval`                     | synth_news                               | main        |
| `ie_tiny_zeroshot_eval`            | synth_heldout                            | main        |

Rates are examples-proportional: the number of training examples of a task
(instances of the train split; times the auxiliary probability for auxiliary
tasks), capped at `cap` (the original's 10,000 instances per task), then
raised to `1 / temperature`. They are computed when a mixture is used, not at
import (counting reads the files; counts are cached per process).
Evaluate with `seqio.Evaluator` (task by task, complete splits): sampling a
mixture stops when its first task runs out.
"""

from __future__ import annotations

import gin
import seqio

from instructuie_jax import catalog, task_types
from tasks import ie_instructions, preprocessors, sources

# Importing `ie_instructions` registers the tasks: {dataset slug: task names}.
TASKS: dict[str, list[str]] = ie_instructions.TASKS


@gin.configurable(module="tasks.mixtures")
def mixing_options(
  cap: int | None = catalog.MAX_INSTANCES_PER_TASK, temperature: float = 1.0
) -> tuple[int | None, float]:
  """Mixing-rate options in force (gin-bindable; read at mixture use time).

  Args:
    cap: Maximum examples counted per task (None: no cap).
    temperature: Rates are raised to `1 / temperature` after capping.
  """
  if temperature <= 0:
    raise ValueError(f"temperature must be > 0, got {temperature}")
  return cap, temperature


def task_type_of(task: seqio.Task) -> str:
  """The IE task type of a registered instructuie task ("NER", "ES", ...)."""
  return task.name.split("_")[1].upper()


def examples_rate(task: seqio.Task) -> float:
  """Examples-proportional rate of a task (see the module docstring)."""
  cap, temperature = mixing_options()
  scale = 1.0
  if task_types.get(task_type_of(task)).auxiliary:
    scale = preprocessors.prompt_options().aux_prob
  return seqio.mixing_rate_num_examples(
    task, maximum=cap, scale=scale, temperature=temperature
  )


def task_names(
  specs: tuple[catalog.DatasetSpec, ...], *, auxiliary: bool
) -> list[str]:
  """Task names of `specs`: main tasks, plus auxiliary ones if asked."""
  names = []
  for spec in specs:
    tasks = spec.tasks if auxiliary else spec.main_tasks
    names.extend(catalog.task_name(t, spec) for t in tasks)
  return names


def _select(**kwargs) -> tuple[catalog.DatasetSpec, ...]:
  return catalog.select(benchmark="ie_instructions", **kwargs)


# Mixture name -> (datasets, with auxiliary tasks).
MIXTURES: dict[str, tuple[tuple[catalog.DatasetSpec, ...], bool]] = {
  "ie_instructions_supervised": (_select(role="supervised"), True),
  "ie_instructions_zeroshot_train": (_select(zeroshot_train=True), True),
  "ie_instructions_zeroshot_ner_eval": (
    _select(zeroshot_eval=True, family="NER"),
    False,
  ),
  "ie_instructions_zeroshot_re_eval": (
    _select(zeroshot_eval=True, family="RE"),
    False,
  ),
  **{
    f"ie_instructions_{family.lower()}": (
      _select(role="supervised", family=family),
      True,
    )
    for family in task_types.FAMILIES
  },
  "ie_tiny_train": ((catalog.get("synth_news"),), True),
  "ie_tiny_eval": ((catalog.get("synth_news"),), False),
  "ie_tiny_zeroshot_eval": ((catalog.get("synth_heldout"),), False),
}


def register_mixtures() -> list[str]:
  """Registers every mixture of `MIXTURES` (idempotent); returns the names."""
  registered = set(seqio.MixtureRegistry.names())
  for name, (specs, auxiliary) in MIXTURES.items():
    if name not in registered:
      seqio.MixtureRegistry.add(
        name, task_names(specs, auxiliary=auxiliary), default_rate=examples_rate
      )
  return list(MIXTURES)


NAMES: list[str] = register_mixtures()


def missing_tasks(name: str, split: str = "train") -> dict[str, str]:
  """Tasks of mixture `name` whose data files are missing (reads the disk).

  Returns:
    `{task name: message naming the file expected}`.
  """
  missing = {}
  for task in seqio.get_mixture_or_task(name).tasks:
    if split not in task.splits:
      continue
    source = task.source
    try:
      sources.check_exists(
        source.spec, sources.data_dir(source.spec.benchmark), split
      )
    except (FileNotFoundError, ValueError) as e:
      missing[task.name] = str(e)
  return missing


def available_mixture(name: str, split: str = "train") -> tuple[str, dict]:
  """A mixture of the tasks of `name` whose data exist (reads the disk).

  Registers `{name}_available` (once per process) when some tasks of `name`
  have no data; use it to run on a partial copy of the benchmark.

  Returns:
    `(mixture name to use, missing_tasks(name, split))`.

  Raises:
    ValueError: no task of `name` has data.
  """
  missing = missing_tasks(name, split)
  if not missing:
    return name, missing
  mixture = seqio.get_mixture_or_task(name)
  kept = [t.name for t in mixture.tasks if t.name not in missing]
  if not kept:
    raise ValueError(f"No task of mixture {name!r} has data: {missing}")
  new_name = f"{name}_available"
  if new_name in seqio.MixtureRegistry.names():
    seqio.MixtureRegistry.remove(new_name)
  seqio.MixtureRegistry.add(new_name, kept, default_rate=examples_rate)
  return new_name, missing
