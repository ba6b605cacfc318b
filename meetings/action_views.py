from meetings.views import bp  # noqa: F401
