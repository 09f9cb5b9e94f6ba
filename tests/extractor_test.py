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

"""The extraction API and `tools.extract` on a tiny trained T5X model.

The CLI's answers are compared with `t5x.infer`'s on the same sentences.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")

from instructuie_jax import formats, task_types  # noqa: E402
from instructuie_t5x import queries  # noqa: E402
from tests import tiny_model_testing  # noqa: E402

REPO_ROOT = tiny_model_testing.REPO_ROOT
LABELS = ["location", "organization", "person"]


@pytest.fixture(scope="module")
def tiny(tiny_model) -> tiny_model_testing.TinyModel:
  return tiny_model  # conftest.py's, shared with the other tests


def _sentences(tiny) -> list[str]:
  path = tiny.data_dir / "NER" / "synth_heldout" / "test.json"
  return [x["sentence"] for x in json.loads(path.read_text())][:16]


def _extract(tiny, tmp_path, items, *flags, vocabulary="") -> list[dict]:
  tmp_path.mkdir(exist_ok=True)
  source = tmp_path / "in.jsonl"
  source.write_text("".join(json.dumps(x) + "\n" for x in items))
  output = tmp_path / "out.jsonl"
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.extract",
      f"--checkpoint={tiny.model_dir}",
      *([] if vocabulary is None else [f"--vocabulary={tiny.vocabulary}"]),
      f"--input={source}",
      f"--output={output}",
      *flags,
    ],
    cwd=REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert "spans not in the text" in proc.stderr
  return [json.loads(line) for line in output.read_text().splitlines()]


@pytest.mark.slow
def test_cli_answers_equal_t5x_infer(tiny, tmp_path, tmp_path_factory):
  infer_file = tiny_model_testing.predictions(tiny, tmp_path_factory)
  infer_rows = [json.loads(line) for line in open(infer_file, encoding="utf-8")]
  by_prompt = {r["inputs"]["inputs_pretokenized"]: r for r in infer_rows}

  sentences = _sentences(tiny)
  items = [{"text": s, "id": i} for i, s in enumerate(sentences)]
  answers = _extract(tiny, tmp_path, items, f"--labels={','.join(LABELS)}")
  assert len(answers) == len(items)
  fmt = formats.get("instructuie")
  for item, answer in zip(items, answers, strict=True):
    assert answer["id"] == item["id"] and answer["text"] == item["text"]
    prompt = queries.make_query("NER", item, LABELS).prompt
    row = by_prompt[prompt]  # the same prompt as the seqio task's
    assert answer["prediction"] == row["prediction"]
    parsed = fmt.parse("NER", row["prediction"])
    if not answer["parse_problems"]:
      assert [(e["type"], e["text"]) for e in answer["entities"]] == [
        (r.type, r.text) for r in parsed.records
      ]
    for entity in answer["entities"]:
      assert set(entity) == {
        "text",
        "type",
        "start",
        "end",
        "grounded",
        "valid_label",
      }
      if entity["grounded"]:
        assert item["text"][entity["start"] : entity["end"]] == entity["text"]
    assert answer["truncated_tokens"] == 0


@pytest.mark.slow
def test_long_texts_report_cut_tokens(tiny, tmp_path):
  short = "Ada went home ."
  long = " ".join(["Ada Lovelace visited Paris ."] * 20)
  items = [{"text": short}, {"text": long, "labels": ["person"]}]
  flags = [
    "--labels=person,location",
    "--input_length=256",
    "--target_length=8",
  ]
  windowed = _extract(tiny, tmp_path / "windows", items, *flags)
  assert windowed[0]["windows"] == 1
  assert windowed[1]["windows"] == len(windowed[1]["window_offsets"]) > 2
  for answer in windowed:
    assert answer["truncated_tokens"] == 0
    for entity in answer["entities"]:
      if entity["grounded"]:
        text = answer["text"]
        assert text[entity["start"] : entity["end"]] == entity["text"]
  answers = _extract(tiny, tmp_path / "cut", items, *flags, "--nowindows")
  for answer, labels in zip(
    answers, [["person", "location"], ["person"]], strict=True
  ):
    prompt = queries.make_query("NER", answer["text"], labels).prompt
    tokens = len(prompt.encode("utf-8")) + 1  # byte vocabulary, EOS
    assert answer["truncated_tokens"] == max(0, tokens - 256)
  assert answers[0]["truncated_tokens"] == 0
  assert answers[1]["truncated_tokens"] > 300


_EVERY_TASK = r"""
import json, sys
from instructuie_t5x import extractor
model = extractor.Extractor.from_checkpoint(
    sys.argv[1], vocabulary=sys.argv[2], batch_size=4, target_length=16)
text = "Ada Lovelace works for Acme in London ."
calls = {
  "NER": ([text, text], ["person", "location"], {}),
  "ES": ([text], ["person"], {}),
  "ET": ([{"text": text, "entities": ["Ada Lovelace"]}], ["person"], {}),
  "RE": ([text], ["work for"], {}),
  "EP": ([text], ["work for"], {}),
  "EPR": ([{"text": text, "pairs": [["Ada Lovelace", "Acme"]]}],
          ["work for"], {}),
  "EE": ([text], {"hire": ["employee", "employer"]}, {}),
  "EET": ([text], ["hire"], {}),
  "EEA": ([{"text": text, "event_type": "hire"}],
          {"hire": ["employee", "employer"]}, {}),
}
out = {}
for task, (texts, labels, kwargs) in calls.items():
  out[task] = model.extract(texts, task=task, labels=labels, **kwargs)
# Six texts in batches of four: each chunk is launched before the one
# before it is read back; the answers come back in order, as alone.
from instructuie_t5x import queries
texts = [f"{name} works for Acme in {city} ." for name, city in
         [("Ada", "London"), ("Bob", "Paris"), ("Cy", "Rome"),
          ("Di", "Oslo"), ("Ed", "Kyiv"), ("Flo", "Lima")]]
asked = [queries.make_query("NER", t, ["person", "location"]) for t in texts]
out["chunked"] = {
  "free": [model.decode([q.prompt for q in asked]),
           [model.decode([q.prompt])[0] for q in asked]],
  "constrained": [model.decode_constrained(asked),
                  [model.decode_constrained([q])[0] for q in asked]],
}
try:
  model.extract([text, {"text": 5}], task="NER", labels=["person"])
except ValueError as e:
  out["error"] = str(e)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_api_runs_every_task(tiny):
  proc = subprocess.run(
    [
      sys.executable,
      "-c",
      _EVERY_TASK,
      str(tiny.model_dir),
      tiny.vocabulary,
    ],
    cwd=REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  out = json.loads(proc.stdout.strip().splitlines()[-1])
  assert out.pop("error").startswith("field '[1].text'")
  for together, alone in out.pop("chunked").values():
    assert together == alone
  for task, answers in out.items():
    key = task_types.get(task).answer_key
    for answer in answers:
      assert answer["task"] == task
      assert isinstance(answer[key], list)
      assert isinstance(answer["prediction"], str)
  assert len(out["NER"]) == 2
  assert out["NER"][0]["prediction"] == out["NER"][1]["prediction"]


@pytest.mark.slow
def test_converted_layout_with_model_gin(tiny, tmp_path):
  """A directory with checkpoint_N and model.gin (no config.gin) serves too.

  `tools.convert_checkpoint --from_hf` writes this layout; the model.gin
  here is the tiny model's, as the converter would write it.
  """
  checkpoint = max(
    glob.glob(str(tiny.model_dir / "checkpoint_*")),
    key=lambda p: int(p.rsplit("_", 1)[1]),
  )
  converted = tmp_path / "converted"
  shutil.copytree(checkpoint, converted / os.path.basename(checkpoint))
  (converted / "model.gin").write_text(
    "from __gin__ import dynamic_registration\n"
    "from tasks import vocab\n"
    "include 'gin/models/tiny.gin'\n"
    f"vocab.get_vocabulary.path = {tiny.vocabulary!r}\n"
  )
  items = [{"text": s} for s in _sentences(tiny)[:3]]
  flags = [
    "--labels=location,organization,person",
    "--input_length=512",
    "--target_length=32",  # model.gin has no TASK_FEATURE_LENGTHS
  ]
  expected = _extract(tiny, tmp_path / "a", items, *flags)
  env_without_vocab = dict(tiny.env, IE_INSTRUCTIONS_VOCAB="")
  got = _extract(
    dataclasses.replace(tiny, model_dir=converted, env=env_without_vocab),
    tmp_path / "b",
    items,
    *flags,
    vocabulary=None,
  )
  assert got == expected


_CONFIG = """\
from __gin__ import dynamic_registration
import __main__ as train_script
from t5x import models
from t5x import utils
from tasks import no_such_module as gone

BATCH_SIZE = 8
CONVERTER = @gone.Converter
TASK_FEATURE_LENGTHS = {'inputs': 96, 'targets': 32}
models.EncoderDecoderModel.feature_converter_cls = %CONVERTER
models.EncoderDecoderModel.z_loss = 0.0001
train_script.train.model = %MODEL
utils.SaveCheckpointConfig.keep = 2
train/utils.DatasetConfig.batch_size = %BATCH_SIZE
"""


def test_config_gin_keeps_what_builds_here():
  """__main__ bindings and vanished modules are left out, with dependents."""
  from instructuie_t5x import extractor  # noqa: PLC0415

  text, dropped = extractor.model_config_text(_CONFIG)
  assert sorted(dropped) == sorted(
    [
      "import __main__ as train_script",
      "from tasks import no_such_module as gone",
      "CONVERTER = @gone.Converter",
      "train_script.train.model = %MODEL",
      "models.EncoderDecoderModel.feature_converter_cls = %CONVERTER",
    ]
  )
  assert "models.EncoderDecoderModel.z_loss = 0.0001" in text
  assert "train/utils.DatasetConfig.batch_size = %BATCH_SIZE" in text
  assert "TASK_FEATURE_LENGTHS = {'inputs': 96, 'targets': 32}" in text
  import gin  # noqa: PLC0415

  gin.clear_config()
  try:
    gin.parse_config(text)  # strict: every kept name resolves
  finally:
    gin.clear_config()


def test_resolve_checkpoint(tmp_path):
  from instructuie_t5x import extractor  # noqa: PLC0415

  for step in (2, 10, 4):
    (tmp_path / f"checkpoint_{step}").mkdir()
  (tmp_path / "checkpoint_12.orbax-checkpoint-tmp").mkdir()  # unfinished
  assert extractor.resolve_checkpoint(str(tmp_path)) == (
    str(tmp_path / "checkpoint_10"),
    None,
    None,
  )
  (tmp_path / "model.gin").write_text("")
  assert extractor.resolve_checkpoint(str(tmp_path / "checkpoint_2"))[2] == str(
    tmp_path / "model.gin"
  )
  (tmp_path / "config.gin").write_text("")
  assert extractor.resolve_checkpoint(str(tmp_path))[1:] == (
    str(tmp_path / "config.gin"),
    None,
  )
  empty = tmp_path / "empty"
  empty.mkdir()
  with pytest.raises(extractor.CheckpointError, match="neither"):
    extractor.resolve_checkpoint(str(empty))
  with pytest.raises(extractor.CheckpointError, match="no such directory"):
    extractor.resolve_checkpoint(str(tmp_path / "missing"))
