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

"""Shared pytest fixtures: bundled test data and the optional real datasets."""

import os
import pathlib
import sys

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
TINY_DATA_DIR = REPO_ROOT / "tests" / "testdata" / "ie_tiny"


def _shared_data_path() -> pathlib.Path:
  """Where the real IE INSTRUCTIONS data is looked for.

  `IE_INSTRUCTIONS_TEST_DATA` wins; otherwise `../shared/data/ie_instructions`
  beside the repository.
  """
  env = os.environ.get("IE_INSTRUCTIONS_TEST_DATA")
  if env:
    return pathlib.Path(env)
  return REPO_ROOT.parent / "shared" / "data" / "ie_instructions"


@pytest.fixture(scope="session")
def tiny_data_dir() -> pathlib.Path:
  """The bundled hand-written fixtures in the IE INSTRUCTIONS layout."""
  return TINY_DATA_DIR


@pytest.fixture(scope="session")
def shared_data_dir() -> pathlib.Path:
  """The real datasets; the test is skipped (with the path) when absent."""
  path = _shared_data_path()
  if not path.is_dir():
    pytest.skip(f"real IE INSTRUCTIONS data not found at {path}")
  return path


@pytest.fixture(autouse=True)
def _data_settings_resolved_per_test():
  """Each test resolves the data settings (`tasks.settings`) anew.

  A process resolves them once; without this, the first test to read data
  would fix them (environment included) for every later test.
  """
  yield
  settings = sys.modules.get("tasks.settings")
  if settings is not None:
    settings.reset()
