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

"""Long texts through `Extractor.extract`, the server and `tools.extract`.

The model is `windows_testing.FakeModel`: it answers each window from gold,
cut pieces at the window's edges included, so every difference from gold is
the windows' doing.
"""

import json
import subprocess
import sys

import pytest

pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")

from instructuie_jax import formats, records, schema, scoring  # noqa: E402
from tests import windows_testing  # noqa: E402
from tests.conftest import REPO_ROOT  # noqa: E402

LABELS = ["location", "person"]


@pytest.fixture(scope="module")
def fixture() -> windows_testing.LongText:
  return windows_testing.long_text()


def _entities(answer):
  return sorted((e["type"], e["text"], e["start"], e["end"]) for e in answer)


def _gold(fixture):
  return sorted((g.type, g.text, g.start, g.end) for g in fixture.entities)


def _straddling(fixture, offsets):
  """Gold entities that some window's edge cuts."""
  edges = [end for _, end in offsets[:-1]] + [start for start, _ in offsets[1:]]
  return [g for g in fixture.entities for x in edges if g.start < x < g.end]


def test_every_entity_of_a_long_text_is_found_once_with_exact_offsets(
  fixture,
):
  extractor = windows_testing.make_extractor(
    windows_testing.entity_answers(fixture), "NER"
  )
  (answer,) = extractor.extract([fixture.text], "NER", LABELS)
  assert len(fixture.text) > 4000
  assert answer["windows"] == len(answer["window_offsets"]) > 5
  assert _entities(answer["entities"]) == _gold(fixture)
  assert _straddling(fixture, answer["window_offsets"])
  assert answer["window_merges"] > 0
  assert answer["truncated_tokens"] == answer["ungrounded"] == 0
  # `prediction` is the merged answer: it parses back to the records.
  parsed = formats.get("instructuie").parse("NER", answer["prediction"])
  assert [(r.type, r.text) for r in parsed.records] == [
    (e["type"], e["text"]) for e in answer["entities"]
  ]
  assert len(answer["window_predictions"]) == answer["windows"]
  # Every window's prompt fit, with the same instruction and options.
  prompts = extractor.model.prompts
  assert len(prompts) == answer["windows"]
  assert max(len(p.encode()) + 1 for p in prompts) <= extractor.input_length


def test_relations_inside_one_window_are_kept_once(fixture):
  extractor = windows_testing.make_extractor(
    windows_testing.relation_answers(fixture), "RE"
  )
  (answer,) = extractor.extract([fixture.text], "RE", ["live in"])
  assert answer["windows"] > 5
  got = sorted(
    (
      r["head"]["start"],
      r["head"]["text"],
      r["tail"]["start"],
      r["tail"]["text"],
    )
    for r in answer["relations"]
  )
  want = sorted(
    (h.start, h.text, t.start, t.text) for h, _, t in fixture.relations
  )
  assert got == want


def test_without_windows_the_prompt_is_cut_and_counted(fixture):
  extractor = windows_testing.make_extractor(
    windows_testing.entity_answers(fixture), "NER"
  )
  (answer,) = extractor.extract([fixture.text], "NER", LABELS, windows=False)
  assert answer["windows"] == 1 and answer["truncated_tokens"] > 0


def test_server_answers_a_long_text_in_windows(fixture):
  pytest.importorskip("httpx", reason="httpx (requirements-test.txt) missing")
  from fastapi import testclient  # noqa: PLC0415

  from instructuie_t5x import server  # noqa: PLC0415

  extractor = windows_testing.make_extractor(
    windows_testing.entity_answers(fixture), "NER"
  )
  app = server.create_app(extractor, max_batch_size=4)
  first = fixture.text[: fixture.text.index(". ") + 1]
  with testclient.TestClient(app, "http://127.0.0.1") as client:
    response = client.post(
      "/extract",
      json={"texts": [fixture.text, first], "task": "NER", "labels": LABELS},
    )
  assert response.status_code == 200, response.text
  body = response.json()
  long, short = body["results"]
  assert _entities(long["entities"]) == _gold(fixture)
  assert long["windows"] > 5 and short["windows"] == 1
  assert len(short["entities"]) == 2
  assert body["summary"]["windowed_texts"] == 1
  assert body["summary"]["windows"] == long["windows"] + 1
  with testclient.TestClient(app, "http://127.0.0.1") as client:
    response = client.post(
      "/extract",
      json={
        "texts": [fixture.text],
        "task": "NER",
        "labels": LABELS,
        "windows": False,
      },
    )
  (cut,) = response.json()["results"]
  assert cut["windows"] == 1 and cut["truncated_tokens"] > 0


_FAKE_MODEL_RUN = """
import sys
from instructuie_jax import cli
from tests import windows_testing
from instructuie_t5x import model_flags
from tools import extract

fixture = windows_testing.long_text()
model_flags.load = lambda batch_size: windows_testing.make_extractor(
  windows_testing.entity_answers(fixture), "NER", batch_size=batch_size
)
extract.define_flags()
sys.argv = ["tools.extract", *sys.argv[1:]]
cli.run(extract.main)
"""


@pytest.mark.slow
def test_extract_cli_finds_start_middle_and_end_of_a_5000_character_text(
  fixture, tmp_path
):
  source = tmp_path / "in.jsonl"
  source.write_text(json.dumps({"text": fixture.text, "id": "long"}) + "\n")
  output = tmp_path / "out.jsonl"
  proc = subprocess.run(
    [
      sys.executable,
      "-c",
      _FAKE_MODEL_RUN,
      "--checkpoint=fake",
      f"--input={source}",
      f"--output={output}",
      f"--labels={','.join(LABELS)}",
    ],
    cwd=REPO_ROOT,
    capture_output=True,
    text=True,
    timeout=300,
  )
  assert proc.returncode == 0, proc.stderr
  (answer,) = [json.loads(x) for x in output.read_text().splitlines()]
  assert len(fixture.text) >= 5000 and answer["id"] == "long"
  found = {(e["start"], e["end"]) for e in answer["entities"]}
  n = len(fixture.text)
  for where in (0, n // 2, n - 1):  # the entity nearest to each place
    gold = min(fixture.entities, key=lambda g, x=where: abs(g.start - x))
    assert (gold.start, gold.end) in found
    assert fixture.text[gold.start : gold.end] == gold.text
  assert _entities(answer["entities"]) == _gold(fixture)
  assert f"1 texts split into {answer['windows']} windows" in proc.stderr


def test_windowed_answers_are_a_predictions_file_that_scores(fixture, tmp_path):
  extractor = windows_testing.make_extractor(
    windows_testing.entity_answers(fixture), "NER"
  )
  gold = [records.Entity(g.type, g.text) for g in fixture.entities]
  target = formats.get("instructuie").linearize("NER", gold)
  item = {"text": fixture.text, "dataset": "long", "target": target}
  (answer,) = extractor.extract([item], "NER", LABELS)
  path = tmp_path / "answers.jsonl"
  path.write_text(json.dumps(answer) + "\n")
  report = scoring.score(scoring.read_predictions(str(path)))
  ner = report["datasets"]["long"]["NER"]["ner"]
  assert ner["tp"] == len(gold) and ner["fp"] == ner["fn"] == 0


def test_evaluation_windows_over_length_examples_instead_of_cutting(
  fixture, tmp_path
):
  from instructuie_jax import instructions  # noqa: PLC0415
  from instructuie_t5x import dataset_eval  # noqa: PLC0415

  folder = tmp_path / "NER" / "long"
  folder.mkdir(parents=True)
  entities = [
    {"name": g.text, "type": g.type, "pos": [g.start, g.end]}
    for g in fixture.entities
  ]
  short = fixture.text[: fixture.text.index(". ") + 1]
  instances = [
    {"sentence": fixture.text, "entities": entities},
    {"sentence": short, "entities": entities[:2]},
  ]
  (folder / "test.json").write_text(json.dumps(instances))
  (folder / "labels.json").write_text(json.dumps(LABELS))
  loaded, labels, _ = schema.load_dataset_split(tmp_path, "NER", "long", "test")
  options = instructions.PromptOptions()
  extractor = windows_testing.make_extractor(
    windows_testing.entity_answers(fixture), "NER"
  )
  run = dict(
    family="NER",
    tasks=("NER",),
    dataset="long",
    split="test",
    options=options,
    pool=instructions.default_pool(),
  )
  cut = dataset_eval.predict_split(extractor, loaded, labels, **run)
  assert [line["windows"] for line in cut] == [1, 1]
  assert cut[0]["truncated_tokens"] > 0 and cut[1]["truncated_tokens"] == 0
  lines = dataset_eval.predict_split(
    extractor, loaded, labels, windows=True, **run
  )
  assert lines[0]["windows"] > 5 and lines[1]["windows"] == 1
  assert lines[0]["truncated_tokens"] == 0
  assert lines[1]["prediction"] == cut[1]["prediction"]
  path = tmp_path / "predictions.jsonl"
  path.write_text("".join(json.dumps(line) + "\n" for line in lines))
  report = scoring.score(scoring.read_predictions(str(path)))
  counts = report["datasets"]["long"]["NER"]["ner"]
  assert counts["fp"] == counts["fn"] == 0
  assert counts["tp"] == len(fixture.entities) + 2
  # metrics.json (tools.evaluate, tools.score) totals the windows.
  assert report["windows"] == {
    "windowed_texts": 1,
    "windows": lines[0]["windows"] + 1,
    "window_merges": lines[0]["window_merges"],
  }
  assert lines[0]["window_merges"] > 0
  path.write_text("".join(json.dumps(line) + "\n" for line in cut))
  report = scoring.score(scoring.read_predictions(str(path)))
  assert report["windows"] == {
    "windowed_texts": 0,
    "windows": 2,
    "window_merges": 0,
  }
