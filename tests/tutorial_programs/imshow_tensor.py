"""Plotting tensors directly: ``plt.imshow(t)``, ``plt.plot(t)``, ``plt.hist(t.tolist())`` (matplotlib, Agg)."""


def run(torch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = torch.arange(12.0).reshape(3, 4) / 11
    fig, ax = plt.subplots()
    image = ax.imshow(t, cmap="Blues")
    (line,) = ax.plot(torch.tensor([0.0, 1.0, 4.0, 9.0]))
    counts, _, _ = ax.hist(torch.tensor([0.1, 0.2, 0.25, 0.9]).tolist(), bins=2)
    fig.canvas.draw()
    result = {"image": image.get_array().tolist(), "line": list(map(float, line.get_ydata())),
              "hist": list(map(float, counts)), "shape": list(image.get_array().shape)}
    plt.close(fig)
    return result
