"""Mes arrêts de travail: the assuré's arrêts as timelines, and their IJ documents."""
