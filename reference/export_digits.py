#!/usr/bin/env python3
"""Export scikit-learn's 8×8 digits to the engine's compact binary asset.

Writes crates/nn/assets/digits.bin and crates/nn/assets/digits.sha256.

Format of digits.bin (all of it, nothing else):
  bytes 0..4    ASCII "DIG1"
  bytes 4..8    n, u32 little-endian (1797)
  next n·64     pixels: image i's 64 pixels row-major (row 0 left to right, then row 1, ...),
                one byte each, value 0..16 as in load_digits() (not divided by 16)
  next n        labels: one byte each, 0..9
Total size 8 + 65·n bytes. Images are in load_digits()'s own order (not shuffled).

Run from the repository root:  reference/.venv/bin/python reference/export_digits.py
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "crates" / "nn" / "assets"


def main() -> int:
    digits = load_digits()
    images = np.asarray(digits.images)  # (n, 8, 8) float64 holding integers 0..16
    labels = np.asarray(digits.target)
    n = images.shape[0]
    assert images.shape == (n, 8, 8) and labels.shape == (n,)
    assert np.all(images == np.round(images)), "pixels are not whole numbers"
    assert images.min() >= 0 and images.max() <= 16, "pixels outside 0..16"
    assert labels.min() >= 0 and labels.max() <= 9, "labels outside 0..9"

    pixels = images.reshape(n, 64).astype(np.uint8)
    blob = b"DIG1" + struct.pack("<I", n) + pixels.tobytes(order="C") + labels.astype(np.uint8).tobytes()
    assert len(blob) == 8 + 64 * n + n

    ASSETS.mkdir(parents=True, exist_ok=True)
    (ASSETS / "digits.bin").write_bytes(blob)
    digest = hashlib.sha256(blob).hexdigest()
    (ASSETS / "digits.sha256").write_text(f"{digest}  digits.bin\n", encoding="ascii")
    print(f"wrote {ASSETS / 'digits.bin'}: n = {n}, {len(blob)} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
