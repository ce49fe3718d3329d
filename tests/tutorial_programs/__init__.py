"""Short programs written in PyTorch idiom, each a ``run(torch)`` taking the library module (torch or
tinygrad_bp) and returning its numbers: tests/test_tutorial_programs.py runs them on tinygrad_bp and
tests/test_parity_tutorial_programs.py compares every number with torch."""

PROGRAMS = ["device_idiom", "sgd_data_loop", "bigram_names", "imshow_tensor", "graph_and_profiler"]
