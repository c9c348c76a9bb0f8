"""perfwatch: mid-year performance monitoring (绩效运行监控) of budget projects on DuckDB."""

__version__ = "0.1.0"
