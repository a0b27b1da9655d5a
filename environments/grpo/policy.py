"""Load the policy and its tokenizer, compute per-token log-probabilities, and save the trained policy for the harness.

MATH task: Qwen2.5-Math-1.5B from $GROUNDWORK_TRAIN_DATA/Qwen2.5-Math-1.5B with Hugging Face transformers.
Smoke task (arithmetic): a small randomly initialised Qwen2 model (transformers' Qwen2ForCausalLM when importable,
else the frozen tiny/qwen2.py) with the character tokenizer of tiny/chars.py.

The harness reads the saved folder as a Hugging Face Qwen2 checkpoint: config.json plus model.safetensors (or
pytorch_model.bin from tiny/qwen2.py); it must keep the base model's architecture.
"""

import dataclasses
import importlib.util
import os
from typing import Any

import torch

BASE_MODEL = "Qwen2.5-Math-1.5B"
# The smoke task's randomly initialised model: about 0.1 M parameters.
SMOKE_MODEL = dict(
    hidden_size=64,
    intermediate_size=192,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=64,
)


@dataclasses.dataclass
class Policy:
    model: Any
    tokenizer: Any
    device: torch.device
    implementation: str  # "transformers" or "tiny"
    model_dir: str  # where the weights were loaded from (the rollout engine may load them too); "" for a fresh model
    eos_token_id: int
    pad_token_id: int
    char_level: bool  # the smoke task's character tokenizer rather than a Hugging Face one

    def encode(self, text: str) -> list:
        if self.char_level:
            return self.tokenizer.encode(text)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def decode(self, ids) -> str:
        if self.char_level:  # stops at the end-of-text token itself
            return self.tokenizer.decode(ids)
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def transformers_available() -> bool:
    return importlib.util.find_spec("transformers") is not None


def load_policy(task: str, train_data: str, seed: int) -> Policy:
    if task == "arithmetic":
        return _smoke_policy(seed)
    return _math_policy(train_data)


def _math_policy(train_data: str) -> Policy:
    if not transformers_available():
        raise SystemExit("train.py: the MATH task needs transformers (pip install transformers, or the groundwork/grpo image)")
    if not train_data:
        raise SystemExit("train.py: GROUNDWORK_TRAIN_DATA is not set; it must hold Qwen2.5-Math-1.5B/ and math_train.jsonl")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir = os.path.join(train_data, BASE_MODEL)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    attention = "flash_attention_2" if importlib.util.find_spec("flash_attn") is not None else "sdpa"
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, torch_dtype=torch.bfloat16 if device.type == "cuda" else torch.float32, attn_implementation=attention
    ).to(device)
    model.gradient_checkpointing_enable()
    model.config.use_cache = False
    return Policy(
        model, tokenizer, device, "transformers", model_dir, tokenizer.eos_token_id, tokenizer.pad_token_id, False
    )


def _smoke_policy(seed: int) -> Policy:
    from tiny.chars import CharTokenizer

    tokenizer = CharTokenizer()
    torch.manual_seed(seed)
    sizes = dict(SMOKE_MODEL, vocab_size=tokenizer.vocab_size, tie_word_embeddings=True)
    ids = dict(eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    if transformers_available() and os.environ.get("GRPO_SMOKE_IMPLEMENTATION", "") != "tiny":
        from transformers import Qwen2Config, Qwen2ForCausalLM

        model = Qwen2ForCausalLM(Qwen2Config(**sizes, **ids))
        implementation = "transformers"
    else:
        from tiny.qwen2 import Qwen2Config, Qwen2ForCausalLM

        model = Qwen2ForCausalLM(Qwen2Config(**sizes, **ids))
        implementation = "tiny"
    cpu = torch.device("cpu")
    return Policy(model, tokenizer, cpu, implementation, "", tokenizer.eos_token_id, tokenizer.pad_token_id, True)


def logits_of(model, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    out = model(input_ids, attention_mask=attention_mask)
    return out[0] if isinstance(out, (tuple, list)) else out.logits


def token_logprobs(model, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """log p(token t | tokens < t) for t = 1..T-1, shape (batch, T-1), in float32 (right-padded sequences)."""
    logits = logits_of(model, input_ids, attention_mask)[:, :-1].float()
    targets = input_ids[:, 1:]
    return torch.log_softmax(logits, dim=-1).gather(-1, targets[..., None]).squeeze(-1)


def save_policy(policy: Policy, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    if policy.implementation == "tiny":
        from tiny.qwen2 import save_pretrained

        save_pretrained(policy.model, folder)
        return
    policy.model.config.use_cache = True
    policy.model.save_pretrained(folder, safe_serialization=True)
