"""The one exception type for bad user input."""


class InputError(Exception):
    """Bad scenario, district table or command-line value; the message is one line for the user."""
