"""Prepare FineWeb for nanogpt: GPT-2 token shards in OUT/train and OUT/val (format: token_data.py).

Sources (pick one):
  --source pretokenized (default)  download the GPT-2-tokenised FineWeb 10B shards kjj0/fineweb10B-gpt2
                                   from the Hugging Face Hub (needs huggingface_hub): fineweb_val_000000.bin
                                   (100M tokens) and as many 100M-token train shards as --train-tokens needs
  --source fineweb                 stream HuggingFaceFW/fineweb (sample-10BT) and tokenise it here
                                   (needs datasets and tiktoken); the first documents become validation
  --from-local DIR                 files already on disk, no network: *.bin shards (a name containing "val"
                                   is validation), or text as *.parquet (a "text" column; needs pyarrow),
                                   *.jsonl (a "text" field) or *.txt (one document each), tokenised with tiktoken
  --tokens-from FILE.npy           a 1-D array of token ids, already tokenised (tests, other tokenisers)

Tokenising puts GPT-2's end-of-text token (50256) before every document. Validation takes whole documents
from the start of the stream until it holds --val-tokens; training takes the rest, in shards of
--shard-tokens, until it holds --train-tokens. OUT/meta.json records what was done.

Example: python3 environments/nanogpt/prepare_data.py --out ~/.groundwork/data/nanogpt/fineweb10B
"""

import argparse
import glob
import importlib
import json
import os
import shutil
import sys
import time

PRETOKENIZED_REPO = "kjj0/fineweb10B-gpt2"
PRETOKENIZED_SHARD_TOKENS = 100_000_000
FINEWEB_REPO = "HuggingFaceFW/fineweb"
FINEWEB_SUBSET = "sample-10BT"
END_OF_TEXT = 50256
EVAL_TOKENS_NEEDED = 10_485_761  # the harness scores 10,485,760 tokens and needs the one after them
TEXT_BATCH = 1024  # documents tokenised per call


class PrepareError(Exception):
    """A problem the user can fix; main() prints it without a traceback."""


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="prepare_data.py",
        description="Prepare GPT-2-tokenised FineWeb shards for the nanogpt environment.",
        epilog="Without network access: download the files elsewhere, then use --from-local DIR.",
    )
    parser.add_argument("--out", required=True, help="output folder (gets train/, val/ and meta.json)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--source", choices=["pretokenized", "fineweb"], default="pretokenized", help="where to download from (default: pretokenized)")
    source.add_argument("--from-local", metavar="DIR", help="use files already in DIR (no network)")
    source.add_argument("--tokens-from", metavar="FILE", help="a .npy array of token ids")
    parser.add_argument("--train-tokens", type=int, default=8_000_000_000, help="training tokens to write (default 8e9; 25 min on 8xH100 reads roughly 4e9 to 6e9, and the trainer cycles through the shards if it runs out)")
    parser.add_argument("--val-tokens", type=int, default=EVAL_TOKENS_NEEDED, help=f"validation tokens (default {EVAL_TOKENS_NEEDED}, what the harness scores)")
    parser.add_argument("--shard-tokens", type=int, default=PRETOKENIZED_SHARD_TOKENS, help="tokens per training shard (default 1e8)")
    parser.add_argument("--force", action="store_true", help="replace shards already in OUT")
    args = parser.parse_args(argv)
    for name in ("train_tokens", "val_tokens", "shard_tokens"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    return args


def need(module: str, package: str, purpose: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise PrepareError(
            f"{purpose} needs the Python package {package} (pip install {package}); or give tokens that need no "
            "download or tokeniser: .bin shards with --from-local, or ids with --tokens-from"
        ) from None


class ShardWriter:
    """Validation first (whole documents until val_tokens), then training shards until train_tokens."""

    def __init__(self, out: str, val_tokens: int, train_tokens: int, shard_tokens: int):
        import numpy as np

        import token_data

        self.np, self.token_data = np, token_data
        self.out, self.val_goal, self.train_goal, self.shard_tokens = out, val_tokens, train_tokens, shard_tokens
        self.val_parts, self.val_count = [], 0
        self.train_parts, self.train_buffered, self.train_count = [], 0, 0
        self.shards = {"val": 0, "train": 0}

    @property
    def done(self) -> bool:
        return self.val_count >= self.val_goal and self.train_count >= self.train_goal

    def add_document(self, tokens) -> None:
        array = self.np.asarray(tokens, dtype=self.np.int64)
        if self.val_count < self.val_goal:
            self.val_parts.append(array)
            self.val_count += array.size
            if self.val_count >= self.val_goal:
                self._write("val", self.np.concatenate(self.val_parts))
                self.val_parts = []
            return
        self.add_train(array)

    def add_stream(self, tokens) -> None:
        """Token ids without document boundaries: the first val_tokens are validation, the rest training."""
        array = self.np.asarray(tokens, dtype=self.np.int64)
        take = max(0, self.val_goal - self.val_count)
        if take:
            self.val_parts.append(array[:take])
            self.val_count += min(take, array.size)
            if self.val_count >= self.val_goal:
                self._write("val", self.np.concatenate(self.val_parts))
                self.val_parts = []
        self.add_train(array[take:])

    def add_train(self, array) -> None:
        array = array[: max(0, self.train_goal - self.train_count)]
        self.train_count += array.size
        while array.size:
            take = min(array.size, self.shard_tokens - self.train_buffered)
            self.train_parts.append(array[:take])
            self.train_buffered += take
            array = array[take:]
            if self.train_buffered == self.shard_tokens:
                self._flush_train()

    def _flush_train(self) -> None:
        if self.train_buffered:
            self._write("train", self.np.concatenate(self.train_parts))
        self.train_parts, self.train_buffered = [], 0

    def _write(self, split: str, tokens) -> None:
        folder = os.path.join(self.out, split)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{split}_{self.shards[split]:06d}.bin")
        self.token_data.write_shard(path, tokens)
        self.shards[split] += 1
        print(f"wrote {path} ({len(tokens):,} tokens)", flush=True)

    def close(self) -> dict:
        if self.val_parts:
            self._write("val", self.np.concatenate(self.val_parts))
            self.val_parts = []
        self._flush_train()
        return {"val_tokens": self.val_count, "train_tokens": self.train_count, "val_shards": self.shards["val"], "train_shards": self.shards["train"]}


def tokenizer():
    tiktoken = need("tiktoken", "tiktoken", "tokenising text")
    try:
        return tiktoken.get_encoding("gpt2")
    except Exception as error:  # noqa: BLE001 - tiktoken downloads its BPE file on first use
        raise PrepareError(f"tiktoken could not load the gpt2 encoding ({error}); it downloads it on first use, so run once with network access") from None


def write_texts(texts, writer: ShardWriter) -> None:
    """Tokenise documents in batches and feed them to the writer until it has enough."""
    encoding = tokenizer()
    batch = []
    for text in texts:
        batch.append(text)
        if len(batch) == TEXT_BATCH:
            if feed(encoding, batch, writer):
                return
            batch = []
    if batch:
        feed(encoding, batch, writer)


def feed(encoding, batch, writer: ShardWriter) -> bool:
    for ids in encoding.encode_ordinary_batch(batch, num_threads=max(1, (os.cpu_count() or 2) - 1)):
        writer.add_document([END_OF_TEXT] + ids)
        if writer.done:
            return True
    return False


def fineweb_texts():
    datasets = need("datasets", "datasets", "--source fineweb")
    try:
        stream = datasets.load_dataset(FINEWEB_REPO, name=FINEWEB_SUBSET, split="train", streaming=True)
        for row in stream:
            yield row["text"]
    except Exception as error:  # noqa: BLE001 - network and hub errors come in many types
        raise PrepareError(f"could not read {FINEWEB_REPO} ({error}); without network access, download it elsewhere and use --from-local") from None


def local_texts(paths):
    for path in paths:
        if path.endswith(".parquet"):
            parquet = need("pyarrow.parquet", "pyarrow", "reading .parquet files")
            for batch in parquet.ParquetFile(path).iter_batches(columns=["text"]):
                yield from batch.column(0).to_pylist()
        elif path.endswith(".jsonl"):
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield json.loads(line)["text"]
        else:
            with open(path, encoding="utf-8") as handle:
                yield handle.read()


def from_local(directory: str, writer: ShardWriter) -> str:
    if not os.path.isdir(directory):
        raise PrepareError(f"--from-local {directory} is not a folder")
    files = sorted(path for path in glob.glob(os.path.join(directory, "**", "*"), recursive=True) if os.path.isfile(path))
    shards = [path for path in files if path.endswith(".bin")]
    texts = [path for path in files if path.endswith((".parquet", ".jsonl", ".txt"))]
    if shards:
        copy_shards(shards, writer)
        return f"local shards in {directory}"
    if not texts:
        raise PrepareError(f"{directory} holds no .bin shards and no .parquet, .jsonl or .txt files")
    write_texts(local_texts(texts), writer)
    return f"local text in {directory}, tokenised with tiktoken gpt2"


def copy_shards(paths, writer: ShardWriter) -> None:
    """Shards already in the format: validation from names containing "val", the rest for training."""
    val = [path for path in paths if "val" in os.path.basename(path)]
    if not val:
        raise PrepareError("no validation shard among the .bin files (expected a name containing 'val', e.g. fineweb_val_000000.bin)")
    for path in val + [path for path in paths if path not in val]:
        split = "val" if path in val else "train"
        tokens = writer.token_data.read_shard(path)  # checks the header
        if split == "train" and writer.train_count >= writer.train_goal:
            break
        target = os.path.join(writer.out, split, f"{split}_{writer.shards[split]:06d}.bin")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)
        writer.shards[split] += 1
        if split == "val":
            writer.val_count += tokens.size
        else:
            writer.train_count += tokens.size
        print(f"copied {path} -> {target} ({tokens.size:,} tokens)", flush=True)


def download_pretokenized(writer: ShardWriter) -> str:
    hub = need("huggingface_hub", "huggingface_hub", "--source pretokenized")
    staging = os.path.join(writer.out, "download")
    count = -(-writer.train_goal // PRETOKENIZED_SHARD_TOKENS)
    names = ["fineweb_val_000000.bin"] + [f"fineweb_train_{index:06d}.bin" for index in range(1, count + 1)]
    paths = []
    for name in names:
        try:
            paths.append(hub.hf_hub_download(repo_id=PRETOKENIZED_REPO, filename=name, repo_type="dataset", local_dir=staging))
        except Exception as error:  # noqa: BLE001 - network, auth and missing-file errors all end the run
            raise PrepareError(
                f"could not download {name} from {PRETOKENIZED_REPO} ({error}); without network access, "
                "download the shards elsewhere and use --from-local"
            ) from None
    writer.train_goal = count * PRETOKENIZED_SHARD_TOKENS
    copy_shards(paths, writer)
    shutil.rmtree(staging, ignore_errors=True)
    return f"{PRETOKENIZED_REPO} (GPT-2 tokens of {FINEWEB_REPO} {FINEWEB_SUBSET})"


def tokens_from(path: str, writer: ShardWriter) -> str:
    try:
        tokens = writer.np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise PrepareError(f"cannot read {path} as a .npy array: {error}") from None
    if tokens.ndim != 1:
        raise PrepareError(f"{path} holds an array of shape {tokens.shape}; expected 1-D token ids")
    writer.add_stream(tokens)
    return f"token ids from {path}"


def clear_existing(out: str, force: bool) -> None:
    existing = glob.glob(os.path.join(out, "train", "*.bin")) + glob.glob(os.path.join(out, "val", "*.bin"))
    if existing and not force:
        raise PrepareError(f"{out} already holds {len(existing)} shards; pass --force to replace them")
    for path in existing:
        os.remove(path)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    out = os.path.abspath(os.path.expanduser(args.out))
    started = time.time()
    try:
        os.makedirs(out, exist_ok=True)
        clear_existing(out, args.force)
        writer = ShardWriter(out, args.val_tokens, args.train_tokens, args.shard_tokens)
        if args.tokens_from:
            source = tokens_from(args.tokens_from, writer)
        elif args.from_local:
            source = from_local(args.from_local, writer)
        elif args.source == "fineweb":
            need("datasets", "datasets", "--source fineweb")
            write_texts(fineweb_texts(), writer)
            source = f"{FINEWEB_REPO} {FINEWEB_SUBSET}, tokenised with tiktoken gpt2"
        else:
            source = download_pretokenized(writer)
        counts = writer.close()
    except PrepareError as error:
        print(f"prepare_data.py: {error}", file=sys.stderr)
        return 1
    if counts["val_tokens"] < EVAL_TOKENS_NEEDED:
        print(f"prepare_data.py: warning: validation holds {counts['val_tokens']:,} tokens; the harness scores {EVAL_TOKENS_NEEDED - 1:,}", file=sys.stderr)
    meta = {"source": source, **counts, "seconds": round(time.time() - started, 1), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(out, "meta.json"), "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=1)
    print(f"prepare_data.py: {counts['val_tokens']:,} validation and {counts['train_tokens']:,} training tokens in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
