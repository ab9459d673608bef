"""gunicorn settings for prm's web process: the Dockerfile and docker-compose.yml run `gunicorn -c gunicorn.conf.py`.

GUNICORN_BIND (default 0.0.0.0:8000) and WEB_CONCURRENCY (workers, default 3) come from the environment.
"""

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"

# No `Server: gunicorn` banner: naming the server and its version helps nobody but an attacker picking an
# exploit. gunicorn has no setting for it, so its response's default headers are filtered here, once, in the
# master process before the workers fork.
_default_headers = wsgi.Response.default_headers


def _headers_without_server_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server_banner
