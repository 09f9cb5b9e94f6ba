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


"""The JAX/T5X side of instructuie-jax (everything but SeqIO registration).

`packing` (the block packer), `indexed_mixture` (the packed training stream
T5X reads with `gin/runs/packed_train.gin`), `meshes` (a local data x model
mesh) and the Hugging Face <-> T5X checkpoint conversion
(`hf_checkpoints`, `t5x_checkpoints`, `checkpoint_conversion`). These
modules import TensorFlow, seqio, JAX or T5X; the pure core is
`instructuie_jax`.
"""
