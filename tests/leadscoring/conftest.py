from tests.people import people  # noqa: F401
