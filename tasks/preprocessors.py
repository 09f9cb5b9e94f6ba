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


"""SeqIO preprocessors: raw instances -> instruction prompts -> tokens.

`build_prompts` turns the source features (`tasks/sources.py`) into
`{"inputs", "targets", "task", "dataset", "id"}` with
`instructions.examples_for_split`, the one example builder, run in Python
through `tf.numpy_function` on batches of examples (one Python call per
batch, not per example). Train-split examples use the "multiple"
instruction strategy and auxiliary tasks keep an instance with
`instructions.keep_auxiliary`; other splits use "single"; EEA makes one
example per typed event. All draws are seeded by `prompt_options().seed` and
the instance id, so a prompt does not depend on reading order, sharding or
the source backend.

`IE_TOKENIZE` is the shared tail (FLAN's FLAN_TOKENIZE): tokenize (one
Python call per batch, `tokenize_batched`), an optional in-memory cache
(`Settings.memory_cache`, off by default), seqio's offline cache point, EOS
after trimming. The prompt options and the memory cache are fields of
`tasks.settings`, read when a dataset is built.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import seqio
import tensorflow as tf

from instructuie_jax import formats, instructions, task_types
from tasks import settings, sources

BATCH_SIZE = 256


def memory_cache() -> bool:
  """Whether tokenized examples are kept in memory after their first epoch.

  `Settings.memory_cache` (off by default). On, every epoch after the first
  reads the built, tokenized examples from memory instead of building and
  tokenizing them again (the in-process counterpart of seqio's offline
  cache, for data that fits in RAM).
  """
  return settings.get().memory_cache


def cache_in_memory(ds: tf.data.Dataset) -> tf.data.Dataset:
  """seqio preprocessor: `ds.cache()` when `memory_cache()` is on."""
  return ds.cache() if memory_cache() else ds


def encode_batch(vocabulary: seqio.SentencePieceVocabulary, texts):
  """Encodes strings with the vocabulary's SentencePiece model (no EOS).

  Args:
    vocabulary: A seqio SentencePiece vocabulary.
    texts: Strings or UTF-8 bytes.

  Returns:
    `(values, row_lengths)`: the ids of all strings, concatenated (int32),
    and the number of ids of each string (int64).
  """
  ids = vocabulary.tokenizer.encode(
    [_text(t) for t in texts], out_type=int, num_threads=1
  )
  lengths = np.fromiter((len(x) for x in ids), np.int64, len(ids))
  values = np.fromiter(
    (i for x in ids for i in x), np.int32, int(lengths.sum())
  )
  return values, lengths


def tokenize_batched(
  ds: tf.data.Dataset,
  output_features,
  copy_pretokenized: bool = True,
  with_eos: bool = False,
  batch_size: int = BATCH_SIZE,
) -> tf.data.Dataset:
  """seqio preprocessor: `seqio.preprocessors.tokenize`, one call per batch.

  Same examples as `seqio.preprocessors.tokenize`, in order: each output
  feature is encoded without EOS and, with `copy_pretokenized`, its text is
  kept as `{name}_pretokenized`. For SentencePiece vocabularies a batch of
  `batch_size` strings is encoded by one `tf.numpy_function` call to the
  vocabulary's own model (`vocabulary.tokenizer`, the model of
  `vocabulary.encode`; ids equal `encode_tf`'s), several times faster than
  tf_text's op per example here. Other vocabularies, and `with_eos=True`,
  use `seqio.preprocessors.tokenize` itself.

  Args:
    ds: Examples with string features.
    output_features: The task's output features (seqio passes them).
    copy_pretokenized: Keep the texts as `{name}_pretokenized`.
    with_eos: Append EOS (delegated to seqio).
    batch_size: Strings per call.

  Returns:
    The tokenized dataset.
  """
  vocabularies = [f.vocabulary for f in output_features.values()]
  if with_eos or not all(
    isinstance(v, seqio.SentencePieceVocabulary) for v in vocabularies
  ):
    return seqio.preprocessors.tokenize(
      ds, output_features, copy_pretokenized, with_eos
    )

  def encode(batch):
    out = {}
    for key, value in batch.items():
      if key in output_features:
        if copy_pretokenized:
          out[f"{key}_pretokenized"] = value
        values, lengths = tf.numpy_function(
          functools.partial(encode_batch, output_features[key].vocabulary),
          [value],
          [tf.int32, tf.int64],
          stateful=False,
        )
        values.set_shape([None])
        lengths.set_shape([None])
        value = tf.RaggedTensor.from_row_lengths(
          values, lengths, validate=False
        )
      out[key] = value
    return out

  def dense(example):
    # Unbatched rows of a ragged batch have a ragged spec of ragged rank 0;
    # give them seqio's dense `TensorSpec([None], tf.int32)`.
    return {k: tf.identity(v) for k, v in example.items()}

  ds = ds.batch(batch_size).map(encode, num_parallel_calls=tf.data.AUTOTUNE)
  return ds.unbatch().map(dense, num_parallel_calls=tf.data.AUTOTUNE)


# The shared tail (FLAN's FLAN_TOKENIZE, plus the optional memory cache).
IE_TOKENIZE = (
  tokenize_batched,
  cache_in_memory,
  seqio.CacheDatasetPlaceholder(),
  seqio.preprocessors.append_eos_after_trim,
)


def prompt_options() -> instructions.PromptOptions:
  """The prompt options in force (`tasks.settings`; read per dataset)."""
  return settings.get().prompt


def _text(value) -> str:
  return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def build_batch(
  task: str,
  dataset_name: str,
  options: instructions.PromptOptions,
  ids,
  sentences,
  golds,
  labels,
  splits,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Builds the prompts of a batch of source examples (plain Python).

  Each run of consecutive examples of one split and one labels value goes
  through `instructions.examples_for_split` with `tasks=(task,)`.

  Args:
    task: Task type ("NER", "ES", ...).
    dataset_name: Dataset directory name (the `dataset` feature).
    options: Prompt options.
    ids: Instance ids (bytes or str), and likewise below.
    sentences: Sentences.
    golds: Gold annotations as JSON (`sources.gold_to_json`).
    labels: The dataset's labels as JSON (`sources.labels_to_json`).
    splits: Split file names ("train", "dev", "test").

  Returns:
    `(inputs, targets, example ids)`: object arrays of str, in source order,
    as many as the examples built: none for an auxiliary example not
    sampled, one per typed event for EEA.
  """
  family = task_types.get(task).family
  out_inputs, out_targets, out_ids = [], [], []
  rows = zip(ids, sentences, golds, labels, splits, strict=True)
  for (label_json, split), run in itertools.groupby(
    rows, key=lambda row: (row[3], row[4])
  ):
    split = _text(split)
    instances = [
      sources.instance_from_features(_text(i), _text(s), _text(g))
      for i, s, g, _, _ in run
    ]
    for example in instructions.examples_for_split(
      instances,
      family,
      sources.labels_from_json(_text(label_json)),
      dataset=dataset_name,
      split=split,
      train=split == "train",
      options=options,
      tasks=(task,),
    ):
      out_inputs.append(example["inputs"])
      out_targets.append(example["targets"])
      out_ids.append(example["id"])
  return (
    np.array(out_inputs, dtype=object),
    np.array(out_targets, dtype=object),
    np.array(out_ids, dtype=object),
  )


def build_prompts(
  ds: tf.data.Dataset, *, task: str, dataset_name: str
) -> tf.data.Dataset:
  """seqio preprocessor: source features -> instruction examples.

  Example (NER, train split):

    {"id": "bc5cdr/train/0", "sentence": "Naloxone reverses ...", "gold": ...,
     "labels": ..., "split": "train"}
    -> {"inputs": "... Text: Naloxone reverses ... Answer:",
        "targets": " chemical: Naloxone; ...", "task": "NER",
        "dataset": "bc5cdr", "id": "bc5cdr/train/0:NER"}

  Args:
    ds: The source dataset.
    task: Task type name.
    dataset_name: Dataset directory name.

  Returns:
    The prompt dataset, in source order; auxiliary examples not sampled are
    left out, EEA has one example per typed event.
  """
  options = prompt_options()
  # A task type the target format does not cover fails here, in Python,
  # before any example is read.
  formats.check_format(options.target_format, [task])
  fn = functools.partial(build_batch, task, dataset_name, options)

  def build(batch):
    inputs, targets, ids = tf.numpy_function(
      fn,
      [batch[k] for k in ("id", "sentence", "gold", "labels", "split")],
      [tf.string, tf.string, tf.string],
      stateful=False,
    )
    for t in (inputs, targets, ids):
      t.set_shape([None])
    n = tf.shape(inputs)
    return {
      "inputs": inputs,
      "targets": targets,
      "task": tf.fill(n, task),
      "dataset": tf.fill(n, dataset_name),
      "id": ids,
    }

  return ds.batch(BATCH_SIZE).map(build).unbatch()
