"""Policy worker of the grpo harness: the only process that loads the trained checkpoint and decodes with it.

Started by the harness (sealed_eval.start_workers) as `python policy_worker.py <fd>` in the workspace, with the
setup frame on descriptor <fd>. Before anything reads the checkpoint it imports the frozen decoding code
(generate.py, sampling.py), forks the worker, and the worker confines itself (confine.py): from then on it cannot
read the harness copy (with the held-out problems and their answers), the evaluation's answer file or the result
folder, nor write anywhere but its scratch folder (and /dev/shm, which vLLM needs). It reports its pid; `load`
answers with the decoding backend; each `generate` request carries prompts only (JSON payload {"prompts": [...]})
and is answered with {"texts": [...], "tokens": n}. The answers never reach this process: the harness grades.
"""

import json
import os
import sys
import traceback

import confine
import generate  # frozen; imported before the worker confines itself (the harness folder is closed to it after)
import sealed_eval


def fail(out: int, message: str) -> None:
    try:
        sealed_eval.write_frame(out, {"ok": False, "error": message[-2000:]})
    finally:
        os._exit(1)


def serve(setup: dict, channel: dict) -> None:
    os.setsid()
    channel_in, channel_out, scratch = channel["in"], channel["out"], channel["scratch"]
    os.environ.update(HOME=scratch, TMPDIR=scratch)
    readable = confine.python_folders(sys) + [setup["workspace"], setup["checkpoint_dir"], setup["policy"]]
    readable += [setup["tokenizer"]] if setup.get("tokenizer") else []
    writable = [scratch] + (["/dev/shm"] if setup["task"] == "math" else [])
    # Network and System V IPC stay open: vLLM's processes talk through them; there is no state probe here.
    isolation = confine.confine(readable, writable, setup.pop("denied", []), network=True, keep_state=True)
    sys.dont_write_bytecode = True
    sys.pycache_prefix = os.path.join(scratch, "pycache")
    sealed_eval.write_frame(channel_out, {"ok": True, "pid": os.getpid()})
    try:
        request, _ = sealed_eval.read_frame(channel_in, 0)
        if request.get("op") != "load":
            os._exit(0)
        backend = generate.pick_backend(setup["task"])
        if setup["task"] == "arithmetic":
            import torch

            torch.set_num_threads(int(setup.get("threads", 2)))
    except BaseException as error:  # noqa: BLE001
        traceback.print_exc()
        fail(channel_out, f"{type(error).__name__}: {error}")
    sealed_eval.write_frame(channel_out, {"ok": True, "backend": backend, "isolation": isolation})
    while True:
        try:
            request, payload = sealed_eval.read_frame(channel_in, 1 << 30)
        except sealed_eval.ProtocolError:
            os._exit(0)
        if request.get("op") != "generate":
            os._exit(0)
        try:
            prompts = json.loads(payload.decode("utf-8"))["prompts"]
            texts, info = generate.generate_answers(setup["task"], setup["policy"], setup.get("tokenizer"), prompts,
                                                    setup["sampling"])
            body = json.dumps({"texts": texts, "tokens": info["generated_tokens"]}).encode("utf-8")
        except BaseException as error:  # noqa: BLE001
            traceback.print_exc()
            fail(channel_out, f"{type(error).__name__}: {error}")
        sealed_eval.write_frame(channel_out, {"ok": True, "backend": info["backend"]}, body)


def main() -> None:
    try:
        setup, _ = sealed_eval.read_frame(int(sys.argv[1]), 0)
        (channel,) = setup["channels"]
    except (IndexError, ValueError, KeyError, OSError, sealed_eval.ProtocolError) as error:
        print(f"policy_worker.py: no setup: {error}", file=sys.stderr, flush=True)
        os._exit(1)
    sealed_eval.seal_process()
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() == 0:
        serve(setup, channel)
        os._exit(0)
    os._exit(0)


if __name__ == "__main__":
    main()
