"""Fixtures of the validation tests."""
from __future__ import annotations

import pytest

CHECKED = {"category_quantity": True, "location_date": True, "markings": True}


@pytest.fixture
def validator2(world):  # noqa: ANN001,ANN201
    """A second JIO validator (four eyes: someone else decides on what the first one touched)."""
    from tests import factories

    return factories.user(world.jio, "validator")
