"""Shared test setup: the tests folder is on sys.path, so the fixture modules beside this file
(`model_fixtures`, `cli_fixtures`, `canvass_fixtures`, `report_fixtures`,
`calibrate_fixtures`, `district_fixtures`) import by name from every subfolder."""
