"""Download what the grpo environment's MATH runs read: the base model, the MATH training problems and MATH500.

Layout written under --data-dir (groundwork's `<dataDir>/grpo`, by default ~/.groundwork/data/grpo):
  train/Qwen2.5-Math-1.5B/     the base model (config, tokenizer, safetensors weights); training reads it
  train/math_train.jsonl       MATH training problems {"problem", "answer", "level", "subject"} (7,500 minus
                               any that also appear in MATH500); the answer is the last \\boxed{} of the solution
  evaluate/math500.jsonl       the 500 MATH500 problems {"problem", "answer", "level", "subject", "unique_id"}
  evaluate/tokenizer/          the base model's tokenizer files (the harness decodes with these, not the checkpoint's)
  evaluate/base_config.json    the base model's config.json (the harness checks the trained policy keeps its shape)

Needs internet access to the Hugging Face Hub and the Python packages huggingface_hub and datasets
(pip install huggingface_hub datasets). About 3.5 GB, mostly the model weights.
"""

import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_NAME = "Qwen2.5-Math-1.5B"
MATH_SUBJECTS = (
    "algebra",
    "counting_and_probability",
    "geometry",
    "intermediate_algebra",
    "number_theory",
    "prealgebra",
    "precalculus",
)
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "merges.txt",
    "special_tokens_map.json",
    "added_tokens.json",
)


def default_data_dir() -> str:
    home = os.environ.get("GROUNDWORK_HOME") or os.path.join(os.path.expanduser("~"), ".groundwork")
    return os.path.join(home, "data", "grpo")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Download Qwen2.5-Math-1.5B, the MATH training problems and MATH500 for the grpo environment.",
        epilog="Offline machines: run this where the Hub is reachable and copy the data folder over.",
    )
    parser.add_argument("--data-dir", default=default_data_dir(), help="target folder (default: %(default)s)")
    parser.add_argument("--model", default="Qwen/Qwen2.5-Math-1.5B", help="Hub model id (default: %(default)s)")
    parser.add_argument("--model-revision", default=None, help="model revision (branch, tag or commit)")
    parser.add_argument(
        "--math-dataset", default="EleutherAI/hendrycks_math", help="Hub dataset with one config per MATH subject"
    )
    parser.add_argument("--math500-dataset", default="HuggingFaceH4/MATH-500", help="Hub dataset holding MATH500")
    parser.add_argument("--skip-model", action="store_true", help="only fetch the problems (the model, tokenizer and base_config.json must be there already)")
    parser.add_argument("--force", action="store_true", help="download again even when the files exist")
    return parser.parse_args(argv)


def die(message: str) -> None:
    print(f"fetch.py: {message}", file=sys.stderr)
    sys.exit(1)


def need(module: str):
    try:
        return __import__(module)
    except ImportError:
        die(f"the Python package {module} is missing: pip install huggingface_hub datasets")


def write_jsonl(path: str, rows: list) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {len(rows):,} problems to {path}")


def fetch_model(args, train_dir: str, evaluate_dir: str) -> None:
    hub = need("huggingface_hub")
    target = os.path.join(train_dir, MODEL_NAME)
    if args.force or not os.path.isfile(os.path.join(target, "config.json")):
        try:
            hub.snapshot_download(
                repo_id=args.model,
                revision=args.model_revision,
                local_dir=target,
                allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model"],
            )
        except Exception as error:  # noqa: BLE001 - network, authentication and missing-repo errors alike
            die(f"could not download {args.model}: {error}\nThis needs internet access to the Hugging Face Hub.")
    tokenizer_dir = os.path.join(evaluate_dir, "tokenizer")
    os.makedirs(tokenizer_dir, exist_ok=True)
    copied = [name for name in TOKENIZER_FILES if os.path.isfile(os.path.join(target, name))]
    if "tokenizer_config.json" not in copied:
        die(f"{target} has no tokenizer_config.json; is {args.model} a complete model repository?")
    for name in copied:
        shutil.copyfile(os.path.join(target, name), os.path.join(tokenizer_dir, name))
    shutil.copyfile(os.path.join(target, "config.json"), os.path.join(evaluate_dir, "base_config.json"))
    print(f"model in {target}; tokenizer ({len(copied)} files) and base_config.json in {evaluate_dir}")


def load_split(datasets, name: str, config, split: str):
    try:
        return datasets.load_dataset(name, config, split=split) if config else datasets.load_dataset(name, split=split)
    except Exception as error:  # noqa: BLE001 - network and missing-dataset errors alike
        die(f"could not load {name}{'/' + config if config else ''} ({split}): {error}\n"
            "This needs internet access to the Hugging Face Hub.")


def fetch_problems(args, train_dir: str, evaluate_dir: str) -> None:
    datasets = need("datasets")
    sys.path.insert(0, os.path.join(HERE, "harness"))
    from grader import last_boxed  # the frozen grader's own answer extraction

    evaluation = [
        {
            "problem": row["problem"],
            "answer": row["answer"],
            "level": row.get("level"),
            "subject": row.get("subject"),
            "unique_id": row.get("unique_id"),
        }
        for row in load_split(datasets, args.math500_dataset, None, "test")
    ]
    if len(evaluation) != 500:
        print(f"warning: {args.math500_dataset} has {len(evaluation)} problems, not 500", file=sys.stderr)
    held_out = {" ".join(row["problem"].split()) for row in evaluation}

    training, unanswered, overlapping = [], 0, 0
    for subject in MATH_SUBJECTS:
        for row in load_split(datasets, args.math_dataset, subject, "train"):
            answer = last_boxed(row["solution"])
            if answer is None:
                unanswered += 1
            elif " ".join(row["problem"].split()) in held_out:
                overlapping += 1
            else:
                training.append(
                    {"problem": row["problem"], "answer": answer, "level": row.get("level"), "subject": subject}
                )
    print(f"MATH train: {len(training):,} kept, {unanswered} without a boxed answer, {overlapping} also in MATH500")
    write_jsonl(os.path.join(train_dir, "math_train.jsonl"), training)
    write_jsonl(os.path.join(evaluate_dir, "math500.jsonl"), evaluation)


def main(argv=None) -> None:
    args = parse_args(argv)
    data_dir = os.path.abspath(os.path.expanduser(args.data_dir))
    train_dir, evaluate_dir = os.path.join(data_dir, "train"), os.path.join(data_dir, "evaluate")
    for module in ("datasets",) if args.skip_model else ("huggingface_hub", "datasets"):
        need(module)
    os.makedirs(train_dir, exist_ok=True)
    os.makedirs(evaluate_dir, exist_ok=True)
    if not args.skip_model:
        fetch_model(args, train_dir, evaluate_dir)
    fetch_problems(args, train_dir, evaluate_dir)
    print(f"done: {data_dir}")


if __name__ == "__main__":
    main()
