"""``python -m mpokit`` runs the command line."""

from mpokit.cli import main

if __name__ == "__main__":
    main()
