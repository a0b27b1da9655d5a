# GRPO loss maths in plain PyTorch: token log-probabilities, group-relative advantages, clipped surrogate, KL term.
"""Pure-torch pieces of the GRPO step, testable on a CPU with a tiny model (see test_grpo.py).

Shapes: B sequences, T completion tokens, V vocabulary. `mask` is 1 on completion tokens that count, 0 on padding.
"""
import torch

STD_EPS = 1e-6


def token_logprobs(logits, targets):
    """log p(target_t | prefix) for each position: logits [B, T, V] that predict targets [B, T]."""
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def group_advantages(rewards, groups, eps=STD_EPS):
    """(r - mean) / (std + eps) within each group (population std); a group of equal rewards gets 0.

    The same maths as rl/advantages.ts (grpoAdvantages); groundwork computes the advantages and exports them,
    this is here to check the two agree and for trainers that recompute them.
    """
    rewards = torch.as_tensor(rewards, dtype=torch.float64)
    groups = torch.as_tensor(groups)
    out = torch.zeros_like(rewards)
    for group in groups.unique():
        member = groups == group
        values = rewards[member]
        std = values.std(unbiased=False)
        if std < eps:
            continue
        out[member] = (values - values.mean()) / (std + eps)
    return out


def grpo_loss(logp, old_logp, advantages, mask, clip_eps=0.2, ref_logp=None, kl_coef=0.0):
    """The GRPO objective to minimise (Shao et al. 2024, eq. 3), averaged per sequence then over the batch.

    ratio = exp(logp - old_logp); per token: -min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A), plus
    kl_coef * KL(pi || ref) with the unbiased k3 estimator exp(ref - logp) - (ref - logp) - 1.
    On-policy (old_logp = logp.detach()) the ratio is 1 and the gradient is -A * grad(logp).
    """
    advantages = advantages.to(logp.dtype).unsqueeze(-1)
    ratio = torch.exp(logp - old_logp)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    per_token = -torch.minimum(unclipped, clipped)
    if ref_logp is not None and kl_coef > 0:
        delta = ref_logp - logp
        per_token = per_token + kl_coef * (torch.exp(delta) - delta - 1)
    mask = mask.to(logp.dtype)
    per_sequence = (per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1)
    return per_sequence.mean()
