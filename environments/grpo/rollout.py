"""Training rollouts: the training prompts, and GROUP_SIZE sampled responses per prompt from the current policy.

Engines: vLLM for the MATH task when it is importable and a GPU is visible (the policy's weights are pushed into it
after every optimiser phase), transformers' generate otherwise, and the sampling loop of tiny/qwen2.py for the smoke
task's small model. GRPO_ROLLOUT_ENGINE=vllm|hf|tiny forces one. Evaluation prompts and decoding are the harness's
(harness/prompts.py, harness/sampling.py); the prompts below start as copies so the policy learns the evaluated format.
"""

import dataclasses
import os
from typing import List

import torch

ROLLOUT_TEMPERATURE = 1.0
ROLLOUT_TOP_P = 1.0
MAX_RESPONSE_TOKENS = 1024

MATH_PROMPT = (
    "A conversation between a User and an Assistant. The User poses a math problem and the Assistant solves it. "
    "The Assistant first reasons step by step inside <think> </think> tags, then gives the final answer inside "
    "<answer> </answer> tags, written as \\boxed{{...}}.\n"
    "User: {question}\n"
    "Assistant: <think>"
)
ARITHMETIC_PROMPT = "{question}="
STOP = "</answer>"
HF_GENERATE_PROMPTS = 16  # prompts per transformers generate call (speed and memory only)


@dataclasses.dataclass
class Rollout:
    prompt_index: int
    prompt_ids: List[int]
    response_ids: List[int]
    text: str
    truncated: bool


def format_prompt(task: str, question: str) -> str:
    return (ARITHMETIC_PROMPT if task == "arithmetic" else MATH_PROMPT).format(question=question)


def stop_strings(policy) -> list:
    return [] if policy.char_level else [STOP]


def trim_response(policy, ids: List[int], max_tokens: int) -> Rollout:
    """Cut generated ids after the end-of-text token or the stop string (whichever comes first)."""
    ended = policy.eos_token_id in ids
    body = ids[: ids.index(policy.eos_token_id)] if ended else list(ids)
    if STOP in stop_strings(policy) and STOP in policy.decode(body):
        low, high = 1, len(body)  # shortest prefix whose text contains the stop string
        while low < high:
            middle = (low + high) // 2
            if STOP in policy.decode(body[:middle]):
                high = middle
            else:
                low = middle + 1
        body, ended = body[:low], True
    elif ended:
        body = body + [policy.eos_token_id]
    text = policy.decode(body)
    if STOP in text:
        text = text[: text.index(STOP) + len(STOP)]
    return Rollout(-1, [], body, text, truncated=not ended and len(ids) >= max_tokens)


class TinyEngine:
    """Sampling loop of tiny/qwen2.py (the smoke task's model when transformers is missing)."""

    name = "tiny"

    def __init__(self, policy, seed: int) -> None:
        self.policy = policy
        self.generator = torch.Generator().manual_seed(seed)

    def generate(self, prompts: List[str], n: int, max_tokens: int) -> List[Rollout]:
        from tiny.qwen2 import generate

        encoded = [self.policy.encode(prompt) for prompt in prompts]
        repeated = [ids for ids in encoded for _ in range(n)]
        self.policy.model.eval()
        outputs = generate(
            self.policy.model,
            repeated,
            max_tokens,
            self.policy.eos_token_id,
            self.policy.pad_token_id,
            temperature=ROLLOUT_TEMPERATURE,
            top_p=ROLLOUT_TOP_P,
            generator=self.generator,
        )
        self.policy.model.train()
        rollouts = []
        for index, ids in enumerate(outputs):
            rollout = trim_response(self.policy, ids, max_tokens)
            rollout.prompt_index, rollout.prompt_ids = index // n, repeated[index]
            rollouts.append(rollout)
        return rollouts

    def sync(self) -> None:
        """The engine samples from the training model itself: nothing to copy."""


class HfEngine:
    """transformers' generate on the training model (slow for long responses; the fallback when vLLM is missing)."""

    name = "hf"

    def __init__(self, policy, seed: int) -> None:
        self.policy = policy
        torch.manual_seed(seed)

    def generate(self, prompts: List[str], n: int, max_tokens: int) -> List[Rollout]:
        from transformers import GenerationConfig

        policy = self.policy
        config = GenerationConfig(
            do_sample=ROLLOUT_TEMPERATURE > 0,
            temperature=max(ROLLOUT_TEMPERATURE, 1e-5),
            top_p=ROLLOUT_TOP_P,
            top_k=0,
            max_new_tokens=max_tokens,
            num_return_sequences=n,
            eos_token_id=policy.eos_token_id,
            pad_token_id=policy.pad_token_id,
            use_cache=True,
        )
        extra = {} if policy.char_level else {"stop_strings": [STOP], "tokenizer": policy.tokenizer}
        rollouts = []
        policy.model.eval()
        for first in range(0, len(prompts), HF_GENERATE_PROMPTS):
            encoded = [policy.encode(prompt) for prompt in prompts[first : first + HF_GENERATE_PROMPTS]]
            width = max(len(ids) for ids in encoded)
            input_ids = torch.full((len(encoded), width), policy.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(encoded), width), dtype=torch.long)
            for row, ids in enumerate(encoded):
                input_ids[row, width - len(ids) :] = torch.tensor(ids)
                mask[row, width - len(ids) :] = 1
            with torch.no_grad():
                out = policy.model.generate(
                    input_ids=input_ids.to(policy.device),
                    attention_mask=mask.to(policy.device),
                    generation_config=config,
                    **extra,
                )
            for row, ids in enumerate(out[:, width:].tolist()):
                rollout = trim_response(policy, ids, max_tokens)
                rollout.prompt_index = first + row // n
                rollout.prompt_ids = encoded[row // n]
                rollouts.append(rollout)
        policy.model.train()
        return rollouts

    def sync(self) -> None:
        """The engine samples from the training model itself: nothing to copy."""


def _vllm_model(llm):
    """The model object inside an in-process vLLM engine (V0, or V1 without multiprocessing), or None."""
    engine = llm.llm_engine
    paths = (
        ("model_executor", "driver_worker", "model_runner", "model"),
        ("model_executor", "driver_worker", "worker", "model_runner", "model"),
        ("engine_core", "engine_core", "model_executor", "driver_worker", "worker", "model_runner", "model"),
    )
    for path in paths:
        node = engine
        try:
            for name in path:
                node = getattr(node, name)
        except AttributeError:
            continue
        if hasattr(node, "load_weights"):
            return node
    return None


class VllmEngine:
    """vLLM in this process, sharing the GPU with training; the policy's weights are copied in after each update."""

    name = "vllm"

    def __init__(self, policy, seed: int) -> None:
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")  # keep the engine in-process to push weights
        from vllm import LLM

        self.policy = policy
        self.llm = LLM(
            model=policy.model_dir,
            dtype="bfloat16",
            seed=seed,
            gpu_memory_utilization=float(os.environ.get("GRPO_VLLM_MEMORY", "") or 0.35),
            enable_prefix_caching=True,
        )
        self.target = _vllm_model(self.llm)
        if self.target is None and not hasattr(self.llm, "apply_model"):
            raise RuntimeError("cannot reach the model inside this vLLM version to update its weights")

    def generate(self, prompts: List[str], n: int, max_tokens: int) -> List[Rollout]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=n,
            temperature=ROLLOUT_TEMPERATURE,
            top_p=ROLLOUT_TOP_P,
            max_tokens=max_tokens,
            stop=[STOP],
            include_stop_str_in_output=True,
        )
        rollouts = []
        for index, request in enumerate(self.llm.generate(prompts, params, use_tqdm=False)):
            for sample in request.outputs:
                rollouts.append(
                    Rollout(
                        index,
                        list(request.prompt_token_ids),
                        list(sample.token_ids),
                        sample.text,
                        truncated=sample.finish_reason == "length",
                    )
                )
        return rollouts

    def sync(self) -> None:
        weights = list(self.policy.model.state_dict().items())
        if self.target is not None:
            self.target.load_weights(weights)
        else:
            self.llm.apply_model(lambda model: model.load_weights(weights))
        if hasattr(self.llm, "reset_prefix_cache"):
            self.llm.reset_prefix_cache()  # cached prompt keys/values were computed with the old weights


def make_engine(policy, seed: int):
    forced = os.environ.get("GRPO_ROLLOUT_ENGINE", "").strip()
    if forced not in ("", "vllm", "hf", "tiny"):
        raise SystemExit(f"train.py: GRPO_ROLLOUT_ENGINE={forced!r}; use vllm, hf or tiny")
    if forced == "tiny" or (not forced and policy.implementation == "tiny"):
        return TinyEngine(policy, seed)
    want_vllm = forced == "vllm" or (
        not forced and policy.device.type == "cuda" and policy.model_dir and _importable("vllm")
    )
    if want_vllm:
        try:
            return VllmEngine(policy, seed)
        except Exception as error:  # noqa: BLE001 - any vLLM start-up problem: say so and sample with transformers
            if forced == "vllm":
                raise
            print(f"rollout: vLLM unavailable ({error}); sampling with transformers' generate instead", flush=True)
    return HfEngine(policy, seed)


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
