"""Frozen evaluation harness for tiny-lm.

Run as `python <harness>/evaluate.py` with the training workspace as the working directory.

Environment:
  GROUNDWORK_CHECKPOINT_DIR  folder with checkpoint.pt (and train_log.json) written by train.py
  GROUNDWORK_OUT             folder where result.json is written
  GROUNDWORK_HARNESS         the run's copy of this folder (holds val.txt, deleted once read); unset: the
                             script's folder, and nothing is deleted
  TINY_LM_THREADS            torch CPU threads of the model worker (default 2)
  TINY_LM_EVAL_CHARS         score only this many characters (the smoke profile's shortcut;
                             unset = the whole held-out text, as every real run does)

It measures the mean per-character cross-entropy (nats) of the trained model on the held-out text val.txt.

Scoring is fixed by this file, whatever the training code does: the first SCORE_FROM characters of val.txt
are context only; every later character is scored exactly once, predicted from at least CONTEXT // 2
preceding characters (windows of CONTEXT characters with stride CONTEXT // 2; the first window scores all
its positions from SCORE_FROM on). A model whose block_size is shorter than CONTEXT is evaluated with its
own block_size (the same characters are scored, with less context) and `eval_context` says so.

The edited model code never runs in this process, and never sees the held-out text but one batch of windows
at a time (sealed_eval.py, lm_eval.py): this process reads val.txt, deletes the run's copy of it, makes
itself non-dumpable and starts a confined model worker (model_worker.py, confine.py) that rebuilds the model
from the workspace's model.py and the checkpoint and returns, per position of the windows it is sent,
log-sum-exp and selected logits; the loss is computed here with NumPy. A causality probe (every batch again
with the characters after a random cut changed) and a state probe (a random sample of windows re-asked, alone,
of a fresh worker) fail models that see the future or carry anything from one window to another; either
marks the result suspicious. The result is written only after every worker process is killed, by a fresh
process that replaces this one (seal.py).
"""

import json
import math
import os
import sys

import numpy as np

import lm_eval  # noqa: E402  (this harness folder: sys.path[0])
import seal
import sealed_eval

CONTEXT = 64  # harness context length (characters)
SCORE_FROM = 64  # characters of val.txt used only as context
ROWS = 32  # windows per request to the model worker (does not change the result beyond float rounding)
PROBE_TOLERANCE = 1e-4
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_worker.py")


def fail(message: str) -> None:
    print(f"evaluate.py: {message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(1)


def write_result(out_dir: str, result: dict) -> None:
    """Writes the result once every worker process is gone, and ends this process (see seal.py)."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "result.json")
    text = json.dumps(result, allow_nan=False, indent=1)
    print(f"evaluate.py: writing {path}: metric={result.get('metric')}", flush=True)
    sys.stderr.flush()
    seal.write_and_exit(path, text)
    os._exit(1)  # only reached if the writer could not be started


def finite_or_none(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def read_curve(checkpoint_dir: str):
    """([[step, loss], ...], final training loss or None) from train_log.json; anything malformed is left out."""
    train_log = {}
    log_path = os.path.join(checkpoint_dir, "train_log.json")
    if os.path.isfile(log_path):
        try:
            with open(log_path, encoding="utf-8") as handle:
                train_log = json.load(handle)
        except (OSError, ValueError):
            train_log = {}
    if not isinstance(train_log, dict):
        return [], None
    curve = []
    for point in train_log.get("curve", []) if isinstance(train_log.get("curve"), list) else []:
        if isinstance(point, (list, tuple)) and len(point) == 2 and isinstance(point[0], (int, float)):
            curve.append([point[0], finite_or_none(point[1])])
    return curve, finite_or_none(train_log.get("train_loss_final"))


def main() -> None:
    seal.adopt_orphans()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    out_dir = os.environ.get("GROUNDWORK_OUT", "").strip()
    harness_copy = os.environ.get("GROUNDWORK_HARNESS", "").strip()
    harness_dir = harness_copy or os.path.dirname(os.path.abspath(__file__))
    if not checkpoint_dir:
        fail("GROUNDWORK_CHECKPOINT_DIR is not set")
    if not out_dir:
        fail("GROUNDWORK_OUT is not set")
    checkpoint_path = os.path.join(checkpoint_dir, "checkpoint.pt")
    if not os.path.isfile(checkpoint_path):
        fail(f"no checkpoint at {checkpoint_path}: training wrote none")
    try:
        eval_limit = int(os.environ.get("TINY_LM_EVAL_CHARS", "").strip() or 0)
    except ValueError:
        fail("TINY_LM_EVAL_CHARS must be an integer")
    threads = os.environ.get("TINY_LM_THREADS", "").strip()
    threads = int(threads) if threads.isdigit() and int(threads) > 0 else 2

    workspace = os.getcwd()
    with open(os.path.join(workspace, "data", "vocab.json"), encoding="utf-8") as handle:
        vocab = json.load(handle)
    stoi = {ch: i for i, ch in enumerate(vocab["chars"])}
    fallback = stoi[vocab["fallback"]]
    vocab_size = len(vocab["chars"])
    with open(os.path.join(harness_dir, "val.txt"), encoding="utf-8") as handle:
        tokens = np.array([stoi.get(ch, fallback) for ch in handle.read()], dtype=np.int64)
    curve, final = read_curve(checkpoint_dir)

    # The held-out text is in memory now: the run's copy goes, and this process closes itself to its workers.
    held_out = sealed_eval.remove_held_out(workspace, harness_dir) if harness_copy else {"removed": [], "not_removed": []}
    non_dumpable = sealed_eval.seal_process()
    setup = {
        "checkpoint": checkpoint_path,
        "workspace": workspace,
        "threads": threads,
        "device": "cpu",
        "denied": sealed_eval.worker_denied(harness_dir, out_dir),
    }
    n = len(tokens) if eval_limit <= 0 else min(len(tokens), SCORE_FROM + eval_limit)
    facts = {}

    def make_plan(hello: dict):
        block_size = hello.get("config", {}).get("block_size", CONTEXT)
        context = min(CONTEXT, int(block_size))
        if context < 2:
            raise ValueError(f"model block_size {block_size} is too short to evaluate")
        model_vocab = hello.get("config", {}).get("vocab_size", vocab_size)
        if int(model_vocab) < vocab_size:
            raise ValueError(f"model vocab_size {model_vocab} is smaller than the vocabulary ({vocab_size})")
        facts.update(block_size=int(block_size), context=context)
        spans = lm_eval.windows(n, context, max(1, context // 2), SCORE_FROM)
        return lm_eval.Plan(tokens[:n], spans, context, ROWS, vocab_size, "shift", lm_eval.probe_windows(len(spans)))

    try:
        outcome = lm_eval.evaluate(WORKER, setup, workspace, make_plan, PROBE_TOLERANCE)
    except (sealed_eval.WorkerError, ValueError) as error:
        fail(f"evaluating the model failed: {error}")
    score, hello, plan = outcome["score"], outcome["hello"], outcome["plan"]
    isolation = {"model_worker": "separate process", "harness_non_dumpable": non_dumpable, **held_out}
    if isinstance(hello.get("isolation"), dict):
        isolation.update(hello["isolation"])
    if score.non_finite:
        write_result(out_dir, {"metric": None, "metrics": {}, "error": "non-finite validation loss", "curve": curve,
                               "isolation": isolation})
    loss = score.loss_sum / score.count
    metrics = {
        "val_loss": loss,
        "val_bpc": loss / math.log(2),
        "params": hello.get("params") if isinstance(hello.get("params"), int) else None,
        "eval_context": facts["context"],
        "eval_chars": score.count,
        "eval_windows": len(plan.spans),
        "probe_max_diff": score.causality_max,
        "state_probe_windows": score.state_checked,
        "state_probe_max_diff": score.state_max,
    }
    if final is not None:
        metrics["train_loss_final"] = final
    metrics = {name: value for name, value in metrics.items() if value is not None}
    result = {"metric": loss, "metrics": metrics, "curve": curve, "isolation": isolation}
    notes = []
    if facts["context"] < CONTEXT:
        notes.append(f"model block_size {facts['block_size']} < harness context {CONTEXT}: evaluated with context {facts['context']}")
    if eval_limit > 0:
        notes.append(f"TINY_LM_EVAL_CHARS={eval_limit}: scored {score.count} characters, not the whole held-out text")
    if not isolation.get("landlock_abi"):
        notes.append(
            "the model workers ran without Landlock: files outside the job's sandbox were readable to them by path, "
            "and the state probe cannot rule out state passed on through files"
        )
    if notes:
        result["note"] = "; ".join(notes)
    if outcome["suspicious"]:
        result["suspicious"] = outcome["suspicious"]
    write_result(out_dir, result)


if __name__ == "__main__":
    main()
