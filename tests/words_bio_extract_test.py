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

"""The words_bio target format through the extraction API and evaluation.

A run whose data settings say words_bio is asked with its training prompts
and its answers are read with the words_bio parser: queries, the dataset
evaluation of `tools.evaluate`, the server, and the extractor's reading of
a run's config.gin.
"""

import json
import re
import shutil
import subprocess
import sys

import pytest

from instructuie_jax import instructions, schema, scoring
from instructuie_t5x import dataset_eval, queries
from tests import tiny_model_testing
from tests.conftest import TINY_DATA_DIR

WORDS_BIO = instructions.PromptOptions(target_format="words_bio")
REPO_ROOT = tiny_model_testing.REPO_ROOT


def _ner_split():
  return schema.load_dataset_split(TINY_DATA_DIR, "NER", "tiny_ner", "test")


def _gold_bio(text: str, entities) -> str:
  """A words_bio answer tagging `entities` ((type, text) pairs) in `text`."""
  tags = {}
  for kind, name in entities:
    first, *rest = name.split()
    tags[first] = f"B-{kind}"
    for word in rest:
      tags[word] = f"I-{kind}"
  return "".join(f" {w}({tags.get(w, 'O')})" for w in text.split())


def test_query_renders_the_training_prompt_and_reads_words_bio():
  instances, labels, _ = _ner_split()
  instance = next(i for i in instances if i.entities)
  example = instructions.build_example(
    instance, "NER", labels, dataset="d", split="test", options=WORDS_BIO
  )
  query = queries.make_query(
    "NER", instance.sentence, list(labels.types), options=WORDS_BIO
  )
  assert query.prompt == example["inputs"]
  assert (
    query.prompt
    != queries.make_query("NER", instance.sentence, list(labels.types)).prompt
  )
  assert query.target_format == "words_bio"
  answer = queries.answer(query, example["targets"])
  got = {(e["type"], e["text"]) for e in answer["entities"]}
  assert got == {(e.type, e.name) for e in instance.entities}
  assert all(e["grounded"] for e in answer["entities"])
  assert answer["parse_problems"] == []
  # The original format's parser reads none of it.
  plain = queries.make_query("NER", instance.sentence, list(labels.types))
  misread = queries.answer(plain, example["targets"])["entities"]
  assert {(e["type"], e["text"]) for e in misread} != got


def test_answer_realigns_changed_words_to_the_text():
  query = queries.make_query(
    "NER", "Ada  Lovelace met Bob .", ["person"], options=WORDS_BIO
  )
  # A dropped word and a double space in the text: offsets are the text's.
  answer = queries.answer(
    query, " Ada(B-person) Lovelace(I-person) Bob(B-person)"
  )
  spans = [(e["text"], e["start"], e["end"]) for e in answer["entities"]]
  assert spans == [("Ada  Lovelace", 0, 13), ("Bob", 18, 21)]
  assert answer["parse_problems"]  # "met" and "." missing: counted


def test_query_of_a_task_the_format_does_not_cover():
  with pytest.raises(queries.QueryError, match="does not cover task type RE"):
    queries.make_query("RE", "Ada met Bob .", ["knows"], options=WORDS_BIO)


def test_windows_merge_into_a_words_bio_prediction():
  text = "Ada met Bob . Eve saw Max ."
  query = queries.make_query("NER", text, ["person"], options=WORDS_BIO)
  plan = queries.window_query(
    query, lambda prompt: len(prompt.split()), len(query.prompt.split()) - 2, 0
  )
  assert len(plan.parts) > 1
  decoded = [
    (
      _gold_bio(p.text, [("person", w) for w in ("Ada", "Bob", "Eve", "Max")]),
      0,
    )
    for p in plan.parts
  ]
  answer = queries.answer_windows(plan, decoded)
  assert answer["prediction"] == _gold_bio(
    text, [("person", w) for w in ("Ada", "Bob", "Eve", "Max")]
  )
  assert [e["start"] for e in answer["entities"]] == [0, 8, 14, 22]


def test_overlapping_window_answers_are_kept_and_the_unwritable_named():
  text = "Ada met Bob . Eve saw Max ."
  query = queries.make_query(
    "NER", text, ["person", "location"], options=WORDS_BIO
  )
  plan = queries.window_query(
    query, lambda prompt: len(prompt.split()), len(query.prompt.split()) - 2, 2
  )
  assert [p.text.strip() for p in plan.parts] == [
    "Ada met Bob .",
    "Bob . Eve saw Max .",
  ]
  decoded = [
    (" Ada(O) met(B-person) Bob(I-person) .(O)", 0),
    (" Bob(B-location) .(O) Eve(O) saw(O) Max(O) .(O)", 0),
  ]
  answer = queries.answer_windows(plan, decoded)
  # Both records stay; the words_bio text holds the first, the second is a
  # counted problem (the format cannot write overlapping spans).
  assert [(e["text"], e["type"]) for e in answer["entities"]] == [
    ("met Bob", "person"),
    ("Bob", "location"),
  ]
  assert answer["prediction"] == (
    " Ada(O) met(B-person) Bob(I-person) .(O) Eve(O) saw(O) Max(O) .(O)"
  )
  assert len(answer["parse_problems"]) == 1
  assert "overlapping spans: 'Bob'" in answer["parse_problems"][0]


class _GoldExtractor:
  """Answers each prompt with the target the example of that prompt has."""

  batch_size = 4

  def __init__(self, answers):
    self.answers = answers
    self.prompts = []

  def decode(self, prompts):
    self.prompts.extend(prompts)
    return [(self.answers[p], 0) for p in prompts]


def test_dataset_evaluation_in_words_bio(tmp_path):
  instances, labels, _ = _ner_split()
  pool = instructions.options_pool(WORDS_BIO)
  examples = instructions.examples_for_split(
    instances,
    "NER",
    labels,
    dataset="tiny_ner",
    split="test",
    train=False,
    options=WORDS_BIO,
    tasks=("NER",),
    pool=pool,
  )
  answers = {e["inputs"]: e["targets"] for e in examples}
  extractor = _GoldExtractor(answers)
  lines = dataset_eval.predict_split(
    extractor,
    instances,
    labels,
    family="NER",
    tasks=("NER",),
    dataset="tiny_ner",
    split="test",
    options=WORDS_BIO,
    pool=pool,
  )
  assert len(lines) == len(instances) and set(extractor.prompts) == set(answers)
  assert {line["target_format"] for line in lines} == {"words_bio"}
  for line, instance in zip(lines, instances, strict=True):
    assert re.fullmatch(r"( \S+\((O|[BI]-[^()]+)\))+", line["target"])
    got = {(e["type"], e["text"]) for e in line["entities"]}
    assert got == {(e.type, e.name) for e in instance.entities}
    assert line["ungrounded"] == line["invalid_labels"] == 0
  path = tmp_path / "predictions.jsonl"
  path.write_text("".join(json.dumps(line) + "\n" for line in lines))
  report = scoring.score(scoring.read_jsonl(str(path)))
  assert report["averages"]["NER"], report
  for numbers in report["averages"]["NER"].values():
    assert numbers["micro_f1"] == 1.0


def test_server_asks_in_the_backend_format():
  pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")
  from fastapi import testclient  # noqa: PLC0415

  from instructuie_t5x import server  # noqa: PLC0415

  class WordsBioModel:
    options = WORDS_BIO
    prompts = []

    def decode(self, prompts):
      self.prompts.extend(prompts)
      out = []
      for prompt in prompts:
        text = re.search(r"Text: (.*) \nAnswer:", prompt, re.S).group(1)
        out.append((_gold_bio(text, [("person", text.split()[0])]), 0))
      return out

  model = WordsBioModel()
  app = server.create_app(model)
  with testclient.TestClient(app, "http://127.0.0.1") as client:
    response = client.post(
      "/extract",
      json={"texts": ["Ada met Bob ."], "task": "NER", "labels": ["person"]},
    )
  assert response.status_code == 200, response.text
  (result,) = response.json()["results"]
  assert [e["text"] for e in result["entities"]] == ["Ada"]
  assert result["parse_problems"] == []
  assert model.prompts[0].startswith(
    instructions.options_pool(WORDS_BIO).instructions("NER")[0]
  )


@pytest.fixture
def gin_left_as_found():
  """Unlocks and clears gin after a test that finalizes it in-process
  (`extractor.load_model`), so the worker's next tests can bind."""
  import gin  # noqa: PLC0415

  yield
  gin.clear_config()  # Unlocks too.


@pytest.mark.slow
@pytest.mark.usefixtures("gin_left_as_found")
def test_extractor_reads_the_prompt_options_of_the_run():
  from instructuie_t5x import extractor  # noqa: PLC0415

  bindings = [
    "from tasks import settings",
    "settings.data_settings.vocab = 'byte'",
  ]
  _, _, options = extractor.load_model(
    None,
    ["gin/models/tiny.gin"],
    [*bindings, "settings.data_settings.target_format = 'words_bio'"],
  )
  assert options == WORDS_BIO
  _, _, options = extractor.load_model(None, ["gin/models/tiny.gin"], bindings)
  assert options == instructions.PromptOptions()
  with pytest.raises(extractor.CheckpointError, match="data settings: .*nope"):
    extractor.load_model(
      None,
      ["gin/models/tiny.gin"],
      [*bindings, "settings.data_settings.instruction_file = '/nope.json'"],
    )


@pytest.fixture(scope="module")
def words_bio_run(tmp_path_factory) -> tuple[tiny_model_testing.TinyModel, str]:
  """The shared tiny model, in a run dir whose config.gin says words_bio."""
  tiny = tiny_model_testing.tiny_model(tmp_path_factory)
  run = tmp_path_factory.mktemp("words_bio_run") / "model"
  shutil.copytree(tiny.model_dir, run)
  with open(run / "config.gin", "a", encoding="utf-8") as f:
    f.write(
      "\nfrom tasks import settings\n"
      "settings.data_settings.target_format = 'words_bio'\n"
    )
  return tiny, str(run)


def _tool(tool, *args, env):
  return subprocess.run(
    [sys.executable, "-m", tool, *args],
    cwd=REPO_ROOT,
    env=env,
    capture_output=True,
    text=True,
    timeout=900,
    check=False,
  )


@pytest.mark.slow
def test_evaluate_and_extract_follow_the_run_config(words_bio_run, tmp_path):
  tiny, run = words_bio_run
  out = tmp_path / "evaluated"
  proc = _tool(
    "tools.evaluate",
    f"--checkpoint={run}",
    f"--data_dir={tiny.data_dir}",
    "--dataset=synth_heldout",
    f"--out_dir={out}",
    "--batch_size=8",
    "--mode=strict",
    env=tiny.env,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  lines = [json.loads(x) for x in (out / "predictions.jsonl").open()]
  assert lines and {x["target_format"] for x in lines} == {"words_bio"}
  instances, _, _ = schema.load_dataset_split(
    tiny.data_dir, "NER", "synth_heldout", "test"
  )
  for line, instance in zip(lines, instances, strict=True):
    assert re.fullmatch(r"( \S+\((O|[BI]-[^()]+)\))+", line["target"])
    assert line["target"].split("(")[0].strip() == instance.sentence.split()[0]
  metrics = json.loads((out / "metrics.json").read_text())
  assert metrics["num_examples"] == len(lines)

  texts = tmp_path / "texts.jsonl"
  texts.write_text(json.dumps({"text": instances[0].sentence}) + "\n")
  answers = tmp_path / "answers.jsonl"
  proc = _tool(
    "tools.extract",
    f"--checkpoint={run}",
    f"--input={texts}",
    f"--output={answers}",
    "--task=NER",
    "--labels=person,location",
    env=tiny.env,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  # The model's answer, read as words_bio would read it.
  (answer,) = [json.loads(x) for x in answers.open()]
  query = queries.make_query(
    "NER", instances[0].sentence, ["person", "location"], options=WORDS_BIO
  )
  expected = queries.answer(query, answer["prediction"])
  assert answer["entities"] == expected["entities"]
  assert answer["parse_problems"] == expected["parse_problems"]
  proc = _tool(
    "tools.extract",
    f"--checkpoint={run}",
    f"--input={texts}",
    f"--output={tmp_path / 'constrained.jsonl'}",
    "--task=NER",
    "--labels=person",
    "--constrained",
    "--target_length=256",  # a words_bio answer repeats the text's bytes
    env=tiny.env,
  )
  # Constrained: every word of the text with a tag of the options.
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert "spans not in the text: 0;" in proc.stderr
  assert "labels not offered: 0;" in proc.stderr
  (answer,) = [json.loads(x) for x in (tmp_path / "constrained.jsonl").open()]
  assert not answer["parse_problems"], answer
  assert all(e["type"] == "person" for e in answer["entities"])
