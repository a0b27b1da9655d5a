"""Frozen evaluation harness for tiny-lm.

Run as `python <harness>/evaluate.py` with the training workspace as the working directory.

Environment:
  GROUNDWORK_CHECKPOINT_DIR  folder with checkpoint.pt (and train_log.json) written by train.py
  GROUNDWORK_OUT             folder where result.json is written
  GROUNDWORK_HARNESS         this folder (holds val.txt); defaults to the script's folder
  TINY_LM_THREADS            torch CPU threads (default 2)
  TINY_LM_EVAL_CHARS         score only this many characters (the smoke profile's shortcut;
                             unset = the whole held-out text, as every real run does)

It rebuilds the model from the workspace's model.py and the config saved with the weights,
then measures the mean per-character cross-entropy (nats) on the held-out text val.txt.

Scoring is fixed by this file, whatever the training code does: the first SCORE_FROM
characters of val.txt are context only; every later character is scored exactly once,
predicted from at least CONTEXT // 2 preceding characters (windows of CONTEXT characters
with stride CONTEXT // 2; the first window scores all its positions from SCORE_FROM on).
A model whose block_size is shorter than CONTEXT is evaluated with its own block_size
(the same characters are scored, with less context) and `eval_context` says so.

A causality probe then checks that changing later characters does not change the
model's outputs at earlier positions.

The workspace's model.py runs inside this process, so the harness trusts it with nothing but
the forward pass: every batch, its perturbed twin and its targets are built before model.py is
imported; model.py is loaded from its source file (no planted bytecode or extension module);
logits are taken out through torch's C-level tensor methods and scored with NumPy, whose array
methods cannot be replaced; the functions used after the import are bound before it; the
causality probe runs on every scored batch (each batch again with the characters after a random
cut changed, the two in random order), so a model cannot behave only while probed; any
exception from model code, SystemExit included, fails the run; and the result is written only after every process the model code started is killed and this
process, with every thread, is replaced by a fresh writer (seal.py), so neither exit hooks nor
threads nor detached processes can rewrite it.
"""

import json
import math
import os
import sys

THREADS = os.environ.get("TINY_LM_THREADS", "").strip()
THREADS = THREADS if THREADS.isdigit() and int(THREADS) > 0 else "2"
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import importlib.util  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import seal  # noqa: E402  (this harness folder: sys.path[0])

# Bound before any workspace code runs (see the docstring).
_TensorBase = getattr(torch._C, "TensorBase", None) or torch._C._TensorBase
_detach, _cpu, _double, _numpy = _TensorBase.detach, _TensorBase.cpu, _TensorBase.double, _TensorBase.numpy
_no_grad = torch.no_grad
_np_exp, _np_log, _np_abs, _np_arange = np.exp, np.log, np.abs, np.arange
_json_dumps = json.dumps
_write_and_exit = seal.write_and_exit
_makedirs = os.makedirs
_exit = os._exit
_print = print
_isfinite = math.isfinite
_float, _int, _isinstance, _len, _range, _zip = float, int, isinstance, len, range, zip
_repr, _tuple = repr, tuple

CONTEXT = 64  # harness context length (characters)
SCORE_FROM = 64  # characters of val.txt used only as context
BATCH = 128  # windows per forward pass (does not change the result)
PROBE_TOLERANCE = 1e-4


def fail(message: str) -> None:
    _print(f"evaluate.py: {message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    _exit(1)


def write_result(out_dir: str, result: dict) -> None:
    """Writes the result once everything the model code started is gone, and ends this process (see seal.py)."""
    _makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "result.json")
    text = _json_dumps(result, allow_nan=False, indent=1)
    _print(f"evaluate.py: writing {path}: metric={result.get('metric')}", flush=True)
    sys.stderr.flush()
    _write_and_exit(path, text)
    _exit(1)  # only reached if the writer could not be started


def finite_or_none(value):
    return value if isinstance(value, (int, float)) and _isfinite(value) else None


def load_checkpoint(path: str) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch without the weights_only argument
        return torch.load(path, map_location="cpu")
    except Exception:  # noqa: BLE001 - objects the safe loader refuses; model.py runs as code anyway
        return torch.load(path, map_location="cpu", weights_only=False)


def logits_array(output, rows: int, length: int, vocab_size: int):
    """The model's logits as a float64 NumPy array, taken out through torch's C-level methods."""
    if _isinstance(output, (_tuple, list)) and _len(output) > 0:
        output = output[0]
    if not _isinstance(output, _TensorBase):
        raise ValueError(f"model returned {_repr(type(output))}, not a tensor of logits")
    logits = _numpy(_double(_cpu(_detach(output))))
    if logits.ndim != 3 or logits.shape[0] != rows or logits.shape[1] != length or logits.shape[2] < vocab_size:
        raise ValueError(f"model returned logits of shape {_tuple(logits.shape)} for input {(rows, length)}")
    return logits


def windows(n: int, context: int):
    """(start, first scored offset inside the window) for windows covering characters SCORE_FROM..n-1."""
    stride = max(1, context // 2)
    spans = []
    target = SCORE_FROM  # next character (index into the text) still to be scored
    while target < n:
        end = min(n, target + stride)  # score characters target..end-1
        start = max(0, end - context)
        spans.append((start, target - start, end - start))
        target = end
    return spans


def prepare_batches(tokens, context: int, vocab_size: int, limit: int = 0):
    """Every scored batch, its probe twin (characters after a random cut per row changed) and its targets.

    Built before any model code runs. Windows are left-aligned; shorter ones (only possible at the
    text's end) are padded on the right, and padding is never scored.
    """
    n = len(tokens) if limit <= 0 else min(len(tokens), SCORE_FROM + limit)
    spans = windows(n, context)
    rng = np.random.default_rng(1234)
    batches = []
    for first in range(0, len(spans), BATCH):
        group = spans[first : first + BATCH]
        length = max(stop for _, _, stop in group)
        idx = np.zeros((len(group), length), dtype=np.int64)
        scored = []
        for row, (start, lo, stop) in enumerate(group):
            idx[row, :stop] = tokens[start : start + stop]
            # position p predicts the character at start + p + 1
            scored.append((row, np.arange(lo - 1, stop - 1), np.asarray(tokens[start + lo : start + stop])))
        cuts = rng.integers(1, length, size=len(group))
        changed = idx.copy()
        for row, cut in enumerate(cuts):
            shift = rng.integers(1, vocab_size, size=length - cut)
            changed[row, cut:] = (changed[row, cut:] + shift) % vocab_size
        batches.append(
            {
                "idx": torch.from_numpy(idx),
                "changed": torch.from_numpy(changed),
                "cuts": cuts,
                "scored": scored,
                "probe_first": bool(rng.integers(0, 2)),
            }
        )
    return batches, len(spans)


def validation_loss(model, batches, vocab_size: int):
    """(mean nats per scored character, characters scored, causality message or None)."""
    total, count, worst = 0.0, 0, 0.0
    for batch in batches:
        rows, length = batch["idx"].shape
        if batch["probe_first"]:
            probe = logits_array(model(batch["changed"]), rows, length, vocab_size)
            logits = logits_array(model(batch["idx"]), rows, length, vocab_size)
        else:
            logits = logits_array(model(batch["idx"]), rows, length, vocab_size)
            probe = logits_array(model(batch["changed"]), rows, length, vocab_size)
        for row, cut in _zip(_range(rows), batch["cuts"]):
            diff = _float(_np_abs(probe[row, :cut] - logits[row, :cut]).max())
            if not _isfinite(diff) or diff > worst:
                worst = diff if _isfinite(diff) else _float("inf")
        peak = logits.max(axis=-1, keepdims=True)
        log_norm = peak[..., 0] + _np_log(_np_exp(logits - peak).sum(axis=-1))
        for row, positions, targets in batch["scored"]:
            total += _float((log_norm[row, positions] - logits[row, positions, targets]).sum())
            count += _len(targets)
    message = None
    if worst > PROBE_TOLERANCE:
        message = (
            f"changing later characters changed the logits at earlier positions by up to {worst:.3g} "
            f"(tolerance {PROBE_TOLERANCE}); the model can see the future"
        )
    return total / count, count, message


def load_model_module(workspace: str):
    """model.py from its source, with bytecode looked up only in a fresh folder (nothing training planted)."""
    sys.pycache_prefix = tempfile.mkdtemp(prefix="tiny-lm-pycache-")
    spec = importlib.util.spec_from_file_location("model", os.path.join(workspace, "model.py"))
    if spec is None or spec.loader is None:
        fail("cannot load model.py from the workspace")
    module = importlib.util.module_from_spec(spec)
    sys.modules["model"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    seal.adopt_orphans()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    out_dir = os.environ.get("GROUNDWORK_OUT", "").strip()
    harness_dir = os.environ.get("GROUNDWORK_HARNESS", "").strip() or os.path.dirname(os.path.abspath(__file__))
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
    torch.set_num_threads(int(THREADS))
    torch.manual_seed(0)
    workspace = os.getcwd()
    # The held-out text is read before any workspace code runs.
    with open(os.path.join(workspace, "data", "vocab.json"), encoding="utf-8") as handle:
        vocab = json.load(handle)
    stoi = {ch: i for i, ch in enumerate(vocab["chars"])}
    fallback = stoi[vocab["fallback"]]
    vocab_size = len(vocab["chars"])
    with open(os.path.join(harness_dir, "val.txt"), encoding="utf-8") as handle:
        tokens = torch.tensor([stoi.get(ch, fallback) for ch in handle.read()], dtype=torch.long)

    train_log = {}
    log_path = os.path.join(checkpoint_dir, "train_log.json")
    if os.path.isfile(log_path):
        try:
            with open(log_path, encoding="utf-8") as handle:
                train_log = json.load(handle)
        except (OSError, ValueError):
            train_log = {}
    curve = []
    for point in train_log.get("curve", []) if isinstance(train_log, dict) else []:
        if isinstance(point, (list, tuple)) and len(point) == 2 and isinstance(point[0], (int, float)):
            curve.append([point[0], finite_or_none(point[1])])
    final = finite_or_none(train_log.get("train_loss_final")) if isinstance(train_log, dict) else None
    checkpoint = load_checkpoint(checkpoint_path)
    if not isinstance(checkpoint, dict) or "config" not in checkpoint or "model" not in checkpoint:
        fail(f"{checkpoint_path} does not hold {{'config': ..., 'model': state_dict}}")
    saved = checkpoint["config"]
    settings = json.loads(saved) if isinstance(saved, str) else saved
    if not isinstance(settings, dict):
        fail(f"{checkpoint_path}: config is not a mapping")
    block_size = int(settings.get("block_size", CONTEXT))
    context = min(CONTEXT, block_size)
    if context < 2:
        fail(f"model block_size {block_size} is too short to evaluate")
    if int(settings.get("vocab_size", vocab_size)) < vocab_size:
        fail(f"model vocab_size {settings['vocab_size']} is smaller than the vocabulary ({vocab_size})")
    batches, n_windows = prepare_batches(tokens.tolist(), context, vocab_size, eval_limit)

    # From here on, workspace code runs in this process. It is not told where the result goes.
    for name in ("GROUNDWORK_OUT", "GROUNDWORK_HARNESS", "GROUNDWORK_EVAL_DATA"):
        os.environ.pop(name, None)
    try:
        module = load_model_module(workspace)
        model = module.GPT(module.GPTConfig(**settings))
        model.load_state_dict(checkpoint["model"])
        model.eval()
        params = _int(sum(p.numel() for p in model.parameters()))
        with _no_grad():
            loss, scored, probe = validation_loss(model, batches, vocab_size)
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from model code included
        fail(f"evaluating the model failed: {type(error).__name__}: {error}")
    if not _isfinite(loss):
        write_result(out_dir, {"metric": None, "metrics": {}, "error": "non-finite validation loss", "curve": curve})

    metrics = {
        "val_loss": loss,
        "val_bpc": loss / math.log(2),
        "params": params,
        "eval_context": context,
        "eval_chars": scored,
        "eval_windows": n_windows,
    }
    if final is not None:
        metrics["train_loss_final"] = final
    result = {"metric": loss, "metrics": metrics, "curve": curve}
    notes = []
    if context < CONTEXT:
        notes.append(f"model block_size {block_size} < harness context {CONTEXT}: evaluated with context {context}")
    if eval_limit > 0:
        notes.append(f"TINY_LM_EVAL_CHARS={eval_limit}: scored {scored} characters, not the whole held-out text")
    if notes:
        result["note"] = "; ".join(notes)
    if probe:
        result["suspicious"] = f"causality probe: {probe}"
    write_result(out_dir, result)


if __name__ == "__main__":
    main()
