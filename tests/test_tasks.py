"""The summarization and POS tasks: the paper's prompts, prior framing, and parsing what base models write."""

import json

import pytest

from pretty_framework import Prior, PriorProvider, Provenance
from pretty_framework.decoding.engine import Engine
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.errors import UnknownNameError
from pretty_framework.io.records import Item
from pretty_framework.plugin.manager import get_plugins
from pretty_framework.tasks.pos import UPOS, PosTask, parse_pairs
from pretty_framework.tasks.summarization import SummarizationTask

SENTENCE = Item("s1", "Le chat dort .", fields={"words": ["Le", "chat", "dort", "."], "upos": ["DET", "NOUN", "VERB",
                                                                                           "PUNCT"]})


def test_tasks_are_registered_through_the_plugin_hook():
    tasks = get_plugins().tasks
    assert isinstance(tasks.get("pos"), PosTask) and isinstance(tasks.get("summarization"), SummarizationTask)
    assert tasks.get("pos").default_k == 1 and tasks.get("summarization").default_k == 2


def test_pos_prompt_is_the_papers_instruction_with_the_word_list():
    prompt = PosTask().prompt(SENTENCE, "fra_Latn", "fra_Latn")
    assert prompt.startswith("Please provide the POS tags for each word in the input sentence.")
    assert "[" + ", ".join(UPOS) + "]" in prompt
    assert prompt.endswith('Input: ["Le", "chat", "dort", "."]\nOutput:')


def test_pos_prior_becomes_the_start_of_the_json_array():
    task = PosTask()
    assert task.frame_prior(SENTENCE, "det") == '[{"Le": "DET"}, '
    assert task.frame_prior(Item("1", "Oui", fields={"words": ["Oui"]}), "INTJ") == '[{"Oui": "INTJ"}]'
    assert task.frame_prior(SENTENCE, '[{"Le": "DET"}') == '[{"Le": "DET"}'  # already JSON: unchanged


@pytest.mark.parametrize(("text", "pairs"), [
    ('[{"Le": "DET"}, {"chat": "NOUN"}]', [("Le", "DET"), ("chat", "NOUN")]),
    # cut by the length limit in the middle of a pair
    ('[{"Le": "DET"}, {"chat": "NOUN"}, {"do', [("Le", "DET"), ("chat", "NOUN")]),
    # prose around the array, other pair shapes, lower-case tags
    ('Sure! Here it is: [{"word": "Le", "pos": "det"}, ["chat", "NOUN"], {"tag": "VERB", "word": "dort"}] Done.',
     [("Le", "DET"), ("chat", "NOUN"), ("dort", "VERB")]),
    ('[{"l\\u2019eau": "NOUN"}, {"\\"": "PUNCT"}]', [("l\u2019eau", "NOUN"), ('"', "PUNCT")]),
    ("I do not know.", []),
    # objects holding several pairs, as real Gemma outputs do (benchmarks/results/paper-pos)
    ('[{"Le": "DET", "chat": "NOUN"}]', [("Le", "DET"), ("chat", "NOUN")]),
    ('[{"Son": "DET"}, {"discours": "NOUN", "inspiré": "ADJ", "une": "DET"}]',
     [("Son", "DET"), ("discours", "NOUN"), ("inspiré", "ADJ"), ("une", "DET")]),
    ('[{"Sens": "ADJ", "qu\'entre": "AUX", "les": "DET", "deux": "NUM"}]',
     [("Sens", "ADJ"), ("qu'entre", "AUX"), ("les", "DET"), ("deux", "NUM")]),
    # an object cut by the length limit keeps its complete members
    ('[{"Il": "PRON"}, {"ils": "NOUN", "peu": "ADV", "jou', [("Il", "PRON"), ("ils", "NOUN"), ("peu", "ADV")]),
    # a swapped pair is read by which side is a UPOS tag
    ('[{"DET": "Le"}, {"chat": "NOUN"}]', [("Le", "DET"), ("chat", "NOUN")]),
    ('[{"pos": "NOUN", "word": "chat"}]', [("chat", "NOUN")]),
])
def test_pos_parser_reads_what_base_models_write(text, pairs):
    assert parse_pairs(text) == pairs
    parsed = PosTask().parse(text)
    assert parsed.ok == bool(pairs)
    assert [tuple(next(iter(d.items()))) for d in json.loads(parsed.answer)] == pairs


def test_summarization_prompt_prepends_the_constant_demonstration_in_the_target_language():
    task = SummarizationTask()
    prompt = task.prompt(Item("1", "A long article."), "eng_Latn", "deu_Latn")
    demo, query = prompt.split("\n\n")
    assert demo.startswith("Please write a concise summary of the text")
    assert demo.endswith("Output: German Summary: " + task.demonstrations["deu_Latn"])
    assert query == ("Please write a concise summary of the text, return your responses with one line that cover "
                     "the key points of the text.\nInput: A long article.\nOutput: German Summary:")
    assert task.prompt(Item("1", "x"), "eng_Latn", "deu_Latn", "zero-shot") == query.replace("A long article.", "x")


def test_summarization_without_a_demonstration_lists_the_languages_that_have_one():
    with pytest.raises(UnknownNameError, match="zero-shot") as error:
        SummarizationTask().prompt(Item("1", "x"), "eng_Latn", "hin_Deva")
    assert "zho_Hans" in str(error.value)
    assert SummarizationTask().parse("  Eine Zeile.\nNoch eine").answer == "Eine Zeile."


class FirstGoldTag(PriorProvider):
    """The first gold tag: a real POS prior for the engine test."""

    name = "first-gold-tag"

    def priors(self, requests):
        return [Prior(r.metadata["upos"][0], Provenance(self.name), cut=False) for r in requests]


@pytest.fixture(scope="module")
def long_context_backend(tmp_path_factory, sp_tokenizer):
    import tiny_models

    from pretty_framework.backends.transformers_backend import TransformersBackend

    folder = tiny_models.save_tiny_llama(tmp_path_factory.mktemp("tiny-long"), sp_tokenizer, max_positions=1024)
    return TransformersBackend(model=str(folder), device="cpu", dtype="float32")


def test_engine_frames_the_pos_prior_and_parses_the_continuation(long_context_backend):
    settings = GenerationSettings(max_new_tokens=24)
    engine = Engine(long_context_backend, PosTask(), FirstGoldTag(), "fra_Latn", "fra_Latn", settings=settings)
    [result] = engine.decode_batch([SENTENCE])
    assert not result.truncated_input
    assert result.prior.strip() == '[{"Le": "DET"},'
    assert result.raw.startswith('[{"Le": "DET"},')
    assert json.loads(result.output)[0] == {"Le": "DET"}  # the prior's pair is always parsed back
    assert result.parsed_ok


def test_crosssum_jsonl_reads_text_and_summary(tmp_path):
    from pretty_framework.io.inputs import read_jsonl

    path = tmp_path / "english-german.jsonl"
    path.write_text('{"source_url": "u", "text": "A long article.", "summary": "Kurz."}\n')
    [item] = read_jsonl(path)
    assert (item.source, item.reference, item.fields) == ("A long article.", "Kurz.", {"source_url": "u"})


def test_a_value_that_is_no_upos_tag_is_kept_as_a_wrong_tag_and_alone_it_fails():
    from pretty_framework.tasks.pos import valid_pairs

    pairs = parse_pairs('[{"ils": "NOUN", "peu": "L", "de": "vie"}]')
    assert pairs == [("ils", "NOUN"), ("peu", "L"), ("de", "VIE")]  # scored: "peu" and "de" wrongly tagged
    assert valid_pairs(pairs) == [("ils", "NOUN")]
    assert PosTask().parse('[{"peu": "L"}, {"de": "vie"}]').ok is False
