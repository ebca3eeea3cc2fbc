"""The HTTP API: FastAPI routers over the assistant; ``main.create_app`` assembles them."""
