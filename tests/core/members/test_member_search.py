"""POS member search by one Chinese character (a surname) or a longer fragment."""

from tests.support.members import error_code, new_phone

URL = "/api/v1/pos/members"


def _create(api, name):
    response = api.post(URL, json={"phone": new_phone(), "name": name})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]["id"]


def test_one_chinese_character_finds_members_by_surname(api_as):
    pos = api_as("pos1")
    surname = _create(pos, "龘小明")
    inside = _create(pos, "李龘")  # the character, but not as the surname
    found = pos.get(URL, query_string={"q": "龘"})
    assert found.status_code == 200, found.get_json()
    ids = [m["id"] for m in found.get_json()["result"]]
    assert surname in ids and inside not in ids
    assert pos.get(URL, query_string={"q": " 龘 "}).get_json()["count"] == found.get_json()["count"]
    # another store's till does not see them
    other = api_as("cashier2").get(URL, query_string={"q": "龘"})
    assert other.status_code == 200 and surname not in [m["id"] for m in other.get_json()["result"]]


def test_two_characters_still_match_a_fragment(api_as):
    pos = api_as("pos1")
    inside = _create(pos, "李龘龘")
    found = pos.get(URL, query_string={"q": "龘龘"}).get_json()
    assert inside in [m["id"] for m in found["result"]]


def test_one_latin_character_or_digit_is_too_short(api_as):
    pos = api_as("pos1")
    for q in ("a", "1", "%", "", " ", "。"):
        response = pos.get(URL, query_string={"q": q})
        assert response.status_code == 422, q
        assert error_code(response) == "QUERY_TOO_SHORT"
    assert error_code(pos.get(URL, query_string={"q": "龘" * 51})) == "QUERY_TOO_SHORT"
