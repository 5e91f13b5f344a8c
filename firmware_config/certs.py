"""Fleet TLS: a fleet CA, the broker's server certificate and one client certificate per kiosk.

Generated with the ``cryptography`` library (ECDSA P-256, SHA-256). Mosquitto's TLS listener
uses ``require_certificate true`` and ``use_identity_as_username true``: the client
certificate's CN *is* the MQTT username, so CN = device id and the ACL's ``%u`` confines
the kiosk to ``kiosk/<id>/#`` exactly as with a password. Private keys are written 0600,
except the broker's, which Mosquitto reads after dropping to its user (root:mosquitto 0640).

Every certificate issued is listed (serial, CN) in ``issued.txt`` beside the CA, so that
:func:`revoke` can put all of a retired kiosk's certificates on the CRL (``crl.pem``) the
TLS listener reads (``crlfile``).

Imported lazily by ``provision.py`` (which is otherwise standard library only).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
LEAF_DAYS = 825  # the longest validity common TLS clients still accept for a leaf


@dataclass(frozen=True)
class Issued:
    """Paths of a certificate and its private key."""

    cert: Path
    key: Path


CRL_DAYS = 3650  # Mosquitto refuses every client once the CRL's next update has passed
ISSUED = "issued.txt"
REVOKED = "revoked.txt"
CRL = "crl.pem"


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey, *, gid: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)
    if gid is not None:  # readable by the broker's group, written by root alone
        os.chown(path, 0, gid)
        os.chmod(path, 0o640)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(path, 0o644)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Don thu Ha Noi"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def create_ca(dir: Path, *, name: str = "Don thu fleet CA", days: int = CA_DAYS) -> Issued:
    """Create ``dir/ca.crt`` and ``dir/ca.key`` (kept if they exist: re-running must not
    invalidate every kiosk's certificate)."""
    cert_path, key_path = dir / "ca.crt", dir / "ca.key"
    if cert_path.exists() and key_path.exists():
        return Issued(cert_path, key_path)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name)).issuer_name(_name(name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write_cert(cert_path, cert)
    return Issued(cert_path, key_path)


def _load_ca(ca_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert = x509.load_pem_x509_certificate((ca_dir / "ca.crt").read_bytes())
    key = serialization.load_pem_private_key((ca_dir / "ca.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return cert, key


def issue(ca_dir: Path, *, common_name: str, out_dir: Path, server: bool = False,
          hosts: tuple[str, ...] = (), days: int = LEAF_DAYS, key_gid: int | None = None) -> Issued:
    """Issue a certificate signed by the fleet CA: a kiosk's (CN = device id, clientAuth) or
    the broker's (``server=True``; ``hosts`` become DNS/IP subject alternative names).
    With ``key_gid`` the key is root:that group 0640 (the broker's own key)."""
    ca_cert, ca_key = _load_ca(ca_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
    )
    if server:
        names: list[x509.GeneralName] = []
        for h in hosts or (common_name,):
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(h)))
            except ValueError:
                names.append(x509.DNSName(h))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    stem = "server" if server else common_name
    issued = Issued(out_dir / f"{stem}.crt", out_dir / f"{stem}.key")
    _write_key(issued.key, key, gid=key_gid)
    _write_cert(issued.cert, cert)
    with open(ca_dir / ISSUED, "a", encoding="utf-8") as fh:
        fh.write(f"{cert.serial_number:x} {common_name}\n")
    return issued


def _listed(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        serial, _, cn = line.partition(" ")
        if serial:
            out.append((int(serial, 16), cn))
    return out


def write_crl(ca_dir: Path, *, days: int = CRL_DAYS) -> Path:
    """(Re)write ``ca_dir/crl.pem``, signed by the CA, listing every revoked serial (0644)."""
    ca_cert, ca_key = _load_ca(ca_dir)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
               .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=days)))
    for serial, _ in _listed(ca_dir / REVOKED):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build())
    crl = builder.sign(ca_key, hashes.SHA256())
    path = ca_dir / CRL
    tmp = path.with_name(f".{CRL}.tmp")
    tmp.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def revoke(ca_dir: Path, common_name: str) -> int:
    """Put every certificate issued to ``common_name`` on the CRL; return how many."""
    revoked = {s for s, _ in _listed(ca_dir / REVOKED)}
    new = [s for s, cn in _listed(ca_dir / ISSUED) if cn == common_name and s not in revoked]
    if new:
        with open(ca_dir / REVOKED, "a", encoding="utf-8") as fh:
            fh.writelines(f"{s:x} {common_name}\n" for s in new)
    write_crl(ca_dir)
    return len(new)


def common_name(cert_file: Path) -> str:
    """The CN of a PEM certificate (what Mosquitto takes as the username)."""
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value  # type: ignore[return-value]
