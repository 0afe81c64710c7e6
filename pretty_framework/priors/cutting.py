"""How a prior meets the prompt: cut to ``k`` tokens of the *foundation* model's tokenizer.

A prior is a few tokens of the expected answer. The provider that makes it may
tokenize differently from the foundation model (a dictionary has no tokenizer at
all), so the engine cuts every prior here, in :func:`join_prompt_and_prior`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

REPLACEMENT_CHAR = "\ufffd"


@dataclass(frozen=True)
class JoinedPrompt:
    """Token ids of prompt + prior, and where the answer (the prior) starts in them."""

    ids: list[int]
    answer_start: int  # index of the first token that belongs to the answer
    prior_text: str  # the prior as the model sees it after cutting, separator removed


def _common_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    length = 0
    for x, y in zip(a, b):
        if x != y:
            break
        length += 1
    return length


def join_prompt_and_prior(
    encode: Callable[[str], list[int]],
    decode: Callable[[Sequence[int]], str],
    prompt: str,
    prior: str | None,
    k: int | None,
    separator: str = " ",
) -> JoinedPrompt:
    """Encode ``prompt`` followed by ``prior`` cut to ``k`` foundation-model tokens.

    Prompt and prior are encoded *together*, once: encoding them apart leaves a
    stray space token at the end of the prompt and a second BOS before the
    prior. The prompt's own tokens are found as the longest common prefix with
    the prompt encoded alone; every token after it belongs to the answer. The
    cut never splits a character: byte-fallback tokens of one CJK character
    are kept together. ``k=None`` keeps the whole prior.
    """
    prompt_ids = encode(prompt)
    if not prior or not prior.strip():
        return JoinedPrompt(ids=prompt_ids, answer_start=len(prompt_ids), prior_text="")
    full_ids = encode(prompt + separator + prior.strip())
    start = _common_prefix_length(full_ids, prompt_ids)
    answer_ids = full_ids[start:]
    if k is None:
        keep = len(answer_ids)
    else:
        # If the prompt's last token merged with the prior's first, that token is
        # counted in the answer; give k one more so the prior keeps k tokens of its own.
        # A token that is only the separator (a lone space before byte-fallback
        # tokens) carries nothing of the prior and does not count towards k.
        lead = 0
        while lead < len(answer_ids) and not decode(answer_ids[: lead + 1]).strip():
            lead += 1
        keep = min(len(answer_ids), lead + k + (len(prompt_ids) - start))
        while keep < len(answer_ids) and decode(answer_ids[:keep]).endswith(REPLACEMENT_CHAR):
            keep += 1  # an unfinished multi-byte character: take its remaining bytes
    ids = full_ids[: start + keep]
    return JoinedPrompt(ids=ids, answer_start=start, prior_text=decode_answer(decode, ids, start).strip())


def decode_answer(decode: Callable[[Sequence[int]], str], ids: Sequence[int], answer_start: int) -> str:
    """Decode the answer part of ``ids`` as it reads in context.

    Decoding the answer tokens alone can drop or add a leading space
    (SentencePiece decoders strip the first token's space), so decode with the
    prompt and remove the prompt's text.
    """
    context = decode(ids[:answer_start])
    whole = decode(ids)
    if whole.startswith(context):
        return whole[len(context) :]
    return decode(ids[answer_start:])
