#!/usr/bin/env python3
# One GRPO step with LoRA on a batch groundwork exported (one JSON line per rollout); saves the new adapter.
"""Usage: grpo_step.py --batch epoch-3.jsonl --base-model /models/Qwen3-8B --out adapter-v4 [--adapter adapter-v3]

Each line: {"prompt": {"system", "user"}, "completion", "idea", "reward", "advantage", "group", "policy_version"}.
The advantages are groundwork's (group-relative, after mitigations); the step is on-policy (the batch was
sampled by the adapter it starts from), so the importance ratio starts at 1. Needs torch and transformers;
uses peft where installed, else the plain-torch LoRA of lora.py (saved in PEFT's layout).
"""
import argparse
import json
import os
import sys

import torch

from grpo_loss import grpo_loss, token_logprobs
from lora import add_lora, disabled, load_adapter, save_adapter

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def read_batch(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def encode(tokenizer, line, max_length):
    """Token ids of prompt + completion, and how many of them are the prompt."""
    messages = [
        {"role": "system", "content": line["prompt"]["system"]},
        {"role": "user", "content": line["prompt"]["user"]},
    ]
    if getattr(tokenizer, "chat_template", None):
        prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    else:
        prompt = tokenizer(line["prompt"]["system"] + "\n\n" + line["prompt"]["user"] + "\n\n").input_ids
    completion = tokenizer(line["completion"] + (tokenizer.eos_token or ""), add_special_tokens=False).input_ids
    ids = (list(prompt) + list(completion))[:max_length]
    return ids, len(prompt)


def completion_logprobs(model, sequences, pad_id, device):
    """log-probabilities of every token after its prefix, and the mask of completion tokens (padding excluded)."""
    width = max(len(ids) for ids, _ in sequences)
    input_ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(sequences), width), dtype=torch.long)
    mask = torch.zeros((len(sequences), width - 1))
    for row, (ids, prompt_len) in enumerate(sequences):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        attention[row, : len(ids)] = 1
        mask[row, max(prompt_len - 1, 0) : len(ids) - 1] = 1  # position t predicts token t + 1
    input_ids, attention, mask = input_ids.to(device), attention.to(device), mask.to(device)
    logits = model(input_ids=input_ids, attention_mask=attention).logits
    return token_logprobs(logits[:, :-1], input_ids[:, 1:]), mask


def grpo_step(model, optimizer, sequences, advantages, pad_id, device, clip=0.2, micro_batch=4, kl=0.0, reference=None):
    """One optimiser step over the whole batch (gradient accumulation over micro-batches). Returns the loss.

    With kl > 0, `reference()` is a context manager under which the model is the reference (adapter disabled).
    """
    optimizer.zero_grad()
    total = 0.0
    n = len(sequences)
    for start in range(0, n, micro_batch):
        chunk = sequences[start : start + micro_batch]
        logp, mask = completion_logprobs(model, chunk, pad_id, device)
        adv = torch.tensor(advantages[start : start + micro_batch], device=device)
        ref_logp = None
        if kl > 0 and reference is not None:
            with torch.no_grad(), reference():
                ref_logp, _ = completion_logprobs(model, chunk, pad_id, device)
        loss = grpo_loss(logp, logp.detach(), adv, mask, clip_eps=clip, ref_logp=ref_logp, kl_coef=kl) * len(chunk) / n
        loss.backward()
        total += float(loss)
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    optimizer.step()
    return total


def load_model(base_model, adapter, rank, alpha, device):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base_model, torch_dtype=dtype).to(device)
    try:
        from peft import LoraConfig, PeftModel, get_peft_model
    except ImportError:
        add_lora(model, TARGETS, rank, alpha)
        if adapter:
            load_adapter(model, adapter)
        return tokenizer, model.to(device), False
    if adapter:
        model = PeftModel.from_pretrained(model, adapter, is_trainable=True)
    else:
        config = LoraConfig(r=rank, lora_alpha=alpha, target_modules=TARGETS, lora_dropout=0.0, task_type="CAUSAL_LM")
        model = get_peft_model(model, config)
    return tokenizer, model, True


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", required=True)
    parser.add_argument("--base-model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--adapter")
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=int, default=32)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--kl", type=float, default=0.0)
    parser.add_argument("--max-length", type=int, default=12288)
    parser.add_argument("--micro-batch", type=int, default=4)
    args = parser.parse_args(argv)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    lines = read_batch(args.batch)
    tokenizer, model, peft = load_model(args.base_model, args.adapter, args.rank, args.alpha, device)
    if hasattr(model, "gradient_checkpointing_enable"):
        model.gradient_checkpointing_enable()
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    trained = [line for line in lines if line["advantage"] != 0]
    # Lines with advantage 0 add nothing to the loss; they still count in the batch mean.
    sequences = [encode(tokenizer, line, args.max_length) for line in trained]
    advantages = [float(line["advantage"]) for line in trained]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.0)
    loss = 0.0
    if sequences:
        reference = model.disable_adapter if peft else (lambda: disabled(model))
        loss = grpo_step(
            model, optimizer, sequences, advantages, pad_id, device, args.clip, args.micro_batch, args.kl, reference
        )
        loss *= len(sequences) / len(lines)
    if peft:
        model.save_pretrained(args.out)
    else:
        save_adapter(model, args.out, args.base_model, TARGETS, args.rank, args.alpha)
    result = {"loss": loss, "lines": len(lines), "trained_lines": len(sequences), "peft": peft, "device": device}
    with open(os.path.join(args.out, "train_result.json"), "w") as handle:
        json.dump(result, handle)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
