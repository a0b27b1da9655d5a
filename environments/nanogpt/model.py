"""GPT-2 (124M at the defaults below): a decoder-only transformer for the FineWeb speedrun.

Contract with train.py and the frozen evaluation harness:
  - `GPTConfig` is a dataclass; the trainer saves `dataclasses.asdict(config)` as JSON next to the
    weights and the harness rebuilds `GPT(GPTConfig(**saved))` from this file. A field you add needs a
    default.
  - `GPT.forward(idx, targets=None)` returns `(logits, loss)`; logits have shape (batch, time, vocab)
    for every position, and position t may depend only on tokens 0..t (the harness checks this).

Architecture: learned absolute position embeddings, token embedding tied to the output head, weight-free
RMS normalisation before each block and before the head, no biases, GELU MLP. Attention uses
F.scaled_dot_product_attention (flash attention on GPUs) where torch has it and an explicit masked
softmax otherwise (torch 1.13). Works on torch 1.13 and 2.x, CPU and CUDA.

The constants below are the architecture's knobs.
"""

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 50304  # GPT-2's 50257 ids, padded to a multiple of 128 for faster matmuls
BLOCK_SIZE = 1024  # context length in tokens
N_LAYER = 12
N_HEAD = 12
N_EMBD = 768  # any width works with any head count: heads are ceil(N_EMBD / N_HEAD) wide
MLP_RATIO = 4  # hidden width of the MLP as a multiple of N_EMBD
NORM_EPS = 1e-6


@dataclass
class GPTConfig:
    vocab_size: int = VOCAB_SIZE
    block_size: int = BLOCK_SIZE
    n_layer: int = N_LAYER
    n_head: int = N_HEAD
    n_embd: int = N_EMBD
    mlp_ratio: int = MLP_RATIO


def rms_norm(x: torch.Tensor) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + NORM_EPS)


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Softmax attention of (batch, heads, time, head_dim) tensors where each position sees itself and the past."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    t = q.size(-2)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
    future = torch.ones(t, t, dtype=torch.bool, device=q.device).triu(diagonal=1)
    scores = scores.masked_fill(future, float("-inf"))
    return F.softmax(scores, dim=-1) @ v


class SelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = max(1, config.n_head)
        self.head_dim = max(1, math.ceil(config.n_embd / self.n_head))
        inner = self.n_head * self.head_dim
        self.qkv = nn.Linear(config.n_embd, 3 * inner, bias=False)
        self.out = nn.Linear(inner, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_head, self.head_dim).permute(2, 0, 3, 1, 4)
        y = causal_attention(q, k, v)
        return self.out(y.transpose(1, 2).reshape(b, t, self.n_head * self.head_dim))


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        hidden = config.mlp_ratio * config.n_embd
        self.up = nn.Linear(config.n_embd, hidden, bias=False)
        self.out = nn.Linear(hidden, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.attn = SelfAttention(config)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(rms_norm(x))
        return x + self.mlp(rms_norm(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Normal(0, 0.02) everywhere; the projections back into the residual stream shrink with depth."""
        residual_std = 0.02 / math.sqrt(2 * max(1, self.config.n_layer))
        for name, param in self.named_parameters():
            std = residual_std if name.endswith("out.weight") else 0.02
            nn.init.normal_(param, mean=0.0, std=std)

    def num_params(self, include_position_embedding: bool = True) -> int:
        total = sum(p.numel() for p in self.parameters())
        return total if include_position_embedding else total - self.position_embedding.weight.numel()

    def flops_per_token(self, seq_len: int) -> float:
        """Training FLOPs per token (forward + backward): 6 per weight that multiplies the token, plus attention.

        6N covers the matmuls of every weight N except the position embedding (a lookup); the tied token
        embedding counts once, for the output head. Attention scores and the weighted sum cost
        2 * 2 * n_layer * seq_len * width forward, times 3 with the backward pass (not halved for the mask).
        """
        width = self.blocks[0].attn.n_head * self.blocks[0].attn.head_dim if len(self.blocks) else 0
        return 6 * self.num_params(include_position_embedding=False) + 12 * self.config.n_layer * seq_len * width

    def forward(self, idx: torch.Tensor, targets: torch.Tensor = None):
        _, t = idx.shape
        if t > self.config.block_size:
            raise ValueError(f"sequence of length {t} exceeds block_size {self.config.block_size}")
        positions = torch.arange(t, device=idx.device)
        x = self.token_embedding(idx) + self.position_embedding(positions)
        for block in self.blocks:
            x = block(x)
        logits = self.head(rms_norm(x)).float()
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return logits, loss
