"""The harness's result.json text, serialised by functions bound before the model's code runs.

The serialiser is written out here rather than taken from the json module, whose encoder reads module
and class attributes at call time that model code could have replaced. Non-finite floats become null.
"""

from builtins import ValueError, bool, dict, float, int, isinstance, list, ord, repr, str, tuple
from math import isfinite

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    parts = ['"']
    for char in text:
        if char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif ord(char) < 0x20:
            parts.append("\\u%04x" % ord(char))
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


def to_json(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(float(value)) if isfinite(value) else "null"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    if isinstance(value, dict):
        items = []
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"result keys must be strings, got {key!r}")
            items.append(_string(key) + ": " + to_json(value[key]))
        return "{" + ", ".join(items) + "}"
    raise ValueError(f"cannot write a {value.__class__.__name__} to result.json")
