"""The district: its hierarchy as tables, their schemas, reading, writing, checking, generating."""

from mobsim.district.check import check_district
from mobsim.district.generate import generate_xindu
from mobsim.district.io import (
    check_folder,
    district_problems,
    district_warnings,
    load_district,
    read_district,
    write_district,
)
from mobsim.district.tables import TABLE_NAMES, District, Table

__all__ = ["TABLE_NAMES", "District", "Table", "check_district", "check_folder",
           "district_problems", "district_warnings", "generate_xindu", "load_district",
           "read_district", "write_district"]
