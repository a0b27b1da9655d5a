"""Token streams for nanogpt: the .bin shard format, and the synthetic stream of the smoke profile.

Frozen: train.py reads its data through this module, prepare_data.py writes shards with it, and the
evaluation harness loads it (by path, from the workspace) to read the validation tokens.

Shard format (the one llm.c and modded-nanogpt use, so their pre-tokenised FineWeb shards work as-is):
  header  256 little-endian int32: [0] = 20240520 (magic), [1] = 1 (version), [2] = number of tokens,
          the rest zero
  body    that many little-endian uint16 token ids (GPT-2 BPE ids are < 50257)
A data folder holds shards named *.bin; they are read in sorted name order as one stream.

Synthetic stream: a fixed random first-order Markov chain over SYNTHETIC_VOCAB tokens (each token has
SUCCESSORS possible successors with Zipf-like probabilities). Its entropy rate, synthetic_entropy() nats per
token, is the lowest loss any model can reach on it; a model that has learned nothing scores
ln(SYNTHETIC_VOCAB). The chain is the same everywhere; the sampling seed picks the stretch of text, so
training and validation streams differ but share their statistics.
"""

import bisect
import glob
import os

import numpy as np

MAGIC = 20240520
VERSION = 1
HEADER_INTS = 256
HEADER_BYTES = HEADER_INTS * 4
MAX_TOKEN = 65535  # uint16

SYNTHETIC_VOCAB = 256
SUCCESSORS = 32
ZIPF_EXPONENT = 0.9
LANGUAGE_SEED = 8_675_309  # fixes the chain; never changes between train and validation
VALIDATION_STREAM_SEED = 4_242_424  # the harness's stream; training uses 1000 + its seed


def write_shard(path: str, tokens) -> None:
    """Write `tokens` (ints in 0..65535) as one shard, atomically."""
    array = np.asarray(tokens)
    if array.ndim != 1:
        raise ValueError(f"a shard holds a 1-D token stream, got shape {array.shape}")
    if array.size and (int(array.min()) < 0 or int(array.max()) > MAX_TOKEN):
        raise ValueError(f"token ids must lie in 0..{MAX_TOKEN} to fit uint16, got {int(array.min())}..{int(array.max())}")
    header = np.zeros(HEADER_INTS, dtype="<i4")
    header[0], header[1], header[2] = MAGIC, VERSION, array.size
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(header.tobytes())
        handle.write(array.astype("<u2").tobytes())
    os.replace(tmp, path)


def read_shard(path: str) -> np.ndarray:
    """The tokens of one shard as a read-only uint16 memory map."""
    header = np.fromfile(path, dtype="<i4", count=HEADER_INTS)
    if header.size < HEADER_INTS or header[0] != MAGIC:
        raise ValueError(f"{path} is not a token shard (expected magic {MAGIC} in a {HEADER_BYTES}-byte header)")
    if header[1] != VERSION:
        raise ValueError(f"{path} has shard version {header[1]}; this reader knows version {VERSION}")
    count = int(header[2])
    expected = HEADER_BYTES + 2 * count
    actual = os.path.getsize(path)
    if actual != expected:
        raise ValueError(f"{path} is {actual} bytes but its header promises {count} tokens ({expected} bytes); is it truncated?")
    return np.memmap(path, dtype="<u2", mode="r", offset=HEADER_BYTES, shape=(count,))


def shard_paths(location: str) -> list:
    """The shards a data location names: a .bin file, or every *.bin in a folder (sorted)."""
    if os.path.isfile(location):
        return [location]
    if not os.path.isdir(location):
        raise FileNotFoundError(f"no token data at {location}")
    paths = sorted(glob.glob(os.path.join(location, "*.bin")))
    if not paths:
        raise FileNotFoundError(f"{location} holds no *.bin token shards")
    return paths


def read_tokens(location: str, count: int) -> np.ndarray:
    """The first `count` tokens of a data location, as int64 (fails when it holds fewer)."""
    parts, have = [], 0
    for path in shard_paths(location):
        if have >= count:
            break
        shard = read_shard(path)
        take = min(count - have, shard.size)
        parts.append(np.asarray(shard[:take], dtype=np.int64))
        have += take
    if have < count:
        raise ValueError(f"{location} holds {have} tokens but {count} are needed")
    return np.concatenate(parts)


def _chain():
    """(successor lists, cumulative probability lists) of the synthetic Markov chain."""
    rng = np.random.default_rng(LANGUAGE_SEED)
    weights = 1.0 / np.arange(1, SUCCESSORS + 1) ** ZIPF_EXPONENT
    probabilities = weights / weights.sum()
    successors, cumulative = [], []
    for _ in range(SYNTHETIC_VOCAB):
        successors.append(rng.choice(SYNTHETIC_VOCAB, size=SUCCESSORS, replace=False).tolist())
        cumulative.append(np.cumsum(probabilities).tolist())
    return successors, cumulative


def synthetic_tokens(count: int, stream_seed: int) -> np.ndarray:
    """`count` tokens of the synthetic chain, sampled with `stream_seed` (deterministic), as int64."""
    successors, cumulative = _chain()
    uniforms = np.random.default_rng(stream_seed).random(count).tolist()
    token = int(uniforms[0] * SYNTHETIC_VOCAB) if count else 0
    out = [0] * count
    for i in range(count):
        row = cumulative[token]
        token = successors[token][min(bisect.bisect_right(row, uniforms[i]), SUCCESSORS - 1)]
        out[i] = token
    return np.asarray(out, dtype=np.int64)


def synthetic_entropy() -> float:
    """Entropy rate of the synthetic chain in nats per token (every state has the same successor distribution)."""
    weights = 1.0 / np.arange(1, SUCCESSORS + 1) ** ZIPF_EXPONENT
    probabilities = weights / weights.sum()
    return float(-(probabilities * np.log(probabilities)).sum())

