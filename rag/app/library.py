"""Library-tab handlers: list the indexed articles, add uploaded files, remove by id.

Uploads arrive as Gradio ``FileData`` dicts (the event runs with
``preprocess=False``) because only the dict carries ``orig_name``, the name the
browser sent; Gradio's own temporary copy is already reduced to a basename, so
checking that would miss a crafted ``../../x.txt``. Every file gets its own
line in the status report: added, already indexed (not re-added) or refused
with the reason. Every article-derived or typed string in these Markdown
messages (ids, titles, file names, error text) goes through ``esc``: an id
holding a backtick must not close a code span and start a link, image or form.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from rag import api
from rag.app.render import code, escape_markdown, hide_paths
from rag.app.uploads import StoredUpload, describe, discard_unindexed, store_upload
from rag.errors import RagError
from rag.settings import Settings
from rag.stores.base import Store

log = logging.getLogger(__name__)


def esc(text: str) -> str:
    """Escaped for Markdown, with server paths cut to their last part."""
    return escape_markdown(hide_paths(text))


COLUMNS = ["id", "title", "source", "date", "chunks"]


def library_table(index: Store) -> pd.DataFrame:
    rows = [
        [a.id, a.title, a.url or Path(a.source).name or a.source, a.published or "", len(index.rows_of(a.id))]
        for a in sorted(index.articles.values(), key=lambda a: (a.published or "", a.title), reverse=True)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def stats_markdown(index: Store) -> str:
    m = index.manifest
    size = api.index_stats(index.settings, index=index).disk_bytes
    shown = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
    return (
        f"**{len(index.articles)}** articles · **{len(index.chunks)}** chunks · model {code(str(m.model))} "
        f"({m.dimension} dims) · chunks of {m.chunk_tokens} tokens · {shown} on disk · "
        f"updated {esc(str(m.updated_at))}"
    )


def refresh(settings: Settings) -> tuple[pd.DataFrame, str]:
    index = api.load_index(settings)
    return library_table(index), stats_markdown(index)


def _file_fields(item) -> tuple[Path, str]:
    """(temporary path, name the user gave) from a FileData dict or a plain path."""
    if isinstance(item, dict):
        path = Path(item["path"])
        return path, item.get("orig_name") or path.name
    path = Path(getattr(item, "path", item))
    return path, getattr(item, "orig_name", None) or path.name


def add_uploads(settings: Settings, files: list | None, progress=None) -> tuple[str, pd.DataFrame, str]:
    """Check, store and index ``files``; returns (status markdown, table, stats)."""
    files = files or []
    if not files:
        return "Choose one or more article files to upload.", *refresh(settings)
    lines: list[str] = []
    stored: list[StoredUpload] = []
    for number, item in enumerate(files):
        if progress is not None:
            progress((number, len(files)), desc="checking files")
        path, name = _file_fields(item)
        try:
            stored.append(store_upload(path, name, settings.index_dir, settings.max_upload_bytes))
        except RagError as error:
            lines.append(f"✖ **refused:** {esc(str(error))}")
        except OSError as error:  # e.g. the temporary upload vanished
            log.warning("upload %s failed: %s", name, error)
            lines.append(f"✖ **refused:** {esc(describe(name))} could not be read")
    if stored:
        if progress is not None:
            progress(0.5, desc="indexing")
        report = None
        try:
            report = api.add_articles([s.path for s in stored], settings, each=True, progress=True)
        except RagError as error:  # e.g. another writer held the lock too long
            return "\n\n".join([*lines, f"✖ **not indexed:** {esc(str(error))}"]), *refresh(settings)
        except Exception:  # the app keeps serving; the traceback (with server paths) stays in the log
            log.exception("indexing uploads failed")
            return "\n\n".join(
                [*lines, "✖ **not indexed:** something went wrong; the details are in the server log"]
            ), *refresh(settings)
        finally:  # keep only the copies the index came from (also when the add failed)
            index = report.change.index if report and report.change else api.load_index(settings)
            discard_unindexed(stored, settings.index_dir, {a.source for a in index.articles.values()})
        names = {str(s.path): s.name for s in stored}
        for source, reason in report.failures:
            shown = describe(names.get(source, Path(source).name))
            lines.append(f"✖ **refused:** {esc(reason.replace(source, shown))}")
        change = report.change
        for article in change.added if change else ():
            lines.append(f"✓ **added** {code(article.id)} {esc(article.title)}")
        for article in change.skipped if change else ():
            lines.append(f"↩ **already indexed, not added again:** {code(article.id)} {esc(article.title)}")
    return "\n\n".join(lines) or "Nothing to add.", *refresh(settings)


def remove_article(settings: Settings, article_id: str | None) -> tuple[str, pd.DataFrame, str]:
    article_id = (article_id or "").strip()
    if not article_id:
        return "✖ enter the id of the article to remove (first column of the table)", *refresh(settings)
    try:
        title = api.load_index(settings).articles.get(article_id)
        api.remove_article(article_id, settings)
    except RagError as error:
        return f"✖ {esc(str(error))}", *refresh(settings)
    except Exception:
        log.exception("removing %r failed", article_id)
        return "✖ something went wrong removing that article; the details are in the server log", *refresh(settings)
    return f"✓ **removed** {code(article_id)} {esc(title.title) if title else ''}", *refresh(settings)
