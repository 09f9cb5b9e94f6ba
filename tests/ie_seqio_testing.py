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


"""Shared set-up of the seqio tests: fixture datasets, vocabulary, env."""

import contextlib
import os
import pathlib

import seqio

from instructuie_jax import catalog
from tasks import ie_instructions, sources
from tools import train_vocab

TINY_DATA_DIR = pathlib.Path(__file__).resolve().parent / "testdata" / "ie_tiny"

# The hand-written fixtures, as catalog rows of the "tiny" benchmark.
FIXTURE_SPECS = (
  catalog.DatasetSpec(
    "tiny_ner", "tiny_ner", "NER", "synthetic", "supervised", "tiny"
  ),
  catalog.DatasetSpec(
    "tiny_re", "tiny_re", "RE", "synthetic", "supervised", "tiny"
  ),
  catalog.DatasetSpec(
    "tiny_ee", "tiny_ee", "EE", "synthetic", "supervised", "tiny"
  ),
)
ENV_VARS = (
  "IE_INSTRUCTIONS_VOCAB",
  "IE_INSTRUCTIONS_VOCAB_EXTRA_IDS",
  "IE_INSTRUCTIONS_SOURCE",
  "IE_INSTRUCTIONS_TFDS_DIR",
)


@contextlib.contextmanager
def env(**values):
  """Sets environment variables (None: unset) and restores them after."""
  old = {k: os.environ.get(k) for k in values}
  try:
    for k, v in values.items():
      if v is None:
        os.environ.pop(k, None)
      else:
        os.environ[k] = v
    yield
  finally:
    for k, v in old.items():
      if v is None:
        os.environ.pop(k, None)
      else:
        os.environ[k] = v


@contextlib.contextmanager
def fixture_tasks(tmp_dir: pathlib.Path):
  """Registers the fixture tasks with a vocabulary trained on the fixtures.

  Yields `{slug: task names}`; removes the tasks and restores the data root
  and environment afterwards.
  """
  model = train_vocab.train_vocab(
    str(TINY_DATA_DIR),
    str(tmp_dir / "vocab.model"),
    vocab_size=400,
    splits=("train", "dev", "test"),
  )
  with env(**{**{k: None for k in ENV_VARS}, "IE_INSTRUCTIONS_VOCAB": model}):
    sources.set_data_dir("tiny", str(TINY_DATA_DIR))
    names = ie_instructions.register_all(FIXTURE_SPECS)
    try:
      yield names
    finally:
      for task_names in names.values():
        for name in task_names:
          seqio.TaskRegistry.remove(name)
      sources.set_data_dir("tiny", None)


def examples(task_name: str, split: str, **kwargs) -> list[dict]:
  """All examples of a task split, unshuffled, as numpy dicts."""
  task = seqio.get_mixture_or_task(task_name)
  ds = task.get_dataset(
    sequence_length=kwargs.pop("sequence_length", None),
    split=split,
    shuffle=False,
    **kwargs,
  )
  return list(ds.as_numpy_iterator())
