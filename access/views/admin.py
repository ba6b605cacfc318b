"""Accounts and agencies: each user's own password, and the administrator's users, agencies and API tokens."""

import secrets

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from access import accounts, password_policy, sessions, signin, store
from access.audit import AuditAction, record_event
from access.models import AgencyKind, Role, User
from access.permissions import allow, allow_any_role
from access.views import bp
from extensions import utcnow
from forms.access import (
    AgencyForm,
    ApiTokenForm,
    ChangePasswordForm,
    UserForm,
)


@bp.route("/account/password", methods=["GET", "POST"])
@allow_any_role
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(context_words=password_policy.context_words_for(user))
    if form.validate_on_submit():
        if signin.is_current_password(user, form.current_password.data):
            user.password_hash = signin.make_password_hash(form.password.data)
            store.revoke_sessions_for_user(user, "password-changed", keep=sessions.current_session())
            record_event(AuditAction.PASSWORD_CHANGED, user=user, object_type="user", object_id=user.id)
            return render_template("access/password-changed.html")
        form.current_password.errors.append("Enter your current password correctly")
    return render_template("access/change-password.html", form=form)


@bp.route("/users")
@allow(Role.ADMIN)
def list_users():
    return render_template("access/list-users.html", users=store.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_user():
    form = UserForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        if store.get_user_by_email(form.email.data):
            form.email.errors.append("Enter a different email address: an account already uses this one")
        else:
            one_time_password = new_one_time_password()
            user = store.create_user(
                name=form.name.data,
                email=form.email.data,
                agency=store.get_agency(int(form.agency_id.data)),
                role=Role(form.role.data),
                password_hash=signin.make_password_hash(one_time_password),
            )
            user.active = form.active.data
            record_event(AuditAction.USER_CREATED, user=current_user, object_type="user", object_id=user.id)
            return render_template("access/user-created.html", user=user, one_time_password=one_time_password)
    return render_template("access/create-user.html", form=form)


def new_one_time_password() -> str:
    return secrets.token_urlsafe(15)


def get_user_or_404(user_id: int) -> User:
    user = store.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_user(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user, agencies=store.list_agencies())
    if request.method == "GET":
        form.agency_id.data = str(user.agency_id)
    if form.validate_on_submit():
        change = user_change_from(form)
        problem = accounts.problem_with_user_change(user, change, by=current_user)
        if problem:
            form.form_errors.append(problem)
        else:
            accounts.apply_user_change(user, change, by=current_user)
            return redirect(url_for("access.list_users"))
    return render_template("access/edit-user.html", form=form, user=user, locked=store.is_locked(user))


def user_change_from(form: UserForm) -> accounts.UserChange:
    return accounts.UserChange(
        name=form.name.data,
        email=form.email.data,
        agency_id=int(form.agency_id.data),
        role=Role(form.role.data),
        active=form.active.data,
    )


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@allow(Role.ADMIN)
def unlock_user(user_id: int):
    user = get_user_or_404(user_id)
    user.locked_until = None
    user.failed_attempts = 0
    record_event(AuditAction.USER_CHANGED, user=current_user, object_type="user", object_id=user.id)
    return redirect(url_for("access.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@allow(Role.ADMIN)
def reset_user_password(user_id: int):
    user = get_user_or_404(user_id)
    one_time_password = new_one_time_password()
    user.password_hash = signin.make_password_hash(one_time_password)
    user.must_change_password = True
    store.revoke_sessions_for_user(user, "password-reset")
    record_event(AuditAction.USER_PASSWORD_RESET, user=current_user, object_type="user", object_id=user.id)
    return render_template("access/user-created.html", user=user, one_time_password=one_time_password, reset=True)


@bp.route("/agencies")
@allow(Role.ADMIN)
def list_agencies():
    return render_template("access/list-agencies.html", agencies=store.list_agencies())


@bp.route("/agencies/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        if store.get_agency_by_name(form.name.data):
            form.name.errors.append("Enter a different name: an agency with this name already exists")
        else:
            agency = store.create_agency(name=form.name.data, kind=AgencyKind(form.kind.data))
            record_event(AuditAction.AGENCY_CREATED, user=current_user, object_type="agency", object_id=agency.id)
            return redirect(url_for("access.list_agencies"))
    return render_template("access/create-agency.html", form=form)


@bp.route("/api-tokens")
@allow(Role.ADMIN)
def list_api_tokens():
    return render_template("access/list-api-tokens.html", tokens=store.list_api_tokens())


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_api_token():
    form = ApiTokenForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        token = secrets.token_urlsafe(32)
        row = store.create_api_token(
            agency=store.get_agency(int(form.agency_id.data)), name=form.name.data, token=token, created_by=current_user
        )
        record_event(AuditAction.API_TOKEN_CREATED, user=current_user, object_type="api-token", object_id=row.id)
        return render_template("access/api-token-created.html", token=token, row=row)
    return render_template("access/create-api-token.html", form=form)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
def revoke_api_token(token_id: int):
    row = store.get_api_token(token_id)
    if row is None:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_event(AuditAction.API_TOKEN_REVOKED, user=current_user, object_type="api-token", object_id=row.id)
    return redirect(url_for("access.list_api_tokens"))
