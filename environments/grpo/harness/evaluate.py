"""Frozen evaluation of the GRPO environment: greedy answers of the trained policy to held-out problems, graded exactly.

Run as `python <harness>/evaluate.py` with the training workspace as the working directory; nothing from the
workspace runs in this process: the checkpoint is loaded and decoded by a confined policy worker (policy_worker.py,
started through sealed_eval.py) that gets the prompts and returns the responses; the answers stay here, and the
frozen grader (grader.py) scores the responses in this process.

Environment:
  GROUNDWORK_CHECKPOINT_DIR  the trained policy (Hugging Face Qwen2 folder) and train_log.json
  GROUNDWORK_OUT             where result.json and responses.jsonl are written
  GROUNDWORK_EVAL_DATA       MATH task: folder with math500.jsonl, tokenizer/ and base_config.json (fetch.py)
  GROUNDWORK_HARNESS         the run's copy of this folder; its held-out problems (smoke_eval.jsonl) are deleted
                             once read (unset: nothing is deleted)
  GRPO_TASK                  math (default) or arithmetic (the smoke profile: harness/smoke_eval.jsonl)
  GRPO_THREADS               CPU threads for the smoke model (default 2)
  GRPO_EVAL_BACKEND          MATH task only: vllm or transformers (default: vllm when importable with a GPU)

result.json: {"metric": accuracy, "metrics": {accuracy, n, correct, format_rate, mean_response_tokens, ...},
"curve": [[step, mean training reward], ...] (from train_log.json)}, written only after the worker and everything it
started are killed, by a fresh process that replaces this one (seal.py).
"""

import json
import math
import os
import sys
import time

# Captured before any other module loads, so nothing imported later can swap out how the result is written.
_json_dumps = json.dumps
_open = open
_makedirs = os.makedirs
_exit = os._exit
_print = print

HARNESS = os.path.dirname(os.path.abspath(__file__))
# Only the harness and the interpreter's own paths: never the workspace (the working directory).
sys.path[:] = [HARNESS] + [path for path in sys.path if path not in ("", ".", os.getcwd(), HARNESS)]

THREADS = os.environ.get("GRPO_THREADS", "").strip()
THREADS = THREADS if THREADS.isdigit() and int(THREADS) > 0 else "2"
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import seal  # noqa: E402
import sealed_eval  # noqa: E402
from checkpoint import CheckpointError, prepare_checkpoint  # noqa: E402
from grader import grade  # noqa: E402
from prompts import build_prompt  # noqa: E402
from sampling import EVAL_SAMPLING  # noqa: E402

WORKER = os.path.join(HARNESS, "policy_worker.py")

TASKS = ("math", "arithmetic")


def fail(message: str) -> None:
    _print(f"evaluate.py: {message}", file=sys.stderr, flush=True)
    _exit(1)


def read_jsonl(path: str) -> list:
    rows = []
    with _open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row.get("problem"), str) or not isinstance(row.get("answer"), str):
                fail(f"{path}:{number} needs string fields 'problem' and 'answer'")
            rows.append(row)
    return rows


def problems_path(task: str, eval_data: str, harness_dir: str) -> str:
    if task == "arithmetic":
        return os.path.join(harness_dir, "smoke_eval.jsonl")
    if not eval_data:
        fail("GROUNDWORK_EVAL_DATA is not set; the MATH task evaluates on <data>/grpo/evaluate (see fetch.py)")
    path = os.path.join(eval_data, "math500.jsonl")
    if not os.path.isfile(path):
        fail(f"no {path}; prepare the data with: python3 environments/grpo/fetch.py")
    return path


def training_curve(checkpoint_dir: str) -> list:
    """[[step, mean training reward], ...] from train_log.json; anything malformed is left out."""
    try:
        with _open(os.path.join(checkpoint_dir, "train_log.json"), encoding="utf-8") as handle:
            log = json.load(handle)
    except (OSError, ValueError):
        return []
    curve = []
    for point in log.get("curve", []) if isinstance(log, dict) else []:
        if (
            isinstance(point, (list, tuple))
            and len(point) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in point)
        ):
            curve.append([point[0], point[1]])
    return curve


def write_outputs(out_dir: str, result: dict, responses: list) -> None:
    """Called once every worker process is dead; result.json comes last, from a fresh process (seal.py)."""
    _makedirs(out_dir, exist_ok=True)
    with _open(os.path.join(out_dir, "responses.jsonl"), "w", encoding="utf-8") as handle:
        for row in responses:
            handle.write(_json_dumps(row) + "\n")
    path = os.path.join(out_dir, "result.json")
    _print(f"evaluate.py: writing {path}: accuracy={result['metric']}", flush=True)
    sys.stderr.flush()
    seal.write_and_exit(path, _json_dumps(result, allow_nan=False, indent=1))
    _exit(1)  # only reached if the writer could not be started


def decode(setup: dict, prompts: list) -> tuple:
    """(responses, backend, generated tokens, seconds) from a confined policy worker, killed before this returns."""
    env = {"OPENBLAS_NUM_THREADS": THREADS, "OMP_WAIT_POLICY": "PASSIVE"}
    if os.environ.get("GRPO_EVAL_BACKEND", "").strip():
        env["GRPO_EVAL_BACKEND"] = os.environ["GRPO_EVAL_BACKEND"].strip()
    (worker,) = sealed_eval.start_workers(WORKER, setup, os.getcwd(), 1, env)
    try:
        worker.load()
        started = time.time()
        header, data = worker.call({"op": "generate"}, _json_dumps({"prompts": prompts}).encode("utf-8"), 1 << 30)
        seconds = time.time() - started
        answer = json.loads(data.decode("utf-8"))
        texts, tokens = answer.get("texts"), answer.get("tokens")
        if not isinstance(texts, list) or len(texts) != len(prompts) or not all(isinstance(t, str) for t in texts):
            raise sealed_eval.WorkerError("the policy worker did not return one text per prompt")
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0:
            tokens = 0
        backend = header.get("backend") if isinstance(header.get("backend"), str) else "unknown"
    finally:
        worker.close()
    return texts, backend, tokens, seconds, worker.hello


def main() -> None:
    seal.adopt_orphans()
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    out_dir = os.environ.get("GROUNDWORK_OUT", "").strip()
    eval_data = os.environ.get("GROUNDWORK_EVAL_DATA", "").strip()
    harness_copy = os.environ.get("GROUNDWORK_HARNESS", "").strip()
    harness_dir = harness_copy or HARNESS
    task = os.environ.get("GRPO_TASK", "").strip() or "math"
    if not checkpoint_dir or not out_dir:
        fail("GROUNDWORK_CHECKPOINT_DIR and GROUNDWORK_OUT must be set")
    if task not in TASKS:
        fail(f"GRPO_TASK={task!r}; use one of {', '.join(TASKS)}")

    held_out_path = problems_path(task, eval_data, harness_dir)
    problems = read_jsonl(held_out_path)
    base_config = None
    tokenizer_dir = None
    if task == "math":
        tokenizer_dir = os.path.join(eval_data, "tokenizer")
        base_path = os.path.join(eval_data, "base_config.json")
        if not os.path.isdir(tokenizer_dir) or not os.path.isfile(base_path):
            fail(f"{eval_data} lacks tokenizer/ or base_config.json; prepare the data with environments/grpo/fetch.py")
        with _open(base_path, encoding="utf-8") as handle:
            base_config = json.load(handle)
    scratch = os.path.join(os.environ.get("HOME") or out_dir, "grpo-evaluate")
    try:
        folder, _ = prepare_checkpoint(checkpoint_dir, scratch, allow_pickle=task == "arithmetic", base_config=base_config)
    except CheckpointError as error:
        fail(str(error))

    sampling = EVAL_SAMPLING[task]
    prompts = [build_prompt(task, row["problem"]) for row in problems]
    # The problems and answers are in memory: the run's copy goes, and only the prompts ever reach the worker.
    held_out = sealed_eval.remove_held_out(os.getcwd(), harness_dir) if harness_copy else {"removed": [], "not_removed": []}
    non_dumpable = sealed_eval.seal_process()
    setup = {
        "task": task,
        "workspace": os.getcwd(),
        "checkpoint_dir": checkpoint_dir,
        "policy": folder,
        "tokenizer": tokenizer_dir,
        "sampling": sampling,
        "threads": int(THREADS),
        "denied": sealed_eval.worker_denied(harness_dir, out_dir, [held_out_path]),
    }
    try:
        responses, backend, generated, seconds, hello = decode(setup, prompts)
    except sealed_eval.WorkerError as error:
        fail(f"decoding failed: {error}")

    graded = [grade(response, row["answer"], task) for response, row in zip(responses, problems)]
    n = len(graded)
    correct = sum(1 for g in graded if g["correct"])
    formatted = sum(1 for g in graded if g["formatted"])
    accuracy = correct / n if n else 0.0
    metrics = {
        "accuracy": accuracy,
        "n": n,
        "correct": correct,
        "format_rate": formatted / n if n else 0.0,
        "mean_response_tokens": generated / n if n else 0.0,
        "eval_tokens_per_second": generated / seconds if seconds > 0 else 0.0,
        "eval_seconds": seconds,
    }
    curve = training_curve(checkpoint_dir)
    if curve:
        metrics["train_reward_final"] = curve[-1][1]
    isolation = {"policy_worker": "separate process", "harness_non_dumpable": non_dumpable, **held_out}
    if isinstance(hello, dict) and isinstance(hello.get("isolation"), dict):
        isolation.update(hello["isolation"])
    result = {"metric": accuracy, "metrics": metrics, "curve": curve, "backend": backend, "task": task,
              "isolation": isolation}
    rows = [
        {"problem": row["problem"], "reference": row["answer"], "response": response, "extracted": g["answer"], "formatted": g["formatted"], "correct": g["correct"]}
        for row, response, g in zip(problems, responses, graded)
    ]
    write_outputs(out_dir, result, rows)


if __name__ == "__main__":
    main()
