"""Frozen evaluation harness for nanogpt: validation loss of the trained checkpoint, with causality and state probes.

Run as `python <harness>/evaluate.py` with the training workspace as the working directory.

Environment:
  GROUNDWORK_CHECKPOINT_DIR  folder with checkpoint.pt written by train.py (and train_log.json, launch.json)
  GROUNDWORK_OUT             folder where result.json is written
  GROUNDWORK_EVAL_DATA       folder of validation *.bin shards (see the workspace's token_data.py)
  GROUNDWORK_HARNESS         the run's copy of this folder (its held-out files, if any, are deleted once read)
  NANOGPT_SYNTHETIC=1        score token_data's synthetic stream instead (the smoke profile)
  NANOGPT_EVAL_TOKENS        tokens to score (default EVAL_TOKENS; only the smoke profile lowers it)
  NANOGPT_THREADS            torch CPU threads of the model worker (default 2)

Measurement (fixed here, whatever the training code does): the first EVAL_TOKENS + 1 tokens of the validation
stream; every token after the first is scored exactly once, in windows of min(EVAL_SEQ_LEN, block_size) tokens that
overlap by one token (a window's first token is context only, so every token it scores is inside it), EVAL_BATCH
windows per request, in float32 (TF32 matmuls on GPUs), on one device. The metric is the mean cross-entropy in nats
per token, computed here with NumPy from the log-sum-exp and the next token's logit that the model worker returns.

The edited model code never runs in this process (sealed_eval.py, lm_eval.py): this process reads the validation
tokens, makes itself non-dumpable and starts confined model workers (model_worker.py, confine.py) that cannot read
the data, the harness or the result folder and see one batch of windows at a time, in shuffled order. A causality
probe (every batch again with the tokens after a random cut replaced) and a state probe (a sample of windows
re-asked, alone, of a fresh worker) mark the result suspicious when the model sees future tokens or carries
anything from one window to another. result.json is written only after every worker process is killed, by a fresh
process that replaces this one (seal.py).
"""

import importlib.util
import json
import os
import sys
import tempfile
from math import isfinite

import numpy as np

import lm_eval
import seal
import sealed_eval

EVAL_TOKENS = 10_485_760  # the paper's val_tokens: 10 * 1024 * 1024
EVAL_SEQ_LEN = 1024
EVAL_BATCH = 16
PROBE_TOLERANCE = 1e-3  # largest allowed change of a logit (or log-sum-exp) between probe and scoring
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_worker.py")


def fail(message: str) -> None:
    print(f"evaluate.py: {message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(1)


def load_source(name: str, path: str):
    """Import the module at `path` from its source, under `name` (frozen workspace files only)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def read_json(path: str) -> dict:
    if not os.path.isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and isfinite(value) else None


def curve_of(train_log: dict) -> list:
    points = []
    for point in train_log.get("curve", []) if isinstance(train_log.get("curve"), list) else []:
        if isinstance(point, list) and len(point) == 2 and number(point[0]) is not None:
            points.append([point[0], number(point[1])])
    return points


def positive_int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        fail(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def main() -> None:
    seal.adopt_orphans()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    out_dir = os.environ.get("GROUNDWORK_OUT", "").strip()
    harness_copy = os.environ.get("GROUNDWORK_HARNESS", "").strip()
    harness_dir = harness_copy or os.path.dirname(os.path.abspath(__file__))
    synthetic = os.environ.get("NANOGPT_SYNTHETIC", "") == "1"
    eval_data = os.environ.get("GROUNDWORK_EVAL_DATA", "").strip()
    eval_tokens = positive_int_env("NANOGPT_EVAL_TOKENS", EVAL_TOKENS)
    threads = positive_int_env("NANOGPT_THREADS", 2)
    if not checkpoint_dir:
        fail("GROUNDWORK_CHECKPOINT_DIR is not set")
    if not out_dir:
        fail("GROUNDWORK_OUT is not set")
    if not synthetic and not eval_data:
        fail(
            "GROUNDWORK_EVAL_DATA is not set: the manifest's data.evaluate names the validation shards "
            "(prepare them with prepare_data.py, see README.md), or set NANOGPT_SYNTHETIC=1"
        )
    checkpoint_path = os.path.join(checkpoint_dir, "checkpoint.pt")
    if not os.path.isfile(checkpoint_path):
        fail(f"no checkpoint at {checkpoint_path}: training wrote none")
    os.makedirs(out_dir, exist_ok=True)

    # The frozen token_data.py is read from its source only (no .pyc a training step planted).
    sys.dont_write_bytecode = True
    sys.pycache_prefix = tempfile.mkdtemp(prefix="nanogpt-harness-pycache-")
    workspace = os.getcwd()
    token_data = load_source("token_data", os.path.join(workspace, "token_data.py"))
    try:
        if synthetic:
            tokens = token_data.synthetic_tokens(eval_tokens + 1, token_data.VALIDATION_STREAM_SEED)
        else:
            tokens = np.ascontiguousarray(token_data.read_tokens(eval_data, eval_tokens + 1), dtype=np.int64)
    except (OSError, ValueError) as error:
        fail(f"cannot read the validation tokens: {error}")
    vocab = int(tokens.max()) + 1  # the logits must cover every token scored (50257 for GPT-2 ids)
    train_log = read_json(os.path.join(checkpoint_dir, "train_log.json"))
    launch = read_json(os.path.join(checkpoint_dir, "launch.json"))
    entropy_floor = round(token_data.synthetic_entropy(), 4) if synthetic else None

    # The validation tokens are in memory: this process closes itself to the workers, which never see the data.
    held_out = sealed_eval.remove_held_out(workspace, harness_dir) if harness_copy else {"removed": [], "not_removed": []}
    non_dumpable = sealed_eval.seal_process()
    setup = {
        "checkpoint": checkpoint_path,
        "workspace": workspace,
        "threads": threads,
        "device": "auto",
        "tf32": True,
        "denied": sealed_eval.worker_denied(harness_dir, out_dir, [eval_data] if eval_data else []),
    }
    facts = {}

    def make_plan(hello: dict):
        block_size = hello.get("config", {}).get("block_size", EVAL_SEQ_LEN)
        if not isinstance(block_size, int) or block_size < 2:
            raise ValueError(f"the checkpoint's block_size {block_size!r} is not an integer of at least 2")
        model_vocab = hello.get("config", {}).get("vocab_size", vocab)
        if model_vocab < vocab:
            raise ValueError(f"the model's vocab_size {model_vocab} does not cover the validation tokens (ids up to {vocab - 1})")
        seq_len = min(EVAL_SEQ_LEN, block_size)
        facts.update(block_size=block_size, seq_len=seq_len)
        spans = lm_eval.windows(len(tokens), seq_len, seq_len - 1, 1)
        return lm_eval.Plan(tokens, spans, seq_len, EVAL_BATCH, vocab, "splice", lm_eval.probe_windows(len(spans)))

    try:
        outcome = lm_eval.evaluate(WORKER, setup, workspace, make_plan, PROBE_TOLERANCE)
    except (sealed_eval.WorkerError, ValueError) as error:
        fail(f"evaluating the model failed: {error}")
    score, hello = outcome["score"], outcome["hello"]
    isolation = {"model_worker": "separate process", "harness_non_dumpable": non_dumpable, **held_out}
    if isinstance(hello.get("isolation"), dict):
        isolation.update(hello["isolation"])

    metrics = {
        "val_loss": score.loss_sum / score.count if score.count and not score.non_finite else None,
        "tokens": score.count,
        "eval_seq_len": facts["seq_len"],
        "params": hello.get("params") if isinstance(hello.get("params"), int) else None,
        "probe_max_diff": number(score.causality_max),
        "state_probe_windows": score.state_checked,
        "state_probe_max_diff": number(score.state_max),
        "train_seconds": number(launch.get("seconds")),
        "train_budget_seconds": number(launch.get("budget_seconds")),
        "train_steps": number(train_log.get("steps")),
        "train_tokens": number(train_log.get("train_tokens")),
        "train_tokens_per_second": number(train_log.get("tokens_per_second")),
        "train_mfu": number(train_log.get("mfu")),
    }
    metrics = {name: value for name, value in metrics.items() if value is not None}
    result = {"metric": metrics.get("val_loss"), "metrics": metrics, "curve": curve_of(train_log), "isolation": isolation}
    notes = []
    if score.non_finite:
        result["error"] = "the validation loss is not finite"
    if outcome["suspicious"]:
        result["suspicious"] = outcome["suspicious"]
    if facts["seq_len"] < EVAL_SEQ_LEN:
        notes.append(f"model block_size {facts['block_size']} < {EVAL_SEQ_LEN}: scored with windows of {facts['seq_len']} tokens")
    if eval_tokens != EVAL_TOKENS:
        notes.append(f"NANOGPT_EVAL_TOKENS={eval_tokens}: scored {score.count} tokens, not {EVAL_TOKENS}")
    if synthetic:
        notes.append(f"synthetic tokens (entropy floor {entropy_floor} nats)")
    if not isolation.get("landlock_abi"):
        notes.append(
            "the model workers ran without Landlock: files outside the job's sandbox were readable to them by path, "
            "and the state probe cannot rule out state passed on through files"
        )
    if notes:
        result["note"] = "; ".join(notes)
    text = json.dumps(result, allow_nan=False, indent=1) + "\n"
    path = os.path.join(out_dir, "result.json")
    print(f"evaluate.py: writing {path}: metric={result['metric']}", flush=True)
    sys.stderr.flush()
    seal.write_and_exit(path, text)
    os._exit(1)  # only reached if the writer could not be started


if __name__ == "__main__":
    main()
