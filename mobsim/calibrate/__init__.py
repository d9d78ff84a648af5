"""Calibration from a drill: read a drill log, fit the model to it, validate the fit (docs/calibration.md)."""
