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

"""Hugging Face T5 weights and their T5X names (T5 v1.1 / Flan-T5 layout).

Two parameter layouts describe the same network:

* Hugging Face `T5ForConditionalGeneration` (`shared.weight`,
  `encoder.block.N.layer.0.SelfAttention.q.weight`, ..., `lm_head.weight`),
  PyTorch `Linear` weights stored `[out, in]`.
* `t5x.examples.t5.network.Transformer` (`token_embedder/embedding`,
  `encoder/layers_N/attention/query/kernel`, ...,
  `decoder/logits_dense/kernel`), `DenseGeneral` kernels stored `[in, out]`
  (attention projections flattened to `[embed, heads * head_dim]`).

The mapping is the parameter table of `instructuie_jax.t5_params` (each
parameter's T5X path, Hugging Face name and whether one is the transpose of
the other). Neither side scales the query by
1/sqrt(head_dim) (T5X folds it into the initializer), nor scales the output
of the untied `lm_head`, so no tensor is rescaled and HF -> T5X -> HF is
bit-identical.

Only the T5 v1.1 / Flan-T5 layout is accepted (gated-GELU MLP, untied
`lm_head`, 32 relative-position buckets up to distance 128, RMS-norm epsilon
1e-6: what the T5X network here hard-codes); anything else is rejected with a
`ConversionError` that names what differs.

This module needs numpy and safetensors only (`safetensors.numpy`); PyTorch
is imported only to read `pytorch_model.bin` files. `t5x_checkpoints` holds
the T5X side, `checkpoint_conversion` the two conversions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from instructuie_jax import t5_params

HF_FEED_FORWARD_PROJ = "gated-gelu"
HF_ARCHITECTURE = "T5ForConditionalGeneration"

SPIECE = "spiece.model"
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


class ConversionError(ValueError):
  """A checkpoint that cannot be converted; the message is one line."""


def flatten_params(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
  """`{'a': {'b': x}}` -> `{'a/b': x}` (T5X's parameter paths)."""
  out = {}
  for key, value in tree.items():
    path = f"{prefix}{key}"
    if isinstance(value, Mapping):
      out.update(flatten_params(value, path + "/"))
    else:
      out[path] = value
  return out


def nest_params(flat: Mapping[str, Any]) -> dict[str, Any]:
  """The inverse of `flatten_params`."""
  tree: dict[str, Any] = {}
  for path, value in flat.items():
    node = tree
    *parents, leaf = path.split("/")
    for p in parents:
      node = node.setdefault(p, {})
    node[leaf] = value
  return tree


def _shape(shape: tuple[int, ...]) -> str:
  return "(" + ", ".join(str(n) for n in shape) + ")"


# ---------------------------- Hugging Face side ------------------------------


def read_json_file(path: str, what: str = "JSON") -> Any:
  """The JSON value of the file at `path`.

  Raises:
    ConversionError: one line naming `path` and what is wrong (unreadable,
      not UTF-8, not JSON, nested or numbered beyond what Python reads).
  """
  try:
    with open(path, "rb") as f:
      data = f.read()
  except OSError as e:
    raise ConversionError(f"{path}: {e.strerror or e}") from None
  try:
    text = data.decode("utf-8")
  except UnicodeDecodeError as e:
    raise ConversionError(
      f"{path}: not UTF-8 text (byte {e.start}); expected {what}"
    ) from None
  try:
    return json.loads(text)
  except json.JSONDecodeError as e:
    raise ConversionError(
      f"{path}: not valid {what} (line {e.lineno} column {e.colno}: {e.msg})"
    ) from None
  except (ValueError, RecursionError) as e:  # huge integers, deep nesting
    reason = str(e).splitlines()[0] if str(e) else type(e).__name__
    raise ConversionError(f"{path}: not valid {what} ({reason})") from None


def read_hf_config(hf_dir: str) -> dict[str, Any]:
  """Returns HF_DIR/config.json as a dict."""
  path = os.path.join(hf_dir, HF_CONFIG)
  if not os.path.isdir(hf_dir):
    raise ConversionError(f"{hf_dir}: no such directory")
  if not os.path.isfile(path):
    raise ConversionError(
      f"{path}: missing (a Hugging Face model directory has one)"
    )
  config = read_json_file(path)
  if not isinstance(config, dict):
    raise ConversionError(f"{path}: expected a JSON object")
  return config


def is_int(value: Any) -> bool:
  """An integer that JSON wrote as a number (`true` is not 1)."""
  return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
  """An int or float that JSON wrote as a number (not a bool)."""
  return isinstance(value, int | float) and not isinstance(value, bool)


def dims_from_hf_config(
  config: Mapping[str, Any], source: str = HF_CONFIG
) -> t5_params.T5Dims:
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
  if archs is not None and (
    not isinstance(archs, list) or not all(isinstance(a, str) for a in archs)
  ):
    raise ConversionError(
      f"{source}: architectures is {archs!r:.80}; expected a list of names"
    )
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
    ("relative_attention_num_buckets", t5_params.NUM_BUCKETS),
    ("relative_attention_max_distance", t5_params.MAX_DISTANCE),
    ("layer_norm_epsilon", t5_params.LAYER_NORM_EPSILON),
    ("pad_token_id", 0),
    ("eos_token_id", 1),
    ("decoder_start_token_id", 0),
  ):
    value = config.get(field, want)
    if not is_number(value) or value != want:
      raise differs(field, value, repr(want))
  dropout = config.get("dropout_rate", 0.1)
  if not is_number(dropout) or not 0 <= dropout < 1:
    raise ConversionError(
      f"{source}: dropout_rate is {dropout!r:.80}; expected a number in [0, 1)"
    )
  for field in (
    "vocab_size",
    "d_model",
    "d_kv",
    "d_ff",
    "num_layers",
    "num_heads",
    "num_decoder_layers",
  ):
    value = config.get(field)
    if field == "num_decoder_layers" and value is None:
      continue  # the encoder's number
    if not is_int(value) or value <= 0:
      raise ConversionError(
        f"{source}: {field} is {value!r:.80}; expected a positive integer"
      )
  num_decoder_layers = config.get("num_decoder_layers") or config["num_layers"]
  return t5_params.T5Dims(
    vocab_size=config["vocab_size"],
    emb_dim=config["d_model"],
    num_heads=config["num_heads"],
    head_dim=config["d_kv"],
    mlp_dim=config["d_ff"],
    num_encoder_layers=config["num_layers"],
    num_decoder_layers=num_decoder_layers,
  )


def _inside(hf_dir: str, name: Any, index: str) -> str:
  """The path of weight file `name` listed in `index`, kept inside HF_DIR."""
  if not isinstance(name, str) or not name or "\x00" in name:
    raise ConversionError(f"{index}: file name {name!r:.80} is not a file name")
  root = os.path.realpath(hf_dir)
  path = os.path.realpath(os.path.join(hf_dir, name))
  if os.path.isabs(name) or os.path.commonpath([root, path]) != root:
    raise ConversionError(
      f"{index}: {name!r:.80} leads outside the model folder {hf_dir}"
    )
  return os.path.join(hf_dir, name)


def hf_weight_files(hf_dir: str) -> list[str]:
  """The weight files of HF_DIR (the shards of an index, or the one file).

  Raises:
    ConversionError: no weights, an index that is not `{"weight_map":
      {tensor: file}}`, or a file it lists outside HF_DIR or missing.
  """
  for name in HF_WEIGHT_FILES:
    path = os.path.join(hf_dir, name)
    if not os.path.isfile(path):
      continue
    if not name.endswith(".index.json"):
      return [path]
    index = read_json_file(path, "weight index JSON")
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
      raise ConversionError(
        f"{path}: not a weight index (expected a non-empty "
        '"weight_map": {tensor: file})'
      )
    names = list(weight_map.values())
    for f in names:
      _inside(hf_dir, f, path)
    files = [_inside(hf_dir, f, path) for f in sorted(set(names))]
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
    from safetensors import SafetensorError, safe_open

    try:
      with safe_open(path, framework="np") as f:
        tensors = [(name, f.get_tensor(name)) for name in f.keys()]
    except (OSError, ValueError, SafetensorError) as e:
      reason = str(e).splitlines()[0] if str(e) else type(e).__name__
      raise ConversionError(
        f"{path}: unreadable safetensors file ({reason})"
      ) from None
    yield from tensors
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
  dims: t5_params.T5Dims,
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
  table = t5_params.parameters(dims)
  expected = {p.hf_name for p in table}
  for param in table:
    hf = param.hf_name
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
    if array.shape != param.hf_shape:
      where = sources.get(hf, "the weights")
      raise ConversionError(
        f"{hf}: shape {_shape(array.shape)} in {where}, but config.json implies "
        f"{_shape(param.hf_shape)}"
      )
    flat[param.name] = np.ascontiguousarray(
      array.T if param.transpose else array
    )
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
  return nest_params(flat), notes


def _resize_rows(a: np.ndarray, rows: int) -> np.ndarray:
  if rows <= a.shape[0]:
    return np.ascontiguousarray(a[:rows])
  pad = np.zeros((rows - a.shape[0],) + a.shape[1:], dtype=a.dtype)
  return np.concatenate([a, pad], axis=0)


def dims_from_t5x_params(params: Mapping[str, Any]) -> t5_params.T5Dims:
  """Reads the sizes of a T5X T5 v1.1 network off its parameter shapes."""
  flat = flatten_params(params)

  def get(path: str) -> np.ndarray:
    if path not in flat:
      hint = ""
      if path == "decoder/logits_dense/kernel":
        hint = " (logits_via_embedding=True: a tied output layer, not T5 v1.1)"
      raise ConversionError(f"T5X checkpoint: no parameter {path}{hint}")
    return flat[path]

  vocab, emb = get("token_embedder/embedding").shape
  heads, buckets = get("encoder/relpos_bias/rel_embedding").shape
  if buckets != t5_params.NUM_BUCKETS:
    raise ConversionError(
      f"T5X checkpoint: {buckets} relative-position buckets, expected {t5_params.NUM_BUCKETS}"
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
  return t5_params.T5Dims(
    vocab_size=vocab,
    emb_dim=emb,
    num_heads=heads,
    head_dim=inner // heads,
    mlp_dim=mlp,
    num_encoder_layers=count("encoder"),
    num_decoder_layers=count("decoder"),
  )


def t5x_to_hf(
  params: Mapping[str, Any],
  dims: t5_params.T5Dims,
  hf_vocab_size: int | None = None,
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
  flat = {p: np.asarray(a) for p, a in flatten_params(params).items()}
  out = {}
  table = t5_params.parameters(dims)
  for param in table:
    if param.name not in flat:
      raise ConversionError(f"T5X checkpoint: no parameter {param.name}")
    array = flat[param.name]
    if array.shape != param.shape:
      raise ConversionError(
        f"T5X checkpoint: {param.name} has shape {_shape(array.shape)}, "
        f"expected {_shape(param.shape)}"
      )
    out[param.hf_name] = np.ascontiguousarray(
      array.T if param.transpose else array
    )
  extra = sorted(set(flat) - {p.name for p in table})
  if extra:
    raise ConversionError(
      f"T5X checkpoint: unexpected parameter {extra[0]} (not T5 v1.1)"
    )
  if hf_vocab_size is not None and hf_vocab_size != dims.vocab_size:
    for name in ("shared.weight", "lm_head.weight"):
      out[name] = _resize_rows(out[name], hf_vocab_size)
  return out


def hf_config(
  dims: t5_params.T5Dims, *, dropout_rate: float = 0.1, dtype: str = "float32"
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
    "relative_attention_num_buckets": t5_params.NUM_BUCKETS,
    "relative_attention_max_distance": t5_params.MAX_DISTANCE,
    "dropout_rate": dropout_rate,
    "layer_norm_epsilon": t5_params.LAYER_NORM_EPSILON,
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
  """Sentinel count of the HF tokenizer (tokenizer_config.json), if recorded.

  Raises:
    ConversionError: a tokenizer_config.json that is not a JSON object, or
      whose extra_ids is not a count.
  """
  path = os.path.join(hf_dir, "tokenizer_config.json")
  if not os.path.isfile(path):
    return None
  tok = read_json_file(path)
  if not isinstance(tok, dict):
    raise ConversionError(f"{path}: expected a JSON object")
  if "extra_ids" in tok:
    if not is_int(tok["extra_ids"]) or tok["extra_ids"] < 0:
      raise ConversionError(
        f"{path}: extra_ids is {tok['extra_ids']!r:.80}; expected a count"
      )
    return tok["extra_ids"]
  specials = (
    tok.get("additional_special_tokens")
    or tok.get("extra_special_tokens")
    or []
  )
  if not isinstance(specials, list):
    return None
  n = sum(
    1 for s in specials if isinstance(s, str) and s.startswith("<extra_id_")
  )
  return n


def sentencepiece_size(path: str) -> int:
  """Pieces in a SentencePiece model file (`settings.sentencepiece_pieces`).

  Raises:
    ConversionError: `path` is unreadable or not a SentencePiece model.
  """
  from tasks import settings  # noqa: PLC0415

  try:
    return settings.sentencepiece_pieces(path)
  except settings.VocabularyError as e:
    raise ConversionError(str(e)) from None
