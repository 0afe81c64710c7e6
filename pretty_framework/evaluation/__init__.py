"""Evaluation: metrics (sacrebleu) and target-language identification."""
