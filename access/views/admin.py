"""Accounts and agencies: each user's own password, and the administrator's users, agencies and API tokens."""

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from access import accounts, password_policy, store
from access.models import AgencyKind, Role, User
from access.permissions import allow, allow_any_role
from access.step_up import requires_step_up
from access.views import bp
from forms.access import (
    AgencyForm,
    ApiTokenForm,
    ChangePasswordForm,
    UserForm,
)


@bp.route("/account/password", methods=["GET", "POST"])
@allow_any_role
@requires_step_up
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(context_words=password_policy.context_words_for(user))
    if form.validate_on_submit():
        if accounts.change_own_password(
            user, current_password=form.current_password.data, new_password=form.password.data
        ):
            return render_template("access/password-changed.html")
        form.current_password.errors.append("Enter your current password correctly")
    return render_template("access/change-password.html", form=form)


@bp.route("/users")
@allow(Role.ADMIN)
def list_users():
    return render_template("access/list-users.html", users=store.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
@requires_step_up
def create_user():
    form = UserForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        if store.get_user_by_email(form.email.data):
            form.email.errors.append("Enter a different email address: an account already uses this one")
        else:
            user, one_time_password = accounts.create_user(
                name=form.name.data,
                email=form.email.data,
                agency_id=int(form.agency_id.data),
                role=Role(form.role.data),
                active=form.active.data,
                by=current_user,
            )
            return render_template("access/user-created.html", user=user, one_time_password=one_time_password)
    return render_template("access/create-user.html", form=form)


def get_user_or_404(user_id: int) -> User:
    user = store.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
@requires_step_up
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
@requires_step_up
def unlock_user(user_id: int):
    user = get_user_or_404(user_id)
    accounts.unlock_user(user, by=current_user)
    return redirect(url_for("access.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@allow(Role.ADMIN)
@requires_step_up
def reset_user_password(user_id: int):
    user = get_user_or_404(user_id)
    one_time_password = accounts.reset_password(user, by=current_user)
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
            accounts.create_agency(name=form.name.data, kind=AgencyKind(form.kind.data), by=current_user)
            return redirect(url_for("access.list_agencies"))
    return render_template("access/create-agency.html", form=form)


@bp.route("/api-tokens")
@allow(Role.ADMIN)
def list_api_tokens():
    return render_template("access/list-api-tokens.html", tokens=store.list_api_tokens())


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
@requires_step_up
def create_api_token():
    form = ApiTokenForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        row, token = accounts.create_api_token(agency_id=int(form.agency_id.data), name=form.name.data, by=current_user)
        return render_template("access/api-token-created.html", token=token, row=row)
    return render_template("access/create-api-token.html", form=form)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
@requires_step_up
def revoke_api_token(token_id: int):
    row = store.get_api_token(token_id)
    if row is None:
        abort(404)
    accounts.revoke_api_token(row, by=current_user)
    return redirect(url_for("access.list_api_tokens"))
