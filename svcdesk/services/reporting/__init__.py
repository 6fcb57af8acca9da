"""What the shop reads back: KPIs and the dashboard, exports, the audit trail, alerts and
an asset's history."""
