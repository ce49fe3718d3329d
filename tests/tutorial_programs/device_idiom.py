"""The device idiom: pick "cuda" when there is one, else "cpu", and move data and model there."""

import numpy as np


def run(torch):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    model = torch.nn.Linear(3, 2).to(device)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.5, 0.4, -0.1]]))
        model.bias.fill_(0.25)
    y = model(x.to(device)).cpu()
    z = torch.zeros(2, device=torch.device(device)) + y.sum(1)
    return {
        "device": device,
        "x.device": str(x.device),
        "device repr": repr(torch.device("cpu")).replace("torch.", ""),
        "cuda count": torch.cuda.device_count(),
        "y": y.tolist(),
        "z": z.tolist(),
        "y.to(x) dtype": str(y.to(x).dtype).split(".")[-1],
        "numpy sum": float(np.asarray(y.detach()).sum()),
    }
