"""Sealing the evaluation: the result is written after everything the model code started is gone.

The model code runs in model worker processes the harness starts (sealed_eval.py), which could start
processes of their own that keep writing into the result folder while the harness works. `adopt_orphans()`,
called before any worker starts, makes this process the reaper of every process the workers start, detached
or not. `kill_descendants()` kills all of them (between workers, so no process of one worker outlives it), and
`write_and_exit()` does so once more and replaces this process, and with it every thread, by a fresh
interpreter (isolated mode, no site) whose only work is to write the result file.
"""

import ctypes
import os
import signal
import sys

_PR_SET_CHILD_SUBREAPER = 36
# Bound at import, before any model code runs.
_kill, _waitpid, _execv, _listdir, _getpid, _open = os.kill, os.waitpid, os.execv, os.listdir, os.getpid, open
_SIGKILL, _executable = signal.SIGKILL, sys.executable
_WRITER = (
    "import os, sys\n"
    "path, text = sys.argv[1], sys.argv[2]\n"
    "with open(path + '.tmp', 'w', encoding='utf-8') as handle:\n"
    "    handle.write(text)\n"
    "os.replace(path + '.tmp', path)\n"
)


def adopt_orphans() -> bool:
    """Become the reaper of all descendants (Linux); False where the kernel does not offer it."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children() -> set:
    """Pids whose parent is this process (from /proc/self/task/*/children, else by scanning /proc)."""
    found, listed = set(), False
    for task in _listdir("/proc/self/task"):
        try:
            with _open(f"/proc/self/task/{task}/children", encoding="ascii") as handle:
                found.update(int(pid) for pid in handle.read().split())
            listed = True
        except OSError:
            pass
    if listed:
        return found
    me = str(_getpid())
    for entry in _listdir("/proc"):
        if entry.isdigit():
            try:
                with _open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    if handle.read().rsplit(")", 1)[1].split()[1] == me:
                        found.add(int(entry))
            except (OSError, IndexError):
                pass
    return found


def kill_descendants(keep=()) -> None:
    """Kill every descendant of this process (adopted orphans included) but the children in `keep`, and reap them."""
    for _ in range(1000):
        children = _children() - set(keep)
        if not children:
            break
        for pid in children:
            try:
                _kill(pid, _SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                _waitpid(pid, 0)
            except ChildProcessError:
                pass


def write_and_exit(path: str, text: str) -> None:
    """Kill every process the model code left (adopted orphans included), then write `path` from a fresh process."""
    kill_descendants()
    _execv(_executable, [_executable, "-I", "-S", "-c", _WRITER, path, text])
