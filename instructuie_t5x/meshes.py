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

"""A T5X partitioner with a plain (data, model) mesh over the local devices.

T5X's default mesh ignores `num_partitions` on CPU (it builds a mesh of
processes x local devices) and needs TPU coordinates for
`model_parallel_submesh`. `LocalMeshPartitioner` instead reshapes
`jax.devices()` into `(device_count // num_partitions, num_partitions)` with
axes ('data', 'model'), so data x model parallelism can be run and tested on
simulated CPU devices (`XLA_FLAGS=--xla_force_host_platform_device_count=8`)
or on one GPU host. Bind it in gin with
`train_script.train.partitioner = @meshes.LocalMeshPartitioner()`.
"""

from __future__ import annotations

import functools

import jax
import numpy as np
from jax.sharding import Mesh
from t5x import partitioning


def local_mesh(num_partitions: int, devices=None) -> Mesh:
  """A ('data', 'model') mesh with `num_partitions` devices on 'model'.

  Args:
    num_partitions: size of the model axis; must divide the device count.
    devices: the devices, in order; default `jax.devices()`.

  Returns:
    A `jax.sharding.Mesh` of shape `(n // num_partitions, num_partitions)`;
    neighbouring devices share a model-parallel group.

  Raises:
    ValueError: if `num_partitions` does not divide the number of devices.
  """
  devices = list(jax.devices() if devices is None else devices)
  if num_partitions < 1 or len(devices) % num_partitions:
    raise ValueError(
      f"num_partitions={num_partitions} must divide the {len(devices)} devices"
    )
  grid = np.array(devices, dtype=object).reshape(-1, num_partitions)
  return Mesh(grid, ("data", "model"))


class LocalMeshPartitioner(partitioning.PjitPartitioner):
  """`PjitPartitioner` whose mesh is `local_mesh(num_partitions)`.

  Takes the same arguments as `PjitPartitioner`; `num_partitions` sets the
  model axis and `model_parallel_submesh` must stay unset.
  """

  def __init__(self, num_partitions: int = 1, **kwargs):
    if kwargs.get("model_parallel_submesh"):
      raise ValueError("LocalMeshPartitioner takes num_partitions only")
    super().__init__(num_partitions=num_partitions, **kwargs)

  @functools.cached_property
  def mesh(self) -> Mesh:
    return local_mesh(self._num_partitions, jax.devices(self._backend))
