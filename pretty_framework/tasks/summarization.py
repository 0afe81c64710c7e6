"""Cross-lingual summarization with the paper's prompt (Appendix C.2) and its constant one-shot demonstration.

The paper found that even SFT models write no stable summary zero-shot, so it
prepends one constant demonstration to every input. Ours is a short English
article with its one-line summary written in the target language; a target
language without a demonstration is an error that lists those that have one
(the ``zero-shot`` template needs none). A plugin can register a
:class:`SummarizationTask` with its own demonstrations under another name.
"""

from __future__ import annotations

from collections.abc import Mapping

from pretty_framework.errors import UnknownNameError
from pretty_framework.io.records import Item
from pretty_framework.languages import language_name, resolve_language
from pretty_framework.tasks import ParsedOutput, Task, Template

INSTRUCTION = ("Please write a concise summary of the text, return your responses with one line that cover "
               "the key points of the text.")
QUERY = "Input: {source}\nOutput: {tgt_name} Summary:"

DEMONSTRATION_ARTICLE = (
    "The city council of Springfield voted on Tuesday to build a new public library in the town centre. "
    "The building will cost 12 million dollars and is expected to open in 2027. Supporters say the library "
    "will give young people a quiet place to study, while critics worry about the cost."
)
# The demonstration's summary in each target language, keyed by FLORES-200 code.
DEMONSTRATION_SUMMARIES = {
    "eng_Latn": "Springfield's council approved a 12-million-dollar public library that should open in 2027.",
    "deu_Latn": "Der Stadtrat von Springfield hat eine öffentliche Bibliothek für 12 Millionen Dollar beschlossen, "
                "die 2027 eröffnen soll.",
    "fra_Latn": "Le conseil municipal de Springfield a approuvé une bibliothèque publique de 12 millions de dollars "
                "qui devrait ouvrir en 2027.",
    "spa_Latn": "El ayuntamiento de Springfield aprobó una biblioteca pública de 12 millones de dólares que abrirá "
                "en 2027.",
    "por_Latn": "A câmara municipal de Springfield aprovou uma biblioteca pública de 12 milhões de dólares, que deve "
                "abrir em 2027.",
    "zho_Hans": "斯普林菲尔德市议会批准建造一座耗资1200万美元的公共图书馆，预计于2027年开放。",
    "ukr_Cyrl": "Міська рада Спрінгфілда схвалила будівництво публічної бібліотеки вартістю 12 мільйонів доларів, "
                "яка має відкритися у 2027 році.",
    "rus_Cyrl": "Городской совет Спрингфилда одобрил строительство публичной библиотеки стоимостью 12 миллионов "
                "долларов, которая должна открыться в 2027 году.",
}


class SummarizationTask(Task):
    """Summarize a document in the target language; the answer is the first line the model writes."""

    name = "summarization"
    default_k = 2  # the paper's k for both cross-lingual tasks
    default_template = "one-shot"
    metrics = ("rouge", "chrf", "langid")
    table_metrics = ("ROUGE-2", "ROUGE-L")  # the paper's Table 2
    templates = {
        "one-shot": Template("one-shot", f"{INSTRUCTION}\n{QUERY}", separator=" ",
                             description="the paper's prompt after its constant one-shot demonstration"),
        "zero-shot": Template("zero-shot", f"{INSTRUCTION}\n{QUERY}", separator=" ",
                              description="the paper's prompt alone"),
    }
    stop_strings = ("\n",)

    def __init__(self, demonstrations: Mapping[str, str] | None = None, article: str = DEMONSTRATION_ARTICLE):
        self.demonstrations = dict(DEMONSTRATION_SUMMARIES if demonstrations is None else demonstrations)
        self.article = article

    def prompt(self, item: Item, src_lang: str, tgt_lang: str, template: str | None = None) -> str:
        query = super().prompt(item, src_lang, tgt_lang, template)
        if self.template(template).name == "zero-shot":
            return query
        return self.demonstration(tgt_lang) + query

    def demonstration(self, tgt_lang: str) -> str:
        """The constant demonstration (instruction, article, summary) for ``tgt_lang``, ending in a blank line."""
        code = resolve_language(tgt_lang).code
        if code not in self.demonstrations:
            raise UnknownNameError("summarization demonstration language (use --template zero-shot, or register "
                                   "a SummarizationTask with your own demonstrations)", tgt_lang, self.demonstrations)
        query = QUERY.format(source=self.article, tgt_name=language_name(code))
        return f"{INSTRUCTION}\n{query} {self.demonstrations[code]}\n\n"

    def parse(self, text: str) -> ParsedOutput:
        answer = text.strip().split("\n", 1)[0].strip()
        return ParsedOutput(answer=answer, ok=bool(answer))
