"""Serve Ralph's LRS API (``ralph.api:app``) with uvicorn: run by Ralph's own interpreter.

``python tests/ralph_server.py HOST PORT`` with the ``RALPH_*`` variables set by
:class:`tests.lrs.Ralph`. This is what ``ralph runserver -b fs`` does, without its
file-watching reloader (it would watch the current folder, the repository) and with one
repair: Ralph 5.1.0's API writes statements with the file-system backend's default
operation, ``create``, so its data file takes the first POST and refuses every later
one ("already exists and overwrite is not allowed"). The backend's own ``append``
operation is made the default. And a second: the API hands the ``verb`` and ``activity``
query parameters to the backend as ``IRI`` models, which the file-system backend
compares with the statements' id strings, so those filters match nothing (the
Elasticsearch and MongoDB backends turn them into text first); the file-system backend
is given them as text too. Nothing else of Ralph is changed.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND


def _as_text(add_filter):
    def add(filters, value, *rest):
        return add_filter(filters, None if value is None else str(value), *rest)

    return staticmethod(add)


FSLRSBackend._add_filter_by_verb = _as_text(FSLRSBackend._add_filter_by_verb)
FSLRSBackend._add_filter_by_activity = _as_text(FSLRSBackend._add_filter_by_activity)

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
