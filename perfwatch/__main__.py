from __future__ import annotations

import sys

from perfwatch.cli import main

sys.exit(main())
