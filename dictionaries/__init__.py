"""The bundled dictionaries, shipped as the package ``pretty_framework._dictionaries``.

This file makes the folder a regular package: setuptools' editable installs only
resolve a folder mapped into ``pretty_framework`` (pyproject ``package-dir``) when
it has an ``__init__.py``.
"""
