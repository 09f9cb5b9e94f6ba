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


"""Data sources of the instructuie tasks: raw instances as string features.

Every source yields one example per instance of a split file, with the string
features

  id        "{dataset}/{split}/{index}" (the `schema.Instance` id)
  sentence  the text
  gold      the instance's entities / relations / events as JSON
  labels    the dataset's `labels.json` contents as JSON
  split     the split file name: "train", "dev" or "test"

and the preprocessors (`tasks/preprocessors.py`) turn them into prompts. Two
interchangeable backends:

* `json` (default): reads `{root}/{family}/{dataset}/{split}.json` directly
  (local path or `gs://`, through `tf.io.gfile`); quick, single host.
* `tfds`: the `ie_instructions` TFDS builder below, prepared once with
  `tfds build` from the same files (`manual_dir` = the data root), read with
  `seqio.TfdsDataSource`; sharded files for many hosts.

The data root, backend and TFDS directory are fields of `tasks.settings`
(CLI flags, gin, then `IE_INSTRUCTIONS_DIR`, `IE_TINY_DIR`,
`IE_INSTRUCTIONS_SOURCE`, `IE_INSTRUCTIONS_TFDS_DIR`), read when a dataset
is read, never at import.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence

import seqio
import tensorflow as tf
import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from instructuie_jax import catalog, schema
from tasks import settings

FEATURES: tuple[str, ...] = ("id", "sentence", "gold", "labels", "split")
ALL_SPLITS: tuple[str, ...] = tuple(catalog.SPLIT_FILES)
TFDS_NAME = "ie_instructions"
TFDS_VERSION = "1.0.0"
SOURCE_KINDS: tuple[str, ...] = settings.SOURCE_KINDS


# ------------------------------------------------------------- configuration


def data_dir(benchmark: str) -> str:
  """The data root of `benchmark` in the settings in force (`tasks.settings`).

  Raises:
    ValueError: it is not set (the message says how to set it).
  """
  return settings.get().data_dir(benchmark)


def dataset_root(spec: catalog.DatasetSpec) -> str:
  """The data root of `spec`: its own (a user's dataset) or its benchmark's.

  Raises:
    ValueError: the benchmark's root is not set (see `data_dir`).
  """
  if spec.root is not None:
    return spec.root
  return data_dir(spec.benchmark)


def _root_origin(spec: catalog.DatasetSpec) -> str:
  """Where the data root of `spec` was set, for messages."""
  if spec.root is not None:
    return (
      f"${settings.ENV_VARS['user_datasets']} or data_settings.user_datasets "
      "(gin)"
    )
  field = settings.DATA_DIR_FIELDS[spec.benchmark]
  return f"--data_dir, gin (data_settings) or ${settings.ENV_VARS[field]}"


def source_options() -> tuple[str, str | None]:
  """The source backend ("json" or "tfds") and TFDS data directory."""
  current = settings.get()
  return current.source, current.tfds_dir


def split_problem(split: str) -> str | None:
  """Why `split` is not a seqio split of the tasks (None if it is one)."""
  if split in ALL_SPLITS:
    return None
  if split in ("dev", "valid", "eval"):
    return (
      f"no split {split!r}: seqio calls the dev.json split 'validation' "
      "(splits: train, validation, test)"
    )
  return f"unknown split {split!r} (splits: {', '.join(ALL_SPLITS)})"


# ------------------------------------------------------------------- reading


def labels_to_json(labels: schema.Labels) -> str:
  """`schema.Labels` as a JSON string (see `labels_from_json`)."""
  roles = None
  if labels.roles is not None:
    roles = {k: list(v) for k, v in labels.roles.items()}
  return json.dumps(
    {"types": list(labels.types), "roles": roles}, ensure_ascii=False
  )


@functools.lru_cache(maxsize=256)
def labels_from_json(text: str) -> schema.Labels:
  """Inverse of `labels_to_json` (cached: one value per dataset)."""
  obj = json.loads(text)
  roles = obj["roles"]
  if roles is not None:
    roles = {k: tuple(v) for k, v in roles.items()}
  return schema.Labels(types=tuple(obj["types"]), roles=roles)


def gold_to_json(instance: schema.Instance) -> str:
  """The annotations of `instance` as compact JSON."""
  obj = {
    "entities": [dataclasses.asdict(e) for e in instance.entities],
    "relations": [dataclasses.asdict(r) for r in instance.relations],
    "events": [dataclasses.asdict(e) for e in instance.events],
  }
  return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _pos(value) -> tuple[int, int] | None:
  return None if value is None else (int(value[0]), int(value[1]))


def _span(d) -> schema.Span:
  return schema.Span(name=d["name"], type=d["type"], pos=_pos(d["pos"]))


def instance_from_features(
  instance_id: str, sentence: str, gold: str
) -> schema.Instance:
  """Rebuilds the `schema.Instance` that `gold_to_json` serialized."""
  obj = json.loads(gold)
  return schema.Instance(
    id=instance_id,
    sentence=sentence,
    entities=tuple(_span(e) for e in obj["entities"]),
    relations=tuple(
      schema.AnnotatedRelation(
        head=_span(r["head"]), type=r["type"], tail=_span(r["tail"])
      )
      for r in obj["relations"]
    ),
    events=tuple(
      schema.AnnotatedEvent(
        trigger=e["trigger"],
        type=e["type"],
        pos=_pos(e["pos"]),
        arguments=tuple(
          schema.AnnotatedArgument(
            name=a["name"], role=a["role"], pos=_pos(a["pos"])
          )
          for a in e["arguments"]
        ),
      )
      for e in obj["events"]
    ),
  )


_LOCAL_COPIES: dict[str, str] = {}
_LOCK = threading.Lock()


def _local_root(spec: catalog.DatasetSpec, root: str) -> str:
  """`root` itself when local; else a local copy of the dataset's folder."""
  if "://" not in root:
    return root
  key = catalog.dataset_dir(spec, root)
  with _LOCK:
    if key not in _LOCAL_COPIES:
      local = tempfile.mkdtemp(prefix="ie_instructions_")
      dst = os.path.join(local, spec.family, spec.name)
      os.makedirs(dst)
      for name in tf.io.gfile.listdir(key):
        if name.endswith(".json"):
          tf.io.gfile.copy(f"{key}/{name}", os.path.join(dst, name))
      _LOCAL_COPIES[key] = local
    return _LOCAL_COPIES[key]


def check_exists(spec: catalog.DatasetSpec, root: str, split: str) -> str:
  """Returns the split file's path; raises FileNotFoundError naming it."""
  path = catalog.split_path(spec, root, split)
  for expected in (path, f"{catalog.dataset_dir(spec, root)}/labels.json"):
    if not tf.io.gfile.exists(expected):
      raise FileNotFoundError(
        f"Dataset {spec.name!r} ({spec.family}, split {split!r}): expected "
        f"{expected}, which does not exist. The data root {root!r} comes from "
        f"{_root_origin(spec)}."
      )
  return path


@functools.lru_cache(maxsize=512)
def load_features(
  spec: catalog.DatasetSpec, root: str, split: str
) -> Mapping[str, tuple[str, ...]]:
  """The source features of one split: `{feature: tuple of strings}`.

  Reads the split through `schema.load_dataset_split` (strict: a bad instance
  raises `schema.DataError` naming file, index and field). Cached per process.

  Args:
    spec: The dataset.
    root: Data root (local path or `gs://...`).
    split: seqio split name ("train", "validation" or "test").

  Raises:
    FileNotFoundError: the split file or labels.json is missing.
  """
  check_exists(spec, root, split)
  file_split = catalog.SPLIT_FILES[split]
  instances, labels, problems = schema.load_dataset_split(
    _local_root(spec, root), spec.family, spec.name, file_split, strict=True
  )
  if problems:
    logging.warning(
      "%s/%s: %d data warning(s), e.g. %s",
      spec.name,
      file_split,
      len(problems),
      problems[0],
    )
  labels_json = labels_to_json(labels)
  n = len(instances)
  return {
    "id": tuple(i.id for i in instances),
    "sentence": tuple(i.sentence for i in instances),
    "gold": tuple(gold_to_json(i) for i in instances),
    "labels": (labels_json,) * n,
    "split": (file_split,) * n,
  }


def count_examples(spec: catalog.DatasetSpec, root: str, split: str) -> int:
  """Number of instances in a split (reads and caches the file)."""
  return len(load_features(spec, root, split)["id"])


# ------------------------------------------------------------------- sources


class JsonSource(seqio.DataSource):
  """Reads one dataset's JSON split files; counts instances lazily."""

  def __init__(self, spec: catalog.DatasetSpec, splits: Sequence[str]):
    self._spec = spec
    super().__init__(splits=splits, caching_permitted=True)

  @property
  def supports_arbitrary_sharding(self) -> bool:
    return False

  def list_shards(self, split: str) -> Sequence[str]:
    return [split]

  def _root(self) -> str:
    return dataset_root(self._spec)

  def num_input_examples(self, split: str) -> int:
    return count_examples(self._spec, self._root(), split)

  def get_dataset(
    self,
    split: str = "train",
    shuffle: bool = True,
    seed: int | None = None,
    shard_info: seqio.ShardInfo | None = None,
    *,
    sequence_length: Mapping[str, int] | None = None,
    use_cached: bool = False,
    num_epochs: int | None = 1,
  ) -> tf.data.Dataset:
    del sequence_length, use_cached, num_epochs  # Unused.
    if split not in self.splits:
      raise ValueError(f"{self._spec.name}: no split {split!r} ({self.splits})")
    feats = load_features(self._spec, self._root(), split)
    ds = tf.data.Dataset.from_tensor_slices(
      {
        k: tf.constant(v, dtype=tf.string, shape=[len(v)])
        for k, v in feats.items()
      }
    )
    if shard_info and shard_info.num_shards > 1:
      ds = ds.shard(shard_info.num_shards, shard_info.index)
    if shuffle:
      ds = ds.shuffle(max(1, len(feats["id"])), seed=seed)
    return ds

  def __repr__(self) -> str:
    return f"JsonSource({self._spec.name!r}, splits={self.splits})"


def tfds_config_name(spec: catalog.DatasetSpec) -> str:
  """The TFDS config of a dataset: its slug, or for a dataset of the
  user's own `user_{family}_{slug}` (two families' folders may share a
  name, as a BRAT conversion writes them)."""
  if spec.root is None:
    return spec.slug
  return f"user_{spec.family.lower()}_{spec.slug}"


def tfds_source(
  spec: catalog.DatasetSpec,
  splits: Sequence[str],
  tfds_dir: str | None = None,
) -> seqio.TfdsDataSource:
  """A `seqio.TfdsDataSource` over the prepared `ie_instructions/{slug}`."""
  return seqio.TfdsDataSource(
    tfds_name=f"{TFDS_NAME}/{tfds_config_name(spec)}:{TFDS_VERSION}",
    tfds_data_dir=tfds_dir,
    splits={s: s for s in splits},
    read_only=True,
  )


class IeSource(seqio.DataSource):
  """The task source: JSON or TFDS, chosen by `source_options` at use time."""

  def __init__(self, spec: catalog.DatasetSpec, splits: Sequence[str]):
    self._spec = spec
    self._impls: dict[tuple[str, str | None], seqio.DataSource] = {}
    super().__init__(splits=splits, caching_permitted=True)

  @property
  def spec(self) -> catalog.DatasetSpec:
    return self._spec

  def impl(self) -> seqio.DataSource:
    """The backend source for the current `source_options()`."""
    key = source_options()
    if key not in self._impls:
      kind, tfds_dir = key
      if kind == "json":
        self._impls[key] = JsonSource(self._spec, self.splits)
      else:
        self._impls[key] = tfds_source(self._spec, self.splits, tfds_dir)
    return self._impls[key]

  @property
  def supports_arbitrary_sharding(self) -> bool:
    return self.impl().supports_arbitrary_sharding

  def list_shards(self, split: str) -> Sequence[str]:
    return self.impl().list_shards(split)

  def num_input_examples(self, split: str) -> int | None:
    return self.impl().num_input_examples(split)

  def get_dataset(
    self,
    split: str = "train",
    shuffle: bool = True,
    seed: int | None = None,
    shard_info: seqio.ShardInfo | None = None,
    *,
    sequence_length: Mapping[str, int] | None = None,
    use_cached: bool = False,
    num_epochs: int | None = 1,
  ) -> tf.data.Dataset:
    del sequence_length, use_cached, num_epochs  # Unused.
    return self.impl().get_dataset(
      split=split, shuffle=shuffle, seed=seed, shard_info=shard_info
    )

  def __repr__(self) -> str:
    return f"IeSource({self._spec.name!r}, splits={self.splits})"


# ---------------------------------------------------------------------- TFDS


@dataclasses.dataclass
class IeInstructionsConfig(tfds.core.BuilderConfig):
  """One dataset of the catalog (`spec`) as a TFDS builder config."""

  spec: catalog.DatasetSpec | None = None


def builder_config(spec: catalog.DatasetSpec) -> IeInstructionsConfig:
  """The TFDS builder config of a catalog row (also for ad-hoc specs)."""
  return IeInstructionsConfig(
    name=tfds_config_name(spec),
    version=TFDS_VERSION,
    description=f"{spec.family} dataset {spec.name!r} ({spec.domain})",
    spec=spec,
  )


class IeInstructions(tfds.core.GeneratorBasedBuilder):
  """IE INSTRUCTIONS datasets as TFDS datasets, one config per dataset.

  Build (the data root is the manual dir):

    tfds build --imports=tasks.sources ie_instructions/mit_movie \
      --manual_dir=$IE_INSTRUCTIONS_DIR --data_dir=gs://BUCKET/tfds
  """

  VERSION = tfds.core.Version(TFDS_VERSION)
  RELEASE_NOTES = {TFDS_VERSION: "Raw instances as JSON string features."}
  BUILDER_CONFIGS = [builder_config(s) for s in catalog.CATALOG]
  MANUAL_DOWNLOAD_INSTRUCTIONS = """\
  Point --manual_dir at the IE INSTRUCTIONS root, the folder holding
  {NER,RE,EE}/{dataset}/{train,dev,test}.json and labels.json (for the tiny
  synthetic datasets: their root, made by tools/make_tiny_data.py).
  """

  @tfds.core.utils.classproperty
  @classmethod
  def code_path(cls) -> epath.Path:
    # TFDS's default looks the module up through `importlib_resources`, a
    # package TFDS does not depend on; the file path is all it needs.
    return epath.Path(__file__)

  def _info(self) -> tfds.core.DatasetInfo:
    return self.dataset_info_from_configs(
      features=tfds.features.FeaturesDict(
        {k: tfds.features.Text() for k in FEATURES}
      ),
      disable_shuffling=True,  # Keep file order, as the JSON source does.
      homepage="https://github.com/BeyonderXX/InstructUIE",
    )

  def _split_generators(self, dl_manager):
    root = os.fspath(dl_manager.manual_dir)
    return {split: self._generate_examples(root, split) for split in ALL_SPLITS}

  def _generate_examples(self, root: str, split: str):
    feats = load_features(self.builder_config.spec, root, split)
    for i, example_id in enumerate(feats["id"]):
      yield example_id, {k: feats[k][i] for k in FEATURES}
