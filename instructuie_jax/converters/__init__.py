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

"""Corpus converters into (and out of) the IE INSTRUCTIONS layout.

Readers produce plain JSON instances (`common.Record`) and notes for
everything they skip or change (`common.Report`):

* `conll`: token-per-line files with BIO / BIOES / IOB1 tags (`tags`).
* `brat`: BRAT standoff `.txt` + `.ann` documents (NER, RE, EE).
* `jsonl`: JSON lines with token spans (GLiNER) or character spans.

`bio_export` writes NER data back out as token-tag files; `output` writes
validated dataset folders; `pipeline` runs a whole conversion in or out
(inputs, label map, splits, writing). The command line is
`tools/convert_data.py`.
"""
