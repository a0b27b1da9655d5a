# groundwork's frozen evaluation wrapper: runs your evaluation command on what training left, then takes the metric
# from the $GROUNDWORK_OUT/result.json it wrote, or else from the last "<metric>: <number>" line it printed.
import json
import os
import re
import subprocess
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "metric.json"), encoding="utf-8") as handle:
        name = json.load(handle)["metric"]
    command = sys.argv[sys.argv.index("--") + 1 :]
    result_path = os.path.join(os.environ["GROUNDWORK_OUT"], "result.json")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    printed = []
    for raw in process.stdout:
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        printed.append(raw.decode("utf-8", errors="replace"))
    code = process.wait()
    if code != 0:
        print(f"groundwork: the evaluation command {command!r} exited with code {code}")
        sys.exit(code if code > 0 else 1)
    if os.path.exists(result_path):
        return
    pattern = re.compile(
        r"(?<![\w.])" + re.escape(name) + r"""["']?\s*[:=]?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?nan|[-+]?inf)""",
        re.IGNORECASE | re.MULTILINE,
    )
    matches = pattern.findall("".join(printed))
    if not matches:
        print(f"groundwork: the evaluation command wrote no result.json and printed no '{name}: <number>' line")
        return
    value = float(matches[-1])
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump({"metric": value, "metrics": {name: value}}, handle)
    print(f"groundwork: {name} = {value} (from the evaluation command's output)")


if __name__ == "__main__":
    main()
