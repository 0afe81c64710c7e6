"""Tiny tokenizers and models built by the tests themselves (no hub, a second or two)."""

from __future__ import annotations

import json
from pathlib import Path

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]


def _train(tokenizer, lines: list[str], vocab_size: int, **trainer_args):
    from tokenizers import trainers

    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, show_progress=False, **trainer_args)
    tokenizer.train_from_iterator(lines, trainer=trainer)
    return tokenizer


def _with_bos(tokenizer):
    from tokenizers import processors

    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", tokenizer.token_to_id("<s>"))]
    )
    return tokenizer


def sentencepiece_style(lines: list[str], vocab_size: int = 700):
    """A Llama/Gemma-style BPE: '▁' for spaces and byte fallback for characters it lacks.

    ``limit_alphabet`` keeps most CJK characters out of the vocabulary, so they
    are encoded as several byte tokens, as Gemma does for rare characters.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Replace(" ", "▁")
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never")
    _train(tokenizer, lines, vocab_size, limit_alphabet=120)
    spec = json.loads(tokenizer.to_str())
    vocab = spec["model"]["vocab"]
    for byte in range(256):
        vocab.setdefault(f"<0x{byte:02X}>", len(vocab))
    spec["model"]["byte_fallback"] = True
    spec["model"]["unk_token"] = None
    tokenizer = Tokenizer.from_str(json.dumps(spec))
    tokenizer.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()])
    return _with_bos(tokenizer)


def byte_level(lines: list[str], vocab_size: int = 600):
    """A GPT-2-style byte-level BPE: a CJK character is several byte tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    _train(tokenizer, lines, vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    return _with_bos(tokenizer)


def wrap(tokenizer):
    """A transformers tokenizer around a ``tokenizers`` object."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )


def save_tiny_llama(folder: Path, hf_tokenizer, *, seed: int = 0, max_positions: int = 256, extra_vocab: int = 0) -> Path:
    """A 2-layer Llama with random weights and ``hf_tokenizer``, saved as a model folder.

    ``extra_vocab`` pads the embedding matrix past the tokenizer, as many released models do.
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(hf_tokenizer) + extra_vocab,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=hf_tokenizer.bos_token_id,
        eos_token_id=hf_tokenizer.eos_token_id,
        pad_token_id=hf_tokenizer.pad_token_id,
        initializer_range=0.3,  # well-separated logits: greedy choices do not hinge on rounding
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    hf_tokenizer.save_pretrained(folder)
    return folder


def save_tiny_m2m100(folder: Path, hf_tokenizer, language_tags: list[str], *, seed: int = 0) -> Path:
    """A 1+1-layer M2M100 (the NLLB architecture) with language tags added to ``hf_tokenizer``."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    hf_tokenizer.add_special_tokens({"additional_special_tokens": language_tags})
    torch.manual_seed(seed)
    config = M2M100Config(
        vocab_size=len(hf_tokenizer), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=256,
        pad_token_id=hf_tokenizer.pad_token_id, bos_token_id=hf_tokenizer.bos_token_id,
        eos_token_id=hf_tokenizer.eos_token_id, decoder_start_token_id=hf_tokenizer.eos_token_id, init_std=0.3,
    )
    model = M2M100ForConditionalGeneration(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    hf_tokenizer.save_pretrained(folder)
    return folder


def save_tiny_mt5(folder: Path, hf_tokenizer, langid_map: dict[str, str], *, seed: int = 0) -> Path:
    """A 1+1-layer mT5 with a CrossSum-style ``langid_map`` (language name -> start token)."""
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration

    hf_tokenizer.add_special_tokens({"additional_special_tokens": sorted(set(langid_map.values()))})
    torch.manual_seed(seed)
    config = MT5Config(
        vocab_size=len(hf_tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_decoder_layers=1, num_heads=2,
        pad_token_id=hf_tokenizer.pad_token_id, eos_token_id=hf_tokenizer.eos_token_id,
        decoder_start_token_id=hf_tokenizer.pad_token_id, initializer_factor=3.0,
        task_specific_params={"langid_map": {name: [i, token] for i, (name, token) in enumerate(langid_map.items())}},
    )
    model = MT5ForConditionalGeneration(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    hf_tokenizer.save_pretrained(folder)
    return folder


def save_tiny_xlmr_tagger(folder: Path, hf_tokenizer, labels: tuple[str, ...], *, seed: int = 0) -> Path:
    """A 1-layer XLM-RoBERTa token classifier with the given labels (UPOS)."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForTokenClassification

    torch.manual_seed(seed)
    config = XLMRobertaConfig(
        vocab_size=len(hf_tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=260, pad_token_id=hf_tokenizer.pad_token_id,
        id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)},
        initializer_range=0.5,
    )
    model = XLMRobertaForTokenClassification(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    hf_tokenizer.save_pretrained(folder)
    return folder
