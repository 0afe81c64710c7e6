"""Typed options for providers and backends: pydantic models that refuse unknown keys.

Providers (``-O key=value``) and backends (``-B key=value``) validate their
options the same way, so a typo gets the same clear error everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from pretty_framework.errors import OptionsError


class Options(BaseModel):
    """Base of every options model: typed, validated, unknown keys rejected, frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


O = TypeVar("O", bound=BaseModel)


def validate_options(model: type[O], values: Mapping[str, Any], owner: str) -> O:
    """``model(**values)``, or an :class:`OptionsError` naming ``owner``, each bad key and the known keys."""
    try:
        return model(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(options)'}: {e['msg']}" for e in error.errors()
        )
        known = ", ".join(model.model_fields) or "none"
        raise OptionsError(f"invalid options for {owner}: {problems} (options: {known})") from None
