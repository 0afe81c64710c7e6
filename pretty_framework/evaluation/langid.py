"""Which language an output is in: the paper's target-language success rate (Appendix C.3).

Language identifiers are plugins (the ``register_language_identifiers`` hook).
Two are built in: ``py3langid`` (the default: 140 languages, among them Swahili,
Yoruba, Hausa, Igbo and Zulu) and ``langdetect`` (55 languages, seeded; what the
paper and our first results used). langdetect labels Yoruba, Hausa, Zulu,
Esperanto and Basque text as Vietnamese, Indonesian, Swahili, Estonian and
Croatian, which made the rate 0 % without a word: an identifier now says which
languages it knows, and for any other target the rate is *unavailable*
(:class:`MetricUnavailable`, with the reason), never 0 %.

Both share one correction: text that is mostly Han characters is Chinese by its
script (identifiers often call short Han strings Korean, German or Wu Chinese).
``$PRETTY_LANGID`` names the identifier the ``langid`` metric uses by default.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Callable, Iterable, Sequence
from functools import cache, cached_property
from typing import TYPE_CHECKING, ClassVar

from pretty_framework.errors import MetricUnavailable, UnknownNameError
from pretty_framework.languages import Language, resolve_language

if TYPE_CHECKING:
    from pretty_framework.plugin.registry import Registry

UNKNOWN = "unknown"
DEFAULT_IDENTIFIER = "py3langid"
IDENTIFIER_ENV = "PRETTY_LANGID"
_HAN_SHARE = 0.5


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff" or "\u3400" <= character <= "\u4dbf"


def _canonical(label: str | None) -> str | None:
    """The canonical code of an identifier's label ('ar' -> arb_Arab); None for 'no language' labels."""
    if not label:
        return None
    try:
        return resolve_language(label).code
    except UnknownNameError:
        return None


class LanguageIdentifier(abc.ABC):
    """Base of language identifiers: subclasses name their labels and classify texts.

    ``name`` is the key users give (``pretty languages --langid NAME``,
    ``$PRETTY_LANGID``); ``package`` is the distribution whose version the
    signature names; ``settings`` are extra signature fields (``seed:0``);
    ``also_known`` lists canonical codes the identifier recognises beyond its
    labels' own (its ``zh`` covers both Chinese scripts).
    """

    name: ClassVar[str]
    package: ClassVar[str]
    description: ClassVar[str] = ""
    settings: ClassVar[str] = ""
    also_known: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def labels(self) -> Iterable[str]:
        """Every label :meth:`classify` can return (ISO 639 codes or any spelling ``resolve_language`` accepts)."""

    @abc.abstractmethod
    def classify(self, texts: Sequence[str]) -> list[str | None]:
        """One label per text, in order; None where the identifier gives no answer."""

    @cached_property
    def known(self) -> frozenset[str]:
        """The canonical codes (``ibo_Latn``) of every language this identifier can recognise."""
        return frozenset(filter(None, map(_canonical, self.labels()))) | self.also_known

    def supports(self, code: str) -> bool:
        """Whether the identifier can recognise ``code`` (any accepted spelling) in its FLORES script."""
        return resolve_language(code).code in self.known

    def identify(self, texts: Sequence[str]) -> list[str]:
        """The canonical code of each text's language, or ``unknown`` (no letters, or a label we cannot name)."""
        texts = list(texts)
        with_letters = [i for i, text in enumerate(texts) if any(c.isalpha() for c in text)]
        labels = self.classify([texts[i] for i in with_letters]) if with_letters else []
        found = [UNKNOWN] * len(texts)
        for i, label in zip(with_letters, labels):
            code = _canonical(label)
            letters = [c for c in texts[i] if c.isalpha()]
            if sum(map(_is_han, letters)) / len(letters) > _HAN_SHARE and (code is None or code[:3] != "yue"):
                code = "zho_Hans"  # Han script: Chinese, whatever the statistics say (Cantonese excepted)
            found[i] = code or UNKNOWN
        return found

    def version(self) -> str:
        """The installed version of :attr:`package`."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.package)
        except PackageNotFoundError:
            return "unknown"

    def signature(self) -> str:
        """What makes a rate reproducible: identifier, version, settings, the Han rule."""
        fields = ["langid", f"{self.name}-{self.version()}", self.settings, "han-rule"]
        return "|".join(field for field in fields if field)


class Py3LangidIdentifier(LanguageIdentifier):
    """py3langid's naive Bayes model (shipped in the package, offline): 140 languages."""

    name = "py3langid"
    package = "py3langid"
    description = "py3langid 0.4+: 140 languages, Swahili, Yoruba, Hausa, Igbo, Zulu among them (the default)"
    also_known = frozenset({"zho_Hant"})  # trained on Chinese in both scripts; the Han rule decides anyway

    @cached_property
    def _model(self):
        from py3langid.langid import MODEL_FILE
        from py3langid.langid import LanguageIdentifier as Model

        return Model.from_model_file(MODEL_FILE)

    def labels(self) -> Iterable[str]:
        return [label for label in self._model.labels if label != "zxx"]  # zxx: "no linguistic content"

    def classify(self, texts: Sequence[str]) -> list[str | None]:
        labels = [self._model.classify(text)[0] for text in texts]
        return [None if label in ("zxx", "und") else label for label in labels]


class LangdetectIdentifier(LanguageIdentifier):
    """langdetect (a port of Google's language-detection), seeded: 55 languages; the paper's identifier."""

    name = "langdetect"
    package = "langdetect"
    description = "langdetect, seeded (55 languages; the paper's Appendix C.3 and our first results)"
    settings = "seed:0"

    def labels(self) -> Iterable[str]:
        from langdetect.detector_factory import PROFILES_DIRECTORY

        return sorted(os.listdir(PROFILES_DIRECTORY))

    def classify(self, texts: Sequence[str]) -> list[str | None]:
        from langdetect import DetectorFactory, LangDetectException, detect

        labels: list[str | None] = []
        for text in texts:
            DetectorFactory.seed = 0  # the same text always gets the same answer
            try:
                labels.append(detect(text))
            except LangDetectException:
                labels.append(None)
        return labels


BUILTIN_IDENTIFIERS: tuple[type[LanguageIdentifier], ...] = (Py3LangidIdentifier, LangdetectIdentifier)


def default_identifier_name() -> str:
    """``$PRETTY_LANGID`` or ``py3langid``."""
    return os.environ.get(IDENTIFIER_ENV) or DEFAULT_IDENTIFIER


# Where registered identifiers are: the plugin manager hands over the process-wide registry when it builds it.
# (It cannot be imported from here: the manager loads the built-in metrics, which use this module.)
_registry_source: Callable[[], Registry[LanguageIdentifier]] | None = None


def set_identifier_source(source: Callable[[], Registry[LanguageIdentifier]] | None) -> None:
    """Called by the plugin manager: ``source()`` returns the registry the identifier hook filled."""
    global _registry_source
    _registry_source = source


@cache
def _builtin(name: str) -> LanguageIdentifier:
    by_name = {identifier.name: identifier for identifier in BUILTIN_IDENTIFIERS}
    if name not in by_name:
        raise UnknownNameError("language identifier", name, by_name)
    return by_name[name]()


def get_identifier(name: str | None = None) -> LanguageIdentifier:
    """The registered identifier ``name`` (default: :func:`default_identifier_name`).

    Before the plugins are loaded (library use without the CLI) only the built-in ones are known.
    """
    name = name or default_identifier_name()
    if _registry_source is None:
        return _builtin(name)
    return _registry_source().get(name)


def _identifier(identifier: LanguageIdentifier | str | None) -> LanguageIdentifier:
    return identifier if isinstance(identifier, LanguageIdentifier) else get_identifier(identifier)


def detect_language(text: str, identifier: LanguageIdentifier | str | None = None) -> str:
    """The ISO 639-3 code of ``text``'s language (``zho`` for Chinese), or ``unknown``."""
    code = _identifier(identifier).identify([text])[0]
    return code if code == UNKNOWN else resolve_language(code).iso3


def unsupported_reason(identifier: LanguageIdentifier, language: Language) -> str:
    """Why the rate cannot be measured for ``language``, and what to do."""
    return (f"the language identifier {identifier.name} does not know {language.name} ({language.code}), so it "
            f"would call every output another language; the target-language rate is unavailable. "
            f"`pretty languages --langid NAME` shows what an identifier knows")


def target_language_hits(outputs: Sequence[str], target: str,
                         identifier: LanguageIdentifier | str | None = None) -> list[bool]:
    """For each output, whether it is in ``target`` (any accepted code).

    Raises :class:`MetricUnavailable` when the identifier does not know the target.
    """
    chosen = _identifier(identifier)
    language = resolve_language(target)
    if not chosen.supports(language.code):
        raise MetricUnavailable(unsupported_reason(chosen, language))
    return [code != UNKNOWN and resolve_language(code).iso3 == language.iso3 for code in chosen.identify(outputs)]


def target_language_rate(outputs: Sequence[str], target: str,
                         identifier: LanguageIdentifier | str | None = None) -> float:
    """Share of ``outputs`` written in ``target``; :class:`MetricUnavailable` where the identifier cannot tell."""
    if not outputs:
        raise ValueError("no outputs to identify")
    hits = target_language_hits(outputs, target, identifier)
    return sum(hits) / len(hits)
