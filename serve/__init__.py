"""The HTTP service of winnow: `serve.app.create_app` and ``python -m winnow serve``."""
