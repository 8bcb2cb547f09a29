"""``rag index restore GEN``: make an existing generation live again.

For a folder whose ``current`` link was lost (a copy or sync tool that drops
symlinks), or to roll back to the generation kept from before the last write.
Under the writer lock, the generation's manifest is read and every file checked
against its recorded size and SHA-256 before ``current`` is re-pointed with the
same atomic swap a write uses. Nothing is deleted.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rag.errors import IndexStoreError, InputError
from rag.stores.base import Restored
from rag.stores.folder import generations, genscan, layout

log = logging.getLogger(__name__)


def restore(folder: Path, name: str, lock_timeout: float) -> Restored:
    """Re-link ``folder/current`` to generation ``name`` after verifying it; ``IndexStoreError`` if damaged."""
    folder = Path(folder)
    name = Path(name.rstrip("/")).name  # "index/gen-…/" from tab completion names the same generation
    if not genscan.GEN_NAME.fullmatch(name):
        raise InputError(f"{name!r} is not a generation name (gen-<UTC time>-<6 hex>); see them with: ls {folder}")
    with generations.write_lock(folder, lock_timeout):
        gen = folder / name
        if not gen.is_dir() or gen.is_symlink():
            raise IndexStoreError(f"no generation {name} in {folder}; see the generations with: ls {folder}")
        try:
            manifest = layout.read_manifest(gen, folder)
            layout.verify(gen, manifest)
        except IndexStoreError as error:
            raise IndexStoreError(f"cannot restore {name}: {error}") from None
        except OSError as error:
            raise IndexStoreError(f"cannot restore {name}: {error.strerror or error}") from None
        previous = genscan.live(folder)
        generations.relink(folder, name)
    log.info("restored generation %s in %s", name, folder)
    return Restored(name, len(manifest.articles), manifest.chunk_count, previous.name if previous else None)
