"""Node hooks (grad_fn.register_prehook / register_hook): the program of test_node_hooks on live torch."""

import pytest
from test_node_hooks import program

import tinygrad_bp as tb

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.parity


def test_node_hooks_see_and_give_what_pytorchs_do():
    assert program(tb) == program(torch)
