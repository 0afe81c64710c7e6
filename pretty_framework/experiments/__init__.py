"""Experiments: a YAML matrix run with resume, scored, and laid out as the paper's tables and figures."""
