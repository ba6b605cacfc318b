"""gunicorn's settings for the app, as `make serve`, the bench and docs/operations.md run it:
`gunicorn --config deploy/gunicorn.conf.py --bind 127.0.0.1:8000 "app:create_app()"`.

Two worker processes of four threads each: a page is mostly waiting on the database, and each worker keeps two
PDF render processes of its own (reports/rendering.py), so two workers fill a two-core machine.
"""

workers = 2
threads = 4
timeout = 60
keepalive = 5


def post_worker_init(worker):
    """Once the worker has loaded the app: its render processes, started before it takes its first request."""
    from reports import rendering

    rendering.start_renderers()
