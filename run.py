"""Entry point: ``flask --app run <command>`` for the CLI, ``python run.py`` to serve."""

import os

from app import create_app

app = create_app()

if __name__ == "__main__":
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"Retail Admin: http://{host}:{port}/  (log in as admin / demo1234 after seed-demo)")
    app.run(host=host, port=port, debug=False, threaded=True)
