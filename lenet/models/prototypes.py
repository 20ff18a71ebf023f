"""The 7x12 bitmaps of the digits that LeNet-5's RBF output units compare F6 against.

LeCun et al. (1998), Fig. 3: each output class has a fixed, hand-designed code of
84 = 7 x 12 values in {-1, +1}, drawn as a stylised bitmap of its digit so that
confusable characters get similar codes. '#' is +1, '.' is -1.
"""
from __future__ import annotations

import torch

BITMAP_HEIGHT, BITMAP_WIDTH = 12, 7
CODE_LENGTH = BITMAP_HEIGHT * BITMAP_WIDTH  # 84: why F6 has 84 units

DIGIT_BITMAPS: tuple[str, ...] = (
    # 0
    "......."
    "..###.."
    ".#...#."
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    ".#...#."
    "..###.."
    ".......",
    # 1
    "......."
    "...#..."
    "..##..."
    ".#.#..."
    "...#..."
    "...#..."
    "...#..."
    "...#..."
    "...#..."
    "...#..."
    ".#####."
    ".......",
    # 2
    "......."
    ".#####."
    "#.....#"
    "......#"
    "......#"
    ".....#."
    "...##.."
    "..#...."
    ".#....."
    "#......"
    "#######"
    ".......",
    # 3
    "......."
    ".#####."
    "#.....#"
    "......#"
    "......#"
    "..####."
    "......#"
    "......#"
    "......#"
    "#.....#"
    ".#####."
    ".......",
    # 4
    "......."
    ".....#."
    "....##."
    "...#.#."
    "..#..#."
    ".#...#."
    "#....#."
    "#######"
    ".....#."
    ".....#."
    ".....#."
    ".......",
    # 5
    "......."
    "#######"
    "#......"
    "#......"
    "######."
    "......#"
    "......#"
    "......#"
    "......#"
    "#.....#"
    ".#####."
    ".......",
    # 6
    "......."
    "..####."
    ".#....."
    "#......"
    "#......"
    "######."
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    ".#####."
    ".......",
    # 7
    "......."
    "#######"
    "......#"
    ".....#."
    ".....#."
    "....#.."
    "....#.."
    "...#..."
    "...#..."
    "..#...."
    "..#...."
    ".......",
    # 8
    "......."
    ".#####."
    "#.....#"
    "#.....#"
    "#.....#"
    ".#####."
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    ".#####."
    ".......",
    # 9
    "......."
    ".#####."
    "#.....#"
    "#.....#"
    "#.....#"
    "#.....#"
    ".######"
    "......#"
    "......#"
    ".....#."
    ".####.."
    ".......",
)


def prototype_codes(num_classes: int) -> torch.Tensor:
    """``num_classes x 84`` codes in {-1, +1}: the digit bitmaps, one per class.

    Non-digit datasets (Fashion-MNIST, CIFAR-10) reuse the bitmap of their class
    index: the codes only need to be distinct and far apart, which they are.
    """
    if num_classes > len(DIGIT_BITMAPS):
        raise ValueError(f"lenet5-1998 has RBF codes for at most {len(DIGIT_BITMAPS)} classes")
    rows = [[1.0 if c == "#" else -1.0 for c in bitmap] for bitmap in DIGIT_BITMAPS[:num_classes]]
    return torch.tensor(rows)
