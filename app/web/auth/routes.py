"""Sign-in (NIR or staff identifiant, e-mail code on a new device), account creation, forgotten
password, forced password change, CGU and e-mail gate, account security and sign-out."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db, limiter
from app.htmx import redirect, render
from app.models import KnownDevice, SignIn, User
from app.models.base import utcnow
from app.rules.devices import approximate_place, device_label
from app.security import no_store, safe_next
from app.services import accounts, identity
from app.web.auth.forms import (
    CguForm,
    ChangePasswordForm,
    EmailCodeForm,
    EmailForm,
    ForgotForm,
    LoginCodeForm,
    NewPasswordForm,
    NirLoginForm,
    ReauthForm,
    RegistrationForm,
    RppsLoginForm,
    StaffLoginForm,
)
from app.web.auth.session import SUSPENDED_KEY, hold_suspended, start_session
from app.web.shell import account_home_url

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "Numéro de sécurité sociale ou mot de passe incorrect."
BAD_STAFF_CREDENTIALS = "Identifiant ou mot de passe incorrect."
PENDING_SECONDS = 10 * 60


def _ip_key() -> str:
    return f"ip:{request.remote_addr}"


def _nir_key() -> str:
    # Per account: the NIR typed (13 first characters), hashed so no NIR sits in the limiter store.
    typed = "".join(c for c in request.form.get("nir", "") if c.isalnum()).upper()[:13]
    return "nir:" + identity.token_hash(typed)[:32]


def _next_arg() -> str | None:
    return safe_next(request.args.get("next"))


def _lock_message(user_locked_until) -> str:
    from app.web.filters import paris_datetime

    return (
        f"Votre compte est bloqué jusqu'au {paris_datetime(user_locked_until)} (heure de Paris) après "
        "plusieurs mots de passe incorrects. Vous pourrez vous reconnecter à cette heure-là, ou dès "
        "maintenant choisir un nouveau mot de passe avec « Code oublié »."
    )


def _after_password(user: User, outcome: identity.LoginOutcome, next_url: str | None):
    """The password was right: decide the second factor and where to go."""
    if outcome.provisional:
        # The code came by post to the register's address: that is the proof of identity.
        start_session(user, "code provisoire reçu par courrier")
        return redirect(url_for("auth.password_change"))
    device_secret = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if identity.device_is_known(user, device_secret):
        start_session(user, "mot de passe (appareil reconnu)")
        return redirect(next_url or account_home_url())
    if identity.send_login_code(user, request.remote_addr):
        session.clear()
        session["_pending"] = {
            "user": user.id,
            "version": user.session_version,
            "at": int(time.time()),
            "next": next_url,
        }
        return redirect(url_for("auth.login_code"))
    # No verified e-mail yet (an account opened with a code by post): the gate will ask for one.
    start_session(user, "mot de passe")
    return redirect(next_url or account_home_url())


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_ip_key)
@limiter.limit("30 per hour", methods=["POST"], key_func=_nir_key)
def login():
    """Sign-in by NIR and password (or provisional code); 422 with errors, 423 when locked."""
    if current_user.is_authenticated:
        return redirect(account_home_url())
    if session.pop("_expired", None):
        flash("Votre session a expiré. Reconnectez-vous.", "info")
    form = NirLoginForm()
    status, lock = 200, None
    if form.validate_on_submit():
        outcome = identity.check_password(
            identity.find_assure(form.nir_value), form.password.data, request.remote_addr
        )
        if outcome.status == "ok":
            return _after_password(outcome.user, outcome, _next_arg())
        if outcome.status == "locked":
            lock = _lock_message(outcome.locked_until)
            form.password.errors.append(lock)
            status = 423
        else:
            form.password.errors.append(BAD_CREDENTIALS)
    if form.errors and status == 200:
        status = 422
    return no_store(render("auth/login.html", status=status, form=form, next=_next_arg(), lock=lock))


@bp.route("/agent/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_ip_key)
def staff_login():
    """Staff sign-in: identifiant, password, then always an e-mail code (or a passkey)."""
    form = StaffLoginForm()
    user = identity.find_staff(form.login.data) if form.is_submitted() and form.login.data else None
    return _second_factor_login(form, user, "auth/staff_login.html", BAD_STAFF_CREDENTIALS)


@bp.route("/pro/connexion", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=_ip_key)
def pro_login():
    """Health professionals: RPPS number, password, then always an e-mail code (or a passkey)."""
    form = RppsLoginForm()
    user = None
    if form.is_submitted() and form.rpps.data:
        user = identity.find_professional("".join((form.rpps.data or "").split()))
    return _second_factor_login(form, user, "auth/pro_login.html", "Numéro RPPS ou mot de passe incorrect.")


def _second_factor_login(form, user: User | None, template: str, bad_message: str):
    """Password then, at every sign-in, the e-mail code: staff and professionals."""
    if current_user.is_authenticated:
        return redirect(account_home_url())
    status, lock = 200, None
    if form.validate_on_submit():
        outcome = identity.check_password(user, form.password.data, request.remote_addr)
        if outcome.status == "ok" and identity.is_suspended(outcome.user):
            return _suspended(outcome.user)
        if outcome.status == "ok":
            if identity.send_login_code(outcome.user, request.remote_addr):
                session.clear()
                session["_pending"] = {
                    "user": outcome.user.id,
                    "version": outcome.user.session_version,
                    "at": int(time.time()),
                    "next": _next_arg(),
                }
                return redirect(url_for("auth.login_code"))
            form.password.errors.append(
                "Aucune adresse e-mail n'est enregistrée pour ce compte : connectez-vous avec une clé "
                "d'accès ou demandez à votre caisse de la renseigner."
            )
        elif outcome.status == "locked":
            lock = _lock_message(outcome.locked_until)
            form.password.errors.append(lock)
            status = 423
        else:
            form.password.errors.append(bad_message)
    if form.errors and status == 200:
        status = 422
    return no_store(render(template, status=status, form=form, next=_next_arg(), lock=lock))


def _suspended(user: User):
    """The password was right but the account is suspended: say why and how to come back."""
    hold_suspended(user)
    return redirect(url_for("auth.pro_suspended"))


@bp.route("/pro/compte-suspendu", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_ip_key)
def pro_suspended():
    """A suspended professional's account: why, and a reactivation link by e-mail (POST)."""
    pending = session.get(SUSPENDED_KEY)
    user = None
    if pending and time.time() - pending.get("at", 0) <= PENDING_SECONDS:
        user = db.session.get(User, pending["user"])
    if user is None or user.suspended_at is None:
        return redirect(url_for("auth.pro_login"))
    sent = None
    if request.method == "POST":
        sent = identity.send_reactivation_link(user)
    return no_store(
        render(
            "auth/pro_suspended.html",
            sent=sent,
            months=round(identity.suspension_limit().days / 30.5),
        )
    )


@bp.route("/pro/reactivation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_ip_key)
def pro_reactivate(token: str):
    """The reactivation link (24 hours, once): a button ends the suspension (a GET changes nothing:
    mail scanners open links)."""
    user = identity.reactivation_user(token)
    if user is None:
        return render("auth/link_expired.html", status=410, what="réactivation")
    if request.method == "POST":
        identity.reactivate(token)
        session.pop(SUSPENDED_KEY, None)
        flash(
            "Votre compte est réactivé : connectez-vous avec votre numéro RPPS et votre mot de passe.",
            "success",
        )
        return redirect(url_for("auth.pro_login"))
    return no_store(render("auth/pro_reactivate.html", token=token))


def _pending_user() -> User | None:
    pending = session.get("_pending")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or user.session_version != pending.get("version"):
        return None
    return user


@bp.route("/connexion/code", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"], key_func=_ip_key)
def login_code():
    """Second step on a new device: the 6-digit code sent by e-mail (10 minutes, 5 tries)."""
    user = _pending_user()
    if user is None:
        flash("Votre demande de connexion a expiré : saisissez à nouveau votre mot de passe.", "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        result = identity.check_login_code(user, form.code.data, request.remote_addr)
        if result == "ok":
            next_url = session["_pending"].get("next")
            remember = form.remember.data and not user.is_staff and user.role != "professionnel"
            label = device_label(request.user_agent.string)
            start_session(user, "mot de passe + code e-mail")
            identity.announce_new_device(user, label, approximate_place(request.remote_addr))
            response = redirect(next_url or account_home_url())
            if remember:
                secret = identity.remember_device(user, label)
                response.set_cookie(
                    current_app.config["DEVICE_COOKIE_NAME"],
                    secret,
                    max_age=int(timedelta(days=current_app.config["DEVICE_REMEMBER_DAYS"]).total_seconds()),
                    secure=current_app.config["SESSION_COOKIE_SECURE"],
                    httponly=True,
                    samesite="Lax",
                )
            return response
        if result == "dead":
            form.code.errors.append(
                "Ce code n'est plus valable (expiré ou mal saisi 5 fois) : demandez un nouveau code."
            )
        else:
            form.code.errors.append("Ce code est incorrect. Vérifiez le dernier e-mail reçu.")
    status = 422 if form.errors else 200
    return no_store(
        render(
            "auth/login_code.html",
            status=status,
            form=form,
            email=_mask(user.email),
            staff=user.is_staff or user.role == "professionnel",
        )
    )


@bp.post("/connexion/code/nouveau")
@limiter.limit("3 per 10 minutes", key_func=_ip_key)
def login_code_resend():
    """Send a new e-mail code for the pending sign-in."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    identity.send_login_code(user, request.remote_addr)
    session["_pending"]["at"] = int(time.time())
    session.modified = True
    flash("Un nouveau code vous a été envoyé par e-mail.", "success")
    return redirect(url_for("auth.login_code"))


def _login_endpoint(user: User) -> str:
    if user.is_staff:
        return "auth.staff_login"
    return "auth.pro_login" if user.role == "professionnel" else "auth.login"


def _continue(user: User, default: str | None = None):
    """After a gate step: the next step still due, else ``default`` or the account home."""
    gate = identity.next_gate(user)
    return redirect(url_for(gate) if gate else default or account_home_url())


def _mask(email: str | None) -> str:
    if not email or "@" not in email:
        return "votre adresse e-mail"
    local, domain = email.split("@", 1)
    return f"{local[:2]}{'•' * min(max(len(local) - 2, 1), 5)}@{domain}"


@bp.post("/deconnexion")
def logout():
    """End the session and ask the browser to drop this site's caches and storage."""
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté(e).", "info")
    response = redirect(url_for("main.home"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_ip_key)
@limiter.limit("5 per day", methods=["POST"], key_func=_nir_key)
def register():
    """Create an account from the register; same answer whatever the outcome (no probing)."""
    if current_user.is_authenticated:
        return redirect(account_home_url())
    form = RegistrationForm()
    choices = []
    if form.validate_on_submit():
        resolution = form.resolution
        commune = form.commune.data
        if resolution.ambiguous and commune not in {c.commune.insee for c in resolution.choices}:
            choices = resolution.choices
            form.commune.errors = ["Choisissez votre commune : ce code postal en dessert plusieurs."]
        else:
            identity.register(
                identity.Registration(
                    nir=form.nir_value,
                    last_name=form.last_name.data,
                    first_name=form.first_name.data,
                    birth_date=form.birth_value,
                    postal_code=resolution.postal_code,
                    email=form.email.data.strip(),
                    iban=form.iban.data or None,
                ),
                request.remote_addr,
            )
            return redirect(url_for("auth.register_done"))
    elif getattr(form, "resolution", None) is not None and form.resolution.ambiguous:
        choices = form.resolution.choices
    status = 422 if form.errors else 200
    return no_store(render("auth/register.html", status=status, form=form, choices=choices))


@bp.get("/inscription/demande-enregistree")
def register_done():
    """What happens next, worded the same whether or not the person was found."""
    return render(
        "auth/register_done.html",
        delay=current_app.config["POSTAL_DELAY_TEXT"],
        days=current_app.config["PROVISIONAL_CODE_DAYS"],
    )


@bp.route("/activation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_ip_key)
def activate(token: str):
    """Activation link (30 minutes, once): the e-mail is verified, the user chooses a password."""
    user = identity.activation_user(token)
    if user is None:
        return render("auth/link_expired.html", status=410, what="activation")

    def done(password: str):
        identity.activate(token)
        identity.set_password(user, password, reason="activation", ip=request.remote_addr)
        start_session(user, "lien d'activation par e-mail")
        flash("Votre compte est activé.", "success")
        return redirect(account_home_url())

    return _choose_password(user, "Activez votre compte", done)


def _choose_password(user: User, title: str, done):
    """The "new password" form of the activation and reset links: policy checked, then ``done``."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        problem = identity.password_policy_problem(user, form.password.data)
        if problem:
            form.password.errors.append(problem)
        else:
            return done(form.password.data)
    status = 422 if form.errors else 200
    return no_store(render("auth/new_password.html", status=status, form=form, title=title, forced=False))


@bp.route("/code-oublie", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_ip_key)
@limiter.limit("5 per day", methods=["POST"], key_func=_nir_key)
def forgot():
    """ "Code oublié": NIR + birth date → reset link by e-mail, or a new code by post."""
    form = ForgotForm()
    if form.validate_on_submit():
        identity.forgot(form.nir_value, form.birth_value, request.remote_addr)
        return redirect(url_for("auth.forgot_done"))
    status = 422 if form.errors else 200
    return no_store(render("auth/forgot.html", status=status, form=form))


@bp.get("/code-oublie/demande-enregistree")
def forgot_done():
    """Same answer whether or not the account exists."""
    return render("auth/forgot_done.html", delay=current_app.config["POSTAL_DELAY_TEXT"])


@bp.route("/reinitialisation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_ip_key)
def reset(token: str):
    """Reset link (30 minutes, once): a new password ends every session of the account."""
    user = identity.reset_user(token)
    if user is None:
        return render("auth/link_expired.html", status=410, what="reset")

    def done(password: str):
        identity.set_password(user, password, reason="réinitialisation", ip=request.remote_addr)
        flash("Votre mot de passe est modifié. Connectez-vous avec ce nouveau mot de passe.", "success")
        return redirect(url_for(_login_endpoint(user)))

    return _choose_password(user, "Choisissez un nouveau mot de passe", done)


@bp.route("/connexion/confirmation", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 10 minutes", methods=["POST"], key_func=_ip_key)
def reauth():
    """Confirm the password before a sensitive action (adding a passkey): refreshes the proof of
    identity without a new session. Wrong passwords count towards the lockout."""
    form = ReauthForm()
    if form.validate_on_submit():
        outcome = identity.check_password(current_user, form.password.data, request.remote_addr)
        if outcome.status == "ok":
            session["_auth_at"] = int(time.time())
            return redirect(_next_arg() or url_for("auth.security"))
        if outcome.status == "locked":
            logout_user()
            session.clear()
            flash(_lock_message(outcome.locked_until), "error")
            return redirect(url_for("auth.login"))
        form.password.errors.append("Mot de passe incorrect.")
    status = 422 if form.errors else 200
    return no_store(render("auth/reauth.html", status=status, form=form, next=_next_arg()))


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def password_change():
    """Change the password; forced after a provisional code (then no current password asked)."""
    forced = current_user.password_change_required
    form = NewPasswordForm() if forced else ChangePasswordForm()
    if form.validate_on_submit():
        current_ok = (
            forced
            or identity.check_password(current_user, form.current.data, request.remote_addr).status == "ok"
        )
        if not current_ok:
            form.current.errors.append("Le mot de passe actuel est incorrect.")
        else:
            problem = identity.password_policy_problem(current_user, form.password.data)
            if problem:
                form.password.errors.append(problem)
            else:
                user = current_user._get_current_object()
                identity.set_password(user, form.password.data, reason="changement", ip=request.remote_addr)
                login_user(user)  # the session version changed: keep this session, end the others
                flash("Votre mot de passe est enregistré.", "success")
                return _continue(user, url_for("auth.security") if not forced else None)
    status = 422 if form.errors else 200
    title = "Choisissez votre mot de passe" if forced else "Changer de mot de passe"
    return no_store(render("auth/new_password.html", status=status, form=form, title=title, forced=forced))


@bp.route("/cgu", methods=["GET", "POST"])
@login_required
def cgu():
    """The current CGU; accepting them is required before anything personal."""
    form = CguForm()
    if form.validate_on_submit():
        identity.accept_cgu(current_user, request.remote_addr)
        return _continue(current_user)
    status = 422 if form.errors else 200
    return no_store(
        render("auth/cgu.html", status=status, form=form, version=current_app.config["CGU_VERSION"])
    )


@bp.get("/conditions-generales")
def cgu_text():
    """The CGU, public."""
    return render("auth/cgu_public.html", version=current_app.config["CGU_VERSION"])


@bp.route("/verification-email", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 10 minutes", methods=["POST"], key_func=_ip_key)
def email_verify():
    """Give or change the e-mail address: a 6-digit code sent there must be typed back."""
    email_form = EmailForm(
        prefix="email", data={"email": identity.pending_email(current_user) or current_user.email or ""}
    )
    code_form = EmailCodeForm(prefix="code")
    status = 200
    if request.method == "POST" and request.form.get("action") == "send":
        if email_form.validate_on_submit():
            identity.send_email_verification(current_user, email_form.email.data.strip(), request.remote_addr)
            flash(f"Un code a été envoyé à {email_form.email.data.strip()}.", "success")
            return redirect(url_for("auth.email_verify"))
        status = 422
    elif request.method == "POST" and request.form.get("action") == "verify":
        if code_form.validate_on_submit():
            result = identity.verify_email_code(current_user, code_form.code.data, request.remote_addr)
            if result == "ok":
                flash("Votre adresse e-mail est vérifiée.", "success")
                return _continue(current_user)
            code_form.code.errors.append(
                "Ce code est incorrect."
                if result == "bad"
                else "Ce code n'est plus valable : demandez-en un nouveau."
            )
        status = 422
    return no_store(
        render(
            "auth/email_verify.html",
            status=status,
            email_form=email_form,
            code_form=code_form,
            form=email_form if email_form.errors else code_form,
            pending=identity.pending_email(current_user),
        )
    )


@bp.get("/securite")
@login_required
def security():
    """ "Sécurité du compte": password, e-mail, passkeys, remembered devices, sign-in history."""
    history = db.session.scalars(
        sa.select(SignIn).where(SignIn.user_id == current_user.id).order_by(SignIn.at.desc()).limit(20)
    ).all()
    devices = db.session.scalars(
        sa.select(KnownDevice)
        .where(KnownDevice.user_id == current_user.id, KnownDevice.expires_at > utcnow())
        .order_by(KnownDevice.last_seen_at.desc())
    ).all()
    return no_store(
        render(
            "auth/security.html",
            history=history,
            devices=devices,
            accesses=accounts.accesses_by_others(current_user),
            access_labels=accounts.ACCESS_LABELS,
            actor_label=accounts.actor_label,
        )
    )


@bp.post("/securite/appareils/<int:device_id>/oubli")
@login_required
def device_forget(device_id: int):
    """Forget one remembered device (404 if it is not this user's)."""
    from flask import abort

    if not identity.forget_device(current_user, device_id):
        abort(404)
    flash("Cet appareil demandera de nouveau un code à la prochaine connexion.", "success")
    return redirect(url_for("auth.security"))


@bp.post("/securite/deconnexion-partout")
@login_required
def logout_everywhere():
    """End every session of the account, this one included, and forget remembered devices."""
    identity.logout_everywhere(current_user._get_current_object(), request.remote_addr)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté(e) de tous vos appareils. Reconnectez-vous.", "success")
    response = redirect(url_for("auth.login"))
    response.delete_cookie(current_app.config["DEVICE_COOKIE_NAME"])
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
