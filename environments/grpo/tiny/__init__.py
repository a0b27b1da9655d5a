"""Frozen pieces the smoke profile needs on both sides: a small Qwen2-architecture model, a character tokenizer
and the synthetic arithmetic training problems. The evaluation step loads qwen2.py and chars.py from here by path,
after the pipeline has checked that training left every frozen file unchanged."""
