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

"""Tests of instructuie_jax/reporting.py, tools/report.py and paper_tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from instructuie_jax import paper_tables, reporting, scoring
from tests.conftest import REPO_ROOT

pytest.importorskip("matplotlib", reason="matplotlib not installed")

# (dataset, task, target, prediction): every paper table gets rows.
_EXAMPLES = [
  ("mit-movie", "NER", " genre: comedy; actor: Tom Hanks", " genre: comedy"),
  ("mit-movie", "NER", " year: 1999", " year: 1999"),
  ("CrossNER_AI", "NER", " algorithm: SVM", " field: SVM"),
  ("CrossNER_AI", "NER", " researcher: Ng", " researcher: Ng"),
  ("conll04", "RE", " work for: Ada, Acme", " work for: Ada, Acme"),
  ("conll04", "RE", " live in: Bo, Rome", " kill: Bo, Rome"),
  ("fewrel_0", "RE", " mother: Ann, Bea", " mother: Ann, Bea"),
  ("fewrel_1", "RE", " sibling: Cy, Di", " None"),
  ("CASIE", "EET", " attack: hit", " attack: hit"),
  ("CASIE", "EEA", " Ada: victim; Acme: attacker", " Ada: victim"),
  ("PHEE", "EE", " ( adverse event: after,  rash: effect) ", " None"),
  ("ACME-unlisted", "NER", " person: Ada", " person: Ada"),
]


def _write_predictions(path) -> None:
  with open(path, "w", encoding="utf-8") as f:
    for dataset, task, target, prediction in _EXAMPLES:
      line = {
        "dataset": dataset,
        "task": task,
        "target": target,
        "prediction": prediction,
      }
      f.write(json.dumps(line) + "\n")


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory):
  folder = tmp_path_factory.mktemp("scored")
  predictions = folder / "predictions.jsonl"
  _write_predictions(predictions)
  result = scoring.score(scoring.read_predictions(str(predictions)), "both")
  scoring.write_report(result, str(folder))
  return folder


def _cells(markdown: str, title: str) -> dict[str, list[str]]:
  """Rows of the Markdown table under `### {title}`: label -> cells."""
  lines = markdown.splitlines()
  start = lines.index(f"### {title}")
  rows = {}
  for line in lines[start + 3 :]:
    if not line.startswith("|"):
      break
    cells = [c.strip() for c in line.strip("|").split("|")]
    rows[cells[0]] = cells[1:]
  return rows


def _not_blank(path) -> bool:
  from PIL import Image

  pixels = np.asarray(Image.open(path).convert("L"), dtype=np.float64)
  return pixels.size > 10_000 and pixels.std() > 5.0


def test_tables_match_metrics_json(metrics_dir, tmp_path):
  out = tmp_path / "out"
  result = reporting.run([f"run1={metrics_dir}"], str(out))
  metrics = json.loads((metrics_dir / "metrics.json").read_text())
  text = (out / "report.md").read_text()
  layouts = {layout.key: layout for layout in paper_tables.LAYOUTS}
  checked = 0
  for table in result["tables"]:
    layout = layouts[table["key"]]
    rows = _cells(text, table["title"])
    for dataset in layout.datasets:
      tasks = metrics["datasets"].get(dataset)
      if not tasks:
        continue
      for column, candidates in ((0, layout.strict), (1, layout.original)):
        found = [(t, m) for t, m in candidates if m in tasks.get(t, {})]
        if not found:
          assert rows[dataset][column] == "–", (dataset, column)
          continue
        task, name = found[0]
        entry = tasks[task][name]
        expected = 100 * entry.get("f1", entry.get("accuracy"))
        assert rows[dataset][column] == f"{expected:.2f}", (dataset, name)
        checked += 1
      paper = paper_tables.published()["tables"][table["key"]]["rows"]
      assert rows[dataset][-1] == paper_tables.format_cell(paper.get(dataset))
  assert checked >= 14
  # Paper numbers come from the data file, e.g. Table 4 MIT Movie 63.00.
  zs = _cells(text, "Zero-shot NER (paper Table 4, entity micro F1)")
  assert zs["mit-movie"][-1] == "63.00"
  assert zs["CrossNER_music"] == ["–", "–", "53.16"]
  zre = _cells(text, "Zero-shot RE (paper Table 5, relation micro F1)")
  fewrel = next(v for k, v in zre.items() if k.startswith("FewRel"))
  assert fewrel == ["50.00", "50.00", "39.55"]  # mean of 100 and 0.
  sup = _cells(text, "Supervised NER (paper Table 1, entity F1)")
  assert sup["paper's reported average (20 datasets)"][-1] == "85.19"
  assert result["not_in_paper_tables"] == [["run1", "ACME-unlisted", "NER"]]
  html = (out / "report.html").read_text()
  assert "<table>" in html and "63.00" in html
  for rel in result["plots"]:
    assert _not_blank(out / rel), rel
  assert len(result["plots"]) == 6


def test_two_runs_side_by_side(metrics_dir, tmp_path):
  out = tmp_path / "out"
  result = reporting.run(
    [f"a={metrics_dir}", f"b={metrics_dir / 'metrics.json'}"], str(out)
  )
  header = result["tables"][0]["header"]
  assert header == [
    "dataset",
    "a strict",
    "a original",
    "b strict",
    "b original",
    "paper",
  ]


def test_nothing_to_score_cells_are_marked():
  # tools.score writes f1 null with "nothing_to_score": true.
  entry = {"f1": None, "nothing_to_score": True}
  runs = [("r", {"datasets": {"conll04": {"RE": {"re_strict": entry}}}})]
  table = paper_tables.build_tables(runs)[0]
  row = next(r for r in table.rows if r[0] == "conll04")
  assert row[1] == paper_tables.NOT_SCORED
  assert row[2] is None
  average = next(r for r in table.rows if r[0].startswith("average"))
  assert average[1] is None


def test_audit_from_predictions(tmp_path):
  predictions = tmp_path / "p.jsonl"
  _write_predictions(predictions)
  out = tmp_path / "out"
  reporting.run([], str(out), predictions=[str(predictions)])
  audit = json.loads((out / "audit.json").read_text())["p.jsonl"]
  # CrossNER_AI: SVM typed "field" instead of "algorithm".
  ai = audit["CrossNER_AI|NER"]
  assert ai["categories"]["type_error"] == 1
  assert ai["confusion"]["algorithm"] == {"field": 1}
  assert audit["mit-movie|NER"]["categories"]["missed"] == 1
  text = (out / "report.md").read_text()
  assert "#### Label confusion: CrossNER_AI NER" in text


def test_audit_of_words_bio_predictions(tmp_path):
  from instructuie_jax import formats
  from instructuie_jax.records import Entity

  sentence = "SVM and Naive Bayes beat LDA"
  gold = (Entity("algorithm", "SVM"), Entity("algorithm", "Naive Bayes"))
  pred = (Entity("field", "SVM"), Entity("algorithm", "LDA"))
  audits = {}
  for name in ("instructuie", "words_bio"):
    fmt = formats.get(name)
    line = {
      "dataset": "CrossNER_AI",
      "task": "NER",
      "target": fmt.linearize("NER", gold, sentence=sentence),
      "prediction": fmt.linearize("NER", pred, sentence=sentence),
      "target_format": name,
    }
    (tmp_path / name).mkdir()
    path = tmp_path / name / "p.jsonl"
    path.write_text(json.dumps(line) + "\n")
    out = tmp_path / name / "out"
    reporting.run([], str(out), predictions=[str(path)])
    text = (out / "audit.json").read_text().replace(str(tmp_path / name), "")
    audits[name] = json.loads(text)[path.name]
  assert audits["words_bio"] == audits["instructuie"]
  categories = audits["words_bio"]["CrossNER_AI|NER"]["categories"]
  assert categories["type_error"] == 1 and categories["missed"] == 1


def _write_events(model_dir, losses, f1s) -> None:
  import tensorflow as tf

  train = tf.summary.create_file_writer(str(model_dir / "train"))
  with train.as_default():
    for step, loss in losses:
      tf.summary.scalar("loss", loss, step=step)
  train.flush()
  task_dir = model_dir / "inference_eval" / "instructuie_ner_mit_movie"
  evals = tf.summary.create_file_writer(str(task_dir))
  with evals.as_default():
    for step, f1 in f1s:
      tf.summary.scalar("eval/mit-movie/ner_f1", f1, step=step)
      tf.summary.scalar("eval/mit-movie/ner_precision", f1, step=step)
  evals.flush()


@pytest.mark.slow
def test_learning_curves_from_event_files(tmp_path):
  pytest.importorskip("tensorflow", reason="tensorflow not installed")
  from instructuie_jax import report_plots

  run_a, run_b = tmp_path / "a", tmp_path / "b"
  _write_events(run_a, [(1, 5.0), (2, 3.0), (3, 2.5)], [(2, 20.0), (3, 40.0)])
  _write_events(run_b, [(1, 6.0), (2, 4.0)], [(2, 10.0)])
  curves = report_plots.learning_curves(str(run_a))
  assert curves.loss == [(1, 5.0), (2, 3.0), (3, 2.5)]
  assert list(curves.f1) == ["mit-movie ner"]
  assert [(s, round(v, 3)) for s, v in curves.f1["mit-movie ner"]] == [
    (2, 20.0),
    (3, 40.0),
  ]
  out = tmp_path / "out"
  result = reporting.run(
    [], str(out), event_dirs=[str(run_a), f"second={run_b}"]
  )
  assert result["plots"] == ["plots/train_loss.png", "plots/eval_f1.png"]
  for rel in result["plots"]:
    assert _not_blank(out / rel)
  assert (
    "![Training loss](plots/train_loss.png)" in (out / "report.md").read_text()
  )


def _cli(*args):
  return subprocess.run(
    [sys.executable, "-m", "tools.report", *args],
    capture_output=True,
    text=True,
    cwd=REPO_ROOT,
    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
    check=False,
  )


def test_cli_bad_input_is_one_line(tmp_path):
  bad = tmp_path / "metrics.json"
  bad.write_text('{"mode": "strict"}')
  result = _cli(f"--metrics={bad}", f"--out_dir={tmp_path / 'out'}")
  assert result.returncode == 1
  assert result.stderr.strip().splitlines()[-1] == (
    f"error: {bad}: field 'datasets': missing or not an object (expected the "
    "metrics.json of tools.score)"
  )
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "out").exists()
  missing = _cli(f"--metrics={tmp_path / 'nope'}", f"--out_dir={tmp_path}")
  assert missing.returncode == 1 and "no such file" in missing.stderr
  usage = _cli(f"--metrics={bad}")
  assert usage.returncode == 2
  assert usage.stderr.strip().splitlines() == ["error: --out_dir is required"]
  flag = _cli("--bogus=1")
  assert flag.returncode == 2 and len(flag.stderr.strip().splitlines()) == 1


def test_audit_reads_options_and_sentence_from_t5x_prompts(tmp_path):
  from instructuie_jax import instructions

  sentence = "show me films with tom hanks"
  prompt = instructions.render_prompt(
    "NER", "Find entities. \n", ("actor", "genre"), sentence
  )
  line = {
    "inputs": {
      "inputs_pretokenized": prompt,
      "targets_pretokenized": " actor: tom hanks",
    },
    "prediction": " director: tom hanks; actor: meg ryan",
  }
  name = "instructuie_ner_mit_movie-predict.jsonl-00000-of-00001"
  (tmp_path / name).write_text(json.dumps(line) + "\n")
  out = tmp_path / "out"
  reporting.run([], str(out), predictions=[f"infer={tmp_path}"])
  audit = json.loads((out / "audit.json").read_text())["infer"]
  movie = audit["mit-movie|NER"]
  assert (movie["label_not_in_options"], movie["label_checked"]) == (1, 2)
  assert movie["bad_labels"] == {"director": 1}
  assert (movie["span_not_in_text"], movie["span_checked"]) == (1, 2)
  assert movie["categories"]["type_error"] == 1
  assert movie["categories"]["spurious"] == 1
