"""``python -m gadesign`` = the ``gadesign`` command."""

import sys

from gadesign.cli import main

sys.exit(main())
