"""`python -m pretty_framework`: the `pretty` command."""

from pretty_framework.cli import main

main()
