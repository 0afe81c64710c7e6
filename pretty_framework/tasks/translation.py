"""Machine translation with the paper's prompts (Appendix C.2)."""

from __future__ import annotations

from pretty_framework.tasks import ParsedOutput, Task, Template


class TranslationTask(Task):
    """Translate one sentence; the answer is the first line the model writes."""

    name = "translation"
    default_k = 2  # the paper uses two prior tokens for MT
    default_template = "prompting"
    metrics = ("bleu", "chrf", "langid")
    table_metrics = ("BLEU", "chrF")  # the paper's Table 1
    templates = {
        "normal": Template(
            "normal",
            "Translate the following sentences from {src_name} to {tgt_name}. {source}\n",
            separator="",
            description="the paper's 'Normal' instruction; the answer starts on the next line",
        ),
        "prompting": Template(
            "prompting",
            "{src_name}: {source}\n{tgt_name} Translation:",
            separator=" ",
            description="the paper's 'Prompting' template, the better one for foundation models",
        ),
    }
    stop_strings = ("\n",)
    supports_shots = True

    def parse(self, text: str) -> ParsedOutput:
        answer = text.strip().split("\n", 1)[0].strip()
        return ParsedOutput(answer=answer, ok=bool(answer))
