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

"""Tests of vocabulary training (`vocab_training`, `tools.train_vocab`).

Which text the vocabulary is trained on.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from instructuie_jax import vocab_training
from tests.conftest import REPO_ROOT

_FAMILIES = {"tiny_ner": "NER", "tiny_re": "RE", "tiny_ee": "EE"}


def _sentences(data_dir, dataset, split):
  path = data_dir / _FAMILIES[dataset] / dataset / f"{split}.json"
  return [row["sentence"] for row in json.loads(path.read_text())]


def _read(texts, data_dir, dataset, split):
  """True when every sentence of the split is in some prompt of `texts`."""
  return all(
    any(sentence in t for t in texts)
    for sentence in _sentences(data_dir, dataset, split)
  )


def _none_read(texts, data_dir, dataset, split):
  return not any(
    sentence in t
    for sentence in _sentences(data_dir, dataset, split)
    for t in texts
  )


def test_default_reads_train_splits_of_every_dataset(tiny_data_dir):
  texts = vocab_training.read_prompts(str(tiny_data_dir))[0]
  for dataset in _FAMILIES:
    assert _read(texts, tiny_data_dir, dataset, "train"), dataset
    for split in ("dev", "test"):
      assert _none_read(texts, tiny_data_dir, dataset, split), (dataset, split)
  # Inputs and targets alternate: an even count, targets start with a space.
  assert len(texts) % 2 == 0
  assert all(t.startswith(" ") for t in texts[1::2])


def test_datasets_and_splits_select(tiny_data_dir):
  texts, problems = vocab_training.read_prompts(
    str(tiny_data_dir), splits=["dev", "test"], datasets=["tiny_ner"]
  )
  assert not problems
  assert _read(texts, tiny_data_dir, "tiny_ner", "dev")
  assert _read(texts, tiny_data_dir, "tiny_ner", "test")
  assert _none_read(texts, tiny_data_dir, "tiny_ner", "train")
  for dataset in ("tiny_re", "tiny_ee"):
    for split in ("train", "dev", "test"):
      assert _none_read(texts, tiny_data_dir, dataset, split), (dataset, split)


def test_unknown_split_and_missing_dataset_raise(tiny_data_dir):
  with pytest.raises(ValueError, match="Unknown splits"):
    vocab_training.read_prompts(str(tiny_data_dir), splits=["valid"])
  with pytest.raises(ValueError, match="not found"):
    vocab_training.read_prompts(str(tiny_data_dir), datasets=["nope"])


@pytest.fixture
def data_copy(tmp_path, tiny_data_dir):
  root = tmp_path / "data"
  shutil.copytree(tiny_data_dir, root)
  return root


def _cli(*args):
  """Runs `python -m tools.train_vocab`; returns (status, stdout, stderr)."""
  result = subprocess.run(
    [sys.executable, "-m", "tools.train_vocab", *args],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    check=False,
  )
  assert "Traceback" not in result.stderr, result.stderr
  return result.returncode, result.stdout, result.stderr


def _last_line(err):
  lines = err.strip().splitlines()
  assert lines and lines[-1].startswith("error: "), err
  return lines[-1]


def test_truncated_split_fails_unless_skipping_is_allowed(data_copy, tmp_path):
  test = data_copy / "NER" / "tiny_ner" / "test.json"
  test.write_text(test.read_text()[:50])
  out = tmp_path / "v.model"
  args = (f"--data_dir={data_copy}", f"--output={out}", "--splits=train,test")
  code, _, err = _cli(*args, "--vocab_size=200")
  assert code == 1, err
  assert f"{test}: json: line " in err
  assert "1 problem" in _last_line(err) and "--skip_invalid" in _last_line(err)
  assert not out.exists()
  code, stdout, err = _cli(*args, "--vocab_size=200", "--skip_invalid")
  assert code == 0, err
  assert f"{test}: json: line " in stdout
  assert "skipped 1 file and 0 instances" in stdout
  assert out.exists()


def test_invalid_instances_are_listed_and_counted(data_copy):
  train = data_copy / "RE" / "tiny_re" / "train.json"
  data = json.loads(train.read_text())
  data[1]["relations"][0]["head"]["pos"] = [0, 999]
  train.write_text(json.dumps(data))
  texts, problems = vocab_training.read_prompts(str(data_copy))
  assert [str(p).split(": ")[0] for p in problems] == [f"{train}:1"]
  assert not any(data[1]["sentence"] in t for t in texts)
  assert any(data[0]["sentence"] in t for t in texts)
  with pytest.raises(ValueError, match="1 problem"):
    vocab_training.train_vocab(str(data_copy), str(data_copy / "v.model"))


def test_empty_split_is_a_problem(data_copy, tmp_path):
  train = data_copy / "NER" / "tiny_ner" / "train.json"
  train.write_text("[]")
  code, _, err = _cli(f"--data_dir={data_copy}", f"--output={tmp_path}/v.model")
  assert code == 1, err
  assert f"{train}: file: empty list, no instances" in err


def test_no_prompts_at_all(tmp_path):
  folder = tmp_path / "data" / "NER" / "x"
  folder.mkdir(parents=True)
  (folder / "labels.json").write_text('["a"]')
  (folder / "train.json").write_text("[]")
  code, _, err = _cli(
    f"--data_dir={tmp_path / 'data'}",
    f"--output={tmp_path}/v.model",
    "--skip_invalid",
  )
  assert code == 1, err
  assert "no prompts" in _last_line(err)


@pytest.mark.parametrize(
  "args, code, needle",
  [
    (["--data_dir={missing}"], 1, "No IE INSTRUCTIONS data folder at"),
    (["--data_dir={empty}"], 1, "no {NER,RE,EE}/<dataset> folders under"),
    (["--datasets=nope"], 2, "Datasets ['nope'] not found under"),
    (["--splits=valid"], 2, "Unknown splits ['valid']"),
    (["--output={data}/v.txt"], 2, "--output must end in .model"),
    (["--output={data}/NER/tiny_ner/train.json/v.model"], 1, "not a directory"),
    (["--vocab_size=0"], 2, "flag --vocab_size=0"),
    (["--max_lines=0"], 2, "flag --max_lines=0"),
    (["--vocab_size=100000"], 1, "Vocabulary size too high (100000)"),
    (["extra"], 2, "Unexpected arguments"),
  ],
)
def test_user_mistakes_are_one_line(data_copy, tmp_path, args, code, needle):
  (tmp_path / "empty").mkdir()
  fill = {"data": data_copy, "missing": tmp_path / "missing"}
  fill["empty"] = tmp_path / "empty"
  args = [a.format(**fill) for a in args]
  defaults = [f"--data_dir={data_copy}", f"--output={tmp_path}/o/v.model"]
  status, _, err = _cli(*defaults, *args)
  assert status == code, err
  assert err.count("\n") == 1 and needle in _last_line(err), err
  assert not (tmp_path / "o").exists()


def test_existing_output_needs_overwrite(data_copy, tmp_path):
  out = tmp_path / "v.model"
  out.write_text("mine")
  args = (f"--data_dir={data_copy}", f"--output={out}", "--vocab_size=200")
  code, _, err = _cli(*args)
  assert code == 1, err
  assert f"{out}: exists; pass --overwrite to replace it" in _last_line(err)
  assert out.read_text() == "mine"
  code, _, err = _cli(*args, "--overwrite")
  assert code == 0, err
  assert out.read_bytes() != b"mine"
  assert (tmp_path / "v.vocab").exists()
  assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_every_target_format_encodes_without_unknown_pieces(
  tiny_data_dir, tmp_path
):
  # The vocabulary was trained on instructuie prompts only, so words_bio's
  # "(" and ")" were unknown pieces: every tag decoded as " ⁇ ", and a
  # words_bio model could never write a parsable answer.
  import sentencepiece as spm  # noqa: PLC0415

  from instructuie_jax import formats, instructions, schema  # noqa: PLC0415

  model = vocab_training.train_vocab(
    str(tiny_data_dir), str(tmp_path / "v.model"), vocab_size=400
  )
  sp = spm.SentencePieceProcessor(model_file=model)
  instances, labels, _ = schema.load_dataset_split(
    tiny_data_dir, "NER", "tiny_ner", "train", strict=False
  )
  for name in formats.names():
    options = instructions.PromptOptions(target_format=name)
    try:
      pool = instructions.default_pool(name)
    except ValueError:  # a format registered without instructions
      pool = instructions.default_pool()
    for example in instructions.examples_for_split(
      instances,
      "NER",
      labels,
      dataset="tiny_ner",
      split="train",
      train=True,
      options=options,
      tasks=["NER"],
      pool=pool,
    ):
      pieces = sp.encode(example["targets"])
      assert sp.unk_id() not in pieces, (name, example["targets"])


def test_a_format_without_a_shipped_pool_is_read_too(
  tiny_data_dir, monkeypatch
):
  # A format registered by a user (or a benchmark) has no instruction pool
  # of its own: reading prompts used to fail for every dataset.
  from instructuie_jax import formats  # noqa: PLC0415

  instructuie = formats.get("instructuie")

  class Shouting:
    name = "shouting"
    parse = staticmethod(instructuie.parse)
    tasks = staticmethod(instructuie.tasks)
    grammar = staticmethod(instructuie.grammar)

    @staticmethod
    def linearize(task, records, sentence=None):
      return instructuie.linearize(task, records, sentence).upper()

  monkeypatch.setitem(formats._REGISTRY, "shouting", Shouting)
  texts, problems = vocab_training.read_prompts(
    str(tiny_data_dir), datasets=["tiny_ner"]
  )
  assert not problems
  assert any(t.isupper() and t.strip() != "NONE" for t in texts[1::2])
