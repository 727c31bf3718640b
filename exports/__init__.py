"""Pure file builders for the dashboard: frame (plus metadata) in, bytes out.

Nothing here imports Streamlit.  Import the submodules directly, e.g.
``from exports.tables import to_xlsx``, so that loading one builder does not
load every other builder's libraries.

Table exports: ``exports.tables`` (xlsx with a 条件 (filter conditions)
sheet, CSV for Japanese Excel, file and sheet names), ``exports.cells`` (the
cell rules both formats share) and ``exports.sheetdata`` (the fast xlsx row
serialiser).
"""
