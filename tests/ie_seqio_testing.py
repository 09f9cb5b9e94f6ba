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


"""Shared set-up of the seqio tests: fixture datasets, vocabulary, settings."""

import contextlib
import json
import os
import pathlib

import numpy as np
import seqio
import tensorflow as tf

from instructuie_jax import catalog, vocab_training
from tasks import cache, ie_instructions, settings

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
ENV_VARS = tuple(settings.ENV_VARS.values())


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

  Yields `{slug: task names}`; removes the tasks and restores the settings
  and environment afterwards.
  """
  model = vocab_training.train_vocab(
    str(TINY_DATA_DIR),
    str(tmp_dir / "vocab.model"),
    vocab_size=400,
    splits=("train", "dev", "test"),
  )
  with (
    env(**{k: None for k in ENV_VARS}),
    settings.scoped(vocab=model, tiny_dir=str(TINY_DATA_DIR)),
  ):
    names = ie_instructions.register_all(FIXTURE_SPECS)
    try:
      yield names
    finally:
      for task_names in names.values():
        for name in task_names:
          seqio.TaskRegistry.remove(name)


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


def write_seqio_cache(
  task_name: str,
  split: str,
  cache_dir: str,
  *,
  transform=None,
  num_shards: int = 2,
  seed: int = 0,
) -> str:
  """Writes one task split to seqio's offline cache format, without Beam.

  The files of `seqio.scripts.cache_tasks_main` (seqio 0.0.20, tfrecord
  output): `{split}.tfrecord-SSSSS-of-NNNNN` shards of `tf.train.Example`
  (`seqio.dict_to_tfexample`), `info.{split}.json`, `stats.{split}.json`
  (examples and non-EOS, non-pad token counts of the output features) and
  `COMPLETED` (holding "tfrecord", as that script writes it), and the
  settings fingerprint that `tools/cache_tasks.sh` adds. The examples
  are those of the source and the pre-cache preprocessors (no seed: the
  tasks here are deterministic), in an order shuffled by `seed`, dealt
  round-robin to the shards. Read it back after
  `seqio.add_global_cache_dirs([cache_dir])` with `use_cached=True`.

  Args:
    task_name: A registered task.
    split: The split to write.
    cache_dir: The cache root; the task's folder is made under it.
    transform: Maps each example (a dict of numpy values) before writing.
    num_shards: TFRecord shards to write.
    seed: Seeds the order of the examples.

  Returns:
    The task's cache folder.
  """
  task = seqio.get_mixture_or_task(task_name)
  ds = task.preprocess_precache(task.source.get_dataset(split, shuffle=False))
  exs = [transform(ex) if transform else ex for ex in ds.as_numpy_iterator()]
  exs = [exs[i] for i in np.random.default_rng(seed).permutation(len(exs))]
  out = os.path.join(cache_dir, seqio.get_task_dir_from_name(task.name))
  tf.io.gfile.makedirs(out)
  prefix = seqio.get_cached_tfrecord_prefix(out, split)
  for shard in range(num_shards):
    path = f"{prefix}-{shard:05d}-of-{num_shards:05d}"
    with tf.io.TFRecordWriter(path) as writer:
      for ex in exs[shard::num_shards]:
        writer.write(seqio.dict_to_tfexample(ex).SerializeToString())
  info = {}  # What seqio's GetInfo gives a split without examples.
  if exs:
    features = {}
    for key, value in exs[0].items():
      t = tf.constant(value)
      shape = t.shape.as_list()
      shape = [None] + shape[1:] if shape else shape
      features[key] = {"shape": shape, "dtype": t.dtype.name}
    info = {
      "num_shards": num_shards,
      "features": features,
      "seqio_version": seqio.__version__,
    }
  stats = {"examples": len(exs)}
  for name, feature in task.output_features.items():
    vocab = feature.vocabulary
    counts = [
      int(np.sum((ex[name] != vocab.eos_id) & (ex[name] != vocab.pad_id)))
      for ex in exs
      if name in ex and getattr(ex[name], "dtype", None) in (np.int32, np.int64)
    ]
    if counts:
      stats[f"{name}_tokens"] = sum(counts)
      stats[f"{name}_max_tokens"] = max(counts)
  for path, obj in (
    (seqio.get_cached_info_path(out, split), info),
    (seqio.get_cached_stats_path(out, split), stats),
  ):
    with tf.io.gfile.GFile(path, "w") as f:
      f.write(json.dumps(obj, sort_keys=True, indent=2) + "\n")
  with tf.io.gfile.GFile(os.path.join(out, "COMPLETED"), "w") as f:
    f.write("tfrecord")
  cache.write_settings(out)
  return out
