"""Working-day calendar (工作日历): official holidays, make-up working days, deadline arithmetic."""
