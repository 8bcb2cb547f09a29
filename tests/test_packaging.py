"""A wheel, installed as a user would (not editable), works from any folder (issue 16).

The wheel is built from a copy of the sources, offline, and installed with
``--no-deps`` into a fresh venv; the venv sees the test environment's
site-packages through a ``.pth`` line, so the dependencies need no download.
A ``.pth`` line adds a folder without running that folder's own ``.pth`` files,
so the editable install of the checkout stays invisible: ``rag`` comes from the
wheel, its prompts included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import BURNS, ROOT, SEED

SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "rag", "prompts")


def _run(*args, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the project installed from its wheel; returns the venv's bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-q",
        "-w",
        work / "dist",
        src,
        cwd=work,
    )
    wheel = next((work / "dist").glob("rag_news-*.whl"))
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=work)
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return venv / "bin"


@pytest.mark.slow
def test_installed_wheel_asks_and_renders_prompts_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rag = installed / "rag"
    where = _run(
        installed / "python",
        "-c",
        "import rag, rag.answer.prompts as p; print(rag.__file__); print(p.default_folder())",
        cwd=elsewhere,
    ).stdout.split()
    assert where[0].startswith(str(installed.parent)) and not where[0].startswith(str(ROOT))  # the wheel's copy
    assert Path(where[1]).parts[-2:] == ("rag", "prompt_files")

    _run(rag, "--index-dir", "ix", "index", "build", SEED, cwd=elsewhere)
    answer = json.loads(_run(rag, "ask", "Who warned Russia?", "--index-dir", "ix", "--json", cwd=elsewhere).stdout)
    assert "William Burns" in answer["text"] and answer["citations"]
    assert _run(rag, "--version", cwd=elsewhere).stdout.strip() == "rag 0.1.0"

    # The LLM path's prompts, rendered with real hits, from the packaged files.
    script = (
        "import rag\n"
        "from rag.answer.llm import answer_messages\n"
        "hits = rag.search('Who warned Russia?', k=2, index_dir='ix')\n"
        "messages = answer_messages('Who warned Russia?', hits, None)\n"
        f"print(messages[0].content[:60]); print('BURNS' if any({BURNS!r} in m.content for m in messages) else 'none')\n"
    )
    out = _run(installed / "python", "-c", script, cwd=elsewhere).stdout
    assert out.strip().endswith("BURNS"), out
