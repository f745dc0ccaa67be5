"""The OpenAPI 3.1 description of ``/api/v1``, written as data next to the code it describes."""

from __future__ import annotations

from typing import Any

from app.api.simulations_ij_c2s import MAX_FOYER
from app.rules import c2s, conges_naissance, tariffs

MONEY = {"type": "number", "multipleOf": 0.01, "minimum": 0, "description": "Euros, deux décimales."}
DATE = {"type": "string", "format": "date", "example": "2025-03-10"}


CLAIM_DESCRIPTION = (
    "Le patient est identifié par son NIR ; la feuille est liquidée avec les règles en vigueur à la date "
    "des soins et payée (à l'assuré, ou au professionnel en tiers payant). Une même clé Idempotency-Key "
    "ne paie jamais deux fois."
)
ACTS_REF = "#/components/schemas/SimulationRemboursement/properties/actes"


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


ERROR = {
    "type": "object",
    "required": ["erreur"],
    "properties": {
        "erreur": {"type": "string", "description": "Message en français."},
        "champs": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Un message par champ fautif, nommé comme dans la requête (ex. actes[0].montant).",
        },
    },
}


def _simulator(summary: str, description: str, operation_id: str, request: str, answer: str) -> dict:
    """A public simulator's operation: JSON body in, JSON answer out, 400/422/429 in French."""
    return {
        "post": {
            "summary": summary,
            "description": f"Sans connexion ; limité à 240 requêtes par minute et par client. {description}",
            "operationId": operation_id,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}},
            },
            "responses": {
                "200": {
                    "description": "Le résultat de la simulation.",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{answer}"}}},
                },
                "400": _error("Corps illisible."),
                "422": _error("Champs invalides, ou date hors des règles connues."),
                "429": _error("Trop de requêtes."),
            },
        }
    }


EXPLANATIONS = {"type": "array", "items": {"type": "string"}, "description": "Chaque étape, en français."}
SIMULATOR_SCHEMAS = {
    "SimulationIndemnitesJournalieres": {
        "type": "object",
        "required": ["debut", "fin", "salaires"],
        "properties": {
            "debut": {**DATE, "description": "Premier jour de l'arrêt."},
            "fin": {**DATE, "description": "Dernier jour de l'arrêt (moins d'un an après le début)."},
            "salaires": {
                "type": "array",
                "minItems": 3,
                "maxItems": 3,
                "items": {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0},
                "description": "Salaires bruts des 3 mois civils précédant l'arrêt, du plus ancien "
                "au plus récent.",
            },
            "prolongation": {"type": "boolean", "default": False},
            "ald": {"type": "boolean", "default": False, "description": "Arrêt lié à une ALD."},
        },
    },
    "IndemnitesJournalieres": {
        "type": "object",
        "required": [
            "salaire_journalier_base",
            "indemnite_journaliere",
            "plafond_applique",
            "jours_carence",
            "premier_jour_indemnise",
            "jours_indemnises",
            "montant_total",
            "explications",
        ],
        "properties": {
            "salaire_journalier_base": MONEY,
            "indemnite_journaliere": MONEY,
            "plafond_applique": {"type": "boolean"},
            "jours_carence": {"type": "integer", "minimum": 0},
            "premier_jour_indemnise": {"oneOf": [DATE, {"type": "null"}]},
            "jours_indemnises": {"type": "integer", "minimum": 0},
            "montant_total": MONEY,
            "explications": EXPLANATIONS,
        },
    },
    "SimulationC2S": {
        "type": "object",
        "required": ["date", "foyer", "ressources", "age"],
        "properties": {
            "date": {**DATE, "description": "Date de la demande."},
            "foyer": {"type": "integer", "minimum": 1, "maximum": MAX_FOYER},
            "ressources": {**MONEY, "description": "Ressources annuelles du foyer."},
            "age": {
                "type": "integer",
                "minimum": 0,
                "maximum": c2s.MAX_AGE,
                "description": "Âge au 1er janvier.",
            },
        },
    },
    "C2S": {
        "type": "object",
        "required": ["eligible", "participation_mensuelle", "explications"],
        "properties": {
            "eligible": {"type": "boolean"},
            "participation_mensuelle": MONEY,
            "explications": EXPLANATIONS,
        },
    },
    "SimulationCongeNaissance": {
        "type": "object",
        "required": ["type"],
        "description": "Maternité : date_accouchement_prevue requise ; paternité : date_naissance requise.",
        "properties": {
            "type": {"type": "string", "enum": ["maternite", "paternite"]},
            "date_accouchement_prevue": {
                **DATE,
                "description": "Maternité : date présumée de l'accouchement.",
            },
            "date_naissance": {**DATE, "description": "Paternité : date de naissance de l'enfant."},
            "naissances": {
                "type": "integer",
                "minimum": 1,
                "maximum": conges_naissance.MAX_NAISSANCES,
                "default": 1,
                "description": "Nombre d'enfants attendus ou nés (2 : jumeaux).",
            },
            "enfants_a_charge": {
                "type": "integer",
                "minimum": 0,
                "maximum": conges_naissance.MAX_ENFANTS_A_CHARGE,
                "default": 0,
                "description": "Maternité : enfants déjà à charge.",
            },
            "report_semaines": {
                "type": "integer",
                "minimum": 0,
                "default": 0,
                "description": "Maternité : semaines de congé prénatal reportées après la naissance "
                "(3 au plus).",
            },
            "anticipation_semaines": {
                "type": "integer",
                "minimum": 0,
                "default": 0,
                "description": "Maternité : semaines d'avance du congé prénatal, prises sur le postnatal "
                "(2 au plus avec 2 enfants à charge, 4 pour des jumeaux).",
            },
            "conge_pathologique": {
                "type": "boolean",
                "default": False,
                "description": "Maternité : montrer les périodes de congé pathologique (sur prescription).",
            },
        },
    },
    "CongeNaissance": {
        "type": "object",
        "required": ["periodes", "explications", "sources"],
        "description": "Maternité : semaines_prenatales, semaines_postnatales, debut, fin ; paternité : "
        "jours_conge_naissance, jours_obligatoires, jours_restants, date_limite. Dates incluses.",
        "properties": {
            "semaines_prenatales": {"type": "integer", "minimum": 0},
            "semaines_postnatales": {"type": "integer", "minimum": 0},
            "debut": DATE,
            "fin": DATE,
            "jours_conge_naissance": {"type": "integer", "minimum": 0},
            "jours_obligatoires": {"type": "integer", "minimum": 0},
            "jours_restants": {"type": "integer", "minimum": 0},
            "date_limite": {**DATE, "description": "Dernier jour pour prendre les jours restants."},
            "periodes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "libelle", "debut", "fin", "jours", "remarque"],
                    "properties": {
                        "type": {"type": "string"},
                        "libelle": {"type": "string"},
                        "debut": DATE,
                        "fin": DATE,
                        "jours": {"type": "integer", "minimum": 1},
                        "remarque": {"type": "string"},
                    },
                },
            },
            "explications": EXPLANATIONS,
            "sources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"titre": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
                },
            },
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """The document served at ``/api/v1/openapi.json``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "macaisse — API partenaires",
            "version": "1.0.0",
            "description": "Simulateurs publics et services des logiciels partenaires. Montants en euros, "
            "nombres JSON à deux décimales ; messages d'erreur en français.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/feuilles-de-soins": {
                "post": {
                    "summary": "Transmettre une feuille de soins",
                    "description": CLAIM_DESCRIPTION,
                    "operationId": "transmettreFeuilleDeSoins",
                    "security": [{"jeton": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["nir", "date", "actes"],
                                    "properties": {
                                        "nir": {"type": "string", "description": "13 ou 15 caractères."},
                                        "date": DATE,
                                        "tiers_payant": {"type": "boolean", "default": False},
                                        "ald": {"type": "boolean", "default": False},
                                        "actes": {"$ref": ACTS_REF},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Décompte, numéros de lot et de facture."},
                        "200": {"description": "Même clé Idempotency-Key : le décompte déjà enregistré."},
                        "400": {
                            "description": "Corps illisible ou clé absente.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "401": {
                            "description": "Jeton absent ou révoqué.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "422": {
                            "description": "Champs invalides, patient inconnu.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                    },
                }
            },
            "/arrets-de-travail": {
                "post": {
                    "summary": "Transmettre un avis d'arrêt de travail",
                    "description": "Même jeton et même en-tête Idempotency-Key que les feuilles de soins. "
                    "Une prolongation indique la référence de l'arrêt qu'elle prolonge et commence au plus "
                    "tard le lendemain de sa fin. Le motif codé n'est communiqué qu'au service médical de "
                    "la caisse.",
                    "operationId": "transmettreArretDeTravail",
                    "security": [{"jeton": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["nir", "debut", "fin"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "nir": {"type": "string", "description": "13 ou 15 caractères."},
                                        "type": {"enum": ["initial", "prolongation"], "default": "initial"},
                                        "arret_initial": {
                                            "type": "string",
                                            "description": "Référence de l'arrêt prolongé (prolongation).",
                                        },
                                        "debut": DATE,
                                        "fin": DATE,
                                        "temps": {
                                            "enum": ["complet", "partiel"],
                                            "default": "complet",
                                            "description": "partiel : temps partiel thérapeutique.",
                                        },
                                        "ald": {"type": "boolean", "default": False},
                                        "sorties": {
                                            "enum": ["interdites", "autorisees", "libres"],
                                            "default": "autorisees",
                                        },
                                        "categorie": {
                                            "enum": ["salarie", "demandeur_emploi", "independant"],
                                            "default": "salarie",
                                        },
                                        "motif_code": {"type": "string", "maxLength": 20},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Avis enregistré : sa référence et son statut."},
                        "200": {"description": "Même clé Idempotency-Key : l'avis déjà enregistré."},
                        "400": {
                            "description": "Corps illisible ou clé absente.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "401": {
                            "description": "Jeton absent ou révoqué.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "422": {
                            "description": "Champs invalides, patient inconnu, prolongation impossible.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                    },
                }
            },
            "/simulations/remboursement": {
                "post": {
                    "summary": "Simuler le remboursement d'actes de soins",
                    "description": "Sans connexion ; limité à 240 requêtes par minute et par client. "
                    "Les règles appliquées sont celles en vigueur à la date de chaque acte.",
                    "operationId": "simulerRemboursement",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SimulationRemboursement"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Le décompte simulé.",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Decompte"}}
                            },
                        },
                        "400": {
                            "description": "Corps illisible.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "422": {
                            "description": "Champs invalides.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "429": {
                            "description": "Trop de requêtes.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                    },
                }
            },
            "/attestations-salaire": {
                "post": {
                    "summary": "Transmettre une attestation de salaire",
                    "description": "Par le logiciel de paie d'un employeur, pour un salarié en arrêt de "
                    "travail : les salaires bruts des 3 mois civils précédant le mois de début de l'arrêt "
                    "(pour un arrêt commençant le 15 avril 2026 : janvier, février et mars 2026) et les "
                    "heures travaillées sur ces 3 mois. Le SIRET doit être celui du jeton. Une attestation "
                    "par employeur, salarié et arrêt ; chaque employeur du salarié envoie la sienne. Même "
                    "clé Idempotency-Key et même corps : la même réponse ; autre corps : 422.",
                    "operationId": "transmettreAttestationSalaire",
                    "security": [{"jeton_employeur": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": [
                                        "nir",
                                        "date_debut_arret",
                                        "salaires",
                                        "heures_travaillees",
                                        "siret",
                                    ],
                                    "properties": {
                                        "nir": {"type": "string", "description": "13 ou 15 caractères."},
                                        "date_debut_arret": {
                                            **DATE,
                                            "description": "Au plus 30 jours après, 2 ans avant aujourd'hui.",
                                        },
                                        "salaires": {
                                            "type": "array",
                                            "minItems": 3,
                                            "maxItems": 3,
                                            "items": {
                                                "type": "object",
                                                "required": ["mois", "brut"],
                                                "properties": {
                                                    "mois": {
                                                        "type": "string",
                                                        "pattern": "^[0-9]{4}-[0-9]{2}$",
                                                        "examples": ["2026-01"],
                                                    },
                                                    "brut": MONEY,
                                                },
                                            },
                                        },
                                        "heures_travaillees": {
                                            "type": "integer",
                                            "minimum": 0,
                                            "maximum": 1000,
                                        },
                                        "siret": {"type": "string", "pattern": "^[0-9]{14}$"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "Attestation reçue : son numéro de réception."},
                        "200": {"description": "Même clé Idempotency-Key : l'attestation déjà reçue."},
                        "400": {
                            "description": "Corps illisible ou clé absente.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "401": {
                            "description": "Jeton absent ou révoqué.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "403": {
                            "description": "Le SIRET n'est pas celui du jeton.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "409": {
                            "description": "Attestation déjà reçue pour ce salarié et cet arrêt : "
                            "le numero_reception de la première.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                        "422": {
                            "description": "Champs invalides, assuré inconnu, mois attendus autres.",
                            "content": {"application/json": {"schema": ERROR}},
                        },
                    },
                }
            },
            "/simulations/indemnites-journalieres": _simulator(
                "Estimer des indemnités journalières maladie",
                "Salaire journalier de base, indemnité journalière, carence et total, avec les règles en "
                "vigueur à la date de l'arrêt.",
                "simulerIndemnitesJournalieres",
                "SimulationIndemnitesJournalieres",
                "IndemnitesJournalieres",
            ),
            "/simulations/c2s": _simulator(
                "Savoir si un foyer a droit à la Complémentaire santé solidaire",
                "Avec les plafonds en vigueur à la date de la demande (métropole).",
                "simulerC2S",
                "SimulationC2S",
                "C2S",
            ),
            "/simulations/conge-maternite-paternite": _simulator(
                "Calculer les dates d'un congé de maternité ou de paternité",
                "Périodes du congé (dates incluses), avec les règles en vigueur à la date présumée de "
                "l'accouchement (maternité) ou à la date de naissance (paternité).",
                "simulerCongeNaissance",
                "SimulationCongeNaissance",
                "CongeNaissance",
            ),
        },
        "components": {
            "securitySchemes": {
                "jeton": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton créé dans l'espace professionnel (/pro/jetons).",
                },
                "jeton_employeur": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton créé dans l'espace employeur (/employeur/jetons).",
                },
            },
            "schemas": {
                "SimulationRemboursement": {
                    "type": "object",
                    "required": ["date", "patient", "actes"],
                    "properties": {
                        "date": DATE,
                        "patient": {
                            "type": "object",
                            "required": ["date_naissance"],
                            "properties": {
                                "date_naissance": DATE,
                                "parcours_de_soins": {"type": "boolean", "default": True},
                                "ald": {"type": "boolean", "default": False},
                                "c2s": {"type": "boolean", "default": False},
                                "maternite": {
                                    "type": "boolean",
                                    "default": False,
                                    "description": "Soins dans la période d'exonération de maternité.",
                                },
                                "participations_annee": {**MONEY, "default": 0},
                                "franchises_annee": {**MONEY, "default": 0},
                            },
                        },
                        "professionnel": {
                            "type": "object",
                            "properties": {
                                "secteur": {
                                    "type": "string",
                                    "enum": ["1", "2_optam", "2", "3"],
                                    "default": "1",
                                }
                            },
                        },
                        "tiers_payant": {"type": "boolean", "default": False},
                        "actes": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 50,
                            "items": {
                                "type": "object",
                                "required": ["code", "montant"],
                                "properties": {
                                    "code": {"type": "string", "enum": list(tariffs.act_codes())},
                                    "montant": MONEY,
                                    "quantite": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": 99,
                                        "default": 1,
                                    },
                                    "base": {
                                        "oneOf": [MONEY, {"type": "null"}],
                                        "description": "Base d'un acte sans tarif fixe (AMK, PH, transport).",
                                    },
                                    "date": {
                                        "oneOf": [DATE, {"type": "null"}],
                                        "description": "Remplace la date générale.",
                                    },
                                },
                            },
                        },
                    },
                },
                "Decompte": {
                    "type": "object",
                    "required": [
                        "lignes",
                        "rembourse",
                        "participation_forfaitaire",
                        "franchises",
                        "part_complementaire_c2s",
                        "reste_a_charge",
                        "explications",
                    ],
                    "properties": {
                        "lignes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "montant": MONEY,
                                    "base": MONEY,
                                    "taux": {"type": "integer"},
                                    "rembourse": MONEY,
                                    "participation_forfaitaire": MONEY,
                                    "franchise": MONEY,
                                    "depassement": MONEY,
                                },
                            },
                        },
                        "rembourse": MONEY,
                        "participation_forfaitaire": MONEY,
                        "franchises": MONEY,
                        "part_complementaire_c2s": MONEY,
                        "reste_a_charge": MONEY,
                        "explications": {"type": "array", "items": {"type": "string"}},
                    },
                },
                **SIMULATOR_SCHEMAS,
            },
        },
    }
