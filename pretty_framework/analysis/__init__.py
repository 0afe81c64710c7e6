"""How far is the foundation model from the SFT model? (the paper's Section 2.2)

Agreement@K, chosen-token probabilities and KL/JS/cross-entropy between the
two models' next-token distributions, with and without a prior token.
"""
