"""Customer messages (docs/messages.md): the outbox, its templates, customers' preferences,
the triggers other areas call in the transaction of their event, and the senders.

This area sits just above crm: orders, execution, billing and agreements call its
triggers; it reads their rows through the models only."""
