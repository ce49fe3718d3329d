"""RNN, LSTM, GRU and their cells: gradcheck of back-propagation through time over a short sequence
(float64), weight names and order, init, shapes and return structure, bad hidden states."""

import math

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn
from tinygrad_bp.autograd import gradcheck


def _t(*shape, seed=0, grad=True):
    return tb.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=grad)


def _with_params(module, names):
    """fn(x, h, *params) running ``module`` with the given parameters swapped in (for gradcheck)."""
    def run(x, h, *params):
        for name, p in zip(names, params):
            module._parameters[name] = p
        out, state = module(x, h)
        states = state if isinstance(state, tuple) else (state,)
        return (out,) + states
    return run


@pytest.mark.parametrize("cls,kwargs", [("RNN", dict()), ("RNN", dict(nonlinearity="relu")), ("LSTM", dict()),
                                        ("GRU", dict()), ("LSTM", dict(bidirectional=True, num_layers=2)),
                                        ("GRU", dict(batch_first=True, num_layers=2))])
def test_backprop_through_time_gradcheck(cls, kwargs):
    tb.manual_seed(0)
    m = getattr(nn, cls)(2, 3, **kwargs).double()
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    x = _t(2, 3, 2) if kwargs.get("batch_first") else _t(3, 2, 2)
    h = _t(layers, 2, 3, seed=1)
    if cls == "LSTM":
        h = (h, _t(layers, 2, 3, seed=2))
        fn = _with_params(m, ["weight_hh_l0", "bias_ih_l0"])
        assert gradcheck(lambda x, h0, c0, w, b: fn(x, (h0, c0), w, b),
                         (x, h[0], h[1], _t(12, 3, seed=3), _t(12, seed=4)))
    else:
        gates = 3 if cls == "GRU" else 1
        fn = _with_params(m, ["weight_ih_l0", "weight_hh_l0", "bias_hh_l0"])
        assert gradcheck(fn, (x, h, _t(gates * 3, 2, seed=3), _t(gates * 3, 3, seed=4), _t(gates * 3, seed=5)))


@pytest.mark.parametrize("cls,chunks", [("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)])
def test_cells_gradcheck(cls, chunks):
    m = getattr(nn, cls)(2, 3).double()
    x, h = _t(4, 2), _t(4, 3, seed=1)
    if cls == "LSTMCell":
        assert gradcheck(lambda x, h, c: m(x, (h, c)), (x, h, _t(4, 3, seed=2)))
    else:
        assert gradcheck(lambda x, h: m(x, h), (x, h))


def test_lstm_gate_order_is_input_forget_cell_output():
    m = nn.LSTMCell(1, 1, bias=False).double()
    m.weight_hh._array[...] = 0
    m.weight_ih._array[...] = [[1.0], [2.0], [3.0], [4.0]]  # i, f, g, o
    x, c = tb.tensor([[0.5]], dtype=tb.float64), tb.tensor([[2.0]], dtype=tb.float64)
    h1, c1 = m(x, (tb.zeros(1, 1, dtype=tb.float64), c))
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    c_expected = sig(1.0) * 2.0 + sig(0.5) * math.tanh(1.5)
    assert c1.item() == pytest.approx(c_expected, rel=1e-12)
    assert h1.item() == pytest.approx(sig(2.0) * math.tanh(c_expected), rel=1e-12)


def test_weight_names_order_shapes_and_init():
    tb.manual_seed(0)
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    names = list(m.state_dict())
    assert names[:8] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                         "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse"]
    assert m.weight_ih_l1.shape == (16, 8) and m.weight_hh_l0_reverse.shape == (16, 4)
    assert list(nn.GRU(3, 5, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert list(nn.GRUCell(3, 5).state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    bound = 1 / math.sqrt(20)
    draws = np.concatenate([p._array.ravel() for _ in range(20) for p in nn.GRU(6, 20).parameters()])
    assert np.abs(draws).max() <= bound
    assert draws.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert draws.dtype == np.float32


def test_output_shapes_and_return_structure():
    x = tb.randn(7, 2, 3)
    out, (h, c) = nn.LSTM(3, 4, num_layers=2, bidirectional=True)(x)
    assert out.shape == (7, 2, 8) and h.shape == (4, 2, 4) and c.shape == (4, 2, 4)
    out, h = nn.GRU(3, 4, batch_first=True)(tb.randn(2, 7, 3))
    assert out.shape == (2, 7, 4) and h.shape == (1, 2, 4)
    out, h = nn.RNN(3, 4)(tb.randn(7, 3))  # unbatched
    assert out.shape == (7, 4) and h.shape == (1, 4)
    np.testing.assert_allclose(out._array[-1], h._array[0])
    h, c = nn.LSTMCell(3, 4)(tb.randn(3))
    assert h.shape == (4,) and c.shape == (4,)
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.5)) == \
        "LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.5)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"


def test_dropout_between_layers_only_in_training():
    tb.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = tb.randn(5, 2, 3)
    m.eval()
    a, b = m(x)[0]._array, m(x)[0]._array
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(m(x)[0]._array, a)
    with pytest.warns(UserWarning, match="dropout"):
        nn.LSTM(3, 4, dropout=0.2)
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, num_layers=2, dropout=1.5)


@pytest.mark.parametrize("make,args,exc,words", [
    (lambda: nn.RNN(3, 4), (tb.zeros(5, 2, 3), tb.zeros(1, 3, 4)), RuntimeError, ["RNN", "(1, 2, 4)", "[1, 3, 4]"]),
    (lambda: nn.GRU(3, 4, num_layers=2), (tb.zeros(5, 2, 3), tb.zeros(1, 2, 4)), RuntimeError, ["GRU", "(2, 2, 4)"]),
    (lambda: nn.LSTM(3, 4), (tb.zeros(5, 2, 3), (tb.zeros(1, 2, 4), tb.zeros(1, 2, 5))), RuntimeError,
     ["LSTM", "hidden[1]", "(1, 2, 4)", "[1, 2, 5]"]),
    (lambda: nn.GRU(3, 4), (tb.zeros(5, 2, 3), tb.zeros(2, 4)), RuntimeError, ["GRU", "3-D", "2-D"]),
    (lambda: nn.LSTM(3, 4), (tb.zeros(5, 2, 2),), RuntimeError, ["LSTM", "input_size", "3", "2"]),
    (lambda: nn.RNN(3, 4), (tb.zeros(5, 2, 2, 3),), ValueError, ["RNN", "2D or 3D", "4D"]),
    (lambda: nn.GRUCell(3, 4), (tb.zeros(2, 3), tb.zeros(3, 4)), RuntimeError, ["GRUCell", "batch size"]),
    (lambda: nn.LSTMCell(3, 4), (tb.zeros(2, 3), (tb.zeros(2, 4), tb.zeros(2, 5))), RuntimeError,
     ["LSTMCell", "hidden_size", "5"]),
])
def test_bad_input_names_module_and_shapes(make, args, exc, words):
    with pytest.raises(exc) as e:
        make()(*args)
    for word in words:
        assert word in str(e.value)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="hidden_size"):
        nn.LSTM(3, 0)
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="bias"):
        nn.GRU(3, 4, bias=1)


def test_fused_cell_ops_gradcheck_and_second_derivatives():
    from tinygrad_bp.autograd import gradgradcheck
    from tinygrad_bp.ops.rnn import GRUCell, LSTMCell
    # one step = both products and the gates: (x, state, W_ih, W_hh, b_ih, b_hh) -> new state
    x, hc, w_ih, w_hh, b_ih, b_hh = _t(2, 3), _t(2, 4, seed=1), _t(8, 3, seed=2), _t(8, 2, seed=3), _t(8, seed=4), \
        _t(8, seed=5)
    assert gradcheck(LSTMCell.apply, (x, hc, w_ih, w_hh, b_ih, b_hh))
    assert gradgradcheck(LSTMCell.apply, (x, hc, w_ih, w_hh, b_ih, b_hh))
    assert gradcheck(lambda x, hc, a, b: LSTMCell.apply(x, hc, a, b), (x, hc, w_ih, w_hh))  # no biases
    proj_hc, proj_w_hh = _t(2, 1 + 2, seed=6), _t(8, 1, seed=7)  # projections: h has P = 1 < H = 2 columns
    assert gradcheck(LSTMCell.apply, (x, proj_hc, w_ih, proj_w_hh, b_ih, b_hh))
    h, w_ih, w_hh, b_ih, b_hh = _t(2, 2, seed=1), _t(6, 3, seed=2), _t(6, 2, seed=3), _t(6, seed=4), _t(6, seed=5)
    assert gradcheck(GRUCell.apply, (x, h, w_ih, w_hh, b_ih, b_hh))
    assert gradgradcheck(GRUCell.apply, (x, h, w_ih, w_hh, b_ih, b_hh))


def test_lstm_with_projections_gradcheck_and_shapes():
    m = nn.LSTM(2, 3, proj_size=2).double()
    assert list(m.state_dict())[-1] == "weight_hr_l0" and m.weight_hh_l0.shape == (12, 2)
    out, (h, c) = m(_t(4, 2, 2, grad=False))
    assert out.shape == (4, 2, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 3)
    fn = _with_params(m, ["weight_hr_l0"])
    assert gradcheck(lambda x, h0, c0, w: fn(x, (h0, c0), w), (_t(3, 2, 2), _t(1, 2, 2, seed=1), _t(1, 2, 3, seed=2),
                                                              _t(2, 3, seed=3)))
    with pytest.raises(ValueError, match="proj_size"):
        nn.LSTM(2, 3, proj_size=3)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.GRU(2, 3, proj_size=1)
