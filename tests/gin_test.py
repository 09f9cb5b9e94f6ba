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

"""Checks every gin file: layout, parsing, macros and (with T5X) objects."""

from __future__ import annotations

import os
import pathlib
import re
import sys

import gin
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
GIN_DIR = REPO_ROOT / "gin"
GIN_FILES = sorted(
  p.relative_to(REPO_ROOT).as_posix() for p in GIN_DIR.rglob("*.gin")
)

# Hand-copied from the T5X model table (Flan-T5 rows).
FLAN_T5 = {
  "small": (512, 8, 1198000),
  "base": (768, 12, 1184000),
  "large": (1024, 24, 1164000),
  "xl": (2048, 24, 1138000),
  "xxl": (4096, 24, 1114000),
}
MIXTURE_FILES = [f for f in GIN_FILES if f.startswith("gin/mixtures/")]
T5X_INCLUDE = re.compile(r"^include\s+'(t5x/[^']+)'", re.M)


def _t5x_root() -> str | None:
  """Directory holding the `t5x/` package, or None when T5X is missing."""
  try:
    import t5x  # noqa: PLC0415
  except ImportError:
    return None
  return os.path.dirname(os.path.dirname(t5x.__file__))


@pytest.fixture
def clean_gin():
  gin.clear_config(clear_constants=False)
  yield
  gin.clear_config(clear_constants=False)


@pytest.fixture
def search_path(tmp_path):
  """Gin search path: T5X's package root, else empty stand-ins of its files.

  Without T5X its run files are replaced by empty files, so the structure of
  our files is still checked (`skip_unknown=True` skips T5X configurables).
  """
  root = _t5x_root()
  if root is None:
    root = str(tmp_path)
    for path in GIN_FILES:
      for include in T5X_INCLUDE.findall((REPO_ROOT / path).read_text()):
        stub = tmp_path / include
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("")
  prefixes = [root, str(REPO_ROOT)]
  for prefix in prefixes:
    gin.add_config_file_search_path(prefix)
  yield prefixes
  for prefix in prefixes:
    gin.config._LOCATION_PREFIXES.remove(prefix)  # no public remover


def _header(text: str) -> str:
  lines = []
  for line in text.splitlines():
    if not line.startswith("#"):
      break
    lines.append(line)
  return "\n".join(lines)


@pytest.mark.parametrize("path", GIN_FILES)
def test_layout(path):
  text = (REPO_ROOT / path).read_text()
  header = _header(text)
  assert header, f"{path}: no opening comment header"
  for section in ("Provides", "Required to be set", "Commonly overridden"):
    assert section in header, f"{path}: header lacks {section!r}"
  assert "from __gin__ import dynamic_registration" in text, path
  for line in text.splitlines():
    if line.startswith(("from ", "import ")):
      assert "," not in line, f"{path}: one import per line: {line!r}"
    assert len(line) <= 80, f"{path}: line over 80 columns: {line!r}"


@pytest.mark.parametrize("path", GIN_FILES)
def test_parses(path, clean_gin, search_path):
  del search_path
  gin.parse_config_files_and_bindings(
    [path], [], skip_unknown=True, finalize_config=False
  )


@pytest.mark.parametrize("size", sorted(FLAN_T5))
def test_flan_t5_checkpoint_macros(size, clean_gin, search_path):
  del search_path
  gin.parse_config_files_and_bindings(
    [f"gin/models/flan_t5_{size}.gin"],
    [],
    skip_unknown=True,
    finalize_config=False,
  )
  emb, layers, step = FLAN_T5[size]
  assert gin.query_parameter("%PRETRAINED_STEPS") == step
  assert gin.query_parameter("%INITIAL_CHECKPOINT_PATH") == (
    f"gs://t5-data/pretrained_models/t5x/flan_t5_{size}/checkpoint_{step}"
  )
  assert gin.query_parameter("%EMBED_DIM") == emb
  assert gin.query_parameter("%NUM_ENCODER_LAYERS") == layers
  assert gin.query_parameter("%NUM_DECODER_LAYERS") == layers
  assert gin.query_parameter("%LEARNING_RATE") == 5e-5


@pytest.mark.parametrize("path", MIXTURE_FILES)
def test_mixture_files(path, clean_gin, search_path):
  del search_path
  gin.parse_config_files_and_bindings(
    [path], [], skip_unknown=True, finalize_config=False
  )
  name = gin.query_parameter("%MIXTURE_OR_TASK_NAME")
  assert name == pathlib.Path(path).stem
  lengths = gin.query_parameter("%TASK_FEATURE_LENGTHS")
  assert sorted(lengths) == ["inputs", "targets"]
  seqio = pytest.importorskip("seqio", reason="seqio not installed")
  mixtures = pytest.importorskip("tasks.mixtures", reason="tasks missing")
  assert name in mixtures.NAMES
  assert name in seqio.MixtureRegistry.names()


def test_paper_defaults(clean_gin, search_path):
  del search_path
  gin.parse_config_files_and_bindings(
    ["gin/runs/finetune_supervised.gin", "gin/models/flan_t5_xl.gin"],
    [],
    skip_unknown=True,
    finalize_config=False,
  )
  assert gin.query_parameter("%MIXTURE_OR_TASK_NAME") == (
    "ie_instructions_supervised"
  )
  assert gin.query_parameter("%TASK_FEATURE_LENGTHS") == {
    "inputs": 512,
    "targets": 50,
  }
  assert gin.query_parameter("%USE_CACHED_TASKS") is False
  assert gin.query_parameter("%DROPOUT_RATE") == 0.1
  assert gin.query_parameter("%LEARNING_RATE") == 5e-5
  if _t5x_root() is not None:  # BATCH_SIZE comes with T5X's finetune.gin
    assert gin.query_parameter("%BATCH_SIZE") == 256


# ------------------------------------------- building the objects with T5X

# Experiments as users compose them: run file, model file, extra files.
_MAINS = {"train": "t5x.train", "evaluate": "t5x.eval", "infer": "t5x.infer"}
_EXPERIMENTS = [
  ("train", ["gin/runs/local_tiny.gin"]),
  ("train", ["gin/runs/local_tiny.gin", "gin/partitioning/local_mesh_mp2.gin"]),
  ("train", ["gin/runs/local_tiny.gin", "gin/runs/packed_train.gin"]),
  *[
    ("train", [f"gin/runs/finetune_{s}.gin", "gin/models/flan_t5_small.gin"])
    for s in ("supervised", "zeroshot")
  ],
  *[
    (
      "evaluate",
      [
        "gin/runs/eval.gin",
        f"gin/models/{m}.gin",
        f"gin/mixtures/ie_instructions_zeroshot_{f}_eval.gin",
      ],
    )
    for m, f in (("flan_t5_base", "ner"), ("tiny", "re"))
  ],
  (
    "infer",
    [
      "gin/runs/infer.gin",
      "gin/models/tiny.gin",
      "gin/mixtures/ie_tiny_zeroshot_eval.gin",
    ],
  ),
  *[
    (
      "train",
      [
        "gin/runs/finetune_supervised.gin",
        f"gin/models/flan_t5_{s}.gin",
        f"gin/partitioning/{p}",
      ],
    )
    for s, p in (
      ("large", "data_parallel.gin"),
      ("xl", "model_parallel_4.gin"),
      ("xl", "tpu_v5e_mp4.gin"),
      ("xxl", "tpu_v4_mp8.gin"),
    )
  ],
]
_REQUIRED = [
  "MODEL_DIR='/tmp/unused'",
  "TRAIN_STEPS=1",
  "CHECKPOINT_PATH='/tmp/unused'",
  "EVAL_OUTPUT_DIR='/tmp/unused'",
  "INFER_OUTPUT_DIR='/tmp/unused'",
]


@pytest.mark.parametrize(
  "main,files", _EXPERIMENTS, ids=["+".join(f) for _, f in _EXPERIMENTS]
)
def test_builds_model_and_partitioner(
  main, files, clean_gin, search_path, monkeypatch
):
  """Parses strictly, finalizes, and builds MODEL and the partitioner."""
  del search_path
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  import importlib  # noqa: PLC0415

  function = getattr(importlib.import_module(_MAINS[main]), main)
  # The run files bind `__main__.{train,evaluate,infer}` as T5X's CLIs do.
  monkeypatch.setattr(sys.modules["__main__"], main, function, raising=False)
  monkeypatch.setenv("IE_INSTRUCTIONS_VOCAB", "byte")
  gin.parse_config_files_and_bindings(files, _REQUIRED, finalize_config=True)

  model = gin.query_parameter("%MODEL").scoped_configurable_fn()
  from t5x import models, partitioning  # noqa: PLC0415

  assert isinstance(model, models.EncoderDecoderModel)
  from tasks import vocab  # noqa: PLC0415

  assert model.input_vocabulary == vocab.get_vocabulary()
  assert model.output_vocabulary == vocab.get_vocabulary()
  bindings = gin.get_bindings(function)
  partitioner = bindings["partitioner"]  # get_bindings builds references
  assert isinstance(partitioner, partitioning.PjitPartitioner)
  assert dict(partitioner.logical_axis_rules) == dict(
    partitioning.standard_logical_axis_rules()
  )
  if "gin/runs/packed_train.gin" in files:
    from instructuie_t5x import indexed_mixture  # noqa: PLC0415

    get_dataset_fn = bindings["get_dataset_fn"]
    assert get_dataset_fn.__wrapped__ is indexed_mixture.get_dataset.__wrapped__
    train_cfg = bindings["train_dataset_cfg"]
    assert train_cfg.pack
    assert train_cfg.task_feature_lengths == {"inputs": 3072, "targets": 448}
