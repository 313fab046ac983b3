"""Part programs: a typed feature tree (bodies and features, in mm, Z up) that any model can fill
under a grammar, compiled to a readable build123d script, and checked feature by feature against
the part it made."""

from partsmith.program.compile import compile_program
from partsmith.program.schema import Program, dump, json_schema, parse

__all__ = ["Program", "compile_program", "dump", "json_schema", "parse"]
