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

"""Converter input edges: overwriting, BRAT ids and blank spans, a byte order
mark, non-breaking spaces, extension case."""

import json
import shutil

import pytest

from instructuie_jax.converters import brat, common, conll, jsonl, output
from tests import cli_testing

BOM = "\ufeff"


def _tool(*args):
  return cli_testing.run_tool("tools.convert_data", *args)


def _instances(root, family, dataset, split="train"):
  path = root / family / dataset / f"{split}.json"
  return json.loads(path.read_text(encoding="utf-8"))


def _notes(report, kind):
  return [(n.where, n.message) for n in report.notes if n.kind == kind]


# --- overwrite: only what the tool wrote, never its input -----------------


def test_overwrite_keeps_files_the_user_added(tmp_path):
  splits = {"train": [{"sentence": "Bo ran", "entities": []}]}
  folder = output.write_dataset(
    str(tmp_path), "NER", "d", splits, ["person"], {}, overwrite=False
  )
  (tmp_path / "NER" / "d" / "MY_NOTES.md").write_text("mine")
  splits = {"dev": [{"sentence": "Al sat", "entities": []}]}
  output.write_dataset(
    str(tmp_path), "NER", "d", splits, ["person"], {}, overwrite=True
  )
  names = sorted(p.name for p in (tmp_path / "NER" / "d").iterdir())
  # train.json was written by the first run only: removed; the notes stay.
  assert names == [
    ".convert_data.json",
    "MY_NOTES.md",
    "dev.json",
    "labels.json",
  ]
  assert (tmp_path / "NER" / "d" / "MY_NOTES.md").read_text() == "mine"
  marker = json.loads((tmp_path / "NER" / "d" / output.MARKER).read_text())
  assert marker["files"] == ["dev.json", "labels.json"]
  assert folder == str(tmp_path / "NER" / "d")


def test_to_conll_refuses_to_write_over_its_input(tmp_path, tiny_data_dir):
  root = tmp_path / "root"
  shutil.copytree(tiny_data_dir, root)
  (root / "NER" / "tiny_ner" / output.MARKER).write_text("{}")
  before = sorted(p.name for p in (root / "NER" / "tiny_ner").iterdir())
  result = _tool(
    "--to=conll",
    f"--input={root}",
    "--dataset=tiny_ner",
    f"--output_dir={root / 'NER'}",
    "--overwrite",
  )
  assert result.code == 2, result.err
  assert "would be written over the input" in result.error_line()
  after = sorted(p.name for p in (root / "NER" / "tiny_ner").iterdir())
  assert after == before


def test_format_in_refuses_an_input_inside_the_output(tmp_path):
  folder = tmp_path / "NER" / "d"
  folder.mkdir(parents=True)
  data = folder / "in.jsonl"
  data.write_text('{"tokens": ["Bo"], "ner": [[0, 0, "person"]]}\n')
  result = _tool(
    "--format=jsonl",
    f"--input=train={data}",
    f"--output_dir={tmp_path}",
    "--dataset=d",
    "--overwrite",
  )
  assert result.code == 2 and "over the input" in result.error_line()
  assert data.exists()


# --- BRAT and JSON lines: note and skip, naming the source line -----------


def _brat(text, ann):
  report = common.Report()
  records = brat.read_document(
    text,
    ann,
    txt_file="d.txt",
    ann_file="d.ann",
    unit="d",
    split="train",
    report=report,
  )
  return records, report


def test_brat_duplicate_id_is_noted_and_skipped():
  records, report = _brat(
    "Ada met Bob\n", "T1\tperson 0 3\tAda\nT1\tperson 8 11\tBob\n"
  )
  assert [e["name"] for e in records[0].instance["entities"]] == ["Ada"]
  assert _notes(report, "duplicate id") == [
    ("d.ann:2", "T1 is already defined at d.ann:1; this line left out")
  ]


def test_brat_whitespace_span_is_skipped_and_spans_are_trimmed():
  records, report = _brat(
    "Ada met  Bob\n", "T1\tperson 3 4\t \nT2\tperson 7 12\t  Bob\n"
  )
  entities = records[0].instance["entities"]
  assert [(e["name"], e["pos"]) for e in entities] == [("Bob", [9, 12])]
  assert _notes(report, "span skipped") == [
    ("d.ann:1", "T1 person [3, 4] holds only whitespace")
  ]
  assert [w for w, _ in _notes(report, "span trimmed")] == ["d.ann:2"]


def test_brat_whitespace_span_does_not_abort_the_dataset(tmp_path):
  corpus = tmp_path / "corpus"
  corpus.mkdir()
  (corpus / "a.txt").write_text("Ada met Bob\n")
  (corpus / "a.ann").write_text("T1\tperson 3 4\t \nT2\tperson 8 11\tBob\n")
  (corpus / "b.TXT").write_text("Cy ran\n")  # Any case of the extension.
  (corpus / "b.ANN").write_text("T1\tperson 0 2\tCy\n")
  result = _tool(
    "--format=brat",
    f"--input=train={corpus}",
    f"--output_dir={tmp_path / 'out'}",
    "--dataset=d",
  )
  assert result.code == 0, result.err
  assert f"{corpus / 'a.ann'}:1: T1 person [3, 4] holds only" in result.out
  names = [
    [e["name"] for e in x["entities"]]
    for x in _instances(tmp_path / "out", "NER", "d")
  ]
  assert names == [["Bob"], ["Cy"]]


def test_jsonl_whitespace_token_skips_its_line_with_a_note():
  text = (
    '{"tokens": ["Ada", " ", "Bob"], "ner": [[1, 1, "person"]]}\n'
    '{"tokens": ["Cy"], "ner": [[0, 0, "person"]]}\n'
    '{"text": "Al  met", "entities": [[0, 4, "person"], [2, 4, "x"]]}\n'
  )
  report = common.Report()
  records = jsonl.read_lines(text, "f.jsonl", split="train", report=report)
  assert [r.where for r in records] == ["f.jsonl:2", "f.jsonl:3"]
  assert _notes(report, "line skipped") == [
    ("f.jsonl:1", "tokens[1] ' ' is empty or only whitespace")
  ]
  assert [e["pos"] for e in records[1].instance["entities"]] == [[0, 2]]
  assert _notes(report, "span skipped") == [
    ("f.jsonl:3", "entities[1] [2, 4] holds only whitespace")
  ]


# --- a byte order mark, non-breaking spaces ------------------------------


def test_byte_order_mark_is_dropped_in_every_input(tmp_path):
  bom = BOM.encode()
  conll_file = tmp_path / "c.txt"
  conll_file.write_bytes(bom + b"-DOCSTART- O\n\nEU B-ORG\nrejects O\n")
  lines = tmp_path / "l.jsonl"
  lines.write_bytes(bom + b'{"tokens": ["Bo"], "ner": [[0, 0, "person"]]}\n')
  corpus = tmp_path / "corpus"
  corpus.mkdir()
  (corpus / "a.txt").write_bytes(bom + b"Ada ran\n")
  (corpus / "a.ann").write_bytes(bom + b"T1\tperson 0 3\tAda\n")
  runs = [
    ("conll", f"train={conll_file}", [("EU", [0, 2])]),
    ("jsonl", f"train={lines}", [("Bo", [0, 2])]),
    ("brat", f"train={corpus}", [("Ada", [0, 3])]),
  ]
  for fmt, given, want in runs:
    out = tmp_path / f"out_{fmt}"
    result = _tool(
      f"--format={fmt}",
      f"--input={given}",
      f"--output_dir={out}",
      "--dataset=d",
    )
    assert result.code == 0, result.err
    (instance,) = _instances(out, "NER", "d")
    got = [(e["name"], e["pos"]) for e in instance["entities"]]
    assert got == want, fmt
    assert BOM not in instance["sentence"]


def test_conll_non_breaking_space_stays_inside_its_token():
  report = common.Report()
  text = "New\u00a0York B-LOC\nis O\n\nx\tO\n\u00a0\tO\n"
  sentences = conll.read_sentences(text, "f", report=report)
  assert [s.tokens for s in sentences] == [["New\u00a0York", "is"]]
  assert _notes(report, "sentence skipped") == [
    ("f:5", "token '\\xa0' is only whitespace")
  ]
  (record,) = conll.to_records(sentences, "bio", split="train", report=report)
  assert record.instance["entities"][0]["name"] == "New\u00a0York"
  assert conll.tokenize("New\u00a0York is") == [(0, 8), (9, 11)]


def test_validation_errors_name_the_output_not_the_staging_folder(tmp_path):
  entity = {"name": "Bo", "type": "x", "pos": [0, 2]}
  splits = {"train": [{"sentence": "Bo ran", "entities": [entity]}]}
  with pytest.raises(output.ValidationError) as raised:
    output.write_dataset(
      str(tmp_path), "NER", "d", splits, ["person"], {}, overwrite=False
    )
  first = raised.value.errors[0]
  assert first.startswith(str(tmp_path / "NER" / "d" / "train.json:0")), first
  assert list((tmp_path / "NER").iterdir()) == []
