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

import importlib
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
_MAINS = {"train": "t5x.train", "evaluate": "t5x.eval", "infer": "t5x.infer"}


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


@pytest.fixture
def t5x_mains(monkeypatch):
  """`__main__.{train,evaluate,infer}`, which the run files bind as T5X's
  CLIs define them; None without T5X."""
  if _t5x_root() is None:
    return None
  mains = {}
  for name, module in _MAINS.items():
    mains[name] = getattr(importlib.import_module(module), name)
    monkeypatch.setattr(
      sys.modules["__main__"], name, mains[name], raising=False
    )
  return mains


def parse(files, bindings=(), finalize=False, t5x=True):
  """Parses gin files as T5X's CLIs do: strictly where T5X is installed.

  Without T5X, configurables of unknown modules are skipped (style.md 11);
  a misspelt parameter of one of our configurables still fails.
  """
  gin.parse_config_files_and_bindings(
    list(files),
    list(bindings),
    skip_unknown=not t5x,
    finalize_config=finalize,
  )


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
def test_parses(path, clean_gin, search_path, t5x_mains):
  """Every file parses on its own: strictly (every configurable and every
  parameter known) where T5X is installed."""
  del search_path
  parse([path], t5x=t5x_mains is not None)
  assert gin.config_str() is not None


@pytest.mark.parametrize(
  "misspelt",
  [
    "partitioning.PjitPartitionerr.num_partitions = 2",  # configurable
    "utils.DatasetConfig.splitt = 'test'",  # parameter of T5X's
  ],
)
def test_a_misspelt_binding_fails(
  misspelt, clean_gin, search_path, t5x_mains, tmp_path
):
  del search_path
  if t5x_mains is None:
    pytest.skip("T5X not installed: T5X's configurables are skipped")
  bad = tmp_path / "bad.gin"
  bad.write_text(
    "from __gin__ import dynamic_registration\n"
    "from t5x import partitioning\n"
    "from t5x import utils\n"
    "include 'gin/runs/eval.gin'\n" + misspelt + "\n"
  )
  with pytest.raises((ValueError, AttributeError)):
    parse([str(bad)])
  # The same file spelt right parses: the failure is the misspelling's.
  gin.clear_config(clear_constants=False)
  bad.write_text(
    bad.read_text()
    .replace("PjitPartitionerr", "PjitPartitioner")
    .replace("splitt", "split")
  )
  parse([str(bad)])


def test_a_misspelt_setting_fails_even_without_t5x(clean_gin, search_path):
  del search_path
  with pytest.raises(ValueError, match="vocabb"):
    parse([], ["tasks.settings.data_settings.vocabb = 'byte'"], t5x=False)


@pytest.mark.parametrize("size", sorted(FLAN_T5))
def test_flan_t5_checkpoint_macros(size, clean_gin, search_path, t5x_mains):
  del search_path
  parse([f"gin/models/flan_t5_{size}.gin"], t5x=t5x_mains is not None)
  emb, layers, step = FLAN_T5[size]
  assert gin.query_parameter("%INITIAL_CHECKPOINT_PATH") == (
    f"gs://t5-data/pretrained_models/t5x/flan_t5_{size}/checkpoint_{step}"
  )
  text = (REPO_ROOT / f"gin/models/flan_t5_{size}.gin").read_text()
  assert f"TRAIN_STEPS = {step} + N" in text  # The header's advice.
  assert gin.query_parameter("%EMBED_DIM") == emb
  assert gin.query_parameter("%NUM_ENCODER_LAYERS") == layers
  assert gin.query_parameter("%NUM_DECODER_LAYERS") == layers
  assert gin.query_parameter("%LEARNING_RATE") == 5e-5


@pytest.mark.parametrize("path", MIXTURE_FILES)
def test_mixture_files(path, clean_gin, search_path, t5x_mains):
  del search_path
  parse([path], t5x=t5x_mains is not None)
  lengths = gin.query_parameter("%TASK_FEATURE_LENGTHS")
  assert sorted(lengths) == ["inputs", "targets"]
  seqio = pytest.importorskip("seqio", reason="seqio not installed")
  mixtures = pytest.importorskip("tasks.mixtures", reason="tasks missing")
  registered = set(seqio.MixtureRegistry.names())
  for name in mixtures.NAMES:  # The names to give MIXTURE_OR_TASK_NAME.
    assert {name, name + mixtures.AVAILABLE_SUFFIX} <= registered
  # Every mixture name the gin files and README mention is registered.
  readme = (REPO_ROOT / "README.md").read_text()
  for text in [readme] + [(REPO_ROOT / f).read_text() for f in GIN_FILES]:
    for name in re.findall(r"'((?:ie_instructions|ie_tiny)_[a-z_]+)'", text):
      if "{" not in name:
        assert name in registered, name


def test_paper_defaults(clean_gin, search_path, t5x_mains):
  del search_path
  parse(
    ["gin/runs/finetune_supervised.gin", "gin/models/flan_t5_xl.gin"],
    t5x=t5x_mains is not None,
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
  if t5x_mains is not None:  # These come with T5X's finetune.gin.
    assert gin.query_parameter("%BATCH_SIZE") == 256
    assert "REQUIRED" in repr(gin.query_parameter("%TRAIN_STEPS_RELATIVE"))


def test_unused_macros_are_gone():
  for path in GIN_FILES:
    assert "PRETRAINED_STEPS" not in (REPO_ROOT / path).read_text(), path


# ------------------------------------------- building the objects with T5X

# Experiments as users compose them: run file, model file, extra files, and
# the command line's bindings.
_EXPERIMENTS = [
  ("train", ["gin/runs/local_tiny.gin"], []),
  ("train", ["gin/runs/local_tiny.gin", "gin/partitioning/local_mesh.gin"], []),
  ("train", ["gin/runs/local_tiny.gin", "gin/runs/packed_train.gin"], []),
  *[
    (
      "train",
      [f"gin/runs/finetune_{s}.gin", "gin/models/flan_t5_small.gin"],
      [],
    )
    for s in ("supervised", "zeroshot")
  ],
  (
    "train",
    ["gin/runs/finetune_supervised.gin", "gin/models/flan_t5_base.gin"],
    ["MIXTURE_OR_TASK_NAME = 'ie_instructions_supervised_available'"],
  ),
  *[
    (
      "evaluate",
      [
        "gin/runs/eval.gin",
        f"gin/models/{m}.gin",
        "gin/mixtures/ie_instructions.gin",
      ],
      [f"MIXTURE_OR_TASK_NAME = 'ie_instructions_zeroshot_{f}_eval'"],
    )
    for m, f in (("flan_t5_base", "ner"), ("tiny", "re"))
  ],
  (
    "infer",
    ["gin/runs/infer.gin", "gin/models/tiny.gin", "gin/mixtures/ie_tiny.gin"],
    ["MIXTURE_OR_TASK_NAME = 'ie_tiny_zeroshot_eval'"],
  ),
  # Constrained decoding: one file after the model file.
  (
    "infer",
    [
      "gin/runs/infer.gin",
      "gin/models/tiny.gin",
      "gin/decoding/constrained.gin",
      "gin/mixtures/ie_tiny.gin",
    ],
    ["MIXTURE_OR_TASK_NAME = 'ie_tiny_zeroshot_eval'"],
  ),
  (
    "evaluate",
    [
      "gin/runs/eval.gin",
      "gin/models/flan_t5_base.gin",
      "gin/decoding/constrained.gin",
      "gin/mixtures/ie_instructions.gin",
    ],
    ["MIXTURE_OR_TASK_NAME = 'ie_instructions_zeroshot_ner_eval'"],
  ),
  ("train", ["gin/runs/local_tiny.gin", "gin/decoding/constrained.gin"], []),
  *[
    (
      "train",
      [
        "gin/runs/finetune_supervised.gin",
        f"gin/models/flan_t5_{s}.gin",
        *([f"gin/partitioning/{p}"] if p else []),
      ],
      bindings,
    )
    for s, p, bindings in (
      ("large", None, []),
      ("xl", None, ["partitioning.PjitPartitioner.num_partitions = 4"]),
      ("xl", "tpu_v5e.gin", []),
      (
        "xxl",
        "tpu_v5e.gin",
        ["partitioning.PjitPartitioner.model_parallel_submesh = (2, 4, 1, 1)"],
      ),
    )
  ],
]
_REQUIRED = [
  "MODEL_DIR='/tmp/unused'",
  "TRAIN_STEPS_RELATIVE=1",
  "CHECKPOINT_PATH='/tmp/unused'",
  "EVAL_OUTPUT_DIR='/tmp/unused'",
  "INFER_OUTPUT_DIR='/tmp/unused'",
  "tasks.settings.data_settings.vocab = 'byte'",
]


@pytest.mark.parametrize(
  "main,files,bindings",
  _EXPERIMENTS,
  ids=["+".join(f + b) for _, f, b in _EXPERIMENTS],
)
def test_builds_model_and_partitioner(
  main, files, bindings, clean_gin, search_path, t5x_mains
):
  """Parses strictly, finalizes, and builds MODEL and the partitioner."""
  del search_path
  if t5x_mains is None:
    pytest.skip("T5X not installed (README: Install T5X)")
  function = t5x_mains[main]
  parse(files, [*bindings, *_REQUIRED], finalize=True)
  from t5x import models, partitioning  # noqa: PLC0415

  from tasks import settings, vocab  # noqa: PLC0415

  with settings.scoped():  # Resolved from these gin bindings.
    assert settings.get().run_dir == "/tmp/unused"
    model = gin.query_parameter("%MODEL").scoped_configurable_fn()
    assert isinstance(model, models.EncoderDecoderModel)
    from instructuie_t5x import constrained_runs  # noqa: PLC0415

    constrained = "gin/decoding/constrained.gin" in files
    assert isinstance(model, constrained_runs.ConstrainedModel) == constrained
    if constrained:
      assert model.module is model.base.module
      assert model.FEATURE_CONVERTER_CLS.func is (
        constrained_runs.FeatureConverter
      )
    assert model.input_vocabulary == vocab.get_vocabulary()
    assert model.output_vocabulary == vocab.get_vocabulary()
  fn_bindings = gin.get_bindings(function)
  partitioner = fn_bindings["partitioner"]  # get_bindings builds references
  assert isinstance(partitioner, partitioning.PjitPartitioner)
  assert dict(partitioner.logical_axis_rules) == dict(
    partitioning.standard_logical_axis_rules()
  )
  name = gin.query_parameter("%MIXTURE_OR_TASK_NAME")
  for binding in bindings:
    if binding.startswith("MIXTURE_OR_TASK_NAME"):
      assert binding.endswith(f"'{name}'")
  if main == "train":
    assert fn_bindings["train_dataset_cfg"].mixture_or_task_name == name
  if "gin/runs/packed_train.gin" in files:
    from instructuie_t5x import indexed_mixture  # noqa: PLC0415

    get_dataset_fn = fn_bindings["get_dataset_fn"]
    assert get_dataset_fn.__wrapped__ is indexed_mixture.get_dataset.__wrapped__
    train_cfg = fn_bindings["train_dataset_cfg"]
    assert train_cfg.pack
    assert train_cfg.task_feature_lengths == {"inputs": 3072, "targets": 448}


def test_the_words_bio_format_file(clean_gin, search_path, t5x_mains):
  del search_path
  from tasks import settings

  parse(
    ["gin/mixtures/ie_instructions.gin", "gin/formats/words_bio.gin"],
    t5x=t5x_mains is not None,
  )
  assert settings.resolve().prompt.target_format == "words_bio"
  lengths = gin.query_parameter("%TASK_FEATURE_LENGTHS")
  assert lengths["targets"] == lengths["inputs"]
