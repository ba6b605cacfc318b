"""The nginx site in deploy/ (issue 20, two app servers behind nginx) is one Debian's nginx accepts: `nginx -t`
on the very files, with only the certificate and include paths pointed at a throwaway folder."""

import shutil
import subprocess  # nosec B404: runs Debian's nginx on our own files, never anything a user gave
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def throwaway_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "marac.example.org")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = folder / "site.pem", folder / "site.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate_file, key_file


def test_the_deploy_site_passes_nginx_t(tmp_path):
    certificate, key = throwaway_certificate(tmp_path)
    site = (
        (DEPLOY / "nginx.conf")
        .read_text()
        .replace("/etc/ssl/certs/marac.example.org.pem", str(certificate))
        .replace("/etc/ssl/private/marac.example.org.key", str(key))
        .replace("/srv/marac/deploy/nginx-proxy.conf", str(DEPLOY / "nginx-proxy.conf"))
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )

    checked = subprocess.run(  # nosec B603: a fixed command on files this test wrote
        [NGINX, "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "main.conf")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr
