"""Frozen grader: pull the final answer out of a response, normalise it, and compare it with the reference answer.

Rules (the same for every run, whatever the training code does):
- math: the response must close its reasoning with `</think>` and then give `<answer> ... </answer>`; the answer is
  the text of the last answer block, or the last `\\boxed{...}` inside it when there is one. A response without
  that shape is unformatted and wrong.
- arithmetic (the smoke profile): the whole response, stripped, is the answer and must be an integer.
Two answers match when their normalised strings are equal, or when both are exact numbers (integers, decimals,
fractions `a/b` or `\\frac{a}{b}`, optionally negative) of equal value.
"""

import re
from fractions import Fraction
from typing import Optional

THINK_CLOSE = "</think>"
ANSWER_OPEN = "<answer>"
ANSWER_CLOSE = "</answer>"


def last_boxed(text: str) -> Optional[str]:
    """Content of the last \\boxed{...} (or \\fbox{...}, or `\\boxed 5`) in text, braces balanced; None if absent."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    rest = text[start:]
    rest = rest[len("\\boxed") :] if rest.startswith("\\boxed") else rest[len("\\fbox") :]
    if rest.startswith(" "):
        match = re.match(r" +([^\s$]+)", rest)
        return match.group(1) if match else None
    if not rest.startswith("{"):
        return None
    depth = 0
    for index, char in enumerate(rest):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return rest[1:index]
    return None


def extract_answer(response: str, task: str) -> Optional[str]:
    """The final answer of a response, or None when the response does not follow the task's answer format."""
    if task == "arithmetic":
        answer = response.strip()
        return answer if re.fullmatch(r"-?\d+", answer) else None
    think_end = response.find(THINK_CLOSE)
    if think_end < 0:
        return None
    open_at = response.rfind(ANSWER_OPEN, think_end)
    if open_at < 0:
        return None
    close_at = response.find(ANSWER_CLOSE, open_at)
    if close_at < 0:
        return None
    body = response[open_at + len(ANSWER_OPEN) : close_at]
    boxed = last_boxed(body)
    answer = (boxed if boxed is not None else body).strip()
    return answer or None


def _unwrap_command(text: str, command: str) -> str:
    """Replace every `\\command{X}` by X (braces balanced)."""
    marker = "\\" + command + "{"
    while True:
        start = text.find(marker)
        if start < 0:
            return text
        depth, index = 0, start + len(marker) - 1
        while index < len(text):
            if text[index] == "{":
                depth += 1
            elif text[index] == "}":
                depth -= 1
                if depth == 0:
                    break
            index += 1
        if depth != 0:
            return text
        text = text[:start] + text[start + len(marker) : index] + text[index + 1 :]


# A value followed by a unit word: "5 \text{ cm}", "3\mbox{ inches}^2".
_TRAILING_UNIT = re.compile(r"^(?P<value>.*\d.*?)\s*\\(?:text|mbox)\{\s*[a-zA-Z][a-zA-Z ]*\}(?:\^\{?\d\}?)?$")


def normalize(answer: str) -> str:
    """A canonical string for an answer: LaTeX spacing, sizing, units and other notation noise removed."""
    text = answer.strip()
    text = text.replace("\n", " ").replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\ ", "")
    text = text.replace("\\left", "").replace("\\right", "")
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = text.replace("^{\\circ}", "").replace("^\\circ", "").replace("°", "")
    text = text.replace("\\%", "").replace("%", "").replace("\\$", "").replace("$", "")
    text = text.strip().rstrip(".").strip()
    unit = _TRAILING_UNIT.match(text)
    if unit:
        text = unit.group("value").strip()
    for command in ("text", "textbf", "mathrm", "mbox", "mathbf"):
        text = _unwrap_command(text, command)
    # "x = 5", "k=3": a short name on the left of a single equals sign.
    if text.count("=") == 1 and re.fullmatch(r"\s*[a-zA-Z](_\{?\w+\}?)?\s*", text.split("=")[0]):
        text = text.split("=")[1]
    text = text.replace(" ", "")
    text = re.sub(r"\\sqrt(\w)", r"\\sqrt{\1}", text)
    text = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", text)
    text = re.sub(r"\\frac(\d)\{", r"\\frac{\1}{", text)
    text = re.sub(r"\\frac\{([^{}]*)\}(\d)", r"\\frac{\1}{\2}", text)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    text = re.sub(r"(?<![\d.])\.(\d)", r"0.\1", text)
    if re.fullmatch(r"-?\d+\.0*", text):
        text = text.split(".")[0]
    if re.fullmatch(r"-?\d+/\d+", text):
        sign = "-" if text.startswith("-") else ""
        top, bottom = text.lstrip("-").split("/")
        text = f"{sign}\\frac{{{top}}}{{{bottom}}}"
    return text


def exact_value(text: str) -> Optional[Fraction]:
    """The exact value of a normalised plain number (integer, decimal or fraction), else None."""
    match = re.fullmatch(r"(-?)\\frac\{(-?\d+)\}\{(-?\d+)\}", text)
    try:
        if match:
            value = Fraction(int(match.group(2)), int(match.group(3)))
            return -value if match.group(1) else value
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return None


def is_equivalent(predicted: str, reference: str) -> bool:
    left, right = normalize(predicted), normalize(reference)
    if left == right:
        return True
    left_value, right_value = exact_value(left), exact_value(right)
    return left_value is not None and left_value == right_value


def grade(response: str, reference: str, task: str) -> dict:
    """{'formatted': bool, 'correct': bool, 'answer': the extracted answer or None} for one response."""
    answer = extract_answer(response, task)
    correct = answer is not None and is_equivalent(answer, reference)
    return {"formatted": answer is not None, "correct": correct, "answer": answer}
