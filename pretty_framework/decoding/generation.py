"""Generation settings and the per-sequence stop rules every backend applies.

The rules are plain Python over token ids, so that every backend (transformers
here, llama.cpp or vLLM as plugins) stops sequences the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pretty_framework.errors import OptionsError

if TYPE_CHECKING:
    from pretty_framework.guides.steering import Steering


@dataclass(frozen=True)
class GenerationSettings:
    """How to continue a prompt: greedy by default, sampling when ``do_sample``."""

    max_new_tokens: int = 128
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    seed: int | None = None
    stop_strings: tuple[str, ...] = ()
    repetition_guard: bool = True
    # A loop is a unit of 1..loop_max_period tokens repeated back to back at least
    # loop_min_repeats times and covering at least loop_min_tokens tokens.
    loop_max_period: int = 16
    loop_min_repeats: int = 3
    loop_min_tokens: int = 12

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise OptionsError(f"max_new_tokens must be at least 1, got {self.max_new_tokens}")
        if self.temperature <= 0:
            raise OptionsError(f"temperature must be positive, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise OptionsError(f"top_p must be in (0, 1], got {self.top_p}")

    def describe(self) -> str:
        """A short string for the run signature."""
        if not self.do_sample:
            return "greedy"
        return f"sample(t={self.temperature},p={self.top_p},k={self.top_k},seed={self.seed})"

    def describe_repetition_guard(self) -> str:
        """The repetition guard for the run signature: ``off``, or ``on(period,repeats,tokens)``."""
        if not self.repetition_guard:
            return "off"
        return f"on({self.loop_max_period},{self.loop_min_repeats},{self.loop_min_tokens})"


@dataclass(frozen=True)
class Generation:
    """New tokens for one sequence and why generation stopped."""

    token_ids: list[int]
    stop_reason: str  # "stop_string", "repetition", "eos", "length", "rethread" (a guide asked to re-thread)


def find_loop(tokens: Sequence[int], max_period: int, min_repeats: int, min_tokens: int) -> int | None:
    """Return where a trailing loop's *second* repeat starts, or ``None`` if there is none.

    ``tokens[:returned]`` keeps the text before the loop and one copy of the
    repeated unit, so "Le 76-1111111111111" becomes "Le 76-1".
    """
    n = len(tokens)
    for period in range(1, max_period + 1):
        repeats_needed = max(min_repeats, -(-min_tokens // period))
        span = period * repeats_needed
        if span > n:
            continue
        unit = tokens[n - period :]
        if all(tokens[n - span + i] == unit[i % period] for i in range(span)):
            # Walk back to the start of the whole loop, then keep one unit of it.
            start = n - span
            while start - period >= 0 and list(tokens[start - period : start]) == list(unit):
                start -= period
            return start + period
    return None


STOP_WINDOW = 8  # tokens decoded to look for a stop string


class StopWatcher:
    """Decides, token by token, when each sequence of a batch is done.

    Backends feed it each step's new tokens with :meth:`step`; it records the
    stop reason and the number of tokens to keep for each sequence.
    """

    def __init__(
        self,
        batch_size: int,
        settings: GenerationSettings,
        decode: Callable[[Sequence[int]], str],
        eos_ids: Sequence[int] = (),
        steering: Steering | None = None,
    ):
        self.settings = settings
        self.steering = steering
        self.decode = decode
        self.eos_ids = frozenset(eos_ids)
        self.tokens: list[list[int]] = [[] for _ in range(batch_size)]
        self.keep: list[int | None] = [None] * batch_size
        self.reasons: list[str | None] = [None] * batch_size
        self.rollbacks: dict[int, int] = {}

    def done(self, row: int) -> bool:
        return self.reasons[row] is not None

    def all_done(self) -> bool:
        return all(reason is not None for reason in self.reasons)

    def step(self, new_tokens: Sequence[int]) -> list[bool]:
        """Add one token per sequence; return which sequences are finished.

        With guides, a guide may ask to cut a row back (:meth:`take_rollbacks` tells the backend's loop by how
        many tokens) or, where the loop cannot cut back, the row finishes as ``rethread`` for a new round.
        """
        for row, token in enumerate(new_tokens):
            if self.done(row):
                continue
            tokens = self.tokens[row]
            tokens.append(int(token))
            # guides first: a drift that ends the line is still cut back
            if self.steering is not None and self._steer(row, int(token)):
                continue
            self._check(row, tokens)
        return [reason is not None for reason in self.reasons]

    def _steer(self, row: int, token: int) -> bool:
        """Let the guides see ``token``; True when one asked to cut the row back (handled here)."""
        request = self.steering.observe(row, token)
        if request is None:
            return False
        drop = self.steering.cut_back(row, request) if self.steering.rollback_in_loop else None
        if drop is None:  # the loop cannot cut back (or the cut reaches an earlier round): a new round
            self._finish(row, "rethread", len(self.tokens[row]))
        else:
            del self.tokens[row][len(self.tokens[row]) - drop :]
            self.rollbacks[row] = drop
        return True

    def take_rollbacks(self) -> dict[int, int]:
        """Rows a guide cut back at the last step, with how many of their newest tokens were dropped (the token
        of that step included): the loop must forget them (and continue after the last kept token)."""
        rollbacks, self.rollbacks = self.rollbacks, {}
        return rollbacks

    def _check(self, row: int, tokens: list[int]) -> None:
        settings = self.settings
        if tokens[-1] in self.eos_ids:
            self._finish(row, "eos", len(tokens) - 1)
        elif settings.stop_strings and self._has_stop_string(tokens):
            self._finish(row, "stop_string", len(tokens))
        elif settings.repetition_guard and (
            cut := find_loop(tokens, settings.loop_max_period, settings.loop_min_repeats, settings.loop_min_tokens)
        ) is not None:
            self._finish(row, "repetition", cut)
        elif len(tokens) >= settings.max_new_tokens:
            self._finish(row, "length", len(tokens))

    def _has_stop_string(self, tokens: list[int]) -> bool:
        # Earlier tokens were checked at earlier steps: only a stop string that ends
        # in the newest token is new, and stop strings are a few tokens long at most.
        tail = self.decode(tokens[-STOP_WINDOW:])
        return any(stop in tail for stop in self.settings.stop_strings)

    def _finish(self, row: int, reason: str, keep: int) -> None:
        self.reasons[row] = reason
        self.keep[row] = keep

    def results(self) -> list[Generation]:
        """The kept tokens and stop reason of every sequence."""
        out = []
        for tokens, keep, reason in zip(self.tokens, self.keep, self.reasons):
            out.append(Generation(token_ids=tokens[: keep if keep is not None else len(tokens)], stop_reason=reason or "length"))
        return out


def shared_prefix(prompts: Sequence[Sequence[int]], held: Sequence[int], minimum: int) -> list[int]:
    """The token prefix a backend should cache for ``prompts``: ``held`` when every prompt still starts with
    it, else their common prefix when it is at least ``minimum`` tokens (else none).

    Each prompt keeps at least one token of its own after the prefix: its logits come from that token.
    """
    shortest = min(len(p) for p in prompts) - 1
    held = list(held)
    if held and len(held) <= shortest and all(list(p[: len(held)]) == held for p in prompts):
        return held
    if len(prompts) < 2:
        return []
    length = 0
    first = prompts[0]
    while length < shortest and all(p[length] == first[length] for p in prompts):
        length += 1
    return list(first[:length]) if length >= minimum else []
