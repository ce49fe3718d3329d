"""The PyTorch code, run once with `torch` and once with `tinygrad_bp` (only the import changes).

Each function gets the library module as `torch`. Setup (data, model, optimizer, loader) is outside
the timed region; the timed region is the training loop a user writes, including data loading
and `loss.item()`. Initial weights are copied in from NumPy so every contender trains the same model.
"""

import importlib

import common as C


def _copy_(torch, param, array) -> None:
    with torch.no_grad():
        param.copy_(torch.from_numpy(array))


def _linear_sgd(torch, steps: int, batch: int, shuffle: bool) -> dict:
    data = importlib.import_module(torch.__name__ + ".utils.data")
    nn = torch.nn
    X, y, W0, b0 = C.linear_data()
    torch.manual_seed(3)
    dataset = data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    loader = data.DataLoader(dataset, batch_size=batch, shuffle=shuffle)
    model = nn.Linear(C.N_FEATURES, 1)
    _copy_(torch, model.weight, W0)
    _copy_(torch, model.bias, b0)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=C.LR_SGD)
    total = 0.0
    clock = C.Clock()
    step = 0
    while step < steps:
        for xb, yb in loader:
            if step == steps:
                break
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total = loss.item()
            step += 1
    return {**clock.stop(), "check": total}


def w1(torch, quick: bool = False) -> dict:
    return _linear_sgd(torch, C.scaled(C.W1_STEPS, quick), 1, shuffle=False)


def w2(torch, quick: bool = False) -> dict:
    return _linear_sgd(torch, C.scaled(C.W2_STEPS, quick), C.W2_BATCH, shuffle=True)


def w7(torch, quick: bool = False) -> dict:
    """W2's loop; RSS after W7_LONG steps minus RSS after W7_SHORT steps (0 when nothing accumulates)."""
    data = importlib.import_module(torch.__name__ + ".utils.data")
    nn = torch.nn
    X, y, W0, b0 = C.linear_data()
    torch.manual_seed(3)
    loader = data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=C.W2_BATCH,
                             shuffle=True)
    model = nn.Linear(C.N_FEATURES, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=C.LR_SGD)
    step, rss = 0, {}
    clock = C.Clock()
    while step < C.W7_LONG:
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()
            step += 1
            if step in (C.W7_SHORT, C.W7_LONG):
                rss[step] = C.rss_kb()
    return {**clock.stop(), "growth_kb": rss[C.W7_LONG] - rss[C.W7_SHORT], "check": loss.item()}


def w3(torch, quick: bool = False) -> dict:
    nn = torch.nn
    steps = C.scaled(C.W3_STEPS, quick)
    X, labels, (W1, b1, W2, b2) = C.mlp_data()
    model = nn.Sequential(nn.Linear(C.W3_IN, C.W3_HIDDEN), nn.ReLU(), nn.Linear(C.W3_HIDDEN, C.W3_OUT))
    for param, array in zip(model.parameters(), (W1, b1, W2, b2)):
        _copy_(torch, param, array)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=C.LR_ADAM)
    Xt, Lt = torch.from_numpy(X), torch.from_numpy(labels)
    B = C.W3_BATCH
    total = 0.0
    clock = C.Clock()
    for step in range(steps):
        k = step % C.W3_BATCHES
        x, t = Xt[k * B:(k + 1) * B], Lt[k * B:(k + 1) * B]
        optimizer.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        optimizer.step()
        total = loss.item()
    return {**clock.stop(), "check": total}


def _chain(x, w, c, n_ops: int) -> None:
    """Forward y*w, y+c, tanh (repeating) for n_ops ops, then backward of y.sum()."""
    x.grad = w.grad = c.grad = None
    y = x
    for i in range(n_ops):
        op = i % 3
        if op == 0:
            y = y * w
        elif op == 1:
            y = y + c
        else:
            y = y.tanh()
    y.sum().backward()


def _leaves(torch, size: int):
    return [torch.tensor(a, requires_grad=True) for a in C.chain_data(size)]


def _grad_sum(*leaves) -> float:
    return float(sum(t.grad.sum().item() for t in leaves))


def w4(torch, quick: bool = False) -> dict:
    x, w, c = _leaves(torch, C.W4_SIZE)
    iters = C.scaled(C.W4_ITERS, quick)
    for _ in range(C.W4_WARMUP):
        _chain(x, w, c, C.W4_OPS)
    clock = C.Clock()
    for _ in range(iters):
        _chain(x, w, c, C.W4_OPS)
    return {**clock.stop(), "ops": iters * C.W4_OPS, "check": _grad_sum(x, w, c)}


def w5(torch, quick: bool = False) -> dict:
    x, w, c = _leaves(torch, 1)
    _chain(x, w, c, 300)
    clock = C.Clock()
    _chain(x, w, c, C.W5_OPS)
    return {**clock.stop(), "check": _grad_sum(x, w, c)}


def _load_params(torch, model, arrays) -> None:
    params = list(model.parameters())
    assert [tuple(p.shape) for p in params] == [a.shape for a in arrays], "parameter shapes differ from the data"
    for param, array in zip(params, arrays):
        _copy_(torch, param, array)


def lenet(torch):
    """LeNet-style CNN for 1x28x28 images: two conv + max-pool stages, three Linear layers."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def w8(torch, quick: bool = False, steps: int | None = None) -> dict:
    """LeNet step: forward, CrossEntropyLoss, backward, SGD, loss.item(), on 4 cycled batches of 32."""
    steps = steps or C.scaled(C.W8_STEPS, quick)
    X, labels, arrays = C.lenet_data()
    model = lenet(torch)
    _load_params(torch, model, arrays)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=C.W8_LR)
    Xt, Lt = torch.from_numpy(X), torch.from_numpy(labels)
    B = C.W8_BATCH
    total = 0.0
    clock = C.Clock()
    for step in range(steps):
        k = step % C.W8_BATCHES
        x, t = Xt[k * B:(k + 1) * B], Lt[k * B:(k + 1) * B]
        optimizer.zero_grad()
        loss = loss_fn(model(x), t)
        loss.backward()
        optimizer.step()
        total = loss.item()
    return {**clock.stop(), "steps": steps, "check": total}


def w9(torch, quick: bool = False, steps: int | None = None) -> dict:
    """makemore MLP step: Embedding lookup of 3 characters, Linear, BatchNorm1d, tanh, Linear, cross-entropy, SGD."""
    nn, F = torch.nn, torch.nn.functional
    steps = steps or C.scaled(C.W9_STEPS, quick)
    X, Y, arrays = C.makemore_data()
    emb = nn.Embedding(C.W9_VOCAB, C.W9_EMBED)
    mlp = nn.Sequential(nn.Linear(C.W9_EMBED * C.W9_CONTEXT, C.W9_HIDDEN, bias=False), nn.BatchNorm1d(C.W9_HIDDEN),
                        nn.Tanh(), nn.Linear(C.W9_HIDDEN, C.W9_VOCAB))
    params = list(emb.parameters()) + list(mlp.parameters())
    for param, array in zip(params, arrays):
        _copy_(torch, param, array)
    optimizer = torch.optim.SGD(params, lr=C.W9_LR)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    B = C.W9_BATCH
    total = 0.0
    clock = C.Clock()
    for step in range(steps):
        k = step % C.W9_BATCHES
        x, y = Xt[k * B:(k + 1) * B], Yt[k * B:(k + 1) * B]
        logits = mlp(emb(x).view(x.shape[0], -1))
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total = loss.item()
    return {**clock.stop(), "steps": steps, "check": total}


def w10(torch, quick: bool = False, steps: int | None = None) -> dict:
    """LSTM forward over 32 steps + backward of out.sum() (gradients cleared by `grad = None`), no update."""
    steps = steps or C.scaled(C.W10_ITERS, quick)
    x_np, arrays = C.lstm_data()
    lstm = torch.nn.LSTM(C.W10_INPUT, C.W10_HIDDEN)
    _load_params(torch, lstm, arrays)
    params = list(lstm.parameters())
    x = torch.from_numpy(x_np)
    clock = C.Clock()
    for _ in range(steps):
        for p in params:
            p.grad = None
        out, (h, c) = lstm(x)
        out.sum().backward()
    result = clock.stop()
    return {**result, "steps": steps, "check": float(sum(p.grad.sum().item() for p in params))}
