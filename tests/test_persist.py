"""Saving and loading a network: exact round trip, atomic write, clear errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from bpderive import Activation, Loss, Network, persist
from bpderive.persist import FORMAT_TAG, load, save
from bpderive.symbolic.notation import NET
from bpderive.training.initializers import initialize


@pytest.fixture(scope="module")
def net() -> Network:
    return Network((2, 3, 2), activations=("tanh", "logistic"), loss="cross_entropy")


@pytest.fixture
def params(net: Network) -> dict[str, np.ndarray]:
    # Values that a decimal text format would not reproduce exactly.
    params = initialize(net, "gaussian", seed=0)
    params["W1"][0, 0] = 0.1 + 0.2
    params["b2"][1] = np.nextafter(1.0, 2.0)
    params["W2"][1, 2] = 5e-324
    return params


def test_round_trip_is_exact(tmp_path: Path, net: Network, params: dict) -> None:
    path = save(tmp_path / "model.bpnet", net, params)
    loaded_net, loaded = load(path)
    assert loaded_net.spec() == net.spec()
    assert tuple(a.name for a in loaded_net.activations) == ("tanh", "logistic")
    assert loaded.keys() == params.keys()
    for key, value in params.items():
        assert loaded[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded[key], value)
        assert loaded[key].tobytes() == value.tobytes()
    assert [p.name for p in tmp_path.iterdir()] == ["model.bpnet"]


def test_load_with_expect(tmp_path: Path, net: Network, params: dict) -> None:
    path = save(tmp_path / "model.npz", net, params)
    load(path, expect=Network((2, 3, 2), activations=("tansig", "logsig"), loss="cross_entropy"))
    other = Network((2, 3, 2))
    with pytest.raises(ValueError, match=r"holds a network with spec .*'tanh'.* expected .*"):
        load(path, expect=other)


def test_truncated_file_is_rejected(tmp_path: Path, net: Network, params: dict) -> None:
    path = save(tmp_path / "model.bpnet", net, params)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"truncated or not a bpderive network file"):
            load(path)


def test_foreign_files_are_rejected(tmp_path: Path) -> None:
    npz = tmp_path / "other.npz"
    np.savez(npz, W1=np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"not a bpderive network file \(no 'bpderive-network'"):
        load(npz)
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match=r"truncated or not a bpderive network file \(a bare"):
        load(npy)
    text = tmp_path / "notes.txt"
    text.write_text("W1 = [[1, 2]]\n")
    with pytest.raises(ValueError, match=r"truncated or not a bpderive network file"):
        load(text)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.bpnet")


def _write(path: Path, **arrays: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def test_other_version_and_bad_contents_are_rejected(
    tmp_path: Path, net: Network, params: dict
) -> None:
    spec = np.array(json.dumps(net.spec()))
    tag = np.array(FORMAT_TAG)
    path = tmp_path / "f.bpnet"
    _write(path, __format__=tag, __version__=np.array(99), __spec__=spec, **params)
    with pytest.raises(ValueError, match=r"format version 99, this bpderive reads versions 1, 2$"):
        load(path)
    _write(path, __format__=tag, __version__=np.array(1), **params)
    with pytest.raises(ValueError, match=r"missing or unreadable network spec"):
        load(path)
    bad_spec = np.array(json.dumps({"sizes": [2, 3, 2], "activations": "nope", "loss": "mse"}))
    _write(path, __format__=tag, __version__=np.array(1), __spec__=bad_spec, **params)
    with pytest.raises(ValueError, match=r"the stored spec .* is not valid"):
        load(path)
    wrong = dict(params, W2=np.ones((3, 3)))
    _write(path, __format__=tag, __version__=np.array(1), __spec__=spec, **wrong)
    with pytest.raises(ValueError, match=r"parameters .* do not fit the file's spec"):
        load(path)


def test_save_checks_params_first(tmp_path: Path, net: Network, params: dict) -> None:
    with pytest.raises(ValueError, match=r"params\['W1'\]: expected shape \(3, 2\)"):
        save(tmp_path / "m.bpnet", net, dict(params, W1=np.ones((2, 3))))
    with pytest.raises(ValueError, match=r"params: missing key 'b2'"):
        save(tmp_path / "m.bpnet", net, {k: v for k, v in params.items() if k != "b2"})
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_leaves_the_old_file_intact(
    tmp_path: Path, net: Network, params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path / "model.bpnet", net, params)
    before = path.read_bytes()

    def crash(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(persist.np, "savez", crash)
    changed = {k: v + 1.0 for k, v in params.items()}
    with pytest.raises(OSError, match="disk full"):
        save(path, net, changed)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.bpnet"]
    _, loaded = load(path)
    np.testing.assert_array_equal(loaded["W1"], params["W1"])


def test_save_replaces_an_existing_file(tmp_path: Path, net: Network, params: dict) -> None:
    path = save(tmp_path / "model.bpnet", net, params)
    changed = {k: v * 2.0 for k, v in params.items()}
    save(str(path), net, changed)
    _, loaded = load(str(path))
    np.testing.assert_array_equal(loaded["b1"], changed["b1"])


# ---------------------------------------------------------------------------- review fixes


def test_net_and_expect_must_be_networks(tmp_path: Path, net: Network, params: dict) -> None:
    with pytest.raises(ValueError, match=r"^net: expected a bpderive.Network, got str"):
        save(tmp_path / "m.bpnet", "x", params)
    with pytest.raises(ValueError, match=r"^net: expected a bpderive.Network, got dict"):
        save(tmp_path / "m.bpnet", net.spec(), params)
    assert list(tmp_path.iterdir()) == []
    path = save(tmp_path / "m.bpnet", net, params)
    with pytest.raises(ValueError, match=r"^expect: expected a bpderive.Network, got str"):
        load(path, expect="x")
    with pytest.raises(ValueError, match=r"^expect: expected a bpderive.Network, got dict"):
        load(path, expect=net.spec())


def test_stored_parameters_that_do_not_fit_say_what_is_wrong(
    tmp_path: Path, net: Network, params: dict
) -> None:
    """One check (the core's check_params) after the spec is read; its finding is part of the
    message, behind the file's name, the stored shapes and the spec."""
    spec = np.array(json.dumps(net.spec()))
    meta = {"__format__": np.array(FORMAT_TAG), "__version__": np.array(1), "__spec__": spec}
    path = tmp_path / "f.bpnet"
    cases = [
        (
            dict(params, W2=np.ones((3, 3))),
            r"params\['W2'\]: expected shape \(2, 3\), got \(3, 3\)",
        ),
        ({k: v for k, v in params.items() if k != "b1"}, r"params: missing key 'b1'"),
        (dict(params, W3=np.ones((1, 2))), r"params: unexpected key 'W3'"),
        (dict(params, b1=np.array([0.0, np.nan, 0.0])), r"params\['b1'\]: contains NaN"),
    ]
    for stored, detail in cases:
        _write(path, **meta, **stored)
        with pytest.raises(ValueError, match=r"parameters \{.*\} do not fit the file's spec .*"):
            load(path)
        with pytest.raises(ValueError, match=r"\(" + detail):
            load(path)


def test_a_format_1_file_with_a_prelu_slope_still_loads(tmp_path: Path) -> None:
    """Format 1 saved a PReLU as its name and slope; it must come back with that slope."""
    spec = {"sizes": [2, 3, 1], "activations": [{"name": "prelu", "slope": 0.1}, "linear"]}
    spec["loss"] = "half_sse"
    params = {"W1": np.ones((3, 2)), "b1": np.zeros(3), "W2": np.ones((1, 3)), "b2": np.zeros(1)}
    path = tmp_path / "old.bpnet"
    _write(
        path,
        __format__=np.array(FORMAT_TAG),
        __version__=np.array(1),
        __spec__=np.array(json.dumps(spec)),
        **params,
    )
    net, loaded = load(path)
    out = net.compile().forward(loaded, np.array([[-1.0, -1.0]])).output
    assert out[0, 0] == pytest.approx(3 * 0.1 * -2.0, rel=1e-15)


@pytest.mark.parametrize("version", [np.array(0), np.array(-1), np.array(-1, dtype=np.int8)])
def test_a_version_below_1_is_refused(
    tmp_path: Path, net: Network, params: dict, version: np.ndarray
) -> None:
    """No format 0 or below was ever written: such a file is refused as of an unknown version
    (read as the current layout, it could misread the spec), not loaded."""
    path = tmp_path / "f.bpnet"
    spec = np.array(json.dumps(net.spec()))
    _write(path, __format__=np.array(FORMAT_TAG), __version__=version, __spec__=spec, **params)
    with pytest.raises(ValueError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}: format version {int(version)}, this bpderive reads versions 1, 2"
    )


# ---------------------------------------------------------------------------- what cannot be saved

SINC = Activation.define("sinc", lambda x: sp.sinc(x))  # SymPy's sinc: not in the codec's table
ERFC = Loss.define("erfc_loss", lambda out, target: (out - target) ** 2 + sp.erfc(out))


@pytest.mark.parametrize(
    ("network", "start"),
    [
        (
            lambda: Network((2, 3, 2), (SINC, "logistic")),
            "net: activation 'sinc' of layer 1 (hidden) cannot be saved: sinc is not one of",
        ),
        (
            lambda: Network((2, 3, 3, 1), ("tanh", "tanh", SINC)),
            "net: activation 'sinc' of layer 3 (output) cannot be saved: sinc is not one of",
        ),
        (
            lambda: Network((2, 3, 2), "logistic", ERFC),
            "net: loss 'erfc_loss' cannot be saved: erfc is not one of",
        ),
    ],
    ids=["hidden", "output", "loss"],
)
def test_what_cannot_be_saved_is_named_with_the_reason(tmp_path: Path, network, start) -> None:
    net = network()
    with pytest.raises(ValueError) as info:
        save(tmp_path / "m.bpnet", net, initialize(net, seed=0))
    message = str(info.value)
    assert message.startswith(start)
    assert "the functions a saved formula may use (Add, Mul, Pow, exp, log, sin," in message
    assert "saved as data, never as code" in message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "formula",
    [
        lambda x: x * sp.Integer(10**500) / sp.Integer(10**500 + 1),
        lambda x: sp.Float("0.5", 1000) * x,
    ],
    ids=["500_digits", "float_of_3000_bits"],
)
def test_a_formula_the_loader_would_refuse_is_never_saved(tmp_path: Path, formula) -> None:
    """load() refuses numbers of more than 400 digits and Floats of more than 2000 bits (a
    hostile file must not exhaust memory): save() refuses them too, instead of writing a file
    that cannot be read back."""
    net = Network((2, 3, 2), ("logistic", Activation.define("scaled", formula)))
    with pytest.raises(
        ValueError,
        match=r"^net: activation 'scaled' of layer 2 \(output\) cannot "
        r"be saved: the number .* is beyond what a saved formula keeps",
    ):
        save(tmp_path / "m.bpnet", net, initialize(net, seed=0))
    assert list(tmp_path.iterdir()) == []


def test_an_activation_made_of_the_tables_functions_is_saved(tmp_path: Path) -> None:
    """sin(x)/x is written with sin, Mul and Pow, which the codec stores: it round-trips."""
    sinc = Activation.define("sinc", lambda x: sp.sin(x) / x)
    net = Network((2, 3, 2), (sinc, "logistic"))
    again, _ = load(save(tmp_path / "m.bpnet", net, initialize(net, seed=0)))
    assert again.activations[0].name == "sinc"
    assert again.activations[0].formula == sp.sin(NET) / NET


def test_a_temporary_file_of_another_users_process_is_kept(
    tmp_path: Path, net: Network, params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save running under another user cannot be signalled (PermissionError), but it is
    alive: its temporary file is not an orphan, and the next save must leave it alone."""
    other = tmp_path / "m.bpnet.4242.x1y2.bpnet.tmp"
    other.write_bytes(b"PK half")

    def kill(pid: int, signal: int) -> None:
        if pid == 4242:
            raise PermissionError(1, "Operation not permitted")
        raise ProcessLookupError(pid)

    monkeypatch.setattr(persist.os, "kill", kill)
    save(tmp_path / "m.bpnet", net, params)
    assert other.exists()


def test_a_foreign_format_tag_is_refused(tmp_path: Path, net: Network, params: dict) -> None:
    """A tag is a string of the right type and shape, but not ours: another program's file."""
    path = tmp_path / "f.bpnet"
    spec = np.array(json.dumps(net.spec()))
    tag = np.array("other-network")
    _write(path, __format__=tag, __version__=np.array(2), __spec__=spec, **params)
    with pytest.raises(ValueError, match=r"not a bpderive network file \(no 'bpderive-network'"):
        load(path)


def test_an_interrupted_save_leaves_no_temporary_file(
    tmp_path: Path, net: Network, params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C mid-write (KeyboardInterrupt, no OSError) still removes the temporary file."""

    def interrupted(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(persist.np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(tmp_path / "m.bpnet", net, params)
    assert list(tmp_path.iterdir()) == []


def test_a_format_1_activation_without_a_slope_is_refused_clearly(
    tmp_path: Path, params: dict
) -> None:
    """Only ``{"name", "slope"}`` was format 1's PReLU; any other entry is left for the spec's
    own check, which names it, rather than failing on a missing key."""
    spec = {"sizes": [2, 3, 2], "activations": [{"name": "prelu"}, "logistic"], "loss": "mse"}
    path = tmp_path / "old.bpnet"
    meta = {"__format__": np.array(FORMAT_TAG), "__version__": np.array(1)}
    _write(path, **meta, __spec__=np.array(json.dumps(spec)), **params)
    with pytest.raises(ValueError, match=r"the stored spec .* is not valid \(expected keys name"):
        load(path)


def test_members_in_npy_format_2_load(tmp_path: Path, net: Network, params: dict) -> None:
    """``.npy`` format 2.0 (NumPy's for large headers) is as valid as 1.0 in a file written by
    another program."""
    path = tmp_path / "v2.bpnet"
    arrays = {
        "__format__": np.array(FORMAT_TAG),
        "__version__": np.array(2),
        "__spec__": np.array(json.dumps(net.spec())),
        **params,
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, array, version=(2, 0))
    _, loaded = load(path)
    for key, value in params.items():
        np.testing.assert_array_equal(loaded[key], value)
