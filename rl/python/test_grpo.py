# Tests of the GRPO step's maths on a CPU with a tiny pure-torch model: python3 rl/python/test_grpo.py
import os
import sys
import tempfile
import types
import unittest

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from grpo_loss import group_advantages, grpo_loss, token_logprobs  # noqa: E402
from grpo_step import grpo_step  # noqa: E402
from lora import LoRALinear, add_lora, disabled, load_adapter, save_adapter  # noqa: E402

VOCAB = 12


class TinyLM(nn.Module):
    """Embedding, one 'attention' projection and an output projection: enough to carry LoRA and logits."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.embed = nn.Embedding(VOCAB, 16)
        self.q_proj = nn.Linear(16, 16)
        self.o_proj = nn.Linear(16, VOCAB)

    def forward(self, input_ids, attention_mask=None):
        hidden = torch.tanh(self.q_proj(self.embed(input_ids)))
        return types.SimpleNamespace(logits=self.o_proj(hidden))


def sequence_logprob(model, ids, prompt_len):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits
        logp = token_logprobs(logits[:, :-1], torch.tensor([ids])[:, 1:])
    return float(logp[0, prompt_len - 1 :].sum())


class GrpoLossTest(unittest.TestCase):
    def test_token_logprobs(self):
        logits = torch.randn(2, 3, VOCAB)
        targets = torch.randint(0, VOCAB, (2, 3))
        expected = torch.log_softmax(logits, -1)[torch.arange(2)[:, None], torch.arange(3)[None, :], targets]
        self.assertTrue(torch.allclose(token_logprobs(logits, targets), expected))

    def test_group_advantages(self):
        adv = group_advantages([1.0, 0.0, 0.0, 1.0, 0.5, 0.5], [0, 0, 0, 0, 1, 1])
        self.assertTrue(torch.allclose(adv, torch.tensor([1.0, -1.0, -1.0, 1.0, 0.0, 0.0], dtype=adv.dtype), atol=1e-4))

    def test_on_policy_gradient_is_advantage_weighted_logprob(self):
        base = torch.randn(3, 4, requires_grad=True)
        advantages = torch.tensor([1.5, -0.5, 0.0])
        mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]], dtype=torch.float32)
        grpo_loss(base, base.detach(), advantages, mask).backward()
        got = base.grad.clone()
        base.grad = None
        (-(advantages[:, None] * base * mask).sum(-1) / mask.sum(-1)).mean().backward()
        self.assertTrue(torch.allclose(got, base.grad))

    def test_clipping_stops_the_gradient_only_where_it_should(self):
        mask = torch.ones(1, 2)
        for advantage, zero in [(1.0, True), (-1.0, False)]:
            logp = torch.zeros(1, 2, requires_grad=True)
            grpo_loss(logp, logp.detach() - 1.0, torch.tensor([advantage]), mask, clip_eps=0.2).backward()
            self.assertEqual(bool(torch.all(logp.grad == 0)), zero)

    def test_kl_term_is_zero_at_the_reference_and_positive_elsewhere(self):
        logp = torch.tensor([[-1.0, -2.0]], requires_grad=True)
        mask = torch.ones(1, 2)
        zero_adv = torch.tensor([0.0])
        at_ref = grpo_loss(logp, logp.detach(), zero_adv, mask, ref_logp=logp.detach(), kl_coef=0.1)
        self.assertAlmostEqual(float(at_ref), 0.0, places=7)
        away = grpo_loss(logp, logp.detach(), zero_adv, mask, ref_logp=logp.detach() - 0.5, kl_coef=0.1)
        self.assertGreater(float(away), 0.0)


class LoraStepTest(unittest.TestCase):
    def test_lora_starts_at_the_base_model_and_trains_only_adapters(self):
        model = TinyLM()
        ids = torch.tensor([[1, 2, 3]])
        before = model(ids).logits.detach()
        base_weight = model.q_proj.weight.detach().clone()
        self.assertEqual(sorted(add_lora(model, ["q_proj", "o_proj"], rank=4, alpha=8)), ["o_proj", "q_proj"])
        self.assertTrue(torch.allclose(model(ids).logits, before))
        trainable = [name for name, p in model.named_parameters() if p.requires_grad]
        self.assertTrue(all("lora_" in name for name in trainable) and len(trainable) == 4)
        self.assertTrue(torch.equal(model.q_proj.base.weight, base_weight))

    def test_grpo_steps_raise_the_good_completion_and_lower_the_bad_one(self):
        model = TinyLM()
        add_lora(model, ["q_proj", "o_proj"], rank=4, alpha=8)
        good, bad = ([1, 2, 3, 4, 5], 2), ([1, 2, 6, 7, 8], 2)
        start = (sequence_logprob(model, *good), sequence_logprob(model, *bad))
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.05)
        frozen = model.o_proj.base.weight.detach().clone()
        for _ in range(5):
            grpo_step(model, optimizer, [good, bad], [1.0, -1.0], pad_id=0, device="cpu", micro_batch=1)
        self.assertGreater(sequence_logprob(model, *good), start[0] + 0.5)
        self.assertLess(sequence_logprob(model, *bad), start[1] - 0.5)
        self.assertTrue(torch.equal(model.o_proj.base.weight, frozen))
        with disabled(model):
            self.assertAlmostEqual(sequence_logprob(model, *good), start[0], places=5)

    def test_adapter_round_trip_in_peft_layout(self):
        model = TinyLM()
        add_lora(model, ["q_proj", "o_proj"], rank=4, alpha=8)
        for module in model.modules():
            if isinstance(module, LoRALinear):
                nn.init.normal_(module.lora_B)
        with tempfile.TemporaryDirectory() as out:
            save_adapter(model, out, "tiny", ["q_proj", "o_proj"], 4, 8)
            keys = sorted(torch.load(os.path.join(out, "adapter_model.bin")))
            self.assertEqual(keys[0], "base_model.model.o_proj.lora_A.weight")
            other = TinyLM()
            add_lora(other, ["q_proj", "o_proj"], rank=4, alpha=8)
            load_adapter(other, out)
        ids = torch.tensor([[3, 1, 4]])
        self.assertTrue(torch.allclose(model(ids).logits, other(ids).logits))


@unittest.skipUnless(__import__("importlib").util.find_spec("transformers"), "transformers is not installed")
class TransformersStepTest(unittest.TestCase):
    def test_step_on_a_tiny_random_llama(self):
        from transformers import LlamaConfig, LlamaForCausalLM

        config = LlamaConfig(vocab_size=VOCAB, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                             num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32)
        model = LlamaForCausalLM(config)
        add_lora(model, ["q_proj", "v_proj"], rank=4, alpha=8)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.05)
        good = ([1, 2, 3, 4, 5], 2)
        start = sequence_logprob(model, *good)
        for _ in range(5):
            grpo_step(model, optimizer, [good], [1.0], pad_id=0, device="cpu")
        self.assertGreater(sequence_logprob(model, *good), start)


if __name__ == "__main__":
    unittest.main(verbosity=2)
