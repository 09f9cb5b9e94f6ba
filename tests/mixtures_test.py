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


"""Tests for the seqio mixtures: contents, rates, determinism, packing."""

import json

import gin
import numpy as np
import pytest
import seqio

from instructuie_jax import catalog, tiny_data
from tasks import mixtures, settings
from tests import ie_seqio_testing as testing

FIXTURE_MIXTURE = "ie_fixture_test_mixture"


@pytest.fixture(scope="module")
def fixture_mixture(tmp_path_factory):
  with testing.fixture_tasks(tmp_path_factory.mktemp("vocab")) as names:
    tasks = [n for task_names in names.values() for n in task_names]
    seqio.MixtureRegistry.add(
      FIXTURE_MIXTURE, tasks, default_rate=mixtures.examples_rate
    )
    try:
      yield seqio.get_mixture_or_task(FIXTURE_MIXTURE)
    finally:
      seqio.MixtureRegistry.remove(FIXTURE_MIXTURE)


def _task_names(mixture_name):
  return sorted(t.name for t in seqio.get_mixture_or_task(mixture_name).tasks)


def test_names_are_valid_registered_and_unique():
  assert len(mixtures.NAMES) == len(set(mixtures.NAMES)) == 10
  registered = set(seqio.MixtureRegistry.names())
  for name in mixtures.NAMES:
    assert catalog.is_valid_seqio_name(name)
    assert name in registered
  task_names = set(seqio.TaskRegistry.names())
  assert not task_names & set(mixtures.NAMES)


def test_mixture_contents():
  assert _task_names("ie_instructions_zeroshot_ner_eval") == sorted(
    f"instructuie_ner_{slug}"
    for slug in (
      "crossner_ai",
      "crossner_literature",
      "crossner_music",
      "crossner_politics",
      "crossner_science",
      "mit_movie",
      "mit_restaurant",
    )
  )
  assert _task_names("ie_instructions_zeroshot_re_eval") == sorted(
    [f"instructuie_re_fewrel_{k}" for k in range(5)]
    + [f"instructuie_re_wiki_{k}" for k in range(5)]
  )
  supervised = _task_names("ie_instructions_supervised")
  # 21 NER x 3 tasks + 8 RE x 3 + 3 EE x 3 + GENIA EE.
  assert len(supervised) == 63 + 24 + 9 + 1
  assert "instructuie_es_bc5cdr" in supervised
  assert "instructuie_ner_crossner_ai" not in supervised
  zs_train = set(_task_names("ie_instructions_zeroshot_train"))
  assert len(zs_train) == 18 * 3 + 6 * 3
  assert zs_train < set(supervised)
  held_out = set(_task_names("ie_instructions_zeroshot_ner_eval"))
  held_out |= set(_task_names("ie_instructions_zeroshot_re_eval"))
  assert not zs_train & held_out
  families = sum(
    len(_task_names(f"ie_instructions_{f}")) for f in ("ner", "re", "ee")
  )
  assert families == len(supervised)
  tiny = sorted(spec.name for spec in tiny_data.SUPERVISED)
  assert _task_names("ie_tiny_train") == [
    f"instructuie_{t}_{d}" for t in ("es", "et", "ner") for d in tiny
  ]
  assert _task_names("ie_tiny_eval") == [f"instructuie_ner_{d}" for d in tiny]
  assert _task_names("ie_tiny_zeroshot_eval") == [
    "instructuie_ner_synth_heldout",
    "instructuie_ner_synth_mixed",
  ]


def _rates(mixture):
  return {t.name: mixture.get_rate(t) for t in mixture.tasks}


def test_rates_as_configured(fixture_mixture):
  # Train instances: tiny_ner 3, tiny_re 2, tiny_ee 2; auxiliary x 0.3.
  rates = _rates(fixture_mixture)
  assert rates["instructuie_ner_tiny_ner"] == 3
  assert rates["instructuie_es_tiny_ner"] == pytest.approx(0.9)
  assert rates["instructuie_epr_tiny_re"] == pytest.approx(0.6)
  assert rates["instructuie_eea_tiny_ee"] == 2
  with gin.unlock_config():
    gin.bind_parameter("tasks.settings.data_settings.cap", 2)
    gin.bind_parameter("tasks.settings.data_settings.temperature", 2.0)
  try:
    with settings.scoped():  # Resolved anew, with the gin bindings.
      rates = _rates(fixture_mixture)
  finally:
    gin.clear_config()
  assert rates["instructuie_ner_tiny_ner"] == pytest.approx(2**0.5)
  assert rates["instructuie_es_tiny_ner"] == pytest.approx(0.9**0.5)


def _stream(mixture, seed, n=12):
  ds = mixture.get_dataset(
    sequence_length={"inputs": 256, "targets": 64},
    split="train",
    shuffle=True,
    seed=seed,
    num_epochs=None,
    passthrough_features=["id"],
  )
  return [ex["id"].decode() for ex in ds.take(n).as_numpy_iterator()]


@pytest.mark.slow
def test_same_seed_same_stream(fixture_mixture):
  first = _stream(fixture_mixture, 7)
  assert first == _stream(fixture_mixture, 7)
  assert len(set(first)) > 1


@pytest.mark.slow
def test_packing(fixture_mixture):
  ds = seqio.get_dataset(
    FIXTURE_MIXTURE,
    task_feature_lengths={"inputs": 512, "targets": 64},
    feature_converter=seqio.EncDecFeatureConverter(pack=True),
    dataset_split="train",
    shuffle=False,
    num_epochs=1,
  )
  rows = list(ds.as_numpy_iterator())
  assert rows
  segments = [int(r["encoder_segment_ids"].max()) for r in rows]
  assert max(segments) > 1  # Several examples share a row.
  for r in rows:
    assert r["encoder_input_tokens"].shape == (512,)
    assert r["decoder_target_tokens"].shape == (64,)
    assert np.all(
      (r["decoder_segment_ids"] > 0) == (r["decoder_target_tokens"] > 0)
    )


@pytest.mark.slow
def test_shared_data_rates_and_available_mixture(shared_data_dir):
  with settings.scoped(ie_instructions_dir=str(shared_data_dir)):
    name, missing = mixtures.available_mixture("ie_instructions_supervised")
    assert name == "ie_instructions_supervised_available"
    assert "instructuie_ner_ace_2005" in missing
    assert "NER/ACE 2005/train.json" in missing["instructuie_ner_ace_2005"]
    rates = _rates(seqio.get_mixture_or_task(name))
    # Train instances from SOURCES.md; auxiliary tasks x 0.3.
    assert rates["instructuie_ner_bc5cdr"] == 4560
    assert rates["instructuie_es_bc5cdr"] == pytest.approx(1368)
    assert rates["instructuie_ner_mit_movie"] == 8797
    assert rates["instructuie_re_conll04"] == 922
    assert rates["instructuie_eet_casie"] == 5254


@pytest.mark.slow
def test_available_mixture_keeps_the_datasets_on_disk(
  shared_data_dir, tmp_path
):
  root = tmp_path / "data"
  (root / "NER").mkdir(parents=True)
  (root / "NER" / "bc5cdr").symlink_to(shared_data_dir / "NER" / "bc5cdr")
  partial = root / "NER" / "mit-movie"  # No dev.json: left out as a whole.
  partial.mkdir()
  for f in ("train.json", "test.json", "labels.json"):
    (partial / f).symlink_to(shared_data_dir / "NER" / "mit-movie" / f)
  registered = seqio.get_mixture_or_task("ie_instructions_ner_available")
  with settings.scoped(
    ie_instructions_dir=str(root), vocab="byte", run_dir=str(tmp_path / "run")
  ):
    name, left_out = mixtures.available_mixture("ie_instructions_ner")
    assert name == "ie_instructions_ner_available"
    mixture = seqio.get_mixture_or_task(name)
    assert mixture is registered  # One name for every split, never re-added.
    kept = [t.name for t in mixture.tasks]
    assert kept == [
      "instructuie_es_bc5cdr",
      "instructuie_et_bc5cdr",
      "instructuie_ner_bc5cdr",
    ]
    # Auxiliary tasks of absent datasets are left out as well.
    assert "instructuie_es_mit_movie" in left_out
    assert "NER/mit-movie/dev.json" in left_out["instructuie_ner_mit_movie"]
    assert mixture.total_rate == pytest.approx(4560 * 1.6)
    ds = seqio.get_dataset(
      name,
      {"inputs": 512, "targets": 64},
      seqio.EncDecFeatureConverter(pack=False),
      dataset_split="validation",
      shuffle=False,
    )
    assert next(ds.as_numpy_iterator())["encoder_input_tokens"].shape == (512,)
    record = json.loads((tmp_path / "run" / "left_out_tasks.json").read_text())
    assert record[name]["kept"] == kept
    assert set(record[name]["left_out"]) == set(left_out)
  with settings.scoped(ie_instructions_dir=str(tmp_path / "empty")):
    with pytest.raises(ValueError, match="No task of mixture"):
      mixtures.available_mixture("ie_instructions_ner")


def test_available_mixture_leaves_out_task_types_the_format_does_not_cover(
  monkeypatch,
):
  monkeypatch.setattr(mixtures, "missing_datasets", lambda specs: {})
  with settings.scoped(vocab="byte"):
    assert mixtures.left_out_tasks("ie_tiny_train") == {}
  with settings.scoped(vocab="byte", target_format="words_bio"):
    left_out = mixtures.left_out_tasks("ie_tiny_train")
  assert list(left_out) == [
    f"instructuie_et_{spec.name}" for spec in tiny_data.SUPERVISED
  ]
  assert "does not cover task type ET" in left_out["instructuie_et_synth_news"]
