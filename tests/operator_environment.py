"""The environment an operator sets, read as the settings read it, for tests of start-up checks."""

from troubleshooter.settings import Environment, read_environment


def environment(monkeypatch, **values) -> Environment:
    """The environment as the settings read it when only these of its variables are set."""
    for name in Environment.model_fields:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return read_environment()
