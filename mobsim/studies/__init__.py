"""Studies of a scenario that take many runs: calibration to a drill, sensitivity, planning."""
