"""Elemental formulas: parsing, Hill notation, masses, RDBE and adduct ions.

All isotope masses and abundances come from :mod:`molmass` (IUPAC/AME data), never
typed in here. Masses are in daltons (Da, unified atomic mass units); m/z is in Th
(Da per elementary charge). Ion masses subtract the electron mass once per positive
charge (and add it per negative charge), so ``[M+H]+`` is ``M + m(H) - m(e)``: the
proton mass, 1.007276 Da, not the hydrogen-atom mass.

>>> f = Formula("C8H9NO2")                   # paracetamol
>>> round(f.monoisotopic_mass, 6), f.rdbe
(151.063329, 5.0)
>>> round(f.mz("[M+H]+"), 6)
152.070605
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

import molmass
import numpy as np

from gadesign.errors import GadesignError


class FormulaError(GadesignError):
    """A formula, element, adduct or isotope pattern that cannot be understood."""


#: Electron rest mass in Da (molmass' CODATA value).
ELECTRON_MASS: float = float(molmass.ELECTRON.mass)

#: Valence states used by the LEWIS/SENIOR rules (Kind & Fiehn 2007 use vN=3,
#: vP=3,5 and vS=2,4,6). This is chemistry, not isotope data.
VALENCES: Mapping[str, tuple[int, ...]] = {
    "H": (1,), "C": (4,), "N": (3,), "O": (2,), "P": (3, 5), "S": (2, 4, 6),
    "F": (1,), "Cl": (1,), "Br": (1,), "I": (1,), "Si": (4,), "B": (3,),
    "Se": (2,), "Na": (1,), "K": (1,), "Li": (1,),
}

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")
_ELEMENTS_TOKEN = re.compile(r"[A-Z][a-z]?")


@dataclass(frozen=True)
class Isotope:
    """One isotope: mass number, exact mass (Da), natural abundance (fraction) and
    its nominal shift from the element's monoisotopic (most abundant) isotope."""

    mass_number: int
    mass: float
    abundance: float
    shift: int


@dataclass(frozen=True)
class Element:
    """An element's data as molmass gives it."""

    symbol: str
    number: int
    monoisotopic_mass: float  # Da, the most abundant isotope
    average_mass: float       # Da, standard atomic weight
    isotopes: tuple[Isotope, ...]

    @property
    def valences(self) -> tuple[int, ...]:
        """Allowed valence states (empty if the rules do not know this element)."""
        return VALENCES.get(self.symbol, ())

    @property
    def nominal_mass(self) -> int:
        return self.isotopes[self.monoisotopic_index].mass_number

    @property
    def monoisotopic_index(self) -> int:
        return next(i for i, iso in enumerate(self.isotopes) if iso.shift == 0)


@lru_cache(maxsize=None)
def element(symbol: str) -> Element:
    """The :class:`Element` ``symbol`` (e.g. ``"Cl"``); :class:`FormulaError` if unknown."""
    try:
        data = molmass.ELEMENTS[symbol]
    except (KeyError, ValueError):
        raise FormulaError(f"unknown element {symbol!r}") from None
    if data.symbol != symbol or not data.isotopes:
        raise FormulaError(f"unknown element {symbol!r}")
    natural = [iso for iso in data.isotopes.values() if iso.abundance > 0]
    if not natural:
        raise FormulaError(f"element {symbol!r} has no stable isotope")
    mono = max(natural, key=lambda iso: iso.abundance)
    isotopes = tuple(Isotope(iso.massnumber, float(iso.mass), float(iso.abundance),
                             iso.massnumber - mono.massnumber)
                     for iso in sorted(natural, key=lambda iso: iso.massnumber))
    return Element(symbol, int(data.number), float(mono.mass), float(data.mass), isotopes)


def parse_elements(text: str | Iterable[str]) -> tuple[str, ...]:
    """An element alphabet from ``"CHNOPSClBr"`` or a sequence of symbols, in the
    order given, without duplicates. Raises :class:`FormulaError` for unknown symbols."""
    if isinstance(text, str):
        stripped = text.replace(",", "").replace(" ", "")
        symbols = _ELEMENTS_TOKEN.findall(stripped)
        if "".join(symbols) != stripped or not symbols:
            raise FormulaError(f"cannot read an element alphabet from {text!r} "
                               "(write symbols with their case, e.g. CHNOPSClBr)")
    else:
        symbols = list(text)
    out: list[str] = []
    for s in symbols:
        element(s)
        if s not in out:
            out.append(s)
    return tuple(out)


def hill_order(symbols: Iterable[str]) -> list[str]:
    """Symbols in Hill order: C, then H, then alphabetical; all alphabetical without C."""
    symbols = list(symbols)
    if "C" in symbols:
        rest = sorted(s for s in symbols if s not in ("C", "H"))
        return ["C"] + (["H"] if "H" in symbols else []) + rest
    return sorted(symbols)


def hill_string(elements: Iterable[str], counts: Iterable[int]) -> str:
    """Hill notation of a count vector over ``elements`` (zero counts omitted)."""
    present = {e: int(n) for e, n in zip(elements, counts) if int(n) != 0}
    return "".join(e + (str(present[e]) if present[e] != 1 else "") for e in hill_order(present))


def _parse(text: str) -> tuple[dict[str, int], int]:
    """Element counts and charge of ``text``; see :class:`Formula` for the grammar."""
    s = text.strip().replace("\u2212", "-").replace(" ", "")
    charge = 0
    bracket = re.fullmatch(r"\[(.+)\](\d*)([+-])", s)
    if bracket:
        s, n, sign = bracket.groups()
        charge = (int(n) if n else 1) * (1 if sign == "+" else -1)
    else:
        trailing = re.fullmatch(r"(.*[A-Za-z\d])([+-]+)", s)
        if trailing and re.fullmatch(r"\++|-+", trailing.group(2)):
            s, signs = trailing.groups()
            charge = len(signs) * (1 if signs[0] == "+" else -1)
    if re.search(r"[A-Za-z]-\d", s):
        raise FormulaError(f"formula {text!r}: element counts cannot be negative")
    if not s:
        raise FormulaError("empty formula")
    counts: dict[str, int] = {}
    pos = 0
    for m in _TOKEN.finditer(s):
        if m.start() != pos:
            break
        symbol, n = m.group(1), m.group(2)
        element(symbol)
        counts[symbol] = counts.get(symbol, 0) + (int(n) if n else 1)
        pos = m.end()
    if pos != len(s):
        raise FormulaError(f"formula {text!r}: cannot read {s[pos:]!r} "
                           "(write element symbols with counts, e.g. C8H9NO2 or [C8H10NO2]+)")
    return counts, charge


class Formula:
    """An elemental composition with an optional charge, like a spectrum's ion.

    Build it from text (``"C8H9NO2"``, ``"[C8H10NO2]+"``, ``"C2H3O2-"``) or from
    counts (``Formula({"C": 6, "H": 12, "O": 6})``). Counts must be non-negative and
    the species must have an even number of electrons (a closed shell, the LEWIS
    rule): ``Formula("C2H")`` raises :class:`FormulaError` unless
    ``allow_odd_electron=True`` (radicals such as TEMPO are real, but an MS formula
    search reports even-electron species).
    """

    __slots__ = ("_counts", "_charge")

    def __init__(self, formula: str | Mapping[str, int], charge: int | None = None, *,
                 allow_odd_electron: bool = False) -> None:
        if isinstance(formula, str):
            counts, parsed_charge = _parse(formula)
        elif isinstance(formula, Mapping):
            counts, parsed_charge = {}, 0
            for symbol, n in formula.items():
                element(symbol)
                if int(n) != n:
                    raise FormulaError(f"count of {symbol} must be an integer, got {n!r}")
                if n < 0:
                    raise FormulaError(f"count of {symbol} cannot be negative ({int(n)})")
                counts[symbol] = counts.get(symbol, 0) + int(n)
        else:
            raise FormulaError(f"a formula is text or a mapping of counts, not {type(formula).__name__}")
        self._charge = int(parsed_charge if charge is None else charge)
        self._counts = {e: counts[e] for e in hill_order(counts) if counts[e] > 0}
        if not self._counts:
            raise FormulaError(f"formula {formula!r} has no atoms")
        if not allow_odd_electron and self.electrons % 2:
            raise FormulaError(f"formula {self} has an odd number of electrons ({self.electrons}): "
                               "not a closed-shell species (pass allow_odd_electron=True for radicals)")

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_vector(cls, elements: Iterable[str], counts: Iterable[int], charge: int = 0,
                    *, allow_odd_electron: bool = False) -> "Formula":
        """The formula of a count vector over an element alphabet."""
        mapping: dict[str, int] = {}
        for e, n in zip(elements, counts):
            mapping[e] = mapping.get(e, 0) + int(n)
        return cls(mapping, charge, allow_odd_electron=allow_odd_electron)

    # -- composition -------------------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        """Element counts in Hill order (a copy)."""
        return dict(self._counts)

    @property
    def charge(self) -> int:
        return self._charge

    def vector(self, elements: Iterable[str]) -> np.ndarray:
        """Counts over ``elements`` (int64); :class:`FormulaError` if an element is missing."""
        elements = tuple(elements)
        missing = set(self._counts) - set(elements)
        if missing:
            raise FormulaError(f"{self} contains {', '.join(sorted(missing))}, "
                               f"outside the alphabet {''.join(elements)}")
        return np.array([self._counts.get(e, 0) for e in elements], dtype=np.int64)

    def __getitem__(self, symbol: str) -> int:
        return self._counts.get(symbol, 0)

    @property
    def hill(self) -> str:
        """Hill notation of the atoms, without the charge."""
        return "".join(e + (str(n) if n != 1 else "") for e, n in self._counts.items())

    def __str__(self) -> str:
        if self._charge == 0:
            return self.hill
        sign = "+" if self._charge > 0 else "-"
        n = abs(self._charge)
        return f"[{self.hill}]{n if n > 1 else ''}{sign}"

    def __repr__(self) -> str:
        return f"Formula({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Formula(other, allow_odd_electron=True)
            except FormulaError:
                return False
        return isinstance(other, Formula) and self._counts == other._counts and self._charge == other._charge

    def __hash__(self) -> int:
        return hash((tuple(self._counts.items()), self._charge))

    def __add__(self, other: "Formula") -> "Formula":
        counts = self.counts
        for e, n in other._counts.items():
            counts[e] = counts.get(e, 0) + n
        return Formula(counts, self._charge + other._charge, allow_odd_electron=True)

    # -- derived quantities ------------------------------------------------------------
    @property
    def electrons(self) -> int:
        """Number of electrons: sum of atomic numbers minus the charge."""
        return sum(element(e).number * n for e, n in self._counts.items()) - self._charge

    @property
    def atoms(self) -> int:
        return sum(self._counts.values())

    @property
    def monoisotopic_mass(self) -> float:
        """Mass (Da) of the species made of each element's most abundant isotope,
        electron-corrected for the charge."""
        m = sum(element(e).monoisotopic_mass * n for e, n in self._counts.items())
        return m - self._charge * ELECTRON_MASS

    @property
    def average_mass(self) -> float:
        """Mass (Da) from standard atomic weights, electron-corrected for the charge."""
        m = sum(element(e).average_mass * n for e, n in self._counts.items())
        return m - self._charge * ELECTRON_MASS

    @property
    def nominal_mass(self) -> int:
        """Integer mass from the monoisotopic mass numbers."""
        return sum(element(e).nominal_mass * n for e, n in self._counts.items())

    @property
    def rdbe(self) -> float:
        """Rings plus double bonds, ``1 + sum n_i (v_i - 2) / 2`` with each element at its
        lowest valence (C 4, N and P 3, O and S 2, H and halogens 1): for CHNO formulas
        ``C - H/2 + N/2 + 1``."""
        total = 1.0
        for e, n in self._counts.items():
            v = element(e).valences
            if not v:
                raise FormulaError(f"RDBE: no valence known for {e}")
            total += n * (v[0] - 2) / 2
        return total

    @property
    def mz_value(self) -> float:
        """m/z (Th) of this species; its mass for a neutral one."""
        return self.monoisotopic_mass / abs(self._charge) if self._charge else self.monoisotopic_mass

    def ion(self, adduct: "str | Adduct") -> "Formula":
        """The ion this neutral molecule forms with ``adduct`` (e.g. ``"[M+H]+"``)."""
        a = get_adduct(adduct)
        if self._charge:
            raise FormulaError(f"{self} is already charged; adducts apply to neutral molecules")
        counts = self.counts
        for e, n in a.delta.items():
            counts[e] = counts.get(e, 0) + n
            if counts[e] < 0:
                raise FormulaError(f"{self} has no {e} to lose for {a.name}")
        return Formula(counts, a.charge, allow_odd_electron=True)

    def mz(self, adduct: "str | Adduct" = "[M]") -> float:
        """m/z (Th) of the ``adduct`` ion of this neutral molecule."""
        return self.ion(adduct).mz_value

    def isotope_pattern(self, n_peaks: int = 7) -> np.ndarray:
        """Unit-resolution isotope pattern M+0..M+(n_peaks-1), normalised to sum 1."""
        from gadesign_problems.molecule.isotopes import isotope_pattern

        return isotope_pattern(self, n_peaks)

    def plot(self, measured=None, ax=None):
        """Stick spectrum of this formula's isotope pattern (beside a ``measured`` one)."""
        from gadesign_problems.molecule.plots import plot_patterns

        return plot_patterns(measured, {str(self): self.isotope_pattern()}, ax=ax)


# -- adducts --------------------------------------------------------------------------
@dataclass(frozen=True)
class Adduct:
    """An ionisation: atoms added to (or removed from) M, and the resulting charge.

    m/z = (M + sum delta_i * m_i - charge * m_e) / |charge|, with M the neutral
    monoisotopic mass and m_e the electron mass.
    """

    name: str
    delta: Mapping[str, int]
    charge: int

    @property
    def mass_shift(self) -> float:
        """Mass (Da) added to the neutral molecule, electron mass included."""
        return (sum(element(e).monoisotopic_mass * n for e, n in self.delta.items())
                - self.charge * ELECTRON_MASS)

    def mz(self, neutral_mass):
        """m/z (Th) of the ion of a neutral mass (Da); arrays broadcast."""
        z = abs(self.charge) or 1
        return (np.asarray(neutral_mass, dtype=float) + self.mass_shift) / z if np.ndim(neutral_mass) \
            else (float(neutral_mass) + self.mass_shift) / z

    def neutral_mass(self, mz):
        """Neutral monoisotopic mass (Da) whose ion appears at ``mz`` (Th)."""
        z = abs(self.charge) or 1
        return np.asarray(mz, dtype=float) * z - self.mass_shift if np.ndim(mz) \
            else float(mz) * z - self.mass_shift

    def ion_vector(self, elements: tuple[str, ...]) -> np.ndarray:
        """The adduct's atom delta over ``elements`` (int64); elements outside it are an error."""
        missing = set(self.delta) - set(elements)
        if missing:
            raise FormulaError(f"adduct {self.name} needs {', '.join(sorted(missing))} in the alphabet")
        return np.array([self.delta.get(e, 0) for e in elements], dtype=np.int64)


def _adduct(name: str, delta: Mapping[str, int], charge: int) -> Adduct:
    return Adduct(name, dict(delta), charge)


#: The documented adduct table: ion = M + delta (atoms), with the charge shown. m/z is
#: electron-corrected: (M + delta - charge * m_e) / |charge|. Any other ion written the
#: same way (``[M+3H]3+``, ``[M+Na-2H]-``, ``[2M+H]+`` is not supported: one M) is
#: read by :func:`get_adduct`.
ADDUCTS: Mapping[str, Adduct] = {a.name: a for a in (
    _adduct("[M]", {}, 0),                               # neutral monoisotopic mass
    _adduct("[M+H]+", {"H": 1}, 1),
    _adduct("[M+Na]+", {"Na": 1}, 1),
    _adduct("[M+K]+", {"K": 1}, 1),
    _adduct("[M+NH4]+", {"N": 1, "H": 4}, 1),
    _adduct("[M-H2O+H]+", {"H": -1, "O": -1}, 1),        # in-source water loss
    _adduct("[M+2H]2+", {"H": 2}, 2),
    _adduct("[M-H]-", {"H": -1}, -1),
    _adduct("[M+Cl]-", {"Cl": 1}, -1),
    _adduct("[M+HCOO]-", {"C": 1, "H": 1, "O": 2}, -1),  # formate
    _adduct("[M-2H]2-", {"H": -2}, -2),
)}

_ADDUCT_TERM = re.compile(r"([+-])(\d*)([A-Z][A-Za-z0-9]*)")


def _parse_adduct(text: str) -> Adduct:
    """An adduct written ``[M+X-Y...]z+`` (terms are formulas with an optional count)."""
    m = re.fullmatch(r"\[?M((?:[+-]\d*[A-Z][A-Za-z0-9]*)*)\]?(\d*)([+-]?)", text)
    if not m:
        raise FormulaError(f"unknown adduct {text!r} (known: {', '.join(ADDUCTS)}; "
                           "or write one like [M+3H]3+)")
    terms, n, sign = m.groups()
    delta: dict[str, int] = {}
    for op, mult, group in _ADDUCT_TERM.findall(terms):
        counts, _ = _parse(group)
        k = (int(mult) if mult else 1) * (1 if op == "+" else -1)
        for e, c in counts.items():
            delta[e] = delta.get(e, 0) + k * c
    delta = {e: c for e, c in delta.items() if c}
    if not sign:
        if n or delta:
            raise FormulaError(f"adduct {text!r}: give its charge, e.g. [M+H]+ or [M+2H]2+")
        return ADDUCTS["[M]"]
    charge = (int(n) if n else 1) * (1 if sign == "+" else -1)
    if charge == 0 or abs(charge) > 10:
        raise FormulaError(f"adduct {text!r}: charge must be 1..10 in magnitude")
    name = "[M" + terms + "]" + (str(abs(charge)) if abs(charge) > 1 else "") + sign
    return Adduct(name, delta, charge)


def get_adduct(name: "str | Adduct") -> Adduct:
    """The adduct called ``name`` (``"[M+H]+"``, ``"M+H"``, ``"[M−H]−"``, ``"M"``,
    ``"[M+3H]3+"``). Without brackets and sign the charge of the table entry with the same
    atoms is used (``"M+H"`` is ``[M+H]+``)."""
    if isinstance(name, Adduct):
        return name
    text = name.strip().replace("\u2212", "-").replace(" ", "")
    if text.lower() in ("m", "[m]", "neutral"):
        return ADDUCTS["[M]"]
    if text in ADDUCTS:
        return ADDUCTS[text]
    core = text.strip("[]")
    for adduct in ADDUCTS.values():      # "M+H" or "M+H+": the table's ion of those atoms
        a_core = adduct.name.split("]")[0].lstrip("[")
        a_sign = "" if adduct.charge == 0 else ("+" if adduct.charge > 0 else "-")
        if core in (a_core, a_core + a_sign):
            return adduct
    return _parse_adduct(text)


def protonation_adduct(charge: int) -> Adduct:
    """``[M+zH]z+`` for z > 0, ``[M-zH]z-`` for z < 0, ``[M]`` for 0."""
    if charge == 0:
        return ADDUCTS["[M]"]
    z = abs(charge)
    text = (f"[M+{z if z > 1 else ''}H]{z if z > 1 else ''}+" if charge > 0
            else f"[M-{z if z > 1 else ''}H]{z if z > 1 else ''}-")
    return get_adduct(text)
