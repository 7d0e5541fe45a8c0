"""Experiments: every study of the reports declared as data and run by one runner.

``flambeau run NAME`` calls ``run_study``; ``flambeau sweep GRID.toml`` calls ``run_sweep``.
"""

from .registry import all_studies, get_study, study_names
from .runner import RunOutcome, run_all, run_from_config, run_study
from .spec import SIZES, Reference, Setting, Study, StudySkipped

__all__ = ["SIZES", "Reference", "RunOutcome", "Setting", "Study", "StudySkipped", "all_studies", "get_study",
           "run_all", "run_from_config", "run_study", "study_names"]
