"""Unit tests of the shared sealed-evaluation modules (frames, held-out files, probes, worker confinement).

Run with `python3 -m unittest discover -s test/integrity -p 'test_*.py'` (test/integrity/sealed-eval.test.ts does).
They import tiny-lm's copies; the shared-harness test checks the other environments hold the same bytes.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "environments", "tiny-lm", "harness")
sys.path.insert(0, os.path.abspath(HARNESS))

import confine  # noqa: E402
import lm_eval  # noqa: E402
import numpy as np  # noqa: E402
import sealed_eval  # noqa: E402


class Frames(unittest.TestCase):
    def test_round_trip_and_limits(self):
        read, write = os.pipe()
        try:
            sealed_eval.write_frame(write, {"op": "score", "rows": 2}, b"\x00\x01" * 10)
            header, payload = sealed_eval.read_frame(read, 20)
            self.assertEqual(header, {"op": "score", "rows": 2})
            self.assertEqual(payload, b"\x00\x01" * 10)
            sealed_eval.write_frame(write, {"op": "x"}, b"123456")
            with self.assertRaisesRegex(sealed_eval.ProtocolError, "larger than allowed"):
                sealed_eval.read_frame(read, 5)
        finally:
            os.close(read)
            os.close(write)

    def test_malformed_frames_are_refused(self):
        for raw in (b"XXXX" + bytes(12), sealed_eval.HEAD.pack(sealed_eval.MAGIC, 2, 0) + b"[]",
                    sealed_eval.HEAD.pack(sealed_eval.MAGIC, 3, 0) + b"{no"):
            read, write = os.pipe()
            os.write(write, raw)
            os.close(write)
            with self.assertRaises(sealed_eval.ProtocolError):
                sealed_eval.read_frame(read, 100)
            os.close(read)

    def test_a_closed_channel_is_an_error_not_a_hang(self):
        read, write = os.pipe()
        os.write(write, sealed_eval.HEAD.pack(sealed_eval.MAGIC, 2, 10) + b"{}")
        os.close(write)
        with self.assertRaisesRegex(sealed_eval.ProtocolError, "closed"):
            sealed_eval.read_frame(read, 100)
        os.close(read)


class HeldOut(unittest.TestCase):
    def test_only_the_globs_of_the_manifest_are_removed(self):
        with tempfile.TemporaryDirectory() as root:
            workspace, harness = os.path.join(root, "ws"), os.path.join(root, "h")
            os.makedirs(os.path.join(harness, "data"))
            os.makedirs(workspace)
            for name in ("val.txt", "evaluate.py", os.path.join("data", "a.jsonl"), os.path.join("data", "b.txt")):
                with open(os.path.join(harness, name), "w") as handle:
                    handle.write("x")
            with open(os.path.join(workspace, "environment.json"), "w") as handle:
                json.dump({"harness": "h", "heldOut": ["h/val.txt", "h/**/*.jsonl"]}, handle)
            report = sealed_eval.remove_held_out(workspace, harness)
            self.assertEqual(sorted(report["removed"]), ["a.jsonl", "val.txt"])
            self.assertEqual(sorted(os.listdir(harness)), ["data", "evaluate.py"])
            self.assertEqual(os.listdir(os.path.join(harness, "data")), ["b.txt"])


class Windows(unittest.TestCase):
    def test_every_token_is_scored_once_with_its_target_inside_the_window(self):
        for n, context, stride, first in ((4160, 64, 32, 64), (1000, 128, 127, 1), (130, 64, 32, 64)):
            spans = lm_eval.windows(n, context, stride, first)
            scored = [start + offset for start, lo, stop in spans for offset in range(lo, stop)]
            self.assertEqual(scored, list(range(first, n)))
            self.assertTrue(all(stop <= context and lo >= 1 for _, lo, stop in spans))

    def test_id_lists_hide_the_cut(self):
        rng = np.random.default_rng(0)
        first = rng.integers(0, 75, size=(8, 63))
        second = first.copy()
        second[:, 40:] = (second[:, 40:] + 1) % 75
        ids, slot = lm_eval._distinct_ids(rng, first, second, 75, lm_eval.K)
        self.assertTrue(all(len(set(row)) == lm_eval.K for row in ids.reshape(-1, lm_eval.K).tolist()))
        self.assertTrue((np.take_along_axis(ids, slot[..., None], -1)[..., 0] == first).all())
        self.assertTrue(((ids == second[..., None]).any(-1)).all())


CHILD = textwrap.dedent(
    """
    import ctypes, json, os, socket, sys
    sys.path.insert(0, sys.argv[1])
    import confine
    allowed, denied, scratch = sys.argv[2:5]
    report = confine.confine(confine.python_folders(sys) + [allowed], [scratch], [sys.argv[1], denied])
    out = {"report": report}
    def attempt(name, action):
        try:
            action()
            out[name] = "ok"
        except Exception as error:
            out[name] = type(error).__name__
    attempt("read_allowed", lambda: open(os.path.join(allowed, "a")).read())
    attempt("read_denied", lambda: open(os.path.join(denied, "secret")).read())
    attempt("read_harness", lambda: open(os.path.join(sys.argv[1], "sealed_eval.py")).read())
    attempt("write_scratch", lambda: open(os.path.join(scratch, "w"), "w").write("x"))
    attempt("write_allowed", lambda: open(os.path.join(allowed, "w"), "w").write("x"))
    attempt("parent_environ", lambda: open(f"/proc/{os.getppid()}/environ", "rb").read())
    attempt("parent_mem", lambda: open(f"/proc/{os.getppid()}/mem", "rb").read(1))
    attempt("socket", lambda: socket.socket(socket.AF_INET))
    attempt("unix_socket", lambda: socket.socket(socket.AF_UNIX))
    libc = ctypes.CDLL(None, use_errno=True)
    out["shmget"] = libc.shmget(0x5EA1, 4096, 0o1600)
    print(json.dumps(out))
    """
)


class Confinement(unittest.TestCase):
    def test_a_confined_child_reads_and_writes_only_what_it_is_given(self):
        with tempfile.TemporaryDirectory() as root:
            allowed, denied, scratch = (os.path.join(root, name) for name in ("allowed", "denied", "scratch"))
            for folder in (allowed, denied, scratch):
                os.makedirs(folder)
            with open(os.path.join(allowed, "a"), "w") as handle:
                handle.write("a")
            with open(os.path.join(denied, "secret"), "w") as handle:
                handle.write("s")
            sealed_eval.seal_process()  # what the harness does before it starts a worker
            run = subprocess.run([sys.executable, "-c", CHILD, os.path.abspath(HARNESS), allowed, denied, scratch],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            out = json.loads(run.stdout)
        self.assertEqual(out["read_allowed"], "ok")
        self.assertEqual(out["write_scratch"], "ok")
        self.assertNotEqual(out["parent_environ"], "ok")
        self.assertNotEqual(out["parent_mem"], "ok")
        if out["report"]["seccomp"]:
            self.assertNotEqual(out["socket"], "ok")
            self.assertNotEqual(out["unix_socket"], "ok")
            self.assertEqual(out["shmget"], -1)
        if out["report"]["landlock_abi"]:
            self.assertEqual(out["read_denied"], "PermissionError")
            self.assertEqual(out["read_harness"], "PermissionError")
            self.assertEqual(out["write_allowed"], "PermissionError")
        elif os.environ.get("GROUNDWORK_REQUIRE_LANDLOCK") == "1":
            self.fail(f"Landlock is not available here: {out['report']}")

    def test_grants_split_a_folder_around_a_denied_path(self):
        with tempfile.TemporaryDirectory() as root:
            for path in ("a/b/secret", "a/b/other", "a/c"):
                os.makedirs(os.path.join(root, path))
            grants = confine._grants([root], [os.path.join(root, "a", "b", "secret")])
            self.assertEqual(sorted(os.path.relpath(g, root) for g in grants), ["a/b/other", "a/c"])


if __name__ == "__main__":
    unittest.main()
