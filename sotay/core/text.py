"""Vietnamese text helpers: diacritic folding for search and a collation key for sorting.

Folding maps every Vietnamese letter to its bare Latin letter (including đ/Đ → d) and
lower-cases, so "Nguyễn Đức" and "nguyen duc" compare equal. The sort key follows the
Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y) with the
tone as a secondary weight, and orders people by given name first, the way party rolls
are read out.
"""

import re
import unicodedata

_TONE_MARKS = {
    "\u0300": "2",  # huyền
    "\u0309": "3",  # hỏi
    "\u0303": "4",  # ngã
    "\u0301": "5",  # sắc
    "\u0323": "6",  # nặng
}
# Base letters of the Vietnamese alphabet in order, after tones are stripped.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()  # noqa: SIM905
_LETTER_RANK = {letter: f"{i:02d}" for i, letter in enumerate(_ALPHABET, start=10)}
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case and strip every diacritic, mapping đ to d; collapse whitespace."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.lower()).strip()


def _word_key(word: str) -> tuple[str, str]:
    """Primary key (letters with their vowel marks) and secondary key (tones)."""
    primary, tones = [], []
    for char in unicodedata.normalize("NFC", word.lower()):
        decomposed = unicodedata.normalize("NFD", char)
        tone = "1"
        base = ""
        for part in decomposed:
            if part in _TONE_MARKS:
                tone = _TONE_MARKS[part]
            else:
                base += part
        base = unicodedata.normalize("NFC", base)
        rank = _LETTER_RANK.get(base)
        if rank is None:
            rank = "9" + (base.encode("ascii", "ignore").decode() or "_")[:1]
        primary.append(rank)
        tones.append(tone)
    return "".join(primary), "".join(tones)


def name_sort_key(full_name: str) -> str:
    """Collation key for a Vietnamese personal name: given name, then the rest in order.

    "Trần Văn An" sorts before "Lê Thị Bình" because An < Bình.
    """
    words = _SPACES.sub(" ", (full_name or "").strip()).split(" ")
    if not words or words == [""]:
        return ""
    ordered = [words[-1], *words[:-1]]
    keys = [_word_key(w) for w in ordered]
    primary = " ".join(k[0] for k in keys)
    secondary = "".join(k[1] for k in keys)
    return f"{primary}|{secondary}"[:255]


_DIGITS = re.compile(r"\D")


def normalize_phone(raw: str) -> str:
    """Vietnamese mobile numbers in their 10-digit national form (0xxxxxxxxx)."""
    digits = _DIGITS.sub("", raw or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def is_valid_phone(phone: str) -> bool:
    return bool(re.fullmatch(r"0[35789]\d{8}", phone or ""))


def is_valid_cccd(cccd: str) -> bool:
    """Citizen identity card numbers have exactly 12 digits."""
    return bool(re.fullmatch(r"\d{12}", cccd or ""))
