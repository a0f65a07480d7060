"""French as mediators write it: folding, words, elisions, inclusive writing, stop words and stems, in plain
Python. The terminal search and the site's browser index both analyse text here, so they agree.

May import `errors` only.
"""
