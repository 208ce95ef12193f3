"""Drawing a network: layout, edge styles, the raster of large layers, the plotly figure and its export. Imports only mlpsim.core."""
