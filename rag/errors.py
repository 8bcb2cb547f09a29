"""Errors the library raises. Each message is one line a user can act on.

The CLI prints ``str(error)`` and exits non-zero; the app shows it in the chat.
"""


class RagError(Exception):
    """Base class: anything the user can fix by changing input or configuration."""


class ConfigError(RagError):
    """A setting is out of range or malformed."""


class InputError(RagError):
    """An article file, URL or question cannot be used."""


class IndexStoreError(RagError):
    """The index folder is missing, from another model, or of an unknown format."""
