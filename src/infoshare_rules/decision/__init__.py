"""The decision: ``decide`` runs facts through an engine and assembles verdict, obligations, trace and questions."""
