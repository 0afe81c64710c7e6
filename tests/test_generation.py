import pytest

from pretty_framework.decoding.generation import GenerationSettings, StopWatcher, find_loop


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([5, 6, 7] + [1] * 12, 4),  # "Le 76-111111...": keep one "1"
        ([5] + [1, 2] * 6, 3),  # a two-token unit repeated six times
        ([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], None),  # no loop
        ([5] + [1] * 11, None),  # too short to call a loop
        ([9] + [1, 2, 3] * 3 + [1, 2], None),  # three repeats but only 11 tokens
        ([9] + [1, 2, 3] * 4, 4),
    ],
)
def test_find_loop(tokens, expected):
    assert find_loop(tokens, max_period=16, min_repeats=3, min_tokens=12) == expected


def _watch(sequences, settings, decode=lambda ids: "".join(chr(96 + i) for i in ids), eos=(0,)):
    watcher = StopWatcher(len(sequences), settings, decode, eos)
    for step in range(max(len(s) for s in sequences)):
        watcher.step([s[step] if step < len(s) else 0 for s in sequences])
        if watcher.all_done():
            break
    return watcher.results()


def test_stop_reasons_per_sequence():
    settings = GenerationSettings(max_new_tokens=6, stop_strings=("cd",))
    # rows: stop string "cd" at step 4; eos at step 3; 30 distinct tokens (the limit); a loop
    results = _watch(
        [[1, 2, 3, 4, 5], [1, 2, 0, 4], list(range(10, 40)), [7] * 20],
        GenerationSettings(max_new_tokens=30, stop_strings=("cd",)),
    )
    assert [r.stop_reason for r in results] == ["stop_string", "eos", "length", "repetition"]
    assert results[0].token_ids == [1, 2, 3, 4]
    assert results[1].token_ids == [1, 2]  # eos itself is not kept
    assert results[3].token_ids == [7]
    limited = _watch([[5, 6, 7, 8, 9, 10, 11]], settings)
    assert limited[0].token_ids == [5, 6, 7, 8, 9, 10] and limited[0].stop_reason == "length"


def test_repetition_guard_can_be_turned_off():
    results = _watch([[7] * 20], GenerationSettings(max_new_tokens=15, repetition_guard=False))
    assert results[0].token_ids == [7] * 15 and results[0].stop_reason == "length"


@pytest.mark.parametrize("bad", [{"max_new_tokens": 0}, {"temperature": 0}, {"top_p": 1.5}])
def test_invalid_settings_are_refused(bad):
    from pretty_framework.errors import OptionsError

    with pytest.raises(OptionsError, match=next(iter(bad))):  # a user error, shown as one line by the CLI
        GenerationSettings(**bad)


def test_cli_reports_bad_top_p_without_a_traceback():
    from click.testing import CliRunner

    from pretty_framework.cli import cli

    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--sample", "--top-p", "2"], input="Hello.\n")
    assert result.exit_code == 1
    assert "top_p must be in (0, 1], got 2" in result.output and "Traceback" not in result.output


def test_shared_prefix_keeps_the_held_one_and_leaves_each_prompt_a_token():
    from pretty_framework.decoding.generation import shared_prefix

    a, b = list(range(20)) + [100, 101], list(range(20)) + [200]
    assert shared_prefix([a, b], [], 8) == list(range(20))
    assert shared_prefix([a, b], [], 21) == []  # shorter than the minimum
    assert shared_prefix([a], list(range(10)), 8) == list(range(10))  # the held prefix serves a lone prompt
    assert shared_prefix([list(range(10))], list(range(10)), 8) == []  # nothing would be left to decode
    assert shared_prefix([a, [5] + b], list(range(10)), 8) == []
