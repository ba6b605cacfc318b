"""Sealed files: what goes in comes out, across many chunks, and any reordering, dropped chunk or cut is refused."""

import io

import pytest

from access.sealed_file import (
    CHUNK_BYTES,
    HEADER_BYTES,
    LENGTH,
    TAG_BYTES,
    OpeningReader,
    SealedFileError,
    SealingWriter,
)

PASSPHRASE = "a passphrase of twenty or more characters"


def sealed(data: bytes) -> bytes:
    raw = io.BytesIO()
    with SealingWriter(raw, PASSPHRASE) as writer:
        for start in range(0, len(data), 10_000):
            writer.write(data[start : start + 10_000])
    return raw.getvalue()


def opened(data: bytes) -> bytes:
    return io.BufferedReader(OpeningReader(io.BytesIO(data), PASSPHRASE)).read()


def chunks(data: bytes) -> list[bytes]:
    found, position = [], HEADER_BYTES
    while position < len(data):
        (size,) = LENGTH.unpack(data[position : position + LENGTH.size])
        found.append(data[position : position + LENGTH.size + size])
        position += LENGTH.size + size
    return found


PLAINTEXT = bytes(range(256)) * 1000  # 256,000 bytes: three full chunks and a short last one


def test_what_is_sealed_opens_to_the_same_bytes_across_chunks():
    data = sealed(PLAINTEXT)

    assert len(chunks(data)) == 4
    assert opened(data) == PLAINTEXT


def test_empty_content_seals_to_one_last_chunk():
    data = sealed(b"")

    assert len(data) == HEADER_BYTES + LENGTH.size + TAG_BYTES
    assert opened(data) == b""


def test_each_sealing_uses_a_new_salt_and_nonce():
    assert sealed(PLAINTEXT)[:HEADER_BYTES] != sealed(PLAINTEXT)[:HEADER_BYTES]


@pytest.mark.parametrize(
    "rearrange",
    [
        lambda parts: [parts[1], parts[0], *parts[2:]],
        lambda parts: parts[:-1],
        lambda parts: [parts[0], *parts[2:]],
    ],
    ids=["swapped", "last dropped", "middle dropped"],
)
def test_reordered_or_dropped_chunks_do_not_open(rearrange):
    data = sealed(PLAINTEXT)
    changed = data[:HEADER_BYTES] + b"".join(rearrange(chunks(data)))

    with pytest.raises(SealedFileError):
        opened(changed)


def test_a_chunk_moved_under_another_header_does_not_open():
    first, second = sealed(PLAINTEXT), sealed(PLAINTEXT)

    with pytest.raises(SealedFileError):
        opened(second[:HEADER_BYTES] + first[HEADER_BYTES:])


def test_a_short_passphrase_is_refused_before_anything_is_written():
    raw = io.BytesIO()

    with pytest.raises(SealedFileError, match="at least 20 characters"):
        SealingWriter(raw, "too short")
    assert raw.getvalue() == b""


def test_a_length_beyond_a_chunk_is_refused_without_reading_it():
    data = sealed(b"x")
    forged = data[:HEADER_BYTES] + LENGTH.pack(CHUNK_BYTES + TAG_BYTES + 1) + b"\0" * 10

    with pytest.raises(SealedFileError, match="wrong length"):
        opened(forged)
