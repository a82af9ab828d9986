"""The network fence: a thread (or process) that evaluates client SPARQL cannot open an Internet socket.

Oxigraph evaluates ``SERVICE`` by calling the endpoint itself (and an update's ``LOAD`` by fetching the URL), so
a query that slips past the text checks (evrdf/query_policy.py) could make the server send requests on the
client's behalf (server-side request forgery). When federation is off, the evaluating thread installs a seccomp
filter (Linux, kernel >= 3.5, x86-64 or arm64) that makes ``socket(AF_INET | AF_INET6, ...)`` and
``io_uring_setup`` fail with EACCES: no spelling of a query can reach the network, whatever Oxigraph's parser
makes of it. Sockets the thread already has (its client's connection) keep working, and Unix sockets and pipes
are untouched. A seccomp filter cannot be lifted, so only threads that do nothing else are fenced: gunicorn's
request threads when the store is embedded and federation is off, the development server's query processes, and
a small pool of fenced threads (``run_fenced``) for updates and query-form checks.

Written with ctypes (a 12-instruction BPF program) rather than a libseccomp binding: nothing to install, and the
whole policy fits on one screen.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
# (audit arch, socket syscall number, io_uring_setup number) per machine
_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_X32_BIT = 0x40000000

_local = threading.local()


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _program() -> list[tuple[int, int, int, int]]:
    arch, nr_socket, nr_uring = _ARCHES[platform.machine()]
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
    deny = _SECCOMP_RET_ERRNO | errno.EACCES
    return [
        (ld, 0, 0, 4),  # seccomp_data.arch
        (jeq, 1, 0, arch),
        (ret, 0, 0, _SECCOMP_RET_ALLOW),  # another ABI: not ours to judge
        (ld, 0, 0, 0),  # seccomp_data.nr
        (jge, 6, 0, _X32_BIT),  # x32 system calls: denied
        (jeq, 5, 0, nr_uring),
        (jeq, 0, 3, nr_socket),
        (ld, 0, 0, 16),  # socket(): args[0], the address family (low 32 bits)
        (jeq, 2, 0, socket.AF_INET),
        (jeq, 1, 0, socket.AF_INET6),
        (ret, 0, 0, _SECCOMP_RET_ALLOW),
        (ret, 0, 0, deny),
    ]


def available() -> bool:
    """Whether this machine can fence a thread (Linux on x86-64 or arm64)."""
    return os.name == "posix" and platform.system() == "Linux" and platform.machine() in _ARCHES


def fence_this_thread() -> None:
    """From now on this thread (and threads it starts) cannot create Internet sockets. Idempotent; raises
    OSError where the kernel refuses (the caller decides whether to run unfenced)."""
    if getattr(_local, "fenced", False):
        return
    if not available():
        raise OSError(errno.ENOSYS, f"no network fence on {platform.system()} {platform.machine()}")
    libc = ctypes.CDLL(None, use_errno=True)
    instructions = _program()
    array = (_SockFilter * len(instructions))(*[_SockFilter(*i) for i in instructions])
    prog = _SockFprog(len(instructions), array)
    for args in ((_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0)):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"cannot install the network fence: {os.strerror(code)}")
    _local.fenced = True


def is_fenced() -> bool:
    return bool(getattr(_local, "fenced", False))


def can_connect() -> bool:
    """Whether this thread may create an Internet socket (False once fenced)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        return True
    except PermissionError:
        return False


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _fence_worker() -> None:
    try:
        fence_this_thread()
    except OSError:
        pass  # run_fenced checks is_fenced() in the thread and refuses to run unfenced work


def run_fenced(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a fenced thread, its result or exception passed back. Raises OSError when this
    machine cannot fence (nothing runs then)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(4, thread_name_prefix="evrdf-fenced", initializer=_fence_worker)
    return _POOL.submit(_checked, function, *args).result()


def _checked(function: Callable[..., T], *args: Any) -> T:
    if not is_fenced():
        raise OSError(errno.ENOSYS, "the network fence is not available on this machine")
    return function(*args)


def describe() -> str:
    return ("Internet sockets denied to query evaluation (seccomp)" if available()
            else f"no network fence on {platform.system()} {platform.machine()}")


__all__ = ["available", "can_connect", "describe", "fence_this_thread", "is_fenced", "run_fenced"]
