"""Adapter over ``firmware_config/provision.py``, the one owner of broker credentials.

The hub's fleet commands (``hub device add`` / ``retire``) run on the broker host as root,
where provisioning lives; they call its functions instead of writing Mosquitto's files a
second way. ``probe()`` says whether it can be used here.
"""
from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from hub.exceptions import HubError

PROVISION_PY = Path(__file__).resolve().parents[2] / "firmware_config" / "provision.py"
RELOAD_TIMEOUT_S = 30.0


class ProvisioningError(HubError):
    code = "provisioning_failed"
    exit_code = 7
    message_vi = "Không đăng ký được thiết bị với máy chủ MQTT."


def _module() -> ModuleType:
    name = "donthu_provision"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROVISION_PY)
    if spec is None or spec.loader is None or not PROVISION_PY.exists():
        raise ProvisioningError(f"{PROVISION_PY} not found; run the hub from the project checkout")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look the module up while the class body runs
    spec.loader.exec_module(module)
    return module


def probe(broker_dir: Path) -> tuple[bool, str]:
    """Can this host register kiosks (provision.py, mosquitto_passwd, the broker's passwd)?"""
    try:
        mod = _module()
    except ProvisioningError as e:
        return False, e.detail
    if not mod.probe():
        return False, "mosquitto_passwd is not installed (apt-get install mosquitto)"
    if not (broker_dir / "passwd").exists():
        return False, f"{broker_dir}/passwd does not exist (provision.py broker --dir {broker_dir})"
    return True, f"provisioning through {PROVISION_PY}"


def _call(fn, **kwargs):  # noqa: ANN001, ANN202 — translate provision's error once
    mod = _module()
    try:
        return fn(**kwargs)
    except mod.ProvisionError as e:
        raise ProvisioningError(str(e)) from e


def validate_device_id(device_id: str) -> str:
    """The id rules of provisioning (shape, reserved names)."""
    mod = _module()
    return _call(mod.validate_device_id, device_id=device_id)


def register(broker_dir: Path, device_id: str) -> str:
    """Give kiosk ``device_id`` a new random broker password; return it (never logged)."""
    mod = _module()  # the id was checked by the caller (validate_device_id)
    password = mod.new_password()
    _call(mod.set_password, passwd_file=broker_dir / "passwd", username=device_id, password=password)
    return password


def revoke(broker_dir: Path, device_id: str, *, tls_dir: Path | None) -> tuple[bool, int]:
    """Retire kiosk ``device_id``: its broker password deleted and, on a TLS fleet, its
    certificates on the CRL (``provision.revoke_device``); returns (password removed, certs revoked)."""
    mod = _module()
    return _call(mod.revoke_device, broker_dir=broker_dir, device_id=device_id, tls_dir=tls_dir)


def issue_certificate(tls_dir: Path, device_id: str, out_dir: Path) -> tuple[str, str, str]:
    """A client certificate for ``device_id`` from the fleet CA: (cert PEM, key PEM, CA PEM)."""
    mod = _module()
    certs = mod._certs()
    issued = certs.issue(tls_dir, common_name=device_id, out_dir=out_dir)
    try:
        return (issued.cert.read_text(), issued.key.read_text(), (tls_dir / "ca.crt").read_text())
    finally:
        issued.key.unlink(missing_ok=True)
        issued.cert.unlink(missing_ok=True)


def reload_broker(command: str, *, timeout_s: float = RELOAD_TIMEOUT_S) -> None:
    """Make Mosquitto read its password file again (``systemctl reload mosquitto`` by default)."""
    try:
        proc = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=timeout_s,
                              check=False)
    except (subprocess.TimeoutExpired, OSError) as e:
        raise ProvisioningError(f"broker reload ({command}) failed: {e}") from e
    if proc.returncode != 0:
        raise ProvisioningError(f"broker reload ({command}) failed with exit {proc.returncode}: "
                                f"{(proc.stderr or proc.stdout).strip()[-200:]}")
