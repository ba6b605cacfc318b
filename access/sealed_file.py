"""Files sealed with a passphrase, written and read as streams: the backup's encryption.

Layout: a header (magic, scrypt salt, nonce prefix), then chunks, each a 4-byte length and AES-256-GCM
ciphertext. A chunk's nonce is the prefix, its number and a flag marking the last chunk, and the header is
authenticated with every chunk, so a changed, reordered, dropped or truncated chunk fails to open.
"""

import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"MARAC-SEALED-1\n"
SALT_BYTES = 16
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + SALT_BYTES + PREFIX_BYTES
CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
LENGTH = struct.Struct(">I")
MIN_PASSPHRASE_CHARS = 20


class SealedFileError(Exception):
    """The file cannot be sealed or opened; the message says why."""


def check_passphrase(passphrase: str | None) -> str:
    if not passphrase or len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise SealedFileError(
            f"Set MARAC_BACKUP_KEY to a passphrase of at least {MIN_PASSPHRASE_CHARS} characters, "
            "kept apart from the backups: they are encrypted with it and cannot be read without it."
        )
    return passphrase


def derive_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(check_passphrase(passphrase).encode())


def nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, last)


class SealingWriter(io.RawIOBase):
    """Encrypts what is written to it into RAW, one chunk at a time; close() seals the last chunk."""

    def __init__(self, raw, passphrase: str):
        salt, self._prefix = os.urandom(SALT_BYTES), os.urandom(PREFIX_BYTES)
        self._header = MAGIC + salt + self._prefix
        self._aead = AESGCM(derive_key(passphrase, salt))
        self._raw, self._pending, self._number = raw, bytearray(), 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pending += data
        while len(self._pending) > CHUNK_BYTES:
            self._seal(bytes(self._pending[:CHUNK_BYTES]), last=False)
            del self._pending[:CHUNK_BYTES]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._pending), last=True)
            self._pending.clear()
        super().close()

    def _seal(self, plaintext: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(nonce(self._prefix, self._number, last), plaintext, self._header)
        self._raw.write(LENGTH.pack(len(sealed)) + sealed)
        self._number += 1


class OpeningReader(io.RawIOBase):
    """Decrypts RAW chunk by chunk as it is read; raises SealedFileError at the first chunk that does not open."""

    def __init__(self, raw, passphrase: str):
        self._header = raw.read(HEADER_BYTES)
        if len(self._header) < HEADER_BYTES or not self._header.startswith(MAGIC):
            raise SealedFileError("The file is not an encrypted MARAC backup.")
        salt = self._header[len(MAGIC) : len(MAGIC) + SALT_BYTES]
        self._prefix = self._header[len(MAGIC) + SALT_BYTES :]
        self._aead = AESGCM(derive_key(passphrase, salt))
        self._raw, self._plain, self._number, self._ended = raw, b"", 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._plain and not self._ended:
            self._plain = self._open_next_chunk()
        count = min(len(buffer), len(self._plain))
        buffer[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count

    def _open_next_chunk(self) -> bytes:
        length = self._raw.read(LENGTH.size)
        if len(length) < LENGTH.size:
            raise SealedFileError("The backup is cut short: its last part is missing.")
        (size,) = LENGTH.unpack(length)
        sealed = self._raw.read(size)
        if size > CHUNK_BYTES + TAG_BYTES or len(sealed) != size:
            raise SealedFileError("The backup is damaged: a part has the wrong length.")
        for last in (False, True):
            try:
                plaintext = self._aead.decrypt(nonce(self._prefix, self._number, last), sealed, self._header)
            except InvalidTag:
                continue
            self._number += 1
            self._ended = last
            if last and self._raw.read(1):
                raise SealedFileError("The backup is damaged: there is data after its last part.")
            return plaintext
        raise SealedFileError(
            "The backup cannot be opened: the passphrase (MARAC_BACKUP_KEY) is wrong or the file is damaged."
        )
