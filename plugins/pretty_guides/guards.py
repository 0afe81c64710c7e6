"""Guards: guides that lower the logits of tokens an answer should not write next.

- ``copy-guard``: after a copied source word, the next source word's first token (unless it is a name or
  number): a verbatim copy of the source stops at one word.
- ``script-guard``: for a target written in another script than the source, every token with a letter of the
  source's script (except the tokens of the source's names and numbers), and the letters of a neighbour
  language the target does not use (Russian ы for Ukrainian).
- ``loop-guard``: a token that would repeat an n-gram the answer already holds.
"""

from __future__ import annotations

from typing import Any

from pretty_framework.api import Guide, GuideOptions, GuideRow, resolve_language
from pretty_guides.words import FOREIGN_LETTERS, SCRIPT_NAMES, has_script_letter, source_words


class PenaltyOptions(GuideOptions):
    """How much a guard lowers a logit (subtracted; ``inf`` forbids the token outright)."""

    penalty: float = 10.0


class CopyGuard(Guide):
    """Stops a verbatim copy of the source after one word (names, numbers and symbols may still be copied)."""

    name = "copy-guard"
    description = ("penalise continuing a verbatim copy of the source: after a copied source word, the next "
                   "source word (names, numbers and symbols exempt)")
    Options = PenaltyOptions

    def start(self, row: GuideRow) -> None:
        words = source_words(row.source, self.vocab.continuation)
        # last token of a source word -> (that word's tokens, the next word's first token)
        follow: dict[int, list[tuple[tuple[int, ...], int]]] = {}
        for word, following in zip(words, words[1:]):
            if word.ids and following.ids and not following.keep:
                follow.setdefault(word.ids[-1], []).append((word.ids, following.ids[0]))
        row.state[self.name] = {"follow": follow, "penalised": 0}

    def adjust(self, row: GuideRow, logits: Any) -> None:
        state = row.state[self.name]
        answer = row.answer_ids
        if not answer:
            return
        for ids, next_token in state["follow"].get(answer[-1], ()):
            if tuple(answer[-len(ids):]) == ids:
                logits[next_token] -= self.options.penalty
                state["penalised"] += 1
                if state["penalised"] <= 20:  # the record shows where, not every step of a long answer
                    row.note(self.name, "penalised", at=len(answer) - len(row.prior_ids),
                             token=self.vocab.texts[next_token])


class ScriptOptions(PenaltyOptions):
    """Options of the script guard."""

    penalty: float = 10.0
    neighbour_letters: bool = True  # also penalise letters of a neighbour language (Russian ы for Ukrainian)


class ScriptGuard(Guide):
    """Keeps an answer in the target's script: source-script tokens other than the source's names cost."""

    name = "script-guard"
    description = ("for a target in another script than the source (zh, uk, ru, ar, hi, ...): penalise tokens "
                   "in the source's script except the source's names and numbers; and a neighbour language's "
                   "letters (ы for Ukrainian)")
    Options = ScriptOptions

    def applies(self, src_lang: str, tgt_lang: str) -> bool:
        return self._scripts(src_lang, tgt_lang) is not None or self._foreign(tgt_lang) != ""

    def _scripts(self, src_lang: str, tgt_lang: str) -> tuple[str, ...] | None:
        source, target = resolve_language(src_lang).script, resolve_language(tgt_lang).script
        names = SCRIPT_NAMES.get(source)
        if names is None or source == target or set(names) & set(SCRIPT_NAMES.get(target, ())):
            return None
        return names

    def _foreign(self, tgt_lang: str) -> str:
        return FOREIGN_LETTERS.get(resolve_language(tgt_lang).code, "") if self.options.neighbour_letters else ""

    def _bias(self, src_lang: str, tgt_lang: str, dtype: Any = None, device: Any = None) -> Any:
        """The penalty of every vocabulary token for this pair (a float tensor), built once per pair, and
        converted once per logits dtype and device (not once per row)."""
        import torch

        key = ("script-guard", src_lang, tgt_lang, self.options.penalty, self.options.neighbour_letters)
        if dtype is not None:
            converted = self.vocab.cache.get((*key, dtype, device))
            if converted is None:
                converted = self._bias(src_lang, tgt_lang).to(device=device, dtype=dtype)
                self.vocab.cache[(*key, dtype, device)] = converted
            return converted
        bias = self.vocab.cache.get(key)
        if bias is None:
            scripts, foreign = self._scripts(src_lang, tgt_lang) or (), set(self._foreign(tgt_lang))
            flagged = [i for i, text in enumerate(self.vocab.texts)
                       if (scripts and has_script_letter(text, scripts)) or (foreign and foreign & set(text))]
            bias = torch.zeros(len(self.vocab))
            bias[flagged] = -self.options.penalty
            self.vocab.cache[key] = bias
        return bias

    def start(self, row: GuideRow) -> None:
        bias = self._bias(row.src_lang, row.tgt_lang)
        # the source's names and numbers may be written as they are (JAS 39 Gripen in a Chinese answer)
        allowed = sorted({token for word in source_words(row.source, self.vocab.continuation) if word.keep
                          for token in (*word.ids, *self.vocab.continuation(word.text)) if bias[token] < 0})
        row.state[self.name] = {"allowed": allowed}

    def adjust(self, row: GuideRow, logits: Any) -> None:
        state = row.state[self.name]
        bias = self._bias(row.src_lang, row.tgt_lang, dtype=logits.dtype, device=logits.device)
        size = min(len(bias), logits.shape[-1])
        logits[:size] += bias[:size]
        if state["allowed"]:
            logits[state["allowed"]] += self.options.penalty


class LoopOptions(PenaltyOptions):
    """Options of the loop guard."""

    n: int = 4  # no n-gram of this many tokens twice in one answer


class LoopGuard(Guide):
    """Steers away from loops before they form: a token that would repeat an n-gram of the answer costs."""

    name = "loop-guard"
    description = "penalise a token that would repeat an n-gram (n tokens) the answer already holds"
    Options = LoopOptions

    def start(self, row: GuideRow) -> None:
        row.state[self.name] = {"penalised": 0}

    def adjust(self, row: GuideRow, logits: Any) -> None:
        n = self.options.n
        answer = row.answer_ids
        if n < 2 or len(answer) < n:
            return
        tail = answer[len(answer) - n + 1 :]
        banned = {answer[i + n - 1] for i in range(len(answer) - n + 1) if answer[i : i + n - 1] == tail}
        if banned:
            logits[sorted(banned)] -= self.options.penalty
            state = row.state[self.name]
            state["penalised"] += 1
            if state["penalised"] <= 20:
                row.note(self.name, "penalised", at=len(answer) - len(row.prior_ids),
                         tokens=[self.vocab.texts[token] for token in sorted(banned)])
