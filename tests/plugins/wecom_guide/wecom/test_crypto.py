"""Our WXBizMsgCrypt pinned to WeCom's published sample vectors (INTEGRATIONS.md §2)."""

from __future__ import annotations

import base64

import pytest

from plugins.wecom_guide.wecom.crypto import (
    BLOCK,
    WeComCryptoError,
    WXBizMsgCrypt,
    aes_key,
    pad,
    parse_xml,
    signature,
    unpad,
)

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"

URL_SIGNATURE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
URL_TIMESTAMP, URL_NONCE = "1409659589", "263014780"
ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="

MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
MSG_TIMESTAMP, MSG_NONCE = "1409659813", "1372623149"
ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUk"
    "SUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekU"
    "NXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rU"
    "PA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+"
    "qN+E7Q=="
)
PLAIN = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)


def body(encrypt: str = ENCRYPT) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
        "<AgentID><![CDATA[218]]></AgentID></xml>"
    )


@pytest.fixture
def crypt():
    return WXBizMsgCrypt(TOKEN, AES_KEY, CORP_ID)


def test_published_url_verification_vector(crypt):
    assert signature(TOKEN, URL_TIMESTAMP, URL_NONCE, ECHOSTR) == URL_SIGNATURE
    assert crypt.verify_url(URL_SIGNATURE, URL_TIMESTAMP, URL_NONCE, ECHOSTR) == "1616140317555161061"


def test_published_decrypt_vector(crypt):
    assert signature(TOKEN, MSG_TIMESTAMP, MSG_NONCE, ENCRYPT) == MSG_SIGNATURE
    message = crypt.decrypt_message(body(), MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE)
    assert message == PLAIN
    assert len(message.encode("utf-8")) == 284
    assert parse_xml(message)["Content"] == "hello"


def test_round_trip_with_a_fixed_random_prefix(crypt):
    prefix = bytes(range(16))
    encrypt = crypt.encrypt("你好, WeCom", random_prefix=prefix)
    assert encrypt == crypt.encrypt("你好, WeCom", random_prefix=prefix)  # deterministic with the prefix
    assert crypt.decrypt(encrypt) == "你好, WeCom"
    reply = crypt.encrypt_message(PLAIN, "nonce1", "1409659813", random_prefix=prefix)
    fields = parse_xml(reply)
    assert fields["MsgSignature"] == signature(TOKEN, "1409659813", "nonce1", fields["Encrypt"])
    assert crypt.decrypt_message(reply, fields["MsgSignature"], "1409659813", "nonce1") == PLAIN


def test_padding_is_to_32_bytes():
    for size in (0, 1, 15, 16, 31, 32, 33):
        padded = pad(b"x" * size)
        assert len(padded) % BLOCK == 0 and 1 <= len(padded) - size <= BLOCK
        assert unpad(padded) == b"x" * size
    assert len(pad(b"x" * 16)) == 32  # a 16-byte pad would be 16: WeCom pads to 32
    with pytest.raises(WeComCryptoError):
        unpad(b"x" * 31 + bytes([33]))


def test_tampered_signature_is_refused(crypt):
    bad = MSG_SIGNATURE[:-1] + ("0" if MSG_SIGNATURE[-1] != "0" else "1")
    with pytest.raises(WeComCryptoError) as err:
        crypt.decrypt_message(body(), bad, MSG_TIMESTAMP, MSG_NONCE)
    assert err.value.code == -40001
    with pytest.raises(WeComCryptoError) as err:  # a replayed body with another timestamp
        crypt.decrypt_message(body(), MSG_SIGNATURE, "1409659814", MSG_NONCE)
    assert err.value.code == -40001
    with pytest.raises(WeComCryptoError) as err:
        crypt.verify_url(URL_SIGNATURE, URL_TIMESTAMP, "1", ECHOSTR)
    assert err.value.code == -40001


def test_tampered_ciphertext_is_refused(crypt):
    raw = bytearray(base64.b64decode(ENCRYPT))
    raw[-1] ^= 0x01  # breaks the padding of the last block
    tampered = base64.b64encode(bytes(raw)).decode()
    sign = signature(TOKEN, MSG_TIMESTAMP, MSG_NONCE, tampered)  # even with a matching signature
    with pytest.raises(WeComCryptoError) as err:
        crypt.decrypt_message(body(tampered), sign, MSG_TIMESTAMP, MSG_NONCE)
    assert err.value.code in (-40007, -40008, -40005)
    for junk in ("not base64!", "", base64.b64encode(b"short").decode()):
        with pytest.raises(WeComCryptoError):
            crypt.decrypt(junk)


def test_wrong_receiveid_is_refused():
    other = WXBizMsgCrypt(TOKEN, AES_KEY, "wwanothercorp")
    with pytest.raises(WeComCryptoError) as err:
        other.decrypt_message(body(), MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE)
    assert err.value.code == -40005
    with pytest.raises(WeComCryptoError) as err:
        other.verify_url(URL_SIGNATURE, URL_TIMESTAMP, URL_NONCE, ECHOSTR)
    assert err.value.code == -40005


def test_wrong_key_is_refused():
    wrong = WXBizMsgCrypt(TOKEN, "A" * 43, CORP_ID)
    with pytest.raises(WeComCryptoError) as err:
        wrong.decrypt_message(body(), MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE)
    assert err.value.code in (-40007, -40008, -40005)
    for key in ("short", "!" * 43, ""):
        with pytest.raises(WeComCryptoError) as err:
            aes_key(key)
        assert err.value.code == -40004


def test_hostile_xml_is_refused(crypt):
    for xml in (
        "<xml><Encrypt>",
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>',
        "<xml></xml>",
        "x" * 70000,
    ):
        with pytest.raises(WeComCryptoError) as err:
            crypt.decrypt_message(xml, MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE)
        assert err.value.code == -40002
