"""The numeric stage: the derived equations compiled to vectorised NumPy."""
