"""The rating codes a matrix is stored and scored in (``scoring.RATING_LABELS`` names them).

Fixed by stored data. ``scoring`` and its compiled loops (``_kernels``) both read them from here, so
neither imports the other to learn them.
"""

CODE_BLANK = 0
CODE_CC = 1
CODE_C = 2
CODE_N = 3
CODE_I = 4
CODE_II = 5
CODE_NA = 6
