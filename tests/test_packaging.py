"""The package list in setup.cfg covers every package folder, so a normal install is whole."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = {p.strip() for p in config["options"]["packages"].replace("\n", ",").split(",") if p.strip()}
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mobsim").rglob("__init__.py")}
    found |= {"mobsim.kernels"} if (ROOT / "kernels" / "__init__.py").is_file() else set()
    assert found <= listed, f"not in setup.cfg packages: {sorted(found - listed)}"
