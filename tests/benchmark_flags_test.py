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

"""The model benchmarks' bad flags: one error line, before any model loads."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")

from tests import cli_testing  # noqa: E402

CONSTRAINED = "benchmarks.constrained_decoding"


@pytest.mark.parametrize(
  ("module", "args", "code", "message"),
  [
    (
      CONSTRAINED,
      ["--data_dir=/d", "--datasets=NER/x"],
      2,
      "--checkpoint is required",
    ),
    (
      CONSTRAINED,
      ["--checkpoint=/c", "--data_dir=/d", "--datasets=NERx"],
      2,
      "--datasets: 'NERx' is not FAMILY/DATASET",
    ),
    (CONSTRAINED, ["--repeats=0"], 2, "flag --repeats=0"),
    (
      "benchmarks.long_text",
      ["--checkpoint=/c", "--data_dir=/d", "--dataset=synth_news"],
      2,
      "--dataset: 'synth_news' is not FAMILY/DATASET",
    ),
  ],
)
def test_bad_flags_are_one_line(module, args, code, message):
  result = cli_testing.run_tool(module, *args)
  assert result.code == code, result.err
  assert result.error_line().startswith(message), result.err


# Per model benchmark, its dataset flag and a flag that lets one short
# dataset through (long_text joins sentences up to --min_chars).
MODEL_BENCHMARKS = {
  CONSTRAINED: ("--datasets", "--limit=0"),
  "benchmarks.long_text": ("--dataset", "--min_chars=100"),
}


@pytest.mark.parametrize("module", sorted(MODEL_BENCHMARKS))
@pytest.mark.parametrize("data", [False, True])
def test_missing_data_or_checkpoint_is_one_line(tmp_path, module, data):
  folder = tmp_path / "data" / "NER" / "x"
  if data:
    folder.mkdir(parents=True)
    (folder / "labels.json").write_text(json.dumps(["person"]))
    sentence = {"sentence": "Ada came .", "entities": []}
    (folder / "test.json").write_text(json.dumps([sentence] * 40))
  dataset, enough = MODEL_BENCHMARKS[module]
  result = cli_testing.run_tool(
    module,
    f"--checkpoint={tmp_path / 'model'}",
    f"--data_dir={tmp_path / 'data'}",
    f"{dataset}=NER/x",
    enough,
  )
  assert result.code == 1, result.err
  if data:
    assert result.error_line() == (
      f"--checkpoint: {tmp_path / 'model'}: no such directory"
    )
  else:
    assert result.error_line().startswith(f"{folder}/labels.json: ")
