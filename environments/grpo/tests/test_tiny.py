"""Unit tests of the smoke profile's frozen pieces: the small Qwen2 model, its harness copy and the arithmetic sets."""

import json
import os
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from tiny.arithmetic import training_problems  # noqa: E402
from tiny.chars import CharTokenizer  # noqa: E402
from tiny.qwen2 import Qwen2Config, Qwen2ForCausalLM, generate, load_pretrained, save_pretrained  # noqa: E402


def small_model(seed: int = 0) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=CharTokenizer().vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    return Qwen2ForCausalLM(config).eval()


class Model(unittest.TestCase):
    def test_cache_and_left_padding_do_not_change_logits(self):
        model = small_model()
        ids = torch.randint(2, 17, (3, 7))
        with torch.no_grad():
            full, _ = model(ids)
            head, cache = model(ids[:, :4])
            tail, _ = model(ids[:, 4:], past_key_values=cache)
            padded_ids = torch.cat((torch.zeros(3, 2, dtype=torch.long), ids), dim=1)
            mask = torch.cat((torch.zeros(3, 2), torch.ones(3, 7)), dim=1).long()
            padded, _ = model(padded_ids, attention_mask=mask)
        self.assertLess((torch.cat((head, tail), dim=1) - full).abs().max().item(), 1e-5)
        self.assertLess((padded[:, 2:] - full).abs().max().item(), 1e-5)

    def test_is_causal(self):
        model = small_model()
        ids = torch.randint(2, 17, (2, 8))
        changed = ids.clone()
        changed[:, 5:] = (changed[:, 5:] + 1) % 17
        with torch.no_grad():
            self.assertLess((model(ids)[0][:, :5] - model(changed)[0][:, :5]).abs().max().item(), 1e-6)

    def test_save_and_load_round_trip_in_hugging_face_layout(self):
        model = small_model()
        with tempfile.TemporaryDirectory() as folder:
            save_pretrained(model, folder)
            with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
                config = json.load(handle)
            self.assertEqual((config["model_type"], config["architectures"]), ("qwen2", ["Qwen2ForCausalLM"]))
            state = torch.load(os.path.join(folder, "pytorch_model.bin"), weights_only=True)
            self.assertNotIn("lm_head.weight", state)  # tied, as Hugging Face saves it
            self.assertIn("model.layers.1.self_attn.k_proj.bias", state)
            loaded = load_pretrained(folder).eval()
        ids = torch.randint(2, 17, (2, 5))
        with torch.no_grad():
            self.assertEqual((loaded(ids)[0] - model(ids)[0]).abs().max().item(), 0.0)

    def test_greedy_generation_is_batch_independent(self):
        model = small_model(3)
        tokenizer = CharTokenizer()
        prompts = [tokenizer.encode("3+5="), tokenizer.encode("12+7=")]
        together = generate(model, prompts, 4, tokenizer.eos_token_id, tokenizer.pad_token_id)
        alone = [generate(model, [prompt], 4, tokenizer.eos_token_id, tokenizer.pad_token_id)[0] for prompt in prompts]
        self.assertEqual(together, alone)


class Tokenizer(unittest.TestCase):
    def test_round_trip_and_end_of_text(self):
        tokenizer = CharTokenizer()
        ids = tokenizer.encode("4+4=8")
        self.assertEqual(tokenizer.decode(ids + [tokenizer.eos_token_id] + tokenizer.encode("99")), "4+4=8")
        with self.assertRaises(ValueError):
            tokenizer.encode("x")


class ArithmeticSets(unittest.TestCase):
    def test_evaluation_sums_are_held_out_of_training(self):
        with open(os.path.join(ROOT, "harness", "smoke_eval.jsonl"), encoding="utf-8") as handle:
            evaluation = [json.loads(line) for line in handle if line.strip()]
        training = training_problems()
        self.assertEqual(len(evaluation), 20)
        self.assertEqual(len(training), 80)
        self.assertFalse({row["problem"] for row in evaluation} & {row["problem"] for row in training})
        for row in evaluation + training:
            a, b = row["problem"].split("+")
            self.assertEqual(int(row["answer"]), int(a) + int(b))


if __name__ == "__main__":
    unittest.main()
