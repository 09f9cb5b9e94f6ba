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


"""Tests for `tasks.settings`: one place, one time, CLI flags through one API."""

import pathlib
import re
import subprocess
import sys

import gin
import pytest

from tasks import settings
from tests import ie_seqio_testing as testing

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_resolution_order():
  with testing.env(**{k: None for k in testing.ENV_VARS}):
    assert settings.resolve() == settings.Settings()
    with testing.env(IE_INSTRUCTIONS_VOCAB="/env/v.model"):
      assert settings.resolve().vocabulary_spec == ("/env/v.model", 0)
      gin.parse_config("tasks.settings.data_settings.vocab = '/gin/v.model'")
      try:
        assert settings.resolve().vocab == "/gin/v.model"
        assert settings.resolve(vocab="/flag/v.model").vocab == "/flag/v.model"
        assert settings.resolve(vocab=None).vocab == "/gin/v.model"
      finally:
        gin.clear_config()


def test_resolved_once_then_fixed():
  with settings.scoped(vocab="byte", seed=3) as first:
    assert settings.get() == first
    with testing.env(IE_INSTRUCTIONS_VOCAB="/later/v.model"):
      assert settings.get() is settings.get()
      assert settings.get().vocab == "byte"
    # A CLI configuring after data were read with other settings is a bug.
    with pytest.raises(RuntimeError, match="already in use"):
      settings.configure(seed=4)
    assert settings.configure(seed=3) == first  # The same: fine.


def test_configure_before_use():
  with settings.scoped():
    current = settings.configure(vocab="byte", tiny_dir="/t")
    assert settings.get() is current
    assert current.data_dir("tiny") == "/t"
    with pytest.raises(ValueError, match="IE_INSTRUCTIONS_DIR"):
      current.data_dir("ie_instructions")


def test_invalid_settings():
  with pytest.raises(ValueError, match="Unknown settings"):
    settings.resolve(vocabulary="byte")
  with pytest.raises(ValueError, match="Unknown source"):
    settings.resolve(source="csv")
  with pytest.raises(ValueError, match="temperature"):
    settings.resolve(temperature=0)
  with pytest.raises(ValueError, match="Unknown target format 'bio'"):
    settings.resolve(target_format="bio")


def test_the_target_format_is_in_the_fingerprint():
  words = settings.resolve(vocab="byte", target_format="words_bio")
  assert words.fingerprint()["prompt"]["target_format"] == "words_bio"
  assert words.fingerprint() != settings.resolve(vocab="byte").fingerprint()


def test_a_vocabulary_must_be_a_sentencepiece_model(tmp_path):
  import sentencepiece as spm

  (tmp_path / "text.txt").write_text(
    "\n".join(f"the quick brown fox {i}" for i in range(50))
  )
  spm.SentencePieceTrainer.train(
    input=str(tmp_path / "text.txt"),
    model_prefix=str(tmp_path / "sp"),
    vocab_size=30,
    minloglevel=2,
  )
  assert settings.sentencepiece_pieces(str(tmp_path / "sp.model")) == 30
  (tmp_path / "hostname").write_text("my-hostname\n")
  (tmp_path / "empty.model").write_bytes(b"")
  for name, reason in [
    ("hostname", "not a SentencePiece model"),
    ("empty.model", "not a SentencePiece model"),
    ("missing.model", "No such file or directory"),
  ]:
    path = str(tmp_path / name)
    with pytest.raises(settings.VocabularyError, match=reason):
      settings.sentencepiece_pieces(path)
    problem = settings.vocabulary_problem(settings.resolve(vocab=path))
    assert problem.startswith(f"cannot use the vocabulary {path}: {reason}")
  good = settings.resolve(vocab=str(tmp_path / "sp.model"))
  assert settings.vocabulary_problem(good) is None


def test_fingerprint_holds_what_changes_examples(tmp_path):
  model = tmp_path / "v.model"
  model.write_bytes(b"one")
  a = settings.resolve(vocab=str(model)).fingerprint()
  assert a["vocab_extra_ids"] == 0 and a["prompt"]["seed"] == 0
  model.write_bytes(b"two")  # Rewritten in place.
  b = settings.resolve(vocab=str(model)).fingerprint()
  assert a["vocab_sha256"] != b["vocab_sha256"]
  # Data roots and mixing do not change a task's examples.
  assert (
    settings.resolve(
      vocab="byte", ie_instructions_dir="/a", cap=5
    ).fingerprint()
    == settings.resolve(vocab="byte").fingerprint()
  )


@pytest.mark.slow
def test_import_resolves_nothing_and_gin_after_import_counts():
  code = (
    "import gin, tasks.mixtures\n"
    "from tasks import settings, vocab\n"
    "assert settings._current is None\n"
    "gin.parse_config('tasks.settings.data_settings.vocab = \"byte\"')\n"
    "print(vocab.vocabulary_spec())\n"
  )
  out = subprocess.run(
    [sys.executable, "-c", code],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    check=True,
  )
  assert out.stdout.strip().splitlines()[-1] == "('byte', 0)"


def test_no_tool_writes_a_setting_into_the_environment():
  pattern = re.compile(r"os\.environ\[[^\]]+\]\s*=|os\.environ\.update|putenv")
  for folder in ("tasks", "tools", "instructuie_t5x"):
    for path in (REPO_ROOT / folder).glob("*.py"):
      for i, line in enumerate(path.read_text().splitlines(), 1):
        assert not pattern.search(line), f"{path}:{i}: {line.strip()}"


def test_original_git_dir_and_extra_ids_defaults():
  with testing.env(INSTRUCTUIE_ORIGINAL_GIT_DIR=None):
    assert settings.original_git_dir() is None
  with testing.env(INSTRUCTUIE_ORIGINAL_GIT_DIR="/src/InstructUIE.git"):
    assert settings.original_git_dir() == "/src/InstructUIE.git"
  assert settings.default_extra_ids(settings.FLAN_T5_VOCAB) == 100
  assert settings.default_extra_ids("/x/spm.model") == 0
  assert settings.resolve(vocab="/x/spm.model").vocab_extra_ids == 0
