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

"""IE INSTRUCTIONS NER out to token-tag files, and the round trip back.

`export_split` writes one `token<TAB>tag` line per whitespace token (see
`conll.tag_instance`). Tag labels cannot hold whitespace in most scorers'
readers (conlleval splits lines at whitespace), so spaces in labels become
`_` (`ratings average` -> `B-ratings_average`) and `label_map` gives the way
back, to pass to the importer.

`roundtrip` writes a split out and reads it back with the CoNLL reader, and
counts the instances that come back identical (sentence and the entity
list), with a reason for each that does not.
"""

from __future__ import annotations

import collections
import dataclasses

from instructuie_jax.converters import common, conll


def bio_label(label: str) -> str:
  """The tag label for an IE label: spaces become `_`."""
  return label.replace(" ", "_")


def label_map(labels: list[str]) -> dict[str, str]:
  """Tag label -> IE label, for the labels that change.

  Raises:
    InputError: two labels give one tag label, or a label holds a tab or a
      newline.
  """
  back: dict[str, str] = {}
  for label in labels:
    if any(c in label for c in "\t\n\r"):
      raise common.InputError(f"label {label!r} holds a tab or newline")
    tag = bio_label(label)
    if tag in back and back[tag] != label:
      raise common.InputError(
        f"labels {back[tag]!r} and {label!r} both become {tag!r}"
      )
    back[tag] = label
  return {t: x for t, x in back.items() if t != x}


def export_split(
  instances: list[dict], scheme: str, file: str, report: common.Report
) -> str:
  """The token-tag text of one split; untaggable entities get notes."""
  parts = []
  for index, inst in enumerate(instances):
    tokens, tags = conll.tag_instance(
      inst["sentence"],
      inst["entities"],
      scheme,
      f"{file}:{index}",
      report,
      rename=bio_label,
    )
    parts.append(conll.format_sentence(tokens, tags))
  return "".join(parts)


@dataclasses.dataclass
class RoundTrip:
  """Round-trip counts of one split.

  Attributes:
    total: Instances.
    exact: Instances read back identical.
    reasons: Why the others are not (one reason each).
    examples: One `file:index` per reason.
  """

  total: int = 0
  exact: int = 0
  reasons: collections.Counter = dataclasses.field(
    default_factory=collections.Counter
  )
  examples: dict[str, str] = dataclasses.field(default_factory=dict)


def _normal(entities):
  return [(e["name"], e["type"], tuple(e.get("pos") or ())) for e in entities]


def roundtrip(instances: list[dict], scheme: str, file: str) -> RoundTrip:
  """Writes `instances` out as tags and reads them back."""
  report = common.Report()
  text = export_split(instances, scheme, file, report)
  back_report = common.Report()
  sentences = conll.read_sentences(text, "roundtrip", report=back_report)
  records = conll.to_records(sentences, scheme, split=None, report=back_report)
  labels = {e["type"] for x in instances for e in x["entities"]}
  reverse = label_map(sorted(labels))
  untaggable = {n.where for n in report.notes}
  result = RoundTrip(total=len(instances))
  if len(records) != len(instances):  # only when a sentence has no token
    result.reasons["sentence without tokens"] = len(instances)
    return result
  for index, (inst, record) in enumerate(zip(instances, records, strict=True)):
    where = f"{file}:{index}"
    got = record.instance
    for e in got["entities"]:
      e["type"] = reverse.get(e["type"], e["type"])
    want_entities = _normal(inst["entities"])
    got_entities = _normal(common.strip_private(got["entities"]))
    if got["sentence"] == inst["sentence"] and got_entities == want_entities:
      result.exact += 1
      continue
    if where in untaggable:
      kinds = {n.kind for n in report.notes if n.where == where}
      reason = sorted(kinds)[0]
    elif got["sentence"] != inst["sentence"]:
      reason = "whitespace other than single spaces"
    elif sorted(got_entities) == sorted(want_entities):
      reason = "entities not in text order"
    elif sorted(set(want_entities)) == sorted(got_entities):
      reason = "duplicate entity"
    else:
      reason = "other"
    result.reasons[reason] += 1
    result.examples.setdefault(reason, where)
  return result
