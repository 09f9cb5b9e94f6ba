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


"""The data settings of the instructuie tasks: resolved once, in one place.

Everything that decides which files a task reads and which examples it
builds is a field of one frozen `Settings`:

| field | what | environment default |
|---|---|---|
| `ie_instructions_dir` | IE INSTRUCTIONS data root (local or gs://) | `IE_INSTRUCTIONS_DIR` |
| `tiny_dir` | root of the tiny synthetic data | `IE_TINY_DIR` |
| `source` | "json" or "tfds" reader | `IE_INSTRUCTIONS_SOURCE` |
| `tfds_dir` | where `tools.build_tfds` wrote the TFDS data | `IE_INSTRUCTIONS_TFDS_DIR` |
| `vocab` | SentencePiece model file, or "byte" | `IE_INSTRUCTIONS_VOCAB` |
| `vocab_extra_ids` | sentinel ids (default 100 for Flan-T5's, else 0) | `IE_INSTRUCTIONS_VOCAB_EXTRA_IDS` |
| `user_datasets` | folders of the user's own datasets (`tasks.user_datasets`) | `IE_USER_DATASETS` (comma-separated) |
| `seed`, `aux_prob`, `option_policy`, `target_format`, `instruction_file`, `eea_events` | how prompts are built (`instructions.PromptOptions`) | |
| `cap`, `temperature` | mixing rates (`tasks.mixtures.examples_rate`) | |
| `memory_cache` | keep tokenized examples in memory after one epoch | |
| `run_dir` | where a run records the tasks left out of a mixture | |

Each field is resolved, in this order, from `configure(...)` (a CLI's
flags), the gin bindings of `tasks.settings.data_settings` (T5X runs:
`--gin.data_settings.vocab="'/x.model'"`), the environment variable of the
table (set by the user; no tool of this project writes one), then the
default. `get()` resolves them the first time data are read and returns the
same object from then on: every task of a process builds its examples from
one `Settings`.

This module is the one reader of environment variables in the project
(a test checks it); besides the table's, `original_git_dir` reads
`INSTRUCTUIE_ORIGINAL_GIT_DIR` for the benchmarks that run the original
InstructUIE's evaluator.

The fields that change the examples of a task (vocabulary, prompt options)
make up `Settings.fingerprint()`. `tools/cache_tasks.sh` records it beside
every seqio cache it writes and the tasks refuse a cache made with other
settings (`tasks.cache`); data roots, the reader and mixing do not change a
task's examples and are not part of it. Nor do `user_datasets`: they are
data roots too, and which datasets they hold decides which tasks exist (a
name), not what a task's examples are.

Resolving the settings (`resolve`, hence `get`, `configure`) registers the
tasks and mixtures of the `user_datasets` folders (`on_resolve` hooks, which
`tasks.mixtures` adds), so a tool that configures its settings, and a T5X
run once gin is finalized, find them by name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import gin

from instructuie_jax import catalog, instructions

FLAN_T5_VOCAB = "gs://t5-data/vocabs/cc_all.32000.100extra/sentencepiece.model"
FLAN_T5_EXTRA_IDS = 100
BYTE = "byte"
SOURCE_KINDS: tuple[str, ...] = ("json", "tfds")

# Fields with an environment default, and their variables.
ENV_VARS: Mapping[str, str] = {
  "ie_instructions_dir": "IE_INSTRUCTIONS_DIR",
  "tiny_dir": "IE_TINY_DIR",
  "source": "IE_INSTRUCTIONS_SOURCE",
  "tfds_dir": "IE_INSTRUCTIONS_TFDS_DIR",
  "vocab": "IE_INSTRUCTIONS_VOCAB",
  "vocab_extra_ids": "IE_INSTRUCTIONS_VOCAB_EXTRA_IDS",
  "user_datasets": "IE_USER_DATASETS",
}
# Read here too, for the benchmarks that compare with the original
# InstructUIE: its bare git repository (`original_git_dir`).
ORIGINAL_GIT_DIR_VAR = "INSTRUCTUIE_ORIGINAL_GIT_DIR"
# The settings field holding each benchmark's data root.
DATA_DIR_FIELDS: Mapping[str, str] = {
  "ie_instructions": "ie_instructions_dir",
  "tiny": "tiny_dir",
}
# The fields of `instructions.PromptOptions`, bound by their own names.
_PROMPT_FIELDS = tuple(
  f.name for f in dataclasses.fields(instructions.PromptOptions)
)


@dataclasses.dataclass(frozen=True)
class Settings:
  """The data settings of a process (see the module docstring)."""

  ie_instructions_dir: str | None = None
  tiny_dir: str | None = None
  source: str = "json"
  tfds_dir: str | None = None
  vocab: str = FLAN_T5_VOCAB
  vocab_extra_ids: int = FLAN_T5_EXTRA_IDS
  prompt: instructions.PromptOptions = instructions.PromptOptions()
  cap: int | None = catalog.MAX_INSTANCES_PER_TASK
  temperature: float = 1.0
  memory_cache: bool = False
  run_dir: str | None = None
  user_datasets: tuple[str, ...] = ()

  def __post_init__(self):
    if self.source not in SOURCE_KINDS:
      raise ValueError(
        f"Unknown source {self.source!r}; known: {', '.join(SOURCE_KINDS)}"
      )
    if self.temperature <= 0:
      raise ValueError(f"temperature must be > 0, got {self.temperature}")
    if self.cap is not None and self.cap < 1:
      raise ValueError(f"cap must be >= 1 or None, got {self.cap}")

  def data_dir(self, benchmark: str) -> str:
    """The data root of `benchmark` ("ie_instructions" or "tiny").

    Raises:
      ValueError: the root is not set, naming the ways to set it.
    """
    if benchmark not in DATA_DIR_FIELDS:
      raise ValueError(
        f"Unknown benchmark {benchmark!r}; known: {catalog.BENCHMARKS}"
      )
    field = DATA_DIR_FIELDS[benchmark]
    root = getattr(self, field)
    if not root:
      raise ValueError(
        f"No data root for the {benchmark!r} datasets: set "
        f"{ENV_VARS[field]}, pass --data_dir, or bind "
        f"data_settings.{field} in gin."
      )
    return root

  @property
  def vocabulary_spec(self) -> tuple[str, int]:
    """`(model path or "byte", extra_ids)` of the tasks' vocabulary."""
    return self.vocab, self.vocab_extra_ids

  def fingerprint(self) -> dict[str, Any]:
    """The settings that change a task's examples, as JSON-able values.

    The vocabulary and instruction files are named and hashed (SHA-256 of
    their bytes), so a file rewritten in place is caught too.
    """
    return {
      "vocab": self.vocab,
      "vocab_extra_ids": self.vocab_extra_ids,
      "vocab_sha256": None if self.vocab == BYTE else file_sha256(self.vocab),
      "prompt": dataclasses.asdict(self.prompt),
      "instruction_file_sha256": (
        file_sha256(self.prompt.instruction_file)
        if self.prompt.instruction_file
        else None
      ),
    }


def file_sha256(path: str) -> str:
  """SHA-256 of a local or remote (`gs://`) file's bytes."""
  import tensorflow as tf  # noqa: PLC0415 (only for fingerprints)

  digest = hashlib.sha256()
  with tf.io.gfile.GFile(path, "rb") as f:
    while chunk := f.read(1 << 20):
      digest.update(chunk)
  return digest.hexdigest()


_UNSET = object()


@gin.configurable(module="tasks.settings")
def data_settings(
  ie_instructions_dir=_UNSET,
  tiny_dir=_UNSET,
  source=_UNSET,
  tfds_dir=_UNSET,
  vocab=_UNSET,
  vocab_extra_ids=_UNSET,
  seed=_UNSET,
  aux_prob=_UNSET,
  option_policy=_UNSET,
  target_format=_UNSET,
  instruction_file=_UNSET,
  eea_events=_UNSET,
  cap=_UNSET,
  temperature=_UNSET,
  memory_cache=_UNSET,
  run_dir=_UNSET,
  user_datasets=_UNSET,
) -> dict[str, Any]:
  """The gin bindings of the settings (only the bound ones).

  Bind any field of `Settings` (prompt options by their own names), e.g.

    from tasks import settings
    settings.data_settings.vocab = '/data/spm.model'
    settings.data_settings.ie_instructions_dir = 'gs://bucket/ie_instructions'
    settings.data_settings.user_datasets = ['/data/my_ie']

  or on T5X's command line `--gin.data_settings.seed=1`.
  """
  values = dict(locals())
  return {k: v for k, v in values.items() if v is not _UNSET}


FIELDS: tuple[str, ...] = (
  *(f.name for f in dataclasses.fields(Settings) if f.name != "prompt"),
  *_PROMPT_FIELDS,
)
_INT_FIELDS = ("vocab_extra_ids",)


def default_extra_ids(vocab: str) -> int:
  """The sentinel ids of `vocab` when none are given: Flan-T5's 100 for its
  model, 0 for any other."""
  return FLAN_T5_EXTRA_IDS if vocab == FLAN_T5_VOCAB else 0


def _from_values(values: Mapping[str, Any]) -> Settings:
  unknown = set(values) - set(FIELDS)
  if unknown:
    raise ValueError(f"Unknown settings {sorted(unknown)}; known: {FIELDS}")
  prompt = {k: values[k] for k in _PROMPT_FIELDS if k in values}
  rest = {k: v for k, v in values.items() if k not in _PROMPT_FIELDS}
  if "user_datasets" in rest:
    rest["user_datasets"] = user_folders(rest["user_datasets"])
  if "vocab_extra_ids" not in rest:
    rest["vocab_extra_ids"] = default_extra_ids(
      rest.get("vocab", FLAN_T5_VOCAB)
    )
  return Settings(**rest, prompt=instructions.PromptOptions(**prompt))


def user_folders(value: Any) -> tuple[str, ...]:
  """`user_datasets` as a tuple of folders: from a list, or a string of
  comma-separated folders (the environment variable, a flag)."""
  if isinstance(value, str):
    value = value.split(",")
  if not isinstance(value, list | tuple):
    raise ValueError(
      f"user_datasets: expected a list of folders, got {value!r}"
    )
  folders = []
  for folder in value:
    if not isinstance(folder, str):
      raise ValueError(f"user_datasets: {folder!r} is not a folder name")
    if folder.strip():
      folders.append(folder.strip())
  return tuple(folders)


def user_datasets_in_force() -> tuple[str, ...]:
  """`user_datasets` alone, as `resolve` would give it (overrides, gin,
  environment), without resolving the other settings."""
  value = _overrides.get("user_datasets")
  if value is None:
    value = data_settings().get("user_datasets")
  if value is None:
    value = os.environ.get(ENV_VARS["user_datasets"], "")
  return user_folders(value)


_hooks: list[Callable[[Settings], None]] = []


def on_resolve(hook: Callable[[Settings], None]) -> None:
  """Calls `hook(settings)` whenever settings are resolved (`resolve`).

  `tasks.mixtures` registers the tasks of `Settings.user_datasets` so;
  a hook must be cheap when called again with the same settings.
  """
  if hook not in _hooks:
    _hooks.append(hook)


def resolve(**overrides: Any) -> Settings:
  """Settings from `overrides`, gin, the environment and the defaults.

  Does not change the settings in force (see `get`); `None` overrides are
  ignored, so CLIs can pass their flags as they are. Runs the `on_resolve`
  hooks.
  """
  values: dict[str, Any] = {}
  for field, var in ENV_VARS.items():
    if os.environ.get(var):
      value = os.environ[var]
      values[field] = int(value) if field in _INT_FIELDS else value
  values.update(data_settings())
  values.update({k: v for k, v in overrides.items() if v is not None})
  resolved = _from_values(values)
  for hook in _hooks:
    hook(resolved)
  return resolved


_overrides: dict[str, Any] = {}
_current: Settings | None = None


def get() -> Settings:
  """The settings in force, resolved on first use and fixed from then on."""
  global _current
  if _current is None:
    _current = resolve(**_overrides)
  return _current


def configure(**overrides: Any) -> Settings:
  """Sets settings from a CLI's flags (`None`: flag not given).

  Call it before any data are read, e.g. `configure(vocab=FLAGS.vocab,
  ie_instructions_dir=FLAGS.data_dir)`.

  Returns:
    The settings in force from now on.

  Raises:
    RuntimeError: data were already read with other settings.
    ValueError: an unknown or invalid setting.
  """
  global _current
  given = {k: v for k, v in overrides.items() if v is not None}
  new = resolve(**{**_overrides, **given})
  if _current is not None and new != _current:
    raise RuntimeError(
      "The data settings are already in use; configure() must come before "
      f"data are read (in use: {_current}, asked: {new})."
    )
  _overrides.update(given)
  _current = new
  return new


def original_git_dir() -> str | None:
  """The original InstructUIE's bare git directory ($INSTRUCTUIE_ORIGINAL_GIT_DIR),
  or None when unset."""
  return os.environ.get(ORIGINAL_GIT_DIR_VAR) or None


def data_dir_overrides(benchmarks, path: str | None) -> dict[str, str]:
  """`configure` keywords that set the data root of `benchmarks` to `path`."""
  if not path:
    return {}
  # A user's dataset carries its own root (`user_datasets`).
  return {DATA_DIR_FIELDS[b]: path for b in benchmarks if b in DATA_DIR_FIELDS}


@contextlib.contextmanager
def scoped(**overrides: Any) -> Iterator[Settings]:
  """Settings in force inside a `with` block only (tests, benchmarks).

  `overrides` add to the overrides already in force (nested blocks add
  up); the settings are resolved at first use inside the block (so a CLI's
  `configure` may still run there) and the previous ones are back on exit.
  Yields the settings as resolved on entry.
  """
  global _current, _overrides
  saved = (_current, dict(_overrides))
  given = {k: v for k, v in overrides.items() if v is not None}
  _overrides = {**_overrides, **given}
  _current = None  # Resolved at first use; `configure` may still add to it.
  try:
    yield resolve(**_overrides)
  finally:
    _current, _overrides = saved[0], saved[1]


class VocabularyError(ValueError):
  """A vocabulary file that cannot be used; the message is one line."""


def sentencepiece_pieces(path: str) -> int:
  """The number of pieces of the SentencePiece model file at `path`.

  The one check that a file given as a vocabulary is a SentencePiece model
  (any file can be named: `--vocab=/etc/hostname`). Local paths are read
  directly; others (gs://) through TensorFlow.

  Raises:
    VocabularyError: `path` cannot be read or is not a SentencePiece model.
  """
  import sentencepiece  # noqa: PLC0415

  try:
    if "://" in path:
      import tensorflow as tf  # noqa: PLC0415

      with tf.io.gfile.GFile(path, "rb") as f:
        data = f.read()
    else:
      with open(path, "rb") as f:
        data = f.read()
  except OSError as e:
    reason = e.strerror or str(e).strip().splitlines()[0]
    raise VocabularyError(f"{path}: {reason}") from None
  except Exception as e:  # noqa: BLE001  # tf.errors.OpError and kin
    reason = str(e).strip().splitlines()[0] if str(e).strip() else ""
    raise VocabularyError(f"{path}: {reason or type(e).__name__}") from None
  processor = sentencepiece.SentencePieceProcessor()
  try:
    processor.LoadFromSerializedProto(data)
  except (RuntimeError, TypeError, ValueError):
    raise VocabularyError(
      f"{path}: not a SentencePiece model ({len(data)} bytes that do not "
      "parse as one)"
    ) from None
  pieces = processor.GetPieceSize()
  if pieces < 1:
    raise VocabularyError(f"{path}: a SentencePiece model without pieces")
  return pieces


def vocabulary_problem(current: Settings | None = None) -> str | None:
  """Why the vocabulary of `current` (default: in force) cannot be used.

  Returns:
    None when it is "byte" or a SentencePiece model
    (`sentencepiece_pieces`); else a one-line message that says how to pass
    a local model.
  """
  current = current or get()
  if current.vocab == BYTE:
    return None
  try:
    sentencepiece_pieces(current.vocab)
  except VocabularyError as e:
    reason = str(e)
  else:
    return None
  return (
    f"cannot use the vocabulary {reason}; pass a local SentencePiece model "
    "with --vocab=PATH.model (e.g. one made by python -m tools.train_vocab) "
    "or set IE_INSTRUCTIONS_VOCAB"
  )


def reset() -> None:
  """Forgets the resolved settings (tests): the next `get` resolves anew,
  with the overrides in force (`configure`, `scoped`)."""
  global _current
  _current = None
