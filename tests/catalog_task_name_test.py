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

"""`catalog.parse_task_name` is the inverse of `catalog.task_name`."""

import pytest

from instructuie_jax import catalog


def test_inverse_of_task_name_for_every_row_and_task():
  for spec in catalog.CATALOG:
    for task in spec.tasks:
      assert catalog.parse_task_name(catalog.task_name(task, spec)) == (
        task,
        spec,
      )


def test_examples():
  task, spec = catalog.parse_task_name("instructuie_ner_ace_2005")
  assert (task, spec.name) == ("NER", "ACE 2005")
  task, spec = catalog.parse_task_name("instructuie_eea_casie")
  assert (task, spec.name) == ("EEA", "CASIE")


@pytest.mark.parametrize(
  "name",
  [
    "instructuie_ner_no_such_set",
    "instructuie_xx_casie",
    "instructuie_re_casie",  # CASIE is an EE dataset.
    "instructuie_NER_ace_2005",
    "ie_ner_ace_2005",
    "",
  ],
)
def test_names_not_built_by_task_name(name):
  with pytest.raises(ValueError, match="no task name of the catalog"):
    catalog.parse_task_name(name)
