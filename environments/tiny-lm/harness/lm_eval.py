"""Scoring a language model through sealed model workers (tiny-lm and nanogpt share this file; a test checks it).

The harness holds the held-out tokens; model workers (model_worker.py, started through sealed_eval.Worker) see one
batch of windows per request and nothing else. Every token is scored exactly once from the windows of `windows()`.

Scoring worker. The windows are shuffled into batches of `rows` windows, each padded to the full context
length (padding and filler rows are never scored). Each batch is sent twice, in random order: as it is, and as a
twin whose tokens after a random cut per row are changed. For every position the worker returns the log-sum-exp of
its logits and its logits at K ids the harness picks: the next token's, the twin's next token's, and random ids, in
random order, so the list shows neither the cut nor anything outside the window. The loss is computed here, in
float64 NumPy: log-sum-exp minus the next token's logit, summed per window and then in window order, so the result
does not depend on the shuffle.

Every random choice (order, cuts, ids, filler, the state probe's sample) comes from fresh operating-system
randomness, never from a seed written in this public code: a model that could replay the harness's generator
would know which windows the state probe re-checks. The sample comes from a second generator, independent of the
one whose draws the scoring worker can observe (the order of the windows it is sent).

Causality probe: at every position before a row's cut the two answers must agree (within `tolerance`); a model that
looks ahead changes them.

State probe: after the scoring worker is killed (with all it started), a fresh worker is started and asked for the
full logits of a random sample of the windows, in other batches (the rest of each batch random filler tokens). The
log-sum-exp and selected logits computed here from them must match what the scoring worker returned for the same
windows. A model whose outputs depend on anything but the window (earlier requests, other windows of its batch,
the twin) or that misreports its log-sum-exp fails it. The workers cannot pass state to each other: they never
run at the same time, and confine.py leaves them no file, IPC or network channel that outlives them.
"""

import secrets

import numpy as np

import sealed_eval

K = 4  # logits returned per position by the scoring worker
FULL_VOCAB_LIMIT = 4096  # up to this vocabulary, the state probe checks every scored position of a window


class Suspicious(Exception):
    """A probe failed; the message says which and by how much."""


def windows(n: int, context: int, stride: int, score_from: int) -> list:
    """(start, first scored offset, stop) for windows covering tokens score_from..n-1, each scored exactly once.

    Token start + p + 1 is predicted at position p; a window scores tokens start + lo .. start + stop - 1, every
    one predicted from at least context - stride preceding tokens (fewer only in the first window).
    """
    spans, target = [], score_from
    while target < n:
        end = min(n, target + stride)
        start = max(0, end - context)
        spans.append((start, target - start, end - start))
        target = end
    return spans


def _distinct_ids(rng, first, second, vocab: int, k: int):
    """(rows, positions, k) ids: `first`, `second` (or a random other id where equal), then random others; shuffled."""
    ids = np.empty(first.shape + (k,), dtype=np.int64)
    ids[..., 0] = first
    ids[..., 1] = np.where(second != first, second, (first + rng.integers(1, vocab, size=first.shape)) % vocab)
    for slot in range(2, k):
        fresh = rng.integers(0, vocab, size=first.shape)
        while True:
            clash = (fresh[..., None] == ids[..., :slot]).any(axis=-1)
            if not clash.any():
                break
            fresh[clash] = rng.integers(0, vocab, size=int(clash.sum()))
        ids[..., slot] = fresh
    order = np.argsort(rng.random(ids.shape), axis=-1)
    return np.take_along_axis(ids, order, axis=-1), np.argmax(order == 0, axis=-1)


class Plan:
    """Batches, twins, id lists and the state-probe sample of one evaluation, drawn from secret randomness."""

    def __init__(self, tokens, spans, context: int, rows: int, vocab: int, twin: str, probe_windows: int):
        self.tokens, self.spans, self.context, self.rows, self.vocab = tokens, spans, context, rows, vocab
        self.twin = twin
        self.rng = np.random.default_rng(secrets.randbits(128))
        self.probe_rng = np.random.default_rng(secrets.randbits(128))
        order = self.rng.permutation(len(spans))
        self.batches = [order[i : i + rows] for i in range(0, len(spans), rows)]
        count = min(len(spans), probe_windows)
        self.sample = set(int(w) for w in self.probe_rng.choice(len(spans), size=count, replace=False)) if count else set()

    def window_tokens(self, window: int):
        start, _, stop = self.spans[window]
        row = np.zeros(self.context, dtype=np.int64)
        row[:stop] = self.tokens[start : start + stop]
        return row

    def filler(self, count: int):
        return self.rng.integers(0, self.vocab, size=(count, self.context), dtype=np.int64)

    def batch(self, index: int) -> dict:
        members = self.batches[index]
        idx = np.concatenate([np.stack([self.window_tokens(w) for w in members]), self.filler(self.rows - len(members))])
        cuts = self.rng.integers(1, self.context, size=self.rows)
        changed = idx.copy()
        for row, cut in enumerate(cuts):
            if self.twin == "shift":
                changed[row, cut:] = (changed[row, cut:] + self.rng.integers(1, self.vocab, size=self.context - cut)) % self.vocab
            else:  # text from elsewhere in the held-out stream, so the twin looks like the real thing
                source = int(self.rng.integers(0, len(self.tokens) - self.context))
                changed[row, cut:] = self.tokens[source : source + self.context - cut]
        select, slot = _distinct_ids(self.rng, idx[:, 1:], changed[:, 1:], self.vocab, K)
        return {"members": members, "idx": idx, "changed": changed, "cuts": cuts, "select": select, "slot": slot,
                "twin_first": bool(self.rng.integers(0, 2))}


def _score(worker, tokens, select):
    rows, length = tokens.shape
    size = rows * (length - 1)
    _, data = worker.call(
        {"op": "score", "rows": rows, "length": length, "k": K},
        np.ascontiguousarray(tokens, dtype="<i8").tobytes() + np.ascontiguousarray(select, dtype="<i8").tobytes(),
        size * 8 + size * K * 4,
    )
    if len(data) != size * 8 + size * K * 4:
        raise sealed_eval.WorkerError(f"the model worker answered {len(data)} bytes, not {size * (8 + 4 * K)}")
    lse = np.frombuffer(data, dtype="<f8", count=size).reshape(rows, length - 1)
    picked = np.frombuffer(data, dtype="<f4", offset=size * 8).reshape(rows, length - 1, K).astype(np.float64)
    return lse, picked


class Score:
    def __init__(self):
        self.loss_sum, self.count, self.causality_max, self.state_max = 0.0, 0, 0.0, 0.0
        self.non_finite = False
        self.state_checked = 0


def score_all(worker, plan: Plan, tolerance: float) -> tuple:
    """(Score, answers kept for the state probe, causality probe failure or None); every window is scored either way."""
    score, kept, causality = Score(), {}, None
    per_window = np.zeros(len(plan.spans))
    for index in range(len(plan.batches)):
        batch = plan.batch(index)
        if batch["twin_first"]:
            other = _score(worker, batch["changed"], batch["select"])
            lse, picked = _score(worker, batch["idx"], batch["select"])
        else:
            lse, picked = _score(worker, batch["idx"], batch["select"])
            other = _score(worker, batch["changed"], batch["select"])
        target = np.take_along_axis(picked, batch["slot"][..., None], axis=-1)[..., 0]
        for row, window in enumerate(batch["members"]):
            _, lo, stop = plan.spans[window]
            losses = lse[row, lo - 1 : stop - 1] - target[row, lo - 1 : stop - 1]
            total = float(losses.sum())
            if not np.isfinite(total):
                score.non_finite = True
                return score, kept, None
            per_window[window] = total
            score.count += stop - lo
            if int(window) in plan.sample:
                kept[int(window)] = (lse[row].copy(), picked[row].copy(), batch["select"][row].copy())
        before = np.arange(plan.context - 1)[None, :] < batch["cuts"][:, None]
        before[len(batch["members"]) :] = False  # filler rows are not compared
        diff = max(float(np.abs(lse - other[0])[before].max()), float(np.abs(picked - other[1])[before].max()))
        worst = diff if np.isfinite(diff) else float("inf")
        score.causality_max = max(score.causality_max, worst)
        if worst > tolerance and causality is None:
            causality = (
                f"causality probe: changing later tokens changed the model's outputs at earlier positions by up to "
                f"{worst:.3g} (tolerance {tolerance:g}); the model can see the future (or its outputs are not "
                "deterministic)"
            )
    for total in per_window.tolist():  # in window order, whatever order the windows were sent in
        score.loss_sum += total
    return score, kept, causality


def state_probe(worker, plan: Plan, kept: dict, tolerance: float, score: Score) -> None:
    """Re-ask a fresh worker for the sampled windows' full logits; Suspicious when they differ from the scored ones."""
    rng = plan.probe_rng
    sample = [w for w in rng.permutation(sorted(kept))]
    for first in range(0, len(sample), plan.rows):
        members = sample[first : first + plan.rows]
        filler = rng.integers(0, plan.vocab, size=(plan.rows - len(members), plan.context), dtype=np.int64)
        idx = np.concatenate([np.stack([plan.window_tokens(w) for w in members]), filler])
        wanted = []
        for window in members:
            _, lo, stop = plan.spans[window]
            scored = np.arange(lo - 1, stop - 1)
            if plan.vocab > FULL_VOCAB_LIMIT and len(scored) > 4:
                scored = np.sort(rng.choice(scored, size=4, replace=False))
            wanted.append(scored)
        width = max(len(w) for w in wanted)
        positions = np.stack([np.pad(w, (0, width - len(w)), mode="edge") for w in wanted])
        positions = np.concatenate([positions, np.zeros((plan.rows - len(members), width), dtype=np.int64)])
        header, data = worker.call(
            {"op": "full", "rows": plan.rows, "length": plan.context, "p": width},
            np.ascontiguousarray(idx, dtype="<i8").tobytes() + np.ascontiguousarray(positions, dtype="<i8").tobytes(),
            plan.rows * width * (1 << 20) * 4,
        )
        vocab = header.get("width")
        if not isinstance(vocab, int) or vocab < plan.vocab or len(data) != plan.rows * width * vocab * 4:
            raise sealed_eval.WorkerError("the model worker's full logits have the wrong size")
        logits = np.frombuffer(data, dtype="<f4").reshape(plan.rows, width, vocab).astype(np.float64)
        peak = logits.max(axis=-1, keepdims=True)
        lse = peak[..., 0] + np.log(np.exp(logits - peak).sum(axis=-1))
        for row, window in enumerate(members):
            hot_lse, hot_picked, select = kept[window]
            at = positions[row]
            cold_picked = np.take_along_axis(logits[row], select[at], axis=-1)
            diff = max(float(np.abs(hot_lse[at] - lse[row]).max()), float(np.abs(hot_picked[at] - cold_picked).max()))
            worst = diff if np.isfinite(diff) else float("inf")
            score.state_max = max(score.state_max, worst)
            score.state_checked += 1
            if worst > tolerance:
                raise Suspicious(
                    f"state probe: a fresh model worker, given the same window alone, returned outputs that differ by "
                    f"up to {worst:.3g} (tolerance {tolerance:g}) from the ones scored; the model's outputs depend on "
                    "more than the window (other windows, earlier requests, the probe twin) or are not deterministic"
                )


def probe_windows(count: int) -> int:
    """How many windows the state probe re-checks: an eighth (at least 16, at most 1024), never more than half."""
    return min(max(16, count // 8), 1024, max(1, count // 2))


def evaluate(script: str, setup: dict, cwd: str, make_plan, tolerance: float) -> dict:
    """Score with one worker, kill it, state-probe with a fresh one; WorkerError when a worker fails.

    Both workers start together (one import of torch, forked), but the fresh one loads the model code only after
    the scoring worker and everything it started are dead. `make_plan(hello)` builds the Plan from the scoring
    worker's hello (its config), or raises ValueError.
    """
    worker, fresh = sealed_eval.start_workers(script, setup, cwd, 2)
    try:
        plan = make_plan(worker.load())
        score, kept, suspicious = score_all(worker, plan, tolerance)
        worker.close(keep=[fresh])
        if suspicious is None and not score.non_finite and kept:
            fresh.load()
            try:
                state_probe(fresh, plan, kept, tolerance, score)
            except Suspicious as failure:
                suspicious = str(failure)
    finally:
        worker.close(keep=[fresh])
        fresh.close()
    return {"hello": worker.hello, "plan": plan, "score": score, "suspicious": suspicious}
