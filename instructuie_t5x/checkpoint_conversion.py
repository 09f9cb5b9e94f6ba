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

"""The two conversions: Hugging Face T5 directory <-> T5X model directory.

`convert_hf_to_t5x` writes `checkpoint_STEP/`, `model.gin`, `spiece.model`
and `hf_conversion.json`; `convert_t5x_to_hf` writes what `transformers`
loads. Both check their inputs before writing and build the output under a
temporary name, renamed into place when complete. `tools/convert_checkpoint.py`
is the command line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

from instructuie_jax import gin_files, json_input, t5_params
from instructuie_t5x import hf_checkpoints as hc
from instructuie_t5x import t5x_checkpoints

MODEL_GIN = "model.gin"
CONVERSION_JSON = "hf_conversion.json"


# ------------------------- What a checkpoint carries ---------------------------


@dataclasses.dataclass(frozen=True)
class ModelInfo:
  """What `--to_hf` needs besides the parameters.

  Attributes:
    vocab: the SentencePiece model file.
    extra_ids: sentinel ids after its pieces.
    hf_vocab_size: rows of the Hugging Face embedding (None: the T5X rows).
    dropout_rate: written to config.json.
    source: where this information came from (for the summary).
  """

  vocab: str
  extra_ids: int
  hf_vocab_size: int | None
  dropout_rate: float
  source: str


def _first_binding(
  bindings: gin_files.GinBindings, suffixes: Sequence[str]
) -> Any:
  """The value of the first of `suffixes` bound in `bindings`, or None."""
  for suffix in suffixes:
    value = bindings.find(suffix)
    if value is not None:
      return value
  return None


def _recorded_info(
  path: str, vocab: str | None, extra_ids: int | None
) -> ModelInfo:
  """The ModelInfo of an hf_conversion.json (`convert_hf_to_t5x` writes it).

  Raises:
    ConversionError: naming the file and the field that is wrong.
  """
  info = hc.read_json_file(path)
  if not isinstance(info, dict):
    raise hc.ConversionError(f"{path}: expected a JSON object")

  def field(name: str, ok: Any, want: str, default: Any = None) -> Any:
    value = info.get(name, default)
    if not ok(value):
      shown = "missing" if name not in info else f"{value!r:.80}"
      raise hc.ConversionError(f"{path}: {name} is {shown}; expected {want}")
    return value

  recorded = field(
    "vocab",
    lambda v: isinstance(v, str) and v and os.path.basename(v) == v,
    "the vocabulary's file name beside it",
  )
  recorded_extra = field(
    "extra_ids", lambda v: hc.is_int(v) and v >= 0, "a count"
  )
  hf_vocab_size = field(
    "hf_vocab_size",
    lambda v: v is None or (hc.is_int(v) and v > 0),
    "a positive integer",
  )
  dropout_rate = field(
    "dropout_rate",
    lambda v: hc.is_number(v) and 0 <= v < 1,
    "a number in [0, 1)",
    0.1,
  )
  return ModelInfo(
    vocab=vocab or os.path.join(os.path.dirname(path), recorded),
    extra_ids=recorded_extra if extra_ids is None else extra_ids,
    hf_vocab_size=hf_vocab_size,
    dropout_rate=dropout_rate,
    source=path,
  )


def read_model_info(
  model_dir: str, vocab: str | None = None, extra_ids: int | None = None
) -> ModelInfo:
  """What MODEL_DIR records about its model, for `--to_hf`.

  Looked for, in order: hf_conversion.json (written by `--from_hf`), then the
  config.gin a T5X run writes (the vocabulary bound to
  `data_settings.vocab`, `get_vocabulary.path` or
  `SentencePieceVocabulary.sentencepiece_model_file`; when the gin file names
  none, the one `tasks.settings` resolves now, i.e. $IE_INSTRUCTIONS_VOCAB or
  the default, as `t5x.infer` would). `vocab` and `extra_ids` override what
  is found.

  Raises:
    ConversionError: nothing names the vocabulary, or a layout that is not
      T5 v1.1 (activations, tied logits).
  """
  from etils import epath

  d = epath.Path(model_dir)
  if (d / CONVERSION_JSON).exists():
    return _recorded_info(os.fspath(d / CONVERSION_JSON), vocab, extra_ids)
  gin_path = d / "config.gin"
  if not gin_path.exists():
    if vocab is None:
      raise hc.ConversionError(
        f"{model_dir}: neither {CONVERSION_JSON} nor config.gin names the vocabulary; pass --vocab"
      )
    return ModelInfo(vocab, extra_ids or 0, None, 0.1, "--vocab")
  return _info_from_config_gin(os.fspath(gin_path), vocab, extra_ids)


def _check_layout(bindings: gin_files.GinBindings, gin_path: str) -> None:
  """Raises ConversionError unless the bindings build T5 v1.1 (gated-GELU
  MLP, untied output layer)."""
  activations = bindings.find("T5Config.mlp_activations")
  if (
    activations is not None and tuple(activations) != t5_params.MLP_ACTIVATIONS
  ):
    raise hc.ConversionError(
      f"{gin_path}: mlp_activations is {tuple(activations)!r}; Hugging Face "
      f"gated-gelu is {t5_params.MLP_ACTIVATIONS!r}"
    )
  if bindings.find("T5Config.logits_via_embedding") is True:
    raise hc.ConversionError(
      f"{gin_path}: logits_via_embedding is True (tied output layer), not T5 v1.1"
    )


def _info_from_config_gin(
  gin_path: str, vocab: str | None, extra_ids: int | None
) -> ModelInfo:
  """`read_model_info` from a T5X run's config.gin."""
  from etils import epath

  try:
    bindings = gin_files.read_bindings(
      gin_path,
      read_text=lambda p: json_input.decode(epath.Path(p).read_bytes(), p),
    )
  except gin_files.GinFileError as e:
    raise hc.ConversionError(str(e)) from None
  _check_layout(bindings, gin_path)
  source = gin_path
  found = _first_binding(
    bindings,
    (
      "data_settings.vocab",
      "get_vocabulary.path",
      "SentencePieceVocabulary.sentencepiece_model_file",
    ),
  )
  found_extra = _first_binding(
    bindings,
    (
      "data_settings.vocab_extra_ids",
      "get_vocabulary.extra_ids",
      "SentencePieceVocabulary.extra_ids",
    ),
  )
  if not found and vocab is None:
    if "get_vocabulary()" not in repr(bindings.values.get("VOCABULARY")):
      raise hc.ConversionError(
        f"{gin_path}: does not name the vocabulary file; pass --vocab"
      )
    from tasks import vocab as vocab_lib

    found, env_extra = vocab_lib.vocabulary_spec(extra_ids=found_extra)
    found_extra = env_extra
    source += f" (VOCABULARY unbound there: {vocab_lib.ENV_VAR} or the default, as t5x.infer would)"
  dropout = bindings.get("DROPOUT_RATE")
  return ModelInfo(
    vocab=vocab or found,
    extra_ids=extra_ids if extra_ids is not None else (found_extra or 0),
    hf_vocab_size=None,
    dropout_rate=dropout if isinstance(dropout, float) else 0.1,
    source=source,
  )


# ------------------------------- Conversions ----------------------------------


@dataclasses.dataclass
class Summary:
  """What a conversion wrote (printed by tools/convert_checkpoint.py)."""

  out_dir: str
  dims: t5_params.T5Dims
  tensors: int
  notes: list[str]
  files: list[str]

  def lines(self) -> list[str]:
    d = self.dims
    return [
      f"wrote {self.out_dir}: {', '.join(self.files)}",
      f"  {self.tensors} tensors; vocab {d.vocab_size}, embed {d.emb_dim}, "
      f"{d.num_heads} heads x {d.head_dim}, mlp {d.mlp_dim}, "
      f"{d.num_encoder_layers}+{d.num_decoder_layers} layers",
      *(f"  note: {n}" for n in self.notes),
    ]


class _NewDir:
  """Builds a directory under a temporary name and renames it into place."""

  def __init__(self, out_dir: str):
    self.out_dir = os.path.abspath(out_dir)
    if os.path.exists(self.out_dir) and (
      not os.path.isdir(self.out_dir) or os.listdir(self.out_dir)
    ):
      raise hc.ConversionError(
        f"{out_dir}: exists and is not empty (choose a new --out_dir)"
      )
    parent = os.path.dirname(self.out_dir)
    if not os.path.isdir(parent):
      raise hc.ConversionError(
        f"{parent}: no such directory (parent of --out_dir)"
      )
    self.tmp = ""

  def __enter__(self) -> str:
    self.tmp = tempfile.mkdtemp(
      prefix=f".{os.path.basename(self.out_dir)}.tmp-",
      dir=os.path.dirname(self.out_dir),
    )
    return self.tmp

  def __exit__(self, exc_type, exc, tb) -> None:
    if exc_type is not None:
      shutil.rmtree(self.tmp, ignore_errors=True)
      return
    # mkdtemp and some writers create owner-only modes; use the umask's.
    umask = os.umask(0)
    os.umask(umask)
    for root, _, files in os.walk(self.tmp):
      os.chmod(root, 0o777 & ~umask)
      for name in files:
        os.chmod(os.path.join(root, name), 0o666 & ~umask)
    if os.path.isdir(self.out_dir):
      os.rmdir(self.out_dir)  # empty, checked above
    os.replace(self.tmp, self.out_dir)


def model_gin(
  dims: t5_params.T5Dims, out_dir: str, step: int, extra_ids: int, source: str
) -> str:
  """The gin model file for a converted checkpoint in OUT_DIR."""
  ckpt = os.path.join(out_dir, f"checkpoint_{step}")
  spiece = os.path.join(out_dir, hc.SPIECE)
  return f"""\
# T5 1.1 model of the checkpoint converted from {source}
# (tools/convert_checkpoint.py --from_hf).
#
# Provides:
# - MODEL (see gin/models/t5_1_1.gin) with this checkpoint's sizes.
# - INITIAL_CHECKPOINT_PATH: {ckpt}
#   (parameters only: t5x.train restores it with the assignment map of
#   gin/runs/finetune_common.gin, which starts the optimizer from zero).
# - The vocabulary: {hc.SPIECE} beside this file with {extra_ids} extra ids,
#   bound in tasks.settings.data_settings, which the seqio tasks read too.
# - The checkpoint's step: {step} (TRAIN_STEPS_RELATIVE counts from it).
#
# Required to be set:
# - DROPOUT_RATE (run files set it)
#
# Commonly overridden:
# - ACTIVATION_DTYPE ('bfloat16'; 'float32' reproduces Hugging Face float32
#   logits), LEARNING_RATE, OPTIMIZER (see gin/models/t5_1_1.gin)

from __gin__ import dynamic_registration

from tasks import settings

include 'gin/models/t5_1_1.gin'

EMBED_DIM = {dims.emb_dim}
NUM_HEADS = {dims.num_heads}
HEAD_DIM = {dims.head_dim}
MLP_DIM = {dims.mlp_dim}
NUM_ENCODER_LAYERS = {dims.num_encoder_layers}
NUM_DECODER_LAYERS = {dims.num_decoder_layers}
VOCAB_SIZE = {dims.vocab_size}

INITIAL_CHECKPOINT_PATH = {ckpt!r}

settings.data_settings.vocab = {spiece!r}
settings.data_settings.vocab_extra_ids = {extra_ids}
"""


def convert_hf_to_t5x(
  hf_dir: str,
  out_dir: str,
  *,
  vocab: str | None = None,
  extra_ids: int | None = None,
  vocab_size: int | None = None,
  step: int = 0,
) -> Summary:
  """HF_DIR (T5ForConditionalGeneration) -> OUT_DIR, a T5X model directory.

  OUT_DIR gets `checkpoint_STEP/` (T5X), `model.gin` (the gin model
  bindings), `spiece.model` (copied) and `hf_conversion.json` (what
  `convert_t5x_to_hf` needs to go back). All inputs are checked before
  anything is written; OUT_DIR appears only when complete.

  Args:
    hf_dir: the Hugging Face model directory.
    out_dir: a new (or empty) directory.
    vocab: SentencePiece model; default HF_DIR/spiece.model.
    extra_ids: sentinel ids after its pieces; default from
      tokenizer_config.json, else 0.
    vocab_size: T5X embedding rows (VOCAB_SIZE); default the HF rows.
    step: the checkpoint's step.
  """
  config = hc.read_hf_config(hf_dir)
  dims = hc.dims_from_hf_config(config, os.path.join(hf_dir, hc.HF_CONFIG))
  vocab = vocab or os.path.join(hf_dir, hc.SPIECE)
  if not os.path.isfile(vocab):
    raise hc.ConversionError(
      f"{vocab}: missing (the SentencePiece model T5X needs); pass --vocab"
    )
  if extra_ids is None:
    extra_ids = hc.hf_extra_ids(hf_dir) or 0
  pieces = hc.sentencepiece_size(vocab)
  rows = vocab_size or dims.vocab_size
  if pieces + extra_ids > rows:
    raise hc.ConversionError(
      f"{vocab}: {pieces} pieces + {extra_ids} extra ids do not fit in {rows} embedding rows"
    )
  writer = _NewDir(out_dir)
  tensors, sources = hc.read_hf_tensors(hf_dir)
  params, notes = hc.hf_to_t5x(tensors, dims, sources, vocab_size=vocab_size)
  notes.append(f"vocabulary {vocab}: {pieces} pieces + {extra_ids} extra ids")
  t5x_dims = dataclasses.replace(dims, vocab_size=rows)
  dtypes = sorted({str(a.dtype) for a in tensors.values()})
  with writer as tmp:
    t5x_checkpoints.save_t5x_checkpoint(params, t5x_dims, tmp, step=step)
    shutil.copyfile(vocab, os.path.join(tmp, hc.SPIECE))
    with open(os.path.join(tmp, MODEL_GIN), "w", encoding="utf-8") as f:
      f.write(
        model_gin(
          t5x_dims, writer.out_dir, step, extra_ids, os.path.abspath(hf_dir)
        )
      )
    record = {
      "source": os.path.abspath(hf_dir),
      "vocab": hc.SPIECE,
      "extra_ids": extra_ids,
      "hf_vocab_size": dims.vocab_size,
      "t5x_vocab_size": rows,
      "dropout_rate": config.get("dropout_rate", 0.1),
      "dtypes": dtypes,
      "dims": {f: getattr(t5x_dims, f) for f in t5_params.SIZE_FIELDS},
      "notes": notes,
    }
    with open(os.path.join(tmp, CONVERSION_JSON), "w", encoding="utf-8") as f:
      json.dump(record, f, indent=2)
      f.write("\n")
  return Summary(
    out_dir=writer.out_dir,
    dims=t5x_dims,
    tensors=len(tensors),
    notes=notes,
    files=[f"checkpoint_{step}/", MODEL_GIN, hc.SPIECE, CONVERSION_JSON],
  )


def convert_t5x_to_hf(
  t5x_path: str,
  out_dir: str,
  *,
  vocab: str | None = None,
  extra_ids: int | None = None,
) -> Summary:
  """A T5X checkpoint (checkpoint_N or a model dir) -> OUT_DIR for transformers.

  OUT_DIR gets config.json, model.safetensors, spiece.model and
  tokenizer_config.json (`T5Tokenizer` with the extra ids). The sizes come
  from the parameter shapes; the vocabulary from what the model directory
  records (`read_model_info`). Optimizer state is not exported.
  """
  from safetensors.numpy import save_file

  ckpt_dir = t5x_checkpoints.find_checkpoint_dir(t5x_path)
  model_dir = os.path.dirname(ckpt_dir.rstrip("/"))
  info = read_model_info(model_dir, vocab=vocab, extra_ids=extra_ids)
  from etils import epath

  try:
    found = epath.Path(info.vocab).exists()
  except Exception as e:  # e.g. gs:// without network or credentials
    raise hc.ConversionError(
      f"{info.vocab}: unreadable ({type(e).__name__}; named by {info.source})"
    ) from None
  if not found:
    raise hc.ConversionError(
      f"{info.vocab}: missing (the vocabulary named by {info.source})"
    )
  pieces = hc.sentencepiece_size(info.vocab)
  writer = _NewDir(out_dir)
  params, step = t5x_checkpoints.load_t5x_params(ckpt_dir)
  dims = hc.dims_from_t5x_params(params)
  if pieces + info.extra_ids > dims.vocab_size:
    raise hc.ConversionError(
      f"{info.vocab}: {pieces} pieces + {info.extra_ids} extra ids do not "
      f"fit in the checkpoint's {dims.vocab_size} embedding rows"
    )
  tensors = hc.t5x_to_hf(params, dims, hf_vocab_size=info.hf_vocab_size)
  hf_dims = dataclasses.replace(
    dims, vocab_size=tensors["shared.weight"].shape[0]
  )
  dtype = str(tensors["shared.weight"].dtype)
  notes = [f"step {step} from {ckpt_dir}; vocabulary from {info.source}"]
  if info.hf_vocab_size is not None and info.hf_vocab_size != dims.vocab_size:
    notes.append(
      f"vocabulary rows {dims.vocab_size} -> {info.hf_vocab_size} (as recorded)"
    )
  with writer as tmp:
    save_file(
      tensors, os.path.join(tmp, hc.HF_SAFETENSORS), metadata={"format": "pt"}
    )
    with open(os.path.join(tmp, hc.HF_CONFIG), "w", encoding="utf-8") as f:
      json.dump(
        hc.hf_config(hf_dims, dropout_rate=info.dropout_rate, dtype=dtype),
        f,
        indent=2,
      )
      f.write("\n")
    epath.Path(info.vocab).copy(epath.Path(tmp) / hc.SPIECE)
    tokenizer = {
      "tokenizer_class": "T5Tokenizer",
      "extra_ids": info.extra_ids,
      "eos_token": "</s>",
      "unk_token": "<unk>",
      "pad_token": "<pad>",
    }
    with open(
      os.path.join(tmp, "tokenizer_config.json"), "w", encoding="utf-8"
    ) as f:
      json.dump(tokenizer, f, indent=2)
      f.write("\n")
  return Summary(
    out_dir=writer.out_dir,
    dims=hf_dims,
    tensors=len(tensors),
    notes=notes,
    files=[hc.HF_CONFIG, hc.HF_SAFETENSORS, hc.SPIECE, "tokenizer_config.json"],
  )
