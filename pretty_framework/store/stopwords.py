"""Function-word lists: the look-up prefers content words when it picks a prior.

Curated lists (the most frequent closed-class words) for the source languages
the paper translates from; for any other language, the maintained stopwords-iso
collection (58 languages, shipped in the ``stopwordsiso`` package: Swahili,
Yoruba, Hausa and Zulu among them). A language in neither treats every word as content.
"""

from __future__ import annotations

from functools import cache

STOPWORDS: dict[str, frozenset[str]] = {
    "eng_Latn": frozenset(
        "a an the and or but nor so yet if then than that this these those there here it its it's he him his she "
        "her hers they them their theirs we us our ours you your yours i me my mine who whom whose which what when "
        "where why how is are was were be been being am do does did done has have had having will would shall "
        "should can could may might must of in on at by for with about against between into through during before "
        "after above below to from up down out off over under again further once not no all any both each few more "
        "most other some such only own same too very just also as per via".split()
    ),
    "deu_Latn": frozenset(
        "der die das den dem des ein eine einen einem einer eines und oder aber doch wenn dann als wie dass ob "
        "ich du er sie es wir ihr mich dich sich uns euch ihm ihn ihnen mein dein sein unser euer ist sind war "
        "waren sein bin bist seid hat haben hatte hatten wird werden wurde wurden kann können muss müssen soll "
        "sollen von zu mit bei nach aus für auf in an über unter vor hinter neben zwischen durch gegen ohne um "
        "nicht kein keine auch noch schon nur sehr so im am zum zur vom beim ins".split()
    ),
    "fra_Latn": frozenset(
        "le la les l un une des du de d et ou mais donc or ni car si que qu qui quoi dont où ce cet cette ces "
        "je tu il elle on nous vous ils elles me te se lui leur leurs mon ma mes ton ta tes son sa ses notre "
        "votre nos vos est sont était étaient être a ont avait avaient avoir sera seront à au aux en dans sur "
        "sous par pour avec sans chez entre vers ne pas plus très aussi comme".split()
    ),
}


def is_function_word(key: str, language: str) -> bool:
    """Whether the normalised word ``key`` is a function word of ``language`` (a canonical code)."""
    return key in stopwords(language)


@cache
def stopwords(language: str) -> frozenset[str]:
    """The function words of ``language`` as look-up keys: the curated list, else stopwords-iso's, else none."""
    if language in STOPWORDS:
        return STOPWORDS[language]
    from pretty_framework.errors import UnknownNameError
    from pretty_framework.languages import resolve_language
    from pretty_framework.store.normalize import fold_tones, folds_tones, word_key

    try:
        iso1 = resolve_language(language).iso1
    except UnknownNameError:
        return frozenset()
    import stopwordsiso

    if not iso1 or not stopwordsiso.has_lang(iso1):
        return frozenset()
    keys = {word_key(word) for word in stopwordsiso.stopwords(iso1)}
    if folds_tones(language):  # the text may write a word with or without its tone marks
        keys |= {fold_tones(key) for key in keys}
    return frozenset(keys)
