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

"""Shared pytest fixtures: test data, the optional real datasets, a tiny model."""

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


def pytest_collection_modifyitems(items):
  """Runs the test files with slow tests first, each file's tests together.

  With pytest-xdist the workers take tests in this order, so the long runs
  start early and the quick tests fill in beside them at the end; a file's
  tests stay together so that its module fixtures are built once a worker.
  """
  heavy = {item.path for item in items if item.get_closest_marker("slow")}
  items.sort(key=lambda item: item.path not in heavy)


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


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
  """The tiny trained T5X model of tests/tiny_model_testing.py.

  Trained once per test run (the pytest-xdist workers share it); skips
  where T5X is not installed.
  """
  pytest.importorskip("t5x", reason="T5X not installed (README: Install T5X)")
  from tests import tiny_model_testing  # noqa: PLC0415

  return tiny_model_testing.tiny_model(tmp_path_factory)


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
