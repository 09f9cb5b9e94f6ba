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

"""Label-option policies in whole examples: targets follow the options.

`gold_dropout` drops gold labels and their answers; `negatives` adds labels
the answer does not use, from the dataset and from the family's pool;
evaluation prompts list the labels as given. The statistics run over many
seeded examples of small synthetic datasets of every family.
"""

import dataclasses
import functools
import random

import pytest

from instructuie_jax import (
  formats,
  instructions,
  label_options,
  schema,
  task_types,
)

NER_LABELS = schema.Labels(tuple(f"type{i}" for i in range(6)))
RE_LABELS = schema.Labels(tuple(f"rel{i}" for i in range(5)))
EE_ROLES = {f"event{i}": (f"role{i}a", f"role{i}b", "place") for i in range(4)}
EE_LABELS = schema.Labels(tuple(EE_ROLES), EE_ROLES)
LABELS = {"NER": NER_LABELS, "RE": RE_LABELS, "EE": EE_LABELS}


def _span(name, type_=""):
  return schema.Span(name, type_, None)


def _instances(family: str, n: int = 150) -> list[schema.Instance]:
  """Instances with 0-4 typed items each (and an untyped one now and then)."""
  rng = random.Random(family)
  labels = LABELS[family]
  out = []
  for i in range(n):
    k = rng.randrange(5)
    names = [f"w{i}_{j}" for j in range(2 * k + 2)]
    items = {}
    if family == "NER":
      items["entities"] = tuple(
        _span(names[j], rng.choice(labels.types)) for j in range(k)
      ) + ((_span(names[-1], "NA"),) if i % 7 == 0 else ())
    elif family == "RE":
      items["relations"] = tuple(
        schema.AnnotatedRelation(
          _span(names[2 * j], "h"),
          rng.choice(labels.types),
          _span(names[2 * j + 1], "t"),
        )
        for j in range(k)
      )
    else:
      events = []
      for j in range(min(k, 2)):
        event_type = rng.choice(labels.types)
        roles = labels.roles[event_type]
        events.append(
          schema.AnnotatedEvent(
            names[2 * j],
            event_type,
            None,
            tuple(
              schema.AnnotatedArgument(names[2 * j + 1], role, None)
              for role in rng.sample(roles, rng.randrange(len(roles) + 1))
            ),
          )
        )
      items["events"] = tuple(events)
    out.append(
      schema.Instance(
        id=f"d/train/{i}", sentence=" ".join(names) + " .", **items
      )
    )
  return out


def _options_of(option_policy="as_given", option_params=None, seed=0):
  params = option_params or label_options.Params()
  return instructions.PromptOptions(
    seed=seed,
    aux_prob=1.0,
    option_policy=option_policy,
    **dataclasses.asdict(params),
  )


def _examples(
  family,
  instances,
  *,
  train=True,
  option_policy="as_given",
  option_params=None,
  seed=0,
  **kwargs,
):
  return list(
    instructions.examples_for_split(
      instances,
      family,
      LABELS[family],
      dataset="d",
      split="train" if train else "test",
      train=train,
      options=_options_of(option_policy, option_params, seed),
      **kwargs,
    )
  )


def _options(example):
  """The options (EE: event types and roles) read back from the prompt."""
  return task_types.get(example["task"]).layout.read(example["inputs"])


def _subject(example, by_id):
  """The instance (EEA: narrowed to its event) an example asks about."""
  instance_id, _, suffix = example["id"].partition(":")
  instance = by_id[instance_id]
  if task_types.get(example["task"]).per_event:
    k = int(suffix.split(":")[1]) if ":" in suffix else 0
    instance = dataclasses.replace(instance, events=(instance.events[k],))
  return instance


def _expected(task, instance, options):
  """The instance keeping the items whose labels the prompt lists."""
  per_event = task_types.get(task).per_event
  events = tuple(
    dataclasses.replace(
      e, arguments=tuple(a for a in e.arguments if a.role in options)
    )
    for e in instance.events
    if per_event or e.type in options
  )
  return dataclasses.replace(
    instance,
    entities=tuple(
      e for e in instance.entities if e.type in options or e.type == "NA"
    ),
    relations=tuple(r for r in instance.relations if r.type in options),
    events=events,
  )


def _names(instance) -> set[str]:
  """Names of the typed entities and relation heads and tails."""
  return {e.name for e in instance.entities if e.type != "NA"} | {
    s.name for r in instance.relations for s in (r.head, r.tail)
  }


def _items(task, instance) -> int:
  """Gold items whose label a prompt of `task` may drop."""
  if task_types.get(task).per_event:
    return sum(len(e.arguments) for e in instance.events)
  typed = [e for e in instance.entities if e.type != "NA"]
  return len(typed) + len(instance.relations) + len(instance.events)


@pytest.mark.parametrize("family", ["NER", "RE", "EE"])
def test_gold_dropout_removes_answers_exactly_when_their_label_is(family):
  instances = _instances(family)
  by_id = {i.id: i for i in instances}
  fmt = formats.get("instructuie")
  rate = 0.4
  examples = _examples(
    family,
    instances,
    option_policy="gold_dropout",
    option_params=label_options.Params(dropout_rate=rate),
  )
  assert {e["task"] for e in examples} == set(
    task_types.tasks_of_family(family)
  )
  gold_items = removed = 0
  for example in examples:
    task = example["task"]
    options, _ = _options(example)
    subject = _subject(example, by_id)
    expected = _expected(task, subject, set(options))
    gold = task_types.get(task).gold(expected)
    assert example["targets"] == fmt.linearize(task, gold), example["id"]
    # Nor do the prompt's parts after the sentence (ET's entities, EPR's
    # pairs) name an item whose label was dropped.
    after_sentence = example["inputs"].split(subject.sentence)[1]
    for name in _names(subject) - _names(expected):
      assert name not in after_sentence, example["id"]
    gold_items += _items(task, subject)
    removed += _items(task, subject) - _items(task, expected)
  # An item's label drops with probability `rate` (the one label kept when
  # all drop lowers it a little).
  assert gold_items > 300
  assert rate - 0.07 < removed / gold_items < rate + 0.03, removed / gold_items


@pytest.mark.parametrize("family", ["NER", "RE", "EE"])
def test_policies_keeping_gold_keep_every_answer(family):
  instances = _instances(family, 60)
  as_given = _examples(family, instances)
  for name in ("shuffled", "label_dropout", "negatives"):
    examples = _examples(family, instances, option_policy=name)
    assert [e["targets"] for e in examples] == [
      e["targets"] for e in as_given
    ], name
  # gold_dropout at rate 0 drops nothing: the examples of as_given exactly.
  assert (
    _examples(
      family,
      instances,
      option_policy="gold_dropout",
      option_params=label_options.Params(dropout_rate=0.0),
    )
    == as_given
  )


@pytest.mark.parametrize("family", ["NER", "RE", "EE"])
def test_evaluation_prompts_list_the_labels_as_given(family):
  instances = _instances(family, 40)
  as_given = _examples(family, instances, train=False)
  for name in label_options.names():
    examples = _examples(
      family,
      instances,
      train=False,
      option_policy=name,
      option_params=label_options.Params(dropout_rate=0.9),
      label_pool=LABELS[family],
    )
    assert examples == as_given, name


POOL = schema.Labels(
  NER_LABELS.types[:2] + tuple(f"other{i}" for i in range(20))
)


@pytest.mark.parametrize("pool_rate", [0.0, 0.3, 1.0])
def test_negatives_draw_from_the_dataset_and_the_pool(pool_rate):
  instances = _instances("NER", 400)
  by_id = {i.id: i for i in instances}
  size = 2
  examples = _examples(
    "NER",
    instances,
    option_policy="negatives",
    option_params=label_options.Params(
      negatives_size=size, negatives_pool_rate=pool_rate
    ),
    label_pool=POOL,
    tasks=["NER"],
  )
  own = from_pool = 0
  for example in examples:
    options, _ = _options(example)
    gold = {e.type for e in by_id[example["id"].split(":")[0]].entities}
    gold.discard("NA")
    negatives = [o for o in options if o not in gold]
    assert gold <= set(options)
    assert len(negatives) == size
    assert set(negatives) <= set(NER_LABELS.types) | set(POOL.types)
    own += sum(o in NER_LABELS.types for o in negatives)
    from_pool += sum(o not in NER_LABELS.types for o in negatives)
  assert abs(from_pool / (own + from_pool) - pool_rate) < 0.05


def test_negatives_of_roles_come_from_the_pool_of_roles():
  instances = _instances("EE", 80)
  pool = schema.Labels(("strike",), {"strike": ("weapon", "target")})
  examples = _examples(
    "EE",
    instances,
    option_policy="negatives",
    option_params=label_options.Params(negatives_pool_rate=1.0),
    label_pool=pool,
    tasks=["EE", "EEA"],
  )
  seen = set()
  for example in examples:
    options, _ = _options(example)
    seen |= set(options)
  assert {"strike", "weapon", "target"} <= seen


def test_build_example_takes_the_policy_settings_and_pool():
  instance = _instances("NER", 3)[1]
  example = instructions.build_example(
    instance,
    "NER",
    NER_LABELS,
    dataset="d",
    split="train",
    options=_options_of(
      "negatives",
      label_options.Params(negatives_size=4, negatives_pool_rate=1.0),
    ),
    label_pool=POOL,
  )
  options, _ = _options(example)
  gold = {e.type for e in instance.entities}
  assert len(options) == len(gold) + 4
  assert set(options) - gold <= set(POOL.types) - set(NER_LABELS.types)


def test_a_prompt_is_a_function_of_seed_dataset_split_and_instance():
  instances = _instances("NER", 50)
  kwargs = dict(option_policy="negatives", label_pool=POOL)

  def by_id(examples):
    return {e["id"]: e for e in examples}

  first = by_id(_examples("NER", instances, **kwargs))
  assert first == by_id(_examples("NER", instances[::-1], **kwargs))
  assert first != by_id(_examples("NER", instances, seed=1, **kwargs))


# --------------------------------------------------------------------------
# Data settings and the family's label pool (the seqio side).


def test_each_switch_is_a_gin_bindable_data_setting():
  import gin

  from tasks import settings

  default = settings.resolve(vocab="byte")
  assert default.prompt.option_params == label_options.Params()
  bindings = {
    "option_policy": "'negatives'",
    "negatives_size": "3",
    "negatives_pool_rate": "0.25",
    "dropout_rate": "0.5",
  }
  for field, value in bindings.items():
    gin.parse_config(f"tasks.settings.data_settings.{field} = {value}")
    try:
      bound = settings.resolve(vocab="byte")
    finally:
      gin.clear_config()
    # In the fingerprint: a cache made with another value is refused.
    assert bound.fingerprint()["prompt"][field] == eval(value), field
    assert bound.fingerprint() != default.fingerprint(), field
  params = settings.resolve(
    vocab="byte", negatives_size=3, negatives_pool_rate=0.25, dropout_rate=0.5
  ).prompt.option_params
  assert params == label_options.Params(0.5, 3, 0.25)
  for bad, match in [
    (dict(dropout_rate=2.0), "dropout_rate must be in"),
    (dict(negatives_size=-2), "negatives_size must be"),
    (dict(option_policy="gold_first"), "Unknown label-option policy"),
  ]:
    with pytest.raises(ValueError, match=match):
      settings.resolve(vocab="byte", **bad)


def _write_labels(root, family, name, labels):
  import json

  folder = root / family / name
  folder.mkdir(parents=True)
  (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")


def test_family_label_pool_reads_the_trained_datasets_labels(tmp_path, caplog):
  from instructuie_jax import catalog
  from tasks import settings, sources

  _write_labels(tmp_path, "NER", "CoNLL 2003", ["person", "location"])
  _write_labels(tmp_path, "NER", "ACE 2004", ["person", "vehicle"])
  _write_labels(tmp_path, "NER", "mit-movie", ["actor"])  # Held out.
  _write_labels(tmp_path, "EE", "ACE05", {"attack": ["attacker", "place"]})
  _write_labels(tmp_path, "EE", "CASIE", [["breach"], ["attacker", "victim"]])
  with settings.scoped(vocab="byte", ie_instructions_dir=str(tmp_path)):
    with caplog.at_level("WARNING"):
      ner = sources.family_label_pool(catalog.get("CoNLL 2003"))
    ee = sources.family_label_pool(catalog.get("CASIE"))
  assert ner.types == ("person", "vehicle", "location")  # Catalog order.
  assert "leaves out" in caplog.text  # The datasets without labels.json.
  assert ee.types == ("attack", "breach")
  assert ee.roles == {
    "attack": ("attacker", "place"),
    "breach": ("attacker", "victim"),
  }


def test_family_label_pool_of_a_users_dataset_reads_the_users(tmp_path):
  import json

  from instructuie_jax import catalog
  from tasks import settings, sources, user_datasets

  _write_labels(tmp_path, "NER", "mine_a", ["gene"])
  _write_labels(tmp_path, "NER", "mine_b", ["protein", "gene"])
  _write_labels(tmp_path, "NER", "mine_held", ["cell"])
  meta = tmp_path / "NER" / "mine_held" / catalog.METADATA_FILE
  meta.write_text(json.dumps({"role": "zeroshot"}), encoding="utf-8")
  with settings.scoped(vocab="byte", user_datasets=[str(tmp_path)]):
    specs = {s.name: s for s in user_datasets.specs((str(tmp_path),))}
    pool = sources.family_label_pool(specs["mine_a"])
  assert pool.types == ("gene", "protein")  # Not the held-out "cell".


def test_seqio_preprocessor_reads_the_pool_for_training_prompts(tmp_path):
  from instructuie_jax import catalog
  from tasks import preprocessors, settings, sources

  _write_labels(tmp_path, "NER", "CoNLL 2003", ["person", "location"])
  _write_labels(tmp_path, "NER", "ACE 2004", ["vehicle", "weapon"])
  _write_labels(tmp_path, "NER", "mit-movie", ["actor", "director"])
  instances = _instances("NER", 60)
  labels = schema.Labels(("person", "location"))
  instances = [
    dataclasses.replace(
      i,
      entities=tuple(dataclasses.replace(e, type="person") for e in i.entities),
    )
    for i in instances
  ]

  def columns(split):
    return (
      [i.id for i in instances],
      [i.sentence for i in instances],
      [sources.gold_to_json(i) for i in instances],
      [sources.labels_to_json(labels)] * len(instances),
      [split] * len(instances),
    )

  options = instructions.PromptOptions(
    option_policy="negatives", negatives_size=2, negatives_pool_rate=1.0
  )
  # Evaluation prompts list the labels as given.
  inputs, _, _ = preprocessors.build_batch(
    "NER", "CoNLL 2003", options, *columns("test")
  )
  assert all("Option: person, location \n" in x for x in inputs)
  with pytest.raises(ValueError, match="got no label_pool"):
    preprocessors.build_batch("NER", "CoNLL 2003", options, *columns("train"))
  pool = functools.partial(sources.family_label_pool, catalog.get("CoNLL 2003"))
  with settings.scoped(vocab="byte", ie_instructions_dir=str(tmp_path)):
    inputs, targets, _ = preprocessors.build_batch(
      "NER", "CoNLL 2003", options, *columns("train"), label_pool=pool
    )
  seen = set()
  for prompt in inputs:
    options_seen, _ = task_types.get("NER").layout.read(prompt)
    seen |= set(options_seen)
  assert {"vehicle", "weapon"} <= seen
  assert not seen & {"actor", "director"}  # Held-out labels stay out.
  expected = _examples("NER", instances, tasks=["NER"])
  assert list(targets) == [e["targets"] for e in expected]


def test_gold_dropout_targets_in_the_word_level_format():
  # The dropped entities' words are tagged O like any other word.
  instances = _instances("NER", 60)
  by_id = {i.id: i for i in instances}
  fmt = formats.get("words_bio")
  options = dataclasses.replace(
    _options_of("gold_dropout", label_options.Params(dropout_rate=0.5)),
    target_format="words_bio",
  )
  examples = list(
    instructions.examples_for_split(
      instances,
      "NER",
      NER_LABELS,
      dataset="d",
      split="train",
      train=True,
      options=options,
      tasks=["NER"],
    )
  )
  dropped = 0
  for example in examples:
    offered, _ = _options(example)
    subject = _subject(example, by_id)
    expected = _expected("NER", subject, set(offered))
    task = task_types.get("NER")
    assert example["targets"] == fmt.linearize(
      task, task.gold(expected), sentence=subject.sentence
    )
    dropped += len(subject.entities) - len(expected.entities)
  assert dropped > 0
