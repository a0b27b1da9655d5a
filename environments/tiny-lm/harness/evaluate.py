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

The workspace's model.py runs inside this process, so everything the scoring and the result
writing use is captured before it is imported (a model module that replaces torch.log_softmax
or json.dump changes nothing here), and the process ends with os._exit right after the result
is written, so exit hooks and threads it started cannot rewrite the result.
"""

import json
import math
import os
import sys

THREADS = os.environ.get("TINY_LM_THREADS", "").strip()
THREADS = THREADS if THREADS.isdigit() and int(THREADS) > 0 else "2"
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

# Captured before any workspace code runs (see the docstring).
_log_softmax = torch.log_softmax
_json_dump = json.dump
_open = open
_replace = os.replace
_makedirs = os.makedirs
_exit = os._exit
_print = print
_isfinite = math.isfinite

CONTEXT = 64  # harness context length (characters)
SCORE_FROM = 64  # characters of val.txt used only as context
BATCH = 128  # windows per forward pass (does not change the result)
PROBE_TOLERANCE = 1e-4


def fail(message: str) -> None:
    _print(f"evaluate.py: {message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    _exit(1)


def write_result(out_dir: str, result: dict) -> None:
    """Writes the result and ends the process at once: nothing the model code left behind runs after this."""
    _makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "result.json")
    tmp = path + ".tmp"
    with _open(tmp, "w", encoding="utf-8") as handle:
        _json_dump(result, handle, allow_nan=False, indent=1)
    _replace(tmp, path)
    _print(f"evaluate.py: wrote {path}: metric={result.get('metric')}", flush=True)
    sys.stderr.flush()
    _exit(0)


def finite_or_none(value):
    return value if isinstance(value, (int, float)) and _isfinite(value) else None


def load_checkpoint(path: str) -> dict:
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch without the weights_only argument
        return torch.load(path, map_location="cpu")
    except Exception:  # noqa: BLE001 - objects the safe loader refuses; model.py runs as code anyway
        return torch.load(path, map_location="cpu", weights_only=False)


def logits_of(model, idx: torch.Tensor) -> torch.Tensor:
    out = model(idx)
    return out[0] if isinstance(out, (tuple, list)) else out


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


def validation_loss(model, tokens: torch.Tensor, context: int, vocab_size: int, limit: int = 0):
    n = tokens.numel() if limit <= 0 else min(tokens.numel(), SCORE_FROM + limit)
    spans = windows(n, context)
    total, count = 0.0, 0
    for first in range(0, len(spans), BATCH):
        group = spans[first : first + BATCH]
        length = max(stop for _, _, stop in group)
        # Windows are left-aligned; shorter ones (only possible at the text's end) are padded
        # on the right, and padding is never scored, so causality keeps it harmless.
        idx = torch.zeros((len(group), length), dtype=torch.long)
        for row, (start, _, stop) in enumerate(group):
            idx[row, :stop] = tokens[start : start + stop]
        logits = logits_of(model, idx)
        if logits.dim() != 3 or logits.shape[0] != len(group) or logits.shape[1] != length or logits.shape[2] < vocab_size:
            raise ValueError(f"model returned logits of shape {tuple(logits.shape)} for input {tuple(idx.shape)}")
        logp = _log_softmax(logits.double(), dim=-1)
        for row, (start, lo, stop) in enumerate(group):
            # position p predicts the character at start + p + 1
            positions = torch.arange(lo - 1, stop - 1)
            targets = tokens[start + lo : start + stop]
            total += -logp[row, positions, targets].sum().item()
            count += targets.numel()
    return total / count, count, len(spans)


def causality_probe(model, tokens: torch.Tensor, context: int, vocab_size: int):
    """None if fine, else a message. Perturbs later positions and compares earlier logits."""
    gen = torch.Generator().manual_seed(1234)
    starts = torch.randint(0, tokens.numel() - context, (4,), generator=gen).tolist()
    base = torch.stack([tokens[s : s + context] for s in starts])
    reference = logits_of(model, base).double()
    for cut in sorted({context - 1, context - context // 4, context // 2}):
        changed = base.clone()
        changed[:, cut:] = (changed[:, cut:] + 1 + torch.randint(0, vocab_size - 1, changed[:, cut:].shape, generator=gen)) % vocab_size
        probe = logits_of(model, changed).double()
        diff = (probe[:, :cut] - reference[:, :cut]).abs().max().item()
        if not _isfinite(diff) or diff > PROBE_TOLERANCE:
            return (
                f"changing the characters from position {cut} on changed the logits at earlier positions "
                f"by up to {diff:.3g} (tolerance {PROBE_TOLERANCE}); the model can see the future"
            )
    return None


def main() -> None:
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

    sys.path.insert(0, workspace)
    from model import GPT, GPTConfig  # the workspace's (possibly edited) model

    checkpoint = load_checkpoint(checkpoint_path)
    if not isinstance(checkpoint, dict) or "config" not in checkpoint or "model" not in checkpoint:
        fail(f"{checkpoint_path} does not hold {{'config': ..., 'model': state_dict}}")
    saved = checkpoint["config"]
    config = GPTConfig(**(json.loads(saved) if isinstance(saved, str) else saved))
    if getattr(config, "vocab_size", vocab_size) < vocab_size:
        fail(f"model vocab_size {config.vocab_size} is smaller than the vocabulary ({vocab_size})")
    model = GPT(config)
    model.load_state_dict(checkpoint["model"])
    model.eval()
    params = sum(p.numel() for p in model.parameters())

    block_size = int(getattr(config, "block_size", CONTEXT))
    context = min(CONTEXT, block_size)
    if context < 2:
        fail(f"model block_size {block_size} is too short to evaluate")

    train_log = {}
    log_path = os.path.join(checkpoint_dir, "train_log.json")
    if os.path.isfile(log_path):
        try:
            with _open(log_path, encoding="utf-8") as handle:
                train_log = json.load(handle)
        except (OSError, ValueError):
            train_log = {}
    curve = []
    for point in train_log.get("curve", []) if isinstance(train_log, dict) else []:
        if isinstance(point, (list, tuple)) and len(point) == 2 and isinstance(point[0], (int, float)):
            curve.append([point[0], finite_or_none(point[1])])

    with torch.no_grad():
        loss, scored, n_windows = validation_loss(model, tokens, context, vocab_size, eval_limit)
        if not _isfinite(loss):
            write_result(out_dir, {"metric": None, "metrics": {}, "error": "non-finite validation loss", "curve": curve})
            return
        probe = causality_probe(model, tokens, context, vocab_size)

    metrics = {
        "val_loss": loss,
        "val_bpc": loss / math.log(2),
        "params": params,
        "eval_context": context,
        "eval_chars": scored,
        "eval_windows": n_windows,
    }
    final = finite_or_none(train_log.get("train_loss_final")) if isinstance(train_log, dict) else None
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
