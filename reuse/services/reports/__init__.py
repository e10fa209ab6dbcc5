"""Report figures: sums of reuse records, and counts of reuse checks, for a period and a scope.

Every figure is computed in SQL with exactly the conditions the drill-down list uses, so the
records a figure links to add up to it. One module per question; import from the module:

- scope:         the period and units a report covers, who may see it, its SQL conditions
- figures:       the four figures and the exact SQL sums behind them
- sums:          the scope's totals and months, from the month totals or the ledger
- breakdowns:    per receiving unit, giving unit and category, along the trees
- ranking:       the receiving units that avoided the most
- checks:        how the scope's reuse checks ended, and the list behind the counts
- records:       the records behind a figure (drill-down and export)
- goal_progress: how far the period has come toward the year's goals
- report:        a whole report, and the API's summary
"""
