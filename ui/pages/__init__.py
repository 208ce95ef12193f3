"""The app's pages: one module per page, each with render(), the only names app.py calls."""
