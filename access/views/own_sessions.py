"""Your sessions (S5): each browser signed in to your account, and ending any other one or all of them;
and the administrator signing one person out everywhere."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from access import sessions, store
from access.devices import describe_device
from access.models import Role
from access.permissions import allow, allow_any_role
from access.step_up import requires_step_up
from access.views import bp


@bp.route("/account/sessions")
@allow_any_role
def list_own_sessions():
    return render_template(
        "access/list-own-sessions.html",
        rows=sessions.live_sessions_of(current_user),
        this_session=sessions.current_session(),
        describe_device=describe_device,
    )


# Each ending is asked first: the GET is the question, its button sends the POST (with its CSRF token).


@bp.route("/account/sessions/<int:session_id>/end", methods=["GET", "POST"])
@allow_any_role
def end_own_session(session_id: int):
    row = sessions.other_live_session(current_user, session_id)
    if row is None:
        abort(404)
    if request.method == "POST":
        sessions.end_other_session(row, by=current_user)
        return redirect(url_for("access.list_own_sessions"))
    return render_template("access/end-session.html", row=row, device=describe_device(row.user_agent))


@bp.route("/account/sessions/end-others", methods=["GET", "POST"])
@allow_any_role
def end_other_sessions():
    if request.method == "POST":
        sessions.end_other_sessions(current_user)
        return redirect(url_for("access.list_own_sessions"))
    others = [row for row in sessions.live_sessions_of(current_user) if row.id != sessions.current_session().id]
    return render_template("access/end-other-sessions.html", count=len(others))


@bp.route("/users/<int:user_id>/sessions/end", methods=["GET", "POST"])
@allow(Role.ADMIN)
@requires_step_up
def end_user_sessions(user_id: int):
    user = store.get_user(user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        sessions.end_all_sessions_of(user, by=current_user)
        return redirect(url_for("access.edit_user", user_id=user.id))
    return render_template("access/end-user-sessions.html", user=user, count=len(sessions.live_sessions_of(user)))
