# A minimal LoRA in plain PyTorch (used where peft is not installed), saved in PEFT's adapter layout.
"""LoRA (Hu et al. 2021): W x + (alpha / r) * B A x with A, B trainable and W frozen; B starts at zero so the
adapted model starts equal to the base model. Saved as adapter_config.json + adapter_model.bin with PEFT's key
names (base_model.model.<module>.lora_A.weight), which is what vLLM's LoRA loader reads.
"""
import contextlib
import json
import math
import os

import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base, rank=16, alpha=32):
        super().__init__()
        self.base = base
        for parameter in self.base.parameters():
            parameter.requires_grad_(False)
        self.rank = rank
        self.scaling = alpha / rank
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t() @ self.lora_B.t()) * self.scaling


def add_lora(model, targets, rank=16, alpha=32):
    """Wraps every nn.Linear whose name ends with one of `targets`; freezes everything else. Returns the names."""
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and any(full.endswith(t) for t in targets):
                setattr(module, child_name, LoRALinear(child, rank, alpha))
                wrapped.append(full)
    if not wrapped:
        raise ValueError(f"no nn.Linear named like {targets} to adapt")
    return wrapped


def lora_state_dict(model):
    state = {}
    for name, module in model.named_modules():
        if isinstance(module, LoRALinear):
            state[f"base_model.model.{name}.lora_A.weight"] = module.lora_A.detach().cpu().clone()
            state[f"base_model.model.{name}.lora_B.weight"] = module.lora_B.detach().cpu().clone()
    return state


def save_adapter(model, out_dir, base_model, targets, rank, alpha):
    os.makedirs(out_dir, exist_ok=True)
    torch.save(lora_state_dict(model), os.path.join(out_dir, "adapter_model.bin"))
    config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": base_model,
        "r": rank,
        "lora_alpha": alpha,
        "lora_dropout": 0.0,
        "bias": "none",
        "target_modules": sorted(set(targets)),
        "fan_in_fan_out": False,
        "inference_mode": True,
    }
    with open(os.path.join(out_dir, "adapter_config.json"), "w") as handle:
        json.dump(config, handle, indent=2)


def load_adapter(model, adapter_dir):
    """Loads A and B saved by save_adapter into a model that add_lora wrapped the same way."""
    state = torch.load(os.path.join(adapter_dir, "adapter_model.bin"), map_location="cpu")
    modules = dict(model.named_modules())
    for key, value in state.items():
        name, part, _ = key[len("base_model.model."):].rsplit(".", 2)
        target = getattr(modules[name], part)
        with torch.no_grad():
            target.copy_(value.to(target.dtype))


@contextlib.contextmanager
def disabled(model):
    """The base model: every adapter switched off for the duration (the GRPO KL term's reference)."""
    layers = [m for m in model.modules() if isinstance(m, LoRALinear)]
    saved = [layer.scaling for layer in layers]
    for layer in layers:
        layer.scaling = 0.0
    try:
        yield model
    finally:
        for layer, scaling in zip(layers, saved):
            layer.scaling = scaling
