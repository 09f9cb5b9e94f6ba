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


"""Importing this module registers every task and mixture, the user's too.

For entry points that only import modules by name, such as seqio's
`cache_tasks_main --module_import=tasks.all_tasks` (`tools/cache_tasks.sh`):
the catalog's tasks and mixtures (`tasks.mixtures`) and those of the user's
own datasets named now (`IE_USER_DATASETS`, or gin bindings already parsed;
`tasks.settings.user_datasets_in_force`). Unlike `tasks.mixtures`, importing
it lists those folders.
"""

from tasks import mixtures, settings

USER_TASKS: list[str] = mixtures.register_user_datasets(
  settings.user_datasets_in_force()
)
