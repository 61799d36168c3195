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

It works the same on Windows, with two differences that come from the system: a file's POSIX
permissions do not exist there (a saved file gets its folder's, as any new file does), and a
file that another program holds open usually cannot be replaced (the save fails, naming it).
"""

from __future__ import annotations

import ctypes
import functools
import glob
import json
import os
import stat
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from bpderive.checks import check_params, check_sizes
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
    a file that :func:`load` would reject is never produced. A file that exists keeps its
    permissions (a new one gets the usual ones, ``0666`` less the umask; Windows has no such
    permissions), a symbolic link keeps pointing where it did (the file it points to is
    replaced), and a temporary file left by a save that was killed mid-write is removed by the
    next save to the same place. An error names ``path``, never the temporary file.
    """
    _network("net", net)
    target = _target(path)
    arrays = check_params(net.sizes, params)
    meta = {
        "__format__": np.array(FORMAT_TAG),
        "__version__": np.array(FORMAT_VERSION),
        "__spec__": np.array(json.dumps(net.spec(), sort_keys=True)),
    }
    directory = target.parent
    _remove_orphans(directory, target.name)
    mode = None if sys.platform == "win32" else _mode_for(target)
    try:
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix=f"{target.name}.{os.getpid()}.", suffix=_TEMPORARY
        )
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **meta, **arrays)
            handle.flush()
            if mode is not None:  # by the open file: no name that could be swapped for a link
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _naming(error, path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(path)


def _naming(error: OSError, path: object) -> OSError:
    """``error`` saying which file could not be saved (not the temporary one)."""
    reason = error.strerror or str(error)
    return type(error)(f"cannot save to {os.fspath(path)}: {reason}")  # type: ignore[arg-type]


#: The end of a temporary file's name: ``<target>.<pid>.<random>.bpnet.tmp``.
_TEMPORARY = ".bpnet.tmp"


def _target(path: object) -> Path:
    """The file a save writes: ``path``, or where a symbolic link ``path`` points."""
    if not isinstance(path, str | os.PathLike) or not os.fspath(path):
        raise ValueError(f"path: expected a file name, got {path!r}")
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    if target.is_dir():
        raise ValueError(f"path: expected a file name, got the directory {os.fspath(path)!r}")
    return target.parent.resolve() / target.name


def _mode_for(target: Path) -> int:
    """The permissions the saved file gets: an existing file's own, else ``0666`` less the
    umask, as ``open()`` would give (a temporary file starts as ``0600``)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _remove_orphans(directory: Path, name: str) -> None:
    """Remove temporary files of earlier saves to ``name`` whose process is gone (a save killed
    mid-write cannot clean up after itself)."""
    for orphan in directory.glob(f"{glob.escape(name)}.*{_TEMPORARY}"):
        pid = orphan.name[len(name) + 1 :].split(".", 1)[0]
        if not (pid.isascii() and pid.isdigit() and 0 < int(pid) < 2**31):
            continue  # not a process id (``int("²")`` fails, ``os.kill`` overflows): not ours
        if int(pid) != os.getpid() and not _alive(int(pid)):
            orphan.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` may still be running; when in doubt, yes (the file is kept).

    POSIX answers ``os.kill(pid, 0)`` without sending anything. On Windows that call would
    *end* the process (every signal but the two console events is ``TerminateProcess``), so
    there the kernel is asked for the process's exit code instead."""
    if sys.platform == "win32":
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


#: Windows: the least access right that reads an exit code, the exit code of a process still
#: running, and the error for a process that runs but may not be asked (another user's).
_QUERY_LIMITED_INFORMATION, _STILL_ACTIVE, _ACCESS_DENIED = 0x1000, 259, 5


def _alive_on_windows(pid: int) -> bool:
    """``OpenProcess`` fails for a process that does not exist (or is denied to us: running);
    an opened one is running while its exit code is ``STILL_ACTIVE`` (a process that exited
    with the code 259 looks alive, which only keeps its file)."""
    kernel32 = _kernel32()
    handle = kernel32.OpenProcess(_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ctypes.get_last_error() == _ACCESS_DENIED
    try:
        code = ctypes.c_ulong()
        known = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return not known or code.value == _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


@functools.cache
def _kernel32() -> ctypes.CDLL:
    """Windows' kernel32, with the types of the three calls :func:`_alive_on_windows` makes (a
    handle is pointer-sized; ctypes would otherwise cut it to an ``int``)."""
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.argtypes = (ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong)
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.GetExitCodeProcess.argtypes = (ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong))
    kernel32.GetExitCodeProcess.restype = ctypes.c_int
    kernel32.CloseHandle.argtypes = (ctypes.c_void_p,)
    return kernel32


#: The largest spec a file may hold (a user's formulas are a few kilobytes).
MAX_SPEC_CHARACTERS = 1_000_000


def _read(source: Path) -> dict[str, np.ndarray]:
    """The archive's metadata, then its parameters, each member's header checked before its
    data is read; ``ValueError`` if it is not a complete, sane ``.npz``."""
    try:
        info = source.stat()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ValueError(f"{source}: cannot be read ({error.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{source}: not a regular file (a directory, FIFO or device)")
    with open(source, "rb") as probe:
        if probe.read(6) == b"\x93NUMPY":
            raise ValueError(
                f"{source}: truncated or not a bpderive network file (a bare .npy array, not an "
                f".npz archive)"
            )
    try:
        with zipfile.ZipFile(source) as archive:
            headers = {}
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    raise ValueError(f"a member {member!r} that is not a .npy array")
                with archive.open(member) as handle:
                    headers[member[:-4]] = (_header(handle), member)
            meta = {
                name: _array(archive, member, header)
                for name, (header, member) in headers.items()
                if name in _META
            }
            _check_meta(meta)
            sizes = _sizes(meta)
            _check_shapes(sizes, {n: h for n, (h, _) in headers.items() if n not in _META})
            params = {
                name: _array(archive, member, header)
                for name, (header, member) in headers.items()
                if name not in _META
            }
            return {**meta, **params}
    except _Foreign as error:
        raise ValueError(f"{source}: {error}") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ValueError(f"{source}: truncated or not a bpderive network file ({error})") from None


def _check_shapes(sizes: tuple[int, ...], headers: dict[str, tuple]) -> None:
    """The stored parameters' names, shapes and types against the spec's sizes, from their
    headers alone (before a number is read): the core's one check, on zero-cost stand-ins."""
    stand_ins = {}
    for name, (shape, dtype) in headers.items():
        if dtype.kind != "f":
            raise _Foreign(f"{name} is stored as {dtype} numbers, expected floats")
        stand_ins[name] = np.broadcast_to(np.zeros(()), shape)
    try:
        check_params(sizes, stand_ins)
    except ValueError as error:
        found = {k: v.shape for k, v in stand_ins.items()}
        raise _Foreign(
            f"parameters {found} do not fit the file's spec of sizes {list(sizes)} ({error})"
        ) from None


def _header(handle: object) -> tuple[tuple[int, ...], np.dtype]:
    """A ``.npy`` member's shape and dtype, from its header alone."""
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
    else:
        raise ValueError(f"an array of .npy version {version}")
    if dtype.hasobject:
        raise ValueError("an array of Python objects (never unpickled)")
    return shape, dtype


def _array(archive: zipfile.ZipFile, member: str, header: tuple) -> np.ndarray:
    shape, dtype = header
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if size > archive.getinfo(member).file_size:
        raise ValueError(f"{member} claims {shape} {dtype}, more than the archive holds")
    with archive.open(member) as handle:
        return np.lib.format.read_array(handle, allow_pickle=False)


def _check_meta(meta: dict[str, np.ndarray]) -> None:
    """The format tag, version and spec, each of the right type and size (before any parsing)."""
    tag = meta.get("__format__")
    if tag is None or tag.shape != () or tag.dtype.kind != "U" or str(tag) != FORMAT_TAG:
        raise _Foreign(f"not a bpderive network file (no {FORMAT_TAG!r} format tag)")
    version = meta.get("__version__")
    if (
        version is None
        or version.shape != ()
        or version.dtype.kind not in "iu"
        or int(version) not in READS
    ):
        found = version.item() if version is not None and version.shape == () else version
        raise _Foreign(
            f"format version {found!r:.40}, this bpderive reads versions "
            f"{', '.join(map(str, READS))}"
        )
    spec = meta.get("__spec__")
    if spec is None or spec.shape != () or spec.dtype.kind != "U":
        raise _Foreign("missing or unreadable network spec")
    if len(str(spec)) > MAX_SPEC_CHARACTERS:
        raise _Foreign(f"a spec of {len(str(spec)):,} characters (at most {MAX_SPEC_CHARACTERS:,})")


class _Foreign(ValueError):
    """A file that is an archive but not one of ours (or of a version this one cannot read)."""


def _spec(meta: dict[str, np.ndarray]) -> object:
    try:
        spec = json.loads(str(meta["__spec__"]))
    except (ValueError, RecursionError) as error:
        raise _Foreign(f"unreadable network spec ({type(error).__name__})") from None
    return _from_version_1(spec) if int(meta["__version__"]) == 1 else spec


def _sizes(meta: dict[str, np.ndarray]) -> tuple[int, ...]:
    """The spec's sizes, checked (limits included) before anything is built or read."""
    spec = _spec(meta)
    sizes = spec.get("sizes") if isinstance(spec, dict) else None
    try:
        return check_sizes(sizes)
    except ValueError as error:
        raise _Foreign(f"the stored spec's {error}") from None


def load(
    path: str | os.PathLike[str], expect: Network | None = None
) -> tuple[Network, dict[str, np.ndarray]]:
    """Read a file written by :func:`save`: ``(Network.from_spec(spec), params)``.

    A missing file raises ``FileNotFoundError``; a truncated, corrupt or foreign file, or one of
    another format version, raises ``ValueError`` saying which. Every member's header (shape and
    type) is checked against the spec before its numbers are read, so a crafted file cannot ask
    for gigabytes; the file is closed whatever happens (Windows cannot replace a file that is
    still open, so a later save to it would fail). With ``expect``, a file whose spec differs
    from ``expect.spec()`` raises ``ValueError`` showing both specs: loading parameters of one
    architecture into another would fail later with a far less clear error, or worse, not at
    all.
    """
    if expect is not None:
        _network("expect", expect)
    if not isinstance(path, str | os.PathLike) or not os.fspath(path):
        raise ValueError(f"path: expected a file name, got {path!r}")
    source = Path(path)
    contents = _read(source)
    spec = _spec(contents)
    params = {name: value for name, value in contents.items() if name not in _META}
    try:
        net = Network.from_spec(spec)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"{source}: the stored spec {spec!r:.200} is not valid ({error})"
        ) from None
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
