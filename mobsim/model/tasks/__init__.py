"""The wartime tasks done by whoever has reported (docs/model.md section 12).

`staffing.Staffing` is the one hook through which every person who reports reaches the tasks;
`plan` sizes each community's testing sites and checkpoints; `verification`, `publicity`,
`supply` and `testing` compute the work done after the SimPy run; `outcome` gathers the
"able to act" minute and the work done by the target per community and task.
"""
