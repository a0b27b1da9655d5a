"""Frozen pieces the smoke profile needs on both sides: a small Qwen2-architecture model, a character tokenizer
and the synthetic arithmetic training problems. `harness/tiny/` holds identical copies of qwen2.py and chars.py,
so evaluation never imports code from the training workspace."""
