"""逢四说事: meeting days, agendas built from escalations, and minutes."""
