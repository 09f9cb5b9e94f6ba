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

"""A report and a score table are written as a set, with escaped cells."""

import json

import pytest

from instructuie_jax import cli, paper_tables, reporting, scoring

ODD = "a|b\nc"  # A dataset name with a table-cell separator and a line break.


def _table_rows(markdown):
  return [line for line in markdown.splitlines() if line.startswith("| ")]


def _cells(row):
  """The cells of a Markdown table row, splitting at unescaped `|`."""
  cells, current, i = [], "", 1
  while i < len(row):
    if row[i : i + 2] == "\\|":
      current += "|"
      i += 2
      continue
    if row[i] == "|":
      cells.append(current.strip())
      current = ""
    else:
      current += row[i]
    i += 1
  return cells


def test_markdown_cell_escapes_separators_and_line_breaks():
  assert paper_tables.markdown_cell(ODD) == "a\\|b c"
  assert _cells(paper_tables.markdown_row([ODD, 1.5, "x"])) == [
    "a|b c",
    "1.5",
    "x",
  ]


def test_score_markdown_keeps_one_row_per_dataset():
  examples = [
    scoring.Example(ODD, "NER", "person: Ada", "person: Ada"),
    scoring.Example("plain", "NER", "person: Ada", " None"),
  ]
  text = scoring.markdown(scoring.score(examples))
  rows = _table_rows(text)
  header = _cells(rows[0])
  for row in rows:
    assert len(_cells(row)) == len(header), row
  assert ["a|b c"] == [c[0] for c in map(_cells, rows) if c[0].startswith("a")]


def _predictions(path, dataset):
  rows = [
    {
      "dataset": dataset,
      "task": "NER",
      "target": "person: Ada",
      "prediction": p,
    }
    for p in ("person: Ada", "place: Ada")
  ]
  path.write_text("".join(json.dumps(r) + "\n" for r in rows))
  return str(path)


def test_report_with_a_pipe_in_a_dataset_name(tmp_path):
  out = tmp_path / "out"
  reporting.run(
    [], str(out), predictions=[_predictions(tmp_path / "p.jsonl", ODD)]
  )
  text = (out / "report.md").read_text()
  audit_rows = [r for r in _table_rows(text) if r.startswith("| a")]
  assert _cells(audit_rows[0])[:2] == ["a|b c", "NER"]
  assert (out / "report.html").exists()
  audit = json.loads((out / "audit.json").read_text())
  assert list(audit["p.jsonl"]) == [f"{ODD}|NER"]


def test_a_failed_report_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
  out = tmp_path / "out"
  given = _predictions(tmp_path / "p.jsonl", "d")
  reporting.run([], str(out), predictions=[given])
  (out / "MY_NOTES.md").write_text("mine")
  before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

  def broken(*args, **kwargs):
    raise RuntimeError("rendering failed")

  monkeypatch.setattr(reporting, "render_html", broken)
  with pytest.raises(RuntimeError):
    reporting.run([], str(out), predictions=[given])
  after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
  assert after == before
  assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p.jsonl"]
  monkeypatch.undo()
  reporting.run([], str(out), predictions=[given])
  names = sorted(p.name for p in out.iterdir())
  assert names == [
    ".report.json",
    "MY_NOTES.md",
    "audit.json",
    "plots",
    "report.html",
    "report.md",
    "tables.json",
  ]
  assert (out / "MY_NOTES.md").read_text() == "mine"


def test_report_replaces_only_its_own_files(tmp_path):
  out = tmp_path / "out"
  out.mkdir()
  (out / "report.md").write_text("my own report")
  given = _predictions(tmp_path / "p.jsonl", "d")
  with pytest.raises(reporting.InputError, match="not written by tools.report"):
    reporting.run([], str(out), predictions=[given])
  assert [p.name for p in out.iterdir()] == ["report.md"]
  assert (out / "report.md").read_text() == "my own report"
  (out / "report.md").unlink()
  reporting.run([], str(out), predictions=[given])
  assert (out / "audit.json").exists()
  metrics = tmp_path / "s"
  scoring.write_report(
    scoring.score(scoring.read_predictions(given)), str(metrics)
  )
  reporting.run([str(metrics)], str(out))  # No --predictions: no audit now.
  assert not (out / "audit.json").exists()
  assert "audit.json" not in (out / ".report.json").read_text()


def test_staged_folder_new_and_existing(tmp_path):
  target = tmp_path / "a" / "b"
  with pytest.raises(ValueError), cli.staged_folder(str(target)) as stage:
    assert not (tmp_path / "a").exists()  # Made only when complete.
    open(f"{stage}/x", "w").close()
    raise ValueError
  assert list(tmp_path.iterdir()) == []
  with cli.staged_folder(str(target)) as stage:
    open(f"{stage}/x", "w").close()
  assert [p.name for p in target.iterdir()] == ["x"]
  assert [p.name for p in (tmp_path / "a").iterdir()] == ["b"]
