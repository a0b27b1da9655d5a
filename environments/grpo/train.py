"""GRPO post-training: sample groups of responses, reward them, and update the policy with a group-relative objective.

Environment (set by the run profile, not by ideas):
  GROUNDWORK_SEED            seed for problem sampling, rollouts and initialisation (default 0)
  GROUNDWORK_CHECKPOINT_DIR  where the trained policy (Hugging Face folder) and train_log.json go (required)
  GROUNDWORK_TRAIN_DATA      MATH task: folder with Qwen2.5-Math-1.5B/ and math_train.jsonl (fetch.py)
  GRPO_TASK                  math (default) or arithmetic (the smoke profile's synthetic sums)
  GRPO_STEPS_MULTIPLIER      scales GRPO_STEPS (the smoke profile's tiny model takes 3x as many, still in seconds)
  GRPO_TIME_BUDGET_SEC       no new step starts once it would end past this many seconds after start-up
                             (default 6600: the policy is saved well inside the 2 h limit of a run)
  GRPO_LR_MULTIPLIER         scales LEARNING_RATE (the smoke profile's randomly initialised model needs ~50x)
  GRPO_MICRO_BATCH_SIZE      sequences per forward/backward pass (memory only: the loss does not depend on it)
  GRPO_THREADS               CPU threads (default 2)
  GRPO_ROLLOUT_ENGINE, GRPO_VLLM_MEMORY   see rollout.py

The names below are the knobs an idea may change; the compute budget comes from the profile.
"""

import json
import math
import os
import random
import sys
import time

THREADS = os.environ.get("GRPO_THREADS", "").strip() or "2"
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import grpo  # noqa: E402
import policy as policies  # noqa: E402
import reward  # noqa: E402
import rollout  # noqa: E402

LEARNING_RATE = 1e-5
GRPO_STEPS = 20  # outer iterations: sample, reward, update
ROLLOUT_PROMPTS = 128  # problems per step; each gets GROUP_SIZE responses
GROUP_SIZE = 8
TRAIN_BATCH_SIZE = 64  # responses per optimiser step (1024 / 64 = 16 optimiser steps per GRPO step)
EPOCHS_PER_ROLLOUT = 1  # passes over each step's responses
WEIGHT_DECAY = 0.0
BETA1 = 0.9
BETA2 = 0.95
GRAD_CLIP = 1.0
MICRO_BATCH_SIZE = 4


def env_number(name: str, default, kind=int):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        sys.exit(f"train.py: {name} must be a number, got {value!r}")


def load_problems(task: str, train_data: str) -> list:
    if task == "arithmetic":
        from tiny.arithmetic import training_problems

        return training_problems()
    path = os.path.join(train_data, "math_train.jsonl")
    if not os.path.isfile(path):
        sys.exit(f"train.py: no {path}; prepare the data with environments/grpo/fetch.py")
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def response_logprobs(model, rollouts: list, pad_token_id: int, device) -> tuple:
    """Log-probs of each rollout's response tokens, (batch, longest response), and the mask of real tokens."""
    sequences = [r.prompt_ids + r.response_ids for r in rollouts]
    width = max(len(s) for s in sequences)
    longest = max(1, max(len(r.response_ids) for r in rollouts))
    ids = torch.full((len(rollouts), width), pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(rollouts), width), dtype=torch.long)
    index = torch.zeros((len(rollouts), longest), dtype=torch.long)
    mask = torch.zeros((len(rollouts), longest), dtype=torch.bool)
    for row, (sequence, r) in enumerate(zip(sequences, rollouts)):
        ids[row, : len(sequence)] = torch.tensor(sequence)
        attention[row, : len(sequence)] = 1
        count = len(r.response_ids)
        # The logit at position p predicts token p + 1: response token j sits at len(prompt) + j.
        index[row] = (len(r.prompt_ids) - 1 + torch.arange(longest)).clamp(max=width - 2)
        mask[row, :count] = True
    logprobs = policies.token_logprobs(model, ids.to(device), attention.to(device))
    return logprobs.gather(1, index.to(device)), mask.to(device)


def padded(rows: list, mask: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(mask.shape, dtype=torch.float32, device=mask.device)
    for row, values in enumerate(rows):
        out[row, : values.numel()] = values.to(mask.device)
    return out


def frozen_logprobs(model, rollouts: list, policy, micro: int) -> list:
    """Per-rollout response log-probs under `model`, without gradients (old policy or reference)."""
    out = []
    with torch.no_grad():
        for first in range(0, len(rollouts), micro):
            chunk = rollouts[first : first + micro]
            logprobs, mask = response_logprobs(model, chunk, policy.pad_token_id, policy.device)
            out.extend(logprobs[row, : int(mask[row].sum())].detach() for row in range(len(chunk)))
    return out


def main() -> None:
    started = time.time()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    if not checkpoint_dir:
        sys.exit("train.py: GROUNDWORK_CHECKPOINT_DIR is not set; it names the folder for the trained policy")
    task = os.environ.get("GRPO_TASK", "").strip() or "math"
    if task not in ("math", "arithmetic"):
        sys.exit(f"train.py: GRPO_TASK={task!r}; use math or arithmetic")
    seed = env_number("GROUNDWORK_SEED", 0)
    steps = max(1, round(GRPO_STEPS * env_number("GRPO_STEPS_MULTIPLIER", 1.0, float)))
    budget = env_number("GRPO_TIME_BUDGET_SEC", 6600.0, float)
    learning_rate = LEARNING_RATE * env_number("GRPO_LR_MULTIPLIER", 1.0, float)
    micro = max(1, env_number("GRPO_MICRO_BATCH_SIZE", MICRO_BATCH_SIZE))
    torch.set_num_threads(max(1, env_number("GRPO_THREADS", 2)))
    grpo.check_settings()
    random.seed(seed)
    torch.manual_seed(seed)
    sampler = random.Random(seed)

    train_data = os.environ.get("GROUNDWORK_TRAIN_DATA", "").strip()
    problems = load_problems(task, train_data)
    policy = policies.load_policy(task, train_data, seed)
    model = policy.model
    model.train()
    reference = None
    if grpo.KL_COEF > 0:
        import copy

        reference = copy.deepcopy(model).eval().requires_grad_(False)
    engine = rollout.make_engine(policy, seed)
    max_tokens = rollout.MAX_RESPONSE_TOKENS
    if task == "arithmetic":
        from tiny.arithmetic import ANSWER_MAX_TOKENS

        max_tokens = min(max_tokens, ANSWER_MAX_TOKENS)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=learning_rate, betas=(BETA1, BETA2), weight_decay=WEIGHT_DECAY
    )
    params = sum(p.numel() for p in model.parameters())
    print(
        f"grpo: task {task}, {policy.implementation} policy of {params:,} parameters, rollouts by {engine.name}, "
        f"{len(problems):,} problems, {steps} steps of {ROLLOUT_PROMPTS}x{GROUP_SIZE} rollouts, lr {learning_rate:g}, "
        f"loss {grpo.LOSS_TYPE}, seed {seed}",
        flush=True,
    )

    curve, history = [], []
    rollout_tokens, rollout_seconds, longest_step = 0, 0.0, 0.0
    stopped_early = False
    for step in range(steps):
        step_started = time.time()
        if budget and step_started - started + longest_step * 1.1 > budget:
            print(f"step {step}: the time budget of {budget:.0f} s would run out; stopping", flush=True)
            stopped_early = True
            break
        count = ROLLOUT_PROMPTS
        chosen = sampler.sample(problems, count) if count <= len(problems) else sampler.choices(problems, k=count)
        prompts = [rollout.format_prompt(task, problem["problem"]) for problem in chosen]
        rollouts = sorted(engine.generate(prompts, GROUP_SIZE, max_tokens), key=lambda r: r.prompt_index)
        generated = sum(len(r.response_ids) for r in rollouts)
        generate_seconds = time.time() - step_started
        rollout_tokens += generated
        rollout_seconds += generate_seconds

        scores = [reward.score(r.text, chosen[r.prompt_index]["answer"], task) for r in rollouts]
        rewards = torch.tensor([s["reward"] for s in scores], dtype=torch.float32, device=policy.device)
        advantages = grpo.group_advantages(rewards, GROUP_SIZE)
        old = frozen_logprobs(model, rollouts, policy, micro) if grpo.needs_old_logprobs() else None
        ref = frozen_logprobs(reference, rollouts, policy, micro) if reference is not None else None

        totals = {"loss": 0.0, "tokens": 0.0, "clip_fraction": 0.0, "kl": 0.0, "grad_norm": 0.0, "updates": 0}
        order_gen = torch.Generator().manual_seed(seed * 1_000_003 + step)
        for _ in range(EPOCHS_PER_ROLLOUT):
            order = torch.randperm(len(rollouts), generator=order_gen).tolist()
            for first in range(0, len(order), TRAIN_BATCH_SIZE):
                batch = order[first : first + TRAIN_BATCH_SIZE]
                lengths = torch.tensor([len(rollouts[i].response_ids) for i in batch])
                batch_mask = torch.arange(max(1, int(lengths.max())))[None, :] < lengths[:, None]
                normalizer = grpo.loss_normalizer(batch_mask, max_tokens)
                optimizer.zero_grad(set_to_none=True)
                for start in range(0, len(batch), micro):
                    part = batch[start : start + micro]
                    logprobs, mask = response_logprobs(model, [rollouts[i] for i in part], policy.pad_token_id, policy.device)
                    loss, stats = grpo.policy_loss(
                        logprobs,
                        padded([old[i] for i in part], mask) if old is not None else None,
                        padded([ref[i] for i in part], mask) if ref is not None else None,
                        advantages[part],
                        rewards[part],
                        mask,
                        normalizer,
                    )
                    loss.backward()
                    totals["loss"] += loss.item()
                    for key in ("tokens", "clip_fraction", "kl"):
                        totals[key] += stats.get(key, 0.0)
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP if GRAD_CLIP > 0 else float("inf"))
                totals["grad_norm"] += float(norm)
                totals["updates"] += 1
                optimizer.step()
        engine.sync()

        mean_reward = rewards.mean().item()
        if not math.isfinite(totals["loss"]):
            print(f"step {step + 1}: the loss is {totals['loss']}; stopping", flush=True)
            curve.append([step + 1, mean_reward])
            break
        record = {
            "step": step + 1,
            "reward": mean_reward,
            "correct": sum(s["correct"] for s in scores) / len(scores),
            "format": sum(s["formatted"] for s in scores) / len(scores),
            "response_tokens": generated / len(rollouts),
            "truncated": sum(r.truncated for r in rollouts) / len(rollouts),
            "rollout_tokens_per_second": generated / max(generate_seconds, 1e-9),
            "clip_fraction": totals["clip_fraction"] / max(1.0, totals["tokens"]),
            "kl": totals["kl"] / max(1.0, totals["tokens"]),
            "grad_norm": totals["grad_norm"] / max(1, totals["updates"]),
            "seconds": time.time() - step_started,
        }
        history.append(record)
        curve.append([step + 1, round(mean_reward, 5)])
        longest_step = max(longest_step, record["seconds"])
        print(
            f"step {step + 1}/{steps} reward {mean_reward:.3f} format {record['format']:.2f} "
            f"len {record['response_tokens']:.1f} rollouts {record['rollout_tokens_per_second']:.0f} tok/s "
            f"({generate_seconds:.1f}s) step {record['seconds']:.1f}s clip {record['clip_fraction']:.3f}",
            flush=True,
        )

    policies.save_policy(policy, checkpoint_dir)
    log = {
        "curve": curve,
        "steps": len(history),
        "seed": seed,
        "task": task,
        "seconds": round(time.time() - started, 2),
        "stopped_early": stopped_early,
        "rollout_engine": engine.name,
        "rollout_tokens": rollout_tokens,
        "rollout_tokens_per_second": rollout_tokens / rollout_seconds if rollout_seconds > 0 else 0.0,
        "history": history,
    }
    with open(os.path.join(checkpoint_dir, "train_log.json"), "w", encoding="utf-8") as handle:
        json.dump(log, handle, indent=1)
    print(f"grpo: saved the policy to {checkpoint_dir} after {log['seconds']:.1f}s", flush=True)


if __name__ == "__main__":
    main()
