"""Check the trained policy in $GROUNDWORK_CHECKPOINT_DIR and present it to the loaders as a clean model folder.

The checkpoint is a Hugging Face model folder of the Qwen2 architecture: config.json plus model.safetensors (or
shards with model.safetensors.index.json), or pytorch_model.bin for the smoke profile's small model. Only
config.json and the weights are used: the loaders get a folder of their own holding a checked copy of config.json
(custom-code entries removed) and links to the weight files, so nothing else the training run wrote there (a
generation_config.json with other sampling defaults, a tokenizer, code) can change how the policy is decoded.
"""

import json
import os

ARCHITECTURE = "Qwen2ForCausalLM"
# Fields that fix the network's shape: a fine-tune of the base model must keep them.
SHAPE_FIELDS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "tie_word_embeddings",
)
# Entries that would load code or change the numerics from outside the architecture.
DROPPED_FIELDS = ("auto_map", "quantization_config", "custom_pipelines")


class CheckpointError(Exception):
    """The checkpoint cannot be evaluated; the message says what training must write."""


def weight_files(checkpoint_dir: str, allow_pickle: bool) -> list:
    names = sorted(os.listdir(checkpoint_dir))
    safetensors = [name for name in names if name.endswith(".safetensors")]
    if safetensors:
        index = "model.safetensors.index.json"
        return safetensors + ([index] if index in names else [])
    if allow_pickle and "pytorch_model.bin" in names:
        return ["pytorch_model.bin"]
    wanted = "model.safetensors" + (" or pytorch_model.bin" if allow_pickle else "")
    raise CheckpointError(f"{checkpoint_dir} holds no weights ({wanted}); training must save the policy there")


def read_config(checkpoint_dir: str) -> dict:
    path = os.path.join(checkpoint_dir, "config.json")
    if not os.path.isfile(path):
        raise CheckpointError(f"no config.json in {checkpoint_dir}: training must save the policy in Hugging Face format")
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{path} is not readable JSON: {error}") from error
    if not isinstance(config, dict) or config.get("model_type") != "qwen2":
        raise CheckpointError(f"{path} must describe a model of model_type 'qwen2'")
    architectures = config.get("architectures") or [ARCHITECTURE]
    if architectures != [ARCHITECTURE]:
        raise CheckpointError(f"{path} names architectures {architectures}; expected [{ARCHITECTURE!r}]")
    return config


def check_shape(config: dict, base_config: dict) -> None:
    for field in SHAPE_FIELDS:
        if field in base_config and config.get(field, base_config[field]) != base_config[field]:
            raise CheckpointError(
                f"the checkpoint's {field} is {config.get(field)!r} but the base model's is {base_config[field]!r}: "
                "the policy must keep the base model's architecture"
            )


def prepare_checkpoint(checkpoint_dir: str, scratch_dir: str, allow_pickle: bool, base_config=None):
    """A clean model folder under scratch_dir for the checkpoint, and its checked config."""
    config = read_config(checkpoint_dir)
    if base_config is not None:
        check_shape(config, base_config)
    files = weight_files(checkpoint_dir, allow_pickle)
    clean = {key: value for key, value in config.items() if key not in DROPPED_FIELDS}
    clean["architectures"] = [ARCHITECTURE]
    folder = os.path.join(scratch_dir, "policy")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(clean, handle, indent=1)
    for name in files:
        link = os.path.join(folder, name)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.realpath(os.path.join(checkpoint_dir, name)), link)
    return folder, clean
