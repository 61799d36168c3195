"""The symbolic stage: activations, losses and the chain-rule objects, all in SymPy."""
