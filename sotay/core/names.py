"""Realistic Vietnamese names for demo and scale data (deterministic with a seeded RNG)."""

import random

SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 2), ("Phan", 4),
    ("Vũ", 4), ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đào", 1), ("Mai", 1), ("Tạ", 1), ("Lương", 1), ("Chu", 1),
]  # fmt: skip
MALE_MIDDLE = [
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Ngọc",
    "Xuân",
    "Thanh",
    "Công",
    "Mạnh",
    "Đình",
    "Quốc",
    "Tiến",
    "Trọng",
]
FEMALE_MIDDLE = [
    "Thị",
    "Thu",
    "Ngọc",
    "Thanh",
    "Minh",
    "Thúy",
    "Bích",
    "Hồng",
    "Phương",
    "Kim",
    "Diệu",
    "Mai",
]
MALE_GIVEN = [
    "An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa", "Hùng",
    "Huy", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lợi", "Minh", "Nam", "Nghĩa", "Phong", "Phúc",
    "Quân", "Quang", "Sơn", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
]  # fmt: skip
FEMALE_GIVEN = [
    "An", "Anh", "Bích", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
    "Hồng", "Huệ", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh",
    "Phương", "Quyên", "Thảo", "Thu", "Thủy", "Trang", "Tuyết", "Uyên", "Vân", "Xuân", "Yến",
]  # fmt: skip

_SURNAME_POOL = [name for name, weight in SURNAMES for _ in range(weight)]


def random_name(rng: random.Random, female: bool) -> str:
    surname = rng.choice(_SURNAME_POOL)
    middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
    given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
    return f"{surname} {middle} {given}"
