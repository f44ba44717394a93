"""Every setting of the service, read from environment variables in one place.

| variable                | default          | what it sets                                            |
|-------------------------|------------------|---------------------------------------------------------|
| `HOST`                  | 127.0.0.1        | address to listen on                                    |
| `PORT`                  | 8000             | port to listen on                                       |
| `WINNOW_MODEL`          | models/default   | model directory, loaded once before the workers fork    |
| `WINNOW_WORKERS`        | 2                | gunicorn worker processes                               |
| `WINNOW_THREADS`        | 4                | threads per worker (more than 1 selects gthread)        |
| `WINNOW_TIMEOUT`        | 120              | seconds a worker may be silent before it is restarted   |
| `WINNOW_CLIENT_TIMEOUT` | 10               | seconds a client may go silent while sending a request  |
|                         |                  | (or not read its answer): a stalled body gets 408, a    |
|                         |                  | stalled header a closed connection                      |
| `WINNOW_MAX_BODY_BYTES` | 5000000 (5 MB)   | largest request body; a larger one gets 413             |
| `WINNOW_MAX_PARAGRAPHS` | 20000            | most paragraphs in one document; more gets 413          |
| `WINNOW_MAX_DOCUMENTS`  | 1000             | most documents in one batch; more gets 413              |
| `WINNOW_NDJSON_CHUNK`   | 100              | documents labelled together per streamed NDJSON chunk   |
| `WINNOW_API_KEYS`       | (none)           | comma-separated keys; when set, requests need           |
|                         |                  | `Authorization: Bearer <key>` (except `/`, `/health`,   |
|                         |                  | `/ready`); empty entries are ignored                    |

There is deliberately no limit on the length of one paragraph: the model
reads only the head and tail of a long paragraph (`winnow.codepoints.clip`), so a
1 MB line costs about what a short one does, and the body limit already
bounds the memory a request can take.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from winnow import config
from winnow.inputs import whole_number


MAX_PORT = 65535


class SettingsError(ValueError):
    """An environment variable that cannot be used as the setting it names."""


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    model_dir: Path = config.DEFAULT_MODEL_DIR
    workers: int = 2
    threads: int = 4
    timeout: int = 120
    client_timeout: int = 10
    max_body_bytes: int = 5_000_000
    max_paragraphs: int = 20_000
    max_documents: int = 1_000
    ndjson_chunk: int = 100
    api_keys: tuple[str, ...] = field(default=(), repr=False)  # never printed

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Settings from `environ`, each missing variable taking its default."""
        defaults = cls()

        def positive(name: str, default: int, most: int | None = None) -> int:
            raw = environ.get(name)
            if raw is None:
                return default
            try:
                return whole_number(raw, most=most)
            except ValueError as error:
                raise SettingsError(f"{name} {error}") from None

        keys = tuple(key.strip() for key in environ.get("WINNOW_API_KEYS", "").split(",") if key.strip())
        return cls(
            host=environ.get("HOST", defaults.host),
            port=positive("PORT", defaults.port, MAX_PORT),
            model_dir=Path(environ.get("WINNOW_MODEL", defaults.model_dir)),
            workers=positive("WINNOW_WORKERS", defaults.workers),
            threads=positive("WINNOW_THREADS", defaults.threads),
            timeout=positive("WINNOW_TIMEOUT", defaults.timeout),
            client_timeout=positive("WINNOW_CLIENT_TIMEOUT", defaults.client_timeout),
            max_body_bytes=positive("WINNOW_MAX_BODY_BYTES", defaults.max_body_bytes),
            max_paragraphs=positive("WINNOW_MAX_PARAGRAPHS", defaults.max_paragraphs),
            max_documents=positive("WINNOW_MAX_DOCUMENTS", defaults.max_documents),
            ndjson_chunk=positive("WINNOW_NDJSON_CHUNK", defaults.ndjson_chunk),
            api_keys=keys,
        )
