"""Server-drawn SVG charts: geometry computed here, drawn by templates (so every label is escaped)."""

from dataclasses import dataclass, field

LABEL_WIDTH = 170
BAR_AREA = 420
ROW_HEIGHT = 26
COLUMN_AREA_HEIGHT = 160
# Room at each side of a column chart for the first and last axis labels.
COLUMN_PADDING = 24


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    css: str = ""
    note: str = ""
    # Shown with the label on hover (a reason's code beside its words).
    hint: str = ""

    @property
    def end(self):
        return self.x + self.width

    @property
    def label_x(self):
        return self.x - 8


@dataclass
class Chart:
    width: int
    height: int
    bars: list
    axis: list = field(default_factory=list)  # (x, y, text) labels under columns
    legend: list = field(default_factory=list)  # (css, text)
    empty: bool = False


def horizontal_bars(rows, css=""):
    """rows: [(label, value)] or [(label, value, hint)] drawn as bars sharing one scale; each bar
    notes its share of the first row."""
    top = max((row[1] for row in rows), default=0) or 1
    first = rows[0][1] if rows else 0
    bars = []
    for index, (label, value, *hint) in enumerate(rows):
        share = f" ({round(100 * value / first)} %)" if first and index else ""
        bars.append(
            Bar(
                str(label),
                value,
                LABEL_WIDTH,
                index * ROW_HEIGHT + 4,
                max(BAR_AREA * value / top, 1 if value else 0),
                ROW_HEIGHT - 8,
                css,
                f"{value}{share}",
                "".join(hint),
            )
        )
    return Chart(
        LABEL_WIDTH + BAR_AREA + 90, max(len(rows), 1) * ROW_HEIGHT + 4, bars, empty=not any(row[1] for row in rows)
    )


def columns(groups, series, column_width=None, width=620):
    """groups: [(axis label, {series key: value})]; series: [(key, css, legend text)], stacked bottom-up."""
    count = max(len(groups), 1)
    slot = width / count
    column_width = column_width or max(min(slot * 0.7, 48), 2)
    top = max((sum(values.get(key, 0) for key, _, _ in series) for _, values in groups), default=0) or 1
    bars, axis = [], []
    label_every = max(1, count // 10)
    for index, (label, values) in enumerate(groups):
        x = COLUMN_PADDING + index * slot + (slot - column_width) / 2
        base = COLUMN_AREA_HEIGHT
        for key, css, legend in series:
            value = values.get(key, 0)
            height = COLUMN_AREA_HEIGHT * value / top
            if value:
                bars.append(
                    Bar(str(label), value, x, base - height, column_width, height, css, f"{label}: {value} {legend}")
                )
            base -= height
        if index % label_every == 0:
            axis.append((x + column_width / 2, COLUMN_AREA_HEIGHT + 14, str(label)))
    total = sum(sum(values.values()) for _, values in groups)
    return Chart(
        int(width) + 2 * COLUMN_PADDING,
        COLUMN_AREA_HEIGHT + 22,
        bars,
        axis,
        [(css, text) for _, css, text in series],
        empty=not total,
    )
