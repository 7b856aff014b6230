"""Representations, each owning its sampling, variation, repair and JSON form."""

from gadesign.genomes.base import Genome
from gadesign.genomes.binary import BinaryVector
from gadesign.genomes.composite import Composite
from gadesign.genomes.integer import IntegerVector
from gadesign.genomes.permutation import Permutation
from gadesign.genomes.real import RealVector
from gadesign.genomes.varlen import VarLength

__all__ = ["Genome", "RealVector", "IntegerVector", "BinaryVector", "Composite", "VarLength", "Permutation"]
