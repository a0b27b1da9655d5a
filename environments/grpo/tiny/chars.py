"""Character-level tokenizer for the synthetic arithmetic problems of the smoke profile (digits and a few symbols)."""

PAD_TOKEN = "<|pad|>"
EOS_TOKEN = "<|endoftext|>"
CHARACTERS = "0123456789+-=* "


class CharTokenizer:
    """One token per character of CHARACTERS, after the two special tokens (pad = 0, end of text = 1)."""

    def __init__(self) -> None:
        self.tokens = [PAD_TOKEN, EOS_TOKEN] + list(CHARACTERS)
        self.pad_token_id = 0
        self.eos_token_id = 1
        self._ids = {ch: i for i, ch in enumerate(self.tokens) if len(ch) == 1}

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list:
        unknown = sorted({ch for ch in text if ch not in self._ids})
        if unknown:
            raise ValueError(f"characters {unknown!r} are not in the tokenizer's alphabet {CHARACTERS!r}")
        return [self._ids[ch] for ch in text]

    def decode(self, ids) -> str:
        """The text of `ids`, stopping at the first end-of-text token and skipping padding."""
        out = []
        for token in ids:
            token = int(token)
            if token == self.eos_token_id:
                break
            if token != self.pad_token_id and 0 <= token < len(self.tokens):
                out.append(self.tokens[token])
        return "".join(out)
