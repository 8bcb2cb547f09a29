"""Launching the app: the edge where Gradio, the network and the environment meet.

Gradio's phone-home calls (analytics, version checks) are switched off here,
before Gradio is imported, because the app must work on an offline machine and
should not leak that it runs. The index is loaded (or built from the corpus on
first start) and warmed before the port opens, so "the page answers" means
"the app can answer".

Exposure: the app listens on 127.0.0.1 unless told otherwise. A non-loopback
host (0.0.0.0, a LAN address, a host name) lets anyone who can reach it read
and change the index, so it needs a login (``--auth user:password`` or
``RAG_AUTH``, passed to Gradio's ``launch(auth=...)``); serving it open takes an
explicit ``--allow-public`` (``RAG_ALLOW_PUBLIC=1``) and is still warned about.
Without either, ``check_exposure`` refuses to start, before anything loads.
Gradio's login travels in clear over plain HTTP: beyond a trusted network, put
a TLS proxy in front. Every request also passes ``rag.app.guard``: the Host
header must name this app (DNS rebinding), a cross-site Origin cannot change
anything, and with a login wrong passwords are throttled.
"""

from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from rag.app.hosts import check_api_exposure, is_loopback
from rag.errors import ConfigError
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.stores.base import Store

log = logging.getLogger(__name__)

# Gradio refuses uploads above this before our handler runs; our own (clearer) check
# applies settings.max_upload_bytes, so Gradio's cap is only a backstop against huge bodies.
BACKSTOP_FACTOR = 4


def check_exposure(settings: Settings) -> None:
    """Refuse (``ConfigError``) to serve a non-loopback host with no login, unless ``allow_public``."""
    if is_loopback(settings.host) or settings.auth or settings.allow_public:
        return
    raise ConfigError(
        f"refusing to serve on {settings.host}:{settings.port} without a login: set --auth user:password "
        "(or RAG_AUTH), or pass --allow-public (RAG_ALLOW_PUBLIC=1) to serve it open, or use --host 127.0.0.1"
    )


def warn_if_exposed(settings: Settings) -> bool:
    """Warn when the app listens beyond this machine without a password; True if it warned."""
    if is_loopback(settings.host) or settings.auth:
        return False
    message = (
        f"warning: serving on {settings.host}:{settings.port} WITHOUT a password: anyone who can "
        "reach this address can read and change the index (--allow-public). Set RAG_AUTH=user:password."
    )
    log.warning(message)
    print(message, file=sys.stderr)  # the operator must see it even with logging unconfigured
    return True


def _configure_gradio(settings: Settings) -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    # Read by the queue that ``gr.Blocks()`` makes for itself. Calling ``demo.queue(...)`` instead
    # would rebuild Gradio's whole FastAPI app (~0.1 s of start-up) only to change this number.
    os.environ["GRADIO_DEFAULT_CONCURRENCY_LIMIT"] = str(settings.concurrency)


def warm_up(index: Store) -> None:
    """One throwaway question so the first user does not pay for the model's first forward pass,
    nor for reading the selector, the scorer and the word vectors (~0.4 s)."""
    from rag.api import ask

    if index.chunks:
        ask("What did the warm-up announce?", settings=index.settings, index=index)


def guard_middleware(settings: Settings):
    """The ``Guard`` for this app's settings, as a Starlette ``Middleware`` entry for FastAPI's constructor."""
    from starlette.middleware import Middleware

    from rag.app.guard import Guard, HostPolicy

    policy = HostPolicy.build(settings.host, settings.allowed_host_list)
    return Middleware(Guard, policy=policy, login=settings.auth is not None)


def serve(settings: Settings) -> None:
    check_exposure(settings)  # first: a refused start costs no model or Gradio import
    check_api_exposure(settings)
    _configure_gradio(settings)
    from rag.api import open_or_build_index

    warn_if_exposed(settings)
    # The index loads (file reads and ONNX session set-up, which release the GIL) while Gradio
    # is imported, most of start-up; the two used to take turns. The page is built after the
    # load: it writes a key file into the index folder, which a first build must find empty.
    with ThreadPoolExecutor(1, thread_name_prefix="index-load") as pool:
        loading = pool.submit(lambda: warm_up(open_or_build_index(settings, progress=True)))
        from rag.app.openai_api import build_routes
        from rag.app.ui import CSS, build_ui

        loading.result()  # re-raises a refused or damaged index before anything is served
    demo = build_ui(settings)
    log.info("serving on http://%s:%d", settings.host, settings.port)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        auth=settings.auth,
        show_error=True,
        inbrowser=False,
        share=False,
        ssr_mode=False,
        max_file_size=settings.max_upload_bytes * BACKSTOP_FACTOR,
        css=CSS,
        footer_links=["api"],
        run_history=False,  # questions stay out of browser storage (and off any remote bucket)
        blocked_paths=[str(settings.index_dir.resolve())],  # uploads and index files are never served
        app_kwargs={  # /v1/...: the OpenAI-compatible API; Host/Origin checks and the login throttle
            "routes": build_routes(settings),
            "middleware": [guard_middleware(settings)],
        },
    )
