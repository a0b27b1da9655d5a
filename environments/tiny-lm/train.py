"""Train the tiny character-level GPT on data/train.txt.

Environment:
  GROUNDWORK_SEED            seed for everything (default 0)
  GROUNDWORK_CHECKPOINT_DIR  where checkpoint.pt and train_log.json go (required)
  TINY_LM_MAX_STEPS          optimiser steps (default 400; the smoke profile shrinks it)
  TINY_LM_THREADS            torch CPU threads (default 2)
  TINY_LM_LOG_EVERY          steps between loss-curve points (default 25)

The hyper-parameters below are the knobs an idea may change; the number of steps is the
fixed compute budget and is set by the run profile, not here.
"""

import dataclasses
import json
import math
import os
import random
import sys
import time

THREADS = os.environ.get("TINY_LM_THREADS", "").strip() or "2"
# Debian's torch calls the system BLAS (OpenBLAS when installed), which has its own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from model import GPT, GPTConfig  # noqa: E402

LEARNING_RATE = 3e-3
MIN_LR_RATIO = 0.1  # cosine decay ends at LEARNING_RATE * MIN_LR_RATIO
WARMUP_STEPS = 50
WEIGHT_DECAY = 0.1
BETA2 = 0.99
GRAD_CLIP = 1.0
BATCH_SIZE = 32


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        sys.exit(f"train.py: {name} must be an integer, got {value!r}")


def load_vocab(path: str):
    with open(path, encoding="utf-8") as handle:
        vocab = json.load(handle)
    stoi = {ch: i for i, ch in enumerate(vocab["chars"])}
    return stoi, stoi[vocab["fallback"]], len(vocab["chars"])


def encode(text: str, stoi: dict, fallback: int) -> torch.Tensor:
    return torch.tensor([stoi.get(ch, fallback) for ch in text], dtype=torch.long)


def lr_at(step: int, max_steps: int) -> float:
    if step < WARMUP_STEPS:
        return LEARNING_RATE * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, max_steps - WARMUP_STEPS)
    cosine = 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    return LEARNING_RATE * (MIN_LR_RATIO + (1.0 - MIN_LR_RATIO) * cosine)


def make_optimizer(model: torch.nn.Module) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for param in model.parameters():
        (decay if param.dim() >= 2 else no_decay).append(param)
    groups = [
        {"params": decay, "weight_decay": WEIGHT_DECAY},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=LEARNING_RATE, betas=(0.9, BETA2))


def warn_if_slow_blas() -> None:
    """Debian's torch uses the system BLAS; the reference one (libblas3) makes this run ~15x slower."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as handle:
            libraries = {line.split()[-1] for line in handle if ".so" in line}
    except OSError:
        return
    # Debian installs the reference library as .../blas/libblas.so.3 (OpenBLAS as .../openblas-*/libblas.so.3).
    if any("/blas/libblas.so.3" in path for path in libraries):
        print(
            "warning: torch is using the reference BLAS (libblas3), which makes this run about 15x slower; "
            "on Debian/Ubuntu: apt-get install libopenblas0-pthread",
            flush=True,
        )


def main() -> None:
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    if not checkpoint_dir:
        sys.exit("train.py: GROUNDWORK_CHECKPOINT_DIR is not set; it names the folder for checkpoint.pt and train_log.json")
    seed = env_int("GROUNDWORK_SEED", 0)
    max_steps = env_int("TINY_LM_MAX_STEPS", 400)
    threads = env_int("TINY_LM_THREADS", 2)
    log_every = max(1, env_int("TINY_LM_LOG_EVERY", 25))

    torch.set_num_threads(max(1, threads))
    warn_if_slow_blas()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)

    stoi, fallback, vocab_size = load_vocab(os.path.join("data", "vocab.json"))
    with open(os.path.join("data", "train.txt"), encoding="utf-8") as handle:
        data = encode(handle.read(), stoi, fallback)

    config = GPTConfig(vocab_size=vocab_size)
    model = GPT(config)
    optimizer = make_optimizer(model)
    batch_gen = torch.Generator().manual_seed(seed)
    block = config.block_size
    print(
        f"tiny-lm: {model.num_params():,} parameters, {len(data):,} training characters, "
        f"{max_steps} steps of {BATCH_SIZE}x{block}, seed {seed}, {threads} threads",
        flush=True,
    )

    offsets_range = len(data) - block - 1
    curve, window, recent = [], [], []
    started = time.time()
    model.train()
    for step in range(max_steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, max_steps)
        starts = torch.randint(0, offsets_range, (BATCH_SIZE,), generator=batch_gen)
        x = torch.stack([data[s : s + block] for s in starts.tolist()])
        y = torch.stack([data[s + 1 : s + 1 + block] for s in starts.tolist()])
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if GRAD_CLIP > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()

        value = loss.item()
        if not math.isfinite(value):
            print(f"step {step}: loss is {value}; stopping", flush=True)
            curve.append([step + 1, None])
            break
        window.append(value)
        recent = (recent + [value])[-log_every:]
        if (step + 1) % log_every == 0 or step + 1 == max_steps:
            curve.append([step + 1, round(sum(window) / len(window), 5)])
            window = []
        if (step + 1) % 100 == 0 or step + 1 == max_steps:
            print(f"step {step + 1}/{max_steps} loss {sum(recent) / len(recent):.4f} ({time.time() - started:.1f}s)", flush=True)

    os.makedirs(checkpoint_dir, exist_ok=True)
    # The config travels as JSON text so the harness can load with torch.load(weights_only=True).
    torch.save(
        {"config": json.dumps(dataclasses.asdict(config)), "model": model.state_dict()},
        os.path.join(checkpoint_dir, "checkpoint.pt"),
    )
    final = sum(recent) / len(recent) if recent else None
    log = {
        "curve": curve,
        "train_loss_final": final,
        "steps": max_steps,
        "seed": seed,
        "seconds": round(time.time() - started, 2),
    }
    with open(os.path.join(checkpoint_dir, "train_log.json"), "w", encoding="utf-8") as handle:
        json.dump(log, handle)


if __name__ == "__main__":
    main()
