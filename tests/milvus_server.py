"""A real Milvus for the store tests: Milvus Lite's gRPC server as a subprocess on a free loopback port.

The server gets its own data folder under the test's tmp_path and is ended (by its
pid, never by name) when the test finishes.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def milvus_lite_server(data_dir: Path, timeout: float = 90.0) -> Iterator[int]:
    """Yield the port of a ``milvus-lite server`` storing its data in ``data_dir``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    beside = Path(sys.executable).parent / "milvus-lite"  # the venv's console script, else the PATH's
    command = [
        str(beside) if beside.exists() else (shutil.which("milvus-lite") or "milvus-lite"),
        "server",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited with status {proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"milvus-lite server did not open port {port} in {timeout:g} s") from None
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
