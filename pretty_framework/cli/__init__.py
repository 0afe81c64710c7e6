"""The ``pretty`` command line: one module per command group.

Only the CLI turns a :class:`PrettyError` into a message and an exit code.
Nothing here imports torch until a command needs a model.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from pretty_framework import __version__
from pretty_framework.errors import PrettyError

EXIT_ERROR = 1


class PrettyGroup(click.Group):
    """A click group that reports framework errors as one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PrettyError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=PrettyGroup)
@click.version_option(__version__, prog_name="pretty")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """PRETTY: prior-guided decoding of foundation models for cross-lingual tasks."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


def _add_commands(group: click.Group) -> None:
    from pretty_framework.cli.analyze import analyze
    from pretty_framework.cli.decode import decode
    from pretty_framework.cli.dictionary import dictionary
    from pretty_framework.cli.evaluate import evaluate
    from pretty_framework.cli.info import guides, languages, models, plugins, providers
    from pretty_framework.cli.run import run

    for command in (decode, evaluate, run, dictionary, analyze, plugins, providers, guides, languages, models):
        group.add_command(command)


_add_commands(cli)


def main() -> None:
    """Console-script entry point: add plugin commands, then run."""
    from pretty_framework.plugin.manager import get_plugins

    try:
        get_plugins().call_commands_hook(cli)
    except PrettyError as error:  # --help, --version and the commands that need no plugin still work
        click.echo(f"Warning: {error}", err=True)
    cli()
