"""The one exception type whose message is meant for a person (used by index/ and assistant/)."""


class DerekError(Exception):
    """A failure the user can act on; the CLI prints it as one line and exits non-zero."""
