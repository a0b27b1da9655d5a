"""Unit tests of the harness's checkpoint checks (harness/checkpoint.py)."""

import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "harness"))

from checkpoint import CheckpointError, prepare_checkpoint  # noqa: E402

BASE = {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": 1536, "num_hidden_layers": 28}


def write(folder: str, name: str, content) -> None:
    with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
        handle.write(content if isinstance(content, str) else json.dumps(content))


class PrepareCheckpoint(unittest.TestCase):
    def setUp(self):
        self.checkpoint = tempfile.mkdtemp()
        self.scratch = tempfile.mkdtemp()

    def test_clean_folder_has_only_the_checked_config_and_weights(self):
        write(self.checkpoint, "config.json", dict(BASE, auto_map={"AutoModel": "evil.Model"}))
        write(self.checkpoint, "model.safetensors", "weights")
        write(self.checkpoint, "generation_config.json", {"temperature": 0.1})
        write(self.checkpoint, "evil.py", "raise SystemExit")
        folder, config = prepare_checkpoint(self.checkpoint, self.scratch, allow_pickle=False, base_config=BASE)
        self.assertEqual(sorted(os.listdir(folder)), ["config.json", "model.safetensors"])
        self.assertNotIn("auto_map", config)
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
            self.assertNotIn("auto_map", json.load(handle))

    def test_refuses_what_the_harness_cannot_trust(self):
        cases = {
            "no config": (None, "model.safetensors"),
            "other architecture": (dict(BASE, model_type="llama"), "model.safetensors"),
            "other shape": (dict(BASE, hidden_size=2048), "model.safetensors"),
            "pickle where safetensors are required": (BASE, "pytorch_model.bin"),
        }
        for label, (config, weights) in cases.items():
            with self.subTest(label=label):
                folder = tempfile.mkdtemp()
                if config is not None:
                    write(folder, "config.json", config)
                write(folder, weights, "weights")
                with self.assertRaises(CheckpointError):
                    prepare_checkpoint(folder, tempfile.mkdtemp(), allow_pickle=False, base_config=BASE)

    def test_smoke_checkpoints_may_be_pickled_state_dicts(self):
        write(self.checkpoint, "config.json", BASE)
        write(self.checkpoint, "pytorch_model.bin", "weights")
        folder, _ = prepare_checkpoint(self.checkpoint, self.scratch, allow_pickle=True)
        self.assertEqual(sorted(os.listdir(folder)), ["config.json", "pytorch_model.bin"])


if __name__ == "__main__":
    unittest.main()
