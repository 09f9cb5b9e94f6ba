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

"""The extraction API: a T5X checkpoint applied to the user's own texts.

  extractor = Extractor.from_checkpoint("/tmp/instructuie_tiny/model")
  extractor.extract(["Ada Lovelace met Charles Babbage in London."],
                    task="NER", labels=["person", "location"])
  # [{"text": ..., "task": "NER", "entities": [{"text": "Ada Lovelace",
  #   "type": "person", "start": 0, "end": 12, "grounded": True,
  #   "valid_label": True}, ...], "prediction": " person: Ada Lovelace; ...",
  #   "truncated_tokens": 0, ...}]

What happens (T5X's own pieces, as `t5x.infer` uses them):

1. The model comes from gin: the run's `config.gin` (written by `t5x.train`
   beside the checkpoints; its `__main__` bindings are left out) or the
   `model.gin` of a converted checkpoint (`tools.convert_checkpoint
   --from_hf`), then the `gin_files` and `gin_bindings` given, which
   override it. `MODEL` must be
   bound; `TASK_FEATURE_LENGTHS`, when bound, gives the default input and
   target lengths; its data settings (`tasks.settings`) give the prompt
   options of the run (`Extractor.options`: target format, instruction
   file), so that a query's prompt is rendered as training rendered it and
   its answer is read in the run's target format (e.g. "words_bio").
2. The parameters are restored with `t5x.utils.TrainStateInitializer` and
   `RestoreCheckpointConfig` (no optimizer state), partitioned by a
   `PjitPartitioner`.
3. `queries.make_query` builds each prompt with the core; the model's input
   vocabulary tokenizes it and EOS is appended after trimming, as the seqio
   tasks do. A text whose prompt is longer than the input length is split
   into windows that fit (`instructuie_jax.windows`; sentence boundaries
   first, then words, with `window_overlap` tokens shared), each asked with
   the same instruction and options, and the answers are merged with
   offsets into the whole text (`windows`, `window_merges` per answer).
   With `windows=False`, or for a task whose prompt names spans of the
   whole text (ET, EPR), the prompt is cut to fit instead and the cut is
   counted per text (`truncated_tokens`), never silent.
4. Batches are decoded with `model.predict_batch` (the model's `decode_fn`:
   beam search of width 1, i.e. greedy, unless gin sets otherwise), the
   output vocabulary decodes the tokens, and `queries.answer` parses them
   in the run's target format and grounds the records in the text.
5. With `constrained=True` every answer stays inside its task's target
   grammar (`constrained`: labels from the options, spans from the text).

Batches are padded to a power of two of rows (up to `batch_size`) and the
inputs to a power of two of tokens (up to the input length), so a server
compiles a few shapes once and reuses them.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging as pylogging
import os
import re
import threading
import tokenize
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import gin
import jax
import numpy as np
import tensorflow as tf
from absl import logging
from gin import config_parser
from t5x import partitioning, utils

from instructuie_jax import gin_files, instructions
from instructuie_t5x import constrained as constrained_lib
from instructuie_t5x import constrained_runs, queries
from tasks import settings

CONFIG_GIN = "config.gin"
# Written by `tools.convert_checkpoint --from_hf` beside its checkpoint.
MODEL_GIN = "model.gin"
_CHECKPOINT_DIR = re.compile(r"checkpoint_(\d+)")
_MIN_INPUT_BUCKET = 32


class CheckpointError(ValueError):
  """A checkpoint or model configuration that cannot be used."""


# --------------------------------------------------------------------------
# Finding the checkpoint and its configuration.


def _finished_steps(model_dir: str) -> list[int]:
  steps = []
  for name in tf.io.gfile.listdir(model_dir):
    match = _CHECKPOINT_DIR.fullmatch(name.rstrip("/"))
    if match:
      steps.append(int(match.group(1)))
  return sorted(steps)


def resolve_checkpoint(path: str) -> tuple[str, str | None, str | None]:
  """The checkpoint directory and the gin files that go with it.

  Args:
    path: A run's model directory (its latest `checkpoint_N` is used) or one
      `checkpoint_N` directory (the gin files of its parent are used).

  Returns:
    `(checkpoint_dir, config_gin, model_gin)`: the `config.gin` of a
    `t5x.train` run, else None; when there is none, the `model.gin` of a
    converted checkpoint (`tools.convert_checkpoint --from_hf`), else None.

  Raises:
    CheckpointError: When `path` is neither.
  """
  path = path.rstrip("/")
  if not tf.io.gfile.isdir(path):
    raise CheckpointError(f"{path}: no such directory")
  if _CHECKPOINT_DIR.fullmatch(os.path.basename(path)):
    checkpoint, model_dir = path, os.path.dirname(path)
  else:
    steps = _finished_steps(path)
    if not steps:
      raise CheckpointError(
        f"{path}: neither a checkpoint_N directory nor a model directory "
        "holding one"
      )
    checkpoint, model_dir = os.path.join(path, f"checkpoint_{steps[-1]}"), path
  config = os.path.join(model_dir, CONFIG_GIN)
  if tf.io.gfile.exists(config):
    return checkpoint, config, None
  model_gin = os.path.join(model_dir, MODEL_GIN)
  return checkpoint, None, model_gin if tf.io.gfile.exists(model_gin) else None


# --------------------------------------------------------------------------
# The model configuration.


def _importable(module: str) -> bool:
  try:
    importlib.import_module(module)
  except ImportError:
    return False
  return True


def model_config_text(text: str) -> tuple[str, list[str]]:
  """The statements of a T5X `config.gin` that can build the model here.

  Left out: `import __main__` and the bindings of the script it names
  (`train_script.train...`, which only `t5x.train` defines), imports of
  modules this installation lacks (e.g. a module renamed since the run), and
  every binding that uses one of those names or a macro left out.

  Args:
    text: The config.gin text.

  Returns:
    `(gin_text, dropped)`: the kept statements and one line per statement
    left out.
  """
  statements = gin_files.parse(text, CONFIG_GIN)
  gone: set[str] = set()
  dropped: list[str] = []
  kept = []
  for st in statements:
    if isinstance(st, config_parser.ImportStatement):
      module = st.module
      if module.startswith("__gin__"):
        kept.append(st.format())
      elif module == "__main__" or not _importable(module):
        gone.add(st.bound_name())
        dropped.append(st.format())
      else:
        kept.append(st.format())
    else:
      kept.append(st)
  changed = True
  bindings = [st for st in kept if not isinstance(st, str)]
  while changed:
    changed = False
    for st in list(bindings):
      if not isinstance(st, config_parser.BindingStatement):
        continue
      value = repr(st.value)
      names = {st.selector.split(".")[0]}
      names.update(re.findall(r"@(?:[\w.]+/)*(\w+)\.", value))
      names.update("%" + m for m in re.findall(r"%([\w./]+)", value))
      if names & gone:
        bindings.remove(st)
        dropped.append(gin_files.binding_text(st))
        if not st.arg_name:  # a macro
          gone.add("%" + st.selector)
        changed = True
  lines = [st for st in kept if isinstance(st, str)]
  for st in bindings:
    if isinstance(st, config_parser.BindingStatement):
      lines.append(gin_files.binding_text(st))
    elif isinstance(st, config_parser.IncludeStatement):
      lines.append(f"include {st.filename!r}")
    else:
      raise CheckpointError(f"unexpected statement in config.gin: {st}")
  return "\n".join(lines) + "\n", dropped


def configured_model(model=None, task_feature_lengths=None):
  """Gin target the extractor binds `%MODEL` (and the lengths) to."""
  return model, task_feature_lengths


_CONFIGURED = """
from __gin__ import dynamic_registration
from instructuie_t5x import extractor
extractor.configured_model.model = %MODEL
"""
_LENGTHS = (
  "extractor.configured_model.task_feature_lengths = %TASK_FEATURE_LENGTHS\n"
)

_GIN_LOCK = threading.Lock()
# What reading and parsing a gin file raises for a bad file (not a bug here).
_GIN_ERRORS = (
  OSError,
  SyntaxError,
  ValueError,  # UnicodeDecodeError too
  tokenize.TokenError,
  tf.errors.OpError,
)


def _describe(error: BaseException) -> str:
  """`Type: first line` of an error from reading user files."""
  text = str(error).strip()
  first = text.splitlines()[0][:300] if text else ""
  return f"{type(error).__name__}: {first}" if first else type(error).__name__


def _gin_search_paths() -> list[str]:
  import t5x  # noqa: PLC0415

  repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  return [os.path.dirname(os.path.dirname(t5x.__file__)), repo]


def load_model(
  config_gin: str | None,
  gin_files: Sequence[str] = (),
  gin_bindings: Sequence[str] = (),
) -> tuple[Any, Mapping[str, int] | None, instructions.PromptOptions]:
  """Builds the T5X model from gin, with the run's prompt options.

  Args:
    config_gin: A run's config.gin, or None.
    gin_files: Gin files parsed after it (they override it).
    gin_bindings: Bindings parsed last.

  Returns:
    `(model, task_feature_lengths or None, prompt options)`: the prompt
    options are those of the data settings the configuration binds
    (`tasks.settings`; defaults where it binds none).

  Raises:
    CheckpointError: When no MODEL is configured, or the data settings are
      not valid (their instruction file included).
  """
  if config_gin is None and not gin_files:
    raise CheckpointError(
      "no config.gin or model.gin beside the checkpoint: pass gin_file (a "
      "gin/models/*.gin file) for the model"
    )
  with _GIN_LOCK:
    gin.clear_config()
    for path in _gin_search_paths():
      gin.add_config_file_search_path(path)
    # Model files leave DROPOUT_RATE to the run file; decoding uses none.
    gin.parse_config("DROPOUT_RATE = 0.0")
    if config_gin is not None:
      try:
        with tf.io.gfile.GFile(config_gin, "rb") as f:
          text, dropped = model_config_text(f.read().decode("utf-8"))
        gin.parse_config(text)
      except _GIN_ERRORS as e:
        raise CheckpointError(f"{config_gin}: {_describe(e)}") from None
      for line in dropped:
        logging.info("config.gin: left out %s", line)
    try:
      gin.parse_config_files_and_bindings(
        list(gin_files), list(gin_bindings), finalize_config=False
      )
    except _GIN_ERRORS as e:
      raise CheckpointError(
        f"gin files {', '.join(gin_files) or '(none)'} and bindings: "
        f"{_describe(e)}"
      ) from None
    try:
      gin.query_parameter("%MODEL")
    except ValueError:
      raise CheckpointError(
        "the gin configuration binds no MODEL; pass gin_file=gin/models/X.gin"
      ) from None
    configured = _CONFIGURED
    try:
      gin.query_parameter("%TASK_FEATURE_LENGTHS")
      configured += _LENGTHS
    except ValueError:
      pass
    gin.parse_config(configured)
    model, lengths = gin.get_configurable(configured_model)()
    gin.finalize()
    try:
      options = settings.resolve().prompt
      instructions.options_pool(options)  # Its instruction file, read now.
    except (ValueError, OSError) as e:
      raise CheckpointError(f"data settings: {_describe(e)}") from None
  if isinstance(model, constrained_runs.ConstrainedModel):
    # A run that decoded constrained (gin/decoding/constrained.gin): here
    # each call picks its decoding.
    model = model.base
  return model, lengths, options


# --------------------------------------------------------------------------
# The extractor.


class _OptimizerStateFilter(pylogging.Filter):
  """Hides one warning per optimizer slot left unrestored (not needed)."""

  def filter(self, record: pylogging.LogRecord) -> bool:
    return "param=state/param_states/" not in record.getMessage()


def _restore_params(
  model: Any,
  checkpoint: str,
  partitioner: partitioning.PjitPartitioner,
  sizes: tuple[int, int, int],
  param_dtype: str,
) -> tuple[Any, Any]:
  """`(params, their partitioning axes)` of `checkpoint` for `model`.

  Args:
    model: The T5X model.
    checkpoint: A `checkpoint_N` directory (Orbax, or T5X's legacy msgpack).
    partitioner: Lays the parameters out.
    sizes: `(batch size, input length, target length)` of the decodes.
    param_dtype: Dtype the parameters are restored in.

  Raises:
    CheckpointError: The checkpoint could not be restored.
  """
  batch_size, input_length, target_length = sizes
  shapes = {
    "encoder_input_tokens": (batch_size, input_length),
    "decoder_input_tokens": (batch_size, target_length),
    "decoder_target_tokens": (batch_size, target_length),
    "decoder_loss_weights": (batch_size, target_length),
  }
  initializer = utils.TrainStateInitializer(
    optimizer_def=None,
    init_fn=model.get_initial_variables,
    input_shapes=shapes,
    input_types={k: np.int32 for k in shapes},
    partitioner=partitioner,
  )
  restore = utils.RestoreCheckpointConfig(
    path=checkpoint, mode="specific", dtype=param_dtype, strict=False
  )
  logging.info("Restoring %s", checkpoint)
  # T5X's legacy format has a msgpack "checkpoint" file; runs of this
  # project write Orbax checkpoints.
  legacy = tf.io.gfile.exists(os.path.join(checkpoint, "checkpoint"))
  quiet = _OptimizerStateFilter()
  logging.get_absl_logger().addFilter(quiet)
  try:
    state, _ = utils.create_checkpoint_manager_and_restore(
      initializer,
      partitioner,
      restore,
      checkpoint,
      None,
      model_dir=os.path.dirname(checkpoint),
      use_orbax=not legacy,
    )
  except Exception as e:  # noqa: BLE001  # orbax/tensorstore: many kinds
    raise CheckpointError(
      f"{checkpoint}: cannot be restored ({_describe(e)})"
    ) from None
  finally:
    logging.get_absl_logger().removeFilter(quiet)
  if state is None:
    raise CheckpointError(f"{checkpoint}: could not be restored")
  return state.params, initializer.train_state_axes.params


def _bucket(n: int, limit: int, minimum: int = 1) -> int:
  size = minimum
  while size < n:
    size *= 2
  return min(size, limit)


@dataclasses.dataclass
class _Encoded:
  ids: list[int]
  truncated: int


class Extractor:
  """A T5X model with its parameters, answering extraction queries.

  Thread-safe for `decode`/`extract` calls (one decode at a time).
  """

  def __init__(
    self,
    model: Any,
    params: Any,
    partitioner: partitioning.BasePartitioner,
    params_axes: Any,
    *,
    input_length: int,
    target_length: int,
    batch_size: int = 32,
    checkpoint: str = "",
    options: instructions.PromptOptions | None = None,
  ):
    self.model = model
    # The run's prompt options: how queries are rendered and answers read.
    self.options = options or instructions.PromptOptions()
    self.params = params
    self.partitioner = partitioner
    self.input_length = input_length
    self.target_length = target_length
    self.batch_size = batch_size
    self.checkpoint = checkpoint
    self.vocabulary = model.input_vocabulary
    self._lock = threading.Lock()
    self._predict = partitioner.partition(
      model.predict_batch,
      in_axis_resources=(params_axes, partitioner.data_partition_spec),
      out_axis_resources=partitioner.data_partition_spec,
    )
    layout = partitioner.get_data_layout(batch_size)
    self._row_multiple = max(1, layout.num_shards)
    self._params_axes = params_axes
    self._predict_constrained = None

  @classmethod
  def from_checkpoint(
    cls,
    path: str,
    gin_file: str | Sequence[str] | None = None,
    *,
    gin_bindings: Sequence[str] = (),
    vocabulary: str | None = None,
    input_length: int | None = None,
    target_length: int | None = None,
    batch_size: int = 32,
    param_dtype: str = "float32",
    num_partitions: int = 1,
  ) -> Extractor:
    """Loads a model and its parameters.

    Args:
      path: A run's model directory (latest checkpoint and its config.gin) or
        one `checkpoint_N` directory (the parent's config.gin). A directory
        of `tools.convert_checkpoint --from_hf` has a model.gin instead; it
        is used the same way.
      gin_file: Gin file(s) parsed after config.gin (or model.gin),
        overriding the model settings; required when there is neither.
      gin_bindings: Gin bindings parsed last.
      vocabulary: A SentencePiece model path or "byte" to use instead of
        the one the configuration names (`tasks.settings`).
      input_length: Prompt tokens (EOS included) per text; default: the
        configuration's TASK_FEATURE_LENGTHS["inputs"], else 512.
      target_length: Decoded tokens per text; default:
        TASK_FEATURE_LENGTHS["targets"], else 128.
      batch_size: Texts per decode.
      param_dtype: Dtype the parameters are restored in.
      num_partitions: Model-parallel partitions (PjitPartitioner).

    Returns:
      The extractor.

    Raises:
      CheckpointError: For a missing checkpoint or model configuration.
    """
    checkpoint, config, model_gin = resolve_checkpoint(path)
    if isinstance(gin_file, str):
      gin_file = [gin_file]
    gin_file = ([model_gin] if model_gin else []) + list(gin_file or ())
    bindings = list(gin_bindings)
    if vocabulary:
      bindings = [
        "from tasks import settings",
        f"settings.data_settings.vocab = {vocabulary!r}",
        *bindings,
      ]
    model, lengths, options = load_model(config, gin_file or (), bindings)
    lengths = dict(lengths or {})
    input_length = input_length or lengths.get("inputs") or 512
    target_length = target_length or lengths.get("targets") or 128
    partitioner = partitioning.PjitPartitioner(
      num_partitions=num_partitions,
      logical_axis_rules=partitioning.standard_logical_axis_rules(),
    )
    params, params_axes = _restore_params(
      model,
      checkpoint,
      partitioner,
      (batch_size, input_length, target_length),
      param_dtype,
    )
    return cls(
      model,
      params,
      partitioner,
      params_axes,
      input_length=input_length,
      target_length=target_length,
      batch_size=batch_size,
      checkpoint=checkpoint,
      options=options,
    )

  # ------------------------------------------------------------------------

  def encode(self, prompt: str) -> _Encoded:
    """Token ids of `prompt` with EOS, cut to the input length if needed."""
    ids = list(self.vocabulary.encode(prompt))
    room = self.input_length - 1
    truncated = max(0, len(ids) - room)
    return _Encoded(ids[:room] + [self.vocabulary.eos_id], truncated)

  def check(self, prompt: str) -> None:
    """Raises ValueError when the tokenizer cannot encode `prompt`."""
    try:
      self.vocabulary.encode(prompt)
    except Exception as e:  # noqa: BLE001  # tokenizers raise many kinds
      raise ValueError(f"{type(e).__name__}: {e}") from None

  def warmup(self) -> int:
    """Compiles the decode for every batch and input bucket; their number."""
    lengths = []
    length = _MIN_INPUT_BUCKET
    while True:
      lengths.append(min(length, self.input_length))
      if length >= self.input_length:
        break
      length *= 2
    rows = []
    n = 1
    while True:
      rows.append(min(n, self.batch_size))
      if n >= self.batch_size:
        break
      n *= 2
    for length in lengths:
      for n in rows:
        filler = [self.vocabulary.eos_id] * length
        self._read_back([], self._launch([_Encoded(filler, 0)] * n))
    return len(lengths) * len(rows)

  def decode(self, prompts: Sequence[str]) -> list[tuple[str, int]]:
    """Greedy-decodes prompts; `(prediction, truncated_tokens)` each.

    Decodes at most `batch_size` prompts per call of the model.
    """
    chunks = (
      ([self.encode(p) for p in prompts[start : start + self.batch_size]], None)
      for start in range(0, len(prompts), self.batch_size)
    )
    return [(p, t) for p, t, _ in self._decode_chunks(chunks)]

  def decode_constrained(
    self, query_list: Sequence[queries.Query], *, masked: bool = True
  ) -> list[tuple[str, int, int]]:
    """Like `decode`, each answer kept inside its query's target grammar.

    Labels only from the query's options, spans only copied from its text
    (`constrained`). An answer that the target length cuts short is cut back
    to its last complete item. With `masked=False` the same greedy loop runs
    without the mask (and without the cut): what the mask changes, measured
    against the same decoder.

    Returns:
      `(prediction, truncated_tokens, unfinished_tokens)` per query: the
      last counts the decoded tokens dropped with an unfinished item.
    """
    if self._predict_constrained is None:
      spec = self.partitioner.data_partition_spec
      self._predict_constrained = self.partitioner.partition(
        constrained_lib.predict_fn(self.model),
        in_axis_resources=(self._params_axes, spec, spec),
        out_axis_resources=spec,
      )

    def chunks():
      vocabulary = self.model.output_vocabulary
      for start in range(0, len(query_list), self.batch_size):
        chunk = query_list[start : start + self.batch_size]
        automata = [constrained_lib.automaton_for(q, vocabulary) for q in chunk]
        yield [self.encode(q.prompt) for q in chunk], automata

    return list(self._decode_chunks(chunks(), masked))

  def _decode_chunks(
    self,
    chunks: Iterable[tuple[Sequence[_Encoded], Sequence[Any] | None]],
    masked: bool = True,
  ) -> Iterable[tuple[str, int, int]]:
    """`(prediction, truncated, unfinished)` per text of `(encoded, automata)`.

    Each chunk is launched before the one before it is read back, so that
    the host builds the next chunk (its automata) while the model decodes.
    """
    running = None
    for encoded, automata in chunks:
      launched = (encoded, self._launch(encoded, automata, masked))
      if running is not None:
        yield from self._read_back(*running)
      running = launched
    if running is not None:
      yield from self._read_back(*running)

  def _launch(
    self,
    chunk: Sequence[_Encoded],
    automata: Sequence[Any] | None = None,
    masked: bool = True,
  ) -> tuple[jax.Array, jax.Array | np.ndarray]:
    """Starts decoding `chunk` (asynchronously); `(tokens, unfinished)`."""
    rows = _bucket(len(chunk), self.batch_size)
    rows = -(-rows // self._row_multiple) * self._row_multiple
    length = _bucket(
      max(len(e.ids) for e in chunk), self.input_length, _MIN_INPUT_BUCKET
    )
    inputs = np.zeros((rows, length), np.int32)
    for i, e in enumerate(chunk):
      inputs[i, : len(e.ids)] = e.ids
    targets = np.zeros((rows, self.target_length), np.int32)
    batch = {
      "encoder_input_tokens": inputs,
      "decoder_input_tokens": targets,
      "decoder_target_tokens": targets,
      "decoder_loss_weights": targets,
    }
    with self._lock:
      if automata is None:
        return self._predict(self.params, batch), np.zeros(rows, np.int32)
      constraints = constrained_lib.pack(automata, rows)
      if not masked:
        constraints["on"] = np.zeros(rows, bool)
      return self._predict_constrained(self.params, batch, constraints)

  def _read_back(
    self, chunk: Sequence[_Encoded], launched: tuple[Any, Any]
  ) -> list[tuple[str, int, int]]:
    tokens, unfinished = jax.device_get(launched)
    tokens = np.asarray(tokens)
    eos = self.vocabulary.eos_id
    results = []
    for i, e in enumerate(chunk):
      ids = tokens[i].tolist()
      if eos in ids:  # A cut answer ends where it was cut.
        ids = ids[: ids.index(eos)]
      results.append(
        (self.vocabulary.decode(ids), e.truncated, int(unfinished[i]))
      )
    return results

  def extract(
    self,
    texts: Iterable[str | Mapping[str, Any]],
    task: str = "NER",
    labels: Any = None,
    *,
    roles: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
    windows: bool = True,
    window_overlap: int = queries.WINDOW_OVERLAP,
    constrained: bool = False,
  ) -> list[dict[str, Any]]:
    """Extracts records from texts.

    Args:
      texts: Texts, or dicts `{"text": ..., ...}` with per-text fields
        (`queries` module docstring: labels, roles, entities, pairs,
        event_type).
      task: "NER", "RE", "EE" or an auxiliary task ("ES", "ET", "EP", "EPR",
        "EET", "EEA").
      labels: The options offered (per-text "labels" override them); EE:
        `{type: [roles]}` or event types with `roles`.
      roles: EE: the argument roles when `labels` is a list.
      progress: Called with the number of texts done after each batch.
      windows: Split a text whose prompt is too long into windows
        (`windows` module); False cuts its prompt instead.
      window_overlap: Tokens of text a window shares with the one before.
      constrained: Decode inside the task's target grammar (labels only
        from the options, spans only from the text; `constrained`).

    Returns:
      One answer per text (`queries.answer_windows`), in input order.

    Raises:
      queries.QueryError: For a bad input item (message names the index).
    """
    query_list = []
    for i, item in enumerate(texts):
      try:
        query_list.append(
          queries.make_query(
            task, item, labels, roles=roles, options=self.options
          )
        )
      except queries.QueryError as e:
        raise queries.QueryError(f"[{i}].{e.field}", e.message) from None
    return self.answer(
      query_list,
      progress=progress,
      windows=windows,
      window_overlap=window_overlap,
      constrained=constrained,
    )

  def answer(
    self,
    query_list: Sequence[queries.Query],
    *,
    progress: Callable[[int], None] | None = None,
    windows: bool = True,
    window_overlap: int = queries.WINDOW_OVERLAP,
    constrained: bool = False,
  ) -> list[dict[str, Any]]:
    """Decodes, parses and grounds built queries, in batches.

    Args:
      query_list: Queries from `queries.make_query` (with `options`).
      progress: Called with the number of texts done after each batch.
      windows: Split a text whose prompt is too long into windows.
      window_overlap: Tokens of text a window shares with the one before.
      constrained: Decode inside the queries' target grammars.

    Returns:
      One answer per query (`queries.answer_windows`), in order.
    """
    answers: list[dict[str, Any]] = []
    for start in range(0, len(query_list), self.batch_size):
      chunk = query_list[start : start + self.batch_size]
      plans = [self.plan_windows(q, windows, window_overlap) for q in chunk]
      window_queries = [p for w in plans for p in w.parts]
      if constrained:
        decoded = iter(self.decode_constrained(window_queries))
      else:
        decoded = iter(self.decode([p.prompt for p in window_queries]))
      for plan in plans:
        parts = [next(decoded) for _ in plan.parts]
        answers.append(queries.answer_windows(plan, [d[:2] for d in parts]))
        if constrained:
          answers[-1]["unfinished_tokens"] = sum(d[2] for d in parts)
      if progress is not None:
        progress(len(chunk))
    return answers

  def prompt_length(self, prompt: str) -> int:
    """Tokens of `prompt` with EOS, before any cut."""
    return len(self.vocabulary.encode(prompt)) + 1

  def plan_windows(
    self,
    query: queries.Query,
    windows: bool = True,
    overlap: int = queries.WINDOW_OVERLAP,
  ) -> queries.WindowedQuery:
    """The window queries of `query` (`queries.window_query`)."""
    if not windows:
      return queries.single_window(query)
    return queries.window_query(
      query, self.prompt_length, self.input_length, overlap
    )
