"""Assertions shared by the API tests."""
from __future__ import annotations


def assert_error(response, status: int, code: str | None = None, fields: list[str] | None = None) -> dict:  # noqa: ANN001
    """The response is the JSON error of the contract; `fields` names exactly the invalid fields."""
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.is_json, response.get_data(as_text=True)[:200]
    error = response.get_json()["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if fields is not None:
        assert sorted(error.get("fields", {})) == sorted(fields), error
        for messages in error["fields"].values():
            assert messages and all(isinstance(m, str) and m for m in messages)
    return error
