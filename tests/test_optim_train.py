"""Each of the tutorial's five optimizers (and Adadelta, Adamax, NAdam, RAdam) trains the nn.Linear(10, 1)
regression and the two-layer network.

Stated targets. Regression y = X·w + 0.5 + noise (σ = 0.1, so the best MSE is about 0.01): MSE below 0.02
after 200 full-batch steps. Two-layer network (2 → 8 sigmoid → 1 sigmoid) on the XOR quadrants
(label 1 where x₁·x₂ > 0): binary cross-entropy below 0.15 and at least 95% accuracy after 1000 steps.
"""

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn, optim

# name -> (optimizer for the regression, optimizer for the two-layer network)
OPTIMIZERS = {
    "SGD": (lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=2.0)),
    "Momentum": (lambda p: optim.Momentum(p, lr=0.1, beta=0.9), lambda p: optim.Momentum(p, lr=2.0, beta=0.9)),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.5), lambda p: optim.Adagrad(p, lr=0.3)),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.02), lambda p: optim.RMSprop(p, lr=0.01)),
    "Adam": (lambda p: optim.Adam(p, lr=0.05), lambda p: optim.Adam(p, lr=0.05)),
    # beyond the tutorial, same targets
    "Adadelta": (lambda p: optim.Adadelta(p, lr=5.0), lambda p: optim.Adadelta(p, lr=5.0)),
    "Adamax": (lambda p: optim.Adamax(p, lr=0.05), lambda p: optim.Adamax(p, lr=0.05)),
    "NAdam": (lambda p: optim.NAdam(p, lr=0.05), lambda p: optim.NAdam(p, lr=0.05)),
    "RAdam": (lambda p: optim.RAdam(p, lr=0.1), lambda p: optim.RAdam(p, lr=0.1)),
}


def regression_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((200, 10)).astype(np.float32)
    w = rng.standard_normal((10, 1)).astype(np.float32)
    y = X @ w + 0.5 + 0.1 * rng.standard_normal((200, 1)).astype(np.float32)
    return tb.tensor(X), tb.tensor(y)


def xor_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float32)
    return tb.tensor(X), tb.tensor(y)


def train(model, opt, X, y, criterion, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = criterion(model(X), y)
        loss.backward()
        opt.step()
    with tb.no_grad():
        return criterion(model(X), y).item()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_linear_regression_reaches_the_stated_loss(name):
    tb.manual_seed(0)
    X, y = regression_data()
    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    with tb.no_grad():
        start = criterion(model(X), y).item()
    loss = train(model, OPTIMIZERS[name][0](model.parameters()), X, y, criterion, 200)
    assert start > 1.0
    assert loss < 0.02, f"{name}: MSE {loss:.4f} after 200 steps"


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_two_layer_network_learns_xor_quadrants(name):
    tb.manual_seed(0)
    X, y = xor_data()
    model = nn.TwoLayerNet(2, 8, 1)
    criterion = nn.BCELoss()
    loss = train(model, OPTIMIZERS[name][1](model.parameters()), X, y, criterion, 1000)
    with tb.no_grad():
        accuracy = ((model(X)._array > 0.5) == (y._array > 0.5)).mean()
    assert loss < 0.15, f"{name}: BCE {loss:.3f} after 1000 steps"
    assert accuracy >= 0.95, f"{name}: accuracy {accuracy:.2f}"
