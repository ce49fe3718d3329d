"""Stochastic gradient descent (tutorial section 2.2.2), the tutorial's PyTorch sample with only the imports changed.

The sample's body is wrapped in main(epochs=100) so the tests can run fewer epochs:
    python examples/tutorial/stochastic_gd.py
"""

import tinygrad_bp as torch
from tinygrad_bp import nn, optim
from tinygrad_bp.utils.data import DataLoader, TensorDataset


def main(epochs=100):
    x = torch.randn(1000, 10)
    y = torch.randn(1000, 1)

    dataset = TensorDataset(x, y)
    dataloader = DataLoader(dataset, batch_size=1)

    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01)

    for epoch in range(epochs):
        for b_x, b_y in dataloader:
            optimizer.zero_grad()
            output = model(b_x)
            loss = criterion(output, b_y)
            loss.backward()
            optimizer.step()

            print('Epoch %d, Loss: %f' % (epoch, loss.item()))  # noqa: UP031 (the tutorial's line)


if __name__ == "__main__":
    main()
