"""The fuzz tests send each request in an application context of its own, as the API tests do."""
from tests.api.conftest import api, client, unchanged  # noqa: F401  (fixtures shared with tests/api)
