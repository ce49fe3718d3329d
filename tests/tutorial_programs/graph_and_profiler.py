"""Looking inside autograd: walk ``grad_fn.next_functions`` from the loss, then profile forward and backward."""


def walk(fn):
    """Every node reachable from ``fn`` (iteratively), as names in first-visit order."""
    names, seen, stack = [], set(), [fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(node.name().split("::")[-1])
        stack.extend(n for n, _ in reversed(node.next_functions))
    return names


def run(torch):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x * w).sum() * (x * x).sum()
    leaf = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    with torch.autograd.profiler.profile() as prof:
        with torch.autograd.profiler.record_function("step"):
            loss = (x * 2 * w).sum()
        loss.backward()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5)
    counts = {e.key: e.count for e in prof.key_averages()  # torch also lists "autograd::engine::..." spans
              if e.key == "step" or e.key.endswith("Backward0") and "::" not in e.key}
    return {"nodes": walk(y.grad_fn), "leaf is x": leaf.variable is x, "leaf name": leaf.name().split("::")[-1],
            "x.grad": x.grad.tolist(), "counts": counts, "header": table.splitlines()[1].split(),
            "times positive": all(e.self_cpu_time_total >= 0 for e in prof.key_averages())}
