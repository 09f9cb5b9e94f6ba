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


"""Events with several triggers (and none): reader -> gold -> prompts ->
targets -> metrics, on the `ee_multi` fixture.

`tests/testdata/ee_multi/EE/multi_ee`: train holds an instance with two
events (phishing, then databreach), one with one event and one without
events; test an instance with two events and one without; dev one event.
"""

import pathlib

import pytest

from instructuie_jax import instructions, metrics, schema, task_types

ROOT = pathlib.Path(__file__).parent / "testdata" / "ee_multi"
POOL = {"EE": ["E. \n"], "EET": ["T. \n"], "EEA": ["A. \n"]}
SENTENCE = "Hackers phished Bob and then breached Acme's servers ."
ROLES = (
  "['attacker', 'compromised data', 'victim', 'releaser', 'vulnerability']"
)
TYPES = "['databreach', 'phishing', 'patch vulnerability']"
EE_TWO = (
  " ( phishing: phished,  Hackers: attacker, Bob: victim) ,"
  " ( databreach: breached,  Hackers: attacker, Acme's servers: compromised"
  " data) "
)


def _split(split):
  instances, labels, problems = schema.load_dataset_split(
    ROOT, "EE", "multi_ee", split
  )
  assert problems == []
  return instances, labels


def _examples(split, eea_events="each", **kwargs):
  instances, labels = _split(split)
  kwargs.setdefault("train", False)
  return list(
    instructions.examples_for_split(
      instances,
      "EE",
      labels,
      dataset="multi_ee",
      split=split,
      options=instructions.PromptOptions(eea_events=eea_events),
      pool=POOL,
      **kwargs,
    )
  )


def test_reader_accepts_several_events_and_none():
  instances, _ = _split("train")
  assert [len(i.events) for i in instances] == [2, 1, 0]
  assert [e.type for e in instances[0].events] == ["phishing", "databreach"]
  stats = schema.split_stats(instances, [])
  assert (stats.instances, stats.events, stats.arguments) == (3, 3, 6)


def test_gold_lists_every_event():
  instances, _ = _split("train")
  first, _, empty = instances
  ee = task_types.get("EE").gold(first)
  assert [(e.type, e.trigger, len(e.arguments)) for e in ee] == [
    ("phishing", "phished", 2),
    ("databreach", "breached", 2),
  ]
  assert [(e.type, e.trigger) for e in task_types.get("EET").gold(first)] == [
    ("phishing", "phished"),
    ("databreach", "breached"),
  ]
  assert task_types.get("EE").gold(empty) == ()
  assert task_types.get("EET").gold(empty) == ()


def test_prompts_and_targets():
  by_id = {e["id"]: e for e in _examples("train")}
  assert list(by_id) == [
    "multi_ee/train/0:EE",
    "multi_ee/train/1:EE",
    "multi_ee/train/2:EE",
    "multi_ee/train/0:EET",
    "multi_ee/train/1:EET",
    "multi_ee/train/2:EET",
    "multi_ee/train/0:EEA:0",
    "multi_ee/train/0:EEA:1",
    "multi_ee/train/1:EEA",
  ]
  ee = by_id["multi_ee/train/0:EE"]
  assert ee["inputs"] == (
    f"E. \n Option: Event type: {TYPES}, Arguments type: {ROLES}. \n"
    f"Text: {SENTENCE} \nAnswer:"
  )
  assert ee["targets"] == EE_TWO
  assert by_id["multi_ee/train/0:EET"]["targets"] == (
    " phishing: phished; databreach: breached"
  )
  first = by_id["multi_ee/train/0:EEA:0"]
  assert first["inputs"] == (
    "A. \nEvent type: phishing \n  Option: attacker, victim \n"
    f"Text: {SENTENCE} \nAnswer:"
  )
  assert first["targets"] == " Hackers: attacker; Bob: victim"
  second = by_id["multi_ee/train/0:EEA:1"]
  assert second["inputs"] == (
    "A. \nEvent type: databreach \n  Option: attacker, compromised data \n"
    f"Text: {SENTENCE} \nAnswer:"
  )
  assert (
    second["targets"] == " Hackers: attacker; Acme's servers: compromised data"
  )
  # Without events: EE and EET say " None", EEA has no example.
  assert by_id["multi_ee/train/2:EE"]["targets"] == " None"
  assert by_id["multi_ee/train/2:EET"]["targets"] == " None"


def test_eea_examples_match_build_example_with_event_index():
  instances, labels = _split("train")
  built = [
    instructions.build_example(
      instances[0],
      "EEA",
      labels,
      dataset="multi_ee",
      split="train",
      pool=POOL,
      event_index=k,
    )
    for k in (0, 1)
  ]
  eea = [e for e in _examples("train", tasks=["EEA"])][:2]
  assert eea == built


def test_eea_events_original_reproduces_the_original_loader():
  # The original EEA loader fails on an instance with several events (and
  # on one without events, indexing events[0]).
  with pytest.raises(ValueError, match=r"multi_ee/train/0: events: EEA .* 2"):
    _examples("train", tasks=["EEA"], eea_events="original")
  with pytest.raises(ValueError, match="unknown|Unknown eea_events"):
    _examples("train", eea_events="first")
  # Where every instance holds one event, both give the same examples.
  assert _examples("dev", eea_events="original") == _examples("dev")
  assert [e["id"] for e in _examples("dev")] == [
    "multi_ee/dev/0:EE",
    "multi_ee/dev/0:EET",
    "multi_ee/dev/0:EEA",
  ]


def test_metrics_count_every_event():
  examples = {e["id"]: e for e in _examples("test")}
  # The model finds the second event only (trigger, type and argument).
  ee_target = examples["multi_ee/test/0:EE"]["targets"]
  ee_prediction = " ( phishing: phished,  Eve: attacker) "
  counts = metrics.tally_texts("EE", [ee_target], [ee_prediction]).counts
  assert counts["ee_trigger"] == metrics.Counts(1, 0, 1)
  assert counts["ee_argument"] == metrics.Counts(1, 0, 2)
  eet_target = examples["multi_ee/test/0:EET"]["targets"]
  assert eet_target == " patch vulnerability: patched; phishing: phished"
  counts = metrics.tally_texts("EET", [eet_target], [eet_target]).counts
  assert counts["eet"] == metrics.Counts(2, 0, 0)
  # One EEA example per event; scored together through the seqio path.
  eea = [e for e in examples.values() if e["task"] == "EEA"]
  assert [e["id"] for e in eea] == [
    "multi_ee/test/0:EEA:0",
    "multi_ee/test/0:EEA:1",
  ]
  targets = [metrics.postprocess(e["targets"], e, is_target=True) for e in eea]
  predictions = [metrics.postprocess(" Eve: attacker", e) for e in eea]
  scores = metrics.metric_fn(targets, predictions)
  assert scores["multi_ee/eea_examples"] == 2
  assert (scores["multi_ee/eea_tp"], scores["multi_ee/eea_fp"]) == (1, 1)
  assert scores["multi_ee/eea_fn"] == 2


def test_seqio_preprocessor_builds_the_same_examples():
  pytest.importorskip("seqio", reason="the preprocessor runs in seqio")
  from tasks import preprocessors, sources

  options = instructions.PromptOptions()
  for split in ("train", "test"):
    instances, labels = _split(split)
    cols = (
      [i.id for i in instances],
      [i.sentence for i in instances],
      [sources.gold_to_json(i) for i in instances],
      [sources.labels_to_json(labels)] * len(instances),
      [split] * len(instances),
    )
    for task in ("EE", "EET", "EEA"):
      inputs, targets, ids = preprocessors.build_batch(
        task, "multi_ee", options, *cols
      )
      expected = [
        e
        for e in instructions.examples_for_split(
          instances,
          "EE",
          labels,
          dataset="multi_ee",
          split=split,
          train=split == "train",
          tasks=[task],
        )
      ]
      assert list(ids) == [e["id"] for e in expected]
      assert list(inputs) == [e["inputs"] for e in expected]
      assert list(targets) == [e["targets"] for e in expected]


def test_eea_events_is_a_data_setting():
  pytest.importorskip("seqio", reason="the preprocessor runs in seqio")
  import gin

  from tasks import preprocessors, settings, sources

  gin.parse_config("tasks.settings.data_settings.eea_events = 'original'")
  try:
    original = settings.resolve(vocab="byte")
  finally:
    gin.clear_config()
  assert original.prompt.eea_events == "original"
  each = settings.resolve(vocab="byte")
  assert each.prompt.eea_events == "each"
  # It changes the examples, so a cache made with the other value is refused.
  assert original.fingerprint() != each.fingerprint()
  with pytest.raises(ValueError, match="Unknown eea_events"):
    settings.resolve(eea_events="first")

  instances, labels = _split("train")
  cols = (
    [i.id for i in instances],
    [i.sentence for i in instances],
    [sources.gold_to_json(i) for i in instances],
    [sources.labels_to_json(labels)] * len(instances),
    ["train"] * len(instances),
  )
  _, _, ids = preprocessors.build_batch("EEA", "multi_ee", each.prompt, *cols)
  assert len(ids) == 3  # One per event: 2 + 1 + 0.
  with pytest.raises(ValueError, match="exactly one event"):
    preprocessors.build_batch("EEA", "multi_ee", original.prompt, *cols)
  # EE and EET do not read the setting.
  for task in ("EE", "EET"):
    assert (
      preprocessors.build_batch(task, "multi_ee", original.prompt, *cols)[
        2
      ].tolist()
      == (
        preprocessors.build_batch(task, "multi_ee", each.prompt, *cols)[2]
      ).tolist()
    )
