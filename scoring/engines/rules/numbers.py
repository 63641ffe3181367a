"""Spoken and written amounts: "fifty K", "a hundred and twenty thousand", "£20K", "$12,000"."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Words after a number that multiply it: "forty K", "thirty-six grand", "1.2M".
SUFFIX_MULTIPLIERS = {"k": 1_000, "grand": 1_000, "m": 1_000_000, "mil": 1_000_000, "bn": 1e9}

# Spanish and French number words. Words that are also common English words ("once", "son",
# "un") are left out on purpose, so English text never reads as Spanish numbers.
FOREIGN_VALUES = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
    "diez": 10, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "veinte": 20,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300,
    "quinientos": 500, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "onze": 11, "douze": 12, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
}  # fmt: skip
FOREIGN_SCALES = {"mil": 1_000, "mille": 1_000, "millones": 1_000_000, "millions": 1_000_000}
FOREIGN_JOINERS = frozenset({"y", "et"})
QUANTITY_WORDS = frozenset(
    {"half", "dozen", "dozens", "hundreds", "thousands", "percent", "mitad", "moitié", "docena"}
)

_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "bucks": "USD", "usd": "USD",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP", "gbp": "GBP",
    "cad": "CAD", "aud": "AUD", "nzd": "NZD", "chf": "CHF", "francs": "CHF",
    "sek": "SEK", "kronor": "SEK", "krona": "SEK", "nok": "NOK", "dkk": "DKK", "mxn": "MXN",
    "pesos": "MXN", "yen": "JPY", "rupees": "INR", "rand": "ZAR",
    "dólares": "USD", "dolares": "USD", "libras": "GBP",
    "livres": "GBP",
}  # fmt: skip
_QUALIFIED_DOLLARS = {"canadian": "CAD", "australian": "AUD", "us": "USD", "american": "USD"}
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_SYMBOL_PREFIX = re.compile(r"(US|C|CA|A|AU|NZ)?([$€£])\s?$")
_PREFIX_CODES = {"C": "CAD", "CA": "CAD", "A": "AUD", "AU": "AUD", "NZ": "NZD", "US": "USD"}

# "30.000" and "1.250.000" group thousands with dots (continental style); "1.5" is a decimal.
_TOKEN = re.compile(
    r"\d{1,3}(?:\.\d{3})+(?![\d.])|\d+(?:,\d{3})*(?:\.\d+)?|[A-Za-zÀ-ÿ]+(?:'[a-z]+)?"
)
_DOT_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True, slots=True)
class Amount:
    """A number found in text; ``currency`` is set only when the text names one."""

    value: float
    start: int
    end: int
    text: str
    currency: str | None
    scaled: bool  # said with thousand/grand/K/million, i.e. plainly a sum of money or a big count


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def is_number_word(word: str) -> bool:
    return word in UNITS or word in TENS or word in SCALES


def _is_any_number_word(word: str) -> bool:
    return is_number_word(word) or word in FOREIGN_VALUES or word in FOREIGN_SCALES


def find_amounts(text: str) -> list[Amount]:
    """Every number in ``text`` (digits or English words) with its scale and any currency."""
    tokens = tokenize(text)
    amounts: list[Amount] = []
    i = 0
    while i < len(tokens):
        run_end, value, scaled = _read_number(tokens, i, text)
        if run_end == i:
            i += 1
            continue
        run_end, value, scaled = _apply_suffix(tokens, run_end, value, scaled, text)
        start, end = tokens[i].start, tokens[run_end - 1].end
        currency = _currency_before(text, start) or _currency_after(tokens, run_end, text)
        amounts.append(Amount(value, start, end, text[start:end], currency, scaled))
        i = run_end
    return amounts


def money_amounts(text: str, *, minimum: float = 1_000, bare: bool = True) -> list[Amount]:
    """Amounts that read as sums of money for a purchase (currency or thousands scale).

    With ``bare``, digits alone count too, as a recogniser writes money ("95,000 approved"),
    unless they look like a year or count something ("3,000 orders").
    """
    found = []
    for amount in find_amounts(text):
        if amount.value < minimum:
            continue
        if amount.currency or amount.scaled or (bare and _bare_money(text, amount)):
            found.append(amount)
    return found


# Words that may follow a bare sum of money; any other word names what is being counted.
_AFTER_BARE_MONEY = frozenset(
    str.split(
        "is was are were has had 's it it's that this which and or but so for in into on from"
        " to as a per approved allocated set budgeted earmarked signed ring-fenced reserved"
        " already total all up there here now then max maximum tops roughly about or so ish"
    )
)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _bare_money(text: str, amount: Amount) -> bool:
    digits = amount.text.replace(",", "").replace(".", "")
    if not amount.text[:1].isdigit() or not digits.isdigit():
        return False
    if _YEAR.fullmatch(amount.text):
        return False  # "the 2024 budget"
    if "," not in amount.text and len(digits) < 5:
        return False  # "1500" is a count more often than a sum
    after = re.match(r"[\s-]*([A-Za-z']+)", text[amount.end :])
    if after is None or text[amount.end : amount.end + 1] in ",.;:!?":
        return True
    return after.group(1).lower() in _AFTER_BARE_MONEY


def currency_in(text: str) -> str | None:
    """The first currency named anywhere in ``text`` ("Pounds, obviously." counts)."""
    for symbol, code in _CURRENCY_SYMBOLS.items():
        if symbol in text:
            return code
    tokens = tokenize(text)
    for i in range(len(tokens)):
        code = _currency_word(tokens, i)
        if code:
            return code
    return None


def has_quantity(text: str) -> bool:
    """Whether the text quantifies something: digits, number words, percentages, "half"."""
    for token in tokenize(text):
        word = token.lower
        if word[0].isdigit() and not _is_quarter_label(text, token):
            return True
        if (word != "one" and _is_any_number_word(word)) or word in QUANTITY_WORDS:
            return True
    return "%" in text


def _is_quarter_label(text: str, token: Token) -> bool:
    # "Q1" and "Q3" name quarters, not quantities.
    return token.start > 0 and text[token.start - 1] in "qQ"


def _read_number(tokens: list[Token], i: int, text: str) -> tuple[int, float, bool]:
    """Read a run of number tokens starting at ``i``; returns (end index, value, scaled)."""
    first = tokens[i].lower
    if first[0].isdigit():
        digits = first.replace(".", "") if _DOT_GROUPED.fullmatch(first) else first
        return i + 1, float(digits.replace(",", "")), False
    if first == "half" and _half_of_scale(tokens, i, text):
        scale = SCALES.get(tokens[i + 2].lower, 1_000_000)
        return i + 3, scale / 2, True
    words: list[str] = []
    j = i
    while j < len(tokens):
        word = tokens[j].lower
        if j > i and not _joined(text, tokens[j - 1], tokens[j]):
            break
        if _spoken_thousands(words, word):
            # "forty-two five": how people say 42,500.
            value = (TENS[words[-2]] + UNITS[words[-1]]) * 1000 + UNITS[word] * 100
            return j + 1, float(value), True
        if _is_any_number_word(word):
            words.append(word)
        elif word in ("a", "an") and not words and _next_is_scale(tokens, j, text):
            words.append("one")
        elif _is_joiner(word, words) and _next_is_number(tokens, j):
            pass
        else:
            break
        j += 1
    if not words:
        return i, 0.0, False
    big = any((w in SCALES and w != "hundred") or w in FOREIGN_SCALES for w in words)
    return j, float(_words_value(words)), big


def _spoken_thousands(words: list[str], word: str) -> bool:
    """ "forty-two" followed by a single digit word, with nothing else before it."""
    return (
        len(words) == 2
        and words[0] in TENS
        and 1 <= UNITS.get(words[1], 0) <= 9
        and 1 <= UNITS.get(word, 0) <= 9
    )


def _is_joiner(word: str, words: list[str]) -> bool:
    """ "a hundred and twenty", "treinta y cinco", "vingt et un"."""
    if word == "and":
        return bool(words) and words[-1] in SCALES
    return word in FOREIGN_JOINERS and bool(words)


def _half_of_scale(tokens: list[Token], i: int, text: str) -> bool:
    """ "half a million"."""
    return (
        i + 2 < len(tokens)
        and tokens[i + 1].lower in ("a", "an")
        and tokens[i + 2].lower in ("million", "mil", "billion")
        and _joined(text, tokens[i], tokens[i + 1])
        and _joined(text, tokens[i + 1], tokens[i + 2])
    )


def _joined(text: str, left: Token, right: Token) -> bool:
    """Number words belong to one number when only spaces or hyphens separate them."""
    return text[left.end : right.start] in (" ", "-")


def _next_is_scale(tokens: list[Token], j: int, text: str) -> bool:
    return (
        j + 1 < len(tokens)
        and tokens[j + 1].lower in SCALES
        and _joined(text, tokens[j], tokens[j + 1])
    )


def _next_is_number(tokens: list[Token], j: int) -> bool:
    return j + 1 < len(tokens) and _is_any_number_word(tokens[j + 1].lower)


def _words_value(words: list[str]) -> int:
    total, current = 0, 0
    for word in words:
        scale = SCALES.get(word) or FOREIGN_SCALES.get(word)
        if word == "hundred":
            current = (current or 1) * 100
        elif word in ("cent", "cents") and current:
            current *= 100  # "deux cents"
        elif scale:
            total += (current or 1) * scale
            current = 0
        else:
            current += UNITS.get(word, 0) + TENS.get(word, 0) + FOREIGN_VALUES.get(word, 0)
    return total + current


def _apply_suffix(
    tokens: list[Token], j: int, value: float, scaled: bool, text: str
) -> tuple[int, float, bool]:
    """Apply "K", "grand", "thousand", "million" after a number, including "20K" and "1.2M"."""
    if j >= len(tokens) or text[tokens[j - 1].end : tokens[j].start] not in ("", " ", "-"):
        return j, value, scaled
    word = tokens[j].lower
    adjacent = tokens[j].start == tokens[j - 1].end
    if word in SCALES and word != "hundred" and tokens[j - 1].lower[0].isdigit():
        return j + 1, value * SCALES[word], True
    if word in SUFFIX_MULTIPLIERS and (word in ("k", "grand") or adjacent):
        return j + 1, value * SUFFIX_MULTIPLIERS[word], True
    return j, value, scaled


_CODE_PREFIX = re.compile(r"\b(USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|MXN|JPY)\s?$")


def _currency_before(text: str, start: int) -> str | None:
    code = _CODE_PREFIX.search(text[max(0, start - 5) : start])
    if code:
        return code.group(1)
    match = _SYMBOL_PREFIX.search(text[max(0, start - 4) : start])
    if not match:
        return None
    prefix, symbol = match.groups()
    return _PREFIX_CODES.get(prefix or "", _CURRENCY_SYMBOLS[symbol])


def _currency_after(tokens: list[Token], j: int, text: str) -> str | None:
    """A currency word within two tokens after the number ("thousand euros", "grand. Pounds")."""
    for k in range(j, min(j + 2, len(tokens))):
        code = _currency_word(tokens, k)
        if code:
            return code
    return None


def _currency_word(tokens: list[Token], k: int) -> str | None:
    word = tokens[k].lower
    if word in ("dollar", "dollars") and k > 0:
        return _QUALIFIED_DOLLARS.get(tokens[k - 1].lower, "USD")
    if word in ("usd", "eur", "gbp", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk", "mxn"):
        return word.upper() if tokens[k].text.isupper() else None
    return _CURRENCY_WORDS.get(word)
