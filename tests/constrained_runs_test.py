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

"""Constrained decoding in T5X's runs: prompts read back, the automata built
in the feature converter, the rows left unconstrained, the cut of unfinished
answers (`instructuie_t5x.constrained_runs`)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import seqio
import tensorflow as tf

pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")

from t5x import models  # noqa: E402

from instructuie_jax import formats, instructions, task_types  # noqa: E402
from instructuie_jax.formats import grammar as grammar_lib  # noqa: E402
from instructuie_t5x import constrained, constrained_runs, queries  # noqa: E402

VOCAB = seqio.ByteVocabulary()
TEXT = "Ada Lovelace met Charles Babbage in London ."
# (task, item, labels): one query per prompt layout.
CASES = (
  ("NER", TEXT, ["person", "location"]),
  ("ES", TEXT, ["person", "location"]),
  ("RE", TEXT, ["works for", "born in"]),
  ("ET", {"text": TEXT, "entities": ["Ada Lovelace"]}, ["person"]),
  (
    "EPR",
    {"text": TEXT, "pairs": [["Ada Lovelace", "London"]]},
    ["born in"],
  ),
  ("EE", {"text": TEXT, "roles": ["attacker", "place"]}, ["attack", "meet"]),
  ("EET", TEXT, ["attack", "meet"]),
  ("EEA", {"text": TEXT, "event_type": "meet"}, ["entity", "place"]),
)
KEYS = constrained_runs.KEYS


def _equal(a: grammar_lib.Automaton, b: grammar_lib.Automaton) -> bool:
  return all(
    np.array_equal(getattr(a, f), getattr(b, f))
    for f in ("symbol", "has_next", "group", "follow", "start", "to_end")
  )


@pytest.mark.parametrize(("task", "item", "labels"), CASES)
def test_prompt_automaton_is_the_query_automaton(task, item, labels):
  query = queries.make_query(task, item, labels)
  from_prompt = constrained.automaton_from_prompt(task, query.prompt, VOCAB)
  assert _equal(from_prompt, constrained.automaton_for(query, VOCAB))


@pytest.mark.parametrize("task", list(task_types.TASK_TYPES))
def test_positions_grow_at_most_twice_as_fast_as_the_text(task):
  # The bound behind `default_positions`: two spans per grammar at most.
  def positions(text):
    check = queries.make_query("NER", text, ["a"]).label_check
    return constrained.automaton_of(task, check, text, VOCAB).num_positions

  assert positions(TEXT + " and more .") - positions(TEXT) <= 2 * 11


def test_layouts_read_options_and_roles_back():
  ee = instructions.render_prompt(
    "EE", "Find. \n", ("attack", "it's"), TEXT, {"roles": ("victim",)}
  )
  assert task_types.EE.layout.read_labels(ee) == (
    ("attack", "it's"),
    ("victim",),
    TEXT,
  )
  ner = instructions.render_prompt("NER", "Find. \n", ("a", "b c"), TEXT)
  assert task_types.NER.layout.read_labels(ner) == (("a", "b c"), None, TEXT)
  assert task_types.EE.layout.read_labels(ner) is None
  assert constrained.automaton_from_prompt("EE", ner, VOCAB) is None


# ---------------------------------------------------------------------------
# The feature converter.

LENGTHS = {"inputs": 128, "targets": 16}


def _examples(prompts: list[tuple[str, str]]) -> tf.data.Dataset:
  def encoded(text: str) -> np.ndarray:
    return np.asarray(VOCAB.encode(text)[:8], np.int32)

  rows = [
    {
      "inputs": encoded(prompt),
      "targets": encoded(" x"),
      "inputs_pretokenized": prompt,
      "task": task,
      "id": f"e{i}",
    }
    for i, (task, prompt) in enumerate(prompts)
  ]
  return tf.data.Dataset.from_generator(
    lambda: iter(rows),
    output_signature={
      "inputs": tf.TensorSpec([None], tf.int32),
      "targets": tf.TensorSpec([None], tf.int32),
      "inputs_pretokenized": tf.TensorSpec([], tf.string),
      "task": tf.TensorSpec([], tf.string),
      "id": tf.TensorSpec([], tf.string),
    },
  )


def _converter(**kwargs) -> constrained_runs.FeatureConverter:
  return constrained_runs.FeatureConverter(
    pack=False, vocabulary=VOCAB, target_format="instructuie", **kwargs
  )


def test_converter_adds_each_examples_automaton():
  ner = queries.make_query("NER", TEXT, ["person", "location"])
  short = queries.make_query("NER", "Bo .", ["person"])
  prompts = [
    ("NER", ner.prompt),
    ("RE", ner.prompt),  # The NER layout is RE's: read as RE.
    ("EE", ner.prompt),  # Not EE's layout: unconstrained.
    ("NER", short.prompt),
  ]
  converter = _converter(positions=160)
  out = list(converter(_examples(prompts), LENGTHS).as_numpy_iterator())
  assert [bool(x["constraint_on"]) for x in out] == [True, True, False, True]
  for x in out:
    assert x["encoder_input_tokens"].shape == (128,)
    assert x["constraint_follow"].shape == (16, 160)
    assert all(x["constraint_" + k].shape[-1] == 160 for k in KEYS)
  expected = [
    constrained.automaton_for(ner, VOCAB),
    constrained.automaton_from_prompt("RE", ner.prompt, VOCAB),
    None,
    constrained.automaton_for(short, VOCAB),
  ]
  for x, automaton in zip(out, expected, strict=True):
    if automaton is None:
      assert not x["constraint_start"].any()
      continue
    packed = constrained.pack([automaton], 1, 160, 16)
    for k in KEYS:
      np.testing.assert_array_equal(x["constraint_" + k], packed[k][0])
  assert converter.unconstrained == {"prompt_not_read": 1}


def test_an_automaton_over_the_sizes_is_decoded_unconstrained(caplog):
  ner = queries.make_query("NER", TEXT, ["person", "location"])
  size = constrained.automaton_for(ner, VOCAB).num_positions
  short = queries.make_query("NER", "Bo .", ["person"])
  converter = _converter(positions=size - 1)
  ds = _examples([("NER", ner.prompt), ("NER", short.prompt)])
  out = list(converter(ds, LENGTHS).as_numpy_iterator())
  assert [bool(x["constraint_on"]) for x in out] == [False, True]
  assert converter.unconstrained == {"too_large": 1}
  assert "example 'e0' decoded without constraints" in caplog.text
  assert f"{size} positions" in caplog.text
  # The default fits every prompt the inputs hold: twice their length.
  assert constrained_runs.default_positions(LENGTHS["inputs"]) == 256
  out = list(_converter()(ds, LENGTHS).as_numpy_iterator())
  assert [bool(x["constraint_on"]) for x in out] == [True, True]
  assert out[0]["constraint_symbol"].shape == (256,)


def test_training_streams_get_no_automata():
  ner = queries.make_query("NER", TEXT, ["person"])
  ds = _examples([("NER", ner.prompt)])
  for converter, data in (
    (_converter(), ds.repeat()),  # endless: the training stream
    (
      constrained_runs.FeatureConverter(
        pack=True, vocabulary=VOCAB, target_format="instructuie"
      ),
      ds,
    ),
  ):
    x = next(iter(converter(data, LENGTHS)))
    assert not any(k.startswith("constraint_") for k in x)
    assert "encoder_input_tokens" in x


def test_without_prompts_no_automata_and_the_model_refuses_to_decode():
  # A seqio mixture's dataset keeps inputs and targets only.
  ds = _examples([("NER", "p")]).map(
    lambda x: {k: v for k, v in x.items() if k != "task"}
  )
  x = next(iter(_converter()(ds, LENGTHS)))
  assert not any(k.startswith("constraint_") for k in x)
  base = models.EncoderDecoderModel(
    module=None,
    input_vocabulary=VOCAB,
    output_vocabulary=VOCAB,
    optimizer_def=None,
  )
  model = constrained_runs.ConstrainedModel(base)
  with pytest.raises(ValueError, match="no constraint features"):
    model.predict_batch_with_aux({}, {k: v[None] for k, v in x.items()})


# ---------------------------------------------------------------------------
# Decoding: rows left unconstrained, unfinished answers cut back.


def _automaton(labels, text) -> grammar_lib.Automaton:
  check = queries.make_query("NER", text, labels).label_check
  return constrained.automaton_of("NER", check, text, VOCAB)


def test_finished_lengths_equal_finished_prefix():
  r = random.Random(0)
  automaton = _automaton(["person", "place"], "Ada in Rome")
  rows = []
  for _ in range(64):
    items = [
      f" {r.choice(['person', 'place', 'city'])}: "
      + r.choice(["Ada", "Rome", "in Rome", "Bob"])
      for _ in range(r.randint(1, 3))
    ]
    tokens = VOCAB.encode("; ".join(items))[: r.randint(0, 24)]
    rows.append(tokens + [0] * (24 - len(tokens)))
  tokens = np.asarray(rows, np.int32)
  packed = constrained.pack([automaton] * len(rows))
  got = jax.jit(constrained.finished_lengths, static_argnums=2)(
    packed, tokens, VOCAB.eos_id
  )
  want = [
    grammar_lib.finished_prefix(automaton, list(row), VOCAB.eos_id)
    for row in rows
  ]
  assert list(np.asarray(got)) == want
  assert len(set(want)) > 3


def test_cut_unfinished_keeps_ended_and_unconstrained_rows():
  automaton = _automaton(["person", "place"], "Ada in Rome")
  eos = VOCAB.eos_id
  texts = [" person: Ada; pla", " person: Ada; pla", " person: Ada"]
  rows = []
  for text in texts:
    tokens = VOCAB.encode(text)
    rows.append(tokens + [ord("a") + 3] * (20 - len(tokens)))
  rows[2][len(VOCAB.encode(texts[2]))] = eos
  packed = constrained.pack([automaton] * 3)
  packed["on"] = np.asarray([True, False, True])
  decodes, unfinished = constrained.cut_unfinished(
    packed, jnp.asarray(rows, jnp.int32), eos
  )
  decoded = [VOCAB.decode(list(np.asarray(d))) for d in decodes]
  assert decoded[0] == " person: Ada"
  assert list(np.asarray(unfinished)) == [20 - len(" person: Ada"), 0, 0]
  assert decoded[1] == VOCAB.decode(rows[1])  # unconstrained: as decoded
  assert decoded[2] == " person: Ada"  # ended: as decoded


def test_rows_switched_off_decode_unconstrained():
  automaton = _automaton(["person"], "Ada")
  wanted = " city: Rome"
  ids = [*VOCAB.encode(wanted), VOCAB.eos_id]
  logits = np.zeros((2, 24, VOCAB.vocab_size), np.float32)
  logits[:, np.arange(len(ids)), ids] = 50.0
  table = jnp.asarray(logits)

  def tokens_to_logits(state):
    index = jnp.minimum(state.cur_index, table.shape[1] - 1)
    return table[jnp.arange(2), index], state.cache

  constraints = constrained.pack([automaton] * 2)
  constraints["on"] = np.asarray([True, False])
  decodes, _ = constrained.decode(
    jnp.zeros((2, 24), jnp.int32),
    {"dummy": jnp.zeros((2,))},
    tokens_to_logits,
    VOCAB.eos_id,
    constraints=constraints,
  )
  texts = []
  for row in np.asarray(decodes[:, -1]):
    row = list(row)
    texts.append(VOCAB.decode(row[: row.index(VOCAB.eos_id)]))
  assert texts[1] == wanted
  grammar = formats.get("instructuie").grammar("NER")
  regex = grammar_lib.to_regex(grammar, {"types": ["person"]}, "Ada")
  assert regex.fullmatch(texts[0]) and texts[0] != wanted


def test_model_wraps_only_encoder_decoder_models():
  with pytest.raises(TypeError, match="EncoderDecoderModel"):
    constrained_runs.ConstrainedModel(object())


# ---------------------------------------------------------------------------
# t5x.infer with the switch on, against the extraction API.


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
  from tests import tiny_model_testing  # noqa: PLC0415

  return tiny_model_testing.tiny_model(tmp_path_factory)


def _infer_constrained(tiny, out_dir) -> list[dict]:
  from tests import tiny_model_testing as tmt  # noqa: PLC0415

  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "t5x.infer",
      f"--gin_search_paths={','.join(tmt.search_paths())}",
      "--gin_file=gin/runs/infer.gin",
      "--gin_file=gin/models/tiny.gin",
      "--gin_file=gin/decoding/constrained.gin",
      "--gin_file=gin/mixtures/ie_tiny.gin",
      "--gin.MIXTURE_OR_TASK_NAME='ie_tiny_zeroshot_eval'",
      f"--gin.TASK_FEATURE_LENGTHS={tmt.feature_lengths(tiny.model_dir)}",
      f"--gin.CHECKPOINT_PATH='{tmt.last_checkpoint(tiny.model_dir)}'",
      f"--gin.INFER_OUTPUT_DIR='{out_dir}'",
      "--gin.INFER_PARAM_DTYPE='float32'",
      "--gin.infer.mode='predict_with_aux'",
    ],
    cwd=tmt.REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=900,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  assert "decoded without constraints" not in proc.stderr
  rows = []
  for path in sorted(out_dir.glob("*-predict_with_aux.jsonl-*-of-*")):
    rows += [json.loads(line) for line in path.read_text().splitlines()]
  return rows


@pytest.fixture(scope="module")
def infer_rows(tiny, tmp_path_factory) -> list[dict]:
  return _infer_constrained(tiny, tmp_path_factory.mktemp("infer"))


@pytest.mark.slow
def test_t5x_infer_decodes_as_the_constrained_extractor(tiny, infer_rows):
  from instructuie_t5x import extractor as extractor_lib  # noqa: PLC0415
  from tests import tiny_model_testing as tmt  # noqa: PLC0415

  rows = infer_rows
  assert len(rows) >= 16
  items = []
  for row in rows:
    prompt = row["inputs"]["inputs_pretokenized"]
    options, _, sentence = task_types.NER.layout.read_labels(prompt)
    query = queries.make_query("NER", sentence, list(options))
    assert query.prompt == prompt  # the extraction API's prompt
    answer = queries.answer(query, row["prediction"])
    # No label outside the options, no span that is not the text's.
    assert answer["invalid_labels"] == 0, row["prediction"]
    for entity in answer["entities"]:
      assert entity["text"] in sentence, row["prediction"]
    assert row["aux"]["constrained"] == 1
    items.append({"text": sentence, "labels": list(options)})
  # The gin file's model is unwrapped: the extractor picks per call.
  extractor = extractor_lib.Extractor.from_checkpoint(
    str(tiny.model_dir),
    gin_file=str(tmt.REPO_ROOT / "gin/decoding/constrained.gin"),
    vocabulary=tiny.vocabulary,
    batch_size=8,
  )
  assert not isinstance(extractor.model, constrained_runs.ConstrainedModel)
  answers = extractor.extract(items, task="NER", constrained=True)
  for row, answer in zip(rows, answers, strict=True):
    assert answer["prediction"] == row["prediction"]
    assert answer["unfinished_tokens"] == row["aux"]["unfinished_tokens"]


@pytest.mark.slow
def test_t5x_eval_decodes_as_t5x_infer(tiny, infer_rows, tmp_path):
  from tests import tiny_model_testing as tmt  # noqa: PLC0415

  out_dir = tmp_path / "eval"
  proc = subprocess.run(
    [
      sys.executable,
      "-m",
      "t5x.eval",
      f"--gin_search_paths={','.join(tmt.search_paths())}",
      "--gin_file=gin/runs/eval.gin",
      "--gin_file=gin/models/tiny.gin",
      "--gin_file=gin/decoding/constrained.gin",
      "--gin_file=gin/mixtures/ie_tiny.gin",
      "--gin.MIXTURE_OR_TASK_NAME='ie_tiny_zeroshot_eval'",
      f"--gin.TASK_FEATURE_LENGTHS={tmt.feature_lengths(tiny.model_dir)}",
      f"--gin.CHECKPOINT_PATH='{tmt.last_checkpoint(tiny.model_dir)}'",
      "--gin.utils.RestoreCheckpointConfig.mode='specific'",
      f"--gin.EVAL_OUTPUT_DIR='{out_dir}'",
    ],
    cwd=tmt.REPO_ROOT,
    env=tiny.env,
    capture_output=True,
    text=True,
    timeout=900,
  )
  assert proc.returncode == 0, proc.stderr[-4000:]
  inferred = {
    r["inputs"]["inputs_pretokenized"]: r["prediction"] for r in infer_rows
  }
  evaluated = {}
  logs = sorted((out_dir / "inference_eval").glob("*-[0-9]*.jsonl"))
  assert logs
  for path in logs:
    for line in path.read_text().splitlines():
      row = json.loads(line)
      prompt = row["input"]["inputs_pretokenized"]
      evaluated[prompt] = row["prediction"]["text"]
      assert row["prediction"]["parse_ok"], row["prediction"]
  assert evaluated == inferred
