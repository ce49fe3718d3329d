"""tb.save / tb.load in the safetensors format (by suffix); the PyTorch round trip is in the parity group."""

import json
import struct

import numpy as np
import pytest

import tinygrad_bp as tb
from tinygrad_bp import nn


def test_a_state_dict_round_trips_with_every_dtype(tmp_path):
    sd = {"f32": tb.randn(2, 3), "f64": tb.tensor([1.5, -2.0], dtype=tb.float64), "i64": tb.arange(4),
          "i32": tb.tensor(np.array([1, -2], np.int32)), "u8": tb.tensor(np.array([0, 255], np.uint8)),
          "b": tb.tensor([True, False]), "scalar": tb.tensor(3.0), "empty": tb.zeros(0, 2),
          "f16": tb.tensor(np.array([0.5, 2.0], np.float16))}
    tb.save(sd, tmp_path / "w.safetensors")
    back = tb.load(tmp_path / "w.safetensors")
    assert list(back) == list(sd)
    for k, v in sd.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())  # stored bytes read back: exact


def test_the_file_is_the_safetensors_layout(tmp_path):
    tb.save({"w": tb.tensor([[1.0, 2.0]])}, tmp_path / "w.safetensors")
    raw = (tmp_path / "w.safetensors").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert n % 8 == 0 and header["w"] == {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]}
    assert np.frombuffer(raw[8 + n:], "<f4").tolist() == [1.0, 2.0]


def test_a_model_loads_its_weights_back(tmp_path):
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    tb.save(a.state_dict(), tmp_path / "m.safetensors")
    b.load_state_dict(tb.load(tmp_path / "m.safetensors"))
    x = tb.randn(4, 3)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


@pytest.mark.parametrize("obj,match", [({"w": {"nested": tb.ones(1)}}, "holds only tensors"),
                                       ([tb.ones(1)], "dict of str names"), ({1: tb.ones(1)}, "names must be str"),
                                       ({"c": np.array(["a"])}, "cannot store")])
def test_what_safetensors_cannot_hold_is_refused_before_writing(tmp_path, obj, match):
    with pytest.raises(TypeError, match=match):
        tb.save(obj, tmp_path / "x.safetensors")
    assert not list(tmp_path.iterdir())


def _file(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


@pytest.mark.parametrize("raw,match", [
    (b"\x10\x00", "truncated"),
    (struct.pack("<Q", 500) + b"{}", "truncated or damaged"),
    (_file({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\x00" * 4), "need 8 bytes"),
    (_file({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\x00" * 8), "12 bytes"),
    (_file({"w": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}, b"\x00" * 8), "dtype 'X9'"),
    (_file({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\x00" * 8), "invalid shape"),
    (_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\x00" * 12), "overlapping"),
    (struct.pack("<Q", 3) + b"{ab", "not JSON"),
])
def test_a_truncated_or_forged_file_is_a_checkpoint_error(tmp_path, raw, match):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(raw)
    with pytest.raises(tb.serialization.CheckpointError, match=match):
        tb.load(path)


def test_the_npz_format_stays_the_default_for_everything_else(tmp_path):
    tb.save({"step": 3, "w": tb.ones(2)}, tmp_path / "ckpt.pt")
    assert (tmp_path / "ckpt.pt").read_bytes()[:2] == b"PK"
    assert tb.load(tmp_path / "ckpt.pt")["step"] == 3


@pytest.mark.parity
def test_weights_travel_to_pytorch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    tb.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs.load_state_dict(st.load_file(str(tmp_path / "ours.safetensors")))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), ours(tb.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    torch.manual_seed(1)
    trained = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    st.save_file(trained.state_dict(), str(tmp_path / "theirs.safetensors"))
    ours.load_state_dict(tb.load(tmp_path / "theirs.safetensors"))
    np.testing.assert_allclose(ours(tb.tensor(x)).detach().numpy(), trained(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
