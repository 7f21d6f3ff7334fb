"""``python -m taskcert``: the ``taskcert-supervisor`` command."""

import sys

from taskcert.cli import main

sys.exit(main())
