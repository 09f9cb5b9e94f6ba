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
`get_vocabulary()`: Flan-T5's SentencePiece model by default, or a local
`.model` file (e.g. one made by `tools/train_vocab.py`) named by the
environment variable `IE_INSTRUCTIONS_VOCAB`, read at call time. The value
`byte` selects `seqio.ByteVocabulary()` (lossless, no file; for tests).
"""

from __future__ import annotations

import functools
import os

import seqio

ENV_VAR = "IE_INSTRUCTIONS_VOCAB"
ENV_VAR_EXTRA_IDS = "IE_INSTRUCTIONS_VOCAB_EXTRA_IDS"
FLAN_T5_VOCAB = "gs://t5-data/vocabs/cc_all.32000.100extra/sentencepiece.model"
FLAN_T5_EXTRA_IDS = 100
BYTE = "byte"


def vocabulary_spec(
  path: str | None = None, extra_ids: int | None = None
) -> tuple[str, int]:
  """The `(model path, extra_ids)` that `get_vocabulary` would use.

  Args:
    path: SentencePiece model file or "byte"; default: `$IE_INSTRUCTIONS_VOCAB`,
      else Flan-T5's model.
    extra_ids: Sentinel ids appended to the vocabulary; default:
      `$IE_INSTRUCTIONS_VOCAB_EXTRA_IDS`, else 100 for Flan-T5's model and 0
      for any other.
  """
  path = path or os.environ.get(ENV_VAR) or FLAN_T5_VOCAB
  if extra_ids is None:
    env = os.environ.get(ENV_VAR_EXTRA_IDS)
    if env:
      extra_ids = int(env)
    else:
      extra_ids = FLAN_T5_EXTRA_IDS if path == FLAN_T5_VOCAB else 0
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
