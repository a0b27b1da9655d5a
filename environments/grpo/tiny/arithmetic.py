"""The smoke profile's training problems: single-digit additions `a+b` whose answers are 0-18.

The pairs with (3a + b) % 5 == 0 are held out: they are the harness's evaluation set (harness/smoke_eval.jsonl),
so the smoke accuracy measures answers to sums the policy never trained on.
"""

# Longest answer ("18") plus the end-of-text token.
ANSWER_MAX_TOKENS = 3


def held_out(a: int, b: int) -> bool:
    return (3 * a + b) % 5 == 0


def training_problems() -> list:
    return [
        {"problem": f"{a}+{b}", "answer": str(a + b)}
        for a in range(10)
        for b in range(10)
        if not held_out(a, b)
    ]
