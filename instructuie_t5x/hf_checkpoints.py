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

"""Hugging Face T5 <-> T5X checkpoint conversion (T5 v1.1 / Flan-T5 layout).

Two parameter layouts describe the same network:

* Hugging Face `T5ForConditionalGeneration` (`shared.weight`,
  `encoder.block.N.layer.0.SelfAttention.q.weight`, ..., `lm_head.weight`),
  PyTorch `Linear` weights stored `[out, in]`.
* `t5x.examples.t5.network.Transformer` (`token_embedder/embedding`,
  `encoder/layers_N/attention/query/kernel`, ...,
  `decoder/logits_dense/kernel`), `DenseGeneral` kernels stored `[in, out]`
  (attention projections flattened to `[embed, heads * head_dim]`).

The mapping is one table (`_name_table`): every kernel is the transpose of
the PyTorch weight, layer-norm scales and the embedding are copied, and the
relative position bias, which Hugging Face keeps in block 0 of each stack and
shares with the other blocks, is T5X's `relpos_bias/rel_embedding` of that
stack (`[heads, buckets]`, the transpose). Neither side scales the query by
1/sqrt(head_dim) (T5X folds it into the initializer), nor scales the output
of the untied `lm_head`, so no tensor is rescaled and HF -> T5X -> HF is
bit-identical.

Only the T5 v1.1 / Flan-T5 layout is accepted (gated-GELU MLP, untied
`lm_head`, 32 relative-position buckets up to distance 128, RMS-norm epsilon
1e-6: what the T5X network here hard-codes); anything else is rejected with a
`ConversionError` that names what differs.

Reading safetensors needs only numpy (`safetensors.numpy`); PyTorch is
imported only to read `pytorch_model.bin` files. The T5X side (writing and
reading checkpoints, building the model) imports T5X and orbax lazily.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

# What the T5X network (t5x.examples.t5.network) hard-codes.
NUM_BUCKETS = 32
MAX_DISTANCE = 128
LAYER_NORM_EPSILON = 1e-6
MLP_ACTIVATIONS = ("gelu", "linear")  # HF feed_forward_proj "gated-gelu".
HF_FEED_FORWARD_PROJ = "gated-gelu"
HF_ARCHITECTURE = "T5ForConditionalGeneration"

SPIECE = "spiece.model"
MODEL_GIN = "model.gin"
CONVERSION_JSON = "hf_conversion.json"
HF_CONFIG = "config.json"
HF_SAFETENSORS = "model.safetensors"
HF_SAFETENSORS_INDEX = "model.safetensors.index.json"
HF_BIN = "pytorch_model.bin"
HF_BIN_INDEX = "pytorch_model.bin.index.json"
HF_WEIGHT_FILES = (HF_SAFETENSORS_INDEX, HF_SAFETENSORS, HF_BIN_INDEX, HF_BIN)

# Tensors Hugging Face may store that are copies or unused: the stacks' input
# embeddings (tied to `shared.weight`; checked equal) and the relative bias of
# the first cross-attention, which transformers ignores on load.
_HF_TIED_EMBEDDINGS = (
  "encoder.embed_tokens.weight",
  "decoder.embed_tokens.weight",
)
_HF_IGNORED = (
  "decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight",
)

_CHECKPOINT_DIR_RE = re.compile(r"^checkpoint_(\d+)$")


class ConversionError(ValueError):
  """A checkpoint that cannot be converted; the message is one line."""


@dataclasses.dataclass(frozen=True)
class T5Dims:
  """The sizes of a T5 v1.1 network, in T5X's `network.T5Config` terms."""

  vocab_size: int
  emb_dim: int
  num_heads: int
  head_dim: int
  mlp_dim: int
  num_encoder_layers: int
  num_decoder_layers: int


# ------------------------------- Name table ----------------------------------

_ATTENTION = (("q", "query"), ("k", "key"), ("v", "value"), ("o", "out"))
_MLP = ("wi_0", "wi_1", "wo")


def _name_table(dims: T5Dims) -> list[tuple[str, str, tuple[int, ...], bool]]:
  """`(hf_name, t5x_path, hf_shape, transposed)` for every parameter."""
  d, inner, ff = dims.emb_dim, dims.num_heads * dims.head_dim, dims.mlp_dim
  v, h = dims.vocab_size, dims.num_heads
  shapes = {
    "q": (inner, d),
    "k": (inner, d),
    "v": (inner, d),
    "o": (d, inner),
    "wi_0": (ff, d),
    "wi_1": (ff, d),
    "wo": (d, ff),
  }
  table = [
    ("shared.weight", "token_embedder/embedding", (v, d), False),
    ("lm_head.weight", "decoder/logits_dense/kernel", (v, d), True),
    (
      "encoder.final_layer_norm.weight",
      "encoder/encoder_norm/scale",
      (d,),
      False,
    ),
    (
      "decoder.final_layer_norm.weight",
      "decoder/decoder_norm/scale",
      (d,),
      False,
    ),
  ]
  for stack in ("encoder", "decoder"):
    table.append(
      (
        f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
        f"{stack}/relpos_bias/rel_embedding",
        (NUM_BUCKETS, h),
        True,
      )
    )
  # (HF sub-layer index, HF module, T5X module, T5X layer-norm name)
  encoder_parts = [
    (0, "SelfAttention", "attention", "pre_attention_layer_norm"),
    (1, "DenseReluDense", "mlp", "pre_mlp_layer_norm"),
  ]
  decoder_parts = [
    (0, "SelfAttention", "self_attention", "pre_self_attention_layer_norm"),
    (
      1,
      "EncDecAttention",
      "encoder_decoder_attention",
      "pre_cross_attention_layer_norm",
    ),
    (2, "DenseReluDense", "mlp", "pre_mlp_layer_norm"),
  ]
  for stack, n_layers, parts in (
    ("encoder", dims.num_encoder_layers, encoder_parts),
    ("decoder", dims.num_decoder_layers, decoder_parts),
  ):
    for i in range(n_layers):
      for sub, hf_module, t5x_module, norm in parts:
        hf = f"{stack}.block.{i}.layer.{sub}"
        t5x = f"{stack}/layers_{i}"
        table.append(
          (f"{hf}.layer_norm.weight", f"{t5x}/{norm}/scale", (d,), False)
        )
        if hf_module == "DenseReluDense":
          pairs = [(m, m) for m in _MLP]
        else:
          pairs = list(_ATTENTION)
        for hf_name, t5x_name in pairs:
          table.append(
            (
              f"{hf}.{hf_module}.{hf_name}.weight",
              f"{t5x}/{t5x_module}/{t5x_name}/kernel",
              shapes[hf_name],
              True,
            )
          )
  return table


def _flat(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
  out = {}
  for key, value in tree.items():
    path = f"{prefix}{key}"
    if isinstance(value, Mapping):
      out.update(_flat(value, path + "/"))
    else:
      out[path] = value
  return out


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
  tree: dict[str, Any] = {}
  for path, value in flat.items():
    node = tree
    *parents, leaf = path.split("/")
    for p in parents:
      node = node.setdefault(p, {})
    node[leaf] = value
  return tree


def _shape(a: np.ndarray) -> str:
  return "(" + ", ".join(str(n) for n in a.shape) + ")"


# ---------------------------- Hugging Face side ------------------------------


def read_hf_config(hf_dir: str) -> dict[str, Any]:
  """Returns HF_DIR/config.json as a dict."""
  path = os.path.join(hf_dir, HF_CONFIG)
  if not os.path.isdir(hf_dir):
    raise ConversionError(f"{hf_dir}: no such directory")
  if not os.path.isfile(path):
    raise ConversionError(
      f"{path}: missing (a Hugging Face model directory has one)"
    )
  try:
    with open(path, encoding="utf-8") as f:
      config = json.load(f)
  except json.JSONDecodeError as e:
    raise ConversionError(f"{path}: not valid JSON ({e})") from None
  if not isinstance(config, dict):
    raise ConversionError(f"{path}: expected a JSON object")
  return config


def dims_from_hf_config(
  config: Mapping[str, Any], source: str = HF_CONFIG
) -> T5Dims:
  """Checks that `config` is the T5 v1.1 / Flan-T5 layout; returns its sizes.

  Args:
    config: a `T5Config` as a dict (config.json).
    source: the file name used in error messages.

  Raises:
    ConversionError: naming the first field that differs from the layout.
  """

  def differs(field: str, value: Any, want: str) -> ConversionError:
    return ConversionError(
      f"{source}: {field} is {value!r}; the T5X network here needs {want} "
      "(the T5 v1.1 / Flan-T5 layout)"
    )

  model_type = config.get("model_type")
  if model_type != "t5":
    raise differs("model_type", model_type, "'t5'")
  archs = config.get("architectures")
  if archs and HF_ARCHITECTURE not in archs:
    raise differs("architectures", archs, f"[{HF_ARCHITECTURE!r}]")
  if not config.get("is_encoder_decoder", True):
    raise differs("is_encoder_decoder", False, "true")
  proj = config.get("feed_forward_proj", "relu")
  if proj != HF_FEED_FORWARD_PROJ:
    raise differs("feed_forward_proj", proj, f"{HF_FEED_FORWARD_PROJ!r}")
  # transformers < 5 writes tie_word_embeddings=false for T5 v1.1; 5.x always
  # writes true and records the real difference as scale_decoder_outputs.
  if "scale_decoder_outputs" in config:
    tied = bool(config["scale_decoder_outputs"])
    field = "scale_decoder_outputs"
  else:
    tied = config.get("tie_word_embeddings", True) is not False
    field = "tie_word_embeddings"
  if tied:
    raise differs(
      field, True, "false (an untied lm_head, outputs not rescaled)"
    )
  for field, want in (
    ("relative_attention_num_buckets", NUM_BUCKETS),
    ("relative_attention_max_distance", MAX_DISTANCE),
    ("layer_norm_epsilon", LAYER_NORM_EPSILON),
    ("pad_token_id", 0),
    ("eos_token_id", 1),
    ("decoder_start_token_id", 0),
  ):
    value = config.get(field, want)
    if value != want:
      raise differs(field, value, repr(want))
  for field in (
    "vocab_size",
    "d_model",
    "d_kv",
    "d_ff",
    "num_layers",
    "num_heads",
  ):
    value = config.get(field)
    if not isinstance(value, int) or value <= 0:
      raise ConversionError(
        f"{source}: {field} is {value!r}; expected a positive integer"
      )
  num_decoder_layers = config.get("num_decoder_layers") or config["num_layers"]
  return T5Dims(
    vocab_size=config["vocab_size"],
    emb_dim=config["d_model"],
    num_heads=config["num_heads"],
    head_dim=config["d_kv"],
    mlp_dim=config["d_ff"],
    num_encoder_layers=config["num_layers"],
    num_decoder_layers=num_decoder_layers,
  )


def hf_weight_files(hf_dir: str) -> list[str]:
  """The weight files of HF_DIR (the shards of an index, or the one file)."""
  for name in HF_WEIGHT_FILES:
    path = os.path.join(hf_dir, name)
    if not os.path.isfile(path):
      continue
    if not name.endswith(".index.json"):
      return [path]
    try:
      with open(path, encoding="utf-8") as f:
        weight_map = json.load(f)["weight_map"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
      raise ConversionError(f"{path}: not a weight index ({e!r})") from None
    files = [os.path.join(hf_dir, f) for f in sorted(set(weight_map.values()))]
    for f in files:
      if not os.path.isfile(f):
        raise ConversionError(f"{f}: missing (listed in {name})")
    return files
  raise ConversionError(
    f"{hf_dir}: no weights (expected one of {', '.join(HF_WEIGHT_FILES)})"
  )


def _torch_to_numpy(t: Any) -> np.ndarray:
  import torch  # only .bin files need PyTorch

  t = t.detach().cpu()
  if t.dtype == torch.bfloat16:
    import ml_dtypes

    return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
  return t.numpy()


def _read_weight_file(path: str) -> Iterator[tuple[str, np.ndarray]]:
  if path.endswith(".safetensors"):
    from safetensors import safe_open

    try:
      with safe_open(path, framework="np") as f:
        for name in f.keys():  # safe_open is not a Mapping
          yield name, f.get_tensor(name)
    except (OSError, ValueError) as e:
      raise ConversionError(
        f"{path}: unreadable safetensors file ({e})"
      ) from None
    return
  try:
    import torch
  except ImportError:
    raise ConversionError(
      f"{path}: reading PyTorch .bin weights needs torch (pip install torch), "
      "or convert the directory to safetensors"
    ) from None
  try:
    state = torch.load(path, map_location="cpu", weights_only=True)
  except Exception as e:  # torch raises many kinds
    raise ConversionError(
      f"{path}: unreadable PyTorch file ({type(e).__name__})"
    ) from None
  for name, tensor in state.items():
    yield name, _torch_to_numpy(tensor)


def read_hf_tensors(
  hf_dir: str,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
  """Reads every tensor of HF_DIR.

  Returns:
    `(tensors, sources)`: name -> array, and name -> the file it came from.
  """
  tensors: dict[str, np.ndarray] = {}
  sources: dict[str, str] = {}
  for path in hf_weight_files(hf_dir):
    for name, array in _read_weight_file(path):
      if name in tensors:
        raise ConversionError(f"{path}: tensor {name} also in {sources[name]}")
      tensors[name] = array
      sources[name] = os.path.basename(path)
  return tensors, sources


def hf_to_t5x(
  tensors: Mapping[str, np.ndarray],
  dims: T5Dims,
  sources: Mapping[str, str] | None = None,
  vocab_size: int | None = None,
) -> tuple[dict[str, Any], list[str]]:
  """Maps Hugging Face tensors to the nested T5X `params` tree.

  Args:
    tensors: name -> array (`read_hf_tensors`).
    dims: the sizes from config.json (`dims_from_hf_config`).
    sources: name -> file, for error messages.
    vocab_size: rows of T5X's embedding (VOCAB_SIZE); default
      `dims.vocab_size`. Larger pads the embedding and the output kernel with
      zeros (padded ids get logit 0); smaller drops the last rows.

  Returns:
    `(params, notes)`: the tree, and one line per tensor that was not copied
    one to one (skipped copies, padding).

  Raises:
    ConversionError: a missing, unexpected or misshapen tensor.
  """
  sources = sources or {}
  notes = []
  flat = {}
  table = _name_table(dims)
  expected = {hf for hf, _, _, _ in table}
  for hf, path, shape, transposed in table:
    if hf not in tensors:
      if hf == "lm_head.weight":
        raise ConversionError(
          "lm_head.weight: missing, so the output layer is tied to shared.weight; "
          "the T5 v1.1 / Flan-T5 layout has an untied lm_head"
        )
      raise ConversionError(
        f"{hf}: missing from the weights (config.json implies it)"
      )
    array = np.asarray(tensors[hf])
    if array.shape != shape:
      where = sources.get(hf, "the weights")
      raise ConversionError(
        f"{hf}: shape {_shape(array)} in {where}, but config.json implies "
        f"{_shape(np.empty(shape, dtype=np.int8))}"
      )
    flat[path] = np.ascontiguousarray(array.T if transposed else array)
  shared = tensors["shared.weight"]
  for name in sorted(tensors):
    if name in expected:
      continue
    if name in _HF_TIED_EMBEDDINGS:
      if not np.array_equal(tensors[name], shared):
        raise ConversionError(
          f"{name}: differs from shared.weight (untied input embeddings)"
        )
      notes.append(f"{name}: a copy of shared.weight, not stored twice")
    elif name in _HF_IGNORED:
      notes.append(
        f"{name}: unused by T5 (transformers ignores it too), dropped"
      )
    else:
      where = sources.get(name, "the weights")
      raise ConversionError(
        f"{name}: unexpected tensor in {where} (not T5 v1.1 / Flan-T5)"
      )
  if vocab_size is not None and vocab_size != dims.vocab_size:
    flat["token_embedder/embedding"] = _resize_rows(
      flat["token_embedder/embedding"], vocab_size
    )
    flat["decoder/logits_dense/kernel"] = _resize_rows(
      flat["decoder/logits_dense/kernel"].T, vocab_size
    ).T.copy()
    verb = "padded with zero rows" if vocab_size > dims.vocab_size else "cut"
    notes.append(f"vocabulary rows {dims.vocab_size} -> {vocab_size}: {verb}")
  return _nest(flat), notes


def _resize_rows(a: np.ndarray, rows: int) -> np.ndarray:
  if rows <= a.shape[0]:
    return np.ascontiguousarray(a[:rows])
  pad = np.zeros((rows - a.shape[0],) + a.shape[1:], dtype=a.dtype)
  return np.concatenate([a, pad], axis=0)


def dims_from_t5x_params(params: Mapping[str, Any]) -> T5Dims:
  """Reads the sizes of a T5X T5 v1.1 network off its parameter shapes."""
  flat = _flat(params)

  def get(path: str) -> np.ndarray:
    if path not in flat:
      hint = ""
      if path == "decoder/logits_dense/kernel":
        hint = " (logits_via_embedding=True: a tied output layer, not T5 v1.1)"
      raise ConversionError(f"T5X checkpoint: no parameter {path}{hint}")
    return flat[path]

  vocab, emb = get("token_embedder/embedding").shape
  heads, buckets = get("encoder/relpos_bias/rel_embedding").shape
  if buckets != NUM_BUCKETS:
    raise ConversionError(
      f"T5X checkpoint: {buckets} relative-position buckets, expected {NUM_BUCKETS}"
    )
  inner = get("encoder/layers_0/attention/query/kernel").shape[1]
  if "encoder/layers_0/mlp/wi/kernel" in flat:
    raise ConversionError(
      "T5X checkpoint: an ungated MLP (mlp/wi), not gated-GELU (mlp/wi_0, wi_1)"
    )
  mlp = get("encoder/layers_0/mlp/wi_0/kernel").shape[1]

  def count(stack: str) -> int:
    layers = {p.split("/")[1] for p in flat if p.startswith(f"{stack}/layers_")}
    return len(layers)

  if inner % heads:
    raise ConversionError(
      f"T5X checkpoint: attention width {inner} is not a multiple of {heads} heads"
    )
  return T5Dims(
    vocab_size=vocab,
    emb_dim=emb,
    num_heads=heads,
    head_dim=inner // heads,
    mlp_dim=mlp,
    num_encoder_layers=count("encoder"),
    num_decoder_layers=count("decoder"),
  )


def t5x_to_hf(
  params: Mapping[str, Any], dims: T5Dims, hf_vocab_size: int | None = None
) -> dict[str, np.ndarray]:
  """Maps a T5X `params` tree to Hugging Face tensor names (the inverse).

  Args:
    params: the T5X tree (`target` of a checkpoint).
    dims: its sizes (`dims_from_t5x_params`).
    hf_vocab_size: rows to write; default the T5X rows. Restores the HF size
      recorded by `hf_to_t5x(..., vocab_size=...)`.

  Raises:
    ConversionError: a missing, unexpected or misshapen parameter.
  """
  flat = {p: np.asarray(a) for p, a in _flat(params).items()}
  out = {}
  table = _name_table(dims)
  for hf, path, shape, transposed in table:
    if path not in flat:
      raise ConversionError(f"T5X checkpoint: no parameter {path}")
    array = flat[path]
    want = shape[::-1] if transposed else shape
    if array.shape != want:
      raise ConversionError(
        f"T5X checkpoint: {path} has shape {_shape(array)}, expected "
        f"{_shape(np.empty(want, dtype=np.int8))}"
      )
    out[hf] = np.ascontiguousarray(array.T if transposed else array)
  extra = sorted(set(flat) - {path for _, path, _, _ in table})
  if extra:
    raise ConversionError(
      f"T5X checkpoint: unexpected parameter {extra[0]} (not T5 v1.1)"
    )
  if hf_vocab_size is not None and hf_vocab_size != dims.vocab_size:
    for name in ("shared.weight", "lm_head.weight"):
      out[name] = _resize_rows(out[name], hf_vocab_size)
  return out


def hf_config(
  dims: T5Dims, *, dropout_rate: float = 0.1, dtype: str = "float32"
) -> dict[str, Any]:
  """A config.json for `T5ForConditionalGeneration` with these sizes.

  Written without transformers; both transformers 4.x (which reads
  `tie_word_embeddings: false`) and 5.x (`scale_decoder_outputs: false`)
  load it as the untied T5 v1.1 layout.
  """
  return {
    "architectures": [HF_ARCHITECTURE],
    "model_type": "t5",
    "vocab_size": dims.vocab_size,
    "d_model": dims.emb_dim,
    "d_kv": dims.head_dim,
    "d_ff": dims.mlp_dim,
    "num_layers": dims.num_encoder_layers,
    "num_decoder_layers": dims.num_decoder_layers,
    "num_heads": dims.num_heads,
    "relative_attention_num_buckets": NUM_BUCKETS,
    "relative_attention_max_distance": MAX_DISTANCE,
    "dropout_rate": dropout_rate,
    "layer_norm_epsilon": LAYER_NORM_EPSILON,
    "initializer_factor": 1.0,
    "feed_forward_proj": HF_FEED_FORWARD_PROJ,
    "dense_act_fn": "gelu_new",
    "is_gated_act": True,
    "is_encoder_decoder": True,
    "use_cache": True,
    "pad_token_id": 0,
    "eos_token_id": 1,
    "decoder_start_token_id": 0,
    "tie_word_embeddings": False,
    "scale_decoder_outputs": False,
    "torch_dtype": dtype,
  }


def hf_extra_ids(hf_dir: str) -> int | None:
  """Sentinel count of the HF tokenizer (tokenizer_config.json), if recorded."""
  path = os.path.join(hf_dir, "tokenizer_config.json")
  if not os.path.isfile(path):
    return None
  try:
    with open(path, encoding="utf-8") as f:
      tok = json.load(f)
  except json.JSONDecodeError:
    return None
  if isinstance(tok.get("extra_ids"), int):
    return tok["extra_ids"]
  specials = (
    tok.get("additional_special_tokens")
    or tok.get("extra_special_tokens")
    or []
  )
  n = sum(
    1 for s in specials if isinstance(s, str) and s.startswith("<extra_id_")
  )
  return n


def sentencepiece_size(path: str) -> int:
  """Pieces in a SentencePiece model file."""
  import sentencepiece

  sp = sentencepiece.SentencePieceProcessor()
  try:
    with open(path, "rb") as f:
      sp.LoadFromSerializedProto(f.read())
  except (OSError, RuntimeError) as e:
    raise ConversionError(f"{path}: not a SentencePiece model ({e})") from None
  return sp.GetPieceSize()


# ------------------------------- T5X side -------------------------------------


def build_model(
  dims: T5Dims,
  vocabulary: Any,
  *,
  activation_dtype: str = "float32",
  dropout_rate: float = 0.0,
  decode_fn: Any = None,
) -> Any:
  """A `t5x.models.EncoderDecoderModel` over `t5x.examples.t5.network`.

  The same network gin/models/t5_1_1.gin builds (no optimizer: inference).
  """
  from t5x import models
  from t5x.examples.t5 import network

  config = network.T5Config(
    vocab_size=dims.vocab_size,
    dtype=activation_dtype,
    emb_dim=dims.emb_dim,
    num_heads=dims.num_heads,
    num_encoder_layers=dims.num_encoder_layers,
    num_decoder_layers=dims.num_decoder_layers,
    head_dim=dims.head_dim,
    mlp_dim=dims.mlp_dim,
    mlp_activations=MLP_ACTIVATIONS,
    dropout_rate=dropout_rate,
    logits_via_embedding=False,
  )
  kwargs = {} if decode_fn is None else {"decode_fn": decode_fn}
  return models.EncoderDecoderModel(
    module=network.Transformer(config),
    input_vocabulary=vocabulary,
    output_vocabulary=vocabulary,
    optimizer_def=None,
    **kwargs,
  )


def save_t5x_checkpoint(
  params: Mapping[str, Any], dims: T5Dims, model_dir: str, step: int = 0
) -> str:
  """Writes `params` as MODEL_DIR/checkpoint_STEP in T5X's (orbax) format.

  The checkpoint holds the parameters and the step, no optimizer state (a
  T5X inference state): `t5x.infer`/`t5x.eval` restore it as it is;
  `t5x.train` restores it with the assignment map of
  gin/runs/finetune_common.gin (`state/param_states.*` -> None,
  `fallback_to_scratch`), which starts the optimizer from zero.

  Returns:
    The checkpoint directory.
  """
  import jax
  import seqio
  from t5x import checkpoints, partitioning, utils

  model = build_model(dims, seqio.PassThroughVocabulary(dims.vocab_size))
  partitioner = partitioning.PjitPartitioner(num_partitions=1)
  initializer = utils.TrainStateInitializer(
    optimizer_def=None,
    init_fn=model.get_initial_variables,
    input_shapes={
      "encoder_input_tokens": (1, 1),
      "decoder_input_tokens": (1, 1),
    },
    partitioner=partitioner,
  )
  shape = initializer.global_train_state_shape
  want = {p: tuple(s.shape) for p, s in _flat(shape.params).items()}
  have = {p: tuple(np.shape(a)) for p, a in _flat(params).items()}
  if want != have:
    diff = sorted(set(want.items()) ^ set(have.items()))
    raise ConversionError(
      f"T5X parameters differ from the network's: {diff[0]}"
    )
  state = shape.restore_state(
    {
      "target": jax.tree_util.tree_map(np.asarray, dict(params)),
      "state": {"step": np.asarray(step, dtype=np.int32)},
    }
  )
  manager = checkpoints.OrbaxCheckpointManagerInterface(
    model_dir, shape, partitioner
  )
  manager.save(state)
  manager.wait_until_finished()
  manager.close()
  return os.path.join(model_dir, f"checkpoint_{step}")


def find_checkpoint_dir(path: str) -> str:
  """PATH if it is a checkpoint_N directory, else PATH's latest checkpoint_N."""
  from etils import epath

  p = epath.Path(path)
  if not p.is_dir():
    raise ConversionError(f"{path}: no such directory")
  if (p / "checkpoint").exists() or (p / "state").is_dir():
    return os.fspath(p)
  steps = [
    int(m.group(1))
    for c in p.iterdir()
    if (m := _CHECKPOINT_DIR_RE.match(c.name)) and c.is_dir()
  ]
  if not steps:
    raise ConversionError(
      f"{path}: neither a T5X checkpoint_N directory nor a model directory with one"
    )
  return os.fspath(p / f"checkpoint_{max(steps)}")


def load_t5x_params(checkpoint_dir: str) -> tuple[dict[str, Any], int]:
  """Reads the parameters and step of a T5X checkpoint as numpy arrays.

  Both formats T5X writes are read: orbax (`state/`, what `t5x.train` and
  `save_t5x_checkpoint` write) and the older msgpack + tensorstore one
  (`checkpoint`, e.g. the public T5X checkpoints). Optimizer state is not
  read.
  """
  from etils import epath

  p = epath.Path(checkpoint_dir)
  if (p / "checkpoint").exists():
    from t5x import checkpoints

    state = checkpoints.load_t5x_checkpoint(os.fspath(p))
  else:
    import jax
    import orbax.checkpoint as ocp

    ckptr = ocp.PyTreeCheckpointer()
    tree = ckptr.metadata(os.fspath(p / "state")).item_metadata.tree
    if "target" not in tree:
      raise ConversionError(
        f"{checkpoint_dir}: no 'target' parameters in the checkpoint"
      )
    # Only the parameters and the step; optimizer state is skipped.
    item = {"target": tree["target"], "state": {"step": tree["state"]["step"]}}
    args = jax.tree_util.tree_map(
      lambda _: ocp.RestoreArgs(restore_type=np.ndarray), item
    )
    state = ckptr.restore(
      os.fspath(p / "state"),
      args=ocp.args.PyTreeRestore(
        item=item, restore_args=args, partial_restore=True
      ),
    )
  params = {k: v for k, v in state["target"].items()}
  step = int(np.asarray(state["state"]["step"]))
  return params, step


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


def read_operative_gin(path: str) -> dict[str, str]:
  """The `name = value` lines of a gin file (T5X's config.gin), unevaluated.

  Continuation lines (a trailing backslash, open brackets) are joined.
  """
  from etils import epath

  bindings = {}
  pending = ""
  for line in epath.Path(path).read_text().splitlines():
    if not pending and (
      not line.strip()
      or line.lstrip().startswith(("#", "from ", "import ", "include "))
    ):
      continue
    pending += line.rstrip("\\").strip() + " "
    depth = sum(pending.count(c) for c in "([{") - sum(
      pending.count(c) for c in ")]}"
    )
    if line.endswith("\\") or depth > 0:
      continue
    name, sep, value = pending.partition("=")
    if sep:
      bindings[name.strip()] = value.strip()
    pending = ""
  return bindings


def _gin_value(bindings: Mapping[str, str], key: str) -> Any:
  """The literal value of `key`, following `%MACRO` references."""
  value = bindings.get(key)
  for _ in range(10):
    if value is None or not value.startswith("%"):
      break
    value = bindings.get(value[1:])
  if value is None:
    return None
  try:
    return ast.literal_eval(value)
  except (ValueError, SyntaxError):
    return value


def _binding_ending(bindings: Mapping[str, str], suffix: str) -> Any:
  for key in bindings:
    if (
      key == suffix or key.endswith("." + suffix) or key.endswith("/" + suffix)
    ):
      return _gin_value(bindings, key)
  return None


def read_model_info(
  model_dir: str, vocab: str | None = None, extra_ids: int | None = None
) -> ModelInfo:
  """What MODEL_DIR records about its model, for `--to_hf`.

  Looked for, in order: hf_conversion.json (written by `--from_hf`), then the
  config.gin a T5X run writes (the vocabulary bound to `get_vocabulary.path`
  or `SentencePieceVocabulary.sentencepiece_model_file`; when the gin file
  leaves `vocab.get_vocabulary()` unbound, the file `tasks.vocab` resolves
  now, i.e. $IE_INSTRUCTIONS_VOCAB, as `t5x.infer` would). `vocab` and
  `extra_ids` override what is found.

  Raises:
    ConversionError: nothing names the vocabulary, or a layout that is not
      T5 v1.1 (activations, tied logits).
  """
  from etils import epath

  d = epath.Path(model_dir)
  if (d / CONVERSION_JSON).exists():
    info = json.loads((d / CONVERSION_JSON).read_text())
    recorded = os.fspath(d / info["vocab"])
    return ModelInfo(
      vocab=vocab or recorded,
      extra_ids=info["extra_ids"] if extra_ids is None else extra_ids,
      hf_vocab_size=info.get("hf_vocab_size"),
      dropout_rate=info.get("dropout_rate", 0.1),
      source=os.fspath(d / CONVERSION_JSON),
    )
  gin_path = d / "config.gin"
  if not gin_path.exists():
    if vocab is None:
      raise ConversionError(
        f"{model_dir}: neither {CONVERSION_JSON} nor config.gin names the vocabulary; pass --vocab"
      )
    return ModelInfo(vocab, extra_ids or 0, None, 0.1, "--vocab")
  bindings = read_operative_gin(os.fspath(gin_path))
  activations = _binding_ending(bindings, "T5Config.mlp_activations")
  if activations is not None and tuple(activations) != MLP_ACTIVATIONS:
    raise ConversionError(
      f"{gin_path}: mlp_activations is {tuple(activations)!r}; Hugging Face "
      f"gated-gelu is {MLP_ACTIVATIONS!r}"
    )
  if _binding_ending(bindings, "T5Config.logits_via_embedding") is True:
    raise ConversionError(
      f"{gin_path}: logits_via_embedding is True (tied output layer), not T5 v1.1"
    )
  source = os.fspath(gin_path)
  found = _binding_ending(bindings, "get_vocabulary.path") or _binding_ending(
    bindings, "SentencePieceVocabulary.sentencepiece_model_file"
  )
  found_extra = _binding_ending(bindings, "get_vocabulary.extra_ids")
  if found_extra is None:
    found_extra = _binding_ending(bindings, "SentencePieceVocabulary.extra_ids")
  if not found and vocab is None:
    if "get_vocabulary()" not in str(bindings.get("VOCABULARY", "")):
      raise ConversionError(
        f"{gin_path}: does not name the vocabulary file; pass --vocab"
      )
    from tasks import vocab as vocab_lib

    found, env_extra = vocab_lib.vocabulary_spec(extra_ids=found_extra)
    found_extra = env_extra
    source += f" (VOCABULARY unbound there: {vocab_lib.ENV_VAR} or the default, as t5x.infer would)"
  dropout = _gin_value(bindings, "DROPOUT_RATE")
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
  dims: T5Dims
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
      raise ConversionError(
        f"{out_dir}: exists and is not empty (choose a new --out_dir)"
      )
    parent = os.path.dirname(self.out_dir)
    if not os.path.isdir(parent):
      raise ConversionError(
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
  dims: T5Dims, out_dir: str, step: int, extra_ids: int, source: str
) -> str:
  """The gin model file for a converted checkpoint in OUT_DIR."""
  ckpt = os.path.join(out_dir, f"checkpoint_{step}")
  spiece = os.path.join(out_dir, SPIECE)
  return f"""\
# T5 1.1 model of the checkpoint converted from {source}
# (tools/convert_checkpoint.py --from_hf).
#
# Provides:
# - MODEL (see gin/models/t5_1_1.gin) with this checkpoint's sizes.
# - INITIAL_CHECKPOINT_PATH: {ckpt}
#   (parameters only: t5x.train restores it with the assignment map of
#   gin/runs/finetune_common.gin, which starts the optimizer from zero).
# - VOCABULARY: {SPIECE} beside this file with {extra_ids} extra ids. The seqio
#   tasks must use the same vocabulary: IE_INSTRUCTIONS_VOCAB={spiece}
#   IE_INSTRUCTIONS_VOCAB_EXTRA_IDS={extra_ids}.
#
# Required to be set:
# - DROPOUT_RATE (run files set it)
#
# Commonly overridden:
# - ACTIVATION_DTYPE ('bfloat16'; 'float32' reproduces Hugging Face float32
#   logits), LEARNING_RATE, OPTIMIZER (see gin/models/t5_1_1.gin)

from __gin__ import dynamic_registration

from tasks import vocab

include 'gin/models/t5_1_1.gin'

EMBED_DIM = {dims.emb_dim}
NUM_HEADS = {dims.num_heads}
HEAD_DIM = {dims.head_dim}
MLP_DIM = {dims.mlp_dim}
NUM_ENCODER_LAYERS = {dims.num_encoder_layers}
NUM_DECODER_LAYERS = {dims.num_decoder_layers}
VOCAB_SIZE = {dims.vocab_size}

INITIAL_CHECKPOINT_PATH = {ckpt!r}
PRETRAINED_STEPS = {step}

vocab.get_vocabulary.path = {spiece!r}
vocab.get_vocabulary.extra_ids = {extra_ids}
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
  config = read_hf_config(hf_dir)
  dims = dims_from_hf_config(config, os.path.join(hf_dir, HF_CONFIG))
  vocab = vocab or os.path.join(hf_dir, SPIECE)
  if not os.path.isfile(vocab):
    raise ConversionError(
      f"{vocab}: missing (the SentencePiece model T5X needs); pass --vocab"
    )
  if extra_ids is None:
    extra_ids = hf_extra_ids(hf_dir) or 0
  pieces = sentencepiece_size(vocab)
  rows = vocab_size or dims.vocab_size
  if pieces + extra_ids > rows:
    raise ConversionError(
      f"{vocab}: {pieces} pieces + {extra_ids} extra ids do not fit in {rows} embedding rows"
    )
  writer = _NewDir(out_dir)
  tensors, sources = read_hf_tensors(hf_dir)
  params, notes = hf_to_t5x(tensors, dims, sources, vocab_size=vocab_size)
  t5x_dims = dataclasses.replace(dims, vocab_size=rows)
  dtypes = sorted({str(a.dtype) for a in tensors.values()})
  with writer as tmp:
    save_t5x_checkpoint(params, t5x_dims, tmp, step=step)
    shutil.copyfile(vocab, os.path.join(tmp, SPIECE))
    with open(os.path.join(tmp, MODEL_GIN), "w", encoding="utf-8") as f:
      f.write(
        model_gin(
          t5x_dims, writer.out_dir, step, extra_ids, os.path.abspath(hf_dir)
        )
      )
    record = {
      "source": os.path.abspath(hf_dir),
      "vocab": SPIECE,
      "extra_ids": extra_ids,
      "hf_vocab_size": dims.vocab_size,
      "t5x_vocab_size": rows,
      "dropout_rate": config.get("dropout_rate", 0.1),
      "dtypes": dtypes,
      "dims": dataclasses.asdict(t5x_dims),
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
    files=[f"checkpoint_{step}/", MODEL_GIN, SPIECE, CONVERSION_JSON],
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

  ckpt_dir = find_checkpoint_dir(t5x_path)
  model_dir = os.path.dirname(ckpt_dir.rstrip("/"))
  info = read_model_info(model_dir, vocab=vocab, extra_ids=extra_ids)
  from etils import epath

  if not epath.Path(info.vocab).exists():
    raise ConversionError(
      f"{info.vocab}: missing (the vocabulary named by {info.source})"
    )
  writer = _NewDir(out_dir)
  params, step = load_t5x_params(ckpt_dir)
  dims = dims_from_t5x_params(params)
  tensors = t5x_to_hf(params, dims, hf_vocab_size=info.hf_vocab_size)
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
      tensors, os.path.join(tmp, HF_SAFETENSORS), metadata={"format": "pt"}
    )
    with open(os.path.join(tmp, HF_CONFIG), "w", encoding="utf-8") as f:
      json.dump(
        hf_config(hf_dims, dropout_rate=info.dropout_rate, dtype=dtype),
        f,
        indent=2,
      )
      f.write("\n")
    epath.Path(info.vocab).copy(epath.Path(tmp) / SPIECE)
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
    files=[HF_CONFIG, HF_SAFETENSORS, SPIECE, "tokenizer_config.json"],
  )
