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


"""Tests for instructuie_jax.catalog (pure Python: no TensorFlow needed)."""

import pytest

from instructuie_jax import catalog, task_types, tiny_data

# The zero-shot evaluation sets of the paper (Tables on zero-shot NER and RE).
ZEROSHOT_NER = {
  "CrossNER_AI",
  "CrossNER_literature",
  "CrossNER_music",
  "CrossNER_politics",
  "CrossNER_science",
  "mit-movie",
  "mit-restaurant",
}
ZEROSHOT_RE = {f"fewrel_{k}" for k in range(5)} | {
  f"wiki_{k}" for k in range(5)
}
# configs/zeroshot_configs/train_tasks.json of the original.
ZEROSHOT_TRAIN_RE = {
  "NYT11",
  "New-York-Times-RE",
  "semval-RE",
  "GIDS",
  "SciERC",
  "kbp37",
}


def _ie(**kwargs):
  return catalog.select(benchmark="ie_instructions", **kwargs)


def test_counts_per_family():
  assert len(_ie(family="NER")) == 26
  assert len(_ie(family="RE")) == 18
  assert len(_ie(family="EE")) == 4
  # 21 NER + 8 RE + 4 EE datasets in the original multi-task train config.
  assert len(_ie(role="supervised")) == 33
  assert [s.name for s in catalog.select(benchmark="tiny")] == list(
    tiny_data.DATASETS
  )


def test_slugs_and_task_names_are_valid_and_unique():
  slugs = [s.slug for s in catalog.CATALOG]
  assert len(slugs) == len(set(slugs))
  names = [catalog.task_name(t, s) for s in catalog.CATALOG for t in s.tasks]
  assert len(names) == len(set(names))
  for name in names:
    assert catalog.is_valid_seqio_name(name), name
  assert catalog.task_name("NER", catalog.get("mit-movie")) == (
    "instructuie_ner_mit_movie"
  )
  assert catalog.get("ACE 2005").slug == "ace_2005"
  assert catalog.get("WikiANN en").slug == "wikiann_en"
  assert not catalog.is_valid_seqio_name("instructuie_ner_mit-movie")


def test_zero_shot_split():
  assert {s.name for s in _ie(zeroshot_eval=True, family="NER")} == ZEROSHOT_NER
  assert {s.name for s in _ie(zeroshot_eval=True, family="RE")} == ZEROSHOT_RE
  assert not _ie(zeroshot_eval=True, family="EE")
  train = _ie(zeroshot_train=True)
  assert {s.name for s in train if s.family == "RE"} == ZEROSHOT_TRAIN_RE
  assert len([s for s in train if s.family == "NER"]) == 18
  assert all(s.role == "supervised" for s in train)
  # Evaluated-only sets are never trained on, in either setting.
  for spec in _ie(role="zeroshot"):
    assert spec.zeroshot_eval and not spec.zeroshot_train


def test_tasks_per_dataset():
  assert catalog.get("bc5cdr").tasks == ("NER", "ES", "ET")
  assert catalog.get("bc5cdr").auxiliary_tasks == ("ES", "ET")
  assert catalog.get("conll04").main_tasks == ("RE",)
  assert catalog.get("PHEE").tasks == ("EE", "EET", "EEA")
  assert catalog.get("GENIA").tasks == ("EE",)
  for spec in catalog.CATALOG:
    for task in spec.tasks:
      assert task_types.get(task).family.name == spec.family


def test_bad_rows_are_rejected():
  with pytest.raises(ValueError, match="family"):
    catalog.DatasetSpec("x", "x", "POS", "news", "supervised", "tiny")
  with pytest.raises(ValueError, match="role"):
    catalog.DatasetSpec("x", "x", "NER", "news", "heldout", "tiny")
  with pytest.raises(ValueError, match="not RE"):
    catalog.DatasetSpec("x", "x", "RE", "news", "supervised", "tiny", ("NER",))
  with pytest.raises(ValueError, match="Unknown dataset"):
    catalog.get("no_such_set")


def test_split_paths():
  spec = catalog.get("ACE 2005")
  assert catalog.split_path(spec, "gs://bucket/ie/", "validation") == (
    "gs://bucket/ie/NER/ACE 2005/dev.json"
  )


def test_shared_data_folders_are_in_the_catalog(shared_data_dir):
  names = {(s.family, s.name) for s in _ie()}
  found = set()
  for family in task_types.FAMILIES:
    for path in (shared_data_dir / family).iterdir():
      if path.is_dir():
        found.add((family, path.name))
  assert found
  assert found <= names, found - names
