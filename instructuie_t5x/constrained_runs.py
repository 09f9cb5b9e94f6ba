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

"""Constrained decoding in T5X's runs: `t5x.infer`, `t5x.eval`, `t5x.train`.

One gin file, parsed after the model file, switches it on:

  --gin_file=gin/decoding/constrained.gin

It wraps MODEL in `ConstrainedModel`. T5X's `predict_batch` sees only token
arrays, so the automata are built host-side, in the input pipeline: the
model's feature converter (`FeatureConverter`, what T5X's eval and infer
paths call `model.FEATURE_CONVERTER_CLS(pack=False)` for) reads each
example's `task` and `inputs_pretokenized` (the prompt: its options and
text, `constrained.automaton_from_prompt`), compiles the automaton and pads
it to fixed sizes as the batch features `constraint_*`.
`ConstrainedModel.predict_batch_with_aux` hands them to `constrained.decode`
and cuts an answer that did not end within the target length back to its
last complete item, as `Extractor.extract(..., constrained=True)` does (aux
`unfinished_tokens`; `constrained`: 1 for a row decoded under constraints).

Only the datasets that decoding reads get the features: not packed, not
repeated without end (the training stream), with the features `task` and
`inputs_pretokenized` (the tasks' datasets; a seqio mixture keeps only
`inputs` and `targets`, which `t5x.infer` reads for the shapes alone). A
batch without them is an error in `ConstrainedModel`.

Nothing is dropped: an example whose automaton is larger than the fixed
sizes (`positions`, `groups`), or whose prompt does not have its task's
layout, is decoded without constraints, logged with its id and counted
(`FeatureConverter.unconstrained`); its aux `constrained` is 0.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Mapping, MutableMapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import seqio
import tensorflow as tf
from absl import logging
from t5x import models

from instructuie_t5x import constrained

PREFIX = "constraint_"
# The arrays of `constrained.pack`, then the row's switch.
KEYS = ("symbol", "has_next", "group", "follow", "start", "to_end")
ON = "on"
# What each example's automaton is built from.
SOURCE_FEATURES = ("task", "inputs_pretokenized")
DEFAULT_GROUPS = 16

_DTYPES = {
  "symbol": np.int32,
  "has_next": np.bool_,
  "group": np.int32,
  "follow": np.bool_,
  "start": np.bool_,
  "to_end": np.int32,
  ON: np.bool_,
}


def default_positions(input_length: int) -> int:
  """Automaton positions for inputs of `input_length` tokens.

  Each span piece of a grammar (at most two: head and tail, trigger and
  argument) has a position per token of the text, each label one per
  token, the literals a few: at most twice the text and options, which a
  prompt that was not cut holds (with its instruction) in `input_length`.
  """
  return 2 * input_length


class FeatureConverter(seqio.EncDecFeatureConverter):
  """`seqio.EncDecFeatureConverter` plus each example's automaton.

  For a dataset that is neither packed nor endless and has the
  `SOURCE_FEATURES`, every example gets the
  features `constraint_{symbol,has_next,group,follow,start,to_end}` (its
  automaton, `constrained.pack` padded to `positions` and `groups`) and
  `constraint_on` (False where it is decoded without constraints).

  Attributes:
    unconstrained: Examples decoded without constraints, per reason.
  """

  def __init__(
    self,
    *args: Any,
    vocabulary: seqio.Vocabulary,
    positions: int | None = None,
    groups: int = DEFAULT_GROUPS,
    target_format: str | None = None,
    **kwargs: Any,
  ):
    """Initializes the converter.

    Args:
      *args: `seqio.EncDecFeatureConverter`'s.
      vocabulary: The model's output vocabulary.
      positions: Automaton positions P per example (default:
        `default_positions` of the inputs' length).
      groups: Automaton groups G per example.
      target_format: The targets' format (default: the settings', as the
        tasks build targets).
      **kwargs: `seqio.EncDecFeatureConverter`'s.
    """
    super().__init__(*args, **kwargs)
    self._vocabulary = vocabulary
    self._positions = positions
    self._groups = groups
    self._target_format = target_format
    self._lock = threading.Lock()
    self.unconstrained: Counter[str] = Counter()

  def __call__(
    self, ds: tf.data.Dataset, task_feature_lengths: Mapping[str, int]
  ) -> tf.data.Dataset:
    converted = super().__call__(ds, task_feature_lengths)
    if (
      self.pack
      or ds.cardinality() == tf.data.INFINITE_CARDINALITY
      or not all(k in ds.element_spec for k in SOURCE_FEATURES)
    ):
      return converted
    positions = self._positions or default_positions(
      task_feature_lengths["inputs"]
    )
    groups = self._groups
    fmt = self._target_format or _settings_format()
    shapes = {
      k: (groups, positions) if k == "follow" else (positions,) for k in KEYS
    }
    shapes[ON] = ()
    names = (*KEYS, ON)

    def build(task, prompt, example_id):
      arrays = self.constraints(
        task.decode(),
        prompt.decode(),
        example_id.decode(),
        positions,
        groups,
        fmt,
      )
      return [arrays[k] for k in names]

    def add(example):
      example_id = example.get("id", tf.constant(""))
      if example_id.dtype != tf.string:  # Named in the log only.
        example_id = tf.strings.as_string(example_id)
      out = tf.numpy_function(
        build,
        [example["task"], example["inputs_pretokenized"], example_id],
        [tf.as_dtype(_DTYPES[k]) for k in names],
        stateful=False,
      )
      features = {}
      for k, value in zip(names, out, strict=True):
        value.set_shape(shapes[k])
        features[PREFIX + k] = value
      return features

    extra = ds.map(add, num_parallel_calls=tf.data.AUTOTUNE)
    return tf.data.Dataset.zip((converted, extra)).map(lambda a, b: {**a, **b})

  def constraints(
    self,
    task: str,
    prompt: str,
    example_id: str,
    positions: int,
    groups: int,
    target_format: str,
  ) -> dict[str, np.ndarray]:
    """The constraint arrays of one example (unbatched), `on` included."""
    automaton = constrained.automaton_from_prompt(
      task, prompt, self._vocabulary, target_format
    )
    if automaton is None:
      reason = f"its prompt does not have the {task} layout"
      key = "prompt_not_read"
    elif automaton.num_positions > positions or automaton.num_groups > groups:
      reason = (
        f"its automaton has {automaton.num_positions} positions and "
        f"{automaton.num_groups} groups, over {positions} and {groups} "
        "(ConstrainedModel.positions, .groups)"
      )
      key = "too_large"
    else:
      packed = constrained.pack([automaton], 1, positions, groups)
      out = {k: v[0] for k, v in packed.items()}
      out[ON] = np.bool_(True)
      return out
    with self._lock:
      self.unconstrained[key] += 1
      total = sum(self.unconstrained.values())
    logging.warning(
      "constrained decoding: %s example %r decoded without constraints: %s "
      "(%d so far)",
      task,
      example_id,
      reason,
      total,
    )
    out = {
      k: np.zeros((groups, positions) if k == "follow" else (positions,), t)
      for k, t in _DTYPES.items()
      if k != ON
    }
    out["group"][:] = groups
    out[ON] = np.bool_(False)
    return out


def _settings_format() -> str:
  from tasks import settings  # noqa: PLC0415  # resolved at use, as the tasks do

  return settings.get().prompt.target_format


class ConstrainedModel(models.EncoderDecoderModel):
  """An `EncoderDecoderModel` that decodes inside each example's grammar.

  Built from the configured model (gin: `MODEL`), whose module,
  vocabularies, optimizer and loss it keeps; its decode function is
  `constrained.decode` and its feature converter `FeatureConverter`.
  Training and scoring are the model's own.
  """

  def __init__(
    self,
    model: models.EncoderDecoderModel,
    positions: int | None = None,
    groups: int = DEFAULT_GROUPS,
    target_format: str | None = None,
  ):
    """Wraps `model`.

    Args:
      model: The configured encoder-decoder model.
      positions: Automaton positions per example (default: twice the
        inputs' length).
      groups: Automaton groups per example (the grammars here have at most
        14).
      target_format: The targets' format (default: the settings').
    """
    if not isinstance(model, models.EncoderDecoderModel):
      raise TypeError(
        "constrained decoding wraps an EncoderDecoderModel, got "
        f"{type(model).__name__}"
      )
    # The model as configured; T5X's models have no other way to copy one.
    vars(self).update(vars(model))
    self.base = model
    self._decode_fn = constrained.decode
    self.FEATURE_CONVERTER_CLS = functools.partial(
      FeatureConverter,
      vocabulary=model.output_vocabulary,
      positions=positions,
      groups=groups,
      target_format=target_format,
    )

  def predict_batch_with_aux(
    self,
    params: Any,
    batch: Mapping[str, jnp.ndarray],
    rng: jax.Array | None = None,
    decoder_params: MutableMapping[str, Any] | None = None,
    return_all_decodes: bool | None = None,
    num_decodes: int | None = None,
    prompt_with_targets: bool = False,
  ) -> tuple[jnp.ndarray, Mapping[str, jnp.ndarray]]:
    """Decodes under the batch's `constraint_*` features (see the module).

    Returns:
      `(decodes, aux)`: aux adds `unfinished_tokens` (decoded tokens cut
      with an unfinished item) and `constrained` (1 or 0) per row.

    Raises:
      ValueError: For a batch without the constraint features.
    """
    missing = [PREFIX + k for k in (*KEYS, ON) if PREFIX + k not in batch]
    if missing:
      raise ValueError(
        "constrained decoding: the batch has no constraint features "
        f"({', '.join(missing)}); the model's FEATURE_CONVERTER_CLS adds "
        "them to the examples of a task with the features "
        f"{' and '.join(SOURCE_FEATURES)}, read once (not packed or "
        "repeated)"
      )
    constraints = {k: batch[PREFIX + k] for k in (*KEYS, ON)}
    params_in = dict(decoder_params or {})
    params_in["constraints"] = constraints
    decodes, aux = super().predict_batch_with_aux(
      params,
      batch,
      rng=rng,
      decoder_params=params_in,
      return_all_decodes=return_all_decodes,
      num_decodes=num_decodes,
      prompt_with_targets=prompt_with_targets,
    )
    shape = decodes.shape
    flat = jnp.reshape(decodes, (-1, shape[-1]))
    per_row = flat.shape[0] // shape[0]
    rows = {
      k: jnp.repeat(v, per_row, axis=0) if per_row > 1 else v
      for k, v in constraints.items()
    }
    flat, unfinished = constrained.cut_unfinished(
      rows, flat, self.output_vocabulary.eos_id
    )
    aux = dict(aux)
    aux["unfinished_tokens"] = jnp.reshape(unfinished, shape[:-1])
    aux["constrained"] = jnp.reshape(rows[ON].astype(jnp.int32), shape[:-1])
    return jnp.reshape(flat, shape), aux
