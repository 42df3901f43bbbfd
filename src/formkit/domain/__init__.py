"""The domain: what the notice 厦工[2011]104号 and its 填表说明 fix, as pure rules without files.

Vocabularies, amounts and 大写金额, dates, ID numbers (GB 11643), the record models, the
registry of the annexes, privacy (masking) and text cleaning. Imports nothing of formkit
but :mod:`formkit.errors`.
"""
