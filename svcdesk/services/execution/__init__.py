"""Work in the field: visit progress, time cards, checklists, attachments and close-out."""
