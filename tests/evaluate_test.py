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

"""Tests of `tools.evaluate`: the same numbers as t5x.infer + tools.score."""

import glob
import json
import os
import subprocess
import sys

import pytest

from instructuie_jax import instructions, schema
from instructuie_t5x import dataset_eval
from tests import tiny_model_testing

REPO_ROOT = tiny_model_testing.REPO_ROOT
TINY_DATA = REPO_ROOT / "tests" / "testdata" / "ie_tiny"


def _run(*args, env=None):
  env = env or dict(os.environ, PYTHONPATH=str(REPO_ROOT), JAX_PLATFORMS="cpu")
  proc = subprocess.run(
    [sys.executable, "-m", "tools.evaluate", *args],
    cwd=REPO_ROOT,
    env=env,
    capture_output=True,
    text=True,
    timeout=900,
    check=False,
  )
  return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
  "args, code, message",
  [
    (("--data_dir=D", "--dataset=x", "--out_dir=o"), 2, "--checkpoint is"),
    (
      (
        "--checkpoint=c",
        f"--data_dir={TINY_DATA}",
        "--dataset=nope",
        "--out_dir=o",
      ),
      1,
      "no {NER,RE,EE}/nope folder",
    ),
    (
      (
        "--checkpoint=c",
        f"--data_dir={TINY_DATA}",
        "--dataset=tiny_ner",
        "--tasks=RE",
        "--out_dir=o",
      ),
      2,
      "RE reads RE data; the dataset has NER",
    ),
    (
      (
        "--checkpoint=c",
        f"--data_dir={TINY_DATA}",
        "--dataset=tiny_ner",
        "--tasks=ES",
        "--out_dir=o",
      ),
      2,
      "ES is an auxiliary task",
    ),
    (
      (
        "--checkpoint=c",
        f"--data_dir={TINY_DATA}",
        "--dataset=tiny_ner",
        "--split=valid",
        "--out_dir=o",
      ),
      2,
      "--split=valid: one of train, dev, test",
    ),
  ],
)
def test_mistakes_are_one_line(args, code, message):
  got, out, err = _run(*args)
  assert got == code, err
  assert message in err and err.count("\n") == 1 and "Traceback" not in err


class _EchoExtractor:
  """Decodes each prompt to a fixed answer, counting the batches."""

  batch_size = 2

  def __init__(self, answer):
    self.answer = answer
    self.batches = []

  def decode(self, prompts):
    self.batches.append(len(prompts))
    return [(self.answer, 0) for _ in prompts]


@pytest.mark.parametrize("family, task", [("NER", "NER"), ("EE", "EEA")])
def test_lines_carry_the_seqio_prompts_and_grounding(family, task):
  instances, labels, _ = schema.load_dataset_split(
    TINY_DATA, family, f"tiny_{family.lower()}", "test"
  )
  options = instructions.PromptOptions()
  pool = dataset_eval.instructions.default_pool()
  work = dataset_eval.examples_with_queries(
    instances,
    labels,
    family=family,
    task=task,
    dataset="d",
    split="test",
    options=options,
    pool=pool,
  )
  assert work
  for example, _, query in work:
    assert query.prompt == example["inputs"]  # as_given: the full label set
  extractor = _EchoExtractor(" None")
  progress = []
  lines = dataset_eval.predict_split(
    extractor,
    instances,
    labels,
    family=family,
    tasks=(task,),
    dataset="d",
    split="test",
    options=options,
    pool=pool,
    progress=lambda done, total: progress.append((done, total)),
  )
  assert len(lines) == len(work) and progress[-1] == (len(work), len(work))
  assert extractor.batches == [len(b) for b in _chunks(work, 2)]
  assert [line["target"] for line in lines] == [
    e["targets"] for e, _, _ in work
  ]
  assert {"dataset", "task", "target", "prediction", "ungrounded"} <= set(
    lines[0]
  )


def _chunks(items, n):
  return [items[i : i + n] for i in range(0, len(items), n)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tiny_model_testing.TinyModel:
  return tiny_model_testing.tiny_model(tmp_path_factory)


@pytest.mark.slow
def test_same_numbers_as_t5x_infer_and_score(tiny, tmp_path):
  config = (tiny.model_dir / "config.gin").read_text()
  lengths = next(
    line.split("=", 1)[1].strip()
    for line in config.splitlines()
    if line.startswith("TASK_FEATURE_LENGTHS")
  )
  checkpoint = max(
    glob.glob(str(tiny.model_dir / "checkpoint_*")),
    key=lambda p: int(p.rsplit("_", 1)[1]),
  )
  infer_dir = tmp_path / "infer"
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "t5x.infer",
      f"--gin_search_paths={','.join(tiny_model_testing.search_paths())}",
      "--gin_file=gin/runs/infer.gin",
      "--gin_file=gin/models/tiny.gin",
      "--gin_file=gin/mixtures/ie_tiny.gin",
      "--gin.MIXTURE_OR_TASK_NAME='instructuie_ner_synth_heldout'",
      f"--gin.TASK_FEATURE_LENGTHS={lengths}",
      f"--gin.CHECKPOINT_PATH='{checkpoint}'",
      f"--gin.INFER_OUTPUT_DIR='{infer_dir}'",
      "--gin.INFER_PARAM_DTYPE='float32'",
    ],
    cwd=REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=600,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  scored = tmp_path / "scored"
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "tools.score",
      f"--predictions={infer_dir}",
      f"--out_dir={scored}",
      "--mode=both",
    ],
    cwd=REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=300,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  out = tmp_path / "evaluated"
  code, stdout, err = _run(
    f"--checkpoint={tiny.model_dir}",
    f"--data_dir={tiny.data_dir}",
    "--dataset=synth_heldout",
    f"--out_dir={out}",
    "--batch_size=8",
    env=tiny.env,
  )
  assert code == 0, err[-4000:]
  assert "decoded" in err  # progress
  expected = json.loads((scored / "metrics.json").read_text())
  got = json.loads((out / "metrics.json").read_text())
  assert got["num_examples"] == expected["num_examples"] > 0
  assert got["datasets"] == expected["datasets"]
  assert got["averages"] == expected["averages"]
  # Asked whole (no --windows): counted so in metrics.json; T5X's own
  # outputs do not say (its runs cut over-length inputs).
  assert got["windows"] == {
    "windowed_texts": 0,
    "windows": got["num_examples"],
    "window_merges": 0,
  }
  assert "windows" not in expected
  assert (out / "report" / "report.md").is_file()
  infer_file = next(infer_dir.glob("instructuie_ner_synth_heldout-predict*"))
  infer_rows = [json.loads(line) for line in infer_file.open()]
  lines = [json.loads(line) for line in (out / "predictions.jsonl").open()]
  assert sorted(r["prediction"] for r in infer_rows) == sorted(
    line["prediction"] for line in lines
  )
