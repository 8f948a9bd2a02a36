"""Seeding of every random generator an engine may draw from, done inside the serialized worker."""

from __future__ import annotations

import random
import sys

import numpy as np


def seed_everything(seed: int) -> None:
    """Seeds Python, numpy and, when an engine has imported it, torch (CPU and every CUDA device).

    torch is only seeded when already imported: an engine that samples with torch has imported it, and
    importing it here just to seed would cost seconds for engines that never use it.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(seed)
