"""Prompt templates as files: load, check and fill them; format sources as fenced data.

Prompts live in ``prompts/*.txt`` (see ``prompts/README.md``) so they can be
reviewed and changed without touching code; wheels carry them as ``rag/prompt_files``. This module is pure: it reads a
file and substitutes strings, nothing else. Rendering is strict, because a typo
in a placeholder would otherwise send the model a prompt with a hole in it:
a missing or an unused variable is a ``ConfigError`` naming it.

Retrieved passages are untrusted text. ``format_sources`` puts them in one
delimited block, numbered and fenced, and neutralises anything inside them
that could close the fence, so article text can never pose as instructions.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.answer.markers import strip_markers
from rag.errors import ConfigError
from rag.types import Hit, Turn

_PACKAGE = Path(__file__).resolve().parents[1]  # rag/
#: Where prompts are looked up by default, first found: ``rag/prompt_files`` in an installed
#: wheel (setup.py ships the repository's ``prompts/`` there), ``prompts/`` beside the package
#: in a checkout (an editable install).
DEFAULT_FOLDERS = (_PACKAGE / "prompt_files", _PACKAGE.parent / "prompts")
#: A line that splits a prompt file into its system part (above) and user part (below).
USER_SEPARATOR = "=== user ==="

_FENCE = re.compile(r"<{3,}|>{3,}")
_BLOCK_TAG = re.compile(r"<(\s*/?\s*(?:sources|history)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    """A filled-in prompt: the system message ("" when the file has none) and the user message."""

    system: str
    user: str


@dataclass(frozen=True)
class Prompt:
    """A checked template; ``system`` is "" for a prompt without a ``=== user ===`` line."""

    name: str
    system: str
    user: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(_fields(self.name, self.system)) | frozenset(_fields(self.name, self.user))

    def render(self, **variables: object) -> str:
        """The whole prompt as one text (system part, blank line, user part)."""
        parts = self.render_parts(**variables)
        return f"{parts.system}\n\n{parts.user}" if parts.system else parts.user

    def render_parts(self, **variables: object) -> Rendered:
        """The system and user messages, every placeholder filled exactly once."""
        needed = self.variables
        for name in sorted(needed):
            if name not in variables:
                raise ConfigError(f"prompt '{self.name}' needs variable '{name}'")
        extra = sorted(set(variables) - needed)
        if extra:
            raise ConfigError(
                f"prompt '{self.name}' has no variable '{extra[0]}' (it uses: {', '.join(sorted(needed)) or 'none'})"
            )
        values = {k: str(v) for k, v in variables.items()}
        return Rendered(_fill(self.system, values), _fill(self.user, values))


def load_prompt(name: str, folder: Path | None = None) -> Prompt:
    """``<folder>/<name>.txt`` (default: the first of ``DEFAULT_FOLDERS``), checked for bad placeholders."""
    folder = Path(folder) if folder is not None else default_folder()
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"prompt '{name}' not found at {path}; pass the prompts folder explicitly "
            f"(load_prompt({name!r}, folder=...)) when the package is installed outside the repository"
        ) from None
    except OSError as error:
        raise ConfigError(f"prompt '{name}' cannot be read from {path}: {error.strerror}") from None
    lines = text.splitlines()
    if USER_SEPARATOR in (line.strip() for line in lines):
        cut = next(i for i, line in enumerate(lines) if line.strip() == USER_SEPARATOR)
        system, user = "\n".join(lines[:cut]).strip(), "\n".join(lines[cut + 1 :]).strip()
    else:
        system, user = "", text.strip()
    prompt = Prompt(name, system, user)
    _ = prompt.variables  # parse now so a malformed template fails at load, not mid-answer
    return prompt


def default_folder() -> Path:
    """The first of ``DEFAULT_FOLDERS`` that exists (the first, to name in errors, if none does)."""
    return next((folder for folder in DEFAULT_FOLDERS if folder.is_dir()), DEFAULT_FOLDERS[0])


def format_sources(hits: Sequence[Hit]) -> str:
    """The numbered, fenced sources block; number n is ``hits[n-1]``, as the answer cites it."""
    entries = []
    for number, hit in enumerate(hits, start=1):
        title = _one_line(hit.title).replace('"', "'")
        entries.append(
            f'[{number}] "{title}" ({_one_line(hit.chunk.article_id)})\n<<<\n{neutralise(hit.chunk.text)}\n>>>'
        )
    return "<sources>\n" + "\n".join(entries) + "\n</sources>"


def format_history(turns: Sequence[Turn]) -> str:
    """The conversation as a fenced data block; citation markers are dropped (they mean nothing here)."""
    lines = []
    for turn in turns:
        lines.append(f"User: {_one_line(turn.question)}")
        lines.append(f"Assistant: {_one_line(strip_markers(turn.answer))}")
    return "<history>\n" + "\n".join(lines) + "\n</history>"


def neutralise(text: str) -> str:
    """Replace what could close a fence or a block with look-alikes (‹ ›), keeping the text readable."""
    text = _FENCE.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)
    return _BLOCK_TAG.sub(r"‹\1", text)


def _one_line(text: str) -> str:
    """A title or id on one line: a newline there could start a fake source entry."""
    return neutralise(" ".join(text.split()))


def _fields(name: str, template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ConfigError(f"prompt '{name}' is malformed ({error}); write literal braces as {{{{ }}}}") from None
    fields = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ConfigError(f"prompt '{name}' has an invalid placeholder {{{field}}}; use {{name}} only")
        fields.append(field)
    return fields


def _fill(template: str, values: dict[str, str]) -> str:
    """One pass of substitution: a value containing "{x}" is inserted as is, never expanded."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)
