"""Every message has Chinese and English; the admin switches language."""

from tools import i18n


def test_every_message_has_zh_and_en_translations():
    assert i18n.missing() == []


def test_checker_catches_a_missing_translation(tmp_path, monkeypatch):
    source = tmp_path / "src"
    source.mkdir()
    (source / "mod.py").write_text('from flask_babel import lazy_gettext as _l\nX = _l("Brand new")\n')
    translations = tmp_path / "translations"
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "DOMAINS", [([source], translations)])
    assert len(i18n.missing()) == 2  # zh and en


def test_admin_defaults_to_chinese_and_switches(app, client_as):
    client = client_as("hq")
    assert "插件" in client.get("/plugins/").get_data(as_text=True)
    client.get("/lang/en")
    html = client.get("/plugins/").get_data(as_text=True)
    assert "Plugins" in html and "Depends on" in html and "Sample plugin" in html
    client.get("/lang/zh")
    assert "示例插件" in client.get("/plugins/").get_data(as_text=True)
