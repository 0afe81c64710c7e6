"""The guide interface: what a guide sees of an answer being written, and what it may do to it.

A prior sets the first knot of the yarn; a guide holds it through the whole
answer. At every decoding step a guide sees, for each row of the batch, the
source, the language pair, the prior and the answer's tokens so far, and may

- lower (or raise) the logits of the next token (:meth:`Guide.adjust`), and
- after a token is chosen, ask to *re-thread* the row (:meth:`Guide.rethread`):
  cut the answer back to a token index and continue it after new tokens (a new
  prior in mid-answer). The engine then continues that row in a new round.

Guides are plugins (``register_guides``) like prior providers. Each records
what it did in the row's ``events``; the engine writes them into the record's
provenance, so a reader can see where a guide acted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pretty_framework.options import Options, validate_options


class GuideOptions(Options):
    """Base of every guide's options (``pretty decode -G guide.key=value``)."""


class Vocabulary:
    """The foundation model's tokens as text, built once per backend and shared by every guide.

    ``texts[i]`` is token ``i`` as it reads in mid-sentence (SentencePiece's ``▁`` becomes a space);
    a byte-fallback piece of a multi-byte character reads as ``""``.
    """

    def __init__(self, texts: Sequence[str], encode: Callable[[str], list[int]],
                 decode: Callable[[Sequence[int]], str]):
        # a list, or a sequence that reads each token when asked (a server's tokenizer: see the openai backend)
        self.texts = texts if not isinstance(texts, (tuple, Iterator)) else list(texts)
        self._encode = encode
        self.decode = decode
        self._anchor = encode(".")
        #: per-guide caches keyed by the guide (masks over the vocabulary, for example)
        self.cache: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.texts)

    def continuation(self, text: str) -> list[int]:
        """Token ids of ``text`` written after other text (no BOS; a leading space stays a space)."""
        ids = self._encode("." + text)
        # a tokenizer that merges "." with the text cannot split them: the anchor stays then
        return ids[len(self._anchor) :] if ids[: len(self._anchor)] == self._anchor else ids

    def starts_word(self, token: int) -> bool:
        """Whether the token begins a new word (it starts with white space)."""
        text = self.texts[token] if 0 <= token < len(self.texts) else ""
        return text[:1].isspace()


@dataclass
class GuideRow:
    """One answer being written, as every guide sees it.

    ``committed`` holds the answer's tokens fixed before this round (the prior, earlier rounds and
    re-threaded insertions); ``tokens`` the ones written in this round, one appended per step.
    """

    source: str
    src_lang: str
    tgt_lang: str
    prior: str
    prior_ids: list[int]
    committed: list[int]
    tokens: list[int] = field(default_factory=list)
    #: what the guides did, in order (``{"guide": name, "action": ..., ...}``), for the record's provenance
    events: list[dict[str, Any]] = field(default_factory=list)
    #: each guide's own state for this row, by guide name
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def answer_ids(self) -> list[int]:
        """Every answer token so far (prior included)."""
        return self.committed + self.tokens

    def note(self, guide: str, action: str, **details: Any) -> None:
        """Record what ``guide`` did to this row."""
        self.events.append({"guide": guide, "action": action, **details})


@dataclass(frozen=True)
class Rethread:
    """A guide's request: cut the answer back to ``cut`` answer tokens and continue after ``insert``."""

    cut: int
    insert: list[int]


class Guide:
    """Base class of guides: set ``name``, ``description`` and ``Options``; override what the guide needs.

    One guide object serves a whole run. :meth:`bind` is called once per foundation model with its
    :class:`Vocabulary`; :meth:`adjust` gets each step's logits of one row (a 1-D float tensor over the
    vocabulary, changed in place); :meth:`rethread` is asked after each token is added.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    Options: ClassVar[type[GuideOptions]] = GuideOptions
    #: the guide works from the tokens written (:meth:`rethread`) and restricts steps only through
    #: :meth:`choices`: a backend without per-step logits (a completions server) can run it between requests
    between_requests: ClassVar[bool] = False

    def __init__(self, options: GuideOptions | None = None):
        self.options = options if options is not None else self.Options()
        self.vocab: Vocabulary | None = None

    @classmethod
    def from_options(cls, values: dict[str, Any]) -> Guide:
        """The guide from raw option values (for example from the CLI)."""
        return cls(validate_options(cls.Options, values, f"guide {cls.name!r}"))

    def applies(self, src_lang: str, tgt_lang: str) -> bool:
        """Whether the guide has anything to do for this pair (FLORES codes); default: yes."""
        return True

    def bind(self, vocab: Vocabulary) -> None:
        """Prepare for a foundation model (precompute masks over its vocabulary)."""
        self.vocab = vocab

    def start(self, row: GuideRow) -> None:
        """Set up this guide's state for a new answer (``row.state[self.name]``)."""

    def adjust(self, row: GuideRow, logits: Any) -> None:
        """Change the next token's logits of ``row`` in place. Default: nothing."""

    def rethread(self, row: GuideRow) -> Rethread | None:
        """After a token was added to ``row``: ``None``, or where to cut back and what to insert."""
        return None

    def choices(self, row: GuideRow) -> list[int] | None:
        """The tokens one of which ``row`` must write next, best first, or ``None`` (free). A guide that
        restricts steps only this way sets :attr:`between_requests`: a backend without per-step logits picks
        among the choices by their log-probabilities instead of calling :meth:`adjust`."""
        return None

    def describe(self) -> str:
        """The guide with its options as given, for the run signature."""
        from pretty_framework.io.signature import format_options

        options = format_options(self.options.model_dump(exclude_defaults=True))
        return self.name if options == "-" else f"{self.name}({options})"

    def close(self) -> None:
        """Free what the guide holds (a dictionary session)."""
