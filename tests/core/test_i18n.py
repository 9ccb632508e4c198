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


def _module(directory, text: str):
    directory.mkdir(parents=True)
    (directory / "mod.py").write_text(f'from flask_babel import lazy_gettext as _l\nX = {text}\n')
    return directory


def test_a_plugin_catalog_keeps_the_core_word_and_check_catches_a_second_one(tmp_path, monkeypatch):
    app_dir = _module(tmp_path / "app", '_l("Paid")')
    plugin = _module(tmp_path / "plugins" / "trade", '(_l("Paid"), _l("Device category"))')
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "DOMAINS", [([app_dir], tmp_path / "translations"),
                                          ([plugin], plugin / "translations")])
    i18n.update()
    core = i18n.load(i18n.po_path(tmp_path / "translations", "zh"), "zh")
    core.get("Paid").string = "已支付"
    i18n.save(core, i18n.po_path(tmp_path / "translations", "zh"))
    i18n.update()  # the plugin's copy of "Paid" goes: the core translates it
    own = i18n.load(i18n.po_path(plugin / "translations", "zh"), "zh")
    assert own.get("Paid") is None and own.get("Device category") is not None
    own.get("Device category").string = "品类"
    own.add("Paid", "已付款")  # a second word for it, written by hand
    i18n.save(own, i18n.po_path(plugin / "translations", "zh"))
    assert i18n.missing() == []
    problems = i18n.conflicts()
    assert len(problems) == 1 and "'Paid'" in problems[0] and "已付款" in problems[0]
