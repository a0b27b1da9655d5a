"""The optimiser and the learning-rate schedule of the nanogpt trainer.

train.py calls `make_optimizer(model)` once and, before every step, sets each parameter group's "lr" to
`group["initial_lr"] * lr_multiplier(progress)`, where progress runs from 0 to 1 over the run's
wall-clock budget (training stops at 1). Because the budget is time, not steps, the schedule is written in
fractions of it.

The constants below are the knobs an idea may change.
"""

import torch

LEARNING_RATE = 0.0015  # peak AdamW learning rate
BETA1 = 0.9
BETA2 = 0.95
WEIGHT_DECAY = 0.1  # decoupled weight decay on matrices (not on norms or biases, of which the default model has none)
WARMUP_FRACTION = 0.03  # share of the budget spent warming up linearly from 0
COOLDOWN_FRACTION = 0.2  # share of the budget, at its end, spent decaying linearly to MIN_LR_RATIO
MIN_LR_RATIO = 0.1  # learning rate at the end, as a fraction of the peak


def make_optimizer(model: torch.nn.Module) -> torch.optim.Optimizer:
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": WEIGHT_DECAY}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    extra = {"fused": True} if torch.cuda.is_available() and _supports_fused() else {}
    optimizer = torch.optim.AdamW(groups, lr=LEARNING_RATE, betas=(BETA1, BETA2), **extra)
    for group in optimizer.param_groups:
        group["initial_lr"] = LEARNING_RATE
    return optimizer


def _supports_fused() -> bool:
    import inspect

    return "fused" in inspect.signature(torch.optim.AdamW).parameters


def lr_multiplier(progress: float) -> float:
    """Warm up, hold, then cool down linearly; `progress` is the fraction of the budget used so far."""
    progress = min(max(progress, 0.0), 1.0)
    if WARMUP_FRACTION > 0 and progress < WARMUP_FRACTION:
        return progress / WARMUP_FRACTION
    cooldown_start = 1.0 - COOLDOWN_FRACTION
    if COOLDOWN_FRACTION > 0 and progress > cooldown_start:
        done = (progress - cooldown_start) / COOLDOWN_FRACTION
        return 1.0 - (1.0 - MIN_LR_RATIO) * done
    return 1.0
