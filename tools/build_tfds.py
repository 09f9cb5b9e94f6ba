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


r"""Prepares the `ie_instructions` TFDS datasets (sharded TFRecords).

Usage:
  python -m tools.build_tfds --manual_dir=DATA_ROOT --data_dir=TFDS_DIR \
    [--datasets=mit_movie,conll04 | --datasets=all]
  IE_USER_DATASETS=/data/my_ie python -m tools.build_tfds \
    --data_dir=TFDS_DIR --datasets=user | --datasets=my_ner,...

One TFDS dataset per catalog row (`ie_instructions/{slug}:1.0.0`), built from
the JSON files under --manual_dir (the IE INSTRUCTIONS root, local or gs://)
into --data_dir (local or gs://). With --datasets=all, catalog datasets whose
folder is missing are listed and counted as skipped; a dataset named in
--datasets must have its folder. Read them with `IE_INSTRUCTIONS_SOURCE=tfds
IE_INSTRUCTIONS_TFDS_DIR=TFDS_DIR`. Same as `tfds build
--imports=tasks.sources ie_instructions/{slug} --manual_dir=...
--data_dir=...`, whose CLI needs apache-beam.

The datasets of the user's own folders (`IE_USER_DATASETS`,
tasks/user_datasets.py) are built from their own folder (no --manual_dir
needed) as `ie_instructions/user_{family}_{slug}`: `--datasets=user` for
all of them, or their names among the others.

Everything is checked before the first dataset is built: the folders, the
names, and every split of every dataset to build (it must read without
error and hold at least one instance). A mistake is one line on stderr with
exit status 2 (flags, names) or 1 (paths, data); exit status 1 too when
nothing is left to build.
"""

from __future__ import annotations

import difflib
import os

from absl import app, flags

from instructuie_jax import catalog, cli, schema

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines the CLI flags (only when run as a script)."""
  flags.DEFINE_string(
    "manual_dir", None, "Data root of the catalog's datasets."
  )
  flags.DEFINE_string("data_dir", None, "TFDS output dir.", required=True)
  flags.DEFINE_list(
    "datasets",
    ["all"],
    "Slugs, 'all' (the catalog's) or 'user' (those of IE_USER_DATASETS).",
  )


def _is_remote(path: str) -> bool:
  return "://" in path


def _isdir(path: str) -> bool:
  if _is_remote(path):
    import tensorflow as tf

    return tf.io.gfile.isdir(path)
  return os.path.isdir(path)


def _user_specs() -> tuple[catalog.DatasetSpec, ...]:
  """The datasets of `IE_USER_DATASETS` (tasks/user_datasets.py)."""
  from tasks import settings

  folders = settings.user_datasets_in_force()
  if not folders:
    return ()
  from tasks import user_datasets  # TensorFlow (gfile), only when needed.

  try:
    return user_datasets.specs(folders)
  except ValueError as e:
    raise cli.UserError(str(e)) from None


def _config(spec: catalog.DatasetSpec) -> str:
  from tasks import sources

  return sources.tfds_config_name(spec)


def _spec(slug: str) -> catalog.DatasetSpec:
  try:
    return catalog.get(slug)
  except ValueError:
    pass
  user = _user_specs()
  mine = [s for s in user if slug in (s.slug, s.name, _config(s))]
  if len(mine) == 1:
    return mine[0]
  if mine:
    raise cli.UsageError(
      f"dataset {slug!r} is in several families; name one of "
      f"{', '.join(_config(s) for s in mine)}"
    )
  known = [s.slug for s in catalog.CATALOG] + [_config(s) for s in user]
  close = difflib.get_close_matches(slug, known, n=3)
  hint = f"did you mean {', '.join(close)}?" if close else "known: "
  hint += "" if close else ", ".join(known)
  raise cli.UsageError(f"unknown dataset {slug!r} ({hint})")


def _root(spec: catalog.DatasetSpec, manual_dir: str | None) -> str:
  """The data root of `spec`: its own (a user's dataset) or --manual_dir."""
  return spec.root if spec.root is not None else manual_dir


def plan(
  manual_dir: str | None, data_dir: str, slugs: list[str]
) -> tuple[list[catalog.DatasetSpec], dict[str, str]]:
  """Checks the flags and folders; returns (datasets to build, skipped).

  Args:
    manual_dir: The IE INSTRUCTIONS root (None: user datasets only).
    data_dir: The TFDS output folder.
    slugs: Catalog slugs (or names), user dataset names, `["all"]` or
      `["user"]`.

  Returns:
    The datasets whose folder exists, and `{slug: why skipped}` for the
    others (only with "all").

  Raises:
    cli.UsageError: no or an unknown dataset name.
    cli.UserError: a missing folder, nothing to build.
    OSError: `data_dir` cannot be written.
  """
  slugs = [s for s in slugs if s]
  if not slugs:
    raise cli.UsageError("--datasets is empty; name datasets or pass 'all'")
  every = slugs == ["all"]
  if every:
    specs = list(catalog.CATALOG)
  elif slugs == ["user"]:
    specs = list(_user_specs())
    if not specs:
      raise cli.UsageError("--datasets=user: IE_USER_DATASETS is not set")
  else:
    specs = [_spec(s) for s in slugs]
  if any(spec.root is None for spec in specs):
    if not manual_dir:
      raise cli.UsageError("--manual_dir is required for catalog datasets")
    if not _isdir(manual_dir):
      raise cli.UserError(f"{manual_dir}: no such folder (--manual_dir)")
  if not _is_remote(data_dir):
    cli.check_output_dir(data_dir)
  found, skipped = [], {}
  for spec in specs:
    folder = catalog.dataset_dir(spec, _root(spec, manual_dir))
    if _isdir(folder):
      found.append(spec)
    elif every:
      skipped[spec.slug] = f"no folder {folder}"
    else:
      raise cli.UserError(f"{folder}: no such folder (dataset {spec.slug})")
  if not found:
    raise cli.UserError(
      f"no catalog dataset folder under {manual_dir} (expected e.g. "
      f"{catalog.dataset_dir(specs[0], manual_dir)})"
    )
  return found, skipped


def check_data(
  specs: list[catalog.DatasetSpec], manual_dir: str | None
) -> None:
  """Reads every split of `specs` as the builder will (then cached).

  Raises:
    cli.UserError: the first split that fails to read or holds no instance.
  """
  from tasks import sources

  for spec in specs:
    root = _root(spec, manual_dir)
    for split in sources.ALL_SPLITS:
      try:
        features = sources.load_features(spec, root, split)
      except FileNotFoundError as e:
        raise cli.UserError(f"{e} (dataset {spec.slug})") from None
      except schema.DataError as e:
        raise cli.UserError(f"{e} (dataset {spec.slug})") from None
      if not features["id"]:
        path = catalog.split_path(spec, root, split)
        raise cli.UserError(
          f"{path}: file: empty list, no instances (dataset {spec.slug})"
        )


def build(
  manual_dir: str | None, data_dir: str, slugs: list[str]
) -> dict[str, str]:
  """Builds the datasets; returns `{config: what happened}` in catalog order
  (then the user's datasets in the order given).

  Each value is "built: DIR", "already built: DIR" or "skipped: why".

  Raises:
    cli.UserError: see `plan` and `check_data`; nothing is built then.
  """
  specs, skipped = plan(manual_dir, data_dir, slugs)
  check_data(specs, manual_dir)

  import tensorflow_datasets as tfds

  from tasks import sources

  result = {slug: f"skipped: {why}" for slug, why in skipped.items()}
  for spec in specs:
    # A user's dataset has no config in the builder class: it is passed.
    config = spec.slug if spec.root is None else sources.builder_config(spec)
    builder = sources.IeInstructions(config=config, data_dir=data_dir)
    name = _config(spec)
    if builder.is_prepared():
      result[name] = f"already built: {builder.data_dir}"
      continue
    root = _root(spec, manual_dir)
    builder.download_and_prepare(
      download_config=tfds.download.DownloadConfig(manual_dir=root)
    )
    result[name] = f"built: {builder.data_dir}"
  order: dict[str, int] = {}
  for spec in [*catalog.CATALOG, *specs]:
    order.setdefault(_config(spec), len(order))
  return dict(sorted(result.items(), key=lambda kv: order[kv[0]]))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  result = build(FLAGS.manual_dir, FLAGS.data_dir, FLAGS.datasets)
  for slug, status in result.items():
    print(f"{slug}: {status}")
  counts = {}
  for status in result.values():
    key = status.split(":", 1)[0]
    counts[key] = counts.get(key, 0) + 1
  print(", ".join(f"{n} {key}" for key, n in counts.items()))


if __name__ == "__main__":
  define_flags()
  cli.run(main)
