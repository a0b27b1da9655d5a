"""Model workers of the language-model harnesses (tiny-lm, nanogpt): the only processes that run the edited model code.

Started by the harness (sealed_eval.start_workers) as `python model_worker.py <fd>` in the workspace, with the
setup frame on descriptor <fd>. This process (frozen code only) imports numpy and torch once and forks one worker
per channel the setup names, then leaves. Each worker starts its own session, keeps only its own channel (two
pipes; its stdout goes to the log), confines itself (confine.py: from then on it cannot read the harness copy, the
result folder or the evaluation data, nor write anywhere but its scratch folder, nor reach another process) and
reports its pid. When the harness sends `load`, it loads the checkpoint, rebuilds `GPT(GPTConfig(**config))` from
the workspace's model.py and answers with its config. Then, per request:

  score: tokens (rows, length) int64 and select (rows, length - 1, k) int64 in; for every position p < length - 1,
         the log-sum-exp of the logits at p (float64) and the logits at the k selected ids (float32) out
  full:  tokens (rows, length) and positions (rows, p) int64 in; the logits at those positions (float32) out
  (anything else, or a closed channel, ends the worker)

Nothing here is trusted after `load`: from then on the worker is as much the model's as model.py is. The harness
trusts only what it checks (shapes, and the causality and state probes of lm_eval.py).
"""

import importlib.util
import json
import os
import sys
import traceback

import confine
import sealed_eval


def fail(out: int, message: str) -> None:
    try:
        sealed_eval.write_frame(out, {"ok": False, "error": message[-2000:]})
    finally:
        os._exit(1)


def load(setup: dict, device, torch):
    """The model in eval mode on its device, and the hello answer."""
    try:
        checkpoint = torch.load(setup["checkpoint"], map_location="cpu", weights_only=True)
    except TypeError:  # a torch without weights_only
        checkpoint = torch.load(setup["checkpoint"], map_location="cpu")
    except Exception:  # noqa: BLE001 - objects the safe loader refuses: this process may run them, it runs model.py
        checkpoint = torch.load(setup["checkpoint"], map_location="cpu", weights_only=False)
    if not isinstance(checkpoint, dict) or "config" not in checkpoint or "model" not in checkpoint:
        raise ValueError("the checkpoint does not hold {'config': ..., 'model': state_dict}")
    saved = checkpoint["config"]
    settings = json.loads(saved) if isinstance(saved, str) else saved
    if not isinstance(settings, dict):
        raise ValueError("the checkpoint's config is not a mapping")
    workspace = setup["workspace"]
    sys.path.insert(0, workspace)
    spec = importlib.util.spec_from_file_location("model", os.path.join(workspace, "model.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["model"] = module
    spec.loader.exec_module(module)
    model = module.GPT(module.GPTConfig(**settings))
    model.load_state_dict(checkpoint["model"])
    model.to(device)
    model.eval()
    params = int(sum(p.numel() for p in model.parameters()))
    config = {key: settings.get(key) for key in ("block_size", "vocab_size") if isinstance(settings.get(key), int)}
    return model, {"config": config, "params": params}


def logits_of(model, tokens, torch):
    out = model(tokens)
    logits = out[0] if isinstance(out, (tuple, list)) and len(out) > 0 else out
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3 or tuple(logits.shape[:2]) != tuple(tokens.shape):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"the model returned {shape} for input {tuple(tokens.shape)}; it must return logits (batch, time, vocab)")
    return logits


def answer(request: dict, payload: bytes, model, device, np, torch) -> tuple:
    rows, length = int(request["rows"]), int(request["length"])
    tokens = np.frombuffer(payload, dtype="<i8", count=rows * length).reshape(rows, length)
    rest = payload[rows * length * 8:]
    idx = torch.from_numpy(tokens.astype(np.int64)).to(device)
    logits = logits_of(model, idx, torch)
    if request["op"] == "score":
        k = int(request["k"])
        select = torch.from_numpy(np.frombuffer(rest, dtype="<i8").reshape(rows, length - 1, k).astype(np.int64)).to(device)
        head = logits[:, : length - 1].float()
        lse = torch.logsumexp(head.double() if device.type == "cpu" else head, dim=-1).double()
        picked = torch.gather(head, -1, select)
        body = lse.cpu().numpy().astype("<f8").tobytes() + picked.cpu().numpy().astype("<f4").tobytes()
        return {"ok": True}, body
    positions = np.frombuffer(rest, dtype="<i8").reshape(rows, -1)
    index = torch.from_numpy(positions.astype(np.int64)).to(device)
    chosen = torch.gather(logits.float(), 1, index[:, :, None].expand(-1, -1, logits.shape[-1]))
    return {"ok": True, "width": int(logits.shape[-1])}, chosen.cpu().numpy().astype("<f4").tobytes()


def serve(setup: dict, channel: dict, others: list, np, torch) -> None:
    """One forked worker: its own session, confined, then (once told to) the model code; never returns."""
    os.setsid()
    for other in others:
        os.close(other["in"])
        os.close(other["out"])
    channel_in, channel_out, scratch = channel["in"], channel["out"], channel["scratch"]
    os.environ.update(HOME=scratch, TMPDIR=scratch, PYTHONPYCACHEPREFIX=os.path.join(scratch, "pycache"))
    readable = confine.python_folders(sys) + [setup["workspace"], os.path.dirname(setup["checkpoint"])]
    isolation = confine.confine(readable, [scratch], setup.pop("denied", []), network=False, keep_state=False)
    sys.dont_write_bytecode = True
    sys.pycache_prefix = os.path.join(scratch, "pycache")
    sealed_eval.write_frame(channel_out, {"ok": True, "pid": os.getpid()})
    try:
        torch.set_num_threads(int(setup.get("threads", 2)))
        wanted = setup.get("device", "cpu")
        device = torch.device(("cuda:0" if torch.cuda.is_available() else "cpu") if wanted == "auto" else wanted)
        if device.type == "cuda" and setup.get("tf32"):
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        # Frozen code and trusted libraries only, so far: the harness may keep this worker waiting here while
        # another one runs, and lets it load the model code once that one is gone.
        request, _ = sealed_eval.read_frame(channel_in, 0)
        if request.get("op") != "load":
            os._exit(0)
        model, hello = load(setup, device, torch)
    except BaseException as error:  # noqa: BLE001 - SystemExit from model code included
        traceback.print_exc()
        fail(channel_out, f"loading the model failed: {type(error).__name__}: {error}")
    sealed_eval.write_frame(channel_out, {"ok": True, "isolation": isolation, **hello})
    inference = getattr(torch, "inference_mode", torch.no_grad)
    while True:
        try:
            request, payload = sealed_eval.read_frame(channel_in, 1 << 34)
        except sealed_eval.ProtocolError:
            os._exit(0)  # the harness closed the channel
        if request.get("op") not in ("score", "full"):
            os._exit(0)
        try:
            with inference():
                header, body = answer(request, payload, model, device, np, torch)
        except BaseException as error:  # noqa: BLE001
            traceback.print_exc()
            fail(channel_out, f"{type(error).__name__}: {error}")
        sealed_eval.write_frame(channel_out, header, body)


def main() -> None:
    """Read the setup, import the libraries once, fork one worker per channel, and leave."""
    try:
        setup, _ = sealed_eval.read_frame(int(sys.argv[1]), 0)
        channels = setup["channels"]
    except (IndexError, ValueError, KeyError, OSError, sealed_eval.ProtocolError) as error:
        print(f"model_worker.py: no setup: {error}", file=sys.stderr, flush=True)
        os._exit(1)
    sealed_eval.seal_process()  # no same-user process (a worker, say) reads or writes this one's memory
    threads = str(setup.get("threads", 2))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import numpy as np
        import torch
    except BaseException as error:  # noqa: BLE001
        for channel in channels:
            fail_soft(channel["out"], f"cannot import numpy and torch: {error}")
        os._exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    for index, channel in enumerate(channels):
        if os.fork() == 0:
            serve(setup, channel, channels[:index] + channels[index + 1 :], np, torch)
            os._exit(0)
    os._exit(0)


def fail_soft(out: int, message: str) -> None:
    try:
        sealed_eval.write_frame(out, {"ok": False, "error": message[-2000:]})
    except OSError:
        pass


if __name__ == "__main__":
    main()
