"""Datasets to learn from: generated, shipped with scikit-learn, and CSV files. Imports only mlpsim.core and mlpsim.io."""
