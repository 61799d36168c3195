"""Save and load a trained network: its spec and its parameters, bit for bit.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays, readable without this package)
holding:

* ``__format__``: the tag ``"bpderive-network"``, so a foreign ``.npz`` is recognised as such;
* ``__version__``: the layout version (:data:`FORMAT_VERSION`), so a later layout can refuse or
  convert an older file instead of misreading it;
* ``__spec__``: ``net.spec()`` as JSON (sizes, activations, loss): a built-in activation or
  loss by its name, a user's own (:meth:`bpderive.Activation.define`,
  :meth:`bpderive.Loss.define`) by its formula written as data (:mod:`bpderive.symbolic.codec`);
* ``W1``, ``b1``, ...: the parameters, stored as ``.npy`` arrays, so the round trip is exact
  (same dtype, same bits; no text formatting of floats).

Nothing is pickled and :func:`load` reads with ``allow_pickle=False``: loading a file never runs
code from it. The write is atomic: the archive goes to a temporary file in the target's directory
and :func:`os.replace` renames it over the target, so a crash or an error mid-write leaves the old
file as it was, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from bpderive.checks import check_params
from bpderive.network import Network
from bpderive.symbolic.activations import leaky_relu

FORMAT_TAG = "bpderive-network"
FORMAT_VERSION = 2
#: Layouts this version reads: 1 named activations only (a PReLU with its slope), 2 added
#: formulas for a user's own activations and losses.
READS = (1, 2)
_META = ("__format__", "__version__", "__spec__")


def save(path: str | os.PathLike[str], net: Network, params: Mapping[str, np.ndarray]) -> Path:
    """Write ``net``'s spec and ``params`` to ``path`` atomically; return the path.

    The parameters are checked against the network first (names, shapes, finite numbers, by the
    core's :func:`bpderive.checks.check_params`, which also converts them to float arrays), so
    a file that :func:`load` would reject is never produced.
    """
    _network("net", net)
    target = Path(path)
    arrays = check_params(net.sizes, params)
    meta = {
        "__format__": np.array(FORMAT_TAG),
        "__version__": np.array(FORMAT_VERSION),
        "__spec__": np.array(json.dumps(net.spec(), sort_keys=True)),
    }
    directory = target.parent if str(target.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f"{target.name}.", suffix=".bpnet.tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **meta, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _read(source: Path) -> dict[str, np.ndarray]:
    """Every array of the archive, or ``ValueError`` if it is not a complete ``.npz``."""
    try:
        archive = np.load(source, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("a bare .npy array, not an .npz archive")
        with archive:
            return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ValueError(f"{source}: truncated or not a bpderive network file ({error})") from None


def load(
    path: str | os.PathLike[str], expect: Network | None = None
) -> tuple[Network, dict[str, np.ndarray]]:
    """Read a file written by :func:`save`: ``(Network.from_spec(spec), params)``.

    A missing file raises ``FileNotFoundError``; a truncated, corrupt or foreign file, or one of
    another format version, raises ``ValueError`` saying which. With ``expect``, a file whose
    spec differs from ``expect.spec()`` raises ``ValueError`` showing both specs: loading
    parameters of one architecture into another would fail later with a far less clear error, or
    worse, not at all.
    """
    if expect is not None:
        _network("expect", expect)
    source = Path(path)
    contents = _read(source)
    if contents.get("__format__") is None or str(contents["__format__"]) != FORMAT_TAG:
        raise ValueError(f"{source}: not a bpderive network file (no {FORMAT_TAG!r} format tag)")
    version = contents.get("__version__")
    if (
        version is None
        or version.shape != ()
        or version.dtype.kind not in "iu"
        or int(version) not in READS
    ):
        found = version.item() if version is not None and version.shape == () else version
        raise ValueError(
            f"{source}: format version {found!r:.40}, this bpderive reads versions "
            f"{', '.join(map(str, READS))}"
        )
    try:
        spec = json.loads(str(contents["__spec__"]))
    except (KeyError, ValueError) as error:
        raise ValueError(f"{source}: missing or unreadable network spec ({error})") from None
    params = {name: value for name, value in contents.items() if name not in _META}
    try:
        net = Network.from_spec(_from_version_1(spec) if int(version) == 1 else spec)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{source}: the stored spec {spec!r} is not valid ({error})") from None
    try:
        params = check_params(net.sizes, params)
    except ValueError as error:
        found = {k: v.shape for k, v in params.items()}
        raise ValueError(
            f"{source}: parameters {found} do not fit the file's spec {spec} ({error})"
        ) from None
    if expect is not None and expect.spec() != net.spec():
        raise ValueError(
            f"{source}: the file holds a network with spec {net.spec()}, expected {expect.spec()}"
        )
    return net, params


def _from_version_1(spec: object) -> object:
    """A format-1 spec in today's form: its one parametrised activation, a PReLU saved as
    ``{"name": "prelu", "slope": a}``, becomes the formula of ``leaky_relu(a)`` (a fixed-slope
    PReLU)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("activations"), list):
        return spec
    entries = [
        leaky_relu(entry["slope"]).spec()
        if isinstance(entry, dict) and set(entry) == {"name", "slope"}
        else entry
        for entry in spec["activations"]
    ]
    return {**spec, "activations": entries}


def _network(name: str, value: object) -> None:
    """Refuse anything but a :class:`~bpderive.network.Network` for ``name``: its spec is what
    the file records or is compared with."""
    if not isinstance(value, Network):
        raise ValueError(f"{name}: expected a bpderive.Network, got {type(value).__name__}")
