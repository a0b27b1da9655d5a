"""The GRPO objective: group-relative advantages from rewards, and the per-token policy-gradient loss.

Loss types:
  grpo_clip                PPO-style clipped importance ratio against the rollout policy, token mean over the batch
  dr_grpo                  the same clipped surrogate, summed over tokens and divided by a constant
                           (sequences x MAX_RESPONSE_TOKENS) instead of the token count, so length is not rewarded
  reinforce_with_baseline  -advantage * log p (no ratio, no clipping), token mean
  no_baseline              -reward * log p, token mean
Advantage normalisation:
  group_std   (reward - group mean) / (group std + eps)        the reference's setting
  group_mean  reward - group mean                              Dr. GRPO
  batch_std   (reward - group mean) / (std over the batch + eps)
"""

import torch

LOSS_TYPE = "grpo_clip"
ADVANTAGE_NORMALIZATION = "group_std"
CLIP_RANGE = 0.2
KL_COEF = 0.0
ADVANTAGE_EPS = 1e-6

LOSS_TYPES = ("grpo_clip", "dr_grpo", "reinforce_with_baseline", "no_baseline")
NORMALIZATIONS = ("group_std", "group_mean", "batch_std")


def check_settings() -> None:
    if LOSS_TYPE not in LOSS_TYPES:
        raise SystemExit(f"grpo.py: LOSS_TYPE must be one of {LOSS_TYPES}, got {LOSS_TYPE!r}")
    if ADVANTAGE_NORMALIZATION not in NORMALIZATIONS:
        raise SystemExit(f"grpo.py: ADVANTAGE_NORMALIZATION must be one of {NORMALIZATIONS}, got {ADVANTAGE_NORMALIZATION!r}")


def needs_old_logprobs() -> bool:
    return LOSS_TYPE in ("grpo_clip", "dr_grpo")


def group_advantages(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """Advantages of rewards laid out group by group (GROUP_SIZE consecutive responses share a prompt)."""
    groups = rewards.float().view(-1, group_size)
    centred = groups - groups.mean(dim=1, keepdim=True)
    if ADVANTAGE_NORMALIZATION == "group_std":
        centred = centred / (groups.std(dim=1, keepdim=True) + ADVANTAGE_EPS)
    elif ADVANTAGE_NORMALIZATION == "batch_std":
        centred = centred / (rewards.float().std() + ADVANTAGE_EPS)
    return centred.flatten()


def loss_normalizer(response_mask: torch.Tensor, max_response_tokens: int) -> float:
    """The divisor of the summed token losses of one optimiser batch (all its micro-batches together)."""
    if LOSS_TYPE == "dr_grpo":
        return float(response_mask.shape[0] * max_response_tokens)
    return float(max(1.0, response_mask.sum().item()))


def policy_loss(logprobs, old_logprobs, ref_logprobs, advantages, rewards, response_mask, normalizer):
    """Summed token loss of one micro-batch divided by the optimiser batch's normalizer, and statistics.

    logprobs, old_logprobs, ref_logprobs, response_mask: (batch, T); advantages, rewards: (batch,).
    old_logprobs is None unless needs_old_logprobs(); ref_logprobs is None unless KL_COEF > 0.
    """
    mask = response_mask.float()
    stats = {}
    if LOSS_TYPE in ("grpo_clip", "dr_grpo"):
        ratio = torch.exp(logprobs - old_logprobs)
        unclipped = ratio * advantages[:, None]
        clipped = ratio.clamp(1.0 - CLIP_RANGE, 1.0 + CLIP_RANGE) * advantages[:, None]
        per_token = -torch.minimum(unclipped, clipped)
        stats["clip_fraction"] = ((clipped < unclipped).float() * mask).sum().item()
    elif LOSS_TYPE == "reinforce_with_baseline":
        per_token = -advantages[:, None] * logprobs
    else:
        per_token = -rewards.float()[:, None] * logprobs
    if KL_COEF > 0 and ref_logprobs is not None:
        # k3 estimator of KL(policy || reference), always non-negative.
        delta = ref_logprobs - logprobs
        kl = torch.exp(delta) - delta - 1.0
        per_token = per_token + KL_COEF * kl
        stats["kl"] = (kl.detach() * mask).sum().item()
    stats["tokens"] = mask.sum().item()
    return (per_token * mask).sum() / normalizer, stats
