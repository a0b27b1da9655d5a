"""Decode one answer per prompt from the checked policy folder with the frozen sampling settings.

Backends: vLLM (when importable and a GPU is visible), Hugging Face transformers' generate, and for the smoke
profile the small Qwen2 implementation in the workspace's frozen tiny/ (hash-checked after training, before this
step). Every backend's output is cut at the first stop
string by the same function, so the grade does not depend on which one ran.
"""

import os
import time

from sampling import cut_at_stop

HF_BATCH = 64  # prompts per transformers generate call (speed only)


def _cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def pick_backend(task: str) -> str:
    """tiny for the smoke task; for MATH vLLM on a GPU, else transformers (GRPO_EVAL_BACKEND picks one of the two)."""
    if task == "arithmetic":
        return "tiny"
    forced = os.environ.get("GRPO_EVAL_BACKEND", "").strip()
    if forced:
        if forced not in ("vllm", "transformers"):
            raise RuntimeError(f"GRPO_EVAL_BACKEND={forced!r}; use vllm or transformers")
        return forced
    if _cuda_available() and _importable("vllm"):
        return "vllm"
    if _importable("transformers"):
        return "transformers"
    raise RuntimeError(
        "evaluating the MATH task needs vllm (with a GPU) or transformers; use the groundwork/grpo image "
        "(environments/grpo/Dockerfile) or pip install transformers vllm"
    )


def frozen_tiny():
    """The workspace's frozen `tiny` package, loaded from its source by path (never from the import path).

    Its files are frozen: the pipeline compares their hashes after training, and no workspace code has run since.
    """
    import importlib
    import importlib.util
    import sys

    folder = os.path.join(os.getcwd(), "tiny")
    spec = importlib.util.spec_from_file_location(
        "tiny", os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["tiny"] = package
    spec.loader.exec_module(package)
    return importlib.import_module("tiny.chars"), importlib.import_module("tiny.qwen2")


def generate_tiny(folder: str, prompts: list, sampling: dict):
    import torch

    chars, qwen2 = frozen_tiny()
    CharTokenizer, generate, load_pretrained = chars.CharTokenizer, qwen2.generate, qwen2.load_pretrained

    tokenizer = CharTokenizer()
    model = load_pretrained(folder).eval()
    if model.config.vocab_size < tokenizer.vocab_size:
        raise RuntimeError(f"the policy's vocab_size {model.config.vocab_size} is below the tokenizer's")
    with torch.no_grad():
        outputs = generate(
            model,
            [tokenizer.encode(prompt) for prompt in prompts],
            sampling["max_tokens"],
            tokenizer.eos_token_id,
            tokenizer.pad_token_id,
        )
    return [tokenizer.decode(ids) for ids in outputs], sum(len(ids) for ids in outputs)


def generate_vllm(folder: str, tokenizer_dir: str, prompts: list, sampling: dict):
    from vllm import LLM, SamplingParams

    llm = LLM(model=folder, tokenizer=tokenizer_dir, dtype="bfloat16", seed=0, gpu_memory_utilization=0.85)
    params = SamplingParams(
        temperature=sampling["temperature"],
        top_p=sampling["top_p"],
        max_tokens=sampling["max_tokens"],
        stop=sampling["stop"] or None,
        include_stop_str_in_output=True,
        seed=0,
    )
    outputs = llm.generate(prompts, params)
    return [out.outputs[0].text for out in outputs], sum(len(out.outputs[0].token_ids) for out in outputs)


def generate_transformers(folder: str, tokenizer_dir: str, prompts: list, sampling: dict):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=dtype, trust_remote_code=False).to(device).eval()
    config = GenerationConfig(
        do_sample=False,
        max_new_tokens=sampling["max_tokens"],
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    texts, tokens = [], 0
    for first in range(0, len(prompts), HF_BATCH):
        batch = tokenizer(prompts[first : first + HF_BATCH], return_tensors="pt", padding=True).to(device)
        with torch.no_grad():
            extra = {"stop_strings": sampling["stop"], "tokenizer": tokenizer} if sampling["stop"] else {}
            try:
                out = model.generate(**batch, generation_config=config, **extra)
            except (TypeError, ValueError):  # transformers without stop_strings: cut afterwards
                out = model.generate(**batch, generation_config=config)
        new = out[:, batch["input_ids"].shape[1] :]
        for row in new.tolist():
            ids = row[: row.index(tokenizer.eos_token_id) + 1] if tokenizer.eos_token_id in row else row
            tokens += len(ids)
            texts.append(tokenizer.decode(ids, skip_special_tokens=True))
    return texts, tokens


def generate_answers(task: str, folder: str, tokenizer_dir, prompts: list, sampling: dict) -> tuple:
    """(responses, {'backend', 'generated_tokens', 'generate_seconds'})."""
    backend = pick_backend(task)
    started = time.time()
    if backend == "tiny":
        texts, tokens = generate_tiny(folder, prompts, sampling)
    elif backend == "vllm":
        texts, tokens = generate_vllm(folder, tokenizer_dir, prompts, sampling)
    else:
        texts, tokens = generate_transformers(folder, tokenizer_dir, prompts, sampling)
    responses = [cut_at_stop(text, sampling["stop"]) for text in texts]
    return responses, {"backend": backend, "generated_tokens": tokens, "generate_seconds": time.time() - started}
