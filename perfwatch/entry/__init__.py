"""Data entry: actual spend and indicator results, with history, locks, undo and conflict checks.

Every write goes through :func:`perfwatch.store.transaction` (authorised, one transaction, audited)
and appends rows -- nothing is updated or deleted:

- spend per project and month (万元) from the grid or from a file import; a file replaces the totals
  of the (project, month) pairs it covers, so re-importing never double-counts;
- indicator results per reporting date (as_of), from the form or a file;
- period locks per department and month (latest row wins);
- entry batches: one per save, so "undo the last save" appends rows restoring the previous values.

Optimistic concurrency: an edit carries ``base_id``, the id of the current row it was based on
(None = there was none). Inside the write transaction the current row is read again; if it is no
longer that one, :class:`ConflictError` names who changed it and when, and nothing is written.

No streamlit here; pages call these functions and draw the results.
"""

from __future__ import annotations

from perfwatch.entry.common import (
    LIGHT_LABELS,
    MONTH_COLUMNS,
    QUARTER_COLUMNS,
    RESULT_FIELD_LABELS,
    RESULT_FIELDS,
    USER_ERRORS,
    ConflictError,
    EntryValidationError,
    Indicator,
    LockedError,
    OverBudgetError,
    Project,
    SaveResult,
    department,
    error_text,
    indicators_all,
    indicators_of,
    last_data_date,
    needs_explanation,
    projects_all,
)
from perfwatch.entry.completeness import (
    Completeness,
    completeness,
    completeness_by_department,
    latest_result_text,
    result_to_date,
    stale_note,
)
from perfwatch.entry.grid import (
    SpendGrid,
    grid_changes,
    spend_grid,
)
from perfwatch.entry.history import (
    UndoInfo,
    last_undoable,
    spend_history,
    spend_row,
    undo_batch,
    undo_result_cell,
    undo_spend_cell,
)
from perfwatch.entry.locks import (
    LockState,
    lock_history,
    lock_states,
    locked_months,
    set_lock,
)
from perfwatch.entry.record import record_project_report, record_result, record_spend
from perfwatch.entry.results import (
    CurrentResult,
    ResultInput,
    clean_input,
    current_results,
    indicator_light,
    light_and_reason,
    lights_and_reasons,
    result_history,
    save_results,
    validate_result,
)
from perfwatch.entry.spend import (
    SpendChange,
    save_spend,
)
from perfwatch.entry.spend_import import (
    SpendImportPlan,
    commit_spend_import,
    plan_spend_import,
)
from perfwatch.entry.templates import (
    TEMPLATE_COLUMNS,
    ResultsImportPlan,
    commit_results_import,
    plan_results_import,
    results_template,
)
from perfwatch.periods import default_month, month_label, month_start, reporting_as_of
from perfwatch.store import PermissionDenied, ValidationError

__all__ = [
    "Completeness",
    "ConflictError",
    "CurrentResult",
    "EntryValidationError",
    "Indicator",
    "LIGHT_LABELS",
    "LockState",
    "LockedError",
    "MONTH_COLUMNS",
    "OverBudgetError",
    "PermissionDenied",
    "Project",
    "QUARTER_COLUMNS",
    "RESULT_FIELDS",
    "RESULT_FIELD_LABELS",
    "ResultInput",
    "ResultsImportPlan",
    "SaveResult",
    "SpendChange",
    "SpendGrid",
    "SpendImportPlan",
    "TEMPLATE_COLUMNS",
    "USER_ERRORS",
    "UndoInfo",
    "ValidationError",
    "clean_input",
    "commit_results_import",
    "commit_spend_import",
    "completeness",
    "completeness_by_department",
    "current_results",
    "default_month",
    "department",
    "error_text",
    "grid_changes",
    "indicator_light",
    "indicators_all",
    "latest_result_text",
    "result_to_date",
    "stale_note",
    "indicators_of",
    "last_data_date",
    "last_undoable",
    "light_and_reason",
    "lights_and_reasons",
    "lock_history",
    "lock_states",
    "locked_months",
    "month_label",
    "month_start",
    "needs_explanation",
    "plan_results_import",
    "plan_spend_import",
    "projects_all",
    "record_project_report",
    "record_result",
    "record_spend",
    "reporting_as_of",
    "result_history",
    "results_template",
    "save_results",
    "save_spend",
    "set_lock",
    "spend_grid",
    "spend_history",
    "spend_row",
    "undo_batch",
    "undo_result_cell",
    "undo_spend_cell",
    "validate_result",
]
