"""The evidence pack as a PDF a regulator reads: a cover with the decision, who made it and
when, then the checks in words, extracted beside known values, the documents themselves,
the watchlist screening with its lists' versions, and the audit trail with its chain
hashes and the signed head. The JSON pack stays the machine-checkable original.

Built with reportlab, in DejaVu Sans embedded from the system's fonts (fonts-dejavu-core),
so every language's letters print as they are.
"""

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from onboarding.checks.images import open_image, pdf_pages
from onboarding.comparisons import display
from onboarding.labels import ACTORS, action_label, field_label, legible, reason_label, result_label
from onboarding.models import Document
from onboarding.texts import text_in

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"Sans": "DejaVuSans.ttf", "Sans-Bold": "DejaVuSans-Bold.ttf", "Mono": "DejaVuSansMono.ttf"}
WIDTH = A4[0] - 36 * mm
IMAGE_BOX = (WIDTH / 2 - 4 * mm, 95 * mm)
PREVIEW_DPI = 100
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Sans", 8),
        ("FONT", (0, 0), (-1, 0), "Sans-Bold", 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8ccd2")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


@lru_cache(maxsize=1)
def _register_fonts():
    for name, filename in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


@lru_cache(maxsize=1)
def _styles():
    return {
        "title": ParagraphStyle("title", fontName="Sans-Bold", fontSize=20, leading=24, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName="Sans-Bold", fontSize=13, leading=16, spaceBefore=10, spaceAfter=5),
        "h3": ParagraphStyle("h3", fontName="Sans-Bold", fontSize=10, leading=13, spaceBefore=7, spaceAfter=3),
        "body": ParagraphStyle("body", fontName="Sans", fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName="Sans", fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", fontName="Mono", fontSize=6.5, leading=8),
        "decision": ParagraphStyle("decision", fontName="Sans-Bold", fontSize=16, leading=20),
        "muted": ParagraphStyle("muted", fontName="Sans", fontSize=8, leading=10, textColor=colors.HexColor("#5b6470")),
    }


def _p(text, style="body"):
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), _styles()[style])


def _table(header, rows, widths, style="cell"):
    data = [[_p(h, style="cell") for h in header]] + [
        [_p(c, style) if not hasattr(c, "wrap") else c for c in row] for row in rows
    ]
    table = Table(data, colWidths=[WIDTH * w for w in widths], repeatRows=1)
    table.setStyle(GRID)
    return table


def _when(value):
    return (value or "").replace("T", " ")[:19] or "—"


def _cover(pack):
    session, decision, workflow = pack["session"], pack["decision"], pack["workflow"]
    story = [
        _p(_("Evidence pack"), "title"),
        _p(session["name"] or session["id"], "h2"),
        _p(f"{_('Reference')}: {session['reference_id'] or '—'} · {_('Session')} {session['id']}", "muted"),
        _p(
            f"{_('Workflow')}: {workflow['name']} v{workflow['version']} · {_('environment')}: "
            f"{session['environment']}",
            "muted",
        ),
        Spacer(1, 6 * mm),
    ]
    if decision["status"] in ("approved", "rejected"):
        decided_by = decision["decided_by"] or {}
        who = f"{ACTORS.get(decided_by.get('type'), '')}: {decided_by.get('label', '')}" if decided_by else "—"
        rows = [
            [_("Decision"), legible(decision["status"])],
            [_("Decided by"), who],
            [_("Decided at"), _when(decision["decided_at"])],
        ]
    else:
        recommendation = (pack.get("processing_results") or {}).get("final_decision")
        rows = [
            [_("Decision"), _("No decision yet (status: %(status)s)") % {"status": legible(decision["status"])}],
            [_("Recommendation"), legible(recommendation) if recommendation else "—"],
        ]
    rows += [
        [
            _("Risk score"),
            f"{decision['risk_score']} ({decision['risk_level']})" if decision["risk_score"] is not None else "—",
        ],
        [_("Reasons"), ", ".join(str(reason_label(r)) for r in decision["reasons"]) or "—"],
        [_("Note"), decision["note"] or "—"],
        [_("Created"), _when(session["created_at"])],
        [_("Generated"), _when(pack["generated_at"])],
    ]
    table = Table(
        [[_p(k, "body"), _p(v, "decision" if i == 0 else "body")] for i, (k, v) in enumerate(rows)],
        colWidths=[WIDTH * 0.28, WIDTH * 0.72],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#1f2933")),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#c8ccd2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), _p(_("Applicants"), "h2")]
    for applicant in pack["applicants"]:
        known = [
            (field_label(k), display(v)) for block in applicant["known_data"].values() for k, v in (block or {}).items()
        ]
        story += [_p(f"{applicant['label'] or legible(applicant['type'])} · {legible(applicant['status'])}", "h3")]
        if known:
            story.append(_table([_("Known data"), _("Value")], known, [0.3, 0.7]))
    return story


def _checks(pack):
    titles = {step["id"]: text_in(step.get("title"), "en") for step in pack["workflow"]["steps"]}
    story = [PageBreak(), _p(_("Checks"), "h2")]
    for v in pack["verifications"]:
        block = [
            _p(
                f"{titles.get(v['step_id']) or legible(v['step_id'])} · {legible(v['status'])}"
                f"{' · ' + str(result_label(v['result'])) if v['result'] else ''}",
                "h3",
            )
        ]
        for code in v["reason_codes"]:
            block.append(_p(f"• {reason_label(code)} ({code})", "body"))
        checked = (v.get("check") or {}).get("result")
        for override in v.get("overrides") or []:
            block.append(
                _p(
                    _("%(by)s changed the result from %(previous)s to %(result)s:")
                    % {
                        "by": override["by"],
                        "previous": result_label(override["previous_result"]),
                        "result": result_label(override["result"]),
                    }
                    + f" {override['note']} ({_when(override['at'])})"
                )
            )
        if v["resolution_note"] and not v.get("overrides"):
            block.append(_p(f"{_('Resolved by hand:')} {v['resolution_note']}"))
        if checked and checked != v["result"]:
            block.append(_p(_("check said: %(result)s") % {"result": result_label(checked)}, "muted"))
        rows = [
            (c["label"], c["extracted"] or "—", c["known"] or "—", c["finding"], c["source"])
            for c in v.get("comparisons") or []
        ]
        if rows:
            block.append(
                _table(
                    [_("Field"), _("Extracted"), _("Known"), "", _("Read from")], rows, [0.22, 0.26, 0.22, 0.14, 0.16]
                )
            )
        story.append(KeepTogether(block))
    return story


def _image(content, mime_type):
    """A document's first page as a flowable fitting IMAGE_BOX, or None when it cannot be drawn."""
    try:
        if mime_type == "application/pdf":
            page = pdf_pages(content, dpi=PREVIEW_DPI, max_pages=1)[0]
        else:
            page = open_image(content).convert("RGB")
    except Exception:
        return None
    page.thumbnail((1400, 1400))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=80)
    buffer.seek(0)
    scale = min(IMAGE_BOX[0] / page.width, IMAGE_BOX[1] / page.height)
    return Image(buffer, page.width * scale, page.height * scale)


def _documents(pack):
    story = [PageBreak(), _p(_("Documents"), "h2")]
    stored = {str(d.id): d for d in Document.objects.filter(session_id=pack["session"]["id"], superseded=False)}
    cells = []
    for entry in pack["documents"]:
        caption = _p(
            f"{entry['kind'] or 'document'} {entry['side']} · {entry['mime_type']} · "
            f"sha256 {entry['sha256'][:16]}…{' · ' + _('superseded') if entry['superseded'] else ''}",
            "muted",
        )
        document = stored.get(entry["id"])
        picture = None
        if (
            document is not None
            and document.file
            and (entry["mime_type"].startswith("image/") or entry["mime_type"] == "application/pdf")
        ):
            with document.file.open("rb") as handle:
                picture = _image(handle.read(), entry["mime_type"])
        cells.append([picture, caption] if picture else [caption])
    if not cells:
        return story + [_p(_("No document."), "muted")]
    rows = [cells[i : i + 2] + [[]] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[WIDTH / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return story + [table]


def _watchlist(pack):
    results = (pack.get("processing_results") or {}).get("external_validations", {}).get("watchlist")
    story = [_p(_("Watchlist screening"), "h2")]
    if not results:
        return story + [_p(_("No watchlist screening for this session."), "muted")]
    screened = ", ".join(s["name"] for s in results.get("screened", []))
    lists = ", ".join(
        f"{d['name']} {d['version']} ({d.get('entry_count', '?')})"
        for d in results.get("datasets") or pack["watchlist_datasets"]
    )
    story += [
        _p(f"{_('Screened')}: {screened or '—'}"),
        _p(f"{_('Lists and versions')}: {lists or '—'}"),
        _p(f"{_('Threshold')}: {results.get('threshold')} · {_('screened at')} {_when(results.get('screened_at'))}"),
    ]
    hits = [
        (
            m.get("name") or m.get("caption") or "",
            f"{m.get('score', 0):.2f}",
            display(m.get("lists")),
            _("false positive: %(note)s") % {"note": m["false_positive"].get("note", "")}
            if m.get("false_positive")
            else _("open"),
        )
        for m in results.get("matches", [])
    ]
    if hits:
        story.append(_table([_("Name"), _("Score"), _("Lists"), _("Status")], hits, [0.34, 0.1, 0.26, 0.3]))
    else:
        story.append(_p(_("No hit."), "body"))
    return story


def _audit(pack):
    story = [PageBreak(), _p(_("Audit trail"), "h2")]
    rows = []
    for e in pack["events"]:
        actor = e["actor"]
        who = str(ACTORS.get(actor["type"], "")) + (f": {actor['label']}" if actor["type"] != "system" else "")
        what = f"{action_label(e['action'])} ({e['action']})"
        if e["data"].get("step_id"):
            what += f" · {legible(e['data']['step_id'])}"
        if e["note"]:
            what += f"\n{e['note']}"
        rows.append((str(e["sequence"]), _when(e["at"]), what, who, _p(f"{e['prev_hash']}\n→ {e['hash']}", "mono")))
    story.append(
        _table(
            ["#", _("Time"), _("What"), _("Who"), _("Chain (previous → this event)")],
            rows,
            [0.05, 0.14, 0.3, 0.15, 0.36],
        )
    )
    chain = pack.get("audit_chain")
    if chain:
        story += [
            Spacer(1, 4 * mm),
            HRFlowable(width="100%", color=colors.HexColor("#c8ccd2")),
            _p(_("Head of the organization's chain"), "h3"),
            _p(f"{_('sequence')} {chain['head_sequence']} · {chain.get('algorithm', '')}", "muted"),
            _p(f"head {chain['head_hash']}\nsignature {chain.get('head_signature', '')}", "mono"),
        ]
    return story


def _footer(canvas, document):
    canvas.saveState()
    canvas.setFont("Sans", 7)
    canvas.setFillColor(colors.HexColor("#5b6470"))
    canvas.drawString(18 * mm, 10 * mm, f"Threshold · {_('Evidence pack')} · {document.pack_id}")
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("page %(n)d") % {"n": document.page})
    canvas.restoreState()


def render_evidence_pdf(pack):
    """The pack as PDF bytes."""
    _register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{_('Evidence pack')} {pack['session']['id']}",
        author="Threshold",
    )
    document.pack_id = pack["session"]["id"]
    story = _cover(pack) + _checks(pack) + _documents(pack) + _watchlist(pack) + _audit(pack)
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
