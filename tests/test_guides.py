"""Guides: selection, the step interface, re-threading rounds, the built-in guards and re-priming."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import torch
from click.testing import CliRunner

from pretty_framework.decoding.generation import Generation, GenerationSettings, StopWatcher
from pretty_framework.errors import OptionsError, UnknownNameError
from pretty_framework.guides.base import Guide, GuideRow, Rethread, Vocabulary
from pretty_framework.guides.rounds import guided_generate
from pretty_framework.guides.select import DEFAULT_GUIDES, parse_guide_options, resolve_guides
from pretty_framework.guides.steering import Steering
from pretty_framework.io.records import Item
from pretty_framework.priors.cutting import JoinedPrompt

INSTALLED = ["copy-guard", "script-guard", "loop-guard", "reprime"]


class WordTokenizer:
    """A word-level tokenizer over a fixed word list: token i reads " word" (id 0 is "." , 1 is BOS)."""

    def __init__(self, words: Sequence[str]):
        self.words = [".", "<bos>", "<unk>"] + list(dict.fromkeys(words))
        self.ids = {word: i for i, word in enumerate(self.words)}

    def encode(self, text: str) -> list[int]:
        ids = [1]
        for piece in text.replace(".", " . ").split():
            ids.append(self.ids.get(piece, 2))
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        return "".join("" if i == 1 else ("." if i == 0 else " " + self.words[i]) for i in ids)

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(["." if i == 0 else "" if i == 1 else " " + w for i, w in enumerate(self.words)],
                          self.encode, self.decode)


def row_for(tokenizer: WordTokenizer, source: str, answer: str, src="eng_Latn", tgt="deu_Latn") -> GuideRow:
    ids = tokenizer.encode(answer)[1:]
    return GuideRow(source, src, tgt, prior=answer.split()[0], prior_ids=ids[:1], committed=ids)


# -- selection ---------------------------------------------------------------------------------
def test_default_none_and_names_resolve():
    assert resolve_guides(None, installed=INSTALLED) == tuple((name, {}) for name in DEFAULT_GUIDES)
    assert resolve_guides(["none"], installed=INSTALLED) == ()
    assert resolve_guides(["loop-guard,copy-guard"], {"loop-guard": {"n": 3}}, installed=INSTALLED) == (
        ("loop-guard", {"n": 3}), ("copy-guard", {}))


def test_bad_guide_choices_are_clear_errors():
    with pytest.raises(UnknownNameError, match="copy-guard"):
        resolve_guides(["copy-gaurd"], installed=INSTALLED)
    with pytest.raises(OptionsError, match="none cannot go with"):
        resolve_guides(["none", "loop-guard"], installed=INSTALLED)
    with pytest.raises(OptionsError, match="not used: reprime"):
        resolve_guides(["loop-guard"], {"reprime": {"max_insertions": 1}}, installed=INSTALLED)
    with pytest.raises(OptionsError, match="guide.key=value"):
        parse_guide_options(["penalty=3"])
    assert parse_guide_options(["loop-guard.n=3", "copy-guard.penalty=inf"]) == {
        "loop-guard": {"n": 3}, "copy-guard": {"penalty": "inf"}}


def test_guide_options_are_typed(plugins):
    guide_class = plugins.guides.get("loop-guard")
    assert guide_class.from_options({"n": "3"}).options.n == 3
    with pytest.raises(OptionsError, match="loop-guard.*options: penalty, n"):
        guide_class.from_options({"size": 3})


# -- the step interface and rounds ---------------------------------------------------------------
class ForbidGuide(Guide):
    name = "forbid"

    def __init__(self, token: int):
        super().__init__()
        self.token = token

    def adjust(self, row, logits):
        if logits[self.token] > float("-inf") and not row.events:
            row.note(self.name, "forbidden", at=len(row.answer_ids) - len(row.prior_ids))
        logits[self.token] = float("-inf")


class CutAfterGuide(Guide):
    """Asks once per row: when token ``trigger`` is written, cut it and insert ``insert``."""

    name = "cut-after"

    def __init__(self, trigger: int, insert: list[int]):
        super().__init__()
        self.trigger, self.insert = trigger, insert

    def start(self, row):
        row.state[self.name] = False

    def rethread(self, row):
        if row.answer_ids[-1] == self.trigger and not row.state[self.name]:
            row.state[self.name] = True
            row.note(self.name, "inserted")
            return Rethread(cut=len(row.answer_ids) - 1, insert=self.insert)
        return None


class ScriptedBackend:
    """Writes, after any prompt, the tokens 10, 11, 12, ... in order, choosing by logits (guides can steer it)."""

    name = "scripted"
    supports_guides = True
    vocab_size = 40

    def __init__(self):
        self.calls: list[list[list[int]]] = []

    def encode(self, text):
        return [1] + [0 if t == "." else int(t) for t in text.replace(".", " . ").split()]

    def decode(self, ids):
        return " ".join(str(i) for i in ids if i != 1)

    def token_texts(self):
        return [f" {i}" for i in range(self.vocab_size)]

    def generate(self, prompts, settings, steering=None):
        self.calls.append([list(p) for p in prompts])
        watcher = StopWatcher(len(prompts), settings, self.decode, eos_ids=[39], steering=steering)
        lengths = [len(p) for p in prompts]
        live = list(range(len(prompts)))
        while live:
            logits = torch.full((len(live), self.vocab_size), -10.0)
            for i, row in enumerate(live):
                logits[i, min(10 + lengths[row] + len(watcher.tokens[row]) - len(prompts[row]), 39)] = 0.0
            if steering is not None:
                logits = steering.adjust(live, logits)
            tokens = logits.argmax(-1).tolist()
            step = [0] * len(prompts)
            for row, token in zip(live, tokens):
                step[row] = token
            done = watcher.step(step)
            live = [row for row in live if not done[row]]
        return watcher.results()


def test_steering_adjusts_the_live_rows_only():
    forbid = ForbidGuide(3)
    rows = [GuideRow("a", "eng_Latn", "deu_Latn", "", [], []) for _ in range(3)]
    steering = Steering([forbid], rows)
    logits = steering.adjust([0, 2], torch.zeros(2, 5))
    assert logits[:, 3].tolist() == [float("-inf")] * 2
    assert steering.observe(1, 4) is None and rows[1].tokens == [4]


def test_a_rethread_finishes_the_row_and_the_next_round_continues_after_the_insertion():
    backend = ScriptedBackend()
    guide = CutAfterGuide(trigger=12, insert=[30, 31])
    guide.bind(Vocabulary(backend.token_texts(), backend.encode, backend.decode))
    prompts = [JoinedPrompt(ids=[1, 5, 6, 7], answer_start=3, prior_text="7")]
    settings = GenerationSettings(max_new_tokens=6, repetition_guard=False)
    generations, events = guided_generate(backend, [guide], [Item("1", "src")], prompts, "eng_Latn", "deu_Latn",
                                          settings)
    # round 1 writes 10 11 12, the guide cuts the 12 and inserts 30 31; round 2 continues after them
    assert backend.calls[1] == [[1, 5, 6, 7, 10, 11, 30, 31]]
    assert generations[0].token_ids[:4] == [10, 11, 30, 31]
    assert len(generations[0].token_ids) == 6  # inserted tokens count against max_new_tokens
    assert generations[0].stop_reason == "length"
    assert events == [[{"guide": "cut-after", "action": "inserted"}]]


def test_a_guide_steers_the_choice_at_every_step():
    backend = ScriptedBackend()
    prompts = [JoinedPrompt(ids=[1, 5], answer_start=2, prior_text="")]
    settings = GenerationSettings(max_new_tokens=3, repetition_guard=False)
    plain = backend.generate([prompts[0].ids], settings)[0].token_ids
    guided, _ = guided_generate(backend, [ForbidGuide(plain[0])], [Item("1", "s")], prompts, "eng_Latn",
                                "deu_Latn", settings)
    assert plain[0] not in guided[0].token_ids


# -- built-in guards on a word-level vocabulary ---------------------------------------------------
@pytest.fixture
def words():
    return WordTokenizer("The JAS Gripen crashed onto a runway Die stürzte Landebahn at 9:30 am 北京 Vidal "
                         "in der Lage ist die Zellen zu sortieren abgestürzt Abgestürzt".split())


def test_copy_guard_penalises_the_next_source_word_but_not_names(plugins, words):
    guard = plugins.guides.get("copy-guard")()
    guard.bind(words.vocabulary())
    source = "The JAS Gripen crashed onto a runway at 9:30 am"
    row = row_for(words, source, "Die JAS Gripen")
    guard.start(row)
    logits = torch.zeros(len(words.words))
    guard.adjust(row, logits)
    assert logits[words.ids["crashed"]] == -10.0  # "Gripen crashed": the copy would go on
    assert logits[words.ids["onto"]] == 0.0
    row = row_for(words, source, "Die JAS")
    guard.start(row)
    logits = torch.zeros(len(words.words))
    guard.adjust(row, logits)
    assert logits[words.ids["Gripen"]] == 0.0  # a name may be copied
    row = row_for(words, source, "Die stürzte runway at")
    guard.start(row)
    logits = torch.zeros(len(words.words))
    guard.adjust(row, logits)
    assert logits[words.ids["9:30"]] == 0.0  # numbers too


def test_script_guard_keeps_a_chinese_answer_in_han_except_the_sources_names(plugins, words):
    guard = plugins.guides.get("script-guard")()
    vocab = words.vocabulary()
    guard.bind(vocab)
    assert guard.applies("eng_Latn", "zho_Hans") and not guard.applies("eng_Latn", "deu_Latn")
    row = row_for(words, "The JAS Gripen crashed", "北京", tgt="zho_Hans")
    guard.start(row)
    logits = torch.zeros(len(words.words))
    guard.adjust(row, logits)
    assert logits[words.ids["crashed"]] == -10.0 and logits[words.ids["runway"]] == -10.0
    assert logits[words.ids["JAS"]] == 0.0 and logits[words.ids["Gripen"]] == 0.0  # the source's names
    assert logits[words.ids["北京"]] == 0.0 and logits[words.ids["9:30"]] == 0.0


def test_script_guard_knows_the_letters_ukrainian_does_not_use(plugins):
    tokenizer = WordTokenizer(["привіт", "ещё", "слово"])
    guard = plugins.guides.get("script-guard")()
    guard.bind(tokenizer.vocabulary())
    assert guard.applies("eng_Latn", "ukr_Cyrl") and guard.applies("rus_Cyrl", "ukr_Cyrl")
    row = row_for(tokenizer, "слово", "привіт", src="rus_Cyrl", tgt="ukr_Cyrl")
    guard.start(row)
    logits = torch.zeros(len(tokenizer.words))
    guard.adjust(row, logits)
    assert logits[tokenizer.ids["ещё"]] == -10.0 and logits[tokenizer.ids["слово"]] == 0.0


def test_loop_guard_blocks_a_repeated_ngram(plugins, words):
    guard = plugins.guides.get("loop-guard").from_options({"n": 3})
    guard.bind(words.vocabulary())
    row = row_for(words, "x", "Die in der Lage ist die in der")
    guard.start(row)
    logits = torch.zeros(len(words.words))
    guard.adjust(row, logits)
    assert logits[words.ids["Lage"]] == -10.0  # "in der Lage" again
    assert (logits == 0).sum() == len(words.words) - 1
    assert row.events and row.events[0]["guide"] == "loop-guard"


# -- re-priming with the real bundled MUSE dictionary ----------------------------------------------
def test_reprime_cuts_a_drift_into_english_and_inserts_the_dictionary_word(plugins, words):
    guide = plugins.guides.get("reprime")()
    try:
        assert guide.applies("eng_Latn", "deu_Latn")
        guide.bind(words.vocabulary())
        source = "The JAS Gripen crashed onto a runway at 9:30 am"
        row = row_for(words, source, "Die JAS Gripen crashed onto runway at")
        guide.start(row)
        request = guide.rethread(row)
        assert request is not None
        # cut back to where "crashed" was written (answer token 3); nothing inserted yet
        assert request.cut == 3 and request.insert == []
        event = row.events[-1]
        assert event["guide"] == "reprime" and event["drifted"][0] == "crashed"
        assert event["candidates"][:2] == ["abgestürzt", "Abgestürzt"]
        # the next round: its first step may only start one of the candidates, the model's logits choose
        row.committed, row.tokens = row.answer_ids[: request.cut], []
        logits = torch.zeros(len(words.words))
        logits[words.ids["Abgestürzt"]] = 1.0
        guide.adjust(row, logits)
        allowed = {words.words[i] for i in torch.nonzero(logits > float("-inf")).flatten().tolist()}
        assert {"abgestürzt", "Abgestürzt"} <= allowed and "crashed" not in allowed
        row.tokens.append(int(logits.argmax()))
        assert words.decode(row.answer_ids[3:]) == " Abgestürzt"
        logits = torch.zeros(len(words.words))
        guide.adjust(row, logits)  # a whole candidate is written: free again
        assert bool((logits == 0).all())
    finally:
        guide.close()


def test_reprime_leaves_a_german_answer_alone(plugins, words):
    guide = plugins.guides.get("reprime")()
    try:
        guide.bind(words.vocabulary())
        row = row_for(words, "cells", "Die Zellen zu sortieren in der Lage ist")
        guide.start(row)
        assert guide.rethread(row) is None and row.events == []
    finally:
        guide.close()


# -- the command line ---------------------------------------------------------------------------
def test_pretty_guides_lists_the_guides_and_the_default_set():
    from pretty_framework.cli import cli

    result = CliRunner().invoke(cli, ["guides", "--json"])
    assert result.exit_code == 0, result.output
    import json

    listing = {entry["name"]: entry for entry in json.loads(result.output)}
    assert set(INSTALLED) <= set(listing)
    assert {name for name, entry in listing.items() if entry["default"]} == set(DEFAULT_GUIDES)
    assert "penalty" in listing["copy-guard"]["options"]


@pytest.mark.parametrize("args, message", [
    (["--guide", "nope"], "unknown guide 'nope'"),
    (["-G", "loop-guard.n=x", "--guide", "loop-guard"], "loop-guard"),
    (["-G", "reprime.max_insertions=1", "--guide", "loop-guard"], "not used: reprime"),
])
def test_decode_refuses_bad_guides_before_loading_a_model(args, message):
    from pretty_framework.cli import cli

    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "-m", "/nonexistent/model", *args],
                                input="The cat.\n")
    assert result.exit_code == 1 and message in result.output, result.output


def test_a_backend_without_guides_is_refused(tiny_backend):
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.tasks.translation import TranslationTask
    from pretty_basic.providers import NoPrior

    class NoGuides:
        name = "plain"
        model_name, max_context = "m", 512

    with pytest.raises(OptionsError, match="cannot run the guides .*need each step.s logits"):
        Engine(NoGuides(), TranslationTask(), NoPrior(), "en", "de", guides=[ForbidGuide(3)])


def test_engine_records_guides_in_signature_and_provenance(tiny_backend):
    from pretty_basic.providers import TextPrior

    from pretty_framework.decoding.engine import Engine
    from pretty_framework.tasks.translation import TranslationTask

    task = TranslationTask()
    items = [Item("1", "The cat sat on the mat."), Item("2", "Dogs bark.")]
    prior = TextPrior(TextPrior.Options(text="Die"))
    settings = GenerationSettings(max_new_tokens=12)
    plain = Engine(tiny_backend, task, prior, "en", "de", settings=settings)
    assert "guide" not in dict(plain.signature().fields)
    first = plain.decode_batch(items)
    generations = tiny_backend.generate([plain._join(items[0], prior.priors(plain.requests(items))[0]).ids], settings)
    token = generations[0].token_ids[0]
    guided = Engine(tiny_backend, task, prior, "en", "de", settings=settings, guides=[ForbidGuide(token)])
    assert dict(guided.signature().fields)["guide"] == "forbid"
    result = guided.decode_batch(items)
    assert result[0].raw != first[0].raw
    assert result[0].provenance["provider"] == "text"
    assert result[0].provenance["guides"] == [{"guide": "forbid", "action": "forbidden", "at": 0}]


@pytest.mark.parametrize("batch", [1, 3])
def test_the_transformers_loop_cuts_a_row_back_in_place_exactly(tiny_backend, batch):
    """A row cut back inside the loop (masked cache, last kept token fed again) continues exactly as a fresh
    decode of prompt + kept tokens + insertion would: no second round is needed."""
    settings = GenerationSettings(max_new_tokens=10, repetition_guard=False, stop_strings=())
    prompts = [tiny_backend.encode(text) for text in ["The cat sat on", "Dogs bark at night and", "A"][:batch]]
    plain = tiny_backend.generate(prompts, settings)
    first = plain[0].token_ids
    insert = tiny_backend.encode(" house")[1:]
    guide = CutAfterGuide(trigger=first[3], insert=insert)
    joined = [JoinedPrompt(ids=p, answer_start=len(p), prior_text="") for p in prompts]
    items = [Item(str(i), "source") for i in range(batch)]
    calls = []
    generate = tiny_backend.generate
    tiny_backend.generate = lambda *a, **k: calls.append(1) or generate(*a, **k)
    try:
        guided, events = guided_generate(tiny_backend, [guide], items, joined, "eng_Latn", "deu_Latn", settings)
    finally:
        tiny_backend.generate = generate
    assert len(calls) == 1  # one round: the cut happened inside the loop
    cut = first.index(first[3])
    expected = tiny_backend.generate([prompts[0] + first[:cut] + insert],
                                     GenerationSettings(max_new_tokens=10 - cut - len(insert),
                                                        repetition_guard=False, stop_strings=()))[0]
    assert guided[0].token_ids == first[:cut] + insert + expected.token_ids
    assert events[0] == [{"guide": "cut-after", "action": "inserted"}]
    for row in range(1, batch):  # the other rows are untouched
        if first[3] not in plain[row].token_ids:
            assert guided[row].token_ids == plain[row].token_ids
