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

"""Tests for instruction prompts: layout, pools, sampling, examples.

The expected prompts are written out by hand from the string building of the
original InstructUIE `src/uie_dataset.py` loaders and the `str.format` of its
`src/uie_collator.py`; the instruction texts are this file's own.
"""

import collections
import json

import pytest

from instructuie_jax import instructions, schema, task_types

# A pool in the original JSON schema, with this test's own sentences.
POOL_JSON = {
  "NER": [
    {"instruction_type": "zero-shot", "instruction": "Tag entities. \n"},
    {"instruction_type": "zero-shot", "instruction": "Find names. \n"},
    {"instruction_type": "few-shot", "instruction": "Tag, as shown. \n"},
  ],
  "ES": [{"instruction_type": "zero-shot", "instruction": "Find spans. \n"}],
  "ET": [{"instruction_type": "zero-shot", "instruction": "Type them. \n"}],
  "RE": [{"instruction_type": "zero-shot", "instruction": "Find facts. \n"}],
  "EP": [{"instruction_type": "zero-shot", "instruction": "Find pairs. \n"}],
  "EPR": [{"instruction_type": "zero-shot", "instruction": "Relate. \n"}],
  "EE": [{"instruction_type": "zero-shot", "instruction": "Find events. \n"}],
  "EET": [{"instruction_type": "zero-shot", "instruction": "Triggers. "}],
  "EEA": [{"instruction_type": "zero-shot", "instruction": "Arguments. \n"}],
  "RC": [{"instruction_type": "zero-shot", "instruction": "Unused {0}. \n"}],
}

NER_LABELS = schema.Labels(("location", "organization", "person"))
RE_LABELS = schema.Labels(("live in", "organization in", "work for"))
EE_DICT = {
  "databreach": ["attacker", "compromised data"],
  "patch vulnerability": ["releaser", "vulnerability"],
  "phishing": ["attacker", "victim"],
}
EE_LABELS = schema.Labels(
  tuple(EE_DICT), {k: tuple(v) for k, v in EE_DICT.items()}
)


def _span(name, type_, sentence):
  start = sentence.index(name)
  return schema.Span(name, type_, (start, start + len(name)))


NER_SENTENCE = "Acme Corp hired Bob Smith in Paris ."
NER_INSTANCE = schema.Instance(
  id="tiny_ner/train/1",
  sentence=NER_SENTENCE,
  entities=(
    _span("Acme Corp", "organization", NER_SENTENCE),
    _span("Bob Smith", "person", NER_SENTENCE),
    _span("Paris", "location", NER_SENTENCE),
  ),
)
RE_SENTENCE = "Acme Corp is based in Paris and Bob Smith lives in Paris ."
RE_INSTANCE = schema.Instance(
  id="tiny_re/train/1",
  sentence=RE_SENTENCE,
  relations=(
    schema.AnnotatedRelation(
      _span("Acme Corp", "organization", RE_SENTENCE),
      "organization in",
      _span("Paris", "location", RE_SENTENCE),
    ),
    schema.AnnotatedRelation(
      _span("Bob Smith", "people", RE_SENTENCE),
      "live in",
      _span("Paris", "location", RE_SENTENCE),
    ),
  ),
)
EE_SENTENCE = "Hackers breached Acme's servers on Monday ."


def _event(type_, trigger, args, sentence=EE_SENTENCE):
  start = sentence.index(trigger)
  return schema.AnnotatedEvent(
    trigger,
    type_,
    (start, start + len(trigger)),
    tuple(
      schema.AnnotatedArgument(name, role, _span(name, "", sentence).pos)
      for name, role in args
    ),
  )


EE_INSTANCE = schema.Instance(
  id="tiny_ee/train/0",
  sentence=EE_SENTENCE,
  events=(
    _event(
      "databreach",
      "breached",
      [("Hackers", "attacker"), ("Acme's servers", "compromised data")],
    ),
  ),
)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
  path = tmp_path_factory.mktemp("pool") / "instruction_config.json"
  path.write_text(json.dumps(POOL_JSON), encoding="utf-8")
  return instructions.load_instruction_config(path)


def _build(instance, task, labels, pool, **kwargs):
  option_fields = ("seed", "option_policy", "target_format")
  options = {k: kwargs.pop(k) for k in option_fields if k in kwargs}
  kwargs["options"] = instructions.PromptOptions(**options)
  kwargs.setdefault("dataset", "tiny")
  kwargs.setdefault("split", "train")
  return instructions.build_example(instance, task, labels, pool=pool, **kwargs)


# --------------------------------------------------------------------------
# render_prompt: the layout table.

RENDERED = {
  "NER": (
    ["person", "location"],
    None,
    "I. \nOption: person, location \nText: S . \nAnswer:",
  ),
  "ES": (["person"], None, "I. \nOption: person \nText: S . \nAnswer:"),
  "RE": (
    ["work for", "kill"],
    None,
    "I. \nOption: work for, kill \nText: S . \nAnswer:",
  ),
  "EP": (["kill"], None, "I. \nOption: kill \nText: S . \nAnswer:"),
  "ET": (
    ["person", "location"],
    {"entities": ["Ada", "London"]},
    "I. \nOption: person, location \nText: S . \n Entities: Ada, London"
    " \nAnswer:",
  ),
  "EPR": (
    ["work for"],
    {"pairs": [("Bob", "Acme"), ("Ada", "IBM")]},
    "I. \nOption: work for \nText: S . \n Entity Pairs:  Bob, Acme; Ada, IBM"
    " \nAnswer:",
  ),
  "EE": (
    ["attack", "die"],
    {"roles": ["victim", "place"]},
    "I. \n Option: Event type: ['attack', 'die'], Arguments type: "
    "['victim', 'place']. \nText: S . \nAnswer:",
  ),
  "EET": (
    ["attack", "die"],
    None,
    "I. \n Option: attack, die \nText: S . \nAnswer:",
  ),
  "EEA": (
    ["victim", "place"],
    {"event_type": "attack"},
    "I. \nEvent type: attack \n  Option: victim, place \nText: S . \nAnswer:",
  ),
}


def test_every_task_has_a_layout():
  assert set(RENDERED) == set(task_types.TASK_TYPES)


@pytest.mark.parametrize("task", sorted(RENDERED))
def test_render_prompt(task):
  options, extra, expected = RENDERED[task]
  assert instructions.render_prompt(task, "I. \n", options, "S .", extra) == (
    expected
  )


def test_render_prompt_ee_list_reprs_quote_like_python():
  prompt = instructions.render_prompt("EE", "", ["it's"], "S", {"roles": ["a"]})
  assert prompt == (
    " Option: Event type: [\"it's\"], Arguments type: ['a']. \nText: S"
    " \nAnswer:"
  )


def test_render_prompt_checks_extra():
  with pytest.raises(ValueError, match=r"needs extra keys \['entities'\]"):
    instructions.render_prompt("ET", "I", ["a"], "S")
  with pytest.raises(ValueError, match=r"needs extra keys \[\]"):
    instructions.render_prompt("NER", "I", ["a"], "S", {"entities": []})
  with pytest.raises(ValueError, match="No prompt layout for task 'RC'"):
    instructions.render_prompt("RC", "I", ["a"], "S")


def test_render_prompt_braces_and_dollars_stay_literal():
  # The original's `instruction.format(sentence)` would leave the sentence
  # out here (KeyError swallowed by `finally: return`); the prompt keeps it.
  prompt = instructions.render_prompt(
    "ET",
    "Use {x} and $y. \n",
    ["a{0}b", "c}"],
    "f(x) = {x} costs $5 .",
    {"entities": ["{x}"]},
  )
  assert prompt == (
    "Use {x} and $y. \nOption: a{0}b, c} \nText: f(x) = {x} costs $5 . \n"
    " Entities: {x} \nAnswer:"
  )


# --------------------------------------------------------------------------
# build_example: prompts and targets per task.

EXPECTED = {
  ("NER", "ner"): (
    "Tag entities. \nOption: location, organization, person \n"
    "Text: Acme Corp hired Bob Smith in Paris . \nAnswer:",
    " organization: Acme Corp; person: Bob Smith; location: Paris",
  ),
  ("ES", "ner"): (
    "Find spans. \nOption: location, organization, person \n"
    "Text: Acme Corp hired Bob Smith in Paris . \nAnswer:",
    " Acme Corp, Bob Smith, Paris",
  ),
  ("ET", "ner"): (
    "Type them. \nOption: location, organization, person \n"
    "Text: Acme Corp hired Bob Smith in Paris . \n"
    " Entities: Acme Corp, Bob Smith, Paris \nAnswer:",
    " organization: Acme Corp; person: Bob Smith; location: Paris",
  ),
  ("RE", "re"): (
    "Find facts. \nOption: live in, organization in, work for \n"
    "Text: Acme Corp is based in Paris and Bob Smith lives in Paris . \n"
    "Answer:",
    " organization in: Acme Corp, Paris; live in: Bob Smith, Paris",
  ),
  ("EP", "re"): (
    "Find pairs. \nOption: live in, organization in, work for \n"
    "Text: Acme Corp is based in Paris and Bob Smith lives in Paris . \n"
    "Answer:",
    " Acme Corp, Paris; Bob Smith, Paris",
  ),
  ("EPR", "re"): (
    "Relate. \nOption: live in, organization in, work for \n"
    "Text: Acme Corp is based in Paris and Bob Smith lives in Paris . \n"
    " Entity Pairs:  Acme Corp, Paris; Bob Smith, Paris \nAnswer:",
    " organization in: Acme Corp, Paris; live in: Bob Smith, Paris",
  ),
  ("EE", "ee"): (
    "Find events. \n Option: Event type: ['databreach', "
    "'patch vulnerability', 'phishing'], Arguments type: ['attacker', "
    "'compromised data', 'releaser', 'vulnerability', 'victim']. \n"
    "Text: Hackers breached Acme's servers on Monday . \nAnswer:",
    " ( databreach: breached,  Hackers: attacker, Acme's servers: "
    "compromised data) ",
  ),
  ("EET", "ee"): (
    "Triggers.  Option: databreach, patch vulnerability, phishing \n"
    "Text: Hackers breached Acme's servers on Monday . \nAnswer:",
    " databreach: breached",
  ),
  ("EEA", "ee"): (
    "Arguments. \nEvent type: databreach \n  Option: attacker, "
    "compromised data \nText: Hackers breached Acme's servers on Monday . \n"
    "Answer:",
    " Hackers: attacker; Acme's servers: compromised data",
  ),
}
_CASES = {
  "ner": (NER_INSTANCE, NER_LABELS),
  "re": (RE_INSTANCE, RE_LABELS),
  "ee": (EE_INSTANCE, EE_LABELS),
}


@pytest.mark.parametrize("task,case", sorted(EXPECTED))
def test_build_example_exact(pool, task, case):
  instance, labels = _CASES[case]
  example = _build(instance, task, labels, pool)
  inputs, targets = EXPECTED[task, case]
  assert example == {
    "inputs": inputs,
    "targets": targets,
    "task": task,
    "dataset": "tiny",
    "id": f"{instance.id}:{task}",
  }


def test_every_task_has_an_exact_example():
  assert {task for task, _ in EXPECTED} == set(task_types.TASK_TYPES)


@pytest.mark.parametrize(
  "labels",
  [
    EE_DICT,
    # The original's list variant `[event types, roles]`.
    [
      list(EE_DICT),
      ["attacker", "compromised data", "releaser", "vulnerability", "victim"],
    ],
    schema.Labels(
      tuple(EE_DICT),
      {
        t: ("attacker", "compromised data", "releaser", "vulnerability")
        + ("victim",)
        for t in EE_DICT
      },
    ),
  ],
  ids=["dict", "list", "labels_list_variant"],
)
def test_ee_labels_variants_give_the_same_prompt(pool, labels):
  example = _build(EE_INSTANCE, "EE", labels, pool)
  assert example["inputs"] == EXPECTED["EE", "ee"][0]


def test_ee_role_union_keeps_first_occurrence_order(pool):
  labels = {"b": ["y", "x"], "a": ["x", "z"], "databreach": ["attacker"]}
  prompt = _build(EE_INSTANCE, "EE", labels, pool)["inputs"]
  assert (
    "Event type: ['b', 'a', 'databreach'], Arguments type: "
    "['y', 'x', 'z', 'attacker']." in prompt
  )


def test_ee_needs_roles(pool):
  with pytest.raises(ValueError, match="tiny_ee/train/0: EE prompts need"):
    _build(EE_INSTANCE, "EE", ["databreach"], pool)


def test_eea_unknown_event_type(pool):
  with pytest.raises(ValueError, match="'databreach' has no roles"):
    _build(EE_INSTANCE, "EEA", {"phishing": ["victim"]}, pool)


def test_ner_without_entities(pool):
  instance = schema.Instance(id="t/dev/2", sentence="It rained all day .")
  ner = _build(instance, "NER", NER_LABELS, pool)
  assert ner["targets"] == " None"
  et = _build(instance, "ET", NER_LABELS, pool)
  assert et["inputs"].endswith(
    "Text: It rained all day . \n Entities:  \nAnswer:"
  )


def test_untyped_items_are_left_out_of_prompt_lists(pool):
  sentence = "Ada met Bob ."
  instance = schema.Instance(
    id="t/train/0",
    sentence=sentence,
    entities=(_span("Ada", "person", sentence), _span("Bob", "NA", sentence)),
  )
  prompt = _build(instance, "ET", NER_LABELS, pool)["inputs"]
  assert " Entities: Ada \n" in prompt
  relations = (
    schema.AnnotatedRelation(
      _span("Ada", "", sentence), "NA", _span("Bob", "", sentence)
    ),
    schema.AnnotatedRelation(
      _span("Bob", "", sentence), "work for", _span("Ada", "", sentence)
    ),
  )
  instance = schema.Instance(
    id="t/train/1", sentence=sentence, relations=relations
  )
  prompt = _build(instance, "EPR", RE_LABELS, pool)["inputs"]
  assert " Entity Pairs:  Bob, Ada \n" in prompt


def test_sentence_with_braces_is_kept(pool):
  sentence = "Acme {Corp} hired Bob ."
  instance = schema.Instance(
    id="t/train/0",
    sentence=sentence,
    entities=(_span("Acme {Corp}", "organization", sentence),),
  )
  example = _build(instance, "ET", ["organization", "{x}"], pool)
  assert example["inputs"] == (
    "Type them. \nOption: organization, {x} \nText: Acme {Corp} hired Bob ."
    " \n Entities: Acme {Corp} \nAnswer:"
  )


# --------------------------------------------------------------------------
# EEA with several events.

TWO_EVENTS = schema.Instance(
  id="t/train/5",
  sentence="Hackers breached Acme and phished Globex .",
  events=(
    _event(
      "databreach",
      "breached",
      [("Acme", "compromised data")],
      "Hackers breached Acme and phished Globex .",
    ),
    _event(
      "phishing",
      "phished",
      [("Globex", "victim")],
      "Hackers breached Acme and phished Globex .",
    ),
  ),
)


def test_eea_several_events_needs_event_index(pool):
  with pytest.raises(ValueError, match="t/train/5: EEA needs exactly one"):
    _build(TWO_EVENTS, "EEA", EE_LABELS, pool)


def test_eea_event_index(pool):
  example = _build(TWO_EVENTS, "EEA", EE_LABELS, pool, event_index=1)
  assert example["id"] == "t/train/5:EEA:1"
  assert example["inputs"] == (
    "Arguments. \nEvent type: phishing \n  Option: attacker, victim \n"
    "Text: Hackers breached Acme and phished Globex . \nAnswer:"
  )
  assert example["targets"] == " Globex: victim"
  with pytest.raises(ValueError, match="event_index 2 out of range"):
    _build(TWO_EVENTS, "EEA", EE_LABELS, pool, event_index=2)


def test_event_index_is_for_eea_only(pool):
  with pytest.raises(ValueError, match="EEA only"):
    _build(TWO_EVENTS, "EET", EE_LABELS, pool, event_index=0)


def test_one_event_same_example_with_or_without_index():
  kwargs = dict(
    options=instructions.PromptOptions(seed=4),
    dataset="d",
    split="train",
    strategy="multiple",
  )
  a = instructions.build_example(EE_INSTANCE, "EEA", EE_LABELS, **kwargs)
  b = instructions.build_example(
    EE_INSTANCE, "EEA", EE_LABELS, event_index=0, **kwargs
  )
  assert a == b
  assert a["id"] == "tiny_ee/train/0:EEA"


# --------------------------------------------------------------------------
# Instruction pools and strategies.


def test_load_instruction_config(pool):
  assert pool.instructions("NER") == ("Tag entities. \n", "Find names. \n")
  assert pool.few_shot == {"NER": ("Tag, as shown. \n",)}
  assert pool.instructions("RC") == ("Unused {0}. \n",)
  assert pool.source.endswith("instruction_config.json")
  with pytest.raises(ValueError, match="no zero-shot instruction for task"):
    pool.instructions("XX")


@pytest.mark.parametrize(
  "content,message",
  [
    ("[]", "top level must be an object"),
    ('{"NER": {}}', "NER: must be a list of objects"),
    ('{"NER": [1]}', r"NER\[0\]: must be an object"),
    (
      '{"NER": [{"instruction": "x"}, {"instruction_type": "one-shot"}]}',
      r"NER\[0\]: instruction_type: must be one of zero-shot, few-shot",
    ),
    (
      '{"RE": [{"instruction_type": "zero-shot", "instruction": ""}]}',
      r"RE\[0\]: instruction: must be a non-empty string",
    ),
    ('{"NER": [\n', r"bad.json:2: invalid JSON"),
  ],
)
def test_load_instruction_config_errors(tmp_path, content, message):
  path = tmp_path / "bad.json"
  path.write_text(content, encoding="utf-8")
  with pytest.raises(ValueError, match=message) as info:
    instructions.load_instruction_config(path)
  assert str(path) in str(info.value)


def test_default_pool_is_complete_and_consistent():
  pool = instructions.default_pool()
  assert set(pool.zero_shot) == set(task_types.TASK_TYPES)
  seen = set()
  for task, texts in pool.zero_shot.items():
    assert len(texts) >= 3, task
    for text in texts:
      assert text.endswith(". \n"), (task, text)
      assert "{" not in text and "}" not in text
      assert text not in seen
      seen.add(text)


def test_default_pool_unknown_format():
  with pytest.raises(ValueError, match="No instruction pool is shipped"):
    instructions.default_pool("bio")


def test_mapping_pool(pool):
  example = _build(NER_INSTANCE, "NER", NER_LABELS, {"NER": ["Go. \n"]})
  assert example["inputs"].startswith("Go. \nOption: ")


def test_unknown_strategy(pool):
  with pytest.raises(ValueError, match="Unknown instruction strategy"):
    _build(NER_INSTANCE, "NER", NER_LABELS, pool, strategy="all")


def _instances(n):
  return [
    schema.Instance(id=f"d/train/{i}", sentence=f"Sentence {i} .")
    for i in range(n)
  ]


def _instruction_of(example, pool):
  matches = [
    text
    for text in pool.instructions(example["task"])
    if example["inputs"].startswith(text)
  ]
  assert len(matches) == 1
  return matches[0]


def test_single_strategy_uses_the_first_instruction():
  pool = instructions.default_pool()
  for instance in _instances(20):
    example = instructions.build_example(
      instance,
      "NER",
      NER_LABELS,
      options=instructions.PromptOptions(seed=7),
      dataset="d",
      split="train",
    )
    assert example["inputs"].startswith(pool.instructions("NER")[0])


def test_multiple_strategy_is_seeded():
  pool = instructions.default_pool()

  def choices(seed):
    return [
      _instruction_of(
        instructions.build_example(
          instance,
          "NER",
          NER_LABELS,
          options=instructions.PromptOptions(seed=seed),
          dataset="d",
          split="train",
          strategy="multiple",
        ),
        pool,
      )
      for instance in _instances(40)
    ]

  assert choices(1) == choices(1)
  assert choices(1) != choices(2)
  assert set(choices(1)) == set(pool.instructions("NER"))


def test_shuffled_option_policy_is_seeded(pool):
  def options(seed):
    prompt = _build(
      NER_INSTANCE, "NER", NER_LABELS, pool, seed=seed, option_policy="shuffled"
    )["inputs"]
    return prompt.split("Option: ")[1].split(" \n")[0]

  assert options(3) == options(3)
  seen = {options(seed) for seed in range(30)}
  assert len(seen) > 1
  assert all(sorted(o.split(", ")) == list(NER_LABELS.types) for o in seen)


def test_label_dropout_keeps_gold_options(pool):
  labels = schema.Labels(("location", "organization", "person", "a", "b"))
  for seed in range(30):
    prompt = _build(
      NER_INSTANCE,
      "NER",
      labels,
      pool,
      seed=seed,
      option_policy="label_dropout",
    )["inputs"]
    options = prompt.split("Option: ")[1].split(" \n")[0].split(", ")
    assert {"location", "organization", "person"} <= set(options)


# --------------------------------------------------------------------------
# Auxiliary sampling and splits.


def test_keep_auxiliary_rate_and_reproducibility():
  ids = [f"synth/train/{i}" for i in range(10000)]
  kept = [instructions.keep_auxiliary(0, x, "ES") for x in ids]
  assert kept == [instructions.keep_auxiliary(0, x, "ES") for x in ids]
  # Pinned: a change of the seeding scheme shows up here.
  assert sum(kept) == 2968
  first = [
    instructions.keep_auxiliary(0, f"d/train/{i}", "ES") for i in range(12)
  ]
  assert first == [1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1]
  for seed, task in [(1, "ES"), (0, "ET"), (5, "EPR")]:
    rate = sum(instructions.keep_auxiliary(seed, x, task) for x in ids) / 1e4
    assert 0.28 < rate < 0.32, (seed, task, rate)
  assert all(instructions.keep_auxiliary(0, x, "EP", 1.0) for x in ids[:50])
  assert not any(instructions.keep_auxiliary(0, x, "EP", 0.0) for x in ids)


def test_keep_auxiliary_rejects_bad_prob():
  with pytest.raises(ValueError, match="must be in"):
    instructions.keep_auxiliary(0, "x", "ES", 1.2)


def test_examples_for_split_train_ner():
  instances = _instances(200)
  examples = list(
    instructions.examples_for_split(
      instances,
      "NER",
      NER_LABELS,
      dataset="d",
      split="train",
      train=True,
    )
  )
  by_task = collections.Counter(e["task"] for e in examples)
  assert by_task["NER"] == 200
  for task in ("ES", "ET"):
    expected = [
      f"{i.id}:{task}"
      for i in instances
      if instructions.keep_auxiliary(0, i.id, task)
    ]
    assert [e["id"] for e in examples if e["task"] == task] == expected
    assert 40 < by_task[task] < 80
  assert len({e["id"] for e in examples}) == len(examples)
  # Task by task, as the original generates them.
  assert [e["task"] for e in examples[:200]] == ["NER"] * 200
  # Strategy "multiple": more than one NER instruction in use.
  firsts = {e["inputs"].split(" \n")[0] for e in examples[:200]}
  assert len(firsts) > 1


def test_examples_for_split_eval_is_main_tasks_single():
  examples = list(
    instructions.examples_for_split(
      _instances(30),
      "RE",
      RE_LABELS,
      dataset="d",
      split="test",
      train=False,
    )
  )
  assert {e["task"] for e in examples} == {"RE"}
  first = instructions.default_pool().instructions("RE")[0]
  assert all(e["inputs"].startswith(first) for e in examples)


def test_examples_for_split_ee_one_eea_per_event(pool):
  untyped = _event("NA", "breached", [], EE_SENTENCE)
  instances = [
    EE_INSTANCE,
    TWO_EVENTS,
    schema.Instance(id="t/train/9", sentence=EE_SENTENCE, events=(untyped,)),
  ]
  examples = list(
    instructions.examples_for_split(
      instances,
      "EE",
      EE_DICT,
      dataset="d",
      split="train",
      train=True,
      pool=pool,
    )
  )
  assert [e["id"] for e in examples] == [
    "tiny_ee/train/0:EE",
    "t/train/5:EE",
    "t/train/9:EE",
    "tiny_ee/train/0:EET",
    "t/train/5:EET",
    "t/train/9:EET",
    "tiny_ee/train/0:EEA",
    "t/train/5:EEA:0",
    "t/train/5:EEA:1",
  ]


def test_examples_for_split_tasks_filter_and_determinism():
  kwargs = dict(
    family="NER",
    labels=NER_LABELS,
    dataset="d",
    split="train",
    train=True,
    tasks=["ET"],
    options=instructions.PromptOptions(
      seed=3, aux_prob=1.0, option_policy="shuffled"
    ),
  )
  first = list(instructions.examples_for_split(_instances(10), **kwargs))
  again = list(instructions.examples_for_split(_instances(10), **kwargs))
  assert first == again
  assert [e["task"] for e in first] == ["ET"] * 10
  with pytest.raises(ValueError, match="'RE' does not read family NER"):
    list(
      instructions.examples_for_split(
        _instances(1),
        "NER",
        NER_LABELS,
        dataset="d",
        split="train",
        train=True,
        tasks=["RE"],
      )
    )


def test_tiny_fixture_splits(tiny_data_dir):
  for family, dataset, labels_count in [
    ("NER", "tiny_ner", 3),
    ("RE", "tiny_re", 3),
    ("EE", "tiny_ee", 3),
  ]:
    for split in ("train", "dev", "test"):
      instances, labels, problems = schema.load_dataset_split(
        tiny_data_dir, family, dataset, split
      )
      assert not [p for p in problems if not p.is_warning]
      assert len(labels.types) == labels_count
      examples = list(
        instructions.examples_for_split(
          instances,
          family,
          labels,
          dataset=dataset,
          split=split,
          train=split == "train",
        )
      )
      assert examples, (dataset, split)
      for example in examples:
        assert example["inputs"].endswith(" \nAnswer:")
        assert example["targets"].startswith(" ")
