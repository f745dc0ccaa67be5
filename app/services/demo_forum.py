"""Demo forum: about 300 threads built from real questions × situations, answered by eight
demo-only accounts (pseudonyms, no e-mail) and, for a quarter of them, officially by agent44 for
the CPAM de la Loire-Atlantique; some answers accepted, some voted for. Deterministic and idempotent;
bulk inserts so it stays fast."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from html import escape

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ForumPost, ForumThread, ForumVote, Person, User
from app.models.base import utcnow
from app.security import hash_password
from app.services.forum_common import refresh_search_words

THREADS = 300
SEED = 2026
OFFICIAL_LOGIN = "agent44"
PSEUDONYMS = (
    "LucieNantes",
    "PapaDeTrois",
    "MarcoBretagne",
    "SoleneB",
    "Zoe.Lyon",
    "RetraiteHeureux",
    "InfirmiereDuPort",
    "Karim92",
)


@dataclass(frozen=True)
class Base:
    category: str
    title: str
    question: str
    answers: tuple[str, ...]
    official: str


BASES = (
    Base(
        "remboursements",
        "Combien de temps pour un remboursement ?",
        "J'ai vu un médecin et payé la consultation. Au bout de combien de temps suis-je remboursé ?",
        (
            "Avec la carte Vitale, le remboursement arrive en général en moins d'une semaine.",
            "Avec une feuille de soins papier, comptez plutôt trois à quatre semaines.",
            "Regardez la rubrique Paiements de votre compte : chaque remboursement y apparaît avec sa date.",
        ),
        "Avec la carte Vitale, le virement part en cinq jours ouvrés environ. Une feuille de soins papier "
        "demande environ 20 jours. Au-delà, écrivez-nous depuis la messagerie de votre compte.",
    ),
    Base(
        "remboursements",
        "Pourquoi 2 euros de moins sur mon remboursement ?",
        "On m'a retiré 2 euros sur une consultation. Est-ce une erreur ?",
        (
            "C'est la participation forfaitaire, elle est retenue sur chaque consultation.",
            "Elle est plafonnée à 50 euros par an, ensuite on ne vous la retire plus.",
        ),
        "Il s'agit de la participation forfaitaire, retenue sur les consultations et actes des médecins. "
        "Elle ne s'applique pas aux enfants de moins de 18 ans, aux femmes enceintes à partir du "
        "sixième mois ni aux bénéficiaires de la C2S.",
    ),
    Base(
        "remboursements",
        "Franchise médicale sur les médicaments : comment ça marche ?",
        "Je vois des franchises déduites sur mes boîtes de médicaments. Comment est-ce calculé ?",
        (
            "Il y a une franchise par boîte, avec un plafond annuel.",
            "Quand vous êtes en tiers payant, la franchise est récupérée sur un remboursement suivant.",
        ),
        "La franchise médicale est retenue par boîte de médicaments, par acte paramédical et par transport, "
        "dans la limite d'un plafond annuel. Le détail figure sur chaque paiement de votre compte.",
    ),
    Base(
        "remboursements",
        "Dépassement d'honoraires chez un spécialiste",
        "Le spécialiste m'a facturé plus que le tarif. Qui paie la différence ?",
        (
            "Le dépassement n'est pas remboursé par l'Assurance Maladie, "
            "votre mutuelle peut le prendre en charge.",
            "Regardez dans l'annuaire santé si le médecin est en secteur 2 ou adhère à l'OPTAM.",
        ),
        "L'Assurance Maladie rembourse sur la base du tarif de convention. Le dépassement reste à votre "
        "charge ou à celle de votre complémentaire. L'annuaire santé indique le secteur de chaque médecin.",
    ),
    Base(
        "arret-de-travail",
        "Indemnités journalières : quand sont-elles versées ?",
        "Je suis en arrêt maladie. Quand vais-je recevoir mes indemnités journalières ?",
        (
            "Il faut d'abord que l'employeur envoie l'attestation de salaire, ensuite c'est assez rapide.",
            "Chez moi, le premier versement est arrivé trois semaines après le début de l'arrêt.",
            "Il y a trois jours de carence au début, ils ne sont pas indemnisés.",
        ),
        "Les indemnités sont versées tous les 14 jours environ, une fois l'avis d'arrêt et l'attestation de "
        "salaire de votre employeur reçus. Les trois premiers jours sont un délai de carence.",
    ),
    Base(
        "arret-de-travail",
        "Attestation de salaire pas envoyée par l'employeur",
        "Mon employeur n'a pas envoyé l'attestation de salaire et je ne reçois rien. Que faire ?",
        (
            "Relancez le service paie, c'est souvent un oubli.",
            "Vous pouvez suivre l'état du dossier dans votre compte.",
        ),
        "Sans l'attestation de salaire, nous ne pouvons pas calculer vos indemnités. Demandez à votre "
        "employeur de la transmettre par la DSN ; prévenez-nous si rien ne change sous 15 jours.",
    ),
    Base(
        "arret-de-travail",
        "Reprise à temps partiel thérapeutique",
        "Mon médecin propose une reprise à temps partiel après mon arrêt. Suis-je encore indemnisé ?",
        (
            "Oui, une partie des indemnités continue pendant le temps partiel thérapeutique.",
            "Il faut l'accord du médecin-conseil, pensez à envoyer la prescription rapidement.",
        ),
        "Pendant un temps partiel thérapeutique, des indemnités journalières complètent votre salaire. "
        "La prescription de votre médecin doit nous parvenir avant la reprise.",
    ),
    Base(
        "carte-vitale",
        "Ma carte Vitale est perdue, que faire ?",
        "J'ai perdu ma carte Vitale. Comment en obtenir une nouvelle et comment faire en attendant ?",
        (
            "On peut la déclarer perdue et en commander une nouvelle depuis son compte.",
            "En attendant, demandez une attestation de droits, les soignants l'acceptent.",
            "La nouvelle carte a mis dix jours à arriver chez moi.",
        ),
        "Déclarez la perte depuis votre compte : l'ancienne carte est désactivée et une nouvelle est "
        "commandée. En attendant, l'attestation de droits téléchargeable vous permet d'être remboursé.",
    ),
    Base(
        "carte-vitale",
        "Mettre à jour sa carte Vitale",
        "On me dit que ma carte Vitale n'est pas à jour. Où la mettre à jour ?",
        (
            "Dans une borne en pharmacie, c'est immédiat.",
            "Après un changement de situation, il faut attendre que la caisse enregistre l'info.",
        ),
        "La mise à jour se fait dans les bornes des pharmacies ou des accueils. Si votre situation vient de "
        "changer, attendez quelques jours que le changement soit enregistré.",
    ),
    Base(
        "carte-vitale",
        "Carte Vitale pour mon enfant de 12 ans",
        "Mon enfant peut-il avoir sa propre carte Vitale ?",
        (
            "Dès 12 ans on peut la demander, sinon il est sur la carte d'un parent.",
            "À 16 ans, il reçoit automatiquement sa propre carte.",
        ),
        "À partir de 12 ans, un enfant peut avoir sa propre carte Vitale sur demande. Elle est envoyée "
        "automatiquement à 16 ans.",
    ),
    Base(
        "maternite",
        "Durée du congé maternité",
        "Je suis enceinte de mon premier enfant. Combien de semaines dure le congé maternité ?",
        (
            "Pour un premier enfant, c'est 16 semaines : 6 avant et 10 après.",
            "On peut reporter une partie du congé prénatal après la naissance, avec l'accord du médecin.",
        ),
        "Pour un premier ou deuxième enfant, le congé maternité dure 16 semaines (6 avant la date prévue, "
        "10 après). Il est plus long à partir du troisième enfant et pour des jumeaux.",
    ),
    Base(
        "maternite",
        "Congé paternité : comment le déclarer ?",
        "Mon enfant vient de naître. Comment déclarer mon congé paternité ?",
        (
            "Prévenez votre employeur au moins un mois avant, il fait le nécessaire.",
            "Il y a 4 jours obligatoires juste après la naissance, puis le reste à prendre.",
        ),
        "Le congé de paternité et d'accueil de l'enfant dure 25 jours (32 pour des naissances multiples). "
        "Votre employeur transmet l'attestation de salaire ; envoyez-nous l'acte de naissance.",
    ),
    Base(
        "maternite",
        "Examens de grossesse remboursés",
        "Quels examens de grossesse sont remboursés à 100 % ?",
        (
            "À partir du sixième mois tout est pris en charge à 100 %.",
            "Les échographies obligatoires sont bien couvertes.",
        ),
        "Les sept examens prénataux obligatoires sont pris en charge à 100 %, ainsi que tous les soins à "
        "partir du premier jour du sixième mois de grossesse.",
    ),
    Base(
        "c2s",
        "C2S : quels plafonds ?",
        "Je voudrais savoir si j'ai droit à la complémentaire santé solidaire. Quels sont les plafonds ?",
        (
            "Les plafonds dépendent du nombre de personnes dans le foyer.",
            "Le simulateur en ligne donne une réponse en deux minutes.",
        ),
        "Le droit à la C2S dépend des ressources des 12 derniers mois et de la composition du foyer. "
        "Au-dessus du premier plafond, une C2S avec participation reste possible.",
    ),
    Base(
        "c2s",
        "Renouveler la C2S",
        "Ma complémentaire santé solidaire se termine bientôt. Comment la renouveler ?",
        (
            "La demande de renouvellement se fait en ligne, deux mois avant la fin.",
            "Pour moi elle a été renouvelée automatiquement car je touche le RSA.",
        ),
        "Faites la demande de renouvellement deux mois avant l'échéance. Elle est automatique pour les "
        "bénéficiaires du RSA.",
    ),
    Base(
        "c2s",
        "C2S et lunettes",
        "Avec la C2S, est-ce que les lunettes sont gratuites ?",
        (
            "Oui, pour les montures et verres du panier 100 % santé.",
            "Demandez à l'opticien l'offre sans reste à charge.",
        ),
        "Avec la C2S, les lunettes du panier 100 % santé sont prises en charge sans reste à charge, "
        "comme les prothèses dentaires et auditives de ce panier.",
    ),
    Base(
        "demarches",
        "Changer de RIB pour les remboursements",
        "J'ai changé de banque. Comment donner mon nouveau RIB ?",
        (
            "On peut le faire dans son compte, rubrique Démarches.",
            "Il faut joindre le RIB en pièce jointe, la photo du téléphone suffit.",
        ),
        "Depuis votre compte, rubrique Démarches, choisissez le changement de coordonnées bancaires et "
        "joignez votre RIB. Les paiements suivants partent sur le nouveau compte.",
    ),
    Base(
        "demarches",
        "Déclarer un médecin traitant",
        "Je viens d'emménager. Comment déclarer mon nouveau médecin traitant ?",
        (
            "C'est le médecin qui fait la déclaration en ligne pendant la consultation.",
            "Sans médecin traitant, on est moins bien remboursé.",
        ),
        "Votre médecin fait la déclaration en ligne lors d'une consultation, avec votre carte Vitale. "
        "Le changement est visible dans votre compte sous quelques jours.",
    ),
    Base(
        "demarches",
        "Changement d'adresse après un déménagement",
        "J'ai déménagé dans un autre département. Dois-je changer de caisse ?",
        (
            "Déclarez juste la nouvelle adresse, le transfert de dossier est automatique.",
            "Pensez aussi à mettre à jour la carte Vitale après.",
        ),
        "Déclarez votre nouvelle adresse depuis votre compte : votre dossier est transféré à la caisse de "
        "votre nouveau département, sans démarche de votre part.",
    ),
    Base(
        "etranger",
        "Carte européenne (CEAM) avant un voyage",
        "Je pars en Espagne cet été. Faut-il demander la carte européenne ?",
        (
            "Oui, elle se commande dans le compte et arrive en une dizaine de jours.",
            "Elle est valable deux ans, vérifiez la date si vous en avez déjà une.",
        ),
        "Commandez la CEAM au moins 15 jours avant le départ. Elle permet d'être soigné dans les conditions "
        "du pays visité. En cas de départ proche, un certificat provisoire est délivré.",
    ),
    Base(
        "etranger",
        "Soins hors d'Europe : remboursement ?",
        "J'ai dû voir un médecin pendant un voyage au Canada. Puis-je être remboursé ?",
        (
            "Gardez les factures, il y a un formulaire de soins reçus à l'étranger.",
            "Le remboursement se fait sur la base des tarifs français, souvent beaucoup moins.",
        ),
        "Les soins urgents reçus hors d'Europe peuvent être remboursés sur la base des tarifs français. "
        "Envoyez le formulaire de soins reçus à l'étranger avec les factures acquittées.",
    ),
    Base(
        "compte",
        "Je n'arrive plus à me connecter",
        "Mon mot de passe ne marche plus et mon compte est bloqué. Comment faire ?",
        (
            "Attendez un peu, le blocage est temporaire, puis faites mot de passe oublié.",
            "La clé d'accès sur le téléphone évite ce problème.",
        ),
        "Après plusieurs essais le compte est bloqué quelques minutes. Utilisez ensuite le lien de mot de "
        "passe oublié ; un code vous est envoyé à l'adresse e-mail du compte.",
    ),
    Base(
        "compte",
        "Recevoir les notifications sur le téléphone",
        "Comment être prévenu quand un remboursement arrive ?",
        (
            "Dans Mes notifications, on peut activer les notifications de l'appareil.",
            "Il faut installer l'application sur l'écran d'accueil sur iPhone.",
        ),
        "Dans votre compte, rubrique Notifications, activez les notifications de cet appareil et "
        "choisissez les sujets qui vous intéressent.",
    ),
    Base(
        "autres",
        "Transport en ambulance remboursé ?",
        "Mon père doit aller à des séances de dialyse. Le transport est-il remboursé ?",
        (
            "Oui avec une prescription médicale de transport.",
            "Demandez un taxi conventionné, il fait souvent le tiers payant.",
        ),
        "Le transport est remboursé sur prescription médicale, lorsque l'état de santé le justifie. "
        "Les taxis conventionnés pratiquent le tiers payant.",
    ),
)

SITUATIONS = (
    "",
    "pour mon fils",
    "pour ma fille",
    "depuis un mois",
    "après un déménagement",
    "en intérim",
    "à la retraite",
    "en tant qu'étudiant",
    "en tant qu'indépendant",
    "pour mes parents",
    "avec une ALD",
    "en tiers payant",
    "en urgence",
)


def _html(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _accounts(password: str) -> list[User]:
    """The demo-only writers: existing ones by pseudonym, the others opened for generated assurés
    without an account (no e-mail, the demo password hashed once)."""
    found = {
        user.pseudonym: user
        for user in db.session.scalars(sa.select(User).where(User.pseudonym.in_(PSEUDONYMS)))
    }
    missing = [pseudonym for pseudonym in PSEUDONYMS if pseudonym not in found]
    if missing:
        with_account = sa.select(User.person_id).where(User.person_id.is_not(None))
        people = db.session.scalars(
            sa.select(Person)
            .where(Person.ouvrant_droit_id.is_(None), Person.id.not_in(with_account))
            .order_by(Person.id.desc())
            .limit(len(missing))
        ).all()
        password_hash = hash_password(password)
        now = utcnow()
        for pseudonym, person in zip(missing, people, strict=False):
            user = User(
                person_id=person.id,
                role="assure",
                display_name=f"{person.first_name} {person.last_name}",
                password_hash=password_hash,
                cgu_version=current_app.config["CGU_VERSION"],
                cgu_accepted_at=now,
                pseudonym=pseudonym,
            )
            db.session.add(user)
            found[pseudonym] = user
        db.session.flush()
    return [found[pseudonym] for pseudonym in PSEUDONYMS if pseudonym in found]


def load_forum_demo(password: str | None = None, threads: int = THREADS, seed: int = SEED) -> int:
    """Create the demo threads unless the demo writers already have some; return how many were
    added. ``password``: the demo writers' (the demo assurés' by default). Commits."""
    if password is None:
        from app.services.demo import DEMO_PASSWORD

        password = DEMO_PASSWORD
    writers = _accounts(password)
    if len(writers) < 2:
        db.session.commit()
        return 0
    writer_ids = [user.id for user in writers]
    if db.session.scalar(sa.select(sa.func.count()).where(ForumThread.author_id.in_(writer_ids))):
        db.session.commit()
        return 0
    agent = db.session.scalar(sa.select(User).where(User.login == OFFICIAL_LOGIN))
    rng = random.Random(seed)
    now = utcnow()
    plans = []
    thread_rows = []
    for number in range(threads):
        base = BASES[number % len(BASES)]
        situation = SITUATIONS[(number // len(BASES)) % len(SITUATIONS)]
        title = base.title
        if situation:
            ending = " ?" if base.title.endswith("?") else ""
            title = f"{base.title.removesuffix(' ?')} ({situation}){ending}"
        question = base.question + (f" Précision : {situation}." if situation else "")
        created = now - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 1440))
        answers = rng.sample(base.answers, rng.randint(1, len(base.answers)))
        official = agent is not None and rng.random() < 0.25
        author = rng.choice(writer_ids)
        plans.append((base, answers, official, author, created))
        thread_rows.append(
            {
                "category": base.category,
                "title": title[:150],
                "body_html": _html(question),
                "body_text": question,
                "search_words": "",
                "author_id": author,
                "created_at": created,
                "last_activity_at": created,
                "answer_count": 0,
                "hidden_reason": "",
                "locked_reason": "",
            }
        )
    thread_ids = db.session.scalars(
        sa.insert(ForumThread).returning(ForumThread.id, sort_by_parameter_order=True), thread_rows
    ).all()
    post_rows = []
    for thread_id, (base, answers, official, author, created) in zip(thread_ids, plans, strict=True):
        moment = created
        others = [writer for writer in writer_ids if writer != author]
        for text in answers:
            moment += timedelta(hours=rng.randint(1, 48))
            post_rows.append(
                {
                    "thread_id": thread_id,
                    "author_id": rng.choice(others),
                    "body_html": _html(text),
                    "body_text": text,
                    "official": False,
                    "caisse_id": None,
                    "score": 0,
                    "created_at": moment,
                    "hidden_reason": "",
                }
            )
        if official:
            moment += timedelta(hours=rng.randint(2, 72))
            post_rows.append(
                {
                    "thread_id": thread_id,
                    "author_id": agent.id,
                    "body_html": _html(base.official),
                    "body_text": base.official,
                    "official": True,
                    "caisse_id": agent.caisse_id,
                    "score": 0,
                    "created_at": moment,
                    "hidden_reason": "",
                }
            )
    post_ids = db.session.scalars(
        sa.insert(ForumPost).returning(ForumPost.id, sort_by_parameter_order=True), post_rows
    ).all()
    by_thread: dict[int, list[tuple[int, dict]]] = {}
    for post_id, row in zip(post_ids, post_rows, strict=True):
        by_thread.setdefault(row["thread_id"], []).append((post_id, row))
    votes = []
    scores: dict[int, int] = {}
    for post_id, row in zip(post_ids, post_rows, strict=True):
        voters = [w for w in writer_ids if w != row["author_id"]]
        chosen = rng.sample(voters, rng.randint(0, min(4, len(voters))))
        votes += [{"post_id": post_id, "user_id": voter, "created_at": row["created_at"]} for voter in chosen]
        scores[post_id] = len(chosen)
    if votes:
        db.session.execute(sa.insert(ForumVote), votes)
    scored = [{"id": post_id, "score": score} for post_id, score in scores.items() if score]
    if scored:
        db.session.execute(sa.update(ForumPost), scored)
    threads_by_id = {
        thread.id: thread
        for thread in db.session.scalars(sa.select(ForumThread).where(ForumThread.id.in_(thread_ids)))
    }
    for thread_id in thread_ids:
        thread = threads_by_id[thread_id]
        posts = by_thread.get(thread_id, [])
        thread.answer_count = len(posts)
        if posts:
            thread.last_activity_at = posts[-1][1]["created_at"]
            if rng.random() < 0.4:
                thread.accepted_post_id = rng.choice(posts)[0]
        refresh_search_words(thread)
    db.session.commit()
    return len(thread_ids)
