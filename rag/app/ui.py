"""The Gradio Blocks layout: a Chat tab (chat, examples, sources panel) and a Library tab.

Only wiring lives here; the handlers are in ``chat`` and ``library`` and the
HTML comes from ``render``. The chat handler is exposed as ``/ask`` so
``gradio_client`` (the load test, scripts) can call exactly what the browser does.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import gradio as gr

from rag.app import conversation, library, render
from rag.app.chat import make_handler
from rag.readers.files import SUPPORTED_EXTENSIONS
from rag.settings import Settings

EXAMPLES = [
    "Who warned Russia?",
    "Who confirmed that a virtual Biden-Putin meeting is being prepared?",
    "Where did Biden and Putin hold their in-person summit?",
    "Who won the 2022 football World Cup?",
]

CSS = """
.claim-weak { background: #fff4d6; border-bottom: 2px dotted #b7791f; }
.claim-unsupported { background: #fde2e1; text-decoration: underline wavy #c53030; }
.legend, .sources .meta { color: #6b7280; font-size: 0.85em; }
sup.cite a { text-decoration: none; font-weight: 600; }
.sources h3 { margin: 0 0 0.5em; }
.sources .source { margin-bottom: 0.9em; }
.sources .source:target { outline: 2px solid #f59e0b; border-radius: 4px; }
.sources blockquote.passage { margin: 0.3em 0 0 !important; padding: 0 0 0 0.7em !important;
  border-left: 3px solid #d1d5db;
  font-size: 0.9em; white-space: pre-line; max-height: 14em; overflow-y: auto; }
.sources mark { background: #fde68a; padding: 0 1px; }
.sources details.scores table { font-size: 0.8em; border-collapse: collapse; }
.sources details.scores td, .sources details.scores th { padding: 2px 6px; border-bottom: 1px solid #e5e7eb; }
"""


# "Export": the Markdown is made on the server, the file is made by the browser (nothing is stored).
DOWNLOAD_JS = """(md) => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([md], {type: "text/markdown;charset=utf-8"}));
  link.download = "conversation.md";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  return [];
}"""


def browser_secret(index_dir: Path) -> str:
    """The key the saved conversations are encrypted with, kept so they survive a restart."""
    path = Path(index_dir) / "browser-state.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        path.write_text(key)
        path.chmod(0o600)
        return key


def build_ui(settings: Settings) -> gr.Blocks:
    ask = make_handler(settings)
    with gr.Blocks(title="Ask the news", analytics_enabled=False) as demo:
        gr.Markdown("## Ask the news\nAnswers quote the indexed articles; every sentence cites its source.")
        with gr.Tab("Chat", id="chat"):
            turns = gr.State([])
            exports = gr.State([])  # each turn as Markdown, for "Export"
            stored = gr.BrowserState(
                conversation.EMPTY, storage_key=conversation.STORAGE_KEY, secret=browser_secret(settings.index_dir)
            )
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Chat",
                        height=460,
                        elem_id="chatbot",
                        latex_delimiters=[],
                        feedback_options=None,
                        buttons=["copy"],
                    )
                    question = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        submit_btn="Ask",
                        elem_id="question",
                        lines=1,
                        max_lines=6,
                    )
                    # Read into a state as the question is submitted, not passed as handler inputs:
                    # the /ask API keeps its two parameters, and a date typed just before Enter counts.
                    dates = gr.State(("", ""))
                    with gr.Accordion("Published between", open=False, elem_id="dates"):
                        with gr.Row():
                            date_from = gr.Textbox(label="From", placeholder="YYYY-MM-DD", elem_id="date-from")
                            date_to = gr.Textbox(label="To", placeholder="YYYY-MM-DD", elem_id="date-to")
                    with gr.Row():
                        new_chat = gr.Button("New chat", elem_id="new-chat", size="sm")
                        export = gr.Button("Export", elem_id="export", size="sm")
                    export_text = gr.Textbox(visible=False, elem_id="export-md")
                    gr.Examples(EXAMPLES, inputs=question, label="Examples")
                with gr.Column(scale=2):
                    sources = gr.HTML(render.sources_html(None, {}), elem_id="sources", js_on_load=None)
            question.submit(lambda *d: d, [date_from, date_to], dates, api_name=False, queue=False).then(
                ask,
                [question, chatbot, turns, exports, dates],
                [question, chatbot, sources, turns, exports],
                api_name="ask",
            ).then(conversation.saved, [chatbot, turns, exports, sources], stored, api_name=False)
            # "New chat" and the chat's trash icon start a new conversation: forget everything saved.
            empty = (render.sources_html(None, {}), [], [], conversation.EMPTY)
            chatbot.clear(lambda: empty, None, [sources, turns, exports, stored], api_name=False)
            new_chat.click(lambda: ([], *empty), None, [chatbot, sources, turns, exports, stored], api_name=False)
            export.click(conversation.export_markdown, exports, export_text, api_name=False).then(
                None, export_text, None, js=DOWNLOAD_JS
            )

            def restore(data):
                messages, old_turns, old_exports, panel = conversation.restored(data)
                return messages, old_turns, old_exports, panel or render.sources_html(None, {})

            demo.load(restore, stored, [chatbot, turns, exports, sources], api_name=False)
        with gr.Tab("Library", id="library"):
            stats = gr.Markdown(elem_id="index-stats")
            table = gr.Dataframe(
                headers=library.COLUMNS,
                interactive=False,
                wrap=True,
                elem_id="articles",
                max_height=420,
            )
            with gr.Row():
                with gr.Column():
                    files = gr.File(
                        label=f"Upload articles ({', '.join(SUPPORTED_EXTENSIONS)}; "
                        f"up to {settings.max_upload_bytes:,} bytes each)",
                        file_count="multiple",
                        elem_id="upload",
                    )
                    upload_status = gr.Markdown(elem_id="upload-status")
                with gr.Column():
                    remove_id = gr.Textbox(label="Article id to remove", elem_id="remove-id")
                    remove_btn = gr.Button("Remove article", variant="stop")
                    remove_status = gr.Markdown(elem_id="remove-status")

            def upload(files_in, progress=gr.Progress(track_tqdm=True)):
                status, frame, summary = library.add_uploads(settings, files_in, progress)
                return None, status, frame, summary

            # preprocess=False: the handler needs the browser's file name (orig_name), see library.
            files.upload(
                upload,
                files,
                [files, upload_status, table, stats],
                api_name="upload",
                preprocess=False,
            )
            remove_btn.click(
                lambda i: library.remove_article(settings, i),
                remove_id,
                [remove_status, table, stats],
                api_name="remove",
            )
        demo.load(lambda: library.refresh(settings), None, [table, stats], api_name=False)
    return demo
