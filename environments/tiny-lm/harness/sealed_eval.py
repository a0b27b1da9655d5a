"""Sealed evaluation: the frozen harness keeps the held-out data; separate, confined model workers only answer.

The same file in every environment's harness (a test checks they are byte-identical). The evaluating process never
imports the code being evaluated. It reads the held-out data into memory, deletes the run's copy of the held-out
files (`remove_held_out`), makes itself non-dumpable (`seal_process`: a process of the same user can no longer read
its memory, environment or descriptors through /proc), and then starts model workers (`start_workers`): a fresh
interpreter runs the harness's worker script with a minimal environment (no result folder, no data paths), imports
the libraries once and forks one worker per channel, each in its own session, with two pipes to this process as its
only channel. Each worker confines itself (confine.py) and waits, running frozen code only, until `Worker.load`
lets it load the checkpoint and the edited code; it then answers requests the harness sends in an order the harness
chooses. The harness reads nothing the workers write except frames on those pipes (their stdout and stderr go to
the log) and scores the answers itself. `Worker.close()` kills a worker and every process it started (seal.py)
before anything else runs.

Frames, both ways: a 16-byte head (b"GWF1", header length as a big-endian u32, payload length as a big-endian u64),
a JSON header (an object) and a binary payload. A frame longer than the reader allows, or malformed, ends the run.
"""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

import seal

MAGIC = b"GWF1"
HEAD = struct.Struct(">4sIQ")
MAX_HEADER = 1 << 20
_PR_SET_DUMPABLE = 4
# Environment variables a worker inherits (the interpreter, libraries and devices need them); nothing else passes.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "LD_LIBRARY_PATH", "PYTHONPATH", "CUDA_VISIBLE_DEVICES",
              "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "CUDA_HOME", "TZ")


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed frame, or ended."""


class WorkerError(Exception):
    """The model worker failed, answered with an error, or broke the protocol; the message says which."""


def write_frame(fd: int, header: dict, payload: bytes = b"") -> None:
    body = json.dumps(header, separators=(",", ":")).encode("utf-8")
    data = memoryview(HEAD.pack(MAGIC, len(body), len(payload)) + body + bytes(payload))
    while data:
        data = data[os.write(fd, data):]


def read_exactly(fd: int, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 24))
        if not chunk:
            raise ProtocolError(f"the channel closed after {count - left} of {count} bytes")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, max_payload: int) -> tuple:
    """(header, payload) of the next frame; ProtocolError when it is malformed or larger than allowed."""
    magic, header_length, payload_length = HEAD.unpack(read_exactly(fd, HEAD.size))
    if magic != MAGIC:
        raise ProtocolError(f"not a frame (starts with {magic!r})")
    if header_length > MAX_HEADER or payload_length > max_payload:
        raise ProtocolError(f"a frame of {header_length} + {payload_length} bytes is larger than allowed")
    try:
        header = json.loads(read_exactly(fd, header_length).decode("utf-8"))
    except ValueError as error:
        raise ProtocolError(f"the frame header is not JSON: {error}") from None
    if not isinstance(header, dict):
        raise ProtocolError("the frame header is not a JSON object")
    return header, read_exactly(fd, payload_length)


def seal_process() -> bool:
    """Make this process non-dumpable: no same-user reading of /proc/<pid>/mem, environ, fd (Linux)."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _glob_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            char = pattern[i]
            out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else "\\" + char if char in ".+()[]{}^$|\\" else char)
            i += 1
    return "".join(out)


def held_out_files(workspace: str, harness_dir: str) -> list:
    """The files of the harness copy that environment.json's `heldOut` globs name (paths relative to the environment)."""
    import re

    try:
        with open(os.path.join(workspace, "environment.json"), encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return []
    folder = manifest.get("harness") if isinstance(manifest.get("harness"), str) else "harness"
    patterns = [p for p in manifest.get("heldOut", []) if isinstance(p, str)]
    regexes = [re.compile(_glob_regex(p) + "$") for p in patterns]
    found = []
    for root, _, names in os.walk(harness_dir):
        for name in names:
            path = os.path.join(root, name)
            relative = folder + "/" + os.path.relpath(path, harness_dir).replace(os.sep, "/")
            if any(regex.match(relative) for regex in regexes):
                found.append(path)
    return sorted(found)


def remove_held_out(workspace: str, harness_dir: str) -> dict:
    """Delete the held-out files of the run's harness copy (already read into memory); what was removed, what not."""
    removed, kept = [], []
    for path in held_out_files(workspace, harness_dir):
        try:
            os.remove(path)
            removed.append(os.path.basename(path))
        except OSError:
            kept.append(os.path.basename(path))
    return {"removed": removed, "not_removed": kept}


def scratch_parent() -> str:
    """Where workers get their scratch folders: the evaluation's own home (fresh per run) when it is writable."""
    home = os.environ.get("HOME", "")
    return home if home and os.path.isdir(home) and os.access(home, os.W_OK) else tempfile.gettempdir()


class Worker:
    """One model worker (a process forked by the worker script, in its own session): `load` lets it load the model,
    `call` asks it, `close` kills it and everything it started."""

    def __init__(self, to_worker: int, from_worker: int, scratch: str):
        self.to_worker, self.from_worker, self.scratch = to_worker, from_worker, scratch
        self.hello, self.pid = None, None

    def ready(self) -> None:
        """Wait for the worker's first frame (sent by frozen code before any model code): its pid."""
        header = self.call(None, b"", 0, "starting")[0]
        if not isinstance(header.get("pid"), int) or header["pid"] <= 1:
            raise WorkerError("the model worker did not report its pid")
        self.pid = header["pid"]

    def load(self) -> dict:
        """Let the worker load the checkpoint and the model code; its hello (config, parameters, isolation)."""
        self.hello = self.call({"op": "load"}, b"", 1 << 20)[0]
        return self.hello

    def call(self, header, payload: bytes, max_payload: int, doing: str = "answering") -> tuple:
        """Send one request (none if `header` is None) and return the worker's (header, payload); WorkerError when it
        fails or breaks the protocol."""
        try:
            if header is not None:
                write_frame(self.to_worker, header, payload)
            answer, data = read_frame(self.from_worker, max_payload)
        except (OSError, ProtocolError) as error:
            raise WorkerError(f"the model worker stopped {doing}: {error}") from None
        if answer.get("ok") is not True:
            message = answer.get("error")
            raise WorkerError(f"the model worker failed: {message if isinstance(message, str) else 'no reason given'}")
        return answer, data

    def close(self, keep=()) -> None:
        """Kill the worker's session and every process left under this one but the workers in `keep` (seal.py), then
        drop its scratch folder."""
        for fd in (self.to_worker, self.from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self.to_worker = self.from_worker = -1
        if self.pid:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
        seal.kill_descendants(keep=[worker.pid for worker in keep if worker.pid])
        shutil.rmtree(self.scratch, ignore_errors=True)


def start_workers(script: str, setup: dict, cwd: str, count: int, env: dict = None) -> list:
    """Start `count` model workers: one process runs `script` (frozen code: it imports the libraries once) and forks
    them, each in its own session with its own channel (two pipes) and scratch folder. They then wait, running no
    model code, until `load`. The script's stdout goes to stderr (the log); its environment is minimal."""
    base = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    base.update(PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1", PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")
    base.update(env or {})
    workers, theirs = [], []
    for _ in range(count):
        scratch = tempfile.mkdtemp(prefix="model-worker-", dir=scratch_parent())
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        workers.append(Worker(to_write, from_read, scratch))
        theirs.append((to_read, from_write, scratch))
    base.update(HOME=theirs[0][2], TMPDIR=theirs[0][2])
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        subprocess.Popen(
            [sys.executable, "-s", script, str(theirs[0][0])], stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(), cwd=cwd, env=base,
            close_fds=True, pass_fds=[fd for mine in theirs for fd in mine[:2]],
        )
    finally:
        for mine in theirs:
            os.close(mine[0])
            os.close(mine[1])
    channels = [{"in": mine[0], "out": mine[1], "scratch": mine[2]} for mine in theirs]
    try:
        write_frame(workers[0].to_worker, {"op": "setup", "channels": channels, **setup})
        for worker in workers:
            worker.ready()
    except (OSError, WorkerError) as error:
        for worker in workers:
            worker.close()
        raise WorkerError(f"the model workers did not start: {error}") from None
    return workers


def worker_denied(harness_dir: str, out_dir: str, extra=()) -> list:
    """Paths a worker must not read even where they lie inside a folder it may read: the harness copy (the worker
    script's folder, on its import path), the result folder and the evaluation data (`extra`)."""
    return [os.path.abspath(p) for p in (harness_dir, out_dir, *extra) if p]
