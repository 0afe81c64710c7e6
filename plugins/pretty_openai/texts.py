"""Token texts read from the served tokenizer one token at a time, when a guide first needs them."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any


class TokenTexts(Sequence[str]):
    """``texts[i]``: token ``i`` as it reads mid-sentence (after an anchor, so a leading space stays), decoded on
    first use and kept. A guide's :class:`~pretty_framework.api.Vocabulary` over a server: a model's 262k tokens
    would be as many detokenize requests up front; an answer meets a few hundred."""

    def __init__(self, backend: Any):
        self._backend = backend
        self._anchor = list(backend.encode("."))
        self._head = backend.decode(self._anchor)
        self._texts: dict[int, str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._backend.vocab_size

    def __getitem__(self, token: Any) -> Any:
        if isinstance(token, slice):
            return [self[i] for i in range(*token.indices(len(self)))]
        if not 0 <= token < len(self):
            raise IndexError(token)
        with self._lock:
            text = self._texts.get(token)
        if text is None:
            whole = self._backend.decode(self._anchor + [token])
            text = whole.removeprefix(self._head)
            with self._lock:
                self._texts[token] = text
        return text
