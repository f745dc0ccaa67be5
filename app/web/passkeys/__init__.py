"""Passkeys (WebAuthn): manage them in the account, sign in with them."""
