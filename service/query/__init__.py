"""Public SPARQL: the guard, worker processes under limits, remote queries, fairness, canned queries."""
