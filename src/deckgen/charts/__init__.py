"""The chart layer: chart kinds (one module each, registered in ``kinds``) and chart data.

``data.chart_data`` checks a chart section against its data and returns what to draw;
``render.charts`` draws it with matplotlib. Neither the kinds' registry nor the data step
imports matplotlib, so ``validate`` stays light.
"""
