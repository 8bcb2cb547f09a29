"""Start ``python app.py`` in a subprocess on a free loopback port, for tests and benchmarks.

The child gets a CI-safe environment: no telemetry, no model-hub access,
Gradio's temporary files under the caller's folder, loopback never proxied.
``start_app`` returns once ``GET /`` answers 200 (the app loads or builds its
index before opening the port), and fails early with the log's tail if the
process dies first.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Loopback requests must never go through an HTTP proxy set in the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(work: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "GRADIO_"))}
    env.update(
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(work / "gradio-tmp"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        TOKENIZERS_PARALLELISM="false",
    )
    env.update(extra or {})
    return env


@dataclass
class AppProcess:
    process: subprocess.Popen
    url: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def wait_ready(url: str, timeout: float, process: subprocess.Popen | None = None) -> float:
    """Seconds until ``GET url`` returned 200; raises ``TimeoutError`` or ``RuntimeError``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"app exited with status {process.returncode} before serving")
        try:
            with _DIRECT.open(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.02)  # the poll interval bounds how late "serving" is seen
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


def start_app(
    index_dir: Path,
    work: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 240.0,
) -> AppProcess:
    """Launch the app and wait until it serves; the caller must ``stop()`` it."""
    port = port or free_port()
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / f"app-{port}.log"
    command = [
        sys.executable,
        str(ROOT / "app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index-dir",
        str(index_dir),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=app_env(work, env), stdout=log, stderr=subprocess.STDOUT)
    app = AppProcess(process, f"http://127.0.0.1:{port}/", log_path)
    try:
        wait_ready(app.url, timeout, process)
    except Exception as error:
        app.stop()
        raise RuntimeError(f"{error}\n--- app log ---\n{app.log_tail()}") from error
    return app
