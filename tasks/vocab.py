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


"""The one vocabulary factory shared by the seqio tasks and the gin models.

T5X requires the task vocabulary to equal the model vocabulary, so both call
`get_vocabulary()`: the vocabulary of `tasks.settings` (`Settings.vocab`):
Flan-T5's SentencePiece model by default, or a local `.model` file (e.g. one
made by `tools/train_vocab.py`). The value `byte` selects
`seqio.ByteVocabulary()` (lossless, no file; for tests).
"""

from __future__ import annotations

import functools

import seqio

from tasks import settings

ENV_VAR = settings.ENV_VARS["vocab"]
ENV_VAR_EXTRA_IDS = settings.ENV_VARS["vocab_extra_ids"]
FLAN_T5_VOCAB = settings.FLAN_T5_VOCAB
FLAN_T5_EXTRA_IDS = settings.FLAN_T5_EXTRA_IDS
BYTE = settings.BYTE


def vocabulary_spec(
  path: str | None = None, extra_ids: int | None = None
) -> tuple[str, int]:
  """The `(model path, extra_ids)` that `get_vocabulary` would use.

  Args:
    path: SentencePiece model file or "byte"; default: the settings' vocab.
    extra_ids: Sentinel ids appended to the vocabulary; default: the
      settings' for their vocab, else `settings.default_extra_ids(path)`.
  """
  if path is None:
    path, default_extra_ids = settings.get().vocabulary_spec
    return path, default_extra_ids if extra_ids is None else extra_ids
  if extra_ids is None:
    extra_ids = settings.default_extra_ids(path)
  return path, extra_ids


def get_vocabulary(
  path: str | None = None, extra_ids: int | None = None
) -> seqio.Vocabulary:
  """Returns the vocabulary of every instructuie task (see `vocabulary_spec`).

  The same object is returned for the same spec, so the SentencePiece model
  is loaded once per process (lazily, on first use).
  """
  return _cached_vocabulary(*vocabulary_spec(path, extra_ids))


@functools.cache
def _cached_vocabulary(path: str, extra_ids: int) -> seqio.Vocabulary:
  if path == BYTE:
    return seqio.ByteVocabulary(extra_ids=extra_ids)
  return seqio.SentencePieceVocabulary(path, extra_ids=extra_ids)
