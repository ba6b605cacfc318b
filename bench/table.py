"""The one table every bench prints: metric | value | bar | met?."""


def print_table(rows: list[tuple]) -> None:
    headings = ("metric", "value", "bar (SECURITY §4.8)", "met?")
    widths = [max(len(str(row[column])) for row in [headings, *rows]) for column in range(4)]
    line = lambda row: " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths))  # noqa: E731
    print(line(headings))
    print("-+-".join("-" * width for width in widths))
    for row in rows:
        print(line(row))
