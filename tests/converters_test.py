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

"""Tests for `instructuie_jax.converters` on the samples in testdata/convert."""

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from instructuie_jax import cli, schema, task_types
from instructuie_jax.converters import (
  bio_export,
  brat,
  common,
  conll,
  jsonl,
  output,
  pipeline,
  tags,
)
from tests.conftest import REPO_ROOT

SAMPLES = REPO_ROOT / "tests" / "testdata" / "convert"

# --- tag schemes ---------------------------------------------------------

_LABELS = st.sampled_from(["PER", "LOC", "B-X", "ratings average"])


@st.composite
def _spans(draw):
  """Non-overlapping token spans and a sentence length that holds them."""
  spans = []
  at = 0
  for gap, size, label in draw(
    st.lists(
      st.tuples(st.integers(0, 2), st.integers(1, 4), _LABELS), max_size=8
    )
  ):
    start = at + gap
    spans.append((start, start + size, label))
    at = start + size
  return spans, at + draw(st.integers(0, 3))


@pytest.mark.parametrize("scheme", tags.SCHEMES)
@settings(max_examples=300, deadline=None)
@given(data=_spans())
def test_decode_inverts_encode(scheme, data):
  spans, length = data
  encoded = tags.encode(spans, length, scheme)
  assert len(encoded) == length
  assert tags.decode(encoded, scheme) == (spans, [])


_ANY_TAG = st.sampled_from(
  ["O", "B-A", "I-A", "E-A", "S-A", "B-B", "I-B", "E-B", "S-B", "U-A", "L-A"]
)


@pytest.mark.parametrize("scheme", tags.SCHEMES)
@settings(max_examples=300, deadline=None)
@given(raw=st.lists(_ANY_TAG, max_size=12))
def test_decode_any_sequence_gives_valid_spans(scheme, raw):
  allowed = {"bio": "OBI", "iob1": "OBI", "bioes": "OBIESUL"}[scheme]
  sequence = [t for t in raw if t[0] in allowed]
  spans, issues = tags.decode(sequence, scheme)
  assert tags.overlaps(spans) == []
  assert all(0 <= a < b <= len(sequence) for a, b, _ in spans)
  # Re-encoding the spans read gives a well-formed sequence of them.
  again = tags.encode(spans, len(sequence), scheme)
  assert tags.decode(again, scheme) == (spans, [])
  if not issues:
    assert (
      again == [{"U": "S", "L": "E"}.get(t[0], t[0]) + t[1:] for t in sequence]
      or scheme == "iob1"
    )


def test_iob1_b_only_between_adjacent_same_label_spans():
  spans = [(0, 1, "LOC"), (1, 2, "LOC"), (2, 3, "PER")]
  assert tags.encode(spans, 3, "iob1") == ["I-LOC", "B-LOC", "I-PER"]
  assert tags.encode(spans, 3, "bio") == ["B-LOC", "B-LOC", "B-PER"]
  assert tags.encode(spans, 3, "bioes") == ["S-LOC", "S-LOC", "S-PER"]


@pytest.mark.parametrize(
  "scheme,sequence,spans,issue_at",
  [
    ("bio", ["O", "I-A", "I-A"], [(1, 3, "A")], [1]),
    ("bio", ["B-A", "I-B"], [(0, 1, "A"), (1, 2, "B")], [1]),
    ("bioes", ["B-A", "I-A", "O"], [(0, 2, "A")], [2]),
    ("bioes", ["I-A", "E-A"], [(0, 2, "A")], [0]),
    ("bioes", ["B-A", "S-A"], [(0, 1, "A"), (1, 2, "A")], [1]),
    ("bioes", ["B-A"], [(0, 1, "A")], [1]),
    ("bioes", ["U-A", "B-A", "L-A"], [(0, 1, "A"), (1, 3, "A")], []),
    ("iob1", ["B-A", "I-A"], [(0, 2, "A")], [0]),
    ("iob1", ["I-A", "I-B"], [(0, 1, "A"), (1, 2, "B")], []),
  ],
)
def test_ill_formed_sequences(scheme, sequence, spans, issue_at):
  got, issues = tags.decode(sequence, scheme)
  assert got == spans
  assert [i.index for i in issues] == issue_at


def test_bad_tags_raise_with_token_index():
  with pytest.raises(tags.TagError) as e:
    tags.decode(["O", "S-A"], "bio")
  assert e.value.index == 1
  with pytest.raises(tags.TagError):
    tags.decode(["B-"], "bio")
  with pytest.raises(ValueError, match="overlaps"):
    tags.encode([(0, 2, "A"), (1, 3, "B")], 3, "bio")


def test_detect_scheme():
  assert tags.detect_scheme([["B-A", "I-A", "O"]])[0] == "bio"
  assert tags.detect_scheme([["I-A", "O", "I-B", "B-B"]])[0] == "iob1"
  assert tags.detect_scheme([["B-A", "E-A"]])[0] == "bioes"
  assert tags.detect_scheme([["PER", "B-A", "I-A"]])[0] == "bio"  # PER: skipped


# --- CoNLL ---------------------------------------------------------------


def _conll(name, scheme="auto", **columns):
  path = str(SAMPLES / "conll" / name)
  report = common.Report()
  text = open(path, encoding="utf-8").read()
  sentences = conll.read_sentences(text, path, report=report, **columns)
  if scheme == "auto":
    scheme, _ = tags.detect_scheme(s.tags for s in sentences)
  records = conll.to_records(sentences, scheme, split="train", report=report)
  return scheme, records, report


def _entities(record):
  return [(e["name"], e["type"]) for e in record.instance["entities"]]


def _check_offsets(records):
  for r in records:
    items = r.instance.get("entities") or []
    for e in items:
      start, end = e["pos"]
      assert r.instance["sentence"][start:end] == e["name"]


def test_conll2003_iob1_four_columns_and_docstart():
  scheme, records, report = _conll("conll2003_iob1.txt")
  assert scheme == "iob1"
  assert report.counts["documents (-DOCSTART-)"] == 2
  assert [r.instance["sentence"] for r in records] == [
    "EU rejects German call to boycott British lamb .",
    "Peter Blackburn",
    "In Germany France and Spain .",
  ]
  assert _entities(records[2]) == [
    ("Germany", "LOC"),
    ("France", "LOC"),
    ("Spain", "LOC"),
  ]
  assert records[0].instance["entities"][1]["pos"] == [11, 17]
  assert report.notes == []
  _check_offsets(records)


def test_mit_tag_first_column():
  scheme, records, report = _conll(
    "mit_movie.bio", tag_column=0, token_column=1
  )
  assert scheme == "bio"
  assert _entities(records[0]) == [
    ("science fiction", "GENRE"),
    ("steve mcqueen", "ACTOR"),
  ]
  assert _entities(records[1]) == [("five star", "RATINGS_AVERAGE")]
  _check_offsets(records)


def test_ill_formed_tags_counted_with_lines():
  _, records, report = _conll("crossner_illformed.txt")
  where = [(n.where.rsplit(":", 1)[1], n.kind) for n in report.notes]
  assert where == [("5", "ill-formed tags"), ("11", "ill-formed tags")]
  assert _entities(records[0])[1] == ("deep learning", "field")
  assert _entities(records[1]) == [("Turing", "award"), ("Award", "misc")]


def test_bioes_unclosed_span():
  scheme, records, report = _conll("bioes.txt")
  assert scheme == "bioes"
  assert _entities(records[0]) == [("Aspirin", "chemical"), ("COX - 1", "gene")]
  assert _entities(records[1]) == [("acute renal", "disease")]
  assert [n.where.rsplit(":", 1)[1] for n in report.notes] == ["9"]


def test_bad_lines_skip_their_sentence_with_line():
  _, records, report = _conll("bad_lines.txt")
  assert [r.instance["sentence"] for r in records] == [
    "Alice likes",
    "Dave smiles",
  ]
  skipped = [n for n in report.notes if n.kind == "sentence skipped"]
  assert [n.where.rsplit(":", 1)[1] for n in skipped] == ["4", "6"]


def test_lines_end_at_newline_only():
  report = common.Report()
  text = "a\u2028b\tB-X\nc\tO\r\n\nd\tB-Y\n"
  sentences = conll.read_sentences(text, "f", report=report)
  assert [s.tokens for s in sentences] == [["a\u2028b", "c"], ["d"]]
  assert [s.line for s in sentences] == [1, 4]


# --- BRAT ----------------------------------------------------------------


def _brat(discontinuous="cover", text=None, ann=None):
  folder = SAMPLES / "brat" / "corpus"
  text = text or open(folder / "doc1.txt", encoding="utf-8", newline="").read()
  ann = ann or open(folder / "doc1.ann", encoding="utf-8").read()
  report = common.Report()
  records = brat.read_document(
    text,
    ann,
    txt_file="doc1.txt",
    ann_file="doc1.ann",
    unit="doc1",
    split="train",
    report=report,
    discontinuous=discontinuous,
  )
  return records, report


def test_brat_entities_relations_events():
  records, report = _brat()
  ner = [r for r in records if r.family == "NER"]
  re_ = [r for r in records if r.family == "RE"]
  ee = [r for r in records if r.family == "EE"]
  assert len(ner) == 5  # one per non-blank line
  assert _entities(ner[0]) == [
    ("Aspirin", "Drug"),
    ("COX-1", "Protein"),
    ("platelets", "Cell"),
  ]
  # Triggers are not entities.
  assert _entities(ner[1]) == [
    ("IL-2", "Protein"),
    ("STAT5", "Protein"),
    ("STAT5", "Protein"),
  ]
  assert len(re_) == 1
  rel = re_[0].instance["relations"][0]
  assert (rel["head"]["name"], rel["type"], rel["tail"]["name"]) == (
    "Aspirin",
    "Inhibits",
    "COX-1",
  )
  # Every event of the sentence, in one instance.
  (event_record,) = ee
  events = event_record.instance["events"]
  assert [e["type"] for e in events] == [
    "Binding",
    "Phosphorylation",
    "Positive_regulation",
  ]
  assert [a["role"] for a in events[0]["arguments"]] == ["Theme", "Theme"]
  assert [(a["role"], a["name"]) for a in events[2]["arguments"]] == [
    ("Cause", "binding"),
    ("Theme", "phosphorylation"),
  ]
  for r in records:
    sentence = r.instance["sentence"]
    for e in r.instance.get("events", []):
      assert sentence[slice(*e["pos"])] == e["trigger"]
      for a in e["arguments"]:
        assert sentence[slice(*a["pos"])] == a["name"]
  _check_offsets(ner)


def test_brat_reports_what_the_layout_cannot_hold():
  _, report = _brat()
  lines = {(n.kind, int(n.where.rsplit(":", 1)[1])) for n in report.notes}
  assert lines == {
    ("nested event argument", 13),
    ("attribute not held", 14),
    ("modifier not held", 15),
    ("equivalence not held", 16),
    ("note not held", 17),
    ("discontinuous entity", 18),
    ("discontinuous entity", 19),
    ("crosses a sentence boundary", 19),
    ("text mismatch", 21),
    ("crosses a sentence boundary", 22),
    ("relation left out", 23),
    ("bad line", 24),
    ("duplicate dropped", 25),
  }
  assert report.counts["role numbers removed (Theme2 -> Theme)"] == 1
  assert report.counts["triggers (not entities)"] == 3


def test_brat_discontinuous_cover_or_drop():
  records, _ = _brat("cover")
  ner = [r for r in records if r.family == "NER"]
  assert _entities(ner[2]) == [("left and right ventricles", "Anatomy")]
  records, report = _brat("drop")
  ner = [r for r in records if r.family == "NER"]
  assert _entities(ner[2]) == []
  assert any("left out" in n.message for n in report.notes)


def test_brat_crlf_offsets_count_carriage_returns():
  text = "Anna met Bo .\r\nBo left Oslo .\r\n"
  oslo = text.index("Oslo")
  ann = f"T1\tPerson 0 4\tAnna\nT2\tCity {oslo} {oslo + 4}\tOslo\n"
  records, report = _brat(text=text, ann=ann)
  assert report.notes == []
  assert records[1].instance == {
    "sentence": "Bo left Oslo .",
    "entities": [
      {
        "name": "Oslo",
        "type": "City",
        "pos": [8, 12],
        common.WHERE: "doc1.ann:2",
      }
    ],
  }


# --- JSON lines ----------------------------------------------------------


def _jsonl(name, token_end="inclusive"):
  path = str(SAMPLES / "jsonl" / name)
  report = common.Report()
  text = open(path, encoding="utf-8").read()
  records = jsonl.read_lines(
    text, path, split="test", report=report, token_end=token_end
  )
  return records, report


def test_gliner_token_spans():
  records, report = _jsonl("gliner.jsonl")
  assert (
    records[0].instance["sentence"] == "Apple hired Tim Cook in Cupertino ."
  )
  assert _entities(records[0]) == [
    ("Apple", "organization"),
    ("Tim Cook", "person"),
    ("Cupertino", "location"),
  ]
  assert len(records) == 3
  kinds = sorted((n.where.rsplit(":", 1)[1], n.kind) for n in report.notes)
  assert kinds == [
    ("4", "span skipped"),
    ("4", "span skipped"),
    ("5", "line skipped"),
    ("6", "line skipped"),
  ]
  _check_offsets(records)
  records, _ = _jsonl("gliner.jsonl", token_end="exclusive")
  assert _entities(records[0]) == [("Tim", "person")]  # [0, 0] is empty now


def test_character_spans_and_doccano():
  records, report = _jsonl("chars.jsonl")
  assert _entities(records[0]) == [
    ("Paris", "location"),
    ("France", "location"),
  ]
  assert records[1].instance["sentence"] == "Visit Rome  today"  # as given
  assert _entities(records[1]) == [("Rome", "location")]
  assert _entities(records[2]) == []
  assert len(records) == 3
  assert sorted(n.kind for n in report.notes) == [
    "line skipped",
    "span skipped",
    "span skipped",
  ]
  _check_offsets(records)


# --- labels, splits ------------------------------------------------------


def _record(family, items, unit="u", where="f:1"):
  key = task_types.ITEMS_KEY[family]
  return common.Record(family, {"sentence": "s", key: items}, where, unit)


def test_label_map_renames_drops_and_counts():
  ents = [
    common.entity("a", "PER", 0, 1, "f:1"),
    common.entity("b", "MISC", 0, 1, "f:2"),
    common.entity("c", "LOC", 0, 1, "f:3"),
  ]
  label_map = common.LabelMap({"PER": "person", "MISC": None})
  report = common.Report()
  (record,) = common.map_labels([_record("NER", ents)], label_map, None, report)
  assert [e["type"] for e in record.instance["entities"]] == ["person", "LOC"]
  assert report.counts["labels mapped (entity)"] == 1
  assert [(n.where, n.kind) for n in report.notes] == [
    ("f:2", "entity dropped")
  ]
  strict = common.LabelMap({"PER": "person"}, keep_unmapped=False)
  report = common.Report()
  ents = [common.entity("c", "LOC", 0, 1, "f:3")]
  common.map_labels([_record("NER", ents)], strict, None, report)
  assert "not in the label map" in report.notes[0].message


def test_re_instance_without_relations_after_mapping_is_noted():
  rel = {
    "head": {"name": "a", "type": "x", "pos": [0, 1]},
    "type": "drop me",
    "tail": {"name": "b", "type": "y", "pos": [0, 1]},
    common.WHERE: "f:7",
  }
  report = common.Report()
  kept = common.map_labels(
    [_record("RE", [rel], where="f:6")],
    common.LabelMap({"drop me": None}),
    None,
    report,
  )
  assert kept == []
  assert [(n.where, n.kind) for n in report.notes] == [
    ("f:7", "relation dropped"),
    ("f:6", "sentence skipped"),
  ]


def test_splits_by_seed_keep_units_together_and_are_deterministic():
  records = [_record("NER", [], unit=f"doc{i // 3}") for i in range(30)]
  first = common.assign_splits(records, (0.8, 0.1, 0.1), seed=3)
  again = common.assign_splits(records, (0.8, 0.1, 0.1), seed=3)
  assert first == again
  assert [len(first[s]) for s in schema.SPLITS] == [24, 3, 3]
  for split in schema.SPLITS:
    units = {r.unit for r in first[split]}
    assert all(
      r.unit not in units for s in schema.SPLITS if s != split for r in first[s]
    )
  other = common.assign_splits(records, (0.8, 0.1, 0.1), seed=4)
  assert other != first


@pytest.mark.parametrize("bad", ["0.5,0.6", "a,b", "1,0,0,0", "-1,2"])
def test_bad_ratios(bad):
  with pytest.raises(common.InputError):
    common.parse_ratios(bad)


# --- output --------------------------------------------------------------


def test_write_dataset_validates_and_refuses_foreign_folders(tmp_path):
  instances = [
    {
      "sentence": "Bo ran",
      "entities": [{"name": "Bo", "type": "person", "pos": [0, 2]}],
    }
  ]
  splits = {"train": instances, "dev": [], "test": []}
  folder = output.write_dataset(
    str(tmp_path), "NER", "d", splits, ["person"], {"x": 1}, overwrite=False
  )
  got, _, _ = schema.load_dataset_split(tmp_path, "NER", "d", "train")
  assert len(got) == 1
  with pytest.raises(common.InputError, match="--overwrite"):
    output.write_dataset(
      str(tmp_path), "NER", "d", splits, ["person"], {}, overwrite=False
    )
  # A label missing from labels.json fails validation; the old folder stays.
  with pytest.raises(output.ValidationError, match="not in labels.json"):
    output.write_dataset(
      str(tmp_path), "NER", "d", splits, ["place"], {}, overwrite=True
    )
  assert json.loads(open(os.path.join(folder, "labels.json")).read()) == [
    "person"
  ]
  assert sorted(os.listdir(tmp_path / "NER")) == ["d"]  # no staging left
  # Not made by the tool: never replaced.
  foreign = tmp_path / "NER" / "other"
  foreign.mkdir()
  with pytest.raises(common.InputError, match="not made by"):
    output.write_dataset(
      str(tmp_path), "NER", "other", splits, ["person"], {}, overwrite=True
    )


def test_several_events_per_instance_are_written(tmp_path):
  event = {"trigger": "hit", "type": "attack", "pos": [3, 6], "arguments": []}
  other = {"trigger": "Bo", "type": "attack", "pos": [0, 2], "arguments": []}
  splits = {"train": [{"sentence": "Bo hit", "events": [event, other]}]}
  folder = output.write_dataset(
    str(tmp_path), "EE", "e", splits, {"attack": []}, {}, overwrite=False
  )
  data = json.loads(open(os.path.join(folder, "train.json")).read())
  assert len(data[0]["events"]) == 2


# --- export --------------------------------------------------------------


def test_export_reports_untaggable_entities():
  instances = [
    {
      "sentence": "the U.S. army",
      "entities": [
        {"name": "U.S", "type": "country", "pos": [4, 7]},
        {"name": "U.S. army", "type": "org x", "pos": [4, 13]},
        {"name": "army", "type": "org x", "pos": [9, 13]},
      ],
    }
  ]
  report = common.Report()
  text = bio_export.export_split(instances, "bio", "f.json", report)
  assert text == "the\tO\nU.S.\tB-org_x\narmy\tI-org_x\n\n"
  assert [n.kind for n in report.notes] == [
    "entity not on token boundaries",
    "overlapping entity",
  ]
  result = bio_export.roundtrip(instances, "bio", "f.json")
  assert (result.total, result.exact) == (1, 0)
  assert result.reasons == {"entity not on token boundaries": 1}


def test_label_map_back_from_tags():
  assert bio_export.label_map(["ratings average", "PER"]) == {
    "ratings_average": "ratings average"
  }
  with pytest.raises(common.InputError, match="both become"):
    bio_export.label_map(["a b", "a_b"])


def test_conll_splits_by_document_when_there_are_docstarts():
  _, records, _ = _conll("conll2003_iob1.txt")
  assert [r.unit.rsplit("#", 1)[1] for r in records] == ["1", "1", "2"]
  _, records, _ = _conll("bioes.txt")
  assert records[0].unit != records[1].unit


def test_gliner_json_list_file():
  text = json.dumps(
    [
      {"tokenized_text": ["Ann", "ran"], "ner": [[0, 0, "person"]]},
      "not an object",
    ]
  )
  report = common.Report()
  records = jsonl.read_lines(text, "g.json", split="train", report=report)
  assert _entities(records[0]) == [("Ann", "person")]
  assert [(n.where, n.kind) for n in report.notes] == [
    ("g.json[1]", "line skipped")
  ]
  with pytest.raises(common.InputError, match="g.json:1: invalid JSON"):
    jsonl.read_lines("[{", "g.json", split="train", report=report)


def test_label_map_per_family_roles_endpoints_and_empty_sentences():
  # EE: event types and roles are renamed and checked against --labels
  # (`type/role`); RE: the endpoints' entity types are renamed, never
  # dropped; NER: a sentence whose entities all go is kept.
  event = {
    "trigger": "hit",
    "type": "Attack",
    "pos": [0, 3],
    "arguments": [
      {"name": "a", "role": "Agent", "pos": [0, 1], common.WHERE: "f:2"},
      {"name": "b", "role": "Place", "pos": [0, 1], common.WHERE: "f:3"},
    ],
    common.WHERE: "f:1",
  }
  label_map = common.LabelMap({"Attack": "attack", "Agent": "attacker"})
  allowed = common.allowed_from_labels("EE", {"attack": ["attacker"]})
  report = common.Report()
  (record,) = common.map_labels(
    [_record("EE", [event])], label_map, allowed, report
  )
  (kept,) = record.instance["events"]
  assert kept["type"] == "attack"
  assert [a["role"] for a in kept["arguments"]] == ["attacker"]
  assert [(n.where, n.kind) for n in report.notes] == [
    ("f:3", "argument dropped")
  ]
  rel = {
    "head": {"name": "a", "type": "PER", "pos": [0, 1]},
    "type": "works for",
    "tail": {"name": "b", "type": "ORG", "pos": [0, 1]},
    common.WHERE: "f:7",
  }
  (record,) = common.map_labels(
    [_record("RE", [rel])],
    common.LabelMap({"PER": "person"}),
    common.allowed_from_labels("RE", ["works for"]),
    common.Report(),
  )
  (kept,) = record.instance["relations"]
  assert (kept["head"]["type"], kept["tail"]["type"]) == ("person", "ORG")
  ents = [common.entity("c", "LOC", 0, 1, "f:3")]
  kept = common.map_labels(
    [_record("NER", ents)],
    common.LabelMap(),
    common.allowed_from_labels("NER", ["person"]),
    common.Report(),
  )
  assert [r.instance["entities"] for r in kept] == [[]]


# --- the whole conversion (pipeline) -------------------------------------


def test_pipeline_converts_in_and_out_without_printing(tmp_path, capsys):
  logged = []
  done = pipeline.convert_in(
    "conll",
    [f"train={SAMPLES}/conll/mit_movie.bio"],
    str(tmp_path / "root"),
    "mm",
    pipeline.InOptions(tag_column=0, token_column=1),
    log=logged.append,
  )
  folder = tmp_path / "root" / "NER" / "mm"
  assert done.written == [
    f"{folder}: train 2, dev 0, test 0 instances, 3 entities"
    " (not given, written empty: dev, test)"
  ]
  assert done.report.counts["sentences converted"] == 2
  assert logged == [
    f"{SAMPLES}/conll/mit_movie.bio: tag scheme bio (auto: 3 spans start "
    "with B-, 0 with I-)"
  ]
  schema.load_dataset_split(str(tmp_path / "root"), "NER", "mm", "train")

  back = pipeline.convert_out(
    [str(tmp_path / "root")], str(tmp_path / "bio"), "mm", scheme="bioes"
  )
  assert back.written == [
    f"{tmp_path / 'bio' / 'mm'}: dev.txt, label_map.json, labels.json, "
    "test.txt, train.txt (bioes)"
  ]
  assert back.report.counts["train sentences written"] == 2
  assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
  "fmt, entries, options, message",
  [
    ("jsonl", ["train=x"], pipeline.InOptions(families="NER"), "brat only"),
    ("brat", ["train=x"], pipeline.InOptions(families="XX"), "--families="),
    ("conll", ["a", "b"], pipeline.InOptions(), "name the split"),
  ],
)
def test_pipeline_usage_errors(tmp_path, fmt, entries, options, message):
  for name in ("x", "a", "b"):
    if fmt == "brat":
      (tmp_path / name).mkdir()
    else:
      (tmp_path / name).touch()
  entries = [
    e.replace("=", f"={tmp_path}/") if "=" in e else str(tmp_path / e)
    for e in entries
  ]
  with pytest.raises(cli.UsageError, match=message):
    pipeline.convert_in(fmt, entries, str(tmp_path / "out"), "d", options)


def test_pipeline_names_the_dataset_that_fails_validation(
  tmp_path, monkeypatch
):
  monkeypatch.setattr(
    output, "validate_dataset", lambda *_: lambda staging: ["bad"]
  )
  with pytest.raises(pipeline.DatasetInvalid) as raised:
    pipeline.convert_in(
      "jsonl",
      [f"train={SAMPLES}/jsonl/gliner.jsonl"],
      str(tmp_path),
      "j",
    )
  assert (raised.value.name, raised.value.errors) == ("NER/j", ["bad"])
  assert not (tmp_path / "NER" / "j").exists()
