"""The cryptography of the store: AES-256-GCM for values and names, HMAC-SHA256 for file
names and metadata, HKDF-SHA256 to derive the store's sub-keys.

* Every encryption uses a fresh random 96-bit nonce (``os.urandom(12)``), the IV length
  NIST SP 800-38D recommends; a nonce is stored with its ciphertext (``nonce || ct || tag``).
* Associated data is a canonical JSON array, so fields can never run into each other:
  for a value ``["dq-file", FORMAT, store_id, effective_path, version, key_id]`` — a
  ciphertext copied to another path, tenant (the tenant is part of the effective path),
  version, key id or store fails to decrypt.
* The store key (32 random bytes, made when the store is created) is kept only wrapped
  (AES-GCM) under each data key; HKDF derives from it the key that names entry files
  (HMAC of the path, so names do not leak), the key that encrypts the path inside the entry,
  and the key that authenticates entry and header metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = 1
NONCE_BYTES = 12
KEY_BYTES = 32


class Unauthentic(Exception):
    """A ciphertext or MAC did not verify (wrong key, tampered, truncated, or moved)."""


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (JSON has no ambiguity)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise Unauthentic("ciphertext too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise Unauthentic("authentication tag did not verify") from None


def value_aad(store_id: str, path: str, version: int, key_id: str) -> bytes:
    return canonical(["dq-file", FORMAT, store_id, path, version, key_id])


def name_aad(store_id: str, file_id: str) -> bytes:
    return canonical(["dq-file-name", FORMAT, store_id, file_id])


def wrap_aad(store_id: str, key_id: str) -> bytes:
    return canonical(["dq-file-store-key", FORMAT, store_id, key_id])


def mac(key: bytes, document: Any) -> bytes:
    return hmac.new(key, canonical(document), hashlib.sha256).digest()


def mac_ok(key: bytes, document: Any, tag: bytes) -> bool:
    return hmac.compare_digest(mac(key, document), tag)


class StoreKeys:
    """The sub-keys derived from one store key. Never shows them."""

    __slots__ = ("_encrypt_names", "_mac", "_names")

    def __init__(self, store_key: bytes, store_id: str) -> None:
        def derive(purpose: str) -> bytes:
            return HKDF(
                algorithm=hashes.SHA256(),
                length=KEY_BYTES,
                salt=store_id.encode(),
                info=f"dq-file/{FORMAT} {purpose}".encode(),
            ).derive(store_key)

        self._names = derive("entry names")
        self._encrypt_names = derive("path encryption")
        self._mac = derive("metadata mac")

    def __repr__(self) -> str:
        return "StoreKeys(***)"

    def file_id(self, path: str) -> str:
        """The entry's file name: a keyed hash, so the disk never shows a path."""
        return hmac.new(self._names, path.encode(), hashlib.sha256).hexdigest()

    def seal_name(self, store_id: str, file_id: str, path: str) -> bytes:
        return seal(self._encrypt_names, path.encode(), name_aad(store_id, file_id))

    def open_name(self, store_id: str, file_id: str, sealed: bytes) -> str:
        return open_sealed(self._encrypt_names, sealed, name_aad(store_id, file_id)).decode()

    def mac(self, document: Any) -> bytes:
        return mac(self._mac, document)

    def mac_ok(self, document: Any, tag: bytes) -> bool:
        return mac_ok(self._mac, document, tag)
