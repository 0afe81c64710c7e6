"""Low-resource word-list formats (filled in below)."""

LOWRES_FORMATS: tuple = ()
