"""``python -m winnow serve``: the app under gunicorn, the model loaded before the fork."""
from __future__ import annotations

import argparse
import socket
import struct
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from flask import Flask
from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from serve.app import create_app
from serve.errors import write_problem
from serve.settings import MAX_PORT, Settings, SettingsError
from winnow.inputs import whole_number
from winnow.cli import refuse
from winnow.model import ModelLoadError


class Server(BaseApplication):
    """Gunicorn running an app that is already made (and so preloaded in the master)."""

    def __init__(self, app: Flask, settings: Settings):
        # Requests gunicorn cannot parse never reach the app: it answers them itself, and as problems
        # too once its writer of those answers is ours.
        gunicorn_util.write_error = write_problem
        self.application = app
        self.options = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.workers,
            "worker_class": "gthread",
            "threads": settings.threads,
            "timeout": settings.timeout,
            "preload_app": True,
            "accesslog": None,  # serve.access writes the access log
            "errorlog": "-",
            "proc_name": "winnow",
            # gunicorn's runtime control socket is one path per user: two servers would collide.
            "control_socket_disable": True,
            "when_ready": partial(limit_silence, seconds=settings.client_timeout),
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self.application


def limit_silence(server: Arbiter, seconds: int) -> None:
    """Let no connection block a worker thread for more than `seconds` without a byte.

    Gunicorn's threads read requests from blocking sockets with no timeout, so
    a client that stops halfway through its headers or body would hold a
    thread for ever, and a few such clients the whole server. Receive and send
    timeouts set on the listening sockets are inherited by every connection
    they accept: a read that waits longer fails, the request gets 408
    (serve.parse.body) or the connection is dropped, and the thread is free.
    """
    interval = struct.pack("ll", seconds, 0)
    for listener in server.LISTENERS:
        for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
            listener.sock.setsockopt(socket.SOL_SOCKET, option, interval)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        defaults = Settings.from_env()
    except SettingsError as error:
        return refuse(error)
    args = _parser(defaults).parse_args(argv)
    settings = replace(defaults, host=args.host, port=args.port, model_dir=Path(args.model),
                       workers=args.workers, threads=args.threads)
    try:
        app = create_app(settings=settings)
    except ModelLoadError as error:
        return refuse(error)
    Server(app, settings).run()
    return 0


def _parser(defaults: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m winnow serve",
        description="Serve the HTTP API with gunicorn. Limits and API keys come from environment "
                    "variables: see serve/settings.py.")
    parser.add_argument("--host", default=defaults.host,
                        help="address to listen on (HOST; default %(default)s)")
    parser.add_argument("--port", type=_whole_number(MAX_PORT), default=defaults.port,
                        help="port (PORT; default %(default)s)")
    parser.add_argument("--model", default=str(defaults.model_dir),
                        help="model directory (WINNOW_MODEL; default %(default)s)")
    parser.add_argument("--workers", type=_whole_number(), default=defaults.workers,
                        help="worker processes (WINNOW_WORKERS; default %(default)s)")
    parser.add_argument("--threads", type=_whole_number(), default=defaults.threads,
                        help="threads per worker (WINNOW_THREADS; default %(default)s)")
    return parser


def _whole_number(most: int | None = None) -> Callable[[str], int]:
    """An argparse type: `winnow.inputs.whole_number`, its refusal as argparse's usage error."""
    def parse(text: str) -> int:
        try:
            return whole_number(text, most=most)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return parse
