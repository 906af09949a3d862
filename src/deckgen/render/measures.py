"""Measures several renderers share (points), in a module that imports nothing: the table renderer,
the chart layout and the sections read them without importing the kit that uses them."""

GUTTER = 16.0  # points between two half-width exhibits
CELL_PADDING_X, CELL_PADDING_Y = 5.0, 4.0  # a data table cell's padding: left and right, top and bottom
TABLE_PART_MIN_ROWS = 4  # body rows a table split across pages leaves on each part, at the least
