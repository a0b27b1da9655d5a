"""Frozen decoding settings of the evaluation: greedy, one answer per problem, the same for every run."""

EVAL_SAMPLING = {
    # Greedy decoding up to 1024 new tokens, stopping after the closing answer tag (kept in the response).
    "math": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 1024, "stop": ["</answer>"]},
    # Up to two digits and the end-of-text token.
    "arithmetic": {"temperature": 0.0, "top_p": 1.0, "max_tokens": 3, "stop": []},
}


def cut_at_stop(text: str, stops) -> str:
    """The response up to and including the first stop string, so every generation backend is graded alike."""
    for stop in stops:
        at = text.find(stop)
        if at >= 0:
            text = text[: at + len(stop)]
    return text
