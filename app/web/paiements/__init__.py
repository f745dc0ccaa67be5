"""Mes paiements: the assuré's payments, their décomptes and monthly statements."""
