"""Unit tests of the baseline training code (grpo.py, reward.py, rollout.py) as shipped."""

import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
sys.path.insert(1, os.path.join(ROOT, "harness"))

import torch  # noqa: E402

import grpo  # noqa: E402
import prompts as harness_prompts  # noqa: E402
import reward  # noqa: E402
import rollout  # noqa: E402


class Advantages(unittest.TestCase):
    def test_group_std_normalisation(self):
        rewards = torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
        advantages = grpo.group_advantages(rewards, 4)
        self.assertAlmostEqual(advantages[:4].sum().item(), 0.0, places=5)
        self.assertAlmostEqual(advantages[0].item(), 0.75 / 0.5, places=4)
        self.assertEqual(advantages[4:].abs().max().item(), 0.0)  # a group that all agree teaches nothing


class Loss(unittest.TestCase):
    def test_token_mean_over_the_batch_does_not_depend_on_micro_batching(self):
        torch.manual_seed(0)
        logprobs = torch.randn(4, 6) * 0.1 - 1.0
        old = logprobs + torch.randn(4, 6) * 0.05
        mask = torch.arange(6)[None, :] < torch.tensor([6, 3, 1, 4])[:, None]
        advantages = torch.tensor([1.0, -1.0, 0.5, 0.0])
        rewards = torch.tensor([1.0, 0.0, 1.0, 0.0])
        normalizer = grpo.loss_normalizer(mask, 8)
        whole, _ = grpo.policy_loss(logprobs, old, None, advantages, rewards, mask, normalizer)
        halves = sum(
            grpo.policy_loss(logprobs[s], old[s], None, advantages[s], rewards[s], mask[s], normalizer)[0]
            for s in (slice(0, 2), slice(2, 4))
        )
        self.assertAlmostEqual(whole.item(), halves.item(), places=6)
        self.assertEqual(normalizer, 14.0)

    def test_clipping_stops_the_gradient_beyond_the_clip_range(self):
        logprobs = torch.tensor([[0.5]], requires_grad=True)
        loss, stats = grpo.policy_loss(
            logprobs, torch.zeros(1, 1), None, torch.tensor([1.0]), torch.tensor([1.0]), torch.ones(1, 1), 1.0
        )
        loss.backward()
        self.assertEqual(logprobs.grad.item(), 0.0)  # ratio e^0.5 > 1.2 with a positive advantage
        self.assertEqual(stats["clip_fraction"], 1.0)


class TrainingReward(unittest.TestCase):
    def test_math(self):
        good = r"work </think> <answer> \boxed{\dfrac{1}{2}} </answer>"
        self.assertEqual(reward.score(good, "\\frac{1}{2}", "math")["reward"], 1.0)
        self.assertEqual(reward.score(good, "0.5", "math")["reward"], 1.0)
        self.assertEqual(reward.score(r"\boxed{3}", "3", "math")["formatted"], False)

    def test_arithmetic(self):
        self.assertEqual(reward.score("12", "12", "arithmetic")["reward"], 1.0)
        self.assertEqual(reward.score("1", "12", "arithmetic")["reward"], 0.0)


class Prompts(unittest.TestCase):
    def test_training_prompts_start_as_the_evaluation_prompts(self):
        for task in ("math", "arithmetic"):
            with self.subTest(task=task):
                self.assertEqual(
                    rollout.format_prompt(task, "What is $1+1$?"), harness_prompts.build_prompt(task, "What is $1+1$?")
                )


class TrimResponse(unittest.TestCase):
    def test_stops_after_end_of_text(self):
        from tiny.chars import CharTokenizer

        class CharPolicy:
            char_level = True
            tokenizer = CharTokenizer()
            eos_token_id = 1

            def decode(self, ids):
                return self.tokenizer.decode(ids)

        policy = CharPolicy()
        ids = policy.tokenizer.encode("7") + [1, 0]
        trimmed = rollout.trim_response(policy, ids, 3)
        self.assertEqual((trimmed.response_ids, trimmed.text, trimmed.truncated), ([ids[0], 1], "7", False))
        self.assertTrue(rollout.trim_response(policy, policy.tokenizer.encode("777"), 3).truncated)

    def test_cuts_at_the_stop_string(self):
        class WordPolicy:
            char_level = False
            eos_token_id = 0
            words = ["<eos>", "a", " </answer>", "b"]

            def decode(self, ids):
                return "".join(self.words[i] for i in ids if i != 0)

        trimmed = rollout.trim_response(WordPolicy(), [1, 2, 3, 3], 4)
        self.assertEqual((trimmed.response_ids, trimmed.text, trimmed.truncated), ([1, 2], "a </answer>", False))


if __name__ == "__main__":
    unittest.main()
