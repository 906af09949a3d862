"""The proof stage: what was laid out, checked before an edition replaces the last good PDF or is mailed.

``record`` is what the renderer fills while it draws; ``checks`` proofreads it against the report;
``audit`` re-checks a PDF already written, with its manifest (``deckgen proof``).
"""
