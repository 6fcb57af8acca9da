"""Who the shop works for and with: customers, their sites and contacts, and technicians."""
