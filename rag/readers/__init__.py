"""Articles in: files (.txt, .md, .html, .jsonl), folders and URLs, decoded, cleaned and identified.

``files`` dispatches on the file type, ``textfile`` turns bytes into text, ``jsonl``
reads one article per line, ``clean`` removes repeated paragraphs and site furniture,
``fetch`` downloads a page behind the SSRF guard. A new format is one reader here.
"""
