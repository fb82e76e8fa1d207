"""One build at a time in a checkout: the writer lock on the workspace beside the embedded store.

``kgbuild build`` writes the store, its manifest and sidecar files and the
output directory; two builds doing that at once corrupted the store. A build
holds an exclusive lock on ``<store>.lock`` (``.kgbuild/store.lock``) from
before it reads its inputs until its outputs are in place; a second build
waits for it (up to a timeout) or stops at once. Readers (query, export,
validate, serve) take no lock: they read the last complete store, which a
build swaps atomically (see ``kgbuild.workspace.versions``). The lock is the operating
system's (``flock``; ``LockFileEx`` on Windows), so it is released when its
holder dies, however it dies; the file itself stays and holds the holder's
process id, for the message of whoever waits.
Imports nothing but stdlib.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from kgbuild.errors import BuildRunningError, OutputError
from kgbuild.project import Project

#: Seconds a build waits for another build in the same checkout by default.
DEFAULT_WAIT = 1800.0
_POLL = 0.1  # seconds between attempts while waiting

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(project: Project) -> Path:
    return project.store_dir.with_name(project.store_dir.name + ".lock")


def _try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take the lock on ``fd`` without waiting; False when another process holds it."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import msvcrt  # pragma: no cover - Windows

    try:  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:  # pragma: no cover
        return False
    return True  # pragma: no cover


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    else:  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _holder(fd: int) -> int | None:
    """The process id the lock's holder wrote into the file (None if not written yet)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class BuildLock:
    """The exclusive writer lock of the project's workspace, as a context manager.

    ``wait`` is how many seconds to wait for a build that holds it (0: do not
    wait); ``on_wait(pid)`` is called once when waiting starts (``pid`` None
    when the holder is not known yet). Raises BuildRunningError when the lock
    is still held after ``wait`` seconds.
    """

    def __init__(self, project: Project, *, wait: float = DEFAULT_WAIT,
                 on_wait: Callable[[int | None], None] | None = None) -> None:
        self.project = project
        self.wait = wait
        self.on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> BuildLock:
        path = lock_path(self.project)
        shown = self.project.rel(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot create the build lock {shown}: {exc.strerror}") from None
        try:
            deadline = time.monotonic() + self.wait
            waiting = False
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    pid = _holder(fd)
                    who = f" (pid {pid})" if pid is not None else ""
                    if waiting:
                        raise BuildRunningError(
                            f"a build is still running in this checkout{who} after {self.wait:g} s of waiting; "
                            f"try again when it has finished (lock: {shown})"
                        )
                    raise BuildRunningError(
                        f"a build is running in this checkout{who}; try again when it has finished, "
                        f"or wait for it with --wait (lock: {shown})"
                    )
                if not waiting:
                    waiting = True
                    if self.on_wait is not None:
                        self.on_wait(_holder(fd))
                time.sleep(_POLL)
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # the file stays (removing a lock file races with the next taker)
        except OSError:
            pass
        try:
            _unlock(fd)
        finally:
            os.close(fd)


def build_running(project: Project) -> bool:
    """True while a build holds the project's lock (a quick look: never waits, never creates the file)."""
    try:
        fd = os.open(lock_path(project), os.O_RDONLY)
    except OSError:
        return False
    try:
        if fcntl is None:  # pragma: no cover - Windows: a shared look is not possible without writing
            return False
        if not _try_lock(fd, shared=True):
            return True
        _unlock(fd)
        return False
    finally:
        os.close(fd)
