"""The nanogpt harness's measurement: validation loss over fixed windows, with a causality check on every batch.

Every function and method used after the model's code has run is bound here, at import, which happens
before evaluate.py imports model.py: code in model.py that replaces torch.nn.functional.cross_entropy,
torch.Tensor methods or builtins does not change what this module calls.

Windows: the validation stream is cut into consecutive windows of `seq_len` tokens; each window's tokens
are predicted from the tokens before them in the same window, so every scored token is scored exactly
once. Batches take windows far apart in the stream (window w goes to batch w mod number_of_batches), so
no batch holds a window together with the text right after it.

Causality check: each batch is also run in a perturbed copy in which every row's tokens from a random
cut on are replaced by text from elsewhere in the stream. The logits before each cut must not change.
The two copies run in a random order, so a model cannot tell which one is scored.
"""

from builtins import bool, int, isinstance, len, list, max, range, tuple, type
from math import isfinite

import numpy as np
import torch
from torch import Tensor
from torch.nn.functional import cross_entropy

inference_mode = getattr(torch, "inference_mode", torch.no_grad)
torch_where = torch.where
torch_zeros_like = torch.zeros_like
torch_from_numpy = torch.from_numpy
tensor_to = Tensor.to
tensor_reshape = Tensor.reshape
tensor_item = Tensor.item
tensor_float = Tensor.float
tensor_sub = Tensor.sub
tensor_abs = Tensor.abs
tensor_amax = Tensor.amax
tensor_dim = Tensor.dim
tensor_size = Tensor.size


class Plan:
    """The batches of one evaluation, built from the tokens before any model code runs."""

    def __init__(self, tokens: np.ndarray, seq_len: int, batch_rows: int, seed: int):
        windows = (len(tokens) - 1) // seq_len
        if windows < 1:
            raise ValueError(f"{len(tokens)} validation tokens do not fill one window of {seq_len}")
        self.seq_len, self.windows = seq_len, windows
        count = (windows + batch_rows - 1) // batch_rows
        rng = np.random.default_rng(seed)
        self.batches = []
        for index in range(count):
            rows = np.arange(index, windows, count)
            starts = rows * seq_len
            offsets = starts[:, None] + np.arange(seq_len)[None, :]
            inputs, targets = tokens[offsets], tokens[offsets + 1]
            cuts = rng.integers(1, seq_len, size=len(rows)) if seq_len > 1 else np.ones(len(rows), dtype=np.int64)
            perturbed = inputs.copy()
            for row in range(len(rows)):
                source = int(rng.integers(0, len(tokens) - seq_len))
                perturbed[row, cuts[row] :] = tokens[source : source + seq_len - cuts[row]]
            before_cut = np.arange(seq_len)[None, :] < cuts[:, None]
            self.batches.append(
                (
                    torch_from_numpy(np.ascontiguousarray(inputs, dtype=np.int64)),
                    torch_from_numpy(np.ascontiguousarray(targets, dtype=np.int64)),
                    torch_from_numpy(np.ascontiguousarray(perturbed, dtype=np.int64)),
                    torch_from_numpy(before_cut[:, :, None].copy()),
                    bool(rng.integers(0, 2)),
                )
            )


def logits_of(model, inputs):
    out = model(inputs)
    logits = out[0] if isinstance(out, (tuple, list)) and len(out) > 0 else out
    if type(logits) is not Tensor:
        raise ValueError(f"the model returned {type(logits).__name__} logits; the harness needs a plain torch.Tensor")
    return logits


def check_shape(logits, inputs, vocab: int) -> None:
    rows, length = tensor_size(inputs, 0), tensor_size(inputs, 1)
    if tensor_dim(logits) != 3 or tensor_size(logits, 0) != rows or tensor_size(logits, 1) != length or tensor_size(logits, 2) < vocab:
        shape = tuple(tensor_size(logits))
        raise ValueError(f"the model returned logits of shape {shape} for input ({rows}, {length}); expected ({rows}, {length}, >= {vocab})")


class Score:
    def __init__(self):
        self.loss_sum, self.tokens, self.batches = 0.0, 0, 0
        self.non_finite = False
        self.causality = None  # message when the check failed
        self.probe_max_diff = 0.0


def evaluate(model, plan: Plan, device, vocab: int, tolerance: float) -> Score:
    """Sum of cross-entropies over every window (nats), stopping at the first non-finite loss or causality failure."""
    score = Score()
    with inference_mode():
        for inputs, targets, perturbed, before_cut, perturbed_first in plan.batches:
            inputs, targets = tensor_to(inputs, device), tensor_to(targets, device)
            perturbed, before_cut = tensor_to(perturbed, device), tensor_to(before_cut, device)
            if perturbed_first:
                other = tensor_float(logits_of(model, perturbed))
                logits = tensor_float(logits_of(model, inputs))
            else:
                logits = tensor_float(logits_of(model, inputs))
                other = tensor_float(logits_of(model, perturbed))
            check_shape(logits, inputs, vocab)
            check_shape(other, perturbed, vocab)
            width = tensor_size(logits, 2)
            batch_loss = tensor_item(
                cross_entropy(tensor_reshape(logits, (-1, width)), tensor_reshape(targets, (-1,)), reduction="sum")
            )
            if not isfinite(batch_loss):
                score.non_finite = True
                return score
            score.loss_sum += batch_loss
            score.tokens += tensor_size(targets, 0) * tensor_size(targets, 1)
            score.batches += 1
            difference = tensor_abs(tensor_sub(logits, other))
            worst = tensor_item(tensor_amax(torch_where(before_cut, difference, torch_zeros_like(difference))))
            score.probe_max_diff = max(score.probe_max_diff, worst) if isfinite(worst) else worst
            if not isfinite(worst) or worst > tolerance:
                score.causality = (
                    f"causality check failed on batch {score.batches}: replacing the tokens after a cut changed the logits "
                    f"before the cut by up to {worst:.3g} (tolerance {tolerance:g}); the model sees future tokens "
                    "(or its outputs are not deterministic)"
                )
                return score
    return score

