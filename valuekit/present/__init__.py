"""What a reader sees: charts returning Axes (:mod:`.plots`), the widgets, the dashboard
page (``dashboard.ipynb``) and its app, and the PowerPoint deck.

The only stage that knows about matplotlib figures, ipywidgets and python-pptx; it imports
the stages below it and nothing above.
"""
