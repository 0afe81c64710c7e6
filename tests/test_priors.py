"""Cutting priors to k tokens of the foundation tokenizer, on two real tokenizer designs."""

import pytest

from pretty_framework.priors.cutting import REPLACEMENT_CHAR, decode_answer, join_prompt_and_prior

PROMPT = "English: The scientists announced a new tool.\nGerman Translation:"


def _codec(tokenizer):
    return (lambda text: tokenizer(text)["input_ids"], lambda ids: tokenizer.decode(list(ids), skip_special_tokens=True))


@pytest.fixture(params=["sp", "byte"])
def tokenizer(request, sp_tokenizer, byte_tokenizer):
    return {"sp": sp_tokenizer, "byte": byte_tokenizer}[request.param]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_prior_is_cut_to_k_tokens(tokenizer, k):
    encode, decode = _codec(tokenizer)
    joined = join_prompt_and_prior(encode, decode, PROMPT, "Die Wissenschaftler kündigten an", k)
    assert len(joined.ids) - joined.answer_start == k
    assert "Die Wissenschaftler kündigten an".startswith(joined.prior_text)
    assert joined.prior_text


def test_one_bos_and_no_stray_space_token(tokenizer):
    encode, decode = _codec(tokenizer)
    joined = join_prompt_and_prior(encode, decode, PROMPT, "Die", k=5)
    assert joined.ids.count(tokenizer.bos_token_id) == 1
    # The prompt's tokens are exactly the prompt encoded alone: no trailing space token.
    assert joined.ids[: joined.answer_start] == encode(PROMPT)
    # The separator space lives inside the prior's first token, as in natural text.
    assert decode_answer(decode, joined.ids, joined.answer_start) == " Die"
    naive = encode(PROMPT + " ") + encode("Die")
    assert naive.count(tokenizer.bos_token_id) == 2 and naive != joined.ids


def test_cjk_character_is_never_split(tokenizer):
    encode, decode = _codec(tokenizer)
    prior = "魑魅魍魉出现了"  # rare characters: several byte tokens each in both tokenizers
    first_char_tokens = len(encode(PROMPT + " 魑")) - len(encode(PROMPT))
    assert first_char_tokens > 1, "the test needs a character that is split into bytes"
    joined = join_prompt_and_prior(encode, decode, PROMPT, prior, k=1)
    assert joined.prior_text == "魑"
    assert REPLACEMENT_CHAR not in joined.prior_text
    assert len(joined.ids) - joined.answer_start == first_char_tokens


def test_prior_from_another_tokenizer_is_recut(sp_tokenizer, byte_tokenizer):
    """A provider's prior made with tokenizer A is cut to k tokens of foundation tokenizer B."""
    sp_encode, sp_decode = _codec(sp_tokenizer)
    byte_encode, byte_decode = _codec(byte_tokenizer)
    reference = "Am Montag haben die Wissenschaftler"
    provider_prior = sp_decode(sp_encode(reference)[1:6])  # 5 tokens of the provider's tokenizer
    joined = join_prompt_and_prior(byte_encode, byte_decode, PROMPT, provider_prior, k=2)
    assert len(joined.ids) - joined.answer_start == 2
    expected = byte_decode(byte_encode(PROMPT + " " + provider_prior)[len(byte_encode(PROMPT)):][:2]).strip()
    assert joined.prior_text == expected


def test_no_prior_leaves_the_prompt_alone(tokenizer):
    encode, decode = _codec(tokenizer)
    for empty in (None, "", "   "):
        joined = join_prompt_and_prior(encode, decode, PROMPT, empty, k=2)
        assert joined.ids == encode(PROMPT) and joined.answer_start == len(joined.ids) and joined.prior_text == ""


def test_uncut_prior_is_kept_whole(tokenizer):
    encode, decode = _codec(tokenizer)
    joined = join_prompt_and_prior(encode, decode, PROMPT, "Wissenschaftler", k=None)
    assert joined.prior_text == "Wissenschaftler"
