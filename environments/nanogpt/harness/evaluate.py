"""Frozen evaluation harness for nanogpt: validation loss of the trained checkpoint, and a causality check.

Run as `python <harness>/evaluate.py` with the training workspace as the working directory.

Environment:
  GROUNDWORK_CHECKPOINT_DIR  folder with checkpoint.pt written by train.py (and train_log.json, launch.json)
  GROUNDWORK_OUT             folder where result.json is written
  GROUNDWORK_EVAL_DATA       folder of validation *.bin shards (see the workspace's token_data.py)
  NANOGPT_SYNTHETIC=1        score token_data's synthetic stream instead (the smoke profile)
  NANOGPT_EVAL_TOKENS        tokens to score (default EVAL_TOKENS; only the smoke profile lowers it)
  NANOGPT_THREADS            torch CPU threads (default 2)

Measurement (fixed here, whatever the training code does): the first EVAL_TOKENS tokens of the validation
stream, cut into windows of min(EVAL_SEQ_LEN, block_size) tokens, EVAL_BATCH windows per forward pass,
in float32 (TF32 matmuls on GPUs), on one device. The metric is the mean cross-entropy in nats per token.
scoring.py explains the windows and the causality check that runs on every batch; a model that sees future
tokens gets a result marked suspicious.

Against tampering by model code, which runs in this process: everything the measurement and the result
writing need is bound before model.py is imported, the validation batches are built before it too, the
data paths are removed from the environment, model.py and the frozen token_data.py are loaded by path
(never from bytecode the training step could have left), and result.json is written only after every
process the model code started is killed, by a fresh process that replaces this one and all its threads
(seal.py), so neither exit hooks nor threads nor detached processes can write after it.
"""

import importlib.util
import sys
import tempfile
import traceback
from builtins import BaseException, Exception, bool, dict, float, int, isinstance, len, list, min, open, print, round, str, sum
from json import loads
from math import isfinite
from os import _exit, environ, getcwd, makedirs
from os.path import isfile, join

THREADS = environ.get("NANOGPT_THREADS", "").strip()
THREADS = THREADS if THREADS.isdigit() and int(THREADS) > 0 else "2"
# Debian's CPU torch calls the system BLAS (OpenBLAS), which has threads of its own.
environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import result_file  # noqa: E402
import scoring  # noqa: E402
import seal  # noqa: E402

write_and_exit = seal.write_and_exit

EVAL_TOKENS = 10_485_760  # the paper's val_tokens: 10 * 1024 * 1024
EVAL_SEQ_LEN = 1024
EVAL_BATCH = 16
PROBE_SEED = 20260120
PROBE_TOLERANCE = 1e-3  # largest allowed change of a logit before the cut

stdout, stderr = sys.stdout, sys.stderr
torch_load = torch.load
cuda_available = torch.cuda.is_available


def finish(code: int) -> None:
    stdout.flush()
    stderr.flush()
    _exit(code)


def fail(message: str) -> None:
    print(f"evaluate.py: {message}", file=stderr)
    finish(1)


def load_source(name: str, path: str):
    """Import the module at `path` from its source, under `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_checkpoint(path: str) -> dict:
    try:
        return torch_load(path, map_location="cpu", weights_only=True)
    except TypeError:  # a torch without the weights_only argument
        return torch_load(path, map_location="cpu")


def read_json(path: str) -> dict:
    if not isfile(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            value = loads(handle.read())
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
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        fail(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def main() -> None:
    seal.adopt_orphans()
    checkpoint_dir = environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    out_dir = environ.get("GROUNDWORK_OUT", "").strip()
    synthetic = environ.get("NANOGPT_SYNTHETIC", "") == "1"
    eval_data = environ.get("GROUNDWORK_EVAL_DATA", "").strip()
    eval_tokens = positive_int_env("NANOGPT_EVAL_TOKENS", EVAL_TOKENS)
    if not checkpoint_dir:
        fail("GROUNDWORK_CHECKPOINT_DIR is not set")
    if not out_dir:
        fail("GROUNDWORK_OUT is not set")
    if not synthetic and not eval_data:
        fail(
            "GROUNDWORK_EVAL_DATA is not set: the manifest's data.evaluate names the validation shards "
            "(prepare them with prepare_data.py, see README.md), or set NANOGPT_SYNTHETIC=1"
        )
    checkpoint_path = join(checkpoint_dir, "checkpoint.pt")
    if not isfile(checkpoint_path):
        fail(f"no checkpoint at {checkpoint_path}: training wrote none")
    makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(int(THREADS))
    device = torch.device("cuda:0" if cuda_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    # Modules from the workspace are read from their source only: no .pyc a training step planted is used.
    sys.dont_write_bytecode = True
    sys.pycache_prefix = tempfile.mkdtemp(prefix="nanogpt-harness-pycache-")
    workspace = getcwd()
    token_data = load_source("token_data", join(workspace, "token_data.py"))

    try:
        checkpoint = load_checkpoint(checkpoint_path)
    except Exception as error:  # noqa: BLE001 - any unreadable checkpoint is the training step's failure
        fail(f"cannot load {checkpoint_path}: {error}")
    if not isinstance(checkpoint, dict) or "config" not in checkpoint or "model" not in checkpoint:
        fail(f"{checkpoint_path} does not hold {{'config': JSON text, 'model': state_dict}}")
    saved = checkpoint["config"]
    saved = loads(saved) if isinstance(saved, str) else saved
    if not isinstance(saved, dict):
        fail("the checkpoint's config is not a JSON object")
    block_size = saved.get("block_size", EVAL_SEQ_LEN)
    if not isinstance(block_size, int) or block_size < 2:
        fail(f"the checkpoint's block_size {block_size!r} is not an integer of at least 2")
    seq_len = min(EVAL_SEQ_LEN, block_size)
    windows = eval_tokens // seq_len
    try:
        if synthetic:
            tokens = token_data.synthetic_tokens(windows * seq_len + 1, token_data.VALIDATION_STREAM_SEED)
        else:
            tokens = token_data.read_tokens(eval_data, windows * seq_len + 1)
        plan = scoring.Plan(tokens, seq_len, EVAL_BATCH, PROBE_SEED)
    except (OSError, ValueError) as error:
        fail(f"cannot read the validation tokens: {error}")
    vocab = int(tokens.max()) + 1  # the logits must cover every token scored (50257 for GPT-2 ids)
    if saved.get("vocab_size", vocab) < vocab:
        fail(f"the model's vocab_size {saved.get('vocab_size')} does not cover the validation tokens (ids up to {vocab - 1})")
    train_log = read_json(join(checkpoint_dir, "train_log.json"))
    launch = read_json(join(checkpoint_dir, "launch.json"))
    entropy_floor = round(token_data.synthetic_entropy(), 4) if synthetic else None

    # From here on, code from the workspace runs in this process.
    for name in ("GROUNDWORK_EVAL_DATA", "GROUNDWORK_OUT", "GROUNDWORK_HARNESS", "GROUNDWORK_CHECKPOINT_DIR"):
        environ.pop(name, None)
    sys.path.insert(0, workspace)
    try:
        model_module = load_source("model", join(workspace, "model.py"))
        model = model_module.GPT(model_module.GPTConfig(**saved))
        model.load_state_dict(checkpoint["model"])
        model.to(device)
        model.eval()
        params = int(sum(p.numel() for p in model.parameters()))
        score = scoring.evaluate(model, plan, device, vocab, PROBE_TOLERANCE)
    except BaseException:  # noqa: BLE001 - SystemExit too: exiting normally would run exit hooks model code registered
        traceback.print_exc(file=stderr)
        fail("the model failed during evaluation (traceback above)")

    metrics = {
        "val_loss": score.loss_sum / score.tokens if score.tokens else None,
        "tokens": score.tokens,
        "eval_seq_len": seq_len,
        "params": params,
        "probe_max_diff": number(score.probe_max_diff),
        "train_seconds": number(launch.get("seconds")),
        "train_budget_seconds": number(launch.get("budget_seconds")),
        "train_steps": number(train_log.get("steps")),
        "train_tokens": number(train_log.get("train_tokens")),
        "train_tokens_per_second": number(train_log.get("tokens_per_second")),
        "train_mfu": number(train_log.get("mfu")),
    }
    metrics = {name: value for name, value in metrics.items() if value is not None}
    result = {"metric": None if score.non_finite else metrics.get("val_loss"), "metrics": metrics, "curve": curve_of(train_log)}
    notes = []
    if score.non_finite:
        result["error"] = f"the validation loss is not finite (batch {score.batches + 1})"
    if score.causality:
        result["suspicious"] = score.causality
    if seq_len < EVAL_SEQ_LEN:
        notes.append(f"model block_size {block_size} < {EVAL_SEQ_LEN}: scored with windows of {seq_len} tokens")
    if eval_tokens != EVAL_TOKENS:
        notes.append(f"NANOGPT_EVAL_TOKENS={eval_tokens}: scored {score.tokens} tokens, not {EVAL_TOKENS}")
    if synthetic:
        notes.append(f"synthetic tokens (entropy floor {entropy_floor} nats)")
    if notes:
        result["note"] = "; ".join(notes)
    # Written once every process the model code started is killed, by a fresh process that replaces this one
    # and all its threads (seal.py).
    text = result_file.to_json(result) + "\n"
    path = join(out_dir, "result.json")
    print(f"evaluate.py: writing {path}: metric={result['metric']}", file=stdout)
    stdout.flush()
    stderr.flush()
    write_and_exit(path, text)
    finish(1)  # only reached if the writer could not be started


if __name__ == "__main__":
    main()
