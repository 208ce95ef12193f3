import sys

from mlpsim.cli import main

sys.exit(main())
