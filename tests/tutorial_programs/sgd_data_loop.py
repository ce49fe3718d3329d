"""A hand-written gradient-descent loop: updates through ``.data``, ``.grad.zero_()``, ``f"{loss:.4f}"``."""


def run(torch):
    x = torch.tensor([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y = torch.tensor([[1.0], [3.1], [4.9], [7.2], [8.8]])
    w = torch.tensor([[0.5]], requires_grad=True)
    b = torch.tensor([0.0], requires_grad=True)
    lr = 0.05
    losses, log = [], []
    for step in range(20):
        pred = x.mm(w) + b
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        for p in (w, b):
            p.data += -lr * p.grad  # the classic pre-optimizer idiom
        w.grad.zero_()
        b.grad = None
        losses.append(loss.item())
        if step % 5 == 0:
            log.append(f"step {step:2d} loss {loss:.4f} w {w.item():.3f}")
    w.data.mul_(1.0)  # an in-place update through .data is not recorded
    return {"losses": losses, "log": log, "w": w.tolist(), "b": b.tolist(), "w.is_leaf": w.is_leaf,
            "w.data.requires_grad": w.data.requires_grad, "nelement": w.nelement() + x.nelement()}
