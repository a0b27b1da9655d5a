"""Frozen launcher for nanogpt: start train.py on every visible GPU and hold it to the wall-clock budget.

The budget is NANOGPT_TRAIN_SECONDS (default 1500, the paper's 25 minutes), counted from the moment this
launcher starts, so imports, data loading and torch.compile all count. train.py receives the deadline as
NANOGPT_DEADLINE (unix time) and must stop training and save its checkpoint by then; a process still
running NANOGPT_GRACE_SECONDS (default 120) after the deadline is stopped and the run fails. The
executor's time limit (the manifest's timeLimitSec) is the last backstop.

With more than one visible GPU, train.py runs under `torch.distributed.run --standalone`, one process per
GPU; otherwise as one plain process. After it exits, launch.json in GROUNDWORK_CHECKPOINT_DIR records the
budget and the wall-clock time this launcher measured, for the evaluation harness to report.
"""

import json
import os
import signal
import subprocess
import sys
import time

STOP_WAIT_SECONDS = 15  # between SIGTERM and SIGKILL when the grace period is over


def seconds_from_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        sys.exit(f"launch.py: {name} must be a number of seconds, got {value!r}")
    if seconds <= 0:
        sys.exit(f"launch.py: {name} must be positive, got {value!r}")
    return seconds


def visible_gpus() -> int:
    """GPUs this job may use: none when CUDA_VISIBLE_DEVICES is empty, else what torch can see."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None and not [part for part in listed.split(",") if part.strip()]:
        return 0
    try:
        import torch
    except ImportError:
        sys.exit("launch.py: PyTorch is not installed for this interpreter")
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def training_command(gpus: int) -> list:
    if gpus > 1:
        return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={gpus}", "train.py"]
    return [sys.executable, "train.py"]


def stop(child: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it lingers (torchrun passes SIGTERM on to its workers)."""
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def record(checkpoint_dir: str, facts: dict) -> None:
    try:
        os.makedirs(checkpoint_dir, exist_ok=True)
        path = os.path.join(checkpoint_dir, "launch.json")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(facts, handle)
        os.replace(path + ".tmp", path)
    except OSError as error:
        print(f"launch.py: could not write launch.json: {error}", file=sys.stderr)


def main() -> int:
    started = time.time()
    budget = seconds_from_env("NANOGPT_TRAIN_SECONDS", 1500.0)
    grace = seconds_from_env("NANOGPT_GRACE_SECONDS", 120.0)
    checkpoint_dir = os.environ.get("GROUNDWORK_CHECKPOINT_DIR", "").strip()
    if not checkpoint_dir:
        sys.exit("launch.py: GROUNDWORK_CHECKPOINT_DIR is not set; it names the folder for the checkpoint")
    gpus = visible_gpus()
    deadline = started + budget
    env = dict(os.environ, NANOGPT_DEADLINE=f"{deadline:.3f}", NANOGPT_TRAIN_SECONDS=f"{budget:g}")
    command = training_command(gpus)
    print(f"launch.py: {gpus} GPU(s), budget {budget:g} s (+{grace:g} s grace to save): {' '.join(command)}", flush=True)

    child = subprocess.Popen(command, env=env)
    overran = False
    try:
        code = child.wait(timeout=max(0.0, deadline + grace - time.time()))
    except subprocess.TimeoutExpired:
        overran = True
        stop(child)
        code = child.returncode
    except KeyboardInterrupt:
        stop(child)
        raise
    seconds = time.time() - started
    record(
        checkpoint_dir,
        {"budget_seconds": budget, "grace_seconds": grace, "gpus": gpus, "seconds": round(seconds, 2), "exit_code": code, "overran": overran},
    )
    if overran:
        print(
            f"launch.py: train.py was still running {grace:g} s after its {budget:g} s wall-clock budget ended, so it was "
            "stopped. Training must stop itself at NANOGPT_DEADLINE and save its checkpoint within the grace period.",
            file=sys.stderr,
            flush=True,
        )
        return 3
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
