"""Synthetic data for scale tests and benchmarks: programs, firms calibrated on a survey, and their files.

:mod:`~matcher.synth.programs` makes catalogs of programs, :mod:`~matcher.synth.firms`
firms calibrated (:mod:`~matcher.synth.calibration`) on the Ota Ward / Higashi Osaka
survey of seed 004, and :mod:`~matcher.synth.write` writes both to files; the
``matcher synth`` commands are in :mod:`matcher.cli.synth`. None of it is fact: never
ship it as a catalog.
"""

from matcher.synth.firms import synth_firm_chunks, synth_firm_table, synth_firms
from matcher.synth.programs import synth_catalog, synth_programs
from matcher.synth.write import write_firms, write_programs

__all__ = ["synth_catalog", "synth_firm_chunks", "synth_firm_table", "synth_firms", "synth_programs", "write_firms",
           "write_programs"]
