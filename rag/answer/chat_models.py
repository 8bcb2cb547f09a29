"""Which LangChain chat model an answerer spec names: "provider:model", or "hf-gguf:<path.gguf>" for a local file.

``init_chat_model`` builds any installed provider's model (OpenAI-compatible
servers, Ollama, …); a local GGUF runs through transformers, which is how the
tests run SmolLM2 offline. Any problem building a model is one ``ConfigError``
(a missing package names the extra to install).
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any

from rag._extras import MissingExtraError, install_hint, needs
from rag.errors import ConfigError

with needs("llm"):
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

#: New tokens a local GGUF model may write per call: a CPU budget, and answers are short anyway.
LOCAL_MAX_NEW_TOKENS = 160


def make_chat_model(spec: str, temperature: float) -> BaseChatModel:
    """A streaming chat model for "provider:model"; any problem building it is one ``ConfigError``."""
    provider, _, model = (part.strip() for part in spec.partition(":"))
    if not provider or not model:
        raise ConfigError(f"answerer must look like 'provider:model' (e.g. 'openai:gpt-4o-mini'), got {spec!r}")
    if provider == "hf-gguf":
        return local_gguf_chat_model(model, temperature, LOCAL_MAX_NEW_TOKENS)
    options: dict[str, Any] = {}
    # Local OpenAI-compatible servers (llama.cpp, vLLM, LM Studio) need no key, but the client insists on one.
    if provider == "openai" and os.environ.get("OPENAI_BASE_URL") and not os.environ.get("OPENAI_API_KEY"):
        options["api_key"] = "not-needed"
    with needs("llm"):
        from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(model, model_provider=provider, temperature=temperature, streaming=True, **options)
    except ImportError as error:
        extra = {"ollama": "ollama", "openai": "llm"}.get(provider)
        hint = f": {install_hint(extra)}" if extra else ""
        raise MissingExtraError(
            f"answerer {spec!r} needs a package that is not installed: {first_line(error)}{hint}"
        ) from None
    except Exception as error:  # unknown provider, missing credentials, rejected options
        raise ConfigError(f"answerer {spec!r} cannot be used: {first_line(error)}") from None


@functools.lru_cache(maxsize=4)
def local_gguf_chat_model(path: str, temperature: float, max_new_tokens: int) -> BaseChatModel:
    """A local GGUF model as a LangChain chat model (weights load once per process)."""
    tokenizer, model = _load_gguf(path)
    with needs("dev"):
        from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline
        from transformers import pipeline

    sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
    generator = pipeline(
        "text-generation",
        model=model,
        tokenizer=tokenizer,
        max_new_tokens=max_new_tokens,
        return_full_text=False,
        **sampling,
    )
    # The tokenizer is passed in so ChatHuggingFace never looks the model id up on a hub.
    return ChatHuggingFace(
        llm=HuggingFacePipeline(pipeline=generator, model_id=path), tokenizer=tokenizer, model_id=path, streaming=True
    )


@functools.lru_cache(maxsize=2)
def _load_gguf(path: str):
    file = Path(path).expanduser()
    if not file.is_file():
        raise ConfigError(f"no GGUF file at {file} (answerer 'hf-gguf:<path-to.gguf>')")
    with needs("dev"):
        import gguf  # noqa: F401  transformers reads GGUF files with it
        from transformers import AutoModelForCausalLM, AutoTokenizer
    log.info("loading local model %s", file)
    tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
    model = AutoModelForCausalLM.from_pretrained(str(file.parent), gguf_file=file.name)
    return tokenizer, model.eval()


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
