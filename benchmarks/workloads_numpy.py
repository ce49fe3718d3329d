"""Hand-written NumPy: forward, backward and update written out by hand. The floor.

Every function mirrors the PyTorch code in `workloads_torchlike.py` step for step (same data,
same initial weights, same update formulas), so the `check` values agree across contenders.
"""

import common as C
import numpy as np


def _linear_sgd(steps: int, batch: int, shuffle: bool) -> dict:
    """Linear(10, 1) + MSELoss + SGD, batches sliced out of the arrays (the 'data loading')."""
    X, y, W, b = C.linear_data()
    rng = np.random.default_rng(3)
    n_batches = C.N_SAMPLES // batch
    lr = np.float32(C.LR_SGD)
    total = 0.0
    clock = C.Clock()
    step = 0
    while step < steps:
        order = rng.permutation(C.N_SAMPLES) if shuffle else None
        for k in range(n_batches):
            if step == steps:
                break
            if shuffle:
                idx = order[k * batch:(k + 1) * batch]
                xb, yb = X[idx], y[idx]
            else:
                xb, yb = X[k * batch:(k + 1) * batch], y[k * batch:(k + 1) * batch]
            out = xb @ W.T + b                       # forward: (B, 1)
            diff = out - yb
            loss = np.mean(diff * diff)              # MSELoss(reduction='mean')
            g = diff * np.float32(2.0 / diff.size)   # dL/dout
            W -= lr * (g.T @ xb)                     # SGD: p -= lr * grad
            b -= lr * g.sum(axis=0)
            total = float(loss)                      # loss.item()
            step += 1
    return {**clock.stop(), "check": total}


def w1(quick: bool = False) -> dict:
    return _linear_sgd(C.scaled(C.W1_STEPS, quick), 1, shuffle=False)


def w2(quick: bool = False) -> dict:
    return _linear_sgd(C.scaled(C.W2_STEPS, quick), C.W2_BATCH, shuffle=True)


def w7(quick: bool = False) -> dict:
    """W2's loop by hand; RSS after W7_LONG steps minus RSS after W7_SHORT steps."""
    X, y, W, b = C.linear_data()
    rng = np.random.default_rng(3)
    lr = np.float32(C.LR_SGD)
    step, rss, loss = 0, {}, 0.0
    clock = C.Clock()
    while step < C.W7_LONG:
        order = rng.permutation(C.N_SAMPLES)
        for k in range(C.N_SAMPLES // C.W2_BATCH):
            idx = order[k * C.W2_BATCH:(k + 1) * C.W2_BATCH]
            xb, yb = X[idx], y[idx]
            diff = xb @ W.T + b - yb
            loss = float(np.mean(diff * diff))
            g = diff * np.float32(2.0 / diff.size)
            W -= lr * (g.T @ xb)
            b -= lr * g.sum(axis=0)
            step += 1
            if step in (C.W7_SHORT, C.W7_LONG):
                rss[step] = C.rss_kb()
    return {**clock.stop(), "growth_kb": rss[C.W7_LONG] - rss[C.W7_SHORT], "check": loss}


def w3(quick: bool = False) -> dict:
    """MLP 784-256-10 + ReLU + softmax cross-entropy + Adam, all float32, with in-place updates."""
    steps = C.scaled(C.W3_STEPS, quick)
    X, labels, params = C.mlp_data()
    W1, b1, W2, b2 = params
    beta1, beta2, eps, lr = 0.9, 0.999, 1e-8, C.LR_ADAM
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    tmp = [np.empty_like(p) for p in params]
    B = C.W3_BATCH
    rows = np.arange(B)
    loss = 0.0
    clock = C.Clock()
    for step in range(1, steps + 1):
        k = (step - 1) % C.W3_BATCHES
        x, t = X[k * B:(k + 1) * B], labels[k * B:(k + 1) * B]
        # forward
        h = x @ W1.T
        h += b1
        a = np.maximum(h, 0)
        z = a @ W2.T
        z += b2
        zmax = z.max(axis=1, keepdims=True)
        e = np.exp(z - zmax)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) + zmax[:, 0] - z[rows, t]))   # loss.item()
        # backward: dL/dz = (softmax - onehot) / B
        e /= s
        e[rows, t] -= 1
        e /= B
        gW2 = e.T @ a
        gb2 = e.sum(axis=0)
        ga = e @ W2
        ga[h <= 0] = 0
        gW1 = ga.T @ x
        gb1 = ga.sum(axis=0)
        # Adam (PyTorch's formula), in place
        bc1 = 1 - beta1 ** step
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        for p, g, mi, vi, ti in zip(params, (gW1, gb1, gW2, gb2), m, v, tmp):
            mi *= beta1
            mi += (1 - beta1) * g
            vi *= beta2
            np.multiply(g, g, out=ti)
            ti *= 1 - beta2
            vi += ti
            np.sqrt(vi, out=ti)
            ti /= bc2_sqrt
            ti += eps
            np.divide(mi, ti, out=ti)
            ti *= lr / bc1
            p -= ti
    return {**clock.stop(), "check": loss}


def _chain(x: np.ndarray, w: np.ndarray, c: np.ndarray, n_ops: int):
    """Forward then backward of the chain y*w, y+c, tanh (repeating); returns the gradients."""
    saved = []
    y = x
    for i in range(n_ops):
        op = i % 3
        if op == 0:
            saved.append(y)
            y = y * w
        elif op == 1:
            y = y + c
            saved.append(None)
        else:
            y = np.tanh(y)
            saved.append(y)
    g = np.ones_like(y)          # d(y.sum())/dy
    gw = np.zeros_like(w)
    gc = np.zeros_like(c)
    for i in range(n_ops - 1, -1, -1):
        op = i % 3
        if op == 0:
            gw += g * saved[i]
            g = g * w
        elif op == 1:
            gc += g
        else:
            t = saved[i]
            g = g * (1 - t * t)
    return g, gw, gc


def w4(quick: bool = False) -> dict:
    x, w, c = C.chain_data(C.W4_SIZE)
    iters = C.scaled(C.W4_ITERS, quick)
    for _ in range(C.W4_WARMUP):
        _chain(x, w, c, C.W4_OPS)
    clock = C.Clock()
    for _ in range(iters):
        gx, gw, gc = _chain(x, w, c, C.W4_OPS)
    return {**clock.stop(), "ops": iters * C.W4_OPS,
            "check": float(gx.sum() + gw.sum() + gc.sum())}


def w5(quick: bool = False) -> dict:
    x, w, c = C.chain_data(1)
    _chain(x, w, c, 300)
    clock = C.Clock()
    gx, gw, gc = _chain(x, w, c, C.W5_OPS)
    return {**clock.stop(), "check": float(gx.sum() + gw.sum() + gc.sum())}
