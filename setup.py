"""Package layout, which pyproject.toml cannot say alone: the top-level ``prompts/`` folder
(kept there, where it is reviewed) ships inside the wheel as ``rag/prompt_files``.

``rag.prompts`` reads ``rag/prompt_files`` when installed and ``prompts/`` in a checkout.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["rag", "rag.*"]), "rag.prompt_files"],
    package_dir={"rag.prompt_files": "prompts"},
    package_data={
        "rag": ["py.typed"],
        "rag.answer": ["scorer.json", "selector.json"],
        "rag.prompt_files": ["*.txt", "*.md"],
    },
)
