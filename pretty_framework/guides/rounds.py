"""Guided generation: one batch decoded with guides, in rounds when a guide re-threads a row.

A row a guide re-threads (cut back, a new prior inserted) leaves the batch at
once; the next round continues every such row from its prompt + the answer
kept + the insertion, until no row asks again. Each round's token budget is
what the row has left of ``max_new_tokens`` (inserted tokens count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pretty_framework.decoding.generation import Generation, GenerationSettings
from pretty_framework.guides.base import Guide, GuideRow, Vocabulary
from pretty_framework.guides.steering import Steering
from pretty_framework.io.records import Item
from pretty_framework.priors.cutting import JoinedPrompt

MAX_ROUNDS = 8  # a safety net: guides limit their own re-threading (reprime: max_insertions)


def vocabulary_of(backend: Any) -> Vocabulary:
    """The backend's :class:`Vocabulary`, built once per loaded model (kept on the backend object)."""
    vocab = getattr(backend, "_pretty_vocabulary", None)
    if vocab is None:
        texts = backend.token_texts() if hasattr(backend, "token_texts") else None
        if texts is None:
            texts = [backend.decode([i]) for i in range(backend.vocab_size)]
        vocab = Vocabulary(texts, backend.encode, backend.decode)
        backend._pretty_vocabulary = vocab
    return vocab


def guided_generate(backend: Any, guides: Sequence[Guide], items: Sequence[Item], prompts: Sequence[JoinedPrompt],
                    src_lang: str, tgt_lang: str, settings: GenerationSettings
                    ) -> tuple[list[Generation], list[list[dict[str, Any]]]]:
    """Continue ``prompts`` with ``guides`` acting; return each row's new tokens (all rounds, insertions
    included) with its last stop reason, and what the guides did to it."""
    vocab = vocabulary_of(backend)
    active = [guide for guide in guides if guide.applies(src_lang, tgt_lang)]
    for guide in active:
        if guide.vocab is not vocab:
            guide.bind(vocab)
    rows = []
    for item, joined in zip(items, prompts):
        prior_ids = joined.ids[joined.answer_start :]
        row = GuideRow(item.source, src_lang, tgt_lang, joined.prior_text, list(prior_ids), list(prior_ids))
        for guide in active:
            guide.start(row)
        rows.append(row)
    reasons = ["length"] * len(rows)
    pending = list(range(len(rows)))
    for round_number in range(MAX_ROUNDS):
        if not pending:
            break
        budgets = {i: settings.max_new_tokens - (len(rows[i].committed) - len(rows[i].prior_ids)) for i in pending}
        pending = [i for i in pending if budgets[i] > 0]
        if not pending:
            break
        steering = Steering(active, [rows[i] for i in pending])
        round_settings = replace(settings, max_new_tokens=max(budgets[i] for i in pending))
        generations = backend.generate([prompts[i].ids[: prompts[i].answer_start] + rows[i].committed
                                        for i in pending], round_settings, steering)
        again = []
        for j, i in enumerate(pending):
            row, generation = rows[i], generations[j]
            request = steering.rethreads.get(j)
            if generation.stop_reason == "rethread" and request is not None and round_number + 1 < MAX_ROUNDS:
                cut = max(len(row.prior_ids), min(request.cut, len(row.answer_ids)))
                row.committed = row.answer_ids[:cut] + list(request.insert)
                again.append(i)
            else:
                kept = generation.token_ids[: budgets[i]]
                row.committed = row.committed + kept
                reasons[i] = generation.stop_reason if len(kept) == len(generation.token_ids) else "length"
            row.tokens = []
        pending = again
    results = [Generation(row.committed[len(row.prior_ids) :], reason) for row, reason in zip(rows, reasons)]
    return results, [row.events for row in rows]
