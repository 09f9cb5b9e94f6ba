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

r"""Does a converted model compute the same thing in T5X and in transformers?

Usage:
  python benchmarks/hf_checkpoint_agreement.py --t5x=T5X_DIR --hf=HF_DIR \
    --prompts=FILE.jsonl [--limit=300] [--input_length=128] \
    [--decode_length=32] [--batch_size=50]

T5X_DIR is a checkpoint_N or model directory, HF_DIR the same model for
transformers (one made from the other by tools/convert_checkpoint.py).
FILE.jsonl holds prompts: lines with "inputs" or "text", or t5x.infer /
inference_eval lines ({"input": {"inputs_pretokenized": ...}, "output": ...}).
Prompts are encoded with HF_DIR/spiece.model plus EOS, as the seqio tasks do.

Prints, as JSON: greedy decodes (T5X `temperature_sample` at temperature 0,
transformers `generate` without sampling, one beam) identical token for
token; the largest absolute logit difference (float32, teacher-forced on the
transformers decodes, real positions only); and, for inference_eval lines,
how many T5X decodes equal the "output" recorded by t5x.train. Needs T5X,
torch and transformers (requirements-test.txt).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Sequence

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags() -> None:
  flags.DEFINE_string(
    "t5x", None, "T5X checkpoint_N or model dir.", required=True
  )
  flags.DEFINE_string("hf", None, "Hugging Face model dir.", required=True)
  flags.DEFINE_string("prompts", None, "JSONL of prompts.", required=True)
  flags.DEFINE_integer("limit", 300, "Prompts used (the first N).")
  flags.DEFINE_integer("input_length", 128, "Encoder length (longer: error).")
  flags.DEFINE_integer("decode_length", 32, "Greedy decoding steps.")
  flags.DEFINE_integer("batch_size", 50, "Prompts per batch.")


def read_prompts(path: str, limit: int) -> list[tuple[str, str | None]]:
  """(prompt, output recorded by t5x or None) for the first LIMIT lines."""
  prompts = []
  with open(path, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
      if len(prompts) == limit:
        break
      row = json.loads(line)
      if isinstance(row.get("input"), dict):
        prompts.append((row["input"]["inputs_pretokenized"], row.get("output")))
      elif "inputs" in row or "text" in row:
        prompts.append((row.get("inputs", row.get("text")), None))
      else:
        raise ValueError(f"{path}:{number}: no 'inputs', 'text' or 'input'")
  return prompts


def main(argv: Sequence[str]) -> None:
  del argv
  import numpy as np
  import seqio
  import torch
  import transformers
  from t5x import decoding

  from instructuie_t5x import hf_checkpoints as hc
  from instructuie_t5x import t5x_checkpoints

  prompts = read_prompts(FLAGS.prompts, FLAGS.limit)
  vocab = seqio.SentencePieceVocabulary(f"{FLAGS.hf}/{hc.SPIECE}")
  encoded = [vocab.encode(p) + [1] for p, _ in prompts]
  longest = max(len(e) for e in encoded)
  if longest > FLAGS.input_length:
    raise app.UsageError(f"a prompt has {longest} tokens > --input_length")

  params, step = t5x_checkpoints.load_t5x_params(
    t5x_checkpoints.find_checkpoint_dir(FLAGS.t5x)
  )
  dims = hc.dims_from_t5x_params(params)
  greedy = functools.partial(decoding.temperature_sample, temperature=0.0)
  model = t5x_checkpoints.build_model(dims, vocab, decode_fn=greedy)
  hf = transformers.T5ForConditionalGeneration.from_pretrained(FLAGS.hf).eval()
  use_cache = dims.num_encoder_layers == dims.num_decoder_layers

  n_same = n_recorded = n_recorded_same = 0
  max_diff = 0.0
  logit_scale = 0.0
  start = time.time()
  for b in range(0, len(encoded), FLAGS.batch_size):
    rows = encoded[b : b + FLAGS.batch_size]
    enc = np.zeros((len(rows), FLAGS.input_length), np.int32)
    for i, r in enumerate(rows):
      enc[i, : len(r)] = r
    batch = {
      "encoder_input_tokens": enc,
      "decoder_input_tokens": np.zeros(
        (len(rows), FLAGS.decode_length), np.int32
      ),
    }
    t5x_out = np.asarray(model.predict_batch(params, batch))
    with torch.no_grad():
      hf_out = hf.generate(
        input_ids=torch.tensor(enc, dtype=torch.long),
        attention_mask=torch.tensor(enc > 0, dtype=torch.long),
        do_sample=False,
        num_beams=1,
        max_new_tokens=FLAGS.decode_length,
        use_cache=use_cache,
      ).numpy()[:, 1:]
    hf_full = np.zeros_like(t5x_out)
    hf_full[:, : hf_out.shape[1]] = hf_out
    # Same tokens up to and including EOS (both pad with 0 after it).
    n_same += int((hf_full == t5x_out).all(axis=1).sum())
    # Teacher-forced logits on the transformers decodes.
    targets = hf_full
    dec_in = np.concatenate(
      [np.zeros((len(rows), 1), np.int32), targets[:, :-1]], axis=1
    )
    t5x_logits = np.asarray(
      model.module.apply(
        {"params": params}, enc, dec_in, targets, enable_dropout=False
      )
    )
    with torch.no_grad():
      hf_logits = hf(
        input_ids=torch.tensor(enc, dtype=torch.long),
        attention_mask=torch.tensor(enc > 0, dtype=torch.long),
        decoder_input_ids=torch.tensor(dec_in, dtype=torch.long),
      ).logits.numpy()
    real = targets > 0
    v = hf_logits.shape[-1]
    diff = np.abs(t5x_logits[..., :v] - hf_logits)[real]
    max_diff = max(max_diff, float(diff.max()))
    logit_scale = max(logit_scale, float(np.abs(hf_logits[real]).max()))
    for i, (_, recorded) in enumerate(prompts[b : b + FLAGS.batch_size]):
      if recorded is not None:
        n_recorded += 1
        ids = [int(t) for t in t5x_out[i] if t > 0]
        ids = ids[: ids.index(1)] if 1 in ids else ids
        n_recorded_same += vocab.decode(ids) == recorded
  report = {
    "t5x_checkpoint_step": step,
    "prompts": len(encoded),
    "longest_prompt_tokens": longest,
    "decode_length": FLAGS.decode_length,
    "greedy_identical": n_same,
    "max_abs_logit_diff": max_diff,
    "max_abs_logit": logit_scale,
    "t5x_equal_to_recorded_output": n_recorded_same,
    "recorded_outputs": n_recorded,
    "seconds": round(time.time() - start, 1),
  }
  print(json.dumps(report, indent=2))


if __name__ == "__main__":
  define_flags()
  app.run(main)
