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

"""Constrained decoding: targets that stay inside the task's grammar.

Each text of a batch gets the token automaton of its task's target grammar
(`formats.grammar`: labels only from its prompt's options, spans only copied
from its text, separators and "None" only where the format writes them).
`pack` stacks the automata into padded arrays, and `decode` runs
`t5x.decoding.temperature_sample` (greedy at temperature 0) with every
step's logits masked to the tokens the text's automaton accepts.

The automaton state (a boolean vector per text) travels in the decoding
cache: `temperature_sample` hands `tokens_to_logits` the cache and the token
just chosen, so the wrapped `tokens_to_logits` advances the state, masks the
logits and returns the state in the new cache. (Its `logit_callback_fn`
sees the loop state from before the cache update, so the mask would need
the state recomputed from the whole prefix at every step.) One compiled
loop serves every mix of tasks and labels of the same padded shape.

The mask also keeps every answer able to end within the target length: a
token is allowed only where the fewest tokens from it to EOS (`to_end`) fit
in the steps left, so answers end with a complete item instead of being
cut.

  automata = [automaton_for(query, vocabulary) for query in queries]
  constraints = pack(automata, rows=8)
  model.predict_batch_with_aux(params, batch,
                               decoder_params={"constraints": constraints})
  # with the model's decode_fn = constrained.decode

`constrained_runs` does the same in T5X's own runs (`t5x.infer`, `t5x.eval`,
`t5x.train`), building each example's automaton from its prompt
(`automaton_from_prompt`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import flax
import jax
import jax.numpy as jnp
import numpy as np
from t5x import decoding

from instructuie_jax import formats, grounding, task_types
from instructuie_jax.formats import grammar as grammar_lib

_MIN_POSITIONS = 64
_MIN_GROUPS = 8


def _bucket(n: int, minimum: int) -> int:
  size = minimum
  while size < n:
    size *= 2
  return size


def automaton_for(query: Any, vocabulary: Any) -> grammar_lib.Automaton:
  """The automaton of an extraction query (`queries.Query`).

  Labels are the options its answers are checked against (EE: after each
  event type only its own roles); spans copy the tokens of its text. The
  grammar is that of the query's target format.

  Raises:
    ValueError: the query's target format has no grammar.
  """
  return automaton_of(
    query.task, query.label_check, query.text, vocabulary, query.target_format
  )


def automaton_from_prompt(
  task: str | task_types.TaskType,
  prompt: str,
  vocabulary: Any,
  target_format: str = "instructuie",
) -> grammar_lib.Automaton | None:
  """The automaton of a rendered prompt of `task` (an example's inputs).

  The options and the text are read back from the prompt
  (`PromptLayout.read_labels`; EE: every role after every event type, as
  the prompt lists them). None when the prompt does not have the task's
  layout.
  """
  task = task_types.get(task)
  read = task.layout.read_labels(prompt)
  if read is None:
    return None
  options, roles, text = read
  check = grounding.options_for(task, options, roles=roles)
  return automaton_of(task, check, text, vocabulary, target_format)


def automaton_of(
  task: str | task_types.TaskType,
  check: grounding.Options,
  text: str,
  vocabulary: Any,
  target_format: str = "instructuie",
) -> grammar_lib.Automaton:
  """The automaton of `task`'s targets with the labels of `check` on `text`.

  Raises:
    ValueError: `target_format` has no grammar.
  """
  fmt = formats.get(target_format)
  if not hasattr(fmt, "grammar"):
    raise ValueError(
      f"target format {target_format!r} has no grammar for constrained decoding"
    )
  roles = check.roles
  by_type = None
  if isinstance(roles, Mapping):
    by_type = {t: sorted(rs) for t, rs in roles.items()}
    roles = {r for rs in roles.values() for r in rs}
  labels = {"types": sorted(check.types), "roles": sorted(roles)}
  grammar = fmt.grammar(task, sentence=text, labels=labels)
  text_tokens = list(vocabulary.encode(text))
  return grammar_lib.compile_grammar(
    grammar,
    labels,
    text_tokens,
    vocabulary.encode,
    vocabulary.eos_id,
    roles_by_type=by_type,
    word_starts=word_starts(vocabulary, text_tokens),
    span_ends=span_ends(vocabulary, text_tokens),
  )


def word_starts(vocabulary: Any, tokens: Sequence[int]) -> list[bool] | None:
  """Per token, whether its SentencePiece piece starts a word ("▁...").

  None for a vocabulary without SentencePiece pieces (a byte vocabulary).
  """
  tokenizer = getattr(vocabulary, "tokenizer", None)
  id_to_piece = getattr(tokenizer, "id_to_piece", None)
  if id_to_piece is None:
    return None
  size = tokenizer.get_piece_size()
  return [0 <= t < size and id_to_piece(int(t)).startswith("▁") for t in tokens]


def span_ends(vocabulary: Any, tokens: Sequence[int]) -> list[bool] | None:
  """Per token, whether a copied span may end with it (SentencePiece).

  Anywhere but at a bare space ("▁", which would end the span with a space
  or, alone, leave it empty). None for a vocabulary without SentencePiece
  pieces.
  """
  if word_starts(vocabulary, tokens) is None:
    return None
  size = vocabulary.tokenizer.get_piece_size()
  return [
    not 0 <= t < size or vocabulary.tokenizer.id_to_piece(int(t)) != "▁"
    for t in tokens
  ]


def pack(
  automata: Sequence[grammar_lib.Automaton],
  rows: int | None = None,
  positions: int | None = None,
  groups: int | None = None,
) -> dict[str, np.ndarray]:
  """Stacks automata into padded arrays (positions and groups bucketed).

  Args:
    automata: One per text.
    rows: The batch's rows (>= len(automata)); padding rows accept only EOS.
    positions: P, the positions to pad to (default: the largest automaton's,
      bucketed).
    groups: G, the groups to pad to (default: bucketed likewise).

  Returns:
    Arrays `symbol` [B, P], `has_next` [B, P], `group` [B, P] (G for none),
    `follow` [B, G, P], `start` [B, P], `to_end` [B, P].

  Raises:
    ValueError: When an automaton has more than `positions` positions or
      `groups` groups.
  """
  rows = rows or len(automata)
  p = positions or _bucket(
    max((a.num_positions for a in automata), default=1), _MIN_POSITIONS
  )
  g = groups or _bucket(
    max((a.num_groups for a in automata), default=1), _MIN_GROUPS
  )
  for a in automata:
    if a.num_positions > p or a.num_groups > g:
      raise ValueError(
        f"an automaton of {a.num_positions} positions and {a.num_groups} "
        f"groups does not fit in {p} positions and {g} groups"
      )
  out = {
    "symbol": np.zeros((rows, p), np.int32),
    "has_next": np.zeros((rows, p), bool),
    "group": np.full((rows, p), g, np.int32),
    "follow": np.zeros((rows, g, p), bool),
    "start": np.zeros((rows, p), bool),
    "to_end": np.zeros((rows, p), np.int32),
  }
  for i, a in enumerate(automata):
    n = a.num_positions
    out["symbol"][i, :n] = a.symbol
    out["has_next"][i, :n] = a.has_next
    out["group"][i, :n] = np.where(a.group >= 0, a.group, g)
    out["follow"][i, : a.num_groups, :n] = a.follow
    out["start"][i, :n] = a.start
    out["to_end"][i, :n] = a.to_end
  return out


def advance(constraints: Mapping[str, jax.Array], state, token):
  """The states [B, P] after each row's `token` [B]."""
  token = jnp.reshape(token, (-1, 1))
  matched = state & (constraints["symbol"] == token)
  shifted = jnp.pad(
    (matched & constraints["has_next"])[:, :-1], ((0, 0), (1, 0))
  )
  groups = constraints["follow"].shape[1]

  def ended(m, group):
    return jnp.zeros(groups + 1, bool).at[group].max(m)[:groups]

  hit = jax.vmap(ended)(matched, constraints["group"])
  after = jnp.any(hit[:, :, None] & constraints["follow"], axis=1)
  return shifted | after


def allowed_tokens(
  constraints: Mapping[str, jax.Array], state, vocab_size: int, eos_id: int
):
  """[B, V] bool: the tokens each row's state accepts (EOS once none is)."""

  def row(symbol, s):
    return jnp.zeros(vocab_size, bool).at[symbol].max(s)

  allowed = jax.vmap(row)(constraints["symbol"], state)
  return allowed.at[:, eos_id].max(~jnp.any(state, axis=1))


def mask_logits(constraints, state, logits, eos_id: int, room=None):
  """`logits` [B, V] with the tokens the states refuse set to NEG_INF.

  With `room` [B] (tokens left to decode, this one included), a token is
  allowed only where the target can still end in time (`to_end`), while
  any can.
  """
  if room is not None:
    in_time = state & (constraints["to_end"] <= room[:, None])
    state = jnp.where(jnp.any(in_time, axis=1, keepdims=True), in_time, state)
  allowed = allowed_tokens(constraints, state, logits.shape[-1], eos_id)
  return jnp.where(allowed, logits, decoding.NEG_INF)


def _constrained_logits(
  tokens_to_logits: Callable,
  constraints: Mapping[str, jax.Array],
  eos_id: int,
  length: int,
) -> Callable:
  """Wraps `tokens_to_logits`: advances the state in the cache, masks."""

  def step(state: decoding.DecodingState):
    cache = state.cache
    inner = cache["model"]
    automaton = jnp.where(
      cache["started"][:, None],
      advance(constraints, cache["automaton"], state.cur_token),
      cache["automaton"],
    )
    logits, new_inner = tokens_to_logits(state.replace(cache=inner))
    if isinstance(inner, flax.core.FrozenDict):
      new_inner = flax.core.freeze(new_inner)
    room = length - jnp.reshape(state.cur_index, (-1,))
    masked = mask_logits(constraints, automaton, logits, eos_id, room)
    if "on" in constraints:
      masked = jnp.where(constraints["on"][:, None], masked, logits)
    logits = masked
    new_cache = {
      "model": new_inner,
      "automaton": automaton,
      "started": jnp.ones_like(cache["started"]),
    }
    return logits, new_cache

  return step


def decode(
  inputs: jax.Array,
  cache: Mapping[str, jax.Array],
  tokens_to_logits: Callable,
  eos_id: int,
  *,
  constraints: Mapping[str, jax.Array],
  num_decodes: int = 1,
  cache_offset: int = 0,
  temperature: float = 0.0,
  topk: int = 0,
  **kwargs: Any,
):
  """`t5x.decoding.temperature_sample` under per-row grammar constraints.

  A model `decode_fn`: `predict_batch_with_aux` passes `constraints` (from
  `pack`) through `decoder_params`. Greedy by default (temperature 0). With
  `constraints["on"]` [B] bool, the rows where it is False decode without
  constraints.

  Returns:
    `(decodes, log_probs)` as `temperature_sample` returns them.
  """
  if num_decodes > 1:
    if cache_offset:
      raise ValueError(
        "constrained decoding: num_decodes > 1 needs cache_offset 0"
      )
    constraints = {
      k: decoding.flat_batch_beam_expand(v, num_decodes)
      for k, v in constraints.items()
    }
  rows = inputs.shape[0]
  wrapped_cache = {
    "model": cache,
    "automaton": constraints["start"][::num_decodes]
    if num_decodes > 1
    else constraints["start"],
    "started": jnp.zeros((rows,), bool),
  }
  return decoding.temperature_sample(
    inputs,
    wrapped_cache,
    _constrained_logits(tokens_to_logits, constraints, eos_id, inputs.shape[1]),
    eos_id,
    num_decodes=num_decodes,
    cache_offset=cache_offset,
    temperature=temperature,
    topk=topk,
    **kwargs,
  )


def finished_lengths(
  constraints: Mapping[str, jax.Array], tokens: jax.Array, eos_id: int
) -> jax.Array:
  """`grammar.finished_prefix` of each row of `tokens` [B, L]: lengths [B].

  The longest prefix of each row that is a whole target of its automaton
  (jittable; the rows are decodes without EOS).
  """
  eos = constraints["symbol"] == eos_id

  def step(carry, token):
    state, alive, best, k = carry
    best = jnp.where(alive & jnp.any(state & eos, axis=1), k, best)
    state = advance(constraints, state, token)
    return (state, alive & jnp.any(state, axis=1), best, k + 1), None

  rows = tokens.shape[0]
  init = (
    constraints["start"],
    jnp.ones((rows,), bool),
    jnp.zeros((rows,), jnp.int32),
    jnp.int32(0),
  )
  (state, alive, best, k), _ = jax.lax.scan(step, init, jnp.transpose(tokens))
  return jnp.where(alive & jnp.any(state & eos, axis=1), k, best)


def cut_unfinished(
  constraints: Mapping[str, jax.Array], decodes: jax.Array, eos_id: int
) -> tuple[jax.Array, jax.Array]:
  """Cuts each constrained row without EOS back to its last whole item.

  Args:
    constraints: The rows' constraint arrays (`on`, where given, leaves the
      rows where it is False as decoded).
    decodes: [B, L] decoded tokens.
    eos_id: The EOS token.

  Returns:
    `(decodes, unfinished)`: the tokens after the kept prefix of a cut row
    become EOS; `unfinished` [B] counts them (`finished_lengths`).
  """
  length = decodes.shape[-1]
  ended = jnp.any(decodes == eos_id, axis=-1)
  finished = finished_lengths(constraints, decodes, eos_id)
  done = ended if "on" not in constraints else ended | ~constraints["on"]
  keep = jnp.where(done, length, finished)
  position = jnp.arange(length)[None, :]
  cut = jnp.where(position < keep[:, None], decodes, eos_id)
  return cut, length - keep


def predict_fn(model: Any) -> Callable:
  """`(params, batch, constraints) -> (tokens, unfinished)`, constrained.

  The model's own `predict_batch_with_aux` with `decode` as its decode
  function (on a shallow copy; `model` is left as it is), each answer that
  did not end cut back to its last complete item (`cut_unfinished`).
  """
  constrained_model = copy.copy(model)
  constrained_model._decode_fn = decode  # noqa: SLF001  # t5x has no setter

  def predict(params, batch, constraints):
    tokens, _ = constrained_model.predict_batch_with_aux(
      params, batch, decoder_params={"constraints": constraints}
    )
    return cut_unfinished(constraints, tokens, model.output_vocabulary.eos_id)

  return predict
