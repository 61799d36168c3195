"""The benchmark: ``python -m bpderive.bench``.

* :mod:`~bpderive.bench.timing`: medians of interleaved repeats, so that the ratios printed
  compare like with like on whatever machine runs them;
* :mod:`~bpderive.bench.baselines`: back-propagation written by hand in NumPy, straightforward
  and tight, the baselines the compiled network is measured against;
* :mod:`~bpderive.bench.peers`: the same gradients in PyTorch, JAX, scikit-learn and autograd,
  where installed (``pip install "bpderive[bench]"``);
* :mod:`~bpderive.bench.speed`: the tables of gradients, training, derivation and compile time;
* :mod:`~bpderive.bench.digits`: whole training runs on scikit-learn's handwritten digits,
  against scikit-learn's ``MLPClassifier`` and PyTorch;
* :mod:`~bpderive.bench.race`: the race of the training algorithms to one goal;
* :mod:`~bpderive.bench.report`: each section printed as a table;
* :mod:`~bpderive.bench.__main__`: the command line (``--help``), which prints the sections.

The benchmark asserts nothing about speed; it reports.
"""
