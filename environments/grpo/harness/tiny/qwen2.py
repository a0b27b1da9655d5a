"""A small self-contained decoder of the Qwen2 architecture (RMSNorm, rotary position embeddings, grouped-query
attention with q/k/v biases, SwiGLU MLP), with the parameter names and config.json of Hugging Face's
Qwen2ForCausalLM, so either implementation loads the other's checkpoints. Runs on torch 1.13 (no SDPA).

Checkpoint layout (a Hugging Face model folder): config.json plus pytorch_model.bin (a state_dict saved with
torch.save; lm_head.weight left out when the embeddings are tied) or model.safetensors.
"""

import dataclasses
import json
import os
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

WEIGHTS_NAME = "pytorch_model.bin"
SAFETENSORS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"


@dataclasses.dataclass
class Qwen2Config:
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int = 4096
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True
    initializer_range: float = 0.02
    bos_token_id: Optional[int] = None
    eos_token_id: Optional[int] = None
    pad_token_id: Optional[int] = None

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_attention_heads:
            raise ValueError("hidden_size must be a multiple of num_attention_heads")
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if (self.hidden_size // self.num_attention_heads) % 2:
            raise ValueError("the head dimension must be even for rotary embeddings")

    def to_hf_dict(self) -> dict:
        fields = dataclasses.asdict(self)
        fields.update(
            model_type="qwen2",
            architectures=["Qwen2ForCausalLM"],
            hidden_act="silu",
            attention_dropout=0.0,
            use_sliding_window=False,
            torch_dtype="float32",
        )
        return fields

    @classmethod
    def from_hf_dict(cls, fields: dict) -> "Qwen2Config":
        if fields.get("model_type") != "qwen2":
            raise ValueError(f"config.json has model_type {fields.get('model_type')!r}; expected 'qwen2'")
        if fields.get("hidden_act", "silu") != "silu":
            raise ValueError(f"config.json has hidden_act {fields.get('hidden_act')!r}; expected 'silu'")
        if fields.get("rope_scaling"):
            raise ValueError("rope_scaling is not supported by this implementation")
        names = {field.name for field in dataclasses.fields(cls)}
        kwargs = {key: value for key, value in fields.items() if key in names}
        kwargs.setdefault("num_key_value_heads", fields.get("num_attention_heads"))
        return cls(**kwargs)


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class RotaryEmbedding(nn.Module):
    def __init__(self, head_dim: int, theta: float) -> None:
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, positions: torch.Tensor, dtype: torch.dtype) -> Tuple[torch.Tensor, torch.Tensor]:
        """cos and sin of shape (batch, 1, time, head_dim) for integer positions of shape (batch, time)."""
        freqs = positions.float()[..., None] * self.inv_freq
        angles = torch.cat((freqs, freqs), dim=-1)[:, None]
        return angles.cos().to(dtype), angles.sin().to(dtype)


class Attention(nn.Module):
    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.n_heads = config.num_attention_heads
        self.n_kv = config.num_key_value_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        self.q_proj = nn.Linear(config.hidden_size, self.n_heads * self.head_dim, bias=True)
        self.k_proj = nn.Linear(config.hidden_size, self.n_kv * self.head_dim, bias=True)
        self.v_proj = nn.Linear(config.hidden_size, self.n_kv * self.head_dim, bias=True)
        self.o_proj = nn.Linear(self.n_heads * self.head_dim, config.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, cache=None):
        batch, time, _ = x.shape
        q = self.q_proj(x).view(batch, time, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(batch, time, self.n_kv, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(batch, time, self.n_kv, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k = torch.cat((cache[0], k), dim=2)
            v = torch.cat((cache[1], v), dim=2)
        new_cache = (k, v)
        repeat = self.n_heads // self.n_kv
        if repeat > 1:
            k = k.repeat_interleave(repeat, dim=1)
            v = v.repeat_interleave(repeat, dim=1)
        scores = (q @ k.transpose(-2, -1)) * (self.head_dim**-0.5) + bias
        weights = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        out = (weights @ v).transpose(1, 2).reshape(batch, time, self.n_heads * self.head_dim)
        return self.o_proj(out), new_cache


class MLP(nn.Module):
    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.mlp = MLP(config)

    def forward(self, x, cos, sin, bias, cache=None):
        attended, new_cache = self.self_attn(self.input_layernorm(x), cos, sin, bias, cache)
        x = x + attended
        return x + self.mlp(self.post_attention_layernorm(x)), new_cache


class Qwen2Model(nn.Module):
    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.rotary = RotaryEmbedding(config.hidden_size // config.num_attention_heads, config.rope_theta)


class Qwen2ForCausalLM(nn.Module):
    def __init__(self, config: Qwen2Config) -> None:
        super().__init__()
        self.config = config
        self.model = Qwen2Model(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.apply(self._init_weights)
        if config.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=self.config.initializer_range)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        past_key_values: Optional[List[Tuple[torch.Tensor, torch.Tensor]]] = None,
    ):
        """Logits (batch, time, vocab) and the new key/value cache.

        attention_mask (batch, past + time) marks real tokens with 1 and padding with 0 (left padding for prompts of
        different lengths); positions count real tokens only, as in Hugging Face's implementation.
        """
        batch, time = input_ids.shape
        past = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones((batch, past + time), dtype=torch.long, device=input_ids.device)
        positions = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)[:, past:]
        x = self.model.embed_tokens(input_ids)
        cos, sin = self.model.rotary(positions, x.dtype)
        query_at = torch.arange(past, past + time, device=input_ids.device)[:, None]
        key_at = torch.arange(past + time, device=input_ids.device)[None, :]
        allowed = (key_at <= query_at)[None, None] & attention_mask.bool()[:, None, None, :]
        bias = torch.zeros(allowed.shape, dtype=x.dtype, device=x.device)
        bias = bias.masked_fill(~allowed, torch.finfo(x.dtype).min)
        new_cache = []
        for index, layer in enumerate(self.model.layers):
            x, layer_cache = layer(x, cos, sin, bias, None if past_key_values is None else past_key_values[index])
            new_cache.append(layer_cache)
        return self.lm_head(self.model.norm(x)), new_cache


def save_pretrained(model: Qwen2ForCausalLM, folder: str) -> None:
    """Write config.json and pytorch_model.bin (tied lm_head.weight left out, as Hugging Face does)."""
    os.makedirs(folder, exist_ok=True)
    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    if model.config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    torch.save(state, os.path.join(folder, WEIGHTS_NAME))
    with open(os.path.join(folder, CONFIG_NAME), "w", encoding="utf-8") as handle:
        json.dump(model.config.to_hf_dict(), handle, indent=1)


def read_state_dict(folder: str) -> dict:
    """The weights of a checkpoint folder, loaded without running pickled code."""
    safetensors_path = os.path.join(folder, SAFETENSORS_NAME)
    if os.path.isfile(safetensors_path):
        from safetensors.torch import load_file  # only when the checkpoint came from Hugging Face

        return load_file(safetensors_path)
    return torch.load(os.path.join(folder, WEIGHTS_NAME), map_location="cpu", weights_only=True)


def load_pretrained(folder: str) -> Qwen2ForCausalLM:
    """Rebuild the model from a checkpoint folder; every parameter must be present and of the right shape."""
    with open(os.path.join(folder, CONFIG_NAME), encoding="utf-8") as handle:
        config = Qwen2Config.from_hf_dict(json.load(handle))
    model = Qwen2ForCausalLM(config)
    state = {key: value for key, value in read_state_dict(folder).items() if not key.endswith("rotary_emb.inv_freq")}
    if config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
        state["lm_head.weight"] = state.get("model.embed_tokens.weight")
    model.load_state_dict({key: value.float() for key, value in state.items() if value is not None}, strict=True)
    return model


@torch.no_grad()
def generate(
    model: Qwen2ForCausalLM,
    prompts: List[List[int]],
    max_new_tokens: int,
    eos_token_id: int,
    pad_token_id: int,
    temperature: float = 0.0,
    top_p: float = 1.0,
    generator: Optional[torch.Generator] = None,
) -> List[List[int]]:
    """Continue each prompt (token ids) until end of text or max_new_tokens; temperature 0 decodes greedily.

    Returns the new tokens of each prompt, including the end-of-text token when one was produced.
    """
    device = next(model.parameters()).device
    longest = max(len(prompt) for prompt in prompts)
    ids = torch.full((len(prompts), longest), pad_token_id, dtype=torch.long, device=device)
    mask = torch.zeros((len(prompts), longest), dtype=torch.long, device=device)
    for row, prompt in enumerate(prompts):
        ids[row, longest - len(prompt) :] = torch.tensor(prompt, dtype=torch.long, device=device)
        mask[row, longest - len(prompt) :] = 1
    outputs: List[List[int]] = [[] for _ in prompts]
    finished = torch.zeros(len(prompts), dtype=torch.bool, device=device)
    cache = None
    step_input = ids
    for _ in range(max_new_tokens):
        logits, cache = model(step_input, attention_mask=mask, past_key_values=cache)
        next_logits = logits[:, -1, :].float()
        if temperature <= 0:
            tokens = next_logits.argmax(dim=-1)
        else:
            probs = torch.softmax(next_logits / temperature, dim=-1)
            if top_p < 1.0:
                sorted_probs, order = probs.sort(dim=-1, descending=True)
                outside = sorted_probs.cumsum(-1) - sorted_probs > top_p
                sorted_probs = sorted_probs.masked_fill(outside, 0.0)
                probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
            tokens = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
        tokens = torch.where(finished, torch.full_like(tokens, pad_token_id), tokens)
        for row in (~finished).nonzero().flatten().tolist():
            outputs[row].append(int(tokens[row]))
        finished |= tokens == eos_token_id
        if bool(finished.all()):
            break
        step_input = tokens[:, None]
        mask = torch.cat((mask, torch.ones_like(mask[:, :1])), dim=1)
    return outputs
