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


"""Registers one seqio Task per (task type, dataset) of the catalog.

Task names are `instructuie_{task}_{slug}` (e.g. `instructuie_ner_mit_movie`).
Main tasks (NER, RE, EE, EET, EEA) have the splits train, validation (the
`dev.json` file) and test; auxiliary tasks (ES, ET, EP, EPR) only train, so
evaluators skip them. Every task carries `postprocess` (`metrics.postprocess`
in the target format of the settings in force) and the seqio metric
functions of `instructuie_jax.metrics`; its examples keep the string
features `task`, `dataset` and `id` for per-dataset scores.

Importing this module registers the tasks and does no I/O. The vocabulary is
resolved when a task's `output_features` are read (`tasks.vocab`), and the
data root when its data are read (`tasks.sources`), both from
`tasks.settings`.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterable, Mapping

import seqio

from instructuie_jax import catalog, metrics, task_types
from tasks import cache, preprocessors, settings, sources
from tasks import vocab as vocab_lib

METRIC_FNS = (metrics.metric_fn, metrics.original_metric_fn)


def postprocess(output_or_target, example=None, is_target=False):
  """`metrics.postprocess` in the target format of the settings in force."""
  return metrics.postprocess(
    output_or_target,
    example,
    is_target,
    fmt=settings.get().prompt.target_format,
  )


@functools.lru_cache(maxsize=8)
def _output_features(spec: tuple[str, int]) -> Mapping[str, seqio.Feature]:
  vocabulary = vocab_lib.get_vocabulary(*spec)
  return collections.OrderedDict(
    (k, seqio.Feature(vocabulary, add_eos=True)) for k in ("inputs", "targets")
  )


def output_features() -> Mapping[str, seqio.Feature]:
  """`inputs` and `targets` in the vocabulary of `tasks.vocab` (now)."""
  return _output_features(vocab_lib.vocabulary_spec())


class _OutputFeatures(Mapping):
  """`output_features()`, resolved only when a feature is looked up.

  seqio reads the feature names of every task when a mixture is registered
  (at import); the names are fixed, so the settings (and the vocabulary)
  are not resolved until a feature itself is used.
  """

  KEYS = ("inputs", "targets")

  def __getitem__(self, key: str) -> seqio.Feature:
    return output_features()[key]

  def __iter__(self):
    return iter(self.KEYS)

  def __len__(self) -> int:
    return len(self.KEYS)


class IeTask(seqio.Task):
  """A seqio Task whose output features follow `tasks.vocab` at use time.

  Reading its seqio cache (`use_cached=True`) first checks that the cache
  was made with the settings in force (`tasks.cache.check_settings`).
  """

  def __init__(self, *args, task_type: str, **kwargs):
    self._task_type = task_type
    super().__init__(*args, **kwargs)

  @property
  def task_type(self) -> str:
    """The IE task type ("NER", "ES", ...): no parsing of the name."""
    return self._task_type

  @property
  def output_features(self) -> Mapping[str, seqio.Feature]:
    return _OutputFeatures()

  def get_dataset(self, sequence_length=None, split="train", *args, **kwargs):
    use_cached = args[0] if args else kwargs.get("use_cached", False)
    if use_cached and self.cache_dir:
      cache.check_settings(self.name, self.cache_dir)
    return super().get_dataset(sequence_length, split, *args, **kwargs)


def splits_of(task: str) -> tuple[str, ...]:
  """The seqio splits of a task type: train only for auxiliary tasks."""
  if task_types.get(task).auxiliary:
    return ("train",)
  return sources.ALL_SPLITS


def register_dataset(spec: catalog.DatasetSpec) -> list[str]:
  """Registers the tasks of one dataset (idempotent); returns their names.

  A task registered before for another dataset of the user's own (another
  folder of `Settings.user_datasets`) is registered anew for `spec`.
  """
  names = []
  registered = set(seqio.TaskRegistry.names())
  for task in spec.tasks:
    name = catalog.task_name(task, spec)
    names.append(name)
    if name in registered:
      old = seqio.TaskRegistry.get(name).source.spec
      if old == spec or old.root is None:
        continue
      seqio.TaskRegistry.remove(name)
    seqio.TaskRegistry.add(
      name,
      source=sources.IeSource(spec, splits_of(task)),
      output_features={},  # IeTask reads them from tasks.vocab at use time.
      preprocessors=[
        functools.partial(
          preprocessors.build_prompts, task=task, dataset_name=spec.name
        ),
        *preprocessors.IE_TOKENIZE,
      ],
      postprocess_fn=postprocess,
      metric_fns=list(METRIC_FNS),
      task_cls=IeTask,
      task_type=task,
    )
  return names


def register_all(specs: Iterable[catalog.DatasetSpec]) -> dict[str, list[str]]:
  """Registers every dataset of `specs`; returns `{slug: task names}`."""
  return {spec.slug: register_dataset(spec) for spec in specs}


TASKS: dict[str, list[str]] = register_all(catalog.CATALOG)
