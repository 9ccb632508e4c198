"""Periodic tasks (``PERIODIC`` / ``retail_register_periodic_tasks``): the job worker runs those
of enabled packages when it starts and every minute; one failing does not stop the others."""

import pytest

from app.extensions import db
from app.platform.jobs import run_periodic_tasks
from app.plugins import PluginError, PluginHost, plugin_host


def test_the_worker_runs_each_enabled_package_task_and_survives_a_failing_one(app, caplog):
    from retail_test_plugin.jobs import TICKS

    TICKS.clear()
    failed = run_periodic_tasks(app)
    assert failed == ["sample.broken_tick"]
    with app.app_context():
        assert TICKS == [db.engine.dialect.name]
    assert "periodic task sample.broken_tick failed" in caplog.text


def test_a_disabled_plugin_task_does_not_run(app):
    from retail_test_plugin.jobs import TICKS

    TICKS.clear()
    with app.app_context():
        plugin_host().set_enabled("sample_addon", False)  # it depends on sample
        plugin_host().set_enabled("sample", False)
    try:
        assert run_periodic_tasks(app) == []
        assert TICKS == []
    finally:
        with app.app_context():
            plugin_host().set_enabled("sample", True)
            plugin_host().set_enabled("sample_addon", True)


def test_tasks_are_listed_by_package_and_a_name_may_be_registered_once(app):
    from tests.core.test_manifests import _manifest

    with app.app_context():
        tasks = plugin_host().periodic_tasks()
    assert tasks["sample.tick"][0] == "sample"
    host = PluginHost()
    host.register(_manifest("one", PERIODIC={"twice.task": "retail_test_plugin.jobs:tick"}))
    host.register(_manifest("two", PERIODIC={"twice.task": "retail_test_plugin.jobs:tick"}))
    with pytest.raises(PluginError, match="registered twice"):
        host.periodic_tasks()
