"""Bulk import in the web app: upload, check (a dry run that writes nothing), confirm or discard."""

from datetime import date
from pathlib import PurePosixPath, PureWindowsPath

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from access.models import Role
from access.permissions import allow
from cases import imports as import_store
from cases.views import bp
from risk.imports.checking import (
    IDENTITY_FIELDS,
    IDENTITY_LABELS,
    ColumnMapping,
    blocking_problems,
)
from risk.imports.files import ImportFileError, read_table
from risk.imports.models import ImportStatus
from risk.instruments import PackError, get_pack, load_all_packs
from transactions import keep_record_of_failure

IMPORTING_ROLES = (Role.COORDINATOR, Role.AGENCY_REP)
PROBLEMS_SHOWN = 500
MATCHES_SHOWN = 500
IGNORE = "ignore"
LEAVE_OUT, NEW_PERSON = "leave-out", "new"


@bp.route("/imports/new", methods=["GET", "POST"])
@allow(*IMPORTING_ROLES)
def upload_import():
    agencies = import_store.importing_agencies(current_user)
    packs = sorted(load_all_packs().values(), key=lambda pack: pack.name)
    if request.method == "GET":
        return render_template("cases/import-upload.html", agencies=agencies, packs=packs, errors=[], chosen={})
    import_store.remove_stale_uploads()
    chosen = {"tool": request.form.get("tool", ""), "agency": request.form.get("agency", "")}
    errors, frame, data, filename = [], None, b"", ""
    pack = known_pack(chosen["tool"])
    agency = next((agency for agency in agencies if str(agency.id) == chosen["agency"] or len(agencies) == 1), None)
    upload = request.files.get("file")
    if pack is None:
        errors.append({"text": "Choose the tool the assessments were made with", "href": "#tool"})
    if agency is None:
        errors.append({"text": "Choose the agency whose assessments these are", "href": "#agency"})
    if upload is None or not upload.filename:
        errors.append({"text": "Choose a .csv or .xlsx file to upload", "href": "#file"})
    else:
        data, filename = upload.read(), shown_filename(upload.filename)
        try:
            frame = read_table(data, filename)
        except ImportFileError as problem:
            errors.append({"text": str(problem), "href": "#file"})
    if errors:
        return render_template(
            "cases/import-upload.html", agencies=agencies, packs=packs, errors=errors, chosen=chosen
        ), 400
    batch = import_store.stage(data, frame, pack=pack, agency_id=agency.id, filename=filename, user=current_user)
    return redirect(url_for("cases.review_import", batch_id=batch.id))


def known_pack(tool_id: str):
    try:
        return get_pack(tool_id) if tool_id else None
    except PackError:
        return None


def shown_filename(name: str) -> str:
    """The uploader's own name for the file, for display only: no folders, at most 255 characters."""
    return PureWindowsPath(PurePosixPath(name).name).name.strip()[-255:] or "upload"


def load_batch(batch_id):
    batch = import_store.get_batch_for(current_user, str(batch_id))
    if batch is None:
        abort(404)
    return batch


def finished_page(batch, status=200):
    return render_template(
        "cases/import-finished.html", batch=batch, outcome=None, file_missing=batch.status is ImportStatus.STAGED
    ), status


@bp.route("/imports/<uuid:batch_id>", methods=["GET", "POST"])
@allow(*IMPORTING_ROLES)
def review_import(batch_id):
    batch = load_batch(batch_id)
    if batch.status is not ImportStatus.STAGED:
        return finished_page(batch)
    frame = import_store.read_staged(batch)
    if frame is None:
        return finished_page(batch, 410)
    errors = []
    if request.method == "POST":
        mapping, errors = mapping_from_form(get_pack(batch.tool_id), list(frame.columns))
        if not errors:
            remember = request.form.get("save_mapping") == "yes"
            import_store.change_mapping(batch, mapping, remember=remember, user=current_user)
            return redirect(url_for("cases.review_import", batch_id=batch.id))
    review = import_store.check(batch, frame, today=date.today(), user=current_user)
    return render_review(review, errors, 400 if errors else 200)


def render_review(review: import_store.Review, errors: list, status: int):
    return render_template(
        "cases/import-review.html",
        review=review,
        errors=errors,
        options=mapping_options(review.pack),
        selected=selected_options(review.mapping),
        problems=review.report.problems[:PROBLEMS_SHOWN],
        matches=sorted(review.suggestions.items())[:MATCHES_SHOWN],
        rows_by_number={row.row: row for row in review.report.rows},
        will_import=len(review.report.rows) - len(review.suggestions),
        PROBLEMS_SHOWN=PROBLEMS_SHOWN,
        MATCHES_SHOWN=MATCHES_SHOWN,
        referral_note=import_store.IMPORTED_REFERRAL_NOTE,
    ), status


def field_option(field: str) -> str:
    """The label in the column dropdowns, in the words the import's messages use."""
    return IDENTITY_LABELS[field].capitalize()


def mapping_options(pack) -> list[tuple[str, str]]:
    fields = [(f"field:{field}", field_option(field)) for field in IDENTITY_FIELDS]
    items = [(f"item:{item.id}", f"{item.id.upper()} — {short_label(item.label)}") for item in pack.items]
    return [(IGNORE, "Ignore this column"), *fields, *items]


def short_label(label: str, limit: int = 60) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def selected_options(mapping: ColumnMapping) -> dict[str, str]:
    chosen = {column: f"item:{item}" for column, item in mapping.items.items()}
    return chosen | {column: f"field:{field}" for field, column in mapping.identity.items()}


def mapping_from_form(pack, headers: list[str]) -> tuple[ColumnMapping, list[dict]]:
    """Each column's select is named by its position, so a heading's own text never becomes a field name."""
    allowed = {value for value, _ in mapping_options(pack)}
    items, identity, errors = {}, {}, []
    for position, header in enumerate(headers):
        value = request.form.get(f"column-{position}", IGNORE)
        if value not in allowed:
            errors.append(
                {"text": f"Choose what the column “{header}” holds from the list", "href": f"#column-{position}"}
            )
        elif value.startswith("item:"):
            items[header] = value.removeprefix("item:")
        elif value.startswith("field:"):
            field = value.removeprefix("field:")
            if field in identity:
                errors.append(
                    {
                        "text": f"Two columns are set to {field_option(field)}: "
                        "set one of them to “Ignore this column”",
                        "href": f"#column-{position}",
                    }
                )
            identity[field] = header
    return ColumnMapping(items=items, identity=identity), errors


@bp.route("/imports/<uuid:batch_id>/confirm", methods=["POST"])
@allow(*IMPORTING_ROLES)
def confirm_import(batch_id):
    batch = load_batch(batch_id)
    if batch.status is not ImportStatus.STAGED:
        return redirect(url_for("cases.review_import", batch_id=batch.id))
    frame = import_store.read_staged(batch)
    if frame is None:
        return finished_page(batch, 410)
    review = import_store.check(batch, frame, today=date.today(), user=current_user)
    proposed, left_out, errors = choices_from_form(review)
    rows = [row for row in review.report.rows if row.row not in left_out]
    if blocking := blocking_problems(review.pack, review.mapping):
        errors.append({"text": "Correct the column mapping first: " + " ".join(blocking), "href": "#mapping"})
    if not rows and not errors:
        errors.append(
            {
                "text": "No rows would be imported: correct the file or the mapping, "
                "or choose what to do with the possible matches",
                "href": "#matches",
            }
        )
    if errors:
        return render_review(review, errors, 400)
    refer = request.form.get("refer_eligible") == "yes"
    try:
        prepared = import_store.prepare_in_a_request(
            batch, rows, proposed, user=current_user, refer_eligible=refer, today=date.today()
        )
        if not import_store.still_staged(batch):
            return redirect(url_for("cases.review_import", batch_id=batch.id))
        outcome = import_store.commit_import(
            batch, rows, proposed, user=current_user, refer_eligible=refer, today=date.today(), prepared=prepared
        )
    except import_store.ImportFailed as failure:
        keep_record_of_failure()
        return render_template(
            "cases/import-finished.html", batch=batch, outcome=None, failure=str(failure), file_missing=False
        ), 500
    import_store.remove_upload(batch)
    return render_template(
        "cases/import-finished.html",
        batch=batch,
        outcome=outcome,
        left_out=len(review.report.rows) - len(rows),
        bad_rows=review.report.bad_rows,
        duplicates=len(review.report.duplicates),
        file_missing=False,
    )


def choices_from_form(review: import_store.Review) -> tuple[dict, set, list]:
    """Each row with a possible match is left out unless the person chose a suggested person (one they may be
    shown, worked out again here: she is only proposed, for the coordinator to confirm) or a new one."""
    proposed, left_out, errors = {}, set(), []
    # A choice sent for a row with no suggestion now (an older page, or an id sent by hand) is checked too.
    answered = {row.row for row in review.report.rows if f"match-{row.row}" in request.form}
    for row_number in sorted(set(review.suggestions) | answered):
        choice = request.form.get(f"match-{row_number}", LEAVE_OUT)
        if choice == NEW_PERSON:
            continue
        if person := review.suggested_person(row_number, choice):
            proposed[row_number] = person
        elif choice == LEAVE_OUT:
            left_out.add(row_number)
        else:
            errors.append(
                {
                    "text": f"Row {row_number}: the person chosen is no longer suggested; check the matches again",
                    "href": "#matches",
                }
            )
    return proposed, left_out, errors


@bp.route("/imports/<uuid:batch_id>/discard", methods=["POST"])
@allow(*IMPORTING_ROLES)
def discard_import(batch_id):
    batch = load_batch(batch_id)
    if batch.status is ImportStatus.STAGED:
        import_store.discard(batch, user=current_user)
    return redirect(url_for("cases.review_import", batch_id=batch.id))
