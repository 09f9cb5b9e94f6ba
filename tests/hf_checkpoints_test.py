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

"""Hugging Face <-> T5X checkpoint conversion.

Without T5X or transformers: the name table, the layout checks and the CLI's
errors, on Hugging Face directories written here from numpy. With T5X and
transformers (CPU torch): a small random `T5ForConditionalGeneration` is
converted and both frameworks are compared (logits, greedy decodes, the
round trip, restoring through the gin model file).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from instructuie_jax import t5_params
from instructuie_t5x import checkpoint_conversion as conversion
from instructuie_t5x import hf_checkpoints as hc
from instructuie_t5x import t5x_checkpoints

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
DIMS = t5_params.T5Dims(
  vocab_size=100,
  emb_dim=32,
  num_heads=4,
  head_dim=8,
  mlp_dim=48,
  num_encoder_layers=2,
  num_decoder_layers=3,
)
SP_PIECES = 60


def _hf_config(dims: t5_params.T5Dims, **overrides) -> dict:
  config = hc.hf_config(dims, dropout_rate=0.0)
  config.update(overrides)
  return config


def _random_hf_tensors(
  dims: t5_params.T5Dims, seed: int = 0, dtype=np.float32
) -> dict:
  rng = np.random.default_rng(seed)
  tensors = {}
  for param in t5_params.parameters(dims):
    hf_name, shape = param.hf_name, param.hf_shape
    scale = 1.0 if "layer_norm" in hf_name else 0.3
    base = 1.0 if "layer_norm" in hf_name else 0.0
    tensors[hf_name] = (base + scale * rng.standard_normal(shape)).astype(dtype)
  return tensors


def _write_hf_dir(
  path: pathlib.Path, spiece: pathlib.Path, tensors=None, config=None
) -> pathlib.Path:
  from safetensors.numpy import save_file

  path.mkdir(parents=True)
  tensors = _random_hf_tensors(DIMS) if tensors is None else tensors
  save_file(tensors, str(path / hc.HF_SAFETENSORS), metadata={"format": "pt"})
  (path / hc.HF_CONFIG).write_text(json.dumps(config or _hf_config(DIMS)))
  shutil.copyfile(spiece, path / hc.SPIECE)
  return path


@pytest.fixture(scope="module")
def spiece(tmp_path_factory) -> pathlib.Path:
  """A 60-piece BPE SentencePiece model with T5's ids (pad 0, eos 1, unk 2)."""
  import sentencepiece as spm

  d = tmp_path_factory.mktemp("spiece")
  lines = [
    f"The quick brown fox {i} jumps over the lazy dog." for i in range(100)
  ]
  lines += ["person: Alice; location: Paris, organization: ACME"] * 20
  (d / "text.txt").write_text("\n".join(lines))
  spm.SentencePieceTrainer.train(
    input=str(d / "text.txt"),
    model_prefix=str(d / "sp"),
    vocab_size=SP_PIECES,
    model_type="bpe",
    pad_id=0,
    eos_id=1,
    unk_id=2,
    bos_id=-1,
    minloglevel=2,
  )
  return d / "sp.model"


# ---------------------- Name table and layout (numpy only) ---------------------


def test_name_table_covers_every_parameter_once():
  table = t5_params.parameters(DIMS)
  hf_names = [p.hf_name for p in table]
  t5x_paths = [p.name for p in table]
  assert len(set(hf_names)) == len(hf_names) == len(set(t5x_paths))
  # Embedding, lm_head, 2 final norms, 2 relative biases, then per layer:
  # encoder 2 norms + 4 attention + 3 MLP, decoder 3 norms + 8 + 3.
  assert len(table) == 6 + 2 * 9 + 3 * 14
  assert "encoder/relpos_bias/rel_embedding" in t5x_paths
  assert not any("layers_1/relpos" in p for p in t5x_paths)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_hf_to_t5x_to_hf_is_bit_identical(dtype):
  import ml_dtypes

  np_dtype = np.float32 if dtype == "float32" else ml_dtypes.bfloat16
  tensors = _random_hf_tensors(DIMS, dtype=np_dtype)
  params, notes = hc.hf_to_t5x(tensors, DIMS)
  assert notes == []
  kernel = params["encoder"]["layers_0"]["attention"]["query"]["kernel"]
  assert kernel.shape == (32, 32) and kernel.dtype == np_dtype
  np.testing.assert_array_equal(
    kernel, tensors["encoder.block.0.layer.0.SelfAttention.q.weight"].T
  )
  assert params["decoder"]["relpos_bias"]["rel_embedding"].shape == (4, 32)
  assert hc.dims_from_t5x_params(params) == DIMS
  back = hc.t5x_to_hf(params, DIMS)
  assert set(back) == set(tensors)
  for name, array in tensors.items():
    assert back[name].dtype == array.dtype
    assert back[name].tobytes() == array.tobytes(), name


def test_vocab_rows_padded_then_restored():
  tensors = _random_hf_tensors(DIMS)
  params, notes = hc.hf_to_t5x(tensors, DIMS, vocab_size=128)
  assert notes == ["vocabulary rows 100 -> 128: padded with zero rows"]
  assert params["token_embedder"]["embedding"].shape == (128, 32)
  assert params["decoder"]["logits_dense"]["kernel"].shape == (32, 128)
  assert not params["decoder"]["logits_dense"]["kernel"][:, 100:].any()
  dims = hc.dims_from_t5x_params(params)
  assert dims.vocab_size == 128
  back = hc.t5x_to_hf(params, dims, hf_vocab_size=100)
  for name, array in tensors.items():
    np.testing.assert_array_equal(back[name], array)


def test_tied_copies_and_ignored_bias_are_noted_not_dropped_silently():
  tensors = _random_hf_tensors(DIMS)
  tensors["encoder.embed_tokens.weight"] = tensors["shared.weight"].copy()
  tensors[hc._HF_IGNORED[0]] = np.zeros((32, 4), np.float32)
  _, notes = hc.hf_to_t5x(tensors, DIMS)
  assert len(notes) == 2
  tensors["encoder.embed_tokens.weight"][0, 0] += 1
  with pytest.raises(hc.ConversionError, match="differs from shared.weight"):
    hc.hf_to_t5x(tensors, DIMS)


@pytest.mark.parametrize(
  "overrides, message",
  [
    ({"feed_forward_proj": "relu"}, "feed_forward_proj is 'relu'"),
    (
      {"tie_word_embeddings": True, "scale_decoder_outputs": True},
      "scale_decoder_outputs is True",
    ),
    (
      {"relative_attention_num_buckets": 64},
      "relative_attention_num_buckets is 64",
    ),
    (
      {"relative_attention_max_distance": 256},
      "relative_attention_max_distance is 256",
    ),
    ({"layer_norm_epsilon": 1e-5}, "layer_norm_epsilon is 1e-05"),
    ({"model_type": "bart"}, "model_type is 'bart'"),
    ({"d_model": None}, "d_model is None"),
  ],
)
def test_other_layouts_are_named(overrides, message):
  with pytest.raises(hc.ConversionError, match=message):
    hc.dims_from_hf_config(_hf_config(DIMS, **overrides))


def test_transformers_4_config_of_original_t5_is_tied():
  config = _hf_config(DIMS)
  del config["scale_decoder_outputs"]
  config["tie_word_embeddings"] = True
  with pytest.raises(hc.ConversionError, match="tie_word_embeddings is True"):
    hc.dims_from_hf_config(config)
  config["tie_word_embeddings"] = False
  assert hc.dims_from_hf_config(config) == DIMS


def test_sharded_safetensors_and_bin_read_alike(tmp_path, spiece):
  torch = pytest.importorskip(
    "torch", reason="torch (requirements-test.txt) writes .bin files"
  )
  from safetensors.numpy import save_file

  tensors = _random_hf_tensors(DIMS)
  single = _write_hf_dir(tmp_path / "single", spiece, tensors)
  sharded = tmp_path / "sharded"
  sharded.mkdir()
  names = sorted(tensors)
  weight_map = {}
  for i, part in enumerate((names[:40], names[40:])):
    f = f"model-{i + 1:05d}-of-00002.safetensors"
    save_file({n: tensors[n] for n in part}, str(sharded / f))
    weight_map.update(dict.fromkeys(part, f))
  (sharded / hc.HF_SAFETENSORS_INDEX).write_text(
    json.dumps({"weight_map": weight_map})
  )
  binary = tmp_path / "bin"
  binary.mkdir()
  torch.save(
    {n: torch.from_numpy(a) for n, a in tensors.items()}, binary / hc.HF_BIN
  )
  want, _ = hc.read_hf_tensors(str(single))
  for d in (sharded, binary):
    got, sources = hc.read_hf_tensors(str(d))
    assert set(got) == set(want)
    assert all(np.array_equal(got[n], want[n]) for n in want)
  assert len(set(sources.values())) == 1


def test_bin_without_torch_is_a_clear_error(tmp_path, monkeypatch):
  (tmp_path / hc.HF_BIN).write_bytes(b"not read")
  monkeypatch.setitem(sys.modules, "torch", None)
  with pytest.raises(hc.ConversionError, match="needs torch"):
    hc.read_hf_tensors(str(tmp_path))


# ------------------------------ CLI errors ------------------------------------


def _cli(*flags: str) -> subprocess.CompletedProcess:
  return subprocess.run(
    [sys.executable, "-m", "tools.convert_checkpoint", *flags],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=300,
  )


def _broken_dirs(
  root: pathlib.Path, spiece: pathlib.Path
) -> list[tuple[pathlib.Path, str]]:
  """(HF directory, expected message) for each kind of bad input."""
  cases = []
  d = _write_hf_dir(root / "no_config", spiece)
  (d / hc.HF_CONFIG).unlink()
  cases.append((d, "config.json: missing"))
  d = _write_hf_dir(root / "no_weights", spiece)
  (d / hc.HF_SAFETENSORS).unlink()
  cases.append((d, "no weights (expected one of model.safetensors.index.json"))
  d = _write_hf_dir(root / "no_shard", spiece)
  (d / hc.HF_SAFETENSORS_INDEX).write_text(
    json.dumps({"weight_map": {"shared.weight": "gone.safetensors"}})
  )
  cases.append(
    (d, "gone.safetensors: missing (listed in model.safetensors.index.json)")
  )
  d = _write_hf_dir(root / "no_spiece", spiece)
  (d / hc.SPIECE).unlink()
  cases.append((d, "spiece.model: missing"))
  cases.append(
    (
      _write_hf_dir(
        root / "relu", spiece, config=_hf_config(DIMS, feed_forward_proj="relu")
      ),
      "feed_forward_proj is 'relu'",
    )
  )
  cases.append(
    (
      _write_hf_dir(root / "shape", spiece, config=_hf_config(DIMS, d_ff=64)),
      r"encoder.block.0.layer.1.DenseReluDense.wi_0.weight: shape (48, 32) in model.safetensors, but config.json implies (64, 32)",
    )
  )
  tensors = _random_hf_tensors(DIMS)
  del tensors["lm_head.weight"]
  cases.append(
    (_write_hf_dir(root / "tied", spiece, tensors), "lm_head.weight: missing")
  )
  tensors = _random_hf_tensors(DIMS)
  tensors[
    "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"
  ] = np.zeros((32, 4), np.float32)
  cases.append(
    (
      _write_hf_dir(root / "extra", spiece, tensors),
      "unexpected tensor in model.safetensors",
    )
  )
  return cases


def test_cli_errors_are_one_line_and_write_nothing(tmp_path, spiece):
  for hf_dir, message in _broken_dirs(tmp_path / "in", spiece):
    out = tmp_path / f"out_{hf_dir.name}"
    result = _cli(f"--from_hf={hf_dir}", f"--out_dir={out}")
    assert result.returncode == 1, (hf_dir.name, result.stderr)
    assert result.stderr.count("\n") == 1, (hf_dir.name, result.stderr)
    assert result.stderr.startswith("error: ") and message in result.stderr, (
      result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not out.exists()
  assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_usage_errors(tmp_path):
  both = _cli("--from_hf=a", "--to_hf=b", f"--out_dir={tmp_path}/o")
  assert (
    both.returncode == 2
    and "exactly one of --from_hf and --to_hf" in both.stderr
  )
  no_out = _cli("--from_hf=a")
  assert no_out.returncode == 2 and "--out_dir is required" in no_out.stderr
  missing = _cli(f"--from_hf={tmp_path}/nope", f"--out_dir={tmp_path}/o")
  assert missing.returncode == 1 and "nope: no such directory" in missing.stderr
  (tmp_path / "full").mkdir()
  (tmp_path / "full" / "x").write_text("")
  to_hf = _cli(f"--to_hf={tmp_path}/full", f"--out_dir={tmp_path}/o")
  assert to_hf.returncode == 1
  assert (
    "neither a T5X checkpoint_N directory nor a model directory" in to_hf.stderr
  )


# ------------------- Against transformers and T5X (T5X, torch) ------------------


@pytest.fixture(scope="module")
def hf_model(tmp_path_factory, spiece):
  """A random T5 v1.1-layout model saved by transformers, and the model."""
  pytest.importorskip(
    "transformers", reason="transformers (requirements-test.txt) not installed"
  )
  torch = pytest.importorskip(
    "torch", reason="torch (requirements-test.txt) not installed"
  )
  import transformers

  torch.manual_seed(0)
  config = transformers.T5Config(
    vocab_size=DIMS.vocab_size,
    d_model=DIMS.emb_dim,
    d_kv=DIMS.head_dim,
    d_ff=DIMS.mlp_dim,
    num_layers=DIMS.num_encoder_layers,
    num_decoder_layers=DIMS.num_decoder_layers,
    num_heads=DIMS.num_heads,
    feed_forward_proj="gated-gelu",
    tie_word_embeddings=False,
    dropout_rate=0.0,
    pad_token_id=0,
    eos_token_id=1,
    decoder_start_token_id=0,
  )
  model = transformers.T5ForConditionalGeneration(config)
  with torch.no_grad():
    # transformers 5 ties lm_head to shared at construction; untie it, and
    # move the norms off 1.0 so that a swapped scale would show.
    model.lm_head.weight = torch.nn.Parameter(
      torch.randn_like(model.shared.weight) * 0.5
    )
    for name, p in model.named_parameters():
      if "layer_norm" in name:
        p.copy_(1 + 0.1 * torch.randn_like(p))
  model.eval()
  hf_dir = tmp_path_factory.mktemp("hf") / "model"
  model.save_pretrained(hf_dir)
  shutil.copyfile(spiece, hf_dir / hc.SPIECE)
  return hf_dir, model


@pytest.fixture(scope="module")
def converted(hf_model, tmp_path_factory):
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  hf_dir, _ = hf_model
  out = tmp_path_factory.mktemp("t5x") / "model"
  summary = conversion.convert_hf_to_t5x(str(hf_dir), str(out))
  assert summary.dims == DIMS
  return out


def _inputs(n: int, length: int, seed: int = 0) -> np.ndarray:
  """Token ids in [3, SP_PIECES) with varied padding (0) at the end."""
  rng = np.random.default_rng(seed)
  tokens = rng.integers(3, SP_PIECES, size=(n, length))
  for i, keep in enumerate(rng.integers(length // 4, length + 1, size=n)):
    tokens[i, keep:] = 0
  tokens[:, 0] = rng.integers(3, SP_PIECES, size=n)
  return tokens


def _t5x_model(converted, decode_fn=None):
  import seqio

  vocab = seqio.SentencePieceVocabulary(str(converted / hc.SPIECE))
  return t5x_checkpoints.build_model(DIMS, vocab, decode_fn=decode_fn)


@pytest.mark.slow
def test_logits_agree_in_float32(hf_model, converted):
  import torch

  _, model = hf_model
  params, step = t5x_checkpoints.load_t5x_params(
    str(converted / "checkpoint_0")
  )
  assert step == 0
  # 70 encoder positions cross every bucket boundary below 128 (16, 32, 64).
  enc = _inputs(8, 70)
  targets = _inputs(8, 24, seed=1)
  targets[targets == 0] = 5
  dec_in = np.concatenate([np.zeros((8, 1), int), targets[:, :-1]], axis=1)
  t5x_logits = _t5x_model(converted).module.apply(
    {"params": params}, enc, dec_in, targets, enable_dropout=False
  )
  with torch.no_grad():
    hf_logits = model(
      input_ids=torch.tensor(enc),
      attention_mask=torch.tensor(enc > 0).long(),
      decoder_input_ids=torch.tensor(dec_in),
    ).logits.numpy()
  diff = float(np.abs(np.asarray(t5x_logits) - hf_logits).max())
  print(
    f"\nmax |T5X - HF| logit: {diff:.3g} (logits up to {np.abs(hf_logits).max():.3g})"
  )
  assert diff <= 1e-4


@pytest.mark.slow
def test_greedy_decodes_are_identical(hf_model, converted):
  import functools

  import torch
  from t5x import decoding

  _, model = hf_model
  params, _ = t5x_checkpoints.load_t5x_params(str(converted / "checkpoint_0"))
  n, length, steps = 20, 40, 16
  enc = _inputs(n, length, seed=2)
  greedy = functools.partial(decoding.temperature_sample, temperature=0.0)
  t5x_model = _t5x_model(converted, decode_fn=greedy)
  batch = {
    "encoder_input_tokens": enc,
    "decoder_input_tokens": np.zeros((n, steps), np.int32),
  }
  t5x_out = np.asarray(t5x_model.predict_batch(params, batch))
  with torch.no_grad():
    hf_out = model.generate(
      input_ids=torch.tensor(enc),
      attention_mask=torch.tensor(enc > 0).long(),
      do_sample=False,
      num_beams=1,
      max_new_tokens=steps,
      min_new_tokens=0,
      # transformers 5.23's decoder cache assumes num_layers decoder layers.
      use_cache=False,
    ).numpy()[:, 1:]  # drop the decoder start token

  def until_eos(row) -> list[int]:
    row = [int(t) for t in row]
    return row[: row.index(1) + 1] if 1 in row else row

  t5x_rows = [until_eos(r) for r in t5x_out]
  hf_rows = [until_eos(r) for r in hf_out]
  same = sum(a == b for a, b in zip(t5x_rows, hf_rows, strict=True))
  print(f"\ngreedy decodes identical: {same}/{n} ({steps} steps)")
  assert len({tuple(r) for r in hf_rows}) > 1  # the inputs matter
  assert t5x_rows == hf_rows


def test_round_trip_is_bit_identical_and_loads_in_transformers(
  hf_model, converted, tmp_path
):
  import torch
  import transformers
  from safetensors.numpy import load_file

  hf_dir, model = hf_model
  out = tmp_path / "hf"
  result = _cli(f"--to_hf={converted}", f"--out_dir={out}")
  assert result.returncode == 0, result.stderr
  assert sorted(os.listdir(out)) == sorted(
    [hc.HF_CONFIG, hc.HF_SAFETENSORS, hc.SPIECE, "tokenizer_config.json"]
  )
  original = load_file(str(hf_dir / hc.HF_SAFETENSORS))
  back = load_file(str(out / hc.HF_SAFETENSORS))
  assert set(back) == set(original)
  for name, array in original.items():
    assert (
      back[name].dtype == array.dtype
      and back[name].tobytes() == array.tobytes()
    ), name
  assert (out / hc.SPIECE).read_bytes() == (hf_dir / hc.SPIECE).read_bytes()
  reloaded = transformers.T5ForConditionalGeneration.from_pretrained(out)
  for name, p in model.state_dict().items():
    assert torch.equal(reloaded.state_dict()[name], p), name
  tokenizer = transformers.AutoTokenizer.from_pretrained(out)
  assert tokenizer("Alice").input_ids[-1] == 1  # eos appended, as T5


def test_to_hf_reads_a_training_runs_config_gin(converted, tmp_path, spiece):
  # A t5x.train MODEL_DIR: checkpoint_N dirs and the operative config.gin.
  run = tmp_path / "run"
  run.mkdir()
  shutil.copytree(converted / "checkpoint_0", run / "checkpoint_0")
  shutil.copytree(converted / "checkpoint_0", run / "checkpoint_7")
  (run / "config.gin").write_text(
    "from __gin__ import dynamic_registration\n"
    "from tasks import vocab\n"
    "DROPOUT_RATE = 0.05\n"
    "VOCABULARY = @vocab.get_vocabulary()\n"
    f"vocab.get_vocabulary.path = '{spiece}'\n"
    "network.T5Config.mlp_activations = \\\n    ('gelu', 'linear')\n"
  )
  info = conversion.read_model_info(str(run))
  assert (info.vocab, info.extra_ids, info.dropout_rate) == (
    str(spiece),
    0,
    0.05,
  )
  assert t5x_checkpoints.find_checkpoint_dir(str(run)).endswith("checkpoint_7")
  summary = conversion.convert_t5x_to_hf(str(run), str(tmp_path / "hf"))
  assert "checkpoint_7" in summary.notes[0]
  assert (
    json.loads((tmp_path / "hf" / hc.HF_CONFIG).read_text())["dropout_rate"]
    == 0.05
  )
  (run / "config.gin").write_text(
    "network.T5Config.mlp_activations = ('relu',)\n"
  )
  with pytest.raises(
    hc.ConversionError, match=r"mlp_activations is \('relu',\)"
  ):
    conversion.read_model_info(str(run))


def test_vocabulary_bound_in_the_data_settings_is_read(tmp_path, spiece):
  # What a run of tools.run_local_tiny (or any run given
  # --gin.data_settings.vocab) records in its config.gin.
  (tmp_path / "config.gin").write_text(
    "from __gin__ import dynamic_registration\n"
    "from tasks import settings\n"
    f"settings.data_settings.vocab = '{spiece}'\n"
    "settings.data_settings.vocab_extra_ids = 3\n"
    "VOCABULARY = @vocab.get_vocabulary()\n"
  )
  info = conversion.read_model_info(str(tmp_path))
  assert (info.vocab, info.extra_ids) == (str(spiece), 3)


def test_unbound_vocabulary_follows_the_environment(
  tmp_path, spiece, monkeypatch
):
  pytest.importorskip("seqio", reason="seqio not installed")
  (tmp_path / "config.gin").write_text("VOCABULARY = @vocab.get_vocabulary()\n")
  monkeypatch.setenv("IE_INSTRUCTIONS_VOCAB", str(spiece))
  monkeypatch.delenv("IE_INSTRUCTIONS_VOCAB_EXTRA_IDS", raising=False)
  info = conversion.read_model_info(str(tmp_path))
  assert info.vocab == str(spiece) and "IE_INSTRUCTIONS_VOCAB" in info.source


@pytest.mark.slow
def test_gin_model_file_restores_the_checkpoint(converted):
  """t5x's restore path, configured by the written model.gin."""
  import gin
  import jax
  import t5x
  from t5x import utils

  gin_text = (converted / conversion.MODEL_GIN).read_text()
  for line in (
    "EMBED_DIM = 32",
    "NUM_HEADS = 4",
    "HEAD_DIM = 8",
    "MLP_DIM = 48",
    "VOCAB_SIZE = 100",
  ):
    assert line in gin_text
  want, _ = t5x_checkpoints.load_t5x_params(str(converted / "checkpoint_0"))
  gin.clear_config()
  try:
    gin.add_config_file_search_path(
      os.path.dirname(os.path.dirname(t5x.__file__))
    )
    gin.add_config_file_search_path(str(REPO_ROOT))
    gin.parse_config_files_and_bindings(
      [str(converted / conversion.MODEL_GIN)],
      ["DROPOUT_RATE = 0.0", "ACTIVATION_DTYPE = 'float32'"],
      finalize_config=False,
    )
    model = gin.query_parameter("%MODEL").scoped_configurable_fn()
    checkpoint_path = gin.query_parameter("%INITIAL_CHECKPOINT_PATH")
    vocab = model.output_vocabulary
    assert vocab.sentencepiece_model_file == str(converted / hc.SPIECE)
    assert vocab.vocab_size == SP_PIECES
  finally:
    gin.clear_config()
  from t5x import partitioning

  partitioner = partitioning.PjitPartitioner(num_partitions=1)
  shapes = {"encoder_input_tokens": (2, 8), "decoder_input_tokens": (2, 4)}
  # As t5x.train (AdamW state from scratch: gin/runs/finetune_common.gin's
  # assignment map) and as t5x.infer (no optimizer).
  for optimizer_def, assignment_map in (
    (model.optimizer_def, ((r"state/param_states.*", None),)),
    (None, None),
  ):
    initializer = utils.TrainStateInitializer(
      optimizer_def=optimizer_def,
      init_fn=model.get_initial_variables,
      input_shapes=shapes,
      partitioner=partitioner,
    )
    restore = utils.RestoreCheckpointConfig(
      path=checkpoint_path,
      mode="specific",
      dtype="float32",
      assignment_map=assignment_map,
      fallback_to_scratch=assignment_map is not None,
    )
    state, _ = utils.create_checkpoint_manager_and_restore(
      train_state_initializer=initializer,
      partitioner=partitioner,
      restore_checkpoint_cfg=restore,
      restore_path=checkpoint_path,
      fallback_init_rng=jax.random.PRNGKey(0),
      model_dir=str(converted),
      use_orbax=True,
    )
    got = hc.flatten_params(jax.device_get(state.params))
    assert set(got) == set(hc.flatten_params(want))
    for path, array in hc.flatten_params(want).items():
      np.testing.assert_array_equal(got[path], array, err_msg=path)
    assert int(state.step) == 0


def test_reads_the_legacy_t5x_format(converted, tmp_path):
  """msgpack + tensorstore checkpoints, e.g. the public T5X Flan-T5 ones."""
  import seqio
  from t5x import checkpoints, partitioning, utils

  params, _ = t5x_checkpoints.load_t5x_params(str(converted / "checkpoint_0"))
  model = t5x_checkpoints.build_model(
    DIMS, seqio.PassThroughVocabulary(DIMS.vocab_size)
  )
  partitioner = partitioning.PjitPartitioner(num_partitions=1)
  shape = utils.TrainStateInitializer(
    optimizer_def=None,
    init_fn=model.get_initial_variables,
    input_shapes={
      "encoder_input_tokens": (1, 1),
      "decoder_input_tokens": (1, 1),
    },
    partitioner=partitioner,
  ).global_train_state_shape
  state = shape.restore_state(
    {"target": params, "state": {"step": np.asarray(3, np.int32)}}
  )
  checkpoints.Checkpointer(shape, partitioner, str(tmp_path)).save(state)
  assert (tmp_path / "checkpoint_3" / "checkpoint").exists()
  got, step = t5x_checkpoints.load_t5x_params(
    t5x_checkpoints.find_checkpoint_dir(str(tmp_path))
  )
  assert step == 3
  want = hc.flatten_params(params)
  got = hc.flatten_params(got)
  assert set(got) == set(want)
  for path, array in want.items():
    assert np.asarray(got[path]).tobytes() == array.tobytes(), path


@pytest.mark.slow
def test_bfloat16_weights_round_trip_through_a_t5x_checkpoint(tmp_path, spiece):
  """bfloat16 safetensors (no torch) -> orbax checkpoint -> the same bytes."""
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  import ml_dtypes
  from safetensors.numpy import load_file

  tensors = _random_hf_tensors(DIMS, seed=3, dtype=ml_dtypes.bfloat16)
  hf_dir = _write_hf_dir(tmp_path / "hf", spiece, tensors)
  conversion.convert_hf_to_t5x(
    str(hf_dir), str(tmp_path / "t5x"), vocab_size=128
  )
  params, _ = t5x_checkpoints.load_t5x_params(
    str(tmp_path / "t5x" / "checkpoint_0")
  )
  assert params["token_embedder"]["embedding"].shape == (128, DIMS.emb_dim)
  assert params["token_embedder"]["embedding"].dtype == ml_dtypes.bfloat16
  summary = conversion.convert_t5x_to_hf(
    str(tmp_path / "t5x"), str(tmp_path / "back")
  )
  assert "vocabulary rows 128 -> 100 (as recorded)" in summary.notes
  back = load_file(str(tmp_path / "back" / hc.HF_SAFETENSORS))
  config = json.loads((tmp_path / "back" / hc.HF_CONFIG).read_text())
  assert config["vocab_size"] == 100 and config["torch_dtype"] == "bfloat16"
  assert set(back) == set(tensors)
  for name, array in tensors.items():
    assert (
      back[name].dtype == array.dtype
      and back[name].tobytes() == array.tobytes()
    ), name


# ------------------- Broken inputs: one line naming the file -------------------


def _safetensors_variants(good: bytes) -> dict[str, bytes]:
  import struct

  (length,) = struct.unpack("<Q", good[:8])
  header = json.loads(good[8 : 8 + length])
  name = next(k for k in header if k != "__metadata__")
  far = dict(header)
  far[name] = dict(header[name], data_offsets=[0, 10**12])
  far_bytes = json.dumps(far).encode()
  return {
    "truncated": good[: len(good) // 2],
    "huge_header_length": struct.pack("<Q", 2**62) + good[8:],
    "random_bytes": bytes(np.random.default_rng(0).integers(0, 256, 4096)),
    "bad_header_json": struct.pack("<Q", length)
    + b"{" * length
    + good[8 + length :],
    "out_of_range_offsets": struct.pack("<Q", len(far_bytes))
    + far_bytes
    + good[8 + length :],
    "empty": b"",
  }


@pytest.mark.parametrize(
  "kind",
  [
    "truncated",
    "huge_header_length",
    "random_bytes",
    "bad_header_json",
    "out_of_range_offsets",
    "empty",
  ],
)
def test_broken_safetensors_is_one_line(tmp_path, spiece, kind):
  d = _write_hf_dir(tmp_path / "in", spiece)
  weights = d / hc.HF_SAFETENSORS
  weights.write_bytes(_safetensors_variants(weights.read_bytes())[kind])
  with pytest.raises(hc.ConversionError) as info:
    conversion.convert_hf_to_t5x(str(d), str(tmp_path / "out"))
  message = str(info.value)
  assert message.startswith(f"{weights}: unreadable safetensors file (")
  assert "\n" not in message
  assert not (tmp_path / "out").exists()


def _config_bytes(**overrides) -> bytes:
  return json.dumps(_hf_config(DIMS, **overrides)).encode()


@pytest.mark.parametrize(
  "config, message",
  [
    (b"\xff\xfe{}", "config.json: not UTF-8 text (byte 0)"),
    (b'{"a": ' * 100000, "config.json: not valid JSON"),
    (_config_bytes(num_decoder_layers="2"), "num_decoder_layers is '2'"),
    (_config_bytes(vocab_size=True), "vocab_size is True; expected a positive"),
    (_config_bytes(d_model=32.0), "d_model is 32.0; expected a positive"),
    (_config_bytes(architectures=5), "architectures is 5"),
    (_config_bytes(pad_token_id=False), "pad_token_id is False"),
    (_config_bytes(dropout_rate="0.1"), "dropout_rate is '0.1'"),
  ],
)
def test_config_json_types_are_checked(tmp_path, spiece, config, message):
  d = _write_hf_dir(tmp_path / "in", spiece)
  (d / hc.HF_CONFIG).write_bytes(config)
  with pytest.raises(hc.ConversionError, match=".") as info:
    conversion.convert_hf_to_t5x(str(d), str(tmp_path / "out"))
  assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
  "index, message",
  [
    ({"weight_map": []}, "not a weight index"),
    ({"weight_map": {}}, "not a weight index"),
    ([], "not a weight index"),
    ({"weight_map": {"shared.weight": 3}}, "file name 3 is not a file name"),
    (
      {"weight_map": {"shared.weight": "../outside.safetensors"}},
      "'../outside.safetensors' leads outside the model folder",
    ),
    (
      {"weight_map": {"shared.weight": "/etc/passwd"}},
      "'/etc/passwd' leads outside the model folder",
    ),
  ],
)
def test_weight_index_is_checked(tmp_path, spiece, index, message):
  d = _write_hf_dir(tmp_path / "in", spiece)
  # A file outside that the index must not read, even though it exists.
  shutil.copyfile(d / hc.HF_SAFETENSORS, tmp_path / "outside.safetensors")
  (d / hc.HF_SAFETENSORS).unlink()
  (d / hc.HF_SAFETENSORS_INDEX).write_text(json.dumps(index))
  with pytest.raises(hc.ConversionError) as info:
    conversion.convert_hf_to_t5x(str(d), str(tmp_path / "out"))
  assert message in str(info.value)


def test_index_symlink_out_of_the_folder_is_refused(tmp_path, spiece):
  d = _write_hf_dir(tmp_path / "in", spiece)
  (d / hc.HF_SAFETENSORS).rename(tmp_path / "outside.safetensors")
  (d / "shard.safetensors").symlink_to(tmp_path / "outside.safetensors")
  (d / hc.HF_SAFETENSORS_INDEX).write_text(
    json.dumps({"weight_map": {"shared.weight": "shard.safetensors"}})
  )
  with pytest.raises(hc.ConversionError, match="leads outside the model"):
    hc.hf_weight_files(str(d))


def test_vocabulary_must_be_a_sentencepiece_model(tmp_path, spiece):
  d = _write_hf_dir(tmp_path / "in", spiece)
  (d / hc.SPIECE).write_text("my-hostname\n")
  with pytest.raises(hc.ConversionError, match="not a SentencePiece model"):
    conversion.convert_hf_to_t5x(str(d), str(tmp_path / "out"))
  (d / "tokenizer_config.json").write_bytes(b"\xff")
  with pytest.raises(hc.ConversionError, match="not UTF-8"):
    hc.hf_extra_ids(str(d))
  (d / "tokenizer_config.json").write_text('{"extra_ids": true}')
  with pytest.raises(hc.ConversionError, match="extra_ids is True"):
    hc.hf_extra_ids(str(d))


@pytest.fixture(scope="module")
def small_t5x(tmp_path_factory, spiece) -> pathlib.Path:
  """A T5X model directory converted from random weights (needs T5X)."""
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  root = tmp_path_factory.mktemp("small_t5x")
  hf_dir = _write_hf_dir(root / "hf", spiece)
  conversion.convert_hf_to_t5x(str(hf_dir), str(root / "model"))
  return root / "model"


@pytest.mark.parametrize(
  "record, message",
  [
    (b"{garbled", "hf_conversion.json: not valid JSON"),
    (b"\xff", "hf_conversion.json: not UTF-8 text"),
    (b'{"extra_ids": 0}', "vocab is missing"),
    (b'{"vocab": "../../x.model", "extra_ids": 0}', "vocab is '../../x.model'"),
    (b'{"vocab": "spiece.model", "extra_ids": true}', "extra_ids is True"),
    (b"[1]", "expected a JSON object"),
  ],
)
def test_to_hf_checks_hf_conversion_json(small_t5x, tmp_path, record, message):
  model = tmp_path / "model"
  shutil.copytree(small_t5x, model)
  (model / conversion.CONVERSION_JSON).write_bytes(record)
  with pytest.raises(hc.ConversionError) as info:
    conversion.convert_t5x_to_hf(str(model), str(tmp_path / "hf"))
  assert message in str(info.value) and "\n" not in str(info.value)
  assert not (tmp_path / "hf").exists()


def test_to_hf_non_utf8_config_gin_is_one_line(tmp_path):
  (tmp_path / "config.gin").write_bytes(b"VOCABULARY = \xff\n")
  with pytest.raises(
    hc.ConversionError, match=r"config.gin:1: not UTF-8 \(byte 0xff"
  ):
    conversion.read_model_info(str(tmp_path))


def test_to_hf_vocab_must_be_a_sentencepiece_model(small_t5x, tmp_path):
  not_a_model = tmp_path / "hostname"
  not_a_model.write_text("my-hostname\n")
  result = _cli(
    f"--to_hf={small_t5x}",
    f"--out_dir={tmp_path / 'hf'}",
    f"--vocab={not_a_model}",
  )
  assert result.returncode == 1
  (line,) = result.stderr.strip().splitlines()
  assert line.startswith(f"error: {not_a_model}: not a SentencePiece model")
  assert not (tmp_path / "hf").exists()


def test_to_hf_corrupted_checkpoint_is_one_line(small_t5x, tmp_path):
  model = tmp_path / "model"
  shutil.copytree(small_t5x, model)
  state = model / "checkpoint_0" / "state"
  broken = 0
  for path in state.rglob("*"):
    if path.is_file():
      path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
      broken += 1
  assert broken
  with pytest.raises(hc.ConversionError) as info:
    conversion.convert_t5x_to_hf(str(model), str(tmp_path / "hf"))
  message = str(info.value)
  assert message.startswith(
    f"{model / 'checkpoint_0'}: unreadable T5X checkpoint"
  )
  assert "\n" not in message
  assert not (tmp_path / "hf").exists()


def test_extractor_on_a_corrupted_checkpoint_is_one_line(small_t5x, tmp_path):
  from instructuie_t5x import extractor

  model = tmp_path / "model"
  shutil.copytree(small_t5x, model)
  for path in (model / "checkpoint_0").rglob("*"):
    if path.is_file():
      path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
  with pytest.raises(extractor.CheckpointError) as info:
    extractor.Extractor.from_checkpoint(str(model), batch_size=1)
  message = str(info.value)
  assert message.startswith(f"{model / 'checkpoint_0'}: cannot be restored (")
  assert "\n" not in message
  (model / "config.gin").write_bytes(b"MODEL = \xff\n")
  with pytest.raises(extractor.CheckpointError, match="config.gin: Unicode"):
    extractor.Extractor.from_checkpoint(str(model), batch_size=1)
