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

r"""IE INSTRUCTIONS NER -> BIO token files -> IE INSTRUCTIONS, with the CLI.

Usage:
  python benchmarks/convert_roundtrip.py --data_dir=/path/to/ie_instructions \
    [--datasets=mit-movie,bc5cdr] [--scheme=bio]

For each NER dataset runs the two commands a user would run:

  python -m tools.convert_data --to=conll --input=DATA --dataset=NAME \
    --output_dir=TMP/bio --scheme=S
  python -m tools.convert_data --format=conll --scheme=S \
    --input=train=TMP/bio/NAME/train.txt,dev=...,test=... \
    --label_map=TMP/bio/NAME/label_map.json --labels=TMP/bio/NAME/labels.json \
    --output_dir=TMP/ie --dataset=NAME

and compares the result with the original, instance by instance (sentence
and entity list) and file by file (bytes). Instances that do not come back
identical are explained by `bio_export.roundtrip` (entity not on whitespace
token boundaries, overlapping or nested entities, whitespace other than
single spaces, entities not in text order). Exits 1 when an instance differs
for no explained reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from absl import app, flags

from instructuie_jax import schema, task_types
from instructuie_jax.converters import bio_export

FLAGS = flags.FLAGS


def define_flags() -> None:
  """Defines this CLI's flags (only when run as a script)."""
  flags.DEFINE_string("data_dir", None, "IE INSTRUCTIONS root.")
  flags.DEFINE_list("datasets", None, "NER datasets (default: all).")
  flags.DEFINE_enum("scheme", "bio", ["bio", "bioes", "iob1"], "Tag scheme.")


def _cli(*args: str) -> None:
  repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  env = dict(os.environ, PYTHONPATH=repo)
  result = subprocess.run(
    [sys.executable, "-m", "tools.convert_data", *args],
    capture_output=True,
    text=True,
    env=env,
    cwd=repo,
    check=False,
  )
  if result.returncode != 0:
    raise RuntimeError(f"convert_data {args}: {result.stderr.strip()}")


def roundtrip_dataset(data_dir: str, name: str, scheme: str, tmp: str) -> dict:
  """Counts for one dataset: instances, identical, identical files, reasons."""
  bio = os.path.join(tmp, "bio")
  ie = os.path.join(tmp, "ie")
  _cli(
    "--to=conll",
    f"--input={data_dir}",
    f"--dataset={name}",
    f"--output_dir={bio}",
    f"--scheme={scheme}",
  )
  folder = os.path.join(bio, name)
  inputs = ",".join(f"{s}={folder}/{s}.txt" for s in schema.SPLITS)
  _cli(
    "--format=conll",
    f"--scheme={scheme}",
    f"--input={inputs}",
    f"--label_map={folder}/label_map.json",
    f"--labels={folder}/labels.json",
    f"--output_dir={ie}",
    f"--dataset={name}",
  )
  row = {"instances": 0, "identical": 0, "files": 0, "reasons": {}}
  for split in (*schema.SPLITS, "labels"):
    a = os.path.join(
      data_dir, task_types.NER_FAMILY.name, name, f"{split}.json"
    )
    b = os.path.join(ie, task_types.NER_FAMILY.name, name, f"{split}.json")
    with open(a, "rb") as fa, open(b, "rb") as fb:
      row["files"] += fa.read() == fb.read()
    if split == "labels":
      continue
    want = json.load(open(a, encoding="utf-8"))
    got = json.load(open(b, encoding="utf-8"))
    row["instances"] += len(want)
    row["identical"] += sum(x == y for x, y in zip(want, got, strict=False))
    explained = bio_export.roundtrip(want, scheme, a)
    for reason, n in explained.reasons.items():
      row["reasons"][reason] = row["reasons"].get(reason, 0) + n
  return row


def main(argv: list[str]) -> int:
  del argv
  data_dir = FLAGS.data_dir
  names = FLAGS.datasets or [
    d
    for f, d in schema.list_datasets(data_dir)
    if task_types.family(f) is task_types.NER_FAMILY
  ]
  print(
    "| dataset | instances | identical | files identical | not identical: why |"
  )
  print("|---|---:|---:|---:|---|")
  total = identical = unexplained = 0
  start = time.perf_counter()
  for name in names:
    with tempfile.TemporaryDirectory() as tmp:
      row = roundtrip_dataset(data_dir, name, FLAGS.scheme, tmp)
    total += row["instances"]
    identical += row["identical"]
    missing = row["instances"] - row["identical"]
    unexplained += max(0, missing - sum(row["reasons"].values()))
    why = ", ".join(f"{k}: {v}" for k, v in sorted(row["reasons"].items()))
    print(
      f"| {name} | {row['instances']:,} | {row['identical']:,} | "
      f"{row['files']}/4 | {why or '-'} |"
    )
  print(
    f"\n{identical:,} of {total:,} instances identical "
    f"({time.perf_counter() - start:.0f} s, scheme {FLAGS.scheme})"
  )
  return 1 if unexplained else 0


if __name__ == "__main__":
  define_flags()
  flags.mark_flag_as_required("data_dir")
  app.run(main)
