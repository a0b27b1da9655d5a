"""Frozen evaluation prompts. Training has its own copy in rollout.py; the policy is graded in this format only."""

# Qwen2.5-Math-1.5B is a base model: the prompt is plain text, and the assistant's turn starts inside <think>.
MATH_PROMPT = (
    "A conversation between a User and an Assistant. The User poses a math problem and the Assistant solves it. "
    "The Assistant first reasons step by step inside <think> </think> tags, then gives the final answer inside "
    "<answer> </answer> tags, written as \\boxed{{...}}.\n"
    "User: {question}\n"
    "Assistant: <think>"
)

# The smoke profile's synthetic sums, for a character-level model: "3+5=" is answered by "8".
ARITHMETIC_PROMPT = "{question}="

PROMPTS = {"math": MATH_PROMPT, "arithmetic": ARITHMETIC_PROMPT}


def build_prompt(task: str, question: str) -> str:
    return PROMPTS[task].format(question=question)
