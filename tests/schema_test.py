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

"""Tests for the IE INSTRUCTIONS reader and validator (`schema`)."""

import copy
import json
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instructuie_jax import schema

NER_LABELS = schema.Labels(("location", "organization", "person"))
RE_LABELS = schema.Labels(("live in", "organization in", "work for"))
EE_LABELS = schema.Labels(
  ("databreach", "phishing"),
  {"databreach": ("attacker", "compromised data"), "phishing": ("victim",)},
)
LABELS = {"NER": NER_LABELS, "RE": RE_LABELS, "EE": EE_LABELS}

NER_OK = {
  "sentence": "Ada Lovelace was born in London .",
  "entities": [
    {"name": "Ada Lovelace", "type": "person", "pos": [0, 12]},
    {"name": "London", "type": "location", "pos": [25, 31]},
  ],
}
RE_OK = {
  "sentence": "Bob Smith works for Acme Corp .",
  "relations": [
    {
      "head": {"name": "Bob Smith", "type": "people", "pos": [0, 9]},
      "type": "work for",
      "tail": {"name": "Acme Corp", "type": "organization", "pos": [20, 29]},
    }
  ],
}
EE_OK = {
  "sentence": "Hackers breached Acme's servers .",
  "events": [
    {
      "trigger": "breached",
      "type": "databreach",
      "pos": [8, 16],
      "arguments": [
        {"name": "Hackers", "role": "attacker", "pos": [0, 7]},
        {"name": "Acme's servers", "role": "compromised data", "pos": [17, 31]},
      ],
    }
  ],
}
GOOD = {"NER": NER_OK, "RE": RE_OK, "EE": EE_OK}


def _write(path, data):
  path.write_text(json.dumps(data), encoding="utf-8")
  return path


def _load(tmp_path, family, instances, *, strict, labels="default"):
  path = _write(tmp_path / "train.json", instances)
  return schema.load_split(
    path,
    family=family,
    dataset="d",
    split="train",
    labels=LABELS[family] if labels == "default" else labels,
    strict=strict,
  )


# --- Reading good data -------------------------------------------------------


def test_reads_tiny_ner(tiny_data_dir):
  instances, labels, problems = schema.load_dataset_split(
    tiny_data_dir, "NER", "tiny_ner", "train"
  )
  assert problems == []
  assert labels == schema.Labels(("location", "organization", "person"))
  assert [i.id for i in instances] == [
    "tiny_ner/train/0",
    "tiny_ner/train/1",
    "tiny_ner/train/2",
  ]
  assert instances[0].entities == (
    schema.Span("Ada Lovelace", "person", (0, 12)),
    schema.Span("London", "location", (25, 31)),
  )
  assert instances[2].entities == ()
  assert instances[0].relations == () and instances[0].events == ()


def test_reads_tiny_re(tiny_data_dir):
  instances, labels, problems = schema.load_dataset_split(
    tiny_data_dir, "RE", "tiny_re", "train"
  )
  assert problems == []
  assert labels.roles is None
  assert instances[1].relations[1] == schema.AnnotatedRelation(
    schema.Span("Bob Smith", "people", (32, 41)),
    "live in",
    schema.Span("Paris", "location", (22, 27)),
  )


def test_reads_tiny_ee_dict_labels(tiny_data_dir):
  instances, labels, problems = schema.load_dataset_split(
    tiny_data_dir, "EE", "tiny_ee", "test"
  )
  assert problems == []
  assert labels.types == ("databreach", "patch vulnerability", "phishing")
  assert labels.roles["phishing"] == ("attacker", "victim")
  assert labels.all_roles == (
    "attacker",
    "compromised data",
    "releaser",
    "victim",
    "vulnerability",
  )
  assert instances[0].id == "tiny_ee/test/0"
  assert instances[0].events[0] == schema.AnnotatedEvent(
    "patched",
    "patch vulnerability",
    (7, 14),
    (
      schema.AnnotatedArgument("Globex", "releaser", (0, 6)),
      schema.AnnotatedArgument("the flaw", "vulnerability", (15, 23)),
    ),
  )
  assert instances[1].events[0].arguments == ()


@pytest.mark.parametrize("strict", [True, False])
def test_ee_instances_with_several_events_or_none(tmp_path, strict):
  second = dict(EE_OK["events"][0], trigger="Hackers", pos=[0, 7])
  several = dict(EE_OK, events=[EE_OK["events"][0], second])
  none = dict(EE_OK, events=[])
  instances, problems = _load(tmp_path, "EE", [several, none], strict=strict)
  assert problems == []
  assert [len(i.events) for i in instances] == [2, 0]
  assert [e.trigger for e in instances[0].events] == ["breached", "Hackers"]


def test_ee_list_labels_give_every_type_all_roles(tmp_path):
  path = _write(
    tmp_path / "labels.json",
    [["databreach", "phishing"], ["attacker", "victim"]],
  )
  labels = schema.load_labels(path, "EE")
  assert labels.types == ("databreach", "phishing")
  assert labels.roles == {
    "databreach": ("attacker", "victim"),
    "phishing": ("attacker", "victim"),
  }
  instance = copy.deepcopy(EE_OK)
  instance["events"][0]["arguments"] = [
    {"name": "Hackers", "role": "victim", "pos": [0, 7]}
  ]
  instances, problems = _load(
    tmp_path, "EE", [instance], strict=True, labels=labels
  )
  assert problems == [] and len(instances) == 1


@pytest.mark.parametrize("pos", ["absent", None, []])
def test_missing_pos_reads_as_none(tmp_path, pos):
  instance = copy.deepcopy(EE_OK)
  for item in (instance["events"][0], *instance["events"][0]["arguments"]):
    if pos == "absent":
      del item["pos"]
    else:
      item["pos"] = pos
  instances, problems = _load(tmp_path, "EE", [instance], strict=True)
  assert problems == []
  event = instances[0].events[0]
  assert event.pos is None
  assert [a.pos for a in event.arguments] == [None, None]


def test_empty_entity_type_and_unlisted_re_entity_types_are_accepted(tmp_path):
  instance = copy.deepcopy(RE_OK)
  instance["relations"][0]["head"]["type"] = ""
  instance["relations"][0]["tail"]["type"] = "not a label"
  instances, problems = _load(tmp_path, "RE", [instance], strict=True)
  assert problems == []
  assert instances[0].relations[0].head.type == ""


def test_other_families_keys_are_ignored(tmp_path):
  instance = dict(NER_OK, relations="ignored")
  instances, problems = _load(tmp_path, "NER", [instance], strict=True)
  assert problems == [] and instances[0].relations == ()


def test_without_labels_no_label_checks(tmp_path):
  instance = copy.deepcopy(NER_OK)
  instance["entities"][0]["type"] = "anything"
  instances, problems = _load(
    tmp_path, "NER", [instance], strict=True, labels=None
  )
  assert problems == [] and len(instances) == 1


# --- Problem kinds -----------------------------------------------------------


def _del(key):
  def corrupt(obj):
    del obj[key]

  return corrupt


def _set(key, value):
  def corrupt(obj):
    obj[key] = value

  return corrupt


def _at(path, corrupt):
  """Applies `corrupt` to the object reached by `path` (keys / indices)."""

  def apply(instance):
    obj = instance
    for key in path:
      obj = obj[key]
    corrupt(obj)

  return apply


ENT0 = ("entities", 0)
REL0 = ("relations", 0)
EV0 = ("events", 0)
ARG0 = ("events", 0, "arguments", 0)

# (family, corruption, field, kind, words in the message)
CASES = [
  ("NER", _del("sentence"), "sentence", "missing", "missing"),
  ("NER", _set("sentence", 7), "sentence", "type", "an integer 7"),
  ("NER", _set("sentence", " "), "sentence", "empty", "empty"),
  ("NER", _del("entities"), "entities", "missing", "missing"),
  ("NER", _set("entities", {}), "entities", "type", "expected a list"),
  ("NER", _at(("entities",), _set(0, "Ada")), "entities[0]", "type", "object"),
  ("NER", _at(ENT0, _del("name")), "entities[0].name", "missing", "missing"),
  ("NER", _at(ENT0, _set("name", ["Ada"])), "entities[0].name", "type", "list"),
  ("NER", _at(ENT0, _set("name", "")), "entities[0].name", "empty", "empty"),
  ("NER", _at(ENT0, _del("type")), "entities[0].type", "missing", "missing"),
  ("NER", _at(ENT0, _set("type", None)), "entities[0].type", "type", "null"),
  (
    "NER",
    _at(("entities", 1), _set("type", "city")),
    "entities[1].type",
    "label",
    "'city' is not in labels.json",
  ),
  (
    "NER",
    _at(ENT0, _set("type", "")),
    "entities[0].type",
    "label",
    "'' is not in labels.json",
  ),
  (
    "NER",
    _at(ENT0, lambda e: e.update(name="Ada Byron", pos=[])),
    "entities[0].name",
    "span",
    "'Ada Byron' not found in the sentence",
  ),
  ("NER", _at(ENT0, _set("pos", [0, 99])), "entities[0].pos", "pos", "range"),
  ("NER", _at(ENT0, _set("pos", [-1, 12])), "entities[0].pos", "pos", "range"),
  ("NER", _at(ENT0, _set("pos", [5, 5])), "entities[0].pos", "pos", "range"),
  (
    "NER",
    _at(ENT0, _set("pos", [0])),
    "entities[0].pos",
    "pos",
    "[start, end]",
  ),
  ("NER", _at(ENT0, _set("pos", [0, 1, 2])), "entities[0].pos", "pos", "list"),
  ("NER", _at(ENT0, _set("pos", ["0", 12])), "entities[0].pos", "pos", "two"),
  ("NER", _at(ENT0, _set("pos", [0.0, 12])), "entities[0].pos", "pos", "two"),
  ("NER", _at(ENT0, _set("pos", "0:12")), "entities[0].pos", "pos", "string"),
  (
    "NER",
    _at(ENT0, _set("pos", [1, 13])),
    "entities[0].pos",
    "pos",
    "sentence[1:13] is 'da Lovelace ', not 'Ada Lovelace' (the name occurs at 0)",
  ),
  (
    "RE",
    _at(REL0, _set("type", "born in")),
    "relations[0].type",
    "label",
    "'born in' is not in labels.json",
  ),
  ("RE", _at(REL0, _del("head")), "relations[0].head", "missing", "missing"),
  ("RE", _at(REL0, _set("tail", [])), "relations[0].tail", "type", "object"),
  ("RE", _at(REL0, _del("type")), "relations[0].type", "missing", "missing"),
  (
    "RE",
    _at(REL0 + ("head",), _set("name", "Bob Smyth")),
    "relations[0].head.pos",
    "pos",
    "the name is not in the sentence",
  ),
  (
    "RE",
    _at(REL0 + ("tail",), lambda t: t.update(name="Acme Inc", pos=None)),
    "relations[0].tail.name",
    "span",
    "not found",
  ),
  ("RE", _set("relations", []), "relations", "count", "no relations"),
  (
    "EE",
    _at(EV0, _set("type", "ransom")),
    "events[0].type",
    "label",
    "'ransom' is not in labels.json",
  ),
  (
    "EE",
    _at(ARG0, _set("role", "victim")),
    "events[0].arguments[0].role",
    "label",
    "'victim' is not a role of 'databreach'",
  ),
  ("EE", _at(EV0, _del("trigger")), "events[0].trigger", "missing", "missing"),
  ("EE", _at(EV0, _set("pos", [0, 8])), "events[0].pos", "pos", "'Hackers '"),
  (
    "EE",
    _at(EV0, _del("arguments")),
    "events[0].arguments",
    "missing",
    "missing",
  ),
  ("EE", _at(ARG0, _del("role")), "events[0].arguments[0].role", "missing", ""),
  (
    "EE",
    _at(ARG0, _set("pos", [0, 40])),
    "events[0].arguments[0].pos",
    "pos",
    "out of range for a sentence of 33 characters",
  ),
  ("NER", lambda i: i.clear(), "sentence", "missing", "missing"),
]


@pytest.mark.parametrize(
  "family,corrupt,field,kind,words",
  CASES,
  ids=[f"{c[0]}-{c[2]}-{c[3]}-{n}" for n, c in enumerate(CASES)],
)
def test_each_problem_lenient_and_strict(
  tmp_path, family, corrupt, field, kind, words
):
  bad = copy.deepcopy(GOOD[family])
  corrupt(bad)
  data = [
    GOOD[family],
    bad,
    GOOD[family] | {"sentence": GOOD[family]["sentence"] + " ."},
  ]
  instances, problems = _load(tmp_path, family, data, strict=False)
  errors = [p for p in problems if not p.is_warning]
  assert len(errors) >= 1, problems
  first = errors[0]
  assert (first.index, first.field, first.kind) == (1, field, kind), errors
  assert words in first.message
  assert str(first).startswith(f"{tmp_path / 'train.json'}:1: {field}: ")
  # The bad instance is left out; the others keep their file index in the id.
  assert [i.id for i in instances] == ["d/train/0", "d/train/2"]
  with pytest.raises(schema.DataError) as raised:
    _load(tmp_path, family, data, strict=True)
  assert raised.value.problem == first
  assert str(raised.value) == str(first)


def test_lenient_reports_every_problem_of_an_instance(tmp_path):
  bad = copy.deepcopy(NER_OK)
  bad["entities"][0]["type"] = "city"
  bad["entities"][1]["pos"] = [0, 3]
  bad["entities"].append({"name": "x"})
  instances, problems = _load(tmp_path, "NER", [bad], strict=False)
  assert instances == []
  assert [(p.index, p.field, p.kind) for p in problems] == [
    (0, "entities[0].type", "label"),
    (0, "entities[1].pos", "pos"),
    (0, "entities[2].type", "missing"),
    (0, "entities[2].name", "span"),
  ]


def test_strict_stops_at_first_error_lenient_counts_all(tmp_path):
  no_sentence = {"entities": []}
  data = [NER_OK, no_sentence, NER_OK | {"entities": 3}, no_sentence]
  with pytest.raises(schema.DataError) as raised:
    _load(tmp_path, "NER", data, strict=True)
  assert raised.value.problem.index == 1
  instances, problems = _load(tmp_path, "NER", data, strict=False)
  assert [i.id for i in instances] == ["d/train/0"]
  assert [(p.index, p.field) for p in problems] == [
    (1, "sentence"),
    (2, "entities"),
    (3, "sentence"),
  ]
  stats = schema.split_stats(instances, problems)
  assert stats == schema.SplitStats(instances=1, entities=2, errors=3)


def test_problem_str():
  assert str(schema.Problem("a.json", 3, "entities[2].pos", "bad")) == (
    "a.json:3: entities[2].pos: bad"
  )
  assert str(schema.Problem("a.json", None, "json", "bad")) == (
    "a.json: json: bad"
  )


# --- Duplicates: warnings, instance kept ------------------------------------


@pytest.mark.parametrize("strict", [True, False])
def test_duplicate_instance_is_a_warning(tmp_path, strict):
  instances, problems = _load(
    tmp_path, "NER", [NER_OK, RE_OK | NER_OK, NER_OK], strict=strict
  )
  assert [i.id for i in instances] == ["d/train/0", "d/train/1", "d/train/2"]
  assert [(str(p), p.kind, p.is_warning) for p in problems] == [
    (
      f"{tmp_path / 'train.json'}:1: instance: duplicate of instance 0",
      "duplicate",
      True,
    ),
    (
      f"{tmp_path / 'train.json'}:2: instance: duplicate of instance 0",
      "duplicate",
      True,
    ),
  ]


def test_same_sentence_other_event_is_not_a_duplicate(tmp_path):
  other = copy.deepcopy(EE_OK)
  other["events"][0]["arguments"].pop()
  _, problems = _load(tmp_path, "EE", [EE_OK, other], strict=True)
  assert problems == []


@pytest.mark.parametrize(
  "family,corrupt,field",
  [
    (
      "NER",
      lambda i: i["entities"].append(dict(i["entities"][0])),
      "entities[2]",
    ),
    (
      "RE",
      lambda i: i["relations"].append(copy.deepcopy(i["relations"][0])),
      "relations[1]",
    ),
    (
      "EE",
      lambda i: i["events"][0]["arguments"].insert(
        1, i["events"][0]["arguments"][0]
      ),
      "events[0].arguments[1]",
    ),
  ],
)
def test_duplicate_item_is_a_warning(tmp_path, family, corrupt, field):
  instance = copy.deepcopy(GOOD[family])
  corrupt(instance)
  instances, problems = _load(tmp_path, family, [instance], strict=True)
  assert len(instances) == 1
  assert [(p.index, p.field, p.kind) for p in problems] == [
    (0, field, "duplicate")
  ]
  assert problems[0].message.startswith("duplicate of ")


# --- File-level problems -----------------------------------------------------


def test_invalid_json_names_line_and_column(tmp_path):
  path = tmp_path / "train.json"
  path.write_text(
    '[\n{"sentence": "a", "entities": []},\n{"sentence" "b"}\n]\n'
  )
  with pytest.raises(schema.DataError) as raised:
    schema.load_split(path, family="NER", dataset="d", split="train")
  problem = raised.value.problem
  assert (problem.file, problem.index, problem.field, problem.kind) == (
    str(path),
    None,
    "json",
    "json",
  )
  assert problem.message == (
    "line 3: invalid JSON: Expecting ':' delimiter (column 13)"
  )
  instances, problems = schema.load_split(
    path, family="NER", dataset="d", split="train", strict=False
  )
  assert instances == [] and problems == [problem]


@pytest.mark.parametrize(
  "content,field,words",
  [
    ('{"sentence": "a"}', "file", "expected a JSON list of instances"),
    (b"\xff\xfe[]", "file", "not UTF-8"),
    (None, "file", "file not found"),
  ],
)
def test_file_problems(tmp_path, content, field, words):
  path = tmp_path / "train.json"
  if isinstance(content, bytes):
    path.write_bytes(content)
  elif content is not None:
    path.write_text(content)
  instances, problems = schema.load_split(
    path, family="NER", dataset="d", split="train", strict=False
  )
  assert instances == []
  assert [(p.index, p.field) for p in problems] == [(None, field)]
  assert words in problems[0].message
  with pytest.raises(schema.DataError):
    schema.load_split(path, family="NER", dataset="d", split="train")


def test_unknown_family():
  with pytest.raises(ValueError, match="Unknown dataset family 'NRE'"):
    schema.load_split("x.json", family="NRE", dataset="d", split="train")


# --- labels.json -------------------------------------------------------------


@pytest.mark.parametrize(
  "family,content,field,words",
  [
    ("NER", {"person": []}, "labels", "expected a list of entity types"),
    ("RE", "work for", "labels", "expected a list of relation types"),
    ("NER", ["person", 3], "labels[1]", "non-empty string"),
    ("NER", ["person", ""], "labels[1]", "non-empty string"),
    ("RE", ["a", "b", "a"], "labels[2]", "label 'a' repeats labels[0]"),
    ("EE", [["databreach"]], "labels", "expected {event type: [roles]}"),
    ("EE", ["databreach", "attacker"], "labels", "[[event types], [roles]]"),
    ("EE", [["databreach"], [1]], "labels[1][0]", "non-empty string"),
    ("EE", {"databreach": "attacker"}, "labels['databreach']", "a list"),
    ("EE", {"": ["attacker"]}, "labels", "empty event type"),
  ],
)
def test_bad_labels(tmp_path, family, content, field, words):
  path = _write(tmp_path / "labels.json", content)
  with pytest.raises(schema.DataError) as raised:
    schema.load_labels(path, family)
  problem = raised.value.problem
  assert (problem.file, problem.index, problem.field) == (
    str(path),
    None,
    field,
  )
  assert words in problem.message


def test_broken_labels_lenient_reads_split_without_label_checks(
  tmp_path, tiny_data_dir
):
  root = tmp_path / "data"
  shutil.copytree(tiny_data_dir, root)
  labels_path = root / "NER" / "tiny_ner" / "labels.json"
  labels_path.write_text('["person",')
  with pytest.raises(schema.DataError):
    schema.load_dataset_split(root, "NER", "tiny_ner", "train")
  instances, labels, problems = schema.load_dataset_split(
    root, "NER", "tiny_ner", "train", strict=False
  )
  assert len(instances) == 3
  assert labels == schema.Labels(())
  assert [(p.file, p.field) for p in problems] == [(str(labels_path), "json")]


def test_missing_split_file(tmp_path, tiny_data_dir):
  root = tmp_path / "data"
  shutil.copytree(tiny_data_dir, root)
  (root / "RE" / "tiny_re" / "dev.json").unlink()
  instances, _, problems = schema.load_dataset_split(
    root, "RE", "tiny_re", "dev", strict=False
  )
  assert instances == []
  assert [str(p) for p in problems] == [
    f"{root / 'RE' / 'tiny_re' / 'dev.json'}: file: file not found"
  ]


# --- Datasets and stats ------------------------------------------------------


def test_list_datasets(tiny_data_dir, tmp_path):
  assert schema.list_datasets(tiny_data_dir) == [
    ("NER", "tiny_ner"),
    ("RE", "tiny_re"),
    ("EE", "tiny_ee"),
  ]
  (tmp_path / "RE" / "b").mkdir(parents=True)
  (tmp_path / "RE" / "a").mkdir()
  (tmp_path / "RE" / ".cache").mkdir()
  (tmp_path / "RE" / "notes.txt").write_text("")
  assert schema.list_datasets(tmp_path) == [("RE", "a"), ("RE", "b")]
  with pytest.raises(FileNotFoundError, match="missing"):
    schema.list_datasets(tmp_path / "missing")


def test_split_stats_tiny(tiny_data_dir):
  totals = {}
  for family, dataset in schema.list_datasets(tiny_data_dir):
    for split in schema.SPLITS:
      instances, _, problems = schema.load_dataset_split(
        tiny_data_dir, family, dataset, split
      )
      totals[dataset, split] = schema.split_stats(instances, problems)
  assert totals["tiny_ner", "train"] == schema.SplitStats(
    instances=3, entities=5
  )
  assert totals["tiny_re", "train"] == schema.SplitStats(
    instances=2, relations=3
  )
  assert totals["tiny_ee", "test"] == schema.SplitStats(
    instances=2, events=2, arguments=2
  )


# --- Property: any in-range span is accepted, any shifted one is not ---------


@given(
  sentence=st.text(min_size=1, max_size=30),
  data=st.data(),
)
def test_pos_round_trip(tmp_path_factory, sentence, data):
  start = data.draw(st.integers(0, len(sentence) - 1))
  end = data.draw(st.integers(start + 1, len(sentence)))
  name = sentence[start:end]
  instance = {
    "sentence": sentence,
    "entities": [{"name": name, "type": "person", "pos": [start, end]}],
  }
  path = _write(tmp_path_factory.mktemp("p") / "train.json", [instance])
  kwargs = dict(family="NER", dataset="d", split="train", labels=NER_LABELS)
  if not sentence.strip() or not name.strip():
    instances, problems = schema.load_split(path, strict=False, **kwargs)
    assert instances == [] and problems[0].kind == "empty"
    return
  instances, problems = schema.load_split(path, **kwargs)
  assert problems == []
  assert instances[0].entities[0].pos == (start, end)
  shift = data.draw(st.sampled_from([-1, 1]))
  moved = [start + shift, end + shift]
  if 0 <= moved[0] and moved[1] <= len(sentence):
    instance["entities"][0]["pos"] = moved
    _write(path, [instance])
    instances, problems = schema.load_split(path, strict=False, **kwargs)
    moved_text = sentence[moved[0] : moved[1]]
    if moved_text == name:
      assert problems == []
    else:
      assert [(p.field, p.kind) for p in problems] == [
        ("entities[0].pos", "pos")
      ]


# --- Real data (skipped when absent) -----------------------------------------


def test_real_conll04_dev_reads_clean(shared_data_dir):
  instances, labels, problems = schema.load_dataset_split(
    shared_data_dir, "RE", "conll04", "dev"
  )
  assert len(instances) == 231
  assert sum(len(i.relations) for i in instances) == 343
  assert labels.types == (
    "kill",
    "live in",
    "located in",
    "organization in",
    "work for",
  )
  assert all(p.kind == "duplicate" for p in problems)


def test_real_phee_and_fewrel_variants(shared_data_dir):
  instances, labels, _ = schema.load_dataset_split(
    shared_data_dir, "EE", "PHEE", "test"
  )
  assert len(instances) == 1010
  assert labels.types == ("adverse event", "potential therapeutic event")
  assert all(len(i.events) == 1 for i in instances)
  instances, _, _ = schema.load_dataset_split(
    shared_data_dir, "RE", "fewrel_0", "dev"
  )
  assert {r.head.type for i in instances for r in i.relations} == {""}


def test_real_file_corrupted(shared_data_dir, tmp_path):
  src = shared_data_dir / "RE" / "conll04"
  root = tmp_path / "data"
  (root / "RE" / "conll04").mkdir(parents=True)
  shutil.copy(src / "labels.json", root / "RE" / "conll04" / "labels.json")
  data = json.loads((src / "dev.json").read_text(encoding="utf-8"))
  start, end = data[5]["relations"][0]["head"]["pos"]
  data[5]["relations"][0]["head"]["pos"] = [start + 1, end + 1]
  del data[7]["sentence"]
  data[9]["relations"][0]["type"] = "located at"
  _write(root / "RE" / "conll04" / "dev.json", data)
  instances, _, problems = schema.load_dataset_split(
    root, "RE", "conll04", "dev", strict=False
  )
  errors = [p for p in problems if not p.is_warning]
  assert [(p.index, p.field, p.kind) for p in errors] == [
    (5, "relations[0].head.pos", "pos"),
    (7, "sentence", "missing"),
    (9, "relations[0].type", "label"),
  ]
  assert len(instances) == 231 - 3
  with pytest.raises(schema.DataError) as raised:
    schema.load_dataset_split(root, "RE", "conll04", "dev")
  assert raised.value.problem == errors[0]
