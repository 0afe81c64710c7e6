"""POS tagging with the paper's JSON-array prompt (Appendix C.2) and a parser for what base models write.

The input is the item's word list (the ``words`` field UD treebanks give, else
the source split on whitespace). The expected answer is a JSON array of
one-pair objects, ``[{"Le": "DET"}, {"chat": "NOUN"}]``. A prior is the first
word's tag (k = 1, as in the paper): the task frames it as the start of that
array, ``[{"Le": "DET"}, ``, so the model continues the pattern.

Base models rarely write clean JSON: the parser reads pairs one at a time, so
an array cut by the length limit, prose around it, other pair shapes
(``{"word": w, "pos": t}``, ``["w", "t"]``) and stray text all give the pairs
they contain. An answer with no pair at all is a parse failure (``ok`` False),
which the scorer counts against recall, never drops.
"""

from __future__ import annotations

import json
import re

from pretty_framework.io.records import Item
from pretty_framework.tasks import ParsedOutput, Task, Template

UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
        "SCONJ", "SYM", "VERB", "X")

INSTRUCTION = (
    "Please provide the POS tags for each word in the input sentence. The input will be a list of words from the "
    "sentence. The output format should be a JSON array, where each key-value pair includes a word from the input "
    "list and its corresponding POS tag from the set of labels: [{labels}].\n"
    "Note: Your response should include only a JSON array, presented in the order that the words appear in the "
    "input sentence. Each key-value pair should contain the word and its POS label."
)

_STRING = r'"((?:[^"\\]|\\.)*)"'
_MEMBER = re.compile(_STRING + r"\s*:\s*" + _STRING)
# An object (possibly cut off at the end of the text) or a two-string array ["w", "t"], in text order.
_SHAPE = re.compile(r"(\{[^{}]*(?:\}|$))|\[\s*" + _STRING + r"\s*,\s*" + _STRING + r"\s*\]")
_WORD_KEYS = {"word", "token", "w", "text", "form"}
_UPOS = frozenset(UPOS)


def _unquote(text: str) -> str:
    try:
        return json.loads(f'"{text}"')
    except json.JSONDecodeError:
        return text


def _is_tag(value: str) -> bool:
    return value.strip().upper() in _UPOS


def _pair(word: str, tag: str) -> tuple[str, str]:
    # A swapped pair ({"DET": "Le"}) is read by which side is a UPOS tag.
    if not _is_tag(tag) and _is_tag(word):
        word, tag = tag, word
    return word, tag.strip().upper()


def parse_pairs(text: str) -> list[tuple[str, str]]:
    """Every (word, tag) pair in ``text``, in order; tags upper-cased.

    Reads what base models write for the paper's prompt: one-pair objects (``[{"Le": "DET"}, ...]``),
    objects holding many pairs (``{"Le": "DET", "chat": "NOUN"}``), ``{"word": w, "pos": t}`` objects
    with any key names, ``["w", "t"]`` arrays, arrays and objects cut by the length limit (complete
    members kept), prose around them. A value that is not a UPOS tag stays in the pair, so the scorer
    counts that word as wrongly tagged; :func:`valid_pairs` keeps only the UPOS ones.
    """
    pairs: list[tuple[str, str]] = []
    for match in _SHAPE.finditer(text):
        body, list_word, list_tag = match.groups()
        if body is None:
            pairs.append(_pair(_unquote(list_word), _unquote(list_tag)))
            continue
        members = [(_unquote(key), _unquote(value)) for key, value in _MEMBER.findall(body)]
        word_keys = [value for key, value in members if key.lower() in _WORD_KEYS]
        if len(members) == 2 and len(word_keys) == 1:  # {"word": w, "pos": t}, in either order
            tag = next(value for key, value in members if key.lower() not in _WORD_KEYS)
            pairs.append((word_keys[0], tag.strip().upper()))
        else:
            pairs.extend(_pair(key, value) for key, value in members)
    return pairs


def valid_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs whose tag is one of the 17 UPOS tags."""
    return [(word, tag) for word, tag in pairs if tag in _UPOS]


def format_pairs(pairs: list[tuple[str, str]]) -> str:
    """The canonical answer: a JSON array of one-pair objects."""
    return json.dumps([{word: tag} for word, tag in pairs], ensure_ascii=False)


def item_words(item: Item) -> list[str]:
    """The words to tag: the item's own tokenization when it has one."""
    words = item.fields.get("words")
    if isinstance(words, list) and all(isinstance(w, str) for w in words):
        return list(words)
    return item.source.split()


class PosTask(Task):
    """UPOS tagging of a word list; the answer is the JSON array of (word, tag) pairs."""

    name = "pos"
    default_k = 1  # the paper keeps only the first label as the prior
    default_template = "json"
    metrics = ("pos",)
    table_metrics = ("POS-P", "POS-F1")  # the paper's Table 3
    templates = {
        "json": Template("json", INSTRUCTION + "\nInput: {words_json}\nOutput:", separator=" ",
                         description="the paper's JSON-array instruction"),
    }
    # The array's end; a blank line catches a model that never closes it.
    stop_strings = ("]", "\n\n")

    def prompt(self, item: Item, src_lang: str, tgt_lang: str, template: str | None = None) -> str:
        words = item_words(item)
        values = {**item.fields, "source": item.source, "labels": ", ".join(UPOS),
                  "words_json": json.dumps(words, ensure_ascii=False)}
        return self.template(template).text.format(**values)

    def frame_prior(self, item: Item, prior: str) -> str:
        """A bare tag becomes ``[{"<first word>": "<TAG>"}, ``; a prior that is already JSON stays as it is."""
        prior = prior.strip()
        words = item_words(item)
        if not words or prior.startswith(("[", "{")):
            return prior
        # The comma says the array goes on: without it a small base model closes the array after one pair.
        more = ", " if len(words) > 1 else "]"
        return "[" + json.dumps({words[0]: prior.upper()}, ensure_ascii=False) + more

    def parse(self, text: str) -> ParsedOutput:
        pairs = parse_pairs(text)
        # every pair is kept (a non-UPOS tag is scored as wrong); an answer with no UPOS tag at all failed
        return ParsedOutput(answer=format_pairs(pairs), ok=bool(valid_pairs(pairs)))
