"""Sizes above which a page summarises instead of drawing every document or indicator (issue 17:
hundreds to 1,741 municipalities in one warehouse). Read at run time (``national.X``), so a
test can lower them to check the summarised layout on the bundled documents."""

DOCUMENT_CARDS_UP_TO = 12  # 概要・財政効果: with more documents, a summary table and the top ones only
TOP_DOCUMENTS = 10         # how many documents get their card / comparison above that size
INDICATORS_PER_PAGE = 10   # 指標: charts (and summary rows) per page
TRACE_ROWS_PER_PAGE = 500  # 財政効果: rows of 金額の根拠 per page
