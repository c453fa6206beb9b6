from tests import factories


def test_officer_creates_and_reads_a_report(api, world):
    officer = api.as_(world["jm_officer"])
    response = officer.post("/seizures", json=factories.report_payload())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["reference"].startswith("JM-")
    assert body["items"][0]["normalised"] == {"quantity": 10000.0, "unit": "sticks"}
    again = officer.get(f"/seizures/{body['id']}")
    assert again.status_code == 200
    assert again.get_json()["persons"][0]["name"] == "Winston Uniquename"
