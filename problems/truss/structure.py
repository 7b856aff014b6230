"""The :class:`Truss` domain object and its JSON format.

A pin-jointed truss in 2D or 3D: nodes, members, supports (fixed degrees of freedom),
load cases, material (Young's modulus ``E``, weight density), allowable stresses,
displacement limits, member groups (design-variable linking) and the allowed areas.

The JSON format is the one of ``reference/truss/SCHEMA.md`` (v1), read as it is, with
these extensions: scalars are accepted wherever a per-member list is (``E``,
``density``, ``stress_limits.tension``/``compression``); ``areas`` (per member or per
group) gives a design to analyse; ``buckling`` may name a section ``shape`` instead of
the coefficient ``k``. All indices are 0-based. Units are those of the file's
``units`` object (benchmarks: in, kip, ksi, lb/in^3 weight density, lb, in^2); the
library never converts them, so any consistent set works:
weight = sum(density * L * A), stress = force / area, u in length units.

Schema errors raise :class:`TrussSchemaError` naming the field, e.g.
``members[3][1]: node index 12 out of range (6 nodes)``.
"""

from __future__ import annotations

import difflib
import json
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from gadesign.atomic import atomic_write_json
from gadesign_problems.truss.errors import TrussError, TrussSchemaError

#: The units of the classic benchmarks (and the default of a file without ``units``).
BENCHMARK_UNITS: dict[str, str] = {
    "length": "in", "force": "kip", "stress": "ksi", "E": "ksi",
    "density": "lb/in^3 (weight density)", "weight": "lb", "area": "in^2",
}

#: Keys this module interprets; every other top-level key is kept verbatim in ``extra``.
_KNOWN_KEYS = {
    "name", "description", "dim", "units", "nodes", "node_labels", "supports", "members",
    "member_labels", "groups", "E", "density", "load_cases", "stress_limits",
    "stress_limits_by_group", "displacement_limits", "area", "areas", "buckling",
    "basic_nodes", "buckling_by_group", "self_weight",
}


# ----------------------------------------------------------------------------------
# small value types
# ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LoadCase:
    """One load case: nodal forces ``forces`` (N x d, force units) analysed on its own."""

    name: str
    forces: np.ndarray


@dataclass(frozen=True)
class DisplacementLimit:
    """``|u[node, dof]| <= limit`` for every listed node x dof, in every load case."""

    nodes: tuple[int, ...]
    dofs: tuple[int, ...]
    limit: float


@dataclass(frozen=True)
class Group:
    """Members that share one design variable (their areas are equal)."""

    name: str
    members: tuple[int, ...]


@dataclass(frozen=True)
class AreaSpec:
    """The allowed cross-section areas: a continuous range or a discrete catalogue.

    ``removal_threshold`` (topology problems): a member whose area is below it is
    removed from the structure.
    """

    kind: str  # "continuous" | "discrete"
    lower: float
    upper: float
    values: tuple[float, ...] = ()
    removal_threshold: float | None = None
    note: str = ""

    @classmethod
    def continuous(cls, lower: float, upper: float, removal_threshold: float | None = None) -> "AreaSpec":
        if not (math.isfinite(lower) and math.isfinite(upper)) or lower < 0 or upper <= lower:
            raise TrussSchemaError(f"area: need 0 <= min < max, got min={lower}, max={upper}")
        return cls("continuous", float(lower), float(upper), (), removal_threshold)

    @classmethod
    def discrete(cls, values: Sequence[float]) -> "AreaSpec":
        vals = tuple(sorted(float(v) for v in values))
        if not vals or any(not math.isfinite(v) or v <= 0 for v in vals):
            raise TrussSchemaError("area.values: need a non-empty list of positive areas")
        if len(set(vals)) != len(vals):
            raise TrussSchemaError("area.values: duplicate areas in the catalogue")
        return cls("discrete", vals[0], vals[-1], vals)

    def to_json(self) -> dict[str, Any]:
        if self.kind == "discrete":
            out: dict[str, Any] = {"type": "discrete", "values": list(self.values)}
        else:
            out = {"type": "continuous", "min": self.lower, "max": self.upper}
        if self.removal_threshold is not None:
            out["removal_threshold"] = self.removal_threshold
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "area") -> "AreaSpec":
        if not isinstance(data, dict):
            raise TrussSchemaError(f"{where}: expected an object with 'type'")
        kind = data.get("type")
        if kind == "continuous":
            spec = cls.continuous(_number(data, "min", where), _number(data, "max", where),
                                  _number(data, "removal_threshold", where) if "removal_threshold" in data else None)
        elif kind == "discrete":
            vals = data.get("values")
            if not isinstance(vals, list):
                raise TrussSchemaError(f"{where}.values: expected a list of areas")
            spec = cls.discrete([_as_float(v, f"{where}.values[{i}]") for i, v in enumerate(vals)])
        else:
            raise TrussSchemaError(f"{where}.type: expected 'continuous' or 'discrete', got {kind!r}")
        return replace(spec, note=str(data.get("note", "")))


#: I/A^2 of section shapes (dimensionless), for the Euler buckling coefficient.
def _shape_i_over_a2(shape: str, thickness_ratio: float | None) -> float:
    if shape == "circular":
        return 1.0 / (4.0 * math.pi)
    if shape == "square":
        return 1.0 / 12.0
    if shape == "tube":
        # circular tube with inner/outer radius ratio c: I/A^2 = (1 + c^2) / (4 pi (1 - c^2))
        if thickness_ratio is None or not 0 < thickness_ratio <= 0.5:
            raise TrussSchemaError("buckling.thickness_ratio: a tube needs 0 < t/D <= 0.5")
        c = 1.0 - 2.0 * thickness_ratio
        return (1.0 + c * c) / (4.0 * math.pi * (1.0 - c * c))
    raise TrussSchemaError(f"buckling.shape: unknown section shape {shape!r} (circular, square, tube)")


@dataclass(frozen=True)
class Buckling:
    """Euler buckling: sigma_cr = k * E * A / L^2, with k = pi^2 (I/A^2) / K_eff^2.

    The member's second moment follows its area through a geometrically similar
    section (``shape``: circular, square, or tube with ``thickness_ratio`` t/D), so
    I = (I/A^2) * A^2. The compression allowable becomes min(sigma_c, sigma_cr).
    """

    k: float
    shape: str | None = None
    thickness_ratio: float | None = None
    effective_length_factor: float = 1.0

    @classmethod
    def from_shape(cls, shape: str, thickness_ratio: float | None = None,
                   effective_length_factor: float = 1.0) -> "Buckling":
        k = math.pi ** 2 * _shape_i_over_a2(shape, thickness_ratio) / effective_length_factor ** 2
        return cls(k, shape, thickness_ratio, effective_length_factor)

    def to_json(self) -> dict[str, Any]:
        if self.shape is None:
            return {"k": self.k}
        out: dict[str, Any] = {"shape": self.shape, "effective_length_factor": self.effective_length_factor}
        if self.thickness_ratio is not None:
            out["thickness_ratio"] = self.thickness_ratio
        return out

    @classmethod
    def from_json(cls, data: Any) -> "Buckling":
        if not isinstance(data, dict):
            raise TrussSchemaError("buckling: expected an object with 'k' or 'shape'")
        if "shape" in data:
            kf = _number(data, "effective_length_factor", "buckling") if "effective_length_factor" in data else 1.0
            tr = _number(data, "thickness_ratio", "buckling") if "thickness_ratio" in data else None
            if kf <= 0:
                raise TrussSchemaError("buckling.effective_length_factor: must be > 0")
            return cls.from_shape(str(data["shape"]), tr, kf)
        k = _number(data, "k", "buckling")
        if k <= 0:
            raise TrussSchemaError("buckling.k: must be > 0")
        return cls(k)


@dataclass(frozen=True)
class SelfWeight:
    """The members' own weight as a load in every load case: member e weighs
    w_e = density_e L_e A_e (weight units); ``factor`` converts weight to force units
    (benchmarks: 0.001 kip per lb) and half of factor * w_e acts on each end node along
    the unit vector ``gravity`` (lumped)."""

    gravity: tuple[float, ...]
    factor: float = 1.0

    @classmethod
    def from_json(cls, data: Any, dim: int) -> "SelfWeight":
        if not isinstance(data, dict):
            raise TrussSchemaError("self_weight: expected an object {'gravity': [...], 'factor': ...}")
        g = _vector(_field(data, "gravity", "self_weight"), dim, "self_weight.gravity")
        norm = math.sqrt(sum(v * v for v in g))
        if norm == 0:
            raise TrussSchemaError("self_weight.gravity: must not be the zero vector")
        factor = _number(data, "factor", "self_weight") if "factor" in data else 1.0
        if factor <= 0:
            raise TrussSchemaError("self_weight.factor: must be > 0")
        return cls(tuple(v / norm for v in g), factor)

    def to_json(self) -> dict[str, Any]:
        return {"gravity": list(self.gravity), "factor": self.factor}


# ----------------------------------------------------------------------------------
# the truss
# ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Truss:
    """A pin-jointed truss with its loads, material, limits and design variables.

    Arrays: ``nodes`` (N x d coordinates), ``members`` (M x 2 node indices), ``fixed``
    (N x d, True = restrained dof), ``E`` and ``density`` (M), ``tension_limit`` and
    ``compression_limit`` (M, positive magnitudes, or None for no stress limit).
    """

    nodes: np.ndarray
    members: np.ndarray
    fixed: np.ndarray
    load_cases: tuple[LoadCase, ...]
    E: np.ndarray
    density: np.ndarray
    tension_limit: np.ndarray | None = None
    compression_limit: np.ndarray | None = None
    displacement_limits: tuple[DisplacementLimit, ...] = ()
    groups: tuple[Group, ...] = ()
    area: AreaSpec | None = None
    areas: np.ndarray | None = None
    buckling: Buckling | None = None
    #: Euler buckling per member group (group name -> its section), over ``buckling``
    buckling_by_group: dict[str, Buckling] = field(default_factory=dict)
    #: the members' own weight as an extra load in every load case (None: not applied)
    self_weight: SelfWeight | None = None
    #: N x d prescribed displacements of restrained dofs (support settlement; None: zero)
    prescribed: np.ndarray | None = None
    basic_nodes: tuple[int, ...] | None = None
    name: str = ""
    description: str = ""
    units: dict[str, str] = field(default_factory=lambda: dict(BENCHMARK_UNITS))
    node_labels: tuple[int, ...] | None = None
    member_labels: tuple[int, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        nodes = np.asarray(self.nodes, dtype=float)
        if nodes.ndim != 2 or nodes.shape[1] not in (2, 3) or len(nodes) == 0:
            raise TrussSchemaError(f"nodes: expected a non-empty N x 2 or N x 3 list, got shape {nodes.shape}")
        n, d = nodes.shape
        members = np.asarray(self.members, dtype=np.int64).reshape(-1, 2)
        if len(members) and (members.min() < 0 or members.max() >= n):
            k = int(np.argmax((members < 0).any(1) | (members >= n).any(1)))
            raise TrussSchemaError(f"members[{k}]: node index out of range ({n} nodes): {members[k].tolist()}")
        m = len(members)
        if m == 0:
            raise TrussSchemaError("members: a truss needs at least one member")
        _check_duplicates(members, self.member_labels)
        fixed = np.asarray(self.fixed, dtype=bool)
        if fixed.shape != (n, d):
            raise TrussSchemaError(f"supports: fixed-dof table has shape {fixed.shape}, expected {(n, d)}")
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "members", members)
        object.__setattr__(self, "fixed", fixed)
        object.__setattr__(self, "E", _per_member(self.E, m, "E", positive=True))
        object.__setattr__(self, "density", _per_member(self.density, m, "density", positive=False))
        for name in ("tension_limit", "compression_limit"):
            val = getattr(self, name)
            if val is not None:
                object.__setattr__(self, name, _per_member(val, m, f"stress_limits.{name.split('_')[0]}", positive=True))
        if not self.load_cases:
            raise TrussSchemaError("load_cases: at least one load case is needed")
        for lc in self.load_cases:
            f = np.asarray(lc.forces, dtype=float)
            if f.shape != (n, d) or not np.isfinite(f).all():
                raise TrussSchemaError(f"load_cases[{lc.name!r}]: forces must be finite, shape {(n, d)}")
        for i, lim in enumerate(self.displacement_limits):
            if any(not 0 <= k < n for k in lim.nodes) or any(not 0 <= k < d for k in lim.dofs):
                raise TrussSchemaError(f"displacement_limits[{i}]: node or dof index out of range")
            if not lim.limit > 0:
                raise TrussSchemaError(f"displacement_limits[{i}].limit: must be > 0")
        groups = self.groups or tuple(Group(f"A{(self.member_labels or range(1, m + 1))[k]}", (k,)) for k in range(m))
        owner: dict[int, int] = {}
        for gi, g in enumerate(groups):
            if not g.members or any(not 0 <= k < m for k in g.members):
                raise TrussSchemaError(f"groups[{gi}].members: empty or member index out of range ({m} members)")
            for k in g.members:  # one area per member: a second group would silently overwrite the first
                if k in owner:
                    first = groups[owner[k]]
                    raise TrussSchemaError(
                        f"groups[{gi}] ({g.name!r}): member {k} is already in "
                        + ("this group" if owner[k] == gi else f"groups[{owner[k]}] ({first.name!r})")
                        + "; a member belongs to at most one group")
                owner[k] = gi
        object.__setattr__(self, "groups", tuple(groups))
        if self.areas is not None:
            object.__setattr__(self, "areas", self.member_areas(self.areas, where="areas"))
        if self.prescribed is not None:
            pres = np.asarray(self.prescribed, dtype=float)
            if pres.shape != (n, d) or not np.isfinite(pres).all() or (pres[~fixed] != 0).any():
                raise TrussSchemaError("supports: prescribed displacements must be finite, shape "
                                       f"{(n, d)}, and only on restrained dofs")
            object.__setattr__(self, "prescribed", pres)
        if self.self_weight is not None and len(self.self_weight.gravity) != d:
            raise TrussSchemaError(f"self_weight.gravity: expected {d} components")
        if self.basic_nodes is not None and any(not 0 <= k < n for k in self.basic_nodes):
            raise TrussSchemaError("basic_nodes: node index out of range")

    # -- sizes and geometry ------------------------------------------------------------
    @property
    def dim(self) -> int:
        return int(self.nodes.shape[1])

    @property
    def n_nodes(self) -> int:
        return int(self.nodes.shape[0])

    @property
    def n_members(self) -> int:
        return int(self.members.shape[0])

    @property
    def lengths(self) -> np.ndarray:
        """Member lengths (length units)."""
        return np.linalg.norm(self.nodes[self.members[:, 1]] - self.nodes[self.members[:, 0]], axis=1)

    @property
    def group_index(self) -> np.ndarray:
        """For each member, the index of its group (-1 if in none)."""
        idx = np.full(self.n_members, -1, dtype=np.int64)
        for gi, g in enumerate(self.groups):
            idx[list(g.members)] = gi
        return idx

    @property
    def loaded_nodes(self) -> np.ndarray:
        """Indices of nodes that carry a nonzero load in some load case."""
        f = np.stack([lc.forces for lc in self.load_cases])
        return np.flatnonzero(np.abs(f).max(axis=(0, 2)) > 0)

    @property
    def supported_nodes(self) -> np.ndarray:
        return np.flatnonzero(self.fixed.any(axis=1))

    def essential_nodes(self) -> np.ndarray:
        """Nodes that topology changes may not remove: ``basic_nodes`` if given, else
        every loaded or supported node."""
        if self.basic_nodes is not None:
            return np.asarray(sorted(self.basic_nodes), dtype=np.int64)
        return np.union1d(self.loaded_nodes, self.supported_nodes)

    # -- design variables ----------------------------------------------------------------
    def member_areas(self, x: Sequence[float] | np.ndarray, where: str = "areas") -> np.ndarray:
        """Member areas from a design vector: one value per group or one per member."""
        x = np.asarray(x, dtype=float).ravel()
        if len(x) == self.n_members:
            areas = x.copy()
        elif len(x) == len(self.groups):
            loose = np.flatnonzero(self.group_index < 0)
            if len(loose):  # they would get area 0: absent, and the truss a "mechanism"
                raise TrussError(f"{where}: {len(x)} values, one per group, leave member{'s' if len(loose) > 1 else ''} "
                                 f"{_few(loose)} "
                                 f"(in no group) without an area; give {self.n_members} values (one per member) "
                                 "or list every member in 'groups'")
            areas = np.zeros(self.n_members)
            for g, v in zip(self.groups, x):
                areas[list(g.members)] = v
        else:
            per_group = f"{len(self.groups)} (one per group) or " if len(self.groups) != self.n_members else ""
            raise TrussError(f"{where}: got {len(x)} values, expected {per_group}{self.n_members} (one per member)")
        if not np.isfinite(areas).all() or (areas < 0).any():
            raise TrussError(f"{where}: areas must be finite and >= 0")
        return areas

    def default_areas(self) -> np.ndarray:
        """The file's ``areas``, else its first ``best_known`` design with an ``x``."""
        if self.areas is not None:
            return self.areas.copy()
        known = self.extra.get("best_known", []) or []
        if not isinstance(known, list):     # 5 or "x" was an internal error (or read letter by letter)
            raise TrussSchemaError(f"best_known: expected a list of designs such as [{{'x': [...]}}], got {known!r:.60}")
        for k, rec in enumerate(known):
            if isinstance(rec, dict) and rec.get("x") is not None:
                return self.member_areas(rec["x"], where=f"best_known[{k}].x")
        raise TrussError("no member areas: give --areas, or put 'areas' or a 'best_known' design in the file")

    def weight(self, areas: np.ndarray) -> float:
        """Structural weight sum(density * L * A) (weight units)."""
        return float(np.sum(self.density * self.lengths * np.asarray(areas, dtype=float)))

    @property
    def buckling_k(self) -> np.ndarray:
        """Per member, the Euler coefficient k of sigma_cr = k E A / L^2 (0: no buckling
        check): ``buckling`` for all members, replaced group by group by ``buckling_by_group``."""
        k = np.full(self.n_members, self.buckling.k if self.buckling is not None else 0.0)
        for g in self.groups:
            if g.name in self.buckling_by_group:
                k[list(g.members)] = self.buckling_by_group[g.name].k
        return k

    @property
    def has_buckling(self) -> bool:
        return self.buckling is not None or bool(self.buckling_by_group)

    def compression_allowable(self, areas: np.ndarray) -> np.ndarray | None:
        """Compression stress allowable per member: sigma_c, lowered by Euler buckling
        (sigma_cr = k E A / L^2, k = pi^2 (I/A^2) / K_eff^2 of the member's section)."""
        comp = self.compression_limit
        if not self.has_buckling:
            return comp
        k = self.buckling_k
        sigma_cr = np.where(k > 0, k * self.E * np.asarray(areas, dtype=float) / self.lengths ** 2, np.inf)
        return sigma_cr if comp is None else np.minimum(comp, sigma_cr)

    # -- analysis and drawing ----------------------------------------------------------
    def analyze(self, areas: Sequence[float] | np.ndarray | None = None):
        """Linear static analysis of every load case (see :func:`gadesign_problems.truss.fem.analyze`)."""
        from gadesign_problems.truss.fem import analyze

        return analyze(self, self.default_areas() if areas is None else self.member_areas(areas))

    def plot(self, areas=None, analysis=None, **kwargs):
        """Draw the truss (see :func:`gadesign_problems.truss.plots.plot_truss`); returns the axes."""
        from gadesign_problems.truss.plots import plot_truss

        return plot_truss(self, areas=areas, analysis=analysis, **kwargs)

    def subset(self, keep_members: np.ndarray) -> "Truss":
        """The truss with only the members where ``keep_members`` is True (nodes kept;
        groups, areas and per-member data restricted accordingly)."""
        keep = np.asarray(keep_members, dtype=bool)
        new_index = np.cumsum(keep) - 1
        groups = tuple(Group(g.name, tuple(int(new_index[k]) for k in g.members if keep[k]))
                       for g in self.groups)
        groups = tuple(g for g in groups if g.members)
        pick = (lambda a: None if a is None else a[keep])
        labels = None if self.member_labels is None else tuple(np.asarray(self.member_labels)[keep].tolist())
        return replace(self, members=self.members[keep], E=self.E[keep], density=self.density[keep],
                       tension_limit=pick(self.tension_limit), compression_limit=pick(self.compression_limit),
                       groups=groups, areas=pick(self.areas), member_labels=labels)

    # -- JSON ------------------------------------------------------------------------------
    @classmethod
    def from_json(cls, source: str | os.PathLike[str] | dict[str, Any]) -> "Truss":
        """Read a truss from a JSON file path or an already-parsed dict."""
        if isinstance(source, dict):
            return cls.from_dict(source)
        path = Path(source)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))  # a byte-order mark is no error
        except FileNotFoundError:
            raise TrussError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TrussError(f"{path}: cannot read: {exc}") from None
        except ValueError as exc:  # JSONDecodeError, and integers past Python's 4300-digit limit
            raise TrussSchemaError(f"{path}: not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise TrussSchemaError(f"{path}: expected a JSON object at the top level")
        try:
            return cls.from_dict(data)
        except TrussSchemaError as exc:
            raise TrussSchemaError(f"{path}: {exc}") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Truss":
        _check_misspelt(data, _KNOWN_KEYS, "")
        nodes_raw = data.get("nodes")
        if not isinstance(nodes_raw, list) or not nodes_raw:
            raise TrussSchemaError("nodes: expected a non-empty list of coordinates")
        dim = data.get("dim", len(nodes_raw[0]) if isinstance(nodes_raw[0], list) else None)
        if isinstance(dim, bool) or not isinstance(dim, int) or dim not in (2, 3):  # 2.0 was an internal error
            raise TrussSchemaError(f"dim: expected the integer 2 or 3, got {dim!r}")
        nodes = np.array([_vector(p, dim, f"nodes[{i}]") for i, p in enumerate(nodes_raw)])
        n = len(nodes)
        members_raw = data.get("members")
        if not isinstance(members_raw, list):
            raise TrussSchemaError("members: expected a list of [i, j] node pairs")
        members = np.array([_pair(p, n, f"members[{k}]") for k, p in enumerate(members_raw)],
                           dtype=np.int64).reshape(-1, 2)
        m = len(members)
        fixed = np.zeros((n, dim), dtype=bool)
        prescribed = np.zeros((n, dim))
        given = np.zeros((n, dim), bool)  # dofs whose settlement a support states
        for s, sup in enumerate(_list(data, "supports")):
            where = f"supports[{s}]"
            _check_misspelt(sup, {"node", "fixed", "displacement"}, where)
            node = _index(_field(sup, "node", where), n, f"{where}.node")
            flags = _field(sup, "fixed", where)
            if not isinstance(flags, list) or len(flags) != dim or not all(isinstance(b, bool) for b in flags):
                raise TrussSchemaError(f"{where}.fixed: expected {dim} booleans")
            fixed[node] |= np.array(flags)
            if "displacement" in sup:  # support settlement: applies to this support's fixed dofs
                u = np.array(_vector(sup["displacement"], dim, f"{where}.displacement"))
                if (u[~np.array(flags)] != 0).any():
                    raise TrussSchemaError(f"{where}.displacement: nonzero on a dof that is not fixed")
                flags_arr = np.array(flags)
                clash = flags_arr & given[node] & (u != prescribed[node])
                if clash.any():  # two supports of one node settling one dof differently: the last won
                    k = int(np.argmax(clash))
                    raise TrussSchemaError(f"{where}.displacement: node {node} {'xyz'[k]} is already given "
                                           f"{prescribed[node, k]:g} by another support, here {u[k]:g}")
                prescribed[node] = np.where(flags_arr, u, prescribed[node])
                given[node] |= flags_arr
        cases = []
        for c, lc in enumerate(_list(data, "load_cases")):
            where = f"load_cases[{c}]"
            _check_misspelt(lc, {"name", "loads"}, where)
            forces = np.zeros((n, dim))
            loads_raw = _field(lc, "loads", where)
            if not isinstance(loads_raw, list):  # null is not "no loads": a load case lists its loads
                raise TrussSchemaError(f"{where}.loads: expected a list of loads, got {loads_raw!r}")
            for li, load in enumerate(loads_raw):
                lw = f"{where}.loads[{li}]"
                _check_misspelt(load, {"node", "force"}, lw)
                node = _index(_field(load, "node", lw), n, f"{lw}.node")
                forces[node] += _vector(_field(load, "force", lw), dim, f"{lw}.force")
            cases.append(LoadCase(str(lc.get("name", f"LC{c + 1}")), forces))
        member_labels = _labels(data, "member_labels", m)
        groups = []
        for gi, g in enumerate(_optional_list(data, "groups")):
            where = f"groups[{gi}]"
            mem = _field(g, "members", where)
            if not isinstance(mem, list):
                raise TrussSchemaError(f"{where}.members: expected a list of member indices")
            groups.append(Group(str(g.get("name", f"G{gi + 1}")),
                                tuple(_index(k, m, f"{where}.members[{j}]") for j, k in enumerate(mem))))
        tension = compression = None
        if "stress_limits" in data:
            sl = data["stress_limits"]
            if not isinstance(sl, dict):
                raise TrussSchemaError("stress_limits: expected an object with 'tension' and 'compression'")
            tension = _field(sl, "tension", "stress_limits")
            compression = _field(sl, "compression", "stress_limits")
        elif "stress_limits_by_group" in data:
            sl = data["stress_limits_by_group"]
            if not groups:
                raise TrussSchemaError("stress_limits_by_group: needs 'groups'")
            grouped = np.zeros(m, bool)
            for g in groups:
                grouped[list(g.members)] = True
            if not grouped.all():  # was "stress_limits.tension: values must be finite and > 0"
                loose = np.flatnonzero(~grouped)
                raise TrussSchemaError(
                    f"stress_limits_by_group: member{'s' if len(loose) > 1 else ''} "
                    f"{_few(loose)} "
                    "in no group, so without a stress limit; list every member in 'groups' or use 'stress_limits'")
            per = {}
            for key in ("tension", "compression"):
                vals = _field(sl, key, "stress_limits_by_group")
                if not isinstance(vals, list) or len(vals) != len(groups):
                    raise TrussSchemaError(f"stress_limits_by_group.{key}: expected {len(groups)} values")
                arr = np.zeros(m)
                for g, v in zip(groups, vals):
                    arr[list(g.members)] = _as_float(v, f"stress_limits_by_group.{key}")
                per[key] = arr
            tension, compression = per["tension"].tolist(), per["compression"].tolist()
        disp = []
        for i, dl in enumerate(_optional_list(data, "displacement_limits")):
            where = f"displacement_limits[{i}]"
            nodes_l = _field(dl, "nodes", where)
            dofs_l = _field(dl, "dofs", where)
            if not isinstance(nodes_l, list) or not isinstance(dofs_l, list):
                raise TrussSchemaError(f"{where}: 'nodes' and 'dofs' must be lists")
            disp.append(DisplacementLimit(tuple(_index(k, n, f"{where}.nodes") for k in nodes_l),
                                          tuple(_index(k, dim, f"{where}.dofs") for k in dofs_l),
                                          _number(dl, "limit", where)))
        basic = None if data.get("basic_nodes") is None else _optional_list(data, "basic_nodes")
        units = data.get("units")
        if units is not None and not isinstance(units, dict):
            raise TrussSchemaError(f"units: expected an object such as {{'length': 'in', 'force': 'kip'}}, got {units!r}")
        _check_misspelt(units, set(BENCHMARK_UNITS), "units")   # "lenght": the length unit went unstated
        for key, val in (units or {}).items():
            if not isinstance(val, str):
                raise TrussSchemaError(f"units.{key}: expected a unit name such as 'in' or 'N', got {val!r}")
        try:
            return cls(
                nodes=nodes, members=members, fixed=fixed, load_cases=tuple(cases),
                E=_scalar_or_list(_field(data, "E", ""), "E"),
                density=_scalar_or_list(_field(data, "density", ""), "density"),
                tension_limit=None if tension is None else _scalar_or_list(tension, "stress_limits.tension"),
                compression_limit=None if compression is None else _scalar_or_list(compression, "stress_limits.compression"),
                displacement_limits=tuple(disp), groups=tuple(groups),
                area=AreaSpec.from_json(data["area"]) if "area" in data else None,
                areas=None if data.get("areas") is None else np.array(
                    [_as_float(v, f"areas[{i}]") for i, v in enumerate(_list(data, "areas"))]),
                buckling=Buckling.from_json(data["buckling"]) if data.get("buckling") is not None else None,
                buckling_by_group=_group_buckling(data.get("buckling_by_group"), groups),
                self_weight=(SelfWeight.from_json(data["self_weight"], dim)
                             if data.get("self_weight") is not None else None),
                prescribed=prescribed if prescribed.any() else None,
                basic_nodes=None if basic is None else tuple(_index(k, n, "basic_nodes") for k in basic),
                name=str(data.get("name", "")), description=str(data.get("description", "")),
                units=dict(BENCHMARK_UNITS) if units is None else {str(k): v for k, v in units.items()},
                node_labels=_labels(data, "node_labels", n), member_labels=member_labels,
                extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
            )
        except TrussError as exc:
            if isinstance(exc, TrussSchemaError):
                raise
            raise TrussSchemaError(str(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        """The truss in the JSON format (0-based indices; units in ``units``)."""
        d = self.dim
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["dim"] = d
        out["units"] = dict(self.units)
        out["nodes"] = self.nodes.tolist()
        if self.node_labels is not None:
            out["node_labels"] = list(self.node_labels)
        out["supports"] = [{"node": int(i), "fixed": self.fixed[i].tolist()} for i in self.supported_nodes]
        if self.prescribed is not None:
            for sup in out["supports"]:
                if self.prescribed[sup["node"]].any():
                    sup["displacement"] = self.prescribed[sup["node"]].tolist()
        out["members"] = self.members.tolist()
        if self.member_labels is not None:
            out["member_labels"] = list(self.member_labels)
        out["groups"] = [{"name": g.name, "members": list(g.members)} for g in self.groups]
        out["E"] = _compact(self.E)
        out["density"] = _compact(self.density)
        out["load_cases"] = [{"name": lc.name, "loads": [{"node": int(i), "force": lc.forces[i].tolist()}
                                                         for i in np.flatnonzero(np.abs(lc.forces).max(1) > 0)]}
                             for lc in self.load_cases]
        if self.tension_limit is not None or self.compression_limit is not None:
            big = np.full(self.n_members, 1e300)
            out["stress_limits"] = {
                "tension": (self.tension_limit if self.tension_limit is not None else big).tolist(),
                "compression": (self.compression_limit if self.compression_limit is not None else big).tolist()}
        if self.displacement_limits:
            out["displacement_limits"] = [{"nodes": list(dl.nodes), "dofs": list(dl.dofs), "limit": dl.limit}
                                          for dl in self.displacement_limits]
        if self.area is not None:
            out["area"] = self.area.to_json()
        if self.areas is not None:
            out["areas"] = self.areas.tolist()
        if self.buckling is not None:
            out["buckling"] = self.buckling.to_json()
        if self.self_weight is not None:
            out["self_weight"] = self.self_weight.to_json()
        if self.buckling_by_group:
            out["buckling_by_group"] = {name: b.to_json() for name, b in self.buckling_by_group.items()}
        if self.basic_nodes is not None:
            out["basic_nodes"] = list(self.basic_nodes)
        out.update(self.extra)
        return out

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The JSON text; written atomically to ``path`` when given."""
        data = self.to_dict()
        if path is not None:
            atomic_write_json(path, data)
        return json.dumps(data, indent=1, allow_nan=False)


def _group_buckling(data: Any, groups: Sequence[Group]) -> dict[str, Buckling]:
    """``buckling_by_group``: {group name: {"k"} or {"shape", ...}} (see :class:`Buckling`)."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TrussSchemaError("buckling_by_group: expected an object {group name: {'k': ...} or {'shape': ...}}")
    names = {g.name for g in groups}
    out = {}
    for name, spec in data.items():
        if name not in names:
            raise TrussSchemaError(f"buckling_by_group[{name!r}]: no such group (groups: {', '.join(sorted(names))})")
        try:
            out[name] = Buckling.from_json(spec)
        except TrussSchemaError as exc:
            raise TrussSchemaError(f"buckling_by_group[{name!r}]: {exc}") from None
    return out


def _check_duplicates(members: np.ndarray, labels: Sequence[Any] | None) -> None:
    """A member listed twice between the same two nodes (either direction) is an
    error: the two bars would act as one of the summed area, silently."""
    key = np.sort(members, axis=1)
    _, first, counts = np.unique(key, axis=0, return_index=True, return_counts=True)
    if (counts > 1).any():
        pair = key[first[np.argmax(counts > 1)]]
        dup = np.flatnonzero((key == pair).all(axis=1))
        name = (lambda k: f"members[{k}]" if labels is None else f"members[{k}] (label {labels[k]})")
        raise TrussSchemaError(f"{' and '.join(name(int(k)) for k in dup)} both join nodes "
                               f"{int(pair[0])} and {int(pair[1])}: a duplicated member")


# ----------------------------------------------------------------------------------
# parsing helpers: every error names its field
# ----------------------------------------------------------------------------------
def _few(indices: np.ndarray, limit: int = 8) -> str:
    """The first ``limit`` indices, comma-separated, with " ..." when there are more."""
    return ", ".join(map(str, indices[:limit].tolist())) + (" ..." if len(indices) > limit else "")


def _check_misspelt(obj: Any, known: set[str], where: str) -> None:
    """A key that is not one of ``known`` but nearly is, while the file lacks that known
    key (``stress_limit`` for ``stress_limits``, ``self-weight``, ``displacment``), is a
    schema error: otherwise it is kept as an unknown key and its data silently ignored.
    Other unknown keys (``sources``, ``notes`` beside ``nodes``) are kept as they are."""
    if not isinstance(obj, dict):
        return
    lower = {k.lower(): k for k in known}
    for key in obj:
        if not isinstance(key, str) or key in known:
            continue
        close = difflib.get_close_matches(key.lower().replace("-", "_"), list(lower), n=1, cutoff=0.8)
        if close and lower[close[0]] not in obj:
            raise TrussSchemaError(f"{where + '.' if where else ''}{key}: unknown key; did you mean "
                                   f"{lower[close[0]]!r}? (as written it would be ignored)")


def _field(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise TrussSchemaError(f"{where or 'truss'}: expected an object")
    if key not in obj:
        raise TrussSchemaError(f"{where + '.' if where else ''}{key}: missing")
    return obj[key]


def _list(data: dict[str, Any], key: str) -> list:
    val = _field(data, key, "")
    if not isinstance(val, list):
        raise TrussSchemaError(f"{key}: expected a list")
    return val


def _optional_list(obj: dict[str, Any], key: str, where: str = "") -> list:
    """``obj[key]`` when it is a list, [] when it is absent or null; anything else is a schema error."""
    val = obj.get(key)
    if val is None:
        return []
    if not isinstance(val, list):
        raise TrussSchemaError(f"{where + '.' if where else ''}{key}: expected a list, got {val!r}")
    return val


def _as_float(v: Any, where: str) -> float:
    try:  # an integer literal beyond double range (10**400) overflows here: was an internal error
        ok = not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
    except OverflowError:
        ok = False
    if not ok:
        shown = repr(v) if not isinstance(v, int) or abs(v) < 10 ** 30 else f"an integer of {len(str(abs(v)))} digits"
        raise TrussSchemaError(f"{where}: expected a finite number, got {shown}")
    return float(v)


def _number(obj: dict[str, Any], key: str, where: str) -> float:
    return _as_float(_field(obj, key, where), f"{where}.{key}" if where else key)


def _vector(v: Any, dim: int, where: str) -> list[float]:
    if not isinstance(v, list) or len(v) != dim:
        raise TrussSchemaError(f"{where}: expected {dim} numbers, got {v!r}")
    return [_as_float(x, f"{where}[{i}]") for i, x in enumerate(v)]


def _index(v: Any, n: int, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TrussSchemaError(f"{where}: expected an integer index, got {v!r}")
    if not 0 <= v < n:  # one past the end: most often a file numbered from 1, as papers do
        raise TrussSchemaError(f"{where}: index {v} out of range (0..{n - 1})"
                               + ("; indices are 0-based (the first is 0)" if v == n else ""))
    return v


def _pair(p: Any, n: int, where: str) -> list[int]:
    if not isinstance(p, list) or len(p) != 2:
        raise TrussSchemaError(f"{where}: expected a pair [i, j] of node indices, got {p!r}")
    return [_index(p[0], n, f"{where}[0]"), _index(p[1], n, f"{where}[1]")]


def _labels(data: dict[str, Any], key: str, count: int) -> tuple[int, ...] | None:
    val = data.get(key)
    if val is None:
        return None
    if not isinstance(val, list) or len(val) != count:
        raise TrussSchemaError(f"{key}: expected {count} labels")
    seen: dict[Any, int] = {}
    for i, v in enumerate(val):  # a label names one node/member in messages and tables
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise TrussSchemaError(f"{key}[{i}]: expected an integer or a string, got {v!r}")
        if v in seen:
            raise TrussSchemaError(f"{key}[{i}]: label {v!r} is also {key}[{seen[v]}]; labels must be unique")
        seen[v] = i
    return tuple(val)


def _scalar_or_list(v: Any, where: str) -> float | np.ndarray:
    if isinstance(v, list):
        return np.array([_as_float(x, f"{where}[{i}]") for i, x in enumerate(v)])
    return _as_float(v, where)


def _per_member(v: Any, m: int, where: str, positive: bool) -> np.ndarray:
    arr = np.asarray(v, dtype=float)
    if arr.ndim == 0:
        arr = np.full(m, float(arr))
    if arr.shape != (m,):
        raise TrussSchemaError(f"{where}: expected a number or {m} values, got {arr.size}")
    bad = (arr <= 0) if positive else (arr < 0)
    if not np.isfinite(arr).all() or bad.any():
        raise TrussSchemaError(f"{where}: values must be finite and {'> 0' if positive else '>= 0'}")
    return arr


def _compact(arr: np.ndarray) -> float | list[float]:
    return float(arr[0]) if len(arr) and np.all(arr == arr[0]) else arr.tolist()
