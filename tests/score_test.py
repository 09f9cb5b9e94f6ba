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

"""Tests for tools/score.py: input readers, report and the CLI end to end."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from tools import score

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent

ROWS = [
  # conll04 RE: tp=1, fp=1, fn=1 -> P=R=F1=0.5 (re_strict).
  {
    "dataset": "conll04",
    "task": "RE",
    "target": " work for: Ada, IBM; live in: Bob, Rome",
    "prediction": " work for: Ada, IBM; live in: Bob, Paris",
  },
  # ade RE: everything right.
  {
    "dataset": "ade",
    "task": "RE",
    "target": " adverse effect: rash, aspirin",
    "prediction": " adverse effect: rash, aspirin",
  },
  # NER: the " None" pair contributes nothing in strict mode, but is a TP in
  # the original mode; the second example has one TP and one FP.
  {"dataset": "mit", "task": "NER", "target": " None", "prediction": "None"},
  {
    "dataset": "mit",
    "task": "NER",
    "target": " actor: Tom Hanks",
    "prediction": " actor: Tom Hanks; actor: Tom Hanks; genre: drama",
  },
  # The same dataset scored as ES too.
  {"dataset": "mit", "task": "ES", "target": " Tom Hanks", "prediction": ""},
]


def _write_jsonl(path, rows):
  with open(path, "w", encoding="utf-8") as f:
    for row in rows:
      f.write(json.dumps(row) + "\n")


def _run_cli(*args):
  env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
  return subprocess.run(
    [sys.executable, str(REPO_ROOT / "tools" / "score.py"), *args],
    capture_output=True,
    text=True,
    env=env,
    cwd=REPO_ROOT,
    check=False,
  )


def test_cli_end_to_end_jsonl(tmp_path):
  predictions = tmp_path / "predictions.jsonl"
  _write_jsonl(predictions, ROWS)
  out_dir = tmp_path / "out"
  proc = _run_cli(
    f"--predictions={predictions}", f"--out_dir={out_dir}", "--mode=both"
  )
  assert proc.returncode == 0, proc.stderr
  report = json.loads((out_dir / "metrics.json").read_text())
  assert report["mode"] == "both"
  assert report["num_examples"] == 5
  conll = report["datasets"]["conll04"]["RE"]
  assert conll["re_strict"] == {
    "precision": 0.5,
    "recall": 0.5,
    "f1": 0.5,
    "tp": 1,
    "fp": 1,
    "fn": 1,
  }
  assert conll["original_re"]["f1"] == 0.5
  mit = report["datasets"]["mit"]
  assert mit["NER"]["ner"]["tp"] == 1
  assert mit["NER"]["ner"]["fp"] == 1
  assert mit["NER"]["ner"]["fn"] == 0
  # Original: {none} vs {none} is a TP: tp=2, fp=1 -> P=2/3, R=1, F1=0.8.
  assert mit["NER"]["original_ner"]["f1"] == pytest.approx(0.8)
  assert mit["ES"]["es"]["fn"] == 1
  # RE averages: macro of (0.5, 1.0); micro of tp=2, fp=1, fn=1.
  re_avg = report["averages"]["RE"]["re_strict"]
  assert re_avg["macro_f1"] == pytest.approx(0.75)
  assert re_avg["micro_f1"] == pytest.approx(2 / 3)
  assert re_avg["datasets"] == 2
  assert report["parse_problems"]["mit"]["ES"]["unparseable_predictions"] == 1
  assert report["parse_problems"]["mit"]["ES"]["samples"][0].startswith(
    f"{predictions}:5: prediction:"
  )
  assert report["not_scored"] == {"ES": ["mit"]}
  table = (out_dir / "metrics.md").read_text()
  assert "| conll04 | 50.00 | 50.00 | 50.00 |" in table
  assert "| *average (macro)* | 75.00 |" in table
  assert "## Parse problems" in table
  assert table in proc.stdout


def test_strict_mode_only_has_strict_metrics(tmp_path):
  predictions = tmp_path / "p.jsonl"
  _write_jsonl(predictions, ROWS[:2])
  examples = score.read_predictions(str(predictions))
  report = score.score(examples, "strict")
  assert set(report["datasets"]["conll04"]["RE"]) == {
    "re_strict",
    "re_boundary",
  }
  assert "not_scored" not in report


def test_original_mode_uses_ground_truth(tmp_path):
  rows = [
    dict(
      ROWS[1],
      ground_truth=" adverse effect: rash, aspirin; NA: rash, x",
    )
  ]
  predictions = tmp_path / "p.jsonl"
  _write_jsonl(predictions, rows)
  report = score.score(score.read_predictions(str(predictions)), "original")
  # The NA pair of the original ground truth is a miss: tp=1, fn=1.
  assert report["datasets"]["ade"]["RE"] == {
    "original_re": {
      "precision": 1.0,
      "recall": 0.5,
      "f1": pytest.approx(2 / 3),
      "tp": 1,
      "fp": 0,
      "fn": 1,
    }
  }


@pytest.mark.parametrize(
  "line,message",
  [
    ("{not json", ":2: not valid JSON"),
    ("[1, 2]", ":2: expected a JSON object, got list"),
    (
      '{"dataset": "d", "task": "NER", "target": " None"}',
      ":2: field 'prediction': missing",
    ),
    (
      '{"dataset": "d", "task": "NER", "target": 3, "prediction": ""}',
      ":2: field 'target': expected a string, got int",
    ),
    (
      '{"dataset": "d", "task": "XX", "target": "", "prediction": ""}',
      ":2: field 'task': unknown task type 'XX'",
    ),
  ],
)
def test_bad_lines_name_file_line_and_field(tmp_path, line, message):
  path = tmp_path / "bad.jsonl"
  path.write_text(json.dumps(ROWS[0]) + "\n" + line + "\n")
  with pytest.raises(score.InputError) as e:
    score.read_predictions(str(path))
  assert str(e.value).startswith(f"{path}{message}")


def test_cli_reports_bad_input(tmp_path):
  path = tmp_path / "bad.jsonl"
  path.write_text('{"dataset": "d"}\n')
  proc = _run_cli(f"--predictions={path}", f"--out_dir={tmp_path / 'o'}")
  assert proc.returncode == 1
  assert f"{path}:1: field 'task': missing" in proc.stderr


def test_cli_rejects_extra_arguments(tmp_path):
  proc = _run_cli("--predictions=x", f"--out_dir={tmp_path}", "extra")
  assert proc.returncode != 0
  assert "Unexpected arguments: extra" in proc.stderr


def test_task_from_name():
  assert score.task_from_name("instructuie_ner_some_slug") == (
    "NER",
    "some_slug",
  )
  assert score.task_from_name("instructuie_eea_x") == ("EEA", "x")
  assert score.task_from_name("instructuie_xx_y") is None
  assert score.task_from_name("other_task") is None


def _fake_inference_dir(root):
  """t5x.infer output for one task and seqio JSON-logger output for another."""
  root.mkdir()
  # t5x.infer: only *_pretokenized inputs; task and dataset from the name.
  infer = root / "instructuie_ner_tiny_set-predict.jsonl-00000-of-00001"
  _write_jsonl(
    infer,
    [
      {
        "inputs": {
          "inputs_pretokenized": "Text: Ada ...",
          "targets_pretokenized": " person: Ada",
        },
        "prediction": "person: Ada",
      },
      {
        "inputs": {
          "inputs_pretokenized": "Text: Bob ...",
          "targets_pretokenized": " person: Bob",
        },
        "prediction": "location: Bob",
      },
    ],
  )
  (root / (infer.name + ".COMPLETED")).write_text("")
  # seqio JSON logger, two steps; features name the dataset; the target and
  # prediction are postprocessed dicts.
  for step, prediction in ((100, " None"), (200, " work for: Ada, IBM")):
    _write_jsonl(
      root / f"instructuie_re_conll04-{step:06d}.jsonl",
      [
        {
          "input": {
            "targets_pretokenized": " work for: Ada, IBM",
            "task": "RE",
            "dataset": "CoNLL 2004",
          },
          "target": {"text": " work for: Ada, IBM", "records": []},
          "prediction": {"text": prediction, "records": []},
        }
      ],
    )
  (root / "instructuie_re_conll04-metrics.jsonl").write_text("{}\n")


def test_inference_directory(tmp_path):
  root = tmp_path / "infer"
  _fake_inference_dir(root)
  assert [os.path.basename(f) for f in score.inference_files(str(root))] == [
    "instructuie_ner_tiny_set-predict.jsonl-00000-of-00001",
    "instructuie_re_conll04-000200.jsonl",
  ]
  report = score.score(score.read_predictions(str(root)), "strict")
  assert report["datasets"]["tiny_set"]["NER"]["ner"] == {
    "precision": 0.5,
    "recall": 0.5,
    "f1": 0.5,
    "tp": 1,
    "fp": 1,
    "fn": 1,
  }
  assert report["datasets"]["CoNLL 2004"]["RE"]["re_strict"]["f1"] == 1.0
  early = score.score(score.read_predictions(str(root), step=100), "strict")
  assert early["datasets"]["CoNLL 2004"]["RE"]["re_strict"]["fn"] == 1
  with pytest.raises(score.InputError, match="no step 300 for task"):
    score.read_predictions(str(root), step=300)


def test_inference_directory_cli(tmp_path):
  root = tmp_path / "infer"
  _fake_inference_dir(root)
  out_dir = tmp_path / "out"
  proc = _run_cli(f"--predictions={root}", f"--out_dir={out_dir}")
  assert proc.returncode == 0, proc.stderr
  report = json.loads((out_dir / "metrics.json").read_text())
  assert sorted(report["datasets"]) == ["CoNLL 2004", "tiny_set"]


def test_inference_directory_errors(tmp_path):
  with pytest.raises(score.InputError, match="no inference outputs"):
    score.read_predictions(str(tmp_path))
  path = tmp_path / "my_task-predict.jsonl"
  _write_jsonl(
    path, [{"inputs": {"targets_pretokenized": " None"}, "prediction": ""}]
  )
  with pytest.raises(
    score.InputError, match=r"my_task-predict.jsonl:1: field 'inputs.task'"
  ):
    score.read_predictions(str(tmp_path))
  _write_jsonl(path, [{"inputs": {"task": "NER"}, "prediction": ""}])
  with pytest.raises(score.InputError, match="'inputs.targets_pretokenized'"):
    score.read_predictions(str(tmp_path))
