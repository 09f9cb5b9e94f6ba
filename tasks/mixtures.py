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
| `ie_tiny_train`                    | tiny, role "supervised" (synth_news, ...) | main + aux |
| `ie_tiny_eval`                     | tiny, role "supervised"                  | main        |
| `ie_tiny_zeroshot_eval`            | tiny, role "zeroshot" (synth_mixed, synth_heldout) | main |
| `user_supervised`                  | user's own, role "supervised"            | main + aux  |
| `user_zeroshot_eval`               | user's own, role "zeroshot"              | main        |

The user's own datasets are those of the folders of
`Settings.user_datasets` (`tasks.user_datasets`): resolving the settings
registers their tasks (`instructuie_{task}_{dataset}`, as the catalog's) and
the two `user_*` mixtures (`register_user_datasets`), and so does finalizing
gin (T5X runs: `data_settings.user_datasets` bound in a gin file or on the
command line). A `user_*` mixture with no dataset is not registered.

Rates are examples-proportional: the number of training examples of a task
(instances of the train split; times the auxiliary probability for auxiliary
tasks), capped at `cap` (the original's 10,000 instances per task), then
raised to `1 / temperature` (`cap`, `temperature` and the auxiliary
probability are fields of `tasks.settings`). They are computed when a
mixture is used, not at import (counting reads the files; counts are cached
per process). Evaluate with `seqio.Evaluator` (task by task, complete
splits): sampling a mixture stops when its first task runs out.

Every mixture `NAME` is registered a second time as `NAME_available`
(`AvailableMixture`): its tasks whose datasets are on disk, decided at
first use, for a partial copy of the benchmark, and whose task types the
target format in force covers (`words_bio`: NER and ES); the tasks left out
are logged and written to the run directory (`record_left_out`). Use it by name,
like any mixture (gin: `MIXTURE_OR_TASK_NAME = 'NAME_available'`).
"""

from __future__ import annotations

import json

import gin
import seqio
import tensorflow as tf
from absl import logging

from instructuie_jax import catalog, formats, task_types
from tasks import ie_instructions, settings, sources, user_datasets

# Importing `ie_instructions` registers the tasks: {dataset slug: task names}.
TASKS: dict[str, list[str]] = ie_instructions.TASKS


def task_type_of(task: seqio.Task) -> str:
  """The IE task type of a registered instructuie task ("NER", "ES", ...)."""
  return task.task_type


def examples_rate(task: seqio.Task) -> float:
  """Examples-proportional rate of a task (see the module docstring)."""
  current = settings.get()
  scale = 1.0
  if task_types.get(task_type_of(task)).auxiliary:
    scale = current.prompt.aux_prob
  return seqio.mixing_rate_num_examples(
    task, maximum=current.cap, scale=scale, temperature=current.temperature
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


def _tiny(**kwargs) -> tuple[catalog.DatasetSpec, ...]:
  return catalog.select(benchmark="tiny", **kwargs)


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
  "ie_tiny_train": (_tiny(role="supervised"), True),
  "ie_tiny_eval": (_tiny(role="supervised"), False),
  "ie_tiny_zeroshot_eval": (_tiny(role="zeroshot"), False),
}


AVAILABLE_SUFFIX = "_available"


def missing_datasets(
  specs: tuple[catalog.DatasetSpec, ...],
) -> dict[catalog.DatasetSpec, str]:
  """Datasets of `specs` not on disk (reads the disk), with the reason.

  A dataset is on disk when its `labels.json` and the files of all three
  splits exist under the data root of the settings in force.

  Returns:
    `{spec: message naming the first file missing}`.
  """
  missing = {}
  for spec in specs:
    try:
      root = sources.dataset_root(spec)
      for split in sources.ALL_SPLITS:
        sources.check_exists(spec, root, split)
    except (FileNotFoundError, ValueError) as e:
      missing[spec] = str(e)
  return missing


def left_out_tasks(name: str) -> dict[str, str]:
  """Tasks of mixture `name` whose dataset is not on disk (reads the disk),
  or whose task type the target format in force does not cover.

  Returns:
    `{task name: message naming the file expected, or the format}`.
  """
  specs, auxiliary = MIXTURES[name]
  out = {}
  for spec, message in missing_datasets(specs).items():
    for task in task_names((spec,), auxiliary=auxiliary):
      out[task] = message
  fmt = settings.get().prompt.target_format
  covered = formats.get(fmt).tasks()
  for spec in specs:
    for task in spec.tasks if auxiliary else spec.main_tasks:
      try:
        formats.check_covers(fmt, covered, task)
      except ValueError as e:
        out.setdefault(catalog.task_name(task, spec), str(e))
  return out


def record_left_out(mixture: str, kept: list[str], left_out: dict) -> None:
  """Logs the tasks left out of `mixture`, and writes them to the run dir.

  With `Settings.run_dir` set (T5X runs bind it to the model or output
  directory), `{run_dir}/left_out_tasks.json` gets an entry for `mixture`:
  `{"kept": [...], "left_out": {task: reason}}`, merged with the entries
  of other mixtures of the run.
  """
  for task, message in sorted(left_out.items()):
    logging.warning("%s: left out %s: %s", mixture, task, message)
  logging.warning(
    "%s: %d tasks kept, %d left out (no data, or not in the target format).",
    mixture,
    len(kept),
    len(left_out),
  )
  run_dir = settings.get().run_dir
  if not run_dir:
    return
  path = f"{run_dir.rstrip('/')}/{LEFT_OUT_FILE}"
  tf.io.gfile.makedirs(run_dir)
  record = {}
  if tf.io.gfile.exists(path):
    with tf.io.gfile.GFile(path) as f:
      record = json.load(f)
  record[mixture] = {
    "kept": sorted(kept),
    "left_out": dict(sorted(left_out.items())),
  }
  with tf.io.gfile.GFile(f"{path}.tmp", "w") as f:
    json.dump(record, f, indent=2, ensure_ascii=False)
    f.write("\n")
  tf.io.gfile.rename(f"{path}.tmp", path, overwrite=True)


LEFT_OUT_FILE = "left_out_tasks.json"


class AvailableMixture(seqio.Mixture):
  """`{base}_available`: the tasks of mixture `base` whose data are on disk.

  Registered beside every mixture, without I/O. At first use (its `tasks`
  read, e.g. by `seqio.get_dataset` or `seqio.Evaluator`) it checks which
  datasets are on disk, once per process (per `Settings`), keeps their tasks (main and
  auxiliary alike) and records the ones left out (`record_left_out`). The
  same tasks serve every split. No task with data: ValueError.
  """

  def __init__(
    self, name: str, tasks=(), default_rate=None, *, base: str, **kwargs
  ):
    del tasks, default_rate  # Those of `base`.
    self._base = base
    self._left_out: dict[str, str] | None = None
    self._settings: settings.Settings | None = None
    self._ready = False
    specs, auxiliary = MIXTURES[base]
    super().__init__(
      name,
      task_names(specs, auxiliary=auxiliary),
      default_rate=examples_rate,
      **kwargs,
    )
    self._ready = True

  @property
  def base(self) -> str:
    """The mixture this one is part of."""
    return self._base

  @property
  def left_out(self) -> dict[str, str]:
    """`{task: reason}` of the tasks without data (reads the disk once)."""
    current = settings.get()
    if self._left_out is None or self._settings is not current:
      left_out = left_out_tasks(self._base)
      kept = [t.name for t in super().tasks if t.name not in left_out]
      if not kept:
        first = next(iter(left_out.values()), "")
        raise ValueError(
          f"No task of mixture {self._base!r} has data on disk, e.g. {first}"
        )
      record_left_out(self.name, kept, left_out)
      self._left_out, self._settings = left_out, current
    return self._left_out

  @property
  def tasks(self) -> list[seqio.Task]:
    if not self._ready:  # seqio's own checks while registering: no I/O.
      return super().tasks
    left_out = self.left_out
    return [t for t in super().tasks if t.name not in left_out]

  @property
  def total_rate(self) -> float:
    return sum(self.get_rate(t) for t in self.tasks)


def _replace_if_changed(name: str, specs, auxiliary: bool) -> None:
  """Removes mixture `name` (and its `_available` part) when it was
  registered with other tasks (objects) than `specs` give now."""
  if name not in seqio.MixtureRegistry.names():
    return
  wanted = sorted(task_names(specs, auxiliary=auxiliary))
  tasks = [seqio.TaskRegistry.get(t) for t in wanted]
  mixture = seqio.MixtureRegistry.get(name)
  if seqio.Mixture.tasks.fget(mixture) != tasks:  # Not AvailableMixture's.
    seqio.MixtureRegistry.remove(name)
    seqio.MixtureRegistry.remove(name + AVAILABLE_SUFFIX)


def register_mixtures() -> list[str]:
  """Registers every mixture of `MIXTURES` and its `{name}_available` part
  (idempotent); returns the names of `MIXTURES`."""
  for name, (specs, auxiliary) in MIXTURES.items():
    _replace_if_changed(name, specs, auxiliary)
  registered = set(seqio.MixtureRegistry.names())
  for name, (specs, auxiliary) in MIXTURES.items():
    if name not in registered:
      seqio.MixtureRegistry.add(
        name, task_names(specs, auxiliary=auxiliary), default_rate=examples_rate
      )
    available = name + AVAILABLE_SUFFIX
    if available not in registered:
      seqio.MixtureRegistry.add(
        available, (), mixture_cls=AvailableMixture, base=name
      )
  return list(MIXTURES)


NAMES: list[str] = register_mixtures()

# The mixtures of the user's own datasets: name -> (role, auxiliary tasks).
USER_MIXTURES: dict[str, tuple[str, bool]] = {
  "user_supervised": ("supervised", True),
  "user_zeroshot_eval": ("zeroshot", False),
}


def register_user_datasets(folders) -> list[str]:
  """Registers the tasks and `USER_MIXTURES` of the datasets in `folders`.

  The same loops as the catalog's (`ie_instructions.register_all`,
  `register_mixtures`); idempotent. A mixture whose role no dataset has is
  not registered.

  Args:
    folders: `Settings.user_datasets`.

  Returns:
    The names of their tasks.

  Raises:
    ValueError: a folder holds no dataset or a bad metadata file, or a task
      name is taken (`user_datasets.specs`).
  """
  if not folders:
    return []
  specs = user_datasets.specs(tuple(folders))
  ie_instructions.register_all(specs)
  for name, (role, auxiliary) in USER_MIXTURES.items():
    group = tuple(s for s in specs if s.role == role)
    if group:
      MIXTURES[name] = (group, auxiliary)
  register_mixtures()
  return task_names(specs, auxiliary=True)


def _register_user_datasets(current: settings.Settings) -> None:
  register_user_datasets(current.user_datasets)


settings.on_resolve(_register_user_datasets)


@gin.config.register_finalize_hook
def _register_user_datasets_of_gin(config) -> None:
  """T5X runs: registers the user's datasets once gin is complete."""
  del config  # The bindings are read through `tasks.settings`.
  register_user_datasets(settings.user_datasets_in_force())


def _how_to_add_datasets() -> str:
  return (
    "your own datasets: convert them with python -m tools.convert_data, then "
    f"name their root folder in ${settings.ENV_VARS['user_datasets']} "
    "(tools) or data_settings.user_datasets (gin) (README: Your own dataset)"
  )


def name_problem(name: str) -> str | None:
  """Why `name` is not a registered mixture or task (None if it is one).

  Resolves the settings first (`tasks.settings.resolve`), so that the tasks
  of the user's own datasets are registered.
  """
  try:
    settings.resolve()
  except ValueError as e:
    return str(e)
  if name in seqio.MixtureRegistry.names() or name in (
    seqio.TaskRegistry.names()
  ):
    return None
  if name.removesuffix(AVAILABLE_SUFFIX) in USER_MIXTURES:
    role = USER_MIXTURES[name.removesuffix(AVAILABLE_SUFFIX)][0]
    return (
      f"no dataset of role {role!r} among your own datasets; "
      + _how_to_add_datasets()
    )
  catalog_names = [n for n in NAMES if n not in USER_MIXTURES]
  return (
    f"unknown mixture or task {name!r}; mixtures: "
    f"{', '.join(catalog_names)}, {', '.join(USER_MIXTURES)} (each also as "
    f"NAME{AVAILABLE_SUFFIX}), tasks: instructuie_{{task}}_{{dataset}} of "
    f"the catalog or of {_how_to_add_datasets()}"
  )


@gin.configurable(module="tasks.mixtures")
def mix(name: str = gin.REQUIRED, rates=gin.REQUIRED) -> str:
  """Registers mixture `name` of mixtures and tasks at chosen rates.

  For a run that mixes the user's own datasets with the benchmark's, in gin
  (the rates are shares: each mixture's tasks split its share by their own
  examples-proportional rates):

    from tasks import mixtures
    mixtures.mix.name = 'my_mix'
    mixtures.mix.rates = {'user_supervised': 0.3, 'ie_instructions_ner': 0.7}
    MIXTURE_OR_TASK_NAME = @mixtures.mix()

  Called when the run reads `MIXTURE_OR_TASK_NAME`, after gin is complete
  (so the user's mixtures are registered). Idempotent for the same rates.

  Returns:
    `name`.

  Raises:
    ValueError: an invalid name, an unknown mixture or task, a rate that is
      not positive, or `name` taken by another mixture.
  """
  if not catalog.is_valid_seqio_name(name):
    raise ValueError(f"mixtures.mix: {name!r} is no valid seqio name")
  if not rates:
    raise ValueError("mixtures.mix: rates is empty")
  for part, rate in rates.items():
    problem = name_problem(part)
    if problem:
      raise ValueError(f"mixtures.mix: {problem}")
    if not isinstance(rate, int | float) or rate <= 0:
      raise ValueError(f"mixtures.mix: rate of {part!r} must be > 0: {rate!r}")
  wanted = sorted((part, float(rate)) for part, rate in rates.items())
  if name in _MIXED:
    if _MIXED[name] == wanted:
      return name
    seqio.MixtureRegistry.remove(name)
  elif name in seqio.MixtureRegistry.names():
    raise ValueError(f"mixtures.mix: {name!r} is a registered mixture already")
  seqio.MixtureRegistry.add(name, wanted)
  _MIXED[name] = wanted
  return name


_MIXED: dict[str, list[tuple[str, float]]] = {}


def benchmarks_of(name: str) -> set[str]:
  """The benchmarks ("ie_instructions", "tiny") whose data `name` reads.

  Reads no data (an `{name}_available` mixture is not resolved).
  """
  provider = seqio.get_mixture_or_task(name)
  if isinstance(provider, AvailableMixture):
    provider = seqio.get_mixture_or_task(provider.base)
  tasks = provider.tasks if isinstance(provider, seqio.Mixture) else [provider]
  return {t.source.spec.benchmark for t in tasks}


def available_mixture(name: str) -> tuple[str, dict[str, str]]:
  """The mixture to use for the part of mixture `name` that has data.

  Returns:
    `(name, {})` when every task of `name` has data, else
    `(f"{name}_available", {task: reason left out})` (see
    `AvailableMixture`).

  Raises:
    ValueError: no task of `name` has data.
  """
  available = seqio.get_mixture_or_task(name + AVAILABLE_SUFFIX)
  left_out = available.left_out
  if not left_out:
    return name, {}
  return available.name, dict(left_out)
