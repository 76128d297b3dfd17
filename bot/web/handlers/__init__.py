"""Request handlers, one module per audience: public (health, config), auth (sign-in and
sign-out), student, assessor, educator. bot/web/routes.py lists which path runs which."""
