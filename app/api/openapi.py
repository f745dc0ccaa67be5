"""The OpenAPI 3.1 description of ``/api/v1``, written as data next to the code it describes."""

from __future__ import annotations

from typing import Any

from app.rules import tariffs

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
        },
        "components": {
            "securitySchemes": {
                "jeton": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Jeton créé dans l'espace professionnel (/pro/jetons).",
                }
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
            },
        },
    }
