"""Networks in and out: the JSON file format, share links, safe reading of user files, ONNX, scikit-learn, typed cell assignments, the shipped presets. Imports only mlpsim.core."""
