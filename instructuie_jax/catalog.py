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

"""The dataset catalog: every dataset of the benchmark, listed once.

One `DatasetSpec` row per dataset drives the SeqIO task registration, the
mixtures, the TFDS builder configs and the tools. Facts carried over from the
original InstructUIE configs (`configs/multi_task_configs/*.json`,
`configs/zeroshot_configs/*.json`):

* `role`: "supervised" for the datasets of the supervised benchmark (the
  multi-task configs); "zeroshot" for the datasets that are only evaluated
  zero-shot (CrossNER, FewRel and Wiki-ZSL label splits).
* `zeroshot_train`: trained on in the zero-shot setting (the original
  `zeroshot_configs/train_tasks.json`: 18 NER and 6 RE sets, no EE).
* `zeroshot_eval`: held out and evaluated zero-shot, as in the paper's
  zero-shot tables (NER: CrossNER x5, MIT movie, MIT restaurant; RE: FewRel
  and Wiki-ZSL, 5 label splits each).
* `tasks`: the task types the original configs use the dataset for.

Directory names are those of the IE INSTRUCTIONS release without the
`_sample_N` suffix of the configs (e.g. `ACE 2005`, `mit-movie`).
"""

from __future__ import annotations

import dataclasses
import re

from instructuie_jax import task_types, tiny_data

# Each benchmark has a data root of its own (`tasks.settings` resolves it);
# a dataset of the user's own (`USER`) carries its root in its row.
USER = "user"
BENCHMARKS: tuple[str, ...] = ("ie_instructions", "tiny", USER)
ROLES: tuple[str, ...] = ("supervised", "zeroshot")
# A dataset folder's own description (`tools.convert_data --role` writes it):
# {"role": "supervised" | "zeroshot", "domain": str}, both optional.
METADATA_FILE = "dataset.json"
DEFAULT_DOMAIN = "user"
# Split files of a dataset folder, by seqio split name.
SPLIT_FILES: dict[str, str] = {
  "train": "train",
  "validation": "dev",
  "test": "test",
}
# The original `--max_num_instances_per_task` (scripts/train_flan-t5.sh).
MAX_INSTANCES_PER_TASK = 10_000

_NAME_RE = re.compile(r"^[\w\d\.\:_#]+$")


def slugify(name: str) -> str:
  """A seqio-safe lower-case slug: `"ACE 2005"` -> `"ace_2005"`."""
  return re.sub(r"[^0-9a-z_]+", "_", name.lower()).strip("_")


def is_valid_seqio_name(name: str) -> bool:
  """True if seqio accepts `name` as a task or mixture name."""
  return bool(_NAME_RE.match(name))


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
  """One dataset of the catalog.

  Attributes:
    name: Directory name under `{family}/` in the data root.
    slug: seqio-safe lower-case name used in task names.
    family: "NER", "RE" or "EE" (the top-level data folder).
    domain: Text domain, for reports ("news", "biomedical", ...).
    role: "supervised" or "zeroshot" (see the module docstring).
    benchmark: "ie_instructions" or "tiny"; selects the data root.
    tasks: Task types the dataset is used for (main and auxiliary).
    zeroshot_train: Trained on in the zero-shot setting.
    zeroshot_eval: Evaluated zero-shot (held out of zero-shot training).
    root: The data root of a dataset of the user's own (benchmark "user",
      `user_spec`); None for the catalog's rows, whose root is a setting.
  """

  name: str
  slug: str
  family: str
  domain: str
  role: str
  benchmark: str
  tasks: tuple[str, ...] = ()
  zeroshot_train: bool = False
  zeroshot_eval: bool = False
  root: str | None = None

  def __post_init__(self):
    if self.family not in task_types.FAMILIES:
      raise ValueError(f"{self.name}: unknown family {self.family!r}")
    if self.role not in ROLES:
      raise ValueError(f"{self.name}: unknown role {self.role!r}")
    if self.benchmark not in BENCHMARKS:
      raise ValueError(f"{self.name}: unknown benchmark {self.benchmark!r}")
    if not self.tasks:
      object.__setattr__(
        self, "tasks", tuple(task_types.tasks_of_family(self.family))
      )
    for task in self.tasks:
      if task_types.get(task).family.name != self.family:
        raise ValueError(f"{self.name}: task {task} is not {self.family}")
    if self.zeroshot_train and self.zeroshot_eval:
      raise ValueError(f"{self.name}: both zero-shot train and eval")
    if (self.root is None) == (self.benchmark == USER):
      raise ValueError(
        f"{self.name}: a root is given for, and only for, benchmark {USER!r}"
      )

  @property
  def main_tasks(self) -> tuple[str, ...]:
    """The non-auxiliary task types (evaluated on every split)."""
    return tuple(t for t in self.tasks if not task_types.get(t).auxiliary)

  @property
  def auxiliary_tasks(self) -> tuple[str, ...]:
    """The auxiliary task types (train split only)."""
    return tuple(t for t in self.tasks if task_types.get(t).auxiliary)


def _row(
  name: str,
  family: str,
  domain: str,
  role: str = "supervised",
  *,
  benchmark: str = "ie_instructions",
  tasks: tuple[str, ...] = (),
  zs: str = "",
) -> DatasetSpec:
  """A catalog row; `zs` is "train", "eval" or "" (neither)."""
  return DatasetSpec(
    name=name,
    slug=slugify(name),
    family=family,
    domain=domain,
    role=role,
    benchmark=benchmark,
    tasks=tasks,
    zeroshot_train=zs == "train",
    zeroshot_eval=zs == "eval",
  )


CATALOG: tuple[DatasetSpec, ...] = (
  # ----------------------------------------------------------------- NER
  _row("ACE 2004", "NER", "news", zs="train"),
  _row("ACE 2005", "NER", "news", zs="train"),
  _row("AnatEM", "NER", "biomedical", zs="train"),
  _row("bc2gm", "NER", "biomedical", zs="train"),
  _row("bc4chemd", "NER", "biomedical", zs="train"),
  _row("bc5cdr", "NER", "biomedical", zs="train"),
  _row("Broad Tweet Corpus", "NER", "social media", zs="train"),
  _row("CoNLL 2003", "NER", "news", zs="train"),
  _row("FabNER", "NER", "manufacturing", zs="train"),
  _row("FindVehicle", "NER", "traffic", zs="train"),
  _row("GENIA_NER", "NER", "biomedical"),
  _row("HarveyNER", "NER", "social media", zs="train"),
  _row("mit-movie", "NER", "movie", zs="eval"),
  _row("mit-restaurant", "NER", "restaurant", zs="eval"),
  _row("MultiNERD", "NER", "wikipedia", zs="train"),
  _row("ncbi", "NER", "biomedical", zs="train"),
  _row("Ontonotes", "NER", "general", zs="train"),
  _row("PolyglotNER", "NER", "wikipedia", zs="train"),
  _row("TweetNER7", "NER", "social media", zs="train"),
  _row("WikiANN en", "NER", "wikipedia", zs="train"),
  _row("WikiNeural", "NER", "wikipedia", zs="train"),
  _row("CrossNER_AI", "NER", "artificial intelligence", "zeroshot", zs="eval"),
  _row("CrossNER_literature", "NER", "literature", "zeroshot", zs="eval"),
  _row("CrossNER_music", "NER", "music", "zeroshot", zs="eval"),
  _row("CrossNER_politics", "NER", "politics", "zeroshot", zs="eval"),
  _row("CrossNER_science", "NER", "science", "zeroshot", zs="eval"),
  # ------------------------------------------------------------------ RE
  _row("ADE_corpus", "RE", "biomedical"),
  _row("conll04", "RE", "news"),
  _row("GIDS", "RE", "news", zs="train"),
  _row("kbp37", "RE", "news", zs="train"),
  _row("New-York-Times-RE", "RE", "news", zs="train"),
  _row("NYT11", "RE", "news", zs="train"),
  _row("SciERC", "RE", "scientific", zs="train"),
  _row("semval-RE", "RE", "general", zs="train"),
  *(
    _row(f"fewrel_{k}", "RE", "wikipedia", "zeroshot", zs="eval")
    for k in range(5)
  ),
  *(
    _row(f"wiki_{k}", "RE", "wikipedia", "zeroshot", zs="eval")
    for k in range(5)
  ),
  # ------------------------------------------------------------------ EE
  _row("ACE05", "EE", "news"),
  _row("CASIE", "EE", "cybersecurity"),
  _row("GENIA", "EE", "biomedical", tasks=("EE",)),
  _row("PHEE", "EE", "pharmacovigilance"),
  # ---------------------------------------------------------------- tiny
  *(
    _row(spec.name, "NER", "synthetic", benchmark="tiny", zs="train")
    for spec in tiny_data.SUPERVISED
  ),
  *(
    _row(name, "NER", "synthetic", "zeroshot", benchmark="tiny", zs="eval")
    for name in tiny_data.ZERO_SHOT
  ),
)


def user_spec(
  root: str, family: str, name: str, metadata: dict | None = None
) -> DatasetSpec:
  """The row of a dataset of the user's own: `{root}/{family}/{name}`.

  Its task types are those of its family, main and auxiliary; a dataset of
  role "zeroshot" is evaluated zero-shot.

  Args:
    root: The folder holding `{family}/{name}`.
    family: "NER", "RE" or "EE".
    name: The dataset folder's name.
    metadata: The dataset's `METADATA_FILE` contents, if any.

  Raises:
    ValueError: an unknown family, role or metadata field, or a name that
      makes no seqio task name.
  """
  metadata = dict(metadata or {})
  unknown = set(metadata) - {"role", "domain"}
  if unknown:
    raise ValueError(
      f"{name}: unknown {METADATA_FILE} field(s) {sorted(unknown)}; known: "
      "role, domain"
    )
  role = metadata.get("role", "supervised")
  slug = slugify(name)
  if not slug:
    raise ValueError(f"{name}: no letter or digit to name its tasks with")
  return DatasetSpec(
    name=name,
    slug=slug,
    family=family,
    domain=metadata.get("domain", DEFAULT_DOMAIN),
    role=role,
    benchmark=USER,
    zeroshot_eval=role == "zeroshot",
    root=root,
  )


def get(slug_or_name: str) -> DatasetSpec:
  """Returns the catalog row with this slug or directory name."""
  for spec in CATALOG:
    if slug_or_name in (spec.slug, spec.name):
      return spec
  raise ValueError(f"Unknown dataset {slug_or_name!r}; see catalog.CATALOG.")


def select(
  *,
  benchmark: str | None = None,
  family: str | None = None,
  role: str | None = None,
  zeroshot_train: bool | None = None,
  zeroshot_eval: bool | None = None,
) -> tuple[DatasetSpec, ...]:
  """The catalog rows matching every given field, in catalog order."""
  wanted = {
    "benchmark": benchmark,
    "family": family,
    "role": role,
    "zeroshot_train": zeroshot_train,
    "zeroshot_eval": zeroshot_eval,
  }
  return tuple(
    spec
    for spec in CATALOG
    if all(v is None or getattr(spec, k) == v for k, v in wanted.items())
  )


def task_name(task: str, spec: DatasetSpec) -> str:
  """The seqio task name: `instructuie_{task}_{slug}`."""
  return f"instructuie_{task.lower()}_{spec.slug}"


def parse_task_name(name: str) -> tuple[str, DatasetSpec]:
  """The (task type, catalog row) whose `task_name` is `name`.

  Every task type of the row counts (`task_types.TASK_TYPES` of its family),
  not only those registered for it.

  Raises:
    ValueError: `task_name` builds `name` for no task type and row.
  """
  if not _TASK_NAMES:
    for spec in CATALOG:
      for task in task_types.tasks_of_family(spec.family):
        _TASK_NAMES[task_name(task, spec)] = (task, spec)
  try:
    return _TASK_NAMES[name]
  except KeyError:
    raise ValueError(
      f"{name!r} is no task name of the catalog "
      "('instructuie_{task}_{slug}', see catalog.CATALOG)"
    ) from None


_TASK_NAMES: dict[str, tuple[str, DatasetSpec]] = {}


def dataset_dir(spec: DatasetSpec, root: str) -> str:
  """`{root}/{family}/{name}` (works for local paths and `gs://` URLs)."""
  return "/".join((root.rstrip("/"), spec.family, spec.name))


def split_path(spec: DatasetSpec, root: str, split: str) -> str:
  """The JSON file of seqio split `split` ("train", "validation", "test")."""
  return f"{dataset_dir(spec, root)}/{SPLIT_FILES[split]}.json"
