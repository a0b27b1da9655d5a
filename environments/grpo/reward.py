"""The training reward: 1 for a correct final answer in the expected format, else 0 (plus an optional format bonus).

It follows the frozen grader's rules (harness/grader.py) closely enough to train on, with a lighter normaliser.
Changing it changes only the training signal: evaluation always uses the harness's grader.
"""

import re
from fractions import Fraction

FORMAT_REWARD_WEIGHT = 0.0  # added for a well-formed answer, right or wrong


def boxed_content(text: str):
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth = 0
    for index in range(start + len("\\boxed"), len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + len("\\boxed{") : index]
    return None


def final_answer(response: str, task: str):
    if task == "arithmetic":
        answer = response.strip()
        return answer if re.fullmatch(r"-?\d+", answer) else None
    match = re.search(r"</think>.*<answer>(.*?)</answer>", response, flags=re.DOTALL)
    if not match:
        return None
    body = match.group(1)
    answer = boxed_content(body)
    answer = (answer if answer is not None else body).strip()
    return answer or None


def canonical(answer: str) -> str:
    text = answer.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("$", "")
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("^\\circ", "").replace("\\%", "")
    text = re.sub(r"\\text\{(.*?)\}", r"\1", text)
    text = re.sub(r"\s+", "", text).rstrip(".")
    if re.fullmatch(r"[a-z]=.+", text):
        text = text[2:]
    return text


def as_number(text: str):
    match = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", text)
    try:
        if match:
            return Fraction(int(match.group(2)), int(match.group(3))) * (-1 if match.group(1) else 1)
        if re.fullmatch(r"-?\d+(\.\d+)?(/\d+)?", text.replace(",", "")):
            return Fraction(text.replace(",", ""))
    except (ValueError, ZeroDivisionError):
        return None
    return None


def score(response: str, reference: str, task: str) -> dict:
    """{'reward': float, 'correct': bool, 'formatted': bool} for one rollout."""
    answer = final_answer(response, task)
    correct = False
    if answer is not None:
        left, right = canonical(answer), canonical(reference)
        number = as_number(left)
        correct = left == right or (number is not None and number == as_number(right))
    formatted = answer is not None
    return {"reward": float(correct) + FORMAT_REWARD_WEIGHT * float(formatted), "correct": correct, "formatted": formatted}
