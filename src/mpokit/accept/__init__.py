"""Field acceptance: tester results and OTDR traces reconciled with the plan (docs/accept.md)."""
