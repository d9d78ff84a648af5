"""Calibration from a drill: read a drill log, fit the model to it, validate the fit.

The drill log format and the fits are described in docs/calibration.md.
"""
