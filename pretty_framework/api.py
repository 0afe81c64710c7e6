"""The public API for plugin authors: every name a plugin may import, in one place.

Built-in plugins import only from here (or from ``pretty_framework``, which
re-exports the same names); a test checks it, so lifting a plugin out into its
own distribution needs no change to its code. Names are loaded on first
access: ``import pretty_framework.api`` imports neither torch nor SQLAlchemy.

Groups (see docs/plugins.md):

* hooks: ``hookimpl``, ``Register``
* priors: ``PriorProvider``, ``ProviderOptions``, ``PriorRequest``, ``Prior``, ``Provenance``
* options: ``Options``, ``validate_options``
* items and tasks: ``Item``, ``DecodeResult``, ``Task``, ``Template``, ``ParsedOutput``,
  ``pos_item_words``, ``format_pos_pairs``
* backends: ``Backend``, ``Generation``, ``GenerationSettings``, ``StopWatcher``, ``shared_prefix``,
  ``choose_tokens``, ``sampling_generator``, ``left_pad``, ``chat_prompt_ids``, ``TransformersBackend``
* models: ``resolve_model``, ``gguf_file``, ``file_fingerprint``, ``load_pretrained``, ``LazyPretrained``
* languages: ``resolve_language``, ``normalize_language``, ``language_name``, ``LanguageIdentifier``
* dictionary store: ``DictionaryStore``, ``Lookup``, ``StoreSession``, ``DictionaryFormat``, ``Pair``, ``BadLine``,
  ``bundled_word_list``, ``dictionary_lines``, ``word_key``
* guides: ``Guide``, ``GuideOptions``, ``GuideRow``, ``Rethread``, ``Vocabulary``, ``Steering``
* metrics: ``Metric``, ``MetricResult``, ``MetricInput``, ``MetricUnavailable``
* errors: ``PrettyError``, ``OptionsError``, ``ModelLoadError``, ``InputError``, ``PluginError``
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> module that defines it
_EXPORTS = {
    "hookimpl": "pretty_framework.plugin.hookspecs",
    "Register": "pretty_framework.plugin.hookspecs",
    "PriorProvider": "pretty_framework.priors.provider",
    "ProviderOptions": "pretty_framework.priors.provider",
    "PriorRequest": "pretty_framework.priors.types",
    "Prior": "pretty_framework.priors.types",
    "Provenance": "pretty_framework.priors.types",
    "Options": "pretty_framework.options",
    "validate_options": "pretty_framework.options",
    "Item": "pretty_framework.io.records",
    "DecodeResult": "pretty_framework.io.records",
    "Task": "pretty_framework.tasks",
    "Template": "pretty_framework.tasks",
    "ParsedOutput": "pretty_framework.tasks",
    "pos_item_words": "pretty_framework.tasks.pos:item_words",
    "format_pos_pairs": "pretty_framework.tasks.pos:format_pairs",
    "Backend": "pretty_framework.backends",
    "Generation": "pretty_framework.decoding.generation",
    "GenerationSettings": "pretty_framework.decoding.generation",
    "StopWatcher": "pretty_framework.decoding.generation",
    "shared_prefix": "pretty_framework.decoding.generation",
    "choose_tokens": "pretty_framework.decoding.sampling",
    "sampling_generator": "pretty_framework.decoding.sampling",
    "left_pad": "pretty_framework.backends.padding",
    "chat_prompt_ids": "pretty_framework.backends.chat",
    "TransformersBackend": "pretty_framework.backends.transformers_backend",
    "resolve_model": "pretty_framework.backends.models",
    "gguf_file": "pretty_framework.backends.models",
    "file_fingerprint": "pretty_framework.backends.models",
    "load_pretrained": "pretty_framework.backends.models",
    "LazyPretrained": "pretty_framework.backends.models",
    "resolve_language": "pretty_framework.languages",
    "normalize_language": "pretty_framework.languages",
    "language_name": "pretty_framework.languages",
    "LanguageIdentifier": "pretty_framework.evaluation.langid",
    "DictionaryStore": "pretty_framework.store",
    "Lookup": "pretty_framework.store",
    "StoreSession": "pretty_framework.store.session",
    "DictionaryFormat": "pretty_framework.store",
    "Pair": "pretty_framework.store",
    "BadLine": "pretty_framework.store",
    "bundled_word_list": "pretty_framework.store.wordlists",
    "dictionary_lines": "pretty_framework.store.textfile:text_lines",
    "word_key": "pretty_framework.store.normalize",
    "Guide": "pretty_framework.guides.base",
    "GuideOptions": "pretty_framework.guides.base",
    "GuideRow": "pretty_framework.guides.base",
    "Rethread": "pretty_framework.guides.base",
    "Vocabulary": "pretty_framework.guides.base",
    "Steering": "pretty_framework.guides.steering",
    "PrettyError": "pretty_framework.errors",
    "OptionsError": "pretty_framework.errors",
    "ModelLoadError": "pretty_framework.errors",
    "InputError": "pretty_framework.errors",
    "PluginError": "pretty_framework.errors",
    "MetricUnavailable": "pretty_framework.errors",
    "Metric": "pretty_framework.evaluation.metric",
    "MetricResult": "pretty_framework.evaluation.metric",
    "MetricInput": "pretty_framework.evaluation.metric",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        target = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'pretty_framework.api' has no attribute {name!r}") from None
    module_name, _, attribute = target.partition(":")
    value = getattr(importlib.import_module(module_name), attribute or name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
