"""Pre-train GPT-2 on FineWeb tokens for a fixed wall-clock budget, then save the weights.

Run through the frozen launcher (`python launch.py`), which starts one process per visible GPU with
torchrun and sets the deadline. Each process trains on its slice of every batch (DDP), under bf16
autocast and torch.compile on CUDA; on a CPU it runs plain float32 (the smoke profile).

Environment:
  NANOGPT_DEADLINE           unix time at which training must stop (set by launch.py; required there)
  NANOGPT_TRAIN_SECONDS      the budget; used for the deadline when train.py runs without the launcher
  NANOGPT_MAX_STEPS          optional cap on optimiser steps (the smoke profile uses it)
  NANOGPT_SMOKE=1            the CPU pre-flight: the tiny SMOKE_MODEL and SMOKE_BATCH_SIZE below
  NANOGPT_SYNTHETIC=1        train on token_data's synthetic stream instead of shards
  GROUNDWORK_TRAIN_DATA      folder of *.bin token shards (see token_data.py)
  GROUNDWORK_CHECKPOINT_DIR  where checkpoint.pt and train_log.json go (required)
  GROUNDWORK_SEED            seed of the initialisation (default 0)
  NANOGPT_LOG_EVERY          steps between log lines and loss-curve points (default 50)
  NANOGPT_COMPILE=0          skip torch.compile
  NANOGPT_THREADS            torch CPU threads (default 2)

Training stops at the deadline and then saves; the launcher stops a process that runs on past its grace
period, and the run fails. The checkpoint holds {"config": JSON of GPTConfig, "model": state_dict}.
"""

import contextlib
import dataclasses
import json
import math
import os
import sys
import time

THREADS = os.environ.get("NANOGPT_THREADS", "").strip() or "2"
# Debian's CPU torch calls the system BLAS (OpenBLAS), which has threads of its own.
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

import token_data  # noqa: E402
from model import GPT, GPTConfig  # noqa: E402
from optim import lr_multiplier, make_optimizer  # noqa: E402

BATCH_SIZE = 256  # sequences per optimiser step, over all GPUs (256 x 1024 = 262,144 tokens)
DEVICE_BATCH_SIZE = 32  # sequences per forward pass on one GPU; gradient accumulation makes up the rest
GRAD_CLIP = 1.0  # max global gradient norm (0 turns clipping off)

# The smoke profile (NANOGPT_SMOKE=1) swaps in this model and batch so a CPU finishes in seconds.
SMOKE_MODEL = {"vocab_size": token_data.SYNTHETIC_VOCAB, "block_size": 128, "n_layer": 2, "n_head": 4, "n_embd": 64}
SMOKE_BATCH_SIZE = 16

STOP_CHECK_EVERY = 10
PEAK_FLOPS = {"H100": 989e12, "H200": 989e12, "B200": 2250e12, "A100": 312e12, "L40S": 362e12, "A10G": 125e12}


def env_number(name: str, default, kind=float):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        sys.exit(f"train.py: {name} must be a number, got {value!r}")


class Distributed:
    """Rank, world size and device of this process; torchrun sets RANK/WORLD_SIZE/LOCAL_RANK."""

    def __init__(self):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.cuda = torch.cuda.is_available()
        self.device = torch.device(f"cuda:{local_rank}" if self.cuda else "cpu")
        if self.cuda:
            torch.cuda.set_device(self.device)
        if self.world > 1:
            dist.init_process_group(backend="nccl" if self.cuda else "gloo")
        self.main = self.rank == 0

    def any(self, flag: bool) -> bool:
        """True on every rank when `flag` is true on any rank (so all ranks stop at the same step)."""
        if self.world == 1:
            return flag
        value = torch.tensor([1.0 if flag else 0.0], device=self.device)
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return value.item() > 0

    def mean(self, value: float) -> float:
        if self.world == 1:
            return value
        tensor = torch.tensor([value], device=self.device)
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor.item() / self.world

    def close(self):
        if self.world > 1:
            dist.barrier()
            dist.destroy_process_group()


class Batches:
    """Consecutive (input, target) batches of `rows` x `seq_len` tokens for this rank, cycling through the stream."""

    def __init__(self, streams, rows: int, seq_len: int, rank: int, world: int, device: torch.device):
        self.streams, self.rows, self.seq_len = streams, rows, seq_len
        self.rank, self.world, self.device = rank, world, device
        self.stream_index, self.position = 0, 0

    def next(self):
        span = self.rows * self.seq_len
        stream = self.streams[self.stream_index]
        if self.position + self.world * span + 1 > len(stream):
            self.stream_index = (self.stream_index + 1) % len(self.streams)
            self.position = 0
            stream = self.streams[self.stream_index]
            if self.world * span + 1 > len(stream):
                sys.exit(f"train.py: a token shard of {len(stream)} tokens is shorter than one batch ({self.world * span + 1})")
        start = self.position + self.rank * span
        chunk = torch.from_numpy(np.asarray(stream[start : start + span + 1], dtype=np.int64))
        self.position += self.world * span
        inputs = chunk[:-1].view(self.rows, self.seq_len)
        targets = chunk[1:].view(self.rows, self.seq_len)
        if self.device.type == "cuda":
            return inputs.pin_memory().to(self.device, non_blocking=True), targets.pin_memory().to(self.device, non_blocking=True)
        return inputs, targets


def token_streams(seed: int, tokens_needed: int):
    if os.environ.get("NANOGPT_SYNTHETIC", "") == "1":
        return [token_data.synthetic_tokens(tokens_needed, 1000 + seed)]
    location = os.environ.get("GROUNDWORK_TRAIN_DATA", "").strip()
    if not location:
        sys.exit(
            "train.py: GROUNDWORK_TRAIN_DATA is not set; prepare FineWeb with prepare_data.py "
            "(see README.md) or set NANOGPT_SYNTHETIC=1 for synthetic tokens"
        )
    try:
        return [token_data.read_shard(path) for path in token_data.shard_paths(location)]
    except (OSError, ValueError) as error:
        sys.exit(f"train.py: cannot read the training data: {error}; prepare it with prepare_data.py (see README.md)")


def autocast(cuda: bool):
    return torch.autocast("cuda", dtype=torch.bfloat16) if cuda else contextlib.nullcontext()


def peak_flops(device: torch.device) -> float:
    if device.type != "cuda":
        return 0.0
    name = torch.cuda.get_device_name(device)
    return next((flops for key, flops in PEAK_FLOPS.items() if key in name), 0.0)


def save_checkpoint(directory: str, model: GPT, config: GPTConfig, log: dict) -> None:
    os.makedirs(directory, exist_ok=True)
    state = {name: tensor.detach().to("cpu") for name, tensor in model.state_dict().items()}
    # The config travels as JSON text so the harness can load with torch.load(weights_only=True).
    torch.save({"config": json.dumps(dataclasses.asdict(config)), "model": state}, os.path.join(directory, "checkpoint.pt"))
    with open(os.path.join(directory, "train_log.json"), "w", encoding="utf-8") as handle:
        json.dump(log, handle)


def main() -> None:
    started = time.time()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    if not checkpoint_dir:
        sys.exit("train.py: GROUNDWORK_CHECKPOINT_DIR is not set; it names the folder for checkpoint.pt")
    deadline = env_number("NANOGPT_DEADLINE", 0.0) or started + env_number("NANOGPT_TRAIN_SECONDS", 1500.0)
    max_steps = env_number("NANOGPT_MAX_STEPS", 0, int)
    log_every = max(1, env_number("NANOGPT_LOG_EVERY", 50, int))
    seed = env_number("GROUNDWORK_SEED", 0, int)
    smoke = os.environ.get("NANOGPT_SMOKE", "") == "1"
    torch.set_num_threads(max(1, env_number("NANOGPT_THREADS", 2, int)))  # CPU runs only

    run = Distributed()
    torch.manual_seed(seed)
    config = GPTConfig(**SMOKE_MODEL) if smoke else GPTConfig()
    batch_size = SMOKE_BATCH_SIZE if smoke else BATCH_SIZE
    rows = min(DEVICE_BATCH_SIZE, batch_size // run.world)
    if rows < 1 or batch_size % (rows * run.world):
        sys.exit(f"train.py: BATCH_SIZE {batch_size} must be a multiple of {run.world} GPUs x {rows} sequences")
    accumulation = batch_size // (rows * run.world)
    seq_len = config.block_size
    tokens_per_step = batch_size * seq_len
    synthetic_tokens = (max_steps or 200) * tokens_per_step + 1
    batches = Batches(token_streams(seed, synthetic_tokens), rows, seq_len, run.rank, run.world, run.device)

    model = GPT(config).to(run.device)
    optimizer = make_optimizer(model)
    compiled = model
    if run.cuda and hasattr(torch, "compile") and os.environ.get("NANOGPT_COMPILE", "1") != "0":
        compiled = torch.compile(model)
    if run.world > 1:
        compiled = torch.nn.parallel.DistributedDataParallel(compiled, device_ids=[run.device.index] if run.cuda else None)

    flops_per_token = model.flops_per_token(seq_len)
    peak = peak_flops(run.device) * run.world
    if run.main:
        print(
            f"nanogpt: {model.num_params():,} parameters, {run.world} process(es) on {run.device.type}, "
            f"{batch_size} x {seq_len} tokens per step ({accumulation} accumulation step(s) of {rows} per process), "
            f"{deadline - time.time():.0f} s left, seed {seed}",
            flush=True,
        )

    curve, window_losses = [], []
    step, schedule_start = 0, None
    window_start, window_tokens = time.time(), 0
    throughput, mfu = 0.0, None  # MFU needs the GPU's peak FLOP/s (PEAK_FLOPS)
    model.train()
    while True:
        now = time.time()
        if max_steps and step >= max_steps:
            break
        # Every rank must stop at the same step; agreeing costs a GPU sync, so several GPUs agree every 10 steps.
        if (run.world == 1 or step % STOP_CHECK_EVERY == 0) and run.any(now >= deadline):
            break
        progress = 0.0 if schedule_start is None else (now - schedule_start) / max(1e-9, deadline - schedule_start)
        if max_steps:
            progress = max(progress, step / max_steps)
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"] * lr_multiplier(progress)

        loss_sum = torch.zeros((), device=run.device)
        for micro in range(accumulation):
            inputs, targets = batches.next()
            # DDP averages gradients across processes only on the last micro-batch of the step.
            sync = contextlib.nullcontext() if run.world == 1 or micro == accumulation - 1 else compiled.no_sync()
            with sync:
                with autocast(run.cuda):
                    _, loss = compiled(inputs, targets)
                (loss / accumulation).backward()
            loss_sum += loss.detach()
        if GRAD_CLIP > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        window_tokens += tokens_per_step
        window_losses.append(loss_sum / accumulation)
        if schedule_start is None:
            schedule_start = time.time()  # the first step includes torch.compile; the schedule starts after it

        if step % log_every == 0:
            if run.cuda:
                torch.cuda.synchronize()
            loss = run.mean(torch.stack(window_losses).mean().item())
            elapsed = time.time() - window_start
            throughput = window_tokens / max(elapsed, 1e-9)
            mfu = throughput * flops_per_token / peak if peak else None
            if not math.isfinite(loss):
                if run.main:
                    print(f"step {step}: loss is {loss}; stopping", flush=True)
                curve.append([step, None])
                window_losses = []
                break
            curve.append([step, round(loss, 5)])
            if run.main:
                print(
                    f"step {step} | loss {loss:.4f} | lr {optimizer.param_groups[0]['lr']:.2e} | "
                    f"{throughput:,.0f} tokens/s | mfu {'n/a' if mfu is None else f'{100 * mfu:.1f}%'} | {time.time() - started:.0f} s, "
                    f"{max(0.0, deadline - time.time()):.0f} s left",
                    flush=True,
                )
            window_losses, window_start, window_tokens = [], time.time(), 0

    if window_losses:
        loss = run.mean(torch.stack(window_losses).mean().item())
        curve.append([step, round(loss, 5) if math.isfinite(loss) else None])
    if run.cuda:
        torch.cuda.synchronize()
    ended = time.time()
    seconds = ended - started
    if step > 1 and schedule_start is not None:  # steady throughput: every step after the first (compiling) one
        throughput = (step - 1) * tokens_per_step / max(ended - schedule_start, 1e-9)
        mfu = throughput * flops_per_token / peak if peak else None
    if run.main:
        log = {
            "curve": curve,
            "steps": step,
            "train_tokens": step * tokens_per_step,
            "seconds": round(seconds, 2),
            "tokens_per_second": round(throughput, 1),
            "mfu": None if mfu is None else round(mfu, 4),
            "flops_per_token": flops_per_token,
            "world_size": run.world,
            "seed": seed,
        }
        save_checkpoint(checkpoint_dir, model, config, log)
        print(f"nanogpt: {step} steps, {step * tokens_per_step:,} tokens in {seconds:.1f} s; checkpoint saved", flush=True)
    run.close()


if __name__ == "__main__":
    main()
