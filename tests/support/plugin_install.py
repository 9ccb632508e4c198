"""Install the test plugin package the way pip would: a .dist-info with entry points
and a ``.pth`` file that points at the package's folder.

``importlib.metadata`` then finds it through the ``retail_admin.plugins`` group,
so discovery in tests goes through real entry points.
"""

import site
from pathlib import Path

TEST_PLUGIN_ROOT = Path(__file__).resolve().parents[1] / "test_plugin"

ENTRY_POINTS = """[retail_admin.plugins]
sample = retail_test_plugin
sample_addon = retail_test_plugin.addon
"""


def install_test_plugin(site_dir: Path) -> None:
    dist_info = site_dir / "retail_test_plugin-1.2.3.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: retail-test-plugin\nVersion: 1.2.3\n"
    )
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS)
    (site_dir / "retail_test_plugin.pth").write_text(f"{TEST_PLUGIN_ROOT}\n")
    site.addsitedir(str(site_dir))


def subprocess_pythonpath(site_dir: Path) -> list[str]:
    """PYTHONPATH entries for a child process (it does not read ``.pth`` files there)."""
    return [str(site_dir), str(TEST_PLUGIN_ROOT)]
