# groundwork's frozen log-metric harness: the metric is the last match of a pattern in the saved training log.
# The number was printed by the code being edited, so groundwork marks these results self_reported.
import json
import math
import os
import re
import sys

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)", re.IGNORECASE)


def value_of(match, pattern):
    """The first capture group when the pattern has one, else the first number in the matched text."""
    text = match.group(1) if pattern.groups >= 1 else match.group(0)
    if text is None:
        return None
    number = NUMBER.search(text)
    return float(number.group(0)) if number else None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "metric.json"), encoding="utf-8") as handle:
        spec = json.load(handle)
    name, source = spec["metric"], spec["regex"]
    log_path = os.environ.get("GROUNDWORK_TRAIN_LOG", "")
    out = os.environ["GROUNDWORK_OUT"]
    try:
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as error:
        print(f"groundwork: cannot read the training log {log_path!r}: {error}")
        return
    pattern = re.compile(source, re.MULTILINE)
    values = [value for value in (value_of(match, pattern) for match in pattern.finditer(text)) if value is not None]
    if not values:
        print(f"groundwork: no line of the training log matches {source!r} with a number, so there is no {name}")
        return
    value = values[-1]
    result = {"metric": value, "metrics": {name: value}, "curve": [[i, v] for i, v in enumerate(values)]}
    if not math.isfinite(value):
        result["error"] = f"the training log reports {name} = {value}"
    with open(os.path.join(out, "result.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    print(f"groundwork: {name} = {value} (last of {len(values)} match(es) in the training log; self-reported)")


if __name__ == "__main__":
    main()
    sys.stdout.flush()
