"""The HTTP decision service (``infoshare serve``): FastAPI on uvicorn, contract-first OpenAPI."""
