"""Float64 NumPy re-implementations of what the installed Keras computes.

One module per family (``optimizers``, ``losses``, ``metrics``); each function's
docstring gives the formula and the Keras source file it mirrors, and the
tests compare it with Keras over many random inputs.
"""
