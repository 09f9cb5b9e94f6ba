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

"""instructuie_jax/scoring.py and tools/score.py: readers, report, the CLI."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from instructuie_jax import scoring

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
  # the original mode; the second example has one TP and two FPs (the repeated
  # Tom Hanks and drama; the original mode's sets count the repeat once).
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
  assert mit["NER"]["ner"]["fp"] == 2
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
  examples = scoring.read_predictions(str(predictions))
  report = scoring.score(examples, "strict")
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
  report = scoring.score(scoring.read_predictions(str(predictions)), "original")
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
    ("{not json", ":2: invalid JSON"),
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
  with pytest.raises(scoring.InputError) as e:
    scoring.read_predictions(str(path))
  assert str(e.value).startswith(f"{path}{message}")


def test_window_counts_of_the_lines_are_totalled(tmp_path):
  rows = [
    {**ROWS[0], "windows": 3, "window_merges": 2},
    {**ROWS[0], "windows": 1, "window_merges": 0},
  ]
  path = tmp_path / "p.jsonl"
  _write_jsonl(path, rows)
  report = scoring.score(scoring.read_predictions(str(path)))
  assert report["windows"] == {
    "windowed_texts": 1,
    "windows": 4,
    "window_merges": 2,
  }
  assert "Windows: 1 examples asked in windows, 4 prompts in all, 2 " in (
    scoring.markdown(report)
  )
  _write_jsonl(path, ROWS)  # Lines that do not say: no count.
  report = scoring.score(scoring.read_predictions(str(path)))
  assert "windows" not in report
  assert "Windows:" not in scoring.markdown(report)


@pytest.mark.parametrize(
  ("field", "value"),
  [("windows", 0), ("windows", "2"), ("window_merges", -1), ("windows", True)],
)
def test_bad_window_counts_name_their_field(tmp_path, field, value):
  path = tmp_path / "bad.jsonl"
  _write_jsonl(path, [{**ROWS[0], field: value}])
  with pytest.raises(scoring.InputError) as e:
    scoring.read_predictions(str(path))
  assert str(e.value).startswith(f"{path}:1: field {field!r}: expected a whole")


def test_cli_reports_bad_input(tmp_path):
  path = tmp_path / "bad.jsonl"
  path.write_text('{"dataset": "d"}\n')
  proc = _run_cli(f"--predictions={path}", f"--out_dir={tmp_path / 'o'}")
  assert proc.returncode == 1
  assert f"{path}:1: field 'task': missing" in proc.stderr


def _one_line_error(proc, returncode, *parts):
  assert proc.returncode == returncode, proc.stderr
  assert "Traceback" not in proc.stderr
  assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
  for part in parts:
    assert part in proc.stderr


def test_cli_rejects_extra_arguments(tmp_path):
  proc = _run_cli("--predictions=x", f"--out_dir={tmp_path}", "extra")
  _one_line_error(proc, 2, "Unexpected arguments: extra")


@pytest.mark.parametrize(
  "args,message",
  [
    (["--mode=bogus"], "--mode"),
    (["--no_such_flag=1"], "no_such_flag"),
    (["--step=x"], "--step"),
    ([], "--predictions and --out_dir are required"),
  ],
)
def test_cli_usage_errors_are_one_line(tmp_path, args, message):
  _write_jsonl(tmp_path / "p.jsonl", ROWS)
  base = [f"--predictions={tmp_path / 'p.jsonl'}", f"--out_dir={tmp_path}/o"]
  proc = _run_cli(*(args if not args else base + args))
  _one_line_error(proc, 2, message)
  assert not (tmp_path / "o").exists()


def test_cli_missing_predictions(tmp_path):
  missing = tmp_path / "nope.jsonl"
  (tmp_path / "kept").mkdir()
  out = tmp_path / "kept" / "a" / "b"
  proc = _run_cli(f"--predictions={missing}", f"--out_dir={out}")
  _one_line_error(proc, 1, f"{missing}: no such file or directory")
  assert not (tmp_path / "kept" / "a").exists()
  assert (tmp_path / "kept").is_dir()


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_cli_empty_predictions_fail(tmp_path, content):
  path = tmp_path / "empty.jsonl"
  path.write_text(content)
  proc = _run_cli(f"--predictions={path}", f"--out_dir={tmp_path / 'o'}")
  _one_line_error(proc, 1, f"{path}: no examples to score")
  # The output directory it made for the run is removed again.
  assert not (tmp_path / "o").exists()


def test_empty_inference_directory_fails(tmp_path):
  _write_jsonl(tmp_path / "instructuie_ner_ace_2005-000100.jsonl", [])
  with pytest.raises(scoring.InputError, match="no examples to score"):
    scoring.read_predictions(str(tmp_path))


def test_cli_non_utf8_predictions(tmp_path):
  path = tmp_path / "latin1.jsonl"
  path.write_bytes(
    (json.dumps(ROWS[0]) + "\n").encode()
    + b'{"dataset": "caf\xe9", "task": "NER"}\n'
  )
  proc = _run_cli(f"--predictions={path}", f"--out_dir={tmp_path / 'o'}")
  _one_line_error(proc, 1, f"{path}:2: not UTF-8 (byte 0xe9 at column 17)")


def test_cli_out_dir_is_a_file(tmp_path):
  _write_jsonl(tmp_path / "p.jsonl", ROWS)
  out = tmp_path / "out"
  out.write_text("mine")
  proc = _run_cli(f"--predictions={tmp_path / 'p.jsonl'}", f"--out_dir={out}")
  _one_line_error(proc, 1, f"{out}: exists and is not a directory")
  assert out.read_text() == "mine"


def test_cli_out_dir_cannot_be_made(tmp_path):
  (tmp_path / "file").write_text("")
  out = tmp_path / "file" / "out"
  # The output directory is checked first, before the (bad) input is read.
  proc = _run_cli(f"--predictions={tmp_path / 'nope'}", f"--out_dir={out}")
  _one_line_error(proc, 1, f"{out}: cannot make the directory")


def _scored_twice(tmp_path):
  """Writes a report, then returns (out_dir, second report, old files)."""
  out = tmp_path / "out"
  _write_jsonl(tmp_path / "p.jsonl", ROWS)
  report = scoring.score(scoring.read_predictions(str(tmp_path / "p.jsonl")))
  scoring.write_report(report, str(out))
  old = {p.name: p.read_text() for p in out.iterdir()}
  second = scoring.score(
    scoring.read_predictions(str(tmp_path / "p.jsonl"))[:2]
  )
  return out, second, old


def test_failed_markdown_leaves_previous_files(tmp_path, monkeypatch):
  out, second, old = _scored_twice(tmp_path)

  def fail(report):
    raise OSError("markdown failed")

  monkeypatch.setattr(scoring, "markdown", fail)
  with pytest.raises(OSError):
    scoring.write_report(second, str(out))
  assert {p.name: p.read_text() for p in out.iterdir()} == old


def test_failed_write_leaves_previous_files(tmp_path, monkeypatch):
  out, second, old = _scored_twice(tmp_path)
  real = scoring.epath.Path.write_text

  def write_text(self, text, *args, **kwargs):
    if "metrics.md" in self.name:
      real(self, text[:10], *args, **kwargs)  # Half written, then full.
      raise OSError(28, "No space left on device")
    return real(self, text, *args, **kwargs)

  monkeypatch.setattr(scoring.epath.Path, "write_text", write_text)
  with pytest.raises(scoring.OutputError, match="No space left on device"):
    scoring.write_report(second, str(out))
  assert {p.name: p.read_text() for p in out.iterdir()} == old


def test_all_none_dataset_has_nothing_to_score(tmp_path):
  rows = (
    ROWS[:2]
    + [
      {
        "dataset": "quiet",
        "task": "RE",
        "target": " None",
        "prediction": "None",
      }
    ]
    * 3
  )
  _write_jsonl(tmp_path / "p.jsonl", rows)
  proc = _run_cli(
    f"--predictions={tmp_path / 'p.jsonl'}",
    f"--out_dir={tmp_path / 'o'}",
    "--mode=both",
  )
  assert proc.returncode == 0, proc.stderr
  report = json.loads((tmp_path / "o" / "metrics.json").read_text())
  quiet = report["datasets"]["quiet"]["RE"]
  assert quiet["re_strict"]["nothing_to_score"] is True
  assert quiet["re_strict"]["f1"] is None
  # Original mode scores as the original evaluator does, unchanged.
  assert "nothing_to_score" not in quiet["original_re"]
  assert report["nothing_to_score"] == {
    "RE": {"re_strict": ["quiet"], "re_boundary": ["quiet"]}
  }
  # The average is that of conll04 (0.5) and ade (1.0) only.
  assert report["averages"]["RE"]["re_strict"]["macro_f1"] == 0.75
  assert report["averages"]["RE"]["re_strict"]["datasets"] == 2
  assert "| quiet | n/a | n/a |" in proc.stdout
  assert "nothing to score" in proc.stdout
  assert "quiet (RE re_strict)" in proc.stdout
  table = (tmp_path / "o" / "metrics.md").read_text()
  assert "left out of the averages: quiet (RE re_strict)" in table


def _local_gcs(root):
  """mock_epath functions that serve gs://bucket/... from `root`."""

  def local(path):
    path = os.fspath(path)
    assert path.startswith("gs://bucket"), path
    return str(root) + path[len("gs://bucket") :]

  def one(name):
    return lambda _, path, *a, **k: getattr(os, name)(local(path), *a, **k)

  def two(name):
    return lambda _, a, b, **k: getattr(os, name)(local(a), local(b))

  return dict(
    open=lambda _, path, *a, **k: open(local(path), *a, **k),
    exists=lambda _, path: os.path.exists(local(path)),
    isdir=lambda _, path: os.path.isdir(local(path)),
    listdir=lambda _, path: os.listdir(local(path)),
    makedirs=lambda _, path, exist_ok=False, **k: os.makedirs(
      local(path), exist_ok=exist_ok
    ),
    mkdir=lambda _, path, *a, **k: os.mkdir(local(path)),
    remove=one("remove"),
    rename=two("rename"),
    replace=two("replace"),
    stat=one("stat"),
  )


def test_remote_paths_are_read_and_written_alike(tmp_path, monkeypatch):
  etils_testing = pytest.importorskip("etils.epath.testing")
  from etils.epath import gpath

  # With TensorFlow installed, epath sends gs:// paths to tf.io.gfile and
  # past mock_epath's backend; use the mocked one.
  monkeypatch.setattr(gpath, "_is_tf_installed", lambda: False)
  root = tmp_path / "bucket"
  _fake_inference_dir(root)
  with etils_testing.mock_epath(**_local_gcs(root)):
    examples = scoring.read_predictions("gs://bucket")
    assert {e.dataset for e in examples} == {"synth_news", "CoNLL 2004"}
    assert examples[0].source.startswith("gs://bucket/")
    scoring.prepare_out_dir("gs://bucket/out/step_1")
    scoring.write_report(scoring.score(examples), "gs://bucket/out/step_1")
  written = sorted(p.name for p in (root / "out" / "step_1").iterdir())
  assert written == ["metrics.json", "metrics.md"]


def test_task_from_name():
  assert scoring.task_from_name("instructuie_ner_ace_2005") == (
    "NER",
    "ACE 2005",
  )
  assert scoring.task_from_name("instructuie_eea_casie") == ("EEA", "CASIE")
  assert scoring.task_from_name("instructuie_ner_some_slug") is None
  assert scoring.task_from_name("instructuie_xx_casie") is None
  assert scoring.task_from_name("other_task") is None


def _fake_inference_dir(root):
  """t5x.infer output for one task and seqio JSON-logger output for another."""
  root.mkdir()
  # t5x.infer: only *_pretokenized inputs; task and dataset from the name.
  infer = root / "instructuie_ner_synth_news-predict.jsonl-00000-of-00001"
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
  assert [os.path.basename(f) for f in scoring.inference_files(str(root))] == [
    "instructuie_ner_synth_news-predict.jsonl-00000-of-00001",
    "instructuie_re_conll04-000200.jsonl",
  ]
  report = scoring.score(scoring.read_predictions(str(root)), "strict")
  assert report["datasets"]["synth_news"]["NER"]["ner"] == {
    "precision": 0.5,
    "recall": 0.5,
    "f1": 0.5,
    "tp": 1,
    "fp": 1,
    "fn": 1,
  }
  assert report["datasets"]["CoNLL 2004"]["RE"]["re_strict"]["f1"] == 1.0
  early = scoring.score(scoring.read_predictions(str(root), step=100), "strict")
  assert early["datasets"]["CoNLL 2004"]["RE"]["re_strict"]["fn"] == 1
  with pytest.raises(scoring.InputError, match="no step 300 for task"):
    scoring.read_predictions(str(root), step=300)


def test_inference_directory_cli(tmp_path):
  root = tmp_path / "infer"
  _fake_inference_dir(root)
  out_dir = tmp_path / "out"
  proc = _run_cli(f"--predictions={root}", f"--out_dir={out_dir}")
  assert proc.returncode == 0, proc.stderr
  report = json.loads((out_dir / "metrics.json").read_text())
  assert sorted(report["datasets"]) == ["CoNLL 2004", "synth_news"]


def test_inference_directory_errors(tmp_path):
  with pytest.raises(scoring.InputError, match="no inference outputs"):
    scoring.read_predictions(str(tmp_path))
  path = tmp_path / "my_task-predict.jsonl"
  _write_jsonl(
    path, [{"inputs": {"targets_pretokenized": " None"}, "prediction": ""}]
  )
  with pytest.raises(
    scoring.InputError, match=r"my_task-predict.jsonl:1: field 'inputs.task'"
  ):
    scoring.read_predictions(str(tmp_path))
  _write_jsonl(path, [{"inputs": {"task": "NER"}, "prediction": ""}])
  with pytest.raises(scoring.InputError, match="'inputs.targets_pretokenized'"):
    scoring.read_predictions(str(tmp_path))


# The same answers in both target formats.
_SENTENCES = [
  "Tom Hanks met Meg Ryan in Paris",
  "a drama by Tom Hanks",
  "nothing to see",
]
_GOLD = [
  (("actor", "Tom Hanks"), ("actor", "Meg Ryan")),
  (("genre", "drama"), ("director", "Tom Hanks")),
  (),
]
_PREDICTED = [
  (("actor", "Tom Hanks"), ("actor", "Meg")),
  (("genre", "drama"), ("actor", "Tom Hanks")),
  (("location", "nothing"),),
]


def _rows_in(fmt_name, with_field):
  from instructuie_jax import formats, task_types
  from instructuie_jax.records import Entity

  fmt = formats.get(fmt_name)
  rows = []
  for task in ("NER", "ES"):
    labeled = task_types.get(task).labeled
    for sentence, gold, pred in zip(_SENTENCES, _GOLD, _PREDICTED, strict=True):
      target, prediction = (
        fmt.linearize(
          task,
          tuple(Entity(t if labeled else "", n) for t, n in answer),
          sentence=sentence,
        )
        for answer in (gold, pred)
      )
      row = {"dataset": "mit-movie", "task": task, "target": target}
      row["prediction"] = prediction
      if with_field:
        row["target_format"] = fmt_name
      rows.append(row)
  return rows


def _scores(report):
  return report["datasets"], report["averages"]


@pytest.mark.parametrize("gold", [False, True])
def test_words_bio_predictions_score_as_the_original_format(tmp_path, gold):
  reports = {}
  for name in ("instructuie", "words_bio"):
    rows = _rows_in(name, with_field=name == "words_bio")
    if gold:
      rows = [dict(r, prediction=r["target"]) for r in rows]
    path = tmp_path / f"{name}.jsonl"
    _write_jsonl(path, rows)
    reports[name] = scoring.score(scoring.read_predictions(str(path)))
  assert _scores(reports["words_bio"]) == _scores(reports["instructuie"])
  ner = reports["words_bio"]["datasets"]["mit-movie"]["NER"]["ner"]
  assert (ner["f1"] == 1.0) == gold


def test_words_bio_format_from_the_run_config(tmp_path):
  model_dir = tmp_path / "model"
  root = model_dir / "inference_eval"
  root.mkdir(parents=True)
  rows = _rows_in("words_bio", with_field=False)
  _write_jsonl(
    root / "instructuie_ner_mit_movie-000100.jsonl",
    [
      {
        "input": {"task": r["task"], "dataset": r["dataset"]},
        "target": r["target"],
        "prediction": r["prediction"],
      }
      for r in rows
      if r["task"] == "NER"
    ],
  )
  read = scoring.read_predictions(str(root))
  assert {e.target_format for e in read} == {"instructuie"}
  assert scoring.score(read)["parse_problems"]["mit-movie"]["NER"][
    "unparseable_targets"
  ] == len(read)
  (model_dir / "config.gin").write_text(
    "from tasks import settings\n"
    "settings.data_settings.target_format = 'words_bio'\n"
  )
  read = scoring.read_predictions(str(root))
  assert {e.target_format for e in read} == {"words_bio"}
  expected = _rows_in("instructuie", with_field=False)
  path = tmp_path / "original.jsonl"
  _write_jsonl(path, [r for r in expected if r["task"] == "NER"])
  original = scoring.score(scoring.read_predictions(str(path)))
  assert scoring.score(read)["averages"] == original["averages"]


def test_bad_and_mixed_target_formats(tmp_path):
  path = tmp_path / "p.jsonl"
  _write_jsonl(path, [dict(ROWS[1], target_format="bio")])
  with pytest.raises(
    scoring.InputError, match=r"p.jsonl:1: field 'target_format'"
  ):
    scoring.read_predictions(str(path))
  rows = [ROWS[3], dict(ROWS[3], target_format="words_bio")]
  _write_jsonl(path, rows)
  with pytest.raises(
    scoring.InputError, match=r"p.jsonl:2: field 'target_format'"
  ):
    scoring.score(scoring.read_predictions(str(path)))
