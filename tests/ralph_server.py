"""Serve Ralph's LRS API (``ralph.api:app``) with uvicorn: run by Ralph's own interpreter.

``python tests/ralph_server.py HOST PORT`` with the ``RALPH_*`` variables set by
:class:`tests.lrs.Ralph`. This is what ``ralph runserver -b fs`` does, without its
file-watching reloader (it would watch the current folder, the repository) and with one
repair: Ralph 5.1.0's API writes statements with the file-system backend's default
operation, ``create``, so its data file takes the first POST and refuses every later
one ("already exists and overwrite is not allowed"). The backend's own ``append``
operation is made the default; nothing else of Ralph is changed.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
