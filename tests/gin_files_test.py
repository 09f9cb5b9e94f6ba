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

"""The gin-file reader (instructuie_jax.gin_files)."""

from __future__ import annotations

import pytest

from instructuie_jax import gin_files
from tests.conftest import REPO_ROOT

_BASE = """\
from __gin__ import dynamic_registration
from t5x.examples.t5 import network
import __main__ as train_script

EMBED_DIM = %gin.REQUIRED
VOCAB_SIZE = 32128  # a comment
NAME = 'base'
RATE = 1e-3
NEGATIVE = -2
MODEL = @models.EncoderDecoderModel()
FACTORY = @vocab.get_vocabulary
network.T5Config:
  emb_dim = %EMBED_DIM
  mlp_activations = ('gelu', 'linear')
  logits_via_embedding = False
train_script.train.stats = {'a': [1, 2], 'b': None}
"""


def _files(tmp_path):
  (tmp_path / "models").mkdir()
  (tmp_path / "models" / "base.gin").write_text(_BASE)
  (tmp_path / "size.gin").write_text(
    "include 'models/base.gin'\n"
    "include 't5x/configs/runs/finetune.gin'\n"
    "EMBED_DIM = 64\n"
    "NAME = 'size'\n"
    "ALIAS = %EMBED_DIM\n"
    "train/utils.SaveCheckpointConfig.period = \\\n"
    "  1000\n"
    "LENGTHS = {\n"
    "  'inputs': 512,\n"
    "  'targets': 64,\n"
    "}\n"
  )
  return tmp_path / "size.gin"


def test_values_macros_and_bindings(tmp_path):
  b = gin_files.read_bindings(str(_files(tmp_path)), [str(tmp_path)])
  assert b.get("VOCAB_SIZE") == 32128
  assert b.get("RATE") == 1e-3 and b.get("NEGATIVE") == -2
  assert b.get("NAME") == "size"  # the later binding wins
  assert b.get("network.T5Config.mlp_activations") == ("gelu", "linear")
  assert b.get("network.T5Config.logits_via_embedding") is False
  assert b.get("train_script.train.stats") == {"a": [1, 2], "b": None}
  assert b.get("LENGTHS") == {"inputs": 512, "targets": 64}
  assert b.get("train/utils.SaveCheckpointConfig.period") == 1000
  assert b.get("missing", "default") == "default"


def test_macros_are_followed_to_their_last_binding(tmp_path):
  b = gin_files.read_bindings(str(_files(tmp_path)), [str(tmp_path)])
  # Bound to %EMBED_DIM in the base file, before EMBED_DIM = 64: as in gin,
  # the macro's last value counts.
  assert b.get("network.T5Config.emb_dim") == 64
  assert b.get("ALIAS") == 64
  assert b.values["ALIAS"] == gin_files.Macro("EMBED_DIM")
  assert b.find("T5Config.emb_dim") == 64
  assert b.find("SaveCheckpointConfig.period") == 1000
  assert b.find("T5Config.dropout_rate") is None


def test_references_print_back_as_gin(tmp_path):
  b = gin_files.read_bindings(str(_files(tmp_path)), [str(tmp_path)])
  assert b.get("MODEL") == gin_files.Reference(
    "models.EncoderDecoderModel", evaluate=True
  )
  assert repr(b.get("MODEL")) == "@models.EncoderDecoderModel()"
  assert repr(b.get("FACTORY")) == "@vocab.get_vocabulary"
  assert repr(b.values["ALIAS"]) == "%EMBED_DIM"
  (st,) = gin_files.parse("x.y = (@a.b(), %C, 'd')\n")
  assert gin_files.binding_text(st) == "x.y = (@a.b(), %C, 'd')"


def test_unbound_and_required_macros_stay_macros(tmp_path):
  (tmp_path / "m.gin").write_text("A = %gin.REQUIRED\nB = %NOWHERE\n")
  b = gin_files.read_bindings(str(tmp_path / "m.gin"))
  assert b.get("A") == gin_files.REQUIRED
  assert b.get("B") == gin_files.Macro("NOWHERE")
  (tmp_path / "loop.gin").write_text("A = %B\nB = %A\n")
  loop = gin_files.read_bindings(str(tmp_path / "loop.gin"))
  with pytest.raises(gin_files.GinFileError, match="refers to itself"):
    loop.get("A")


def test_includes_found_under_search_paths_others_listed(tmp_path):
  path = _files(tmp_path)
  b = gin_files.read_bindings(
    str(path), [str(tmp_path / "nowhere"), str(tmp_path)]
  )
  assert b.files == [str(path), str(tmp_path / "models" / "base.gin")]
  assert b.unresolved_includes == [
    f"{path}: include 't5x/configs/runs/finetune.gin'"
  ]
  alone = gin_files.read_bindings(str(path))  # no search paths
  assert alone.get("VOCAB_SIZE") is None
  assert len(alone.unresolved_includes) == 2


def test_errors_name_the_file_and_line(tmp_path):
  with pytest.raises(gin_files.GinFileError, match="no such gin file"):
    gin_files.read_bindings(str(tmp_path / "absent.gin"))
  (tmp_path / "bad.gin").write_text("A = 1\nB = = 2\n")
  with pytest.raises(gin_files.GinFileError, match=r"bad\.gin:2: "):
    gin_files.read_bindings(str(tmp_path / "bad.gin"))
  (tmp_path / "self.gin").write_text("include 'self.gin'\n")
  with pytest.raises(gin_files.GinFileError, match="nest too deep"):
    gin_files.read_bindings(str(tmp_path / "self.gin"), [str(tmp_path)])


def test_statements_keep_imports_and_includes():
  statements = gin_files.parse(_BASE + "include 'x.gin'\n")
  imports = [s.format() for s in statements if hasattr(s, "is_from")]
  assert imports == [
    "from __gin__ import dynamic_registration",
    "from t5x.examples.t5 import network",
    "import __main__ as train_script",
  ]
  assert statements[-1].filename == "x.gin"


def test_reads_the_repository_model_files():
  roots = [str(REPO_ROOT)]
  tiny = gin_files.read_bindings(
    str(REPO_ROOT / "gin" / "models" / "tiny.gin"), roots
  )
  assert tiny.get("EMBED_DIM") == 64
  assert tiny.get("network.T5Config.emb_dim") == 64
  assert tiny.find("T5Config.mlp_activations") == ("gelu", "linear")
  assert tiny.get("OPTIMIZER") == gin_files.Reference(
    "adafactor.Adafactor", evaluate=True
  )
